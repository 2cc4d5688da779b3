/*
** hooks.h — the Lua hooks a workflow's rules may define, declared once.
**
** X(name, kind, arguments): a guard decides whether a step may happen (it
** returns true or nothing to allow it, false and a reason to refuse it); a
** reaction runs after the step, inside the same transaction, and may change
** the opportunity only through opp:set and opp:note; a measure answers a
** question about something other than a step (the commission a deal earns):
** it gets no opportunity, changes nothing, and returns a finite number of at
** least 0. Adding a hook is a line here, its call in the engine, and its
** paragraph in README.md.
*/
#ifndef KANAL_HOOKS_H
#define KANAL_HOOKS_H

#define KANAL_HOOKS(X)                                                                             \
    X(can_create, HOOK_GUARD, "opp")                                                               \
    X(can_complete, HOOK_GUARD, "opp, goal, values")                                               \
    X(can_advance, HOOK_GUARD, "opp, from_stage, to_stage")                                        \
    X(can_win, HOOK_GUARD, "opp")                                                                  \
    X(can_lose, HOOK_GUARD, "opp, reason")                                                         \
    X(on_create, HOOK_REACTION, "opp")                                                             \
    X(on_complete, HOOK_REACTION, "opp, goal")                                                     \
    X(on_activity, HOOK_REACTION, "opp, activity")                                                 \
    X(on_enter, HOOK_REACTION, "opp, stage")                                                       \
    X(on_exit, HOOK_REACTION, "opp, stage")                                                        \
    X(on_won, HOOK_REACTION, "opp")                                                                \
    X(on_lost, HOOK_REACTION, "opp, reason")                                                       \
    X(commission, HOOK_MEASURE, "deal, partner, as_of")

typedef enum hook_kind { HOOK_GUARD, HOOK_REACTION, HOOK_MEASURE } hook_kind;

typedef enum hook_id {
#define X(name, kind, args) HOOK_##name,
    KANAL_HOOKS(X)
#undef X
        HOOK_COUNT
} hook_id;

typedef struct hook_info {
    const char *name;
    hook_kind kind;
    const char *args;
} hook_info;

extern const hook_info rules_hook_table[HOOK_COUNT];

#endif
