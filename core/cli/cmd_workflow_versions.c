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

/* A version number into *v: 0, or -1 when the argument is not one (then it names a file). */
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
            kanal_buf_printf(&out, "%s: version %d -> %s\n", a->pos[0], r.from, cli_safe(c, file));
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
            "definition in FILE (checked as by 'workflow check', not applied). Lists the stages, "
            "goals,\n"
            "activity types, lost reasons and fields added, removed or changed, and which\n"
            "property changed. For example:\n"
            "  kanal workflow diff referral_partners\n"
            "  kanal workflow diff referral_partners 2 workflows/referral_partners.yaml",
    .opts = diff_opts,
    .run = diff_run,
};

/* ---- migrate ---- */

static const cli_opt migrate_opts[] = {
    { "to", 0, "N", false, "the version to move to (required)" },
    { "from", 0, "M", false, "only the opportunities on version M" },
    { "opp", 0, "OPP", true, "only this opportunity" },
    { "map", 0, "OLD=NEW", true, "put those in stage OLD into stage NEW" },
    { "dry-run", 0, NULL, false, "show what would move and change nothing" },
    { "json", 0, NULL, false, "print JSON" },
    { NULL, 0, NULL, false, NULL },
};

static void id_words(kanal_buf *b, const char *const *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kanal_buf_printf(b, "%s%s", i ? ", " : "", ids[i]);
}

static void id_json(kanal_json *j, const char *key, const char *const *ids, size_t n)
{
    kanal_json_key(j, key);
    kanal_json_array(j);
    for (size_t i = 0; i < n; i++)
        kanal_json_str(j, ids[i]);
    kanal_json_end_array(j);
}

static void migration_json(kanal_buf *out, const kanal_migration *m, bool dry_run)
{
    kanal_json j;
    kanal_json_init(&j, out);
    kanal_json_object(&j);
    kanal_json_key(&j, "workflow");
    kanal_json_str(&j, m->workflow);
    kanal_json_key(&j, "to");
    kanal_json_int(&j, m->to);
    kanal_json_key(&j, "dry_run");
    kanal_json_bool(&j, dry_run);
    kanal_json_key(&j, "moved");
    kanal_json_bool(&j, m->moved);
    kanal_json_key(&j, "opportunities");
    kanal_json_array(&j);
    for (size_t i = 0; i < m->n; i++) {
        const kanal_opp_migration *o = &m->opps[i];
        kanal_json_object(&j);
        kanal_json_key(&j, "id");
        kanal_json_int(&j, o->opp);
        kanal_json_key(&j, "partner");
        kanal_json_str(&j, o->partner);
        kanal_json_key(&j, "owner");
        kanal_json_str(&j, o->owner);
        kanal_json_key(&j, "from");
        kanal_json_int(&j, o->from);
        kanal_json_key(&j, "stage");
        kanal_json_str(&j, o->stage);
        kanal_json_key(&j, "to_stage");
        kanal_json_str(&j, o->to_stage);
        id_json(&j, "outstanding", o->outstanding, o->n_outstanding);
        id_json(&j, "not_required", o->waived, o->n_waived);
        id_json(&j, "gone", o->gone, o->n_gone);
        kanal_json_key(&j, "problem");
        kanal_json_str(&j, o->problem);
        kanal_json_end_object(&j);
    }
    kanal_json_end_array(&j);
    kanal_json_end_object(&j);
    kanal_buf_putc(out, '\n');
}

static void migration_text(cli *c, kanal_buf *out, const kanal_migration *m, bool dry_run)
{
    for (size_t i = 0; i < m->n; i++) {
        const kanal_opp_migration *o = &m->opps[i];
        kanal_buf_printf(out, "%lld %s (%s): version %d -> %d", (long long)o->opp,
                         cli_safe(c, o->partner ? o->partner : "?"), o->owner, o->from, m->to);
        if (o->problem) {
            kanal_buf_printf(out, ": cannot move: %s\n", cli_safe(c, o->problem));
            continue;
        }
        if (strcmp(o->stage, o->to_stage) != 0)
            kanal_buf_printf(out, ", stage %s -> %s", o->stage, o->to_stage);
        else
            kanal_buf_printf(out, ", stays in %s", o->stage);
        kanal_buf_putc(out, '\n');
        if (o->n_outstanding) {
            kanal_buf_puts(out, "  to do in its stage: ");
            id_words(out, o->outstanding, o->n_outstanding);
            kanal_buf_putc(out, '\n');
        }
        if (o->n_waived) {
            kanal_buf_puts(out, "  not required of it (their stages are behind it): ");
            id_words(out, o->waived, o->n_waived);
            kanal_buf_putc(out, '\n');
        }
        if (o->n_gone) {
            kanal_buf_puts(out, "  done, and gone from the new version (kept in its history): ");
            id_words(out, o->gone, o->n_gone);
            kanal_buf_putc(out, '\n');
        }
    }
    if (!m->n)
        kanal_buf_printf(out, "no open opportunity of %s to move to version %d\n", m->workflow,
                         m->to);
    else if (m->moved)
        kanal_buf_printf(out, "%zu opportunit%s moved to version %d of %s\n", m->n,
                         m->n == 1 ? "y" : "ies", m->to, m->workflow);
    else if (dry_run && !m->blocked)
        kanal_buf_printf(out, "%zu opportunit%s would move; nothing was changed (--dry-run)\n",
                         m->n, m->n == 1 ? "y" : "ies");
}

static int number_opt(cli *c, cli_args *a, const char *name, int *out)
{
    const char *v = cli_get(a, name);
    *out = 0;
    if (!v)
        return 0;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || end == v || n < 1 || n > 1000000)
        return cli_usage_error(c, a->cmd, "--%s takes a version number, not '%s'", name, v);
    *out = (int)n;
    return 0;
}

static int migrate_run(cli *c, cli_args *a)
{
    kanal_migrate_options o = { .workflow = a->pos[0], .dry_run = cli_flag(a, "dry-run") };
    int rc;
    if (!cli_get(a, "to"))
        return cli_usage_error(c, a->cmd, "--to N is required: the version to move to");
    if ((rc = number_opt(c, a, "to", &o.to)) || (rc = number_opt(c, a, "from", &o.from)))
        return rc;
    const char *const *opps;
    int n_opps = cli_all(a, "opp", &opps);
    int64_t *ids = calloc((size_t)n_opps + 1, sizeof *ids);
    if (!ids)
        return cli_usage_error(c, a->cmd, "out of memory");
    for (int i = 0; i < n_opps; i++) {
        char *end;
        long long v = strtoll(opps[i], &end, 10);
        if (*end || end == opps[i] || v < 1) {
            free(ids);
            return cli_usage_error(c, a->cmd, "--opp takes an opportunity number, not '%s'",
                                   opps[i]);
        }
        ids[i] = v;
    }
    o.opps = ids;
    o.n_opps = (size_t)n_opps;
    o.n_maps = (size_t)cli_all(a, "map", &o.maps);
    for (size_t i = 0; i < o.n_maps; i++) {
        const char *eq = strchr(o.maps[i], '=');
        if (!eq || eq == o.maps[i] || !eq[1]) {
            free(ids);
            return cli_usage_error(c, a->cmd, "--map takes OLD_STAGE=NEW_STAGE, not '%s'",
                                   o.maps[i]);
        }
    }
    kanal *k = cli_kanal(c, &rc);
    if (!k) {
        free(ids);
        return rc;
    }
    kanal_error err;
    kanal_error_clear(&err);
    kanal_migration *m = NULL;
    int failed = kanal_workflow_migrate(k, &o, &m, &err);
    free(ids);
    kanal_buf out = KANAL_BUF_INIT;
    /* a refusal lists the opportunities only when they are why (a blocked move) */
    if (m && (!failed || m->blocked)) {
        if (cli_flag(a, "json"))
            migration_json(&out, m, o.dry_run);
        else
            migration_text(c, &out, m, o.dry_run);
    }
    kanal_migration_free(m);
    rc = out.len ? cli_write(c, &out) : 0;
    kanal_buf_release(&out);
    return failed ? cli_fail(c, &err) : rc;
}

const cli_cmd cli_cmd_workflow_migrate = {
    .name = "workflow migrate",
    .args = "ID",
    .min_args = 1,
    .max_args = 1,
    .summary = "move open opportunities to another version of their workflow (admin)",
    .help = "Moves the open opportunities of older versions (or of --from M, or those named\n"
            "with --opp) to version --to N, all in one transaction: when any cannot move (a\n"
            "stage the version lacks and no --map for it, a field value its types reject),\n"
            "none moves and each is listed (exit 1). Goals the version adds to an\n"
            "opportunity's stage are to do; goals it adds to stages behind it are not\n"
            "required of it. Each moved opportunity gets a 'migrated' event; the version's\n"
            "rules apply from then on. For example:\n"
            "  kanal workflow migrate referral_partners --to 2 --dry-run\n"
            "  kanal workflow migrate distributors --to 3 --map negotiation=proposal\n"
            "  kanal workflow migrate distributors --to 3 --opp 11",
    .opts = migrate_opts,
    .run = migrate_run,
};

/* ---- retire ---- */

static const cli_opt retire_opts[] = {
    { NULL, 0, NULL, false, NULL },
};

static int retire_run(cli *c, cli_args *a)
{
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    if (kanal_workflow_retire(k, a->pos[0], &err))
        return cli_fail(c, &err);
    fprintf(c->out, "%s retired\n", a->pos[0]);
    return 0;
}

const cli_cmd cli_cmd_workflow_retire = {
    .name = "workflow retire",
    .args = "ID",
    .min_args = 1,
    .max_args = 1,
    .summary = "take a workflow out of use: no new opportunities on it (admin)",
    .help = "Its open opportunities go on; its history and reports stay; 'workflow list'\n"
            "shows when it was retired. 'kanal workflow apply' of the same id brings it back.",
    .opts = retire_opts,
    .run = retire_run,
};
