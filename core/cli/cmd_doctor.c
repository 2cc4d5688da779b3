/*
** cmd_doctor.c — `kanal doctor`: is the record sound? Exit 0 when it is, 5
** when not, with each problem; nothing is ever repaired.
*/
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
    { "json", 0, NULL, false, "print JSON" },
    { NULL, 0, NULL, false, NULL },
};

static int run(cli *c, cli_args *a)
{
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    kanal_table *t;
    long opps, events;
    if (kanal_doctor(k, &t, &opps, &events, &err))
        return cli_fail(c, &err);
    size_t n = kanal_table_rows(t);
    kanal_buf out = KANAL_BUF_INIT;
    if (cli_flag(a, "json")) {
        kanal_json j;
        kanal_json_init(&j, &out);
        kanal_json_object(&j);
        kanal_json_key(&j, "sound");
        kanal_json_bool(&j, n == 0);
        kanal_json_key(&j, "opportunities");
        kanal_json_int(&j, opps);
        kanal_json_key(&j, "events");
        kanal_json_int(&j, events);
        kanal_json_key(&j, "problems");
        kanal_json_array(&j);
        for (size_t i = 0; i < n; i++) {
            const char *opp = kanal_table_cell(t, i, 1);
            kanal_json_object(&j);
            kanal_json_key(&j, "check");
            kanal_json_str(&j, kanal_table_cell(t, i, 0));
            kanal_json_key(&j, "opp");
            if (opp)
                kanal_json_raw(&j, opp);
            else
                kanal_json_null(&j);
            kanal_json_key(&j, "problem");
            kanal_json_str(&j, kanal_table_cell(t, i, 2));
            kanal_json_end_object(&j);
        }
        kanal_json_end_array(&j);
        kanal_json_end_object(&j);
        kanal_buf_putc(&out, '\n');
    } else {
        for (size_t i = 0; i < n; i++) {
            const char *opp = kanal_table_cell(t, i, 1);
            if (opp)
                kanal_buf_printf(&out, "opportunity %s: ", opp);
            kanal_buf_printf(&out, "%s (%s)\n", cli_safe(c, kanal_table_cell(t, i, 2)),
                             kanal_table_cell(t, i, 0));
        }
        if (n)
            kanal_buf_printf(&out,
                             "%zu problem%s in %ld opportunities and %ld events checked; "
                             "nothing was changed\n",
                             n, n == 1 ? "" : "s", opps, events);
        else
            kanal_buf_printf(&out,
                             "sound: %ld opportunities and %ld events checked, the log "
                             "append-only\n",
                             opps, events);
    }
    kanal_table_free(t);
    rc = cli_write(c, &out);
    kanal_buf_release(&out);
    return rc ? rc : n ? 5 : 0;
}

const cli_cmd cli_cmd_doctor = {
    .name = "doctor",
    .args = "",
    .min_args = 0,
    .max_args = 0,
    .summary = "check the whole record: exit 0 when it is sound, 5 with each problem (manager)",
    .help = "The database's own checks, the event log still append-only, and each\n"
            "opportunity's state against a replay of its events. Nothing is changed: what\n"
            "doctor finds is reported, never repaired.",
    .opts = opts,
    .run = run,
};
