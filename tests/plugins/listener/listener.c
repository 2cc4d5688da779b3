/* A listener that appends each event it hears to $KANAL_TEST_EVENTS, one a
   line: "opp seq type actor data". With $KANAL_TEST_LISTENER_FAIL set it fails. */
#include <stdio.h>
#include <stdlib.h>

#include "kanal/plugin.h"

static const kanal_host *host;

static int listen(kanal_call *call, const kanal_plugin_event *e)
{
    if (getenv("KANAL_TEST_LISTENER_FAIL"))
        return host->fail(call, "the test asked it to fail");
    const char *path = getenv("KANAL_TEST_EVENTS");
    if (!path)
        return 0;
    FILE *f = fopen(path, "a");
    if (!f)
        return host->fail(call, "cannot open %s", path);
    fprintf(f, "%lld %lld %s %s %s\n", (long long)e->opp_id, (long long)e->seq, e->type,
            e->actor, e->data);
    fclose(f);
    return 0;
}

static int init(kanal_plugin *p, const kanal_host *h)
{
    host = h;
    return h->provide_listener(p, listen);
}

static const kanal_plugin_decl decl = { KANAL_PLUGIN_ABI, "listener", "0.1.0",
                                        "writes events to a file", init, 0 };

KANAL_PLUGIN_EXPORT const kanal_plugin_decl *kanal_plugin_entry(void)
{
    return &decl;
}
