/*
** commands.c — the table of every kanal command, sorted by name. Adding a
** command is a file with its cli_cmd and one line here; help comes from it.
*/
#include "cli.h"

extern const cli_cmd cmd_workflow_check;

const cli_cmd *const cli_commands[] = {
    &cmd_workflow_check,
};

const size_t cli_n_commands = sizeof cli_commands / sizeof cli_commands[0];
