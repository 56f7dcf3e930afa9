/*
 * eval: prepares column programs for native evaluation and drives it.
 *
 * Preparation (eval_ctx_new) walks every program once: it merges
 * structurally equal nodes into one `enode` (the lowering builds a fresh
 * H(cs, ROW) for every use of a draw; here they become one), checks each
 * op's arity and argument types so that the kernels never meet a malformed
 * tree, resolves COLUMN and AT_ROW targets to (program, column) indices, and
 * turns constants into broadcast vectors.  Nodes used more than once, and
 * column roots, get a memo slot.
 *
 * Evaluation (eval_table) opens a root frame on the caller's rows and
 * computes the columns in the program's evaluation order.  A node is
 * computed by evaluating its arguments (depth first) and then one kernel of
 * eval_ops.c over the whole batch.  Temporaries live on a stack that is cut
 * back as soon as the parent has consumed them; memoised values and column
 * values live in their frame until eval_table returns.  AT_ROW opens a child
 * frame on its row vector, shared by every AT_ROW of the frame with the same
 * row expression and target table.  IF and CASE compute their conditions on
 * every row, then each branch only on the rows that take it, in a subset
 * frame that takes already computed columns and memoised values from its
 * parent instead of recomputing them (a 35-way CASE costs one branch per
 * row, not 35).  All buffers are reused across batches: after the first
 * batch, evaluation allocates nothing (string buffers grow to their
 * high-water mark).
 */
#include "eval.h"
#include "eval_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hash.h"

/* ---------- allocation ---------- */

void *eval_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		abort();
	return p;
}

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

/* ---------- names for messages ---------- */

static const char *const op_names[IR__COUNT] = {
	[IR_ROW] = "row", [IR_CONST] = "const", [IR_HASH] = "hash", [IR_UNIT] = "unit",
	[IR_INT_RANGE] = "int_range", [IR_ADD] = "add", [IR_SUB] = "sub", [IR_MUL] = "mul",
	[IR_DIV] = "div", [IR_IDIV] = "idiv", [IR_MOD] = "mod", [IR_REM] = "rem", [IR_AFFINE_MOD] = "affine_mod",
	[IR_NEG] = "neg", [IR_EQ] = "eq", [IR_NE] = "ne", [IR_LT] = "lt", [IR_LE] = "le",
	[IR_GT] = "gt", [IR_GE] = "ge", [IR_AND] = "and", [IR_OR] = "or", [IR_NOT] = "not",
	[IR_IF] = "if", [IR_CASE] = "case", [IR_IS_NULL] = "is_null", [IR_COALESCE] = "coalesce",
	[IR_FLOOR] = "floor", [IR_CEIL] = "ceil", [IR_SQRT] = "sqrt", [IR_LN] = "ln",
	[IR_EXP] = "exp", [IR_COS] = "cos", [IR_POW] = "pow", [IR_ABS] = "abs",
	[IR_ROUND_HALF_UP] = "round_half_up", [IR_LEAST] = "least", [IR_GREATEST] = "greatest",
	[IR_CAST] = "cast", [IR_SEARCH_CUM] = "search_cum", [IR_ALIAS_PICK] = "alias_pick",
	[IR_ELEMENT] = "element", [IR_CONCAT] = "concat", [IR_LOWER] = "lower",
	[IR_UPPER] = "upper", [IR_LPAD] = "lpad", [IR_SUBSTR] = "substr", [IR_LENGTH] = "length",
	[IR_HEX16] = "hex16", [IR_UUID] = "uuid", [IR_TO_STR] = "to_str", [IR_LETTERS] = "letters",
	[IR_YEAR] = "year", [IR_MONTH] = "month", [IR_DAY] = "day", [IR_DAYOFWEEK] = "dayofweek",
	[IR_DAYOFYEAR] = "dayofyear", [IR_QUARTER] = "quarter", [IR_WEEKOFYEAR] = "weekofyear",
	[IR_HOUR] = "hour", [IR_MINUTE] = "minute", [IR_SECOND] = "second",
	[IR_MAKE_DATE] = "make_date", [IR_DATE_ADD] = "date_add", [IR_DATEDIFF] = "datediff",
	[IR_TO_DATE] = "to_date", [IR_TO_TS] = "to_ts", [IR_COLUMN] = "column", [IR_AT_ROW] = "at_row",
};

static const char *op_name(enum ir_op op)
{
	return (unsigned)op < IR__COUNT && op_names[op] ? op_names[op] : "?";
}

static const char *type_name(enum ir_type t)
{
	static const char *const names[] = {"bool", "i64", "f64", "str", "date", "ts", "dec"};
	return (unsigned)t <= IR_T_DEC ? names[t] : "?";
}

/* ---------- vecs and pools ---------- */

void eval_vec_ready(struct eval_ctx *c, struct vec *x, enum ir_type type, int scale, size_t n)
{
	struct eval_vec *v = &x->v;
	if (!x->cap)
		x->cap = c->max_batch;
	if (!v->valid)
		v->valid = eval_xmalloc(x->cap);
	v->type = type;
	v->scale = type == IR_T_DEC ? scale : 0;
	v->n = n;
	x->bc = false;
	switch (type) {
	case IR_T_F64:
		if (!v->f64)
			v->f64 = eval_xmalloc(x->cap * sizeof(double));
		break;
	case IR_T_STR:
		if (!v->off)
			v->off = eval_xmalloc((x->cap + 1) * sizeof(uint32_t));
		if (!v->data) { /* never NULL, so that empty copies are well defined */
			v->data = eval_xmalloc(64);
			v->data_cap = 64;
		}
		v->off[0] = 0;
		v->data_len = 0;
		break;
	default:
		if (!v->i64)
			v->i64 = eval_xmalloc(x->cap * sizeof(int64_t));
		break;
	}
}

static void vec_free(struct vec *x)
{
	if (!x)
		return;
	free(x->v.valid);
	free(x->v.i64);
	free(x->v.f64);
	free(x->v.off);
	free(x->v.data);
	free(x);
}

static struct vec *pool_get(struct vpool *p, enum vec_kind kind)
{
	if (p->top == p->n) {
		if ((p->n & (p->n - 1)) == 0) /* 0, 1, 2, 4...: double the array */
			p->v = xrealloc(p->v, (p->n ? 2 * p->n : 4) * sizeof(*p->v));
		p->v[p->n] = xcalloc(1, sizeof(struct vec));
		p->v[p->n]->kind = kind;
		p->v[p->n]->idx = p->n;
		p->n++;
	}
	return p->v[p->top++];
}

static void pool_release(struct vpool *p)
{
	for (size_t i = 0; i < p->n; i++)
		vec_free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = p->top = 0;
}

struct vec *eval_tmp(struct eval_ctx *c, enum ir_type type, int scale, size_t n)
{
	struct vec *x = pool_get(&c->tmp, VEC_TEMP);
	eval_vec_ready(c, x, type, scale, n);
	return x;
}

struct vec *eval_out(struct eval_ctx *c, struct frame *f, const struct enode *n)
{
	struct vec *x = n->memo >= 0 ? pool_get(&f->pool, VEC_FRAME) : pool_get(&c->tmp, VEC_TEMP);
	eval_vec_ready(c, x, n->type, n->scale, c->cur_n);
	x->bc = c->cur_bc;
	return x;
}

struct vec *eval_fail(struct eval_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return NULL;
}

int eval_str_reserve(struct eval_ctx *c, struct vec *x, size_t extra)
{
	struct eval_vec *v = &x->v;
	size_t need = v->data_len + extra;
	if (extra > UINT32_MAX || need > UINT32_MAX) {
		eval_fail(c, "string values of one batch exceed 4 GiB (use smaller batches)");
		return -1;
	}
	if (need > v->data_cap) {
		size_t cap = v->data_cap ? 2 * v->data_cap : 256;
		if (cap < need)
			cap = need;
		v->data = xrealloc(v->data, cap);
		v->data_cap = cap;
	}
	return 0;
}

/* Copies src (all its rows, broadcast or not) into dst, expanding to n rows when `expand`. */
static int vec_copy(struct eval_ctx *c, struct vec *dst, const struct vec *src, size_t n, bool expand,
		    const uint8_t *mask)
{
	size_t rows = expand ? n : src->v.n, m = vmask(src);
	eval_vec_ready(c, dst, src->v.type, src->v.scale, rows);
	dst->bc = expand ? false : src->bc;
	for (size_t i = 0; i < rows; i++)
		dst->v.valid[i] = src->v.valid[i & m] && (!mask || mask[i]);
	switch (src->v.type) {
	case IR_T_F64:
		for (size_t i = 0; i < rows; i++)
			dst->v.f64[i] = src->v.f64[i & m];
		break;
	case IR_T_STR: {
		size_t total = 0;
		for (size_t i = 0; i < rows; i++)
			if (dst->v.valid[i])
				total += src->v.off[(i & m) + 1] - src->v.off[i & m];
		if (eval_str_reserve(c, dst, total))
			return -1;
		for (size_t i = 0; i < rows; i++) {
			if (dst->v.valid[i]) {
				size_t a = src->v.off[i & m], len = src->v.off[(i & m) + 1] - a;
				eval_copy(dst->v.data + dst->v.data_len, src->v.data + a, len);
				dst->v.data_len += len;
			}
			dst->v.off[i + 1] = (uint32_t)dst->v.data_len;
		}
		break;
	}
	default:
		for (size_t i = 0; i < rows; i++)
			dst->v.i64[i] = src->v.i64[i & m];
		break;
	}
	return 0;
}

/* ---------- frames ---------- */

static struct frame *frame_open(struct eval_ctx *c, size_t prog, int depth, const int64_t *rows, size_t n)
{
	struct frame *f;
	if (c->frames_used == c->n_frames) {
		c->frames = xrealloc(c->frames, (c->n_frames + 1) * sizeof(*c->frames));
		f = xcalloc(1, sizeof(*f));
		f->rows_buf = eval_xmalloc(c->max_batch * sizeof(int64_t));
		f->mask = eval_xmalloc(c->max_batch);
		f->colv = xcalloc(c->max_columns, sizeof(*f->colv));
		f->cstate = xcalloc(c->max_columns, 1);
		f->memo = xcalloc(c->n_memo, sizeof(*f->memo));
		f->memo_gen = xcalloc(c->n_memo, sizeof(*f->memo_gen));
		c->frames[c->n_frames++] = f;
	}
	f = c->frames[c->frames_used++];
	f->prog = prog;
	f->depth = depth;
	f->sub_depth = 0;
	f->parent = NULL;
	f->gen = ++c->gen_counter;
	f->pool.top = 0;
	f->n_kids = 0;
	f->has_null = false;
	f->rows = rows ? rows : f->rows_buf;
	f->n = n;
	memset(f->cstate, 0, c->max_columns);
	memset(&f->rowvec, 0, sizeof(f->rowvec));
	f->rowvec.kind = VEC_FIXED;
	f->rowvec.v.type = IR_T_I64;
	f->rowvec.v.n = n;
	f->rowvec.v.i64 = (int64_t *)f->rows;
	f->rowvec.v.valid = c->ones;
	return f;
}

/*
 * A subset frame of f: the rows i of f with pick[i] == which (cnt of them),
 * for a branch computed on those rows only.  Sets rank[i] to the position of
 * each such row in the subset.
 */
static struct frame *frame_open_subset(struct eval_ctx *c, struct frame *f, const uint32_t *pick, uint32_t which,
				       size_t cnt, uint32_t *rank)
{
	struct frame *s = frame_open(c, f->prog, f->depth, NULL, cnt);
	size_t k = 0;
	if (!s->idx)
		s->idx = eval_xmalloc(c->max_batch * sizeof(uint32_t));
	s->parent = f;
	s->sub_depth = f->sub_depth + 1;
	for (size_t i = 0; i < f->n; i++)
		if (pick[i] == which) {
			s->idx[k] = (uint32_t)i;
			s->rows_buf[k] = f->rows[i];
			rank[i] = (uint32_t)k;
			k++;
		}
	return s;
}

/* Value v of ancestor a at the rows of its subset descendant f (a vec of f). */
static struct vec *gather_from(struct eval_ctx *c, struct frame *f, const struct frame *a, struct vec *v)
{
	struct vec *o;
	const struct eval_vec *src = &v->v;
	uint32_t *pos = c->pos;
	size_t n = f->n;
	if (v->bc)
		return v;
	for (size_t i = 0; i < n; i++) {
		uint32_t j = (uint32_t)i;
		for (const struct frame *g = f; g != a; g = g->parent)
			j = g->idx[j];
		pos[i] = j;
	}
	o = pool_get(&f->pool, VEC_FRAME);
	eval_vec_ready(c, o, src->type, src->scale, n);
	for (size_t i = 0; i < n; i++)
		o->v.valid[i] = src->valid[pos[i]];
	switch (src->type) {
	case IR_T_F64:
		for (size_t i = 0; i < n; i++)
			o->v.f64[i] = src->f64[pos[i]];
		break;
	case IR_T_STR: {
		size_t total = 0;
		for (size_t i = 0; i < n; i++)
			total += src->off[pos[i] + 1] - src->off[pos[i]];
		if (eval_str_reserve(c, o, total))
			return NULL;
		for (size_t i = 0; i < n; i++) {
			size_t at = src->off[pos[i]], len = src->off[pos[i] + 1] - at;
			eval_copy(o->v.data + o->v.data_len, src->data + at, len);
			o->v.data_len += len;
			o->v.off[i + 1] = (uint32_t)o->v.data_len;
		}
		break;
	}
	default:
		for (size_t i = 0; i < n; i++)
			o->v.i64[i] = src->i64[pos[i]];
		break;
	}
	return o;
}

static void frame_free(struct frame *f)
{
	if (!f)
		return;
	free(f->idx);
	free(f->rows_buf);
	free(f->mask);
	free(f->colv);
	free(f->cstate);
	free(f->memo);
	free(f->memo_gen);
	free(f->kids);
	pool_release(&f->pool);
	free(f);
}

/* ---------- evaluation ---------- */

static struct vec *ev(struct eval_ctx *c, struct frame *f, const struct enode *n);

static struct vec *frame_column(struct eval_ctx *c, struct frame *f, size_t col)
{
	struct vec *v;
	if (f->cstate[col] == 2)
		return f->colv[col];
	for (const struct frame *a = f; a; a = a->parent) {
		if (a->cstate[col] == 1) {
			const struct ir_column *ic = &c->programs[f->prog].columns[col];
			return eval_fail(c, "column '%s.%s' depends on itself", ic->column->table->name,
					 ic->column->name);
		}
		if (a != f && a->cstate[col] == 2) {
			/* computed on a superset of the rows: take them */
			v = gather_from(c, f, a, a->colv[col]);
			if (!v)
				return NULL;
			f->cstate[col] = 2;
			f->colv[col] = v;
			return v;
		}
	}
	f->cstate[col] = 1;
	v = ev(c, f, c->roots[f->prog][col]);
	if (!v)
		return NULL;
	f->cstate[col] = 2;
	f->colv[col] = v;
	return v;
}

static struct vec *at_row(struct eval_ctx *c, struct frame *f, const struct enode *n)
{
	struct frame *k = NULL;
	struct vec *v, *out;
	for (size_t i = 0; i < f->n_kids; i++)
		if (f->kids[i].a0 == n->args[0]->id && f->kids[i].prog == n->prog) {
			k = f->kids[i].f;
			break;
		}
	if (!k) {
		struct vec *a = ev(c, f, n->args[0]);
		size_t m;
		if (!a)
			return NULL;
		if (f->depth + 1 > EVAL_MAX_DEPTH) {
			const struct column *col = c->programs[n->prog].columns[n->col].column;
			return eval_fail(c, "at_row of '%s.%s' nested deeper than %d", col->table->name, col->name,
					 EVAL_MAX_DEPTH);
		}
		k = frame_open(c, n->prog, f->depth + 1, NULL, f->n);
		m = vmask(a);
		for (size_t i = 0; i < f->n; i++) {
			uint8_t ok = a->v.valid[i & m];
			k->mask[i] = ok;
			k->rows_buf[i] = ok ? a->v.i64[i & m] : 0;
			if (!ok)
				k->has_null = true;
		}
		if (f->n_kids == f->cap_kids) {
			f->cap_kids = f->cap_kids ? 2 * f->cap_kids : 4;
			f->kids = xrealloc(f->kids, f->cap_kids * sizeof(*f->kids));
		}
		f->kids[f->n_kids].a0 = n->args[0]->id;
		f->kids[f->n_kids].prog = n->prog;
		f->kids[f->n_kids].f = k;
		f->n_kids++;
	}
	v = frame_column(c, k, n->col);
	if (!v)
		return NULL;
	if (!k->has_null)
		return v;
	out = n->memo >= 0 ? pool_get(&f->pool, VEC_FRAME) : pool_get(&c->tmp, VEC_TEMP);
	if (vec_copy(c, out, v, f->n, true, k->mask))
		return NULL;
	return out;
}

/* Keeps temporary r (allocated above `mark`) and releases every other temporary above mark. */
static void tmp_keep(struct eval_ctx *c, size_t mark, struct vec *r)
{
	struct vpool *p = &c->tmp;
	size_t i = r->idx;
	if (i != mark) {
		struct vec *o = p->v[mark];
		p->v[mark] = r;
		r->idx = mark;
		p->v[i] = o;
		o->idx = i;
	}
	p->top = mark + 1;
}

static void args_reserve(struct eval_ctx *c, size_t n)
{
	if (c->argtop + n > c->argcap) {
		while (c->argtop + n > c->argcap)
			c->argcap = c->argcap ? 2 * c->argcap : 64;
		c->argv = xrealloc(c->argv, c->argcap * sizeof(*c->argv));
	}
}

static bool is_condition(const struct enode *n, size_t k)
{
	return n->op == IR_IF ? k == 0 : k % 2 == 0 && k + 1 < n->n_args;
}

/*
 * IF and CASE: the conditions on every row, then each branch only on the
 * rows that take it (in a subset frame), unless most rows take it or it is
 * free (a constant, a column, a value already computed).
 */
static struct vec *ev_select(struct eval_ctx *c, struct frame *f, const struct enode *n)
{
	size_t na = n->n_args, base = c->argtop, N = f->n;
	bool conds_bc = true, all_bc = true;
	struct vec *r = NULL, *pv, *rv;
	uint32_t *pick, *rank;

	args_reserve(c, na);
	c->argtop += na;
	for (size_t k = 0; k < na; k++)
		if (is_condition(n, k)) {
			struct vec *v = ev(c, f, n->args[k]);
			if (!v)
				goto done;
			c->argv[base + k] = v;
			conds_bc = conds_bc && v->bc;
		}
	if (conds_bc || f->sub_depth >= EVAL_MAX_SUBSET_DEPTH) {
		/* every branch on every row, through the kernel */
		for (size_t k = 0; k < na; k++) {
			struct vec *v = is_condition(n, k) ? c->argv[base + k] : ev(c, f, n->args[k]);
			if (!v)
				goto done;
			c->argv[base + k] = v;
			all_bc = all_bc && v->bc;
		}
		c->cur_bc = all_bc;
		c->cur_n = all_bc ? 1 : N;
		r = eval_op(c, f, n, c->argv + base);
		goto done;
	}
	pv = eval_tmp(c, IR_T_I64, 0, N);
	rv = eval_tmp(c, IR_T_I64, 0, N);
	pick = (uint32_t *)pv->v.i64;
	rank = (uint32_t *)rv->v.i64;
	eval_picks(n, c->argv + base, N, pick);
	for (size_t k = 0; k < na; k++) {
		const struct enode *br = n->args[k];
		struct vec *v;
		size_t cnt = 0;
		if (is_condition(n, k))
			continue;
		for (size_t i = 0; i < N; i++)
			cnt += pick[i] == (uint32_t)k;
		if (cnt == 0) {
			v = eval_tmp(c, n->type, n->scale, 1); /* taken by no row: a NULL */
			v->bc = true;
			v->v.valid[0] = 0;
			if (n->type == IR_T_STR)
				v->v.off[1] = 0;
			else if (n->type == IR_T_F64)
				v->v.f64[0] = 0;
			else
				v->v.i64[0] = 0;
			c->argv[base + k] = v;
			continue;
		}
		if (4 * cnt >= 3 * N || br->op == IR_CONST || br->op == IR_ROW || br->op == IR_COLUMN ||
		    (br->memo >= 0 && f->memo_gen[br->memo] == f->gen)) {
			for (size_t i = 0; i < N; i++)
				if (pick[i] == (uint32_t)k)
					rank[i] = (uint32_t)i;
			v = ev(c, f, br);
		} else {
			struct frame *s = frame_open_subset(c, f, pick, (uint32_t)k, cnt, rank);
			v = ev(c, s, br);
		}
		if (v)
			v = eval_convert(c, v, n->type, n->scale);
		if (!v)
			goto done;
		c->argv[base + k] = v;
	}
	c->cur_bc = false;
	c->cur_n = N;
	r = eval_gather(c, f, n, c->argv + base, pick, rank);
done:
	c->argtop = base;
	return r;
}

static struct vec *ev(struct eval_ctx *c, struct frame *f, const struct enode *n)
{
	size_t mark, base;
	struct vec *r;
	bool all_bc = n->n_args > 0;

	if (n->memo >= 0) {
		if (f->memo_gen[n->memo] == f->gen)
			return f->memo[n->memo];
		for (const struct frame *a = f->parent; a; a = a->parent)
			if (a->memo_gen[n->memo] == a->gen) {
				/* computed on a superset of the rows: take them */
				r = gather_from(c, f, a, a->memo[n->memo]);
				if (r) {
					f->memo[n->memo] = r;
					f->memo_gen[n->memo] = f->gen;
				}
				return r;
			}
	}
	switch (n->op) {
	case IR_ROW:
		return &f->rowvec;
	case IR_CONST:
		return n->konst;
	case IR_COLUMN:
		return frame_column(c, f, n->col);
	default:
		break;
	}
	mark = c->tmp.top;
	if (n->op == IR_AT_ROW) {
		r = at_row(c, f, n);
	} else if ((n->op == IR_IF || n->op == IR_CASE) && c->lazy) {
		r = ev_select(c, f, n);
	} else {
		base = c->argtop;
		for (size_t i = 0; i < n->n_args; i++) {
			const struct enode *arg = n->args[i];
			struct vec *a;
			if (n->op == IR_CONCAT && eval_concat_reads_table(n, i))
				arg = arg->args[0];
			a = ev(c, f, arg);
			if (!a) {
				c->argtop = base;
				c->tmp.top = mark;
				return NULL;
			}
			if (c->argtop == c->argcap) {
				c->argcap = c->argcap ? 2 * c->argcap : 64;
				c->argv = xrealloc(c->argv, c->argcap * sizeof(*c->argv));
			}
			c->argv[c->argtop++] = a;
			if (!a->bc)
				all_bc = false;
		}
		/* a pure op of broadcast values is itself broadcast: compute one row */
		c->cur_bc = all_bc;
		c->cur_n = all_bc ? 1 : f->n;
		r = n->op == IR_CONCAT && n->fuse ? eval_concat_fused(c, f, n, c->argv + base)
						   : eval_op(c, f, n, c->argv + base);
		c->argtop = base;
	}
	if (!r) {
		c->tmp.top = mark;
		return NULL;
	}
	if (r->kind == VEC_TEMP && n->memo >= 0) {
		struct vec *p = pool_get(&f->pool, VEC_FRAME);
		if (vec_copy(c, p, r, f->n, false, NULL)) {
			c->tmp.top = mark;
			return NULL;
		}
		r = p;
	}
	if (r->kind == VEC_TEMP)
		tmp_keep(c, mark, r);
	else
		c->tmp.top = mark;
	if (n->memo >= 0) {
		f->memo[n->memo] = r;
		f->memo_gen[n->memo] = f->gen;
	}
	return r;
}

int eval_table(struct eval_ctx *c, size_t table_index, const int64_t *rows, size_t n,
	       const struct eval_vec **out)
{
	const struct ir_program *p;
	struct frame *f;

	c->err[0] = 0;
	if (table_index >= c->n_programs) {
		eval_fail(c, "no program %zu (there are %zu)", table_index, c->n_programs);
		return -1;
	}
	if (n > c->max_batch) {
		eval_fail(c, "batch of %zu rows exceeds the maximum of %zu", n, c->max_batch);
		return -1;
	}
	p = &c->programs[table_index];
	c->frames_used = 0;
	c->tmp.top = 0;
	c->argtop = 0;
	f = frame_open(c, table_index, 0, rows, n);
	for (size_t k = 0; k < p->n_columns; k++)
		if (!frame_column(c, f, p->eval_order ? p->eval_order[k] : k))
			return -1;
	for (size_t i = 0; i < p->n_columns; i++) {
		struct vec *v = frame_column(c, f, i);
		struct eval_vec *o = c->outv[i];
		if (!v)
			return -1;
		if (v->bc || v->v.n != n) {
			struct vec *e = pool_get(&f->pool, VEC_FRAME);
			if (vec_copy(c, e, v, n, true, NULL))
				return -1;
			v = e;
		}
		memset(o, 0, sizeof(*o));
		o->type = p->columns[i].type;
		o->scale = o->type == IR_T_DEC ? p->columns[i].scale : 0;
		o->n = n;
		o->valid = v->v.valid;
		switch (o->type) {
		case IR_T_F64:
			o->f64 = v->v.f64;
			break;
		case IR_T_STR:
			o->off = v->v.off;
			o->data = v->v.data;
			o->data_len = v->v.data_len;
			o->data_cap = v->v.data_cap;
			break;
		default:
			o->i64 = v->v.i64;
			break;
		}
		out[i] = o;
	}
	return 0;
}

const char *eval_error(const struct eval_ctx *c)
{
	return c->err;
}

/* ---------- preparation ---------- */

struct prep {
	struct eval_ctx *c;
	struct diags *diags;
	size_t prog;
	const struct column *col; /* the column being prepared, for messages */
	/* ir_node -> enode, per program */
	const struct ir_node **pkeys;
	struct enode **pvals;
	size_t pcap, pn;
	/* structure -> enode */
	struct enode **smap;
	uint64_t *shash;
	size_t scap, sn;
	size_t nodes_cap;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

static uint64_t ptr_hash(const void *p)
{
	uint64_t v = (uint64_t)(uintptr_t)p;
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return v;
}

static struct enode *pmap_get(struct prep *p, const struct ir_node *ir)
{
	if (!p->pcap)
		return NULL;
	for (size_t i = ptr_hash(ir) & (p->pcap - 1);; i = (i + 1) & (p->pcap - 1)) {
		if (!p->pkeys[i])
			return NULL;
		if (p->pkeys[i] == ir)
			return p->pvals[i];
	}
}

static void pmap_put(struct prep *p, const struct ir_node *ir, struct enode *en)
{
	if (2 * (p->pn + 1) > p->pcap) {
		size_t ocap = p->pcap, ncap = ocap ? 2 * ocap : 256;
		const struct ir_node **ok = p->pkeys;
		struct enode **ov = p->pvals;
		p->pkeys = xcalloc(ncap, sizeof(*p->pkeys));
		p->pvals = xcalloc(ncap, sizeof(*p->pvals));
		p->pcap = ncap;
		p->pn = 0;
		for (size_t i = 0; i < ocap; i++)
			if (ok[i])
				pmap_put(p, ok[i], ov[i]);
		free(ok);
		free(ov);
	}
	for (size_t i = ptr_hash(ir) & (p->pcap - 1);; i = (i + 1) & (p->pcap - 1))
		if (!p->pkeys[i]) {
			p->pkeys[i] = ir;
			p->pvals[i] = en;
			p->pn++;
			return;
		}
}

static bool value_equal(const struct value *a, const struct value *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case VAL_NULL: return true;
	case VAL_BOOL: return a->b == b->b;
	case VAL_DOUBLE: return memcmp(&a->d, &b->d, sizeof(double)) == 0;
	case VAL_STRING: return strcmp(a->s ? a->s : "", b->s ? b->s : "") == 0;
	default: return a->i == b->i;
	}
}

static uint64_t value_hash(const struct value *v)
{
	uint64_t h = (uint64_t)v->kind;
	switch (v->kind) {
	case VAL_NULL: return h;
	case VAL_BOOL: return mix(h, v->b);
	case VAL_DOUBLE: {
		uint64_t bits;
		memcpy(&bits, &v->d, sizeof(bits));
		return mix(h, bits);
	}
	case VAL_STRING:
		return mix(h, hash_bytes(v->s ? v->s : "", v->s ? strlen(v->s) : 0, 0));
	default: return mix(h, (uint64_t)v->i);
	}
}

static uint64_t node_hash(const struct enode *e)
{
	uint64_t h = mix((uint64_t)e->op, (uint64_t)e->type);
	h = mix(h, (uint64_t)(int64_t)e->scale);
	h = mix(h, e->key);
	h = mix(h, (uint64_t)e->k);
	h = mix(h, (uint64_t)e->lo);
	h = mix(h, (uint64_t)e->hi);
	h = mix(h, e->has_k);
	h = mix(h, e->chained);
	h = mix(h, ptr_hash(e->table));
	h = mix(h, (uint64_t)e->prog);
	h = mix(h, (uint64_t)e->col);
	if (e->op == IR_CONST)
		h = mix(h, value_hash(&e->ir->value));
	for (size_t i = 0; i < e->n_args; i++)
		h = mix(h, e->args[i]->id);
	return h;
}

static bool node_equal(const struct enode *a, const struct enode *b)
{
	if (a->op != b->op || a->type != b->type || a->scale != b->scale || a->key != b->key || a->k != b->k ||
	    a->lo != b->lo || a->hi != b->hi || a->has_k != b->has_k || a->chained != b->chained || a->table != b->table ||
	    a->prog != b->prog || a->col != b->col || a->n_args != b->n_args)
		return false;
	if (a->op == IR_CONST && !value_equal(&a->ir->value, &b->ir->value))
		return false;
	for (size_t i = 0; i < a->n_args; i++)
		if (a->args[i] != b->args[i])
			return false;
	return true;
}

static struct enode *smap_find(struct prep *p, const struct enode *cand, uint64_t h)
{
	if (!p->scap)
		return NULL;
	for (size_t i = h & (p->scap - 1);; i = (i + 1) & (p->scap - 1)) {
		if (!p->smap[i])
			return NULL;
		if (p->shash[i] == h && node_equal(p->smap[i], cand))
			return p->smap[i];
	}
}

static void smap_put(struct prep *p, struct enode *en, uint64_t h)
{
	if (2 * (p->sn + 1) > p->scap) {
		size_t ocap = p->scap, ncap = ocap ? 2 * ocap : 256;
		struct enode **om = p->smap;
		uint64_t *oh = p->shash;
		p->smap = xcalloc(ncap, sizeof(*p->smap));
		p->shash = xcalloc(ncap, sizeof(*p->shash));
		p->scap = ncap;
		p->sn = 0;
		for (size_t i = 0; i < ocap; i++)
			if (om[i])
				smap_put(p, om[i], oh[i]);
		free(om);
		free(oh);
	}
	for (size_t i = h & (p->scap - 1);; i = (i + 1) & (p->scap - 1))
		if (!p->smap[i]) {
			p->smap[i] = en;
			p->shash[i] = h;
			p->sn++;
			return;
		}
}

static int prep_error(struct prep *p, const struct ir_node *ir, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int prep_error(struct prep *p, const struct ir_node *ir, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->col)
		return diag_error(p->diags, &p->col->loc, "internal error: column '%s.%s': ir op '%s': %s",
				  p->col->table->name, p->col->name, ir ? op_name(ir->op) : "?", msg);
	return diag_error(p->diags, NULL, "internal error: ir op '%s': %s", ir ? op_name(ir->op) : "?", msg);
}

/* The program of table t, or -1. */
static long prog_of_table(const struct eval_ctx *c, const struct table *t)
{
	for (size_t i = 0; i < c->n_programs; i++)
		if (c->programs[i].table == t)
			return (long)i;
	return -1;
}

/* Resolves a COLUMN / AT_ROW target into e->prog, e->col; -1 when unknown. */
static int resolve_column(struct prep *p, struct enode *e, const struct ir_node *ir)
{
	const struct column *col = ir->column;
	long q;
	const struct ir_program *pg;
	if (!col)
		return prep_error(p, ir, "no column");
	q = col->table ? prog_of_table(p->c, col->table) : -1;
	if (q < 0)
		return prep_error(p, ir, "column '%s' belongs to no program", col->name);
	pg = &p->c->programs[q];
	e->prog = (size_t)q;
	if (col->index < pg->n_columns && pg->columns[col->index].column == col) {
		e->col = col->index;
	} else {
		size_t i;
		for (i = 0; i < pg->n_columns; i++)
			if (pg->columns[i].column == col)
				break;
		if (i == pg->n_columns)
			return prep_error(p, ir, "column '%s.%s' has no program", col->table->name, col->name);
		e->col = i;
	}
	if (pg->columns[e->col].type != e->type ||
	    (e->type == IR_T_DEC && pg->columns[e->col].scale != e->scale))
		return prep_error(p, ir, "type %s does not match column '%s.%s' (%s)", type_name(e->type),
				  col->table->name, col->name, type_name(pg->columns[e->col].type));
	return 0;
}

static bool castable_all(const struct enode *e, size_t from, size_t step)
{
	for (size_t i = from; i < e->n_args; i += step)
		if (!eval_castable(e->args[i]->type, e->type))
			return false;
	return true;
}

static bool all_type(const struct enode *e, enum ir_type t)
{
	for (size_t i = 0; i < e->n_args; i++)
		if (e->args[i]->type != t)
			return false;
	return true;
}

/* Checks arity, argument and result types, and op data of a candidate node. */
static int check_node(struct prep *p, const struct enode *e, const struct ir_node *ir)
{
	size_t na = e->n_args;
	enum ir_type t = e->type, a0 = na > 0 ? e->args[0]->type : IR_T_BOOL,
		     a1 = na > 1 ? e->args[1]->type : IR_T_BOOL, a2 = na > 2 ? e->args[2]->type : IR_T_BOOL;
	const struct ir_table *tb = e->table;
	int min_args = 0, max_args = 0;
	bool ok = true;

	if ((unsigned)t > IR_T_DEC)
		return prep_error(p, ir, "unknown type %d", (int)t);
	if (t == IR_T_DEC && (e->scale < 0 || e->scale > 38))
		return prep_error(p, ir, "decimal scale %d is outside 0..38", e->scale);
	switch (e->op) {
	case IR_ROW: ok = t == IR_T_I64; break;
	case IR_CONST: break;
	case IR_HASH: min_args = max_args = 1; ok = eval_is_intk(a0) && t == IR_T_I64; break;
	case IR_UNIT: min_args = max_args = 1; ok = eval_is_intk(a0) && t == IR_T_F64; break;
	case IR_INT_RANGE:
		min_args = max_args = 1;
		ok = eval_is_intk(a0) && eval_is_intk(t);
		if (ok && e->lo > e->hi)
			return prep_error(p, ir, "empty range %lld..%lld", (long long)e->lo, (long long)e->hi);
		break;
	case IR_ADD: case IR_SUB: case IR_MUL:
		min_args = max_args = 2;
		if (eval_is_intk(t))
			ok = eval_is_intk(a0) && eval_is_intk(a1);
		else if (t == IR_T_F64)
			ok = eval_is_num(a0) && eval_is_num(a1);
		else if (t == IR_T_DEC)
			ok = (eval_is_intk(a0) || a0 == IR_T_DEC) && (eval_is_intk(a1) || a1 == IR_T_DEC);
		else
			ok = false;
		break;
	case IR_DIV: min_args = max_args = 2; ok = eval_is_num(a0) && eval_is_num(a1) && t == IR_T_F64; break;
	case IR_IDIV: min_args = max_args = 2; ok = eval_is_intk(a0) && eval_is_intk(a1) && eval_is_intk(t); break;
	case IR_MOD: case IR_REM:
		min_args = max_args = 2;
		ok = eval_is_intk(t) ? eval_is_intk(a0) && eval_is_intk(a1)
				     : t == IR_T_F64 && eval_is_num(a0) && eval_is_num(a1);
		break;
	case IR_AFFINE_MOD:
		min_args = max_args = 1;
		ok = eval_is_intk(a0) && eval_is_intk(t);
		if (ok && e->k < 1)
			return prep_error(p, ir, "modulus %lld is not positive", (long long)e->k);
		break;
	case IR_NEG: case IR_ABS:
		min_args = max_args = 1;
		ok = eval_is_intk(t) ? eval_is_intk(a0)
		     : t == IR_T_F64 ? eval_is_num(a0)
		     : t == IR_T_DEC ? eval_is_intk(a0) || a0 == IR_T_DEC : false;
		break;
	case IR_EQ: case IR_NE: case IR_LT: case IR_LE: case IR_GT: case IR_GE:
		min_args = max_args = 2;
		ok = t == IR_T_BOOL && ((a0 == IR_T_STR && a1 == IR_T_STR) || (eval_is_num(a0) && eval_is_num(a1)));
		break;
	case IR_AND: case IR_OR: min_args = 1; max_args = -1; ok = t == IR_T_BOOL && all_type(e, IR_T_BOOL); break;
	case IR_NOT: min_args = max_args = 1; ok = t == IR_T_BOOL && a0 == IR_T_BOOL; break;
	case IR_IF: min_args = max_args = 3; ok = a0 == IR_T_BOOL && castable_all(e, 1, 1); break;
	case IR_CASE:
		min_args = 1;
		max_args = -1;
		for (size_t i = 0; i + 1 < na; i += 2)
			if (e->args[i]->type != IR_T_BOOL)
				ok = false;
		for (size_t i = 1; i < na; i += 2)
			if (!eval_castable(e->args[i]->type, t))
				ok = false;
		if (na % 2 == 1 && !eval_castable(e->args[na - 1]->type, t))
			ok = false;
		break;
	case IR_IS_NULL: min_args = max_args = 1; ok = t == IR_T_BOOL; break;
	case IR_COALESCE: case IR_LEAST: case IR_GREATEST: min_args = 1; max_args = -1; ok = castable_all(e, 0, 1); break;
	case IR_FLOOR: case IR_CEIL: min_args = max_args = 1; ok = eval_is_num(a0) && eval_is_intk(t); break;
	case IR_SQRT: case IR_LN: case IR_EXP: case IR_COS:
		min_args = max_args = 1;
		ok = eval_is_num(a0) && t == IR_T_F64;
		break;
	case IR_POW: min_args = max_args = 2; ok = eval_is_num(a0) && eval_is_num(a1) && t == IR_T_F64; break;
	case IR_ROUND_HALF_UP:
		min_args = max_args = 1;
		ok = (a0 == IR_T_I64 || a0 == IR_T_F64 || a0 == IR_T_DEC) && (t == IR_T_F64 || t == IR_T_DEC || t == IR_T_I64);
		if (ok && (e->scale < (t == IR_T_F64 ? -22 : 0) || e->scale > 38))
			return prep_error(p, ir, "rounding scale %d is out of range", e->scale);
		break;
	case IR_CAST: min_args = max_args = 1; ok = eval_castable(a0, t); break;
	case IR_SEARCH_CUM:
		min_args = max_args = 1;
		ok = eval_is_num(a0) && eval_is_intk(t);
		if (ok && (!tb || tb->elem != IR_T_F64 || !tb->f64 || tb->n < 1))
			return prep_error(p, ir, "needs a non-empty table of f64");
		if (ok)
			for (size_t i = 0; i < tb->n; i++)
				if (tb->f64[i] != tb->f64[i] || (i && !(tb->f64[i] >= tb->f64[i - 1])))
					return prep_error(p, ir, "table '%s' is not non-decreasing at %zu",
							  tb->name ? tb->name : "?", i);
		break;
	case IR_ALIAS_PICK:
		min_args = max_args = 2;
		ok = eval_is_intk(a0) && eval_is_num(a1) && eval_is_intk(t);
		if (ok && (!tb || !tb->alias_prob || !tb->alias_idx || tb->n < 1))
			return prep_error(p, ir, "needs a table with alias arrays");
		if (ok)
			for (size_t i = 0; i < tb->n; i++)
				if (tb->alias_idx[i] < 0 || (uint64_t)tb->alias_idx[i] >= tb->n)
					return prep_error(p, ir, "alias index %lld at %zu is out of range",
							  (long long)tb->alias_idx[i], i);
		break;
	case IR_ELEMENT:
		min_args = max_args = 1;
		ok = eval_is_intk(a0) && tb;
		if (ok) {
			if (tb->elem == IR_T_F64)
				ok = t == IR_T_F64 && (tb->f64 || !tb->n);
			else if (tb->elem == IR_T_STR)
				ok = t == IR_T_STR && (tb->str || !tb->n);
			else if (tb->elem == IR_T_I64)
				ok = (eval_is_intk(t) || t == IR_T_DEC) && (tb->i64 || !tb->n);
			else
				ok = false;
		}
		if (ok && tb->elem == IR_T_STR)
			for (size_t i = 0; i < tb->n; i++)
				if (!tb->str[i])
					return prep_error(p, ir, "table '%s' has no string at %zu",
							  tb->name ? tb->name : "?", i);
		break;
	case IR_CONCAT: min_args = 1; max_args = -1; ok = t == IR_T_STR; break;
	case IR_LOWER: case IR_UPPER: case IR_LETTERS:
		min_args = max_args = 1;
		ok = t == IR_T_STR && a0 == IR_T_STR;
		break;
	case IR_LENGTH: min_args = max_args = 1; ok = eval_is_intk(t) && a0 == IR_T_STR; break;
	case IR_LPAD:
		min_args = 2;
		max_args = 3;
		ok = t == IR_T_STR && a0 == IR_T_STR && eval_is_intk(a1) && (na < 3 || a2 == IR_T_STR);
		break;
	case IR_SUBSTR:
		min_args = 2;
		max_args = 3;
		ok = t == IR_T_STR && a0 == IR_T_STR && eval_is_intk(a1) && (na < 3 || eval_is_intk(a2));
		break;
	case IR_HEX16: min_args = max_args = 1; ok = t == IR_T_STR && eval_is_intk(a0); break;
	case IR_UUID: min_args = max_args = 2; ok = t == IR_T_STR && eval_is_intk(a0) && eval_is_intk(a1); break;
	case IR_TO_STR: min_args = max_args = 1; ok = t == IR_T_STR; break;
	case IR_YEAR: case IR_MONTH: case IR_DAY: case IR_DAYOFWEEK: case IR_DAYOFYEAR: case IR_QUARTER:
	case IR_WEEKOFYEAR: case IR_HOUR: case IR_MINUTE: case IR_SECOND:
		min_args = max_args = 1;
		ok = (a0 == IR_T_DATE || a0 == IR_T_TS) && eval_is_intk(t);
		break;
	case IR_MAKE_DATE:
		min_args = max_args = 3;
		ok = t == IR_T_DATE && eval_is_intk(a0) && eval_is_intk(a1) && eval_is_intk(a2);
		break;
	case IR_DATE_ADD:
		min_args = max_args = 2;
		ok = t == IR_T_DATE && (a0 == IR_T_DATE || a0 == IR_T_TS) && eval_is_intk(a1);
		break;
	case IR_DATEDIFF:
		min_args = max_args = 2;
		ok = eval_is_intk(t) && (a0 == IR_T_DATE || a0 == IR_T_TS) && (a1 == IR_T_DATE || a1 == IR_T_TS);
		break;
	case IR_TO_DATE: min_args = max_args = 1; ok = t == IR_T_DATE && (a0 == IR_T_DATE || a0 == IR_T_TS); break;
	case IR_TO_TS: min_args = max_args = 1; ok = t == IR_T_TS && (a0 == IR_T_DATE || a0 == IR_T_TS); break;
	case IR_COLUMN: break;
	case IR_AT_ROW: min_args = max_args = 1; ok = eval_is_intk(a0); break;
	default:
		return prep_error(p, ir, "unknown op %d", (int)e->op);
	}
	if ((int)na < min_args || (max_args >= 0 && (int)na > max_args)) {
		if (max_args < 0)
			return prep_error(p, ir, "needs at least %d arguments, has %zu", min_args, na);
		if (min_args == max_args)
			return prep_error(p, ir, "needs %d arguments, has %zu", min_args, na);
		return prep_error(p, ir, "needs %d to %d arguments, has %zu", min_args, max_args, na);
	}
	if (!ok) {
		char sig[128];
		size_t len = 0;
		sig[0] = 0;
		for (size_t i = 0; i < na && len + 8 < sizeof(sig); i++)
			len += (size_t)snprintf(sig + len, sizeof(sig) - len, "%s%s", i ? ", " : "",
						type_name(e->args[i]->type));
		return prep_error(p, ir, "type %s from (%s) is not supported", type_name(t), sig);
	}
	return 0;
}

/* The string lengths of table t (shared by every node that reads it). */
static const uint32_t *table_lengths(struct eval_ctx *c, const struct ir_table *t)
{
	uint32_t *len;
	for (size_t i = 0; i < c->n_tlens; i++)
		if (c->tlens[i].t == t)
			return c->tlens[i].len;
	len = xcalloc(t->n, sizeof(uint32_t));
	for (size_t i = 0; i < t->n; i++) {
		size_t l = strlen(t->str[i]);
		len[i] = l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
	}
	c->tlens = xrealloc(c->tlens, (c->n_tlens + 1) * sizeof(*c->tlens));
	c->tlens[c->n_tlens].t = t;
	c->tlens[c->n_tlens].len = len;
	c->n_tlens++;
	return len;
}

static struct enode *intern(struct prep *p, struct enode *cand, const struct ir_node *ir);

static struct enode *prep_node(struct prep *p, const struct ir_node *ir, int depth)
{
	struct enode cand, *e, **args = NULL;

	if (!ir) {
		prep_error(p, NULL, "missing node");
		return NULL;
	}
	e = pmap_get(p, ir);
	if (e)
		return e;
	if (depth > 100000) {
		prep_error(p, ir, "tree deeper than 100000");
		return NULL;
	}
	if (ir->n_args && !ir->args) {
		prep_error(p, ir, "missing arguments");
		return NULL;
	}
	if (ir->n_args) {
		args = eval_xmalloc(ir->n_args * sizeof(*args));
		for (size_t i = 0; i < ir->n_args; i++) {
			args[i] = prep_node(p, ir->args[i], depth + 1);
			if (!args[i]) {
				free(args);
				return NULL;
			}
		}
	}
	memset(&cand, 0, sizeof(cand));
	cand.op = ir->op;
	cand.type = ir->type;
	cand.scale = ir->type == IR_T_DEC || ir->op == IR_ROUND_HALF_UP ? ir->scale : 0;
	cand.n_args = ir->n_args;
	cand.args = args;
	cand.ir = ir;
	cand.memo = -1;
	switch (ir->op) {
	case IR_HASH:
		cand.key = cell_key(ir->seed);
		cand.has_k = ir->has_k;
		cand.k = ir->has_k ? ir->k : 0;
		break;
	case IR_INT_RANGE:
		cand.lo = ir->lo;
		cand.hi = ir->hi;
		break;
	case IR_AFFINE_MOD:
		cand.lo = ir->lo;
		cand.hi = ir->hi;
		cand.k = ir->k;
		break;
	case IR_SEARCH_CUM:
	case IR_ALIAS_PICK:
	case IR_ELEMENT:
		cand.table = ir->table;
		break;
	case IR_COLUMN:
		if (ir->column && ir->column->table != p->c->programs[p->prog].table) {
			prep_error(p, ir, "column '%s' is not in table '%s'", ir->column->name,
				   p->c->programs[p->prog].table->name);
			free(args);
			return NULL;
		}
		/* fall through */
	case IR_AT_ROW:
		if (resolve_column(p, &cand, ir)) {
			free(args);
			return NULL;
		}
		break;
	default:
		break;
	}
	if (check_node(p, &cand, ir)) {
		free(args);
		return NULL;
	}
	if (cand.op == IR_HASH && cand.has_k) {
		/* H(s, x, k) = XXH64(k, H(s, x)): the inner hash is shared by every draw k of s at x */
		struct enode inner = cand, **iargs = eval_xmalloc(sizeof(*iargs));
		iargs[0] = args[0];
		inner.args = iargs;
		inner.has_k = false;
		inner.k = 0;
		args[0] = intern(p, &inner, ir);
		if (!args[0]) {
			free(args);
			return NULL;
		}
		cand.chained = true;
	}
	e = intern(p, &cand, ir);
	if (e)
		pmap_put(p, ir, e);
	return e;
}

/* The enode equal to checked candidate `cand` (which owns its args array), made when new. */
static struct enode *intern(struct prep *p, struct enode *cand, const struct ir_node *ir)
{
	struct enode *e;
	uint64_t h = node_hash(cand);
	e = smap_find(p, cand, h);
	if (e) {
		free(cand->args);
		return e;
	}
	e = eval_xmalloc(sizeof(*e));
	*e = *cand;
	e->id = (uint32_t)p->c->n_nodes;
	if (p->c->n_nodes == p->nodes_cap) {
		p->nodes_cap = p->nodes_cap ? 2 * p->nodes_cap : 256;
		p->c->nodes = xrealloc(p->c->nodes, p->nodes_cap * sizeof(*p->c->nodes));
	}
	p->c->nodes[p->c->n_nodes++] = e;
	for (size_t i = 0; i < e->n_args; i++)
		e->args[i]->uses++;
	if (e->op == IR_ELEMENT && e->table->elem == IR_T_STR) {
		e->slen = table_lengths(p->c, e->table);
		e->fixed_len = e->table->n ? (int64_t)e->slen[0] : -1;
		for (size_t i = 1; i < e->table->n; i++)
			if (e->slen[i] != e->slen[0])
				e->fixed_len = -1;
	}
	if (e->op == IR_CONST) {
		e->konst = xcalloc(1, sizeof(struct vec));
		e->konst->kind = VEC_FIXED;
		e->konst->cap = 1;
		if (eval_const_fill(p->c, e->konst, ir)) {
			prep_error(p, ir, "constant does not fit type %s", type_name(e->type));
			vec_free(e->konst);
			e->konst = NULL;
			return NULL;
		}
	}
	smap_put(p, e, h);
	return e;
}

int eval_ctx_new(struct eval_ctx **out, const struct ir_program *programs, size_t n_programs,
		 size_t max_batch, struct diags *diags)
{
	struct eval_ctx *c = xcalloc(1, sizeof(*c));
	struct prep p;
	int rc = -1;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.diags = diags;
	c->programs = programs;
	c->n_programs = n_programs;
	c->max_batch = max_batch ? max_batch : 1;
	for (size_t i = 0; i < n_programs; i++)
		if (programs[i].n_columns > c->max_columns)
			c->max_columns = programs[i].n_columns;
	c->roots = xcalloc(n_programs, sizeof(*c->roots));
	for (size_t i = 0; i < n_programs; i++) {
		const struct ir_program *pg = &programs[i];
		p.prog = i;
		p.col = NULL;
		if (p.pcap) { /* node pointers are resolved per program (COLUMN is per table) */
			memset(p.pkeys, 0, p.pcap * sizeof(*p.pkeys));
			p.pn = 0;
		}
		c->roots[i] = xcalloc(pg->n_columns, sizeof(**c->roots));
		for (size_t k = 0; k < pg->n_columns; k++) {
			const struct ir_column *ic = &pg->columns[k];
			struct enode *e;
			p.col = ic->column;
			e = prep_node(&p, ic->value, 0);
			if (!e)
				goto done;
			if (e->type != ic->type || (e->type == IR_T_DEC && e->scale != ic->scale)) {
				prep_error(&p, ic->value, "value of type %s does not match the column type %s",
					   type_name(e->type), type_name(ic->type));
				goto done;
			}
			if (pg->eval_order && pg->eval_order[k] >= pg->n_columns) {
				prep_error(&p, ic->value, "evaluation order names column %zu of %zu",
					   pg->eval_order[k], pg->n_columns);
				goto done;
			}
			e->uses += 2; /* a root is always memoised */
			c->roots[i][k] = e;
		}
	}
	for (size_t i = 0; i < c->n_nodes; i++) {
		struct enode *e = c->nodes[i];
		if (e->uses >= 2 && e->op != IR_CONST && e->op != IR_ROW && e->op != IR_COLUMN)
			e->memo = (int32_t)c->n_memo++;
	}
	for (size_t i = 0; i < c->n_nodes; i++) {
		struct enode *e = c->nodes[i];
		if (e->op == IR_CONCAT)
			for (size_t k = 0; k < e->n_args; k++)
				if (e->args[k]->op == IR_ELEMENT && e->args[k]->type == IR_T_STR && e->args[k]->memo < 0)
					e->fuse = true;
	}
	c->ones = eval_xmalloc(c->max_batch);
	memset(c->ones, 1, c->max_batch);
	c->pick = eval_xmalloc(c->max_batch * sizeof(*c->pick));
	c->lens = eval_xmalloc(c->max_batch * sizeof(*c->lens));
	c->pos = eval_xmalloc(c->max_batch * sizeof(*c->pos));
	c->lazy = true;
	c->outv = xcalloc(c->max_columns, sizeof(*c->outv));
	for (size_t i = 0; i < c->max_columns; i++)
		c->outv[i] = xcalloc(1, sizeof(struct eval_vec));
	*out = c;
	rc = 0;
done:
	free(p.pkeys);
	free(p.pvals);
	free(p.smap);
	free(p.shash);
	if (rc)
		eval_ctx_free(c);
	return rc;
}

void eval_ctx_free(struct eval_ctx *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_nodes; i++) {
		vec_free(c->nodes[i]->konst);
		free(c->nodes[i]->args);
		free(c->nodes[i]);
	}
	free(c->nodes);
	if (c->roots)
		for (size_t i = 0; i < c->n_programs; i++)
			free(c->roots[i]);
	free(c->roots);
	for (size_t i = 0; i < c->n_tlens; i++)
		free(c->tlens[i].len);
	free(c->tlens);
	for (size_t i = 0; i < c->n_frames; i++)
		frame_free(c->frames[i]);
	free(c->frames);
	pool_release(&c->tmp);
	free(c->argv);
	free(c->ones);
	free(c->pick);
	free(c->lens);
	free(c->pos);
	if (c->outv)
		for (size_t i = 0; i < c->max_columns; i++)
			free(c->outv[i]);
	free(c->outv);
	free(c);
}
