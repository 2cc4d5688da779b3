/*
** search.c — finding things as people remember them: partners, the people
** at them (contacts) and the notes written on opportunities, matching every word given whatever its
*case and
** accents ("lodz" finds "Łódź"). A rep searches their own work; a manager and
** an admin everything.
*/
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

enum { S_KIND, S_ID, S_PARTNER, S_OPP, S_SEQ, S_FIELD, S_TEXT, S_AT, S_COUNT };

/* One result: the row of the table. */
static int add_result(kanal_table *t, const char *kind, int64_t id, const char *partner,
                      int64_t opp, int64_t seq, const char *field, const char *text, const char *at,
                      kanal_error *err)
{
    if (kanal_table_add_row(t) || kanal_table_set(t, S_KIND, kind) ||
        kanal_table_set_int(t, S_ID, id) || kanal_table_set(t, S_PARTNER, partner) ||
        (opp && kanal_table_set_int(t, S_OPP, opp)) ||
        (seq && kanal_table_set_int(t, S_SEQ, seq)) || kanal_table_set(t, S_FIELD, field) ||
        kanal_table_set(t, S_TEXT, text) || kanal_table_set(t, S_AT, at))
        return kanal_error_nomem(err);
    return KANAL_OK;
}

/* The partners whose name, city, e-mail, phone or tax id hold every word (of a rep:
   theirs and those no one owns). */
static int search_partners(kanal *k, kanal_arena *a, const char *owner, const char *words,
                           kanal_table *t, kanal_error *err)
{
    kanal_partner *ps;
    size_t n;
    /* a rep: the partners they own and those no one owns yet, as partner list shows */
    int rc = store_partners_list(k->store, a, NULL, NULL, &ps, &n, err);
    kanal_folder *f = engine_folder(k);
    for (size_t i = 0; !rc && i < n; i++) {
        const kanal_partner *p = &ps[i];
        if (owner && p->owner && strcmp(p->owner, owner) != 0)
            continue;
        const char *fields[] = { "name", "city", "email", "phone", "tax_id" };
        const char *vals[] = { p->name, p->city, p->email, p->phone, p->tax_id };
        for (size_t j = 0; j < 5 && !rc; j++)
            if (kanal_fold_contains(f, vals[j], words)) {
                rc = add_result(t, "partner", p->id, p->name, 0, 0, fields[j], vals[j], NULL, err);
                break; /* one row a partner: where it matched first */
            }
    }
    return rc;
}

/* Whether partner id is one a rep (owner) searches: theirs, or no one's yet. */
static bool partner_seen(const kanal_partner *ps, size_t n, int64_t id, const char *owner)
{
    for (size_t i = 0; i < n; i++)
        if (ps[i].id == id)
            return !owner || !ps[i].owner || strcmp(ps[i].owner, owner) == 0;
    return false;
}

/* The contacts (not removed) whose name, role, e-mail or phone hold every word. */
static int search_contacts(kanal *k, kanal_arena *a, const char *owner, const char *words,
                           kanal_table *t, kanal_error *err)
{
    kanal_partner *ps;
    kanal_contact *cs;
    size_t n_ps, n_cs;
    int rc = store_partners_list(k->store, a, NULL, NULL, &ps, &n_ps, err);
    if (!rc)
        rc = store_contacts_list(k->store, a, 0, false, &cs, &n_cs, err);
    kanal_folder *f = engine_folder(k);
    for (size_t i = 0; !rc && i < n_cs; i++) {
        const kanal_contact *c = &cs[i];
        if (!partner_seen(ps, n_ps, c->partner_id, owner))
            continue;
        const char *fields[] = { "name", "role", "email", "phone" };
        const char *vals[] = { c->name, c->role, c->email, c->phone };
        for (size_t j = 0; j < 4 && !rc; j++)
            if (kanal_fold_contains(f, vals[j], words)) {
                rc = add_result(t, "contact", c->id, c->partner, 0, 0, fields[j], vals[j], NULL,
                                err);
                break;
            }
    }
    return rc;
}

/* The notes on the opportunities seen whose text holds every word. */
static int search_notes(kanal *k, kanal_arena *a, const char *owner, const char *words,
                        kanal_table *t, kanal_error *err)
{
    store_note *notes;
    size_t n;
    int rc = store_notes_list(k->store, a, owner, &notes, &n, err);
    kanal_folder *f = engine_folder(k);
    int64_t opp = 0;
    store_opp_row o = { 0 };
    kanal_partner p = { 0 };
    for (size_t i = 0; !rc && i < n; i++) {
        const store_note *e = &notes[i];
        if (!kanal_fold_contains(f, e->text, words))
            continue;
        if (e->opp != opp) {
            /* the partner's name, once an opportunity */
            if ((rc = store_opp_get(k->store, a, e->opp, &o, err)) ||
                (rc = store_partner_by_id(k->store, a, o.partner_id, &p, err)))
                break;
            opp = e->opp;
        }
        rc = add_result(t, "note", e->opp, p.name, e->opp, e->seq, e->type, e->text, e->at, err);
    }
    return rc;
}

int kanal_search(kanal *k, const char *text, kanal_table **out, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc || (rc = kanal_text_ok("the search", text, err)))
        return rc;
    char *words = kanal_fold(engine_folder(k), text ? text : "");
    if (!words)
        return kanal_error_nomem(err);
    if (!words[0]) {
        free(words);
        return kanal_error_set(err, KANAL_EUSAGE, "nothing to search for: give a word or more");
    }
    kanal_table *t;
    if ((rc = kanal_table_new(&t, "results", "Search", err))) {
        free(words);
        return rc;
    }
    static const struct {
        const char *name, *label;
        kanal_type type;
    } cols[S_COUNT] = {
        { "kind", "kind", KANAL_TYPE_TEXT },       { "id", "id", KANAL_TYPE_INT },
        { "partner", "partner", KANAL_TYPE_TEXT }, { "opp", "opp", KANAL_TYPE_INT },
        { "seq", "event", KANAL_TYPE_INT },        { "field", "in", KANAL_TYPE_TEXT },
        { "text", "text", KANAL_TYPE_TEXT },       { "at", "at", KANAL_TYPE_TIME }
    };
    for (size_t i = 0; i < S_COUNT && !rc; i++)
        if (kanal_table_add_column(t, cols[i].name, cols[i].type, cols[i].label))
            rc = kanal_error_nomem(err);
    /* a rep: their own partners and the notes on their own opportunities */
    const char *owner = k->is_manager || k->is_admin ? NULL : k->actor.id;
    if (!rc && (kanal_table_add_filter(t, "text", text) ||
                (owner && kanal_table_add_filter(t, "owner", owner))))
        rc = kanal_error_nomem(err);
    kanal_arena *a = rc ? NULL : kanal_arena_new();
    if (!rc && !a)
        rc = kanal_error_nomem(err);
    if (!rc)
        rc = search_partners(k, a, owner, words, t, err);
    if (!rc)
        rc = search_contacts(k, a, owner, words, t, err);
    if (!rc)
        rc = search_notes(k, a, owner, words, t, err);
    kanal_arena_free(a);
    free(words);
    if (rc) {
        kanal_table_free(t);
        return rc;
    }
    *out = t;
    return KANAL_OK;
}
