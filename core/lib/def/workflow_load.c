/*
** workflow_load.c — reads a workflow definition from YAML and checks it
** completely: every problem is reported at the node that causes it, and only
** a definition without problems becomes a kanal_workflow.
**
** Two passes. The first walks the tree, checks keys and types, and collects
** the elements with their ids; the second resolves the references between
** them (after, completed_by, requires_fields) and checks the order of goals.
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kanal/text.h"
#include "kanal/workflow.h"
#include "def/yamltree.h"

typedef struct ctx {
    kanal_arena *a;     /* the workflow's: what the model keeps */
    kanal_arena *tmp;   /* the tree and the bookkeeping of the passes */
    const char *file;
    kanal_diags *d;
    bool oom;
} ctx;

#define ERR(c, node, ...) \
    kanal_diags_add((c)->d, (c)->file, (node)->line, (node)->col, __VA_ARGS__)

typedef struct key {
    const char *name;
    bool required;
} key;

/* What the second pass needs to know of each goal. */
typedef struct goal_aux {
    const ynode *node;          /* the goal's mapping */
    const ynode *id_node;
    const ynode *after;         /* a list, or NULL */
    const ynode *completed_by;  /* a scalar, or NULL */
    const ynode *requires;      /* a list, or NULL */
} goal_aux;

static void *talloc(ctx *c, kanal_arena *a, size_t size)
{
    void *p = kanal_arena_alloc(a, size);
    if (!p)
        c->oom = true;
    return p;
}

static char *copy_text(ctx *c, const char *s)
{
    char *p = kanal_arena_strdup(c->a, s);
    if (!p)
        c->oom = true;
    return p;
}

/* How a node looks in a "found ..." message. */
static const char *describe(ctx *c, const ynode *v)
{
    if (v->kind != YNODE_SCALAR || def_ynode_is_null(v))
        return def_ynode_kind_name(v);
    kanal_buf b = KANAL_BUF_INIT;
    size_t n = kanal_utf8_chars(v->text, v->len);
    const char *q = v->plain ? "" : "\"";
    if (n > 40) {
        size_t cut = 0;
        for (size_t chars = 0; cut < v->len && chars < 37; cut++)
            if (((unsigned char)v->text[cut + 1] & 0xC0) != 0x80)
                chars++;
        kanal_buf_printf(&b, "'%s%.*s...%s'", q, (int)cut, v->text, q);
    } else {
        kanal_buf_printf(&b, "'%s%s%s'", q, v->text, q);
    }
    char *s = kanal_buf_detach(&b);
    char *r = s ? kanal_arena_strdup(c->tmp, s) : NULL;
    free(s);
    return r ? r : "a value";
}

/* Joins names as "a, b, c" (in the temporary arena). */
static const char *join(ctx *c, const char *const *names, size_t n, const char *sep)
{
    kanal_buf b = KANAL_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            kanal_buf_puts(&b, sep);
        kanal_buf_puts(&b, names[i]);
    }
    char *s = kanal_buf_detach(&b);
    char *r = s ? kanal_arena_strdup(c->tmp, s) : NULL;
    free(s);
    return r ? r : "";
}

/*
** Takes the values of a mapping's keys into vals (indexed like keys),
** reporting unknown keys and missing required ones. `what` names the mapping
** in messages ("goal"), or is NULL at the top of the file.
*/
static void take_keys(ctx *c, const ynode *map, const char *what, const key *keys,
                      size_t n_keys, const ynode **vals)
{
    const char *names[32];
    for (size_t k = 0; k < n_keys; k++) {
        vals[k] = NULL;
        names[k] = keys[k].name;
    }
    for (size_t i = 0; i < map->n; i++) {
        const ynode *kn = YKEY(map, i);
        if (kn->kind != YNODE_SCALAR)
            continue; /* reported by the tree builder */
        size_t k = 0;
        while (k < n_keys && strcmp(kn->text, keys[k].name) != 0)
            k++;
        if (k < n_keys) {
            if (!vals[k])
                vals[k] = YVAL(map, i); /* a duplicate is reported already */
            continue;
        }
        const char *near = kanal_suggest(kn->text, names, n_keys);
        const char *in = what ? " in " : "";
        if (near)
            ERR(c, kn, "unknown key '%s'%s%s (did you mean '%s'?)", kn->text, in,
                what ? what : "", near);
        else
            ERR(c, kn, "unknown key '%s'%s%s (allowed: %s)", kn->text, in, what ? what : "",
                join(c, names, n_keys, ", "));
    }
    for (size_t k = 0; k < n_keys; k++) {
        if (keys[k].required && !vals[k]) {
            if (what)
                ERR(c, map, "missing required key '%s' in %s", keys[k].name, what);
            else
                ERR(c, map, "missing required key '%s'", keys[k].name);
        }
    }
}

/* A value that is absent or null counts as not given, for optional keys. */
static bool given(const ynode *v)
{
    return v && !(v->kind == YNODE_SCALAR && def_ynode_is_null(v));
}

/* `item`: v is an item of the list `keyname`, not its value. */
static const char *take_text_ex(ctx *c, const ynode *v, const char *keyname, bool item)
{
    const char *pre = item ? "an item of " : "";
    if (!v || v->kind == YNODE_BAD)
        return NULL;
    if (v->kind != YNODE_SCALAR) {
        ERR(c, v, "%s'%s' must be text (found %s)", pre, keyname, describe(c, v));
        return NULL;
    }
    if (def_ynode_is_null(v) || v->len == 0) {
        ERR(c, v, "%s'%s' must not be empty", pre, keyname);
        return NULL;
    }
    if (strlen(v->text) != v->len) {
        ERR(c, v, "%s'%s' must not contain NUL characters", pre, keyname);
        return NULL;
    }
    return copy_text(c, v->text);
}

static const char *take_text(ctx *c, const ynode *v, const char *keyname)
{
    return take_text_ex(c, v, keyname, false);
}

/* An id: text that matches [a-z][a-z0-9_]{0,62}. `what`: "goal id". */
static const char *take_id_ex(ctx *c, const ynode *v, const char *keyname, const char *what,
                              bool item)
{
    if (v && v->kind == YNODE_SCALAR && !def_ynode_is_null(v) && v->len > 0 &&
        strlen(v->text) == v->len && !kanal_id_valid(v->text)) {
        if (v->len > KANAL_ID_MAX && v->text[0] >= 'a' && v->text[0] <= 'z' &&
            strspn(v->text, "abcdefghijklmnopqrstuvwxyz0123456789_") == v->len)
            ERR(c, v, "invalid %s %s: at most %d characters", what, describe(c, v),
                KANAL_ID_MAX);
        else
            ERR(c, v,
                "invalid %s %s: use lowercase letters, digits and '_', starting with a letter",
                what, describe(c, v));
        return NULL;
    }
    return take_text_ex(c, v, keyname, item);
}

static const char *take_id(ctx *c, const ynode *v, const char *keyname, const char *what)
{
    return take_id_ex(c, v, keyname, what, false);
}

static bool take_bool(ctx *c, const ynode *v, const char *keyname, bool dflt)
{
    if (!given(v) || v->kind == YNODE_BAD)
        return dflt;
    if (v->kind == YNODE_SCALAR && v->plain) {
        if (!strcmp(v->text, "true") || !strcmp(v->text, "True") || !strcmp(v->text, "TRUE"))
            return true;
        if (!strcmp(v->text, "false") || !strcmp(v->text, "False") ||
            !strcmp(v->text, "FALSE"))
            return false;
    }
    if (v->kind == YNODE_SCALAR && !v->plain &&
        (!strcmp(v->text, "true") || !strcmp(v->text, "false")))
        ERR(c, v, "'%s' must be true or false, without quotes (found %s)", keyname,
            describe(c, v));
    else
        ERR(c, v, "'%s' must be true or false (found %s)", keyname, describe(c, v));
    return dflt;
}

/* A plain decimal number; false (and no message) when v is not one. */
static bool parse_number(const ynode *v, double *out)
{
    if (v->kind != YNODE_SCALAR || !v->plain || v->len == 0 || v->len > 64)
        return false;
    if (strspn(v->text, "0123456789+-.eE") != v->len)
        return false;
    char *end;
    errno = 0;
    double x = strtod(v->text, &end);
    if (*end || errno || !isfinite(x))
        return false;
    *out = x;
    return true;
}

/* A list, or NULL (reported) when v is something else. Null counts as empty. */
static const ynode *take_list(ctx *c, const ynode *v, const char *keyname, bool nonempty,
                              const char *empty_advice)
{
    if (!v || v->kind == YNODE_BAD)
        return NULL;
    if (v->kind == YNODE_SEQ && (v->n > 0 || !nonempty))
        return v;
    if ((v->kind == YNODE_SEQ || def_ynode_is_null(v)) && nonempty) {
        ERR(c, v, "'%s' must not be empty%s", keyname, empty_advice ? empty_advice : "");
        return NULL;
    }
    if (def_ynode_is_null(v))
        return NULL;
    if (v->kind == YNODE_SCALAR)
        ERR(c, v, "'%s' must be a list (found %s; write [%s])", keyname, describe(c, v),
            v->text);
    else
        ERR(c, v, "'%s' must be a list (found %s)", keyname, describe(c, v));
    return NULL;
}

static bool is_map(ctx *c, const ynode *v, const char *what)
{
    if (v->kind == YNODE_MAP)
        return true;
    if (v->kind != YNODE_BAD)
        ERR(c, v, "each %s must be a mapping with 'id' and 'name' (found %s)", what,
            describe(c, v));
    return false;
}

/*
** A set of ids, hashed: a definition with a hundred thousand stages is
** checked in linear time. Each slot holds the node of the id, so that a
** duplicate can name the line of the first; `index` maps it to its element.
*/
typedef struct idset {
    const char **keys;
    int *lines;     /* where each id was first written */
    size_t *index;
    size_t cap;     /* a power of two, at least twice the ids it will hold */
} idset;

static bool idset_init(ctx *c, idset *set, size_t n)
{
    set->cap = 16;
    while (set->cap < 2 * n + 1)
        set->cap *= 2;
    set->keys = talloc(c, c->tmp, set->cap * sizeof *set->keys);
    set->lines = talloc(c, c->tmp, set->cap * sizeof *set->lines);
    set->index = talloc(c, c->tmp, set->cap * sizeof *set->index);
    return set->keys && set->lines && set->index;
}

static size_t id_hash(const char *id)
{
    size_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

/* The slot of id: where it is, or the empty slot where it would go. */
static size_t idset_slot(const idset *set, const char *id)
{
    size_t i = id_hash(id) & (set->cap - 1);
    while (set->keys[i] && strcmp(set->keys[i], id) != 0)
        i = (i + 1) & (set->cap - 1);
    return i;
}

/* Adds id as element `index` (first written at `line`); false when it was there. */
static bool idset_add(idset *set, const char *id, int line, size_t index)
{
    size_t i = idset_slot(set, id);
    if (set->keys[i])
        return false;
    set->keys[i] = id;
    set->lines[i] = line;
    set->index[i] = index;
    return true;
}

/* The index of id in the set, or -1. */
static long idset_find(const idset *set, const char *id)
{
    size_t i = idset_slot(set, id);
    return set->keys[i] ? (long)set->index[i] : -1;
}

/* Adds the id of node; when an earlier element of its kind has it, reports node. */
static bool duplicate_id(ctx *c, idset *set, const ynode *node, const char *id, size_t index,
                         const char *what, const char *advice)
{
    if (idset_add(set, id, node->line, index))
        return false;
    ERR(c, node, "duplicate %s '%s' (first at line %d)%s", what, id,
        set->lines[idset_slot(set, id)], advice ? advice : "");
    return true;
}

/* A list of ids (partner_types, owner_roles), without repeats. */
static const char *const *take_id_list(ctx *c, const ynode *list, const char *keyname,
                                       const char *what, size_t *n_out)
{
    *n_out = 0;
    if (!list)
        return NULL;
    const char **out = talloc(c, c->a, list->n * sizeof *out);
    idset seen;
    if (!out || !idset_init(c, &seen, list->n))
        return NULL;
    for (size_t i = 0; i < list->n; i++) {
        const ynode *v = list->kids[i];
        const char *id = take_id_ex(c, v, keyname, what, true);
        if (!id || duplicate_id(c, &seen, v, id, *n_out, what, NULL))
            continue;
        out[(*n_out)++] = id;
    }
    return out;
}

static void unknown_ref(ctx *c, const ynode *v, const char *what, const char *keyname,
                        const char *const *names, size_t n)
{
    if (kanal_diags_full(c->d)) {
        c->d->dropped++; /* not shown: spare the search for a suggestion */
        return;
    }
    const char *near = kanal_suggest(v->text, names, n);
    if (near)
        ERR(c, v, "unknown %s '%s' in '%s' (did you mean '%s'?)", what, v->text, keyname,
            near);
    else if (n > 0 && n <= 12)
        ERR(c, v, "unknown %s '%s' in '%s' (known: %s)", what, v->text, keyname,
            join(c, names, n, ", "));
    else
        ERR(c, v, "unknown %s '%s' in '%s'", what, v->text, keyname);
}

/* ---- activity types and lost reasons ----------------------------------- */

static void load_activity_types(ctx *c, const ynode *list, kanal_workflow *wf)
{
    static const key keys[] = { { "id", true }, { "name", true } };
    if (!list)
        return;
    kanal_activity_type *out = talloc(c, c->a, list->n * sizeof *out);
    idset seen;
    if (!out || !idset_init(c, &seen, list->n))
        return;
    size_t n = 0;
    for (size_t i = 0; i < list->n; i++) {
        const ynode *m = list->kids[i], *v[2];
        if (!is_map(c, m, "activity type"))
            continue;
        take_keys(c, m, "activity type", keys, 2, v);
        const char *id = take_id(c, v[0], "id", "activity type id");
        const char *name = take_text(c, v[1], "name");
        if (!id || duplicate_id(c, &seen, v[0], id, n, "activity type id", NULL))
            continue;
        out[n++] = (kanal_activity_type){ id, name ? name : id };
    }
    wf->activity_types = out;
    wf->n_activity_types = n;
}

static void load_lost_reasons(ctx *c, const ynode *list, kanal_workflow *wf)
{
    static const key keys[] = { { "id", true }, { "name", true }, { "note_required", false } };
    if (!list)
        return;
    kanal_lost_reason *out = talloc(c, c->a, list->n * sizeof *out);
    idset seen;
    if (!out || !idset_init(c, &seen, list->n))
        return;
    size_t n = 0;
    for (size_t i = 0; i < list->n; i++) {
        const ynode *m = list->kids[i], *v[3];
        if (!is_map(c, m, "lost reason"))
            continue;
        take_keys(c, m, "lost reason", keys, 3, v);
        const char *id = take_id(c, v[0], "id", "lost reason id");
        const char *name = take_text(c, v[1], "name");
        bool note = take_bool(c, v[2], "note_required", false);
        if (!id || duplicate_id(c, &seen, v[0], id, n, "lost reason id", NULL))
            continue;
        out[n++] = (kanal_lost_reason){ id, name ? name : id, note };
    }
    wf->lost_reasons = out;
    wf->n_lost_reasons = n;
}

/* ---- fields -------------------------------------------------------------- */

static const char *const field_type_names[] = { "text", "number", "integer",
                                                "boolean", "date", "enum" };

const char *kanal_field_type_name(kanal_field_type t)
{
    return (size_t)t < KANAL_ARRAY_LEN(field_type_names) ? field_type_names[t] : "?";
}

/* Reads min or max; false when absent or bad (bad is reported). */
static bool take_bound(ctx *c, const ynode *v, const char *keyname, kanal_field_type type,
                       double *out)
{
    if (!given(v) || v->kind == YNODE_BAD)
        return false;
    if (type != KANAL_FIELD_NUMBER && type != KANAL_FIELD_INTEGER) {
        ERR(c, v, "'%s' is only allowed on number and integer fields", keyname);
        return false;
    }
    if (!parse_number(v, out)) {
        ERR(c, v, "'%s' must be a number (found %s)", keyname, describe(c, v));
        return false;
    }
    if (type == KANAL_FIELD_INTEGER && (*out != floor(*out) || fabs(*out) >= 9007199254740992.0)) {
        ERR(c, v, "'%s' must be a whole number for an integer field (found %s)", keyname,
            describe(c, v));
        return false;
    }
    return true;
}

static void load_field(ctx *c, const ynode *m, kanal_field_def *f, const ynode **id_node)
{
    static const key keys[] = { { "id", true },    { "name", true }, { "type", true },
                                { "values", false }, { "min", false }, { "max", false } };
    const ynode *v[6];
    take_keys(c, m, "field", keys, 6, v);
    f->id = take_id(c, v[0], "id", "field id");
    *id_node = v[0];
    f->name = take_text(c, v[1], "name");
    bool type_ok = false;
    const char *type = take_text(c, v[2], "type");
    if (type) {
        for (size_t t = 0; t < KANAL_ARRAY_LEN(field_type_names); t++) {
            if (strcmp(type, field_type_names[t]) == 0) {
                f->type = (kanal_field_type)t;
                type_ok = true;
            }
        }
        if (!type_ok) {
            const char *near =
                kanal_suggest(type, field_type_names, KANAL_ARRAY_LEN(field_type_names));
            if (near)
                ERR(c, v[2], "unknown field type '%s' (did you mean '%s'?)", type, near);
            else
                ERR(c, v[2],
                    "unknown field type '%s' (expected text, number, integer, boolean, date "
                    "or enum)",
                    type);
        }
    }
    if (!type_ok)
        return; /* the other keys depend on the type */

    f->has_min = take_bound(c, v[4], "min", f->type, &f->min);
    f->has_max = take_bound(c, v[5], "max", f->type, &f->max);
    if (f->has_min && f->has_max && f->min > f->max)
        ERR(c, v[4], "'min' (%.15g) is above 'max' (%.15g)", f->min, f->max);

    if (f->type != KANAL_FIELD_ENUM) {
        if (given(v[3]))
            ERR(c, v[3], "'values' is only allowed on enum fields");
        return;
    }
    if (!v[3]) {
        ERR(c, m, "enum field '%s' needs 'values'", f->id ? f->id : "?");
        return;
    }
    const ynode *list = take_list(c, v[3], "values", true, NULL);
    if (!list)
        return;
    const char **vals = talloc(c, c->a, list->n * sizeof *vals);
    idset seen;
    if (!vals || !idset_init(c, &seen, list->n))
        return;
    size_t n = 0;
    for (size_t i = 0; i < list->n; i++) {
        const char *val = take_text_ex(c, list->kids[i], "values", true);
        if (!val || duplicate_id(c, &seen, list->kids[i], val, n, "enum value", NULL))
            continue;
        vals[n++] = val;
    }
    f->values = vals;
    f->n_values = n;
}

static void load_fields(ctx *c, const ynode *list, kanal_workflow *wf)
{
    if (!list)
        return;
    kanal_field_def *out = talloc(c, c->a, list->n * sizeof *out);
    idset seen;
    if (!out || !idset_init(c, &seen, list->n))
        return;
    size_t n = 0;
    for (size_t i = 0; i < list->n; i++) {
        const ynode *m = list->kids[i], *id_node = NULL;
        if (!is_map(c, m, "field"))
            continue;
        kanal_field_def f = { 0 };
        load_field(c, m, &f, &id_node);
        if (!f.id || duplicate_id(c, &seen, id_node, f.id, n, "field id", NULL))
            continue;
        if (!f.name)
            f.name = f.id;
        out[n++] = f;
    }
    wf->fields = out;
    wf->n_fields = n;
}

/* ---- stages and goals ---------------------------------------------------- */

static void load_goal(ctx *c, const ynode *m, size_t stage, kanal_goal *g, goal_aux *aux)
{
    static const key keys[] = { { "id", true },           { "name", true },
                                { "hint", false },        { "mandatory", false },
                                { "after", false },       { "completed_by", false },
                                { "requires_fields", false } };
    const ynode *v[7];
    take_keys(c, m, "goal", keys, 7, v);
    g->id = take_id(c, v[0], "id", "goal id");
    g->name = take_text(c, v[1], "name");
    g->hint = given(v[2]) ? take_text(c, v[2], "hint") : NULL;
    g->mandatory = take_bool(c, v[3], "mandatory", true);
    g->stage = stage;
    g->completed_by = -1;
    aux->node = m;
    aux->id_node = v[0];
    aux->after = take_list(c, v[4], "after", false, NULL);
    aux->requires = take_list(c, v[6], "requires_fields", false, NULL);
    if (given(v[5])) {
        if (take_id(c, v[5], "completed_by", "activity type"))
            aux->completed_by = v[5];
    }
}

typedef struct stage_aux {
    const ynode *id_node;
    size_t first_goal, n_goals; /* a range of the flat goal array */
} stage_aux;

static void load_stages(ctx *c, const ynode *list, kanal_workflow *wf, goal_aux **aux_out,
                        stage_aux **saux_out)
{
    static const key keys[] = { { "id", true },
                                { "name", true },
                                { "max_days", false },
                                { "goals", false } };
    if (!list)
        return;
    size_t total = 0;
    for (size_t i = 0; i < list->n; i++) {
        const ynode *m = list->kids[i];
        if (m->kind != YNODE_MAP)
            continue;
        for (size_t k = 0; k < m->n; k++)
            if (YKEY(m, k)->kind == YNODE_SCALAR && !strcmp(YKEY(m, k)->text, "goals") &&
                YVAL(m, k)->kind == YNODE_SEQ)
                total += YVAL(m, k)->n;
    }
    kanal_stage *stages = talloc(c, c->a, list->n * sizeof *stages);
    stage_aux *saux = talloc(c, c->tmp, list->n * sizeof *saux);
    kanal_goal *goals = talloc(c, c->a, (total ? total : 1) * sizeof *goals);
    goal_aux *gaux = talloc(c, c->tmp, (total ? total : 1) * sizeof *gaux);
    idset seen_stage, seen_goal;
    if (!stages || !saux || !goals || !gaux || !idset_init(c, &seen_stage, list->n) ||
        !idset_init(c, &seen_goal, total))
        return;
    size_t ns = 0, ng = 0;
    for (size_t i = 0; i < list->n; i++) {
        const ynode *m = list->kids[i], *v[4];
        if (!is_map(c, m, "stage"))
            continue;
        take_keys(c, m, "stage", keys, 4, v);
        kanal_stage st = { 0 };
        st.id = take_id(c, v[0], "id", "stage id");
        st.name = take_text(c, v[1], "name");
        if (given(v[2]) && v[2]->kind != YNODE_BAD) {
            double days;
            if (!parse_number(v[2], &days) || days != floor(days) || days < 1)
                ERR(c, v[2], "'max_days' must be a positive whole number of days (found %s)",
                    describe(c, v[2]));
            else if (days > 36500)
                ERR(c, v[2], "'max_days' must be at most 36500 days (found %s)",
                    describe(c, v[2]));
            else
                st.max_days = (int)days;
        }
        bool dup = st.id && duplicate_id(c, &seen_stage, v[0], st.id, ns, "stage id", NULL);
        size_t first = ng;
        const ynode *gl = given(v[3]) ? take_list(c, v[3], "goals", false, NULL) : NULL;
        for (size_t k = 0; gl && k < gl->n; k++) {
            const ynode *gm = gl->kids[k];
            if (!is_map(c, gm, "goal"))
                continue;
            kanal_goal g = { 0 };
            goal_aux ga = { 0 };
            load_goal(c, gm, ns, &g, &ga);
            if (!g.id || duplicate_id(c, &seen_goal, ga.id_node, g.id, ng, "goal id",
                                      ": goal ids are unique across the workflow"))
                continue;
            if (!g.name)
                g.name = g.id;
            gaux[ng] = ga;
            goals[ng++] = g;
        }
        /* A stage with a bad or repeated id is kept (the definition is refused
           anyway) so that the stage indexes of the goals stay right; later
           messages name it as it was written. */
        if (!st.id || dup) {
            const ynode *idn = v[0];
            if (idn && idn->kind == YNODE_SCALAR && idn->len)
                st.id = copy_text(c, idn->text);
            else {
                char label[32];
                snprintf(label, sizeof label, "#%zu", i + 1);
                st.id = copy_text(c, label);
            }
        }
        if (!st.name)
            st.name = st.id;
        saux[ns] = (stage_aux){ v[0], first, ng - first };
        stages[ns++] = st;
    }
    wf->stages = stages;
    wf->n_stages = ns;
    wf->goals = goals;
    wf->n_goals = ng;
    *aux_out = gaux;
    *saux_out = saux;
}

/* Resolves a list of references to indexes; reports unknown and repeated ones. */
static size_t *resolve_list(ctx *c, const ynode *list, const char *keyname, const char *what,
                            const idset *index, const char *const *names, size_t n_names,
                            size_t *n_out, const ynode ***nodes_out)
{
    *n_out = 0;
    if (!list || list->n == 0)
        return NULL;
    size_t *out = talloc(c, c->a, list->n * sizeof *out);
    const ynode **nodes = talloc(c, c->tmp, list->n * sizeof *nodes);
    if (!out || !nodes)
        return NULL;
    for (size_t i = 0; i < list->n; i++) {
        const ynode *v = list->kids[i];
        if (!take_id_ex(c, v, keyname, what, true))
            continue;
        long k = idset_find(index, v->text);
        if (k < 0) {
            unknown_ref(c, v, what, keyname, names, n_names);
            continue;
        }
        bool twice = false;
        for (size_t j = 0; j < *n_out; j++)
            twice |= out[j] == (size_t)k;
        if (twice) {
            ERR(c, v, "'%s' names '%s' twice", keyname, v->text);
            continue;
        }
        nodes[*n_out] = v;
        out[(*n_out)++] = (size_t)k;
    }
    if (nodes_out)
        *nodes_out = nodes;
    return out;
}

/*
** Reports each cycle among `after` edges once, as "a -> b -> a", at the
** entry that closes it. Iterative depth-first search: no recursion.
*/
static void check_cycles(ctx *c, const kanal_workflow *wf, const ynode ***after_nodes)
{
    size_t n = wf->n_goals;
    if (n == 0)
        return;
    unsigned char *color = talloc(c, c->tmp, n);
    size_t *stack = talloc(c, c->tmp, n * sizeof *stack);
    size_t *edge = talloc(c, c->tmp, n * sizeof *edge);
    if (!color || !stack || !edge)
        return;
    for (size_t s = 0; s < n; s++) {
        if (color[s])
            continue;
        size_t top = 0;
        stack[top] = s;
        edge[top] = 0;
        color[s] = 1;
        top++;
        while (top) {
            size_t u = stack[top - 1];
            const kanal_goal *g = &wf->goals[u];
            if (edge[top - 1] == g->n_after) {
                color[u] = 2;
                top--;
                continue;
            }
            size_t e = edge[top - 1]++;
            size_t v = g->after[e];
            if (color[v] == 0) {
                color[v] = 1;
                stack[top] = v;
                edge[top] = 0;
                top++;
            } else if (color[v] == 1) {
                const ynode *at = after_nodes[u][e];
                if (v == u) {
                    ERR(c, at, "goal '%s' names itself in 'after'", g->id);
                    continue;
                }
                /* u waits for v, which waits (through the stack) for u: name
                   the goals from u, whose 'after' entry is flagged */
                size_t from = top - 1;
                while (stack[from] != v)
                    from--;
                const char *path[64];
                size_t k = 0;
                path[k++] = g->id;
                for (size_t i = from; i + 1 < top && k < 62; i++)
                    path[k++] = wf->goals[stack[i]].id;
                path[k++] = g->id;
                ERR(c, at, "goals wait for each other in a cycle through 'after': %s",
                    join(c, path, k, " -> "));
            }
        }
    }
}

static void resolve_goals(ctx *c, kanal_workflow *wf, goal_aux *aux)
{
    size_t ng = wf->n_goals;
    const char **goal_ids = talloc(c, c->tmp, (ng ? ng : 1) * sizeof *goal_ids);
    const char **field_ids = talloc(c, c->tmp, (wf->n_fields + 1) * sizeof *field_ids);
    const char **act_ids = talloc(c, c->tmp, (wf->n_activity_types + 1) * sizeof *act_ids);
    const ynode ***after_nodes = talloc(c, c->tmp, (ng ? ng : 1) * sizeof *after_nodes);
    if (!goal_ids || !field_ids || !act_ids || !after_nodes)
        return;
    idset goal_index, field_index, act_index;
    if (!idset_init(c, &goal_index, ng) || !idset_init(c, &field_index, wf->n_fields) ||
        !idset_init(c, &act_index, wf->n_activity_types))
        return;
    for (size_t i = 0; i < ng; i++) {
        goal_ids[i] = wf->goals[i].id;
        idset_add(&goal_index, goal_ids[i], 0, i);
    }
    for (size_t i = 0; i < wf->n_fields; i++) {
        field_ids[i] = wf->fields[i].id;
        idset_add(&field_index, field_ids[i], 0, i);
    }
    for (size_t i = 0; i < wf->n_activity_types; i++) {
        act_ids[i] = wf->activity_types[i].id;
        idset_add(&act_index, act_ids[i], 0, i);
    }

    kanal_goal *goals = (kanal_goal *)wf->goals;
    for (size_t i = 0; i < ng; i++) {
        kanal_goal *g = &goals[i];
        goal_aux *x = &aux[i];
        if (x->completed_by) {
            int k = (int)idset_find(&act_index, x->completed_by->text);
            if (k < 0)
                unknown_ref(c, x->completed_by, "activity type", "completed_by", act_ids,
                            wf->n_activity_types);
            g->completed_by = k;
        }
        g->requires_fields =
            resolve_list(c, x->requires, "requires_fields", "field", &field_index, field_ids,
                         wf->n_fields, &g->n_requires_fields, NULL);
        size_t *after = resolve_list(c, x->after, "after", "goal", &goal_index, goal_ids, ng,
                                     &g->n_after, &after_nodes[i]);
        g->after = after;
        /* Keep only the edges that point to the same or an earlier stage, so
           that the cycle search sees what can really wait forever. */
        size_t kept = 0;
        for (size_t k = 0; k < g->n_after; k++) {
            const kanal_goal *dep = &wf->goals[after[k]];
            const ynode *at = after_nodes[i][k];
            if (dep->stage > g->stage) {
                ERR(c, at,
                    "'after' names '%s' of the later stage '%s': a goal can only wait for "
                    "goals of its own or an earlier stage",
                    dep->id, wf->stages[dep->stage].id);
                continue;
            }
            if (dep->stage < g->stage && !dep->mandatory) {
                ERR(c, at,
                    "'after' names '%s', an optional goal of the earlier stage '%s': it may "
                    "never be done once that stage is left (make it mandatory, or drop it "
                    "from 'after')",
                    dep->id, wf->stages[dep->stage].id);
                continue;
            }
            after_nodes[i][kept] = at;
            after[kept++] = after[k];
        }
        g->n_after = kept;
    }
    check_cycles(c, wf, after_nodes);
}

/* A min-heap of goal positions: the ready goal that comes first in the file. */
static void heap_push(size_t *h, size_t *n, size_t v)
{
    size_t i = (*n)++;
    while (i && h[(i - 1) / 2] > v) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = v;
}

static size_t heap_pop(size_t *h, size_t *n)
{
    size_t top = h[0], v = h[--*n], i = 0;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < *n && h[l] < v)
            m = l;
        if (l + 1 < *n && h[l + 1] < (m == i ? v : h[l]))
            m = l + 1;
        if (m == i)
            break;
        h[i] = h[m];
        i = m;
    }
    h[i] = v;
    return top;
}

/*
** Orders each stage's goals so that every goal follows those it waits for,
** and otherwise keeps the file's order: of the goals ready at each step, the
** first written (Kahn's algorithm with a min-heap, so a large stage costs
** n log n, not n squared).
*/
static void order_goals(ctx *c, kanal_workflow *wf, const stage_aux *saux)
{
    kanal_stage *stages = (kanal_stage *)wf->stages;
    for (size_t s = 0; s < wf->n_stages; s++) {
        size_t first = saux[s].first_goal, n = saux[s].n_goals, edges = 0;
        for (size_t i = 0; i < n; i++)
            edges += wf->goals[first + i].n_after;
        size_t *order = talloc(c, c->a, (n ? n : 1) * sizeof *order);
        size_t *waits = talloc(c, c->tmp, (n ? n : 1) * sizeof *waits); /* undone deps */
        size_t *start = talloc(c, c->tmp, (n + 1) * sizeof *start);    /* dependents, CSR */
        size_t *next = talloc(c, c->tmp, (edges ? edges : 1) * sizeof *next);
        size_t *heap = talloc(c, c->tmp, (n ? n : 1) * sizeof *heap);
        if (!order || !waits || !start || !next || !heap)
            return;
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < wf->goals[first + i].n_after; a++) {
                size_t dep = wf->goals[first + i].after[a];
                if (dep >= first && dep < first + n) {
                    waits[i]++;
                    start[dep - first + 1]++;
                }
            }
        for (size_t i = 0; i < n; i++)
            start[i + 1] += start[i];
        size_t *fill = talloc(c, c->tmp, (n ? n : 1) * sizeof *fill);
        if (!fill)
            return;
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < wf->goals[first + i].n_after; a++) {
                size_t dep = wf->goals[first + i].after[a];
                if (dep >= first && dep < first + n)
                    next[start[dep - first] + fill[dep - first]++] = i;
            }
        size_t in_heap = 0, k = 0;
        for (size_t i = 0; i < n; i++)
            if (!waits[i])
                heap_push(heap, &in_heap, i);
        while (in_heap) {
            size_t i = heap_pop(heap, &in_heap);
            order[k++] = first + i;
            for (size_t e = start[i]; e < start[i + 1]; e++)
                if (--waits[next[e]] == 0)
                    heap_push(heap, &in_heap, next[e]);
        }
        if (k < n)
            return; /* a cycle, reported already */
        stages[s].goals = order;
        stages[s].n_goals = n;
    }
}

/* ---- limits of the rules --------------------------------------------------- */

/* A whole number in [lo, hi]; reported (naming the range) otherwise. */
static bool take_whole(ctx *c, const ynode *v, const char *keyname, double lo, double hi,
                       long *out)
{
    double x;
    if (!given(v) || v->kind == YNODE_BAD)
        return false;
    if (!parse_number(v, &x) || x != floor(x) || x < lo || x > hi) {
        ERR(c, v, "'%s' must be a whole number from %.0f to %.0f (found %s)", keyname, lo, hi,
            describe(c, v));
        return false;
    }
    *out = (long)x;
    return true;
}

static void load_limits(ctx *c, const ynode *m, kanal_workflow *wf)
{
    static const key keys[] = { { "instructions", false }, { "memory_mb", false },
                                { "time_ms", false } };
    const ynode *v[3];
    if (m->kind != YNODE_MAP) {
        if (m->kind != YNODE_BAD)
            ERR(c, m,
                "'limits' must be a mapping with 'instructions', 'memory_mb' and 'time_ms' "
                "(found %s)",
                describe(c, m));
        return;
    }
    take_keys(c, m, "limits", keys, 3, v);
    take_whole(c, v[0], "instructions", 1000, 1e10, &wf->limits.instructions);
    take_whole(c, v[1], "memory_mb", 1, 4096, &wf->limits.memory_mb);
    take_whole(c, v[2], "time_ms", 1, 3600000, &wf->limits.time_ms);
}

/* ---- the whole file ------------------------------------------------------ */

static void check_rules_file(ctx *c, const ynode *v, const char *rules, const char *dir,
                             kanal_workflow *wf)
{
    kanal_buf path = KANAL_BUF_INIT;
    if (rules[0] == '/' || !dir || !dir[0] || strcmp(dir, ".") == 0)
        kanal_buf_puts(&path, rules);
    else
        kanal_buf_printf(&path, "%s/%s", dir, rules);
    if (path.oom) {
        c->oom = true;
        return;
    }
    if (access(path.data, R_OK) != 0)
        ERR(c, v, "rules file '%s' not found (looked for '%s')", rules, path.data);
    else
        wf->rules_path = copy_text(c, path.data);
    kanal_buf_release(&path);
}

static void load_root(ctx *c, const ynode *root, kanal_workflow *wf, const char *dir)
{
    static const key keys[] = {
        { "workflow", true },        { "name", true },        { "description", false },
        { "partner_types", true },   { "owner_roles", false }, { "rules", false },
        { "activity_types", true },  { "lost_reasons", true }, { "fields", false },
        { "stages", true },          { "limits", false },
    };
    enum { WORKFLOW, NAME, DESCRIPTION, PARTNER_TYPES, OWNER_ROLES, RULES, ACTIVITY_TYPES,
           LOST_REASONS, FIELDS, STAGES, LIMITS };
    const ynode *v[KANAL_ARRAY_LEN(keys)];
    if (root->kind != YNODE_MAP) {
        ERR(c, root, "expected a mapping of keys at the top of the file (found %s)",
            describe(c, root));
        return;
    }
    take_keys(c, root, NULL, keys, KANAL_ARRAY_LEN(keys), v);
    wf->id = take_id(c, v[WORKFLOW], "workflow", "workflow id");
    wf->name = take_text(c, v[NAME], "name");
    wf->description = given(v[DESCRIPTION]) ? take_text(c, v[DESCRIPTION], "description") : NULL;
    wf->partner_types = take_id_list(c, take_list(c, v[PARTNER_TYPES], "partner_types", true, NULL),
                                     "partner_types", "partner type", &wf->n_partner_types);
    if (v[OWNER_ROLES])
        wf->owner_roles = take_id_list(
            c,
            take_list(c, v[OWNER_ROLES], "owner_roles", true,
                      " (leave it out to let any user own opportunities)"),
            "owner_roles", "role", &wf->n_owner_roles);
    if (given(v[RULES])) {
        wf->rules = take_text(c, v[RULES], "rules");
        if (wf->rules && dir)
            check_rules_file(c, v[RULES], wf->rules, dir, wf);
    }
    if (given(v[LIMITS]))
        load_limits(c, v[LIMITS], wf);
    load_activity_types(c, take_list(c, v[ACTIVITY_TYPES], "activity_types", true, NULL), wf);
    load_lost_reasons(c, take_list(c, v[LOST_REASONS], "lost_reasons", true, NULL), wf);
    load_fields(c, given(v[FIELDS]) ? take_list(c, v[FIELDS], "fields", false, NULL) : NULL, wf);
    goal_aux *gaux = NULL;
    stage_aux *saux = NULL;
    load_stages(c, take_list(c, v[STAGES], "stages", true, NULL), wf, &gaux, &saux);
    if (c->oom || !gaux)
        return;
    resolve_goals(c, wf, gaux);
    if (!c->oom)
        order_goals(c, wf, saux);
}

/* "99,900": a count as people read it. */
static void thousands(char *out, size_t n, size_t v)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", v), w = 0;
    for (int i = 0; i < len && (size_t)w + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            out[w++] = ',';
        out[w++] = digits[i];
    }
    out[w] = '\0';
}

kanal_workflow *kanal_workflow_parse(const char *text, size_t len, const char *file,
                                     const char *dir, kanal_diags *diags)
{
    size_t before = diags->count, outer_limit = diags->limit, outer_dropped = diags->dropped;
    /* a file with a hundred thousand errors shows the first of them, not all */
    diags->limit = before + KANAL_WORKFLOW_MAX_ERRORS;
    diags->dropped = 0;
    kanal_workflow *wf = NULL;
    ctx c = { .file = file, .d = diags };
    c.a = kanal_arena_new();
    c.tmp = kanal_arena_new();
    if (!c.a || !c.tmp)
        goto oom;

    size_t bad;
    if (len > KANAL_WORKFLOW_MAX_BYTES) {
        /* read from a pipe or a device, the text may stop at the limit */
        kanal_diags_add(diags, file, 0, 0, "the file is larger than %d MiB",
                        KANAL_WORKFLOW_MAX_BYTES / (1024 * 1024));
        goto done;
    }
    if (!kanal_utf8_valid(text, len, &bad)) {
        int line = 1;
        size_t line_start = 0;
        for (size_t i = 0; i < bad; i++)
            if (text[i] == '\n')
                line++, line_start = i + 1;
        kanal_diags_add(diags, file, line, (int)kanal_utf8_chars(text + line_start, bad - line_start) + 1,
                        "the file is not valid UTF-8 (byte 0x%02x): save it as UTF-8",
                        (unsigned char)text[bad]);
        goto done;
    }
    /* A UTF-8 byte order mark (Windows editors write one) is not content. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    ynode *root = def_ytree_parse(c.tmp, text, len, file, diags);
    if (!root)
        goto done;
    wf = kanal_arena_alloc(c.a, sizeof *wf);
    if (!wf)
        goto oom;
    wf->arena_ = c.a;
    wf->limits.instructions = 10000000;
    wf->limits.memory_mb = 64;
    wf->limits.time_ms = 2000;
    load_root(&c, root, wf, dir);
    if (c.oom)
        goto oom;
    if (diags->count > before || diags->oom || diags->dropped)
        wf = NULL;
    goto done;
oom:
    diags->oom = true;
    wf = NULL;
done:
    kanal_arena_free(c.tmp);
    if (!wf)
        kanal_arena_free(c.a);
    kanal_diags_sort(diags, before);
    size_t dropped = diags->dropped;
    diags->limit = outer_limit;
    diags->dropped = outer_dropped;
    if (dropped) {
        char n[32];
        thousands(n, sizeof n, dropped);
        kanal_diags_add(diags, file, 0, 0, "and %s more error%s", n,
                        dropped == 1 ? "" : "s");
    }
    return wf;
}

/* Reads the rules file of wf as text (the Lua host checks what it says); false when it cannot be. */
static bool load_rules(kanal_workflow *wf, kanal_diags *diags)
{
    char *text;
    size_t len;
    int rc = kanal_read_file(wf->rules_path, KANAL_WORKFLOW_MAX_BYTES, &text, &len);
    if (rc) {
        kanal_diags_add(diags, wf->rules_path, 0, 0, "cannot read the rules file: %s",
                        strerror(rc));
        return false;
    }
    size_t before = diags->count, bad;
    if (len > KANAL_WORKFLOW_MAX_BYTES)
        kanal_diags_add(diags, wf->rules_path, 0, 0, "the rules file is larger than %d MiB",
                        KANAL_WORKFLOW_MAX_BYTES / (1024 * 1024));
    else if (strlen(text) != len)
        kanal_diags_add(diags, wf->rules_path, 0, 0,
                        "the rules file holds a NUL byte: it is not a text file");
    else if (!kanal_utf8_valid(text, len, &bad))
        kanal_diags_add(diags, wf->rules_path, 0, 0, "the rules file is not valid UTF-8");
    wf->rules_source = kanal_arena_strndup(wf->arena_, text, len);
    free(text);
    if (!wf->rules_source)
        diags->oom = true;
    return diags->count == before && !diags->oom;
}

kanal_workflow *kanal_workflow_load_file(const char *path, kanal_diags *diags)
{
    char *text = NULL;
    size_t len = 0;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > KANAL_WORKFLOW_MAX_BYTES) {
        /* not even read: the size says enough */
        kanal_diags_add(diags, path, 0, 0,
                        "the file is larger than %d MiB (%lld bytes)",
                        KANAL_WORKFLOW_MAX_BYTES / (1024 * 1024), (long long)st.st_size);
        return NULL;
    }
    int rc = kanal_read_file(path, KANAL_WORKFLOW_MAX_BYTES, &text, &len);
    if (rc) {
        kanal_diags_add(diags, path, 0, 0, "cannot read the file: %s", strerror(rc));
        return NULL;
    }
    char *dir = kanal_strdup(path);
    if (!dir) {
        free(text);
        diags->oom = true;
        return NULL;
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    else
        strcpy(dir, ".");
    kanal_workflow *wf = kanal_workflow_parse(text, len, path, dir, diags);
    free(dir);
    if (wf && !(wf->yaml_source = kanal_arena_strndup(wf->arena_, text, len))) {
        diags->oom = true;
        kanal_workflow_free(wf);
        wf = NULL;
    }
    free(text);
    if (wf && wf->rules_path && !load_rules(wf, diags)) {
        kanal_workflow_free(wf);
        wf = NULL;
    }
    return wf;
}

void kanal_workflow_free(kanal_workflow *wf)
{
    if (wf)
        kanal_arena_free(wf->arena_);
}
