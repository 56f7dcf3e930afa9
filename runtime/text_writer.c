/*
 * text_writer: the CSV and JSON lines writers (see text_writer.h for the
 * formats).  A formatter appends rows to its caller's growing buffer, a step
 * of rows at a time: first the buffer is grown to the step's worst-case length
 * (fixed per column type, plus the escaped length of its strings), so the
 * per-value code writes through a plain pointer without bounds checks.
 * JSON lines go row by row.  CSV goes column by column: each column's texts
 * of TW_CSV_ROWS rows are formatted by one loop of their type into fixed
 * slots of a scratch area (value and comma), then each row is assembled
 * with one fixed-size copy per value; strings are checked for bytes that
 * need quoting once per step and copied as they are when none does.  A
 * writer takes such text: large pieces go to the file with write(2) as they
 * are, small ones are gathered up to TW_FLUSH_BYTES first.
 * Numbers, dates and timestamps are formatted by hand (8 digits at a time in
 * 32-bit arithmetic); doubles in plain notation (10^-3 <= |d| < 10^7) get
 * their shortest digits exactly in 128-bit integers, the others go to
 * textfmt.h.
 */
#include "text_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datetime.h"
#include "diag.h"
#include "strbuf.h"
#include "textfmt.h"

#define TW_FLUSH_BYTES (1u << 20)
#define TW_ROWS_PER_STEP 256
/* CSV rows formatted together: their texts (32 or 64 bytes a value) stay in the L1 cache */
#define TW_CSV_ROWS 64

struct tw_layout {
	enum tw_format fmt;
	size_t n_cols;
	struct tw_column *cols;
	/* JSON lines: `{"a":` for the first column, `,"b":` for the others */
	char **keys;
	size_t *key_lens;
	size_t fixed_bound; /* worst-case bytes of a row without its strings' bytes */
	bool *plain;        /* CSV, per column: no string of the current rows needs quotes */
	/* CSV: the texts of TW_CSV_ROWS rows, row by row, in slots of slot_w bytes */
	size_t slot_w;
	char *scratch;
	unsigned char *tlen; /* [row * n_cols + column]: text length with its comma */
};

struct text_writer {
	int fd;
	char *path;
	struct strbuf buf;
	int64_t bytes;
	bool failed;
	struct diags *diags;
};

/* ---------- numbers ---------- */

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static const uint64_t upow10_19[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
	100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
	10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL,
};

/*
 * Decimal digits of u (1..20): log10 from the bit length, corrected by one
 * comparison, without a branch (u | 1 makes 0 count as one digit).
 */
static inline size_t count_digits(uint64_t u)
{
	int t = ((64 - __builtin_clzll(u | 1)) * 1233) >> 12;
	return (size_t)t + ((u | 1) >= upow10_19[t]);
}

/* Exactly 8 digits of v < 10^8 (32-bit arithmetic). */
static inline void put8(char *p, uint32_t v)
{
	uint32_t hi = v / 10000, lo = v % 10000;
	memcpy(p, digit_pairs + 2 * (hi / 100), 2);
	memcpy(p + 2, digit_pairs + 2 * (hi % 100), 2);
	memcpy(p + 4, digit_pairs + 2 * (lo / 100), 2);
	memcpy(p + 6, digit_pairs + 2 * (lo % 100), 2);
}

/* The 20 digits of u, zero padded (every uint64 has at most 20). */
static inline void digits20(char t[20], uint64_t u)
{
	if (u < 100000000) {
		memset(t, '0', 12);
		put8(t + 12, (uint32_t)u);
	} else {
		uint64_t hi = u / 10000000000000000ULL, r = u % 10000000000000000ULL;
		uint32_t h = (uint32_t)hi; /* below 1845 */
		memcpy(t, digit_pairs + 2 * (h / 100), 2);
		memcpy(t + 2, digit_pairs + 2 * (h % 100), 2);
		put8(t + 4, (uint32_t)(r / 100000000));
		put8(t + 12, (uint32_t)(r % 100000000));
	}
}

/* Copies l <= 20 bytes with fixed-size moves (overlapping, inside both ranges). */
static inline void copy_small(char *d, const char *s, size_t l)
{
	if (l >= 8) {
		if (l > 16) {
			memcpy(d, s, 16);
			memcpy(d + l - 8, s + l - 8, 8);
		} else {
			memcpy(d, s, 8);
			memcpy(d + l - 8, s + l - 8, 8);
		}
	} else if (l >= 4) {
		memcpy(d, s, 4);
		memcpy(d + l - 4, s + l - 4, 4);
	} else if (l >= 2) {
		memcpy(d, s, 2);
		memcpy(d + l - 2, s + l - 2, 2);
	} else if (l) {
		d[0] = s[0];
	}
}

/*
 * Digits of u (at least `min_digits`, zero padded), written right to left in
 * place: 8 digits at a time in 32-bit arithmetic, then pairs.
 */
static inline size_t put_u64(char *buf, uint64_t u, size_t min_digits)
{
	size_t n = count_digits(u), len = n < min_digits ? min_digits : n;
	char *p = buf + len;
	uint32_t v;
	while (u >= 100000000) {
		uint64_t q = u / 100000000;
		p -= 8;
		put8(p, (uint32_t)(u - q * 100000000));
		u = q;
	}
	v = (uint32_t)u;
	while (v >= 100) {
		uint32_t q = v / 100;
		p -= 2;
		memcpy(p, digit_pairs + 2 * (v - q * 100), 2);
		v = q;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	while (p > buf)
		*--p = '0';
	return len;
}

static size_t put_i64(char *buf, int64_t v)
{
	if (v < 0) {
		buf[0] = '-';
		return 1 + put_u64(buf + 1, (uint64_t)0 - (uint64_t)v, 1);
	}
	return put_u64(buf, (uint64_t)v, 1);
}

size_t tw_fmt_dec(char *buf, int64_t unscaled, int scale)
{
	size_t len = 0, s = scale > 0 ? (size_t)scale : 0;
	uint64_t u = unscaled < 0 ? (uint64_t)0 - (uint64_t)unscaled : (uint64_t)unscaled;
	char digits[48]; /* scale + 1 digits at most: 39 */
	size_t nd;

	if (unscaled < 0)
		buf[len++] = '-';
	if (s == 2 && u < 10000000000ULL) {
		/* the common money scale: integer part, then the two fraction digits as a pair */
		uint64_t ip = u / 100;
		len += put_u64(buf + len, ip, 1);
		buf[len] = '.';
		memcpy(buf + len + 1, digit_pairs + 2 * (u - ip * 100), 2);
		return len + 3;
	}
	if (s <= 19) {
		/* the digits once, then the integer part (at least one digit) and the fraction */
		char t[20];
		size_t w;
		nd = count_digits(u);
		w = nd > s ? nd : s + 1;
		digits20(t, u);
		copy_small(buf + len, t + 20 - w, w - s);
		len += w - s;
		if (s) {
			buf[len++] = '.';
			copy_small(buf + len, t + 20 - s, s);
			len += s;
		}
		return len;
	}
	nd = put_u64(digits, u, s + 1); /* at least one integer digit */
	memcpy(buf + len, digits, nd - s);
	len += nd - s;
	if (s) {
		buf[len++] = '.';
		memcpy(buf + len, digits + nd - s, s);
		len += s;
	}
	return len;
}

/*
 * Java's shortest digits for 10^-3 <= |d| < 10^7 (plain notation), exactly,
 * in 128-bit integers.  With d = m * 2^e (m the 53-bit significand), the
 * decimals that read back as d are those inside the rounding interval
 * [d - gap_below, d + ulp/2] (gap_below is ulp/2, or ulp/4 when m is a
 * power of two), ends included when m is even (reading rounds ties to
 * even).  In units of 2^(e-2) the interval is [lo, hi] = [4m - 2 (or 1),
 * 4m + 2], and for k fraction digits a decimal N * 10^-k is inside when
 * N * 2^q lies in [lo * 10^k, hi * 10^k], q = 2 - e (31..64 in this range).
 * The smallest k with such an N gives the fewest digits; among several, the
 * one nearest to d (ties to an even digit), as Java picks.
 *
 * The integers of the interval are computed once, at the k of 17
 * significant digits (which always has one); N is inside at k - 1 exactly
 * when 10 N is inside at k, so the interval at k - 1 is [ceil(n_lo / 10),
 * floor(n_hi / 10)], and k goes down while that is not empty.  Products
 * stay below 2^121 (4m < 2^55, 10^k < 2^64); N < 10^17 < 2^57.
 */
static size_t fmt_plain_shortest(char *buf, double d)
{
	typedef unsigned __int128 u128;
	static const double p10e[] = {1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7};
	uint64_t bits, m, lo4, hi4, mid4, n_lo, n_hi, n, p10, below, rem, half;
	u128 lo, hi, x, mid;
	int e, q, k, e10;
	bool even;
	double a = fabs(d);
	size_t len = 0, nd;
	char t[20];

	memcpy(&bits, &d, sizeof(bits));
	m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	e = (int)((bits >> 52) & 0x7ff) - 1075;
	q = 2 - e;
	if (q < 1 || q > 64)
		return 0;
	even = !(m & 1);
	mid4 = m * 4;
	lo4 = mid4 - (m == (1ULL << 52) ? 1 : 2);
	hi4 = mid4 + 2;
	/*
	 * floor(log10(a)) is floor(log10(2^(e + 52))) (e2 * 1233 >> 12 for the
	 * exponents of this range) or one more; each literal is the double
	 * just above its power of ten.
	 */
	e10 = ((e + 52) * 1233) >> 12;
	if (a >= p10e[e10 + 4])
		e10++;
	k = 16 - e10;
	p10 = upow10_19[k];
	/* below = the q bits a shift by q drops (q <= 64, so they fit a uint64) */
	below = q == 64 ? ~0ULL : (1ULL << q) - 1;
	lo = (u128)lo4 * p10;
	hi = (u128)hi4 * p10;
	x = lo >> q;
	x += ((uint64_t)lo & below) != 0 || !even; /* ceil, past an excluded end */
	if (x >= (u128)upow10_19[18])
		return 0;
	n_lo = (uint64_t)x;
	x = hi >> q;
	x -= ((uint64_t)hi & below) == 0 && !even;
	n_hi = (uint64_t)x;
	if (n_lo > n_hi)
		return 0;
	while (k > 0) {
		uint64_t l = (n_lo + 9) / 10, h = n_hi / 10;
		if (l > h)
			break;
		n_lo = l;
		n_hi = h;
		k--;
	}
	/* the candidate nearest to d, ties to even */
	p10 = upow10_19[k];
	mid = (u128)mid4 * p10;
	half = 1ULL << (q - 1);
	x = mid >> q;
	rem = (uint64_t)mid & below;
	x += rem > half || (rem == half && (x & 1));
	n = x < n_lo ? n_lo : x > n_hi ? n_hi : (uint64_t)x;
	if (n >= upow10_19[17]) /* 17 digits at most */
		return 0;
	/* n's digits, split after its integer digits (at least "0") */
	nd = count_digits(n);
	digits20(t, n);
	if (d < 0)
		buf[len++] = '-';
	if (nd > (size_t)k) {
		copy_small(buf + len, t + 20 - nd, nd - (size_t)k);
		len += nd - (size_t)k;
	} else {
		buf[len++] = '0';
	}
	buf[len++] = '.';
	if (k == 0) {
		buf[len++] = '0';
	} else {
		copy_small(buf + len, t + 20 - k, (size_t)k);
		len += (size_t)k;
	}
	return len;
}

size_t tw_fmt_f64(char *buf, double d)
{
	double a = fabs(d);
	if (a >= 1e-3 && a < 1e7) {
		size_t len = fmt_plain_shortest(buf, d);
		if (len)
			return len;
	}
	return fmt_f64_java(buf, d);
}

/* ---------- strings ---------- */

/* CSV: bytes that force quoting. */
static const unsigned char csv_special[256] = {
	['\n'] = 1, ['\r'] = 1, [','] = 1, ['"'] = 1,
};

/* JSON: 1 for bytes that need an escape. */
static unsigned char json_escape_needed(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* Whether a byte of w (8 bytes) equals c (exact: no false positives or negatives). */
static inline uint64_t has_byte(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (0x0101010101010101ULL * c);
	return (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
}

/* Whether a byte of w is below c (c <= 128; exact). */
static inline uint64_t has_less(uint64_t w, unsigned char c)
{
	return (w - 0x0101010101010101ULL * c) & ~w & 0x8080808080808080ULL;
}

/* Whether the n bytes at s hold no byte that forces CSV quoting (all are below '-'). */
static bool csv_plain_bytes(const char *s, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if (has_less(w, '-') &&
		    (has_byte(w, ',') | has_byte(w, '"') | has_byte(w, '\n') | has_byte(w, '\r')))
			return false;
	}
	for (; i < n; i++)
		if (csv_special[(unsigned char)s[i]])
			return false;
	return true;
}

/* Whether no string of rows [from, to) of column v needs quotes (empty strings aside). */
static bool csv_plain_rows(const struct eval_vec *v, size_t from, size_t to)
{
	return csv_plain_bytes(v->data + v->off[from], v->off[to] - v->off[from]);
}

/*
 * Copies l bytes (short strings without a libc call: overlapping fixed-size
 * moves that never read or write outside [s, s + l) and [d, d + l)).
 */
static inline void copy_short(char *d, const char *s, size_t l)
{
	if (l >= 8) {
		if (l <= 16) {
			memcpy(d, s, 8);
			memcpy(d + l - 8, s + l - 8, 8);
		} else {
			memcpy(d, s, l);
		}
	} else if (l >= 4) {
		memcpy(d, s, 4);
		memcpy(d + l - 4, s + l - 4, 4);
	} else if (l >= 2) {
		memcpy(d, s, 2);
		memcpy(d + l - 2, s + l - 2, 2);
	} else if (l) {
		d[0] = s[0];
	}
}

static char *put_csv_string(char *p, const char *s, size_t n)
{
	bool quote = n == 0;
	for (size_t i = 0; i < n && !quote; i++)
		quote = csv_special[(unsigned char)s[i]];
	if (!quote) {
		memcpy(p, s, n);
		return p + n;
	}
	*p++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			*p++ = '"';
		*p++ = s[i];
	}
	*p++ = '"';
	return p;
}

static char *put_json_string(char *p, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	*p++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!json_escape_needed(c)) {
			*p++ = (char)c;
			continue;
		}
		*p++ = '\\';
		switch (c) {
		case '"': *p++ = '"'; break;
		case '\\': *p++ = '\\'; break;
		case '\n': *p++ = 'n'; break;
		case '\r': *p++ = 'r'; break;
		case '\t': *p++ = 't'; break;
		case '\b': *p++ = 'b'; break;
		case '\f': *p++ = 'f'; break;
		default:
			*p++ = 'u';
			*p++ = '0';
			*p++ = '0';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
			break;
		}
	}
	*p++ = '"';
	return p;
}

/* ---------- layout ---------- */

/* Worst-case text bytes of one non-string value (quotes included). */
static size_t value_bound(const struct tw_column *c)
{
	switch (c->type) {
	case IR_T_BOOL: return 5;
	case IR_T_I64: return FMT_I64_MAX;
	case IR_T_F64: return FMT_F64_MAX + 2;
	case IR_T_DEC: return TW_DEC_MAX(c->scale);
	case IR_T_DATE: return DT_DATE_TEXT_MAX + 2;
	case IR_T_TS: return DT_TS_TEXT_MAX + 2;
	case IR_T_STR: return 2;
	}
	return 32;
}

static void layout_init(struct tw_layout *lay, enum tw_format fmt, const struct tw_column *cols,
			size_t n_cols)
{
	memset(lay, 0, sizeof(*lay));
	lay->fmt = fmt;
	lay->n_cols = n_cols;
	lay->cols = calloc(n_cols ? n_cols : 1, sizeof(*lay->cols));
	lay->keys = calloc(n_cols ? n_cols : 1, sizeof(*lay->keys));
	lay->key_lens = calloc(n_cols ? n_cols : 1, sizeof(*lay->key_lens));
	lay->plain = calloc(n_cols ? n_cols : 1, sizeof(*lay->plain));
	lay->tlen = calloc((n_cols ? n_cols : 1) * TW_CSV_ROWS, 1);
	/* slots of 32 bytes, or 64 for decimals of more than 8 fraction digits (value and comma) */
	lay->slot_w = 32;
	for (size_t j = 0; j < n_cols; j++)
		if (cols[j].type == IR_T_DEC && TW_DEC_MAX(cols[j].scale) + 1 > 32)
			lay->slot_w = 64;
	lay->scratch = malloc((n_cols ? n_cols : 1) * TW_CSV_ROWS * lay->slot_w);
	if (!lay->cols || !lay->keys || !lay->key_lens || !lay->plain || !lay->tlen || !lay->scratch)
		abort();
	lay->fixed_bound = 4; /* braces, newline, NUL */
	for (size_t j = 0; j < n_cols; j++) {
		struct strbuf sb = STRBUF_INIT;
		lay->cols[j] = cols[j];
		lay->cols[j].name = NULL;
		if (fmt == TW_JSONL) {
			const char *name = cols[j].name;
			size_t n = strlen(name);
			strbuf_addch(&sb, j ? ',' : '{');
			strbuf_grow(&sb, 6 * n + 3);
			sb.len = (size_t)(put_json_string(sb.buf + sb.len, name, n) - sb.buf);
			sb.buf[sb.len] = 0;
			strbuf_addch(&sb, ':');
		}
		lay->key_lens[j] = sb.len;
		lay->keys[j] = strbuf_detach(&sb, NULL);
		lay->fixed_bound += lay->key_lens[j] + value_bound(&cols[j]) + 1;
	}
}

static void layout_release(struct tw_layout *lay)
{
	for (size_t j = 0; j < lay->n_cols; j++)
		free(lay->keys[j]);
	free(lay->keys);
	free(lay->key_lens);
	free(lay->cols);
	free(lay->plain);
	free(lay->tlen);
	free(lay->scratch);
	memset(lay, 0, sizeof(*lay));
}

/* ---------- rows ---------- */

/* Days of 0000-01-01 and 9999-12-31: the dates with a plain 4-digit year. */
#define TW_DAY_Y0 (-719528)
#define TW_DAY_Y9999 2932896

/*
 * YYYY-MM-DD.  Years 0..9999 (the common case) are computed here with Neri
 * and Schneider's calendar algorithm ("Euclidean affine functions and their
 * application to calendar algorithms", 2022): multiplications and shifts in
 * 32 bits, no division by a variable.  Days count from 0000-03-01 shifted by
 * one era of 146,097 days (so every day of year 0 is non-negative); the
 * year runs March to February, so January and February belong to the next
 * civil year.  Other years go to dt_format_date.  tests/unit/
 * test_text_writer.c checks every day of years 0..9999 against datetime.c.
 */
static inline char *put_date(char *p, int64_t days)
{
	uint32_t n, n1, century, day_of_century, n2, year_of_century, day_of_year, n3, mo, d, jan_feb, y;
	uint64_t p2;
	if (days < TW_DAY_Y0 || days > TW_DAY_Y9999)
		return p + dt_format_date(p, days);
	n = (uint32_t)(days + 719468 + 146097); /* days since -0400-03-01 */
	n1 = 4 * n + 3;
	century = n1 / 146097;
	day_of_century = n1 % 146097 / 4;
	n2 = 4 * day_of_century + 3;
	p2 = (uint64_t)2939745 * n2; /* 2^32 * 4 / 1461: the year and the day within it */
	year_of_century = (uint32_t)(p2 >> 32);
	day_of_year = (uint32_t)p2 / 2939745 / 4; /* 0 = March 1st */
	n3 = 2141 * day_of_year + 197913; /* month (3 = March .. 14 = February) . day - 1, in 16.16 */
	mo = n3 >> 16;
	d = (n3 & 0xFFFF) / 2141 + 1;
	jan_feb = day_of_year >= 306;
	if (jan_feb)
		mo -= 12;
	y = 100 * century + year_of_century + jan_feb - 400;
	memcpy(p, digit_pairs + 2 * (y / 100), 2);
	memcpy(p + 2, digit_pairs + 2 * (y % 100), 2);
	p[4] = '-';
	memcpy(p + 5, digit_pairs + 2 * mo, 2);
	p[7] = '-';
	memcpy(p + 8, digit_pairs + 2 * d, 2);
	return p + 10;
}

static inline char *put_ts(char *p, int64_t secs)
{
	int64_t days;
	uint32_t sod, mi;
	if (secs >= 0) {
		days = (int64_t)((uint64_t)secs / 86400);
		sod = (uint32_t)((uint64_t)secs - (uint64_t)days * 86400);
	} else {
		days = dt_floor_div(secs, 86400);
		sod = (uint32_t)(secs - days * 86400);
	}
	p = put_date(p, days);
	*p++ = ' ';
	mi = sod / 60;
	memcpy(p, digit_pairs + 2 * (mi / 60), 2);
	p[2] = ':';
	memcpy(p + 3, digit_pairs + 2 * (mi % 60), 2);
	p[5] = ':';
	memcpy(p + 6, digit_pairs + 2 * (sod - mi * 60), 2);
	return p + 8;
}

#define TW_INLINE static inline __attribute__((always_inline))

TW_INLINE char *put_value(char *p, enum tw_format fmt, const struct tw_column *c,
		       const struct eval_vec *v, size_t i)
{
	const char *s;
	size_t n;

	switch (c->type) {
	case IR_T_BOOL:
		if (v->i64[i]) {
			memcpy(p, "true", 4);
			return p + 4;
		}
		memcpy(p, "false", 5);
		return p + 5;
	case IR_T_I64:
		return p + put_i64(p, v->i64[i]);
	case IR_T_F64:
		if (fmt == TW_JSONL && !isfinite(v->f64[i])) {
			*p++ = '"';
			p += fmt_f64_java(p, v->f64[i]);
			*p++ = '"';
			return p;
		}
		return p + tw_fmt_f64(p, v->f64[i]);
	case IR_T_DEC:
		return p + tw_fmt_dec(p, v->i64[i], c->scale);
	case IR_T_DATE:
		if (fmt == TW_JSONL)
			*p++ = '"';
		p = put_date(p, v->i64[i]);
		if (fmt == TW_JSONL)
			*p++ = '"';
		return p;
	case IR_T_TS:
		if (fmt == TW_JSONL)
			*p++ = '"';
		p = put_ts(p, v->i64[i]);
		if (fmt == TW_JSONL)
			*p++ = '"';
		return p;
	case IR_T_STR:
		s = eval_str(v, i, &n);
		return fmt == TW_JSONL ? put_json_string(p, s, n) : put_csv_string(p, s, n);
	}
	return p;
}

/* Appends rows [from, to) to sb; `fmt` is a constant in each caller, so each format gets its own loop. */
TW_INLINE void format_rows_as(struct strbuf *sb, const struct tw_layout *lay,
			      const struct eval_vec *const *vecs, size_t from, size_t to,
			      const enum tw_format fmt)
{
	const size_t str_factor = fmt == TW_JSONL ? 6 : 2;
	size_t need = (to - from) * lay->fixed_bound;
	char *p;

	for (size_t j = 0; j < lay->n_cols; j++)
		if (lay->cols[j].type == IR_T_STR)
			need += (size_t)(vecs[j]->off[to] - vecs[j]->off[from]) * str_factor;
	strbuf_grow(sb, need);
	p = sb->buf + sb->len;
	for (size_t i = from; i < to; i++) {
		for (size_t j = 0; j < lay->n_cols; j++) {
			const struct eval_vec *v = vecs[j];
			if (fmt == TW_JSONL) {
				memcpy(p, lay->keys[j], lay->key_lens[j]);
				p += lay->key_lens[j];
			} else if (j) {
				*p++ = ',';
			}
			if (!v->valid[i]) {
				if (fmt == TW_JSONL) {
					memcpy(p, "null", 4);
					p += 4;
				}
				continue;
			}
			p = put_value(p, fmt, &lay->cols[j], v, i);
		}
		if (fmt == TW_JSONL) {
			if (!lay->n_cols)
				*p++ = '{';
			*p++ = '}';
		}
		*p++ = '\n';
	}
	sb->len = (size_t)(p - sb->buf);
	sb->buf[sb->len] = 0;
}

/*
 * CSV, column by column: the text of row r of column j, followed by its
 * comma, goes to slot (r, j) of the scratch (slot_w bytes, rows of n_cols
 * slots) and its length to tlen[r * n_cols + j].  Length 0 marks a string
 * that does not fit its slot or needs quotes: the row loop writes it.
 */
static void format_column_csv(const struct tw_layout *lay, size_t j, const struct eval_vec *v, size_t from,
			      size_t to)
{
	const size_t sw = lay->slot_w, nc = lay->n_cols, rs = sw * nc;
	char *out = lay->scratch + j * sw;
	unsigned char *len = lay->tlen + j;
	const uint8_t *valid = v->valid + from;
	const size_t n = to - from;
	const int64_t *x = v->i64 ? v->i64 + from : NULL;

#define TW_EACH(...) \
	for (size_t r = 0; r < n; r++) { \
		char *o = out + r * rs; \
		size_t l = 0; \
		if (valid[r]) { \
			__VA_ARGS__; \
		} \
		o[l] = ','; \
		len[r * nc] = (unsigned char)(l + 1); \
	}
	switch (lay->cols[j].type) {
	case IR_T_BOOL:
		TW_EACH(memcpy(o, x[r] ? "true" : "false", 5); l = x[r] ? 4 : 5);
		break;
	case IR_T_I64:
		TW_EACH(l = put_i64(o, x[r]));
		break;
	case IR_T_F64: {
		const double *f = v->f64 + from;
		TW_EACH(l = tw_fmt_f64(o, f[r]));
		break;
	}
	case IR_T_DEC: {
		int scale = lay->cols[j].scale;
		TW_EACH(l = tw_fmt_dec(o, x[r], scale));
		break;
	}
	case IR_T_DATE:
		TW_EACH(l = (size_t)(put_date(o, x[r]) - o));
		break;
	case IR_T_TS:
		TW_EACH(l = (size_t)(put_ts(o, x[r]) - o));
		break;
	case IR_T_STR: {
		const uint32_t *off = v->off + from;
		const char *data = v->data;
		if (lay->plain[j]) {
			for (size_t r = 0; r < n; r++) {
				char *o = out + r * rs;
				size_t l = off[r + 1] - off[r];
				if (l < sw && (l || !valid[r])) { /* an empty string is quoted */
					copy_short(o, data + off[r], l);
					o[l] = ',';
					len[r * nc] = (unsigned char)(l + 1);
				} else {
					len[r * nc] = 0;
				}
			}
		} else {
			for (size_t r = 0; r < n; r++) {
				out[r * rs] = ',';
				len[r * nc] = valid[r] ? 0 : 1;
			}
		}
		break;
	}
	}
#undef TW_EACH
}

/*
 * CSV rows [from, to): the texts column by column into the scratch, then the
 * rows, each text moved with one fixed-size copy (the buffer has room for
 * whole slots; the next text overwrites the excess).
 */
static void format_rows_csv(struct strbuf *sb, const struct tw_layout *lay, const struct eval_vec *const *vecs,
			    size_t from, size_t to)
{
	const size_t nc = lay->n_cols, sw = lay->slot_w;
	for (size_t at = from; at < to; at += TW_CSV_ROWS) {
		size_t end = to - at < TW_CSV_ROWS ? to : at + TW_CSV_ROWS, n = end - at;
		size_t need = n * (nc * (sw + 3) + 2);
		const char *src = lay->scratch;
		const unsigned char *len = lay->tlen;
		char *p;
		for (size_t j = 0; j < nc; j++) {
			if (lay->cols[j].type == IR_T_STR) {
				need += (size_t)(vecs[j]->off[end] - vecs[j]->off[at]) * 2;
				lay->plain[j] = csv_plain_rows(vecs[j], at, end);
			}
			format_column_csv(lay, j, vecs[j], at, end);
		}
		strbuf_grow(sb, need);
		p = sb->buf + sb->len;
		for (size_t r = 0; r < n; r++) {
			for (size_t j = 0; j < nc; j++, src += sw, len++) {
				if (*len) {
					if (sw == 32)
						memcpy(p, src, 32);
					else
						memcpy(p, src, 64);
					p += *len;
				} else {
					size_t l;
					const char *s = eval_str(vecs[j], at + r, &l);
					p = put_csv_string(p, s, l);
					*p++ = ',';
				}
			}
			if (nc)
				p[-1] = '\n';
			else
				*p++ = '\n';
		}
		sb->len = (size_t)(p - sb->buf);
		sb->buf[sb->len] = 0;
	}
}

static void format_rows(struct strbuf *sb, const struct tw_layout *lay,
			const struct eval_vec *const *vecs, size_t from, size_t to)
{
	if (lay->fmt == TW_JSONL)
		format_rows_as(sb, lay, vecs, from, to, TW_JSONL);
	else
		format_rows_csv(sb, lay, vecs, from, to);
}

static void format_header(struct strbuf *sb, const struct tw_layout *lay,
			  const struct tw_column *cols)
{
	if (lay->fmt != TW_CSV)
		return;
	for (size_t j = 0; j < lay->n_cols; j++) {
		size_t n = strlen(cols[j].name);
		if (j)
			strbuf_addch(sb, ',');
		strbuf_grow(sb, 2 * n + 2);
		sb->len = (size_t)(put_csv_string(sb->buf + sb->len, cols[j].name, n) - sb->buf);
		sb->buf[sb->len] = 0;
	}
	strbuf_addch(sb, '\n');
}

void tw_format_header(struct strbuf *sb, enum tw_format fmt, const struct tw_column *cols,
		      size_t n_cols)
{
	struct tw_layout lay;
	layout_init(&lay, fmt, cols, n_cols);
	format_header(sb, &lay, cols);
	layout_release(&lay);
}

void tw_format_rows(struct strbuf *sb, enum tw_format fmt, const struct tw_column *cols,
		    size_t n_cols, const struct eval_vec *const *vecs, size_t n_rows)
{
	struct tw_formatter *f = tw_formatter_new(fmt, cols, n_cols);
	tw_formatter_rows(f, sb, vecs, n_rows);
	tw_formatter_free(f);
}

/* ---------- files ---------- */

static int fail_errno(struct text_writer *w, int err)
{
	if (!w->failed)
		diag_error(w->diags, NULL, "cannot write '%s': %s", w->path, strerror(err));
	w->failed = true;
	return -1;
}

static int write_all(struct text_writer *w, const char *p, size_t left)
{
	while (left) {
		ssize_t n = write(w->fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail_errno(w, errno);
		}
		p += n;
		left -= (size_t)n;
		w->bytes += n;
	}
	return 0;
}

static int flush(struct text_writer *w)
{
	if (w->failed || write_all(w, w->buf.buf, w->buf.len))
		return -1;
	strbuf_reset(&w->buf);
	return 0;
}

int tw_open(struct text_writer **out, const char *path, enum tw_format fmt,
	    const struct tw_column *cols, size_t n_cols, struct diags *diags)
{
	struct text_writer *w;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		abort();
	w->diags = diags;
	w->path = strdup(path);
	if (!w->path)
		abort();
	strbuf_init(&w->buf, TW_FLUSH_BYTES + 4096);
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (w->fd < 0) {
		fail_errno(w, errno);
		tw_abort(w);
		return -1;
	}
	tw_format_header(&w->buf, fmt, cols, n_cols);
	*out = w;
	return 0;
}

int tw_write_text(struct text_writer *w, const char *text, size_t len, struct diags *diags)
{
	w->diags = diags;
	if (w->failed)
		return -1;
	if (len < TW_FLUSH_BYTES / 16) { /* small: buffered, written with what follows */
		strbuf_add(&w->buf, text, len);
		return w->buf.len >= TW_FLUSH_BYTES ? flush(w) : 0;
	}
	if (w->buf.len && flush(w))
		return -1;
	return write_all(w, text, len);
}

/* ---------- formatters ---------- */

struct tw_formatter {
	struct tw_layout lay;
};

struct tw_formatter *tw_formatter_new(enum tw_format fmt, const struct tw_column *cols,
				      size_t n_cols)
{
	struct tw_formatter *f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	layout_init(&f->lay, fmt, cols, n_cols);
	return f;
}

void tw_formatter_rows(struct tw_formatter *f, struct strbuf *sb,
		       const struct eval_vec *const *cols, size_t n_rows)
{
	for (size_t i = 0; i < n_rows; i += TW_ROWS_PER_STEP)
		format_rows(sb, &f->lay, cols, i,
			    n_rows - i < TW_ROWS_PER_STEP ? n_rows : i + TW_ROWS_PER_STEP);
}

void tw_formatter_free(struct tw_formatter *f)
{
	if (!f)
		return;
	layout_release(&f->lay);
	free(f);
}

static void writer_free(struct text_writer *w)
{
	strbuf_release(&w->buf);
	free(w->path);
	free(w);
}

int tw_close(struct text_writer *w, int64_t *bytes_out)
{
	int rc = flush(w);
	if (close(w->fd) && rc == 0)
		rc = fail_errno(w, errno);
	if (bytes_out)
		*bytes_out = w->bytes;
	writer_free(w);
	return rc;
}

void tw_abort(struct text_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	writer_free(w);
}
