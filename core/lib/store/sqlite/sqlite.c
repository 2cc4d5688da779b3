/*
** sqlite.c — the SQLite backend of the store: the schema, its migrations,
** and every query, behind the store_methods table at the end.
**
** One connection per handle, in WAL mode with synchronous=FULL (a rep's
** record must survive a power cut), foreign keys on and a busy timeout, so
** that concurrent commands wait for each other instead of failing.
** Statements are prepared once and kept (the cache below): an import of a
** hundred thousand rows runs the same dozen statements over and over.
*/
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/sqlite/sqlite_int.h"

/* the open status, as SQL spells it inside a literal */
#define SQL_OPEN KANAL_STATUS_OPEN_NAME

#define KANAL_APPLICATION_ID 0x4B4E4C31 /* "KNL1" */
#define BUSY_TIMEOUT_MS 30000
/* A page cache large enough that a long transaction (an import) does not
   spill pages to the WAL before it commits; a transaction that only reads
   (a report reads much, once) gets a small one, so that its memory stays flat
   however large the record. */
#define CACHE_PRAGMA "PRAGMA cache_size = -32768"
#define READ_CACHE_PRAGMA "PRAGMA cache_size = -2048"

static const char schema_v1[] =
    "CREATE TABLE users("
    "  id TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
    "  created_at TEXT NOT NULL) STRICT;"
    "CREATE TABLE user_roles("
    "  user_id TEXT NOT NULL REFERENCES users(id),"
    "  role TEXT NOT NULL,"
    "  PRIMARY KEY (user_id, role)) STRICT, WITHOUT ROWID;"
    "CREATE TABLE workflow_versions("
    "  workflow TEXT NOT NULL,"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  name TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  yaml TEXT NOT NULL,"
    "  rules_file TEXT,"
    "  rules TEXT,"
    "  hash TEXT NOT NULL,"
    "  applied_at TEXT NOT NULL,"
    "  applied_by TEXT NOT NULL REFERENCES users(id),"
    "  PRIMARY KEY (workflow, version)) STRICT;"
    "CREATE TABLE partners("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  name_key TEXT NOT NULL UNIQUE," /* the name folded to lower case */
    "  type TEXT NOT NULL,"
    "  owner TEXT REFERENCES users(id),"
    "  email TEXT, phone TEXT, city TEXT, tax_id TEXT,"
    "  created_at TEXT NOT NULL) STRICT;"
    "CREATE INDEX partners_owner ON partners(owner);"
    "CREATE INDEX partners_name ON partners(name);"
    "CREATE TABLE opportunities("
    "  id INTEGER PRIMARY KEY,"
    "  partner_id INTEGER NOT NULL REFERENCES partners(id),"
    "  workflow TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  owner TEXT NOT NULL REFERENCES users(id),"
    "  status TEXT NOT NULL CHECK (status IN ('" KANAL_STATUS_OPEN_NAME "', '"
    KANAL_STATUS_WON_NAME "', '" KANAL_STATUS_LOST_NAME "')),"
    "  stage TEXT NOT NULL,"
    "  stage_entered_at TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  closed_at TEXT,"
    "  lost_reason TEXT,"
    "  last_event_at TEXT NOT NULL,"
    "  last_seq INTEGER NOT NULL,"
    "  FOREIGN KEY (workflow, version) REFERENCES workflow_versions(workflow, version)) STRICT;"
    /* two reps never work the same partner in the same workflow at once */
    "CREATE UNIQUE INDEX opportunities_one_open ON opportunities(partner_id, workflow)"
    "  WHERE status = '" SQL_OPEN "';"
    "CREATE INDEX opportunities_owner ON opportunities(owner, status);"
    "CREATE TABLE goals_done("
    "  opp_id INTEGER NOT NULL REFERENCES opportunities(id),"
    "  goal TEXT NOT NULL,"
    "  done_at TEXT NOT NULL,"
    "  done_by TEXT NOT NULL,"
    "  PRIMARY KEY (opp_id, goal)) STRICT, WITHOUT ROWID;"
    "CREATE TABLE field_values("
    "  opp_id INTEGER NOT NULL REFERENCES opportunities(id),"
    "  field TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  set_at TEXT NOT NULL,"
    "  PRIMARY KEY (opp_id, field)) STRICT, WITHOUT ROWID;"
    "CREATE TABLE activities("
    "  id INTEGER PRIMARY KEY,"
    "  opp_id INTEGER NOT NULL REFERENCES opportunities(id),"
    "  type TEXT NOT NULL,"
    "  at TEXT NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  note TEXT) STRICT;"
    "CREATE INDEX activities_opp ON activities(opp_id, at);"
    "CREATE TABLE events("
    "  id INTEGER PRIMARY KEY,"
    "  opp_id INTEGER REFERENCES opportunities(id),"
    "  seq INTEGER,"
    "  at TEXT NOT NULL,"
    "  recorded_at TEXT NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  data TEXT NOT NULL CHECK (json_valid(data)),"
    "  workflow TEXT,"
    "  version INTEGER,"
    "  UNIQUE (opp_id, seq)) STRICT;"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;"
    /* INSERT OR REPLACE deletes without firing delete triggers */
    "CREATE TRIGGER events_no_replace BEFORE INSERT ON events"
    "  WHEN EXISTS (SELECT 1 FROM events WHERE id = NEW.id)"
    "    OR EXISTS (SELECT 1 FROM events WHERE opp_id = NEW.opp_id AND seq = NEW.seq)"
    "  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;";

/* v2: the operating-system login that ran the command, beside the Kanal
   actor, so that one user acting as another shows in the record. */
static const char schema_v2[] = "ALTER TABLE events ADD COLUMN login TEXT;";

/* v3: each stage an opportunity has been in, when it entered and left it and
   whether it left by closing (won, lost) or by advancing (outcome NULL): the
   funnel's record, kept by triggers from the opportunity's row so that no
   path that moves an opportunity can forget it, and filled from the log for
   the opportunities of older databases (store_sqlite_backfill_visits). */
static const char schema_v3[] =
    "CREATE TABLE stage_visits("
    "  id INTEGER PRIMARY KEY,"
    "  opp_id INTEGER NOT NULL REFERENCES opportunities(id),"
    "  stage TEXT NOT NULL,"
    "  entered_at TEXT NOT NULL,"
    "  left_at TEXT,"
    "  outcome TEXT CHECK (outcome IN ('" KANAL_STATUS_WON_NAME "', '" KANAL_STATUS_LOST_NAME
    "'))) STRICT;"
    "CREATE INDEX stage_visits_opp ON stage_visits(opp_id);"
    /* a report of the past rebuilds those changed since: found at once */
    "CREATE INDEX opportunities_last_event ON opportunities(last_event_at);"
    "CREATE TRIGGER stage_visit_first AFTER INSERT ON opportunities BEGIN"
    "  INSERT INTO stage_visits(opp_id, stage, entered_at)"
    "    VALUES (NEW.id, NEW.stage, NEW.stage_entered_at);"
    "END;"
    "CREATE TRIGGER stage_visit_next AFTER UPDATE OF stage, stage_entered_at ON opportunities"
    "  WHEN NEW.stage IS NOT OLD.stage OR NEW.stage_entered_at IS NOT OLD.stage_entered_at BEGIN"
    "  UPDATE stage_visits SET left_at = NEW.stage_entered_at"
    "    WHERE opp_id = NEW.id AND left_at IS NULL;"
    "  INSERT INTO stage_visits(opp_id, stage, entered_at)"
    "    VALUES (NEW.id, NEW.stage, NEW.stage_entered_at);"
    "END;"
    "CREATE TRIGGER stage_visit_closed AFTER UPDATE OF status ON opportunities"
    "  WHEN OLD.status = '" SQL_OPEN "' AND NEW.status IS NOT '" SQL_OPEN "' BEGIN"
    "  UPDATE stage_visits SET left_at = NEW.closed_at, outcome = NEW.status"
    "    WHERE opp_id = NEW.id AND left_at IS NULL;"
    "END;";

/* v4: changing a live process. A workflow taken out of use; the goals an
   opportunity moved to a newer version was never asked to do (their stage was
   behind it); and a move to another version is not a new visit to a stage:
   the visit goes on, under the stage's name in the new version. */
static const char schema_v4[] =
    "CREATE TABLE workflow_retired("
    "  workflow TEXT PRIMARY KEY,"
    "  retired_at TEXT NOT NULL,"
    "  retired_by TEXT NOT NULL) STRICT;"
    "CREATE TABLE goals_waived("
    "  opp_id INTEGER NOT NULL REFERENCES opportunities(id),"
    "  goal TEXT NOT NULL,"
    "  waived_at TEXT NOT NULL,"
    "  PRIMARY KEY (opp_id, goal)) STRICT, WITHOUT ROWID;"
    "DROP TRIGGER stage_visit_next;"
    "CREATE TRIGGER stage_visit_next AFTER UPDATE OF stage, stage_entered_at ON opportunities"
    "  WHEN (NEW.stage IS NOT OLD.stage OR NEW.stage_entered_at IS NOT OLD.stage_entered_at)"
    "   AND NEW.version IS OLD.version BEGIN"
    "  UPDATE stage_visits SET left_at = NEW.stage_entered_at"
    "    WHERE opp_id = NEW.id AND left_at IS NULL;"
    "  INSERT INTO stage_visits(opp_id, stage, entered_at)"
    "    VALUES (NEW.id, NEW.stage, NEW.stage_entered_at);"
    "END;"
    "CREATE TRIGGER stage_visit_migrated AFTER UPDATE OF version ON opportunities"
    "  WHEN NEW.version IS NOT OLD.version AND NEW.stage IS NOT OLD.stage BEGIN"
    "  UPDATE stage_visits SET stage = NEW.stage WHERE opp_id = NEW.id AND left_at IS NULL;"
    "END;";
/* v4, deals: the clients a won partner brings, each recorded on the partner's
   won opportunity, whose rules compute its commission. Kept in a block of its
   own: version 4 may hold other blocks beside it (migrations below). */
static const char schema_v4_deals[] = "CREATE TABLE deals("
                                      "  id INTEGER PRIMARY KEY,"
                                      "  partner_id INTEGER NOT NULL REFERENCES partners(id),"
                                      "  opp_id INTEGER NOT NULL REFERENCES opportunities(id),"
                                      "  client TEXT NOT NULL,"
                                      "  value_cents INTEGER NOT NULL CHECK (value_cents >= 0),"
                                      "  signed_on TEXT NOT NULL,"
                                      "  ended_on TEXT CHECK (ended_on >= signed_on),"
                                      "  created_at TEXT NOT NULL,"
                                      "  created_by TEXT NOT NULL REFERENCES users(id)) STRICT;"
                                      "CREATE INDEX deals_partner ON deals(partner_id, client);";

/* v5, next contact: when the owner means to act next on an opportunity. Kept in
   a block of its own: version 5 may hold other blocks beside it. */
static const char schema_v5_contacts[] =
    "ALTER TABLE opportunities ADD COLUMN next_contact_at TEXT;";

/* v7, voiding: an activity logged by mistake stays in the table (and its event in
   the log) but is marked with the time it was voided; readers leave it out from
   then on. Kept in a block of its own: version 7 may hold other blocks beside it. */
static const char schema_v7_void[] = "ALTER TABLE activities ADD COLUMN voided_at TEXT;";
/* v8, the people at partners: the contacts a rep talks to at each partner. A
   removed contact keeps its row (removed_at), as the log keeps its events. Kept
   in a block of its own: version 8 may hold other blocks beside it. */
static const char schema_v8_people[] = "CREATE TABLE contacts("
                                       "  id INTEGER PRIMARY KEY,"
                                       "  partner_id INTEGER NOT NULL REFERENCES partners(id),"
                                       "  name TEXT NOT NULL,"
                                       "  role TEXT, email TEXT, phone TEXT,"
                                       "  created_at TEXT NOT NULL,"
                                       "  created_by TEXT NOT NULL REFERENCES users(id),"
                                       "  removed_at TEXT) STRICT;"
                                       "CREATE INDEX contacts_partner ON contacts(partner_id);";

/* v8, partners as people name them: the name folded (case, accents and blanks
   aside: "Hurtownia Łódź" is "hurtownia lodz"), written by the store with the
   name, so that "Hurtownia Lodz" is found to be the same partner. Existing
   partners get theirs when the database is opened (backfill_fold_keys). */
static const char schema_v8_fold[] = "ALTER TABLE partners ADD COLUMN fold_key TEXT;"
                                     "CREATE INDEX partners_fold ON partners(fold_key);";

static int sq_begin(store *base_, kanal_error *err);
static int sq_commit(store *base_, kanal_error *err);
static void sq_rollback(store *base_);
static void sq_discard(store *base_);
static const store_methods sqlite_methods;
static int backfill_fold_keys(sq *s, kanal_error *err);

/* Migrations: the blocks of migrations[i] take the schema from version i to i + 1. */
/* clang-format off */
static const char *const migrations[][4] = {
    { schema_v1 },
    { schema_v2 },
    { schema_v3 },
    { schema_v4, schema_v4_deals },
    { schema_v5_contacts },
    { NULL }, /* v6: editing users needs nothing new here */
    { schema_v7_void },
    { schema_v8_people, schema_v8_fold },
};
/* clang-format on */

/* ---- errors and statements ------------------------------------------------ */

/*
** A value SQLite could not take (out of memory while copying it): the
** statement must not run with a NULL in its place, answering a question no
** one asked. Set by bind_text, cleared by prep; sq_step and db_fail read it.
*/
static _Thread_local bool bind_failed;

/*
** SQLite rolls a whole transaction back by itself after some errors (out of
** memory, a full disk, an I/O error). What follows must not run outside it,
** each statement committing on its own: from then on every statement, savepoint
** and commit of the transaction fails, until the caller rolls it back.
*/
static int lost_txn(sq *s, kanal_error *err)
{
    if (s->depth > 0 && sqlite3_get_autocommit(s->db))
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "the database rolled this command back after an error (out of "
                               "memory, a full disk or an I/O error): nothing of it was kept");
    return KANAL_OK;
}

static int db_fail(sq *s, kanal_error *err, const char *doing)
{
    if (bind_failed) {
        bind_failed = false;
        return kanal_error_nomem(err);
    }
    int code = sqlite3_extended_errcode(s->db);
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "the database is busy: another command held it for over %d "
                               "seconds; try again",
                               BUSY_TIMEOUT_MS / 1000);
    if ((code & 0xff) == SQLITE_NOMEM)
        return kanal_error_nomem(err);
    int e = sqlite3_system_errno(s->db);
    if ((code & 0xff) == SQLITE_FULL || e == ENOSPC || e == EFBIG || e == EDQUOT)
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "cannot write the database while %s: %s (free some space, or "
                               "raise the limit; nothing of this command was kept)",
                               doing,
                               e == EFBIG     ? "the file size limit is reached"
                               : e == EDQUOT ? "the disk quota is exceeded"
                                             : "the disk is full");
    return kanal_error_set(err, KANAL_ESTORAGE, "storage error while %s: %s", doing,
                           sqlite3_errmsg(s->db));
}

/* A prepared statement for sql (a string literal: cached by its address). */
static sqlite3_stmt *prep(sq *s, const char *sql, kanal_error *err)
{
    bind_failed = false;
    if (lost_txn(s, err))
        return NULL;
    for (size_t i = 0; i < s->n_cache; i++) {
        if (s->cache[i].sql == sql) {
            sqlite3_stmt *st = s->cache[i].st;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        db_fail(s, err, "preparing a query");
        return NULL;
    }
    if (s->n_cache < CACHE_SIZE) {
        s->cache[s->n_cache].sql = sql;
        s->cache[s->n_cache].st = st;
        s->n_cache++;
    }
    return st;
}

/* Statements beyond the cache's size are finalized by done(). */
static void done(sq *s, sqlite3_stmt *st)
{
    for (size_t i = 0; i < s->n_cache; i++)
        if (s->cache[i].st == st) {
            sqlite3_reset(st);
            return;
        }
    sqlite3_finalize(st);
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    int rc = v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
    if (rc != SQLITE_OK)
        bind_failed = true;
}

/* sqlite3_step, refusing a statement whose values were not all bound. */
static int sq_step(sqlite3_stmt *st)
{
    return bind_failed ? SQLITE_NOMEM : sqlite3_step(st);
}
#define sqlite3_step(st) sq_step(st)

/* Every value bound is checked the same way: a failed bind fails the statement. */
static int bound(int rc)
{
    if (rc != SQLITE_OK)
        bind_failed = true;
    return rc;
}
#define sqlite3_bind_int(st, i, v) bound((sqlite3_bind_int)(st, i, v))
#define sqlite3_bind_int64(st, i, v) bound((sqlite3_bind_int64)(st, i, v))
#define sqlite3_bind_null(st, i) bound((sqlite3_bind_null)(st, i))

static const char *col_text(kanal_arena *a, sqlite3_stmt *st, int i, bool *oom)
{
    const char *v = store_sqlite_column(st, i, oom);
    if (!v)
        return NULL;
    char *p = kanal_arena_strndup(a, (const char *)v, (size_t)sqlite3_column_bytes(st, i));
    if (!p)
        *oom = true;
    return p;
}

/* Runs a statement that returns no rows. */
static int step_done(sq *s, sqlite3_stmt *st, kanal_error *err, const char *doing)
{
    int rc = sqlite3_step(st);
    int r = rc == SQLITE_DONE ? KANAL_OK : db_fail(s, err, doing);
    done(s, st);
    return r;
}

static int exec(sq *s, const char *sql, kanal_error *err, const char *doing)
{
    int rc = lost_txn(s, err);
    if (rc)
        return rc;
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(s, err, doing);
    return KANAL_OK;
}

static int pragma_int(sq *s, const char *sql, int *out, kanal_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, err, "reading the schema version");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? KANAL_OK : db_fail(s, err, "reading the schema version");
}

/*
** Ends a query that gathered its rows into b (elements of `size` bytes):
** moves them into the arena as *out, *n elements. Frees b either way.
*/
static int rows_done(sq *s, kanal_arena *a, kanal_buf *b, int step_rc, bool oom,
                     size_t size, void *out, size_t *n, kanal_error *err, const char *doing)
{
    int rc = KANAL_OK;
    void *p = NULL;
    if (step_rc != SQLITE_DONE)
        rc = db_fail(s, err, doing);
    else if (oom || b->oom || !(p = kanal_arena_alloc(a, b->len ? b->len : 1)))
        rc = kanal_error_nomem(err);
    if (!rc) {
        if (b->len)
            memcpy(p, b->data, b->len);
        *n = b->len / size;
        memcpy(out, &p, sizeof p);
    }
    kanal_buf_release(b);
    return rc;
}

/* Gathers the rows of a two-text-column query as pairs. */
static int collect_pairs(sq *s, kanal_arena *a, sqlite3_stmt *st, store_pair **out,
                         size_t *n, kanal_error *err, const char *doing)
{
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_pair p = { col_text(a, st, 0, &oom), col_text(a, st, 1, &oom) };
        kanal_buf_add(&b, &p, sizeof p);
    }
    done(s, st);
    return rows_done(s, a, &b, rc, oom, sizeof(store_pair), out, n, err, doing);
}

/* ---- opening ---------------------------------------------------------------- */

/* For the other files of the backend (sqlite_int.h). */
int store_sqlite_fail(sq *s, kanal_error *err, const char *doing)
{
    return db_fail(s, err, doing);
}

const char *store_sqlite_text(kanal_arena *a, sqlite3_stmt *st, int i, bool *oom)
{
    return col_text(a, st, i, oom);
}

int store_sqlite_rows_done(sq *s, kanal_arena *a, kanal_buf *b, int step_rc, bool oom, size_t size,
                           void *out, size_t *n, kanal_error *err, const char *doing)
{
    return rows_done(s, a, b, step_rc, oom, size, out, n, err, doing);
}

static int configure(sq *s, kanal_error *err)
{
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 1);
    int rc = exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; " CACHE_PRAGMA ";", err,
                  "configuring the database");
    if (rc)
        return rc;
    /* WAL is a property of the file; setting it takes a lock, so only when needed. */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, err, "configuring the database");
    bool oom = false;
    const char *mode = sqlite3_step(st) == SQLITE_ROW ? store_sqlite_column(st, 0, &oom) : NULL;
    bool wal = mode && strcmp(mode, "wal") == 0;
    sqlite3_finalize(st);
    if (!wal)
        return exec(s, "PRAGMA journal_mode = WAL", err, "configuring the database");
    return KANAL_OK;
}

static int migrate(sq *s, const char *path, bool create, kanal_error *err)
{
    int version = 0, app = 0;
    int rc = pragma_int(s, "PRAGMA user_version", &version, err);
    if (!rc)
        rc = pragma_int(s, "PRAGMA application_id", &app, err);
    if (rc)
        return rc;
    if (version > STORE_SCHEMA_VERSION)
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "the database at '%s' was written by a newer Kanal (schema %d; "
                               "this one knows up to %d): upgrade kanal",
                               path, version, STORE_SCHEMA_VERSION);
    if (version == STORE_SCHEMA_VERSION)
        return app == KANAL_APPLICATION_ID
                   ? KANAL_OK
                   : kanal_error_set(err, KANAL_ESTORAGE, "'%s' is not a Kanal database",
                                     path);
    /* Every Kanal database has a schema version: one without is someone
       else's file (or an empty one), and is not made into ours. */
    if ((version > 0 && app != KANAL_APPLICATION_ID) || (version == 0 && !create))
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "'%s' is not a Kanal database", path),
               kanal_error_advise(err, KANAL_ADVICE_CREATE_DATABASE, NULL);
    if ((rc = sq_begin(&s->base, err)))
        return rc;
    /* read again inside the write lock: another process may have migrated */
    if ((rc = pragma_int(s, "PRAGMA user_version", &version, err)))
        goto fail;
    for (int v = version; v < STORE_SCHEMA_VERSION; v++) {
        for (size_t b = 0; b < KANAL_ARRAY_LEN(migrations[v]) && migrations[v][b]; b++)
            if ((rc = exec(s, migrations[v][b], err, "migrating the schema")))
                goto fail;
        /* an older database's opportunities have their visits in the log only */
        if (v == 2 && version > 0 && (rc = store_sqlite_backfill_visits(s, err)))
            goto fail;
        /* and its partners no fold key yet */
        if (v == 7 && version > 0 && (rc = backfill_fold_keys(s, err)))
            goto fail;
    }
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d",
             STORE_SCHEMA_VERSION, KANAL_APPLICATION_ID);
    if ((rc = exec(s, sql, err, "migrating the schema")))
        goto fail;
    return sq_commit(&s->base, err);
fail:
    sq_rollback(&s->base);
    return rc;
}

/* ---- finding and identifying the file ---------------------------------------------- */

/*
** The path SQLite is given: the folder resolved (a symlinked folder is
** fine), the file's own name kept, so that its -wal and -shm sit beside the
** real file. Caller frees.
*/
static char *real_path(const char *path, kanal_error *err)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : kanal_strdup(".");
    if (!dir) {
        kanal_error_nomem(err);
        return NULL;
    }
    char *real = NULL;
    char *rdir = realpath(dir, NULL);
    if (!rdir) {
        int e = errno;
        kanal_error_set(err, e == ENOENT ? KANAL_ENOTFOUND : KANAL_ESTORAGE,
                        e == ENOENT ? "the folder of '%s' does not exist ('%s')"
                                    : "cannot reach the folder of '%s' ('%s'): %s",
                        path, dir, strerror(e));
    } else if (!base[0] || !strcmp(base, ".") || !strcmp(base, "..")) {
        kanal_error_set(err, KANAL_EUSAGE,
                        "'%s' is a directory: name the database file, such as '%s/kanal.db'",
                        path, rdir);
    } else {
        kanal_buf b = KANAL_BUF_INIT;
        kanal_buf_printf(&b, "%s%s%s", rdir, strcmp(rdir, "/") ? "/" : "", base);
        if (!(real = kanal_buf_detach(&b)))
            kanal_error_nomem(err);
    }
    free(rdir);
    free(dir);
    return real;
}

/* Refuses what is not a regular file: a directory, a link, a device, a FIFO. */
static int check_kind(const char *path, const char *real, const struct stat *st, bool create,
                      kanal_error *err)
{
    if (S_ISDIR(st->st_mode))
        return kanal_error_set(err, create ? KANAL_EUSAGE : KANAL_ESTORAGE,
                               "'%s' is a directory: name the database file, such as "
                               "'%s/kanal.db'",
                               path, path);
    if (S_ISLNK(st->st_mode)) {
        char *target = realpath(real, NULL);
        kanal_error_set(err, KANAL_ESTORAGE,
                        "'%s' is a symbolic link%s%s%s: name the database by its real path",
                        path, target ? " to '" : "", target ? target : "", target ? "'" : "");
        free(target);
        return KANAL_ESTORAGE;
    }
    if (!S_ISREG(st->st_mode))
        return kanal_error_set(err, KANAL_ESTORAGE, "'%s' is not a regular file", path);
    return KANAL_OK;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Whether PATH-wal exists and holds something. */
static bool has_wal(const char *real)
{
    kanal_buf b = KANAL_BUF_INIT;
    kanal_buf_printf(&b, "%s-wal", real);
    struct stat st;
    bool yes = !b.oom && lstat(b.data, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
    kanal_buf_release(&b);
    return yes;
}

/*
** Decides, without changing a byte of it, whether the file is a Kanal
** database: its header says so (SQLite's magic and our application id).
** Only when the header cannot tell — a fresh database whose first pages
** still sit in its write-ahead log — does SQLite look, read-only.
*/
static int identify(const char *path, const char *real, kanal_error *err)
{
    int fd = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return kanal_error_set(err, KANAL_ESTORAGE, "cannot read '%s': %s", path,
                               strerror(errno));
    unsigned char h[100];
    struct stat st;
    ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, h, sizeof h) : -2;
    int e = errno;
    close(fd);
    if (n == -2)
        return kanal_error_set(err, KANAL_ESTORAGE, "'%s' is not a regular file", path);
    if (n < 0)
        return kanal_error_set(err, KANAL_ESTORAGE, "cannot read '%s': %s", path, strerror(e));
    static const char magic[16] = "SQLite format 3";
    bool sqlite = n == (ssize_t)sizeof h && memcmp(h, magic, sizeof magic) == 0;
    uint32_t app = sqlite ? be32(h + 68) : 0;
    if (app == KANAL_APPLICATION_ID)
        return KANAL_OK;
    if ((n == 0 || (sqlite && app == 0)) && has_wal(real)) {
        sqlite3 *db = NULL;
        int version = 0;
        bool ours = false;
        if (sqlite3_open_v2(real, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL) ==
            SQLITE_OK) {
            sqlite3_stmt *q = NULL;
            if (sqlite3_prepare_v2(db, "SELECT application_id, user_version FROM "
                                       "pragma_application_id, pragma_user_version",
                                   -1, &q, NULL) == SQLITE_OK &&
                sqlite3_step(q) == SQLITE_ROW) {
                ours = (uint32_t)sqlite3_column_int(q, 0) == KANAL_APPLICATION_ID;
                version = sqlite3_column_int(q, 1);
            }
            sqlite3_finalize(q);
        }
        sqlite3_close(db);
        if (ours || version == 0)
            return ours ? KANAL_OK
                        : (kanal_error_set(err, KANAL_ESTORAGE, "'%s' is not a Kanal database",
                                           path),
                           kanal_error_advise(err, KANAL_ADVICE_CREATE_DATABASE, NULL));
    }
    kanal_error_set(err, KANAL_ESTORAGE, "'%s' is not a Kanal database%s", path,
                    n == 0 ? ": it is empty" : !sqlite ? ": it is not an SQLite file" : "");
    return kanal_error_advise(err, KANAL_ADVICE_CREATE_DATABASE, NULL);
}

/*
** Creates a new database's file under a name of its own beside the path
** (".NAME.kanal-init-PID-N"): the database is built there, and linked to
** the path only once complete (store_publish), so that an init that is
** interrupted leaves nothing at the path, and of two inits of one path one
** links and the other is refused. Sets *real to the temporary name. What an
** init or a copy killed before that left beside the path is removed first.
*/
static int create_file(sq *s, const char *path, char **real, kanal_error *err)
{
    const char *slash = strrchr(*real, '/');
    int fd = -1, e = 0;
    kanal_sweep_leftovers(*real, ".kanal-init-");
    char *tmp = NULL;
    for (unsigned attempt = 0; fd < 0 && attempt < 100; attempt++) {
        kanal_buf b = KANAL_BUF_INIT;
        kanal_buf_printf(&b, "%.*s.%s.kanal-init-%ld-%u", (int)(slash - *real + 1), *real,
                         slash + 1, (long)getpid(), attempt);
        free(tmp);
        if (!(tmp = kanal_buf_detach(&b)))
            return kanal_error_nomem(err);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        e = errno;
        if (fd < 0 && e != EEXIST)
            break;
    }
    if (fd < 0) {
        free(tmp);
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "cannot create '%s': %s%s", path, strerror(e),
                               e == EACCES || e == EROFS || e == EPERM
                                   ? " (check that you may write in its folder)"
                                   : "");
    }
    s->publish_to = *real;
    *real = tmp;
    if (!(s->user_path = kanal_strdup(path))) {
        close(fd);
        unlink(tmp);
        return kanal_error_nomem(err);
    }
    struct stat st;
    if (fstat(fd, &st) == 0) {
        s->created = true;
        s->dev = st.st_dev;
        s->ino = st.st_ino;
    }
    close(fd);
    return KANAL_OK;
}

/* What a failure to open or configure means for the user, in words. */
static int open_fail(sq *s, const char *path, const char *real, kanal_error *err)
{
    int code = s->db ? sqlite3_extended_errcode(s->db) & 0xff : SQLITE_NOMEM;
    if (code == SQLITE_NOMEM)
        return kanal_error_nomem(err);
    if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY || code == SQLITE_PERM) {
        char *dir = kanal_strdup(real);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (slash)
            *slash = '\0';
        bool dir_ok = !dir || access(slash ? dir : ".", W_OK) == 0;
        free(dir);
        if (!dir_ok)
            return kanal_error_set(err, KANAL_ESTORAGE,
                                   "the folder of '%s' is not writable for you: Kanal keeps "
                                   "'%s-wal' and '%s-shm' beside the database (check the "
                                   "folder's permissions)",
                                   path, path, path);
        if (access(real, W_OK) != 0)
            return kanal_error_set(err, KANAL_ESTORAGE,
                                   "the database '%s' is read-only for you (check its "
                                   "permissions)",
                                   path);
    }
    return kanal_error_set(err, KANAL_ESTORAGE, "cannot open the database '%s': %s", path,
                           s->db ? sqlite3_errmsg(s->db) : "out of memory");
}

int store_sqlite_open(store **out, const char *path, bool create, kanal_error *err)
{
    *out = NULL;
    char *real = real_path(path, err);
    if (!real) {
        if (err->code == KANAL_ENOTFOUND && !create)
            kanal_error_set(err, KANAL_ENOTFOUND, "no database at '%s'", path),
            kanal_error_advise(err, KANAL_ADVICE_RUN_INIT, NULL);
        return err->code;
    }
    sq *s = calloc(1, sizeof *s);
    int rc = KANAL_OK;
    struct stat st;
    if (!s) {
        rc = kanal_error_nomem(err);
        goto fail;
    }
    s->base.m = &sqlite_methods;
    if (lstat(real, &st) != 0) {
        if (errno != ENOENT)
            rc = kanal_error_set(err, KANAL_ESTORAGE, "cannot reach '%s': %s", path,
                                 strerror(errno));
        else if (!create)
            rc = kanal_error_set(err, KANAL_ENOTFOUND, "no database at '%s'", path),
            kanal_error_advise(err, KANAL_ADVICE_RUN_INIT, NULL);
        else
            rc = create_file(s, path, &real, err);
    } else if (!(rc = check_kind(path, real, &st, create, err))) {
        rc = create ? kanal_error_set(err, KANAL_EREFUSED, "a database already exists at '%s'",
                                      path)
                    : identify(path, real, err);
    }
    if (rc)
        goto fail;
    /* Only now, knowing the file is ours (or new), does SQLite open it for writing. */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE;
    if (sqlite3_open_v2(real, &s->db, flags, NULL) != SQLITE_OK) {
        rc = open_fail(s, path, real, err);
        goto fail;
    }
    s->real = real;
    real = NULL;
    if ((rc = configure(s, err)) || (rc = migrate(s, path, create, err))) {
        int code = sqlite3_extended_errcode(s->db) & 0xff;
        if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY)
            rc = open_fail(s, path, s->real, err);
        goto fail;
    }
    *out = &s->base;
    return KANAL_OK;
fail:
    if (s && real) {
        free(s->real);
        s->real = real;
    } else {
        free(real);
    }
    if (s)
        sq_discard(&s->base);
    return rc;
}

static void sq_close(store *base_)
{
    sq *s = (sq *)base_;
    if (!s)
        return;
    for (size_t i = 0; i < s->n_cache; i++)
        sqlite3_finalize(s->cache[i].st);
    sqlite3_close(s->db);
    free(s->real);
    free(s->publish_to);
    free(s->user_path);
    kanal_folder_free(s->folder);
    free(s);
}

/* Removes a file and the -wal, -shm and -journal SQLite keeps beside it. */
static void unlink_db(const char *path)
{
    unlink(path);
    static const char *const beside[] = { "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < 3; i++) {
        kanal_buf b = KANAL_BUF_INIT;
        kanal_buf_printf(&b, "%s%s", path, beside[i]);
        if (!b.oom)
            unlink(b.data);
        kanal_buf_release(&b);
    }
}

/*
** A new database, complete: made durable in its one file (the write-ahead
** log checkpointed into it and closed), then linked to its path — which
** fails, never replaces, if something is there by now — and opened there.
*/
static int sq_publish(store *base_, store **out, kanal_error *err)
{
    sq *s = (sq *)base_;
    *out = base_;
    if (!s->publish_to)
        return KANAL_OK;
    int rc = exec(s, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE", err,
                  "finishing the database");
    char *tmp = s->real, *target = s->publish_to, *path = s->user_path;
    s->real = s->publish_to = s->user_path = NULL;
    s->created = false;
    sq_close(base_);
    *out = NULL;
    if (!rc && link(tmp, target) != 0) {
        int e = errno;
        rc = e == EEXIST ? kanal_error_set(err, KANAL_EREFUSED,
                                           "a database already exists at '%s'", path)
                         : kanal_error_set(err, KANAL_ESTORAGE, "cannot create '%s': %s",
                                           path, strerror(e));
    }
    unlink_db(tmp);
    if (!rc)
        rc = store_sqlite_open(out, path, false, err);
    free(tmp);
    free(target);
    free(path);
    return rc;
}

/* A file has no logins: whoever may write it is whoever is named. */
static const char *sq_identity(const store *base_)
{
    return NULL;
}

static const char *sq_path(const store *base_)
{
    const sq *s = (const sq *)base_;
    return s->real;
}

static void sq_discard(store *base_)
{
    sq *s = (sq *)base_;
    if (!s)
        return;
    char *real = s->real;
    bool created = s->created;
    dev_t dev = s->dev;
    ino_t ino = s->ino;
    s->real = NULL;
    sq_close(base_);
    struct stat st;
    /* only the file this store created: the same device and inode */
    if (created && real && lstat(real, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
        unlink_db(real);
    free(real);
}

/* ---- transactions ------------------------------------------------------------ */

/*
** The statements that open and close transactions and savepoints, prepared
** once a connection (kept in the statement cache by their address, like every
** other): parsing them again at every step was a tenth of a step's work. Deeper
** savepoints than these are rare, and run from text.
*/
static const char *const savepoint_sql[] = { "SAVEPOINT s0", "SAVEPOINT s1", "SAVEPOINT s2",
                                             "SAVEPOINT s3", "SAVEPOINT s4", "SAVEPOINT s5" };
static const char *const release_sql[] = { "RELEASE s0", "RELEASE s1", "RELEASE s2",
                                           "RELEASE s3", "RELEASE s4", "RELEASE s5" };
#define TX_CACHED (int)(sizeof savepoint_sql / sizeof *savepoint_sql)

/* Runs a transaction statement: `cached` (a string literal) prepared once, else `text`. */
static int tx_run(sq *s, const char *cached, const char *text, kanal_error *err, const char *doing)
{
    if (!cached)
        return exec(s, text, err, doing);
    sqlite3_stmt *st = prep(s, cached, err);
    if (!st)
        return err->code;
    int rc = sqlite3_step(st) == SQLITE_DONE ? KANAL_OK : db_fail(s, err, doing);
    done(s, st);
    return rc;
}

static int begin(sq *s, bool write, kanal_error *err)
{
    char sql[64];
    if (s->depth == 0 && !write) {
        int rc = exec(s, READ_CACHE_PRAGMA, err, "configuring the database");
        if (rc)
            return rc;
        s->reading = true;
    }
    const char *cached = NULL;
    if (s->depth == 0)
        cached = write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED";
    else if (s->depth < TX_CACHED)
        cached = savepoint_sql[s->depth];
    else
        snprintf(sql, sizeof sql, "SAVEPOINT s%d", s->depth);
    int rc = tx_run(s, cached, sql, err, "starting a transaction");
    if (!rc)
        s->depth++;
    return rc;
}

static int sq_begin(store *base_, kanal_error *err)
{
    return begin((sq *)base_, true, err);
}

/* In WAL mode a deferred transaction that only reads is a snapshot: writers go on. */
static int sq_begin_read(store *base_, kanal_error *err)
{
    return begin((sq *)base_, false, err);
}

static int sq_commit(store *base_, kanal_error *err)
{
    sq *s = (sq *)base_;
    if (s->depth <= 0)
        return KANAL_OK;
    char sql[64];
    const char *cached = NULL;
    if (s->depth == 1)
        cached = "COMMIT";
    else if (s->depth - 1 < TX_CACHED)
        cached = release_sql[s->depth - 1];
    else
        snprintf(sql, sizeof sql, "RELEASE s%d", s->depth - 1);
    int rc = tx_run(s, cached, sql, err, "committing");
    if (rc) {
        sq_rollback(base_);
        return rc;
    }
    if (--s->depth == 0 && s->reading) {
        s->reading = false;
        sqlite3_exec(s->db, CACHE_PRAGMA, NULL, NULL, NULL);
    }
    return KANAL_OK;
}

static void sq_rollback(store *base_)
{
    sq *s = (sq *)base_;
    if (s->depth <= 0)
        return;
    char sql[64];
    if (s->depth == 1)
        snprintf(sql, sizeof sql, "ROLLBACK");
    else
        snprintf(sql, sizeof sql, "ROLLBACK TO s%d; RELEASE s%d", s->depth - 1, s->depth - 1);
    sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    if (--s->depth == 0 && s->reading) {
        s->reading = false;
        sqlite3_exec(s->db, CACHE_PRAGMA, NULL, NULL, NULL);
    }
}

static int sq_depth(const store *base_)
{
    const sq *s = (const sq *)base_;
    return s->depth;
}

/* ---- users -------------------------------------------------------------------- */

static int sq_user_insert(store *base_, const char *id, const char *name, const char *const *roles,
                      size_t n_roles, const char *at, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "INSERT INTO users(id, name, created_at) VALUES (?, ?, ?)";
    static const char sql_role[] = "INSERT OR IGNORE INTO user_roles(user_id, role) VALUES (?, ?)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, id);
    bind_text(st, 2, name);
    bind_text(st, 3, at);
    int rc = step_done(s, st, err, "adding a user");
    for (size_t i = 0; !rc && i < n_roles; i++) {
        if (!(st = prep(s, sql_role, err)))
            return err->code;
        bind_text(st, 1, id);
        bind_text(st, 2, roles[i]);
        rc = step_done(s, st, err, "adding a user's role");
    }
    return rc;
}

static int sq_user_update(store *base_, const char *id, const char *name, const char *const *roles,
                          size_t n_roles, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "UPDATE users SET name = ? WHERE id = ?";
    static const char sql_clear[] = "DELETE FROM user_roles WHERE user_id = ?";
    static const char sql_role[] = "INSERT OR IGNORE INTO user_roles(user_id, role) VALUES (?, ?)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, name);
    bind_text(st, 2, id);
    int rc = step_done(s, st, err, "renaming a user");
    if (!rc && !(st = prep(s, sql_clear, err)))
        return err->code;
    if (!rc) {
        bind_text(st, 1, id);
        rc = step_done(s, st, err, "changing a user's roles");
    }
    for (size_t i = 0; !rc && i < n_roles; i++) {
        if (!(st = prep(s, sql_role, err)))
            return err->code;
        bind_text(st, 1, id);
        bind_text(st, 2, roles[i]);
        rc = step_done(s, st, err, "changing a user's roles");
    }
    return rc;
}

static int user_roles(sq *s, kanal_arena *a, const char *id, kanal_user *u,
                      kanal_error *err)
{
    static const char sql[] = "SELECT role FROM user_roles WHERE user_id = ? ORDER BY role";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, id);
    const char *roles[64];
    size_t n = 0;
    bool oom = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (n < 64)
            roles[n++] = col_text(a, st, 0, &oom);
    done(s, st);
    if (rc != SQLITE_DONE)
        return db_fail(s, err, "reading a user's roles");
    const char **copy = kanal_arena_alloc(a, (n ? n : 1) * sizeof *copy);
    if (!copy || oom)
        return kanal_error_nomem(err);
    memcpy(copy, roles, n * sizeof *copy);
    u->roles = copy;
    u->n_roles = n;
    return KANAL_OK;
}

static int sq_user_get(store *base_, kanal_arena *a, const char *id, kanal_user *out,
                   kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT id, name, active, created_at FROM users WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    bool oom = false;
    if (rc == SQLITE_ROW) {
        out->id = col_text(a, st, 0, &oom);
        out->name = col_text(a, st, 1, &oom);
        out->active = sqlite3_column_int(st, 2) != 0;
        out->created_at = col_text(a, st, 3, &oom);
    }
    done(s, st);
    if (rc == SQLITE_DONE)
        return KANAL_ENOTFOUND;
    if (rc != SQLITE_ROW)
        return db_fail(s, err, "reading a user");
    if (oom)
        return kanal_error_nomem(err);
    return user_roles(s, a, id, out, err);
}

static int sq_user_set_active(store *base_, const char *id, bool active, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "UPDATE users SET active = ? WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int(st, 1, active);
    bind_text(st, 2, id);
    return step_done(s, st, err, "changing a user");
}

static int sq_count_active_with_role(store *base_, const char *role, int *n, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT count(*) FROM users JOIN user_roles ON user_id = id"
                              " WHERE active = 1 AND role = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, role);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int(st, 0);
    done(s, st);
    return rc == SQLITE_ROW ? KANAL_OK : db_fail(s, err, "counting users");
}

static int sq_users_list(store *base_, kanal_arena *a, kanal_user **out, size_t *n,
                         kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT id, name, active, created_at FROM users ORDER BY id";
    static const char sql_roles[] = "SELECT user_id, role FROM user_roles ORDER BY user_id, role";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kanal_user u = { col_text(a, st, 0, &oom), col_text(a, st, 1, &oom), NULL, 0,
                         sqlite3_column_int(st, 2) != 0, col_text(a, st, 3, &oom) };
        kanal_buf_add(&b, &u, sizeof u);
    }
    done(s, st);
    if ((rc = rows_done(s, a, &b, rc, oom, sizeof(kanal_user), out, n, err, "listing users")))
        return rc;
    /* the roles, merged in: both are ordered by user id */
    store_pair *roles;
    size_t n_roles;
    if (!(st = prep(s, sql_roles, err)))
        return err->code;
    if ((rc = collect_pairs(s, a, st, &roles, &n_roles, err, "listing users' roles")))
        return rc;
    size_t r = 0;
    for (size_t i = 0; i < *n; i++) {
        kanal_user *u = &(*out)[i];
        while (r < n_roles && strcmp(roles[r].key, u->id) < 0)
            r++;
        size_t first = r;
        while (r < n_roles && strcmp(roles[r].key, u->id) == 0)
            r++;
        const char **list = kanal_arena_alloc(a, (r - first + 1) * sizeof *list);
        if (!list)
            return kanal_error_nomem(err);
        for (size_t k = first; k < r; k++)
            list[k - first] = roles[k].value;
        u->roles = list;
        u->n_roles = r - first;
    }
    return KANAL_OK;
}

/* ---- workflow versions ----------------------------------------------------------- */

static int sq_workflow_get(store *base_, kanal_arena *a, const char *id, int version,
                       kanal_workflow_version *out, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "SELECT workflow, version, source, yaml, rules_file, rules, hash, applied_at,"
        " applied_by, name FROM workflow_versions WHERE workflow = ?1"
        " AND (?2 = 0 OR version = ?2) ORDER BY version DESC LIMIT 1";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, id);
    sqlite3_bind_int(st, 2, version);
    int rc = sqlite3_step(st);
    bool oom = false;
    if (rc == SQLITE_ROW) {
        out->workflow = col_text(a, st, 0, &oom);
        out->version = sqlite3_column_int(st, 1);
        out->source = col_text(a, st, 2, &oom);
        out->yaml = col_text(a, st, 3, &oom);
        out->rules_file = col_text(a, st, 4, &oom);
        out->rules = col_text(a, st, 5, &oom);
        out->hash = col_text(a, st, 6, &oom);
        out->applied_at = col_text(a, st, 7, &oom);
        out->applied_by = col_text(a, st, 8, &oom);
        out->name = col_text(a, st, 9, &oom);
    }
    done(s, st);
    if (rc == SQLITE_DONE)
        return KANAL_ENOTFOUND;
    if (rc != SQLITE_ROW)
        return db_fail(s, err, "reading a workflow");
    return oom ? kanal_error_nomem(err) : KANAL_OK;
}

static int sq_workflow_latest(store *base_, const char *id, int *version, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT max(version) FROM workflow_versions WHERE workflow = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    done(s, st);
    if (rc != SQLITE_ROW)
        return db_fail(s, err, "reading a workflow");
    return *version ? KANAL_OK : KANAL_ENOTFOUND;
}

static int sq_workflow_insert(store *base_, const kanal_workflow_version *v, const char *name,
                          kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "INSERT INTO workflow_versions(workflow, version, name, source, yaml, rules_file,"
        " rules, hash, applied_at, applied_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, v->workflow);
    sqlite3_bind_int(st, 2, v->version);
    bind_text(st, 3, name);
    bind_text(st, 4, v->source);
    bind_text(st, 5, v->yaml);
    bind_text(st, 6, v->rules_file);
    bind_text(st, 7, v->rules);
    bind_text(st, 8, v->hash);
    bind_text(st, 9, v->applied_at);
    bind_text(st, 10, v->applied_by);
    return step_done(s, st, err, "storing a workflow");
}

static int sq_workflow_ids(store *base_, kanal_arena *a, const char ***ids, size_t *n,
                       kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT DISTINCT workflow FROM workflow_versions ORDER BY 1";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT; /* of pointers */
    bool oom = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = col_text(a, st, 0, &oom);
        kanal_buf_add(&b, &id, sizeof id);
    }
    done(s, st);
    return rows_done(s, a, &b, rc, oom, sizeof(char *), ids, n, err, "listing workflows");
}

static int sq_workflows_list(store *base_, kanal_arena *a, store_workflow_row **out, size_t *n,
                             kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "SELECT w.workflow, w.version, w.name, w.applied_at, w.applied_by,"
        " (SELECT count(*) FROM opportunities o WHERE o.workflow = w.workflow"
        "   AND o.status = '" SQL_OPEN "'),"
        " (SELECT r.retired_at FROM workflow_retired r WHERE r.workflow = w.workflow)"
        " FROM workflow_versions w WHERE w.version ="
        " (SELECT max(version) FROM workflow_versions x WHERE x.workflow = w.workflow)"
        " ORDER BY w.workflow";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_workflow_row w = { col_text(a, st, 0, &oom), sqlite3_column_int(st, 1),
                                 col_text(a, st, 2, &oom), col_text(a, st, 3, &oom),
                                 col_text(a, st, 4, &oom), sqlite3_column_int64(st, 5),
                                 col_text(a, st, 6, &oom) };
        kanal_buf_add(&b, &w, sizeof w);
    }
    done(s, st);
    return rows_done(s, a, &b, rc, oom, sizeof(store_workflow_row), out, n, err,
                     "listing workflows");
}

/* ---- partners ------------------------------------------------------------------- */

#define PARTNER_COLS "id, name, type, owner, email, phone, city, tax_id, created_at"

/* A partner's name folded, for its fold_key (caller frees); NULL when out of memory. */
static char *fold_key(sq *s, const char *name)
{
    /* plain ASCII needs no transliterator: ICU is loaded only for names that do */
    if (kanal_ascii(name ? name : ""))
        return kanal_fold(NULL, name ? name : "");
    if (!s->folder_tried) {
        s->folder_tried = true;
        s->folder = kanal_folder_new();
    }
    return kanal_fold(s->folder, name ? name : "");
}

static void read_partner(kanal_arena *a, sqlite3_stmt *st, int c, kanal_partner *p, bool *oom)
{
    p->id = sqlite3_column_int64(st, c);
    p->name = col_text(a, st, c + 1, oom);
    p->type = col_text(a, st, c + 2, oom);
    p->owner = col_text(a, st, c + 3, oom);
    p->email = col_text(a, st, c + 4, oom);
    p->phone = col_text(a, st, c + 5, oom);
    p->city = col_text(a, st, c + 6, oom);
    p->tax_id = col_text(a, st, c + 7, oom);
    p->created_at = col_text(a, st, c + 8, oom);
}

static int sq_partner_insert(store *base_, const kanal_partner *p, const char *name_key,
                         int64_t *id, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "INSERT INTO partners(name, name_key, type, owner, email, phone, city, tax_id,"
        " created_at, fold_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    char *key = fold_key(s, p->name);
    if (!key)
        return kanal_error_nomem(err);
    bind_text(st, 10, key);
    free(key);
    bind_text(st, 1, p->name);
    bind_text(st, 2, name_key);
    bind_text(st, 3, p->type);
    bind_text(st, 4, p->owner);
    bind_text(st, 5, p->email);
    bind_text(st, 6, p->phone);
    bind_text(st, 7, p->city);
    bind_text(st, 8, p->tax_id);
    bind_text(st, 9, p->created_at);
    int rc = step_done(s, st, err, "adding a partner");
    if (!rc)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

static int partner_where(sq *s, kanal_arena *a, const char *sql, const char *text,
                         int64_t id, kanal_partner *out, kanal_error *err)
{
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    if (text)
        bind_text(st, 1, text);
    else
        sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    bool oom = false;
    if (rc == SQLITE_ROW)
        read_partner(a, st, 0, out, &oom);
    done(s, st);
    if (rc == SQLITE_DONE)
        return KANAL_ENOTFOUND;
    if (rc != SQLITE_ROW)
        return db_fail(s, err, "reading a partner");
    return oom ? kanal_error_nomem(err) : KANAL_OK;
}

static int sq_partner_by_id(store *base_, kanal_arena *a, int64_t id, kanal_partner *out,
                        kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT " PARTNER_COLS " FROM partners WHERE id = ?";
    return partner_where(s, a, sql, NULL, id, out, err);
}

static int sq_partner_by_name(store *base_, kanal_arena *a, const char *name, kanal_partner *out,
                          kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT " PARTNER_COLS " FROM partners WHERE name = ?";
    return partner_where(s, a, sql, name, 0, out, err);
}

static int sq_partner_by_key(store *base_, kanal_arena *a, const char *name_key, kanal_partner *out,
                         kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT " PARTNER_COLS " FROM partners WHERE name_key = ?";
    return partner_where(s, a, sql, name_key, 0, out, err);
}

static int sq_partner_set_owner(store *base_, int64_t id, const char *owner, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "UPDATE partners SET owner = ? WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, owner);
    sqlite3_bind_int64(st, 2, id);
    return step_done(s, st, err, "changing a partner's owner");
}

static int sq_partner_update(store *base_, const kanal_partner *p, const char *name_key,
                             kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "UPDATE partners SET name = ?, name_key = ?, type = ?, email = ?,"
                              " phone = ?, city = ?, tax_id = ?, fold_key = ? WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    char *key = fold_key(s, p->name);
    if (!key)
        return kanal_error_nomem(err);
    bind_text(st, 8, key);
    free(key);
    bind_text(st, 1, p->name);
    bind_text(st, 2, name_key);
    bind_text(st, 3, p->type);
    bind_text(st, 4, p->email);
    bind_text(st, 5, p->phone);
    bind_text(st, 6, p->city);
    bind_text(st, 7, p->tax_id);
    sqlite3_bind_int64(st, 9, p->id);
    return step_done(s, st, err, "editing a partner");
}

/* Collects the first column of a query as int64 ids. */
static int collect_ids(sq *s, kanal_arena *a, sqlite3_stmt *st, int64_t **ids, size_t *n,
                       kanal_error *err, const char *doing)
{
    kanal_buf b = KANAL_BUF_INIT;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        kanal_buf_add(&b, &id, sizeof id);
    }
    done(s, st);
    return rows_done(s, a, &b, rc, false, sizeof(int64_t), ids, n, err, doing);
}

static int sq_partners_owned_by(store *base_, kanal_arena *a, const char *owner, int64_t **ids,
                            size_t *n, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT id FROM partners WHERE owner = ? ORDER BY id";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, owner);
    return collect_ids(s, a, st, ids, n, err, "listing partners");
}

static int sq_partners_list(store *base_, kanal_arena *a, const char *owner, const char *type,
                            kanal_partner **out, size_t *n, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT " PARTNER_COLS " FROM partners"
                              " WHERE (?1 IS NULL OR owner = ?1) AND (?2 IS NULL OR type = ?2)"
                              " ORDER BY id";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, owner);
    bind_text(st, 2, type);
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kanal_partner p;
        read_partner(a, st, 0, &p, &oom);
        kanal_buf_add(&b, &p, sizeof p);
    }
    done(s, st);
    return rows_done(s, a, &b, rc, oom, sizeof(kanal_partner), out, n, err,
                     "listing partners");
}

static int sq_partners_by_fold(store *base_, kanal_arena *a, const char *name, kanal_partner **out,
                               size_t *n, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "SELECT " PARTNER_COLS " FROM partners WHERE fold_key = ? ORDER BY id";
    char *key = fold_key(s, name);
    if (!key)
        return kanal_error_nomem(err);
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) {
        free(key);
        return err->code;
    }
    bind_text(st, 1, key);
    free(key);
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kanal_partner p;
        read_partner(a, st, 0, &p, &oom);
        kanal_buf_add(&b, &p, sizeof p);
    }
    done(s, st);
    return rows_done(s, a, &b, rc, oom, sizeof(kanal_partner), out, n, err, "finding a partner");
}

static int sq_partner_clash(store *base_, kanal_arena *a, const char *name_key, const char *name,
                            int64_t other_than, kanal_partner *out, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT id, name, owner FROM partners"
                              " WHERE (name_key = ?1 OR fold_key = ?2) AND id <> ?3"
                              " ORDER BY name_key = ?1 DESC, id LIMIT 1";
    char *key = fold_key(s, name);
    if (!key)
        return kanal_error_nomem(err);
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st) {
        free(key);
        return err->code;
    }
    bind_text(st, 1, name_key);
    bind_text(st, 2, key);
    sqlite3_bind_int64(st, 3, other_than);
    free(key);
    int rc = sqlite3_step(st);
    bool oom = false;
    memset(out, 0, sizeof *out);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->name = col_text(a, st, 1, &oom);
        out->owner = col_text(a, st, 2, &oom);
    }
    done(s, st);
    if (rc == SQLITE_DONE)
        return KANAL_ENOTFOUND;
    if (rc != SQLITE_ROW)
        return db_fail(s, err, "finding a partner");
    return oom ? kanal_error_nomem(err) : KANAL_OK;
}

/* Schema 8 on an older database: each partner's fold key, from its name. */
static int backfill_fold_keys(sq *s, kanal_error *err)
{
    sqlite3_stmt *rd = NULL, *wr = NULL;
    int rc = KANAL_OK;
    if (sqlite3_prepare_v2(s->db, "SELECT id, name FROM partners", -1, &rd, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "UPDATE partners SET fold_key = ? WHERE id = ?", -1, &wr, NULL) !=
            SQLITE_OK) {
        rc = db_fail(s, err, "migrating the schema");
        goto out;
    }
    int step;
    while (!rc && (step = sqlite3_step(rd)) == SQLITE_ROW) {
        char *key = fold_key(s, (const char *)sqlite3_column_text(rd, 1));
        if (!key) {
            rc = kanal_error_nomem(err);
            break;
        }
        sqlite3_reset(wr);
        sqlite3_bind_text(wr, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(wr, 2, sqlite3_column_int64(rd, 0));
        free(key);
        if (sqlite3_step(wr) != SQLITE_DONE)
            rc = db_fail(s, err, "migrating the schema");
    }
    if (!rc && step != SQLITE_DONE)
        rc = db_fail(s, err, "migrating the schema");
out:
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    return rc;
}

/* ---- opportunities --------------------------------------------------------------- */

static int sq_opp_insert(store *base_, const store_opp_row *r, int64_t *id, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "INSERT INTO opportunities(partner_id, workflow, version, owner, status, stage,"
        " stage_entered_at, created_at, last_event_at, last_seq)"
        " VALUES (?, ?, ?, ?, '" SQL_OPEN "', ?, ?, ?, ?, 0)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, r->partner_id);
    bind_text(st, 2, r->workflow);
    sqlite3_bind_int(st, 3, r->version);
    bind_text(st, 4, r->owner);
    bind_text(st, 5, r->stage);
    bind_text(st, 6, r->created_at);
    bind_text(st, 7, r->created_at);
    bind_text(st, 8, r->created_at);
    int rc = step_done(s, st, err, "creating an opportunity");
    if (!rc)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

#define OPP_COLS                                                                           \
    "o.id, o.partner_id, o.workflow, o.version, o.owner, o.status, o.stage,"                 \
    " o.stage_entered_at, o.created_at, o.closed_at, o.lost_reason, o.last_event_at,"         \
    " o.last_seq"

/* An opportunity's row from the columns OPP_COLS, from column 0. */
static void read_opp(kanal_arena *a, sqlite3_stmt *st, store_opp_row *out, bool *oom)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    out->partner_id = sqlite3_column_int64(st, 1);
    out->workflow = col_text(a, st, 2, oom);
    out->version = sqlite3_column_int(st, 3);
    out->owner = col_text(a, st, 4, oom);
    const char *status = store_sqlite_column(st, 5, oom);
    out->status = status ? kanal_status_of(status) : KANAL_STATUS_COUNT;
    out->stage = col_text(a, st, 6, oom);
    out->stage_entered_at = col_text(a, st, 7, oom);
    out->created_at = col_text(a, st, 8, oom);
    out->closed_at = col_text(a, st, 9, oom);
    out->lost_reason = col_text(a, st, 10, oom);
    out->last_event_at = col_text(a, st, 11, oom);
    out->last_seq = sqlite3_column_int64(st, 12);
}

static int sq_opp_get(store *base_, kanal_arena *a, int64_t id, store_opp_row *out,
                      kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT " OPP_COLS ", o.next_contact_at,"
                              " (SELECT max(at) FROM activities WHERE opp_id = o.id"
                              " AND voided_at IS NULL)"
                              " FROM opportunities o WHERE o.id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    bool oom = false;
    if (rc == SQLITE_ROW) {
        read_opp(a, st, out, &oom);
        out->next_contact_at = col_text(a, st, 13, &oom);
        out->last_activity_at = col_text(a, st, 14, &oom);
    }
    done(s, st);
    if (rc == SQLITE_DONE)
        return KANAL_ENOTFOUND;
    if (rc != SQLITE_ROW)
        return db_fail(s, err, "reading an opportunity");
    return oom ? kanal_error_nomem(err) : KANAL_OK;
}

static int sq_opp_open_for(store *base_, int64_t partner_id, const char *workflow, int64_t *id,
                       kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT id FROM opportunities WHERE partner_id = ? AND"
                              " workflow = ? AND status = '" SQL_OPEN "'";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, partner_id);
    bind_text(st, 2, workflow);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    done(s, st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? KANAL_OK
                                                 : db_fail(s, err, "reading opportunities");
}

static int sq_opp_set_stage(store *base_, int64_t id, const char *stage, const char *at,
                        kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "UPDATE opportunities SET stage = ?, stage_entered_at = ? WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, stage);
    bind_text(st, 2, at);
    sqlite3_bind_int64(st, 3, id);
    return step_done(s, st, err, "moving an opportunity");
}

static int sq_opp_set_version(store *base_, int64_t id, int version, const char *stage,
                              kanal_error *err)
{
    sq *s = (sq *)base_;
    sqlite3_stmt *st = prep(s, "UPDATE opportunities SET version = ?, stage = ? WHERE id = ?", err);
    if (!st)
        return err->code;
    sqlite3_bind_int(st, 1, version);
    bind_text(st, 2, stage);
    sqlite3_bind_int64(st, 3, id);
    return step_done(s, st, err, "moving an opportunity to another version");
}

static int sq_goal_waive(store *base_, int64_t opp, const char *goal, const char *at,
                         kanal_error *err)
{
    sq *s = (sq *)base_;
    sqlite3_stmt *st = prep(
        s, "INSERT OR IGNORE INTO goals_waived(opp_id, goal, waived_at) VALUES (?, ?, ?)", err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, opp);
    bind_text(st, 2, goal);
    bind_text(st, 3, at);
    return step_done(s, st, err, "recording a goal not required");
}

static int sq_goals_waived(store *base_, kanal_arena *a, int64_t opp, store_pair **out, size_t *n,
                           kanal_error *err)
{
    sq *s = (sq *)base_;
    sqlite3_stmt *st =
        prep(s, "SELECT goal, waived_at FROM goals_waived WHERE opp_id = ? ORDER BY goal", err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, opp);
    return collect_pairs(s, a, st, out, n, err, "reading goals");
}

static int sq_workflow_set_retired(store *base_, const char *id, const char *at, const char *by,
                                   kanal_error *err)
{
    sq *s = (sq *)base_;
    sqlite3_stmt *st =
        prep(s,
             at ? "INSERT OR REPLACE INTO workflow_retired(workflow, retired_at, retired_by)"
                  " VALUES (?, ?, ?)"
                : "DELETE FROM workflow_retired WHERE workflow = ?",
             err);
    if (!st)
        return err->code;
    bind_text(st, 1, id);
    if (at) {
        bind_text(st, 2, at);
        bind_text(st, 3, by);
    }
    return step_done(s, st, err, "retiring a workflow");
}

static int sq_workflow_retired(store *base_, kanal_arena *a, const char *id, const char **at,
                               kanal_error *err)
{
    sq *s = (sq *)base_;
    *at = NULL;
    sqlite3_stmt *st = prep(s, "SELECT retired_at FROM workflow_retired WHERE workflow = ?", err);
    if (!st)
        return err->code;
    bind_text(st, 1, id);
    bool oom = false;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *at = col_text(a, st, 0, &oom);
    done(s, st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(s, err, "reading a workflow");
    return oom ? kanal_error_nomem(err) : KANAL_OK;
}

static int sq_opp_close(store *base_, int64_t id, kanal_status status, const char *at,
                    const char *lost_reason, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "UPDATE opportunities SET status = ?, closed_at = ?, lost_reason = ? WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, kanal_status_name(status));
    bind_text(st, 2, at);
    bind_text(st, 3, lost_reason);
    sqlite3_bind_int64(st, 4, id);
    return step_done(s, st, err, "closing an opportunity");
}

static int sq_opp_set_owner(store *base_, int64_t id, const char *owner, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "UPDATE opportunities SET owner = ? WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, owner);
    sqlite3_bind_int64(st, 2, id);
    return step_done(s, st, err, "reassigning an opportunity");
}

static int sq_opp_set_next(store *base_, int64_t id, const char *next, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "UPDATE opportunities SET next_contact_at = ? WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, next);
    sqlite3_bind_int64(st, 2, id);
    return step_done(s, st, err, "setting the next contact");
}

static int sq_opp_touch(store *base_, int64_t id, const char *at, int64_t seq, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "UPDATE opportunities SET last_event_at = max(last_event_at, ?), last_seq = ?"
        " WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, at);
    sqlite3_bind_int64(st, 2, seq);
    sqlite3_bind_int64(st, 3, id);
    return step_done(s, st, err, "recording an event");
}

static int sq_opps_open_of_partner(store *base_, kanal_arena *a, int64_t partner_id, int64_t **ids,
                               size_t *n, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "SELECT id FROM opportunities WHERE partner_id = ? AND status = '" SQL_OPEN "' ORDER BY id";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, partner_id);
    return collect_ids(s, a, st, ids, n, err, "listing opportunities");
}

static int sq_opps_open_of_owner(store *base_, kanal_arena *a, const char *owner, int64_t **ids,
                             size_t *n, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT id FROM opportunities WHERE owner = ? AND"
                              " status = '" SQL_OPEN "' ORDER BY stage_entered_at, id";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, owner);
    return collect_ids(s, a, st, ids, n, err, "listing opportunities");
}

static int sq_open_count(store *base_, const char *owner, const char *workflow, int *n,
                     kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT count(*) FROM opportunities WHERE owner = ?1 AND"
                              " status = '" SQL_OPEN "' AND (?2 IS NULL OR workflow = ?2)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, owner);
    bind_text(st, 2, workflow);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int(st, 0);
    done(s, st);
    return rc == SQLITE_ROW ? KANAL_OK : db_fail(s, err, "counting opportunities");
}

static int sq_opps_list(store *base_, kanal_arena *a, const store_opp_filter *f,
                        store_opp_row **out, size_t *n, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "SELECT " OPP_COLS ", p.name, o.next_contact_at,"
        " (SELECT max(at) FROM activities WHERE opp_id = o.id AND voided_at IS NULL)"
        " FROM opportunities o JOIN partners p ON p.id = o.partner_id"
        " WHERE (?1 IS NULL OR o.owner = ?1) AND (?2 IS NULL OR o.workflow = ?2)"
        " AND (?3 IS NULL OR o.stage = ?3) AND (?4 IS NULL OR o.status = ?4)"
        " ORDER BY o.id";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, f->owner);
    bind_text(st, 2, f->workflow);
    bind_text(st, 3, f->stage);
    bind_text(st, 4, f->status < KANAL_STATUS_COUNT ? kanal_status_name(f->status) : NULL);
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_opp_row r;
        read_opp(a, st, &r, &oom);
        r.partner_name = col_text(a, st, 13, &oom);
        r.next_contact_at = col_text(a, st, 14, &oom);
        r.last_activity_at = col_text(a, st, 15, &oom);
        kanal_buf_add(&b, &r, sizeof r);
    }
    done(s, st);
    return rows_done(s, a, &b, rc, oom, sizeof(store_opp_row), out, n, err,
                     "listing opportunities");
}

static int sq_notes_list(store *base_, kanal_arena *a, const char *owner, store_note **out,
                         size_t *n, kanal_error *err)
{
    sq *s = (sq *)base_;
    /* a damaged event (not JSON) is no note: doctor and history say so */
    static const char sql[] =
        "SELECT opp_id, seq, at, actor, type, t FROM (SELECT e.opp_id, e.seq, e.at, e.actor,"
        "   e.type, CASE WHEN json_valid(e.data) THEN coalesce(json_extract(e.data, '$.text'),"
        "   json_extract(e.data, '$.note')) END AS t"
        " FROM events e JOIN opportunities o ON o.id = e.opp_id"
        " WHERE ?1 IS NULL OR o.owner = ?1)"
        " WHERE t IS NOT NULL ORDER BY opp_id, seq";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, owner);
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_note r = { sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                         col_text(a, st, 2, &oom),    col_text(a, st, 3, &oom),
                         col_text(a, st, 4, &oom),    col_text(a, st, 5, &oom) };
        kanal_buf_add(&b, &r, sizeof r);
    }
    done(s, st);
    return rows_done(s, a, &b, rc, oom, sizeof(store_note), out, n, err, "reading notes");
}

/* ---- goals, fields, activities ---------------------------------------------------- */

static int sq_goal_mark_done(store *base_, int64_t opp, const char *goal, const char *at,
                         const char *by, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "INSERT INTO goals_done(opp_id, goal, done_at, done_by) VALUES (?, ?, ?, ?)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, opp);
    bind_text(st, 2, goal);
    bind_text(st, 3, at);
    bind_text(st, 4, by);
    return step_done(s, st, err, "completing a goal");
}


static int sq_goals_done(store *base_, kanal_arena *a, int64_t opp, store_pair **out, size_t *n,
                     kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT goal, done_at FROM goals_done WHERE opp_id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, opp);
    return collect_pairs(s, a, st, out, n, err, "reading goals");
}

static int sq_field_put(store *base_, int64_t opp, const char *field, const char *value,
                    const char *at, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql_set[] =
        "INSERT INTO field_values(opp_id, field, value, set_at) VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT (opp_id, field) DO UPDATE SET value = ?3, set_at = ?4";
    static const char sql_clear[] = "DELETE FROM field_values WHERE opp_id = ?1 AND field = ?2";
    sqlite3_stmt *st = prep(s, value ? sql_set : sql_clear, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, opp);
    bind_text(st, 2, field);
    if (value) {
        bind_text(st, 3, value);
        bind_text(st, 4, at);
    }
    return step_done(s, st, err, "setting a field");
}

static int sq_field_values(store *base_, kanal_arena *a, int64_t opp, store_pair **out, size_t *n,
                       kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT field, value FROM field_values WHERE opp_id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, opp);
    return collect_pairs(s, a, st, out, n, err, "reading fields");
}

static int sq_activity_insert(store *base_, int64_t opp, const char *type, const char *at,
                          const char *actor, const char *note, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "INSERT INTO activities(opp_id, type, at, actor, note) VALUES (?, ?, ?, ?, ?)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, opp);
    bind_text(st, 2, type);
    bind_text(st, 3, at);
    bind_text(st, 4, actor);
    bind_text(st, 5, note);
    return step_done(s, st, err, "recording an activity");
}

static int sq_activities(store *base_, kanal_arena *a, int64_t opp, const char *type,
                     kanal_activity **out, size_t *n, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT type, at, actor, note FROM activities WHERE opp_id = ?1"
                              " AND (?2 IS NULL OR type = ?2) AND voided_at IS NULL"
                              " ORDER BY at, id";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, opp);
    bind_text(st, 2, type);
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kanal_activity x = { col_text(a, st, 0, &oom), col_text(a, st, 1, &oom),
                             col_text(a, st, 2, &oom), col_text(a, st, 3, &oom) };
        kanal_buf_add(&b, &x, sizeof x);
    }
    done(s, st);
    return rows_done(s, a, &b, rc, oom, sizeof(kanal_activity), out, n, err,
                     "reading activities");
}

static int sq_activity_void(store *base_, int64_t opp, const kanal_activity *act,
                            const char *voided_at, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "UPDATE activities SET voided_at = ?6 WHERE id = (SELECT id FROM activities"
        "  WHERE opp_id = ?1 AND type = ?2 AND at = ?3 AND actor = ?4 AND note IS ?5"
        "    AND voided_at IS NULL ORDER BY id LIMIT 1)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, opp);
    bind_text(st, 2, act->type);
    bind_text(st, 3, act->at);
    bind_text(st, 4, act->by);
    bind_text(st, 5, act->note);
    bind_text(st, 6, voided_at);
    int rc = step_done(s, st, err, "voiding an activity");
    return rc ? rc : sqlite3_changes(s->db) ? KANAL_OK : KANAL_ENOTFOUND;
}

static int sq_goal_undo(store *base_, int64_t opp, const char *goal, kanal_error *err)
{
    sq *s = (sq *)base_;
    sqlite3_stmt *st = prep(s, "DELETE FROM goals_done WHERE opp_id = ? AND goal = ?", err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, opp);
    bind_text(st, 2, goal);
    return step_done(s, st, err, "undoing a goal");
}

/* ---- the event log ------------------------------------------------------------------ */

static int sq_event_insert(store *base_, const store_event *e, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "INSERT INTO events(opp_id, seq, at, recorded_at, actor, type, data, workflow,"
        " version, login) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    if (e->opp) {
        sqlite3_bind_int64(st, 1, e->opp);
        sqlite3_bind_int64(st, 2, e->seq);
        bind_text(st, 8, e->workflow);
        sqlite3_bind_int(st, 9, e->version);
    }
    bind_text(st, 3, e->at);
    bind_text(st, 4, e->recorded_at);
    bind_text(st, 5, e->actor);
    bind_text(st, 6, e->type);
    bind_text(st, 7, e->data);
    bind_text(st, 10, e->login);
    return step_done(s, st, err, "recording an event");
}

#define EVENT_COLS                                                                         \
    "id, coalesce(opp_id, 0), coalesce(seq, 0), at, recorded_at, actor, login, type, data,"     \
    " workflow, coalesce(version, 0)"

/* Gathers the events a query over EVENT_COLS returns. */
static int collect_events(sq *s, kanal_arena *a, sqlite3_stmt *st, store_event **out,
                          size_t *n, kanal_error *err)
{
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_event e = { sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                          sqlite3_column_int64(st, 2), col_text(a, st, 3, &oom),
                          col_text(a, st, 4, &oom),    col_text(a, st, 5, &oom),
                          col_text(a, st, 6, &oom),    col_text(a, st, 7, &oom),
                          col_text(a, st, 8, &oom),    col_text(a, st, 9, &oom),
                          sqlite3_column_int(st, 10) };
        kanal_buf_add(&b, &e, sizeof e);
    }
    done(s, st);
    return rows_done(s, a, &b, rc, oom, sizeof(store_event), out, n, err,
                     "reading the event log");
}

static int sq_events(store *base_, kanal_arena *a, int64_t opp, store_event **out, size_t *n,
                     kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT " EVENT_COLS " FROM events WHERE opp_id = ? ORDER BY seq";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, opp);
    return collect_events(s, a, st, out, n, err);
}

static int sq_events_all(store *base_, kanal_arena *a, store_event **out, size_t *n,
                         kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT " EVENT_COLS " FROM events ORDER BY id";
    sqlite3_stmt *st = prep(s, sql, err);
    return st ? collect_events(s, a, st, out, n, err) : (int)err->code;
}

static int sq_events_invalid(store *base_, int64_t opp, bool *found, int64_t *bad_opp,
                         int64_t *bad_seq, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "SELECT coalesce(opp_id, 0), coalesce(seq, id) FROM events"
        " WHERE (?1 = 0 OR opp_id = ?1) AND NOT json_valid(data) ORDER BY id LIMIT 1";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, opp);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found) {
        *bad_opp = sqlite3_column_int64(st, 0);
        *bad_seq = sqlite3_column_int64(st, 1);
    }
    done(s, st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? KANAL_OK
                                                 : db_fail(s, err, "checking the event log");
}

static int sq_event_count(store *base_, int64_t opp, int64_t *n, int64_t *max_seq, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "SELECT count(*), coalesce(max(seq), 0) FROM events WHERE opp_id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, opp);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *n = sqlite3_column_int64(st, 0);
        *max_seq = sqlite3_column_int64(st, 1);
    }
    done(s, st);
    return rc == SQLITE_ROW ? KANAL_OK : db_fail(s, err, "checking the event log");
}

static int sq_check(store *base_, kanal_arena *a, store_pair **out, size_t *n, kanal_error *err)
{
    sq *s = (sq *)base_;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int rc = SQLITE_DONE;
    /* SQLite's own: every page, index and constraint; then the references */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check(100)", -1, &st, NULL) != SQLITE_OK)
        return db_fail(s, err, "checking the database");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *row = (const char *)sqlite3_column_text(st, 0);
        if (row && strcmp(row, "ok") != 0) {
            store_pair p = { "integrity_check", kanal_arena_strdup(a, row) };
            oom |= !p.value;
            kanal_buf_add(&b, &p, sizeof p);
        }
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        if (sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK) {
            kanal_buf_release(&b);
            return db_fail(s, err, "checking the database");
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            char msg[256];
            snprintf(msg, sizeof msg, "row %lld of table %s names a %s row that does not exist",
                     (long long)sqlite3_column_int64(st, 1), sqlite3_column_text(st, 0),
                     sqlite3_column_text(st, 2));
            store_pair p = { "foreign_key_check", kanal_arena_strdup(a, msg) };
            oom |= !p.value;
            kanal_buf_add(&b, &p, sizeof p);
        }
        sqlite3_finalize(st);
    }
    if (rc != SQLITE_DONE) {
        kanal_buf_release(&b);
        return db_fail(s, err, "checking the database");
    }
    return rows_done(s, a, &b, SQLITE_DONE, oom, sizeof(store_pair), out, n, err,
                     "checking the database");
}

static int sq_log_protected(store *base_, bool *yes, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'events'"
        " AND name IN ('events_no_update', 'events_no_delete', 'events_no_replace')";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    int rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 3;
    done(s, st);
    return rc == SQLITE_ROW ? KANAL_OK : db_fail(s, err, "checking the event log");
}

/*
** The digest: each table's rows in a fixed order, columns joined by '|',
** NULL as '-'; leaving out what only records when (recorded_at) and the
** ids no one sees (of activities and events).
*/
static int sq_digest(store *base_, kanal_buf *out, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char *const queries[] = {
        "SELECT 'user', id, name, active, created_at FROM users ORDER BY id",
        "SELECT 'role', user_id, role FROM user_roles ORDER BY user_id, role",
        "SELECT 'workflow', workflow, version, name, source, hash, applied_at, applied_by"
        " FROM workflow_versions ORDER BY workflow, version",
        "SELECT 'partner', " PARTNER_COLS " FROM partners ORDER BY id",
        "SELECT 'opportunity', " OPP_COLS ", o.next_contact_at FROM opportunities o ORDER BY id",
        "SELECT 'goal', opp_id, goal, done_at, done_by FROM goals_done ORDER BY opp_id, goal",
        "SELECT 'field', opp_id, field, value, set_at FROM field_values ORDER BY opp_id, field",
        "SELECT 'activity', opp_id, type, at, actor, note FROM activities"
        " WHERE voided_at IS NULL ORDER BY id",
        "SELECT 'event', opp_id, seq, at, actor, login, type, data, workflow, version"
        " FROM events ORDER BY id",
        "SELECT 'deal', id, partner_id, opp_id, client, value_cents, signed_on, ended_on,"
        " created_at, created_by FROM deals ORDER BY id",
        "SELECT 'contact', id, partner_id, name, role, email, phone, created_at, created_by,"
        " removed_at FROM contacts ORDER BY id",
    };
    for (size_t q = 0; q < KANAL_ARRAY_LEN(queries); q++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->db, queries[q], -1, &st, NULL) != SQLITE_OK)
            return db_fail(s, err, "reading the whole store");
        int rc, cols = sqlite3_column_count(st);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            for (int c = 0; c < cols; c++) {
                const char *v = (const char *)sqlite3_column_text(st, c);
                kanal_buf_puts(out, c ? "|" : "");
                kanal_buf_puts(out, v ? v : "-");
            }
            kanal_buf_putc(out, '\n');
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return db_fail(s, err, "reading the whole store");
    }
    return out->oom ? kanal_error_nomem(err) : KANAL_OK;
}

static int sq_rebuild_visits(store *base_, kanal_error *err)
{
    sq *s = (sq *)base_;
    int rc = exec(s, "DELETE FROM stage_visits", err, "rebuilding the stage visits");
    return rc ? rc : store_sqlite_backfill_visits(s, err);
}

/* ---- deals ------------------------------------------------------------------------ */

static int sq_opp_won_latest(store *base_, int64_t partner_id, int64_t *id, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT id FROM opportunities WHERE partner_id = ? AND"
                              " status = '" KANAL_STATUS_WON_NAME "'"
                              " ORDER BY closed_at DESC, id DESC LIMIT 1";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, partner_id);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    done(s, st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? KANAL_OK
                                                 : db_fail(s, err, "reading opportunities");
}

static int sq_deal_insert(store *base_, const kanal_deal *d, int64_t *id, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "INSERT INTO deals(partner_id, opp_id, client, value_cents, signed_on, ended_on,"
        " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, d->partner_id);
    sqlite3_bind_int64(st, 2, d->opp);
    bind_text(st, 3, d->client);
    sqlite3_bind_int64(st, 4, d->value_cents);
    bind_text(st, 5, d->signed_on);
    bind_text(st, 6, d->ended_on);
    bind_text(st, 7, d->created_at);
    bind_text(st, 8, d->created_by);
    int rc = step_done(s, st, err, "adding a deal");
    if (!rc)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

#define DEAL_COLS                                                                                  \
    "d.id, d.partner_id, p.name, d.opp_id, o.workflow, o.version, d.client, d.value_cents,"        \
    " d.signed_on, d.ended_on, d.created_at, d.created_by"                                         \
    " FROM deals d JOIN partners p ON p.id = d.partner_id"                                         \
    " JOIN opportunities o ON o.id = d.opp_id"

static void read_deal(kanal_arena *a, sqlite3_stmt *st, kanal_deal *d, bool *oom)
{
    d->id = sqlite3_column_int64(st, 0);
    d->partner_id = sqlite3_column_int64(st, 1);
    d->partner = col_text(a, st, 2, oom);
    d->opp = sqlite3_column_int64(st, 3);
    d->workflow = col_text(a, st, 4, oom);
    d->version = sqlite3_column_int(st, 5);
    d->client = col_text(a, st, 6, oom);
    d->value_cents = sqlite3_column_int64(st, 7);
    d->signed_on = col_text(a, st, 8, oom);
    d->ended_on = col_text(a, st, 9, oom);
    d->created_at = col_text(a, st, 10, oom);
    d->created_by = col_text(a, st, 11, oom);
}

static int sq_deal_get(store *base_, kanal_arena *a, int64_t id, kanal_deal *out, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT " DEAL_COLS " WHERE d.id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    bool oom = false;
    if (rc == SQLITE_ROW)
        read_deal(a, st, out, &oom);
    done(s, st);
    if (rc == SQLITE_DONE)
        return KANAL_ENOTFOUND;
    if (rc != SQLITE_ROW)
        return db_fail(s, err, "reading a deal");
    return oom ? kanal_error_nomem(err) : KANAL_OK;
}

static int sq_deal_end(store *base_, int64_t id, const char *ended_on, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "UPDATE deals SET ended_on = ? WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, ended_on);
    sqlite3_bind_int64(st, 2, id);
    return step_done(s, st, err, "ending a deal");
}

static int sq_deal_open_for(store *base_, int64_t partner_id, const char *client, int64_t *id,
                            kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT id FROM deals WHERE partner_id = ? AND client = ?"
                              " AND ended_on IS NULL ORDER BY id LIMIT 1";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, partner_id);
    bind_text(st, 2, client);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    done(s, st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? KANAL_OK : db_fail(s, err, "reading deals");
}

static int sq_deals_list(store *base_, kanal_arena *a, const store_deal_filter *f, kanal_deal **out,
                         size_t *n, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "SELECT " DEAL_COLS " WHERE (?1 = 0 OR d.partner_id = ?1) AND (?2 IS NULL OR p.owner = ?2)"
        " AND (?3 IS NULL OR d.signed_on <= ?3) ORDER BY d.id";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, f->partner_id);
    bind_text(st, 2, f->owner);
    bind_text(st, 3, f->signed_by);
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kanal_deal d;
        read_deal(a, st, &d, &oom);
        kanal_buf_add(&b, &d, sizeof d);
    }
    done(s, st);
    return rows_done(s, a, &b, rc, oom, sizeof(kanal_deal), out, n, err, "listing deals");
}

/* ---- contacts --------------------------------------------------------------------- */

static int sq_contact_insert(store *base_, const kanal_contact *c, int64_t *id, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "INSERT INTO contacts(partner_id, name, role, email, phone, created_at, created_by,"
        " removed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, c->partner_id);
    bind_text(st, 2, c->name);
    bind_text(st, 3, c->role);
    bind_text(st, 4, c->email);
    bind_text(st, 5, c->phone);
    bind_text(st, 6, c->created_at);
    bind_text(st, 7, c->created_by);
    bind_text(st, 8, c->removed_at);
    int rc = step_done(s, st, err, "adding a contact");
    if (!rc)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

#define CONTACT_COLS                                                                               \
    "c.id, c.partner_id, p.name, c.name, c.role, c.email, c.phone, c.created_at, c.created_by,"    \
    " c.removed_at FROM contacts c JOIN partners p ON p.id = c.partner_id"

static void read_contact(kanal_arena *a, sqlite3_stmt *st, kanal_contact *c, bool *oom)
{
    c->id = sqlite3_column_int64(st, 0);
    c->partner_id = sqlite3_column_int64(st, 1);
    c->partner = col_text(a, st, 2, oom);
    c->name = col_text(a, st, 3, oom);
    c->role = col_text(a, st, 4, oom);
    c->email = col_text(a, st, 5, oom);
    c->phone = col_text(a, st, 6, oom);
    c->created_at = col_text(a, st, 7, oom);
    c->created_by = col_text(a, st, 8, oom);
    c->removed_at = col_text(a, st, 9, oom);
}

static int sq_contact_get(store *base_, kanal_arena *a, int64_t id, kanal_contact *out,
                          kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT " CONTACT_COLS " WHERE c.id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    bool oom = false;
    if (rc == SQLITE_ROW)
        read_contact(a, st, out, &oom);
    done(s, st);
    if (rc == SQLITE_DONE)
        return KANAL_ENOTFOUND;
    if (rc != SQLITE_ROW)
        return db_fail(s, err, "reading a contact");
    return oom ? kanal_error_nomem(err) : KANAL_OK;
}

static int sq_contact_update(store *base_, const kanal_contact *c, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] =
        "UPDATE contacts SET name = ?, role = ?, email = ?, phone = ? WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, c->name);
    bind_text(st, 2, c->role);
    bind_text(st, 3, c->email);
    bind_text(st, 4, c->phone);
    sqlite3_bind_int64(st, 5, c->id);
    return step_done(s, st, err, "editing a contact");
}

static int sq_contact_remove(store *base_, int64_t id, const char *removed_at, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "UPDATE contacts SET removed_at = ? WHERE id = ?";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    bind_text(st, 1, removed_at);
    sqlite3_bind_int64(st, 2, id);
    return step_done(s, st, err, "removing a contact");
}

static int sq_contacts_list(store *base_, kanal_arena *a, int64_t partner_id, bool include_removed,
                            kanal_contact **out, size_t *n, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT " CONTACT_COLS " WHERE (?1 = 0 OR c.partner_id = ?1)"
                              " AND (?2 OR c.removed_at IS NULL) ORDER BY c.id";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, partner_id);
    sqlite3_bind_int(st, 2, include_removed);
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kanal_contact c;
        read_contact(a, st, &c, &oom);
        kanal_buf_add(&b, &c, sizeof c);
    }
    done(s, st);
    return rows_done(s, a, &b, rc, oom, sizeof(kanal_contact), out, n, err, "listing contacts");
}

static int sq_opps_closed_of_partner(store *base_, kanal_arena *a, int64_t partner_id,
                                     int64_t **ids, size_t *n, kanal_error *err)
{
    sq *s = (sq *)base_;
    static const char sql[] = "SELECT id FROM opportunities WHERE partner_id = ? AND"
                              " status <> '" SQL_OPEN "' ORDER BY closed_at DESC, id DESC";
    sqlite3_stmt *st = prep(s, sql, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, partner_id);
    return collect_ids(s, a, st, ids, n, err, "listing opportunities");
}

/* A file keeps every event as given: nothing to switch. */
static int sq_copying(store *base_, bool on, kanal_error *err)
{
    return KANAL_OK;
}

static const store_methods sqlite_methods = {
    .version = STORE_METHODS_VERSION,
    .name = "sqlite",
    .close = sq_close,
    .discard = sq_discard,
    .location = sq_path,
    .identity = sq_identity,
    .log_protected = sq_log_protected,
    .digest = sq_digest,
    .begin = sq_begin,
    .begin_read = sq_begin_read,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .depth = sq_depth,
    .publish = sq_publish,
    .user_insert = sq_user_insert,
    .user_update = sq_user_update,
    .notes_list = sq_notes_list,
    .partners_by_fold = sq_partners_by_fold,
    .partner_clash = sq_partner_clash,
    .check = sq_check,
    .user_get = sq_user_get,
    .user_set_active = sq_user_set_active,
    .count_active_with_role = sq_count_active_with_role,
    .users_list = sq_users_list,
    .workflow_get = sq_workflow_get,
    .workflow_latest = sq_workflow_latest,
    .workflow_insert = sq_workflow_insert,
    .workflow_ids = sq_workflow_ids,
    .workflows_list = sq_workflows_list,
    .partner_insert = sq_partner_insert,
    .partner_by_id = sq_partner_by_id,
    .partner_by_name = sq_partner_by_name,
    .partner_by_key = sq_partner_by_key,
    .partner_set_owner = sq_partner_set_owner,
    .partner_update = sq_partner_update,
    .partners_owned_by = sq_partners_owned_by,
    .partners_list = sq_partners_list,
    .opp_insert = sq_opp_insert,
    .opp_get = sq_opp_get,
    .opp_open_for = sq_opp_open_for,
    .opp_set_stage = sq_opp_set_stage,
    .opp_close = sq_opp_close,
    .opp_set_owner = sq_opp_set_owner,
    .opp_touch = sq_opp_touch,
    .opp_set_next = sq_opp_set_next,
    .activity_void = sq_activity_void,
    .goal_undo = sq_goal_undo,
    .opps_open_of_partner = sq_opps_open_of_partner,
    .opps_open_of_owner = sq_opps_open_of_owner,
    .open_count = sq_open_count,
    .opps_list = sq_opps_list,
    .goal_mark_done = sq_goal_mark_done,
    .goals_done = sq_goals_done,
    .field_put = sq_field_put,
    .field_values = sq_field_values,
    .activity_insert = sq_activity_insert,
    .activities = sq_activities,
    .event_insert = sq_event_insert,
    .events = sq_events,
    .events_all = sq_events_all,
    .events_invalid = sq_events_invalid,
    .event_count = sq_event_count,
    .opp_set_version = sq_opp_set_version,
    .goal_waive = sq_goal_waive,
    .goals_waived = sq_goals_waived,
    .workflow_set_retired = sq_workflow_set_retired,
    .workflow_retired = sq_workflow_retired,
    .report_waived = store_sqlite_report_waived,
    .rebuild_visits = sq_rebuild_visits,
    .copying = sq_copying,
    .report_lost = store_sqlite_report_lost,
    .report_outcomes = store_sqlite_report_outcomes,
    .report_activities = store_sqlite_report_activities,
    .report_first_touch = store_sqlite_report_first_touch,
    .report_stages = store_sqlite_report_stages,
    .report_open = store_sqlite_report_open,
    .report_goals = store_sqlite_report_goals,
    .report_win_days = store_sqlite_report_win_days,
    .opp_won_latest = sq_opp_won_latest,
    .deal_insert = sq_deal_insert,
    .deal_get = sq_deal_get,
    .deal_end = sq_deal_end,
    .deal_open_for = sq_deal_open_for,
    .deals_list = sq_deals_list,
    .contact_insert = sq_contact_insert,
    .contact_get = sq_contact_get,
    .contact_update = sq_contact_update,
    .contact_remove = sq_contact_remove,
    .contacts_list = sq_contacts_list,
    .opps_closed_of_partner = sq_opps_closed_of_partner,
};
