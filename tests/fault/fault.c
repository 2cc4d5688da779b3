/*
** fault.c — a fault injector for the reliability tests, loaded with
** LD_PRELOAD into kanal: KANAL_FAULT=write:N makes the Nth write or sync of a
** database file (NAME.db, -wal, -journal) fail with EIO, as a failing disk
** would; every later one fails too (a disk that failed stays failed).
** KANAL_FAULT_COUNT=FILE writes how many such writes and syncs the process
** made, so that a test knows the N worth trying. Only for tests: it is never
** linked into kanal.
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static long fail_at = -1; /* -1: never */
static long seen;

__attribute__((constructor)) static void fault_init(void)
{
    const char *f = getenv("KANAL_FAULT");
    if (f && strncmp(f, "write:", 6) == 0)
        fail_at = strtol(f + 6, NULL, 10);
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
    if (!is_db(fd))
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
    return NEXT("write", ssize_t (*)(int, const void *, size_t))(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (must_fail(fd)) {
        errno = EIO;
        return -1;
    }
    return NEXT("pwrite", ssize_t (*)(int, const void *, size_t, off_t))(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    if (must_fail(fd)) {
        errno = EIO;
        return -1;
    }
    return NEXT("pwrite64", ssize_t (*)(int, const void *, size_t, off_t))(fd, buf, n, off);
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
