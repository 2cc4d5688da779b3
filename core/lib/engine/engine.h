/*
** engine.h — what the engine's modules share: the handle and the helpers
** every operation uses (transactions, permissions, times, events).
*/
#ifndef KANAL_ENGINE_H
#define KANAL_ENGINE_H

#include "base/base.h"
#include "kanal/kanal.h"
#include "def/fields.h"
#include "rules/rules.h"
#include "store/store.h"

/* A loaded workflow version, kept for the life of the handle. */
typedef struct def_entry {
    kanal_workflow *wf;
    kanal_workflow_version ver;  /* strings in arena */
    kanal_arena *arena;
    struct rules *rules;         /* the Lua state, loaded on first use */
    kanal_buf compiled;          /* the rules compiled once: each step's new state loads them */
} def_entry;

struct kanal {
    store *store;
    rules_host hooks;            /* what the rules may read and do, through the engine */
    long long rules_spent_ns;    /* the rules' time in the transaction under way */
    char *path;
    char *login;                 /* the operating-system login running this process */
    bool log_unprotected;        /* the append-only triggers are gone: warn once */
    bool unpublished;            /* kanal_init: the new database is not at its path yet */
    /* the acting user */
    kanal_arena *actor_arena;
    kanal_user actor;
    bool has_actor, is_admin, is_manager;
    int64_t now;                 /* 0: the clock */
    def_entry **defs;            /* each allocated once: its address never changes */
    size_t n_defs, cap_defs;
    /* what the last operation has to tell the user (rules' hints) */
    kanal_buf hints;
    size_t n_hints;
    kanal_buf log;               /* kanal.log() lines of the rules, NUL-separated */
    size_t n_log;
    kanal_buf trace;             /* the Lua traceback of the last rules error */
    kanal_buf warnings;          /* listeners that failed, NUL-separated */
    size_t n_warnings;
    /* Events recorded but not yet committed, for the plugins' listeners;
       marks[d] is how many there were when depth d began. */
    kanal_plugins *plugins;
    struct pending_event *pending;
    size_t n_pending, cap_pending;
    size_t marks[64];
    /* search: the folder of text (built on first use), and whether partners are named
       exactly (an import's rows: a name is never guessed) */
    kanal_folder *folder;
    bool folder_tried, exact_partners;
};

/* ---- kanal.c ---- */

/* The folder of text for searches and names (NULL when ICU cannot make one: then
   only case and blanks are folded). */
kanal_folder *engine_folder(kanal *k);

/* Today as the user's calendar has it (local time, $TZ), YYYY-MM-DD: a next contact
   before it is overdue. */
void engine_today(kanal *k, char day[11]);

/* Starts an operation's transaction (a savepoint inside kanal_begin). */
int engine_op_begin(kanal *k, kanal_error *err);
/* Ends it: commits when rc is KANAL_OK, else rolls back. Returns rc, or the
   commit's failure. */
int engine_op_end(kanal *k, int rc, kanal_error *err);

/* User ids are login names, so a little wider than definition ids:
   [a-z0-9][a-z0-9._-]*, at most KANAL_ID_MAX characters. */
bool engine_user_id_valid(const char *id);

int engine_need_actor(kanal *k, kanal_error *err);
int engine_need_admin(kanal *k, const char *doing, kanal_error *err);
int engine_need_manager(kanal *k, const char *doing, kanal_error *err);
/* A user named in a filter exists, else KANAL_ENOTFOUND with a suggestion (a typo is
   not an empty list). */
int engine_user_known(kanal *k, const char *id, kanal_error *err);

/* The definition of a workflow version (0: latest), cached: borrowed, valid until k is
   closed, however many others are loaded after it. */
int engine_def_get(kanal *k, const char *workflow, int version, def_entry **out, kanal_error *err);

/*
** The time of a step: `at` parsed (NULL: now), never in the future, and for
** an opportunity never before its latest event. Written into out.
*/
int engine_step_time(kanal *k, const kanal_opp *o, const char *at, char out[KANAL_TIME_LEN],
                     kanal_error *err);
void engine_now_text(kanal *k, char out[KANAL_TIME_LEN]);

/*
** Appends an event to the log: of the opportunity o (which gets its next
** sequence number), or of nothing when o is NULL. data is a JSON object.
*/
int engine_record_event(kanal *k, kanal_opp *o, kanal_event_type type, const char *at,
                        kanal_buf *data, kanal_error *err);

/* ---- workflows.c ---- */

/* The latest version of a workflow; "unknown workflow" (with a suggestion) if none. */
int engine_workflow_latest(kanal *k, const char *id, def_entry **out, kanal_error *err);

/*
** When an opportunity's version lacks `id` (a goal, an activity type, a lost
** reason, a field: `what`) and a newer version of its workflow has it, says so
** and how to move it ("lost reason 'price' is not in version 1 of 'x', which
** opportunity 4 follows (it is in version 4: kanal workflow migrate x --to 4)")
** and returns KANAL_ENOTFOUND; else KANAL_OK, and writes into ctx (size
** 160) the words that place an unknown name ("in workflow 'x'", or "in
** version 1 of workflow 'x', which opportunity 4 follows" for an older one).
*/
int engine_version_lacks(kanal *k, const kanal_opp *o, const char *what, const char *id,
                         int (*index)(const kanal_workflow *, const char *), char *ctx,
                         kanal_error *err);

/* ---- versions.c ---- */

/* Open opportunities of workflow id on versions before `version`. */
int engine_open_before(kanal *k, const char *id, int version, int64_t *n, kanal_error *err);

/* ---- partners.c ---- */

/* An active user; "unknown user" or "deactivated" otherwise. */
int engine_active_user(kanal *k, kanal_arena *a, const char *id, kanal_user *out, kanal_error *err);
/* A partner by its id or its exact name, with a hint when only the case differs. */
int engine_partner_find(kanal *k, kanal_arena *a, const char *ref, kanal_partner *out,
                        kanal_error *err);
/* Whether u holds a role of wf's owner_roles; EREFUSED saying why not. */
int engine_owner_fits(const kanal_workflow *wf, const kanal_user *u, kanal_error *err);

/* ---- hooks (kanal.c) ---- */

/*
** Calls a hook of the rules of c->opp's workflow version, if it has rules
** and defines the hook. The rules' Lua state is made on first use within an
** operation and dropped when the operation ends.
*/
int engine_run_hook(kanal *k, hook_call *c, kanal_error *err);
/* Fills k->hooks: the engine's side of the rules (hooks.c). */
void engine_hooks_host_init(kanal *k);

/*
** Records an event whose data is an object of text values, given as key,
** value pairs ending with a NULL key; pairs whose value is NULL are left out.
*/
int engine_record_text_event(kanal *k, kanal_opp *o, kanal_event_type type, const char *at,
                             kanal_error *err, ...);

/* ---- events.c ---- */

/* An event's data as people read it: "key=value, ..." (NULL when it has none). */
int engine_event_summary(kanal_arena *a, const char *data, const char **out, kanal_error *err);
/* The rows of `kanal export FORMAT events` and `... partners` (see kanal_export_run). */
int engine_export_history(kanal *k, kanal_table *t, kanal_error *err);
int engine_export_partners(kanal *k, kanal_table *t, kanal_error *err);

/* ---- contacts.c ---- */

/* The rows of `kanal export FORMAT contacts`: partner, name, role, email, phone. */
int engine_export_contacts(kanal *k, kanal_table *t, kanal_error *err);

/* ---- opps.c ---- */

/* Reads an opportunity that the actor may see / change (open, owned or managed). */
int engine_opp_load(kanal *k, int64_t id, kanal_opp **out, kanal_error *err);
int engine_opp_load_for_change(kanal *k, int64_t id, kanal_opp **out, kanal_error *err);

/* The state of goal gi of o (which must belong to o's workflow). */
void engine_goal_status(const kanal_opp *o, size_t gi, kanal_goal_status *st, kanal_arena *a);

/* ---- deals.c ---- */

/*
** The deals of a partner as they stood on `day` (YYYY-MM-DD): those signed by
** then, by id, with ended_on NULL unless the client had left by then (what
** the rules see through kanal.deals and the commission report reads).
*/
int engine_deals_as_of(kanal *k, kanal_arena *a, int64_t partner_id, const char *day,
                       kanal_deal **out, size_t *n, kanal_error *err);

/*
** The commission the rules of the deal's workflow version give it on `day`
** (0 when they define no commission hook), in hundredths, rounded to the
** nearest (half away from zero). A rule that fails or answers anything but a finite number of at
** least 0 is KANAL_EINVALID naming the rules file, its line and the hook.
*/
int engine_commission(kanal *k, const kanal_deal *d, const kanal_partner *p, const char *day,
                      const char *at, int64_t *cents, kanal_error *err);

/* Frees the rules' Lua states: the next hook gets a fresh one (an operation's end). */
void engine_rules_release(kanal *k);
/* Starts what the rules of an operation that is no step keep (a report): no hints,
   no log lines, no time spent yet. */
void engine_rules_begin(kanal *k);

/*
** An amount of money as the user writes it: digits, and at most two decimals
** after a point ("12500", "12500.5", "12500.50"); KANAL_EINVALID naming
** `what` otherwise. *cents is it in hundredths.
*/
int engine_money_parse(const char *what, const char *text, int64_t *cents, kanal_error *err);
/* Hundredths as "12500.50". */
void engine_money_format(int64_t cents, char out[32]);

/* Ends the partner's deal with that client that has not ended (kanal import's deal_end). */
int engine_deal_end_client(kanal *k, const char *partner, const char *client, const char *ended_on,
                           kanal_error *err);

/* ---- steps.c ---- */

/* Stores field fi's new canonical value (NULL clears it) and records the
   change, unless nothing changes. `source` names who set it (a rule), or NULL. */
int engine_set_field(kanal *k, kanal_opp *o, size_t fi, const char *value, const char *at,
                     const char *source, kanal_error *err);

/* FIELD=VALUE assignments, checked against o's workflow, not yet applied. */
typedef struct field_sets {
    int *fields;        /* indexes into wf->fields */
    char **values;      /* canonical values; NULL clears */
    size_t n;
} field_sets;

int engine_sets_parse(kanal *k, const kanal_opp *o, const char *const *sets, size_t n,
                      field_sets *out, kanal_error *err);
int engine_sets_apply(kanal *k, kanal_opp *o, const field_sets *s, const char *at,
                      kanal_error *err);
void engine_sets_release(field_sets *s);

/* ---- record.c ---- */

/* The latest closed opportunity of a partner in a workflow, or 0 (kanal import's reopen). */
int engine_opp_closed_latest(kanal *k, int64_t partner_id, const char *workflow, int64_t *id,
                             kanal_error *err);

/* ---- void.c ---- */

/* Sets each event's voided_by from the `voided` events among them (history). */
void engine_history_voided(kanal_event *events, size_t n);

/* A folded, trimmed, single-spaced copy of a partner name (caller frees). */
char *engine_partner_name_key(const char *name);

#endif
