/*
** events.c — reading the log back: an event's data as people read it, and
** the steps of the history export, computed here from the events the store
** returns (the same way for every backend; the types come from
** kanal/events.h).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/engine.h"

/* A JSON value as text: strings as they are, true/false, null as "-". */
static void value_text(kanal_buf *b, json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        kanal_buf_add(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_TRUE:
        kanal_buf_puts(b, "true");
        break;
    case JSON_FALSE:
        kanal_buf_puts(b, "false");
        break;
    case JSON_NULL:
        kanal_buf_puts(b, "-");
        break;
    case JSON_INTEGER:
        kanal_buf_printf(b, "%lld", (long long)json_integer_value(v));
        break;
    default: {
        char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        kanal_buf_puts(b, text ? text : "?");
        free(text);
    }
    }
}

int engine_event_summary(kanal_arena *a, const char *data, const char **out, kanal_error *err)
{
    json_error_t jerr;
    json_t *root = json_loads(data, JSON_DECODE_ANY, &jerr);
    *out = NULL;
    if (!root)
        return kanal_error_set(err, KANAL_ESTORAGE, "an event's data is not JSON: %s",
                               jerr.text);
    kanal_buf b = KANAL_BUF_INIT;
    const char *key;
    json_t *v;
    bool first = true;
    if (json_is_object(root)) {
        json_object_foreach(root, key, v) {
            kanal_buf_printf(&b, "%s%s=", first ? "" : ", ", key);
            value_text(&b, v);
            first = false;
        }
    }
    json_decref(root);
    if (b.oom || (b.len && !(*out = kanal_arena_strndup(a, b.data, b.len)))) {
        kanal_buf_release(&b);
        return kanal_error_nomem(err);
    }
    kanal_buf_release(&b);
    return KANAL_OK;
}

/* The text of member key of a JSON object, in the arena (NULL: absent or null). */
static const char *member(kanal_arena *a, json_t *obj, const char *key, bool *oom)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    kanal_buf b = KANAL_BUF_INIT;
    value_text(&b, v);
    const char *s = b.oom ? NULL : kanal_arena_strndup(a, b.data ? b.data : "", b.len);
    if (!s)
        *oom = true;
    kanal_buf_release(&b);
    return s;
}

static int by_partner_id(const void *x, const void *y)
{
    const kanal_partner *a = x, *b = y;
    return a->id < b->id ? -1 : a->id > b->id;
}

static int by_opp_id(const void *x, const void *y)
{
    const store_opp_row *a = x, *b = y;
    return a->id < b->id ? -1 : a->id > b->id;
}

static const char *partner_name(const kanal_partner *ps, size_t n, int64_t id)
{
    kanal_partner key = { .id = id };
    const kanal_partner *p = bsearch(&key, ps, n, sizeof *ps, by_partner_id);
    return p ? p->name : NULL;
}

/*
** The seq that event `seq` of opportunity opp gets when a history export is
** replayed: the replay makes again every step exported and every step those
** cause (a reassignment, a rules' change), not the events without a verb that
** no step causes (a migration), so those before it are
** counted out. A void names the event it voids by this seq.
*/
static int64_t replayed_seq(const store_event *events, size_t n, int64_t opp, int64_t seq)
{
    int64_t dropped = 0;
    for (size_t i = 0; i < n; i++) {
        if (events[i].opp != opp || events[i].seq >= seq)
            continue;
        kanal_event_type t = kanal_event_type_of(events[i].type);
        if (!kanal_event_verb(t) && t != KANAL_EV_REASSIGNED)
            dropped++;
    }
    return seq - dropped;
}

int engine_export_history(kanal *k, kanal_table *t, kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    kanal_partner *partners;
    store_opp_row *opps;
    store_event *events;
    size_t n_partners, n_opps, n_events;
    store_opp_filter all = { .status = KANAL_STATUS_COUNT };
    int rc = store_partners_list(k->store, a, NULL, NULL, &partners, &n_partners, err);
    if (!rc)
        rc = store_opps_list(k->store, a, &all, &opps, &n_opps, err);
    if (!rc)
        rc = store_events_all(k->store, a, &events, &n_events, err);
    bool oom = false;
    for (size_t i = 0; !rc && !oom && i < n_events; i++) {
        const store_event *e = &events[i];
        kanal_event_type type = kanal_event_type_of(e->type);
        const char *verb = kanal_event_verb(type);
        /* a reassignment is one step of the partner, not one of each opportunity */
        if (!verb || (e->opp == 0) != (type == KANAL_EV_PARTNER_REASSIGNED))
            continue;
        json_t *d = json_loads(e->data, 0, NULL);
        if (!d) {
            rc = kanal_error_set(err, KANAL_ESTORAGE, "an event's data is not JSON");
            break;
        }
        /* what the steps cause by themselves is left out: the replay causes it again */
        bool caused = member(a, d, "source", &oom) ||
                      (type == KANAL_EV_GOAL_DONE && member(a, d, "activity", &oom));
        if (!caused) {
            int64_t pid = 0;
            if (e->opp) {
                store_opp_row key = { .id = e->opp };
                const store_opp_row *o = bsearch(&key, opps, n_opps, sizeof *opps, by_opp_id);
                pid = o ? o->partner_id : 0;
            } else {
                json_t *p = json_object_get(d, "partner_id");
                pid = json_is_integer(p) ? (int64_t)json_integer_value(p) : 0;
            }
            const char *name = partner_name(partners, n_partners, pid);
            const char *owner = type == KANAL_EV_CREATED ? member(a, d, "owner", &oom) : e->actor;
            const char *arg_key = kanal_event_arg(type);
            const char *arg = arg_key ? member(a, d, arg_key, &oom) : NULL;
            kanal_buf field = KANAL_BUF_INIT;
            if (type == KANAL_EV_FIELD_SET || type == KANAL_EV_FIELD_CLEARED) {
                /* a field's step is FIELD=VALUE, cleared when VALUE is empty */
                const char *value = member(a, d, "value", &oom);
                kanal_buf_printf(&field, "%s=%s", arg ? arg : "", value ? value : "");
                arg = field.oom ? NULL : kanal_arena_strndup(a, field.data, field.len);
                oom |= !arg;
            } else if (type == KANAL_EV_VOIDED) {
                /* the seq the voided event gets when the export is replayed */
                json_t *v = json_object_get(d, "seq");
                int64_t seq = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
                kanal_buf_printf(&field, "%lld",
                                 (long long)replayed_seq(events, n_events, e->opp, seq));
                arg = field.oom ? NULL : kanal_arena_strndup(a, field.data, field.len);
                oom |= !arg;
            } else if (type == KANAL_EV_DEAL_ADDED) {
                /* a deal is CLIENT=VALUE, the value as the user writes it (12500.50) */
                json_t *v = json_object_get(d, "value");
                char money[32];
                engine_money_format(
                    json_is_number(v) ? (int64_t)llround(json_number_value(v) * 100) : 0, money);
                kanal_buf_printf(&field, "%s=%s", arg ? arg : "", money);
                arg = field.oom ? NULL : kanal_arena_strndup(a, field.data, field.len);
                oom |= !arg;
            }
            kanal_buf_release(&field);
            if (name &&
                (kanal_table_add_row(t) || kanal_table_set(t, 0, name) ||
                 kanal_table_set(t, 1, e->workflow ? e->workflow : "") ||
                 kanal_table_set(t, 2, owner) || kanal_table_set(t, 3, e->at) ||
                 kanal_table_set(t, 4, verb) || kanal_table_set(t, 5, arg) ||
                 kanal_table_set(t, 6,
                                 member(a, d, type == KANAL_EV_VOIDED ? "reason" : "note", &oom)) ||
                 kanal_table_set(t, 7, e->actor) || kanal_table_set(t, 8, e->login)))
                oom = true;
        }
        json_decref(d);
    }
    if (!rc && oom)
        rc = kanal_error_nomem(err);
    kanal_arena_free(a);
    return rc;
}

int engine_export_partners(kanal *k, kanal_table *t, kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    kanal_partner *partners;
    store_event *events;
    size_t n_partners, n_events;
    int rc = store_partners_list(k->store, a, NULL, NULL, &partners, &n_partners, err);
    if (!rc)
        rc = store_events_all(k->store, a, &events, &n_events, err);
    /* each partner's owner as it was given when it was added: the history's
       steps (claims, reassignments) bring it to the current one */
    const char **added_owner = calloc(n_partners + 1, sizeof *added_owner);
    bool oom = !added_owner;
    for (size_t i = 0; !rc && !oom && i < n_events; i++) {
        if (events[i].opp || kanal_event_type_of(events[i].type) != KANAL_EV_PARTNER_ADDED)
            continue;
        json_t *d = json_loads(events[i].data, 0, NULL);
        json_t *p = d ? json_object_get(d, "partner_id") : NULL;
        if (json_is_integer(p)) {
            kanal_partner key = { .id = (int64_t)json_integer_value(p) };
            const kanal_partner *found =
                bsearch(&key, partners, n_partners, sizeof *partners, by_partner_id);
            if (found)
                added_owner[found - partners] = member(a, d, "owner", &oom);
        }
        json_decref(d);
    }
    for (size_t i = 0; !rc && !oom && i < n_partners; i++) {
        const kanal_partner *p = &partners[i];
        oom = kanal_table_add_row(t) || kanal_table_set(t, 0, p->name) ||
              kanal_table_set(t, 1, p->type) || kanal_table_set(t, 2, added_owner[i]) ||
              kanal_table_set(t, 3, p->email) || kanal_table_set(t, 4, p->phone) ||
              kanal_table_set(t, 5, p->city) || kanal_table_set(t, 6, p->tax_id);
    }
    if (!rc && oom)
        rc = kanal_error_nomem(err);
    free(added_owner);
    kanal_arena_free(a);
    return rc;
}
