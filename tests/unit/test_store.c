/*
** test_store.c — the store, through its interface, once for every backend
** (store_open picks the backend by the location each backend's `where`
** gives): what every backend must do the same way.
**
**  - the event log refuses invalid JSON and a sequence number used twice,
**    and reads back in order;
**  - transactions nest: an inner savepoint rolled back keeps the outer work,
**    the outer rolled back drops everything; a store closed with a
**    transaction open keeps none of it;
**  - uncommitted work is invisible to another connection;
**  - each query function reads back what was written, as records (deals
**    included).
** The SQLite backend's own tests (its file, its schema) are in
** test_sqlite_store.c.
*/
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "kanal/kanal.h"
#include "t.h"

static char dir[64];

/* The backend under test: where its database called `name` is. */
static const char *(*where)(const char *name);
/* The login the backend records on events whatever it is given, or NULL (as given). */
static const char *recorded_login;

static const char *path_in(const char *name)
{
    static char buf[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
    return buf[i];
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                remove(path_in(e->d_name));
        }
        closedir(d);
    }
    rmdir(dir);
}

static store *open_new(const char *name)
{
    store *s = NULL;
    kanal_error e;
    kanal_error_clear(&e);
    int rc = store_open(&s, where(name), true, &e);
    if (!rc)
        rc = store_publish(&s, &e); /* a new database is at its place once published */
    if (rc) {
        fprintf(stderr, "store_open(%s): %s\n", name, e.message);
        exit(2);
    }
    return s;
}

static const char *const admin_roles[] = { "admin" };

static void add_user(store *s, const char *id)
{
    kanal_error e;
    CHECK_INT(store_user_insert(s, id, id, admin_roles, 1, "2026-03-01T08:00:00Z", &e), 0);
}

static bool user_exists(store *s, const char *id)
{
    kanal_arena *a = kanal_arena_new();
    kanal_user u;
    kanal_error e;
    kanal_error_clear(&e);
    int rc = store_user_get(s, a, id, &u, &e);
    kanal_arena_free(a);
    return rc == KANAL_OK;
}

static void test_event_log(void)
{
    store *s = open_new("events.db");
    kanal_error e;
    kanal_error_clear(&e);
    add_user(s, "ann");
    store_event outside = { .at = "2026-03-01T08:00:00Z", .recorded_at = "2026-03-01T08:00:00Z",
                            .actor = "ann", .login = "tomek", .type = "user_added",
                            .data = "{\"user\":\"ann\"}" };
    CHECK_INT(store_event_insert(s, &outside, &e), KANAL_OK);
    /* an opportunity to hang events on */
    kanal_workflow_version v = { .workflow = "w", .version = 1, .source = "w.yaml",
                                 .yaml = "workflow: w", .hash = "h",
                                 .applied_at = "2026-03-01T08:00:00Z", .applied_by = "ann" };
    CHECK_INT(store_workflow_insert(s, &v, "W", &e), 0);
    kanal_partner p = { .name = "P", .type = "shop", .created_at = "2026-03-01T08:00:00Z" };
    int64_t pid = 0, oid = 0;
    CHECK_INT(store_partner_insert(s, &p, "p", &pid, &e), 0);
    store_opp_row r = { .partner_id = pid, .workflow = "w", .version = 1, .owner = "ann",
                        .stage = "a", .created_at = "2026-03-01T08:00:00Z" };
    CHECK_INT(store_opp_insert(s, &r, &oid, &e), 0);
    store_event ev = { .opp = oid, .seq = 1, .at = "2026-03-01T08:00:00Z",
                       .recorded_at = "2026-03-01T08:00:01Z", .actor = "ann", .login = "tomek",
                       .type = "created",
                       .data = "{\"stage\":\"a\",\"n\":2,\"ok\":true,\"x\":null}",
                       .workflow = "w", .version = 1 };
    CHECK_INT(store_event_insert(s, &ev, &e), 0);
    ev.seq = 2;
    ev.at = "2026-03-01T09:00:00Z";
    ev.recorded_at = "2026-03-01T09:00:01Z";
    ev.type = "activity";
    ev.data = "{\"activity\":\"call\"}";
    CHECK_INT(store_event_insert(s, &ev, &e), 0);
    /* the same sequence number twice */
    kanal_error_clear(&e);
    ev.data = "{}";
    CHECK_INT(store_event_insert(s, &ev, &e), KANAL_ESTORAGE);
    /* data that is not JSON */
    kanal_error_clear(&e);
    ev.seq = 3;
    ev.data = "{not json";
    CHECK_INT(store_event_insert(s, &ev, &e), KANAL_ESTORAGE);
    CHECK(strstr(e.message, "storage error while recording an event") != NULL);

    /* read back, in order: the opportunity's, then the whole log */
    kanal_arena *a = kanal_arena_new();
    store_event *got = NULL;
    size_t n = 0;
    CHECK_INT(store_events(s, a, oid, &got, &n, &e), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_INT(got[0].opp, oid);
        CHECK_INT(got[0].seq, 1);
        CHECK_STR(got[0].type, "created");
        CHECK_STR(got[0].actor, "ann");
        /* the login as given, unless the database knows better: PostgreSQL records the
           role that wrote the event, whatever the writer says */
        CHECK_STR(got[0].login, recorded_login ? recorded_login : "tomek");
        CHECK_STR(got[0].workflow, "w");
        CHECK_INT(got[0].version, 1);
        CHECK_STR(got[0].data, "{\"stage\":\"a\",\"n\":2,\"ok\":true,\"x\":null}");
        CHECK_INT(got[1].seq, 2);
        CHECK_STR(got[1].at, "2026-03-01T09:00:00Z");
        CHECK_STR(got[1].data, "{\"activity\":\"call\"}");
    }
    CHECK_INT(store_events_all(s, a, &got, &n, &e), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_INT(got[0].opp, 0);
        CHECK_STR(got[0].type, "user_added");
        CHECK(got[0].workflow == NULL);
        CHECK_INT(got[2].seq, 2);
    }
    int64_t count = -1, max_seq = -1;
    CHECK_INT(store_event_count(s, oid, &count, &max_seq, &e), 0);
    CHECK_INT(count, 2);
    CHECK_INT(max_seq, 2);
    bool found = true;
    int64_t bad_opp = -1, bad_seq = -1;
    CHECK_INT(store_events_invalid(s, 0, &found, &bad_opp, &bad_seq, &e), 0);
    CHECK(!found);
    bool protected_log = false;
    CHECK_INT(store_log_protected(s, &protected_log, &e), 0);
    CHECK(protected_log);
    kanal_arena_free(a);
    store_close(s);
}

/* ---- transactions ----------------------------------------------------------------- */

static void test_transactions(void)
{
    store *s = open_new("tx.db");
    kanal_error e;
    kanal_error_clear(&e);

    /* nothing open: commit and rollback do nothing */
    CHECK_INT(store_commit(s, &e), KANAL_OK);
    store_rollback(s);
    CHECK_INT(store_depth(s), 0);

    /* inner rolled back, outer committed: the outer work stays */
    CHECK_INT(store_begin(s, &e), 0);
    CHECK_INT(store_depth(s), 1);
    add_user(s, "outer1");
    CHECK_INT(store_begin(s, &e), 0);
    CHECK_INT(store_depth(s), 2);
    add_user(s, "inner1");
    CHECK(user_exists(s, "inner1"));
    store_rollback(s);
    CHECK_INT(store_depth(s), 1);
    CHECK(!user_exists(s, "inner1"));
    CHECK(user_exists(s, "outer1"));
    add_user(s, "outer1b"); /* the outer transaction goes on */
    CHECK_INT(store_commit(s, &e), 0);
    CHECK_INT(store_depth(s), 0);
    CHECK(user_exists(s, "outer1"));
    CHECK(user_exists(s, "outer1b"));
    CHECK(!user_exists(s, "inner1"));

    /* inner committed, outer rolled back: everything goes */
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "outer2");
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "inner2");
    CHECK_INT(store_commit(s, &e), 0);
    CHECK_INT(store_depth(s), 1);
    CHECK(user_exists(s, "inner2"));
    store_rollback(s);
    CHECK_INT(store_depth(s), 0);
    CHECK(!user_exists(s, "outer2"));
    CHECK(!user_exists(s, "inner2"));

    /* three levels: the middle rolled back takes the innermost with it */
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "l1");
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "l2");
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "l3");
    CHECK_INT(store_depth(s), 3);
    CHECK_INT(store_commit(s, &e), 0);
    store_rollback(s);
    CHECK_INT(store_depth(s), 1);
    add_user(s, "l2b");
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "l3b");
    CHECK_INT(store_commit(s, &e), 0);
    CHECK_INT(store_commit(s, &e), 0);
    CHECK_INT(store_depth(s), 0);
    CHECK(user_exists(s, "l1"));
    CHECK(!user_exists(s, "l2"));
    CHECK(!user_exists(s, "l3"));
    CHECK(user_exists(s, "l2b"));
    CHECK(user_exists(s, "l3b"));

    /* a failing statement inside a savepoint, rolled back, leaves the outer
       transaction usable */
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "before_fail");
    CHECK_INT(store_begin(s, &e), 0);
    kanal_error_clear(&e);
    CHECK_INT(store_user_insert(s, "before_fail", "dup", NULL, 0, "t", &e), KANAL_ESTORAGE);
    store_rollback(s);
    add_user(s, "after_fail");
    CHECK_INT(store_commit(s, &e), 0);
    CHECK(user_exists(s, "before_fail"));
    CHECK(user_exists(s, "after_fail"));

    /* what was rolled back is gone after reopening, what was committed is there */
    store_close(s);
    kanal_error_clear(&e);
    CHECK_INT(store_open(&s, where("tx.db"), false, &e), 0);
    if (!s)
        return;
    kanal_arena *a = kanal_arena_new();
    kanal_user *users = NULL;
    size_t n = 0;
    CHECK_INT(store_users_list(s, a, &users, &n, &e), 0);
    CHECK_INT(n, 7);
    static const char *const gone[] = { "inner1", "outer2", "inner2", "l2", "l3" };
    for (size_t i = 0; i < 5; i++)
        CHECK(!user_exists(s, gone[i]));
    kanal_arena_free(a);

    /* closing with a transaction open drops its work */
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "never");
    store_close(s);
    kanal_error_clear(&e);
    CHECK_INT(store_open(&s, where("tx.db"), false, &e), 0);
    if (s)
        CHECK(!user_exists(s, "never"));
    store_close(s);
}

/* Two connections: uncommitted work is invisible to the other. */
static void test_isolation(void)
{
    store *a = open_new("iso.db"), *b = NULL;
    kanal_error e;
    kanal_error_clear(&e);
    CHECK_INT(store_open(&b, where("iso.db"), false, &e), 0);
    if (!b) {
        store_close(a);
        return;
    }
    CHECK_INT(store_begin(a, &e), 0);
    add_user(a, "pending");
    CHECK(user_exists(a, "pending"));
    CHECK(!user_exists(b, "pending"));
    CHECK_INT(store_commit(a, &e), 0);
    CHECK(user_exists(b, "pending"));
    store_close(a);
    store_close(b);
}

/* ---- the queries --------------------------------------------------------------------- */

static void test_users(store *s)
{
    kanal_error e;
    kanal_error_clear(&e);
    const char *roles[] = { "manager", "admin" };
    CHECK_INT(store_user_insert(s, "mia", "Mia Manager", roles, 2, "2026-03-01T08:00:00Z", &e), 0);
    const char *rep[] = { "channel_rep" };
    CHECK_INT(store_user_insert(s, "marcin", "Marcin", rep, 1, "2026-03-01T08:01:00Z", &e), 0);
    kanal_error_clear(&e);
    CHECK_INT(store_user_insert(s, "marcin", "Again", rep, 1, "2026-03-01T08:01:00Z", &e),
              KANAL_ESTORAGE);

    kanal_arena *a = kanal_arena_new();
    kanal_user u;
    kanal_error_clear(&e);
    CHECK_INT(store_user_get(s, a, "mia", &u, &e), 0);
    CHECK_STR(u.name, "Mia Manager");
    CHECK(u.active);
    CHECK_INT(u.n_roles, 2);
    if (u.n_roles == 2) {
        CHECK_STR(u.roles[0], "admin"); /* sorted */
        CHECK_STR(u.roles[1], "manager");
    }
    CHECK_STR(u.created_at, "2026-03-01T08:00:00Z");
    /* not found: the code and no message (the engine words it) */
    kanal_error_clear(&e);
    CHECK_INT(store_user_get(s, a, "nobody", &u, &e), KANAL_ENOTFOUND);
    CHECK_STR(e.message, "");

    int n = -1;
    CHECK_INT(store_count_active_with_role(s, "admin", &n, &e), 0);
    CHECK_INT(n, 1);
    CHECK_INT(store_user_set_active(s, "mia", false, &e), 0);
    CHECK_INT(store_count_active_with_role(s, "admin", &n, &e), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_user_get(s, a, "mia", &u, &e), 0);
    CHECK(!u.active);
    CHECK_INT(store_user_set_active(s, "mia", true, &e), 0);

    kanal_user *users = NULL;
    size_t nu = 0;
    CHECK_INT(store_users_list(s, a, &users, &nu, &e), 0);
    CHECK_INT(nu, 2);
    if (nu == 2) {
        CHECK_STR(users[0].id, "marcin");
        CHECK_INT(users[1].n_roles, 2);
        if (users[1].n_roles == 2) {
            CHECK_STR(users[1].roles[0], "admin");
            CHECK_STR(users[1].roles[1], "manager");
        }
        CHECK(users[1].active);
    }
    kanal_arena_free(a);
}

static void test_workflows(store *s)
{
    kanal_error e;
    kanal_error_clear(&e);
    kanal_workflow_version v = { .workflow = "distributors", .version = 1, .source = "d.yaml",
                                 .yaml = "v1 text", .hash = "h1",
                                 .applied_at = "2026-03-01T08:00:00Z", .applied_by = "mia" };
    CHECK_INT(store_workflow_insert(s, &v, "Distributors", &e), 0);
    v.version = 2;
    v.yaml = "v2 text";
    v.rules_file = "d.lua";
    v.rules = "-- rules";
    v.hash = "h2";
    CHECK_INT(store_workflow_insert(s, &v, "Distributors", &e), 0);
    kanal_error_clear(&e);
    CHECK_INT(store_workflow_insert(s, &v, "Distributors", &e), KANAL_ESTORAGE); /* v2 twice */
    v.workflow = "wholesale";
    v.version = 1;
    v.rules_file = v.rules = NULL;
    CHECK_INT(store_workflow_insert(s, &v, "Wholesale", &e), 0);
    v.version = 0; /* versions start at 1 */
    kanal_error_clear(&e);
    CHECK_INT(store_workflow_insert(s, &v, "Wholesale", &e), KANAL_ESTORAGE);

    kanal_arena *a = kanal_arena_new();
    kanal_workflow_version got;
    CHECK_INT(store_workflow_get(s, a, "distributors", 0, &got, &e), 0);
    CHECK_INT(got.version, 2);
    CHECK_STR(got.yaml, "v2 text");
    CHECK_STR(got.rules_file, "d.lua");
    CHECK_STR(got.rules, "-- rules");
    CHECK_INT(store_workflow_get(s, a, "distributors", 1, &got, &e), 0);
    CHECK_INT(got.version, 1);
    CHECK_STR(got.yaml, "v1 text");
    CHECK(got.rules == NULL);
    kanal_error_clear(&e);
    CHECK_INT(store_workflow_get(s, a, "distributors", 3, &got, &e), KANAL_ENOTFOUND);
    CHECK_INT(store_workflow_get(s, a, "nope", 0, &got, &e), KANAL_ENOTFOUND);

    const char **ids = NULL;
    size_t n = 0;
    CHECK_INT(store_workflow_ids(s, a, &ids, &n, &e), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(ids[0], "distributors");
        CHECK_STR(ids[1], "wholesale");
    }
    store_workflow_row *wr = NULL;
    CHECK_INT(store_workflows_list(s, a, &wr, &n, &e), 0);
    CHECK_INT(n, 2); /* the latest version of each */
    if (n == 2) {
        CHECK_STR(wr[0].workflow, "distributors");
        CHECK_INT(wr[0].version, 2);
        CHECK_INT(wr[0].open, 0);
    }
    kanal_arena_free(a);
}

static void test_partners_and_opps(store *s)
{
    kanal_error e;
    kanal_error_clear(&e);
    kanal_arena *a = kanal_arena_new();

    kanal_partner p = { .name = "Hurtownia ABC", .type = "distributor", .owner = NULL,
                        .email = "biuro@abc.pl", .city = "Łódź",
                        .created_at = "2026-03-01T08:00:00Z" };
    int64_t p1 = 0, p2 = 0, p3 = 0;
    CHECK_INT(store_partner_insert(s, &p, "hurtownia abc", &p1, &e), 0);
    CHECK(p1 > 0);
    p.name = "HURTOWNIA  ABC";
    kanal_error_clear(&e);
    CHECK_INT(store_partner_insert(s, &p, "hurtownia abc", &p2, &e), KANAL_ESTORAGE);
    CHECK(strstr(e.message, "UNIQUE") != NULL);
    p.name = "Sklep Ż";
    p.type = "shop";
    p.owner = "marcin";
    p.email = p.city = NULL;
    CHECK_INT(store_partner_insert(s, &p, "sklep ż", &p2, &e), 0);
    p.name = "Trzeci";
    CHECK_INT(store_partner_insert(s, &p, "trzeci", &p3, &e), 0);

    kanal_partner got;
    CHECK_INT(store_partner_by_id(s, a, p1, &got, &e), 0);
    CHECK_STR(got.name, "Hurtownia ABC");
    CHECK_STR(got.city, "Łódź");
    CHECK(got.owner == NULL);
    CHECK(got.phone == NULL);
    CHECK_INT(store_partner_by_name(s, a, "Sklep Ż", &got, &e), 0);
    CHECK_INT(got.id, p2);
    kanal_error_clear(&e);
    CHECK_INT(store_partner_by_name(s, a, "sklep ż", &got, &e), KANAL_ENOTFOUND); /* exact */
    CHECK_INT(store_partner_by_key(s, a, "sklep ż", &got, &e), 0);
    CHECK_INT(got.id, p2);
    CHECK_INT(store_partner_by_id(s, a, 9999, &got, &e), KANAL_ENOTFOUND);

    CHECK_INT(store_partner_set_owner(s, p1, "marcin", &e), 0);
    int64_t *ids = NULL;
    size_t n = 0;
    CHECK_INT(store_partners_owned_by(s, a, "marcin", &ids, &n, &e), 0);
    CHECK_INT(n, 3);
    CHECK_INT(store_partners_owned_by(s, a, "mia", &ids, &n, &e), 0);
    CHECK_INT(n, 0);

    kanal_partner *ps = NULL;
    CHECK_INT(store_partners_list(s, a, NULL, "shop", &ps, &n, &e), 0);
    CHECK_INT(n, 2);
    CHECK_INT(store_partners_list(s, a, "marcin", "distributor", &ps, &n, &e), 0);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_STR(ps[0].owner, "marcin");

    /* opportunities */
    store_opp_row r = { .partner_id = p1, .workflow = "distributors", .version = 1,
                        .owner = "marcin", .stage = "awareness",
                        .created_at = "2026-03-02T08:00:00Z" };
    int64_t o1 = 0, o2 = 0, o3 = 0, dup = 0;
    CHECK_INT(store_opp_insert(s, &r, &o1, &e), 0);
    /* one open opportunity per partner and workflow */
    kanal_error_clear(&e);
    CHECK_INT(store_opp_insert(s, &r, &dup, &e), KANAL_ESTORAGE);
    r.workflow = "wholesale";
    r.partner_id = p2;
    r.created_at = "2026-03-01T08:00:00Z";
    CHECK_INT(store_opp_insert(s, &r, &o2, &e), 0);
    r.partner_id = p3;
    r.created_at = "2026-03-03T08:00:00Z";
    CHECK_INT(store_opp_insert(s, &r, &o3, &e), 0);

    store_opp_row got_r;
    CHECK_INT(store_opp_get(s, a, o1, &got_r, &e), 0);
    CHECK_INT(got_r.status, KANAL_OPEN);
    CHECK_STR(got_r.stage, "awareness");
    CHECK_STR(got_r.stage_entered_at, "2026-03-02T08:00:00Z");
    CHECK_STR(got_r.last_event_at, "2026-03-02T08:00:00Z");
    CHECK_INT(got_r.last_seq, 0);
    CHECK(got_r.closed_at == NULL);
    CHECK_INT(store_opp_get(s, a, 9999, &got_r, &e), KANAL_ENOTFOUND);

    int64_t open = -1;
    CHECK_INT(store_opp_open_for(s, p1, "distributors", &open, &e), 0);
    CHECK_INT(open, o1);
    CHECK_INT(store_opp_open_for(s, p1, "wholesale", &open, &e), 0);
    CHECK_INT(open, 0);

    /* the agenda's order: the longest in its stage first */
    CHECK_INT(store_opps_open_of_owner(s, a, "marcin", &ids, &n, &e), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_INT(ids[0], o2);
        CHECK_INT(ids[1], o1);
        CHECK_INT(ids[2], o3);
    }
    CHECK_INT(store_opp_set_stage(s, o2, "listing", "2026-03-05T08:00:00Z", &e), 0);
    CHECK_INT(store_opps_open_of_owner(s, a, "marcin", &ids, &n, &e), 0);
    if (n == 3) {
        CHECK_INT(ids[0], o1);
        CHECK_INT(ids[1], o3);
        CHECK_INT(ids[2], o2);
    }
    int cnt = -1;
    CHECK_INT(store_open_count(s, "marcin", NULL, &cnt, &e), 0);
    CHECK_INT(cnt, 3);
    CHECK_INT(store_open_count(s, "marcin", "wholesale", &cnt, &e), 0);
    CHECK_INT(cnt, 2);

    /* touch keeps the latest time, takes the new sequence number */
    CHECK_INT(store_opp_touch(s, o1, "2026-03-04T08:00:00Z", 1, &e), 0);
    CHECK_INT(store_opp_touch(s, o1, "2026-03-03T08:00:00Z", 2, &e), 0);
    CHECK_INT(store_opp_get(s, a, o1, &got_r, &e), 0);
    CHECK_STR(got_r.last_event_at, "2026-03-04T08:00:00Z");
    CHECK_INT(got_r.last_seq, 2);

    /* close; then a new open opportunity for the same partner and workflow is allowed */
    CHECK_INT(store_opp_close(s, o1, KANAL_LOST, "2026-03-06T08:00:00Z", "competitor", &e), 0);
    CHECK_INT(store_opp_get(s, a, o1, &got_r, &e), 0);
    CHECK_INT(got_r.status, KANAL_LOST);
    CHECK_STR(got_r.closed_at, "2026-03-06T08:00:00Z");
    CHECK_STR(got_r.lost_reason, "competitor");
    r.partner_id = p1;
    r.workflow = "distributors";
    CHECK_INT(store_opp_insert(s, &r, &dup, &e), 0);
    CHECK_INT(store_opps_open_of_partner(s, a, p1, &ids, &n, &e), 0);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_INT(ids[0], dup);
    CHECK_INT(store_opp_set_owner(s, dup, "mia", &e), 0);
    CHECK_INT(store_open_count(s, "mia", NULL, &cnt, &e), 0);
    CHECK_INT(cnt, 1);

    /* the list, with its partners' names, narrowed by owner and status */
    store_opp_row *rows = NULL;
    store_opp_filter f = { .owner = "marcin", .status = KANAL_OPEN };
    CHECK_INT(store_opps_list(s, a, &f, &rows, &n, &e), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_INT(rows[0].id, o2);
        CHECK_STR(rows[0].partner_name, "Sklep Ż");
        CHECK_STR(rows[0].stage, "listing");
        CHECK_STR(rows[0].stage_entered_at, "2026-03-05T08:00:00Z");
        CHECK_INT(rows[1].status, KANAL_OPEN);
    }
    store_opp_filter any = { .status = KANAL_STATUS_COUNT };
    CHECK_INT(store_opps_list(s, a, &any, &rows, &n, &e), 0);
    CHECK_INT(n, 4);
    store_opp_filter lost = { .status = KANAL_LOST, .workflow = "distributors" };
    CHECK_INT(store_opps_list(s, a, &lost, &rows, &n, &e), 0);
    CHECK_INT(n, 1);

    /* goals, fields, activities */
    CHECK_INT(store_goal_mark_done(s, o2, "terms_agreed", "2026-03-05T09:00:00Z", "marcin", &e), 0);
    kanal_error_clear(&e);
    CHECK_INT(store_goal_mark_done(s, o2, "terms_agreed", "2026-03-05T10:00:00Z", "marcin", &e),
              KANAL_ESTORAGE);
    store_pair *pairs = NULL;
    CHECK_INT(store_goals_done(s, a, o2, &pairs, &n, &e), 0);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_STR(pairs[0].key, "terms_agreed");
        CHECK_STR(pairs[0].value, "2026-03-05T09:00:00Z");
    }
    CHECK_INT(store_field_put(s, o2, "payment_days", "30", "2026-03-05T09:00:00Z", &e), 0);
    CHECK_INT(store_field_put(s, o2, "payment_days", "45", "2026-03-05T09:30:00Z", &e), 0);
    CHECK_INT(store_field_put(s, o2, "exclusive", "true", "2026-03-05T09:30:00Z", &e), 0);
    CHECK_INT(store_field_values(s, a, o2, &pairs, &n, &e), 0);
    CHECK_INT(n, 2);
    for (size_t i = 0; i < n; i++)
        if (strcmp(pairs[i].key, "payment_days") == 0)
            CHECK_STR(pairs[i].value, "45");
    CHECK_INT(store_field_put(s, o2, "exclusive", NULL, "2026-03-05T09:40:00Z", &e), 0);
    CHECK_INT(store_field_put(s, o2, "never_set", NULL, "2026-03-05T09:40:00Z", &e), 0);
    CHECK_INT(store_field_values(s, a, o2, &pairs, &n, &e), 0);
    CHECK_INT(n, 1);

    CHECK_INT(store_activity_insert(s, o2, "call", "2026-03-05T11:00:00Z", "marcin", NULL, &e), 0);
    CHECK_INT(store_activity_insert(s, o2, "email", "2026-03-05T10:00:00Z", "marcin", "price list",
                                    &e),
              0);
    CHECK_INT(store_activity_insert(s, o2, "call", "2026-03-05T09:00:00Z", "mia", "first", &e), 0);
    kanal_activity *acts = NULL;
    CHECK_INT(store_activities(s, a, o2, NULL, &acts, &n, &e), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_STR(acts[0].at, "2026-03-05T09:00:00Z"); /* by time, not by insertion */
        CHECK_STR(acts[0].note, "first");
        CHECK_STR(acts[1].type, "email");
        CHECK(acts[2].note == NULL);
    }
    CHECK_INT(store_activities(s, a, o2, "call", &acts, &n, &e), 0);
    CHECK_INT(n, 2);
    CHECK_INT(store_activities(s, a, o1, NULL, &acts, &n, &e), 0);
    CHECK_INT(n, 0);
    kanal_arena_free(a);
}

/* Deals: numbered 1 and up, read back with their partner and opportunity, narrowed by
   partner, owner and signing day; one open deal per partner and client. */
static void test_deals(store *s)
{
    kanal_error e;
    kanal_error_clear(&e);
    kanal_arena *a = kanal_arena_new();
    kanal_partner p = { .name = "Biuro Deal",
                        .type = "referrer",
                        .owner = "marcin",
                        .created_at = "2026-03-01T08:00:00Z" };
    int64_t pid = 0, other = 0, won = -1, o1 = 0, o2 = 0;
    CHECK_INT(store_partner_insert(s, &p, "biuro deal", &pid, &e), 0);
    p.name = "Inny";
    p.owner = "mia";
    CHECK_INT(store_partner_insert(s, &p, "inny", &other, &e), 0);
    CHECK_INT(store_opp_won_latest(s, pid, &won, &e), 0);
    CHECK_INT(won, 0);
    /* won twice: the latest by the time it was won, not by its number */
    store_opp_row r = { .partner_id = pid,
                        .workflow = "distributors",
                        .version = 1,
                        .owner = "marcin",
                        .stage = "launch",
                        .created_at = "2026-03-02T08:00:00Z" };
    CHECK_INT(store_opp_insert(s, &r, &o1, &e), 0);
    CHECK_INT(store_opp_close(s, o1, KANAL_WON, "2026-03-09T08:00:00Z", NULL, &e), 0);
    r.workflow = "wholesale";
    CHECK_INT(store_opp_insert(s, &r, &o2, &e), 0);
    CHECK_INT(store_opp_close(s, o2, KANAL_WON, "2026-03-05T08:00:00Z", NULL, &e), 0);
    CHECK_INT(store_opp_won_latest(s, pid, &won, &e), 0);
    CHECK_INT(won, o1);

    kanal_deal d = { .partner_id = pid,
                     .opp = o1,
                     .client = "Hotel Mewa",
                     .value_cents = 1250050,
                     .signed_on = "2026-01-15",
                     .created_at = "2026-03-10T08:00:00Z",
                     .created_by = "marcin" };
    int64_t d1 = 0, d2 = 0, d3 = 0, open = -1;
    CHECK_INT(store_deal_insert(s, &d, &d1, &e), 0);
    CHECK_INT(d1, 1);
    d.client = "Pensjonat";
    d.value_cents = 0;
    d.signed_on = "2026-04-01";
    CHECK_INT(store_deal_insert(s, &d, &d2, &e), 0);
    CHECK_INT(d2, 2);
    d.partner_id = other;
    d.client = "Hotel Mewa";
    CHECK_INT(store_deal_insert(s, &d, &d3, &e), 0);
    /* a value below 0 is refused by the schema */
    d.value_cents = -1;
    int64_t bad = 0;
    kanal_error_clear(&e);
    CHECK_INT(store_deal_insert(s, &d, &bad, &e), KANAL_ESTORAGE);
    CHECK(strstr(e.message, "CHECK") != NULL);

    kanal_deal got = { 0 };
    CHECK_INT(store_deal_get(s, a, d1, &got, &e), 0);
    CHECK_STR(got.partner, "Biuro Deal");
    CHECK_STR(got.client, "Hotel Mewa");
    CHECK_INT(got.value_cents, 1250050);
    CHECK_INT(got.opp, o1);
    CHECK_STR(got.workflow, "distributors");
    CHECK_INT(got.version, 1);
    CHECK_STR(got.signed_on, "2026-01-15");
    CHECK(got.ended_on == NULL);
    CHECK_STR(got.created_by, "marcin");
    CHECK_INT(store_deal_get(s, a, 999, &got, &e), KANAL_ENOTFOUND);

    CHECK_INT(store_deal_open_for(s, pid, "Hotel Mewa", &open, &e), 0);
    CHECK_INT(open, d1);
    /* ending: never before the signing day (the schema says so too) */
    kanal_error_clear(&e);
    CHECK_INT(store_deal_end(s, d1, "2026-01-14", &e), KANAL_ESTORAGE);
    CHECK_INT(store_deal_end(s, d1, "2026-05-15", &e), 0);
    CHECK_INT(store_deal_open_for(s, pid, "Hotel Mewa", &open, &e), 0);
    CHECK_INT(open, 0);

    kanal_deal *list = NULL;
    size_t n = 0;
    CHECK_INT(store_deals_list(s, a, &(store_deal_filter){ 0 }, &list, &n, &e), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_STR(list[0].ended_on, "2026-05-15");
        CHECK_STR(list[2].partner, "Inny");
    }
    CHECK_INT(store_deals_list(s, a, &(store_deal_filter){ .partner_id = pid }, &list, &n, &e), 0);
    CHECK_INT(n, 2);
    CHECK_INT(store_deals_list(s, a, &(store_deal_filter){ .owner = "mia" }, &list, &n, &e), 0);
    CHECK_INT(n, 1);
    CHECK_INT(
        store_deals_list(s, a, &(store_deal_filter){ .signed_by = "2026-03-31" }, &list, &n, &e),
        0);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_INT(list[0].id, d1);
    kanal_arena_free(a);
}

static void test_queries(void)
{
    store *s = open_new("queries.db");
    test_users(s);
    test_workflows(s);
    test_partners_and_opps(s);
    test_deals(s);
    CHECK_INT(store_depth(s), 0);
    store_close(s);
    store_close(NULL);
}

/* The digest: the same record, the same text; a change shows. */
static void test_digest(void)
{
    store *s = open_new("digest.db");
    kanal_error e;
    kanal_error_clear(&e);
    kanal_buf before = KANAL_BUF_INIT, after = KANAL_BUF_INIT, again = KANAL_BUF_INIT;
    add_user(s, "ann");
    CHECK_INT(store_digest(s, &before, &e), 0);
    CHECK(strstr(kanal_buf_cstr(&before), "ann") != NULL);
    CHECK_INT(store_digest(s, &again, &e), 0);
    CHECK_STR(kanal_buf_cstr(&again), kanal_buf_cstr(&before));
    CHECK_INT(store_begin(s, &e), 0);
    add_user(s, "bob");
    store_rollback(s);
    CHECK_INT(store_digest(s, &after, &e), 0);
    CHECK_STR(kanal_buf_cstr(&after), kanal_buf_cstr(&before));
    add_user(s, "bob");
    kanal_buf_reset(&after);
    CHECK_INT(store_digest(s, &after, &e), 0);
    CHECK(strcmp(kanal_buf_cstr(&after), kanal_buf_cstr(&before)) != 0);
    kanal_buf_release(&before);
    kanal_buf_release(&after);
    kanal_buf_release(&again);
    store_close(s);
}

/* ---- reports: what each aggregate counts, now and as of a moment before ------------ */

/* One step of an opportunity: its event, and the row's latest event. */
static void step(store *s, int64_t opp, int64_t seq, const char *at, const char *type,
                 const char *data)
{
    kanal_error e;
    store_event ev = { .opp = opp,
                       .seq = seq,
                       .at = at,
                       .recorded_at = at,
                       .actor = "ann",
                       .login = "tomek",
                       .type = type,
                       .data = data,
                       .workflow = "w",
                       .version = 1 };
    CHECK_INT(store_event_insert(s, &ev, &e), 0);
    CHECK_INT(store_opp_touch(s, opp, at, seq, &e), 0);
}

static const store_count *count_of(const store_count *c, size_t n, const char *group,
                                   const char *key, kanal_status status)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(c[i].group ? c[i].group : "-", group ? group : "-") &&
            !strcmp(c[i].key ? c[i].key : "-", key ? key : "-") && c[i].status == status)
            return &c[i];
    return NULL;
}

#define CHECK_COUNT(c, n, group, key, status, want)                                                \
    do {                                                                                           \
        const store_count *x_ = count_of(c, n, group, key, status);                                \
        CHECK(x_ != NULL);                                                                         \
        if (x_)                                                                                    \
            CHECK_INT(x_->n, want);                                                                \
    } while (0)

static void test_reports(void)
{
    store *s = open_new("reports.db");
    kanal_error e;
    kanal_error_clear(&e);
    add_user(s, "ann");
    add_user(s, "bob");
    kanal_workflow_version v = { .workflow = "w",
                                 .version = 1,
                                 .source = "w.yaml",
                                 .yaml = "workflow: w",
                                 .hash = "h",
                                 .applied_at = "2026-03-01T08:00:00Z",
                                 .applied_by = "ann" };
    CHECK_INT(store_workflow_insert(s, &v, "W", &e), 0);
    int64_t pid[3], opp[3];
    static const char *const names[] = { "P1", "P2", "P3" };
    for (int i = 0; i < 3; i++) {
        kanal_partner p = { .name = names[i],
                            .type = "shop",
                            .created_at = "2026-03-01T08:00:00Z" };
        CHECK_INT(store_partner_insert(s, &p, names[i], &pid[i], &e), 0);
    }
    /* 1: ann's, an e-mail first, goal g1, advanced to b on 03-03, won on 03-05 */
    store_opp_row r = { .partner_id = pid[0],
                        .workflow = "w",
                        .version = 1,
                        .owner = "ann",
                        .stage = "a",
                        .created_at = "2026-03-01T08:00:00Z" };
    CHECK_INT(store_opp_insert(s, &r, &opp[0], &e), 0);
    step(s, opp[0], 1, "2026-03-01T08:00:00Z", "created", "{\"owner\":\"ann\",\"stage\":\"a\"}");
    CHECK_INT(store_activity_insert(s, opp[0], "email", "2026-03-01T09:00:00Z", "ann", NULL, &e),
              0);
    step(s, opp[0], 2, "2026-03-01T09:00:00Z", "activity", "{\"activity\":\"email\"}");
    CHECK_INT(store_activity_insert(s, opp[0], "call", "2026-03-02T09:00:00Z", "ann", NULL, &e), 0);
    step(s, opp[0], 3, "2026-03-02T09:00:00Z", "activity", "{\"activity\":\"call\"}");
    CHECK_INT(store_goal_mark_done(s, opp[0], "g1", "2026-03-02T09:00:00Z", "ann", &e), 0);
    step(s, opp[0], 4, "2026-03-02T09:00:00Z", "goal_done", "{\"goal\":\"g1\"}");
    CHECK_INT(store_opp_set_stage(s, opp[0], "b", "2026-03-03T08:00:00Z", &e), 0);
    step(s, opp[0], 5, "2026-03-03T08:00:00Z", "advanced", "{\"from\":\"a\",\"to\":\"b\"}");
    CHECK_INT(store_opp_close(s, opp[0], KANAL_WON, "2026-03-05T08:00:00Z", NULL, &e), 0);
    step(s, opp[0], 6, "2026-03-05T08:00:00Z", "won", "{\"stage\":\"b\"}");
    /* 2: ann's, a call first, bob's from 03-04, lost in a on 03-06 for 'price' */
    r.partner_id = pid[1];
    r.created_at = "2026-03-01T10:00:00Z";
    CHECK_INT(store_opp_insert(s, &r, &opp[1], &e), 0);
    step(s, opp[1], 1, "2026-03-01T10:00:00Z", "created", "{\"owner\":\"ann\",\"stage\":\"a\"}");
    CHECK_INT(store_activity_insert(s, opp[1], "call", "2026-03-01T11:00:00Z", "ann", NULL, &e), 0);
    step(s, opp[1], 2, "2026-03-01T11:00:00Z", "activity", "{\"activity\":\"call\"}");
    CHECK_INT(store_opp_set_owner(s, opp[1], "bob", &e), 0);
    step(s, opp[1], 3, "2026-03-04T00:00:00Z", "reassigned", "{\"from\":\"ann\",\"to\":\"bob\"}");
    CHECK_INT(store_opp_close(s, opp[1], KANAL_LOST, "2026-03-06T10:00:00Z", "price", &e), 0);
    step(s, opp[1], 4, "2026-03-06T10:00:00Z", "lost", "{\"stage\":\"a\",\"reason\":\"price\"}");
    /* 3: bob's, nothing done yet */
    r.partner_id = pid[2];
    r.owner = "bob";
    r.created_at = "2026-03-02T08:00:00Z";
    CHECK_INT(store_opp_insert(s, &r, &opp[2], &e), 0);
    step(s, opp[2], 1, "2026-03-02T08:00:00Z", "created", "{\"owner\":\"bob\",\"stage\":\"a\"}");

    kanal_arena *a = kanal_arena_new();
    store_count *c;
    store_stage_row *st;
    store_open_row *op;
    store_goal_row *g;
    size_t n;
    /* now: read from the rows */
    store_scope now = { .as_of = "2026-12-31T00:00:00Z" };
    CHECK_INT(store_report_lost(s, a, &now, STORE_BY_NONE, &c, &n, &e), 0);
    CHECK_INT(n, 1);
    CHECK_COUNT(c, n, NULL, "price", KANAL_STATUS_COUNT, 1);
    CHECK_INT(store_report_lost(s, a, &now, STORE_BY_OWNER, &c, &n, &e), 0);
    CHECK_COUNT(c, n, "bob", "price", KANAL_STATUS_COUNT, 1);
    CHECK_INT(store_report_lost(s, a, &now, STORE_BY_STAGE, &c, &n, &e), 0);
    CHECK_COUNT(c, n, "a", "price", KANAL_STATUS_COUNT, 1);
    CHECK_INT(store_report_outcomes(s, a, &now, &c, &n, &e), 0);
    CHECK_INT(n, 3);
    CHECK_COUNT(c, n, "ann", NULL, KANAL_WON, 1);
    CHECK_COUNT(c, n, "bob", NULL, KANAL_LOST, 1);
    CHECK_COUNT(c, n, "bob", NULL, KANAL_OPEN, 1);
    CHECK_INT(store_report_activities(s, a, &now, &c, &n, &e), 0);
    CHECK_INT(n, 3);
    CHECK_COUNT(c, n, "ann", "email", KANAL_STATUS_COUNT, 1);
    CHECK_COUNT(c, n, "ann", "call", KANAL_STATUS_COUNT, 1);
    CHECK_COUNT(c, n, "bob", "call", KANAL_STATUS_COUNT, 1); /* logged by ann, on bob's now */
    CHECK_INT(store_report_first_touch(s, a, &now, &c, &n, &e), 0);
    CHECK_INT(n, 3);
    CHECK_COUNT(c, n, "ann", "email", KANAL_WON, 1);
    CHECK_COUNT(c, n, "bob", "call", KANAL_LOST, 1);
    CHECK_COUNT(c, n, "bob", NULL, KANAL_OPEN, 1);
    CHECK_INT(store_report_stages(s, a, &now, &st, &n, &e), 0);
    CHECK_INT(n, 2);
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(st[i].stage, "a")) {
            /* left by 1 (2 days, advanced) and 2 (5 days, lost); 3 still there */
            CHECK_INT(st[i].entered, 3);
            CHECK_INT(st[i].advanced, 1);
            CHECK_INT(st[i].lost, 1);
            CHECK_INT(st[i].open, 1);
            CHECK_INT(st[i].left, 2);
            CHECK(st[i].median_days > 3.4999 && st[i].median_days < 3.5001);
            CHECK(st[i].p90_days > 4.9999 && st[i].p90_days < 5.0001);
        } else {
            CHECK_STR(st[i].stage, "b");
            CHECK_INT(st[i].entered, 1);
            CHECK_INT(st[i].won, 1);
            CHECK(st[i].median_days > 1.9999 && st[i].median_days < 2.0001);
        }
    }
    CHECK_INT(store_report_open(s, a, &now, NULL, 0, &op, &n, &e), 0);
    CHECK_INT(n, 1);
    if (n) {
        CHECK_INT(op[0].id, opp[2]);
        CHECK_STR(op[0].partner, "P3");
        CHECK_STR(op[0].stage_entered_at, "2026-03-02T08:00:00Z");
        CHECK(op[0].last_activity_at == NULL);
    }
    /* 3 has been in a since 03-02 08:00: past 2 days from 03-05 08:00 on, not before */
    store_stage_limit lim[] = { { "w", 1, "a", 2 }, { "w", 1, "b", 1 } };
    store_scope d1 = { .as_of = "2026-03-05T07:59:59Z" }, d2 = { .as_of = "2026-03-05T08:00:00Z" };
    CHECK_INT(store_report_open(s, a, &d1, lim, 2, &op, &n, &e), 0);
    for (size_t i = 0; i < n; i++)
        CHECK(op[i].id != opp[2]);
    CHECK_INT(store_report_open(s, a, &d2, lim, 2, &op, &n, &e), 0);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found |= op[i].id == opp[2];
    CHECK(found);
    /* g1 waits for g0, never done: late */
    store_goal_order order = { 1, "g1", "g0" };
    CHECK_INT(store_report_goals(s, a, &now, &order, 1, &g, &n, &e), 0);
    CHECK_INT(n, 1);
    if (n) {
        CHECK_STR(g[0].goal, "g1");
        CHECK_INT(g[0].done, 1);
        CHECK_INT(g[0].done_late, 1);
        CHECK_INT(g[0].done_won, 1);
    }
    /* 1 won 4 days after its creation (03-01 08:00 to 03-05 08:00) */
    store_win_days wd;
    CHECK_INT(store_report_win_days(s, &now, &wd, &e), 0);
    CHECK_INT(wd.won, 1);
    CHECK(wd.median_days > 3.9999 && wd.median_days < 4.0001);
    /* filters: bob's only; created from 03-02 only */
    store_scope bobs = { .owner = "bob", .as_of = now.as_of };
    CHECK_INT(store_report_outcomes(s, a, &bobs, &c, &n, &e), 0);
    CHECK_INT(n, 2);
    store_scope late = { .since = "2026-03-02T00:00:00Z", .as_of = now.as_of };
    CHECK_INT(store_report_outcomes(s, a, &late, &c, &n, &e), 0);
    CHECK_INT(n, 1);
    CHECK_COUNT(c, n, "bob", NULL, KANAL_OPEN, 1);

    /* as of 03-04 12:00: 1 and 2 changed since, rebuilt from the log */
    store_scope then = { .as_of = "2026-03-04T12:00:00Z" };
    CHECK_INT(store_report_lost(s, a, &then, STORE_BY_NONE, &c, &n, &e), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_report_outcomes(s, a, &then, &c, &n, &e), 0);
    CHECK_COUNT(c, n, "ann", NULL, KANAL_OPEN, 1);
    CHECK_COUNT(c, n, "bob", NULL, KANAL_OPEN, 2); /* 2 was bob's from 03-04 00:00 */
    CHECK_INT(store_report_win_days(s, &then, &wd, &e), 0);
    CHECK_INT(wd.won, 0); /* 1 was won on 03-05 */
    CHECK(wd.median_days == 0);
    CHECK_INT(store_report_stages(s, a, &then, &st, &n, &e), 0);
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(st[i].stage, "a")) {
            CHECK_INT(st[i].entered, 3);
            CHECK_INT(st[i].advanced, 1);
            CHECK_INT(st[i].lost, 0);
            CHECK_INT(st[i].open, 2);
        } else {
            CHECK_INT(st[i].won, 0);
            CHECK_INT(st[i].open, 1);
        }
    }
    CHECK_INT(store_report_open(s, a, &then, NULL, 0, &op, &n, &e), 0);
    CHECK_INT(n, 3);
    /* as of before 2 was created: 1 alone, and it had only its e-mail */
    store_scope early = { .as_of = "2026-03-01T09:30:00Z" };
    CHECK_INT(store_report_activities(s, a, &early, &c, &n, &e), 0);
    CHECK_INT(n, 1);
    CHECK_COUNT(c, n, "ann", "email", KANAL_STATUS_COUNT, 1);
    kanal_arena_free(a);
    store_close(s);
}

/*
** PostgreSQL, when $KANAL_TEST_PG names a server (a postgresql:// URI to its
** "postgres" database as a role that may create databases, as
** scripts/pg-server.sh prints): each name is a database of its own, made
** empty on first use.
*/
static const char *pg_where(const char *name)
{
    static char made[16][64];
    static char uri[16][1024];
    const char *server = getenv("KANAL_TEST_PG");
    char db[64];
    snprintf(db, sizeof db, "kanal_store_%ld_", (long)getpid());
    for (const char *p = name; *p && strlen(db) < sizeof db - 1; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            db[strlen(db) + 1] = '\0', db[strlen(db)] = *p;
    for (int i = 0; i < 16 && made[i][0]; i++)
        if (!strcmp(made[i], db))
            return uri[i];
    int i = 0;
    while (i < 15 && made[i][0])
        i++;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "psql -q -X -v ON_ERROR_STOP=1 '%s' -c 'CREATE DATABASE %s' >&2",
             server, db);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot create the database %s on %s\n", db, server);
        exit(2);
    }
    /* the server's URI with the database's name in place of "postgres" */
    const char *slash = strstr(server, "/postgres");
    if (!slash) {
        fprintf(stderr, "KANAL_TEST_PG must name the database postgres: %s\n", server);
        exit(2);
    }
    snprintf(uri[i], sizeof uri[i], "%.*s/%s%s", (int)(slash - server), server, db,
             slash + strlen("/postgres"));
    snprintf(made[i], sizeof made[i], "%s", db);
    return uri[i];
}

/* The backends: each with where its databases are. */
static const struct {
    const char *name;
    const char *(*where)(const char *name);
    const char *needs; /* the environment variable that enables it, or NULL */
} backends[] = {
    { "sqlite", path_in, NULL },
    { "postgresql", pg_where, "KANAL_TEST_PG" },
};

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/kanal-store-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    for (size_t b = 0; b < sizeof backends / sizeof backends[0]; b++) {
        if (backends[b].needs && !getenv(backends[b].needs)) {
            fprintf(stderr, "backend %s: not tested ($%s is not set)\n", backends[b].name,
                    backends[b].needs);
            continue;
        }
        fprintf(stderr, "backend %s\n", backends[b].name);
        where = backends[b].where;
        recorded_login = NULL;
        if (backends[b].needs) {
            /* the role of the server's URI: user=NAME */
            static char role[64];
            const char *u = strstr(getenv(backends[b].needs), "user=");
            snprintf(role, sizeof role, "%.*s", u ? (int)strcspn(u + 5, "&") : 0, u ? u + 5 : "");
            recorded_login = role;
        }
        test_event_log();
        test_transactions();
        test_isolation();
        test_queries();
        test_digest();
        test_reports();
    }
    remove_dir();
    return t_done("test_store");
}
