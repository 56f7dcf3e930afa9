/*
 * textfmt: the text of numbers as Spark's CAST(x AS STRING) writes them,
 * without printf on the hot path (DESIGN section 7): integers, decimals
 * (Java's BigDecimal.toString: exactly `scale` fraction digits) and doubles (Java's
 * Double.toString with the shortest digits that read back, JDK 19 and
 * later).  Each function writes no NUL and returns the length.
 */
#ifndef INGEN_TEXTFMT_H
#define INGEN_TEXTFMT_H

#include <stddef.h>
#include <stdint.h>

#define FMT_I64_MAX 20                      /* "-9223372036854775808" */
#define FMT_DEC_MAX(scale) ((size_t)(scale) + 23)
#define FMT_F64_MAX 26                      /* "-2.2250738585072014E-308" */

size_t fmt_i64(char *buf, int64_t v);

/*
 * unscaled * 10^-scale, scale >= 0, as Java's BigDecimal.toString (which
 * Spark's CAST(decimal AS STRING) is): "-12.50" for (-1250, 2), "0.05" for
 * (5, 2); scientific when the adjusted exponent (digits - 1 - scale) is
 * below -6: "1.00E-8" for (100, 10), "0E-10" for (0, 10).
 */
size_t fmt_dec(char *buf, int64_t unscaled, int scale);

/*
 * Java's Double.toString: "NaN", "Infinity", "-0.0"; plain notation
 * ("100.0", "0.001") when 10^-3 <= |d| < 10^7, else "1.0E7", "1.234E-5".
 * The digits are the shortest that read back as d (the closest such when
 * several, at least 2 when one would do but two are closer), which JDK 19+
 * prints; older JDKs sometimes print one more digit.  Uses snprintf/strtod,
 * so it is not for hot loops.
 */
size_t fmt_f64_java(char *buf, double d);

#endif
