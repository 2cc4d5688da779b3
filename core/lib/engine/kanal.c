/*
** kanal.c — the handle: opening the store, the acting user, transactions,
** the cache of workflow definitions, times and the event log.
*/
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "plugins/plugins.h"
#include "rules/rules.h"

/* An event kept for the listeners until its transaction commits. */
struct pending_event {
    kanal_plugin_event ev;
    char *strings; /* at, actor, type, data, workflow, one block */
};

/*
** Who runs this process, as the operating system says (the effective user,
** never an environment variable): recorded with every event beside the
** Kanal actor, so that one user acting as another shows.
*/
static char *os_login(void)
{
    uid_t uid = geteuid();
    struct passwd pw, *found = NULL;
    char buf[4096];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found && found->pw_name)
        return kanal_strdup(found->pw_name);
    char id[32];
    snprintf(id, sizeof id, "uid %lu", (unsigned long)uid);
    return kanal_strdup(id);
}

static int handle_new(kanal **out, const char *path, kanal_error *err)
{
    kanal *k = calloc(1, sizeof *k);
    if (k)
        engine_hooks_host_init(k);
    if (!k || !(k->path = kanal_strdup(path)) || !(k->actor_arena = kanal_arena_new()) ||
        !(k->login = os_login())) {
        if (k) {
            kanal_arena_free(k->actor_arena);
            free(k->path);
            free(k);
        }
        return kanal_error_nomem(err);
    }
    *out = k;
    return KANAL_OK;
}

#define UNPROTECTED_WARNING                                                                   \
    "the event log is not protected: its append-only triggers were removed outside Kanal, so " \
    "its events may have been changed or deleted"

/* The warnings of a new operation: none, but the log's state until it was said once. */
static void warnings_reset(kanal *k)
{
    kanal_buf_reset(&k->warnings);
    k->n_warnings = 0;
    if (k->log_unprotected) {
        kanal_buf_puts(&k->warnings, UNPROTECTED_WARNING);
        kanal_buf_putc(&k->warnings, '\0');
        k->n_warnings = 1;
    }
}

int kanal_open(kanal **out, const char *path, kanal_error *err)
{
    kanal *k;
    int rc = handle_new(&k, path, err);
    if (rc)
        return rc;
    bool protected_log = true;
    if ((rc = store_open(&k->store, path, false, err)) ||
        (rc = store_log_protected(k->store, &protected_log, err))) {
        kanal_close(k);
        return rc;
    }
    k->log_unprotected = !protected_log;
    warnings_reset(k);
    *out = k;
    return KANAL_OK;
}

bool engine_user_id_valid(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > KANAL_ID_MAX || !((id[0] >= 'a' && id[0] <= 'z') ||
                                        (id[0] >= '0' && id[0] <= '9')))
        return false;
    return strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static void drop_pending(kanal *k, size_t from);
static void deliver_pending(kanal *k);

int kanal_init(kanal **out, const char *path, const char *admin_id, const char *admin_name,
               int64_t now, kanal_plugins *plugins, kanal_error *err)
{
    if (!engine_user_id_valid(admin_id))
        return kanal_error_set(err, KANAL_EINVALID,
                               "invalid user id '%s': use lowercase letters, digits, '.', '_' "
                               "and '-' (at most %d characters)",
                               admin_id, KANAL_ID_MAX);
    kanal *k;
    int rc = handle_new(&k, path, err);
    if (rc)
        return rc;
    if ((rc = store_open(&k->store, path, true, err))) {
        kanal_close(k); /* store_open left the path as it found it */
        return rc;
    }
    k->now = now;
    k->plugins = plugins;
    k->unpublished = true; /* the listeners hear of it once it is there */
    char at[KANAL_TIME_LEN];
    engine_now_text(k, at);
    const char *roles[] = { "admin" };
    if ((rc = kanal_begin(k, err)) ||
        (rc = store_user_insert(k->store, admin_id, admin_name ? admin_name : admin_id, roles,
                                1, at, err)))
        goto fail_tx;
    kanal_buf data = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &data);
    kanal_json_object(&j);
    kanal_json_key(&j, "user");
    kanal_json_str(&j, admin_id);
    kanal_json_key(&j, "roles");
    kanal_json_array(&j);
    kanal_json_str(&j, "admin");
    kanal_json_end_array(&j);
    kanal_json_end_object(&j);
    rc = engine_record_event(k, NULL, KANAL_EV_USER_ADDED, at, &data, err);
    kanal_buf_release(&data);
    if (rc || (rc = kanal_commit(k, err)))
        goto fail_tx;
    /* complete: now, and only now, the database is put at its path */
    if ((rc = store_publish(&k->store, err))) {
        drop_pending(k, 0);
        goto fail;
    }
    k->unpublished = false;
    deliver_pending(k);
    if ((rc = kanal_set_actor(k, admin_id, err)))
        goto fail;
    *out = k;
    return KANAL_OK;
fail_tx:
    kanal_rollback(k);
fail:
    /* a half-made database is worse than none; store_discard removes the
       file only when this process created it */
    store_discard(k->store);
    k->store = NULL;
    kanal_close(k);
    return rc;
}

/* Forgets the pending events from index `from` on. */
static void drop_pending(kanal *k, size_t from)
{
    for (size_t i = from; i < k->n_pending; i++)
        free(k->pending[i].strings);
    if (from < k->n_pending)
        k->n_pending = from;
}

/* A listener that failed: said after the command. */
static void warn(void *ud, const char *message)
{
    kanal *k = ud;
    kanal_buf_puts(&k->warnings, message);
    kanal_buf_putc(&k->warnings, '\0');
    k->n_warnings++;
}

/* After the outermost commit: the listeners get what it recorded. */
static void deliver_pending(kanal *k)
{
    if (k->plugins && k->n_pending) {
        kanal_plugin_event *evs = malloc(k->n_pending * sizeof *evs);
        if (evs) {
            for (size_t i = 0; i < k->n_pending; i++)
                evs[i] = k->pending[i].ev;
            plugins_deliver(k->plugins, evs, k->n_pending, warn, k);
            free(evs);
        }
    }
    drop_pending(k, 0);
}

/* Marks where a transaction level begins, and drops or delivers at its end. */
static void tx_began(kanal *k)
{
    int d = store_depth(k->store);
    if (d > 0 && d <= 64)
        k->marks[d - 1] = k->n_pending;
}

static void tx_ended(kanal *k, int depth_before, bool committed)
{
    if (!committed && depth_before > 0 && depth_before <= 64)
        drop_pending(k, k->marks[depth_before - 1]);
    if (store_depth(k->store) == 0) {
        if (!committed)
            drop_pending(k, 0);
        else if (!k->unpublished)
            deliver_pending(k);
    }
}

void kanal_set_plugins(kanal *k, kanal_plugins *p)
{
    k->plugins = p;
}

const char *kanal_warnings(const kanal *k, size_t *n)
{
    *n = k->n_warnings;
    return k->warnings.data ? k->warnings.data : "";
}

void kanal_warnings_clear(kanal *k)
{
    k->log_unprotected = false; /* said once is enough */
    warnings_reset(k);
}

void kanal_close(kanal *k)
{
    if (!k)
        return;
    while (k->store && store_depth(k->store) > 0)
        store_rollback(k->store);
    for (size_t i = 0; i < k->n_defs; i++) {
        rules_free(k->defs[i]->rules);
        kanal_buf_release(&k->defs[i]->compiled);
        kanal_workflow_free(k->defs[i]->wf);
        kanal_arena_free(k->defs[i]->arena);
        free(k->defs[i]);
    }
    free(k->defs);
    store_close(k->store);
    kanal_arena_free(k->actor_arena);
    kanal_buf_release(&k->hints);
    kanal_buf_release(&k->log);
    kanal_buf_release(&k->trace);
    kanal_buf_release(&k->warnings);
    drop_pending(k, 0);
    free(k->pending);
    free(k->path);
    free(k->login);
    kanal_folder_free(k->folder);
    free(k);
}

void engine_today(kanal *k, char day[11])
{
    /* the user's calendar day: a next contact is a day as the rep thinks of it */
    time_t t = (time_t)kanal_now(k);
    struct tm tm;
    if (localtime_r(&t, &tm))
        strftime(day, 11, "%Y-%m-%d", &tm);
    else
        snprintf(day, 11, "1970-01-01");
}

kanal_folder *engine_folder(kanal *k)
{
    if (!k->folder_tried) {
        k->folder_tried = true;
        k->folder = kanal_folder_new();
    }
    return k->folder;
}

int kanal_set_actor(kanal *k, const char *user_id, kanal_error *err)
{
    /* on a server that knows its users, who acts is who logged in */
    const char *me = store_identity(k->store);
    if (me && strcmp(me, user_id) != 0)
        return kanal_error_set(err, KANAL_EREFUSED,
                               "you are logged in to the database as '%s': you cannot act as "
                               "'%s'",
                               me, user_id);
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    kanal_user u;
    int rc = store_user_get(k->store, a, user_id, &u, err);
    if (rc == KANAL_ENOTFOUND)
        rc = kanal_error_set(err, KANAL_ENOTFOUND, "unknown user '%s'", user_id),
        kanal_error_advise(err, KANAL_ADVICE_ADD_USER, user_id);
    else if (!rc && !u.active)
        rc = kanal_error_set(err, KANAL_EREFUSED, "user '%s' is deactivated and cannot act",
                             user_id),
        kanal_error_advise(err, KANAL_ADVICE_REPLACE_USER, user_id);
    if (rc) {
        kanal_arena_free(a);
        return rc;
    }
    kanal_arena_free(k->actor_arena);
    k->actor_arena = a;
    k->actor = u;
    k->has_actor = true;
    k->is_admin = k->is_manager = false;
    for (size_t i = 0; i < u.n_roles; i++) {
        if (strcmp(u.roles[i], "admin") == 0)
            k->is_admin = true;
        if (strcmp(u.roles[i], "manager") == 0)
            k->is_manager = true;
    }
    return KANAL_OK;
}

const kanal_user *kanal_actor(const kanal *k)
{
    return k->has_actor ? &k->actor : NULL;
}

void kanal_set_now(kanal *k, int64_t now)
{
    k->now = now;
}

int64_t kanal_now(const kanal *k)
{
    return k->now ? k->now : (int64_t)time(NULL);
}

void engine_now_text(kanal *k, char out[KANAL_TIME_LEN])
{
    kanal_time_format(kanal_now(k), out);
}

const char *kanal_rules_hints(const kanal *k, size_t *n)
{
    *n = k->n_hints;
    return k->hints.data ? k->hints.data : "";
}

const char *kanal_rules_log(const kanal *k, size_t *n)
{
    *n = k->n_log;
    return k->log.data ? k->log.data : "";
}

const char *kanal_rules_trace(const kanal *k)
{
    return k->trace.data ? k->trace.data : "";
}

/* ---- transactions ------------------------------------------------------------ */

int kanal_begin(kanal *k, kanal_error *err)
{
    int rc = store_begin(k->store, err);
    if (!rc)
        tx_began(k);
    return rc;
}

int kanal_commit(kanal *k, kanal_error *err)
{
    int d = store_depth(k->store);
    int rc = store_commit(k->store, err);
    tx_ended(k, d, rc == KANAL_OK);
    return rc;
}

void kanal_rollback(kanal *k)
{
    int d = store_depth(k->store);
    store_rollback(k->store);
    tx_ended(k, d, false);
}

int engine_op_begin(kanal *k, kanal_error *err)
{
    /* the rules' time limit is for one step: a command, a line of a batch (--atomic
       too) or a row of an import; a limit on a whole import refused any import of
       more than a few hundred opportunities whose workflow has rules */
    k->rules_spent_ns = 0;
    kanal_buf_reset(&k->hints);
    kanal_buf_reset(&k->log);
    kanal_buf_reset(&k->trace);
    k->n_hints = k->n_log = 0;
    warnings_reset(k);
    return kanal_begin(k, err);
}

void engine_rules_release(kanal *k)
{
    for (size_t i = 0; i < k->n_defs; i++) {
        rules_free(k->defs[i]->rules);
        k->defs[i]->rules = NULL;
    }
}

int engine_op_end(kanal *k, int rc, kanal_error *err)
{
    /* Each command gets fresh rules states: nothing a hook kept survives. */
    engine_rules_release(k);
    if (rc) {
        kanal_rollback(k);
        return rc;
    }
    return kanal_commit(k, err);
}

/* ---- arguments and permissions -------------------------------------------------- */

int engine_need_actor(kanal *k, kanal_error *err)
{
    if (!k->has_actor)
        return kanal_error_set(err, KANAL_EREFUSED, "no acting user"),
               kanal_error_advise(err, KANAL_ADVICE_CHOOSE_ACTOR, NULL);
    return KANAL_OK;
}

int engine_need_admin(kanal *k, const char *doing, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (!rc && !k->is_admin)
        rc = kanal_error_set(err, KANAL_EREFUSED, "only an admin may %s (you are '%s')", doing,
                             k->actor.id);
    return rc;
}

int engine_need_manager(kanal *k, const char *doing, kanal_error *err)
{
    int rc = engine_need_actor(k, err);
    if (!rc && !k->is_manager)
        rc = kanal_error_set(err, KANAL_EREFUSED, "only a manager may %s (you are '%s')", doing,
                             k->actor.id);
    return rc;
}

/* ---- definitions --------------------------------------------------------------- */

int engine_def_get(kanal *k, const char *workflow, int version, def_entry **out, kanal_error *err)
{
    /* the latest: its number is a cheap lookup, its definition then cached */
    int rc;
    if (version == 0 && (rc = store_workflow_latest(k->store, workflow, &version, err)))
        return rc;
    for (size_t i = 0; version > 0 && i < k->n_defs; i++) {
        if (k->defs[i]->ver.version == version && strcmp(k->defs[i]->ver.workflow, workflow) == 0) {
            *out = k->defs[i];
            return KANAL_OK;
        }
    }
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    kanal_workflow_version ver;
    rc = store_workflow_get(k->store, a, workflow, version, &ver, err);
    if (rc) {
        kanal_arena_free(a);
        return rc; /* KANAL_ENOTFOUND without a message: the caller words it */
    }
    /* The latest version may be cached already under its number. */
    for (size_t i = 0; i < k->n_defs; i++) {
        if (k->defs[i]->ver.version == ver.version &&
            strcmp(k->defs[i]->ver.workflow, workflow) == 0) {
            kanal_arena_free(a);
            *out = k->defs[i];
            return KANAL_OK;
        }
    }
    kanal_diags d;
    kanal_diags_init(&d);
    kanal_workflow *wf = kanal_workflow_parse(ver.yaml, strlen(ver.yaml), ver.source, NULL, &d);
    if (!wf) {
        rc = kanal_error_set(err, KANAL_ESTORAGE,
                             "the stored definition of %s v%d does not load: %s", workflow,
                             ver.version, d.count ? d.items[0].message : "out of memory");
        kanal_diags_release(&d);
        kanal_arena_free(a);
        return rc;
    }
    kanal_diags_release(&d);
    /* each entry on its own: a caller's pointer stays good when the list grows */
    def_entry *e = malloc(sizeof *e);
    if (e && k->n_defs == k->cap_defs) {
        size_t cap = k->cap_defs ? k->cap_defs * 2 : 8;
        def_entry **p = realloc(k->defs, cap * sizeof *p);
        if (!p) {
            free(e);
            e = NULL;
        } else {
            k->defs = p;
            k->cap_defs = cap;
        }
    }
    if (!e) {
        kanal_workflow_free(wf);
        kanal_arena_free(a);
        return kanal_error_nomem(err);
    }
    *e = (def_entry){ wf, ver, a, NULL, KANAL_BUF_INIT };
    k->defs[k->n_defs++] = e;
    *out = e;
    return KANAL_OK;
}

/* ---- times and events ------------------------------------------------------------- */

int engine_record_text_event(kanal *k, kanal_opp *o, kanal_event_type type, const char *at,
                             kanal_error *err, ...)
{
    kanal_buf data = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &data);
    kanal_json_object(&j);
    va_list ap;
    va_start(ap, err);
    for (const char *key; (key = va_arg(ap, const char *));) {
        const char *value = va_arg(ap, const char *);
        if (value) {
            kanal_json_key(&j, key);
            kanal_json_str(&j, value);
        }
    }
    va_end(ap);
    kanal_json_end_object(&j);
    int rc = engine_record_event(k, o, type, at, &data, err);
    kanal_buf_release(&data);
    return rc;
}

int engine_step_time(kanal *k, const kanal_opp *o, const char *at, char out[KANAL_TIME_LEN],
                     kanal_error *err)
{
    int64_t now = kanal_now(k), t = now;
    if (at) {
        int rc = kanal_time_parse(at, &t, err);
        if (rc)
            return rc;
        if (t > now + 60) {
            char n[KANAL_TIME_LEN];
            kanal_time_format(now, n);
            return kanal_error_set(err, KANAL_EINVALID,
                                   "time '%s' is in the future (now is %s)", at, n);
        }
    }
    kanal_time_format(t, out);
    if (o && strcmp(out, o->last_event_at) < 0)
        return kanal_error_set(err, KANAL_EREFUSED,
                               "time %s is before the latest event of opportunity %lld (%s)",
                               out, (long long)o->id, o->last_event_at);
    return KANAL_OK;
}

/* Keeps an event for the listeners, when there are some: an import of a
   million steps keeps nothing when no plugin listens. */
static int keep_pending(kanal *k, int64_t opp, int64_t seq, const char *at, const char *actor,
                        const char *type, const char *data, const char *workflow, int version,
                        kanal_error *err)
{
    if (!k->plugins || !plugins_any_listener(k->plugins))
        return KANAL_OK;
    if (k->n_pending == k->cap_pending) {
        size_t cap = k->cap_pending ? k->cap_pending * 2 : 16;
        struct pending_event *p = realloc(k->pending, cap * sizeof *p);
        if (!p)
            return kanal_error_nomem(err);
        k->pending = p;
        k->cap_pending = cap;
    }
    const char *parts[] = { at, actor, type, data, workflow ? workflow : "", k->login };
    size_t len = 0;
    for (size_t i = 0; i < 6; i++)
        len += strlen(parts[i]) + 1;
    char *block = malloc(len), *w = block;
    if (!block)
        return kanal_error_nomem(err);
    const char *ptr[6];
    for (size_t i = 0; i < 6; i++) {
        size_t n = strlen(parts[i]) + 1;
        memcpy(w, parts[i], n);
        ptr[i] = w;
        w += n;
    }
    k->pending[k->n_pending++] = (struct pending_event){
        { sizeof(kanal_plugin_event), opp, seq, ptr[0], ptr[1], ptr[2], ptr[3],
          workflow ? ptr[4] : NULL, version, ptr[5] },
        block
    };
    return KANAL_OK;
}

int engine_record_event(kanal *k, kanal_opp *o, kanal_event_type t, const char *at, kanal_buf *data,
                        kanal_error *err)
{
    const char *type = kanal_event_name(t);
    if (data->oom)
        return kanal_error_nomem(err);
    char recorded[KANAL_TIME_LEN];
    kanal_time_format((int64_t)time(NULL), recorded);
    const char *actor = k->has_actor ? k->actor.id : "system";
    int rc;
    if (!o) {
        store_event e = { .at = at, .recorded_at = recorded, .actor = actor,
                          .login = k->login, .type = type, .data = kanal_buf_cstr(data) };
        rc = store_event_insert(k->store, &e, err);
        return rc ? rc : keep_pending(k, 0, 0, at, actor, type, kanal_buf_cstr(data), NULL, 0, err);
    }
    int64_t seq = o->last_seq + 1;
    store_event e = { .opp = o->id, .seq = seq, .at = at, .recorded_at = recorded,
                      .actor = actor, .login = k->login, .type = type,
                      .data = kanal_buf_cstr(data), .workflow = o->workflow,
                      .version = o->version };
    if ((rc = store_event_insert(k->store, &e, err)) ||
        (rc = store_opp_touch(k->store, o->id, at, seq, err)) ||
        (rc = keep_pending(k, o->id, seq, at, actor, type, kanal_buf_cstr(data), o->workflow,
                           o->version, err)))
        return rc;
    o->last_seq = seq;
    if (strcmp(at, o->last_event_at) > 0) {
        char *copy = kanal_arena_strdup(o->arena_, at);
        if (!copy)
            return kanal_error_nomem(err);
        o->last_event_at = copy;
    }
    return KANAL_OK;
}

const char *kanal_location(const kanal *k)
{
    return store_path(k->store);
}

const char *kanal_identity(const kanal *k)
{
    return store_identity(k->store);
}
