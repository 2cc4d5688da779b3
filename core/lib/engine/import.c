/*
** import.c — what importers and exporters do to the database. An importer's
** rows go through the engine's own operations, acting as the user each row
** names, so that every rule, permission and Lua hook applies exactly as for
** a rep at the command line; the whole import is one transaction, each row a
** savepoint within it.
*/
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/output.h"
#include "plugins/plugins.h"

/* An import under way: the engine, and who imports (each row acts as its user). */
typedef struct import_ctx {
    kanal *k;
    kanal_user importer;
    bool manager;
    void (*progress)(void *ud, long rows);
    void *progress_ud;
    kanal_diags *notes; /* the importer's remarks, or NULL */
    const char *file;
} import_ctx;

/* Acts as `user` for one row; the importer may act for others only as a manager. */
static int act_as(kanal *k, const char *user, const kanal_user *importer, bool manager,
                  kanal_error *err)
{
    if (!user || !user[0])
        return kanal_error_set(err, KANAL_EINVALID, "the row names no user");
    if (strcmp(user, importer->id) != 0 && !manager)
        return kanal_error_set(err, KANAL_EREFUSED,
                               "only a manager may import the steps of another user ('%s')",
                               user);
    if (strcmp(k->actor.id, user) == 0)
        return KANAL_OK;
    int rc = kanal_set_actor(k, user, err);
    /* the advice of the command line (--as, $KANAL_USER) does not fit a row */
    if (rc == KANAL_ENOTFOUND)
        kanal_error_set(err, KANAL_ENOTFOUND, "unknown user '%s'", user);
    else if (rc == KANAL_EREFUSED)
        kanal_error_set(err, KANAL_EREFUSED, "user '%s' is deactivated", user);
    return rc;
}

static int import_partner(void *ud, const kanal_partner_row *row, kanal_error *err)
{
    import_ctx *c = ud;
    kanal_partner_fields f = { row->name, row->type, row->owner, row->email,
                               row->phone, row->city, row->tax_id };
    int64_t id;
    return kanal_partner_add(c->k, &f, &id, err);
}

/* A person at a partner, added by the importer (as `kanal contact add`). */
static int import_contact(void *ud, const kanal_contact_row *row, kanal_error *err)
{
    import_ctx *c = ud;
    kanal_contact_fields f = { row->name, row->role, row->email, row->phone };
    int64_t id;
    if (!row->partner || !row->partner[0])
        return kanal_error_set(err, KANAL_EINVALID, "the row names no partner");
    return kanal_contact_add(c->k, row->partner, &f, &id, err);
}

/* The open opportunity of a partner in a workflow. */
static int open_opp(kanal *k, const kanal_step *s, int64_t *id, kanal_error *err)
{
    def_entry *e;
    int rc = engine_workflow_latest(k, s->workflow, &e, err);
    if (rc)
        return rc;
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    kanal_partner p;
    rc = engine_partner_find(k, a, s->partner, &p, err);
    if (!rc && !(rc = store_opp_open_for(k->store, p.id, s->workflow, id, err)) && !*id)
        rc = kanal_error_set(err, KANAL_ENOTFOUND,
                             "partner '%s' has no open opportunity in workflow '%s'", p.name,
                             s->workflow);
    kanal_arena_free(a);
    return rc;
}

static int reassign_partner(kanal *k, const kanal_step *s, kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    kanal_partner p;
    int np, no;
    int rc = engine_partner_find(k, a, s->partner, &p, err);
    if (!rc && !p.owner)
        rc = kanal_error_set(err, KANAL_EREFUSED, "partner '%s' has no owner to move from",
                             p.name);
    else if (!rc && !(s->arg && s->arg[0]))
        rc = kanal_error_set(err, KANAL_EINVALID, "reassign needs the new owner as its arg");
    else if (!rc && strcmp(p.owner, s->arg) != 0)
        rc = kanal_user_reassign(k, p.owner, s->arg, s->partner, s->at, &np, &no, err);
    kanal_arena_free(a);
    return rc;
}

/*
** A deal's row: the partner's, whatever its workflow; the day is the date of
** `at`; a deal's arg is CLIENT=VALUE (split at the last '=', the value being
** a number), an end's the client, whose deal that has not ended ends.
*/
static int deal_step(kanal *k, const kanal_step *s, kanal_event_type t, const char *arg,
                     kanal_error *err)
{
    char day[11];
    snprintf(day, sizeof day, "%.10s", s->at);
    if (!arg)
        return kanal_error_set(err, KANAL_EINVALID, "'%s' needs an arg (%s)", s->event,
                               t == KANAL_EV_DEAL_ADDED ? "client=value" : "the client");
    if (t == KANAL_EV_DEAL_ENDED)
        return engine_deal_end_client(k, s->partner, arg, day, err);
    const char *eq = strrchr(arg, '=');
    if (!eq)
        return kanal_error_set(err, KANAL_EINVALID,
                               "'%s' needs its arg as client=value (found '%s')", s->event, arg);
    char *client = strndup(arg, (size_t)(eq - arg));
    if (!client)
        return kanal_error_nomem(err);
    int64_t id;
    int rc = kanal_deal_add(k, s->partner, client, eq + 1, day, &id, err);
    free(client);
    return rc;
}

/* A reopening's row: the partner's latest closed opportunity in the workflow opens again. */
static int reopen_step(kanal *k, const kanal_step *s, const char *note, kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    kanal_partner p;
    int64_t id = 0;
    int rc = engine_partner_find(k, a, s->partner, &p, err);
    if (!rc && !(rc = engine_opp_closed_latest(k, p.id, s->workflow, &id, err)) && !id)
        rc = kanal_error_set(err, KANAL_ENOTFOUND,
                             "partner '%s' has no closed opportunity in workflow '%s' to reopen",
                             p.name, s->workflow);
    if (!rc)
        rc = kanal_opp_reopen(k, id, note, s->at, err);
    kanal_arena_free(a);
    return rc;
}

/* A void's row: arg the seq of the event it voids, the note its reason. */
static int void_step(kanal *k, int64_t id, const char *arg, const char *note, const char *at,
                     kanal_error *err)
{
    char *end;
    long long seq = strtoll(arg, &end, 10);
    if (*end || seq <= 0)
        return kanal_error_set(err, KANAL_EINVALID,
                               "'void' needs the seq of the event it voids as its arg (found "
                               "'%s')",
                               arg);
    if (!note)
        return kanal_error_set(err, KANAL_EINVALID, "'void' needs its reason in the note column");
    return kanal_opp_void(k, id, (int64_t)seq, note, at, NULL, err);
}

static int do_step(kanal *k, const kanal_step *s, kanal_error *err)
{
    const char *ev = s->event ? s->event : "";
    const char *arg = s->arg && s->arg[0] ? s->arg : NULL;
    const char *note = s->note && s->note[0] ? s->note : NULL;
    int64_t id = 0;
    int rc;
    if (!s->partner || !s->partner[0])
        return kanal_error_set(err, KANAL_EINVALID, "the row names no partner");
    if (!s->at || !s->at[0])
        return kanal_error_set(err, KANAL_EINVALID, "the row has no time ('at')");
    kanal_event_type t = kanal_event_of_verb(ev);
    if (t == KANAL_EV_PARTNER_REASSIGNED)
        return reassign_partner(k, s, err);
    if (t == KANAL_EV_DEAL_ADDED || t == KANAL_EV_DEAL_ENDED)
        return deal_step(k, s, t, arg, err);
    if (!s->workflow || !s->workflow[0])
        return kanal_error_set(err, KANAL_EINVALID, "the row names no workflow");
    if (t == KANAL_EV_CREATED)
        return kanal_opp_create(k, s->partner, s->workflow, s->user, s->at, &id, err);
    if (t == KANAL_EV_REOPENED)
        return reopen_step(k, s, note, err);
    const char *needs = t == KANAL_EV_GOAL_DONE      ? "the goal"
                        : t == KANAL_EV_ACTIVITY     ? "the activity type"
                        : t == KANAL_EV_FIELD_SET    ? "field=value"
                        : t == KANAL_EV_LOST         ? "the lost reason"
                        : t == KANAL_EV_NOTE         ? "the note's text"
                        : t == KANAL_EV_NEXT_CONTACT ? "the date, YYYY-MM-DD"
                        : t == KANAL_EV_VOIDED       ? "the seq of the event it voids"
                                                     : NULL;
    if (needs && !arg)
        return kanal_error_set(err, KANAL_EINVALID, "'%s' needs an arg (%s)", ev, needs);
    if (t == KANAL_EV_COUNT) {
        /* the verbs of kanal/events.h, in their order */
        kanal_buf verbs = KANAL_BUF_INIT;
        const char *last = NULL;
        size_t n = 0;
        for (int i = 0; i < KANAL_EV_COUNT; i++) {
            const char *v = kanal_event_verb((kanal_event_type)i);
            if (!v || (last && strcmp(v, last) == 0))
                continue;
            if (last)
                kanal_buf_printf(&verbs, "%s%s", n++ ? ", " : "", last);
            last = v;
        }
        kanal_buf_printf(&verbs, " or %s", last ? last : "");
        kanal_error_set(err, KANAL_EINVALID, "unknown event '%s' (expected %s)", ev,
                        kanal_buf_cstr(&verbs));
        kanal_buf_release(&verbs);
        return KANAL_EINVALID;
    }
    if ((rc = open_opp(k, s, &id, err)))
        return rc;
    bool already;
    switch (t) {
    case KANAL_EV_GOAL_DONE:
        return kanal_opp_done(k, id, arg, NULL, 0, note, s->at, &already, err);
    case KANAL_EV_ACTIVITY:
        return kanal_opp_log(k, id, arg, note, s->at, NULL, err);
    case KANAL_EV_FIELD_SET:
        return kanal_opp_set(k, id, &arg, 1, s->at, err);
    case KANAL_EV_ADVANCED:
        return kanal_opp_advance(k, id, s->at, err);
    case KANAL_EV_WON:
        return kanal_opp_win(k, id, s->at, err);
    case KANAL_EV_NOTE:
        return kanal_opp_note(k, id, arg, s->at, err);
    case KANAL_EV_NEXT_CONTACT: return kanal_opp_remind(k, id, arg, note, s->at, err);
    case KANAL_EV_VOIDED: return void_step(k, id, arg, note, s->at, err);
    default:
        return kanal_opp_lose(k, id, arg, note, s->at, err);
    }
}

/*
** The importer's wording of what the engine advises: as rows and columns of
** the history (the command line words the same advice as its flags).
*/
static void advice_as_rows(kanal_error *err)
{
    char tail[KANAL_ERROR_ARG_MAX + 64] = "";
    if (err->advice == KANAL_ADVICE_SET_FIELD)
        snprintf(tail, sizeof tail, ": add a 'set' row with %s=VALUE before this one",
                 err->advice_arg);
    else if (err->advice == KANAL_ADVICE_ADD_NOTE)
        snprintf(tail, sizeof tail, ": write it in the row's note column");
    size_t n = strlen(err->message);
    if (tail[0] && n + strlen(tail) < sizeof err->message)
        memcpy(err->message + n, tail, strlen(tail) + 1);
    err->advice = KANAL_ADVICE_NONE;
}

static int import_step(void *ud, const kanal_step *s, kanal_error *err)
{
    import_ctx *c = ud;
    /* who recorded it: the actor, when the row names one beside the user */
    const char *actor =
        s->size > offsetof(kanal_step, actor) && s->actor && s->actor[0] ? s->actor : s->user;
    int rc = act_as(c->k, actor, &c->importer, c->manager, err);
    if (!rc && (rc = do_step(c->k, s, err)))
        advice_as_rows(err);
    return rc;
}

static void import_notice(void *ud, long line, const char *text)
{
    import_ctx *c = ud;
    if (c->notes)
        kanal_diags_add(c->notes, c->file, (int)line, 0, "%s", text);
}

static void import_progress(void *ud, long rows)
{
    import_ctx *c = ud;
    if (c->progress)
        c->progress(c->progress_ud, rows);
}

int kanal_import_run(kanal *k, kanal_plugins *p, const char *format, const char *what,
                     const char *path, const kanal_import_options *opts, kanal_diags *diags,
                     kanal_import_result *res, kanal_error *err)
{
    static const kanal_import_options defaults = KANAL_IMPORT_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    if (opts->version < 1 || opts->version > KANAL_IMPORT_OPTIONS_VERSION)
        return kanal_error_set(err, KANAL_EUSAGE,
                               "import options of version %u (this library knows version %d)",
                               opts->version, KANAL_IMPORT_OPTIONS_VERSION);
    const char *rejects = opts->rejects;
    bool dry_run = opts->dry_run;
    int rc = engine_need_actor(k, err);
    if (rc)
        return rc;
    memset(res, 0, sizeof *res);
    /* the importer's own identity, kept apart from the actor each row takes */
    kanal_arena *a = kanal_arena_new();
    import_ctx ctx = { .k = k,
                       .manager = k->is_manager,
                       .progress = opts->progress,
                       .progress_ud = opts->progress_ud,
                       .notes = opts->version >= 2 ? opts->notes : NULL,
                       .file = path };
    if (!a)
        return kanal_error_nomem(err);
    if ((rc = store_user_get(k->store, a, k->actor.id, &ctx.importer, err))) {
        kanal_arena_free(a);
        return rc;
    }
    plugins_import_host host = { &ctx,          import_partner, import_step, import_progress,
                                 import_notice, import_contact };
    plugins_import_counts counts;
    /* the rejects go to a temporary file, renamed into place at the end */
    kanal_output_file rej = { .fd = -1 };
    if (rejects && (rc = engine_output_begin(k, rejects, path, &rej, err))) {
        kanal_arena_free(a);
        return rc;
    }
    kanal_import_args args = { sizeof args, what, path, rejects ? rej.tmp : NULL, dry_run,
                               rejects };
    if ((rc = kanal_begin(k, err))) {
        engine_output_abort(&rej);
        kanal_arena_free(a);
        return rc;
    }
    /* the rows name partners exactly: a name is never guessed in a file */
    k->exact_partners = true;
    rc = plugins_import(p, format, &args, &host, diags, path, &counts, err);
    k->exact_partners = false;
    kanal_error restore;
    kanal_set_actor(k, ctx.importer.id, &restore);
    res->rows = counts.rows;
    res->imported = counts.good;
    res->rejected = counts.bad_rows;
    if (!rc && counts.bad_rows && !rejects && !dry_run)
        rc = kanal_error_set(err, KANAL_EINVALID, "nothing was imported: %ld bad row%s",
                             counts.bad_rows, counts.bad_rows == 1 ? "" : "s"),
        kanal_error_advise(err, KANAL_ADVICE_SKIP_BAD, NULL);
    if (rc || dry_run)
        kanal_rollback(k);
    else
        rc = kanal_commit(k, err);
    if (rejects && !rc)
        rc = engine_output_commit(&rej, err);
    else
        engine_output_abort(&rej);
    kanal_arena_free(a);
    return rc;
}

int kanal_export_run(kanal *k, kanal_plugins *p, const char *format, const char *what,
                     kanal_buf *out, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (rc)
        return rc;
    if (!k->is_manager && !k->is_admin)
        return kanal_error_set(err, KANAL_EREFUSED,
                               "only a manager or an admin may export (you are '%s')",
                               k->actor.id);
    /* a damaged record is never exported silently */
    bool found;
    int64_t bad_opp, bad_seq;
    if ((rc = store_events_invalid(k->store, 0, &found, &bad_opp, &bad_seq, err)))
        return rc;
    if (found && bad_opp)
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "the event log is damaged: event %lld of opportunity %lld does "
                               "not hold valid JSON (it was changed outside Kanal); nothing was "
                               "exported",
                               (long long)bad_seq, (long long)bad_opp);
    if (found)
        return kanal_error_set(err, KANAL_ESTORAGE,
                               "the event log is damaged: event #%lld (outside opportunities) "
                               "does not hold valid JSON (it was changed outside Kanal); nothing "
                               "was exported",
                               (long long)bad_seq);
    kanal_table *t = NULL;
    if (strcmp(what, "opportunities") == 0) {
        kanal_opp_filter f = { .detail = true };
        if ((rc = kanal_opp_list(k, &f, &t, err)))
            return rc;
    } else if (strcmp(what, "contacts") == 0) {
        static const char *const ccols[] = { "partner", "name", "role", "email", "phone" };
        if ((rc = kanal_table_new(&t, "contacts", "Contacts", err)))
            return rc;
        for (size_t i = 0; i < KANAL_ARRAY_LEN(ccols) && !rc; i++)
            if (kanal_table_add_column(t, ccols[i], KANAL_TYPE_TEXT, ccols[i]))
                rc = kanal_error_nomem(err);
        if (!rc)
            rc = engine_export_contacts(k, t, err);
    } else if (strcmp(what, "partners") == 0 || strcmp(what, "events") == 0) {
        bool partners = what[0] == 'p';
        static const char *const pcols[] = { "name", "type", "owner", "email", "phone", "city",
                                             "tax_id" };
        /* actor: who recorded the step (a manager's creation for a rep); login: who
           ran the command, for the reader; the importer ignores it */
        static const char *const hcols[] = { "partner", "workflow", "owner", "at",   "event",
                                             "arg",     "note",     "actor", "login" };
        const char *const *cols = partners ? pcols : hcols;
        size_t n_cols = partners ? KANAL_ARRAY_LEN(pcols) : KANAL_ARRAY_LEN(hcols);
        if ((rc = kanal_table_new(&t, partners ? "partners" : "events",
                                  partners ? "Partners" : "History", err)))
            return rc;
        for (size_t i = 0; i < n_cols && !rc; i++)
            if (kanal_table_add_column(t, cols[i], KANAL_TYPE_TEXT, cols[i]))
                rc = kanal_error_nomem(err);
        if (!rc)
            rc = partners ? engine_export_partners(k, t, err) : engine_export_history(k, t, err);
    } else {
        return kanal_error_set(err, KANAL_EUSAGE,
                               "cannot export '%s': choose partners, contacts, opportunities or "
                               "events",
                               what);
    }
    if (!rc)
        rc = plugins_export(p, format, t, out, err);
    kanal_table_free(t);
    return rc;
}
