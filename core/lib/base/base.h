/*
** base.h — the bottom layer of libkanal: arena, files, UTF-8, suggestions;
** every other layer may include it. Not installed.
*/
#ifndef KANAL_BASE_H
#define KANAL_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kanal/buf.h"
#include "kanal/diag.h"
#include "kanal/error.h"
#include "kanal/text.h"

#define KANAL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
** An arena: many small allocations freed at once. Used for the YAML tree and
** for a workflow's model, whose parts all live and die together.
*/
typedef struct kanal_arena kanal_arena;

kanal_arena *kanal_arena_new(void);
void kanal_arena_free(kanal_arena *a);
/* Zeroed memory, aligned for any type; NULL when out of memory. */
void *kanal_arena_alloc(kanal_arena *a, size_t size);
/* A copy of s (or of its first len bytes), NUL-terminated. */
char *kanal_arena_strdup(kanal_arena *a, const char *s);
char *kanal_arena_strndup(kanal_arena *a, const char *s, size_t len);

/* Reads a whole file, or only its first max + 1 bytes when it is longer (the
   caller sees *len > max: /dev/zero cannot exhaust memory); caller frees *out.
   Returns 0, or errno. */
int kanal_read_file(const char *path, size_t max, char **out, size_t *len);

/* Removes what a killed process left in the folder of `path` while writing it
   in place: the files ".NAME<infix>PID-N" (and their -wal, -shm, -journal)
   whose process no longer runs and that are over a minute old. Returns how many
   were removed. */
int kanal_sweep_leftovers(const char *path, const char *infix);

/*
** Decodes the UTF-8 sequence at s (of which n bytes may be read): returns
** its length (1 to 4) and sets *cp, or returns 0 when the bytes there are not
** valid UTF-8 (a stray byte, an overlong form, a surrogate, past U+10FFFF).
*/
size_t kanal_utf8_decode(const char *s, size_t n, unsigned *cp);

/*
** Whether a terminal acts on code point cp rather than showing it: C0
** controls, DEL, C1 controls, bidirectional overrides and isolates.
*/
bool kanal_cp_acts(unsigned cp);

/*
** Checks that text is valid UTF-8. On failure returns false and sets *bad to
** the offset of the first bad byte.
*/
bool kanal_utf8_valid(const char *text, size_t len, size_t *bad);

/* Number of characters (code points) in the first `len` bytes of s. */
size_t kanal_utf8_chars(const char *s, size_t len);

/*
** Case-folded copy of a UTF-8 name, for comparisons that ignore case
** (ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic). Caller frees.
*/
char *kanal_utf8_fold(const char *s);

/*
** Text as people compare it when they search (fold.c): without accents and
** marks, in one case, runs of blanks as one space ("Łódź  Hurt": "lodz hurt").
** A folder is built once (NULL when out of memory) and freed with
** kanal_folder_free; ICU, and the folder's transliterator, are loaded on the
** first text that is not ASCII. kanal_fold returns a copy the caller frees,
** NULL when out of memory or when a text that is not ASCII finds no ICU.
** With a NULL folder, only case and blanks are folded.
*/
typedef struct kanal_folder kanal_folder;
kanal_folder *kanal_folder_new(void);
void kanal_folder_free(kanal_folder *f);
char *kanal_fold(kanal_folder *f, const char *s);
/* Whether s is plain ASCII (kanal_fold needs no folder for it). */
bool kanal_ascii(const char *s);
/* Whether every word of folded_words (folded, one space between) is in hay, folded. */
bool kanal_fold_contains(kanal_folder *f, const char *hay, const char *folded_words);
/* The same, for a hay folded already. */
bool kanal_words_in(const char *folded, const char *folded_words);

char *kanal_strdup(const char *s);

/*
** Checks a free-text argument: valid UTF-8 and at most KANAL_TEXT_MAX bytes
** (NULL passes). `what` names it in the message: "the note".
*/
int kanal_text_ok(const char *what, const char *text, kanal_error *err);

/* Fills err with "unknown WHAT 'x' CONTEXT (did you mean 'y'?)" or the known list. */
int kanal_unknown(kanal_error *err, kanal_code code, const char *what, const char *name,
                  const char *const *known, size_t n, const char *context);

#endif
