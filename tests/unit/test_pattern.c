/*
 * Unit tests for compiler/pattern.c: every supported construct generates
 * strings that PCRE2 accepts, draw numbering and counts follow
 * docs/generation.md, unrank and the unique permutation are injective, and
 * rejected patterns give their exact messages.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "harness.h"
#include "hash.h"
#include "pattern.h"
#include "pattern_ir.h"
#include "strbuf.h"

/* Compiles `src`; on failure returns NULL with the first message in *msg (static). */
static struct pattern *compile(struct arena *a, const char *src)
{
	struct diags d = DIAGS_INIT;
	struct src_loc loc = {"t.yaml", 3, 10};
	struct pattern *p = NULL;
	if (pattern_compile(&p, src, &loc, a, &d) < 0) {
		fprintf(stderr, "unexpected: %s\n", d.n ? d.items[0].msg : "(no message)");
		p = NULL;
	}
	diags_release(&d);
	return p;
}

/* The message and column of a failing compile. */
static char *compile_error(const char *src, int *col)
{
	struct arena a = ARENA_INIT;
	struct diags d = DIAGS_INIT;
	struct src_loc loc = {"t.yaml", 3, 10};
	struct pattern *p = (struct pattern *)1;
	char *msg = NULL;
	int rc = pattern_compile(&p, src, &loc, &a, &d);
	CHECK_INT_EQ(-1, rc);
	CHECK(p == NULL);
	CHECK_INT_EQ(1, d.errors);
	if (d.n > 0) {
		msg = strdup(d.items[0].msg);
		if (col)
			*col = d.items[0].loc.col;
		CHECK_INT_EQ(3, d.items[0].loc.line);
	}
	diags_release(&d);
	arena_release(&a);
	return msg;
}

/* Generates row `row` of a column with seed `seed` into sb (reset first). */
static void gen_row(const struct pattern *p, int64_t seed, int64_t row, struct strbuf *sb)
{
	uint64_t draws[4097];
	uint64_t key = cell_key(seed);
	int n = pattern_draw_count(p);
	CHECK(n <= 4096);
	draws[0] = 0;
	for (int k = 1; k <= n; k++)
		draws[k] = cell_hash_k(key, row, k);
	strbuf_reset(sb);
	pattern_generate(p, draws, sb);
}

static const char *const supported_patterns[] = {
	"555-01[0-9]{2}",
	"[A-Z]{3}-[0-9]{4}",
	"\\d{3}\\.\\d{2}",
	"[a-z0-9_]+@[a-z]{2,8}\\.(com|org|net)",
	".{5}",
	".*",
	"[^a-z]{1,4}",
	"\\w+\\s\\W\\S\\D",
	"(?:ab|cd)*x?",
	"a{2,}b{0,3}c{3}",
	"^ID-[0-9]{6}$",
	"colou?r",
	"(foo|bar|)baz",
	"[\\t\\n-]z",
	"\\x41\\x{42}\\o{103}\\x7e",
	"\\Qa.b*\\E+",
	"(?<name>x)(?P<y>y)(?'z'z)",
	"[[:alpha:]][[:^digit:]][[:punct:]][[:xdigit:]][[:space:]]",
	"a*?b+?c??e{1,2}?f{2}?g{1,}?",
	"[]a-]",
	"[^]a]",
	"[\\d\\s.]",
	"(a|(b|c){2}){1,3}",
	"\\A\\d\\z",
	"\\d\\Z",
	"\\$\\^\\(\\)\\[\\]\\{\\}\\|\\\\\\.\\*\\+\\?",
	"a(?#comment)+b",
	"[\\b]x",
	"[^\\W_]{4}",
	"[\\x20-\\x2f]+",
	"(?|a|b)c",
	"a}]b",
	"x{0}y{0,0}z",
	"()|(?:)",
	"a|",
	"[-a]|[a-]|[!--]",
	"\\E\\Qq\\E?",
};

static void test_pattern__generated_strings_match(void)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < sizeof(supported_patterns) / sizeof(supported_patterns[0]); i++) {
		struct arena a = ARENA_INIT;
		struct pattern *p = compile(&a, supported_patterns[i]);
		int bad = 0;
		size_t longest = 0;
		CHECK(p != NULL);
		if (!p) {
			fprintf(stderr, "  pattern: %s\n", supported_patterns[i]);
			continue;
		}
		for (int64_t row = 0; row < 10000; row++) {
			gen_row(p, (int64_t)i * 7919 - 5, row, &sb);
			if (!pattern_matches(p, sb.buf, sb.len) && bad++ < 3)
				fprintf(stderr, "  '%s' generated '%s' which does not match\n",
					supported_patterns[i], sb.buf);
			if (sb.len > longest)
				longest = sb.len;
			CHECK(sb.len <= pattern_max_length(p));
		}
		CHECK_INT_EQ(0, bad);
		/* the longest string is reached on 10,000 rows when the choices are few */
		if (strcmp(supported_patterns[i], "colou?r") == 0)
			CHECK_INT_EQ(6, longest);
		arena_release(&a);
	}
	strbuf_release(&sb);
}

static void test_pattern__matches_rejects_non_members(void)
{
	struct arena a = ARENA_INIT;
	struct pattern *p = compile(&a, "[A-Z]{3}-[0-9]{4}");
	CHECK(p && pattern_matches(p, "ABC-1234", 8));
	CHECK(p && !pattern_matches(p, "ABC-123", 7));
	CHECK(p && !pattern_matches(p, "xABC-1234", 9));
	CHECK(p && !pattern_matches(p, "ABC-12345", 9));
	CHECK(p && !pattern_matches(p, "abc-1234", 8));
	arena_release(&a);
}

static void test_pattern__deterministic(void)
{
	struct arena a1 = ARENA_INIT, a2 = ARENA_INIT;
	struct pattern *p1 = compile(&a1, "[a-z0-9_]+@[a-z]{2,8}\\.(com|org|net)");
	struct pattern *p2 = compile(&a2, "[a-z0-9_]+@[a-z]{2,8}\\.(com|org|net)");
	struct strbuf s1 = STRBUF_INIT, s2 = STRBUF_INIT;
	int differ_by_seed = 0;
	CHECK(p1 && p2);
	for (int64_t row = 0; p1 && p2 && row < 1000; row++) {
		gen_row(p1, 42, row, &s1);
		gen_row(p2, 42, row, &s2);
		CHECK_STR_EQ(s1.buf, s2.buf);
		gen_row(p2, 43, row, &s2);
		differ_by_seed += strcmp(s1.buf, s2.buf) != 0;
	}
	CHECK(differ_by_seed > 990);
	strbuf_release(&s1);
	strbuf_release(&s2);
	arena_release(&a1);
	arena_release(&a2);
}

/* The draw numbering of docs/generation.md: pre-order, left to right, repeat count before its copies. */
static void test_pattern__draw_numbering(void)
{
	struct arena a = ARENA_INIT;
	struct pattern *p = compile(&a, "(a|b)x[yz]{1,2}-[0-9]{2}q?");
	const struct pattern_node *r, *rep;
	CHECK(p != NULL);
	if (!p)
		goto done;
	CHECK_INT_EQ(7, pattern_draw_count(p));
	r = pattern_root(p);
	CHECK_INT_EQ(PATTERN_NODE_SEQ, r->kind);
	CHECK_INT_EQ(7, r->n_children); /* alt, "x", repeat, "-", class, class, repeat */
	if (r->n_children != 7)
		goto done;
	CHECK_INT_EQ(PATTERN_NODE_ALT, r->children[0]->kind);
	CHECK_INT_EQ(1, r->children[0]->draw);
	CHECK_STR_EQ("a", r->children[0]->children[0]->text);
	CHECK_STR_EQ("x", r->children[1]->text);
	rep = r->children[2];
	CHECK_INT_EQ(PATTERN_NODE_REPEAT, rep->kind);
	CHECK_INT_EQ(2, rep->draw);
	CHECK_INT_EQ(1, rep->min);
	CHECK_INT_EQ(2, rep->max);
	CHECK_INT_EQ(2, rep->n_children);
	CHECK_INT_EQ(3, rep->children[0]->draw);
	CHECK_INT_EQ(4, rep->children[1]->draw);
	CHECK_STR_EQ("yz", rep->children[1]->text);
	CHECK_STR_EQ("-", r->children[3]->text);
	CHECK_INT_EQ(5, r->children[4]->draw); /* {2}: two copies, no count draw */
	CHECK_INT_EQ(6, r->children[5]->draw);
	CHECK_STR_EQ("0123456789", r->children[5]->text);
	CHECK_INT_EQ(7, r->children[6]->draw);
	CHECK_INT_EQ(0, r->children[6]->min);
	CHECK_INT_EQ(1, r->children[6]->max);
	/* a one-character class is a literal and takes no draw; literals merge */
	p = compile(&a, "a[b]\\.c{2}");
	CHECK(p && pattern_draw_count(p) == 0);
	CHECK(p && pattern_root(p)->kind == PATTERN_NODE_LITERAL);
	CHECK_STR_EQ("ab.cc", p ? pattern_root(p)->text : NULL);
	/* unbounded quantifiers are capped at min + 8 */
	p = compile(&a, "a*b+c{3,}");
	r = p ? pattern_root(p) : NULL;
	CHECK(r && r->n_children == 3);
	if (r && r->n_children == 3) {
		CHECK_INT_EQ(8, r->children[0]->max);
		CHECK_INT_EQ(1, r->children[1]->min);
		CHECK_INT_EQ(9, r->children[1]->max);
		CHECK_INT_EQ(3, r->children[2]->min);
		CHECK_INT_EQ(11, r->children[2]->max);
	}
	/* the class characters are ascending; negation is within printable ASCII */
	p = compile(&a, "[^!-~]");
	CHECK(p && pattern_root(p)->kind == PATTERN_NODE_LITERAL);
	CHECK_STR_EQ(" ", p ? pattern_root(p)->text : NULL);
	p = compile(&a, "[x-z\\d]");
	CHECK_STR_EQ("0123456789xyz", p ? pattern_root(p)->text : NULL);
	p = compile(&a, ".");
	CHECK_INT_EQ(95, p ? pattern_root(p)->len : 0);
	CHECK_INT_EQ(' ', p ? pattern_root(p)->text[0] : 0);
	CHECK_INT_EQ('~', p ? pattern_root(p)->text[94] : 0);
done:
	arena_release(&a);
}

/*
 * Values pinned from an independent Python implementation of
 * docs/generation.md (hash, u, draw numbering): the C engine must not drift.
 */
static void test_pattern__pinned_values(void)
{
	static const struct {
		const char *pattern;
		int64_t seed;
		const char *rows[4];
	} cases[] = {
		{"[A-Z]{3}-[0-9]{4}", 7, {"HJK-9279", "GOB-7918", "REG-7281", "YBU-5216"}},
		{"(a|b)x[yz]{1,2}-[0-9]{2}q?", -1234567, {"axyy-33q", "bxz-24q", "axy-41q", "axyz-98q"}},
		{"[a-z0-9_]+@[a-z]{2,8}\\.(com|org|net)", 42, {"85@uyozy.net", "yf@de.org", "1qoa_@uak.net", "72enj@hlo.org"}},
	};
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena a = ARENA_INIT;
		struct pattern *p = compile(&a, cases[i].pattern);
		for (int row = 0; p && row < 4; row++) {
			gen_row(p, cases[i].seed, row, &sb);
			CHECK_STR_EQ(cases[i].rows[row], sb.buf);
		}
		arena_release(&a);
	}
	strbuf_release(&sb);
}

static void test_pattern__counts_and_lengths(void)
{
	static const struct {
		const char *pattern;
		uint64_t count;
		size_t max_len;
	} cases[] = {
		{"[A-Z]{3}-[0-9]{4}", 175760000ULL, 8},
		{"555-01[0-9]{2}", 100, 8},
		{"a?", 2, 1},
		{"x{2,4}", 3, 4},
		{"(a|bc)d", 2, 3},
		{"[ab]{0,2}", 7, 2},
		{".", 95, 1},
		{"\\w", 63, 1},
		{"\\W", 32, 1},
		{"\\S", 94, 1},
		{"\\D", 85, 1},
		{"\\s", 1, 1},
		{"\\d*", 111111111ULL, 8},
		{"(ab|c)+", 2 + 4 + 8 + 16 + 32 + 64 + 128 + 256 + 512, 18},
		{"[a-z]{20}", UINT64_MAX, 20},
		{"[a-z]{13}", 2481152873203736576ULL, 13},
		{"[a-z]{14}", UINT64_MAX, 14},
		{"x{0}", 1, 0},
		{"(?:[ab]|c{1,2})[01]", (2 + 2) * 2, 3},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena a = ARENA_INIT;
		struct pattern *p = compile(&a, cases[i].pattern);
		CHECK(p != NULL);
		if (p) {
			if (pattern_cardinality(p) != cases[i].count)
				fprintf(stderr, "  pattern: %s\n", cases[i].pattern);
			CHECK_U64_EQ(cases[i].count, pattern_cardinality(p));
			CHECK_INT_EQ(cases[i].max_len, pattern_max_length(p));
		}
		arena_release(&a);
	}
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Unranks every index of a small language: all distinct, all matching, and covering what generate makes. */
static void test_pattern__unrank_enumerates_language(void)
{
	static const char *const pats[] = {"[ab]{0,3}(x|yz)?", "(c|d[01]){1,3}", "q[0-2]?[a-c]{2}"};
	for (size_t pi = 0; pi < sizeof(pats) / sizeof(pats[0]); pi++) {
		struct arena a = ARENA_INIT;
		struct pattern *p = compile(&a, pats[pi]);
		struct strbuf sb = STRBUF_INIT;
		uint64_t n = p ? pattern_cardinality(p) : 0;
		char **all = calloc(n ? n : 1, sizeof(*all));
		CHECK(p != NULL && n > 1 && n < 10000);
		for (uint64_t i = 0; p && i < n; i++) {
			strbuf_reset(&sb);
			pattern_unrank(p, i, &sb);
			CHECK(pattern_matches(p, sb.buf, sb.len));
			all[i] = strdup(sb.buf);
		}
		qsort(all, n, sizeof(*all), cmp_str);
		for (uint64_t i = 1; i < n; i++)
			CHECK(strcmp(all[i - 1], all[i]) != 0);
		for (int64_t row = 0; p && row < 2000; row++) {
			gen_row(p, 99, row, &sb);
			CHECK(bsearch(&(const char *){sb.buf}, all, n, sizeof(*all), cmp_str) != NULL);
		}
		for (uint64_t i = 0; i < n; i++)
			free(all[i]);
		free(all);
		strbuf_release(&sb);
		arena_release(&a);
	}
}

/* The canonical order: shorter repeat counts first, then mixed radix with the first part most significant. */
static void test_pattern__unrank_order(void)
{
	struct arena a = ARENA_INIT;
	struct pattern *p = compile(&a, "(x|[ab]){0,2}[01]");
	static const char *const want[] = {
		"0", "1", "x0", "x1", "a0", "a1", "b0", "b1", "xx0", "xx1", "xa0", "xa1",
	};
	struct strbuf sb = STRBUF_INIT;
	CHECK(p != NULL);
	CHECK_U64_EQ((1 + 3 + 9) * 2, p ? pattern_cardinality(p) : 0);
	for (size_t i = 0; p && i < sizeof(want) / sizeof(want[0]); i++) {
		strbuf_reset(&sb);
		pattern_unrank(p, i, &sb);
		CHECK_STR_EQ(want[i], sb.buf);
	}
	strbuf_reset(&sb);
	if (p)
		pattern_unrank(p, 25, &sb);
	CHECK_STR_EQ("bb1", sb.buf);
	/* a saturated language still unranks distinct strings near the top */
	p = compile(&a, "[a-z]{20}");
	if (p) {
		char first[32], second[32];
		strbuf_reset(&sb);
		pattern_unrank(p, UINT64_MAX - 1, &sb);
		snprintf(first, sizeof(first), "%s", sb.buf);
		strbuf_reset(&sb);
		pattern_unrank(p, UINT64_MAX - 2, &sb);
		snprintf(second, sizeof(second), "%s", sb.buf);
		CHECK(strcmp(first, second) != 0);
		CHECK_INT_EQ(20, strlen(first));
		strbuf_reset(&sb);
		pattern_unrank(p, 0, &sb);
		CHECK_STR_EQ("aaaaaaaaaaaaaaaaaaaa", sb.buf);
		strbuf_reset(&sb);
		pattern_unrank(p, 27, &sb);
		CHECK_STR_EQ("aaaaaaaaaaaaaaaaaabb", sb.buf);
	}
	strbuf_release(&sb);
	arena_release(&a);
}

static uint64_t gcd(uint64_t x, uint64_t y)
{
	while (y) {
		uint64_t t = x % y;
		x = y;
		y = t;
	}
	return x;
}

static void test_pattern__unique_is_bijection(void)
{
	static const char *const pats[] = {
		"x", "[ab]", "(a|b|c)", "[0-9]", "[a-l]", "[0-9]{2}", "[ab]{0,2}", "[0-9]{3}",
		"[ab]{10}", "[0-9a-z]{2}", "[0-9]{4}", "[A-F]{2}[0-9]{3}",
	};
	static const int64_t seeds[] = {0, 1, -1, 42, 6, INT64_MIN, INT64_MAX, -987654321012345LL};
	for (size_t pi = 0; pi < sizeof(pats) / sizeof(pats[0]); pi++) {
		struct arena a = ARENA_INIT;
		struct pattern *p = compile(&a, pats[pi]);
		uint64_t n = p ? pattern_cardinality(p) : 0;
		unsigned char *seen = calloc(n ? n : 1, 1);
		CHECK(p != NULL && n <= 100000);
		for (size_t si = 0; p && si < sizeof(seeds) / sizeof(seeds[0]); si++) {
			struct pattern_perm pm;
			uint64_t hits = 0;
			pattern_unique_perm(&pm, p, seeds[si]);
			CHECK_U64_EQ(n, pm.n);
			CHECK(pm.a < n || n == 1);
			CHECK(pm.b < n);
			CHECK_U64_EQ(1, gcd(pm.a, n));
			memset(seen, 0, n);
			for (uint64_t r = 0; r < n; r++) {
				uint64_t v = pattern_unique_index(p, seeds[si], r);
				CHECK(v < n);
				if (v < n && !seen[v]) {
					seen[v] = 1;
					hits++;
				}
			}
			CHECK_U64_EQ(n, hits);
		}
		free(seen);
		arena_release(&a);
	}
}

/* The multiplier rule of docs/generation.md, written out again. */
static uint64_t expected_a(int64_t seed, uint64_t n)
{
	uint64_t a = spark_xxhash64_1(seed) % n;
	while (a == 0 || gcd(a, n) != 1)
		a = a == 0 ? 1 : (a + 1) % n;
	return a;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* Large languages: the permutation parameters, and distinct rows give distinct strings. */
static void test_pattern__unique_large(void)
{
	struct arena a = ARENA_INIT;
	struct pattern *p = compile(&a, "[A-Z]{3}-[0-9]{4}");
	struct pattern *big = compile(&a, "[a-z]{20}");
	enum { ROWS = 20000 };
	uint64_t *idx = malloc(ROWS * sizeof(*idx));
	struct pattern_perm pm;
	struct strbuf sb = STRBUF_INIT;
	char **strs = calloc(ROWS, sizeof(*strs));

	CHECK(p && big);
	if (!p || !big)
		goto done;
	pattern_unique_perm(&pm, p, 12345);
	CHECK_U64_EQ(175760000ULL, pm.n);
	CHECK_U64_EQ(12345, pm.b);
	CHECK_U64_EQ(expected_a(12345, 175760000ULL), pm.a);
	pattern_unique_perm(&pm, p, -5);
	CHECK_U64_EQ(175760000ULL - 5, pm.b);
	pattern_unique_perm(&pm, big, -5);
	CHECK_U64_EQ((uint64_t)INT64_MAX, pm.n);
	CHECK_U64_EQ((uint64_t)INT64_MAX - 5, pm.b);
	CHECK_U64_EQ(expected_a(-5, pm.n), pm.a);
	for (uint64_t r = 0; r < ROWS; r++) {
		idx[r] = pattern_unique_index(big, -5, r * 1000003ULL);
		CHECK(idx[r] < (uint64_t)INT64_MAX);
		/* (a * r + b) mod n computed another way: 128-bit by hand */
		{
			unsigned __int128 v = (unsigned __int128)pm.a * (r * 1000003ULL) + pm.b;
			CHECK_U64_EQ((uint64_t)(v % pm.n), idx[r]);
		}
	}
	qsort(idx, ROWS, sizeof(*idx), cmp_u64);
	for (size_t i = 1; i < ROWS; i++)
		CHECK(idx[i - 1] != idx[i]);
	for (uint64_t r = 0; r < ROWS; r++) {
		strbuf_reset(&sb);
		pattern_unrank(p, pattern_unique_index(p, 777, r), &sb);
		CHECK(pattern_matches(p, sb.buf, sb.len));
		strs[r] = strdup(sb.buf);
	}
	qsort(strs, ROWS, sizeof(*strs), cmp_str);
	for (size_t i = 1; i < ROWS; i++)
		CHECK(strcmp(strs[i - 1], strs[i]) != 0);
	for (size_t i = 0; i < ROWS; i++)
		free(strs[i]);
done:
	free(strs);
	free(idx);
	strbuf_release(&sb);
	arena_release(&a);
}

#define SUPPORTED "(supported: literals, escapes, '.', classes, \\d \\w \\s \\D \\W \\S, groups, '|', " \
	"quantifiers ? * + {n} {n,} {n,m})"

static void test_pattern__rejected_constructs(void)
{
	static const struct {
		const char *pattern;
		const char *what; /* "<construct> at offset N" */
		int offset;
	} cases[] = {
		{"(a)\\1", "back-reference '\\1' at offset 3", 3},
		{"(?<n>a)\\k<n>", "back-reference '\\k<n>' at offset 7", 7},
		{"(a)\\g{-1}", "back-reference '\\g{-1}' at offset 3", 3},
		{"(?P<n>a)(?P=n)", "back-reference '(?P=n)' at offset 8", 8},
		{"a(?=b)b", "look-ahead '(?=' at offset 1", 1},
		{"a(?!c)b", "negative look-ahead '(?!' at offset 1", 1},
		{"(?<=a)b", "look-behind '(?<=' at offset 0", 0},
		{"(?<!a)b", "negative look-behind '(?<!' at offset 0", 0},
		{"\\bword\\b", "word boundary '\\b' at offset 0", 0},
		{"a\\Bb", "word boundary '\\B' at offset 1", 1},
		{"a^b", "inner anchor '^' at offset 1", 1},
		{"a$b", "inner anchor '$' at offset 1", 1},
		{"(a$)", "inner anchor '$' at offset 2", 2},
		{"(^a)", "inner anchor '^' at offset 1", 1},
		{"a\\Ab", "inner anchor '\\A' at offset 1", 1},
		{"a\\zb", "inner anchor '\\z' at offset 1", 1},
		{"\\Ga", "inner anchor '\\G' at offset 0", 0},
		{"\\p{L}+", "Unicode property '\\p{L}' at offset 0", 0},
		{"x\\pL", "Unicode property '\\pL' at offset 1", 1},
		{"[\\P{Lu}]", "Unicode property '\\P{Lu}' at offset 1", 1},
		{"\\X", "Unicode property '\\X' at offset 0", 0},
		{"(?i)abc", "inline option '(?i)' at offset 0", 0},
		{"a(?i:b)", "inline option '(?i:' at offset 1", 1},
		{"(?-s)a", "inline option '(?-s)' at offset 0", 0},
		{"caf\xc3\xa9", "non-ASCII character at offset 3", 3},
		{"[\xc3\xa9]", "non-ASCII character at offset 1", 1},
		{"\\x{e9}", "non-ASCII character at offset 0", 0},
		{"(?>ab)", "atomic group '(?>' at offset 0", 0},
		{"(a)(?(1)b|c)", "conditional group '(?(' at offset 3", 3},
		{"(a(?R)?b)", "recursion '(?R)' at offset 2", 2},
		{"(a)(?1)", "recursion '(?1)' at offset 3", 3},
		{"(?<n>a)(?&n)", "recursion '(?&n)' at offset 7", 7},
		{"a(?C1)", "callout '(?C1)' at offset 1", 1},
		{"(*UTF)a", "verb '(*UTF)' at offset 0", 0},
		{"a(*ACCEPT)b", "verb '(*ACCEPT)' at offset 1", 1},
		{"a\\Kb", "match reset '\\K' at offset 1", 1},
		{"\\h", "unsupported escape '\\h' at offset 0", 0},
		{"a\\R", "unsupported escape '\\R' at offset 1", 1},
		{"\\ca", "unsupported escape '\\c' at offset 0", 0},
		{"a\\N", "unsupported escape '\\N' at offset 1", 1},
		{"a{,3}", "unescaped '{' (write '\\{' for the character) at offset 1", 1},
		{"x{a}", "unescaped '{' (write '\\{' for the character) at offset 1", 1},
		{"\\x00", "NUL character '\\x00' at offset 0", 0},
		{"a\\x", "NUL character '\\x' at offset 1", 1},
		{"[^\\x20-\\x7e]", "class with no printable character '[^\\x20-\\x7e]' at offset 0", 0},
		{"[[:cntrl:]]", "POSIX class '[:cntrl:]' at offset 1", 1},
		{"a*+a", "possessive quantifier '*+' at offset 1", 1},
		{"x\\d++", "possessive quantifier '++' at offset 3", 3},
		{"(ab){2,}+", "possessive quantifier '{2,}+' at offset 4", 4},
		{"b?+", "possessive quantifier '?+' at offset 1", 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[512];
		int col = -1;
		char *msg = compile_error(cases[i].pattern, &col);
		snprintf(want, sizeof(want), "pattern '%s' cannot be generated: %s " SUPPORTED,
			 cases[i].pattern, cases[i].what);
		CHECK_STR_EQ(want, msg);
		CHECK_INT_EQ(10 + cases[i].offset, col);
		free(msg);
	}
}

static void test_pattern__pcre2_syntax_errors(void)
{
	int col = -1;
	char *msg = compile_error("a(b", &col);
	CHECK_STR_EQ("invalid pattern 'a(b': missing closing parenthesis at offset 3", msg);
	CHECK_INT_EQ(13, col);
	free(msg);
	msg = compile_error("[z-a]", &col);
	CHECK_STR_EQ("invalid pattern '[z-a]': range out of order in character class at offset 3", msg);
	CHECK_INT_EQ(13, col);
	free(msg);
	msg = compile_error("x{3,1}", &col);
	CHECK_STR_EQ("invalid pattern 'x{3,1}': numbers out of order in {} quantifier at offset 5", msg);
	free(msg);
	msg = compile_error("*a", &col);
	CHECK_STR_EQ("invalid pattern '*a': quantifier does not follow a repeatable item at offset 0", msg);
	CHECK_INT_EQ(10, col);
	free(msg);
	msg = compile_error("a\\", &col);
	CHECK_STR_EQ("invalid pattern 'a\\': \\ at end of pattern at offset 2", msg);
	free(msg);
}

static void test_pattern__too_large(void)
{
	char *msg = compile_error("[ab]{5000}", NULL);
	CHECK_STR_EQ("pattern '[ab]{5000}' is too large to generate: 5000 choice points after "
		     "unrolling quantifiers (at most 4096)", msg);
	free(msg);
	msg = compile_error("((a{300}){300})", NULL);
	CHECK_STR_EQ("pattern '((a{300}){300})' is too large to generate: 90301 parts after "
		     "unrolling quantifiers (at most 65536)", msg);
	free(msg);
	{
		struct arena a = ARENA_INIT;
		struct pattern *p = compile(&a, "[ab]{4096}x{60000}");
		CHECK(p != NULL);
		CHECK_INT_EQ(4096, p ? pattern_draw_count(p) : 0);
		CHECK_INT_EQ(64096, p ? pattern_max_length(p) : 0);
		arena_release(&a);
	}
}

/* A location spanning lines is not shifted. */
static void test_pattern__multiline_location(void)
{
	struct arena a = ARENA_INIT;
	struct diags d = DIAGS_INIT;
	struct src_loc loc = {"t.yaml", 3, 10};
	struct pattern *p = NULL;
	CHECK_INT_EQ(-1, pattern_compile(&p, "a\n\\bb", &loc, &a, &d));
	CHECK_INT_EQ(1, (int)d.n);
	CHECK_INT_EQ(10, d.n ? d.items[0].loc.col : 0);
	diags_release(&d);
	arena_release(&a);
}

static const struct harness_test tests[] = {
	{"pattern__generated_strings_match", test_pattern__generated_strings_match},
	{"pattern__matches_rejects_non_members", test_pattern__matches_rejects_non_members},
	{"pattern__deterministic", test_pattern__deterministic},
	{"pattern__draw_numbering", test_pattern__draw_numbering},
	{"pattern__pinned_values", test_pattern__pinned_values},
	{"pattern__counts_and_lengths", test_pattern__counts_and_lengths},
	{"pattern__unrank_enumerates_language", test_pattern__unrank_enumerates_language},
	{"pattern__unrank_order", test_pattern__unrank_order},
	{"pattern__unique_is_bijection", test_pattern__unique_is_bijection},
	{"pattern__unique_large", test_pattern__unique_large},
	{"pattern__rejected_constructs", test_pattern__rejected_constructs},
	{"pattern__pcre2_syntax_errors", test_pattern__pcre2_syntax_errors},
	{"pattern__too_large", test_pattern__too_large},
	{"pattern__multiline_location", test_pattern__multiline_location},
	{0, 0},
};

HARNESS_MAIN(tests)
