/* A plugin that says when it is loaded: its init appends "loaded" to
   $KANAL_TEST_LOADED. It provides a format, never a listener, so that a
   command whose events no plugin hears need not load it (test_plugin_cache). */
#include <stdio.h>
#include <stdlib.h>

#include "kanal/plugin.h"

static int render(kanal_call *call, const kanal_table *t)
{
    (void)t;
    (void)call;
    return 0;
}

static int init(kanal_plugin *p, const kanal_host *h)
{
    const char *path = getenv("KANAL_TEST_LOADED");
    if (path) {
        FILE *f = fopen(path, "a");
        if (f) {
            fputs("loaded\n", f);
            fclose(f);
        }
    }
    return h->provide_format(p, "loadmark", "nothing, for the tests", render);
}

static const kanal_plugin_decl decl = { KANAL_PLUGIN_ABI, "loadmark", "0.1.0",
                                        "says when it is loaded", init, 0 };

KANAL_PLUGIN_EXPORT const kanal_plugin_decl *kanal_plugin_entry(void)
{
    return &decl;
}
