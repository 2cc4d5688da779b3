/*
** doctor.c — kanal doctor: is the record sound? The backend's own checks,
** the event log still append-only, and each opportunity's state what its log
** says: its events numbered 1.. without gaps, its workflow version there, its
** stage one of that version's, and its status, stage, owner, version, lost
** reason, goals and fields those a replay of its events gives. What it finds
** is reported, never changed.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/engine.h"

typedef struct doctor {
    kanal *k;
    kanal_table *t;
    kanal_error *err;
    int rc;
} doctor;

static void problem(doctor *d, const char *check, int64_t opp, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(doctor *d, const char *check, int64_t opp, const char *fmt, ...)
{
    if (d->rc)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (kanal_table_add_row(d->t) || kanal_table_set(d->t, 0, check) ||
        (opp && kanal_table_set_int(d->t, 1, opp)) || kanal_table_set(d->t, 2, msg))
        d->rc = kanal_error_nomem(d->err);
}

static const char *str_of(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* A name and its value, as the replay keeps them (goals: value unused). */
typedef struct kv {
    const char *key, *value;
} kv;

typedef struct kvs {
    kv *items;
    size_t n, cap;
} kvs;

static kv *kvs_find(kvs *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i].key, key) == 0)
            return &s->items[i];
    return NULL;
}

static bool kvs_put(kvs *s, const char *key, const char *value)
{
    kv *e = kvs_find(s, key);
    if (e) {
        e->value = value;
        return true;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        kv *g = realloc(s->items, cap * sizeof *g);
        if (!g)
            return false;
        s->items = g;
        s->cap = cap;
    }
    s->items[s->n++] = (kv){ key, value };
    return true;
}

static void kvs_drop(kvs *s, const char *key)
{
    kv *e = kvs_find(s, key);
    if (e)
        *e = s->items[--s->n];
}

/* What an opportunity's log says it is. */
typedef struct replay {
    const char *owner, *stage, *lost_reason;
    kanal_status status;
    int version;
    kvs goals, fields;
} replay;

/* Replays the events (parsed: d[i]) of one opportunity; voided[i]: voided later. */
static bool replay_log(const store_event *ev, json_t **d, const bool *voided, size_t n, replay *r)
{
    for (size_t i = 0; i < n; i++) {
        json_t *o = d[i];
        switch (kanal_event_type_of(ev[i].type)) {
        case KANAL_EV_CREATED:
            r->owner = str_of(o, "owner");
            r->stage = str_of(o, "stage");
            r->status = KANAL_OPEN;
            r->version = ev[i].version;
            break;
        case KANAL_EV_ADVANCED: r->stage = str_of(o, "to"); break;
        case KANAL_EV_WON:
            r->status = KANAL_WON;
            r->lost_reason = NULL;
            break;
        case KANAL_EV_LOST:
            r->status = KANAL_LOST;
            r->lost_reason = str_of(o, "reason");
            break;
        case KANAL_EV_REOPENED:
            r->status = KANAL_OPEN;
            r->lost_reason = NULL;
            r->stage = str_of(o, "stage");
            break;
        case KANAL_EV_REASSIGNED: r->owner = str_of(o, "to"); break;
        case KANAL_EV_MIGRATED: {
            json_t *v = json_object_get(o, "to_version");
            r->version = json_is_integer(v) ? (int)json_integer_value(v) : r->version;
            r->stage = str_of(o, "stage");
            break;
        }
        case KANAL_EV_GOAL_DONE:
            if (str_of(o, "goal") && !kvs_put(&r->goals, str_of(o, "goal"), ev[i].at))
                return false;
            break;
        case KANAL_EV_VOIDED: {
            json_t *undone = json_object_get(o, "goals_undone");
            size_t x;
            json_t *g;
            json_array_foreach(undone, x, g)
            {
                if (json_is_string(g))
                    kvs_drop(&r->goals, json_string_value(g));
            }
            break;
        }
        default: break;
        }
    }
    /* a field: its latest change that was not voided */
    for (size_t i = 0; i < n; i++) {
        kanal_event_type t = kanal_event_type_of(ev[i].type);
        const char *field = str_of(d[i], "field");
        if (voided[i] || !field || (t != KANAL_EV_FIELD_SET && t != KANAL_EV_FIELD_CLEARED))
            continue;
        if (t == KANAL_EV_FIELD_CLEARED || !str_of(d[i], "value"))
            kvs_drop(&r->fields, field);
        else if (!kvs_put(&r->fields, field, str_of(d[i], "value")))
            return false;
    }
    return true;
}

/* The store's goals or fields against the replay's: each difference a problem. */
static void compare(doctor *d, int64_t opp, const char *what, const store_pair *have, size_t n,
                    kvs *want, bool values)
{
    for (size_t i = 0; i < n; i++) {
        kv *w = kvs_find(want, have[i].key);
        if (!w)
            problem(d, "replay", opp, "%s '%s' is %s in the database, not in its log", what,
                    have[i].key, values ? "set" : "done");
        else if (values && !same(w->value, have[i].value))
            problem(d, "replay", opp, "%s '%s' is '%s' in the database, '%s' in its log", what,
                    have[i].key, have[i].value, w->value);
    }
    for (size_t i = 0; i < want->n; i++) {
        bool found = false;
        for (size_t j = 0; j < n && !found; j++)
            found = strcmp(have[j].key, want->items[i].key) == 0;
        if (!found)
            problem(d, "replay", opp, "%s '%s' is %s in its log, not in the database", what,
                    want->items[i].key, values ? "set" : "done");
    }
}

/* One opportunity: its log whole, its version there, its state its log's. */
static void check_opp(doctor *d, kanal_arena *a, const store_opp_row *o, long *n_events)
{
    store_event *ev;
    size_t n;
    if ((d->rc = store_events(d->k->store, a, o->id, &ev, &n, d->err)))
        return;
    *n_events += (long)n;
    json_t **data = calloc(n + 1, sizeof *data);
    bool *voided = calloc(n + 1, sizeof *voided);
    replay r = { 0 };
    if (!data || !voided) {
        d->rc = kanal_error_nomem(d->err);
        goto done;
    }
    bool whole = true;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].seq != (int64_t)i + 1) {
            problem(d, "sequence", o->id,
                    "its events are numbered with a gap or a repeat: event %zu of the log is "
                    "numbered %lld (events were deleted or changed outside Kanal)",
                    i + 1, (long long)ev[i].seq);
            whole = false;
            break;
        }
        if (!(data[i] = json_loads(ev[i].data, 0, NULL)) || !json_is_object(data[i])) {
            problem(d, "event", o->id, "event %lld does not hold a JSON object",
                    (long long)ev[i].seq);
            whole = false;
        }
    }
    if ((int64_t)n != o->last_seq) {
        problem(d, "sequence", o->id,
                "its log holds %zu events, but the opportunity counts %lld (events were "
                "deleted outside Kanal)",
                n, (long long)o->last_seq);
        whole = false;
    }
    def_entry *e = NULL;
    kanal_error ignore;
    if (engine_def_get(d->k, o->workflow, o->version, &e, &ignore)) {
        problem(d, "version", o->id, "its workflow version %s v%d is not in the database",
                o->workflow, o->version);
        e = NULL;
    } else if (o->status == KANAL_OPEN && kanal_workflow_stage_index(e->wf, o->stage) < 0) {
        problem(d, "stage", o->id, "it is open in stage '%s', which %s v%d does not have", o->stage,
                o->workflow, o->version);
    }
    if (!whole || d->rc)
        goto done;
    for (size_t i = 0; i < n; i++) {
        json_t *s = kanal_event_type_of(ev[i].type) == KANAL_EV_VOIDED
                        ? json_object_get(data[i], "seq")
                        : NULL;
        if (json_is_integer(s) && json_integer_value(s) >= 1 && (size_t)json_integer_value(s) <= n)
            voided[json_integer_value(s) - 1] = true;
    }
    if (!replay_log(ev, data, voided, n, &r)) {
        d->rc = kanal_error_nomem(d->err);
        goto done;
    }
    if (r.status != o->status)
        problem(d, "replay", o->id, "it is %s in the database, %s by its log",
                kanal_status_name(o->status), kanal_status_name(r.status));
    if (!same(r.stage, o->stage))
        problem(d, "replay", o->id, "it is in stage '%s' in the database, '%s' by its log",
                o->stage, r.stage ? r.stage : "?");
    if (!same(r.owner, o->owner))
        problem(d, "replay", o->id, "it is owned by '%s' in the database, '%s' by its log",
                o->owner, r.owner ? r.owner : "?");
    if (r.version != o->version)
        problem(d, "replay", o->id, "it follows version %d in the database, %d by its log",
                o->version, r.version);
    if (!same(r.lost_reason, o->lost_reason))
        problem(d, "replay", o->id, "its lost reason is '%s' in the database, '%s' by its log",
                o->lost_reason ? o->lost_reason : "none", r.lost_reason ? r.lost_reason : "none");
    store_pair *have;
    size_t n_have;
    if (!d->rc && !(d->rc = store_goals_done(d->k->store, a, o->id, &have, &n_have, d->err)))
        compare(d, o->id, "goal", have, n_have, &r.goals, false);
    if (!d->rc && !(d->rc = store_field_values(d->k->store, a, o->id, &have, &n_have, d->err)))
        compare(d, o->id, "field", have, n_have, &r.fields, true);
done:
    for (size_t i = 0; data && i < n; i++)
        json_decref(data[i]);
    free(data);
    free(voided);
    free(r.goals.items);
    free(r.fields.items);
}

int kanal_doctor(kanal *k, kanal_table **out, long *opps, long *events, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc)
        return rc;
    if (!k->is_manager && !k->is_admin)
        return kanal_error_set(err, KANAL_EREFUSED,
                               "only a manager or an admin may check the whole record (you are "
                               "'%s')",
                               k->actor.id);
    kanal_table *t;
    if ((rc = kanal_table_new(&t, "problems", "Doctor", err)))
        return rc;
    if (kanal_table_add_column(t, "check", KANAL_TYPE_TEXT, "check") ||
        kanal_table_add_column(t, "opp", KANAL_TYPE_INT, "opp") ||
        kanal_table_add_column(t, "problem", KANAL_TYPE_TEXT, "problem")) {
        kanal_table_free(t);
        return kanal_error_nomem(err);
    }
    doctor d = { k, t, err, KANAL_OK };
    *opps = *events = 0;
    kanal_arena *a = kanal_arena_new();
    if (!a)
        d.rc = kanal_error_nomem(err);
    /* one read transaction: one moment of the record */
    bool began = !d.rc && !(d.rc = store_begin_read(k->store, err));
    store_pair *found;
    size_t n_found;
    if (!d.rc && !(d.rc = store_check(k->store, a, &found, &n_found, err)))
        for (size_t i = 0; i < n_found; i++)
            problem(&d, found[i].key, 0, "%s", found[i].value);
    bool protected_log = true;
    if (!d.rc && !(d.rc = store_log_protected(k->store, &protected_log, err)) && !protected_log)
        problem(&d, "append_only", 0,
                "the event log's append-only triggers are gone: events can be changed or "
                "deleted (restore them from a backup, or copy the database with 'kanal db "
                "copy')");
    store_opp_filter all = { .status = KANAL_STATUS_COUNT };
    store_opp_row *rows;
    size_t n_rows = 0;
    if (!d.rc)
        d.rc = store_opps_list(k->store, a, &all, &rows, &n_rows, err);
    for (size_t i = 0; !d.rc && i < n_rows; i++) {
        kanal_arena *one = kanal_arena_new();
        if (!one) {
            d.rc = kanal_error_nomem(err);
            break;
        }
        check_opp(&d, one, &rows[i], events);
        kanal_arena_free(one);
        (*opps)++;
    }
    if (began)
        store_rollback(k->store);
    kanal_arena_free(a);
    if (d.rc) {
        kanal_table_free(t);
        return d.rc;
    }
    *out = t;
    return KANAL_OK;
}
