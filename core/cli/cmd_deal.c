/*
** cmd_deal.c — `kanal deal add|end|list`: the clients a won partner brings.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt add_opts[] = {
    { "partner", 0, "P", false, "the partner who brought the client, by id or name (required)" },
    { "client", 0, "NAME", false, "the client's name (required)" },
    { "value", 0, "AMOUNT", false, "the deal's value: 12500 or 12500.50 (required)" },
    { "signed", 0, "DATE", false, "the day the client signed, YYYY-MM-DD (required)" },
    { "json", 0, NULL, false, "print {\"id\":N}" },
    { NULL, 0, NULL, false, NULL },
};

static int add_run(cli *c, cli_args *a)
{
    static const char *const required[] = { "partner", "client", "value", "signed" };
    static const char *const what[] = { "P", "NAME", "AMOUNT", "DATE" };
    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        if (!cli_get(a, required[i]))
            return cli_usage_error(c, a->cmd, "missing --%s %s", required[i], what[i]);
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    int64_t id;
    if (kanal_deal_add(k, cli_get(a, "partner"), cli_get(a, "client"), cli_get(a, "value"),
                       cli_get(a, "signed"), &id, &err))
        return cli_fail(c, &err);
    if (cli_flag(a, "json"))
        fprintf(c->out, "{\"id\":%lld}\n", (long long)id);
    else
        fprintf(c->out, "%lld\n", (long long)id);
    return 0;
}

const cli_cmd cli_cmd_deal_add = {
    .name = "deal add",
    .args = "",
    .min_args = 0,
    .max_args = 0,
    .summary = "record a client a won partner brought; prints the deal's id",
    .help = "The partner must have a won opportunity: the deal belongs to the latest one,\n"
            "its event goes into that opportunity's history, and the rules of its workflow\n"
            "version compute the deal's commission (kanal report commission). --signed is\n"
            "any day up to today. The partner's owner, a manager or an admin records deals.\n"
            "For example:\n"
            "  kanal deal add --partner \"Biuro Rachunkowe Kowalski\" --client \"Hotel Mewa\"\n"
            "    --value 12500.50 --signed 2026-01-15",
    .opts = add_opts,
    .run = add_run,
};

static const cli_opt end_opts[] = {
    { "at", 0, "DATE", false, "the day the client left, YYYY-MM-DD (required)" },
    { NULL, 0, NULL, false, NULL },
};

static int end_run(cli *c, cli_args *a)
{
    const char *text = a->pos[0];
    size_t n = strlen(text);
    if (n == 0 || n > 18 || strspn(text, "0123456789") != n || strtoll(text, NULL, 10) <= 0)
        return cli_usage_error(c, a->cmd, "'%s' is not a deal id (a positive number)", text);
    if (!cli_get(a, "at"))
        return cli_usage_error(c, a->cmd, "missing --at DATE");
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_error err;
    int64_t id = strtoll(text, NULL, 10);
    if (kanal_deal_end(k, id, cli_get(a, "at"), &err))
        return cli_fail(c, &err);
    fprintf(c->out, "deal %lld: ended on %s\n", (long long)id, cli_get(a, "at"));
    return 0;
}

const cli_cmd cli_cmd_deal_end = {
    .name = "deal end",
    .args = "DEAL",
    .min_args = 1,
    .max_args = 1,
    .summary = "record the day a deal's client left",
    .help = "--at is any day from the day the client signed up to today, in the past too:\n"
            "the commission rules read how long the client stayed. A deal ends once.",
    .opts = end_opts,
    .run = end_run,
};

static const cli_opt list_opts[] = {
    { "partner", 0, "P", false, "only the deals of this partner (by id or name)" },
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
    if (kanal_deal_list(k, cli_get(a, "partner"), &t, &err))
        return cli_fail(c, &err);
    return cli_print_table(c, a, t);
}

const cli_cmd cli_cmd_deal_list = {
    .name = "deal list",
    .args = "",
    .min_args = 0,
    .max_args = 0,
    .summary = "list deals (a rep: those of the partners they own)",
    .opts = list_opts,
    .run = list_run,
};
