/*
 * plan: turns a validated dataset and the command's options into the
 * numbers one run needs: the effective target rows, scale factor, seed,
 * mode and chunk size; for each table its exact row count and the column
 * seeds of DESIGN section 5.  Row counts of plain tables come from their
 * `rows` expression evaluated with the effective target rows; a child
 * table's count is the exact sum of its per-parent counts, each computed
 * with the cell hash (docs/samplers.md, "Child tables"), so every engine
 * agrees on it without generating anything.  The checks that depend on row
 * counts (a `unique` pattern with fewer strings than rows) happen here.
 */
#include "plan.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "expr.h"
#include "hash.h"
#include "model.h"
#include "pattern.h"
#include "strbuf.h"

/* Above this, row counts would no longer be exact in a double (2^53). */
#define PLAN_MAX_ROWS 9007199254740992LL

int64_t plan_column_seed(int64_t dataset_seed, const char *table, const char *column)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t h;
	strbuf_addf(&sb, "%s.%s", table, column);
	h = hash_bytes(sb.buf, sb.len, (uint64_t)dataset_seed);
	strbuf_release(&sb);
	return (int64_t)h;
}

const char *gen_mode_name(enum gen_mode m)
{
	switch (m) {
	case GEN_MODE_AUTO: return "auto";
	case GEN_MODE_PYTHON: return "python";
	case GEN_MODE_PYSPARK: return "pyspark";
	}
	return "?";
}

struct rows_ctx {
	struct plan *p;
	struct diags *diags;
	int *state; /* 0 not computed, 1 computing, 2 done, 3 failed */
};

static int compute_rows(struct rows_ctx *rc, size_t i);

struct count_range {
	uint64_t key;
	int64_t lo, hi;      /* per-parent min and max */
	int64_t from, to;    /* parent rows [from, to) */
	int64_t sum;         /* > PLAN_MAX_ROWS when it stopped early */
};

static void *count_children(void *arg)
{
	struct count_range *r = arg;
	int64_t sum = 0;
	for (int64_t p = r->from; p < r->to; p++) {
		sum += hash_int_range(cell_hash(r->key, p), r->lo, r->hi);
		if (sum > PLAN_MAX_ROWS)
			break;
	}
	r->sum = sum;
	return NULL;
}

#define COUNT_THREADS_MAX 16
#define COUNT_ROWS_PER_THREAD 4000000

/*
 * Sum over parent rows of I(H(count_seed, p), min, max): exact, so every
 * engine agrees on the child table's size.  Large parents are split over
 * threads (a billion parents take a few seconds on one core).
 */
static int child_rows(struct rows_ctx *rc, struct plan_table *pt, int64_t parent_rows)
{
	const struct table *t = pt->table;
	int64_t lo = t->per_parent_min, hi = t->per_parent_max;
	struct count_range ranges[COUNT_THREADS_MAX];
	pthread_t threads[COUNT_THREADS_MAX];
	bool started[COUNT_THREADS_MAX] = {false};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int n = 1;
	int64_t sum = 0;

	if (lo == hi || (lo && parent_rows > PLAN_MAX_ROWS / lo)) {
		if (lo && parent_rows > PLAN_MAX_ROWS / lo)
			goto too_many;
		pt->rows = parent_rows * lo;
		return 0;
	}
	if (cpus > 1 && parent_rows > COUNT_ROWS_PER_THREAD) {
		int64_t want = parent_rows / COUNT_ROWS_PER_THREAD;
		n = (int)(want < cpus ? want : cpus);
		if (n > COUNT_THREADS_MAX)
			n = COUNT_THREADS_MAX;
	}
	for (int i = 0; i < n; i++) {
		ranges[i].key = cell_key(pt->count_seed);
		ranges[i].lo = lo;
		ranges[i].hi = hi;
		ranges[i].from = parent_rows / n * i;
		ranges[i].to = i == n - 1 ? parent_rows : parent_rows / n * (i + 1);
		ranges[i].sum = 0;
	}
	for (int i = 1; i < n; i++)
		started[i] = pthread_create(&threads[i], NULL, count_children, &ranges[i]) == 0;
	count_children(&ranges[0]);
	for (int i = 1; i < n; i++) {
		if (started[i])
			pthread_join(threads[i], NULL);
		else
			count_children(&ranges[i]);
	}
	for (int i = 0; i < n; i++) {
		sum += ranges[i].sum;
		if (sum > PLAN_MAX_ROWS)
			goto too_many;
	}
	pt->rows = sum;
	return 0;
too_many:
	return diag_error(rc->diags, &t->loc, "table '%s' would have more than %lld rows", t->name,
			  (long long)PLAN_MAX_ROWS);
}

static int compute_rows(struct rows_ctx *rc, size_t i)
{
	struct plan *p = rc->p;
	struct plan_table *pt = &p->tables[i];
	const struct table *t = pt->table;

	if (rc->state[i] == 2)
		return 0;
	if (rc->state[i] == 3 || rc->state[i] == 1)
		return -1; /* failed before, or a cycle (validation rejects those) */
	rc->state[i] = 1;
	if (t->parent) {
		size_t pi = t->parent->index;
		if (compute_rows(rc, pi) || child_rows(rc, pt, p->tables[pi].rows)) {
			rc->state[i] = 3;
			return -1;
		}
	} else if (t->rows_expr) {
		double d;
		if (expr_eval_rows(&d, t->rows_expr, p->target_rows, p->scale_factor, rc->diags)) {
			rc->state[i] = 3;
			return -1;
		}
		d = floor(d);
		if (!(d >= 1)) {
			diag_error(rc->diags, &t->rows_loc,
				   "rows of table '%s' evaluate to %.17g with target_rows %lld and scale_factor %g (must be at least 1)",
				   t->name, isnan(d) ? 0.0 : d, (long long)p->target_rows,
				   p->scale_factor);
			rc->state[i] = 3;
			return -1;
		}
		if (d > (double)PLAN_MAX_ROWS) {
			diag_error(rc->diags, &t->rows_loc,
				   "rows of table '%s' evaluate to %.17g, more than %lld", t->name, d,
				   (long long)PLAN_MAX_ROWS);
			rc->state[i] = 3;
			return -1;
		}
		pt->rows = (int64_t)d;
	} else {
		/* the driving table: target_rows * scale_factor */
		double d = floor((double)p->target_rows * p->scale_factor);
		if (!(d >= 1) || d > (double)PLAN_MAX_ROWS) {
			diag_error(rc->diags, &t->loc,
				   "table '%s' would have %.17g rows (target_rows %lld * scale_factor %g); it needs 1 to %lld",
				   t->name, isnan(d) ? 0.0 : d, (long long)p->target_rows,
				   p->scale_factor, (long long)PLAN_MAX_ROWS);
			rc->state[i] = 3;
			return -1;
		}
		pt->rows = (int64_t)d;
	}
	rc->state[i] = 2;
	return 0;
}

struct need_ctx {
	struct plan *p;
	bool changed;
};

static void mark_needed(struct plan *p, const struct table *t, bool *changed)
{
	if (t && !p->tables[t->index].needed) {
		p->tables[t->index].needed = true;
		*changed = true;
	}
}

static void need_expr_column(void *payload, const struct expr *node)
{
	struct need_ctx *nc = payload;
	if (node->column)
		mark_needed(nc->p, node->column->table, &nc->changed);
}

/* Everything a needed table reads is needed: parents, referenced tables. */
static void close_needed(struct plan *p)
{
	struct need_ctx nc = {p, true};
	while (nc.changed) {
		nc.changed = false;
		for (size_t i = 0; i < p->n_tables; i++) {
			const struct table *t = p->tables[i].table;
			if (!p->tables[i].needed)
				continue;
			mark_needed(p, t->parent, &nc.changed);
			for (size_t j = 0; j < t->n_columns; j++) {
				const struct column *c = t->columns[j];
				if (c->gen == GEN_REFERENCE)
					mark_needed(p, c->params.ref_table, &nc.changed);
				else if (c->gen == GEN_NONE && c->expr)
					expr_visit_columns(c->expr, need_expr_column, &nc);
			}
		}
	}
}

static int select_tables(struct plan *p, const struct plan_options *opts, struct diags *diags)
{
	const struct dataset *ds = p->ds;
	int rc = 0;

	if (!opts->tables) {
		for (size_t i = 0; i < p->n_tables; i++)
			p->tables[i].needed = true;
	} else {
		const char **names = calloc(ds->n_tables ? ds->n_tables : 1, sizeof(*names));
		if (!names)
			abort();
		for (size_t i = 0; i < ds->n_tables; i++)
			names[i] = ds->tables[i]->name;
		for (size_t k = 0; k < opts->n_tables; k++) {
			const struct table *t = dataset_table(ds, opts->tables[k]);
			const char *best;
			if (t) {
				p->tables[t->index].needed = true;
				continue;
			}
			best = diag_closest(opts->tables[k], names, ds->n_tables);
			if (best)
				rc = diag_error(diags, NULL,
						"unknown table '%s' in --tables (did you mean '%s'?)",
						opts->tables[k], best);
			else
				rc = diag_error(diags, NULL,
						"unknown table '%s' in --tables (dataset '%s' has no such table)",
						opts->tables[k], ds->id);
		}
		free(names);
	}
	/* the tables asked for (all by default) are written, unless `write: false` */
	for (size_t i = 0; i < p->n_tables; i++)
		p->tables[i].selected = p->tables[i].needed && p->tables[i].table->write;
	close_needed(p);
	return rc;
}

static int check_unique_patterns(const struct plan *p, struct diags *diags)
{
	int rc = 0;
	for (size_t i = 0; i < p->n_tables; i++) {
		const struct plan_table *pt = &p->tables[i];
		for (size_t j = 0; j < pt->table->n_columns; j++) {
			const struct column *c = pt->table->columns[j];
			uint64_t card;
			if (c->gen != GEN_PATTERN || !c->params.unique || !c->params.pattern)
				continue;
			card = pattern_cardinality(c->params.pattern);
			if (card >= (uint64_t)pt->rows)
				continue;
			rc = diag_error(diags, &c->gen_loc,
					"pattern '%s' of '%s.%s' has %llu distinct strings, fewer than the table's %lld rows (unique: true needs one per row)",
					c->params.pattern_src, pt->table->name, c->name,
					(unsigned long long)card, (long long)pt->rows);
		}
	}
	return rc;
}

int plan_build(struct plan *out, const struct dataset *ds, const struct plan_options *opts,
	       struct arena *arena, struct diags *diags)
{
	static const struct plan_options defaults;
	struct rows_ctx rc;
	int result = 0;

	if (!opts)
		opts = &defaults;
	memset(out, 0, sizeof(*out));
	out->ds = ds;
	out->target_rows = opts->target_rows > 0 ? opts->target_rows : ds->target_rows;
	out->scale_factor = opts->scale_factor > 0 ? opts->scale_factor : ds->scale_factor;
	out->seed = opts->has_seed ? opts->seed : ds->seed;
	out->chunk_size = opts->chunk_size > 0 ? opts->chunk_size : ds->chunk_size;
	out->mode = opts->mode;
	if (out->mode == GEN_MODE_AUTO) {
		out->mode_was_auto = true;
		out->mode = out->target_rows > PLAN_AUTO_PYSPARK_ABOVE ? GEN_MODE_PYSPARK
								       : GEN_MODE_PYTHON;
	}
	out->n_tables = ds->n_tables;
	out->tables = arena_calloc(arena, ds->n_tables ? ds->n_tables : 1, sizeof(*out->tables));
	for (size_t i = 0; i < ds->n_tables; i++) {
		const struct table *t = ds->tables[i];
		struct plan_table *pt = &out->tables[i];
		pt->table = t;
		pt->column_seeds = arena_calloc(arena, t->n_columns ? t->n_columns : 1,
						sizeof(*pt->column_seeds));
		for (size_t j = 0; j < t->n_columns; j++)
			pt->column_seeds[j] = plan_column_seed(out->seed, t->name, t->columns[j]->name);
		pt->count_seed = plan_column_seed(out->seed, t->name, "__count");
	}
	if (select_tables(out, opts, diags))
		result = -1;

	rc.p = out;
	rc.diags = diags;
	rc.state = calloc(ds->n_tables ? ds->n_tables : 1, sizeof(*rc.state));
	if (!rc.state)
		abort();
	for (size_t i = 0; i < ds->n_tables; i++)
		if (rc.state[i] != 3 && compute_rows(&rc, i))
			result = -1;
	free(rc.state);
	for (size_t i = 0; i < ds->n_tables; i++)
		if (ds->tables[i]->parent)
			out->tables[i].parent_rows = out->tables[ds->tables[i]->parent->index].rows;
	if (result == 0 && check_unique_patterns(out, diags))
		result = -1;
	return result;
}

/* ---- formatting ----------------------------------------------------- */

/* Shortest decimal text that reads back as the same double. */
static void add_double(struct strbuf *sb, double v)
{
	char buf[64];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	strbuf_addstr(sb, buf);
}

static void add_json_string(struct strbuf *sb, const char *s)
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

static void add_seeds(struct strbuf *sb, const struct plan_table *pt, bool spaced)
{
	strbuf_addch(sb, '{');
	for (size_t j = 0; j < pt->table->n_columns; j++) {
		if (j)
			strbuf_addstr(sb, spaced ? ", " : ",");
		add_json_string(sb, pt->table->columns[j]->name);
		strbuf_addf(sb, spaced ? ": %lld" : ":%lld", (long long)pt->column_seeds[j]);
	}
	strbuf_addch(sb, '}');
}

void plan_format_text(struct strbuf *sb, const struct plan *p)
{
	const struct dataset *ds = p->ds;
	strbuf_addf(sb, "dataset: %s\n", ds->id ? ds->id : "");
	if (ds->file)
		strbuf_addf(sb, "file: %s\n", ds->file);
	strbuf_addf(sb, "target rows: %lld\n", (long long)p->target_rows);
	strbuf_addstr(sb, "scale factor: ");
	add_double(sb, p->scale_factor);
	strbuf_addf(sb, "\nseed: %lld\n", (long long)p->seed);
	if (p->mode_was_auto)
		strbuf_addf(sb, "mode: auto -> %s\n", gen_mode_name(p->mode));
	else
		strbuf_addf(sb, "mode: %s\n", gen_mode_name(p->mode));
	strbuf_addf(sb, "chunk size: %lld\n", (long long)p->chunk_size);
	strbuf_addf(sb, "tables: %zu\n", p->n_tables);
	for (size_t i = 0; i < p->n_tables; i++) {
		const struct plan_table *pt = &p->tables[i];
		const struct table *t = pt->table;
		strbuf_addf(sb, "  %s: %lld rows", t->name, (long long)pt->rows);
		if (t->parent)
			strbuf_addf(sb, " (%lld-%lld per %s row, count seed %lld)",
				    (long long)t->per_parent_min, (long long)t->per_parent_max,
				    t->parent->name, (long long)pt->count_seed);
		if (!pt->needed)
			strbuf_addstr(sb, " [not in --tables]");
		else if (!pt->selected)
			strbuf_addstr(sb, t->write ? " [computed for other tables, not written]"
						   : " [write: false]");
		strbuf_addstr(sb, "; column seeds ");
		add_seeds(sb, pt, true);
		strbuf_addch(sb, '\n');
	}
}

void plan_format_json(struct strbuf *sb, const struct plan *p)
{
	const struct dataset *ds = p->ds;
	strbuf_addstr(sb, "{\"dataset_id\":");
	add_json_string(sb, ds->id);
	strbuf_addstr(sb, ",\"file\":");
	add_json_string(sb, ds->file);
	strbuf_addf(sb, ",\"target_rows\":%lld,\"scale_factor\":", (long long)p->target_rows);
	add_double(sb, p->scale_factor);
	strbuf_addf(sb, ",\"seed\":%lld,\"mode\":\"%s\",\"mode_auto\":%s,\"chunk_size\":%lld,\"tables\":[",
		    (long long)p->seed, gen_mode_name(p->mode), p->mode_was_auto ? "true" : "false",
		    (long long)p->chunk_size);
	for (size_t i = 0; i < p->n_tables; i++) {
		const struct plan_table *pt = &p->tables[i];
		const struct table *t = pt->table;
		if (i)
			strbuf_addch(sb, ',');
		strbuf_addstr(sb, "{\"name\":");
		add_json_string(sb, t->name);
		strbuf_addf(sb, ",\"rows\":%lld,\"selected\":%s,\"needed\":%s,\"write\":%s,\"parent\":",
			    (long long)pt->rows, pt->selected ? "true" : "false",
			    pt->needed ? "true" : "false", t->write ? "true" : "false");
		if (t->parent)
			add_json_string(sb, t->parent->name);
		else
			strbuf_addstr(sb, "null");
		strbuf_addf(sb, ",\"count_seed\":%lld,\"column_seeds\":", (long long)pt->count_seed);
		add_seeds(sb, pt, false);
		strbuf_addch(sb, '}');
	}
	strbuf_addstr(sb, "]}\n");
}
