/*
** batch_parse.c — the words of one line of a batch file (batch_parse.h).
*/
#include <string.h>

#include "batch_parse.h"

int cli_batch_split(const char *line, char *buf, char **words, const char **why)
{
    int n = 0;
    const char *p = line;
    char *w = buf;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (!*p || *p == '#')
            return n;
        if (n == CLI_BATCH_MAX_WORDS) {
            *why = "too many words on one line";
            return -1;
        }
        words[n++] = w;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            if (*p == '\'') {
                const char *end = strchr(p + 1, '\'');
                if (!end) {
                    *why = "a quote (') is not closed";
                    return -1;
                }
                memcpy(w, p + 1, (size_t)(end - p - 1));
                w += end - p - 1;
                p = end + 1;
            } else if (*p == '"') {
                p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                        p++;
                    *w++ = *p++;
                }
                if (*p != '"') {
                    *why = "a quote (\") is not closed";
                    return -1;
                }
                p++;
            } else if (*p == '\\' && p[1]) {
                *w++ = p[1];
                p += 2;
            } else {
                *w++ = *p++;
            }
        }
        *w++ = '\0';
    }
}
