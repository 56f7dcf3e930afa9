/*
 * emit_numpy: renders the column programs of a plan (ir.h) as the python-mode
 * generated program, vectorised numpy code that calls the runtime library
 * templates/notebooks/numpy_runtime.py.
 *
 * Each table program becomes one Python function per column, `_c<P>_<C>(F)`,
 * computing the column for a frame F (a vector of row counters, see the
 * runtime's _rt_Frame) in straight-line code: one statement per node, the
 * node's value in `v<id>` and its validity in `m<id>`.  Nodes are merged
 * structurally first (the IR is a DAG and equal subtrees are one value), so a
 * value is computed once per function; a node that several columns use gets
 * a function of its own, `_s<P>_<id>(F)`, memoised in the frame.  COLUMN reads
 * the frame's memoised column, AT_ROW opens a child frame.  Constant tables
 * are emitted once (deduplicated by content) as module-level numpy or pyarrow
 * arrays, constants as module-level numpy scalars.
 *
 * A light static analysis marks the nodes that can never be NULL, so their
 * validity is the literal None and no mask code is emitted for them; every
 * other validity is computed at run time (and is None there too when a chunk
 * has no NULL).
 */
#include "emit_numpy.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "hash.h"
#include "model.h"

#define NO_ID ((size_t)-1)

/* A distinct constant table (by content), emitted once as _T<id>. */
struct np_table {
	const struct ir_table *t;
};

/* A structurally distinct node of the program being emitted. */
struct np_node {
	const struct ir_node *ir;
	size_t *args;      /* node ids */
	size_t table;      /* np_table id, NO_ID when none */
	size_t col_uses;   /* number of columns whose program contains it */
	size_t mark;       /* scratch: last column / function that visited it */
	int nonnull;       /* -1 unknown, 0 may be NULL, 1 never NULL */
	int has_range;     /* -1 unknown, 0 no, 1 integer range known */
	int64_t lo, hi;
	bool shared;       /* emitted as a memoised function of its own */
};

/* Open-addressing map from a 64-bit key to an index. */
struct np_map {
	uint64_t *keys;
	size_t *vals;
	size_t cap, n;
};

struct np_ctx {
	struct strbuf *out;
	const struct plan *plan;
	const struct ir_program *progs;
	struct diags *diags;
	struct arena arena;
	int failed;
	/* constant tables, over the whole plan */
	struct np_table *tables;
	size_t n_tables, cap_tables;
	struct np_map table_ptrs;   /* ir_table pointer -> id */
	struct np_map table_hashes; /* content hash -> first id with it (chain by linear search) */
	/* constants, over the whole plan */
	struct strbuf consts;       /* module-level definitions */
	struct np_map const_keys;   /* hash of the text -> const id */
	char **const_text;
	size_t n_consts, cap_consts;
	/* the program being emitted */
	size_t prog;
	struct np_node *nodes;
	size_t n_nodes, cap_nodes;
	struct np_map node_ptrs;    /* ir_node pointer -> id */
	struct np_map node_hashes;  /* structural hash -> id (collisions chained by probing) */
	size_t *roots;              /* column index -> node id */
	size_t stamp;
	size_t tmp;                 /* temporaries of the function being written */
	struct strbuf *body;        /* the function being written */
};

/* ---------- small maps ---------- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static void map_grow(struct np_ctx *c, struct np_map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	uint64_t *keys = arena_calloc(&c->arena, ncap, sizeof(*keys));
	size_t *vals = arena_calloc(&c->arena, ncap, sizeof(*vals));
	for (size_t i = 0; i < ncap; i++)
		vals[i] = NO_ID;
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;
		if (m->vals[i] == NO_ID)
			continue;
		j = (size_t)(mix64(m->keys[i]) & (ncap - 1));
		while (vals[j] != NO_ID)
			j = (j + 1) & (ncap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	m->keys = keys;
	m->vals = vals;
	m->cap = ncap;
}

/* Adds key -> val (duplicate keys allowed: map_next walks them). */
static void map_put(struct np_ctx *c, struct np_map *m, uint64_t key, size_t val)
{
	size_t j;
	if ((m->n + 1) * 2 > m->cap)
		map_grow(c, m);
	j = (size_t)(mix64(key) & (m->cap - 1));
	while (m->vals[j] != NO_ID)
		j = (j + 1) & (m->cap - 1);
	m->keys[j] = key;
	m->vals[j] = val;
	m->n++;
}

/* Iterates the values stored under `key`: *pos starts at 0; NO_ID at the end. */
static size_t map_next(const struct np_map *m, uint64_t key, size_t *pos)
{
	size_t j;
	if (!m->cap)
		return NO_ID;
	if (*pos == 0)
		*pos = (size_t)(mix64(key) & (m->cap - 1)) + 1;
	for (j = *pos - 1; m->vals[j] != NO_ID; j = (j + 1) & (m->cap - 1)) {
		if (m->keys[j] == key) {
			*pos = ((j + 1) & (m->cap - 1)) + 1;
			return m->vals[j];
		}
	}
	return NO_ID;
}

static size_t map_get(const struct np_map *m, uint64_t key)
{
	size_t pos = 0;
	return map_next(m, key, &pos);
}

static void map_reset(struct np_map *m)
{
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}

/* ---------- names and literals ---------- */

static const char *tname(enum ir_type t)
{
	static const char *const names[] = {"bool", "i64", "f64", "str", "date", "ts", "dec"};
	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

static bool is_intk(enum ir_type t)
{
	return t == IR_T_BOOL || t == IR_T_I64 || t == IR_T_DATE || t == IR_T_TS;
}

static void add_f64(struct strbuf *sb, double d)
{
	char buf[40];
	if (isnan(d)) {
		strbuf_addstr(sb, "float('nan')");
		return;
	}
	if (isinf(d)) {
		strbuf_addstr(sb, d > 0 ? "float('inf')" : "float('-inf')");
		return;
	}
	snprintf(buf, sizeof(buf), "%.17g", d);
	strbuf_addstr(sb, buf);
	if (!strpbrk(buf, ".e"))
		strbuf_addstr(sb, ".0");
}

/* A Python string literal of UTF-8 text, ASCII only; -1 when the text is not UTF-8. */
static int add_pystr(struct strbuf *sb, const char *s, size_t len)
{
	strbuf_addch(sb, '\'');
	for (size_t i = 0; i < len;) {
		unsigned char b = (unsigned char)s[i];
		uint32_t cp;
		size_t n;
		if (b < 0x80) {
			if (b == '\\' || b == '\'')
				strbuf_addf(sb, "\\%c", b);
			else if (b < 0x20 || b == 0x7f)
				strbuf_addf(sb, "\\x%02x", b);
			else
				strbuf_addch(sb, (char)b);
			i++;
			continue;
		}
		if ((b & 0xE0) == 0xC0) {
			cp = b & 0x1F;
			n = 2;
		} else if ((b & 0xF0) == 0xE0) {
			cp = b & 0x0F;
			n = 3;
		} else if ((b & 0xF8) == 0xF0) {
			cp = b & 0x07;
			n = 4;
		} else {
			return -1;
		}
		if (i + n > len)
			return -1;
		for (size_t k = 1; k < n; k++) {
			unsigned char cb = (unsigned char)s[i + k];
			if ((cb & 0xC0) != 0x80)
				return -1;
			cp = (cp << 6) | (cb & 0x3F);
		}
		if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return -1;
		if (cp <= 0xFFFF)
			strbuf_addf(sb, "\\u%04x", (unsigned)cp);
		else
			strbuf_addf(sb, "\\U%08x", (unsigned)cp);
		i += n;
	}
	strbuf_addch(sb, '\'');
	return 0;
}

static int internal(struct np_ctx *c, const char *what, const struct ir_node *n)
{
	const struct ir_program *p = &c->progs[c->prog];
	c->failed = 1;
	return diag_error(c->diags, &p->table->loc, "internal error: numpy emitter: %s (op '%s', type %s, table '%s')",
			  what, n ? ir_op_name(n->op) : "?", n ? tname(n->type) : "?", p->table->name);
}

/* ---------- constants ---------- */

/* The module-level name of a constant whose Python expression is `text`. */
static size_t const_id(struct np_ctx *c, const char *text)
{
	uint64_t h = hash_bytes(text, strlen(text), 0);
	size_t pos = 0, id;
	while ((id = map_next(&c->const_keys, h, &pos)) != NO_ID)
		if (!strcmp(c->const_text[id], text))
			return id;
	c->const_text = arena_grow_array(&c->arena, c->const_text, sizeof(char *), &c->cap_consts, c->n_consts + 1);
	id = c->n_consts++;
	c->const_text[id] = arena_strdup(&c->arena, text);
	map_put(c, &c->const_keys, h, id);
	strbuf_addf(&c->consts, "_K%zu = %s\n", id, text);
	return id;
}

static int64_t floor_div64(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Decimal text ("-12.5") to the unscaled value at `scale`, half up (as eval_const_fill). */
static int parse_dec(const char *s, int scale, int64_t *out)
{
	bool neg = false, dot = false, any = false;
	__int128 v = 0, p = 1;
	int frac = 0;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; *s; s++) {
		if (*s == '.' && !dot) {
			dot = true;
			continue;
		}
		if (*s < '0' || *s > '9' || frac >= 38 || v > ((__int128)1 << 120))
			return -1;
		v = v * 10 + (*s - '0');
		any = true;
		if (dot)
			frac++;
	}
	if (!any)
		return -1;
	if (scale >= frac) {
		for (int i = frac; i < scale; i++) {
			if (v > ((__int128)1 << 120))
				return -1;
			v *= 10;
		}
	} else {
		__int128 q, r;
		for (int i = scale; i < frac; i++)
			p *= 10;
		q = v / p;
		r = v % p;
		if (r * 2 >= p)
			q++;
		v = q;
	}
	if (neg)
		v = -v;
	if (v < INT64_MIN || v > INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/*
 * The Python expression of a CONST node's value (numpy scalar or str), as
 * the native evaluator reads constants.  -1 on a value the type cannot hold.
 */
static int const_text(struct strbuf *sb, const struct ir_node *n)
{
	const struct value *v = &n->value;
	int64_t i = 0;
	double d = 0;
	if (v->kind == VAL_NULL) {
		switch (n->type) {
		case IR_T_BOOL: strbuf_addstr(sb, "np.False_"); return 0;
		case IR_T_F64: strbuf_addstr(sb, "np.float64(0.0)"); return 0;
		case IR_T_STR: strbuf_addstr(sb, "''"); return 0;
		default: strbuf_addstr(sb, "np.int64(0)"); return 0;
		}
	}
	switch (n->type) {
	case IR_T_BOOL:
		if (v->kind != VAL_BOOL && v->kind != VAL_INT)
			return -1;
		strbuf_addstr(sb, (v->kind == VAL_BOOL ? v->b : v->i != 0) ? "np.True_" : "np.False_");
		return 0;
	case IR_T_F64:
		if (v->kind == VAL_DOUBLE)
			d = v->d;
		else if (v->kind == VAL_INT)
			d = (double)v->i;
		else
			return -1;
		strbuf_addstr(sb, "np.float64(");
		add_f64(sb, d);
		strbuf_addch(sb, ')');
		return 0;
	case IR_T_STR:
		if (v->kind != VAL_STRING)
			return -1;
		return add_pystr(sb, v->s ? v->s : "", v->s ? strlen(v->s) : 0);
	case IR_T_I64:
		if (v->kind == VAL_BOOL) {
			i = v->b;
		} else if (v->kind == VAL_DOUBLE) {
			double x = v->d;
			i = x != x ? 0 : x >= 9223372036854775808.0 ? INT64_MAX
			    : x <= -9223372036854775808.0 ? INT64_MIN : (int64_t)x;
		} else if (v->kind == VAL_INT || v->kind == VAL_DATE || v->kind == VAL_TIMESTAMP) {
			i = v->i;
		} else {
			return -1;
		}
		break;
	case IR_T_DATE:
		if (v->kind == VAL_DATE || v->kind == VAL_INT)
			i = v->i;
		else if (v->kind == VAL_TIMESTAMP)
			i = floor_div64(v->i, 86400);
		else
			return -1;
		break;
	case IR_T_TS:
		if (v->kind == VAL_TIMESTAMP || v->kind == VAL_INT)
			i = v->i;
		else if (v->kind == VAL_DATE)
			i = (int64_t)((uint64_t)v->i * 86400u);
		else
			return -1;
		break;
	case IR_T_DEC:
		if (v->kind == VAL_INT) {
			i = v->i;
		} else if (v->kind == VAL_DOUBLE) {
			double p = 1, y;
			for (int k = 0; k < n->scale; k++)
				p *= 10;
			y = floor(v->d * p + 0.5);
			if (!(y >= -9223372036854775808.0 && y < 9223372036854775808.0))
				return -1;
			i = (int64_t)y;
		} else if (v->kind == VAL_STRING) {
			if (!v->s || parse_dec(v->s, n->scale, &i))
				return -1;
		} else {
			return -1;
		}
		break;
	}
	strbuf_addf(sb, "np.int64(%" PRId64 ")", i);
	return 0;
}

/* ---------- constant tables ---------- */

static uint64_t table_content_hash(const struct ir_table *t)
{
	uint64_t h = hash_bytes(&t->elem, sizeof(t->elem), t->n);
	for (size_t i = 0; i < t->n; i++) {
		switch (t->elem) {
		case IR_T_F64: h = hash_bytes(&t->f64[i], sizeof(double), h); break;
		case IR_T_STR: h = hash_bytes(t->str[i], strlen(t->str[i]) + 1, h); break;
		default: h = hash_bytes(&t->i64[i], sizeof(int64_t), h); break;
		}
	}
	if (t->alias_prob) {
		h = hash_bytes(t->alias_prob, t->n * sizeof(double), h ^ 1);
		h = hash_bytes(t->alias_idx, t->n * sizeof(int64_t), h);
	}
	return h;
}

static bool table_equal(const struct ir_table *a, const struct ir_table *b)
{
	if (a->elem != b->elem || a->n != b->n || !a->alias_prob != !b->alias_prob)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		switch (a->elem) {
		case IR_T_F64:
			if (memcmp(&a->f64[i], &b->f64[i], sizeof(double)))
				return false;
			break;
		case IR_T_STR:
			if (strcmp(a->str[i], b->str[i]))
				return false;
			break;
		default:
			if (a->i64[i] != b->i64[i])
				return false;
			break;
		}
	}
	if (a->alias_prob && (memcmp(a->alias_prob, b->alias_prob, a->n * sizeof(double)) ||
			      memcmp(a->alias_idx, b->alias_idx, a->n * sizeof(int64_t))))
		return false;
	return true;
}

static void emit_list_f64(struct strbuf *sb, const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		strbuf_addstr(sb, i % 6 == 0 ? "\n    " : " ");
		add_f64(sb, v[i]);
		strbuf_addch(sb, ',');
	}
}

static void emit_list_i64(struct strbuf *sb, const int64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sb, "%s%" PRId64 ",", i % 10 == 0 ? "\n    " : " ", v[i]);
}

/* The id of table t, emitting its definition on first use. */
static size_t table_id(struct np_ctx *c, const struct ir_table *t)
{
	size_t id = map_get(&c->table_ptrs, (uint64_t)(uintptr_t)t), pos = 0;
	uint64_t h;
	struct strbuf *sb = &c->consts;
	if (id != NO_ID)
		return id;
	h = table_content_hash(t);
	while ((id = map_next(&c->table_hashes, h, &pos)) != NO_ID)
		if (table_equal(c->tables[id].t, t)) {
			map_put(c, &c->table_ptrs, (uint64_t)(uintptr_t)t, id);
			return id;
		}
	c->tables = arena_grow_array(&c->arena, c->tables, sizeof(*c->tables), &c->cap_tables, c->n_tables + 1);
	id = c->n_tables++;
	c->tables[id].t = t;
	map_put(c, &c->table_hashes, h, id);
	map_put(c, &c->table_ptrs, (uint64_t)(uintptr_t)t, id);

	strbuf_addf(sb, "# %s (%zu entries)\n", t->name, t->n);
	switch (t->elem) {
	case IR_T_F64:
		strbuf_addf(sb, "_T%zu = np.array([", id);
		emit_list_f64(sb, t->f64, t->n);
		strbuf_addstr(sb, "\n], dtype=np.float64)\n");
		break;
	case IR_T_STR:
		strbuf_addf(sb, "_T%zu = pa.array([", id);
		for (size_t i = 0; i < t->n; i++) {
			strbuf_addstr(sb, i % 8 == 0 ? "\n    " : " ");
			if (add_pystr(sb, t->str[i], strlen(t->str[i]))) {
				c->failed = 1;
				diag_error(c->diags, NULL, "internal error: numpy emitter: table '%s' holds text that is not UTF-8",
					   t->name);
			}
			strbuf_addch(sb, ',');
		}
		strbuf_addstr(sb, "\n], pa.string())\n");
		break;
	default:
		strbuf_addf(sb, "_T%zu = np.array([", id);
		emit_list_i64(sb, t->i64, t->n);
		strbuf_addstr(sb, "\n], dtype=np.int64)\n");
		break;
	}
	if (t->alias_prob) {
		strbuf_addf(sb, "_T%zu_p = np.array([", id);
		emit_list_f64(sb, t->alias_prob, t->n);
		strbuf_addstr(sb, "\n], dtype=np.float64)\n");
		strbuf_addf(sb, "_T%zu_a = np.array([", id);
		emit_list_i64(sb, t->alias_idx, t->n);
		strbuf_addstr(sb, "\n], dtype=np.int64)\n");
	}
	return id;
}

/* ---------- structural merging ---------- */

static uint64_t node_hash(const struct ir_node *n, const size_t *args, size_t table)
{
	uint64_t h = mix64(((uint64_t)n->op << 32) ^ ((uint64_t)n->type << 16) ^ (uint64_t)(uint32_t)n->scale);
	const struct value *v = &n->value;
	switch (n->op) {
	case IR_CONST:
		h = mix64(h ^ (uint64_t)v->kind);
		if (v->kind == VAL_STRING && v->s)
			h = hash_bytes(v->s, strlen(v->s), h);
		else if (v->kind == VAL_DOUBLE)
			h = hash_bytes(&v->d, sizeof(v->d), h);
		else
			h = mix64(h ^ (uint64_t)v->i ^ ((uint64_t)v->b << 63));
		break;
	case IR_HASH:
		h = mix64(h ^ (uint64_t)n->seed) ^ mix64((uint64_t)n->has_k + ((uint64_t)n->k << 1));
		break;
	case IR_INT_RANGE:
	case IR_AFFINE_MOD:
		h = mix64(h ^ (uint64_t)n->lo) ^ mix64((uint64_t)n->hi + 7) ^ mix64((uint64_t)n->k + 13);
		break;
	case IR_COLUMN:
	case IR_AT_ROW:
		h = mix64(h ^ (uint64_t)(uintptr_t)n->column);
		break;
	default:
		break;
	}
	if (table != NO_ID)
		h = mix64(h ^ (table + 0x9e37));
	for (size_t i = 0; i < n->n_args; i++)
		h = mix64(h + args[i] * 0x100000001b3ULL + i);
	return h;
}

static bool value_equal(const struct value *a, const struct value *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case VAL_NULL: return true;
	case VAL_BOOL: return a->b == b->b;
	case VAL_DOUBLE: return !memcmp(&a->d, &b->d, sizeof(double));
	case VAL_STRING: return a->s && b->s ? !strcmp(a->s, b->s) : a->s == b->s;
	default: return a->i == b->i;
	}
}

static bool node_equal(const struct np_node *x, const struct ir_node *n, const size_t *args, size_t table)
{
	const struct ir_node *m = x->ir;
	if (m->op != n->op || m->type != n->type || m->n_args != n->n_args || x->table != table)
		return false;
	if ((n->type == IR_T_DEC || n->op == IR_ROUND_HALF_UP || n->op == IR_CAST) && m->scale != n->scale)
		return false;
	for (size_t i = 0; i < n->n_args; i++)
		if (x->args[i] != args[i])
			return false;
	switch (n->op) {
	case IR_CONST: return value_equal(&m->value, &n->value);
	case IR_HASH: return m->seed == n->seed && m->has_k == n->has_k && (!n->has_k || m->k == n->k);
	case IR_INT_RANGE: return m->lo == n->lo && m->hi == n->hi;
	case IR_AFFINE_MOD: return m->lo == n->lo && m->hi == n->hi && m->k == n->k;
	case IR_COLUMN:
	case IR_AT_ROW: return m->column == n->column;
	default: return true;
	}
}

static size_t intern(struct np_ctx *c, const struct ir_node *n, int depth)
{
	size_t id = map_get(&c->node_ptrs, (uint64_t)(uintptr_t)n), pos = 0, table = NO_ID;
	size_t *args;
	uint64_t h;
	if (id != NO_ID)
		return id;
	if (depth > 20000) {
		internal(c, "tree too deep", n);
		return 0;
	}
	args = n->n_args ? arena_calloc(&c->arena, n->n_args, sizeof(size_t)) : NULL;
	for (size_t i = 0; i < n->n_args; i++) {
		if (!n->args || !n->args[i]) {
			internal(c, "missing argument", n);
			return 0;
		}
		args[i] = intern(c, n->args[i], depth + 1);
	}
	if (n->op == IR_HASH && n->has_k && n->n_args == 1) {
		/*
		 * H(seed, x, k) is one more XXH64 round over H(seed, x): the argument
		 * becomes that inner hash, so the value draw and every extra draw of a
		 * column share it.
		 */
		struct ir_node *inner = arena_alloc(&c->arena, sizeof(*inner));
		*inner = *n;
		inner->has_k = false;
		inner->k = 0;
		args[0] = intern(c, inner, depth + 1);
	}
	if ((n->op == IR_SEARCH_CUM || n->op == IR_ALIAS_PICK || n->op == IR_ELEMENT)) {
		if (!n->table) {
			internal(c, "missing table", n);
			return 0;
		}
		table = table_id(c, n->table);
	}
	h = node_hash(n, args, table);
	while ((id = map_next(&c->node_hashes, h, &pos)) != NO_ID)
		if (node_equal(&c->nodes[id], n, args, table)) {
			map_put(c, &c->node_ptrs, (uint64_t)(uintptr_t)n, id);
			return id;
		}
	c->nodes = arena_grow_array(&c->arena, c->nodes, sizeof(*c->nodes), &c->cap_nodes, c->n_nodes + 1);
	id = c->n_nodes++;
	memset(&c->nodes[id], 0, sizeof(c->nodes[id]));
	c->nodes[id].ir = n;
	c->nodes[id].args = args;
	c->nodes[id].table = table;
	c->nodes[id].nonnull = -1;
	c->nodes[id].has_range = -1;
	c->nodes[id].mark = NO_ID;
	map_put(c, &c->node_hashes, h, id);
	map_put(c, &c->node_ptrs, (uint64_t)(uintptr_t)n, id);
	return id;
}

/* ---------- static facts: integer ranges and non-NULL values ---------- */

static bool int_range_of(struct np_ctx *c, size_t id, int64_t *lo, int64_t *hi);
static bool nonnull(struct np_ctx *c, size_t id);

static bool arg_range(struct np_ctx *c, const struct np_node *x, size_t i, int64_t *lo, int64_t *hi)
{
	return int_range_of(c, x->args[i], lo, hi);
}

static bool int_range_of(struct np_ctx *c, size_t id, int64_t *lo, int64_t *hi)
{
	struct np_node *x = &c->nodes[id];
	const struct ir_node *n = x->ir;
	int64_t a, b, p, q;
	bool ok = false;
	if (x->has_range >= 0) {
		*lo = x->lo;
		*hi = x->hi;
		return x->has_range == 1;
	}
	x->has_range = 0; /* against cycles while computing */
	switch (n->op) {
	case IR_CONST:
		if ((n->type == IR_T_I64) && n->value.kind == VAL_INT) {
			a = b = n->value.i;
			ok = true;
		}
		break;
	case IR_INT_RANGE:
		a = n->lo;
		b = n->hi;
		ok = n->lo <= n->hi;
		break;
	case IR_SEARCH_CUM:
	case IR_ALIAS_PICK:
		a = 0;
		b = (int64_t)n->table->n - 1;
		ok = n->table->n > 0 && (n->op == IR_SEARCH_CUM || arg_range(c, x, 0, &p, &q));
		break;
	case IR_AFFINE_MOD:
		a = 0;
		b = n->k - 1;
		ok = n->k > 0;
		break;
	case IR_MOD:
		if (arg_range(c, x, 1, &p, &q) && p == q && p > 0) {
			a = 0;
			b = p - 1;
			ok = true;
		}
		break;
	case IR_IDIV:
		if (arg_range(c, x, 1, &p, &q) && p == q && p > 0 && int_range_of(c, x->args[0], &a, &b) && a >= 0) {
			a /= p;
			b /= p;
			ok = true;
		}
		break;
	case IR_ADD:
	case IR_SUB:
		if (n->type == IR_T_I64 && arg_range(c, x, 0, &a, &b) && arg_range(c, x, 1, &p, &q) &&
		    a > -(INT64_C(1) << 61) && b < (INT64_C(1) << 61) && p > -(INT64_C(1) << 61) && q < (INT64_C(1) << 61)) {
			if (n->op == IR_ADD) {
				a += p;
				b += q;
			} else {
				a -= q;
				b -= p;
			}
			ok = true;
		}
		break;
	case IR_IF:
	case IR_CASE: {
		size_t na = n->n_args;
		bool first = true;
		ok = n->type == IR_T_I64;
		for (size_t i = 1; ok && i < na; i += (n->op == IR_IF ? 1 : 2)) {
			if (!arg_range(c, x, i, &p, &q)) {
				ok = false;
				break;
			}
			a = first ? p : (p < a ? p : a);
			b = first ? q : (q > b ? q : b);
			first = false;
		}
		if (ok && n->op == IR_CASE && na % 2 == 1) {
			if (!arg_range(c, x, na - 1, &p, &q))
				ok = false;
			else {
				a = p < a ? p : a;
				b = q > b ? q : b;
			}
		}
		if (first)
			ok = false;
		break;
	}
	default:
		break;
	}
	if (ok) {
		x->has_range = 1;
		x->lo = *lo = a;
		x->hi = *hi = b;
	}
	return ok;
}

static bool all_args_nonnull(struct np_ctx *c, const struct np_node *x)
{
	for (size_t i = 0; i < x->ir->n_args; i++)
		if (!nonnull(c, x->args[i]))
			return false;
	return true;
}

static bool const_nonzero(const struct np_ctx *c, size_t id)
{
	const struct ir_node *n = c->nodes[id].ir;
	if (n->op != IR_CONST || n->value.kind == VAL_NULL)
		return false;
	if (n->value.kind == VAL_DOUBLE)
		return n->value.d != 0;
	if (n->value.kind == VAL_INT)
		return n->value.i != 0;
	return false;
}

static bool nonnull(struct np_ctx *c, size_t id)
{
	struct np_node *x = &c->nodes[id];
	const struct ir_node *n = x->ir;
	bool r = false;
	int64_t lo, hi;
	if (x->nonnull >= 0)
		return x->nonnull == 1;
	x->nonnull = 0; /* against cycles */
	switch (n->op) {
	case IR_ROW: r = true; break;
	case IR_CONST: r = n->value.kind != VAL_NULL; break;
	case IR_IS_NULL: r = true; break;
	case IR_HASH: case IR_UNIT: case IR_INT_RANGE: case IR_AFFINE_MOD: case IR_NOT: case IR_SQRT:
	case IR_EXP: case IR_COS: case IR_POW: case IR_FLOOR: case IR_CEIL: case IR_SEARCH_CUM:
	case IR_LOWER: case IR_UPPER: case IR_LETTERS: case IR_LENGTH: case IR_HEX16: case IR_UUID:
	case IR_CONCAT: case IR_LPAD: case IR_SUBSTR: case IR_EQ: case IR_NE: case IR_LT: case IR_LE:
	case IR_GT: case IR_GE: case IR_AND: case IR_OR: case IR_TO_DATE: case IR_TO_TS: case IR_DATE_ADD:
	case IR_DATEDIFF:
		r = all_args_nonnull(c, x);
		break;
	case IR_ADD: case IR_SUB: case IR_MUL: case IR_NEG: case IR_ABS:
		r = n->type != IR_T_DEC && all_args_nonnull(c, x);
		break;
	case IR_ROUND_HALF_UP:
		r = n->type != IR_T_DEC && all_args_nonnull(c, x);
		break;
	case IR_DIV: case IR_IDIV: case IR_MOD: case IR_REM:
		r = const_nonzero(c, x->args[1]) && all_args_nonnull(c, x);
		break;
	case IR_CAST:
	case IR_TO_STR: {
		enum ir_type from = n->args[0]->type, to = n->op == IR_TO_STR ? IR_T_STR : n->type;
		bool can_fail = to == IR_T_DEC || (to == IR_T_STR && (from == IR_T_DATE || from == IR_T_TS));
		if (to == IR_T_DEC && from == IR_T_DEC && n->scale <= n->args[0]->scale)
			can_fail = false;
		r = !can_fail && all_args_nonnull(c, x);
		break;
	}
	case IR_IF:
		r = n->n_args == 3 && nonnull(c, x->args[1]) && nonnull(c, x->args[2]);
		break;
	case IR_CASE:
		r = n->n_args % 2 == 1;
		for (size_t i = 1; r && i < n->n_args; i += 2)
			r = nonnull(c, x->args[i]);
		if (r)
			r = nonnull(c, x->args[n->n_args - 1]);
		break;
	case IR_COALESCE:
	case IR_LEAST:
	case IR_GREATEST:
		for (size_t i = 0; i < n->n_args && !r; i++)
			r = nonnull(c, x->args[i]);
		break;
	case IR_ELEMENT:
	case IR_ALIAS_PICK:
		r = all_args_nonnull(c, x) && int_range_of(c, x->args[0], &lo, &hi) && lo >= 0 &&
		    (uint64_t)hi < (uint64_t)n->table->n;
		break;
	case IR_COLUMN: {
		const struct ir_program *p = &c->progs[c->prog];
		if (n->column && n->column->table == p->table && n->column->index < p->n_columns)
			r = nonnull(c, c->roots[n->column->index]);
		break;
	}
	default:
		r = false;
		break;
	}
	x->nonnull = r ? 1 : 0;
	return r;
}

/* ---------- statements ---------- */

/* A value in the function being written: Python expressions of the value and its validity. */
struct vref {
	char v[64];
	char m[64];
	enum ir_type type;
	int scale;
};

static bool never_null(const struct vref *r)
{
	return !strcmp(r->m, "None");
}

static struct vref ref_of(struct np_ctx *c, size_t id)
{
	struct vref r;
	const struct ir_node *n = c->nodes[id].ir;
	r.type = n->type;
	r.scale = n->type == IR_T_DEC ? n->scale : 0;
	if (n->op == IR_ROW) {
		snprintf(r.v, sizeof(r.v), "F.row");
		snprintf(r.m, sizeof(r.m), "None");
	} else if (n->op == IR_CONST) {
		struct strbuf sb = STRBUF_INIT;
		if (const_text(&sb, n))
			internal(c, "constant the type cannot hold", n);
		snprintf(r.v, sizeof(r.v), "_K%zu", const_id(c, sb.buf));
		snprintf(r.m, sizeof(r.m), "%s", n->value.kind == VAL_NULL ? "np.False_" : "None");
		strbuf_release(&sb);
	} else {
		snprintf(r.v, sizeof(r.v), "v%zu", id);
		snprintf(r.m, sizeof(r.m), "%s", nonnull(c, id) ? "None" : "m");
		if (r.m[0] == 'm')
			snprintf(r.m, sizeof(r.m), "m%zu", id);
	}
	return r;
}

/* Appends "_rt_mand(a, b, ...)" of the maybe-NULL masks, or "None". */
static void add_mand(struct strbuf *sb, const struct vref *const *refs, size_t n, const char *extra)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!never_null(refs[i]))
			k++;
	if (extra)
		k++;
	if (k == 0) {
		strbuf_addstr(sb, "None");
		return;
	}
	if (k == 1) {
		if (extra) {
			strbuf_addstr(sb, extra);
			return;
		}
		for (size_t i = 0; i < n; i++)
			if (!never_null(refs[i]))
				strbuf_addstr(sb, refs[i]->m);
		return;
	}
	strbuf_addstr(sb, "_rt_mand(");
	k = 0;
	if (extra) {
		strbuf_addstr(sb, extra);
		k++;
	}
	for (size_t i = 0; i < n; i++)
		if (!never_null(refs[i])) {
			strbuf_addf(sb, "%s%s", k ? ", " : "", refs[i]->m);
			k++;
		}
	strbuf_addch(sb, ')');
}

/* Converts r to `to` (and scale) by the CAST rules, through a temporary when needed. */
static struct vref conv(struct np_ctx *c, const struct vref *r, enum ir_type to, int scale)
{
	struct vref o = *r;
	size_t t;
	bool can_fail;
	if (r->type == to && (to != IR_T_DEC || r->scale == scale))
		return o;
	t = c->tmp++;
	can_fail = to == IR_T_DEC || (to == IR_T_STR && (r->type == IR_T_DATE || r->type == IR_T_TS));
	if (to == IR_T_DEC && r->type == IR_T_DEC && scale <= r->scale)
		can_fail = false;
	snprintf(o.v, sizeof(o.v), "t%zu", t);
	o.type = to;
	o.scale = to == IR_T_DEC ? scale : 0;
	if (!can_fail) {
		strbuf_addf(c->body, "    t%zu = _rt_cast(%s, '%s', '%s', %d, %d)[0]\n", t, r->v, tname(r->type), tname(to),
			    r->scale, o.scale);
		return o;
	}
	snprintf(o.m, sizeof(o.m), "tm%zu", t);
	strbuf_addf(c->body, "    t%zu, tm%zu = _rt_cast(%s, '%s', '%s', %d, %d)\n", t, t, r->v, tname(r->type), tname(to),
		    r->scale, o.scale);
	if (!never_null(r))
		strbuf_addf(c->body, "    tm%zu = _rt_mand(tm%zu, %s)\n", t, t, r->m);
	return o;
}

static void emit_node_fn(struct np_ctx *c, size_t id);

/* Emits the statements computing node `id` (and what it needs) into the current function. */
static void emit_needed(struct np_ctx *c, size_t id, size_t self)
{
	struct np_node *x = &c->nodes[id];
	if (x->ir->op == IR_ROW || x->ir->op == IR_CONST || x->mark == c->stamp)
		return;
	x->mark = c->stamp;
	if (x->shared && id != self) {
		strbuf_addf(c->body, "    v%zu, m%zu = F.col(_s%zu_%zu)\n", id, id, c->prog, id);
		return;
	}
	for (size_t i = 0; i < x->ir->n_args; i++)
		emit_needed(c, x->args[i], self);
	emit_node_fn(c, id);
}

static const char *cmp_name(enum ir_op op)
{
	switch (op) {
	case IR_EQ: return "eq";
	case IR_NE: return "ne";
	case IR_LT: return "lt";
	case IR_LE: return "le";
	case IR_GT: return "gt";
	default: return "ge";
	}
}

static const char *cmp_sym(enum ir_op op)
{
	switch (op) {
	case IR_EQ: return "==";
	case IR_NE: return "!=";
	case IR_LT: return "<";
	case IR_LE: return "<=";
	case IR_GT: return ">";
	default: return ">=";
	}
}

static bool is_const_plain_f64(const struct np_ctx *c, size_t id)
{
	const struct ir_node *n = c->nodes[id].ir;
	if (n->op != IR_CONST || n->value.kind == VAL_NULL || n->type != IR_T_F64)
		return false;
	return n->value.kind != VAL_DOUBLE || !isnan(n->value.d);
}

static bool is_null_const(const struct np_ctx *c, size_t id)
{
	const struct ir_node *n = c->nodes[id].ir;
	return n->op == IR_CONST && n->value.kind == VAL_NULL;
}

static const char *date_part_name(enum ir_op op)
{
	switch (op) {
	case IR_YEAR: return "year";
	case IR_MONTH: return "month";
	case IR_DAY: return "day";
	case IR_DAYOFWEEK: return "dayofweek";
	case IR_DAYOFYEAR: return "dayofyear";
	case IR_QUARTER: return "quarter";
	case IR_WEEKOFYEAR: return "weekofyear";
	case IR_HOUR: return "hour";
	case IR_MINUTE: return "minute";
	default: return "second";
	}
}

/* "[a, b, c]" of the values or masks of refs. */
static void add_list(struct strbuf *sb, struct vref *refs, size_t n, bool masks)
{
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", masks ? refs[i].m : refs[i].v);
	strbuf_addch(sb, ']');
}

/* The column function name of column `col` (any program). */
static void add_col_fn(struct strbuf *sb, const struct column *col)
{
	strbuf_addf(sb, "_c%zu_%zu", col->table->index, col->index);
}

static void emit_node_fn(struct np_ctx *c, size_t id)
{
	struct np_node *x = &c->nodes[id];
	const struct ir_node *n = x->ir;
	struct strbuf *b = c->body;
	size_t na = n->n_args;
	struct vref a[8], *av = a, out = ref_of(c, id);
	const struct vref *ptrs[8], **pp = ptrs;
	bool nn = nonnull(c, id);
	enum ir_type t = n->type;
	int s = t == IR_T_DEC ? n->scale : 0;
	const char *V = out.v;
	char M[64];

	snprintf(M, sizeof(M), "m%zu", id);
	if (na > 8) {
		av = arena_calloc(&c->arena, na, sizeof(*av));
		pp = arena_calloc(&c->arena, na, sizeof(*pp));
	}
	for (size_t i = 0; i < na; i++) {
		av[i] = ref_of(c, x->args[i]);
		pp[i] = &av[i];
	}

	/* mask of an op that is NULL when an argument is (after conversions in av) */
#define MASK_ALL() do { if (!nn) { strbuf_addf(b, "    %s = ", M); add_mand(b, pp, na, NULL); strbuf_addch(b, '\n'); } } while (0)
#define MASK_NEW() do { if (!nn) { strbuf_addf(b, "    %s = ", M); add_mand(b, pp, na, M); strbuf_addch(b, '\n'); } } while (0)

	switch (n->op) {
	case IR_HASH: {
		uint64_t key = cell_key(n->seed);
		if (na != 1 || !is_intk(av[0].type))
			goto bad;
		if (n->has_k) /* av[0] is the inner hash H(seed, x) */
			strbuf_addf(b, "    %s = _rt_hash_k(%s, %" PRId64 ")\n", V, av[0].v, n->k);
		else if (c->nodes[x->args[0]].ir->op == IR_ROW)
			strbuf_addf(b, "    %s = _rt_hash_row(F, %" PRIu64 ")\n", V, key);
		else
			strbuf_addf(b, "    %s = _rt_hash(%s, %" PRIu64 ")\n", V, av[0].v, key);
		MASK_ALL();
		return;
	}
	case IR_UNIT:
		if (na != 1 || !is_intk(av[0].type))
			goto bad;
		strbuf_addf(b, "    %s = _rt_unit(%s)\n", V, av[0].v);
		MASK_ALL();
		return;
	case IR_INT_RANGE:
		if (na != 1 || !is_intk(av[0].type) || n->lo > n->hi)
			goto bad;
		strbuf_addf(b, "    %s = _rt_int_range(%s, %" PRId64 ", %" PRId64 ")\n", V, av[0].v, n->lo, n->hi);
		MASK_ALL();
		return;
	case IR_ADD:
	case IR_SUB:
	case IR_MUL: {
		const char *sym = n->op == IR_ADD ? "+" : n->op == IR_SUB ? "-" : "*";
		if (na != 2)
			goto bad;
		if (t == IR_T_F64) {
			av[0] = conv(c, &av[0], IR_T_F64, 0);
			av[1] = conv(c, &av[1], IR_T_F64, 0);
		} else if (t == IR_T_DEC) {
			const char *opn = n->op == IR_ADD ? "add" : n->op == IR_SUB ? "sub" : "mul";
			for (int i = 0; i < 2; i++) {
				if (av[i].type == IR_T_BOOL || av[i].type == IR_T_F64 || av[i].type == IR_T_STR)
					av[i] = conv(c, &av[i], IR_T_DEC, av[i].type == IR_T_F64 ? s : 0);
			}
			strbuf_addf(b, "    %s, %s = _rt_dec_arith('%s', %s, %d, %s, %d, %d)\n", V, M, opn, av[0].v,
				    av[0].type == IR_T_DEC ? av[0].scale : 0, av[1].v, av[1].type == IR_T_DEC ? av[1].scale : 0, s);
			MASK_NEW();
			return;
		} else if (is_intk(t)) {
			for (int i = 0; i < 2; i++) {
				if (av[i].type == IR_T_BOOL)
					av[i] = conv(c, &av[i], IR_T_I64, 0);
				else if (!is_intk(av[i].type))
					goto bad;
			}
		} else {
			goto bad;
		}
		strbuf_addf(b, "    %s = %s %s %s\n", V, av[0].v, sym, av[1].v);
		MASK_ALL();
		return;
	}
	case IR_DIV:
		if (na != 2)
			goto bad;
		av[0] = conv(c, &av[0], IR_T_F64, 0);
		av[1] = conv(c, &av[1], IR_T_F64, 0);
		if (nn) {
			strbuf_addf(b, "    %s = %s / %s\n", V, av[0].v, av[1].v);
			return;
		}
		strbuf_addf(b, "    %s, %s = _rt_div(%s, %s)\n", V, M, av[0].v, av[1].v);
		MASK_NEW();
		return;
	case IR_IDIV:
	case IR_MOD:
	case IR_REM: {
		const char *fn = n->op == IR_IDIV ? "_rt_idiv" : n->op == IR_MOD ? "_rt_pmod" : "_rt_rem";
		if (na != 2)
			goto bad;
		if (t == IR_T_F64 && n->op != IR_IDIV) {
			av[0] = conv(c, &av[0], IR_T_F64, 0);
			av[1] = conv(c, &av[1], IR_T_F64, 0);
			fn = n->op == IR_MOD ? "_rt_pmod_f64" : "_rt_rem_f64";
		} else if (is_intk(t)) {
			for (int i = 0; i < 2; i++)
				if (!is_intk(av[i].type))
					goto bad;
		} else {
			goto bad;
		}
		strbuf_addf(b, "    %s, %s = %s(%s, %s)\n", V, M, fn, av[0].v, av[1].v);
		if (nn)
			return;
		MASK_NEW();
		return;
	}
	case IR_AFFINE_MOD:
		if (na != 1 || !is_intk(av[0].type) || n->k <= 0 || n->lo < 0 || n->hi < 0)
			goto bad;
		strbuf_addf(b, "    %s = _rt_affine_mod(%s, %" PRId64 ", %" PRId64 ", %" PRId64 ")\n", V, av[0].v, n->lo,
			    n->hi, n->k);
		MASK_ALL();
		return;
	case IR_NEG:
	case IR_ABS:
		if (na != 1)
			goto bad;
		if (t == IR_T_F64 || t == IR_T_DEC || av[0].type == IR_T_BOOL)
			av[0] = conv(c, &av[0], t == IR_T_BOOL ? IR_T_I64 : t, s);
		if (t == IR_T_DEC) {
			strbuf_addf(b, "    %s, %s = %s(%s)\n", V, M, n->op == IR_NEG ? "_rt_neg_dec" : "_rt_abs_dec", av[0].v);
			MASK_NEW();
			return;
		}
		if (t != IR_T_F64 && !is_intk(t))
			goto bad;
		strbuf_addf(b, "    %s = %s(%s)\n", V, n->op == IR_NEG ? "np.negative" : "np.abs", av[0].v);
		MASK_ALL();
		return;
	case IR_EQ: case IR_NE: case IR_LT: case IR_LE: case IR_GT: case IR_GE: {
		enum ir_type ta, tb;
		if (na != 2)
			goto bad;
		ta = av[0].type;
		tb = av[1].type;
		if (ta == IR_T_STR || tb == IR_T_STR) {
			av[0] = conv(c, &av[0], IR_T_STR, 0);
			av[1] = conv(c, &av[1], IR_T_STR, 0);
			strbuf_addf(b, "    %s = _rt_cmp_str('%s', %s, %s)\n", V, cmp_name(n->op), av[0].v, av[1].v);
		} else if (ta == IR_T_F64 || tb == IR_T_F64) {
			bool plain_rhs = is_const_plain_f64(c, x->args[1]) || (tb != IR_T_F64 && tb != IR_T_DEC);
			bool plain_lhs = is_const_plain_f64(c, x->args[0]) || (ta != IR_T_F64 && ta != IR_T_DEC);
			av[0] = conv(c, &av[0], IR_T_F64, 0);
			av[1] = conv(c, &av[1], IR_T_F64, 0);
			/* with a non-NaN side, numpy's comparison is Spark's for these */
			if ((plain_rhs && (n->op == IR_LT || n->op == IR_LE || n->op == IR_EQ || n->op == IR_NE)) ||
			    (plain_lhs && (n->op == IR_GT || n->op == IR_GE || n->op == IR_EQ || n->op == IR_NE)))
				strbuf_addf(b, "    %s = %s %s %s\n", V, av[0].v, cmp_sym(n->op), av[1].v);
			else
				strbuf_addf(b, "    %s = _rt_cmp_f64('%s', %s, %s)\n", V, cmp_name(n->op), av[0].v, av[1].v);
		} else if (ta == IR_T_DEC || tb == IR_T_DEC) {
			int sa = ta == IR_T_DEC ? av[0].scale : 0, sb = tb == IR_T_DEC ? av[1].scale : 0;
			if (!is_intk(ta) && ta != IR_T_DEC)
				goto bad;
			if (!is_intk(tb) && tb != IR_T_DEC)
				goto bad;
			if (sa == sb)
				strbuf_addf(b, "    %s = %s %s %s\n", V, av[0].v, cmp_sym(n->op), av[1].v);
			else
				strbuf_addf(b, "    %s = _rt_cmp_dec('%s', %s, %d, %s, %d)\n", V, cmp_name(n->op), av[0].v, sa,
					    av[1].v, sb);
		} else if (is_intk(ta) && is_intk(tb)) {
			if (ta == IR_T_DATE && tb == IR_T_TS)
				av[0] = conv(c, &av[0], IR_T_TS, 0);
			else if (ta == IR_T_TS && tb == IR_T_DATE)
				av[1] = conv(c, &av[1], IR_T_TS, 0);
			strbuf_addf(b, "    %s = %s %s %s\n", V, av[0].v, cmp_sym(n->op), av[1].v);
		} else {
			goto bad;
		}
		MASK_ALL();
		return;
	}
	case IR_AND:
	case IR_OR:
		if (na < 1)
			goto bad;
		for (size_t i = 0; i < na; i++)
			if (av[i].type != IR_T_BOOL)
				av[i] = conv(c, &av[i], IR_T_BOOL, 0);
		if (nn) {
			strbuf_addf(b, "    %s = ", V);
			for (size_t i = 0; i < na; i++)
				strbuf_addf(b, "%s%s", i ? (n->op == IR_AND ? " & " : " | ") : "", av[i].v);
			strbuf_addch(b, '\n');
			return;
		}
		strbuf_addf(b, "    %s, %s = %s(", V, M, n->op == IR_AND ? "_rt_and" : "_rt_or");
		add_list(b, av, na, false);
		strbuf_addstr(b, ", ");
		add_list(b, av, na, true);
		strbuf_addstr(b, ")\n");
		return;
	case IR_NOT:
		if (na != 1)
			goto bad;
		if (av[0].type != IR_T_BOOL)
			av[0] = conv(c, &av[0], IR_T_BOOL, 0);
		strbuf_addf(b, "    %s = np.logical_not(%s)\n", V, av[0].v);
		MASK_ALL();
		return;
	case IR_IS_NULL:
		if (na != 1)
			goto bad;
		strbuf_addf(b, "    %s = _rt_is_null(%s)\n", V, av[0].m);
		return;
	case IR_IF:
	case IR_CASE:
	case IR_COALESCE: {
		size_t first = n->op == IR_IF ? 1 : n->op == IR_CASE ? 1 : 0;
		size_t step = n->op == IR_CASE ? 2 : 1;
		if ((n->op == IR_IF && na != 3) || na < 1)
			goto bad;
		for (size_t i = first; i < na; i += step)
			av[i] = conv(c, &av[i], t, s);
		if (n->op == IR_CASE && na % 2 == 1)
			av[na - 1] = conv(c, &av[na - 1], t, s);
		for (size_t i = 0; n->op != IR_COALESCE && i < na; i++) {
			bool is_cond = n->op == IR_IF ? i == 0 : (i % 2 == 0 && i + 1 < na);
			if (is_cond && av[i].type != IR_T_BOOL)
				av[i] = conv(c, &av[i], IR_T_BOOL, 0);
		}
		if (n->op == IR_IF) {
			bool null1 = is_null_const(c, x->args[1]), null2 = is_null_const(c, x->args[2]);
			if (null1 || null2) {
				/* the NULL draw's shape, if(c, NULL, v): v, with a mask and no select */
				const struct vref *keep = null1 ? &av[2] : &av[1];
				struct strbuf cond = STRBUF_INIT;
				strbuf_addf(b, "    %s = %s\n", V, keep->v);
				if (null1 && null2) {
					strbuf_addf(b, "    %s = np.False_\n", M);
					return;
				}
				if (never_null(&av[0]))
					strbuf_addstr(&cond, av[0].v);
				else
					strbuf_addf(&cond, "_rt_true(%s, %s)", av[0].v, av[0].m);
				if (null1)
					strbuf_addf(b, "    %s = np.logical_not(%s)\n", M, cond.buf);
				else
					strbuf_addf(b, "    %s = %s\n", M, cond.buf);
				if (!never_null(keep))
					strbuf_addf(b, "    %s = _rt_mand(%s, %s)\n", M, M, keep->m);
				strbuf_release(&cond);
				return;
			}
			if (never_null(&av[0]) && never_null(&av[1]) && never_null(&av[2]) && t != IR_T_STR) {
				strbuf_addf(b, "    %s = np.where(%s, %s, %s)\n", V, av[0].v, av[1].v, av[2].v);
				if (!nn)
					strbuf_addf(b, "    %s = None\n", M);
				return;
			}
			strbuf_addf(b, "    %s, %s = _rt_if(%s, %s, %s, %s, %s, %s, '%s')\n", V, M, av[0].v, av[0].m, av[1].v,
				    av[1].m, av[2].v, av[2].m, tname(t));
			return;
		}
		if (n->op == IR_CASE) {
			size_t pairs = na / 2;
			strbuf_addf(b, "    %s, %s = _rt_case([", V, M);
			for (size_t i = 0; i < pairs; i++)
				strbuf_addf(b, "%s%s", i ? ", " : "", av[2 * i].v);
			strbuf_addstr(b, "], [");
			for (size_t i = 0; i < pairs; i++)
				strbuf_addf(b, "%s%s", i ? ", " : "", av[2 * i].m);
			strbuf_addstr(b, "], [");
			for (size_t i = 0; i < pairs; i++)
				strbuf_addf(b, "%s%s", i ? ", " : "", av[2 * i + 1].v);
			if (na % 2 == 1)
				strbuf_addf(b, ", %s", av[na - 1].v);
			strbuf_addstr(b, "], [");
			for (size_t i = 0; i < pairs; i++)
				strbuf_addf(b, "%s%s", i ? ", " : "", av[2 * i + 1].m);
			if (na % 2 == 1)
				strbuf_addf(b, ", %s", av[na - 1].m);
			strbuf_addf(b, "], '%s')\n", tname(t));
			return;
		}
		strbuf_addf(b, "    %s, %s = _rt_coalesce(", V, M);
		add_list(b, av, na, false);
		strbuf_addstr(b, ", ");
		add_list(b, av, na, true);
		strbuf_addf(b, ", '%s')\n", tname(t));
		return;
	}
	case IR_LEAST:
	case IR_GREATEST:
		if (na < 1)
			goto bad;
		for (size_t i = 0; i < na; i++)
			av[i] = conv(c, &av[i], t, s);
		strbuf_addf(b, "    %s, %s = _rt_least_greatest(", V, M);
		add_list(b, av, na, false);
		strbuf_addstr(b, ", ");
		add_list(b, av, na, true);
		strbuf_addf(b, ", '%s', %s)\n", tname(t), n->op == IR_GREATEST ? "True" : "False");
		return;
	case IR_FLOOR:
	case IR_CEIL:
		if (na != 1 || !is_intk(t))
			goto bad;
		if (av[0].type == IR_T_F64)
			strbuf_addf(b, "    %s = _rt_d2l(np.%s(%s))\n", V, n->op == IR_FLOOR ? "floor" : "ceil", av[0].v);
		else if (av[0].type == IR_T_DEC || is_intk(av[0].type))
			strbuf_addf(b, "    %s = _rt_%s_i64(%s, '%s', %d)\n", V, n->op == IR_FLOOR ? "floor" : "ceil", av[0].v,
				    tname(av[0].type), av[0].scale);
		else
			goto bad;
		MASK_ALL();
		return;
	case IR_SQRT:
	case IR_EXP:
	case IR_COS:
		if (na != 1)
			goto bad;
		av[0] = conv(c, &av[0], IR_T_F64, 0);
		strbuf_addf(b, "    %s = np.%s(%s)\n", V, n->op == IR_SQRT ? "sqrt" : n->op == IR_EXP ? "exp" : "cos", av[0].v);
		MASK_ALL();
		return;
	case IR_LN:
		if (na != 1)
			goto bad;
		av[0] = conv(c, &av[0], IR_T_F64, 0);
		strbuf_addf(b, "    %s, %s = _rt_ln(%s)\n", V, M, av[0].v);
		MASK_NEW();
		return;
	case IR_POW:
		if (na != 2)
			goto bad;
		av[0] = conv(c, &av[0], IR_T_F64, 0);
		av[1] = conv(c, &av[1], IR_T_F64, 0);
		strbuf_addf(b, "    %s = _rt_pow(%s, %s)\n", V, av[0].v, av[1].v);
		MASK_ALL();
		return;
	case IR_ROUND_HALF_UP:
		if (na != 1 || (t != IR_T_F64 && t != IR_T_DEC && t != IR_T_I64) || n->scale > 38 || n->scale < -38)
			goto bad;
		av[0] = conv(c, &av[0], IR_T_F64, 0);
		strbuf_addf(b, "    %s, %s = _rt_round_half_up(%s, %d, '%s')\n", V, M, av[0].v, n->scale, tname(t));
		MASK_NEW();
		return;
	case IR_CAST:
	case IR_TO_STR: {
		enum ir_type to = n->op == IR_TO_STR ? IR_T_STR : t;
		struct vref r;
		if (na != 1)
			goto bad;
		if (to != IR_T_STR && to != av[0].type && av[0].type == IR_T_STR) {
			const struct ir_node *a0 = c->nodes[x->args[0]].ir;
			/* a NULL literal reaches here as an untyped (string) NULL: the typed NULL */
			if (a0->op != IR_CONST || a0->value.kind != VAL_NULL)
				return (void)internal(c, "cast from str is not supported", n);
			strbuf_addf(b, "    %s = %s\n", V, t == IR_T_BOOL ? "np.False_" : t == IR_T_F64 ? "np.float64(0.0)"
							      : "np.int64(0)");
			strbuf_addf(b, "    %s = np.False_\n", M);
			return;
		}
		r = conv(c, &av[0], to, s);
		strbuf_addf(b, "    %s = %s\n", V, r.v);
		if (!nn)
			strbuf_addf(b, "    %s = %s\n", M, r.m);
		return;
	}
	case IR_SEARCH_CUM:
		if (na != 1 || n->table->elem != IR_T_F64 || n->table->n == 0)
			goto bad;
		av[0] = conv(c, &av[0], IR_T_F64, 0);
		strbuf_addf(b, "    %s = _rt_search_cum(%s, _T%zu)\n", V, av[0].v, x->table);
		MASK_ALL();
		return;
	case IR_ALIAS_PICK:
		if (na != 2 || !n->table->alias_prob || !is_intk(av[0].type))
			goto bad;
		av[1] = conv(c, &av[1], IR_T_F64, 0);
		if (nn) {
			strbuf_addf(b, "    %s = np.where(%s < _T%zu_p[%s], %s, _T%zu_a[%s])\n", V, av[1].v, x->table, av[0].v,
				    av[0].v, x->table, av[0].v);
			return;
		}
		strbuf_addf(b, "    %s, %s = _rt_alias_pick(%s, %s, _T%zu_p, _T%zu_a)\n", V, M, av[0].v, av[1].v, x->table,
			    x->table);
		MASK_NEW();
		return;
	case IR_ELEMENT: {
		enum ir_type e = n->table->elem;
		if (na != 1 || !is_intk(av[0].type))
			goto bad;
		if (e == IR_T_STR ? t != IR_T_STR : e == IR_T_F64 ? t != IR_T_F64 : !is_intk(t) && t != IR_T_DEC)
			goto bad;
		if (nn && e != IR_T_STR)
			strbuf_addf(b, "    %s = _T%zu[%s]\n", V, x->table, av[0].v);
		else if (nn)
			strbuf_addf(b, "    %s = _rt_element(%s, _T%zu)[0]\n", V, av[0].v, x->table);
		else
			strbuf_addf(b, "    %s, %s = _rt_element(%s, _T%zu)\n", V, M, av[0].v, x->table);
		if (t == IR_T_BOOL)
			strbuf_addf(b, "    %s = np.not_equal(%s, 0)\n", V, V);
		if (!nn)
			MASK_NEW();
		return;
	}
	case IR_CONCAT:
		for (size_t i = 0; i < na; i++)
			av[i] = conv(c, &av[i], IR_T_STR, 0);
		strbuf_addf(b, "    %s = _rt_concat(", V);
		add_list(b, av, na, false);
		strbuf_addstr(b, ")\n");
		MASK_ALL();
		return;
	case IR_LOWER:
	case IR_UPPER:
	case IR_LETTERS:
		if (na != 1)
			goto bad;
		av[0] = conv(c, &av[0], IR_T_STR, 0);
		strbuf_addf(b, "    %s = _rt_%s(%s)\n", V, n->op == IR_LOWER ? "lower" : n->op == IR_UPPER ? "upper" : "letters",
			    av[0].v);
		MASK_ALL();
		return;
	case IR_LENGTH:
		if (na != 1 || av[0].type != IR_T_STR)
			goto bad;
		strbuf_addf(b, "    %s = _rt_length(%s)\n", V, av[0].v);
		MASK_ALL();
		return;
	case IR_LPAD:
		if (na < 2 || na > 3 || av[0].type != IR_T_STR || !is_intk(av[1].type) || (na == 3 && av[2].type != IR_T_STR))
			goto bad;
		strbuf_addf(b, "    %s = _rt_lpad(%s, %s, %s)\n", V, av[0].v, av[1].v, na == 3 ? av[2].v : "' '");
		MASK_ALL();
		return;
	case IR_SUBSTR:
		if (na < 2 || na > 3 || av[0].type != IR_T_STR || !is_intk(av[1].type) || (na == 3 && !is_intk(av[2].type)))
			goto bad;
		strbuf_addf(b, "    %s = _rt_substr(%s, %s, %s)\n", V, av[0].v, av[1].v, na == 3 ? av[2].v : "_I64_MAX");
		MASK_ALL();
		return;
	case IR_HEX16:
		if (na != 1 || !is_intk(av[0].type))
			goto bad;
		strbuf_addf(b, "    %s = _rt_hex16(%s)\n", V, av[0].v);
		MASK_ALL();
		return;
	case IR_UUID:
		if (na != 2 || !is_intk(av[0].type) || !is_intk(av[1].type))
			goto bad;
		strbuf_addf(b, "    %s = _rt_uuid(%s, %s)\n", V, av[0].v, av[1].v);
		MASK_ALL();
		return;
	case IR_YEAR: case IR_MONTH: case IR_DAY: case IR_DAYOFWEEK: case IR_DAYOFYEAR: case IR_QUARTER:
	case IR_WEEKOFYEAR: case IR_HOUR: case IR_MINUTE: case IR_SECOND:
		if (na != 1 || (av[0].type != IR_T_DATE && av[0].type != IR_T_TS) || !is_intk(t))
			goto bad;
		strbuf_addf(b, "    %s, %s = _rt_datepart('%s', %s, '%s')\n", V, M, date_part_name(n->op), av[0].v,
			    tname(av[0].type));
		MASK_NEW();
		return;
	case IR_MAKE_DATE:
		if (na != 3)
			goto bad;
		for (size_t i = 0; i < 3; i++)
			if (!is_intk(av[i].type))
				goto bad;
		strbuf_addf(b, "    %s, %s = _rt_make_date(%s, %s, %s)\n", V, M, av[0].v, av[1].v, av[2].v);
		MASK_NEW();
		return;
	case IR_DATE_ADD:
		if (na != 2 || (av[0].type != IR_T_DATE && av[0].type != IR_T_TS) || !is_intk(av[1].type))
			goto bad;
		if (av[1].type == IR_T_BOOL)
			av[1] = conv(c, &av[1], IR_T_I64, 0);
		strbuf_addf(b, "    %s = _rt_days_of(%s, '%s') + %s\n", V, av[0].v, tname(av[0].type), av[1].v);
		MASK_ALL();
		return;
	case IR_DATEDIFF:
		if (na != 2 || (av[0].type != IR_T_DATE && av[0].type != IR_T_TS) ||
		    (av[1].type != IR_T_DATE && av[1].type != IR_T_TS))
			goto bad;
		strbuf_addf(b, "    %s = _rt_days_of(%s, '%s') - _rt_days_of(%s, '%s')\n", V, av[0].v, tname(av[0].type),
			    av[1].v, tname(av[1].type));
		MASK_ALL();
		return;
	case IR_TO_DATE:
	case IR_TO_TS:
		if (na != 1 || (av[0].type != IR_T_DATE && av[0].type != IR_T_TS))
			goto bad;
		if (n->op == IR_TO_DATE)
			strbuf_addf(b, "    %s = _rt_days_of(%s, '%s')\n", V, av[0].v, tname(av[0].type));
		else if (av[0].type == IR_T_DATE)
			strbuf_addf(b, "    %s = %s * np.int64(86400)\n", V, av[0].v);
		else
			strbuf_addf(b, "    %s = %s\n", V, av[0].v);
		MASK_ALL();
		return;
	case IR_COLUMN: {
		const struct ir_program *p = &c->progs[c->prog];
		if (!n->column || n->column->table != p->table || n->column->index >= p->n_columns)
			goto bad;
		strbuf_addf(b, "    %s, %s = F.col(", V, M);
		add_col_fn(b, n->column);
		strbuf_addstr(b, ")\n");
		return;
	}
	case IR_AT_ROW: {
		const struct column *col = n->column;
		if (na != 1 || !col || !is_intk(av[0].type) || col->table->index >= c->plan->n_tables ||
		    col->index >= c->progs[col->table->index].n_columns)
			goto bad;
		strbuf_addf(b, "    %s, %s = _rt_at_row(F, (%zu, %zu), ", V, M, x->args[0], col->table->index);
		add_col_fn(b, col);
		strbuf_addf(b, ", %s, %s)\n", av[0].v, av[0].m);
		return;
	}
	case IR_ROW:
	case IR_CONST:
	case IR__COUNT:
		break;
	}
bad:
	internal(c, "an op with these arguments cannot be rendered", n);
#undef MASK_ALL
#undef MASK_NEW
}

/* One function computing node `id` for a frame: a column's (col != NO_ID) or a shared node's. */
static void emit_function(struct np_ctx *c, size_t id, size_t col)
{
	const struct ir_program *p = &c->progs[c->prog];
	struct strbuf body = STRBUF_INIT;
	struct vref r;
	c->body = &body;
	c->tmp = 0;
	c->stamp++;
	if (col != NO_ID) {
		const struct ir_column *ic = &p->columns[col];
		const struct ir_node *v = c->nodes[id].ir;
		/* as the native evaluator: a program whose value is not of the column's type is malformed */
		if (v->type != ic->type || (ic->type == IR_T_DEC && v->scale != ic->scale)) {
			c->failed = 1;
			diag_error(c->diags, &ic->column->loc,
				   "internal error: numpy emitter: the value of column '%s.%s' is %s (scale %d), the column %s (scale %d)",
				   p->table->name, ic->column->name, tname(v->type), v->type == IR_T_DEC ? v->scale : 0,
				   tname(ic->type), ic->type == IR_T_DEC ? ic->scale : 0);
			strbuf_release(&body);
			c->body = NULL;
			return;
		}
		strbuf_addf(c->out, "def _c%zu_%zu(F):  # %s.%s\n", c->prog, col, p->table->name, ic->column->name);
		emit_needed(c, id, NO_ID);
		r = ref_of(c, id);
		r = conv(c, &r, ic->type, ic->type == IR_T_DEC ? ic->scale : 0);
	} else {
		strbuf_addf(c->out, "def _s%zu_%zu(F):\n", c->prog, id);
		emit_needed(c, id, id);
		r = ref_of(c, id);
	}
	strbuf_add(c->out, body.buf, body.len);
	strbuf_addf(c->out, "    return %s, %s\n\n\n", r.v, r.m);
	strbuf_release(&body);
	c->body = NULL;
}

/* Counts, for every node, the columns whose program contains it. */
static void count_uses(struct np_ctx *c, size_t id, size_t col)
{
	struct np_node *x = &c->nodes[id];
	if (x->mark == col)
		return;
	x->mark = col;
	x->col_uses++;
	for (size_t i = 0; i < x->ir->n_args; i++)
		count_uses(c, x->args[i], col);
}

static void emit_program(struct np_ctx *c, size_t pi)
{
	const struct ir_program *p = &c->progs[pi];
	c->prog = pi;
	c->nodes = NULL;
	c->n_nodes = c->cap_nodes = 0;
	map_reset(&c->node_ptrs);
	map_reset(&c->node_hashes);
	c->roots = arena_calloc(&c->arena, p->n_columns ? p->n_columns : 1, sizeof(size_t));
	for (size_t ci = 0; ci < p->n_columns; ci++) {
		if (!p->columns[ci].value || !p->columns[ci].column) {
			internal(c, "a column has no program", NULL);
			return;
		}
		c->roots[ci] = intern(c, p->columns[ci].value, 0);
	}
	if (c->failed)
		return;
	for (size_t ci = 0; ci < p->n_columns; ci++)
		count_uses(c, c->roots[ci], ci);
	for (size_t id = 0; id < c->n_nodes; id++) {
		struct np_node *x = &c->nodes[id];
		enum ir_op op = x->ir->op;
		x->shared = x->col_uses > 1 && op != IR_ROW && op != IR_CONST && op != IR_COLUMN;
		x->mark = NO_ID;
	}
	c->stamp = 0;
	strbuf_addf(c->out, "# ---- table %s\n\n", p->table->name);
	for (size_t id = 0; id < c->n_nodes && !c->failed; id++)
		if (c->nodes[id].shared)
			emit_function(c, id, NO_ID);
	for (size_t ci = 0; ci < p->n_columns && !c->failed; ci++)
		emit_function(c, c->roots[ci], ci);
	strbuf_addf(c->out,
		    "def generate_%s(row):\n"
		    "    \"\"\"The rows of table %s at the row counters `row` (int64), as a pyarrow Table.\"\"\"\n"
		    "    row = np.ascontiguousarray(row, dtype=np.int64)\n"
		    "    with np.errstate(all=\"ignore\"):\n"
		    "        F = _rt_Frame(row)\n"
		    "        pairs = {}\n",
		    p->table->name, p->table->name);
	for (size_t k = 0; k < p->n_columns; k++) {
		size_t ci = p->eval_order ? p->eval_order[k] : k;
		strbuf_addf(c->out, "        pairs[%zu] = F.col(_c%zu_%zu)\n", ci, pi, ci);
	}
	strbuf_addf(c->out,
		    "        return _rt_table(len(row), TABLE_SPECS[%zu][\"columns\"], [pairs[i] for i in range(%zu)])\n\n\n",
		    pi, p->n_columns);
}

static void emit_specs(struct np_ctx *c)
{
	struct strbuf *o = c->out;
	strbuf_addstr(o, "TABLE_SPECS = [\n");
	for (size_t i = 0; i < c->plan->n_tables; i++) {
		const struct plan_table *pt = &c->plan->tables[i];
		const struct table *t = pt->table;
		strbuf_addf(o, "    {\"name\": \"%s\", \"rows\": %" PRId64 ", \"write\": %s,\n", t->name, pt->rows,
			    t->write && pt->selected ? "True" : "False");
		if (t->parent)
			strbuf_addf(o,
				    "     \"parent\": {\"table\": \"%s\", \"rows\": %" PRId64 ", \"min\": %" PRId64
				    ", \"max\": %" PRId64 ", \"count_seed\": %" PRId64 "},\n",
				    t->parent->name, c->plan->tables[t->parent->index].rows, t->per_parent_min,
				    t->per_parent_max, pt->count_seed);
		else
			strbuf_addstr(o, "     \"parent\": None,\n");
		/* a table's own partition columns, else the dataset's that it has (as context.c) */
		strbuf_addstr(o, "     \"partition_columns\": [");
		if (t->n_partition_columns) {
			for (size_t k = 0; k < t->n_partition_columns; k++)
				strbuf_addf(o, "%s\"%s\"", k ? ", " : "", t->partition_columns[k]->name);
		} else {
			size_t m = 0;
			for (size_t k = 0; k < c->plan->ds->n_partition_columns; k++)
				if (table_column(t, c->plan->ds->partition_columns[k]))
					strbuf_addf(o, "%s\"%s\"", m++ ? ", " : "", c->plan->ds->partition_columns[k]);
		}
		strbuf_addstr(o, "],\n");
		strbuf_addstr(o, "     \"columns\": [");
		for (size_t k = 0; k < t->n_columns; k++) {
			struct strbuf ty = STRBUF_INIT;
			col_type_format(&ty, &t->columns[k]->type);
			strbuf_addf(o, "%s(\"%s\", \"%s\")", k ? ",\n                 " : "", t->columns[k]->name, ty.buf);
			strbuf_release(&ty);
		}
		strbuf_addstr(o, "]},\n");
	}
	strbuf_addstr(o, "]\n\n");
}

int emit_numpy_program(struct strbuf *out, const struct plan *plan, const struct ir_program *progs,
		       struct diags *diags)
{
	struct np_ctx c;
	struct strbuf fns = STRBUF_INIT;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	arena_init(&c.arena);
	strbuf_init(&c.consts, 0);
	c.plan = plan;
	c.progs = progs;
	c.diags = diags;
	c.out = &fns;
	for (size_t i = 0; i < plan->n_tables; i++) {
		if (progs[i].table != plan->tables[i].table || progs[i].n_columns != plan->tables[i].table->n_columns) {
			diag_error(diags, NULL, "internal error: numpy emitter: program %zu does not match the plan", i);
			goto done;
		}
	}
	for (size_t i = 0; i < plan->n_tables && !c.failed; i++)
		emit_program(&c, i);
	if (c.failed)
		goto done;

	strbuf_addf(out, "# ---- generated by ingen_fab: dataset %s, seed %" PRId64 ", target rows %" PRId64 "\n"
		    "# Column programs rendered from compiler/ir.h; the functions they call are numpy_runtime.py's.\n\n",
		    plan->ds->id, plan->seed, plan->target_rows);
	c.out = out;
	emit_specs(&c);
	strbuf_addstr(out, "# ---- constants\n\n");
	strbuf_add(out, c.consts.buf, c.consts.len);
	strbuf_addstr(out, "\n\n");
	strbuf_add(out, fns.buf, fns.len);
	strbuf_addstr(out, "GENERATORS = {\n");
	for (size_t i = 0; i < plan->n_tables; i++)
		strbuf_addf(out, "    \"%s\": generate_%s,\n", plan->tables[i].table->name, plan->tables[i].table->name);
	strbuf_addstr(out, "}\n");
	ret = 0;
done:
	strbuf_release(&fns);
	strbuf_release(&c.consts);
	arena_release(&c.arena);
	return ret;
}
