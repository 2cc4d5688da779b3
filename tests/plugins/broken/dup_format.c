/* A plugin that claims a format the csv plugin already provides. */
#include <stdlib.h>

#include "kanal/plugin.h"

static const kanal_host *host;

static int render(kanal_call *call, const kanal_table *t)
{
    (void)t;
    return host->write(call, "not csv\n", 8);
}

static int init(kanal_plugin *p, const kanal_host *h)
{
    host = h;
    /* state that must be freed when the plugin is skipped after init */
    h->set_state(p, malloc(64));
    return h->provide_format(p, "csv", "another csv", render);
}

static void fini(void *state)
{
    free(state);
}

static const kanal_plugin_decl decl = { KANAL_PLUGIN_ABI, "dup_format", "0.1.0",
                                        "claims csv again", init, fini };

KANAL_PLUGIN_EXPORT const kanal_plugin_decl *kanal_plugin_entry(void)
{
    return &decl;
}
