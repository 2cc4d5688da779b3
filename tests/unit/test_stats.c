/*
** test_stats.c — the statistics of the reports against values computed
** independently: R's fisher.test on two classic tables (Fisher's tea
** tasting, 0.4857; Wikipedia's 1 9 / 11 3, 0.002759) and, for the rest,
** Python's math.comb summing the hypergeometric probabilities exactly and
** the Wilson formula written out in Python; each compared to 4 decimals or
** better.
*/
#include <math.h>

#include "t.h"
#include "base/stats.h"

#define CHECK_NEAR(got, want, tol)                                                                 \
    do {                                                                                           \
        double g__ = (got), w__ = (want);                                                          \
        t_checks++;                                                                                \
        if (!(fabs(g__ - w__) <= (tol))) {                                                         \
            t_failures++;                                                                          \
            fprintf(stderr, "%s:%d: %s = %.10f, want %.10f\n", __FILE__, __LINE__, #got, g__,      \
                    w__);                                                                          \
        }                                                                                          \
    } while (0)

static void wilson(long k, long n, double want_low, double want_high)
{
    double lo, hi;
    CHECK(kanal_stats_wilson(k, n, &lo, &hi));
    CHECK_NEAR(lo, want_low, 5e-7);
    CHECK_NEAR(hi, want_high, 5e-7);
}

int main(void)
{
    /* Wilson 95%: Python, z = 1.959963984540054 */
    wilson(7, 10, 0.396778, 0.892209);
    wilson(4, 20, 0.080658, 0.416017);
    wilson(2, 10, 0.056682, 0.509838);
    wilson(1, 3, 0.061492, 0.792340);
    wilson(50, 100, 0.403832, 0.596168);
    wilson(0, 5, 0.0, 0.434482); /* bounded by 0 exactly */
    wilson(5, 5, 0.565518, 1.0); /* and by 1 */
    double lo = 9, hi = 9;
    CHECK(!kanal_stats_wilson(0, 0, &lo, &hi)); /* no trials: no interval */
    CHECK(lo == 0 && hi == 0);
    CHECK(!kanal_stats_wilson(3, 2, &lo, &hi));

    /* Fisher, two-sided */
    CHECK_NEAR(kanal_stats_fisher(3, 1, 1, 3), 0.48571429, 5e-8);  /* R: 0.4857 */
    CHECK_NEAR(kanal_stats_fisher(1, 9, 11, 3), 0.00275946, 5e-8); /* R: 0.002759 */
    CHECK_NEAR(kanal_stats_fisher(7, 3, 4, 16), 0.01469192, 5e-8); /* example 2 of the domain */
    CHECK_NEAR(kanal_stats_fisher(4, 16, 7, 3), 0.01469192, 5e-8); /* rows swapped: the same */
    CHECK_NEAR(kanal_stats_fisher(0, 5, 5, 0), 0.00793651, 5e-8);
    CHECK_NEAR(kanal_stats_fisher(10, 0, 0, 10), 0.00001083, 5e-9);
    CHECK_NEAR(kanal_stats_fisher(2, 8, 2, 8), 1.0, 1e-12); /* equal rows: nothing to see */
    CHECK_NEAR(kanal_stats_fisher(0, 0, 4, 6), 1.0, 0);     /* an empty row */
    CHECK_NEAR(kanal_stats_fisher(5, 0, 7, 0), 1.0, 0);     /* an empty column */
    /* large counts: no overflow (Python, exact integers with math.comb: 0.00487880) */
    double big = kanal_stats_fisher(5200, 4800, 5000, 5000);
    CHECK(big > 0 && big < 0.01);
    CHECK_NEAR(big, 0.00487880, 5e-8);

    /* median and p90 (nearest rank) */
    double one[] = { 4 };
    double four[] = { 1, 2, 4, 10 };
    double ten[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
    double eleven[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
    CHECK_NEAR(kanal_stats_median(one, 1), 4, 0);
    CHECK_NEAR(kanal_stats_p90(one, 1), 4, 0);
    CHECK_NEAR(kanal_stats_median(four, 4), 3, 0);
    CHECK_NEAR(kanal_stats_p90(four, 4), 10, 0); /* ceil(3.6) = 4th */
    CHECK_NEAR(kanal_stats_median(ten, 10), 5.5, 0);
    CHECK_NEAR(kanal_stats_p90(ten, 10), 9, 0); /* ceil(9) = 9th */
    CHECK_NEAR(kanal_stats_median(eleven, 11), 6, 0);
    CHECK_NEAR(kanal_stats_p90(eleven, 11), 10, 0); /* ceil(9.9) = 10th */

    CHECK_NEAR(kanal_stats_round(0.396778, 4), 0.3968, 1e-12);
    CHECK_NEAR(kanal_stats_round(0.01469192, 4), 0.0147, 1e-12);
    CHECK_NEAR(kanal_stats_round(2.345, 2), 2.35, 1e-9);
    return t_done("test_stats");
}
