/*
** fault.c — a fault injector for the reliability tests, loaded with
** LD_PRELOAD into kanal: KANAL_FAULT=write:N makes the Nth write or sync of a
** database file (NAME.db, -wal, -journal) fail with EIO, as a failing disk
** would; every later one fails too (a disk that failed stays failed).
** KANAL_FAULT=alloc:N makes the Nth allocation (malloc, calloc, realloc)
** from the opening of the database on fail, and only it. KANAL_FAULT_COUNT=FILE
** writes how many writes and syncs (or allocations) the process made, so that
** a test knows the N worth trying; KANAL_FAULT_TRACE prints where an
** allocation failed. Only for tests: it is never linked into kanal, and the
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
static long seen;
static int alloc_mode; /* KANAL_FAULT=alloc:N: the Nth allocation fails, counted from the
                          opening of the database (before it, glibc's own lookups of the
                          login, which do not survive a failed allocation, would be hit) */
static int armed;

__attribute__((constructor)) static void fault_init(void)
{
    const char *f = getenv("KANAL_FAULT");
    if (f && strncmp(f, "write:", 6) == 0)
        fail_at = strtol(f + 6, NULL, 10);
    if (f && strncmp(f, "alloc:", 6) == 0) {
        fail_at = strtol(f + 6, NULL, 10);
        alloc_mode = 1;
    }
    armed = !alloc_mode;
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

/* Counts a write or sync of a database file; true when it must fail. */
static int must_fail(int fd)
{
    if (alloc_mode || !is_db(fd))
        return 0;
    seen++;
    return fail_at > 0 && seen >= fail_at;
}

#define NEXT(name, type) ((type)dlsym(RTLD_NEXT, name))

ssize_t write(int fd, const void *buf, size_t n)
{
    if (must_fail(fd)) {
        errno = EIO;
        return -1;
    }
    return NEXT("write", ssize_t(*)(int, const void *, size_t))(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (must_fail(fd)) {
        errno = EIO;
        return -1;
    }
    return NEXT("pwrite", ssize_t(*)(int, const void *, size_t, off_t))(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    if (must_fail(fd)) {
        errno = EIO;
        return -1;
    }
    return NEXT("pwrite64", ssize_t(*)(int, const void *, size_t, off_t))(fd, buf, n, off);
}

int fsync(int fd)
{
    if (must_fail(fd)) {
        errno = EIO;
        return -1;
    }
    return NEXT("fsync", int (*)(int))(fd);
}

int fdatasync(int fd)
{
    if (must_fail(fd)) {
        errno = EIO;
        return -1;
    }
    return NEXT("fdatasync", int (*)(int))(fd);
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
