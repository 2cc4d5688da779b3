/*
** batch_parse.h — how `kanal batch` splits a line into words (cmd_batch.c),
** in a header of its own so that tests/fuzz/fuzz_batch.c can drive it.
*/
#ifndef KANAL_CLI_BATCH_PARSE_H
#define KANAL_CLI_BATCH_PARSE_H

/* Words on one line, at most. */
#define CLI_BATCH_MAX_WORDS 256

/*
** Splits line (NUL-terminated, continuations already joined) like a shell:
** blanks separate words, '...' keeps its text as it is, "..." allows \" and
** \\, a backslash outside quotes escapes the next character, a # at the start
** of a word begins a comment. The words are written into buf, which must hold
** strlen(line) + 1 bytes; words[] (CLI_BATCH_MAX_WORDS entries) points into it.
** Returns the count of words, or -1 with *why (a static string) set.
*/
int cli_batch_split(const char *line, char *buf, char **words, const char **why);

#endif
