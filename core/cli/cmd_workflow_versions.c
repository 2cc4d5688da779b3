/*
** cmd_workflow_versions.c — `kanal workflow versions|diff`: a workflow's
** versions side by side, and what changed between two of them or between
** the latest and a file not yet applied.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kanal/json.h"
#include "print.h"

/* ---- versions ---- */

static const cli_opt versions_opts[] = {
    CLI_LIST_OPTS,
    { NULL, 0, NULL, false, NULL },
};

static int versions_run(cli *c, cli_args *a)
{
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    kanal_table *t;
    if (kanal_workflow_versions(k, a->pos[0], &t, &err))
        return cli_fail(c, &err);
    return cli_print_table(c, a, t);
}

const cli_cmd cli_cmd_workflow_versions = {
    .name = "workflow versions",
    .args = "ID",
    .min_args = 1,
    .max_args = 1,
    .summary = "a workflow's versions: when, by whom, and the opportunities each holds",
    .help = "Each version with the time it was applied, who applied it, the hash of its\n"
            "definition and rules, the file it came from, and how many open, won and lost\n"
            "opportunities follow it. Move open ones with 'kanal workflow migrate'.",
    .opts = versions_opts,
    .run = versions_run,
};

/* ---- diff ---- */

static const cli_opt diff_opts[] = {
    { "json", 0, NULL, false, "print JSON" },
    { NULL, 0, NULL, false, NULL },
};

/* A version number, or 0 with *file set when the argument is not one. */
static int version_arg(const char *s, int *v)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (*end || end == s || n < 1 || n > 1000000)
        return -1;
    *v = (int)n;
    return 0;
}

static int diff_run(cli *c, cli_args *a)
{
    int from = 0, to = 0;
    const char *file = NULL;
    if (a->npos == 2 && version_arg(a->pos[1], &from))
        file = a->pos[1]; /* the latest against a file */
    else if (a->npos == 3 && version_arg(a->pos[1], &from))
        return cli_usage_error(c, a->cmd, "'%s' is not a version number", a->pos[1]);
    if (a->npos == 3 && version_arg(a->pos[2], &to))
        file = a->pos[2];
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    kanal_error_clear(&err);
    kanal_diags d;
    kanal_diags_init(&d);
    kanal_workflow_diff_result r;
    rc = kanal_workflow_diff(k, a->pos[0], from, to, file, &d, &r, &err);
    if (rc == KANAL_EINVALID && kanal_diags_any(&d)) {
        cli_print_diags(c, &d, 0);
        kanal_diags_release(&d);
        return 4;
    }
    kanal_diags_release(&d);
    if (rc)
        return cli_fail(c, &err);
    kanal_buf out = KANAL_BUF_INIT;
    if (cli_flag(a, "json")) {
        kanal_json j;
        kanal_json_init(&j, &out);
        kanal_json_object(&j);
        kanal_json_key(&j, "workflow");
        kanal_json_str(&j, a->pos[0]);
        kanal_json_key(&j, "from");
        kanal_json_int(&j, r.from);
        kanal_json_key(&j, "to");
        if (file)
            kanal_json_null(&j);
        else
            kanal_json_int(&j, r.to);
        kanal_json_key(&j, "file");
        kanal_json_str(&j, file);
        kanal_json_key(&j, "changes");
        cli_diff_json(&j, r.diff);
        kanal_json_end_object(&j);
        kanal_buf_putc(&out, '\n');
    } else {
        if (file)
            kanal_buf_printf(&out, "%s: version %d -> %s\n", a->pos[0], r.from,
                             cli_safe(c, file));
        else
            kanal_buf_printf(&out, "%s: version %d -> version %d\n", a->pos[0], r.from, r.to);
        cli_print_diff(c, &out, r.diff);
        if (r.diff->n)
            kanal_buf_printf(&out, "%zu change%s\n", r.diff->n, r.diff->n == 1 ? "" : "s");
    }
    kanal_diff_free(r.diff);
    rc = cli_write(c, &out);
    kanal_buf_release(&out);
    return rc;
}

const cli_cmd cli_cmd_workflow_diff = {
    .name = "workflow diff",
    .args = "ID [A [B|FILE]|FILE]",
    .min_args = 1,
    .max_args = 3,
    .summary = "what changed between two versions of a workflow, or to a file",
    .help = "Without versions, compares the two latest; with A, version A with the latest;\n"
            "with A and B, the two; with FILE (and A), the latest (version A) with the\n"
            "definition in FILE (checked as by 'workflow check', not applied). Lists the stages, goals,\n"
            "activity types, lost reasons and fields added, removed or changed, and which\n"
            "property changed. For example:\n"
            "  kanal workflow diff referral_partners\n"
            "  kanal workflow diff referral_partners 2 workflows/referral_partners.yaml",
    .opts = diff_opts,
    .run = diff_run,
};
