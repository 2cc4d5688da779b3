/*
** common.c — what many commands share: opening the database as the acting
** user, reading ids, printing tables.
*/
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char *cli_db_path(const cli *c)
{
    if (c->db_path && c->db_path[0])
        return c->db_path;
    const char *env = getenv("KANAL_DB");
    return env && env[0] ? env : "kanal.db";
}

const char *cli_actor_id(const cli *c)
{
    if (c->as && c->as[0])
        return c->as;
    const char *env = getenv("KANAL_USER");
    if (env && env[0])
        return env;
    struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_name)
        return pw->pw_name;
    env = getenv("USER");
    return env && env[0] ? env : "unknown";
}

int cli_now(cli *c, int64_t *now)
{
    const char *text = getenv("KANAL_NOW");
    *now = 0;
    if (!text || !text[0])
        return 0;
    kanal_error err;
    if (kanal_time_parse(text, now, &err)) {
        kanal_error_set(&err, KANAL_EUSAGE, "invalid $KANAL_NOW '%s': use ISO 8601", text);
        return cli_fail(c, &err);
    }
    return 0;
}

kanal *cli_open(cli *c, int *rc)
{
    kanal_error err;
    kanal_error_clear(&err);
    *rc = 0;
    if (c->k)
        return c->k;
    int64_t now;
    if ((*rc = cli_now(c, &now)))
        return NULL;
    if (kanal_open(&c->k, cli_db_path(c), &err)) {
        *rc = cli_fail(c, &err);
        return NULL;
    }
    kanal_set_now(c->k, now);
    return c->k;
}

kanal *cli_kanal(cli *c, int *rc)
{
    kanal_error err;
    kanal_error_clear(&err);
    if (!cli_open(c, rc))
        return NULL;
    const char *who = cli_actor_id(c);
    const kanal_user *cur = kanal_actor(c->k);
    if (!cur || strcmp(cur->id, who) != 0) {
        if (kanal_set_actor(c->k, who, &err)) {
            *rc = cli_fail(c, &err);
            return NULL;
        }
    }
    *rc = 0;
    return c->k;
}

int cli_opp_id(cli *c, const char *text, int64_t *id)
{
    size_t n = strlen(text);
    if (n == 0 || n > 18 || strspn(text, "0123456789") != n || (*id = strtoll(text, NULL, 10)) <= 0)
        return cli_usage_error(c, NULL, "'%s' is not an opportunity id (a positive number)",
                               text);
    return 0;
}

int cli_print_table(cli *c, cli_args *a, kanal_table *t)
{
    kanal_buf out = KANAL_BUF_INIT;
    if (cli_flag(a, "json"))
        kanal_table_render_json(t, &out);
    else
        kanal_table_render_text(t, &out);
    int rc = cli_write(c, &out);
    kanal_buf_release(&out);
    kanal_table_free(t);
    return rc;
}

void cli_print_hints(cli *c)
{
    size_t n;
    if (c->verbose) {
        const char *line = kanal_rules_log(c->k, &n);
        for (size_t i = 0; i < n; i++, line += strlen(line) + 1)
            fprintf(c->err, "rules: %s\n", line);
    }
    const char *h = kanal_hints(c->k, &n);
    for (size_t i = 0; i < n; i++) {
        fprintf(c->err, "hint: %s\n", h);
        h += strlen(h) + 1;
    }
}
