/*
** t.h — the smallest test harness: CHECK records a failure and goes on,
** t_done() prints the tally and returns the exit code for ctest.
*/
#ifndef KANAL_T_H
#define KANAL_T_H

#include <stdio.h>
#include <string.h>

static int t_failures, t_checks;

#define CHECK(cond)                                                              \
    do {                                                                         \
        t_checks++;                                                              \
        if (!(cond)) {                                                           \
            t_failures++;                                                        \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_STR(got, want)                                                     \
    do {                                                                         \
        const char *g_ = (got), *w_ = (want);                                    \
        t_checks++;                                                              \
        if (!g_ || !w_ ? g_ != w_ : strcmp(g_, w_) != 0) {                       \
            t_failures++;                                                        \
            fprintf(stderr, "%s:%d: %s\n  got:  %s\n  want: %s\n", __FILE__,     \
                    __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");     \
        }                                                                        \
    } while (0)

#define CHECK_INT(got, want)                                                     \
    do {                                                                         \
        long long g_ = (long long)(got), w_ = (long long)(want);                 \
        t_checks++;                                                              \
        if (g_ != w_) {                                                          \
            t_failures++;                                                        \
            fprintf(stderr, "%s:%d: %s: got %lld, want %lld\n", __FILE__,        \
                    __LINE__, #got, g_, w_);                                     \
        }                                                                        \
    } while (0)

static inline int t_done(const char *name)
{
    fprintf(stderr, "%s: %d checks, %d failed\n", name, t_checks, t_failures);
    return t_failures ? 1 : 0;
}

#endif
