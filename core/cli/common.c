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
    /* listeners hear every committed command; the plugins load only then */
    kanal_set_plugins(c->k, cli_plugins(c));
    return c->k;
}

kanal *cli_kanal(cli *c, int *rc)
{
    kanal_error err;
    kanal_error_clear(&err);
    if (!cli_open(c, rc))
        return NULL;
    /* on a server that knows its users, who logged in acts, unless someone else is named
       (which the library refuses) */
    const char *me = kanal_identity(c->k);
    bool named = (c->as && c->as[0]) || (getenv("KANAL_USER") && getenv("KANAL_USER")[0]);
    const char *who = me && !named ? me : cli_actor_id(c);
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
    const char *format = cli_get(a, "format");
    int rc = 0;
    if (format && cli_flag(a, "json") && strcmp(format, "json") != 0)
        rc = cli_usage_error(c, a->cmd, "--json and --format %s contradict", format);
    if (!format)
        format = cli_flag(a, "json") ? "json" : "table";
    kanal_buf out = KANAL_BUF_INIT;
    kanal_error err;
    bool builtin = strcmp(format, "table") == 0 || strcmp(format, "json") == 0;
    if (!rc && kanal_plugins_render(builtin ? NULL : cli_plugins(c), format, t, &out, &err))
        rc = cli_fail(c, &err);
    if (!builtin)
        cli_plugin_warnings(c);
    if (!rc)
        rc = cli_write(c, &out);
    kanal_buf_release(&out);
    kanal_table_free(t);
    return rc;
}

kanal_plugins *cli_plugins(cli *c)
{
    if (c->plugins)
        return c->plugins;
    /* the plugins/ folder beside the binary: build/kanal and build/plugins/ */
    char exe[4096], dir[4200];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(exe, sizeof exe, "%s", c->exe ? c->exe : "kanal");
        n = (ssize_t)strlen(exe);
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(exe, sizeof exe, ".");
    snprintf(dir, sizeof dir, "%s/plugins", exe);
    kanal_error err;
    if (kanal_plugins_new(&c->plugins, dir, getenv("KANAL_PLUGIN_PATH"), &err)) {
        c->plugins = NULL;
        return NULL;
    }
    /* Whether any plugin listens, remembered in the user's cache folder: one file a set of
       plugin folders (FNV-1a of their names), so that two sets do not take turns at one file. */
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    const char *path = getenv("KANAL_PLUGIN_PATH");
    uint64_t h = 1469598103934665603ULL;
    for (const char *s = dir; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *s = path ? path : ""; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    char cache[4300];
    int len = -1;
    if (xdg && xdg[0] == '/')
        len = snprintf(cache, sizeof cache, "%s/kanal/plugins-%016llx", xdg, (unsigned long long)h);
    else if (home && home[0] == '/')
        len = snprintf(cache, sizeof cache, "%s/.cache/kanal/plugins-%016llx", home,
                       (unsigned long long)h);
    if (len > 0 && (size_t)len < sizeof cache)
        kanal_plugins_set_cache(c->plugins, cache, &err); /* without it, they load every time */
    return c->plugins;
}

void cli_plugin_warnings(cli *c)
{
    if (!c->plugins)
        return;
    size_t n = kanal_plugins_count(c->plugins);
    for (size_t i = 0; i < n; i++) {
        const kanal_plugin_info *p = kanal_plugins_info(c->plugins, i);
        if (p->problem)
            fprintf(c->err, "kanal: warning: plugin %s skipped: %s\n", cli_safe(c, p->file),
                    cli_safe(c, p->problem));
    }
}

void cli_print_hints(cli *c)
{
    size_t n;
    cli_print_rules_log(c);
    const char *h = kanal_rules_hints(c->k, &n);
    for (size_t i = 0; i < n; i++) {
        fprintf(c->err, "hint: %s\n", cli_safe(c, h));
        h += strlen(h) + 1;
    }
}

int cli_step_begin(kanal *k, kanal_error *err)
{
    return kanal_begin(k, err);
}

int cli_step_end(cli_args *a, kanal *k, int64_t id, int rc, kanal_error *err)
{
    const char *next = a ? cli_get(a, "next") : NULL;
    if (!rc && next)
        rc = kanal_opp_remind(k, id, next, NULL, cli_get(a, "at"), err);
    if (rc)
        kanal_rollback(k);
    return rc;
}

int cli_step_commit(cli *c, kanal *k)
{
    kanal_error err;
    return kanal_commit(k, &err) ? cli_fail(c, &err) : 0;
}

int cli_step_fail(cli *c, kanal *k, kanal_error *err)
{
    kanal_rollback(k);
    return cli_fail(c, err);
}

void cli_json_contacts(kanal_json *j, const kanal_contact *cs, size_t n)
{
    kanal_json_array(j);
    for (size_t i = 0; i < n; i++) {
        kanal_json_object(j);
        kanal_json_key(j, "id");
        kanal_json_int(j, cs[i].id);
        const char *keys[] = { "name", "role", "email", "phone", "created_at", "created_by" };
        const char *vals[] = { cs[i].name,  cs[i].role,       cs[i].email,
                               cs[i].phone, cs[i].created_at, cs[i].created_by };
        for (size_t f = 0; f < sizeof keys / sizeof *keys; f++) {
            kanal_json_key(j, keys[f]);
            kanal_json_str(j, vals[f]);
        }
        kanal_json_end_object(j);
    }
    kanal_json_end_array(j);
}

void cli_text_contacts(cli *c, kanal_buf *out, const kanal_contact *cs, size_t n, int width)
{
    if (!n)
        kanal_buf_printf(out, "%-*s%s\n", width, "contacts", "none");
    for (size_t i = 0; i < n; i++) {
        kanal_buf_printf(out, "%-*s#%lld %s", width, i ? "" : "contacts", (long long)cs[i].id,
                         cli_safe(c, cs[i].name));
        if (cs[i].role)
            kanal_buf_printf(out, " (%s)", cli_safe(c, cs[i].role));
        if (cs[i].email)
            kanal_buf_printf(out, "  %s", cli_safe(c, cs[i].email));
        if (cs[i].phone)
            kanal_buf_printf(out, "  %s", cli_safe(c, cs[i].phone));
        kanal_buf_putc(out, '\n');
    }
}
