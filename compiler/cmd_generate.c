/*
 * cmd_generate: `generate DATASET_ID`.  With `--execute` and the native
 * engine (the default) it loads the dataset, plans it, lowers its tables to
 * column programs and hands them to the native runtime (runtime/run.h),
 * which writes the local lakehouse of docs/output-layout.md; then it prints
 * a one-line summary (or the run summary as JSON with --json).  Progress
 * goes to stderr when it is a terminal.  Exit codes: 0 written, 1 the run
 * failed or was interrupted (nothing half-written is left), 2 a usage or
 * config error.
 *
 * Still to come, and said so ("not built yet", exit 1) after the dataset
 * checks: compiling the notebook (generate without --execute), running the
 * compiled notebook (`--engine python|pyspark`), and `--mode
 * incremental|series` (the generate-incremental/generate-series commands).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "catalog.h"
#include "ir.h"
#include "model.h"
#include "plan.h"
#include "refdata.h"
#include "run.h"
#include "strbuf.h"

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/* `--mode incremental|series` needs an incremental dataset (as generate-incremental does). */
static int check_incremental(const struct dataset *ds, const struct plan *plan,
			     struct strbuf *text, struct cJSON *json, struct diags *d, void *payload)
{
	(void)plan;
	(void)text;
	(void)json;
	(void)payload;
	if (ds->incremental)
		return 0;
	return diag_error(d, &ds->loc,
			  "dataset '%s' has no incremental section; this command needs an "
			  "incremental dataset (see 'list-incremental-datasets')", ds->id);
}

/* What a local run writes: --output-format, or --output-mode when only that was given. */
static enum run_format run_format_of(const struct cmd_opts *o, const struct cli_parse *p)
{
	if (cli_parse_source(p, "output-format") == CLI_SRC_DEFAULT &&
	    cli_parse_source(p, "output-mode") != CLI_SRC_DEFAULT) {
		switch (o->output_mode) {
		case CLI_OUTPUT_PARQUET: return RUN_FORMAT_PARQUET;
		case CLI_OUTPUT_CSV: return RUN_FORMAT_CSV;
		default: return RUN_FORMAT_DELTA;
		}
	}
	switch (o->output_format) {
	case CLI_FORMAT_PARQUET: return RUN_FORMAT_PARQUET;
	case CLI_FORMAT_CSV: return RUN_FORMAT_CSV;
	case CLI_FORMAT_JSONL: return RUN_FORMAT_JSONL;
	default: return RUN_FORMAT_DELTA;
	}
}

/* Errors of a run: "ingen_fab: <message>", with the location when there is one. */
static void print_run_diags(const struct diags *d)
{
	struct strbuf sb = STRBUF_INIT;
	fflush(stdout);
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *dg = &d->items[i];
		strbuf_reset(&sb);
		if (dg->loc.file) {
			diag_format(&sb, dg);
		} else {
			strbuf_addstr(&sb, "ingen_fab: ");
			if (dg->level != DIAG_ERROR)
				strbuf_addstr(&sb, dg->level == DIAG_WARNING ? "warning: " : "note: ");
			strbuf_addstr(&sb, dg->msg);
		}
		fprintf(stderr, "%s\n", sb.buf);
	}
	strbuf_release(&sb);
}

static void print_summary(const struct run_stats *st, bool json)
{
	struct strbuf sb = STRBUF_INIT;
	if (json) {
		struct strbuf compact = STRBUF_INIT;
		run_stats_json(&compact, st);
		cli_json_pretty(&sb, compact.buf);
		strbuf_release(&compact);
		if (!sb.len || sb.buf[sb.len - 1] != '\n')
			strbuf_addch(&sb, '\n');
	} else {
		strbuf_addf(&sb, "%s: %zu table%s, %lld rows in %.2f s", st->dataset_id, st->n_tables,
			    st->n_tables == 1 ? "" : "s", (long long)st->rows, st->seconds);
		if (st->seconds > 0)
			strbuf_addf(&sb, " (%lld rows/s)", (long long)((double)st->rows / st->seconds));
		strbuf_addf(&sb, ", %s, %d thread%s, peak %.0f MB -> %s\n", run_format_name(st->format),
			    st->threads, st->threads == 1 ? "" : "s", st->peak_memory_mb, st->lakehouse);
	}
	fwrite(sb.buf, 1, sb.len, stdout);
	fflush(stdout);
	strbuf_release(&sb);
}

/* The native engine: load, plan, lower, run. */
static int run_native(struct cli_ctx *ctx, const struct cmd_opts *o, const struct cli_parse *p)
{
	struct diags d = DIAGS_INIT;
	struct catalog cat;
	struct dataset *ds = NULL;
	struct plan plan;
	struct plan_options po;
	struct refdata_cache refs = REFDATA_CACHE_INIT;
	struct ir_program *progs = NULL;
	struct run_request req;
	struct run_stats st;
	int ret;

	memset(&cat, 0, sizeof(cat));
	memset(&st, 0, sizeof(st));
	cli_plan_options(&po, o);
	if (cli_catalog_open(&cat, o, &d) < 0 ||
	    catalog_load_dataset(&ds, &cat, o->dataset, ctx->arena, &d) < 0 ||
	    plan_build(&plan, ds, &po, ctx->arena, &d) < 0) {
		ret = cli_report_diags(&d);
		goto done;
	}
	if (ir_lower(&progs, &plan, &refs, ctx->arena, &d) < 0) {
		print_run_diags(&d);
		ret = CLI_EXIT_FAILURE;
		goto done;
	}
	memset(&req, 0, sizeof(req));
	req.plan = &plan;
	req.programs = progs;
	req.root = ctx->repo_dir;
	req.format = run_format_of(o, p);
	req.threads = (int)o->threads;
	if (o->has_chunk_size)
		req.batch_rows = o->chunk_size > RUN_MAX_FILE_ROWS ? RUN_MAX_FILE_ROWS
								    : (size_t)o->chunk_size;
	req.progress = !o->json && isatty(STDERR_FILENO);
	req.catch_signals = true;
	req.write_log = true;
	if (run_execute(&st, &req, &d) < 0) {
		print_run_diags(&d);
		ret = CLI_EXIT_FAILURE;
		goto done;
	}
	if (d.n)
		print_run_diags(&d); /* warnings */
	print_summary(&st, o->json);
	ret = CLI_EXIT_OK;
done:
	run_stats_release(&st);
	refdata_cache_release(&refs);
	diags_release(&d);
	catalog_release(&cat);
	return ret;
}

int cmd_generate(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cmd_opts o;
	struct cli_parse p;
	cli_plan_cb cb;
	int ret;
	const struct cli_opt opts[] = {
		{.type = CLI_OPT_ARG, .arg = "DATASET_ID", .value = &o.dataset,
		 .help = "the dataset: an id from the catalogue or a path to a .yaml/.json config",
		 .flags = CLI_OPT_REQUIRED},
		CMD_OPT_TARGET_ROWS(&o, 'r'),
		CMD_OPT_TARGET_ENV(&o, 'e'),
		CMD_OPT_GEN_MODE(&o, 'm'),
		CMD_OPT_SEED(&o, 's'),
		CMD_OPT_EXECUTE(&o),
		CMD_OPT_ENGINE(&o),
		CMD_OPT_THREADS(&o),
		CMD_OPT_OUTPUT_FORMAT(&o),
		CMD_OPT_OUTPUT_MODE(&o, 'o', "table"),
		{.type = CLI_OPT_ENUM, .long_name = "mode", .value = &o.kind,
		 .choices = cli_gen_kind_names,
		 .help = "upstream's unified form: single, or incremental/series as the "
			 "generate-incremental/generate-series commands", .def = "single"},
		{.type = CLI_OPT_FLAG, .long_name = "include-ddl", .value = &o.include_ddl,
		 .help = "write the DDL scripts too", .def = "on", .flags = CLI_OPT_NEGATABLE},
		{.type = CLI_OPT_STRING, .long_name = "output-path", .value = &o.output_path,
		 .arg = "DIR", .help = "folder under fabric_workspace_items/ for the notebook",
		 .def = "synthetic_data_generation"},
		CMD_OPT_SCALE_FACTOR(&o),
		CMD_OPT_CHUNK_SIZE(&o),
		CMD_OPT_TABLES(&o),
		CMD_OPT_DATASETS_DIR(&o),
		CMD_OPT_TEMPLATES_DIR(&o),
		CMD_OPT_PARAMETERS(&o, 'p', NULL),
		CMD_OPT_DRY_RUN(&o),
		CMD_OPT_JSON(&o),
		CLI_OPT_END_ENTRY,
	};

	cmd_opts_init(&o);
	ret = cli_cmd_parse(&p, ctx, opts, argc, argv);
	if (ret != CLI_CONTINUE)
		goto done;
	if (o.dataset && in_list(o.dataset, cli_generic_template_names)) {
		ret = cli_error("'%s' is a generic template, not a dataset: use '%s %s %s'", o.dataset,
				CLI_GROUP, "execute-with-parameters", o.dataset);
		goto done;
	}
	if (o.output_path && (o.output_path[0] == '/' || strstr(o.output_path, ".."))) {
		ret = cli_error("invalid value '%s' for '--output-path': must be a relative folder "
				"inside fabric_workspace_items/", o.output_path);
		goto done;
	}
	cb = o.kind == CLI_KIND_SINGLE ? NULL : check_incremental;
	if (o.dry_run) {
		ret = cli_dry_run(ctx, &o, &p, (const char *const *)&o.dataset, 1, cb, &o);
		goto done;
	}
	if (o.execute && o.kind == CLI_KIND_SINGLE && o.engine == CLI_ENGINE_NATIVE) {
		ret = run_native(ctx, &o, &p);
		goto done;
	}
	ret = cli_check_datasets(ctx, &o, (const char *const *)&o.dataset, 1, cb, &o);
	if (ret != CLI_CONTINUE)
		goto done;
	if (o.execute && o.kind == CLI_KIND_SINGLE)
		ret = cli_fail("'%s --engine %s' is not built yet", ctx->cmd->name,
			       cli_engine_names[o.engine]);
	else
		ret = cli_fail("'%s' is not built yet", ctx->cmd->name);
done:
	cli_parse_release(&p);
	return ret;
}
