/*
** migrate.c — moving open opportunities to another version of their
** workflow, on purpose, and retiring a workflow.
**
** A migration is all or nothing: every opportunity chosen is checked first
** (its stage must exist in the target version, or be mapped to one; its field
** values must pass the target's types), and when any cannot move, none moves
** and each problem is listed. An opportunity that moves gets a `migrated`
** event naming both versions; from then on the target's goals, rules and
** catalogues apply to it. Goals the target adds to its current stage become
** outstanding; goals it adds to stages the opportunity has passed are
** recorded as not required of it (the goals report leaves them out instead
** of counting them as skipped); goals it completed that no longer exist stay
** in its history.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "def/fields.h"
#include "engine/engine.h"
#include "kanal/json.h"

struct kanal_migration_priv {
    kanal_arena *a;
    size_t cap;
};

void kanal_migration_free(kanal_migration *m)
{
    if (!m)
        return;
    kanal_arena_free(m->priv_->a);
    free(m->priv_);
    free(m->opps);
    free(m);
}

/* "OLD=NEW" maps, checked against the target version's stages. */
typedef struct stage_map {
    const char *from, *to;
} stage_map;

static int parse_maps(kanal_arena *a, const kanal_workflow *to, int version,
                      const char *const *maps, size_t n, stage_map **out, kanal_error *err)
{
    stage_map *m = kanal_arena_alloc(a, (n + 1) * sizeof *m);
    if (!m)
        return kanal_error_nomem(err);
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(maps[i], '=');
        if (!eq || eq == maps[i] || !eq[1])
            return kanal_error_set(err, KANAL_EUSAGE, "--map takes OLD_STAGE=NEW_STAGE, not '%s'",
                                   maps[i]);
        m[i].from = kanal_arena_strndup(a, maps[i], (size_t)(eq - maps[i]));
        m[i].to = kanal_arena_strdup(a, eq + 1);
        if (!m[i].from || !m[i].to)
            return kanal_error_nomem(err);
        if (kanal_workflow_stage_index(to, m[i].to) < 0) {
            kanal_buf b = KANAL_BUF_INIT;
            for (size_t s = 0; s < to->n_stages; s++)
                kanal_buf_printf(&b, "%s%s", s ? ", " : "", to->stages[s].id);
            kanal_error_set(err, KANAL_EUSAGE,
                            "--map %s: version %d of '%s' has no stage '%s' (its stages: %s)",
                            maps[i], version, to->id, m[i].to, kanal_buf_cstr(&b));
            kanal_buf_release(&b);
            return KANAL_EUSAGE;
        }
    }
    *out = m;
    return KANAL_OK;
}

static kanal_opp_migration *add_opp(kanal_migration *m, kanal_error *err)
{
    struct kanal_migration_priv *p = m->priv_;
    if (m->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        kanal_opp_migration *o = realloc(m->opps, cap * sizeof *o);
        if (!o) {
            kanal_error_nomem(err);
            return NULL;
        }
        m->opps = o, p->cap = cap;
    }
    kanal_opp_migration *o = &m->opps[m->n++];
    memset(o, 0, sizeof *o);
    return o;
}

/* A list of ids, kept in the result's arena. */
static const char **id_list(kanal_arena *a, size_t cap)
{
    return kanal_arena_alloc(a, (cap + 1) * sizeof(const char *));
}

/* What moving opportunity `id` to `to` would do, or why it cannot (o->problem). */
static int plan_one(kanal *k, kanal_migration *m, const store_opp_row *row, def_entry *to,
                    const stage_map *maps, size_t n_maps, kanal_error *err)
{
    kanal_arena *a = m->priv_->a;
    const kanal_workflow *wf = to->wf;
    kanal_opp_migration *o = add_opp(m, err);
    if (!o)
        return err->code;
    o->opp = row->id;
    o->partner = row->partner_name ? kanal_arena_strdup(a, row->partner_name) : NULL;
    o->owner = kanal_arena_strdup(a, row->owner);
    o->from = row->version;
    o->stage = kanal_arena_strdup(a, row->stage);
    o->to_stage = o->stage;
    for (size_t i = 0; i < n_maps; i++)
        if (strcmp(maps[i].from, row->stage) == 0)
            o->to_stage = maps[i].to;
    int si = kanal_workflow_stage_index(wf, o->to_stage);
    kanal_buf why = KANAL_BUF_INIT;
    if (si < 0)
        kanal_buf_printf(&why, "its stage '%s' is not in version %d: map it (--map %s=STAGE)",
                         row->stage, to->ver.version, row->stage);
    /* field values the target's types reject */
    store_pair *vals;
    size_t nv;
    int rc = store_field_values(k->store, a, row->id, &vals, &nv, err);
    for (size_t i = 0; !rc && i < nv; i++) {
        int fi = kanal_workflow_field_index(wf, vals[i].key);
        if (fi < 0)
            continue; /* a field the target lacks: its value stays in the history */
        char *canon = NULL;
        kanal_error ferr;
        if (def_field_value_parse(&wf->fields[fi], vals[i].value, &canon, &ferr))
            kanal_buf_printf(&why, "%sfield %s = '%s': %s", why.len ? "; " : "", vals[i].key,
                             vals[i].value, ferr.message);
        free(canon);
    }
    if (rc)
        return rc;
    /* the goals: done, outstanding in its stage, not required in stages passed */
    store_pair *done;
    size_t nd;
    if ((rc = store_goals_done(k->store, a, row->id, &done, &nd, err)))
        return rc;
    o->outstanding = id_list(a, wf->n_goals);
    o->waived = id_list(a, wf->n_goals);
    o->gone = id_list(a, nd);
    if (!o->outstanding || !o->waived || !o->gone || why.oom) {
        kanal_buf_release(&why);
        return kanal_error_nomem(err);
    }
    for (size_t g = 0; si >= 0 && g < wf->n_goals; g++) {
        bool is_done = false;
        for (size_t i = 0; i < nd && !is_done; i++)
            is_done = strcmp(done[i].key, wf->goals[g].id) == 0;
        if (is_done)
            continue;
        if ((int)wf->goals[g].stage < si)
            o->waived[o->n_waived++] = wf->goals[g].id;
        else if ((int)wf->goals[g].stage == si)
            o->outstanding[o->n_outstanding++] = wf->goals[g].id;
    }
    for (size_t i = 0; i < nd; i++)
        if (kanal_workflow_goal_index(wf, done[i].key) < 0)
            o->gone[o->n_gone++] = done[i].key;
    if (why.len && !(o->problem = kanal_arena_strdup(a, kanal_buf_cstr(&why))))
        rc = kanal_error_nomem(err);
    kanal_buf_release(&why);
    return rc;
}

/* The opportunities chosen: those named, or the open ones of the versions chosen. */
static int choose(kanal *k, kanal_arena *a, const kanal_migrate_options *mo, int to,
                  store_opp_row **out, size_t *n, kanal_error *err)
{
    store_opp_filter f = { .workflow = mo->workflow, .status = KANAL_STATUS_COUNT };
    store_opp_row *rows;
    size_t nr;
    int rc = store_opps_list(k->store, a, &f, &rows, &nr, err);
    if (rc)
        return rc;
    store_opp_row *pick = kanal_arena_alloc(a, (nr + 1) * sizeof *pick);
    if (!pick)
        return kanal_error_nomem(err);
    size_t np = 0;
    if (mo->n_opps) {
        for (size_t i = 0; i < mo->n_opps; i++) {
            size_t j = 0;
            while (j < nr && rows[j].id != mo->opps[i])
                j++;
            if (j == nr) {
                /* another workflow's, or none at all */
                store_opp_row other;
                if (store_opp_get(k->store, a, mo->opps[i], &other, err) == KANAL_OK)
                    return kanal_error_set(err, KANAL_EUSAGE,
                                           "opportunity %lld follows '%s', not '%s'",
                                           (long long)mo->opps[i], other.workflow, mo->workflow);
                return kanal_error_set(err, KANAL_ENOTFOUND, "no opportunity %lld",
                                       (long long)mo->opps[i]);
            }
            if (rows[j].status != KANAL_OPEN)
                return kanal_error_set(err, KANAL_EREFUSED,
                                       "opportunity %lld is closed (%s): it stays on version %d "
                                       "with its history",
                                       (long long)rows[j].id, kanal_status_name(rows[j].status),
                                       rows[j].version);
            if (rows[j].version == to)
                return kanal_error_set(err, KANAL_EUSAGE,
                                       "opportunity %lld is on version %d already",
                                       (long long)rows[j].id, to);
            if (mo->from && rows[j].version != mo->from)
                return kanal_error_set(err, KANAL_EUSAGE,
                                       "opportunity %lld is on version %d, not %d (--from)",
                                       (long long)rows[j].id, rows[j].version, mo->from);
            bool twice = false;
            for (size_t q = 0; q < np && !twice; q++)
                twice = pick[q].id == rows[j].id;
            if (!twice)
                pick[np++] = rows[j];
        }
    } else {
        for (size_t i = 0; i < nr; i++)
            if (rows[i].status == KANAL_OPEN &&
                (mo->from ? rows[i].version == mo->from : rows[i].version < to))
                pick[np++] = rows[i];
    }
    *out = pick;
    *n = np;
    return KANAL_OK;
}

/* The `migrated` event, and the move itself. */
static int move_one(kanal *k, const kanal_opp_migration *m, int to, const char *at,
                    kanal_error *err)
{
    kanal_opp *o = NULL;
    int rc = engine_opp_load(k, m->opp, &o, err);
    char t[KANAL_TIME_LEN];
    if (rc || (rc = engine_step_time(k, o, at, t, err)) ||
        (rc = store_opp_set_version(k->store, m->opp, to, m->to_stage, err)))
        goto done;
    for (size_t i = 0; i < m->n_waived && !rc; i++)
        rc = store_goal_waive(k->store, m->opp, m->waived[i], t, err);
    if (rc)
        goto done;
    kanal_buf data = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &data);
    kanal_json_object(&j);
    kanal_json_key(&j, "from_version");
    kanal_json_int(&j, m->from);
    kanal_json_key(&j, "to_version");
    kanal_json_int(&j, to);
    kanal_json_key(&j, "stage");
    kanal_json_str(&j, m->to_stage);
    if (strcmp(m->stage, m->to_stage) != 0) {
        kanal_json_key(&j, "from_stage");
        kanal_json_str(&j, m->stage);
    }
    kanal_json_key(&j, "not_required");
    kanal_json_array(&j);
    for (size_t i = 0; i < m->n_waived; i++)
        kanal_json_str(&j, m->waived[i]);
    kanal_json_end_array(&j);
    kanal_json_end_object(&j);
    /* the event belongs to the version the opportunity follows from now on */
    o->version = to;
    rc = engine_record_event(k, o, KANAL_EV_MIGRATED, t, &data, err);
    kanal_buf_release(&data);
done:
    kanal_opp_free(o);
    return rc;
}

int kanal_workflow_migrate(kanal *k, const kanal_migrate_options *mo, kanal_migration **out,
                           kanal_error *err)
{
    *out = NULL;
    int rc = engine_need_admin(k, "migrate opportunities", err);
    if (rc)
        return rc;
    def_entry *latest, *to;
    if ((rc = engine_workflow_latest(k, mo->workflow, &latest, err)))
        return rc;
    int n = latest->ver.version;
    if (mo->to < 1 || mo->to > n)
        return kanal_error_set(err, KANAL_ENOTFOUND,
                               "workflow '%s' has no version %d (its versions are 1 to %d)",
                               mo->workflow, mo->to, n);
    if (mo->from && (mo->from < 1 || mo->from > n))
        return kanal_error_set(err, KANAL_ENOTFOUND,
                               "workflow '%s' has no version %d (its versions are 1 to %d)",
                               mo->workflow, mo->from, n);
    if (mo->from == mo->to)
        return kanal_error_set(err, KANAL_EUSAGE, "--from and --to name the same version (%d)",
                               mo->to);
    if ((rc = engine_def_get(k, mo->workflow, mo->to, &to, err)))
        return rc;
    kanal_migration *m = calloc(1, sizeof *m);
    struct kanal_migration_priv *p = calloc(1, sizeof *p);
    if (!m || !p || !(p->a = kanal_arena_new())) {
        free(m);
        free(p);
        return kanal_error_nomem(err);
    }
    m->priv_ = p;
    m->workflow = kanal_arena_strdup(p->a, mo->workflow);
    m->to = mo->to;
    stage_map *maps = NULL;
    store_opp_row *rows;
    size_t nr = 0;
    if ((rc = parse_maps(p->a, to->wf, mo->to, mo->maps, mo->n_maps, &maps, err)) ||
        (rc = engine_op_begin(k, err))) {
        kanal_migration_free(m);
        return rc;
    }
    if ((rc = choose(k, p->a, mo, mo->to, &rows, &nr, err)))
        goto end;
    for (size_t i = 0; i < nr && !rc; i++)
        rc = plan_one(k, m, &rows[i], to, maps, mo->n_maps, err);
    for (size_t i = 0; !rc && i < m->n; i++)
        m->blocked += m->opps[i].problem != NULL;
    if (!rc && m->blocked)
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "%zu of %zu opportunit%s cannot move to version %d of '%s' (listed "
                             "above): nothing was migrated",
                             m->blocked, m->n, m->n == 1 ? "y" : "ies", mo->to, mo->workflow);
    if (!rc && !mo->dry_run)
        for (size_t i = 0; i < m->n && !rc; i++)
            rc = move_one(k, &m->opps[i], mo->to, mo->at, err);
end:
    if (!rc && mo->dry_run) {
        kanal_error ignored;
        engine_op_end(k, KANAL_EREFUSED, &ignored); /* a dry run keeps nothing */
    } else {
        rc = engine_op_end(k, rc, err);
    }
    m->moved = !rc && !mo->dry_run;
    *out = m; /* on a refusal too: the list says why */
    return rc;
}

int kanal_workflow_retire(kanal *k, const char *id, kanal_error *err)
{
    int rc = engine_need_admin(k, "retire workflows", err);
    def_entry *latest;
    if (rc || (rc = engine_workflow_latest(k, id, &latest, err)) || (rc = engine_op_begin(k, err)))
        return rc;
    kanal_arena *a = kanal_arena_new();
    const char *already = NULL;
    char at[KANAL_TIME_LEN];
    engine_now_text(k, at);
    if (!a)
        rc = kanal_error_nomem(err);
    else if (!(rc = store_workflow_retired(k->store, a, id, &already, err)) && already)
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "workflow '%s' was retired on %.10s already (apply it to bring it "
                             "back)",
                             id, already);
    if (!rc && !(rc = store_workflow_set_retired(k->store, id, at, k->actor.id, err)))
        rc = engine_record_text_event(k, NULL, KANAL_EV_WORKFLOW_RETIRED, at, err, "workflow", id,
                                      NULL);
    kanal_arena_free(a);
    return engine_op_end(k, rc, err);
}
