/*
** fault.c — a fault injector for the reliability tests, loaded with
** LD_PRELOAD into kanal: KANAL_FAULT=write:N makes the Nth write or sync of a
** database file (NAME.db, -wal, -journal) fail with EIO, as a failing disk
** would; every later one fails too (a disk that failed stays failed).
** KANAL_FAULT=full:N is the same with ENOSPC: a disk that is full.
** KANAL_FAULT=alloc:N makes the Nth allocation (malloc, calloc, realloc)
** from the opening of the database on fail, and only it. KANAL_FAULT_COUNT=FILE
** writes how many writes and syncs (or allocations) the process made, so that
** a test knows the N worth trying; KANAL_FAULT_TRACE prints where an
** allocation failed. KANAL_FAULT=sqlite:N makes the Nth call into SQLite
** that can fail (prepare, step, exec, bind), counted from the opening of the
** database, return an error as SQLite would: SQLITE_IOERR from prepare, step
** and exec, SQLITE_NOMEM from a bind; only that one call fails, and
** sqlite3_errmsg and sqlite3_extended_errcode say so until the next call.
** KANAL_SQL_LOG=FILE appends to FILE the text of every statement kanal
** prepares (not SQLite's own), each followed by a line "-- end --", for the
** test of the reports' query plans. Only for tests: it is never linked into kanal, and the
** allocation faults are in libkanalfault_alloc.so only (built with
** FAULT_ALLOC), for a build without AddressSanitizer, whose allocator cannot
** be wrapped this way; libkanalfault.so leaves allocations alone.
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static long fail_at = -1; /* -1: never */
static int fail_errno = EIO;
static long seen;
static int alloc_mode; /* KANAL_FAULT=alloc:N: the Nth allocation fails, counted from the
                          opening of the database (before it, glibc's own lookups of the
                          login, which do not survive a failed allocation, would be hit) */
static int armed;
static int sqlite_mode; /* KANAL_FAULT=sqlite:N */

__attribute__((constructor)) static void fault_init(void)
{
    const char *f = getenv("KANAL_FAULT");
    if (f && strncmp(f, "write:", 6) == 0)
        fail_at = strtol(f + 6, NULL, 10);
    if (f && strncmp(f, "full:", 5) == 0) {
        fail_at = strtol(f + 5, NULL, 10);
        fail_errno = ENOSPC;
    }
    if (f && strncmp(f, "alloc:", 6) == 0) {
        fail_at = strtol(f + 6, NULL, 10);
        alloc_mode = 1;
    }
    if (f && strncmp(f, "sqlite:", 7) == 0) {
        fail_at = strtol(f + 7, NULL, 10);
        sqlite_mode = 1;
    }
    armed = !alloc_mode && !sqlite_mode;
}

/* The database is being opened: allocations count from here. */
int sqlite3_open_v2(const char *file, void **db, int flags, const char *vfs);
int sqlite3_open_v2(const char *file, void **db, int flags, const char *vfs)
{
    armed = 1;
    return ((int (*)(const char *, void **, int, const char *))dlsym(RTLD_NEXT, "sqlite3_open_v2"))(
        file, db, flags, vfs);
}

__attribute__((destructor)) static void fault_fini(void)
{
    const char *path = getenv("KANAL_FAULT_COUNT");
    FILE *out = path ? fopen(path, "w") : NULL;
    if (out) {
        fprintf(out, "%ld\n", seen);
        fclose(out);
    }
}

/* Whether fd is a database file: its path ends in .db, .db-wal or .db-journal. */
static int is_db(int fd)
{
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return 0;
    path[n] = '\0';
    size_t len = (size_t)n;
    static const char *const ends[] = { ".db", ".db-wal", ".db-journal" };
    for (size_t i = 0; i < 3; i++) {
        size_t e = strlen(ends[i]);
        if (len >= e && strcmp(path + len - e, ends[i]) == 0)
            return 1;
    }
    return 0;
}

/* Counts a write or sync of a database file; true when it must fail. A full
   disk refuses writes, not syncs of what was written. */
static int must_fail(int fd, int sync)
{
    if (alloc_mode || sqlite_mode || (sync && fail_errno == ENOSPC) || !is_db(fd))
        return 0;
    seen++;
    if (fail_at <= 0 || seen < fail_at)
        return 0;
    if (seen == fail_at && getenv("KANAL_FAULT_TRACE")) {
        void *frames[32];
        backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
    }
    return 1;
}

#define NEXT(name, type) ((type)dlsym(RTLD_NEXT, name))

ssize_t write(int fd, const void *buf, size_t n)
{
    if (must_fail(fd, 0)) {
        errno = fail_errno;
        return -1;
    }
    return NEXT("write", ssize_t(*)(int, const void *, size_t))(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (must_fail(fd, 0)) {
        errno = fail_errno;
        return -1;
    }
    return NEXT("pwrite", ssize_t(*)(int, const void *, size_t, off_t))(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    if (must_fail(fd, 0)) {
        errno = fail_errno;
        return -1;
    }
    return NEXT("pwrite64", ssize_t(*)(int, const void *, size_t, off_t))(fd, buf, n, off);
}

int fsync(int fd)
{
    if (must_fail(fd, 1)) {
        errno = fail_errno;
        return -1;
    }
    return NEXT("fsync", int (*)(int))(fd);
}

int fdatasync(int fd)
{
    if (must_fail(fd, 1)) {
        errno = fail_errno;
        return -1;
    }
    return NEXT("fdatasync", int (*)(int))(fd);
}

/* ---- calls into SQLite (KANAL_FAULT=sqlite:N) ---------------------------------------------- */
#define SQLITE_NOMEM_ 7
#define SQLITE_IOERR_ 10
static const void *injected_db; /* the connection whose last call was made to fail */
static int injected_code;

/* The real call, with SQLite's own nested calls passed through. */
#define CALL(type, expr)                                                                           \
    do {                                                                                           \
        inside++;                                                                                  \
        type r_ = expr;                                                                            \
        inside--;                                                                                  \
        return r_;                                                                                 \
    } while (0)

/* the connection of a statement (SQLite's own function: kanal has it loaded) */
static void *db_of(void *stmt)
{
    return stmt ? NEXT("sqlite3_db_handle", void *(*)(void *))(stmt) : NULL;
}

/* Counts a call of db's; true when it must fail (and then what it returns). */
static int inside; /* in a call into SQLite: the calls SQLite makes of its own are not kanal's */

static int sqlite_fails(const void *db, int code)
{
    if (inside)
        return 0;
    injected_db = NULL;
    if (!sqlite_mode || !armed)
        return 0;
    if (++seen != fail_at)
        return 0;
    injected_db = db;
    injected_code = code;
    if (getenv("KANAL_FAULT_TRACE")) {
        void *frames[32];
        backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
    }
    return 1;
}

/* KANAL_SQL_LOG: the statement kanal prepares, written down. */
static void log_sql(const char *sql, int n)
{
    const char *path = inside ? NULL : getenv("KANAL_SQL_LOG");
    FILE *f = path ? fopen(path, "a") : NULL;
    if (!f)
        return;
    fprintf(f, "%.*s\n-- end --\n", n < 0 ? (int)strlen(sql) : n, sql);
    fclose(f);
}

int sqlite3_prepare_v2(void *db, const char *sql, int n, void **stmt, const char **tail);
int sqlite3_prepare_v2(void *db, const char *sql, int n, void **stmt, const char **tail)
{
    log_sql(sql, n);
    if (sqlite_fails(db, SQLITE_IOERR_)) {
        *stmt = NULL;
        return SQLITE_IOERR_;
    }
    CALL(int, NEXT("sqlite3_prepare_v2", int (*)(void *, const char *, int, void **,
                                                 const char **))(db, sql, n, stmt, tail));
}

int sqlite3_prepare_v3(void *db, const char *sql, int n, unsigned flags, void **stmt,
                       const char **tail);
int sqlite3_prepare_v3(void *db, const char *sql, int n, unsigned flags, void **stmt,
                       const char **tail)
{
    log_sql(sql, n);
    if (sqlite_fails(db, SQLITE_IOERR_)) {
        *stmt = NULL;
        return SQLITE_IOERR_;
    }
    CALL(int, NEXT("sqlite3_prepare_v3", int (*)(void *, const char *, int, unsigned, void **,
                                                 const char **))(db, sql, n, flags, stmt, tail));
}

int sqlite3_step(void *stmt);
int sqlite3_step(void *stmt)
{
    if (sqlite_fails(db_of(stmt), SQLITE_IOERR_))
        return SQLITE_IOERR_;
    CALL(int, NEXT("sqlite3_step", int (*)(void *))(stmt));
}

int sqlite3_exec(void *db, const char *sql, void *cb, void *arg, char **errmsg);
int sqlite3_exec(void *db, const char *sql, void *cb, void *arg, char **errmsg)
{
    if (sqlite_fails(db, SQLITE_IOERR_)) {
        if (errmsg)
            *errmsg = NULL;
        return SQLITE_IOERR_;
    }
    CALL(int, NEXT("sqlite3_exec", int (*)(void *, const char *, void *, void *, char **))(
                  db, sql, cb, arg, errmsg));
}

#define BIND_FAULT(stmt)                                                                           \
    do {                                                                                           \
        if (sqlite_fails(db_of(stmt), SQLITE_NOMEM_))                                              \
            return SQLITE_NOMEM_;                                                                  \
    } while (0)

int sqlite3_bind_int(void *stmt, int i, int v);
int sqlite3_bind_int(void *stmt, int i, int v)
{
    BIND_FAULT(stmt);
    CALL(int, NEXT("sqlite3_bind_int", int (*)(void *, int, int))(stmt, i, v));
}

int sqlite3_bind_int64(void *stmt, int i, long long v);
int sqlite3_bind_int64(void *stmt, int i, long long v)
{
    BIND_FAULT(stmt);
    CALL(int, NEXT("sqlite3_bind_int64", int (*)(void *, int, long long))(stmt, i, v));
}

int sqlite3_bind_text(void *stmt, int i, const char *v, int n, void (*del)(void *));
int sqlite3_bind_text(void *stmt, int i, const char *v, int n, void (*del)(void *))
{
    if (sqlite_fails(db_of(stmt), SQLITE_NOMEM_)) {
        /* SQLite frees what it was given to keep, even when the bind fails */
        if (del && del != (void (*)(void *))(-1) && del != (void (*)(void *))0)
            del((void *)v);
        return SQLITE_NOMEM_;
    }
    CALL(int, NEXT("sqlite3_bind_text",
                   int (*)(void *, int, const char *, int, void (*)(void *)))(stmt, i, v, n, del));
}

int sqlite3_bind_null(void *stmt, int i);
int sqlite3_bind_null(void *stmt, int i)
{
    BIND_FAULT(stmt);
    CALL(int, NEXT("sqlite3_bind_null", int (*)(void *, int))(stmt, i));
}

/* What went wrong, as SQLite would say it, until the connection's next call. */
const char *sqlite3_errmsg(void *db);
const char *sqlite3_errmsg(void *db)
{
    if (injected_db && injected_db == db)
        return injected_code == SQLITE_NOMEM_ ? "out of memory" : "disk I/O error";
    return NEXT("sqlite3_errmsg", const char *(*)(void *))(db);
}

int sqlite3_extended_errcode(void *db);
int sqlite3_extended_errcode(void *db)
{
    if (injected_db && injected_db == db)
        return injected_code;
    return NEXT("sqlite3_extended_errcode", int (*)(void *))(db);
}

#ifdef FAULT_ALLOC
/* Allocations: the Nth (and only it: a program may recover from one failure) fails. */
static int alloc_fails(void)
{
    if (!alloc_mode || !armed)
        return 0;
    if (++seen != fail_at)
        return 0;
    if (getenv("KANAL_FAULT_TRACE")) {
        /* where it failed, for whoever debugs a finding (backtrace allocates: not again) */
        armed = 0;
        void *frames[32];
        int n = backtrace(frames, 32);
        backtrace_symbols_fd(frames, n, 2);
        armed = 1;
    }
    return 1;
}

/* The allocator after this one (libc's, or the sanitizer's), found on first use;
   while dlsym looks for it, allocations come from a small static block. */
static void *(*next_malloc)(size_t);
static void *(*next_calloc)(size_t, size_t);
static void *(*next_realloc)(void *, size_t);
static void (*next_free)(void *);
static char boot[16384];
static size_t boot_used;
static int resolving;

static void *boot_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (boot_used + n > sizeof boot)
        return NULL;
    void *p = boot + boot_used;
    boot_used += n;
    return p;
}

static int in_boot(const void *p)
{
    return (const char *)p >= boot && (const char *)p < boot + sizeof boot;
}

static void resolve(void)
{
    if (next_malloc || resolving)
        return;
    resolving = 1;
    next_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    next_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    next_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    next_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    resolving = 0;
}

void *malloc(size_t n)
{
    resolve();
    if (!next_malloc)
        return boot_alloc(n);
    if (alloc_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return next_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    resolve();
    if (!next_calloc) {
        void *p = boot_alloc(n * size);
        if (p)
            memset(p, 0, n * size);
        return p;
    }
    if (alloc_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return next_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    resolve();
    if (in_boot(p)) {
        void *q = malloc(n);
        if (q)
            memcpy(q, p, n); /* the boot block is large enough to read n from */
        return q;
    }
    if (alloc_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return next_realloc(p, n);
}

void free(void *p)
{
    if (!p || in_boot(p))
        return;
    resolve();
    if (next_free)
        next_free(p);
}
#endif /* FAULT_ALLOC */
