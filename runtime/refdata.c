/*
 * refdata: parses the embedded reference tables (the .tsv files of
 * datasets/reference/) into immutable row-major string tables, with the
 * cumulative weights of DESIGN section 5 when the table has a `weight`
 * column, and picks rows from a uniform draw.  Each table is one copy of its
 * text, split in place, plus the pointer arrays; a caller-owned cache keeps
 * loaded tables.  The files are produced by tools/refdata/build_reference.py;
 * the parser is strict anyway, because users can rebuild or edit them.
 */
#include "refdata.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "embedded.h"
#include "strbuf.h"

#define REFDATA_DIR "datasets/reference/"
#define REFDATA_EXT ".tsv"

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		abort();
	return p;
}

void refdata_free(struct refdata_table *t)
{
	if (!t)
		return;
	free((void *)t->name);
	free(t->col_names);
	free(t->cells);
	free(t->cumulative);
	free(t->alias_prob);
	free(t->alias_idx);
	free(t->storage);
	free(t);
}

int refdata_column(const struct refdata_table *t, const char *col_name)
{
	for (size_t i = 0; i < t->n_cols; i++)
		if (strcmp(t->col_names[i], col_name) == 0)
			return (int)i;
	return -1;
}

/*
 * Splits the line starting at `line` (ending at its '\n', which the caller
 * guarantees) into `out` (room for `n_cols` cells), NUL-terminating each cell
 * in place.  Reports ragged rows, empty cells and carriage returns.
 */
static int split_line(const char **out, size_t n_cols, char *line, int lineno, const char *path,
		      const char *const *col_names, struct diags *diags)
{
	struct src_loc loc = {path, lineno, 1};
	size_t n = 0;
	char *cell = line;
	for (char *p = line;; p++) {
		if (*p == '\r') {
			loc.col = (int)(p - line) + 1;
			return diag_error(diags, &loc, "carriage return in a reference table "
					  "(lines must end with LF only)");
		}
		if (*p != '\t' && *p != '\n')
			continue;
		bool end = *p == '\n';
		if (p == cell) {
			loc.col = (int)(cell - line) + 1;
			if (col_names && n < n_cols)
				return diag_error(diags, &loc, "empty cell in column '%s'", col_names[n]);
			return diag_error(diags, &loc, "empty cell in the header (every column needs a name)");
		}
		*p = '\0';
		if (n < n_cols)
			out[n] = cell;
		n++;
		cell = p + 1;
		if (end)
			break;
	}
	if (n != n_cols) {
		loc.col = 1;
		return diag_error(diags, &loc, "row has %zu cell%s, but the header names %zu columns",
				  n, n == 1 ? "" : "s", n_cols);
	}
	return 0;
}

/* Parses the weight column into cumulative weights (DESIGN section 5). */
static int make_cumulative(struct refdata_table *t, struct diags *diags)
{
	double total = 0.0;
	int ret = 0;
	size_t wc = (size_t)t->weight_col;
	t->cumulative = xcalloc(t->n_rows, sizeof(double));
	for (size_t i = 0; i < t->n_rows; i++) {
		const char *s = refdata_cell(t, i, wc);
		char *end;
		double w = strtod(s, &end);
		if (*end != '\0' || !isfinite(w) || !(w > 0.0)) {
			struct src_loc loc = {t->path, (int)i + 2, 0};
			ret = diag_error(diags, &loc, "weight '%s' is not a positive number", s);
			continue;
		}
		total += w;
		t->cumulative[i] = total;
	}
	if (ret)
		return ret;
	if (!isfinite(total)) {
		struct src_loc loc = {t->path, 0, 0};
		return diag_error(diags, &loc, "weights of reference table '%s' overflow", t->name);
	}
	for (size_t i = 0; i < t->n_rows; i++)
		t->cumulative[i] /= total;
	return 0;
}

/*
 * Walker's alias table by Vose's method (1991), deterministic: scaled
 * weights p[i] = w[i] * n / total (w[i] recovered from the cumulative sums
 * would lose bits, so the weights are parsed again); rows with p < 1 and
 * p >= 1 go on two stacks in index order; repeatedly pop one of each, give
 * the small one its p as acceptance probability and the large one as alias,
 * and lower the large one to (p[g] + p[s]) - 1.  Rows left on either stack
 * (rounding leftovers) accept always.
 */
static void make_alias(struct refdata_table *t)
{
	size_t n = t->n_rows, n_small = 0, n_large = 0;
	double *p = xcalloc(n, sizeof(double)), total = 0.0;
	size_t *small = xcalloc(n, sizeof(size_t)), *large = xcalloc(n, sizeof(size_t));

	t->alias_prob = xcalloc(n, sizeof(double));
	t->alias_idx = xcalloc(n, sizeof(int64_t));
	for (size_t i = 0; i < n; i++) {
		p[i] = strtod(refdata_cell(t, i, (size_t)t->weight_col), NULL);
		total += p[i];
	}
	for (size_t i = 0; i < n; i++) {
		p[i] = p[i] * (double)n / total;
		if (p[i] < 1.0)
			small[n_small++] = i;
		else
			large[n_large++] = i;
	}
	while (n_small && n_large) {
		size_t s = small[--n_small], g = large[--n_large];
		t->alias_prob[s] = p[s];
		t->alias_idx[s] = (int64_t)g;
		p[g] = (p[g] + p[s]) - 1.0;
		if (p[g] < 1.0)
			small[n_small++] = g;
		else
			large[n_large++] = g;
	}
	while (n_large) {
		size_t g = large[--n_large];
		t->alias_prob[g] = 1.0;
		t->alias_idx[g] = (int64_t)g;
	}
	while (n_small) {
		size_t s = small[--n_small];
		t->alias_prob[s] = 1.0;
		t->alias_idx[s] = (int64_t)s;
	}
	free(p);
	free(small);
	free(large);
}

int refdata_parse(struct refdata_table **out, const char *name, const char *path,
		  const char *text, size_t len, struct diags *diags)
{
	struct refdata_table *t = xcalloc(1, sizeof(*t));
	struct src_loc loc = {path, 1, 0};
	size_t n_lines = 0, name_len = strlen(name);
	char *p, *line;
	int ret = -1;

	*out = NULL;
	t->weight_col = -1;
	t->path = path;
	t->name = xcalloc(name_len + 1, 1);
	memcpy((char *)t->name, name, name_len);
	if (len == 0) {
		diag_error(diags, &loc, "reference table '%s' is empty (it needs a header line)", name);
		goto done;
	}
	if (memchr(text, '\0', len)) {
		diag_error(diags, &loc, "reference table '%s' contains a NUL byte", name);
		goto done;
	}
	for (size_t i = 0; i < len; i++)
		n_lines += text[i] == '\n';
	if (text[len - 1] != '\n') {
		loc.line = (int)n_lines + 1;
		diag_error(diags, &loc, "reference table '%s' does not end with a newline", name);
		goto done;
	}
	if (n_lines < 2) {
		diag_error(diags, &loc, "reference table '%s' has a header but no rows", name);
		goto done;
	}
	t->storage = xcalloc(len + 1, 1);
	memcpy(t->storage, text, len);

	/* header */
	t->n_cols = 1;
	for (p = t->storage; *p != '\n'; p++)
		t->n_cols += *p == '\t';
	line = p + 1; /* the first row */
	t->col_names = xcalloc(t->n_cols, sizeof(char *));
	if (split_line(t->col_names, t->n_cols, t->storage, 1, path, NULL, diags))
		goto done;
	for (size_t i = 0; i < t->n_cols; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(t->col_names[i], t->col_names[j]) == 0) {
				diag_error(diags, &loc, "duplicate column '%s' in the header",
					   t->col_names[i]);
				goto done;
			}

	/* rows */
	t->n_rows = n_lines - 1;
	t->cells = xcalloc(t->n_rows * t->n_cols, sizeof(char *));
	for (size_t r = 0; r < t->n_rows; r++) {
		char *nl = memchr(line, '\n', (size_t)(t->storage + len - line));
		if (split_line(t->cells + r * t->n_cols, t->n_cols, line, (int)r + 2, path,
			       t->col_names, diags))
			goto done;
		line = nl + 1;
	}

	t->weight_col = refdata_column(t, "weight");
	if (t->weight_col >= 0) {
		if (make_cumulative(t, diags))
			goto done;
		make_alias(t);
	}
	*out = t;
	t = NULL;
	ret = 0;
done:
	refdata_free(t);
	return ret;
}

/* The table name of an embedded path "datasets/reference/<name>.tsv", or NULL. */
static const char *table_name_of(const char *path, size_t *len)
{
	size_t dl = strlen(REFDATA_DIR), el = strlen(REFDATA_EXT), pl = strlen(path);
	if (pl <= dl + el || strncmp(path, REFDATA_DIR, dl) != 0 ||
	    strcmp(path + pl - el, REFDATA_EXT) != 0 || memchr(path + dl, '/', pl - dl - el))
		return NULL;
	*len = pl - dl - el;
	return path + dl;
}

char **refdata_names(size_t *n_out)
{
	size_t n = 0, bytes = 0, len;
	char **names, *s;
	for (size_t i = 0; i < embedded_files_count; i++)
		if (table_name_of(embedded_files[i].path, &len)) {
			n++;
			bytes += len + 1;
		}
	names = xcalloc(1, (n + 1) * sizeof(char *) + bytes);
	s = (char *)(names + n + 1);
	n = 0;
	for (size_t i = 0; i < embedded_files_count; i++) {
		const char *nm = table_name_of(embedded_files[i].path, &len);
		if (!nm)
			continue;
		memcpy(s, nm, len);
		s[len] = '\0';
		names[n++] = s;
		s += len + 1;
	}
	names[n] = NULL;
	*n_out = n;
	return names;
}

static bool valid_name(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static int unknown_table(const char *name, struct diags *diags)
{
	size_t n;
	char **names = refdata_names(&n);
	const char *hint = diag_closest(name, (const char *const *)names, n);
	struct strbuf sb = STRBUF_INIT;
	if (hint) {
		strbuf_addf(&sb, "did you mean '%s'?", hint);
	} else {
		strbuf_addstr(&sb, "known tables:");
		for (size_t i = 0; i < n; i++)
			strbuf_addf(&sb, "%s %s", i ? "," : "", names[i]);
	}
	diag_error(diags, NULL, "unknown reference table '%s' (%s)", name, sb.buf);
	strbuf_release(&sb);
	free(names);
	return -1;
}

int refdata_load(struct refdata_table **out, const char *name, struct diags *diags)
{
	struct strbuf path = STRBUF_INIT;
	const struct embedded_file *f;

	*out = NULL;
	if (!valid_name(name))
		return diag_error(diags, NULL, "invalid reference table name '%s' "
				  "(letters, digits and '_' only)", name);
	strbuf_addf(&path, REFDATA_DIR "%s" REFDATA_EXT, name);
	f = embedded_find(path.buf);
	strbuf_release(&path);
	if (!f)
		return unknown_table(name, diags);
	/* f->path is static, so it can serve as the table's path */
	return refdata_parse(out, name, f->path, f->data, f->len, diags);
}

/* floor(u * n), capped at n - 1; 0 for u <= 0 or NaN. */
static size_t index_of(double u, size_t n)
{
	double x = u * (double)n;
	if (!(x > 0.0))
		return 0;
	return x < (double)n ? (size_t)x : n - 1;
}

size_t refdata_pick_alias(const struct refdata_table *t, double u, double u1)
{
	size_t i = index_of(u, t->n_rows);
	if (!t->alias_prob || u1 < t->alias_prob[i])
		return i;
	return (size_t)t->alias_idx[i];
}

size_t refdata_pick(const struct refdata_table *t, double u)
{
	size_t n = t->n_rows;
	if (!t->cumulative)
		return index_of(u, n);
	/* first i with cumulative[i] > u (cumulative is non-decreasing) */
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->cumulative[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < n ? lo : n - 1;
}

void refdata_cache_init(struct refdata_cache *c)
{
	c->tables = NULL;
	c->n = c->alloc = 0;
}

void refdata_cache_release(struct refdata_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		refdata_free(c->tables[i]);
	free(c->tables);
	refdata_cache_init(c);
}

int refdata_get(const struct refdata_table **out, struct refdata_cache *c, const char *name,
		struct diags *diags)
{
	struct refdata_table *t;
	*out = NULL;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->tables[i]->name, name) == 0) {
			*out = c->tables[i];
			return 0;
		}
	if (refdata_load(&t, name, diags))
		return -1;
	if (c->n == c->alloc) {
		size_t alloc = c->alloc ? 2 * c->alloc : 8;
		struct refdata_table **tables = realloc(c->tables, alloc * sizeof(*tables));
		if (!tables)
			abort();
		c->tables = tables;
		c->alloc = alloc;
	}
	c->tables[c->n++] = t;
	*out = t;
	return 0;
}
