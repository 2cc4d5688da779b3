/*
** reports.c — the manager's reports, the layer above the engine: the store
** aggregates (store_report_*), this file names what it counted from the
** definitions the engine keeps, computes the rates with their intervals and
** the tests, and lays out two tables: the figures (for JSON, CSV and the
** plugins) and the same rows for people, each rate with its count, its
** interval and a mark when the sample is small.
*/
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/stats.h"
#include "engine/engine.h"
#include "kanal/json.h"
#include "kanal/reports.h"

/* below this many closed opportunities, a rate is marked as a small sample */
#define SMALL_SAMPLE 5

struct kanal_report_priv {
    kanal_arena *a;
    const char *workflow, *owner, *since, *until, *by;
    const char *partner; /* commission: the partner chosen, by its name */
    int version;
    const int *versions; /* compare: the versions chosen, in order; NULL: every one */
    size_t n_versions;
    const char **notes;
    size_t n_notes, cap_notes;
    bool small; /* a rate was marked as a small sample */
};

typedef struct ctx {
    kanal *k;
    kanal_report *r;
    kanal_arena *a;
    store_scope sc;
    def_entry *def; /* the chosen workflow's definition (its version, or the latest) */
    const char *question; /* the title of the figures: what the report answers */
    kanal_error *err;
} ctx;

typedef int (*report_fn)(ctx *c);

static int lost_reasons(ctx *c);
static int activities(ctx *c);
static int funnel(ctx *c);
static int stale(ctx *c);
static int goals(ctx *c);
static int compare(ctx *c);
static int commission(ctx *c);

static const struct {
    kanal_report_info info;
    report_fn run;
    bool one_workflow; /* follows the stages or goals of one workflow */
    const char *question; /* a chart's title */
} reports[] = {
    { { "activities", "what each rep does, and what works: outcomes, activity mix, first touch" },
      activities,
      false,
      "What each rep does, and what it wins" },
    { { "commission",
        "what won partners' clients earn them: each deal's commission by the rules, per partner" },
      commission,
      false,
      "What the partners' clients earn them" },
    { { "compare", "did the change help: each version of a workflow, its win rate, days to a "
                   "win and lost reasons, compared" },
      compare,
      true,
      "Did the change help?" },
    { { "funnel",
        "where opportunities get stuck: each stage entered, left, converted, and how long" },
      funnel,
      true,
      "Where opportunities get stuck" },
    { { "goals", "which goals matter: done, done out of order, win rate with and without" },
      goals,
      true,
      "Which goals go with a win" },
    { { "lost-reasons", "why partners say no: lost reasons, most frequent first" },
      lost_reasons,
      false,
      "Why partners said no" },
    { { "stale", "what waits too long: open opportunities past their stage's max_days" },
      stale,
      false,
      "What waits too long" },
};

const kanal_report_info *kanal_report_list(size_t *n)
{
    static kanal_report_info list[KANAL_ARRAY_LEN(reports)];
    for (size_t i = 0; i < KANAL_ARRAY_LEN(reports); i++)
        list[i] = reports[i].info;
    *n = KANAL_ARRAY_LEN(reports);
    return list;
}

/* ---- small helpers ----------------------------------------------------------------- */

static int nomem(ctx *c)
{
    return kanal_error_nomem(c->err);
}

static int note(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int note(ctx *c, const char *fmt, ...)
{
    struct kanal_report_priv *p = c->r->priv_;
    if (p->n_notes == p->cap_notes) {
        size_t cap = p->cap_notes ? 2 * p->cap_notes : 8;
        const char **n = kanal_arena_alloc(c->a, cap * sizeof *n);
        if (!n)
            return nomem(c);
        if (p->n_notes)
            memcpy(n, p->notes, p->n_notes * sizeof *n);
        p->notes = n, p->cap_notes = cap;
    }
    kanal_buf b = KANAL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    kanal_buf_puts(&b, tmp);
    const char *text = b.oom ? NULL : kanal_arena_strdup(c->a, kanal_buf_cstr(&b));
    kanal_buf_release(&b);
    if (!text)
        return nomem(c);
    p->notes[p->n_notes++] = text;
    c->r->notes = p->notes;
    c->r->n_notes = p->n_notes;
    return KANAL_OK;
}

/* Sets the cells col, col+1, col+2 of the last row: k/n, its interval (null when n is 0). */
static int set_rate(kanal_table *t, size_t col, int64_t k, int64_t n)
{
    double lo, hi;
    if (!kanal_stats_wilson(k, n, &lo, &hi))
        return kanal_table_set(t, col, NULL) || kanal_table_set(t, col + 1, NULL) ||
               kanal_table_set(t, col + 2, NULL);
    return kanal_table_set_number(t, col, kanal_stats_round((double)k / (double)n, 4)) ||
           kanal_table_set_number(t, col + 1, kanal_stats_round(lo, 4)) ||
           kanal_table_set_number(t, col + 2, kanal_stats_round(hi, 4));
}

/* "70% (7 of 10; 40–89%)", and a '*' when fewer than SMALL_SAMPLE: for people. */
static int set_rate_text(ctx *c, kanal_table *t, size_t col, int64_t k, int64_t n)
{
    double lo, hi;
    if (!kanal_stats_wilson(k, n, &lo, &hi))
        return kanal_table_set(t, col, "-");
    char s[96];
    bool small = n < SMALL_SAMPLE;
    snprintf(s, sizeof s, "%.0f%% (%lld of %lld; %.0f-%.0f%%)%s", 100.0 * (double)k / (double)n,
             (long long)k, (long long)n, 100 * lo, 100 * hi, small ? "*" : "");
    if (small)
        c->r->priv_->small = true;
    return kanal_table_set(t, col, s);
}

static int add_columns(kanal_table *t, const char *const spec[][3], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        kanal_type type = spec[i][1][0] == 'i'   ? KANAL_TYPE_INT
                          : spec[i][1][0] == 'n' ? KANAL_TYPE_NUMBER
                          : spec[i][1][0] == 'b' ? KANAL_TYPE_BOOL
                          : spec[i][1][0] == 'm' ? KANAL_TYPE_TIME
                          : spec[i][1][0] == 'l' ? KANAL_TYPE_LIST
                                                 : KANAL_TYPE_TEXT;
        if (kanal_table_add_column(t, spec[i][0], type, spec[i][2]))
            return -1;
    }
    return 0;
}

static int new_tables(ctx *c, const char *title, const char *const rows[][3], size_t n_rows,
                      const char *const disp[][3], size_t n_disp)
{
    kanal_report *r = c->r;
    if (kanal_table_new(&r->rows, r->name, c->question, c->err) ||
        kanal_table_new(&r->display, r->name, title, c->err))
        return c->err->code;
    if (add_columns(r->rows, rows, n_rows) || add_columns(r->display, disp, n_disp))
        return nomem(c);
    return KANAL_OK;
}

/* An id's position in a sorted array of strings, or -1. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds s to a set of strings (kept unsorted; sorted once at the end). */
static int set_add(ctx *c, const char ***set, size_t *n, size_t *cap, const char *s)
{
    if (!s)
        return KANAL_OK;
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*set)[i], s) == 0)
            return KANAL_OK;
    if (*n == *cap) {
        size_t ncap = *cap ? 2 * *cap : 16;
        const char **p = kanal_arena_alloc(c->a, ncap * sizeof *p);
        if (!p)
            return nomem(c);
        if (*n)
            memcpy(p, *set, *n * sizeof *p);
        *set = p, *cap = ncap;
    }
    (*set)[(*n)++] = s;
    return KANAL_OK;
}

static int index_of(const char *const *set, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(set[i], s) == 0)
            return (int)i;
    return -1;
}

/* ---- lost-reasons ---------------------------------------------------------------- */

/* The display name of a lost reason in the workflow it was lost in (its chosen
   version, else its latest). */
static const char *reason_name(ctx *c, const char *workflow, const char *id)
{
    def_entry *e = c->def;
    kanal_error ignored;
    if (!workflow || (!(e && strcmp(e->ver.workflow, workflow) == 0) &&
                      engine_def_get(c->k, workflow, 0, &e, &ignored)))
        return NULL;
    int i = kanal_workflow_lost_reason_index(e->wf, id);
    return i >= 0 ? e->wf->lost_reasons[i].name : NULL;
}

/* Lost reasons by (group, reason) over every workflow: a reason id that two
   workflows name differently shows both names ("Margin too low / Referral
   fee too low"). The merged rows carry their names in `workflow`. */
static int merge_lost(ctx *c, store_count *rows, size_t *n)
{
    size_t m = 0;
    for (size_t i = 0; i < *n; i++) {
        const char *name = reason_name(c, rows[i].workflow, rows[i].key);
        size_t j = 0;
        while (
            j < m &&
            !(strcmp(rows[j].key ? rows[j].key : "", rows[i].key ? rows[i].key : "") == 0 &&
              strcmp(rows[j].group ? rows[j].group : "", rows[i].group ? rows[i].group : "") == 0))
            j++;
        if (j == m) {
            rows[m] = rows[i];
            rows[m++].workflow = name;
            continue;
        }
        rows[j].n += rows[i].n;
        const char *have = rows[j].workflow;
        if (name && (!have || !strstr(have, name))) {
            kanal_buf b = KANAL_BUF_INIT;
            kanal_buf_printf(&b, "%s%s%s", have ? have : "", have ? " / " : "", name);
            rows[j].workflow = b.oom ? NULL : kanal_arena_strdup(c->a, kanal_buf_cstr(&b));
            kanal_buf_release(&b);
            if (!rows[j].workflow)
                return nomem(c);
        }
    }
    *n = m;
    return KANAL_OK;
}

/* the order of groups: stages in process order when one workflow is chosen */
static ctx *sort_ctx;
static store_by sort_by;
static int group_rank(const char *g)
{
    if (sort_by == STORE_BY_STAGE && sort_ctx->def) {
        int i = kanal_workflow_stage_index(sort_ctx->def->wf, g);
        return i >= 0 ? i : 1 << 20;
    }
    return 0;
}

static int cmp_lost(const void *pa, const void *pb)
{
    const store_count *a = pa, *b = pb;
    if (a->group && b->group) {
        int ra = group_rank(a->group), rb = group_rank(b->group);
        if (ra != rb)
            return ra < rb ? -1 : 1;
        int g = strcmp(a->group, b->group);
        if (g)
            return g;
    }
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return strcmp(a->key ? a->key : "", b->key ? b->key : "");
}

static int lost_reasons(ctx *c)
{
    const char *by = c->r->priv_->by;
    store_by split = !by ? STORE_BY_NONE : !strcmp(by, "stage") ? STORE_BY_STAGE : STORE_BY_OWNER;
    store_count *rows;
    size_t n;
    int rc = store_report_lost(c->k->store, c->a, &c->sc, split, &rows, &n, c->err);
    if (rc || (rc = merge_lost(c, rows, &n)))
        return rc;
    sort_ctx = c, sort_by = split;
    qsort(rows, n, sizeof *rows, cmp_lost);

    static const char *const cols[][3] = {
        { "reason", "t", "reason" },   { "name", "t", "name" },   { "count", "i", "count" },
        { "lost", "i", "of lost" },    { "share", "n", "share" }, { "share_low", "n", "low" },
        { "share_high", "n", "high" },
    };
    static const char *const disp[][3] = { { "reason", "t", "reason" },
                                           { "name", "t", "name" },
                                           { "share", "t", "share of lost" } };
    const char *group = split == STORE_BY_STAGE ? "stage" : "owner";
    kanal_report *r = c->r;
    if ((rc = kanal_table_new(&r->rows, r->name, c->question, c->err)) ||
        (rc = kanal_table_new(&r->display, "lost reasons", "Lost reasons", c->err)))
        return rc;
    if ((split && (kanal_table_add_column(r->rows, group, KANAL_TYPE_TEXT, group) ||
                   kanal_table_add_column(r->display, group, KANAL_TYPE_TEXT, group))) ||
        add_columns(r->rows, cols, KANAL_ARRAY_LEN(cols)) ||
        add_columns(r->display, disp, KANAL_ARRAY_LEN(disp)))
        return nomem(c);
    size_t off = split ? 1 : 0;
    int64_t all = 0;
    for (size_t i = 0; i < n; i++) {
        /* the group's total: the denominator of its shares */
        int64_t lost = 0;
        for (size_t j = 0; j < n; j++)
            if (!split ||
                strcmp(rows[j].group ? rows[j].group : "", rows[i].group ? rows[i].group : "") == 0)
                lost += rows[j].n;
        all += rows[i].n;
        const char *name = rows[i].workflow; /* merge_lost put the name there */
        if (kanal_table_add_row(r->rows) || kanal_table_add_row(r->display) ||
            (split && (kanal_table_set(r->rows, 0, rows[i].group) ||
                       kanal_table_set(r->display, 0, rows[i].group))) ||
            kanal_table_set(r->rows, off, rows[i].key) || kanal_table_set(r->rows, off + 1, name) ||
            kanal_table_set_int(r->rows, off + 2, rows[i].n) ||
            kanal_table_set_int(r->rows, off + 3, lost) ||
            set_rate(r->rows, off + 4, rows[i].n, lost) ||
            kanal_table_set(r->display, off, rows[i].key) ||
            kanal_table_set(r->display, off + 1, name) ||
            set_rate_text(c, r->display, off + 2, rows[i].n, lost))
            return nomem(c);
    }
    if (n == 0)
        return note(c, "no opportunity of this scope was lost by %s", c->sc.as_of);
    return note(c, "%lld lost opportunit%s", (long long)all, all == 1 ? "y" : "ies");
}

/* ---- activities ------------------------------------------------------------------ */

typedef struct owner_row {
    const char *owner;
    int64_t won, lost, open;
    int64_t *acts;                  /* per type */
    int64_t *ft, *ft_won, *ft_lost; /* first touch per type */
} owner_row;

static int activities(ctx *c)
{
    /* the first touches cover every opportunity (NULL: none yet): the outcomes too */
    store_count *act, *ft;
    size_t n_act, n_ft;
    int rc;
    if ((rc = store_report_activities(c->k->store, c->a, &c->sc, &act, &n_act, c->err)) ||
        (rc = store_report_first_touch(c->k->store, c->a, &c->sc, &ft, &n_ft, c->err)))
        return rc;
    store_count *out = ft;
    size_t n_out = n_ft;
    /* the owners and the activity types the scope holds, sorted */
    const char **owners = NULL, **types = NULL;
    size_t n_owners = 0, cap_o = 0, n_types = 0, cap_t = 0;
    for (size_t i = 0; i < n_out; i++)
        if ((rc = set_add(c, &owners, &n_owners, &cap_o, out[i].group)))
            return rc;
    for (size_t i = 0; i < n_act; i++)
        if ((rc = set_add(c, &types, &n_types, &cap_t, act[i].key)))
            return rc;
    if (n_owners)
        qsort(owners, n_owners, sizeof *owners, cmp_str);
    if (n_types)
        qsort(types, n_types, sizeof *types, cmp_str);
    owner_row *rows = kanal_arena_alloc(c->a, (n_owners ? n_owners : 1) * sizeof *rows);
    int64_t *cells = kanal_arena_alloc(c->a, (n_owners * n_types * 4 + 1) * sizeof *cells);
    if (!rows || !cells)
        return nomem(c);
    for (size_t i = 0; i < n_owners; i++) {
        rows[i].owner = owners[i];
        rows[i].acts = cells + (i * 4 + 0) * n_types;
        rows[i].ft = cells + (i * 4 + 1) * n_types;
        rows[i].ft_won = cells + (i * 4 + 2) * n_types;
        rows[i].ft_lost = cells + (i * 4 + 3) * n_types;
    }
    for (size_t i = 0; i < n_out; i++) {
        owner_row *o = &rows[index_of(owners, n_owners, out[i].group)];
        if (out[i].status == KANAL_WON)
            o->won += out[i].n;
        else if (out[i].status == KANAL_LOST)
            o->lost += out[i].n;
        else
            o->open += out[i].n;
    }
    for (size_t i = 0; i < n_act; i++) {
        int oi = index_of(owners, n_owners, act[i].group),
            ti = index_of(types, n_types, act[i].key);
        if (oi >= 0 && ti >= 0)
            rows[oi].acts[ti] += act[i].n;
    }
    /* first touches, per owner and over all: the comparison */
    int64_t *all_ft = kanal_arena_alloc(c->a, (3 * n_types + 1) * sizeof *all_ft);
    if (!all_ft)
        return nomem(c);
    int64_t *all_won = all_ft + n_types, *all_lost = all_ft + 2 * n_types;
    int64_t untouched = 0;
    for (size_t i = 0; i < n_ft; i++) {
        int oi = index_of(owners, n_owners, ft[i].group), ti = index_of(types, n_types, ft[i].key);
        if (oi < 0)
            continue;
        if (ti < 0) {
            untouched += ft[i].n;
            continue;
        }
        rows[oi].ft[ti] += ft[i].n;
        all_ft[ti] += ft[i].n;
        if (ft[i].status == KANAL_WON)
            rows[oi].ft_won[ti] += ft[i].n, all_won[ti] += ft[i].n;
        else if (ft[i].status == KANAL_LOST)
            rows[oi].ft_lost[ti] += ft[i].n, all_lost[ti] += ft[i].n;
    }

    /* the tables: fixed columns, then a column per type in each map */
    static const char *const cols[][3] = {
        { "owner", "t", "owner" },      { "opportunities", "i", "opps" },
        { "won", "i", "won" },          { "lost", "i", "lost" },
        { "open", "i", "open" },        { "win_rate", "n", "win rate" },
        { "win_rate_low", "n", "low" }, { "win_rate_high", "n", "high" },
    };
    static const char *const disp[][3] = {
        { "owner", "t", "owner" },
        { "opportunities", "i", "opps" },
        { "won", "i", "won" },
        { "lost", "i", "lost" },
        { "open", "i", "open" },
        { "win_rate", "t", "win rate" },
        { "activities", "t", "activities" },
        { "first_touch", "t", "first touch: win rate" },
    };
    if ((rc = new_tables(c, "Activities and outcomes per owner", cols, KANAL_ARRAY_LEN(cols), disp,
                         KANAL_ARRAY_LEN(disp))))
        return rc;
    kanal_report *r = c->r;
    static const char *const maps[] = { "activities", "first_touch", "win_rate_by_first_touch" };
    for (size_t m = 0; m < 3; m++) {
        for (size_t t = 0; t < n_types; t++) {
            char name[256];
            snprintf(name, sizeof name, "%s.%s", maps[m], types[t]);
            if (kanal_table_add_column(r->rows, name, m == 2 ? KANAL_TYPE_NUMBER : KANAL_TYPE_INT,
                                       name))
                return nomem(c);
        }
    }
    for (size_t i = 0; i < n_owners; i++) {
        owner_row *o = &rows[i];
        int64_t closed = o->won + o->lost;
        if (kanal_table_add_row(r->rows) || kanal_table_set(r->rows, 0, o->owner) ||
            kanal_table_set_int(r->rows, 1, o->won + o->lost + o->open) ||
            kanal_table_set_int(r->rows, 2, o->won) || kanal_table_set_int(r->rows, 3, o->lost) ||
            kanal_table_set_int(r->rows, 4, o->open) || set_rate(r->rows, 5, o->won, closed))
            return nomem(c);
        kanal_buf acts = KANAL_BUF_INIT, fts = KANAL_BUF_INIT;
        for (size_t t = 0; t < n_types; t++) {
            int64_t fclosed = o->ft_won[t] + o->ft_lost[t];
            if (kanal_table_set_int(r->rows, 8 + t, o->acts[t]) ||
                kanal_table_set_int(r->rows, 8 + n_types + t, o->ft[t]))
                return nomem(c);
            if (fclosed && kanal_table_set_number(
                               r->rows, 8 + 2 * n_types + t,
                               kanal_stats_round((double)o->ft_won[t] / (double)fclosed, 4)))
                return nomem(c);
            if (o->acts[t])
                kanal_buf_printf(&acts, "%s%s %lld", acts.len ? ", " : "", types[t],
                                 (long long)o->acts[t]);
            if (o->ft[t]) {
                kanal_buf_printf(&fts, "%s%s %lld", fts.len ? ", " : "", types[t],
                                 (long long)o->ft[t]);
                if (fclosed) {
                    kanal_buf_printf(&fts, ": %.0f%% (%lld of %lld)%s",
                                     100.0 * (double)o->ft_won[t] / (double)fclosed,
                                     (long long)o->ft_won[t], (long long)fclosed,
                                     fclosed < SMALL_SAMPLE ? "*" : "");
                    if (fclosed < SMALL_SAMPLE)
                        r->priv_->small = true;
                }
            }
        }
        rc = kanal_table_add_row(r->display) || kanal_table_set(r->display, 0, o->owner) ||
             kanal_table_set_int(r->display, 1, o->won + o->lost + o->open) ||
             kanal_table_set_int(r->display, 2, o->won) ||
             kanal_table_set_int(r->display, 3, o->lost) ||
             kanal_table_set_int(r->display, 4, o->open) ||
             set_rate_text(c, r->display, 5, o->won, closed) ||
             kanal_table_set(r->display, 6, acts.len ? kanal_buf_cstr(&acts) : "-") ||
             kanal_table_set(r->display, 7, fts.len ? kanal_buf_cstr(&fts) : "-") || acts.oom ||
             fts.oom;
        kanal_buf_release(&acts);
        kanal_buf_release(&fts);
        if (rc)
            return nomem(c);
    }

    /* first touches compared: each against all the others, by Fisher's exact test */
    static const char *const ccols[][3] = {
        { "type", "t", "first touch" },
        { "opportunities", "i", "opps" },
        { "won", "i", "won" },
        { "lost", "i", "lost" },
        { "win_rate", "n", "win rate" },
        { "win_rate_low", "n", "low" },
        { "win_rate_high", "n", "high" },
        { "p", "n", "p" },
    };
    static const char *const cdisp[][3] = {
        { "type", "t", "first touch" },
        { "opportunities", "i", "opps" },
        { "win_rate", "t", "win rate" },
        { "p", "t", "p (vs the others)" },
    };
    if ((rc = kanal_table_new(&r->comparison, "first_touch_comparison", "First touches compared",
                              c->err)) ||
        (rc = kanal_table_new(&r->comparison_display, "first touches", "First touches compared",
                              c->err)))
        return rc;
    if (add_columns(r->comparison, ccols, KANAL_ARRAY_LEN(ccols)) ||
        add_columns(r->comparison_display, cdisp, KANAL_ARRAY_LEN(cdisp)))
        return nomem(c);
    int64_t total_won = 0, total_lost = 0;
    for (size_t t = 0; t < n_types; t++)
        total_won += all_won[t], total_lost += all_lost[t];
    /* by opportunities, most first, then by type */
    size_t *order = kanal_arena_alloc(c->a, (n_types + 1) * sizeof *order);
    if (!order)
        return nomem(c);
    size_t n_order = 0;
    for (size_t t = 0; t < n_types; t++) {
        if (!all_ft[t])
            continue;
        size_t at = n_order++;
        while (at > 0 && all_ft[order[at - 1]] < all_ft[t])
            order[at] = order[at - 1], at--;
        order[at] = t;
    }
    for (size_t i = 0; i < n_order; i++) {
        size_t t = order[i];
        int64_t w = all_won[t], l = all_lost[t], ow = total_won - w, ol = total_lost - l;
        bool testable = w + l > 0 && ow + ol > 0;
        double p = testable ? kanal_stats_fisher(w, l, ow, ol) : NAN;
        char ptext[64];
        if (!testable)
            snprintf(ptext, sizeof ptext, "-");
        else if (p < 0.001)
            snprintf(ptext, sizeof ptext, "p < 0.001");
        else
            snprintf(ptext, sizeof ptext, "p = %.2g", p);
        if (kanal_table_add_row(r->comparison) || kanal_table_set(r->comparison, 0, types[t]) ||
            kanal_table_set_int(r->comparison, 1, all_ft[t]) ||
            kanal_table_set_int(r->comparison, 2, w) || kanal_table_set_int(r->comparison, 3, l) ||
            set_rate(r->comparison, 4, w, w + l) ||
            (testable ? kanal_table_set_number(r->comparison, 7, kanal_stats_round(p, 4))
                      : kanal_table_set(r->comparison, 7, NULL)) ||
            kanal_table_add_row(r->comparison_display) ||
            kanal_table_set(r->comparison_display, 0, types[t]) ||
            kanal_table_set_int(r->comparison_display, 1, all_ft[t]) ||
            set_rate_text(c, r->comparison_display, 2, w, w + l) ||
            kanal_table_set(r->comparison_display, 3, ptext))
            return nomem(c);
        if (!testable)
            continue;
        const char *verdict = w + l < SMALL_SAMPLE || ow + ol < SMALL_SAMPLE
                                  ? "too few closed opportunities to tell anything from chance"
                              : p < 0.05 ? "a difference this large would rarely happen by chance"
                                         : "the data cannot tell this difference from chance";
        if ((rc = note(c, "%s first: %lld of %lld won vs %lld of %lld otherwise; %s: %s", types[t],
                       (long long)w, (long long)(w + l), (long long)ow, (long long)(ow + ol), ptext,
                       verdict)))
            return rc;
    }
    if (untouched && (rc = note(c, "%lld opportunit%s with no activity yet %s no first touch",
                                (long long)untouched, untouched == 1 ? "y" : "ies",
                                untouched == 1 ? "has" : "have")))
        return rc;
    return KANAL_OK;
}

/* ---- funnel ---------------------------------------------------------------------- */

static int funnel(ctx *c)
{
    store_stage_row *st;
    size_t n;
    int rc = store_report_stages(c->k->store, c->a, &c->sc, &st, &n, c->err);
    if (rc)
        return rc;
    const kanal_workflow *wf = c->def->wf;
    static const char *const cols[][3] = {
        { "stage", "t", "stage" },           { "entered", "i", "entered" },
        { "advanced", "i", "advanced" },     { "won", "i", "won" },
        { "lost_here", "i", "lost here" },   { "open_here", "i", "open here" },
        { "conversion", "n", "conversion" }, { "conversion_low", "n", "low" },
        { "conversion_high", "n", "high" },  { "median_days", "n", "median days" },
        { "p90_days", "n", "p90 days" },
    };
    static const char *const disp[][3] = {
        { "stage", "t", "stage" },           { "entered", "i", "entered" },
        { "advanced", "i", "advanced" },     { "won", "i", "won" },
        { "lost_here", "i", "lost here" },   { "open_here", "i", "open here" },
        { "conversion", "t", "conversion" }, { "median_days", "t", "median days" },
        { "p90_days", "t", "p90 days" },
    };
    if ((rc = new_tables(c, "Funnel", cols, KANAL_ARRAY_LEN(cols), disp, KANAL_ARRAY_LEN(disp))))
        return rc;
    /* which row converts by winning, for the formats that draw it */
    if (wf->n_stages &&
        kanal_table_add_filter(c->r->rows, "last_stage", wf->stages[wf->n_stages - 1].id))
        return nomem(c);
    /* the stages of the definition in process order, then any the log holds besides */
    size_t n_rows = wf->n_stages;
    const char **names = kanal_arena_alloc(c->a, (wf->n_stages + n + 1) * sizeof *names);
    if (!names)
        return nomem(c);
    for (size_t i = 0; i < wf->n_stages; i++)
        names[i] = wf->stages[i].id;
    for (size_t i = 0; i < n; i++)
        if (st[i].stage && index_of(names, n_rows, st[i].stage) < 0)
            names[n_rows++] = st[i].stage;
    kanal_report *r = c->r;
    for (size_t i = 0; i < n_rows; i++) {
        store_stage_row z = { .stage = names[i] }, *s = &z;
        for (size_t j = 0; j < n; j++)
            if (st[j].stage && strcmp(st[j].stage, names[i]) == 0)
                s = &st[j];
        bool last = i + 1 == wf->n_stages;
        int64_t moved = last ? s->won : s->advanced;
        char med[32] = "-", p90[32] = "-";
        if (s->left) {
            snprintf(med, sizeof med, "%.2f", kanal_stats_round(s->median_days, 2));
            snprintf(p90, sizeof p90, "%.2f", kanal_stats_round(s->p90_days, 2));
        }
        if (kanal_table_add_row(r->rows) || kanal_table_set(r->rows, 0, names[i]) ||
            kanal_table_set_int(r->rows, 1, s->entered) ||
            kanal_table_set_int(r->rows, 2, s->advanced) ||
            kanal_table_set_int(r->rows, 3, s->won) || kanal_table_set_int(r->rows, 4, s->lost) ||
            kanal_table_set_int(r->rows, 5, s->open) || set_rate(r->rows, 6, moved, s->entered) ||
            (s->left ? kanal_table_set_number(r->rows, 9, kanal_stats_round(s->median_days, 2)) ||
                           kanal_table_set_number(r->rows, 10, kanal_stats_round(s->p90_days, 2))
                     : 0) ||
            kanal_table_add_row(r->display) || kanal_table_set(r->display, 0, names[i]) ||
            kanal_table_set_int(r->display, 1, s->entered) ||
            kanal_table_set_int(r->display, 2, s->advanced) ||
            kanal_table_set_int(r->display, 3, s->won) ||
            kanal_table_set_int(r->display, 4, s->lost) ||
            kanal_table_set_int(r->display, 5, s->open) ||
            set_rate_text(c, r->display, 6, moved, s->entered) ||
            kanal_table_set(r->display, 7, med) || kanal_table_set(r->display, 8, p90))
            return nomem(c);
    }
    return note(c, "conversion: advanced / entered (in the last stage, won / entered); days: "
                   "time spent in the stage by the opportunities that left it");
}

/* ---- stale ----------------------------------------------------------------------- */

typedef struct stale_row {
    const store_open_row *o;
    int64_t days;
    int max_days;
} stale_row;

static int cmp_stale(const void *pa, const void *pb)
{
    const stale_row *a = pa, *b = pb;
    if (a->days != b->days)
        return a->days > b->days ? -1 : 1;
    return a->o->id < b->o->id ? -1 : a->o->id > b->o->id;
}

/* The max_days of every stage of every version the scope may hold. */
static int stage_limits(ctx *c, kanal_buf *out)
{
    const char **ids = NULL;
    size_t n = 1;
    int rc;
    if (c->sc.workflow)
        ids = &c->sc.workflow;
    else if ((rc = store_workflow_ids(c->k->store, c->a, &ids, &n, c->err)))
        return rc;
    for (size_t w = 0; w < n; w++) {
        int last = c->sc.version;
        if (!last && (rc = store_workflow_latest(c->k->store, ids[w], &last, c->err)))
            return rc;
        for (int v = c->sc.version ? c->sc.version : 1; v <= last; v++) {
            def_entry *e;
            kanal_error ignored;
            if (engine_def_get(c->k, ids[w], v, &e, &ignored))
                continue; /* a version the store has lost: nothing to measure against */
            for (size_t s = 0; s < e->wf->n_stages; s++) {
                store_stage_limit l = { e->ver.workflow, v, e->wf->stages[s].id,
                                        e->wf->stages[s].max_days };
                if (l.max_days > 0)
                    kanal_buf_add(out, &l, sizeof l);
            }
        }
    }
    return out->oom ? nomem(c) : KANAL_OK;
}

static int stale(ctx *c)
{
    static const store_stage_limit none[1]; /* no stage has a limit: nothing is stale */
    kanal_buf lb = KANAL_BUF_INIT;
    store_open_row *open;
    size_t n;
    int rc = stage_limits(c, &lb);
    if (!rc)
        rc = store_report_open(c->k->store, c->a, &c->sc,
                               lb.len ? (const store_stage_limit *)lb.data : none,
                               lb.len / sizeof(store_stage_limit), &open, &n, c->err);
    kanal_buf_release(&lb);
    if (rc)
        return rc;
    int64_t as_of;
    if ((rc = kanal_time_parse(c->sc.as_of, &as_of, c->err)))
        return rc;
    stale_row *rows = kanal_arena_alloc(c->a, (n ? n : 1) * sizeof *rows);
    if (!rows)
        return nomem(c);
    size_t n_rows = 0;
    for (size_t i = 0; i < n; i++) {
        def_entry *e;
        kanal_error ignored;
        int64_t entered;
        if (engine_def_get(c->k, open[i].workflow, open[i].version, &e, &ignored) ||
            kanal_time_parse(open[i].stage_entered_at, &entered, &ignored))
            continue;
        int si = kanal_workflow_stage_index(e->wf, open[i].stage);
        if (si < 0)
            continue;
        rows[n_rows++] =
            (stale_row){ &open[i], kanal_days_between(entered, as_of), e->wf->stages[si].max_days };
    }
    if (n_rows)
        qsort(rows, n_rows, sizeof *rows, cmp_stale);
    static const char *const cols[][3] = {
        { "id", "i", "id" },        { "partner", "t", "partner" },
        { "owner", "t", "owner" },  { "workflow", "t", "workflow" },
        { "stage", "t", "stage" },  { "days_in_stage", "i", "days" },
        { "max_days", "i", "max" }, { "last_activity_at", "m", "last activity" },
    };
    /* people read the same columns */
    if ((rc = new_tables(c, "Stale opportunities", cols, KANAL_ARRAY_LEN(cols), cols,
                         KANAL_ARRAY_LEN(cols))))
        return rc;
    kanal_table *ts[] = { c->r->rows, c->r->display };
    for (size_t i = 0; i < n_rows; i++) {
        for (size_t k = 0; k < 2; k++) {
            kanal_table *t = ts[k];
            const store_open_row *o = rows[i].o;
            if (kanal_table_add_row(t) || kanal_table_set_int(t, 0, o->id) ||
                kanal_table_set(t, 1, o->partner) || kanal_table_set(t, 2, o->owner) ||
                kanal_table_set(t, 3, o->workflow) || kanal_table_set(t, 4, o->stage) ||
                kanal_table_set_int(t, 5, rows[i].days) ||
                kanal_table_set_int(t, 6, rows[i].max_days) ||
                kanal_table_set(t, 7, o->last_activity_at))
                return nomem(c);
        }
    }
    return note(c, "%zu open opportunit%s past their stage's max_days", n_rows,
                n_rows == 1 ? "y is" : "ies are");
}

/* ---- goals ----------------------------------------------------------------------- */

static int goals(ctx *c)
{
    const kanal_workflow *wf = c->def->wf;
    /* the order of goals in every version the scope may hold */
    int first = c->sc.version ? c->sc.version : 1, last = c->sc.version;
    int rc;
    if (!last && (rc = store_workflow_latest(c->k->store, c->sc.workflow, &last, c->err)))
        return rc;
    kanal_buf ob = KANAL_BUF_INIT;
    for (int v = first; v <= last; v++) {
        def_entry *e;
        kanal_error ignored;
        if (engine_def_get(c->k, c->sc.workflow, v, &e, &ignored))
            continue;
        for (size_t g = 0; g < e->wf->n_goals; g++)
            for (size_t a = 0; a < e->wf->goals[g].n_after; a++) {
                store_goal_order o = { v, e->wf->goals[g].id,
                                       e->wf->goals[e->wf->goals[g].after[a]].id };
                kanal_buf_add(&ob, &o, sizeof o);
            }
    }
    if (ob.oom) {
        kanal_buf_release(&ob);
        return nomem(c);
    }
    store_goal_row *gr;
    store_count *out;
    size_t n_gr, n_out;
    rc = store_report_goals(c->k->store, c->a, &c->sc, (const store_goal_order *)ob.data,
                            ob.len / sizeof(store_goal_order), &gr, &n_gr, c->err);
    kanal_buf_release(&ob);
    if (rc || (rc = store_report_outcomes(c->k->store, c->a, &c->sc, &out, &n_out, c->err)))
        return rc;
    int64_t won = 0, lost = 0;
    for (size_t i = 0; i < n_out; i++)
        won += out[i].status == KANAL_WON ? out[i].n : 0,
            lost += out[i].status == KANAL_LOST ? out[i].n : 0;
    /* goals not required of opportunities migrated past their stage: neither done nor not */
    store_count *wv;
    size_t n_wv;
    if ((rc = store_report_waived(c->k->store, c->a, &c->sc, &wv, &n_wv, c->err)))
        return rc;
    int64_t any_waived = 0;
    static const char *const cols[][3] = {
        { "goal", "t", "goal" },
        { "stage", "t", "stage" },
        { "mandatory", "b", "mandatory" },
        { "done", "i", "done" },
        { "done_late", "i", "done late" },
        { "done_closed", "i", "done, closed" },
        { "done_won", "i", "done, won" },
        { "win_rate_done", "n", "win rate done" },
        { "win_rate_done_low", "n", "low" },
        { "win_rate_done_high", "n", "high" },
        { "not_done_closed", "i", "not done, closed" },
        { "not_done_won", "i", "not done, won" },
        { "win_rate_not_done", "n", "win rate not done" },
        { "win_rate_not_done_low", "n", "low" },
        { "win_rate_not_done_high", "n", "high" },
        { "not_required", "i", "not required" },
    };
    static const char *const disp[][3] = {
        { "goal", "t", "goal" },
        { "stage", "t", "stage" },
        { "mandatory", "b", "mandatory" },
        { "done", "i", "done" },
        { "done_late", "i", "late" },
        { "win_rate_done", "t", "win rate when done" },
        { "win_rate_not_done", "t", "win rate when not" },
    };
    if ((rc = new_tables(c, "Goals", cols, KANAL_ARRAY_LEN(cols), disp, KANAL_ARRAY_LEN(disp))))
        return rc;
    /* people see the goals not required only where there are some */
    bool show_waived = n_wv > 0;
    if (show_waived &&
        kanal_table_add_column(c->r->display, "not_required", KANAL_TYPE_INT, "not required"))
        return nomem(c);
    kanal_report *r = c->r;
    for (size_t s = 0; s < wf->n_stages; s++) {
        for (size_t k = 0; k < wf->stages[s].n_goals; k++) {
            const kanal_goal *g = &wf->goals[wf->stages[s].goals[k]];
            store_goal_row z = { .goal = g->id }, *x = &z;
            for (size_t i = 0; i < n_gr; i++)
                if (gr[i].goal && strcmp(gr[i].goal, g->id) == 0)
                    x = &gr[i];
            int64_t dc = x->done_won + x->done_lost, nc = won + lost - dc, nw = won - x->done_won;
            int64_t waived = 0;
            for (size_t i = 0; i < n_wv; i++)
                if (wv[i].key && strcmp(wv[i].key, g->id) == 0) {
                    waived += wv[i].n;
                    if (wv[i].status == KANAL_WON)
                        nc -= wv[i].n, nw -= wv[i].n;
                    else if (wv[i].status == KANAL_LOST)
                        nc -= wv[i].n;
                }
            any_waived += waived;
            if (kanal_table_add_row(r->rows) || kanal_table_set(r->rows, 0, g->id) ||
                kanal_table_set(r->rows, 1, wf->stages[s].id) ||
                kanal_table_set_bool(r->rows, 2, g->mandatory) ||
                kanal_table_set_int(r->rows, 3, x->done) ||
                kanal_table_set_int(r->rows, 4, x->done_late) ||
                kanal_table_set_int(r->rows, 5, dc) ||
                kanal_table_set_int(r->rows, 6, x->done_won) ||
                set_rate(r->rows, 7, x->done_won, dc) || kanal_table_set_int(r->rows, 10, nc) ||
                kanal_table_set_int(r->rows, 11, nw) || set_rate(r->rows, 12, nw, nc) ||
                kanal_table_set_int(r->rows, 15, waived) || kanal_table_add_row(r->display) ||
                kanal_table_set(r->display, 0, g->id) ||
                kanal_table_set(r->display, 1, wf->stages[s].id) ||
                kanal_table_set_bool(r->display, 2, g->mandatory) ||
                kanal_table_set_int(r->display, 3, x->done) ||
                kanal_table_set_int(r->display, 4, x->done_late) ||
                set_rate_text(c, r->display, 5, x->done_won, dc) ||
                set_rate_text(c, r->display, 6, nw, nc) ||
                (show_waived && kanal_table_set_int(r->display, 7, waived)))
                return nomem(c);
        }
    }
    if (any_waived &&
        (rc = note(c, "not required: goals a newer version added to stages an opportunity had "
                      "passed when it was migrated; it counts neither as done nor as not done")))
        return rc;
    return note(c, "a mandatory goal is done on every opportunity that left its stage: its "
                   "win rates say little; late: done before a goal it waits for");
}

/* ---- compare --------------------------------------------------------------------- */

/* the lost reasons a version's row names, most frequent first */
#define TOP_LOST 3

typedef struct version_row {
    int version;
    int64_t won, lost, open;
    store_win_days days;
    store_count top[TOP_LOST]; /* its key is the reason */
    const char *top_name[TOP_LOST];
    size_t n_top;
} version_row;

static int cmp_count(const void *pa, const void *pb)
{
    const store_count *a = pa, *b = pb;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return strcmp(a->key ? a->key : "", b->key ? b->key : "");
}

/* A lost reason's name in the version it was lost under (else in the latest). */
static const char *version_reason_name(ctx *c, int version, const char *id)
{
    def_entry *e;
    kanal_error ignored;
    if (id && !engine_def_get(c->k, c->sc.workflow, version, &e, &ignored)) {
        int i = kanal_workflow_lost_reason_index(e->wf, id);
        if (i >= 0)
            return e->wf->lost_reasons[i].name;
    }
    return reason_name(c, c->sc.workflow, id);
}

/* One version's figures, over the report's scope narrowed to it. */
static int version_figures(ctx *c, int version, version_row *row)
{
    store_scope sc = c->sc;
    sc.version = version;
    *row = (version_row){ .version = version };
    store_count *out;
    size_t n;
    int rc = store_report_outcomes(c->k->store, c->a, &sc, &out, &n, c->err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (out[i].status == KANAL_WON)
            row->won += out[i].n;
        else if (out[i].status == KANAL_LOST)
            row->lost += out[i].n;
        else
            row->open += out[i].n;
    }
    if (row->won && (rc = store_report_win_days(c->k->store, &sc, &row->days, c->err)))
        return rc;
    if (!row->lost)
        return KANAL_OK;
    if ((rc = store_report_lost(c->k->store, c->a, &sc, STORE_BY_NONE, &out, &n, c->err)))
        return rc;
    qsort(out, n, sizeof *out, cmp_count);
    for (size_t i = 0; i < n && row->n_top < TOP_LOST; i++) {
        row->top[row->n_top] = out[i];
        row->top_name[row->n_top++] = version_reason_name(c, version, out[i].key);
    }
    return KANAL_OK;
}

/* "p = 0.044", "p < 0.001" */
static void p_text(double p, char *out, size_t size)
{
    if (p < 0.001)
        snprintf(out, size, "p < 0.001");
    else
        snprintf(out, size, "p = %.2g", p);
}

/* What the difference between a version and the one before it can support, in words. */
static int compare_note(ctx *c, const version_row *v, const version_row *prev, double p)
{
    int64_t n = v->won + v->lost, m = prev->won + prev->lost;
    if (!n)
        return note(c, "v%d: no closed opportunity yet: nothing to compare with v%d", v->version,
                    prev->version);
    if (!m)
        return note(c, "v%d: %lld of %lld won, but v%d has no closed opportunity to compare with",
                    v->version, (long long)v->won, (long long)n, prev->version);
    char ptext[64];
    p_text(p, ptext, sizeof ptext);
    const char *verdict = n < SMALL_SAMPLE || m < SMALL_SAMPLE
                              ? "too few closed opportunities to tell anything from chance"
                          : p < 0.05 ? "a difference this large would rarely happen by chance"
                                     : "the data cannot tell this difference from chance";
    return note(c, "v%d: %lld of %lld won vs %lld of %lld under v%d; %s: %s", v->version,
                (long long)v->won, (long long)n, (long long)prev->won, (long long)m, prev->version,
                ptext, verdict);
}

/*
** Did the change help? Per version of one workflow (those chosen, or every one
** that holds opportunities of the scope), its outcomes, its win rate, the
** median days to a win and its most frequent lost reasons; each version's win
** rate tested against the version before it in the list by Fisher's exact test
** (each change against what it changed, rather than against a mix of what came
** before and after).
*/
static int compare(ctx *c)
{
    struct kanal_report_priv *p = c->r->priv_;
    int latest = c->def->ver.version;
    size_t cap = p->n_versions ? p->n_versions : (size_t)latest;
    version_row *rows = kanal_arena_alloc(c->a, (cap ? cap : 1) * sizeof *rows);
    if (!rows)
        return nomem(c);
    size_t n = 0;
    int rc;
    for (size_t i = 0; i < cap; i++) {
        int v = p->n_versions ? p->versions[i] : (int)i + 1;
        if ((rc = version_figures(c, v, &rows[n])))
            return rc;
        /* unasked, a version without opportunities has nothing to say */
        if (p->n_versions || rows[n].won + rows[n].lost + rows[n].open)
            n++;
    }

    static const char *const cols[][3] = {
        { "version", "i", "version" },
        { "opportunities", "i", "opps" },
        { "won", "i", "won" },
        { "lost", "i", "lost" },
        { "open", "i", "open" },
        { "win_rate", "n", "win rate" },
        { "win_rate_low", "n", "low" },
        { "win_rate_high", "n", "high" },
        { "median_days_to_win", "n", "median days to win" },
    };
    static const char *const lost_cols[][2] = {
        { "reason", "t" }, { "name", "t" },      { "count", "i" },
        { "share", "n" },  { "share_low", "n" }, { "share_high", "n" },
    };
    static const char *const disp[][3] = {
        { "version", "t", "version" },
        { "opportunities", "i", "opps" },
        { "won", "i", "won" },
        { "lost", "i", "lost" },
        { "open", "i", "open" },
        { "win_rate", "t", "win rate" },
        { "median_days_to_win", "t", "median days to win" },
        { "top_lost_reasons", "l", "top lost reasons: share of lost" },
        { "p", "t", "p (vs the version before)" },
    };
    kanal_report *r = c->r;
    if ((rc = kanal_table_new(&r->rows, r->name, c->question, c->err)) ||
        (rc = kanal_table_new(&r->display, "versions", "Versions compared", c->err)))
        return rc;
    if (add_columns(r->rows, cols, KANAL_ARRAY_LEN(cols)) ||
        add_columns(r->display, disp, KANAL_ARRAY_LEN(disp)))
        return nomem(c);
    /* the lost reasons as lost_reason_1.reason ... lost_reason_3.share_high */
    for (size_t k = 0; k < TOP_LOST; k++)
        for (size_t f = 0; f < KANAL_ARRAY_LEN(lost_cols); f++) {
            char name[64];
            snprintf(name, sizeof name, "lost_reason_%zu.%s", k + 1, lost_cols[f][0]);
            kanal_type type = lost_cols[f][1][0] == 'i'   ? KANAL_TYPE_INT
                              : lost_cols[f][1][0] == 'n' ? KANAL_TYPE_NUMBER
                                                          : KANAL_TYPE_TEXT;
            if (kanal_table_add_column(r->rows, name, type, name))
                return nomem(c);
        }
    const size_t lost_at = KANAL_ARRAY_LEN(cols),
                 cmp_at = lost_at + TOP_LOST * KANAL_ARRAY_LEN(lost_cols);
    if (kanal_table_add_column(r->rows, "compared_with", KANAL_TYPE_INT, "compared with") ||
        kanal_table_add_column(r->rows, "p", KANAL_TYPE_NUMBER, "p"))
        return nomem(c);

    for (size_t i = 0; i < n; i++) {
        const version_row *v = &rows[i], *prev = i ? &rows[i - 1] : NULL;
        int64_t closed = v->won + v->lost;
        bool testable = prev && closed > 0 && prev->won + prev->lost > 0;
        double pv = testable ? kanal_stats_fisher(v->won, v->lost, prev->won, prev->lost) : NAN;
        char label[32], days[32] = "-", ptext[96] = "-";
        snprintf(label, sizeof label, "v%d", v->version);
        if (v->days.won)
            snprintf(days, sizeof days, "%.2f", kanal_stats_round(v->days.median_days, 2));
        if (testable) {
            char pt[64];
            p_text(pv, pt, sizeof pt);
            snprintf(ptext, sizeof ptext, "%s vs v%d", pt, prev->version);
        }
        if (kanal_table_add_row(r->rows) || kanal_table_set_int(r->rows, 0, v->version) ||
            kanal_table_set_int(r->rows, 1, closed + v->open) ||
            kanal_table_set_int(r->rows, 2, v->won) || kanal_table_set_int(r->rows, 3, v->lost) ||
            kanal_table_set_int(r->rows, 4, v->open) || set_rate(r->rows, 5, v->won, closed) ||
            (v->days.won &&
             kanal_table_set_number(r->rows, 8, kanal_stats_round(v->days.median_days, 2))) ||
            (prev && kanal_table_set_int(r->rows, cmp_at, prev->version)) ||
            (testable && kanal_table_set_number(r->rows, cmp_at + 1, kanal_stats_round(pv, 4))))
            return nomem(c);
        kanal_buf top = KANAL_BUF_INIT;
        for (size_t k = 0; k < v->n_top; k++) {
            const store_count *x = &v->top[k];
            size_t col = lost_at + k * KANAL_ARRAY_LEN(lost_cols);
            if (kanal_table_set(r->rows, col, x->key) ||
                kanal_table_set(r->rows, col + 1, v->top_name[k]) ||
                kanal_table_set_int(r->rows, col + 2, x->n) ||
                set_rate(r->rows, col + 3, x->n, v->lost)) {
                kanal_buf_release(&top);
                return nomem(c);
            }
            kanal_buf_printf(&top, "%s%s %.0f%% (%lld of %lld)%s", k ? "\n" : "",
                             x->key ? x->key : "-", 100.0 * (double)x->n / (double)v->lost,
                             (long long)x->n, (long long)v->lost,
                             v->lost < SMALL_SAMPLE ? "*" : "");
        }
        if (v->n_top && v->lost < SMALL_SAMPLE)
            p->small = true;
        rc = kanal_table_add_row(r->display) || kanal_table_set(r->display, 0, label) ||
             kanal_table_set_int(r->display, 1, closed + v->open) ||
             kanal_table_set_int(r->display, 2, v->won) ||
             kanal_table_set_int(r->display, 3, v->lost) ||
             kanal_table_set_int(r->display, 4, v->open) ||
             set_rate_text(c, r->display, 5, v->won, closed) ||
             kanal_table_set(r->display, 6, days) ||
             kanal_table_set(r->display, 7, top.len ? kanal_buf_cstr(&top) : NULL) ||
             kanal_table_set(r->display, 8, ptext) || top.oom;
        kanal_buf_release(&top);
        if (rc)
            return nomem(c);
        if (prev && (rc = compare_note(c, v, prev, pv)))
            return rc;
    }

    const char *wf = c->sc.workflow;
    if (n == 0)
        return note(c, "no version of '%s' holds an opportunity of this scope by %s", wf,
                    c->sc.as_of);
    if (n == 1 && latest == 1)
        rc = note(c, "'%s' has one version: nothing to compare it with yet", wf);
    else if (n == 1 && !p->n_versions)
        rc = note(c, "only v%d holds opportunities of this scope: nothing to compare it with",
                  rows[0].version);
    else if (n == 1)
        rc = note(c, "one version chosen: nothing to compare it with");
    else
        rc = note(c, "p: each version's win rate against the version before it in this list "
                     "(Fisher's exact test, two-sided)");
    return rc ? rc
              : note(c, "median days to win: from an opportunity's creation to its win, over "
                        "those won (- when none was); top lost reasons: each one's share of the "
                        "version's lost opportunities");
}

/* ---- commission ------------------------------------------------------------------ */

/* The day a moment falls on where Kanal runs (YYYY-MM-DD): a bare --as-of date is itself. */
static void local_day(const char *iso, char out[11])
{
    int64_t t = 0;
    kanal_error ignored;
    struct tm tm;
    time_t tt;
    if (kanal_time_parse(iso, &t, &ignored) == KANAL_OK && (tt = (time_t)t, localtime_r(&tt, &tm)))
        strftime(out, 11, "%Y-%m-%d", &tm);
    else
        snprintf(out, 11, "%.10s", iso);
}

typedef struct partner_total {
    int64_t id;
    const char *name;
    int64_t deals, value, commission; /* value and commission in hundredths */
} partner_total;

static int cmp_total(const void *pa, const void *pb)
{
    const partner_total *a = pa, *b = pb;
    if (a->commission != b->commission)
        return a->commission > b->commission ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/*
** Each deal signed by the day of as_of, as it stood then (a client who left
** later had not left yet), with the commission the rules of its opportunity's
** workflow version give it (0 without a commission hook); then the totals per
** partner. The rules run here, in the report's read transaction: they read
** and change nothing else.
*/
static int commission(ctx *c)
{
    kanal *k = c->k;
    const char *chosen = c->r->priv_->partner;
    char day[11];
    local_day(c->sc.as_of, day);
    kanal_partner only;
    int rc;
    if (chosen && (rc = engine_partner_find(k, c->a, chosen, &only, c->err)))
        return rc;
    if (chosen && !(c->r->priv_->partner = kanal_arena_strdup(c->a, only.name)))
        return nomem(c);
    store_deal_filter f = { .partner_id = chosen ? only.id : 0, .signed_by = day };
    kanal_deal *deals;
    size_t n;
    if ((rc = store_deals_list(k->store, c->a, &f, &deals, &n, c->err)))
        return rc;
    static const char *const cols[][3] = {
        { "deal", "i", "deal" },
        { "partner", "t", "partner" },
        { "client", "t", "client" },
        { "value", "n", "value" },
        { "signed", "t", "signed" },
        { "ended", "t", "ended" },
        { "commission", "n", "commission" },
    };
    static const char *const tcols[][3] = {
        { "partner", "t", "partner" },
        { "deals", "i", "deals" },
        { "value", "n", "value" },
        { "commission", "n", "commission" },
    };
    kanal_report *r = c->r;
    if ((rc = new_tables(c, "Commission per deal", cols, KANAL_ARRAY_LEN(cols), cols,
                         KANAL_ARRAY_LEN(cols))) ||
        (rc = kanal_table_new(&r->comparison, "totals", "Commission per partner", c->err)) ||
        (rc = kanal_table_new(&r->comparison_display, "totals", "Commission per partner", c->err)))
        return rc;
    if (add_columns(r->comparison, tcols, KANAL_ARRAY_LEN(tcols)) ||
        add_columns(r->comparison_display, tcols, KANAL_ARRAY_LEN(tcols)))
        return nomem(c);
    partner_total *totals = kanal_arena_alloc(c->a, (n + 1) * sizeof *totals);
    if (!totals)
        return nomem(c);
    size_t n_totals = 0;
    engine_rules_begin(k);
    for (size_t i = 0; !rc && i < n; i++) {
        kanal_deal *d = &deals[i];
        if (d->ended_on && strcmp(d->ended_on, day) > 0)
            d->ended_on = NULL; /* the client had not left yet */
        partner_total *t = NULL;
        for (size_t j = 0; j < n_totals && !t; j++)
            if (totals[j].id == d->partner_id)
                t = &totals[j];
        if (!t)
            t = &totals[n_totals++], *t = (partner_total){ d->partner_id, d->partner, 0, 0, 0 };
        kanal_partner p;
        int64_t cents = 0;
        if ((rc = store_partner_by_id(k->store, c->a, d->partner_id, &p, c->err)) ||
            (rc = engine_commission(k, d, &p, day, c->sc.as_of, &cents, c->err)))
            break;
        t->deals++, t->value += d->value_cents, t->commission += cents;
        char value[32], earned[32];
        engine_money_format(d->value_cents, value);
        engine_money_format(cents, earned);
        for (int x = 0; x < 2; x++) {
            kanal_table *tab = x ? r->display : r->rows;
            if (kanal_table_add_row(tab) || kanal_table_set_int(tab, 0, d->id) ||
                kanal_table_set(tab, 1, d->partner) || kanal_table_set(tab, 2, d->client) ||
                kanal_table_set(tab, 3, value) || kanal_table_set(tab, 4, d->signed_on) ||
                kanal_table_set(tab, 5, d->ended_on) || kanal_table_set(tab, 6, earned))
                rc = nomem(c);
        }
    }
    /* each command gets fresh rules states: nothing a hook kept survives the report */
    engine_rules_release(k);
    if (rc)
        return rc;
    if (n_totals)
        qsort(totals, n_totals, sizeof *totals, cmp_total);
    int64_t all = 0;
    for (size_t i = 0; i < n_totals; i++) {
        char value[32], earned[32];
        engine_money_format(totals[i].value, value);
        engine_money_format(totals[i].commission, earned);
        all += totals[i].commission;
        for (int x = 0; x < 2; x++) {
            kanal_table *tab = x ? r->comparison_display : r->comparison;
            if (kanal_table_add_row(tab) || kanal_table_set(tab, 0, totals[i].name) ||
                kanal_table_set_int(tab, 1, totals[i].deals) || kanal_table_set(tab, 2, value) ||
                kanal_table_set(tab, 3, earned))
                return nomem(c);
        }
    }
    if (n == 0)
        return note(c, "no deal %s%s%swas signed by %s", chosen ? "of partner '" : "",
                    chosen ? only.name : "", chosen ? "' " : "", day);
    char sum[32];
    engine_money_format(all, sum);
    return note(c,
                "%zu deal%s of %zu partner%s signed by %s earn %s in all; each by the commission "
                "rule of the workflow version its partner was won under (none: 0)",
                n, n == 1 ? "" : "s", n_totals, n_totals == 1 ? "" : "s", day, sum);
}

/* ---- running a report -------------------------------------------------------------- */

/* A time of the options: a bare date is its start (since) or its end (until, as_of). */
static int parse_time(ctx *c, const char *what, const char *text, bool end_of_day,
                      char out[KANAL_TIME_LEN])
{
    int64_t t;
    kanal_error e;
    if (kanal_time_parse(text, &t, &e))
        return kanal_error_set(c->err, KANAL_EUSAGE, "%s: %s", what, e.message);
    if (end_of_day && kanal_date_valid(text))
        t += 86399;
    kanal_time_format(t, out);
    return KANAL_OK;
}

/* What a report of one workflow follows of it. */
static const char *follows(size_t which)
{
    const char *name = reports[which].info.name;
    return !strcmp(name, "goals") ? "goals" : !strcmp(name, "compare") ? "versions" : "stages";
}

/* The versions to compare, each of the workflow chosen (c->def, its latest), sorted. */
static int check_versions(ctx *c, const kanal_report_options *o)
{
    struct kanal_report_priv *p = c->r->priv_;
    int latest = c->def->ver.version;
    int *v = kanal_arena_alloc(c->a, o->n_versions * sizeof *v);
    if (!v)
        return nomem(c);
    for (size_t i = 0; i < o->n_versions; i++) {
        int x = o->versions[i];
        if (x < 1)
            return kanal_error_set(c->err, KANAL_EUSAGE, "invalid version %d", x);
        if (x > latest) {
            if (latest == 1)
                return kanal_error_set(c->err, KANAL_ENOTFOUND,
                                       "workflow '%s' has no version %d (its only version is 1)",
                                       c->def->ver.workflow, x);
            return kanal_error_set(c->err, KANAL_ENOTFOUND,
                                   "workflow '%s' has no version %d (its versions are 1 to %d)",
                                   c->def->ver.workflow, x, latest);
        }
        /* in version order, whatever the order given: a change follows what it changed */
        size_t at = i;
        while (at > 0 && v[at - 1] > x)
            v[at] = v[at - 1], at--;
        if (at > 0 && v[at - 1] == x)
            return kanal_error_set(c->err, KANAL_EUSAGE, "version %d is named twice", x);
        v[at] = x;
    }
    p->versions = v;
    p->n_versions = o->n_versions;
    return KANAL_OK;
}

static int check_options(ctx *c, size_t which, const kanal_report_options *o)
{
    kanal *k = c->k;
    struct kanal_report_priv *p = c->r->priv_;
    kanal_error *err = c->err;
    int rc;
    const char *partner = o->version >= 2 ? o->partner : NULL;
    bool deals = strcmp(reports[which].info.name, "commission") == 0;
    if (partner && !deals)
        return kanal_error_set(err, KANAL_EUSAGE,
                               "only the commission report is narrowed to a partner");
    if (deals && (o->workflow || o->workflow_version || o->owner || o->since || o->until || o->by))
        return kanal_error_set(err, KANAL_EUSAGE,
                               "the commission report takes --as-of and --partner: its deals are "
                               "not narrowed by %s",
                               o->workflow           ? "workflow"
                               : o->workflow_version ? "version"
                               : o->owner            ? "owner"
                               : o->by               ? "--by"
                                                     : "creation time");
    p->partner = partner ? kanal_arena_strdup(c->a, partner) : NULL;
    if (partner && !p->partner)
        return nomem(c);
    if (o->by && strcmp(reports[which].info.name, "lost-reasons") != 0)
        return kanal_error_set(err, KANAL_EUSAGE,
                               "only the lost-reasons report is split by stage or owner");
    if (o->by && strcmp(o->by, "stage") != 0 && strcmp(o->by, "owner") != 0)
        return kanal_error_set(err, KANAL_EUSAGE,
                               "lost reasons are split by stage or by owner, not by '%s'", o->by);
    if (o->workflow_version && !o->workflow)
        return kanal_error_set(err, KANAL_EUSAGE,
                               "a version is a version of one workflow: "
                               "name the workflow too");
    if (o->workflow_version < 0)
        return kanal_error_set(err, KANAL_EUSAGE, "invalid version %d", o->workflow_version);
    bool comparing = reports[which].run == compare;
    if (o->n_versions && !comparing)
        return kanal_error_set(err, KANAL_EUSAGE,
                               "only the compare report takes the versions to compare");
    if (comparing && o->workflow_version)
        return kanal_error_set(err, KANAL_EUSAGE,
                               "the compare report compares versions: name the versions to "
                               "compare, not one version to narrow it to");
    if (o->workflow) {
        def_entry *latest;
        if ((rc = engine_workflow_latest(k, o->workflow, &latest, err)))
            return rc;
        c->def = latest;
        if (o->workflow_version) {
            if (o->workflow_version > latest->ver.version)
                return kanal_error_set(err, KANAL_ENOTFOUND,
                                       "workflow '%s' has no version %d (its versions are 1 to %d)",
                                       o->workflow, o->workflow_version, latest->ver.version);
            if ((rc = engine_def_get(k, o->workflow, o->workflow_version, &c->def, err)))
                return rc;
        }
        c->sc.workflow = c->def->ver.workflow;
        c->sc.version = o->workflow_version;
    } else if (reports[which].one_workflow) {
        /* the stages and goals are one workflow's: the only one, or the one named */
        const char **ids;
        size_t n;
        if ((rc = store_workflow_ids(k->store, c->a, &ids, &n, err)))
            return rc;
        if (n == 0)
            return kanal_error_set(err, KANAL_ENOTFOUND, "the %s report follows a workflow's %s",
                                   reports[which].info.name, follows(which)),
                   kanal_error_advise(err, KANAL_ADVICE_APPLY_WORKFLOW, NULL);
        if (n > 1) {
            kanal_buf b = KANAL_BUF_INIT;
            for (size_t i = 0; i < n; i++)
                kanal_buf_printf(&b, "%s%s", i ? ", " : "", ids[i]);
            kanal_error_set(err, KANAL_EUSAGE,
                            "the %s report follows the %s of one workflow: choose one of %s",
                            reports[which].info.name, follows(which), kanal_buf_cstr(&b));
            kanal_buf_release(&b);
            return kanal_error_advise(err, KANAL_ADVICE_CHOOSE_WORKFLOW, NULL);
        }
        if ((rc = engine_workflow_latest(k, ids[0], &c->def, err)))
            return rc;
        c->sc.workflow = c->def->ver.workflow;
    }
    if (o->n_versions && (rc = check_versions(c, o)))
        return rc;
    if (o->owner) {
        kanal_user u;
        rc = store_user_get(k->store, c->a, o->owner, &u, err);
        if (rc == KANAL_ENOTFOUND) {
            kanal_user *users;
            size_t n;
            const char **ids = NULL;
            if (!store_users_list(k->store, c->a, &users, &n, err) &&
                (ids = kanal_arena_alloc(c->a, (n + 1) * sizeof *ids)))
                for (size_t i = 0; i < n; i++)
                    ids[i] = users[i].id;
            return kanal_unknown(err, KANAL_ENOTFOUND, "user", o->owner, ids, ids ? n : 0, NULL);
        }
        if (rc)
            return rc;
        c->sc.owner = o->owner;
    }
    char since[KANAL_TIME_LEN], until[KANAL_TIME_LEN], as_of[KANAL_TIME_LEN];
    if ((o->since && (rc = parse_time(c, "since", o->since, false, since))) ||
        (o->until && (rc = parse_time(c, "until", o->until, true, until))))
        return rc;
    if (o->as_of) {
        if ((rc = parse_time(c, "as of", o->as_of, true, as_of)))
            return rc;
    } else {
        engine_now_text(k, as_of);
    }
    if (o->since && o->until && strcmp(since, until) > 0)
        return kanal_error_set(err, KANAL_EUSAGE,
                               "the period is empty: it starts (%s) after it "
                               "ends (%s)",
                               since, until);
    c->sc.since = o->since ? kanal_arena_strdup(c->a, since) : NULL;
    c->sc.until = o->until ? kanal_arena_strdup(c->a, until) : NULL;
    c->sc.as_of = kanal_arena_strdup(c->a, as_of);
    p->workflow = c->sc.workflow && o->workflow ? c->sc.workflow : NULL;
    p->version = o->workflow_version;
    p->owner = c->sc.owner;
    p->since = c->sc.since;
    p->until = c->sc.until;
    p->by = o->by ? kanal_arena_strdup(c->a, o->by) : NULL;
    if (!c->sc.as_of || (o->since && !c->sc.since) || (o->until && !c->sc.until) ||
        (o->by && !p->by))
        return nomem(c);
    c->r->as_of = c->sc.as_of;
    return KANAL_OK;
}

/* The report of that name, or reports' length after saying so. */
static size_t report_index(const char *name, kanal_error *err)
{
    const char *names[KANAL_ARRAY_LEN(reports)];
    for (size_t i = 0; i < KANAL_ARRAY_LEN(reports); i++) {
        names[i] = reports[i].info.name;
        if (name && strcmp(name, names[i]) == 0)
            return i;
    }
    kanal_unknown(err, KANAL_EUSAGE, "report", name ? name : "", names, KANAL_ARRAY_LEN(reports),
                  NULL);
    return KANAL_ARRAY_LEN(reports);
}

/* Who may read reports, and options this library can read (of any version up to its own). */
static int may_report(kanal *k, const kanal_report_options *opts, kanal_error *err)
{
    if (opts->version < 1 || opts->version > KANAL_REPORT_OPTIONS_VERSION)
        return kanal_error_set(err, KANAL_EUSAGE,
                               "report options of version %u (this library knows versions 1 to "
                               "%d)",
                               opts->version, KANAL_REPORT_OPTIONS_VERSION);
    int rc = engine_need_actor(k, err);
    if (rc)
        return rc;
    if (!k->is_manager && !k->is_admin)
        return kanal_error_set(err, KANAL_EREFUSED,
                               "only a manager or an admin may run reports (you are '%s')",
                               k->actor.id);
    return KANAL_OK;
}

/* The options of a caller of any version as this version reads them: version 1 has no
   versions. */
static kanal_report_options options_of(const kanal_report_options *in)
{
    kanal_report_options o = KANAL_REPORT_OPTIONS_INIT;
    memcpy(&o, in, in->version < 2 ? offsetof(kanal_report_options, versions) : sizeof o);
    o.version = KANAL_REPORT_OPTIONS_VERSION;
    return o;
}

/* "1,2,4": the versions compared, as chosen. */
static int versions_text(const struct kanal_report_priv *p, kanal_buf *out)
{
    for (size_t i = 0; i < p->n_versions; i++)
        kanal_buf_printf(out, "%s%d", i ? "," : "", p->versions[i]);
    return out->oom ? -1 : 0;
}

/* The filters, the parts and the notes, on the figures: what the plugins' formats see. */
static int dress(ctx *c)
{
    kanal_report *r = c->r;
    struct kanal_report_priv *p = r->priv_;
    char v[16];
    snprintf(v, sizeof v, "%d", p->version);
    /* the workflow a one-workflow report followed, named or not */
    const char *wf = c->sc.workflow;
    if ((wf && kanal_table_add_filter(r->rows, "workflow", wf)) ||
        (wf && c->def && kanal_table_add_filter(r->rows, "workflow_name", c->def->wf->name)) ||
        (p->version && kanal_table_add_filter(r->rows, "version", v)) ||
        (p->owner && kanal_table_add_filter(r->rows, "owner", p->owner)) ||
        (p->since && kanal_table_add_filter(r->rows, "since", p->since)) ||
        (p->until && kanal_table_add_filter(r->rows, "until", p->until)) ||
        (p->by && kanal_table_add_filter(r->rows, "by", p->by)) ||
        (p->partner && kanal_table_add_filter(r->rows, "partner", p->partner)) ||
        kanal_table_add_filter(r->rows, "as_of", r->as_of))
        return nomem(c);
    if (p->n_versions) {
        kanal_buf b = KANAL_BUF_INIT;
        int rc = versions_text(p, &b) || kanal_table_add_filter(r->rows, "versions", b.data);
        kanal_buf_release(&b);
        if (rc)
            return nomem(c);
    }
    if ((r->display && kanal_table_attach(r->rows, "display", r->display)) ||
        (r->comparison && kanal_table_attach(r->rows, "comparison", r->comparison)) ||
        (r->comparison_display &&
         kanal_table_attach(r->rows, "comparison_display", r->comparison_display)))
        return nomem(c);
    for (size_t i = 0; i < r->n_notes; i++)
        if (kanal_table_add_note(r->rows, r->notes[i]))
            return nomem(c);
    return KANAL_OK;
}

/* Runs reports[which]; in a read transaction of its own unless one is open (in_txn). */
static int report_one(kanal *k, size_t which, const kanal_report_options *opts, bool in_txn,
                      kanal_report **out, kanal_error *err)
{
    *out = NULL;
    kanal_arena *a = kanal_arena_new();
    kanal_report *r = a ? kanal_arena_alloc(a, sizeof *r) : NULL;
    struct kanal_report_priv *p = r ? kanal_arena_alloc(a, sizeof *p) : NULL;
    if (!p) {
        kanal_arena_free(a);
        return kanal_error_nomem(err);
    }
    p->a = a;
    r->priv_ = p;
    r->name = reports[which].info.name;
    ctx c = { .k = k, .r = r, .a = a, .question = reports[which].question, .err = err };
    if (!in_txn)
        engine_rules_begin(k); /* what the rules say (commission) is this report's alone */
    int rc = check_options(&c, which, opts);
    /* one read transaction: every query of the report sees the same record */
    if (!rc && !in_txn && !(rc = store_begin_read(k->store, err))) {
        rc = reports[which].run(&c);
        if (rc)
            store_rollback(k->store);
        else
            rc = store_commit(k->store, err);
    } else if (!rc && in_txn) {
        rc = reports[which].run(&c);
    }
    if (!rc && p->small)
        rc = note(&c,
                  "* fewer than %d closed opportunities: a small sample, the rate may well be "
                  "chance",
                  SMALL_SAMPLE);
    if (!rc && r->rows)
        rc = dress(&c);
    if (rc) {
        kanal_report_free(r);
        return rc;
    }
    *out = r;
    return KANAL_OK;
}

int kanal_report_run(kanal *k, const char *name, const kanal_report_options *opts,
                     kanal_report **out, kanal_error *err)
{
    *out = NULL;
    static const kanal_report_options defaults = KANAL_REPORT_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    size_t which = report_index(name, err);
    if (which == KANAL_ARRAY_LEN(reports))
        return err->code;
    int rc = may_report(k, opts, err);
    if (rc)
        return rc;
    kanal_report_options o = options_of(opts);
    return report_one(k, which, &o, false, out, err);
}

void kanal_report_free(kanal_report *r)
{
    if (!r)
        return;
    kanal_table_free(r->display);
    kanal_table_free(r->rows);
    kanal_table_free(r->comparison);
    kanal_table_free(r->comparison_display);
    kanal_arena_free(r->priv_->a);
}

/* "filters":{...} as the user chose them; with versions (the compare report's), "versions". */
static void json_filters(kanal_json *j, const char *workflow, int version, const char *owner,
                         const char *since, const char *until, const char *by,
                         const struct kanal_report_priv *versions)
{
    kanal_json_key(j, "filters");
    kanal_json_object(j);
    kanal_json_key(j, "workflow");
    kanal_json_str(j, workflow);
    kanal_json_key(j, "version");
    if (version)
        kanal_json_int(j, version);
    else
        kanal_json_null(j);
    const char *keys[] = { "owner", "since", "until", "by" };
    const char *vals[] = { owner, since, until, by };
    for (size_t i = 0; i < 4; i++) {
        kanal_json_key(j, keys[i]);
        kanal_json_str(j, vals[i]);
    }
    if (versions) {
        kanal_json_key(j, "versions");
        if (versions->n_versions) {
            kanal_json_array(j);
            for (size_t i = 0; i < versions->n_versions; i++)
                kanal_json_int(j, versions->versions[i]);
            kanal_json_end_array(j);
        } else {
            kanal_json_null(j);
        }
    }
    kanal_json_end_object(j);
}

/* A cell as its column's JSON value (the compare report's columns: int, number, text). */
static void json_value(kanal_json *j, kanal_type type, const char *v)
{
    if (!v)
        kanal_json_null(j);
    else if (type == KANAL_TYPE_INT || type == KANAL_TYPE_NUMBER)
        kanal_json_raw(j, v);
    else
        kanal_json_str(j, v);
}

/*
** The compare report's rows: the columns as they are, but lost_reason_1.* to
** lost_reason_3.* as one array "top_lost_reasons" of the reasons there are
** (a version with two lost reasons has two), each {"reason","name","count",
** "share","share_low","share_high"}.
*/
static void compare_json_rows(const kanal_table *t, kanal_json *j)
{
    static const char prefix[] = "lost_reason_";
    size_t cols = kanal_table_columns(t);
    kanal_json_array(j);
    for (size_t r = 0; r < kanal_table_rows(t); r++) {
        kanal_json_object(j);
        bool listed = false;
        for (size_t c = 0; c < cols; c++) {
            const char *name = kanal_table_column_name(t, c);
            if (strncmp(name, prefix, sizeof prefix - 1) != 0) {
                kanal_json_key(j, name);
                json_value(j, kanal_table_column_type(t, c), kanal_table_cell(t, r, c));
                continue;
            }
            if (listed)
                continue;
            listed = true;
            kanal_json_key(j, "top_lost_reasons");
            kanal_json_array(j);
            for (size_t k = 1;; k++) {
                char head[32];
                int len = snprintf(head, sizeof head, "%s%zu.", prefix, k);
                char reason[48];
                snprintf(reason, sizeof reason, "%sreason", head);
                int at = kanal_table_column_index(t, reason);
                if (at < 0 || !kanal_table_cell(t, r, (size_t)at))
                    break;
                kanal_json_object(j);
                for (size_t f = 0; f < cols; f++) {
                    const char *fname = kanal_table_column_name(t, f);
                    if (strncmp(fname, head, (size_t)len) != 0)
                        continue;
                    kanal_json_key(j, fname + len);
                    json_value(j, kanal_table_column_type(t, f), kanal_table_cell(t, r, f));
                }
                kanal_json_end_object(j);
            }
            kanal_json_end_array(j);
        }
        kanal_json_end_object(j);
    }
    kanal_json_end_array(j);
}

static void report_json(const kanal_report *r, kanal_json *j)
{
    const struct kanal_report_priv *p = r->priv_;
    kanal_json_object(j);
    kanal_json_key(j, "report");
    kanal_json_str(j, r->name);
    bool comparing = strcmp(r->name, "compare") == 0;
    if (strcmp(r->name, "commission") == 0) {
        /* the deals' own filter */
        kanal_json_key(j, "filters");
        kanal_json_object(j);
        kanal_json_key(j, "partner");
        kanal_json_str(j, p->partner);
        kanal_json_end_object(j);
    } else {
        json_filters(j, p->workflow, p->version, p->owner, p->since, p->until, p->by,
                     comparing ? p : NULL);
    }
    kanal_json_key(j, "as_of");
    kanal_json_str(j, r->as_of);
    kanal_json_key(j, "rows");
    if (comparing)
        compare_json_rows(r->rows, j);
    else
        kanal_table_json_rows(r->rows, j);
    if (r->comparison) {
        kanal_json_key(j, kanal_table_name(r->comparison));
        kanal_table_json_rows(r->comparison, j);
    }
    kanal_json_end_object(j);
}

void kanal_report_render_json(const kanal_report *r, kanal_buf *out)
{
    kanal_json j;
    kanal_json_init(&j, out);
    report_json(r, &j);
    kanal_buf_putc(out, '\n');
}

void kanal_report_render_text(const kanal_report *r, kanal_buf *out)
{
    kanal_buf_printf(out, "%s, as of %.10s %.5s UTC\n\n", kanal_table_title(r->display), r->as_of,
                     r->as_of + 11);
    kanal_table_render_text(r->display, out);
    if (r->comparison_display && kanal_table_rows(r->comparison_display)) {
        kanal_buf_printf(out, "\n%s\n\n", kanal_table_title(r->comparison_display));
        kanal_table_render_text(r->comparison_display, out);
    }
    if (r->n_notes)
        kanal_buf_putc(out, '\n');
    for (size_t i = 0; i < r->n_notes; i++)
        kanal_buf_printf(out, "%s\n", r->notes[i]);
}

/* ---- the dashboard ----------------------------------------------------------------- */

struct dashboard_priv {
    kanal_dashboard d;
    kanal_arena *a;
    kanal_report_options o; /* as chosen, the moment fixed */
    size_t cap;
};

void kanal_dashboard_free(kanal_dashboard *d)
{
    if (!d)
        return;
    struct dashboard_priv *p = (struct dashboard_priv *)d;
    kanal_table_free(d->table); /* before the reports: it borrows their tables */
    for (size_t i = 0; i < d->n_reports; i++)
        kanal_report_free(d->reports[i]);
    free(d->reports);
    kanal_arena_free(p->a);
    free(p);
}

static int dashboard_add(struct dashboard_priv *p, kanal *k, const char *name,
                         const kanal_report_options *o, kanal_error *err)
{
    kanal_dashboard *d = &p->d;
    if (d->n_reports == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        kanal_report **n = realloc(d->reports, cap * sizeof *n);
        if (!n)
            return kanal_error_nomem(err);
        d->reports = n, p->cap = cap;
    }
    kanal_report *r;
    int rc = report_one(k, report_index(name, err), o, true, &r, err);
    if (rc)
        return rc;
    d->reports[d->n_reports++] = r;
    return kanal_table_attach(d->table, "report", r->rows) ? kanal_error_nomem(err) : KANAL_OK;
}

static int dashboard_reports(struct dashboard_priv *p, kanal *k, kanal_error *err)
{
    kanal_report_options o = p->o;
    o.by = NULL;
    int rc;
    {
        kanal_report_options lost = o;
        lost.by = p->o.by;
        if ((rc = dashboard_add(p, k, "lost-reasons", &lost, err)))
            return rc;
    }
    if ((rc = dashboard_add(p, k, "activities", &o, err)) ||
        (rc = dashboard_add(p, k, "stale", &o, err)))
        return rc;
    /* the stages and goals are each workflow's own */
    const char **ids = &p->o.workflow;
    size_t n = 1;
    if (!p->o.workflow && (rc = store_workflow_ids(k->store, p->a, &ids, &n, err)))
        return rc;
    for (size_t i = 0; i < n; i++) {
        kanal_report_options one = o;
        one.workflow = ids[i];
        if ((rc = dashboard_add(p, k, "funnel", &one, err)) ||
            (rc = dashboard_add(p, k, "goals", &one, err)))
            return rc;
        /* did the change help: where there was a change, and no version is chosen */
        int latest;
        if (!o.workflow_version &&
            ((rc = store_workflow_latest(k->store, ids[i], &latest, err)) ||
             (latest > 1 && (rc = dashboard_add(p, k, "compare", &one, err)))))
            return rc;
    }
    return KANAL_OK;
}

int kanal_dashboard_run(kanal *k, const kanal_report_options *opts, kanal_dashboard **out,
                        kanal_error *err)
{
    *out = NULL;
    static const kanal_report_options defaults = KANAL_REPORT_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    int rc = may_report(k, opts, err);
    if (rc)
        return rc;
    kanal_report_options given = options_of(opts);
    opts = &given;
    if (opts->n_versions)
        return kanal_error_set(err, KANAL_EUSAGE,
                               "the dashboard compares every version of a workflow that has "
                               "more than one: the versions to compare are the compare "
                               "report's");
    struct dashboard_priv *p = calloc(1, sizeof *p);
    if (!p || !(p->a = kanal_arena_new())) {
        free(p);
        return kanal_error_nomem(err);
    }
    kanal_dashboard *d = &p->d;
    p->o = *opts;
    /* kept for render_json: the caller's strings may go */
    const char **keep[] = { &p->o.workflow, &p->o.owner, &p->o.since, &p->o.until, &p->o.by };
    for (size_t i = 0; i < KANAL_ARRAY_LEN(keep); i++)
        if (*keep[i] && !(*keep[i] = kanal_arena_strdup(p->a, *keep[i]))) {
            kanal_dashboard_free(d);
            return kanal_error_nomem(err);
        }
    /* one moment for every report: now, unless chosen */
    char now[KANAL_TIME_LEN];
    if (!opts->as_of) {
        engine_now_text(k, now);
        p->o.as_of = now;
    }
    if (kanal_table_new(&d->table, "dashboard", "Kanal dashboard", err)) {
        kanal_dashboard_free(d);
        return err->code;
    }
    if (!(rc = store_begin_read(k->store, err))) {
        rc = dashboard_reports(p, k, err);
        if (rc)
            store_rollback(k->store);
        else
            rc = store_commit(k->store, err);
    }
    p->o.as_of = NULL; /* now[] goes with this call */
    if (!rc) {
        /* the moment as the reports read it (a date given: its end) */
        d->as_of = d->reports[0]->as_of;
        const kanal_report_options *o = opts;
        char v[16];
        snprintf(v, sizeof v, "%d", o->workflow_version);
        const struct kanal_report_priv *first = d->reports[0]->priv_;
        if ((o->workflow && kanal_table_add_filter(d->table, "workflow", o->workflow)) ||
            (o->workflow_version && kanal_table_add_filter(d->table, "version", v)) ||
            (o->owner && kanal_table_add_filter(d->table, "owner", o->owner)) ||
            (first->since && kanal_table_add_filter(d->table, "since", first->since)) ||
            (first->until && kanal_table_add_filter(d->table, "until", first->until)) ||
            (o->by && kanal_table_add_filter(d->table, "by", o->by)) ||
            kanal_table_add_filter(d->table, "as_of", d->as_of))
            rc = kanal_error_nomem(err);
    }
    if (rc) {
        kanal_dashboard_free(d);
        return rc;
    }
    *out = d;
    return KANAL_OK;
}

void kanal_dashboard_render_json(const kanal_dashboard *d, kanal_buf *out)
{
    const struct dashboard_priv *p = (const struct dashboard_priv *)d;
    const struct kanal_report_priv *first = d->reports[0]->priv_;
    kanal_json j;
    kanal_json_init(&j, out);
    kanal_json_object(&j);
    kanal_json_key(&j, "report");
    kanal_json_str(&j, "dashboard");
    json_filters(&j, p->o.workflow, p->o.workflow_version, p->o.owner, first->since, first->until,
                 p->o.by, NULL);
    kanal_json_key(&j, "as_of");
    kanal_json_str(&j, d->as_of);
    kanal_json_key(&j, "reports");
    kanal_json_array(&j);
    for (size_t i = 0; i < d->n_reports; i++)
        report_json(d->reports[i], &j);
    kanal_json_end_array(&j);
    kanal_json_end_object(&j);
    kanal_buf_putc(out, '\n');
}

void kanal_dashboard_render_text(const kanal_dashboard *d, kanal_buf *out)
{
    for (size_t i = 0; i < d->n_reports; i++) {
        if (i)
            kanal_buf_puts(out, "\n");
        const kanal_report *r = d->reports[i];
        const char *wf = r->priv_->workflow;
        kanal_buf_printf(out, "== %s%s%s ==\n", r->name, wf ? " of " : "", wf ? wf : "");
        kanal_report_render_text(r, out);
    }
}
