/* A plugin that needs functions of a newer minor ABI than this host's. */
#include "kanal/plugin.h"

static int init(kanal_plugin *p, const kanal_host *h)
{
    (void)p;
    (void)h;
    return 0;
}

static const kanal_plugin_decl decl = { (uint32_t)(KANAL_PLUGIN_ABI_MAJOR << 16 | 99),
                                        "newer_minor", "1.99.0", "built for ABI 1.99", init, 0 };

KANAL_PLUGIN_EXPORT const kanal_plugin_decl *kanal_plugin_entry(void)
{
    return &decl;
}
