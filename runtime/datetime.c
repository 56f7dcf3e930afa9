/*
 * datetime: calendar helpers that are too long to inline (datetime.h has the
 * conversions): day of the year, the ISO 8601 week, and the text of dates
 * and timestamps, written by hand so the hot path never calls printf.
 */
#include "datetime.h"

int dt_day_of_year(int64_t days)
{
	int64_t y;
	int m, d;
	dt_civil_from_days(days, &y, &m, &d);
	return (int)(days - dt_days_from_civil(y, 1, 1)) + 1;
}

int dt_iso_week(int64_t days)
{
	int wd = dt_weekday(days); /* 0 = Sunday */
	int iso = wd == 0 ? 7 : wd; /* 1 = Monday .. 7 = Sunday */
	int64_t thursday = days + (4 - iso), y;
	int m, d;
	dt_civil_from_days(thursday, &y, &m, &d);
	return (int)((thursday - dt_days_from_civil(y, 1, 1)) / 7) + 1;
}

static size_t put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return 2;
}

/* The year with at least 4 digits, '+' above 9999 and '-' below 0. */
static size_t put_year(char *buf, int64_t y)
{
	char tmp[24];
	size_t n = 0, len = 0;
	uint64_t u;
	if (y < 0) {
		buf[len++] = '-';
		u = (uint64_t)0 - (uint64_t)y;
	} else {
		if (y > 9999)
			buf[len++] = '+';
		u = (uint64_t)y;
	}
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n < 4)
		tmp[n++] = '0';
	while (n)
		buf[len++] = tmp[--n];
	return len;
}

size_t dt_format_date(char *buf, int64_t days)
{
	int64_t y;
	int m, d;
	size_t len;
	dt_civil_from_days(days, &y, &m, &d);
	len = put_year(buf, y);
	buf[len++] = '-';
	len += put2(buf + len, m);
	buf[len++] = '-';
	len += put2(buf + len, d);
	return len;
}

size_t dt_format_ts(char *buf, int64_t secs)
{
	int64_t days = dt_floor_div(secs, 86400);
	int sod = (int)(secs - days * 86400);
	size_t len = dt_format_date(buf, days);
	buf[len++] = ' ';
	len += put2(buf + len, sod / 3600);
	buf[len++] = ':';
	len += put2(buf + len, sod / 60 % 60);
	buf[len++] = ':';
	len += put2(buf + len, sod % 60);
	return len;
}
