/*
** users.c — users and their roles. Built-in roles: admin (applies workflows,
** manages users) and manager (sees and acts on every opportunity, reassigns
** work); any other role is a name that workflows use in owner_roles.
*/
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

static int event_user(kanal *k, kanal_event_type type, const char *id, const char *const *roles,
                      size_t n_roles, const char *at, kanal_error *err)
{
    kanal_buf data = KANAL_BUF_INIT;
    kanal_json j;
    kanal_json_init(&j, &data);
    kanal_json_object(&j);
    kanal_json_key(&j, "user");
    kanal_json_str(&j, id);
    if (roles) {
        kanal_json_key(&j, "roles");
        kanal_json_array(&j);
        for (size_t i = 0; i < n_roles; i++)
            kanal_json_str(&j, roles[i]);
        kanal_json_end_array(&j);
    }
    kanal_json_end_object(&j);
    int rc = engine_record_event(k, NULL, type, at, &data, err);
    kanal_buf_release(&data);
    return rc;
}

int kanal_user_add(kanal *k, const char *id, const char *name, const char *roles,
                   kanal_error *err)
{
    int rc = engine_need_admin(k, "add users", err);
    if (rc)
        return rc;
    if (!engine_user_id_valid(id))
        return kanal_error_set(err, KANAL_EINVALID,
                               "invalid user id '%s': use lowercase letters, digits, '.', '_' "
                               "and '-' (at most %d characters)",
                               id, KANAL_ID_MAX);
    if (!name || !*name)
        return kanal_error_set(err, KANAL_EINVALID, "a user needs a name"),
               kanal_error_advise(err, KANAL_ADVICE_NAME_USER, NULL);
    if ((rc = kanal_text_ok("the user's name", name, err)))
        return rc;
    /* split and check the roles */
    char *copy = kanal_strdup(roles ? roles : "");
    const char *list[32];
    size_t n = 0;
    if (!copy)
        return kanal_error_nomem(err);
    for (char *tok = strtok(copy, ", "); tok; tok = strtok(NULL, ", ")) {
        if (!kanal_id_valid(tok)) {
            rc = kanal_error_set(err, KANAL_EINVALID,
                                 "invalid role '%s': use lowercase letters, digits and '_', "
                                 "starting with a letter",
                                 tok);
            goto done;
        }
        if (n == 32) {
            rc = kanal_error_set(err, KANAL_EINVALID, "too many roles (at most 32)");
            goto done;
        }
        bool dup = false;
        for (size_t i = 0; i < n; i++)
            dup |= strcmp(list[i], tok) == 0;
        if (!dup)
            list[n++] = tok;
    }
    if (n == 0) {
        rc = kanal_error_set(err, KANAL_EINVALID, "a user needs at least one role");
        kanal_error_advise(err, KANAL_ADVICE_GIVE_ROLE, NULL);
        goto done;
    }
    if ((rc = engine_op_begin(k, err)))
        goto done;
    kanal_arena *a = kanal_arena_new();
    kanal_user existing;
    if (!a) {
        rc = kanal_error_nomem(err);
    } else if (!(rc = store_user_get(k->store, a, id, &existing, err))) {
        rc = kanal_error_set(err, KANAL_EREFUSED, "user '%s' already exists (%s%s)", id,
                             existing.name, existing.active ? "" : ", deactivated");
    } else if (rc == KANAL_ENOTFOUND) {
        char at[KANAL_TIME_LEN];
        engine_now_text(k, at);
        rc = store_user_insert(k->store, id, name, list, n, at, err);
        if (!rc)
            rc = event_user(k, KANAL_EV_USER_ADDED, id, list, n, at, err);
    }
    kanal_arena_free(a);
    rc = engine_op_end(k, rc, err);
done:
    free(copy);
    return rc;
}

/* A user named to be changed: "unknown user" when there is none. */
static int user_of(kanal *k, kanal_arena *a, const char *id, kanal_user *u, kanal_error *err)
{
    int rc = store_user_get(k->store, a, id, u, err);
    if (rc == KANAL_ENOTFOUND)
        rc = kanal_error_set(err, KANAL_ENOTFOUND, "unknown user '%s'", id);
    return rc;
}

int kanal_user_deactivate(kanal *k, const char *id, kanal_error *err)
{
    int rc = engine_need_admin(k, "deactivate users", err);
    if (rc || (rc = engine_op_begin(k, err)))
        return rc;
    kanal_arena *a = kanal_arena_new();
    kanal_user u;
    if (!a) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    if ((rc = user_of(k, a, id, &u, err)))
        goto done;
    if (!u.active) {
        rc = kanal_error_set(err, KANAL_EREFUSED, "user '%s' is already deactivated", id);
        goto done;
    }
    for (size_t i = 0; i < u.n_roles; i++) {
        int admins = 0;
        if (strcmp(u.roles[i], "admin") == 0 &&
            !(rc = store_count_active_with_role(k->store, "admin", &admins, err)) &&
            admins <= 1) {
            rc = kanal_error_set(err, KANAL_EREFUSED,
                                 "'%s' is the last active admin: add another admin first", id);
            goto done;
        }
        if (rc)
            goto done;
    }
    char at[KANAL_TIME_LEN];
    engine_now_text(k, at);
    if (!(rc = store_user_set_active(k->store, id, false, err)))
        rc = event_user(k, KANAL_EV_USER_DEACTIVATED, id, NULL, 0, at, err);
done:
    kanal_arena_free(a);
    return engine_op_end(k, rc, err);
}

int kanal_user_activate(kanal *k, const char *id, kanal_error *err)
{
    int rc = engine_need_admin(k, "activate users", err);
    if (rc || (rc = engine_op_begin(k, err)))
        return rc;
    kanal_arena *a = kanal_arena_new();
    kanal_user u;
    if (!a) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    if ((rc = user_of(k, a, id, &u, err)))
        goto done;
    if (u.active) {
        rc = kanal_error_set(err, KANAL_EREFUSED, "user '%s' is already active", id);
        goto done;
    }
    char at[KANAL_TIME_LEN];
    engine_now_text(k, at);
    if (!(rc = store_user_set_active(k->store, id, true, err)))
        rc = event_user(k, KANAL_EV_USER_ACTIVATED, id, NULL, 0, at, err);
done:
    kanal_arena_free(a);
    return engine_op_end(k, rc, err);
}

int kanal_user_list(kanal *k, kanal_table **out, kanal_error *err)
{
    kanal_table *t;
    int rc = engine_need_actor(k, err);
    if (rc || (rc = kanal_table_new(&t, "users", "Users", err)))
        return rc;
    if (kanal_table_add_column(t, "id", KANAL_TYPE_TEXT, "id") ||
        kanal_table_add_column(t, "name", KANAL_TYPE_TEXT, "name") ||
        kanal_table_add_column(t, "roles", KANAL_TYPE_LIST, "roles") ||
        kanal_table_add_column(t, "active", KANAL_TYPE_BOOL, "active") ||
        kanal_table_add_column(t, "created_at", KANAL_TYPE_TIME, "created")) {
        kanal_table_free(t);
        return kanal_error_nomem(err);
    }
    kanal_arena *a = kanal_arena_new();
    kanal_user *users = NULL;
    size_t n = 0;
    rc = a ? store_users_list(k->store, a, &users, &n, err) : kanal_error_nomem(err);
    for (size_t i = 0; !rc && i < n; i++) {
        /* a list cell: the roles joined by line breaks */
        kanal_buf roles = KANAL_BUF_INIT;
        for (size_t r = 0; r < users[i].n_roles; r++)
            kanal_buf_printf(&roles, "%s%s", r ? "\n" : "", users[i].roles[r]);
        if (roles.oom || kanal_table_add_row(t) || kanal_table_set(t, 0, users[i].id) ||
            kanal_table_set(t, 1, users[i].name) ||
            kanal_table_set(t, 2, users[i].n_roles ? kanal_buf_cstr(&roles) : NULL) ||
            kanal_table_set_bool(t, 3, users[i].active) ||
            kanal_table_set(t, 4, users[i].created_at))
            rc = kanal_error_nomem(err);
        kanal_buf_release(&roles);
    }
    kanal_arena_free(a);
    if (rc) {
        kanal_table_free(t);
        return rc;
    }
    *out = t;
    return KANAL_OK;
}

/* Whether list (of n) holds s. */
static bool has_role(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

/* Checks a role named on the command line. */
static int role_ok(const char *role, kanal_error *err)
{
    if (kanal_id_valid(role))
        return KANAL_OK;
    return kanal_error_set(err, KANAL_EINVALID,
                           "invalid role '%s': use lowercase letters, digits and '_', starting "
                           "with a letter",
                           role);
}

static void json_roles(kanal_json *j, const char *key, const char *const *roles, size_t n)
{
    kanal_json_key(j, key);
    kanal_json_array(j);
    for (size_t i = 0; i < n; i++)
        kanal_json_str(j, roles[i]);
    kanal_json_end_array(j);
}

int kanal_user_edit(kanal *k, const char *id, const kanal_user_change *ch, bool *changed,
                    kanal_error *err)
{
    *changed = false;
    int rc = engine_need_admin(k, "edit users", err);
    if (rc)
        return rc;
    if (ch->name && !ch->name[0])
        return kanal_error_set(err, KANAL_EINVALID, "a user needs a name"),
               kanal_error_advise(err, KANAL_ADVICE_NAME_USER, NULL);
    if (ch->name && (rc = kanal_text_ok("the user's name", ch->name, err)))
        return rc;
    for (size_t i = 0; i < ch->n_roles; i++)
        if ((rc = role_ok(ch->roles[i], err)))
            return rc;
    for (size_t i = 0; i < ch->n_add; i++)
        if ((rc = role_ok(ch->add[i], err)))
            return rc;
    for (size_t i = 0; i < ch->n_remove; i++)
        if ((rc = role_ok(ch->remove[i], err)))
            return rc;
    if ((rc = engine_op_begin(k, err)))
        return rc;
    kanal_arena *a = kanal_arena_new();
    kanal_user u;
    const char **roles = NULL;
    size_t n = 0;
    kanal_buf data = KANAL_BUF_INIT;
    if (!a) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    if ((rc = user_of(k, a, id, &u, err)))
        goto done;
    /* the roles it will have: those given (or its own), with the additions, without the
       removals */
    size_t cap = (ch->set_roles ? ch->n_roles : u.n_roles) + ch->n_add;
    roles = malloc((cap ? cap : 1) * sizeof *roles);
    if (!roles) {
        rc = kanal_error_nomem(err);
        goto done;
    }
    const char *const *base = ch->set_roles ? ch->roles : u.roles;
    size_t n_base = ch->set_roles ? ch->n_roles : u.n_roles;
    for (size_t i = 0; i < n_base; i++)
        if (!has_role(roles, n, base[i]))
            roles[n++] = base[i];
    for (size_t i = 0; i < ch->n_add; i++)
        if (!has_role(roles, n, ch->add[i]))
            roles[n++] = ch->add[i];
    for (size_t i = 0; i < ch->n_remove; i++) {
        const char *r = ch->remove[i];
        if (!has_role(roles, n, r) && !has_role(ch->add, ch->n_add, r)) {
            kanal_buf have = KANAL_BUF_INIT;
            for (size_t j = 0; j < u.n_roles; j++)
                kanal_buf_printf(&have, "%s%s", j ? ", " : "", u.roles[j]);
            rc = kanal_error_set(err, KANAL_EREFUSED, "user '%s' has no role '%s' (roles: %s)", id,
                                 r, kanal_buf_cstr(&have));
            kanal_buf_release(&have);
            goto done;
        }
        size_t w = 0;
        for (size_t j = 0; j < n; j++)
            if (strcmp(roles[j], r) != 0)
                roles[w++] = roles[j];
        n = w;
    }
    /* the last admin first: the most common way to lose the last one is to take
       the only role of the admin init made */
    int admins = 0;
    if (u.active && has_role(u.roles, u.n_roles, "admin") && !has_role(roles, n, "admin") &&
        !(rc = store_count_active_with_role(k->store, "admin", &admins, err)) && admins <= 1)
        rc = kanal_error_set(err, KANAL_EREFUSED,
                             "'%s' is the last active admin and keeps the admin role: make "
                             "another user an admin first",
                             id);
    if (rc)
        goto done;
    if (n == 0) {
        rc = kanal_error_set(err, KANAL_EINVALID, "a user needs at least one role");
        kanal_error_advise(err, KANAL_ADVICE_GIVE_ROLE, NULL);
        goto done;
    }
    if (n > 32) {
        rc = kanal_error_set(err, KANAL_EINVALID, "too many roles (at most 32)");
        goto done;
    }
    bool same_roles = n == u.n_roles;
    for (size_t i = 0; same_roles && i < n; i++)
        same_roles = has_role(u.roles, u.n_roles, roles[i]);
    bool new_name = ch->name && strcmp(ch->name, u.name) != 0;
    if (same_roles && !new_name)
        goto done;
    char at[KANAL_TIME_LEN];
    engine_now_text(k, at);
    if ((rc = store_user_update(k->store, id, new_name ? ch->name : u.name, roles, n, err)))
        goto done;
    kanal_json j;
    kanal_json_init(&j, &data);
    kanal_json_object(&j);
    kanal_json_key(&j, "user");
    kanal_json_str(&j, id);
    if (new_name) {
        kanal_json_key(&j, "name");
        kanal_json_str(&j, ch->name);
        kanal_json_key(&j, "was_name");
        kanal_json_str(&j, u.name);
    }
    if (!same_roles) {
        json_roles(&j, "roles", roles, n);
        json_roles(&j, "was_roles", u.roles, u.n_roles);
    }
    kanal_json_end_object(&j);
    if (data.oom)
        rc = kanal_error_nomem(err);
    else
        rc = engine_record_event(k, NULL, KANAL_EV_USER_EDITED, at, &data, err);
    *changed = rc == KANAL_OK;
done:
    kanal_buf_release(&data);
    free(roles);
    kanal_arena_free(a);
    rc = engine_op_end(k, rc, err);
    if (rc)
        *changed = false;
    return rc;
}

int kanal_roles_unused(kanal *k, const char *const *roles, size_t n, kanal_buf *out,
                       kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    const char **ids = NULL;
    size_t n_ids = 0;
    kanal_buf used = KANAL_BUF_INIT;
    const char **names = NULL;
    size_t n_names = 0, cap = 0;
    int rc = store_workflow_ids(k->store, a, &ids, &n_ids, err);
    for (size_t i = 0; !rc && i < n_ids; i++) {
        def_entry *e;
        if ((rc = engine_workflow_latest(k, ids[i], &e, err)))
            break;
        const kanal_workflow *wf = e->wf;
        for (size_t r = 0; r < wf->n_owner_roles; r++) {
            if (has_role(names, n_names, wf->owner_roles[r]))
                continue;
            if (n_names == cap) {
                cap = cap ? cap * 2 : 8;
                const char **g = realloc(names, cap * sizeof *g);
                if (!g) {
                    rc = kanal_error_nomem(err);
                    break;
                }
                names = g;
            }
            names[n_names++] = wf->owner_roles[r];
            kanal_buf_printf(&used, "%s%s", n_names > 1 ? ", " : "", wf->owner_roles[r]);
        }
    }
    /* before any workflow is applied there is nothing to compare with */
    for (size_t i = 0; !rc && n_ids && i < n; i++) {
        if (!strcmp(roles[i], "admin") || !strcmp(roles[i], "manager") ||
            has_role(names, n_names, roles[i]))
            continue;
        const char *near = kanal_suggest(roles[i], names, n_names);
        kanal_buf_printf(out, "%srole '%s' is named by no workflow", out->len ? "\n" : "",
                         roles[i]);
        if (near)
            kanal_buf_printf(out, " (did you mean '%s'?)", near);
        if (n_names)
            kanal_buf_printf(out, "; the workflows use: %s", kanal_buf_cstr(&used));
        else
            kanal_buf_printf(out, "; no workflow names owner_roles, so any role may own work");
    }
    if (!rc && (used.oom || out->oom))
        rc = kanal_error_nomem(err);
    free(names);
    kanal_buf_release(&used);
    kanal_arena_free(a);
    return rc;
}

int kanal_user_misfits(kanal *k, const char *id, kanal_buf *out, kanal_error *err)
{
    kanal_arena *a = kanal_arena_new();
    if (!a)
        return kanal_error_nomem(err);
    kanal_user u;
    int64_t *ids;
    size_t n;
    int rc = user_of(k, a, id, &u, err);
    if (!rc)
        rc = store_opps_open_of_owner(k->store, a, id, &ids, &n, err);
    /* per workflow version: how many of the user's open opportunities it holds */
    const char *last_wf = NULL;
    for (size_t i = 0; !rc && i < n; i++) {
        store_opp_row r;
        def_entry *e;
        if ((rc = store_opp_get(k->store, a, ids[i], &r, err)) ||
            (rc = engine_def_get(k, r.workflow, r.version, &e, err)))
            break;
        const kanal_workflow *wf = e->wf;
        bool fits = wf->n_owner_roles == 0;
        for (size_t w = 0; w < wf->n_owner_roles && !fits; w++)
            fits = has_role(u.roles, u.n_roles, wf->owner_roles[w]);
        if (fits)
            continue;
        if (!last_wf || strcmp(last_wf, r.workflow) != 0) {
            kanal_buf need = KANAL_BUF_INIT;
            for (size_t w = 0; w < wf->n_owner_roles; w++)
                kanal_buf_printf(&need, "%s%s", w ? " or " : "", wf->owner_roles[w]);
            kanal_buf_printf(out,
                             "%s'%s' owns open opportunities of workflow '%s', which needs "
                             "the role %s: reassign them (kanal reassign --from %s --to "
                             "USER) or give the role back; opportunities:",
                             out->len ? "\n" : "", id, r.workflow, kanal_buf_cstr(&need), id);
            kanal_buf_release(&need);
            last_wf = r.workflow;
        }
        kanal_buf_printf(out, " %lld", (long long)r.id);
    }
    if (!rc && out->oom)
        rc = kanal_error_nomem(err);
    kanal_arena_free(a);
    return rc;
}
