/*
** cli_cmd_init.c — `kanal init`: creates the database with its first admin.
*/
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
    { "admin", 0, "USER", false, "the first admin's user id (default: the acting user)" },
    { "name", 0, "NAME", false, "the first admin's display name (default: the id)" },
    { NULL, 0, NULL, false, NULL },
};

static int run(cli *c, cli_args *a)
{
    const char *admin = cli_get(a, "admin");
    if (!admin)
        admin = cli_actor_id(c);
    kanal_error err;
    kanal_error_clear(&err);
    if (c->in_batch)
        return cli_usage_error(c, a->cmd, "'init' cannot run inside a batch");
    int64_t now;
    int rc = cli_now(c, &now);
    if (rc)
        return rc;
    if (kanal_init(&c->k, cli_db_path(c), admin, cli_get(a, "name"), now, cli_plugins(c), &err))
        return cli_fail(c, &err);
    /* a file as the user named it; a server as host:port/database, without its password */
    const char *where = strstr(cli_db_path(c), "://") || strchr(cli_db_path(c), '=')
                            ? kanal_location(c->k)
                            : cli_db_path(c);
    fprintf(c->out, "created %s with admin '%s'\n", cli_safe(c, where), admin);
    return 0;
}

const cli_cmd cli_cmd_init = {
    .name = "init",
    .args = "",
    .min_args = 0,
    .max_args = 0,
    .summary = "create the database with its first admin",
    .help = "Creates the database (--db PATH or a postgresql:// URI, else $KANAL_DB, else\n"
            "./kanal.db). Refused when the file exists; on PostgreSQL, the database must\n"
            "be empty (made with createdb).",
    .opts = opts,
    .run = run,
};
