/*
** text.h — text for people: "did you mean", and what a terminal must be
** shown rather than obey.
*/
#ifndef KANAL_TEXT_H
#define KANAL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
** The longest free text Kanal keeps, in bytes: a note (from a rep or from
** the rules), a field's text value, a name, a city, an e-mail address, a
** hint. Longer text is refused (KANAL_EINVALID), as is text that is not
** valid UTF-8.
*/
#define KANAL_TEXT_MAX 4000

/*
** The candidate closest to `word` when it is a likely misspelling of it
** (a few edits away), else NULL. Borrowed from `candidates`.
*/
const char *kanal_suggest(const char *word, const char *const *candidates, size_t n);

/*
** Text for a person's terminal. Appends s with what a terminal would act on
** shown instead: ESC as \e, newline \n, CR \r, tab \t, other control bytes
** and DEL as \xHH, C1 controls (U+0080..U+009F) and the bidirectional
** overrides and isolates (U+202A..U+202E, U+2066..U+2069) as \uHHHH, and
** bytes that are not UTF-8 as \xHH. Everything else is kept as it is.
*/
void kanal_buf_put_visible(kanal_buf *b, const char *s);
/* Whether s holds anything kanal_buf_put_visible would escape. */
bool kanal_text_needs_escape(const char *s);

#endif
