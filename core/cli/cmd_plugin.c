/*
** cmd_plugin.c — `kanal plugin list`, `kanal import`, `kanal export`.
*/
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* ---- plugin list ---- */

static const cli_opt list_opts[] = {
    { "json", 0, NULL, false, "print JSON" },
    { NULL, 0, NULL, false, NULL },
};

static int list_run(cli *c, cli_args *a)
{
    kanal_plugins *p = cli_plugins(c);
    if (!p) {
        kanal_error err;
        kanal_error_nomem(&err);
        return cli_fail(c, &err);
    }
    size_t n = kanal_plugins_count(p);
    kanal_buf out = KANAL_BUF_INIT;
    if (cli_flag(a, "json")) {
        kanal_json j;
        kanal_json_init(&j, &out);
        kanal_json_object(&j);
        kanal_json_key(&j, "plugins");
        kanal_json_array(&j);
        for (size_t i = 0; i < n; i++) {
            const kanal_plugin_info *pl = kanal_plugins_info(p, i);
            kanal_json_object(&j);
            kanal_json_key(&j, "name");
            kanal_json_str(&j, pl->name);
            kanal_json_key(&j, "version");
            kanal_json_str(&j, pl->version);
            kanal_json_key(&j, "summary");
            kanal_json_str(&j, pl->summary);
            kanal_json_key(&j, "file");
            kanal_json_str(&j, pl->file);
            kanal_json_key(&j, "loaded");
            kanal_json_bool(&j, pl->problem == NULL);
            kanal_json_key(&j, "problem");
            kanal_json_str(&j, pl->problem);
            kanal_json_key(&j, "provides");
            kanal_json_array(&j);
            for (size_t k = 0; k < pl->n_provides; k++)
                kanal_json_str(&j, pl->provides[k]);
            kanal_json_end_array(&j);
            kanal_json_end_object(&j);
        }
        kanal_json_end_array(&j);
        kanal_json_end_object(&j);
        kanal_buf_putc(&out, '\n');
    } else {
        if (n == 0)
            kanal_buf_puts(&out, "no plugins\n");
        for (size_t i = 0; i < n; i++) {
            const kanal_plugin_info *pl = kanal_plugins_info(p, i);
            if (pl->problem) {
                kanal_buf_printf(&out, "%s%s (skipped)%s  %s\n  %s\n", cli_red(c),
                                 pl->name ? cli_safe(c, pl->name) : "?", cli_reset(c),
                                 cli_safe(c, pl->file), cli_safe(c, pl->problem));
                continue;
            }
            kanal_buf_printf(&out, "%s%s%s %s  %s\n  %s\n  provides: ", cli_bold(c),
                             cli_safe(c, pl->name), cli_reset(c), cli_safe(c, pl->version), cli_safe(c, pl->summary),
                             cli_safe(c, pl->file));
            for (size_t k = 0; k < pl->n_provides; k++)
                kanal_buf_printf(&out, "%s%s", k ? ", " : "", cli_safe(c, pl->provides[k]));
            kanal_buf_puts(&out, pl->n_provides ? "\n" : "nothing\n");
        }
    }
    int rc = cli_write(c, &out);
    kanal_buf_release(&out);
    return rc;
}

const cli_cmd cli_cmd_plugin_list = {
    .name = "plugin list",
    .args = "",
    .min_args = 0,
    .max_args = 0,
    .summary = "the plugins found, what each provides, and why any was skipped",
    .help = "Plugins are found in the plugins/ folder beside the kanal binary (those built\n"
            "with Kanal), then in every folder of $KANAL_PLUGIN_PATH (colon-separated).",
    .opts = list_opts,
    .run = list_run,
};

/* ---- import ---- */

typedef struct progress {
    cli *c;
    struct timespec start, last;
    bool shown;
} progress;

static double seconds(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* On a terminal only, at most five times a second: rows done and the rate. */
static void show_progress(void *ud, long rows)
{
    progress *p = ud;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (p->shown && seconds(&p->last, &now) < 0.2)
        return;
    double t = seconds(&p->start, &now);
    if (!p->shown && t < 0.5)
        return; /* a short import shows nothing */
    p->last = now;
    p->shown = true;
    fprintf(p->c->err, "\r%ld rows, %.0f rows/s ", rows, t > 0 ? rows / t : 0.0);
    fflush(p->c->err);
}

static const cli_opt import_opts[] = {
    { "dry-run", 0, NULL, false, "check every row and keep nothing" },
    { "skip-bad", 0, "REJECTS", false,
      "keep the good rows; write the bad ones, each with its reason, to REJECTS" },
    { NULL, 0, NULL, false, NULL },
};

static int import_run(cli *c, cli_args *a)
{
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_plugins *pl = cli_plugins(c);
    const char *format = a->pos[0], *what = a->pos[1], *path = a->pos[2];
    bool dry = cli_flag(a, "dry-run");
    progress prog = { .c = c };
    clock_gettime(CLOCK_MONOTONIC, &prog.start);
    bool tty = isatty(fileno(c->err));
    kanal_diags d, notes;
    kanal_diags_init(&d);
    kanal_diags_init(&notes);
    kanal_import_result res;
    kanal_error err;
    kanal_error_clear(&err);
    kanal_import_options opts = KANAL_IMPORT_OPTIONS_INIT;
    opts.rejects = cli_get(a, "skip-bad");
    opts.dry_run = dry;
    opts.progress = tty ? show_progress : NULL;
    opts.progress_ud = &prog;
    opts.notes = &notes;
    rc = kanal_import_run(k, pl, format, what, path, &opts, &d, &res, &err);
    if (prog.shown)
        fputs("\r\033[K", c->err);
    cli_plugin_warnings(c);
    for (size_t i = 0; i < notes.count; i++)
        fprintf(c->err, "%s:%d: note: %s\n", cli_safe(c, notes.items[i].file), notes.items[i].line,
                cli_safe(c, notes.items[i].message));
    kanal_diags_release(&notes);
    /* every bad row, as FILE:LINE: MESSAGE */
    for (size_t i = 0; i < d.count; i++)
        fprintf(c->err, "%s:%d: %s\n", cli_safe(c, d.items[i].file), d.items[i].line,
                cli_safe(c, d.items[i].message));
    if (rc) {
        kanal_diags_release(&d);
        return cli_fail(c, &err);
    }
    if (dry)
        fprintf(c->out, "dry run: %ld of %ld rows would be imported; nothing was kept\n",
                res.imported, res.rows);
    else
        fprintf(c->out, "imported %ld of %ld rows%s\n", res.imported, res.rows,
                res.rejected ? "" : "");
    if (res.rejected && cli_get(a, "skip-bad") && !dry)
        fprintf(c->out, "%ld bad row%s written to %s\n", res.rejected,
                res.rejected == 1 ? "" : "s", cli_safe(c, cli_get(a, "skip-bad")));
    kanal_diags_release(&d);
    return dry && res.rejected ? 4 : 0;
}

const cli_cmd cli_cmd_import = {
    .name = "import",
    .args = "FORMAT WHAT FILE",
    .min_args = 3,
    .max_args = 3,
    .summary = "bring in partners, contacts or a history of opportunities, through the engine",
    .help = "The rows go through the engine's own operations, as the user each row names,\n"
            "so every rule, permission and Lua hook applies. One transaction: a bad row\n"
            "means nothing is imported, unless --skip-bad. For example:\n"
            "  kanal import csv partners partners.csv\n"
            "  kanal import csv contacts contacts.csv\n"
            "  kanal import csv history history.csv --dry-run",
    .opts = import_opts,
    .run = import_run,
};

/* ---- export ---- */

static const cli_opt export_opts[] = {
    { "output", 'o', "FILE", false, "write to FILE instead of stdout" },
    { NULL, 0, NULL, false, NULL },
};

static int export_run(cli *c, cli_args *a)
{
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_buf out = KANAL_BUF_INIT;
    kanal_error err;
    if (kanal_export_run(k, cli_plugins(c), a->pos[0], a->pos[1], &out, &err)) {
        cli_plugin_warnings(c);
        kanal_buf_release(&out);
        return cli_fail(c, &err);
    }
    cli_plugin_warnings(c);
    const char *file = cli_get(a, "output");
    if (file) {
        rc = kanal_output_write(k, file, out.data ? out.data : "", out.len, &err);
        kanal_buf_release(&out);
        return rc ? cli_fail(c, &err) : 0;
    }
    rc = cli_write(c, &out);
    kanal_buf_release(&out);
    return rc;
}

const cli_cmd cli_cmd_export = {
    .name = "export",
    .args = "FORMAT WHAT",
    .min_args = 2,
    .max_args = 2,
    .summary = "write partners, contacts, opportunities or events (the history) out (manager)",
    .help = "WHAT is partners, contacts, opportunities or events. Partners, contacts and\n"
            "events are written the way 'kanal import' reads them back: export, then\n"
            "import into a fresh database with the same users and workflows, gives the\n"
            "same partners, contacts and opportunities.",
    .opts = export_opts,
    .run = export_run,
};
