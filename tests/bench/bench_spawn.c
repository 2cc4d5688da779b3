/*
** bench_spawn.c — times commands run as processes, the way a person's shell
** runs them: fork, exec, wait, measured with the monotonic clock around
** each run (tests/bench/cli.sh).
**
**   bench_spawn RUNS START CMD [ARGS...] [:: CMD [ARGS...]]...
**
** Runs every command RUNS times, round-robin (run i of each command before
** run i+1 of any), so that the machine's drift touches them all alike. In
** each argument, '@' stands for START + i, so that run i can act on an
** opportunity of its own. Their output goes to /dev/null; a run that exits
** non-zero stops the benchmark (a benchmark of failures measures nothing).
**
** Prints one line a command on stdout, times in milliseconds:
**   INDEX<TAB>median<TAB>p95<TAB>min<TAB>mean
*/
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 16

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* argv with every '@' replaced by n; caller frees each string and the array. */
static char **substitute(char **argv, int argc, long n)
{
    char **out = calloc((size_t)argc + 1, sizeof *out);
    char num[32];
    snprintf(num, sizeof num, "%ld", n);
    for (int i = 0; out && i < argc; i++) {
        size_t at = 0;
        for (const char *p = argv[i]; *p; p++)
            at += *p == '@';
        char *s = malloc(strlen(argv[i]) + at * strlen(num) + 1);
        if (!s)
            exit(1);
        char *w = s;
        for (const char *p = argv[i]; *p; p++) {
            if (*p == '@') {
                strcpy(w, num);
                w += strlen(num);
            } else {
                *w++ = *p;
            }
        }
        *w = '\0';
        out[i] = s;
    }
    return out;
}

static double run(char **argv)
{
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench_spawn: fork");
        exit(1);
    }
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    double t = now_ms() - t0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_spawn: '%s", argv[0]);
        for (int i = 1; argv[i]; i++)
            fprintf(stderr, " %s", argv[i]);
        fprintf(stderr, "' failed (status %d): run it by hand to see why\n", status);
        exit(1);
    }
    return t;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fputs("usage: bench_spawn RUNS START CMD [ARGS...] [:: CMD [ARGS...]]...\n", stderr);
        return 2;
    }
    int runs = atoi(argv[1]);
    long start = atol(argv[2]);
    char **cmd[MAX_CMDS];
    int cmd_argc[MAX_CMDS], n = 0;
    for (int i = 3; i < argc && n < MAX_CMDS;) {
        cmd[n] = &argv[i];
        int k = i;
        while (k < argc && strcmp(argv[k], "::") != 0)
            k++;
        cmd_argc[n++] = k - i;
        i = k + 1;
    }
    if (runs < 1 || n == 0)
        return 2;
    double *t[MAX_CMDS];
    for (int c = 0; c < n; c++)
        if (!(t[c] = calloc((size_t)runs, sizeof *t[c])))
            return 1;
    for (int i = 0; i < runs; i++) {
        for (int c = 0; c < n; c++) {
            char **a = substitute(cmd[c], cmd_argc[c], start + i);
            t[c][i] = run(a);
            for (int j = 0; j < cmd_argc[c]; j++)
                free(a[j]);
            free(a);
        }
        if ((i + 1) % 50 == 0)
            fprintf(stderr, "bench_spawn: %d of %d runs\n", i + 1, runs);
    }
    for (int c = 0; c < n; c++) {
        double sum = 0;
        for (int i = 0; i < runs; i++)
            sum += t[c][i];
        qsort(t[c], (size_t)runs, sizeof *t[c], by_value);
        double median = runs % 2 ? t[c][runs / 2] : (t[c][runs / 2 - 1] + t[c][runs / 2]) / 2;
        int p95 = (int)((runs - 1) * 0.95 + 0.5);
        printf("%d\t%.3f\t%.3f\t%.3f\t%.3f\n", c, median, t[c][p95], t[c][0], sum / runs);
        free(t[c]);
    }
    return 0;
}
