/*
** events.h — the vocabulary of the record, declared once: every type of
** event in the log and every status of an opportunity, each with its name
** (as stored, and as JSON and history show it) and, for the steps a history
** export carries, the verb of `kanal import ... history` and what its `arg`
** column holds. The engine, the store, the importer and the exports all use
** these lists; no other file spells a type or a status.
*/
#ifndef KANAL_EVENTS_H
#define KANAL_EVENTS_H

/*
** X(ENUM, name, import verb or NULL, the data key its CSV `arg` comes from or NULL)
**
** A note a user writes (kanal note) is exported with its text as `arg`; the
** rules' notes carry a `source` and are left out, like every caused step.
** A reopening's `arg` is empty and its note is in the note column. A next
** contact (kanal remind, --next) is exported as `remind` with the date as `arg`.
** A void's `arg` is the seq of the event it voids, as the replay of the
** export numbers it, and its reason is in the note column.
**
** Steps without a verb are not exported: the replay of the others causes
** them again (a reassignment of one opportunity, a rules' note), or they
** belong to the people and the definitions, not to the history.
**
** The people at a partner (contact_added, contact_edited, contact_removed)
** are events outside any opportunity, like partner_edited; a `contacts`
** export carries them as they are now, as a `partners` export does partners.
**
** A deal (a client a won partner brought) is recorded on the partner's won
** opportunity: deal_added on the day the client signed, deal_ended on the day
** the client left. In a history export, a deal's `arg` is CLIENT=VALUE, its
** end's the client's name, and `at` the day.
*/
#define KANAL_EVENTS(X)                                                                            \
    X(KANAL_EV_USER_ADDED, "user_added", NULL, NULL)                                               \
    X(KANAL_EV_USER_DEACTIVATED, "user_deactivated", NULL, NULL)                                   \
    X(KANAL_EV_WORKFLOW_APPLIED, "workflow_applied", NULL, NULL)                                   \
    X(KANAL_EV_PARTNER_ADDED, "partner_added", NULL, NULL)                                         \
    X(KANAL_EV_CREATED, "created", "created", NULL)                                                \
    X(KANAL_EV_GOAL_DONE, "goal_done", "done", "goal")                                             \
    X(KANAL_EV_ACTIVITY, "activity", "log", "activity")                                            \
    X(KANAL_EV_FIELD_SET, "field_set", "set", "field")                                             \
    X(KANAL_EV_FIELD_CLEARED, "field_cleared", "set", "field")                                     \
    X(KANAL_EV_ADVANCED, "advanced", "advance", NULL)                                              \
    X(KANAL_EV_WON, "won", "win", NULL)                                                            \
    X(KANAL_EV_LOST, "lost", "lose", "reason")                                                     \
    X(KANAL_EV_PARTNER_REASSIGNED, "partner_reassigned", "reassign", "to")                         \
    X(KANAL_EV_REASSIGNED, "reassigned", NULL, NULL)                                               \
    X(KANAL_EV_NOTE, "note", "note", "text")                                                       \
    X(KANAL_EV_MIGRATED, "migrated", NULL, NULL)                                                   \
    X(KANAL_EV_WORKFLOW_RETIRED, "workflow_retired", NULL, NULL)                                   \
    X(KANAL_EV_WORKFLOW_RESTORED, "workflow_restored", NULL, NULL)                                 \
    X(KANAL_EV_DEAL_ADDED, KANAL_EV_DEAL_ADDED_NAME, "deal", "client")                             \
    X(KANAL_EV_DEAL_ENDED, KANAL_EV_DEAL_ENDED_NAME, "deal_end", "client")                         \
    X(KANAL_EV_NEXT_CONTACT, "next_contact", "remind", "date")                                     \
    X(KANAL_EV_REOPENED, "reopened", "reopen", NULL)                                               \
    X(KANAL_EV_PARTNER_EDITED, "partner_edited", NULL, NULL)                                       \
    X(KANAL_EV_USER_ACTIVATED, "user_activated", NULL, NULL)                                       \
    X(KANAL_EV_USER_EDITED, "user_edited", NULL, NULL)                                             \
    X(KANAL_EV_VOIDED, "voided", "void", "seq")                                                    \
    X(KANAL_EV_CONTACT_ADDED, "contact_added", NULL, NULL)                                         \
    X(KANAL_EV_CONTACT_EDITED, "contact_edited", NULL, NULL)                                       \
    X(KANAL_EV_CONTACT_REMOVED, "contact_removed", NULL, NULL)

/* The deal events' names, as macros so that a store's schema can spell them
   too (PostgreSQL's row-level security lets a partner's owner record them). */
#define KANAL_EV_DEAL_ADDED_NAME "deal_added"
#define KANAL_EV_DEAL_ENDED_NAME "deal_ended"

typedef enum kanal_event_type {
#define X(e, name, verb, arg) e,
    KANAL_EVENTS(X)
#undef X
        KANAL_EV_COUNT
} kanal_event_type;

/* The name of an event type in the log ("goal_done"). */
const char *kanal_event_name(kanal_event_type t);
/* The event type of a name, or KANAL_EV_COUNT when it is none. */
kanal_event_type kanal_event_type_of(const char *name);
/* The verb of `kanal import csv history` for t, or NULL. */
const char *kanal_event_verb(kanal_event_type t);
/* The data key whose value a history row's `arg` holds, or NULL. */
const char *kanal_event_arg(kanal_event_type t);
/* The event type an imported verb starts ("done": KANAL_EV_GOAL_DONE), or KANAL_EV_COUNT. */
kanal_event_type kanal_event_of_verb(const char *verb);

/* The status of an opportunity: its names, as macros so that a store's
   schema can spell them too. X(ENUM, name) */
#define KANAL_STATUS_OPEN_NAME "open"
#define KANAL_STATUS_WON_NAME "won"
#define KANAL_STATUS_LOST_NAME "lost"
#define KANAL_STATUSES(X)                    \
    X(KANAL_OPEN, KANAL_STATUS_OPEN_NAME)    \
    X(KANAL_WON, KANAL_STATUS_WON_NAME)      \
    X(KANAL_LOST, KANAL_STATUS_LOST_NAME)

typedef enum kanal_status {
#define X(e, name) e,
    KANAL_STATUSES(X)
#undef X
        KANAL_STATUS_COUNT
} kanal_status;

/* "open", "won", "lost". */
const char *kanal_status_name(kanal_status s);
/* The status of a name, or KANAL_STATUS_COUNT when it is none. */
kanal_status kanal_status_of(const char *name);

#endif
