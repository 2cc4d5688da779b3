/*
** versions.c — a workflow's versions side by side: what each holds, what
** changed from one to the next (or to a file not yet applied), and what
** applying a file would do before it is done.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

/* Open, won and lost opportunities of a workflow, per version (1..n; index 0 unused). */
static int count_by_version(kanal *k, kanal_arena *a, const char *id, int n, int64_t (*counts)[3],
                            kanal_error *err)
{
    store_opp_filter f = { .workflow = id, .status = KANAL_STATUS_COUNT };
    store_opp_row *rows;
    size_t nr;
    int rc = store_opps_list(k->store, a, &f, &rows, &nr, err);
    for (size_t i = 0; !rc && i < nr; i++)
        if (rows[i].version >= 1 && rows[i].version <= n && (int)rows[i].status < 3)
            counts[rows[i].version][rows[i].status]++;
    return rc;
}

int engine_open_before(kanal *k, const char *id, int version, int64_t *n, kanal_error *err)
{
    *n = 0;
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    store_opp_filter f = { .workflow = id, .status = KANAL_OPEN };
    store_opp_row *rows;
    size_t nr;
    int rc = store_opps_list(k->store, a, &f, &rows, &nr, err);
    for (size_t i = 0; !rc && i < nr; i++)
        *n += rows[i].version < version;
    kanal_arena_free(a);
    return rc;
}

int kanal_workflow_versions(kanal *k, const char *id, kanal_table **out, kanal_error *err)
{
    *out = NULL;
    def_entry *latest;
    int rc = engine_need_actor(k, err);
    if (rc || (rc = engine_workflow_latest(k, id, &latest, err)))
        return rc;
    int n = latest->ver.version;
    kanal_arena *a = kanal_arena_new();
    int64_t(*counts)[3] = calloc((size_t)n + 1, sizeof *counts);
    kanal_table *t = NULL;
    if (!a || !counts || (rc = kanal_table_new(&t, "versions", "Versions", err))) {
        rc = rc ? rc : kanal_error_nomem(err);
        goto done;
    }
    static const struct {
        const char *name, *label;
        kanal_type type;
    } cols[] = {
        { "version", "version", KANAL_TYPE_INT },   { "applied_at", "applied", KANAL_TYPE_TIME },
        { "applied_by", "by", KANAL_TYPE_TEXT },    { "hash", "hash", KANAL_TYPE_TEXT },
        { "source", "from file", KANAL_TYPE_TEXT }, { "open", "open", KANAL_TYPE_INT },
        { "won", "won", KANAL_TYPE_INT },           { "lost", "lost", KANAL_TYPE_INT },
    };
    for (size_t i = 0; i < KANAL_ARRAY_LEN(cols); i++)
        if (kanal_table_add_column(t, cols[i].name, cols[i].type, cols[i].label)) {
            rc = kanal_error_nomem(err);
            goto done;
        }
    if ((rc = kanal_table_add_filter(t, "workflow", id)) ? kanal_error_nomem(err) : KANAL_OK)
        goto done;
    if ((rc = count_by_version(k, a, id, n, counts, err)))
        goto done;
    for (int v = 1; v <= n && !rc; v++) {
        kanal_workflow_version ver;
        if ((rc = store_workflow_get(k->store, a, id, v, &ver, err)))
            break;
        if (kanal_table_add_row(t) || kanal_table_set_int(t, 0, v) ||
            kanal_table_set(t, 1, ver.applied_at) || kanal_table_set(t, 2, ver.applied_by) ||
            kanal_table_set(t, 3, ver.hash) || kanal_table_set(t, 4, ver.source) ||
            kanal_table_set_int(t, 5, counts[v][KANAL_OPEN]) ||
            kanal_table_set_int(t, 6, counts[v][KANAL_WON]) ||
            kanal_table_set_int(t, 7, counts[v][KANAL_LOST]))
            rc = kanal_error_nomem(err);
    }
done:
    free(counts);
    kanal_arena_free(a);
    if (rc) {
        kanal_table_free(t);
        return rc;
    }
    *out = t;
    return KANAL_OK;
}

/* A version of the workflow, by number, with the range in the message when there is none. */
static int version_def(kanal *k, const char *id, int v, int latest, def_entry **out,
                       kanal_error *err)
{
    if (v < 1 || v > latest)
        return kanal_error_set(err, KANAL_ENOTFOUND,
                               "workflow '%s' has no version %d (its versions are 1 to %d)", id, v,
                               latest);
    return engine_def_get(k, id, v, out, err);
}

int kanal_workflow_diff(kanal *k, const char *id, int from, int to, const char *file,
                        kanal_diags *diags, kanal_workflow_diff_result *out, kanal_error *err)
{
    memset(out, 0, sizeof *out);
    def_entry *latest;
    int rc = engine_need_actor(k, err);
    if (rc || (rc = engine_workflow_latest(k, id, &latest, err)))
        return rc;
    int n = latest->ver.version;
    kanal_workflow *loaded = NULL;
    const kanal_workflow *x, *y;
    const char *rx, *ry;
    if (file) {
        if (to)
            return kanal_error_set(err, KANAL_EUSAGE,
                                   "compare a version with a version, or with a file, not both");
        if (!(loaded = kanal_workflow_check_file(file, diags)))
            return kanal_error_set(err, KANAL_EINVALID,
                                   "'%s' is not a valid definition: fix "
                                   "the errors above",
                                   file);
        if (strcmp(loaded->id, id) != 0) {
            rc = kanal_error_set(err, KANAL_EUSAGE, "'%s' defines workflow '%s', not '%s'", file,
                                 loaded->id, id);
            kanal_workflow_free(loaded);
            return rc;
        }
        from = from ? from : n;
        y = loaded, ry = loaded->rules_source;
    } else {
        if (!from && !to) {
            if (n < 2) {
                rc = kanal_error_set(err, KANAL_EUSAGE,
                                     "workflow '%s' has one version: nothing to compare it "
                                     "with (give a file: kanal workflow diff %s FILE)",
                                     id, id);
                return rc;
            }
            from = n - 1, to = n;
        } else if (!to) {
            to = n;
        }
        def_entry *e;
        if ((rc = version_def(k, id, to, n, &e, err)))
            return rc;
        y = e->wf, ry = e->ver.rules;
    }
    def_entry *e;
    if ((rc = version_def(k, id, from, n, &e, err))) {
        kanal_workflow_free(loaded);
        return rc;
    }
    x = e->wf, rx = e->ver.rules;
    kanal_diff *d;
    if (kanal_workflow_compare(x, rx, y, ry, &d)) {
        kanal_workflow_free(loaded);
        return kanal_error_nomem(err);
    }
    kanal_workflow_free(loaded);
    out->from = from;
    out->to = to;
    out->diff = d;
    return KANAL_OK;
}
