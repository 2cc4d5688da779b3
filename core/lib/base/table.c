/*
** table.c — kanal_table and its two built-in renderers.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "kanal/text.h"
#include "kanal/json.h"
#include "kanal/table.h"

typedef struct column {
    char *name, *label;
    kanal_type type;
} table_column;

struct kanal_table {
    kanal_arena *arena;
    char *name, *title;
    table_column *cols;
    size_t n_cols, cap_cols;
    const char **cells; /* n_rows * n_cols */
    size_t n_rows, cap_rows;
    char **filters;     /* name, value pairs */
    size_t n_filters, cap_filters;
    struct table_part {
        const char *role;
        const kanal_table *table;
    } * parts; /* borrowed */
    size_t n_parts, cap_parts;
    const char **notes;
    size_t n_notes, cap_notes;
};

int kanal_table_new(kanal_table **out, const char *name, const char *title, kanal_error *err)
{
    kanal_table *t = calloc(1, sizeof *t);
    if (!t || !(t->arena = kanal_arena_new()))
        goto oom;
    t->name = kanal_arena_strdup(t->arena, name);
    t->title = kanal_arena_strdup(t->arena, title ? title : name);
    if (!t->name || !t->title)
        goto oom;
    *out = t;
    return KANAL_OK;
oom:
    kanal_table_free(t);
    return kanal_error_nomem(err);
}

void kanal_table_free(kanal_table *t)
{
    if (!t)
        return;
    kanal_arena_free(t->arena);
    free(t->cols);
    free(t->cells);
    free(t->filters);
    free(t->parts);
    free(t->notes);
    free(t);
}

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 16;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (!q)
        return false;
    *p = q;
    *cap = c;
    return true;
}

int kanal_table_add_column(kanal_table *t, const char *name, kanal_type type,
                           const char *label)
{
    if (t->n_rows || !grow((void **)&t->cols, &t->cap_cols, t->n_cols + 1, sizeof *t->cols))
        return KANAL_ENOMEM;
    table_column *c = &t->cols[t->n_cols];
    c->name = kanal_arena_strdup(t->arena, name);
    c->label = kanal_arena_strdup(t->arena, label ? label : name);
    c->type = type;
    if (!c->name || !c->label)
        return KANAL_ENOMEM;
    t->n_cols++;
    return KANAL_OK;
}

int kanal_table_add_filter(kanal_table *t, const char *name, const char *value)
{
    if (!grow((void **)&t->filters, &t->cap_filters, 2 * (t->n_filters + 1),
              sizeof *t->filters))
        return KANAL_ENOMEM;
    char *n = kanal_arena_strdup(t->arena, name), *v = kanal_arena_strdup(t->arena, value);
    if (!n || !v)
        return KANAL_ENOMEM;
    t->filters[2 * t->n_filters] = n;
    t->filters[2 * t->n_filters + 1] = v;
    t->n_filters++;
    return KANAL_OK;
}

int kanal_table_attach(kanal_table *t, const char *role, const kanal_table *part)
{
    if (!grow((void **)&t->parts, &t->cap_parts, t->n_parts + 1, sizeof *t->parts))
        return KANAL_ENOMEM;
    const char *r = kanal_arena_strdup(t->arena, role);
    if (!r)
        return KANAL_ENOMEM;
    t->parts[t->n_parts++] = (struct table_part){ r, part };
    return KANAL_OK;
}

int kanal_table_add_note(kanal_table *t, const char *text)
{
    if (!grow((void **)&t->notes, &t->cap_notes, t->n_notes + 1, sizeof *t->notes))
        return KANAL_ENOMEM;
    const char *n = kanal_arena_strdup(t->arena, text);
    if (!n)
        return KANAL_ENOMEM;
    t->notes[t->n_notes++] = n;
    return KANAL_OK;
}

int kanal_table_add_row(kanal_table *t)
{
    size_t need = (t->n_rows + 1) * t->n_cols;
    if (!grow((void **)&t->cells, &t->cap_rows, need ? need : 1, sizeof *t->cells))
        return KANAL_ENOMEM;
    for (size_t c = 0; c < t->n_cols; c++)
        t->cells[t->n_rows * t->n_cols + c] = NULL;
    t->n_rows++;
    return KANAL_OK;
}

int kanal_table_set(kanal_table *t, size_t column, const char *value)
{
    if (!t->n_rows || column >= t->n_cols)
        return KANAL_EUSAGE;
    const char *v = NULL;
    if (value && !(v = kanal_arena_strdup(t->arena, value)))
        return KANAL_ENOMEM;
    t->cells[(t->n_rows - 1) * t->n_cols + column] = v;
    return KANAL_OK;
}

int kanal_table_set_int(kanal_table *t, size_t column, int64_t value)
{
    char s[32];
    snprintf(s, sizeof s, "%lld", (long long)value);
    return kanal_table_set(t, column, s);
}

int kanal_table_set_number(kanal_table *t, size_t column, double value)
{
    char s[64];
    snprintf(s, sizeof s, "%.15g", value);
    return kanal_table_set(t, column, s);
}

int kanal_table_set_bool(kanal_table *t, size_t column, int value)
{
    return kanal_table_set(t, column, value ? "true" : "false");
}

int kanal_table_column_index(const kanal_table *t, const char *name)
{
    for (size_t i = 0; i < t->n_cols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

const char *kanal_table_name(const kanal_table *t) { return t->name; }
size_t kanal_table_parts(const kanal_table *t)
{
    return t->n_parts;
}

const kanal_table *kanal_table_part(const kanal_table *t, size_t i, const char **role)
{
    if (i >= t->n_parts)
        return NULL;
    if (role)
        *role = t->parts[i].role;
    return t->parts[i].table;
}

size_t kanal_table_notes(const kanal_table *t)
{
    return t->n_notes;
}
const char *kanal_table_note(const kanal_table *t, size_t i)
{
    return i < t->n_notes ? t->notes[i] : NULL;
}
const char *kanal_table_title(const kanal_table *t) { return t->title; }
size_t kanal_table_columns(const kanal_table *t) { return t->n_cols; }
size_t kanal_table_rows(const kanal_table *t) { return t->n_rows; }
size_t kanal_table_filters(const kanal_table *t) { return t->n_filters; }

const char *kanal_table_column_name(const kanal_table *t, size_t c)
{
    return c < t->n_cols ? t->cols[c].name : NULL;
}

const char *kanal_table_column_label(const kanal_table *t, size_t c)
{
    return c < t->n_cols ? t->cols[c].label : NULL;
}

kanal_type kanal_table_column_type(const kanal_table *t, size_t c)
{
    return c < t->n_cols ? t->cols[c].type : KANAL_TYPE_TEXT;
}

const char *kanal_table_cell(const kanal_table *t, size_t row, size_t column)
{
    if (row >= t->n_rows || column >= t->n_cols)
        return NULL;
    return t->cells[row * t->n_cols + column];
}

const char *kanal_table_filter_name(const kanal_table *t, size_t i)
{
    return i < t->n_filters ? t->filters[2 * i] : NULL;
}

const char *kanal_table_filter_value(const kanal_table *t, size_t i)
{
    return i < t->n_filters ? t->filters[2 * i + 1] : NULL;
}

/* ---- renderers ------------------------------------------------------------ */

static void json_cell(kanal_json *j, kanal_type type, const char *v)
{
    if (!v) {
        if (type == KANAL_TYPE_LIST) {
            kanal_json_array(j);
            kanal_json_end_array(j);
        } else {
            kanal_json_null(j);
        }
        return;
    }
    switch (type) {
    case KANAL_TYPE_INT:
    case KANAL_TYPE_NUMBER:
        kanal_json_raw(j, v);
        break;
    case KANAL_TYPE_BOOL:
        kanal_json_bool(j, strcmp(v, "true") == 0);
        break;
    case KANAL_TYPE_LIST:
        kanal_json_array(j);
        for (const char *p = v; *p;) {
            size_t n = strcspn(p, "\n");
            kanal_buf item = KANAL_BUF_INIT;
            kanal_buf_add(&item, p, n);
            kanal_json_str(j, kanal_buf_cstr(&item));
            if (item.oom)
                j->out->oom = true;
            kanal_buf_release(&item);
            p += n;
            if (*p)
                p++;
        }
        kanal_json_end_array(j);
        break;
    default:
        kanal_json_str(j, v);
    }
}

void kanal_table_render_json(const kanal_table *t, kanal_buf *out)
{
    kanal_json j;
    kanal_json_init(&j, out);
    kanal_json_object(&j);
    kanal_json_key(&j, t->name);
    kanal_json_array(&j);
    for (size_t r = 0; r < t->n_rows; r++) {
        kanal_json_object(&j);
        for (size_t c = 0; c < t->n_cols; c++) {
            kanal_json_key(&j, t->cols[c].name);
            json_cell(&j, t->cols[c].type, kanal_table_cell(t, r, c));
        }
        kanal_json_end_object(&j);
    }
    kanal_json_end_array(&j);
    kanal_json_end_object(&j);
    kanal_buf_putc(out, '\n');
}

void kanal_table_json_rows(const kanal_table *t, kanal_json *j)
{
    kanal_json_array(j);
    for (size_t r = 0; r < t->n_rows; r++) {
        kanal_json_object(j);
        const char *open = NULL; /* the object "a" of columns "a.b" being written */
        size_t open_len = 0;
        for (size_t c = 0; c < t->n_cols; c++) {
            const char *name = t->cols[c].name, *dot = strchr(name, '.');
            size_t len = dot ? (size_t)(dot - name) : 0;
            if (open && !(dot && len == open_len && strncmp(name, open, len) == 0)) {
                kanal_json_end_object(j);
                open = NULL;
            }
            if (dot && !open) {
                kanal_buf key = KANAL_BUF_INIT;
                kanal_buf_add(&key, name, len);
                kanal_json_key(j, kanal_buf_cstr(&key));
                if (key.oom)
                    j->out->oom = true;
                kanal_buf_release(&key);
                kanal_json_object(j);
                open = name, open_len = len;
            }
            kanal_json_key(j, dot ? dot + 1 : name);
            json_cell(j, t->cols[c].type, kanal_table_cell(t, r, c));
        }
        if (open)
            kanal_json_end_object(j);
        kanal_json_end_object(j);
    }
    kanal_json_end_array(j);
}

/* The text of a cell as people read it (lists joined with ", "). */
static void text_cell(kanal_buf *b, const kanal_table *t, size_t r, size_t c)
{
    const char *v = kanal_table_cell(t, r, c);
    if (!v) {
        kanal_buf_puts(b, "-");
        return;
    }
    kanal_type type = t->cols[c].type;
    if (type == KANAL_TYPE_TIME && strlen(v) == 20) {
        /* "2026-03-01 10:00": seconds and zone add nothing at a glance */
        kanal_buf_printf(b, "%.10s %.5s", v, v + 11);
        return;
    }
    if (type != KANAL_TYPE_LIST) {
        kanal_buf_put_visible(b, v); /* a terminal shows control bytes, never obeys them */
        return;
    }
    for (const char *p = v; *p;) {
        size_t n = strcspn(p, "\n");
        char *item = strndup(p, n);
        if (!item) {
            b->oom = true;
            return;
        }
        if (p != v)
            kanal_buf_puts(b, ", ");
        kanal_buf_put_visible(b, item);
        free(item);
        p += n;
        if (*p)
            p++;
    }
}

void kanal_table_render_text(const kanal_table *t, kanal_buf *out)
{
    if (t->n_rows == 0) {
        kanal_buf_printf(out, "no %s\n", t->name);
        return;
    }
    size_t *width = calloc(t->n_cols ? t->n_cols : 1, sizeof *width);
    kanal_buf cell = KANAL_BUF_INIT;
    if (!width) {
        out->oom = true;
        return;
    }
    for (size_t c = 0; c < t->n_cols; c++)
        width[c] = kanal_utf8_chars(t->cols[c].label, strlen(t->cols[c].label));
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            kanal_buf_reset(&cell);
            text_cell(&cell, t, r, c);
            size_t w = kanal_utf8_chars(kanal_buf_cstr(&cell), cell.len);
            if (w > width[c])
                width[c] = w;
        }
    }
    for (size_t r = 0; r <= t->n_rows; r++) {
        kanal_buf line = KANAL_BUF_INIT;
        for (size_t c = 0; c < t->n_cols; c++) {
            kanal_buf_reset(&cell);
            if (r == 0) {
                for (const char *p = t->cols[c].label; *p; p++)
                    kanal_buf_putc(&cell, (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) : *p);
            } else {
                text_cell(&cell, t, r - 1, c);
            }
            size_t w = kanal_utf8_chars(kanal_buf_cstr(&cell), cell.len);
            bool right = t->cols[c].type == KANAL_TYPE_INT ||
                         t->cols[c].type == KANAL_TYPE_NUMBER;
            bool last = c + 1 == t->n_cols;
            if (right)
                for (size_t k = w; k < width[c]; k++)
                    kanal_buf_putc(&line, ' ');
            kanal_buf_add(&line, kanal_buf_cstr(&cell), cell.len);
            if (!right && !last)
                for (size_t k = w; k < width[c]; k++)
                    kanal_buf_putc(&line, ' ');
            if (!last)
                kanal_buf_puts(&line, "  ");
        }
        /* no trailing blanks */
        while (line.len && line.data[line.len - 1] == ' ')
            line.len--;
        kanal_buf_add(out, line.data ? line.data : "", line.len);
        kanal_buf_putc(out, '\n');
        if (line.oom)
            out->oom = true;
        kanal_buf_release(&line);
    }
    kanal_buf_release(&cell);
    free(width);
}
