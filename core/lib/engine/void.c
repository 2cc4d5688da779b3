/*
** void.c — voiding an activity or a field change logged by mistake. The log
** stays append-only: the correction is a new `voided` event that names the
** event it voids and says what it undid; the state (the activity's row, the
** goals done, the field's value) follows it in the same transaction.
**
** Which goals an activity completed is read from the log: a goal_done that
** carries an `activity` was caused by the latest activity of that type
** before it. Such a goal stays done while an activity of its type logged
** since that one still stands; else it is undone. A field gets the value of
** its latest change that still stands. Both are decided by the log alone, so
** that the replay of an exported history decides the same.
*/
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/engine.h"

#define VOID_WINDOW_SECONDS (24 * 60 * 60)

void kanal_void_result_free(kanal_void_result *r)
{
    if (r)
        kanal_arena_free(r->arena_);
}

/* One event of the opportunity, its data parsed (NULL when it is not a JSON object). */
typedef struct void_ev {
    const store_event *e;
    kanal_event_type type;
    json_t *d;
    bool voided;
} void_ev;

static const char *str_of(json_t *d, const char *key)
{
    json_t *v = d ? json_object_get(d, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Why a kind of event cannot be voided, and what to do instead. */
static int not_voidable(kanal_error *err, int64_t id, int64_t seq, const char *type)
{
    kanal_event_type t = kanal_event_type_of(type);
    const char *instead = t == KANAL_EV_WON || t == KANAL_EV_LOST
                              ? "a manager reopens a closed opportunity (kanal reopen)"
                          : t == KANAL_EV_GOAL_DONE
                              ? "a goal an activity completed is undone by voiding that activity; "
                                "otherwise write a note (kanal note)"
                              : "write a note that corrects it (kanal note)";
    return kanal_error_set(err, KANAL_EREFUSED,
                           "event %lld of opportunity %lld is '%s': only an activity or a field "
                           "change (activity, field_set, field_cleared) can be voided; %s",
                           (long long)seq, (long long)id, type, instead);
}

/* Adds s to a list of strings in the arena. */
static int push(kanal_arena *a, const char ***list, size_t *n, size_t cap, const char *s)
{
    if (!*list && !(*list = kanal_arena_alloc(a, (cap + 1) * sizeof **list)))
        return KANAL_ENOMEM;
    if (*n < cap)
        (*list)[(*n)++] = s;
    return KANAL_OK;
}

/*
** The goals of activity ev[vi] (now voided): each goal of the version completed
** by its type and done by an activity; undone, or kept and re-dated to the first
** standing activity of its type logged since the one that completed it.
*/
static int undo_goals(kanal *k, kanal_opp *o, void_ev *ev, size_t n, size_t vi,
                      kanal_void_result *res, const char ***undone, const char ***kept,
                      kanal_error *err)
{
    const char *act = str_of(ev[vi].d, "activity");
    const kanal_workflow *wf = o->wf;
    for (size_t gi = 0; gi < wf->n_goals; gi++) {
        const kanal_goal *g = &wf->goals[gi];
        if (!o->done_at[gi] || g->completed_by < 0 ||
            strcmp(wf->activity_types[g->completed_by].id, act ? act : "") != 0)
            continue;
        /* the latest goal_done of g, and the activity that caused it */
        size_t done = n;
        for (size_t i = n; i-- > 0 && done == n;)
            if (ev[i].type == KANAL_EV_GOAL_DONE && same(str_of(ev[i].d, "goal"), g->id))
                done = i;
        if (done == n || !str_of(ev[done].d, "activity"))
            continue; /* done by hand (or before the log says): not the activity's */
        size_t cause = n;
        for (size_t i = done; i-- > 0 && cause == n;)
            if (ev[i].type == KANAL_EV_ACTIVITY && same(str_of(ev[i].d, "activity"), act))
                cause = i;
        if (cause == n || vi < cause)
            continue; /* the voided one came before: it did not complete g */
        size_t standing = n;
        for (size_t i = cause; i < n && standing == n; i++)
            if (ev[i].type == KANAL_EV_ACTIVITY && !ev[i].voided &&
                same(str_of(ev[i].d, "activity"), act))
                standing = i;
        if (standing != n && standing == cause)
            continue; /* its own activity stands: nothing changes */
        int rc = store_goal_undo(k->store, o->id, g->id, err);
        if (rc)
            return rc;
        if (standing == n) {
            o->done_at[gi] = NULL;
            const char *id = kanal_arena_strdup(res->arena_, g->id);
            if (!id || push(res->arena_, undone, &res->n_undone, wf->n_goals, id))
                return kanal_error_nomem(err);
            continue;
        }
        const store_event *s = ev[standing].e;
        if ((rc = store_goal_mark_done(k->store, o->id, g->id, s->at, s->actor, err)))
            return rc;
        const char *id = kanal_arena_strdup(res->arena_, g->id);
        if (!id || push(res->arena_, kept, &res->n_kept, wf->n_goals, id))
            return kanal_error_nomem(err);
    }
    return KANAL_OK;
}

/* The data of the `voided` event. */
static void void_data(kanal_buf *b, const void_ev *v, const char *reason,
                      const kanal_void_result *res, const char *previous)
{
    kanal_json j;
    kanal_json_init(&j, b);
    kanal_json_object(&j);
    kanal_json_key(&j, "seq");
    kanal_json_int(&j, v->e->seq);
    kanal_json_key(&j, "type");
    kanal_json_str(&j, v->e->type);
    bool activity = v->type == KANAL_EV_ACTIVITY;
    kanal_json_key(&j, activity ? "activity" : "field");
    kanal_json_str(&j, res->subject);
    kanal_json_key(&j, "reason");
    kanal_json_str(&j, reason);
    if (activity) {
        kanal_json_key(&j, "goals_undone");
        kanal_json_array(&j);
        for (size_t i = 0; i < res->n_undone; i++)
            kanal_json_str(&j, res->undone[i]);
        kanal_json_end_array(&j);
        if (res->n_kept) {
            kanal_json_key(&j, "goals_kept");
            kanal_json_array(&j);
            for (size_t i = 0; i < res->n_kept; i++)
                kanal_json_str(&j, res->kept[i]);
            kanal_json_end_array(&j);
        }
    } else if (res->field_changed) {
        kanal_json_key(&j, "value");
        kanal_json_str(&j, res->value);
        kanal_json_key(&j, "previous");
        kanal_json_str(&j, previous);
    }
    kanal_json_end_object(&j);
}

int kanal_opp_void(kanal *k, int64_t id, int64_t seq, const char *reason, const char *at,
                   kanal_void_result **out, kanal_error *err)
{
    if (out)
        *out = NULL;
    if (!reason || !reason[0])
        return kanal_error_set(err, KANAL_EUSAGE, "the reason is empty");
    int rc = kanal_text_ok("the reason", reason, err);
    if (rc || (rc = engine_need_actor(k, err)))
        return rc;
    kanal_arena *a = kanal_arena_new();
    kanal_void_result *res = a ? kanal_arena_alloc(a, sizeof *res) : NULL;
    if (!res) {
        kanal_arena_free(a);
        return kanal_error_nomem(err);
    }
    memset(res, 0, sizeof *res);
    res->arena_ = a;
    if ((rc = engine_op_begin(k, err))) {
        kanal_arena_free(a);
        return rc;
    }
    kanal_opp *o = NULL;
    void_ev *ev = NULL;
    store_event *raw = NULL;
    size_t n = 0;
    char t[KANAL_TIME_LEN];
    if ((rc = engine_opp_load(k, id, &o, err)))
        goto done;
    bool staff = k->is_manager || k->is_admin;
    if (!staff && strcmp(o->owner, k->actor.id) != 0) {
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "opportunity %lld belongs to '%s': only its owner, a manager or an "
                             "admin may void its events",
                             (long long)id, o->owner);
        goto done;
    }
    if (o->status != KANAL_OPEN) {
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "opportunity %lld is closed (%s on %.10s): reopen it to void its "
                             "events",
                             (long long)id, kanal_status_name(o->status),
                             o->closed_at ? o->closed_at : "?");
        goto done;
    }
    if ((rc = store_events(k->store, a, o->id, &raw, &n, err)))
        goto done;
    if (!(ev = calloc(n ? n : 1, sizeof *ev))) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    size_t vi = n;
    for (size_t i = 0; i < n; i++) {
        ev[i].e = &raw[i];
        ev[i].type = kanal_event_type_of(raw[i].type);
        ev[i].d = json_loads(raw[i].data, 0, NULL);
        if (raw[i].seq == seq)
            vi = i;
    }
    /* what earlier voids voided */
    int64_t by = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *s = ev[i].type == KANAL_EV_VOIDED ? json_object_get(ev[i].d, "seq") : NULL;
        for (size_t x = 0; json_is_integer(s) && x < n; x++)
            if (raw[x].seq == (int64_t)json_integer_value(s)) {
                ev[x].voided = true;
                if (x == vi)
                    by = raw[i].seq;
            }
    }
    if (vi == n) {
        rc = kanal_error_set(err, KANAL_ENOTFOUND, "opportunity %lld has no event %lld",
                             (long long)id, (long long)seq);
        goto done;
    }
    void_ev *v = &ev[vi];
    if (v->type != KANAL_EV_ACTIVITY && v->type != KANAL_EV_FIELD_SET &&
        v->type != KANAL_EV_FIELD_CLEARED) {
        rc = not_voidable(err, id, seq, v->e->type);
        goto done;
    }
    if (by) {
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "event %lld of opportunity %lld was voided already (by event %lld)",
                             (long long)seq, (long long)id, (long long)by);
        goto done;
    }
    if ((rc = engine_step_time(k, o, at, t, err)))
        goto done;
    if (!staff) {
        int64_t when = 0, now = 0;
        if ((rc = kanal_time_parse(v->e->at, &when, err)) || (rc = kanal_time_parse(t, &now, err)))
            goto done;
        if (now - when > VOID_WINDOW_SECONDS) {
            rc = kanal_error_set(
                err, KANAL_EREFUSED,
                "event %lld of opportunity %lld was logged at %s, more than 24 hours "
                "before %s: its owner may void an event only within 24 hours of it, "
                "a manager or an admin at any time",
                (long long)seq, (long long)id, v->e->at, t);
            goto done;
        }
    }
    res->seq = seq;
    res->type = v->e->type;
    const char **undone = NULL, **kept = NULL;
    const char *previous = NULL;
    v->voided = true;
    if (v->type == KANAL_EV_ACTIVITY) {
        const char *type = str_of(v->d, "activity");
        kanal_activity act = { type, v->e->at, v->e->actor, str_of(v->d, "note") };
        if (type && !(res->subject = kanal_arena_strdup(a, type))) {
            rc = kanal_error_nomem(err);
            goto done;
        }
        rc = store_activity_void(k->store, o->id, &act, t, err);
        if (rc == KANAL_ENOTFOUND)
            rc = kanal_error_set(err, KANAL_ESTORAGE,
                                 "the activity of event %lld of opportunity %lld is not in the "
                                 "store",
                                 (long long)seq, (long long)id);
        if (!rc)
            rc = undo_goals(k, o, ev, n, vi, res, &undone, &kept, err);
        res->undone = undone;
        res->kept = kept;
    } else {
        const char *field = str_of(v->d, "field");
        int fi = field ? kanal_workflow_field_index(o->wf, field) : -1;
        if (fi < 0) {
            rc = kanal_error_set(err, KANAL_EREFUSED,
                                 "field '%s' is not in version %d of workflow '%s': its change "
                                 "cannot be voided",
                                 field ? field : "?", o->version, o->workflow);
            goto done;
        }
        if (!(res->subject = kanal_arena_strdup(a, field))) {
            rc = kanal_error_nomem(err);
            goto done;
        }
        /* the latest change of the field that still stands */
        const char *value = NULL;
        for (size_t i = n; i-- > 0;)
            if ((ev[i].type == KANAL_EV_FIELD_SET || ev[i].type == KANAL_EV_FIELD_CLEARED) &&
                !ev[i].voided && same(str_of(ev[i].d, "field"), field)) {
                value = ev[i].type == KANAL_EV_FIELD_SET ? str_of(ev[i].d, "value") : NULL;
                break;
            }
        previous = o->fields[fi];
        if (!same(previous, value)) {
            res->field_changed = true;
            if ((value && !(res->value = kanal_arena_strdup(a, value))) ||
                (previous && !(previous = kanal_arena_strdup(a, previous)))) {
                rc = kanal_error_nomem(err);
                goto done;
            }
            rc = store_field_put(k->store, o->id, field, value, t, err);
        }
    }
    if (rc)
        goto done;
    kanal_buf data = KANAL_BUF_INIT;
    void_data(&data, v, reason, res, previous);
    rc = engine_record_event(k, o, KANAL_EV_VOIDED, t, &data, err);
    kanal_buf_release(&data);
done:
    for (size_t i = 0; ev && i < n; i++)
        json_decref(ev[i].d);
    free(ev);
    kanal_opp_free(o);
    rc = engine_op_end(k, rc, err);
    if (!rc && out)
        *out = res;
    else
        kanal_arena_free(a);
    return rc;
}

/* Sets each event's voided_by: the seq of the `voided` event that voided it (history). */
void engine_history_voided(kanal_event *events, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(events[i].type, kanal_event_name(KANAL_EV_VOIDED)) != 0)
            continue;
        json_t *d = json_loads(events[i].data, 0, NULL);
        json_t *s = d ? json_object_get(d, "seq") : NULL;
        for (size_t x = 0; json_is_integer(s) && x < n; x++)
            if (events[x].seq == (int64_t)json_integer_value(s))
                events[x].voided_by = events[i].seq;
        json_decref(d);
    }
}
