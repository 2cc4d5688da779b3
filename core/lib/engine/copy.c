/*
** copy.c — kanal db copy: the whole record of one database into another,
** between SQLite and PostgreSQL in either direction. The target is made new
** (a file that does not exist, or an empty PostgreSQL database) and filled
** in the one transaction that creates it: a copy is complete or absent.
**
** Everything is copied as it is, through the store's interface: users with
** their roles, every version of every workflow, partners, opportunities,
** deals and contacts under the same numbers, goals, fields, activities, and the event log event
** for event (who did it, the login that ran it, when it was recorded). The
** stage visits are made again from the copied log. When a goal was done, by
** whom, and when a field was set are read from the log too, where the store
** keeps them beside the rows.
*/
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/engine.h"

/* The log's word on a goal or a field of one opportunity: its latest event about it. */
static const store_event *latest_about(const store_event *ev, size_t n, const char *type,
                                       const char *key, const char *value)
{
    const store_event *found = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ev[i].type, type) != 0)
            continue;
        json_t *d = json_loads(ev[i].data, 0, NULL);
        const char *v = d ? json_string_value(json_object_get(d, key)) : NULL;
        if (v && strcmp(v, value) == 0)
            found = &ev[i];
        json_decref(d);
    }
    return found;
}

static int copy_users(store *src, store *dst, kanal_arena *a, kanal_copy_result *res,
                      kanal_error *err)
{
    kanal_user *u;
    size_t n;
    int rc = store_users_list(src, a, &u, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        rc = store_user_insert(dst, u[i].id, u[i].name, u[i].roles, u[i].n_roles,
                               u[i].created_at, err);
        if (!rc && !u[i].active)
            rc = store_user_set_active(dst, u[i].id, false, err);
        res->users++;
    }
    return rc;
}

static int copy_workflows(store *src, store *dst, kanal_arena *a, kanal_copy_result *res,
                          kanal_error *err)
{
    const char **ids;
    size_t n;
    int rc = store_workflow_ids(src, a, &ids, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        int latest = 0;
        rc = store_workflow_latest(src, ids[i], &latest, err);
        for (int v = 1; !rc && v <= latest; v++) {
            kanal_workflow_version wv;
            if ((rc = store_workflow_get(src, a, ids[i], v, &wv, err))) {
                if (rc == KANAL_ENOTFOUND)
                    rc = kanal_error_set(err, KANAL_ESTORAGE,
                                         "workflow '%s' has no version %d in the source", ids[i],
                                         v);
                break;
            }
            rc = store_workflow_insert(dst, &wv, wv.name ? wv.name : wv.workflow, err);
            res->workflows++;
        }
    }
    return rc;
}

static int copy_partners(store *src, store *dst, kanal_arena *a, kanal_copy_result *res,
                         kanal_error *err)
{
    kanal_partner *p;
    size_t n;
    int rc = store_partners_list(src, a, NULL, NULL, &p, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        char *key = engine_partner_name_key(p[i].name);
        int64_t id = 0;
        rc = key ? store_partner_insert(dst, &p[i], key, &id, err) : kanal_error_nomem(err);
        free(key);
        if (!rc && id != p[i].id)
            rc = kanal_error_set(err, KANAL_ESTORAGE,
                                 "partner %lld of the source would be %lld in the copy: its "
                                 "partners are not numbered 1 to %zu",
                                 (long long)p[i].id, (long long)id, n);
        res->partners++;
    }
    return rc;
}

/* The deals, under the same numbers, each on the same opportunity. */
static int copy_deals(store *src, store *dst, kanal_arena *a, kanal_copy_result *res,
                      kanal_error *err)
{
    kanal_deal *d;
    size_t n;
    int rc = store_deals_list(src, a, &(store_deal_filter){ 0 }, &d, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        int64_t id = 0;
        rc = store_deal_insert(dst, &d[i], &id, err);
        if (!rc && id != d[i].id)
            rc = kanal_error_set(err, KANAL_ESTORAGE,
                                 "deal %lld of the source would be %lld in the copy: its deals "
                                 "are not numbered 1 to %zu",
                                 (long long)d[i].id, (long long)id, n);
        res->deals++;
    }
    return rc;
}

/* The people at partners, under the same numbers, the removed ones too. */
static int copy_contacts(store *src, store *dst, kanal_arena *a, kanal_copy_result *res,
                         kanal_error *err)
{
    kanal_contact *c;
    size_t n;
    int rc = store_contacts_list(src, a, 0, true, &c, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        int64_t id = 0;
        rc = store_contact_insert(dst, &c[i], &id, err);
        if (!rc && id != c[i].id)
            rc = kanal_error_set(err, KANAL_ESTORAGE,
                                 "contact %lld of the source would be %lld in the copy: its "
                                 "contacts are not numbered 1 to %zu",
                                 (long long)c[i].id, (long long)id, n);
        res->contacts++;
    }
    return rc;
}

/* One opportunity: its row as it stands, then what hangs on it. */
static int copy_opp(store *src, store *dst, kanal_arena *a, const store_opp_row *o,
                    kanal_error *err)
{
    int64_t id = 0;
    int rc = store_opp_insert(dst, o, &id, err);
    if (!rc && id != o->id)
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "opportunity %lld of the source would be %lld in the copy: its "
                               "opportunities are not numbered from 1 without gaps",
                               (long long)o->id, (long long)id);
    if (!rc)
        rc = store_opp_set_stage(dst, id, o->stage, o->stage_entered_at, err);
    if (!rc && o->status != KANAL_OPEN)
        rc = store_opp_close(dst, id, o->status, o->closed_at, o->lost_reason, err);
    if (!rc)
        rc = store_opp_touch(dst, id, o->last_event_at, o->last_seq, err);
    /* the next contact: on the row as store_opp_get reads it, not in lists */
    store_opp_row full;
    if (!rc && !(rc = store_opp_get(src, a, o->id, &full, err)) && full.next_contact_at)
        rc = store_opp_set_next(dst, id, full.next_contact_at, err);
    store_event *ev = NULL;
    size_t n_ev = 0;
    store_pair *goals = NULL, *fields = NULL;
    size_t n_goals = 0, n_fields = 0;
    kanal_activity *acts = NULL;
    size_t n_acts = 0;
    if (!rc)
        rc = store_events(src, a, id, &ev, &n_ev, err);
    if (!rc)
        rc = store_goals_done(src, a, id, &goals, &n_goals, err);
    for (size_t i = 0; !rc && i < n_goals; i++) {
        const store_event *e = latest_about(ev, n_ev, kanal_event_name(KANAL_EV_GOAL_DONE), "goal",
                                            goals[i].key);
        rc = store_goal_mark_done(dst, id, goals[i].key, goals[i].value, e ? e->actor : o->owner,
                                  err);
    }
    if (!rc)
        rc = store_field_values(src, a, id, &fields, &n_fields, err);
    for (size_t i = 0; !rc && i < n_fields; i++) {
        const store_event *e = latest_about(ev, n_ev, kanal_event_name(KANAL_EV_FIELD_SET),
                                            "field", fields[i].key);
        rc = store_field_put(dst, id, fields[i].key, fields[i].value,
                             e ? e->at : o->last_event_at, err);
    }
    if (!rc)
        rc = store_activities(src, a, id, NULL, &acts, &n_acts, err);
    for (size_t i = 0; !rc && i < n_acts; i++)
        rc = store_activity_insert(dst, id, acts[i].type, acts[i].at, acts[i].by, acts[i].note,
                                   err);
    return rc;
}

static int copy_record(store *src, store *dst, kanal_copy_result *res, kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    int rc = copy_users(src, dst, a, res, err);
    if (!rc)
        rc = copy_workflows(src, dst, a, res, err);
    if (!rc)
        rc = copy_partners(src, dst, a, res, err);
    store_opp_row *opps = NULL;
    size_t n = 0;
    if (!rc)
        rc = store_opps_list(src, a, &(store_opp_filter){ .status = KANAL_STATUS_COUNT }, &opps,
                             &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        /* one opportunity's arena at a time: memory stays flat */
        kanal_arena *oa = kanal_arena_new();
        rc = oa ? copy_opp(src, dst, oa, &opps[i], err) : kanal_error_nomem(err);
        kanal_arena_free(oa);
        res->opportunities++;
    }
    if (!rc)
        rc = copy_deals(src, dst, a, res, err);
    if (!rc)
        rc = copy_contacts(src, dst, a, res, err);
    store_event *ev = NULL;
    if (!rc)
        rc = store_events_all(src, a, &ev, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        rc = store_event_insert(dst, &ev[i], err);
        res->events++;
    }
    if (!rc)
        rc = store_rebuild_visits(dst, err);
    kanal_arena_free(a);
    return rc;
}

int kanal_db_copy(const char *from, const char *to, kanal_copy_result *res, kanal_error *err)
{
    memset(res, 0, sizeof *res);
    store *src = NULL, *dst = NULL;
    int rc = store_open(&src, from, false, err);
    if (rc)
        return rc;
    bool damaged = false;
    int64_t bad_opp = 0, bad_seq = 0;
    if ((rc = store_events_invalid(src, 0, &damaged, &bad_opp, &bad_seq, err))) {
        store_close(src);
        return rc;
    }
    if (damaged) {
        store_close(src);
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "the source's event log is damaged (opportunity %lld, event "
                               "%lld): nothing was copied",
                               (long long)bad_opp, (long long)bad_seq);
    }
    if ((rc = store_open(&dst, to, true, err))) {
        store_close(src);
        return rc;
    }
    /* the source read in one snapshot; the target written in one transaction */
    if (!(rc = store_begin_read(src, err))) {
        if (!(rc = store_begin(dst, err)) && !(rc = store_copying(dst, true, err)) &&
            !(rc = copy_record(src, dst, res, err)) && !(rc = store_copying(dst, false, err)))
            rc = store_commit(dst, err);
        else
            store_rollback(dst);
        store_rollback(src);
    }
    if (!rc)
        rc = store_publish(&dst, err);
    else
        store_discard(dst), dst = NULL;
    store_close(dst);
    store_close(src);
    return rc;
}
