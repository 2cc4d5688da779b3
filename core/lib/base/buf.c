/*
** buf.c — kanal_buf, the growable text buffer.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "kanal/text.h"
#include "kanal/buf.h"

void kanal_buf_init(kanal_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}

void kanal_buf_release(kanal_buf *b)
{
    free(b->data);
    kanal_buf_init(b);
}

void kanal_buf_reset(kanal_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static bool grow(kanal_buf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > (size_t)-1 / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void kanal_buf_add(kanal_buf *b, const void *data, size_t len)
{
    if (!grow(b, len))
        return;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void kanal_buf_puts(kanal_buf *b, const char *s)
{
    kanal_buf_add(b, s, strlen(s));
}

void kanal_buf_putc(kanal_buf *b, char c)
{
    kanal_buf_add(b, &c, 1);
}

void kanal_buf_printf(kanal_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        kanal_buf_add(b, small, (size_t)n);
        return;
    }
    if (!grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *kanal_buf_cstr(kanal_buf *b)
{
    return b->data && !b->oom ? b->data : "";
}

char *kanal_buf_detach(kanal_buf *b)
{
    if (b->oom) {
        kanal_buf_release(b);
        return NULL;
    }
    if (!b->data && !grow(b, 0))
        return NULL;
    if (b->len == 0)
        b->data[0] = '\0';
    char *p = b->data;
    kanal_buf_init(b);
    return p;
}

bool kanal_text_needs_escape(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p >= 0x20 && *p < 0x7F) {
            p++;
            continue;
        }
        unsigned cp;
        size_t n = kanal_utf8_decode((const char *)p, strnlen((const char *)p, 4), &cp);
        if (!n || kanal_cp_acts(cp))
            return true;
        p += n;
    }
    return false;
}

void kanal_buf_put_visible(kanal_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        const unsigned char *run = p;
        while (*p >= 0x20 && *p < 0x7F)
            p++;
        kanal_buf_add(b, run, (size_t)(p - run));
        if (!*p)
            break;
        unsigned cp;
        size_t n = kanal_utf8_decode((const char *)p, strnlen((const char *)p, 4), &cp);
        if (!n) {
            kanal_buf_printf(b, "\\x%02x", *p++);
        } else if (!kanal_cp_acts(cp)) {
            kanal_buf_add(b, p, n);
            p += n;
        } else {
            switch (cp) {
            case 0x1B: kanal_buf_puts(b, "\\e"); break;
            case '\n': kanal_buf_puts(b, "\\n"); break;
            case '\r': kanal_buf_puts(b, "\\r"); break;
            case '\t': kanal_buf_puts(b, "\\t"); break;
            default:
                if (cp < 0x80)
                    kanal_buf_printf(b, "\\x%02x", cp);
                else
                    kanal_buf_printf(b, "\\u%04x", cp);
            }
            p += n;
        }
    }
}

int kanal_buf_read_line(kanal_buf *b, FILE *f, size_t max)
{
    kanal_buf_reset(b);
    int c;
    while ((c = getc(f)) != EOF) {
        if (b->len >= max)
            return KANAL_LINE_TOO_LONG;
        kanal_buf_putc(b, (char)c);
        if (b->oom)
            return KANAL_LINE_TOO_LONG;
        if (c == '\n')
            return KANAL_LINE_OK;
    }
    if (ferror(f))
        return KANAL_LINE_ERROR;
    return b->len ? KANAL_LINE_OK : KANAL_LINE_END;
}
