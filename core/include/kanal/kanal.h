/*
** kanal.h — libkanal, the engine of Kanal: workflow definitions, the store,
** the rep's lifecycle, Lua rules and plugins. The CLI and the tests include
** this header only.
**
** Conventions: functions return a kanal_code (KANAL_OK is 0) and fill a
** kanal_error on failure; constructors return through an `out` parameter that
** comes first; `_free(NULL)` does nothing; the library never prints or exits.
*/
#ifndef KANAL_KANAL_H
#define KANAL_KANAL_H

#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "error.h"
#include "json.h"
#include "plugins.h"
#include "records.h"
#include "table.h"
#include "text.h"
#include "datetime.h"
#include "workflow.h"

/* "0.1.0" */
const char *kanal_version(void);



/* ---- the handle ------------------------------------------------------------ */

/* An open database and who is acting on it. */
typedef struct kanal kanal;

/*
** The database, as a message names it: the file's path, or the server and
** database ("host:port/name") — never a password a location may hold.
*/
const char *kanal_location(const kanal *k);

/*
** Who the database says is acting: on PostgreSQL, the role logged in as
** (kanal_set_actor refuses anyone else); NULL when the database takes whoever
** is named (SQLite, or PostgreSQL's owner of the database).
*/
const char *kanal_identity(const kanal *k);


/*
** Opens the database at path, migrating its schema forward. A missing file
** is KANAL_ENOTFOUND ("no database at 'PATH' (run 'kanal init')"); a file
** from a newer Kanal, or not a Kanal database, is KANAL_ESTORAGE.
** Caller closes with kanal_close.
*/
int kanal_open(kanal **out, const char *path, kanal_error *err);

/*
** Creates a new database at path with its first user, an admin, at time
** `now` (seconds since the epoch; 0: the clock). Refused (KANAL_EREFUSED)
** when the file exists, which is left as it is. The new handle acts as that
** admin, with "now" fixed when `now` was given, and hands its events to the
** listeners of `plugins` (may be NULL), as kanal_set_plugins does.
*/
int kanal_init(kanal **out, const char *path, const char *admin_id, const char *admin_name,
               int64_t now, kanal_plugins *plugins, kanal_error *err);
void kanal_close(kanal *k);

/* Sets the acting user: it must exist (KANAL_ENOTFOUND) and be active (KANAL_EREFUSED). */
int kanal_set_actor(kanal *k, const char *user_id, kanal_error *err);
/* Borrowed; NULL before kanal_set_actor. */
const kanal_user *kanal_actor(const kanal *k);

/* Fixes "now" (seconds since the epoch) for every later step; 0 returns to the clock. */
void kanal_set_now(kanal *k, int64_t now);
int64_t kanal_now(const kanal *k);

/*
** One transaction around several operations (kanal batch --atomic): each
** operation inside becomes a savepoint; kanal_rollback undoes them all.
*/
int kanal_begin(kanal *k, kanal_error *err);
int kanal_commit(kanal *k, kanal_error *err);
void kanal_rollback(kanal *k);

/*
** What the last operation has to tell the user besides its result (hints of
** the rules): `n` lines, NUL-separated. Borrowed until the next operation.
*/
const char *kanal_rules_hints(const kanal *k, size_t *n);

/* The lines the rules logged with kanal.log() in the last operation, likewise. */
const char *kanal_rules_log(const kanal *k, size_t *n);

/* The Lua traceback of the last rules error ("" when none). */
const char *kanal_rules_trace(const kanal *k);

/* ---- workflows -------------------------------------------------------------- */

/*
** Checks a definition completely: kanal_workflow_load_file, then its rules
** in the Lua sandbox under the workflow's limits (syntax, what loading does,
** the table of hooks, hook names). Every problem is in diags; NULL when
** there is any. Caller frees with kanal_workflow_free.
*/
kanal_workflow *kanal_workflow_check_file(const char *path, kanal_diags *diags);

typedef struct kanal_applied {
    char workflow[KANAL_ID_MAX + 1];
    int version;
    bool changed;   /* false: the content was already the latest version */
    int64_t open_older; /* open opportunities left on versions before this one */
    bool restored;      /* it had been retired, and is back in use */
} kanal_applied;

/*
** Checks every file, then stores each as a new version of its workflow,
** all in one transaction. When any file is invalid, nothing is stored: the
** problems are in diags and the result is KANAL_EINVALID. On success *out
** holds n results, in the order of the files (caller frees with free()).
** Needs an admin.
*/
int kanal_workflow_apply(kanal *k, const char *const *files, size_t n, kanal_diags *diags,
                         kanal_applied **out, kanal_error *err);

/*
** A stored workflow version (0: the latest) and its definition, both
** borrowed from the handle until kanal_close.
*/
int kanal_workflow_get(kanal *k, const char *id, int version, const kanal_workflow **wf,
                       const kanal_workflow_version **ver, kanal_error *err);

/* workflows: workflow, version, name, applied_at, applied_by, open. */
int kanal_workflow_list(kanal *k, kanal_table **out, kanal_error *err);

/* versions: version, applied_at, applied_by, hash, source, open, won, lost. */
int kanal_workflow_versions(kanal *k, const char *id, kanal_table **out, kanal_error *err);

/* What kanal_workflow_diff compared, and what changed. */
typedef struct kanal_workflow_diff_result {
    int from, to; /* versions; to is 0 when a file stood for the next one */
    kanal_diff *diff;
} kanal_workflow_diff_result;

/*
** What changed in a workflow from version `from` to version `to`, or to the
** definition in `file` (checked like 'workflow check': problems in diags,
** KANAL_EINVALID). 0 for from and to: the two latest versions; with a file,
** from defaults to the latest. Caller frees out->diff with kanal_diff_free.
*/
int kanal_workflow_diff(kanal *k, const char *id, int from, int to, const char *file,
                        kanal_diags *diags, kanal_workflow_diff_result *out, kanal_error *err);

/*
** What applying the files would do, stored nowhere: for each, its workflow,
** the version it would become (or that it is unchanged), what changed from
** the latest, and how many open opportunities stay on older versions.
** Checks as kanal_workflow_apply does (KANAL_EINVALID, diags). Needs an admin.
*/
typedef struct kanal_preview {
    char workflow[KANAL_ID_MAX + 1];
    int version; /* it would become; the latest when unchanged */
    int latest;  /* 0: a new workflow */
    bool changed;
    kanal_diff *diff;   /* from the latest; NULL for a new workflow */
    int64_t open_older; /* open opportunities on versions before `version` */
} kanal_preview;
int kanal_workflow_preview(kanal *k, const char *const *files, size_t n, kanal_diags *diags,
                           kanal_preview **out, kanal_error *err);
void kanal_previews_free(kanal_preview *p, size_t n);

/* What kanal_workflow_migrate moves, and where. */
typedef struct kanal_migrate_options {
    const char *workflow;
    int to;              /* the version to move to */
    int from;            /* only those on this version (0: every older one) */
    const int64_t *opps; /* only these (n_opps 0: all chosen by version) */
    size_t n_opps;
    const char *const *maps; /* "OLD_STAGE=NEW_STAGE" */
    size_t n_maps;
    bool dry_run;   /* plan and report; change nothing */
    const char *at; /* the time of the move (NULL: now) */
} kanal_migrate_options;

/* One opportunity's move (or why it cannot move). */
typedef struct kanal_opp_migration {
    int64_t opp;
    const char *partner, *owner;
    int from; /* the version it follows */
    const char *stage, *to_stage;
    const char **outstanding; /* goals of its stage in the target, not done */
    size_t n_outstanding;
    const char **waived; /* goals of stages it passed, not required of it */
    size_t n_waived;
    const char **gone; /* goals it completed that the target lacks */
    size_t n_gone;
    const char *problem; /* why it cannot move, or NULL */
} kanal_opp_migration;

typedef struct kanal_migration {
    const char *workflow;
    int to;
    kanal_opp_migration *opps;
    size_t n;
    size_t blocked; /* how many cannot move */
    bool moved;     /* false after a dry run or a refusal */
    struct kanal_migration_priv *priv_;
} kanal_migration;

/*
** Moves open opportunities of a workflow to version `to`, all in one
** transaction: those of older versions (or of `from`, or those named). When
** any cannot move (a stage the target lacks and no map for it, a field value
** its types reject), none moves: KANAL_EREFUSED, and *out lists every
** opportunity with its problem. With dry_run, *out says what would happen and
** nothing changes. *out is set whenever the options were valid (caller frees
** with kanal_migration_free). Needs an admin.
*/
int kanal_workflow_migrate(kanal *k, const kanal_migrate_options *o, kanal_migration **out,
                           kanal_error *err);
void kanal_migration_free(kanal_migration *m);

/*
** Takes a workflow out of use: no new opportunity may follow it; its open
** ones go on, its history and reports stay. Applying it again brings it back.
** Needs an admin.
*/
int kanal_workflow_retire(kanal *k, const char *id, kanal_error *err);

/* ---- users ------------------------------------------------------------------- */

/*
** Adds a user with roles (comma-separated: "channel_rep" or "admin,manager").
** Needs an admin. A user id is lowercase letters, digits, '.', '_' and '-'.
*/
int kanal_user_add(kanal *k, const char *id, const char *name, const char *roles,
                   kanal_error *err);
/* Needs an admin; the last active admin cannot be deactivated. */
int kanal_user_deactivate(kanal *k, const char *id, kanal_error *err);
/* Needs an admin: a deactivated user may act again. */
int kanal_user_activate(kanal *k, const char *id, kanal_error *err);
/* What `kanal user edit` changes: NULL/0 for what stays. */
typedef struct kanal_user_change {
    const char *name;
    bool set_roles; /* roles replace the user's roles */
    const char *const *roles, *const *add, *const *remove;
    size_t n_roles, n_add, n_remove;
} kanal_user_change;

/*
** Needs an admin: renames a user or changes their roles (roles replaced, then
** add, then remove). The last active admin keeps the admin role. One
** user_edited event with each change; *changed is false when nothing changed.
*/
int kanal_user_edit(kanal *k, const char *id, const kanal_user_change *ch, bool *changed,
                    kanal_error *err);

/*
** For each of roles that no applied workflow names in owner_roles (admin and
** manager are built in), a line in out saying so and which roles the workflows
** use: a typo like chanel_rep is accepted, but not silently. Nothing while no
** workflow is applied.
*/
int kanal_roles_unused(kanal *k, const char *const *roles, size_t n, kanal_buf *out,
                       kanal_error *err);

/*
** For each workflow in which user id owns open opportunities that its roles
** no longer allow it to own (after `user edit`), a line in out naming them
** and what to do: reassign them, or give the role back.
*/
int kanal_user_misfits(kanal *k, const char *id, kanal_buf *out, kanal_error *err);
/* users: id, name, roles, active, created_at. */
int kanal_user_list(kanal *k, kanal_table **out, kanal_error *err);

/* ---- partners ---------------------------------------------------------------- */

typedef struct kanal_partner_fields {
    const char *name, *type, *owner, *email, *phone, *city, *tax_id; /* NULL: none */
} kanal_partner_fields;

/*
** Edits a partner (its owner, a manager or an admin): NULL leaves a value as it
** is, "" clears a contact detail; a new name keeps the uniqueness rule. One
** partner_edited event with each change; *changed is false when nothing changed.
*/
int kanal_partner_edit(kanal *k, const char *ref, const kanal_partner_fields *f, bool *changed,
                       kanal_error *err);

/*
** Adds a partner; names are unique regardless of case and spacing. The owner,
** when given, must be the actor unless the actor is a manager.
*/
int kanal_partner_add(kanal *k, const kanal_partner_fields *p, int64_t *id,
                      kanal_error *err);

/* An opportunity in a word, as a partner's page lists it. */
typedef struct kanal_opp_brief {
    int64_t id;
    const char *workflow;
    int version;
    const char *owner;
    kanal_status status;
    const char *stage;            /* the stage it is in, or was closed in */
    const char *closed_at;        /* NULL while open */
    const char *lost_reason;      /* lost: the reason's id, else NULL */
    const char *lost_reason_name; /* lost: the reason's name in its workflow version, or NULL */
    const char *lost_note;        /* lost: the note given with it, or NULL */
} kanal_opp_brief;

/*
** A partner named by its id or its exact name (caller frees with
** kanal_partner_free; everything in it is borrowed from it).
*/
typedef struct kanal_partner_view {
    kanal_partner partner;
    const int64_t *open_opps;  /* its open opportunities */
    size_t n_open_opps;
    struct kanal_arena *arena_;
    /* since schema 8 */
    const kanal_opp_brief *open;   /* indexed like open_opps */
    const kanal_contact *contacts; /* the people at the partner, not removed, by id */
    size_t n_contacts;
    const kanal_opp_brief *past; /* its won and lost opportunities that the actor may
                                    see (a manager or an admin all, a rep their own),
                                    the latest closed first */
    size_t n_past;
} kanal_partner_view;
int kanal_partner_get(kanal *k, const char *ref, kanal_partner_view **out, kanal_error *err);
void kanal_partner_free(kanal_partner_view *p);

/* partners: id, name, type, owner, city, email, phone, tax_id, created_at. */
int kanal_partner_list(kanal *k, const char *owner, const char *type, kanal_table **out,
                       kanal_error *err);

/* ---- contacts: the people at partners ------------------------------------------- */

/* A contact's values: NULL leaves one as it is (none, when adding); "" clears an
   optional one (role, email, phone) when editing. */
typedef struct kanal_contact_fields {
    const char *name, *role, *email, *phone;
} kanal_contact_fields;

/*
** Adds a person at a partner (by id or exact name): needs the partner's
** owner, a manager or an admin, and a name; the e-mail, when given, is an
** address. One contact_added event (outside any opportunity). *id: the
** contact's number.
*/
int kanal_contact_add(kanal *k, const char *partner, const kanal_contact_fields *f, int64_t *id,
                      kanal_error *err);
/*
** Edits a contact (the partner's owner, a manager or an admin); a removed
** contact is refused. One contact_edited event with each change, old and
** new; *changed is false when nothing changed (and nothing is recorded).
*/
int kanal_contact_edit(kanal *k, int64_t id, const kanal_contact_fields *f, bool *changed,
                       kanal_error *err);
/*
** Removes a contact (the partner's owner, a manager or an admin): it leaves
** the lists and stays in the record, with a contact_removed event. A contact
** removed already is refused.
*/
int kanal_contact_remove(kanal *k, int64_t id, kanal_error *err);

/* Contacts (caller frees with kanal_contacts_free; everything in it is borrowed from it). */
typedef struct kanal_contacts {
    const kanal_contact *items;
    size_t n;
    struct kanal_arena *arena_;
} kanal_contacts;
/* One contact, removed or not: n is 1 (KANAL_ENOTFOUND "no contact N" otherwise). */
int kanal_contact_get(kanal *k, int64_t id, kanal_contacts **out, kanal_error *err);
/* The contacts of a partner, by id; the removed ones too when `all`. */
int kanal_contacts_of(kanal *k, int64_t partner_id, bool all, kanal_contacts **out,
                      kanal_error *err);
void kanal_contacts_free(kanal_contacts *c);

/* contacts: id, partner, name, role, email, phone, created_at, created_by, and with
   `all` removed_at; of one partner (by id or exact name). */
int kanal_contact_list(kanal *k, const char *partner, bool all, kanal_table **out,
                       kanal_error *err);

/*
** Moves the partners of `from` (or only `partner`) and their open
** opportunities to `to`, recording the move on each opportunity, at `at`
** (ISO 8601; NULL: now). Needs a manager. Counts what moved.
*/
int kanal_user_reassign(kanal *k, const char *from, const char *to, const char *partner,
                        const char *at, int *n_partners, int *n_opps, kanal_error *err);

/* ---- opportunities ------------------------------------------------------------ */

/* Creates an opportunity in the first stage of the workflow's latest version. */
int kanal_opp_create(kanal *k, const char *partner, const char *workflow, const char *owner,
                     const char *at, int64_t *id, kanal_error *err);

/* The opportunity as it stands (caller frees with kanal_opp_free). */
int kanal_opp_get(kanal *k, int64_t id, kanal_opp **out, kanal_error *err);
void kanal_opp_free(kanal_opp *o);

typedef struct kanal_opp_filter {
    const char *owner, *workflow, *stage, *status; /* NULL: any */
    bool mine;
    bool stale;       /* only open ones longer in their stage than its max_days */
    bool overdue;     /* only open ones whose next contact has passed */
    const char *sort; /* a column's name, "-name" descending; NULL: by id */
    size_t limit;     /* at most this many (after sorting); 0: all */
    bool detail;      /* an export's columns too: lost_note and every field */
} kanal_opp_filter;
/*
** opportunities: id, partner, workflow, version, owner, status, stage,
** days_in_stage, created_at, closed_at, lost_reason, next_contact_at,
** last_activity_at (with detail: lost_note, then a column per field of the
** workflows listed). Users other than managers and admins see only their own.
*/
int kanal_opp_list(kanal *k, const kanal_opp_filter *f, kanal_table **out, kanal_error *err);

/*
** Completes a goal of the current stage, after applying FIELD=VALUE sets.
** A goal already done changes nothing: *already is set and KANAL_OK returned.
*/
int kanal_opp_done(kanal *k, int64_t id, const char *goal, const char *const *sets,
                   size_t n_sets, const char *note, const char *at, bool *already,
                   kanal_error *err);

/* Sets fields (FIELD=VALUE; an empty VALUE clears the field). */
int kanal_opp_set(kanal *k, int64_t id, const char *const *sets, size_t n_sets,
                  const char *at, kanal_error *err);

/* The state of one goal of an opportunity's current stage. */
typedef struct kanal_goal_status {
    size_t goal;                    /* index into wf->goals */
    bool done;
    const char *done_at;            /* NULL unless done */
    bool ready;                     /* not done, and every goal it waits for is done */
    const size_t *blocked_by;       /* goals it waits for that are not done */
    size_t n_blocked_by;
    const size_t *missing_fields;   /* fields it needs that are not set */
    size_t n_missing_fields;
    const char *refused;            /* kanal_opp_log: why the rules refused it, or NULL */
} kanal_goal_status;

typedef struct kanal_log_result {
    const size_t *completed;        /* goals the activity completed */
    size_t n_completed;
    const kanal_goal_status *not_completed; /* goals it would complete, and why not */
    size_t n_not_completed;
    struct kanal_arena *arena_;
} kanal_log_result;

/*
** Records an activity (always, on an open opportunity), then completes each
** goal of the current stage that the activity type completes and that is
** ready. Caller frees *out with kanal_log_result_free (out may be NULL).
*/
int kanal_opp_log(kanal *k, int64_t id, const char *activity, const char *note,
                  const char *at, kanal_log_result **out, kanal_error *err);
void kanal_log_result_free(kanal_log_result *r);

/*
** Sets when the owner means to act next on an open opportunity (`date`,
** YYYY-MM-DD), with an optional note: a next_contact event. The agenda lists
** the ones whose date has passed first.
*/
int kanal_opp_remind(kanal *k, int64_t id, const char *date, const char *note, const char *at,
                     kanal_error *err);

/* Moves to the next stage; every mandatory goal of the current one must be done. */
int kanal_opp_advance(kanal *k, int64_t id, const char *at, kanal_error *err);
/* Closes as won, from the last stage with its mandatory goals done. */
int kanal_opp_win(kanal *k, int64_t id, const char *at, kanal_error *err);
/* A plain note on an open opportunity (its owner, a manager or an admin). */
int kanal_opp_note(kanal *k, int64_t id, const char *text, const char *at, kanal_error *err);
/* A manager reopens a won or lost opportunity in the stage it was closed in; refused
   when its partner has another open opportunity in that workflow. */
int kanal_opp_reopen(kanal *k, int64_t id, const char *note, const char *at, kanal_error *err);
/*
** What kanal_opp_void undid (caller frees with kanal_void_result_free): the
** voided event's seq and type ("activity", "field_set", "field_cleared"), the
** activity type or the field; the goals no longer done, and those another
** activity still completes; for a field, whether its value changed and the
** value it has now (NULL: cleared). Strings borrowed from the result.
*/
typedef struct kanal_void_result {
    int64_t seq;
    const char *type;
    const char *subject;       /* the activity type, or the field */
    const char *const *undone; /* goal ids */
    size_t n_undone;
    const char *const *kept; /* goal ids */
    size_t n_kept;
    bool field_changed;
    const char *value;
    struct kanal_arena *arena_;
} kanal_void_result;
void kanal_void_result_free(kanal_void_result *r);

/*
** Voids event `seq` of an open opportunity, an activity or a field change
** logged by mistake, by a new `voided` event (the log stays append-only):
** its owner within 24 hours of the event's time (the void's time: `at`, or
** now), a manager or an admin at any time. An activity leaves the counts,
** and the goals it completed are undone unless another activity of its type
** logged since still completes them; a field gets back the value of its
** latest change still standing, or none. The stage does not move back.
** KANAL_EREFUSED for another kind of event or one voided already,
** KANAL_ENOTFOUND for no such event, KANAL_EUSAGE for an empty reason.
** out may be NULL.
*/
int kanal_opp_void(kanal *k, int64_t id, int64_t seq, const char *reason, const char *at,
                   kanal_void_result **out, kanal_error *err);
/* Closes as lost, with a reason of the workflow's catalogue. */
int kanal_opp_lose(kanal *k, int64_t id, const char *reason, const char *note,
                   const char *at, kanal_error *err);

/* What to do now on one opportunity (caller frees with kanal_next_free). */
typedef struct kanal_next {
    kanal_opp *opp;
    const kanal_goal_status *goals; /* the current stage's, in the order to do them */
    size_t n_goals;
    const size_t *outstanding;      /* mandatory goals not done */
    size_t n_outstanding;
    bool can_advance;               /* not the last stage, nothing outstanding */
    bool can_win;                   /* the last stage, nothing outstanding */
    int next_goal;                  /* the goal to do now (index into wf->goals), or -1 */
    int64_t days_in_stage;
    bool stale;                     /* longer in the stage than its max_days */
} kanal_next;
int kanal_next_get(kanal *k, int64_t id, kanal_next **out, kanal_error *err);
void kanal_next_free(kanal_next *n);

/*
** The acting user's agenda: opportunities: id, partner, workflow, stage,
** days_in_stage, next_goal, next_step, stale, next_contact_at, overdue,
** last_activity_at; each open opportunity with its next ready goal, those
** whose next contact has passed first, then the stale ones, then the longest
** in its stage first.
*/
int kanal_opp_agenda(kanal *k, kanal_table **out, kanal_error *err);
/*
** A manager's or an admin's view: the agenda of `owner` (the same columns), or
** with owner NULL the team's, every open opportunity with an owner column,
** grouped by owner and, within each, overdue first, then stale.
*/
int kanal_team_agenda(kanal *k, const char *owner, kanal_table **out, kanal_error *err);

/*
** Finds partners (by name, city, e-mail, phone, tax id), their contacts (by
** name, role, e-mail, phone) and the notes written on opportunities that hold
** every word of text, whatever its case and accents ("lodz" finds "Łódź"):
** results: kind (partner, contact, note), id, partner,
** opp, seq, field, text, at. A rep searches their own partners and
** opportunities; a manager and an admin everything.
*/
int kanal_search(kanal *k, const char *text, kanal_table **out, kanal_error *err);

/*
** kanal doctor (a manager or an admin): checks the whole record and lists each
** problem found (problems: check, opp, problem; none: a sound database): the
** backend's own checks (SQLite's integrity_check and foreign_key_check; on
** PostgreSQL constraints not validated and tables whose row-level security is
** off or has no policies), the event log's append-only triggers, and for each
** opportunity: events numbered 1.. without gaps and as many as it counts,
** each a JSON object, its workflow version present, an open one's stage in
** that version, and its status, stage, owner, version, lost reason, goals and
** fields those a replay of its log gives. Changes nothing. *opps and *events:
** how many were checked.
*/
int kanal_doctor(kanal *k, kanal_table **problems, long *opps, long *events, kanal_error *err);

/* The event log of one opportunity (caller frees with kanal_opp_history_free). */
typedef struct kanal_history {
    int64_t id;
    const kanal_event *events;
    size_t n_events;
    struct kanal_arena *arena_;
} kanal_history;
int kanal_opp_history(kanal *k, int64_t id, kanal_history **out, kanal_error *err);
void kanal_opp_history_free(kanal_history *h);
/*
** The events of a partner outside its opportunities (partner_added,
** partner_edited, partner_reassigned, contact_added, contact_edited,
** contact_removed), oldest first, numbered 1 and up: its owner, a manager or
** an admin. id is the partner's; free with kanal_opp_history_free.
*/
int kanal_partner_history(kanal *k, const char *partner, kanal_history **out, kanal_error *err);

/* ---- deals: the clients won partners bring ------------------------------------------- */

/*
** Records a client a won partner brought: `client` (free text, unique among
** the partner's deals that have not ended), `value` an amount such as 12500
** or 12500.50, `signed_on` the day the client signed (YYYY-MM-DD, not after
** today; any earlier day). The deal belongs to the partner's latest won
** opportunity: its event (deal_added, dated that day) goes into that
** opportunity's history, and that opportunity's workflow version's rules
** compute its commission. Needs the partner's owner, a manager or an admin;
** a partner without a won opportunity is refused. *id: the deal's number.
*/
int kanal_deal_add(kanal *k, const char *partner, const char *client, const char *value,
                   const char *signed_on, int64_t *id, kanal_error *err);

/*
** Records that a deal's client left on `ended_on` (YYYY-MM-DD, from the day
** it signed up to today); an event deal_ended dated that day. Needs the
** partner's owner, a manager or an admin; a deal ends once.
*/
int kanal_deal_end(kanal *k, int64_t id, const char *ended_on, kanal_error *err);

/*
** deals: id, partner, client, value, signed, ended, opportunity, workflow,
** version; of one partner (by id or exact name) or of all. Users other than
** managers and admins see the deals of the partners they own.
*/
int kanal_deal_list(kanal *k, const char *partner, kanal_table **out, kanal_error *err);

/* ---- moving a database ------------------------------------------------------------ */

/* What kanal_db_copy copied. */
typedef struct kanal_copy_result {
    long users, workflows, partners, opportunities, events; /* workflows: versions */
    long deals;
    long contacts; /* the people at partners, the removed ones too */
} kanal_copy_result;

/*
** Copies the whole record of the database at `from` into a new one at `to`
** (a file that does not exist yet, or an empty PostgreSQL database), in
** either direction between SQLite and PostgreSQL: users and their roles,
** every workflow version, partners, opportunities, deals and contacts under the
** same numbers, goals, fields, activities, and the event log as it was (actors,
** logins, times). One transaction on the target: complete, or nothing there.
** On PostgreSQL, the target must be written by the database's owner.
*/
int kanal_db_copy(const char *from, const char *to, kanal_copy_result *res, kanal_error *err);

/* ---- plugins ----------------------------------------------------------------------- */

/*
** `kanal import FORMAT WHAT FILE`: the importer reads FILE and feeds it through
** the engine in one transaction. Every bad row is added to diags (file and
** line). Without `rejects`, any bad row means nothing is kept
** (KANAL_EINVALID); with it, the good rows are kept and the importer writes
** the bad ones there. A dry run keeps nothing. `progress`, when not NULL, is
** called now and then with the rows read so far.
*/
typedef struct kanal_import_result {
    long rows;        /* rows read */
    long imported;    /* rows kept (or that would be, in a dry run) */
    long rejected;    /* bad rows */
} kanal_import_result;

/* How to import; start from KANAL_IMPORT_OPTIONS_INIT and set what differs. */
typedef struct kanal_import_options {
    unsigned version;                      /* KANAL_IMPORT_OPTIONS_VERSION */
    const char *rejects;                   /* keep the good rows, the bad ones go here */
    bool dry_run;                          /* check everything, keep nothing */
    void (*progress)(void *ud, long rows); /* now and then, the rows read so far */
    void *progress_ud;
    /* version 2: where the importer's remarks go that are not errors (columns it
       leaves aside), with the file and line; NULL: nowhere */
    kanal_diags *notes;
} kanal_import_options;
#define KANAL_IMPORT_OPTIONS_VERSION 2
#define KANAL_IMPORT_OPTIONS_INIT                                                                  \
    {                                                                                              \
        KANAL_IMPORT_OPTIONS_VERSION, NULL, false, NULL, NULL, NULL                                \
    }

/* opts may be NULL (all or nothing, no progress). */
int kanal_import_run(kanal *k, kanal_plugins *p, const char *format, const char *what,
                     const char *path, const kanal_import_options *opts, kanal_diags *diags,
                     kanal_import_result *res, kanal_error *err);

/*
** `kanal export FORMAT WHAT`: partners, opportunities or events, in the form
** that `kanal import` reads back (events: the history of opportunities, one
** step a row).
*/
int kanal_export_run(kanal *k, kanal_plugins *p, const char *format, const char *what,
                     kanal_buf *out, kanal_error *err);

/*
** Writes data to the file at path for the user (an export's -o): refused
** (KANAL_EUSAGE, "refusing to write to 'PATH': it is the database") when
** path is the database or one of its -wal/-shm/-journal files, a directory,
** or a file this process has open, compared by device and inode; written to
** a temporary file beside it and renamed into place when complete, so that a
** failure leaves an earlier file at path as it was.
*/
int kanal_output_write(kanal *k, const char *path, const void *data, size_t len, kanal_error *err);

/*
** Hands the events of each committed command to the plugins' listeners
** (loading the plugins after the first commit that recorded events). The
** registry is borrowed; it must outlive the handle.
*/
void kanal_set_plugins(kanal *k, kanal_plugins *p);

/* Warnings of the last operation (a listener that failed): NUL-separated. */
const char *kanal_warnings(const kanal *k, size_t *n);
/* Forgets them, once shown. */
void kanal_warnings_clear(kanal *k);

#endif
