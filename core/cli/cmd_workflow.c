/*
** cmd_workflow.c — `kanal workflow apply|list|show` (check has its own file).
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "print.h"

/* ---- apply ---- */

static const cli_opt apply_opts[] = {
    { "dry-run", 0, NULL, false, "check and show what would change; store nothing" },
    { NULL, 0, NULL, false, NULL },
};

/* --dry-run: each file's version to be, what changes, and what stays behind. */
static int preview(cli *c, kanal *k, cli_args *a, kanal_diags *d)
{
    kanal_error err;
    kanal_error_clear(&err);
    kanal_preview *p = NULL;
    size_t n = (size_t)a->npos;
    int rc = kanal_workflow_preview(k, (const char *const *)a->pos, n, d, &p, &err);
    if (rc == KANAL_EINVALID && kanal_diags_any(d)) {
        cli_print_diags(c, d, 0);
        return 4;
    }
    if (rc)
        return cli_fail(c, &err);
    kanal_buf out = KANAL_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (!p[i].latest)
            kanal_buf_printf(&out, "%s: would become version 1 (a new workflow)\n", p[i].workflow);
        else if (!p[i].changed)
            kanal_buf_printf(&out, "%s v%d (unchanged)\n", p[i].workflow, p[i].version);
        else
            kanal_buf_printf(&out, "%s: would become version %d; from version %d:\n", p[i].workflow,
                             p[i].version, p[i].latest);
        if (p[i].latest && p[i].changed)
            cli_print_diff(c, &out, p[i].diff);
        if (p[i].open_older)
            kanal_buf_printf(&out,
                             "  %lld open opportunit%s would stay on older versions (then: "
                             "kanal workflow migrate %s --to %d)\n",
                             (long long)p[i].open_older, p[i].open_older == 1 ? "y" : "ies",
                             p[i].workflow, p[i].version);
    }
    kanal_buf_puts(&out, "nothing was stored (--dry-run)\n");
    kanal_previews_free(p, n);
    rc = cli_write(c, &out);
    kanal_buf_release(&out);
    return rc;
}

static int apply_run(cli *c, cli_args *a)
{
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    kanal_error_clear(&err);
    kanal_diags d;
    kanal_diags_init(&d);
    if (cli_flag(a, "dry-run")) {
        rc = preview(c, k, a, &d);
        kanal_diags_release(&d);
        return rc;
    }
    kanal_applied *res = NULL;
    rc = kanal_workflow_apply(k, (const char *const *)a->pos, (size_t)a->npos, &d, &res, &err);
    if (rc == KANAL_EINVALID && kanal_diags_any(&d)) {
        cli_print_diags(c, &d, 0); /* the same errors as 'workflow check' */
        rc = 4;
    } else if (rc) {
        rc = cli_fail(c, &err);
    } else {
        for (int i = 0; i < a->npos; i++)
            fprintf(c->out, "%s v%d%s%s\n", res[i].workflow, res[i].version,
                    res[i].changed || res[i].restored ? "" : " (unchanged)",
                    res[i].restored ? " (back in use: it had been retired)" : "");
        for (int i = 0; i < a->npos; i++)
            if (res[i].open_older)
                fprintf(c->err,
                        "hint: %lld open opportunit%s of %s %s on older versions: kanal "
                        "workflow migrate %s --to %d\n",
                        (long long)res[i].open_older, res[i].open_older == 1 ? "y" : "ies",
                        res[i].workflow, res[i].open_older == 1 ? "is" : "are", res[i].workflow,
                        res[i].version);
    }
    free(res);
    kanal_diags_release(&d);
    return rc;
}

const cli_cmd cli_cmd_workflow_apply = {
    .name = "workflow apply",
    .args = "FILE...",
    .min_args = 1,
    .max_args = -1,
    .summary = "check workflow definitions and store them as new versions (admin)",
    .help = "Checks every file first: if any is invalid, nothing is applied (exit 4, the\n"
            "errors as with 'workflow check'). Each changed workflow gets the next version\n"
            "number; unchanged content keeps its version. Prints 'ID vN' per workflow.\n"
            "Existing opportunities stay on the version they were created with: a hint\n"
            "says how many, and 'kanal workflow migrate' moves them. --dry-run shows\n"
            "what would change (as 'workflow diff' does) and stores nothing.",
    .opts = apply_opts,
    .run = apply_run,
};

/* ---- list ---- */

static const cli_opt list_opts[] = {
    CLI_LIST_OPTS,
    { NULL, 0, NULL, false, NULL },
};

static int list_run(cli *c, cli_args *a)
{
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    kanal_table *t;
    if (kanal_workflow_list(k, &t, &err))
        return cli_fail(c, &err);
    return cli_print_table(c, a, t);
}

const cli_cmd cli_cmd_workflow_list = {
    .name = "workflow list",
    .args = "",
    .min_args = 0,
    .max_args = 0,
    .summary = "list the stored workflows with their latest version",
    .opts = list_opts,
    .run = list_run,
};

/* ---- show ---- */

static const cli_opt show_opts[] = {
    { "version", 0, "N", false, "show version N (default: the latest)" },
    { "json", 0, NULL, false, "print JSON" },
    { NULL, 0, NULL, false, NULL },
};

static void json_ids(kanal_json *j, const char *const *ids, size_t n)
{
    kanal_json_array(j);
    for (size_t i = 0; i < n; i++)
        kanal_json_str(j, ids[i]);
    kanal_json_end_array(j);
}

static void workflow_json(kanal_buf *out, const kanal_workflow *wf,
                          const kanal_workflow_version *v)
{
    kanal_json j;
    kanal_json_init(&j, out);
    kanal_json_object(&j);
    kanal_json_key(&j, "workflow");
    kanal_json_str(&j, wf->id);
    kanal_json_key(&j, "version");
    kanal_json_int(&j, v->version);
    kanal_json_key(&j, "name");
    kanal_json_str(&j, wf->name);
    kanal_json_key(&j, "description");
    kanal_json_str(&j, wf->description);
    kanal_json_key(&j, "applied_at");
    kanal_json_str(&j, v->applied_at);
    kanal_json_key(&j, "applied_by");
    kanal_json_str(&j, v->applied_by);
    kanal_json_key(&j, "source");
    kanal_json_str(&j, v->source);
    kanal_json_key(&j, "hash");
    kanal_json_str(&j, v->hash);
    kanal_json_key(&j, "rules");
    kanal_json_str(&j, v->rules_file);
    kanal_json_key(&j, "partner_types");
    json_ids(&j, wf->partner_types, wf->n_partner_types);
    kanal_json_key(&j, "owner_roles");
    json_ids(&j, wf->owner_roles, wf->n_owner_roles);
    kanal_json_key(&j, "activity_types");
    kanal_json_array(&j);
    for (size_t i = 0; i < wf->n_activity_types; i++) {
        kanal_json_object(&j);
        kanal_json_key(&j, "id");
        kanal_json_str(&j, wf->activity_types[i].id);
        kanal_json_key(&j, "name");
        kanal_json_str(&j, wf->activity_types[i].name);
        kanal_json_end_object(&j);
    }
    kanal_json_end_array(&j);
    kanal_json_key(&j, "lost_reasons");
    kanal_json_array(&j);
    for (size_t i = 0; i < wf->n_lost_reasons; i++) {
        kanal_json_object(&j);
        kanal_json_key(&j, "id");
        kanal_json_str(&j, wf->lost_reasons[i].id);
        kanal_json_key(&j, "name");
        kanal_json_str(&j, wf->lost_reasons[i].name);
        kanal_json_key(&j, "note_required");
        kanal_json_bool(&j, wf->lost_reasons[i].note_required);
        kanal_json_end_object(&j);
    }
    kanal_json_end_array(&j);
    kanal_json_key(&j, "fields");
    kanal_json_array(&j);
    for (size_t i = 0; i < wf->n_fields; i++) {
        const kanal_field_def *f = &wf->fields[i];
        kanal_json_object(&j);
        kanal_json_key(&j, "id");
        kanal_json_str(&j, f->id);
        kanal_json_key(&j, "name");
        kanal_json_str(&j, f->name);
        kanal_json_key(&j, "type");
        kanal_json_str(&j, kanal_field_type_name(f->type));
        if (f->type == KANAL_FIELD_ENUM) {
            kanal_json_key(&j, "values");
            json_ids(&j, f->values, f->n_values);
        }
        if (f->has_min) {
            kanal_json_key(&j, "min");
            kanal_json_num(&j, f->min);
        }
        if (f->has_max) {
            kanal_json_key(&j, "max");
            kanal_json_num(&j, f->max);
        }
        kanal_json_end_object(&j);
    }
    kanal_json_end_array(&j);
    kanal_json_key(&j, "stages");
    kanal_json_array(&j);
    for (size_t s = 0; s < wf->n_stages; s++) {
        const kanal_stage *st = &wf->stages[s];
        kanal_json_object(&j);
        kanal_json_key(&j, "id");
        kanal_json_str(&j, st->id);
        kanal_json_key(&j, "name");
        kanal_json_str(&j, st->name);
        kanal_json_key(&j, "max_days");
        if (st->max_days)
            kanal_json_int(&j, st->max_days);
        else
            kanal_json_null(&j);
        kanal_json_key(&j, "goals");
        kanal_json_array(&j);
        for (size_t i = 0; i < st->n_goals; i++) {
            const kanal_goal *g = &wf->goals[st->goals[i]];
            kanal_json_object(&j);
            kanal_json_key(&j, "id");
            kanal_json_str(&j, g->id);
            kanal_json_key(&j, "name");
            kanal_json_str(&j, g->name);
            kanal_json_key(&j, "mandatory");
            kanal_json_bool(&j, g->mandatory);
            kanal_json_key(&j, "after");
            kanal_json_array(&j);
            for (size_t x = 0; x < g->n_after; x++)
                kanal_json_str(&j, wf->goals[g->after[x]].id);
            kanal_json_end_array(&j);
            kanal_json_key(&j, "completed_by");
            kanal_json_str(&j, g->completed_by >= 0 ? wf->activity_types[g->completed_by].id
                                                    : NULL);
            kanal_json_key(&j, "requires_fields");
            kanal_json_array(&j);
            for (size_t x = 0; x < g->n_requires_fields; x++)
                kanal_json_str(&j, wf->fields[g->requires_fields[x]].id);
            kanal_json_end_array(&j);
            kanal_json_key(&j, "hint");
            kanal_json_str(&j, g->hint);
            kanal_json_end_object(&j);
        }
        kanal_json_end_array(&j);
        kanal_json_end_object(&j);
    }
    kanal_json_end_array(&j);
    kanal_json_end_object(&j);
    kanal_buf_putc(out, '\n');
}

static int show_run(cli *c, cli_args *a)
{
    int rc;
    int version = 0;
    const char *v = cli_get(a, "version");
    if (v) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 1 || n > 1000000)
            return cli_usage_error(c, a->cmd, "invalid version '%s': a number from 1", v);
        version = (int)n;
    }
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    const kanal_workflow *wf;
    const kanal_workflow_version *ver;
    if (kanal_workflow_get(k, a->pos[0], version, &wf, &ver, &err))
        return cli_fail(c, &err);
    kanal_buf out = KANAL_BUF_INIT;
    if (cli_flag(a, "json")) {
        workflow_json(&out, wf, ver);
    } else {
        cli_print_workflow(c, &out, wf, ver->version);
        kanal_buf_printf(&out, "applied %.10s %.5s by %s from %s\n", ver->applied_at,
                         ver->applied_at + 11, ver->applied_by, cli_safe(c, ver->source));
    }
    rc = cli_write(c, &out);
    kanal_buf_release(&out);
    return rc;
}

const cli_cmd cli_cmd_workflow_show = {
    .name = "workflow show",
    .args = "ID",
    .min_args = 1,
    .max_args = 1,
    .summary = "show a stored workflow: stages, goals, fields",
    .opts = show_opts,
    .run = show_run,
};
