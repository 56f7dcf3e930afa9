/*
 * log_table: collects the rows of the run log and appends them to the
 * lakehouse's log_synthetic_data_generation Delta table: one Parquet file
 * written with runtime/parquet.h under a temporary name, renamed into the
 * table folder, then committed with delta_log_append (runtime/delta_log.h),
 * which creates the table on its first run.
 */
#include "log_table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "delta_log.h"
#include "diag.h"
#include "parquet.h"
#include "run.h"
#include "strbuf.h"

struct log_row {
	char *table;   /* NULL: the run's row */
	int64_t date;  /* LOG_NO_DATE: NULL */
	int64_t rows;
	int64_t ms;
	int64_t memory_centi_mb; /* -1: NULL */
	char *status, *message, *error_details;
	int64_t timestamp_us;
};

enum { C_LOG_ID, C_JOB_ID, C_DATASET, C_STEP, C_TABLE, C_DATE, C_ROWS, C_CHUNK, C_MS, C_MEM,
       C_STATUS, C_MESSAGE, C_ERRORS, C_TS, N_COLS };

static const struct pq_column_spec log_columns[N_COLS] = {
	{"log_id", PQ_STRING, 0, 0, false, 0},
	{"job_id", PQ_STRING, 0, 0, true, 0},
	{"dataset_id", PQ_STRING, 0, 0, true, 0},
	{"execution_step", PQ_STRING, 0, 0, true, 0},
	{"table_name", PQ_STRING, 0, 0, true, 0},
	{"generation_date", PQ_DATE, 0, 0, true, 0},
	{"rows_generated", PQ_INT64, 0, 0, true, 0},
	{"chunk_number", PQ_INT32, 0, 0, true, 0},
	{"execution_time_ms", PQ_INT64, 0, 0, true, 0},
	{"memory_usage_mb", PQ_DECIMAL, 10, 2, true, 0},
	{"status", PQ_STRING, 0, 0, true, 0},
	{"message", PQ_STRING, 0, 0, true, 0},
	{"error_details", PQ_STRING, 0, 0, true, 0},
	{"execution_timestamp", PQ_TIMESTAMP_MICROS, 0, 0, true, 0},
};

static char *xstrdup(const char *s)
{
	char *p;
	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		abort();
	return p;
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void log_table_init(struct log_table *lt, const char *dataset_id)
{
	struct strbuf sb = STRBUF_INIT;
	memset(lt, 0, sizeof(*lt));
	lt->dataset_id = xstrdup(dataset_id);
	strbuf_addf(&sb, "%s#%ld#%lld", dataset_id, (long)getpid(), (long long)now_us());
	delta_uuid_from(lt->job_id, sb.buf, sb.len);
	strbuf_release(&sb);
}

void log_table_release(struct log_table *lt)
{
	for (size_t i = 0; i < lt->n; i++) {
		free(lt->rows[i].table);
		free(lt->rows[i].status);
		free(lt->rows[i].message);
		free(lt->rows[i].error_details);
	}
	free(lt->rows);
	free(lt->dataset_id);
	memset(lt, 0, sizeof(*lt));
}

static struct log_row *new_row(struct log_table *lt)
{
	if (lt->n == lt->alloc) {
		lt->alloc = lt->alloc ? 2 * lt->alloc : 16;
		lt->rows = realloc(lt->rows, lt->alloc * sizeof(*lt->rows));
		if (!lt->rows)
			abort();
	}
	struct log_row *r = &lt->rows[lt->n++];
	memset(r, 0, sizeof(*r));
	r->memory_centi_mb = -1;
	r->timestamp_us = now_us();
	return r;
}

void log_table_add_table(struct log_table *lt, const char *table, int64_t date, int64_t rows,
			 double seconds)
{
	struct log_row *r = new_row(lt);
	struct strbuf sb = STRBUF_INIT;
	r->table = xstrdup(table);
	r->date = date;
	r->rows = rows;
	r->ms = (int64_t)(seconds * 1000.0 + 0.5);
	r->status = xstrdup("completed");
	strbuf_addf(&sb, "wrote %lld rows", (long long)rows);
	r->message = strbuf_detach(&sb, NULL);
}

void log_table_add_run(struct log_table *lt, const char *status, int64_t date, int64_t rows,
		       double seconds, const char *message, const char *error_details)
{
	struct log_row *r = new_row(lt);
	struct rusage ru;
	r->date = date;
	r->rows = rows;
	r->ms = (int64_t)(seconds * 1000.0 + 0.5);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		r->memory_centi_mb = (int64_t)ru.ru_maxrss * 100 / 1024; /* KiB -> MiB, 2 decimals */
	r->status = xstrdup(status);
	r->message = xstrdup(message);
	r->error_details = xstrdup(error_details);
}

char *log_table_errors(const struct diags *d)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < d->n; i++) {
		if (d->items[i].level != DIAG_ERROR)
			continue;
		if (sb.len)
			strbuf_addch(&sb, '\n');
		diag_format(&sb, &d->items[i]);
	}
	if (!sb.len)
		return NULL;
	return strbuf_detach(&sb, NULL);
}

int log_table_write(const struct log_table *lt, const char *lakehouse, struct diags *diags)
{
	size_t n = lt->n;
	struct strbuf dir = STRBUF_INIT, name = STRBUF_INIT, tmp = STRBUF_INIT, final = STRBUF_INIT;
	struct pq_writer *w = NULL;
	struct pq_file_stats stats;
	struct pq_options opt;
	struct delta_table_meta meta;
	struct delta_add add;
	char *log_ids = NULL;
	const char **ids = NULL, **job = NULL, **ds = NULL, **step = NULL, **table = NULL, **status = NULL,
		   **msg = NULL, **err = NULL;
	int32_t *dates = NULL, *chunk = NULL;
	int64_t *rows = NULL, *ms = NULL, *mem = NULL, *ts = NULL;
	uint8_t *v_table = NULL, *v_date = NULL, *v_mem = NULL, *v_msg = NULL, *v_err = NULL, *none = NULL;
	bool stats_made = false;
	int ret = -1;

	memset(&stats, 0, sizeof(stats));
	if (n == 0)
		return 0;
#define ALLOC(p) ((p) = calloc(n, sizeof(*(p))), (p) ? 0 : (abort(), 0))
	ALLOC(ids), ALLOC(job), ALLOC(ds), ALLOC(step), ALLOC(table), ALLOC(status), ALLOC(msg),
		ALLOC(err), ALLOC(dates), ALLOC(chunk), ALLOC(rows), ALLOC(ms), ALLOC(mem), ALLOC(ts),
		ALLOC(v_table), ALLOC(v_date), ALLOC(v_mem), ALLOC(v_msg), ALLOC(v_err), ALLOC(none);
#undef ALLOC
	log_ids = calloc(n, 37);
	if (!log_ids)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct log_row *r = &lt->rows[i];
		struct strbuf key = STRBUF_INIT;
		strbuf_addf(&key, "%s#%zu", lt->job_id, i);
		delta_uuid_from(log_ids + 37 * i, key.buf, key.len);
		strbuf_release(&key);
		ids[i] = log_ids + 37 * i;
		job[i] = lt->job_id;
		ds[i] = lt->dataset_id;
		step[i] = r->table ? "table" : "run";
		table[i] = r->table ? r->table : "";
		v_table[i] = r->table != NULL;
		dates[i] = r->date == LOG_NO_DATE ? 0 : (int32_t)r->date;
		v_date[i] = r->date != LOG_NO_DATE;
		rows[i] = r->rows;
		ms[i] = r->ms;
		mem[i] = r->memory_centi_mb < 0 ? 0 : r->memory_centi_mb;
		v_mem[i] = r->memory_centi_mb >= 0;
		status[i] = r->status;
		msg[i] = r->message ? r->message : "";
		v_msg[i] = r->message != NULL;
		err[i] = r->error_details ? r->error_details : "";
		v_err[i] = r->error_details != NULL;
		ts[i] = r->timestamp_us;
	}
	struct pq_batch_column cols[N_COLS] = {
		[C_LOG_ID] = {.strs = ids},
		[C_JOB_ID] = {.strs = job},
		[C_DATASET] = {.strs = ds},
		[C_STEP] = {.strs = step},
		[C_TABLE] = {.strs = table, .valid = v_table},
		[C_DATE] = {.values = dates, .valid = v_date},
		[C_ROWS] = {.values = rows},
		[C_CHUNK] = {.values = chunk, .valid = none},
		[C_MS] = {.values = ms},
		[C_MEM] = {.values = mem, .valid = v_mem},
		[C_STATUS] = {.strs = status},
		[C_MESSAGE] = {.strs = msg, .valid = v_msg},
		[C_ERRORS] = {.strs = err, .valid = v_err},
		[C_TS] = {.values = ts},
	};

	strbuf_addf(&dir, "%s/Tables/%s", lakehouse, LOG_TABLE_NAME);
	{
		/* mkdir -p */
		for (size_t i = 1; i <= dir.len; i++) {
			if (i < dir.len && dir.buf[i] != '/')
				continue;
			char c = dir.buf[i];
			dir.buf[i] = 0;
			if (mkdir(dir.buf, 0755) && errno != EEXIST) {
				diag_error(diags, NULL, "cannot create directory '%s': %s", dir.buf,
					   strerror(errno));
				dir.buf[i] = c;
				goto done;
			}
			dir.buf[i] = c;
		}
	}
	delta_part_file_name(&name, lt->job_id, 0, PQ_CODEC_SNAPPY);
	strbuf_addf(&final, "%s/%s", dir.buf, name.buf);
	strbuf_addf(&tmp, "%s/.%s.tmp", dir.buf, name.buf);
	pq_options_init(&opt);
	if (pq_writer_open(&w, tmp.buf, log_columns, N_COLS, &opt, diags))
		goto done;
	if (pq_writer_write_batch(w, cols, n)) {
		pq_writer_abort(w);
		unlink(tmp.buf);
		goto done;
	}
	if (pq_writer_close(w, &stats)) {
		unlink(tmp.buf);
		goto done;
	}
	stats_made = true;
	if (rename(tmp.buf, final.buf)) {
		diag_error(diags, NULL, "cannot rename '%s' to '%s': %s", tmp.buf, final.buf, strerror(errno));
		unlink(tmp.buf);
		goto done;
	}
	memset(&meta, 0, sizeof(meta));
	meta.columns = log_columns;
	meta.n_columns = N_COLS;
	meta.description = "ingen_fab synthetic data generation log";
	memset(&add, 0, sizeof(add));
	add.path = name.buf;
	add.size = stats.file_bytes;
	add.stats = &stats;
	if (delta_log_append(NULL, dir.buf, &meta, &add, 1, diags)) {
		unlink(final.buf);
		goto done;
	}
	ret = 0;
done:
	if (stats_made)
		pq_file_stats_release(&stats);
	free(log_ids);
	free(ids), free(job), free(ds), free(step), free(table), free(status), free(msg), free(err);
	free(dates), free(chunk), free(rows), free(ms), free(mem), free(ts);
	free(v_table), free(v_date), free(v_mem), free(v_msg), free(v_err), free(none);
	strbuf_release(&dir);
	strbuf_release(&name);
	strbuf_release(&tmp);
	strbuf_release(&final);
	return ret;
}

void log_table_record_run(const struct run_stats *st, const char *root, const char *dataset_id, bool ok,
			  const struct diags *d)
{
	struct log_table lt;
	struct diags ld = DIAGS_INIT;
	struct strbuf lake = STRBUF_INIT, msg = STRBUF_INIT;
	char *errors = ok ? NULL : log_table_errors(d);
	const char *status = ok ? "completed" : st->interrupted ? "interrupted" : "failed";

	log_table_init(&lt, dataset_id);
	for (size_t i = 0; i < st->n_tables; i++)
		log_table_add_table(&lt, st->tables[i].name, LOG_NO_DATE, st->tables[i].rows,
				    st->tables[i].seconds);
	strbuf_addf(&msg, "generate %s: %zu table%s, %lld rows (%s)", dataset_id, st->n_tables,
		    st->n_tables == 1 ? "" : "s", (long long)st->rows, run_format_name(st->format));
	log_table_add_run(&lt, status, LOG_NO_DATE, st->rows, st->seconds, msg.buf, errors);
	strbuf_addf(&lake, "%s/lakehouse/%s", root, dataset_id);
	/* a run that could not even make its lakehouse has nowhere to log (and its own
	   error says why): the log table is not created in its place */
	if (access(lake.buf, F_OK) != 0)
		goto done;
	if (log_table_write(&lt, lake.buf, &ld))
		for (size_t i = 0; i < ld.n; i++)
			fprintf(stderr, "ingen_fab: warning: cannot append to the log table: %s\n",
				ld.items[i].msg);
done:
	free(errors);
	strbuf_release(&lake);
	strbuf_release(&msg);
	diags_release(&ld);
	log_table_release(&lt);
}
