/*
** tsv.c — a format plugin built for plugin ABI 1.1, before tables had parts:
** Kanal must not hand it the dashboard (a table of tables it cannot see),
** and must keep running it on everything else.
*/
#include <string.h>

#include "kanal/plugin.h"

static const kanal_host *host;

static int render(kanal_call *call, const kanal_table *t)
{
    size_t cols = host->table_columns(t), rows = host->table_rows(t);
    for (size_t c = 0; c < cols; c++) {
        const char *name = host->column_name(t, c);
        host->write(call, name, strlen(name));
        host->write(call, c + 1 < cols ? "\t" : "\n", 1);
    }
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            const char *v = host->cell(t, r, c);
            host->write(call, v ? v : "", v ? strlen(v) : 0);
            host->write(call, c + 1 < cols ? "\t" : "\n", 1);
        }
    return 0;
}

static int init(kanal_plugin *p, const kanal_host *h)
{
    host = h;
    return h->provide_format(p, "tsv", "tab-separated values", render);
}

static const kanal_plugin_decl decl = {
    .abi = (uint32_t)(1 << 16 | 1), /* ABI 1.1 */
    .name = "tsv",
    .version = "0.1.0",
    .summary = "built for ABI 1.1",
    .init = init,
};

KANAL_PLUGIN_EXPORT const kanal_plugin_decl *kanal_plugin_entry(void) { return &decl; }
