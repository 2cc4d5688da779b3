/*
** table.h — the result of every list and report: a title, typed columns,
** rows, and the filters that produced it. The CLI renders it as an aligned
** table or as JSON; output-format plugins render it however they like.
**
** Cells are kept as text in a canonical form for their column's type (an
** integer "42", a number "12.5", a boolean "true", a time
** "2026-03-01T10:00:00Z", a list as its items joined by "\n") or NULL.
*/
#ifndef KANAL_TABLE_H
#define KANAL_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

typedef enum kanal_type {
    KANAL_TYPE_TEXT,
    KANAL_TYPE_INT,
    KANAL_TYPE_NUMBER,
    KANAL_TYPE_BOOL,
    KANAL_TYPE_TIME,
    KANAL_TYPE_LIST
} kanal_type;

typedef struct kanal_table kanal_table;

/* A new empty table; `name` is its JSON key ("partners"). Caller frees. */
int kanal_table_new(kanal_table **out, const char *name, const char *title, kanal_error *err);
void kanal_table_free(kanal_table *t);

/* Adds a column (before the first row); `label` heads it in human output. */
int kanal_table_add_column(kanal_table *t, const char *name, kanal_type type,
                           const char *label);
/* Records a filter that produced the table ("owner" = "marcin"). */
int kanal_table_add_filter(kanal_table *t, const char *name, const char *value);
/*
** Attaches another table to t under a role ("display", "comparison", "report"):
** what goes with it, for the formats that draw more than rows (a chart's
** table for people, a dashboard's reports). Borrowed: `part` must outlive t.
*/
int kanal_table_attach(kanal_table *t, const char *role, const kanal_table *part);
/* A sentence for people that goes with the table (copied). */
int kanal_table_add_note(kanal_table *t, const char *text);
/* Starts a new row with every cell NULL. */
int kanal_table_add_row(kanal_table *t);
/* Sets a cell of the last row (copied); NULL for none. */
int kanal_table_set(kanal_table *t, size_t column, const char *value);
int kanal_table_set_int(kanal_table *t, size_t column, int64_t value);
int kanal_table_set_number(kanal_table *t, size_t column, double value);
int kanal_table_set_bool(kanal_table *t, size_t column, int value);
/* The index of the column named `name`, or -1. */
int kanal_table_column_index(const kanal_table *t, const char *name);

const char *kanal_table_name(const kanal_table *t);
const char *kanal_table_title(const kanal_table *t);
size_t kanal_table_columns(const kanal_table *t);
const char *kanal_table_column_name(const kanal_table *t, size_t column);
const char *kanal_table_column_label(const kanal_table *t, size_t column);
kanal_type kanal_table_column_type(const kanal_table *t, size_t column);
size_t kanal_table_rows(const kanal_table *t);
/* Borrowed, valid until the table is freed; NULL for an empty cell. */
const char *kanal_table_cell(const kanal_table *t, size_t row, size_t column);
size_t kanal_table_filters(const kanal_table *t);
const char *kanal_table_filter_name(const kanal_table *t, size_t i);
const char *kanal_table_filter_value(const kanal_table *t, size_t i);
size_t kanal_table_parts(const kanal_table *t);
/* The i-th attached table and its role (may be NULL); NULL past the end. */
const kanal_table *kanal_table_part(const kanal_table *t, size_t i, const char **role);
size_t kanal_table_notes(const kanal_table *t);
const char *kanal_table_note(const kanal_table *t, size_t i);

/* {"NAME":[{"COLUMN":VALUE,...},...]} and a newline. */
void kanal_table_render_json(const kanal_table *t, kanal_buf *out);
/* The rows as a JSON array of objects, written into j; columns named "a.b"
   side by side become the key b of an object a ("activities.call"). */
struct kanal_json;
void kanal_table_json_rows(const kanal_table *t, struct kanal_json *j);
/* Aligned columns under a header; "no NAME" when there are no rows. */
void kanal_table_render_text(const kanal_table *t, kanal_buf *out);

#endif
