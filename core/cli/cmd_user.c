/*
** cmd_user.c — `kanal user add|edit|list|deactivate|activate`.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The roles of options given as "a,b" or repeated: copies in *buf (caller frees *buf and
 *list); returns their count, or -1 when out of memory. */
static int split_roles(const char *const *vals, int n, char **buf, const char ***list)
{
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += strlen(vals[i]) + 1;
    *buf = malloc(len + 1);
    *list = malloc((len + 1) * sizeof **list);
    if (!*buf || !*list)
        return -1;
    char *w = *buf;
    int count = 0;
    for (int i = 0; i < n; i++) {
        strcpy(w, vals[i]);
        char *next = w + strlen(w) + 1;
        for (char *tok = strtok(w, ", "); tok; tok = strtok(NULL, ", "))
            (*list)[count++] = tok;
        w = next;
    }
    return count;
}

/* Prints each line of msg as a warning. */
static void warn_lines(cli *c, kanal_buf *msg)
{
    for (char *line = msg->len ? msg->data : NULL, *nl; line; line = nl ? nl + 1 : NULL) {
        if ((nl = strchr(line, '\n')))
            *nl = '\0';
        fprintf(c->err, "kanal: warning: %s\n", cli_safe(c, line));
    }
}

/* Warns about roles no workflow names (a typo must not pass silently); with
   typos_only, only about those that look like a known role misspelt. */
static void warn_roles(cli *c, kanal *k, const char *const *roles, size_t n, bool typos_only)
{
    kanal_buf msg = KANAL_BUF_INIT;
    kanal_error err;
    if (!kanal_roles_unused(k, roles, n, &msg, &err)) {
        if (typos_only) {
            /* keep the lines with a suggestion */
            kanal_buf kept = KANAL_BUF_INIT;
            for (char *line = msg.len ? msg.data : NULL, *nl; line; line = nl ? nl + 1 : NULL) {
                if ((nl = strchr(line, '\n')))
                    *nl = '\0';
                if (strstr(line, "(did you mean"))
                    kanal_buf_printf(&kept, "%s%s", kept.len ? "\n" : "", line);
            }
            kanal_buf_release(&msg);
            msg = kept;
        }
        warn_lines(c, &msg);
    }
    kanal_buf_release(&msg);
}

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
    char *buf;
    const char **list;
    int n = split_roles(&roles, 1, &buf, &list);
    if (n > 0)
        warn_roles(c, k, list, (size_t)n, true);
    free(buf);
    free(list);
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

static const cli_opt edit_opts[] = {
    { "name", 0, "NAME", false, "the new display name" },
    { "role", 0, "ROLE[,ROLE...]", true, "the roles the user has from now on (replacing theirs)" },
    { "add-role", 0, "ROLE", true, "a role to add" },
    { "remove-role", 0, "ROLE", true, "a role to take away" },
    { NULL, 0, NULL, false, NULL },
};

static int edit_run(cli *c, cli_args *a)
{
    const char *const *vals[3];
    int nv[3];
    nv[0] = cli_all(a, "role", &vals[0]);
    nv[1] = cli_all(a, "add-role", &vals[1]);
    nv[2] = cli_all(a, "remove-role", &vals[2]);
    const char *name = cli_get(a, "name");
    if (!name && !nv[0] && !nv[1] && !nv[2])
        return cli_usage_error(c, a->cmd,
                               "nothing to edit: give --name, --role, --add-role or --remove-role");
    char *bufs[3] = { NULL, NULL, NULL };
    const char **lists[3] = { NULL, NULL, NULL };
    int counts[3], rc = 0;
    kanal_error err;
    for (int i = 0; i < 3; i++)
        if ((counts[i] = split_roles(vals[i], nv[i], &bufs[i], &lists[i])) < 0 && !rc)
            rc = cli_fail(c, (kanal_error_nomem(&err), &err));
    static const char *const flags[] = { "--role", "--add-role", "--remove-role" };
    for (int i = 0; i < 3 && !rc; i++)
        if (nv[i] && counts[i] < nv[i])
            rc = cli_usage_error(c, a->cmd, "%s '' names no role", flags[i]);
    kanal *k = rc ? NULL : cli_kanal(c, &rc);
    if (k) {
        kanal_user_change ch = { .name = name,
                                 .set_roles = nv[0] > 0,
                                 .roles = lists[0],
                                 .n_roles = (size_t)counts[0],
                                 .add = lists[1],
                                 .n_add = (size_t)counts[1],
                                 .remove = lists[2],
                                 .n_remove = (size_t)counts[2] };
        bool changed;
        if (kanal_user_edit(k, a->pos[0], &ch, &changed, &err)) {
            rc = cli_fail(c, &err);
        } else {
            fprintf(c->out, "user '%s': %s\n", cli_safe(c, a->pos[0]),
                    changed ? "edited" : "nothing changed");
            if (changed && ch.set_roles)
                warn_roles(c, k, ch.roles, ch.n_roles, false);
            if (changed && ch.n_add)
                warn_roles(c, k, ch.add, ch.n_add, false);
            /* work the new roles may not own */
            kanal_buf misfits = KANAL_BUF_INIT;
            if (changed && !kanal_user_misfits(k, a->pos[0], &misfits, &err))
                warn_lines(c, &misfits);
            kanal_buf_release(&misfits);
        }
    }
    for (int i = 0; i < 3; i++) {
        free(bufs[i]);
        free(lists[i]);
    }
    return rc;
}

const cli_cmd cli_cmd_user_edit = {
    .name = "user edit",
    .args = "ID",
    .min_args = 1,
    .max_args = 1,
    .summary = "rename a user or change their roles (admin)",
    .help = "--role replaces the user's roles (repeat it, or give ROLE,ROLE); --add-role and\n"
            "--remove-role change one. A role no workflow names is accepted with a warning\n"
            "that says which roles the workflows use. The last active admin keeps the admin\n"
            "role. One user_edited event records what changed.",
    .opts = edit_opts,
    .run = edit_run,
};
