/*
 * Unit tests for runtime/refdata.c and the embedded tables of
 * datasets/reference/: every table loads, is big enough, has the documented
 * columns, no empty cells and positive weights; places agree with themselves
 * (a state code has one name, a known zip code has its city); the pick rule
 * of DESIGN section 5 holds at its boundaries; malformed files are rejected
 * with exact messages at the right line.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "harness.h"
#include "refdata.h"

struct expect {
	const char *name;
	size_t min_rows;
	const char *header; /* columns joined by ',' */
	int weighted;
};

static const struct expect expected[] = {
	{"first_names_female", 1000, "name,weight", 1},
	{"first_names_male", 1000, "name,weight", 1},
	{"last_names", 5000, "name,weight", 1},
	{"places", 3000, "postal_code,city,state_code,state_name,county,country,latitude,longitude", 0},
	{"street_names", 300, "name", 0},
	{"street_suffixes", 100, "suffix", 0},
	{"company_suffixes", 4, "suffix", 0},
	{"product_adjectives", 20, "adjective", 0},
	{"product_materials", 10, "material", 0},
	{"product_nouns", 20, "noun", 0},
	{"product_categories", 20, "category", 0},
	{"words", 900, "word", 0},
};
#define N_EXPECTED (sizeof(expected) / sizeof(expected[0]))

static struct refdata_table *load_ok(const char *name)
{
	struct diags d = DIAGS_INIT;
	struct refdata_table *t = NULL;
	int rc = refdata_load(&t, name, &d);
	CHECK_INT_EQ(0, rc);
	CHECK_INT_EQ(0, d.errors);
	if (d.n)
		fprintf(stderr, "  %s: %s\n", name, d.items[0].msg);
	diags_release(&d);
	return t;
}

/* Parses `text` expecting failure; returns the first message (static copy). */
static const char *parse_error(const char *text, int *line)
{
	static char msg[256];
	struct diags d = DIAGS_INIT;
	struct refdata_table *t = (struct refdata_table *)1;
	int rc = refdata_parse(&t, "bad", "bad.tsv", text, strlen(text), &d);
	CHECK_INT_EQ(-1, rc);
	CHECK(t == NULL);
	CHECK(d.n >= 1);
	msg[0] = '\0';
	*line = 0;
	if (d.n) {
		snprintf(msg, sizeof(msg), "%s", d.items[0].msg);
		*line = d.items[0].loc.line;
		CHECK_STR_EQ("bad.tsv", d.items[0].loc.file);
	}
	diags_release(&d);
	return msg;
}

static void test_refdata__every_table_loads(void)
{
	size_t n;
	char **names = refdata_names(&n);
	CHECK_INT_EQ(N_EXPECTED, n);
	for (size_t i = 0; i < n; i++) {
		int known = 0;
		for (size_t j = 0; j < N_EXPECTED; j++)
			known += strcmp(names[i], expected[j].name) == 0;
		if (!known)
			fprintf(stderr, "  unexpected table %s\n", names[i]);
		CHECK_INT_EQ(1, known);
	}
	CHECK(names[n] == NULL);
	free(names);

	for (size_t i = 0; i < N_EXPECTED; i++) {
		const struct expect *e = &expected[i];
		struct refdata_table *t = load_ok(e->name);
		char header[256];
		size_t hl = 0;
		if (!t)
			continue;
		CHECK_STR_EQ(e->name, t->name);
		if (t->n_rows < e->min_rows)
			fprintf(stderr, "  %s: %zu rows\n", e->name, t->n_rows);
		CHECK(t->n_rows >= e->min_rows);
		header[0] = '\0';
		for (size_t c = 0; c < t->n_cols; c++)
			hl += (size_t)snprintf(header + hl, sizeof(header) - hl, "%s%s", c ? "," : "",
					       t->col_names[c]);
		CHECK_STR_EQ(e->header, header);
		CHECK_INT_EQ(e->weighted, t->cumulative != NULL);
		CHECK_INT_EQ(e->weighted ? (int)t->n_cols - 1 : -1, t->weight_col);
		for (size_t r = 0; r < t->n_rows; r++)
			for (size_t c = 0; c < t->n_cols; c++) {
				const char *s = refdata_cell(t, r, c);
				size_t len = s ? strlen(s) : 0;
				CHECK(len > 0);
				/* no stray whitespace around values */
				CHECK(len == 0 || (s[0] != ' ' && s[len - 1] != ' '));
			}
		if (t->cumulative) {
			CHECK(t->cumulative[0] > 0.0);
			for (size_t r = 1; r < t->n_rows; r++)
				CHECK(t->cumulative[r] > t->cumulative[r - 1]); /* weights > 0 */
			CHECK(t->cumulative[t->n_rows - 1] == 1.0);
		}
		refdata_free(t);
	}
}

static int find_row(const struct refdata_table *t, size_t col, const char *value)
{
	for (size_t r = 0; r < t->n_rows; r++)
		if (strcmp(refdata_cell(t, r, col), value) == 0)
			return (int)r;
	return -1;
}

static void test_refdata__names(void)
{
	struct refdata_table *f = load_ok("first_names_female");
	struct refdata_table *m = load_ok("first_names_male");
	struct refdata_table *l = load_ok("last_names");
	if (!f || !m || !l)
		goto done;
	/* census rank order, proper case, frequency kept as the weight */
	CHECK_STR_EQ("Mary", refdata_cell(f, 0, 0));
	CHECK_STR_EQ("2.629", refdata_cell(f, 0, 1));
	CHECK_STR_EQ("James", refdata_cell(m, 0, 0));
	CHECK_STR_EQ("Smith", refdata_cell(l, 0, 0));
	CHECK_STR_EQ("Johnson", refdata_cell(l, 1, 0));
	CHECK(find_row(l, 0, "McDonald") >= 0);
	CHECK(find_row(l, 0, "O'Brien") >= 0);
	CHECK(find_row(l, 0, "SMITH") < 0);
	for (size_t r = 0; r < l->n_rows; r++) {
		const char *s = refdata_cell(l, r, 0);
		CHECK(s[0] >= 'A' && s[0] <= 'Z');
		CHECK(s[1] < 'A' || s[1] > 'Z' || strncmp(s, "Mc", 2) == 0 || s[1] == '\'');
	}
	CHECK_STR_EQ("John", refdata_cell(m, 1, 0));
	CHECK_STR_EQ("3.271", refdata_cell(m, 1, 1));
done:
	refdata_free(f);
	refdata_free(m);
	refdata_free(l);
}

static void test_refdata__places_consistent(void)
{
	struct refdata_table *t = load_ok("places");
	const char *state_of[26 * 26] = {0};
	size_t n_states = 0;
	int r;
	if (!t)
		return;
	int zip = refdata_column(t, "postal_code"), city = refdata_column(t, "city"),
	    code = refdata_column(t, "state_code"), sname = refdata_column(t, "state_name"),
	    country = refdata_column(t, "country"), lat = refdata_column(t, "latitude"),
	    lon = refdata_column(t, "longitude");
	CHECK(zip >= 0 && city >= 0 && code >= 0 && sname >= 0 && country >= 0 && lat >= 0 &&
	      lon >= 0);
	if (zip < 0 || city < 0 || code < 0 || sname < 0 || country < 0 || lat < 0 || lon < 0)
		goto done;
	r = find_row(t, (size_t)zip, "10001");
	CHECK(r >= 0);
	if (r >= 0) {
		CHECK_STR_EQ("New York", refdata_cell(t, (size_t)r, (size_t)city));
		CHECK_STR_EQ("NY", refdata_cell(t, (size_t)r, (size_t)code));
		CHECK_STR_EQ("New York", refdata_cell(t, (size_t)r, (size_t)sname));
	}
	for (size_t i = 0; i < t->n_rows; i++) {
		const char *z = refdata_cell(t, i, (size_t)zip);
		const char *c = refdata_cell(t, i, (size_t)code);
		const char *n = refdata_cell(t, i, (size_t)sname);
		double la = strtod(refdata_cell(t, i, (size_t)lat), NULL);
		double lo = strtod(refdata_cell(t, i, (size_t)lon), NULL);
		CHECK(strlen(z) == 5 && strspn(z, "0123456789") == 5);
		if (i > 0) /* sorted by zip code, no duplicates */
			CHECK(strcmp(refdata_cell(t, i - 1, (size_t)zip), z) < 0);
		CHECK_STR_EQ("US", refdata_cell(t, i, (size_t)country));
		CHECK(la > 18.0 && la < 72.0 && lo > -180.0 && lo < -65.0);
		if (strlen(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z') {
			CHECK(!"state_code is two capital letters");
			continue;
		}
		/* a state code always comes with the same state name */
		const char **slot = &state_of[(c[0] - 'A') * 26 + (c[1] - 'A')];
		if (!*slot) {
			*slot = n;
			n_states++;
		} else {
			CHECK_STR_EQ(*slot, n);
		}
	}
	CHECK_INT_EQ(51, n_states); /* the 50 states and DC */
	CHECK_STR_EQ("District of Columbia", state_of[('D' - 'A') * 26 + ('C' - 'A')]);
	CHECK_STR_EQ("California", state_of[('C' - 'A') * 26 + ('A' - 'A')]);
done:
	refdata_free(t);
}

static struct refdata_table *parse_ok(const char *text)
{
	struct diags d = DIAGS_INIT;
	struct refdata_table *t = NULL;
	CHECK_INT_EQ(0, refdata_parse(&t, "t", "t.tsv", text, strlen(text), &d));
	if (d.n)
		fprintf(stderr, "  %s\n", d.items[0].msg);
	diags_release(&d);
	return t;
}

static void test_refdata__pick_weighted_boundaries(void)
{
	struct refdata_table *t = parse_ok("v\tweight\na\t1\nb\t2\nc\t1\n");
	if (!t)
		return;
	CHECK(t->cumulative[0] == 0.25 && t->cumulative[1] == 0.75 && t->cumulative[2] == 1.0);
	CHECK_INT_EQ(0, refdata_pick(t, 0.0));
	CHECK_INT_EQ(0, refdata_pick(t, nextafter(0.25, 0.0)));
	CHECK_INT_EQ(1, refdata_pick(t, 0.25)); /* exceeds, not equals */
	CHECK_INT_EQ(1, refdata_pick(t, nextafter(0.75, 0.0)));
	CHECK_INT_EQ(2, refdata_pick(t, 0.75));
	CHECK_INT_EQ(2, refdata_pick(t, nextafter(1.0, 0.0)));
	CHECK_INT_EQ(2, refdata_pick(t, 1.0)); /* none exceeds: the last */
	CHECK_STR_EQ("b", refdata_cell(t, refdata_pick(t, 0.5), 0));
	refdata_free(t);
}

static void test_refdata__pick_unweighted_boundaries(void)
{
	struct refdata_table *t = parse_ok("v\na\nb\nc\n");
	if (!t)
		return;
	CHECK(t->cumulative == NULL);
	CHECK_INT_EQ(-1, t->weight_col);
	CHECK_INT_EQ(0, refdata_pick(t, 0.0));
	CHECK_INT_EQ(0, refdata_pick(t, nextafter(1.0 / 3.0, 0.0)));
	CHECK_INT_EQ(1, refdata_pick(t, 1.0 / 3.0)); /* floor((1/3) * 3) = 1 */
	CHECK_INT_EQ(2, refdata_pick(t, 2.0 / 3.0));
	CHECK_INT_EQ(2, refdata_pick(t, nextafter(1.0, 0.0)));
	CHECK_INT_EQ(2, refdata_pick(t, 1.0)); /* capped */
	refdata_free(t);
}

static void test_refdata__pick_alias_boundaries(void)
{
	/* weights 1, 2, 1: scaled 0.75, 1.5, 0.75; Vose gives rows 2 and 0 the
	 * alias 1, and row 1 keeps the rest */
	struct refdata_table *t = parse_ok("v\tweight\na\t1\nb\t2\nc\t1\n");
	if (!t)
		return;
	CHECK(t->alias_prob[0] == 0.75 && t->alias_prob[1] == 1.0 && t->alias_prob[2] == 0.75);
	CHECK_INT_EQ(1, t->alias_idx[0]);
	CHECK_INT_EQ(1, t->alias_idx[1]);
	CHECK_INT_EQ(1, t->alias_idx[2]);
	CHECK_INT_EQ(0, refdata_pick_alias(t, 0.0, 0.0));
	CHECK_INT_EQ(0, refdata_pick_alias(t, 0.0, nextafter(0.75, 0.0)));
	CHECK_INT_EQ(1, refdata_pick_alias(t, 0.0, 0.75)); /* u1 < prob, not <= */
	CHECK_INT_EQ(1, refdata_pick_alias(t, 0.5, nextafter(1.0, 0.0)));
	CHECK_INT_EQ(2, refdata_pick_alias(t, 2.0 / 3.0, 0.5));
	CHECK_INT_EQ(1, refdata_pick_alias(t, 2.0 / 3.0, 0.75));
	CHECK_INT_EQ(2, refdata_pick_alias(t, 1.0, 0.0)); /* index capped */
	refdata_free(t);

	t = parse_ok("v\na\nb\n");
	if (!t)
		return;
	CHECK(t->alias_prob == NULL && t->alias_idx == NULL);
	CHECK_INT_EQ(1, refdata_pick_alias(t, 0.5, 0.99)); /* unweighted: the index alone */
	refdata_free(t);
}

/* Each weighted table's alias table carries exactly its weights. */
static void test_refdata__alias_matches_weights(void)
{
	const char *names[] = {"first_names_female", "first_names_male", "last_names"};
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		struct refdata_table *t = load_ok(names[k]);
		double *mass, total = 0.0, worst = 0.0;
		size_t n;
		if (!t)
			continue;
		n = t->n_rows;
		mass = calloc(n, sizeof(double));
		for (size_t i = 0; i < n; i++) {
			CHECK(t->alias_prob[i] >= 0.0 && t->alias_prob[i] <= 1.0);
			CHECK(t->alias_idx[i] >= 0 && (size_t)t->alias_idx[i] < n);
			if (t->alias_idx[i] < 0 || (size_t)t->alias_idx[i] >= n)
				continue;
			mass[i] += t->alias_prob[i] / (double)n;
			mass[t->alias_idx[i]] += (1.0 - t->alias_prob[i]) / (double)n;
			total += strtod(refdata_cell(t, i, 1), NULL);
		}
		for (size_t i = 0; i < n; i++) {
			double want = strtod(refdata_cell(t, i, 1), NULL) / total;
			double err = fabs(mass[i] - want) / want;
			if (err > worst)
				worst = err;
		}
		if (worst > 1e-9)
			fprintf(stderr, "  %s: relative error %g\n", names[k], worst);
		CHECK(worst <= 1e-9);
		free(mass);
		refdata_free(t);
	}
}

/* The binary search agrees with the rule as written: a linear scan. */
static void test_refdata__pick_matches_linear_scan(void)
{
	struct refdata_table *t = load_ok("last_names");
	if (!t)
		return;
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	for (int k = 0; k < 20000; k++) {
		double u;
		size_t want = t->n_rows - 1;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		u = (double)(x >> 11) * 0x1.0p-53;
		if (k < (int)t->n_rows)
			u = t->cumulative[k]; /* exact boundaries too */
		for (size_t i = 0; i < t->n_rows; i++)
			if (t->cumulative[i] > u) {
				want = i;
				break;
			}
		CHECK_INT_EQ(want, refdata_pick(t, u));
	}
	/* Smith (1.006 of the 5000 names' total) is picked about that often */
	size_t smith = 0;
	for (int k = 0; k < 100000; k++)
		smith += refdata_pick(t, (k + 0.5) / 100000.0) == 0;
	CHECK(fabs((double)smith / 100000.0 - t->cumulative[0]) < 1e-4);
	refdata_free(t);
}

static void test_refdata__parse_errors(void)
{
	int line;
	CHECK_STR_EQ("row has 3 cells, but the header names 2 columns",
		     parse_error("a\tb\nx\ty\nx\ty\tz\n", &line));
	CHECK_INT_EQ(3, line);
	CHECK_STR_EQ("row has 1 cell, but the header names 2 columns",
		     parse_error("a\tb\nx\n", &line));
	CHECK_INT_EQ(2, line);
	CHECK_STR_EQ("empty cell in column 'b'", parse_error("a\tb\nx\t\n", &line));
	CHECK_INT_EQ(2, line);
	CHECK_STR_EQ("empty cell in the header (every column needs a name)",
		     parse_error("a\t\nx\ty\n", &line));
	CHECK_STR_EQ("weight '-1' is not a positive number",
		     parse_error("v\tweight\na\t1\nb\t-1\n", &line));
	CHECK_INT_EQ(3, line);
	CHECK_STR_EQ("weight '0' is not a positive number", parse_error("v\tweight\na\t0\n", &line));
	CHECK_STR_EQ("weight '1.5x' is not a positive number",
		     parse_error("v\tweight\na\t1.5x\n", &line));
	CHECK_STR_EQ("weight 'inf' is not a positive number",
		     parse_error("v\tweight\na\tinf\n", &line));
	CHECK_STR_EQ("reference table 'bad' does not end with a newline",
		     parse_error("v\na\nb", &line));
	CHECK_INT_EQ(3, line);
	CHECK_STR_EQ("reference table 'bad' has a header but no rows", parse_error("v\n", &line));
	CHECK_STR_EQ("reference table 'bad' is empty (it needs a header line)",
		     parse_error("", &line));
	CHECK_STR_EQ("carriage return in a reference table (lines must end with LF only)",
		     parse_error("v\r\na\r\n", &line));
	CHECK_INT_EQ(1, line);
	CHECK_STR_EQ("duplicate column 'v' in the header", parse_error("v\tv\na\tb\n", &line));
}

static void test_refdata__unknown_and_invalid_names(void)
{
	struct diags d = DIAGS_INIT;
	struct refdata_table *t = NULL;
	CHECK_INT_EQ(-1, refdata_load(&t, "lastnames", &d));
	CHECK(t == NULL);
	CHECK_INT_EQ(1, d.errors);
	if (d.n)
		CHECK_STR_EQ("unknown reference table 'lastnames' (did you mean 'last_names'?)",
			     d.items[0].msg);
	diags_release(&d);

	diags_init(&d);
	CHECK_INT_EQ(-1, refdata_load(&t, "zzzzzzzzzzzz", &d));
	if (d.n)
		CHECK(strstr(d.items[0].msg, "unknown reference table 'zzzzzzzzzzzz' (known tables: ") ==
		      d.items[0].msg && strstr(d.items[0].msg, " words)") != NULL);
	diags_release(&d);

	diags_init(&d);
	CHECK_INT_EQ(-1, refdata_load(&t, "../reference/words", &d));
	if (d.n)
		CHECK_STR_EQ("invalid reference table name '../reference/words' "
			     "(letters, digits and '_' only)", d.items[0].msg);
	diags_release(&d);
}

static void test_refdata__cache_loads_once(void)
{
	struct refdata_cache c = REFDATA_CACHE_INIT;
	struct diags d = DIAGS_INIT;
	const struct refdata_table *a = NULL, *b = NULL, *w = NULL;
	CHECK_INT_EQ(0, refdata_get(&a, &c, "words", &d));
	CHECK_INT_EQ(0, refdata_get(&w, &c, "street_suffixes", &d));
	CHECK_INT_EQ(0, refdata_get(&b, &c, "words", &d));
	CHECK(a != NULL && a == b && a != w);
	CHECK_INT_EQ(2, c.n);
	CHECK_INT_EQ(-1, refdata_get(&b, &c, "nope", &d));
	CHECK(b == NULL);
	CHECK_INT_EQ(2, c.n);
	CHECK_INT_EQ(1, d.errors);
	refdata_cache_release(&c);
	CHECK_INT_EQ(0, c.n);
	diags_release(&d);
}

static const struct harness_test tests[] = {
	{"refdata__every_table_loads", test_refdata__every_table_loads},
	{"refdata__names", test_refdata__names},
	{"refdata__places_consistent", test_refdata__places_consistent},
	{"refdata__pick_weighted_boundaries", test_refdata__pick_weighted_boundaries},
	{"refdata__pick_unweighted_boundaries", test_refdata__pick_unweighted_boundaries},
	{"refdata__pick_matches_linear_scan", test_refdata__pick_matches_linear_scan},
	{"refdata__pick_alias_boundaries", test_refdata__pick_alias_boundaries},
	{"refdata__alias_matches_weights", test_refdata__alias_matches_weights},
	{"refdata__parse_errors", test_refdata__parse_errors},
	{"refdata__unknown_and_invalid_names", test_refdata__unknown_and_invalid_names},
	{"refdata__cache_loads_once", test_refdata__cache_loads_once},
	{0, 0},
};

HARNESS_MAIN(tests)
