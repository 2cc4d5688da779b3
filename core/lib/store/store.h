/*
** store.h — the store: where Kanal keeps its record, as an interface.
**
** A backend is a struct of functions (store_methods), versioned and grown
** only at its end, as SQLite's sqlite3_io_methods and libgit2's
** git_odb_backend are; its handle begins with a pointer to them. The engine
** and the tests call the store_* functions below, which call the backend:
** nothing above this layer names a database or writes a query. SQLite
** (store/sqlite) is the first backend; store_open picks one by the
** database's location.
**
** The store answers in records — typed structs, times as ISO 8601 text,
** statuses as kanal_status — never in presentation: headers, day counts and
** summaries are the engine's. Strings handed back live in the caller's
** arena. Functions return a kanal_code and fill err; "not found" is
** KANAL_ENOTFOUND with no message (the engine words it, since it knows what
** was asked for).
*/
#ifndef KANAL_STORE_H
#define KANAL_STORE_H

#include "base/base.h"
#include "kanal/events.h"
#include "kanal/records.h"

typedef struct store store;

/* ---- the records ------------------------------------------------------------------- */

/* An opportunity's row. partner_name: filled by lists, NULL from store_opp_get. */
typedef struct store_opp_row {
    int64_t id, partner_id;
    const char *partner_name;
    const char *workflow;
    int version;
    const char *owner;
    kanal_status status;
    const char *stage, *stage_entered_at, *created_at, *closed_at, *lost_reason,
        *last_event_at;
    int64_t last_seq;
    /* schema 5: when the owner means to act next (YYYY-MM-DD), and the latest
       activity's time; NULL: none */
    const char *next_contact_at, *last_activity_at;
} store_opp_row;

/* What lists of opportunities may be narrowed to (NULL, KANAL_STATUS_COUNT: any). */
typedef struct store_opp_filter {
    const char *owner, *workflow, *stage;
    kanal_status status;
} store_opp_filter;

/* A workflow's latest version, with its open opportunities (of every version). */
typedef struct store_workflow_row {
    const char *workflow;
    int version;
    const char *name, *applied_at, *applied_by;
    int64_t open;
    const char *retired_at; /* NULL: in use */
} store_workflow_row;

/* An event of the log as stored: opp 0 for one outside any opportunity. */
typedef struct store_event {
    int64_t id, opp, seq;
    const char *at, *recorded_at, *actor, *login;
    const char *type;     /* the name (kanal_event_name), as stored */
    const char *data;     /* a JSON object, or a damaged text */
    const char *workflow; /* NULL outside opportunities */
    int version;
} store_event;

typedef struct store_pair {
    const char *key, *value;
} store_pair;

/*
** What a report covers: the opportunities as they stood at `as_of`, every
** event dated after it ignored — their owner, status, stage and lost reason
** then, not now. NULL (0 for version): no bound.
*/
typedef struct store_scope {
    const char *workflow;
    int version;
    const char *owner;         /* their owner at as_of */
    const char *since, *until; /* created at or after / at or before (ISO 8601) */
    const char *as_of;         /* ISO 8601, required */
} store_scope;

/* How a count is split. */
typedef enum store_by { STORE_BY_NONE, STORE_BY_STAGE, STORE_BY_OWNER } store_by;

/* A count of opportunities (or of activities) under its keys; a key the
   question does not split by is NULL, a status it does not split by is
   KANAL_STATUS_COUNT. */
typedef struct store_count {
    const char *workflow; /* lost reasons: the workflow they were lost in; else NULL */
    const char *group;    /* an owner, a stage */
    const char *key;      /* a lost reason, an activity type, a first touch */
    kanal_status status;
    int64_t n;
} store_count;

/* A stage's passage, in the funnel: the visits of opportunities to it. */
typedef struct store_stage_row {
    const char *stage;
    int64_t entered, advanced, won, lost, open; /* how each visit ended, or not yet */
    int64_t left;                               /* visits that ended: the durations */
    double median_days, p90_days;               /* of those durations; 0 when left is 0 */
} store_stage_row;

/* An open opportunity at as_of, for the stale report. */
typedef struct store_open_row {
    int64_t id;
    const char *partner, *owner, *workflow;
    int version;
    const char *stage, *stage_entered_at;
    const char *last_activity_at; /* NULL: none yet */
} store_open_row;

/* The longest an opportunity should stay in a stage of one version (max_days). */
typedef struct store_stage_limit {
    const char *workflow;
    int version;
    const char *stage;
    int max_days;
} store_stage_limit;

/* A goal that waits for another in one version: done before `after` is late. */
typedef struct store_goal_order {
    int version;
    const char *goal, *after;
} store_goal_order;

/* A goal's record across the opportunities of a scope. */
typedef struct store_goal_row {
    const char *goal;
    int64_t done, done_late, done_won, done_lost;
} store_goal_row;

/* The opportunities of a scope won by its moment, and how long each took. */
typedef struct store_win_days {
    int64_t won;
    double median_days; /* from creation to win; 0 when won is 0 */
} store_win_days;
/* A note written on an opportunity: a note's text, or the note of a step (an
   activity, a loss, a reopening, a next contact). */
typedef struct store_note {
    int64_t opp, seq;
    const char *at, *actor, *type, *text;
} store_note;

/* What lists of deals may be narrowed to (0, NULL: any). */
typedef struct store_deal_filter {
    int64_t partner_id;
    const char *owner;     /* deals of the partners this user owns now */
    const char *signed_by; /* signed on or before this day (YYYY-MM-DD) */
} store_deal_filter;

/* ---- the backend ------------------------------------------------------------------- */

#define STORE_METHODS_VERSION 6

/*
** The functions of a backend; each documented at its store_* wrapper
** below. Every member exists for every backend.
*/
typedef struct store_methods {
    int version;             /* STORE_METHODS_VERSION it was written for */
    const char *name;        /* "sqlite" */

    void (*close)(store *s);
    void (*discard)(store *s);
    const char *(*location)(const store *s);
    const char *(*identity)(const store *s);
    int (*log_protected)(store *s, bool *yes, kanal_error *err);
    int (*digest)(store *s, kanal_buf *out, kanal_error *err);

    int (*begin)(store *s, kanal_error *err);
    int (*begin_read)(store *s, kanal_error *err);
    int (*commit)(store *s, kanal_error *err);
    void (*rollback)(store *s);
    int (*depth)(const store *s);
    int (*publish)(store *s, store **out, kanal_error *err);

    int (*user_insert)(store *s, const char *id, const char *name, const char *const *roles,
                       size_t n_roles, const char *at, kanal_error *err);
    int (*user_get)(store *s, kanal_arena *a, const char *id, kanal_user *out,
                    kanal_error *err);
    int (*user_set_active)(store *s, const char *id, bool active, kanal_error *err);
    int (*count_active_with_role)(store *s, const char *role, int *n, kanal_error *err);
    int (*users_list)(store *s, kanal_arena *a, kanal_user **out, size_t *n,
                      kanal_error *err);

    int (*workflow_get)(store *s, kanal_arena *a, const char *id, int version,
                        kanal_workflow_version *out, kanal_error *err);
    int (*workflow_latest)(store *s, const char *id, int *version, kanal_error *err);
    int (*workflow_insert)(store *s, const kanal_workflow_version *v, const char *name,
                           kanal_error *err);
    int (*workflow_ids)(store *s, kanal_arena *a, const char ***ids, size_t *n,
                        kanal_error *err);
    int (*workflows_list)(store *s, kanal_arena *a, store_workflow_row **out, size_t *n,
                          kanal_error *err);

    int (*partner_insert)(store *s, const kanal_partner *p, const char *name_key,
                          int64_t *id, kanal_error *err);
    int (*partner_by_id)(store *s, kanal_arena *a, int64_t id, kanal_partner *out,
                         kanal_error *err);
    int (*partner_by_name)(store *s, kanal_arena *a, const char *name, kanal_partner *out,
                           kanal_error *err);
    int (*partner_by_key)(store *s, kanal_arena *a, const char *name_key,
                          kanal_partner *out, kanal_error *err);
    int (*partner_set_owner)(store *s, int64_t id, const char *owner, kanal_error *err);
    /* name, name_key, type, email, phone, city, tax_id of partner p->id */
    int (*partner_update)(store *s, const kanal_partner *p, const char *name_key, kanal_error *err);
    int (*partners_owned_by)(store *s, kanal_arena *a, const char *owner, int64_t **ids,
                             size_t *n, kanal_error *err);
    int (*partners_list)(store *s, kanal_arena *a, const char *owner, const char *type,
                         kanal_partner **out, size_t *n, kanal_error *err);

    int (*opp_insert)(store *s, const store_opp_row *r, int64_t *id, kanal_error *err);
    int (*opp_get)(store *s, kanal_arena *a, int64_t id, store_opp_row *out,
                   kanal_error *err);
    int (*opp_open_for)(store *s, int64_t partner_id, const char *workflow, int64_t *id,
                        kanal_error *err);
    int (*opp_set_stage)(store *s, int64_t id, const char *stage, const char *at,
                         kanal_error *err);
    int (*opp_close)(store *s, int64_t id, kanal_status status, const char *at,
                     const char *lost_reason, kanal_error *err);
    int (*opp_set_owner)(store *s, int64_t id, const char *owner, kanal_error *err);
    int (*opp_touch)(store *s, int64_t id, const char *at, int64_t seq, kanal_error *err);
    int (*opps_open_of_partner)(store *s, kanal_arena *a, int64_t partner_id, int64_t **ids,
                                size_t *n, kanal_error *err);
    int (*opps_open_of_owner)(store *s, kanal_arena *a, const char *owner, int64_t **ids,
                              size_t *n, kanal_error *err);
    int (*open_count)(store *s, const char *owner, const char *workflow, int *n,
                      kanal_error *err);
    int (*opps_list)(store *s, kanal_arena *a, const store_opp_filter *f,
                     store_opp_row **out, size_t *n, kanal_error *err);

    int (*goal_mark_done)(store *s, int64_t opp, const char *goal, const char *at,
                          const char *by, kanal_error *err);
    int (*goals_done)(store *s, kanal_arena *a, int64_t opp, store_pair **out, size_t *n,
                      kanal_error *err);
    int (*field_put)(store *s, int64_t opp, const char *field, const char *value,
                     const char *at, kanal_error *err);
    int (*field_values)(store *s, kanal_arena *a, int64_t opp, store_pair **out, size_t *n,
                        kanal_error *err);
    int (*activity_insert)(store *s, int64_t opp, const char *type, const char *at,
                           const char *actor, const char *note, kanal_error *err);
    int (*activities)(store *s, kanal_arena *a, int64_t opp, const char *type,
                      kanal_activity **out, size_t *n, kanal_error *err);

    int (*event_insert)(store *s, const store_event *e, kanal_error *err);
    int (*events)(store *s, kanal_arena *a, int64_t opp, store_event **out, size_t *n,
                  kanal_error *err);
    int (*events_all)(store *s, kanal_arena *a, store_event **out, size_t *n,
                      kanal_error *err);
    int (*events_invalid)(store *s, int64_t opp, bool *found, int64_t *bad_opp,
                          int64_t *bad_seq, kanal_error *err);
    int (*event_count)(store *s, int64_t opp, int64_t *n, int64_t *max_seq, kanal_error *err);

    /* schema 4: changing a live process */
    int (*opp_set_version)(store *s, int64_t id, int version, const char *stage, kanal_error *err);
    int (*goal_waive)(store *s, int64_t opp, const char *goal, const char *at, kanal_error *err);
    int (*goals_waived)(store *s, kanal_arena *a, int64_t opp, store_pair **out, size_t *n,
                        kanal_error *err);
    int (*workflow_set_retired)(store *s, const char *id, const char *at, const char *by,
                                kanal_error *err);
    int (*workflow_retired)(store *s, kanal_arena *a, const char *id, const char **at,
                            kanal_error *err);
    int (*report_waived)(store *s, kanal_arena *a, const store_scope *sc, store_count **out,
                         size_t *n, kanal_error *err);

    int (*rebuild_visits)(store *s, kanal_error *err);
    int (*copying)(store *s, bool on, kanal_error *err);

    int (*report_lost)(store *s, kanal_arena *a, const store_scope *sc, store_by by,
                       store_count **out, size_t *n, kanal_error *err);
    int (*report_outcomes)(store *s, kanal_arena *a, const store_scope *sc, store_count **out,
                           size_t *n, kanal_error *err);
    int (*report_activities)(store *s, kanal_arena *a, const store_scope *sc, store_count **out,
                             size_t *n, kanal_error *err);
    int (*report_first_touch)(store *s, kanal_arena *a, const store_scope *sc, store_count **out,
                              size_t *n, kanal_error *err);
    int (*report_stages)(store *s, kanal_arena *a, const store_scope *sc, store_stage_row **out,
                         size_t *n, kanal_error *err);
    int (*report_open)(store *s, kanal_arena *a, const store_scope *sc,
                       const store_stage_limit *limits, size_t n_limits, store_open_row **out,
                       size_t *n, kanal_error *err);
    int (*report_goals)(store *s, kanal_arena *a, const store_scope *sc,
                        const store_goal_order *order, size_t n_order, store_goal_row **out,
                        size_t *n, kanal_error *err);
    int (*report_win_days)(store *s, const store_scope *sc, store_win_days *out, kanal_error *err);

    /* version 2: deals */
    int (*opp_won_latest)(store *s, int64_t partner_id, int64_t *id, kanal_error *err);
    int (*deal_insert)(store *s, const kanal_deal *d, int64_t *id, kanal_error *err);
    int (*deal_get)(store *s, kanal_arena *a, int64_t id, kanal_deal *out, kanal_error *err);
    int (*deal_end)(store *s, int64_t id, const char *ended_on, kanal_error *err);
    int (*deal_open_for)(store *s, int64_t partner_id, const char *client, int64_t *id,
                         kanal_error *err);
    int (*deals_list)(store *s, kanal_arena *a, const store_deal_filter *f, kanal_deal **out,
                      size_t *n, kanal_error *err);

    /* version 3: next contact */
    int (*opp_set_next)(store *s, int64_t id, const char *next_contact_at, kanal_error *err);

    /* version 4: editing users */
    int (*user_update)(store *s, const char *id, const char *name, const char *const *roles,
                       size_t n_roles, kanal_error *err);
    /* version 4: search */
    int (*notes_list)(store *s, kanal_arena *a, const char *owner, store_note **out, size_t *n,
                      kanal_error *err);
    int (*partners_by_fold)(store *s, kanal_arena *a, const char *name, kanal_partner **out,
                            size_t *n, kanal_error *err);
    int (*partner_clash)(store *s, kanal_arena *a, const char *name_key, const char *name,
                         int64_t other_than, kanal_partner *out, kanal_error *err);
    /* kanal doctor */
    int (*check)(store *s, kanal_arena *a, store_pair **out, size_t *n, kanal_error *err);

    /* version 5: voiding */
    int (*activity_void)(store *s, int64_t opp, const kanal_activity *act, const char *voided_at,
                         kanal_error *err);
    int (*goal_undo)(store *s, int64_t opp, const char *goal, kanal_error *err);

    /* version 6: contacts */
    int (*contact_insert)(store *s, const kanal_contact *c, int64_t *id, kanal_error *err);
    int (*contact_get)(store *s, kanal_arena *a, int64_t id, kanal_contact *out, kanal_error *err);
    int (*contact_update)(store *s, const kanal_contact *c, kanal_error *err);
    int (*contact_remove)(store *s, int64_t id, const char *removed_at, kanal_error *err);
    int (*contacts_list)(store *s, kanal_arena *a, int64_t partner_id, bool include_removed,
                         kanal_contact **out, size_t *n, kanal_error *err);
    int (*opps_closed_of_partner)(store *s, kanal_arena *a, int64_t partner_id, int64_t **ids,
                                  size_t *n, kanal_error *err);
} store_methods;

/* Every backend's handle begins with this. */
struct store {
    const store_methods *m;
};

/* The schema version of a new database, whatever the backend (4: deals; 5: next contact;
   6: editing users; 7: voided activities; 8: the people at partners, partners' fold keys). */
#define STORE_SCHEMA_VERSION 8

/* ---- opening --------------------------------------------------------------------- */

/*
** Opens the database at `location` with the backend it names (a
** postgresql:// URI or a libpq connection string "host=... dbname=...":
** PostgreSQL; anything else is a path: SQLite). With create, it must not exist and is created, exclusively, with
** the schema; without, it must exist (KANAL_ENOTFOUND), be the backend's
** and Kanal's — checked before anything is written — and is migrated
** forward when older.
*/
int store_open(store **out, const char *location, bool create, kanal_error *err);

/* The SQLite backend (store/sqlite). */
int store_sqlite_open(store **out, const char *path, bool create, kanal_error *err);
/* The PostgreSQL backend (store/postgres): a postgresql:// URI or a libpq connection string. */
int store_pg_open(store **out, const char *location, bool create, kanal_error *err);
/* Whether a location names a PostgreSQL database rather than a file. */
bool store_pg_location(const char *location);

/* ---- the functions, through the backend ---------------------------------------------- */

/* Closes the store; NULL does nothing. */
static inline void store_close(store *s)
{
    if (s)
        s->m->close(s);
}

/* Closes, and removes the database when this store created it (a failed init). */
static inline void store_discard(store *s)
{
    if (s)
        s->m->discard(s);
}

/* Where the database is: for SQLite, the absolute path of the file (borrowed). */
static inline const char *store_path(const store *s)
{
    return s->m->location(s);
}

/*
** Who the database says is acting — the role logged in as, on a server that
** knows its users — or NULL when it takes whoever is named (SQLite; the
** database's owner on PostgreSQL, who could do anything in it anyway).
*/
static inline const char *store_identity(const store *s)
{
    return s->m->identity(s);
}

/* Whether what keeps the event log append-only is all in place. */
static inline int store_log_protected(store *s, bool *yes, kanal_error *err)
{
    return s->m->log_protected(s, yes, err);
}

/*
** Appends a canonical text of everything the store holds (every record,
** in a fixed order, without ids the backend assigns on its own): two stores
** that hold the same record give the same digest. For tests and checks.
*/
static inline int store_digest(store *s, kanal_buf *out, kanal_error *err)
{
    return s->m->digest(s, out, err);
}

/*
** A database made by store_open(create) is not at its location until it is
** published: complete (its first admin committed), it is put there — never
** over anything that came there meanwhile (KANAL_EREFUSED) — and *s becomes
** the store opened there (on failure: NULL, the new database gone).
*/
static inline int store_publish(store **s, kanal_error *err)
{
    return (*s)->m->publish(*s, s, err);
}

/* Transactions nest: the outermost takes the write lock, inner ones are savepoints. */
static inline int store_begin(store *s, kanal_error *err) { return s->m->begin(s, err); }
/* A transaction that only reads: a snapshot of the record that holds no lock
   against writers (inside another transaction, a savepoint). Ended by
   store_commit or store_rollback. */
static inline int store_begin_read(store *s, kanal_error *err)
{
    return s->m->begin_read(s, err);
}
static inline int store_commit(store *s, kanal_error *err) { return s->m->commit(s, err); }
static inline void store_rollback(store *s) { s->m->rollback(s); }
static inline int store_depth(const store *s) { return s->m->depth(s); }

/* Users */
static inline int store_user_insert(store *s, const char *id, const char *name,
                                    const char *const *roles, size_t n_roles, const char *at,
                                    kanal_error *err)
{
    return s->m->user_insert(s, id, name, roles, n_roles, at, err);
}
static inline int store_user_get(store *s, kanal_arena *a, const char *id, kanal_user *out,
                                 kanal_error *err)
{
    return s->m->user_get(s, a, id, out, err);
}
static inline int store_user_set_active(store *s, const char *id, bool active,
                                        kanal_error *err)
{
    return s->m->user_set_active(s, id, active, err);
}
static inline int store_count_active_with_role(store *s, const char *role, int *n,
                                               kanal_error *err)
{
    return s->m->count_active_with_role(s, role, n, err);
}
/* Every user, by id, with their roles (sorted). */
static inline int store_users_list(store *s, kanal_arena *a, kanal_user **out, size_t *n,
                                   kanal_error *err)
{
    return s->m->users_list(s, a, out, n, err);
}

/* Workflow versions. version 0: the latest. */
static inline int store_workflow_get(store *s, kanal_arena *a, const char *id, int version,
                                     kanal_workflow_version *out, kanal_error *err)
{
    return s->m->workflow_get(s, a, id, version, out, err);
}
/* The latest version number of a workflow (KANAL_ENOTFOUND when it has none). */
static inline int store_workflow_latest(store *s, const char *id, int *version,
                                        kanal_error *err)
{
    return s->m->workflow_latest(s, id, version, err);
}
static inline int store_workflow_insert(store *s, const kanal_workflow_version *v,
                                        const char *name, kanal_error *err)
{
    return s->m->workflow_insert(s, v, name, err);
}
/* The ids of every stored workflow, sorted. */
static inline int store_workflow_ids(store *s, kanal_arena *a, const char ***ids, size_t *n,
                                     kanal_error *err)
{
    return s->m->workflow_ids(s, a, ids, n, err);
}
/* Each workflow's latest version, by id. */
static inline int store_workflows_list(store *s, kanal_arena *a, store_workflow_row **out,
                                       size_t *n, kanal_error *err)
{
    return s->m->workflows_list(s, a, out, n, err);
}

/* A workflow taken out of use (at, by), or back in use (at NULL). */
static inline int store_workflow_set_retired(store *s, const char *id, const char *at,
                                             const char *by, kanal_error *err)
{
    return s->m->workflow_set_retired(s, id, at, by, err);
}
/* When it was retired (*at NULL: in use). */
static inline int store_workflow_retired(store *s, kanal_arena *a, const char *id, const char **at,
                                         kanal_error *err)
{
    return s->m->workflow_retired(s, a, id, at, err);
}

/* Partners */
static inline int store_partner_insert(store *s, const kanal_partner *p, const char *name_key,
                                       int64_t *id, kanal_error *err)
{
    return s->m->partner_insert(s, p, name_key, id, err);
}
static inline int store_partner_by_id(store *s, kanal_arena *a, int64_t id, kanal_partner *out,
                                      kanal_error *err)
{
    return s->m->partner_by_id(s, a, id, out, err);
}
static inline int store_partner_by_name(store *s, kanal_arena *a, const char *name,
                                        kanal_partner *out, kanal_error *err)
{
    return s->m->partner_by_name(s, a, name, out, err);
}
static inline int store_partner_by_key(store *s, kanal_arena *a, const char *name_key,
                                       kanal_partner *out, kanal_error *err)
{
    return s->m->partner_by_key(s, a, name_key, out, err);
}
static inline int store_partner_set_owner(store *s, int64_t id, const char *owner,
                                          kanal_error *err)
{
    return s->m->partner_set_owner(s, id, owner, err);
}
static inline int store_partner_update(store *s, const kanal_partner *p, const char *name_key,
                                       kanal_error *err)
{
    return s->m->partner_update(s, p, name_key, err);
}
static inline int store_partners_owned_by(store *s, kanal_arena *a, const char *owner,
                                          int64_t **ids, size_t *n, kanal_error *err)
{
    return s->m->partners_owned_by(s, a, owner, ids, n, err);
}
/* Partners by id, narrowed to an owner and a type (NULL: any). */
static inline int store_partners_list(store *s, kanal_arena *a, const char *owner,
                                      const char *type, kanal_partner **out, size_t *n,
                                      kanal_error *err)
{
    return s->m->partners_list(s, a, owner, type, out, n, err);
}

/* Opportunities */
static inline int store_opp_insert(store *s, const store_opp_row *r, int64_t *id,
                                   kanal_error *err)
{
    return s->m->opp_insert(s, r, id, err);
}
static inline int store_opp_get(store *s, kanal_arena *a, int64_t id, store_opp_row *out,
                                kanal_error *err)
{
    return s->m->opp_get(s, a, id, out, err);
}
/* The open opportunity of a partner in a workflow (*id 0 when none). */
static inline int store_opp_open_for(store *s, int64_t partner_id, const char *workflow,
                                     int64_t *id, kanal_error *err)
{
    return s->m->opp_open_for(s, partner_id, workflow, id, err);
}
static inline int store_opp_set_stage(store *s, int64_t id, const char *stage, const char *at,
                                      kanal_error *err)
{
    return s->m->opp_set_stage(s, id, stage, at, err);
}
/* Moves an opportunity to another version of its workflow, in `stage` of it
   (its stage renamed by a map, or the same): its time in the stage goes on. */
static inline int store_opp_set_version(store *s, int64_t id, int version, const char *stage,
                                        kanal_error *err)
{
    return s->m->opp_set_version(s, id, version, stage, err);
}
/* A goal of a stage the opportunity had passed when its version got it: not required of it. */
static inline int store_goal_waive(store *s, int64_t opp, const char *goal, const char *at,
                                   kanal_error *err)
{
    return s->m->goal_waive(s, opp, goal, at, err);
}
static inline int store_goals_waived(store *s, kanal_arena *a, int64_t opp, store_pair **out,
                                     size_t *n, kanal_error *err)
{
    return s->m->goals_waived(s, a, opp, out, n, err);
}
static inline int store_opp_close(store *s, int64_t id, kanal_status status, const char *at,
                                  const char *lost_reason, kanal_error *err)
{
    return s->m->opp_close(s, id, status, at, lost_reason, err);
}
static inline int store_opp_set_owner(store *s, int64_t id, const char *owner,
                                      kanal_error *err)
{
    return s->m->opp_set_owner(s, id, owner, err);
}
/* Notes an event: the latest event time (never earlier) and the sequence number. */
static inline int store_opp_touch(store *s, int64_t id, const char *at, int64_t seq,
                                  kanal_error *err)
{
    return s->m->opp_touch(s, id, at, seq, err);
}
static inline int store_opps_open_of_partner(store *s, kanal_arena *a, int64_t partner_id,
                                             int64_t **ids, size_t *n, kanal_error *err)
{
    return s->m->opps_open_of_partner(s, a, partner_id, ids, n, err);
}
/* The owner's open opportunities, the longest in their stage first. */
static inline int store_opps_open_of_owner(store *s, kanal_arena *a, const char *owner,
                                           int64_t **ids, size_t *n, kanal_error *err)
{
    return s->m->opps_open_of_owner(s, a, owner, ids, n, err);
}
/* The owner's open opportunities, of one workflow (NULL: of all). */
static inline int store_open_count(store *s, const char *owner, const char *workflow, int *n,
                                   kanal_error *err)
{
    return s->m->open_count(s, owner, workflow, n, err);
}
/* Opportunities by id, with their partner's name. */
static inline int store_opps_list(store *s, kanal_arena *a, const store_opp_filter *f,
                                  store_opp_row **out, size_t *n, kanal_error *err)
{
    return s->m->opps_list(s, a, f, out, n, err);
}

/* Goals, fields, activities of one opportunity */
static inline int store_goal_mark_done(store *s, int64_t opp, const char *goal, const char *at,
                                       const char *by, kanal_error *err)
{
    return s->m->goal_mark_done(s, opp, goal, at, by, err);
}
/* goal, done_at */
static inline int store_goals_done(store *s, kanal_arena *a, int64_t opp, store_pair **out,
                                   size_t *n, kanal_error *err)
{
    return s->m->goals_done(s, a, opp, out, n, err);
}
/* value NULL: clears the field. */
static inline int store_field_put(store *s, int64_t opp, const char *field, const char *value,
                                  const char *at, kanal_error *err)
{
    return s->m->field_put(s, opp, field, value, at, err);
}
/* field, value */
static inline int store_field_values(store *s, kanal_arena *a, int64_t opp, store_pair **out,
                                     size_t *n, kanal_error *err)
{
    return s->m->field_values(s, a, opp, out, n, err);
}
static inline int store_activity_insert(store *s, int64_t opp, const char *type,
                                        const char *at, const char *actor, const char *note,
                                        kanal_error *err)
{
    return s->m->activity_insert(s, opp, type, at, actor, note, err);
}
/* In time order; of one type, or of every type when type is NULL. */
static inline int store_activities(store *s, kanal_arena *a, int64_t opp, const char *type,
                                   kanal_activity **out, size_t *n, kanal_error *err)
{
    return s->m->activities(s, a, opp, type, out, n, err);
}

/* The event log: append-only. e->opp 0 for events outside any opportunity
   (their seq and workflow are then ignored). */
static inline int store_event_insert(store *s, const store_event *e, kanal_error *err)
{
    return s->m->event_insert(s, e, err);
}
/* One opportunity's events, by seq. */
static inline int store_events(store *s, kanal_arena *a, int64_t opp, store_event **out,
                               size_t *n, kanal_error *err)
{
    return s->m->events(s, a, opp, out, n, err);
}
/* The whole log, in the order it was recorded. */
static inline int store_events_all(store *s, kanal_arena *a, store_event **out, size_t *n,
                                   kanal_error *err)
{
    return s->m->events_all(s, a, out, n, err);
}
/*
** Damage done to the log outside Kanal: the first event of opportunity opp
** (0: of any) whose data is not valid JSON, as *bad_opp (0 for an event
** outside opportunities) and *bad_seq (its id when outside); *found false
** when there is none.
*/
static inline int store_events_invalid(store *s, int64_t opp, bool *found, int64_t *bad_opp,
                                       int64_t *bad_seq, kanal_error *err)
{
    return s->m->events_invalid(s, opp, found, bad_opp, bad_seq, err);
}
/* How many events opportunity opp has in the log, and the highest seq among them. */
static inline int store_event_count(store *s, int64_t opp, int64_t *n, int64_t *max_seq,
                                    kanal_error *err)
{
    return s->m->event_count(s, opp, n, max_seq, err);
}

/*
** Makes the stage visits again from the event log (a copied database, whose
** opportunities arrive in their final state, gets the history the funnel
** reads).
*/
static inline int store_rebuild_visits(store *s, kanal_error *err)
{
    return s->m->rebuild_visits(s, err);
}

/*
** While on, events are stored as given, the login included, where the backend
** would otherwise write who is logged in (PostgreSQL, for the database's
** owner only): a copy keeps the record as it was.
*/
static inline int store_copying(store *s, bool on, kanal_error *err)
{
    return s->m->copying(s, on, err);
}

/* ---- reports: each aggregates in the database, over the opportunities of a scope ---- */

/* Lost opportunities by workflow and reason (key), split by the stage they were lost
   in or their owner. */
static inline int store_report_lost(store *s, kanal_arena *a, const store_scope *sc, store_by by,
                                    store_count **out, size_t *n, kanal_error *err)
{
    return s->m->report_lost(s, a, sc, by, out, n, err);
}
/* Opportunities by owner (group) and status. */
static inline int store_report_outcomes(store *s, kanal_arena *a, const store_scope *sc,
                                        store_count **out, size_t *n, kanal_error *err)
{
    return s->m->report_outcomes(s, a, sc, out, n, err);
}
/* Activities logged on them by owner (group) and type (key). */
static inline int store_report_activities(store *s, kanal_arena *a, const store_scope *sc,
                                          store_count **out, size_t *n, kanal_error *err)
{
    return s->m->report_activities(s, a, sc, out, n, err);
}
/* Opportunities by owner (group), the type of their first activity (key; NULL: none
   yet) and status. */
static inline int store_report_first_touch(store *s, kanal_arena *a, const store_scope *sc,
                                           store_count **out, size_t *n, kanal_error *err)
{
    return s->m->report_first_touch(s, a, sc, out, n, err);
}
/* Per stage entered: how its visits ended, and the median and p90 (nearest rank) of
   the days spent by those that left it. */
static inline int store_report_stages(store *s, kanal_arena *a, const store_scope *sc,
                                      store_stage_row **out, size_t *n, kanal_error *err)
{
    return s->m->report_stages(s, a, sc, out, n, err);
}
/* The opportunities open at as_of; with limits, only those that had been longer
   than their stage's limit in it then (whole days, as kanal_days_between counts),
   the longest first. */
static inline int store_report_open(store *s, kanal_arena *a, const store_scope *sc,
                                    const store_stage_limit *limits, size_t n_limits,
                                    store_open_row **out, size_t *n, kanal_error *err)
{
    return s->m->report_open(s, a, sc, limits, n_limits, out, n, err);
}
/* Per goal done: how often, how often before a goal it waits for (order), and the
   outcomes of the opportunities it was done on. */
static inline int store_report_goals(store *s, kanal_arena *a, const store_scope *sc,
                                     const store_goal_order *order, size_t n_order,
                                     store_goal_row **out, size_t *n, kanal_error *err)
{
    return s->m->report_goals(s, a, sc, order, n_order, out, n, err);
}
/* Per goal not required of opportunities (migrated past its stage): key the goal, by status. */
static inline int store_report_waived(store *s, kanal_arena *a, const store_scope *sc,
                                      store_count **out, size_t *n, kanal_error *err)
{
    return s->m->report_waived(s, a, sc, out, n, err);
}
/* How many were won by as_of, and the median of the days from each one's creation to
   its win (the middle value, or the mean of the two middle ones). */
static inline int store_report_win_days(store *s, const store_scope *sc, store_win_days *out,
                                        kanal_error *err)
{
    return s->m->report_win_days(s, sc, out, err);
}

/* ---- deals: the clients won partners bring ------------------------------------------ */

/* The partner's latest won opportunity, by the time it was won (*id 0 when none). */
static inline int store_opp_won_latest(store *s, int64_t partner_id, int64_t *id, kanal_error *err)
{
    return s->m->opp_won_latest(s, partner_id, id, err);
}
/*
** Stores a deal: partner_id, opp, client, value_cents, signed_on, ended_on,
** created_at and created_by of d (the rest is ignored); *id is the next
** number, 1 and up without gaps.
*/
static inline int store_deal_insert(store *s, const kanal_deal *d, int64_t *id, kanal_error *err)
{
    return s->m->deal_insert(s, d, id, err);
}
/* One deal, with its partner's name and its opportunity's workflow and version. */
static inline int store_deal_get(store *s, kanal_arena *a, int64_t id, kanal_deal *out,
                                 kanal_error *err)
{
    return s->m->deal_get(s, a, id, out, err);
}
/* Records the day the deal's client left. */
static inline int store_deal_end(store *s, int64_t id, const char *ended_on, kanal_error *err)
{
    return s->m->deal_end(s, id, ended_on, err);
}
/* The partner's deal with that client that has not ended (*id 0 when none). */
static inline int store_deal_open_for(store *s, int64_t partner_id, const char *client, int64_t *id,
                                      kanal_error *err)
{
    return s->m->deal_open_for(s, partner_id, client, id, err);
}
/* Deals by id, with their partner's name and their opportunity's workflow and version. */
static inline int store_deals_list(store *s, kanal_arena *a, const store_deal_filter *f,
                                   kanal_deal **out, size_t *n, kanal_error *err)
{
    return s->m->deals_list(s, a, f, out, n, err);
}

/* Sets when the owner means to act next on an opportunity (YYYY-MM-DD; NULL: none). */
static inline int store_opp_set_next(store *s, int64_t id, const char *next_contact_at,
                                     kanal_error *err)
{
    return s->m->opp_set_next(s, id, next_contact_at, err);
}

/* The partners whose names fold as name does (case, accents and blanks aside: schema 8),
   by id. */
static inline int store_partners_by_fold(store *s, kanal_arena *a, const char *name,
                                         kanal_partner **out, size_t *n, kanal_error *err)
{
    return s->m->partners_by_fold(s, a, name, out, n, err);
}

/*
** The partner a new name would repeat: one whose name_key is name_key or whose
** name folds as name does (Hurtownia Lodz and Hurtownia Łódź), other than
** partner other_than (0: any), whoever owns it — its id, name and owner only
** (the rest NULL). KANAL_ENOTFOUND when none.
*/
static inline int store_partner_clash(store *s, kanal_arena *a, const char *name_key,
                                      const char *name, int64_t other_than, kanal_partner *out,
                                      kanal_error *err)
{
    return s->m->partner_clash(s, a, name_key, name, other_than, out, err);
}

/*
** The backend's own checks of the database (kanal doctor): each problem found
** as a pair of the check's name ("integrity_check", "foreign_key_check",
** "constraint", "row_security") and what it found, in words. None: *n 0.
*/
static inline int store_check(store *s, kanal_arena *a, store_pair **out, size_t *n,
                              kanal_error *err)
{
    return s->m->check(s, a, out, n, err);
}

/* The notes on the opportunities of owner (NULL: of all), by opportunity and seq. */
static inline int store_notes_list(store *s, kanal_arena *a, const char *owner, store_note **out,
                                   size_t *n, kanal_error *err)
{
    return s->m->notes_list(s, a, owner, out, n, err);
}

/* Renames a user and sets their roles (and, where logins are the server's, the
   groups those roles put the login in). */
static inline int store_user_update(store *s, const char *id, const char *name,
                                    const char *const *roles, size_t n_roles, kanal_error *err)
{
    return s->m->user_update(s, id, name, roles, n_roles, err);
}

/* ---- voiding: an activity or a field change logged by mistake ------------------------ */

/*
** Marks voided (at voided_at) the first activity of opportunity opp, by id, that
** is not voided yet and is act's: its type, time, actor and note (NULL: none).
** Two activities alike in all of these are one as far as any reader can tell,
** so voiding either is the same. A voided activity is left out of
** store_activities, opp_get's last_activity_at, the digest, and the reports of
** any moment from voided_at on. KANAL_ENOTFOUND when none matches.
*/
static inline int store_activity_void(store *s, int64_t opp, const kanal_activity *act,
                                      const char *voided_at, kanal_error *err)
{
    return s->m->activity_void(s, opp, act, voided_at, err);
}
/* A goal done on opportunity opp is not done any more (nothing when it was not). */
static inline int store_goal_undo(store *s, int64_t opp, const char *goal, kanal_error *err)
{
    return s->m->goal_undo(s, opp, goal, err);
}

/* ---- contacts: the people at partners ------------------------------------------------ */

/*
** Stores a contact: partner_id, name, role, email, phone, created_at,
** created_by and removed_at of c (the rest is ignored); *id is the next
** number, 1 and up without gaps.
*/
static inline int store_contact_insert(store *s, const kanal_contact *c, int64_t *id,
                                       kanal_error *err)
{
    return s->m->contact_insert(s, c, id, err);
}
/* One contact, removed or not, with its partner's name. */
static inline int store_contact_get(store *s, kanal_arena *a, int64_t id, kanal_contact *out,
                                    kanal_error *err)
{
    return s->m->contact_get(s, a, id, out, err);
}
/* Writes name, role, email and phone of contact c->id. */
static inline int store_contact_update(store *s, const kanal_contact *c, kanal_error *err)
{
    return s->m->contact_update(s, c, err);
}
/* Marks a contact removed at that time; its row stays. */
static inline int store_contact_remove(store *s, int64_t id, const char *removed_at,
                                       kanal_error *err)
{
    return s->m->contact_remove(s, id, removed_at, err);
}
/* The contacts of a partner (0: of every partner), by id, with their partner's name;
   the removed ones too when include_removed. */
static inline int store_contacts_list(store *s, kanal_arena *a, int64_t partner_id,
                                      bool include_removed, kanal_contact **out, size_t *n,
                                      kanal_error *err)
{
    return s->m->contacts_list(s, a, partner_id, include_removed, out, n, err);
}
/* The partner's won and lost opportunities, the latest closed first. */
static inline int store_opps_closed_of_partner(store *s, kanal_arena *a, int64_t partner_id,
                                               int64_t **ids, size_t *n, kanal_error *err)
{
    return s->m->opps_closed_of_partner(s, a, partner_id, ids, n, err);
}

#endif
