/*
** plugins.h — the plugins Kanal found: finding and loading them, what each
** provides, and rendering a table in a format (built in, or a plugin's).
** Plugin authors include plugin.h instead.
*/
#ifndef KANAL_PLUGINS_PUBLIC_H
#define KANAL_PLUGINS_PUBLIC_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "table.h"

/* The plugins Kanal found, loaded ones and skipped ones. */
typedef struct kanal_plugins kanal_plugins;

/*
** Prepares the plugin registry: the plugins built with Kanal in
** `builtin_dir`, then every folder of `search_path` (colon-separated, may be
** NULL). Nothing is loaded until first needed. Caller frees with
** kanal_plugins_free.
*/
int kanal_plugins_new(kanal_plugins **out, const char *builtin_dir, const char *search_path,
                      kanal_error *err);
void kanal_plugins_free(kanal_plugins *p);

/*
** Remembers in the file `path` (copied; NULL forgets it) whether any plugin
** provides a listener, so that a command whose events no plugin hears loads
** no plugin at all. The answer is kept with the identity of every plugin
** file (path, device, inode, size, modification and change times) and of
** this Kanal: a plugin added, removed, replaced or rebuilt is seen by the
** next command, which loads them all and writes the file again. It assumes
** that a plugin provides the same things whenever it loads. The file and its
** folder are made when missing; a cache that cannot be read or written only
** means the plugins load every time. KANAL_ENOMEM.
*/
int kanal_plugins_set_cache(kanal_plugins *p, const char *path, kanal_error *err);

/*
** Loads every plugin (once). A plugin that cannot load is skipped and kept
** with its reason; it never stops the others.
*/
void kanal_plugins_load(kanal_plugins *p);

/* What was found, loaded or not, in the order of discovery. */
typedef struct kanal_plugin_info {
    const char *name;        /* NULL when the file gave none */
    const char *version;
    const char *summary;
    const char *file;
    const char *const *provides; /* "format csv", "importer csv", "listener" ... */
    size_t n_provides;
    const char *problem;     /* why it was skipped, or NULL when loaded */
} kanal_plugin_info;
size_t kanal_plugins_count(kanal_plugins *p);
const kanal_plugin_info *kanal_plugins_info(kanal_plugins *p, size_t i);

/*
** Renders a table in a format: "table" and "json" are built in, any other
** comes from a plugin. KANAL_ENOTFOUND for an unknown format, naming the
** known ones.
*/
int kanal_plugins_render(kanal_plugins *p, const char *format, const kanal_table *t, kanal_buf *out,
                         kanal_error *err);

#endif
