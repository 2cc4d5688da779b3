/*
** buf.h — a growable text buffer.
**
** Appends never fail loudly: an allocation failure sets `oom`, later appends do
** nothing, and the owner checks `oom` once at the end. The text is always
** NUL-terminated when `len > 0` or after kanal_buf_cstr().
*/
#ifndef KANAL_BUF_H
#define KANAL_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct kanal_buf {
    char *data;
    size_t len;
    size_t cap;
    bool oom;
} kanal_buf;

#define KANAL_BUF_INIT { NULL, 0, 0, false }

void kanal_buf_init(kanal_buf *b);
/* Frees the text; the buffer may be used again after kanal_buf_init(). */
void kanal_buf_release(kanal_buf *b);
void kanal_buf_reset(kanal_buf *b);
void kanal_buf_add(kanal_buf *b, const void *data, size_t len);
void kanal_buf_puts(kanal_buf *b, const char *s);
void kanal_buf_putc(kanal_buf *b, char c);
void kanal_buf_printf(kanal_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Borrowed, NUL-terminated, valid until the next change ("" when empty). */
const char *kanal_buf_cstr(kanal_buf *b);
/* Hands the text to the caller (caller frees with free()); NULL on oom. */
char *kanal_buf_detach(kanal_buf *b);

/* What kanal_buf_read_line found. */
enum {
    KANAL_LINE_ERROR = -1,   /* a read error: errno says which */
    KANAL_LINE_END = 0,      /* the end of the input, nothing read */
    KANAL_LINE_OK = 1,       /* a line, its '\n' kept when it had one */
    KANAL_LINE_TOO_LONG = 2, /* more than max bytes without a '\n' (or out of memory) */
};
/* Replaces b's text with the next line of f, reading at most max bytes of it:
   a file without line ends (/dev/zero) cannot exhaust memory. */
int kanal_buf_read_line(kanal_buf *b, FILE *f, size_t max);


#endif
