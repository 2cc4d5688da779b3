/*
** cli_cmd_history.c — `kanal history OPP`: the event log of one opportunity;
** `kanal history --partner P`: a partner's own events (its edits, its contacts).
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
    { "partner", 0, "P", false, "the partner's own events (by id or exact name) instead" },
    CLI_LIST_OPTS,
    { NULL, 0, NULL, false, NULL },
};

/* The events as a table, for a plugin's format (--format csv). */
static int as_table(cli *c, cli_args *a, const kanal_history *h)
{
    kanal_table *t;
    kanal_error err;
    if (kanal_table_new(&t, "events", "History", &err))
        return cli_fail(c, &err);
    bool oom = kanal_table_add_column(t, "seq", KANAL_TYPE_INT, "seq") ||
               kanal_table_add_column(t, "at", KANAL_TYPE_TIME, "at") ||
               kanal_table_add_column(t, "actor", KANAL_TYPE_TEXT, "actor") ||
               kanal_table_add_column(t, "type", KANAL_TYPE_TEXT, "type") ||
               kanal_table_add_column(t, "version", KANAL_TYPE_INT, "version") ||
               kanal_table_add_column(t, "data", KANAL_TYPE_TEXT, "data");
    char opp[32];
    snprintf(opp, sizeof opp, "%lld", (long long)h->id);
    oom = oom || kanal_table_add_filter(t, cli_get(a, "partner") ? "partner" : "opportunity", opp);
    for (size_t i = 0; i < h->n_events && !oom; i++) {
        const kanal_event *e = &h->events[i];
        oom = kanal_table_add_row(t) || kanal_table_set_int(t, 0, e->seq) ||
              kanal_table_set(t, 1, e->at) || kanal_table_set(t, 2, e->actor) ||
              kanal_table_set(t, 3, e->type) || kanal_table_set_int(t, 4, e->version) ||
              kanal_table_set(t, 5, e->data);
    }
    if (oom) {
        kanal_table_free(t);
        kanal_error_nomem(&err);
        return cli_fail(c, &err);
    }
    return cli_print_table(c, a, t);
}

static int run(cli *c, cli_args *a)
{
    int64_t id = 0;
    const char *partner = cli_get(a, "partner");
    int rc = 0;
    if (partner && a->npos)
        return cli_usage_error(c, a->cmd, "give OPP or --partner P, not both");
    if (!partner && !a->npos)
        return cli_usage_error(c, a->cmd, "missing OPP");
    if (!partner && (rc = cli_opp_id(c, a->pos[0], &id)))
        return rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    kanal_history *h;
    if (partner ? kanal_partner_history(k, partner, &h, &err) : kanal_opp_history(k, id, &h, &err))
        return cli_fail(c, &err);
    id = h->id;
    const char *format = cli_get(a, "format");
    if (format && strcmp(format, "json") != 0 && strcmp(format, "table") != 0) {
        rc = as_table(c, a, h);
        kanal_opp_history_free(h);
        return rc;
    }
    kanal_buf out = KANAL_BUF_INIT;
    if (cli_flag(a, "json") || (format && strcmp(format, "json") == 0)) {
        kanal_json j;
        kanal_json_init(&j, &out);
        kanal_json_object(&j);
        kanal_json_key(&j, partner ? "partner" : "id");
        kanal_json_int(&j, id);
        kanal_json_key(&j, "events");
        kanal_json_array(&j);
        for (size_t i = 0; i < h->n_events; i++) {
            const kanal_event *e = &h->events[i];
            kanal_json_object(&j);
            kanal_json_key(&j, "seq");
            kanal_json_int(&j, e->seq);
            kanal_json_key(&j, "at");
            kanal_json_str(&j, e->at);
            kanal_json_key(&j, "actor");
            kanal_json_str(&j, e->actor);
            kanal_json_key(&j, "type");
            kanal_json_str(&j, e->type);
            kanal_json_key(&j, "version");
            kanal_json_int(&j, e->version);
            kanal_json_key(&j, "login");
            kanal_json_str(&j, e->login);
            kanal_json_key(&j, "data");
            kanal_json_raw(&j, e->data);
            if (e->voided_by) {
                kanal_json_key(&j, "voided_by");
                kanal_json_int(&j, e->voided_by);
            }
            kanal_json_end_object(&j);
        }
        kanal_json_end_array(&j);
        kanal_json_end_object(&j);
        kanal_buf_putc(&out, '\n');
    } else {
        /* who acted; and, when the operating-system login that ran the
           command was another, that login too: an impersonation shows */
        const char **who = calloc(h->n_events ? h->n_events : 1, sizeof *who);
        size_t wa = 5, wt = 4;
        for (size_t i = 0; who && i < h->n_events; i++) {
            const kanal_event *e = &h->events[i];
            who[i] = e->actor;
            if (e->login && strcmp(e->login, e->actor) != 0) {
                kanal_buf b = KANAL_BUF_INIT;
                kanal_buf_printf(&b, "%s [login: %s]", e->actor, e->login);
                who[i] = cli_safe_take(c, kanal_buf_detach(&b));
            }
            if (strlen(who[i]) > wa)
                wa = strlen(who[i]);
            if (strlen(e->type) > wt)
                wt = strlen(e->type);
        }
        for (size_t i = 0; who && i < h->n_events; i++) {
            const kanal_event *e = &h->events[i];
            kanal_buf_printf(&out, "%3lld  %.10s %.5s  %-*s  %-*s  ", (long long)e->seq, e->at,
                             e->at + 11, (int)wa, who[i], (int)wt, e->type);
            /* a voided event stays in the log, marked */
            if (e->voided_by)
                kanal_buf_printf(&out, "[voided by %lld] ", (long long)e->voided_by);
            kanal_buf_printf(&out, "%s\n", e->summary ? cli_safe(c, e->summary) : "");
        }
        if (!who)
            out.oom = true;
        free(who);
    }
    rc = cli_write(c, &out);
    kanal_buf_release(&out);
    kanal_opp_history_free(h);
    return rc;
}

const cli_cmd cli_cmd_history = {
    .name = "history",
    .args = "OPP",
    .min_args = 0,
    .max_args = 1,
    .summary = "the event log of one opportunity (or, with --partner, of a partner)",
    .help = "--partner P shows the partner's own events, outside its opportunities:\n"
            "partner_added, partner_edited, partner_reassigned and its contacts' events\n"
            "(contact_added, contact_edited, contact_removed).",
    .opts = opts,
    .run = run,
};
