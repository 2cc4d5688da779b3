/*
** cmd_opp.c — `kanal opp new|list|show`.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt new_opts[] = {
    { "partner", 0, "P", false, "the partner, by id or exact name (required)" },
    { "workflow", 0, "W", false, "the workflow (required)" },
    { "owner", 0, "USER", false, "the owner (default: you; a manager may name someone else)" },
    { "at", 0, "TIME", false, "when it happened (ISO 8601; default: now)" },
    { "json", 0, NULL, false, "print {\"id\":N}" },
    { NULL, 0, NULL, false, NULL },
};

static int new_run(cli *c, cli_args *a)
{
    const char *partner = cli_get(a, "partner"), *workflow = cli_get(a, "workflow");
    if (!partner)
        return cli_usage_error(c, a->cmd, "missing --partner P");
    if (!workflow)
        return cli_usage_error(c, a->cmd, "missing --workflow W");
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    int64_t id;
    if (kanal_opp_create(k, partner, workflow, cli_get(a, "owner"), cli_get(a, "at"), &id,
                         &err))
        return cli_fail(c, &err);
    if (cli_flag(a, "json"))
        fprintf(c->out, "{\"id\":%lld}\n", (long long)id);
    else
        fprintf(c->out, "%lld\n", (long long)id);
    cli_print_hints(c);
    return 0;
}

const cli_cmd cli_cmd_opp_new = {
    .name = "opp new",
    .args = "",
    .min_args = 0,
    .max_args = 0,
    .summary = "create an opportunity in the first stage; prints its id",
    .help = "Uses the latest version of the workflow; the opportunity stays on it. The\n"
            "partner's type must be one the workflow takes, the owner must hold one of its\n"
            "owner_roles, and the partner must not be owned by someone else.",
    .opts = new_opts,
    .run = new_run,
};

static const cli_opt list_opts[] = {
    { "mine", 0, NULL, false, "only my opportunities" },
    { "owner", 0, "USER", false, "only this owner's" },
    { "workflow", 0, "W", false, "only this workflow's" },
    { "stage", 0, "S", false, "only those in this stage" },
    { "status", 0, "open|won|lost", false, "only those with this status" },
    { "stale", 0, NULL, false, "only open ones longer in their stage than its max_days" },
    { "overdue", 0, NULL, false, "only open ones whose next contact has passed" },
    { "sort", 0, "COLUMN", false, "sort by a column (-COLUMN: descending), e.g. -days_in_stage" },
    { "limit", 0, "N", false, "at most N (after sorting)" },
    CLI_LIST_OPTS,
    { NULL, 0, NULL, false, NULL },
};

static int list_run(cli *c, cli_args *a)
{
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_opp_filter f = { .owner = cli_get(a, "owner"),
                           .workflow = cli_get(a, "workflow"),
                           .stage = cli_get(a, "stage"),
                           .status = cli_get(a, "status"),
                           .mine = cli_flag(a, "mine"),
                           .stale = cli_flag(a, "stale"),
                           .overdue = cli_flag(a, "overdue"),
                           .sort = cli_get(a, "sort") };
    kanal_error err;
    const char *limit = cli_get(a, "limit");
    if (limit) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(limit, &end, 10);
        if (!*limit || *end || limit[0] == '-' || errno || n == 0)
            return cli_usage_error(c, a->cmd, "--limit expects a whole number above 0, not '%s'",
                                   cli_safe(c, limit));
        f.limit = (size_t)n;
    }
    if (f.mine && f.owner && strcmp(f.owner, kanal_actor(k)->id) != 0) {
        kanal_error_set(&err, KANAL_EUSAGE, "--mine and --owner %s contradict", f.owner);
        return cli_fail(c, &err);
    }
    kanal_table *t;
    if (kanal_opp_list(k, &f, &t, &err))
        return cli_fail(c, &err);
    return cli_print_table(c, a, t);
}

const cli_cmd cli_cmd_opp_list = {
    .name = "opp list",
    .args = "",
    .min_args = 0,
    .max_args = 0,
    .summary = "list opportunities (yours, or all for a manager)",
    .opts = list_opts,
    .run = list_run,
};

/* A field's value in JSON: numbers and booleans typed, the rest as text. */
void cli_json_field(kanal_json *j, const kanal_field_def *f, const char *v)
{
    if (!v)
        kanal_json_null(j);
    else if (f->type == KANAL_FIELD_NUMBER || f->type == KANAL_FIELD_INTEGER)
        kanal_json_raw(j, v);
    else if (f->type == KANAL_FIELD_BOOLEAN)
        kanal_json_bool(j, strcmp(v, "true") == 0);
    else
        kanal_json_str(j, v);
}

static const char *lost_name(const kanal_opp *o);

static void show_json(kanal_buf *out, const kanal_opp *o, const kanal_contacts *people)
{
    const kanal_workflow *wf = o->wf;
    kanal_json j;
    kanal_json_init(&j, out);
    kanal_json_object(&j);
    kanal_json_key(&j, "id");
    kanal_json_int(&j, o->id);
    kanal_json_key(&j, "partner");
    kanal_json_object(&j);
    kanal_json_key(&j, "id");
    kanal_json_int(&j, o->partner.id);
    kanal_json_key(&j, "name");
    kanal_json_str(&j, o->partner.name);
    kanal_json_key(&j, "type");
    kanal_json_str(&j, o->partner.type);
    kanal_json_end_object(&j);
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
    kanal_json_key(&j, "stage_entered_at");
    kanal_json_str(&j, o->stage_entered_at);
    kanal_json_key(&j, "created_at");
    kanal_json_str(&j, o->created_at);
    kanal_json_key(&j, "closed_at");
    kanal_json_str(&j, o->closed_at);
    kanal_json_key(&j, "lost_reason");
    kanal_json_str(&j, o->lost_reason);
    kanal_json_key(&j, "lost_reason_name");
    kanal_json_str(&j, lost_name(o));
    kanal_json_key(&j, "lost_note");
    kanal_json_str(&j, o->lost_note);
    kanal_json_key(&j, "next_contact_at");
    kanal_json_str(&j, o->next_contact_at);
    kanal_json_key(&j, "last_activity_at");
    kanal_json_str(&j, o->last_activity_at);
    kanal_json_key(&j, "contacts");
    cli_json_contacts(&j, people->items, people->n);
    kanal_json_key(&j, "fields");
    kanal_json_object(&j);
    for (size_t i = 0; i < wf->n_fields; i++) {
        kanal_json_key(&j, wf->fields[i].id);
        cli_json_field(&j, &wf->fields[i], o->fields[i]);
    }
    kanal_json_end_object(&j);
    kanal_json_key(&j, "goals");
    kanal_json_array(&j);
    for (size_t s = 0; s < wf->n_stages; s++) {
        for (size_t i = 0; i < wf->stages[s].n_goals; i++) {
            size_t gi = wf->stages[s].goals[i];
            kanal_json_object(&j);
            kanal_json_key(&j, "id");
            kanal_json_str(&j, wf->goals[gi].id);
            kanal_json_key(&j, "stage");
            kanal_json_str(&j, wf->stages[s].id);
            kanal_json_key(&j, "mandatory");
            kanal_json_bool(&j, wf->goals[gi].mandatory);
            kanal_json_key(&j, "done");
            kanal_json_bool(&j, o->done_at[gi] != NULL);
            kanal_json_key(&j, "done_at");
            kanal_json_str(&j, o->done_at[gi]);
            kanal_json_key(&j, "not_required");
            kanal_json_bool(&j, o->waived_at && o->waived_at[gi] != NULL);
            kanal_json_end_object(&j);
        }
    }
    kanal_json_end_array(&j);
    kanal_json_end_object(&j);
    kanal_buf_putc(out, '\n');
}

/* "2026-03-01 10:00" */
/* The name of the reason it was lost for, or NULL. */
static const char *lost_name(const kanal_opp *o)
{
    int ri = o->lost_reason ? kanal_workflow_lost_reason_index(o->wf, o->lost_reason) : -1;
    return ri >= 0 ? o->wf->lost_reasons[ri].name : NULL;
}

static void when(kanal_buf *b, const char *t)
{
    if (t && strlen(t) >= 16)
        kanal_buf_printf(b, "%.10s %.5s", t, t + 11);
    else
        kanal_buf_puts(b, t ? t : "-");
}

static void show_text(cli *c, kanal_buf *out, const kanal_opp *o, const kanal_contacts *people)
{
    const kanal_workflow *wf = o->wf;
    const char *B = cli_bold(c), *D = cli_dim(c), *R = cli_reset(c);
    kanal_buf_printf(out, "opportunity %lld — %s%s%s (%s)\n", (long long)o->id, B,
                     cli_safe(c, o->partner.name), R, o->partner.type);
    kanal_buf_printf(out, "workflow  %s v%d\nowner     %s\nstatus    %s", o->workflow,
                     o->version, o->owner, kanal_status_name(o->status));
    if (o->status != KANAL_OPEN) {
        kanal_buf_puts(out, " on ");
        when(out, o->closed_at);
        if (o->lost_reason) {
            const char *name = lost_name(o);
            kanal_buf_printf(out, " (%s%s%s)", o->lost_reason, name ? ": " : "",
                             name ? cli_safe(c, name) : "");
        }
        if (o->lost_note)
            kanal_buf_printf(out, "\n          note: %s", cli_safe(c, o->lost_note));
    }
    kanal_buf_printf(out, "\nstage     %s (%d of %zu) since ", o->stage, o->stage_index + 1,
                     wf->n_stages);
    when(out, o->stage_entered_at);
    kanal_buf_puts(out, "\ncreated   ");
    when(out, o->created_at);
    kanal_buf_printf(out, "\ncontact   next %s · last activity ",
                     o->next_contact_at ? o->next_contact_at : "-");
    when(out, o->last_activity_at);
    kanal_buf_putc(out, '\n');
    /* the people at the partner, whom the next contact is with */
    cli_text_contacts(c, out, people->items, people->n, 10);
    if (wf->n_fields) {
        kanal_buf_puts(out, "\nfields\n");
        for (size_t i = 0; i < wf->n_fields; i++)
            kanal_buf_printf(out, "  %-22s %s\n", wf->fields[i].id,
                             o->fields[i] ? cli_safe(c, o->fields[i]) : "-");
    }
    kanal_buf_puts(out, "\ngoals\n");
    for (size_t s = 0; s < wf->n_stages; s++) {
        const kanal_stage *st = &wf->stages[s];
        kanal_buf_printf(out, "  %s%s%s%s\n", B, st->id, R,
                         (int)s == o->stage_index && o->status == KANAL_OPEN ? "  (current)"
                                                                              : "");
        for (size_t i = 0; i < st->n_goals; i++) {
            size_t gi = st->goals[i];
            bool waived = !o->done_at[gi] && o->waived_at && o->waived_at[gi];
            kanal_buf_printf(out, "    [%s] %-22s",
                             o->done_at[gi] ? "x"
                             : waived       ? "-"
                                            : " ",
                             wf->goals[gi].id);
            if (waived)
                kanal_buf_printf(out,
                                 " %snot required: its stage was behind it when it moved to "
                                 "this version%s",
                                 D, R);
            if (o->done_at[gi]) {
                kanal_buf_printf(out, " %s", D);
                when(out, o->done_at[gi]);
                kanal_buf_puts(out, R);
            }
            if (!wf->goals[gi].mandatory)
                kanal_buf_printf(out, " %s(optional)%s", D, R);
            kanal_buf_putc(out, '\n');
        }
    }
}

static const cli_opt show_opts[] = {
    { "json", 0, NULL, false, "print JSON" },
    { NULL, 0, NULL, false, NULL },
};

static int show_run(cli *c, cli_args *a)
{
    int64_t id;
    int rc = cli_opp_id(c, a->pos[0], &id);
    if (rc)
        return rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    kanal_opp *o;
    if (kanal_opp_get(k, id, &o, &err))
        return cli_fail(c, &err);
    kanal_contacts *people;
    if (kanal_contacts_of(k, o->partner.id, false, &people, &err)) {
        kanal_opp_free(o);
        return cli_fail(c, &err);
    }
    kanal_buf out = KANAL_BUF_INIT;
    if (cli_flag(a, "json"))
        show_json(&out, o, people);
    else
        show_text(c, &out, o, people);
    rc = cli_write(c, &out);
    kanal_buf_release(&out);
    kanal_contacts_free(people);
    kanal_opp_free(o);
    return rc;
}

const cli_cmd cli_cmd_opp_show = {
    .name = "opp show",
    .args = "OPP",
    .min_args = 1,
    .max_args = 1,
    .summary = "show one opportunity with its goals and fields",
    .opts = show_opts,
    .run = show_run,
};
