/*
** markup.h — what the svg and html plugins share: a growable buffer, XML
** escaping that keeps a document well-formed whatever the data holds, and
** the width of a text as a sans-serif font draws it, to lay text out.
**
** Compiled into each plugin that uses it (hidden, like everything of a
** plugin but its entry).
*/
#ifndef KANAL_PLUGINS_MARKUP_H
#define KANAL_PLUGINS_MARKUP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct mk_buf {
    char *data;
    size_t len, cap;
    bool oom;
} mk_buf;

void mk_printf(mk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mk_vprintf(mk_buf *b, const char *fmt, va_list ap);
void mk_puts(mk_buf *b, const char *s);
void mk_add(mk_buf *b, const char *s, size_t n);
/* Text as XML character data or an attribute value: & < > " ' escaped, and
   what XML 1.0 cannot hold (C0 controls but tab and newline, broken UTF-8)
   as U+FFFD; bidirectional overrides and isolates shown as \u202E, so that
   a name cannot turn the text after it around; line and paragraph
   separators as spaces. */
void mk_escape(mk_buf *b, const char *s);
void mk_free(mk_buf *b);

/* The next code point of s (advancing it); U+FFFD for a broken sequence. */
unsigned mk_utf8_next(const char **s);
/* The width of s in a font of `size` px (DejaVu Sans, Verdana and the like,
   measured a little generously so that a layout never runs short). */
double mk_text_width(const char *s, double size, bool bold);
double mk_char_width(unsigned cp, double size, bool bold);
/* The longest prefix of s that, followed by "…", fits in `width` px; all of
   s when it fits (written into out, which has room for strlen(s) + 4). */
void mk_fit(const char *s, double size, bool bold, double width, char *out);

/* A moment of the record (ISO 8601 UTC) as the reader's clock shows it (TZ):
   "2026-03-31", or with_time "2026-03-31 at 19:00 CEST". */
void mk_local_date(const char *iso, bool with_time, char *out, size_t size);

#endif
