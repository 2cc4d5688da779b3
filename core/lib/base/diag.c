/*
** diag.c — lists of positioned diagnostics.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

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
    if (kanal_diags_full(d)) {
        d->dropped++;
        return;
    }
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

static int by_position(const kanal_diag *x, const kanal_diag *y)
{
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return 0;
}

void kanal_diags_sort(kanal_diags *d, size_t from)
{
    /* A merge sort: stable (equal positions keep their order), and never
       quadratic, whatever order a check reported its problems in. */
    size_t n = d->count - from;
    if (n < 2)
        return;
    kanal_diag *a = d->items + from, *tmp = malloc(n * sizeof *tmp);
    if (!tmp) {
        d->oom = true;
        return;
    }
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = by_position(&a[j], &a[i]) < 0 ? a[j++] : a[i++];
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        memcpy(a, tmp, n * sizeof *tmp);
    }
    free(tmp);
}

bool kanal_diags_any(const kanal_diags *d)
{
    return d->count > 0 || d->oom || d->dropped > 0;
}

bool kanal_diags_full(const kanal_diags *d)
{
    return d->limit && d->count >= d->limit;
}
