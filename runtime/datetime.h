/*
 * datetime: the proleptic Gregorian calendar in integers only, for DATE
 * values (days since 1970-01-01) and TIMESTAMP values (seconds since the
 * epoch, UTC).  The day <-> civil conversions are Howard Hinnant's
 * days_from_civil / civil_from_days ("chrono-Compatible Low-Level Date
 * Algorithms"); everything else is built on them.
 *
 * The calendar functions are defined on Spark's DATE range, days in
 * [DT_DAYS_MIN, DT_DAYS_MAX] (int32), and on the seconds of those days;
 * dt_days_ok() / dt_secs_ok() tell whether a value is inside.  Callers treat
 * values outside as NULL.
 */
#ifndef INGEN_DATETIME_H
#define INGEN_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DT_DAYS_MIN (-2147483647LL - 1)
#define DT_DAYS_MAX 2147483647LL
#define DT_SECS_MIN (DT_DAYS_MIN * 86400)
#define DT_SECS_MAX (DT_DAYS_MAX * 86400 + 86399)

/* Longest text of dt_format_date / dt_format_ts (without a NUL). */
#define DT_DATE_TEXT_MAX 16
#define DT_TS_TEXT_MAX 25

static inline bool dt_days_ok(int64_t days)
{
	return days >= DT_DAYS_MIN && days <= DT_DAYS_MAX;
}

static inline bool dt_secs_ok(int64_t secs)
{
	return secs >= DT_SECS_MIN && secs <= DT_SECS_MAX;
}

/* floor(a / b) and a - b * floor(a / b), for b > 0. */
static inline int64_t dt_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && a < 0) ? q - 1 : q;
}

static inline int64_t dt_floor_mod(int64_t a, int64_t b)
{
	int64_t r = a % b;
	return r < 0 ? r + b : r;
}

/* Days since 1970-01-01 of y-m-d (m 1..12, d 1..31; not validated). */
static inline int64_t dt_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The civil date of day z (|z| well inside int64; dt_days_ok() values are). */
static inline void dt_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static inline bool dt_is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static inline int dt_days_in_month(int64_t y, int m)
{
	static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && dt_is_leap(y) ? 29 : dim[m - 1];
}

/* Day of the week, 0 = Sunday .. 6 = Saturday (1970-01-01 was a Thursday). */
static inline int dt_weekday(int64_t days)
{
	return (int)dt_floor_mod(days + 4, 7);
}

/* Day of the year, 1..366. */
int dt_day_of_year(int64_t days);

/* ISO 8601 week of the year, 1..53 (weeks start on Monday; week 1 holds the first Thursday). */
int dt_iso_week(int64_t days);

/*
 * Text of a date as Spark casts it to a string: 'YYYY-MM-DD', the year
 * zero-padded to 4 digits, with a '+' when above 9999 and a '-' when
 * negative.  Returns the length; buf holds at least DT_DATE_TEXT_MAX bytes.
 * No NUL is written.
 */
size_t dt_format_date(char *buf, int64_t days);

/* 'YYYY-MM-DD HH:MM:SS' (UTC); buf holds at least DT_TS_TEXT_MAX bytes. */
size_t dt_format_ts(char *buf, int64_t secs);

#endif
