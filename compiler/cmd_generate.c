/*
 * cmd_generate: `generate DATASET_ID`.  With `--execute` it generates the
 * dataset locally, writing the local lakehouse of docs/output-layout.md,
 * with one of three engines:
 *
 *   native (the default)  loads the dataset, plans it, lowers its tables to
 *                         column programs and hands them to the native
 *                         runtime (runtime/run.h);
 *   python, pyspark       compiles the notebook of that mode (compile.h:
 *                         the same files as `compile -m MODE`) and runs it
 *                         with the local Python, or a local Spark built
 *                         from the Delta jars of INGEN_FAB_SPARK_JARS or
 *                         --spark-jars DIR (notebook_run.h), then reads the
 *                         run log the notebook wrote.
 *
 * Either way it prints a one-line summary (or the run summary as JSON with
 * --json).  Progress goes to stderr when it is a terminal (the native
 * engine's progress lines, or the notebook's own output).  Exit codes: 0
 * written, 1 the run failed or was interrupted (nothing half-written is
 * left), 2 a usage or config error.
 *
 * Without --execute it compiles, as `compile` does.  Still to come, and
 * said so ("not built yet", exit 1) after the dataset checks:
 * `--mode incremental|series` (the generate-incremental/generate-series
 * commands do that work) and --output-path without --execute.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "catalog.h"
#include "compile.h"
#include "ir.h"
#include "log_table.h"
#include "model.h"
#include "notebook_run.h"
#include "plan.h"
#include "refdata.h"
#include "run.h"
#include "strbuf.h"

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
		log_table_record_run(&st, ctx->repo_dir, ds->id, false, &d);
		print_run_diags(&d);
		ret = CLI_EXIT_FAILURE;
		goto done;
	}
	log_table_record_run(&st, ctx->repo_dir, ds->id, true, &d);
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

/* ---------- the python and pyspark engines: the compiled notebook, run locally ---------- */

/* Worker threads of a Spark master URL: local, local[N], local[N,F], local[*]; -1 unknown. */
static int spark_master_threads(const char *master)
{
	char *end;
	long n;
	if (!strcmp(master, "local"))
		return 1;
	if (strncmp(master, "local[", 6))
		return -1;
	if (master[6] == '*') {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		return n < 1 ? 1 : (int)n;
	}
	n = strtol(master + 6, &end, 10);
	if (end == master + 6 || (*end != ']' && *end != ',') || n < 1 || n > 1024)
		return -1;
	return (int)n;
}

static void add_raw_int(cJSON *obj, const char *key, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	cJSON_AddRawToObject(obj, key, buf);
}

static void add_raw_seconds(cJSON *obj, const char *key, double s)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%.3f", s);
	cJSON_AddRawToObject(obj, key, buf);
}

static void add_rate(cJSON *obj, int64_t rows, double s)
{
	if (s > 0)
		add_raw_int(obj, "rows_per_second", (int64_t)((double)rows / s));
	else
		cJSON_AddNullToObject(obj, "rows_per_second");
}

static const char *output_format_of_mode(const char *output_mode)
{
	return !strcmp(output_mode, "table") ? "delta" : output_mode;
}

/*
 * The summary of a notebook run, in the native engine's shapes: the same
 * line with the engine named, and the same JSON object (engine python or
 * pyspark; files and bytes counted in the table folders) plus `notebook`,
 * `run_log` and `process_seconds`.
 */
static void print_notebook_summary(const struct notebook_run_result *r, int threads,
				   const char *notebook, bool json)
{
	if (json) {
		cJSON *doc = cJSON_CreateObject(), *tables = cJSON_CreateArray();
		char buf[64];
		cJSON_AddStringToObject(doc, "dataset_id", r->dataset_id);
		cJSON_AddStringToObject(doc, "engine", r->engine);
		cJSON_AddStringToObject(doc, "output_mode", r->output_mode);
		cJSON_AddStringToObject(doc, "output_format", output_format_of_mode(r->output_mode));
		for (size_t i = 0; i < r->n_tables; i++) {
			const struct notebook_run_table *t = &r->tables[i];
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "table", t->name);
			add_raw_int(o, "rows", t->rows);
			add_raw_seconds(o, "seconds", t->seconds);
			if (t->rows_per_second >= 0)
				add_raw_int(o, "rows_per_second", t->rows_per_second);
			else
				cJSON_AddNullToObject(o, "rows_per_second");
			cJSON_AddStringToObject(o, "path", t->path);
			add_raw_int(o, "files", t->files);
			add_raw_int(o, "bytes", t->bytes);
			cJSON_AddItemToArray(tables, o);
		}
		cJSON_AddItemToObject(doc, "tables", tables);
		add_raw_int(doc, "rows", r->rows);
		add_raw_seconds(doc, "seconds", r->seconds);
		add_rate(doc, r->rows, r->seconds);
		snprintf(buf, sizeof(buf), "%.1f", r->peak_memory_mb);
		cJSON_AddRawToObject(doc, "peak_memory_mb", buf);
		if (threads > 0)
			add_raw_int(doc, "threads", threads);
		else
			cJSON_AddNullToObject(doc, "threads");
		add_raw_int(doc, "started", r->started);
		cJSON_AddStringToObject(doc, "lakehouse", r->lakehouse);
		cJSON_AddStringToObject(doc, "notebook", notebook);
		cJSON_AddStringToObject(doc, "run_log", r->log_path);
		add_raw_seconds(doc, "process_seconds", r->process_seconds);
		cli_print_json(doc);
		cJSON_Delete(doc);
	} else {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s: %zu table%s, %lld rows in %.2f s", r->dataset_id, r->n_tables,
			    r->n_tables == 1 ? "" : "s", (long long)r->rows, r->seconds);
		if (r->seconds > 0)
			strbuf_addf(&sb, " (%lld rows/s)", (long long)((double)r->rows / r->seconds));
		strbuf_addf(&sb, ", %s, %s engine", output_format_of_mode(r->output_mode), r->engine);
		if (threads > 0)
			strbuf_addf(&sb, ", %d thread%s", threads, threads == 1 ? "" : "s");
		strbuf_addf(&sb, ", peak %.0f MB -> %s\n", r->peak_memory_mb, r->lakehouse);
		fwrite(sb.buf, 1, sb.len, stdout);
		strbuf_release(&sb);
	}
	fflush(stdout);
}

/* The notebook among the compiled files (relative to the root). */
static const char *notebook_file(const struct compile_result *res)
{
	static const char suffix[] = "/notebook-content.py";
	for (size_t i = 0; i < res->n_files; i++) {
		size_t n = strlen(res->files[i]);
		if (n > sizeof(suffix) - 1 && !strcmp(res->files[i] + n - (sizeof(suffix) - 1), suffix))
			return res->files[i];
	}
	return NULL;
}

/*
 * The jars of the pyspark engine: --spark-jars DIR wins over INGEN_FAB_SPARK_JARS.
 * Returns CLI_CONTINUE with *jars set (NULL: keep the environment's), or an exit code.
 */
static int spark_jars_of(const char **jars, struct strbuf *sb, const char *dir)
{
	struct diags d = DIAGS_INIT;
	const char *env = getenv("INGEN_FAB_SPARK_JARS");
	int ret = CLI_CONTINUE;

	*jars = NULL;
	if (dir) {
		if (notebook_spark_jars_of_dir(sb, dir, &d) < 0)
			ret = CLI_EXIT_USAGE;
		else
			*jars = sb->buf;
	} else if (!env || !*env) {
		ret = cli_error("the pyspark engine needs the Delta Lake jars of a local Spark: set "
				"INGEN_FAB_SPARK_JARS to their comma-separated paths, or pass --spark-jars DIR");
	} else if (notebook_check_spark_jars(env, &d) < 0) {
		ret = CLI_EXIT_USAGE;
	}
	if (ret == CLI_EXIT_USAGE && d.n)
		print_run_diags(&d);
	diags_release(&d);
	return ret;
}

/* `--engine python|pyspark --execute`: compile the engine's notebook, run it, report. */
static int run_notebook(struct cli_ctx *ctx, const struct cmd_opts *o, const struct cli_parse *p,
			const char *spark_jars_dir)
{
	const bool spark = o->engine == CLI_ENGINE_PYSPARK;
	const enum gen_mode mode = spark ? GEN_MODE_PYSPARK : GEN_MODE_PYTHON;
	const char *engine = cli_engine_names[o->engine];
	struct compile_request req;
	struct compile_result res;
	struct notebook_run_request nreq;
	struct notebook_run_result nres;
	struct diags d = DIAGS_INIT;
	struct strbuf jars = STRBUF_INIT, master = STRBUF_INIT, notebook = STRBUF_INIT;
	const char *nb_rel, *master_used;
	char *root = NULL;
	int ret, rc, threads;

	if ((enum gen_mode)o->generation_mode != GEN_MODE_AUTO && (enum gen_mode)o->generation_mode != mode) {
		ret = cli_error("'--generation-mode %s' does not match '--engine %s': the %s engine runs "
				"the %s notebook", cli_gen_mode_names[o->generation_mode], engine, engine,
				gen_mode_name(mode));
		goto done;
	}
	if (run_format_of(o, p) == RUN_FORMAT_JSONL) {
		ret = cli_error("invalid value 'jsonl' for '--output-format' with '--engine %s': the "
				"notebooks write delta, parquet or csv (jsonl is native only)", engine);
		goto done;
	}
	if (cli_parse_source(p, "output-path") != CLI_SRC_DEFAULT &&
	    strcmp(o->output_path, "synthetic_data_generation")) {
		ret = cli_fail("'--output-path' with '--engine %s' is not built yet: the notebook is "
			       "written under fabric_workspace_items/synthetic_data_generation/", engine);
		goto done;
	}
	for (size_t i = 0; i < o->templates_dirs.n; i++) {
		struct stat st;
		if (stat(o->templates_dirs.items[i], &st) || !S_ISDIR(st.st_mode)) {
			ret = cli_error("--templates-dir '%s' is not a folder", o->templates_dirs.items[i]);
			goto done;
		}
	}
	memset(&nreq, 0, sizeof(nreq));
	if (spark) {
		ret = spark_jars_of(&nreq.spark_jars, &jars, spark_jars_dir);
		if (ret != CLI_CONTINUE)
			goto done;
		if (cli_parse_source(p, "threads") != CLI_SRC_DEFAULT && o->threads > 0) {
			strbuf_addf(&master, "local[%d]", (int)o->threads);
			nreq.spark_master = master.buf;
		}
	}

	/* compile: the same files as `compile -m MODE` */
	memset(&req, 0, sizeof(req));
	req.dataset = o->dataset;
	req.datasets_dirs = o->datasets_dirs.items;
	req.n_datasets_dirs = o->datasets_dirs.n;
	cli_plan_options(&req.plan_options, o);
	req.plan_options.mode = mode;
	req.templates.dirs = o->templates_dirs.items;
	req.templates.n_dirs = o->templates_dirs.n;
	req.root = ctx->repo_dir;
	req.warehouse = o->target_environment == CLI_TARGET_WAREHOUSE;
	switch (run_format_of(o, p)) {
	case RUN_FORMAT_PARQUET: req.output_mode = "parquet"; break;
	case RUN_FORMAT_CSV: req.output_mode = "csv"; break;
	default: req.output_mode = "table"; break;
	}
	req.notebook = true;
	req.ddl = o->include_ddl;
	rc = compile_dataset(&res, &req, ctx->arena, &d);
	if (rc) {
		ret = cli_report_diags(&d);
		if (rc == COMPILE_EIO)
			ret = CLI_EXIT_FAILURE;
		goto done;
	}
	if (d.n)
		print_run_diags(&d); /* warnings */
	diags_release(&d);
	nb_rel = notebook_file(&res);
	root = realpath(ctx->repo_dir, NULL);
	if (!nb_rel || !root) {
		ret = cli_fail("cannot find the compiled notebook under '%s'", ctx->repo_dir);
		goto done;
	}
	strbuf_addf(&notebook, "%s/%s", root, nb_rel);

	/* run */
	nreq.notebook = notebook.buf;
	nreq.engine = engine;
	nreq.dataset_id = res.dataset_id;
	nreq.root = root;
	nreq.python = notebook_python();
	nreq.show_output = !o->json && isatty(STDERR_FILENO);
	if (notebook_run(&nres, &nreq, ctx->arena, &d) < 0) {
		print_run_diags(&d);
		ret = CLI_EXIT_FAILURE;
		goto done;
	}
	if (spark) {
		master_used = nreq.spark_master ? nreq.spark_master : getenv("INGEN_FAB_SPARK_MASTER");
		threads = spark_master_threads(master_used && *master_used ? master_used : "local[2]");
	} else {
		threads = 1; /* numpy in one process */
	}
	print_notebook_summary(&nres, threads, notebook.buf, o->json);
	ret = CLI_EXIT_OK;
done:
	free(root);
	strbuf_release(&jars);
	strbuf_release(&master);
	strbuf_release(&notebook);
	diags_release(&d);
	return ret;
}

int cmd_generate(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cmd_opts o;
	struct cli_parse p;
	cli_plan_cb cb;
	const char *spark_jars_dir = NULL;
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
		{.type = CLI_OPT_STRING, .long_name = "spark-jars", .value = &spark_jars_dir,
		 .arg = "DIR", .help = "--engine pyspark: the jars of the local Spark (Delta Lake) are "
			 "the *.jar files of DIR; wins over INGEN_FAB_SPARK_JARS (comma-separated jar paths)"},
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
	if (o.dataset && cli_in_list(o.dataset, cli_generic_template_names)) {
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
	if (o.execute && o.kind == CLI_KIND_SINGLE) {
		ret = run_notebook(ctx, &o, &p, spark_jars_dir);
		goto done;
	}
	if (o.kind == CLI_KIND_SINGLE && !o.output_path) {
		/* without --execute: compile, as `compile` does */
		ret = cmd_compile_run(ctx, &o, o.dataset);
		goto done;
	}
	ret = cli_check_datasets(ctx, &o, (const char *const *)&o.dataset, 1, cb, &o);
	if (ret != CLI_CONTINUE)
		goto done;
	ret = cli_fail("'%s' is not built yet", ctx->cmd->name);
done:
	cli_parse_release(&p);
	return ret;
}
