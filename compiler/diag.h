/*
 * diag: source locations and collected diagnostics.
 *
 * The library never prints or exits on bad input: every stage records
 * diagnostics here and carries on, so that one run reports all the errors in
 * a file.  The CLI prints them as `file:line:col: error: message` (message
 * lowercase, no final period, offending value quoted) and exits 2.
 */
#ifndef INGEN_DIAG_H
#define INGEN_DIAG_H

#include <stddef.h>
#include <stdio.h>

struct src_loc {
	const char *file; /* not owned; NULL when unknown */
	int line;         /* 1-based; 0 when unknown */
	int col;          /* 1-based; 0 when unknown */
};

enum diag_level { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

struct diag {
	enum diag_level level;
	struct src_loc loc; /* loc.file points at file_owned */
	char *file_owned;   /* a copy, so diagnostics outlive the arena of their source */
	char *msg;          /* owned */
};

struct diags {
	struct diag *items;
	size_t n, alloc;
	int errors;
	int warnings;
};

#define DIAGS_INIT { NULL, 0, 0, 0, 0 }

void diags_init(struct diags *d);
void diags_release(struct diags *d);

/* Records an error; always returns -1 so callers can `return diag_error(...)`. */
int diag_error(struct diags *d, const struct src_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_warning(struct diags *d, const struct src_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_note(struct diags *d, const struct src_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Prints every diagnostic, sorted by file, line and column (stable), one per
 * line: `file:line:col: error: msg`.  Parts of the location that are unknown
 * are left out.
 */
void diags_print(const struct diags *d, FILE *out);
/* Formats one diagnostic line (no newline) into `sb` (a struct strbuf *). */
struct strbuf;
void diag_format(struct strbuf *sb, const struct diag *dg);

/*
 * Returns the candidate closest to `word` by edit distance, or NULL when none
 * is close enough to be a plausible typo.  Used for "did you mean" hints.
 */
const char *diag_closest(const char *word, const char *const *candidates, size_t n);

#endif
