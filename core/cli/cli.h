/*
** cli.h — the kanal command line: a table of commands, each in a file of its
** own with its options, usage and run function. The CLI parses arguments,
** calls libkanal and formats what comes back; it holds no SQL, YAML or Lua.
*/
#ifndef KANAL_CLI_H
#define KANAL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "kanal/kanal.h"

typedef struct cli_opt {
    const char *name;   /* "owner" for --owner */
    char short_name;    /* 'o' for -o, or 0 */
    const char *arg;    /* the value's name ("USER"), or NULL for a flag */
    bool repeat;        /* may be given more than once */
    const char *help;
} cli_opt;

struct cli;
struct cli_args;

typedef struct cli_cmd {
    const char *name;    /* "workflow check" */
    const char *args;    /* positional arguments in the usage line: "FILE..." */
    int min_args, max_args; /* max_args < 0: any number */
    const char *summary; /* one line, for the command list */
    const char *help;    /* a paragraph for --help, or NULL */
    const cli_opt *opts; /* ends with { NULL } */
    int (*run)(struct cli *c, struct cli_args *a);
} cli_cmd;

#define CLI_MAX_OPTS 24

/* The options of every list and report. */
#define CLI_LIST_OPTS                                                                   \
    { "json", 0, NULL, false, "print JSON (the same as --format json)" },                \
    { "format", 0, "NAME", false, "print as table (default), json, or a plugin's format" }

typedef struct cli_args {
    const cli_cmd *cmd;
    char **pos;
    int npos;
    /* values of the command's options, indexed like cmd->opts */
    const char **vals[CLI_MAX_OPTS];
    int nvals[CLI_MAX_OPTS];
} cli_args;

typedef struct cli {
    const char *db_path;   /* --db, else $KANAL_DB, else ./kanal.db */
    const char *as;        /* --as, else $KANAL_USER, else the login name */
    bool verbose;
    bool color;            /* stdout is a terminal and NO_COLOR is unset */
    FILE *out, *err;
    kanal *k;              /* opened on first use by cli_kanal() */
    kanal_plugins *plugins; /* made on first use by cli_plugins() */
    const char *exe;       /* argv[0], to find the plugins built with Kanal */
    int batch_line;        /* > 0 while running a batch file */
    bool in_batch;
    char **safe;           /* copies made by cli_safe, freed when a command ends */
    size_t n_safe, cap_safe;
} cli;

/* The command table, sorted by name (commands.c). */
extern const cli_cmd *const cli_commands[];
extern const size_t cli_n_commands;

/*
** Runs one command line (without the program name): finds the command,
** parses its options and runs it. Returns the exit code.
*/
int cli_dispatch(cli *c, int argc, char **argv);

/* Option values: the last one given, or NULL. */
const char *cli_get(const cli_args *a, const char *name);
bool cli_flag(const cli_args *a, const char *name);
/* All values of a repeatable option; returns their count. */
int cli_all(const cli_args *a, const char *name, const char *const **vals);

/*
** Text as a person's terminal must get it: control characters and
** bidirectional overrides shown escaped (\e, \n, \x07, \u202e), so that data
** can never clear a screen, retitle a window or plant a link. Returns s when
** it needs nothing, else a copy freed when the command ends ("" on oom).
** Every text of data or arguments printed for a person goes through it.
*/
const char *cli_safe(cli *c, const char *s);
/* Like cli_safe, for a string the CLI made (malloc'd): takes it. */
const char *cli_safe_take(cli *c, char *s);
/* Appends text whose lines are meant (a description, a traceback), each made safe. */
void cli_buf_lines(cli *c, kanal_buf *b, const char *text);
/* Frees the copies cli_safe made since `mark` (its n_safe then). */
void cli_safe_release(cli *c, size_t mark);

/* The error's message with the library's advice worded for the command line. */
const char *cli_error_text(cli *c, const kanal_error *err);

/* Prints "kanal: error: MESSAGE" (with where, if any) and returns the exit code. */
int cli_fail(cli *c, const kanal_error *err);
/* Prints a usage error for the command and returns 2. */
int cli_usage_error(cli *c, const cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes a buffer to stdout; returns 5 when writing fails. */
int cli_write(cli *c, kanal_buf *b);

/* The options every command accepts. */
const cli_opt *cli_global_opts(void);

/*
** The open database, acting as the chosen user: opened on first use from
** --db, $KANAL_DB or ./kanal.db, acting as --as, $KANAL_USER or the login
** name. $KANAL_NOW, when set, fixes "now" (for demos and tests). NULL after
** printing the error; *rc is then the exit code.
*/
kanal *cli_kanal(cli *c, int *rc);
/* The open database without choosing who acts (batch --atomic opens it first). */
kanal *cli_open(cli *c, int *rc);
/* $KANAL_NOW in seconds (0 when unset); prints the error and returns 2 when bad. */
int cli_now(cli *c, int64_t *now);
/* The path of the database (for messages and init). */
const char *cli_db_path(const cli *c);
/* The acting user's id as chosen (not yet checked). */
const char *cli_actor_id(const cli *c);

/*
** The plugin registry: the plugins built with Kanal (the plugins/ folder
** beside the kanal binary), then $KANAL_PLUGIN_PATH. Loaded when first used.
*/
kanal_plugins *cli_plugins(cli *c);
/* Prints a warning for each plugin that had to be skipped. */
void cli_plugin_warnings(cli *c);

/* --next DATE of the steps that take it: when to act next, as `kanal remind`. */
/* clang-format off */
#define CLI_NEXT_OPT { "next", 0, "DATE", false, "when to act next (YYYY-MM-DD), as remind" }
/* clang-format on */

/* A step, its --next contact and the reading back of what it stored are one
   transaction, so that a command that fails (even while reading back what it
   is to print) leaves nothing: cli_step_begin starts it; cli_step_end sets the
   next contact after the step (rc 0; a is NULL for a command without --next), or undoes the step
   and returns what failed (err); cli_step_commit commits, or undoes and reports what failed (its
   exit code); cli_step_fail undoes and reports err. */
int cli_step_begin(kanal *k, kanal_error *err);
int cli_step_end(cli_args *a, kanal *k, int64_t id, int rc, kanal_error *err);
int cli_step_commit(cli *c, kanal *k);
int cli_step_fail(cli *c, kanal *k, kanal_error *err);

/* The people at a partner, as `partner show` and `opp show` print them: a JSON
   array of {id, name, role, email, phone, created_at, created_by}, or lines of text
   (escaped for the terminal) labelled "contacts", the label `width` wide. */
void cli_json_contacts(kanal_json *j, const kanal_contact *cs, size_t n);
void cli_text_contacts(cli *c, kanal_buf *out, const kanal_contact *cs, size_t n, int width);

/* Parses an opportunity id; prints a usage error and returns 2 when it is not one. */
int cli_opp_id(cli *c, const char *text, int64_t *id);

/*
** Prints a list or report as the user asked: --format NAME (table and json
** built in, others from plugins), --json, else an aligned table. Frees t.
** Returns the exit code.
*/
int cli_print_table(cli *c, cli_args *a, kanal_table *t);

/* A field's value in JSON: numbers and booleans typed, the rest as text. */
void cli_json_field(kanal_json *j, const kanal_field_def *f, const char *v);

/* With --verbose: the lines the rules logged (kanal.log, print), made safe. */
void cli_print_rules_log(cli *c);

/* Prints the hints the last operation left (rules' kanal.hint). */
void cli_print_hints(cli *c);

/* Help texts. */
void cli_help_command(FILE *f, const cli_cmd *cmd);
void cli_help_group(FILE *f, const char *group);
void cli_help_all(FILE *f);

/* Colour helpers: the escape when colour is on, else "". */
const char *cli_bold(const cli *c);
const char *cli_dim(const cli *c);
const char *cli_green(const cli *c);
const char *cli_red(const cli *c);
const char *cli_reset(const cli *c);

#endif
