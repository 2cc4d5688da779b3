/*
** cmd_db.c — kanal db copy FROM TO: a whole database, moved.
*/
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
    { NULL, 0, NULL, false, NULL },
};

/* A location as messages show it: a file as given, a server without its password. */
static void where(kanal_buf *b, const char *location)
{
    const char *at = strchr(location, '@'), *scheme = strstr(location, "://");
    if (scheme && at && at > scheme) {
        /* postgresql://user:secret@host/db: the user, not the secret */
        const char *colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
        kanal_buf_add(b, location, (size_t)((colon ? colon : at) - location));
        kanal_buf_puts(b, at);
        return;
    }
    kanal_buf_puts(b, location);
}

static int copy_run(cli *c, cli_args *a)
{
    if (c->in_batch)
        return cli_usage_error(c, a->cmd, "'db copy' cannot run inside a batch");
    kanal_copy_result res;
    kanal_error err;
    kanal_error_clear(&err);
    if (kanal_db_copy(a->pos[0], a->pos[1], &res, &err))
        return cli_fail(c, &err);
    kanal_buf from = KANAL_BUF_INIT, to = KANAL_BUF_INIT;
    where(&from, a->pos[0]);
    where(&to, a->pos[1]);
    /* the deals, when there are any */
    char deals[96] = "";
    if (res.deals)
        snprintf(deals, sizeof deals, ", %ld deal%s", res.deals, res.deals == 1 ? "" : "s");
    /* and the contacts */
    if (res.contacts)
        snprintf(deals + strlen(deals), sizeof deals - strlen(deals), ", %ld contact%s",
                 res.contacts, res.contacts == 1 ? "" : "s");
    fprintf(c->out,
            "copied %ld users, %ld workflow versions, %ld partners, %ld opportunities%s and %ld "
            "events from %s to %s\n",
            res.users, res.workflows, res.partners, res.opportunities, deals, res.events,
            cli_safe(c, kanal_buf_cstr(&from)), cli_safe(c, kanal_buf_cstr(&to)));
    kanal_buf_release(&from);
    kanal_buf_release(&to);
    return 0;
}

const cli_cmd cli_cmd_db_copy = {
    .name = "db copy",
    .args = "FROM TO",
    .min_args = 2,
    .max_args = 2,
    .summary = "copy a whole database, history included, between SQLite and PostgreSQL",
    .help = "FROM and TO are each a file or a postgresql:// URI. TO is made new: a file\n"
            "that does not exist, or an empty PostgreSQL database (made with createdb, copied\n"
            "into by its owner). One transaction: the copy is complete, or nothing is there.\n"
            "For example:\n"
            "  kanal db copy kanal.db postgresql://kanal_owner@db.example.com/kanal",
    .opts = opts,
    .run = copy_run,
};
