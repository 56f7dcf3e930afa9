/*
 * incr_notebook: compiles the notebook of an incremental day or series (the
 * work of generate-incremental / generate-series without --execute).  The
 * dataset is planned with its system columns (incr_prepare), the series is
 * planned over the horizon ending on the last day, and the column programs
 * of the whole horizon (incr_lower) are rendered once by the mode's
 * emitter.  Every day-dependent number is computed here and written as a
 * literal (INCR_DAYS: per day and table, written?, row_start, rows,
 * parent_rows and the folder of --path-format from incr_path_format), so the
 * notebook recomputes nothing and writes the folders and the state file of
 * the native series (cmd_incremental.c).  The shells are
 * templates/notebooks/incremental_python.py.j2 and incremental_pyspark.py.j2;
 * a warehouse target adds the COPY INTO load of each day (_warehouse_load.j2).
 * incr_notebook_compile() is also what `--execute --engine python|pyspark`
 * compiles before running the notebook (cmd_incremental.c).
 */
#include "incr_notebook.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "catalog.h"
#include "cli_opts.h"
#include "compile.h"
#include "context.h"
#include "emit.h"
#include "emit_numpy.h"
#include "emit_spark.h"
#include "incremental.h"
#include "ir.h"
#include "model.h"
#include "plan.h"
#include "refdata.h"
#include "strbuf.h"
#include "template.h"

#define NOTEBOOKS_FOLDER "fabric_workspace_items/synthetic_data_generation"

/*
 * The output format the native series would use: --output-format wins over
 * --output-mode; a warehouse target writes parquet (loaded with COPY INTO).
 */
const char *incr_notebook_format(const struct cmd_opts *o, const struct cli_parse *p)
{
	if (o->target_environment == CLI_TARGET_WAREHOUSE)
		return "parquet";
	if (cli_parse_source(p, "output-format") != CLI_SRC_DEFAULT) {
		switch (o->output_format) {
		case CLI_FORMAT_PARQUET: return "parquet";
		case CLI_FORMAT_CSV: return "csv";
		case CLI_FORMAT_JSONL: return "jsonl";
		default: return "delta";
		}
	}
	switch (o->output_mode) {
	case CLI_OUTPUT_PARQUET: return "parquet";
	case CLI_OUTPUT_CSV: return "csv";
	default: return "delta";
	}
}

static void yyyymmdd(struct strbuf *sb, int64_t date)
{
	struct strbuf d = STRBUF_INIT;
	cli_date_format(&d, date);
	for (size_t i = 0; i < d.len; i++)
		if (d.buf[i] != '-')
			strbuf_addch(sb, d.buf[i]);
	strbuf_release(&d);
}

/* A Python string literal (the texts here are names, dates and folders). */
static void py_str(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

/*
 * INCR_DAYS: the literal schedule of days [first, last].  Per table:
 * (name, written, row_start, rows, parent_rows, folder).  Also returns the
 * plan of the first day (the emitters' TABLE_SPECS).
 */
static int day_schedule(struct strbuf *out, struct plan *first_plan, struct incr_series *s, int64_t first,
			int64_t last, const char *path_format, struct arena *arena, struct diags *d)
{
	int64_t start = s->start_date;
	for (int64_t date = first; date <= last; date++) {
		struct incr_day day;
		struct plan plan;
		if (incr_plan_day(&day, s, date - start, arena, d) || incr_day_plan(&plan, s, &day, arena))
			return -1;
		if (date == first)
			*first_plan = plan;
		if (date == first)
			strbuf_addstr(out, "INCR_DAYS = [\n");
		strbuf_addstr(out, "    {\"date\": ");
		{
			struct strbuf ds = STRBUF_INIT;
			cli_date_format(&ds, date);
			py_str(out, ds.buf);
			strbuf_release(&ds);
		}
		strbuf_addf(out, ", \"day\": %lld, \"tables\": [\n", (long long)day.day);
		for (size_t i = 0; i < day.n_tables; i++) {
			const struct incr_day_table *dt = &day.tables[i];
			struct strbuf rel = STRBUF_INIT, why = STRBUF_INIT;
			if (incr_path_format(&rel, &why, path_format, s->ds->id, dt->table->name, date)) {
				diag_error(d, NULL, "invalid value '%s' for '--path-format': %s", path_format, why.buf);
				strbuf_release(&rel);
				strbuf_release(&why);
				return -1;
			}
			strbuf_addstr(out, "        (");
			py_str(out, dt->table->name);
			strbuf_addf(out, ", %s, %lld, %lld, %lld, ", plan.tables[i].selected ? "True" : "False",
				    (long long)dt->row_start, (long long)dt->rows, (long long)dt->parent_rows);
			py_str(out, rel.buf);
			strbuf_addstr(out, "),\n");
			strbuf_release(&rel);
			strbuf_release(&why);
		}
		strbuf_addstr(out, "    ]},\n");
	}
	strbuf_addstr(out, "]\n");
	/* how a Delta table takes a day: incremental tables append, snapshots and dimensions overwrite */
	strbuf_addstr(out, "INCR_DELTA_MODES = {");
	for (size_t i = 0; i < s->n_tables; i++) {
		if (i)
			strbuf_addstr(out, ", ");
		py_str(out, s->tables[i].table->name);
		strbuf_addstr(out, s->tables[i].type == TABLE_INCREMENTAL ? ": \"append\"" : ": \"overwrite\"");
	}
	strbuf_addstr(out, "}\n");
	return 0;
}

int incr_notebook_compile(struct incr_notebook_result *out, const struct incr_notebook_request *req,
			  struct arena *arena, struct diags *d)
{
	const struct cmd_opts *o = req->o;
	struct catalog cat;
	struct dataset *ds = NULL;
	struct plan plan, first_plan;
	struct plan_options po;
	struct refdata_cache refs = REFDATA_CACHE_INIT;
	struct ir_program *progs = NULL;
	struct incr_series s;
	struct emit_set files = EMIT_SET_INIT;
	struct template_env env;
	struct strbuf program = STRBUF_INIT, schedule = STRBUF_INIT, name = STRBUF_INIT, nb = STRBUF_INIT,
		      path = STRBUF_INIT, tmp = STRBUF_INIT;
	const char *format = incr_notebook_format(o, req->p);
	const bool warehouse = o->target_environment == CLI_TARGET_WAREHOUSE;
	bool series = !o->has_date, keep_state;
	int64_t first = req->first, last = req->last, start;
	cJSON *tctx = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&cat, 0, sizeof(cat));
	cli_plan_options(&po, o);
	if (req->mode != GEN_MODE_AUTO)
		po.mode = (enum gen_mode)req->mode;
	if (cli_catalog_open(&cat, o, d) < 0 || catalog_load_dataset(&ds, &cat, o->dataset, arena, d) < 0 ||
	    incr_prepare(ds, arena, d) < 0 || plan_build(&plan, ds, &po, arena, d) < 0)
		goto done;
	start = ds->incremental->start_date;
	keep_state = o->has_date ? o->state_management : true;
	if (incr_series_build(&s, &plan, last - start + 1, arena, d) || incr_lower(&progs, &s, &refs, arena, d) ||
	    day_schedule(&schedule, &first_plan, &s, first, last, o->path_format, arena, d) ||
	    (plan.mode == GEN_MODE_PYSPARK ? emit_spark_program(&program, &first_plan, progs, d)
					   : emit_numpy_program(&program, &first_plan, progs, d)))
		goto done;

	strbuf_addf(&name, "incremental_%ssynthetic_data_%s_", series ? "series_" : "", ds->id);
	yyyymmdd(&name, first);
	if (series) {
		strbuf_addch(&name, '_');
		yyyymmdd(&name, last);
	}
	strbuf_addf(&name, "_%s%s", gen_mode_name(plan.mode), warehouse ? "_warehouse" : "");

	tctx = context_dataset(ds, &plan);
	cJSON_AddStringToObject(tctx, "program", program.buf);
	cJSON_AddStringToObject(tctx, "schedule", schedule.buf);
	cJSON_AddStringToObject(tctx, "notebook_name", name.buf);
	cJSON_AddStringToObject(tctx, "lakehouse_name", ds->id);
	cJSON_AddStringToObject(tctx, "output_mode", strcmp(format, "delta") ? format : "table");
	cJSON_AddStringToObject(tctx, "output_format", format);
	cJSON_AddStringToObject(tctx, "target", warehouse ? "warehouse" : "lakehouse");
	cJSON_AddStringToObject(tctx, "path_pattern", "");
	cJSON_AddStringToObject(tctx, "path_format", o->path_format);
	{
		struct strbuf a = STRBUF_INIT;
		cli_date_format(&a, start);
		cJSON_AddStringToObject(tctx, "start_date", a.buf);
		strbuf_reset(&a);
		cli_date_format(&a, first);
		cJSON_AddStringToObject(tctx, "first_date", a.buf);
		strbuf_reset(&a);
		cli_date_format(&a, last);
		cJSON_AddStringToObject(tctx, "last_date", a.buf);
		strbuf_release(&a);
	}
	cJSON_AddItemToObject(tctx, "seed", context_int64(plan.seed));
	cJSON_AddItemToObject(tctx, "target_rows", context_int64(plan.target_rows));
	strbuf_addf(&tmp, "%.17g", plan.scale_factor);
	cJSON_AddStringToObject(tctx, "scale_factor", tmp.buf);
	cJSON_AddBoolToObject(tctx, "series", series);
	cJSON_AddBoolToObject(tctx, "state_management", keep_state);
	cJSON_AddBoolToObject(tctx, "ignore_state", o->ignore_state);
	cJSON_AddBoolToObject(tctx, "resume", o->resume);
	cJSON_AddItemToObject(tctx, "batch_size", context_int64(series ? o->batch_size : 1));

	env.dirs = o->templates_dirs.items;
	env.n_dirs = o->templates_dirs.n;
	if (template_render(&nb, &env,
			    plan.mode == GEN_MODE_PYSPARK ? "notebooks/incremental_pyspark.py.j2"
							  : "notebooks/incremental_python.py.j2",
			    tctx, d))
		goto done;
	strbuf_addf(&path, "%s/%s.Notebook/notebook-content.py", NOTEBOOKS_FOLDER, name.buf);
	emit_set_add(&files, path.buf, &nb);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/%s.Notebook/.platform", NOTEBOOKS_FOLDER, name.buf);
	{
		struct strbuf desc = STRBUF_INIT, pf = STRBUF_INIT;
		strbuf_addf(&desc, "Incremental synthetic data for %s (%s, %s%s)", ds->id, gen_mode_name(plan.mode),
			    series ? "series" : "one day", warehouse ? ", warehouse" : "");
		compile_platform_json(&pf, name.buf, desc.buf);
		emit_set_add(&files, path.buf, &pf);
		strbuf_release(&desc);
	}
	if (emit_set_write(&files, req->root, d)) {
		ret = -2;
		goto done;
	}
	out->name = arena_strdup(arena, name.buf);
	out->dataset_id = arena_strdup(arena, ds->id);
	out->format = format;
	out->mode = plan.mode;
	out->n_files = files.n;
	out->files = arena_calloc(arena, files.n ? files.n : 1, sizeof(*out->files));
	for (size_t i = 0; i < files.n; i++)
		out->files[i] = arena_strdup(arena, files.files[i].path);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/%s/%s.Notebook/notebook-content.py", req->root, NOTEBOOKS_FOLDER, name.buf);
	out->notebook = arena_strdup(arena, path.buf);
	ret = 0;
done:
	cJSON_Delete(tctx);
	emit_set_release(&files);
	strbuf_release(&program);
	strbuf_release(&schedule);
	strbuf_release(&name);
	strbuf_release(&nb);
	strbuf_release(&path);
	strbuf_release(&tmp);
	refdata_cache_release(&refs);
	catalog_release(&cat);
	return ret;
}

int incr_notebook_check(const struct cmd_opts *o, const struct cli_parse *p)
{
	const char *format = incr_notebook_format(o, p);
	if (strcmp(format, "jsonl") == 0)
		return cli_fail("the incremental notebooks write parquet or csv files or delta tables; '%s' output is "
				"not built yet (use --output-mode table, parquet or csv)", format);
	for (size_t i = 0; i < o->templates_dirs.n; i++) {
		struct stat st;
		if (stat(o->templates_dirs.items[i], &st) || !S_ISDIR(st.st_mode))
			return cli_error("--templates-dir '%s' is not a folder", o->templates_dirs.items[i]);
	}
	return CLI_CONTINUE;
}

int incr_notebook_command(struct cli_ctx *ctx, const struct cmd_opts *o, const struct cli_parse *p)
{
	struct diags d = DIAGS_INIT;
	struct catalog cat;
	struct dataset *ds = NULL;
	struct incr_notebook_request req;
	struct incr_notebook_result res;
	int ret, rc;

	memset(&cat, 0, sizeof(cat));
	ret = incr_notebook_check(o, p);
	if (ret != CLI_CONTINUE)
		goto done;
	/* the dataset's start_date: the first day of a series without --start-date */
	if (cli_catalog_open(&cat, o, &d) < 0 || catalog_load_dataset(&ds, &cat, o->dataset, ctx->arena, &d) < 0 ||
	    !ds->incremental) {
		ret = cli_report_diags(&d);
		goto done;
	}
	memset(&req, 0, sizeof(req));
	req.o = o;
	req.p = p;
	req.first = o->has_date ? o->date : (o->has_start_date ? o->start_date : ds->incremental->start_date);
	req.last = o->has_date ? o->date : o->end_date;
	req.mode = GEN_MODE_AUTO;
	req.root = ctx->repo_dir;
	rc = incr_notebook_compile(&res, &req, ctx->arena, &d);
	if (rc == -2) {
		cli_report_diags(&d);
		ret = CLI_EXIT_FAILURE;
		goto done;
	}
	if (rc) {
		ret = cli_report_diags(&d);
		goto done;
	}
	if (o->json) {
		cJSON *doc = cJSON_CreateObject(), *arr = cJSON_CreateArray();
		cJSON_AddStringToObject(doc, "status", "ok");
		cJSON_AddStringToObject(doc, "dataset_id", res.dataset_id);
		cJSON_AddStringToObject(doc, "notebook", res.name);
		cJSON_AddStringToObject(doc, "generation_mode", gen_mode_name((enum gen_mode)res.mode));
		cJSON_AddStringToObject(doc, "output_format", res.format);
		cJSON_AddStringToObject(doc, "path_format", o->path_format);
		cJSON_AddStringToObject(doc, "target_environment",
					o->target_environment == CLI_TARGET_WAREHOUSE ? "warehouse" : "lakehouse");
		cJSON_AddNumberToObject(doc, "days", (double)(req.last - req.first + 1));
		cJSON_AddStringToObject(doc, "output_root", ctx->repo_dir);
		for (size_t i = 0; i < res.n_files; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(res.files[i]));
		cJSON_AddItemToObject(doc, "files", arr);
		cli_print_json(doc);
		cJSON_Delete(doc);
	} else {
		printf("compiled %s (%s, %lld day%s) into %s:\n", res.name, gen_mode_name((enum gen_mode)res.mode),
		       (long long)(req.last - req.first + 1), req.last == req.first ? "" : "s", ctx->repo_dir);
		for (size_t i = 0; i < res.n_files; i++)
			printf("  %s\n", res.files[i]);
	}
	ret = CLI_EXIT_OK;
done:
	diags_release(&d);
	catalog_release(&cat);
	return ret;
}
