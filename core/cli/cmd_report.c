/*
** cmd_report.c — kanal report [NAME]: the manager's reports.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kanal/json.h"
#include "kanal/reports.h"

static const cli_opt opts[] = {
    { "workflow", 0, "W", false, "only opportunities of workflow W" },
    { "version", 0, "N", false, "only those on version N of the workflow (needs --workflow)" },
    { "versions", 0, "A,B", false, "compare: the versions to compare (default: every one used)" },
    { "owner", 0, "USER", false, "only those USER owned at the --as-of time" },
    { "since", 0, "T", false, "only those created at or after T (a date: its start)" },
    { "until", 0, "T", false, "only those created at or before T (a date: its end)" },
    { "as-of", 0, "T", false, "the record as it stood at T (a date: its end); default now" },
    { "by", 0, "stage|owner", false, "lost-reasons: split by the stage lost in, or by owner" },
    { "partner", 0, "P", false, "commission: only the deals of partner P (by id or name)" },
    CLI_LIST_OPTS,
    { "output", 'o', "FILE", false, "write to FILE instead of stdout" },
    { NULL, 0, NULL, false, NULL },
};

#define DASHBOARD_SUMMARY "every report in one file for the board: --format html -o FILE"

/* `kanal report` alone: the reports, a line each (or as JSON). */
static int list(cli *c, const char *format)
{
    size_t n;
    const kanal_report_info *info = kanal_report_list(&n);
    kanal_buf out = KANAL_BUF_INIT;
    if (strcmp(format, "json") == 0) {
        kanal_json j;
        kanal_json_init(&j, &out);
        kanal_json_object(&j);
        kanal_json_key(&j, "reports");
        kanal_json_array(&j);
        for (size_t i = 0; i <= n; i++) {
            kanal_json_object(&j);
            kanal_json_key(&j, "name");
            kanal_json_str(&j, i < n ? info[i].name : "dashboard");
            kanal_json_key(&j, "summary");
            kanal_json_str(&j, i < n ? info[i].summary : DASHBOARD_SUMMARY);
            kanal_json_end_object(&j);
        }
        kanal_json_end_array(&j);
        kanal_json_end_object(&j);
        kanal_buf_putc(&out, '\n');
        int rc = cli_write(c, &out);
        kanal_buf_release(&out);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        kanal_buf_printf(&out, "%-13s %s\n", info[i].name, info[i].summary);
    kanal_buf_printf(&out, "%-13s %s\n", "dashboard", DASHBOARD_SUMMARY);
    kanal_buf_puts(&out, "\nRun 'kanal report NAME' (managers and admins); see 'kanal report "
                         "--help' for the filters.\n");
    int rc = cli_write(c, &out);
    kanal_buf_release(&out);
    return rc;
}

/*
** "1,2" or "1,3,4": the versions --versions names, into a new array (caller frees);
** false for anything else.
*/
static bool parse_versions(const char *text, int **out, size_t *n)
{
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == ',';
    int *v = malloc(cap * sizeof *v);
    if (!v)
        return false;
    *n = 0;
    for (const char *p = text;; p++) {
        char *end;
        long x = strtol(p, &end, 10);
        if (end == p || *p == '-' || *p == '+' || *p == ' ' || x < 1 || x > 1000000 ||
            (*end && *end != ',')) {
            free(v);
            return false;
        }
        v[(*n)++] = (int)x;
        if (!*end)
            break;
        p = end;
    }
    *out = v;
    return true;
}

/* A plugin's format (svg, html, csv...). */
static int render(cli *c, const char *format, const kanal_table *t, kanal_buf *out,
                  kanal_error *err)
{
    int rc = kanal_plugins_render(cli_plugins(c), format, t, out, err);
    cli_plugin_warnings(c);
    return rc ? cli_fail(c, err) : 0;
}

/* To -o FILE, or to stdout. */
static int emit(cli *c, kanal *k, cli_args *a, kanal_buf *out, kanal_error *err)
{
    const char *file = cli_get(a, "output");
    if (!file)
        return cli_write(c, out);
    if (kanal_output_write(k, file, out->data ? out->data : "", out->len, err))
        return cli_fail(c, err);
    return 0;
}

static int run_report(cli *c, cli_args *a, const char *format, const kanal_report_options *given);

static int run(cli *c, cli_args *a)
{
    const char *format = cli_get(a, "format");
    if (format && cli_flag(a, "json") && strcmp(format, "json") != 0)
        return cli_usage_error(c, a->cmd, "--json and --format %s contradict", format);
    if (!format)
        format = cli_flag(a, "json") ? "json" : "table";
    if (a->npos == 0) {
        if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
            return cli_usage_error(c, a->cmd,
                                   "--format %s draws a report: name one (kanal report NAME "
                                   "--format %s), or the dashboard",
                                   format, format);
        return list(c, format);
    }
    kanal_report_options o = KANAL_REPORT_OPTIONS_INIT;
    o.workflow = cli_get(a, "workflow");
    o.owner = cli_get(a, "owner");
    o.since = cli_get(a, "since");
    o.until = cli_get(a, "until");
    o.as_of = cli_get(a, "as-of");
    o.by = cli_get(a, "by");
    o.partner = cli_get(a, "partner");
    const char *version = cli_get(a, "version");
    if (version) {
        char *end;
        long v = strtol(version, &end, 10);
        if (*end || end == version || v < 1 || v > 1000000)
            return cli_usage_error(c, a->cmd, "--version takes a version number, not '%s'",
                                   version);
        if (!o.workflow)
            return cli_usage_error(c, a->cmd, "--version needs --workflow");
        o.workflow_version = (int)v;
    }
    if (o.by && strcmp(o.by, "stage") != 0 && strcmp(o.by, "owner") != 0)
        return cli_usage_error(c, a->cmd, "--by takes stage or owner, not '%s'", o.by);
    const char *versions = cli_get(a, "versions");
    int *chosen = NULL;
    if (versions && !parse_versions(versions, &chosen, &o.n_versions))
        return cli_usage_error(c, a->cmd,
                               "--versions takes version numbers separated by commas (1,2), not "
                               "'%s'",
                               versions);
    o.versions = chosen;
    int rc = run_report(c, a, format, &o);
    free(chosen);
    return rc;
}

/* The report or the dashboard the options describe, in the format chosen. */
static int run_report(cli *c, cli_args *a, const char *format, const kanal_report_options *given)
{
    kanal_report_options o = *given;
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    kanal_buf out = KANAL_BUF_INIT;
    if (strcmp(a->pos[0], "dashboard") == 0) {
        kanal_dashboard *d = NULL;
        if (kanal_dashboard_run(k, &o, &d, &err))
            return cli_fail(c, &err);
        if (strcmp(format, "table") == 0)
            kanal_dashboard_render_text(d, &out);
        else if (strcmp(format, "json") == 0)
            kanal_dashboard_render_json(d, &out);
        else
            rc = render(c, format, d->table, &out, &err);
        rc = rc ? rc : emit(c, k, a, &out, &err);
        kanal_dashboard_free(d);
    } else {
        kanal_report *r = NULL;
        if (kanal_report_run(k, a->pos[0], &o, &r, &err))
            return cli_fail(c, &err);
        cli_print_hints(c); /* the commission rules' hints and, with --verbose, log */
        if (strcmp(format, "table") == 0)
            kanal_report_render_text(r, &out);
        else if (strcmp(format, "json") == 0)
            kanal_report_render_json(r, &out);
        else
            rc = render(c, format, r->rows, &out, &err);
        rc = rc ? rc : emit(c, k, a, &out, &err);
        kanal_report_free(r);
    }
    kanal_buf_release(&out);
    return rc;
}

const cli_cmd cli_cmd_report = {
    .name = "report",
    .args = "[NAME|dashboard]",
    .min_args = 0,
    .max_args = 1,
    .summary = "the manager's reports: lost-reasons, activities, funnel, stale, goals, compare, "
               "commission, dashboard",
    .help = "Without NAME, lists the reports. Each describes the opportunities as they\n"
            "stood at --as-of (default now), narrowed by the filters; every rate comes with\n"
            "its count and a 95% interval, and the table marks small samples. --format svg\n"
            "draws a report as a chart; 'dashboard' is every report in one file, each as\n"
            "its chart with its table (funnel and goals for each workflow unless --workflow\n"
            "names one). 'compare' sets the versions of one workflow side by side (all\n"
            "those used, or --versions A,B) and tests each against the one before it.\n"
            "'commission' is each deal's commission by the rules of the workflow version\n"
            "its partner was won under, as of --as-of, and the totals per partner\n"
            "(--partner P: one partner). For example:\n"
            "  kanal report lost-reasons --workflow referral_partners --by stage\n"
            "  kanal report activities --workflow distributors --json\n"
            "  kanal report funnel --workflow distributors --as-of 2026-03-31\n"
            "  kanal report compare --workflow referral_partners --versions 1,2\n"
            "  kanal report activities --format svg -o activities.svg\n"
            "  kanal report commission --as-of 2026-09-30 --partner \"Biuro Kowalski\"\n"
            "  kanal report dashboard --format html -o dashboard.html",
    .opts = opts,
    .run = run,
};
