/*
** cmd_record.c — correcting the record: note, reopen.
*/
#include "cli.h"

static const cli_opt note_opts[] = {
    CLI_NEXT_OPT,
    { "at", 0, "TIME", false, "when it happened (ISO 8601; default: now)" },
    { NULL, 0, NULL, false, NULL },
};

static int note_run(cli *c, cli_args *a)
{
    int64_t id;
    int rc = cli_opp_id(c, a->pos[0], &id);
    if (rc)
        return rc;
    kanal *k = cli_kanal(c, &rc);
    if (rc)
        return rc;
    kanal_error err;
    if (cli_step_begin(k, &err) ||
        cli_step_end(a, k, id, kanal_opp_note(k, id, a->pos[1], cli_get(a, "at"), &err), &err))
        return cli_fail(c, &err);
    if ((rc = cli_step_commit(c, k)))
        return rc;
    fprintf(c->out, "opportunity %lld: noted\n", (long long)id);
    if (cli_get(a, "next"))
        fprintf(c->out, "opportunity %lld: next contact %s\n", (long long)id,
                cli_safe(c, cli_get(a, "next")));
    return 0;
}

const cli_cmd cli_cmd_note = {
    .name = "note",
    .args = "OPP TEXT",
    .min_args = 2,
    .max_args = 2,
    .summary = "write a note on an open opportunity (its owner, a manager, an admin)",
    .help = "The note is an event of the opportunity's history, exported with it.",
    .opts = note_opts,
    .run = note_run,
};

static const cli_opt reopen_opts[] = {
    { "note", 0, "TEXT", false, "why it is reopened" },
    { "at", 0, "TIME", false, "when (ISO 8601; default: now)" },
    { NULL, 0, NULL, false, NULL },
};

static int reopen_run(cli *c, cli_args *a)
{
    int64_t id;
    int rc = cli_opp_id(c, a->pos[0], &id);
    if (rc)
        return rc;
    kanal *k = cli_kanal(c, &rc);
    if (rc)
        return rc;
    kanal_error err;
    if (cli_step_begin(k, &err) ||
        cli_step_end(NULL, k, id,
                     kanal_opp_reopen(k, id, cli_get(a, "note"), cli_get(a, "at"), &err), &err))
        return cli_fail(c, &err);
    kanal_opp *o;
    if (kanal_opp_get(k, id, &o, &err))
        return cli_step_fail(c, k, &err);
    if ((rc = cli_step_commit(c, k))) {
        kanal_opp_free(o);
        return rc;
    }
    fprintf(c->out, "opportunity %lld: reopened in stage %s\n", (long long)id, o->stage);
    kanal_opp_free(o);
    return 0;
}

const cli_cmd cli_cmd_reopen = {
    .name = "reopen",
    .args = "OPP",
    .min_args = 1,
    .max_args = 1,
    .summary = "open a won or lost opportunity again, in the stage it was closed in (manager)",
    .help = "Refused when the partner has another open opportunity in the workflow.",
    .opts = reopen_opts,
    .run = reopen_run,
};
