/*
** stats.h — the statistics a report shows beside its figures, so that a
** manager sees when a difference is real and when it may be chance:
**   - the Wilson score interval of a proportion (95%), honest on the small
**     counts a channel team has, where the textbook p ± 1.96·SE is not;
**   - Fisher's exact test of a 2×2 table, two-sided;
**   - the median and the 90th percentile (nearest rank) of a sorted list.
** Not installed.
*/
#ifndef KANAL_STATS_H
#define KANAL_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* z of a two-sided 95% interval */
#define KANAL_STATS_Z95 1.959963984540054

/* The 95% Wilson interval of k successes in n trials; false (and 0, 0) when n is 0. */
bool kanal_stats_wilson(long k, long n, double *low, double *high);

/*
** Fisher's exact test, two-sided, of the table
**     a b
**     c d
** the sum of the probabilities of every table with the same margins that is
** no more likely than this one. 1 when a margin is 0.
*/
double kanal_stats_fisher(long a, long b, long c, long d);

/* The median of n sorted values: the middle one, or the mean of the two. n > 0. */
double kanal_stats_median(const double *sorted, size_t n);
/* The 90th percentile by nearest rank: the value at position ceil(0.9·n). n > 0. */
double kanal_stats_p90(const double *sorted, size_t n);

/* x rounded to `places` decimals (half away from zero). */
double kanal_stats_round(double x, int places);

#endif
