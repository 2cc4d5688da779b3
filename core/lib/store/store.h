/*
** store.h — the SQLite store. Every SQL statement of Kanal lives in store.c,
** behind the functions below, named for what they mean; a second backend
** would implement the same list.
**
** Strings handed back are allocated in the caller's arena. Functions return a
** kanal_code and fill err; "not found" is KANAL_ENOTFOUND with no message
** (the engine words it, since it knows what was asked for).
*/
#ifndef KANAL_STORE_H
#define KANAL_STORE_H

#include "base/base.h"
#include "kanal/records.h"
#include "kanal/table.h"

typedef struct store store;

#define STORE_SCHEMA_VERSION 2

/*
** Opens the database at path. With create, the file must not exist and is
** created, exclusively, with the schema; without, it must exist
** (KANAL_ENOTFOUND), be a regular file whose header says it is a Kanal
** database — checked by reading it, before SQLite may change a byte — and
** is migrated forward when older.
*/
int store_open(store **out, const char *path, bool create, kanal_error *err);
void store_close(store *s);
/* Closes, and removes the file when this store created it (a failed init). */
void store_discard(store *s);
/* The absolute path of the database file (borrowed). */
const char *store_path(const store *s);

/* Transactions nest: the outermost is BEGIN IMMEDIATE, inner ones savepoints. */
int store_begin(store *s, kanal_error *err);
int store_commit(store *s, kanal_error *err);
void store_rollback(store *s);
int store_depth(const store *s);

/* Users */
int store_user_insert(store *s, const char *id, const char *name, const char *const *roles,
                      size_t n_roles, const char *at, kanal_error *err);
int store_user_get(store *s, kanal_arena *a, const char *id, kanal_user *out,
                   kanal_error *err);
int store_user_set_active(store *s, const char *id, bool active, kanal_error *err);
int store_count_active_with_role(store *s, const char *role, int *n, kanal_error *err);
int store_users_table(store *s, kanal_table *t, kanal_error *err);

/* Workflow versions */
int store_workflow_get(store *s, kanal_arena *a, const char *id, int version,
                       kanal_workflow_version *out, kanal_error *err); /* version 0: latest */
/* The latest version number of a workflow (KANAL_ENOTFOUND when it has none). */
int store_workflow_latest(store *s, const char *id, int *version, kanal_error *err);
int store_workflow_insert(store *s, const kanal_workflow_version *v, const char *name,
                          kanal_error *err);
int store_workflow_ids(store *s, kanal_arena *a, const char ***ids, size_t *n,
                       kanal_error *err);
int store_workflows_table(store *s, kanal_table *t, kanal_error *err);

/* Partners */
int store_partner_insert(store *s, const kanal_partner *p, const char *name_key,
                         int64_t *id, kanal_error *err);
int store_partner_by_id(store *s, kanal_arena *a, int64_t id, kanal_partner *out,
                        kanal_error *err);
int store_partner_by_name(store *s, kanal_arena *a, const char *name, kanal_partner *out,
                          kanal_error *err);
int store_partner_by_key(store *s, kanal_arena *a, const char *name_key, kanal_partner *out,
                         kanal_error *err);
int store_partner_set_owner(store *s, int64_t id, const char *owner, kanal_error *err);
int store_partners_owned_by(store *s, kanal_arena *a, const char *owner, int64_t **ids,
                            size_t *n, kanal_error *err);
int store_partners_table(store *s, const char *owner, const char *type, kanal_table *t,
                         kanal_error *err);

/* Opportunities */
typedef struct store_opp_row {
    int64_t id, partner_id;
    const char *workflow;
    int version;
    const char *owner, *status, *stage, *stage_entered_at, *created_at, *closed_at,
        *lost_reason, *last_event_at;
    int64_t last_seq;
} store_opp_row;

int store_opp_insert(store *s, const store_opp_row *r, int64_t *id, kanal_error *err);
int store_opp_get(store *s, kanal_arena *a, int64_t id, store_opp_row *out, kanal_error *err);
int store_opp_open_for(store *s, int64_t partner_id, const char *workflow, int64_t *id,
                       kanal_error *err); /* 0 when none */
int store_opp_set_stage(store *s, int64_t id, const char *stage, const char *at,
                        kanal_error *err);
int store_opp_close(store *s, int64_t id, const char *status, const char *at,
                    const char *lost_reason, kanal_error *err);
int store_opp_set_owner(store *s, int64_t id, const char *owner, kanal_error *err);
int store_opp_touch(store *s, int64_t id, const char *at, int64_t seq, kanal_error *err);
int store_opps_open_of_partner(store *s, kanal_arena *a, int64_t partner_id, int64_t **ids,
                               size_t *n, kanal_error *err);
/* The owner's open opportunities, the longest in their stage first. */
int store_opps_open_of_owner(store *s, kanal_arena *a, const char *owner, int64_t **ids,
                             size_t *n, kanal_error *err);
int store_open_count(store *s, const char *owner, const char *workflow, int *n,
                     kanal_error *err);

typedef struct store_opp_filter {
    const char *owner, *workflow, *stage, *status;
} store_opp_filter;
int store_opps_table(store *s, const store_opp_filter *f, int64_t now, kanal_table *t,
                     kanal_error *err);

/* Goals, fields, activities of one opportunity */
int store_goal_mark_done(store *s, int64_t opp, const char *goal, const char *at,
                         const char *by, kanal_error *err);
typedef struct store_pair {
    const char *key, *value;
} store_pair;
int store_goals_done(store *s, kanal_arena *a, int64_t opp, store_pair **out, size_t *n,
                     kanal_error *err); /* goal, done_at */
int store_field_put(store *s, int64_t opp, const char *field, const char *value,
                    const char *at, kanal_error *err); /* value NULL: clear */
int store_field_values(store *s, kanal_arena *a, int64_t opp, store_pair **out, size_t *n,
                       kanal_error *err);
int store_activity_insert(store *s, int64_t opp, const char *type, const char *at,
                          const char *actor, const char *note, kanal_error *err);
int store_activities(store *s, kanal_arena *a, int64_t opp, const char *type,
                     kanal_activity **out, size_t *n, kanal_error *err);

/*
** What `kanal export` writes, in the form `kanal import` reads back:
** partners: name, type, owner (as given when the partner was added: claims
** and reassignments come back with the history), email, phone, city, tax_id; history: partner, workflow,
** owner, at, event, arg, note — one step a row, in the order they were
** recorded, leaving out what the steps cause by themselves (goals an
** activity completed, the rules' changes, each opportunity's share of a
** partner's reassignment).
*/
int store_partners_export(store *s, kanal_table *t, kanal_error *err);
int store_history_export(store *s, kanal_table *t, kanal_error *err);

/* The event log: append-only. opp 0 for events outside any opportunity. */
/* login: the operating-system account that ran the command (beside the actor). */
int store_event_insert(store *s, int64_t opp, int64_t seq, const char *at,
                       const char *recorded_at, const char *actor, const char *login,
                       const char *type, const char *data, const char *workflow, int version,
                       kanal_error *err);
/* Whether the triggers that keep the event log append-only are all in place. */
int store_log_protected(store *s, bool *yes, kanal_error *err);
int store_events(store *s, kanal_arena *a, int64_t opp, kanal_event **out, size_t *n,
                 kanal_error *err);
/*
** Damage done to the log outside Kanal: the first event of opportunity opp
** (0: of any) whose data is not valid JSON, as *bad_opp (0 for an event
** outside opportunities) and *bad_seq (its id when outside); *found false
** when there is none.
*/
int store_events_invalid(store *s, int64_t opp, bool *found, int64_t *bad_opp,
                         int64_t *bad_seq, kanal_error *err);
/* How many events opportunity opp has in the log, and the highest seq among them. */
int store_event_count(store *s, int64_t opp, int64_t *n, int64_t *max_seq, kanal_error *err);

#endif
