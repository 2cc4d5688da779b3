/*
** plugin.h — the interface between Kanal and its plugins. A plugin author
** includes this header and nothing else.
**
** A plugin is a shared object that exports one symbol, kanal_plugin_entry,
** returning its declaration: its name, its version, the ABI it was built
** for, and an init function. Kanal calls init with a table of host
** functions; init registers what the plugin provides:
**
**   - output formats for every list and report (`--format NAME`),
**   - importers (`kanal import NAME WHAT FILE`): partners, contacts (ABI 1.4)
**     and the history of opportunities,
**   - exporters (`kanal export NAME WHAT`),
**   - event listeners, called after a command's transaction commits.
**
** The host table begins with its ABI version and its size, and only ever
** grows at its end: a plugin built for ABI 1.0 runs on any host 1.x. A plugin
** built for another major ABI, or a newer minor one, is refused with a
** message that names both.
**
** Handles are opaque. Strings the host hands out are borrowed for the call;
** memory a plugin allocates, the plugin frees. Callbacks return 0 on success
** and -1 on failure, after saying why with host->fail().
**
** Build a plugin with -fvisibility=hidden and mark the entry with
** KANAL_PLUGIN_EXPORT, so that it exports nothing else. See
** plugins/example/example.c for the smallest complete plugin.
*/
#ifndef KANAL_PLUGIN_H
#define KANAL_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define KANAL_PLUGIN_ABI_MAJOR 1
#define KANAL_PLUGIN_ABI_MINOR 4
#define KANAL_PLUGIN_ABI ((uint32_t)(KANAL_PLUGIN_ABI_MAJOR << 16 | KANAL_PLUGIN_ABI_MINOR))

#define KANAL_PLUGIN_ENTRY_SYMBOL "kanal_plugin_entry"
#define KANAL_PLUGIN_EXPORT __attribute__((visibility("default")))

/* Opaque handles. */
typedef struct kanal_plugin kanal_plugin;   /* one loaded plugin, during init */
typedef struct kanal_call kanal_call;       /* one call of a plugin's callback */
typedef struct kanal_table kanal_table;     /* a list or report */

/* The type of a table's column; cells are text in a canonical form. */
enum kanal_plugin_type {
    KANAL_PLUGIN_TEXT = 0,   /* any text */
    KANAL_PLUGIN_INT = 1,    /* "42" */
    KANAL_PLUGIN_NUMBER = 2, /* "12.5" */
    KANAL_PLUGIN_BOOL = 3,   /* "true" or "false" */
    KANAL_PLUGIN_TIME = 4,   /* "2026-03-01T10:00:00Z" */
    KANAL_PLUGIN_LIST = 5    /* items joined by "\n" */
};

/* What `kanal import` hands an importer. */
typedef struct kanal_import_args {
    uint32_t size;           /* sizeof as the host knows it */
    const char *what;        /* "partners", "history", ...: the importer decides */
    const char *path;        /* the file to read */
    const char *rejects;     /* --skip-bad: where to write the rejected rows, or NULL */
    int dry_run;             /* nothing will be kept; check everything anyway */
    /* Since Kanal 0.2 (check `size` before reading): the rejects file as the
       user named it, for messages. `rejects` is a temporary file beside it,
       which Kanal renames into place once the import is complete. */
    const char *rejects_name;
} kanal_import_args;

/* One step of an opportunity's history, fed through the engine. */
typedef struct kanal_step {
    uint32_t size;           /* sizeof as the plugin knows it */
    long line;               /* where it comes from, for messages */
    const char *partner;     /* id or exact name */
    const char *workflow;    /* empty for a partner's reassignment */
    const char *user;        /* who did it (the owner, for "created") */
    const char *at;          /* ISO 8601 */
    const char *event;       /* created, done, log, set, advance, win, lose, reassign */
    const char *arg;         /* done: goal; log: activity; set: field=value; lose: reason;
                                reassign: the user who takes over */
    const char *note;        /* or NULL */
    /* Since ABI 1.3 (the host checks `size`): who recorded the step when it is
       not `user` — a manager's "created" for a rep names the rep as `user`, the
       owner, and the manager here. NULL or empty: `user`. */
    const char *actor;
} kanal_step;

/* A partner to add, as `kanal partner add` takes it. */
typedef struct kanal_partner_row {
    uint32_t size;
    long line;
    const char *name, *type, *owner, *email, *phone, *city, *tax_id; /* NULL: none */
} kanal_partner_row;

/* A person at a partner to add, as `kanal contact add` takes it (ABI 1.4). */
typedef struct kanal_contact_row {
    uint32_t size;
    long line;
    const char *partner;                     /* id or exact name */
    const char *name, *role, *email, *phone; /* NULL: none */
} kanal_contact_row;

/* An event, as a listener sees it. */
typedef struct kanal_plugin_event {
    uint32_t size;
    int64_t opp_id;          /* 0 for events outside any opportunity */
    int64_t seq;
    const char *at, *actor, *type;
    const char *data;        /* a JSON object */
    const char *workflow;    /* or NULL */
    int version;
    /* Since ABI 1.1 (check `size`): the operating-system login that ran the
       command, beside the Kanal actor. */
    const char *login;
} kanal_plugin_event;

typedef int (*kanal_render_fn)(kanal_call *call, const kanal_table *table);
typedef int (*kanal_import_fn)(kanal_call *call, const kanal_import_args *args);
typedef int (*kanal_export_fn)(kanal_call *call, const kanal_table *table);
typedef int (*kanal_listen_fn)(kanal_call *call, const kanal_plugin_event *event);

typedef struct kanal_host {
    uint32_t abi;            /* KANAL_PLUGIN_ABI of the host */
    uint32_t size;           /* sizeof(kanal_host) of the host */

    /* --- ABI 1.0 --- */

    /* Registration, during init. `name` is what users type (--format NAME);
       `summary` a line for `kanal plugin list`. */
    int (*provide_format)(kanal_plugin *p, const char *name, const char *summary,
                          kanal_render_fn render);
    int (*provide_importer)(kanal_plugin *p, const char *name, const char *summary,
                            kanal_import_fn import);
    int (*provide_exporter)(kanal_plugin *p, const char *name, const char *summary,
                            kanal_export_fn export_);
    int (*provide_listener)(kanal_plugin *p, kanal_listen_fn listen);
    /* The plugin's own state, set at init and handed back in every call. */
    void (*set_state)(kanal_plugin *p, void *state);
    void *(*state)(kanal_call *call);
    /* init failed: says why (returns -1). */
    int (*init_fail)(kanal_plugin *p, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

    /* A callback failed: says why (returns -1). */
    int (*fail)(kanal_call *call, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
    /* Output of a format or an exporter: appends bytes (returns 0 or -1). */
    int (*write)(kanal_call *call, const void *data, size_t len);

    /* Reading a table. Strings are borrowed for the call. */
    const char *(*table_name)(const kanal_table *t);   /* "partners" */
    const char *(*table_title)(const kanal_table *t);  /* "Partners" */
    size_t (*table_columns)(const kanal_table *t);
    const char *(*column_name)(const kanal_table *t, size_t column);
    const char *(*column_label)(const kanal_table *t, size_t column);
    int (*column_type)(const kanal_table *t, size_t column); /* enum kanal_plugin_type */
    size_t (*table_rows)(const kanal_table *t);
    const char *(*cell)(const kanal_table *t, size_t row, size_t column); /* NULL: empty */
    size_t (*table_filters)(const kanal_table *t);
    const char *(*filter_name)(const kanal_table *t, size_t i);
    const char *(*filter_value)(const kanal_table *t, size_t i);

    /* Importing. A bad row is reported with row_error (FILE:LINE: MESSAGE)
       and the import goes on, so that every bad row is reported. */
    int (*row_error)(kanal_call *call, long line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
    /* Feed a partner or a step through the engine, with every rule,
       permission and Lua hook. Returns 0, or -1 when it was refused: the
       reason is recorded as the row's error and given by last_error. */
    int (*add_partner)(kanal_call *call, const kanal_partner_row *row);
    int (*step)(kanal_call *call, const kanal_step *step);
    const char *(*last_error)(kanal_call *call);
    /* Rows read so far, for the progress shown on a terminal. */
    void (*progress)(kanal_call *call, long rows);

    /* --- ABI 1.1 --- */

    /* Output of a format meant for reading: appends text with what a
       terminal would act on shown instead (ESC as \e, a newline as \n,
       other controls as \xHH, C1 controls and bidirectional overrides as
       \uHHHH), so that data cannot clear a screen or plant a link. Formats
       meant for data (CSV, JSON) write exact bytes with write(). */
    int (*write_text)(kanal_call *call, const char *text);

    /* --- ABI 1.2 (check `size` before calling) --- */

    /* What goes with a table: the tables attached to it, each with its role,
       and sentences for people. A report's figures (table_name is the
       report's: "lost-reasons", "activities", ...; its title the question it
       answers) carry "display" (the same rows for people, each rate with its
       count and interval) and, for activities, "comparison" and
       "comparison_display"; its notes are the report's conclusions in plain
       words. The dashboard (table_name "dashboard") carries each report's
       figures under the role "report". */
    size_t (*table_parts)(const kanal_table *t);
    const kanal_table *(*table_part)(const kanal_table *t, size_t i, const char **role);
    size_t (*table_notes)(const kanal_table *t);
    const char *(*table_note)(const kanal_table *t, size_t i);
    /* `t` rendered in another format ("table", "json" or a plugin's, such
       as "svg"), so that a page embeds a chart drawn by whichever plugin
       provides it: the bytes (NUL-terminated; their length in *len),
       borrowed until this call returns, or NULL when that format is unknown
       or fails, and last_error() says why. */
    const char *(*render)(kanal_call *call, const char *format, const kanal_table *t, size_t *len);
    /* The format cannot draw this table (the dashboard as one chart): says
       why and returns -1; Kanal reports it as the user's mistake (exit 2),
       not as a failure. */
    int (*unsuited)(kanal_call *call, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

    /* --- ABI 1.3 (check `size` before calling) --- */

    /* Importing: a remark for the user about the file that is not an error
       (columns the importer does not take and leaves aside), shown as
       FILE:LINE: note: MESSAGE; the import goes on. */
    int (*notice)(kanal_call *call, long line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

    /* --- ABI 1.4 (check `size` before calling) --- */

    /* Feed a person at a partner through the engine (as `kanal contact add`,
       acting as the importer): 0, or -1 when it was refused, as add_partner. */
    int (*add_contact)(kanal_call *call, const kanal_contact_row *row);
} kanal_host;

/* What a plugin declares about itself. */
typedef struct kanal_plugin_decl {
    uint32_t abi;            /* KANAL_PLUGIN_ABI it was built for */
    const char *name;        /* [a-z][a-z0-9_-]* */
    const char *version;     /* its own version, "1.0.0" */
    const char *summary;     /* one line */
    /* Registers what the plugin provides; 0, or -1 after host->init_fail(). */
    int (*init)(kanal_plugin *p, const kanal_host *host);
    /* Frees the state, when Kanal is done with the plugin (may be NULL). */
    void (*fini)(void *state);
} kanal_plugin_decl;

/* The one symbol a plugin exports (the plugin defines it; Kanal finds it). */
typedef const kanal_plugin_decl *(*kanal_plugin_entry_fn)(void);
KANAL_PLUGIN_EXPORT const kanal_plugin_decl *kanal_plugin_entry(void);

#endif
