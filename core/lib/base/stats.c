/*
** stats.c — Wilson intervals, Fisher's exact test, median and p90.
*/
#include <math.h>

#include "base/stats.h"

bool kanal_stats_wilson(long k, long n, double *low, double *high)
{
    *low = *high = 0;
    if (n <= 0 || k < 0 || k > n)
        return false;
    const double z = KANAL_STATS_Z95, z2 = z * z;
    double p = (double)k / (double)n, nn = (double)n;
    double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
    double half = z / (1 + z2 / nn) * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
    *low = centre - half;
    *high = centre + half;
    /* the bounds of k = 0 and k = n are exactly 0 and 1 */
    if (k == 0 || *low < 0)
        *low = 0;
    if (k == n || *high > 1)
        *high = 1;
    return true;
}

/* log of n choose k */
static double log_choose(long n, long k)
{
    return lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1);
}

double kanal_stats_fisher(long a, long b, long c, long d)
{
    if (a < 0 || b < 0 || c < 0 || d < 0)
        return NAN;
    long row1 = a + b, col1 = a + c, n = a + b + c + d;
    if (row1 == 0 || col1 == 0 || row1 == n || col1 == n)
        return 1;
    /* P(X = x) for X hypergeometric: x of row 1 in column 1 */
    double log_total = log_choose(n, row1);
    long lo = row1 - (n - col1) > 0 ? row1 - (n - col1) : 0;
    long hi = row1 < col1 ? row1 : col1;
    double observed = log_choose(col1, a) + log_choose(n - col1, row1 - a) - log_total;
    /* tables as likely as the observed one count too: a relative tolerance
       absorbs the rounding of the logarithms */
    double limit = observed + 1e-7;
    double p = 0;
    for (long x = lo; x <= hi; x++) {
        double lp = log_choose(col1, x) + log_choose(n - col1, row1 - x) - log_total;
        if (lp <= limit)
            p += exp(lp);
    }
    return p > 1 ? 1 : p;
}

double kanal_stats_median(const double *sorted, size_t n)
{
    return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

double kanal_stats_p90(const double *sorted, size_t n)
{
    size_t rank = (9 * n + 9) / 10; /* ceil(0.9 n), in integers */
    return sorted[rank ? rank - 1 : 0];
}

double kanal_stats_round(double x, int places)
{
    double f = pow(10, places);
    return round(x * f) / f;
}
