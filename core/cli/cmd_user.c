/*
** cmd_user.c — `kanal user add|list|deactivate`.
*/
#include "cli.h"

static const cli_opt add_opts[] = {
    { "name", 0, "NAME", false, "display name (required)" },
    { "role", 0, "ROLE[,ROLE...]", false,
      "roles (required): admin, manager, or a role workflows name (channel_rep...)" },
    { NULL, 0, NULL, false, NULL },
};

static int add_run(cli *c, cli_args *a)
{
    const char *name = cli_get(a, "name"), *roles = cli_get(a, "role");
    if (!name)
        return cli_usage_error(c, a->cmd, "missing --name NAME");
    if (!roles)
        return cli_usage_error(c, a->cmd, "missing --role ROLE[,ROLE...]");
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    if (kanal_user_add(k, a->pos[0], name, roles, &err))
        return cli_fail(c, &err);
    fprintf(c->out, "added user '%s'\n", cli_safe(c, a->pos[0]));
    return 0;
}

const cli_cmd cli_cmd_user_add = {
    .name = "user add",
    .args = "ID",
    .min_args = 1,
    .max_args = 1,
    .summary = "add a user with roles (admin)",
    .help = "A user id is lowercase letters, digits, '.', '_' and '-', like a login name.\n"
            "Built-in roles: admin (applies workflows, manages users) and manager (sees and\n"
            "acts on every opportunity, reassigns work). Other roles are names that\n"
            "workflows use in owner_roles, such as channel_rep or direct_sales.",
    .opts = add_opts,
    .run = add_run,
};

static const cli_opt list_opts[] = {
    CLI_LIST_OPTS,
    { NULL, 0, NULL, false, NULL },
};

static int list_run(cli *c, cli_args *a)
{
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    kanal_table *t;
    if (kanal_user_list(k, &t, &err))
        return cli_fail(c, &err);
    return cli_print_table(c, a, t);
}

const cli_cmd cli_cmd_user_list = {
    .name = "user list",
    .args = "",
    .min_args = 0,
    .max_args = 0,
    .summary = "list users and their roles",
    .opts = list_opts,
    .run = list_run,
};

static const cli_opt deactivate_opts[] = {
    { NULL, 0, NULL, false, NULL },
};

static int deactivate_run(cli *c, cli_args *a)
{
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    if (kanal_user_deactivate(k, a->pos[0], &err))
        return cli_fail(c, &err);
    fprintf(c->out, "deactivated user '%s' (reassign their work with 'kanal reassign')\n",
            a->pos[0]);
    return 0;
}

const cli_cmd cli_cmd_user_deactivate = {
    .name = "user deactivate",
    .args = "ID",
    .min_args = 1,
    .max_args = 1,
    .summary = "stop a user from acting; their record stays (admin)",
    .opts = deactivate_opts,
    .run = deactivate_run,
};

static int activate_run(cli *c, cli_args *a)
{
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    if (kanal_user_activate(k, a->pos[0], &err))
        return cli_fail(c, &err);
    fprintf(c->out, "activated user '%s'\n", a->pos[0]);
    return 0;
}

const cli_cmd cli_cmd_user_activate = {
    .name = "user activate",
    .args = "ID",
    .min_args = 1,
    .max_args = 1,
    .summary = "let a deactivated user act again (admin)",
    .opts = deactivate_opts,
    .run = activate_run,
};
