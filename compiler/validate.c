/*
 * validate: the checks of a dataset that need all of it at once.  model.c
 * has built every table and column it could; this file binds the names that
 * point elsewhere (parents, references, `from` columns, primary keys,
 * partition columns), resolves and type-checks expressions, finds cycles
 * (between tables through parents and references, and between the columns
 * of one row through expressions), and reads the `relationships` and
 * `incremental` sections, which talk about tables by name.  A column whose
 * own definition was already wrong is skipped here, so that one mistake
 * gives one message.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "expr.h"
#include "model_internal.h"
#include "strbuf.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define HINT_MAX_NAMES 12

static void add_names(struct strbuf *sb, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n && i < HINT_MAX_NAMES; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		strbuf_addstr(sb, names[i]);
	}
	if (n > HINT_MAX_NAMES)
		strbuf_addstr(sb, ", ...");
}

struct table *mi_find_table(struct model_ctx *ctx, const char *name, const struct src_loc *loc,
			    const char *context)
{
	const struct dataset *ds = ctx->ds;
	struct table *t = dataset_table(ds, name);
	const char **names;
	const char *best;
	struct strbuf sb = STRBUF_INIT;

	if (t || !loc)
		return t;
	names = calloc(ds->n_tables ? ds->n_tables : 1, sizeof(*names));
	if (!names)
		abort();
	for (size_t i = 0; i < ds->n_tables; i++)
		names[i] = ds->tables[i]->name;
	strbuf_addf(&sb, "unknown table '%s'", name);
	if (context)
		strbuf_addf(&sb, " in %s", context);
	best = diag_closest(name, names, ds->n_tables);
	if (best) {
		strbuf_addf(&sb, " (did you mean '%s'?)", best);
	} else if (ds->n_tables) {
		strbuf_addstr(&sb, " (tables: ");
		add_names(&sb, names, ds->n_tables);
		strbuf_addch(&sb, ')');
	}
	diag_error(ctx->diags, loc, "%s", sb.buf);
	strbuf_release(&sb);
	free(names);
	return NULL;
}

struct column *mi_find_column(struct model_ctx *ctx, const struct table *t, const char *name,
			      const struct src_loc *loc, const char *context)
{
	struct column *c = table_column(t, name);
	const char **names;
	const char *best;
	struct strbuf sb = STRBUF_INIT;

	if (c || !loc)
		return c;
	names = calloc(t->n_columns ? t->n_columns : 1, sizeof(*names));
	if (!names)
		abort();
	for (size_t i = 0; i < t->n_columns; i++)
		names[i] = t->columns[i]->name;
	strbuf_addf(&sb, "table '%s' has no column '%s'", t->name, name);
	if (context)
		strbuf_addf(&sb, " (in %s)", context);
	best = diag_closest(name, names, t->n_columns);
	if (best) {
		strbuf_addf(&sb, " (did you mean '%s'?)", best);
	} else if (t->n_columns) {
		strbuf_addstr(&sb, " (columns: ");
		add_names(&sb, names, t->n_columns);
		strbuf_addch(&sb, ')');
	}
	diag_error(ctx->diags, loc, "%s", sb.buf);
	strbuf_release(&sb);
	free(names);
	return NULL;
}

static struct col_pending *pending_of(struct model_ctx *ctx, const struct column *c)
{
	struct table_pending *tp = &ctx->tables[c->table->index];
	return tp->cols ? &tp->cols[c->index] : NULL;
}

/* "table.column" -> the column; errors at `n`.  *t_out is set when the table exists. */
static struct column *resolve_qualified(struct model_ctx *ctx, const struct cfg_node *n,
					const char *what, struct table **t_out)
{
	const char *s, *dot;
	char *tname;
	struct table *t;

	if (t_out)
		*t_out = NULL;
	if (mi_string(ctx, &s, n, what))
		return NULL;
	dot = strchr(s, '.');
	if (!dot || dot == s || !dot[1] || strchr(dot + 1, '.')) {
		diag_error(ctx->diags, &n->loc, "'%s' must be 'table.column', got '%s'", what, s);
		return NULL;
	}
	tname = arena_strndup(ctx->arena, s, (size_t)(dot - s));
	t = mi_find_table(ctx, tname, &n->loc, NULL);
	if (!t)
		return NULL;
	if (t_out)
		*t_out = t;
	return mi_find_column(ctx, t, dot + 1, &n->loc, NULL);
}

static void type_name(char *buf, size_t n, const struct col_type *t)
{
	struct strbuf sb = STRBUF_INIT;
	col_type_format(&sb, t);
	snprintf(buf, n, "%s", sb.buf);
	strbuf_release(&sb);
}

/* Can a column of type `child` hold the keys of a column of type `parent`? */
static bool key_types_match(const struct col_type *child, const struct col_type *parent)
{
	bool cs = child->kind == TYPE_STRING || child->kind == TYPE_VARCHAR;
	bool ps = parent->kind == TYPE_STRING || parent->kind == TYPE_VARCHAR;
	if (cs && ps)
		return !(child->kind == TYPE_VARCHAR && parent->kind == TYPE_VARCHAR &&
			 child->length < parent->length);
	if (child->kind == TYPE_BIGINT && parent->kind == TYPE_INT)
		return true;
	if (child->kind != parent->kind)
		return false;
	if (child->kind == TYPE_DECIMAL)
		return child->precision == parent->precision && child->scale == parent->scale;
	return true;
}

/* ---- parents and references ----------------------------------------- */

static void resolve_parents(struct model_ctx *ctx)
{
	for (size_t i = 0; i < ctx->ds->n_tables; i++) {
		struct table *t = ctx->ds->tables[i];
		const struct cfg_node *p = ctx->tables[i].parent;
		const char *name;
		if (!p || mi_string(ctx, &name, p, "parent"))
			continue;
		t->parent = mi_find_table(ctx, name, &p->loc, NULL);
	}
}

static void resolve_references(struct model_ctx *ctx)
{
	for (size_t i = 0; i < ctx->ds->n_tables; i++) {
		struct table *t = ctx->ds->tables[i];
		struct table_pending *tp = &ctx->tables[i];
		for (size_t j = 0; tp->cols && j < t->n_columns; j++) {
			struct column *c = t->columns[j];
			struct col_pending *cp = &tp->cols[j];
			struct table *rt;
			if (c->gen != GEN_REFERENCE || !cp->references)
				continue;
			c->params.ref_column = resolve_qualified(ctx, cp->references, "references", &rt);
			c->params.ref_table = c->params.ref_column ? rt : NULL;
			if (!c->params.ref_column) {
				cp->bad = true;
			} else if (rt->parent && rt->per_parent_min < 1) {
				/* a parent row may have no children: a picked row could not exist */
				diag_error(ctx->diags, &cp->references->loc,
					   "'%s' references child table '%s', whose per_parent min is %lld: "
					   "references into a child table need min >= 1",
					   cp->references->scalar, rt->name, (long long)rt->per_parent_min);
				cp->bad = true;
			}
		}
	}
}

/* A reference without `type` takes the referenced column's type (following chains). */
static bool inherit_type(struct model_ctx *ctx, struct column *c)
{
	struct col_pending *cp = pending_of(ctx, c);
	struct column *target = c->params.ref_column;
	struct col_pending *tcp;
	bool ok;

	if (!cp || !cp->type_missing)
		return cp && !cp->type_bad;
	if (cp->resolving || !target)
		return false; /* a cycle (reported with the table cycle) or an unknown target */
	tcp = pending_of(ctx, target);
	cp->resolving = true;
	ok = tcp && inherit_type(ctx, target);
	cp->resolving = false;
	if (ok) {
		c->type = target->type;
		cp->type_missing = false;
	} else {
		cp->type_bad = true;
		cp->type_missing = false;
	}
	return ok;
}

static void check_reference_types(struct model_ctx *ctx)
{
	for (size_t i = 0; i < ctx->ds->n_tables; i++) {
		struct table *t = ctx->ds->tables[i];
		for (size_t j = 0; ctx->tables[i].cols && j < t->n_columns; j++) {
			struct column *c = t->columns[j];
			struct col_pending *cp = &ctx->tables[i].cols[j];
			struct column *rc = c->params.ref_column;
			struct col_pending *rcp;
			char a[40], b[40];
			if (c->gen != GEN_REFERENCE || !rc)
				continue;
			if (!inherit_type(ctx, c))
				continue;
			rcp = pending_of(ctx, rc);
			if (!rcp || rcp->type_bad || rcp->type_missing)
				continue;
			if (key_types_match(&c->type, &rc->type))
				continue;
			type_name(a, sizeof(a), &c->type);
			type_name(b, sizeof(b), &rc->type);
			diag_error(ctx->diags, &c->type_loc,
				   "column type '%s' does not match the referenced column '%s.%s' (%s)",
				   a, rc->table->name, rc->name, b);
			cp->bad = true;
		}
	}
}

static void resolve_from(struct model_ctx *ctx)
{
	for (size_t i = 0; i < ctx->ds->n_tables; i++) {
		struct table *t = ctx->ds->tables[i];
		for (size_t j = 0; ctx->tables[i].cols && j < t->n_columns; j++) {
			struct column *c = t->columns[j];
			const struct cfg_node *from = ctx->tables[i].cols[j].from;
			struct column *cols[2] = {NULL, NULL};
			if (!from)
				continue;
			for (int k = 0; k < 2; k++) {
				const struct cfg_node *x = from->items[k];
				cols[k] = mi_find_column(ctx, t, x->scalar, &x->loc, NULL);
				if (cols[k] == c) {
					diag_error(ctx->diags, &x->loc,
						   "column '%s' cannot be built from itself", c->name);
					cols[k] = NULL;
				} else if (cols[k] && cols[k]->type.kind != TYPE_STRING &&
					   cols[k]->type.kind != TYPE_VARCHAR) {
					diag_error(ctx->diags, &x->loc,
						   "'from' column '%s' must be a string column", x->scalar);
					cols[k] = NULL;
				}
			}
			c->params.from_first = cols[0];
			c->params.from_last = cols[1];
		}
	}
}

/* ---- keys and partitions -------------------------------------------- */

/* A column name or a list of them, resolved in table t. */
static size_t resolve_column_list(struct model_ctx *ctx, struct column ***out, struct table *t,
				  const struct cfg_node *n, const char *what)
{
	const struct cfg_node *const *items;
	size_t count, got = 0;
	struct column **cols;

	*out = NULL;
	if (n->kind == CFG_SCALAR) {
		items = (const struct cfg_node *const *)&n;
		count = 1;
	} else if (n->kind == CFG_SEQ) {
		items = (const struct cfg_node *const *)n->items;
		count = n->n;
	} else {
		mi_want(ctx, n, CFG_SEQ, what, "a column name or a list of column names");
		return 0;
	}
	cols = arena_calloc(ctx->arena, count ? count : 1, sizeof(*cols));
	for (size_t i = 0; i < count; i++) {
		const char *name;
		struct column *c;
		bool dup = false;
		if (mi_string(ctx, &name, items[i], what))
			continue;
		c = mi_find_column(ctx, t, name, &items[i]->loc, NULL);
		if (!c)
			continue;
		for (size_t k = 0; k < got; k++)
			dup = dup || cols[k] == c;
		if (dup) {
			diag_error(ctx->diags, &items[i]->loc, "column '%s' is listed twice in '%s'",
				   name, what);
			continue;
		}
		cols[got++] = c;
	}
	*out = cols;
	return got;
}

static void resolve_keys(struct model_ctx *ctx)
{
	for (size_t i = 0; i < ctx->ds->n_tables; i++) {
		struct table *t = ctx->ds->tables[i];
		struct table_pending *tp = &ctx->tables[i];
		if (!tp->cols)
			continue;
		if (tp->primary_key) {
			t->n_primary_key = resolve_column_list(ctx, &t->primary_key, t, tp->primary_key,
							       "primary_key");
			for (size_t k = 0; k < t->n_primary_key; k++)
				if (t->primary_key[k]->null_probability > 0)
					diag_error(ctx->diags, &t->primary_key[k]->loc,
						   "primary key column '%s' cannot have a null_probability",
						   t->primary_key[k]->name);
		}
		if (tp->partition_columns)
			t->n_partition_columns = resolve_column_list(
				ctx, &t->partition_columns, t, tp->partition_columns, "partition_columns");
	}
}

/* output.partition_columns and output.z_order: names that some table has. */
static size_t dataset_column_names(struct model_ctx *ctx, const char ***out,
				   const struct cfg_node *n, const char *what)
{
	struct dataset *ds = ctx->ds;
	const char **names, **all;
	size_t n_all = 0, got = 0;

	*out = NULL;
	if (mi_want(ctx, n, CFG_SEQ, what, "a list of column names"))
		return 0;
	for (size_t i = 0; i < ds->n_tables; i++)
		n_all += ds->tables[i]->n_columns;
	all = calloc(n_all ? n_all : 1, sizeof(*all));
	if (!all)
		abort();
	n_all = 0;
	for (size_t i = 0; i < ds->n_tables; i++)
		for (size_t j = 0; j < ds->tables[i]->n_columns; j++)
			all[n_all++] = ds->tables[i]->columns[j]->name;
	names = arena_calloc(ctx->arena, n->n ? n->n : 1, sizeof(*names));
	for (size_t i = 0; i < n->n; i++) {
		const char *name, *best;
		bool found = false;
		if (mi_string(ctx, &name, n->items[i], what))
			continue;
		for (size_t k = 0; k < n_all && !found; k++)
			found = strcmp(all[k], name) == 0;
		if (found) {
			names[got++] = name;
			continue;
		}
		best = diag_closest(name, all, n_all);
		if (best)
			diag_error(ctx->diags, &n->items[i]->loc,
				   "'%s' names no column of any table: '%s' (did you mean '%s'?)", what,
				   name, best);
		else
			diag_error(ctx->diags, &n->items[i]->loc,
				   "'%s' names no column of any table: '%s'", what, name);
	}
	free(all);
	*out = names;
	return got;
}

static void resolve_output(struct model_ctx *ctx)
{
	const struct cfg_node *n;
	if (!ctx->output || ctx->output->kind != CFG_MAP)
		return;
	if ((n = cfg_get(ctx->output, "partition_columns")))
		ctx->ds->n_partition_columns = dataset_column_names(
			ctx, &ctx->ds->partition_columns, n, "partition_columns");
	if ((n = cfg_get(ctx->output, "z_order")))
		ctx->ds->n_z_order = dataset_column_names(ctx, &ctx->ds->z_order, n, "z_order");
}

/* ---- expressions ---------------------------------------------------- */

/*
 * Does the (unresolved) expression name a column whose type was already
 * reported as wrong?  Resolving it would only add type errors that follow
 * from the first one.
 */
static bool reads_broken_column(struct model_ctx *ctx, const struct table *t, const struct expr *e)
{
	const struct table *owner = NULL;
	const struct column *c;
	const struct col_pending *cp;

	if (!e)
		return false;
	for (size_t i = 0; i < e->n_args; i++)
		if (reads_broken_column(ctx, t, e->args[i]))
			return true;
	if (e->kind != EXPR_NAME || !e->name)
		return false;
	if (!e->qualifier)
		owner = t;
	else if (strcmp(e->qualifier, "parent") == 0)
		owner = t->parent;
	else
		owner = dataset_table(ctx->ds, e->qualifier);
	if (!owner || !(c = table_column(owner, e->name)))
		return false;
	cp = pending_of(ctx, c);
	return cp && (cp->type_bad || cp->type_missing);
}

static void resolve_expressions(struct model_ctx *ctx)
{
	struct dataset *ds = ctx->ds;
	for (size_t i = 0; i < ds->n_tables; i++) {
		struct table *t = ds->tables[i];
		struct table_pending *tp = &ctx->tables[i];
		/* a child table whose parent is unknown: its parent.<col> cannot resolve */
		bool parent_broken = tp->parent && !t->parent;
		if (t->rows_expr)
			(void)expr_resolve(t->rows_expr, ds, t, NULL, EXPR_CTX_ROWS, ctx->diags);
		for (size_t j = 0; tp->cols && j < t->n_columns; j++) {
			struct column *c = t->columns[j];
			struct col_pending *cp = &tp->cols[j];
			char a[40], b[40];
			if (c->gen != GEN_NONE || !c->expr)
				continue;
			if (parent_broken || reads_broken_column(ctx, t, c->expr)) {
				cp->bad = true;
				continue;
			}
			if (expr_resolve(c->expr, ds, t, c, EXPR_CTX_COLUMN, ctx->diags)) {
				cp->bad = true;
				continue;
			}
			if (cp->type_bad || c->expr->is_null_literal ||
			    expr_type_assignable(&c->expr->type, &c->type))
				continue;
			type_name(a, sizeof(a), &c->expr->type);
			type_name(b, sizeof(b), &c->type);
			diag_error(ctx->diags, &c->expr_loc,
				   "expression of type '%s' cannot be stored in column '%s' of type '%s'",
				   a, c->name, b);
		}
	}
}

/* ---- cycles --------------------------------------------------------- */

struct edge {
	size_t to;
	struct src_loc loc;
};

struct graph {
	size_t n;
	const char **names;
	struct edge **edges; /* per node */
	size_t *n_edges, *cap_edges;
};

static void graph_init(struct graph *g, struct arena *a, size_t n)
{
	g->n = n;
	g->names = arena_calloc(a, n ? n : 1, sizeof(*g->names));
	g->edges = arena_calloc(a, n ? n : 1, sizeof(*g->edges));
	g->n_edges = arena_calloc(a, n ? n : 1, sizeof(*g->n_edges));
	g->cap_edges = arena_calloc(a, n ? n : 1, sizeof(*g->cap_edges));
}

static void graph_add(struct graph *g, struct arena *a, size_t from, size_t to,
		      const struct src_loc *loc)
{
	for (size_t i = 0; i < g->n_edges[from]; i++)
		if (g->edges[from][i].to == to)
			return;
	g->edges[from] = arena_grow_array(a, g->edges[from], sizeof(struct edge),
					  &g->cap_edges[from], g->n_edges[from] + 1);
	g->edges[from][g->n_edges[from]].to = to;
	g->edges[from][g->n_edges[from]].loc = *loc;
	g->n_edges[from]++;
}

struct dfs {
	struct graph *g;
	struct diags *diags;
	const char *what;
	int *color;      /* 0 white, 1 on the stack, 2 done */
	size_t *stack;
	size_t depth;
};

static void dfs_visit(struct dfs *d, size_t v)
{
	d->color[v] = 1;
	d->stack[d->depth++] = v;
	for (size_t i = 0; i < d->g->n_edges[v]; i++) {
		const struct edge *e = &d->g->edges[v][i];
		if (d->color[e->to] == 1) {
			struct strbuf sb = STRBUF_INIT;
			size_t k = d->depth;
			while (k > 0 && d->stack[k - 1] != e->to)
				k--;
			for (size_t j = k - 1; j < d->depth; j++)
				strbuf_addf(&sb, "%s -> ", d->g->names[d->stack[j]]);
			strbuf_addstr(&sb, d->g->names[e->to]);
			diag_error(d->diags, &e->loc, "%s: %s", d->what, sb.buf);
			strbuf_release(&sb);
		} else if (d->color[e->to] == 0) {
			dfs_visit(d, e->to);
		}
	}
	d->depth--;
	d->color[v] = 2;
}

static void find_cycles(struct graph *g, struct diags *diags, const char *what)
{
	struct dfs d;
	d.g = g;
	d.diags = diags;
	d.what = what;
	d.depth = 0;
	d.color = calloc(g->n ? g->n : 1, sizeof(*d.color));
	d.stack = calloc(g->n ? g->n : 1, sizeof(*d.stack));
	if (!d.color || !d.stack)
		abort();
	for (size_t v = 0; v < g->n; v++)
		if (!d.color[v])
			dfs_visit(&d, v);
	free(d.color);
	free(d.stack);
}

static void check_table_cycles(struct model_ctx *ctx)
{
	struct dataset *ds = ctx->ds;
	struct graph g;

	graph_init(&g, ctx->arena, ds->n_tables);
	for (size_t i = 0; i < ds->n_tables; i++) {
		struct table *t = ds->tables[i];
		struct table_pending *tp = &ctx->tables[i];
		g.names[i] = t->name;
		if (t->parent)
			graph_add(&g, ctx->arena, i, t->parent->index, &tp->parent->loc);
		for (size_t j = 0; tp->cols && j < t->n_columns; j++) {
			struct column *c = t->columns[j];
			if (c->gen == GEN_REFERENCE && c->params.ref_table)
				graph_add(&g, ctx->arena, i, c->params.ref_table->index,
					  &tp->cols[j].references->loc);
		}
	}
	find_cycles(&g, ctx->diags, "reference cycle");
}

struct col_edges {
	struct model_ctx *ctx;
	struct graph *g;
	const struct column *from;
	const struct table *table;
	const struct src_loc *loc;
};

static void add_column_edge(void *payload, const struct expr *node)
{
	struct col_edges *ce = payload;
	if (node->kind == EXPR_COLUMN && node->column && node->column->table == ce->table)
		graph_add(ce->g, ce->ctx->arena, ce->from->index, node->column->index, &node->loc);
}

static void check_column_cycles(struct model_ctx *ctx)
{
	struct dataset *ds = ctx->ds;
	for (size_t i = 0; i < ds->n_tables; i++) {
		struct table *t = ds->tables[i];
		struct graph g;
		if (!ctx->tables[i].cols)
			continue;
		graph_init(&g, ctx->arena, t->n_columns);
		for (size_t j = 0; j < t->n_columns; j++) {
			struct column *c = t->columns[j];
			g.names[j] = c->name;
			if (c->gen == GEN_NONE && c->expr && !ctx->tables[i].cols[j].bad) {
				struct col_edges ce = {ctx, &g, c, t, &c->expr_loc};
				expr_visit_columns(c->expr, add_column_edge, &ce);
			}
			if (c->params.from_first)
				graph_add(&g, ctx->arena, j, c->params.from_first->index,
					  &ctx->tables[i].cols[j].from->items[0]->loc);
			if (c->params.from_last)
				graph_add(&g, ctx->arena, j, c->params.from_last->index,
					  &ctx->tables[i].cols[j].from->items[1]->loc);
		}
		find_cycles(&g, ctx->diags, "column dependency cycle");
	}
}

/* ---- relationships -------------------------------------------------- */

static void read_relationships(struct model_ctx *ctx)
{
	static const char *const keys[] = {"parent", "child", "type", "null_percentage"};
	static const char *const types[] = {"one_to_many", "one_to_one"};
	struct dataset *ds = ctx->ds;
	const struct cfg_node *rels = ctx->relationships;
	size_t n_ref = 0, cap;

	for (size_t i = 0; i < ds->n_tables; i++)
		for (size_t j = 0; ctx->tables[i].cols && j < ds->tables[i]->n_columns; j++)
			if (ds->tables[i]->columns[j]->params.ref_column)
				n_ref++;
	cap = n_ref + (rels && rels->kind == CFG_SEQ ? rels->n : 0);
	ds->relationships = arena_calloc(ctx->arena, cap ? cap : 1, sizeof(*ds->relationships));

	if (rels && mi_want(ctx, rels, CFG_SEQ, "relationships", "a list of relationships") == 0) {
		for (size_t i = 0; i < rels->n; i++) {
			const struct cfg_node *r = rels->items[i], *p, *c, *n;
			struct relationship *rel;
			struct column *pc = NULL, *cc = NULL;
			int ty = REL_ONE_TO_MANY;
			double np = 0;
			bool ok = true;
			char scope[64];

			if (mi_want(ctx, r, CFG_MAP, "relationships",
				    "a list of maps {parent: t.c, child: t.c, type: ...}"))
				continue;
			snprintf(scope, sizeof(scope), "in relationship %zu", i + 1);
			mi_check_keys(ctx, r, keys, ARRAY_SIZE(keys), scope);
			p = cfg_get(r, "parent");
			c = cfg_get(r, "child");
			if (!p || !c) {
				diag_error(ctx->diags, &r->loc,
					   "relationship %zu needs 'parent' and 'child' (table.column)",
					   i + 1);
				continue;
			}
			pc = resolve_qualified(ctx, p, "parent", NULL);
			cc = resolve_qualified(ctx, c, "child", NULL);
			if ((n = cfg_get(r, "type")) && (ty = mi_enum(ctx, n, "relationship type", types, 2)) < 0)
				ok = false;
			if ((n = cfg_get(r, "null_percentage"))) {
				if (mi_number(ctx, &np, n, "null_percentage"))
					ok = false;
				else if (np < 0 || np > 100)
					ok = !diag_error(ctx->diags, &n->loc,
							 "'null_percentage' must be between 0 and 100, got '%s'",
							 n->scalar);
			}
			if (!pc || !cc || !ok)
				continue;
			if (cc->gen == GEN_REFERENCE && cc->params.ref_column &&
			    cc->params.ref_column != pc) {
				diag_error(ctx->diags, &p->loc,
					   "relationship parent '%s' differs from the column that '%s.%s' references ('%s.%s')",
					   p->scalar, cc->table->name, cc->name,
					   cc->params.ref_column->table->name, cc->params.ref_column->name);
				continue;
			}
			if (cc->gen != GEN_REFERENCE) {
				struct col_pending *a = pending_of(ctx, cc), *b = pending_of(ctx, pc);
				char ta[40], tb[40];
				if (a && b && !a->type_bad && !b->type_bad && !a->type_missing &&
				    !b->type_missing && !key_types_match(&cc->type, &pc->type)) {
					type_name(ta, sizeof(ta), &cc->type);
					type_name(tb, sizeof(tb), &pc->type);
					diag_error(ctx->diags, &c->loc,
						   "relationship child '%s' (%s) does not match the type of parent '%s' (%s)",
						   c->scalar, ta, p->scalar, tb);
					continue;
				}
			}
			/* a declared null share must be the child column's own null rate
			   (expression columns make their NULLs themselves: not checked) */
			if ((n = cfg_get(r, "null_percentage")) && cc->gen != GEN_NONE &&
			    fabs(np - cc->null_probability * 100.0) > 1e-9) {
				diag_error(ctx->diags, &n->loc,
					   "'null_percentage' is '%s' but '%s.%s' has null_probability %g, "
					   "so it must be %g (a percentage)",
					   n->scalar, cc->table->name, cc->name, cc->null_probability,
					   cc->null_probability * 100.0);
				continue;
			}
			rel = arena_alloc(ctx->arena, sizeof(*rel));
			rel->parent = pc;
			rel->child = cc;
			rel->type = (enum rel_type)ty;
			rel->null_percentage = np;
			rel->loc = r->loc;
			ds->relationships[ds->n_relationships++] = rel;
		}
	}
	/* reference columns add theirs, unless declared */
	for (size_t i = 0; i < ds->n_tables; i++)
		for (size_t j = 0; ctx->tables[i].cols && j < ds->tables[i]->n_columns; j++) {
			struct column *c = ds->tables[i]->columns[j];
			struct relationship *rel;
			bool declared = false;
			if (!c->params.ref_column)
				continue;
			for (size_t k = 0; k < ds->n_relationships && !declared; k++)
				declared = ds->relationships[k]->child == c;
			if (declared)
				continue;
			rel = arena_alloc(ctx->arena, sizeof(*rel));
			rel->parent = c->params.ref_column;
			rel->child = c;
			rel->type = REL_ONE_TO_MANY;
			rel->null_percentage = c->null_probability * 100.0;
			rel->implicit = true;
			rel->loc = c->loc;
			ds->relationships[ds->n_relationships++] = rel;
		}
}

/* ---- incremental ---------------------------------------------------- */

/* A map of table name -> value: calls fn for each entry naming a known table. */
static void for_each_table_entry(struct model_ctx *ctx, const struct cfg_node *map,
				 const char *what,
				 void (*fn)(struct model_ctx *, struct table *, const struct cfg_node *,
					    const struct src_loc *))
{
	char context[64];
	if (mi_want(ctx, map, CFG_MAP, what, "a map of table name -> value"))
		return;
	snprintf(context, sizeof(context), "'%s'", what);
	for (size_t i = 0; i < map->n; i++) {
		struct table *t = mi_find_table(ctx, map->keys[i], &map->key_locs[i], context);
		if (t)
			fn(ctx, t, map->items[i], &map->key_locs[i]);
	}
}

static void table_type_entry(struct model_ctx *ctx, struct table *t, const struct cfg_node *v,
			     const struct src_loc *key)
{
	static const char *const names[] = {"snapshot", "incremental", "slowly_changing_dimension"};
	static const enum table_type types[] = {TABLE_SNAPSHOT, TABLE_INCREMENTAL, TABLE_SCD2};
	int e = mi_enum(ctx, v, "table type", names, 3);
	if (e >= 0)
		t->type = types[e];
}

static void frequency_entry(struct model_ctx *ctx, struct table *t, const struct cfg_node *v,
			    const struct src_loc *key)
{
	static const char *const names[] = {"daily", "weekly", "monthly", "once"};
	int e = mi_enum(ctx, v, "snapshot frequency", names, 4);
	if (e < 0)
		return;
	t->frequency = (enum snapshot_frequency)e;
	if (t->type == TABLE_INCREMENTAL)
		diag_error(ctx->diags, key,
			   "'snapshot_frequency' applies to snapshot and slowly_changing_dimension tables; '%s' is incremental",
			   t->name);
}

static void rows_per_day_entry(struct model_ctx *ctx, struct table *t, const struct cfg_node *v,
			       const struct src_loc *key)
{
	if (v->kind != CFG_SCALAR || mi_is_null(v)) {
		mi_want(ctx, v, CFG_SCALAR, "rows_per_day", "a number or an expression");
		return;
	}
	if (t->type != TABLE_INCREMENTAL && t->type != TABLE_PLAIN)
		diag_error(ctx->diags, key, "'rows_per_day' applies to incremental tables; '%s' is %s",
			   t->name, t->type == TABLE_SNAPSHOT ? "a snapshot" : "a slowly changing dimension");
	if (expr_parse(&t->rows_per_day, v->scalar, &v->text_loc, EXPR_CTX_ROWS, ctx->arena,
		       ctx->diags) == 0 && t->rows_per_day)
		(void)expr_resolve(t->rows_per_day, ctx->ds, t, NULL, EXPR_CTX_ROWS, ctx->diags);
}

static void growth_entry(struct model_ctx *ctx, struct table *t, const struct cfg_node *v,
			 const struct src_loc *key)
{
	double g;
	if (mi_number(ctx, &g, v, "growth"))
		return;
	if (!(g > -1))
		diag_error(ctx->diags, &v->loc, "'growth' of '%s' must be > -1 (a daily rate), got '%s'",
			   t->name, v->scalar);
	else
		t->growth = g;
}

static void scd_entry(struct model_ctx *ctx, struct table *t, const struct cfg_node *v,
		      const struct src_loc *key)
{
	static const char *const keys[] = {"change_probability", "tracked"};
	const struct cfg_node *n;
	char scope[200];
	if (mi_want(ctx, v, CFG_MAP, "scd", "a map {change_probability: p, tracked: [columns]}"))
		return;
	snprintf(scope, sizeof(scope), "in 'scd' of '%s'", t->name);
	mi_check_keys(ctx, v, keys, 2, scope);
	if (t->type != TABLE_SCD2 && t->type != TABLE_PLAIN)
		diag_error(ctx->diags, key,
			   "'scd' applies to slowly_changing_dimension tables; '%s' is %s", t->name,
			   t->type == TABLE_SNAPSHOT ? "a snapshot" : "incremental");
	if ((n = cfg_get(v, "change_probability")))
		(void)mi_probability(ctx, &t->scd_change_probability, n, "change_probability");
	if ((n = cfg_get(v, "tracked")) && ctx->tables[t->index].cols)
		t->n_scd_tracked = resolve_column_list(ctx, &t->scd_tracked, t, n, "tracked");
}

static void read_incremental(struct model_ctx *ctx)
{
	static const char *const keys[] = {"start_date", "table_types", "snapshot_frequency",
					   "rows_per_day", "weekday", "seasonal", "growth", "scd"};
	const struct cfg_node *inc = ctx->incremental, *n, *types;
	struct incremental *in;
	struct dataset *ds = ctx->ds;

	if (!inc)
		return;
	if (mi_want(ctx, inc, CFG_MAP, "incremental", "a map (start_date, table_types, ...)"))
		return;
	mi_check_keys(ctx, inc, keys, ARRAY_SIZE(keys), "in 'incremental'");
	in = arena_alloc(ctx->arena, sizeof(*in));
	in->loc = inc->loc;
	for (int i = 0; i < 7; i++)
		in->weekday[i] = 1.0;
	ds->incremental = in;

	if ((n = cfg_get(inc, "start_date")))
		(void)mi_date(ctx, &in->start_date, n, "start_date");
	else
		diag_error(ctx->diags, &inc->loc, "'incremental' needs 'start_date'");
	types = cfg_get(inc, "table_types");
	if (types) {
		for_each_table_entry(ctx, types, "table_types", table_type_entry);
		if (types->kind == CFG_MAP)
			for (size_t i = 0; i < ds->n_tables; i++)
				if (!cfg_get(types, ds->tables[i]->name))
					diag_error(ctx->diags, cfg_key_loc(inc, "table_types"),
						   "table '%s' has no entry in 'table_types' (snapshot, incremental or slowly_changing_dimension)",
						   ds->tables[i]->name);
	} else {
		diag_error(ctx->diags, &inc->loc, "'incremental' needs 'table_types'");
	}
	if ((n = cfg_get(inc, "snapshot_frequency")))
		for_each_table_entry(ctx, n, "snapshot_frequency", frequency_entry);
	if ((n = cfg_get(inc, "rows_per_day")))
		for_each_table_entry(ctx, n, "rows_per_day", rows_per_day_entry);
	if ((n = cfg_get(inc, "growth")))
		for_each_table_entry(ctx, n, "growth", growth_entry);
	if ((n = cfg_get(inc, "scd")))
		for_each_table_entry(ctx, n, "scd", scd_entry);
	if ((n = cfg_get(inc, "weekday")))
		(void)mi_weekday(ctx, in->weekday, n);
	if ((n = cfg_get(inc, "seasonal")))
		(void)mi_seasonal(ctx, &in->seasonal, &in->n_seasonal, n);
}

void model_validate(struct model_ctx *ctx)
{
	if (!ctx->tables)
		return;
	resolve_parents(ctx);
	resolve_references(ctx);
	check_reference_types(ctx);
	resolve_from(ctx);
	resolve_keys(ctx);
	resolve_output(ctx);
	check_table_cycles(ctx);
	resolve_expressions(ctx);
	check_column_cycles(ctx);
	read_relationships(ctx);
	read_incremental(ctx);
}
