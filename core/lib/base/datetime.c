/*
** time.c — parsing and formatting the ISO 8601 times Kanal stores.
*/
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kanal/datetime.h"

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n digits. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool parse_date(const char **p, int *y, int *m, int *d)
{
    const char *s = *p;
    if (!digits(&s, 4, y) || *s++ != '-' || !digits(&s, 2, m) || *s++ != '-' ||
        !digits(&s, 2, d))
        return false;
    if (*m < 1 || *m > 12 || *d < 1 || *d > month_days(*y, *m) || *y < 1900)
        return false;
    *p = s;
    return true;
}

bool kanal_date_valid(const char *text)
{
    int y, m, d;
    const char *p = text;
    return parse_date(&p, &y, &m, &d) && *p == '\0';
}

void kanal_date_why(const char *text, char *why, size_t n)
{
    static const char *const months[] = { "January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December" };
    int y, m, d, used = 0;
    if (!text || kanal_date_valid(text)) {
        snprintf(why, n, "%s", text ? "" : "expected a date written YYYY-MM-DD");
        return;
    }
    if (strlen(text) == 10 && sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && used == 10 &&
        strspn(text, "0123456789-") == 10 && m >= 1 && m <= 12 && d >= 1)
        snprintf(why, n, "%s %d has no day %d", months[m - 1], y, d);
    else
        snprintf(why, n, "expected a date written YYYY-MM-DD");
}

/*
** Whether t, an instant, is written with a year of four digits from 1900 on,
** as parse_date reads it: a time in 1900 or 9999 with an offset, or local,
** can fall outside, and would then format as a time that does not read back
** (tests/fuzz/time/crashes/).
*/
static bool in_range(int64_t t)
{
    return t >= days_from_civil(1900, 1, 1) * 86400 && t < days_from_civil(10000, 1, 1) * 86400;
}

int kanal_time_parse(const char *text, int64_t *out, kanal_error *err)
{
    const char *p = text;
    int y, mo, d, h = 0, mi = 0, s = 0;
    if (!parse_date(&p, &y, &mo, &d))
        goto bad;
    bool has_time = false;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
            goto bad;
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &s))
                goto bad;
            if (*p == '.' || *p == ',') {
                p++;
                if (*p < '0' || *p > '9')
                    goto bad;
                while (*p >= '0' && *p <= '9')
                    p++;
            }
        }
        if (h > 23 || mi > 59 || s > 59)
            goto bad;
        has_time = true;
    }
    int64_t civil = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
                    mi * 60 + s;
    if (*p == 'Z' || *p == 'z') {
        if (p[1])
            goto bad;
        *out = civil;
        return KANAL_OK;
    }
    if ((*p == '+' || *p == '-') && has_time) {
        int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
        if (!digits(&p, 2, &oh))
            goto bad;
        if (*p == ':' && !p[1])
            goto bad; /* "+01:" */
        if (*p == ':')
            p++;
        if (*p && !digits(&p, 2, &om))
            goto bad;
        if (*p || oh > 14 || om > 59)
            goto bad;
        if (!in_range(civil - sign * (oh * 3600 + om * 60)))
            goto bad;
        *out = civil - sign * (oh * 3600 + om * 60);
        return KANAL_OK;
    }
    if (*p)
        goto bad;
    /* No zone: the local time of this machine. */
    struct tm tm = { 0 };
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 || !in_range((int64_t)t))
        goto bad;
    *out = (int64_t)t;
    return KANAL_OK;
bad:;
    /* a day its month lacks is said as such: February 2026 has no day 30 */
    char day[11], why[96] = "";
    snprintf(day, sizeof day, "%s", text);
    if (strlen(day) == 10)
        kanal_date_why(day, why, sizeof why);
    if (strstr(why, " has no day "))
        return kanal_error_set(err, KANAL_EINVALID, "invalid time '%s': %s", text, why);
    return kanal_error_set(err, KANAL_EINVALID,
                           "invalid time '%s': use ISO 8601, such as 2026-03-01, "
                           "2026-03-01T10:00 or 2026-03-01T10:00:00Z",
                           text);
}

void kanal_time_format(int64_t t, char *buf)
{
    int64_t days = t / 86400, rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
    memcpy(buf, tmp, KANAL_TIME_LEN - 1);
    buf[KANAL_TIME_LEN - 1] = '\0';
}

int64_t kanal_days_between(int64_t a, int64_t b)
{
    int64_t diff = b - a;
    return diff >= 0 ? diff / 86400 : -((-diff) / 86400);
}
