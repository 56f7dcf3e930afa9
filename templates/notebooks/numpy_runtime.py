# numpy_runtime: the library that the python-mode generated program calls.
#
# The compiler lowers every column to a small program over the row counter
# (compiler/ir.h) and renders it as straight-line numpy code (compiler/emit_numpy.c):
# one statement per node, each a vectorised operation over a chunk of rows.  This
# file holds the operations.  There is no per-row Python anywhere: numbers are numpy
# arrays (int64 for BIGINT, DATE days, TIMESTAMP seconds and DECIMAL unscaled values;
# float64; bool), strings are pyarrow StringArrays worked on by pyarrow.compute
# kernels (or, for byte-level work, numpy views of their buffers).
#
# Conventions (what the generated code relies on):
#   - A value is a pair (v, m): v the values (an array of the chunk's length, or a
#     numpy scalar / Python str for a value that is the same on every row), m the
#     validity: None (no NULL), numpy False (all NULL) or a bool array (True = not
#     NULL).  The value under a NULL is defined (never garbage that could raise)
#     but meaningless.
#   - Kernels that can create NULLs (division by zero, decimal overflow, an index
#     outside a table...) return (v, m_new); the caller ANDs m_new with the inputs'
#     validity.  Kernels with their own NULL rules (AND, OR, IF, CASE, COALESCE,
#     LEAST, GREATEST, IS_NULL) take the masks.
#   - Semantics are those of compiler/ir.h and docs (samplers.md, expressions.md),
#     as implemented by the native evaluator runtime/eval_ops.c: integers wrap,
#     double-to-integer conversions truncate and saturate with NaN -> 0, decimals are
#     exact and NULL when they leave int64, NaN is above every double and equal to
#     itself.
#
# Public names (the notebook template uses them): row_counters(spec, start, stop),
# spark_xxhash64(...), and the generated program's TABLE_SPECS and GENERATORS.
# Everything else starts with an underscore (`_rt_` for functions; the generated program's
# own names are `_K<n>`, `_T<n>`, `_c<P>_<C>`, `_s<P>_<id>`).  Imports: numpy, pyarrow,
# pyarrow.compute only.

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_U64 = np.uint64
_P1 = _U64(0x9E3779B185EBCA87)
_P2 = _U64(0xC2B2AE3D27D4EB4F)
_P3 = _U64(0x165667B19E3779F9)
_P4 = _U64(0x85EBCA77C2B2AE63)
_P5_8 = _U64((0x27D4EB2F165667C5 + 8) & 0xFFFFFFFFFFFFFFFF)
_S11, _S27, _S29, _S31, _S32, _S33, _S37 = (_U64(11), _U64(27), _U64(29), _U64(31), _U64(32), _U64(33),
                                           _U64(37))
_TWO_M53 = 2.0 ** -53
_I64_MIN = np.int64(-(2 ** 63))
_I64_MAX = np.int64(2 ** 63 - 1)
_TWO63 = 9223372036854775808.0
_F64 = np.float64
_I64 = np.int64


# ---------------------------------------------------------------- masks


def _rt_mand(*ms):
    """AND of validity masks; None entries (no NULL) are skipped, None when all are."""
    r = None
    for m in ms:
        if m is None:
            continue
        r = m if r is None else (r & m)
    return r


def _rt_isarr(x):
    return isinstance(x, (np.ndarray, pa.Array))


def _rt_full(n, v):
    """A value broadcast to n rows (arrays are returned as they are)."""
    if isinstance(v, pa.Array):
        return v
    if isinstance(v, str):
        return pa.array([v], pa.string()).take(np.zeros(n, dtype=np.int64))
    if isinstance(v, np.ndarray) and v.ndim == 1:
        return v
    return np.full(n, v)


def _rt_mfull(n, m):
    """A validity mask as a bool array of n rows (all True for None)."""
    if m is None:
        return np.ones(n, dtype=bool)
    if isinstance(m, np.ndarray) and m.ndim == 1:
        return m
    return np.full(n, bool(m))


# ---------------------------------------------------------------- hashing and draws


def _rt_kpart(v):
    """rotl(v * P2, 31) * P1: the part of XXH64 that depends on the hashed value only."""
    k = v * _P2
    if isinstance(k, np.ndarray):
        t = k >> _S33
        k <<= _S31
        k |= t
        k *= _P1
        return k
    return ((k << _S31) | (k >> _S33)) * _P1


def _rt_fin(h):
    """The rest of XXH64 of one 8-byte value, given h = (seed + P5 + 8) ^ kpart; in place on arrays."""
    if isinstance(h, np.ndarray):
        t = h >> _S37
        h <<= _S27
        h |= t
        h *= _P1
        h += _P4
        np.right_shift(h, _S33, out=t)
        h ^= t
        h *= _P2
        np.right_shift(h, _S29, out=t)
        h ^= t
        h *= _P3
        np.right_shift(h, _S32, out=t)
        h ^= t
        return h
    h = ((h << _S27) | (h >> _S37)) * _P1 + _P4
    h ^= h >> _S33
    h *= _P2
    h ^= h >> _S29
    h *= _P3
    h ^= h >> _S32
    return h


def _rt_xxh64(v, seed):
    """XXH64 of the 8 little-endian bytes of each v (uint64) with seed (uint64), wrapping."""
    k = _rt_kpart(v)
    if isinstance(seed, np.ndarray):
        h = seed + _P5_8
        h ^= k
    elif isinstance(k, np.ndarray):
        k ^= _U64(seed) + _P5_8
        h = k
    else:
        h = (_U64(seed) + _P5_8) ^ k
    return _rt_fin(h)


def spark_xxhash64(*columns):
    """Spark xxhash64(c1, c2, ...) of BIGINT columns (int64 arrays or ints), as int64."""
    with np.errstate(over="ignore"):
        h = _U64(42)
        for c in columns:
            h = _rt_xxh64(np.asarray(c, dtype=np.int64).view(np.uint64) if _rt_isarr(c) else
                          _U64(int(c) & 0xFFFFFFFFFFFFFFFF), h)
    return h.view(np.int64) if isinstance(h, np.ndarray) else np.int64(np.uint64(h).astype(np.int64))


def _rt_u64(x):
    if isinstance(x, np.ndarray):
        return x.view(np.uint64) if x.dtype == np.int64 else x.astype(np.int64).view(np.uint64)
    return _U64(int(x) & 0xFFFFFFFFFFFFFFFF)


def _rt_hash(x, key):
    """xxhash64(seed, x) given key = XXH64(seed, 42): the cell hash of DESIGN 5, as int64."""
    h = _rt_xxh64(_rt_u64(x), _U64(key))
    return h.view(np.int64) if isinstance(h, np.ndarray) else np.int64(h.astype(np.int64))


def _rt_hash_row(F, key):
    """_rt_hash(F.row, key), with the row's part of XXH64 computed once per frame."""
    kp = F.rowk
    if kp is None:
        kp = F.rowk = _rt_kpart(F.row.view(np.uint64))
    h = kp ^ (_U64(key) + _P5_8)
    return _rt_fin(h).view(np.int64)


def _rt_hash_k(h, k):
    """xxhash64(seed, x, k) from h = xxhash64(seed, x): one more XXH64 round with k as the value."""
    kp = _rt_kpart(_U64(k & 0xFFFFFFFFFFFFFFFF))
    if isinstance(h, np.ndarray):
        hh = h.view(np.uint64) + _P5_8
        hh ^= kp
        return _rt_fin(hh).view(np.int64)
    hh = (_rt_u64(h) + _P5_8) ^ kp
    return np.int64(_rt_fin(hh).astype(np.int64))


def _rt_unit(h):
    """(h >>> 11) * 2^-53, a double in [0, 1)."""
    return (_rt_u64(h) >> _S11).astype(np.float64) * _TWO_M53


def _rt_int_range(h, lo, hi):
    """lo + floor(U(h) * (hi - lo + 1)), capped at hi (hash.h hash_int_range)."""
    span = float(hi) - float(lo) + 1.0   # (double)hi - (double)lo + 1.0, as C
    y = _rt_unit(h) * span
    if hi - lo < (1 << 62):
        off = y.astype(np.int64)
        return np.minimum(off + _I64(lo), _I64(hi))
    # wide ranges: the offset as uint64, wrapping addition
    off = y.astype(np.uint64)
    width = _U64((hi - lo) & 0xFFFFFFFFFFFFFFFF)
    r = (off + _U64(lo & 0xFFFFFFFFFFFFFFFF)).astype(np.uint64).view(np.int64) if isinstance(off, np.ndarray) \
        else np.int64(np.uint64(off + _U64(lo & 0xFFFFFFFFFFFFFFFF)).astype(np.int64))
    return np.where(off > width, _I64(hi), r)


# ---------------------------------------------------------------- conversions


def _rt_d2l(x):
    """Java's (long) d: truncation toward zero, saturating, NaN -> 0."""
    x = np.asarray(x, dtype=np.float64)
    r = np.trunc(x)
    ok = np.abs(r) < _TWO63
    out = np.where(ok, r, 0.0).astype(np.int64)
    if not np.all(ok):
        out = np.where(r >= _TWO63, _I64_MAX, out)
        out = np.where(r <= -_TWO63, _I64_MIN, out)
    return out if out.ndim else out[()]


def _rt_d2l_fits(y):
    """An integral double y as int64, and the mask of the values that fit (None when all do)."""
    y = np.asarray(y, dtype=np.float64)
    ok = (y >= -_TWO63) & (y < _TWO63)
    v = np.where(ok, y, 0.0).astype(np.int64)
    if v.ndim == 0:
        return v[()], (None if bool(ok) else np.False_)
    return v, (None if ok.all() else ok)


def _rt_dec_rescale(x, s_from, s_to):
    """A decimal's unscaled value from scale s_from to s_to: up multiplies (NULL on
    int64 overflow), down divides rounding half away from zero.  Returns (v, m_new)."""
    if s_to == s_from:
        return x, None
    x = np.asarray(x, dtype=np.int64)
    if s_to > s_from:
        p = 10 ** (s_to - s_from)
        if p > 2 ** 63 - 1:
            ok = x == 0
            v = np.zeros_like(x)
        else:
            lim = (2 ** 63 - 1) // p
            ok = (x <= lim) & (x >= -lim)
            v = np.where(ok, x, 0) * _I64(p)
        return _rt_fix0(v, ok)
    d = s_from - s_to
    if d >= 19:
        if d == 19:
            half = 5 * 10 ** 18
            v = np.where(x >= half, 1, np.where(x <= -half, -1, 0)).astype(np.int64)
        else:
            v = np.zeros_like(x)
        return (v if v.ndim else v[()]), None
    p = _I64(10 ** d)
    r = np.fmod(x, p)
    q = (x - r) // p
    up = np.abs(r) * 2 >= p
    v = np.where(up, q + np.sign(x), q)
    return (v if v.ndim else v[()]), None


def _rt_fix0(v, ok):
    """(v, mask) with a scalar-aware mask: None when everything is valid."""
    if np.ndim(v) == 0:
        v = v[()] if isinstance(v, np.ndarray) else v
        return v, (None if bool(ok) else np.False_)
    return v, (None if bool(np.all(ok)) else ok)


def _rt_cast(x, frm, to, s_from=0, s_to=0):
    """CAST between IR types ('bool','i64','f64','str','date','ts','dec'); returns (v, m_new)."""
    if frm == to and (to != "dec" or s_from == s_to):
        return x, None
    if to == "str":
        return _rt_to_str(x, frm, s_from)
    if to == "bool":
        return np.not_equal(x, 0), None
    if to == "i64":
        if frm == "f64":
            return _rt_d2l(x), None
        if frm == "dec":
            if s_from > 18:
                return np.zeros_like(np.asarray(x, dtype=np.int64))[()], None
            p = _I64(10 ** s_from)
            x = np.asarray(x, dtype=np.int64)
            v = (x - np.fmod(x, p)) // p
            return (v if v.ndim else v[()]), None
        return np.asarray(x).astype(np.int64)[()], None
    if to == "f64":
        if frm == "dec":   # unscaled / 10^s, one IEEE division (10^s the nearest double)
            return np.asarray(x, dtype=np.int64).astype(np.float64)[()] / _F64(float("1e%d" % s_from)), None
        return np.asarray(x).astype(np.float64)[()], None
    if to == "dec":
        if frm == "f64":
            return _rt_d2l_fits(np.floor(np.asarray(x, dtype=np.float64) * _F64(float("1e%d" % s_to)) + 0.5))
        return _rt_dec_rescale(np.asarray(x).astype(np.int64)[()], s_from if frm == "dec" else 0, s_to)
    if to == "date":
        if frm == "ts":
            return np.floor_divide(x, _I64(86400)), None
        return x, None
    if to == "ts":
        if frm == "date":
            return np.asarray(x, dtype=np.int64)[()] * _I64(86400), None
        return x, None
    raise ValueError("cast from %s to %s is not supported" % (frm, to))


# ---------------------------------------------------------------- arithmetic


def _rt_div(x, y):
    """Double division; NULL where the divisor is zero."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    z = y == 0
    v = x / np.where(z, 1.0, y)
    return _rt_fix0(v, ~z)


def _rt_idiv(x, y):
    """BIGINT floor division; NULL on a zero divisor; x div -1 wraps."""
    x = np.asarray(x, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    z = y == 0
    neg1 = y == -1
    ys = np.where(z | neg1, 1, y)
    v = np.where(neg1, np.negative(x), np.floor_divide(x, ys))
    return _rt_fix0(v, ~z)


def _rt_pmod(x, y):
    """Spark pmod on BIGINT: r = x % y (sign of x); r + y when r < 0 and y > 0; NULL on zero."""
    x = np.asarray(x, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    z = y == 0
    ys = np.where(z | (y == -1), 1, y)
    r = np.fmod(x, ys)
    r = np.where((r < 0) & (y > 0), r + y, r)
    return _rt_fix0(r, ~z)


def _rt_pmod_f64(x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    z = y == 0
    ys = np.where(z, 1.0, y)
    r = np.fmod(x, ys)
    r = np.where(r < 0, np.fmod(r + ys, ys), r)
    return _rt_fix0(r, ~z)


def _rt_rem(x, y):
    """Spark '%' on BIGINT: the remainder with the sign of the dividend; NULL on zero."""
    x = np.asarray(x, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    z = y == 0
    ys = np.where(z | (y == -1), 1, y)
    return _rt_fix0(np.fmod(x, ys), ~z)


def _rt_rem_f64(x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    z = y == 0
    return _rt_fix0(np.fmod(x, np.where(z, 1.0, y)), ~z)


def _rt_affine_mod(x, a, b, n):
    """(a * (x mod n) + b) mod n, exact (a, b < n < 2^63)."""
    x = np.asarray(x, dtype=np.int64)
    N = _I64(n)
    r = np.mod(x, N)
    if a * (n - 1) + b < 2 ** 63:
        v = (r * _I64(a) + _I64(b)) % N
        return v if v.ndim else v[()]
    # double-and-add over the bits of a, in uint64: every intermediate is below 2n < 2^64
    NU = _U64(n)
    t = r.astype(np.uint64)
    acc = np.full(t.shape, _U64(b % n), dtype=np.uint64)
    bits = a
    while bits:
        if bits & 1:
            acc = acc + t
            acc = np.where(acc >= NU, acc - NU, acc)
        t = t + t
        t = np.where(t >= NU, t - NU, t)
        bits >>= 1
    v = acc.astype(np.int64)
    return v if v.ndim else v[()]


def _rt_neg_dec(x):
    x = np.asarray(x, dtype=np.int64)
    return _rt_fix0(np.negative(x), x != _I64_MIN)


def _rt_abs_dec(x):
    x = np.asarray(x, dtype=np.int64)
    return _rt_fix0(np.abs(x), x != _I64_MIN)


def _rt_dec_arith(op, x, sx, y, sy, s_out):
    """Decimal + - * of unscaled values x (scale sx) and y (scale sy), exact, then
    rescaled to s_out (half up); NULL when the result leaves int64.  Returns (v, m_new)."""
    x = np.asarray(x, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    if op == "mul":
        sn = sx + sy
        est = np.abs(x.astype(np.float64) * y.astype(np.float64))
        small = bool(np.all(est < 2.0 ** 62))
    else:
        sn = max(sx, sy)
        px, py = 10 ** (sn - sx), 10 ** (sn - sy)
        small = bool(np.all(np.abs(x.astype(np.float64)) * px < 2.0 ** 61)) and \
            bool(np.all(np.abs(y.astype(np.float64)) * py < 2.0 ** 61))
    if small:
        if op == "mul":
            v = x * y
        else:
            xs = x * _I64(px) if px != 1 else x
            ys = y * _I64(py) if py != 1 else y
            v = xs + ys if op == "add" else xs - ys
        return _rt_dec_rescale(v, sn, s_out) if s_out != sn else ((v if v.ndim else v[()]), None)
    # rare: intermediates beyond int64; exact integers (object arrays) for this chunk
    xo = x.astype(object)
    yo = y.astype(object)
    if op == "mul":
        v = xo * yo
    else:
        v = xo * px + yo * py if op == "add" else xo * px - yo * py
    if s_out > sn:
        v = v * (10 ** (s_out - sn))
    elif s_out < sn:
        p = 10 ** (sn - s_out)
        av = np.abs(v)
        q = (av + p // 2) // p
        v = np.where(np.greater_equal(v, 0), q, -q)
    v = np.asarray(v, dtype=object)
    ok = (v >= -(2 ** 63)) & (v <= 2 ** 63 - 1)
    ok = np.asarray(ok, dtype=bool)
    out = np.where(ok, v, 0).astype(np.int64)
    return _rt_fix0(out if out.ndim else out[()], ok)


# ---------------------------------------------------------------- comparisons and logic


def _rt_cmp_f64(op, x, y):
    """Spark's double ordering: NaN = NaN, NaN above everything, -0.0 = 0.0."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    nx = np.isnan(x)
    ny = np.isnan(y)
    if op == "eq":
        r = (x == y) | (nx & ny)
    elif op == "ne":
        r = ~((x == y) | (nx & ny))
    elif op == "lt":
        r = (x < y) | (~nx & ny)
    elif op == "le":
        r = (x <= y) | ny
    elif op == "gt":
        r = (x > y) | (nx & ~ny)
    else:
        r = (x >= y) | nx
    return r if r.ndim else r[()]


def _rt_cmp_dec(op, x, sx, y, sy):
    """Exact comparison of decimals of different scales."""
    x = np.asarray(x, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    if sx == sy:
        c = (x > y).astype(np.int8) - (x < y).astype(np.int8)
    else:
        flip = sx > sy
        if flip:
            x, y, sx, sy = y, x, sy, sx
        d = sy - sx   # compare x * 10^d with y
        if d >= 19:
            c = np.where(x > 0, 1, np.where(x < 0, -1, -np.sign(y))).astype(np.int8)
        else:
            p = _I64(10 ** d)
            q = np.floor_divide(y, p)
            r = y - q * p
            c = np.where(x > q, 1, np.where(x < q, -1, np.where(r == 0, 0, -1))).astype(np.int8)
        if flip:
            c = -c
    return _rt_cmp_holds(op, c)


def _rt_cmp_holds(op, c):
    if op == "eq":
        r = c == 0
    elif op == "ne":
        r = c != 0
    elif op == "lt":
        r = c < 0
    elif op == "le":
        r = c <= 0
    elif op == "gt":
        r = c > 0
    else:
        r = c >= 0
    r = np.asarray(r)
    return r if r.ndim else r[()]


_RT_PC_CMP = {"eq": pc.equal, "ne": pc.not_equal, "lt": pc.less, "le": pc.less_equal, "gt": pc.greater,
              "ge": pc.greater_equal}


_RT_PY_CMP = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "lt": lambda a, b: a < b,
              "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b}


def _rt_cmp_str(op, x, y):
    """Strings compare by their UTF-8 bytes."""
    if isinstance(x, str) and isinstance(y, str):
        return np.bool_(_RT_PY_CMP[op](x.encode(), y.encode()))
    r = _RT_PC_CMP[op](x, y)
    return r.to_numpy(zero_copy_only=False)


def _rt_and(vals, masks):
    """SQL three-valued AND over any number of booleans: a valid false decides."""
    return _rt_andor(vals, masks, False)


def _rt_or(vals, masks):
    return _rt_andor(vals, masks, True)


def _rt_andor(vals, masks, dominant):
    if all(m is None for m in masks):
        r = vals[0]
        for v in vals[1:]:
            r = (r | v) if dominant else (r & v)
        return r, None
    decided = None
    unknown = None
    for v, m in zip(vals, masks):
        hit = (v if dominant else ~np.asarray(v, dtype=bool))
        if m is not None:
            hit = hit & m
            unk = ~m
            unknown = unk if unknown is None else (unknown | unk)
        decided = hit if decided is None else (decided | hit)
    valid = decided | ~unknown if unknown is not None else None
    val = decided if dominant else ~decided
    return val, valid


def _rt_is_null(m):
    if m is None:
        return np.False_
    return np.logical_not(m)


# ---------------------------------------------------------------- selection


def _rt_true(v, m):
    """Rows where a condition is TRUE (not NULL, not false)."""
    return v if m is None else (v & m)


def _rt_if(c, cm, a, am, b, bm, typ):
    cond = _rt_true(c, cm)
    return _rt_select([cond], [a, b], [am, bm], typ)


def _rt_case(conds, cms, vals, vms, typ):
    """CASE: vals has len(conds) results (+1 for ELSE); no ELSE means NULL."""
    cs = [_rt_true(c, m) for c, m in zip(conds, cms)]
    if len(vals) == len(conds):
        vals = list(vals) + [_RT_NULL_VALUE[typ]]
        vms = list(vms) + [np.False_]
    return _rt_select(cs, vals, vms, typ)


_RT_NULL_VALUE = {"bool": np.False_, "i64": np.int64(0), "f64": np.float64(0.0), "str": "", "date": np.int64(0),
                  "ts": np.int64(0), "dec": np.int64(0)}


def _rt_select(conds, vals, vms, typ):
    """vals[first i with conds[i]] (else the last), with its validity."""
    n = None
    for x in list(conds) + list(vals):
        if _rt_isarr(x) and n is None:
            n = len(x)
    # masks
    if all(m is None for m in vms):
        m_out = None
    else:
        mm = [(np.True_ if m is None else m) for m in vms]
        m_out = _rt_np_select(conds, mm)
    if typ == "str":
        return _rt_select_str(conds, vals, n), m_out
    return _rt_np_select(conds, vals), m_out


def _rt_np_select(conds, vals):
    if len(conds) == 1:
        r = np.where(conds[0], vals[0], vals[1])
    else:
        r = vals[-1]
        for c, v in zip(reversed(conds), reversed(vals[:-1])):
            r = np.where(c, v, r)
    r = np.asarray(r)
    return r if r.ndim else r[()]


def _rt_select_str(conds, vals, n):
    if n is None:   # everything constant
        for c, v in zip(conds, vals):
            if bool(c):
                return v
        return vals[-1]
    k = len(conds)
    sel = np.full(n, k, dtype=np.int64)
    for i in range(k - 1, -1, -1):
        sel = np.where(conds[i], i, sel)
    if all(isinstance(v, str) for v in vals):
        return pa.array(vals, pa.string()).take(sel)
    if k == 1:
        return pc.if_else(pa.array(np.broadcast_to(conds[0], (n,))), vals[0], vals[1])
    # one take over the branches laid end to end
    parts, base, is_arr = [], [], []
    pos = 0
    for v in vals:
        base.append(pos)
        if isinstance(v, str):
            parts.append(pa.array([v], pa.string()))
            is_arr.append(0)
            pos += 1
        else:
            parts.append(v)
            is_arr.append(1)
            pos += n
    pool = pa.concat_arrays([p.cast(pa.string()) for p in parts])
    base = np.array(base, dtype=np.int64)
    is_arr = np.array(is_arr, dtype=np.int64)
    idx = base[sel] + is_arr[sel] * np.arange(n, dtype=np.int64)
    return pool.take(idx)


def _rt_coalesce(vals, vms, typ):
    """The first non-NULL argument."""
    conds = []
    for m in vms[:-1]:
        conds.append(np.True_ if m is None else m)
    v, _ = _rt_select(conds, vals, [None] * len(vals), typ)
    if any(m is None for m in vms):
        return v, None
    m_out = vms[0]
    for m in vms[1:]:
        m_out = m_out | m
    return v, m_out


def _rt_least_greatest(vals, vms, typ, greatest):
    """NULLs are skipped (NULL only when all are); ties keep the first argument."""
    best, bm = vals[0], vms[0]
    for v, m in zip(vals[1:], vms[1:]):
        if typ == "f64":
            better = _rt_cmp_f64("gt" if greatest else "lt", v, best)
        elif typ == "str":
            better = _rt_cmp_str("gt" if greatest else "lt", v, best)
        else:
            better = np.greater(v, best) if greatest else np.less(v, best)
        if m is not None:
            better = better & m
        if bm is not None:
            better = better | (~bm if m is None else (~bm & m))
        best, _ = _rt_select([better], [v, best], [None, None], typ)
        if bm is not None:
            bm = None if m is None else (bm | m)
    return best, bm


# ---------------------------------------------------------------- numeric functions


def _rt_floor_i64(x, typ, scale=0):
    if typ == "f64":
        return _rt_d2l(np.floor(x))
    if typ == "dec":
        return _rt_dec_floor_ceil(x, scale, True)
    return x


def _rt_ceil_i64(x, typ, scale=0):
    if typ == "f64":
        return _rt_d2l(np.ceil(x))
    if typ == "dec":
        return _rt_dec_floor_ceil(x, scale, False)
    return x


def _rt_dec_floor_ceil(x, scale, fl):
    x = np.asarray(x, dtype=np.int64)
    if scale > 18:
        return x if x.ndim else x[()]
    p = _I64(10 ** scale)
    r = np.fmod(x, p)
    q = (x - r) // p
    q = np.where(r < 0, q - 1, q) if fl else np.where(r > 0, q + 1, q)
    return q if q.ndim else q[()]


def _rt_ln(x):
    """Spark ln: NULL for x <= 0."""
    x = np.asarray(x, dtype=np.float64)
    bad = x <= 0
    return _rt_fix0(np.log(np.where(bad, 1.0, x)), ~bad)


def _rt_pow(x, y):
    """Java's Math.pow: NaN for a NaN exponent, and for |x| == 1 with an infinite exponent."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    r = np.power(x, y)
    bad = np.isnan(y) | ((np.abs(x) == 1.0) & np.isinf(y))
    r = np.where(bad, np.nan, r)
    return r if r.ndim else r[()]


def _rt_round_half_up(x, s, to, s_out=0):
    """ROUND_HALF_UP at s digits of a double: floor(x * 10^s + 0.5) (/ 10^s for F64);
    s < 0 rounds to a multiple of 10^-s.  Returns (v, m_new)."""
    x = np.asarray(x, dtype=np.float64)
    p = _F64(float("1e%d" % abs(s)))
    if to == "f64":
        if s >= 0:
            v = np.floor(x * p + 0.5) / p
        else:
            v = np.floor(x / p + 0.5) * p
        return (v if v.ndim else v[()]), None
    y = np.floor(x * p + 0.5)
    if to == "dec":
        return _rt_d2l_fits(y)
    return _rt_d2l(y), None


# ---------------------------------------------------------------- tables


def _rt_search_cum(u, table):
    """First i with u < table[i], else n - 1 (searchsorted side='right')."""
    r = np.searchsorted(table, u, side="right")
    r = np.minimum(r, len(table) - 1).astype(np.int64)
    return r if np.ndim(r) else np.int64(r)


def _rt_in_range(i, n):
    i = np.asarray(i, dtype=np.int64)
    if i.ndim == 0:
        ok = 0 <= int(i) < n
        return (i[()] if ok else np.int64(0)), (None if ok else np.False_)
    if i.size == 0 or (i.min() >= 0 and i.max() < n):
        return i, None
    ok = (i >= 0) & (i < n)
    return np.where(ok, i, 0), ok


def _rt_alias_pick(i, u, prob, alias):
    """i when u < prob[i], else alias[i]; NULL when i is outside the table."""
    i, m = _rt_in_range(i, len(prob))
    r = np.where(u < prob[i], i, alias[i])
    return (r if np.ndim(r) else r[()]), m


def _rt_element(i, table):
    """table[i] (0-based); NULL when i is outside.  String tables are pyarrow arrays."""
    i, m = _rt_in_range(i, len(table))
    if isinstance(table, pa.Array):
        if np.ndim(i) == 0:
            return table[int(i)].as_py(), m
        return table.take(i), m
    r = table[i]
    return (r if np.ndim(r) else r[()]), m


# ---------------------------------------------------------------- strings


def _rt_str_buffers(a):
    """(offsets int64 array of n + 1, data uint8 array) of a string array without nulls."""
    if a.type == pa.large_string():
        otype = np.int64
    else:
        otype = np.int32
    bufs = a.buffers()
    n = len(a)
    off = np.frombuffer(bufs[1], dtype=otype, count=a.offset + n + 1)[a.offset:].astype(np.int64)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, dtype=np.uint8)
    return off, data


def _rt_str_from(off, data, n):
    """A string array from int64 offsets (starting anywhere) and bytes."""
    off = off - off[0]
    total = int(off[-1]) if n else 0
    if total < 2 ** 31:
        return pa.StringArray.from_buffers(n, pa.py_buffer(off.astype(np.int32)),
                                           pa.py_buffer(np.ascontiguousarray(data[:total])))
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(off),
                                            pa.py_buffer(np.ascontiguousarray(data[:total]))).cast(pa.string())


def _rt_str_matrix(a):
    """(byte matrix (n, W) zero padded, lengths) of a string array."""
    off, data = _rt_str_buffers(a)
    n = len(a)
    lens = np.diff(off)
    w = int(lens.max()) if n else 0
    mat = np.zeros((n, max(w, 1)), dtype=np.uint8)
    if n and w:
        keep = np.arange(w)[None, :] < lens[:, None]
        mat[:, :w][keep] = data[off[0]:off[-1]]
    return mat, lens


def _rt_matrix_str(mat, lens):
    """A string array from a byte matrix and the length of every row."""
    n = mat.shape[0]
    w = mat.shape[1]
    keep = np.arange(w)[None, :] < lens[:, None]
    data = mat[keep]
    off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=off[1:])
    return _rt_str_from(off, data, n)


def _rt_concat(parts):
    """Concatenation of strings (arrays or str); NULL handling is the caller's."""
    arrs = [p for p in parts if not isinstance(p, str)]
    if not arrs:
        return "".join(parts)
    # adjacent constants merged first
    merged = []
    for p in parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif isinstance(p, str) and p == "":
            continue
        else:
            merged.append(p)
    if len(merged) == 1:
        return merged[0]
    return pc.binary_join_element_wise(*merged, "")


def _rt_lower(x):
    """ASCII letters only (as the native evaluator)."""
    return x.translate(_RT_LOWER_T) if isinstance(x, str) else pc.ascii_lower(x)


def _rt_upper(x):
    return x.translate(_RT_UPPER_T) if isinstance(x, str) else pc.ascii_upper(x)


_RT_LOWER_T = {c: c + 32 for c in range(65, 91)}
_RT_UPPER_T = {c: c - 32 for c in range(97, 123)}


def _rt_letters(x):
    """Keeps only ASCII letters (bytes 0x80 and above never are, so UTF-8 stays whole)."""
    if isinstance(x, str):
        return "".join(ch for ch in x if ("a" <= ch <= "z") or ("A" <= ch <= "Z"))
    off, data = _rt_str_buffers(x)
    n = len(x)
    seg = data[off[0]:off[-1]]
    low = seg | np.uint8(0x20)
    keep = (low >= 97) & (low <= 122)
    if keep.all():
        return x
    cum = np.zeros(len(seg) + 1, dtype=np.int64)
    np.cumsum(keep, out=cum[1:])
    new_off = cum[off - off[0]]
    return _rt_str_from(new_off, seg[keep], n)


def _rt_length(x):
    if isinstance(x, str):
        return np.int64(len(x))
    return pc.utf8_length(x).to_numpy(zero_copy_only=False).astype(np.int64)


def _rt_slice_chars(x, start, stop):
    """Characters [start, stop) of every string (per-row int arrays or ints; clipped)."""
    if isinstance(x, str):
        s, e = int(start), int(stop)
        s = max(s, 0)
        return x[s:e] if e > s else ""
    n = len(x)
    if np.ndim(start) == 0 and np.ndim(stop) == 0:
        s, e = int(start), int(stop)
        s = max(s, 0)
        if e <= s:
            return pa.array([""], pa.string()).take(np.zeros(n, dtype=np.int64))
        return pc.utf8_slice_codeunits(x, s, min(e, 2 ** 62))
    start = np.broadcast_to(np.asarray(start, dtype=np.int64), (n,))
    stop = np.broadcast_to(np.asarray(stop, dtype=np.int64), (n,))
    off, data = _rt_str_buffers(x)
    seg = data[off[0]:off[-1]]
    rel = off - off[0]
    lead = (seg & np.uint8(0xC0)) != 0x80
    cum = np.zeros(len(seg) + 1, dtype=np.int64)
    np.cumsum(lead, out=cum[1:])
    # character index of every byte within its string
    row_of = np.repeat(np.arange(n, dtype=np.int64), np.diff(rel))
    cidx = cum[1:] - 1 - cum[rel[:-1]][row_of]
    keep = (cidx >= start[row_of]) & (cidx < stop[row_of])
    kc = np.zeros(len(seg) + 1, dtype=np.int64)
    np.cumsum(keep, out=kc[1:])
    return _rt_str_from(kc[rel], seg[keep], n)


def _rt_substr(x, pos, ln):
    """Spark substring(s, pos, len) in characters: pos 1-based, 0 is 1, negative from the end."""
    if np.ndim(pos) == 0 and np.ndim(ln) == 0 and int(pos) >= 0:
        p, l = int(pos), int(ln)
        start = p - 1 if p > 0 else 0
        end = start + l
        return _rt_slice_chars(x, start, end)
    n = len(x) if not isinstance(x, str) else None
    pos = np.asarray(pos, dtype=np.int64)
    ln = np.asarray(ln, dtype=np.int64)
    chars = _rt_length(x)
    start = np.where(pos > 0, pos - 1, np.where(pos < 0, chars + pos, 0))
    # end = start + len, saturating
    with np.errstate(over="ignore"):
        end = start + ln
    end = np.where((ln > 0) & (end < start), _I64_MAX, end)
    end = np.where((ln < 0) & (end > start), _I64_MIN, end)
    start = np.maximum(start, 0)
    if n is None:
        s, e = int(start), int(end)
        return x[s:e] if e > s else ""
    return _rt_slice_chars(x, start, end)


def _rt_lpad(x, width, pad):
    """Spark lpad: a width not above the length, or an empty pad, gives the first
    max(width, 0) characters; otherwise pad repeated (and cut) in front up to width."""
    if isinstance(x, str) and np.ndim(width) == 0 and isinstance(pad, str):
        w = int(width)
        if w <= len(x) or pad == "":
            return x[:max(w, 0)]
        k = w - len(x)
        return (pad * (k // len(pad) + 1))[:k] + x
    if not isinstance(x, str) and np.ndim(width) == 0 and isinstance(pad, str) and len(pad) == 1 and \
            ord(pad) < 128:
        w = int(width)
        if w <= 0:
            return _rt_slice_chars(x, 0, 0)
        return pc.utf8_lpad(pc.utf8_slice_codeunits(x, 0, w), w, pad)
    # general: per-row widths or pads
    n = next(len(v) for v in (x, width, pad) if _rt_isarr(v))
    xs = _rt_full(n, x)
    ps = _rt_full(n, pad)
    w = np.broadcast_to(np.asarray(width, dtype=np.int64), (n,))
    xl = _rt_length(xs)
    pl = _rt_length(ps)
    cut = (w <= xl) | (pl == 0)
    need = np.where(cut, 0, w - xl)
    reps = np.where(cut, 0, need // np.maximum(pl, 1) + 1)
    padded = pc.binary_repeat(ps, pa.array(reps))
    head = _rt_slice_chars(padded, 0, need)
    long_ = pc.binary_join_element_wise(head, xs, "")
    short = _rt_slice_chars(xs, 0, np.maximum(w, 0))
    return pc.if_else(pa.array(cut), short, long_)


_RT_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _rt_hex_matrix(h):
    """(n, 16) matrix of the lowercase hex digits of the unsigned 64-bit values."""
    u = _rt_u64(np.atleast_1d(np.asarray(h, dtype=np.int64)))
    shifts = np.arange(60, -1, -4, dtype=np.uint64)
    nib = ((u[:, None] >> shifts[None, :]) & _U64(15)).astype(np.intp)
    return _RT_HEX[nib]


def _rt_hex16(h):
    mat = _rt_hex_matrix(h)
    if np.ndim(h) == 0:
        return mat[0].tobytes().decode()
    return _rt_matrix_str(mat, np.full(mat.shape[0], 16, dtype=np.int64))


def _rt_uuid(a, b):
    """x = hex16(a) || hex16(b); x[0:8]-x[8:12]-4x[13:16]-v x[17:20]-x[20:32], v = "89ab"[x[16] & 3]."""
    scalar = np.ndim(a) == 0 and np.ndim(b) == 0
    n = max(np.size(a), np.size(b))
    ha = _rt_hex_matrix(np.broadcast_to(np.asarray(a, dtype=np.int64), (n,)))
    hb = _rt_hex_matrix(np.broadcast_to(np.asarray(b, dtype=np.int64), (n,)))
    x = np.concatenate([ha, hb], axis=1)
    out = np.empty((n, 36), dtype=np.uint8)
    dash = np.uint8(ord("-"))
    out[:, 0:8] = x[:, 0:8]
    out[:, 8] = dash
    out[:, 9:13] = x[:, 8:12]
    out[:, 13] = dash
    out[:, 14] = ord("4")
    out[:, 15:18] = x[:, 13:16]
    out[:, 18] = dash
    c16 = x[:, 16].astype(np.int64)
    v16 = np.where(c16 <= ord("9"), c16 - ord("0"), c16 - ord("a") + 10)
    out[:, 19] = np.frombuffer(b"89ab", dtype=np.uint8)[v16 & 3]
    out[:, 20:23] = x[:, 17:20]
    out[:, 23] = dash
    out[:, 24:36] = x[:, 20:32]
    if scalar:
        return out[0].tobytes().decode()
    return _rt_matrix_str(out, np.full(n, 36, dtype=np.int64))


# ---------------------------------------------------------------- text of values


def _rt_i64_str(x):
    if np.ndim(x) == 0:
        return str(int(x))
    return pc.cast(pa.array(np.asarray(x, dtype=np.int64)), pa.string())


def _rt_dec_array(v, p, s, valid=None):
    """decimal128(p, s) from int64 unscaled values: 16-byte little-endian two's complement."""
    v = np.ascontiguousarray(v, dtype=np.int64)
    n = len(v)
    buf = np.empty((n, 2), dtype=np.int64)
    buf[:, 0] = v
    buf[:, 1] = v >> 63
    vb = None
    nulls = 0
    if valid is not None:
        vb = pa.py_buffer(np.packbits(valid, bitorder="little"))
        nulls = int(n - np.count_nonzero(valid))
    return pa.Array.from_buffers(pa.decimal128(p, s), n, [vb, pa.py_buffer(buf)], null_count=nulls)


def _rt_dec_str(x, s):
    """Plain notation with exactly s digits after the point."""
    scalar = np.ndim(x) == 0
    arr = _rt_dec_array(np.atleast_1d(np.asarray(x, dtype=np.int64)), 38, s)
    r = pc.cast(arr, pa.string())
    return r[0].as_py() if scalar else r


def _rt_pad_int_str(x, width):
    """Decimal digits of non-negative ints, zero padded to at least width."""
    return pc.utf8_lpad(pc.cast(pa.array(np.asarray(x, dtype=np.int64)), pa.string()), width, "0")


def _rt_date_str(days):
    """YYYY-MM-DD as Spark: the year zero padded to 4 digits, '+' above 9999, '-' when negative.
    Returns (text, m_new): NULL outside Spark's DATE range."""
    scalar = np.ndim(days) == 0
    d = np.atleast_1d(np.asarray(days, dtype=np.int64))
    ok = (d >= -(2 ** 31)) & (d <= 2 ** 31 - 1)
    d = np.where(ok, d, 0)
    y, m, dd = _rt_civil(d)
    txt = _rt_ymd_text(y, m, dd)
    if scalar:
        return (txt[0].as_py(), (None if bool(ok[0]) else np.False_))
    return txt, (None if ok.all() else ok)


def _rt_ymd_text(y, m, d):
    ay = np.abs(y)
    ys = _rt_pad_int_str(ay, 4)
    sign = np.where(y < 0, 1, np.where(y > 9999, 2, 0))
    pre = pa.array(["", "-", "+"], pa.string()).take(sign)
    return pc.binary_join_element_wise(pre, ys, "-", _rt_pad_int_str(m, 2), "-", _rt_pad_int_str(d, 2), "")


def _rt_ts_str(secs):
    scalar = np.ndim(secs) == 0
    t = np.atleast_1d(np.asarray(secs, dtype=np.int64))
    days = np.floor_divide(t, 86400)
    ok = (days >= -(2 ** 31)) & (days <= 2 ** 31 - 1)
    days = np.where(ok, days, 0)
    sod = t - days * 86400
    sod = np.where(ok, sod, 0)
    y, m, dd = _rt_civil(days)
    txt = pc.binary_join_element_wise(_rt_ymd_text(y, m, dd), " ", _rt_pad_int_str(sod // 3600, 2), ":",
                                      _rt_pad_int_str(sod // 60 % 60, 2), ":", _rt_pad_int_str(sod % 60, 2), "")
    if scalar:
        return (txt[0].as_py(), (None if bool(ok[0]) else np.False_))
    return txt, (None if ok.all() else ok)


def _rt_f64_str(x):
    """Java's Double.toString: the shortest digits that read back as x, plain for
    1e-3 <= |x| < 1e7 ("0.001", "123.0"), else d.dddE<n> ("1.0E7", "1.5E-5")."""
    scalar = np.ndim(x) == 0
    x = np.atleast_1d(np.asarray(x, dtype=np.float64))
    n = len(x)
    special = ~np.isfinite(x) | (x == 0)
    # Arrow prints the shortest round-trip digits: "123.45", "0.00001", "1.5e+300"
    mat, lens = _rt_str_matrix(pc.cast(pa.array(np.where(special, 1.0, np.abs(x))), pa.string()))
    w = mat.shape[1]
    col = np.arange(w)[None, :]
    inside = col < lens[:, None]
    is_e = (mat == ord("e")) & inside
    epos = np.where(is_e.any(axis=1), is_e.argmax(axis=1), lens)
    exp10 = np.zeros(n, dtype=np.int64)
    eneg = np.zeros(n, dtype=bool)
    for j in range(w):
        cj = mat[:, j].astype(np.int64)
        after = (j > epos) & (j < lens)
        eneg |= after & (cj == ord("-"))
        dig = after & (cj >= 48) & (cj <= 57)
        exp10 = np.where(dig, exp10 * 10 + (cj - 48), exp10)
    exp10 = np.where(eneg, -exp10, exp10)
    mant = inside & (col < epos[:, None])
    is_dot = (mat == ord(".")) & mant
    dpos = np.where(is_dot.any(axis=1), is_dot.argmax(axis=1), epos)
    nz = mant & (mat >= 49) & (mat <= 57)
    first = nz.argmax(axis=1)
    last = w - 1 - nz[:, ::-1].argmax(axis=1)
    e = np.where(first < dpos, dpos - first - 1, dpos - first) + exp10
    sig = mant & (mat >= 48) & (mat <= 57) & (col >= first[:, None]) & (col <= last[:, None])
    nd = sig.sum(axis=1)
    digits = np.full((n, 18), ord("0"), dtype=np.uint8)
    rr, cc = np.nonzero(sig)
    digits[rr, (np.cumsum(sig, axis=1) - 1)[rr, cc]] = mat[rr, cc]
    # the text after the sign, one output position j at a time
    plain = (e >= -3) & (e < 7)
    big = plain & (e >= 0)
    small = plain & (e < 0)
    out_w = 26
    out = np.zeros((n, out_w), dtype=np.uint8)
    ln = np.where(big, (e + 1) + 1 + np.maximum(nd - e - 1, 1),
                  np.where(small, 1 - e + nd, 2 + np.maximum(nd - 1, 1)))
    ar = np.arange(n)
    for j in range(out_w):
        # digit index used at position j, or a literal
        di_big = np.where(j < e + 1, j, j - 1)
        lit_big = np.where(j == e + 1, ord("."), -1)
        di_small = j - 1 + e
        lit_small = np.where(j == 0, ord("0"), np.where(j == 1, ord("."), np.where(j < 1 - e, ord("0"), -1)))
        di_sci = np.where(j == 0, 0, j - 1)
        lit_sci = np.where(j == 1, ord("."), -1)
        di = np.where(big, di_big, np.where(small, di_small, di_sci))
        lit = np.where(big, lit_big, np.where(small, lit_small, lit_sci))
        dch = np.where((di >= 0) & (di < nd), digits[ar, np.clip(di, 0, 17)], ord("0"))
        out[:, j] = np.where(lit >= 0, lit, dch)
    body = _rt_matrix_str(out, np.minimum(ln, out_w))
    neg = np.signbit(x)
    sign = pa.array(["", "-"], pa.string()).take(neg.astype(np.int64))
    res = pc.if_else(pa.array(plain), pc.binary_join_element_wise(sign, body, ""),
                     pc.binary_join_element_wise(sign, body, "E", pc.cast(pa.array(e), pa.string()), ""))
    if special.any():
        kind = np.where(np.isnan(x), 0, np.where(np.isinf(x), 1, 2)) + 3 * (np.signbit(x) & ~np.isnan(x))
        spec = pa.array(["NaN", "Infinity", "0.0", "NaN", "-Infinity", "-0.0"], pa.string()).take(kind)
        res = pc.if_else(pa.array(special), spec, res)
    return res[0].as_py() if scalar else res


def _rt_to_str(x, frm, scale=0):
    """CAST(x AS STRING); returns (text, m_new)."""
    if frm == "str":
        return x, None
    if frm == "bool":
        if np.ndim(x) == 0:
            return ("true" if bool(x) else "false"), None
        return pa.array(["false", "true"], pa.string()).take(np.asarray(x).astype(np.int64)), None
    if frm == "i64":
        return _rt_i64_str(x), None
    if frm == "dec":
        return _rt_dec_str(x, scale), None
    if frm == "date":
        return _rt_date_str(x)
    if frm == "ts":
        return _rt_ts_str(x)
    if frm == "f64":
        return _rt_f64_str(x), None
    raise ValueError("no text for type " + frm)


# ---------------------------------------------------------------- dates


def _rt_civil(days):
    """(year, month, day) of epoch days (Howard Hinnant's civil_from_days)."""
    z = np.asarray(days, dtype=np.int64) + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = yoe + era * 400 + (m <= 2)
    return y, m, d


def _rt_days_from_civil(y, m, d):
    y = np.asarray(y, dtype=np.int64) - (np.asarray(m) <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    m = np.asarray(m, dtype=np.int64)
    doy = (153 * np.where(m > 2, m - 3, m + 9) + 2) // 5 + np.asarray(d, dtype=np.int64) - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _rt_datepart(part, x, typ):
    """year ... second of a DATE (days) or TIMESTAMP (seconds); NULL outside Spark's DATE range."""
    x = np.asarray(x, dtype=np.int64)
    if typ == "ts":
        days = np.floor_divide(x, 86400)
    else:
        days = x
    ok = (days >= -(2 ** 31)) & (days <= 2 ** 31 - 1)
    allok = bool(np.all(ok))
    if not allok:
        days = np.where(ok, days, 0)
    if part in ("hour", "minute", "second"):
        if typ != "ts":
            r = np.zeros_like(days)
        else:
            sod = x - days * 86400
            r = sod // 3600 if part == "hour" else (sod // 60 % 60 if part == "minute" else sod % 60)
    elif part == "dayofweek":
        r = np.mod(days + 4, 7) + 1
    elif part == "dayofyear":
        y, _, _ = _rt_civil(days)
        r = days - _rt_days_from_civil(y, 1, 1) + 1
    elif part == "weekofyear":
        wd = np.mod(days + 3, 7)          # 0 = Monday
        thu = days - wd + 3
        ty, _, _ = _rt_civil(thu)
        r = (thu - _rt_days_from_civil(ty, 1, 1)) // 7 + 1
    else:
        y, m, d = _rt_civil(days)
        r = {"year": y, "month": m, "day": d, "quarter": (m - 1) // 3 + 1}[part]
    r = np.asarray(r, dtype=np.int64)
    if r.ndim == 0:
        return r[()], (None if allok else np.False_)
    return r, (None if allok else ok)


def _rt_make_date(y, m, d):
    y = np.asarray(y, dtype=np.int64)
    m = np.asarray(m, dtype=np.int64)
    d = np.asarray(d, dtype=np.int64)
    ok = (y >= -6000000) & (y <= 6000000) & (m >= 1) & (m <= 12) & (d >= 1)
    ys, ms = np.where(ok, y, 2000), np.where(ok, m, 1)
    leap = (ys % 4 == 0) & ((ys % 100 != 0) | (ys % 400 == 0))
    dim = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)[ms - 1]
    dim = np.where((ms == 2) & leap, 29, dim)
    ok = ok & (d <= dim)
    days = _rt_days_from_civil(ys, ms, np.where(ok, d, 1))
    ok = ok & (days >= -(2 ** 31)) & (days <= 2 ** 31 - 1)
    return _rt_fix0(np.where(ok, days, 0), ok)


def _rt_days_of(x, typ):
    return np.floor_divide(x, _I64(86400)) if typ == "ts" else x


# ---------------------------------------------------------------- frames


class _rt_Frame:
    """One evaluation of a table's columns at a vector of row counters.  Column
    values and shared nodes are computed once per frame; AT_ROW opens a child frame
    (one per distinct row vector and target table)."""

    __slots__ = ("row", "rowk", "vals", "kids", "depth")

    def __init__(self, row, depth=0):
        self.row = row
        self.rowk = None
        self.vals = {}
        self.kids = {}
        self.depth = depth

    def col(self, fn):
        r = self.vals.get(fn)
        if r is None:
            r = fn(self)
            self.vals[fn] = r
        return r

    def kid(self, key, rows):
        f = self.kids.get(key)
        if f is None:
            if self.depth >= 64:
                raise RuntimeError("AT_ROW nested more than 64 deep")
            f = _rt_Frame(rows, self.depth + 1)
            self.kids[key] = f
        return f


def _rt_at_row(F, key, fn, x, m):
    """The column `fn` of another row (or table) at row counters x; NULL where x is."""
    n = len(F.row)
    rows = np.broadcast_to(np.asarray(x, dtype=np.int64), (n,))
    if m is not None:
        rows = np.where(m, rows, 0)
    rows = np.ascontiguousarray(rows)
    v, vm = F.kid(key, rows).col(fn)
    return v, _rt_mand(vm, m)


# ---------------------------------------------------------------- output


def _rt_spark_type(t):
    if t == "bigint":
        return pa.int64()
    if t == "int":
        return pa.int32()
    if t == "double":
        return pa.float64()
    if t == "boolean":
        return pa.bool_()
    if t == "date":
        return pa.date32()
    if t == "timestamp":
        return pa.timestamp("us", tz="UTC")
    if t.startswith("decimal("):
        p, s = t[8:-1].split(",")
        return pa.decimal128(int(p), int(s))
    return pa.string()


def _rt_arrow(n, v, m, t):
    """One output column: the value pair in the column's Arrow type (Spark spelling t)."""
    if m is not None:
        m = _rt_mfull(n, m)
        if m.all():
            m = None
    if t in ("bigint", "int", "double", "boolean"):
        v = _rt_full(n, v)
        dt = {"bigint": np.int64, "int": np.int32, "double": np.float64, "boolean": np.bool_}[t]
        return pa.array(np.asarray(v).astype(dt), type=_rt_spark_type(t), mask=None if m is None else ~m)
    if t == "date":
        v = np.asarray(_rt_full(n, v), dtype=np.int64)
        ok = (v >= -(2 ** 31)) & (v <= 2 ** 31 - 1)
        if not ok.all():
            m = ok if m is None else (m & ok)
        return pa.array(v.astype(np.int32), type=pa.date32(), mask=None if m is None else ~m)
    if t == "timestamp":
        v = np.asarray(_rt_full(n, v), dtype=np.int64)
        lim = (2 ** 63 - 1) // 1000000
        ok = (v >= -lim) & (v <= lim)
        if not ok.all():
            m = ok if m is None else (m & ok)
            v = np.where(ok, v, 0)
        return pa.array(v * 1000000, type=pa.timestamp("us", tz="UTC"), mask=None if m is None else ~m)
    if t.startswith("decimal("):
        p, s = (int(z) for z in t[8:-1].split(","))
        v = np.asarray(_rt_full(n, v), dtype=np.int64)
        if p < 19:
            lim = 10 ** p
            ok = (v > -lim) & (v < lim)
            if not ok.all():
                m = ok if m is None else (m & ok)
        if m is not None:
            v = np.where(m, v, 0)
        return _rt_dec_array(v, p, s, m)
    # strings
    a = _rt_full(n, v)
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    if a.type != pa.string():
        a = a.cast(pa.string())
    if m is None and a.null_count == 0:
        return a
    if m is None:
        m = np.ones(n, dtype=bool)
    return pc.if_else(pa.array(m), a, pa.scalar(None, pa.string()))


def _rt_table(n, columns, pairs):
    """The pyarrow Table of one chunk: columns [(name, spark type)], pairs [(v, m)]."""
    arrays = [_rt_arrow(n, v, m, t) for (name, t), (v, m) in zip(columns, pairs)]
    return pa.Table.from_arrays(arrays, names=[name for name, _ in columns])


# ---------------------------------------------------------------- row counters


def row_counters(spec, start, stop):
    """Row counters of rows [start, stop) of a plain table, or, for a child table, the
    counters p * max + k (k < count(p)) of the children of parent rows [start, stop)."""
    par = spec.get("parent")
    if not par:
        return np.arange(start, stop, dtype=np.int64)
    p = np.arange(start, stop, dtype=np.int64)
    key = int(np.asarray(spark_xxhash64(int(par["count_seed"])), dtype=np.int64).view(np.uint64))
    with np.errstate(over="ignore"):
        cnt = _rt_int_range(_rt_hash(p, key), int(par["min"]), int(par["max"]))
    total = int(cnt.sum())
    first = np.zeros(len(p), dtype=np.int64)
    if len(p):
        np.cumsum(cnt[:-1], out=first[1:])
    base = np.repeat(p * np.int64(par["max"]) - first, cnt)
    return base + np.arange(total, dtype=np.int64)
