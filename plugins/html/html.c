/*
** html.c — the "html" format: one self-contained page to mail to the board.
**
**   kanal report dashboard --format html -o dashboard.html
**   kanal report funnel --workflow distributors --format html -o funnel.html
**   kanal opp list --format html
**
** The dashboard is headed by its filters and the moment it describes, then
** holds every report as a section: its chart (drawn by whichever plugin
** provides the "svg" format, inline), its table for people under it, and the
** report's conclusions in plain words. A single report is the same section
** alone; any other list is a plain table.
**
** Nothing is fetched: no scripts, fonts, images or style sheets from
** elsewhere. It prints on A4, and is well-formed XML as well as HTML
** (every element closed), so that any XML parser can check it. Tables are
** real tables (a caption, header cells with their scope); each chart names
** itself (its <title>) and describes its figures in words (its <desc>) for
** a screen reader.
*/
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/markup.h"
#include "kanal/plugin.h"

static const kanal_host *host;

static const char *const style =
    "@page { size: A4; margin: 14mm 12mm; }\n"
    "body { font-family: \"DejaVu Sans\", Verdana, Arial, sans-serif; color: #111;"
    " background: #fff; max-width: 60em; margin: 0 auto; padding: 1em; font-size: 11pt;"
    " line-height: 1.35; }\n"
    "h1 { font-size: 1.6em; margin: 0 0 0.2em; }\n"
    "h2 { font-size: 1.25em; margin: 1.8em 0 0.4em; padding-bottom: 0.2em;"
    " border-bottom: 1px solid #888; break-after: avoid; page-break-after: avoid; }\n"
    ".scope { color: #333; margin: 0.2em 0; }\n"
    "figure { margin: 0.6em 0; break-inside: avoid; page-break-inside: avoid; }\n"
    "figure svg { width: 100%; height: auto; }\n"
    "figcaption { font-size: 0.9em; color: #333; }\n"
    "table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.85em; }\n"
    "caption { text-align: left; font-weight: bold; padding: 0.3em 0; }\n"
    "th, td { border: 1px solid #999; padding: 0.15em 0.5em; text-align: left;"
    " vertical-align: top; }\n"
    "th { background: #eee; }\n"
    "td.n { text-align: right; white-space: nowrap; }\n"
    "ul.notes { font-size: 0.95em; }\n"
    "nav ol { columns: 2; }\n"
    "@media print { nav { display: none; } body { max-width: none; padding: 0; } }\n";

static void esc(mk_buf *b, const char *s)
{
    mk_escape(b, s ? s : "");
}

static const char *filter(const kanal_table *t, const char *name)
{
    for (size_t i = 0; i < host->table_filters(t); i++)
        if (strcmp(host->filter_name(t, i), name) == 0)
            return host->filter_value(t, i);
    return NULL;
}

static const kanal_table *part(const kanal_table *t, const char *role, size_t *from)
{
    for (size_t i = from ? *from : 0; i < host->table_parts(t); i++) {
        const char *r = NULL;
        const kanal_table *p = host->table_part(t, i, &r);
        if (r && strcmp(r, role) == 0) {
            if (from)
                *from = i + 1;
            return p;
        }
    }
    return NULL;
}

/* The moment a table describes, as people read it. */
static void moment(mk_buf *b, const kanal_table *t)
{
    const char *as_of = filter(t, "as_of");
    if (as_of) {
        char d[64];
        mk_local_date(as_of, true, d, sizeof d);
        mk_puts(b, "The record as it stood on ");
        esc(b, d);
    } else {
        mk_puts(b, "The record as it stands");
    }
}

/* A list's filters as given ("status lost, stage s1"), or nothing. */
static void list_filters(mk_buf *b, const kanal_table *t)
{
    size_t n = host->table_filters(t);
    if (!n)
        return;
    mk_puts(b, "<p class=\"scope\">Only: ");
    for (size_t i = 0; i < n; i++) {
        mk_puts(b, i ? ", " : "");
        esc(b, host->filter_name(t, i));
        mk_puts(b, " ");
        esc(b, host->filter_value(t, i));
    }
    mk_puts(b, ".</p>\n");
}

/* "workflow distributors, owner marcin, created 2026-01-01 to 2026-03-31", or "every opportunity"
 */
static void scope(mk_buf *b, const kanal_table *t)
{
    static const char *const keys[] = { "workflow", "version", "owner", "by" };
    static const char *const words[] = { "workflow", "version", "owner", "split by" };
    size_t before = b->len;
    for (size_t i = 0; i < 4; i++) {
        const char *v = filter(t, keys[i]);
        if (!v)
            continue;
        mk_printf(b, "%s%s ", b->len > before ? ", " : "", words[i]);
        esc(b, v);
    }
    const char *since = filter(t, "since"), *until = filter(t, "until");
    if (since || until) {
        /* dates as the reader's clock shows them: what was asked for */
        char d[64];
        mk_printf(b, "%screated", b->len > before ? ", " : "");
        if (since) {
            mk_local_date(since, false, d, sizeof d);
            mk_printf(b, " from %s", d);
        }
        if (until) {
            mk_local_date(until, false, d, sizeof d);
            mk_printf(b, " until %s", d);
        }
    }
    if (b->len == before)
        mk_puts(b, "every opportunity");
}

static bool numeric(int type)
{
    return type == KANAL_PLUGIN_INT || type == KANAL_PLUGIN_NUMBER;
}

/* A real table: caption, header cells with their scope, a list cell's items as lines. */
static void table(mk_buf *b, const kanal_table *t)
{
    size_t cols = host->table_columns(t), rows = host->table_rows(t);
    mk_puts(b, "<table>\n<caption>");
    esc(b, host->table_title(t));
    mk_puts(b, "</caption>\n<thead><tr>");
    for (size_t c = 0; c < cols; c++) {
        mk_puts(b, "<th scope=\"col\">");
        esc(b, host->column_label(t, c));
        mk_puts(b, "</th>");
    }
    mk_puts(b, "</tr></thead>\n<tbody>\n");
    for (size_t r = 0; r < rows; r++) {
        mk_puts(b, "<tr>");
        for (size_t c = 0; c < cols; c++) {
            int type = host->column_type(t, c);
            const char *v = host->cell(t, r, c);
            mk_puts(b, numeric(type) ? "<td class=\"n\">" : "<td>");
            for (const char *p = v ? v : ""; *p;) {
                size_t n = strcspn(p, "\n");
                char *item = strndup(p, n);
                if (!item) {
                    b->oom = true;
                    return;
                }
                esc(b, item);
                free(item);
                p += n;
                if (*p) {
                    mk_puts(b, "<br/>");
                    p++;
                }
            }
            mk_puts(b, "</td>");
        }
        mk_puts(b, "</tr>\n");
    }
    if (!rows)
        mk_printf(b, "<tr><td colspan=\"%zu\">none</td></tr>\n", cols ? cols : 1);
    mk_puts(b, "</tbody>\n</table>\n");
}

/* A chart from the svg format, inline: no XML declaration, the namespace implied by HTML. */
static void chart(mk_buf *b, kanal_call *call, const kanal_table *t)
{
    size_t len;
    const char *svg = host->render(call, "svg", t, &len);
    if (!svg) {
        mk_puts(b, "<p>(No chart: ");
        esc(b, host->last_error(call));
        mk_puts(b, ")</p>\n");
        return;
    }
    const char *start = strstr(svg, "<svg");
    if (!start) {
        mk_puts(b, "<p>(No chart: the svg format gave no &lt;svg&gt; element.)</p>\n");
        return;
    }
    static const char ns[] = " xmlns=\"http://www.w3.org/2000/svg\"";
    const char *at = strstr(start, ns), *tag_end = strchr(start, '>');
    mk_puts(b, "<figure>\n");
    if (at && tag_end && at < tag_end) {
        mk_add(b, start, (size_t)(at - start));
        mk_add(b, at + strlen(ns), len - (size_t)(at + strlen(ns) - svg));
    } else {
        mk_add(b, start, len - (size_t)(start - svg));
    }
    mk_puts(b, "</figure>\n");
}

static void section(mk_buf *b, kanal_call *call, const kanal_table *t, int n)
{
    const char *wf = filter(t, "workflow_name");
    if (!wf)
        wf = filter(t, "workflow");
    mk_printf(b, "<section id=\"r%d\" aria-labelledby=\"h%d\">\n<h2 id=\"h%d\">", n, n, n);
    esc(b, host->table_title(t));
    if (wf) {
        mk_puts(b, " \xE2\x80\x94 ");
        esc(b, wf);
    }
    mk_puts(b, "</h2>\n");
    chart(b, call, t);
    const kanal_table *display = part(t, "display", NULL),
                      *cmp = part(t, "comparison_display", NULL);
    table(b, display ? display : t);
    if (cmp && host->table_rows(cmp))
        table(b, cmp);
    size_t notes = host->table_notes(t);
    if (notes) {
        mk_puts(b, "<ul class=\"notes\">\n");
        for (size_t i = 0; i < notes; i++) {
            mk_puts(b, "<li>");
            esc(b, host->table_note(t, i));
            mk_puts(b, "</li>\n");
        }
        mk_puts(b, "</ul>\n");
    }
    mk_puts(b, "</section>\n");
}

static void page_head(mk_buf *b, const char *title, const kanal_table *t, bool covers)
{
    mk_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
               "<title>");
    esc(b, title);
    mk_puts(b, " \xE2\x80\x94 ");
    moment(b, t);
    mk_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>", style);
    esc(b, title);
    mk_puts(b, "</h1>\n<p class=\"scope\">");
    moment(b, t);
    mk_puts(b, ".</p>\n");
    if (covers) {
        mk_puts(b, "<p class=\"scope\">Covers: ");
        scope(b, t);
        mk_puts(b, ".</p>\n");
    } else {
        list_filters(b, t);
    }
}

static int render(kanal_call *call, const kanal_table *t)
{
    mk_buf b = { 0 };
    const char *name = host->table_name(t);
    if (strcmp(name, "dashboard") == 0) {
        page_head(&b, "Partner acquisition: the record", t, true);
        mk_puts(&b, "<nav aria-label=\"Contents\"><ol>\n");
        size_t at = 0;
        int n = 0;
        for (const kanal_table *r; (r = part(t, "report", &at));) {
            const char *wf = filter(r, "workflow_name");
            mk_printf(&b, "<li><a href=\"#r%d\">", ++n);
            esc(&b, host->table_title(r));
            if (wf) {
                mk_puts(&b, " \xE2\x80\x94 ");
                esc(&b, wf);
            }
            mk_puts(&b, "</a></li>\n");
        }
        mk_puts(&b, "</ol></nav>\n</header>\n<main>\n");
        at = 0, n = 0;
        for (const kanal_table *r; (r = part(t, "report", &at));)
            section(&b, call, r, ++n);
        mk_puts(&b, "</main>\n");
    } else if (part(t, "display", NULL)) {
        page_head(&b, host->table_title(t), t, true);
        mk_puts(&b, "</header>\n<main>\n");
        section(&b, call, t, 1);
        mk_puts(&b, "</main>\n");
    } else {
        page_head(&b, host->table_title(t), t, false);
        mk_puts(&b, "</header>\n<main>\n");
        table(&b, t);
        mk_puts(&b, "</main>\n");
    }
    mk_puts(&b, "<footer><p class=\"scope\">Made by Kanal. Every rate comes with its count; "
                "a line across a bar is its 95% interval.</p></footer>\n</body>\n</html>\n");
    int rc = b.oom ? host->fail(call, "out of memory") : host->write(call, b.data, b.len);
    mk_free(&b);
    return rc;
}

static int init(kanal_plugin *p, const kanal_host *h)
{
    host = h;
    if (h->size < offsetof(kanal_host, unsuited) + sizeof h->unsuited)
        return h->init_fail(p, "needs a Kanal with plugin ABI 1.2 (reports' parts and notes)");
    return h->provide_format(p, "html",
                             "a self-contained page: the dashboard, a report with its chart, "
                             "or any list",
                             render);
}

static const kanal_plugin_decl decl = {
    .abi = KANAL_PLUGIN_ABI,
    .name = "html",
    .version = "1.0.0",
    .summary = "self-contained HTML pages: the dashboard for the board, reports, lists",
    .init = init,
};

KANAL_PLUGIN_EXPORT const kanal_plugin_decl *kanal_plugin_entry(void)
{
    return &decl;
}
