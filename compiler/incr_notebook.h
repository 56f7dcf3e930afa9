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

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

struct arena;
struct cli_parse;
struct diags;

/*
 * The output format of the notebook (and of the native series with the
 * same options): "parquet", "csv", "jsonl" or "delta"; --output-format wins
 * over --output-mode; a warehouse target is always "parquet".
 */
const char *incr_notebook_format(const struct cmd_opts *o, const struct cli_parse *p);

/*
 * The checks of the options before compiling (jsonl output, --templates-dir
 * folders).  CLI_CONTINUE, or an exit code after printing the error.
 */
int incr_notebook_check(const struct cmd_opts *o, const struct cli_parse *p);

struct incr_notebook_request {
	const struct cmd_opts *o;    /* the dataset, plan options, path format, state flags, target */
	const struct cli_parse *p;
	int64_t first, last;         /* the days (epoch days), first <= last */
	int mode;                    /* enum gen_mode: GEN_MODE_AUTO for the plan's */
	const char *root;            /* the notebook goes under <root>/fabric_workspace_items/... */
};

struct incr_notebook_result {
	const char *name;            /* incremental_[series_]synthetic_data_<id>_<dates>_<mode>[_warehouse] */
	const char *dataset_id;
	const char *notebook;        /* <root>/.../<name>.Notebook/notebook-content.py */
	const char *format;          /* as incr_notebook_format() */
	int mode;                    /* enum gen_mode of the notebook */
	size_t n_files;
	const char **files;          /* relative to root */
};

/*
 * Compiles the notebook of days [first, last] (strings from `arena`).
 * A warehouse target (o->target_environment) gives the notebook that also
 * loads each day's Parquet into the warehouse (templates/notebooks/
 * _warehouse_load.j2).  Returns 0; -1 with diagnostics for a config or
 * usage error; -2 with diagnostics when the files could not be written.
 */
int incr_notebook_compile(struct incr_notebook_result *out, const struct incr_notebook_request *req,
			  struct arena *arena, struct diags *d);

/*
 * The end of generate-incremental / generate-series without --execute,
 * after their checks (cli_check_datasets with the dates): compiles the
 * notebook under fabric_workspace_items/synthetic_data_generation/ and
 * reports the files written (text or --json).  Returns an enum cli_exit.
 */
int incr_notebook_command(struct cli_ctx *ctx, const struct cmd_opts *o, const struct cli_parse *p);

#endif
