/*
** replay_main.c — the replay form of a fuzz target: calls
** LLVMFuzzerTestOneInput once on each file named on the command line, so that
** ctest runs the seed corpus and every crash input kept under crashes/ on any
** compiler (clang's libFuzzer is only needed to search for new inputs).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "replay: cannot read '%s'\n", argv[i]);
            rc = 1;
            continue;
        }
        uint8_t *data = NULL;
        size_t len = 0, cap = 0;
        for (;;) {
            if (len == cap) {
                cap = cap ? cap * 2 : 4096;
                uint8_t *more = realloc(data, cap);
                if (!more) {
                    fprintf(stderr, "replay: out of memory\n");
                    free(data);
                    fclose(f);
                    return 1;
                }
                data = more;
            }
            size_t got = fread(data + len, 1, cap - len, f);
            if (got == 0)
                break;
            len += got;
        }
        fclose(f);
        LLVMFuzzerTestOneInput(data, len);
        free(data);
    }
    printf("replayed %d input%s\n", argc - 1, argc == 2 ? "" : "s");
    return rc;
}
