/*
** cli_cmd_next.c — `kanal next [OPP]`: what to do now. With OPP, the current
** stage's goals in the order to do them; without, the acting user's agenda.
*/
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
    { "team", 0, NULL, false, "every rep's agenda, by owner (manager, admin)" },
    { "owner", 0, "USER", false, "this user's agenda (manager, admin)" },
    CLI_LIST_OPTS,
    { NULL, 0, NULL, false, NULL },
};

static void ids_json(kanal_json *j, const kanal_workflow *wf, const size_t *goals, size_t n,
                     bool fields)
{
    kanal_json_array(j);
    for (size_t i = 0; i < n; i++)
        kanal_json_str(j, fields ? wf->fields[goals[i]].id : wf->goals[goals[i]].id);
    kanal_json_end_array(j);
}

static void next_json(kanal_buf *out, const kanal_next *n)
{
    const kanal_opp *o = n->opp;
    const kanal_workflow *wf = o->wf;
    kanal_json j;
    kanal_json_init(&j, out);
    kanal_json_object(&j);
    kanal_json_key(&j, "id");
    kanal_json_int(&j, o->id);
    kanal_json_key(&j, "status");
    kanal_json_str(&j, kanal_status_name(o->status));
    kanal_json_key(&j, "stage");
    kanal_json_str(&j, o->stage);
    kanal_json_key(&j, "days_in_stage");
    kanal_json_int(&j, n->days_in_stage);
    kanal_json_key(&j, "stale");
    kanal_json_bool(&j, n->stale);
    kanal_json_key(&j, "can_advance");
    kanal_json_bool(&j, n->can_advance);
    kanal_json_key(&j, "can_win");
    kanal_json_bool(&j, n->can_win);
    kanal_json_key(&j, "next_goal");
    kanal_json_str(&j, n->next_goal >= 0 ? wf->goals[n->next_goal].id : NULL);
    kanal_json_key(&j, "outstanding");
    ids_json(&j, wf, n->outstanding, n->n_outstanding, false);
    kanal_json_key(&j, "goals");
    kanal_json_array(&j);
    for (size_t i = 0; i < n->n_goals; i++) {
        const kanal_goal_status *s = &n->goals[i];
        const kanal_goal *g = &wf->goals[s->goal];
        kanal_json_object(&j);
        kanal_json_key(&j, "id");
        kanal_json_str(&j, g->id);
        kanal_json_key(&j, "name");
        kanal_json_str(&j, g->name);
        kanal_json_key(&j, "mandatory");
        kanal_json_bool(&j, g->mandatory);
        kanal_json_key(&j, "done");
        kanal_json_bool(&j, s->done);
        kanal_json_key(&j, "ready");
        kanal_json_bool(&j, s->ready);
        kanal_json_key(&j, "blocked_by");
        ids_json(&j, wf, s->blocked_by, s->n_blocked_by, false);
        kanal_json_key(&j, "missing_fields");
        ids_json(&j, wf, s->missing_fields, s->n_missing_fields, true);
        kanal_json_key(&j, "completed_by");
        kanal_json_str(&j, g->completed_by >= 0 ? wf->activity_types[g->completed_by].id : NULL);
        kanal_json_key(&j, "hint");
        kanal_json_str(&j, g->hint);
        kanal_json_end_object(&j);
    }
    kanal_json_end_array(&j);
    kanal_json_end_object(&j);
    kanal_buf_putc(out, '\n');
}

static void list_ids(kanal_buf *b, const kanal_workflow *wf, const size_t *ids, size_t n,
                     bool fields)
{
    for (size_t i = 0; i < n; i++)
        kanal_buf_printf(b, "%s%s", i ? ", " : "",
                         fields ? wf->fields[ids[i]].id : wf->goals[ids[i]].id);
}

static void next_text(cli *c, kanal_buf *out, const kanal_next *n)
{
    const kanal_opp *o = n->opp;
    const kanal_workflow *wf = o->wf;
    const char *B = cli_bold(c), *D = cli_dim(c), *R = cli_reset(c);
    kanal_buf_printf(out, "opportunity %lld · %s%s%s · %s · stage %s (%d of %zu), %lld day%s%s\n",
                     (long long)o->id, B, cli_safe(c, o->partner.name), R, o->workflow, o->stage,
                     o->stage_index + 1, wf->n_stages, (long long)n->days_in_stage,
                     n->days_in_stage == 1 ? "" : "s", n->stale ? " — stale" : "");
    if (o->status != KANAL_OPEN) {
        kanal_buf_printf(out, "closed: %s on %.10s%s%s%s\n", kanal_status_name(o->status),
                         o->closed_at ? o->closed_at : "?", o->lost_reason ? " (" : "",
                         o->lost_reason ? o->lost_reason : "", o->lost_reason ? ")" : "");
        return;
    }
    size_t w = 0;
    for (size_t i = 0; i < n->n_goals; i++) {
        size_t l = strlen(wf->goals[n->goals[i].goal].id);
        if (l > w)
            w = l;
    }
    for (size_t i = 0; i < n->n_goals; i++) {
        const kanal_goal_status *s = &n->goals[i];
        const kanal_goal *g = &wf->goals[s->goal];
        bool is_next = (int)s->goal == n->next_goal;
        kanal_buf_printf(out, "%s [%s] %s%-*s%s  %s", is_next ? "→" : " ", s->done ? "x" : " ",
                         is_next ? B : "", (int)w, g->id, is_next ? R : "", cli_safe(c, g->name));
        if (!g->mandatory)
            kanal_buf_printf(out, " %s(optional)%s", D, R);
        if (s->done) {
            kanal_buf_printf(out, "  %sdone %.10s%s", D, s->done_at, R);
        } else if (s->n_blocked_by) {
            kanal_buf_printf(out, "  %swaits for ", D);
            list_ids(out, wf, s->blocked_by, s->n_blocked_by, false);
            kanal_buf_puts(out, R);
        } else {
            if (g->completed_by >= 0)
                kanal_buf_printf(out, "  — log %s", wf->activity_types[g->completed_by].id);
            if (s->n_missing_fields) {
                kanal_buf_puts(out, "  — needs ");
                list_ids(out, wf, s->missing_fields, s->n_missing_fields, true);
            }
        }
        kanal_buf_putc(out, '\n');
        if (g->hint && !s->done)
            kanal_buf_printf(out, "       %shint: %s%s\n", D, cli_safe(c, g->hint), R);
    }
    if (n->can_advance)
        kanal_buf_printf(out, "ready to advance: kanal advance %lld\n", (long long)o->id);
    else if (n->can_win)
        kanal_buf_printf(out, "ready to close: kanal win %lld\n", (long long)o->id);
    else if (n->n_outstanding) {
        kanal_buf_puts(out, "to leave the stage: ");
        list_ids(out, wf, n->outstanding, n->n_outstanding, false);
        kanal_buf_putc(out, '\n');
    }
}

static int run(cli *c, cli_args *a)
{
    int rc;
    int64_t id = 0;
    if (a->npos == 1 && (rc = cli_opp_id(c, a->pos[0], &id)))
        return rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    bool team = cli_flag(a, "team");
    const char *owner = cli_get(a, "owner");
    if (id && (team || owner))
        return cli_usage_error(c, a->cmd, "--%s shows agendas: give no OPP with it",
                               team ? "team" : "owner");
    if (team && owner)
        return cli_usage_error(c, a->cmd, "--team and --owner contradict: choose one");
    if (!id) {
        kanal_table *t;
        if (team || owner ? kanal_team_agenda(k, owner, &t, &err) : kanal_opp_agenda(k, &t, &err))
            return cli_fail(c, &err);
        return cli_print_table(c, a, t);
    }
    const char *format = cli_get(a, "format");
    if (format && strcmp(format, "json") != 0 && strcmp(format, "table") != 0)
        return cli_usage_error(c, a->cmd,
                               "--format %s applies to the agenda, not to one opportunity",
                               format);
    bool json = cli_flag(a, "json") || (format && strcmp(format, "json") == 0);
    kanal_next *n;
    if (kanal_next_get(k, id, &n, &err))
        return cli_fail(c, &err);
    kanal_buf out = KANAL_BUF_INIT;
    if (json)
        next_json(&out, n);
    else
        next_text(c, &out, n);
    rc = cli_write(c, &out);
    kanal_buf_release(&out);
    kanal_next_free(n);
    return rc;
}

const cli_cmd cli_cmd_next = {
    .name = "next",
    .args = "[OPP]",
    .min_args = 0,
    .max_args = 1,
    .summary = "what to do now: one opportunity's goals, or your agenda",
    .help = "With OPP: the goals of its current stage in the order to do them (→ marks the\n"
            "one to do now), what each waits for or needs, and whether it can advance.\n"
            "Without: each of your open opportunities with its next goal, those whose next\n"
            "contact has passed first, then the stale ones, then the longest in its stage.\n"
            "--team (a manager, an admin): every rep's, by owner; --owner USER: one rep's.",
    .opts = opts,
    .run = run,
};
