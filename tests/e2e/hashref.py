"""A vectorised numpy reference for Spark's `xxhash64` over BIGINT arguments.

Spark hashes its arguments in turn with XXH64, seed 42 for the first and the previous hash as
the seed of the next; a BIGINT is hashed as XXH64 of its 8 little-endian bytes
(org.apache.spark.unsafe.hash.XXH64.hashLong). The result is the signed 64-bit value Spark
returns. This is the computation the python-mode notebooks do (DESIGN section 5), written out
independently of them, so the tests can check either against the real Spark.
"""

import numpy as np

P1 = np.uint64(0x9E3779B185EBCA87)
P2 = np.uint64(0xC2B2AE3D27D4EB4F)
P3 = np.uint64(0x165667B19E3779F9)
P4 = np.uint64(0x85EBCA77C2B2AE63)
P5 = np.uint64(0x27D4EB2F165667C5)
SPARK_SEED = 42


def _rotl(x, r):
    return (x << np.uint64(r)) | (x >> np.uint64(64 - r))


def xxh64_long(values, seeds):
    """XXH64 of each int64 in `values` (as 8 little-endian bytes) with the matching seed.

    Both arguments are broadcast to uint64 arrays; returns uint64. Arithmetic wraps mod 2^64.
    """
    v = np.asarray(values, dtype=np.int64).view(np.uint64)
    s = np.asarray(seeds)
    s = s.view(np.uint64) if s.dtype == np.int64 else s.astype(np.uint64)
    with np.errstate(over="ignore"):
        h = s + P5 + np.uint64(8)
        h = h ^ (_rotl(v * P2, 31) * P1)
        h = _rotl(h, 27) * P1 + P4
        h = h ^ (h >> np.uint64(33))
        h = h * P2
        h = h ^ (h >> np.uint64(29))
        h = h * P3
        h = h ^ (h >> np.uint64(32))
    return h


def spark_xxhash64(*columns):
    """Spark `xxhash64(c1, c2, ...)` for BIGINT columns (arrays or scalars), as int64."""
    if not columns:
        raise ValueError("spark_xxhash64 needs at least one column")
    h = np.full(np.broadcast(*[np.asarray(c) for c in columns]).shape, SPARK_SEED, dtype=np.uint64)
    for c in columns:
        h = xxh64_long(np.broadcast_to(np.asarray(c, dtype=np.int64), h.shape), h)
    return h.view(np.int64)
