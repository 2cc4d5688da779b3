/*
** store.c — choosing the backend by the database's location.
*/
#include "store/store.h"

int store_open(store **out, const char *location, bool create, kanal_error *err)
{
    /* a path: the embedded SQLite database (the only backend so far) */
    return store_sqlite_open(out, location, create, err);
}
