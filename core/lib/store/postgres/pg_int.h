/*
** pg_int.h — what the files of the PostgreSQL backend share: the handle and
** the helpers that run a statement. Nothing outside store/postgres includes it.
*/
#ifndef KANAL_STORE_PG_INT_H
#define KANAL_STORE_PG_INT_H

#include <libpq-fe.h>

#include "store/postgres/pg_libpq.h"

#include "store/store.h"

typedef struct pg {
    store base;         /* first: the methods */
    PGconn *conn;
    int depth;          /* transactions open, the creation's included */
    bool creating;      /* kanal init: the schema is made in a transaction kept open */
    bool reading;       /* the outermost transaction only reads (a report) */
    char *where;        /* the server and database, for messages (no password) */
    char *identity;     /* the role logged in as, unless it owns the database (NULL) */
    kanal_folder *folder; /* partners' fold keys (schema 8), made on first use */
    bool folder_tried;
} pg;

/*
** Runs sql with n text parameters ($1..$n; NULL is SQL NULL). Returns the
** result (the caller PQclear()s it), or NULL with err filled: what was being
** done, and what the server said, in words.
*/
PGresult *store_pg_run(pg *s, const char *sql, int n, const char *const *params,
                       kanal_error *err, const char *doing);
/* Runs sql with no parameters and no rows wanted. */
int store_pg_exec(pg *s, const char *sql, kanal_error *err, const char *doing);
/* A value of a result, copied into the arena; NULL for SQL NULL (*oom set when it cannot be). */
const char *store_pg_text(kanal_arena *a, const PGresult *r, int row, int col, bool *oom);
/* A value of a result as an integer (0 for NULL). */
int64_t store_pg_int(const PGresult *r, int row, int col);
/* Copies the n records of size `size` gathered in b into the arena: *out, *count. Releases b. */
int store_pg_rows(kanal_arena *a, kanal_buf *b, bool oom, size_t size, void *out, size_t *count,
                  kanal_error *err);

/* pg_schema.c: the schema, and the names of the event types inside SQL */
extern const char store_pg_schema[];
/* the roles, grants and row-level security, run after the schema */
extern const char store_pg_security[];
extern const char store_pg_schema_v4[];
extern const char store_pg_security_v4[];
/* schema version 4's deals (table, security), run after the security */
extern const char store_pg_schema_v4_deals[];
extern const char store_pg_schema_v5_contacts[];
extern const char store_pg_schema_v6_users[];
extern const char store_pg_schema_v8_fold[];
extern const char store_pg_schema_v7_void[];
extern const char store_pg_schema_v8_people[];
/* pg_reports.c */
int store_pg_report_lost(store *s, kanal_arena *a, const store_scope *sc, store_by by,
                         store_count **out, size_t *n, kanal_error *err);
int store_pg_report_outcomes(store *s, kanal_arena *a, const store_scope *sc, store_count **out,
                             size_t *n, kanal_error *err);
int store_pg_report_activities(store *s, kanal_arena *a, const store_scope *sc,
                               store_count **out, size_t *n, kanal_error *err);
int store_pg_report_first_touch(store *s, kanal_arena *a, const store_scope *sc,
                                store_count **out, size_t *n, kanal_error *err);
int store_pg_report_stages(store *s, kanal_arena *a, const store_scope *sc,
                           store_stage_row **out, size_t *n, kanal_error *err);
int store_pg_report_open(store *s, kanal_arena *a, const store_scope *sc,
                         const store_stage_limit *limits, size_t n_limits, store_open_row **out,
                         size_t *n, kanal_error *err);
int store_pg_report_waived(store *s, kanal_arena *a, const store_scope *sc, store_count **out,
                           size_t *n, kanal_error *err);
int store_pg_report_goals(store *s, kanal_arena *a, const store_scope *sc,
                          const store_goal_order *order, size_t n_order, store_goal_row **out,
                          size_t *n, kanal_error *err);
int store_pg_report_win_days(store *s, const store_scope *sc, store_win_days *out,
                             kanal_error *err);

#endif
