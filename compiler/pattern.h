/*
 * pattern: string generation from a regular-expression subset
 * (docs/config.md, "Patterns"; the exact algorithm is in docs/generation.md).
 *
 * pattern_compile() first compiles the source with PCRE2 (its error message
 * and offset become our diagnostic), then parses it into our own tree and
 * rejects what cannot be generated.  Quantifiers are unrolled up to their
 * maximum (unbounded ones capped at min + 8) and every choice point (a class
 * pick at one position, an alternation pick, a repeat count) gets a fixed
 * draw index k at compile time, so that every engine (C, numpy, Spark SQL)
 * can compute each choice as xxhash64(column_seed, row, k) independently.
 */
#ifndef INGEN_PATTERN_H
#define INGEN_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct arena;
struct strbuf;

struct pattern;

int pattern_compile(struct pattern **out, const char *src, const struct src_loc *loc,
		    struct arena *arena, struct diags *diags);

/* Number of draw indices used (k runs 1..n). */
int pattern_draw_count(const struct pattern *p);
/* Longest string the pattern can produce, in bytes. */
size_t pattern_max_length(const struct pattern *p);
/* Number of distinct strings (an upper bound for ambiguous alternations), saturating at UINT64_MAX. */
uint64_t pattern_cardinality(const struct pattern *p);

/*
 * Appends one generated string.  `draws[k]` (k = 1..pattern_draw_count) holds
 * the 64-bit cell hash of draw k; the pattern turns each into u or an index
 * with the rules of DESIGN section 5.
 */
void pattern_generate(const struct pattern *p, const uint64_t *draws, struct strbuf *out);

/* Appends the index-th string (0 <= index < cardinality) in the pattern's canonical order. */
void pattern_unrank(const struct pattern *p, uint64_t index, struct strbuf *out);

/* True when `s` matches the pattern in full (PCRE2, anchored both ends). */
bool pattern_matches(const struct pattern *p, const char *s, size_t len);

#endif
