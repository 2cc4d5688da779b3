/*
** bench_rules.c — what the rules add to a command: making the sandboxed Lua
** state, loading a rules file and calling a hook, measured against a floor
** taken in the same run: reading the opportunity, which every step does.
**
**   build/bench_rules [ROUNDS]
**
** Prints the median time of each, in microseconds. Run from the source tree.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "rules/rules.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void die(const char *what, const kanal_error *err)
{
    fprintf(stderr, "bench_rules: %s: %s\n", what, err->message);
    exit(1);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 2000;
    if (rounds < 10)
        rounds = 10;
    char dir[] = "/tmp/kanal-bench.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[256];
    snprintf(path, sizeof path, "%s/bench.db", dir);
    kanal *k;
    kanal_error err;
    kanal_diags d;
    kanal_diags_init(&d);
    if (kanal_init(&k, path, "admin", "Admin", 0, NULL, &err))
        die("init", &err);
    const char *files[] = { "workflows/distributors.yaml" };
    kanal_applied *applied;
    if (kanal_workflow_apply(k, files, 1, &d, &applied, &err))
        die("apply (run from the source tree)", &err);
    free(applied);
    int64_t pid, oid;
    kanal_partner_fields p = { .name = "Bench Partner", .type = "distributor" };
    if (kanal_user_add(k, "rep", "Rep", "channel_rep", &err) ||
        kanal_user_add(k, "boss", "Boss", "manager", &err) ||
        kanal_set_actor(k, "boss", &err) ||
        kanal_partner_add(k, &p, &pid, &err) ||
        kanal_opp_create(k, "Bench Partner", "distributors", "rep", NULL, &oid, &err))
        die("setup", &err);

    def_entry *e;
    kanal_opp *o;
    if (kanal_opp_get(k, oid, &o, &err) || engine_def_get(k, o->workflow, o->version, &e, &err))
        die("read", &err);
    kanal_opp_free(o);

    double *floor_us = calloc((size_t)rounds, sizeof *floor_us);
    double *rules_us = calloc((size_t)rounds, sizeof *rules_us);
    for (int i = 0; i < rounds; i++) {
        double t0 = now_us();
        if (kanal_opp_get(k, oid, &o, &err))
            die("read", &err);
        double t1 = now_us();
        struct rules *r;
        if (rules_open(&r, &k->hooks, e->ver.rules_file, e->ver.rules, &e->wf->limits, NULL, &err))
            die("rules", &err);
        hook_call c = { .hook = HOOK_on_enter, .opp = o, .at = o->created_at, .arg = "proposal" };
        if (rules_call(r, &c, &err))
            die("hook", &err);
        rules_free(r);
        double t2 = now_us();
        kanal_opp_free(o);
        floor_us[i] = t1 - t0;
        rules_us[i] = t2 - t1;
    }
    qsort(floor_us, (size_t)rounds, sizeof *floor_us, cmp);
    qsort(rules_us, (size_t)rounds, sizeof *rules_us, cmp);
    printf("rounds: %d\n", rounds);
    printf("floor: read one opportunity          median %7.1f us  p90 %7.1f us\n",
           floor_us[rounds / 2], floor_us[rounds * 9 / 10]);
    printf("rules: new state + load + one hook   median %7.1f us  p90 %7.1f us\n",
           rules_us[rounds / 2], rules_us[rounds * 9 / 10]);
    printf("rules / floor: %.2f\n", rules_us[rounds / 2] / floor_us[rounds / 2]);
    free(floor_us);
    free(rules_us);
    kanal_close(k);
    kanal_diags_release(&d);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
