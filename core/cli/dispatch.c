/*
** dispatch.c — finds the command a line names, parses its options against
** the command's table, and runs it.
**
** Options may stand anywhere on the line, as `--name VALUE` or
** `--name=VALUE`; `--` ends them. Global options (--db, --as, --verbose,
** --no-color, --help) are accepted by every command.
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt global_opts[] = {
    { "db", 0, "PATH", false, "the database file (default: $KANAL_DB, else ./kanal.db)" },
    { "as", 0, "USER", false, "act as this user (default: $KANAL_USER, else the login name)" },
    { "verbose", 0, NULL, false, "say more: rule logs and tracebacks" },
    { "no-color", 0, NULL, false, "never colour the output" },
    { "help", 0, NULL, false, "show the help of the command" },
    { "version", 0, NULL, false, "print the version and exit" },
    { NULL, 0, NULL, false, NULL },
};

const cli_opt *cli_global_opts(void)
{
    return global_opts;
}

static const cli_opt *find_short(const cli_opt *opts, char c, int *index)
{
    for (int i = 0; opts && opts[i].name; i++) {
        if (opts[i].short_name == c) {
            *index = i;
            return &opts[i];
        }
    }
    return NULL;
}

static const cli_opt *find_opt(const cli_opt *opts, const char *name, size_t len, int *index)
{
    for (int i = 0; opts && opts[i].name; i++) {
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0) {
            if (index)
                *index = i;
            return &opts[i];
        }
    }
    return NULL;
}

static int suggest_opt(cli *c, const cli_cmd *cmd, const char *name, size_t len)
{
    const char *names[64];
    size_t n = 0;
    for (int i = 0; cmd && cmd->opts[i].name && n < 58; i++)
        names[n++] = cmd->opts[i].name;
    for (int i = 0; global_opts[i].name; i++)
        names[n++] = global_opts[i].name;
    char word[128];
    snprintf(word, sizeof word, "%.*s", (int)len, name);
    const char *near = kanal_suggest(word, names, n);
    if (near)
        return cli_usage_error(c, cmd, "unknown option '--%s' (did you mean '--%s'?)", word,
                               near);
    return cli_usage_error(c, cmd, "unknown option '--%s'", word);
}

static bool has_group(const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i < cli_n_commands; i++)
        if (strncmp(cli_commands[i]->name, word, n) == 0 && cli_commands[i]->name[n] == ' ')
            return true;
    return false;
}

static const cli_cmd *find_cmd(const char *name)
{
    for (size_t i = 0; i < cli_n_commands; i++) {
        if (strcmp(cli_commands[i]->name, name) != 0)
            continue;
        /* the values are kept in arrays of CLI_MAX_OPTS: a longer table is
           a mistake in Kanal, found by the first run of the command */
        size_t n = 0;
        for (const cli_opt *o = cli_commands[i]->opts; o && o->name; o++)
            n++;
        if (n > CLI_MAX_OPTS) {
            fprintf(stderr, "kanal: internal error: command '%s' has %zu options (at most %d)\n",
                    name, n, CLI_MAX_OPTS);
            abort();
        }
        return cli_commands[i];
    }
    return NULL;
}

/* Applies a global option. */
static void set_global(cli *c, const char *name, const char *value, bool *help,
                       bool *version)
{
    if (!strcmp(name, "db"))
        c->db_path = value;
    else if (!strcmp(name, "as"))
        c->as = value;
    else if (!strcmp(name, "verbose"))
        c->verbose = true;
    else if (!strcmp(name, "no-color"))
        c->color = false;
    else if (!strcmp(name, "help"))
        *help = true;
    else if (!strcmp(name, "version"))
        *version = true;
}

static int unknown_command(cli *c, const char *group, const char *word)
{
    const char *names[128] = { NULL };
    char buf[128][40];
    size_t n = 0;
    size_t glen = group ? strlen(group) : 0;
    for (size_t i = 0; i < cli_n_commands && n < 128; i++) {
        const char *name = cli_commands[i]->name;
        if (group) {
            if (strncmp(name, group, glen) != 0 || name[glen] != ' ')
                continue;
            snprintf(buf[n], sizeof buf[n], "%s", name + glen + 1);
        } else {
            snprintf(buf[n], sizeof buf[n], "%.*s", (int)strcspn(name, " "), name);
        }
        names[n] = buf[n];
        n++;
    }
    const char *near = kanal_suggest(word, names, n);
    word = cli_safe(c, word);
    if (c->batch_line > 0)
        fprintf(c->err, "kanal: line %d: error: unknown command '%s%s%s'", c->batch_line,
                group ? group : "", group ? " " : "", word);
    else
        fprintf(c->err, "kanal: error: unknown command '%s%s%s'", group ? group : "",
                group ? " " : "", word);
    if (near)
        fprintf(c->err, " (did you mean '%s%s%s'?)", group ? group : "", group ? " " : "",
                near);
    fprintf(c->err, "\nrun 'kanal %s%s--help' for the list of commands\n", group ? group : "",
            group ? " " : "");
    return 2;
}

int cli_dispatch(cli *c, int argc, char **argv)
{
    cli_args a;
    memset(&a, 0, sizeof a);
    size_t safe_mark = c->n_safe;
    bool help = false, version = false, no_more_opts = false;
    char *group = NULL;
    const cli_cmd *cmd = NULL;
    int rc = 0;
    a.pos = calloc((size_t)argc + 1, sizeof *a.pos);
    if (!a.pos) {
        fputs("kanal: error: out of memory\n", c->err);
        return 5;
    }
    for (int i = 0; i < CLI_MAX_OPTS; i++)
        a.vals[i] = NULL;

    for (int i = 0; i < argc; i++) {
        char *t = argv[i];
        if (!no_more_opts && strcmp(t, "--") == 0) {
            no_more_opts = true;
            continue;
        }
        /* -x: a command's short option (-o FILE), or -h */
        int sidx = -1;
        const cli_opt *so = !no_more_opts && cmd && t[0] == '-' && t[1] && t[1] != '-' && !t[2]
                                ? find_short(cmd->opts, t[1], &sidx)
                                : NULL;
        if (so) {
            const char *value = NULL;
            if (so->arg) {
                if (i + 1 >= argc) {
                    rc = cli_usage_error(c, cmd, "option '-%c' needs a value (%s)", t[1],
                                         so->arg);
                    goto done;
                }
                value = argv[++i];
            }
            const char **vals = realloc(a.vals[sidx], (size_t)(a.nvals[sidx] + 1) * sizeof *vals);
            if (!vals) {
                rc = 5;
                goto done;
            }
            vals[a.nvals[sidx]++] = value ? value : "";
            a.vals[sidx] = vals;
            continue;
        }
        if (!no_more_opts && (strcmp(t, "-h") == 0 || strncmp(t, "--", 2) == 0)) {
            const char *name = strcmp(t, "-h") == 0 ? "help" : t + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            int idx = -1;
            const cli_opt *o = cmd ? find_opt(cmd->opts, name, len, &idx) : NULL;
            bool global = false;
            if (!o) {
                o = find_opt(global_opts, name, len, NULL);
                global = o != NULL;
            }
            if (!o) {
                rc = suggest_opt(c, cmd, name, len);
                goto done;
            }
            const char *value = NULL;
            if (o->arg) {
                if (eq)
                    value = eq + 1;
                else if (i + 1 < argc)
                    value = argv[++i];
                else {
                    rc = cli_usage_error(c, cmd, "option '--%s' needs a value (%s)", o->name,
                                         o->arg);
                    goto done;
                }
            } else if (eq) {
                rc = cli_usage_error(c, cmd, "option '--%s' takes no value", o->name);
                goto done;
            }
            if (global) {
                if (c->in_batch && strcmp(o->name, "db") == 0) {
                    rc = cli_usage_error(c, cmd, "--db cannot change inside a batch");
                    goto done;
                }
                set_global(c, o->name, value, &help, &version);
                continue;
            }
            if (a.nvals[idx] > 0 && !o->repeat) {
                rc = cli_usage_error(c, cmd, "option '--%s' is given twice", o->name);
                goto done;
            }
            const char **vals = realloc(a.vals[idx], (size_t)(a.nvals[idx] + 1) * sizeof *vals);
            if (!vals) {
                rc = 5;
                goto done;
            }
            vals[a.nvals[idx]++] = value ? value : "";
            a.vals[idx] = vals;
            continue;
        }
        if (!cmd) {
            /* A command word. */
            if (group) {
                size_t n = strlen(group) + strlen(t) + 2;
                char *full = malloc(n);
                if (!full) {
                    rc = 5;
                    goto done;
                }
                snprintf(full, n, "%s %s", group, t);
                cmd = find_cmd(full);
                free(full);
                if (!cmd) {
                    rc = unknown_command(c, group, t);
                    goto done;
                }
            } else if (has_group(t)) {
                group = t;
            } else if (!(cmd = find_cmd(t))) {
                rc = unknown_command(c, NULL, t);
                goto done;
            }
            continue;
        }
        a.pos[a.npos++] = t;
    }

    if (!cmd) {
        if (version && !help && !group) {
            fprintf(c->out, "kanal %s\n", kanal_version());
        } else if (group) {
            cli_help_group(help ? c->out : c->err, group);
            rc = help ? 0 : 2;
        } else if (help) {
            cli_help_all(c->out);
        } else {
            cli_help_all(c->err);
            rc = 2;
        }
        goto done;
    }
    if (help) {
        cli_help_command(c->out, cmd);
        goto done;
    }
    if (a.npos < cmd->min_args) {
        rc = cli_usage_error(c, cmd, "missing %s", cmd->args);
        goto done;
    }
    if (cmd->max_args >= 0 && a.npos > cmd->max_args) {
        rc = cli_usage_error(c, cmd, "unexpected argument '%s'", a.pos[cmd->max_args]);
        goto done;
    }
    a.cmd = cmd;
    rc = cmd->run(c, &a);
    if (c->k) {
        /* what went wrong after the command committed (a listener) */
        size_t n;
        const char *w = kanal_warnings(c->k, &n);
        for (size_t i = 0; i < n; i++, w += strlen(w) + 1)
            fprintf(c->err, "kanal: warning: %s\n", cli_safe(c, w));
        kanal_warnings_clear(c->k);
    }
done:
    for (int i = 0; i < CLI_MAX_OPTS; i++)
        free(a.vals[i]);
    free(a.pos);
    cli_safe_release(c, safe_mark);
    return rc;
}

/* The index of a command's option. Asking for an option the command does not
   declare is a mistake in Kanal, not in the user's input: it stops loudly
   rather than read as "not given". */
static int opt_index(const cli_args *a, const char *name)
{
    int idx = -1;
    if (!find_opt(a->cmd->opts, name, strlen(name), &idx)) {
        fprintf(stderr, "kanal: internal error: command '%s' has no option '--%s'\n", a->cmd->name,
                name);
        abort();
    }
    return idx;
}

const char *cli_get(const cli_args *a, const char *name)
{
    int i = opt_index(a, name);
    return i >= 0 && a->nvals[i] ? a->vals[i][a->nvals[i] - 1] : NULL;
}

bool cli_flag(const cli_args *a, const char *name)
{
    int i = opt_index(a, name);
    return i >= 0 && a->nvals[i] > 0;
}

int cli_all(const cli_args *a, const char *name, const char *const **vals)
{
    int i = opt_index(a, name);
    if (i < 0 || !a->nvals[i]) {
        *vals = NULL;
        return 0;
    }
    *vals = a->vals[i];
    return a->nvals[i];
}
