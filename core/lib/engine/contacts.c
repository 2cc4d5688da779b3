/*
** contacts.c — the people at partners: whom a rep talks to at each partner.
** Adding, editing and removing one are events outside any opportunity, like
** a partner's edit; a removed contact leaves the lists and stays in the
** record. The partner's owner, a manager or an admin changes them.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/engine.h"

/* Text without the blanks around it, in the arena (NULL stays NULL). */
static const char *trimmed(kanal_arena *a, const char *s, bool *oom)
{
    if (!s)
        return NULL;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *t = kanal_arena_strndup(a, s, n);
    if (!t)
        *oom = true;
    return t;
}

/* The checks of a contact's values that need no database. */
static int fields_ok(const kanal_contact_fields *f, bool adding, kanal_error *err)
{
    int rc;
    if ((adding && !f->name) || (f->name && !f->name[strspn(f->name, " \t")]))
        return kanal_error_set(err, KANAL_EINVALID, "a contact needs a name");
    if ((rc = kanal_text_ok("the contact's name", f->name, err)) ||
        (rc = kanal_text_ok("the role", f->role, err)) ||
        (rc = kanal_text_ok("the e-mail address", f->email, err)) ||
        (rc = kanal_text_ok("the phone number", f->phone, err)))
        return rc;
    /* as a partner's e-mail is checked */
    if (f->email && f->email[0] && (!strchr(f->email, '@') || strpbrk(f->email, " \t\n,;")))
        return kanal_error_set(err, KANAL_EINVALID, "invalid e-mail address '%s'", f->email);
    return KANAL_OK;
}

/* Whether the actor may change the contacts of p; EREFUSED saying why not. */
static int may_change(kanal *k, const kanal_partner *p, const char *doing, kanal_error *err)
{
    if (k->is_manager || k->is_admin || (p->owner && strcmp(p->owner, k->actor.id) == 0))
        return KANAL_OK;
    return kanal_error_set(err, KANAL_EREFUSED,
                           "partner '%s' belongs to %s: only its owner, a manager or an admin "
                           "may %s its contacts",
                           p->name, p->owner ? p->owner : "nobody", doing);
}

/* A contact and its partner, for a change: "no contact N" when there is none. */
static int contact_for_change(kanal *k, kanal_arena *a, int64_t id, const char *doing,
                              kanal_contact *c, kanal_error *err)
{
    int rc = store_contact_get(k->store, a, id, c, err);
    if (rc == KANAL_ENOTFOUND)
        return kanal_error_set(err, KANAL_ENOTFOUND, "no contact %lld", (long long)id);
    kanal_partner p;
    if (!rc && (rc = store_partner_by_id(k->store, a, c->partner_id, &p, err)) == KANAL_ENOTFOUND)
        rc = kanal_error_set(err, KANAL_ESTORAGE,
                             "contact %lld names partner %lld, which cannot be read", (long long)id,
                             (long long)c->partner_id);
    if (!rc)
        rc = may_change(k, &p, doing, err);
    if (!rc && c->removed_at)
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "contact %lld (%s at '%s') was removed on %.10s: it can no longer "
                             "change",
                             (long long)id, c->name, c->partner ? c->partner : p.name,
                             c->removed_at);
    return rc;
}

/* The start of a contact event's data: the partner and the contact. */
static void event_head(kanal_json *j, const kanal_contact *c, const char *partner)
{
    kanal_json_object(j);
    kanal_json_key(j, "partner_id");
    kanal_json_int(j, c->partner_id);
    kanal_json_key(j, "partner");
    kanal_json_str(j, partner);
    kanal_json_key(j, "contact_id");
    kanal_json_int(j, c->id);
}

int kanal_contact_add(kanal *k, const char *partner, const kanal_contact_fields *f, int64_t *id,
                      kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc || (rc = fields_ok(f, true, err)))
        return rc;
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    if ((rc = engine_op_begin(k, err))) {
        kanal_arena_free(a);
        return rc;
    }
    kanal_partner p;
    bool oom = false;
    char at[KANAL_TIME_LEN];
    engine_now_text(k, at);
    kanal_contact c = { .name = trimmed(a, f->name, &oom),
                        /* an empty optional value is no value */
                        .role = f->role && f->role[0] ? trimmed(a, f->role, &oom) : NULL,
                        .email = f->email && f->email[0] ? f->email : NULL,
                        .phone = f->phone && f->phone[0] ? f->phone : NULL,
                        .created_at = at,
                        .created_by = k->actor.id };
    if (oom) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    if ((rc = engine_partner_find(k, a, partner, &p, err)) || (rc = may_change(k, &p, "add", err)))
        goto done;
    c.partner_id = p.id;
    if ((rc = store_contact_insert(k->store, &c, id, err)))
        goto done;
    c.id = *id;
    kanal_buf data = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &data);
    event_head(&j, &c, p.name);
    kanal_json_key(&j, "name");
    kanal_json_str(&j, c.name);
    const char *keys[] = { "role", "email", "phone" };
    const char *vals[] = { c.role, c.email, c.phone };
    for (size_t i = 0; i < KANAL_ARRAY_LEN(keys); i++)
        if (vals[i]) {
            kanal_json_key(&j, keys[i]);
            kanal_json_str(&j, vals[i]);
        }
    kanal_json_end_object(&j);
    rc = engine_record_event(k, NULL, KANAL_EV_CONTACT_ADDED, at, &data, err);
    kanal_buf_release(&data);
done:
    rc = engine_op_end(k, rc, err);
    kanal_arena_free(a);
    return rc;
}

/* One changed value of an edit: "key": [previous, new]. */
static void change(kanal_json *j, const char *key, const char *was, const char *now, bool *any)
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

int kanal_contact_edit(kanal *k, int64_t id, const kanal_contact_fields *f, bool *changed,
                       kanal_error *err)
{
    *changed = false;
    int rc = engine_need_actor(k, err);
    if (rc || (rc = fields_ok(f, false, err)))
        return rc;
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    if ((rc = engine_op_begin(k, err))) {
        kanal_arena_free(a);
        return rc;
    }
    kanal_contact was, now;
    if ((rc = contact_for_change(k, a, id, "edit", &was, err)))
        goto done;
    now = was;
    bool oom = false;
    if (f->name)
        now.name = trimmed(a, f->name, &oom);
    /* an empty value clears an optional one */
    if (f->role)
        now.role = f->role[0] ? trimmed(a, f->role, &oom) : NULL;
    if (f->email)
        now.email = f->email[0] ? f->email : NULL;
    if (f->phone)
        now.phone = f->phone[0] ? f->phone : NULL;
    if (oom) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    kanal_buf data = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &data);
    event_head(&j, &was, was.partner);
    bool any = false;
    change(&j, "name", was.name, now.name, &any);
    change(&j, "role", was.role, now.role, &any);
    change(&j, "email", was.email, now.email, &any);
    change(&j, "phone", was.phone, now.phone, &any);
    kanal_json_end_object(&j);
    if (any) {
        char at[KANAL_TIME_LEN];
        engine_now_text(k, at);
        if (!(rc = store_contact_update(k->store, &now, err)))
            rc = engine_record_event(k, NULL, KANAL_EV_CONTACT_EDITED, at, &data, err);
        *changed = !rc;
    }
    kanal_buf_release(&data);
done:
    rc = engine_op_end(k, rc, err);
    kanal_arena_free(a);
    return rc;
}

int kanal_contact_remove(kanal *k, int64_t id, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc)
        return rc;
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    if ((rc = engine_op_begin(k, err))) {
        kanal_arena_free(a);
        return rc;
    }
    kanal_contact c;
    char at[KANAL_TIME_LEN];
    engine_now_text(k, at);
    if ((rc = contact_for_change(k, a, id, "remove", &c, err)) ||
        (rc = store_contact_remove(k->store, id, at, err)))
        goto done;
    kanal_buf data = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &data);
    event_head(&j, &c, c.partner);
    kanal_json_key(&j, "name");
    kanal_json_str(&j, c.name);
    kanal_json_end_object(&j);
    rc = engine_record_event(k, NULL, KANAL_EV_CONTACT_REMOVED, at, &data, err);
    kanal_buf_release(&data);
done:
    rc = engine_op_end(k, rc, err);
    kanal_arena_free(a);
    return rc;
}

static int contacts_new(kanal_contacts **out, kanal_error *err)
{
    kanal_contacts *c = calloc(1, sizeof *c);
    if (!c || !(c->arena_ = kanal_arena_new())) {
        free(c);
        return kanal_error_nomem(err);
    }
    *out = c;
    return KANAL_OK;
}

int kanal_contact_get(kanal *k, int64_t id, kanal_contacts **out, kanal_error *err)
{
    kanal_contacts *c = NULL;
    int rc = engine_need_actor(k, err);
    if (rc || (rc = contacts_new(&c, err)))
        return rc;
    kanal_contact *one = kanal_arena_alloc(c->arena_, sizeof *one);
    if (!one)
        rc = kanal_error_nomem(err);
    else if ((rc = store_contact_get(k->store, c->arena_, id, one, err)) == KANAL_ENOTFOUND)
        rc = kanal_error_set(err, KANAL_ENOTFOUND, "no contact %lld", (long long)id);
    if (rc) {
        kanal_contacts_free(c);
        return rc;
    }
    c->items = one;
    c->n = 1;
    *out = c;
    return KANAL_OK;
}

int kanal_contacts_of(kanal *k, int64_t partner_id, bool all, kanal_contacts **out,
                      kanal_error *err)
{
    kanal_contacts *c = NULL;
    int rc = engine_need_actor(k, err);
    if (rc || (rc = contacts_new(&c, err)))
        return rc;
    kanal_contact *items = NULL;
    if (partner_id <= 0)
        rc = kanal_error_set(err, KANAL_ENOTFOUND, "no partner %lld", (long long)partner_id);
    else
        rc = store_contacts_list(k->store, c->arena_, partner_id, all, &items, &c->n, err);
    if (rc) {
        kanal_contacts_free(c);
        return rc;
    }
    c->items = items;
    *out = c;
    return KANAL_OK;
}

void kanal_contacts_free(kanal_contacts *c)
{
    if (!c)
        return;
    kanal_arena_free(c->arena_);
    free(c);
}

int kanal_contact_list(kanal *k, const char *partner, bool all, kanal_table **out, kanal_error *err)
{
    kanal_table *t;
    int rc = engine_need_actor(k, err);
    if (rc || (rc = kanal_table_new(&t, "contacts", "Contacts", err)))
        return rc;
    static const struct {
        const char *name, *label;
        kanal_type type;
    } cols[] = { { "id", "id", KANAL_TYPE_INT },
                 { "partner", "partner", KANAL_TYPE_TEXT },
                 { "name", "name", KANAL_TYPE_TEXT },
                 { "role", "role", KANAL_TYPE_TEXT },
                 { "email", "email", KANAL_TYPE_TEXT },
                 { "phone", "phone", KANAL_TYPE_TEXT },
                 { "created_at", "added", KANAL_TYPE_TIME },
                 { "created_by", "added by", KANAL_TYPE_TEXT },
                 { "removed_at", "removed", KANAL_TYPE_TIME } };
    size_t n_cols = KANAL_ARRAY_LEN(cols) - (all ? 0 : 1);
    for (size_t i = 0; i < n_cols; i++)
        if (kanal_table_add_column(t, cols[i].name, cols[i].type, cols[i].label))
            rc = kanal_error_nomem(err);
    kanal_arena *a = kanal_arena_new();
    kanal_partner p;
    kanal_contact *cs = NULL;
    size_t n = 0;
    if (!rc && !a)
        rc = kanal_error_nomem(err);
    if (!rc && !(rc = engine_partner_find(k, a, partner, &p, err)) &&
        kanal_table_add_filter(t, "partner", p.name))
        rc = kanal_error_nomem(err);
    if (!rc && all && kanal_table_add_filter(t, "all", "true"))
        rc = kanal_error_nomem(err);
    if (!rc)
        rc = store_contacts_list(k->store, a, p.id, all, &cs, &n, err);
    for (size_t i = 0; !rc && i < n; i++)
        if (kanal_table_add_row(t) || kanal_table_set_int(t, 0, cs[i].id) ||
            kanal_table_set(t, 1, cs[i].partner) || kanal_table_set(t, 2, cs[i].name) ||
            kanal_table_set(t, 3, cs[i].role) || kanal_table_set(t, 4, cs[i].email) ||
            kanal_table_set(t, 5, cs[i].phone) || kanal_table_set(t, 6, cs[i].created_at) ||
            kanal_table_set(t, 7, cs[i].created_by) ||
            (all && kanal_table_set(t, 8, cs[i].removed_at)))
            rc = kanal_error_nomem(err);
    kanal_arena_free(a);
    if (rc) {
        kanal_table_free(t);
        return rc;
    }
    *out = t;
    return KANAL_OK;
}

/*
** The contacts export: each current contact as `kanal import csv contacts`
** reads it back (partner, name, role, email, phone), by id.
*/
int engine_export_contacts(kanal *k, kanal_table *t, kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    kanal_contact *cs = NULL;
    size_t n = 0;
    int rc = a ? store_contacts_list(k->store, a, 0, false, &cs, &n, err) : kanal_error_nomem(err);
    for (size_t i = 0; !rc && i < n; i++)
        if (kanal_table_add_row(t) || kanal_table_set(t, 0, cs[i].partner) ||
            kanal_table_set(t, 1, cs[i].name) || kanal_table_set(t, 2, cs[i].role) ||
            kanal_table_set(t, 3, cs[i].email) || kanal_table_set(t, 4, cs[i].phone))
            rc = kanal_error_nomem(err);
    kanal_arena_free(a);
    return rc;
}

int kanal_partner_history(kanal *k, const char *ref, kanal_history **out, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc)
        return rc;
    kanal_history *h = calloc(1, sizeof *h);
    if (!h || !(h->arena_ = kanal_arena_new())) {
        free(h);
        return kanal_error_nomem(err);
    }
    kanal_partner p;
    store_event *raw = NULL;
    size_t n = 0;
    kanal_event *events = NULL;
    if ((rc = engine_partner_find(k, h->arena_, ref, &p, err)))
        goto fail;
    if (!k->is_manager && !k->is_admin && (!p.owner || strcmp(p.owner, k->actor.id) != 0)) {
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "partner '%s' belongs to %s: only its owner, a manager or an admin "
                             "may read its history",
                             p.name, p.owner ? p.owner : "nobody");
        goto fail;
    }
    if ((rc = store_events_all(k->store, h->arena_, &raw, &n, err)))
        goto fail;
    if (!(events = kanal_arena_alloc(h->arena_, (n + 1) * sizeof *events))) {
        rc = kanal_error_nomem(err);
        goto fail;
    }
    for (size_t i = 0; !rc && i < n; i++) {
        const store_event *e = &raw[i];
        if (e->opp)
            continue;
        json_t *d = json_loads(e->data, 0, NULL);
        json_t *id = d ? json_object_get(d, "partner_id") : NULL;
        bool ours = json_is_integer(id) && json_integer_value(id) == p.id;
        json_decref(d);
        if (!ours)
            continue;
        /* outside opportunities, events have no sequence: numbered here, in order */
        events[h->n_events] = (kanal_event){ .seq = (int64_t)h->n_events + 1,
                                             .at = e->at,
                                             .actor = e->actor,
                                             .type = e->type,
                                             .data = e->data,
                                             .login = e->login };
        rc = engine_event_summary(h->arena_, e->data, &events[h->n_events].summary, err);
        h->n_events++;
    }
    if (rc)
        goto fail;
    h->id = p.id;
    h->events = events;
    *out = h;
    return KANAL_OK;
fail:
    kanal_opp_history_free(h);
    return rc;
}
