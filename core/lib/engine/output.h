/*
** output.h — files written for the user, safely (see output.c).
*/
#ifndef KANAL_OUTPUT_H
#define KANAL_OUTPUT_H

#include "engine/engine.h"

/* A file being written: the bytes go to `tmp`, renamed to `path` on commit. */
typedef struct kanal_output_file {
    char *path; /* as the user named it, for messages */
    char *dest; /* where it goes: a symbolic link's target */
    char *tmp;
    int fd;
} kanal_output_file;

/*
** Refuses (KANAL_EUSAGE) a path that is the database, its -wal, -shm or
** -journal, the input (may be NULL), a directory, a device, pipe or
** socket, a read-only file, or a file this process has open.
*/
int engine_output_check(kanal *k, const char *path, const char *input, kanal_error *err);

/* Checks path, then creates the temporary file beside it. */
int engine_output_begin(kanal *k, const char *path, const char *input, kanal_output_file *o,
                        kanal_error *err);
int engine_output_write(kanal_output_file *o, const void *data, size_t len, kanal_error *err);
/* Makes the file durable and renames it into place; on failure removes it. */
int engine_output_commit(kanal_output_file *o, kanal_error *err);
/* Removes the temporary file: the target stays as it was. */
void engine_output_abort(kanal_output_file *o);

#endif
