/*
** commands.c — the table of every kanal command, sorted by name. Adding a
** command is a file with its cli_cmd and one line here; help comes from it.
*/
#include "cli.h"

extern const cli_cmd cli_cmd_advance, cli_cmd_batch, cli_cmd_db_copy, cli_cmd_deal_add,
    cli_cmd_deal_end, cli_cmd_deal_list, cli_cmd_done, cli_cmd_export, cli_cmd_history,
    cli_cmd_import, cli_cmd_init, cli_cmd_log, cli_cmd_plugin_list, cli_cmd_lose, cli_cmd_next,
    cli_cmd_note, cli_cmd_reopen, cli_cmd_opp_list, cli_cmd_opp_new, cli_cmd_opp_show,
    cli_cmd_partner_add, cli_cmd_partner_edit, cli_cmd_partner_list, cli_cmd_partner_show,
    cli_cmd_reassign, cli_cmd_remind, cli_cmd_report, cli_cmd_search, cli_cmd_set, cli_cmd_user_activate, cli_cmd_user_add, cli_cmd_user_edit,
    cli_cmd_user_deactivate, cli_cmd_user_list, cli_cmd_win, cli_cmd_workflow_apply,
    cli_cmd_workflow_check, cli_cmd_workflow_diff, cli_cmd_workflow_list, cli_cmd_workflow_migrate,
    cli_cmd_workflow_retire, cli_cmd_workflow_show, cli_cmd_workflow_versions;

const cli_cmd *const cli_commands[] = {
    &cli_cmd_advance,
    &cli_cmd_batch,
    &cli_cmd_db_copy,
    &cli_cmd_deal_add,
    &cli_cmd_deal_end,
    &cli_cmd_deal_list,
    &cli_cmd_done,
    &cli_cmd_export,
    &cli_cmd_history,
    &cli_cmd_import,
    &cli_cmd_init,
    &cli_cmd_log,
    &cli_cmd_lose,
    &cli_cmd_next,
    &cli_cmd_note,
    &cli_cmd_opp_list,
    &cli_cmd_opp_new,
    &cli_cmd_opp_show,
    &cli_cmd_partner_add,
    &cli_cmd_partner_edit,
    &cli_cmd_partner_list,
    &cli_cmd_partner_show,
    &cli_cmd_plugin_list,
    &cli_cmd_reassign,
    &cli_cmd_remind,
    &cli_cmd_reopen,
    &cli_cmd_report,
    &cli_cmd_search,
    &cli_cmd_set,
    &cli_cmd_user_activate,
    &cli_cmd_user_add,
    &cli_cmd_user_deactivate,
    &cli_cmd_user_edit,
    &cli_cmd_user_list,
    &cli_cmd_win,
    &cli_cmd_workflow_apply,
    &cli_cmd_workflow_check,
    &cli_cmd_workflow_diff,
    &cli_cmd_workflow_list,
    &cli_cmd_workflow_migrate,
    &cli_cmd_workflow_retire,
    &cli_cmd_workflow_show,
    &cli_cmd_workflow_versions,
};

const size_t cli_n_commands = sizeof cli_commands / sizeof cli_commands[0];
