/*
 * Unit tests for runtime/hash.h: the inlined 8-byte XXH64 equals libxxhash,
 * and the Spark xxhash64 vector of DESIGN section 5 holds.
 */
#include <stdint.h>
#include <xxhash.h>

#include "harness.h"
#include "hash.h"

static void test_hash__inline_matches_libxxhash(void)
{
	uint64_t seeds[] = {0, 42, 1, UINT64_MAX, 0x123456789abcdefULL};
	int64_t vals[] = {0, 1, -1, 7, 3, INT64_MAX, INT64_MIN, 1234567890123LL};
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		for (size_t j = 0; j < sizeof(vals) / sizeof(vals[0]); j++) {
			unsigned char b[8];
			uint64_t v = (uint64_t)vals[j];
			for (int k = 0; k < 8; k++)
				b[k] = (unsigned char)(v >> (8 * k));
			CHECK_U64_EQ(XXH64(b, 8, seeds[i]), hash_xxh64_u64(v, seeds[i]));
		}
}

static void test_hash__spark_vector(void)
{
	/* Spark: SELECT xxhash64(CAST(7 AS BIGINT), CAST(3 AS BIGINT)) */
	CHECK_INT_EQ(2151609513328473199LL, (int64_t)spark_xxhash64_2(7, 3));
}

static void test_hash__cell_hash_is_spark_two_arg(void)
{
	uint64_t key = cell_key(-5);
	CHECK_U64_EQ(spark_xxhash64_2(-5, 99), cell_hash(key, 99));
	CHECK_U64_EQ(spark_xxhash64_3(-5, 99, -1), cell_hash_k(key, 99, -1));
}

static void test_hash__unit_and_range(void)
{
	CHECK(hash_unit(0) == 0.0);
	CHECK(hash_unit(UINT64_MAX) < 1.0);
	CHECK_INT_EQ(10, hash_int_range(0, 10, 20));
	CHECK_INT_EQ(20, hash_int_range(UINT64_MAX, 10, 20));
}

static const struct harness_test tests[] = {
	{"hash__inline_matches_libxxhash", test_hash__inline_matches_libxxhash},
	{"hash__spark_vector", test_hash__spark_vector},
	{"hash__cell_hash_is_spark_two_arg", test_hash__cell_hash_is_spark_two_arg},
	{"hash__unit_and_range", test_hash__unit_and_range},
	{0, 0},
};

HARNESS_MAIN(tests)
