/*
** rules.c — the Lua host for workflow rules.
*/
#include <stdlib.h>

#include "rules.h"

void rules_free(struct rules *r)
{
    free(r);
}
