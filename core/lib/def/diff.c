/*
** diff.c — what changed between two definitions of a workflow, element by
** element and property by property, in words an admin reads at a glance:
** "goal infographic_sent added to awareness: mandatory, after first_contact",
** "stage proposal: max_days 14 -> 21", "the rules changed".
**
** Elements are matched by id; an element whose id changed is a removal and an
** addition (ids are what the record refers to, so that is what happened).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "kanal/buf.h"
#include "kanal/workflow.h"

struct kanal_diff_priv {
    kanal_arena *a;
    size_t cap;
    bool oom;
};

static void add(kanal_diff *d, const char *what, const char *id, const char *change,
                kanal_buf *detail)
{
    struct kanal_diff_priv *p = d->priv_;
    if (p->oom || detail->oom) {
        p->oom = true;
        return;
    }
    if (d->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        kanal_change *c = realloc(d->changes, cap * sizeof *c);
        if (!c) {
            p->oom = true;
            return;
        }
        d->changes = c, p->cap = cap;
    }
    kanal_change *c = &d->changes[d->n];
    c->what = what;
    c->id = kanal_arena_strdup(p->a, id);
    c->change = change;
    c->detail = kanal_arena_strdup(p->a, kanal_buf_cstr(detail));
    if (!c->id || !c->detail)
        p->oom = true;
    else
        d->n++;
}

/* "; " between the properties of one change */
static void sep(kanal_buf *b)
{
    if (b->len)
        kanal_buf_puts(b, "; ");
}

static void text_change(kanal_buf *b, const char *prop, const char *x, const char *y)
{
    if ((!x && !y) || (x && y && strcmp(x, y) == 0))
        return;
    sep(b);
    kanal_buf_printf(b, "%s: %s -> %s", prop, x ? x : "(none)", y ? y : "(none)");
}

static void yes_no(kanal_buf *b, const char *prop, bool x, bool y)
{
    if (x == y)
        return;
    sep(b);
    kanal_buf_printf(b, "%s: %s -> %s", prop, x ? "yes" : "no", y ? "yes" : "no");
}

/* A list of ids as words: "first_contact, classify", or "none". */
static void ids_of_goals(kanal_buf *b, const kanal_workflow *wf, const size_t *idx, size_t n)
{
    if (!n)
        kanal_buf_puts(b, "none");
    for (size_t i = 0; i < n; i++)
        kanal_buf_printf(b, "%s%s", i ? ", " : "", wf->goals[idx[i]].id);
}

static void ids_of_fields(kanal_buf *b, const kanal_workflow *wf, const size_t *idx, size_t n)
{
    if (!n)
        kanal_buf_puts(b, "none");
    for (size_t i = 0; i < n; i++)
        kanal_buf_printf(b, "%s%s", i ? ", " : "", wf->fields[idx[i]].id);
}

static bool same_words(kanal_buf *x, kanal_buf *y)
{
    return strcmp(kanal_buf_cstr(x), kanal_buf_cstr(y)) == 0;
}

/* Sets of strings: "a, b" and whether they are equal as sets. */
static bool same_set(const char *const *x, size_t nx, const char *const *y, size_t ny)
{
    if (nx != ny)
        return false;
    for (size_t i = 0; i < nx; i++) {
        bool found = false;
        for (size_t j = 0; j < ny && !found; j++)
            found = strcmp(x[i], y[j]) == 0;
        if (!found)
            return false;
    }
    return true;
}

static void set_words(kanal_buf *b, const char *const *x, size_t n, const char *none)
{
    if (!n)
        kanal_buf_puts(b, none);
    for (size_t i = 0; i < n; i++)
        kanal_buf_printf(b, "%s%s", i ? ", " : "", x[i]);
}

static void goal_summary(kanal_buf *b, const kanal_workflow *wf, const kanal_goal *g)
{
    kanal_buf_printf(b, "in %s, %s", wf->stages[g->stage].id,
                     g->mandatory ? "mandatory" : "optional");
    if (g->n_after) {
        kanal_buf_puts(b, ", after ");
        ids_of_goals(b, wf, g->after, g->n_after);
    }
    if (g->completed_by >= 0)
        kanal_buf_printf(b, ", completed by %s", wf->activity_types[g->completed_by].id);
    if (g->n_requires_fields) {
        kanal_buf_puts(b, ", requires ");
        ids_of_fields(b, wf, g->requires_fields, g->n_requires_fields);
    }
}

static void goals(kanal_diff *d, const kanal_workflow *x, const kanal_workflow *y)
{
    kanal_buf b = KANAL_BUF_INIT, bx = KANAL_BUF_INIT, by = KANAL_BUF_INIT;
    for (size_t i = 0; i < x->n_goals; i++)
        if (kanal_workflow_goal_index(y, x->goals[i].id) < 0) {
            kanal_buf_reset(&b);
            kanal_buf_printf(&b, "was in %s", x->stages[x->goals[i].stage].id);
            add(d, "goal", x->goals[i].id, "removed", &b);
        }
    for (size_t i = 0; i < y->n_goals; i++) {
        const kanal_goal *g = &y->goals[i];
        int j = kanal_workflow_goal_index(x, g->id);
        kanal_buf_reset(&b);
        if (j < 0) {
            goal_summary(&b, y, g);
            add(d, "goal", g->id, "added", &b);
            continue;
        }
        const kanal_goal *o = &x->goals[j];
        text_change(&b, "stage", x->stages[o->stage].id, y->stages[g->stage].id);
        yes_no(&b, "mandatory", o->mandatory, g->mandatory);
        kanal_buf_reset(&bx), kanal_buf_reset(&by);
        ids_of_goals(&bx, x, o->after, o->n_after);
        ids_of_goals(&by, y, g->after, g->n_after);
        if (!same_words(&bx, &by))
            text_change(&b, "after", kanal_buf_cstr(&bx), kanal_buf_cstr(&by));
        text_change(&b, "completed by",
                    o->completed_by >= 0 ? x->activity_types[o->completed_by].id : "(nothing)",
                    g->completed_by >= 0 ? y->activity_types[g->completed_by].id : "(nothing)");
        kanal_buf_reset(&bx), kanal_buf_reset(&by);
        ids_of_fields(&bx, x, o->requires_fields, o->n_requires_fields);
        ids_of_fields(&by, y, g->requires_fields, g->n_requires_fields);
        if (!same_words(&bx, &by))
            text_change(&b, "requires fields", kanal_buf_cstr(&bx), kanal_buf_cstr(&by));
        text_change(&b, "name", o->name, g->name);
        text_change(&b, "hint", o->hint, g->hint);
        if (b.len)
            add(d, "goal", g->id, "changed", &b);
    }
    kanal_buf_release(&b);
    kanal_buf_release(&bx);
    kanal_buf_release(&by);
}

static void stages(kanal_diff *d, const kanal_workflow *x, const kanal_workflow *y)
{
    kanal_buf b = KANAL_BUF_INIT;
    for (size_t i = 0; i < x->n_stages; i++)
        if (kanal_workflow_stage_index(y, x->stages[i].id) < 0) {
            kanal_buf_reset(&b);
            kanal_buf_printf(&b, "was stage %zu of %zu", i + 1, x->n_stages);
            add(d, "stage", x->stages[i].id, "removed", &b);
        }
    for (size_t i = 0; i < y->n_stages; i++) {
        const kanal_stage *s = &y->stages[i];
        int j = kanal_workflow_stage_index(x, s->id);
        kanal_buf_reset(&b);
        if (j < 0) {
            kanal_buf_printf(&b, "stage %zu of %zu, %zu goal%s", i + 1, y->n_stages, s->n_goals,
                             s->n_goals == 1 ? "" : "s");
            if (s->max_days)
                kanal_buf_printf(&b, ", max_days %d", s->max_days);
            add(d, "stage", s->id, "added", &b);
            continue;
        }
        const kanal_stage *o = &x->stages[j];
        if ((size_t)j != i) {
            sep(&b);
            kanal_buf_printf(&b, "position: %d of %zu -> %zu of %zu", j + 1, x->n_stages, i + 1,
                             y->n_stages);
        }
        if (o->max_days != s->max_days) {
            sep(&b);
            if (!o->max_days)
                kanal_buf_printf(&b, "max_days: none -> %d", s->max_days);
            else if (!s->max_days)
                kanal_buf_printf(&b, "max_days: %d -> none", o->max_days);
            else
                kanal_buf_printf(&b, "max_days: %d -> %d", o->max_days, s->max_days);
        }
        text_change(&b, "name", o->name, s->name);
        if (b.len)
            add(d, "stage", s->id, "changed", &b);
    }
    kanal_buf_release(&b);
}

static void activities(kanal_diff *d, const kanal_workflow *x, const kanal_workflow *y)
{
    kanal_buf b = KANAL_BUF_INIT;
    for (size_t i = 0; i < x->n_activity_types; i++)
        if (kanal_workflow_activity_index(y, x->activity_types[i].id) < 0)
            add(d, "activity", x->activity_types[i].id, "removed", &b);
    for (size_t i = 0; i < y->n_activity_types; i++) {
        const kanal_activity_type *t = &y->activity_types[i];
        int j = kanal_workflow_activity_index(x, t->id);
        kanal_buf_reset(&b);
        if (j < 0) {
            kanal_buf_printf(&b, "\"%s\"", t->name);
            add(d, "activity", t->id, "added", &b);
            continue;
        }
        text_change(&b, "name", x->activity_types[j].name, t->name);
        if (b.len)
            add(d, "activity", t->id, "changed", &b);
    }
    kanal_buf_release(&b);
}

static void lost_reasons(kanal_diff *d, const kanal_workflow *x, const kanal_workflow *y)
{
    kanal_buf b = KANAL_BUF_INIT;
    for (size_t i = 0; i < x->n_lost_reasons; i++)
        if (kanal_workflow_lost_reason_index(y, x->lost_reasons[i].id) < 0)
            add(d, "lost reason", x->lost_reasons[i].id, "removed", &b);
    for (size_t i = 0; i < y->n_lost_reasons; i++) {
        const kanal_lost_reason *r = &y->lost_reasons[i];
        int j = kanal_workflow_lost_reason_index(x, r->id);
        kanal_buf_reset(&b);
        if (j < 0) {
            kanal_buf_printf(&b, "\"%s\"%s", r->name, r->note_required ? ", a note required" : "");
            add(d, "lost reason", r->id, "added", &b);
            continue;
        }
        text_change(&b, "name", x->lost_reasons[j].name, r->name);
        yes_no(&b, "note required", x->lost_reasons[j].note_required, r->note_required);
        if (b.len)
            add(d, "lost reason", r->id, "changed", &b);
    }
    kanal_buf_release(&b);
}

static void bound(kanal_buf *b, bool has, double v)
{
    if (has)
        kanal_buf_printf(b, "%g", v);
    else
        kanal_buf_puts(b, "none");
}

static void fields(kanal_diff *d, const kanal_workflow *x, const kanal_workflow *y)
{
    kanal_buf b = KANAL_BUF_INIT, bx = KANAL_BUF_INIT, by = KANAL_BUF_INIT;
    for (size_t i = 0; i < x->n_fields; i++)
        if (kanal_workflow_field_index(y, x->fields[i].id) < 0) {
            kanal_buf_reset(&b);
            kanal_buf_printf(&b, "was %s", kanal_field_type_name(x->fields[i].type));
            add(d, "field", x->fields[i].id, "removed", &b);
        }
    for (size_t i = 0; i < y->n_fields; i++) {
        const kanal_field_def *f = &y->fields[i];
        int j = kanal_workflow_field_index(x, f->id);
        kanal_buf_reset(&b);
        if (j < 0) {
            kanal_buf_puts(&b, kanal_field_type_name(f->type));
            if (f->n_values) {
                kanal_buf_puts(&b, " of ");
                set_words(&b, f->values, f->n_values, "");
            }
            add(d, "field", f->id, "added", &b);
            continue;
        }
        const kanal_field_def *o = &x->fields[j];
        text_change(&b, "type", kanal_field_type_name(o->type), kanal_field_type_name(f->type));
        kanal_buf_reset(&bx), kanal_buf_reset(&by);
        bound(&bx, o->has_min, o->min);
        bound(&by, f->has_min, f->min);
        if (!same_words(&bx, &by))
            text_change(&b, "min", kanal_buf_cstr(&bx), kanal_buf_cstr(&by));
        kanal_buf_reset(&bx), kanal_buf_reset(&by);
        bound(&bx, o->has_max, o->max);
        bound(&by, f->has_max, f->max);
        if (!same_words(&bx, &by))
            text_change(&b, "max", kanal_buf_cstr(&bx), kanal_buf_cstr(&by));
        if (!same_set(o->values, o->n_values, f->values, f->n_values)) {
            kanal_buf_reset(&bx), kanal_buf_reset(&by);
            set_words(&bx, o->values, o->n_values, "none");
            set_words(&by, f->values, f->n_values, "none");
            text_change(&b, "values", kanal_buf_cstr(&bx), kanal_buf_cstr(&by));
        }
        text_change(&b, "name", o->name, f->name);
        if (b.len)
            add(d, "field", f->id, "changed", &b);
    }
    kanal_buf_release(&b);
    kanal_buf_release(&bx);
    kanal_buf_release(&by);
}

static void whole(kanal_diff *d, const kanal_workflow *x, const kanal_workflow *y, const char *rx,
                  const char *ry)
{
    kanal_buf b = KANAL_BUF_INIT, bx = KANAL_BUF_INIT, by = KANAL_BUF_INIT;
    text_change(&b, "name", x->name, y->name);
    text_change(&b, "description", x->description, y->description);
    if (!same_set(x->partner_types, x->n_partner_types, y->partner_types, y->n_partner_types)) {
        set_words(&bx, x->partner_types, x->n_partner_types, "none");
        set_words(&by, y->partner_types, y->n_partner_types, "none");
        text_change(&b, "partner types", kanal_buf_cstr(&bx), kanal_buf_cstr(&by));
    }
    if (!same_set(x->owner_roles, x->n_owner_roles, y->owner_roles, y->n_owner_roles)) {
        kanal_buf_reset(&bx), kanal_buf_reset(&by);
        set_words(&bx, x->owner_roles, x->n_owner_roles, "any user");
        set_words(&by, y->owner_roles, y->n_owner_roles, "any user");
        text_change(&b, "owner roles", kanal_buf_cstr(&bx), kanal_buf_cstr(&by));
    }
    if (x->limits.instructions != y->limits.instructions ||
        x->limits.memory_mb != y->limits.memory_mb || x->limits.time_ms != y->limits.time_ms) {
        sep(&b);
        kanal_buf_printf(&b, "limits: %ld instructions, %ld MB, %ld ms -> %ld, %ld MB, %ld ms",
                         x->limits.instructions, x->limits.memory_mb, x->limits.time_ms,
                         y->limits.instructions, y->limits.memory_mb, y->limits.time_ms);
    }
    if (b.len)
        add(d, "workflow", y->id, "changed", &b);
    /* the rules: changed or not (their text is the admin's to read) */
    kanal_buf_reset(&b);
    if (!rx && ry) {
        kanal_buf_printf(&b, "%s", y->rules ? y->rules : "rules");
        add(d, "rules", y->id, "added", &b);
    } else if (rx && !ry) {
        add(d, "rules", y->id, "removed", &b);
    } else if (rx && ry && strcmp(rx, ry) != 0) {
        size_t lx = 0, ly = 0;
        for (const char *p = rx; *p; p++)
            lx += *p == '\n';
        for (const char *p = ry; *p; p++)
            ly += *p == '\n';
        kanal_buf_printf(&b, "%zu lines -> %zu lines", lx, ly);
        add(d, "rules", y->id, "changed", &b);
    }
    kanal_buf_release(&b);
    kanal_buf_release(&bx);
    kanal_buf_release(&by);
}

int kanal_workflow_compare(const kanal_workflow *from, const char *from_rules,
                           const kanal_workflow *to, const char *to_rules, kanal_diff **out)
{
    *out = NULL;
    kanal_diff *d = calloc(1, sizeof *d);
    struct kanal_diff_priv *p = calloc(1, sizeof *p);
    if (!d || !p || !(p->a = kanal_arena_new())) {
        free(d);
        free(p);
        return KANAL_ENOMEM;
    }
    d->priv_ = p;
    whole(d, from, to, from_rules, to_rules);
    stages(d, from, to);
    goals(d, from, to);
    activities(d, from, to);
    lost_reasons(d, from, to);
    fields(d, from, to);
    if (p->oom) {
        kanal_diff_free(d);
        return KANAL_ENOMEM;
    }
    *out = d;
    return KANAL_OK;
}

void kanal_diff_free(kanal_diff *d)
{
    if (!d)
        return;
    kanal_arena_free(d->priv_->a);
    free(d->priv_);
    free(d->changes);
    free(d);
}
