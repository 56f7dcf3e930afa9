/*
 * incr_notebook: the incremental notebooks, what `generate-incremental` and
 * `generate-series` write without --execute (the day model is
 * docs/incremental.md).  One notebook holds the column programs of the whole
 * horizon (incr_lower) once, and per day and table a few literals: written
 * or not, row_start, rows, parent_rows and the folder of --path-format.  Its
 * run loop writes each day's tables in the native series' layout and keeps
 * the same state file, so both produce the same rows in the same folders.
 */
#ifndef INGEN_INCR_NOTEBOOK_H
#define INGEN_INCR_NOTEBOOK_H

#include "cli.h"

struct cli_parse;

/*
 * The end of generate-incremental / generate-series without --execute,
 * after their checks (cli_check_datasets with the dates): compiles the
 * notebook under fabric_workspace_items/synthetic_data_generation/ and
 * reports the files written (text or --json).  Returns an enum cli_exit.
 */
int incr_notebook_command(struct cli_ctx *ctx, const struct cmd_opts *o, const struct cli_parse *p);

#endif
