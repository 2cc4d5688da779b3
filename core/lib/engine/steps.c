/*
** steps.c — the rep's steps on an opportunity: done, set, log, advance, win,
** lose. Each is one transaction; the engine enforces the mandatory goals and
** their order, and records every change as an event.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "rules/rules.h"

/* Joins goal ids: "a, b, c". */
static void goal_ids(kanal_buf *b, const kanal_workflow *wf, const size_t *goals, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kanal_buf_printf(b, "%s%s", i ? ", " : "", wf->goals[goals[i]].id);
}

static void field_ids(kanal_buf *b, const kanal_workflow *wf, const size_t *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kanal_buf_printf(b, "%s%s", i ? ", " : "", wf->fields[fields[i]].id);
}

/* ---- fields -------------------------------------------------------------------------- */

static int unknown_field(kanal *k, kanal_error *err, const kanal_opp *o, const char *name)
{
    const kanal_workflow *wf = o->wf;
    char ctx[160];
    if (engine_version_lacks(k, o, "field", name, kanal_workflow_field_index, ctx, err))
        return KANAL_ENOTFOUND;
    const char *ids[256];
    size_t n = wf->n_fields < 256 ? wf->n_fields : 256;
    for (size_t i = 0; i < n; i++)
        ids[i] = wf->fields[i].id;
    return kanal_unknown(err, KANAL_ENOTFOUND, "field", name, ids, n, ctx);
}

/* Stores one field's new value (NULL clears it) and records the change. */
int engine_set_field(kanal *k, kanal_opp *o, size_t fi, const char *value, const char *at,
                     const char *source, kanal_error *err)
{
    const char *old = o->fields[fi];
    if ((!old && !value) || (old && value && strcmp(old, value) == 0))
        return KANAL_OK; /* nothing changes, nothing to record */
    const kanal_field_def *f = &o->wf->fields[fi];
    int rc = store_field_put(k->store, o->id, f->id, value, at, err);
    if (rc)
        return rc;
    kanal_buf data = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &data);
    kanal_json_object(&j);
    kanal_json_key(&j, "field");
    kanal_json_str(&j, f->id);
    kanal_json_key(&j, "value");
    kanal_json_str(&j, value);
    kanal_json_key(&j, "previous");
    kanal_json_str(&j, old);
    if (source) {
        kanal_json_key(&j, "source");
        kanal_json_str(&j, source);
    }
    kanal_json_end_object(&j);
    rc = engine_record_event(k, o, value ? KANAL_EV_FIELD_SET : KANAL_EV_FIELD_CLEARED, at, &data,
                             err);
    kanal_buf_release(&data);
    if (rc)
        return rc;
    char *copy = value ? kanal_arena_strdup(o->arena_, value) : NULL;
    if (value && !copy)
        return kanal_error_nomem(err);
    o->fields[fi] = copy;
    return KANAL_OK;
}

void engine_sets_release(field_sets *s)
{
    for (size_t i = 0; s->values && i < s->n; i++)
        free(s->values[i]);
    free(s->values);
    free(s->fields);
    memset(s, 0, sizeof *s);
}

int engine_sets_parse(kanal *k, const kanal_opp *o, const char *const *sets, size_t n,
                      field_sets *out, kanal_error *err)
{
    memset(out, 0, sizeof *out);
    out->values = calloc(n ? n : 1, sizeof *out->values);
    out->fields = calloc(n ? n : 1, sizeof *out->fields);
    if (!out->values || !out->fields) {
        engine_sets_release(out);
        return kanal_error_nomem(err);
    }
    int rc = KANAL_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *eq = strchr(sets[i], '=');
        if (!eq || eq == sets[i]) {
            rc = kanal_error_set(err, KANAL_EUSAGE, "expected FIELD=VALUE, got '%s'", sets[i]);
            break;
        }
        /* a name longer than any id is cut, and then not found */
        char name[KANAL_ID_MAX + 2];
        size_t len = (size_t)(eq - sets[i]);
        snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1),
                 sets[i]);
        int fi = kanal_workflow_field_index(o->wf, name);
        if (fi < 0) {
            rc = unknown_field(k, err, o, name);
            break;
        }
        out->fields[i] = fi;
        out->n = i + 1;
        if (eq[1])
            rc = def_field_value_parse(&o->wf->fields[fi], eq + 1, &out->values[i], err);
    }
    if (rc)
        engine_sets_release(out);
    return rc;
}

int engine_sets_apply(kanal *k, kanal_opp *o, const field_sets *s, const char *at, kanal_error *err)
{
    int rc = KANAL_OK;
    for (size_t i = 0; i < s->n && !rc; i++)
        rc = engine_set_field(k, o, (size_t)s->fields[i], s->values[i], at, NULL, err);
    return rc;
}

int kanal_opp_set(kanal *k, int64_t id, const char *const *sets, size_t n_sets,
                  const char *at, kanal_error *err)
{
    if (n_sets == 0)
        return kanal_error_set(err, KANAL_EUSAGE, "nothing to set: give FIELD=VALUE");
    int rc = engine_op_begin(k, err);
    if (rc)
        return rc;
    kanal_opp *o = NULL;
    char t[KANAL_TIME_LEN];
    field_sets fs = { 0 };
    if (!(rc = engine_opp_load_for_change(k, id, &o, err)) &&
        !(rc = engine_step_time(k, o, at, t, err)) &&
        !(rc = engine_sets_parse(k, o, sets, n_sets, &fs, err)))
        rc = engine_sets_apply(k, o, &fs, t, err);
    engine_sets_release(&fs);
    kanal_opp_free(o);
    return engine_op_end(k, rc, err);
}

/* ---- goals --------------------------------------------------------------------------- */

/* Marks goal gi done and records it. */
static int complete_goal(kanal *k, kanal_opp *o, size_t gi, const char *note,
                         const char *activity, const char *at, kanal_error *err)
{
    const kanal_goal *g = &o->wf->goals[gi];
    int rc = store_goal_mark_done(k->store, o->id, g->id, at, k->actor.id, err);
    if (rc)
        return rc;
    rc = engine_record_text_event(k, o, KANAL_EV_GOAL_DONE, at, err, "goal", g->id, "stage",
                                  o->wf->stages[g->stage].id, "note", note, "activity", activity,
                                  (char *)NULL);
    if (!rc && !(o->done_at[gi] = kanal_arena_strdup(o->arena_, at)))
        rc = kanal_error_nomem(err);
    if (!rc) {
        hook_call c = { .hook = HOOK_on_complete, .opp = o, .at = at, .arg = g->id };
        rc = engine_run_hook(k, &c, err);
    }
    return rc;
}

/* The guard can_complete, with the fields being set along. */
static int guard_complete(kanal *k, kanal_opp *o, size_t gi, const field_sets *fs,
                          const char *at, kanal_error *err)
{
    hook_call c = { .hook = HOOK_can_complete,
                    .opp = o,
                    .at = at,
                    .arg = o->wf->goals[gi].id,
                    .set_fields = fs ? fs->fields : NULL,
                    .set_values = fs ? (const char *const *)fs->values : NULL,
                    .n_sets = fs ? fs->n : 0 };
    return engine_run_hook(k, &c, err);
}

static int find_goal(kanal *k, kanal_opp *o, const char *goal, size_t *gi, kanal_error *err)
{
    int g = kanal_workflow_goal_index(o->wf, goal);
    if (g >= 0) {
        *gi = (size_t)g;
        return KANAL_OK;
    }
    char ctx[160];
    if (engine_version_lacks(k, o, "goal", goal, kanal_workflow_goal_index, ctx, err))
        return KANAL_ENOTFOUND;
    const kanal_stage *st = &o->wf->stages[o->stage_index];
    const char *ids[256];
    size_t n = 0;
    for (size_t i = 0; i < st->n_goals && n < 256; i++)
        ids[n++] = o->wf->goals[st->goals[i]].id;
    /* suggest among the stage's goals first, then among all */
    const char *near = kanal_suggest(goal, ids, n);
    if (!near) {
        n = 0;
        for (size_t i = 0; i < o->wf->n_goals && n < 256; i++)
            ids[n++] = o->wf->goals[i].id;
        near = kanal_suggest(goal, ids, n);
    }
    if (near)
        return kanal_error_set(err, KANAL_ENOTFOUND, "unknown goal '%s' %s (did you mean '%s'?)",
                               goal, ctx, near);
    kanal_buf b = KANAL_BUF_INIT;
    goal_ids(&b, o->wf, st->goals, st->n_goals);
    kanal_error_set(err, KANAL_ENOTFOUND, "unknown goal '%s' %s (the goals of stage '%s': %s)",
                    goal, ctx, st->id, st->n_goals ? kanal_buf_cstr(&b) : "none");
    kanal_buf_release(&b);
    return KANAL_ENOTFOUND;
}

/* An empty note is no note: recorded as none, so that the log and an export
   of it read the same after a round trip. */
static const char *note_or_null(const char *note)
{
    return note && note[0] ? note : NULL;
}

int kanal_opp_done(kanal *k, int64_t id, const char *goal, const char *const *sets,
                   size_t n_sets, const char *note, const char *at, bool *already,
                   kanal_error *err)
{
    *already = false;
    note = note_or_null(note);
    int rc = kanal_text_ok("the note", note, err);
    if (rc || (rc = engine_op_begin(k, err)))
        return rc;
    kanal_opp *o = NULL;
    size_t gi = 0;
    char t[KANAL_TIME_LEN];
    field_sets fs = { 0 };
    kanal_arena *tmp = kanal_arena_new();
    if (!tmp) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    if ((rc = engine_opp_load_for_change(k, id, &o, err)) || (rc = find_goal(k, o, goal, &gi, err)))
        goto done;
    const kanal_goal *g = &o->wf->goals[gi];
    if ((rc = engine_step_time(k, o, at, t, err)) ||
        (rc = engine_sets_parse(k, o, sets, n_sets, &fs, err)))
        goto done;
    if (o->done_at[gi]) {
        *already = true; /* the inputs were valid; nothing changes */
        goto done;
    }
    if ((int)g->stage != o->stage_index) {
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "goal '%s' belongs to stage '%s'; opportunity %lld is in stage "
                             "'%s'",
                             g->id, o->wf->stages[g->stage].id, (long long)id, o->stage);
        goto done;
    }
    kanal_goal_status st;
    engine_goal_status(o, gi, &st, tmp);
    if (st.n_blocked_by) {
        kanal_buf b = KANAL_BUF_INIT;
        goal_ids(&b, o->wf, st.blocked_by, st.n_blocked_by);
        rc = kanal_error_set(err, KANAL_EREFUSED, "goal '%s' must wait for: %s", g->id,
                             kanal_buf_cstr(&b));
        kanal_buf_release(&b);
        goto done;
    }
    /* the required fields, as they will be once the sets are applied */
    size_t missing[64], n_missing = 0;
    for (size_t i = 0; i < g->n_requires_fields; i++) {
        size_t fi = g->requires_fields[i];
        bool set = o->fields[fi] != NULL;
        for (size_t x = 0; x < fs.n; x++)
            if ((size_t)fs.fields[x] == fi)
                set = fs.values[x] != NULL;
        if (!set && n_missing < 64)
            missing[n_missing++] = fi;
    }
    if (n_missing) {
        kanal_buf b = KANAL_BUF_INIT;
        field_ids(&b, o->wf, missing, n_missing);
        rc = kanal_error_set(err, KANAL_EREFUSED, "goal '%s' needs %s set first", g->id,
                             kanal_buf_cstr(&b));
        kanal_error_advise(err, KANAL_ADVICE_SET_FIELD, o->wf->fields[missing[0]].id);
        kanal_buf_release(&b);
        goto done;
    }
    if ((rc = guard_complete(k, o, gi, &fs, t, err)) || (rc = engine_sets_apply(k, o, &fs, t, err)))
        goto done;
    rc = complete_goal(k, o, gi, note, NULL, t, err);
done:
    engine_sets_release(&fs);
    kanal_arena_free(tmp);
    kanal_opp_free(o);
    return engine_op_end(k, rc, err);
}

/* ---- activities ------------------------------------------------------------------------ */

void kanal_log_result_free(kanal_log_result *r)
{
    if (r)
        kanal_arena_free(r->arena_);
}

int kanal_opp_log(kanal *k, int64_t id, const char *activity, const char *note,
                  const char *at, kanal_log_result **out, kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    kanal_log_result *res = a ? kanal_arena_alloc(a, sizeof *res) : NULL;
    if (!res) {
        kanal_arena_free(a);
        return kanal_error_nomem(err);
    }
    res->arena_ = a;
    note = note_or_null(note);
    int rc = kanal_text_ok("the note", note, err);
    if (rc || (rc = engine_op_begin(k, err))) {
        kanal_arena_free(a);
        return rc;
    }
    kanal_opp *o = NULL;
    char t[KANAL_TIME_LEN];
    if ((rc = engine_opp_load_for_change(k, id, &o, err)))
        goto done;
    int ai = kanal_workflow_activity_index(o->wf, activity);
    if (ai < 0) {
        char ctx[160];
        if ((rc = engine_version_lacks(k, o, "activity type", activity,
                                       kanal_workflow_activity_index, ctx, err)))
            goto done;
        const char *ids[256];
        size_t n = o->wf->n_activity_types < 256 ? o->wf->n_activity_types : 256;
        for (size_t i = 0; i < n; i++)
            ids[i] = o->wf->activity_types[i].id;
        rc = kanal_unknown(err, KANAL_ENOTFOUND, "activity type", activity, ids, n, ctx);
        goto done;
    }
    if ((rc = engine_step_time(k, o, at, t, err)) ||
        (rc = store_activity_insert(k->store, o->id, activity, t, k->actor.id, note, err)))
        goto done;
    if ((rc = engine_record_text_event(k, o, KANAL_EV_ACTIVITY, t, err, "activity", activity,
                                       "note", note, (char *)NULL)))
        goto done;

    /* The goals this activity completes, judged on the state before it:
       one activity is one step, it does not chain through `after`. */
    const kanal_stage *st = &o->wf->stages[o->stage_index];
    size_t *completed = kanal_arena_alloc(a, (st->n_goals + 1) * sizeof *completed);
    kanal_goal_status *left = kanal_arena_alloc(a, (st->n_goals + 1) * sizeof *left);
    if (!completed || !left) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    for (size_t i = 0; i < st->n_goals; i++) {
        size_t gi = st->goals[i];
        if (o->wf->goals[gi].completed_by != ai || o->done_at[gi])
            continue;
        engine_goal_status(o, gi, &left[res->n_not_completed], a);
        kanal_goal_status *gs = &left[res->n_not_completed];
        if (gs->n_blocked_by || gs->n_missing_fields) {
            res->n_not_completed++;
            continue;
        }
        /* a rule may refuse the completion; the activity stays recorded */
        kanal_error why;
        int g = guard_complete(k, o, gi, NULL, t, &why);
        if (g == KANAL_EREFUSED) {
            gs->refused = kanal_arena_strdup(a, why.message);
            res->n_not_completed++;
        } else if (g) {
            *err = why;
            rc = g;
            goto done;
        } else {
            completed[res->n_completed++] = gi;
        }
    }
    for (size_t i = 0; i < res->n_completed && !rc; i++)
        rc = complete_goal(k, o, completed[i], NULL, activity, t, err);
    res->completed = completed;
    res->not_completed = left;
    if (!rc) {
        kanal_activity act = { activity, t, k->actor.id, note };
        hook_call c = { .hook = HOOK_on_activity, .opp = o, .at = t, .activity = &act };
        rc = engine_run_hook(k, &c, err);
    }
done:
    kanal_opp_free(o);
    rc = engine_op_end(k, rc, err);
    if (rc || !out)
        kanal_arena_free(a);
    else
        *out = res;
    return rc;
}

/* ---- moving and closing ---------------------------------------------------------------- */

/* Refuses while mandatory goals of the current stage are undone. */
static int need_stage_done(kanal_opp *o, const char *doing, kanal_error *err)
{
    const kanal_stage *st = &o->wf->stages[o->stage_index];
    kanal_buf b = KANAL_BUF_INIT;
    size_t n = 0;
    for (size_t i = 0; i < st->n_goals; i++) {
        const kanal_goal *g = &o->wf->goals[st->goals[i]];
        if (g->mandatory && !o->done_at[st->goals[i]])
            kanal_buf_printf(&b, "%s%s", n++ ? ", " : "", g->id);
    }
    int rc = KANAL_OK;
    if (n)
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "cannot %s opportunity %lld: mandatory goal%s of stage '%s' not "
                             "done: %s",
                             doing, (long long)o->id, n > 1 ? "s" : "", st->id,
                             kanal_buf_cstr(&b));
    kanal_buf_release(&b);
    return rc;
}

int kanal_opp_advance(kanal *k, int64_t id, const char *at, kanal_error *err)
{
    int rc = engine_op_begin(k, err);
    if (rc)
        return rc;
    kanal_opp *o = NULL;
    char t[KANAL_TIME_LEN];
    if ((rc = engine_opp_load_for_change(k, id, &o, err)) ||
        (rc = engine_step_time(k, o, at, t, err)))
        goto done;
    if ((size_t)o->stage_index + 1 == o->wf->n_stages) {
        char opp[32];
        snprintf(opp, sizeof opp, "%lld", (long long)id);
        rc = kanal_error_set(err, KANAL_EREFUSED, "'%s' is the last stage", o->stage);
        kanal_error_advise(err, KANAL_ADVICE_CLOSE, opp);
        goto done;
    }
    if ((rc = need_stage_done(o, "advance", err)))
        goto done;
    const char *from = o->stage, *to = o->wf->stages[o->stage_index + 1].id;
    hook_call guard = { .hook = HOOK_can_advance, .opp = o, .at = t, .arg = from, .arg2 = to };
    hook_call exit_ = { .hook = HOOK_on_exit, .opp = o, .at = t, .arg = from };
    if ((rc = engine_run_hook(k, &guard, err)) || (rc = engine_run_hook(k, &exit_, err)) ||
        (rc = store_opp_set_stage(k->store, id, to, t, err)))
        goto done;
    rc = engine_record_text_event(k, o, KANAL_EV_ADVANCED, t, err, "from", from, "to", to,
                                  (char *)NULL);
    o->stage = to;
    o->stage_index++;
    o->stage_entered_at = kanal_arena_strdup(o->arena_, t);
    if (!rc && !o->stage_entered_at)
        rc = kanal_error_nomem(err);
    if (!rc) {
        hook_call enter = { .hook = HOOK_on_enter, .opp = o, .at = t, .arg = to };
        rc = engine_run_hook(k, &enter, err);
    }
done:
    kanal_opp_free(o);
    return engine_op_end(k, rc, err);
}

static int close_opp(kanal *k, kanal_opp *o, kanal_status status, const char *reason,
                     const char *note, const char *t, kanal_error *err)
{
    bool won = status == KANAL_WON;
    hook_call guard = { .hook = won ? HOOK_can_win : HOOK_can_lose, .opp = o, .at = t,
                        .arg = reason };
    int rc = engine_run_hook(k, &guard, err);
    if (rc || (rc = store_opp_close(k->store, o->id, status, t, reason, err)))
        return rc;
    rc = engine_record_text_event(k, o, won ? KANAL_EV_WON : KANAL_EV_LOST, t, err, "stage",
                                  o->stage, "reason", reason, "note", note, (char *)NULL);
    if (rc)
        return rc;
    o->status = status;
    o->closed_at = kanal_arena_strdup(o->arena_, t);
    o->lost_reason = reason ? kanal_arena_strdup(o->arena_, reason) : NULL;
    if (!o->closed_at || (reason && !o->lost_reason))
        return kanal_error_nomem(err);
    hook_call react = { .hook = won ? HOOK_on_won : HOOK_on_lost, .opp = o, .at = t,
                        .arg = reason };
    return engine_run_hook(k, &react, err);
}

int kanal_opp_win(kanal *k, int64_t id, const char *at, kanal_error *err)
{
    int rc = engine_op_begin(k, err);
    if (rc)
        return rc;
    kanal_opp *o = NULL;
    char t[KANAL_TIME_LEN];
    if ((rc = engine_opp_load_for_change(k, id, &o, err)) ||
        (rc = engine_step_time(k, o, at, t, err)))
        goto done;
    const char *last = o->wf->stages[o->wf->n_stages - 1].id;
    if ((size_t)o->stage_index + 1 != o->wf->n_stages) {
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "opportunity %lld is in stage '%s': it can be won only from the "
                             "last stage, '%s'",
                             (long long)id, o->stage, last);
        goto done;
    }
    if ((rc = need_stage_done(o, "win", err)))
        goto done;
    rc = close_opp(k, o, KANAL_WON, NULL, NULL, t, err);
done:
    kanal_opp_free(o);
    return engine_op_end(k, rc, err);
}

int kanal_opp_lose(kanal *k, int64_t id, const char *reason, const char *note,
                   const char *at, kanal_error *err)
{
    note = note_or_null(note);
    int rc = kanal_text_ok("the note", note, err);
    if (rc || (rc = engine_op_begin(k, err)))
        return rc;
    kanal_opp *o = NULL;
    char t[KANAL_TIME_LEN];
    if ((rc = engine_opp_load_for_change(k, id, &o, err)) ||
        (rc = engine_step_time(k, o, at, t, err)))
        goto done;
    int ri = reason ? kanal_workflow_lost_reason_index(o->wf, reason) : -1;
    if (ri < 0) {
        char ctx[160];
        if ((rc = engine_version_lacks(k, o, "lost reason", reason,
                                       kanal_workflow_lost_reason_index, ctx, err)))
            goto done;
        const char *ids[256];
        size_t n = o->wf->n_lost_reasons < 256 ? o->wf->n_lost_reasons : 256;
        for (size_t i = 0; i < n; i++)
            ids[i] = o->wf->lost_reasons[i].id;
        rc = kanal_unknown(err, KANAL_ENOTFOUND, "lost reason", reason ? reason : "", ids, n, ctx);
        goto done;
    }
    if (o->wf->lost_reasons[ri].note_required && (!note || !note[0])) {
        rc = kanal_error_set(err, KANAL_EREFUSED, "lost reason '%s' needs a note", reason);
        kanal_error_advise(err, KANAL_ADVICE_ADD_NOTE, NULL);
        goto done;
    }
    rc = close_opp(k, o, KANAL_LOST, reason, note, t, err);
done:
    kanal_opp_free(o);
    return engine_op_end(k, rc, err);
}

/* ---- the next contact ------------------------------------------------------------------ */

int kanal_opp_remind(kanal *k, int64_t id, const char *date, const char *note, const char *at,
                     kanal_error *err)
{
    note = note_or_null(note);
    int rc = kanal_text_ok("the note", note, err);
    if (rc)
        return rc;
    if (!date || !kanal_date_valid(date)) {
        char why[96];
        kanal_date_why(date, why, sizeof why);
        return kanal_error_set(err, KANAL_EUSAGE, "next contact '%s': %s", date ? date : "", why);
    }
    if ((rc = engine_op_begin(k, err)))
        return rc;
    kanal_opp *o = NULL;
    char t[KANAL_TIME_LEN];
    if ((rc = engine_opp_load_for_change(k, id, &o, err)) ||
        (rc = engine_step_time(k, o, at, t, err)) ||
        (rc = store_opp_set_next(k->store, o->id, date, err)))
        goto done;
    rc = engine_record_text_event(k, o, KANAL_EV_NEXT_CONTACT, t, err, "date", date, "previous",
                                  o->next_contact_at, "note", note, (char *)NULL);
done:
    kanal_opp_free(o);
    return engine_op_end(k, rc, err);
}
