/*
** store.c — choosing the backend by the database's location.
*/
#include "store/store.h"

int store_open(store **out, const char *location, bool create, kanal_error *err)
{
    if (store_pg_location(location))
        return store_pg_open(out, location, create, err);
    return store_sqlite_open(out, location, create, err);
}
