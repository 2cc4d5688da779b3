/*
** example.c — the smallest Kanal plugin: an output format, "markdown", that
** prints any list or report as a Markdown table.
**
**   kanal opp list --format markdown
**
** A model for plugin authors: README.md ("Writing a plugin") walks through it.
*/
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kanal/plugin.h"

/* The host's functions, kept from init: the only way a plugin talks to Kanal. */
static const kanal_host *host;

/*
** Writes a cell: '|' escaped for Markdown, the items of a list column (which
** come joined by line breaks) joined by ", ", and the rest through
** host->write_text, which shows control characters instead of letting them
** act on the reader's terminal.
*/
static int cell(kanal_call *call, const char *text, bool list)
{
    while (*text) {
        size_t n = strcspn(text, list ? "|\n" : "|");
        char *part = malloc(n + 1);
        if (!part)
            return host->fail(call, "out of memory");
        memcpy(part, text, n);
        part[n] = '\0';
        int rc = host->write_text(call, part);
        free(part);
        if (rc != 0)
            return -1;
        text += n;
        if (*text == '|' && host->write(call, "\\|", 2) != 0)
            return -1;
        if (*text == '\n' && host->write(call, ", ", 2) != 0)
            return -1;
        if (*text)
            text++;
    }
    return 0;
}

/* A render function: one table in, bytes out through host->write. */
static int render_rows(kanal_call *call, const kanal_table *t)
{
    size_t cols = host->table_columns(t), rows = host->table_rows(t);
    for (size_t c = 0; c < cols; c++) {
        host->write(call, "| ", 2);
        cell(call, host->column_label(t, c), false);
        host->write(call, " ", 1);
    }
    host->write(call, "|\n", 2);
    for (size_t c = 0; c < cols; c++) {
        int type = host->column_type(t, c);
        bool right = type == KANAL_PLUGIN_INT || type == KANAL_PLUGIN_NUMBER;
        host->write(call, right ? "| ---: " : "| --- ", right ? 7 : 6);
    }
    host->write(call, "|\n", 2);
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < cols; c++) {
            const char *v = host->cell(t, r, c);
            host->write(call, "| ", 2);
            if (cell(call, v ? v : "", host->column_type(t, c) == KANAL_PLUGIN_LIST) != 0)
                return -1;
            host->write(call, " ", 1);
        }
        if (host->write(call, "|\n", 2) != 0)
            return -1;
    }
    return 0;
}

/* The first table attached to t in that role (ABI 1.2), or NULL. */
static const kanal_table *part(const kanal_table *t, const char *role)
{
    for (size_t i = 0; i < host->table_parts(t); i++) {
        const char *r;
        const kanal_table *p = host->table_part(t, i, &r);
        if (r && strcmp(r, role) == 0)
            return p;
    }
    return NULL;
}

/*
** A table of tables (the dashboard, ABI 1.2) holds no rows of its own: each
** report is attached to it, its rows for people attached to the report.
*/
static int render(kanal_call *call, const kanal_table *t)
{
    if (host->size < offsetof(kanal_host, table_part) + sizeof host->table_part ||
        host->table_columns(t) > 0)
        return render_rows(call, t);
    for (size_t i = 0; i < host->table_parts(t); i++) {
        const char *role;
        const kanal_table *report = host->table_part(t, i, &role);
        if (!role || strcmp(role, "report") != 0)
            continue;
        const kanal_table *shown = part(report, "display");
        host->write(call, "## ", 3);
        cell(call, host->table_title(report), false);
        host->write(call, "\n\n", 2);
        if (render_rows(call, shown ? shown : report) != 0 || host->write(call, "\n", 1) != 0)
            return -1;
    }
    return 0;
}

/* init: keep the host table and say what the plugin provides. */
static int init(kanal_plugin *self, const kanal_host *h)
{
    host = h;
    return h->provide_format(self, "markdown", "lists and reports as Markdown tables", render);
}

static const kanal_plugin_decl decl = {
    .abi = KANAL_PLUGIN_ABI,
    .name = "example",
    .version = "1.0.0",
    .summary = "the smallest plugin: a Markdown output format",
    .init = init,
    .fini = NULL,
};

/* The one exported symbol. */
KANAL_PLUGIN_EXPORT const kanal_plugin_decl *kanal_plugin_entry(void)
{
    return &decl;
}
