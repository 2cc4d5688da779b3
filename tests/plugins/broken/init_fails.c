/* A plugin whose init fails, saying why. */
#include "kanal/plugin.h"

static int init(kanal_plugin *p, const kanal_host *h)
{
    return h->init_fail(p, "no licence key in $KANAL_TEST_LICENCE");
}

static const kanal_plugin_decl decl = { KANAL_PLUGIN_ABI, "init_fails", "0.1.0",
                                        "fails to start", init, 0 };

KANAL_PLUGIN_EXPORT const kanal_plugin_decl *kanal_plugin_entry(void)
{
    return &decl;
}
