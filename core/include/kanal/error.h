/*
** error.h — the one error type of libkanal.
**
** A failing function fills a kanal_error and returns its code; a function that
** succeeds leaves it untouched, so calls chain. The library never prints: the
** caller decides what the user sees. The codes double as the CLI's exit codes.
*/
#ifndef KANAL_ERROR_H
#define KANAL_ERROR_H

#include <stdarg.h>

typedef enum kanal_code {
    KANAL_OK        = 0,
    KANAL_EREFUSED  = 1, /* refused by a rule or a permission */
    KANAL_EUSAGE    = 2, /* the call itself is wrong (bad option, bad argument) */
    KANAL_ENOTFOUND = 3, /* no such opportunity, partner, user, workflow, goal... */
    KANAL_EINVALID  = 4, /* invalid input or definition */
    KANAL_ESTORAGE  = 5, /* storage or internal failure */
    KANAL_ENOMEM    = 6  /* out of memory (the CLI exits 5) */
} kanal_code;

#define KANAL_ERROR_MESSAGE_MAX 2048
#define KANAL_ERROR_WHERE_MAX   512

typedef struct kanal_error {
    kanal_code code;
    /* lowercase, no full stop, quotes its subject: "unknown goal 'x'" */
    char message[KANAL_ERROR_MESSAGE_MAX];
    /* where the problem is, when it has a place: "rules.lua:40", else "" */
    char where[KANAL_ERROR_WHERE_MAX];
} kanal_error;

/* Resets err to KANAL_OK with empty texts. */
void kanal_error_clear(kanal_error *err);

/*
** Fills err (when err is not NULL) and returns code. The message is a printf
** format; it is cut with "..." if it does not fit.
*/
int kanal_error_set(kanal_error *err, kanal_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int kanal_error_setv(kanal_error *err, kanal_code code, const char *fmt, va_list ap);

/* Sets err->where (printf format); returns err->code. */
int kanal_error_where(kanal_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Shorthand for the allocation failure. */
int kanal_error_nomem(kanal_error *err);

/* The CLI exit code for an error code (KANAL_ENOMEM exits 5). */
int kanal_exit_code(kanal_code code);

#endif
