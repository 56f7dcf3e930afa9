/*
 * diag: the diagnostics collector and the "did you mean" helper.  Messages
 * are formatted once, at the time they are recorded; printing sorts them by
 * position so that output is deterministic regardless of the order in which
 * the validation passes ran.
 */
#include "diag.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diags_init(struct diags *d)
{
	memset(d, 0, sizeof(*d));
}

void diags_release(struct diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].msg);
		free(d->items[i].file_owned);
	}
	free(d->items);
	diags_init(d);
}

static void vrecord(struct diags *d, enum diag_level level, const struct src_loc *loc,
		    const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	if (d->n == d->alloc) {
		size_t n = d->alloc ? d->alloc * 2 : 16;
		struct diag *p = realloc(d->items, n * sizeof(*p));
		if (!p)
			abort();
		d->items = p;
		d->alloc = n;
	}
	strbuf_vaddf(&sb, fmt, ap);
	d->items[d->n].level = level;
	if (loc)
		d->items[d->n].loc = *loc;
	else
		memset(&d->items[d->n].loc, 0, sizeof(struct src_loc));
	d->items[d->n].file_owned = NULL;
	if (loc && loc->file) {
		d->items[d->n].file_owned = strdup(loc->file);
		if (!d->items[d->n].file_owned)
			abort();
		d->items[d->n].loc.file = d->items[d->n].file_owned;
	}
	d->items[d->n].msg = strbuf_detach(&sb, NULL);
	d->n++;
	if (level == DIAG_ERROR)
		d->errors++;
	else if (level == DIAG_WARNING)
		d->warnings++;
}

int diag_error(struct diags *d, const struct src_loc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vrecord(d, DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
	return -1;
}

void diag_warning(struct diags *d, const struct src_loc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vrecord(d, DIAG_WARNING, loc, fmt, ap);
	va_end(ap);
}

void diag_note(struct diags *d, const struct src_loc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vrecord(d, DIAG_NOTE, loc, fmt, ap);
	va_end(ap);
}

static const char *level_name(enum diag_level l)
{
	switch (l) {
	case DIAG_ERROR: return "error";
	case DIAG_WARNING: return "warning";
	default: return "note";
	}
}

void diag_format(struct strbuf *sb, const struct diag *dg)
{
	if (dg->loc.file) {
		strbuf_addstr(sb, dg->loc.file);
		if (dg->loc.line > 0) {
			strbuf_addf(sb, ":%d", dg->loc.line);
			if (dg->loc.col > 0)
				strbuf_addf(sb, ":%d", dg->loc.col);
		}
		strbuf_addstr(sb, ": ");
	}
	strbuf_addf(sb, "%s: %s", level_name(dg->level), dg->msg);
}

static int cmp_pos(const void *pa, const void *pb)
{
	const struct diag *a = *(const struct diag *const *)pa;
	const struct diag *b = *(const struct diag *const *)pb;
	int c = strcmp(a->loc.file ? a->loc.file : "", b->loc.file ? b->loc.file : "");
	if (c)
		return c;
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	if (a->loc.col != b->loc.col)
		return a->loc.col < b->loc.col ? -1 : 1;
	return a < b ? -1 : (a > b); /* stable: original order */
}

void diags_print(const struct diags *d, FILE *out)
{
	const struct diag **order;
	struct strbuf sb = STRBUF_INIT;

	if (!d->n)
		return;
	order = malloc(d->n * sizeof(*order));
	if (!order)
		abort();
	for (size_t i = 0; i < d->n; i++)
		order[i] = &d->items[i];
	qsort(order, d->n, sizeof(*order), cmp_pos);
	for (size_t i = 0; i < d->n; i++) {
		strbuf_reset(&sb);
		diag_format(&sb, order[i]);
		strbuf_addch(&sb, '\n');
		fwrite(sb.buf, 1, sb.len, out);
	}
	strbuf_release(&sb);
	free(order);
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = calloc(lb + 1, sizeof(size_t));
	size_t res;
	if (!row)
		abort();
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = prev + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	res = row[lb];
	free(row);
	return res;
}

const char *diag_closest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t wl = strlen(word);
	for (size_t i = 0; i < n; i++) {
		size_t d;
		if (!candidates[i])
			continue;
		d = edit_distance(word, candidates[i]);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	/* plausible typo: at most a third of the word, and at least 1 edit allowed */
	if (best && best_d <= (wl < 6 ? 2 : wl / 3 + 1) && best_d < wl)
		return best;
	/* a prefix match ("--target" for "--target-rows") also counts */
	for (size_t i = 0; i < n; i++)
		if (candidates[i] && wl >= 3 && strncmp(candidates[i], word, wl) == 0)
			return candidates[i];
	return NULL;
}
