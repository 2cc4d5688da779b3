/*
** commands.c — the table of every kanal command, sorted by name. Adding a
** command is a file with its cli_cmd and one line here; help comes from it.
*/
#include "cli.h"

extern const cli_cmd cmd_advance, cmd_batch, cmd_done, cmd_export, cmd_history, cmd_import,
    cmd_init, cmd_log, cmd_plugin_list,
    cmd_lose, cmd_next, cmd_opp_list, cmd_opp_new, cmd_opp_show, cmd_partner_add,
    cmd_partner_list, cmd_partner_show, cmd_reassign, cmd_set, cmd_user_add,
    cmd_user_deactivate, cmd_user_list, cmd_win, cmd_workflow_apply, cmd_workflow_check,
    cmd_workflow_list, cmd_workflow_show;

const cli_cmd *const cli_commands[] = {
    &cmd_advance,
    &cmd_batch,
    &cmd_done,
    &cmd_export,
    &cmd_history,
    &cmd_import,
    &cmd_init,
    &cmd_log,
    &cmd_lose,
    &cmd_next,
    &cmd_opp_list,
    &cmd_opp_new,
    &cmd_opp_show,
    &cmd_partner_add,
    &cmd_partner_list,
    &cmd_partner_show,
    &cmd_plugin_list,
    &cmd_reassign,
    &cmd_set,
    &cmd_user_add,
    &cmd_user_deactivate,
    &cmd_user_list,
    &cmd_win,
    &cmd_workflow_apply,
    &cmd_workflow_check,
    &cmd_workflow_list,
    &cmd_workflow_show,
};

const size_t cli_n_commands = sizeof cli_commands / sizeof cli_commands[0];
