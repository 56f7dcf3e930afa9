/*
 * eval: the native evaluator of column programs (compiler/ir.h).  It
 * computes every column of a table for a batch of row counters, column at a
 * time: each IR op is one loop over the batch, with no per-row allocation.
 * The exact semantics of every op, including the decisions ir.h leaves
 * open, are in docs/samplers.md, section "Native evaluation".
 *
 * A `struct eval_ctx` belongs to one worker thread: it holds all scratch
 * buffers (reused from batch to batch) and no globals, so threads never
 * share anything but the read-only programs.  eval_ctx_new() checks every
 * program once (arity and types of every op, table shapes) so that
 * evaluation itself cannot meet a malformed tree, and merges structurally
 * equal subtrees so that a value drawn twice is computed once.
 *
 * Results are views into the context's buffers: valid until the next
 * eval_table() call on the same context or eval_ctx_free().  Memory grows
 * with max_batch times the size of the programs; 1,024 to 8,192 rows per
 * batch is a good range.
 */
#ifndef INGEN_EVAL_H
#define INGEN_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "ir.h"

struct diags;

/* One column's values for a batch. */
struct eval_vec {
	enum ir_type type;
	int scale;            /* DEC */
	size_t n;
	uint8_t *valid;       /* 1 = not NULL */
	int64_t *i64;         /* BOOL (0/1), I64, DATE (days), TS (seconds), DEC (unscaled) */
	double *f64;          /* F64 */
	uint32_t *off;        /* STR: n + 1 offsets into data; a NULL row is empty */
	char *data;           /* STR bytes (UTF-8, not NUL-terminated) */
	size_t data_len, data_cap;
};

/* The bytes of string row i (len set; not NUL-terminated). */
static inline const char *eval_str(const struct eval_vec *v, size_t i, size_t *len)
{
	*len = v->off[i + 1] - v->off[i];
	return v->data + v->off[i];
}

struct eval_ctx;

/*
 * Prepares evaluation of `programs` (as ir_lower() returns them; they must
 * outlive the context) in batches of at most `max_batch` rows.  Returns 0,
 * or -1 with an "internal error: ..." diagnostic naming the column when a
 * program is malformed (an op with the wrong arity or argument types, an
 * unknown column, a table that is not sorted).
 */
int eval_ctx_new(struct eval_ctx **out, const struct ir_program *programs, size_t n_programs,
		 size_t max_batch, struct diags *diags);
void eval_ctx_free(struct eval_ctx *c);

/*
 * Evaluates every column of program `table_index` at rows[0..n), n <=
 * max_batch.  out must have room for the program's n_columns pointers; out[i]
 * is column i (table order), with n rows and the column's type and scale.
 * Returns 0, or -1 when the batch cannot be computed (a string column above
 * 4 GiB in one batch, AT_ROW nested more than 64 deep): eval_error() says why.
 */
int eval_table(struct eval_ctx *c, size_t table_index, const int64_t *rows, size_t n,
	       const struct eval_vec **out);

/* The message of the last failed eval_table() ("" if none). */
const char *eval_error(const struct eval_ctx *c);

#endif
