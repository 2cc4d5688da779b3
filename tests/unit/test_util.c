/*
** test_util.c — the small pieces every module leans on:
**
**  - kanal_time_parse / kanal_time_format / kanal_date_valid / kanal_days_between;
**  - field_value_parse for every field type (canonical forms, bounds, enum
**    suggestions) and engine_partner_name_key (case, Polish letters, spacing);
**  - kanal_utf8_fold, kanal_utf8_valid, kanal_utf8_chars;
**  - the JSON writer (escaping, invalid UTF-8, commas and nesting);
**  - kanal_table and its JSON and text renderers.
*/
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "kanal/kanal.h"
#include "t.h"

/* ---- times ------------------------------------------------------------------ */

/* Parses `in` and checks that it is the UTC time `want`. */
#define TIME_IS(in, want)                                                            \
    do {                                                                             \
        int64_t t_ = 0;                                                              \
        kanal_error e_;                                                              \
        kanal_error_clear(&e_);                                                      \
        int rc_ = kanal_time_parse((in), &t_, &e_);                                  \
        if (rc_)                                                                     \
            fprintf(stderr, "  parsing '%s': %s\n", (in), e_.message);               \
        CHECK_INT(rc_, KANAL_OK);                                                    \
        char b_[KANAL_TIME_LEN];                                                     \
        kanal_time_format(t_, b_);                                                   \
        if (strcmp(b_, (want)) != 0)                                                 \
            fprintf(stderr, "  parsing '%s'\n", (in));                               \
        CHECK_STR(b_, (want));                                                       \
    } while (0)

/* Checks that `in` is refused, with a message naming it. */
#define TIME_BAD(in)                                                                 \
    do {                                                                             \
        int64_t t_ = 12345;                                                          \
        kanal_error e_;                                                              \
        kanal_error_clear(&e_);                                                      \
        int rc_ = kanal_time_parse((in), &t_, &e_);                                  \
        if (rc_ != KANAL_EINVALID)                                                   \
            fprintf(stderr, "  '%s' was accepted\n", (in));                          \
        CHECK_INT(rc_, KANAL_EINVALID);                                              \
        CHECK_INT(e_.code, rc_ ? KANAL_EINVALID : KANAL_OK);                         \
        CHECK(rc_ == 0 || strstr(e_.message, "invalid time '") != NULL);             \
    } while (0)

static int64_t parse_or_die(const char *text)
{
    int64_t t = 0;
    kanal_error e;
    if (kanal_time_parse(text, &t, &e)) {
        fprintf(stderr, "cannot parse '%s': %s\n", text, e.message);
        exit(2);
    }
    return t;
}

static void test_time_parse(void)
{
    /* zones: UTC for the local-time cases first */
    setenv("TZ", "UTC", 1);
    tzset();

    /* dates alone are midnight local time (UTC here) */
    TIME_IS("2026-03-01", "2026-03-01T00:00:00Z");
    TIME_IS("2026-03-01Z", "2026-03-01T00:00:00Z");
    /* T, t and a space */
    TIME_IS("2026-03-01T10:00", "2026-03-01T10:00:00Z");
    TIME_IS("2026-03-01t10:00", "2026-03-01T10:00:00Z");
    TIME_IS("2026-03-01 10:00", "2026-03-01T10:00:00Z");
    TIME_IS("2026-03-01T10:00Z", "2026-03-01T10:00:00Z");
    TIME_IS("2026-03-01T10:00z", "2026-03-01T10:00:00Z");
    /* seconds, fractions (dropped, not rounded) */
    TIME_IS("2026-03-01T10:00:59", "2026-03-01T10:00:59Z");
    TIME_IS("2026-03-01T10:00:59Z", "2026-03-01T10:00:59Z");
    TIME_IS("2026-03-01T10:00:59.999Z", "2026-03-01T10:00:59Z");
    TIME_IS("2026-03-01T10:00:59,5Z", "2026-03-01T10:00:59Z");
    TIME_IS("2026-03-01T10:00:00.123456789+01:00", "2026-03-01T09:00:00Z");
    /* offsets: +HH:MM, +HHMM, +HH, negative, crossing the date */
    TIME_IS("2026-03-01T10:00+01:00", "2026-03-01T09:00:00Z");
    TIME_IS("2026-03-01T10:00:00+0100", "2026-03-01T09:00:00Z");
    TIME_IS("2026-03-01T10:00+01", "2026-03-01T09:00:00Z");
    TIME_IS("2026-03-01T10:00-05", "2026-03-01T15:00:00Z");
    TIME_IS("2026-03-01T10:00-05:30", "2026-03-01T15:30:00Z");
    TIME_IS("2026-03-01T10:00+05:45", "2026-03-01T04:15:00Z");
    TIME_IS("2026-03-01T00:30+01:00", "2026-02-28T23:30:00Z");
    TIME_IS("2024-03-01T00:30+01:00", "2024-02-29T23:30:00Z");
    TIME_IS("2026-12-31T23:30-01:00", "2027-01-01T00:30:00Z");
    TIME_IS("2026-03-01T10:00+00:00", "2026-03-01T10:00:00Z");
    TIME_IS("2026-03-01T10:00-00:00", "2026-03-01T10:00:00Z");
    TIME_IS("2026-03-01T10:00+14:00", "2026-02-28T20:00:00Z");
    /* the extremes of a day */
    TIME_IS("2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z");
    TIME_IS("2026-03-01T23:59:59Z", "2026-03-01T23:59:59Z");
    /* leap years */
    TIME_IS("2024-02-29", "2024-02-29T00:00:00Z");
    TIME_IS("2000-02-29T12:00Z", "2000-02-29T12:00:00Z");
    TIME_IS("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z");
    TIME_IS("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z");

    /* not real dates */
    TIME_BAD("2026-02-29");
    TIME_BAD("2026-02-30");
    TIME_BAD("2026-04-31");
    TIME_BAD("2026-13-01");
    TIME_BAD("2026-00-10");
    TIME_BAD("2026-01-00");
    TIME_BAD("2026-01-32");
    TIME_BAD("1900-02-29");
    TIME_BAD("2100-02-29");
    /* not real times */
    TIME_BAD("2026-03-01T24:00");
    TIME_BAD("2026-03-01T23:60");
    TIME_BAD("2026-03-01T23:59:60");
    TIME_BAD("2026-03-01T10");
    TIME_BAD("2026-03-01T10:0");
    TIME_BAD("2026-03-01T1:00");
    TIME_BAD("2026-03-01T");
    TIME_BAD("2026-03-01 ");
    TIME_BAD("2026-03-01T10:00:");
    TIME_BAD("2026-03-01T10:00:5");
    TIME_BAD("2026-03-01T10:00:00.");
    TIME_BAD("2026-03-01T10:00:00.Z");
    /* an offset that takes the instant out of the years 1900 to 9999, where it
       would format as a time that does not read back (found by fuzz_time) */
    TIME_BAD("1900-01-01T00:00+02");
    TIME_BAD("9999-12-31T23:00-02:00");
    TIME_IS("1900-01-01T00:00-02", "1900-01-01T02:00:00Z");
    TIME_IS("9999-12-31T23:00+02:00", "9999-12-31T21:00:00Z");
    /* not the format */
    TIME_BAD("");
    TIME_BAD("now");
    TIME_BAD("26-03-01");
    TIME_BAD("2026-3-1");
    TIME_BAD("2026/03/01");
    TIME_BAD("01.03.2026");
    TIME_BAD("20260301");
    TIME_BAD(" 2026-03-01");
    TIME_BAD("２026-03-01");
    /* trailing junk */
    TIME_BAD("2026-03-01x");
    TIME_BAD("2026-03-01T10:00x");
    TIME_BAD("2026-03-01T10:00:00ZZ");
    TIME_BAD("2026-03-01T10:00:00Z ");
    TIME_BAD("2026-03-01T10:00+01:00x");
    TIME_BAD("2026-03-01T10:00+01:00:00");
    /* bad offsets */
    TIME_BAD("2026-03-01T10:00+1");
    TIME_BAD("2026-03-01T10:00+15:00");
    TIME_BAD("2026-03-01T10:00+01:60");
    TIME_BAD("2026-03-01T10:00+01:0");
    TIME_BAD("2026-03-01T10:00+010");
    TIME_BAD("2026-03-01T10:00+");
    TIME_BAD("2026-03-01+01:00"); /* an offset needs a time */
    /* "+01:" with nothing after the colon is not an offset */
    TIME_BAD("2026-03-01T10:00+01:");
    /* the message names the text */
    {
        int64_t t;
        kanal_error e;
        kanal_error_clear(&e);
        CHECK_INT(kanal_time_parse("2026-02-30", &t, &e), KANAL_EINVALID);
        CHECK_STR(e.message, "invalid time '2026-02-30': February 2026 has no day 30");
        kanal_error_clear(&e);
        CHECK_INT(kanal_time_parse("2026-3-1", &t, &e), KANAL_EINVALID);
        CHECK(strstr(e.message, "'2026-3-1'") != NULL);
        CHECK(strstr(e.message, "ISO 8601") != NULL);
    }

    /* without a zone: local time of the machine */
    setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
    tzset();
    TIME_IS("2026-03-01T10:00", "2026-03-01T09:00:00Z");
    TIME_IS("2026-07-01 10:00:00", "2026-07-01T08:00:00Z");
    TIME_IS("2026-03-01", "2026-02-28T23:00:00Z");
    TIME_IS("2026-03-01T10:00Z", "2026-03-01T10:00:00Z"); /* explicit zones ignore TZ */
    TIME_IS("2026-07-01T10:00+02:00", "2026-07-01T08:00:00Z");
    setenv("TZ", "UTC", 1);
    tzset();
}

static void test_time_format(void)
{
    char b[KANAL_TIME_LEN];
    kanal_time_format(0, b);
    CHECK_STR(b, "1970-01-01T00:00:00Z");
    kanal_time_format(-1, b);
    CHECK_STR(b, "1969-12-31T23:59:59Z");
    kanal_time_format(-86400, b);
    CHECK_STR(b, "1969-12-31T00:00:00Z");
    kanal_time_format(951782400, b); /* 2000-02-29 */
    CHECK_STR(b, "2000-02-29T00:00:00Z");
    kanal_time_format(4107542399LL, b);
    CHECK_STR(b, "2100-02-28T23:59:59Z");
    kanal_time_format(4107542400LL, b);
    CHECK_STR(b, "2100-03-01T00:00:00Z");
    CHECK_INT(strlen(b), KANAL_TIME_LEN - 1);

    /* round trip: every 7 hours 13 minutes over 1999..2101, and every day's
       end, parse(format(t)) == t and format(parse(s)) == s */
    int bad = 0;
    for (int64_t t = 915148800LL; t < 4133980800LL; t += 7 * 3600 + 13 * 60 + 17) {
        kanal_time_format(t, b);
        int64_t back = -1;
        kanal_error e;
        if (kanal_time_parse(b, &back, &e) != KANAL_OK || back != t) {
            if (bad++ < 5)
                fprintf(stderr, "  round trip of %lld (%s) gave %lld\n", (long long)t, b,
                        (long long)back);
        }
        char again[KANAL_TIME_LEN];
        kanal_time_format(back, again);
        if (strcmp(again, b) != 0)
            bad++;
    }
    CHECK_INT(bad, 0);

    /* every day of 2024 and 2026 parses as a date exactly when it is one */
    int days[2] = { 0, 0 };
    int years[2] = { 2024, 2026 };
    for (int y = 0; y < 2; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= 31; d++) {
                char s[16];
                snprintf(s, sizeof s, "%04d-%02d-%02d", years[y], m, d);
                days[y] += kanal_date_valid(s);
            }
    CHECK_INT(days[0], 366);
    CHECK_INT(days[1], 365);
}

static void test_date_valid(void)
{
    CHECK(kanal_date_valid("2026-03-01"));
    CHECK(kanal_date_valid("2024-02-29"));
    CHECK(kanal_date_valid("2000-02-29"));
    CHECK(kanal_date_valid("2026-12-31"));
    CHECK(!kanal_date_valid("2026-02-29"));
    CHECK(!kanal_date_valid("1900-02-29"));
    CHECK(!kanal_date_valid("2026-02-30"));
    CHECK(!kanal_date_valid("2026-13-01"));
    CHECK(!kanal_date_valid("2026-00-01"));
    CHECK(!kanal_date_valid("2026-06-31"));
    CHECK(!kanal_date_valid("2026-3-1"));
    CHECK(!kanal_date_valid("2026-03-01T10:00"));
    CHECK(!kanal_date_valid("2026-03-01 "));
    CHECK(!kanal_date_valid(" 2026-03-01"));
    CHECK(!kanal_date_valid(""));
    CHECK(!kanal_date_valid("2026-03"));
    CHECK(!kanal_date_valid("yesterday"));
}

static void test_days_between(void)
{
    int64_t a = parse_or_die("2026-03-01T10:00:00Z");
    CHECK_INT(kanal_days_between(a, a), 0);
    CHECK_INT(kanal_days_between(a, a + 86399), 0);
    CHECK_INT(kanal_days_between(a, a + 86400), 1);
    CHECK_INT(kanal_days_between(a, parse_or_die("2026-03-15T09:59:59Z")), 13);
    CHECK_INT(kanal_days_between(a, parse_or_die("2026-03-15T10:00:00Z")), 14);
    CHECK_INT(kanal_days_between(a, a - 1), 0);
    CHECK_INT(kanal_days_between(a, a - 86400), -1);
    CHECK_INT(kanal_days_between(a, a - 86401), -1);
    CHECK_INT(kanal_days_between(a, a - 2 * 86400), -2);
    /* across a leap day */
    CHECK_INT(kanal_days_between(parse_or_die("2024-02-28Z"), parse_or_die("2024-03-01Z")), 2);
    CHECK_INT(kanal_days_between(parse_or_die("2026-02-28Z"), parse_or_die("2026-03-01Z")), 1);
    CHECK_INT(kanal_days_between(parse_or_die("2026-01-01Z"), parse_or_die("2027-01-01Z")), 365);
    CHECK_INT(kanal_days_between(parse_or_die("2024-01-01Z"), parse_or_die("2025-01-01Z")), 366);
}

/* ---- field values ------------------------------------------------------------------- */

#define FIELD_OK(f, in, want)                                                        \
    do {                                                                             \
        char *o_ = NULL;                                                             \
        kanal_error e_;                                                              \
        kanal_error_clear(&e_);                                                      \
        int rc_ = def_field_value_parse((f), (in), &o_, &e_);                            \
        if (rc_)                                                                     \
            fprintf(stderr, "  field '%s', value '%s': %s\n", (f)->id, (in), e_.message); \
        CHECK_INT(rc_, KANAL_OK);                                                    \
        CHECK_STR(o_, (want));                                                       \
        free(o_);                                                                    \
    } while (0)

/* Refused with KANAL_EINVALID; the message contains `part`. */
#define FIELD_BAD(f, in, part)                                                       \
    do {                                                                             \
        char *o_ = NULL;                                                             \
        kanal_error e_;                                                              \
        kanal_error_clear(&e_);                                                      \
        int rc_ = def_field_value_parse((f), (in), &o_, &e_);                            \
        if (rc_ != KANAL_EINVALID)                                                   \
            fprintf(stderr, "  field '%s', value '%s' gave '%s'\n", (f)->id, (in),   \
                    o_ ? o_ : "(null)");                                             \
        CHECK_INT(rc_, KANAL_EINVALID);                                              \
        CHECK(o_ == NULL);                                                           \
        if (rc_ && !strstr(e_.message, (part)))                                      \
            fprintf(stderr, "  message: %s\n  wanted in it: %s\n", e_.message, (part)); \
        CHECK(rc_ == 0 || strstr(e_.message, (part)) != NULL);                       \
        free(o_);                                                                    \
    } while (0)

static void test_field_values(void)
{
    kanal_field_def text = { .id = "regions", .name = "Regions", .type = KANAL_FIELD_TEXT };
    FIELD_OK(&text, "Mazowsze, Łódzkie", "Mazowsze, Łódzkie");
    FIELD_OK(&text, "  kept as written  ", "  kept as written  ");
    FIELD_OK(&text, "line\nbreak", "line\nbreak");
    FIELD_BAD(&text, "bad \xff byte", "not valid UTF-8");
    FIELD_BAD(&text, "cut \xc5", "'regions'");

    kanal_field_def num = { .id = "amount", .name = "Amount", .type = KANAL_FIELD_NUMBER };
    FIELD_OK(&num, "12.50", "12.5");
    FIELD_OK(&num, "12", "12");
    FIELD_OK(&num, "12.0", "12");
    FIELD_OK(&num, "+3.25", "3.25");
    FIELD_OK(&num, "-3.25", "-3.25");
    FIELD_OK(&num, ".5", "0.5");
    FIELD_OK(&num, "5.", "5");
    FIELD_OK(&num, "0", "0");
    FIELD_OK(&num, "-0", "0");
    FIELD_OK(&num, "-0.0", "0");
    FIELD_OK(&num, "000120", "120");
    FIELD_OK(&num, "1e3", "1000");
    FIELD_OK(&num, "2.5E-1", "0.25");
    FIELD_OK(&num, "0.1", "0.1");
    FIELD_OK(&num, "1234567.89", "1234567.89");
    FIELD_BAD(&num, "", "expected a number");
    FIELD_BAD(&num, "abc", "invalid value 'abc' for field 'amount' (number)");
    FIELD_OK(&num, "12,5", "12.5"); /* a decimal comma */
    FIELD_OK(&num, "0,125", "0.125");
    FIELD_BAD(&num, "12,500", "may be a thousands separator"); /* ambiguous */
    FIELD_BAD(&num, "1,2,3", "expected a number");
    FIELD_BAD(&num, "12.5.1", "expected a number");
    FIELD_BAD(&num, " 12", "expected a number");
    FIELD_BAD(&num, "12 ", "expected a number");
    FIELD_BAD(&num, "12zł", "expected a number");
    FIELD_BAD(&num, "inf", "expected a number");
    FIELD_BAD(&num, "-infinity", "expected a number");
    FIELD_BAD(&num, "nan", "expected a number");
    FIELD_BAD(&num, "0x1A", "expected a number");
    FIELD_BAD(&num, "1e", "expected a number");
    FIELD_BAD(&num, "1e999", "expected a number");
    FIELD_BAD(&num, "+", "expected a number");
    FIELD_BAD(&num, ".", "expected a number");

    kanal_field_def pct = { .id = "margin_pct", .name = "Margin", .type = KANAL_FIELD_NUMBER,
                            .has_min = true, .min = 0, .has_max = true, .max = 40 };
    FIELD_OK(&pct, "0", "0");
    FIELD_OK(&pct, "40", "40");
    FIELD_OK(&pct, "40.0", "40");
    FIELD_OK(&pct, "17.5", "17.5");
    FIELD_BAD(&pct, "40.01", "value 40.01 for field 'margin_pct' is above its maximum 40");
    FIELD_BAD(&pct, "-0.5", "value -0.5 for field 'margin_pct' is below its minimum 0");
    FIELD_BAD(&pct, "1e2", "above its maximum 40");

    kanal_field_def half = { .id = "ratio", .name = "Ratio", .type = KANAL_FIELD_NUMBER,
                             .has_min = true, .min = 0.5 };
    FIELD_OK(&half, "0.5", "0.5");
    FIELD_BAD(&half, "0.49", "below its minimum 0.5");

    kanal_field_def in = { .id = "payment_days", .name = "Days", .type = KANAL_FIELD_INTEGER,
                           .has_min = true, .min = 0, .has_max = true, .max = 120 };
    FIELD_OK(&in, "+7", "7");
    FIELD_OK(&in, "7", "7");
    FIELD_OK(&in, "007", "7");
    FIELD_OK(&in, "0", "0");
    FIELD_OK(&in, "-0", "0");
    FIELD_OK(&in, "120", "120");
    FIELD_BAD(&in, "121", "value 121 for field 'payment_days' is above its maximum 120");
    FIELD_BAD(&in, "-1", "value -1 for field 'payment_days' is below its minimum 0");
    FIELD_BAD(&in, "7.0", "expected a whole number");
    FIELD_BAD(&in, "7.5", "invalid value '7.5' for field 'payment_days' (integer)");
    FIELD_BAD(&in, "1e2", "expected a whole number");
    FIELD_BAD(&in, "", "expected a whole number");
    FIELD_BAD(&in, " 7", "expected a whole number");
    FIELD_BAD(&in, "7 ", "expected a whole number");
    FIELD_BAD(&in, "seven", "expected a whole number");
    FIELD_BAD(&in, "+-7", "expected a whole number");
    FIELD_BAD(&in, "0x10", "expected a whole number");

    kanal_field_def big = { .id = "count", .name = "Count", .type = KANAL_FIELD_INTEGER };
    FIELD_OK(&big, "-42", "-42");
    FIELD_OK(&big, "9223372036854775807", "9223372036854775807");
    FIELD_BAD(&big, "9223372036854775808", "expected a whole number");
    FIELD_BAD(&big, "-99999999999999999999", "expected a whole number");

    kanal_field_def b = { .id = "exclusive", .name = "Exclusive", .type = KANAL_FIELD_BOOLEAN };
    FIELD_OK(&b, "true", "true");
    FIELD_OK(&b, "yes", "true");
    FIELD_OK(&b, "false", "false");
    FIELD_OK(&b, "no", "false");
    FIELD_BAD(&b, "", "expected true or false");
    FIELD_BAD(&b, "maybe", "invalid value 'maybe' for field 'exclusive' (boolean)");
    FIELD_BAD(&b, "1", "expected true or false");
    FIELD_BAD(&b, "tak", "expected true or false");
    FIELD_BAD(&b, "true ", "expected true or false");

    kanal_field_def d = { .id = "launch_date", .name = "Launch", .type = KANAL_FIELD_DATE };
    FIELD_OK(&d, "2026-03-01", "2026-03-01");
    FIELD_OK(&d, "2024-02-29", "2024-02-29");
    FIELD_BAD(&d, "2026-02-29", "February 2026 has no day 29");
    FIELD_BAD(&d, "2026-02-30", "invalid value '2026-02-30' for field 'launch_date' (date)");
    FIELD_BAD(&d, "2026-13-01", "expected a date");
    FIELD_BAD(&d, "2026-03-01T10:00", "expected a date");
    FIELD_BAD(&d, "1.03.2026", "expected a date");
    FIELD_BAD(&d, "", "expected a date");

    static const char *const forms[] = { "resale", "implementation" };
    kanal_field_def e = { .id = "cooperation_form", .name = "Form", .type = KANAL_FIELD_ENUM,
                          .values = forms, .n_values = 2 };
    FIELD_OK(&e, "resale", "resale");
    FIELD_OK(&e, "implementation", "implementation");
    FIELD_BAD(&e, "resal",
              "invalid value 'resal' for field 'cooperation_form' (did you mean 'resale'?); "
              "one of: resale, implementation");
    FIELD_BAD(&e, "implementaiton", "(did you mean 'implementation'?)");
    FIELD_BAD(&e, "franchise",
              "invalid value 'franchise' for field 'cooperation_form'; one of: resale, "
              "implementation");
    FIELD_OK(&e, "Resale", "resale"); /* any case, stored as defined */
    FIELD_OK(&e, "IMPLEMENTATION", "implementation");
    FIELD_BAD(&e, "", "one of: resale, implementation");
    {
        /* no suggestion: the message must not offer one */
        char *o = NULL;
        kanal_error err;
        kanal_error_clear(&err);
        CHECK_INT(def_field_value_parse(&e, "franchise", &o, &err), KANAL_EINVALID);
        CHECK(strstr(err.message, "did you mean") == NULL);
        free(o);
    }
}

/* ---- partner name keys and folding ------------------------------------------------------ */

#define KEY_IS(in, want)                                                                           \
    do {                                                                                           \
        char *k_ = engine_partner_name_key(in);                                                    \
        CHECK_STR(k_, (want));                                                                     \
        free(k_);                                                                                  \
    } while (0)

#define FOLD_IS(in, want)                                                            \
    do {                                                                             \
        char *f_ = kanal_utf8_fold(in);                                              \
        CHECK_STR(f_, (want));                                                       \
        free(f_);                                                                    \
    } while (0)

#define SEARCH_IS(f, in, want)                                                                     \
    do {                                                                                           \
        char *s_ = kanal_fold((f), (in));                                                          \
        CHECK_STR(s_, (want));                                                                     \
        free(s_);                                                                                  \
    } while (0)

/* Text as people search it: accents, case and blanks aside, in every script's way. */
static void test_search_fold(void)
{
    kanal_folder *f = kanal_folder_new();
    CHECK(f != NULL);
    SEARCH_IS(f, "Łódź  Hurt", "lodz hurt");
    SEARCH_IS(f, "Agencja Wiśniewska", "agencja wisniewska");
    SEARCH_IS(f, "ZAŻÓŁĆ GĘŚLĄ JAŹŃ", "zazolc gesla jazn");
    SEARCH_IS(f, "Straße", "strasse");
    SEARCH_IS(f, "Ærø Øst", "aero ost");
    SEARCH_IS(f, "İstanbul", "istanbul");
    SEARCH_IS(f, "Москва", "москва"); /* other scripts: their case only */
    SEARCH_IS(f, "\tA  b\n", "a b");  /* blanks: one space, none at the ends */
    SEARCH_IS(f, "", "");
    SEARCH_IS(f, "bad \xff byte", "bad \xef\xbf\xbd byte"); /* not UTF-8: a replacement */
    SEARCH_IS(NULL, "ABC Łódź", "abc łódź"); /* without ICU's transliterator: case only */
    CHECK(kanal_words_in("hurtownia lodz", "lodz hurt"));
    CHECK(!kanal_words_in("hurtownia lodz", "lodz sklep"));
    CHECK(kanal_fold_contains(f, "Łódź Hurt", "hurt lodz"));
    CHECK(!kanal_fold_contains(f, NULL, "x"));
    kanal_folder_free(f);
    kanal_folder_free(NULL);
}

static void test_name_keys(void)
{
    KEY_IS("Hurtownia ABC", "hurtownia abc");
    KEY_IS("hurtownia abc", "hurtownia abc");
    KEY_IS("HURTOWNIA ABC", "hurtownia abc");
    KEY_IS("  Hurtownia    ABC  ", "hurtownia abc");
    KEY_IS("Hurtownia\tABC\n", "hurtownia abc");
    KEY_IS("\r\n Hurtownia \t \r\n ABC", "hurtownia abc");
    KEY_IS("ŁÓDŹ", "łódź");
    KEY_IS("Łódź", "łódź");
    KEY_IS("łódź", "łódź");
    KEY_IS("ĄĆĘŁŃÓŚŹŻ", "ąćęłńóśźż");
    KEY_IS("ąćęłńóśźż", "ąćęłńóśźż");
    KEY_IS("Zakład Usług  Świętokrzyskich", "zakład usług świętokrzyskich");
    KEY_IS("ŻÓŁW Sp. z o.o.", "żółw sp. z o.o.");
    KEY_IS("Źródło", "źródło");
    KEY_IS("", "");
    KEY_IS("   ", "");
    KEY_IS("A", "a");
    /* the key of a name and of its other spellings is the same */
    char *a = engine_partner_name_key("Hurtownia Łódź ABC");
    char *b = engine_partner_name_key("  hurtownia ŁÓDŹ   abc ");
    CHECK_STR(a, b);
    free(a);
    free(b);
    /* punctuation and digits are kept */
    KEY_IS("P.H.U. \"Kowalski\" & Syn 2", "p.h.u. \"kowalski\" & syn 2");
}

static void test_fold(void)
{
    FOLD_IS("ABCxyz 019 -_.", "abcxyz 019 -_.");
    FOLD_IS("", "");
    /* Polish, one by one */
    FOLD_IS("Ą", "ą");
    FOLD_IS("Ć", "ć");
    FOLD_IS("Ę", "ę");
    FOLD_IS("Ł", "ł");
    FOLD_IS("Ń", "ń");
    FOLD_IS("Ó", "ó");
    FOLD_IS("Ś", "ś");
    FOLD_IS("Ź", "ź");
    FOLD_IS("Ż", "ż");
    FOLD_IS("ą", "ą");
    FOLD_IS("ł", "ł");
    FOLD_IS("ś", "ś");
    FOLD_IS("ż", "ż");
    FOLD_IS("ź", "ź");
    /* Latin-1 and Latin Extended-A */
    FOLD_IS("ÀÉÎÕÜÞ", "àéîõüþ");
    FOLD_IS("×", "×");       /* the multiplication sign is not a letter */
    FOLD_IS("ß", "ß");
    FOLD_IS("ČŘŠŽĚŮ", "čřšžěů");
    FOLD_IS("ĹĽŇ", "ĺľň");  /* the odd/even run 0x139..0x148 */
    FOLD_IS("ŐŰ", "őű");
    FOLD_IS("ĸŉſ", "ĸŉſ");  /* letters with no case pair stay */
    /* Ÿ (U+0178) is the capital of ÿ (U+00FF), not a neighbour of Ź */
    FOLD_IS("Ÿ", "ÿ");
    /* Greek and Cyrillic */
    FOLD_IS("ΑΒΓΔ ΣΩ", "αβγδ σω");
    FOLD_IS("ПРИВЕТ", "привет");
    FOLD_IS("ЁЂЏ", "ёђџ");
    /* CJK and emoji pass through */
    FOLD_IS("日本 😀", "日本 😀");
    /* idempotent on a mixed string */
    char *once = kanal_utf8_fold("Świętokrzyskie ΑΒΓ Ёж Ÿ");
    char *twice = once ? kanal_utf8_fold(once) : NULL;
    CHECK_STR(twice, once);
    free(once);
    free(twice);
}

static void test_utf8(void)
{
    size_t bad = 99;
    CHECK(kanal_utf8_valid("", 0, &bad));
    CHECK(kanal_utf8_valid("zażółć gęślą jaźń", strlen("zażółć gęślą jaźń"), &bad));
    CHECK(kanal_utf8_valid("😀", 4, &bad));
    CHECK(!kanal_utf8_valid("ab\xff", 3, &bad));
    CHECK_INT(bad, 2);
    CHECK(!kanal_utf8_valid("a\xc5", 2, &bad)); /* cut */
    CHECK_INT(bad, 1);
    CHECK(!kanal_utf8_valid("\xc0\xaf", 2, &bad)); /* overlong */
    CHECK_INT(bad, 0);
    CHECK(!kanal_utf8_valid("\xed\xa0\x80", 3, &bad)); /* a surrogate */
    CHECK(!kanal_utf8_valid("\xf4\x90\x80\x80", 4, &bad)); /* beyond U+10FFFF */
    CHECK(!kanal_utf8_valid("\x80", 1, &bad));
    CHECK_INT(kanal_utf8_chars("łódź", strlen("łódź")), 4);
    CHECK_INT(kanal_utf8_chars("abc", 3), 3);
    CHECK_INT(kanal_utf8_chars("😀x", 5), 2);
}

/* ---- JSON --------------------------------------------------------------------------------- */

#define ESC_IS(in, want)                                                             \
    do {                                                                             \
        kanal_buf b_ = KANAL_BUF_INIT;                                               \
        kanal_json_escape(&b_, (in));                                                \
        CHECK_STR(kanal_buf_cstr(&b_), (want));                                      \
        kanal_buf_release(&b_);                                                      \
    } while (0)

static void test_json(void)
{
    ESC_IS("", "\"\"");
    ESC_IS("plain", "\"plain\"");
    ESC_IS("say \"hi\"", "\"say \\\"hi\\\"\"");
    ESC_IS("C:\\dir", "\"C:\\\\dir\"");
    ESC_IS("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
    ESC_IS("\x01\x08\x0c\x1f", "\"\\u0001\\u0008\\u000c\\u001f\"");
    ESC_IS("del\x7f", "\"del\\u007f\"");
    ESC_IS("/slash/", "\"/slash/\"");
    ESC_IS("Łódź 😀", "\"Łódź 😀\"");
    /* invalid UTF-8 becomes U+FFFD, one for each bad byte */
    ESC_IS("a\xff" "b", "\"a\xEF\xBF\xBD" "b\"");
    ESC_IS("cut\xc5", "\"cut\xEF\xBF\xBD\"");
    ESC_IS("\x80", "\"\xEF\xBF\xBD\"");
    ESC_IS("\xc0\xaf", "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
    ESC_IS("\xed\xa0\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
    ESC_IS("\xe2\x82" "x", "\"\xEF\xBF\xBD\xEF\xBF\xBD" "x\"");
    /* a valid character followed by a stray continuation byte keeps the
       character and replaces only the stray byte */
    ESC_IS("\xc3\xa9\x80", "\"\xc3\xa9\xEF\xBF\xBD\"");
    ESC_IS("\xc5\x82\x80\x80", "\"\xc5\x82\xEF\xBF\xBD\xEF\xBF\xBD\"");
    /* the output is always valid UTF-8, whatever goes in */
    {
        unsigned char junk[256];
        for (int i = 0; i < 255; i++)
            junk[i] = (unsigned char)(255 - i);
        junk[255] = 0;
        kanal_buf b = KANAL_BUF_INIT;
        kanal_json_escape(&b, (const char *)junk);
        size_t bad;
        CHECK(kanal_utf8_valid(b.data, b.len, &bad));
        bool ctl = false;
        for (size_t i = 0; i < b.len; i++)
            ctl |= (unsigned char)b.data[i] < 0x20;
        CHECK(!ctl);
        kanal_buf_release(&b);
    }

    /* the writer: commas, nesting, every kind of value */
    kanal_buf out = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &out);
    kanal_json_object(&j);
    kanal_json_key(&j, "s");
    kanal_json_str(&j, "x\"y");
    kanal_json_key(&j, "n");
    kanal_json_str(&j, NULL);
    kanal_json_key(&j, "i");
    kanal_json_int(&j, -9007199254740993LL);
    kanal_json_key(&j, "f");
    kanal_json_num(&j, 12.5);
    kanal_json_key(&j, "tenth");
    kanal_json_num(&j, 0.1);
    kanal_json_key(&j, "third");
    kanal_json_num(&j, 1.0 / 3.0);
    kanal_json_key(&j, "inf");
    kanal_json_num(&j, 1e308 * 10);
    kanal_json_key(&j, "t");
    kanal_json_bool(&j, true);
    kanal_json_key(&j, "a");
    kanal_json_array(&j);
    kanal_json_int(&j, 1);
    kanal_json_array(&j);
    kanal_json_end_array(&j);
    kanal_json_object(&j);
    kanal_json_end_object(&j);
    kanal_json_null(&j);
    kanal_json_bool(&j, false);
    kanal_json_end_array(&j);
    kanal_json_key(&j, "raw");
    kanal_json_raw(&j, "{\"x\":[1,2]}");
    kanal_json_key(&j, "raw_null");
    kanal_json_raw(&j, NULL);
    kanal_json_key(&j, "raw_empty");
    kanal_json_raw(&j, "");
    kanal_json_key(&j, "k\n\"");
    kanal_json_int(&j, 0);
    kanal_json_end_object(&j);
    CHECK(!out.oom);
    CHECK_STR(kanal_buf_cstr(&out),
              "{\"s\":\"x\\\"y\",\"n\":null,\"i\":-9007199254740993,\"f\":12.5,\"tenth\":0.1,"
              "\"third\":0.33333333333333331,\"inf\":null,\"t\":true,"
              "\"a\":[1,[],{},null,false],\"raw\":{\"x\":[1,2]},\"raw_null\":null,"
              "\"raw_empty\":null,\"k\\n\\\"\":0}");
    kanal_buf_release(&out);

    /* two top-level arrays in one buffer are separated like values */
    kanal_json_init(&j, &out);
    kanal_json_array(&j);
    kanal_json_str(&j, "a");
    kanal_json_str(&j, "b");
    kanal_json_end_array(&j);
    CHECK_STR(kanal_buf_cstr(&out), "[\"a\",\"b\"]");
    kanal_buf_release(&out);
}

/* ---- tables ----------------------------------------------------------------------------- */

static kanal_table *sample_table(void)
{
    kanal_table *t = NULL;
    kanal_error e;
    kanal_error_clear(&e);
    CHECK_INT(kanal_table_new(&t, "things", "Things", &e), KANAL_OK);
    if (!t)
        exit(2);
    CHECK_INT(kanal_table_add_column(t, "id", KANAL_TYPE_INT, "id"), 0);
    CHECK_INT(kanal_table_add_column(t, "name", KANAL_TYPE_TEXT, "name"), 0);
    CHECK_INT(kanal_table_add_column(t, "amount", KANAL_TYPE_NUMBER, "amount"), 0);
    CHECK_INT(kanal_table_add_column(t, "ok", KANAL_TYPE_BOOL, "ok"), 0);
    CHECK_INT(kanal_table_add_column(t, "tags", KANAL_TYPE_LIST, "tags"), 0);
    CHECK_INT(kanal_table_add_column(t, "at", KANAL_TYPE_TIME, "when"), 0);
    return t;
}

static void test_table(void)
{
    kanal_table *t = sample_table();
    CHECK_STR(kanal_table_name(t), "things");
    CHECK_STR(kanal_table_title(t), "Things");
    CHECK_INT(kanal_table_columns(t), 6);
    CHECK_INT(kanal_table_rows(t), 0);
    CHECK_INT(kanal_table_column_index(t, "amount"), 2);
    CHECK_INT(kanal_table_column_index(t, "nope"), -1);
    CHECK_STR(kanal_table_column_label(t, 5), "when");
    CHECK_STR(kanal_table_column_name(t, 5), "at");
    CHECK(kanal_table_column_name(t, 6) == NULL);
    CHECK_INT(kanal_table_column_type(t, 4), KANAL_TYPE_LIST);
    /* setting a cell before any row is a usage error */
    CHECK_INT(kanal_table_set(t, 0, "1"), KANAL_EUSAGE);

    /* empty */
    kanal_buf out = KANAL_BUF_INIT;
    kanal_table_render_text(t, &out);
    CHECK_STR(kanal_buf_cstr(&out), "no things\n");
    kanal_buf_reset(&out);
    kanal_table_render_json(t, &out);
    CHECK_STR(kanal_buf_cstr(&out), "{\"things\":[]}\n");
    kanal_buf_reset(&out);

    /* rows */
    CHECK_INT(kanal_table_add_row(t), 0);
    CHECK_INT(kanal_table_set_int(t, 0, 7), 0);
    CHECK_INT(kanal_table_set(t, 1, "Łódź \"Hurt\""), 0);
    CHECK_INT(kanal_table_set_number(t, 2, 12.5), 0);
    CHECK_INT(kanal_table_set_bool(t, 3, 1), 0);
    CHECK_INT(kanal_table_set(t, 4, "a\nb"), 0);
    CHECK_INT(kanal_table_set(t, 5, "2026-03-01T10:00:00Z"), 0);
    CHECK_INT(kanal_table_set(t, 6, "x"), KANAL_EUSAGE); /* no such column */
    CHECK_INT(kanal_table_add_row(t), 0);
    CHECK_INT(kanal_table_set_int(t, 0, 12345), 0);
    CHECK_INT(kanal_table_set(t, 1, "x"), 0);
    CHECK_INT(kanal_table_set_number(t, 2, -0.25), 0);
    CHECK_INT(kanal_table_set_bool(t, 3, 0), 0);
    /* tags and at stay NULL */
    CHECK_INT(kanal_table_rows(t), 2);
    CHECK_STR(kanal_table_cell(t, 0, 2), "12.5");
    CHECK_STR(kanal_table_cell(t, 1, 3), "false");
    CHECK(kanal_table_cell(t, 1, 4) == NULL);
    CHECK(kanal_table_cell(t, 2, 0) == NULL);
    /* columns cannot be added once there are rows */
    CHECK(kanal_table_add_column(t, "late", KANAL_TYPE_TEXT, NULL) != 0);
    CHECK_INT(kanal_table_columns(t), 6);
    CHECK_INT(kanal_table_add_filter(t, "owner", "marcin"), 0);
    CHECK_INT(kanal_table_filters(t), 1);
    CHECK_STR(kanal_table_filter_name(t, 0), "owner");
    CHECK_STR(kanal_table_filter_value(t, 0), "marcin");
    CHECK(kanal_table_filter_name(t, 1) == NULL);

    kanal_table_render_json(t, &out);
    CHECK_STR(kanal_buf_cstr(&out),
              "{\"things\":[{\"id\":7,\"name\":\"Łódź \\\"Hurt\\\"\",\"amount\":12.5,\"ok\":true,"
              "\"tags\":[\"a\",\"b\"],\"at\":\"2026-03-01T10:00:00Z\"},"
              "{\"id\":12345,\"name\":\"x\",\"amount\":-0.25,\"ok\":false,\"tags\":[],"
              "\"at\":null}]}\n");
    kanal_buf_reset(&out);

    /* text: upper-case headers, numbers and their headers to the right, "-" for
       nothing, times to the minute, lists joined with ", ", no trailing blanks */
    kanal_table_render_text(t, &out);
    CHECK_STR(kanal_buf_cstr(&out),
              "   ID  NAME         AMOUNT  OK     TAGS  WHEN\n"
              "    7  Łódź \"Hurt\"    12.5  true   a, b  2026-03-01 10:00\n"
              "12345  x             -0.25  false  -     -\n");
    kanal_buf_release(&out);
    kanal_table_free(t);

    /* a NULL last cell leaves no trailing blanks; control characters in text
       are shown as blanks */
    kanal_table *u = NULL;
    kanal_error e;
    CHECK_INT(kanal_table_new(&u, "users", NULL, &e), 0);
    CHECK_STR(kanal_table_title(u), "users");
    kanal_table_add_column(u, "id", KANAL_TYPE_TEXT, NULL);
    kanal_table_add_column(u, "note", KANAL_TYPE_TEXT, NULL);
    kanal_table_add_row(u);
    kanal_table_set(u, 0, "ann");
    kanal_table_set(u, 1, "two\nlines\tand tab");
    kanal_table_add_row(u);
    kanal_table_set(u, 0, "bartłomiej");
    kanal_table_render_text(u, &out);
    CHECK_STR(kanal_buf_cstr(&out),
              "ID          NOTE\n"
              "ann         two\\nlines\\tand tab\n"
              "bartłomiej  -\n");
    kanal_buf_reset(&out);
    kanal_table_render_json(u, &out);
    CHECK_STR(kanal_buf_cstr(&out),
              "{\"users\":[{\"id\":\"ann\",\"note\":\"two\\nlines\\tand tab\"},"
              "{\"id\":\"bartłomiej\",\"note\":null}]}\n");
    kanal_buf_release(&out);
    kanal_table_free(u);

    /* a list item is never cut, however long */
    kanal_table *l = NULL;
    CHECK_INT(kanal_table_new(&l, "lists", NULL, &e), 0);
    kanal_table_add_column(l, "items", KANAL_TYPE_LIST, NULL);
    kanal_table_add_row(l);
    char longitem[1201];
    memset(longitem, 'x', 1200);
    longitem[1200] = '\0';
    kanal_buf cell = KANAL_BUF_INIT;
    kanal_buf_puts(&cell, "short\n");
    kanal_buf_puts(&cell, longitem);
    kanal_table_set(l, 0, kanal_buf_cstr(&cell));
    kanal_table_render_json(l, &out);
    kanal_buf want = KANAL_BUF_INIT;
    kanal_buf_printf(&want, "{\"lists\":[{\"items\":[\"short\",\"%s\"]}]}\n", longitem);
    CHECK_STR(kanal_buf_cstr(&out), kanal_buf_cstr(&want));
    kanal_buf_release(&want);
    kanal_buf_release(&cell);
    kanal_buf_release(&out);
    kanal_table_free(l);

    kanal_table_free(NULL);
}

/* ---- the "did you mean" helpers ------------------------------------------------------------- */

static void test_suggest(void)
{
    static const char *const words[] = { "call", "email", "meeting" };
    CHECK_STR(kanal_suggest("cal", words, 3), "call");
    CHECK_STR(kanal_suggest("emial", words, 3), "email");
    CHECK(kanal_suggest("call", words, 3) == NULL); /* an exact match is no misspelling */
    CHECK(kanal_suggest("visit", words, 3) == NULL);
    CHECK(kanal_suggest("x", words, 0) == NULL);

    kanal_error e;
    kanal_error_clear(&e);
    CHECK_INT(kanal_unknown(&e, KANAL_ENOTFOUND, "activity type", "emial", words, 3, "in workflow 'w'"),
              KANAL_ENOTFOUND);
    CHECK_STR(e.message, "unknown activity type 'emial' in workflow 'w' (did you mean 'email'?)");
    kanal_error_clear(&e);
    kanal_unknown(&e, KANAL_EINVALID, "partner type", "zzz", words, 3, NULL);
    CHECK_INT(e.code, KANAL_EINVALID);
    CHECK_STR(e.message, "unknown partner type 'zzz' (known: call, email, meeting)");
}

/* An event's data as history shows it: in the data's own key order. */
static void test_event_summary(void)
{
    kanal_arena *a = kanal_arena_new();
    kanal_error e;
    const char *out = NULL;
    CHECK_INT(engine_event_summary(
                  a, "{\"stage\":\"a\",\"n\":2,\"ok\":true,\"x\":null,\"no\":false}", &out, &e),
              KANAL_OK);
    CHECK_STR(out, "stage=a, n=2, ok=true, x=-, no=false");
    CHECK_INT(
        engine_event_summary(a, "{\"user\":\"ann\",\"roles\":[\"admin\",\"manager\"]}", &out, &e),
        KANAL_OK);
    CHECK_STR(out, "user=ann, roles=[\"admin\",\"manager\"]");
    CHECK_INT(engine_event_summary(a, "{}", &out, &e), KANAL_OK);
    CHECK(out == NULL);
    CHECK_INT(engine_event_summary(a, "{\"x\":", &out, &e), KANAL_ESTORAGE);
    kanal_arena_free(a);
}

/* The names of event types and statuses, both ways; the import's verbs. */
static void test_event_names(void)
{
    CHECK_STR(kanal_event_name(KANAL_EV_GOAL_DONE), "goal_done");
    CHECK_INT(kanal_event_type_of("goal_done"), KANAL_EV_GOAL_DONE);
    CHECK_INT(kanal_event_type_of("forged"), KANAL_EV_COUNT);
    CHECK_STR(kanal_event_verb(KANAL_EV_ACTIVITY), "log");
    CHECK(kanal_event_verb(KANAL_EV_MIGRATED) == NULL);
    CHECK_STR(kanal_event_verb(KANAL_EV_NOTE), "note");
    CHECK_INT(kanal_event_of_verb("reopen"), KANAL_EV_REOPENED);
    CHECK_INT(kanal_event_of_verb("void"), KANAL_EV_VOIDED);
    CHECK_STR(kanal_event_arg(KANAL_EV_VOIDED), "seq");
    CHECK_INT(kanal_event_of_verb("set"), KANAL_EV_FIELD_SET);
    CHECK_INT(kanal_event_of_verb("reassign"), KANAL_EV_PARTNER_REASSIGNED);
    CHECK_INT(kanal_event_of_verb("delete"), KANAL_EV_COUNT);
    for (int t = 0; t < KANAL_EV_COUNT; t++)
        CHECK_INT(kanal_event_type_of(kanal_event_name((kanal_event_type)t)), t);
    for (int st = 0; st < KANAL_STATUS_COUNT; st++)
        CHECK_INT(kanal_status_of(kanal_status_name((kanal_status)st)), st);
    CHECK_STR(kanal_status_name(KANAL_LOST), "lost");
    CHECK_INT(kanal_status_of("closed"), KANAL_STATUS_COUNT);
}

int main(void)
{
    test_time_parse();
    test_time_format();
    test_date_valid();
    test_days_between();
    test_field_values();
    test_name_keys();
    test_fold();
    test_search_fold();
    test_utf8();
    test_json();
    test_table();
    test_suggest();
    test_event_summary();
    test_event_names();
    return t_done("test_util");
}
