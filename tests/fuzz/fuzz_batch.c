/*
** fuzz_batch.c — how `kanal batch` splits a line into words
** (core/cli/batch_parse.c) on any text: every word stays inside the buffer the
** caller sized as the line's length plus one.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "batch_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    char *line = malloc(size + 1);
    char *buf = malloc(size + 1); /* exactly what cmd_batch.c gives it */
    if (!line || !buf)
        goto done;
    memcpy(line, data, size);
    line[size] = '\0';
    char *words[CLI_BATCH_MAX_WORDS];
    const char *why = NULL;
    int n = cli_batch_split(line, buf, words, &why);
    if (n < 0 && !why)
        abort();
    if (n > CLI_BATCH_MAX_WORDS)
        abort();
    for (int i = 0; i < n; i++)
        if (words[i] < buf || words[i] > buf + size || strlen(words[i]) > size)
            abort();
done:
    free(line);
    free(buf);
    return 0;
}
