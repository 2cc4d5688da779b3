/*
** diag.h — positioned diagnostics, for checks that report every problem they
** find rather than the first (the workflow checker, importers).
*/
#ifndef KANAL_DIAG_H
#define KANAL_DIAG_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kanal_diag {
    char *file;    /* as the caller named it */
    int line;      /* 1-based; 0 when the problem concerns the whole file */
    int column;    /* 1-based; 0 when unknown */
    char *message; /* lowercase, no full stop */
} kanal_diag;

typedef struct kanal_diags {
    kanal_diag *items;
    size_t count;
    size_t cap;
    bool oom; /* a diagnostic could not be recorded: treat the input as invalid */
    size_t limit;   /* when not 0: items past it are counted in `dropped`, not kept */
    size_t dropped;
} kanal_diags;

void kanal_diags_init(kanal_diags *d);
void kanal_diags_release(kanal_diags *d);
/* Records a diagnostic (copies file and message). */
void kanal_diags_add(kanal_diags *d, const char *file, int line, int column,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Sorts the items from index `from` on by line then column, keeping the
   order of equal positions. */
void kanal_diags_sort(kanal_diags *d, size_t from);
/* True when anything was recorded, or recording failed. */
bool kanal_diags_any(const kanal_diags *d);
/* True when the limit is reached: more diagnostics would only be counted. */
bool kanal_diags_full(const kanal_diags *d);

#endif
