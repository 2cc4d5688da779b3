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
#define KANAL_ERROR_ARG_MAX     128

/*
** What the user can do about an error, when there is one thing to do. The
** library names it; each front end words it its own way (the CLI as a
** command or a flag, an importer as a row or a column), so that no message
** of the library speaks one front end's language.
*/
typedef enum kanal_advice {
    KANAL_ADVICE_NONE = 0,
    KANAL_ADVICE_RUN_INIT,        /* the database does not exist yet: create it */
    KANAL_ADVICE_CREATE_DATABASE, /* the file is not a database: create one */
    KANAL_ADVICE_ADD_USER,        /* no such user: an admin adds users; choose who acts */
    KANAL_ADVICE_REPLACE_USER,    /* the user is deactivated: add another, move the work */
    KANAL_ADVICE_CHOOSE_ACTOR,    /* no one acts: choose who does */
    KANAL_ADVICE_SET_FIELD,       /* arg: the field to set first */
    KANAL_ADVICE_ADD_NOTE,        /* a note is needed */
    KANAL_ADVICE_CLOSE,           /* arg: the opportunity, to close as won or lost */
    KANAL_ADVICE_NAME_USER,       /* a user needs a name */
    KANAL_ADVICE_GIVE_ROLE,       /* a user needs a role */
    KANAL_ADVICE_SKIP_BAD,        /* an import with bad rows: fix them, or keep the good ones */
    KANAL_ADVICE_APPLY_WORKFLOW,  /* no workflow is applied yet */
    KANAL_ADVICE_LIST_PLUGINS,    /* no plugin provides it: see what the plugins provide */
    KANAL_ADVICE_CHOOSE_WORKFLOW, /* the question is about one workflow: name it */
} kanal_advice;

typedef struct kanal_error {
    kanal_code code;
    /* lowercase, no full stop, about the thing, quoting its subject:
       "goal 'classified' needs form set first" */
    char message[KANAL_ERROR_MESSAGE_MAX];
    /* where the problem is, when it has a place: "rules.lua:40", else "" */
    char where[KANAL_ERROR_WHERE_MAX];
    /* what to do about it, and what it is about (a field, an opportunity) */
    kanal_advice advice;
    char advice_arg[KANAL_ERROR_ARG_MAX];
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

/* Adds advice (and its argument, may be NULL) to the error set last; returns err->code. */
int kanal_error_advise(kanal_error *err, kanal_advice advice, const char *arg);

/* Sets err->where (printf format); returns err->code. */
int kanal_error_where(kanal_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Shorthand for the allocation failure. */
int kanal_error_nomem(kanal_error *err);

/* The CLI exit code for an error code (KANAL_ENOMEM exits 5). */
int kanal_exit_code(kanal_code code);

#endif
