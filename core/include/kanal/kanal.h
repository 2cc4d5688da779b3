/*
** kanal.h — libkanal, the engine of Kanal: workflow definitions, the store,
** the rep's lifecycle, Lua rules and plugins. The CLI and the tests include
** this header only.
**
** Conventions: functions return a kanal_code (KANAL_OK is 0) and fill a
** kanal_error on failure; constructors return through an `out` parameter that
** comes first; `_free(NULL)` does nothing; the library never prints or exits.
*/
#ifndef KANAL_KANAL_H
#define KANAL_KANAL_H

#include "buf.h"
#include "diag.h"
#include "error.h"
#include "json.h"
#include "workflow.h"

/* "0.1.0" */
const char *kanal_version(void);

typedef struct kanal kanal;

#endif
