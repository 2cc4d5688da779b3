/*
** main.c — the kanal program: reads the environment, then hands the line to
** the dispatcher.
*/
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

int main(int argc, char **argv)
{
    /* Past a file-size limit (ulimit -f), a write fails with EFBIG and is
       reported like a full disk, instead of the kernel killing the process
       without a word. */
    signal(SIGXFSZ, SIG_IGN);
    cli c = { 0 };
    c.out = stdout;
    c.err = stderr;
    const char *no_color = getenv("NO_COLOR");
    c.color = isatty(STDOUT_FILENO) && !(no_color && no_color[0]);

    c.exe = argv[0];
    int rc = cli_dispatch(&c, argc - 1, argv + 1);
    kanal_close(c.k);
    kanal_plugins_free(c.plugins);
    cli_safe_release(&c, 0);
    if (fflush(stdout) != 0 && rc == 0) {
        fputs("kanal: error: cannot write the output\n", stderr);
        rc = 5;
    }
    return rc;
}
