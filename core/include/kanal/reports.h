/*
** reports.h — the manager's questions, answered from the record: why
** partners say no (lost-reasons), what each rep does and what works
** (activities), where opportunities get stuck (funnel), what waits too long
** (stale), which goals matter (goals), whether a new version of a workflow
** did better than the one before (compare), what the won partners' clients earn
** them (commission: each deal by the rules of the version its partner was
** won under, and the totals per partner).
**
** A report describes the opportunities as they stood at a moment (as_of):
** events dated after it are ignored, so a report on a past day gives what it
** gave that day. Every rate comes with its count and a 95% Wilson interval;
** the activities report compares first touches, and the compare report
** versions, with Fisher's exact test.
** Only managers and admins run reports.
*/
#ifndef KANAL_REPORTS_H
#define KANAL_REPORTS_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "table.h"

typedef struct kanal kanal;

/* A report Kanal knows: its name and what it answers, in one line. */
typedef struct kanal_report_info {
    const char *name;
    const char *summary;
} kanal_report_info;

/* The reports, by name. */
const kanal_report_info *kanal_report_list(size_t *n);

/* What a report covers; start from KANAL_REPORT_OPTIONS_INIT. NULL or 0: no bound. */
typedef struct kanal_report_options {
    unsigned version;     /* KANAL_REPORT_OPTIONS_VERSION */
    const char *workflow; /* one workflow */
    int workflow_version; /* one version of it (needs workflow) */
    const char *owner;    /* the opportunities this user owned at as_of */
    const char *since;    /* created at or after (ISO 8601; a date: its start) */
    const char *until;    /* created at or before (a date: its end) */
    const char *as_of;    /* the moment described (a date: its end); NULL: now */
    const char *by;       /* lost-reasons only: "stage" or "owner" */
    /* since version 2; a caller built for version 1 has none of these */
    const int *versions; /* compare only: the versions of the workflow to compare (borrowed) */
    size_t n_versions;   /* 0: every version that holds opportunities of the scope */
    const char *partner; /* commission only: one partner, by id or exact name */
} kanal_report_options;
#define KANAL_REPORT_OPTIONS_VERSION 2
#define KANAL_REPORT_OPTIONS_INIT                                                                  \
    {                                                                                              \
        KANAL_REPORT_OPTIONS_VERSION, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL         \
    }

/*
** A report's answer. `rows` holds the figures (JSON, CSV and the plugins'
** formats render it; a column named "a.b" is the key b of an object a in
** JSON); `display` holds the same rows for people, each rate with its count
** and interval; `comparison` (the activities report's first touches) is
** NULL for the others; `notes` are plain sentences for people: what the
** figures can and cannot support, small samples, what was left out.
** `comparison` is a second table of figures beside the rows, keyed in JSON
** by its table's name: the activities report's first touches compared
** ("first_touch_comparison"), the commission report's totals per partner
** ("totals"); NULL for the others.
*/
typedef struct kanal_report {
    const char *name;
    const char *as_of; /* ISO 8601 UTC */
    kanal_table *rows;
    kanal_table *display;
    kanal_table *comparison;
    kanal_table *comparison_display;
    const char *const *notes;
    size_t n_notes;
    struct kanal_report_priv *priv_;
} kanal_report;

/* Runs the report `name` (caller frees with kanal_report_free). */
int kanal_report_run(kanal *k, const char *name, const kanal_report_options *opts,
                     kanal_report **out, kanal_error *err);
void kanal_report_free(kanal_report *r);

/*
** {"report":NAME,"filters":{...},"as_of":T,"rows":[...]} and a newline; the
** activities report adds "first_touch_comparison":[...]. The compare report's
** filters add "versions" ([A,B] or null), and each of its rows holds its lost
** reasons as "top_lost_reasons":[{...}] (in `rows`, the columns
** lost_reason_1.* to lost_reason_3.*); the commission
** report adds "totals":[...] (its filters: {"partner"}).
*/
void kanal_report_render_json(const kanal_report *r, kanal_buf *out);

/* The display tables and the notes, for a terminal. */
void kanal_report_render_text(const kanal_report *r, kanal_buf *out);

/*
** Every report at once, for the board: lost-reasons, activities and stale over
** the scope, then funnel and goals for the workflow named, or for each
** workflow when none is, and compare for each of those with more than one
** version (unless opts->workflow_version narrows it to one). All read in one
** transaction, as of one moment (now when opts->as_of is NULL); opts->by
** splits the lost reasons only; opts->versions is refused (compare's own).
**
** `table` is what the plugins' formats see (--format html): a table named
** "dashboard" with the filters and each report's figures attached under the
** role "report" (each with its own parts and notes).
*/
typedef struct kanal_dashboard {
    const char *as_of;
    kanal_report **reports;
    size_t n_reports;
    kanal_table *table;
} kanal_dashboard;

int kanal_dashboard_run(kanal *k, const kanal_report_options *opts, kanal_dashboard **out,
                        kanal_error *err);
void kanal_dashboard_free(kanal_dashboard *d);
/* {"report":"dashboard","filters":{...},"as_of":T,"reports":[each report's JSON]} */
void kanal_dashboard_render_json(const kanal_dashboard *d, kanal_buf *out);
/* Each report's text, one after the other. */
void kanal_dashboard_render_text(const kanal_dashboard *d, kanal_buf *out);

#endif
