/*
** cmd_partner.c — `kanal partner add|list|show` and `kanal reassign`.
*/
#include <string.h>

#include "cli.h"

static const cli_opt add_opts[] = {
    { "type", 0, "TYPE", false, "partner type, one that a workflow takes (required)" },
    { "owner", 0, "USER", false, "owner (a manager may name someone else)" },
    { "email", 0, "E", false, "e-mail address" },
    { "phone", 0, "P", false, "phone number" },
    { "city", 0, "C", false, "city" },
    { "tax-id", 0, "T", false, "tax id" },
    { "json", 0, NULL, false, "print {\"id\":N}" },
    { NULL, 0, NULL, false, NULL },
};

static int add_run(cli *c, cli_args *a)
{
    kanal_partner_fields p = {
        .name = a->pos[0],
        .type = cli_get(a, "type"),
        .owner = cli_get(a, "owner"),
        .email = cli_get(a, "email"),
        .phone = cli_get(a, "phone"),
        .city = cli_get(a, "city"),
        .tax_id = cli_get(a, "tax-id"),
    };
    if (!p.type)
        return cli_usage_error(c, a->cmd, "missing --type TYPE");
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    int64_t id;
    if (kanal_partner_add(k, &p, &id, &err))
        return cli_fail(c, &err);
    if (cli_flag(a, "json"))
        fprintf(c->out, "{\"id\":%lld}\n", (long long)id);
    else
        fprintf(c->out, "%lld\n", (long long)id);
    return 0;
}

const cli_cmd cli_cmd_partner_add = {
    .name = "partner add",
    .args = "NAME",
    .min_args = 1,
    .max_args = 1,
    .summary = "add a partner; prints its id",
    .help = "Names are unique regardless of case and spacing. A partner has at most one\n"
            "owner; creating an opportunity for an unowned partner makes its owner the\n"
            "partner's owner.",
    .opts = add_opts,
    .run = add_run,
};

static const cli_opt list_opts[] = {
    { "owner", 0, "USER", false, "only partners of this owner" },
    { "type", 0, "TYPE", false, "only partners of this type" },
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
    if (kanal_partner_list(k, cli_get(a, "owner"), cli_get(a, "type"), &t, &err))
        return cli_fail(c, &err);
    return cli_print_table(c, a, t);
}

const cli_cmd cli_cmd_partner_list = {
    .name = "partner list",
    .args = "",
    .min_args = 0,
    .max_args = 0,
    .summary = "list partners",
    .opts = list_opts,
    .run = list_run,
};

static const cli_opt show_opts[] = {
    { "json", 0, NULL, false, "print JSON" },
    { NULL, 0, NULL, false, NULL },
};

static int show_run(cli *c, cli_args *a)
{
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    kanal_partner_view *v;
    if (kanal_partner_get(k, a->pos[0], &v, &err))
        return cli_fail(c, &err);
    const kanal_partner *p = &v->partner;
    kanal_buf out = KANAL_BUF_INIT;
    if (cli_flag(a, "json")) {
        kanal_json j;
        kanal_json_init(&j, &out);
        kanal_json_object(&j);
        kanal_json_key(&j, "id");
        kanal_json_int(&j, p->id);
        const char *keys[] = { "name", "type", "owner", "email", "phone", "city", "tax_id",
                               "created_at" };
        const char *vals[] = { p->name, p->type, p->owner, p->email, p->phone, p->city,
                               p->tax_id, p->created_at };
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            kanal_json_key(&j, keys[i]);
            kanal_json_str(&j, vals[i]);
        }
        kanal_json_key(&j, "open_opportunities");
        kanal_json_array(&j);
        for (size_t i = 0; i < v->n_open_opps; i++)
            kanal_json_int(&j, v->open_opps[i]);
        kanal_json_end_array(&j);
        kanal_json_key(&j, "contacts");
        cli_json_contacts(&j, v->contacts, v->n_contacts);
        kanal_json_key(&j, "opportunities");
        kanal_json_array(&j);
        for (size_t i = 0; i < v->n_past; i++) {
            const kanal_opp_brief *o = &v->past[i];
            kanal_json_object(&j);
            kanal_json_key(&j, "id");
            kanal_json_int(&j, o->id);
            kanal_json_key(&j, "workflow");
            kanal_json_str(&j, o->workflow);
            kanal_json_key(&j, "version");
            kanal_json_int(&j, o->version);
            kanal_json_key(&j, "owner");
            kanal_json_str(&j, o->owner);
            kanal_json_key(&j, "status");
            kanal_json_str(&j, kanal_status_name(o->status));
            kanal_json_key(&j, "stage");
            kanal_json_str(&j, o->stage);
            kanal_json_key(&j, "closed_at");
            kanal_json_str(&j, o->closed_at);
            kanal_json_key(&j, "lost_reason");
            kanal_json_str(&j, o->lost_reason);
            kanal_json_key(&j, "lost_reason_name");
            kanal_json_str(&j, o->lost_reason_name);
            kanal_json_key(&j, "lost_note");
            kanal_json_str(&j, o->lost_note);
            kanal_json_end_object(&j);
        }
        kanal_json_end_array(&j);
        kanal_json_end_object(&j);
        kanal_buf_putc(&out, '\n');
    } else {
        kanal_buf_printf(&out, "partner %lld — %s%s%s\n", (long long)p->id, cli_bold(c),
                         cli_safe(c, p->name), cli_reset(c));
        kanal_buf_printf(&out, "type     %s\nowner    %s\n", p->type,
                         p->owner ? p->owner : "nobody");
        if (p->city)
            kanal_buf_printf(&out, "city     %s\n", cli_safe(c, p->city));
        if (p->email)
            kanal_buf_printf(&out, "email    %s\n", cli_safe(c, p->email));
        if (p->phone)
            kanal_buf_printf(&out, "phone    %s\n", cli_safe(c, p->phone));
        if (p->tax_id)
            kanal_buf_printf(&out, "tax id   %s\n", cli_safe(c, p->tax_id));
        kanal_buf_printf(&out, "added    %.10s\n", p->created_at);
        /* "#2": an opportunity's number, which must not read as a count */
        if (!v->n_open_opps)
            kanal_buf_puts(&out, "open     no open opportunity\n");
        for (size_t i = 0; i < v->n_open_opps; i++) {
            const kanal_opp_brief *o = &v->open[i];
            kanal_buf_printf(&out, "%s opportunity #%lld (%s, stage %s, owner %s)\n",
                             i ? "        " : "open    ", (long long)o->id, o->workflow, o->stage,
                             o->owner);
        }
        for (size_t i = 0; i < v->n_past; i++) {
            const kanal_opp_brief *o = &v->past[i];
            kanal_buf_printf(&out, "%s opportunity #%lld %s %.10s (%s, stage %s, owner %s)\n",
                             i ? "        " : "past    ", (long long)o->id,
                             kanal_status_name(o->status), o->closed_at ? o->closed_at : "?",
                             o->workflow, o->stage, o->owner);
            if (o->lost_reason)
                kanal_buf_printf(&out, "           reason: %s%s%s\n", o->lost_reason,
                                 o->lost_reason_name ? " — " : "",
                                 o->lost_reason_name ? cli_safe(c, o->lost_reason_name) : "");
            if (o->lost_note)
                kanal_buf_printf(&out, "           note: %s\n", cli_safe(c, o->lost_note));
        }
        cli_text_contacts(c, &out, v->contacts, v->n_contacts, 9);
    }
    rc = cli_write(c, &out);
    kanal_buf_release(&out);
    kanal_partner_free(v);
    return rc;
}

const cli_cmd cli_cmd_partner_show = {
    .name = "partner show",
    .args = "PARTNER",
    .min_args = 1,
    .max_args = 1,
    .summary = "show a partner (by id or exact name)",
    .opts = show_opts,
    .run = show_run,
};

static const cli_opt reassign_opts[] = {
    { "from", 0, "USER", false, "the rep whose work moves (required)" },
    { "to", 0, "USER", false, "the rep who takes it (required)" },
    { "partner", 0, "PARTNER", false, "move only this partner" },
    { "at", 0, "TIME", false, "when it happened (ISO 8601; default: now)" },
    { NULL, 0, NULL, false, NULL },
};

static int reassign_run(cli *c, cli_args *a)
{
    const char *from = cli_get(a, "from"), *to = cli_get(a, "to");
    if (!from || !to)
        return cli_usage_error(c, a->cmd, "missing --%s USER", from ? "to" : "from");
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    int np, no;
    if (strcmp(from, to) == 0 && kanal_actor(k)) {
        /* worded here: the flags are the command line's (after the library's own
           checks of who acts, as before) */
        kanal_error_clear(&err);
        if (kanal_user_reassign(k, from, to, cli_get(a, "partner"), cli_get(a, "at"), &np, &no,
                                &err) == KANAL_EUSAGE)
            kanal_error_set(&err, KANAL_EUSAGE, "--from and --to name the same user '%s'", to);
        return cli_fail(c, &err);
    }
    if (kanal_user_reassign(k, from, to, cli_get(a, "partner"), cli_get(a, "at"), &np, &no, &err))
        return cli_fail(c, &err);
    fprintf(c->out, "moved %d partner%s and %d open opportunit%s from %s to %s\n", np,
            np == 1 ? "" : "s", no, no == 1 ? "y" : "ies", cli_safe(c, from), cli_safe(c, to));
    return 0;
}

const cli_cmd cli_cmd_reassign = {
    .name = "reassign",
    .args = "",
    .min_args = 0,
    .max_args = 0,
    .summary = "move a rep's partners and open opportunities to another rep (manager)",
    .help = "This is how work goes on when a rep leaves: everything needed to continue is\n"
            "in the record. Each moved opportunity records the move in its history.",
    .opts = reassign_opts,
    .run = reassign_run,
};

static const cli_opt edit_opts[] = {
    { "name", 0, "NAME", false, "a new name (unique regardless of case and spacing)" },
    { "type", 0, "TYPE", false, "a partner type that a workflow takes" },
    { "email", 0, "E", false, "e-mail address ('' clears it)" },
    { "phone", 0, "P", false, "phone number ('' clears it)" },
    { "city", 0, "C", false, "city ('' clears it)" },
    { "tax-id", 0, "T", false, "tax id ('' clears it)" },
    { NULL, 0, NULL, false, NULL },
};

static int edit_run(cli *c, cli_args *a)
{
    kanal_partner_fields p = {
        .name = cli_get(a, "name"),
        .type = cli_get(a, "type"),
        .email = cli_get(a, "email"),
        .phone = cli_get(a, "phone"),
        .city = cli_get(a, "city"),
        .tax_id = cli_get(a, "tax-id"),
    };
    if (!p.name && !p.type && !p.email && !p.phone && !p.city && !p.tax_id)
        return cli_usage_error(c, a->cmd,
                               "nothing to edit: give --name, --type, --city, --email, --phone "
                               "or --tax-id");
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (rc)
        return rc;
    kanal_error err;
    bool changed;
    if (kanal_partner_edit(k, a->pos[0], &p, &changed, &err))
        return cli_fail(c, &err);
    /* the partner as stored now, whichever way it was named */
    kanal_partner_view *v = NULL;
    if (kanal_partner_get(k, p.name ? p.name : a->pos[0], &v, &err))
        return cli_fail(c, &err);
    fprintf(c->out, "partner %lld '%s': %s\n", (long long)v->partner.id,
            cli_safe(c, v->partner.name), changed ? "edited" : "nothing changed");
    kanal_partner_free(v);
    return 0;
}

const cli_cmd cli_cmd_partner_edit = {
    .name = "partner edit",
    .args = "PARTNER",
    .min_args = 1,
    .max_args = 1,
    .summary = "edit a partner's name, type or contact details (owner, manager, admin)",
    .help = "Records a partner_edited event with each change. A new name keeps the\n"
            "uniqueness rule.",
    .opts = edit_opts,
    .run = edit_run,
};
