/*
** records.h — what the engine hands back: users, partners, workflow
** versions, opportunities, events. Each is a read-only snapshot owned by the
** object named in its comment.
*/
#ifndef KANAL_RECORDS_H
#define KANAL_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "workflow.h"

typedef struct kanal_user {
    const char *id;
    const char *name;
    const char *const *roles;
    size_t n_roles;
    bool active;
    const char *created_at;
} kanal_user;

typedef struct kanal_partner {
    int64_t id;
    const char *name;
    const char *type;
    const char *owner;        /* user id, or NULL when nobody owns it */
    const char *email, *phone, *city, *tax_id; /* NULL when unknown */
    const char *created_at;
} kanal_partner;

/* One stored version of a workflow. */
typedef struct kanal_workflow_version {
    const char *workflow;
    int version;
    const char *source;       /* the file it was applied from */
    const char *yaml;         /* the definition's text */
    const char *rules_file;   /* the rules file as named in `rules:`, or NULL */
    const char *rules;        /* the rules' text, or NULL */
    const char *hash;         /* of the YAML and rules texts */
    const char *applied_at;
    const char *applied_by;
    const char *name;         /* the workflow's display name in this version (as read back) */
} kanal_workflow_version;

/*
** An opportunity as it stands. `wf` is its pinned version's definition,
** borrowed from the handle. done_at and fields are indexed like wf->goals and
** wf->fields (NULL: not done, not set).
*/
typedef struct kanal_opp {
    int64_t id;
    kanal_partner partner;
    const char *workflow;
    int version;
    const char *owner;
    kanal_status status;
    const char *stage;
    int stage_index;          /* into wf->stages */
    const char *stage_entered_at;
    const char *created_at;
    const char *closed_at;    /* NULL while open */
    const char *lost_reason;  /* NULL unless lost */
    const char *last_event_at;
    int64_t last_seq;
    const kanal_workflow *wf;
    const char *next_contact_at;  /* YYYY-MM-DD: when the owner means to act next, or NULL */
    const char *last_activity_at; /* the latest activity's time, or NULL */
    const char *lost_note;        /* kanal_opp_get: the note given when it was lost, or NULL */
    const char **done_at;
    const char **fields;
    const char **waived_at; /* indexed like wf->goals: not required of it (migrated past
                               its stage), or NULL */
    struct kanal_arena *arena_;
} kanal_opp;

typedef struct kanal_event {
    int64_t seq;
    const char *at;
    const char *actor;
    const char *type;
    const char *data;         /* a JSON object */
    const char *workflow;
    int version;
    const char *summary;      /* the data as "key=value, ..." for people */
    const char *login;        /* the operating-system login that ran the command, or
                                 NULL (events recorded before Kanal kept it) */
    int64_t voided_by;        /* the seq of the `voided` event that voided it, or 0 */
} kanal_event;

/*
** A client a won partner brought: a deal, recorded on the partner's latest
** won opportunity (whose workflow version's rules compute its commission).
** Values are kept exactly, in hundredths; dates are calendar days.
*/
typedef struct kanal_deal {
    int64_t id;
    int64_t partner_id;
    const char *partner;  /* the partner's name (lists), or NULL */
    int64_t opp;          /* the won opportunity it belongs to */
    const char *workflow; /* that opportunity's workflow and version (lists), or NULL */
    int version;
    const char *client;
    int64_t value_cents;    /* the deal's value, in hundredths */
    const char *signed_on;  /* YYYY-MM-DD: the day the client signed */
    const char *ended_on;   /* YYYY-MM-DD: the day the client left; NULL while it stays */
    const char *created_at; /* when it was recorded */
    const char *created_by; /* who recorded it */
} kanal_deal;

/*
** A person at a partner: someone a rep talks to (schema 8). A removed
** contact stays in the record, with the time it was removed; lists leave it
** out unless asked.
*/
typedef struct kanal_contact {
    int64_t id; /* shown to people: 1 and up */
    int64_t partner_id;
    const char *partner; /* the partner's name (reads), or NULL */
    const char *name;
    const char *role, *email, *phone; /* NULL when unknown */
    const char *created_at;
    const char *created_by; /* who added it */
    const char *removed_at; /* NULL while current */
} kanal_contact;

typedef struct kanal_activity {
    const char *type;
    const char *at;
    const char *by;
    const char *note;         /* NULL when none */
} kanal_activity;

#endif
