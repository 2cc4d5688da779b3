/*
** diag.c — lists of positioned diagnostics.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void kanal_diags_init(kanal_diags *d)
{
    memset(d, 0, sizeof *d);
}

void kanal_diags_release(kanal_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        free(d->items[i].file);
        free(d->items[i].message);
    }
    free(d->items);
    kanal_diags_init(d);
}

void kanal_diags_add(kanal_diags *d, const char *file, int line, int column,
                     const char *fmt, ...)
{
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        kanal_diag *p = realloc(d->items, cap * sizeof *p);
        if (!p) {
            d->oom = true;
            return;
        }
        d->items = p;
        d->cap = cap;
    }
    kanal_buf msg = KANAL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    char small[1024];
    vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    kanal_buf_puts(&msg, small);
    char *m = kanal_buf_detach(&msg);
    char *f = kanal_strdup(file ? file : "");
    if (!m || !f) {
        free(m);
        free(f);
        d->oom = true;
        return;
    }
    d->items[d->count++] = (kanal_diag){ f, line, column, m };
}

static int by_position(const void *a, const void *b)
{
    const kanal_diag *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return 0;
}

void kanal_diags_sort(kanal_diags *d, size_t from)
{
    /* Insertion sort: stable, and linear on the (usual) sorted input. */
    for (size_t i = from + 1; i < d->count; i++) {
        kanal_diag t = d->items[i];
        size_t j = i;
        while (j > from && by_position(&d->items[j - 1], &t) > 0) {
            d->items[j] = d->items[j - 1];
            j--;
        }
        d->items[j] = t;
    }
}

bool kanal_diags_any(const kanal_diags *d)
{
    return d->count > 0 || d->oom;
}
