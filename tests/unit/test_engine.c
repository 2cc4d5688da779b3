/*
** test_engine.c — the rep's lifecycle through the public API (kanal.h), on a
** database in a temporary folder, with the sample workflows of workflows/:
**
**  - users, roles and permissions; partners and their one owner; one open
**    opportunity per partner and workflow; owner_roles; partner_types;
**  - done / set / log / advance / win / lose and every rule of issue 3, each
**    refusal with its code and words, and each refusal leaving the database
**    exactly as it was (counts and contents compared before and after);
**  - --at: ISO 8601 with offsets stored as UTC, never before the latest
**    event, never in the future;
**  - next, the agenda, the history, reassign, workflow versions pinned;
**  - one transaction around several operations (kanal_begin);
**  - the log is enough: for stepped opportunities, the state rebuilt from the
**    events' data alone equals kanal_opp_get.
**
** Every out-object is freed: the suite runs under ASan and LSan.
*/
#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <unistd.h>

#include "engine/engine.h"
#include "kanal/kanal.h"
#include "kanal/reports.h"
#include "t.h"

static char dir[64];
static char db_path[128];
static kanal *k;
static kanal_error err;

/* ---- helpers ---------------------------------------------------------------------- */

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
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                remove(path_in(e->d_name));
        closedir(d);
    }
    rmdir(dir);
}

static int64_t T(const char *iso)
{
    int64_t t = 0;
    kanal_error e;
    if (kanal_time_parse(iso, &t, &e)) {
        fprintf(stderr, "bad time in the test: %s\n", iso);
        exit(2);
    }
    return t;
}

static void now_is(const char *iso)
{
    kanal_set_now(k, T(iso));
}

static void as(const char *user)
{
    kanal_error e;
    kanal_error_clear(&e);
    if (kanal_set_actor(k, user, &e)) {
        fprintf(stderr, "cannot act as %s: %s\n", user, e.message);
        exit(2);
    }
}

/* A count the store gives: of one opportunity's events. */
static long long count_events(int64_t opp)
{
    int64_t n = -999, max_seq = 0;
    kanal_error e;
    if (store_event_count(k->store, opp, &n, &max_seq, &e))
        fprintf(stderr, "  counting events: %s\n", e.message);
    return n;
}

/* The number of activities of an opportunity, as stored. */
static long long count_activities(int64_t opp)
{
    kanal_arena *a = kanal_arena_new();
    kanal_activity *acts;
    size_t n = 0;
    kanal_error e;
    if (store_activities(k->store, a, opp, NULL, &acts, &n, &e))
        fprintf(stderr, "  counting activities: %s\n", e.message);
    kanal_arena_free(a);
    return (long long)n;
}

/* Opportunities as stored, narrowed by owner and, unless KANAL_STATUS_COUNT, status. */
static long long count_opps(const char *owner, kanal_status status, bool not_status)
{
    kanal_arena *a = kanal_arena_new();
    store_opp_row *rows;
    size_t n = 0;
    long long c = 0;
    kanal_error e;
    store_opp_filter f = { .owner = owner, .status = KANAL_STATUS_COUNT };
    if (store_opps_list(k->store, a, &f, &rows, &n, &e))
        fprintf(stderr, "  listing: %s\n", e.message);
    for (size_t i = 0; i < n; i++)
        c += status == KANAL_STATUS_COUNT || (rows[i].status == status) != not_status;
    kanal_arena_free(a);
    return c;
}

/*
** Everything a step may change, as one string: the store's digest, a
** canonical text of every record. Equal before and after a refused
** operation.
*/
static char *snapshot(void)
{
    kanal_buf b = KANAL_BUF_INIT;
    kanal_error e;
    if (store_digest(k->store, &b, &e))
        fprintf(stderr, "snapshot: %s\n", e.message);
    char *out = kanal_buf_detach(&b);
    return out ? out : kanal_strdup("?");
}

/* The call succeeds. */
#define OK(expr)                                                                     \
    do {                                                                             \
        kanal_error_clear(&err);                                                     \
        int rc_ = (expr);                                                            \
        if (rc_)                                                                     \
            fprintf(stderr, "  %s: %s\n", #expr, err.message);                      \
        CHECK_INT(rc_, KANAL_OK);                                                    \
    } while (0)

/* The call fails with `code`, says `part`, and the database is unchanged. */
#define REFUSED(expr, want_code, part)                                                    \
    do {                                                                             \
        char *before_ = snapshot();                                                  \
        kanal_error_clear(&err);                                                     \
        int rc_ = (expr);                                                            \
        CHECK_INT(rc_, (want_code));                                                 \
        CHECK_INT(err.code, (want_code));                                            \
        if (!strstr(err.message, (part)))                                            \
            fprintf(stderr, "  %s\n  message: %s\n  wanted in it: %s\n", #expr,      \
                    err.message, (part));                                            \
        CHECK(strstr(err.message, (part)) != NULL);                                  \
        char *after_ = snapshot();                                                   \
        CHECK_STR(after_, before_);                                                  \
        free(before_);                                                               \
        free(after_);                                                                \
    } while (0)

static int64_t add_partner(const char *name, const char *type)
{
    kanal_partner_fields p = { .name = name, .type = type };
    int64_t id = 0;
    OK(kanal_partner_add(k, &p, &id, &err));
    return id;
}

static int64_t new_opp(const char *partner, const char *workflow)
{
    int64_t id = 0;
    OK(kanal_opp_create(k, partner, workflow, NULL, NULL, &id, &err));
    return id;
}

static kanal_opp *get(int64_t id)
{
    kanal_opp *o = NULL;
    OK(kanal_opp_get(k, id, &o, &err));
    if (!o) {
        fprintf(stderr, "cannot read opportunity %lld\n", (long long)id);
        exit(2);
    }
    return o;
}

static const char *field_of(const kanal_opp *o, const char *field)
{
    int f = kanal_workflow_field_index(o->wf, field);
    return f >= 0 ? o->fields[f] : "(no such field)";
}

static const char *done_at(const kanal_opp *o, const char *goal)
{
    int g = kanal_workflow_goal_index(o->wf, goal);
    return g >= 0 ? o->done_at[g] : "(no such goal)";
}

static int goal_ix(const kanal_opp *o, const char *goal)
{
    return kanal_workflow_goal_index(o->wf, goal);
}

static bool done_ok(int64_t id, const char *goal, const char *const *sets, size_t n,
                    const char *note, const char *at)
{
    bool already = true;
    OK(kanal_opp_done(k, id, goal, sets, n, note, at, &already, &err));
    CHECK(!already);
    return err.code == KANAL_OK;
}

static int log_ok(int64_t id, const char *activity, const char *at)
{
    kanal_log_result *r = NULL;
    OK(kanal_opp_log(k, id, activity, NULL, at, &r, &err));
    int n = r ? (int)r->n_completed : -1;
    kanal_log_result_free(r);
    return n;
}

/* ---- reading the log back ----------------------------------------------------------------- */

/* The text of member "$.key" of a JSON object, or NULL when absent or null (caller frees). */
static char *jtext(const char *json, const char *path)
{
    json_t *root = json_loads(json, 0, NULL);
    json_t *v = root ? json_object_get(root, path + 2) : NULL;
    char *out = NULL;
    if (json_is_string(v))
        out = kanal_strdup(json_string_value(v));
    else if (v && !json_is_null(v))
        out = json_dumps(v, JSON_ENCODE_ANY);
    json_decref(root);
    return out;
}

static void set_str(char **slot, char *value)
{
    free(*slot);
    *slot = value;
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/*
** Rebuilds the state of opportunity id from its events alone (created,
** goal_done, field_set, field_cleared, advanced, won, lost, reassigned; an
** activity changes nothing by itself) and compares it with kanal_opp_get.
** Returns the number of events walked.
*/
static size_t check_rebuild(int64_t id)
{
    kanal_opp *o = get(id);
    kanal_history *h = NULL;
    OK(kanal_opp_history(k, id, &h, &err));
    if (!h) {
        kanal_opp_free(o);
        return 0;
    }
    const kanal_workflow *wf = o->wf;
    char *stage = NULL, *status = kanal_strdup(kanal_status_name(KANAL_OPEN)), *owner = NULL,
         *reason = NULL;
    char *closed = NULL, *entered = NULL, *created = NULL, *last = NULL;
    char **done = calloc(wf->n_goals + 1, sizeof *done);
    char **fields = calloc(wf->n_fields + 1, sizeof *fields);
    int problems = 0;
    for (size_t i = 0; i < h->n_events; i++) {
        const kanal_event *e = &h->events[i];
        const char *d = e->data;
        if (e->seq != (int64_t)i + 1 || !same(e->workflow, o->workflow) ||
            e->version != o->version || (last && strcmp(e->at, last) < 0)) {
            fprintf(stderr, "  opp %lld: event %zu out of order or of another version\n",
                    (long long)id, i);
            problems++;
        }
        set_str(&last, kanal_strdup(e->at));
        if (!strcmp(e->type, "created")) {
            set_str(&stage, jtext(d, "$.stage"));
            set_str(&owner, jtext(d, "$.owner"));
            set_str(&created, kanal_strdup(e->at));
            set_str(&entered, kanal_strdup(e->at));
            if (i != 0)
                problems++;
        } else if (!strcmp(e->type, "goal_done")) {
            char *g = jtext(d, "$.goal"), *gs = jtext(d, "$.stage");
            int gi = g ? kanal_workflow_goal_index(wf, g) : -1;
            if (gi < 0 || !same(gs, stage) || done[gi])
                problems++;
            else
                done[gi] = kanal_strdup(e->at);
            free(g);
            free(gs);
        } else if (!strcmp(e->type, "field_set") || !strcmp(e->type, "field_cleared")) {
            char *f = jtext(d, "$.field");
            int fi = f ? kanal_workflow_field_index(wf, f) : -1;
            char *prev = jtext(d, "$.previous");
            if (fi < 0 || !same(prev, fields[fi]))
                problems++;
            else
                set_str(&fields[fi], strcmp(e->type, "field_set") == 0 ? jtext(d, "$.value")
                                                                       : NULL);
            free(f);
            free(prev);
        } else if (!strcmp(e->type, "advanced")) {
            char *from = jtext(d, "$.from");
            if (!same(from, stage))
                problems++;
            free(from);
            set_str(&stage, jtext(d, "$.to"));
            set_str(&entered, kanal_strdup(e->at));
        } else if (!strcmp(e->type, "won") || !strcmp(e->type, "lost")) {
            set_str(&status, kanal_strdup(e->type));
            set_str(&closed, kanal_strdup(e->at));
            set_str(&reason, jtext(d, "$.reason"));
        } else if (!strcmp(e->type, "reassigned")) {
            char *from = jtext(d, "$.from");
            if (!same(from, owner))
                problems++;
            free(from);
            set_str(&owner, jtext(d, "$.to"));
        } else if (strcmp(e->type, "activity") != 0) {
            fprintf(stderr, "  opp %lld: unknown event type '%s'\n", (long long)id, e->type);
            problems++;
        }
    }
    CHECK_INT(problems, 0);
    CHECK_STR(stage, o->stage);
    CHECK_STR(status, kanal_status_name(o->status));
    CHECK_STR(owner, o->owner);
    CHECK_STR(reason, o->lost_reason);
    CHECK_STR(closed, o->closed_at);
    CHECK_STR(entered, o->stage_entered_at);
    CHECK_STR(created, o->created_at);
    CHECK_STR(last, o->last_event_at);
    CHECK_INT(h->n_events, o->last_seq);
    int goals_differ = 0, fields_differ = 0;
    for (size_t g = 0; g < wf->n_goals; g++)
        if (!same(done[g], o->done_at[g])) {
            fprintf(stderr, "  opp %lld goal %s: log %s, state %s\n", (long long)id,
                    wf->goals[g].id, done[g] ? done[g] : "-", o->done_at[g] ? o->done_at[g] : "-");
            goals_differ++;
        }
    for (size_t f = 0; f < wf->n_fields; f++)
        if (!same(fields[f], o->fields[f])) {
            fprintf(stderr, "  opp %lld field %s: log %s, state %s\n", (long long)id,
                    wf->fields[f].id, fields[f] ? fields[f] : "-", o->fields[f] ? o->fields[f] : "-");
            fields_differ++;
        }
    CHECK_INT(goals_differ, 0);
    CHECK_INT(fields_differ, 0);
    size_t n = h->n_events;
    for (size_t g = 0; g < wf->n_goals; g++)
        free(done[g]);
    for (size_t f = 0; f < wf->n_fields; f++)
        free(fields[f]);
    free(done);
    free(fields);
    free(stage);
    free(status);
    free(owner);
    free(reason);
    free(closed);
    free(entered);
    free(created);
    free(last);
    kanal_opp_history_free(h);
    kanal_opp_free(o);
    return n;
}

/* ---- setting up ---------------------------------------------------------------------------- */

static const char *const sample_files[] = { "workflows/distributors.yaml",
                                            "workflows/wholesale.yaml",
                                            "workflows/referral_partners.yaml" };

static void test_init_and_workflows(void)
{
    /* an invalid admin id: nothing is created */
    kanal_error_clear(&err);
    CHECK_INT(kanal_init(&k, db_path, "Ada", NULL, 0, NULL, &err), KANAL_EINVALID);
    CHECK(access(db_path, F_OK) != 0);

    OK(kanal_init(&k, db_path, "ada", "Ada Admin", 0, NULL, &err));
    if (!k)
        exit(2);
    CHECK_STR(kanal_actor(k)->id, "ada");
    CHECK_STR(kanal_actor(k)->name, "Ada Admin");
    now_is("2026-03-01T08:00:00Z");
    CHECK_INT(kanal_now(k), T("2026-03-01T08:00:00Z"));

    kanal_diags d;
    kanal_diags_init(&d);
    kanal_applied *ap = NULL;
    OK(kanal_workflow_apply(k, sample_files, 3, &d, &ap, &err));
    CHECK_INT(d.count, 0);
    if (ap) {
        CHECK_STR(ap[0].workflow, "distributors");
        CHECK_INT(ap[0].version, 1);
        CHECK(ap[0].changed);
        CHECK_STR(ap[2].workflow, "referral_partners");
        CHECK(ap[2].changed);
    }
    free(ap);
    ap = NULL;
    /* the same content again: nothing new, the current version reported */
    char *before = snapshot();
    OK(kanal_workflow_apply(k, sample_files, 3, &d, &ap, &err));
    if (ap) {
        CHECK_INT(ap[1].version, 1);
        CHECK(!ap[1].changed);
        CHECK_STR(ap[1].workflow, "wholesale");
    }
    free(ap);
    ap = NULL;
    char *after = snapshot();
    CHECK_STR(after, before);
    free(before);
    free(after);

    /* one invalid file: nothing is applied */
    const char *mixed[] = { "workflows/wholesale.yaml", "tests/fixtures/invalid/01_yaml_syntax.yaml" };
    REFUSED(kanal_workflow_apply(k, mixed, 2, &d, &ap, &err), KANAL_EINVALID, "nothing was applied");
    CHECK(d.count > 0);
    CHECK(ap == NULL);
    kanal_diags_release(&d);
    kanal_diags_init(&d);
    const char *missing[] = { "workflows/no_such_file.yaml" };
    REFUSED(kanal_workflow_apply(k, missing, 1, &d, &ap, &err), KANAL_EINVALID, "nothing");
    CHECK(d.count == 1 && strstr(d.items[0].message, "cannot read the file"));
    kanal_diags_release(&d);
    kanal_diags_init(&d);
    const char *twice[] = { "workflows/wholesale.yaml", "workflows/wholesale.yaml" };
    REFUSED(kanal_workflow_apply(k, twice, 2, &d, &ap, &err), KANAL_EINVALID, "nothing");
    CHECK(d.count == 1 && strstr(d.items[0].message, "also defined in"));
    kanal_diags_release(&d);

    /* reading them back */
    const kanal_workflow *wf = NULL;
    const kanal_workflow_version *ver = NULL;
    OK(kanal_workflow_get(k, "distributors", 0, &wf, &ver, &err));
    if (wf && ver) {
        CHECK_STR(wf->id, "distributors");
        CHECK_INT(ver->version, 1);
        CHECK_STR(ver->applied_by, "ada");
        CHECK_STR(ver->source, "workflows/distributors.yaml");
        CHECK(strncmp(ver->hash, "fnv1a64:", 8) == 0);
    }
    REFUSED(kanal_workflow_get(k, "distributors", 7, &wf, &ver, &err), KANAL_ENOTFOUND,
            "workflow 'distributors' has no version 7 (the latest is v1)");
    REFUSED(kanal_workflow_get(k, "distributers", 0, &wf, &ver, &err), KANAL_ENOTFOUND,
            "unknown workflow 'distributers' (did you mean 'distributors'?)");
    kanal_table *t = NULL;
    OK(kanal_workflow_list(k, &t, &err));
    if (t) {
        CHECK_INT(kanal_table_rows(t), 3);
        CHECK_STR(kanal_table_name(t), "workflows");
    }
    kanal_table_free(t);
}

static void test_users(void)
{
    OK(kanal_user_add(k, "mia", "Mia Manager", "manager", &err));
    OK(kanal_user_add(k, "marcin", "Marcin Nowak", "channel_rep", &err));
    OK(kanal_user_add(k, "piotr", "Piotr Wiśniewski", "channel_rep", &err));
    OK(kanal_user_add(k, "krzysztof", "Krzysztof Zając", "channel_rep, channel_rep", &err));
    OK(kanal_user_add(k, "dora", "Dora Direct", "direct_sales", &err));
    OK(kanal_user_add(k, "bob.admin", "Bob", "admin,manager", &err));

    REFUSED(kanal_user_add(k, "mia", "Mia Again", "manager", &err), KANAL_EREFUSED,
            "user 'mia' already exists (Mia Manager)");
    REFUSED(kanal_user_add(k, "Marcin", "M", "channel_rep", &err), KANAL_EINVALID,
            "invalid user id 'Marcin'");
    REFUSED(kanal_user_add(k, "", "M", "channel_rep", &err), KANAL_EINVALID, "invalid user id");
    REFUSED(kanal_user_add(k, "-x", "M", "channel_rep", &err), KANAL_EINVALID, "invalid user id");
    REFUSED(kanal_user_add(k, "x y", "M", "channel_rep", &err), KANAL_EINVALID, "invalid user id");
    REFUSED(kanal_user_add(k, "noname", "", "channel_rep", &err), KANAL_EINVALID,
            "a user needs a name");
    REFUSED(kanal_user_add(k, "noroles", "N", "", &err), KANAL_EINVALID,
            "a user needs at least one role");
    REFUSED(kanal_user_add(k, "noroles", "N", NULL, &err), KANAL_EINVALID, "at least one role");
    REFUSED(kanal_user_add(k, "badrole", "B", "Channel-Rep", &err), KANAL_EINVALID,
            "invalid role 'Channel-Rep'");

    /* the internal check behind user ids */
    CHECK(engine_user_id_valid("marcin"));
    CHECK(engine_user_id_valid("j.kowalski-2_x"));
    CHECK(engine_user_id_valid("007"));
    CHECK(!engine_user_id_valid("Marcin"));
    CHECK(!engine_user_id_valid(".x"));
    CHECK(!engine_user_id_valid("łukasz"));
    char long_id[KANAL_ID_MAX + 2];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    CHECK(!engine_user_id_valid(long_id));
    long_id[KANAL_ID_MAX] = '\0';
    CHECK(engine_user_id_valid(long_id));

    /* only an admin manages users and applies workflows */
    as("mia");
    REFUSED(kanal_user_add(k, "eve", "Eve", "channel_rep", &err), KANAL_EREFUSED,
            "only an admin may add users (you are 'mia')");
    REFUSED(kanal_user_deactivate(k, "marcin", &err), KANAL_EREFUSED, "only an admin");
    kanal_diags d;
    kanal_diags_init(&d);
    kanal_applied *ap = NULL;
    REFUSED(kanal_workflow_apply(k, sample_files, 1, &d, &ap, &err), KANAL_EREFUSED,
            "only an admin may apply workflows");
    kanal_diags_release(&d);

    /* the acting user must exist and be active */
    REFUSED(kanal_set_actor(k, "ghost", &err), KANAL_ENOTFOUND, "unknown user 'ghost'");
    CHECK_STR(kanal_actor(k)->id, "mia"); /* unchanged */
    as("ada");
    OK(kanal_user_add(k, "olek", "Olek Old", "channel_rep", &err));
    OK(kanal_user_deactivate(k, "olek", &err));
    REFUSED(kanal_user_deactivate(k, "olek", &err), KANAL_EREFUSED, "already deactivated");
    REFUSED(kanal_user_deactivate(k, "ghost", &err), KANAL_ENOTFOUND, "unknown user 'ghost'");
    REFUSED(kanal_set_actor(k, "olek", &err), KANAL_EREFUSED, "user 'olek' is deactivated");
    REFUSED(kanal_user_add(k, "olek", "Olek", "channel_rep", &err), KANAL_EREFUSED,
            "already exists (Olek Old, deactivated)");
    /* the last active admin stays */
    OK(kanal_user_deactivate(k, "bob.admin", &err));
    REFUSED(kanal_user_deactivate(k, "ada", &err), KANAL_EREFUSED,
            "'ada' is the last active admin");

    kanal_table *t = NULL;
    OK(kanal_user_list(k, &t, &err));
    if (t) {
        CHECK_INT(kanal_table_rows(t), 8);
        int roles = kanal_table_column_index(t, "roles");
        int active = kanal_table_column_index(t, "active");
        for (size_t r = 0; r < kanal_table_rows(t); r++) {
            if (!strcmp(kanal_table_cell(t, r, 0), "bob.admin")) {
                CHECK_STR(kanal_table_cell(t, r, (size_t)roles), "admin\nmanager");
                CHECK_STR(kanal_table_cell(t, r, (size_t)active), "false");
            }
            if (!strcmp(kanal_table_cell(t, r, 0), "krzysztof"))
                CHECK_STR(kanal_table_cell(t, r, (size_t)roles), "channel_rep");
        }
    }
    kanal_table_free(t);
}

/* ---- partners and creating opportunities -------------------------------------------------- */

static int64_t pABC, pShop, pDora, oABC;

static void test_partners(void)
{
    as("marcin");
    pABC = add_partner("Hurtownia ABC", "distributor");
    CHECK(pABC > 0);
    REFUSED(kanal_partner_add(k, &(kanal_partner_fields){ .name = "  hurtownia   ABC ",
                                                          .type = "distributor" },
                              &(int64_t){ 0 }, &err),
            KANAL_EREFUSED, "partner 'Hurtownia ABC' already exists (id");
    REFUSED(kanal_partner_add(k, &(kanal_partner_fields){ .name = "HURTOWNIA ABC", .type = "shop" },
                              &(int64_t){ 0 }, &err),
            KANAL_EREFUSED, "owned by nobody");
    REFUSED(kanal_partner_add(k, &(kanal_partner_fields){ .name = "", .type = "shop" },
                              &(int64_t){ 0 }, &err),
            KANAL_EINVALID, "a partner needs a name");
    REFUSED(kanal_partner_add(k, &(kanal_partner_fields){ .name = "   ", .type = "shop" },
                              &(int64_t){ 0 }, &err),
            KANAL_EINVALID, "a partner needs a name");
    REFUSED(kanal_partner_add(k, &(kanal_partner_fields){ .name = "Bad \xff", .type = "shop" },
                              &(int64_t){ 0 }, &err),
            KANAL_EINVALID, "not valid UTF-8");
    REFUSED(kanal_partner_add(k, &(kanal_partner_fields){ .name = "X", .type = NULL },
                              &(int64_t){ 0 }, &err),
            KANAL_EINVALID, "a partner needs a type");
    REFUSED(kanal_partner_add(k, &(kanal_partner_fields){ .name = "X", .type = "Shop" },
                              &(int64_t){ 0 }, &err),
            KANAL_EINVALID, "invalid partner type 'Shop'");
    REFUSED(kanal_partner_add(k, &(kanal_partner_fields){ .name = "X", .type = "distributer" },
                              &(int64_t){ 0 }, &err),
            KANAL_EINVALID, "unknown partner type 'distributer' (did you mean 'distributor'?)");
    REFUSED(kanal_partner_add(k, &(kanal_partner_fields){ .name = "X", .type = "shop",
                                                          .email = "not an email" },
                              &(int64_t){ 0 }, &err),
            KANAL_EINVALID, "invalid e-mail address");
    REFUSED(kanal_partner_add(k, &(kanal_partner_fields){ .name = "X", .type = "shop",
                                                          .owner = "piotr" },
                              &(int64_t){ 0 }, &err),
            KANAL_EREFUSED, "only a manager may give a partner to someone else");

    /* Polish letters: the same name in another case is the same partner */
    int64_t lodz = add_partner("Hurtownia Łódź-Żabka", "wholesaler");
    REFUSED(kanal_partner_add(k, &(kanal_partner_fields){ .name = "HURTOWNIA ŁÓDŹ-ŻABKA",
                                                          .type = "wholesaler" },
                              &(int64_t){ 0 }, &err),
            KANAL_EREFUSED, "partner 'Hurtownia Łódź-Żabka' already exists");
    CHECK(lodz > pABC);

    pShop = add_partner("Sklep Ola", "shop");

    /* a name made of digits ("4711", the cologne) is still a name: with no
       partner of that id, the exact name finds it */
    int64_t cologne = add_partner("4711", "shop");
    CHECK(cologne > 0 && cologne < 4711);
    kanal_partner_view *num = NULL;
    kanal_error_clear(&err);
    CHECK_INT(kanal_partner_get(k, "4711", &num, &err), KANAL_OK);
    if (num)
        CHECK_INT(num->partner.id, cologne);
    else
        fprintf(stderr, "  partner '4711': %s\n", err.message);
    kanal_partner_free(num);

    /* by id, by exact name, a hint when only the case differs */
    kanal_partner_view *v = NULL;
    OK(kanal_partner_get(k, "Hurtownia ABC", &v, &err));
    if (v) {
        CHECK_INT(v->partner.id, pABC);
        CHECK(v->partner.owner == NULL);
        CHECK_INT(v->n_open_opps, 0);
    }
    kanal_partner_free(v);
    v = NULL;
    char idtext[32];
    snprintf(idtext, sizeof idtext, "%lld", (long long)pShop);
    OK(kanal_partner_get(k, idtext, &v, &err));
    if (v)
        CHECK_STR(v->partner.name, "Sklep Ola");
    kanal_partner_free(v);
    v = NULL;
    /* a name in another case is the partner's when one matches */
    OK(kanal_partner_get(k, "hurtownia abc", &v, &err));
    if (v)
        CHECK_STR(v->partner.name, "Hurtownia ABC");
    kanal_partner_free(v);
    v = NULL;
    REFUSED(kanal_partner_get(k, "hurtownia abcd", &v, &err), KANAL_ENOTFOUND,
            "no partner 'hurtownia abcd'");
    REFUSED(kanal_partner_get(k, "999", &v, &err), KANAL_ENOTFOUND, "no partner '999'");
    CHECK(v == NULL);
    kanal_partner_free(NULL);

    /* a manager may give a partner to someone, but only to an active user */
    as("mia");
    int64_t given = 0;
    OK(kanal_partner_add(k, &(kanal_partner_fields){ .name = "Dla Piotra", .type = "agency",
                                                     .owner = "piotr", .city = "Kraków" },
                         &given, &err));
    REFUSED(kanal_partner_add(k, &(kanal_partner_fields){ .name = "Y", .type = "agency",
                                                          .owner = "ghost" },
                              &(int64_t){ 0 }, &err),
            KANAL_ENOTFOUND, "unknown user 'ghost'");
    REFUSED(kanal_partner_add(k, &(kanal_partner_fields){ .name = "Y", .type = "agency",
                                                          .owner = "olek" },
                              &(int64_t){ 0 }, &err),
            KANAL_EREFUSED, "user 'olek' is deactivated");
    kanal_table *t = NULL;
    OK(kanal_partner_list(k, "piotr", NULL, &t, &err));
    if (t) {
        CHECK_INT(kanal_table_rows(t), 1);
        CHECK_STR(kanal_table_cell(t, 0, 1), "Dla Piotra");
        CHECK_INT(kanal_table_filters(t), 1);
    }
    kanal_table_free(t);
    t = NULL;
    OK(kanal_partner_list(k, NULL, "distributor", &t, &err));
    if (t)
        CHECK_INT(kanal_table_rows(t), 1);
    kanal_table_free(t);

    as("dora");
    pDora = add_partner("Dystrybucja Dory", "distributor");
}

static void test_create(void)
{
    as("marcin");
    now_is("2026-03-01T08:00:00Z");
    oABC = new_opp("Hurtownia ABC", "distributors");
    CHECK(oABC > 0);
    kanal_opp *o = get(oABC);
    CHECK_INT(o->status, KANAL_OPEN);
    CHECK_STR(o->stage, "awareness");
    CHECK_INT(o->stage_index, 0);
    CHECK_STR(o->owner, "marcin");
    CHECK_STR(o->workflow, "distributors");
    CHECK_INT(o->version, 1);
    CHECK_STR(o->partner.name, "Hurtownia ABC");
    CHECK_STR(o->partner.owner, "marcin"); /* claimed */
    CHECK_STR(o->created_at, "2026-03-01T08:00:00Z");
    CHECK_STR(o->stage_entered_at, "2026-03-01T08:00:00Z");
    CHECK(o->closed_at == NULL);
    CHECK(o->lost_reason == NULL);
    CHECK_INT(o->last_seq, 1);
    kanal_opp_free(o);
    kanal_history *h = NULL;
    OK(kanal_opp_history(k, oABC, &h, &err));
    if (h && h->n_events == 1) {
        CHECK_STR(h->events[0].type, "created");
        CHECK_STR(h->events[0].actor, "marcin");
        CHECK(strstr(h->events[0].data, "\"partner_claimed\":true") != NULL);
    }
    kanal_opp_history_free(h);

    /* the partner is marcin's now: the duplicate names him */
    REFUSED(kanal_partner_add(k, &(kanal_partner_fields){ .name = "hurtownia abc", .type = "shop" },
                              &(int64_t){ 0 }, &err),
            KANAL_EREFUSED, "owned by marcin (Marcin Nowak)");
    int64_t id = 0;
    /* one open opportunity per partner and workflow */
    REFUSED(kanal_opp_create(k, "Hurtownia ABC", "distributors", NULL, NULL, &id, &err),
            KANAL_EREFUSED,
            "partner 'Hurtownia ABC' already has an open opportunity in workflow 'distributors'");
    /* the partner's type must fit the workflow */
    REFUSED(kanal_opp_create(k, "Sklep Ola", "distributors", NULL, NULL, &id, &err), KANAL_EREFUSED,
            "partner 'Sklep Ola' is of type 'shop'; workflow 'distributors' takes distributor, "
            "wholesaler");
    REFUSED(kanal_opp_create(k, "Sklep Ola", "distributor", NULL, NULL, &id, &err), KANAL_ENOTFOUND,
            "unknown workflow 'distributor' (did you mean 'distributors'?)");
    REFUSED(kanal_opp_create(k, "Sklep Nikt", "wholesale", NULL, NULL, &id, &err), KANAL_ENOTFOUND,
            "no partner 'Sklep Nikt'");
    REFUSED(kanal_opp_create(k, "sklep olaf", "wholesale", NULL, NULL, &id, &err), KANAL_ENOTFOUND,
            "no partner 'sklep olaf'");
    REFUSED(kanal_opp_create(k, "Sklep Ola", "wholesale", "piotr", NULL, &id, &err), KANAL_EREFUSED,
            "only a manager may create opportunities for someone else");
    REFUSED(kanal_opp_create(k, "Sklep Ola", "wholesale", NULL, "2026-03-02T08:00Z", &id, &err),
            KANAL_EINVALID, "is in the future");
    REFUSED(kanal_opp_create(k, "Sklep Ola", "wholesale", NULL, "2026-02-30", &id, &err),
            KANAL_EINVALID, "invalid time '2026-02-30'");

    /* two reps never work the same partner */
    as("piotr");
    REFUSED(kanal_opp_create(k, "Hurtownia ABC", "distributors", NULL, NULL, &id, &err),
            KANAL_EREFUSED,
            "partner 'Hurtownia ABC' is owned by marcin (Marcin Nowak): two reps never work the "
            "same partner");
    /* a direct-sales rep is kept out of partner acquisition */
    as("dora");
    REFUSED(kanal_opp_create(k, "Dystrybucja Dory", "distributors", NULL, NULL, &id, &err),
            KANAL_EREFUSED,
            "'dora' may not own opportunities of workflow 'distributors': it needs the role "
            "channel_rep ('dora' has direct_sales)");
    /* a manager creates for a rep; the owner must fit and be active */
    as("mia");
    REFUSED(kanal_opp_create(k, "Sklep Ola", "wholesale", "ghost", NULL, &id, &err),
            KANAL_ENOTFOUND, "unknown user 'ghost'");
    REFUSED(kanal_opp_create(k, "Sklep Ola", "wholesale", "olek", NULL, &id, &err),
            KANAL_EREFUSED, "user 'olek' is deactivated");
    REFUSED(kanal_opp_create(k, "Dla Piotra", "referral_partners", "dora", NULL, &id, &err),
            KANAL_EREFUSED, "needs the role channel_rep");
    REFUSED(kanal_opp_create(k, "Dla Piotra", "referral_partners", "marcin", NULL, &id, &err),
            KANAL_EREFUSED, "is owned by piotr (Piotr Wiśniewski)");
    int64_t forPiotr = 0;
    OK(kanal_opp_create(k, "Dla Piotra", "referral_partners", "piotr", "2026-03-01T07:00+01:00",
                        &forPiotr, &err));
    o = get(forPiotr);
    CHECK_STR(o->owner, "piotr");
    CHECK_STR(o->created_at, "2026-03-01T06:00:00Z");
    kanal_opp_free(o);
}

/* ---- stepping one opportunity through distributors ------------------------------------------- */

static void test_permissions(void)
{
    as("piotr");
    kanal_opp *o = NULL;
    bool already;
    REFUSED(kanal_opp_get(k, oABC, &o, &err), KANAL_EREFUSED,
            "belongs to 'marcin': you ('piotr') see only your own");
    CHECK(o == NULL);
    REFUSED(kanal_opp_done(k, oABC, "first_contact", NULL, 0, NULL, NULL, &already, &err),
            KANAL_EREFUSED, "belongs to 'marcin': only its owner or a manager may change it");
    REFUSED(kanal_opp_log(k, oABC, "call", NULL, NULL, NULL, &err), KANAL_EREFUSED,
            "only its owner or a manager");
    REFUSED(kanal_opp_set(k, oABC, (const char *[]){ "regions=x" }, 1, NULL, &err),
            KANAL_EREFUSED, "only its owner or a manager");
    REFUSED(kanal_opp_advance(k, oABC, NULL, &err), KANAL_EREFUSED, "only its owner");
    REFUSED(kanal_opp_win(k, oABC, NULL, &err), KANAL_EREFUSED, "only its owner");
    REFUSED(kanal_opp_lose(k, oABC, "competitor", NULL, NULL, &err), KANAL_EREFUSED,
            "only its owner");
    kanal_next *n = NULL;
    REFUSED(kanal_next_get(k, oABC, &n, &err), KANAL_EREFUSED, "you ('piotr') see only your own");
    CHECK(n == NULL);
    kanal_history *h = NULL;
    REFUSED(kanal_opp_history(k, oABC, &h, &err), KANAL_EREFUSED, "see only your own");
    CHECK(h == NULL);
    REFUSED(kanal_opp_get(k, 999999, &o, &err), KANAL_ENOTFOUND, "no opportunity 999999");
    REFUSED(kanal_opp_done(k, 999999, "x", NULL, 0, NULL, NULL, &already, &err), KANAL_ENOTFOUND,
            "no opportunity 999999");

    /* an admin sees, but does not step, a rep's opportunity */
    as("ada");
    o = get(oABC);
    kanal_opp_free(o);
    REFUSED(kanal_opp_log(k, oABC, "call", NULL, NULL, NULL, &err), KANAL_EREFUSED,
            "only its owner or a manager");

    /* lists: a rep sees only his own */
    as("piotr");
    kanal_table *t = NULL;
    OK(kanal_opp_list(k, &(kanal_opp_filter){ 0 }, &t, &err));
    if (t) {
        CHECK_INT(kanal_table_rows(t), 1);
        CHECK_STR(kanal_table_cell(t, 0, 4), "piotr");
    }
    kanal_table_free(t);
    t = NULL;
    REFUSED(kanal_opp_list(k, &(kanal_opp_filter){ .owner = "marcin" }, &t, &err), KANAL_EREFUSED,
            "you ('piotr') see only your own opportunities");
    REFUSED(kanal_opp_list(k, &(kanal_opp_filter){ .owner = "marcin", .mine = true }, &t, &err),
            KANAL_EUSAGE, "your own opportunities and those of 'marcin' contradict");
    REFUSED(kanal_opp_list(k, &(kanal_opp_filter){ .status = "closed" }, &t, &err), KANAL_EUSAGE,
            "invalid status 'closed'");
    CHECK(t == NULL);
    as("mia");
    OK(kanal_opp_list(k, &(kanal_opp_filter){ .workflow = "distributors" }, &t, &err));
    if (t)
        CHECK_INT(kanal_table_rows(t), 1);
    kanal_table_free(t);
}

/* distributors v1, the definition oABC runs on (borrowed from the handle). */
static const kanal_workflow *dist_v1(void)
{
    static const kanal_workflow *wf;
    if (!wf) {
        kanal_error e;
        if (kanal_workflow_get(k, "distributors", 1, &wf, NULL, &e)) {
            fprintf(stderr, "no distributors v1: %s\n", e.message);
            exit(2);
        }
    }
    return wf;
}

static void test_awareness(void)
{
    as("marcin");
    now_is("2026-03-01T08:00:00Z");
    bool already = false;
    int64_t id = oABC;
    char stage_msg[256];

    kanal_next *n = NULL;
    OK(kanal_next_get(k, id, &n, &err));
    if (n) {
        CHECK_INT(n->n_goals, 2);
        CHECK_INT(n->goals[0].goal, goal_ix(n->opp, "first_contact"));
        CHECK_INT(n->goals[1].goal, goal_ix(n->opp, "classify"));
        CHECK(n->goals[0].ready);
        CHECK(!n->goals[0].done);
        CHECK_INT(n->goals[1].n_missing_fields, 1);
        CHECK_INT(n->n_outstanding, 2);
        CHECK(!n->can_advance);
        CHECK(!n->can_win);
        CHECK_INT(n->next_goal, goal_ix(n->opp, "first_contact"));
        CHECK_INT(n->days_in_stage, 0);
        CHECK(!n->stale);
    }
    kanal_next_free(n);
    kanal_next_free(NULL);

    REFUSED(kanal_opp_advance(k, id, NULL, &err), KANAL_EREFUSED,
            "mandatory goals of stage 'awareness' not done: first_contact, classify");
    snprintf(stage_msg, sizeof stage_msg,
             "opportunity %lld is in stage 'awareness': it can be won only from the last stage, "
             "'launch'",
             (long long)id);
    REFUSED(kanal_opp_win(k, id, NULL, &err), KANAL_EREFUSED, stage_msg);
    snprintf(stage_msg, sizeof stage_msg,
             "goal 'send_materials' belongs to stage 'proposal'; opportunity %lld is in stage "
             "'awareness'",
             (long long)id);
    REFUSED(kanal_opp_done(k, id, "send_materials", NULL, 0, NULL, NULL, &already, &err),
            KANAL_EREFUSED, stage_msg);
    REFUSED(kanal_opp_done(k, id, "frist_contact", NULL, 0, NULL, NULL, &already, &err),
            KANAL_ENOTFOUND, "unknown goal 'frist_contact' in workflow 'distributors' (did you mean "
                             "'first_contact'?)");
    REFUSED(kanal_opp_done(k, id, "zzz", NULL, 0, NULL, NULL, &already, &err), KANAL_ENOTFOUND,
            "(the goals of stage 'awareness': first_contact, classify)");
    REFUSED(kanal_opp_done(k, id, "classify", NULL, 0, NULL, NULL, &already, &err), KANAL_EREFUSED,
            "goal 'classify' needs cooperation_form set first");
    /* what to do is advice, each front end words it (the CLI: --set cooperation_form=VALUE) */
    CHECK_INT(err.advice, KANAL_ADVICE_SET_FIELD);
    CHECK_STR(err.advice_arg, "cooperation_form");
    const char *bad_enum[] = { "cooperation_form=resal" };
    REFUSED(kanal_opp_done(k, id, "classify", bad_enum, 1, NULL, NULL, &already, &err),
            KANAL_EINVALID, "(did you mean 'resale'?)");
    /* a valid set, but the goal still misses its field: the set is undone too */
    const char *other[] = { "regions=Mazowsze" };
    REFUSED(kanal_opp_done(k, id, "classify", other, 1, NULL, NULL, &already, &err),
            KANAL_EREFUSED, "needs cooperation_form set first");
    const char *unknown_f[] = { "cooperation_form=resale", "nofield=1" };
    REFUSED(kanal_opp_done(k, id, "classify", unknown_f, 2, NULL, NULL, &already, &err),
            KANAL_ENOTFOUND, "unknown field 'nofield' in workflow 'distributors'");
    const char *no_eq[] = { "cooperation_form" };
    REFUSED(kanal_opp_done(k, id, "classify", no_eq, 1, NULL, NULL, &already, &err), KANAL_EUSAGE,
            "expected FIELD=VALUE, got 'cooperation_form'");
    const char *no_name[] = { "=resale" };
    REFUSED(kanal_opp_done(k, id, "classify", no_name, 1, NULL, NULL, &already, &err), KANAL_EUSAGE,
            "expected FIELD=VALUE");
    REFUSED(kanal_opp_log(k, id, "visit", NULL, NULL, NULL, &err), KANAL_ENOTFOUND,
            "unknown activity type 'visit' in workflow 'distributors'");
    REFUSED(kanal_opp_log(k, id, "cal", NULL, NULL, NULL, &err), KANAL_ENOTFOUND,
            "(did you mean 'call'?)");
    REFUSED(kanal_opp_set(k, id, NULL, 0, NULL, &err), KANAL_EUSAGE, "nothing to set");

    /* a call completes first_contact; the time is given with an offset */
    long long ev = count_events(id);
    kanal_log_result *r = NULL;
    OK(kanal_opp_log(k, id, "call", "Spoke to the owner", "2026-03-01T09:00+01:00", &r, &err));
    if (r) {
        CHECK_INT(r->n_completed, 1);
        if (r->n_completed == 1)
            CHECK_INT(r->completed[0], (size_t)kanal_workflow_goal_index(dist_v1(), "first_contact"));
        CHECK_INT(r->n_not_completed, 0);
    }
    kanal_log_result_free(r);
    kanal_log_result_free(NULL);
    CHECK_INT(count_events(id), ev + 2); /* the activity and the goal */
    kanal_opp *o = get(id);
    CHECK_STR(done_at(o, "first_contact"), "2026-03-01T08:00:00Z");
    CHECK_STR(o->last_event_at, "2026-03-01T08:00:00Z");
    kanal_opp_free(o);

    /* times: never before the latest event, never in the future */
    now_is("2026-03-02T10:00:00Z");
    REFUSED(kanal_opp_log(k, id, "call", NULL, "2026-03-01T07:59:59Z", NULL, &err), KANAL_EREFUSED,
            "time 2026-03-01T07:59:59Z is before the latest event of opportunity");
    REFUSED(kanal_opp_log(k, id, "call", NULL, "2026-03-01T08:30+01:00", NULL, &err),
            KANAL_EREFUSED, "is before the latest event");
    REFUSED(kanal_opp_log(k, id, "call", NULL, "2026-03-02T10:01:01Z", NULL, &err), KANAL_EINVALID,
            "time '2026-03-02T10:01:01Z' is in the future (now is 2026-03-02T10:00:00Z)");
    REFUSED(kanal_opp_log(k, id, "call", NULL, "yesterday", NULL, &err), KANAL_EINVALID,
            "invalid time 'yesterday'");
    REFUSED(kanal_opp_set(k, id, (const char *[]){ "regions=x" }, 1, "2026-02-28", &err),
            KANAL_EREFUSED, "before the latest event");

    /* done with --set: the sets and the goal in one step; canonical values */
    const char *sets[] = { "cooperation_form=resale", "margin_pct=12.50" };
    done_ok(id, "classify", sets, 2, "Resale only", "2026-03-02T09:00:00Z");
    o = get(id);
    CHECK_STR(field_of(o, "cooperation_form"), "resale");
    CHECK_STR(field_of(o, "margin_pct"), "12.5");
    CHECK_STR(done_at(o, "classify"), "2026-03-02T09:00:00Z");
    kanal_opp_free(o);

    /* a goal already done: nothing changes, and that is not an error */
    char *before = snapshot();
    already = false;
    OK(kanal_opp_done(k, id, "classify", NULL, 0, NULL, NULL, &already, &err));
    CHECK(already);
    already = false;
    OK(kanal_opp_done(k, id, "first_contact", (const char *[]){ "regions=ignored" }, 1, NULL, NULL,
                      &already, &err));
    CHECK(already);
    char *after = snapshot();
    CHECK_STR(after, before);
    free(before);
    free(after);

    /* set: only what changes is recorded; every value is checked first */
    ev = count_events(id);
    OK(kanal_opp_set(k, id, (const char *[]){ "regions=Mazowsze", "margin_pct=12.5" }, 2, NULL,
                     &err));
    CHECK_INT(count_events(id), ev + 1);
    REFUSED(kanal_opp_set(k, id, (const char *[]){ "regions=Łódzkie", "margin_pct=41" }, 2, NULL,
                          &err),
            KANAL_EINVALID, "value 41 for field 'margin_pct' is above its maximum 40");
    REFUSED(kanal_opp_set(k, id, (const char *[]){ "launch_date=2026-02-30" }, 1, NULL, &err),
            KANAL_EINVALID, "February 2026 has no day 30");
    REFUSED(kanal_opp_set(k, id, (const char *[]){ "first_order_value=-1" }, 1, NULL, &err),
            KANAL_EINVALID, "below its minimum 0");
    REFUSED(kanal_opp_set(k, id, (const char *[]){ "regionz=x" }, 1, NULL, &err), KANAL_ENOTFOUND,
            "unknown field 'regionz' in workflow 'distributors' (did you mean 'regions'?)");
    /* an empty value clears */
    OK(kanal_opp_set(k, id, (const char *[]){ "margin_pct=", "launch_date=2026-04-01" }, 2, NULL,
                     &err));
    OK(kanal_opp_set(k, id, (const char *[]){ "launch_date=" }, 1, NULL, &err));
    o = get(id);
    CHECK(field_of(o, "margin_pct") == NULL);
    CHECK(field_of(o, "launch_date") == NULL);
    CHECK_STR(field_of(o, "regions"), "Mazowsze");
    kanal_opp_free(o);
    /* clearing what is not set records nothing */
    ev = count_events(id);
    OK(kanal_opp_set(k, id, (const char *[]){ "launch_date=" }, 1, NULL, &err));
    CHECK_INT(count_events(id), ev);

    OK(kanal_next_get(k, id, &n, &err));
    if (n) {
        CHECK(n->can_advance);
        CHECK_INT(n->n_outstanding, 0);
        CHECK_INT(n->next_goal, -1);
        CHECK_INT(n->days_in_stage, 1);
    }
    kanal_next_free(n);
    kanal_table *t = NULL;
    OK(kanal_opp_agenda(k, &t, &err));
    if (t) {
        CHECK_INT(kanal_table_rows(t), 1);
        CHECK_STR(kanal_table_cell(t, 0, (size_t)kanal_table_column_index(t, "next_goal")),
                  NULL);
        CHECK_STR(kanal_table_cell(t, 0, (size_t)kanal_table_column_index(t, "next_step")),
                  "advance");
    }
    kanal_table_free(t);

    OK(kanal_opp_advance(k, id, NULL, &err));
    o = get(id);
    CHECK_STR(o->stage, "proposal");
    CHECK_INT(o->stage_index, 1);
    CHECK_STR(o->stage_entered_at, "2026-03-02T10:00:00Z");
    kanal_opp_free(o);
}

static void test_proposal_and_launch(void)
{
    as("marcin");
    int64_t id = oABC;
    bool already;
    now_is("2026-03-03T10:00:00Z");

    /* a call before the materials: recorded, but it completes nothing */
    long long acts = count_activities(id);
    long long ev = count_events(id);
    kanal_log_result *r = NULL;
    OK(kanal_opp_log(k, id, "call", NULL, "2026-03-03T08:00Z", &r, &err));
    const kanal_workflow *wf = dist_v1();
    if (r) {
        CHECK_INT(r->n_completed, 0);
        CHECK_INT(r->n_not_completed, 1);
        if (r->n_not_completed == 1) {
            CHECK_INT(r->not_completed[0].goal, kanal_workflow_goal_index(wf, "proposal_call"));
            CHECK_INT(r->not_completed[0].n_blocked_by, 1);
            if (r->not_completed[0].n_blocked_by == 1)
                CHECK_INT(r->not_completed[0].blocked_by[0],
                          kanal_workflow_goal_index(wf, "send_materials"));
            CHECK_INT(r->not_completed[0].n_missing_fields, 0);
        }
    }
    kanal_log_result_free(r);
    CHECK_INT(count_activities(id), acts + 1);
    CHECK_INT(count_events(id), ev + 1);
    /* out may be NULL */
    OK(kanal_opp_log(k, id, "meeting", "coffee", "2026-03-03T08:30Z", NULL, &err));

    REFUSED(kanal_opp_done(k, id, "proposal_call", NULL, 0, NULL, NULL, &already, &err),
            KANAL_EREFUSED, "goal 'proposal_call' must wait for: send_materials");
    REFUSED(kanal_opp_done(k, id, "offer_accepted", (const char *[]){ "margin_pct=17" }, 1, NULL,
                           NULL, &already, &err),
            KANAL_EREFUSED, "goal 'offer_accepted' must wait for: proposal_call");

    kanal_next *n = NULL;
    OK(kanal_next_get(k, id, &n, &err));
    if (n && n->n_goals == 4) {
        const char *order[] = { "send_materials", "proposal_call", "offer_accepted", "sample_order" };
        for (int i = 0; i < 4; i++)
            CHECK_INT(n->goals[i].goal, kanal_workflow_goal_index(wf, order[i]));
        CHECK(n->goals[0].ready);
        CHECK(!n->goals[1].ready);
        CHECK_INT(n->goals[1].n_blocked_by, 1);
        CHECK_INT(n->goals[2].n_blocked_by, 1);
        CHECK_INT(n->goals[2].n_missing_fields, 1);
        if (n->goals[2].n_missing_fields == 1)
            CHECK_INT(n->goals[2].missing_fields[0], kanal_workflow_field_index(wf, "margin_pct"));
        CHECK(n->goals[3].ready);
        CHECK_INT(n->n_outstanding, 3);
        CHECK_INT(n->next_goal, kanal_workflow_goal_index(wf, "send_materials"));
        CHECK_INT(n->days_in_stage, 1);
    } else {
        CHECK(n && n->n_goals == 4);
    }
    kanal_next_free(n);

    /* the e-mail, then the call: each completes its goal */
    CHECK_INT(log_ok(id, "email", "2026-03-03T09:00Z"), 1);
    CHECK_INT(log_ok(id, "call", "2026-03-03T09:30Z"), 1);
    REFUSED(kanal_opp_advance(k, id, NULL, &err), KANAL_EREFUSED,
            "mandatory goal of stage 'proposal' not done: offer_accepted");
    REFUSED(kanal_opp_done(k, id, "offer_accepted", NULL, 0, NULL, NULL, &already, &err),
            KANAL_EREFUSED, "goal 'offer_accepted' needs margin_pct set first");
    done_ok(id, "offer_accepted", (const char *[]){ "margin_pct=17" }, 1, NULL, NULL);
    /* the optional sample order does not hold the opportunity back */
    OK(kanal_next_get(k, id, &n, &err));
    if (n) {
        CHECK(n->can_advance);
        CHECK_INT(n->next_goal, kanal_workflow_goal_index(wf, "sample_order"));
    }
    kanal_next_free(n);
    OK(kanal_opp_advance(k, id, "2026-03-03T10:00:00Z", &err));

    /* launch: the last stage */
    char msg[256];
    snprintf(msg, sizeof msg, "%lld", (long long)id);
    REFUSED(kanal_opp_advance(k, id, NULL, &err), KANAL_EREFUSED, "'launch' is the last stage");
    CHECK_INT(err.advice, KANAL_ADVICE_CLOSE);
    CHECK_STR(err.advice_arg, msg);
    REFUSED(kanal_opp_win(k, id, NULL, &err), KANAL_EREFUSED,
            "cannot win opportunity");
    REFUSED(kanal_opp_win(k, id, NULL, &err), KANAL_EREFUSED,
            "mandatory goals of stage 'launch' not done: contract_signed, first_order, activated");
    REFUSED(kanal_opp_done(k, id, "sample_order", NULL, 0, NULL, NULL, &already, &err),
            KANAL_EREFUSED, "belongs to stage 'proposal'");
    now_is("2026-03-20T10:00:00Z");
    done_ok(id, "contract_signed", NULL, 0, "signed in Łódź", "2026-03-10");
    REFUSED(kanal_opp_done(k, id, "activated", NULL, 0, NULL, NULL, &already, &err), KANAL_EREFUSED,
            "goal 'activated' must wait for: first_order");
    done_ok(id, "first_order", (const char *[]){ "first_order_value=15000.00" }, 1, NULL,
            "2026-03-15T12:00+02:00");
    done_ok(id, "activated", NULL, 0, NULL, NULL);
    kanal_opp *o = get(id);
    CHECK_STR(field_of(o, "first_order_value"), "15000");
    CHECK_STR(done_at(o, "first_order"), "2026-03-15T10:00:00Z");
    CHECK_STR(done_at(o, "activated"), "2026-03-20T10:00:00Z");
    CHECK(done_at(o, "sample_order") == NULL);
    kanal_opp_free(o);
    OK(kanal_next_get(k, id, &n, &err));
    if (n) {
        CHECK(!n->can_advance);
        CHECK(n->can_win);
        CHECK_INT(n->days_in_stage, 17);
        CHECK(!n->stale); /* 17 days of 21 */
    }
    kanal_next_free(n);
    OK(kanal_opp_win(k, id, NULL, &err));
    o = get(id);
    CHECK_INT(o->status, KANAL_WON);
    CHECK_STR(o->closed_at, "2026-03-20T10:00:00Z");
    CHECK(o->lost_reason == NULL);
    kanal_opp_free(o);

    /* closed: every change is refused */
    REFUSED(kanal_opp_done(k, id, "activated", NULL, 0, NULL, NULL, &already, &err),
            KANAL_EREFUSED, "is closed (won on 2026-03-20): it can no longer change");
    REFUSED(kanal_opp_set(k, id, (const char *[]){ "regions=x" }, 1, NULL, &err), KANAL_EREFUSED,
            "is closed");
    REFUSED(kanal_opp_log(k, id, "call", NULL, NULL, NULL, &err), KANAL_EREFUSED, "is closed");
    REFUSED(kanal_opp_advance(k, id, NULL, &err), KANAL_EREFUSED, "is closed");
    REFUSED(kanal_opp_win(k, id, NULL, &err), KANAL_EREFUSED, "is closed");
    REFUSED(kanal_opp_lose(k, id, "competitor", NULL, NULL, &err), KANAL_EREFUSED, "is closed");
    as("mia");
    REFUSED(kanal_opp_lose(k, id, "competitor", NULL, NULL, &err), KANAL_EREFUSED, "is closed");
    OK(kanal_next_get(k, id, &n, &err));
    if (n) {
        CHECK(!n->can_win);
        CHECK(!n->can_advance);
        CHECK(!n->stale);
    }
    kanal_next_free(n);
    as("marcin");

    /* the history, in order */
    kanal_history *h = NULL;
    OK(kanal_opp_history(k, id, &h, &err));
    if (h) {
        CHECK_INT(h->id, id);
        CHECK(h->n_events > 10);
        CHECK_STR(h->events[0].type, "created");
        CHECK_STR(h->events[h->n_events - 1].type, "won");
        int activities = 0, goals = 0;
        for (size_t i = 0; i < h->n_events; i++) {
            activities += !strcmp(h->events[i].type, "activity");
            goals += !strcmp(h->events[i].type, "goal_done");
            CHECK_STR(h->events[i].actor, "marcin");
        }
        CHECK_INT(activities, 5);
        CHECK_INT(goals, 8);
    }
    kanal_opp_history_free(h);
    /* the partner is marcin's still; the won opportunity is no longer open */
    kanal_partner_view *v = NULL;
    OK(kanal_partner_get(k, "Hurtownia ABC", &v, &err));
    if (v) {
        CHECK_STR(v->partner.owner, "marcin");
        CHECK_INT(v->n_open_opps, 0);
    }
    kanal_partner_free(v);
    check_rebuild(id);
}

/* ---- wholesale: fields that goals need, losing, a second try -------------------------------- */

static int64_t oShop;

static void test_wholesale_and_lose(void)
{
    as("marcin");
    now_is("2026-03-04T08:00:00Z");
    oShop = new_opp("Sklep Ola", "wholesale");
    const kanal_workflow *wf = NULL;
    OK(kanal_workflow_get(k, "wholesale", 0, &wf, NULL, &err));
    if (!wf)
        return;

    /* the e-mail is recorded, but price_list_sent needs its field first */
    kanal_log_result *r = NULL;
    OK(kanal_opp_log(k, oShop, "email", NULL, NULL, &r, &err));
    if (r) {
        CHECK_INT(r->n_completed, 0);
        CHECK_INT(r->n_not_completed, 1);
        if (r->n_not_completed == 1) {
            CHECK_INT(r->not_completed[0].goal, kanal_workflow_goal_index(wf, "price_list_sent"));
            CHECK_INT(r->not_completed[0].n_blocked_by, 0);
            CHECK_INT(r->not_completed[0].n_missing_fields, 1);
            if (r->not_completed[0].n_missing_fields == 1)
                CHECK_INT(r->not_completed[0].missing_fields[0],
                          kanal_workflow_field_index(wf, "price_list_version"));
        }
    }
    kanal_log_result_free(r);
    OK(kanal_opp_set(k, oShop, (const char *[]){ "price_list_version=2026/1", "exclusive=yes",
                                                "payment_days=+30" },
                     3, NULL, &err));
    kanal_opp *o = get(oShop);
    CHECK_STR(field_of(o, "exclusive"), "true");
    CHECK_STR(field_of(o, "payment_days"), "30");
    kanal_opp_free(o);
    CHECK_INT(log_ok(oShop, "email", NULL), 1);
    CHECK_INT(log_ok(oShop, "sample", NULL), 1); /* an optional goal */
    CHECK_INT(log_ok(oShop, "visit", NULL), 0); /* an activity that completes nothing here */
    REFUSED(kanal_opp_set(k, oShop, (const char *[]){ "payment_days=121" }, 1, NULL, &err),
            KANAL_EINVALID, "above its maximum 120");
    REFUSED(kanal_opp_set(k, oShop, (const char *[]){ "exclusive=maybe" }, 1, NULL, &err),
            KANAL_EINVALID, "expected true or false");
    REFUSED(kanal_opp_set(k, oShop, (const char *[]){ "skus_listed=2.5" }, 1, NULL, &err),
            KANAL_EINVALID, "expected a whole number");
    REFUSED(kanal_opp_advance(k, oShop, NULL, &err), KANAL_EREFUSED,
            "mandatory goal of stage 'contact' not done: buyer_reached");

    /* lose: a reason of the catalogue, a note where it needs one */
    REFUSED(kanal_opp_lose(k, oShop, NULL, NULL, NULL, &err), KANAL_ENOTFOUND,
            "unknown lost reason ''");
    REFUSED(kanal_opp_lose(k, oShop, "price", NULL, NULL, &err), KANAL_ENOTFOUND,
            "unknown lost reason 'price' in workflow 'wholesale'");
    REFUSED(kanal_opp_lose(k, oShop, "competitr", NULL, NULL, &err), KANAL_ENOTFOUND,
            "(did you mean 'competitor'?)");
    REFUSED(kanal_opp_lose(k, oShop, "other", NULL, NULL, &err), KANAL_EREFUSED,
            "lost reason 'other' needs a note");
    CHECK_INT(err.advice, KANAL_ADVICE_ADD_NOTE);
    REFUSED(kanal_opp_lose(k, oShop, "other", "", NULL, &err), KANAL_EREFUSED, "needs a note");
    REFUSED(kanal_opp_lose(k, oShop, "other", "x", "2026-03-03", &err), KANAL_EREFUSED,
            "before the latest event");
    OK(kanal_opp_lose(k, oShop, "other", "Owner retired", "2026-03-04T08:00:00Z", &err));
    o = get(oShop);
    CHECK_INT(o->status, KANAL_LOST);
    CHECK_STR(o->lost_reason, "other");
    CHECK_STR(o->closed_at, "2026-03-04T08:00:00Z");
    CHECK_STR(o->stage, "contact");
    kanal_opp_free(o);
    kanal_history *h = NULL;
    OK(kanal_opp_history(k, oShop, &h, &err));
    if (h && h->n_events) {
        const kanal_event *last = &h->events[h->n_events - 1];
        CHECK_STR(last->type, "lost");
        CHECK(strstr(last->data, "\"note\":\"Owner retired\"") != NULL);
        CHECK(strstr(last->summary, "reason=other") != NULL);
    }
    kanal_opp_history_free(h);
    check_rebuild(oShop);

    /* lost from any stage; the partner may be tried again */
    int64_t again = new_opp("Sklep Ola", "wholesale");
    CHECK(again != oShop);
    REFUSED(kanal_opp_create(k, "Sklep Ola", "wholesale", NULL, NULL, &(int64_t){ 0 }, &err),
            KANAL_EREFUSED, "already has an open opportunity");
    /* the required fields are judged once the --set values are applied: clearing
       one along with the goal leaves it missing */
    OK(kanal_opp_set(k, again, (const char *[]){ "price_list_version=v2" }, 1, NULL, &err));
    bool already = false;
    REFUSED(kanal_opp_done(k, again, "price_list_sent", (const char *[]){ "price_list_version=" }, 1,
                           NULL, NULL, &already, &err),
            KANAL_EREFUSED, "goal 'price_list_sent' needs price_list_version set first");
    o = get(again);
    CHECK_STR(field_of(o, "price_list_version"), "v2");
    CHECK(done_at(o, "price_list_sent") == NULL || field_of(o, "price_list_version") != NULL);
    kanal_opp_free(o);
    OK(kanal_opp_lose(k, again, "no_shelf_space", NULL, NULL, &err));
    check_rebuild(again);
}

/* ---- versions: an opportunity is pinned to the definition it was created with --------------- */

static int64_t oV1, oV2;

static void test_versions(void)
{
    /* v2 of distributors: awareness gains a mandatory meeting */
    char *text = NULL;
    size_t len = 0;
    CHECK_INT(kanal_read_file("workflows/distributors.yaml", SIZE_MAX, &text, &len), 0);
    if (!text)
        return;
    const char *anchor = "        requires_fields: [cooperation_form]\n";
    char *at = strstr(text, anchor);
    CHECK(at != NULL);
    if (!at) {
        free(text);
        return;
    }
    at += strlen(anchor);
    const char *v2_path = path_in("distributors_v2.yaml");
    FILE *f = fopen(v2_path, "w");
    fwrite(text, 1, (size_t)(at - text), f);
    fputs("      - id: intro_meeting\n        name: Introductory meeting\n"
          "        completed_by: meeting\n",
          f);
    fputs(at, f);
    fclose(f);
    free(text);
    /* its rules file beside it, when the sample has one */
    if (kanal_read_file("workflows/distributors.lua", SIZE_MAX, &text, &len) == 0) {
        f = fopen(path_in("distributors.lua"), "w");
        fwrite(text, 1, len, f);
        fclose(f);
        free(text);
    }

    as("mia");
    now_is("2026-03-05T08:00:00Z");
    oV1 = 0;
    OK(kanal_opp_create(k, "Hurtownia ABC", "distributors", "marcin", NULL, &oV1, &err));

    as("ada");
    kanal_diags d;
    kanal_diags_init(&d);
    kanal_applied *ap = NULL;
    const char *files[] = { v2_path };
    OK(kanal_workflow_apply(k, files, 1, &d, &ap, &err));
    if (ap) {
        CHECK_INT(ap[0].version, 2);
        CHECK(ap[0].changed);
    }
    free(ap);
    ap = NULL;
    OK(kanal_workflow_apply(k, files, 1, &d, &ap, &err));
    if (ap) {
        CHECK_INT(ap[0].version, 2);
        CHECK(!ap[0].changed);
    }
    free(ap);
    kanal_diags_release(&d);
    /* another handle on the same file, opened before: it sees the new version */
    kanal *k2 = NULL;
    OK(kanal_open(&k2, db_path, &err));
    if (k2) {
        kanal_set_now(k2, T("2026-03-05T08:00:00Z"));
        OK(kanal_set_actor(k2, "krzysztof", &err));
        kanal_partner_fields pf = { .name = "Hurtownia Drugiej Ręki", .type = "wholesaler" };
        int64_t pid = 0, oid = 0;
        OK(kanal_partner_add(k2, &pf, &pid, &err));
        OK(kanal_opp_create(k2, "Hurtownia Drugiej Ręki", "distributors", NULL, NULL, &oid, &err));
        kanal_opp *x = NULL;
        OK(kanal_opp_get(k2, oid, &x, &err));
        if (x) {
            CHECK_INT(x->version, 2);
            CHECK(goal_ix(x, "intro_meeting") >= 0);
        }
        kanal_opp_free(x);
        OK(kanal_opp_lose(k2, oid, "no_capacity", NULL, NULL, &err));
        kanal_close(k2);
    }

    /* the engine runs from the stored text, not from the files */
    remove(v2_path);
    remove(path_in("distributors.lua"));

    as("marcin");
    int64_t p2 = add_partner("Nowa Hurtownia", "wholesaler");
    CHECK(p2 > 0);
    oV2 = new_opp("Nowa Hurtownia", "distributors");
    kanal_opp *o1 = get(oV1), *o2 = get(oV2);
    CHECK_INT(o1->version, 1);
    CHECK_INT(o2->version, 2);
    CHECK_INT(goal_ix(o1, "intro_meeting"), -1);
    CHECK(goal_ix(o2, "intro_meeting") >= 0);
    kanal_opp_free(o1);
    kanal_opp_free(o2);

    /* v1 advances with its two goals; v2 needs the meeting too */
    const char *set[] = { "cooperation_form=implementation" };
    for (int i = 0; i < 2; i++) {
        int64_t id = i ? oV2 : oV1;
        CHECK_INT(log_ok(id, "call", NULL), 1);
        done_ok(id, "classify", set, 1, NULL, NULL);
    }
    OK(kanal_opp_advance(k, oV1, NULL, &err));
    REFUSED(kanal_opp_advance(k, oV2, NULL, &err), KANAL_EREFUSED,
            "mandatory goal of stage 'awareness' not done: intro_meeting");
    bool already;
    REFUSED(kanal_opp_done(k, oV1, "intro_meeting", NULL, 0, NULL, NULL, &already, &err),
            KANAL_ENOTFOUND,
            "goal 'intro_meeting' is not in version 1 of 'distributors', "
            "which opportunity");
    CHECK(strstr(err.message, "(it is in version 2: kanal workflow migrate distributors "
                              "--to 2 --opp ") != NULL);
    CHECK_INT(log_ok(oV2, "meeting", NULL), 1);
    OK(kanal_opp_advance(k, oV2, NULL, &err));
    kanal_history *h = NULL;
    OK(kanal_opp_history(k, oV2, &h, &err));
    if (h)
        for (size_t i = 0; i < h->n_events; i++)
            CHECK_INT(h->events[i].version, 2);
    kanal_opp_history_free(h);
    check_rebuild(oV1);
    check_rebuild(oV2);

    /* the workflow's list shows the latest version */
    kanal_table *t = NULL;
    OK(kanal_workflow_list(k, &t, &err));
    if (t) {
        int ver = kanal_table_column_index(t, "version");
        for (size_t r = 0; r < kanal_table_rows(t); r++)
            if (!strcmp(kanal_table_cell(t, r, 0), "distributors"))
                CHECK_STR(kanal_table_cell(t, r, (size_t)ver), "2");
    }
    kanal_table_free(t);
}

/* ---- the agenda --------------------------------------------------------------------------- */

/*
** The report options of a caller built for version 1, which end before
** `versions`, are read as such (the struct ends there in the caller's memory:
** ASan sees a read past it); the versions of version 2 choose the rows of
** compare; a version this library does not know is refused.
*/
static void test_report_options(void)
{
    as("mia");
    kanal_report_options full = KANAL_REPORT_OPTIONS_INIT;
    full.workflow = "distributors";
    full.version = 1;
    size_t v1_size = offsetof(kanal_report_options, versions);
    void *v1 = malloc(v1_size);
    if (!v1)
        return;
    memcpy(v1, &full, v1_size);
    full.version = KANAL_REPORT_OPTIONS_VERSION;
    kanal_report *r = NULL;
    /* test_versions left an opportunity on each of the two versions */
    OK(kanal_report_run(k, "compare", (const kanal_report_options *)v1, &r, &err));
    if (r)
        CHECK_INT(kanal_table_rows(r->rows), 2);
    kanal_report_free(r);
    r = NULL;
    free(v1);
    int two[] = { 2 };
    full.versions = two;
    full.n_versions = 1;
    OK(kanal_report_run(k, "compare", &full, &r, &err));
    if (r) {
        CHECK_INT(kanal_table_rows(r->rows), 1);
        CHECK_STR(kanal_table_cell(r->rows, 0, 0), "2");
    }
    kanal_report_free(r);
    r = NULL;
    full.version = KANAL_REPORT_OPTIONS_VERSION + 1;
    REFUSED(kanal_report_run(k, "compare", &full, &r, &err), KANAL_EUSAGE,
            "report options of version 3");
    CHECK(r == NULL);
}

static void test_agenda(void)
{
    as("krzysztof");
    now_is("2026-03-06T08:00:00Z");
    int64_t pa = add_partner("Agencja Alfa", "agency");
    int64_t pb = add_partner("Agencja Beta", "agency");
    int64_t pc = add_partner("Sklep Gamma", "shop");
    CHECK(pa && pb && pc);
    int64_t a = 0, b = 0, c = 0;
    OK(kanal_opp_create(k, "Agencja Beta", "referral_partners", NULL, "2026-03-02T08:00Z", &b, &err));
    OK(kanal_opp_create(k, "Agencja Alfa", "referral_partners", NULL, "2026-03-04T08:00Z", &a, &err));
    OK(kanal_opp_create(k, "Sklep Gamma", "wholesale", NULL, "2026-02-01T08:00Z", &c, &err));
    /* b: first contact done, so its next goal is the infographic */
    CHECK_INT(log_ok(b, "call", NULL), 1);
    /* c: everything of contact done but the optional samples */
    OK(kanal_opp_set(k, c, (const char *[]){ "price_list_version=v1" }, 1, NULL, &err));
    CHECK_INT(log_ok(c, "call", NULL), 1);
    CHECK_INT(log_ok(c, "email", NULL), 1);

    now_is("2026-03-30T08:00:00Z");
    kanal_table *t = NULL;
    OK(kanal_opp_agenda(k, &t, &err));
    if (t) {
        CHECK_STR(kanal_table_name(t), "opportunities");
        CHECK_INT(kanal_table_rows(t), 3);
        int next = kanal_table_column_index(t, "next_goal");
        int days = kanal_table_column_index(t, "days_in_stage");
        int stale = kanal_table_column_index(t, "stale");
        CHECK(next >= 0 && days >= 0 && stale >= 0);
        if (kanal_table_rows(t) == 3 && next >= 0 && days >= 0 && stale >= 0) {
            /* the longest in its stage first */
            CHECK_INT(atoll(kanal_table_cell(t, 0, 0)), c);
            CHECK_INT(atoll(kanal_table_cell(t, 1, 0)), b);
            CHECK_INT(atoll(kanal_table_cell(t, 2, 0)), a);
            /* c: nothing mandatory left, the optional samples are next */
            CHECK_STR(kanal_table_cell(t, 0, (size_t)next), "samples_delivered");
            CHECK_STR(kanal_table_cell(t, 0, (size_t)days), "57");
            CHECK_STR(kanal_table_cell(t, 0, (size_t)stale), "true"); /* max_days 10 */
            CHECK_STR(kanal_table_cell(t, 1, (size_t)next), "terms_infographic");
            CHECK_STR(kanal_table_cell(t, 1, (size_t)days), "28");
            CHECK_STR(kanal_table_cell(t, 1, (size_t)stale), "true"); /* max_days 21 */
            CHECK_STR(kanal_table_cell(t, 2, (size_t)next), "first_contact");
            CHECK_STR(kanal_table_cell(t, 2, (size_t)days), "26");
            CHECK_STR(kanal_table_cell(t, 2, (size_t)stale), "true");
            CHECK_STR(kanal_table_cell(t, 2, 1), "Agencja Alfa");
        }
        CHECK_STR(kanal_table_filter_value(t, 0), "krzysztof");
    }
    kanal_table_free(t);
    now_is("2026-03-10T08:00:00Z");
    kanal_next *n = NULL;
    OK(kanal_next_get(k, a, &n, &err));
    if (n) {
        CHECK_INT(n->days_in_stage, 6);
        CHECK(!n->stale);
    }
    kanal_next_free(n);
    /* a user with nothing open has an empty agenda */
    as("dora");
    OK(kanal_opp_agenda(k, &t, &err));
    if (t) {
        CHECK_INT(kanal_table_rows(t), 0);
        kanal_buf out = KANAL_BUF_INIT;
        kanal_table_render_text(t, &out);
        CHECK_STR(kanal_buf_cstr(&out), "no opportunities\n");
        kanal_buf_release(&out);
    }
    kanal_table_free(t);
}

/* ---- reassign ------------------------------------------------------------------------------ */

static void test_reassign(void)
{
    now_is("2026-03-12T08:00:00Z");
    int np = -1, no = -1;
    as("marcin");
    REFUSED(kanal_user_reassign(k, "marcin", "piotr", NULL, NULL, &np, &no, &err), KANAL_EREFUSED,
            "only a manager may reassign work (you are 'marcin')");
    as("mia");
    REFUSED(kanal_user_reassign(k, "marcin", "marcin", NULL, NULL, &np, &no, &err), KANAL_EUSAGE,
            "the work would move from 'marcin' to the same user");
    REFUSED(kanal_user_reassign(k, "ghost", "piotr", NULL, NULL, &np, &no, &err), KANAL_ENOTFOUND,
            "unknown user 'ghost'");
    REFUSED(kanal_user_reassign(k, "marcin", "ghost", NULL, NULL, &np, &no, &err), KANAL_ENOTFOUND,
            "unknown user 'ghost'");
    REFUSED(kanal_user_reassign(k, "marcin", "olek", NULL, NULL, &np, &no, &err), KANAL_EREFUSED,
            "user 'olek' is deactivated");
    /* dora may not own distributor opportunities: nothing moves at all */
    REFUSED(kanal_user_reassign(k, "marcin", "dora", NULL, NULL, &np, &no, &err), KANAL_EREFUSED,
            "to 'dora': 'dora' may not own opportunities of workflow 'distributors'");
    REFUSED(kanal_user_reassign(k, "piotr", "krzysztof", "Hurtownia ABC", NULL, &np, &no, &err),
            KANAL_EREFUSED, "partner 'Hurtownia ABC' is owned by marcin, not by 'piotr'");
    REFUSED(kanal_user_reassign(k, "marcin", "piotr", "Nikt", NULL, &np, &no, &err),
            KANAL_ENOTFOUND, "no partner 'Nikt'");

    /* one partner: it and its open opportunities move */
    OK(kanal_user_reassign(k, "marcin", "piotr", "Nowa Hurtownia", NULL, &np, &no, &err));
    CHECK_INT(np, 1);
    CHECK_INT(no, 1);
    as("piotr");
    kanal_opp *o = get(oV2);
    CHECK_STR(o->owner, "piotr");
    CHECK_STR(o->partner.owner, "piotr");
    kanal_opp_free(o);
    kanal_history *h = NULL;
    OK(kanal_opp_history(k, oV2, &h, &err));
    if (h && h->n_events) {
        const kanal_event *e = &h->events[h->n_events - 1];
        CHECK_STR(e->type, "reassigned");
        CHECK_STR(e->actor, "mia");
        CHECK(strstr(e->data, "\"from\":\"marcin\"") && strstr(e->data, "\"to\":\"piotr\""));
    }
    kanal_opp_history_free(h);
    check_rebuild(oV2);

    /* marcin leaves: deactivated, then the rest of his work moves */
    as("ada");
    OK(kanal_user_deactivate(k, "marcin", &err));
    REFUSED(kanal_set_actor(k, "marcin", &err), KANAL_EREFUSED, "deactivated");
    as("mia");
    long long won_owner_before = count_opps("marcin", KANAL_OPEN, true);
    OK(kanal_user_reassign(k, "marcin", "krzysztof", NULL, NULL, &np, &no, &err));
    CHECK_INT(np, 2); /* Hurtownia ABC and Sklep Ola (Łódź-Żabka was never claimed) */
    CHECK_INT(no, 1); /* oV1; the others are closed */
    kanal_arena *pa = kanal_arena_new();
    kanal_partner *owned = NULL;
    size_t n_owned = 99;
    OK(store_partners_list(k->store, pa, "marcin", NULL, &owned, &n_owned, &err));
    CHECK_INT(n_owned, 0);
    kanal_arena_free(pa);
    CHECK_INT(count_opps("marcin", KANAL_OPEN, false), 0);
    /* closed opportunities keep the owner they were won or lost by */
    CHECK_INT(count_opps("marcin", KANAL_STATUS_COUNT, false), won_owner_before);
    as("krzysztof");
    o = get(oV1);
    CHECK_STR(o->owner, "krzysztof");
    kanal_opp_free(o);
    /* krzysztof goes on where marcin stopped */
    now_is("2026-03-13T08:00:00Z");
    CHECK_INT(log_ok(oV1, "email", NULL), 1);
    check_rebuild(oV1);
    /* nothing left to move */
    as("mia");
    OK(kanal_user_reassign(k, "marcin", "krzysztof", NULL, NULL, &np, &no, &err));
    CHECK_INT(np, 0);
    CHECK_INT(no, 0);
}

/* ---- several operations in one transaction ---------------------------------------------------- */

static void test_atomic(void)
{
    as("piotr");
    now_is("2026-03-14T08:00:00Z");
    char *before = snapshot();
    OK(kanal_begin(k, &err));
    int64_t p = add_partner("Atomowa Sp. z o.o.", "consultant");
    int64_t o = new_opp("Atomowa Sp. z o.o.", "referral_partners");
    CHECK(p > 0 && o > 0);
    kanal_rollback(k);
    char *after = snapshot();
    CHECK_STR(after, before);
    free(after);
    free(before);

    /* a refused operation inside undoes only itself */
    OK(kanal_begin(k, &err));
    p = add_partner("Atomowa Sp. z o.o.", "consultant");
    int64_t id = 0;
    kanal_error_clear(&err);
    CHECK_INT(kanal_opp_create(k, "Atomowa Sp. z o.o.", "wholesale", NULL, NULL, &id, &err),
              KANAL_EREFUSED);
    o = new_opp("Atomowa Sp. z o.o.", "referral_partners");
    OK(kanal_commit(k, &err));
    kanal_opp *x = get(o);
    CHECK_STR(x->partner.name, "Atomowa Sp. z o.o.");
    kanal_opp_free(x);
    kanal_arena *oa = kanal_arena_new();
    store_opp_row *rows = NULL;
    size_t n_rows = 0, of_p = 0;
    OK(store_opps_list(k->store, oa, &(store_opp_filter){ .status = KANAL_STATUS_COUNT }, &rows,
                       &n_rows, &err));
    for (size_t i = 0; i < n_rows; i++)
        of_p += rows[i].partner_id == p;
    CHECK_INT(of_p, 1);
    kanal_arena_free(oa);
    check_rebuild(o);
    /* no rules applied: no hints */
    size_t nh = 99;
    kanal_rules_hints(k, &nh);
    CHECK_INT(nh, 0);
}

/* ---- a rules error names its place in `where` as well as in its message -------------------- */

static void test_rules_where(void)
{
    FILE *f = fopen(path_in("guarded.yaml"), "w");
    fputs("workflow: guarded\nname: Guarded\npartner_types: [consultant]\n"
          "owner_roles: [channel_rep]\nrules: guarded.lua\n"
          "activity_types:\n  - id: call\n    name: Call\n"
          "lost_reasons:\n  - id: no_interest\n    name: No interest\n"
          "stages:\n  - id: only\n    name: Only\n    goals:\n"
          "      - id: talk\n        name: Talk\n        completed_by: call\n",
          f);
    fclose(f);
    f = fopen(path_in("guarded.lua"), "w");
    fputs("return {\n  can_create = function(opp)\n    return false, \"closed for now\"\n"
          "  end,\n}\n",
          f);
    fclose(f);
    as("ada");
    kanal_diags d;
    kanal_diags_init(&d);
    kanal_applied *ap = NULL;
    const char *files[] = { path_in("guarded.yaml") };
    OK(kanal_workflow_apply(k, files, 1, &d, &ap, &err));
    free(ap);
    kanal_diags_release(&d);
    as("piotr");
    int64_t id = 0;
    REFUSED(kanal_opp_create(k, "Atomowa Sp. z o.o.", "guarded", NULL, NULL, &id, &err),
            KANAL_EREFUSED, "refused by rules (guarded.lua:2): closed for now");
    CHECK_STR(err.where, "guarded.lua:2"); /* the hook's line */
}

/* ---- options of a version this library does not know are refused, nothing read ------------ */

static void test_import_options(void)
{
    as("mia");
    char *before = snapshot();
    kanal_import_options opts = KANAL_IMPORT_OPTIONS_INIT;
    CHECK_INT(opts.version, 2);
    CHECK(opts.rejects == NULL && !opts.dry_run && opts.progress == NULL && opts.notes == NULL);
    opts.version = 3;
    kanal_diags d;
    kanal_diags_init(&d);
    kanal_import_result res = { 7, 7, 7 };
    kanal_error_clear(&err);
    CHECK_INT(
        kanal_import_run(k, NULL, "csv", "partners", "/nonexistent.csv", &opts, &d, &res, &err),
        KANAL_EUSAGE);
    CHECK_STR(err.message, "import options of version 3 (this library knows version 2)");
    CHECK_INT(d.count, 0);
    kanal_diags_release(&d);
    char *after = snapshot();
    CHECK_STR(after, before);
    free(after);
    free(before);
}

/* ---- every opportunity of the database rebuilds from its log --------------------------------- */

static void test_rebuild_all(void)
{
    as("mia");
    kanal_table *t = NULL;
    OK(kanal_opp_list(k, &(kanal_opp_filter){ 0 }, &t, &err));
    size_t walked = 0;
    if (t) {
        CHECK(kanal_table_rows(t) >= 10);
        for (size_t r = 0; r < kanal_table_rows(t); r++)
            walked += check_rebuild(atoll(kanal_table_cell(t, r, 0)));
    }
    kanal_table_free(t);
    CHECK(walked > 40);
    /* no event of an opportunity is out of its sequence */
    kanal_arena *oa = kanal_arena_new();
    store_opp_row *rows = NULL;
    size_t n = 0, off = 0;
    OK(store_opps_list(k->store, oa, &(store_opp_filter){ .status = KANAL_STATUS_COUNT }, &rows,
                       &n, &err));
    for (size_t i = 0; i < n; i++)
        off += count_events(rows[i].id) != rows[i].last_seq;
    CHECK_INT(off, 0);
    kanal_arena_free(oa);
}

/* ---- init over an existing database ------------------------------------------------------------ */

static void test_init_existing(void)
{
    const char *path = path_in("second.db");
    kanal *k2 = NULL;
    OK(kanal_init(&k2, path, "zoe", NULL, 0, NULL, &err));
    CHECK_STR(kanal_actor(k2)->name, "zoe");
    kanal_close(k2);
    k2 = NULL;
    /* a second init is refused, and the database stays */
    kanal_error_clear(&err);
    CHECK_INT(kanal_init(&k2, path, "yan", NULL, 0, NULL, &err), KANAL_EREFUSED);
    CHECK(k2 == NULL);
    CHECK(strstr(err.message, "a database already exists at") != NULL);
    CHECK(access(path, F_OK) == 0);
    kanal_error_clear(&err);
    int rc = kanal_open(&k2, path, &err);
    CHECK_INT(rc, KANAL_OK);
    if (!rc) {
        OK(kanal_set_actor(k2, "zoe", &err));
        kanal_close(k2);
    }
    /* and the main database is refused the same way */
    kanal_error_clear(&err);
    k2 = NULL;
    CHECK_INT(kanal_init(&k2, db_path, "ada", NULL, 0, NULL, &err), KANAL_EREFUSED);
    CHECK(access(db_path, F_OK) == 0);
    kanal_close(NULL);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/kanal-engine-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(db_path, sizeof db_path, "%s/kanal.db", dir);
    setenv("TZ", "UTC", 1);

    test_init_and_workflows();
    test_users();
    test_partners();
    test_create();
    test_permissions();
    test_awareness();
    test_proposal_and_launch();
    test_wholesale_and_lose();
    test_versions();
    test_report_options();
    test_agenda();
    test_reassign();
    test_atomic();
    test_import_options();
    test_rules_where();
    test_rebuild_all();
    kanal_close(k);
    k = NULL;
    test_init_existing();

    remove_dir();
    return t_done("test_engine");
}
