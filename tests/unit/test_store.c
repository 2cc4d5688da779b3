/*
** test_store.c — the SQLite store (core/lib/store.c), below the engine:
**
**  - a new database carries its schema version (user_version 2), Kanal's
**    application_id, WAL, STRICT tables, and foreign keys are enforced;
**  - the event log refuses UPDATE and DELETE (checked with the sqlite3 API on
**    the file itself), invalid JSON and a sequence number used twice;
**  - transactions nest: an inner savepoint rolled back keeps the outer work,
**    the outer rolled back drops everything;
**  - a missing file, a file that is not a Kanal database and a database from a
**    newer Kanal are refused, each with its code and message;
**  - each query function reads back what was written.
*/
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "kanal/kanal.h"
#include "t.h"

#define APP_ID 0x4B4E4C31

static char dir[64];

static const char *path_in(const char *name)
{
    static char buf[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
    return buf[i];
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                remove(path_in(e->d_name));
        }
        closedir(d);
    }
    rmdir(dir);
}

/* ---- direct access to the file ------------------------------------------------- */

static sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        fprintf(stderr, "cannot open %s: %s\n", path, db ? sqlite3_errmsg(db) : "?");
        exit(2);
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static long long raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -999;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "  %s: %s\n", sql, sqlite3_errmsg(db));
        return v;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The first column of the first row as text, into buf ("" when none). */
static const char *raw_text(sqlite3 *db, const char *sql, char *buf, size_t n)
{
    sqlite3_stmt *st;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "  %s: %s\n", sql, sqlite3_errmsg(db));
        return buf;
    }
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

static int raw_exec(sqlite3 *db, const char *sql, char *msg, size_t n)
{
    char *e = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &e);
    if (msg)
        snprintf(msg, n, "%s", e ? e : "");
    sqlite3_free(e);
    return rc;
}

static long long file_int(const char *path, const char *sql)
{
    sqlite3 *db = raw_open(path);
    long long v = raw_int(db, sql);
    sqlite3_close(db);
    return v;
}

static store *open_new(const char *name)
{
    store *s = NULL;
    kanal_error e;
    kanal_error_clear(&e);
    int rc = store_open(&s, path_in(name), true, &e);
    if (rc) {
        fprintf(stderr, "store_open(%s): %s\n", name, e.message);
        exit(2);
    }
    return s;
}

static const char *const admin_roles[] = { "admin" };

static void add_user(store *s, const char *id)
{
    kanal_error e;
    CHECK_INT(store_user_insert(s, id, id, admin_roles, 1, "2026-03-01T08:00:00Z", &e), 0);
}

static bool user_exists(store *s, const char *id)
{
    kanal_arena *a = kanal_arena_new();
    kanal_user u;
    kanal_error e;
    kanal_error_clear(&e);
    int rc = store_user_get(s, a, id, &u, &e);
    kanal_arena_free(a);
    return rc == KANAL_OK;
}

/* ---- the schema ------------------------------------------------------------------ */

static void test_schema(void)
{
    store *s = open_new("schema.db");
    CHECK_INT(store_depth(s), 0);
    store_close(s);

    sqlite3 *db = raw_open(path_in("schema.db"));
    char buf[4096];
    CHECK_INT(raw_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    CHECK_INT(STORE_SCHEMA_VERSION, 2);
    CHECK_INT(raw_int(db, "PRAGMA application_id"), APP_ID);
    CHECK_STR(raw_text(db, "PRAGMA journal_mode", buf, sizeof buf), "wal");
    static const char *const tables[] = { "users",         "user_roles",   "workflow_versions",
                                          "partners",      "opportunities", "goals_done",
                                          "field_values",  "activities",   "events" };
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = '%s'",
                 tables[i]);
        raw_text(db, sql, buf, sizeof buf);
        if (!strstr(buf, "STRICT"))
            fprintf(stderr, "  table %s: %s\n", tables[i], buf[0] ? buf : "(missing)");
        CHECK(strstr(buf, "STRICT") != NULL);
    }
    /* no update, no delete, no replace */
    CHECK_INT(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND"
                          " tbl_name = 'events'"),
              3);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM users"), 0);
    /* STRICT: a text where an integer belongs is refused */
    CHECK(raw_exec(db, "INSERT INTO users(id, name, active, created_at) VALUES"
                       " ('x', 'x', 'yes', 'now')",
                   NULL, 0) != SQLITE_OK);
    sqlite3_close(db);

    /* reopening an up-to-date database changes nothing */
    long long objects = file_int(path_in("schema.db"), "SELECT count(*) FROM sqlite_schema");
    kanal_error e;
    kanal_error_clear(&e);
    CHECK_INT(store_open(&s, path_in("schema.db"), false, &e), KANAL_OK);
    store_close(s);
    CHECK_INT(file_int(path_in("schema.db"), "SELECT count(*) FROM sqlite_schema"), objects);
    CHECK_INT(file_int(path_in("schema.db"), "PRAGMA user_version"), 2);
}

static void test_foreign_keys(void)
{
    store *s = open_new("fk.db");
    kanal_error e;
    kanal_error_clear(&e);
    /* an opportunity of a partner, workflow and owner that do not exist */
    store_opp_row r = { .partner_id = 999, .workflow = "w", .version = 1, .owner = "ghost",
                        .stage = "a", .created_at = "2026-03-01T08:00:00Z" };
    int64_t id = 0;
    CHECK_INT(store_opp_insert(s, &r, &id, &e), KANAL_ESTORAGE);
    CHECK(strstr(e.message, "FOREIGN KEY") != NULL);
    CHECK(strstr(e.message, "creating an opportunity") != NULL);
    /* a goal of an opportunity that does not exist */
    kanal_error_clear(&e);
    CHECK_INT(store_goal_mark_done(s, 999, "g", "2026-03-01T08:00:00Z", "x", &e), KANAL_ESTORAGE);
    /* a partner owned by a user who does not exist */
    kanal_partner p = { .name = "P", .type = "shop", .owner = "ghost",
                        .created_at = "2026-03-01T08:00:00Z" };
    kanal_error_clear(&e);
    CHECK_INT(store_partner_insert(s, &p, "p", &id, &e), KANAL_ESTORAGE);
    /* the connection's pragmas */
    store_close(s);
    CHECK_INT(file_int(path_in("fk.db"), "SELECT count(*) FROM partners"), 0);
}

/* ---- the event log is append-only ------------------------------------------------- */

static void test_event_log(void)
{
    store *s = open_new("events.db");
    kanal_error e;
    kanal_error_clear(&e);
    add_user(s, "ann");
    CHECK_INT(store_event_insert(s, 0, 0, "2026-03-01T08:00:00Z", "2026-03-01T08:00:00Z", "ann",
                                 "tomek", "user_added", "{\"user\":\"ann\"}", NULL, 0, &e),
              KANAL_OK);
    /* an opportunity to hang events on */
    kanal_workflow_version v = { .workflow = "w", .version = 1, .source = "w.yaml",
                                 .yaml = "workflow: w", .hash = "h",
                                 .applied_at = "2026-03-01T08:00:00Z", .applied_by = "ann" };
    CHECK_INT(store_workflow_insert(s, &v, "W", &e), 0);
    kanal_partner p = { .name = "P", .type = "shop", .created_at = "2026-03-01T08:00:00Z" };
    int64_t pid = 0, oid = 0;
    CHECK_INT(store_partner_insert(s, &p, "p", &pid, &e), 0);
    store_opp_row r = { .partner_id = pid, .workflow = "w", .version = 1, .owner = "ann",
                        .stage = "a", .created_at = "2026-03-01T08:00:00Z" };
    CHECK_INT(store_opp_insert(s, &r, &oid, &e), 0);
    CHECK_INT(store_event_insert(s, oid, 1, "2026-03-01T08:00:00Z", "2026-03-01T08:00:01Z",
                                 "ann", "tomek", "created", "{\"stage\":\"a\",\"n\":2,\"ok\":true,\"x\":null}",
                                 "w", 1, &e),
              0);
    CHECK_INT(store_event_insert(s, oid, 2, "2026-03-01T09:00:00Z", "2026-03-01T09:00:01Z",
                                 "ann", "tomek", "activity", "{\"activity\":\"call\"}", "w", 1,
                                 &e),
              0);
    /* the same sequence number twice */
    kanal_error_clear(&e);
    CHECK_INT(store_event_insert(s, oid, 2, "2026-03-01T09:00:00Z", "2026-03-01T09:00:01Z",
                                 "ann", "tomek", "activity", "{}", "w", 1, &e),
              KANAL_ESTORAGE);
    /* data that is not JSON */
    kanal_error_clear(&e);
    CHECK_INT(store_event_insert(s, oid, 3, "2026-03-01T09:00:00Z", "2026-03-01T09:00:01Z",
                                 "ann", "tomek", "activity", "{not json", "w", 1, &e),
              KANAL_ESTORAGE);
    CHECK(strstr(e.message, "storage error while recording an event") != NULL);

    /* read back, in order, with a summary for people */
    kanal_arena *a = kanal_arena_new();
    kanal_event *ev = NULL;
    size_t n = 0;
    CHECK_INT(store_events(s, a, oid, &ev, &n, &e), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_INT(ev[0].seq, 1);
        CHECK_STR(ev[0].type, "created");
        CHECK_STR(ev[0].actor, "ann");
        CHECK_STR(ev[0].workflow, "w");
        CHECK_INT(ev[0].version, 1);
        CHECK_STR(ev[0].summary, "stage=a, n=2, ok=true, x=-");
        CHECK_INT(ev[1].seq, 2);
        CHECK_STR(ev[1].at, "2026-03-01T09:00:00Z");
        CHECK_STR(ev[1].data, "{\"activity\":\"call\"}");
    }
    kanal_arena_free(a);
    store_close(s);

    /* straight on the file: no UPDATE, no DELETE, whatever the row */
    sqlite3 *db = raw_open(path_in("events.db"));
    char msg[512];
    long long before = raw_int(db, "SELECT count(*) FROM events");
    CHECK_INT(before, 3);
    CHECK_INT(raw_exec(db, "UPDATE events SET type = 'forged' WHERE seq = 1", msg, sizeof msg),
              SQLITE_CONSTRAINT);
    CHECK(strstr(msg, "append-only") != NULL);
    CHECK_INT(raw_exec(db, "UPDATE events SET data = '{}'", msg, sizeof msg), SQLITE_CONSTRAINT);
    CHECK_INT(raw_exec(db, "DELETE FROM events WHERE seq = 2", msg, sizeof msg),
              SQLITE_CONSTRAINT);
    CHECK(strstr(msg, "append-only") != NULL);
    CHECK_INT(raw_exec(db, "DELETE FROM events", msg, sizeof msg), SQLITE_CONSTRAINT);
    /* REPLACE deletes the row it replaces: that is a DELETE too */
    CHECK(raw_exec(db, "INSERT OR REPLACE INTO events(id, opp_id, seq, at, recorded_at,"
                       " actor, type, data) SELECT id, opp_id, seq, at, recorded_at, actor,"
                       " 'forged', data FROM events WHERE seq = 1",
                   msg, sizeof msg) != SQLITE_OK);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM events"), before);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM events WHERE type = 'forged'"), 0);
    /* appending is allowed */
    CHECK_INT(raw_exec(db, "INSERT INTO events(opp_id, seq, at, recorded_at, actor, type, data)"
                           " VALUES (NULL, NULL, 'x', 'x', 'x', 'note', '{}')",
                       msg, sizeof msg),
              SQLITE_OK);
    sqlite3_close(db);
}

/* ---- transactions ----------------------------------------------------------------- */

static void test_transactions(void)
{
    store *s = open_new("tx.db");
    kanal_error e;
    kanal_error_clear(&e);

    /* nothing open: commit and rollback do nothing */
    CHECK_INT(store_commit(s, &e), KANAL_OK);
    store_rollback(s);
    CHECK_INT(store_depth(s), 0);

    /* inner rolled back, outer committed: the outer work stays */
    CHECK_INT(store_begin(s, &e), 0);
    CHECK_INT(store_depth(s), 1);
    add_user(s, "outer1");
    CHECK_INT(store_begin(s, &e), 0);
    CHECK_INT(store_depth(s), 2);
    add_user(s, "inner1");
    CHECK(user_exists(s, "inner1"));
    store_rollback(s);
    CHECK_INT(store_depth(s), 1);
    CHECK(!user_exists(s, "inner1"));
    CHECK(user_exists(s, "outer1"));
    add_user(s, "outer1b"); /* the outer transaction goes on */
    CHECK_INT(store_commit(s, &e), 0);
    CHECK_INT(store_depth(s), 0);
    CHECK(user_exists(s, "outer1"));
    CHECK(user_exists(s, "outer1b"));
    CHECK(!user_exists(s, "inner1"));

    /* inner committed, outer rolled back: everything goes */
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "outer2");
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "inner2");
    CHECK_INT(store_commit(s, &e), 0);
    CHECK_INT(store_depth(s), 1);
    CHECK(user_exists(s, "inner2"));
    store_rollback(s);
    CHECK_INT(store_depth(s), 0);
    CHECK(!user_exists(s, "outer2"));
    CHECK(!user_exists(s, "inner2"));

    /* three levels: the middle rolled back takes the innermost with it */
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "l1");
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "l2");
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "l3");
    CHECK_INT(store_depth(s), 3);
    CHECK_INT(store_commit(s, &e), 0);
    store_rollback(s);
    CHECK_INT(store_depth(s), 1);
    add_user(s, "l2b");
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "l3b");
    CHECK_INT(store_commit(s, &e), 0);
    CHECK_INT(store_commit(s, &e), 0);
    CHECK_INT(store_depth(s), 0);
    CHECK(user_exists(s, "l1"));
    CHECK(!user_exists(s, "l2"));
    CHECK(!user_exists(s, "l3"));
    CHECK(user_exists(s, "l2b"));
    CHECK(user_exists(s, "l3b"));

    /* a failing statement inside a savepoint, rolled back, leaves the outer
       transaction usable */
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "before_fail");
    CHECK_INT(store_begin(s, &e), 0);
    kanal_error_clear(&e);
    CHECK_INT(store_user_insert(s, "before_fail", "dup", NULL, 0, "t", &e), KANAL_ESTORAGE);
    store_rollback(s);
    add_user(s, "after_fail");
    CHECK_INT(store_commit(s, &e), 0);
    CHECK(user_exists(s, "before_fail"));
    CHECK(user_exists(s, "after_fail"));

    /* what was rolled back is gone from the file, what was committed is there */
    store_close(s);
    CHECK_INT(file_int(path_in("tx.db"), "SELECT count(*) FROM users"), 7);
    CHECK_INT(file_int(path_in("tx.db"),
                       "SELECT count(*) FROM users WHERE id IN ('inner1','outer2','inner2','l2','l3')"),
              0);

    /* closing with a transaction open drops its work */
    kanal_error_clear(&e);
    CHECK_INT(store_open(&s, path_in("tx.db"), false, &e), 0);
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "never");
    store_rollback(s);
    store_close(s);
    CHECK_INT(file_int(path_in("tx.db"), "SELECT count(*) FROM users WHERE id = 'never'"), 0);
}

/* Two connections: uncommitted work is invisible to the other. */
static void test_isolation(void)
{
    store *a = open_new("iso.db"), *b = NULL;
    kanal_error e;
    kanal_error_clear(&e);
    CHECK_INT(store_open(&b, path_in("iso.db"), false, &e), 0);
    if (!b) {
        store_close(a);
        return;
    }
    CHECK_INT(store_begin(a, &e), 0);
    add_user(a, "pending");
    CHECK(user_exists(a, "pending"));
    CHECK(!user_exists(b, "pending"));
    CHECK_INT(store_commit(a, &e), 0);
    CHECK(user_exists(b, "pending"));
    store_close(a);
    store_close(b);
}

/* ---- refusals on opening --------------------------------------------------------------- */

static void test_open_refusals(void)
{
    store *s = (store *)1;
    kanal_error e;
    char want[512];

    /* missing, without create */
    kanal_error_clear(&e);
    const char *missing = path_in("missing.db");
    CHECK_INT(store_open(&s, missing, false, &e), KANAL_ENOTFOUND);
    CHECK(s == NULL);
    snprintf(want, sizeof want, "no database at '%s' (run 'kanal init')", missing);
    CHECK_STR(e.message, want);
    CHECK(access(missing, F_OK) != 0); /* and not created */
    /* the same through the public API */
    kanal *k = NULL;
    kanal_error_clear(&e);
    CHECK_INT(kanal_open(&k, missing, &e), KANAL_ENOTFOUND);
    CHECK_STR(e.message, want);
    CHECK(access(missing, F_OK) != 0);

    /* create over an existing database: refused, and the database intact */
    store *ok = open_new("exists.db");
    add_user(ok, "keep");
    store_close(ok);
    kanal_error_clear(&e);
    CHECK_INT(store_open(&s, path_in("exists.db"), true, &e), KANAL_EREFUSED);
    snprintf(want, sizeof want, "a database already exists at '%s'", path_in("exists.db"));
    CHECK_STR(e.message, want);
    CHECK_INT(file_int(path_in("exists.db"), "SELECT count(*) FROM users WHERE id = 'keep'"), 1);

    /* a text file */
    FILE *f = fopen(path_in("notes.txt"), "w");
    fputs("These are my notes, not a database.\n", f);
    fclose(f);
    kanal_error_clear(&e);
    CHECK_INT(store_open(&s, path_in("notes.txt"), false, &e), KANAL_ESTORAGE);
    CHECK(s == NULL);
    CHECK(e.message[0] != '\0');
    f = fopen(path_in("notes.txt"), "r");
    char line[128] = "";
    CHECK(f && fgets(line, sizeof line, f));
    if (f)
        fclose(f);
    CHECK_STR(line, "These are my notes, not a database.\n");

    /* an SQLite database of schema version 1 without Kanal's application id */
    sqlite3 *db = raw_open(path_in("other1.db"));
    raw_exec(db, "CREATE TABLE t(x); PRAGMA user_version = 1", NULL, 0);
    sqlite3_close(db);
    kanal_error_clear(&e);
    CHECK_INT(store_open(&s, path_in("other1.db"), false, &e), KANAL_ESTORAGE);
    snprintf(want, sizeof want, "'%s' is not a Kanal database (create one with 'kanal init')",
             path_in("other1.db"));
    CHECK_STR(e.message, want);

    /* an SQLite database of another program (its own application id, user_version
       0): refused, not turned into a Kanal database */
    db = raw_open(path_in("other_app.db"));
    raw_exec(db, "CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL);"
                 "INSERT INTO invoices(total) VALUES (12.5);"
                 "PRAGMA application_id = 1234567",
             NULL, 0);
    sqlite3_close(db);
    kanal_error_clear(&e);
    s = NULL;
    int rc = store_open(&s, path_in("other_app.db"), false, &e);
    CHECK_INT(rc, KANAL_ESTORAGE);
    if (!rc)
        store_close(s);
    CHECK(strstr(e.message, "is not a Kanal database") != NULL);
    CHECK_INT(file_int(path_in("other_app.db"),
                       "SELECT count(*) FROM sqlite_schema WHERE name = 'events'"),
              0);
    CHECK_INT(file_int(path_in("other_app.db"), "PRAGMA user_version"), 0);

    /* an SQLite database with tables but neither version nor application id */
    db = raw_open(path_in("plain.db"));
    raw_exec(db, "CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES ('hello')", NULL, 0);
    sqlite3_close(db);
    kanal_error_clear(&e);
    s = NULL;
    rc = store_open(&s, path_in("plain.db"), false, &e);
    CHECK_INT(rc, KANAL_ESTORAGE);
    if (!rc)
        store_close(s);
    CHECK_INT(file_int(path_in("plain.db"),
                       "SELECT count(*) FROM sqlite_schema WHERE name = 'users'"),
              0);

    /* a database from a newer Kanal */
    store *n = open_new("newer.db");
    store_close(n);
    db = raw_open(path_in("newer.db"));
    raw_exec(db, "PRAGMA user_version = 3", NULL, 0);
    sqlite3_close(db);
    kanal_error_clear(&e);
    s = (store *)1;
    CHECK_INT(store_open(&s, path_in("newer.db"), false, &e), KANAL_ESTORAGE);
    CHECK(s == NULL);
    snprintf(want, sizeof want,
             "the database at '%s' was written by a newer Kanal (schema 3; this one knows up "
             "to 2): upgrade kanal",
             path_in("newer.db"));
    CHECK_STR(e.message, want);
    kanal_error_clear(&e);
    k = NULL;
    CHECK_INT(kanal_open(&k, path_in("newer.db"), &e), KANAL_ESTORAGE);
    CHECK(k == NULL);
    CHECK(strstr(e.message, "newer Kanal") != NULL);
    /* and left as it was */
    CHECK_INT(file_int(path_in("newer.db"), "PRAGMA user_version"), 3);
}

/* ---- the queries --------------------------------------------------------------------- */

static void test_users(store *s)
{
    kanal_error e;
    kanal_error_clear(&e);
    const char *roles[] = { "manager", "admin" };
    CHECK_INT(store_user_insert(s, "mia", "Mia Manager", roles, 2, "2026-03-01T08:00:00Z", &e), 0);
    const char *rep[] = { "channel_rep" };
    CHECK_INT(store_user_insert(s, "marcin", "Marcin", rep, 1, "2026-03-01T08:01:00Z", &e), 0);
    kanal_error_clear(&e);
    CHECK_INT(store_user_insert(s, "marcin", "Again", rep, 1, "2026-03-01T08:01:00Z", &e),
              KANAL_ESTORAGE);

    kanal_arena *a = kanal_arena_new();
    kanal_user u;
    kanal_error_clear(&e);
    CHECK_INT(store_user_get(s, a, "mia", &u, &e), 0);
    CHECK_STR(u.name, "Mia Manager");
    CHECK(u.active);
    CHECK_INT(u.n_roles, 2);
    if (u.n_roles == 2) {
        CHECK_STR(u.roles[0], "admin"); /* sorted */
        CHECK_STR(u.roles[1], "manager");
    }
    CHECK_STR(u.created_at, "2026-03-01T08:00:00Z");
    /* not found: the code and no message (the engine words it) */
    kanal_error_clear(&e);
    CHECK_INT(store_user_get(s, a, "nobody", &u, &e), KANAL_ENOTFOUND);
    CHECK_STR(e.message, "");

    int n = -1;
    CHECK_INT(store_count_active_with_role(s, "admin", &n, &e), 0);
    CHECK_INT(n, 1);
    CHECK_INT(store_user_set_active(s, "mia", false, &e), 0);
    CHECK_INT(store_count_active_with_role(s, "admin", &n, &e), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_user_get(s, a, "mia", &u, &e), 0);
    CHECK(!u.active);
    CHECK_INT(store_user_set_active(s, "mia", true, &e), 0);

    kanal_table *t = NULL;
    CHECK_INT(kanal_table_new(&t, "users", NULL, &e), 0);
    kanal_table_add_column(t, "id", KANAL_TYPE_TEXT, NULL);
    kanal_table_add_column(t, "name", KANAL_TYPE_TEXT, NULL);
    kanal_table_add_column(t, "roles", KANAL_TYPE_LIST, NULL);
    kanal_table_add_column(t, "active", KANAL_TYPE_BOOL, NULL);
    kanal_table_add_column(t, "created_at", KANAL_TYPE_TIME, NULL);
    CHECK_INT(store_users_table(s, t, &e), 0);
    CHECK_INT(kanal_table_rows(t), 2);
    CHECK_STR(kanal_table_cell(t, 0, 0), "marcin");
    CHECK_STR(kanal_table_cell(t, 1, 2), "admin\nmanager");
    CHECK_STR(kanal_table_cell(t, 1, 3), "true");
    kanal_table_free(t);
    kanal_arena_free(a);
}

static void test_workflows(store *s)
{
    kanal_error e;
    kanal_error_clear(&e);
    kanal_workflow_version v = { .workflow = "distributors", .version = 1, .source = "d.yaml",
                                 .yaml = "v1 text", .hash = "h1",
                                 .applied_at = "2026-03-01T08:00:00Z", .applied_by = "mia" };
    CHECK_INT(store_workflow_insert(s, &v, "Distributors", &e), 0);
    v.version = 2;
    v.yaml = "v2 text";
    v.rules_file = "d.lua";
    v.rules = "-- rules";
    v.hash = "h2";
    CHECK_INT(store_workflow_insert(s, &v, "Distributors", &e), 0);
    kanal_error_clear(&e);
    CHECK_INT(store_workflow_insert(s, &v, "Distributors", &e), KANAL_ESTORAGE); /* v2 twice */
    v.workflow = "wholesale";
    v.version = 1;
    v.rules_file = v.rules = NULL;
    CHECK_INT(store_workflow_insert(s, &v, "Wholesale", &e), 0);
    v.version = 0; /* versions start at 1 */
    kanal_error_clear(&e);
    CHECK_INT(store_workflow_insert(s, &v, "Wholesale", &e), KANAL_ESTORAGE);

    kanal_arena *a = kanal_arena_new();
    kanal_workflow_version got;
    CHECK_INT(store_workflow_get(s, a, "distributors", 0, &got, &e), 0);
    CHECK_INT(got.version, 2);
    CHECK_STR(got.yaml, "v2 text");
    CHECK_STR(got.rules_file, "d.lua");
    CHECK_STR(got.rules, "-- rules");
    CHECK_INT(store_workflow_get(s, a, "distributors", 1, &got, &e), 0);
    CHECK_INT(got.version, 1);
    CHECK_STR(got.yaml, "v1 text");
    CHECK(got.rules == NULL);
    kanal_error_clear(&e);
    CHECK_INT(store_workflow_get(s, a, "distributors", 3, &got, &e), KANAL_ENOTFOUND);
    CHECK_INT(store_workflow_get(s, a, "nope", 0, &got, &e), KANAL_ENOTFOUND);

    const char **ids = NULL;
    size_t n = 0;
    CHECK_INT(store_workflow_ids(s, a, &ids, &n, &e), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(ids[0], "distributors");
        CHECK_STR(ids[1], "wholesale");
    }
    kanal_table *t = NULL;
    kanal_table_new(&t, "workflows", NULL, &e);
    const char *cols[] = { "workflow", "version", "name", "applied_at", "applied_by", "open" };
    for (int i = 0; i < 6; i++)
        kanal_table_add_column(t, cols[i], i == 1 || i == 5 ? KANAL_TYPE_INT : KANAL_TYPE_TEXT,
                               NULL);
    CHECK_INT(store_workflows_table(s, t, &e), 0);
    CHECK_INT(kanal_table_rows(t), 2); /* the latest version of each */
    CHECK_STR(kanal_table_cell(t, 0, 1), "2");
    CHECK_STR(kanal_table_cell(t, 0, 5), "0");
    kanal_table_free(t);
    kanal_arena_free(a);
}

static void test_partners_and_opps(store *s)
{
    kanal_error e;
    kanal_error_clear(&e);
    kanal_arena *a = kanal_arena_new();

    kanal_partner p = { .name = "Hurtownia ABC", .type = "distributor", .owner = NULL,
                        .email = "biuro@abc.pl", .city = "Łódź",
                        .created_at = "2026-03-01T08:00:00Z" };
    int64_t p1 = 0, p2 = 0, p3 = 0;
    CHECK_INT(store_partner_insert(s, &p, "hurtownia abc", &p1, &e), 0);
    CHECK(p1 > 0);
    p.name = "HURTOWNIA  ABC";
    kanal_error_clear(&e);
    CHECK_INT(store_partner_insert(s, &p, "hurtownia abc", &p2, &e), KANAL_ESTORAGE);
    CHECK(strstr(e.message, "UNIQUE") != NULL);
    p.name = "Sklep Ż";
    p.type = "shop";
    p.owner = "marcin";
    p.email = p.city = NULL;
    CHECK_INT(store_partner_insert(s, &p, "sklep ż", &p2, &e), 0);
    p.name = "Trzeci";
    CHECK_INT(store_partner_insert(s, &p, "trzeci", &p3, &e), 0);

    kanal_partner got;
    CHECK_INT(store_partner_by_id(s, a, p1, &got, &e), 0);
    CHECK_STR(got.name, "Hurtownia ABC");
    CHECK_STR(got.city, "Łódź");
    CHECK(got.owner == NULL);
    CHECK(got.phone == NULL);
    CHECK_INT(store_partner_by_name(s, a, "Sklep Ż", &got, &e), 0);
    CHECK_INT(got.id, p2);
    kanal_error_clear(&e);
    CHECK_INT(store_partner_by_name(s, a, "sklep ż", &got, &e), KANAL_ENOTFOUND); /* exact */
    CHECK_INT(store_partner_by_key(s, a, "sklep ż", &got, &e), 0);
    CHECK_INT(got.id, p2);
    CHECK_INT(store_partner_by_id(s, a, 9999, &got, &e), KANAL_ENOTFOUND);

    CHECK_INT(store_partner_set_owner(s, p1, "marcin", &e), 0);
    int64_t *ids = NULL;
    size_t n = 0;
    CHECK_INT(store_partners_owned_by(s, a, "marcin", &ids, &n, &e), 0);
    CHECK_INT(n, 3);
    CHECK_INT(store_partners_owned_by(s, a, "mia", &ids, &n, &e), 0);
    CHECK_INT(n, 0);

    kanal_table *t = NULL;
    kanal_table_new(&t, "partners", NULL, &e);
    for (int i = 0; i < 9; i++)
        kanal_table_add_column(t, i ? "c" : "id", i ? KANAL_TYPE_TEXT : KANAL_TYPE_INT, NULL);
    CHECK_INT(store_partners_table(s, NULL, "shop", t, &e), 0);
    CHECK_INT(kanal_table_rows(t), 2);
    kanal_table_free(t);
    kanal_table_new(&t, "partners", NULL, &e);
    for (int i = 0; i < 9; i++)
        kanal_table_add_column(t, i ? "c" : "id", i ? KANAL_TYPE_TEXT : KANAL_TYPE_INT, NULL);
    CHECK_INT(store_partners_table(s, "marcin", "distributor", t, &e), 0);
    CHECK_INT(kanal_table_rows(t), 1);
    kanal_table_free(t);

    /* opportunities */
    store_opp_row r = { .partner_id = p1, .workflow = "distributors", .version = 1,
                        .owner = "marcin", .stage = "awareness",
                        .created_at = "2026-03-02T08:00:00Z" };
    int64_t o1 = 0, o2 = 0, o3 = 0, dup = 0;
    CHECK_INT(store_opp_insert(s, &r, &o1, &e), 0);
    /* one open opportunity per partner and workflow */
    kanal_error_clear(&e);
    CHECK_INT(store_opp_insert(s, &r, &dup, &e), KANAL_ESTORAGE);
    r.workflow = "wholesale";
    r.partner_id = p2;
    r.created_at = "2026-03-01T08:00:00Z";
    CHECK_INT(store_opp_insert(s, &r, &o2, &e), 0);
    r.partner_id = p3;
    r.created_at = "2026-03-03T08:00:00Z";
    CHECK_INT(store_opp_insert(s, &r, &o3, &e), 0);

    store_opp_row got_r;
    CHECK_INT(store_opp_get(s, a, o1, &got_r, &e), 0);
    CHECK_STR(got_r.status, "open");
    CHECK_STR(got_r.stage, "awareness");
    CHECK_STR(got_r.stage_entered_at, "2026-03-02T08:00:00Z");
    CHECK_STR(got_r.last_event_at, "2026-03-02T08:00:00Z");
    CHECK_INT(got_r.last_seq, 0);
    CHECK(got_r.closed_at == NULL);
    CHECK_INT(store_opp_get(s, a, 9999, &got_r, &e), KANAL_ENOTFOUND);

    int64_t open = -1;
    CHECK_INT(store_opp_open_for(s, p1, "distributors", &open, &e), 0);
    CHECK_INT(open, o1);
    CHECK_INT(store_opp_open_for(s, p1, "wholesale", &open, &e), 0);
    CHECK_INT(open, 0);

    /* the agenda's order: the longest in its stage first */
    CHECK_INT(store_opps_open_of_owner(s, a, "marcin", &ids, &n, &e), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_INT(ids[0], o2);
        CHECK_INT(ids[1], o1);
        CHECK_INT(ids[2], o3);
    }
    CHECK_INT(store_opp_set_stage(s, o2, "listing", "2026-03-05T08:00:00Z", &e), 0);
    CHECK_INT(store_opps_open_of_owner(s, a, "marcin", &ids, &n, &e), 0);
    if (n == 3) {
        CHECK_INT(ids[0], o1);
        CHECK_INT(ids[1], o3);
        CHECK_INT(ids[2], o2);
    }
    int cnt = -1;
    CHECK_INT(store_open_count(s, "marcin", NULL, &cnt, &e), 0);
    CHECK_INT(cnt, 3);
    CHECK_INT(store_open_count(s, "marcin", "wholesale", &cnt, &e), 0);
    CHECK_INT(cnt, 2);

    /* touch keeps the latest time, takes the new sequence number */
    CHECK_INT(store_opp_touch(s, o1, "2026-03-04T08:00:00Z", 1, &e), 0);
    CHECK_INT(store_opp_touch(s, o1, "2026-03-03T08:00:00Z", 2, &e), 0);
    CHECK_INT(store_opp_get(s, a, o1, &got_r, &e), 0);
    CHECK_STR(got_r.last_event_at, "2026-03-04T08:00:00Z");
    CHECK_INT(got_r.last_seq, 2);

    /* close; then a new open opportunity for the same partner and workflow is allowed */
    CHECK_INT(store_opp_close(s, o1, "lost", "2026-03-06T08:00:00Z", "competitor", &e), 0);
    CHECK_INT(store_opp_get(s, a, o1, &got_r, &e), 0);
    CHECK_STR(got_r.status, "lost");
    CHECK_STR(got_r.closed_at, "2026-03-06T08:00:00Z");
    CHECK_STR(got_r.lost_reason, "competitor");
    kanal_error_clear(&e);
    CHECK_INT(store_opp_close(s, o3, "abandoned", "2026-03-06T08:00:00Z", NULL, &e),
              KANAL_ESTORAGE); /* status is checked */
    r.partner_id = p1;
    r.workflow = "distributors";
    CHECK_INT(store_opp_insert(s, &r, &dup, &e), 0);
    CHECK_INT(store_opps_open_of_partner(s, a, p1, &ids, &n, &e), 0);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_INT(ids[0], dup);
    CHECK_INT(store_opp_set_owner(s, dup, "mia", &e), 0);
    CHECK_INT(store_open_count(s, "mia", NULL, &cnt, &e), 0);
    CHECK_INT(cnt, 1);

    /* the list, with days in stage against a given now */
    kanal_table_new(&t, "opportunities", NULL, &e);
    for (int i = 0; i < 11; i++)
        kanal_table_add_column(t, i == 0 ? "id" : i == 7 ? "days" : "c",
                               i == 0 || i == 3 || i == 7 ? KANAL_TYPE_INT : KANAL_TYPE_TEXT,
                               NULL);
    int64_t now = 0;
    CHECK_INT(kanal_time_parse("2026-03-10T08:00:00Z", &now, &e), 0);
    store_opp_filter f = { .owner = "marcin", .status = "open" };
    CHECK_INT(store_opps_table(s, &f, now, t, &e), 0);
    CHECK_INT(kanal_table_rows(t), 2);
    if (kanal_table_rows(t) == 2) {
        CHECK_INT(atoll(kanal_table_cell(t, 0, 0)), o2);
        CHECK_STR(kanal_table_cell(t, 0, 1), "Sklep Ż");
        CHECK_STR(kanal_table_cell(t, 0, 6), "listing");
        CHECK_STR(kanal_table_cell(t, 0, 7), "5");
        CHECK_STR(kanal_table_cell(t, 1, 7), "7");
    }
    kanal_table_free(t);

    /* goals, fields, activities */
    CHECK_INT(store_goal_mark_done(s, o2, "terms_agreed", "2026-03-05T09:00:00Z", "marcin", &e), 0);
    kanal_error_clear(&e);
    CHECK_INT(store_goal_mark_done(s, o2, "terms_agreed", "2026-03-05T10:00:00Z", "marcin", &e),
              KANAL_ESTORAGE);
    store_pair *pairs = NULL;
    CHECK_INT(store_goals_done(s, a, o2, &pairs, &n, &e), 0);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_STR(pairs[0].key, "terms_agreed");
        CHECK_STR(pairs[0].value, "2026-03-05T09:00:00Z");
    }
    CHECK_INT(store_field_put(s, o2, "payment_days", "30", "2026-03-05T09:00:00Z", &e), 0);
    CHECK_INT(store_field_put(s, o2, "payment_days", "45", "2026-03-05T09:30:00Z", &e), 0);
    CHECK_INT(store_field_put(s, o2, "exclusive", "true", "2026-03-05T09:30:00Z", &e), 0);
    CHECK_INT(store_field_values(s, a, o2, &pairs, &n, &e), 0);
    CHECK_INT(n, 2);
    for (size_t i = 0; i < n; i++)
        if (strcmp(pairs[i].key, "payment_days") == 0)
            CHECK_STR(pairs[i].value, "45");
    CHECK_INT(store_field_put(s, o2, "exclusive", NULL, "2026-03-05T09:40:00Z", &e), 0);
    CHECK_INT(store_field_put(s, o2, "never_set", NULL, "2026-03-05T09:40:00Z", &e), 0);
    CHECK_INT(store_field_values(s, a, o2, &pairs, &n, &e), 0);
    CHECK_INT(n, 1);

    CHECK_INT(store_activity_insert(s, o2, "call", "2026-03-05T11:00:00Z", "marcin", NULL, &e), 0);
    CHECK_INT(store_activity_insert(s, o2, "email", "2026-03-05T10:00:00Z", "marcin", "price list",
                                    &e),
              0);
    CHECK_INT(store_activity_insert(s, o2, "call", "2026-03-05T09:00:00Z", "mia", "first", &e), 0);
    kanal_activity *acts = NULL;
    CHECK_INT(store_activities(s, a, o2, NULL, &acts, &n, &e), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_STR(acts[0].at, "2026-03-05T09:00:00Z"); /* by time, not by insertion */
        CHECK_STR(acts[0].note, "first");
        CHECK_STR(acts[1].type, "email");
        CHECK(acts[2].note == NULL);
    }
    CHECK_INT(store_activities(s, a, o2, "call", &acts, &n, &e), 0);
    CHECK_INT(n, 2);
    CHECK_INT(store_activities(s, a, o1, NULL, &acts, &n, &e), 0);
    CHECK_INT(n, 0);
    kanal_arena_free(a);
}

static void test_queries(void)
{
    store *s = open_new("queries.db");
    test_users(s);
    test_workflows(s);
    test_partners_and_opps(s);
    CHECK_INT(store_depth(s), 0);
    store_close(s);
    store_close(NULL);
}

/*
** A database of schema 1 (before events kept the login) is migrated on open:
** the column appears, the events it held stay as they were with no login,
** and new events carry theirs.
*/
static void test_migration_v2(void)
{
    store *s = open_new("v1.db");
    kanal_error e;
    kanal_error_clear(&e);
    CHECK_INT(store_event_insert(s, 0, 0, "2026-03-01T08:00:00Z", "2026-03-01T08:00:00Z", "ann",
                                 "tomek", "user_added", "{\"user\":\"ann\"}", NULL, 0, &e),
              KANAL_OK);
    store_close(s);
    sqlite3 *db = raw_open(path_in("v1.db"));
    CHECK_INT(raw_exec(db, "ALTER TABLE events DROP COLUMN login; PRAGMA user_version = 1", NULL,
                       0),
              SQLITE_OK);
    sqlite3_close(db);
    CHECK_INT(file_int(path_in("v1.db"),
                       "SELECT count(*) FROM pragma_table_info('events') WHERE name = 'login'"),
              0);

    kanal_error_clear(&e);
    CHECK_INT(store_open(&s, path_in("v1.db"), false, &e), KANAL_OK);
    if (!s)
        return;
    CHECK_INT(store_event_insert(s, 0, 0, "2026-03-02T08:00:00Z", "2026-03-02T08:00:00Z", "ann",
                                 "ola", "user_added", "{\"user\":\"bo\"}", NULL, 0, &e),
              KANAL_OK);
    store_close(s);
    CHECK_INT(file_int(path_in("v1.db"), "PRAGMA user_version"), 2);
    CHECK_INT(file_int(path_in("v1.db"), "SELECT count(*) FROM events"), 2);
    CHECK_INT(file_int(path_in("v1.db"), "SELECT count(*) FROM events WHERE login IS NULL"), 1);
    CHECK_INT(file_int(path_in("v1.db"), "SELECT count(*) FROM events WHERE login = 'ola'"), 1);
    /* the log is as protected as before */
    CHECK_INT(file_int(path_in("v1.db"), "SELECT count(*) FROM sqlite_schema WHERE type ="
                                         " 'trigger' AND tbl_name = 'events'"),
              3);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/kanal-store-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    test_schema();
    test_foreign_keys();
    test_event_log();
    test_transactions();
    test_isolation();
    test_open_refusals();
    test_migration_v2();
    test_queries();
    remove_dir();
    return t_done("test_store");
}
