/*
** bench_floor_cli.c — the floor of one CLI command (tests/bench/cli.sh): a
** process that does the least any write command must do. It is linked like
** kanal (against libkanal and every shared library kanal loads, so that the
** dynamic loader's work is the same), opens the same database with the
** pragmas the SQLite store sets (core/lib/store/sqlite/sqlite.c, configure),
** inserts one row in one transaction with synchronous=FULL, and exits.
**
**   bench_floor_cli DB           one row into bench_floor
**   bench_floor_cli DB --setup   creates the table bench_floor, once
*/
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kanal/kanal.h"

static int fail(sqlite3 *db, const char *doing)
{
    fprintf(stderr, "bench_floor_cli: %s: %s\n", doing, db ? sqlite3_errmsg(db) : "no memory");
    sqlite3_close(db);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: bench_floor_cli DB [--setup]\n", stderr);
        return 2;
    }
    /* libkanal stays a real dependency (the linker keeps what is used) */
    if (!kanal_version()[0])
        return 1;
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE;
    if (sqlite3_open_v2(argv[1], &db, flags, NULL) != SQLITE_OK)
        return fail(db, "opening");
    /* the store's configure(): the same pragmas, in the same order */
    sqlite3_busy_timeout(db, 30000);
    sqlite3_extended_result_codes(db, 1);
    if (sqlite3_exec(db,
                     "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; "
                     "PRAGMA cache_size = -32768;",
                     NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "configuring");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
        return fail(db, "configuring");
    int wal = sqlite3_step(st) == SQLITE_ROW &&
              strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_finalize(st);
    if (!wal && sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "configuring");
    if (argc > 2 && strcmp(argv[2], "--setup") == 0) {
        if (sqlite3_exec(db,
                         "CREATE TABLE IF NOT EXISTS bench_floor(id INTEGER PRIMARY KEY, "
                         "at TEXT NOT NULL, note TEXT) STRICT",
                         NULL, NULL, NULL) != SQLITE_OK)
            return fail(db, "creating bench_floor");
        sqlite3_close(db);
        return 0;
    }
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "beginning");
    if (sqlite3_prepare_v2(db, "INSERT INTO bench_floor(at, note) VALUES (?, ?)", -1, &st, NULL) !=
        SQLITE_OK)
        return fail(db, "preparing (run with --setup first)");
    char at[32];
    time_t now = time(NULL);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, "one row", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(db, "inserting");
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "committing");
    return sqlite3_close(db) == SQLITE_OK ? 0 : fail(db, "closing");
}
