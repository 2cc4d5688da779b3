/*
** rules.h — the Lua host that runs a workflow's rules: a sandboxed Lua state
** per rules file and command, an instruction budget per hook call and a
** memory ceiling per state.
*/
#ifndef KANAL_RULES_H
#define KANAL_RULES_H

#include "engine/engine.h"
#include "rules/hooks.h"

struct rules;

/* One call of a hook, with what it is about. */
typedef struct hook_call {
    hook_id hook;
    kanal_opp *opp;
    const char *at;               /* the step's time: kanal.now() */
    const char *arg;              /* goal, stage or reason id, as the hook takes */
    const char *arg2;             /* can_advance: the stage it goes to */
    const kanal_activity *activity;   /* on_activity */
    const int *set_fields;        /* can_complete: the fields set with the goal */
    const char *const *set_values;
    size_t n_sets;
    bool not_stored;              /* can_create: opp.id is nil */
} hook_call;

/*
** Loads rules text in the sandbox and reports every problem found (syntax,
** a runtime error at load, a return that is not a table of hooks, names that
** are not hooks, hooks that are not functions) as diagnostics of `path`.
*/
void rules_check(const char *path, const char *text, const kanal_limits *limits,
                 kanal_diags *d);

/* A state for running hooks; `name` is the rules file as the YAML names it. */
int rules_open(struct rules **out, kanal *k, const char *name, const char *text,
               const kanal_limits *limits, kanal_error *err);
void rules_free(struct rules *r);

/*
** Calls a hook if the rules define it. A guard's veto is KANAL_EREFUSED with
** "refused by rules (FILE:LINE): REASON"; a Lua error, a broken limit or a
** return value that is not allowed is KANAL_EINVALID naming the file, the
** line and the hook (a traceback goes to kanal_rules_trace()).
*/
int rules_call(struct rules *r, const hook_call *c, kanal_error *err);

#endif
