/*
** datetime.h — the times Kanal stores: UTC, ISO 8601, "2026-03-01T10:00:00Z".
*/
#ifndef KANAL_TIME_H
#define KANAL_TIME_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define KANAL_TIME_LEN 21 /* "2026-03-01T10:00:00Z" and the NUL */

/*
** Parses ISO 8601: a date (2026-03-01), a date and time (2026-03-01T10:00,
** 2026-03-01T10:00:00, a space instead of T), with `Z` or an offset
** (+01:00, +0100, +01), or without one, which is local time. Seconds may
** have a fraction, which is dropped. Fills *out with seconds since the epoch.
** Returns KANAL_EINVALID (with a message naming the text) when it is not such
** a time or not a real date.
*/
int kanal_time_parse(const char *text, int64_t *out, kanal_error *err);

/* Formats t as "2026-03-01T10:00:00Z" into buf (at least KANAL_TIME_LEN). */
void kanal_time_format(int64_t t, char *buf);

/* True when text is a real calendar date written YYYY-MM-DD. */
bool kanal_date_valid(const char *text);

/*
** Why text is not a real date, for a message: "February 2026 has no day 30"
** when it is written YYYY-MM-DD with a day its month lacks, else "expected a
** date written YYYY-MM-DD". Into why (n bytes); "" when the date is valid.
*/
void kanal_date_why(const char *text, char *why, size_t n);

/* Whole days from a to b (negative when b is earlier); times are UTC strings. */
int64_t kanal_days_between(int64_t a, int64_t b);

#endif
