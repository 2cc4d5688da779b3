/*
** cmd_steps.c — the rep's steps: done, set, log, advance, win, lose.
*/
#include <string.h>

#include "cli.h"

#define AT_OPT { "at", 0, "TIME", false, "when it happened (ISO 8601; default: now)" }

/* Parses OPP and opens the database; returns 0 or the exit code. */
static int begin(cli *c, cli_args *a, kanal **k, int64_t *id)
{
    int rc = cli_opp_id(c, a->pos[0], id);
    if (rc)
        return rc;
    *k = cli_kanal(c, &rc);
    return rc;
}

/* ---- done ---- */

static const cli_opt done_opts[] = {
    { "set", 0, "FIELD=VALUE", true, "set a field with it" },
    { "note", 0, "TEXT", false, "a note on the step" },
    CLI_NEXT_OPT,
    AT_OPT,
    { NULL, 0, NULL, false, NULL },
};

static int done_run(cli *c, cli_args *a)
{
    kanal *k;
    int64_t id;
    int rc = begin(c, a, &k, &id);
    if (rc)
        return rc;
    const char *const *sets;
    int n = cli_all(a, "set", &sets);
    kanal_error err;
    bool already;
    if (cli_step_begin(k, &err) ||
        cli_step_end(a, k, id,
                     kanal_opp_done(k, id, a->pos[1], sets, (size_t)n, cli_get(a, "note"),
                                    cli_get(a, "at"), &already, &err),
                     &err))
        return cli_fail(c, &err);
    if ((rc = cli_step_commit(c, k)))
        return rc;
    if (already)
        fprintf(c->out, "opportunity %lld: %s was already done; nothing changed%s\n",
                (long long)id, cli_safe(c, a->pos[1]), n ? " (change fields with 'kanal set')" : "");
    else
        fprintf(c->out, "opportunity %lld: %s done\n", (long long)id, cli_safe(c, a->pos[1]));
    if (cli_get(a, "next"))
        fprintf(c->out, "opportunity %lld: next contact %s\n", (long long)id, cli_get(a, "next"));
    cli_print_hints(c);
    return 0;
}

const cli_cmd cli_cmd_done = {
    .name = "done",
    .args = "OPP GOAL",
    .min_args = 2,
    .max_args = 2,
    .summary = "complete a goal of the current stage",
    .help = "Refused for a goal of another stage, a goal whose 'after' goals are not done,\n"
            "and a goal whose required fields are not set (--set applies first).",
    .opts = done_opts,
    .run = done_run,
};

/* ---- set ---- */

static const cli_opt set_opts[] = {
    CLI_NEXT_OPT,
    AT_OPT,
    { NULL, 0, NULL, false, NULL },
};

static int set_run(cli *c, cli_args *a)
{
    kanal *k;
    int64_t id;
    int rc = begin(c, a, &k, &id);
    if (rc)
        return rc;
    kanal_error err;
    if (cli_step_begin(k, &err) ||
        cli_step_end(a, k, id,
                     kanal_opp_set(k, id, (const char *const *)a->pos + 1, (size_t)a->npos - 1,
                                   cli_get(a, "at"), &err),
                     &err))
        return cli_fail(c, &err);
    /* what was stored, in its canonical form (yes is true, 1e1 is 10), not what was typed */
    kanal_opp *o = NULL;
    if (kanal_opp_get(k, id, &o, &err))
        return cli_step_fail(c, k, &err);
    if ((rc = cli_step_commit(c, k))) {
        kanal_opp_free(o);
        return rc;
    }
    for (int i = 1; i < a->npos; i++) {
        const char *eq = strchr(a->pos[i], '=');
        char name[KANAL_ID_MAX + 2];
        size_t len = (size_t)(eq - a->pos[i]);
        snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1),
                 a->pos[i]);
        int fi = kanal_workflow_field_index(o->wf, name);
        const char *v = fi >= 0 ? o->fields[fi] : NULL;
        fprintf(c->out, "opportunity %lld: %s%s%s\n", (long long)id, name,
                v ? " = " : " cleared", v ? cli_safe(c, v) : "");
    }
    if (cli_get(a, "next"))
        fprintf(c->out, "opportunity %lld: next contact %s\n", (long long)id, o->next_contact_at);
    kanal_opp_free(o);
    cli_print_hints(c);
    return 0;
}

const cli_cmd cli_cmd_set = {
    .name = "set",
    .args = "OPP FIELD=VALUE...",
    .min_args = 2,
    .max_args = -1,
    .summary = "set fields, checked against their types (FIELD= clears one)",
    .opts = set_opts,
    .run = set_run,
};

/* ---- log ---- */

static const cli_opt log_opts[] = {
    { "note", 0, "TEXT", false, "what happened" },
    CLI_NEXT_OPT,
    AT_OPT,
    { "json", 0, NULL, false, "print JSON" },
    { NULL, 0, NULL, false, NULL },
};

static void ids(kanal_buf *b, const kanal_workflow *wf, const size_t *x, size_t n, bool fields)
{
    for (size_t i = 0; i < n; i++)
        kanal_buf_printf(b, "%s%s", i ? ", " : "", fields ? wf->fields[x[i]].id : wf->goals[x[i]].id);
}

static void ids_json(kanal_json *j, const kanal_workflow *wf, const size_t *x, size_t n,
                     bool fields)
{
    kanal_json_array(j);
    for (size_t i = 0; i < n; i++)
        kanal_json_str(j, fields ? wf->fields[x[i]].id : wf->goals[x[i]].id);
    kanal_json_end_array(j);
}

static int log_run(cli *c, cli_args *a)
{
    kanal *k;
    int64_t id;
    int rc = begin(c, a, &k, &id);
    if (rc)
        return rc;
    kanal_error err;
    kanal_log_result *r;
    r = NULL;
    if (cli_step_begin(k, &err) || cli_step_end(a, k, id,
                                                kanal_opp_log(k, id, a->pos[1], cli_get(a, "note"),
                                                              cli_get(a, "at"), &r, &err),
                                                &err)) {
        kanal_log_result_free(r);
        return cli_fail(c, &err);
    }
    /* the definition, to name the goals: the opportunity's pinned version */
    kanal_opp *o;
    if (kanal_opp_get(k, id, &o, &err)) {
        kanal_log_result_free(r);
        return cli_step_fail(c, k, &err);
    }
    const kanal_workflow *wf = o->wf;
    kanal_buf out = KANAL_BUF_INIT;
    if (cli_flag(a, "json")) {
        kanal_json j;
        kanal_json_init(&j, &out);
        kanal_json_object(&j);
        kanal_json_key(&j, "activity");
        kanal_json_str(&j, a->pos[1]);
        kanal_json_key(&j, "completed");
        ids_json(&j, wf, r->completed, r->n_completed, false);
        kanal_json_key(&j, "not_completed");
        kanal_json_array(&j);
        for (size_t i = 0; i < r->n_not_completed; i++) {
            const kanal_goal_status *s = &r->not_completed[i];
            kanal_json_object(&j);
            kanal_json_key(&j, "goal");
            kanal_json_str(&j, wf->goals[s->goal].id);
            kanal_json_key(&j, "blocked_by");
            ids_json(&j, wf, s->blocked_by, s->n_blocked_by, false);
            kanal_json_key(&j, "missing_fields");
            ids_json(&j, wf, s->missing_fields, s->n_missing_fields, true);
            kanal_json_key(&j, "refused");
            kanal_json_str(&j, s->refused);
            kanal_json_end_object(&j);
        }
        kanal_json_end_array(&j);
        kanal_json_end_object(&j);
        kanal_buf_putc(&out, '\n');
    } else {
        kanal_buf_printf(&out, "opportunity %lld: logged %s\n", (long long)id,
                         cli_safe(c, a->pos[1]));
        for (size_t i = 0; i < r->n_completed; i++)
            kanal_buf_printf(&out, "%s completed\n", wf->goals[r->completed[i]].id);
        for (size_t i = 0; i < r->n_not_completed; i++) {
            const kanal_goal_status *s = &r->not_completed[i];
            kanal_buf_printf(&out, "%s not completed: ", wf->goals[s->goal].id);
            if (s->n_blocked_by) {
                kanal_buf_puts(&out, "needs ");
                ids(&out, wf, s->blocked_by, s->n_blocked_by, false);
                kanal_buf_puts(&out, " first");
            }
            if (s->n_missing_fields) {
                kanal_buf_puts(&out, s->n_blocked_by ? "; and fields " : "needs fields ");
                ids(&out, wf, s->missing_fields, s->n_missing_fields, true);
                kanal_buf_puts(&out, " set");
            }
            if (s->refused)
                kanal_buf_puts(&out, cli_safe(c, s->refused));
            kanal_buf_putc(&out, '\n');
        }
        if (cli_get(a, "next"))
            kanal_buf_printf(&out, "next contact %s\n", o->next_contact_at);
    }
    /* what it will say is ready before the step is kept: no "out of memory" after it */
    if (out.oom)
        rc = cli_step_fail(c, k, (kanal_error_nomem(&err), &err));
    else if (!(rc = cli_step_commit(c, k)))
        rc = cli_write(c, &out);
    kanal_buf_release(&out);
    kanal_opp_free(o);
    kanal_log_result_free(r);
    if (!rc)
        cli_print_hints(c);
    return rc;
}

const cli_cmd cli_cmd_log = {
    .name = "log",
    .args = "OPP ACTIVITY",
    .min_args = 2,
    .max_args = 2,
    .summary = "record an activity (call, email...); completes the goals it completes",
    .help = "An activity is a fact: it is always recorded. Then each goal of the current\n"
            "stage that is completed_by this activity type, not yet done, and whose\n"
            "'after' goals and fields are satisfied, is completed; for the others it says\n"
            "why not.",
    .opts = log_opts,
    .run = log_run,
};

/* ---- advance, win ---- */

static const cli_opt at_opts[] = {
    AT_OPT,
    { NULL, 0, NULL, false, NULL },
};

static int advance_run(cli *c, cli_args *a)
{
    kanal *k;
    int64_t id;
    int rc = begin(c, a, &k, &id);
    if (rc)
        return rc;
    kanal_error err;
    if (cli_step_begin(k, &err) ||
        cli_step_end(NULL, k, id, kanal_opp_advance(k, id, cli_get(a, "at"), &err), &err))
        return cli_fail(c, &err);
    kanal_opp *o;
    if (kanal_opp_get(k, id, &o, &err))
        return cli_step_fail(c, k, &err);
    if ((rc = cli_step_commit(c, k))) {
        kanal_opp_free(o);
        return rc;
    }
    fprintf(c->out, "opportunity %lld: now in stage %s (%d of %zu)\n", (long long)id, o->stage,
            o->stage_index + 1, o->wf->n_stages);
    kanal_opp_free(o);
    cli_print_hints(c);
    return 0;
}

const cli_cmd cli_cmd_advance = {
    .name = "advance",
    .args = "OPP",
    .min_args = 1,
    .max_args = 1,
    .summary = "move to the next stage (every mandatory goal of this one done)",
    .opts = at_opts,
    .run = advance_run,
};

static int win_run(cli *c, cli_args *a)
{
    kanal *k;
    int64_t id;
    int rc = begin(c, a, &k, &id);
    if (rc)
        return rc;
    kanal_error err;
    if (kanal_opp_win(k, id, cli_get(a, "at"), &err))
        return cli_fail(c, &err);
    fprintf(c->out, "opportunity %lld: won\n", (long long)id);
    cli_print_hints(c);
    return 0;
}

const cli_cmd cli_cmd_win = {
    .name = "win",
    .args = "OPP",
    .min_args = 1,
    .max_args = 1,
    .summary = "close as won, from the last stage",
    .opts = at_opts,
    .run = win_run,
};

/* ---- lose ---- */

static const cli_opt lose_opts[] = {
    { "reason", 0, "R", false, "a lost reason of the workflow (required)" },
    { "note", 0, "TEXT", false, "a note (required by some reasons)" },
    AT_OPT,
    { NULL, 0, NULL, false, NULL },
};

static int lose_run(cli *c, cli_args *a)
{
    kanal *k;
    int64_t id;
    int rc = begin(c, a, &k, &id);
    if (rc)
        return rc;
    kanal_error err;
    if (!cli_get(a, "reason")) {
        /* the reasons this opportunity's version takes, each with its name */
        kanal_opp *o = NULL;
        if (kanal_opp_get(k, id, &o, &err))
            return cli_usage_error(c, a->cmd, "missing --reason R");
        kanal_buf b = KANAL_BUF_INIT;
        for (size_t i = 0; i < o->wf->n_lost_reasons; i++)
            kanal_buf_printf(&b, "%s%s (%s%s)", i ? ", " : "", o->wf->lost_reasons[i].id,
                             o->wf->lost_reasons[i].name,
                             o->wf->lost_reasons[i].note_required ? "; needs --note" : "");
        rc = cli_usage_error(c, a->cmd, "missing --reason R: one of %s",
                             cli_safe(c, kanal_buf_cstr(&b)));
        kanal_buf_release(&b);
        kanal_opp_free(o);
        return rc;
    }
    if (kanal_opp_lose(k, id, cli_get(a, "reason"), cli_get(a, "note"), cli_get(a, "at"),
                       &err))
        return cli_fail(c, &err);
    fprintf(c->out, "opportunity %lld: lost (%s)\n", (long long)id,
            cli_safe(c, cli_get(a, "reason")));
    cli_print_hints(c);
    return 0;
}

const cli_cmd cli_cmd_lose = {
    .name = "lose",
    .args = "OPP",
    .min_args = 1,
    .max_args = 1,
    .summary = "close as lost, with a reason from the workflow's catalogue",
    .opts = lose_opts,
    .run = lose_run,
};

/* ---- remind ---- */

static const cli_opt remind_opts[] = {
    { "note", 0, "TEXT", false, "what to do then" },
    AT_OPT,
    { NULL, 0, NULL, false, NULL },
};

static int remind_run(cli *c, cli_args *a)
{
    kanal *k;
    int64_t id;
    int rc = begin(c, a, &k, &id);
    if (rc)
        return rc;
    kanal_error err;
    if (kanal_opp_remind(k, id, a->pos[1], cli_get(a, "note"), cli_get(a, "at"), &err))
        return cli_fail(c, &err);
    fprintf(c->out, "opportunity %lld: next contact %s\n", (long long)id, a->pos[1]);
    cli_print_hints(c);
    return 0;
}

const cli_cmd cli_cmd_remind = {
    .name = "remind",
    .args = "OPP DATE",
    .min_args = 2,
    .max_args = 2,
    .summary = "set when you mean to act next on an opportunity (YYYY-MM-DD)",
    .help = "Recorded as a next_contact event. 'kanal next' shows it, lists the opportunities\n"
            "whose next contact has passed first and flags them overdue. 'log' and 'done'\n"
            "take --next DATE to the same effect, in the same transaction.",
    .opts = remind_opts,
    .run = remind_run,
};
