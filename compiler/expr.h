/*
 * expr: the checked Spark SQL subset used by `expr:` columns and by table
 * `rows:` expressions (docs/config.md, "Expressions").
 *
 * expr_parse() turns source text into an AST, recording syntax errors with
 * the exact line and column inside the config file.  expr_resolve() binds
 * names (columns of the row, parent.<col>, <table>.<col> through a reference
 * column, row_index, child_index, child_count) and computes the type of every
 * node, recording unknown names, unknown functions, wrong argument counts and
 * type errors.  The emitters and the runtime walk the resolved tree; each
 * engine implements exactly this subset.
 */
#ifndef INGEN_EXPR_H
#define INGEN_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "model.h"

struct arena;

enum expr_kind {
	EXPR_LITERAL,   /* lit */
	EXPR_NAME,      /* bare or qualified name; after resolve one of the next four */
	EXPR_COLUMN,    /* column of this row: column */
	EXPR_PARENT,    /* parent.<col> of a child table: column (of the parent table) */
	EXPR_REF,       /* <table>.<col> through reference column ref_via: column */
	EXPR_SPECIAL,   /* row_index, child_index, child_count, target_rows, scale_factor: name */
	EXPR_UNARY,     /* op: '-', '!' (NOT) ; args[0] */
	EXPR_BINARY,    /* op: see enum expr_op; args[0], args[1] */
	EXPR_CASE,      /* args: when1, then1, when2, then2, ..., [else] ; has_else */
	EXPR_CALL,      /* name (lowercase function name), args */
	EXPR_CAST,      /* args[0] AS cast_type */
	EXPR_IN,        /* args[0] IN (args[1..]) ; negated */
	EXPR_BETWEEN,   /* args[0] BETWEEN args[1] AND args[2] ; negated */
	EXPR_IS_NULL,   /* args[0] IS [NOT] NULL ; negated */
};

enum expr_op {
	OP_NONE,
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
	OP_AND, OP_OR, OP_NOT, OP_NEG,
	OP_CONCAT, /* || */
};

/* Where an expression may appear: decides which names are visible. */
enum expr_context {
	EXPR_CTX_COLUMN, /* an `expr:` column */
	EXPR_CTX_ROWS,   /* a table's `rows:`: only target_rows, scale_factor, arithmetic */
};

struct expr {
	enum expr_kind kind;
	struct src_loc loc;
	enum expr_op op;
	const char *name;       /* EXPR_NAME/CALL/SPECIAL; qualifier in `qualifier` */
	const char *qualifier;  /* "parent" or a table name for qualified names */
	struct value lit;       /* EXPR_LITERAL (VAL_NULL for NULL) */
	const char *lit_text;   /* source text of numeric literals (decimals keep exactness) */
	struct expr **args;
	size_t n_args;
	bool has_else;
	bool negated;
	struct col_type cast_type;
	/* filled by expr_resolve */
	struct col_type type;   /* result type; TYPE_STRING for NULL literals until coerced */
	bool is_null_literal;
	struct column *column;  /* EXPR_COLUMN/PARENT/REF */
	struct column *ref_via; /* EXPR_REF: the reference column of this table */
	int draw;               /* uniform()/uniform_int(): k of xxhash64(seed,row,k), from 1 */
};

/*
 * Parses `src`.  `loc` is the position of src[0] in the config file (for a
 * quoted YAML scalar, the character after the quote).  Returns 0, or -1
 * with a diagnostic at the offending token.
 */
int expr_parse(struct expr **out, const char *src, const struct src_loc *loc,
	       enum expr_context ctx, struct arena *arena, struct diags *diags);

/*
 * Resolves names and types of an expression of column `col` (EXPR_CTX_COLUMN),
 * or of table `t`'s rows expression (col NULL, EXPR_CTX_ROWS).  Numbers the
 * uniform()/uniform_int() draws left to right from 1.  Returns 0 or -1 with
 * diagnostics.
 */
int expr_resolve(struct expr *e, const struct dataset *ds, const struct table *t,
		 const struct column *col, enum expr_context ctx, struct diags *diags);

/* True when a value of type `from` may be stored in a column of type `to`. */
bool expr_type_assignable(const struct col_type *from, const struct col_type *to);

/*
 * Calls fn for every column the (resolved) expression reads: columns of the
 * row, parent columns and referenced columns (with their reference column).
 */
void expr_visit_columns(const struct expr *e,
			void (*fn)(void *payload, const struct expr *node), void *payload);

/* Evaluates a rows expression; -1 with a diagnostic on division by zero etc. */
int expr_eval_rows(double *out, const struct expr *e, int64_t target_rows, double scale_factor,
		   struct diags *diags);

#endif
