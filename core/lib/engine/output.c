/*
** output.c — files Kanal writes for the user (an export's -o, an import's
** rejects), written so that nothing is ever lost by them:
**   - a path that is the database, its -wal, -shm or -journal, the input
**     being read, or any file the process has open is refused, compared by
**     device and inode (a link to the database is the database) and, for a
**     file that does not exist yet, by name;
**   - the bytes go to a temporary file beside the target, renamed over it
**     only when complete: an interrupted or failed write leaves the old
**     file as it was.
*/
#define _XOPEN_SOURCE 700 /* realpath */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/output.h"

/* The absolute name of path, whose file need not exist (its folder must). */
static char *absolute(const char *path)
{
    char *real = realpath(path, NULL);
    if (real)
        return real;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : kanal_strdup(".");
    char *rdir = dir ? realpath(dir, NULL) : NULL;
    char *out = NULL;
    if (rdir) {
        kanal_buf b = KANAL_BUF_INIT;
        kanal_buf_printf(&b, "%s%s%s", rdir, strcmp(rdir, "/") ? "/" : "",
                         slash ? slash + 1 : path);
        out = kanal_buf_detach(&b);
    }
    free(rdir);
    free(dir);
    return out;
}

static bool same_file(const struct stat *a, const char *path)
{
    struct stat b;
    return path && stat(path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

/* Whether a descriptor of this process refers to the file st. */
static bool held_open(const struct stat *st)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return false;
    bool held = false;
    int self = dirfd(d);
    struct dirent *e;
    while (!held && (e = readdir(d))) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        struct stat f;
        if (*end || end == e->d_name || fd == self || fstat((int)fd, &f) != 0)
            continue;
        held = f.st_dev == st->st_dev && f.st_ino == st->st_ino;
    }
    closedir(d);
    return held;
}

int engine_output_check(kanal *k, const char *path, const char *input, kanal_error *err)
{
    if (!path || !path[0])
        return kanal_error_set(err, KANAL_EUSAGE, "no file named to write to");
    char *target = absolute(path);
    if (!target)
        return kanal_error_set(err, KANAL_ESTORAGE, "cannot write '%s': %s", path,
                               errno == ENOENT || errno == ENOTDIR ? "its folder does not exist"
                                                                   : strerror(errno));
    const char *db = store_path(k->store);
    const char *what = NULL;
    struct stat st;
    bool exists = stat(target, &st) == 0;
    static const char *const beside[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; db && !what && i < KANAL_ARRAY_LEN(beside); i++) {
        kanal_buf b = KANAL_BUF_INIT;
        kanal_buf_printf(&b, "%s%s", db, beside[i]);
        if (!b.oom && (strcmp(b.data, target) == 0 || (exists && same_file(&st, b.data))))
            what = "it is the database";
        kanal_buf_release(&b);
    }
    if (!what && input) {
        char *in = absolute(input);
        if ((in && strcmp(in, target) == 0) || (exists && same_file(&st, input)))
            what = "it is the input file";
        free(in);
    }
    if (!what && exists && S_ISDIR(st.st_mode))
        what = "it is a directory";
    if (!what && exists && !S_ISREG(st.st_mode))
        what = "it is not a regular file (a device, a pipe or a socket)";
    /* by its mode too: root may write anything, but a file no one may write
       was made read-only on purpose */
    if (!what && exists && (!(st.st_mode & 0222) || (access(target, W_OK) != 0 && errno == EACCES)))
        what = "it is read-only (make it writable, or name another file)";
    if (!what && exists && held_open(&st))
        what = "it is a file kanal has open";
    free(target);
    if (what)
        return kanal_error_set(err, KANAL_EUSAGE, "refusing to write to '%s': %s", path, what);
    return KANAL_OK;
}

int engine_output_begin(kanal *k, const char *path, const char *input, kanal_output_file *o,
                        kanal_error *err)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    int rc = engine_output_check(k, path, input, err);
    if (rc)
        return rc;
    struct stat st;
    bool exists = stat(path, &st) == 0;
    /* a symbolic link is written through: the file it leads to is replaced,
       the link stays */
    char *real = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        if (!exists)
            return kanal_error_set(err, KANAL_EUSAGE,
                                   "refusing to write to '%s': it is a symbolic link to a "
                                   "file that does not exist",
                                   path);
        if (!(real = realpath(path, NULL)))
            return kanal_error_set(err, KANAL_ESTORAGE, "cannot write '%s': %s", path,
                                   strerror(errno));
    }
    if (exists)
        stat(path, &st);
    const char *dest = real ? real : path;
    const char *slash = strrchr(dest, '/');
    size_t dir_len = slash ? (size_t)(slash - dest) + 1 : 0;
    /* a long name gets a short temporary one: both must fit a folder entry */
    bool short_tmp = strlen(dest + dir_len) > 200;
    /* what a killed command left beside it goes; then a name no one else uses, in the
       same folder, so that rename is atomic */
    kanal_sweep_leftovers(dest, ".kanal-");
    for (unsigned attempt = 0; attempt < 100; attempt++) {
        kanal_buf b = KANAL_BUF_INIT;
        kanal_buf_printf(&b, "%.*s.%s.kanal-%ld-%u", (int)dir_len, dest,
                         short_tmp ? "" : dest + dir_len, (long)getpid(), attempt);
        if (b.oom) {
            kanal_buf_release(&b);
            free(real);
            return kanal_error_nomem(err);
        }
        o->fd = open(b.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (o->fd >= 0) {
            o->tmp = kanal_buf_detach(&b);
            break;
        }
        int e = errno;
        kanal_buf_release(&b);
        if (e != EEXIST) {
            free(real);
            return kanal_error_set(err, KANAL_ESTORAGE, "cannot write '%s': %s", path,
                                   e == EACCES ? "its folder is read-only" : strerror(e));
        }
    }
    if (o->fd < 0) {
        free(real);
        return kanal_error_set(err, KANAL_ESTORAGE, "cannot write '%s': no free temporary name",
                               path);
    }
    o->path = kanal_strdup(path);
    o->dest = real ? real : kanal_strdup(path);
    if (!o->path || !o->dest) {
        engine_output_abort(o);
        return kanal_error_nomem(err);
    }
    if (exists)
        (void)fchmod(o->fd, st.st_mode & 07777); /* a replaced file keeps its mode */
    return KANAL_OK;
}

/* A write error in words: a full disk and a file-size limit say what to do. */
static int write_fail(const kanal_output_file *o, int e, kanal_error *err)
{
    if (e == ENOSPC || e == EFBIG || e == EDQUOT)
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "cannot write '%s': %s (free some space, or raise the limit); "
                               "nothing was written there",
                               o->path, e == ENOSPC ? "the disk is full"
                                        : e == EFBIG ? "the file size limit is reached"
                                                     : "the disk quota is exceeded");
    return kanal_error_set(err, KANAL_ESTORAGE, "cannot write '%s': %s", o->path, strerror(e));
}

int engine_output_write(kanal_output_file *o, const void *data, size_t len, kanal_error *err)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(o->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return write_fail(o, n < 0 ? errno : ENOSPC, err);
        p += n;
        len -= (size_t)n;
    }
    return KANAL_OK;
}

int engine_output_commit(kanal_output_file *o, kanal_error *err)
{
    int rc = KANAL_OK;
    if (fsync(o->fd) != 0)
        rc = write_fail(o, errno, err);
    if (close(o->fd) != 0 && !rc)
        rc = write_fail(o, errno, err);
    o->fd = -1;
    if (!rc && rename(o->tmp, o->dest) != 0)
        rc = kanal_error_set(err, KANAL_ESTORAGE, "cannot write '%s': %s", o->path,
                             strerror(errno));
    if (rc)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    free(o->dest);
    o->tmp = o->path = o->dest = NULL;
    return rc;
}

void engine_output_abort(kanal_output_file *o)
{
    if (o->fd >= 0)
        close(o->fd);
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    free(o->dest);
    o->fd = -1;
    o->tmp = o->path = o->dest = NULL;
}

int kanal_output_write(kanal *k, const char *path, const void *data, size_t len, kanal_error *err)
{
    kanal_output_file o;
    int rc = engine_output_begin(k, path, NULL, &o, err);
    if (rc)
        return rc;
    if ((rc = engine_output_write(&o, data, len, err))) {
        engine_output_abort(&o);
        return rc;
    }
    return engine_output_commit(&o, err);
}
