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
/* Steps of the pattern matcher per instruction charged: a step is a byte compared. */
#define COST_MATCH_STEPS_PER_INSTRUCTION 8

/*
** An upper bound of the steps Lua's matcher may take to match pattern p (m
** bytes) against subject s (n bytes) — find, match, gmatch, gsub — so that
** a pattern that could backtrack for minutes is charged that much up front.
** With `plain`, a plain find: n * m. `may_anchor`: a leading '^' anchors
** (not in gmatch, where it is a character).
**
** A quantified item tries every length it can take — at most the longest
** run of its bytes in the subject — and what follows it at each. A try
** fails at once where the subject's next byte cannot start what follows;
** it can go on only at the subject's bytes that can (counted in the
** subject), and never when what follows cannot fail (".-%s*$"). So a* before
** another a multiplies the work, .- before "price" by the p's of the
** subject, %d+ before a letter not at all. An unanchored pattern is tried at
** every position where it can start.
*/
double rules_pattern_cost(const char *p, size_t m, const char *s, size_t n, bool plain,
                          bool may_anchor);

#endif
