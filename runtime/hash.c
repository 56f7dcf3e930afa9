/*
 * hash: the one non-inline piece of the cell hash, XXH64 over arbitrary
 * bytes, delegated to libxxhash (used at compile time for column seeds).
 */
#include <stddef.h>
#include <xxhash.h>

#include "hash.h"

uint64_t hash_bytes(const void *data, size_t len, uint64_t seed)
{
	return (uint64_t)XXH64(data, len, (XXH64_hash_t)seed);
}
