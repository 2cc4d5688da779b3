/*
** error.c — the kanal_error helpers.
*/
#include <stdio.h>
#include <string.h>

#include "kanal/error.h"

void kanal_error_clear(kanal_error *err)
{
    if (!err)
        return;
    err->code = KANAL_OK;
    err->message[0] = '\0';
    err->where[0] = '\0';
    err->advice = KANAL_ADVICE_NONE;
    err->advice_arg[0] = '\0';
}

int kanal_error_setv(kanal_error *err, kanal_code code, const char *fmt, va_list ap)
{
    if (!err)
        return code;
    err->code = code;
    err->where[0] = '\0';
    err->advice = KANAL_ADVICE_NONE;
    err->advice_arg[0] = '\0';
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    if (n >= (int)sizeof err->message)
        memcpy(err->message + sizeof err->message - 4, "...", 4);
    return code;
}

int kanal_error_set(kanal_error *err, kanal_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kanal_error_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int kanal_error_advise(kanal_error *err, kanal_advice advice, const char *arg)
{
    if (!err)
        return KANAL_OK;
    err->advice = advice;
    snprintf(err->advice_arg, sizeof err->advice_arg, "%s", arg ? arg : "");
    return err->code;
}

int kanal_error_where(kanal_error *err, const char *fmt, ...)
{
    if (!err)
        return KANAL_OK;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->where, sizeof err->where, fmt, ap);
    va_end(ap);
    return err->code;
}

int kanal_error_nomem(kanal_error *err)
{
    return kanal_error_set(err, KANAL_ENOMEM, "out of memory");
}

int kanal_exit_code(kanal_code code)
{
    switch (code) {
    case KANAL_OK: return 0;
    case KANAL_EREFUSED: return 1;
    case KANAL_EUSAGE: return 2;
    case KANAL_ENOTFOUND: return 3;
    case KANAL_EINVALID: return 4;
    case KANAL_ESTORAGE:
    case KANAL_ENOMEM: return 5;
    }
    return 5;
}
