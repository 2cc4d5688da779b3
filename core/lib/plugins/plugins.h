/*
** plugins.h — the plugin host's side for the engine: running a plugin's
** exporter or importer, and handing events to listeners. The host knows
** nothing of the engine: an importer's rows reach it through the callbacks
** of a plugins_import_host, and a listener's failure through `warn`.
*/
#ifndef KANAL_PLUGINS_H
#define KANAL_PLUGINS_H

#include "base/base.h"
#include "kanal/plugin.h"
#include "kanal/plugins.h"
#include "kanal/table.h"

/*
** How an importer's rows go through the engine: each callback returns
** KANAL_OK, or fills err with why the row was refused.
*/
typedef struct plugins_import_host {
    void *ud;
    int (*add_partner)(void *ud, const kanal_partner_row *row, kanal_error *err);
    int (*step)(void *ud, const kanal_step *step, kanal_error *err);
    void (*progress)(void *ud, long rows); /* may be NULL */
    /* a remark on the file that is not an error (host->notice); may be NULL */
    void (*notice)(void *ud, long line, const char *text);
    int (*add_contact)(void *ud, const kanal_contact_row *row, kanal_error *err);
} plugins_import_host;

/* What an import read and did. */
typedef struct plugins_import_counts {
    long rows;        /* rows read, as the importer reports them */
    long good;        /* rows the engine kept */
    long bad_rows;    /* rows refused, by the importer or the engine */
} plugins_import_counts;

/* Runs the exporter a plugin provides for `format`. */
int plugins_export(kanal_plugins *p, const char *format, const kanal_table *t, kanal_buf *out,
                   kanal_error *err);

/*
** Runs the importer a plugin provides for `format` on args->path; every bad
** row is added to diags as FILE:LINE (file: as the user named it).
*/
int plugins_import(kanal_plugins *p, const char *format, const kanal_import_args *args,
                   const plugins_import_host *host, kanal_diags *diags, const char *file,
                   plugins_import_counts *counts, kanal_error *err);

/* Whether any plugin listens to events (loads the plugins to know). */
bool plugins_any_listener(kanal_plugins *p);

/* Hands committed events to the listeners; a listener that fails is `warn`ed about. */
void plugins_deliver(kanal_plugins *p, const kanal_plugin_event *events, size_t n,
                     void (*warn)(void *ud, const char *message), void *ud);

#endif
