/*
** test_sqlite_store.c — the SQLite backend's own tests (core/lib/store/sqlite),
** which look at the file itself with the sqlite3 API; what every backend must
** do is tested through the store's interface in test_store.c.
**
**  - a new database carries its schema version (user_version 2), Kanal's
**    application_id, WAL, STRICT tables, and foreign keys are enforced;
**  - the event log refuses UPDATE, DELETE and REPLACE on the file itself;
**  - a missing file, a file that is not a Kanal database and a database from a
**    newer Kanal are refused, each with its code and message, and left as
**    they were;
**  - a database of schema 1 is migrated to 2.
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
    if (!rc)
        rc = store_publish(&s, &e); /* a new database is at its place once published */
    if (rc) {
        fprintf(stderr, "store_open(%s): %s\n", name, e.message);
        exit(2);
    }
    return s;
}

static const char *const admin_roles[] = { "admin" };

/* what schema 4 added (deals, the changing of live processes): gone from a database made to
   look older */
#define V4_DROP                                                                                    \
    "DROP TABLE deals; DROP TABLE workflow_retired; DROP TABLE goals_waived;"                      \
    " DROP TRIGGER stage_visit_migrated;" V5_DROP

/* what schema 5 added (the next contact) */
#define V5_DROP " ALTER TABLE opportunities DROP COLUMN next_contact_at;" V7_DROP

/* what schema 7 added (voiding; schema 6 added nothing on SQLite) */
#define V7_DROP " ALTER TABLE activities DROP COLUMN voided_at;" V8_DROP

/* what schema 8 added (the people at partners, partners' fold keys) */
#define V8_DROP                                                                                    \
    " DROP TABLE contacts; DROP INDEX partners_fold; ALTER TABLE partners DROP COLUMN fold_key;"

/* what schema 3 added to opportunities (stage_visits aside): gone from a database made to look
 * older */
#define V3_TRIGGERS_DROP                                                                           \
    "DROP TRIGGER stage_visit_first; DROP TRIGGER stage_visit_next;"                               \
    " DROP TRIGGER stage_visit_closed; DROP INDEX opportunities_last_event;"

static void add_user(store *s, const char *id)
{
    kanal_error e;
    CHECK_INT(store_user_insert(s, id, id, admin_roles, 1, "2026-03-01T08:00:00Z", &e), 0);
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
    CHECK_INT(STORE_SCHEMA_VERSION, 8);
    CHECK_INT(raw_int(db, "PRAGMA application_id"), APP_ID);
    CHECK_STR(raw_text(db, "PRAGMA journal_mode", buf, sizeof buf), "wal");
    static const char *const tables[] = { "users",        "user_roles",    "workflow_versions",
                                          "partners",     "opportunities", "goals_done",
                                          "field_values", "activities",    "events",
                                          "stage_visits", "deals",         "contacts" };
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
    CHECK_INT(file_int(path_in("schema.db"), "PRAGMA user_version"), STORE_SCHEMA_VERSION);
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

/* Straight on the file: the triggers keep the log append-only, whatever the row. */
static void test_event_log_file(void)
{
    store *s = open_new("events.db");
    kanal_error e;
    kanal_error_clear(&e);
    add_user(s, "ann");
    for (int i = 0; i < 3; i++) {
        store_event ev = { .at = "2026-03-01T08:00:00Z", .recorded_at = "2026-03-01T08:00:00Z",
                           .actor = "ann", .login = "tomek", .type = "user_added",
                           .data = "{\"user\":\"ann\"}" };
        CHECK_INT(store_event_insert(s, &ev, &e), KANAL_OK);
    }
    store_close(s);
    /* straight on the file: no UPDATE, no DELETE, whatever the row */
    sqlite3 *db = raw_open(path_in("events.db"));
    char msg[512];
    long long before = raw_int(db, "SELECT count(*) FROM events");
    CHECK_INT(before, 3);
    CHECK_INT(raw_exec(db, "UPDATE events SET type = 'forged' WHERE id = 1", msg, sizeof msg),
              SQLITE_CONSTRAINT);
    CHECK(strstr(msg, "append-only") != NULL);
    CHECK_INT(raw_exec(db, "UPDATE events SET data = '{}'", msg, sizeof msg), SQLITE_CONSTRAINT);
    CHECK_INT(raw_exec(db, "DELETE FROM events WHERE id = 2", msg, sizeof msg),
              SQLITE_CONSTRAINT);
    CHECK(strstr(msg, "append-only") != NULL);
    CHECK_INT(raw_exec(db, "DELETE FROM events", msg, sizeof msg), SQLITE_CONSTRAINT);
    /* REPLACE deletes the row it replaces: that is a DELETE too */
    CHECK(raw_exec(db, "INSERT OR REPLACE INTO events(id, opp_id, seq, at, recorded_at,"
                       " actor, type, data) SELECT id, opp_id, seq, at, recorded_at, actor,"
                       " 'forged', data FROM events WHERE id = 1",
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

/* What was rolled back is gone from the file, what was committed is there. */
static void test_transactions_file(void)
{
    store *s = open_new("txf.db");
    kanal_error e;
    kanal_error_clear(&e);
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "kept");
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "dropped");
    store_rollback(s);
    CHECK_INT(store_commit(s, &e), 0);
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "never");
    store_close(s); /* closing with a transaction open drops its work */
    CHECK_INT(file_int(path_in("txf.db"), "SELECT count(*) FROM users"), 1);
    CHECK_INT(file_int(path_in("txf.db"), "SELECT count(*) FROM users WHERE id = 'kept'"), 1);
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
    snprintf(want, sizeof want, "no database at '%s'", missing);
    CHECK_STR(e.message, want);
    CHECK_INT(e.advice, KANAL_ADVICE_RUN_INIT); /* the CLI: (run 'kanal init') */
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
    snprintf(want, sizeof want, "'%s' is not a Kanal database", path_in("other1.db"));
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
    raw_exec(db, "PRAGMA user_version = 9", NULL, 0);
    sqlite3_close(db);
    kanal_error_clear(&e);
    s = (store *)1;
    CHECK_INT(store_open(&s, path_in("newer.db"), false, &e), KANAL_ESTORAGE);
    CHECK(s == NULL);
    snprintf(want, sizeof want,
             "the database at '%s' was written by a newer Kanal (schema 9; this one knows up "
             "to 8): upgrade kanal",
             path_in("newer.db"));
    CHECK_STR(e.message, want);
    kanal_error_clear(&e);
    k = NULL;
    CHECK_INT(kanal_open(&k, path_in("newer.db"), &e), KANAL_ESTORAGE);
    CHECK(k == NULL);
    CHECK(strstr(e.message, "newer Kanal") != NULL);
    /* and left as it was */
    CHECK_INT(file_int(path_in("newer.db"), "PRAGMA user_version"), 9);
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
    store_event ev = { .at = "2026-03-01T08:00:00Z", .recorded_at = "2026-03-01T08:00:00Z",
                       .actor = "ann", .login = "tomek", .type = "user_added",
                       .data = "{\"user\":\"ann\"}" };
    CHECK_INT(store_event_insert(s, &ev, &e), KANAL_OK);
    store_close(s);
    sqlite3 *db = raw_open(path_in("v1.db"));
    CHECK_INT(
        raw_exec(db,
                 V4_DROP
                 "ALTER TABLE events DROP COLUMN login; DROP TABLE stage_visits; " V3_TRIGGERS_DROP
                 " PRAGMA user_version = 1",
                 NULL, 0),
        SQLITE_OK);
    sqlite3_close(db);
    CHECK_INT(file_int(path_in("v1.db"),
                       "SELECT count(*) FROM pragma_table_info('events') WHERE name = 'login'"),
              0);

    kanal_error_clear(&e);
    CHECK_INT(store_open(&s, path_in("v1.db"), false, &e), KANAL_OK);
    if (!s) {
        fprintf(stderr, "v1: %s\n", e.message);
        return;
    }
    store_event later = { .at = "2026-03-02T08:00:00Z", .recorded_at = "2026-03-02T08:00:00Z",
                          .actor = "ann", .login = "ola", .type = "user_added",
                          .data = "{\"user\":\"bo\"}" };
    CHECK_INT(store_event_insert(s, &later, &e), KANAL_OK);
    store_close(s);
    CHECK_INT(file_int(path_in("v1.db"), "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    CHECK_INT(file_int(path_in("v1.db"), "SELECT count(*) FROM events"), 2);
    CHECK_INT(file_int(path_in("v1.db"), "SELECT count(*) FROM events WHERE login IS NULL"), 1);
    CHECK_INT(file_int(path_in("v1.db"), "SELECT count(*) FROM events WHERE login = 'ola'"), 1);
    /* the log is as protected as before */
    CHECK_INT(file_int(path_in("v1.db"), "SELECT count(*) FROM sqlite_schema WHERE type ="
                                         " 'trigger' AND tbl_name = 'events'"),
              3);
}

/*
** A database of schema 2 (before stage visits were kept) is migrated on open:
** the visits of its opportunities are read from the log, and are what the
** triggers would have kept — visit by visit, with the way each ended.
*/
static void test_migration_v3(void)
{
    store *s = open_new("v2.db");
    kanal_error e;
    kanal_error_clear(&e);
    add_user(s, "ann");
    kanal_workflow_version v = { .workflow = "w",
                                 .version = 1,
                                 .source = "w.yaml",
                                 .yaml = "workflow: w",
                                 .hash = "h",
                                 .applied_at = "2026-03-01T08:00:00Z",
                                 .applied_by = "ann" };
    CHECK_INT(store_workflow_insert(s, &v, "W", &e), 0);
    /* three opportunities: won after two advances, lost in its first stage, still open */
    static const struct {
        const char *type, *at, *data;
        int op; /* 0 create, 1 advance, 2 win, 3 lose */
        const char *stage;
    } steps[3][4] = {
        { { "created", "2026-03-01T08:00:00Z", "{\"stage\":\"a\"}", 0, "a" },
          { "advanced", "2026-03-02T08:00:00Z", "{\"from\":\"a\",\"to\":\"b\"}", 1, "b" },
          { "advanced", "2026-03-04T20:00:00Z", "{\"from\":\"b\",\"to\":\"c\"}", 1, "c" },
          { "won", "2026-03-09T08:00:00Z", "{\"stage\":\"c\"}", 2, NULL } },
        { { "created", "2026-03-01T09:00:00Z", "{\"stage\":\"a\"}", 0, "a" },
          { "lost", "2026-03-03T09:00:00Z", "{\"stage\":\"a\",\"reason\":\"x\"}", 3, NULL } },
        { { "created", "2026-03-05T09:00:00Z", "{\"stage\":\"a\"}", 0, "a" },
          { "advanced", "2026-03-05T09:00:00Z", "{\"from\":\"a\",\"to\":\"b\"}", 1, "b" } },
    };
    for (int o = 0; o < 3; o++) {
        char name[8];
        snprintf(name, sizeof name, "P%d", o);
        kanal_partner p = { .name = name, .type = "shop", .created_at = "2026-03-01T08:00:00Z" };
        int64_t pid = 0, oid = 0;
        CHECK_INT(store_partner_insert(s, &p, name, &pid, &e), 0);
        for (int i = 0; i < 4 && steps[o][i].type; i++) {
            const char *at = steps[o][i].at;
            if (steps[o][i].op == 0) {
                store_opp_row r = { .partner_id = pid,
                                    .workflow = "w",
                                    .version = 1,
                                    .owner = "ann",
                                    .stage = "a",
                                    .created_at = at };
                CHECK_INT(store_opp_insert(s, &r, &oid, &e), 0);
            } else if (steps[o][i].op == 1) {
                CHECK_INT(store_opp_set_stage(s, oid, steps[o][i].stage, at, &e), 0);
            } else {
                CHECK_INT(store_opp_close(s, oid, steps[o][i].op == 2 ? KANAL_WON : KANAL_LOST, at,
                                          steps[o][i].op == 3 ? "x" : NULL, &e),
                          0);
            }
            store_event ev = { .opp = oid,
                               .seq = i + 1,
                               .at = at,
                               .recorded_at = at,
                               .actor = "ann",
                               .login = "tomek",
                               .type = steps[o][i].type,
                               .data = steps[o][i].data,
                               .workflow = "w",
                               .version = 1 };
            CHECK_INT(store_event_insert(s, &ev, &e), 0);
        }
    }
    store_close(s);
    static const char visits[] =
        "SELECT group_concat(opp_id || ':' || stage || ':' || entered_at || ':' ||"
        " coalesce(left_at, '-') || ':' || coalesce(outcome, '-'), ' ')"
        " FROM (SELECT * FROM stage_visits ORDER BY opp_id, id)";
    char kept[1024], migrated[1024];
    sqlite3 *db = raw_open(path_in("v2.db"));
    raw_text(db, visits, kept, sizeof kept);
    /* what the triggers kept, by hand */
    CHECK_STR(kept, "1:a:2026-03-01T08:00:00Z:2026-03-02T08:00:00Z:- "
                    "1:b:2026-03-02T08:00:00Z:2026-03-04T20:00:00Z:- "
                    "1:c:2026-03-04T20:00:00Z:2026-03-09T08:00:00Z:won "
                    "2:a:2026-03-01T09:00:00Z:2026-03-03T09:00:00Z:lost "
                    "3:a:2026-03-05T09:00:00Z:2026-03-05T09:00:00Z:- "
                    "3:b:2026-03-05T09:00:00Z:-:-");
    /* back to schema 2 */
    CHECK_INT(raw_exec(db,
                       V4_DROP "DROP TABLE stage_visits; " V3_TRIGGERS_DROP
                               " PRAGMA user_version = 2",
                       NULL, 0),
              SQLITE_OK);
    sqlite3_close(db);
    kanal_error_clear(&e);
    CHECK_INT(store_open(&s, path_in("v2.db"), false, &e), KANAL_OK);
    if (s)
        store_close(s);
    db = raw_open(path_in("v2.db"));
    CHECK_INT(raw_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    raw_text(db, visits, migrated, sizeof migrated);
    CHECK_STR(migrated, kept);
    /* and kept by the triggers from now on */
    CHECK_INT(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND"
                          " tbl_name = 'opportunities'"),
              4);
    sqlite3_close(db);
}

/*
** A database of schema 3 (before deals) is migrated on open: the deals table
** appears, empty and STRICT, what the database held stays, and deals can be
** stored.
*/
static void test_migration_v4(void)
{
    store *s = open_new("v3.db");
    kanal_error e;
    kanal_error_clear(&e);
    add_user(s, "ann");
    kanal_partner p = { .name = "P", .type = "referrer", .created_at = "2026-03-01T08:00:00Z" };
    int64_t pid = 0;
    CHECK_INT(store_partner_insert(s, &p, "p", &pid, &e), 0);
    store_close(s);
    sqlite3 *db = raw_open(path_in("v3.db"));
    CHECK_INT(raw_exec(db, V4_DROP " PRAGMA user_version = 3", NULL, 0), SQLITE_OK);
    sqlite3_close(db);
    CHECK_INT(file_int(path_in("v3.db"), "SELECT count(*) FROM sqlite_schema WHERE name = 'deals'"),
              0);
    kanal_error_clear(&e);
    CHECK_INT(store_open(&s, path_in("v3.db"), false, &e), KANAL_OK);
    if (!s)
        return;
    kanal_workflow_version v = { .workflow = "w",
                                 .version = 1,
                                 .source = "w.yaml",
                                 .yaml = "workflow: w",
                                 .hash = "h",
                                 .applied_at = "2026-03-01T08:00:00Z",
                                 .applied_by = "ann" };
    CHECK_INT(store_workflow_insert(s, &v, "W", &e), 0);
    store_opp_row r = { .partner_id = pid,
                        .workflow = "w",
                        .version = 1,
                        .owner = "ann",
                        .stage = "a",
                        .created_at = "2026-03-02T08:00:00Z" };
    int64_t oid = 0, did = 0;
    CHECK_INT(store_opp_insert(s, &r, &oid, &e), 0);
    kanal_deal d = { .partner_id = pid,
                     .opp = oid,
                     .client = "C",
                     .value_cents = 100,
                     .signed_on = "2026-03-03",
                     .created_at = "2026-03-04T08:00:00Z",
                     .created_by = "ann" };
    CHECK_INT(store_deal_insert(s, &d, &did, &e), 0);
    CHECK_INT(did, 1);
    store_close(s);
    CHECK_INT(file_int(path_in("v3.db"), "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    CHECK_INT(file_int(path_in("v3.db"), "SELECT count(*) FROM partners"), 1);
    CHECK_INT(file_int(path_in("v3.db"), "SELECT count(*) FROM deals"), 1);
    CHECK_INT(file_int(path_in("v3.db"), "SELECT count(*) FROM sqlite_schema WHERE name ="
                                         " 'deals' AND sql LIKE '%STRICT'"),
              1);
}

/*
** A database of schema 7 (before the people at partners) gains the contacts
** on open; the store keeps them, removed ones included, and lists them.
*/
static void test_migration_v8(void)
{
    store *s = open_new("v7.db");
    kanal_error e;
    kanal_error_clear(&e);
    add_user(s, "ann");
    kanal_partner p = { .name = "P", .type = "referrer", .created_at = "2026-03-01T08:00:00Z" };
    int64_t pid = 0, c1 = 0, c2 = 0;
    CHECK_INT(store_partner_insert(s, &p, "p", &pid, &e), 0);
    store_close(s);
    sqlite3 *db = raw_open(path_in("v7.db"));
    CHECK_INT(raw_exec(db, V8_DROP " PRAGMA user_version = 7", NULL, 0), SQLITE_OK);
    sqlite3_close(db);
    kanal_error_clear(&e);
    CHECK_INT(store_open(&s, path_in("v7.db"), false, &e), KANAL_OK);
    if (!s)
        return;
    kanal_contact c = { .partner_id = pid,
                        .name = "Jan",
                        .role = "buyer",
                        .created_at = "2026-03-02T08:00:00Z",
                        .created_by = "ann" };
    CHECK_INT(store_contact_insert(s, &c, &c1, &e), 0);
    c.name = "Ewa";
    c.role = NULL;
    c.email = "ewa@p.pl";
    CHECK_INT(store_contact_insert(s, &c, &c2, &e), 0);
    CHECK_INT(c1, 1);
    CHECK_INT(c2, 2);
    kanal_arena *a = kanal_arena_new();
    kanal_contact got;
    CHECK_INT(store_contact_get(s, a, c2, &got, &e), 0);
    CHECK_STR(got.partner, "P");
    CHECK_STR(got.email, "ewa@p.pl");
    CHECK(got.role == NULL && got.removed_at == NULL);
    got.phone = "+48 1";
    CHECK_INT(store_contact_update(s, &got, &e), 0);
    CHECK_INT(store_contact_remove(s, c1, "2026-03-03T08:00:00Z", &e), 0);
    kanal_contact *list;
    size_t n = 0;
    CHECK_INT(store_contacts_list(s, a, pid, false, &list, &n, &e), 0);
    CHECK_INT((int)n, 1);
    if (n == 1) {
        CHECK_STR(list[0].name, "Ewa");
        CHECK_STR(list[0].phone, "+48 1");
    }
    CHECK_INT(store_contacts_list(s, a, 0, true, &list, &n, &e), 0);
    CHECK_INT((int)n, 2);
    if (n == 2)
        CHECK_STR(list[0].removed_at, "2026-03-03T08:00:00Z");
    CHECK_INT(store_contact_get(s, a, 99, &got, &e), KANAL_ENOTFOUND);
    kanal_arena_free(a);
    store_close(s);
    CHECK_INT(file_int(path_in("v7.db"), "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    CHECK_INT(file_int(path_in("v7.db"), "SELECT count(*) FROM sqlite_schema WHERE name ="
                                         " 'contacts' AND sql LIKE '%STRICT'"),
              1);
}

/*
** A new database is built beside its path and put there only when
** published: one never published (an init interrupted) leaves nothing at
** the path, and a publish never replaces what came there meanwhile.
*/
static void test_publish(void)
{
    kanal_error e;
    kanal_error_clear(&e);
    store *s = NULL;
    CHECK_INT(store_open(&s, path_in("new.db"), true, &e), KANAL_OK);
    CHECK(access(path_in("new.db"), F_OK) != 0);
    store_discard(s); /* interrupted before it was complete */
    CHECK(access(path_in("new.db"), F_OK) != 0);
    /* and the path is free for the next init */
    s = NULL;
    CHECK_INT(store_open(&s, path_in("new.db"), true, &e), KANAL_OK);
    add_user(s, "ann");
    CHECK_INT(store_publish(&s, &e), KANAL_OK);
    CHECK(s != NULL);
    CHECK(access(path_in("new.db"), F_OK) == 0);
    store_close(s);
    CHECK_INT(file_int(path_in("new.db"), "SELECT count(*) FROM users"), 1);

    /* two at once: the second to publish is refused, and the first stays */
    store *a = NULL, *b = NULL;
    CHECK_INT(store_open(&a, path_in("race.db"), true, &e), KANAL_OK);
    CHECK_INT(store_open(&b, path_in("race.db"), true, &e), KANAL_OK);
    add_user(a, "first");
    add_user(b, "second");
    CHECK_INT(store_publish(&a, &e), KANAL_OK);
    kanal_error_clear(&e);
    CHECK_INT(store_publish(&b, &e), KANAL_EREFUSED);
    CHECK(b == NULL);
    char want[512];
    snprintf(want, sizeof want, "a database already exists at '%s'", path_in("race.db"));
    CHECK_STR(e.message, want);
    store_close(a);
    CHECK_INT(file_int(path_in("race.db"), "SELECT count(*) FROM users WHERE id = 'first'"), 1);
    CHECK_INT(file_int(path_in("race.db"), "SELECT count(*) FROM users"), 1);
    /* nothing of either is left beside it */
    DIR *d = opendir(dir);
    int hidden = 0;
    for (struct dirent *x; d && (x = readdir(d));)
        hidden += strstr(x->d_name, ".kanal-init-") != NULL;
    if (d)
        closedir(d);
    CHECK_INT(hidden, 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/kanal-sqlite-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    test_schema();
    test_foreign_keys();
    test_event_log_file();
    test_transactions_file();
    test_open_refusals();
    test_migration_v2();
    test_migration_v3();
    test_migration_v4();
    test_migration_v8();
    test_publish();
    remove_dir();
    return t_done("test_sqlite_store");
}
