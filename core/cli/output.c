/*
** output.c — what the CLI prints around the commands: errors, help texts and
** colour.
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Keeps s until the command ends. */
static const char *keep(cli *c, char *s)
{
    if (c->n_safe == c->cap_safe) {
        size_t cap = c->cap_safe ? c->cap_safe * 2 : 16;
        char **p = realloc(c->safe, cap * sizeof *p);
        if (!p) {
            free(s);
            return "";
        }
        c->safe = p;
        c->cap_safe = cap;
    }
    c->safe[c->n_safe++] = s;
    return s;
}

const char *cli_safe(cli *c, const char *s)
{
    if (!s || !kanal_text_needs_escape(s))
        return s;
    kanal_buf b = KANAL_BUF_INIT;
    kanal_buf_put_visible(&b, s);
    char *copy = kanal_buf_detach(&b);
    return copy ? keep(c, copy) : "";
}

const char *cli_safe_take(cli *c, char *s)
{
    if (!s)
        return "";
    const char *safe = cli_safe(c, s);
    if (safe != s) {
        free(s);
        return safe;
    }
    return keep(c, s);
}

void cli_buf_lines(cli *c, kanal_buf *b, const char *text)
{
    size_t n = strlen(text);
    while (n && text[n - 1] == '\n')
        n--;
    for (size_t at = 0; at < n;) {
        size_t len = strcspn(text + at, "\n");
        if (len > n - at)
            len = n - at;
        char *line = strndup(text + at, len);
        kanal_buf_puts(b, line ? cli_safe(c, line) : "");
        kanal_buf_putc(b, '\n');
        free(line);
        at += len + 1;
    }
}

void cli_safe_release(cli *c, size_t mark)
{
    while (c->n_safe > mark)
        free(c->safe[--c->n_safe]);
    if (mark == 0) {
        free(c->safe);
        c->safe = NULL;
        c->cap_safe = 0;
    }
}

void cli_print_rules_log(cli *c)
{
    if (!c->verbose || !c->k)
        return;
    size_t n;
    const char *line = kanal_rules_log(c->k, &n);
    for (size_t i = 0; i < n; i++, line += strlen(line) + 1) {
        /* the tabs between kanal.log's values are the log's own: kept */
        kanal_buf b = KANAL_BUF_INIT;
        for (const char *p = line; *p;) {
            size_t len = strcspn(p, "\t");
            char *field = strndup(p, len);
            kanal_buf_puts(&b, field ? cli_safe(c, field) : "");
            free(field);
            p += len;
            if (*p)
                kanal_buf_putc(&b, *p++);
        }
        fprintf(c->err, "rules: %s\n", kanal_buf_cstr(&b));
        kanal_buf_release(&b);
    }
}

/* The CLI's wording of what the library advises: as commands and flags. */
static void advice_text(kanal_buf *b, const kanal_error *err)
{
    const char *arg = err->advice_arg;
    switch (err->advice) {
    case KANAL_ADVICE_NONE: break;
    case KANAL_ADVICE_RUN_INIT: kanal_buf_puts(b, " (run 'kanal init')"); break;
    case KANAL_ADVICE_CREATE_DATABASE: kanal_buf_puts(b, " (create one with 'kanal init')"); break;
    case KANAL_ADVICE_ADD_USER:
        kanal_buf_puts(b, " (an admin adds users with 'kanal user add'; choose who acts with "
                          "--as or $KANAL_USER)");
        break;
    case KANAL_ADVICE_REPLACE_USER:
        kanal_buf_puts(b, " (an admin can add a new user; a manager moves their work with "
                          "'kanal reassign')");
        break;
    case KANAL_ADVICE_CHOOSE_ACTOR: kanal_buf_puts(b, ": set one with --as USER"); break;
    case KANAL_ADVICE_SET_FIELD: kanal_buf_printf(b, ": add --set %s=VALUE", arg); break;
    case KANAL_ADVICE_ADD_NOTE: kanal_buf_puts(b, ": add --note TEXT"); break;
    case KANAL_ADVICE_CLOSE:
        kanal_buf_printf(b, ": close the opportunity with 'kanal win %s' (or 'kanal lose')", arg);
        break;
    case KANAL_ADVICE_NAME_USER: kanal_buf_puts(b, " (--name NAME)"); break;
    case KANAL_ADVICE_GIVE_ROLE:
        kanal_buf_puts(b, " (--role ROLE[,ROLE...]), such as admin, manager or channel_rep");
        break;
    case KANAL_ADVICE_SKIP_BAD:
        kanal_buf_puts(b, " (fix them, or keep the good rows with --skip-bad REJECTS.csv)");
        break;
    case KANAL_ADVICE_APPLY_WORKFLOW:
        kanal_buf_puts(b, " (no workflow is applied yet: an admin runs 'kanal workflow apply')");
        break;
    case KANAL_ADVICE_LIST_PLUGINS: kanal_buf_puts(b, " (see 'kanal plugin list')"); break;
    case KANAL_ADVICE_CHOOSE_WORKFLOW: kanal_buf_puts(b, " (with --workflow W)"); break;
    }
}

const char *cli_error_text(cli *c, const kanal_error *err)
{
    kanal_buf b = KANAL_BUF_INIT;
    kanal_buf_puts(&b, err->message[0] ? err->message : "unknown error");
    advice_text(&b, err);
    return cli_safe_take(c, kanal_buf_detach(&b));
}

int cli_fail(cli *c, const kanal_error *err)
{
    cli_print_rules_log(c);
    if (c->k) {
        size_t n;
        const char *h = kanal_rules_hints(c->k, &n);
        for (size_t i = 0; i < n; i++, h += strlen(h) + 1)
            fprintf(c->err, "hint: %s\n", cli_safe(c, h));
    }
    if (c->batch_line > 0)
        fprintf(c->err, "kanal: line %d: ", c->batch_line);
    else
        fputs("kanal: ", c->err);
    fprintf(c->err, "%serror:%s ", c->color ? "\033[1;31m" : "",
            c->color ? "\033[0m" : "");
    /* the place, unless the message names it already (a rules error does) */
    if (err->where[0] && !strstr(err->message, err->where))
        fprintf(c->err, "%s: ", cli_safe(c, err->where));
    /* a failure the library did not word is still a failure, never exit 0 */
    if (err->code == KANAL_OK || !err->message[0]) {
        fprintf(c->err,
                "internal error: a command failed without saying why (%s); nothing of it "
                "was kept\n",
                err->message[0] ? cli_safe(c, err->message) : "no message");
        return 5;
    }
    fprintf(c->err, "%s\n", cli_error_text(c, err));
    if (c->verbose && c->k && kanal_rules_trace(c->k)[0]) {
        kanal_buf b = KANAL_BUF_INIT;
        cli_buf_lines(c, &b, kanal_rules_trace(c->k)); /* each line made safe */
        fputs(kanal_buf_cstr(&b), c->err);
        kanal_buf_release(&b);
    }
    return kanal_exit_code(err->code);
}

int cli_usage_error(cli *c, const cli_cmd *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->batch_line > 0)
        fprintf(c->err, "kanal: line %d: error: %s\n", c->batch_line, cli_safe(c, msg));
    else
        fprintf(c->err, "kanal: error: %s\n", cli_safe(c, msg));
    if (cmd)
        fprintf(c->err, "usage: kanal %s%s%s (see 'kanal %s --help')\n", cmd->name,
                cmd->args[0] ? " " : "", cmd->args, cmd->name);
    else
        fprintf(c->err, "see 'kanal --help'\n");
    return 2;
}

int cli_write(cli *c, kanal_buf *b)
{
    if (b->oom) {
        kanal_error e;
        kanal_error_nomem(&e);
        return cli_fail(c, &e);
    }
    if (b->len && fwrite(b->data, 1, b->len, c->out) != b->len) {
        kanal_error e;
        kanal_error_set(&e, KANAL_ESTORAGE, "cannot write the output");
        return cli_fail(c, &e);
    }
    return 0;
}

static void print_opts(FILE *f, const cli_opt *opts)
{
    for (int i = 0; opts[i].name; i++) {
        char left[64];
        char shrt[8] = "";
        if (opts[i].short_name)
            snprintf(shrt, sizeof shrt, "-%c, ", opts[i].short_name);
        snprintf(left, sizeof left, "%s--%s%s%s", shrt, opts[i].name, opts[i].arg ? " " : "",
                 opts[i].arg ? opts[i].arg : "");
        fprintf(f, "  %-24s %s%s\n", left, opts[i].help, opts[i].repeat ? " (repeatable)" : "");
    }
}

void cli_help_command(FILE *f, const cli_cmd *cmd)
{
    fprintf(f, "usage: kanal %s%s%s%s\n\n%s\n", cmd->name, cmd->args[0] ? " " : "", cmd->args,
            cmd->opts[0].name ? " [options]" : "", cmd->summary);
    if (cmd->help)
        fprintf(f, "\n%s\n", cmd->help);
    if (cmd->opts[0].name) {
        fputs("\noptions:\n", f);
        print_opts(f, cmd->opts);
    }
    fputs("\nglobal options:\n", f);
    print_opts(f, cli_global_opts());
}

void cli_help_group(FILE *f, const char *group)
{
    size_t n = strlen(group);
    fprintf(f, "usage: kanal %s COMMAND [options]\n\ncommands:\n", group);
    for (size_t i = 0; i < cli_n_commands; i++) {
        const cli_cmd *cmd = cli_commands[i];
        if (strncmp(cmd->name, group, n) == 0 && cmd->name[n] == ' ')
            fprintf(f, "  %-36s %s\n", cmd->name, cmd->summary);
    }
    fprintf(f, "\nrun 'kanal %s COMMAND --help' for the options of one\n", group);
}

void cli_help_all(FILE *f)
{
    fprintf(f, "usage: kanal [--db PATH] [--as USER] COMMAND [options]\n\n"
               "Kanal steps partner-acquisition opportunities through the workflows\n"
               "an admin defines in YAML.\n\ncommands:\n");
    for (size_t i = 0; i < cli_n_commands; i++)
        fprintf(f, "  %-24s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
    fputs("\nglobal options:\n", f);
    print_opts(f, cli_global_opts());
    fputs("\nrun 'kanal COMMAND --help' for the options of a command\n", f);
}

const char *cli_bold(const cli *c) { return c->color ? "\033[1m" : ""; }
const char *cli_dim(const cli *c) { return c->color ? "\033[2m" : ""; }
const char *cli_green(const cli *c) { return c->color ? "\033[32m" : ""; }
const char *cli_red(const cli *c) { return c->color ? "\033[31m" : ""; }
const char *cli_reset(const cli *c) { return c->color ? "\033[0m" : ""; }
