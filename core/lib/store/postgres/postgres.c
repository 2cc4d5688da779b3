/*
** postgres.c — the PostgreSQL backend of the store, through libpq: for a
** team that shares one database server. The same records, the same promises
** as the SQLite backend: one transaction per command, the event log
** append-only, a command that fails leaving nothing behind.
**
** Writers take one transaction-level advisory lock (as SQLite's BEGIN
** IMMEDIATE takes its write lock), so that commands that change the record
** run one after the other: two reps advancing one opportunity, claiming one
** partner or opening the same opportunity at once see each other's work, as
** they would one after the other, and no unique key is ever raced. Readers
** (reports, lists) read a snapshot and wait for no one. Statements time out
** (a lock after 30 s, anything after 60 s) and connecting after 10 s: a
** server that is down or stuck is an error that names it, never a hang.
**
** Everything lives in the schema "kanal" of the database named by the
** location (a postgresql:// URI or a libpq connection string).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg_int.h"

#define P_OPEN "'" KANAL_STATUS_OPEN_NAME "'"
/* The next id of a table: the ids people see (partners, opportunities) are
   numbered without the gaps a sequence leaves after a refused command, as on
   SQLite; writers hold the write lock, so no two take the same. */
#define NEXT_ID(table) "kanal.next_id('" table "')"
/* the advisory lock that writers take, one per database: "KNL1" */
#define WRITE_LOCK "SELECT pg_advisory_xact_lock(1263422513)"

static const store_methods pg_methods;

/* ---- statements ------------------------------------------------------------------ */

/* The server's words for a failed statement, without the trailing newline. */
static void server_words(const pg *s, const PGresult *r, char *buf, size_t n)
{
    const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    snprintf(buf, n, "%s", m ? m : PQerrorMessage(s->conn));
    size_t len = strlen(buf);
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
        buf[--len] = '\0';
}

static int fail(pg *s, const PGresult *r, kanal_error *err, const char *doing)
{
    char words[512];
    server_words(s, r, words, sizeof words);
    if (PQstatus(s->conn) == CONNECTION_BAD)
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "lost the connection to the database server (%s) while %s: %s",
                               s->where, doing, words);
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state && (!strcmp(state, "55P03") || !strcmp(state, "57014") ||
                  !strcmp(state, "40001") || !strcmp(state, "40P01")))
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "the database is busy: another command held it too long; try "
                               "again");
    if (state && !strcmp(state, "53100"))
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "cannot write the database while %s: the server's disk is full "
                               "(nothing of this command was kept)",
                               doing);
    /* a broken constraint in the words SQLite uses, so that both backends say the same */
    if (state && !strncmp(state, "23", 2)) {
        const char *table = PQresultErrorField(r, PG_DIAG_TABLE_NAME);
        const char *column = PQresultErrorField(r, PG_DIAG_COLUMN_NAME);
        const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
        char cols[128] = "";
        const char *k = detail ? strstr(detail, "Key (") : NULL;
        if (k)
            snprintf(cols, sizeof cols, "%.*s", (int)strcspn(k + 5, ")"), k + 5);
        else if (column)
            snprintf(cols, sizeof cols, "%s", column);
        const char *what = !strcmp(state, "23505")   ? "UNIQUE"
                           : !strcmp(state, "23503") ? "FOREIGN KEY"
                           : !strcmp(state, "23502") ? "NOT NULL"
                           : !strcmp(state, "23514") ? "CHECK"
                                                     : "a";
        if (!strcmp(state, "23503") || !cols[0] || !table)
            return kanal_error_set(err, KANAL_ESTORAGE, "storage error while %s: %s constraint "
                                                        "failed",
                                   doing, what);
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "storage error while %s: %s constraint failed: %s.%s", doing, what,
                               table, cols);
    }
    if (state && !strcmp(state, "42501"))
        return kanal_error_set(err, KANAL_EREFUSED, "the database refused %s: %s", doing, words);
    return kanal_error_set(err, KANAL_ESTORAGE, "storage error while %s: %s", doing, words);
}

PGresult *store_pg_run(pg *s, const char *sql, int n, const char *const *params,
                       kanal_error *err, const char *doing)
{
    PGresult *r = PQexecParams(s->conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return r;
    fail(s, r, err, doing);
    PQclear(r);
    return NULL;
}

int store_pg_exec(pg *s, const char *sql, kanal_error *err, const char *doing)
{
    /* the simple protocol: several statements at once (the schema) */
    PGresult *r = PQexec(s->conn, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int rc = KANAL_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = fail(s, r, err, doing);
    PQclear(r);
    return rc;
}

/* Runs a statement that returns no rows, with parameters. */
static int run_done(pg *s, const char *sql, int n, const char *const *params, kanal_error *err,
                    const char *doing)
{
    PGresult *r = store_pg_run(s, sql, n, params, err, doing);
    if (!r)
        return err->code;
    PQclear(r);
    return KANAL_OK;
}

const char *store_pg_text(kanal_arena *a, const PGresult *r, int row, int col, bool *oom)
{
    if (PQgetisnull(r, row, col))
        return NULL;
    char *p = kanal_arena_strndup(a, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
    if (!p)
        *oom = true;
    return p;
}

int64_t store_pg_int(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

int store_pg_rows(kanal_arena *a, kanal_buf *b, bool oom, size_t size, void *out, size_t *count,
                  kanal_error *err)
{
    void *p = NULL;
    int rc = KANAL_OK;
    if (oom || b->oom || !(p = kanal_arena_alloc(a, b->len ? b->len : 1)))
        rc = kanal_error_nomem(err);
    if (!rc) {
        if (b->len)
            memcpy(p, b->data, b->len);
        *count = b->len / size;
        memcpy(out, &p, sizeof p);
    }
    kanal_buf_release(b);
    return rc;
}

/* Integers as the text libpq sends. */
typedef struct num {
    char s[24];
} num;

static num n64(int64_t v)
{
    num n;
    snprintf(n.s, sizeof n.s, "%lld", (long long)v);
    return n;
}

/* ---- opening ------------------------------------------------------------------- */

bool store_pg_location(const char *location)
{
    return location && (!strncmp(location, "postgresql://", 13) ||
                        !strncmp(location, "postgres://", 11) || strchr(location, '=') != NULL);
}

/* The server's notices ("role is already a member..."): the library never prints. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* "host:port/database", for messages: never the password. */
static char *describe(PGconn *c)
{
    kanal_buf b = KANAL_BUF_INIT;
    const char *host = PQhost(c), *port = PQport(c), *db = PQdb(c);
    kanal_buf_printf(&b, "%s%s%s/%s", host && *host ? host : "localhost", port && *port ? ":" : "",
                     port ? port : "", db ? db : "?");
    return kanal_buf_detach(&b);
}

/* Whether the schema exists, and whether anything of someone else is in the database. */
static int inspect(pg *s, bool *ours, bool *other, kanal_error *err)
{
    static const char sql[] =
        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'kanal'),"
        " EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        "   WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')"
        "     AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'kanal')"
        "     AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%')";
    PGresult *r = store_pg_run(s, sql, 0, NULL, err, "reading the database");
    if (!r)
        return err->code;
    *ours = PQgetvalue(r, 0, 0)[0] == 't';
    *other = PQgetvalue(r, 0, 1)[0] == 't';
    PQclear(r);
    return KANAL_OK;
}

/* A partner's name folded, for its fold_key (caller frees); NULL when out of memory. */
static char *fold_key(pg *s, const char *name)
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

/* Schema 8 on an older database: each partner's fold key, from its name. */
static int backfill_fold_keys(pg *s, kanal_error *err)
{
    PGresult *r =
        store_pg_run(s, "SELECT id, name FROM partners", 0, NULL, err, "migrating the schema");
    if (!r)
        return err->code;
    int rc = KANAL_OK;
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        char *key = fold_key(s, PQgetvalue(r, i, 1));
        if (!key) {
            rc = kanal_error_nomem(err);
            break;
        }
        const char *p[] = { key, PQgetvalue(r, i, 0) };
        PGresult *u = store_pg_run(s, "UPDATE partners SET fold_key = $1 WHERE id = $2::bigint", 2,
                                   p, err, "migrating the schema");
        free(key);
        if (!u)
            rc = err->code;
        PQclear(u);
    }
    PQclear(r);
    return rc;
}

/*
** Migrations: the blocks of migrations[v - 3] take the schema from version v
** to v + 1 (schema 3 is the first on PostgreSQL).
*/
static const char *const migrations[][4] = {
    { store_pg_schema_v4, store_pg_security_v4, store_pg_schema_v4_deals },
    { store_pg_schema_v5_contacts },
    { store_pg_schema_v6_users },
    { store_pg_schema_v7_void },
    { store_pg_schema_v8_people, store_pg_schema_v8_fold },
};

/* The schema version the database's meta says (0: none). */
static int read_version(pg *s, int *version, kanal_error *err)
{
    static const char sql[] = "SELECT value FROM kanal.meta WHERE key = 'schema_version'";
    PGresult *r = store_pg_run(s, sql, 0, NULL, err, "reading the database");
    if (!r)
        return kanal_error_set(err, KANAL_ESTORAGE, "'%s' is not a Kanal database", s->where);
    *version = PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    return KANAL_OK;
}

/*
** Brings an older schema forward, in one transaction under the write lock
** (another Kanal may be migrating it at the same moment). Only the
** database's owner may change the schema: anyone else is told to have the
** owner open it once.
*/
static int migrate(pg *s, int version, kanal_error *err)
{
    PGresult *r = store_pg_run(s, "SELECT kanal.is_owner()", 0, NULL, err, "reading the database");
    if (!r)
        return err->code;
    bool owner = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!owner)
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "the database at '%s' has schema %d and this Kanal needs %d: its "
                               "owner brings it up to date by running any kanal command on it "
                               "once",
                               s->where, version, STORE_SCHEMA_VERSION);
    int rc = store_pg_exec(s, "BEGIN", err, "migrating the schema");
    if (rc)
        return rc;
    if ((rc = store_pg_exec(s, WRITE_LOCK, err, "migrating the schema")) ||
        (rc = read_version(s, &version, err)))
        goto fail;
    for (int v = version; v < STORE_SCHEMA_VERSION; v++) {
        for (size_t b = 0; v >= 3 && b < KANAL_ARRAY_LEN(migrations[v - 3]) && migrations[v - 3][b];
             b++)
            if ((rc = store_pg_exec(s, migrations[v - 3][b], err, "migrating the schema")))
                goto fail;
        /* the partners of an older database get their fold keys */
        if (v == 7 && (rc = backfill_fold_keys(s, err)))
            goto fail;
    }
    char meta[128];
    snprintf(meta, sizeof meta, "UPDATE kanal.meta SET value = '%d' WHERE key = 'schema_version'",
             STORE_SCHEMA_VERSION);
    if ((rc = store_pg_exec(s, meta, err, "migrating the schema")) ||
        (rc = store_pg_exec(s, "COMMIT", err, "migrating the schema")))
        goto fail;
    return KANAL_OK;
fail:
    PQclear(PQexec(s->conn, "ROLLBACK"));
    return rc;
}

/* The schema version of a Kanal database, checked to be one this Kanal knows and
   migrated forward when older. */
static int check_version(pg *s, kanal_error *err)
{
    int version = 0;
    int rc = read_version(s, &version, err);
    if (rc)
        return rc;
    if (version > STORE_SCHEMA_VERSION)
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "the database at '%s' was written by a newer Kanal (schema %d; "
                               "this one knows up to %d): upgrade kanal",
                               s->where, version, STORE_SCHEMA_VERSION);
    if (version < 3)
        return kanal_error_set(err, KANAL_ESTORAGE, "'%s' is not a Kanal database", s->where);
    return version < STORE_SCHEMA_VERSION ? migrate(s, version, err) : KANAL_OK;
}

/* Who is logged in: a role that owns the database may act as anyone (it could
   anyway); any other acts as itself, and only as itself. */
static int read_identity(pg *s, kanal_error *err)
{
    PGresult *r = store_pg_run(s, "SELECT session_user, kanal.is_owner()", 0, NULL, err,
                               "reading who is logged in");
    if (!r)
        return err->code;
    int rc = KANAL_OK;
    if (PQgetvalue(r, 0, 1)[0] != 't' && !(s->identity = kanal_strdup(PQgetvalue(r, 0, 0))))
        rc = kanal_error_nomem(err);
    PQclear(r);
    return rc;
}

/* kanal init: the schema, in a transaction left open until the store is published. */
static int create_schema(pg *s, kanal_error *err)
{
    int rc = store_pg_exec(s, "BEGIN", err, "creating the database");
    if (rc)
        return rc;
    s->depth = 1;
    s->creating = true;
    /* two inits at once: the second waits here, then finds the first's schema */
    bool ours = false, other = false;
    if ((rc = store_pg_exec(s, WRITE_LOCK, err, "creating the database")) ||
        (rc = inspect(s, &ours, &other, err)))
        return rc;
    if (ours)
        return kanal_error_set(err, KANAL_EREFUSED, "a database already exists at '%s'",
                               s->where);
    if (other)
        return kanal_error_set(err, KANAL_EREFUSED,
                               "the database '%s' holds tables of something else: Kanal needs "
                               "an empty database (create one with createdb)",
                               s->where);
    char meta[160];
    snprintf(meta, sizeof meta,
             "INSERT INTO kanal.meta VALUES ('schema_version', '%d'), ('application', 'kanal')",
             STORE_SCHEMA_VERSION);
    if ((rc = store_pg_exec(s, store_pg_schema, err, "creating the database")) ||
        (rc = store_pg_exec(s, meta, err, "creating the database")) ||
        (rc = store_pg_exec(s, store_pg_security, err, "creating the database's roles")))
        return rc;
    for (size_t v = 0; v < KANAL_ARRAY_LEN(migrations); v++)
        for (size_t b = 0; b < KANAL_ARRAY_LEN(migrations[v]) && migrations[v][b]; b++)
            if ((rc = store_pg_exec(s, migrations[v][b], err, "creating the database")))
                return rc;
    return KANAL_OK;
}

int store_pg_open(store **out, const char *location, bool create, kanal_error *err)
{
    *out = NULL;
    int lrc = store_pg_libpq_load(err);
    if (lrc)
        return lrc;
    pg *s = calloc(1, sizeof *s);
    if (!s)
        return kanal_error_nomem(err);
    s->base.m = &pg_methods;
    /* later keywords override what the location says */
    const char *const keys[] = { "dbname", "connect_timeout", "application_name", "options", NULL };
    const char *const values[] = { location, "10", "kanal",
                                   "-c statement_timeout=60000 -c lock_timeout=30000"
                                   " -c idle_in_transaction_session_timeout=600000"
                                   " -c client_encoding=UTF8 -c search_path=kanal"
                                   /* compiling a report's plan took 1.4 s of a 1.7 s goals
                                      report on 10,000 opportunities: never worth it here */
                                   " -c jit=off",
                                   NULL };
    s->conn = PQconnectdbParams(keys, values, 1);
    int rc = KANAL_OK;
    if (!s->conn) {
        free(s);
        return kanal_error_nomem(err);
    }
    PQsetNoticeProcessor(s->conn, quiet, NULL);
    s->where = describe(s->conn);
    if (!s->where) {
        rc = kanal_error_nomem(err);
        goto fail;
    }
    if (PQstatus(s->conn) != CONNECTION_OK) {
        char words[512];
        server_words(s, NULL, words, sizeof words);
        rc = kanal_error_set(err, KANAL_ESTORAGE, "cannot connect to the database server (%s): %s",
                             s->where, words);
        goto fail;
    }
    if (create) {
        rc = create_schema(s, err);
    } else {
        bool ours = false, other = false;
        if (!(rc = inspect(s, &ours, &other, err))) {
            if (!ours && !other)
                rc = kanal_error_set(err, KANAL_ENOTFOUND, "no Kanal database at '%s'",
                                     s->where),
                kanal_error_advise(err, KANAL_ADVICE_RUN_INIT, NULL);
            else if (!ours)
                rc = kanal_error_set(err, KANAL_ESTORAGE, "'%s' is not a Kanal database",
                                     s->where);
            else if (!(rc = check_version(s, err)))
                rc = read_identity(s, err);
        }
    }
    if (rc)
        goto fail;
    *out = &s->base;
    return KANAL_OK;
fail:
    PQfinish(s->conn);
    free(s->where);
    free(s->identity);
    free(s);
    return rc;
}

static void pg_close(store *base_)
{
    pg *s = (pg *)base_;
    if (!s)
        return;
    PQfinish(s->conn); /* an open transaction is rolled back by the server */
    free(s->where);
    free(s->identity);
    kanal_folder_free(s->folder);
    free(s);
}

/* A database being created and never published keeps nothing: its transaction ends unfinished. */
static void pg_discard(store *base_)
{
    pg_close(base_);
}

static int pg_publish(store *base_, store **out, kanal_error *err)
{
    pg *s = (pg *)base_;
    *out = base_;
    if (!s->creating)
        return KANAL_OK;
    int rc = store_pg_exec(s, "COMMIT", err, "creating the database");
    s->creating = false;
    s->depth = 0;
    if (rc) {
        pg_close(base_);
        *out = NULL;
        return rc;
    }
    /* a copied history gets its statistics now, not when autovacuum comes by: a
       report planned without them took 4x its time (a failure here costs only that) */
    kanal_error ignored;
    store_pg_exec(s, "ANALYZE", &ignored, "gathering statistics");
    return KANAL_OK;
}

static const char *pg_location(const store *base_)
{
    return ((const pg *)base_)->where;
}

static const char *pg_identity(const store *base_)
{
    return ((const pg *)base_)->identity;
}

/* ---- transactions ---------------------------------------------------------------- */

static int begin(pg *s, bool write, kanal_error *err)
{
    int rc;
    if (s->depth == 0) {
        rc = write ? store_pg_exec(s, "BEGIN", err, "starting a transaction")
                   : store_pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err,
                                   "starting a transaction");
        if (!rc && write && (rc = store_pg_exec(s, WRITE_LOCK, err, "starting a transaction")))
            store_pg_exec(s, "ROLLBACK", err, "starting a transaction");
        if (rc)
            return rc;
        s->reading = !write;
    } else {
        char sql[64];
        snprintf(sql, sizeof sql, "SAVEPOINT s%d", s->depth);
        if ((rc = store_pg_exec(s, sql, err, "starting a transaction")))
            return rc;
    }
    s->depth++;
    return KANAL_OK;
}

static int pg_begin(store *base_, kanal_error *err)
{
    pg *s = (pg *)base_;
    /* a write inside a read-only snapshot cannot be: a new transaction is the caller's */
    return begin(s, true, err);
}

static int pg_begin_read(store *base_, kanal_error *err)
{
    return begin((pg *)base_, false, err);
}

static void pg_rollback(store *base_);

static int pg_commit(store *base_, kanal_error *err)
{
    pg *s = (pg *)base_;
    if (s->depth <= 0)
        return KANAL_OK;
    char sql[64];
    if (s->depth == 1)
        snprintf(sql, sizeof sql, "COMMIT");
    else
        snprintf(sql, sizeof sql, "RELEASE SAVEPOINT s%d", s->depth - 1);
    int rc = store_pg_exec(s, sql, err, "committing");
    if (rc) {
        pg_rollback(base_);
        return rc;
    }
    s->depth--;
    if (s->depth == 0)
        s->reading = false;
    return KANAL_OK;
}

static void pg_rollback(store *base_)
{
    pg *s = (pg *)base_;
    if (s->depth <= 0)
        return;
    char sql[80];
    if (s->depth == 1)
        snprintf(sql, sizeof sql, "ROLLBACK");
    else
        snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT s%d; RELEASE SAVEPOINT s%d",
                 s->depth - 1, s->depth - 1);
    PQclear(PQexec(s->conn, sql));
    s->depth--;
    if (s->depth == 0)
        s->reading = false;
}

static int pg_depth(const store *base_)
{
    const pg *s = (const pg *)base_;
    return s->depth - (s->creating ? 1 : 0);
}

/* ---- users ----------------------------------------------------------------------- */

/* The groups a user's roles put its login in, as a text[] literal: admin, manager,
   and rep for any other role. */
static void login_groups(const char *const *roles, size_t n_roles, char kinds[64])
{
    bool admin = false, manager = false, rep = false;
    for (size_t i = 0; i < n_roles; i++) {
        if (!strcmp(roles[i], "admin"))
            admin = true;
        else if (!strcmp(roles[i], "manager"))
            manager = true;
        else
            rep = true;
    }
    snprintf(kinds, 64, "{%s%s%s%s%s}", admin ? "admin" : "", admin && (manager || rep) ? "," : "",
             manager ? "manager" : "", manager && rep ? "," : "", rep ? "rep" : "");
}

static int pg_user_insert(store *base_, const char *id, const char *name,
                          const char *const *roles, size_t n_roles, const char *at,
                          kanal_error *err)
{
    pg *s = (pg *)base_;
    const char *p[] = { id, name, at };
    int rc = run_done(s, "INSERT INTO users(id, name, created_at) VALUES ($1, $2, $3)", 3, p, err,
                      "adding a user");
    for (size_t i = 0; !rc && i < n_roles; i++) {
        const char *q[] = { id, roles[i] };
        rc = run_done(s,
                      "INSERT INTO user_roles(user_id, role) VALUES ($1, $2) ON CONFLICT DO "
                      "NOTHING",
                      2, q, err, "adding a user's role");
    }
    /* the login, and the groups its roles put it in */
    char kinds[64];
    login_groups(roles, n_roles, kinds);
    const char *q[] = { id, kinds };
    if (!rc)
        rc = run_done(s, "SELECT kanal.add_login($1, $2::text[])", 2, q, err,
                      "adding a user's login");
    return rc;
}

static int pg_user_update(store *base_, const char *id, const char *name, const char *const *roles,
                          size_t n_roles, kanal_error *err)
{
    pg *s = (pg *)base_;
    const char *p[] = { id, name };
    int rc = run_done(s, "UPDATE users SET name = $2 WHERE id = $1", 2, p, err, "renaming a user");
    if (!rc)
        rc = run_done(s, "DELETE FROM user_roles WHERE user_id = $1", 1, p, err,
                      "changing a user's roles");
    for (size_t i = 0; !rc && i < n_roles; i++) {
        const char *q[] = { id, roles[i] };
        rc = run_done(s,
                      "INSERT INTO user_roles(user_id, role) VALUES ($1, $2) ON CONFLICT DO "
                      "NOTHING",
                      2, q, err, "changing a user's roles");
    }
    /* the groups its roles put the login in */
    char kinds[64];
    login_groups(roles, n_roles, kinds);
    const char *q[] = { id, kinds };
    if (!rc)
        rc = run_done(s, "SELECT kanal.set_groups($1, $2::text[])", 2, q, err,
                      "changing a user's login groups");
    return rc;
}

/* The roles of the users in r (column 0: their ids), by user. */
static int roles_of(pg *s, kanal_arena *a, kanal_user *users, size_t n, kanal_error *err)
{
    PGresult *r = store_pg_run(s, "SELECT user_id, role FROM user_roles ORDER BY user_id, role", 0,
                               NULL, err, "reading users' roles");
    if (!r)
        return err->code;
    int rows = PQntuples(r), k = 0;
    bool oom = false;
    for (size_t i = 0; i < n; i++) {
        kanal_user *u = &users[i];
        while (k < rows && strcmp(PQgetvalue(r, k, 0), u->id) < 0)
            k++;
        int first = k;
        while (k < rows && strcmp(PQgetvalue(r, k, 0), u->id) == 0)
            k++;
        const char **list = kanal_arena_alloc(a, (size_t)(k - first + 1) * sizeof *list);
        if (!list) {
            oom = true;
            break;
        }
        for (int j = first; j < k; j++)
            list[j - first] = store_pg_text(a, r, j, 1, &oom);
        u->roles = list;
        u->n_roles = (size_t)(k - first);
    }
    PQclear(r);
    return oom ? kanal_error_nomem(err) : KANAL_OK;
}

static int read_users(pg *s, kanal_arena *a, const char *sql, int n, const char *const *p,
                      kanal_user **out, size_t *count, kanal_error *err)
{
    PGresult *r = store_pg_run(s, sql, n, p, err, "reading users");
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        kanal_user u = { store_pg_text(a, r, i, 0, &oom), store_pg_text(a, r, i, 1, &oom),
                         NULL, 0, PQgetvalue(r, i, 2)[0] == 't',
                         store_pg_text(a, r, i, 3, &oom) };
        kanal_buf_add(&b, &u, sizeof u);
    }
    PQclear(r);
    int rc = store_pg_rows(a, &b, oom, sizeof(kanal_user), out, count, err);
    return rc ? rc : roles_of(s, a, *out, *count, err);
}

static int pg_user_get(store *base_, kanal_arena *a, const char *id, kanal_user *out,
                       kanal_error *err)
{
    kanal_user *u;
    size_t n;
    const char *p[] = { id };
    int rc = read_users((pg *)base_, a,
                        "SELECT id, name, active, created_at FROM users WHERE id = $1", 1, p, &u,
                        &n, err);
    if (rc)
        return rc;
    if (n == 0)
        return KANAL_ENOTFOUND;
    *out = u[0];
    return KANAL_OK;
}

static int pg_users_list(store *base_, kanal_arena *a, kanal_user **out, size_t *n,
                         kanal_error *err)
{
    return read_users((pg *)base_, a,
                      "SELECT id, name, active, created_at FROM users ORDER BY id", 0, NULL,
                      out, n, err);
}

static int pg_user_set_active(store *base_, const char *id, bool active, kanal_error *err)
{
    const char *p[] = { active ? "true" : "false", id };
    int rc = run_done((pg *)base_, "UPDATE users SET active = $1 WHERE id = $2", 2, p, err,
                      "changing a user");
    const char *q[] = { id, active ? "true" : "false" };
    return rc ? rc
              : run_done((pg *)base_, "SELECT kanal.set_login($1, $2::boolean)", 2, q, err,
                         "changing a user's login");
}

static int pg_count_active_with_role(store *base_, const char *role, int *n, kanal_error *err)
{
    const char *p[] = { role };
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT count(*) FROM users JOIN user_roles ON user_id = id"
                               " WHERE active AND role = $1",
                               1, p, err, "counting users");
    if (!r)
        return err->code;
    *n = (int)store_pg_int(r, 0, 0);
    PQclear(r);
    return KANAL_OK;
}

/* ---- workflow versions ----------------------------------------------------------- */

static int pg_workflow_get(store *base_, kanal_arena *a, const char *id, int version,
                           kanal_workflow_version *out, kanal_error *err)
{
    num v = n64(version);
    const char *p[] = { id, v.s };
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT workflow, version, source, yaml, rules_file, rules, hash,"
                               " applied_at, applied_by, name FROM workflow_versions"
                               " WHERE workflow = $1"
                               " AND ($2::int = 0 OR version = $2::int) ORDER BY version DESC LIMIT 1",
                               2, p, err, "reading a workflow");
    if (!r)
        return err->code;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return KANAL_ENOTFOUND;
    }
    bool oom = false;
    out->workflow = store_pg_text(a, r, 0, 0, &oom);
    out->version = (int)store_pg_int(r, 0, 1);
    out->source = store_pg_text(a, r, 0, 2, &oom);
    out->yaml = store_pg_text(a, r, 0, 3, &oom);
    out->rules_file = store_pg_text(a, r, 0, 4, &oom);
    out->rules = store_pg_text(a, r, 0, 5, &oom);
    out->hash = store_pg_text(a, r, 0, 6, &oom);
    out->applied_at = store_pg_text(a, r, 0, 7, &oom);
    out->applied_by = store_pg_text(a, r, 0, 8, &oom);
    out->name = store_pg_text(a, r, 0, 9, &oom);
    PQclear(r);
    return oom ? kanal_error_nomem(err) : KANAL_OK;
}

static int pg_workflow_latest(store *base_, const char *id, int *version, kanal_error *err)
{
    const char *p[] = { id };
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT coalesce(max(version), 0) FROM workflow_versions"
                               " WHERE workflow = $1",
                               1, p, err, "reading a workflow");
    if (!r)
        return err->code;
    *version = (int)store_pg_int(r, 0, 0);
    PQclear(r);
    return *version ? KANAL_OK : KANAL_ENOTFOUND;
}

static int pg_workflow_insert(store *base_, const kanal_workflow_version *v, const char *name,
                              kanal_error *err)
{
    num ver = n64(v->version);
    const char *p[] = { v->workflow, ver.s, name, v->source, v->yaml, v->rules_file, v->rules,
                        v->hash, v->applied_at, v->applied_by };
    return run_done((pg *)base_,
                    "INSERT INTO workflow_versions(workflow, version, name, source, yaml,"
                    " rules_file, rules, hash, applied_at, applied_by)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    10, p, err, "storing a workflow");
}

static int pg_workflow_ids(store *base_, kanal_arena *a, const char ***ids, size_t *n,
                           kanal_error *err)
{
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT DISTINCT workflow FROM workflow_versions ORDER BY 1", 0,
                               NULL, err, "listing workflows");
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *id = store_pg_text(a, r, i, 0, &oom);
        kanal_buf_add(&b, &id, sizeof id);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(char *), ids, n, err);
}

static int pg_workflows_list(store *base_, kanal_arena *a, store_workflow_row **out, size_t *n,
                             kanal_error *err)
{
    PGresult *r =
        store_pg_run((pg *)base_,
                     "SELECT w.workflow, w.version, w.name, w.applied_at, w.applied_by,"
                     " (SELECT count(*) FROM opportunities o WHERE o.workflow = w.workflow"
                     "   AND o.status = " P_OPEN "),"
                     " (SELECT r.retired_at FROM workflow_retired r WHERE r.workflow = w.workflow)"
                     " FROM workflow_versions w WHERE w.version ="
                     " (SELECT max(version) FROM workflow_versions x WHERE x.workflow = w.workflow)"
                     " ORDER BY w.workflow",
                     0, NULL, err, "listing workflows");
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        store_workflow_row w = { store_pg_text(a, r, i, 0, &oom), (int)store_pg_int(r, i, 1),
                                 store_pg_text(a, r, i, 2, &oom), store_pg_text(a, r, i, 3, &oom),
                                 store_pg_text(a, r, i, 4, &oom), store_pg_int(r, i, 5),
                                 store_pg_text(a, r, i, 6, &oom) };
        kanal_buf_add(&b, &w, sizeof w);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(store_workflow_row), out, n, err);
}

/* ---- partners ------------------------------------------------------------------- */

#define PARTNER_COLS "id, name, type, owner, email, phone, city, tax_id, created_at"

static void read_partner(kanal_arena *a, const PGresult *r, int i, kanal_partner *p, bool *oom)
{
    p->id = store_pg_int(r, i, 0);
    p->name = store_pg_text(a, r, i, 1, oom);
    p->type = store_pg_text(a, r, i, 2, oom);
    p->owner = store_pg_text(a, r, i, 3, oom);
    p->email = store_pg_text(a, r, i, 4, oom);
    p->phone = store_pg_text(a, r, i, 5, oom);
    p->city = store_pg_text(a, r, i, 6, oom);
    p->tax_id = store_pg_text(a, r, i, 7, oom);
    p->created_at = store_pg_text(a, r, i, 8, oom);
}

static int pg_partner_insert(store *base_, const kanal_partner *p, const char *name_key,
                             int64_t *id, kanal_error *err)
{
    char *key = fold_key((pg *)base_, p->name);
    if (!key)
        return kanal_error_nomem(err);
    const char *v[] = { p->name,  name_key, p->type,   p->owner,      p->email,
                        p->phone, p->city,  p->tax_id, p->created_at, key };
    PGresult *r = store_pg_run((pg *)base_,
                               "INSERT INTO partners(id, name, name_key, type, owner, email,"
                               " phone, city, tax_id, created_at, fold_key) VALUES (" NEXT_ID(
                                   "partners") ", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                                               " RETURNING id",
                               10, v, err, "adding a partner");
    free(key);
    if (!r)
        return err->code;
    *id = store_pg_int(r, 0, 0);
    PQclear(r);
    return KANAL_OK;
}

static int partner_where(pg *s, kanal_arena *a, const char *sql, const char *value,
                         kanal_partner *out, kanal_error *err)
{
    const char *p[] = { value };
    PGresult *r = store_pg_run(s, sql, 1, p, err, "reading a partner");
    if (!r)
        return err->code;
    bool oom = false;
    int rc = KANAL_ENOTFOUND;
    if (PQntuples(r)) {
        read_partner(a, r, 0, out, &oom);
        rc = oom ? kanal_error_nomem(err) : KANAL_OK;
    }
    PQclear(r);
    return rc;
}

static int pg_partner_by_id(store *base_, kanal_arena *a, int64_t id, kanal_partner *out,
                            kanal_error *err)
{
    num v = n64(id);
    return partner_where((pg *)base_, a, "SELECT " PARTNER_COLS " FROM partners WHERE id = $1",
                         v.s, out, err);
}

static int pg_partner_by_name(store *base_, kanal_arena *a, const char *name, kanal_partner *out,
                              kanal_error *err)
{
    return partner_where((pg *)base_, a,
                         "SELECT " PARTNER_COLS " FROM partners WHERE name = $1 ORDER BY id"
                         " LIMIT 1",
                         name, out, err);
}

static int pg_partner_by_key(store *base_, kanal_arena *a, const char *name_key,
                             kanal_partner *out, kanal_error *err)
{
    return partner_where((pg *)base_, a,
                         "SELECT " PARTNER_COLS " FROM partners WHERE name_key = $1", name_key,
                         out, err);
}

static int pg_partners_by_fold(store *base_, kanal_arena *a, const char *name, kanal_partner **out,
                               size_t *n, kanal_error *err)
{
    char *key = fold_key((pg *)base_, name);
    if (!key)
        return kanal_error_nomem(err);
    const char *p[] = { key };
    PGresult *r = store_pg_run(
        (pg *)base_, "SELECT " PARTNER_COLS " FROM partners WHERE fold_key = $1 ORDER BY id", 1, p,
        err, "finding a partner");
    free(key);
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        kanal_partner x;
        read_partner(a, r, i, &x, &oom);
        kanal_buf_add(&b, &x, sizeof x);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(kanal_partner), out, n, err);
}

static int pg_partner_clash(store *base_, kanal_arena *a, const char *name_key, const char *name,
                            int64_t other_than, kanal_partner *out, kanal_error *err)
{
    char *key = fold_key((pg *)base_, name);
    if (!key)
        return kanal_error_nomem(err);
    num other = n64(other_than);
    const char *p[] = { name_key, key, other.s };
    PGresult *r = store_pg_run(
        (pg *)base_, "SELECT id, name, owner FROM kanal.partner_clash($1, $2, $3::bigint)", 3, p,
        err, "finding a partner");
    free(key);
    if (!r)
        return err->code;
    bool oom = false;
    int rc = KANAL_ENOTFOUND;
    memset(out, 0, sizeof *out);
    if (PQntuples(r)) {
        out->id = store_pg_int(r, 0, 0);
        out->name = store_pg_text(a, r, 0, 1, &oom);
        out->owner = store_pg_text(a, r, 0, 2, &oom);
        rc = oom ? kanal_error_nomem(err) : KANAL_OK;
    }
    PQclear(r);
    return rc;
}

static int pg_partner_set_owner(store *base_, int64_t id, const char *owner, kanal_error *err)
{
    num v = n64(id);
    const char *p[] = { owner, v.s };
    return run_done((pg *)base_, "UPDATE partners SET owner = $1 WHERE id = $2", 2, p, err,
                    "changing a partner's owner");
}

static int pg_partner_update(store *base_, const kanal_partner *p, const char *name_key,
                             kanal_error *err)
{
    num v = n64(p->id);
    char *key = fold_key((pg *)base_, p->name);
    if (!key)
        return kanal_error_nomem(err);
    const char *q[] = {
        p->name, name_key, p->type, p->email, p->phone, p->city, p->tax_id, v.s, key
    };
    int rc = run_done((pg *)base_,
                      "UPDATE partners SET name = $1, name_key = $2, type = $3, email = $4,"
                      " phone = $5, city = $6, tax_id = $7, fold_key = $9 WHERE id = $8",
                      9, q, err, "editing a partner");
    free(key);
    return rc;
}

static int ids_of(pg *s, kanal_arena *a, const char *sql, int n, const char *const *p,
                  int64_t **ids, size_t *count, kanal_error *err, const char *doing)
{
    PGresult *r = store_pg_run(s, sql, n, p, err, doing);
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t id = store_pg_int(r, i, 0);
        kanal_buf_add(&b, &id, sizeof id);
    }
    PQclear(r);
    return store_pg_rows(a, &b, false, sizeof(int64_t), ids, count, err);
}

static int pg_partners_owned_by(store *base_, kanal_arena *a, const char *owner, int64_t **ids,
                                size_t *n, kanal_error *err)
{
    const char *p[] = { owner };
    return ids_of((pg *)base_, a, "SELECT id FROM partners WHERE owner = $1 ORDER BY id", 1, p,
                  ids, n, err, "listing partners");
}

static int pg_partners_list(store *base_, kanal_arena *a, const char *owner, const char *type,
                            kanal_partner **out, size_t *n, kanal_error *err)
{
    const char *p[] = { owner, type };
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT " PARTNER_COLS " FROM partners"
                               " WHERE ($1::text IS NULL OR owner = $1)"
                               " AND ($2::text IS NULL OR type = $2) ORDER BY id",
                               2, p, err, "listing partners");
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        kanal_partner x;
        read_partner(a, r, i, &x, &oom);
        kanal_buf_add(&b, &x, sizeof x);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(kanal_partner), out, n, err);
}

/* ---- opportunities --------------------------------------------------------------- */

static int pg_opp_insert(store *base_, const store_opp_row *o, int64_t *id, kanal_error *err)
{
    num partner = n64(o->partner_id), version = n64(o->version);
    const char *p[] = { partner.s, o->workflow, version.s, o->owner, o->stage, o->created_at };
    PGresult *r = store_pg_run((pg *)base_,
                               "INSERT INTO opportunities(id, partner_id, workflow, version,"
                               " owner, status, stage, stage_entered_at, created_at,"
                               " last_event_at, last_seq) VALUES (" NEXT_ID("opportunities")
                               ", $1, $2, $3, $4, " P_OPEN ", $5, $6, $6, $6, 0) RETURNING id",
                               6, p, err, "creating an opportunity");
    if (!r)
        return err->code;
    *id = store_pg_int(r, 0, 0);
    PQclear(r);
    return KANAL_OK;
}

#define OPP_COLS                                                                                   \
    "o.id, o.partner_id, o.workflow, o.version, o.owner, o.status, o.stage,"                       \
    " o.stage_entered_at, o.created_at, o.closed_at, o.lost_reason, o.last_event_at,"              \
    " o.last_seq"

static void read_opp(kanal_arena *a, const PGresult *r, int i, store_opp_row *out, bool *oom)
{
    memset(out, 0, sizeof *out);
    out->id = store_pg_int(r, i, 0);
    out->partner_id = store_pg_int(r, i, 1);
    out->workflow = store_pg_text(a, r, i, 2, oom);
    out->version = (int)store_pg_int(r, i, 3);
    out->owner = store_pg_text(a, r, i, 4, oom);
    out->status = kanal_status_of(PQgetvalue(r, i, 5));
    out->stage = store_pg_text(a, r, i, 6, oom);
    out->stage_entered_at = store_pg_text(a, r, i, 7, oom);
    out->created_at = store_pg_text(a, r, i, 8, oom);
    out->closed_at = store_pg_text(a, r, i, 9, oom);
    out->lost_reason = store_pg_text(a, r, i, 10, oom);
    out->last_event_at = store_pg_text(a, r, i, 11, oom);
    out->last_seq = store_pg_int(r, i, 12);
}

static int pg_opp_get(store *base_, kanal_arena *a, int64_t id, store_opp_row *out,
                      kanal_error *err)
{
    num v = n64(id);
    const char *p[] = { v.s };
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT " OPP_COLS ", o.next_contact_at,"
                               " (SELECT max(at) FROM activities WHERE opp_id = o.id"
                               "  AND voided_at IS NULL)"
                               " FROM opportunities o WHERE o.id = $1",
                               1, p, err, "reading an opportunity");
    if (!r)
        return err->code;
    bool oom = false;
    int rc = KANAL_ENOTFOUND;
    if (PQntuples(r)) {
        read_opp(a, r, 0, out, &oom);
        out->next_contact_at = store_pg_text(a, r, 0, 13, &oom);
        out->last_activity_at = store_pg_text(a, r, 0, 14, &oom);
        rc = oom ? kanal_error_nomem(err) : KANAL_OK;
    }
    PQclear(r);
    return rc;
}

static int pg_opp_open_for(store *base_, int64_t partner_id, const char *workflow, int64_t *id,
                           kanal_error *err)
{
    num v = n64(partner_id);
    const char *p[] = { v.s, workflow };
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT id FROM opportunities WHERE partner_id = $1 AND"
                               " workflow = $2 AND status = " P_OPEN,
                               2, p, err, "reading opportunities");
    if (!r)
        return err->code;
    *id = PQntuples(r) ? store_pg_int(r, 0, 0) : 0;
    PQclear(r);
    return KANAL_OK;
}

static int pg_opp_set_stage(store *base_, int64_t id, const char *stage, const char *at,
                            kanal_error *err)
{
    num v = n64(id);
    const char *p[] = { stage, at, v.s };
    return run_done((pg *)base_,
                    "UPDATE opportunities SET stage = $1, stage_entered_at = $2 WHERE id = $3", 3,
                    p, err, "moving an opportunity");
}

static int pairs_of(pg *s, kanal_arena *a, const char *sql, int64_t opp, store_pair **out,
                    size_t *n, kanal_error *err, const char *doing);

static int pg_opp_set_version(store *base_, int64_t id, int version, const char *stage,
                              kanal_error *err)
{
    num v = n64(id), ver = n64(version);
    const char *p[] = { ver.s, stage, v.s };
    return run_done((pg *)base_, "UPDATE opportunities SET version = $1, stage = $2 WHERE id = $3",
                    3, p, err, "moving an opportunity to another version");
}

static int pg_goal_waive(store *base_, int64_t opp, const char *goal, const char *at,
                         kanal_error *err)
{
    num v = n64(opp);
    const char *p[] = { v.s, goal, at };
    return run_done((pg *)base_,
                    "INSERT INTO goals_waived(opp_id, goal, waived_at) VALUES ($1, $2, $3)"
                    " ON CONFLICT DO NOTHING",
                    3, p, err, "recording a goal not required");
}

static int pg_goals_waived(store *base_, kanal_arena *a, int64_t opp, store_pair **out, size_t *n,
                           kanal_error *err)
{
    return pairs_of((pg *)base_, a,
                    "SELECT goal, waived_at FROM goals_waived WHERE opp_id = $1 ORDER BY goal", opp,
                    out, n, err, "reading goals");
}

static int pg_workflow_set_retired(store *base_, const char *id, const char *at, const char *by,
                                   kanal_error *err)
{
    if (!at) {
        const char *p[] = { id };
        return run_done((pg *)base_, "DELETE FROM workflow_retired WHERE workflow = $1", 1, p, err,
                        "retiring a workflow");
    }
    const char *p[] = { id, at, by };
    return run_done((pg *)base_,
                    "INSERT INTO workflow_retired(workflow, retired_at, retired_by)"
                    " VALUES ($1, $2, $3) ON CONFLICT (workflow) DO UPDATE"
                    " SET retired_at = $2, retired_by = $3",
                    3, p, err, "retiring a workflow");
}

static int pg_workflow_retired(store *base_, kanal_arena *a, const char *id, const char **at,
                               kanal_error *err)
{
    *at = NULL;
    const char *p[] = { id };
    PGresult *r =
        store_pg_run((pg *)base_, "SELECT retired_at FROM workflow_retired WHERE workflow = $1", 1,
                     p, err, "reading a workflow");
    if (!r)
        return err->code;
    bool oom = false;
    if (PQntuples(r))
        *at = store_pg_text(a, r, 0, 0, &oom);
    PQclear(r);
    return oom ? kanal_error_nomem(err) : KANAL_OK;
}

static int pg_opp_close(store *base_, int64_t id, kanal_status status, const char *at,
                        const char *lost_reason, kanal_error *err)
{
    num v = n64(id);
    const char *p[] = { kanal_status_name(status), at, lost_reason, v.s };
    return run_done((pg *)base_,
                    "UPDATE opportunities SET status = $1, closed_at = $2, lost_reason = $3"
                    " WHERE id = $4",
                    4, p, err, "closing an opportunity");
}

static int pg_opp_set_owner(store *base_, int64_t id, const char *owner, kanal_error *err)
{
    num v = n64(id);
    const char *p[] = { owner, v.s };
    return run_done((pg *)base_, "UPDATE opportunities SET owner = $1 WHERE id = $2", 2, p, err,
                    "reassigning an opportunity");
}

static int pg_opp_set_next(store *base_, int64_t id, const char *next, kanal_error *err)
{
    num v = n64(id);
    const char *p[] = { next, v.s };
    return run_done((pg *)base_, "UPDATE opportunities SET next_contact_at = $1 WHERE id = $2", 2,
                    p, err, "setting the next contact");
}

static int pg_opp_touch(store *base_, int64_t id, const char *at, int64_t seq, kanal_error *err)
{
    num v = n64(id), q = n64(seq);
    const char *p[] = { at, q.s, v.s };
    return run_done((pg *)base_,
                    "UPDATE opportunities SET last_event_at = greatest(last_event_at, $1),"
                    " last_seq = $2 WHERE id = $3",
                    3, p, err, "recording an event");
}

static int pg_opps_open_of_partner(store *base_, kanal_arena *a, int64_t partner_id,
                                   int64_t **ids, size_t *n, kanal_error *err)
{
    num v = n64(partner_id);
    const char *p[] = { v.s };
    return ids_of((pg *)base_, a,
                  "SELECT id FROM opportunities WHERE partner_id = $1 AND status = " P_OPEN
                  " ORDER BY id",
                  1, p, ids, n, err, "listing opportunities");
}

static int pg_opps_open_of_owner(store *base_, kanal_arena *a, const char *owner, int64_t **ids,
                                 size_t *n, kanal_error *err)
{
    const char *p[] = { owner };
    return ids_of((pg *)base_, a,
                  "SELECT id FROM opportunities WHERE owner = $1 AND status = " P_OPEN
                  " ORDER BY stage_entered_at, id",
                  1, p, ids, n, err, "listing opportunities");
}

static int pg_open_count(store *base_, const char *owner, const char *workflow, int *n,
                         kanal_error *err)
{
    const char *p[] = { owner, workflow };
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT count(*) FROM opportunities WHERE owner = $1 AND"
                               " status = " P_OPEN " AND ($2::text IS NULL OR workflow = $2)",
                               2, p, err, "counting opportunities");
    if (!r)
        return err->code;
    *n = (int)store_pg_int(r, 0, 0);
    PQclear(r);
    return KANAL_OK;
}

static int pg_opps_list(store *base_, kanal_arena *a, const store_opp_filter *f,
                        store_opp_row **out, size_t *n, kanal_error *err)
{
    const char *p[] = { f->owner, f->workflow, f->stage,
                        f->status < KANAL_STATUS_COUNT ? kanal_status_name(f->status) : NULL };
    PGresult *r = store_pg_run(
        (pg *)base_,
        "SELECT " OPP_COLS ", p.name, o.next_contact_at,"
        " (SELECT max(at) FROM activities WHERE opp_id = o.id AND voided_at IS NULL)"
        " FROM opportunities o JOIN partners p ON p.id = o.partner_id"
        " WHERE ($1::text IS NULL OR o.owner = $1) AND ($2::text IS NULL OR o.workflow = $2)"
        " AND ($3::text IS NULL OR o.stage = $3) AND ($4::text IS NULL OR o.status = $4)"
        " ORDER BY o.id",
        4, p, err, "listing opportunities");
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        store_opp_row o;
        read_opp(a, r, i, &o, &oom);
        o.partner_name = store_pg_text(a, r, i, 13, &oom);
        o.next_contact_at = store_pg_text(a, r, i, 14, &oom);
        o.last_activity_at = store_pg_text(a, r, i, 15, &oom);
        kanal_buf_add(&b, &o, sizeof o);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(store_opp_row), out, n, err);
}

static int pg_notes_list(store *base_, kanal_arena *a, const char *owner, store_note **out,
                         size_t *n, kanal_error *err)
{
    const char *p[] = { owner };
    PGresult *r = store_pg_run(
        (pg *)base_,
        "SELECT opp_id, seq, at, actor, type, t FROM (SELECT e.opp_id, e.seq, e.at, e.actor,"
        "   e.type, coalesce(e.data->>'text', e.data->>'note') AS t"
        " FROM events e JOIN opportunities o ON o.id = e.opp_id"
        " WHERE $1::text IS NULL OR o.owner = $1) notes"
        " WHERE t IS NOT NULL ORDER BY opp_id, seq",
        1, p, err, "reading notes");
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        store_note o = {
            strtoll(PQgetvalue(r, i, 0), NULL, 10), strtoll(PQgetvalue(r, i, 1), NULL, 10),
            store_pg_text(a, r, i, 2, &oom),        store_pg_text(a, r, i, 3, &oom),
            store_pg_text(a, r, i, 4, &oom),        store_pg_text(a, r, i, 5, &oom)
        };
        kanal_buf_add(&b, &o, sizeof o);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(store_note), out, n, err);
}

/* ---- goals, fields, activities ---------------------------------------------------- */

static int pairs_of(pg *s, kanal_arena *a, const char *sql, int64_t opp, store_pair **out,
                    size_t *n, kanal_error *err, const char *doing)
{
    num v = n64(opp);
    const char *p[] = { v.s };
    PGresult *r = store_pg_run(s, sql, 1, p, err, doing);
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        store_pair x = { store_pg_text(a, r, i, 0, &oom), store_pg_text(a, r, i, 1, &oom) };
        kanal_buf_add(&b, &x, sizeof x);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(store_pair), out, n, err);
}

static int pg_goal_mark_done(store *base_, int64_t opp, const char *goal, const char *at,
                             const char *by, kanal_error *err)
{
    num v = n64(opp);
    const char *p[] = { v.s, goal, at, by };
    return run_done((pg *)base_,
                    "INSERT INTO goals_done(opp_id, goal, done_at, done_by) VALUES ($1, $2, $3,"
                    " $4)",
                    4, p, err, "completing a goal");
}

static int pg_goals_done(store *base_, kanal_arena *a, int64_t opp, store_pair **out, size_t *n,
                         kanal_error *err)
{
    return pairs_of((pg *)base_, a,
                    "SELECT goal, done_at FROM goals_done WHERE opp_id = $1 ORDER BY goal", opp,
                    out, n, err, "reading goals");
}

static int pg_field_put(store *base_, int64_t opp, const char *field, const char *value,
                        const char *at, kanal_error *err)
{
    num v = n64(opp);
    if (!value) {
        const char *p[] = { v.s, field };
        return run_done((pg *)base_, "DELETE FROM field_values WHERE opp_id = $1 AND field = $2",
                        2, p, err, "setting a field");
    }
    const char *p[] = { v.s, field, value, at };
    return run_done((pg *)base_,
                    "INSERT INTO field_values(opp_id, field, value, set_at) VALUES ($1, $2, $3,"
                    " $4) ON CONFLICT (opp_id, field) DO UPDATE SET value = $3, set_at = $4",
                    4, p, err, "setting a field");
}

static int pg_field_values(store *base_, kanal_arena *a, int64_t opp, store_pair **out,
                           size_t *n, kanal_error *err)
{
    return pairs_of((pg *)base_, a,
                    "SELECT field, value FROM field_values WHERE opp_id = $1 ORDER BY field", opp,
                    out, n, err, "reading fields");
}

static int pg_activity_insert(store *base_, int64_t opp, const char *type, const char *at,
                              const char *actor, const char *note, kanal_error *err)
{
    num v = n64(opp);
    const char *p[] = { v.s, type, at, actor, note };
    return run_done((pg *)base_,
                    "INSERT INTO activities(opp_id, type, at, actor, note) VALUES ($1, $2, $3,"
                    " $4, $5)",
                    5, p, err, "recording an activity");
}

static int pg_activities(store *base_, kanal_arena *a, int64_t opp, const char *type,
                         kanal_activity **out, size_t *n, kanal_error *err)
{
    num v = n64(opp);
    const char *p[] = { v.s, type };
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT type, at, actor, note FROM activities WHERE opp_id = $1"
                               " AND ($2::text IS NULL OR type = $2) AND voided_at IS NULL"
                               " ORDER BY at, id",
                               2, p, err, "reading activities");
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        kanal_activity x = { store_pg_text(a, r, i, 0, &oom), store_pg_text(a, r, i, 1, &oom),
                             store_pg_text(a, r, i, 2, &oom), store_pg_text(a, r, i, 3, &oom) };
        kanal_buf_add(&b, &x, sizeof x);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(kanal_activity), out, n, err);
}

static int pg_activity_void(store *base_, int64_t opp, const kanal_activity *act,
                            const char *voided_at, kanal_error *err)
{
    num v = n64(opp);
    const char *p[] = { v.s, act->type, act->at, act->by, act->note, voided_at };
    PGresult *r = store_pg_run(
        (pg *)base_,
        "UPDATE activities SET voided_at = $6 WHERE id = (SELECT id FROM activities"
        "  WHERE opp_id = $1 AND type = $2 AND at = $3 AND actor = $4"
        "    AND note IS NOT DISTINCT FROM $5::text AND voided_at IS NULL ORDER BY id LIMIT 1)",
        6, p, err, "voiding an activity");
    if (!r)
        return err->code;
    int rc = atoi(PQcmdTuples(r)) > 0 ? KANAL_OK : KANAL_ENOTFOUND;
    PQclear(r);
    return rc;
}

static int pg_goal_undo(store *base_, int64_t opp, const char *goal, kanal_error *err)
{
    num v = n64(opp);
    const char *p[] = { v.s, goal };
    return run_done((pg *)base_, "DELETE FROM goals_done WHERE opp_id = $1 AND goal = $2", 2, p,
                    err, "undoing a goal");
}

/* ---- the event log ------------------------------------------------------------------ */

static int pg_event_insert(store *base_, const store_event *e, kanal_error *err)
{
    num opp = n64(e->opp), seq = n64(e->seq), version = n64(e->version);
    const char *p[] = { e->opp ? opp.s : NULL, e->opp ? seq.s : NULL, e->at, e->recorded_at,
                        e->actor, e->type, e->data, e->opp ? e->workflow : NULL,
                        e->opp ? version.s : NULL, e->login };
    return run_done((pg *)base_,
                    "INSERT INTO events(opp_id, seq, at, recorded_at, actor, type, data,"
                    " workflow, version, login) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    10, p, err, "recording an event");
}

#define EVENT_COLS                                                                                 \
    "id, coalesce(opp_id, 0), coalesce(seq, 0), at, recorded_at, actor, login, type, data,"        \
    " workflow, coalesce(version, 0)"

static int events_of(pg *s, kanal_arena *a, const char *sql, int n, const char *const *p,
                     store_event **out, size_t *count, kanal_error *err)
{
    PGresult *r = store_pg_run(s, sql, n, p, err, "reading the event log");
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        store_event e = { store_pg_int(r, i, 0),           store_pg_int(r, i, 1),
                          store_pg_int(r, i, 2),           store_pg_text(a, r, i, 3, &oom),
                          store_pg_text(a, r, i, 4, &oom), store_pg_text(a, r, i, 5, &oom),
                          store_pg_text(a, r, i, 6, &oom), store_pg_text(a, r, i, 7, &oom),
                          store_pg_text(a, r, i, 8, &oom), store_pg_text(a, r, i, 9, &oom),
                          (int)store_pg_int(r, i, 10) };
        kanal_buf_add(&b, &e, sizeof e);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(store_event), out, count, err);
}

static int pg_events(store *base_, kanal_arena *a, int64_t opp, store_event **out, size_t *n,
                     kanal_error *err)
{
    num v = n64(opp);
    const char *p[] = { v.s };
    return events_of((pg *)base_, a,
                     "SELECT " EVENT_COLS " FROM events WHERE opp_id = $1 ORDER BY seq", 1, p,
                     out, n, err);
}

static int pg_events_all(store *base_, kanal_arena *a, store_event **out, size_t *n,
                         kanal_error *err)
{
    return events_of((pg *)base_, a, "SELECT " EVENT_COLS " FROM events ORDER BY id", 0, NULL,
                     out, n, err);
}

/* The json type refuses what is not JSON: a damaged record cannot be stored here. */
static int pg_events_invalid(store *base_, int64_t opp, bool *found, int64_t *bad_opp,
                             int64_t *bad_seq, kanal_error *err)
{
    *found = false;
    *bad_opp = *bad_seq = 0;
    return KANAL_OK;
}

static int pg_event_count(store *base_, int64_t opp, int64_t *n, int64_t *max_seq,
                          kanal_error *err)
{
    num v = n64(opp);
    const char *p[] = { v.s };
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT count(*), coalesce(max(seq), 0) FROM events WHERE opp_id = $1",
                               1, p, err, "checking the event log");
    if (!r)
        return err->code;
    *n = store_pg_int(r, 0, 0);
    *max_seq = store_pg_int(r, 0, 1);
    PQclear(r);
    return KANAL_OK;
}

static int pg_check(store *base_, kanal_arena *a, store_pair **out, size_t *n, kanal_error *err)
{
    /* the server keeps its constraints always, unless one was added NOT VALID; and
       the tables a rep reads through policies must still have them enforced */
    static const char sql[] =
        "SELECT 'constraint', format('constraint %s on table %s is not validated',"
        "  conname, conrelid::regclass) FROM pg_constraint"
        " WHERE connamespace = 'kanal'::regnamespace AND NOT convalidated"
        " UNION ALL SELECT 'row_security', format('row-level security is off on table %s',"
        "  c.relname) FROM pg_class c"
        " WHERE c.relnamespace = 'kanal'::regnamespace AND c.relkind = 'r'"
        "  AND c.relname IN ('partners', 'opportunities', 'events', 'activities', 'goals_done',"
        "   'field_values', 'stage_visits', 'goals_waived', 'contacts')"
        "  AND NOT c.relrowsecurity"
        " UNION ALL SELECT 'row_security', format('table %s has no policies', c.relname)"
        " FROM pg_class c WHERE c.relnamespace = 'kanal'::regnamespace AND c.relrowsecurity"
        "  AND NOT EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid)"
        " ORDER BY 1, 2";
    PGresult *r = store_pg_run((pg *)base_, sql, 0, NULL, err, "checking the database");
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        store_pair p = { store_pg_text(a, r, i, 0, &oom), store_pg_text(a, r, i, 1, &oom) };
        kanal_buf_add(&b, &p, sizeof p);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(store_pair), out, n, err);
}

static int pg_log_protected(store *base_, bool *yes, kanal_error *err)
{
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'kanal.events'::regclass"
                               " AND tgname IN ('events_no_update', 'events_no_delete',"
                               " 'events_no_truncate') AND tgenabled <> 'D'",
                               0, NULL, err, "checking the event log");
    if (!r)
        return err->code;
    *yes = store_pg_int(r, 0, 0) == 3;
    PQclear(r);
    return KANAL_OK;
}

/* The digest: each table's rows in a fixed order, columns joined by '|', NULL as '-'. */
static int pg_digest(store *base_, kanal_buf *out, kanal_error *err)
{
    pg *s = (pg *)base_;
    static const char *const queries[] = {
        "SELECT 'user', id, name, active::int, created_at FROM users ORDER BY id",
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
        PGresult *r = store_pg_run(s, queries[q], 0, NULL, err, "reading the whole store");
        if (!r)
            return err->code;
        for (int i = 0; i < PQntuples(r); i++) {
            for (int c = 0; c < PQnfields(r); c++) {
                kanal_buf_puts(out, c ? "|" : "");
                kanal_buf_puts(out, PQgetisnull(r, i, c) ? "-" : PQgetvalue(r, i, c));
            }
            kanal_buf_putc(out, '\n');
        }
        PQclear(r);
    }
    return out->oom ? kanal_error_nomem(err) : KANAL_OK;
}

/* Each creation or advance starts a visit; the next such step, or a won or lost event, ends it. */
static int pg_rebuild_visits(store *base_, kanal_error *err)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "DELETE FROM stage_visits;"
             "INSERT INTO stage_visits(opp_id, stage, entered_at, left_at, outcome)"
             " SELECT opp_id, stage, at, left_at,"
             "   CASE how WHEN '%s' THEN '%s' WHEN '%s' THEN '%s' END"
             " FROM (SELECT opp_id, seq, at,"
             "         CASE type WHEN '%s' THEN data->>'stage' WHEN '%s' THEN data->>'to' END"
             "           AS stage,"
             "         lead(type) OVER w AS how, lead(at) OVER w AS left_at"
             "       FROM events WHERE opp_id IS NOT NULL AND type IN ('%s', '%s', '%s', '%s')"
             "       WINDOW w AS (PARTITION BY opp_id ORDER BY seq)) v"
             " WHERE stage IS NOT NULL ORDER BY opp_id, seq",
             kanal_event_name(KANAL_EV_WON), kanal_status_name(KANAL_WON),
             kanal_event_name(KANAL_EV_LOST), kanal_status_name(KANAL_LOST),
             kanal_event_name(KANAL_EV_CREATED), kanal_event_name(KANAL_EV_ADVANCED),
             kanal_event_name(KANAL_EV_CREATED), kanal_event_name(KANAL_EV_ADVANCED),
             kanal_event_name(KANAL_EV_WON), kanal_event_name(KANAL_EV_LOST));
    return store_pg_exec((pg *)base_, sql, err, "rebuilding the stage visits");
}

/* ---- deals ------------------------------------------------------------------------ */

static int pg_opp_won_latest(store *base_, int64_t partner_id, int64_t *id, kanal_error *err)
{
    num v = n64(partner_id);
    const char *p[] = { v.s };
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT id FROM opportunities WHERE partner_id = $1 AND"
                               " status = '" KANAL_STATUS_WON_NAME "'"
                               " ORDER BY closed_at DESC, id DESC LIMIT 1",
                               1, p, err, "reading opportunities");
    if (!r)
        return err->code;
    *id = PQntuples(r) ? store_pg_int(r, 0, 0) : 0;
    PQclear(r);
    return KANAL_OK;
}

static int pg_deal_insert(store *base_, const kanal_deal *d, int64_t *id, kanal_error *err)
{
    num partner = n64(d->partner_id), opp = n64(d->opp), value = n64(d->value_cents);
    const char *p[] = { partner.s,    opp.s,       d->client,     value.s,
                        d->signed_on, d->ended_on, d->created_at, d->created_by };
    PGresult *r = store_pg_run((pg *)base_,
                               "INSERT INTO deals(id, partner_id, opp_id, client, value_cents,"
                               " signed_on, ended_on, created_at, created_by)"
                               " VALUES (kanal.next_deal_id(), $1, $2, $3, $4, $5, $6, $7, $8)"
                               " RETURNING id",
                               8, p, err, "adding a deal");
    if (!r)
        return err->code;
    *id = store_pg_int(r, 0, 0);
    PQclear(r);
    return KANAL_OK;
}

#define DEAL_COLS                                                                                  \
    "d.id, d.partner_id, p.name, d.opp_id, o.workflow, o.version, d.client, d.value_cents,"        \
    " d.signed_on, d.ended_on, d.created_at, d.created_by"                                         \
    " FROM deals d JOIN partners p ON p.id = d.partner_id"                                         \
    " JOIN opportunities o ON o.id = d.opp_id"

static void read_deal(kanal_arena *a, const PGresult *r, int i, kanal_deal *d, bool *oom)
{
    d->id = store_pg_int(r, i, 0);
    d->partner_id = store_pg_int(r, i, 1);
    d->partner = store_pg_text(a, r, i, 2, oom);
    d->opp = store_pg_int(r, i, 3);
    d->workflow = store_pg_text(a, r, i, 4, oom);
    d->version = (int)store_pg_int(r, i, 5);
    d->client = store_pg_text(a, r, i, 6, oom);
    d->value_cents = store_pg_int(r, i, 7);
    d->signed_on = store_pg_text(a, r, i, 8, oom);
    d->ended_on = store_pg_text(a, r, i, 9, oom);
    d->created_at = store_pg_text(a, r, i, 10, oom);
    d->created_by = store_pg_text(a, r, i, 11, oom);
}

static int pg_deal_get(store *base_, kanal_arena *a, int64_t id, kanal_deal *out, kanal_error *err)
{
    num v = n64(id);
    const char *p[] = { v.s };
    PGresult *r = store_pg_run((pg *)base_, "SELECT " DEAL_COLS " WHERE d.id = $1", 1, p, err,
                               "reading a deal");
    if (!r)
        return err->code;
    bool oom = false;
    int rc = KANAL_ENOTFOUND;
    if (PQntuples(r)) {
        read_deal(a, r, 0, out, &oom);
        rc = oom ? kanal_error_nomem(err) : KANAL_OK;
    }
    PQclear(r);
    return rc;
}

static int pg_deal_end(store *base_, int64_t id, const char *ended_on, kanal_error *err)
{
    num v = n64(id);
    const char *p[] = { ended_on, v.s };
    return run_done((pg *)base_, "UPDATE deals SET ended_on = $1 WHERE id = $2", 2, p, err,
                    "ending a deal");
}

static int pg_deal_open_for(store *base_, int64_t partner_id, const char *client, int64_t *id,
                            kanal_error *err)
{
    num v = n64(partner_id);
    const char *p[] = { v.s, client };
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT id FROM deals WHERE partner_id = $1 AND client = $2"
                               " AND ended_on IS NULL ORDER BY id LIMIT 1",
                               2, p, err, "reading deals");
    if (!r)
        return err->code;
    *id = PQntuples(r) ? store_pg_int(r, 0, 0) : 0;
    PQclear(r);
    return KANAL_OK;
}

static int pg_deals_list(store *base_, kanal_arena *a, const store_deal_filter *f, kanal_deal **out,
                         size_t *n, kanal_error *err)
{
    num partner = n64(f->partner_id);
    const char *p[] = { partner.s, f->owner, f->signed_by };
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT " DEAL_COLS " WHERE ($1::bigint = 0 OR d.partner_id = $1)"
                               " AND ($2::text IS NULL OR p.owner = $2)"
                               " AND ($3::text IS NULL OR d.signed_on <= $3) ORDER BY d.id",
                               3, p, err, "listing deals");
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        kanal_deal d;
        read_deal(a, r, i, &d, &oom);
        kanal_buf_add(&b, &d, sizeof d);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(kanal_deal), out, n, err);
}

/* ---- contacts --------------------------------------------------------------------- */

static int pg_contact_insert(store *base_, const kanal_contact *c, int64_t *id, kanal_error *err)
{
    num partner = n64(c->partner_id);
    const char *p[] = { partner.s, c->name,       c->role,       c->email,
                        c->phone,  c->created_at, c->created_by, c->removed_at };
    PGresult *r = store_pg_run((pg *)base_,
                               "INSERT INTO contacts(id, partner_id, name, role, email, phone,"
                               " created_at, created_by, removed_at)"
                               " VALUES (kanal.next_contact_id(), $1, $2, $3, $4, $5, $6, $7, $8)"
                               " RETURNING id",
                               8, p, err, "adding a contact");
    if (!r)
        return err->code;
    *id = store_pg_int(r, 0, 0);
    PQclear(r);
    return KANAL_OK;
}

#define CONTACT_COLS                                                                               \
    "c.id, c.partner_id, p.name, c.name, c.role, c.email, c.phone, c.created_at, c.created_by,"    \
    " c.removed_at FROM contacts c JOIN partners p ON p.id = c.partner_id"

static void read_contact(kanal_arena *a, const PGresult *r, int i, kanal_contact *c, bool *oom)
{
    c->id = store_pg_int(r, i, 0);
    c->partner_id = store_pg_int(r, i, 1);
    c->partner = store_pg_text(a, r, i, 2, oom);
    c->name = store_pg_text(a, r, i, 3, oom);
    c->role = store_pg_text(a, r, i, 4, oom);
    c->email = store_pg_text(a, r, i, 5, oom);
    c->phone = store_pg_text(a, r, i, 6, oom);
    c->created_at = store_pg_text(a, r, i, 7, oom);
    c->created_by = store_pg_text(a, r, i, 8, oom);
    c->removed_at = store_pg_text(a, r, i, 9, oom);
}

static int pg_contact_get(store *base_, kanal_arena *a, int64_t id, kanal_contact *out,
                          kanal_error *err)
{
    num v = n64(id);
    const char *p[] = { v.s };
    PGresult *r = store_pg_run((pg *)base_, "SELECT " CONTACT_COLS " WHERE c.id = $1", 1, p, err,
                               "reading a contact");
    if (!r)
        return err->code;
    bool oom = false;
    int rc = KANAL_ENOTFOUND;
    if (PQntuples(r)) {
        read_contact(a, r, 0, out, &oom);
        rc = oom ? kanal_error_nomem(err) : KANAL_OK;
    }
    PQclear(r);
    return rc;
}

static int pg_contact_update(store *base_, const kanal_contact *c, kanal_error *err)
{
    num v = n64(c->id);
    const char *p[] = { c->name, c->role, c->email, c->phone, v.s };
    return run_done((pg *)base_,
                    "UPDATE contacts SET name = $1, role = $2, email = $3, phone = $4"
                    " WHERE id = $5",
                    5, p, err, "editing a contact");
}

static int pg_contact_remove(store *base_, int64_t id, const char *removed_at, kanal_error *err)
{
    num v = n64(id);
    const char *p[] = { removed_at, v.s };
    return run_done((pg *)base_, "UPDATE contacts SET removed_at = $1 WHERE id = $2", 2, p, err,
                    "removing a contact");
}

static int pg_contacts_list(store *base_, kanal_arena *a, int64_t partner_id, bool include_removed,
                            kanal_contact **out, size_t *n, kanal_error *err)
{
    num partner = n64(partner_id);
    const char *p[] = { partner.s, include_removed ? "true" : "false" };
    PGresult *r = store_pg_run((pg *)base_,
                               "SELECT " CONTACT_COLS " WHERE ($1::bigint = 0 OR c.partner_id = $1)"
                               " AND ($2::boolean OR c.removed_at IS NULL) ORDER BY c.id",
                               2, p, err, "listing contacts");
    if (!r)
        return err->code;
    kanal_buf b = KANAL_BUF_INIT;
    bool oom = false;
    for (int i = 0; i < PQntuples(r); i++) {
        kanal_contact c;
        read_contact(a, r, i, &c, &oom);
        kanal_buf_add(&b, &c, sizeof c);
    }
    PQclear(r);
    return store_pg_rows(a, &b, oom, sizeof(kanal_contact), out, n, err);
}

static int pg_opps_closed_of_partner(store *base_, kanal_arena *a, int64_t partner_id,
                                     int64_t **ids, size_t *n, kanal_error *err)
{
    num v = n64(partner_id);
    const char *p[] = { v.s };
    return ids_of((pg *)base_, a,
                  "SELECT id FROM opportunities WHERE partner_id = $1 AND status <> " P_OPEN
                  " ORDER BY closed_at DESC, id DESC",
                  1, p, ids, n, err, "listing opportunities");
}

static int pg_copying(store *base_, bool on, kanal_error *err)
{
    return store_pg_exec((pg *)base_, on ? "SET kanal.copying = 'on'" : "RESET kanal.copying", err,
                         "copying");
}

static const store_methods pg_methods = {
    .version = STORE_METHODS_VERSION,
    .name = "postgresql",
    .close = pg_close,
    .discard = pg_discard,
    .location = pg_location,
    .identity = pg_identity,
    .log_protected = pg_log_protected,
    .digest = pg_digest,
    .begin = pg_begin,
    .begin_read = pg_begin_read,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .depth = pg_depth,
    .publish = pg_publish,
    .user_insert = pg_user_insert,
    .user_update = pg_user_update,
    .notes_list = pg_notes_list,
    .partners_by_fold = pg_partners_by_fold,
    .partner_clash = pg_partner_clash,
    .check = pg_check,
    .user_get = pg_user_get,
    .user_set_active = pg_user_set_active,
    .count_active_with_role = pg_count_active_with_role,
    .users_list = pg_users_list,
    .workflow_get = pg_workflow_get,
    .workflow_latest = pg_workflow_latest,
    .workflow_insert = pg_workflow_insert,
    .workflow_ids = pg_workflow_ids,
    .workflows_list = pg_workflows_list,
    .partner_insert = pg_partner_insert,
    .partner_by_id = pg_partner_by_id,
    .partner_by_name = pg_partner_by_name,
    .partner_by_key = pg_partner_by_key,
    .partner_set_owner = pg_partner_set_owner,
    .partner_update = pg_partner_update,
    .partners_owned_by = pg_partners_owned_by,
    .partners_list = pg_partners_list,
    .opp_insert = pg_opp_insert,
    .opp_get = pg_opp_get,
    .opp_open_for = pg_opp_open_for,
    .opp_set_stage = pg_opp_set_stage,
    .opp_close = pg_opp_close,
    .opp_set_owner = pg_opp_set_owner,
    .opp_touch = pg_opp_touch,
    .opp_set_next = pg_opp_set_next,
    .activity_void = pg_activity_void,
    .goal_undo = pg_goal_undo,
    .opps_open_of_partner = pg_opps_open_of_partner,
    .opps_open_of_owner = pg_opps_open_of_owner,
    .open_count = pg_open_count,
    .opps_list = pg_opps_list,
    .goal_mark_done = pg_goal_mark_done,
    .goals_done = pg_goals_done,
    .field_put = pg_field_put,
    .field_values = pg_field_values,
    .activity_insert = pg_activity_insert,
    .activities = pg_activities,
    .event_insert = pg_event_insert,
    .events = pg_events,
    .events_all = pg_events_all,
    .events_invalid = pg_events_invalid,
    .event_count = pg_event_count,
    .opp_set_version = pg_opp_set_version,
    .goal_waive = pg_goal_waive,
    .goals_waived = pg_goals_waived,
    .workflow_set_retired = pg_workflow_set_retired,
    .workflow_retired = pg_workflow_retired,
    .report_waived = store_pg_report_waived,
    .rebuild_visits = pg_rebuild_visits,
    .copying = pg_copying,
    .report_lost = store_pg_report_lost,
    .report_outcomes = store_pg_report_outcomes,
    .report_activities = store_pg_report_activities,
    .report_first_touch = store_pg_report_first_touch,
    .report_stages = store_pg_report_stages,
    .report_open = store_pg_report_open,
    .report_goals = store_pg_report_goals,
    .report_win_days = store_pg_report_win_days,
    .opp_won_latest = pg_opp_won_latest,
    .deal_insert = pg_deal_insert,
    .deal_get = pg_deal_get,
    .deal_end = pg_deal_end,
    .deal_open_for = pg_deal_open_for,
    .deals_list = pg_deals_list,
    .contact_insert = pg_contact_insert,
    .contact_get = pg_contact_get,
    .contact_update = pg_contact_update,
    .contact_remove = pg_contact_remove,
    .contacts_list = pg_contacts_list,
    .opps_closed_of_partner = pg_opps_closed_of_partner,
};
