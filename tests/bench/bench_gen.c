/*
** bench_gen.c — writes the generated history (bench_gen.h) as files, for
** the benchmarks that run the kanal command:
**
**   bench_gen OPPS SEED DIR [--only-history]
**
** DIR/setup.kanal   the users (a batch file, run by the admin)
** DIR/partners.csv  one partner per opportunity (kanal import csv partners)
** DIR/steps.kanal   every step, one command a line (kanal batch, as boss);
**                   opportunity ids are 1, 2, ... as in a fresh database
** DIR/history.csv   the same steps as rows (kanal import csv history)
** and prints the number of steps. --only-history writes only history.csv
** (and the two it needs), for the large import.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_gen.h"

static FILE *open_in(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    return f;
}

static void batch_line(FILE *f, const bench_opp *o, const bench_step *s)
{
    long id = o->index + 1;
    switch (s->kind) {
    case BS_CREATE:
        fprintf(f, "opp new --partner \"%s\" --workflow " BENCH_WORKFLOW " --owner %s --at %s\n",
                o->partner, o->owner, s->at);
        break;
    case BS_LOG: fprintf(f, "log %ld %s --at %s\n", id, s->arg, s->at); break;
    case BS_SET: fprintf(f, "set %ld %s --at %s\n", id, s->set, s->at); break;
    case BS_DONE: fprintf(f, "done %ld %s --at %s\n", id, s->arg, s->at); break;
    case BS_ADVANCE: fprintf(f, "advance %ld --at %s\n", id, s->at); break;
    case BS_WIN: fprintf(f, "win %ld --at %s\n", id, s->at); break;
    case BS_LOSE:
        fprintf(f, "lose %ld --reason %s%s%s%s --at %s\n", id, s->arg, s->note ? " --note \"" : "",
                s->note ? s->note : "", s->note ? "\"" : "", s->at);
        break;
    }
}

static void csv_row(FILE *f, const bench_opp *o, const bench_step *s)
{
    static const char *const events[] = {
        "created", "log", "set", "done", "advance", "win", "lose"
    };
    fprintf(f, "%s," BENCH_WORKFLOW ",%s,%s,%s,%s,%s\n", o->partner, o->owner, s->at,
            events[s->kind],
            s->kind == BS_SET ? s->set
            : s->arg          ? s->arg
                              : "",
            s->note ? s->note : "");
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_gen OPPS SEED DIR [--only-history]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    bool only_history = argc > 4 && strcmp(argv[4], "--only-history") == 0;
    bench_gen g;
    bench_gen_init(&g, n, strtoull(argv[2], NULL, 10));
    const char *dir = argv[3];
    FILE *setup = open_in(dir, "setup.kanal"), *partners = open_in(dir, "partners.csv");
    FILE *steps = only_history ? NULL : open_in(dir, "steps.kanal");
    FILE *history = open_in(dir, "history.csv");
    fprintf(setup, "user add boss --name Boss --role manager\n");
    for (int r = 1; r <= BENCH_REPS; r++)
        fprintf(setup, "user add rep%d --name \"Rep %d\" --role channel_rep\n", r, r);
    fprintf(partners, "name,type,owner,email,phone,city,tax_id\n");
    fprintf(history, "partner,workflow,owner,at,event,arg,note\n");
    long total = 0;
    bench_opp o;
    for (int i = 0; i < n; i++) {
        bench_gen_opp(&g, i, &o);
        fprintf(partners, "%s,%s,%s,,,City %d,\n", o.partner, bench_partner_type(i), o.owner,
                i % 50);
        for (int j = 0; j < o.n; j++) {
            if (steps)
                batch_line(steps, &o, &o.steps[j]);
            csv_row(history, &o, &o.steps[j]);
        }
        total += o.n;
    }
    printf("%ld\n", total);
    if (fclose(setup) || fclose(partners) || (steps && fclose(steps)) || fclose(history)) {
        perror("bench_gen");
        return 1;
    }
    return 0;
}
