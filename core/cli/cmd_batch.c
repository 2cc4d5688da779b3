/*
** cli_cmd_batch.c — `kanal batch [FILE|-]`: runs one command a line, as a
** script of steps (an import, a demo, a day replayed).
**
** Lines are split like a shell's: blanks separate words, '...' keeps its
** text as it is, "..." allows \" and \\, a backslash outside quotes escapes
** the next character and one at the end of a line joins the next line; a #
** at the start of a word begins a comment. The leading `kanal` word is
** optional.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "batch_parse.h"
#include "cli.h"

/* a line, continued lines included; a note is at most 4000 bytes */
#define BATCH_LINE_MAX (1024 * 1024)

static const cli_opt opts[] = {
    { "atomic", 0, NULL, false, "all lines in one transaction: all or nothing" },
    { "keep-going", 0, NULL, false, "go on after a failing line (not with --atomic)" },
    { NULL, 0, NULL, false, NULL },
};

static int run(cli *c, cli_args *a)
{
    bool atomic = cli_flag(a, "atomic"), keep_going = cli_flag(a, "keep-going");
    if (c->in_batch)
        return cli_usage_error(c, a->cmd, "a batch cannot run another batch");
    if (atomic && keep_going)
        return cli_usage_error(c, a->cmd, "--atomic and --keep-going exclude each other");
    const char *path = a->npos ? a->pos[0] : "-";
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        kanal_error err;
        kanal_error_set(&err, KANAL_ENOTFOUND, "cannot read '%s'", path);
        return cli_fail(c, &err);
    }
    int rc = 0, first_fail = 0, fail_line = 0, ran = 0, failed = 0;
    kanal *k = NULL;
    FILE *real_out = c->out;
    char *held = NULL;
    size_t held_len = 0;
    if (atomic) {
        kanal_error err;
        if (!(k = cli_open(c, &rc)))
            goto done;
        if (kanal_begin(k, &err)) {
            rc = cli_fail(c, &err);
            goto done;
        }
    }
    /* all or nothing: what the lines print is held until the batch commits, and
       dropped if it does not, so that no result of a rolled-back line stands */
    if (atomic) {
        FILE *mem = open_memstream(&held, &held_len);
        if (mem)
            c->out = mem;
    }
    const char *base_as = c->as;
    kanal_buf logical = KANAL_BUF_INIT, phys = KANAL_BUF_INIT;
    int line_no = 0, start_line = 0;
    c->in_batch = true;
    for (;;) {
        int got = kanal_buf_read_line(&phys, f, BATCH_LINE_MAX);
        if (got == KANAL_LINE_ERROR || got == KANAL_LINE_TOO_LONG) {
            kanal_error err;
            if (got == KANAL_LINE_ERROR)
                kanal_error_set(&err, KANAL_ESTORAGE, "cannot read '%s': %s", path,
                                strerror(errno));
            else
                kanal_error_set(&err, KANAL_EUSAGE,
                                "line %d of '%s' is longer than %d KiB: is it a batch file?",
                                line_no + 1, path, BATCH_LINE_MAX / 1024);
            c->batch_line = 0;
            int lrc = cli_fail(c, &err);
            if (!first_fail)
                first_fail = lrc, fail_line = line_no + 1;
            failed++, ran++; /* the unreadable line counts as a failing command */
            break;
        }
        ssize_t len = got == KANAL_LINE_END ? -1 : (ssize_t)phys.len;
        if (len < 0 && logical.len == 0)
            break;
        if (len >= 0) {
            char *line = phys.data;
            line_no++;
            if (logical.len == 0)
                start_line = line_no;
            while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                line[--len] = '\0';
            if (len > 0 && line[len - 1] == '\\' && logical.len < BATCH_LINE_MAX) {
                kanal_buf_add(&logical, line, (size_t)len - 1);
                continue;
            }
            kanal_buf_add(&logical, line, (size_t)len);
        }
        char *buf = malloc(logical.len + 1);
        char *words[CLI_BATCH_MAX_WORDS];
        const char *why = NULL;
        if (!buf || logical.oom) {
            free(buf);
            rc = 5;
            break;
        }
        int n = cli_batch_split(kanal_buf_cstr(&logical), buf, words, &why);
        kanal_buf_reset(&logical);
        int lrc = 0;
        c->batch_line = start_line;
        c->as = base_as;
        if (n < 0) {
            ran++;
            lrc = cli_usage_error(c, NULL, "%s", why);
        } else if (n > 0) {
            char **argv = words;
            if (strcmp(argv[0], "kanal") == 0)
                argv++, n--;
            if (n > 0) {
                ran++;
                lrc = cli_dispatch(c, n, argv);
            }
        }
        free(buf);
        /* what a line printed is out as soon as it has committed */
        fflush(c->out);
        if (lrc) {
            failed++;
            if (!first_fail) {
                first_fail = lrc;
                fail_line = start_line;
            }
            if (atomic || !keep_going)
                break;
        }
        if (len < 0)
            break;
    }
    c->in_batch = false;
    c->batch_line = 0;
    c->as = base_as;
    kanal_buf_release(&phys);
    kanal_buf_release(&logical);
    if (c->out != real_out) {
        fclose(c->out); /* held and held_len now hold what the lines printed */
        c->out = real_out;
    }
    if (rc)
        goto done;
    if (atomic) {
        kanal_error err;
        if (first_fail) {
            kanal_rollback(k);
            fprintf(c->err,
                    "kanal: batch: line %d failed; nothing was applied (what the lines before "
                    "it did was undone, and is not shown)\n",
                    fail_line);
        } else if (kanal_commit(k, &err)) {
            rc = cli_fail(c, &err);
            goto done;
        } else if (held_len) {
            fwrite(held, 1, held_len, c->out);
        }
    } else if (first_fail && !keep_going) {
        fprintf(c->err, "kanal: batch: stopped at line %d (%d command%s ran before it)\n",
                fail_line, ran - 1, ran - 1 == 1 ? "" : "s");
    } else if (failed) {
        fprintf(c->err, "kanal: batch: %d of %d commands failed (the first at line %d)\n",
                failed, ran, fail_line);
    }
    rc = first_fail;
done:
    if (c->out != real_out) {
        fclose(c->out);
        c->out = real_out;
    }
    free(held);
    if (f != stdin)
        fclose(f);
    return rc;
}

const cli_cmd cli_cmd_batch = {
    .name = "batch",
    .args = "[FILE|-]",
    .min_args = 0,
    .max_args = 1,
    .summary = "run commands from a file or stdin, one a line",
    .help = "Each line is a kanal command without the 'kanal' word, quoted like in a\n"
            "shell; '#' starts a comment. Each line runs in its own transaction, or all\n"
            "in one with --atomic. It stops at the first failing line, naming it, unless\n"
            "--keep-going. The exit code is the first failure's.",
    .opts = opts,
    .run = run,
};
