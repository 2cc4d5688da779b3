/*
** json.h — a small streaming JSON writer over a kanal_buf.
**
** Commas and nesting are handled by the writer: call key() before each value
** inside an object. Strings are escaped (control characters, quotes,
** backslashes); invalid UTF-8 is replaced by U+FFFD so the output is always
** valid JSON.
*/
#ifndef KANAL_JSON_H
#define KANAL_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

#define KANAL_JSON_MAX_DEPTH 64

typedef struct kanal_json {
    kanal_buf *out;                      /* borrowed */
    int depth;
    bool first[KANAL_JSON_MAX_DEPTH];    /* no value yet at this depth */
    bool after_key;
} kanal_json;

void kanal_json_init(kanal_json *j, kanal_buf *out);
void kanal_json_object(kanal_json *j);
void kanal_json_end_object(kanal_json *j);
void kanal_json_array(kanal_json *j);
void kanal_json_end_array(kanal_json *j);
void kanal_json_key(kanal_json *j, const char *key);
void kanal_json_str(kanal_json *j, const char *s);       /* NULL writes null */
void kanal_json_int(kanal_json *j, int64_t v);
void kanal_json_num(kanal_json *j, double v);            /* non-finite writes null */
void kanal_json_bool(kanal_json *j, bool v);
void kanal_json_null(kanal_json *j);
/* Writes text that already is JSON (from the store), as one value. */
void kanal_json_raw(kanal_json *j, const char *json);

/* Appends s to b as a JSON string literal, quotes included. */
void kanal_json_escape(kanal_buf *b, const char *s);

#endif
