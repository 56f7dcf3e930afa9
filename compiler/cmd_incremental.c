/*
 * cmd_incremental: `generate-incremental DATASET --date D` (one day) and
 * `generate-series DATASET --start-date --end-date --batch-size` (a range)
 * of an incremental dataset (docs/incremental.md).  Both check their dates
 * against the dataset's start_date; --dry-run prints the plan and what each
 * day writes.  With --execute and the native engine, the days run in order:
 * each day's tables are generated into a staging folder by the native
 * runtime (runtime/run.h) and renamed into the folders of --path-format,
 * then the state file beside the data (Files/_state/<dataset_id>.json)
 * records the day as completed, so a series resumes after it (--resume) and
 * an interrupted day is simply generated again.  With a warehouse target
 * the days are Parquet and each day's COPY INTO script is written beside
 * them.  With --execute --engine python|pyspark the state is checked the
 * same way, then the incremental notebook of the days left is compiled
 * (incr_notebook.h) and run by the series runner of notebook_run.h, whose
 * run log gives the same summary.  Exit codes: 0 done, 1 the run failed or
 * was interrupted, 2 a usage or config error.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "catalog.h"
#include "delta_log.h"
#include "incr_notebook.h"
#include "incremental.h"
#include "ir.h"
#include "log_table.h"
#include "model.h"
#include "notebook_run.h"
#include "plan.h"
#include "refdata.h"
#include "run.h"
#include "strbuf.h"

/* What a day writes, as JSON (row counters as exact 64-bit integers). */
static cJSON *day_json(const struct incr_series *s, const struct incr_day *day)
{
	cJSON *doc = cJSON_CreateObject(), *arr;
	cli_json_add_date(doc, "date", day->date);
	cli_json_add_int(doc, "day_index", day->day);
	cJSON_AddNumberToObject(doc, "weight", s->weight[day->day]);
	arr = cJSON_AddArrayToObject(doc, "tables");
	for (size_t i = 0; i < day->n_tables; i++) {
		const struct incr_day_table *dt = &day->tables[i];
		const struct incr_table *it = &s->tables[i];
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "name", dt->table->name);
		cJSON_AddStringToObject(t, "type", incr_table_type_name(it->type));
		cJSON_AddBoolToObject(t, "generated", dt->generated);
		cli_json_add_int(t, "rows", dt->rows);
		cli_json_add_int(t, "row_start", dt->row_start);
		if (it->child)
			cli_json_add_int(t, "parent_rows", dt->parent_rows);
		if (it->versioned) {
			cli_json_add_int(t, "keys", dt->keys);
			cli_json_add_int(t, "new_keys", dt->new_keys);
			cli_json_add_int(t, "changed_keys", dt->changed_keys);
		}
		cJSON_AddItemToArray(arr, t);
	}
	return doc;
}

/* The days a command runs: [first, last] as dates, checked against start_date. */
static int command_days(int64_t *first, int64_t *last, const struct dataset *ds, const struct cmd_opts *o,
			struct diags *d)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int64_t start = ds->incremental->start_date;
	int ret = -1;
	cli_date_format(&b, start);
	if (o->has_date) {
		*first = *last = o->date;
		cli_date_format(&a, o->date);
		if (o->date < start) {
			diag_error(d, &ds->incremental->loc, "--date '%s' is before the dataset's start_date '%s'",
				   a.buf, b.buf);
			goto done;
		}
	} else {
		*first = o->has_start_date ? o->start_date : start;
		*last = o->end_date;
		cli_date_format(&a, *first);
		if (*first < start) {
			diag_error(d, &ds->incremental->loc,
				   "--start-date '%s' is before the dataset's start_date '%s'", a.buf, b.buf);
			goto done;
		}
		strbuf_reset(&b);
		cli_date_format(&b, *last);
		if (*last < *first) {
			diag_error(d, NULL, "--end-date '%s' is before the start date '%s'", b.buf, a.buf);
			goto done;
		}
	}
	if (*last - start >= INCR_MAX_DAYS) {
		strbuf_reset(&a);
		cli_date_format(&a, *last);
		diag_error(d, &ds->incremental->loc,
			   "'%s' is %lld days after the dataset's start_date; at most %d days are supported", a.buf,
			   (long long)(*last - start), INCR_MAX_DAYS - 1);
		goto done;
	}
	ret = 0;
done:
	strbuf_release(&a);
	strbuf_release(&b);
	return ret;
}

/* A path format is checked on a real table and day before anything runs. */
static int check_path_format(const struct dataset *ds, const char *format, int64_t date, struct diags *d)
{
	struct strbuf sb = STRBUF_INIT, why = STRBUF_INIT;
	int ret = 0;
	if (incr_path_format(&sb, &why, format, ds->id, ds->tables[0]->name, date))
		ret = diag_error(d, NULL, "invalid value '%s' for '--path-format': %s", format, why.buf);
	strbuf_release(&sb);
	strbuf_release(&why);
	return ret;
}

/*
 * The check of every run (and the day plans of a dry run): an incremental
 * dataset, dates on or after its start_date, a usable path format.
 */
static int check_days(const struct dataset *ds, const struct plan *plan, struct strbuf *text, cJSON *json,
		      struct diags *d, void *payload)
{
	const struct cmd_opts *o = payload;
	struct arena arena = ARENA_INIT;
	struct incr_series s;
	int64_t first, last, start;
	int ret = -1;

	if (!ds->incremental)
		return diag_error(d, &ds->loc,
				  "dataset '%s' has no incremental section; this command needs an incremental dataset (see 'list-incremental-datasets')",
				  ds->id);
	if (command_days(&first, &last, ds, o, d) || check_path_format(ds, o->path_format, first, d))
		return -1;
	start = ds->incremental->start_date;
	if (incr_series_build(&s, plan, last - start + 1, &arena, d))
		goto done;
	if (o->has_date) {
		struct incr_day day;
		if (incr_plan_day(&day, &s, first - start, &arena, d))
			goto done;
		incr_day_format_text(text, &s, &day);
		cli_json_add_date(json, "date", first);
		cJSON_AddNumberToObject(json, "day_index", (double)(first - start));
		cJSON_AddItemToObject(json, "day", day_json(&s, &day));
	} else {
		int64_t days = last - first + 1, batches = (days + o->batch_size - 1) / o->batch_size;
		cJSON *arr;
		strbuf_addstr(text, "dates: ");
		cli_date_format(text, first);
		strbuf_addstr(text, " to ");
		cli_date_format(text, last);
		strbuf_addf(text, " (%lld day%s, %lld batch%s of up to %lld days)\n", (long long)days,
			    days == 1 ? "" : "s", (long long)batches, batches == 1 ? "" : "es",
			    (long long)o->batch_size);
		cli_json_add_date(json, "start_date", first);
		cli_json_add_date(json, "end_date", last);
		cJSON_AddNumberToObject(json, "days", (double)days);
		cJSON_AddNumberToObject(json, "batches", (double)batches);
		arr = cJSON_AddArrayToObject(json, "day_plans");
		for (int64_t day_i = first - start; day_i <= last - start; day_i++) {
			struct incr_day day = {0};
			if (incr_plan_day(&day, &s, day_i, &arena, d))
				goto done;
			if (o->dry_run) {
				strbuf_addstr(text, "  ");
				cli_date_format(text, day.date);
				strbuf_addch(text, ':');
				for (size_t i = 0; i < day.n_tables; i++)
					if (day.tables[i].generated)
						strbuf_addf(text, " %s %lld", day.tables[i].table->name,
							    (long long)day.tables[i].rows);
				strbuf_addch(text, '\n');
			}
			cJSON_AddItemToArray(arr, day_json(&s, &day));
		}
	}
	ret = 0;
done:
	arena_release(&arena);
	return ret;
}

/* ---------- files and state ---------- */

/* mkdir -p of the folder holding `path` (or of path itself when `self`). */
static int make_dirs(const char *path, bool self)
{
	char *p = strdup(path);
	char *slash;
	int rc = 0;
	if (!p)
		return -1;
	if (!self) {
		slash = strrchr(p, '/');
		if (slash)
			*slash = '\0';
		else
			p[0] = '\0';
	}
	for (char *s = p + 1; *s && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && p[0] && mkdir(p, 0777) && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

struct state {
	bool present;
	int64_t start_date, target_rows, last_completed;
	double seed, scale_factor; /* the seed as JSON reads it: compared as a double */
	char *output_format, *path_format;
	cJSON *tables; /* name -> {last_written, rows} */
};

static void state_release(struct state *st)
{
	free(st->output_format);
	free(st->path_format);
	cJSON_Delete(st->tables);
	memset(st, 0, sizeof(*st));
}

static int parse_date(int64_t *out, const char *s)
{
	int y, m, d;
	struct strbuf sb = STRBUF_INIT;
	bool ok;
	if (!s || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	/* days from civil */
	{
		int64_t yy = y - (m <= 2), era = (yy >= 0 ? yy : yy - 399) / 400, yoe = yy - era * 400;
		int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		*out = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
	}
	cli_date_format(&sb, *out);
	ok = !strcmp(sb.buf, s);
	strbuf_release(&sb);
	return ok ? 0 : -1;
}

/* Reads the state file; a missing file is an empty state. */
static int state_read(struct state *st, const char *path, struct diags *d)
{
	FILE *f;
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	cJSON *doc = NULL, *x;
	int ret = -1;

	memset(st, 0, sizeof(*st));
	f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return diag_error(d, NULL, "cannot read the state file '%s': %s", path, strerror(errno));
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	doc = cJSON_Parse(sb.buf ? sb.buf : "");
	if (!doc || !cJSON_IsObject(doc)) {
		diag_error(d, NULL, "the state file '%s' is not valid JSON (remove it or use --ignore-state)", path);
		goto done;
	}
#define NUM(key, dst)                                                                        \
	do {                                                                                 \
		x = cJSON_GetObjectItemCaseSensitive(doc, key);                              \
		if (!cJSON_IsNumber(x))                                                      \
			goto bad;                                                            \
		dst = x->valuedouble;                                                        \
	} while (0)
	{
		double v;
		NUM("seed", st->seed);
		NUM("target_rows", v);
		st->target_rows = (int64_t)v;
		NUM("scale_factor", st->scale_factor);
	}
#undef NUM
	if (parse_date(&st->start_date, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "start_date"))) ||
	    parse_date(&st->last_completed,
		       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "last_completed_date"))))
		goto bad;
	x = cJSON_GetObjectItemCaseSensitive(doc, "output_format");
	st->output_format = strdup(cJSON_IsString(x) ? x->valuestring : "");
	x = cJSON_GetObjectItemCaseSensitive(doc, "path_format");
	st->path_format = strdup(cJSON_IsString(x) ? x->valuestring : "");
	x = cJSON_GetObjectItemCaseSensitive(doc, "tables");
	st->tables = cJSON_IsObject(x) ? cJSON_Duplicate(x, true) : cJSON_CreateObject();
	st->present = true;
	ret = 0;
	goto done;
bad:
	diag_error(d, NULL, "the state file '%s' lacks seed, target_rows, scale_factor, start_date or last_completed_date (remove it or use --ignore-state)",
		   path);
done:
	cJSON_Delete(doc);
	strbuf_release(&sb);
	return ret;
}

/* The state must describe the same data: else mixing days would mix datasets. */
static int state_check(const struct state *st, const struct plan *plan, const char *format, const char *path_format,
		       const char *path, struct diags *d)
{
	struct strbuf what = STRBUF_INIT;
	int ret = 0;
	if (!st->present)
		return 0;
	if (st->seed != (double)plan->seed)
		strbuf_addf(&what, "seed %.17g (now %lld)", st->seed, (long long)plan->seed);
	else if (st->target_rows != plan->target_rows)
		strbuf_addf(&what, "target_rows %lld (now %lld)", (long long)st->target_rows,
			    (long long)plan->target_rows);
	else if (st->scale_factor != plan->scale_factor)
		strbuf_addf(&what, "scale_factor %g (now %g)", st->scale_factor, plan->scale_factor);
	else if (st->start_date != plan->ds->incremental->start_date)
		strbuf_addstr(&what, "another start_date");
	else if (strcmp(st->output_format, format))
		strbuf_addf(&what, "output format '%s' (now '%s')", st->output_format, format);
	else if (strcmp(st->path_format, path_format))
		strbuf_addf(&what, "path format '%s' (now '%s')", st->path_format, path_format);
	if (what.len)
		ret = diag_error(d, NULL,
				 "the state '%s' was written with %s; use --ignore-state to start over (or the same options)",
				 path, what.buf);
	strbuf_release(&what);
	return ret;
}

/* Writes the state after day `date` completed: a temporary file renamed into place. */
static int state_write(struct state *st, const char *path, const struct plan *plan, const char *format,
		       const char *path_format, const struct incr_day *day, struct diags *d)
{
	cJSON *doc = cJSON_CreateObject();
	struct strbuf tmp = STRBUF_INIT, num = STRBUF_INIT, pretty = STRBUF_INIT;
	char *text;
	FILE *f;
	int ret = -1;

	if (!st->present || day->date > st->last_completed)
		st->last_completed = day->date;
	/* the tables in plan order: today's, or what an earlier day recorded */
	{
		cJSON *tables = cJSON_CreateObject();
		for (size_t i = 0; i < day->n_tables; i++) {
			const struct incr_day_table *dt = &day->tables[i];
			cJSON *t, *old = st->tables ? cJSON_GetObjectItemCaseSensitive(st->tables, dt->table->name) : NULL;
			if (dt->generated && plan->tables[i].selected) {
				t = cJSON_AddObjectToObject(tables, dt->table->name);
				cli_json_add_date(t, "last_written", day->date);
				cJSON_AddNumberToObject(t, "rows", (double)dt->rows);
			} else if (old) {
				cJSON_AddItemToObject(tables, dt->table->name, cJSON_Duplicate(old, true));
			}
		}
		cJSON_Delete(st->tables);
		st->tables = tables;
	}
	st->present = true;
	cJSON_AddStringToObject(doc, "dataset_id", plan->ds->id);
	cli_json_add_date(doc, "start_date", plan->ds->incremental->start_date);
	strbuf_addf(&num, "%lld", (long long)plan->seed);
	cJSON_AddItemToObject(doc, "seed", cJSON_CreateRaw(num.buf));
	cJSON_AddNumberToObject(doc, "target_rows", (double)plan->target_rows);
	cJSON_AddNumberToObject(doc, "scale_factor", plan->scale_factor);
	cJSON_AddStringToObject(doc, "output_format", format);
	cJSON_AddStringToObject(doc, "path_format", path_format);
	cli_json_add_date(doc, "last_completed_date", st->last_completed);
	cJSON_AddNumberToObject(doc, "updated_at", (double)time(NULL));
	cJSON_AddItemToObject(doc, "tables", cJSON_Duplicate(st->tables, true));
	text = cJSON_PrintUnformatted(doc);
	cli_json_pretty(&pretty, text);
	strbuf_addf(&tmp, "%s.tmp-%ld", path, (long)getpid());
	if (make_dirs(path, false)) {
		diag_error(d, NULL, "cannot create the folder of '%s': %s", path, strerror(errno));
		goto done;
	}
	f = fopen(tmp.buf, "wb");
	if (!f || fputs(pretty.buf, f) == EOF || fclose(f) != 0) {
		diag_error(d, NULL, "cannot write '%s': %s", tmp.buf, strerror(errno));
		remove(tmp.buf);
		goto done;
	}
	if (rename(tmp.buf, path)) {
		diag_error(d, NULL, "cannot rename '%s' to '%s': %s", tmp.buf, path, strerror(errno));
		remove(tmp.buf);
		goto done;
	}
	ret = 0;
done:
	free(text);
	cJSON_Delete(doc);
	strbuf_release(&tmp);
	strbuf_release(&num);
	strbuf_release(&pretty);
	return ret;
}

/* Moves a finished table folder into its place, replacing an older one. */
static int place_folder(const char *src, const char *dst, struct diags *d)
{
	struct strbuf old = STRBUF_INIT;
	struct stat sb;
	int ret = -1;
	if (make_dirs(dst, false)) {
		diag_error(d, NULL, "cannot create the folder of '%s': %s", dst, strerror(errno));
		goto done;
	}
	if (stat(dst, &sb) == 0) {
		strbuf_addf(&old, "%s.old-%ld", dst, (long)getpid());
		if (rename(dst, old.buf)) {
			diag_error(d, NULL, "cannot rename '%s': %s", dst, strerror(errno));
			goto done;
		}
	}
	if (rename(src, dst)) {
		diag_error(d, NULL, "cannot rename '%s' to '%s': %s", src, dst, strerror(errno));
		if (old.len)
			(void)rename(old.buf, dst);
		goto done;
	}
	if (old.len)
		(void)run_remove_tree(old.buf);
	ret = 0;
done:
	strbuf_release(&old);
	return ret;
}

/* ---------- running ---------- */

/*
 * Commits a table of a day, staged as a Delta table by the runtime, into
 * the lakehouse table: incremental tables (and their children) append the
 * day (replacing the day's rows if it was committed before), snapshots and
 * dimensions overwrite the table with their delivery.  The data file names
 * derive from the table, the date and what the rows depend on, so a day
 * committed already (by a run killed before its state was written) is
 * recognised and not committed twice.  0 committed, 1 already there, -1.
 */
static int commit_day_table(int64_t *version, const struct incr_series *s, const struct incr_day *day,
			    const char *table, const char *staged, const char *table_dir, struct diags *d)
{
	struct delta_staged_commit c;
	struct strbuf seed = STRBUF_INIT, date = STRBUF_INIT;
	enum table_type type = TABLE_INCREMENTAL;
	int ret;

	for (size_t i = 0; i < s->n_tables; i++)
		if (!strcmp(s->tables[i].table->name, table))
			type = s->tables[i].type;
	cli_date_format(&date, day->date);
	strbuf_addf(&seed, "%s/%s/%s/%lld/%lld/%.17g", s->ds->id, table, date.buf, (long long)s->plan->seed,
		    (long long)s->plan->target_rows, s->plan->scale_factor);
	memset(&c, 0, sizeof(c));
	c.staged_dir = staged;
	c.name_seed = seed.buf;
	c.tag = date.buf;
	c.mode = type == TABLE_INCREMENTAL ? DELTA_MODE_APPEND : DELTA_MODE_OVERWRITE;
	ret = delta_log_commit_staged(version, table_dir, &c, d);
	strbuf_release(&seed);
	strbuf_release(&date);
	return ret;
}

/* The output format; a warehouse target writes parquet (loaded with COPY INTO). */
static enum run_format format_of(const struct cmd_opts *o, const struct cli_parse *p)
{
	if (o->target_environment == CLI_TARGET_WAREHOUSE)
		return RUN_FORMAT_PARQUET;
	if (cli_parse_source(p, "output-format") != CLI_SRC_DEFAULT) {
		switch (o->output_format) {
		case CLI_FORMAT_PARQUET: return RUN_FORMAT_PARQUET;
		case CLI_FORMAT_CSV: return RUN_FORMAT_CSV;
		case CLI_FORMAT_JSONL: return RUN_FORMAT_JSONL;
		default: return RUN_FORMAT_DELTA;
		}
	}
	switch (o->output_mode) {
	case CLI_OUTPUT_PARQUET: return RUN_FORMAT_PARQUET;
	case CLI_OUTPUT_CSV: return RUN_FORMAT_CSV;
	default: return RUN_FORMAT_DELTA;
	}
}

static void print_diags(const struct diags *d)
{
	fflush(stdout);
	for (size_t i = 0; i < d->n; i++) {
		struct strbuf sb = STRBUF_INIT;
		const struct diag *dg = &d->items[i];
		if (dg->loc.file) {
			diag_format(&sb, dg);
		} else {
			strbuf_addstr(&sb, "ingen_fab: ");
			if (dg->level != DIAG_ERROR)
				strbuf_addstr(&sb, dg->level == DIAG_WARNING ? "warning: " : "note: ");
			strbuf_addstr(&sb, dg->msg);
		}
		fprintf(stderr, "%s\n", sb.buf);
		strbuf_release(&sb);
	}
}

struct day_result {
	int64_t rows;
	size_t tables;
	double seconds;
};

/* Generates one day into the staging root and moves its folders into place. */
static int run_day(struct day_result *res, struct cli_ctx *ctx, const struct cmd_opts *o, struct incr_series *s,
		   const struct ir_program *progs, int64_t day_index, enum run_format format, const char *staging,
		   const char *files_root, cJSON *json_days, struct incr_day *day_out, struct log_table *log,
		   struct diags *d)
{
	struct incr_day day;
	struct plan plan;
	struct run_request req;
	struct run_stats st;
	double t0 = run_clock_s();
	int ret = -1;
	size_t n_selected = 0, n_wh = 0;
	cJSON *jd = NULL, *jt = NULL;
	const bool warehouse = o->target_environment == CLI_TARGET_WAREHOUSE;
	const char **wh_tables = NULL, **wh_folders = NULL;
	bool *wh_replace = NULL;
	struct strbuf day_text = STRBUF_INIT;

	memset(&st, 0, sizeof(st));
	memset(res, 0, sizeof(*res));
	if (incr_plan_day(&day, s, day_index, ctx->arena, d) || incr_day_plan(&plan, s, &day, ctx->arena))
		goto done;
	*day_out = day;
	cli_date_format(&day_text, day.date);
	for (size_t i = 0; i < plan.n_tables; i++)
		n_selected += plan.tables[i].selected;
	if (json_days) {
		jd = cJSON_CreateObject();
		cli_json_add_date(jd, "date", day.date);
		jt = cJSON_AddArrayToObject(jd, "tables");
		cJSON_AddItemToArray(json_days, jd);
	}
	if (n_selected == 0) {
		ret = 0;
		goto done;
	}
	memset(&req, 0, sizeof(req));
	req.plan = &plan;
	req.programs = progs;
	req.root = staging;
	req.format = format;
	req.threads = (int)o->threads;
	if (o->has_chunk_size)
		req.batch_rows = o->chunk_size > RUN_MAX_FILE_ROWS ? RUN_MAX_FILE_ROWS : (size_t)o->chunk_size;
	req.catch_signals = true;
	if (run_execute(&st, &req, d) < 0)
		goto done;
	if (warehouse) {
		wh_tables = arena_calloc(ctx->arena, st.n_tables + 1, sizeof(*wh_tables));
		wh_folders = arena_calloc(ctx->arena, st.n_tables + 1, sizeof(*wh_folders));
		wh_replace = arena_calloc(ctx->arena, st.n_tables + 1, sizeof(*wh_replace));
	}
	for (size_t i = 0; i < st.n_tables; i++) {
		struct strbuf rel = STRBUF_INIT, why = STRBUF_INIT, dst = STRBUF_INIT;
		int64_t version = -1;
		int rc;
		if (format == RUN_FORMAT_DELTA) {
			strbuf_addf(&dst, "%s/%s", files_root, st.tables[i].name);
			rc = commit_day_table(&version, s, &day, st.tables[i].name, st.tables[i].path, dst.buf, d);
			if (rc >= 0)
				(void)run_remove_tree(st.tables[i].path);
		} else {
			incr_path_format(&rel, &why, o->path_format, s->ds->id, st.tables[i].name, day.date);
			strbuf_addf(&dst, "%s/%s", files_root, rel.buf);
			rc = place_folder(st.tables[i].path, dst.buf, d);
			if (rc >= 0 && warehouse) {
				wh_tables[n_wh] = arena_strdup(ctx->arena, st.tables[i].name);
				wh_folders[n_wh] = arena_strdup(ctx->arena, rel.buf);
				for (size_t k = 0; k < s->n_tables; k++)
					if (!strcmp(s->tables[k].table->name, st.tables[i].name))
						wh_replace[n_wh] = s->tables[k].type != TABLE_INCREMENTAL;
				n_wh++;
			}
		}
		if (rc >= 0 && jt) {
			cJSON *t = cJSON_CreateObject();
			cJSON_AddStringToObject(t, "table", st.tables[i].name);
			cJSON_AddNumberToObject(t, "rows", (double)st.tables[i].rows);
			cJSON_AddStringToObject(t, "path", dst.buf);
			if (format == RUN_FORMAT_DELTA) {
				cJSON_AddNumberToObject(t, "version", (double)version);
				cJSON_AddBoolToObject(t, "already_committed", rc == 1);
			}
			cJSON_AddItemToArray(jt, t);
		}
		strbuf_release(&rel);
		strbuf_release(&why);
		strbuf_release(&dst);
		if (rc < 0)
			goto done;
		if (log)
			log_table_add_table(log, st.tables[i].name, day.date, st.tables[i].rows,
					    st.tables[i].seconds);
		res->rows += st.tables[i].rows;
		res->tables++;
	}
	if (warehouse && n_wh) {
		/* the day's COPY INTO script beside the files, as the warehouse notebooks write it */
		struct strbuf script = STRBUF_INIT;
		char *abs = realpath(files_root, NULL), *slash = abs ? strrchr(abs, '/') : NULL;
		int rc;
		if (slash)
			*slash = '\0'; /* Files/synthetic_data/<id>, the parent of parquet/ */
		strbuf_addstr(&script, "copy_into_");
		for (const char *c = day_text.buf; *c; c++)
			if (*c != '-')
				strbuf_addch(&script, *c);
		strbuf_addstr(&script, ".sql");
		rc = abs ? notebook_copy_into_write(abs, script.buf, wh_tables, wh_folders, wh_replace, n_wh, d)
			 : diag_error(d, NULL, "cannot resolve '%s': %s", files_root, strerror(errno));
		free(abs);
		strbuf_release(&script);
		if (rc < 0)
			goto done;
	}
	ret = 0;
done:
	res->seconds = run_clock_s() - t0;
	if (jd) {
		cJSON_AddNumberToObject(jd, "rows", (double)res->rows);
		cJSON_AddNumberToObject(jd, "seconds", res->seconds);
	}
	run_stats_release(&st);
	strbuf_release(&day_text);
	return ret;
}

/*
 * Removes the staging folders of earlier runs of this lakehouse whose
 * process is gone (killed before it could clean up): Files/_staging/<pid>.
 */
static void remove_stale_staging(const char *lake)
{
	struct strbuf dir = STRBUF_INIT, sub = STRBUF_INIT;
	DIR *dp;
	struct dirent *e;

	strbuf_addf(&dir, "%s/Files/_staging", lake);
	dp = opendir(dir.buf);
	while (dp && (e = readdir(dp)) != NULL) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*e->d_name == '.' || *end || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* alive (or not ours to judge) */
		strbuf_reset(&sub);
		strbuf_addf(&sub, "%s/%s", dir.buf, e->d_name);
		(void)run_remove_tree(sub.buf);
	}
	if (dp)
		closedir(dp);
	(void)rmdir(dir.buf);
	strbuf_release(&dir);
	strbuf_release(&sub);
}

/*
 * A test hook (docs/incremental.md, "Testing kill and resume"): with
 * INGEN_FAB_TEST_KILL_AFTER_DAYS=k the process kills itself with SIGKILL
 * right after the k-th day of the run is in place and before the state
 * records it: the worst moment for a resume.  0 when unset.
 */
static int64_t test_kill_after_days(void)
{
	const char *v = getenv("INGEN_FAB_TEST_KILL_AFTER_DAYS");
	return v && *v ? strtoll(v, NULL, 10) : 0;
}

/* The summary of a series notebook run, in the native run's shapes (text or JSON). */
static void print_notebook_series(const struct notebook_run_result *r, const struct cmd_opts *o,
				  const char *notebook, const char *data_dir)
{
	if (o->json) {
		cJSON *doc = cJSON_CreateObject(), *days = cJSON_CreateArray();
		char buf[64];
		cJSON_AddStringToObject(doc, "dataset_id", r->dataset_id);
		cJSON_AddStringToObject(doc, "engine", r->engine);
		cJSON_AddStringToObject(doc, "output_format", r->output_mode);
		cJSON_AddStringToObject(doc, "path_format", r->path_format ? r->path_format : o->path_format);
		cJSON_AddStringToObject(doc, "lakehouse", r->lakehouse);
		if (r->state)
			cJSON_AddStringToObject(doc, "state", r->state);
		for (size_t i = 0; i < r->n_days; i++) {
			const struct notebook_run_day *day = &r->days[i];
			cJSON *jd = cJSON_CreateObject(), *jt;
			cJSON_AddStringToObject(jd, "date", day->date);
			jt = cJSON_AddArrayToObject(jd, "tables");
			for (size_t k = 0; k < day->n_tables; k++) {
				cJSON *t = cJSON_CreateObject();
				cJSON_AddStringToObject(t, "table", day->tables[k].name);
				cli_json_add_int(t, "rows", day->tables[k].rows);
				cJSON_AddStringToObject(t, "path", day->tables[k].path);
				cJSON_AddItemToArray(jt, t);
			}
			cli_json_add_int(jd, "rows", day->rows);
			cJSON_AddNumberToObject(jd, "seconds", day->seconds);
			cJSON_AddItemToArray(days, jd);
		}
		cJSON_AddItemToObject(doc, "days", days);
		cli_json_add_int(doc, "rows", r->rows);
		cJSON_AddNumberToObject(doc, "seconds", r->seconds);
		cJSON_AddBoolToObject(doc, "completed", true);
		cJSON_AddStringToObject(doc, "notebook", notebook);
		cJSON_AddStringToObject(doc, "run_log", r->log_path);
		snprintf(buf, sizeof(buf), "%.3f", r->process_seconds);
		cJSON_AddRawToObject(doc, "process_seconds", buf);
		snprintf(buf, sizeof(buf), "%.1f", r->peak_memory_mb);
		cJSON_AddRawToObject(doc, "peak_memory_mb", buf);
		cli_print_json(doc);
		cJSON_Delete(doc);
	} else if (o->has_date) {
		for (size_t i = 0; i < r->n_days; i++)
			printf("%s %s: %zu table%s, %lld rows in %.2f s (%s engine)\n", r->dataset_id, r->days[i].date,
			       r->days[i].n_tables, r->days[i].n_tables == 1 ? "" : "s", (long long)r->days[i].rows,
			       r->days[i].seconds, r->engine);
	} else {
		size_t n_batches = (r->n_days + (size_t)o->batch_size - 1) / (size_t)o->batch_size;
		for (size_t b = 0; b < n_batches; b++) {
			size_t lo = b * (size_t)o->batch_size, hi = lo + (size_t)o->batch_size;
			int64_t rows = 0;
			double secs = 0;
			if (hi > r->n_days)
				hi = r->n_days;
			for (size_t i = lo; i < hi; i++) {
				rows += r->days[i].rows;
				secs += r->days[i].seconds;
			}
			printf("%s batch %zu/%zu (%s to %s): %lld rows in %.2f s\n", r->dataset_id, b + 1, n_batches,
			       r->days[lo].date, r->days[hi - 1].date, (long long)rows, secs);
		}
		printf("%s: %zu day%s, %lld rows in %.2f s (%s engine) -> %s\n", r->dataset_id, r->n_days,
		       r->n_days == 1 ? "" : "s", (long long)r->rows, r->seconds, r->engine, data_dir);
	}
	fflush(stdout);
}

/*
 * --engine python|pyspark: the incremental notebook of days [first, last]
 * compiled under the workspace root (as without --execute) and run with the
 * local Python or Spark (notebook_run.h, the series runner); its run log
 * gives the summary.  The state was checked (and --resume applied) by the
 * caller, as for the native engine.
 */
static int execute_notebook(struct cli_ctx *ctx, const struct cmd_opts *o, const struct cli_parse *p,
			    int64_t first, int64_t last, const char *spark_jars_dir)
{
	const bool spark = o->engine == CLI_ENGINE_PYSPARK;
	struct incr_notebook_request req;
	struct incr_notebook_result res;
	struct notebook_run_request nreq;
	struct notebook_run_result nres;
	struct diags d = DIAGS_INIT;
	struct strbuf jars = STRBUF_INIT, master = STRBUF_INIT, nb = STRBUF_INIT, data = STRBUF_INIT;
	char *root = NULL;
	int ret, rc;

	memset(&nreq, 0, sizeof(nreq));
	if (spark) {
		if (notebook_spark_jars(&nreq.spark_jars, &jars, spark_jars_dir, &d) < 0) {
			ret = cli_report_diags(&d);
			goto done;
		}
		if (cli_parse_source(p, "threads") != CLI_SRC_DEFAULT && o->threads > 0) {
			strbuf_addf(&master, "local[%d]", (int)o->threads);
			nreq.spark_master = master.buf;
		}
	}
	memset(&req, 0, sizeof(req));
	req.o = o;
	req.p = p;
	req.first = first;
	req.last = last;
	req.mode = spark ? GEN_MODE_PYSPARK : GEN_MODE_PYTHON;
	req.root = ctx->repo_dir;
	rc = incr_notebook_compile(&res, &req, ctx->arena, &d);
	if (rc) {
		ret = cli_report_diags(&d);
		if (rc == -2)
			ret = CLI_EXIT_FAILURE;
		goto done;
	}
	if (d.n)
		print_diags(&d); /* warnings */
	diags_release(&d);
	root = realpath(ctx->repo_dir, NULL);
	if (!root) {
		ret = cli_fail("cannot resolve the output root '%s': %s", ctx->repo_dir, strerror(errno));
		goto done;
	}
	strbuf_addf(&nb, "%s/fabric_workspace_items/synthetic_data_generation/%s.Notebook/notebook-content.py", root,
		    res.name);
	nreq.notebook = nb.buf;
	nreq.engine = cli_engine_names[o->engine];
	nreq.dataset_id = res.dataset_id;
	nreq.root = root;
	nreq.python = notebook_python();
	nreq.show_output = !o->json && isatty(STDERR_FILENO);
	nreq.series = true;
	if (notebook_run(&nres, &nreq, ctx->arena, &d) < 0) {
		print_diags(&d);
		ret = CLI_EXIT_FAILURE;
		goto done;
	}
	if (!strcmp(res.format, "delta"))
		strbuf_addf(&data, "%s/Tables", nres.lakehouse);
	else
		strbuf_addf(&data, "%s/Files/synthetic_data/%s/%s", nres.lakehouse, res.dataset_id, res.format);
	print_notebook_series(&nres, o, nb.buf, data.buf);
	ret = CLI_EXIT_OK;
done:
	free(root);
	strbuf_release(&jars);
	strbuf_release(&master);
	strbuf_release(&nb);
	strbuf_release(&data);
	diags_release(&d);
	return ret;
}

static int execute(struct cli_ctx *ctx, struct cmd_opts *o, const struct cli_parse *p, const char *spark_jars_dir)
{
	struct diags d = DIAGS_INIT;
	struct catalog cat;
	struct dataset *ds = NULL;
	struct plan plan;
	struct plan_options po;
	struct refdata_cache refs = REFDATA_CACHE_INIT;
	struct ir_program *progs = NULL;
	struct incr_series s;
	struct incr_batch *batches = NULL;
	struct state st;
	struct strbuf lake = STRBUF_INIT, state_path = STRBUF_INIT, staging = STRBUF_INIT, files = STRBUF_INIT;
	enum run_format format = format_of(o, p);
	bool keep_state = o->has_date ? o->state_management : true;
	int64_t first, last, start, total_rows = 0, total_rows_done = 0, last_done = LOG_NO_DATE, kill_after;
	struct log_table log;
	bool log_open = false;
	size_t n_batches = 0, days_done = 0;
	double t0 = run_clock_s();
	cJSON *json_days = o->json ? cJSON_CreateArray() : NULL;
	int ret;

	memset(&cat, 0, sizeof(cat));
	memset(&st, 0, sizeof(st));
	cli_plan_options(&po, o);
	if (cli_catalog_open(&cat, o, &d) < 0 || catalog_load_dataset(&ds, &cat, o->dataset, ctx->arena, &d) < 0) {
		ret = cli_report_diags(&d);
		goto done;
	}
	if (!ds->incremental) {
		diag_error(&d, &ds->loc,
			   "dataset '%s' has no incremental section; this command needs an incremental dataset (see 'list-incremental-datasets')",
			   ds->id);
		ret = cli_report_diags(&d);
		goto done;
	}
	if (incr_prepare(ds, ctx->arena, &d) < 0 || plan_build(&plan, ds, &po, ctx->arena, &d) < 0 ||
	    command_days(&first, &last, ds, o, &d) < 0 || check_path_format(ds, o->path_format, first, &d) < 0) {
		ret = cli_report_diags(&d);
		goto done;
	}
	start = ds->incremental->start_date;
	strbuf_addf(&lake, "%s/lakehouse/%s", ctx->repo_dir, ds->id);
	strbuf_addf(&state_path, "%s/Files/_state/%s.json", lake.buf, ds->id);
	if (format == RUN_FORMAT_DELTA)
		strbuf_addf(&files, "%s/Tables", lake.buf);
	else
		strbuf_addf(&files, "%s/Files/synthetic_data/%s/%s", lake.buf, ds->id, run_format_name(format));
	strbuf_addf(&staging, "%s/Files/_staging/%ld", lake.buf, (long)getpid());

	if (keep_state && !o->ignore_state) {
		if (state_read(&st, state_path.buf, &d) ||
		    state_check(&st, &plan, run_format_name(format), o->path_format, state_path.buf, &d)) {
			ret = cli_report_diags(&d);
			goto done;
		}
		if (o->resume && st.present && st.last_completed + 1 > first)
			first = st.last_completed + 1;
	}
	if (first > last) {
		struct strbuf a = STRBUF_INIT;
		cli_date_format(&a, st.last_completed);
		printf("%s: nothing to do (days up to %s are completed)\n", ds->id, a.buf);
		strbuf_release(&a);
		ret = CLI_EXIT_OK;
		goto done;
	}
	if (o->engine != CLI_ENGINE_NATIVE) {
		remove_stale_staging(lake.buf);
		ret = execute_notebook(ctx, o, p, first, last, spark_jars_dir);
		goto done;
	}
	if (incr_series_build(&s, &plan, last - start + 1, ctx->arena, &d) ||
	    incr_lower(&progs, &s, &refs, ctx->arena, &d)) {
		print_diags(&d);
		ret = CLI_EXIT_FAILURE;
		goto done;
	}
	incr_batches(&batches, &n_batches, first - start, last - start, o->has_date ? 1 : o->batch_size, ctx->arena);
	remove_stale_staging(lake.buf);
	log_table_init(&log, ds->id);
	log_open = true;
	kill_after = test_kill_after_days();
	ret = CLI_EXIT_OK;
	for (size_t b = 0; b < n_batches && ret == CLI_EXIT_OK; b++) {
		int64_t batch_rows = 0;
		double tb = run_clock_s();
		for (int64_t day_i = batches[b].first; day_i <= batches[b].last; day_i++) {
			struct day_result res;
			struct incr_day day = {0};
			if (run_day(&res, ctx, o, &s, progs, day_i, format, staging.buf, files.buf, json_days, &day,
				    &log, &d) ||
			    (kill_after > 0 && (int64_t)days_done + 1 == kill_after && raise(SIGKILL)) ||
			    (keep_state && state_write(&st, state_path.buf, &plan, run_format_name(format),
						       o->path_format, &day, &d))) {
				print_diags(&d);
				ret = CLI_EXIT_FAILURE;
				break;
			}
			last_done = day.date;
			if (!o->json && o->has_date) {
				struct strbuf a = STRBUF_INIT;
				cli_date_format(&a, day.date);
				printf("%s %s: %zu table%s, %lld rows in %.2f s\n", ds->id, a.buf, res.tables,
				       res.tables == 1 ? "" : "s", (long long)res.rows, res.seconds);
				strbuf_release(&a);
			}
			batch_rows += res.rows;
			days_done++;
		}
		total_rows += batch_rows;
		if (!o->json && !o->has_date && ret == CLI_EXIT_OK) {
			struct strbuf a = STRBUF_INIT;
			cli_date_format(&a, start + batches[b].first);
			strbuf_addstr(&a, " to ");
			cli_date_format(&a, start + batches[b].last);
			printf("%s batch %zu/%zu (%s): %lld rows in %.2f s\n", ds->id, b + 1, n_batches, a.buf,
			       (long long)batch_rows, run_clock_s() - tb);
			fflush(stdout);
			strbuf_release(&a);
		}
	}
	total_rows_done = total_rows;
	(void)run_remove_tree(staging.buf);
	{
		char *parent = strdup(staging.buf), *slash = parent ? strrchr(parent, '/') : NULL;
		if (slash) {
			*slash = '\0';
			(void)rmdir(parent);
		}
		free(parent);
	}
	if (o->json) {
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "dataset_id", ds->id);
		cJSON_AddStringToObject(doc, "engine", "native");
		cJSON_AddStringToObject(doc, "output_format", run_format_name(format));
		cJSON_AddStringToObject(doc, "path_format", o->path_format);
		cJSON_AddStringToObject(doc, "lakehouse", lake.buf);
		if (keep_state)
			cJSON_AddStringToObject(doc, "state", state_path.buf);
		cJSON_AddItemToObject(doc, "days", json_days);
		json_days = NULL;
		cJSON_AddNumberToObject(doc, "rows", (double)total_rows);
		cJSON_AddNumberToObject(doc, "seconds", run_clock_s() - t0);
		cJSON_AddBoolToObject(doc, "completed", ret == CLI_EXIT_OK);
		cli_print_json(doc);
		cJSON_Delete(doc);
	} else if (!o->has_date && ret == CLI_EXIT_OK) {
		printf("%s: %zu day%s, %lld rows in %.2f s -> %s\n", ds->id, days_done, days_done == 1 ? "" : "s",
		       (long long)total_rows, run_clock_s() - t0, files.buf);
	}
	if (log_open) {
		/* the log table: the tables of each day, and the run's own row */
		struct diags ld = DIAGS_INIT;
		struct strbuf msg = STRBUF_INIT;
		char *errors = log_table_errors(&d);
		bool interrupted = errors && strstr(errors, "interrupted");
		strbuf_addf(&msg, "%s %s: %zu day%s, %lld rows", ctx->cmd->name, ds->id, days_done,
			    days_done == 1 ? "" : "s", (long long)total_rows_done);
		log_table_add_run(&log, ret == CLI_EXIT_OK ? "completed" : interrupted ? "interrupted" : "failed",
				  last_done, total_rows_done, run_clock_s() - t0, msg.buf, errors);
		if (log_table_write(&log, lake.buf, &ld)) {
			for (size_t i = 0; i < ld.n; i++)
				fprintf(stderr, "ingen_fab: warning: cannot append to the log table: %s\n",
					ld.items[i].msg);
		}
		free(errors);
		strbuf_release(&msg);
		diags_release(&ld);
		log_table_release(&log);
	}
done:
	cJSON_Delete(json_days);
	state_release(&st);
	strbuf_release(&lake);
	strbuf_release(&state_path);
	strbuf_release(&staging);
	strbuf_release(&files);
	refdata_cache_release(&refs);
	diags_release(&d);
	catalog_release(&cat);
	return ret;
}

/* Dry run, execution (native, or a notebook run with --engine python|pyspark), or the notebook. */
static int finish(struct cli_ctx *ctx, struct cmd_opts *o, const struct cli_parse *p, const char *spark_jars_dir)
{
	int ret;
	if (o->dry_run)
		return cli_dry_run(ctx, o, p, (const char *const *)&o->dataset, 1, check_days, o);
	if (spark_jars_dir && !(o->execute && o->engine == CLI_ENGINE_PYSPARK))
		return cli_error("--spark-jars applies to '--execute --engine pyspark'");
	if (o->execute && o->engine != CLI_ENGINE_NATIVE) {
		const enum gen_mode mode = o->engine == CLI_ENGINE_PYSPARK ? GEN_MODE_PYSPARK : GEN_MODE_PYTHON;
		if ((enum gen_mode)o->generation_mode != GEN_MODE_AUTO && (enum gen_mode)o->generation_mode != mode)
			return cli_error("'--generation-mode %s' does not match '--engine %s': the %s engine runs "
					 "the %s notebook", cli_gen_mode_names[o->generation_mode],
					 cli_engine_names[o->engine], cli_engine_names[o->engine], gen_mode_name(mode));
		ret = incr_notebook_check(o, p);
		if (ret != CLI_CONTINUE)
			return ret;
	}
	if (o->execute)
		return execute(ctx, o, p, spark_jars_dir);
	ret = cli_check_datasets(ctx, o, (const char *const *)&o->dataset, 1, check_days, o);
	if (ret != CLI_CONTINUE)
		return ret;
	return incr_notebook_command(ctx, o, p);
}

int cmd_generate_incremental(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cmd_opts o;
	struct cli_parse p;
	const char *spark_jars_dir = NULL;
	int ret;
	const struct cli_opt opts[] = {
		{.type = CLI_OPT_ARG, .arg = "DATASET_ID", .value = &o.dataset,
		 .help = "an incremental dataset: an id or a path to a config",
		 .flags = CLI_OPT_REQUIRED},
		{.type = CLI_OPT_DATE, .short_name = 'd', .long_name = "date",
		 .alias = "generation-date", .value = &o.date, .given = &o.has_date,
		 .help = "the day to generate", .flags = CLI_OPT_REQUIRED},
		CMD_OPT_PATH_FORMAT(&o, 'p', "path-format", "nested"),
		CMD_OPT_TARGET_ENV(&o, 'e'),
		CMD_OPT_GEN_MODE(&o, 'm'),
		CMD_OPT_SEED(&o, 's'),
		{.type = CLI_OPT_FLAG, .long_name = "state-management", .value = &o.state_management,
		 .help = "keep the dataset's state beside the data so days follow on", .def = "on",
		 .flags = CLI_OPT_NEGATABLE},
		CMD_OPT_EXECUTE(&o),
		CMD_OPT_ENGINE(&o),
		CMD_OPT_THREADS(&o),
		{.type = CLI_OPT_STRING, .long_name = "spark-jars", .value = &spark_jars_dir,
		 .arg = "DIR", .help = "--engine pyspark: the jars of the local Spark (Delta Lake) are "
			 "the *.jar files of DIR; wins over INGEN_FAB_SPARK_JARS (comma-separated jar paths)"},
		CMD_OPT_OUTPUT_FORMAT(&o),
		CMD_OPT_OUTPUT_MODE(&o, 'o', "parquet"),
		CMD_OPT_TARGET_ROWS(&o, 'r'),
		CMD_OPT_SCALE_FACTOR(&o),
		CMD_OPT_CHUNK_SIZE(&o),
		CMD_OPT_TABLES(&o),
		CMD_OPT_DATASETS_DIR(&o),
		CMD_OPT_TEMPLATES_DIR(&o),
		CMD_OPT_PARAMETERS(&o, 0, NULL),
		CMD_OPT_DRY_RUN(&o),
		CMD_OPT_JSON(&o),
		CLI_OPT_END_ENTRY,
	};

	cmd_opts_init(&o);
	o.output_mode = CLI_OUTPUT_PARQUET;
	o.path_format = "nested";
	ret = cli_cmd_parse(&p, ctx, opts, argc, argv);
	if (ret != CLI_CONTINUE)
		goto done;
	ret = finish(ctx, &o, &p, spark_jars_dir);
done:
	cli_parse_release(&p);
	return ret;
}

int cmd_generate_series(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cmd_opts o;
	struct cli_parse p;
	const char *spark_jars_dir = NULL;
	int ret;
	const struct cli_opt opts[] = {
		{.type = CLI_OPT_ARG, .arg = "DATASET_ID", .value = &o.dataset,
		 .help = "an incremental dataset: an id or a path to a config",
		 .flags = CLI_OPT_REQUIRED},
		{.type = CLI_OPT_DATE, .short_name = 's', .long_name = "start-date",
		 .value = &o.start_date, .given = &o.has_start_date, .help = "the first day",
		 .def = "the dataset's incremental start_date"},
		{.type = CLI_OPT_DATE, .short_name = 'e', .long_name = "end-date",
		 .value = &o.end_date, .given = &o.has_end_date, .help = "the last day (included)",
		 .flags = CLI_OPT_REQUIRED},
		{.type = CLI_OPT_INT, .short_name = 'b', .long_name = "batch-size",
		 .value = &o.batch_size, .arg = "DAYS", .help = "days per batch", .def = "10",
		 .imin = 1, .imax = 36600},
		CMD_OPT_PATH_FORMAT(&o, 'p', "path-format", "nested"),
		CMD_OPT_TARGET_ENV(&o, 't'),
		CMD_OPT_GEN_MODE(&o, 'm'),
		CMD_OPT_OUTPUT_MODE(&o, 'o', "parquet"),
		CMD_OPT_SEED(&o, 0),
		{.type = CLI_OPT_FLAG, .long_name = "ignore-state", .value = &o.ignore_state,
		 .help = "start afresh, ignoring the state of earlier runs"},
		{.type = CLI_OPT_FLAG, .long_name = "resume", .value = &o.resume,
		 .help = "continue after the last day completed by an earlier run"},
		CMD_OPT_EXECUTE(&o),
		CMD_OPT_ENGINE(&o),
		CMD_OPT_THREADS(&o),
		{.type = CLI_OPT_STRING, .long_name = "spark-jars", .value = &spark_jars_dir,
		 .arg = "DIR", .help = "--engine pyspark: the jars of the local Spark (Delta Lake) are "
			 "the *.jar files of DIR; wins over INGEN_FAB_SPARK_JARS (comma-separated jar paths)"},
		CMD_OPT_OUTPUT_FORMAT(&o),
		CMD_OPT_TARGET_ROWS(&o, 'r'),
		CMD_OPT_SCALE_FACTOR(&o),
		CMD_OPT_CHUNK_SIZE(&o),
		CMD_OPT_TABLES(&o),
		CMD_OPT_DATASETS_DIR(&o),
		CMD_OPT_TEMPLATES_DIR(&o),
		CMD_OPT_PARAMETERS(&o, 0, NULL),
		CMD_OPT_DRY_RUN(&o),
		CMD_OPT_JSON(&o),
		CLI_OPT_END_ENTRY,
	};

	cmd_opts_init(&o);
	o.output_mode = CLI_OUTPUT_PARQUET;
	o.path_format = "nested";
	ret = cli_cmd_parse(&p, ctx, opts, argc, argv);
	if (ret != CLI_CONTINUE)
		goto done;
	if (o.resume && o.ignore_state) {
		ret = cli_error("--resume and --ignore-state cannot be used together");
		goto done;
	}
	if (o.has_start_date && o.has_end_date && o.start_date > o.end_date) {
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		cli_date_format(&a, o.start_date);
		cli_date_format(&b, o.end_date);
		ret = cli_error("--start-date '%s' is after --end-date '%s'", a.buf, b.buf);
		strbuf_release(&a);
		strbuf_release(&b);
		goto done;
	}
	ret = finish(ctx, &o, &p, spark_jars_dir);
done:
	cli_parse_release(&p);
	return ret;
}
