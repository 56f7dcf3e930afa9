/*
 * hash: the cell hash of DESIGN section 5, with Apache Spark's xxhash64
 * semantics.  Spark hashes its arguments in turn with XXH64, each BIGINT as
 * its 8 little-endian bytes, the first with seed 42 and each next one with
 * the previous hash as seed.  So
 *
 *   xxhash64(column_seed, row)    = XXH64(row, XXH64(column_seed, 42))
 *   xxhash64(column_seed, row, k) = XXH64(k, XXH64(row, XXH64(column_seed, 42)))
 *
 * The inner hash of the column seed is a per-column constant (cell_key),
 * computed once.  The 8-byte XXH64 is inlined here for speed; the unit tests
 * check it against libxxhash.
 */
#ifndef INGEN_HASH_H
#define INGEN_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SPARK_HASH_SEED 42

#define XXH_P1 0x9E3779B185EBCA87ULL
#define XXH_P2 0xC2B2AE3D27D4EB4FULL
#define XXH_P3 0x165667B19E3779F9ULL
#define XXH_P4 0x85EBCA77C2B2AE63ULL
#define XXH_P5 0x27D4EB2F165667C5ULL

static inline uint64_t hash_rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* XXH64 of the 8 little-endian bytes of v, with `seed`. */
static inline uint64_t hash_xxh64_u64(uint64_t v, uint64_t seed)
{
	uint64_t h = seed + XXH_P5 + 8;
	uint64_t k = v * XXH_P2;
	k = hash_rotl64(k, 31) * XXH_P1;
	h ^= k;
	h = hash_rotl64(h, 27) * XXH_P1 + XXH_P4;
	h ^= h >> 33;
	h *= XXH_P2;
	h ^= h >> 29;
	h *= XXH_P3;
	h ^= h >> 32;
	return h;
}

/* Spark xxhash64(a): one BIGINT argument. */
static inline uint64_t spark_xxhash64_1(int64_t a)
{
	return hash_xxh64_u64((uint64_t)a, SPARK_HASH_SEED);
}

/* Spark xxhash64(a, b). */
static inline uint64_t spark_xxhash64_2(int64_t a, int64_t b)
{
	return hash_xxh64_u64((uint64_t)b, spark_xxhash64_1(a));
}

/* Spark xxhash64(a, b, c). */
static inline uint64_t spark_xxhash64_3(int64_t a, int64_t b, int64_t c)
{
	return hash_xxh64_u64((uint64_t)c, spark_xxhash64_2(a, b));
}

/* The per-column constant: XXH64(column_seed, 42). */
static inline uint64_t cell_key(int64_t column_seed)
{
	return spark_xxhash64_1(column_seed);
}

/* xxhash64(column_seed, row) given key = cell_key(column_seed). */
static inline uint64_t cell_hash(uint64_t key, int64_t row)
{
	return hash_xxh64_u64((uint64_t)row, key);
}

/* xxhash64(column_seed, row, k): extra draws (k >= 1) and the null draw (k = -1). */
static inline uint64_t cell_hash_k(uint64_t key, int64_t row, int64_t k)
{
	return hash_xxh64_u64((uint64_t)k, hash_xxh64_u64((uint64_t)row, key));
}

/*
 * u = (h >>> 11) * 2^-53, in [0, 1).  h >>> 11 is below 2^53, so the
 * signed conversion (one instruction; the unsigned one is several without
 * AVX-512) is exact and the same.
 */
static inline double hash_unit(uint64_t h)
{
	return (double)(int64_t)(h >> 11) * 0x1.0p-53;
}

/* lo + floor(u * (hi - lo + 1)) for the integer rule; hi >= lo. */
static inline int64_t hash_int_range(uint64_t h, int64_t lo, int64_t hi)
{
	double span = (double)hi - (double)lo + 1.0;
	int64_t off = (int64_t)(hash_unit(h) * span);
	if (lo + off > hi) /* guards double rounding at the top of huge ranges */
		return hi;
	return lo + off;
}

/*
 * XXH64 of a byte string with a seed (libxxhash); used for column seeds:
 * column_seed = (int64)XXH64(utf8("<table>.<column>"), dataset_seed).
 */
uint64_t hash_bytes(const void *data, size_t len, uint64_t seed);

#endif
