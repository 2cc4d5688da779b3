/*
** hooks.c — the engine's side of the rules: running a hook of an
** opportunity's workflow version, and the callbacks through which the rules
** read the record and change the opportunity (rules_host). The Lua host
** knows nothing else of the engine.
*/
#include <string.h>

#include "engine/engine.h"

int engine_run_hook(kanal *k, hook_call *c, kanal_error *err)
{
    def_entry *e;
    c->figure = 0;
    int rc = c->opp ? engine_def_get(k, c->opp->workflow, c->opp->version, &e, err)
                    : engine_def_get(k, c->workflow, c->version, &e, err);
    if (rc || !e->ver.rules)
        return rc;
    if (!e->rules &&
        (rc = rules_open(&e->rules, &k->hooks, e->ver.rules_file ? e->ver.rules_file : "rules",
                         e->ver.rules, &e->wf->limits, &e->compiled, err)))
        return rc;
    return rules_call(e->rules, c, err);
}

static int h_open_count(void *ud, const char *user, const char *workflow, int *n,
                        kanal_error *err)
{
    kanal *k = ud;
    return store_open_count(k->store, user, workflow, n, err);
}

static int h_user(void *ud, kanal_arena *a, const char *id, kanal_user *out, kanal_error *err)
{
    kanal *k = ud;
    return store_user_get(k->store, a, id, out, err);
}

static int h_activities(void *ud, kanal_arena *a, int64_t opp, const char *type,
                        kanal_activity **out, size_t *n, kanal_error *err)
{
    kanal *k = ud;
    return store_activities(k->store, a, opp, type, out, n, err);
}

static int h_deals(void *ud, kanal_arena *a, int64_t partner_id, const char *day, kanal_deal **out,
                   size_t *n, kanal_error *err)
{
    return engine_deals_as_of(ud, a, partner_id, day, out, n, err);
}

static int h_set_field(void *ud, kanal_opp *o, size_t fi, const char *value, const char *at,
                       const char *source, kanal_error *err)
{
    return engine_set_field(ud, o, fi, value, at, source, err);
}

static int h_note(void *ud, kanal_opp *o, const char *text, const char *at, const char *source,
                  kanal_error *err)
{
    return engine_record_text_event(ud, o, KANAL_EV_NOTE, at, err, "text", text, "source", source,
                                    (char *)NULL);
}

static bool h_hint(void *ud, const char *text)
{
    kanal *k = ud;
    if (k->n_hints >= RULES_MAX_HINTS)
        return false;
    kanal_buf_add(&k->hints, text, strlen(text));
    kanal_buf_putc(&k->hints, '\0');
    k->n_hints++;
    return true;
}

static bool h_log_room(void *ud)
{
    kanal *k = ud;
    return k->n_log < RULES_MAX_LOG_LINES;
}

static bool h_log(void *ud, const char *line, size_t len)
{
    kanal *k = ud;
    if (!h_log_room(k))
        return false;
    kanal_buf_add(&k->log, line, strnlen(line, len));
    kanal_buf_putc(&k->log, '\0');
    k->n_log++;
    return true;
}

static void h_trace(void *ud, const char *text)
{
    kanal *k = ud;
    kanal_buf_reset(&k->trace);
    kanal_buf_puts(&k->trace, text);
}

void engine_hooks_host_init(kanal *k)
{
    k->hooks = (rules_host){ .ud = k,
                             .open_count = h_open_count,
                             .user = h_user,
                             .activities = h_activities,
                             .deals = h_deals,
                             .set_field = h_set_field,
                             .note = h_note,
                             .hint = h_hint,
                             .log = h_log,
                             .log_room = h_log_room,
                             .trace = h_trace,
                             .spent_ns = &k->rules_spent_ns };
}
