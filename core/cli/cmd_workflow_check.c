/*
** cli_cmd_workflow_check.c — `kanal workflow check FILE...`: checks definitions
** and reports every error of every file.
*/
#include <string.h>

#include "cli.h"
#include "print.h"

static const cli_opt opts[] = {
    { "json", 0, NULL, false, "print the result as JSON on stdout" },
    { "print", 0, NULL, false, "print the outline of each valid workflow" },
    { NULL, 0, NULL, false, NULL },
};

static void json_file(kanal_json *j, const char *file, const kanal_workflow *wf,
                      const kanal_diags *d, size_t from, size_t to)
{
    kanal_json_object(j);
    kanal_json_key(j, "file");
    kanal_json_str(j, file);
    kanal_json_key(j, "valid");
    kanal_json_bool(j, wf != NULL);
    kanal_json_key(j, "workflow");
    kanal_json_str(j, wf ? wf->id : NULL);
    kanal_json_key(j, "errors");
    kanal_json_array(j);
    for (size_t i = from; i < to; i++) {
        kanal_json_object(j);
        if (strcmp(d->items[i].file, file) != 0) {
            /* a problem of the rules file the definition names */
            kanal_json_key(j, "file");
            kanal_json_str(j, d->items[i].file);
        }
        kanal_json_key(j, "line");
        kanal_json_int(j, d->items[i].line);
        kanal_json_key(j, "column");
        kanal_json_int(j, d->items[i].column);
        kanal_json_key(j, "message");
        kanal_json_str(j, d->items[i].message);
        kanal_json_end_object(j);
    }
    if (d->oom) {
        kanal_json_object(j);
        kanal_json_key(j, "line");
        kanal_json_int(j, 0);
        kanal_json_key(j, "column");
        kanal_json_int(j, 0);
        kanal_json_key(j, "message");
        kanal_json_str(j, "out of memory");
        kanal_json_end_object(j);
    }
    kanal_json_end_array(j);
    kanal_json_end_object(j);
}

/* FILE:LINE:COLUMN: error: MESSAGE, one a line. */
void cli_print_diags(cli *c, const kanal_diags *d, size_t from)
{
    for (size_t i = from; i < d->count; i++) {
        const kanal_diag *x = &d->items[i];
        const char *file = cli_safe(c, x->file), *msg = cli_safe(c, x->message);
        if (x->line > 0 && x->column > 0)
            fprintf(c->err, "%s:%d:%d: error: %s\n", file, x->line, x->column, msg);
        else if (x->line > 0)
            fprintf(c->err, "%s:%d: error: %s\n", file, x->line, msg);
        else
            fprintf(c->err, "%s: error: %s\n", file, msg);
    }
    if (d->oom)
        fputs("kanal: error: out of memory\n", c->err);
}

static int run(cli *c, cli_args *a)
{
    bool json = cli_flag(a, "json"), print = cli_flag(a, "print");
    kanal_buf out = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &out);
    if (json) {
        kanal_json_object(&j);
        kanal_json_key(&j, "files");
        kanal_json_array(&j);
    }
    bool all_valid = true;
    for (int i = 0; i < a->npos; i++) {
        kanal_diags d;
        kanal_diags_init(&d);
        kanal_workflow *wf = kanal_workflow_check_file(a->pos[i], &d);
        if (!wf)
            all_valid = false;
        if (json) {
            json_file(&j, a->pos[i], wf, &d, 0, d.count);
        } else if (!wf) {
            cli_print_diags(c, &d, 0);
        } else {
            kanal_buf_printf(&out, "%s: ok (%s: %zu stages, %zu goals)\n", cli_safe(c, a->pos[i]), wf->id,
                             wf->n_stages, wf->n_goals);
            if (print) {
                kanal_buf_putc(&out, '\n');
                cli_print_workflow(c, &out, wf, 0);
                kanal_buf_putc(&out, '\n');
            }
        }
        kanal_workflow_free(wf);
        kanal_diags_release(&d);
    }
    if (json) {
        kanal_json_end_array(&j);
        kanal_json_end_object(&j);
        kanal_buf_putc(&out, '\n');
    }
    int rc = cli_write(c, &out);
    kanal_buf_release(&out);
    return rc ? rc : all_valid ? 0 : 4;
}

const cli_cmd cli_cmd_workflow_check = {
    .name = "workflow check",
    .args = "FILE...",
    .min_args = 1,
    .max_args = -1,
    .summary = "check workflow definitions and report every error",
    .help = "Exits 0 when every file is valid, else 4 with every error of every file\n"
            "on stderr as FILE:LINE:COLUMN: error: MESSAGE.",
    .opts = opts,
    .run = run,
};
