/*
** partners.c — partners and who owns them. Every partner has at most one
** owner, so that two reps never call the same person about the same thing;
** reassigning moves a rep's partners and open opportunities to another rep.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

/* A folded, trimmed, single-spaced copy of a partner name (caller frees). */
char *engine_partner_name_key(const char *name)
{
    char *folded = kanal_utf8_fold(name);
    if (!folded)
        return NULL;
    /* trim, and collapse runs of blanks into one space */
    char *w = folded;
    bool space = false;
    for (const char *r = folded; *r; r++) {
        if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
            space = w != folded;
            continue;
        }
        if (space)
            *w++ = ' ';
        space = false;
        *w++ = *r;
    }
    *w = '\0';
    return folded;
}

/* Every partner type named by the latest version of some workflow. */
static int known_partner_types(kanal *k, kanal_arena *a, const char ***types, size_t *n,
                               kanal_error *err)
{
    const char **ids;
    size_t n_ids;
    int rc = store_workflow_ids(k->store, a, &ids, &n_ids, err);
    if (rc)
        return rc;
    kanal_buf b = KANAL_BUF_INIT;
    *n = 0;
    for (size_t i = 0; i < n_ids; i++) {
        def_entry *e;
        if ((rc = engine_def_get(k, ids[i], 0, &e, err))) {
            kanal_buf_release(&b);
            return rc;
        }
        for (size_t t = 0; t < e->wf->n_partner_types; t++) {
            const char *type = e->wf->partner_types[t];
            bool seen = false;
            for (size_t x = 0; x < *n; x++)
                seen |= strcmp(((const char **)(void *)b.data)[x], type) == 0;
            if (!seen) {
                kanal_buf_add(&b, &type, sizeof type);
                if (b.oom) /* what b holds is not the n types counted */
                    return kanal_buf_release(&b), kanal_error_nomem(err);
                (*n)++;
            }
        }
    }
    const char **out = kanal_arena_alloc(a, b.len ? b.len : 1);
    if (!out || b.oom) {
        kanal_buf_release(&b);
        return kanal_error_nomem(err);
    }
    if (b.len)
        memcpy(out, b.data, b.len);
    kanal_buf_release(&b);
    *types = out;
    return KANAL_OK;
}

/* An active user, or an error that says which is wrong. */
int engine_active_user(kanal *k, kanal_arena *a, const char *id, kanal_user *out, kanal_error *err)
{
    int rc = store_user_get(k->store, a, id, out, err);
    if (rc == KANAL_ENOTFOUND)
        return kanal_error_set(err, KANAL_ENOTFOUND, "unknown user '%s'", id);
    if (!rc && !out->active)
        return kanal_error_set(err, KANAL_EREFUSED, "user '%s' is deactivated", id);
    return rc;
}

/*
** A partner named as people remember it, case and accents aside: the one whose
** name folds to the same text ("lodz hurt" for "Łódź Hurt"), else the one
** whose name holds every word given ("bałtyk"). KANAL_ENOTFOUND (no message)
** when none; several are an error listing them.
*/
static int partner_by_words(kanal *k, kanal_arena *a, const char *ref, kanal_partner *out,
                            kanal_error *err)
{
    kanal_folder *f = engine_folder(k);
    char *want = kanal_fold(f, ref);
    kanal_partner *all;
    size_t n = 0;
    if (!want)
        return kanal_error_nomem(err);
    /* the same name folded: the store's index (schema 8) */
    int rc = want[0] ? store_partners_by_fold(k->store, a, ref, &all, &n, err) : KANAL_ENOTFOUND;
    size_t *pick = NULL, count = 0;
    if (!rc && n) {
        if (!(pick = malloc(n * sizeof *pick)))
            rc = kanal_error_nomem(err);
        for (size_t i = 0; !rc && i < n; i++)
            pick[count++] = i;
    } else if (!rc) {
        /* else the names that hold every word given */
        if (!(rc = store_partners_list(k->store, a, NULL, NULL, &all, &n, err)) &&
            !(pick = malloc((n + 1) * sizeof *pick)))
            rc = kanal_error_nomem(err);
        for (size_t i = 0; !rc && i < n; i++) {
            char *name = kanal_fold(f, all[i].name);
            if (!name) {
                rc = kanal_error_nomem(err);
                break;
            }
            if (kanal_words_in(name, want))
                pick[count++] = i;
            free(name);
        }
    }
    if (!rc) {
        if (count == 0) {
            rc = KANAL_ENOTFOUND;
        } else if (count == 1) {
            *out = all[pick[0]];
        } else {
            kanal_buf list = KANAL_BUF_INIT;
            for (size_t i = 0; i < count && i < 8; i++)
                kanal_buf_printf(&list, "%s'%s' (%lld)", i ? ", " : "", all[pick[i]].name,
                                 (long long)all[pick[i]].id);
            if (count > 8)
                kanal_buf_printf(&list, " and %zu more", count - 8);
            rc = kanal_error_set(err, KANAL_EUSAGE,
                                 "'%s' matches %zu partners: %s; name one by its id or its "
                                 "exact name",
                                 ref, count, kanal_buf_cstr(&list));
            kanal_buf_release(&list);
        }
    }
    free(pick);
    free(want);
    return rc;
}

int engine_partner_find(kanal *k, kanal_arena *a, const char *ref, kanal_partner *out,
                        kanal_error *err)
{
    if (!ref || !ref[0])
        return kanal_error_set(err, KANAL_ENOTFOUND, "no partner named (give an id or a name)");
    int rc = KANAL_ENOTFOUND;
    size_t n = strlen(ref);
    if (n > 0 && strspn(ref, "0123456789") == n && n < 19)
        rc = store_partner_by_id(k->store, a, strtoll(ref, NULL, 10), out, err);
    if (rc == KANAL_ENOTFOUND) /* a name may be all digits too */
        rc = store_partner_by_name(k->store, a, ref, out, err);
    if (rc != KANAL_ENOTFOUND)
        return rc;
    /* Not by its exact name: perhaps by its name in another case or spacing. */
    char *key = engine_partner_name_key(ref);
    kanal_partner near;
    if (key && store_partner_by_key(k->store, a, key, &near, err) == KANAL_OK &&
        strcmp(near.name, ref) != 0) {
        free(key);
        /* an import's rows name partners exactly: a name is never guessed there */
        if (!k->exact_partners) {
            *out = near;
            return KANAL_OK;
        }
        return kanal_error_set(err, KANAL_ENOTFOUND,
                               "no partner '%s' (did you mean '%s', id %lld?)", ref, near.name,
                               (long long)near.id);
    }
    free(key);
    if (!k->exact_partners && (rc = partner_by_words(k, a, ref, out, err)) != KANAL_ENOTFOUND)
        return rc;
    return kanal_error_set(err, KANAL_ENOTFOUND,
                           "no partner '%s' (name a partner by its id or its exact name)", ref);
}

static void owner_words(kanal_buf *b, kanal *k, kanal_arena *a, const char *owner)
{
    kanal_user u;
    kanal_error e;
    if (owner && store_user_get(k->store, a, owner, &u, &e) == KANAL_OK)
        kanal_buf_printf(b, "%s (%s)", u.id, u.name);
    else
        kanal_buf_puts(b, owner ? owner : "nobody");
}

int kanal_partner_add(kanal *k, const kanal_partner_fields *p, int64_t *id, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc)
        return rc;
    if (!p->name || !p->name[0])
        return kanal_error_set(err, KANAL_EINVALID, "a partner needs a name");
    if ((rc = kanal_text_ok("the partner's name", p->name, err)) ||
        (rc = kanal_text_ok("the e-mail address", p->email, err)) ||
        (rc = kanal_text_ok("the phone number", p->phone, err)) ||
        (rc = kanal_text_ok("the city", p->city, err)) || (rc = kanal_text_ok("the tax id", p->tax_id, err)))
        return rc;
    if (!p->type || !p->type[0])
        return kanal_error_set(err, KANAL_EINVALID, "a partner needs a type");
    if (!kanal_id_valid(p->type))
        return kanal_error_set(err, KANAL_EINVALID,
                               "invalid partner type '%s': use lowercase letters, digits and "
                               "'_', starting with a letter",
                               p->type ? p->type : "");
    if (p->email && (!strchr(p->email, '@') || strpbrk(p->email, " \t\n,;")))
        return kanal_error_set(err, KANAL_EINVALID, "invalid e-mail address '%s'", p->email);
    if (p->owner && strcmp(p->owner, k->actor.id) != 0 && !k->is_manager)
        return kanal_error_set(err, KANAL_EREFUSED,
                               "only a manager may give a partner to someone else (you are "
                               "'%s')",
                               k->actor.id);
    char *key = engine_partner_name_key(p->name);
    kanal_arena *a = kanal_arena_new();
    /* the name as stored: without blanks around it */
    const char *name = p->name;
    while (*name == ' ' || *name == '\t')
        name++;
    size_t name_len = strlen(name);
    while (name_len && (name[name_len - 1] == ' ' || name[name_len - 1] == '\t'))
        name_len--;
    if (!key || !a) {
        rc = kanal_error_nomem(err);
        goto out;
    }
    if (!key[0]) {
        rc = kanal_error_set(err, KANAL_EINVALID, "a partner needs a name");
        goto out;
    }
    if ((rc = engine_op_begin(k, err)))
        goto out;
    const char **types = NULL;
    size_t n_types = 0;
    kanal_partner existing;
    kanal_user owner;
    if ((rc = known_partner_types(k, a, &types, &n_types, err)))
        goto done;
    bool known = n_types == 0;
    for (size_t i = 0; i < n_types; i++)
        known |= strcmp(types[i], p->type) == 0;
    if (!known) {
        rc = kanal_unknown(err, KANAL_EINVALID, "partner type", p->type, types, n_types, NULL);
        goto done;
    }
    if (p->owner && (rc = engine_active_user(k, a, p->owner, &owner, err)))
        goto done;
    /* the same name, case, accents and spacing aside, whoever owns it */
    rc = store_partner_clash(k->store, a, key, name, 0, &existing, err);
    if (rc == KANAL_OK) {
        kanal_buf b = KANAL_BUF_INIT;
        owner_words(&b, k, a, existing.owner);
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "partner '%s' already exists (id %lld, owned by %s)",
                             existing.name, (long long)existing.id, kanal_buf_cstr(&b));
        kanal_buf_release(&b);
        goto done;
    }
    if (rc != KANAL_ENOTFOUND)
        goto done;
    char at[KANAL_TIME_LEN];
    engine_now_text(k, at);
    char *trimmed = kanal_arena_strndup(a, name, name_len);
    if (!trimmed) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    kanal_partner row = { 0, trimmed, p->type, p->owner, p->email, p->phone, p->city,
                          p->tax_id, at };
    if ((rc = store_partner_insert(k->store, &row, key, id, err)))
        goto done;
    kanal_buf data = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &data);
    kanal_json_object(&j);
    kanal_json_key(&j, "partner_id");
    kanal_json_int(&j, *id);
    kanal_json_key(&j, "name");
    kanal_json_str(&j, trimmed);
    kanal_json_key(&j, "type");
    kanal_json_str(&j, p->type);
    kanal_json_key(&j, "owner");
    kanal_json_str(&j, p->owner);
    kanal_json_end_object(&j);
    rc = engine_record_event(k, NULL, KANAL_EV_PARTNER_ADDED, at, &data, err);
    kanal_buf_release(&data);
done:
    rc = engine_op_end(k, rc, err);
out:
    free(key);
    kanal_arena_free(a);
    return rc;
}

/* A copy of s in the arena (NULL stays NULL). */
static const char *keep(kanal_arena *a, const char *s, bool *oom)
{
    char *t = s ? kanal_arena_strdup(a, s) : NULL;
    if (s && !t)
        *oom = true;
    return t;
}

/* The partner's opportunities in a word: the open ones (whoever owns them, as
   their ids always were shown) and the closed ones the actor may see. */
static int partner_opps(kanal *k, kanal_partner_view *v, kanal_error *err)
{
    kanal_arena *a = v->arena_;
    bool oom = false;
    kanal_opp_brief *open = kanal_arena_alloc(a, (v->n_open_opps + 1) * sizeof *open);
    if (!open)
        return kanal_error_nomem(err);
    int rc = KANAL_OK;
    for (size_t i = 0; !rc && i < v->n_open_opps; i++) {
        store_opp_row r;
        memset(&open[i], 0, sizeof open[i]);
        open[i].id = v->open_opps[i];
        if ((rc = store_opp_get(k->store, a, open[i].id, &r, err)))
            break;
        open[i].workflow = r.workflow;
        open[i].version = r.version;
        open[i].owner = r.owner;
        open[i].status = r.status;
        open[i].stage = r.stage;
    }
    v->open = open;
    int64_t *ids;
    size_t n;
    if (rc || (rc = store_opps_closed_of_partner(k->store, a, v->partner.id, &ids, &n, err)))
        return rc;
    kanal_opp_brief *past = kanal_arena_alloc(a, (n + 1) * sizeof *past);
    if (!past)
        return kanal_error_nomem(err);
    v->past = past;
    for (size_t i = 0; i < n; i++) {
        kanal_opp *o;
        kanal_error why;
        rc = kanal_opp_get(k, ids[i], &o, &why);
        if (rc == KANAL_EREFUSED || rc == KANAL_ENOTFOUND)
            continue; /* another rep's: not theirs to read */
        if (rc) {
            *err = why;
            return rc;
        }
        int ri = o->lost_reason ? kanal_workflow_lost_reason_index(o->wf, o->lost_reason) : -1;
        past[v->n_past++] = (kanal_opp_brief){
            .id = o->id,
            .workflow = keep(a, o->workflow, &oom),
            .version = o->version,
            .owner = keep(a, o->owner, &oom),
            .status = o->status,
            .stage = keep(a, o->stage, &oom),
            .closed_at = keep(a, o->closed_at, &oom),
            .lost_reason = keep(a, o->lost_reason, &oom),
            .lost_reason_name = ri >= 0 ? keep(a, o->wf->lost_reasons[ri].name, &oom) : NULL,
            .lost_note = keep(a, o->lost_note, &oom),
        };
        kanal_opp_free(o);
    }
    return oom ? kanal_error_nomem(err) : KANAL_OK;
}

int kanal_partner_get(kanal *k, const char *ref, kanal_partner_view **out, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc)
        return rc;
    kanal_partner_view *v = calloc(1, sizeof *v);
    if (!v || !(v->arena_ = kanal_arena_new())) {
        free(v);
        return kanal_error_nomem(err);
    }
    int64_t *ids;
    kanal_contact *contacts;
    if ((rc = engine_partner_find(k, v->arena_, ref, &v->partner, err)) ||
        (rc = store_opps_open_of_partner(k->store, v->arena_, v->partner.id, &ids, &v->n_open_opps,
                                         err)) ||
        (rc = store_contacts_list(k->store, v->arena_, v->partner.id, false, &contacts,
                                  &v->n_contacts, err))) {
        kanal_partner_free(v);
        return rc;
    }
    v->open_opps = ids;
    v->contacts = contacts;
    if ((rc = partner_opps(k, v, err))) {
        kanal_partner_free(v);
        return rc;
    }
    *out = v;
    return KANAL_OK;
}

void kanal_partner_free(kanal_partner_view *p)
{
    if (!p)
        return;
    kanal_arena_free(p->arena_);
    free(p);
}

/* The partners' rows, in the columns kanal_partner_list declares. */
static int partners_rows(kanal *k, const char *owner, const char *type, kanal_table *t,
                         kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    kanal_partner *ps = NULL;
    size_t n = 0;
    int rc = a ? store_partners_list(k->store, a, owner, type, &ps, &n, err)
               : kanal_error_nomem(err);
    for (size_t i = 0; !rc && i < n; i++)
        if (kanal_table_add_row(t) || kanal_table_set_int(t, 0, ps[i].id) ||
            kanal_table_set(t, 1, ps[i].name) || kanal_table_set(t, 2, ps[i].type) ||
            kanal_table_set(t, 3, ps[i].owner) || kanal_table_set(t, 4, ps[i].city) ||
            kanal_table_set(t, 5, ps[i].email) || kanal_table_set(t, 6, ps[i].phone) ||
            kanal_table_set(t, 7, ps[i].tax_id) || kanal_table_set(t, 8, ps[i].created_at))
            rc = kanal_error_nomem(err);
    kanal_arena_free(a);
    return rc;
}

int kanal_partner_list(kanal *k, const char *owner, const char *type, kanal_table **out,
                       kanal_error *err)
{
    kanal_table *t;
    int rc = engine_need_actor(k, err);
    if (rc || (rc = kanal_table_new(&t, "partners", "Partners", err)))
        return rc;
    static const struct {
        const char *name, *label;
        kanal_type type;
    } cols[] = { { "id", "id", KANAL_TYPE_INT },         { "name", "name", KANAL_TYPE_TEXT },
                 { "type", "type", KANAL_TYPE_TEXT },    { "owner", "owner", KANAL_TYPE_TEXT },
                 { "city", "city", KANAL_TYPE_TEXT },    { "email", "email", KANAL_TYPE_TEXT },
                 { "phone", "phone", KANAL_TYPE_TEXT },  { "tax_id", "tax id", KANAL_TYPE_TEXT },
                 { "created_at", "created", KANAL_TYPE_TIME } };
    for (size_t i = 0; i < KANAL_ARRAY_LEN(cols); i++)
        if (kanal_table_add_column(t, cols[i].name, cols[i].type, cols[i].label))
            rc = kanal_error_nomem(err);
    if (!rc && owner && kanal_table_add_filter(t, "owner", owner))
        rc = kanal_error_nomem(err);
    if (!rc && type && kanal_table_add_filter(t, "type", type))
        rc = kanal_error_nomem(err);
    if (!rc && owner)
        rc = engine_user_known(k, owner, err);
    if (!rc)
        rc = partners_rows(k, owner, type, t, err);
    if (!rc && type && kanal_table_rows(t) == 0) {
        /* a type no workflow names and no partner has is a typo, not an empty list */
        kanal_arena *a = kanal_arena_new();
        const char **types = NULL;
        size_t n_types = 0;
        rc = a ? known_partner_types(k, a, &types, &n_types, err) : kanal_error_nomem(err);
        bool known = false;
        for (size_t i = 0; !rc && i < n_types; i++)
            known |= strcmp(types[i], type) == 0;
        if (!rc && !known)
            rc = kanal_unknown(err, KANAL_ENOTFOUND, "partner type", type, types, n_types, NULL);
        kanal_arena_free(a);
    }
    if (rc) {
        kanal_table_free(t);
        return rc;
    }
    *out = t;
    return KANAL_OK;
}

/* Can `u` own an opportunity of wf? Fills err with why not. */
int engine_owner_fits(const kanal_workflow *wf, const kanal_user *u, kanal_error *err)
{
    if (wf->n_owner_roles == 0)
        return KANAL_OK;
    for (size_t i = 0; i < wf->n_owner_roles; i++)
        for (size_t r = 0; r < u->n_roles; r++)
            if (strcmp(wf->owner_roles[i], u->roles[r]) == 0)
                return KANAL_OK;
    kanal_buf need = KANAL_BUF_INIT, has = KANAL_BUF_INIT;
    for (size_t i = 0; i < wf->n_owner_roles; i++)
        kanal_buf_printf(&need, "%s%s", i ? " or " : "", wf->owner_roles[i]);
    for (size_t r = 0; r < u->n_roles; r++)
        kanal_buf_printf(&has, "%s%s", r ? ", " : "", u->roles[r]);
    kanal_error_set(err, KANAL_EREFUSED,
                    "'%s' may not own opportunities of workflow '%s': it needs the role %s "
                    "('%s' has %s)",
                    u->id, wf->id, kanal_buf_cstr(&need), u->id,
                    u->n_roles ? kanal_buf_cstr(&has) : "no role");
    kanal_buf_release(&need);
    kanal_buf_release(&has);
    return KANAL_EREFUSED;
}

static int reassign_opp(kanal *k, int64_t id, const kanal_user *to, const char *at,
                        kanal_error *err)
{
    kanal_opp *o;
    int rc = kanal_opp_get(k, id, &o, err);
    if (rc)
        return rc;
    if ((rc = engine_owner_fits(o->wf, to, err))) {
        char why[KANAL_ERROR_MESSAGE_MAX];
        snprintf(why, sizeof why, "%s", err->message);
        kanal_error_set(err, KANAL_EREFUSED, "cannot move opportunity %lld to '%s': %s",
                        (long long)id, to->id, why);
        goto done;
    }
    if (strcmp(o->owner, to->id) == 0)
        goto done;
    if ((rc = store_opp_set_owner(k->store, id, to->id, err)))
        goto done;
    /* Reassignment is an administrative act of now, even when the
       opportunity's own steps were back-dated later than that. */
    const char *when = strcmp(at, o->last_event_at) < 0 ? o->last_event_at : at;
    rc = engine_record_text_event(k, o, KANAL_EV_REASSIGNED, when, err, "from", o->owner, "to",
                                  to->id, (char *)NULL);
done:
    kanal_opp_free(o);
    return rc;
}

int kanal_user_reassign(kanal *k, const char *from, const char *to, const char *partner,
                        const char *at, int *n_partners, int *n_opps, kanal_error *err)
{
    int rc = engine_need_manager(k, "reassign work", err);
    if (rc)
        return rc;
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    if ((rc = engine_op_begin(k, err))) {
        kanal_arena_free(a);
        return rc;
    }
    *n_partners = *n_opps = 0;
    kanal_user from_u, to_u;
    int64_t *partners = NULL, one;
    size_t np = 0;
    rc = store_user_get(k->store, a, from, &from_u, err);
    if (rc == KANAL_ENOTFOUND)
        rc = kanal_error_set(err, KANAL_ENOTFOUND, "unknown user '%s'", from);
    if (rc || (rc = engine_active_user(k, a, to, &to_u, err)))
        goto done;
    if (strcmp(from, to) == 0) {
        rc = kanal_error_set(err, KANAL_EUSAGE,
                             "the work would move from '%s' to the same user", to);
        goto done;
    }
    if (partner) {
        kanal_partner p;
        if ((rc = engine_partner_find(k, a, partner, &p, err)))
            goto done;
        if (!p.owner || strcmp(p.owner, from) != 0) {
            rc = kanal_error_set(err, KANAL_EREFUSED, "partner '%s' is owned by %s, not by '%s'",
                                 p.name, p.owner ? p.owner : "nobody", from);
            goto done;
        }
        one = p.id;
        partners = &one;
        np = 1;
    } else if ((rc = store_partners_owned_by(k->store, a, from, &partners, &np, err))) {
        goto done;
    }
    char t[KANAL_TIME_LEN];
    if ((rc = engine_step_time(k, NULL, at, t, err)))
        goto done;
    for (size_t i = 0; i < np && !rc; i++) {
        int64_t *opps;
        size_t no;
        if ((rc = store_partner_set_owner(k->store, partners[i], to, err)) ||
            (rc = store_opps_open_of_partner(k->store, a, partners[i], &opps, &no, err)))
            break;
        for (size_t o = 0; o < no && !rc; o++) {
            rc = reassign_opp(k, opps[o], &to_u, t, err);
            (*n_opps)++;
        }
        kanal_buf data = KANAL_BUF_INIT;
        kanal_json j;
        kanal_json_init(&j, &data);
        kanal_json_object(&j);
        kanal_json_key(&j, "partner_id");
        kanal_json_int(&j, partners[i]);
        kanal_json_key(&j, "from");
        kanal_json_str(&j, from);
        kanal_json_key(&j, "to");
        kanal_json_str(&j, to);
        kanal_json_end_object(&j);
        if (!rc)
            rc = engine_record_event(k, NULL, KANAL_EV_PARTNER_REASSIGNED, t, &data, err);
        kanal_buf_release(&data);
        (*n_partners)++;
    }
done:
    kanal_arena_free(a);
    return engine_op_end(k, rc, err);
}

/* One changed value of a partner edit: "key": [previous, new]. */
static void edit_change(kanal_json *j, const char *key, const char *was, const char *now, bool *any)
{
    if ((!was && !now) || (was && now && strcmp(was, now) == 0))
        return;
    kanal_json_key(j, key);
    kanal_json_array(j);
    kanal_json_str(j, was);
    kanal_json_str(j, now);
    kanal_json_end_array(j);
    *any = true;
}

int kanal_partner_edit(kanal *k, const char *ref, const kanal_partner_fields *f, bool *changed,
                       kanal_error *err)
{
    *changed = false;
    int rc = engine_need_actor(k, err);
    if (rc)
        return rc;
    if (f->name && !f->name[0])
        return kanal_error_set(err, KANAL_EINVALID, "a partner needs a name");
    if ((rc = kanal_text_ok("the partner's name", f->name, err)) ||
        (rc = kanal_text_ok("the e-mail address", f->email, err)) ||
        (rc = kanal_text_ok("the phone number", f->phone, err)) ||
        (rc = kanal_text_ok("the city", f->city, err)) ||
        (rc = kanal_text_ok("the tax id", f->tax_id, err)))
        return rc;
    if (f->type && !kanal_id_valid(f->type))
        return kanal_error_set(err, KANAL_EINVALID,
                               "invalid partner type '%s': use lowercase letters, digits and "
                               "'_', starting with a letter",
                               f->type);
    if (f->email && f->email[0] && (!strchr(f->email, '@') || strpbrk(f->email, " \t\n,;")))
        return kanal_error_set(err, KANAL_EINVALID, "invalid e-mail address '%s'", f->email);
    kanal_arena *a = kanal_arena_new();
    char *key = NULL;
    if (!a)
        return kanal_error_nomem(err);
    if ((rc = engine_op_begin(k, err))) {
        kanal_arena_free(a);
        return rc;
    }
    kanal_partner p, now;
    if ((rc = engine_partner_find(k, a, ref, &p, err)))
        goto done;
    if (!k->is_manager && !k->is_admin && (!p.owner || strcmp(p.owner, k->actor.id) != 0)) {
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "partner '%s' belongs to %s: only its owner, a manager or an admin "
                             "may edit it",
                             p.name, p.owner ? p.owner : "nobody");
        goto done;
    }
    now = p;
    /* an empty value clears a contact detail */
#define TAKE(m)                                                                                    \
    if (f->m)                                                                                      \
        now.m = f->m[0] ? f->m : NULL;
    TAKE(email)
    TAKE(phone)
    TAKE(city)
    TAKE(tax_id)
#undef TAKE
    if (f->type && strcmp(f->type, p.type) != 0) {
        const char **types = NULL;
        size_t n_types = 0;
        if ((rc = known_partner_types(k, a, &types, &n_types, err)))
            goto done;
        bool known = n_types == 0;
        for (size_t i = 0; i < n_types; i++)
            known |= strcmp(types[i], f->type) == 0;
        if (!known) {
            rc = kanal_unknown(err, KANAL_EINVALID, "partner type", f->type, types, n_types, NULL);
            goto done;
        }
        now.type = f->type;
    }
    if (f->name) {
        const char *name = f->name;
        while (*name == ' ' || *name == '\t')
            name++;
        size_t len = strlen(name);
        while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
            len--;
        if (!(now.name = kanal_arena_strndup(a, name, len))) {
            rc = kanal_error_nomem(err);
            goto done;
        }
    }
    if (!(key = engine_partner_name_key(now.name))) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    if (!key[0]) {
        rc = kanal_error_set(err, KANAL_EINVALID, "a partner needs a name");
        goto done;
    }
    kanal_partner other;
    rc = store_partner_clash(k->store, a, key, now.name, p.id, &other, err);
    if (rc == KANAL_OK) {
        kanal_buf b = KANAL_BUF_INIT;
        owner_words(&b, k, a, other.owner);
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "partner '%s' already exists (id %lld, owned by %s)", other.name,
                             (long long)other.id, kanal_buf_cstr(&b));
        kanal_buf_release(&b);
        goto done;
    }
    if (rc != KANAL_OK && rc != KANAL_ENOTFOUND)
        goto done;
    rc = KANAL_OK;
    kanal_buf data = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &data);
    kanal_json_object(&j);
    kanal_json_key(&j, "partner_id");
    kanal_json_int(&j, p.id);
    bool any = false;
    edit_change(&j, "name", p.name, now.name, &any);
    edit_change(&j, "type", p.type, now.type, &any);
    edit_change(&j, "email", p.email, now.email, &any);
    edit_change(&j, "phone", p.phone, now.phone, &any);
    edit_change(&j, "city", p.city, now.city, &any);
    edit_change(&j, "tax_id", p.tax_id, now.tax_id, &any);
    kanal_json_end_object(&j);
    if (any) {
        char at[KANAL_TIME_LEN];
        engine_now_text(k, at);
        if (!(rc = store_partner_update(k->store, &now, key, err)))
            rc = engine_record_event(k, NULL, KANAL_EV_PARTNER_EDITED, at, &data, err);
        *changed = !rc;
    }
    kanal_buf_release(&data);
done:
    rc = engine_op_end(k, rc, err);
    free(key);
    kanal_arena_free(a);
    return rc;
}
