/*
 * eval_internal: the structures shared by eval.c (program preparation,
 * frames, the dispatcher) and eval_ops.c (one kernel per op).  Not a public
 * interface.
 *
 * Vocabulary:
 *   - enode: a prepared IR node.  Structurally equal ir_nodes (same op,
 *     constants and arguments) become one enode, so shared draws are
 *     computed once; an enode used more than once, or a column's root, is
 *     memoised per frame.
 *   - frame: one (program, rows) evaluation.  eval_table() opens the root
 *     frame on the caller's rows; AT_ROW opens a child frame on its a0 rows
 *     (one per distinct (a0, table) pair of a frame, so several columns of
 *     a referenced row share it); IF/CASE open subset frames on the rows
 *     that take a branch (`parent`, `idx`), which gather columns and memoised
 *     values their ancestors already have.  Frames live until eval_table()
 *     returns.
 *   - vec: a struct eval_vec with buffers of max_batch capacity.  Temporary
 *     vecs come from a stack (released as soon as the parent op has
 *     consumed them); memoised results and column values come from their
 *     frame's pool.
 */
#ifndef INGEN_EVAL_INTERNAL_H
#define INGEN_EVAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eval.h"

#define EVAL_MAX_DEPTH 64
#define EVAL_MAX_SUBSET_DEPTH 64 /* deeper IF/CASE nesting is evaluated eagerly */

enum vec_kind { VEC_TEMP, VEC_FRAME, VEC_FIXED };

struct vec {
	struct eval_vec v;
	enum vec_kind kind;
	bool bc;      /* broadcast: every row is row 0 (v.n is then 1) */
	size_t idx;   /* position in its pool */
	size_t cap;   /* rows the arrays hold (max_batch; 1 for constants) */
};

/* Index mask of a vec: row i of x is element (i & vmask(x)). */
static inline size_t vmask(const struct vec *x)
{
	return x->bc ? 0 : ~(size_t)0;
}

struct vpool {
	struct vec **v;
	size_t n, top;
};

struct enode {
	enum ir_op op;
	enum ir_type type;
	int scale;
	size_t n_args;
	struct enode **args;
	const struct ir_node *ir;   /* the first ir_node merged into this one */
	uint32_t id;
	int32_t memo;               /* frame memo slot, -1 when not memoised */
	uint32_t uses;
	/* op data */
	uint64_t key;               /* HASH: cell_key(seed) */
	int64_t k, lo, hi;          /* HASH (k), INT_RANGE (lo, hi), AFFINE_MOD (lo = a, hi = b, k = n) */
	bool has_k;
	bool chained;               /* HASH with k: args[0] is the inner hash H(seed, x) */
	const struct ir_table *table;
	size_t prog, col;           /* COLUMN, AT_ROW: target program and column */
	struct vec *konst;          /* CONST: the value, broadcast */
	const uint32_t *slen;       /* ELEMENT of strings: the table's string lengths */
	int64_t fixed_len;          /* ELEMENT of strings: the length of every string, or -1 */
	/*
	 * CONCAT: whether some argument is an ELEMENT of strings used nowhere
	 * else; such arguments are not computed: the concat kernel reads their
	 * tables at their index rows (eval_concat_fused).
	 */
	bool fuse;
};

struct frame {
	size_t prog;
	const int64_t *rows;
	size_t n;
	int depth;                  /* AT_ROW nesting */
	int sub_depth;              /* subset nesting */
	struct frame *parent;       /* subset frames: the frame whose rows they are a subset of */
	uint32_t *idx;              /* subset frames: positions of their rows in the parent */
	uint64_t gen;
	int64_t *rows_buf;          /* child frames: their rows */
	uint8_t *mask;              /* child frames: validity of a0 */
	bool has_null;
	struct vec rowvec;          /* ROW: a view of rows */
	struct vec **colv;          /* column values, by column index */
	uint8_t *cstate;            /* 0 not started, 1 running, 2 done */
	struct vec **memo;
	uint64_t *memo_gen;
	struct vpool pool;
	struct kid {
		uint32_t a0;
		size_t prog;
		struct frame *f;
	} *kids;
	size_t n_kids, cap_kids;
};

struct eval_ctx {
	const struct ir_program *programs;
	size_t n_programs;
	size_t max_batch;
	size_t max_columns;
	/* prepared nodes */
	struct enode **nodes;
	size_t n_nodes;
	struct enode ***roots;      /* roots[prog][col] */
	size_t n_memo;
	struct vec **konsts;
	size_t n_konsts;
	/* evaluation state */
	struct frame **frames;
	size_t n_frames, frames_used;
	uint64_t gen_counter;
	struct vpool tmp;
	struct vec **argv;
	size_t argtop, argcap;
	struct tlen {
		const struct ir_table *t;
		uint32_t *len;
	} *tlens;                   /* string lengths of tables */
	size_t n_tlens;
	size_t cur_n;               /* rows of the op being computed (1 when broadcast) */
	bool cur_bc;                /* whether its result is broadcast */
	uint8_t *ones;              /* max_batch ones */
	uint32_t *pick;             /* max_batch: branch choice scratch */
	uint64_t *lens;             /* max_batch: string length scratch */
	uint32_t *pos;              /* max_batch: gather positions scratch */
	bool lazy;                  /* IF/CASE branches only on the rows that take them (default) */
	struct eval_vec **outv;     /* max_columns out views */
	char err[256];
};

/*
 * Copies l bytes (short strings without a libc call: overlapping fixed-size
 * moves that never read or write outside [s, s + l) and [d, d + l)).
 */
static inline __attribute__((always_inline)) void eval_copy(char *d, const char *s, size_t l)
{
	if (l >= 8) {
		if (l <= 16) {
			__builtin_memcpy(d, s, 8);
			__builtin_memcpy(d + l - 8, s + l - 8, 8);
		} else if (l <= 32) {
			__builtin_memcpy(d, s, 16);
			__builtin_memcpy(d + l - 16, s + l - 16, 16);
		} else {
			__builtin_memcpy(d, s, l);
		}
	} else if (l >= 4) {
		__builtin_memcpy(d, s, 4);
		__builtin_memcpy(d + l - 4, s + l - 4, 4);
	} else if (l >= 2) {
		__builtin_memcpy(d, s, 2);
		__builtin_memcpy(d + l - 2, s + l - 2, 2);
	} else if (l) {
		d[0] = s[0];
	}
}

/* ---- eval.c services for the kernels ---- */

void *eval_xmalloc(size_t size);
/* Sets the error message and returns NULL (for kernels' `return`). */
struct vec *eval_fail(struct eval_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A temporary vec ready for type/scale and n rows (STR: empty data); bc = 0. */
struct vec *eval_tmp(struct eval_ctx *c, enum ir_type type, int scale, size_t n);
/* Makes an owned vec ready for type/scale and n rows. */
void eval_vec_ready(struct eval_ctx *c, struct vec *x, enum ir_type type, int scale, size_t n);
/* The output vec of node `n` in frame `f` (frame pool when memoised). */
struct vec *eval_out(struct eval_ctx *c, struct frame *f, const struct enode *n);
/* Makes room for `extra` more bytes of string data; -1 (error set) above 4 GiB. */
int eval_str_reserve(struct eval_ctx *c, struct vec *v, size_t extra);

/* ---- eval_ops.c ---- */

/* Converts x to type/scale by the CAST rules (x itself when it already is). */
struct vec *eval_convert(struct eval_ctx *c, struct vec *x, enum ir_type type, int scale);
/* Computes node n (every op but ROW, CONST, COLUMN, AT_ROW) from its evaluated args. */
struct vec *eval_op(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **args);
/* Sets a CONST node's value as a broadcast vec; -1 on a value the type cannot hold. */
int eval_const_fill(struct eval_ctx *c, struct vec *out, const struct ir_node *ir);
/*
 * The branch (argument index) each row of an IF or CASE takes, from its
 * evaluated conditions (a[0] for IF, a[0], a[2], ... for CASE), into
 * pick[0..N); PICK_NONE when no branch does (CASE without ELSE).
 */
#define PICK_NONE UINT32_MAX
void eval_picks(const struct enode *n, struct vec **a, size_t N, uint32_t *pick);
/*
 * The output of node n: row i is a[pick[i]] at element rank[i] (i when rank
 * is NULL; 0 when a[pick[i]] is broadcast), NULL for PICK_NONE.  Every
 * picked a[k] has the node's type.
 */
struct vec *eval_gather(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a,
			const uint32_t *pick, const uint32_t *rank);
/*
 * CONCAT n with n->fuse: a[k] is argument k evaluated, except for the
 * arguments that are ELEMENTs of strings without a memo slot, for which it
 * is the ELEMENT's index argument (the strings are read from its table).
 */
struct vec *eval_concat_fused(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a);
/* Whether argument k of CONCAT n is read through its ELEMENT's table by eval_concat_fused. */
static inline bool eval_concat_reads_table(const struct enode *n, size_t k)
{
	const struct enode *e = n->args[k];
	return n->fuse && e->op == IR_ELEMENT && e->type == IR_T_STR && e->memo < 0;
}
/* Whether CAST from -> to is defined. */
bool eval_castable(enum ir_type from, enum ir_type to);

static inline bool eval_is_intk(enum ir_type t)
{
	return t == IR_T_BOOL || t == IR_T_I64 || t == IR_T_DATE || t == IR_T_TS;
}

static inline bool eval_is_num(enum ir_type t)
{
	return eval_is_intk(t) || t == IR_T_F64 || t == IR_T_DEC;
}

#endif
