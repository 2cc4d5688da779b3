/*
** plugins.h — what the plugin host shares with the import module.
*/
#ifndef KANAL_PLUGINS_H
#define KANAL_PLUGINS_H

#include "engine/engine.h"
#include "kanal/plugin.h"

/* One call of a plugin's callback. */
struct kanal_call {
    struct kanal_plugin *plugin;
    kanal *k;                  /* importers: the engine the rows go through */
    kanal_buf *out;            /* formats and exporters: where they write */
    kanal_diags *diags;        /* importers: one diagnostic a bad row */
    const char *file;          /* importers: the file, for the diagnostics */
    long rows;                 /* rows read, as the importer reports them */
    long good, bad_rows;       /* rows kept, rows refused */
    void (*progress)(void *ud, long rows);
    void *progress_ud;
    const void *importer;      /* importers: the kanal_user who imports */
    bool importer_manager;
    char error[KANAL_ERROR_MESSAGE_MAX];
};

const kanal_host *plugin_host(void);

/* import.c: a partner or a step fed through the engine (0, or -1 with the
   row's error recorded). */
int import_partner(kanal_call *c, const kanal_partner_row *row);
int import_step(kanal_call *c, const kanal_step *s);

/* Runs the exporter or importer a plugin provides for `format`. */
int plugins_export(kanal_plugins *p, const char *format, const kanal_table *t, kanal_buf *out,
                   kanal_error *err);
int plugins_import(kanal_plugins *p, const char *format, kanal_call *call,
                   const kanal_import_args *args, kanal_error *err);

/* Hands the committed events to the listeners (kanal.c calls it). */
void plugins_deliver(kanal_plugins *p, kanal *k, const kanal_plugin_event *events, size_t n);

#endif
