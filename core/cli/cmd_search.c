/*
** cmd_search.c — `kanal search TEXT`: partners, contacts and notes, as people
** remember them.
*/
#include "cli.h"

static const cli_opt opts[] = {
    CLI_LIST_OPTS,
    { NULL, 0, NULL, false, NULL },
};

static int run(cli *c, cli_args *a)
{
    int rc;
    kanal *k = cli_kanal(c, &rc);
    if (!k)
        return rc;
    kanal_buf text = KANAL_BUF_INIT;
    for (int i = 0; i < a->npos; i++)
        kanal_buf_printf(&text, "%s%s", i ? " " : "", a->pos[i]);
    kanal_error err;
    kanal_table *t;
    rc = kanal_search(k, kanal_buf_cstr(&text), &t, &err);
    kanal_buf_release(&text);
    if (rc)
        return cli_fail(c, &err);
    return cli_print_table(c, a, t);
}

const cli_cmd cli_cmd_search = {
    .name = "search",
    .args = "TEXT...",
    .min_args = 1,
    .max_args = -1,
    .summary = "find partners, contacts and notes, whatever the case and accents",
    .help = "Every word must be found (lodz hurt finds Łódź Hurt; wisniewska finds\n"
            "Wiśniewska). A rep searches their own partners and opportunities; a manager\n"
            "and an admin everything. Partner names given to other commands are matched\n"
            "the same way when one partner matches.",
    .opts = opts,
    .run = run,
};
