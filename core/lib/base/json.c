/*
** json.c — the streaming JSON writer.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "kanal/json.h"

void kanal_json_init(kanal_json *j, kanal_buf *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->first[0] = true;
}

/* Writes the comma a new value needs, if any. */
static void sep(kanal_json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (!j->first[j->depth])
        kanal_buf_putc(j->out, ',');
    j->first[j->depth] = false;
}

static void json_open(kanal_json *j, char c)
{
    sep(j);
    kanal_buf_putc(j->out, c);
    if (j->depth < KANAL_JSON_MAX_DEPTH - 1)
        j->depth++;
    j->first[j->depth] = true;
}

static void json_close(kanal_json *j, char c)
{
    kanal_buf_putc(j->out, c);
    if (j->depth > 0)
        j->depth--;
}

void kanal_json_object(kanal_json *j) { json_open(j, '{'); }
void kanal_json_end_object(kanal_json *j) { json_close(j, '}'); }
void kanal_json_array(kanal_json *j) { json_open(j, '['); }
void kanal_json_end_array(kanal_json *j) { json_close(j, ']'); }

void kanal_json_escape(kanal_buf *b, const char *s)
{
    kanal_buf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            kanal_buf_putc(b, '\\');
            kanal_buf_putc(b, (char)c);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            switch (c) {
            case '\n': kanal_buf_puts(b, "\\n"); break;
            case '\r': kanal_buf_puts(b, "\\r"); break;
            case '\t': kanal_buf_puts(b, "\\t"); break;
            default: kanal_buf_printf(b, "\\u%04x", c); break;
            }
            p++;
        } else if (c < 0x80) {
            kanal_buf_putc(b, (char)c);
            p++;
        } else {
            /* stray bytes are replaced alone */
            unsigned cp;
            size_t n = kanal_utf8_decode((const char *)p, strnlen((const char *)p, 4), &cp);
            /* C1 controls and bidirectional overrides: legal in JSON, but
               escaped, so that printing a document cannot act on a terminal */
            if (!n)
                kanal_buf_puts(b, "\xEF\xBF\xBD");
            else if (kanal_cp_acts(cp))
                kanal_buf_printf(b, "\\u%04x", cp);
            else
                kanal_buf_add(b, p, n);
            p += n ? n : 1;
        }
    }
    kanal_buf_putc(b, '"');
}

void kanal_json_key(kanal_json *j, const char *key)
{
    sep(j);
    kanal_json_escape(j->out, key);
    kanal_buf_putc(j->out, ':');
    j->after_key = true;
}

void kanal_json_str(kanal_json *j, const char *s)
{
    if (!s) {
        kanal_json_null(j);
        return;
    }
    sep(j);
    kanal_json_escape(j->out, s);
}

void kanal_json_int(kanal_json *j, int64_t v)
{
    sep(j);
    kanal_buf_printf(j->out, "%lld", (long long)v);
}

void kanal_json_num(kanal_json *j, double v)
{
    if (!isfinite(v)) {
        kanal_json_null(j);
        return;
    }
    sep(j);
    char s[64];
    /* The shortest of %.15g and %.17g that reads back exactly. */
    snprintf(s, sizeof s, "%.15g", v);
    if (strtod(s, NULL) != v)
        snprintf(s, sizeof s, "%.17g", v);
    kanal_buf_puts(j->out, s);
}

void kanal_json_bool(kanal_json *j, bool v)
{
    sep(j);
    kanal_buf_puts(j->out, v ? "true" : "false");
}

void kanal_json_null(kanal_json *j)
{
    sep(j);
    kanal_buf_puts(j->out, "null");
}

void kanal_json_raw(kanal_json *j, const char *json)
{
    sep(j);
    kanal_buf_puts(j->out, json && *json ? json : "null");
}
