/*
** bench_gen.h — the seeded generator of the benchmarks: a year of
** opportunities of referral_partners (workflows/referral_partners.yaml), the
** same for every program that includes it, so that the library run, the
** batch files and the CSV history step exactly the same events.
**
** The mix: about 60% lost, at every stage and with the catalogue's reasons
** (failed_quiz only after a low knowledge check), 15% left open part way, the
** rest won; eight reps; timestamps from 2025-01-01 to the end of the year,
** one opportunity after another, its steps hours or days apart. Every `set`
** is a step of its own (one field), so that the steps map one to one onto
** the rows of `kanal import csv history`.
**
** Header-only: each benchmark is one .c file (tests/CMakeLists.txt).
*/
#ifndef KANAL_BENCH_GEN_H
#define KANAL_BENCH_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define BENCH_WORKFLOW "referral_partners"
#define BENCH_REPS 8
#define BENCH_NOW "2026-06-30T12:00:00Z" /* after every step */
#define BENCH_MAX_STEPS 24               /* steps of one opportunity, at most */

typedef enum { BS_CREATE, BS_LOG, BS_SET, BS_DONE, BS_ADVANCE, BS_WIN, BS_LOSE } bench_kind;

typedef struct bench_step {
    bench_kind kind;
    const char *arg;  /* activity, goal, lost reason; NULL for the others */
    char set[48];     /* BS_SET: FIELD=VALUE */
    const char *note; /* BS_LOSE with reason `other` */
    char at[24];      /* YYYY-MM-DDTHH:MM:SSZ */
} bench_step;

typedef struct bench_opp {
    int index;        /* 0-based: the opportunity's id is index + 1 in a fresh database */
    char partner[32]; /* one partner each: "Referrer 000001" */
    char owner[16];   /* rep1 .. rep8 */
    bench_step steps[BENCH_MAX_STEPS];
    int n;
} bench_opp;

typedef struct bench_gen {
    uint64_t state;
    int n_opps;
} bench_gen;

static inline uint64_t bench_rand(bench_gen *g)
{
    /* splitmix64: small, and the same on every platform */
    uint64_t z = (g->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline int bench_below(bench_gen *g, int n)
{
    return (int)(bench_rand(g) % (uint64_t)n);
}

static inline void bench_gen_init(bench_gen *g, int n_opps, uint64_t seed)
{
    g->state = seed * 0x2545F4914F6CDD1Dull + 1;
    g->n_opps = n_opps;
}

static inline const char *bench_partner_type(int index)
{
    static const char *const types[] = { "referrer", "consultant", "agency" };
    return types[index % 3];
}

/* appends a step at *t, then moves *t on by a few minutes to three days */
static inline bench_step *bench_push(bench_gen *g, bench_opp *o, bench_kind kind, const char *arg,
                                     time_t *t)
{
    bench_step *s = &o->steps[o->n++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->arg = arg;
    struct tm tm;
    gmtime_r(t, &tm);
    strftime(s->at, sizeof s->at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    *t += 300 + bench_below(g, 3 * 86400);
    return s;
}

static inline void bench_push_set(bench_gen *g, bench_opp *o, time_t *t, const char *field,
                                  const char *value)
{
    bench_step *s = bench_push(g, o, BS_SET, NULL, t);
    snprintf(s->set, sizeof s->set, "%s=%s", field, value);
}

/*
** The next opportunity, index `i` of g->n_opps (call with 0, 1, 2... in order:
** the generator's state moves on).
*/
static inline void bench_gen_opp(bench_gen *g, int i, bench_opp *o)
{
    static const char *const forms[] = { "referral", "resale", "implementation" };
    static const char *const reasons[] = { "unclear_terms", "margin_too_low", "no_clients",
                                           "no_response", "other" };
    memset(o, 0, sizeof *o);
    o->index = i;
    snprintf(o->partner, sizeof o->partner, "Referrer %06d", i + 1);
    snprintf(o->owner, sizeof o->owner, "rep%d", 1 + bench_below(g, BENCH_REPS));
    /* created during 2025, in order, on a working hour */
    time_t t = 1735689600 /* 2025-01-01 */ + (time_t)((double)i / g->n_opps * 364 * 86400) +
               8 * 3600 + bench_below(g, 8 * 3600);
    /* the outcome: 0-59 lost, 60-74 open, 75-99 won; and where it stops */
    int roll = bench_below(g, 100);
    int lost = roll < 60, open = roll >= 60 && roll < 75;
    int stop_stage = lost || open ? bench_below(g, 4) : 4; /* the stage it ends in */
    if (lost && stop_stage == 3 && bench_below(g, 2))
        stop_stage = bench_below(g, 3); /* fewer get as far as the launch */
    int stop_after = bench_below(g, 4); /* steps into that stage (at most) */
    bool low_quiz = lost && stop_stage == 2 && bench_below(g, 2);
    char v[24];

    bench_push(g, o, BS_CREATE, NULL, &t);
    for (int stage = 0; stage <= 3 && stage <= stop_stage; stage++) {
        int before = o->n, limit = stage == stop_stage ? stop_after : 99;
#define STEP_OK (o->n - before < limit)
        switch (stage) {
        case 0: /* awareness */
            if (STEP_OK)
                bench_push(g, o, BS_LOG, "call", &t);
            if (STEP_OK)
                bench_push(g, o, BS_LOG, "email", &t);
            if (STEP_OK)
                bench_push_set(g, o, &t, "cooperation_form", forms[bench_below(g, 3)]);
            if (STEP_OK)
                bench_push(g, o, BS_DONE, "classify", &t);
            break;
        case 1: /* proposal */
            if (STEP_OK)
                bench_push(g, o, BS_LOG, "email", &t);
            if (STEP_OK)
                bench_push(g, o, BS_LOG, "meeting", &t);
            snprintf(v, sizeof v, "%d", 15 + bench_below(g, 6));
            if (STEP_OK)
                bench_push_set(g, o, &t, "referral_fee_pct", v);
            snprintf(v, sizeof v, "%d", 6 + bench_below(g, 7));
            if (STEP_OK)
                bench_push_set(g, o, &t, "min_client_months", v);
            if (STEP_OK)
                bench_push(g, o, BS_DONE, "offer_accepted", &t);
            break;
        case 2: /* training */
            if (STEP_OK)
                bench_push(g, o, BS_LOG, "training", &t);
            snprintf(v, sizeof v, "%d",
                     low_quiz ? 40 + bench_below(g, 40) : 80 + bench_below(g, 21));
            if (STEP_OK || low_quiz)
                bench_push_set(g, o, &t, "quiz_score", v);
            if (STEP_OK && !low_quiz)
                bench_push(g, o, BS_DONE, "quiz_passed", &t);
            break;
        case 3: { /* launch */
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(v, sizeof v, "%Y-%m-%d", &tm);
            if (STEP_OK)
                bench_push_set(g, o, &t, "agreement_date", v);
            if (STEP_OK)
                bench_push(g, o, BS_DONE, "agreement_signed", &t);
            if (STEP_OK)
                bench_push(g, o, BS_DONE, "referrer_activated", &t);
            if (STEP_OK && bench_below(g, 2))
                bench_push(g, o, BS_LOG, "call", &t);
            break;
        }
        }
#undef STEP_OK
        if (stage == stop_stage)
            break;
        if (stage < 3)
            bench_push(g, o, BS_ADVANCE, NULL, &t);
    }
    if (lost) {
        const char *r = low_quiz ? "failed_quiz" : reasons[bench_below(g, 5)];
        bench_step *s = bench_push(g, o, BS_LOSE, r, &t);
        if (strcmp(r, "other") == 0)
            s->note = "moved abroad";
    } else if (!open) {
        bench_push(g, o, BS_WIN, NULL, &t);
    }
}

#endif
