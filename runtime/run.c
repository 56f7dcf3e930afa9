/*
 * run: the native engine's driver (run.h).  The calling thread prepares one
 * `rt_table` per selected table (column types, writer specs, partition
 * columns, unit boundaries, temporary and final folders), starts the
 * workers, and then keeps the books: it finalises tables in plan order as
 * their last unit completes (Delta log, rename into place), draws the
 * progress line, and takes SIGINT/SIGTERM when asked to.  Workers
 * (worker_main) take units in plan order and write each unit's file(s);
 * they share nothing but the read-only programs and the counters under
 * `run.mu`.
 *
 * A CSV or JSON lines file is cut further into segments, so that two
 * workers can share a table's last file: each worker formats its segment's
 * rows into its own buffer, and the file receives the segments in order.
 * The worker whose segment is next (the file's `turn`) writes as it goes;
 * one that finishes early parks its text, and the worker that ends the turn
 * before it writes the parked text too.  The file's bytes are those of one
 * worker writing it alone.  At most RUN_MAX_PARKED texts per worker wait,
 * so memory stays bounded.
 *
 * Values reach the writers through one normalisation step, so that every
 * format holds the same values: `int` columns wrap to 32 bits (as Spark's
 * and numpy's casts do), decimals with more digits than their precision
 * and timestamps beyond the microsecond range become NULL (Spark's
 * non-ANSI overflow).
 *
 * A Delta table partitioned by columns writes, per unit, one file per
 * partition value present: a first pass evaluates the unit and groups its
 * row counters by partition value, a second evaluates each group (eval_table
 * takes any counters) into that partition's file.  Memory is the unit's
 * counters (20 bytes a row), never its values.
 */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "delta_log.h"
#include "diag.h"
#include "eval.h"
#include "hash.h"
#include "ir.h"
#include "model.h"
#include "parquet.h"
#include "plan.h"
#include "strbuf.h"
#include "text_writer.h"

/* ---------- small helpers ---------- */

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		abort();
	return p;
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		abort();
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

double run_clock_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *run_format_name(enum run_format f)
{
	switch (f) {
	case RUN_FORMAT_DELTA: return "delta";
	case RUN_FORMAT_PARQUET: return "parquet";
	case RUN_FORMAT_CSV: return "csv";
	case RUN_FORMAT_JSONL: return "jsonl";
	}
	return "?";
}

int64_t run_file_rows(int64_t rows)
{
	int64_t want = rows / RUN_TARGET_FILES, f = RUN_MIN_FILE_ROWS;
	while (f < want && f < RUN_MAX_FILE_ROWS)
		f *= 2;
	return f;
}

void run_table_dir(struct strbuf *sb, const char *root, const char *dataset_id,
		   enum run_format f, const char *table)
{
	strbuf_addf(sb, "%s/lakehouse/%s/", root, dataset_id);
	if (f == RUN_FORMAT_DELTA)
		strbuf_addf(sb, "Tables/%s", table);
	else
		strbuf_addf(sb, "Files/synthetic_data/%s/%s/%s", dataset_id, run_format_name(f), table);
}

/* Removes everything under the open directory fd (which it closes). */
static int remove_dir_contents(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int rc = 0;
	if (!d) {
		close(dfd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			rc = -1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (sub < 0 || remove_dir_contents(sub) ||
			    unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR))
				rc = -1;
		} else if (unlinkat(dirfd(d), e->d_name, 0)) {
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

int run_remove_tree(const char *path)
{
	struct stat st;
	int fd;
	if (lstat(path, &st))
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || remove_dir_contents(fd))
		return -1;
	return rmdir(path);
}

/* mkdir -p; returns 0, or -1 with errno and the failing prefix in `failed`. */
static int mkdir_p(const char *dir, struct strbuf *failed)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;
	strbuf_addstr(&sb, dir);
	for (size_t i = 1; i <= sb.len && rc == 0; i++) {
		if (i < sb.len && sb.buf[i] != '/')
			continue;
		sb.buf[i] = 0;
		if (mkdir(sb.buf, 0777) && errno != EEXIST) {
			int err = errno;
			strbuf_reset(failed);
			strbuf_addstr(failed, sb.buf);
			errno = err;
			rc = -1;
		}
		if (i < sb.len)
			sb.buf[i] = '/';
	}
	strbuf_release(&sb);
	return rc;
}

/* `root` made absolute against the working directory ("./out" -> "/cwd/out"). */
static void absolute_root(struct strbuf *sb, const char *root)
{
	char *cwd;
	if (root[0] == '/' || !(cwd = getcwd(NULL, 0))) {
		strbuf_addstr(sb, root);
		return;
	}
	while (root[0] == '.' && root[1] == '/')
		for (root += 2; *root == '/'; root++)
			;
	strbuf_addstr(sb, cwd);
	if (*root && strcmp(root, ".")) {
		if (sb->len && sb->buf[sb->len - 1] != '/')
			strbuf_addch(sb, '/');
		strbuf_addstr(sb, root);
	}
	free(cwd);
	while (sb->len > 1 && sb->buf[sb->len - 1] == '/')
		strbuf_setlen(sb, sb->len - 1);
}

static void json_string(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			strbuf_addch(sb, '\\');
			strbuf_addch(sb, c);
		} else if (c < 0x20) {
			strbuf_addf(sb, "\\u%04x", c);
		} else {
			strbuf_addch(sb, c);
		}
	}
	strbuf_addch(sb, '"');
}

/* ---------- the run's state ---------- */

struct rt_column {
	const struct column *col;
	enum ir_type type;
	int scale, precision;
	bool int32;       /* an `int` column: values wrap to 32 bits */
	bool nullable;
	int64_t dec_bound;/* DEC with precision <= 18: 10^precision; 0 when unchecked */
	struct pq_column_spec spec;
};

struct unit_file {
	char *rel;            /* relative to the table folder */
	char **part_values;   /* one per partition column (NULL: null); NULL when unpartitioned */
	int64_t rows, bytes;
	bool has_stats;
	struct pq_file_stats stats;
};

struct unit_out {
	struct unit_file *files;
	size_t n, alloc;
};

/* A text segment's rows, formatted before the file's turn came to it. */
struct parked_text {
	struct strbuf text;
	bool ready;
};

/* A CSV or JSON lines unit: one file, written segment by segment. */
struct text_file {
	struct text_writer *tw;        /* opened by the writer of segment 0 */
	_Atomic int64_t turn;          /* the segment whose text goes to the file next */
	struct parked_text *parked;    /* per segment, allocated at the first park (under run.mu) */
	int64_t rows;                  /* under run.mu */
};

/* Texts waiting for their turn, per worker; beyond this a worker waits for them. */
#define RUN_MAX_PARKED 1
/*
 * Segments per full unit of a text format, fewer when a segment's text
 * would pass about RUN_TEXT_SEGMENT_BYTES (estimated at 24 bytes a value).
 */
#define RUN_TEXT_SEGMENTS 64
#define RUN_TEXT_SEGMENT_BYTES (4u << 20)
/* A segment whose turn it is goes to the file in writes of about this many bytes. */
#define RUN_TEXT_FLUSH (1u << 20)

struct rt_table {
	size_t index;                /* in the plan (and the programs) */
	const struct table *t;
	int64_t rows;
	int64_t row_start;           /* first row counter (child tables: first parent row) */
	bool child;
	int64_t parent_rows, per_min, per_max;
	uint64_t count_key;
	int64_t per_unit;            /* rows, or parent rows of a child table, per unit */
	int64_t n_units;
	int64_t per_seg;             /* the same, per segment: per_unit but for text formats */
	struct text_file *texts;     /* per unit, text formats */
	size_t n_cols;
	struct rt_column *cols;
	struct pq_column_spec *all_specs;
	struct tw_column *tw_cols;
	size_t n_part;               /* Delta partition columns */
	size_t *part_idx;
	const char **part_names;
	size_t n_data;               /* columns stored in the data files */
	size_t *data_idx;
	struct pq_column_spec *data_specs;
	char *final_dir, *tmp_dir, *seed; /* seed: of Delta file names */
	struct unit_out *units;
	/* under run.mu */
	int64_t next_unit, next_seg, units_done;
	bool started, finalized, tmp_made;
	double t_start, t_end;
	_Atomic int64_t rows_done;
	/* results */
	int64_t files, bytes;
	double seconds;
};

struct worker;

struct run {
	const struct run_request *req;
	char *root;                  /* req->root made absolute */
	const struct plan *plan;
	enum pq_codec codec;
	size_t batch;
	size_t n_tables;
	struct rt_table *tables;
	size_t max_cols;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t cursor;               /* the table whose units are handed out next */
	int active;                  /* workers still running */
	int n_parked;                /* texts parked, of all files */
	struct strbuf *spare;        /* empty buffers of drained parked texts, for the next park */
	size_t n_spare;
	atomic_int stop;
	int error_worker;            /* the first worker that failed, -1 none */
	int n_workers;
	struct worker *workers;
	long pid;
};

/* A worker's open Parquet file (CSV and JSON lines go through struct text_file). */
struct sink {
	struct pq_writer *pq;
	int64_t rows;
};

struct worker {
	struct run *run;
	int id;
	pthread_t thread;
	bool started;
	struct eval_ctx *ev;
	struct diags diags;
	int64_t *rows;                   /* batch counters */
	const struct eval_vec **out;     /* eval_table results */
	struct eval_vec *nv;             /* normalised views, by column */
	const struct eval_vec **nvp;
	uint8_t **valid_buf;
	int64_t **i64_buf;
	unsigned char **conv_buf;        /* Parquet conversions: 16 bytes a row */
	struct pq_batch_column *pqcols;
	/* a partitioned unit: its counters and their partition groups */
	int64_t *ucount, *usorted;
	uint32_t *ugid;
	size_t un, ucap;
	struct strbuf keys;              /* group keys, back to back */
	size_t *gkey_off, *gkey_len, *gsize, *gstart, *gorder;
	size_t ng, gcap;
	uint32_t *slots;                 /* open addressing: group id + 1 */
	size_t nslots;
	struct strbuf key, path, name;
	struct strbuf text;              /* a text segment's rows */
};

enum { UNIT_OK = 0, UNIT_FAILED = -1, UNIT_STOPPED = -2 };

/* ---------- units and row counters ---------- */

struct cursor {
	int64_t next, end;  /* rows, or parent rows */
	int64_t k, count;   /* child tables: children of `next` done, and its count (-1 unknown) */
};

/* Rows (parent rows of a child table) [from, from + n) of the table, clipped to its end. */
static void cursor_init(struct cursor *c, const struct rt_table *t, int64_t from, int64_t n)
{
	int64_t total = t->child ? t->parent_rows : t->rows;
	if (from > total)
		from = total;
	c->next = t->row_start + from;
	c->end = t->row_start + (total - from < n ? total : from + n);
	c->k = 0;
	c->count = -1;
}

/* The segments of unit u: at least one, so that an empty table still gets its file. */
static int64_t unit_segments(const struct rt_table *t, int64_t u)
{
	int64_t total = t->child ? t->parent_rows : t->rows, from = u * t->per_unit;
	int64_t n = total - from < t->per_unit ? total - from : t->per_unit;
	return n > 0 ? (n - 1) / t->per_seg + 1 : 1;
}

/* The number of children of parent row p (plan.c's child_rows rule). */
static int64_t child_count(const struct rt_table *t, int64_t p)
{
	if (t->per_min == t->per_max)
		return t->per_min;
	return hash_int_range(cell_hash(t->count_key, p), t->per_min, t->per_max);
}

/* Fills up to cap counters from the cursor; returns how many. */
static size_t cursor_fill(struct cursor *c, const struct rt_table *t, int64_t *rows, size_t cap)
{
	size_t n = 0;
	if (!t->child) {
		while (n < cap && c->next < c->end)
			rows[n++] = c->next++;
		return n;
	}
	while (n < cap && c->next < c->end) {
		if (c->count < 0)
			c->count = child_count(t, c->next);
		while (c->k < c->count && n < cap)
			rows[n++] = c->next * t->per_max + c->k++;
		if (c->k >= c->count) {
			c->next++;
			c->k = 0;
			c->count = -1;
		}
	}
	return n;
}

/* ---------- normalisation and writer input ---------- */

/*
 * Whether a valid row of v is outside [lo, hi].  The whole batch is read,
 * without an early exit, so that the loop vectorises.
 */
static bool any_outside(const struct eval_vec *v, size_t n, int64_t lo, int64_t hi)
{
	unsigned bad = 0;
	for (size_t i = 0; i < n; i++)
		bad |= v->valid[i] & ((v->i64[i] < lo) | (v->i64[i] > hi));
	return bad != 0;
}

/* Builds w->nv[j] for the columns `which` (all when NULL) from eval's output. */
static int normalize(struct worker *w, const struct rt_table *t, size_t n, const size_t *which,
		     size_t n_which)
{
	for (size_t q = 0; q < n_which; q++) {
		size_t j = which ? which[q] : q;
		const struct rt_column *c = &t->cols[j];
		struct eval_vec *v = &w->nv[j];

		*v = *w->out[j];
		if (c->int32) {
			if (any_outside(v, n, INT32_MIN, INT32_MAX)) {
				int64_t *dst = w->i64_buf[j];
				for (size_t i = 0; i < n; i++)
					dst[i] = (int64_t)(int32_t)(uint32_t)(uint64_t)v->i64[i];
				v->i64 = dst;
			}
		} else if (c->dec_bound || c->type == IR_T_TS) {
			int64_t lim = c->dec_bound ? c->dec_bound - 1 : INT64_MAX / 1000000;
			if (any_outside(v, n, -lim, lim)) {
				uint8_t *dst = w->valid_buf[j];
				for (size_t i = 0; i < n; i++)
					dst[i] = v->valid[i] && v->i64[i] <= lim && v->i64[i] >= -lim;
				v->valid = dst;
			}
		}
		if (!c->nullable && memchr(v->valid, 0, n))
			return diag_error(&w->diags, NULL, "internal error: NULL in primary key column '%s.%s'",
					  t->t->name, c->col->name);
	}
	return 0;
}

/* Fills w->pqcols for the data columns from w->nv. */
static void to_parquet(struct worker *w, const struct rt_table *t, size_t n)
{
	for (size_t q = 0; q < t->n_data; q++) {
		size_t j = t->data_idx[q];
		const struct eval_vec *v = &w->nv[j];
		const struct pq_column_spec *s = &t->cols[j].spec;
		struct pq_batch_column *pc = &w->pqcols[q];
		unsigned char *buf = w->conv_buf[j];

		memset(pc, 0, sizeof(*pc));
		pc->valid = s->nullable ? v->valid : NULL;
		switch (s->type) {
		case PQ_BOOLEAN: {
			uint8_t *b = buf;
			for (size_t i = 0; i < n; i++)
				b[i] = v->i64[i] != 0;
			pc->values = b;
			break;
		}
		case PQ_INT32:
		case PQ_DATE: {
			int32_t *d = (int32_t *)(void *)buf;
			for (size_t i = 0; i < n; i++)
				d[i] = (int32_t)v->i64[i];
			pc->values = d;
			break;
		}
		case PQ_INT64:
			pc->values = v->i64;
			break;
		case PQ_DOUBLE:
			pc->values = v->f64;
			break;
		case PQ_TIMESTAMP_MICROS: {
			int64_t *d = (int64_t *)(void *)buf;
			for (size_t i = 0; i < n; i++)
				d[i] = v->valid[i] ? v->i64[i] * 1000000 : 0;
			pc->values = d;
			break;
		}
		case PQ_DECIMAL:
			if (s->precision <= 18) {
				pc->values = v->i64;
			} else {
				pq_int128 *d = (pq_int128 *)(void *)buf;
				for (size_t i = 0; i < n; i++)
					d[i] = v->i64[i];
				pc->values = d;
			}
			break;
		case PQ_STRING:
			pc->offsets = v->off;
			pc->data = v->data;
			break;
		}
	}
}

/* ---------- sinks: one output file ---------- */

static int sink_open(struct worker *w, const struct rt_table *t, struct sink *s, const char *path)
{
	const struct run *r = w->run;
	struct pq_options opt;
	memset(s, 0, sizeof(*s));
	pq_options_init(&opt);
	opt.codec = r->codec;
	return pq_writer_open(&s->pq, path, t->data_specs, t->n_data, &opt, &w->diags);
}

/* Writes rows whose normalised values are in w->nv. */
static int sink_write(struct worker *w, const struct rt_table *t, struct sink *s, size_t n)
{
	s->rows += (int64_t)n;
	to_parquet(w, t, n);
	return pq_writer_write_batch(s->pq, w->pqcols, n);
}

static void sink_abort(struct sink *s)
{
	if (s->pq)
		pq_writer_abort(s->pq);
	memset(s, 0, sizeof(*s));
}

/*
 * Closes the sink and records the file as `rel` in the unit's list, which
 * takes `part_values` on success (the caller frees them on failure).
 */
static int sink_close(struct sink *s, struct unit_out *uo, const char *rel, char **part_values)
{
	struct unit_file f;
	int rc;
	memset(&f, 0, sizeof(f));
	f.rows = s->rows;
	rc = pq_writer_close(s->pq, &f.stats);
	if (rc == 0) {
		f.has_stats = true;
		f.bytes = f.stats.file_bytes;
	}
	memset(s, 0, sizeof(*s));
	if (rc)
		return -1;
	f.rel = xstrdup(rel);
	f.part_values = part_values;
	if (uo->n == uo->alloc) {
		uo->alloc = uo->alloc ? 2 * uo->alloc : 4;
		uo->files = xrealloc(uo->files, uo->alloc * sizeof(*uo->files));
	}
	uo->files[uo->n++] = f;
	return 0;
}

static void unit_out_release(struct unit_out *uo, size_t n_part)
{
	for (size_t i = 0; i < uo->n; i++) {
		struct unit_file *f = &uo->files[i];
		free(f->rel);
		if (f->part_values) {
			for (size_t k = 0; k < n_part; k++)
				free(f->part_values[k]);
			free(f->part_values);
		}
		if (f->has_stats)
			pq_file_stats_release(&f->stats);
	}
	free(uo->files);
	memset(uo, 0, sizeof(*uo));
}

/* The file name of unit u (no partition folder). */
static void unit_file_name(struct strbuf *sb, const struct run *r, const char *seed, int64_t u)
{
	switch (r->req->format) {
	case RUN_FORMAT_DELTA:
		delta_part_file_name(sb, seed, (int)u, r->codec);
		break;
	case RUN_FORMAT_PARQUET:
		strbuf_addf(sb, "part-%05" PRId64 ".parquet", u);
		break;
	case RUN_FORMAT_CSV:
		strbuf_addf(sb, "part-%05" PRId64 ".csv", u);
		break;
	case RUN_FORMAT_JSONL:
		strbuf_addf(sb, "part-%05" PRId64 ".jsonl", u);
		break;
	}
}

static int eval_batch(struct worker *w, const struct rt_table *t, const int64_t *rows, size_t n)
{
	if (eval_table(w->ev, t->index, rows, n, w->out))
		return diag_error(&w->diags, NULL, "cannot evaluate table '%s': %s", t->t->name,
				  eval_error(w->ev));
	return 0;
}

static bool stopping(const struct worker *w)
{
	return atomic_load_explicit(&w->run->stop, memory_order_relaxed) != 0;
}

/* ---------- an unpartitioned unit ---------- */

static int unit_single(struct worker *w, struct rt_table *t, int64_t u)
{
	struct run *r = w->run;
	struct cursor cur;
	struct sink s;
	size_t n;

	cursor_init(&cur, t, u * t->per_unit, t->per_unit);
	strbuf_reset(&w->name);
	unit_file_name(&w->name, r, t->seed, u);
	strbuf_reset(&w->path);
	strbuf_addf(&w->path, "%s/%s", t->tmp_dir, w->name.buf);
	if (sink_open(w, t, &s, w->path.buf))
		return UNIT_FAILED;
	while ((n = cursor_fill(&cur, t, w->rows, r->batch)) > 0) {
		if (stopping(w)) {
			sink_abort(&s);
			return UNIT_STOPPED;
		}
		if (eval_batch(w, t, w->rows, n) || normalize(w, t, n, NULL, t->n_cols) ||
		    sink_write(w, t, &s, n)) {
			sink_abort(&s);
			return UNIT_FAILED;
		}
		atomic_fetch_add_explicit(&t->rows_done, (int64_t)n, memory_order_relaxed);
	}
	if (sink_close(&s, &t->units[u], w->name.buf, NULL))
		return UNIT_FAILED;
	return UNIT_OK;
}

/* ---------- a segment of a text unit (CSV, JSON lines) ---------- */

/* Appends text to unit u's file, opening it for segment 0; the caller has the turn. */
static int text_append(struct worker *w, struct rt_table *t, int64_t u, const struct strbuf *text)
{
	struct run *r = w->run;
	struct text_file *tf = &t->texts[u];
	if (!tf->tw) {
		strbuf_reset(&w->name);
		unit_file_name(&w->name, r, t->seed, u);
		strbuf_reset(&w->path);
		strbuf_addf(&w->path, "%s/%s", t->tmp_dir, w->name.buf);
		if (tw_open(&tf->tw, w->path.buf,
			    r->req->format == RUN_FORMAT_CSV ? TW_CSV : TW_JSONL, t->tw_cols, t->n_cols,
			    &w->diags))
			return -1;
	}
	return tw_write_text(tf->tw, text->buf, text->len, &w->diags);
}

/* Closes unit u's file and records it (the caller has the last turn). */
static int text_close(struct worker *w, struct rt_table *t, int64_t u)
{
	struct run *r = w->run;
	struct text_file *tf = &t->texts[u];
	struct unit_file f;
	int rc;

	memset(&f, 0, sizeof(f));
	strbuf_reset(&w->text);
	if (text_append(w, t, u, &w->text)) /* an empty unit: its file is opened here */
		return -1;
	rc = tw_close(tf->tw, &f.bytes);
	tf->tw = NULL;
	if (rc)
		return -1;
	strbuf_reset(&w->name);
	unit_file_name(&w->name, r, t->seed, u);
	f.rel = xstrdup(w->name.buf);
	pthread_mutex_lock(&r->mu);
	f.rows = tf->rows;
	t->units[u].files = xcalloc(1, sizeof(f));
	t->units[u].files[0] = f;
	t->units[u].n = t->units[u].alloc = 1;
	pthread_mutex_unlock(&r->mu);
	return 0;
}

/* Under run.mu: an empty buffer for the worker whose text was parked. */
static struct strbuf spare_text(struct run *r)
{
	struct strbuf sb = STRBUF_INIT;
	if (r->n_spare)
		sb = r->spare[--r->n_spare];
	return sb;
}

/* Under run.mu: keeps a drained text's buffer for the next park, or frees it. */
static void keep_spare(struct run *r, struct strbuf *sb)
{
	if (r->n_spare < (size_t)r->n_workers) {
		strbuf_reset(sb);
		r->spare[r->n_spare++] = *sb;
	} else {
		strbuf_release(sb);
	}
	strbuf_init(sb, 0);
}

/*
 * Segment s of unit u is formatted (its rest in w->text): writes it when the
 * file's turn is s, with the parked segments after it, or parks it.  Sets
 * *closed when this wrote the file's last segment.
 */
static int text_segment_done(struct worker *w, struct rt_table *t, int64_t u, int64_t s,
			     int64_t rows, bool *closed)
{
	struct run *r = w->run;
	struct text_file *tf = &t->texts[u];
	const int64_t n_segs = unit_segments(t, u);

	pthread_mutex_lock(&r->mu);
	tf->rows += rows;
	if (atomic_load_explicit(&tf->turn, memory_order_relaxed) != s) {
		if (!tf->parked)
			tf->parked = xcalloc((size_t)n_segs, sizeof(*tf->parked));
		tf->parked[s].text = w->text;
		tf->parked[s].ready = true;
		w->text = spare_text(r);
		r->n_parked++;
		pthread_mutex_unlock(&r->mu);
		return 0;
	}
	pthread_mutex_unlock(&r->mu);
	for (;;) {
		if (w->text.len && text_append(w, t, u, &w->text))
			return -1;
		strbuf_reset(&w->text);
		if (++s == n_segs) {
			if (text_close(w, t, u))
				return -1;
			*closed = true;
			return 0;
		}
		pthread_mutex_lock(&r->mu);
		atomic_store_explicit(&tf->turn, s, memory_order_release);
		if (!tf->parked || !tf->parked[s].ready) {
			pthread_mutex_unlock(&r->mu);
			return 0;
		}
		/* the next segment is parked: take its text, keep this buffer for a park */
		keep_spare(r, &w->text);
		w->text = tf->parked[s].text;
		tf->parked[s].ready = false;
		strbuf_init(&tf->parked[s].text, 0);
		r->n_parked--;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
}

static int unit_text_segment(struct worker *w, struct rt_table *t, int64_t u, int64_t s,
			     bool *closed)
{
	struct run *r = w->run;
	struct text_file *tf = &t->texts[u];
	struct tw_formatter *fm;
	struct cursor cur;
	int64_t rows = 0, from;
	size_t n;

	from = s * t->per_seg; /* within the unit */
	cursor_init(&cur, t, u * t->per_unit + from,
		    t->per_unit - from < t->per_seg ? t->per_unit - from : t->per_seg);
	fm = tw_formatter_new(r->req->format == RUN_FORMAT_CSV ? TW_CSV : TW_JSONL, t->tw_cols,
			      t->n_cols);
	strbuf_reset(&w->text);
	while ((n = cursor_fill(&cur, t, w->rows, r->batch)) > 0) {
		if (stopping(w)) {
			tw_formatter_free(fm);
			return UNIT_STOPPED;
		}
		if (eval_batch(w, t, w->rows, n) || normalize(w, t, n, NULL, t->n_cols)) {
			tw_formatter_free(fm);
			return UNIT_FAILED;
		}
		for (size_t j = 0; j < t->n_cols; j++)
			w->nvp[j] = &w->nv[j];
		tw_formatter_rows(fm, &w->text, w->nvp, n);
		rows += (int64_t)n;
		atomic_fetch_add_explicit(&t->rows_done, (int64_t)n, memory_order_relaxed);
		/* the file's turn is this segment's: nobody else writes it until this one ends */
		if (w->text.len >= RUN_TEXT_FLUSH &&
		    atomic_load_explicit(&tf->turn, memory_order_acquire) == s) {
			if (text_append(w, t, u, &w->text)) {
				tw_formatter_free(fm);
				return UNIT_FAILED;
			}
			strbuf_reset(&w->text);
		}
	}
	tw_formatter_free(fm);
	return text_segment_done(w, t, u, s, rows, closed) ? UNIT_FAILED : UNIT_OK;
}

/* ---------- a partitioned unit (Delta) ---------- */

/*
 * The key of row i, from the typed values (no text on the hot path): per
 * partition column a byte (0 null, 1 value), then a string's 4-byte length
 * and bytes, or the 8 bytes of any other value.  The empty string is null
 * (as in partition paths) and every NaN is one NaN, so that distinct keys
 * have distinct folder names.
 */
static void row_key(struct worker *w, const struct rt_table *t, size_t i)
{
	strbuf_reset(&w->key);
	for (size_t q = 0; q < t->n_part; q++) {
		size_t j = t->part_idx[q];
		const struct eval_vec *v = &w->nv[j];
		if (!v->valid[i]) {
			strbuf_addch(&w->key, 0);
		} else if (v->type == IR_T_STR) {
			size_t len;
			const char *p = eval_str(v, i, &len);
			uint32_t n = (uint32_t)len;
			strbuf_addch(&w->key, len != 0);
			if (len) {
				strbuf_add(&w->key, &n, sizeof(n));
				strbuf_add(&w->key, p, len);
			}
		} else if (v->type == IR_T_F64) {
			double d = v->f64[i] != v->f64[i] ? NAN : v->f64[i];
			strbuf_addch(&w->key, 1);
			strbuf_add(&w->key, &d, sizeof(d));
		} else {
			strbuf_addch(&w->key, 1);
			strbuf_add(&w->key, &v->i64[i], sizeof(v->i64[i]));
		}
	}
}

static void slots_rehash(struct worker *w, size_t nslots)
{
	free(w->slots);
	w->nslots = nslots;
	w->slots = xcalloc(nslots, sizeof(*w->slots));
	for (size_t g = 0; g < w->ng; g++) {
		uint64_t h = hash_bytes(w->keys.buf + w->gkey_off[g], w->gkey_len[g], 0);
		size_t s = (size_t)h & (nslots - 1);
		while (w->slots[s])
			s = (s + 1) & (nslots - 1);
		w->slots[s] = (uint32_t)(g + 1);
	}
}

/* The group id of the current key, added when new. */
static uint32_t group_of(struct worker *w)
{
	uint64_t h = hash_bytes(w->key.buf, w->key.len, 0);
	size_t s;
	if (2 * (w->ng + 1) > w->nslots)
		slots_rehash(w, w->nslots ? 2 * w->nslots : 64);
	s = (size_t)h & (w->nslots - 1);
	while (w->slots[s]) {
		size_t g = w->slots[s] - 1;
		if (w->gkey_len[g] == w->key.len &&
		    !memcmp(w->keys.buf + w->gkey_off[g], w->key.buf, w->key.len))
			return (uint32_t)g;
		s = (s + 1) & (w->nslots - 1);
	}
	if (w->ng == w->gcap) {
		w->gcap = w->gcap ? 2 * w->gcap : 64;
		w->gkey_off = xrealloc(w->gkey_off, w->gcap * sizeof(size_t));
		w->gkey_len = xrealloc(w->gkey_len, w->gcap * sizeof(size_t));
		w->gsize = xrealloc(w->gsize, w->gcap * sizeof(size_t));
		w->gstart = xrealloc(w->gstart, w->gcap * sizeof(size_t));
		w->gorder = xrealloc(w->gorder, w->gcap * sizeof(size_t));
	}
	w->gkey_off[w->ng] = w->keys.len;
	w->gkey_len[w->ng] = w->key.len;
	w->gsize[w->ng] = 0;
	strbuf_add(&w->keys, w->key.buf, w->key.len);
	w->slots[s] = (uint32_t)(w->ng + 1);
	return (uint32_t)w->ng++;
}

/* Groups are written in the order of their key bytes (any fixed order would do). */
struct gsort {
	const char *key;
	size_t len;
	size_t g;
};

static int gsort_cmp(const void *a, const void *b)
{
	const struct gsort *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* The partition values of a group key as text (malloc'd; NULL entries for null). */
static char **key_values(const struct rt_table *t, const char *key)
{
	char **vals = xcalloc(t->n_part, sizeof(*vals));
	const char *p = key;
	struct strbuf sb = STRBUF_INIT;
	for (size_t q = 0; q < t->n_part; q++) {
		const struct pq_column_spec *spec = &t->cols[t->part_idx[q]].spec;
		struct pq_value pv;
		int64_t i;
		if (!*p++)
			continue;
		memset(&pv, 0, sizeof(pv));
		if (spec->type == PQ_STRING) {
			uint32_t n;
			memcpy(&n, p, sizeof(n));
			pv.s = (char *)p + sizeof(n);
			pv.len = n;
			p += sizeof(n) + n;
		} else if (spec->type == PQ_DOUBLE) {
			memcpy(&pv.d, p, sizeof(pv.d));
			p += sizeof(pv.d);
		} else {
			memcpy(&i, p, sizeof(i));
			p += sizeof(i);
			pv.i = spec->type == PQ_TIMESTAMP_MICROS ? i * 1000000 : i;
			pv.i128 = i;
		}
		strbuf_reset(&sb);
		delta_partition_value(&sb, spec, &pv);
		vals[q] = xstrdup(sb.buf);
	}
	strbuf_release(&sb);
	return vals;
}

static int unit_partitioned(struct worker *w, struct rt_table *t, int64_t u)
{
	struct run *r = w->run;
	struct cursor cur;
	struct gsort *order = NULL;
	size_t n;
	int rc = UNIT_FAILED;

	/* pass 1: the unit's counters and their partition groups */
	cursor_init(&cur, t, u * t->per_unit, t->per_unit);
	w->un = 0;
	w->ng = 0;
	strbuf_reset(&w->keys);
	if (w->nslots)
		memset(w->slots, 0, w->nslots * sizeof(*w->slots));
	while ((n = cursor_fill(&cur, t, w->rows, r->batch)) > 0) {
		if (stopping(w))
			return UNIT_STOPPED;
		if (eval_batch(w, t, w->rows, n) || normalize(w, t, n, t->part_idx, t->n_part))
			return UNIT_FAILED;
		if (w->un + n > w->ucap) {
			while (w->un + n > w->ucap)
				w->ucap = w->ucap ? 2 * w->ucap : 65536;
			w->ucount = xrealloc(w->ucount, w->ucap * sizeof(*w->ucount));
			w->usorted = xrealloc(w->usorted, w->ucap * sizeof(*w->usorted));
			w->ugid = xrealloc(w->ugid, w->ucap * sizeof(*w->ugid));
		}
		for (size_t i = 0; i < n; i++) {
			uint32_t g;
			row_key(w, t, i);
			g = group_of(w);
			w->gsize[g]++;
			w->ucount[w->un] = w->rows[i];
			w->ugid[w->un] = g;
			w->un++;
		}
	}
	/* counting sort, stable: each group's counters in row order */
	{
		size_t at = 0;
		for (size_t g = 0; g < w->ng; g++) {
			w->gstart[g] = at;
			at += w->gsize[g];
			w->gorder[g] = w->gstart[g];
		}
		for (size_t i = 0; i < w->un; i++)
			w->usorted[w->gorder[w->ugid[i]]++] = w->ucount[i];
	}
	order = xcalloc(w->ng, sizeof(*order));
	for (size_t g = 0; g < w->ng; g++) {
		order[g].key = w->keys.buf + w->gkey_off[g];
		order[g].len = w->gkey_len[g];
		order[g].g = g;
	}
	qsort(order, w->ng, sizeof(*order), gsort_cmp);

	/* pass 2: one file per group, in key order */
	for (size_t k = 0; k < w->ng; k++) {
		size_t g = order[k].g, done = 0;
		char **vals = key_values(t, order[k].key);
		struct strbuf dir = STRBUF_INIT, seed = STRBUF_INIT, failed = STRBUF_INIT;
		struct sink s;
		int step_rc;

		for (size_t q = 0; q < t->n_part; q++) {
			if (q)
				strbuf_addch(&dir, '/');
			delta_partition_dir(&dir, t->part_names[q], vals[q]);
		}
		strbuf_addf(&seed, "%s/%s", t->seed, dir.buf);
		strbuf_reset(&w->name);
		strbuf_addf(&w->name, "%s/", dir.buf);
		unit_file_name(&w->name, r, seed.buf, u);
		strbuf_reset(&w->path);
		strbuf_addf(&w->path, "%s/%s", t->tmp_dir, dir.buf);
		step_rc = mkdir_p(w->path.buf, &failed);
		if (step_rc)
			diag_error(&w->diags, NULL, "cannot create directory '%s': %s", failed.buf,
				   strerror(errno));
		strbuf_addf(&w->path, "/%s", w->name.buf + dir.len + 1);
		strbuf_release(&dir);
		strbuf_release(&seed);
		strbuf_release(&failed);
		if (step_rc || sink_open(w, t, &s, w->path.buf)) {
			for (size_t q = 0; q < t->n_part; q++)
				free(vals[q]);
			free(vals);
			goto done;
		}
		while (done < w->gsize[g]) {
			size_t m = w->gsize[g] - done < r->batch ? w->gsize[g] - done : r->batch;
			const int64_t *rows = w->usorted + w->gstart[g] + done;
			if (stopping(w)) {
				sink_abort(&s);
				rc = UNIT_STOPPED;
				step_rc = -1;
				break;
			}
			if (eval_batch(w, t, rows, m) ||
			    normalize(w, t, m, t->data_idx, t->n_data) || sink_write(w, t, &s, m)) {
				sink_abort(&s);
				step_rc = -1;
				break;
			}
			done += m;
			atomic_fetch_add_explicit(&t->rows_done, (int64_t)m, memory_order_relaxed);
		}
		if (step_rc) {
			for (size_t q = 0; q < t->n_part; q++)
				free(vals[q]);
			free(vals);
			goto done;
		}
		if (sink_close(&s, &t->units[u], w->name.buf, vals)) {
			for (size_t q = 0; q < t->n_part; q++)
				free(vals[q]);
			free(vals);
			goto done;
		}
	}
	rc = UNIT_OK;
done:
	free(order);
	return rc;
}

/* ---------- workers ---------- */

/*
 * Under run.mu: the next unit, and its next segment for a text format, in
 * plan order.  While too many texts are parked, waits for their turns (the
 * segments they wait for are being made by workers that are not waiting).
 */
static bool take_work(struct run *r, struct rt_table **t_out, int64_t *u_out, int64_t *s_out)
{
	while (r->n_parked >= RUN_MAX_PARKED * r->n_workers && !atomic_load(&r->stop))
		pthread_cond_wait(&r->cv, &r->mu);
	while (r->cursor < r->n_tables && !atomic_load(&r->stop)) {
		struct rt_table *t = &r->tables[r->cursor];
		if (t->next_unit < t->n_units) {
			*u_out = t->next_unit;
			*s_out = t->next_seg;
			if (!t->texts || ++t->next_seg == unit_segments(t, t->next_unit)) {
				t->next_unit++;
				t->next_seg = 0;
			}
			*t_out = t;
			if (!t->started) {
				t->started = true;
				t->t_start = run_clock_s();
			}
			return true;
		}
		r->cursor++;
	}
	return false;
}

static void worker_fail(struct worker *w)
{
	struct run *r = w->run;
	if (r->error_worker < 0 && !atomic_load(&r->stop))
		r->error_worker = w->id;
	atomic_store(&r->stop, 1);
}

static int worker_setup(struct worker *w)
{
	struct run *r = w->run;
	size_t nc = r->max_cols ? r->max_cols : 1;
	if (eval_ctx_new(&w->ev, r->req->programs, r->plan->n_tables, r->batch, &w->diags))
		return -1;
	w->rows = xcalloc(r->batch, sizeof(*w->rows));
	w->out = xcalloc(nc, sizeof(*w->out));
	w->nv = xcalloc(nc, sizeof(*w->nv));
	w->nvp = xcalloc(nc, sizeof(*w->nvp));
	w->valid_buf = xcalloc(nc, sizeof(*w->valid_buf));
	w->i64_buf = xcalloc(nc, sizeof(*w->i64_buf));
	w->conv_buf = xcalloc(nc, sizeof(*w->conv_buf));
	w->pqcols = xcalloc(nc, sizeof(*w->pqcols));
	for (size_t j = 0; j < nc; j++) {
		w->valid_buf[j] = xcalloc(r->batch, 1);
		w->i64_buf[j] = xcalloc(r->batch, sizeof(int64_t));
		w->conv_buf[j] = xcalloc(r->batch, 16);
	}
	return 0;
}

static void worker_release(struct worker *w)
{
	size_t nc = w->run->max_cols ? w->run->max_cols : 1;
	if (w->ev)
		eval_ctx_free(w->ev);
	if (w->valid_buf)
		for (size_t j = 0; j < nc; j++) {
			free(w->valid_buf[j]);
			free(w->i64_buf[j]);
			free(w->conv_buf[j]);
		}
	free(w->rows);
	free(w->out);
	free(w->nv);
	free(w->nvp);
	free(w->valid_buf);
	free(w->i64_buf);
	free(w->conv_buf);
	free(w->pqcols);
	free(w->ucount);
	free(w->usorted);
	free(w->ugid);
	free(w->gkey_off);
	free(w->gkey_len);
	free(w->gsize);
	free(w->gstart);
	free(w->gorder);
	free(w->slots);
	strbuf_release(&w->keys);
	strbuf_release(&w->key);
	strbuf_release(&w->path);
	strbuf_release(&w->name);
	strbuf_release(&w->text);
	diags_release(&w->diags);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	int setup = worker_setup(w);

	pthread_mutex_lock(&r->mu);
	if (setup)
		worker_fail(w);
	while (!setup && !atomic_load(&r->stop)) {
		struct rt_table *t;
		int64_t u, s;
		bool closed = true;
		int rc;
		if (!take_work(r, &t, &u, &s))
			break;
		pthread_mutex_unlock(&r->mu);
		if (t->texts) {
			closed = false;
			rc = unit_text_segment(w, t, u, s, &closed);
		} else {
			rc = t->n_part ? unit_partitioned(w, t, u) : unit_single(w, t, u);
		}
		pthread_mutex_lock(&r->mu);
		if (rc == UNIT_FAILED) {
			worker_fail(w);
		} else if (rc == UNIT_OK && closed) {
			if (++t->units_done == t->n_units) {
				t->t_end = run_clock_s();
				pthread_cond_broadcast(&r->cv);
			}
		}
	}
	r->active--;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* ---------- tables ---------- */

static enum pq_type pq_type_of(const struct col_type *ct)
{
	switch (ct->kind) {
	case TYPE_BOOLEAN: return PQ_BOOLEAN;
	case TYPE_INT: return PQ_INT32;
	case TYPE_BIGINT: return PQ_INT64;
	case TYPE_DOUBLE: return PQ_DOUBLE;
	case TYPE_DECIMAL: return PQ_DECIMAL;
	case TYPE_STRING:
	case TYPE_VARCHAR: return PQ_STRING;
	case TYPE_DATE: return PQ_DATE;
	case TYPE_TIMESTAMP: return PQ_TIMESTAMP_MICROS;
	}
	return PQ_STRING;
}

static enum ir_type ir_type_of(const struct col_type *ct)
{
	switch (ct->kind) {
	case TYPE_BOOLEAN: return IR_T_BOOL;
	case TYPE_INT:
	case TYPE_BIGINT: return IR_T_I64;
	case TYPE_DOUBLE: return IR_T_F64;
	case TYPE_DECIMAL: return IR_T_DEC;
	case TYPE_STRING:
	case TYPE_VARCHAR: return IR_T_STR;
	case TYPE_DATE: return IR_T_DATE;
	case TYPE_TIMESTAMP: return IR_T_TS;
	}
	return IR_T_STR;
}

static bool is_pk(const struct table *t, const struct column *c)
{
	for (size_t i = 0; i < t->n_primary_key; i++)
		if (t->primary_key[i] == c)
			return true;
	return false;
}

static bool is_partition(const struct run *r, const struct table *t, const struct column *c)
{
	const struct dataset *ds = r->plan->ds;
	if (r->req->format != RUN_FORMAT_DELTA)
		return false;
	if (t->n_partition_columns) {
		for (size_t i = 0; i < t->n_partition_columns; i++)
			if (t->partition_columns[i] == c)
				return true;
		return false;
	}
	for (size_t i = 0; i < ds->n_partition_columns; i++)
		if (!strcmp(ds->partition_columns[i], c->name))
			return true;
	return false;
}

static int table_setup(struct run *r, struct rt_table *rt, size_t plan_index, struct diags *diags)
{
	const struct plan *p = r->plan;
	const struct plan_table *pt = &p->tables[plan_index];
	const struct table *t = pt->table;
	const struct ir_program *prog = &r->req->programs[plan_index];
	struct strbuf sb = STRBUF_INIT;
	int64_t file_rows;

	rt->index = plan_index;
	rt->t = t;
	rt->rows = pt->rows;
	rt->row_start = pt->row_start;
	rt->n_cols = t->n_columns;
	if (prog->n_columns != t->n_columns)
		return diag_error(diags, NULL, "internal error: table '%s' has %zu columns but its program %zu",
				  t->name, t->n_columns, prog->n_columns);
	rt->cols = xcalloc(t->n_columns, sizeof(*rt->cols));
	rt->all_specs = xcalloc(t->n_columns, sizeof(*rt->all_specs));
	rt->tw_cols = xcalloc(t->n_columns, sizeof(*rt->tw_cols));
	rt->part_idx = xcalloc(t->n_columns, sizeof(*rt->part_idx));
	rt->part_names = xcalloc(t->n_columns, sizeof(*rt->part_names));
	rt->data_idx = xcalloc(t->n_columns, sizeof(*rt->data_idx));
	rt->data_specs = xcalloc(t->n_columns, sizeof(*rt->data_specs));
	for (size_t j = 0; j < t->n_columns; j++) {
		const struct column *c = t->columns[j];
		struct rt_column *rc = &rt->cols[j];
		rc->col = c;
		rc->type = prog->columns[j].type;
		rc->scale = prog->columns[j].scale;
		rc->precision = c->type.kind == TYPE_DECIMAL ? c->type.precision : 0;
		rc->int32 = c->type.kind == TYPE_INT;
		rc->nullable = !is_pk(t, c);
		if (c->type.kind == TYPE_DECIMAL && c->type.precision <= 18) {
			rc->dec_bound = 1;
			for (int k = 0; k < c->type.precision; k++)
				rc->dec_bound *= 10;
		}
		rc->spec.name = c->name;
		rc->spec.type = pq_type_of(&c->type);
		rc->spec.precision = c->type.precision;
		rc->spec.scale = c->type.kind == TYPE_DECIMAL ? c->type.scale : 0;
		rc->spec.nullable = rc->nullable;
		rc->spec.varchar_length = c->type.kind == TYPE_VARCHAR ? c->type.length : 0;
		if (rc->type != ir_type_of(&c->type) ||
		    (rc->type == IR_T_DEC && rc->scale != c->type.scale))
			return diag_error(diags, NULL,
					  "internal error: column '%s.%s' is not computed in its type",
					  t->name, c->name);
		rt->all_specs[j] = rc->spec;
		rt->tw_cols[j].name = c->name;
		rt->tw_cols[j].type = rc->type;
		rt->tw_cols[j].scale = rc->scale;
		if (is_partition(r, t, c)) {
			rt->part_idx[rt->n_part] = j;
			rt->part_names[rt->n_part++] = c->name;
		} else {
			rt->data_idx[rt->n_data] = j;
			rt->data_specs[rt->n_data++] = rc->spec;
		}
	}
	if (rt->n_part && !rt->n_data)
		return diag_error(diags, &t->loc, "table '%s' has only partition columns; a Delta table needs a column stored in its files",
				  t->name);

	/*
	 * A partitioned unit writes one file per partition value it holds, so its
	 * units are as large as files may be (it keeps only row counters).
	 */
	if (r->req->file_rows > 0)
		file_rows = r->req->file_rows;
	else if (rt->n_part)
		file_rows = RUN_MAX_FILE_ROWS;
	else
		file_rows = run_file_rows(pt->rows);
	if (t->parent) {
		rt->child = true;
		rt->parent_rows = pt->parent_rows;
		rt->per_min = t->per_parent_min;
		rt->per_max = t->per_parent_max;
		rt->count_key = cell_key(pt->count_seed);
		if (pt->rows > 0) {
			unsigned __int128 per = (unsigned __int128)file_rows * (uint64_t)rt->parent_rows /
						(uint64_t)pt->rows;
			rt->per_unit = per < 1 ? 1 : per > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)per;
		} else {
			rt->per_unit = rt->parent_rows > 0 ? rt->parent_rows : 1;
		}
		rt->n_units = rt->parent_rows > 0 ? (rt->parent_rows - 1) / rt->per_unit + 1 : 1;
	} else {
		rt->per_unit = file_rows;
		rt->n_units = pt->rows > 0 ? (pt->rows - 1) / file_rows + 1 : 1;
	}
	if (rt->n_units > INT32_MAX)
		return diag_error(diags, &t->loc, "table '%s' would need %" PRId64 " files, more than %d",
				  t->name, rt->n_units, INT32_MAX);
	rt->units = xcalloc((size_t)rt->n_units, sizeof(*rt->units));
	rt->per_seg = rt->per_unit;
	if (r->req->format == RUN_FORMAT_CSV || r->req->format == RUN_FORMAT_JSONL) {
		int64_t row_bytes = 24 * (int64_t)(rt->n_cols + 1) * (rt->child ? rt->per_max : 1);
		int64_t most = RUN_TEXT_SEGMENT_BYTES / (row_bytes > 0 ? row_bytes : 1);
		rt->per_seg = (rt->per_unit - 1) / RUN_TEXT_SEGMENTS + 1;
		if (rt->per_seg > most)
			rt->per_seg = most > 0 ? most : 1;
		rt->texts = xcalloc((size_t)rt->n_units, sizeof(*rt->texts));
	}

	run_table_dir(&sb, r->root, p->ds->id, r->req->format, t->name);
	rt->final_dir = strbuf_detach(&sb, NULL);
	strbuf_addf(&sb, "%s.tmp-%ld", rt->final_dir, r->pid);
	rt->tmp_dir = strbuf_detach(&sb, NULL);
	strbuf_addf(&sb, "%s/%s", p->ds->id, t->name);
	rt->seed = strbuf_detach(&sb, NULL);
	return 0;
}

static void table_release(struct rt_table *rt)
{
	if (rt->units)
		for (int64_t u = 0; u < rt->n_units; u++)
			unit_out_release(&rt->units[u], rt->n_part);
	free(rt->units);
	if (rt->texts)
		for (int64_t u = 0; u < rt->n_units; u++) {
			struct text_file *tf = &rt->texts[u];
			tw_abort(tf->tw); /* a stopped run's file; its folder goes */
			if (tf->parked)
				for (int64_t s = 0; s < unit_segments(rt, u); s++)
					strbuf_release(&tf->parked[s].text);
			free(tf->parked);
		}
	free(rt->texts);
	free(rt->cols);
	free(rt->all_specs);
	free(rt->tw_cols);
	free(rt->part_idx);
	free(rt->part_names);
	free(rt->data_idx);
	free(rt->data_specs);
	free(rt->final_dir);
	free(rt->tmp_dir);
	free(rt->seed);
}

/*
 * Removes `<final>.tmp-<pid>` and `<final>.old-<pid>` folders left by a
 * run whose process is gone (killed with SIGKILL, or by a power cut,
 * before it could clean up).  A live process's folders are left alone.
 */
static void remove_stale_siblings(const char *final)
{
	const char *slash = strrchr(final, '/');
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	size_t base_len;
	DIR *dp;
	struct dirent *e;

	if (!slash)
		return;
	strbuf_add(&dir, final, (size_t)(slash - final));
	base_len = strlen(slash + 1);
	dp = opendir(dir.buf);
	while (dp && (e = readdir(dp)) != NULL) {
		const char *rest = e->d_name + base_len;
		char *end;
		long pid;
		if (strncmp(e->d_name, slash + 1, base_len) ||
		    (strncmp(rest, ".tmp-", 5) && strncmp(rest, ".old-", 5)))
			continue;
		pid = strtol(rest + 5, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* alive, or not ours to judge */
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir.buf, e->d_name);
		(void)run_remove_tree(path.buf);
	}
	if (dp)
		closedir(dp);
	strbuf_release(&dir);
	strbuf_release(&path);
}

/* Creates the table's temporary folder (after removing a stale one, and dead runs' ones). */
static int table_prepare_dir(struct rt_table *rt, struct diags *diags)
{
	struct strbuf failed = STRBUF_INIT;
	int rc = 0;
	remove_stale_siblings(rt->final_dir);
	if (run_remove_tree(rt->tmp_dir)) {
		rc = diag_error(diags, NULL, "cannot remove '%s': %s", rt->tmp_dir, strerror(errno));
	} else if (mkdir_p(rt->tmp_dir, &failed)) {
		rc = diag_error(diags, NULL, "cannot create directory '%s': %s", failed.buf,
				strerror(errno));
	} else {
		rt->tmp_made = true;
	}
	strbuf_release(&failed);
	return rc;
}

/* Moves tmp into final's place; an existing final goes only after. */
static int install_dir(const char *tmp, const char *final, long pid, struct diags *diags)
{
	struct strbuf old = STRBUF_INIT;
	struct stat st;
	bool had_old = false;
	int rc = -1;

	strbuf_addf(&old, "%s.old-%ld", final, pid);
	if (lstat(final, &st) == 0) {
		if (run_remove_tree(old.buf) || rename(final, old.buf)) {
			diag_error(diags, NULL, "cannot replace '%s': %s", final, strerror(errno));
			goto done;
		}
		had_old = true;
	}
	if (rename(tmp, final)) {
		diag_error(diags, NULL, "cannot rename '%s' to '%s': %s", tmp, final, strerror(errno));
		if (had_old)
			rename(old.buf, final);
		goto done;
	}
	if (had_old && run_remove_tree(old.buf))
		diag_warning(diags, NULL, "cannot remove the previous '%s': %s", old.buf,
			     strerror(errno));
	rc = 0;
done:
	strbuf_release(&old);
	return rc;
}

/* All units written: the Delta log, the totals, the rename. */
static int table_finalize(struct run *r, struct rt_table *rt, struct diags *diags)
{
	int64_t rows = 0, files = 0, bytes = 0;
	struct delta_add *adds = NULL;
	size_t n_adds = 0;
	int rc = -1;

	for (int64_t u = 0; u < rt->n_units; u++)
		for (size_t i = 0; i < rt->units[u].n; i++) {
			rows += rt->units[u].files[i].rows;
			bytes += rt->units[u].files[i].bytes;
			files++;
		}
	if (rows != rt->rows) {
		diag_error(diags, NULL, "internal error: table '%s' has %" PRId64 " rows, the plan says %" PRId64,
			   rt->t->name, rows, rt->rows);
		goto done;
	}
	if (r->req->format == RUN_FORMAT_DELTA) {
		struct delta_table_meta meta;
		char id[37];
		adds = xcalloc((size_t)files, sizeof(*adds));
		for (int64_t u = 0; u < rt->n_units; u++)
			for (size_t i = 0; i < rt->units[u].n; i++) {
				const struct unit_file *f = &rt->units[u].files[i];
				struct delta_add *a = &adds[n_adds++];
				a->path = f->rel;
				a->partition_values = rt->n_part ? (const char *const *)f->part_values : NULL;
				a->size = f->bytes;
				a->stats = f->has_stats ? &f->stats : NULL;
			}
		memset(&meta, 0, sizeof(meta));
		delta_uuid_from(id, rt->final_dir, strlen(rt->final_dir));
		meta.id = id;
		meta.description = rt->t->description;
		meta.columns = rt->all_specs;
		meta.n_columns = rt->n_cols;
		meta.partition_columns = rt->part_names;
		meta.n_partition_columns = rt->n_part;
		if (delta_log_create(rt->tmp_dir, &meta, adds, n_adds, diags))
			goto done;
	}
	if (install_dir(rt->tmp_dir, rt->final_dir, r->pid, diags))
		goto done;
	rt->tmp_made = false;
	rt->finalized = true;
	rt->files = files;
	rt->bytes = bytes;
	rc = 0;
done:
	free(adds);
	/* the stats are not needed any more */
	for (int64_t u = 0; u < rt->n_units; u++)
		unit_out_release(&rt->units[u], rt->n_part);
	return rc;
}

/* ---------- progress ---------- */

static void add_count(struct strbuf *sb, int64_t v)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%" PRId64, v);
	for (int i = 0; i < n; i++) {
		if (i && digits[0] != '-' && (n - i) % 3 == 0)
			strbuf_addch(sb, ',');
		strbuf_addch(sb, digits[i]);
	}
}

static void progress_line(const struct rt_table *rt, double now)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t done = atomic_load(&rt->rows_done);
	double secs = rt->started ? now - rt->t_start : 0;
	strbuf_addf(&sb, "\r%s: ", rt->t->name);
	add_count(&sb, done);
	strbuf_addstr(&sb, " of ");
	add_count(&sb, rt->rows);
	strbuf_addf(&sb, " rows (%d%%)", rt->rows ? (int)(100.0 * (double)done / (double)rt->rows) : 100);
	if (secs > 0.2)
		strbuf_addf(&sb, ", %.1f s", secs);
	strbuf_addstr(&sb, "\033[K");
	fwrite(sb.buf, 1, sb.len, stderr);
	fflush(stderr);
	strbuf_release(&sb);
}

static void progress_done(const struct rt_table *rt)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "\r%s: ", rt->t->name);
	add_count(&sb, rt->rows);
	strbuf_addf(&sb, " rows in %.2f s", rt->seconds);
	if (rt->seconds > 0) {
		strbuf_addstr(&sb, " (");
		add_count(&sb, (int64_t)((double)rt->rows / rt->seconds));
		strbuf_addstr(&sb, " rows/s)");
	}
	strbuf_addstr(&sb, "\033[K\n");
	fwrite(sb.buf, 1, sb.len, stderr);
	fflush(stderr);
	strbuf_release(&sb);
}

/* ---------- the run log ---------- */

static void add_seconds(struct strbuf *sb, double s)
{
	strbuf_addf(sb, "%.3f", s);
}

static void add_rate(struct strbuf *sb, int64_t rows, double s)
{
	if (s > 0)
		strbuf_addf(sb, "%" PRId64, (int64_t)((double)rows / s));
	else
		strbuf_addstr(sb, "null");
}

void run_stats_json(struct strbuf *sb, const struct run_stats *st)
{
	strbuf_addstr(sb, "{\"dataset_id\":");
	json_string(sb, st->dataset_id);
	strbuf_addstr(sb, ",\"engine\":\"native\",\"output_mode\":");
	json_string(sb, st->format == RUN_FORMAT_DELTA ? "table" : run_format_name(st->format));
	strbuf_addstr(sb, ",\"output_format\":");
	json_string(sb, run_format_name(st->format));
	strbuf_addstr(sb, ",\"tables\":[");
	for (size_t i = 0; i < st->n_tables; i++) {
		const struct run_table_stats *t = &st->tables[i];
		if (i)
			strbuf_addch(sb, ',');
		strbuf_addstr(sb, "{\"table\":");
		json_string(sb, t->name);
		strbuf_addf(sb, ",\"rows\":%" PRId64 ",\"seconds\":", t->rows);
		add_seconds(sb, t->seconds);
		strbuf_addstr(sb, ",\"rows_per_second\":");
		add_rate(sb, t->rows, t->seconds);
		strbuf_addstr(sb, ",\"path\":");
		json_string(sb, t->path);
		strbuf_addf(sb, ",\"files\":%" PRId64 ",\"bytes\":%" PRId64 "}", t->files, t->bytes);
	}
	strbuf_addf(sb, "],\"rows\":%" PRId64 ",\"seconds\":", st->rows);
	add_seconds(sb, st->seconds);
	strbuf_addstr(sb, ",\"rows_per_second\":");
	add_rate(sb, st->rows, st->seconds);
	strbuf_addf(sb, ",\"peak_memory_mb\":%.1f,\"threads\":%d,\"started\":%" PRId64 ",\"lakehouse\":",
		    st->peak_memory_mb, st->threads, st->started);
	json_string(sb, st->lakehouse);
	strbuf_addch(sb, '}');
}

static int write_run_log(struct run_stats *st, long pid, struct diags *diags)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT, tmp = STRBUF_INIT, body = STRBUF_INIT;
	struct strbuf failed = STRBUF_INIT;
	FILE *f = NULL;
	int rc = -1;

	strbuf_addf(&dir, "%s/Files/synthetic_data/_runs", st->lakehouse);
	if (mkdir_p(dir.buf, &failed)) {
		diag_error(diags, NULL, "cannot create directory '%s': %s", failed.buf, strerror(errno));
		goto done;
	}
	strbuf_addf(&path, "%s/%s_native_%" PRId64 ".json", dir.buf, st->dataset_id, st->started);
	strbuf_addf(&tmp, "%s.tmp-%ld", path.buf, pid);
	run_stats_json(&body, st);
	strbuf_addch(&body, '\n');
	f = fopen(tmp.buf, "w");
	if (!f || fwrite(body.buf, 1, body.len, f) != body.len || fclose(f)) {
		int err = errno;
		if (f == NULL)
			err = errno;
		f = NULL;
		unlink(tmp.buf);
		diag_error(diags, NULL, "cannot write '%s': %s", tmp.buf, strerror(err));
		goto done;
	}
	f = NULL;
	if (rename(tmp.buf, path.buf)) {
		diag_error(diags, NULL, "cannot rename '%s': %s", tmp.buf, strerror(errno));
		unlink(tmp.buf);
		goto done;
	}
	st->log_path = strbuf_detach(&path, NULL);
	rc = 0;
done:
	strbuf_release(&dir);
	strbuf_release(&path);
	strbuf_release(&tmp);
	strbuf_release(&body);
	strbuf_release(&failed);
	return rc;
}

/* ---------- the driver ---------- */

void run_stats_release(struct run_stats *st)
{
	for (size_t i = 0; i < st->n_tables; i++)
		free(st->tables[i].path);
	free(st->tables);
	free(st->lakehouse);
	free(st->log_path);
	memset(st, 0, sizeof(*st));
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

static double peak_mb(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (double)ru.ru_maxrss / 1024.0; /* kilobytes on Linux */
}

static enum pq_codec codec_of(const struct dataset *ds)
{
	switch (ds->compression) {
	case COMPRESSION_ZSTD: return PQ_CODEC_ZSTD;
	case COMPRESSION_NONE: return PQ_CODEC_NONE;
	case COMPRESSION_SNAPPY: break;
	}
	return PQ_CODEC_SNAPPY;
}

static void copy_diags(struct diags *to, const struct diags *from)
{
	for (size_t i = 0; i < from->n; i++) {
		const struct diag *d = &from->items[i];
		const struct src_loc *loc = d->loc.file || d->loc.line ? &d->loc : NULL;
		if (d->level == DIAG_ERROR)
			diag_error(to, loc, "%s", d->msg);
		else if (d->level == DIAG_WARNING)
			diag_warning(to, loc, "%s", d->msg);
		else
			diag_note(to, loc, "%s", d->msg);
	}
}

static int cond_init_monotonic(pthread_cond_t *cv)
{
	pthread_condattr_t a;
	int rc;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	rc = pthread_cond_init(cv, &a);
	pthread_condattr_destroy(&a);
	return rc;
}

/*
 * Finalises, in plan order, the tables whose units are all written (called
 * and returning with r->mu held).  Returns 0, or -1 when one fails (the run
 * then stops).
 */
static int finalize_ready(struct run *r, size_t *next_final, bool *line_drawn,
			  struct diags *diags)
{
	while (*next_final < r->n_tables && !atomic_load(&r->stop)) {
		struct rt_table *rt = &r->tables[*next_final];
		int rc;
		if (rt->units_done < rt->n_units)
			break;
		pthread_mutex_unlock(&r->mu);
		rc = table_finalize(r, rt, diags);
		if (rc == 0) {
			rt->seconds = run_clock_s() - rt->t_start;
			if (r->req->progress) {
				progress_done(rt);
				*line_drawn = false;
			}
		}
		pthread_mutex_lock(&r->mu);
		if (rc) {
			atomic_store(&r->stop, 1);
			return -1;
		}
		(*next_final)++;
	}
	return 0;
}

/* The main thread's loop: finalise tables in order, draw progress, take signals. */
static int supervise(struct run *r, const sigset_t *sigs, int *signo, struct diags *diags)
{
	size_t next_final = 0;
	double last_draw = 0;
	bool line_drawn = false;
	int rc = 0;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		struct timespec until;
		if (sigs) {
			struct timespec zero = {0, 0};
			int s = sigtimedwait(sigs, NULL, &zero);
			if (s > 0) {
				*signo = s;
				atomic_store(&r->stop, 1);
				pthread_cond_broadcast(&r->cv); /* workers waiting for parked texts */
			}
		}
		if (finalize_ready(r, &next_final, &line_drawn, diags))
			rc = -1;
		if (r->active == 0 || next_final == r->n_tables)
			break;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += 100 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&r->cv, &r->mu, &until);
		if (r->req->progress && next_final < r->n_tables && !atomic_load(&r->stop)) {
			double now = run_clock_s();
			if (now - last_draw >= 0.1) {
				last_draw = now;
				progress_line(&r->tables[next_final], now);
				line_drawn = true;
			}
		}
	}
	/* the last tables may have completed as the workers ran out of units */
	if (rc == 0 && finalize_ready(r, &next_final, &line_drawn, diags))
		rc = -1;
	pthread_mutex_unlock(&r->mu);
	if (line_drawn) {
		fputs("\r\033[K", stderr); /* an unfinished table's line goes before the error */
		fflush(stderr);
	}
	return rc;
}

int run_execute(struct run_stats *out, const struct run_request *req, struct diags *diags)
{
	struct run r;
	sigset_t sigs, old_mask;
	bool masked = false;
	int signo = 0, rc = -1, n_started = 0;
	double t0 = run_clock_s();
	int64_t total_units = 0;
	struct strbuf sb = STRBUF_INIT;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.req = req;
	r.plan = req->plan;
	r.codec = codec_of(req->plan->ds);
	r.batch = req->batch_rows ? req->batch_rows : RUN_DEFAULT_BATCH;
	r.error_worker = -1;
	r.pid = (long)getpid();
	atomic_init(&r.stop, 0);
	pthread_mutex_init(&r.mu, NULL);
	cond_init_monotonic(&r.cv);

	out->dataset_id = req->plan->ds->id;
	out->format = req->format;
	out->started = (int64_t)time(NULL);
	absolute_root(&sb, req->root);
	r.root = strbuf_detach(&sb, NULL);
	strbuf_addf(&sb, "%s/lakehouse/%s", r.root, req->plan->ds->id);
	out->lakehouse = strbuf_detach(&sb, NULL);

	for (size_t i = 0; i < r.plan->n_tables; i++)
		if (r.plan->tables[i].selected)
			r.n_tables++;
	r.tables = xcalloc(r.n_tables, sizeof(*r.tables));
	out->tables = xcalloc(r.n_tables, sizeof(*out->tables));
	{
		size_t k = 0;
		for (size_t i = 0; i < r.plan->n_tables; i++) {
			if (!r.plan->tables[i].selected)
				continue;
			if (table_setup(&r, &r.tables[k], i, diags))
				goto cleanup;
			if (r.tables[k].n_cols > r.max_cols)
				r.max_cols = r.tables[k].n_cols;
			for (int64_t u = 0; u < r.tables[k].n_units; u++)
				total_units += r.tables[k].texts ? unit_segments(&r.tables[k], u) : 1;
			k++;
		}
	}
	for (size_t k = 0; k < r.n_tables; k++)
		if (table_prepare_dir(&r.tables[k], diags))
			goto cleanup;

	r.n_workers = req->threads > 0 ? req->threads : online_cpus();
	if (total_units < r.n_workers)
		r.n_workers = total_units > 0 ? (int)total_units : 1;
	out->threads = r.n_workers;
	r.workers = xcalloc((size_t)r.n_workers, sizeof(*r.workers));
	r.spare = xcalloc((size_t)r.n_workers, sizeof(*r.spare));

	if (req->catch_signals) {
		sigemptyset(&sigs);
		sigaddset(&sigs, SIGINT);
		sigaddset(&sigs, SIGTERM);
		masked = pthread_sigmask(SIG_BLOCK, &sigs, &old_mask) == 0;
	}
	pthread_mutex_lock(&r.mu);
	for (int i = 0; i < r.n_workers && r.n_tables; i++) {
		struct worker *w = &r.workers[i];
		w->run = &r;
		w->id = i;
		diags_init(&w->diags);
		if (pthread_create(&w->thread, NULL, worker_main, w)) {
			diag_error(diags, NULL, "cannot start a worker thread: %s", strerror(errno));
			atomic_store(&r.stop, 1);
			break;
		}
		w->started = true;
		r.active++;
		n_started++;
	}
	pthread_mutex_unlock(&r.mu);

	rc = supervise(&r, masked ? &sigs : NULL, &signo, diags);
	for (int i = 0; i < r.n_workers; i++)
		if (r.workers[i].started)
			pthread_join(r.workers[i].thread, NULL);
	if (masked) {
		struct timespec zero = {0, 0};
		int s = sigtimedwait(&sigs, NULL, &zero);
		if (s > 0 && !signo)
			signo = s;
		pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	}
	if (r.error_worker >= 0) {
		copy_diags(diags, &r.workers[r.error_worker].diags);
		rc = -1;
	}
	if (n_started == 0 && r.n_tables)
		rc = -1;
	for (size_t k = 0; k < r.n_tables; k++)
		if (!r.tables[k].finalized)
			rc = rc ? rc : -1;
	if (rc && !signo && r.n_tables) {
		size_t done = 0;
		for (size_t k = 0; k < r.n_tables; k++)
			done += r.tables[k].finalized;
		diag_note(diags, NULL, "%zu of %zu tables were written; the unfinished ones were removed",
			  done, r.n_tables);
	}
	if (signo) {
		size_t done = 0;
		for (size_t k = 0; k < r.n_tables; k++)
			done += r.tables[k].finalized;
		out->interrupted = true;
		diag_error(diags, NULL,
			   "interrupted by %s: %zu of %zu tables were written; the unfinished ones were removed",
			   signo == SIGINT ? "SIGINT" : "SIGTERM", done, r.n_tables);
		rc = -1;
	}

cleanup:
	for (size_t k = 0; k < r.n_tables; k++) {
		struct rt_table *rt = &r.tables[k];
		if (rt->tmp_made && run_remove_tree(rt->tmp_dir))
			diag_warning(diags, NULL, "cannot remove '%s': %s", rt->tmp_dir, strerror(errno));
		if (rt->finalized) {
			struct run_table_stats *ts = &out->tables[out->n_tables++];
			ts->name = rt->t->name;
			ts->rows = rt->rows;
			ts->files = rt->files;
			ts->bytes = rt->bytes;
			ts->seconds = rt->seconds;
			ts->path = xstrdup(rt->final_dir);
			out->rows += rt->rows;
		}
	}
	out->seconds = run_clock_s() - t0;
	out->peak_memory_mb = peak_mb();
	if (rc == 0 && req->write_log && write_run_log(out, r.pid, diags))
		rc = -1;
	for (int i = 0; i < r.n_workers; i++)
		if (r.workers[i].run)
			worker_release(&r.workers[i]);
	free(r.workers);
	for (size_t i = 0; i < r.n_spare; i++)
		strbuf_release(&r.spare[i]);
	free(r.spare);
	for (size_t k = 0; k < r.n_tables; k++)
		table_release(&r.tables[k]);
	free(r.tables);
	free(r.root);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.cv);
	return rc;
}
