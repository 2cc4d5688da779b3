/*
** pg_libpq.h — libpq, loaded when first needed (store_pg_libpq_load), not
** linked: every process would otherwise pay for loading it and the twenty
** libraries it brings (TLS, Kerberos, LDAP), about 10 million instructions
** of relocation, though most commands run on SQLite and never call it.
**
** The backend's files call PQ* as usual; the macros below route each call
** through the table of the functions found in the loaded library. Only
** what the backend uses is here: a new PQ function is added to the table,
** to the macros and to the list in pg_libpq.c.
*/
#ifndef KANAL_PG_LIBPQ_H
#define KANAL_PG_LIBPQ_H

#include <libpq-fe.h>

#include "kanal/error.h"

typedef struct store_pg_api {
    PGconn *(*connectdbParams)(const char *const *keywords, const char *const *values,
                               int expand_dbname);
    PQnoticeProcessor (*setNoticeProcessor)(PGconn *conn, PQnoticeProcessor proc, void *arg);
    ConnStatusType (*status)(const PGconn *conn);
    char *(*errorMessage)(const PGconn *conn);
    char *(*host)(const PGconn *conn);
    char *(*port)(const PGconn *conn);
    char *(*db)(const PGconn *conn);
    void (*finish)(PGconn *conn);
    PGresult *(*exec)(PGconn *conn, const char *query);
    PGresult *(*execParams)(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                            const char *const *paramValues, const int *paramLengths,
                            const int *paramFormats, int resultFormat);
    ExecStatusType (*resultStatus)(const PGresult *res);
    char *(*resultErrorField)(const PGresult *res, int fieldcode);
    int (*ntuples)(const PGresult *res);
    int (*nfields)(const PGresult *res);
    char *(*getvalue)(const PGresult *res, int tup_num, int field_num);
    int (*getlength)(const PGresult *res, int tup_num, int field_num);
    int (*getisnull)(const PGresult *res, int tup_num, int field_num);
    char *(*cmdTuples)(PGresult *res);
    void (*clear)(PGresult *res);
    char *(*escapeLiteral)(PGconn *conn, const char *str, size_t len);
    void (*freemem)(void *ptr);
} store_pg_api;

/* The functions of the loaded libpq; valid after store_pg_libpq_load succeeded. */
extern store_pg_api store_pg_libpq;

/*
** Loads libpq once for the process (the soname Kanal was built against) and
** finds its functions. KANAL_ESTORAGE, saying which library to install,
** when it is missing or lacks one of them.
*/
int store_pg_libpq_load(kanal_error *err);

#define PQconnectdbParams(k, v, e) store_pg_libpq.connectdbParams(k, v, e)
#define PQsetNoticeProcessor(c, p, a) store_pg_libpq.setNoticeProcessor(c, p, a)
#define PQstatus(c) store_pg_libpq.status(c)
#define PQerrorMessage(c) store_pg_libpq.errorMessage(c)
#define PQhost(c) store_pg_libpq.host(c)
#define PQport(c) store_pg_libpq.port(c)
#define PQdb(c) store_pg_libpq.db(c)
#define PQfinish(c) store_pg_libpq.finish(c)
#define PQexec(c, q) store_pg_libpq.exec(c, q)
#define PQexecParams(c, q, n, t, v, l, f, r) store_pg_libpq.execParams(c, q, n, t, v, l, f, r)
#define PQresultStatus(r) store_pg_libpq.resultStatus(r)
#define PQresultErrorField(r, f) store_pg_libpq.resultErrorField(r, f)
#define PQntuples(r) store_pg_libpq.ntuples(r)
#define PQnfields(r) store_pg_libpq.nfields(r)
#define PQgetvalue(r, t, f) store_pg_libpq.getvalue(r, t, f)
#define PQgetlength(r, t, f) store_pg_libpq.getlength(r, t, f)
#define PQgetisnull(r, t, f) store_pg_libpq.getisnull(r, t, f)
#define PQcmdTuples(r) store_pg_libpq.cmdTuples(r)
#define PQclear(r) store_pg_libpq.clear(r)
#define PQescapeLiteral(c, s, n) store_pg_libpq.escapeLiteral(c, s, n)
#define PQfreemem(p) store_pg_libpq.freemem(p)

#endif
