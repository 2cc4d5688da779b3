/*
** sqlite_int.h — what the files of the SQLite backend share: the handle and
** a few helpers. Nothing outside store/sqlite includes it.
*/
#ifndef KANAL_STORE_SQLITE_INT_H
#define KANAL_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <sys/types.h>

#include "store/store.h"

#define CACHE_SIZE 96

typedef struct sq {
    store base; /* first: the methods */
    sqlite3 *db;
    int depth;
    char *real;       /* the file SQLite opened */
    char *publish_to; /* a new database: the path it will be linked to */
    char *user_path;  /* a new database: the path as the user gave it */
    bool reading;     /* the outermost transaction only reads (a report) */
    bool created;     /* this store created it (kanal init): dev, ino */
    dev_t dev;
    ino_t ino;
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } cache[CACHE_SIZE];
    size_t n_cache;
    kanal_folder *folder; /* partners' fold keys (schema 8), made on first use */
    bool folder_tried;
} sq;

/* An error of the connection in words (busy, full, out of memory...). */
int store_sqlite_fail(sq *s, kanal_error *err, const char *doing);
/* A text column as SQLite holds it; NULL for NULL, and NULL with *oom set when
   SQLite could not make the text (out of memory: not a NULL to act on). */
static inline const char *store_sqlite_column(sqlite3_stmt *st, int i, bool *oom)
{
    int type = sqlite3_column_type(st, i); /* before: a failed copy makes the value NULL */
    const unsigned char *v = sqlite3_column_text(st, i);
    if (!v && type != SQLITE_NULL)
        *oom = true;
    return (const char *)v;
}
/* A text column copied into the arena; NULL for NULL (*oom set when it cannot be). */
const char *store_sqlite_text(kanal_arena *a, sqlite3_stmt *st, int i, bool *oom);
/* Ends a query whose rows were gathered in b (records of `size` bytes): on success
 *out points to them in the arena and *n counts them. Releases b. */
int store_sqlite_rows_done(sq *s, kanal_arena *a, kanal_buf *b, int step_rc, bool oom, size_t size,
                           void *out, size_t *n, kanal_error *err, const char *doing);

/* reports.c */
/* Fills stage_visits from the log (the migration to schema v3). */
int store_sqlite_backfill_visits(sq *s, kanal_error *err);
int store_sqlite_report_lost(store *s, kanal_arena *a, const store_scope *sc, store_by by,
                             store_count **out, size_t *n, kanal_error *err);
int store_sqlite_report_outcomes(store *s, kanal_arena *a, const store_scope *sc, store_count **out,
                                 size_t *n, kanal_error *err);
int store_sqlite_report_activities(store *s, kanal_arena *a, const store_scope *sc,
                                   store_count **out, size_t *n, kanal_error *err);
int store_sqlite_report_first_touch(store *s, kanal_arena *a, const store_scope *sc,
                                    store_count **out, size_t *n, kanal_error *err);
int store_sqlite_report_stages(store *s, kanal_arena *a, const store_scope *sc,
                               store_stage_row **out, size_t *n, kanal_error *err);
int store_sqlite_report_open(store *s, kanal_arena *a, const store_scope *sc,
                             const store_stage_limit *limits, size_t n_limits, store_open_row **out,
                             size_t *n, kanal_error *err);
int store_sqlite_report_waived(store *s, kanal_arena *a, const store_scope *sc, store_count **out,
                               size_t *n, kanal_error *err);
int store_sqlite_report_goals(store *s, kanal_arena *a, const store_scope *sc,
                              const store_goal_order *order, size_t n_order, store_goal_row **out,
                              size_t *n, kanal_error *err);
int store_sqlite_report_win_days(store *s, const store_scope *sc, store_win_days *out,
                                 kanal_error *err);

#endif
