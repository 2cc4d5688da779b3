/*
** print.h — renderers shared by several commands.
*/
#ifndef KANAL_CLI_PRINT_H
#define KANAL_CLI_PRINT_H

#include "cli.h"

/* The outline of a workflow; version 0 when it comes from a file. */
void cli_print_workflow(cli *c, kanal_buf *b, const kanal_workflow *wf, int version);

/* What changed, a line each: "  + goal x added: in awareness, mandatory". */
void cli_print_diff(cli *c, kanal_buf *b, const kanal_diff *d);
/* The same as a JSON array of {"element","id","change","detail"}. */
struct kanal_json;
void cli_diff_json(struct kanal_json *j, const kanal_diff *d);

/* Diagnostics from index `from` on, as FILE:LINE:COLUMN: error: MESSAGE. */
void cli_print_diags(cli *c, const kanal_diags *d, size_t from);

#endif
