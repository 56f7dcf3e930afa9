/*
 * text_writer: the CSV and JSON lines writers (see text_writer.h for the
 * formats).  Rows are formatted straight into one growing buffer, up to
 * TW_ROWS_PER_STEP at a time: first the buffer is grown to their worst-case
 * length (fixed per column type, plus the escaped length of their strings),
 * so the per-value code writes through a plain pointer without bounds
 * checks; each format has its own row loop.  The buffer goes to the file with write(2) whenever it passes
 * TW_FLUSH_BYTES.  Numbers, dates and timestamps are formatted by hand;
 * doubles in plain notation (10^-3 <= |d| < 10^7) get their shortest
 * digits exactly in 128-bit integers, the others go to textfmt.h.
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

struct tw_layout {
	enum tw_format fmt;
	size_t n_cols;
	struct tw_column *cols;
	/* JSON lines: `{"a":` for the first column, `,"b":` for the others */
	char **keys;
	size_t *key_lens;
	size_t fixed_bound; /* worst-case bytes of a row without its strings' bytes */
	struct date_cache *dates;
};

/* Texts of recently formatted dates, direct-mapped by day (most columns span a few years). */
#define TW_DATE_CACHE 1024
struct date_cache {
	int64_t days[TW_DATE_CACHE];
	unsigned char len[TW_DATE_CACHE];
	char text[TW_DATE_CACHE][DT_DATE_TEXT_MAX];
};

struct text_writer {
	int fd;
	char *path;
	struct tw_layout lay;
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

/* Decimal digits of u (1..20): log10 from the bit length, corrected by one comparison. */
static inline size_t count_digits(uint64_t u)
{
	int t = ((64 - __builtin_clzll(u | 1)) * 1233) >> 12;
	return u < 10 ? 1 : (size_t)t + 1 - (u < upow10_19[t]);
}

/* Digits of u (at least `min_digits`, zero padded), written right to left in place. */
static size_t put_u64(char *buf, uint64_t u, size_t min_digits)
{
	size_t n = count_digits(u), len = n < min_digits ? min_digits : n;
	char *p = buf + len;
	while (u >= 100) {
		unsigned r = (unsigned)(u % 100);
		u /= 100;
		p -= 2;
		memcpy(p, digit_pairs + 2 * r, 2);
	}
	if (u >= 10) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * u, 2);
	} else {
		*--p = (char)('0' + u);
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
	char digits[24];
	size_t nd;

	if (unscaled < 0)
		buf[len++] = '-';
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
 * even).  In units of 2^(e-2) the interval is [4m - 2 (or 1), 4m + 2], and
 * for k fraction digits a decimal N * 10^-k is inside when N * 2^q lies in
 * [lo * 10^k, hi * 10^k], q = 2 - e (31..64 in this range).  The smallest k
 * with such an N gives the fewest digits; among several, the one nearest
 * to d (ties to an even digit), as Java picks.  Every product stays below
 * 2^121: 4m < 2^55, 10^k <= 10^19 < 2^64, N < 10^17.
 */
struct f64_parts {
	uint64_t lo4, hi4, mid4; /* below 2^55 */
	int q;
	bool even;
};

/* The integers n_lo..n_hi of the rounding interval at k fraction digits (p10 = 10^k). */
static bool interval_at(const struct f64_parts *f, uint64_t p10, unsigned __int128 *n_lo,
			unsigned __int128 *n_hi)
{
	unsigned __int128 lo = (unsigned __int128)f->lo4 * p10, hi = (unsigned __int128)f->hi4 * p10;
	*n_lo = lo >> f->q;
	*n_hi = hi >> f->q;
	if ((*n_lo << f->q) < lo || (!f->even && (*n_lo << f->q) == lo))
		(*n_lo)++;
	if (!f->even && (*n_hi << f->q) == hi)
		(*n_hi)--;
	return *n_lo <= *n_hi;
}

static size_t fmt_plain_shortest(char *buf, double d)
{
	typedef unsigned __int128 u128;
	struct f64_parts f;
	uint64_t bits, m, ip, fp, p10;
	u128 n_lo, n_hi, n, mid, rem, half;
	int e, lo_k = 0, hi_k = 19, k;
	size_t len = 0;

	memcpy(&bits, &d, sizeof(bits));
	m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	e = (int)((bits >> 52) & 0x7ff) - 1075;
	f.q = 2 - e;
	if (f.q < 1 || f.q > 64)
		return 0;
	f.even = !(m & 1);
	f.mid4 = m * 4;
	f.lo4 = f.mid4 - (m == (1ULL << 52) ? 1 : 2);
	f.hi4 = f.mid4 + 2;
	/*
	 * A decimal at k digits gives one at k + 1 (append a 0), so the smallest
	 * k is found by bisection.  17 significant digits always suffice; most
	 * doubles need 16 or 17, so those two are tried first.
	 */
	{
		static const double p10e[] = {1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
		double a = fabs(d);
		int e10 = -3; /* floor(log10(a)): each literal is just above its power of ten */
		while (e10 < 6 && a >= p10e[e10 + 3])
			e10++;
		hi_k = 16 - e10;
	}
	if (!interval_at(&f, upow10_19[hi_k], &n_lo, &n_hi))
		return 0;
	if (!interval_at(&f, upow10_19[hi_k - 1], &n_lo, &n_hi))
		lo_k = hi_k;
	else if (!interval_at(&f, upow10_19[hi_k - 2], &n_lo, &n_hi))
		lo_k = hi_k = hi_k - 1;
	else
		hi_k -= 2;
	while (lo_k < hi_k) {
		int mk = (lo_k + hi_k) / 2;
		if (interval_at(&f, upow10_19[mk], &n_lo, &n_hi))
			hi_k = mk;
		else
			lo_k = mk + 1;
	}
	k = lo_k;
	p10 = upow10_19[k];
	interval_at(&f, p10, &n_lo, &n_hi);
	/* the candidate nearest to d, ties to even */
	mid = (u128)f.mid4 * p10;
	half = (u128)1 << (f.q - 1);
	n = mid >> f.q;
	rem = mid - (n << f.q);
	if (rem > half || (rem == half && (n & 1)))
		n++;
	if (n < n_lo)
		n = n_lo;
	if (n > n_hi)
		n = n_hi;
	if (n >= (u128)upow10_19[17]) /* 17 digits at most */
		return 0;
	ip = (uint64_t)n / p10;
	fp = (uint64_t)n % p10;
	if (d < 0)
		buf[len++] = '-';
	len += put_u64(buf + len, ip, 1);
	buf[len++] = '.';
	if (k == 0)
		buf[len++] = '0';
	else
		len += put_u64(buf + len, fp, (size_t)k);
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
	if (!lay->cols || !lay->keys || !lay->key_lens)
		abort();
	lay->dates = malloc(sizeof(*lay->dates));
	if (!lay->dates)
		abort();
	for (size_t i = 0; i < TW_DATE_CACHE; i++)
		lay->dates->days[i] = INT64_MIN;
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
	free(lay->dates);
	memset(lay, 0, sizeof(*lay));
}

/* ---------- rows ---------- */

static char *put_date(char *p, struct date_cache *dc, int64_t days)
{
	size_t slot = (size_t)((uint64_t)days & (TW_DATE_CACHE - 1));
	if (dc->days[slot] != days) {
		dc->len[slot] = (unsigned char)dt_format_date(dc->text[slot], days);
		dc->days[slot] = days;
	}
	memcpy(p, dc->text[slot], DT_DATE_TEXT_MAX); /* a fixed size copies faster; the row has room */
	return p + dc->len[slot];
}

static char *put_ts(char *p, struct date_cache *dc, int64_t secs)
{
	int64_t days = dt_floor_div(secs, 86400);
	int sod = (int)(secs - days * 86400);
	p = put_date(p, dc, days);
	*p++ = ' ';
	memcpy(p, digit_pairs + 2 * (sod / 3600), 2);
	p[2] = ':';
	memcpy(p + 3, digit_pairs + 2 * (sod / 60 % 60), 2);
	p[5] = ':';
	memcpy(p + 6, digit_pairs + 2 * (sod % 60), 2);
	return p + 8;
}

#define TW_INLINE static inline __attribute__((always_inline))

TW_INLINE char *put_value(char *p, enum tw_format fmt, const struct tw_column *c,
		       struct date_cache *dc, const struct eval_vec *v, size_t i)
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
		p = put_date(p, dc, v->i64[i]);
		if (fmt == TW_JSONL)
			*p++ = '"';
		return p;
	case IR_T_TS:
		if (fmt == TW_JSONL)
			*p++ = '"';
		p = put_ts(p, dc, v->i64[i]);
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
			p = put_value(p, fmt, &lay->cols[j], lay->dates, v, i);
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

static void format_rows(struct strbuf *sb, const struct tw_layout *lay,
			const struct eval_vec *const *vecs, size_t from, size_t to)
{
	if (lay->fmt == TW_JSONL)
		format_rows_as(sb, lay, vecs, from, to, TW_JSONL);
	else
		format_rows_as(sb, lay, vecs, from, to, TW_CSV);
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
	struct tw_layout lay;
	layout_init(&lay, fmt, cols, n_cols);
	format_rows(sb, &lay, vecs, 0, n_rows);
	layout_release(&lay);
}

/* ---------- files ---------- */

static int fail_errno(struct text_writer *w, int err)
{
	if (!w->failed)
		diag_error(w->diags, NULL, "cannot write '%s': %s", w->path, strerror(err));
	w->failed = true;
	return -1;
}

static int flush(struct text_writer *w)
{
	const char *p = w->buf.buf;
	size_t left = w->buf.len;
	if (w->failed)
		return -1;
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
	layout_init(&w->lay, fmt, cols, n_cols);
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (w->fd < 0) {
		fail_errno(w, errno);
		tw_abort(w);
		return -1;
	}
	format_header(&w->buf, &w->lay, cols);
	*out = w;
	return 0;
}

int tw_write_batch(struct text_writer *w, const struct eval_vec *const *cols, size_t n_rows)
{
	if (w->failed)
		return -1;
	for (size_t i = 0; i < n_rows; i += TW_ROWS_PER_STEP) {
		size_t to = n_rows - i < TW_ROWS_PER_STEP ? n_rows : i + TW_ROWS_PER_STEP;
		format_rows(&w->buf, &w->lay, cols, i, to);
		if (w->buf.len >= TW_FLUSH_BYTES && flush(w))
			return -1;
	}
	return 0;
}

static void writer_free(struct text_writer *w)
{
	strbuf_release(&w->buf);
	layout_release(&w->lay);
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
