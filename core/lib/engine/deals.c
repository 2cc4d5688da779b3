/*
** deals.c — the clients a won partner brings (Example 1: the referral fee is
** paid per client, and only for clients who stay). A deal belongs to the
** partner's latest won opportunity when it is recorded: its events go into
** that opportunity's log, and the rules of that opportunity's workflow
** version compute its commission (hooks.c, the commission report).
**
** A deal's dates are the business's calendar days, not the times of steps:
** the day the client signed and the day the client left may be any day up to
** today, before the opportunity's latest event too. The events are dated on
** those days (at midnight UTC), so that the log says when it happened.
*/
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"

/* The largest value taken: 13 digits before the point keep every hundredth exact. */
#define MAX_WHOLE_DIGITS 13

int engine_money_parse(const char *what, const char *text, int64_t *cents, kanal_error *err)
{
    const char *p = text ? text : "";
    size_t whole = strspn(p, "0123456789"), frac = 0;
    if (p[whole] == '.')
        frac = strspn(p + whole + 1, "0123456789");
    size_t len = whole + (p[whole] == '.' ? 1 + frac : 0);
    if (whole == 0 || p[len] != '\0' || (p[whole] == '.' && (frac == 0 || frac > 2)) ||
        whole > MAX_WHOLE_DIGITS)
        return kanal_error_set(err, KANAL_EINVALID,
                               "invalid %s '%s': write an amount such as 12500 or 12500.50 (at "
                               "most %d digits and two decimals, no sign, no separators)",
                               what, p, MAX_WHOLE_DIGITS);
    int64_t v = 0;
    for (size_t i = 0; i < whole; i++)
        v = v * 10 + (p[i] - '0');
    v *= 100;
    if (frac >= 1)
        v += (p[whole + 1] - '0') * 10;
    if (frac == 2)
        v += p[whole + 2] - '0';
    *cents = v;
    return KANAL_OK;
}

void engine_money_format(int64_t cents, char out[32])
{
    snprintf(out, 32, "%" PRId64 ".%02" PRId64, cents / 100, cents % 100);
}

/* Today's date where Kanal runs (its local calendar), as YYYY-MM-DD. */
static void today(kanal *k, char out[11])
{
    time_t now = (time_t)kanal_now(k);
    struct tm tm;
    if (!localtime_r(&now, &tm))
        gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* A business day given by the user: YYYY-MM-DD, a real date, not after today. */
static int day_arg(kanal *k, const char *what, const char *text, kanal_error *err)
{
    if (!text || !kanal_date_valid(text))
        return kanal_error_set(err, KANAL_EINVALID, "invalid %s '%s': write the day as YYYY-MM-DD",
                               what, text ? text : "");
    char t[11];
    today(k, t);
    if (strcmp(text, t) > 0)
        return kanal_error_set(err, KANAL_EINVALID, "%s %s is in the future (today is %s)", what,
                               text, t);
    return KANAL_OK;
}

/* Whether the actor may record the deals of partner p: its owner, a manager, an admin. */
static int may_record(kanal *k, const kanal_partner *p, kanal_error *err)
{
    if (k->is_manager || k->is_admin || (p->owner && strcmp(p->owner, k->actor.id) == 0))
        return KANAL_OK;
    return kanal_error_set(err, KANAL_EREFUSED,
                           "partner '%s' is owned by %s: only its owner or a manager records "
                           "its deals (you are '%s')",
                           p->name, p->owner ? p->owner : "nobody", k->actor.id);
}

/*
** The opportunity a deal's event goes to, read as far as the log needs it
** (its workflow version, latest event and sequence number): a partner's new
** owner may not see the rest of an opportunity someone else won.
*/
static int event_opp(kanal *k, kanal_arena *a, int64_t id, kanal_opp *o, kanal_error *err)
{
    store_opp_row r;
    int rc = store_opp_get(k->store, a, id, &r, err);
    if (rc == KANAL_ENOTFOUND)
        return kanal_error_set(err, KANAL_ESTORAGE, "the opportunity %lld of a deal is missing",
                               (long long)id);
    if (rc)
        return rc;
    memset(o, 0, sizeof *o);
    o->id = r.id;
    o->workflow = r.workflow;
    o->version = r.version;
    o->owner = r.owner;
    o->status = r.status;
    o->last_event_at = r.last_event_at;
    o->last_seq = r.last_seq;
    o->arena_ = a;
    return KANAL_OK;
}

/* A day's event time: its midnight, UTC. */
static void day_time(const char *day, char out[KANAL_TIME_LEN])
{
    snprintf(out, KANAL_TIME_LEN, "%.10sT00:00:00Z", day);
}

/* A client's name as stored: without blanks around it; empty is no name. */
static char *client_name(kanal_arena *a, const char *client, kanal_error *err)
{
    const char *s = client ? client : "";
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n) {
        kanal_error_set(err, KANAL_EINVALID, "a deal needs the client's name");
        return NULL;
    }
    char *copy = kanal_arena_strndup(a, s, n);
    if (!copy)
        kanal_error_nomem(err);
    return copy;
}

int kanal_deal_add(kanal *k, const char *partner, const char *client, const char *value,
                   const char *signed_on, int64_t *id, kanal_error *err)
{
    int64_t cents = 0;
    int rc = engine_need_actor(k, err);
    if (rc || (rc = kanal_text_ok("the client's name", client, err)) ||
        (rc = engine_money_parse("value", value, &cents, err)) ||
        (rc = day_arg(k, "signing date", signed_on, err)))
        return rc;
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    const char *name = client_name(a, client, err);
    if (!name) {
        kanal_arena_free(a);
        return err->code;
    }
    if ((rc = engine_op_begin(k, err))) {
        kanal_arena_free(a);
        return rc;
    }
    kanal_partner p;
    int64_t opp = 0, open = 0;
    if ((rc = engine_partner_find(k, a, partner, &p, err)) ||
        (rc = store_opp_won_latest(k->store, p.id, &opp, err)))
        goto done;
    if (!opp) {
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "partner '%s' has no won opportunity: deals are the clients of won "
                             "partners",
                             p.name);
        goto done;
    }
    if ((rc = may_record(k, &p, err)))
        goto done;
    if ((rc = store_deal_open_for(k->store, p.id, name, &open, err)))
        goto done;
    if (open) {
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "client '%s' of partner '%s' already has a deal that has not ended "
                             "(deal %lld)",
                             name, p.name, (long long)open);
        goto done;
    }
    char now[KANAL_TIME_LEN], at[KANAL_TIME_LEN];
    engine_now_text(k, now);
    day_time(signed_on, at);
    kanal_deal d = { .partner_id = p.id,
                     .opp = opp,
                     .client = name,
                     .value_cents = cents,
                     .signed_on = signed_on,
                     .created_at = now,
                     .created_by = k->actor.id };
    kanal_opp o;
    if ((rc = store_deal_insert(k->store, &d, id, err)) || (rc = event_opp(k, a, opp, &o, err)))
        goto done;
    kanal_buf data = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &data);
    kanal_json_object(&j);
    kanal_json_key(&j, "deal_id");
    kanal_json_int(&j, *id);
    kanal_json_key(&j, "partner_id");
    kanal_json_int(&j, p.id);
    kanal_json_key(&j, "client");
    kanal_json_str(&j, name);
    kanal_json_key(&j, "value");
    char money[32];
    engine_money_format(cents, money);
    kanal_json_raw(&j, money);
    kanal_json_key(&j, "signed");
    kanal_json_str(&j, signed_on);
    kanal_json_end_object(&j);
    rc = engine_record_event(k, &o, KANAL_EV_DEAL_ADDED, at, &data, err);
    kanal_buf_release(&data);
done:
    kanal_arena_free(a);
    return engine_op_end(k, rc, err);
}

/* Ends deal d (read by the caller, inside the operation's transaction). */
static int end_deal(kanal *k, kanal_arena *a, const kanal_deal *d, const char *ended_on,
                    kanal_error *err)
{
    kanal_partner p;
    int rc = store_partner_by_id(k->store, a, d->partner_id, &p, err);
    if (rc || (rc = may_record(k, &p, err)))
        return rc;
    if (d->ended_on)
        return kanal_error_set(err, KANAL_EREFUSED, "deal %lld (client '%s') already ended on %s",
                               (long long)d->id, d->client, d->ended_on);
    if (strcmp(ended_on, d->signed_on) < 0)
        return kanal_error_set(err, KANAL_EREFUSED,
                               "deal %lld cannot end on %s, before its client signed (%s)",
                               (long long)d->id, ended_on, d->signed_on);
    kanal_opp o;
    char at[KANAL_TIME_LEN];
    day_time(ended_on, at);
    if ((rc = store_deal_end(k->store, d->id, ended_on, err)) ||
        (rc = event_opp(k, a, d->opp, &o, err)))
        return rc;
    kanal_buf data = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &data);
    kanal_json_object(&j);
    kanal_json_key(&j, "deal_id");
    kanal_json_int(&j, d->id);
    kanal_json_key(&j, "client");
    kanal_json_str(&j, d->client);
    kanal_json_key(&j, "ended");
    kanal_json_str(&j, ended_on);
    kanal_json_end_object(&j);
    rc = engine_record_event(k, &o, KANAL_EV_DEAL_ENDED, at, &data, err);
    kanal_buf_release(&data);
    return rc;
}

int kanal_deal_end(kanal *k, int64_t id, const char *ended_on, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc || (rc = day_arg(k, "end date", ended_on, err)))
        return rc;
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    if ((rc = engine_op_begin(k, err))) {
        kanal_arena_free(a);
        return rc;
    }
    kanal_deal d;
    rc = store_deal_get(k->store, a, id, &d, err);
    if (rc == KANAL_ENOTFOUND)
        rc = kanal_error_set(err, KANAL_ENOTFOUND, "no deal %lld", (long long)id);
    if (!rc)
        rc = end_deal(k, a, &d, ended_on, err);
    kanal_arena_free(a);
    return engine_op_end(k, rc, err);
}

int engine_deal_end_client(kanal *k, const char *partner, const char *client, const char *ended_on,
                           kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc || (rc = day_arg(k, "end date", ended_on, err)))
        return rc;
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    const char *name = client_name(a, client, err);
    if (!name || (rc = engine_op_begin(k, err))) {
        kanal_arena_free(a);
        return name ? rc : (int)err->code;
    }
    kanal_partner p;
    kanal_deal d;
    int64_t id = 0;
    if ((rc = engine_partner_find(k, a, partner, &p, err)) ||
        (rc = store_deal_open_for(k->store, p.id, name, &id, err)))
        goto done;
    if (!id) {
        rc = kanal_error_set(err, KANAL_ENOTFOUND,
                             "partner '%s' has no deal with client '%s' that has not ended", p.name,
                             name);
        goto done;
    }
    if (!(rc = store_deal_get(k->store, a, id, &d, err)))
        rc = end_deal(k, a, &d, ended_on, err);
done:
    kanal_arena_free(a);
    return engine_op_end(k, rc, err);
}

int engine_deals_as_of(kanal *k, kanal_arena *a, int64_t partner_id, const char *day,
                       kanal_deal **out, size_t *n, kanal_error *err)
{
    store_deal_filter f = { .partner_id = partner_id, .signed_by = day };
    int rc = store_deals_list(k->store, a, &f, out, n, err);
    for (size_t i = 0; !rc && i < *n; i++)
        if ((*out)[i].ended_on && strcmp((*out)[i].ended_on, day) > 0)
            (*out)[i].ended_on = NULL; /* the client had not left yet */
    return rc;
}

/* The most a commission may be, in the deal's units: every hundredth stays exact. */
#define MAX_COMMISSION 1e13

int engine_commission(kanal *k, const kanal_deal *d, const kanal_partner *p, const char *day,
                      const char *at, int64_t *cents, kanal_error *err)
{
    hook_call c = { .hook = HOOK_commission,
                    .workflow = d->workflow,
                    .version = d->version,
                    .deal = d,
                    .partner = p,
                    .as_of = day,
                    .at = at };
    int rc = engine_run_hook(k, &c, err);
    if (rc)
        return rc;
    if (c.figure > MAX_COMMISSION)
        return kanal_error_set(err, KANAL_EINVALID,
                               "rules error in hook 'commission' of %s v%d: the commission of "
                               "deal %lld is %.14g, more than Kanal counts (%.0f)",
                               d->workflow, d->version, (long long)d->id, c.figure, MAX_COMMISSION);
    /* to the nearest hundredth, half away from zero, once the binary noise of
       the rule's arithmetic is gone (12500.50 x 0.15 is 1875.0749999999998 in
       doubles, and 1875.08 to an accountant) */
    *cents = (int64_t)llround(nearbyint(c.figure * 100 * 1e4) / 1e4);
    return KANAL_OK;
}

void engine_rules_begin(kanal *k)
{
    kanal_buf_reset(&k->hints);
    kanal_buf_reset(&k->log);
    kanal_buf_reset(&k->trace);
    k->n_hints = k->n_log = 0;
    k->rules_spent_ns = 0;
}

/* ---- the list ------------------------------------------------------------------------- */

int kanal_deal_list(kanal *k, const char *partner, kanal_table **out, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc)
        return rc;
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    bool staff = k->is_manager || k->is_admin;
    store_deal_filter f = { .owner = staff ? NULL : k->actor.id };
    kanal_table *t = NULL;
    kanal_partner p = { 0 };
    if (partner) {
        if ((rc = engine_partner_find(k, a, partner, &p, err)))
            goto done;
        if (!staff && !(p.owner && strcmp(p.owner, k->actor.id) == 0)) {
            rc = kanal_error_set(err, KANAL_EREFUSED,
                                 "partner '%s' is owned by %s: you ('%s') see the deals of your "
                                 "own partners only",
                                 p.name, p.owner ? p.owner : "nobody", k->actor.id);
            goto done;
        }
        f.partner_id = p.id;
    }
    if ((rc = kanal_table_new(&t, "deals", "Deals", err)))
        goto done;
    static const struct {
        const char *name, *label;
        kanal_type type;
    } cols[] = {
        { "id", "id", KANAL_TYPE_INT },           { "partner", "partner", KANAL_TYPE_TEXT },
        { "client", "client", KANAL_TYPE_TEXT },  { "value", "value", KANAL_TYPE_NUMBER },
        { "signed", "signed", KANAL_TYPE_TEXT },  { "ended", "ended", KANAL_TYPE_TEXT },
        { "opportunity", "opp", KANAL_TYPE_INT }, { "workflow", "workflow", KANAL_TYPE_TEXT },
        { "version", "v", KANAL_TYPE_INT }
    };
    for (size_t i = 0; i < KANAL_ARRAY_LEN(cols) && !rc; i++)
        if (kanal_table_add_column(t, cols[i].name, cols[i].type, cols[i].label))
            rc = kanal_error_nomem(err);
    if (!rc && partner && kanal_table_add_filter(t, "partner", p.name))
        rc = kanal_error_nomem(err);
    if (!rc && f.owner && kanal_table_add_filter(t, "owner", f.owner))
        rc = kanal_error_nomem(err);
    kanal_deal *deals = NULL;
    size_t n = 0;
    if (!rc)
        rc = store_deals_list(k->store, a, &f, &deals, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        const kanal_deal *d = &deals[i];
        char money[32];
        engine_money_format(d->value_cents, money);
        if (kanal_table_add_row(t) || kanal_table_set_int(t, 0, d->id) ||
            kanal_table_set(t, 1, d->partner) || kanal_table_set(t, 2, d->client) ||
            kanal_table_set(t, 3, money) || kanal_table_set(t, 4, d->signed_on) ||
            kanal_table_set(t, 5, d->ended_on) || kanal_table_set_int(t, 6, d->opp) ||
            kanal_table_set(t, 7, d->workflow) || kanal_table_set_int(t, 8, d->version))
            rc = kanal_error_nomem(err);
    }
done:
    kanal_arena_free(a);
    if (rc) {
        kanal_table_free(t);
        return rc;
    }
    *out = t;
    return KANAL_OK;
}
