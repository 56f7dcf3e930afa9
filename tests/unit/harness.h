/*
 * harness: a tiny unit-test harness.  Each test file defines test functions
 * and lists them in a TESTS table; main() runs them, prints one line per
 * failure with file:line, and a closing "N passed, N failed" line that CI
 * reads.  Exit status is 1 if any check failed.
 */
#ifndef INGEN_TEST_HARNESS_H
#define INGEN_TEST_HARNESS_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int harness_failed_checks;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	harness_failed_checks++; } } while (0)

#define CHECK_INT_EQ(want, got) do { long long w_ = (long long)(want), g_ = (long long)(got); \
	if (w_ != g_) { fprintf(stderr, "%s:%d: %s: want %lld, got %lld\n", __FILE__, __LINE__, \
		#got, w_, g_); harness_failed_checks++; } } while (0)

#define CHECK_U64_EQ(want, got) do { uint64_t w_ = (uint64_t)(want), g_ = (uint64_t)(got); \
	if (w_ != g_) { fprintf(stderr, "%s:%d: %s: want %" PRIu64 ", got %" PRIu64 "\n", \
		__FILE__, __LINE__, #got, w_, g_); harness_failed_checks++; } } while (0)

#define CHECK_STR_EQ(want, got) do { const char *w_ = (want), *g_ = (got); \
	if (!g_ || strcmp(w_, g_) != 0) { fprintf(stderr, "%s:%d: %s:\n  want \"%s\"\n  got  \"%s\"\n", \
		__FILE__, __LINE__, #got, w_, g_ ? g_ : "(null)"); harness_failed_checks++; } } while (0)

/* A fixed-seed xorshift64 stream, for tests that draw many arguments (the same every run). */
static uint64_t harness_rng_state = 0x9E3779B97F4A7C15ULL;

static inline uint64_t harness_rng(void)
{
	harness_rng_state ^= harness_rng_state << 13;
	harness_rng_state ^= harness_rng_state >> 7;
	harness_rng_state ^= harness_rng_state << 17;
	return harness_rng_state;
}

struct harness_test {
	const char *name;
	void (*fn)(void);
};

static inline int harness_run(const struct harness_test *tests)
{
	int passed = 0, failed = 0;
	for (const struct harness_test *t = tests; t->name; t++) {
		int before = harness_failed_checks;
		t->fn();
		if (harness_failed_checks == before) {
			passed++;
		} else {
			failed++;
			fprintf(stderr, "FAIL %s\n", t->name);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

#define HARNESS_MAIN(tests) int main(void) { return harness_run(tests); }

#endif
