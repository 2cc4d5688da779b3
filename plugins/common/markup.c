/*
** markup.c — buffers, XML escaping and text widths for the svg and html plugins.
*/
#define _DEFAULT_SOURCE /* timegm, localtime_r */
#include "markup.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool reserve(mk_buf *b, size_t more)
{
    if (b->oom)
        return false;
    if (b->len + more + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->oom = true;
        return false;
    }
    b->data = d, b->cap = cap;
    return true;
}

void mk_add(mk_buf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void mk_puts(mk_buf *b, const char *s)
{
    mk_add(b, s, strlen(s));
}

void mk_vprintf(mk_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0 || !reserve(b, (size_t)n)) {
        b->oom = true;
        return;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void mk_printf(mk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mk_vprintf(b, fmt, ap);
    va_end(ap);
}

void mk_free(mk_buf *b)
{
    free(b->data);
    *b = (mk_buf){ 0 };
}

unsigned mk_utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    unsigned c = p[0];
    int n = c < 0x80             ? 0
            : (c & 0xE0) == 0xC0 ? 1
            : (c & 0xF0) == 0xE0 ? 2
            : (c & 0xF8) == 0xF0 ? 3
                                 : -1;
    if (n < 0) {
        *s += 1;
        return 0xFFFD;
    }
    unsigned cp = n == 0 ? c : c & (0x3F >> n);
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *s += i;
            return 0xFFFD;
        }
        cp = cp << 6 | (p[i] & 0x3F);
    }
    *s += n + 1;
    static const unsigned least[] = { 0, 0x80, 0x800, 0x10000 };
    if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFD;
    return cp;
}

void mk_escape(mk_buf *b, const char *s)
{
    while (*s) {
        const char *start = s;
        unsigned cp = mk_utf8_next(&s);
        switch (cp) {
        case '&': mk_puts(b, "&amp;"); break;
        case '<': mk_puts(b, "&lt;"); break;
        case '>': mk_puts(b, "&gt;"); break;
        case '"': mk_puts(b, "&quot;"); break;
        case '\'': mk_puts(b, "&#39;"); break;
        default:
            if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F || cp == 0xFFFE ||
                cp == 0xFFFF || (cp >= 0x80 && cp < 0xA0))
                mk_puts(b, "\xEF\xBF\xBD"); /* what XML and HTML cannot hold */
            else if (cp == 0x2028 || cp == 0x2029)
                mk_puts(b, " "); /* a line or paragraph break would run into the next row */
            else if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
                mk_printf(b, "\\u%04X", cp); /* shown, as on a terminal: it would turn the
                                                 text after it around */
            else
                mk_add(b, start, (size_t)(s - start));
        }
    }
}

/* A code point's advance in em, close to DejaVu Sans and never under it. */
static double em(unsigned cp)
{
    if (cp < 0x80) {
        static const char *const narrow = " !'(),./:;I[]`fijlrt|";
        if (cp && strchr(narrow, (int)cp))
            return cp == ' ' ? 0.33 : cp == 'f' || cp == 'r' || cp == 't' ? 0.42 : 0.36;
        if (cp == 'm' || cp == 'w' || cp == 'M' || cp == 'W' || cp == '%' || cp == '@')
            return 1.0;
        if (cp >= 'A' && cp <= 'Z')
            return 0.78;
        if (cp >= '0' && cp <= '9')
            return 0.65;
        return 0.65;
    }
    if (cp < 0x2000)
        return 0.8; /* Latin with diacritics (ł, Ś), Greek, Cyrillic */
    if (cp == 0x2026 || cp == 0x2014)
        return 1.0; /* … — */
    return 1.05;    /* wide scripts, symbols */
}

double mk_char_width(unsigned cp, double size, bool bold)
{
    return em(cp) * size * (bold ? 1.12 : 1.0);
}

double mk_text_width(const char *s, double size, bool bold)
{
    double w = 0;
    while (*s)
        w += em(mk_utf8_next(&s));
    return w * size * (bold ? 1.12 : 1.0);
}

void mk_fit(const char *s, double size, bool bold, double width, char *out)
{
    if (mk_text_width(s, size, bold) <= width) {
        strcpy(out, s);
        return;
    }
    double room = width - em(0x2026) * size * (bold ? 1.12 : 1.0), w = 0;
    const char *p = s, *end = s;
    while (*p) {
        w += em(mk_utf8_next(&p)) * size * (bold ? 1.12 : 1.0);
        if (w > room)
            break;
        end = p;
    }
    /* no space left dangling before the ellipsis */
    while (end > s && end[-1] == ' ')
        end--;
    memcpy(out, s, (size_t)(end - s));
    strcpy(out + (end - s), "\xE2\x80\xA6");
}

void mk_local_date(const char *iso, bool with_time, char *out, size_t size)
{
    struct tm tm = { 0 };
    int y, mo, d, h, mi, sec;
    if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6) {
        snprintf(out, size, "%s", iso ? iso : "");
        return;
    }
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
    tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
    time_t t = timegm(&tm);
    struct tm local;
    if (!localtime_r(&t, &local)) {
        snprintf(out, size, "%.10s", iso);
        return;
    }
    strftime(out, size, with_time ? "%Y-%m-%d at %H:%M %Z" : "%Y-%m-%d", &local);
}
