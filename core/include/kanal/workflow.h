/*
** workflow.h — workflow definitions: the in-memory model of one YAML file and
** the loader that checks it.
**
** A kanal_workflow is immutable once loaded and owns every string and array it
** points to; all of it is freed by kanal_workflow_free(). A definition the
** loader accepts is complete and consistent: every reference is resolved to an
** index, `after` never points forward in the process and has no cycles, every
** enum field has values, min <= max.
*/
#ifndef KANAL_WORKFLOW_H
#define KANAL_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "error.h"

#define KANAL_ID_MAX 63

/* A definition file larger than this is refused unread. */
#define KANAL_WORKFLOW_MAX_BYTES (4 * 1024 * 1024)
/* Errors kept per file; the rest are counted ("and 99,900 more errors"). */
#define KANAL_WORKFLOW_MAX_ERRORS 100
/* Nesting of mappings and lists deeper than this is refused. */
#define KANAL_WORKFLOW_MAX_DEPTH 64

typedef enum kanal_field_type {
    KANAL_FIELD_TEXT,
    KANAL_FIELD_NUMBER,
    KANAL_FIELD_INTEGER,
    KANAL_FIELD_BOOLEAN,
    KANAL_FIELD_DATE,
    KANAL_FIELD_ENUM
} kanal_field_type;

typedef struct kanal_activity_type {
    const char *id;
    const char *name;
} kanal_activity_type;

typedef struct kanal_lost_reason {
    const char *id;
    const char *name;
    bool note_required;
} kanal_lost_reason;

typedef struct kanal_field_def {
    const char *id;
    const char *name;
    kanal_field_type type;
    bool has_min, has_max;
    double min, max;           /* integers for KANAL_FIELD_INTEGER */
    const char *const *values; /* enum only: n_values >= 1, no duplicates */
    size_t n_values;
} kanal_field_def;

typedef struct kanal_goal {
    const char *id;
    const char *name;
    const char *hint;          /* NULL when absent */
    bool mandatory;
    size_t stage;              /* index into kanal_workflow.stages */
    int completed_by;          /* index into activity_types, or -1 */
    const size_t *after;       /* indexes into goals: same or earlier stage */
    size_t n_after;
    const size_t *requires_fields; /* indexes into fields */
    size_t n_requires_fields;
} kanal_goal;

typedef struct kanal_stage {
    const char *id;
    const char *name;
    int max_days;              /* 0 when absent */
    /* The stage's goals, as indexes into kanal_workflow.goals, in the order to
       do them: every goal comes after the goals it names in `after`, and file
       order is kept otherwise. */
    const size_t *goals;
    size_t n_goals;
} kanal_stage;

typedef struct kanal_limits {
    long instructions;         /* Lua instruction budget per hook call */
    long memory_mb;            /* Lua memory ceiling per state */
    long time_ms;              /* wall-clock time of the rules in one command */
} kanal_limits;

typedef struct kanal_workflow {
    const char *id;
    const char *name;
    const char *description;   /* NULL when absent */
    const char *const *partner_types;
    size_t n_partner_types;
    const char *const *owner_roles; /* n_owner_roles == 0: any user */
    size_t n_owner_roles;
    const char *rules;         /* the `rules:` value as written, or NULL */
    const char *rules_path;    /* resolved against the YAML's folder, or NULL */
    const char *rules_source;  /* the rules' text, read by kanal_workflow_load_file */
    const char *yaml_source;   /* the YAML's text, kept by kanal_workflow_load_file */
    const kanal_activity_type *activity_types;
    size_t n_activity_types;
    const kanal_lost_reason *lost_reasons;
    size_t n_lost_reasons;
    const kanal_field_def *fields;
    size_t n_fields;
    const kanal_stage *stages;
    size_t n_stages;
    const kanal_goal *goals;   /* all goals of all stages, in file order */
    size_t n_goals;
    kanal_limits limits;
    struct kanal_arena *arena_; /* private: owns everything above */
} kanal_workflow;

/*
** Parses and checks one definition held in memory. `file` names it in
** diagnostics; `dir` is the folder that `rules:` is relative to, or NULL to
** skip the check that the rules file exists (definitions read back from the
** database carry their rules text with them).
**
** Every problem found is added to `diags`. Returns a new workflow (caller
** frees with kanal_workflow_free) when there was none, else NULL. NULL with no
** diagnostic means out of memory (then diags->oom is set).
*/
kanal_workflow *kanal_workflow_parse(const char *text, size_t len, const char *file,
                                     const char *dir, kanal_diags *diags);

/*
** Reads `path` and parses it with kanal_workflow_parse, relative to the
** file's folder; then reads the rules file, if any, into rules_source (text:
** UTF-8, no NUL byte, at most KANAL_WORKFLOW_MAX_BYTES). It does not run
** the rules: kanal_workflow_check_file (kanal.h) does, in the Lua sandbox.
** A file that cannot be read is a diagnostic with line 0; a problem of the
** rules file is a diagnostic of that file (column 0).
*/
kanal_workflow *kanal_workflow_load_file(const char *path, kanal_diags *diags);

void kanal_workflow_free(kanal_workflow *wf);

/* Lookups by id: the index, or -1 when there is no such element. */
int kanal_workflow_stage_index(const kanal_workflow *wf, const char *id);
int kanal_workflow_goal_index(const kanal_workflow *wf, const char *id);
int kanal_workflow_field_index(const kanal_workflow *wf, const char *id);
int kanal_workflow_activity_index(const kanal_workflow *wf, const char *id);
int kanal_workflow_lost_reason_index(const kanal_workflow *wf, const char *id);
bool kanal_workflow_has_partner_type(const kanal_workflow *wf, const char *type);

/* "text", "number", ... */
const char *kanal_field_type_name(kanal_field_type t);

/*
** What changed from one definition of a workflow to another: per element
** (matched by id), whether it was added, removed or changed, and in words
** which properties changed and how ("mandatory: no -> yes").
*/
typedef struct kanal_change {
    const char *what; /* "workflow", "rules", "stage", "goal", "activity", "lost reason", "field" */
    const char *id;
    const char *change; /* "added", "removed", "changed" */
    const char *detail; /* words; "" when there is nothing more to say */
} kanal_change;

typedef struct kanal_diff {
    kanal_change *changes; /* the workflow, its rules, then stages, goals, activities,
                              lost reasons, fields */
    size_t n;
    struct kanal_diff_priv *priv_;
} kanal_diff;

/* The rules' texts are given apart (a stored version carries them beside its
   definition); NULL: none. KANAL_OK or KANAL_ENOMEM; caller frees with
   kanal_diff_free. */
int kanal_workflow_compare(const kanal_workflow *from, const char *from_rules,
                           const kanal_workflow *to, const char *to_rules, kanal_diff **out);
void kanal_diff_free(kanal_diff *d);

/*
** True when `id` matches [a-z][a-z0-9_]* and has at most KANAL_ID_MAX
** characters.
*/
bool kanal_id_valid(const char *id);

#endif
