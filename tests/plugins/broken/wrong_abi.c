/* A plugin built for a future major ABI. */
#include "kanal/plugin.h"

static int init(kanal_plugin *p, const kanal_host *h)
{
    (void)p;
    (void)h;
    return 0;
}

static const kanal_plugin_decl decl = { (uint32_t)(2 << 16 | 0), "wrong_abi", "2.0.0",
                                        "built for ABI 2.0", init, 0 };

KANAL_PLUGIN_EXPORT const kanal_plugin_decl *kanal_plugin_entry(void)
{
    return &decl;
}
