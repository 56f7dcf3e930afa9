/*
 * template: lexer, parser and evaluator of the Jinja subset in template.h.
 *
 * A template is tokenised into text runs and tags, parsed into a tree of
 * nodes (text, output, if, for, set, include), then evaluated against a
 * cJSON context.  Everything allocated while rendering (the tree, the
 * strings made by filters, the scopes) lives in one arena per render, so
 * there is no freeing on error paths.  Includes are parsed when reached,
 * with a depth limit against include cycles.
 */
#include "template.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "embedded.h"
#include "strbuf.h"

#define MAX_INCLUDE_DEPTH 16

/* ---------- values ---------- */

enum tv_kind { TV_UNDEF, TV_NONE, TV_BOOL, TV_NUM, TV_STR, TV_JSON, TV_LIST, TV_LOOP };

struct tval {
	enum tv_kind k;
	bool b;
	double num;
	const char *s; /* TV_STR (NUL-terminated) */
	size_t slen;
	const cJSON *j; /* TV_JSON: array or object */
	struct tval *items; /* TV_LIST */
	size_t n_items;
	const struct loop_state *loop; /* TV_LOOP */
	const char *undef_name;
};

struct loop_state {
	size_t index0, length;
};

/* ---------- syntax tree ---------- */

enum texpr_kind {
	TE_LIT, TE_NAME, TE_ATTR, TE_INDEX, TE_FILTER, TE_NOT, TE_AND, TE_OR, TE_CMP, TE_IN,
	TE_CONCAT, TE_ARITH, TE_TEST, TE_LIST, TE_COND, TE_NEG
};

struct texpr {
	enum texpr_kind kind;
	struct src_loc loc;
	struct tval lit;
	const char *name; /* TE_NAME, TE_ATTR, TE_FILTER, TE_TEST */
	char op[3];       /* TE_CMP, TE_ARITH */
	bool negated;     /* TE_TEST, TE_IN */
	struct texpr **args; /* operands; TE_FILTER: args[0] is the input */
	size_t n_args;
};

enum tnode_kind { TN_TEXT, TN_OUTPUT, TN_IF, TN_FOR, TN_SET, TN_INCLUDE };

struct tnode {
	enum tnode_kind kind;
	struct src_loc loc;
	const char *text; /* TN_TEXT */
	size_t len;
	struct texpr *expr; /* OUTPUT, SET value, FOR iterable, INCLUDE name */
	/* TN_IF: conds[i] guards bodies[i]; else_body */
	size_t n_conds;
	struct texpr **conds;
	struct tnode ***bodies;
	size_t *body_lens;
	struct tnode **body; /* FOR body */
	size_t n_body;
	struct tnode **else_body;
	size_t n_else;
	const char *var1, *var2; /* FOR vars, SET name */
};

/* ---------- lexer ---------- */

enum ttok_kind { TT_TEXT, TT_VAR, TT_BLOCK, TT_EOF };

struct ttok {
	enum ttok_kind kind;
	const char *start; /* TEXT: the text; VAR/BLOCK: the inside of the tag */
	size_t len;
	struct src_loc loc; /* where the tag (or text) starts */
	struct src_loc inner_loc; /* where the inside starts */
};

struct tparser {
	struct arena *arena;
	struct diags *diags;
	const char *name;
	const char *src;
	struct ttok *toks;
	size_t n_toks, pos;
	/* expression scanning within a tag */
	const char *p, *end;
	struct src_loc base;
	const char *base_ptr;
	bool failed;
	const char *cur_ptr; /* loc_at's cursor */
	struct src_loc cur_loc;
};

/* Location of `at`, advancing a cursor: tokens are located in source order. */
static struct src_loc loc_at(struct tparser *ps, const char *at)
{
	if (!ps->cur_ptr || at < ps->cur_ptr) {
		ps->cur_ptr = ps->src;
		ps->cur_loc = (struct src_loc){ps->name, 1, 1};
	}
	for (; ps->cur_ptr < at; ps->cur_ptr++) {
		if (*ps->cur_ptr == '\n') {
			ps->cur_loc.line++;
			ps->cur_loc.col = 1;
		} else {
			ps->cur_loc.col++;
		}
	}
	return ps->cur_loc;
}

static int tokenize(struct tparser *ps)
{
	const char *s = ps->src, *p = s;
	size_t cap = 0;
	bool trim_next_ws = false;   /* '-' on the previous tag's right side */
	bool trim_next_nl = false;   /* trim_blocks after a block tag */

	ps->toks = NULL;
	ps->n_toks = 0;
	for (;;) {
		const char *open = p;
		/* find the next tag opening */
		while (*open && !(open[0] == '{' && (open[1] == '{' || open[1] == '%' || open[1] == '#')))
			open++;
		{
			const char *ts = p, *te = open;
			if (trim_next_ws)
				while (ts < te && isspace((unsigned char)*ts))
					ts++;
			else if (trim_next_nl && ts < te && *ts == '\n')
				ts++;
			else if (trim_next_nl && ts + 1 < te && ts[0] == '\r' && ts[1] == '\n')
				ts += 2;
			trim_next_ws = trim_next_nl = false;
			if (*open) {
				if (open[2] == '-') {
					while (te > ts && isspace((unsigned char)te[-1]))
						te--;
				} else if (open[1] == '%' || open[1] == '#') {
					/* lstrip_blocks: drop blanks before a block tag at line start */
					const char *q = te;
					while (q > ts && (q[-1] == ' ' || q[-1] == '\t'))
						q--;
					if (q == s || q[-1] == '\n')
						te = q;
				}
			}
			if (te > ts) {
				ps->toks = arena_grow_array(ps->arena, ps->toks, sizeof(*ps->toks), &cap, ps->n_toks + 1);
				ps->toks[ps->n_toks++] = (struct ttok){TT_TEXT, ts, (size_t)(te - ts),
					loc_at(ps, ts), {0}};
			}
		}
		if (!*open)
			break;
		{
			char kind = open[1];
			const char *close_pat = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
			const char *inner = open + 2;
			const char *close;
			if (*inner == '-')
				inner++;
			close = strstr(inner, close_pat);
			if (!close) {
				struct src_loc l = loc_at(ps, open);
				return diag_error(ps->diags, &l, "unclosed '%.2s' tag (expected '%s')", open,
						  close_pat);
			}
			{
				const char *inner_end = close;
				if (inner_end > inner && inner_end[-1] == '-') {
					inner_end--;
					trim_next_ws = true;
				}
				if (kind != '{' && !trim_next_ws)
					trim_next_nl = true;
				if (kind != '#') {
					ps->toks = arena_grow_array(ps->arena, ps->toks, sizeof(*ps->toks), &cap,
								    ps->n_toks + 1);
					ps->toks[ps->n_toks++] = (struct ttok){kind == '{' ? TT_VAR : TT_BLOCK, inner,
						(size_t)(inner_end - inner), loc_at(ps, open),
						loc_at(ps, inner)};
				}
			}
			p = close + 2;
		}
	}
	ps->toks = arena_grow_array(ps->arena, ps->toks, sizeof(*ps->toks), &cap, ps->n_toks + 1);
	ps->toks[ps->n_toks++] = (struct ttok){TT_EOF, p, 0, loc_at(ps, p), {0}};
	return 0;
}

/* ---------- expression parser (within one tag) ---------- */

static struct src_loc here(struct tparser *ps)
{
	struct src_loc l = ps->base;
	for (const char *q = ps->base_ptr; q < ps->p; q++) {
		if (*q == '\n') {
			l.line++;
			l.col = 1;
		} else {
			l.col++;
		}
	}
	return l;
}

static void skip_ws(struct tparser *ps)
{
	while (ps->p < ps->end && isspace((unsigned char)*ps->p))
		ps->p++;
}

static int perr(struct tparser *ps, const char *fmt, const char *arg)
{
	struct src_loc l = here(ps);
	if (!ps->failed)
		diag_error(ps->diags, &l, fmt, arg);
	ps->failed = true;
	return -1;
}

static bool at_word(struct tparser *ps, const char *w)
{
	size_t n = strlen(w);
	skip_ws(ps);
	if ((size_t)(ps->end - ps->p) < n || strncmp(ps->p, w, n) != 0)
		return false;
	if (ps->p + n < ps->end && (isalnum((unsigned char)ps->p[n]) || ps->p[n] == '_'))
		return false;
	return true;
}

static bool eat_word(struct tparser *ps, const char *w)
{
	if (!at_word(ps, w))
		return false;
	ps->p += strlen(w);
	return true;
}

static bool eat(struct tparser *ps, const char *sym)
{
	size_t n = strlen(sym);
	skip_ws(ps);
	if ((size_t)(ps->end - ps->p) >= n && strncmp(ps->p, sym, n) == 0) {
		ps->p += n;
		return true;
	}
	return false;
}

static const char *ident(struct tparser *ps)
{
	const char *st;
	skip_ws(ps);
	st = ps->p;
	if (st >= ps->end || !(isalpha((unsigned char)*st) || *st == '_'))
		return NULL;
	while (ps->p < ps->end && (isalnum((unsigned char)*ps->p) || *ps->p == '_'))
		ps->p++;
	return arena_strndup(ps->arena, st, (size_t)(ps->p - st));
}

static struct texpr *new_expr(struct tparser *ps, enum texpr_kind k)
{
	struct texpr *e = arena_alloc(ps->arena, sizeof(*e));
	e->kind = k;
	e->loc = here(ps);
	return e;
}

static void add_arg(struct tparser *ps, struct texpr *e, struct texpr *a)
{
	struct texpr **n = arena_calloc(ps->arena, e->n_args + 1, sizeof(*n));
	if (e->n_args)
		memcpy(n, e->args, e->n_args * sizeof(*n));
	n[e->n_args++] = a;
	e->args = n;
}

static struct texpr *parse_expr(struct tparser *ps);

static struct texpr *parse_primary(struct tparser *ps)
{
	struct texpr *e;
	const char *id;
	skip_ws(ps);
	if (ps->p >= ps->end) {
		perr(ps, "expected an expression%s", "");
		return NULL;
	}
	if (*ps->p == '"' || *ps->p == '\'') {
		char q = *ps->p;
		struct strbuf sb = STRBUF_INIT;
		e = new_expr(ps, TE_LIT);
		ps->p++;
		while (ps->p < ps->end && *ps->p != q) {
			if (*ps->p == '\\' && ps->p + 1 < ps->end) {
				ps->p++;
				switch (*ps->p) {
				case 'n': strbuf_addch(&sb, '\n'); break;
				case 't': strbuf_addch(&sb, '\t'); break;
				default: strbuf_addch(&sb, *ps->p); break;
				}
			} else {
				strbuf_addch(&sb, *ps->p);
			}
			ps->p++;
		}
		if (ps->p >= ps->end) {
			strbuf_release(&sb);
			perr(ps, "unterminated string literal%s", "");
			return NULL;
		}
		ps->p++;
		e->lit.k = TV_STR;
		e->lit.s = arena_strndup(ps->arena, sb.buf, sb.len);
		e->lit.slen = sb.len;
		strbuf_release(&sb);
		return e;
	}
	if (isdigit((unsigned char)*ps->p)) {
		char *endp;
		e = new_expr(ps, TE_LIT);
		e->lit.k = TV_NUM;
		errno = 0;
		e->lit.num = strtod(ps->p, &endp);
		ps->p = endp;
		return e;
	}
	if (eat(ps, "(")) {
		e = parse_expr(ps);
		if (!e)
			return NULL;
		if (!eat(ps, ")")) {
			perr(ps, "expected ')'%s", "");
			return NULL;
		}
		return e;
	}
	if (eat(ps, "[")) {
		e = new_expr(ps, TE_LIST);
		if (!eat(ps, "]")) {
			do {
				struct texpr *a = parse_expr(ps);
				if (!a)
					return NULL;
				add_arg(ps, e, a);
			} while (eat(ps, ","));
			if (!eat(ps, "]")) {
				perr(ps, "expected ']'%s", "");
				return NULL;
			}
		}
		return e;
	}
	if (eat(ps, "-")) {
		e = new_expr(ps, TE_NEG);
		struct texpr *a = parse_primary(ps);
		if (!a)
			return NULL;
		add_arg(ps, e, a);
		return e;
	}
	e = new_expr(ps, TE_NAME);
	id = ident(ps);
	if (!id) {
		perr(ps, "unexpected '%.1s' in expression", ps->p);
		return NULL;
	}
	if (!strcmp(id, "true") || !strcmp(id, "True") || !strcmp(id, "false") || !strcmp(id, "False")) {
		e->kind = TE_LIT;
		e->lit.k = TV_BOOL;
		e->lit.b = id[0] == 't' || id[0] == 'T';
	} else if (!strcmp(id, "none") || !strcmp(id, "None")) {
		e->kind = TE_LIT;
		e->lit.k = TV_NONE;
	} else {
		e->name = id;
	}
	return e;
}

static struct texpr *parse_postfix(struct tparser *ps)
{
	struct texpr *e = parse_primary(ps);
	while (e) {
		if (eat(ps, ".")) {
			struct texpr *a = new_expr(ps, TE_ATTR);
			a->name = ident(ps);
			if (!a->name) {
				perr(ps, "expected an attribute name after '.'%s", "");
				return NULL;
			}
			add_arg(ps, a, e);
			e = a;
		} else if (eat(ps, "[")) {
			struct texpr *a = new_expr(ps, TE_INDEX);
			struct texpr *i = parse_expr(ps);
			if (!i)
				return NULL;
			if (!eat(ps, "]")) {
				perr(ps, "expected ']'%s", "");
				return NULL;
			}
			add_arg(ps, a, e);
			add_arg(ps, a, i);
			e = a;
		} else {
			break;
		}
	}
	return e;
}

static struct texpr *parse_filtered(struct tparser *ps)
{
	struct texpr *e = parse_postfix(ps);
	while (e) {
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == '|' && !(ps->p + 1 < ps->end && ps->p[1] == '|')) {
			struct texpr *f;
			ps->p++;
			skip_ws(ps);
			f = new_expr(ps, TE_FILTER);
			f->name = ident(ps);
			if (!f->name) {
				perr(ps, "expected a filter name after '|'%s", "");
				return NULL;
			}
			add_arg(ps, f, e);
			if (eat(ps, "(")) {
				if (!eat(ps, ")")) {
					do {
						struct texpr *a = parse_expr(ps);
						if (!a)
							return NULL;
						add_arg(ps, f, a);
					} while (eat(ps, ","));
					if (!eat(ps, ")")) {
						perr(ps, "expected ')' after filter arguments%s", "");
						return NULL;
					}
				}
			}
			e = f;
		} else if (at_word(ps, "is")) {
			struct texpr *t;
			ps->p += 2;
			t = new_expr(ps, TE_TEST);
			t->negated = eat_word(ps, "not");
			t->name = ident(ps);
			if (!t->name) {
				perr(ps, "expected a test name after 'is'%s", "");
				return NULL;
			}
			add_arg(ps, t, e);
			e = t;
		} else {
			break;
		}
	}
	return e;
}

static struct texpr *parse_mul(struct tparser *ps)
{
	struct texpr *e = parse_filtered(ps);
	while (e) {
		char op;
		skip_ws(ps);
		if (ps->p < ps->end && (*ps->p == '*' || *ps->p == '/' || *ps->p == '%')) {
			struct texpr *b = new_expr(ps, TE_ARITH);
			op = *ps->p++;
			b->op[0] = op;
			add_arg(ps, b, e);
			e = parse_filtered(ps);
			if (!e)
				return NULL;
			add_arg(ps, b, e);
			e = b;
		} else {
			break;
		}
	}
	return e;
}

static struct texpr *parse_add(struct tparser *ps)
{
	struct texpr *e = parse_mul(ps);
	while (e) {
		skip_ws(ps);
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-' || *ps->p == '~')) {
			struct texpr *b = new_expr(ps, *ps->p == '~' ? TE_CONCAT : TE_ARITH);
			char op = *ps->p++;
			b->op[0] = op;
			add_arg(ps, b, e);
			e = parse_mul(ps);
			if (!e)
				return NULL;
			add_arg(ps, b, e);
			e = b;
		} else {
			break;
		}
	}
	return e;
}

static struct texpr *parse_cmp(struct tparser *ps)
{
	static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">"};
	struct texpr *e = parse_add(ps);
	if (!e)
		return NULL;
	for (;;) {
		bool matched = false;
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			if (eat(ps, ops[i])) {
				struct texpr *c = new_expr(ps, TE_CMP);
				struct texpr *b;
				memcpy(c->op, ops[i], strlen(ops[i]));
				add_arg(ps, c, e);
				b = parse_add(ps);
				if (!b)
					return NULL;
				add_arg(ps, c, b);
				e = c;
				matched = true;
				break;
			}
		}
		if (matched)
			continue;
		{
			const char *save = ps->p;
			bool neg = eat_word(ps, "not");
			if (eat_word(ps, "in")) {
				struct texpr *c = new_expr(ps, TE_IN);
				struct texpr *b;
				c->negated = neg;
				add_arg(ps, c, e);
				b = parse_add(ps);
				if (!b)
					return NULL;
				add_arg(ps, c, b);
				e = c;
				continue;
			}
			ps->p = save;
		}
		break;
	}
	return e;
}

static struct texpr *parse_not(struct tparser *ps)
{
	if (eat_word(ps, "not")) {
		struct texpr *n = new_expr(ps, TE_NOT);
		struct texpr *a = parse_not(ps);
		if (!a)
			return NULL;
		add_arg(ps, n, a);
		return n;
	}
	return parse_cmp(ps);
}

static struct texpr *parse_and(struct tparser *ps)
{
	struct texpr *e = parse_not(ps);
	while (e && eat_word(ps, "and")) {
		struct texpr *b = new_expr(ps, TE_AND);
		add_arg(ps, b, e);
		e = parse_not(ps);
		if (!e)
			return NULL;
		add_arg(ps, b, e);
		e = b;
	}
	return e;
}

static struct texpr *parse_or(struct tparser *ps)
{
	struct texpr *e = parse_and(ps);
	while (e && eat_word(ps, "or")) {
		struct texpr *b = new_expr(ps, TE_OR);
		add_arg(ps, b, e);
		e = parse_and(ps);
		if (!e)
			return NULL;
		add_arg(ps, b, e);
		e = b;
	}
	return e;
}

static struct texpr *parse_expr(struct tparser *ps)
{
	struct texpr *e = parse_or(ps);
	if (e && eat_word(ps, "if")) {
		struct texpr *c = new_expr(ps, TE_COND);
		struct texpr *cond = parse_or(ps), *other = NULL;
		if (!cond)
			return NULL;
		if (eat_word(ps, "else")) {
			other = parse_expr(ps);
			if (!other)
				return NULL;
		} else {
			other = new_expr(ps, TE_LIT);
			other->lit.k = TV_STR;
			other->lit.s = "";
		}
		add_arg(ps, c, cond);
		add_arg(ps, c, e);
		add_arg(ps, c, other);
		e = c;
	}
	return e;
}

static void begin_tag(struct tparser *ps, const struct ttok *t)
{
	ps->p = t->start;
	ps->end = t->start + t->len;
	ps->base = t->inner_loc;
	ps->base_ptr = t->start;
}

static int end_tag(struct tparser *ps)
{
	skip_ws(ps);
	if (ps->p < ps->end)
		return perr(ps, "unexpected '%s' at the end of the tag",
			    arena_strndup(ps->arena, ps->p, (size_t)(ps->end - ps->p)));
	return 0;
}

/* ---------- statement parser ---------- */

struct body {
	struct tnode **items;
	size_t n, cap;
};

static void body_add(struct tparser *ps, struct body *b, struct tnode *n)
{
	b->items = arena_grow_array(ps->arena, b->items, sizeof(*b->items), &b->cap, b->n + 1);
	b->items[b->n++] = n;
}

/* The keyword of a block token, without consuming anything. */
static bool block_is(struct tparser *ps, const struct ttok *t, const char *kw)
{
	if (t->kind != TT_BLOCK)
		return false;
	begin_tag(ps, t);
	return at_word(ps, kw);
}

/*
 * Parses nodes until a block tag whose keyword is one of `stops` (NULL
 * terminated) or the end.  Returns the index of the stop keyword matched, -1
 * at end of input, -2 on error.
 */
static int parse_body(struct tparser *ps, struct body *out, const char *const *stops);

static struct tnode *new_node(struct tparser *ps, enum tnode_kind k, const struct ttok *t)
{
	struct tnode *n = arena_alloc(ps->arena, sizeof(*n));
	n->kind = k;
	n->loc = t->loc;
	return n;
}

static int parse_if(struct tparser *ps, const struct ttok *t, struct tnode **out)
{
	static const char *const stops[] = {"elif", "else", "endif", NULL};
	struct tnode *n = new_node(ps, TN_IF, t);
	size_t cap_c = 0, cap_b = 0, cap_l = 0;
	struct texpr *cond;

	begin_tag(ps, t);
	eat_word(ps, "if");
	cond = parse_expr(ps);
	if (!cond || end_tag(ps))
		return -1;
	for (;;) {
		struct body b = {0};
		int stop = parse_body(ps, &b, stops);
		if (stop == -2)
			return -1;
		if (cond) {
			n->conds = arena_grow_array(ps->arena, n->conds, sizeof(*n->conds), &cap_c, n->n_conds + 1);
			n->bodies = arena_grow_array(ps->arena, n->bodies, sizeof(*n->bodies), &cap_b, n->n_conds + 1);
			n->body_lens = arena_grow_array(ps->arena, n->body_lens, sizeof(*n->body_lens), &cap_l,
							n->n_conds + 1);
			n->conds[n->n_conds] = cond;
			n->bodies[n->n_conds] = b.items;
			n->body_lens[n->n_conds] = b.n;
			n->n_conds++;
		} else {
			n->else_body = b.items;
			n->n_else = b.n;
		}
		if (stop == -1) {
			diag_error(ps->diags, &t->loc, "'if' block is never closed (expected '{%% endif %%}')");
			return -1;
		}
		{
			const struct ttok *st = &ps->toks[ps->pos++];
			begin_tag(ps, st);
			if (stop == 0) {
				if (!cond) {
					diag_error(ps->diags, &st->loc, "'elif' after 'else'");
					return -1;
				}
				eat_word(ps, "elif");
				cond = parse_expr(ps);
				if (!cond || end_tag(ps))
					return -1;
			} else if (stop == 1) {
				if (!cond) {
					diag_error(ps->diags, &st->loc, "second 'else' in one 'if' block");
					return -1;
				}
				eat_word(ps, "else");
				if (end_tag(ps))
					return -1;
				cond = NULL;
			} else {
				eat_word(ps, "endif");
				if (end_tag(ps))
					return -1;
				break;
			}
		}
	}
	*out = n;
	return 0;
}

static int parse_for(struct tparser *ps, const struct ttok *t, struct tnode **out)
{
	static const char *const stops[] = {"else", "endfor", NULL};
	struct tnode *n = new_node(ps, TN_FOR, t);
	struct body b = {0}, e = {0};
	int stop;

	begin_tag(ps, t);
	eat_word(ps, "for");
	n->var1 = ident(ps);
	if (!n->var1)
		return perr(ps, "expected a loop variable after 'for'%s", "");
	if (eat(ps, ",")) {
		n->var2 = ident(ps);
		if (!n->var2)
			return perr(ps, "expected a second loop variable after ','%s", "");
	}
	if (!eat_word(ps, "in"))
		return perr(ps, "expected 'in' in 'for' tag%s", "");
	n->expr = parse_expr(ps);
	if (!n->expr || end_tag(ps))
		return -1;
	stop = parse_body(ps, &b, stops);
	if (stop == -2)
		return -1;
	if (stop == 0) {
		begin_tag(ps, &ps->toks[ps->pos++]);
		eat_word(ps, "else");
		if (end_tag(ps))
			return -1;
		stop = parse_body(ps, &e, stops + 1);
		if (stop == -2)
			return -1;
		if (stop == 0)
			stop = 1;
	}
	if (stop == -1) {
		diag_error(ps->diags, &t->loc, "'for' block is never closed (expected '{%% endfor %%}')");
		return -1;
	}
	begin_tag(ps, &ps->toks[ps->pos++]);
	eat_word(ps, "endfor");
	if (end_tag(ps))
		return -1;
	n->body = b.items;
	n->n_body = b.n;
	n->else_body = e.items;
	n->n_else = e.n;
	*out = n;
	return 0;
}

static int parse_body(struct tparser *ps, struct body *out, const char *const *stops)
{
	while (ps->pos < ps->n_toks) {
		const struct ttok *t = &ps->toks[ps->pos];
		struct tnode *n = NULL;
		if (t->kind == TT_EOF)
			return -1;
		if (t->kind == TT_TEXT) {
			n = new_node(ps, TN_TEXT, t);
			n->text = t->start;
			n->len = t->len;
			ps->pos++;
		} else if (t->kind == TT_VAR) {
			n = new_node(ps, TN_OUTPUT, t);
			begin_tag(ps, t);
			n->expr = parse_expr(ps);
			if (!n->expr || end_tag(ps))
				return -2;
			ps->pos++;
		} else {
			const char *kw;
			for (size_t i = 0; stops && stops[i]; i++)
				if (block_is(ps, t, stops[i]))
					return (int)i;
			begin_tag(ps, t);
			skip_ws(ps);
			{
				const char *save = ps->p;
				kw = ident(ps);
				ps->p = save;
			}
			ps->pos++;
			if (!kw) {
				perr(ps, "expected a statement keyword in '{%%' tag%s", "");
				return -2;
			}
			if (!strcmp(kw, "if")) {
				if (parse_if(ps, t, &n))
					return -2;
			} else if (!strcmp(kw, "for")) {
				if (parse_for(ps, t, &n))
					return -2;
			} else if (!strcmp(kw, "set")) {
				n = new_node(ps, TN_SET, t);
				eat_word(ps, "set");
				n->var1 = ident(ps);
				if (!n->var1 || !eat(ps, "=")) {
					perr(ps, "expected 'set name = value'%s", "");
					return -2;
				}
				n->expr = parse_expr(ps);
				if (!n->expr || end_tag(ps))
					return -2;
			} else if (!strcmp(kw, "include")) {
				n = new_node(ps, TN_INCLUDE, t);
				eat_word(ps, "include");
				n->expr = parse_expr(ps);
				if (!n->expr || end_tag(ps))
					return -2;
			} else {
				static const char *const known[] = {"if", "elif", "else", "endif", "for",
								    "endfor", "set", "include"};
				const char *hint = diag_closest(kw, known, sizeof(known) / sizeof(known[0]));
				if (hint && strcmp(hint, kw) != 0)
					diag_error(ps->diags, &t->loc, "unknown tag '%s' (did you mean '%s'?)", kw, hint);
				else
					diag_error(ps->diags, &t->loc, "unexpected tag '%s' here", kw);
				return -2;
			}
		}
		body_add(ps, out, n);
	}
	return -1;
}

/* ---------- evaluation ---------- */

struct scope_var {
	const char *name;
	struct tval v;
};

struct render {
	struct arena *arena;
	struct diags *diags;
	const struct template_env *env;
	const cJSON *ctx;
	struct scope_var *vars;
	size_t n_vars, cap_vars;
	int depth;
	struct loop_state loops[64];
	int n_loops;
};

static int eval(struct render *r, const struct texpr *e, struct tval *out);

static struct tval from_json(const cJSON *j)
{
	struct tval v = {0};
	if (!j) {
		v.k = TV_UNDEF;
	} else if (cJSON_IsNull(j)) {
		v.k = TV_NONE;
	} else if (cJSON_IsBool(j)) {
		v.k = TV_BOOL;
		v.b = cJSON_IsTrue(j);
	} else if (cJSON_IsNumber(j)) {
		v.k = TV_NUM;
		v.num = j->valuedouble;
	} else if (cJSON_IsString(j) || cJSON_IsRaw(j)) {
		v.k = TV_STR;
		v.s = j->valuestring;
		v.slen = strlen(j->valuestring);
	} else {
		v.k = TV_JSON;
		v.j = j;
	}
	return v;
}

static void format_num(struct strbuf *sb, double d)
{
	if (d == floor(d) && fabs(d) < 9007199254740992.0)
		strbuf_addf(sb, "%.0f", d);
	else
		strbuf_addf(sb, "%.17g", d);
}

static void to_text(struct render *r, struct strbuf *sb, const struct tval *v);

static void json_text(struct strbuf *sb, const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	if (s) {
		strbuf_addstr(sb, s);
		cJSON_free(s);
	}
}

static void to_text(struct render *r, struct strbuf *sb, const struct tval *v)
{
	switch (v->k) {
	case TV_UNDEF:
	case TV_NONE:
		strbuf_addstr(sb, v->k == TV_NONE ? "None" : "");
		break;
	case TV_BOOL:
		strbuf_addstr(sb, v->b ? "True" : "False");
		break;
	case TV_NUM:
		format_num(sb, v->num);
		break;
	case TV_STR:
		strbuf_add(sb, v->s, v->slen);
		break;
	case TV_JSON:
		json_text(sb, v->j);
		break;
	case TV_LIST:
		strbuf_addch(sb, '[');
		for (size_t i = 0; i < v->n_items; i++) {
			if (i)
				strbuf_addstr(sb, ", ");
			to_text(r, sb, &v->items[i]);
		}
		strbuf_addch(sb, ']');
		break;
	case TV_LOOP:
		strbuf_addstr(sb, "<loop>");
		break;
	}
}

static struct tval make_str(struct render *r, const char *s, size_t n)
{
	struct tval v = {0};
	v.k = TV_STR;
	v.s = arena_strndup(r->arena, s, n);
	v.slen = n;
	return v;
}

static struct tval text_of(struct render *r, const struct tval *v)
{
	struct strbuf sb = STRBUF_INIT;
	struct tval res;
	to_text(r, &sb, v);
	res = make_str(r, sb.buf, sb.len);
	strbuf_release(&sb);
	return res;
}

static bool truthy(const struct tval *v)
{
	switch (v->k) {
	case TV_UNDEF:
	case TV_NONE: return false;
	case TV_BOOL: return v->b;
	case TV_NUM: return v->num != 0;
	case TV_STR: return v->slen != 0;
	case TV_JSON: return cJSON_GetArraySize(v->j) != 0;
	case TV_LIST: return v->n_items != 0;
	case TV_LOOP: return true;
	}
	return false;
}

static const char *kind_name(enum tv_kind k)
{
	switch (k) {
	case TV_UNDEF: return "undefined";
	case TV_NONE: return "none";
	case TV_BOOL: return "boolean";
	case TV_NUM: return "number";
	case TV_STR: return "string";
	case TV_JSON: return "mapping or sequence";
	case TV_LIST: return "sequence";
	case TV_LOOP: return "loop";
	}
	return "?";
}

static int undefined_error(struct render *r, const struct texpr *e, const struct tval *v)
{
	return diag_error(r->diags, &e->loc, "'%s' is undefined", v->undef_name ? v->undef_name : "value");
}

/* Number of items of a sequence-like value; -1 if not a sequence or mapping. */
static long seq_len(const struct tval *v)
{
	if (v->k == TV_LIST)
		return (long)v->n_items;
	if (v->k == TV_JSON)
		return cJSON_GetArraySize(v->j);
	return -1;
}

static struct tval seq_item(const struct tval *v, long i)
{
	if (v->k == TV_LIST)
		return v->items[i];
	return from_json(cJSON_GetArrayItem(v->j, (int)i));
}

static bool values_equal(struct render *r, const struct tval *a, const struct tval *b)
{
	if (a->k == TV_NUM && b->k == TV_NUM)
		return a->num == b->num;
	if (a->k == TV_BOOL && b->k == TV_BOOL)
		return a->b == b->b;
	if (a->k == TV_NONE || b->k == TV_NONE)
		return a->k == b->k;
	if (a->k == TV_STR && b->k == TV_STR)
		return a->slen == b->slen && memcmp(a->s, b->s, a->slen) == 0;
	if (a->k == TV_JSON && b->k == TV_JSON)
		return cJSON_Compare(a->j, b->j, 1);
	(void)r;
	return false;
}

static void py_repr_str(struct strbuf *sb, const char *s, size_t n)
{
	bool has_single = memchr(s, '\'', n) != NULL, has_double = memchr(s, '"', n) != NULL;
	char q = has_single && !has_double ? '"' : '\'';
	strbuf_addch(sb, q);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == (unsigned char)q || c == '\\') {
			strbuf_addch(sb, '\\');
			strbuf_addch(sb, (char)c);
		} else if (c == '\n') {
			strbuf_addstr(sb, "\\n");
		} else if (c == '\t') {
			strbuf_addstr(sb, "\\t");
		} else if (c == '\r') {
			strbuf_addstr(sb, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			strbuf_addf(sb, "\\x%02x", c);
		} else {
			strbuf_addch(sb, (char)c);
		}
	}
	strbuf_addch(sb, q);
}

static void py_repr_json(struct strbuf *sb, const cJSON *j)
{
	if (cJSON_IsNull(j)) {
		strbuf_addstr(sb, "None");
	} else if (cJSON_IsBool(j)) {
		strbuf_addstr(sb, cJSON_IsTrue(j) ? "True" : "False");
	} else if (cJSON_IsNumber(j)) {
		format_num(sb, j->valuedouble);
	} else if (cJSON_IsRaw(j)) {
		strbuf_addstr(sb, j->valuestring);
	} else if (cJSON_IsString(j)) {
		py_repr_str(sb, j->valuestring, strlen(j->valuestring));
	} else if (cJSON_IsArray(j)) {
		const cJSON *c;
		bool first = true;
		strbuf_addch(sb, '[');
		cJSON_ArrayForEach(c, j) {
			if (!first)
				strbuf_addstr(sb, ", ");
			first = false;
			py_repr_json(sb, c);
		}
		strbuf_addch(sb, ']');
	} else if (cJSON_IsObject(j)) {
		const cJSON *c;
		bool first = true;
		strbuf_addch(sb, '{');
		cJSON_ArrayForEach(c, j) {
			if (!first)
				strbuf_addstr(sb, ", ");
			first = false;
			py_repr_str(sb, c->string, strlen(c->string));
			strbuf_addstr(sb, ": ");
			py_repr_json(sb, c);
		}
		strbuf_addch(sb, '}');
	}
}

static void py_repr(struct render *r, struct strbuf *sb, const struct tval *v)
{
	switch (v->k) {
	case TV_STR: py_repr_str(sb, v->s, v->slen); break;
	case TV_JSON: py_repr_json(sb, v->j); break;
	case TV_LIST:
		strbuf_addch(sb, '[');
		for (size_t i = 0; i < v->n_items; i++) {
			if (i)
				strbuf_addstr(sb, ", ");
			py_repr(r, sb, &v->items[i]);
		}
		strbuf_addch(sb, ']');
		break;
	default: to_text(r, sb, v); break;
	}
}

static void sql_str(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_addch(sb, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			strbuf_addch(sb, '\'');
		strbuf_addch(sb, s[i]);
	}
	strbuf_addch(sb, '\'');
}

static int want_args(struct render *r, const struct texpr *e, size_t lo, size_t hi)
{
	size_t n = e->n_args - 1;
	if (n < lo || n > hi) {
		if (lo == hi)
			return diag_error(r->diags, &e->loc, "filter '%s' takes %zu argument%s, got %zu", e->name,
					  lo, lo == 1 ? "" : "s", n);
		return diag_error(r->diags, &e->loc, "filter '%s' takes %zu to %zu arguments, got %zu", e->name,
				  lo, hi, n);
	}
	return 0;
}

static const char *const filter_names[] = {
	"upper", "lower", "length", "count", "join", "default", "indent", "replace", "tojson",
	"pyrepr", "sqlstr", "trim", "first", "last", "int", "string", "title", "capitalize",
	"items", "keys", "list", "round", "abs", "center"};

static int apply_filter(struct render *r, const struct texpr *e, struct tval *out)
{
	struct tval in, a[3] = {{0}};
	const char *f = e->name;
	struct strbuf sb = STRBUF_INIT;
	int ret = -1;

	if (eval(r, e->args[0], &in))
		return -1;
	for (size_t i = 1; i < e->n_args && i <= 3; i++)
		if (eval(r, e->args[i], &a[i - 1]))
			return -1;
	if (in.k == TV_UNDEF && strcmp(f, "default") != 0)
		return undefined_error(r, e->args[0], &in);

	if (!strcmp(f, "upper") || !strcmp(f, "lower") || !strcmp(f, "title") || !strcmp(f, "capitalize")) {
		struct tval t;
		if (want_args(r, e, 0, 0))
			goto done;
		t = text_of(r, &in);
		{
			char *s = (char *)t.s;
			bool start = true;
			for (size_t i = 0; i < t.slen; i++) {
				unsigned char c = (unsigned char)s[i];
				if (f[0] == 'u')
					s[i] = (char)toupper(c);
				else if (f[0] == 'l')
					s[i] = (char)tolower(c);
				else if (f[0] == 't')
					s[i] = (char)(start ? toupper(c) : tolower(c));
				else
					s[i] = (char)(i == 0 ? toupper(c) : tolower(c));
				start = !isalnum(c);
			}
		}
		*out = t;
	} else if (!strcmp(f, "length") || !strcmp(f, "count")) {
		long n;
		if (want_args(r, e, 0, 0))
			goto done;
		n = in.k == TV_STR ? (long)in.slen : seq_len(&in);
		if (n < 0) {
			diag_error(r->diags, &e->loc, "filter '%s' needs a string or a sequence, got %s", f,
				   kind_name(in.k));
			goto done;
		}
		out->k = TV_NUM;
		out->num = (double)n;
	} else if (!strcmp(f, "join")) {
		long n = seq_len(&in);
		struct tval sep = {0};
		if (want_args(r, e, 0, 1))
			goto done;
		if (n < 0) {
			diag_error(r->diags, &e->loc, "filter 'join' needs a sequence, got %s", kind_name(in.k));
			goto done;
		}
		if (e->n_args > 1)
			sep = text_of(r, &a[0]);
		for (long i = 0; i < n; i++) {
			struct tval it = seq_item(&in, i);
			if (i && sep.slen)
				strbuf_add(&sb, sep.s, sep.slen);
			to_text(r, &sb, &it);
		}
		*out = make_str(r, sb.buf, sb.len);
	} else if (!strcmp(f, "default")) {
		if (want_args(r, e, 1, 1))
			goto done;
		*out = (in.k == TV_UNDEF || in.k == TV_NONE) ? a[0] : in;
	} else if (!strcmp(f, "indent")) {
		/* indent(width, first=false): indent every line but the first (and empty lines not) */
		struct tval t = text_of(r, &in);
		int width = 4;
		bool first = false;
		if (want_args(r, e, 0, 2))
			goto done;
		if (e->n_args > 1)
			width = (int)a[0].num;
		if (e->n_args > 2)
			first = truthy(&a[1]);
		for (size_t i = 0; i < t.slen; i++) {
			bool line_start = i == 0 ? first : t.s[i - 1] == '\n';
			if (line_start && t.s[i] != '\n')
				strbuf_addchars(&sb, ' ', (size_t)width);
			strbuf_addch(&sb, t.s[i]);
		}
		*out = make_str(r, sb.buf, sb.len);
	} else if (!strcmp(f, "replace")) {
		struct tval t = text_of(r, &in), from, to;
		if (want_args(r, e, 2, 2))
			goto done;
		from = text_of(r, &a[0]);
		to = text_of(r, &a[1]);
		for (size_t i = 0; i < t.slen;) {
			if (from.slen && i + from.slen <= t.slen && !memcmp(t.s + i, from.s, from.slen)) {
				strbuf_add(&sb, to.s, to.slen);
				i += from.slen;
			} else {
				strbuf_addch(&sb, t.s[i++]);
			}
		}
		*out = make_str(r, sb.buf, sb.len);
	} else if (!strcmp(f, "tojson")) {
		if (want_args(r, e, 0, 0))
			goto done;
		if (in.k == TV_STR) {
			cJSON *tmp = cJSON_CreateString(in.s);
			json_text(&sb, tmp);
			cJSON_Delete(tmp);
		} else if (in.k == TV_NONE) {
			strbuf_addstr(&sb, "null");
		} else if (in.k == TV_BOOL) {
			strbuf_addstr(&sb, in.b ? "true" : "false");
		} else {
			to_text(r, &sb, &in);
		}
		*out = make_str(r, sb.buf, sb.len);
	} else if (!strcmp(f, "pyrepr")) {
		if (want_args(r, e, 0, 0))
			goto done;
		py_repr(r, &sb, &in);
		*out = make_str(r, sb.buf, sb.len);
	} else if (!strcmp(f, "sqlstr")) {
		struct tval t = text_of(r, &in);
		if (want_args(r, e, 0, 0))
			goto done;
		sql_str(&sb, t.s, t.slen);
		*out = make_str(r, sb.buf, sb.len);
	} else if (!strcmp(f, "trim")) {
		struct tval t = text_of(r, &in);
		size_t s = 0, n = t.slen;
		if (want_args(r, e, 0, 0))
			goto done;
		while (s < n && isspace((unsigned char)t.s[s]))
			s++;
		while (n > s && isspace((unsigned char)t.s[n - 1]))
			n--;
		*out = make_str(r, t.s + s, n - s);
	} else if (!strcmp(f, "first") || !strcmp(f, "last")) {
		long n = seq_len(&in);
		if (want_args(r, e, 0, 0))
			goto done;
		if (n <= 0) {
			diag_error(r->diags, &e->loc, "filter '%s' needs a non-empty sequence", f);
			goto done;
		}
		*out = seq_item(&in, f[0] == 'f' ? 0 : n - 1);
	} else if (!strcmp(f, "int") || !strcmp(f, "round") || !strcmp(f, "abs")) {
		double d;
		if (want_args(r, e, 0, 0))
			goto done;
		if (in.k == TV_NUM) {
			d = in.num;
		} else {
			struct tval t = text_of(r, &in);
			d = strtod(t.s, NULL);
		}
		out->k = TV_NUM;
		out->num = f[0] == 'i' ? trunc(d) : f[0] == 'r' ? floor(d + 0.5) : fabs(d);
	} else if (!strcmp(f, "string")) {
		if (want_args(r, e, 0, 0))
			goto done;
		*out = text_of(r, &in);
	} else if (!strcmp(f, "items") || !strcmp(f, "keys") || !strcmp(f, "list")) {
		long n = seq_len(&in);
		if (want_args(r, e, 0, 0))
			goto done;
		if (n < 0) {
			diag_error(r->diags, &e->loc, "filter '%s' needs a mapping or sequence, got %s", f,
				   kind_name(in.k));
			goto done;
		}
		out->k = TV_LIST;
		out->n_items = (size_t)n;
		out->items = arena_calloc(r->arena, (size_t)n + 1, sizeof(struct tval));
		for (long i = 0; i < n; i++) {
			const cJSON *c = in.k == TV_JSON ? cJSON_GetArrayItem(in.j, (int)i) : NULL;
			if (f[0] == 'k' && c && c->string) {
				out->items[i] = make_str(r, c->string, strlen(c->string));
			} else if (f[0] == 'i' && c && c->string) {
				struct tval *pair = arena_calloc(r->arena, 2, sizeof(*pair));
				pair[0] = make_str(r, c->string, strlen(c->string));
				pair[1] = from_json(c);
				out->items[i].k = TV_LIST;
				out->items[i].items = pair;
				out->items[i].n_items = 2;
			} else {
				out->items[i] = seq_item(&in, i);
			}
		}
	} else if (!strcmp(f, "center")) {
		struct tval t = text_of(r, &in);
		size_t w;
		if (want_args(r, e, 1, 1))
			goto done;
		w = (size_t)a[0].num;
		if (t.slen < w) {
			size_t pad = w - t.slen, left = pad / 2;
			strbuf_addchars(&sb, ' ', left);
			strbuf_add(&sb, t.s, t.slen);
			strbuf_addchars(&sb, ' ', pad - left);
		} else {
			strbuf_add(&sb, t.s, t.slen);
		}
		*out = make_str(r, sb.buf, sb.len);
	} else {
		const char *hint = diag_closest(f, filter_names, sizeof(filter_names) / sizeof(filter_names[0]));
		if (hint)
			diag_error(r->diags, &e->loc, "unknown filter '%s' (did you mean '%s'?)", f, hint);
		else
			diag_error(r->diags, &e->loc, "unknown filter '%s'", f);
		goto done;
	}
	ret = 0;
done:
	strbuf_release(&sb);
	return ret;
}

static struct tval lookup(struct render *r, const char *name)
{
	struct tval v = {0};
	for (size_t i = r->n_vars; i-- > 0;)
		if (!strcmp(r->vars[i].name, name))
			return r->vars[i].v;
	v = from_json(cJSON_GetObjectItemCaseSensitive(r->ctx, name));
	if (v.k == TV_UNDEF)
		v.undef_name = name;
	return v;
}

static void push_var(struct render *r, const char *name, struct tval v)
{
	r->vars = arena_grow_array(r->arena, r->vars, sizeof(*r->vars), &r->cap_vars, r->n_vars + 1);
	r->vars[r->n_vars].name = name;
	r->vars[r->n_vars].v = v;
	r->n_vars++;
}

static int eval(struct render *r, const struct texpr *e, struct tval *out)
{
	struct tval a, b;
	memset(out, 0, sizeof(*out));
	switch (e->kind) {
	case TE_LIT:
		*out = e->lit;
		return 0;
	case TE_NAME:
		*out = lookup(r, e->name);
		return 0;
	case TE_ATTR:
		if (eval(r, e->args[0], &a))
			return -1;
		if (a.k == TV_LOOP) {
			const struct loop_state *l = a.loop;
			out->k = TV_NUM;
			if (!strcmp(e->name, "index")) {
				out->num = (double)(l->index0 + 1);
			} else if (!strcmp(e->name, "index0")) {
				out->num = (double)l->index0;
			} else if (!strcmp(e->name, "length")) {
				out->num = (double)l->length;
			} else if (!strcmp(e->name, "first") || !strcmp(e->name, "last")) {
				out->k = TV_BOOL;
				out->b = e->name[0] == 'f' ? l->index0 == 0 : l->index0 + 1 == l->length;
			} else if (!strcmp(e->name, "revindex")) {
				out->num = (double)(l->length - l->index0);
			} else {
				return diag_error(r->diags, &e->loc, "'loop' has no attribute '%s'", e->name);
			}
			return 0;
		}
		if (a.k == TV_UNDEF)
			return undefined_error(r, e->args[0], &a);
		if (a.k == TV_JSON && cJSON_IsObject(a.j)) {
			*out = from_json(cJSON_GetObjectItemCaseSensitive(a.j, e->name));
			if (out->k == TV_UNDEF)
				out->undef_name = arena_strdup(r->arena, e->name);
			return 0;
		}
		out->k = TV_UNDEF;
		out->undef_name = e->name;
		return 0;
	case TE_INDEX:
		if (eval(r, e->args[0], &a) || eval(r, e->args[1], &b))
			return -1;
		if (a.k == TV_UNDEF)
			return undefined_error(r, e->args[0], &a);
		if (b.k == TV_NUM) {
			long n = seq_len(&a), i = (long)b.num;
			if (i < 0)
				i += n;
			if (n < 0 || i < 0 || i >= n)
				return diag_error(r->diags, &e->loc, "index %ld out of range", (long)b.num);
			*out = seq_item(&a, i);
			return 0;
		}
		if (b.k == TV_STR && a.k == TV_JSON) {
			*out = from_json(cJSON_GetObjectItemCaseSensitive(a.j, b.s));
			if (out->k == TV_UNDEF)
				out->undef_name = b.s;
			return 0;
		}
		return diag_error(r->diags, &e->loc, "cannot index a %s with a %s", kind_name(a.k), kind_name(b.k));
	case TE_FILTER:
		return apply_filter(r, e, out);
	case TE_NOT:
		if (eval(r, e->args[0], &a))
			return -1;
		out->k = TV_BOOL;
		out->b = !truthy(&a);
		return 0;
	case TE_AND:
	case TE_OR:
		if (eval(r, e->args[0], &a))
			return -1;
		if ((e->kind == TE_AND) != truthy(&a)) {
			*out = a;
			return 0;
		}
		return eval(r, e->args[1], out);
	case TE_COND:
		if (eval(r, e->args[0], &a))
			return -1;
		return eval(r, e->args[truthy(&a) ? 1 : 2], out);
	case TE_CMP:
		if (eval(r, e->args[0], &a) || eval(r, e->args[1], &b))
			return -1;
		out->k = TV_BOOL;
		if (!strcmp(e->op, "==") || !strcmp(e->op, "!=")) {
			out->b = values_equal(r, &a, &b) == (e->op[0] == '=');
			return 0;
		}
		if (a.k == TV_NUM && b.k == TV_NUM) {
			double x = a.num, y = b.num;
			out->b = e->op[0] == '<' ? (e->op[1] ? x <= y : x < y) : (e->op[1] ? x >= y : x > y);
			return 0;
		}
		if (a.k == TV_STR && b.k == TV_STR) {
			int c = strcmp(a.s, b.s);
			out->b = e->op[0] == '<' ? (e->op[1] ? c <= 0 : c < 0) : (e->op[1] ? c >= 0 : c > 0);
			return 0;
		}
		return diag_error(r->diags, &e->loc, "cannot compare %s with %s", kind_name(a.k), kind_name(b.k));
	case TE_IN: {
		long n;
		bool found = false;
		if (eval(r, e->args[0], &a) || eval(r, e->args[1], &b))
			return -1;
		if (b.k == TV_STR) {
			struct tval t = text_of(r, &a);
			found = strstr(b.s, t.s) != NULL;
		} else if (b.k == TV_JSON && cJSON_IsObject(b.j)) {
			struct tval t = text_of(r, &a);
			found = cJSON_GetObjectItemCaseSensitive(b.j, t.s) != NULL;
		} else if ((n = seq_len(&b)) >= 0) {
			for (long i = 0; i < n && !found; i++) {
				struct tval it = seq_item(&b, i);
				found = values_equal(r, &a, &it);
			}
		} else {
			return diag_error(r->diags, &e->loc, "'in' needs a string, mapping or sequence on the right, got %s",
					  kind_name(b.k));
		}
		out->k = TV_BOOL;
		out->b = found != e->negated;
		return 0;
	}
	case TE_CONCAT: {
		struct strbuf sb = STRBUF_INIT;
		if (eval(r, e->args[0], &a) || eval(r, e->args[1], &b))
			return -1;
		if (a.k == TV_UNDEF)
			return undefined_error(r, e->args[0], &a);
		if (b.k == TV_UNDEF)
			return undefined_error(r, e->args[1], &b);
		to_text(r, &sb, &a);
		to_text(r, &sb, &b);
		*out = make_str(r, sb.buf, sb.len);
		strbuf_release(&sb);
		return 0;
	}
	case TE_ARITH:
		if (eval(r, e->args[0], &a) || eval(r, e->args[1], &b))
			return -1;
		if (a.k != TV_NUM || b.k != TV_NUM) {
			if (a.k == TV_UNDEF)
				return undefined_error(r, e->args[0], &a);
			if (b.k == TV_UNDEF)
				return undefined_error(r, e->args[1], &b);
			return diag_error(r->diags, &e->loc, "'%c' needs numbers, got %s and %s", e->op[0],
					  kind_name(a.k), kind_name(b.k));
		}
		out->k = TV_NUM;
		switch (e->op[0]) {
		case '+': out->num = a.num + b.num; break;
		case '-': out->num = a.num - b.num; break;
		case '*': out->num = a.num * b.num; break;
		case '/':
		case '%':
			if (b.num == 0)
				return diag_error(r->diags, &e->loc, "division by zero");
			out->num = e->op[0] == '/' ? a.num / b.num : fmod(a.num, b.num);
			break;
		}
		return 0;
	case TE_NEG:
		if (eval(r, e->args[0], &a))
			return -1;
		if (a.k != TV_NUM)
			return diag_error(r->diags, &e->loc, "unary '-' needs a number, got %s", kind_name(a.k));
		out->k = TV_NUM;
		out->num = -a.num;
		return 0;
	case TE_LIST:
		out->k = TV_LIST;
		out->n_items = e->n_args;
		out->items = arena_calloc(r->arena, e->n_args + 1, sizeof(struct tval));
		for (size_t i = 0; i < e->n_args; i++)
			if (eval(r, e->args[i], &out->items[i]))
				return -1;
		return 0;
	case TE_TEST: {
		bool res;
		if (eval(r, e->args[0], &a))
			return -1;
		if (!strcmp(e->name, "defined"))
			res = a.k != TV_UNDEF;
		else if (!strcmp(e->name, "undefined"))
			res = a.k == TV_UNDEF;
		else if (!strcmp(e->name, "none"))
			res = a.k == TV_NONE;
		else if (!strcmp(e->name, "string"))
			res = a.k == TV_STR;
		else if (!strcmp(e->name, "number"))
			res = a.k == TV_NUM;
		else if (!strcmp(e->name, "mapping"))
			res = a.k == TV_JSON && cJSON_IsObject(a.j);
		else if (!strcmp(e->name, "sequence"))
			res = a.k == TV_LIST || (a.k == TV_JSON && cJSON_IsArray(a.j));
		else
			return diag_error(r->diags, &e->loc, "unknown test '%s' (known: defined, undefined, none, "
					  "string, number, mapping, sequence)", e->name);
		out->k = TV_BOOL;
		out->b = res != e->negated;
		return 0;
	}
	}
	return diag_error(r->diags, &e->loc, "internal error: unknown expression kind");
}

static int load_template(const struct template_env *env, const char *name, const char **text,
			 struct arena *arena, const char **display)
{
	for (size_t d = env ? env->n_dirs : 0; d-- > 0;) {
		struct strbuf path = STRBUF_INIT;
		FILE *f;
		strbuf_addf(&path, "%s/%s", env->dirs[d], name);
		f = fopen(path.buf, "rb");
		if (f) {
			struct strbuf content = STRBUF_INIT;
			char buf[8192];
			size_t n;
			while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
				strbuf_add(&content, buf, n);
			fclose(f);
			*text = arena_strndup(arena, content.buf, content.len);
			*display = arena_strdup(arena, path.buf);
			strbuf_release(&content);
			strbuf_release(&path);
			return 0;
		}
		strbuf_release(&path);
	}
	{
		struct strbuf path = STRBUF_INIT;
		const struct embedded_file *ef;
		strbuf_addf(&path, "templates/%s", name);
		ef = embedded_find(path.buf);
		if (ef) {
			*text = ef->data;
			*display = arena_strdup(arena, path.buf);
		}
		strbuf_release(&path);
		return ef ? 0 : -1;
	}
}

static int exec_nodes(struct render *r, struct strbuf *out, struct tnode **nodes, size_t n);

static int render_text(struct render *r, struct strbuf *out, const char *name, const char *text,
		       const struct src_loc *from);

static int exec_node(struct render *r, struct strbuf *out, const struct tnode *n)
{
	struct tval v;
	switch (n->kind) {
	case TN_TEXT:
		strbuf_add(out, n->text, n->len);
		return 0;
	case TN_OUTPUT:
		if (eval(r, n->expr, &v))
			return -1;
		if (v.k == TV_UNDEF)
			return undefined_error(r, n->expr, &v);
		to_text(r, out, &v);
		return 0;
	case TN_SET:
		if (eval(r, n->expr, &v))
			return -1;
		push_var(r, n->var1, v);
		return 0;
	case TN_IF:
		for (size_t i = 0; i < n->n_conds; i++) {
			if (eval(r, n->conds[i], &v))
				return -1;
			if (truthy(&v))
				return exec_nodes(r, out, n->bodies[i], n->body_lens[i]);
		}
		return exec_nodes(r, out, n->else_body, n->n_else);
	case TN_FOR: {
		long len;
		size_t mark = r->n_vars;
		struct loop_state *ls;
		if (eval(r, n->expr, &v))
			return -1;
		if (v.k == TV_UNDEF)
			return undefined_error(r, n->expr, &v);
		len = seq_len(&v);
		if (len < 0)
			return diag_error(r->diags, &n->expr->loc, "cannot loop over a %s", kind_name(v.k));
		if (len == 0)
			return exec_nodes(r, out, n->else_body, n->n_else);
		if (r->n_loops >= 64)
			return diag_error(r->diags, &n->loc, "loops nested too deeply");
		ls = &r->loops[r->n_loops++];
		ls->length = (size_t)len;
		for (long i = 0; i < len; i++) {
			struct tval item = seq_item(&v, i), lv = {0};
			const cJSON *c = v.k == TV_JSON ? cJSON_GetArrayItem(v.j, (int)i) : NULL;
			ls->index0 = (size_t)i;
			r->n_vars = mark;
			lv.k = TV_LOOP;
			lv.loop = ls;
			push_var(r, "loop", lv);
			if (n->var2) {
				if (c && c->string && cJSON_IsObject(v.j)) {
					push_var(r, n->var1, make_str(r, c->string, strlen(c->string)));
					push_var(r, n->var2, item);
				} else if (item.k == TV_LIST && item.n_items == 2) {
					push_var(r, n->var1, item.items[0]);
					push_var(r, n->var2, item.items[1]);
				} else if (item.k == TV_JSON && cJSON_IsArray(item.j) && cJSON_GetArraySize(item.j) == 2) {
					push_var(r, n->var1, from_json(cJSON_GetArrayItem(item.j, 0)));
					push_var(r, n->var2, from_json(cJSON_GetArrayItem(item.j, 1)));
				} else {
					r->n_loops--;
					return diag_error(r->diags, &n->loc,
							  "cannot unpack a %s into '%s, %s'", kind_name(item.k), n->var1, n->var2);
				}
			} else {
				push_var(r, n->var1, item);
			}
			if (exec_nodes(r, out, n->body, n->n_body)) {
				r->n_loops--;
				return -1;
			}
		}
		r->n_loops--;
		r->n_vars = mark;
		return 0;
	}
	case TN_INCLUDE: {
		const char *text, *display;
		struct tval name;
		if (eval(r, n->expr, &v))
			return -1;
		name = text_of(r, &v);
		if (r->depth >= MAX_INCLUDE_DEPTH)
			return diag_error(r->diags, &n->loc, "includes nested too deeply (a cycle through '%s'?)",
					  name.s);
		if (load_template(r->env, name.s, &text, r->arena, &display))
			return diag_error(r->diags, &n->loc, "template '%s' not found", name.s);
		return render_text(r, out, display, text, &n->loc);
	}
	}
	return 0;
}

static int exec_nodes(struct render *r, struct strbuf *out, struct tnode **nodes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (exec_node(r, out, nodes[i]))
			return -1;
	return 0;
}

static int render_text(struct render *r, struct strbuf *out, const char *name, const char *text,
		       const struct src_loc *from)
{
	struct tparser ps = {0};
	struct body top = {0};
	int stop, ret;
	size_t mark = r->n_vars;

	(void)from;
	ps.arena = r->arena;
	ps.diags = r->diags;
	ps.name = name;
	ps.src = text;
	if (tokenize(&ps))
		return -1;
	stop = parse_body(&ps, &top, NULL);
	if (stop == -2 || ps.failed)
		return -1;
	if (ps.pos < ps.n_toks && ps.toks[ps.pos].kind != TT_EOF) {
		const struct ttok *t = &ps.toks[ps.pos];
		begin_tag(&ps, t);
		skip_ws(&ps);
		return diag_error(r->diags, &t->loc, "unexpected '%s' with no open block",
				  arena_strndup(r->arena, t->start, t->len));
	}
	r->depth++;
	ret = exec_nodes(r, out, top.items, top.n);
	r->depth--;
	r->n_vars = mark;
	return ret;
}

int template_render_string(struct strbuf *out, const struct template_env *env, const char *name,
			   const char *text, const struct cJSON *context, struct diags *diags)
{
	struct arena arena = ARENA_INIT;
	struct render r = {0};
	int ret;

	r.arena = &arena;
	r.diags = diags;
	r.env = env;
	r.ctx = context;
	ret = render_text(&r, out, arena_strdup(&arena, name), text, NULL);
	arena_release(&arena);
	return ret;
}

int template_render(struct strbuf *out, const struct template_env *env, const char *name,
		    const struct cJSON *context, struct diags *diags)
{
	struct arena arena = ARENA_INIT;
	const char *text, *display;
	int ret;

	if (load_template(env, name, &text, &arena, &display)) {
		arena_release(&arena);
		return diag_error(diags, NULL, "template '%s' not found", name);
	}
	ret = template_render_string(out, env, display, text, context, diags);
	arena_release(&arena);
	return ret;
}
