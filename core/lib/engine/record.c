/*
** record.c — correcting the record: a plain note on an opportunity, and the
** reopening of a closed one. Each is one transaction and a new event; the log
** stays append-only.
*/
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"

int kanal_opp_note(kanal *k, int64_t id, const char *text, const char *at, kanal_error *err)
{
    if (!text || !text[0])
        return kanal_error_set(err, KANAL_EUSAGE, "the note is empty");
    int rc = kanal_text_ok("the note", text, err);
    if (rc || (rc = engine_op_begin(k, err)))
        return rc;
    kanal_opp *o = NULL;
    char t[KANAL_TIME_LEN];
    if ((rc = engine_opp_load(k, id, &o, err)))
        goto done;
    if (!k->is_manager && !k->is_admin && strcmp(o->owner, k->actor.id) != 0)
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "opportunity %lld belongs to '%s': only its owner, a manager or "
                             "an admin may note on it",
                             (long long)id, o->owner);
    else if (o->status != KANAL_OPEN)
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "opportunity %lld is closed (%s on %.10s): reopen it to note on it",
                             (long long)id, kanal_status_name(o->status),
                             o->closed_at ? o->closed_at : "?");
    if (!rc && !(rc = engine_step_time(k, o, at, t, err)))
        rc = engine_record_text_event(k, o, KANAL_EV_NOTE, t, err, "text", text, (char *)NULL);
done:
    kanal_opp_free(o);
    return engine_op_end(k, rc, err);
}

int kanal_opp_reopen(kanal *k, int64_t id, const char *note, const char *at, kanal_error *err)
{
    note = note && note[0] ? note : NULL;
    int rc = kanal_text_ok("the note", note, err);
    if (rc || (rc = engine_need_manager(k, "reopen an opportunity", err)) ||
        (rc = engine_op_begin(k, err)))
        return rc;
    kanal_opp *o = NULL;
    char t[KANAL_TIME_LEN];
    int64_t other = 0;
    if ((rc = engine_opp_load(k, id, &o, err)))
        goto done;
    if (o->status == KANAL_OPEN) {
        rc = kanal_error_set(err, KANAL_EREFUSED, "opportunity %lld is open: nothing to reopen",
                             (long long)id);
        goto done;
    }
    if ((rc = store_opp_open_for(k->store, o->partner.id, o->workflow, &other, err)))
        goto done;
    if (other) {
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "partner '%s' already has an open opportunity in workflow '%s' "
                             "(%lld): close it first",
                             o->partner.name, o->workflow, (long long)other);
        goto done;
    }
    if ((rc = engine_step_time(k, o, at, t, err)))
        goto done;
    const char *was = kanal_status_name(o->status);
    /* open again, in a new visit of the stage it was closed in */
    if ((rc = store_opp_close(k->store, o->id, KANAL_OPEN, NULL, NULL, err)) ||
        (rc = store_opp_set_stage(k->store, o->id, o->stage, t, err)))
        goto done;
    rc = engine_record_text_event(k, o, KANAL_EV_REOPENED, t, err, "stage", o->stage, "was", was,
                                  "reason", o->lost_reason, "note", note, (char *)NULL);
done:
    kanal_opp_free(o);
    return engine_op_end(k, rc, err);
}

/* The latest closed opportunity of a partner in a workflow (kanal import's reopen). */
int engine_opp_closed_latest(kanal *k, int64_t partner_id, const char *workflow, int64_t *id,
                             kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    store_opp_filter f = { .workflow = workflow, .status = KANAL_STATUS_COUNT };
    store_opp_row *rows;
    size_t n;
    *id = 0;
    const char *best = NULL;
    int rc = store_opps_list(k->store, a, &f, &rows, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        const store_opp_row *r = &rows[i];
        if (r->partner_id != partner_id || r->status == KANAL_OPEN || !r->closed_at)
            continue;
        int c = best ? strcmp(r->closed_at, best) : 1;
        if (c > 0 || (c == 0 && r->id > *id)) {
            best = r->closed_at;
            *id = r->id;
        }
    }
    kanal_arena_free(a);
    return rc;
}
