/*
** bench_steps.c — stepping the generated opportunities (bench_gen.h)
** through the library in one process, and the floor it is measured against:
** plain SQLite inserting as many event rows with one prepared statement, the
** same transaction grouping and the same pragmas.
**
**   bench_steps lib DB OPPS SEED [--sync full|normal] [--norules] [--one-tx]
**                   [--workflow FILE]
**   bench_steps pair DB OPPS SEED [same options]
**   bench_steps floor DB ROWS [--sync full|normal] [--one-tx]
**
** lib makes DB (kanal_init), applies workflows/referral_partners.yaml or FILE
** (with --norules, a copy without its `rules:` line), adds the users and one
** partner per opportunity in one transaction, then times the steps: each
** its own transaction, or with --one-tx all in one (kanal_begin). floor times
** ROWS inserts into a table shaped like the log. Both print
**   steps N seconds S
** on stdout (lib adds cache_kib K: SQLite's page cache at the end). pair does both in one run, the
*floor's rows for each
** opportunity right after its steps (in DB.floor.db), and prints
**   steps N seconds S floor F --sync normal sets synchronous=NORMAL on the store's connection
** (the library keeps FULL and has no switch: the benchmark reaches into the
** SQLite backend's handle, which nothing else may do). Run from the source tree.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "bench_gen.h"
#include "engine/engine.h"
#include "store/sqlite/sqlite_int.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_steps: %s: %s\n", what, msg);
    exit(1);
}

static const char *sync_pragma(const char *sync)
{
    return strcmp(sync, "normal") == 0 ? "PRAGMA synchronous = NORMAL"
                                       : "PRAGMA synchronous = FULL";
}

/* the workflow without its rules: the same file less the `rules:` line, beside db */
static void copy_without_rules(const char *from, const char *db, char *out, size_t size)
{
    snprintf(out, size, "%s.norules.yaml", db);
    FILE *in = fopen(from, "r"), *o = fopen(out, "w");
    if (!in || !o)
        die("norules", "cannot copy the workflow (run from the source tree)");
    char line[4096];
    while (fgets(line, sizeof line, in))
        if (strncmp(line, "rules:", 6) != 0)
            fputs(line, o);
    fclose(in);
    fclose(o);
}

static void exec_or_die(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        die(sql, msg ? msg : sqlite3_errmsg(db));
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die(sql, sqlite3_errmsg(db));
    return st;
}

static void step_or_die(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        die("step", sqlite3_errmsg(db));
    sqlite3_reset(st);
}

/* the floor's database: a table shaped like the log, the store's pragmas */
typedef struct floor_db {
    sqlite3 *db;
    sqlite3_stmt *begin, *commit, *ins;
    bool one_tx;
    long rows;
} floor_db;

static void floor_open(floor_db *f, const char *path, const char *sync, bool one_tx)
{
    memset(f, 0, sizeof *f);
    remove(path);
    if (sqlite3_open(path, &f->db) != SQLITE_OK)
        die("open", sqlite3_errmsg(f->db));
    sqlite3_busy_timeout(f->db, 30000);
    exec_or_die(f->db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; "
                       "PRAGMA cache_size = -32768");
    exec_or_die(f->db, sync_pragma(sync));
    exec_or_die(f->db, "CREATE TABLE events(id INTEGER PRIMARY KEY, opp_id INTEGER, seq INTEGER,"
                       " type TEXT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL, data TEXT)"
                       " STRICT");
    f->begin = prepare(f->db, "BEGIN IMMEDIATE");
    f->commit = prepare(f->db, "COMMIT");
    f->ins = prepare(f->db, "INSERT INTO events(opp_id, seq, type, at, actor, data)"
                            " VALUES (?, ?, 'activity', ?, 'boss', ?)");
    f->one_tx = one_tx;
    if (one_tx)
        step_or_die(f->db, f->begin);
}

/* n more rows, each its own transaction unless one_tx */
static void floor_insert(floor_db *f, long n)
{
    for (long i = 0; i < n; i++, f->rows++) {
        if (!f->one_tx)
            step_or_die(f->db, f->begin);
        sqlite3_bind_int64(f->ins, 1, f->rows / 12 + 1);
        sqlite3_bind_int64(f->ins, 2, f->rows % 12 + 1);
        sqlite3_bind_text(f->ins, 3, "2025-06-01T10:00:00Z", -1, SQLITE_STATIC);
        sqlite3_bind_text(f->ins, 4, "{\"activity\":\"call\"}", -1, SQLITE_STATIC);
        step_or_die(f->db, f->ins);
        if (!f->one_tx)
            step_or_die(f->db, f->commit);
    }
}

static void floor_close(floor_db *f)
{
    if (f->one_tx)
        step_or_die(f->db, f->commit);
    sqlite3_finalize(f->begin);
    sqlite3_finalize(f->commit);
    sqlite3_finalize(f->ins);
    sqlite3_close(f->db);
}

static int step(kanal *k, const bench_opp *o, const bench_step *s, kanal_error *err)
{
    int64_t id = o->index + 1, got;
    bool already;
    const char *set = s->set;
    switch (s->kind) {
    case BS_CREATE:
        if (kanal_opp_create(k, o->partner, BENCH_WORKFLOW, o->owner, s->at, &got, err))
            return 1;
        if (got != id)
            return kanal_error_set(err, KANAL_EINVALID, "opportunity %lld, not %lld",
                                   (long long)got, (long long)id);
        return 0;
    case BS_LOG: return kanal_opp_log(k, id, s->arg, NULL, s->at, NULL, err);
    case BS_SET: return kanal_opp_set(k, id, &set, 1, s->at, err);
    case BS_DONE: return kanal_opp_done(k, id, s->arg, NULL, 0, NULL, s->at, &already, err);
    case BS_ADVANCE: return kanal_opp_advance(k, id, s->at, err);
    case BS_WIN: return kanal_opp_win(k, id, s->at, err);
    case BS_LOSE: return kanal_opp_lose(k, id, s->arg, s->note, s->at, err);
    }
    return 0;
}

static int run_lib(const char *db, int n, uint64_t seed, const char *sync, bool norules,
                   bool one_tx, bool pair, const char *file)
{
    kanal *k;
    kanal_error err;
    kanal_diags d;
    kanal_diags_init(&d);
    remove(db);
    if (kanal_init(&k, db, "admin", "Admin", 0, NULL, &err))
        die("init", err.message);
    char norules_path[4096];
    if (norules) {
        copy_without_rules(file, db, norules_path, sizeof norules_path);
        file = norules_path;
    }
    kanal_applied *applied;
    if (kanal_workflow_apply(k, &file, 1, &d, &applied, &err))
        die("apply (run from the source tree)", err.message);
    free(applied);
    kanal_set_now(k, 1782820800); /* BENCH_NOW: after every step */
    char *msg = NULL;
    if (sqlite3_exec(((sq *)k->store)->db, sync_pragma(sync), NULL, NULL, &msg) != SQLITE_OK)
        die("pragma", msg);

    /* setup, not timed: the users and a partner per opportunity, in one transaction */
    if (kanal_begin(k, &err) || kanal_user_add(k, "boss", "Boss", "manager", &err))
        die("setup", err.message);
    for (int r = 1; r <= BENCH_REPS; r++) {
        char id[16], name[16];
        snprintf(id, sizeof id, "rep%d", r);
        snprintf(name, sizeof name, "Rep %d", r);
        if (kanal_user_add(k, id, name, "channel_rep", &err))
            die("setup", err.message);
    }
    if (kanal_set_actor(k, "boss", &err))
        die("setup", err.message);
    bench_gen g;
    bench_gen_init(&g, n, seed);
    bench_opp o; /* made again while stepping, from the same seed: memory stays flat */
    for (int i = 0; i < n; i++) {
        bench_gen_opp(&g, i, &o);
        int64_t pid;
        kanal_partner_fields p = { .name = o.partner,
                                   .type = bench_partner_type(i),
                                   .owner = o.owner };
        if (kanal_partner_add(k, &p, &pid, &err))
            die("setup", err.message);
    }
    if (kanal_commit(k, &err))
        die("setup", err.message);

    /* pair: the floor's rows are inserted after each opportunity's steps, so
       that both see the same machine (the disk's flushes drift a lot) */
    floor_db f;
    char floor_path[4096];
    if (pair) {
        snprintf(floor_path, sizeof floor_path, "%s.floor.db", db);
        floor_open(&f, floor_path, sync, one_tx);
    }
    long steps = 0;
    double lib_s = 0, floor_s = 0, t0 = now_s();
    if (one_tx && kanal_begin(k, &err))
        die("begin", err.message);
    bench_gen_init(&g, n, seed);
    for (int i = 0; i < n; i++) {
        bench_gen_opp(&g, i, &o);
        for (int j = 0; j < o.n; j++, steps++)
            if (step(k, &o, &o.steps[j], &err)) {
                fprintf(stderr, "bench_steps: opportunity %d, step %d (%s): %s\n", i + 1, j,
                        o.steps[j].at, err.message);
                exit(1);
            }
        if (pair) {
            double t1 = now_s();
            lib_s += t1 - t0;
            floor_insert(&f, o.n);
            t0 = now_s();
            floor_s += t0 - t1;
        }
    }
    if (one_tx && kanal_commit(k, &err))
        die("commit", err.message);
    lib_s += now_s() - t0;
    if (pair) {
        double t1 = now_s();
        floor_close(&f);
        floor_s += now_s() - t1;
        printf("steps %ld seconds %.6f floor %.6f\n", steps, lib_s, floor_s);
    } else {
        /* what SQLite's page cache holds at the end: memory that grows with the
           database up to the store's cache_size */
        int cur = 0, hi = 0;
        sqlite3_db_status(((sq *)k->store)->db, SQLITE_DBSTATUS_CACHE_USED, &cur, &hi, 0);
        printf("steps %ld seconds %.6f cache_kib %d\n", steps, lib_s, cur / 1024);
    }
    kanal_close(k);
    kanal_diags_release(&d);
    return 0;
}

/* the floor alone: ROWS event rows */
static int run_floor(const char *path, long rows, const char *sync, bool one_tx)
{
    floor_db f;
    floor_open(&f, path, sync, one_tx);
    double t0 = now_s();
    floor_insert(&f, rows);
    floor_close(&f);
    printf("steps %ld seconds %.6f\n", rows, now_s() - t0);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_steps lib DB OPPS SEED [--sync full|normal] [--norules] "
                        "[--one-tx]\n       bench_steps floor DB ROWS [--sync full|normal] "
                        "[--one-tx]\n");
        return 2;
    }
    const char *sync = "full";
    bool norules = false, one_tx = false;
    const char *workflow = "workflows/referral_partners.yaml";
    int first_opt = strcmp(argv[1], "floor") == 0 ? 4 : 5;
    for (int i = first_opt; i < argc; i++) {
        if (strcmp(argv[i], "--sync") == 0 && i + 1 < argc)
            sync = argv[++i];
        else if (strcmp(argv[i], "--workflow") == 0 && i + 1 < argc)
            workflow = argv[++i];
        else if (strcmp(argv[i], "--norules") == 0)
            norules = true;
        else if (strcmp(argv[i], "--one-tx") == 0)
            one_tx = true;
        else
            die("unknown option", argv[i]);
    }
    bool pair = strcmp(argv[1], "pair") == 0;
    if ((pair || strcmp(argv[1], "lib") == 0) && argc >= 5)
        return run_lib(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 10), sync, norules, one_tx,
                       pair, workflow);
    if (strcmp(argv[1], "floor") == 0)
        return run_floor(argv[2], atol(argv[3]), sync, one_tx);
    die("unknown mode", argv[1]);
    return 2;
}
