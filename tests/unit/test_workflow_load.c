/*
** test_workflow_load.c — the workflow loader and checker.
**
**  - every tests/fixtures/invalid/NN_name.yaml is refused with exactly the
**    diagnostics listed, one `LINE:COLUMN: MESSAGE` a line, in NN_name.expected;
**  - every sample under workflows/ loads without a diagnostic;
**  - tests/fixtures/valid/full.yaml builds the model it describes;
**  - kanal_workflow_parse() on text in memory, kanal_suggest, kanal_id_valid.
**
** Runs from the source tree (it changes to KANAL_SOURCE_DIR first), so paths
** in diagnostics are relative: tests/fixtures/invalid/...
*/
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kanal/kanal.h"
#include "t.h"

#define INVALID_DIR "tests/fixtures/invalid"
#define SAMPLES_DIR "workflows"
#define FULL_YAML "tests/fixtures/valid/full.yaml"

/* ---- small helpers ------------------------------------------------------- */

typedef struct strlist {
    char **items;
    size_t n, cap;
} strlist;

static void sl_push(strlist *l, char *s)
{
    if (!s) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->items = realloc(l->items, l->cap * sizeof *l->items);
        if (!l->items) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
    }
    l->items[l->n++] = s;
}

static void sl_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* The names of the *.yaml files in dir, sorted. A missing folder is empty. */
static strlist yaml_files(const char *dir)
{
    strlist l = { 0 };
    DIR *d = opendir(dir);
    if (!d)
        return l;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && ends_with(e->d_name, ".yaml"))
            sl_push(&l, dup_str(e->d_name));
    closedir(d);
    if (l.n)
        qsort(l.items, l.n, sizeof *l.items, cmp_str);
    return l;
}

/* The lines of a text file, without their line ends; false when unreadable. */
static bool read_lines(const char *path, strlist *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char buf[4096];
    while (fgets(buf, sizeof buf, f)) {
        size_t n = strlen(buf);
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            buf[--n] = '\0';
        sl_push(out, dup_str(buf));
    }
    fclose(f);
    return true;
}

static char *fmt_diag(const kanal_diag *d)
{
    size_t n = strlen(d->message) + 48;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%d:%d: %s", d->line, d->column, d->message);
    return s;
}

/* Prints a line diff (longest common subsequence) of want against got. */
static void print_diff(const strlist *want, const strlist *got)
{
    size_t n = want->n, m = got->n;
    size_t *lcs = calloc((n + 1) * (m + 1), sizeof *lcs);
    if (!lcs)
        return;
#define L(i, j) lcs[(i) * (m + 1) + (j)]
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            L(i, j) = strcmp(want->items[i], got->items[j]) == 0
                          ? L(i + 1, j + 1) + 1
                          : (L(i + 1, j) > L(i, j + 1) ? L(i + 1, j) : L(i, j + 1));
    fprintf(stderr, "  --- expected\n  +++ reported\n");
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && strcmp(want->items[i], got->items[j]) == 0) {
            fprintf(stderr, "    %s\n", want->items[i]);
            i++, j++;
        } else if (i < n && (j == m || L(i + 1, j) >= L(i, j + 1))) {
            fprintf(stderr, "  - %s\n", want->items[i++]);
        } else {
            fprintf(stderr, "  + %s\n", got->items[j++]);
        }
    }
#undef L
    free(lcs);
}

/* ---- (a) invalid fixtures ------------------------------------------------ */

static void check_invalid_fixture(const char *name)
{
    char path[1024], expected_path[1024];
    snprintf(path, sizeof path, "%s/%s", INVALID_DIR, name);
    snprintf(expected_path, sizeof expected_path, "%s/%.*s.expected", INVALID_DIR,
             (int)(strlen(name) - strlen(".yaml")), name);

    strlist want = { 0 }, got = { 0 };
    bool have_expected = read_lines(expected_path, &want);
    if (!have_expected)
        fprintf(stderr, "%s: missing %s\n", path, expected_path);
    CHECK(have_expected);

    kanal_diags diags;
    kanal_diags_init(&diags);
    kanal_workflow *wf = kanal_workflow_load_file(path, &diags);
    if (wf)
        fprintf(stderr, "%s: loaded, but it should be refused\n", path);
    CHECK(wf == NULL);
    kanal_workflow_free(wf);
    CHECK(!diags.oom);
    for (size_t i = 0; i < diags.count; i++) {
        CHECK_STR(diags.items[i].file, path);
        sl_push(&got, fmt_diag(&diags.items[i]));
    }
    if (!have_expected)
        for (size_t i = 0; i < got.n; i++)
            fprintf(stderr, "  reported: %s\n", got.items[i]);
    if (have_expected) {
        bool same = want.n == got.n;
        for (size_t i = 0; same && i < want.n; i++)
            same = strcmp(want.items[i], got.items[i]) == 0;
        if (!same) {
            fprintf(stderr, "%s: diagnostics differ from %s\n", path, expected_path);
            print_diff(&want, &got);
        }
        CHECK(same);
        CHECK(want.n > 0); /* an .expected file lists at least one error */
    }
    kanal_diags_release(&diags);
    sl_free(&want);
    sl_free(&got);
}

static void test_invalid_fixtures(void)
{
    strlist names = yaml_files(INVALID_DIR);
    if (names.n < 30)
        fprintf(stderr, "%s: %zu fixtures, want at least 30\n", INVALID_DIR, names.n);
    CHECK(names.n >= 30);
    for (size_t i = 0; i < names.n; i++)
        check_invalid_fixture(names.items[i]);
    sl_free(&names);
}

/* ---- (b) the sample workflows -------------------------------------------- */

static void test_samples(void)
{
    strlist names = yaml_files(SAMPLES_DIR);
    if (names.n < 1)
        fprintf(stderr, "%s/: no sample workflow (*.yaml) found\n", SAMPLES_DIR);
    CHECK(names.n >= 1);
    for (size_t i = 0; i < names.n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", SAMPLES_DIR, names.items[i]);
        kanal_diags diags;
        kanal_diags_init(&diags);
        kanal_workflow *wf = kanal_workflow_load_file(path, &diags);
        for (size_t k = 0; k < diags.count; k++)
            fprintf(stderr, "%s:%d:%d: %s\n", path, diags.items[k].line,
                    diags.items[k].column, diags.items[k].message);
        CHECK(wf != NULL);
        CHECK_INT(diags.count, 0);
        CHECK(!diags.oom);
        kanal_workflow_free(wf);
        kanal_diags_release(&diags);
    }
    sl_free(&names);
}

/* ---- (c) the model of full.yaml ------------------------------------------ */

static const char *goal_id(const kanal_workflow *wf, size_t i)
{
    return i < wf->n_goals ? wf->goals[i].id : "(out of range)";
}

static void test_full_model(void)
{
    kanal_diags diags;
    kanal_diags_init(&diags);
    kanal_workflow *wf = kanal_workflow_load_file(FULL_YAML, &diags);
    for (size_t k = 0; k < diags.count; k++)
        fprintf(stderr, "%s:%d:%d: %s\n", FULL_YAML, diags.items[k].line,
                diags.items[k].column, diags.items[k].message);
    CHECK(wf != NULL);
    CHECK_INT(diags.count, 0);
    kanal_diags_release(&diags);
    if (!wf)
        return;

    /* Top level. */
    CHECK_STR(wf->id, "distributors");
    CHECK_STR(wf->name, "Distributor acquisition");
    CHECK_STR(wf->description, "Find and sign distributors for our products.\n");
    CHECK_INT(wf->n_partner_types, 2);
    CHECK_STR(wf->partner_types[0], "distributor");
    CHECK_STR(wf->partner_types[1], "wholesaler");
    CHECK_INT(wf->n_owner_roles, 2);
    CHECK_STR(wf->owner_roles[0], "channel_rep");
    CHECK_STR(wf->owner_roles[1], "channel_lead");
    CHECK_STR(wf->rules, "full.lua");
    CHECK_STR(wf->rules_path, "tests/fixtures/valid/full.lua");
    CHECK_INT(wf->limits.instructions, 10000000);
    CHECK_INT(wf->limits.memory_mb, 64);

    /* Activity types and lost reasons. */
    CHECK_INT(wf->n_activity_types, 3);
    CHECK_STR(wf->activity_types[0].id, "call");
    CHECK_STR(wf->activity_types[0].name, "Phone call");
    CHECK_STR(wf->activity_types[2].id, "meeting");
    CHECK_INT(wf->n_lost_reasons, 3);
    CHECK_STR(wf->lost_reasons[0].id, "unclear_terms");
    CHECK_STR(wf->lost_reasons[0].name, "Terms unclear to the partner");
    CHECK(!wf->lost_reasons[0].note_required); /* default */
    CHECK(!wf->lost_reasons[1].note_required); /* written false */
    CHECK(wf->lost_reasons[2].note_required);

    /* Fields: types, bounds, enum values. */
    CHECK_INT(wf->n_fields, 6);
    const kanal_field_def *f = wf->fields;
    CHECK_STR(f[0].id, "cooperation_form");
    CHECK_STR(f[0].name, "Form of cooperation");
    CHECK_INT(f[0].type, KANAL_FIELD_ENUM);
    CHECK_INT(f[0].n_values, 3);
    CHECK_STR(f[0].values[0], "referral");
    CHECK_STR(f[0].values[1], "resale");
    CHECK_STR(f[0].values[2], "implementation");
    CHECK(!f[0].has_min && !f[0].has_max);
    CHECK_INT(f[1].type, KANAL_FIELD_NUMBER);
    CHECK(f[1].has_min && f[1].has_max);
    CHECK(f[1].min == 0.0);
    CHECK(f[1].max == 40.5);
    CHECK_INT(f[1].n_values, 0);
    CHECK(f[1].values == NULL);
    CHECK_INT(f[2].type, KANAL_FIELD_INTEGER);
    CHECK(f[2].has_min && f[2].has_max);
    CHECK(f[2].min == 1.0);
    CHECK(f[2].max == 10000.0);
    CHECK_INT(f[3].type, KANAL_FIELD_TEXT);
    CHECK(!f[3].has_min && !f[3].has_max);
    CHECK_INT(f[4].type, KANAL_FIELD_BOOLEAN);
    CHECK_INT(f[5].type, KANAL_FIELD_DATE);
    CHECK_STR(f[5].id, "signed_on");
    CHECK_STR(kanal_field_type_name(f[0].type), "enum");
    CHECK_STR(kanal_field_type_name(KANAL_FIELD_TEXT), "text");
    CHECK_STR(kanal_field_type_name(KANAL_FIELD_NUMBER), "number");
    CHECK_STR(kanal_field_type_name(KANAL_FIELD_INTEGER), "integer");
    CHECK_STR(kanal_field_type_name(KANAL_FIELD_BOOLEAN), "boolean");
    CHECK_STR(kanal_field_type_name(KANAL_FIELD_DATE), "date");

    /* Stages. */
    CHECK_INT(wf->n_stages, 3);
    CHECK_STR(wf->stages[0].id, "awareness");
    CHECK_STR(wf->stages[0].name, "Awareness");
    CHECK_INT(wf->stages[0].max_days, 14);
    CHECK_INT(wf->stages[1].max_days, 0); /* absent */
    CHECK_INT(wf->stages[2].max_days, 30);

    /* Goals, in file order across stages. */
    static const char *const ids[] = { "first_contact", "classify",     "send_materials",
                                       "proposal_call", "offer_accepted", "sample_order",
                                       "first_order",   "activated",    "training_done" };
    static const size_t stage_of[] = { 0, 0, 1, 1, 1, 1, 2, 2, 2 };
    CHECK_INT(wf->n_goals, 9);
    for (size_t i = 0; i < 9 && i < wf->n_goals; i++) {
        CHECK_STR(wf->goals[i].id, ids[i]);
        CHECK_INT(wf->goals[i].stage, stage_of[i]);
    }
    if (wf->n_goals != 9) {
        kanal_workflow_free(wf);
        return;
    }
    const kanal_goal *g = wf->goals;
    CHECK_STR(g[0].name, "First contact made");
    CHECK(g[0].hint == NULL);
    CHECK_INT(g[0].completed_by, 0); /* call */
    CHECK_INT(g[1].completed_by, -1);
    CHECK_INT(g[2].completed_by, 1); /* email */
    CHECK_INT(g[6].completed_by, 2); /* meeting */
    CHECK_STR(g[2].hint, "E-mail the materials before you call.");

    /* mandatory: default true, written true, written false. */
    CHECK(g[0].mandatory);
    CHECK(g[4].mandatory);
    CHECK(!g[5].mandatory);

    /* requires_fields, as field indexes in the order written. */
    CHECK_INT(g[0].n_requires_fields, 0);
    CHECK_INT(g[1].n_requires_fields, 1);
    CHECK_INT(g[1].requires_fields[0], 0); /* cooperation_form */
    CHECK_INT(g[4].n_requires_fields, 2);
    CHECK_INT(g[4].requires_fields[0], 1); /* margin_pct */
    CHECK_INT(g[4].requires_fields[1], 5); /* signed_on */
    CHECK_INT(g[5].n_requires_fields, 1);
    CHECK_INT(g[5].requires_fields[0], 2); /* units */

    /* after, as goal indexes in the order written. */
    CHECK_INT(g[0].n_after, 0);
    CHECK_INT(g[3].n_after, 1);
    CHECK_STR(goal_id(wf, g[3].after[0]), "send_materials");
    CHECK_INT(g[4].n_after, 2);
    CHECK_STR(goal_id(wf, g[4].after[0]), "proposal_call");
    CHECK_STR(goal_id(wf, g[4].after[1]), "classify"); /* an earlier stage */
    CHECK_INT(g[6].n_after, 2);
    CHECK_INT(g[6].after[0], 7);
    CHECK_INT(g[6].after[1], 8);
    CHECK_INT(g[8].n_after, 1);
    CHECK_INT(g[8].after[0], 4);

    /* Each stage's goal order: file order, except that a goal comes after
       those it waits for. first_order is written first in 'launch'. */
    static const size_t order0[] = { 0, 1 }, order1[] = { 2, 3, 4, 5 }, order2[] = { 7, 8, 6 };
    static const size_t *const orders[] = { order0, order1, order2 };
    static const size_t n_orders[] = { 2, 4, 3 };
    for (size_t s = 0; s < 3; s++) {
        const kanal_stage *st = &wf->stages[s];
        CHECK_INT(st->n_goals, n_orders[s]);
        for (size_t k = 0; k < n_orders[s] && k < st->n_goals; k++) {
            if (st->goals[k] != orders[s][k])
                fprintf(stderr, "stage '%s', place %zu: goal '%s', want '%s'\n", st->id, k,
                        goal_id(wf, st->goals[k]), goal_id(wf, orders[s][k]));
            CHECK_INT(st->goals[k], orders[s][k]);
        }
    }

    /* Lookups. */
    CHECK_INT(kanal_workflow_stage_index(wf, "awareness"), 0);
    CHECK_INT(kanal_workflow_stage_index(wf, "launch"), 2);
    CHECK_INT(kanal_workflow_stage_index(wf, "Launch"), -1);
    CHECK_INT(kanal_workflow_stage_index(wf, ""), -1);
    CHECK_INT(kanal_workflow_goal_index(wf, "first_contact"), 0);
    CHECK_INT(kanal_workflow_goal_index(wf, "training_done"), 8);
    CHECK_INT(kanal_workflow_goal_index(wf, "awareness"), -1);
    CHECK_INT(kanal_workflow_field_index(wf, "margin_pct"), 1);
    CHECK_INT(kanal_workflow_field_index(wf, "signed_on"), 5);
    CHECK_INT(kanal_workflow_field_index(wf, "margin"), -1);
    CHECK_INT(kanal_workflow_activity_index(wf, "email"), 1);
    CHECK_INT(kanal_workflow_activity_index(wf, "fax"), -1);
    CHECK_INT(kanal_workflow_lost_reason_index(wf, "other"), 2);
    CHECK_INT(kanal_workflow_lost_reason_index(wf, "call"), -1);
    CHECK(kanal_workflow_has_partner_type(wf, "wholesaler"));
    CHECK(!kanal_workflow_has_partner_type(wf, "retailer"));
    CHECK(!kanal_workflow_has_partner_type(wf, "Distributor"));

    kanal_workflow_free(wf);
}

/* ---- (d) kanal_workflow_parse on text in memory --------------------------- */

static const char memory_ok[] =
    "workflow: in_memory\n"
    "name: Kept in the database\n"
    "partner_types: [distributor]\n"
    "rules: no_such_rules_file.lua\n"
    "activity_types:\n"
    "  - {id: call, name: Phone call}\n"
    "lost_reasons:\n"
    "  - {id: other, name: Other}\n"
    "stages:\n"
    "  - id: only\n"
    "    name: Only stage\n"
    "    goals:\n"
    "      - {id: second, name: Second, after: [first]}\n"
    "      - {id: first, name: First, mandatory: false}\n";

static void test_parse_memory(void)
{
    kanal_diags diags;
    kanal_diags_init(&diags);

    /* dir NULL: the rules file is not looked for. */
    kanal_workflow *wf =
        kanal_workflow_parse(memory_ok, strlen(memory_ok), "db:in_memory", NULL, &diags);
    for (size_t k = 0; k < diags.count; k++)
        fprintf(stderr, "%s:%d:%d: %s\n", diags.items[k].file, diags.items[k].line,
                diags.items[k].column, diags.items[k].message);
    CHECK(wf != NULL);
    CHECK_INT(diags.count, 0);
    if (wf) {
        CHECK_STR(wf->id, "in_memory");
        CHECK_STR(wf->rules, "no_such_rules_file.lua");
        CHECK(wf->rules_path == NULL);
        CHECK(wf->description == NULL);
        CHECK_INT(wf->n_owner_roles, 0);
        CHECK(wf->owner_roles == NULL || wf->n_owner_roles == 0);
        CHECK_INT(wf->n_fields, 0);
        CHECK_INT(wf->n_goals, 2);
        CHECK_INT(wf->stages[0].n_goals, 2);
        CHECK_INT(wf->stages[0].goals[0], 1); /* first, though written second */
        CHECK_INT(wf->stages[0].goals[1], 0);
        CHECK(!wf->goals[1].mandatory);
        kanal_workflow_free(wf);
    }
    kanal_diags_release(&diags);

    /* The same text with a folder: now the rules file must exist. */
    kanal_diags_init(&diags);
    wf = kanal_workflow_parse(memory_ok, strlen(memory_ok), "mem.yaml", "tests/fixtures/valid",
                              &diags);
    CHECK(wf == NULL);
    CHECK_INT(diags.count, 1);
    if (diags.count == 1) {
        CHECK_STR(diags.items[0].file, "mem.yaml");
        CHECK_INT(diags.items[0].line, 4);
        CHECK_INT(diags.items[0].column, 8);
        CHECK(strstr(diags.items[0].message, "no_such_rules_file.lua") != NULL);
    }
    kanal_workflow_free(wf);
    kanal_diags_release(&diags);

    /* Only `len` bytes are read: a cut text is a different (broken) file. */
    kanal_diags_init(&diags);
    size_t cut = strstr(memory_ok, "stages:") - memory_ok;
    wf = kanal_workflow_parse(memory_ok, cut, "cut.yaml", NULL, &diags);
    CHECK(wf == NULL);
    CHECK_INT(diags.count, 1);
    if (diags.count == 1) {
        CHECK_STR(diags.items[0].file, "cut.yaml");
        CHECK_STR(diags.items[0].message, "missing required key 'stages'");
    }
    kanal_diags_release(&diags);

    /* Diagnostics are added after ones already there, and sorted among
       themselves only. */
    kanal_diags_init(&diags);
    kanal_diags_add(&diags, "earlier", 99, 1, "an earlier problem");
    static const char two[] = "workflow: x\nname: y\ncolour: red\nflavour: sweet\n";
    wf = kanal_workflow_parse(two, strlen(two), "two.yaml", NULL, &diags);
    CHECK(wf == NULL);
    CHECK(diags.count > 3);
    if (diags.count > 3) {
        CHECK_STR(diags.items[0].file, "earlier");
        CHECK_INT(diags.items[0].line, 99);
        for (size_t k = 2; k < diags.count; k++) {
            bool ordered = diags.items[k - 1].line < diags.items[k].line ||
                           (diags.items[k - 1].line == diags.items[k].line &&
                            diags.items[k - 1].column <= diags.items[k].column);
            CHECK(ordered);
        }
    }
    kanal_diags_release(&diags);

    /* A file that cannot be read: one diagnostic at line 0. */
    kanal_diags_init(&diags);
    wf = kanal_workflow_load_file("tests/fixtures/no_such_file.yaml", &diags);
    CHECK(wf == NULL);
    CHECK_INT(diags.count, 1);
    if (diags.count == 1)
        CHECK_INT(diags.items[0].line, 0);
    kanal_diags_release(&diags);
}

/* ---- (e) kanal_suggest and kanal_id_valid -------------------------------- */

static void test_suggest(void)
{
    static const char *const keys[] = { "workflow", "name", "description", "stages",
                                        "max_days", "max" };
    const size_t n = sizeof keys / sizeof *keys;
    CHECK_STR(kanal_suggest("descripton", keys, n), "description"); /* a deletion */
    CHECK_STR(kanal_suggest("nmae", keys, n), "name");              /* a transposition */
    CHECK_STR(kanal_suggest("stagse", keys, n), "stages");          /* a transposition */
    CHECK_STR(kanal_suggest("max_day", keys, n), "max_days");       /* closest wins */
    CHECK_STR(kanal_suggest("mx", keys, n), "max");
    CHECK_STR(kanal_suggest("workfloow", keys, n), "workflow");
    CHECK_STR(kanal_suggest("workflow", keys, n), NULL); /* an exact match is no typo */
    CHECK_STR(kanal_suggest("color", keys, n), NULL);
    CHECK_STR(kanal_suggest("xy", keys, n), NULL);  /* short words: one edit only */
    CHECK_STR(kanal_suggest("nm", keys, n), NULL);  /* "name" is two edits away */
    CHECK_STR(kanal_suggest("dscrptn", keys, n), NULL); /* four edits: too far */
    CHECK_STR(kanal_suggest("name", keys, 0), NULL);
    CHECK_STR(kanal_suggest("name", NULL, 0), NULL);

    static const char *const with_null[] = { NULL, "integer", NULL };
    CHECK_STR(kanal_suggest("integr", with_null, 3), "integer");

    /* Words longer than 64 bytes are never compared. */
    char longw[80], longc[80];
    memset(longw, 'a', 70), longw[70] = '\0';
    memset(longc, 'a', 71), longc[71] = '\0';
    const char *const longs[] = { longc };
    CHECK_STR(kanal_suggest(longw, longs, 1), NULL);
}

static void test_id_valid(void)
{
    CHECK(kanal_id_valid("a"));
    CHECK(kanal_id_valid("call"));
    CHECK(kanal_id_valid("margin_pct"));
    CHECK(kanal_id_valid("stage2"));
    CHECK(kanal_id_valid("a_"));
    CHECK(kanal_id_valid("a__b9"));
    CHECK(!kanal_id_valid(""));
    CHECK(!kanal_id_valid("_a"));
    CHECK(!kanal_id_valid("2nd_tier"));
    CHECK(!kanal_id_valid("Call"));
    CHECK(!kanal_id_valid("callE"));
    CHECK(!kanal_id_valid("first-contact"));
    CHECK(!kanal_id_valid("first contact"));
    CHECK(!kanal_id_valid("first.contact"));
    CHECK(!kanal_id_valid("za\xc5\x82oga")); /* non-ASCII */
    CHECK(!kanal_id_valid("a\n"));

    char id[KANAL_ID_MAX + 2];
    memset(id, 'x', KANAL_ID_MAX);
    id[KANAL_ID_MAX] = '\0';
    CHECK(kanal_id_valid(id)); /* 63 characters */
    id[KANAL_ID_MAX] = 'x';
    id[KANAL_ID_MAX + 1] = '\0';
    CHECK(!kanal_id_valid(id)); /* 64 */
}

int main(void)
{
    if (chdir(KANAL_SOURCE_DIR) != 0) {
        perror(KANAL_SOURCE_DIR);
        return 2;
    }
    test_invalid_fixtures();
    test_samples();
    test_full_model();
    test_parse_memory();
    test_suggest();
    test_id_valid();
    return t_done("test_workflow_load");
}
