/*
 * Unit tests for the fast paths of runtime/text_writer.c: the hand-written
 * date, timestamp, integer, decimal and double texts are checked against
 * the simple reference implementations of datetime.c and textfmt.c (every
 * day of years 0000..9999, and many random values), and the CSV quoting
 * shortcut (a batch whose strings need no quotes) against strings that do.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "harness.h"
#include "strbuf.h"
#include "text_writer.h"
#include "textfmt.h"

/* A one-column batch of n values of type t from vals (all valid). */
static void one_column(struct eval_vec *v, uint8_t *valid, enum ir_type t, int scale, int64_t *i64,
		       double *f64, size_t n)
{
	memset(v, 0, sizeof(*v));
	memset(valid, 1, n);
	v->type = t;
	v->scale = scale;
	v->n = n;
	v->valid = valid;
	v->i64 = i64;
	v->f64 = f64;
}

/* The CSV text of column v (n rows), without its header. */
static char *csv_of(const struct eval_vec *v, int scale, size_t n)
{
	struct tw_column col = {"c", v->type, scale};
	const struct eval_vec *vecs[] = {v};
	struct strbuf sb = STRBUF_INIT;
	tw_format_rows(&sb, TW_CSV, &col, 1, vecs, n);
	return strbuf_detach(&sb, NULL);
}

static void test_text_writer__every_date_of_years_0_to_9999(void)
{
	enum { B = 65536 };
	static int64_t days[B], secs[B];
	static uint8_t valid[B];
	struct eval_vec vd, vt;
	long bad = 0;
	int64_t first = dt_days_from_civil(0, 1, 1), last = dt_days_from_civil(9999, 12, 31);

	CHECK_INT_EQ(-719528, first);
	CHECK_INT_EQ(2932896, last);
	/* a little beyond both ends: the slow path takes over there */
	for (int64_t d0 = first - 800; d0 <= last + 800; d0 += B) {
		size_t n = 0;
		char *a, *b, *pa, *pb;
		for (; n < B && d0 + (int64_t)n <= last + 800; n++) {
			days[n] = d0 + (int64_t)n;
			secs[n] = days[n] * 86400 + (int64_t)(harness_rng() % 86400);
		}
		one_column(&vd, valid, IR_T_DATE, 0, days, NULL, n);
		one_column(&vt, valid, IR_T_TS, 0, secs, NULL, n);
		a = csv_of(&vd, 0, n);
		b = csv_of(&vt, 0, n);
		pa = a;
		pb = b;
		/* memchr with the length, not strchr: ASan's strict_string_checks makes every
		   strchr read the whole rest of the text (minutes for 3.6 million lines) */
		char *enda = a + strlen(a), *endb = b + strlen(b);
		for (size_t i = 0; i < n; i++) {
			char want[64];
			size_t wl = dt_format_date(want, days[i]);
			char *ea = memchr(pa, '\n', (size_t)(enda - pa)), *eb = memchr(pb, '\n', (size_t)(endb - pb));
			if (!ea || !eb) {
				bad++;
				break;
			}
			if ((size_t)(ea - pa) != wl || memcmp(pa, want, wl))
				bad++;
			wl = dt_format_ts(want, secs[i]);
			if ((size_t)(eb - pb) != wl || memcmp(pb, want, wl))
				bad++;
			pa = ea + 1;
			pb = eb + 1;
		}
		free(a);
		free(b);
	}
	CHECK_INT_EQ(0, bad);
}

static void test_text_writer__timestamps_far_and_negative(void)
{
	static const struct {
		int64_t s;
		const char *want;
	} cases[] = {
		{-1, "1969-12-31 23:59:59"},
		{-86400, "1969-12-31 00:00:00"},
		{-86401, "1969-12-30 23:59:59"},
		{253402300799LL, "9999-12-31 23:59:59"},
		{253402300800LL, "+10000-01-01 00:00:00"},
		{-62167219200LL, "0000-01-01 00:00:00"},
		{-62167219201LL, "-0001-12-31 23:59:59"},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct eval_vec v;
		uint8_t valid[1];
		int64_t s = cases[k].s;
		char *t;
		one_column(&v, valid, IR_T_TS, 0, &s, NULL, 1);
		t = csv_of(&v, 0, 1);
		t[strlen(t) - 1] = 0;
		CHECK_STR_EQ(cases[k].want, t);
		free(t);
	}
}

static void test_text_writer__integers_and_decimals(void)
{
	enum { N = 20000 };
	static int64_t vals[N];
	static uint8_t valid[N];
	struct eval_vec v;
	long bad = 0;

	for (size_t i = 0; i < N; i++) {
		uint64_t r = harness_rng();
		int bits = (int)(r % 64) + 1;
		vals[i] = (int64_t)(harness_rng() >> (64 - bits));
		if (r & 0x100)
			vals[i] = -vals[i];
	}
	vals[0] = INT64_MIN;
	vals[1] = INT64_MAX;
	vals[2] = 0;
	vals[3] = 100000000;
	vals[4] = 99999999;
	vals[5] = 10000000000000000LL;
	for (int scale = 0; scale <= 20; scale += 1) {
		char *t, *p, *end;
		one_column(&v, valid, scale ? IR_T_DEC : IR_T_I64, scale, vals, NULL, N);
		t = csv_of(&v, scale, N);
		p = t;
		end = t + strlen(t);
		for (size_t i = 0; i < N; i++) {
			char want[64];
			size_t wl;
			char *e = memchr(p, '\n', (size_t)(end - p));
			if (scale == 0) {
				wl = (size_t)snprintf(want, sizeof(want), "%lld", (long long)vals[i]);
			} else {
				/* the plain form: exactly `scale` fraction digits */
				unsigned __int128 u = vals[i] < 0 ? (unsigned __int128)(-(__int128)vals[i])
								  : (unsigned __int128)vals[i];
				char digits[64];
				size_t nd = 0, len = 0;
				do {
					digits[nd++] = (char)('0' + (int)(u % 10));
					u /= 10;
				} while (u || nd <= (size_t)scale);
				if (vals[i] < 0)
					want[len++] = '-';
				while (nd > (size_t)scale)
					want[len++] = digits[--nd];
				want[len++] = '.';
				while (nd)
					want[len++] = digits[--nd];
				wl = len;
			}
			if (!e || (size_t)(e - p) != wl || memcmp(p, want, wl)) {
				if (bad < 5)
					fprintf(stderr, "value %lld scale %d: want %.*s\n", (long long)vals[i], scale,
						(int)wl, want);
				bad++;
				if (!e)
					break;
			}
			p = e + 1;
		}
		free(t);
	}
	CHECK_INT_EQ(0, bad);
}

/* Scales above 19 take the long path: every digit is there, no buffer overflow. */
static void test_text_writer__wide_decimal_scales(void)
{
	char buf[TW_DEC_MAX(38) + 1];
	size_t n = tw_fmt_dec(buf, 12345, 30);
	buf[n] = 0;
	CHECK_STR_EQ("0.000000000000000000000000012345", buf);
	n = tw_fmt_dec(buf, INT64_MIN, 38);
	CHECK(n <= TW_DEC_MAX(38));
	buf[n] = 0;
	CHECK_STR_EQ("-0.00000000000000000009223372036854775808", buf);
	n = tw_fmt_dec(buf, -7, 25);
	buf[n] = 0;
	CHECK_STR_EQ("-0.0000000000000000000000007", buf);
}

static void test_text_writer__doubles_match_the_reference(void)
{
	char a[64], b[64];
	long bad = 0;
	for (long i = 0; i < 100000; i++) {
		uint64_t s = harness_rng();
		double d;
		size_t na, nb;
		switch (i % 5) {
		case 0: memcpy(&d, &s, sizeof(d)); break;
		/* short decimals across the plain range */
		case 1: d = (double)(s % 100000000) / pow(10, (double)((s >> 56) % 12)); break;
		/* unit draws scaled to every decade of the plain range and beyond */
		case 2: d = (double)(s >> 11) * 0x1.0p-53 * pow(10, (int)((s >> 3) % 13) - 4); break;
		/* normal-looking values as the samplers make */
		case 3: d = 50 + 12 * ((double)(s >> 11) * 0x1.0p-53 - 0.5) * 6; break;
		/* powers of two (the asymmetric interval) and their neighbours */
		default:
			d = ldexp(1.0, (int)((s >> 8) % 40) - 12);
			if (s & 1)
				d = nextafter(d, (s & 2) ? 0 : INFINITY);
			break;
		}
		if (s & 0x10000)
			d = -d;
		if (isnan(d))
			continue;
		na = tw_fmt_f64(a, d);
		nb = fmt_f64_java(b, d);
		if (na != nb || memcmp(a, b, na)) {
			if (bad < 5)
				fprintf(stderr, "%.17g: got %.*s want %.*s\n", d, (int)na, a, (int)nb, b);
			bad++;
		}
	}
	CHECK_INT_EQ(0, bad);
}

/* Strings: a batch that needs no quotes is copied; one that does is quoted row by row. */
static void test_text_writer__csv_strings(void)
{
	static const char *const words[] = {"plain", "a,b", "", "say \"hi\"", "multi\nline", "cr\r",
					    "ABC-12345", "a longer plain string of text"};
	enum { N = 8 };
	struct eval_vec v;
	uint8_t valid[N + 1];
	uint32_t off[N + 2];
	char data[256];
	size_t len = 0;
	char *t;
	struct tw_column col = {"c", IR_T_STR, 0};
	const struct eval_vec *vecs[] = {&v};
	struct strbuf sb = STRBUF_INIT;

	memset(&v, 0, sizeof(v));
	off[0] = 0;
	for (size_t i = 0; i < N; i++) {
		size_t l = strlen(words[i]);
		memcpy(data + len, words[i], l);
		len += l;
		off[i + 1] = (uint32_t)len;
		valid[i] = 1;
	}
	/* a NULL last row */
	valid[N] = 0;
	off[N + 1] = (uint32_t)len;
	v.type = IR_T_STR;
	v.n = N + 1;
	v.valid = valid;
	v.off = off;
	v.data = data;
	v.data_len = len;
	t = csv_of(&v, 0, N + 1);
	CHECK_STR_EQ("plain\n\"a,b\"\n\"\"\n\"say \"\"hi\"\"\"\n\"multi\nline\"\n\"cr\r\"\nABC-12345\n"
		     "a longer plain string of text\n\n",
		     t);
	free(t);
	/* rows 6..8 alone need no quotes (the fast path), including the NULL one */
	vecs[0] = &v;
	tw_format_rows(&sb, TW_CSV, &col, 1, vecs, N + 1);
	strbuf_reset(&sb);
	{
		struct eval_vec w = v;
		w.valid = valid + 6;
		w.off = off + 6;
		w.n = 3;
		vecs[0] = &w;
		tw_format_rows(&sb, TW_CSV, &col, 1, vecs, 3);
		CHECK_STR_EQ("ABC-12345\na longer plain string of text\n\n", sb.buf);
	}
	strbuf_release(&sb);
}

static const struct harness_test tests[] = {
	{"every_date_of_years_0_to_9999", test_text_writer__every_date_of_years_0_to_9999},
	{"timestamps_far_and_negative", test_text_writer__timestamps_far_and_negative},
	{"integers_and_decimals", test_text_writer__integers_and_decimals},
	{"wide_decimal_scales", test_text_writer__wide_decimal_scales},
	{"doubles_match_the_reference", test_text_writer__doubles_match_the_reference},
	{"csv_strings", test_text_writer__csv_strings},
	{NULL, NULL},
};

HARNESS_MAIN(tests)
