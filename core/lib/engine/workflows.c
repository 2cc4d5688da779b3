/*
** workflows.c — applying definitions to the database, and reading them back.
** The engine runs from the stored text, never from the file: editing a file
** changes nothing until it is applied, and each opportunity stays on the
** version it was created with.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "rules/rules.h"

/* FNV-1a, 64 bits: a fingerprint of the content, not a security measure. */
static void content_hash(const char *yaml, const char *rules, char out[32])
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = yaml; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    h = (h ^ 0xff) * 0x100000001b3ULL; /* a separator no UTF-8 text holds */
    for (const char *p = rules ? rules : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    snprintf(out, 32, "fnv1a64:%016llx", (unsigned long long)h);
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

typedef struct pending {
    const char *file;
    char *yaml;
    char *rules;
    kanal_workflow *wf;
} pending;

static void pending_release(pending *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++) {
        free(p[i].yaml);
        free(p[i].rules);
        kanal_workflow_free(p[i].wf);
    }
    free(p);
}

kanal_workflow *kanal_workflow_check_file(const char *path, kanal_diags *diags)
{
    kanal_workflow *wf = kanal_workflow_load_file(path, diags);
    if (!wf || !wf->rules_source)
        return wf;
    size_t before = diags->count;
    rules_check(wf->rules_path, wf->rules_source, &wf->limits, diags);
    if (diags->count > before || diags->oom) {
        kanal_workflow_free(wf);
        return NULL;
    }
    return wf;
}

/* Reads and checks one file; false when it is not valid (diags say why). */
static bool load_pending(pending *p, const char *file, kanal_diags *d)
{
    /* read once: what is checked is what is stored */
    size_t before = d->count;
    p->wf = kanal_workflow_check_file(file, d);
    if (!p->wf)
        return false;
    if (!(p->yaml = kanal_strdup(p->wf->yaml_source))) {
        d->oom = true;
        return false;
    }
    if (p->wf->rules_source && !(p->rules = kanal_strdup(p->wf->rules_source))) {
        d->oom = true;
        return false;
    }
    return d->count == before;
}

/* Reads and checks every file (each workflow once): false when any is not valid. */
static bool load_all(pending *p, const char *const *files, size_t n, kanal_diags *diags)
{
    bool valid = true;
    for (size_t i = 0; i < n; i++) {
        p[i].file = files[i];
        if (!load_pending(&p[i], files[i], diags)) {
            valid = false;
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            if (p[j].wf && strcmp(p[j].wf->id, p[i].wf->id) == 0) {
                kanal_diags_add(diags, files[i], 0, 0,
                                "workflow '%s' is also defined in '%s': apply one of them",
                                p[i].wf->id, files[j]);
                valid = false;
            }
        }
    }
    return valid && !diags->oom;
}

int kanal_workflow_apply(kanal *k, const char *const *files, size_t n, kanal_diags *diags,
                         kanal_applied **out, kanal_error *err)
{
    int rc = engine_need_admin(k, "apply workflows", err);
    if (rc)
        return rc;
    pending *p = calloc(n ? n : 1, sizeof *p);
    kanal_applied *res = calloc(n ? n : 1, sizeof *res);
    kanal_arena *a = kanal_arena_new();
    if (!p || !res || !a) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    bool valid = load_all(p, files, n, diags);
    if (!valid && diags->oom && !diags->count) {
        /* not the files' fault */
        rc = kanal_error_nomem(err);
        goto done;
    }
    if (!valid) {
        rc = kanal_error_set(err, KANAL_EINVALID, "nothing was applied: fix the errors above");
        goto done;
    }
    if ((rc = engine_op_begin(k, err)))
        goto done;
    char at[KANAL_TIME_LEN];
    engine_now_text(k, at);
    for (size_t i = 0; i < n && !rc; i++) {
        const kanal_workflow *wf = p[i].wf;
        kanal_workflow_version latest;
        int found = store_workflow_get(k->store, a, wf->id, 0, &latest, err);
        if (found != KANAL_OK && found != KANAL_ENOTFOUND) {
            rc = found;
            break;
        }
        snprintf(res[i].workflow, sizeof res[i].workflow, "%s", wf->id);
        /* applying a retired workflow brings it back, and the log says so */
        const char *was_retired = NULL;
        if (found == KANAL_OK &&
            ((rc = store_workflow_retired(k->store, a, wf->id, &was_retired, err)) ||
             (was_retired &&
              ((rc = store_workflow_set_retired(k->store, wf->id, NULL, NULL, err)) ||
               (rc = engine_record_text_event(k, NULL, KANAL_EV_WORKFLOW_RESTORED, at, err,
                                              "workflow", wf->id, "retired_at", was_retired,
                                              NULL))))))
            break;
        res[i].restored = was_retired != NULL;
        if (found == KANAL_OK && same_text(latest.yaml, p[i].yaml) &&
            same_text(latest.rules, p[i].rules)) {
            res[i].version = latest.version;
            res[i].changed = false;
            rc = engine_open_before(k, wf->id, latest.version, &res[i].open_older, err);
            continue;
        }
        char hash[32];
        content_hash(p[i].yaml, p[i].rules, hash);
        kanal_workflow_version v = {
            .workflow = wf->id,
            .version = found == KANAL_OK ? latest.version + 1 : 1,
            .source = files[i],
            .yaml = p[i].yaml,
            .rules_file = wf->rules,
            .rules = p[i].rules,
            .hash = hash,
            .applied_at = at,
            .applied_by = k->actor.id,
        };
        if ((rc = store_workflow_insert(k->store, &v, wf->name, err)))
            break;
        kanal_buf data = KANAL_BUF_INIT;
        kanal_json j;
        kanal_json_init(&j, &data);
        kanal_json_object(&j);
        kanal_json_key(&j, "workflow");
        kanal_json_str(&j, wf->id);
        kanal_json_key(&j, "version");
        kanal_json_int(&j, v.version);
        kanal_json_key(&j, "hash");
        kanal_json_str(&j, hash);
        kanal_json_key(&j, "source");
        kanal_json_str(&j, files[i]);
        kanal_json_end_object(&j);
        rc = engine_record_event(k, NULL, KANAL_EV_WORKFLOW_APPLIED, at, &data, err);
        kanal_buf_release(&data);
        res[i].version = v.version;
        res[i].changed = true;
        if (!rc)
            rc = engine_open_before(k, wf->id, v.version, &res[i].open_older, err);
    }
    rc = engine_op_end(k, rc, err);
done:
    pending_release(p, n);
    kanal_arena_free(a);
    if (rc) {
        free(res);
        return rc;
    }
    *out = res;
    return KANAL_OK;
}

void kanal_previews_free(kanal_preview *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++)
        kanal_diff_free(p[i].diff);
    free(p);
}

int kanal_workflow_preview(kanal *k, const char *const *files, size_t n, kanal_diags *diags,
                           kanal_preview **out, kanal_error *err)
{
    *out = NULL;
    int rc = engine_need_admin(k, "apply workflows", err);
    if (rc)
        return rc;
    pending *p = calloc(n ? n : 1, sizeof *p);
    kanal_preview *res = calloc(n ? n : 1, sizeof *res);
    if (!p || !res) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    bool valid = load_all(p, files, n, diags);
    if (!valid) {
        rc = kanal_error_set(err, KANAL_EINVALID, "nothing would be applied: fix the errors above");
        goto done;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        const kanal_workflow *wf = p[i].wf;
        kanal_preview *r = &res[i];
        snprintf(r->workflow, sizeof r->workflow, "%s", wf->id);
        def_entry *latest;
        kanal_error ignored;
        if (engine_def_get(k, wf->id, 0, &latest, &ignored) != KANAL_OK) {
            r->version = 1, r->changed = true; /* a new workflow */
            continue;
        }
        r->latest = latest->ver.version;
        r->changed =
            !same_text(latest->ver.yaml, p[i].yaml) || !same_text(latest->ver.rules, p[i].rules);
        r->version = r->latest + r->changed;
        if (kanal_workflow_compare(latest->wf, latest->ver.rules, wf, p[i].rules, &r->diff))
            rc = kanal_error_nomem(err);
        else
            rc = engine_open_before(k, wf->id, r->version, &r->open_older, err);
    }
done:
    pending_release(p, n);
    if (rc) {
        kanal_previews_free(res, n);
        return rc;
    }
    *out = res;
    return KANAL_OK;
}

/* "unknown workflow 'x' (did you mean 'y'?)" */
static int unknown_workflow(kanal *k, const char *id, kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    const char **ids = NULL;
    size_t n = 0;
    if (a)
        store_workflow_ids(k->store, a, &ids, &n, err);
    kanal_unknown(err, KANAL_ENOTFOUND, "workflow", id, ids, n, NULL);
    if (!n)
        kanal_error_advise(err, KANAL_ADVICE_APPLY_WORKFLOW, NULL);
    kanal_arena_free(a);
    return KANAL_ENOTFOUND;
}

int engine_workflow_latest(kanal *k, const char *id, def_entry **out, kanal_error *err)
{
    int rc = engine_def_get(k, id, 0, out, err);
    if (rc == KANAL_ENOTFOUND)
        return unknown_workflow(k, id, err);
    return rc;
}

int engine_version_lacks(kanal *k, const kanal_opp *o, const char *what, const char *id,
                         int (*index)(const kanal_workflow *, const char *), char *ctx,
                         kanal_error *err)
{
    snprintf(ctx, 160, "in workflow '%s'", o->workflow);
    def_entry *latest;
    kanal_error ignored;
    if (!id || engine_def_get(k, o->workflow, 0, &latest, &ignored) != KANAL_OK ||
        latest->ver.version <= o->version)
        return KANAL_OK;
    snprintf(ctx, 160, "in version %d of workflow '%s', which opportunity %lld follows", o->version,
             o->workflow, (long long)o->id);
    /* the latest version that has it, so that the advice moves it all the way */
    for (int v = latest->ver.version; v > o->version; v--) {
        def_entry *e;
        if (engine_def_get(k, o->workflow, v, &e, &ignored) != KANAL_OK || index(e->wf, id) < 0)
            continue;
        return kanal_error_set(err, KANAL_ENOTFOUND,
                               "%s '%s' is not in version %d of '%s', which opportunity %lld "
                               "follows (it is in version %d: kanal workflow migrate %s --to %d "
                               "--opp %lld)",
                               what, id, o->version, o->workflow, (long long)o->id, v, o->workflow,
                               v, (long long)o->id);
    }
    return KANAL_OK;
}

int kanal_workflow_get(kanal *k, const char *id, int version, const kanal_workflow **wf,
                       const kanal_workflow_version **ver, kanal_error *err)
{
    def_entry *e;
    int rc = engine_need_actor(k, err);
    if (rc)
        return rc;
    rc = engine_def_get(k, id, version, &e, err);
    if (rc == KANAL_ENOTFOUND) {
        if (version > 0 && engine_def_get(k, id, 0, &e, err) == KANAL_OK)
            return kanal_error_set(err, KANAL_ENOTFOUND,
                                   "workflow '%s' has no version %d (the latest is v%d)", id,
                                   version, e->ver.version);
        return unknown_workflow(k, id, err);
    }
    if (rc)
        return rc;
    if (wf)
        *wf = e->wf;
    if (ver)
        *ver = &e->ver;
    return KANAL_OK;
}

int kanal_workflow_list(kanal *k, kanal_table **out, kanal_error *err)
{
    kanal_table *t;
    int rc = engine_need_actor(k, err);
    if (rc || (rc = kanal_table_new(&t, "workflows", "Workflows", err)))
        return rc;
    if (kanal_table_add_column(t, "workflow", KANAL_TYPE_TEXT, "workflow") ||
        kanal_table_add_column(t, "version", KANAL_TYPE_INT, "version") ||
        kanal_table_add_column(t, "name", KANAL_TYPE_TEXT, "name") ||
        kanal_table_add_column(t, "applied_at", KANAL_TYPE_TIME, "applied") ||
        kanal_table_add_column(t, "applied_by", KANAL_TYPE_TEXT, "by") ||
        kanal_table_add_column(t, "open", KANAL_TYPE_INT, "open") ||
        kanal_table_add_column(t, "retired_at", KANAL_TYPE_TIME, "retired")) {
        kanal_table_free(t);
        return kanal_error_nomem(err);
    }
    kanal_arena *a = kanal_arena_new();
    store_workflow_row *rows = NULL;
    size_t n = 0;
    rc = a ? store_workflows_list(k->store, a, &rows, &n, err) : kanal_error_nomem(err);
    for (size_t i = 0; !rc && i < n; i++)
        if (kanal_table_add_row(t) || kanal_table_set(t, 0, rows[i].workflow) ||
            kanal_table_set_int(t, 1, rows[i].version) || kanal_table_set(t, 2, rows[i].name) ||
            kanal_table_set(t, 3, rows[i].applied_at) ||
            kanal_table_set(t, 4, rows[i].applied_by) || kanal_table_set_int(t, 5, rows[i].open) ||
            kanal_table_set(t, 6, rows[i].retired_at))
            rc = kanal_error_nomem(err);
    kanal_arena_free(a);
    if (rc) {
        kanal_table_free(t);
        return rc;
    }
    *out = t;
    return KANAL_OK;
}
