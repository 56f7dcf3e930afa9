/*
 * pattern: compiles a regular-expression subset into an unrolled tree and
 * generates, counts and ranks its strings (docs/generation.md, "## pattern").
 *
 * PCRE2 compiles the source first, so syntax errors carry its message and
 * offset, and the compiled code stays for pattern_matches().  Our own
 * recursive-descent parser then builds a small syntax tree (literal char,
 * character set, sequence, alternation, repeat), rejecting what cannot be
 * generated.  Unrolling turns every quantifier into its maximum number of
 * copies and numbers the choice points in pre-order; that tree is what the
 * C generator walks and what the notebook emitters render (pattern_ir.h).
 *
 * Memory: everything, including PCRE2's compiled code, comes from the
 * compile's arena.  PCRE2 allocates through a general context whose malloc
 * is arena_alloc() and whose free does nothing, so there is no
 * pattern_free(); arena_release() frees the pattern with the rest.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "pattern.h"
#include "pattern_ir.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "hash.h"
#include "strbuf.h"

#define UNBOUNDED_EXTRA 8     /* `*`, `+`, `{n,}` allow at most min + 8 */
#define MAX_DRAWS 4096        /* choice points after unrolling */
#define MAX_NODES 65536       /* tree nodes after unrolling */
#define PERM_LIMIT INT64_MAX  /* the unique permutation works below 2^63 - 1 */

static const char supported[] =
	"literals, escapes, '.', classes, \\d \\w \\s \\D \\W \\S, groups, '|', "
	"quantifiers ? * + {n} {n,} {n,m}";

struct pattern {
	const char *src;
	pcre2_code *code;
	const struct pattern_node *root;
	int n_draws;
};

/* ---- character sets: 128 bits, one per ASCII code ---- */

struct charset {
	uint64_t w[2];
};

static void set_add(struct charset *s, unsigned c)
{
	s->w[c >> 6] |= 1ULL << (c & 63);
}

static void set_range(struct charset *s, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c <= hi; c++)
		set_add(s, c);
}

static void set_union(struct charset *s, const struct charset *t)
{
	s->w[0] |= t->w[0];
	s->w[1] |= t->w[1];
}

static int set_count(const struct charset *s)
{
	return __builtin_popcountll(s->w[0]) + __builtin_popcountll(s->w[1]);
}

static int set_has(const struct charset *s, unsigned c)
{
	return (int)((s->w[c >> 6] >> (c & 63)) & 1);
}

static struct charset set_printable(void)
{
	struct charset s = {{0, 0}};
	set_range(&s, 0x20, 0x7e);
	return s;
}

/* Printable ASCII minus `s`: the meaning of every negation. */
static struct charset set_complement(const struct charset *s)
{
	struct charset p = set_printable();
	p.w[0] &= ~s->w[0];
	p.w[1] &= ~s->w[1];
	return p;
}

/* \d \w \s and their negations; `letter` is one of dwsDWS. */
static struct charset set_escape(char letter)
{
	struct charset s = {{0, 0}};
	switch (letter | 0x20) {
	case 'd':
		set_range(&s, '0', '9');
		break;
	case 'w':
		set_range(&s, '0', '9');
		set_range(&s, 'A', 'Z');
		set_range(&s, 'a', 'z');
		set_add(&s, '_');
		break;
	default: /* s: the space character only */
		set_add(&s, ' ');
		break;
	}
	if (letter >= 'A' && letter <= 'Z')
		s = set_complement(&s);
	return s;
}

/* ---- syntax tree ---- */

enum ast_kind { AST_CHAR, AST_SET, AST_SEQ, AST_ALT, AST_REPEAT };

struct ast {
	enum ast_kind kind;
	unsigned char ch;   /* AST_CHAR */
	struct charset set; /* AST_SET */
	int min, max;       /* AST_REPEAT */
	struct ast **kids;  /* SEQ parts, ALT branches, REPEAT: kids[0] */
	size_t n, cap;
	size_t off;         /* source offset, for messages */
};

struct parser {
	const char *src;
	size_t len, pos;
	struct arena *arena;
	int failed;
	size_t err_off;
	char what[160]; /* the construct that cannot be generated */
};

static struct ast *ast_new(struct parser *ps, enum ast_kind kind, size_t off)
{
	struct ast *a = arena_alloc(ps->arena, sizeof(*a));
	a->kind = kind;
	a->off = off;
	return a;
}

static void ast_push(struct parser *ps, struct ast *parent, struct ast *kid)
{
	parent->kids = arena_grow_array(ps->arena, parent->kids, sizeof(*parent->kids),
					&parent->cap, parent->n + 1);
	parent->kids[parent->n++] = kid;
}

/* Records the first construct that cannot be generated; returns NULL for tail calls. */
static void *reject(struct parser *ps, size_t off, const char *what)
{
	if (!ps->failed) {
		ps->failed = 1;
		ps->err_off = off;
		snprintf(ps->what, sizeof(ps->what), "%s", what);
	}
	return NULL;
}

/* Rejects `kind '<text>'`, quoting the source bytes [off, end). */
static void *reject_quoted(struct parser *ps, size_t off, const char *kind, size_t end)
{
	char buf[160];
	if (end > ps->len)
		end = ps->len;
	if (end - off > 40)
		end = off + 40;
	snprintf(buf, sizeof(buf), "%s '%.*s'", kind, (int)(end - off), ps->src + off);
	return reject(ps, off, buf);
}

/* The offset just past the first byte of `stops` at or after `from` (the end of the source if none). */
static size_t past(const struct parser *ps, size_t from, const char *stops)
{
	for (size_t i = from; i < ps->len; i++)
		if (strchr(stops, ps->src[i]))
			return i + 1;
	return ps->len;
}

static int peek(const struct parser *ps, size_t ahead)
{
	return ps->pos + ahead < ps->len ? (unsigned char)ps->src[ps->pos + ahead] : -1;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* What one escape (or one character of a class) stands for. */
enum esc { ESC_CHAR, ESC_SET, ESC_NONE, ESC_QUOTE, ESC_FAIL };

/* Checks a code point from \x, \o or octal: 1..0x7F. */
static enum esc esc_code(struct parser *ps, size_t off, unsigned long v, unsigned *ch)
{
	if (v == 0) {
		reject_quoted(ps, off, "NUL character", ps->pos);
		return ESC_FAIL;
	}
	if (v > 0x7f) {
		reject(ps, off, "non-ASCII character");
		return ESC_FAIL;
	}
	*ch = (unsigned)v;
	return ESC_CHAR;
}

/*
 * Reads the escape at ps->pos (the backslash).  Inside a class `\b` is a
 * backspace and `\1`..`\7` are octal; outside they are a word boundary and a
 * back-reference.  Sets *ch or *set.
 */
static enum esc read_escape(struct parser *ps, int in_class, unsigned *ch, struct charset *set)
{
	size_t off = ps->pos;
	int c = peek(ps, 1);

	ps->pos += 2;
	switch (c) {
	case 'd': case 'w': case 's': case 'D': case 'W': case 'S':
		*set = set_escape((char)c);
		return ESC_SET;
	case 't': *ch = '\t'; return ESC_CHAR;
	case 'n': *ch = '\n'; return ESC_CHAR;
	case 'r': *ch = '\r'; return ESC_CHAR;
	case 'f': *ch = '\f'; return ESC_CHAR;
	case 'a': *ch = 0x07; return ESC_CHAR;
	case 'e': *ch = 0x1b; return ESC_CHAR;
	case 'x': {
		unsigned long v = 0;
		if (peek(ps, 0) == '{') {
			ps->pos++;
			while (peek(ps, 0) != '}' && ps->pos < ps->len) {
				if (v < 0x1000)
					v = v * 16 + (unsigned long)hex_value(peek(ps, 0));
				ps->pos++;
			}
			ps->pos++;
		} else {
			for (int i = 0; i < 2 && hex_value(peek(ps, 0)) >= 0; i++, ps->pos++)
				v = v * 16 + (unsigned long)hex_value(peek(ps, 0));
		}
		return esc_code(ps, off, v, ch);
	}
	case 'o': {
		unsigned long v = 0;
		ps->pos++; /* '{' */
		while (peek(ps, 0) != '}' && ps->pos < ps->len) {
			if (v < 0x1000)
				v = v * 8 + (unsigned long)(peek(ps, 0) - '0');
			ps->pos++;
		}
		ps->pos++;
		return esc_code(ps, off, v, ch);
	}
	case 'Q':
		return ESC_QUOTE;
	case 'E':
		return ESC_NONE;
	case 'b':
		if (in_class) {
			*ch = 0x08;
			return ESC_CHAR;
		}
		reject(ps, off, "word boundary '\\b'");
		return ESC_FAIL;
	case 'B':
		reject(ps, off, "word boundary '\\B'");
		return ESC_FAIL;
	case 'A': case 'G': case 'z': case 'Z':
		if (!in_class && ((c == 'A' && off == 0) || ((c == 'z' || c == 'Z') && ps->pos == ps->len)))
			return ESC_NONE; /* an anchor at the very edge: the match is anchored anyway */
		reject_quoted(ps, off, "inner anchor", off + 2);
		return ESC_FAIL;
	case 'p': case 'P': case 'X':
		reject_quoted(ps, off, "Unicode property", c == 'X' ? off + 2 :
			      peek(ps, 0) == '{' ? past(ps, ps->pos, "}") : off + 3);
		return ESC_FAIL;
	case 'g': case 'k':
		if (peek(ps, 0) == '{' || peek(ps, 0) == '<' || peek(ps, 0) == '\'') {
			size_t end = past(ps, ps->pos + 1, peek(ps, 0) == '{' ? "}" : peek(ps, 0) == '<' ? ">" : "'");
			reject_quoted(ps, off, "back-reference", end);
		} else {
			size_t end = ps->pos + (peek(ps, 0) == '-' || peek(ps, 0) == '+');
			while (end < ps->len && is_digit(ps->src[end]))
				end++;
			reject_quoted(ps, off, "back-reference", end);
		}
		return ESC_FAIL;
	case 'K':
		reject(ps, off, "match reset '\\K'");
		return ESC_FAIL;
	default:
		break;
	}
	if (is_digit(c)) {
		if (c == '0' || (in_class && c <= '7')) {
			unsigned long v = (unsigned long)(c - '0');
			for (int i = 0; i < 2 && peek(ps, 0) >= '0' && peek(ps, 0) <= '7'; i++, ps->pos++)
				v = v * 8 + (unsigned long)(peek(ps, 0) - '0');
			return esc_code(ps, off, v, ch);
		}
		if (in_class) { /* \8 \9 in a class are the digits */
			*ch = (unsigned)c;
			return ESC_CHAR;
		}
		while (is_digit(peek(ps, 0)))
			ps->pos++;
		reject_quoted(ps, off, "back-reference", ps->pos);
		return ESC_FAIL;
	}
	if (c >= 0x80) {
		reject(ps, off, "non-ASCII character");
		return ESC_FAIL;
	}
	if (c >= 0 && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z')) {
		*ch = (unsigned)c; /* an escaped punctuation or space stands for itself */
		return ESC_CHAR;
	}
	reject_quoted(ps, off, "unsupported escape", off + 2);
	return ESC_FAIL;
}

static int posix_class(const char *name, size_t n, struct charset *s)
{
	static const char *const names[] = {
		"alpha", "digit", "alnum", "upper", "lower", "xdigit", "word",
		"punct", "print", "graph", "space", "blank", "ascii",
	};
	size_t i;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
			break;
	memset(s, 0, sizeof(*s));
	switch (i) {
	case 0: set_range(s, 'A', 'Z'); set_range(s, 'a', 'z'); break;
	case 1: set_range(s, '0', '9'); break;
	case 2: set_range(s, 'A', 'Z'); set_range(s, 'a', 'z'); set_range(s, '0', '9'); break;
	case 3: set_range(s, 'A', 'Z'); break;
	case 4: set_range(s, 'a', 'z'); break;
	case 5: set_range(s, '0', '9'); set_range(s, 'A', 'F'); set_range(s, 'a', 'f'); break;
	case 6: *s = set_escape('w'); break;
	case 7: /* graph minus alnum */
		for (unsigned c = 0x21; c <= 0x7e; c++)
			if (!(c >= '0' && c <= '9') && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
				set_add(s, c);
		break;
	case 8: case 12: *s = set_printable(); break;
	case 9: set_range(s, 0x21, 0x7e); break;
	case 10: case 11: set_add(s, ' '); break;
	default: return -1;
	}
	return 0;
}

/* A bracketed class; ps->pos is at '['.  NUL is never part of a class. */
static struct ast *parse_class(struct parser *ps)
{
	size_t start = ps->pos;
	struct charset set = {{0, 0}};
	int neg = 0, first = 1, quoting = 0;

	ps->pos++;
	if (peek(ps, 0) == '^') {
		neg = 1;
		ps->pos++;
	}
	for (;;) {
		size_t item_off = ps->pos;
		int c = peek(ps, 0);
		unsigned lo = 0, hi = 0;
		struct charset sub;
		enum esc e;

		if (c < 0)
			return reject(ps, start, "unterminated class");
		if (quoting) {
			if (c == '\\' && peek(ps, 1) == 'E') {
				quoting = 0;
				ps->pos += 2;
				continue;
			}
		} else if (c == ']' && !first) {
			ps->pos++;
			break;
		}
		first = 0;
		if (!quoting && c == '[' && peek(ps, 1) == ':') {
			size_t name = ps->pos + 2, end = name;
			int pneg = 0;
			while (end + 1 < ps->len && !(ps->src[end] == ':' && ps->src[end + 1] == ']'))
				end++;
			if (ps->src[name] == '^') {
				pneg = 1;
				name++;
			}
			if (posix_class(ps->src + name, end - name, &sub) < 0)
				return reject_quoted(ps, item_off, "POSIX class", past(ps, item_off + 2, "]"));
			if (pneg)
				sub = set_complement(&sub);
			set_union(&set, &sub);
			ps->pos = end + 2;
			continue;
		}
		/* one member: a character (maybe the start of a range) or a set */
		if (c >= 0x80)
			return reject(ps, item_off, "non-ASCII character");
		if (!quoting && c == '\\') {
			e = read_escape(ps, 1, &lo, &sub);
			if (e == ESC_FAIL)
				return NULL;
			if (e == ESC_QUOTE) {
				quoting = 1;
				continue;
			}
			if (e == ESC_NONE)
				continue;
			if (e == ESC_SET) {
				set_union(&set, &sub);
				continue;
			}
		} else {
			lo = (unsigned)c;
			ps->pos++;
		}
		hi = lo;
		if (!quoting && peek(ps, 0) == '-' && peek(ps, 1) != ']' && peek(ps, 1) >= 0) {
			size_t save = ps->pos;
			int c2;
			ps->pos++;
			c2 = peek(ps, 0);
			if (c2 == '\\') {
				e = read_escape(ps, 1, &hi, &sub);
				if (e == ESC_FAIL)
					return NULL;
				if (e != ESC_CHAR) { /* not a range after all (PCRE2 would have said) */
					ps->pos = save;
					hi = lo;
				}
			} else if (c2 == '[' && peek(ps, 1) == ':') {
				ps->pos = save;
			} else if (c2 >= 0x80) {
				return reject(ps, ps->pos, "non-ASCII character");
			} else {
				hi = (unsigned)c2;
				ps->pos++;
			}
		}
		if (lo <= hi)
			set_range(&set, lo, hi);
	}
	if (neg)
		set = set_complement(&set);
	set.w[0] &= ~1ULL;
	if (set_count(&set) == 0)
		return reject_quoted(ps, start, "class with no printable character", ps->pos);
	{
		struct ast *a = ast_new(ps, AST_SET, start);
		a->set = set;
		return a;
	}
}

static struct ast *parse_alt(struct parser *ps);

/* A group; ps->pos is at '('.  Returns NULL without failing for a comment. */
static struct ast *parse_group(struct parser *ps)
{
	size_t start = ps->pos;
	int c1 = peek(ps, 1), c2 = peek(ps, 2), c3 = peek(ps, 3);
	struct ast *a;

	if (c1 == '*')
		return reject_quoted(ps, start, "verb", past(ps, start + 2, ":)"));
	ps->pos++;
	if (c1 == '?') {
		switch (c2) {
		case ':': case '|':
			ps->pos += 2;
			break;
		case '#':
			while (ps->pos < ps->len && ps->src[ps->pos] != ')')
				ps->pos++;
			ps->pos++;
			return NULL;
		case '=': return reject_quoted(ps, start, "look-ahead", start + 3);
		case '!': return reject_quoted(ps, start, "negative look-ahead", start + 3);
		case '*': return reject_quoted(ps, start, "look-ahead", start + 3);
		case '>': return reject_quoted(ps, start, "atomic group", start + 3);
		case '(': return reject_quoted(ps, start, "conditional group", start + 3);
		case 'C': return reject_quoted(ps, start, "callout", past(ps, start + 3, ")"));
		case 'R': case '&': case '+':
			return reject_quoted(ps, start, "recursion", past(ps, start + 2, ")"));
		case '<':
			if (c3 == '=')
				return reject_quoted(ps, start, "look-behind", start + 4);
			if (c3 == '!')
				return reject_quoted(ps, start, "negative look-behind", start + 4);
			if (c3 == '*')
				return reject_quoted(ps, start, "look-behind", start + 4);
			ps->pos = past(ps, ps->pos, ">"); /* a named group (?<name>...) */
			break;
		case '\'':
			ps->pos = past(ps, ps->pos + 2, "'"); /* (?'name'...) */
			break;
		case 'P':
			if (c3 == '=')
				return reject_quoted(ps, start, "back-reference", past(ps, start + 4, ")"));
			if (c3 == '>')
				return reject_quoted(ps, start, "recursion", past(ps, start + 4, ")"));
			ps->pos = past(ps, ps->pos, ">"); /* (?P<name>...) */
			break;
		default:
			if (is_digit(c2) || (c2 == '-' && is_digit(c3)))
				return reject_quoted(ps, start, "recursion", past(ps, start + 2, ")"));
			return reject_quoted(ps, start, "inline option", past(ps, start + 2, ":)"));
		}
	}
	a = parse_alt(ps);
	if (!a)
		return NULL;
	if (peek(ps, 0) != ')')
		return reject(ps, ps->pos, "unbalanced parenthesis");
	ps->pos++;
	return a;
}

/* Parses `{n}`, `{n,}` or `{n,m}` at ps->pos (PCRE2 10.42 syntax); 0 when it is not one. */
static int parse_braces(struct parser *ps, int *min, int *max)
{
	size_t p = ps->pos + 1;
	long lo = 0, hi;
	if (p >= ps->len || !is_digit(ps->src[p]))
		return 0;
	while (p < ps->len && is_digit(ps->src[p]) && lo < 1000000)
		lo = lo * 10 + (ps->src[p++] - '0');
	hi = lo;
	if (p < ps->len && ps->src[p] == ',') {
		p++;
		if (p < ps->len && is_digit(ps->src[p])) {
			hi = 0;
			while (p < ps->len && is_digit(ps->src[p]) && hi < 1000000)
				hi = hi * 10 + (ps->src[p++] - '0');
		} else {
			hi = -1;
		}
	}
	if (p >= ps->len || ps->src[p] != '}')
		return 0;
	*min = (int)lo;
	*max = hi < 0 ? (int)lo + UNBOUNDED_EXTRA : (int)hi;
	ps->pos = p + 1;
	return 1;
}

/*
 * A quantifier at ps->pos, if any.  A lazy suffix changes nothing for a full
 * match; a possessive one changes the language (`a*+a` matches nothing), so
 * it is rejected.
 */
static int parse_quantifier(struct parser *ps, int *min, int *max)
{
	size_t off = ps->pos;
	int c = peek(ps, 0);
	if (c == '?') {
		*min = 0;
		*max = 1;
		ps->pos++;
	} else if (c == '*') {
		*min = 0;
		*max = UNBOUNDED_EXTRA;
		ps->pos++;
	} else if (c == '+') {
		*min = 1;
		*max = 1 + UNBOUNDED_EXTRA;
		ps->pos++;
	} else if (c != '{' || !parse_braces(ps, min, max)) {
		return 0;
	}
	if (peek(ps, 0) == '+') {
		ps->pos++;
		reject_quoted(ps, off, "possessive quantifier", ps->pos);
	} else if (peek(ps, 0) == '?') {
		ps->pos++;
	}
	return 1;
}

static struct ast *make_repeat(struct parser *ps, struct ast *kid, int min, int max, size_t off)
{
	struct ast *r = ast_new(ps, AST_REPEAT, off);
	r->min = min;
	r->max = max;
	ast_push(ps, r, kid);
	return r;
}

/* One branch: items up to '|', ')' or the end. */
static struct ast *parse_seq(struct parser *ps)
{
	struct ast *seq = ast_new(ps, AST_SEQ, ps->pos);
	int last_repeatable = 0; /* the last item may still take a quantifier */

	while (ps->pos < ps->len && peek(ps, 0) != '|' && peek(ps, 0) != ')') {
		size_t off = ps->pos;
		int c = peek(ps, 0), min, max;
		struct ast *item = NULL;

		if (c == '?' || c == '*' || c == '+' || (c == '{' && parse_braces(ps, &min, &max))) {
			ps->pos = off;
			if (!last_repeatable)
				return reject_quoted(ps, off, "quantifier with nothing to repeat", off + 1);
			parse_quantifier(ps, &min, &max);
			if (ps->failed)
				return NULL;
			seq->kids[seq->n - 1] = make_repeat(ps, seq->kids[seq->n - 1], min, max, off);
			last_repeatable = 0;
			continue;
		}
		switch (c) {
		case '(':
			item = parse_group(ps);
			if (!item && !ps->failed)
				continue; /* a comment: a quantifier after it applies to the item before */
			break;
		case '[':
			item = parse_class(ps);
			break;
		case '.':
			item = ast_new(ps, AST_SET, off);
			item->set = set_printable();
			ps->pos++;
			break;
		case '^':
			if (off != 0)
				return reject(ps, off, "inner anchor '^'");
			ps->pos++;
			last_repeatable = 0;
			continue;
		case '$':
			if (off != ps->len - 1)
				return reject(ps, off, "inner anchor '$'");
			ps->pos++;
			last_repeatable = 0;
			continue;
		case '{':
			return reject(ps, off, "unescaped '{' (write '\\{' for the character)");
		case '\\': {
			unsigned ch = 0;
			struct charset set;
			enum esc e = read_escape(ps, 0, &ch, &set);
			if (e == ESC_FAIL)
				return NULL;
			if (e == ESC_NONE) {
				if (ps->src[off + 1] != 'E')
					last_repeatable = 0; /* an edge anchor; \E alone changes nothing */
				continue;
			}
			if (e == ESC_QUOTE) {
				/* \Q...\E: each character is a literal item */
				while (ps->pos < ps->len && !(peek(ps, 0) == '\\' && peek(ps, 1) == 'E')) {
					if (peek(ps, 0) >= 0x80)
						return reject(ps, ps->pos, "non-ASCII character");
					item = ast_new(ps, AST_CHAR, ps->pos);
					item->ch = (unsigned char)peek(ps, 0);
					ast_push(ps, seq, item);
					last_repeatable = 1;
					ps->pos++;
				}
				if (ps->pos < ps->len)
					ps->pos += 2;
				continue;
			}
			if (e == ESC_SET) {
				item = ast_new(ps, AST_SET, off);
				item->set = set;
			} else {
				item = ast_new(ps, AST_CHAR, off);
				item->ch = (unsigned char)ch;
			}
			break;
		}
		default:
			if (c >= 0x80)
				return reject(ps, off, "non-ASCII character");
			if (c == 0)
				return reject(ps, off, "NUL character");
			item = ast_new(ps, AST_CHAR, off);
			item->ch = (unsigned char)c;
			ps->pos++;
			break;
		}
		if (!item)
			return NULL;
		ast_push(ps, seq, item);
		last_repeatable = 1;
	}
	return seq->n == 1 ? seq->kids[0] : seq;
}

/* Branches separated by '|'. */
static struct ast *parse_alt(struct parser *ps)
{
	struct ast *first = parse_seq(ps), *alt;
	if (!first)
		return NULL;
	if (peek(ps, 0) != '|')
		return first;
	alt = ast_new(ps, AST_ALT, first->off);
	ast_push(ps, alt, first);
	while (peek(ps, 0) == '|') {
		struct ast *b;
		ps->pos++;
		b = parse_seq(ps);
		if (!b)
			return NULL;
		ast_push(ps, alt, b);
	}
	return alt;
}

/* ---- unrolling ---- */

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	if (a == 0 || b == 0)
		return 0;
	return a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* Nodes and draws the unrolled tree will have (saturating), to refuse huge ones before building. */
static void ast_size(const struct ast *a, uint64_t *nodes, uint64_t *draws)
{
	uint64_t n = 1, d = 0;
	switch (a->kind) {
	case AST_CHAR:
		break;
	case AST_SET:
		d = set_count(&a->set) > 1;
		break;
	case AST_SEQ:
	case AST_ALT:
		for (size_t i = 0; i < a->n; i++) {
			uint64_t kn, kd;
			ast_size(a->kids[i], &kn, &kd);
			n = sat_add(n, kn);
			d = sat_add(d, kd);
		}
		d = sat_add(d, a->kind == AST_ALT);
		break;
	case AST_REPEAT: {
		uint64_t kn, kd;
		ast_size(a->kids[0], &kn, &kd);
		n = sat_add(1, sat_mul(kn, (uint64_t)a->max));
		d = sat_add(a->min < a->max, sat_mul(kd, (uint64_t)a->max));
		break;
	}
	}
	*nodes = n;
	*draws = d;
}

struct unroller {
	struct arena *arena;
	int next_draw;
};

static struct pattern_node *node_new(struct unroller *u, enum pattern_node_kind kind)
{
	struct pattern_node *n = arena_alloc(u->arena, sizeof(*n));
	n->kind = kind;
	n->text = "";
	n->count = 1;
	return n;
}

/*
 * The parts of a SEQ being collected: nested SEQs are spliced and adjacent
 * literals merged (in `lit`, so that long literal runs cost linear time).
 */
struct node_list {
	const struct pattern_node **v;
	size_t n, cap;
	struct strbuf lit;
};

static const struct pattern_node *literal_node(struct unroller *u, const char *s, size_t len)
{
	struct pattern_node *n = node_new(u, PATTERN_NODE_LITERAL);
	n->text = arena_strndup(u->arena, s, len);
	n->len = len;
	n->max_len = len;
	return n;
}

static void list_push(struct unroller *u, struct node_list *l, const struct pattern_node *x)
{
	l->v = arena_grow_array(u->arena, l->v, sizeof(*l->v), &l->cap, l->n + 1);
	l->v[l->n++] = x;
}

static void list_flush(struct unroller *u, struct node_list *l)
{
	if (l->lit.len == 0)
		return;
	list_push(u, l, literal_node(u, l->lit.buf, l->lit.len));
	strbuf_reset(&l->lit);
}

static void list_add(struct unroller *u, struct node_list *l, const struct pattern_node *x)
{
	if (x->kind == PATTERN_NODE_SEQ) {
		for (size_t i = 0; i < x->n_children; i++)
			list_add(u, l, x->children[i]);
	} else if (x->kind == PATTERN_NODE_LITERAL) {
		strbuf_add(&l->lit, x->text, x->len);
	} else {
		list_flush(u, l);
		list_push(u, l, x);
	}
}

/* The collected parts as one node; releases the list's buffer. */
static const struct pattern_node *list_finish(struct unroller *u, struct node_list *l)
{
	struct pattern_node *s;
	list_flush(u, l);
	strbuf_release(&l->lit);
	if (l->n == 0)
		return literal_node(u, "", 0);
	if (l->n == 1)
		return l->v[0];
	s = node_new(u, PATTERN_NODE_SEQ);
	s->children = l->v;
	s->n_children = l->n;
	for (size_t i = 0; i < l->n; i++) {
		s->count = sat_mul(s->count, l->v[i]->count);
		s->max_len += l->v[i]->max_len;
	}
	return s;
}

/* Builds the unrolled node of `a`, numbering draws in pre-order. */
static const struct pattern_node *unroll(struct unroller *u, const struct ast *a)
{
	struct pattern_node *n;
	struct node_list l = {NULL, 0, 0, STRBUF_INIT};

	switch (a->kind) {
	case AST_CHAR: {
		char c = (char)a->ch;
		return literal_node(u, &c, 1);
	}
	case AST_SET: {
		char *t = arena_alloc(u->arena, 129);
		size_t len = 0;
		for (unsigned c = 1; c < 128; c++)
			if (set_has(&a->set, c))
				t[len++] = (char)c;
		n = node_new(u, len == 1 ? PATTERN_NODE_LITERAL : PATTERN_NODE_CLASS);
		n->text = t;
		n->len = len;
		n->max_len = 1;
		if (len > 1) {
			n->draw = ++u->next_draw;
			n->count = len;
		}
		return n;
	}
	case AST_SEQ:
		for (size_t i = 0; i < a->n; i++)
			list_add(u, &l, unroll(u, a->kids[i]));
		return list_finish(u, &l);
	case AST_ALT: {
		const struct pattern_node **kids = arena_calloc(u->arena, a->n, sizeof(*kids));
		n = node_new(u, PATTERN_NODE_ALT);
		n->draw = ++u->next_draw;
		n->count = 0;
		for (size_t i = 0; i < a->n; i++) {
			kids[i] = unroll(u, a->kids[i]);
			n->count = sat_add(n->count, kids[i]->count);
			if (kids[i]->max_len > n->max_len)
				n->max_len = kids[i]->max_len;
		}
		n->children = kids;
		n->n_children = a->n;
		return n;
	}
	case AST_REPEAT: {
		const struct pattern_node **kids;
		uint64_t power = 1;
		if (a->min == a->max) {
			for (int i = 0; i < a->max; i++)
				list_add(u, &l, unroll(u, a->kids[0]));
			return list_finish(u, &l);
		}
		kids = arena_calloc(u->arena, (size_t)a->max, sizeof(*kids));
		n = node_new(u, PATTERN_NODE_REPEAT);
		n->draw = ++u->next_draw;
		n->min = a->min;
		n->max = a->max;
		for (int i = 0; i < a->max; i++)
			kids[i] = unroll(u, a->kids[0]);
		n->children = kids;
		n->n_children = (size_t)a->max;
		n->max_len = (size_t)a->max * kids[0]->max_len;
		/* count = sum over c in [min, max] of C^c, C the count of one copy */
		n->count = 0;
		for (int c = 0; c <= a->max; c++) {
			if (c >= a->min)
				n->count = sat_add(n->count, power);
			power = sat_mul(power, kids[0]->count);
		}
		return n;
	}
	}
	return NULL;
}

/* ---- PCRE2 with arena memory ---- */

static void *pcre_arena_malloc(PCRE2_SIZE size, void *data)
{
	return arena_alloc(data, size);
}

static void pcre_arena_free(void *ptr, void *data)
{
	(void)ptr;
	(void)data; /* the arena frees everything at once */
}

/* The location of source offset `off`: shifted along the line when the source is one line. */
static struct src_loc loc_at(const struct src_loc *loc, const char *src, size_t off)
{
	struct src_loc l = {NULL, 0, 0};
	if (loc)
		l = *loc;
	if (loc && loc->col > 0 && !strchr(src, '\n'))
		l.col = loc->col + (int)off;
	return l;
}

int pattern_compile(struct pattern **out, const char *src, const struct src_loc *loc,
		    struct arena *arena, struct diags *diags)
{
	pcre2_general_context *gctx;
	pcre2_compile_context *cctx;
	struct parser ps;
	struct pattern *p;
	struct ast *tree;
	uint64_t nodes, draws;
	struct unroller u;
	int errcode, ret = -1;
	PCRE2_SIZE erroff;

	*out = NULL;
	gctx = pcre2_general_context_create(pcre_arena_malloc, pcre_arena_free, arena);
	cctx = pcre2_compile_context_create(gctx);
	p = arena_alloc(arena, sizeof(*p));
	p->src = arena_strdup(arena, src);
	p->code = pcre2_compile((PCRE2_SPTR)src, strlen(src), 0, &errcode, &erroff, cctx);
	if (!p->code) {
		PCRE2_UCHAR msg[256];
		struct src_loc at = loc_at(loc, src, erroff);
		if (pcre2_get_error_message(errcode, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", errcode);
		diag_error(diags, &at, "invalid pattern '%s': %s at offset %zu", src, (char *)msg,
			   (size_t)erroff);
		goto done;
	}

	memset(&ps, 0, sizeof(ps));
	ps.src = src;
	ps.len = strlen(src);
	ps.arena = arena;
	tree = parse_alt(&ps);
	if (!ps.failed && ps.pos < ps.len)
		reject(&ps, ps.pos, "unbalanced parenthesis");
	if (ps.failed || !tree) {
		struct src_loc at = loc_at(loc, src, ps.err_off);
		diag_error(diags, &at, "pattern '%s' cannot be generated: %s at offset %zu (supported: %s)",
			   src, ps.what, ps.err_off, supported);
		goto done;
	}

	ast_size(tree, &nodes, &draws);
	if (draws > MAX_DRAWS) {
		diag_error(diags, loc, "pattern '%s' is too large to generate: %s%llu choice points after "
			   "unrolling quantifiers (at most %d)", src, draws == UINT64_MAX ? "over " : "",
			   (unsigned long long)draws, MAX_DRAWS);
		goto done;
	}
	if (nodes > MAX_NODES) {
		diag_error(diags, loc, "pattern '%s' is too large to generate: %s%llu parts after "
			   "unrolling quantifiers (at most %d)", src, nodes == UINT64_MAX ? "over " : "",
			   (unsigned long long)nodes, MAX_NODES);
		goto done;
	}
	u.arena = arena;
	u.next_draw = 0;
	p->root = unroll(&u, tree);
	p->n_draws = u.next_draw;
	*out = p;
	ret = 0;
done:
	pcre2_compile_context_free(cctx);
	pcre2_general_context_free(gctx);
	return ret;
}

int pattern_draw_count(const struct pattern *p)
{
	return p->n_draws;
}

size_t pattern_max_length(const struct pattern *p)
{
	return p->root->max_len;
}

uint64_t pattern_cardinality(const struct pattern *p)
{
	return p->root->count;
}

const struct pattern_node *pattern_root(const struct pattern *p)
{
	return p->root;
}

const char *pattern_source(const struct pattern *p)
{
	return p->src;
}

/* ---- generation ---- */

static void generate(const struct pattern_node *n, const uint64_t *draws, struct strbuf *out)
{
	switch (n->kind) {
	case PATTERN_NODE_LITERAL:
		strbuf_add(out, n->text, n->len);
		return;
	case PATTERN_NODE_CLASS:
		strbuf_addch(out, n->text[hash_int_range(draws[n->draw], 0, (int64_t)n->len - 1)]);
		return;
	case PATTERN_NODE_ALT:
		generate(n->children[hash_int_range(draws[n->draw], 0, (int64_t)n->n_children - 1)],
			 draws, out);
		return;
	case PATTERN_NODE_REPEAT: {
		int64_t c = hash_int_range(draws[n->draw], n->min, n->max);
		for (int64_t i = 0; i < c; i++)
			generate(n->children[i], draws, out);
		return;
	}
	case PATTERN_NODE_SEQ:
		for (size_t i = 0; i < n->n_children; i++)
			generate(n->children[i], draws, out);
		return;
	}
}

void pattern_generate(const struct pattern *p, const uint64_t *draws, struct strbuf *out)
{
	generate(p->root, draws, out);
}

/* ---- canonical order ---- */

static void unrank(const struct pattern_node *n, uint64_t idx, struct strbuf *out);

/*
 * The parts kids[0..k-1] as a mixed-radix number, kids[0] most significant:
 * the digits are taken from the least significant end.
 */
static void unrank_parts(const struct pattern_node *const *kids, size_t k, uint64_t idx, struct strbuf *out)
{
	uint64_t small[64], *digit = small;
	if (k > 64)
		digit = malloc(k * sizeof(*digit));
	if (!digit)
		abort();
	for (size_t i = k; i-- > 0;) {
		uint64_t c = kids[i]->count;
		digit[i] = idx % c;
		idx /= c;
	}
	for (size_t i = 0; i < k; i++)
		unrank(kids[i], digit[i], out);
	if (digit != small)
		free(digit);
}

static void unrank(const struct pattern_node *n, uint64_t idx, struct strbuf *out)
{
	switch (n->kind) {
	case PATTERN_NODE_LITERAL:
		strbuf_add(out, n->text, n->len);
		return;
	case PATTERN_NODE_CLASS:
		strbuf_addch(out, n->text[idx]);
		return;
	case PATTERN_NODE_ALT:
		for (size_t i = 0; i < n->n_children; i++) {
			if (idx < n->children[i]->count || i + 1 == n->n_children) {
				unrank(n->children[i], idx, out);
				return;
			}
			idx -= n->children[i]->count;
		}
		return;
	case PATTERN_NODE_REPEAT: {
		uint64_t power = 1, c1 = n->children[0]->count;
		for (int c = 0; c <= n->max; c++) {
			if (c >= n->min) {
				if (idx < power || c == n->max) {
					unrank_parts(n->children, (size_t)c, idx, out);
					return;
				}
				idx -= power;
			}
			power = sat_mul(power, c1);
		}
		return;
	}
	case PATTERN_NODE_SEQ:
		unrank_parts(n->children, n->n_children, idx, out);
		return;
	}
}

void pattern_unrank(const struct pattern *p, uint64_t index, struct strbuf *out)
{
	uint64_t n = p->root->count;
	if (n != UINT64_MAX)
		index %= n;
	unrank(p->root, index, out);
}

/* ---- unique columns ---- */

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

void pattern_unique_perm(struct pattern_perm *out, const struct pattern *p, int64_t column_seed)
{
	uint64_t n = p->root->count, a;
	int64_t b;

	if (n > (uint64_t)PERM_LIMIT)
		n = (uint64_t)PERM_LIMIT;
	b = column_seed % (int64_t)n;
	if (b < 0)
		b += (int64_t)n;
	a = spark_xxhash64_1(column_seed) % n;
	for (;;) {
		if (a == 0)
			a = 1;
		if (gcd_u64(a, n) == 1)
			break;
		a = (a + 1) % n;
	}
	out->n = n;
	out->a = a;
	out->b = (uint64_t)b;
}

uint64_t pattern_unique_index(const struct pattern *p, int64_t column_seed, uint64_t row)
{
	struct pattern_perm pm;
	unsigned __int128 v;

	pattern_unique_perm(&pm, p, column_seed);
	v = (unsigned __int128)pm.a * (row % pm.n) + pm.b;
	return (uint64_t)(v % pm.n);
}

/* ---- self-check ---- */

bool pattern_matches(const struct pattern *p, const char *s, size_t len)
{
	/* Own match context and data (malloc), so matching never touches the arena. */
	pcre2_match_context *mctx = pcre2_match_context_create(NULL);
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc = -1;

	if (mctx && md)
		rc = pcre2_match(p->code, (PCRE2_SPTR)s, len, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, md, mctx);
	pcre2_match_data_free(md);
	pcre2_match_context_free(mctx);
	return rc >= 0;
}
