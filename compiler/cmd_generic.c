/*
 * cmd_generic: the generic templates (docs/generic-templates.md).
 *
 * `execute-with-parameters NOTEBOOK` runs one of the four generic
 * templates with runtime parameters, by calling the compiler it is part of
 * (design option A): the dataset (--dataset-id, or --custom-schema JSON
 * loaded with the config loader under the name `<custom-schema>`) is
 * validated and planned with the parameters, the notebook the template
 * stands for is compiled into a scratch folder (single: compile.c; series:
 * the incremental notebook of `generate-series`), and run against the
 * normal local lakehouse of the output root (python or pyspark through
 * notebook_run.c, or the native runtime with --engine native).  The answer
 * is one JSON document on stdout; exit codes 0 done, 1 the run failed,
 * 2 usage or config error.
 *
 * `compile-generic-templates` writes the four dispatcher notebooks
 * (design option D) from templates/notebooks/generic_*.j2: each resolves
 * its parameters to the name of a compiled notebook and runs it, refusing
 * parameters that notebook was not compiled with.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "catalog.h"
#include "cfg.h"
#include "compile.h"
#include "context.h"
#include "emit.h"
#include "incremental.h"
#include "ir.h"
#include "model.h"
#include "notebook_run.h"
#include "plan.h"
#include "refdata.h"
#include "run.h"
#include "strbuf.h"
#include "template.h"

extern char **environ;

#define GENERIC_FOLDER "fabric_workspace_items/synthetic_data_generation/generic"

/* A check for NOTEBOOK arguments: a generic template name. */
static int check_generic_template(const char *value, struct strbuf *why)
{
	if (cli_in_list(value, cli_generic_template_names))
		return 0;
	strbuf_addstr(why, "expected ");
	cli_join_choices(why, cli_generic_template_names);
	return -1;
}

/*
 * A check for --custom-schema: '@path', or inline text that is a JSON
 * object (the message of the JSON option type, so both read the same).
 */
static int check_custom_schema(const char *s, struct strbuf *why)
{
	if (s[0] != '@')
		return cli_check_json_object(s, why);
	if (!s[1]) {
		strbuf_addstr(why, "expected a JSON object, or @path of a JSON file");
		return -1;
	}
	return 0;
}

/* Before any dataset is loaded: dates given on the command line are in order. */
static int check_date_order(const struct cmd_opts *o)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int ret = CLI_CONTINUE;
	if (o->has_start_date && o->has_end_date && o->start_date > o->end_date) {
		cli_date_format(&a, o->start_date);
		cli_date_format(&b, o->end_date);
		ret = cli_error("--start-date '%s' is after --end-date '%s'", a.buf, b.buf);
	}
	strbuf_release(&a);
	strbuf_release(&b);
	return ret;
}

/*
 * The series templates need an incremental dataset and dates on or after
 * its start_date (also the --dry-run callback).
 */
static int check_incremental(const struct dataset *ds, const struct plan *plan,
			     struct strbuf *text, cJSON *json, struct diags *d, void *payload)
{
	const struct cmd_opts *o = payload;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int64_t first, start, end;
	int ret = -1;

	(void)plan;
	if (!ds->incremental) {
		diag_error(d, &ds->loc,
			   "dataset '%s' has no incremental section; this command needs an "
			   "incremental dataset (see 'list-incremental-datasets')", ds->id);
		goto done;
	}
	if (!o->has_end_date) {
		diag_error(d, NULL, "'%s' needs --end-date", o->notebook);
		goto done;
	}
	first = ds->incremental->start_date;
	start = o->has_start_date ? o->start_date : first;
	end = o->end_date;
	cli_date_format(&a, start);
	cli_date_format(&b, first);
	if (start < first) {
		diag_error(d, &ds->incremental->loc,
			   "--start-date '%s' is before the dataset's start_date '%s'", a.buf, b.buf);
		goto done;
	}
	strbuf_reset(&b);
	cli_date_format(&b, end);
	if (end < start) {
		diag_error(d, NULL, "--end-date '%s' is before the start date '%s'", b.buf, a.buf);
		goto done;
	}
	if (text && json) {
		int64_t days = end - start + 1;
		int64_t batches = (days + o->batch_size - 1) / o->batch_size;
		strbuf_addf(text, "dates: %s to %s (%lld day%s, %lld batch%s of up to %lld days)\n",
			    a.buf, b.buf, (long long)days, days == 1 ? "" : "s", (long long)batches,
			    batches == 1 ? "" : "es", (long long)o->batch_size);
		cli_json_add_date(json, "start_date", start);
		cli_json_add_date(json, "end_date", end);
		cJSON_AddNumberToObject(json, "days", (double)days);
		cJSON_AddNumberToObject(json, "batches", (double)batches);
	}
	ret = 0;
done:
	strbuf_release(&a);
	strbuf_release(&b);
	return ret;
}

/* ------------------------------------------------------------------ */
/* execute-with-parameters                                             */
/* ------------------------------------------------------------------ */

struct ewp {
	struct cli_ctx *ctx;
	struct cmd_opts *o;
	const struct cli_parse *p;
	bool series, warehouse, custom;
	int engine;               /* enum cli_engine */
	const char *output_mode;  /* table, parquet or csv */
	const char *dataset;      /* what the compiler loads: an id, or the scratch copy of --custom-schema */
	const char *schema_text;  /* --custom-schema, read */
	struct dataset *ds;
	struct plan plan;
	char *scratch;            /* the scratch folder (malloc'ed), or NULL */
	char *root;               /* the output root, absolute (malloc'ed) */
	const char *compiled;     /* the notebook compiled for the run (its name) */
	struct catalog cat;       /* owns the file names of the model's locations */
	struct strbuf error;      /* why the run failed */
	struct ewp_table {
		const char *name;
		int64_t rows;
		const char *path;
	} *tables;                /* the tables written, plan order */
	size_t n_tables, alloc_tables;
	int64_t rows;
};

/* Diagnostics as one line each into `err` (the JSON "error") and to stderr. */
static void take_diags(struct strbuf *err, const struct diags *d)
{
	struct strbuf sb = STRBUF_INIT;
	fflush(stdout);
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *dg = &d->items[i];
		strbuf_reset(&sb);
		if (dg->loc.file)
			diag_format(&sb, dg);
		else
			strbuf_addstr(&sb, dg->msg);
		fprintf(stderr, "%s%s\n", dg->loc.file ? "" : "ingen_fab: ", sb.buf);
		if (dg->level == DIAG_ERROR) {
			if (err->len)
				strbuf_addstr(err, "; ");
			strbuf_addstr(err, sb.buf);
		}
	}
	strbuf_release(&sb);
}

static void ewp_failf(struct ewp *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ewp_failf(struct ewp *w, const char *fmt, ...)
{
	va_list ap;
	struct strbuf sb = STRBUF_INIT;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "ingen_fab: %s\n", sb.buf);
	if (w->error.len)
		strbuf_addstr(&w->error, "; ");
	strbuf_addstr(&w->error, sb.buf);
	strbuf_release(&sb);
}

/* Reads a whole file into `sb`; 0 or -1 with errno. */
static int read_file(struct strbuf *sb, const char *path)
{
	char buf[8192];
	size_t n;
	FILE *f = fopen(path, "rb");
	int ret = 0;
	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(sb, buf, n);
	if (ferror(f))
		ret = -1;
	fclose(f);
	return ret;
}

/*
 * Loads --custom-schema: inline JSON named `<custom-schema>` in
 * diagnostics, or '@path' (named by its path), with the config loader's
 * JSON reader (strict JSON, file:line:col), then the model.
 */
static int load_custom_schema(struct ewp *w, struct diags *d)
{
	struct arena *a = w->ctx->arena;
	const char *arg = w->o->custom_schema, *file = "<custom-schema>";
	struct strbuf text = STRBUF_INIT;
	struct cfg_node *root = NULL;
	int ret = -1;

	if (arg[0] == '@') {
		file = arg + 1;
		if (read_file(&text, file)) {
			diag_error(d, NULL, "cannot read '%s' (--custom-schema): %s", file, strerror(errno));
			goto done;
		}
	} else {
		strbuf_addstr(&text, arg);
	}
	w->schema_text = arena_strndup(a, text.buf, text.len);
	if (cfg_load_json(&root, file, w->schema_text, text.len, a, d) ||
	    model_build(&w->ds, root, a, d))
		goto done;
	ret = 0;
done:
	strbuf_release(&text);
	return ret;
}

/* Loads and plans the dataset with the parameters; 0, or -1 with diagnostics. */
static int ewp_load(struct ewp *w, struct diags *d)
{
	struct plan_options po;
	int ret = -1;

	if (w->custom) {
		if (load_custom_schema(w, d))
			goto done;
	} else {
		if (cli_catalog_open(&w->cat, w->o, d) < 0 ||
		    catalog_load_dataset(&w->ds, &w->cat, w->o->dataset_id, w->ctx->arena, d) < 0)
			goto done;
	}
	if (w->series) {
		if (check_incremental(w->ds, NULL, NULL, NULL, d, w->o) ||
		    incr_prepare(w->ds, w->ctx->arena, d))
			goto done;
	}
	cli_plan_options(&po, w->o);
	if (w->engine == CLI_ENGINE_PYTHON)
		po.mode = GEN_MODE_PYTHON;
	else if (w->engine == CLI_ENGINE_PYSPARK)
		po.mode = GEN_MODE_PYSPARK;
	if (plan_build(&w->plan, w->ds, &po, w->ctx->arena, d))
		goto done;
	ret = 0;
done:
	if (ret && d->n)
		take_diags(&w->error, d);
	return ret;
}

/* The scratch folder of the compiled notebook (TMPDIR, else /tmp). */
static int make_scratch(struct ewp *w)
{
	const char *tmp = getenv("TMPDIR");
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s/ingen_fab-generic-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(sb.buf)) {
		ewp_failf(w, "cannot create a scratch folder '%s': %s", sb.buf, strerror(errno));
		strbuf_release(&sb);
		return -1;
	}
	w->scratch = strbuf_detach(&sb, NULL);
	return 0;
}

/* Records a table written (a series adds each day's rows to its table). */
static void add_table(struct ewp *w, const char *name, int64_t rows, const char *path)
{
	size_t i;
	for (i = 0; i < w->n_tables; i++)
		if (!strcmp(w->tables[i].name, name))
			break;
	if (i == w->n_tables) {
		w->tables = arena_grow_array(w->ctx->arena, w->tables, sizeof(*w->tables), &w->alloc_tables,
					     w->n_tables + 1);
		w->tables[i].name = arena_strdup(w->ctx->arena, name);
		w->tables[i].rows = 0;
		w->tables[i].path = arena_strdup(w->ctx->arena, path);
		w->n_tables++;
	}
	w->tables[i].rows += rows;
	w->rows += rows;
}

/*
 * The COPY INTO script of a warehouse target beside the Parquet files,
 * as the warehouse notebook writes it locally (_warehouse_load.j2).
 */
static int write_copy_into(struct ewp *w, const struct run_stats *st)
{
	struct strbuf files = STRBUF_INIT;
	struct diags d = DIAGS_INIT;
	const char **names = arena_calloc(w->ctx->arena, st->n_tables + 1, sizeof(*names));
	int ret;

	strbuf_addf(&files, "%s/Files/synthetic_data/%s", st->lakehouse, w->ds->id);
	for (size_t i = 0; i < st->n_tables; i++)
		names[i] = st->tables[i].name;
	ret = notebook_copy_into_write(files.buf, "copy_into.sql", names, names, NULL, st->n_tables, &d);
	if (ret)
		take_diags(&w->error, &d);
	strbuf_release(&files);
	diags_release(&d);
	return ret;
}

static enum run_format format_of_mode(const char *mode)
{
	if (!strcmp(mode, "parquet"))
		return RUN_FORMAT_PARQUET;
	if (!strcmp(mode, "csv"))
		return RUN_FORMAT_CSV;
	return RUN_FORMAT_DELTA;
}

/* Single, native engine: the plan lowered and run by the native runtime. */
static int run_single_native(struct ewp *w)
{
	struct diags d = DIAGS_INIT;
	struct refdata_cache refs = REFDATA_CACHE_INIT;
	struct ir_program *progs = NULL;
	struct run_request req;
	struct run_stats st;
	int ret = -1;

	memset(&st, 0, sizeof(st));
	if (ir_lower(&progs, &w->plan, &refs, w->ctx->arena, &d) < 0) {
		take_diags(&w->error, &d);
		goto done;
	}
	memset(&req, 0, sizeof(req));
	req.plan = &w->plan;
	req.programs = progs;
	req.root = w->ctx->repo_dir;
	req.format = format_of_mode(w->output_mode);
	req.threads = 0;
	if (w->o->has_chunk_size)
		req.batch_rows = w->o->chunk_size > RUN_MAX_FILE_ROWS ? RUN_MAX_FILE_ROWS : (size_t)w->o->chunk_size;
	req.progress = false;
	req.catch_signals = true;
	req.write_log = true;
	if (run_execute(&st, &req, &d) < 0) {
		take_diags(&w->error, &d);
		goto done;
	}
	for (size_t i = 0; i < st.n_tables; i++)
		add_table(w, st.tables[i].name, st.tables[i].rows, st.tables[i].path);
	if (w->warehouse && write_copy_into(w, &st))
		goto done;
	ret = 0;
done:
	run_stats_release(&st);
	refdata_cache_release(&refs);
	diags_release(&d);
	return ret;
}

/* The jars of a local Spark: --spark-jars DIR, else INGEN_FAB_SPARK_JARS (checked). */
static int spark_jars(struct ewp *w, const char **jars, struct strbuf *sb, const char *dir)
{
	struct diags d = DIAGS_INIT;
	int ret = notebook_spark_jars(jars, sb, dir, &d);
	if (d.n)
		take_diags(&w->error, &d);
	diags_release(&d);
	return ret;
}

/* Single, python or pyspark: compile into the scratch folder, run against the output root. */
static int run_single_notebook(struct ewp *w, const char *spark_jars_dir)
{
	const bool spark = w->engine == CLI_ENGINE_PYSPARK;
	struct compile_request req;
	struct compile_result res;
	struct notebook_run_request nreq;
	struct notebook_run_result nres;
	struct diags d = DIAGS_INIT;
	struct strbuf jars = STRBUF_INIT, nb = STRBUF_INIT;
	int ret = -1;

	memset(&nreq, 0, sizeof(nreq));
	if (spark && spark_jars(w, &nreq.spark_jars, &jars, spark_jars_dir))
		goto done;
	memset(&req, 0, sizeof(req));
	req.dataset = w->dataset;
	req.datasets_dirs = w->o->datasets_dirs.items;
	req.n_datasets_dirs = w->o->datasets_dirs.n;
	cli_plan_options(&req.plan_options, w->o);
	req.plan_options.mode = spark ? GEN_MODE_PYSPARK : GEN_MODE_PYTHON;
	req.root = w->scratch;
	req.warehouse = w->warehouse;
	req.output_mode = w->output_mode;
	req.notebook = true;
	req.ddl = false;
	if (compile_dataset(&res, &req, w->ctx->arena, &d)) {
		take_diags(&w->error, &d);
		goto done;
	}
	diags_release(&d);
	w->compiled = res.notebook_name;
	strbuf_addf(&nb, "%s/fabric_workspace_items/synthetic_data_generation/%s.Notebook/notebook-content.py",
		    w->scratch, res.notebook_name);
	nreq.notebook = nb.buf;
	nreq.engine = cli_engine_names[w->engine];
	nreq.dataset_id = res.dataset_id;
	nreq.root = w->root;
	nreq.python = notebook_python();
	nreq.show_output = false;
	if (notebook_run(&nres, &nreq, w->ctx->arena, &d) < 0) {
		take_diags(&w->error, &d);
		goto done;
	}
	for (size_t i = 0; i < nres.n_tables; i++)
		add_table(w, nres.tables[i].name, nres.tables[i].rows, nres.tables[i].path);
	ret = 0;
done:
	strbuf_release(&jars);
	strbuf_release(&nb);
	diags_release(&d);
	return ret;
}

/*
 * Runs argv as a child process: stdout into `out` (when not NULL, else to
 * our stderr), stderr inherited, stdin from /dev/null, `extra_env` ("K=V",
 * NULL-terminated) added to the environment.  Returns the exit status, or
 * -1 when it could not run (or was killed).
 */
static int spawn_wait(struct strbuf *out, char *const argv[], const char *const *extra_env)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int pipefd[2] = {-1, -1}, status = 0, rc;
	size_t n_env = 0, n_extra = 0;
	char **envp;

	while (environ[n_env])
		n_env++;
	while (extra_env && extra_env[n_extra])
		n_extra++;
	envp = calloc(n_env + n_extra + 1, sizeof(*envp));
	if (!envp)
		abort();
	n_env = 0;
	for (char **e = environ; *e; e++) {
		bool replaced = false;
		for (size_t k = 0; k < n_extra; k++) {
			const char *eq = strchr(extra_env[k], '=');
			if (eq && !strncmp(*e, extra_env[k], (size_t)(eq - extra_env[k]) + 1))
				replaced = true;
		}
		if (!replaced)
			envp[n_env++] = *e;
	}
	for (size_t k = 0; k < n_extra; k++)
		envp[n_env++] = (char *)extra_env[k];
	envp[n_env] = NULL;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out) {
		if (pipe(pipefd)) {
			free(envp);
			posix_spawn_file_actions_destroy(&fa);
			return -1;
		}
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
		posix_spawn_file_actions_addclose(&fa, pipefd[0]);
		posix_spawn_file_actions_addclose(&fa, pipefd[1]);
	} else {
		posix_spawn_file_actions_adddup2(&fa, 2, 1);
	}
	fflush(stdout);
	fflush(stderr);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	if (out)
		close(pipefd[1]);
	if (rc) {
		if (out)
			close(pipefd[0]);
		errno = rc;
		return -1;
	}
	if (out) {
		char buf[8192];
		ssize_t n;
		while ((n = read(pipefd[0], buf, sizeof(buf))) != 0) {
			if (n < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			strbuf_add(out, buf, (size_t)n);
		}
		close(pipefd[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Adds the tables of a series run summary ({days: [{tables: [{table, rows, path}]}]}), summed per table. */
static int add_series_tables(struct ewp *w, const cJSON *doc, const char *data_root)
{
	const cJSON *days = cJSON_GetObjectItemCaseSensitive(doc, "days"), *day, *t;
	if (!cJSON_IsArray(days))
		return -1;
	cJSON_ArrayForEach(day, days) {
		const cJSON *tables = cJSON_GetObjectItemCaseSensitive(day, "tables");
		cJSON_ArrayForEach(t, tables) {
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(t, "table");
			const cJSON *rows = cJSON_GetObjectItemCaseSensitive(t, "rows");
			if (!cJSON_IsString(name) || !cJSON_IsNumber(rows))
				return -1;
			add_table(w, name->valuestring, (int64_t)rows->valuedouble, data_root);
		}
	}
	return 0;
}

/* The path of this very program, for the series commands run as children. */
static int self_exe(struct strbuf *sb)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	strbuf_add(sb, buf, (size_t)n);
	return 0;
}

/*
 * The argv of `generate-series` for this run: the dataset (its id, or the
 * scratch copy of the custom schema), dates and parameters.
 */
static char **series_argv(struct ewp *w, const char *exe, const char *root, bool execute, const char *mode)
{
	struct arena *a = w->ctx->arena;
	const struct cmd_opts *o = w->o;
	const char **v = arena_calloc(a, 64 + 2 * o->datasets_dirs.n, sizeof(*v));
	struct strbuf sb = STRBUF_INIT;
	size_t n = 0;

#define ARG(s) (v[n++] = arena_strdup(a, (s)))
#define ARGF(...)                                  \
	do {                                       \
		strbuf_reset(&sb);                 \
		strbuf_addf(&sb, __VA_ARGS__);     \
		ARG(sb.buf);                       \
	} while (0)
	ARG(exe);
	ARG("--fabric-workspace-repo-dir");
	ARG(root);
	ARG("package");
	ARG("synthetic-data");
	ARG("generate-series");
	ARG(w->dataset);
	if (o->has_start_date) {
		strbuf_reset(&sb);
		cli_date_format(&sb, o->start_date);
		ARG("--start-date");
		ARG(sb.buf);
	}
	strbuf_reset(&sb);
	cli_date_format(&sb, o->end_date);
	ARG("--end-date");
	ARG(sb.buf);
	ARGF("--batch-size=%lld", (long long)o->batch_size);
	ARGF("--path-format=%s", o->path_format);
	ARGF("--output-mode=%s", w->output_mode);
	ARGF("--seed=%lld", (long long)w->plan.seed);
	ARGF("--target-rows=%lld", (long long)w->plan.target_rows);
	ARGF("--scale-factor=%.17g", w->plan.scale_factor);
	ARGF("--generation-mode=%s", mode);
	if (w->warehouse)
		ARG("--target-environment=warehouse");
	if (o->has_chunk_size)
		ARGF("--chunk-size=%lld", (long long)o->chunk_size);
	if (o->tables.n) {
		strbuf_reset(&sb);
		for (size_t i = 0; i < o->tables.n; i++)
			strbuf_addf(&sb, "%s%s", i ? "," : "", o->tables.items[i]);
		ARG("--tables");
		ARG(sb.buf);
	}
	for (size_t i = 0; i < o->datasets_dirs.n; i++) {
		ARG("--datasets-dir");
		ARG(o->datasets_dirs.items[i]);
	}
	if (o->ignore_state)
		ARG("--ignore-state");
	if (execute) {
		ARG("--execute");
		ARG("--engine=native");
	}
	ARG("--json");
#undef ARG
#undef ARGF
	v[n] = NULL;
	strbuf_release(&sb);
	return (char **)v;
}

/*
 * Series: the native engine runs `generate-series --execute` (a child of
 * this program) against the output root; python and pyspark compile the
 * series notebook into the scratch folder (`generate-series` without
 * --execute) and run it against the output root with notebook_run() (the
 * series runner `generate-series --execute --engine python|pyspark` uses).
 */
static int run_series(struct ewp *w, const char *spark_jars_dir)
{
	struct strbuf exe = STRBUF_INIT, out = STRBUF_INIT, nb = STRBUF_INIT, data_root = STRBUF_INIT,
		      jars = STRBUF_INIT;
	cJSON *doc = NULL;
	int ret = -1, status;
	const char *engine = cli_engine_names[w->engine];

	strbuf_addf(&data_root, "%s/lakehouse/%s/Files/synthetic_data/%s/%s", w->root, w->ds->id, w->ds->id,
		    w->output_mode);
	if (self_exe(&exe)) {
		ewp_failf(w, "cannot find the ingen_fab program (/proc/self/exe): %s", strerror(errno));
		goto done;
	}
	if (w->engine == CLI_ENGINE_NATIVE) {
		status = spawn_wait(&out, series_argv(w, exe.buf, w->root, true, "auto"), NULL);
		doc = out.len ? cJSON_Parse(out.buf) : NULL;
		if (status != 0 || !doc) {
			ewp_failf(w, "the native series run failed (exit status %d)", status);
			goto done;
		}
		if (add_series_tables(w, doc, data_root.buf)) {
			ewp_failf(w, "the native series run gave no day summaries");
			goto done;
		}
		ret = 0;
		goto done;
	}
	{
		struct notebook_run_request nreq;
		struct notebook_run_result nres;
		struct diags d = DIAGS_INIT;
		const cJSON *name;
		memset(&nreq, 0, sizeof(nreq));
		if (w->engine == CLI_ENGINE_PYSPARK && spark_jars(w, &nreq.spark_jars, &jars, spark_jars_dir))
			goto done;
		status = spawn_wait(&out, series_argv(w, exe.buf, w->scratch, false, engine), NULL);
		doc = out.len ? cJSON_Parse(out.buf) : NULL;
		name = doc ? cJSON_GetObjectItemCaseSensitive(doc, "notebook") : NULL;
		if (status != 0 || !cJSON_IsString(name)) {
			ewp_failf(w, "compiling the series notebook failed (exit status %d)", status);
			goto done;
		}
		w->compiled = arena_strdup(w->ctx->arena, name->valuestring);
		strbuf_addf(&nb, "%s/fabric_workspace_items/synthetic_data_generation/%s.Notebook/notebook-content.py",
			    w->scratch, name->valuestring);
		nreq.notebook = nb.buf;
		nreq.engine = engine;
		nreq.dataset_id = w->ds->id;
		nreq.root = w->root;
		nreq.python = notebook_python();
		nreq.series = true;
		if (notebook_run(&nres, &nreq, w->ctx->arena, &d) < 0) {
			take_diags(&w->error, &d);
			diags_release(&d);
			goto done;
		}
		diags_release(&d);
		for (size_t i = 0; i < nres.n_days; i++)
			for (size_t k = 0; k < nres.days[i].n_tables; k++)
				add_table(w, nres.days[i].tables[k].name, nres.days[i].tables[k].rows, data_root.buf);
	}
	ret = 0;
done:
	cJSON_Delete(doc);
	strbuf_release(&exe);
	strbuf_release(&out);
	strbuf_release(&nb);
	strbuf_release(&data_root);
	strbuf_release(&jars);
	return ret;
}

/* The effective parameters of the run, for the answer. */
static cJSON *ewp_parameters(const struct ewp *w)
{
	const struct cmd_opts *o = w->o;
	cJSON *p = cJSON_CreateObject();
	char buf[64];
	if (o->custom_schema)
		cJSON_AddBoolToObject(p, "custom_schema", true);
	else
		cJSON_AddStringToObject(p, "dataset_id", o->dataset_id);
	if (w->ds && w->plan.ds) {
		cli_json_add_int(p, "target_rows", w->plan.target_rows);
		snprintf(buf, sizeof(buf), "%.17g", w->plan.scale_factor);
		cJSON_AddRawToObject(p, "scale_factor", buf);
		cli_json_add_int(p, "seed", w->plan.seed);
		cJSON_AddStringToObject(p, "generation_mode", gen_mode_name(w->plan.mode));
	}
	cJSON_AddStringToObject(p, "target_environment", w->warehouse ? "warehouse" : "lakehouse");
	cJSON_AddStringToObject(p, "output_mode", w->output_mode);
	if (w->series) {
		if (o->has_start_date)
			cli_json_add_date(p, "start_date", o->start_date);
		else if (w->ds && w->ds->incremental)
			cli_json_add_date(p, "start_date", w->ds->incremental->start_date);
		if (o->has_end_date)
			cli_json_add_date(p, "end_date", o->end_date);
		cli_json_add_int(p, "batch_size", o->batch_size);
		cJSON_AddStringToObject(p, "path_format", o->path_format);
	}
	cJSON_AddBoolToObject(p, "enable_partitioning", o->enable_partitioning);
	if (o->tables.n) {
		cJSON *t = cJSON_AddArrayToObject(p, "tables");
		for (size_t i = 0; i < o->tables.n; i++)
			cJSON_AddItemToArray(t, cJSON_CreateString(o->tables.items[i]));
	}
	return p;
}

static void ewp_answer(const struct ewp *w, const char *status, double seconds)
{
	cJSON *doc = cJSON_CreateObject();
	char buf[64];
	cJSON_AddStringToObject(doc, "status", status);
	cJSON_AddStringToObject(doc, "notebook", w->o->notebook);
	if (w->ds)
		cJSON_AddStringToObject(doc, "dataset_id", w->ds->id);
	else if (w->o->dataset_id)
		cJSON_AddStringToObject(doc, "dataset_id", w->o->dataset_id);
	else
		cJSON_AddNullToObject(doc, "dataset_id");
	cJSON_AddStringToObject(doc, "engine", cli_engine_names[w->engine]);
	if (w->compiled)
		cJSON_AddStringToObject(doc, "compiled_notebook", w->compiled);
	cJSON_AddItemToObject(doc, "parameters", ewp_parameters(w));
	{
		cJSON *arr = cJSON_AddArrayToObject(doc, "tables");
		for (size_t i = 0; i < w->n_tables; i++) {
			cJSON *t = cJSON_CreateObject();
			cJSON_AddStringToObject(t, "table", w->tables[i].name);
			cli_json_add_int(t, "rows", w->tables[i].rows);
			cJSON_AddStringToObject(t, "path", w->tables[i].path);
			cJSON_AddItemToArray(arr, t);
		}
	}
	cli_json_add_int(doc, "rows", w->rows);
	snprintf(buf, sizeof(buf), "%.3f", seconds);
	cJSON_AddRawToObject(doc, "seconds", buf);
	if (w->error.len)
		cJSON_AddStringToObject(doc, "error", w->error.buf);
	cli_print_json(doc);
	cJSON_Delete(doc);
}

static int ewp_execute(struct cli_ctx *ctx, struct cmd_opts *o, const struct cli_parse *p, int engine,
		       bool has_engine, const char *spark_jars_dir)
{
	struct ewp w;
	struct diags d = DIAGS_INIT;
	double t0 = run_clock_s();
	int ret = CLI_EXIT_USAGE, rc;

	memset(&w, 0, sizeof(w));
	strbuf_init(&w.error, 0);
	w.ctx = ctx;
	w.o = o;
	w.p = p;
	w.series = strstr(o->notebook, "_series_") != NULL;
	w.warehouse = strstr(o->notebook, "_warehouse") != NULL;
	w.custom = o->custom_schema != NULL;
	w.engine = has_engine ? engine : -1;
	w.dataset = o->dataset_id;
	if (w.series && cli_parse_source(p, "output-mode") == CLI_SRC_DEFAULT)
		w.output_mode = "parquet"; /* the series write files */
	else
		w.output_mode = cli_output_mode_names[o->output_mode];
	if (w.warehouse)
		w.output_mode = "parquet"; /* loaded with COPY INTO */

	if (has_engine && engine != CLI_ENGINE_NATIVE && (enum gen_mode)o->generation_mode != GEN_MODE_AUTO &&
	    (enum gen_mode)o->generation_mode != (engine == CLI_ENGINE_PYSPARK ? GEN_MODE_PYSPARK : GEN_MODE_PYTHON)) {
		ewp_failf(&w, "'--generation-mode %s' does not match '--engine %s': the %s engine runs the %s notebook",
			  cli_gen_mode_names[o->generation_mode], cli_engine_names[engine], cli_engine_names[engine],
			  engine == CLI_ENGINE_PYSPARK ? "pyspark" : "python");
		goto answer;
	}
	if (!w.series && cli_parse_source(p, "path-format") != CLI_SRC_DEFAULT) {
		ewp_failf(&w, "--path-format applies to the series templates; '%s' writes Tables/<table> or "
			      "Files/synthetic_data/<dataset>/<mode>/<table>", o->notebook);
		goto answer;
	}
	if (w.series && !strcmp(w.output_mode, "table")) {
		ewp_failf(&w, "the series templates write parquet or csv files; '--output-mode table' is not "
			      "built for series (appending days to Delta tables)");
		ret = CLI_EXIT_FAILURE;
		goto answer;
	}
	if (ewp_load(&w, &d)) {
		fprintf(stderr, "ingen_fab: %d error%s\n", d.errors ? d.errors : 1, d.errors == 1 ? "" : "s");
		goto answer;
	}
	if (w.engine < 0)
		w.engine = w.plan.mode == GEN_MODE_PYSPARK ? CLI_ENGINE_PYSPARK : CLI_ENGINE_PYTHON;

	/* from here on the work can fail, not the request */
	ret = CLI_EXIT_FAILURE;
	if (emit_mkdirs(ctx->repo_dir) || !(w.root = realpath(ctx->repo_dir, NULL))) {
		ewp_failf(&w, "cannot create the output root '%s': %s", ctx->repo_dir, strerror(errno));
		goto answer;
	}
	if (make_scratch(&w))
		goto answer;
	if (w.custom) {
		/* the compiler loads the custom schema from a file in the scratch folder */
		struct strbuf path = STRBUF_INIT;
		FILE *f;
		strbuf_addf(&path, "%s/%s.json", w.scratch, w.ds->id);
		f = fopen(path.buf, "w");
		if (!f || fwrite(w.schema_text, 1, strlen(w.schema_text), f) != strlen(w.schema_text) || fclose(f)) {
			ewp_failf(&w, "cannot write '%s': %s", path.buf, strerror(errno));
			strbuf_release(&path);
			goto answer;
		}
		w.dataset = arena_strdup(ctx->arena, path.buf);
		strbuf_release(&path);
	}
	if (w.series)
		rc = run_series(&w, spark_jars_dir);
	else if (w.engine == CLI_ENGINE_NATIVE)
		rc = run_single_native(&w);
	else
		rc = run_single_notebook(&w, spark_jars_dir);
	if (rc == 0)
		ret = CLI_EXIT_OK;
answer:
	if (ret != CLI_EXIT_USAGE || o->json)
		ewp_answer(&w, ret == CLI_EXIT_OK ? "ok" : ret == CLI_EXIT_FAILURE ? "failed" : "invalid",
			   run_clock_s() - t0);
	if (w.scratch)
		(void)run_remove_tree(w.scratch);
	free(w.scratch);
	free(w.root);
	strbuf_release(&w.error);
	catalog_release(&w.cat);
	diags_release(&d);
	return ret;
}

int cmd_execute_with_parameters(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cmd_opts o;
	struct cli_parse p;
	const char *spark_jars_dir = NULL;
	int engine = CLI_ENGINE_NATIVE;
	bool has_engine = false, series;
	int ret;
	const struct cli_opt opts[] = {
		{.type = CLI_OPT_ARG, .arg = "NOTEBOOK", .value = &o.notebook,
		 .help = "the generic notebook to run", .choices = cli_generic_template_names,
		 .check = check_generic_template, .flags = CLI_OPT_REQUIRED},
		{.type = CLI_OPT_STRING, .long_name = "dataset-id", .value = &o.dataset_id,
		 .arg = "ID", .help = "the dataset: an id or a path to a config"},
		{.type = CLI_OPT_DATE, .long_name = "start-date", .value = &o.start_date,
		 .given = &o.has_start_date, .help = "series: the first day",
		 .def = "the dataset's incremental start_date"},
		{.type = CLI_OPT_DATE, .long_name = "end-date", .value = &o.end_date,
		 .given = &o.has_end_date, .help = "series: the last day (included)"},
		{.type = CLI_OPT_INT, .long_name = "batch-size", .value = &o.batch_size,
		 .arg = "DAYS", .help = "series: days per batch", .def = "10", .imin = 1,
		 .imax = 36600},
		CMD_OPT_TARGET_ROWS(&o, 0),
		CMD_OPT_SCALE_FACTOR(&o),
		CMD_OPT_PATH_FORMAT(&o, 0, "path-format", "nested"),
		{.type = CLI_OPT_ENUM, .long_name = "output-mode", .value = &o.output_mode,
		 .choices = cli_output_mode_names,
		 .help = "what the run writes: Delta tables, or Parquet/CSV files (warehouse: parquet)",
		 .def = "table; series: parquet"},
		CMD_OPT_SEED(&o, 0),
		CMD_OPT_GEN_MODE(&o, 0),
		{.type = CLI_OPT_ENUM, .long_name = "engine", .value = &engine, .given = &has_engine,
		 .choices = cli_engine_names,
		 .help = "run the compiled notebook with local Python/Spark, or the native runtime",
		 .def = "the generation mode's notebook"},
		{.type = CLI_OPT_STRING, .long_name = "spark-jars", .value = &spark_jars_dir,
		 .arg = "DIR", .help = "--engine pyspark: the Delta Lake jars are the *.jar files of DIR; "
			 "wins over INGEN_FAB_SPARK_JARS (comma-separated jar paths)"},
		{.type = CLI_OPT_STRING, .long_name = "custom-schema", .value = &o.custom_schema,
		 .arg = "JSON", .check = check_custom_schema,
		 .help = "a dataset config as a JSON object (or @path of a JSON file), instead of --dataset-id"},
		{.type = CLI_OPT_FLAG, .long_name = "enable-partitioning",
		 .value = &o.enable_partitioning,
		 .help = "upstream's flag: Delta tables are partitioned by the config's partition_columns either way"},
		{.type = CLI_OPT_FLAG, .long_name = "ignore-state", .value = &o.ignore_state,
		 .help = "series: start afresh, ignoring the state of earlier runs"},
		CMD_OPT_CHUNK_SIZE(&o),
		CMD_OPT_TABLES(&o),
		CMD_OPT_DATASETS_DIR(&o),
		CMD_OPT_PARAMETERS(&o, 0, NULL),
		{.type = CLI_OPT_FLAG, .long_name = "dry-run", .alias = "validate-only",
		 .value = &o.dry_run, .help = "validate and print the plan; run nothing",
		 .flags = CLI_OPT_QUIET},
		CMD_OPT_JSON(&o),
		CLI_OPT_END_ENTRY,
	};

	cmd_opts_init(&o);
	o.path_format = "nested";
	ret = cli_cmd_parse(&p, ctx, opts, argc, argv);
	if (ret != CLI_CONTINUE)
		goto done;
	if (o.dataset_id && o.custom_schema) {
		ret = cli_error("give --dataset-id or --custom-schema, not both");
		goto done;
	}
	if (o.dataset_id && cli_in_list(o.dataset_id, cli_generic_template_names)) {
		ret = cli_error("'%s' is a generic template, not a dataset", o.dataset_id);
		goto done;
	}
	ret = check_date_order(&o);
	if (ret != CLI_CONTINUE)
		goto done;
	series = strstr(o.notebook, "_series_") != NULL;
	if (series && o.dataset_id && !o.has_end_date) {
		ret = cli_error("'%s' needs --end-date", o.notebook);
		goto done;
	}
	if (o.dry_run) {
		ret = cli_dry_run(ctx, &o, &p, o.dataset_id ? (const char *const *)&o.dataset_id : NULL,
				  o.dataset_id ? 1 : 0, series && o.dataset_id ? check_incremental : NULL, &o);
		goto done;
	}
	if (!o.dataset_id && !o.custom_schema) {
		ret = cli_error("missing dataset: give --dataset-id or --custom-schema");
		goto done;
	}
	ret = ewp_execute(ctx, &o, &p, engine, has_engine, spark_jars_dir);
done:
	cli_parse_release(&p);
	return ret;
}

/* ------------------------------------------------------------------ */
/* compile-generic-templates                                           */
/* ------------------------------------------------------------------ */

/*
 * The catalogue the dispatchers carry, as JSON: per built-in dataset its
 * target_rows and seed (what `compile -d ID` compiles in) and the
 * incremental start_date.
 */
static int catalogue_json(struct strbuf *out, const struct cmd_opts *o, struct arena *arena)
{
	struct catalog cat;
	struct diags d = DIAGS_INIT;
	cJSON *doc = cJSON_CreateObject();
	char *text;
	int ret = -1;

	memset(&cat, 0, sizeof(cat));
	if (cli_catalog_open(&cat, o, &d) < 0) {
		cli_report_diags(&d);
		goto done;
	}
	for (size_t i = 0; i < cat.n; i++) {
		struct dataset *ds = NULL;
		struct diags ignore = DIAGS_INIT;
		cJSON *item;
		if (!cat.items[i].builtin || catalog_load_dataset(&ds, &cat, cat.items[i].id, arena, &ignore)) {
			diags_release(&ignore);
			continue;
		}
		diags_release(&ignore);
		item = cJSON_AddObjectToObject(doc, ds->id);
		cli_json_add_int(item, "target_rows", ds->target_rows);
		cli_json_add_int(item, "seed", ds->seed);
		if (ds->incremental)
			cli_json_add_date(item, "start_date", ds->incremental->start_date);
	}
	text = cJSON_PrintUnformatted(doc);
	strbuf_addstr(out, text);
	cJSON_free(text);
	ret = 0;
done:
	cJSON_Delete(doc);
	diags_release(&d);
	catalog_release(&cat);
	return ret;
}

/* The generic templates a compile-generic-templates run selects. */
static bool template_selected(const struct cli_template_info *t, const struct cmd_opts *o, bool all_targets);

/*
 * Renders the selected dispatchers and writes them (notebook-content.py and
 * .platform each), refusing to replace existing ones without --force.
 */
static int write_generic_templates(struct cli_ctx *ctx, const struct cmd_opts *o, bool all_targets)
{
	struct emit_set files = EMIT_SET_INIT;
	struct template_env env;
	struct diags d = DIAGS_INIT;
	struct strbuf cat = STRBUF_INIT, path = STRBUF_INIT, existing = STRBUF_INIT;
	size_t n_existing = 0;
	int ret;

	for (size_t i = 0; i < o->templates_dirs.n; i++) {
		struct stat st;
		if (stat(o->templates_dirs.items[i], &st) || !S_ISDIR(st.st_mode)) {
			ret = cli_error("--templates-dir '%s' is not a folder", o->templates_dirs.items[i]);
			goto done;
		}
	}
	for (const struct cli_template_info *t = cli_templates; t->name; t++) {
		struct stat st;
		if (!template_selected(t, o, all_targets))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s/%s.Notebook", ctx->repo_dir, GENERIC_FOLDER, t->name);
		if (!stat(path.buf, &st)) {
			strbuf_addf(&existing, "%s'%s'", n_existing ? ", " : "", path.buf);
			n_existing++;
		}
	}
	if (n_existing && !o->force) {
		ret = cli_error("%s exist%s already: pass --force to overwrite", existing.buf,
				n_existing == 1 ? "s" : "");
		goto done;
	}
	if (catalogue_json(&cat, o, ctx->arena)) {
		ret = CLI_EXIT_USAGE;
		goto done;
	}
	env.dirs = o->templates_dirs.items;
	env.n_dirs = o->templates_dirs.n;
	for (const struct cli_template_info *t = cli_templates; t->name; t++) {
		struct strbuf nb = STRBUF_INIT, pf = STRBUF_INIT, desc = STRBUF_INIT;
		cJSON *tctx;
		int rc;
		if (!template_selected(t, o, all_targets))
			continue;
		tctx = cJSON_CreateObject();
		cJSON_AddStringToObject(tctx, "template_name", t->name);
		cJSON_AddStringToObject(tctx, "target", t->target);
		cJSON_AddBoolToObject(tctx, "series", !strcmp(t->shape, "series"));
		cli_json_add_int(tctx, "large_above", PLAN_AUTO_PYSPARK_ABOVE);
		cJSON_AddStringToObject(tctx, "catalogue", cat.buf);
		rc = template_render(&nb, &env, "notebooks/generic_dispatcher.py.j2", tctx, &d);
		cJSON_Delete(tctx);
		if (rc) {
			strbuf_release(&nb);
			ret = cli_report_diags(&d);
			goto done;
		}
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s.Notebook/notebook-content.py", GENERIC_FOLDER, t->name);
		emit_set_add(&files, path.buf, &nb);
		strbuf_addf(&desc, "Generic notebook: %s", t->description);
		compile_platform_json(&pf, t->name, desc.buf);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s.Notebook/.platform", GENERIC_FOLDER, t->name);
		emit_set_add(&files, path.buf, &pf);
		strbuf_release(&nb);
		strbuf_release(&pf);
		strbuf_release(&desc);
	}
	if (emit_set_write(&files, ctx->repo_dir, &d)) {
		cli_report_diags(&d);
		ret = CLI_EXIT_FAILURE;
		goto done;
	}
	if (o->json) {
		cJSON *doc = cJSON_CreateObject(), *arr;
		cJSON_AddStringToObject(doc, "status", "ok");
		cJSON_AddStringToObject(doc, "output_root", ctx->repo_dir);
		arr = cJSON_AddArrayToObject(doc, "files");
		for (size_t i = 0; i < files.n; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(files.files[i].path));
		cli_print_json(doc);
		cJSON_Delete(doc);
	} else {
		printf("compiled %zu generic notebook%s into %s:\n", files.n / 2, files.n == 2 ? "" : "s",
		       ctx->repo_dir);
		for (size_t i = 0; i < files.n; i++)
			printf("  %s\n", files.files[i].path);
	}
	ret = CLI_EXIT_OK;
done:
	emit_set_release(&files);
	strbuf_release(&cat);
	strbuf_release(&path);
	strbuf_release(&existing);
	diags_release(&d);
	return ret;
}

/* The generic templates a compile-generic-templates run selects. */
static bool template_selected(const struct cli_template_info *t, const struct cmd_opts *o, bool all_targets)
{
	if (strcmp(t->kind, "generic") ||
	    (!all_targets && strcmp(t->target, cli_target_names[o->target_environment])))
		return false;
	return o->template_type == CLI_TEMPLATES_ALL ||
	       !strcmp(t->shape, cli_template_type_names[o->template_type]);
}

int cmd_compile_generic_templates(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cmd_opts o;
	struct cli_parse p;
	bool all_targets;
	int ret;
	const struct cli_opt opts[] = {
		{.type = CLI_OPT_ENUM, .short_name = 't', .long_name = "target-environment",
		 .value = &o.target_environment, .choices = cli_target_names,
		 .help = "the templates of this target only", .def = "both"},
		{.type = CLI_OPT_FLAG, .long_name = "force", .value = &o.force,
		 .help = "recompile notebooks that exist already"},
		{.type = CLI_OPT_ENUM, .long_name = "template-type", .value = &o.template_type,
		 .choices = cli_template_type_names, .help = "which templates", .def = "all"},
		CMD_OPT_TEMPLATES_DIR(&o),
		CMD_OPT_PARAMETERS(&o, 0, NULL),
		CMD_OPT_DRY_RUN(&o),
		CMD_OPT_JSON(&o),
		CLI_OPT_END_ENTRY,
	};

	cmd_opts_init(&o);
	ret = cli_cmd_parse(&p, ctx, opts, argc, argv);
	if (ret != CLI_CONTINUE)
		goto done;
	/* without --target-environment: the templates of both targets */
	all_targets = cli_parse_source(&p, "target-environment") == CLI_SRC_DEFAULT;
	if (!o.dry_run) {
		ret = write_generic_templates(ctx, &o, all_targets);
		goto done;
	}
	if (o.json) {
		cJSON *doc = cJSON_CreateObject(), *arr;
		cJSON_AddStringToObject(doc, "command", ctx->cmd->name);
		cJSON_AddBoolToObject(doc, "dry_run", true);
		cJSON_AddStringToObject(doc, "output_root", ctx->repo_dir);
		cli_parse_to_json(cJSON_AddObjectToObject(doc, "options"),
				  cJSON_AddObjectToObject(doc, "sources"), &p);
		arr = cJSON_AddArrayToObject(doc, "templates");
		for (const struct cli_template_info *t = cli_templates; t->name; t++) {
			struct strbuf path = STRBUF_INIT;
			cJSON *item;
			if (!template_selected(t, &o, all_targets))
				continue;
			strbuf_addf(&path, "fabric_workspace_items/synthetic_data_generation/generic/%s.Notebook",
				    t->name);
			item = cJSON_CreateObject();
			cJSON_AddStringToObject(item, "name", t->name);
			cJSON_AddStringToObject(item, "path", path.buf);
			cJSON_AddItemToArray(arr, item);
			strbuf_release(&path);
		}
		cli_print_json(doc);
		cJSON_Delete(doc);
	} else {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "dry run: %s %s\noutput root: %s\n", CLI_GROUP, ctx->cmd->name,
			    ctx->repo_dir);
		{
			struct strbuf d = STRBUF_INIT;
			cli_parse_describe(&d, &p);
			if (d.len)
				strbuf_addf(&sb, "options:\n%s", d.buf);
			strbuf_release(&d);
		}
		strbuf_addstr(&sb, "\nwould compile:\n");
		for (const struct cli_template_info *t = cli_templates; t->name; t++)
			if (template_selected(t, &o, all_targets))
				strbuf_addf(&sb, "  fabric_workspace_items/synthetic_data_generation/generic/%s.Notebook\n",
					    t->name);
		fwrite(sb.buf, 1, sb.len, stdout);
		strbuf_release(&sb);
	}
	ret = CLI_EXIT_OK;
done:
	cli_parse_release(&p);
	return ret;
}
