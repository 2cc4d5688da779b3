/*
** rules.h — the Lua host that runs a workflow's rules: a sandboxed Lua state
** per rules file and command, an instruction budget per hook call, a memory
** ceiling per state and a time limit per command.
**
** The host knows nothing of the engine or the store: what the rules may
** read (users, activities, counts) and do (set a field, note, hint, log)
** reaches the engine through the rules_host table the engine hands over.
*/
#ifndef KANAL_RULES_H
#define KANAL_RULES_H

#include "base/base.h"
#include "kanal/records.h"
#include "rules/hooks.h"

struct rules;

/* What a command may carry out of the sandbox besides the database. */
#define RULES_MAX_TEXT KANAL_TEXT_MAX /* a hint, a log line, a note: bytes */
#define RULES_MAX_HINTS 20            /* hints a command */
#define RULES_MAX_LOG_LINES 200       /* log lines a command */
#define RULES_MAX_NOTES 20            /* notes a command */

/*
** The engine's side of the rules, as callbacks; `ud` is handed back to
** each. Reads fill records in the arena given; KANAL_ENOTFOUND (no message)
** when there is no such thing. Errors of the engine come back in err and
** become the rules' error, keeping their code.
*/
typedef struct rules_host {
    void *ud;
    int (*open_count)(void *ud, const char *user, const char *workflow, int *n,
                      kanal_error *err);
    int (*user)(void *ud, kanal_arena *a, const char *id, kanal_user *out, kanal_error *err);
    int (*activities)(void *ud, kanal_arena *a, int64_t opp, const char *type,
                      kanal_activity **out, size_t *n, kanal_error *err);
    /* The deals of a partner as they stood on `day` (YYYY-MM-DD): those signed
       by then, by id, ended_on NULL unless the client had left by then. */
    int (*deals)(void *ud, kanal_arena *a, int64_t partner_id, const char *day, kanal_deal **out,
                 size_t *n, kanal_error *err);
    /* A reaction's change of field fi to its canonical value (NULL clears). */
    int (*set_field)(void *ud, kanal_opp *o, size_t fi, const char *value, const char *at,
                     const char *source, kanal_error *err);
    int (*note)(void *ud, kanal_opp *o, const char *text, const char *at, const char *source,
                kanal_error *err);
    /* For the user: a hint (false once the command has RULES_MAX_HINTS),
       a log line (false once it has RULES_MAX_LOG_LINES), a traceback. */
    bool (*hint)(void *ud, const char *text);
    bool (*log)(void *ud, const char *line, size_t len);
    bool (*log_room)(void *ud);
    void (*trace)(void *ud, const char *text);
    /* The time the rules have spent in the step under way (a command, a line
       of a batch, a row of an import): the time limit is for all of it. */
    long long *spent_ns;
} rules_host;

/* One call of a hook, with what it is about. */
typedef struct hook_call {
    hook_id hook;
    kanal_opp *opp;               /* guards and reactions; NULL for a measure */
    const char *at;               /* the step's time: kanal.now() */
    const char *arg;              /* goal, stage or reason id, as the hook takes */
    const char *arg2;             /* can_advance: the stage it goes to */
    const kanal_activity *activity;   /* on_activity */
    const int *set_fields;        /* can_complete: the fields set with the goal */
    const char *const *set_values;
    size_t n_sets;
    bool not_stored;              /* can_create: opp.id is nil */
    /* a measure: the workflow version whose rules answer it */
    const char *workflow;
    int version;
    const kanal_deal *deal;       /* commission: the deal, ended_on as of as_of */
    const kanal_partner *partner; /* commission: its partner */
    const char *as_of;            /* commission: the report's day, YYYY-MM-DD */
    double figure;                /* a measure's answer, when it returned KANAL_OK */
} hook_call;

/*
** Loads rules text in the sandbox and reports every problem found (syntax,
** a runtime error at load, a return that is not a table of hooks, names that
** are not hooks, hooks that are not functions) as diagnostics of `path`.
*/
void rules_check(const char *path, const char *text, const kanal_limits *limits,
                 kanal_diags *d);

/*
** A state for running hooks; `name` is the rules file as the YAML names it.
** The host is borrowed: it must outlive the state. With `compiled` (or
** NULL), the text is compiled once: an empty buffer receives the compiled
** chunk, and a later state of the same text loads it from there instead of
** parsing the text again (only what this process compiled: never bytecode
** from elsewhere).
*/
int rules_open(struct rules **out, const rules_host *host, const char *name, const char *text,
               const kanal_limits *limits, kanal_buf *compiled, kanal_error *err);
void rules_free(struct rules *r);

/*
** Calls a hook if the rules define it. A guard's veto is KANAL_EREFUSED with
** "refused by rules (FILE:LINE): REASON"; a Lua error, a broken limit or a
** return value that is not allowed is KANAL_EINVALID naming the file, the
** line and the hook (a traceback goes to kanal_rules_trace()). A measure's
** answer goes to c->figure (0 when the rules do not define the hook).
*/
int rules_call(struct rules *r, hook_call *c, kanal_error *err);

#endif
