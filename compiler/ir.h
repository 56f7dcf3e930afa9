/*
 * ir: the column programs.  Every generated column is lowered (lower.c) from
 * the model into a small expression tree over one free variable, ROW (the row
 * counter of DESIGN section 5).  The samplers of docs/samplers.md are defined
 * once, in the lowering; the three engines only interpret the same tree:
 *
 *   - the native runtime evaluates it over batches of rows (runtime/eval.c),
 *   - the python emitter renders it as numpy code over uint64/float64 arrays,
 *   - the pyspark emitter renders it as a Spark SQL expression over `id`.
 *
 * So adding a sampler means lowering it to existing ops; adding an op means
 * teaching all three renderers, and the engine-equality tests check they
 * agree.  Ops are chosen so that the exact path uses only IEEE-exact double
 * operations, integer arithmetic and comparisons; transcendental ops (LN, EXP,
 * COS, POW) are marked so the comparisons apply the 1e-12 tolerance.
 *
 * Trees may share nodes (a DAG): a node used twice is the same value, so an
 * engine may compute it once.  Nothing may depend on evaluating it twice.
 *
 * Values: BOOL, I64, F64, STR, DATE (days since 1970-01-01 as i64), TS
 * (seconds since the epoch as i64), DEC (unscaled i64 with the node's scale;
 * a DEC result that does not fit 64 bits is NULL, as Spark's decimal
 * overflow outside ANSI mode; DEC -> F64 is unscaled / 10^scale, one IEEE
 * division).
 * Any value may be NULL (SQL semantics: most ops return NULL on NULL input).
 */
#ifndef INGEN_IR_H
#define INGEN_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct arena;

enum ir_type { IR_T_BOOL, IR_T_I64, IR_T_F64, IR_T_STR, IR_T_DATE, IR_T_TS, IR_T_DEC };

enum ir_op {
	IR_ROW,         /* the row counter (I64) */
	IR_CONST,       /* constant: value (VAL_NULL for a typed NULL); a DEC constant's VAL_INT is unscaled */
	IR_HASH,        /* Spark xxhash64(seed, a0[, k]) as a signed I64; seed = `seed`, k when has_k */
	IR_UNIT,        /* (a0 >>> 11) * 2^-53 : F64 in [0,1) */
	IR_INT_RANGE,   /* lo + floor(UNIT(a0) * (hi - lo + 1)), capped at hi : I64 (lo, hi) */
	IR_ADD, IR_SUB, IR_MUL,
	IR_DIV,         /* F64 division (Spark '/') */
	IR_IDIV,        /* I64 floor division by a positive constant or value (Spark 'div' for >= 0) */
	IR_MOD,         /* I64 pmod (non-negative result) */
	IR_REM,         /* I64 remainder with the sign of the dividend (Spark '%'); NULL on zero */
	IR_AFFINE_MOD,  /* (a * (a0 mod n) + b) mod n with exact 128-bit intermediates; lo = a, hi = b, k = n */
	IR_NEG,
	IR_EQ, IR_NE, IR_LT, IR_LE, IR_GT, IR_GE,
	IR_AND, IR_OR, IR_NOT,
	IR_IF,          /* a0 ? a1 : a2 (NULL condition takes a2) */
	IR_CASE,        /* a0 when, a1 then, a2 when, a3 then, ..., [else when n odd] */
	IR_IS_NULL,
	IR_COALESCE,
	IR_FLOOR, IR_CEIL, /* F64 -> I64 */
	IR_SQRT,
	IR_LN, IR_EXP, IR_COS, IR_POW, /* transcendental */
	IR_ABS,
	IR_ROUND_HALF_UP, /* half away from zero at `scale` digits.  F64 input: sign(x) * floor(|x| * 10^scale + 0.5)
			   * in doubles (10^scale an exact double), then / 10^scale for F64 output, or kept as
			   * the unscaled value for DEC output.  DEC input: exact integer rounding of the
			   * unscaled value.  (Spark's round() on doubles rounds the shortest decimal form
			   * instead; engines render this op, never Spark's round.) */
	IR_LEAST, IR_GREATEST,
	IR_CAST,        /* to `type` (and scale for DEC); I64 -> DEC keeps the number (5 -> 5.00),
			 * I64 -> DATE is epoch days, I64 -> TS epoch seconds */
	IR_SEARCH_CUM,  /* first i with a0 < table[i], else n-1 : I64 (table of F64) */
	IR_ALIAS_PICK,  /* a0 = index i, a1 = u: i when u < prob[i] else alias[i] : I64 (table: prob + alias) */
	IR_ELEMENT,     /* table[a0] (0-based): element type of the table */
	IR_CONCAT, IR_LOWER, IR_UPPER,
	IR_LPAD,        /* a0 padded on the left with a2 to length a1 */
	IR_SUBSTR,      /* a0 from 1-based a1, length a2 */
	IR_LENGTH,
	IR_HEX16,       /* I64 bits -> 16 lowercase hex digits of the unsigned value */
	IR_UUID,        /* (a0, a1 hashes) -> uuid text per docs/samplers.md */
	IR_TO_STR,      /* I64/F64/DEC/DATE/TS -> text as Spark's CAST(x AS STRING) */
	IR_LETTERS,     /* keep only ASCII letters */
	IR_YEAR, IR_MONTH, IR_DAY, IR_DAYOFWEEK, IR_DAYOFYEAR, IR_QUARTER, IR_WEEKOFYEAR,
	IR_HOUR, IR_MINUTE, IR_SECOND,
	IR_MAKE_DATE,   /* (y, m, d) */
	IR_DATE_ADD,    /* DATE + I64 days */
	IR_DATEDIFF,    /* DATE - DATE in days */
	IR_TO_DATE,     /* TS -> DATE */
	IR_TO_TS,       /* DATE -> TS at 00:00:00 */
	IR_COLUMN,      /* another column of the same table at the same row: `column` */
	IR_AT_ROW,      /* `column` (of any table) evaluated with ROW := a0 */
	IR__COUNT
};

/* Constant tables referenced by SEARCH_CUM, ALIAS_PICK and ELEMENT. */
struct ir_table {
	const char *name;   /* stable name for emitters: "t3" or "ref_first_names_female" */
	enum ir_type elem;  /* F64 (cumulative), I64, STR */
	size_t n;
	double *f64;
	int64_t *i64;
	const char **str;
	double *alias_prob; /* ALIAS_PICK only */
	int64_t *alias_idx;
};

struct ir_node {
	enum ir_op op;
	enum ir_type type;
	int scale;              /* DEC */
	bool transcendental;    /* this node or one below it is on the transcendental path */
	struct value value;     /* IR_CONST */
	int64_t seed;           /* IR_HASH */
	bool has_k;
	int64_t k;              /* IR_HASH */
	int64_t lo, hi;         /* IR_INT_RANGE */
	struct ir_table *table; /* SEARCH_CUM, ALIAS_PICK, ELEMENT */
	const struct column *column; /* IR_COLUMN, IR_AT_ROW */
	size_t n_args;
	struct ir_node **args;
};

/* The program of one column: its value, NULL draw folded in. */
struct ir_column {
	const struct column *column;
	struct ir_node *value;
	enum ir_type type;
	int scale;
};

/* The programs of one table, columns in a valid evaluation order. */
struct ir_program {
	const struct table *table;
	size_t n_columns;
	struct ir_column *columns;   /* by column index (table->columns order) */
	size_t *eval_order;          /* column indices, dependencies first */
	size_t n_tables;
	struct ir_table **tables;    /* constant tables used by this program */
};

struct plan;
struct refdata_cache;

/*
 * Lowers every table of the plan into column programs (one per table, in
 * plan order).  Reference tables are loaded through `refs`, which must
 * outlive the programs (their ir_tables point into it).  Returns 0, or -1
 * with diagnostics (only on internal limits: the model is already valid).
 */
int ir_lower(struct ir_program **out, const struct plan *plan, struct refdata_cache *refs,
	     struct arena *arena, struct diags *diags);

/* The program of a column (by table and column index). */
const struct ir_node *ir_column_value(const struct ir_program *programs, const struct column *col);

/* A stable textual dump (for golden tests and debugging). */
struct strbuf;
void ir_dump(struct strbuf *sb, const struct ir_program *programs, size_t n);

const char *ir_op_name(enum ir_op op);

#endif
