/*
** cmd_void.c — `kanal void OPP EVENT_SEQ --reason TEXT`: an activity or a field
** change logged by mistake is voided by a new event.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
    { "reason", 0, "TEXT", false, "why it is voided (required)" },
    { "at", 0, "TIME", false, "when (ISO 8601; default: now)" },
    { NULL, 0, NULL, false, NULL },
};

static void goal_list(kanal_buf *b, const char *const *goals, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kanal_buf_printf(b, "%s'%s'", i ? (i + 1 == n ? " and " : ", ") : "", goals[i]);
}

static int run(cli *c, cli_args *a)
{
    int64_t id;
    int rc = cli_opp_id(c, a->pos[0], &id);
    if (rc)
        return rc;
    const char *s = a->pos[1];
    size_t len = strlen(s);
    long long seq = 0;
    if (len == 0 || len > 18 || strspn(s, "0123456789") != len || (seq = strtoll(s, NULL, 10)) <= 0)
        return cli_usage_error(c, a->cmd,
                               "'%s' is not an event's seq (a positive number, as "
                               "kanal history shows it)",
                               s);
    if (!cli_get(a, "reason"))
        return cli_usage_error(c, a->cmd, "missing --reason TEXT");
    kanal *k = cli_kanal(c, &rc);
    if (rc)
        return rc;
    kanal_error err;
    kanal_void_result *r;
    if (kanal_opp_void(k, id, (int64_t)seq, cli_get(a, "reason"), cli_get(a, "at"), &r, &err))
        return cli_fail(c, &err);
    kanal_buf out = KANAL_BUF_INIT;
    kanal_buf_printf(&out, "opportunity %lld: voided event %lld (%s %s)", (long long)id,
                     (long long)r->seq, r->type, cli_safe(c, r->subject));
    if (r->n_undone) {
        kanal_buf_printf(&out, "; goal%s ", r->n_undone > 1 ? "s" : "");
        goal_list(&out, r->undone, r->n_undone);
        kanal_buf_printf(&out, " %s not done any more", r->n_undone > 1 ? "are" : "is");
    }
    if (r->n_kept) {
        kanal_buf_printf(&out, "; goal%s ", r->n_kept > 1 ? "s" : "");
        goal_list(&out, r->kept, r->n_kept);
        kanal_buf_printf(&out, " still done by a later %s", cli_safe(c, r->subject));
    }
    if (r->field_changed && r->value)
        kanal_buf_printf(&out, "; %s is back to '%s'", cli_safe(c, r->subject),
                         cli_safe(c, r->value));
    else if (r->field_changed)
        kanal_buf_printf(&out, "; %s is cleared", cli_safe(c, r->subject));
    kanal_buf_putc(&out, '\n');
    kanal_void_result_free(r);
    rc = cli_write(c, &out);
    kanal_buf_release(&out);
    return rc;
}

const cli_cmd cli_cmd_void = {
    .name = "void",
    .args = "OPP EVENT_SEQ",
    .min_args = 2,
    .max_args = 2,
    .summary = "void an activity or a field change logged by mistake (its owner within 24 hours, "
               "a manager or an admin at any time)",
    .help = "EVENT_SEQ is the event's number in kanal history. The goals a voided activity "
            "completed are undone unless a later activity of its type still completes them; a "
            "voided field change gives the field back its value from before. The stage does not "
            "move back, and a closed opportunity is reopened first.",
    .opts = opts,
    .run = run,
};
