/*
** pg_libpq.c — loads libpq when the first PostgreSQL location is opened
** (pg_libpq.h says why it is not linked).
*/
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include "store/postgres/pg_libpq.h"

#ifndef KANAL_LIBPQ_SONAME
#define KANAL_LIBPQ_SONAME "libpq.so.5"
#endif

store_pg_api store_pg_libpq;

/* Each function's name in libpq and its place in the table. */
static const struct {
    const char *name;
    size_t offset;
} functions[] = {
/* clang-format off */
#define F(sym, field) { #sym, offsetof(store_pg_api, field) }
    F(PQconnectdbParams, connectdbParams), F(PQsetNoticeProcessor, setNoticeProcessor),
    F(PQstatus, status), F(PQerrorMessage, errorMessage), F(PQhost, host), F(PQport, port),
    F(PQdb, db), F(PQfinish, finish), F(PQexec, exec), F(PQexecParams, execParams),
    F(PQresultStatus, resultStatus), F(PQresultErrorField, resultErrorField),
    F(PQntuples, ntuples), F(PQnfields, nfields), F(PQgetvalue, getvalue),
    F(PQgetlength, getlength), F(PQgetisnull, getisnull), F(PQcmdTuples, cmdTuples),
    F(PQclear, clear), F(PQescapeLiteral, escapeLiteral), F(PQfreemem, freemem),
#undef F
    /* clang-format on */
};

int store_pg_libpq_load(kanal_error *err)
{
    static void *handle;
    if (handle)
        return KANAL_OK;
    dlerror();
    void *h = dlopen(KANAL_LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "PostgreSQL needs the library %s, which cannot be loaded (%s): "
                               "install PostgreSQL's client library (libpq5 on Debian and "
                               "Ubuntu)",
                               KANAL_LIBPQ_SONAME, why ? why : "not found");
    }
    store_pg_api api;
    for (size_t i = 0; i < sizeof functions / sizeof *functions; i++) {
        void *sym = dlsym(h, functions[i].name);
        if (!sym) {
            dlclose(h);
            return kanal_error_set(err, KANAL_ESTORAGE,
                                   "the library %s lacks %s: install a newer PostgreSQL client "
                                   "library (libpq5)",
                                   KANAL_LIBPQ_SONAME, functions[i].name);
        }
        /* a data pointer into a function pointer's place: POSIX guarantees they are alike */
        memcpy((char *)&api + functions[i].offset, &sym, sizeof sym);
    }
    store_pg_libpq = api;
    handle = h; /* kept for the process: its connections may outlive any one store */
    return KANAL_OK;
}
