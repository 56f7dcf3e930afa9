/*
 * textfmt: number-to-text conversions shared by the evaluator (TO_STR) and
 * the text writers.  Integers and decimals are formatted by hand; doubles
 * search the shortest round-tripping digit string with snprintf("%.*e") and
 * strtod, then lay it out as Java's Double.toString does.
 */
#include "textfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Digits of u, most significant first; returns the count. */
static size_t put_u64(char *buf, uint64_t u)
{
	char tmp[20];
	size_t n = 0, len = 0;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n)
		buf[len++] = tmp[--n];
	return len;
}

size_t fmt_i64(char *buf, int64_t v)
{
	if (v < 0) {
		buf[0] = '-';
		return 1 + put_u64(buf + 1, (uint64_t)0 - (uint64_t)v);
	}
	return put_u64(buf, (uint64_t)v);
}

size_t fmt_dec(char *buf, int64_t unscaled, int scale)
{
	char digits[20];
	size_t nd, len = 0, s = scale > 0 ? (size_t)scale : 0;
	uint64_t u = unscaled < 0 ? (uint64_t)0 - (uint64_t)unscaled : (uint64_t)unscaled;
	if (unscaled < 0)
		buf[len++] = '-';
	nd = put_u64(digits, u);
	if (s == 0) {
		memcpy(buf + len, digits, nd);
		return len + nd;
	}
	if ((int64_t)nd - 1 - (int64_t)s < -6) {
		/* BigDecimal.toString: d.dddE-n when the adjusted exponent is below -6 */
		buf[len++] = digits[0];
		if (nd > 1) {
			buf[len++] = '.';
			memcpy(buf + len, digits + 1, nd - 1);
			len += nd - 1;
		}
		buf[len++] = 'E';
		return len + fmt_i64(buf + len, (int64_t)nd - 1 - (int64_t)s);
	}
	if (nd <= s) {
		/* 0.00ddd */
		buf[len++] = '0';
		buf[len++] = '.';
		memset(buf + len, '0', s - nd);
		len += s - nd;
		memcpy(buf + len, digits, nd);
		return len + nd;
	}
	memcpy(buf + len, digits, nd - s);
	len += nd - s;
	buf[len++] = '.';
	memcpy(buf + len, digits + nd - s, s);
	return len + s;
}

/*
 * The shortest decimal digits of d > 0 (finite) that read back as d, and
 * the exponent e with d ~ 0.D1D2... * 10^(e+1), i.e. D1.D2... * 10^e.
 */
static size_t shortest_digits(char *digits, int *exp10, double d)
{
	char tmp[40];
	size_t nd = 0;
	int prec;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	if (prec == 1) {
		/* Java prefers a closer 2-digit decimal over a 1-digit one */
		char two[40];
		snprintf(two, sizeof(two), "%.1e", d);
		if (strtod(two, NULL) == d)
			memcpy(tmp, two, sizeof(two));
	}
	/* tmp is "D[.DDD]e[+-]XX" */
	for (const char *p = tmp; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	*exp10 = atoi(strchr(tmp, 'e') + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	return nd;
}

size_t fmt_f64_java(char *buf, double d)
{
	char digits[24];
	size_t nd, len = 0;
	int e;
	if (isnan(d)) {
		memcpy(buf, "NaN", 3);
		return 3;
	}
	if (signbit(d)) {
		buf[len++] = '-';
		d = -d;
	}
	if (isinf(d)) {
		memcpy(buf + len, "Infinity", 8);
		return len + 8;
	}
	if (d == 0) {
		memcpy(buf + len, "0.0", 3);
		return len + 3;
	}
	nd = shortest_digits(digits, &e, d);
	if (e >= -3 && e < 7) {
		if (e >= 0) {
			size_t ip = (size_t)e + 1; /* integer digits */
			for (size_t i = 0; i < ip; i++)
				buf[len++] = i < nd ? digits[i] : '0';
			buf[len++] = '.';
			if (nd > ip) {
				memcpy(buf + len, digits + ip, nd - ip);
				len += nd - ip;
			} else {
				buf[len++] = '0';
			}
		} else {
			buf[len++] = '0';
			buf[len++] = '.';
			for (int i = -1; i > e; i--)
				buf[len++] = '0';
			memcpy(buf + len, digits, nd);
			len += nd;
		}
		return len;
	}
	buf[len++] = digits[0];
	buf[len++] = '.';
	if (nd > 1) {
		memcpy(buf + len, digits + 1, nd - 1);
		len += nd - 1;
	} else {
		buf[len++] = '0';
	}
	buf[len++] = 'E';
	return len + fmt_i64(buf + len, e);
}
