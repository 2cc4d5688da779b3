/*
** rules_cost.h — what the sandbox charges for work done in C, where Lua's
** count hook cannot see it. Pure functions, without Lua.
*/
#ifndef KANAL_RULES_COST_H
#define KANAL_RULES_COST_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes allocated per instruction charged: copying memory is that much cheaper. */
#define COST_BYTES_PER_INSTRUCTION 8

/*
** An upper bound of the steps Lua's matcher may take to match pattern p (m
** bytes) against subject s (n bytes) — find, match, gmatch, gsub — so that
** a pattern that could backtrack for minutes is charged that much up front.
** With `plain`, a plain find: n * m.
**
** The matcher backtracks only where a quantified item could stop at more
** than one place: where the bytes it takes can also start what follows it
** (a* before a, .- before anything). Each such item multiplies the work by
** the longest run of its bytes in the subject, plus one; every other item
** adds that run (or the subject, for %b and back-references). An
** unanchored pattern is tried at every position.
*/
double pattern_cost(const char *p, size_t m, const char *s, size_t n, bool plain);

#endif
