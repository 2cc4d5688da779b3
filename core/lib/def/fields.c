/*
** fields.c — a field's value checked against its definition: its type, its
** bounds, its enum values, and its canonical form.
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "def/fields.h"

static int bad_value(kanal_error *err, const kanal_field_def *f, const char *text,
                     const char *expected)
{
    return kanal_error_set(err, KANAL_EINVALID, "invalid value '%s' for field '%s' (%s): %s",
                           text, f->id, kanal_field_type_name(f->type), expected);
}

static int check_bounds(kanal_error *err, const kanal_field_def *f, const char *text, double x)
{
    if (f->has_min && x < f->min)
        return kanal_error_set(err, KANAL_EINVALID,
                               "value %s for field '%s' is below its minimum %.15g", text,
                               f->id, f->min);
    if (f->has_max && x > f->max)
        return kanal_error_set(err, KANAL_EINVALID,
                               "value %s for field '%s' is above its maximum %.15g", text,
                               f->id, f->max);
    return KANAL_OK;
}

int def_field_value_parse(const kanal_field_def *f, const char *text, char **out,
                      kanal_error *err)
{
    char buf[64];
    const char *canon = text;
    char what[KANAL_ID_MAX + 32];
    snprintf(what, sizeof what, "the value for field '%s'", f->id);
    int rc = kanal_text_ok(what, text, err);
    if (rc)
        return rc;
    switch (f->type) {
    case KANAL_FIELD_TEXT:
        break;
    case KANAL_FIELD_NUMBER: {
        /* a decimal comma, when it cannot be a thousands separator: 12,5 but not 12,500 */
        char dot[64];
        const char *comma = strchr(text, ',');
        if (comma && !strchr(comma + 1, ',') && !strchr(text, '.') && strlen(text) < sizeof dot) {
            size_t after = strspn(comma + 1, "0123456789");
            if (after == 3 && !comma[1 + after] && comma > text && strspn(text, "+-0") < (size_t)(comma - text))
                return bad_value(err, f, text,
                                 "a comma followed by three digits may be a thousands "
                                 "separator: write the number with a dot (12.5) or without it "
                                 "(12500)");
            snprintf(dot, sizeof dot, "%s", text);
            dot[comma - text] = '.';
            text = dot;
        }
        char *end;
        errno = 0;
        double x = strtod(text, &end);
        if (!*text || *end || errno || !isfinite(x) ||
            strspn(text, "0123456789+-.eE") != strlen(text))
            return bad_value(err, f, text, "expected a number such as 12.5");
        if ((rc = check_bounds(err, f, text, x)))
            return rc;
        snprintf(buf, sizeof buf, "%.15g", x == 0 ? 0.0 : x);
        canon = buf;
        break;
    }
    case KANAL_FIELD_INTEGER: {
        char *end;
        errno = 0;
        long long x = strtoll(text, &end, 10);
        if (!*text || *end || errno || strspn(text, "0123456789+-") != strlen(text))
            return bad_value(err, f, text, "expected a whole number such as 12");
        if ((rc = check_bounds(err, f, text, (double)x)))
            return rc;
        snprintf(buf, sizeof buf, "%lld", x);
        canon = buf;
        break;
    }
    case KANAL_FIELD_BOOLEAN:
        if (!strcmp(text, "true") || !strcmp(text, "yes"))
            canon = "true";
        else if (!strcmp(text, "false") || !strcmp(text, "no"))
            canon = "false";
        else
            return bad_value(err, f, text, "expected true or false");
        break;
    case KANAL_FIELD_DATE:
        if (!kanal_date_valid(text)) {
            char why[96];
            kanal_date_why(text, why, sizeof why);
            return bad_value(err, f, text, why);
        }
        break;
    case KANAL_FIELD_ENUM: {
        for (size_t i = 0; i < f->n_values; i++)
            if (strcmp(text, f->values[i]) == 0)
                goto ok;
        /* Resale is resale: matched regardless of case, stored as defined */
        for (size_t i = 0; i < f->n_values; i++)
            if (strcasecmp(text, f->values[i]) == 0) {
                canon = f->values[i];
                goto ok;
            }
        const char *near = kanal_suggest(text, f->values, f->n_values);
        kanal_buf b = KANAL_BUF_INIT;
        for (size_t i = 0; i < f->n_values; i++)
            kanal_buf_printf(&b, "%s%s", i ? ", " : "", f->values[i]);
        if (near)
            kanal_error_set(err, KANAL_EINVALID,
                            "invalid value '%s' for field '%s' (did you mean '%s'?); one of: %s",
                            text, f->id, near, kanal_buf_cstr(&b));
        else
            kanal_error_set(err, KANAL_EINVALID, "invalid value '%s' for field '%s'; one of: %s",
                            text, f->id, kanal_buf_cstr(&b));
        kanal_buf_release(&b);
        return KANAL_EINVALID;
    }
    }
ok:
    if (!(*out = kanal_strdup(canon)))
        return kanal_error_nomem(err);
    return KANAL_OK;
}

