/*
** cmd_contact.c — `kanal contact add|edit|list|remove`: the people at partners.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Parses a contact id; a usage error (exit 2) when it is not one. */
static int contact_id(cli *c, cli_args *a, int64_t *id)
{
    const char *text = a->pos[0];
    size_t n = strlen(text);
    if (n == 0 || n > 18 || strspn(text, "0123456789") != n || (*id = strtoll(text, NULL, 10)) <= 0)
        return cli_usage_error(c, a->cmd, "'%s' is not a contact id (a positive number)", text);
    return 0;
}

static const cli_opt add_opts[] = {
    { "name", 0, "NAME", false, "the person's name (required)" },
    { "role", 0, "R", false, "their role at the partner (\"owner\", \"buyer\", ...)" },
    { "email", 0, "E", false, "e-mail address" },
    { "phone", 0, "P", false, "phone number" },
    { "json", 0, NULL, false, "print {\"id\":N}" },
    { NULL, 0, NULL, false, NULL },
};

static int add_run(cli *c, cli_args *a)
{
    kanal_contact_fields f = {
        .name = cli_get(a, "name"),
        .role = cli_get(a, "role"),
        .email = cli_get(a, "email"),
        .phone = cli_get(a, "phone"),
    };
    if (!f.name)
        return cli_usage_error(c, a->cmd, "missing --name NAME");
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    int64_t id;
    kanal_contacts *one;
    if (kanal_contact_add(k, a->pos[0], &f, &id, &err) || kanal_contact_get(k, id, &one, &err))
        return cli_fail(c, &err);
    if (cli_flag(a, "json"))
        fprintf(c->out, "{\"id\":%lld}\n", (long long)id);
    else
        fprintf(c->out, "contact %lld added at partner '%s'\n", (long long)id,
                cli_safe(c, one->items[0].partner));
    kanal_contacts_free(one);
    return 0;
}

const cli_cmd cli_cmd_contact_add = {
    .name = "contact add",
    .args = "PARTNER",
    .min_args = 1,
    .max_args = 1,
    .summary = "add a person at a partner (its owner, a manager, an admin)",
    .help = "The partner by its id or exact name. Records a contact_added event; the\n"
            "contact's number is printed, for contact edit and contact remove.",
    .opts = add_opts,
    .run = add_run,
};

static const cli_opt edit_opts[] = {
    { "name", 0, "NAME", false, "a new name" },
    { "role", 0, "R", false, "role ('' clears it)" },
    { "email", 0, "E", false, "e-mail address ('' clears it)" },
    { "phone", 0, "P", false, "phone number ('' clears it)" },
    { NULL, 0, NULL, false, NULL },
};

static int edit_run(cli *c, cli_args *a)
{
    int64_t id = 0;
    int rc = contact_id(c, a, &id);
    if (rc)
        return rc;
    kanal_contact_fields f = {
        .name = cli_get(a, "name"),
        .role = cli_get(a, "role"),
        .email = cli_get(a, "email"),
        .phone = cli_get(a, "phone"),
    };
    if (!f.name && !f.role && !f.email && !f.phone)
        return cli_usage_error(c, a->cmd,
                               "nothing to edit: give --name, --role, --email or --phone");
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    bool changed;
    if (kanal_contact_edit(k, id, &f, &changed, &err))
        return cli_fail(c, &err);
    fprintf(c->out, "contact %lld: %s\n", (long long)id, changed ? "edited" : "nothing changed");
    return 0;
}

const cli_cmd cli_cmd_contact_edit = {
    .name = "contact edit",
    .args = "CONTACT",
    .min_args = 1,
    .max_args = 1,
    .summary = "edit a contact's name, role, e-mail or phone (owner, manager, admin)",
    .help = "Records a contact_edited event with each change, old and new. A removed\n"
            "contact cannot be edited.",
    .opts = edit_opts,
    .run = edit_run,
};

static const cli_opt list_opts[] = {
    { "all", 0, NULL, false, "the removed contacts too, with the time they were removed" },
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
    if (kanal_contact_list(k, a->pos[0], cli_flag(a, "all"), &t, &err))
        return cli_fail(c, &err);
    return cli_print_table(c, a, t);
}

const cli_cmd cli_cmd_contact_list = {
    .name = "contact list",
    .args = "PARTNER",
    .min_args = 1,
    .max_args = 1,
    .summary = "list the people at a partner",
    .opts = list_opts,
    .run = list_run,
};

static const cli_opt remove_opts[] = {
    { NULL, 0, NULL, false, NULL },
};

static int remove_run(cli *c, cli_args *a)
{
    int64_t id = 0;
    int rc = contact_id(c, a, &id);
    if (rc)
        return rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    if (kanal_contact_remove(k, id, &err))
        return cli_fail(c, &err);
    fprintf(c->out, "contact %lld: removed\n", (long long)id);
    return 0;
}

const cli_cmd cli_cmd_contact_remove = {
    .name = "contact remove",
    .args = "CONTACT",
    .min_args = 1,
    .max_args = 1,
    .summary = "remove a contact (owner, manager, admin); it stays in the record",
    .help = "Records a contact_removed event. The contact leaves contact list and\n"
            "partner show; contact list --all still shows it, with when it was removed.",
    .opts = remove_opts,
    .run = remove_run,
};
