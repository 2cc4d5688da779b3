/*
** opps.c — reading opportunities: one as it stands, lists, what to do next,
** the agenda and the history; and creating one.
*/
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/engine.h"
#include "rules/rules.h"

void kanal_opp_free(kanal_opp *o)
{
    if (o)
        kanal_arena_free(o->arena_);
}

/* Assembles an opportunity: its row, partner, definition, goals and fields. */
static int opp_read(kanal *k, int64_t id, kanal_opp **out, kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    kanal_opp *o = a ? kanal_arena_alloc(a, sizeof *o) : NULL;
    if (!o) {
        kanal_arena_free(a);
        return kanal_error_nomem(err);
    }
    o->arena_ = a;
    store_opp_row r;
    def_entry *e;
    store_pair *pairs;
    size_t n;
    int rc = store_opp_get(k->store, a, id, &r, err);
    if (rc == KANAL_ENOTFOUND)
        rc = kanal_error_set(err, KANAL_ENOTFOUND, "no opportunity %lld", (long long)id);
    if (!rc && (rc = store_partner_by_id(k->store, a, r.partner_id, &o->partner, err)) ==
                   KANAL_ENOTFOUND)
        /* the store found the opportunity but not its partner: never a bare "not found" */
        rc = kanal_error_set(err, KANAL_ESTORAGE,
                             "opportunity %lld names partner %lld, which cannot be read",
                             (long long)id, (long long)r.partner_id);
    if (rc || (rc = engine_def_get(k, r.workflow, r.version, &e, err)))
        goto fail;
    o->id = r.id;
    o->workflow = r.workflow;
    o->version = r.version;
    o->owner = r.owner;
    o->status = r.status;
    o->stage = r.stage;
    o->stage_entered_at = r.stage_entered_at;
    o->created_at = r.created_at;
    o->closed_at = r.closed_at;
    o->lost_reason = r.lost_reason;
    o->last_event_at = r.last_event_at;
    o->last_seq = r.last_seq;
    o->next_contact_at = r.next_contact_at;
    o->last_activity_at = r.last_activity_at;
    o->wf = e->wf;
    o->stage_index = kanal_workflow_stage_index(e->wf, r.stage);
    o->done_at = kanal_arena_alloc(a, (e->wf->n_goals + 1) * sizeof *o->done_at);
    o->waived_at = kanal_arena_alloc(a, (e->wf->n_goals + 1) * sizeof *o->waived_at);
    o->fields = kanal_arena_alloc(a, (e->wf->n_fields + 1) * sizeof *o->fields);
    if (!o->done_at || !o->waived_at || !o->fields) {
        rc = kanal_error_nomem(err);
        goto fail;
    }
    if (o->stage_index < 0) {
        rc = kanal_error_set(err, KANAL_ESTORAGE,
                             "opportunity %lld is in stage '%s', which %s v%d does not have",
                             (long long)id, r.stage, r.workflow, r.version);
        goto fail;
    }
    if ((rc = store_goals_done(k->store, a, id, &pairs, &n, err)))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        int g = kanal_workflow_goal_index(e->wf, pairs[i].key);
        if (g >= 0)
            o->done_at[g] = pairs[i].value;
    }
    if ((rc = store_goals_waived(k->store, a, id, &pairs, &n, err)))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        int g = kanal_workflow_goal_index(e->wf, pairs[i].key);
        if (g >= 0)
            o->waived_at[g] = pairs[i].value;
    }
    if ((rc = store_field_values(k->store, a, id, &pairs, &n, err)))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        int f = kanal_workflow_field_index(e->wf, pairs[i].key);
        if (f >= 0)
            o->fields[f] = pairs[i].value;
    }
    *out = o;
    return KANAL_OK;
fail:
    kanal_arena_free(a);
    return rc;
}

static bool may_see(const kanal *k, const kanal_opp *o)
{
    return k->is_manager || k->is_admin || strcmp(o->owner, k->actor.id) == 0;
}

int engine_opp_load(kanal *k, int64_t id, kanal_opp **out, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc || (rc = opp_read(k, id, out, err)))
        return rc;
    if (!may_see(k, *out)) {
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "opportunity %lld belongs to '%s': you ('%s') see only your own",
                             (long long)id, (*out)->owner, k->actor.id);
        kanal_opp_free(*out);
        *out = NULL;
    }
    return rc;
}

int engine_opp_load_for_change(kanal *k, int64_t id, kanal_opp **out, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc || (rc = opp_read(k, id, out, err)))
        return rc;
    kanal_opp *o = *out;
    if (!k->is_manager && strcmp(o->owner, k->actor.id) != 0)
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "opportunity %lld belongs to '%s': only its owner or a manager "
                             "may change it",
                             (long long)id, o->owner);
    else if (o->status != KANAL_OPEN)
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "opportunity %lld is closed (%s on %.10s): it can no longer change",
                             (long long)id, kanal_status_name(o->status),
                             o->closed_at ? o->closed_at : "?");
    if (rc) {
        kanal_opp_free(o);
        *out = NULL;
    }
    return rc;
}

int kanal_opp_get(kanal *k, int64_t id, kanal_opp **out, kanal_error *err)
{
    int rc = engine_opp_load(k, id, out, err);
    if (rc || (*out)->status != KANAL_LOST)
        return rc;
    /* the lost reason's note lives in the log: the latest lost event's */
    kanal_opp *o = *out;
    store_event *ev;
    size_t n;
    if ((rc = store_events(k->store, o->arena_, o->id, &ev, &n, err))) {
        kanal_opp_free(o);
        *out = NULL;
        return rc;
    }
    for (size_t i = n; i-- > 0;) {
        if (strcmp(ev[i].type, kanal_event_name(KANAL_EV_LOST)) != 0)
            continue;
        json_t *d = json_loads(ev[i].data, 0, NULL);
        const char *note = d ? json_string_value(json_object_get(d, "note")) : NULL;
        if (note)
            o->lost_note = kanal_arena_strdup(o->arena_, note);
        json_decref(d);
        break;
    }
    return KANAL_OK;
}

void engine_goal_status(const kanal_opp *o, size_t gi, kanal_goal_status *st, kanal_arena *a)
{
    const kanal_goal *g = &o->wf->goals[gi];
    memset(st, 0, sizeof *st);
    st->goal = gi;
    st->done_at = o->done_at[gi];
    st->done = st->done_at != NULL;
    size_t *blocked = kanal_arena_alloc(a, (g->n_after + 1) * sizeof *blocked);
    size_t *missing = kanal_arena_alloc(a, (g->n_requires_fields + 1) * sizeof *missing);
    if (blocked)
        for (size_t i = 0; i < g->n_after; i++)
            /* a goal not required of it (migrated past its stage) waits for nothing */
            if (!o->done_at[g->after[i]] && !(o->waived_at && o->waived_at[g->after[i]]))
                blocked[st->n_blocked_by++] = g->after[i];
    if (missing)
        for (size_t i = 0; i < g->n_requires_fields; i++)
            if (!o->fields[g->requires_fields[i]])
                missing[st->n_missing_fields++] = g->requires_fields[i];
    st->blocked_by = blocked;
    st->missing_fields = missing;
    st->ready = !st->done && st->n_blocked_by == 0;
}

/* ---- next ------------------------------------------------------------------------ */

void kanal_next_free(kanal_next *n)
{
    if (!n)
        return;
    kanal_opp_free(n->opp); /* the rest lives in the opportunity's arena */
}

static int next_of(kanal *k, kanal_opp *o, kanal_next **out, kanal_error *err)
{
    kanal_arena *a = o->arena_;
    kanal_next *n = kanal_arena_alloc(a, sizeof *n);
    const kanal_stage *st = &o->wf->stages[o->stage_index];
    kanal_goal_status *goals = kanal_arena_alloc(a, (st->n_goals + 1) * sizeof *goals);
    size_t *outstanding = kanal_arena_alloc(a, (st->n_goals + 1) * sizeof *outstanding);
    if (!n || !goals || !outstanding)
        return kanal_error_nomem(err);
    n->opp = o;
    n->next_goal = -1;
    int optional_ready = -1;
    for (size_t i = 0; i < st->n_goals; i++) {
        size_t gi = st->goals[i];
        engine_goal_status(o, gi, &goals[i], a);
        const kanal_goal *g = &o->wf->goals[gi];
        if (g->mandatory && !goals[i].done)
            outstanding[n->n_outstanding++] = gi;
        if (goals[i].ready && g->mandatory && n->next_goal < 0)
            n->next_goal = (int)gi;
        if (goals[i].ready && !g->mandatory && optional_ready < 0)
            optional_ready = (int)gi;
    }
    if (n->next_goal < 0)
        n->next_goal = optional_ready;
    bool last = (size_t)o->stage_index + 1 == o->wf->n_stages;
    bool open = o->status == KANAL_OPEN;
    if (!open) {
        /* nothing is to be done on a closed opportunity */
        n->next_goal = -1;
        for (size_t i = 0; i < st->n_goals; i++)
            goals[i].ready = false;
    }
    n->goals = goals;
    n->n_goals = st->n_goals;
    n->outstanding = outstanding;
    n->can_advance = open && !last && n->n_outstanding == 0;
    n->can_win = open && last && n->n_outstanding == 0;
    int64_t entered = 0;
    kanal_error ignore;
    if (kanal_time_parse(o->stage_entered_at, &entered, &ignore) == KANAL_OK)
        n->days_in_stage = kanal_days_between(entered, kanal_now(k));
    n->stale = open && st->max_days > 0 && n->days_in_stage > st->max_days;
    *out = n;
    return KANAL_OK;
}

int kanal_next_get(kanal *k, int64_t id, kanal_next **out, kanal_error *err)
{
    kanal_opp *o;
    int rc = engine_opp_load(k, id, &o, err);
    if (rc)
        return rc;
    if ((rc = next_of(k, o, out, err)))
        kanal_opp_free(o);
    return rc;
}

/* An owner named in a filter exists, or it is a typo: not found, with a suggestion. */
int engine_user_known(kanal *k, const char *id, kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    kanal_user u;
    int rc = store_user_get(k->store, a, id, &u, err);
    if (rc == KANAL_ENOTFOUND) {
        kanal_user *users;
        size_t nu;
        const char **ids = NULL;
        if (!store_users_list(k->store, a, &users, &nu, err) &&
            (ids = kanal_arena_alloc(a, (nu + 1) * sizeof *ids)))
            for (size_t i = 0; i < nu; i++)
                ids[i] = users[i].id;
        rc = kanal_unknown(err, KANAL_ENOTFOUND, "user", id, ids, ids ? nu : 0, NULL);
    }
    kanal_arena_free(a);
    return rc;
}

/* A line of the agenda, before it is sorted. */
typedef struct agenda_line {
    kanal_next *nx;
    bool overdue;
    size_t order; /* the store's: by owner, the longest in its stage first */
} agenda_line;

/* By owner (a team's agenda), then overdue first (the earliest next contact first among
   them), then stale, then the rest as they came. */
static int agenda_cmp(const void *pa, const void *pb)
{
    const agenda_line *a = pa, *b = pb;
    int c = strcmp(a->nx->opp->owner, b->nx->opp->owner);
    if (c)
        return c;
    if (a->overdue != b->overdue)
        return a->overdue ? -1 : 1;
    if (a->overdue && (c = strcmp(a->nx->opp->next_contact_at, b->nx->opp->next_contact_at)))
        return c;
    if (a->nx->stale != b->nx->stale)
        return a->nx->stale ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* The open opportunities of owners (n 0: of everyone), each with what to do next. */
static int agenda(kanal *k, const char *const *owners, size_t n_owners, bool team,
                  kanal_table **out, kanal_error *err)
{
    kanal_table *t;
    int rc = kanal_table_new(&t, "opportunities", team ? "Team agenda" : "Agenda", err);
    if (rc)
        return rc;
    kanal_arena *a = kanal_arena_new();
    int64_t *ids = NULL;
    size_t n = 0, got = 0;
    agenda_line *lines = NULL;
    char today[11];
    engine_today(k, today);
    int c0 = team ? 1 : 0; /* a team's agenda has the owner after the id */
    if (!a || kanal_table_add_column(t, "id", KANAL_TYPE_INT, "id") ||
        (team && kanal_table_add_column(t, "owner", KANAL_TYPE_TEXT, "owner")) ||
        kanal_table_add_column(t, "partner", KANAL_TYPE_TEXT, "partner") ||
        kanal_table_add_column(t, "workflow", KANAL_TYPE_TEXT, "workflow") ||
        kanal_table_add_column(t, "stage", KANAL_TYPE_TEXT, "stage") ||
        kanal_table_add_column(t, "days_in_stage", KANAL_TYPE_INT, "days") ||
        kanal_table_add_column(t, "next_goal", KANAL_TYPE_TEXT, "next goal") ||
        kanal_table_add_column(t, "next_step", KANAL_TYPE_TEXT, "next step") ||
        kanal_table_add_column(t, "stale", KANAL_TYPE_BOOL, "stale") ||
        kanal_table_add_column(t, "next_contact_at", KANAL_TYPE_TEXT, "next contact") ||
        kanal_table_add_column(t, "overdue", KANAL_TYPE_BOOL, "overdue") ||
        kanal_table_add_column(t, "last_activity_at", KANAL_TYPE_TEXT, "last activity") ||
        (n_owners == 1 && kanal_table_add_filter(t, "owner", owners[0]))) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    if (n_owners == 1) {
        rc = store_opps_open_of_owner(k->store, a, owners[0], &ids, &n, err);
    } else {
        /* everyone's: by owner, each one's the longest in its stage first */
        store_opp_filter f = { .status = KANAL_OPEN };
        store_opp_row *rows;
        const char **users;
        size_t n_rows, n_users = 0;
        if (!(rc = store_opps_list(k->store, a, &f, &rows, &n_rows, err)) &&
            (!(users = kanal_arena_alloc(a, (n_rows + 1) * sizeof *users)) ||
             !(ids = kanal_arena_alloc(a, (n_rows + 1) * sizeof *ids))))
            rc = kanal_error_nomem(err);
        for (size_t i = 0; !rc && i < n_rows; i++) {
            bool seen = false;
            for (size_t u = 0; u < n_users && !seen; u++)
                seen = strcmp(users[u], rows[i].owner) == 0;
            if (!seen)
                users[n_users++] = rows[i].owner;
        }
        for (size_t u = 0; !rc && u < n_users; u++) {
            int64_t *some;
            size_t m;
            if (!(rc = store_opps_open_of_owner(k->store, a, users[u], &some, &m, err)))
                for (size_t i = 0; i < m && n < n_rows; i++)
                    ids[n++] = some[i];
        }
    }
    if (rc)
        goto done;
    if (!(lines = calloc(n + 1, sizeof *lines))) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        kanal_opp *o;
        if ((rc = opp_read(k, ids[i], &o, err)))
            break;
        if ((rc = next_of(k, o, &lines[got].nx, err))) {
            kanal_opp_free(o);
            break;
        }
        /* passed: due before today */
        lines[got].overdue = o->next_contact_at && strncmp(o->next_contact_at, today, 10) < 0;
        lines[got].order = i;
        got++;
    }
    if (!rc)
        qsort(lines, got, sizeof *lines, agenda_cmp);
    for (size_t i = 0; i < got && !rc; i++) {
        const kanal_next *nx = lines[i].nx;
        const kanal_opp *o = nx->opp;
        /* what to do: a goal, or leave the stage, or wait for what blocks it */
        const char *goal = nx->next_goal >= 0 ? o->wf->goals[nx->next_goal].id : NULL;
        const char *step = goal ? "goal" : nx->can_advance ? "advance"
                                       : nx->can_win       ? "win"
                                                           : "blocked";
        if (kanal_table_add_row(t) || kanal_table_set_int(t, 0, o->id) ||
            (team && kanal_table_set(t, 1, o->owner)) ||
            kanal_table_set(t, c0 + 1, o->partner.name) ||
            kanal_table_set(t, c0 + 2, o->workflow) || kanal_table_set(t, c0 + 3, o->stage) ||
            kanal_table_set_int(t, c0 + 4, nx->days_in_stage) || kanal_table_set(t, c0 + 5, goal) ||
            kanal_table_set(t, c0 + 6, step) || kanal_table_set_bool(t, c0 + 7, nx->stale) ||
            kanal_table_set(t, c0 + 8, o->next_contact_at) ||
            kanal_table_set_bool(t, c0 + 9, lines[i].overdue) ||
            kanal_table_set(t, c0 + 10, o->last_activity_at))
            rc = kanal_error_nomem(err);
    }
done:
    for (size_t i = 0; i < got; i++)
        kanal_next_free(lines[i].nx);
    free(lines);
    kanal_arena_free(a);
    if (rc) {
        kanal_table_free(t);
        return rc;
    }
    *out = t;
    return KANAL_OK;
}

int kanal_opp_agenda(kanal *k, kanal_table **out, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    const char *me = k->actor.id;
    return rc ? rc : agenda(k, &me, 1, false, out, err);
}

int kanal_team_agenda(kanal *k, const char *owner, kanal_table **out, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc)
        return rc;
    if ((!owner || strcmp(owner, k->actor.id) != 0) && !k->is_manager && !k->is_admin) {
        if (owner)
            return kanal_error_set(err, KANAL_EREFUSED,
                                   "only a manager or an admin sees the agenda of another user "
                                   "('%s'; you are '%s')",
                                   owner, k->actor.id);
        return kanal_error_set(err, KANAL_EREFUSED,
                               "only a manager or an admin sees the team's agenda (you are '%s')",
                               k->actor.id);
    }
    if (owner && (rc = engine_user_known(k, owner, err)))
        return rc;
    return agenda(k, &owner, owner ? 1 : 0, !owner, out, err);
}

/* ---- lists and history --------------------------------------------------------------- */

/*
** A filter that names nothing that exists is a typo, not an empty list: an
** unknown workflow, owner or stage is an error with a suggestion (a stage is
** checked against every version of the workflow named, or of every workflow).
*/
static int check_list_filter(kanal *k, const kanal_opp_filter *f, kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    int rc = KANAL_OK;
    const char **wids = NULL, *one[1] = { f->workflow };
    size_t n_wf = 0;
    if (f->workflow) {
        def_entry *e;
        rc = engine_workflow_latest(k, f->workflow, &e, err);
        wids = one, n_wf = rc ? 0 : 1;
    } else if (f->stage) {
        rc = store_workflow_ids(k->store, a, &wids, &n_wf, err);
    }
    if (!rc && f->owner)
        rc = engine_user_known(k, f->owner, err);
    if (!rc && f->stage) {
        /* every stage of every version: an old opportunity may sit in a stage since renamed */
        const char **stages = NULL;
        size_t n_st = 0, cap = 0;
        bool known = false;
        for (size_t w = 0; w < n_wf && !known && !rc; w++) {
            def_entry *latest;
            if ((rc = engine_workflow_latest(k, wids[w], &latest, err)))
                break;
            for (int v = 1; v <= latest->ver.version && !known; v++) {
                def_entry *e;
                kanal_error ignored;
                if (engine_def_get(k, wids[w], v, &e, &ignored))
                    continue;
                for (size_t s = 0; s < e->wf->n_stages && !known; s++) {
                    const char *id = e->wf->stages[s].id;
                    known = strcmp(id, f->stage) == 0;
                    bool seen = false;
                    for (size_t i = 0; i < n_st && !seen; i++)
                        seen = strcmp(stages[i], id) == 0;
                    if (seen)
                        continue;
                    if (n_st == cap) {
                        size_t nc = cap ? 2 * cap : 16;
                        const char **ns = kanal_arena_alloc(a, nc * sizeof *ns);
                        if (!ns) {
                            rc = kanal_error_nomem(err);
                            break;
                        }
                        if (n_st)
                            memcpy(ns, stages, n_st * sizeof *ns);
                        stages = ns, cap = nc;
                    }
                    stages[n_st++] = id;
                }
            }
        }
        if (!rc && !known) {
            char ctx[160];
            snprintf(ctx, sizeof ctx, "%s%s%s", f->workflow ? "in workflow '" : "in any workflow",
                     f->workflow ? f->workflow : "", f->workflow ? "'" : "");
            rc = kanal_unknown(err, KANAL_ENOTFOUND, "stage", f->stage, stages, n_st, ctx);
        }
    }
    kanal_arena_free(a);
    return rc;
}

/* The columns of a list of opportunities, in order. */
enum {
    COL_ID,
    COL_PARTNER,
    COL_WORKFLOW,
    COL_VERSION,
    COL_OWNER,
    COL_STATUS,
    COL_STAGE,
    COL_DAYS,
    COL_CREATED,
    COL_CLOSED,
    COL_LOST,
    COL_NEXT,
    COL_LAST_ACTIVITY,
    COL_COUNT
};

static const struct {
    const char *name, *label;
    kanal_type type;
} list_cols[COL_COUNT] = {
    { "id", "id", KANAL_TYPE_INT },
    { "partner", "partner", KANAL_TYPE_TEXT },
    { "workflow", "workflow", KANAL_TYPE_TEXT },
    { "version", "v", KANAL_TYPE_INT },
    { "owner", "owner", KANAL_TYPE_TEXT },
    { "status", "status", KANAL_TYPE_TEXT },
    { "stage", "stage", KANAL_TYPE_TEXT },
    { "days_in_stage", "days", KANAL_TYPE_INT },
    { "created_at", "created", KANAL_TYPE_TIME },
    { "closed_at", "closed", KANAL_TYPE_TIME },
    { "lost_reason", "lost reason", KANAL_TYPE_TEXT },
    { "next_contact_at", "next contact", KANAL_TYPE_TEXT },
    { "last_activity_at", "last activity", KANAL_TYPE_TIME },
};

/* A row of the list, with what it is sorted by. */
typedef struct list_item {
    const store_opp_row *r;
    int64_t days;
    const char *text; /* the sort key as text, or NULL (last) */
    const char *raw;  /* names: as written, after `text` folded (ł with l, case aside) */
    int64_t num;      /* the sort key as a number, when numeric */
    bool numeric, desc;
} list_item;

static int list_item_cmp(const void *pa, const void *pb)
{
    const list_item *a = pa, *b = pb;
    int c = 0;
    if (a->numeric) {
        c = (a->num > b->num) - (a->num < b->num);
    } else if (!a->text || !b->text) {
        /* empty values last, whichever the direction */
        if (a->text != b->text)
            return a->text ? -1 : 1;
    } else if (!(c = strcmp(a->text, b->text)) && a->raw && b->raw) {
        c = strcmp(a->raw, b->raw);
    }
    if (a->desc)
        c = -c;
    return c ? c : (a->r->id > b->r->id) - (a->r->id < b->r->id);
}

/* The sort key of a row for column col: names folded as people sort them (agencja
   before Zabrze, Łódź beside Lodz). */
static int list_item_key(kanal *k, kanal_arena *a, list_item *it, int col, kanal_error *err)
{
    const store_opp_row *r = it->r;
    it->numeric = col == COL_ID || col == COL_VERSION || col == COL_DAYS;
    it->num = col == COL_ID ? r->id : col == COL_VERSION ? r->version : it->days;
    const char *texts[COL_COUNT] = {
        [COL_PARTNER] = r->partner_name, [COL_WORKFLOW] = r->workflow,
        [COL_OWNER] = r->owner,          [COL_STATUS] = kanal_status_name(r->status),
        [COL_STAGE] = r->stage,          [COL_CREATED] = r->created_at,
        [COL_CLOSED] = r->closed_at,     [COL_LOST] = r->lost_reason,
        [COL_NEXT] = r->next_contact_at, [COL_LAST_ACTIVITY] = r->last_activity_at
    };
    it->text = texts[col];
    it->raw = NULL;
    if (it->text && (col == COL_PARTNER || col == COL_OWNER || col == COL_STAGE ||
                     col == COL_WORKFLOW || col == COL_LOST)) {
        char *folded = kanal_fold(engine_folder(k), it->text);
        it->raw = it->text;
        it->text = folded ? kanal_arena_strdup(a, folded) : NULL;
        free(folded);
        if (!it->text)
            return kanal_error_nomem(err);
    }
    return KANAL_OK;
}

/* The column --sort names ("-name": descending), or a usage error. */
static int sort_column(const char *sort, int *col, bool *desc, kanal_error *err)
{
    *desc = sort[0] == '-';
    const char *name = sort + *desc;
    const char *names[COL_COUNT];
    int prefixed = -1, n_prefixed = 0;
    for (int i = 0; i < COL_COUNT; i++) {
        names[i] = list_cols[i].name;
        if (strcmp(name, names[i]) == 0) {
            *col = i;
            return KANAL_OK;
        }
        if (name[0] && strncmp(name, names[i], strlen(name)) == 0)
            prefixed = i, n_prefixed++;
    }
    /* the start of one name only: "days" for days_in_stage */
    if (n_prefixed == 1) {
        *col = prefixed;
        return KANAL_OK;
    }
    const char *near = kanal_suggest(name, names, COL_COUNT);
    kanal_buf list = KANAL_BUF_INIT;
    for (int i = 0; i < COL_COUNT; i++)
        kanal_buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
    if (near)
        kanal_error_set(err, KANAL_EUSAGE,
                        "cannot sort by '%s': did you mean '%s%s'? (%s; '-' "
                        "before the name sorts descending)",
                        sort, *desc ? "-" : "", near, kanal_buf_cstr(&list));
    else
        kanal_error_set(err, KANAL_EUSAGE,
                        "cannot sort by '%s': choose one of %s ('-' before "
                        "the name sorts descending)",
                        sort, kanal_buf_cstr(&list));
    kanal_buf_release(&list);
    return KANAL_EUSAGE;
}

/* Whether an open row has been longer in its stage than the stage's max_days. */
static int row_stale(kanal *k, const store_opp_row *r, int64_t days, bool *stale, kanal_error *err)
{
    *stale = false;
    if (r->status != KANAL_OPEN)
        return KANAL_OK;
    def_entry *e;
    int rc = engine_def_get(k, r->workflow, r->version, &e, err);
    if (rc)
        return rc;
    int si = kanal_workflow_stage_index(e->wf, r->stage);
    if (si >= 0 && e->wf->stages[si].max_days > 0)
        *stale = days > e->wf->stages[si].max_days;
    return KANAL_OK;
}

/* Whether the table has a column of that name already. */
static bool column_taken(const kanal_table *t, const char *name)
{
    for (size_t c = 0; c < kanal_table_columns(t); c++)
        if (strcmp(kanal_table_column_name(t, c), name) == 0)
            return true;
    return false;
}

/* The export's columns: the lost reason's note, then every field of the rows' workflows
   (named as the field, or field_NAME where a column has the name already). */
static int detail_columns(kanal *k, kanal_table *t, const list_item *items, size_t n,
                          const char ***fields, size_t *n_fields, kanal_error *err)
{
    if (kanal_table_add_column(t, "lost_note", KANAL_TYPE_TEXT, "lost note"))
        return kanal_error_nomem(err);
    const char **ids = NULL;
    size_t got = 0, cap = 0;
    int rc = KANAL_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        def_entry *e;
        if ((rc = engine_def_get(k, items[i].r->workflow, items[i].r->version, &e, err)))
            break;
        for (size_t fi = 0; fi < e->wf->n_fields && !rc; fi++) {
            const char *id = e->wf->fields[fi].id;
            bool seen = false;
            for (size_t j = 0; j < got && !seen; j++)
                seen = strcmp(ids[j], id) == 0;
            if (seen)
                continue;
            if (got == cap) {
                cap = cap ? cap * 2 : 16;
                const char **g = realloc(ids, cap * sizeof *g);
                if (!g) {
                    rc = kanal_error_nomem(err);
                    break;
                }
                ids = g;
            }
            ids[got++] = id;
            /* named as the field, with field_ before it while a column has that name */
            char name[KANAL_ID_MAX + 64];
            int prefixes = 0;
            do
                snprintf(name, sizeof name, "%.*s%s", prefixes * 6,
                         "field_field_field_field_field_field_field_field_", id);
            while (column_taken(t, name) && ++prefixes < 8);
            if (kanal_table_add_column(t, name, KANAL_TYPE_TEXT, name))
                rc = kanal_error_nomem(err);
        }
    }
    if (rc) {
        free(ids);
        return rc;
    }
    *fields = ids;
    *n_fields = got;
    return KANAL_OK;
}

/* The export's cells of one row. */
static int detail_cells(kanal *k, kanal_table *t, int64_t id, const char *const *fields,
                        size_t n_fields, kanal_error *err)
{
    kanal_opp *o;
    int rc = kanal_opp_get(k, id, &o, err);
    if (rc)
        return rc;
    if (kanal_table_set(t, COL_COUNT, o->lost_note))
        rc = kanal_error_nomem(err);
    for (size_t i = 0; i < n_fields && !rc; i++) {
        int fi = kanal_workflow_field_index(o->wf, fields[i]);
        if (fi >= 0 && kanal_table_set(t, COL_COUNT + 1 + i, o->fields[fi]))
            rc = kanal_error_nomem(err);
    }
    kanal_opp_free(o);
    return rc;
}

int kanal_opp_list(kanal *k, const kanal_opp_filter *f, kanal_table **out, kanal_error *err)
{
    kanal_table *t;
    int rc = engine_need_actor(k, err);
    if (rc)
        return rc;
    store_opp_filter sf = { f->owner, f->workflow, f->stage, KANAL_STATUS_COUNT };
    if (f->mine) {
        if (f->owner && strcmp(f->owner, k->actor.id) != 0)
            return kanal_error_set(err, KANAL_EUSAGE,
                                   "your own opportunities and those of '%s' contradict",
                                   f->owner);
        sf.owner = k->actor.id;
    }
    if (!k->is_manager && !k->is_admin) {
        if (sf.owner && strcmp(sf.owner, k->actor.id) != 0)
            return kanal_error_set(err, KANAL_EREFUSED,
                                   "you ('%s') see only your own opportunities",
                                   k->actor.id);
        sf.owner = k->actor.id;
    }
    if (f->status && (sf.status = kanal_status_of(f->status)) == KANAL_STATUS_COUNT)
        return kanal_error_set(err, KANAL_EUSAGE,
                               "invalid status '%s': use open, won or lost", f->status);
    if ((f->stale || f->overdue) && f->status && sf.status != KANAL_OPEN)
        return kanal_error_set(err, KANAL_EUSAGE,
                               "--%s lists open opportunities: --status %s contradicts it",
                               f->stale ? "stale" : "overdue", f->status);
    if (f->stale || f->overdue)
        sf.status = KANAL_OPEN;
    int sort_col = COL_ID;
    bool desc = false;
    if (f->sort && (rc = sort_column(f->sort, &sort_col, &desc, err)))
        return rc;
    if ((rc = check_list_filter(k, f, err)))
        return rc;
    if ((rc = kanal_table_new(&t, "opportunities", "Opportunities", err)))
        return rc;
    for (size_t i = 0; i < COL_COUNT && !rc; i++)
        if (kanal_table_add_column(t, list_cols[i].name, list_cols[i].type, list_cols[i].label))
            rc = kanal_error_nomem(err);
    char limit[32];
    snprintf(limit, sizeof limit, "%zu", f->limit);
    const char *names[] = { "owner", "workflow", "stage", "status",
                            "stale", "overdue",  "sort",  "limit" };
    const char *vals[] = { sf.owner,
                           sf.workflow,
                           sf.stage,
                           f->status,
                           f->stale ? "yes" : NULL,
                           f->overdue ? "yes" : NULL,
                           f->sort,
                           f->limit ? limit : NULL };
    for (size_t i = 0; i < KANAL_ARRAY_LEN(names) && !rc; i++)
        if (vals[i] && kanal_table_add_filter(t, names[i], vals[i]))
            rc = kanal_error_nomem(err);
    kanal_arena *a = kanal_arena_new();
    store_opp_row *rows = NULL;
    list_item *items = NULL;
    const char **fields = NULL;
    size_t n = 0, got = 0, n_fields = 0;
    char today[11];
    engine_today(k, today);
    if (!rc && !a)
        rc = kanal_error_nomem(err);
    if (!rc)
        rc = store_opps_list(k->store, a, &sf, &rows, &n, err);
    if (!rc && !(items = calloc(n + 1, sizeof *items)))
        rc = kanal_error_nomem(err);
    for (size_t i = 0; !rc && i < n; i++) {
        const store_opp_row *r = &rows[i];
        /* days in the stage: until it closed, or until now */
        int64_t from = 0, to = kanal_now(k);
        kanal_error ignore;
        if (kanal_time_parse(r->stage_entered_at, &from, &ignore) ||
            (r->closed_at && kanal_time_parse(r->closed_at, &to, &ignore)))
            from = to;
        list_item *it = &items[got];
        it->r = r;
        it->days = kanal_days_between(from, to);
        bool stale = false;
        if (f->stale && (rc = row_stale(k, r, it->days, &stale, err)))
            break;
        /* passed: due before today, as the agenda says */
        bool overdue = r->next_contact_at && strncmp(r->next_contact_at, today, 10) < 0;
        if ((f->stale && !stale) || (f->overdue && !overdue))
            continue;
        if (f->sort && (rc = list_item_key(k, a, it, sort_col, err)))
            break;
        it->desc = desc;
        got++;
    }
    if (!rc && f->sort)
        qsort(items, got, sizeof *items, list_item_cmp);
    if (f->limit && got > f->limit)
        got = f->limit;
    if (!rc && f->detail)
        rc = detail_columns(k, t, items, got, &fields, &n_fields, err);
    for (size_t i = 0; !rc && i < got; i++) {
        const store_opp_row *r = items[i].r;
        if (kanal_table_add_row(t) || kanal_table_set_int(t, COL_ID, r->id) ||
            kanal_table_set(t, COL_PARTNER, r->partner_name) ||
            kanal_table_set(t, COL_WORKFLOW, r->workflow) ||
            kanal_table_set_int(t, COL_VERSION, r->version) ||
            kanal_table_set(t, COL_OWNER, r->owner) ||
            kanal_table_set(t, COL_STATUS, kanal_status_name(r->status)) ||
            kanal_table_set(t, COL_STAGE, r->stage) ||
            kanal_table_set_int(t, COL_DAYS, items[i].days) ||
            kanal_table_set(t, COL_CREATED, r->created_at) ||
            kanal_table_set(t, COL_CLOSED, r->closed_at) ||
            kanal_table_set(t, COL_LOST, r->lost_reason) ||
            kanal_table_set(t, COL_NEXT, r->next_contact_at) ||
            kanal_table_set(t, COL_LAST_ACTIVITY, r->last_activity_at))
            rc = kanal_error_nomem(err);
        if (!rc && f->detail)
            rc = detail_cells(k, t, r->id, fields, n_fields, err);
    }
    free(fields);
    free(items);
    kanal_arena_free(a);
    if (rc) {
        kanal_table_free(t);
        return rc;
    }
    *out = t;
    return KANAL_OK;
}

/*
** Refuses to show a log that was changed outside Kanal as if it were whole:
** events deleted (fewer than the opportunity's sequence says, or a gap),
** or an event whose data is no longer JSON.
*/
static int log_intact(kanal *k, const kanal_opp *o, kanal_error *err)
{
    int64_t n, max_seq, bad_opp, bad_seq;
    bool found;
    int rc = store_events_invalid(k->store, o->id, &found, &bad_opp, &bad_seq, err);
    if (!rc && found)
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "the event log is damaged: event %lld of opportunity %lld does "
                               "not hold valid JSON (it was changed outside Kanal)",
                               (long long)bad_seq, (long long)o->id);
    if (!rc && !(rc = store_event_count(k->store, o->id, &n, &max_seq, err)) &&
        (n != o->last_seq || max_seq != o->last_seq))
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "the event log is damaged: opportunity %lld has %lld of its "
                               "%lld events (events were deleted outside Kanal)",
                               (long long)o->id, (long long)n, (long long)o->last_seq);
    return rc;
}

int kanal_opp_history(kanal *k, int64_t id, kanal_history **out, kanal_error *err)
{
    kanal_opp *o;
    int rc = engine_opp_load(k, id, &o, err);
    if (rc)
        return rc;
    rc = log_intact(k, o, err);
    kanal_opp_free(o);
    if (rc)
        return rc;
    kanal_history *h = calloc(1, sizeof *h);
    if (!h || !(h->arena_ = kanal_arena_new())) {
        free(h);
        return kanal_error_nomem(err);
    }
    h->id = id;
    store_event *raw;
    kanal_event *events = NULL;
    if (!(rc = store_events(k->store, h->arena_, id, &raw, &h->n_events, err)) &&
        !(events = kanal_arena_alloc(h->arena_, (h->n_events + 1) * sizeof *events)))
        rc = kanal_error_nomem(err);
    for (size_t i = 0; !rc && i < h->n_events; i++) {
        const store_event *e = &raw[i];
        events[i] = (kanal_event){ e->seq,      e->at,      e->actor, e->type,  e->data,
                                   e->workflow, e->version, NULL,     e->login, 0 };
        rc = engine_event_summary(h->arena_, e->data, &events[i].summary, err);
    }
    if (!rc)
        engine_history_voided(events, h->n_events);
    if (rc) {
        kanal_opp_history_free(h);
        return rc;
    }
    h->events = events;
    *out = h;
    return KANAL_OK;
}

void kanal_opp_history_free(kanal_history *h)
{
    if (!h)
        return;
    kanal_arena_free(h->arena_);
    free(h);
}

/* ---- creating ---------------------------------------------------------------------- */

/*
** The opportunity about to be created, as can_create sees it: not stored
** yet (id 0), so that counting open opportunities does not count it.
*/
static int opp_transient(kanal *k, def_entry *e, const kanal_partner *p, const char *owner,
                         const char *at, kanal_opp **out, kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    kanal_opp *o = a ? kanal_arena_alloc(a, sizeof *o) : NULL;
    if (!o) {
        kanal_arena_free(a);
        return kanal_error_nomem(err);
    }
    const kanal_workflow *wf = e->wf;
    o->arena_ = a;
    o->partner = *p;
    o->workflow = wf->id;
    o->version = e->ver.version;
    o->owner = kanal_arena_strdup(a, owner);
    o->status = KANAL_OPEN;
    o->stage = wf->stages[0].id;
    o->stage_index = 0;
    o->stage_entered_at = o->created_at = o->last_event_at = kanal_arena_strdup(a, at);
    o->wf = wf;
    o->done_at = kanal_arena_alloc(a, (wf->n_goals + 1) * sizeof *o->done_at);
    o->waived_at = kanal_arena_alloc(a, (wf->n_goals + 1) * sizeof *o->waived_at);
    o->fields = kanal_arena_alloc(a, (wf->n_fields + 1) * sizeof *o->fields);
    if (!o->owner || !o->created_at || !o->done_at || !o->waived_at || !o->fields) {
        kanal_arena_free(a);
        return kanal_error_nomem(err);
    }
    (void)k;
    *out = o;
    return KANAL_OK;
}

int kanal_opp_create(kanal *k, const char *partner, const char *workflow, const char *owner,
                     const char *at, int64_t *id, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc)
        return rc;
    if (owner && strcmp(owner, k->actor.id) != 0 && !k->is_manager)
        return kanal_error_set(err, KANAL_EREFUSED,
                               "only a manager may create opportunities for someone else "
                               "(you are '%s')",
                               k->actor.id);
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    if ((rc = engine_op_begin(k, err))) {
        kanal_arena_free(a);
        return rc;
    }
    def_entry *e;
    kanal_partner p;
    kanal_user u;
    char t[KANAL_TIME_LEN];
    int64_t existing;
    if ((rc = engine_workflow_latest(k, workflow, &e, err)) ||
        (rc = engine_partner_find(k, a, partner, &p, err)) ||
        (rc = engine_active_user(k, a, owner ? owner : k->actor.id, &u, err)))
        goto done;
    const kanal_workflow *wf = e->wf;
    const char *retired = NULL;
    if ((rc = store_workflow_retired(k->store, a, workflow, &retired, err)))
        goto done;
    if (retired) {
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "workflow '%s' was retired on %.10s: no new opportunity follows it "
                             "(an admin applies it again to bring it back)",
                             workflow, retired);
        goto done;
    }
    if (!kanal_workflow_has_partner_type(wf, p.type)) {
        kanal_buf types = KANAL_BUF_INIT;
        for (size_t i = 0; i < wf->n_partner_types; i++)
            kanal_buf_printf(&types, "%s%s", i ? ", " : "", wf->partner_types[i]);
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "partner '%s' is of type '%s'; workflow '%s' takes %s", p.name,
                             p.type, wf->id, kanal_buf_cstr(&types));
        kanal_buf_release(&types);
        goto done;
    }
    if ((rc = engine_owner_fits(wf, &u, err)))
        goto done;
    if (p.owner && strcmp(p.owner, u.id) != 0) {
        kanal_user po;
        kanal_error ignore;
        bool named = store_user_get(k->store, a, p.owner, &po, &ignore) == KANAL_OK;
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "partner '%s' is owned by %s%s%s%s: two reps never work the same "
                             "partner (a manager can reassign it)",
                             p.name, p.owner, named ? " (" : "", named ? po.name : "",
                             named ? ")" : "");
        goto done;
    }
    if ((rc = store_opp_open_for(k->store, p.id, wf->id, &existing, err)))
        goto done;
    if (existing) {
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "partner '%s' already has an open opportunity in workflow '%s' "
                             "(%lld)",
                             p.name, wf->id, (long long)existing);
        goto done;
    }
    if ((rc = engine_step_time(k, NULL, at, t, err)))
        goto done;
    kanal_opp *draft = NULL;
    if ((rc = opp_transient(k, e, &p, u.id, t, &draft, err)))
        goto done;
    hook_call guard = { .hook = HOOK_can_create, .opp = draft, .at = t, .not_stored = true };
    rc = engine_run_hook(k, &guard, err);
    kanal_opp_free(draft);
    if (rc)
        goto done;
    bool claim = p.owner == NULL;
    if (claim && (rc = store_partner_set_owner(k->store, p.id, u.id, err)))
        goto done;
    store_opp_row row = { .partner_id = p.id, .workflow = wf->id, .version = e->ver.version,
                          .owner = u.id, .stage = wf->stages[0].id, .created_at = t };
    if ((rc = store_opp_insert(k->store, &row, id, err)))
        goto done;
    kanal_opp *o;
    if ((rc = opp_read(k, *id, &o, err)))
        goto done;
    kanal_buf data = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &data);
    kanal_json_object(&j);
    kanal_json_key(&j, "partner_id");
    kanal_json_int(&j, p.id);
    kanal_json_key(&j, "partner");
    kanal_json_str(&j, p.name);
    kanal_json_key(&j, "workflow");
    kanal_json_str(&j, wf->id);
    kanal_json_key(&j, "version");
    kanal_json_int(&j, e->ver.version);
    kanal_json_key(&j, "owner");
    kanal_json_str(&j, u.id);
    kanal_json_key(&j, "stage");
    kanal_json_str(&j, wf->stages[0].id);
    kanal_json_key(&j, "partner_claimed");
    kanal_json_bool(&j, claim);
    kanal_json_end_object(&j);
    rc = engine_record_event(k, o, KANAL_EV_CREATED, t, &data, err);
    kanal_buf_release(&data);
    if (!rc) {
        hook_call react = { .hook = HOOK_on_create, .opp = o, .at = t };
        rc = engine_run_hook(k, &react, err);
    }
    kanal_opp_free(o);
done:
    kanal_arena_free(a);
    return engine_op_end(k, rc, err);
}
