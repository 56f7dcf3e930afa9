"""Reusable data checks for the end-to-end tests: what a dataset's config promises, checked on
the rows an engine wrote, and the comparison of two engines' rows.

Every check takes the dataset (datasets_meta.Dataset), the tables as pyarrow Tables
({name: table}) and returns a list of problems (strings naming dataset, table and column),
so a test reports everything that is wrong at once: `assert not problems, "\\n".join(problems)`.

Statistical tolerance. The values are a pure function of the seed, so a check either always
passes or always fails; the bounds are chosen so that a correct engine fails none of the few
hundred checks of the catalogue by chance (Z = 5 standard errors; at 4 a correct run would
trip one check of a few hundred now and then when the seed or row counts change):

- a count (NULLs, a choice value, bernoulli trues, orphans, a weekday, an hour) is within
  Z binomial standard deviations of n * p, plus one;
- a mean is within Z * sqrt(Var / n) of the expected mean, and a variance within
  Z * sqrt((mu4 - Var^2) / n) of the expected variance, where the expected moments are
  computed numerically from the sampler's definition (docs/samplers.md) including the
  clamping to [min, max] and the rounding to the column's type (integers floor(x + 0.5),
  decimals half up at the scale): a normal on a fine grid of z, a uniform on a fine grid of u,
  a poisson or zipf from its exact probabilities. lognormal columns are checked on the log
  of their positive values, where they are normal and the estimates are not dominated by the
  tail;
- a uniform foreign key hits each parent row about equally often (chi-square within Z
  standard deviations of its degrees of freedom); a zipf foreign key's most frequent parent
  has about the probability of rank 1.
"""

import datetime
import math
import re
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import datasets_meta as dm

Z = 5.0
EPOCH = datetime.date(1970, 1, 1)
EPOCH_TS = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


# ----------------------------------------------------------------------------------------------
# Reading values


def values(table, name):
    """A column as a Python list (NULLs as None; timestamps as naive UTC datetimes)."""
    col = table.column(name)
    if pa.types.is_timestamp(col.type) and col.type.tz is not None:
        col = pc.cast(col, pa.timestamp(col.type.unit))   # the same instants, without tz objects
    return col.to_pylist()


def to_number(v):
    """An int, float, Decimal, bool, date or datetime as a float (dates in days, timestamps in
    seconds since the epoch)."""
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return (v - EPOCH_TS).total_seconds()
    if isinstance(v, datetime.date):
        return float((v - EPOCH).days)
    return float(v)


def binomial_bounds(n, p, z=Z):
    """Bounds for a count of n draws with probability p: exact for p 0 or 1."""
    if p <= 0 or p >= 1:
        return n * min(max(p, 0), 1), n * min(max(p, 0), 1)
    sd = math.sqrt(n * p * (1 - p))
    return max(0.0, n * p - z * sd - 1), n * p + z * sd + 1


def binomial_ok(count, n, p, z=Z):
    lo, hi = binomial_bounds(n, p, z)
    return lo <= count <= hi


def _fmt(x):
    return "%.6g" % x


# ----------------------------------------------------------------------------------------------
# Expected distributions of the samplers (docs/samplers.md): (values, probabilities)

_GRID = 400001


def _round_to_type(x, ctype):
    if dm.is_integer_type(ctype):
        return np.floor(x + 0.5)
    s = dm.decimal_scale(ctype)
    if s is not None:
        f = 10.0 ** s
        return np.sign(x) * np.floor(np.abs(x) * f + 0.5) / f
    return x


def _clamp(x, col):
    lo, hi = col.p("min"), col.p("max")
    if lo is not None:
        x = np.maximum(x, dm.as_float(lo))
    if hi is not None:
        x = np.minimum(x, dm.as_float(hi))
    return x


def _normal_grid():
    z = np.linspace(-12.0, 12.0, _GRID)
    w = np.exp(-0.5 * z * z)
    return z, w / w.sum()


def _uniform_grid(n=200_000):
    u = (np.arange(n, dtype=np.float64) + 0.5) / n
    return u, np.full(n, 1.0 / n)


def zipf_cdf(n, s, k):
    """P(value <= k) of the zipf sampler with n values and skew s (docs/samplers.md)."""
    k = np.asarray(k, dtype=np.float64)
    if n <= dm.ZIPF_TABLE_LIMIT:
        h = np.cumsum(np.arange(1, n + 1, dtype=np.float64) ** -s)
        idx = np.clip(k.astype(np.int64), 0, n)
        return np.where(idx > 0, h[np.maximum(idx - 1, 0)] / h[-1], 0.0)
    if s == 1.0:
        return np.clip(np.log(k + 1) / np.log(n + 1), 0, 1)
    a = 1.0 - s
    return np.clip(((k + 1) ** a - 1) / ((n + 1) ** a - 1), 0, 1)


def expected_distribution(col):
    """(values, probabilities) of a numeric sampler column, after clamping and rounding to
    the column type; None for generators without a numeric distribution here."""
    g = col.generator
    t = col.type
    if g == "normal":
        z, w = _normal_grid()
        x = dm.as_float(col.p("mean")) + dm.as_float(col.p("stddev")) * z
        return _round_to_type(_clamp(x, col), t), w
    if g == "lognormal":
        z, w = _normal_grid()
        x = np.exp(dm.as_float(col.p("mean")) + dm.as_float(col.p("sigma")) * z)
        return _round_to_type(_clamp(x, col), t), w
    if g == "exponential":
        u, w = _uniform_grid()
        x = -np.log1p(-u) / dm.as_float(col.p("rate"))
        return _round_to_type(_clamp(x, col), t), w
    if g == "poisson":
        lam = dm.as_float(col.p("lambda"))
        k = np.arange(0, int(lam + 40 * math.sqrt(lam) + 50), dtype=np.float64)
        logp = -lam + k * math.log(lam) - np.array([math.lgamma(x + 1) for x in k])
        w = np.exp(logp)
        return _clamp(k, col), w / w.sum()
    if g == "uniform" and dm.is_numeric_type(t):
        lo, hi = dm.as_float(col.p("min")), dm.as_float(col.p("max"))
        if t == "double":
            u, w = _uniform_grid()
            return lo + u * (hi - lo), w
        s = dm.decimal_scale(t) or 0
        a, b = round(lo * 10 ** s), round(hi * 10 ** s)
        k = np.arange(a, b + 1, dtype=np.float64) if b - a < 2_000_000 else np.linspace(a, b, 2_000_000)
        return k / 10 ** s, np.full(len(k), 1.0 / len(k))
    return None


def moments(x, w):
    m = float(np.dot(w, x))
    d2 = (x - m) ** 2
    var = float(np.dot(w, d2))
    mu4 = float(np.dot(w, d2 * d2))
    return m, var, mu4


def uniform_moments(a, b):
    """Mean, variance and 4th central moment of the integers a..b, equally likely."""
    n = float(b - a + 1)
    return (a + b) / 2.0, (n * n - 1) / 12.0, (n * n - 1) * (3 * n * n - 7) / 240.0


def check_moments(where, obs, x, w=None, what="values"):
    """The mean and variance of `obs` (floats) against the distribution (x, w), or against
    the moments (mean, variance, mu4) given as x."""
    n = len(obs)
    if n < 30:
        return []
    problems = []
    m, var, mu4 = moments(x, w) if w is not None else x
    a = np.asarray(obs, dtype=np.float64)
    om = float(a.mean())
    ov = float(a.var())
    tol_m = Z * math.sqrt(var / n) + 1e-9 * (abs(m) + 1)
    if abs(om - m) > tol_m:
        problems.append("%s: mean of %s %s, expected %s +- %s (n %d)" % (where, what, _fmt(om), _fmt(m), _fmt(tol_m), n))
    tol_v = Z * math.sqrt(max(mu4 - var * var, 0.0) / n) + 1e-9 * (var + 1)
    if abs(ov - var) > tol_v:
        problems.append("%s: stddev of %s %s, expected %s (variance %s +- %s, n %d)"
                        % (where, what, _fmt(math.sqrt(ov)), _fmt(math.sqrt(var)), _fmt(var), _fmt(tol_v), n))
    return problems


# ----------------------------------------------------------------------------------------------
# Row counts, keys


def check_row_counts(ds, tables, plan):
    problems = []
    for name, t in ds.tables.items():
        if not t.write:
            if name in tables:
                problems.append("%s.%s: written, but the config says write: false" % (ds.id, name))
            continue
        if name not in tables:
            problems.append("%s.%s: not written" % (ds.id, name))
            continue
        if tables[name].num_rows != plan[name]["rows"]:
            problems.append("%s.%s: %d rows, the plan says %d" % (ds.id, name, tables[name].num_rows, plan[name]["rows"]))
    extra = sorted(set(tables) - set(ds.tables))
    if extra:
        problems.append("%s: tables %s are not in the config" % (ds.id, extra))
    return problems


def key_tuples(table, cols):
    lists = [values(table, c) for c in cols]
    return list(zip(*lists))


def check_primary_keys(ds, tables):
    problems = []
    for name, t in ds.tables.items():
        if not t.primary_key or name not in tables:
            continue
        keys = key_tuples(tables[name], t.primary_key)
        nulls = sum(1 for k in keys if any(v is None for v in k))
        if nulls:
            problems.append("%s.%s: %d NULLs in primary key %s" % (ds.id, name, nulls, t.primary_key))
        seen, dups = set(), []
        for k in keys:
            if k in seen:
                dups.append(k)
            seen.add(k)
        if dups:
            problems.append("%s.%s: primary key %s not unique: %d duplicates, e.g. %r"
                            % (ds.id, name, t.primary_key, len(dups), dups[0]))
    return problems


def _zipf_top_probability(rows, skew):
    return float(zipf_cdf(rows, skew, [1])[0])


def check_foreign_keys(ds, tables, parents):
    """Every foreign key (reference columns and declared relationships) resolves to a row of
    its parent, except orphans where `orphan_probability` is set, whose share must match.
    `parents` gives the parent tables (written or computed for the check: write: false)."""
    problems = []
    for fk in ds.foreign_keys():
        if fk.child_table not in tables:
            continue
        where = "%s.%s.%s -> %s.%s" % (ds.id, fk.child_table, fk.child_column, fk.parent_table, fk.parent_column)
        if fk.parent_table not in parents:
            problems.append("%s: parent table not available to the check" % where)
            continue
        child_col = ds.column(fk.child_table, fk.child_column)
        parent_col = ds.column(fk.parent_table, fk.parent_column)
        child = values(tables[fk.child_table], fk.child_column)
        parent_keys = values(parents[fk.parent_table], fk.parent_column)
        parent_set = set(v for v in parent_keys if v is not None)
        n = len(child)
        nonnull = [v for v in child if v is not None]
        missing = [v for v in nonnull if v not in parent_set]
        nulls = n - len(nonnull)
        orphan = dm.as_float(child_col.p("orphan_probability", 0)) if child_col.generator == "reference" else 0.0
        nullp = child_col.null_probability
        if orphan > 0 and parent_col.generator == "sequence":
            # orphans are keys beyond the parent's last row (docs/samplers.md "Foreign keys")
            lo, hi = binomial_bounds(n, orphan * (1 - nullp))
            if not lo <= len(missing) <= hi:
                problems.append("%s: %d orphans in %d rows, orphan_probability %s expects %s to %s"
                                % (where, len(missing), n, orphan, _fmt(lo), _fmt(hi)))
        elif orphan > 0:
            # orphans of a non-sequence key are NULL
            if missing:
                problems.append("%s: %d values without a parent (orphans of a non-sequence key must be NULL), e.g. %r"
                                % (where, len(missing), missing[0]))
            p = 1 - (1 - orphan) * (1 - nullp)
            if not binomial_ok(nulls, n, p):
                problems.append("%s: %d NULLs in %d rows, orphan_probability %s and null_probability %s expect about %s"
                                % (where, nulls, n, orphan, nullp, _fmt(n * p)))
        elif missing:
            problems.append("%s: %d of %d values have no parent row, e.g. %r" % (where, len(missing), n, missing[0]))
        if fk.source == "relationship" and orphan == 0:
            # the declared share of child rows whose key is NULL (docs/config.md "Relationships"),
            # whatever makes them NULL: the column's null_probability or its expression
            p = (fk.null_percentage or 0) / 100.0
            if not binomial_ok(nulls, n, p):
                problems.append("%s: %d NULLs in %d rows, the relationship's null_percentage is %s"
                                % (where, nulls, n, fk.null_percentage))
        # how parents are picked: uniform references hit every parent about equally often,
        # zipf ones favour one parent with about the probability of rank 1
        if child_col.generator == "reference" and orphan == 0 and len(nonnull) >= 200 and len(parent_keys) >= 2:
            counts = {}
            for v in nonnull:
                counts[v] = counts.get(v, 0) + 1
            P = len(parent_keys)
            m = len(nonnull)
            if str(child_col.p("distribution", "uniform")) == "zipf":
                skew = dm.as_float(child_col.p("skew", 1.1))
                p1 = _zipf_top_probability(P, skew)
                lo, hi = binomial_bounds(m, p1)
                top = max(counts.values())
                if not lo <= top <= hi:
                    problems.append("%s: the most frequent parent has %d of %d rows, zipf skew %s over %d parents "
                                    "expects %s to %s" % (where, top, m, skew, P, _fmt(lo), _fmt(hi)))
            elif len(set(parent_keys)) == P:
                e = m / P
                chi2 = sum((counts.get(k, 0) - e) ** 2 / e for k in parent_keys)
                df = P - 1
                if chi2 > df + Z * math.sqrt(2 * df) + 5:
                    problems.append("%s: parent picks not uniform: chi-square %s with %d degrees of freedom"
                                    % (where, _fmt(chi2), df))
    return problems


# ----------------------------------------------------------------------------------------------
# Columns against their generator


def _norm_choice(v, ctype):
    """A choice value (text from the config) or a column value as a comparable key."""
    if v is None:
        return None
    if ctype == "boolean":
        return v if isinstance(v, bool) else str(v).lower() == "true"
    if dm.is_numeric_type(ctype):
        return Decimal(str(v).replace("_", "")).normalize() if not isinstance(v, float) else Decimal(repr(v)).normalize()
    if ctype == "date":
        return dm.as_date(v)
    if ctype == "timestamp":
        if isinstance(v, datetime.datetime):
            return v.replace(tzinfo=None)
        return dm.as_timestamp(v)
    return str(v)


def _check_choice(where, col, vals):
    problems = []
    items = dm.choice_items(col)
    want = {}
    for v, p in items:
        k = _norm_choice(v, col.type)
        want[k] = want.get(k, 0.0) + p
    got = {}
    for v in vals:
        k = _norm_choice(v, col.type)
        got[k] = got.get(k, 0) + 1
    extra = [k for k in got if k not in want]
    if extra:
        problems.append("%s: values %s are not among the choices %s" % (where, sorted(map(str, extra))[:5],
                                                                          [v for v, _ in items][:8]))
        return problems
    n = len(vals)
    for k, p in want.items():
        if not binomial_ok(got.get(k, 0), n, p):
            lo, hi = binomial_bounds(n, p)
            problems.append("%s: %r %d times in %d, weight %.4f expects %s to %s"
                            % (where, str(k), got.get(k, 0), n, p, _fmt(lo), _fmt(hi)))
    return problems


def _check_range(where, nums, lo, hi, show=str):
    if not nums:
        return []
    a, b = min(nums), max(nums)
    if a < lo or b > hi:
        return ["%s: values %s..%s outside [%s, %s]" % (where, show(a), show(b), show(lo), show(hi))]
    return []


def _check_temporal(where, col, vals):
    """date/timestamp generators and uniform on dates/timestamps: range, and the frequencies of
    weekdays, seasonal periods and hours that the weights promise."""
    problems = []
    g = col.generator
    lo_key, hi_key = ("start", "end") if g in ("date", "timestamp") else ("min", "max")
    if col.p(lo_key) is None or col.p(hi_key) is None:
        return problems
    n = len(vals)
    if col.type == "date":
        lo, hi = dm.as_date(col.p(lo_key)), dm.as_date(col.p(hi_key))
        days = [dm.as_date(v) for v in vals]
        problems += _check_range(where, days, lo, hi)
    else:
        lo, hi = dm.as_timestamp(col.p(lo_key)), dm.as_timestamp(col.p(hi_key), end=True)
        stamps = [v.replace(tzinfo=None) for v in vals]
        problems += _check_range(where, stamps, lo, hi)
        days = [s.date() for s in stamps]
    if problems or n < 100:
        return problems
    weighted = any(col.p(k) for k in ("weekday", "seasonal", "hourly"))
    if not weighted:
        if col.type == "date":
            a = (lo - EPOCH).days
            problems += check_moments(where, [to_number(d) for d in days], uniform_moments(a, a + (hi - lo).days),
                                      what="days")
        else:
            a = int(to_number(lo))
            problems += check_moments(where, [to_number(s) for s in stamps],
                                      uniform_moments(a, a + int((hi - lo).total_seconds())), what="seconds")
        return problems
    dw = dm.day_weights(lo if col.type == "date" else lo.date(), hi if col.type == "date" else hi.date(),
                        col.p("weekday"), col.p("seasonal"))
    total = sum(w for _, w in dw)
    # weekdays
    pw = [0.0] * 7
    for d, w in dw:
        pw[d.weekday()] += w / total
    cw = [0] * 7
    for d in days:
        cw[d.weekday()] += 1
    for i in range(7):
        if not binomial_ok(cw[i], n, pw[i]):
            lo_b, hi_b = binomial_bounds(n, pw[i])
            problems.append("%s: %d %ss in %d, the weights expect %s to %s"
                            % (where, cw[i], dm.WEEKDAYS[i], n, _fmt(lo_b), _fmt(hi_b)))
    # seasonal periods
    for name in (col.p("seasonal") or {}):
        per = dm.period_days(name)
        p = sum(w for d, w in dw if dm.in_period(d, per)) / total
        c = sum(1 for d in days if dm.in_period(d, per))
        if not binomial_ok(c, n, p):
            lo_b, hi_b = binomial_bounds(n, p)
            problems.append("%s: %d rows in period %s of %d, the weights expect %s to %s"
                            % (where, c, name, n, _fmt(lo_b), _fmt(hi_b)))
    # hours
    if col.type == "timestamp":
        hw = dm.hourly_weights(col.p("hourly"))
        ht = sum(hw)
        ch = [0] * 24
        for s in stamps:
            ch[s.hour] += 1
        for h in range(24):
            if not binomial_ok(ch[h], n, hw[h] / ht):
                lo_b, hi_b = binomial_bounds(n, hw[h] / ht)
                problems.append("%s: %d rows in hour %02d of %d, the hourly weights expect %s to %s"
                                % (where, ch[h], h, n, _fmt(lo_b), _fmt(hi_b)))
    return problems


UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
PHONE_RE = re.compile(r"\((\d{3})\) 555-01\d{2}")
DEFAULT_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


def _check_strings(where, col, vals, table):
    problems = []
    g = col.generator

    def bad(pred, what):
        wrong = [v for v in vals if not pred(v)]
        if wrong:
            problems.append("%s: %d of %d values are not %s, e.g. %r" % (where, len(wrong), len(vals), what, wrong[0]))

    if g == "pattern":
        rx = re.compile(str(col.p("pattern")), re.ASCII)
        bad(lambda v: rx.fullmatch(v) is not None, "matches of %r" % str(col.p("pattern")))
    elif g == "uuid":
        bad(lambda v: UUID_RE.fullmatch(v) is not None, "version-4 UUIDs")
    elif g == "phone":
        bad(lambda v: (m := PHONE_RE.fullmatch(v)) is not None and 201 <= int(m.group(1)) <= 989,
            "'(NPA) 555-01xx' numbers")
    elif g == "email":
        domains = tuple(str(d) for d in (col.p("domains") or DEFAULT_EMAIL_DOMAINS))
        bad(lambda v: "@" in v and v.rsplit("@", 1)[1] in domains, "addresses at %s" % (domains,))
        frm = col.p("from")
        if frm:
            first, last = (values(table, str(f)) for f in frm)
            allv = values(table, col.name)
            wrong = []
            for e, a, b in zip(allv, first, last):
                if e is None or a is None or b is None:
                    continue
                stem = "%s.%s" % (re.sub(r"[^A-Za-z]", "", a).lower(), re.sub(r"[^A-Za-z]", "", b).lower())
                m = re.fullmatch(re.escape(stem) + r"(\d{1,2})@.*", e)
                if not m or not 1 <= int(m.group(1)) <= 99:
                    wrong.append((e, a, b))
            if wrong:
                problems.append("%s: %d emails are not first.last<1-99>@domain of %s, e.g. %r"
                                % (where, len(wrong), [str(f) for f in frm], wrong[0]))
    elif g == "sentence":
        lo, hi = dm.as_int(col.p("min_words", 4)), dm.as_int(col.p("max_words", 12))
        bad(lambda v: lo <= len(v.split()) <= hi, "sentences of %d to %d words" % (lo, hi))
    elif g in ("first_name", "last_name", "full_name", "company", "product_name", "word", "street_address",
               "city", "state", "postal_code", "country"):
        bad(lambda v: v.strip() != "", "non-empty")
    if col.type.startswith("varchar"):
        n = int(col.type[8:-1])
        bad(lambda v: len(v) <= n, "at most %d characters" % n)
    return problems


def _check_sequence(where, col, vals, n_rows):
    start = col.p("start", "1")
    step = dm.as_int(col.p("step", 1))
    if dm.is_integer_type(col.type) or col.type.startswith("decimal"):
        s = dm.as_int(start)
        want = [s + i * step for i in range(n_rows)]
        got = sorted(int(v) for v in vals)
    elif col.type == "date":
        s = dm.as_date(start)
        want = [s + datetime.timedelta(days=i * step) for i in range(n_rows)]
        got = sorted(vals)
    elif col.type == "timestamp":
        s = dm.as_timestamp(start)
        want = [s + datetime.timedelta(seconds=i * step) for i in range(n_rows)]
        got = sorted(v.replace(tzinfo=None) for v in vals)
    else:
        s = dm.as_int(start)
        prefix, width = str(col.p("prefix", "")), dm.as_int(col.p("width", 0))
        want = sorted("%s%0*d" % (prefix, width, s + i * step) if width else "%s%d" % (prefix, s + i * step)
                      for i in range(n_rows))
        got = sorted(vals)
    want = sorted(want)
    if got != want:
        first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        return ["%s: not the sequence start %s step %d over %d rows (sorted, first difference at %d: %r, expected %r)"
                % (where, start, step, n_rows, first, got[first] if first < len(got) else None,
                   want[first] if first < len(want) else None)]
    return []


def check_columns(ds, tables, plan):
    """Each generated column against its generator's parameters: NULL rates, ranges, choice
    and bernoulli frequencies, moments, temporal weights, string shapes, sequences."""
    problems = []
    for tname, t in ds.tables.items():
        if tname not in tables:
            continue
        table = tables[tname]
        n = table.num_rows
        for cname, col in t.columns.items():
            where = "%s.%s.%s" % (ds.id, tname, cname)
            allv = values(table, cname)
            nulls = sum(1 for v in allv if v is None)
            g = col.generator
            orphan_nulls = (g == "reference" and dm.as_float(col.p("orphan_probability", 0)) > 0 and
                            ds.column(*str(col.p("references")).split(".")).generator != "sequence")
            if orphan_nulls:
                pass   # NULLs are orphans too: check_foreign_keys counts them
            elif col.null_probability > 0:
                if n >= 30 and not binomial_ok(nulls, n, col.null_probability):
                    lo, hi = binomial_bounds(n, col.null_probability)
                    problems.append("%s: %d NULLs in %d rows, null_probability %s expects %s to %s"
                                    % (where, nulls, n, col.null_probability, _fmt(lo), _fmt(hi)))
            elif g is not None and g != "reference" and nulls:
                problems.append("%s: %d NULLs without a null_probability" % (where, nulls))
            vals = [v for v in allv if v is not None]
            if g is None or not vals:
                continue
            if g == "choice":
                problems += _check_choice(where, col, vals)
            elif g == "bernoulli":
                p = dm.as_float(col.p("p", 0.5))
                trues = sum(1 for v in vals if bool(v))
                if any(v not in (0, 1, True, False) for v in vals):
                    problems.append("%s: values other than 0/1 from bernoulli" % where)
                elif not binomial_ok(trues, len(vals), p):
                    lo, hi = binomial_bounds(len(vals), p)
                    problems.append("%s: %d true of %d, p %s expects %s to %s" % (where, trues, len(vals), p, _fmt(lo), _fmt(hi)))
            elif g == "sequence":
                if not t.parent and nulls == 0:
                    problems += _check_sequence(where, col, vals, n)
            elif g in ("date", "timestamp") or (g == "uniform" and col.type in ("date", "timestamp")):
                problems += _check_temporal(where, col, vals)
            elif g == "zipf":
                nz, skew = dm.as_int(col.p("n")), dm.as_float(col.p("skew", 1.1))
                ints = [int(v) for v in vals]
                problems += _check_range(where, ints, 1, nz)
                m = len(ints)
                for k in (1, 2, 3):
                    p = float(zipf_cdf(nz, skew, [k])[0] - zipf_cdf(nz, skew, [k - 1])[0])
                    c = sum(1 for v in ints if v == k)
                    if not binomial_ok(c, m, p):
                        lo, hi = binomial_bounds(m, p)
                        problems.append("%s: value %d %d times in %d, zipf n %d skew %s expects %s to %s"
                                        % (where, k, c, m, nz, skew, _fmt(lo), _fmt(hi)))
            elif g in ("normal", "lognormal", "exponential", "poisson", "uniform"):
                dist = expected_distribution(col)
                nums = [to_number(v) for v in vals]
                lo = dm.as_float(col.p("min")) if col.p("min") is not None else -math.inf
                hi = dm.as_float(col.p("max")) if col.p("max") is not None else math.inf
                out_of_range = _check_range(where, nums, lo, hi, _fmt)
                problems += out_of_range
                if dist is not None and not out_of_range:
                    x, w = dist
                    if g == "lognormal":
                        pos = x > 0
                        lx = np.log(x[pos])
                        lw = w[pos] / w[pos].sum()
                        obs = [math.log(v) for v in nums if v > 0]
                        problems += check_moments(where, obs, lx, lw, "ln(value)")
                    else:
                        problems += check_moments(where, nums, x, w)
            elif dm.is_string_type(col.type):
                problems += _check_strings(where, col, vals, table)
    return problems


# ----------------------------------------------------------------------------------------------
# Expressions with a known meaning: date parts, YYYYMMDD keys, values of a referenced row


_DATE_PART = re.compile(r"\s*(year|month|dayofmonth|quarter|dayofyear|weekofyear|dayofweek|hour|minute|second)"
                        r"\(\s*([A-Za-z_]\w*)\s*\)\s*")
_YYYYMMDD = re.compile(r"\s*year\((\w+)\)\s*\*\s*10000\s*\+\s*month\(\1\)\s*\*\s*100\s*\+\s*dayofmonth\(\1\)\s*")


def date_part(fn, v):
    if isinstance(v, datetime.datetime):
        d, t = v.date(), v
    else:
        d, t = v, None
    if fn == "year":
        return d.year
    if fn == "month":
        return d.month
    if fn == "dayofmonth":
        return d.day
    if fn == "quarter":
        return (d.month - 1) // 3 + 1
    if fn == "dayofyear":
        return d.timetuple().tm_yday
    if fn == "weekofyear":
        return d.isocalendar()[1]
    if fn == "dayofweek":
        return (d.weekday() + 1) % 7 + 1   # 1 = Sunday
    if t is None:
        return 0
    return {"hour": t.hour, "minute": t.minute, "second": t.second}[fn]


def check_date_expressions(ds, tables):
    """Columns whose expr is `f(col)` for a date part f, or `year(c) * 10000 + month(c) * 100
    + dayofmonth(c)`, recomputed with Python's calendar."""
    problems = []
    for tname, t in ds.tables.items():
        if tname not in tables:
            continue
        table = tables[tname]
        for cname, col in t.columns.items():
            if col.expr is None:
                continue
            m = _DATE_PART.fullmatch(col.expr)
            m2 = _YYYYMMDD.fullmatch(col.expr)
            src = (m.group(2) if m else m2.group(1) if m2 else None)
            if src is None or src not in t.columns:
                continue
            got = values(table, cname)
            base = values(table, src)
            wrong = []
            for a, b in zip(got, base):
                if b is None:
                    ok = a is None
                elif m:
                    ok = a == date_part(m.group(1), b)
                else:
                    ok = a == b.year * 10000 + b.month * 100 + b.day
                if not ok:
                    wrong.append((a, b))
            if wrong:
                problems.append("%s.%s.%s: %d of %d values differ from %s computed with Python, e.g. %r from %r"
                                % (ds.id, tname, cname, len(wrong), len(got), col.expr.strip(), wrong[0][0], wrong[0][1]))
    return problems


_REF_VALUE = re.compile(r"\s*([A-Za-z_]\w*)\.([A-Za-z_]\w*)\s*")


def check_referenced_values(ds, tables, parents):
    """`expr: <table>.<column>` (a value of the row a reference column points at) equals that
    column of the parent row whose key the reference column holds; `expr: parent.<column>` in a
    child table equals the parent row's value, joined through a column that copies the parent's
    primary key."""
    problems = []
    for tname, t in ds.tables.items():
        if tname not in tables:
            continue
        table = tables[tname]
        refs = {}
        for c in t.columns.values():
            if c.generator == "reference":
                pt, pcn = str(c.p("references")).split(".")
                refs.setdefault(pt, []).append((c.name, pcn))
        # the child's copy of its parent's key
        parent_link = None
        if t.parent and t.parent in parents and len(ds.tables[t.parent].primary_key) == 1:
            pk = ds.tables[t.parent].primary_key[0]
            for c in t.columns.values():
                m = _REF_VALUE.fullmatch(c.expr or "")
                if m and m.group(1) == "parent" and m.group(2) == pk:
                    parent_link = (c.name, pk)
                    break
        for cname, col in t.columns.items():
            m = _REF_VALUE.fullmatch(col.expr or "")
            if not m:
                continue
            qual, pcol = m.group(1), m.group(2)
            if qual == "parent":
                if not parent_link or parent_link[0] == cname:
                    continue
                via, pkey, ptable = parent_link[0], parent_link[1], t.parent
            elif qual in refs and len(refs[qual]) == 1 and qual in parents:
                via, pkey = refs[qual][0]
                ptable = qual
            else:
                continue
            ptab = parents[ptable]
            lookup = dict(zip(values(ptab, pkey), values(ptab, pcol)))
            got = values(table, cname)
            keys = values(table, via)
            wrong = []
            for g, k in zip(got, keys):
                if k is not None and k not in lookup:
                    continue   # an orphan key: what its copied values are is not defined
                want = lookup.get(k) if k is not None else None
                if g != want and not (isinstance(g, float) and isinstance(want, float) and math.isnan(g) and math.isnan(want)):
                    wrong.append((k, g, want))
            if wrong:
                problems.append("%s.%s.%s: %d of %d values differ from %s.%s of the row %s points at, "
                                "e.g. key %r: %r, parent has %r"
                                % (ds.id, tname, cname, len(wrong), len(got), ptable, pcol, via, *wrong[0]))
        # per_parent: every parent row has min..max children
        if parent_link and t.per_parent:
            counts = {}
            for k in values(table, parent_link[0]):
                counts[k] = counts.get(k, 0) + 1
            lo, hi = t.per_parent
            pkeys = values(parents[t.parent], parent_link[1])
            bad = [(k, counts.get(k, 0)) for k in pkeys if not lo <= counts.get(k, 0) <= hi]
            if bad:
                problems.append("%s.%s: %d parent rows have a child count outside per_parent [%d, %d], e.g. %r"
                                % (ds.id, tname, len(bad), lo, hi, bad[0]))
            orphans = set(counts) - set(pkeys)
            if orphans:
                problems.append("%s.%s: children of %d parent keys that do not exist" % (ds.id, tname, len(orphans)))
    return problems


def check_dim_date(ds, tables):
    """A star schema's dim_date: one row per consecutive day, date_key = YYYYMMDD of its date,
    and every fact or dimension key that points at it joins (inner join keeps every row)."""
    problems = []
    if "dim_date" not in ds.tables or "dim_date" not in tables:
        return problems
    dd = tables["dim_date"]
    t = ds.tables["dim_date"]
    date_cols = [c.name for c in t.columns.values() if c.type == "date" and c.generator == "sequence"]
    if not date_cols or "date_key" not in t.columns:
        return ["%s.dim_date: no date_key or no sequence date column to check" % ds.id]
    dates = values(dd, date_cols[0])
    keys = values(dd, "date_key")
    pairs = sorted(zip(dates, keys))
    for (d0, _), (d1, _) in zip(pairs, pairs[1:]):
        if (d1 - d0).days != 1:
            problems.append("%s.dim_date: days not consecutive: %s then %s" % (ds.id, d0, d1))
            break
    wrong = [(d, k) for d, k in pairs if k != d.year * 10000 + d.month * 100 + d.day]
    if wrong:
        problems.append("%s.dim_date: %d date_keys are not YYYYMMDD of %s, e.g. %r" % (ds.id, len(wrong), date_cols[0], wrong[0]))
    keyset = set(keys)
    joined = 0
    for fk in ds.foreign_keys():
        if fk.parent_table != "dim_date" or fk.child_table not in tables:
            continue
        child = [v for v in values(tables[fk.child_table], fk.child_column) if v is not None]
        miss = [v for v in child if v not in keyset]
        joined += 1
        if miss:
            problems.append("%s: %s.%s joins dim_date on %s: %d of %d rows find no day, e.g. %r"
                            % (ds.id, fk.child_table, fk.child_column, fk.parent_column, len(miss), len(child), miss[0]))
    if joined == 0:
        problems.append("%s: no table has a key into dim_date" % ds.id)
    return problems


def check_all(ds, tables, plan, parents):
    return (check_row_counts(ds, tables, plan) + check_primary_keys(ds, tables)
            + check_foreign_keys(ds, tables, parents) + check_columns(ds, tables, plan)
            + check_date_expressions(ds, tables) + check_referenced_values(ds, tables, parents)
            + check_dim_date(ds, tables))


# ----------------------------------------------------------------------------------------------
# Schemas


def arrow_to_spark(t):
    """The Spark SQL type name of an Arrow type as written by the python notebooks."""
    if pa.types.is_int64(t):
        return "bigint"
    if pa.types.is_int32(t):
        return "int"
    if pa.types.is_float64(t):
        return "double"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_decimal(t):
        return "decimal(%d,%d)" % (t.precision, t.scale)
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "string"
    if pa.types.is_date32(t):
        return "date"
    if pa.types.is_timestamp(t) and t.unit == "us" and t.tz in ("UTC", "+00:00", "Etc/UTC"):
        return "timestamp"
    if pa.types.is_timestamp(t) and t.tz is None:
        return "timestamp_ntz"
    return "arrow:%s" % t


DELTA_TO_SPARK = {"long": "bigint", "integer": "int", "short": "smallint", "byte": "tinyint",
                  "double": "double", "float": "float", "boolean": "boolean", "string": "string",
                  "date": "date", "timestamp": "timestamp", "timestamp_ntz": "timestamp_ntz", "binary": "binary"}


def delta_type_to_spark(t):
    if isinstance(t, str):
        if t.startswith("decimal"):
            return re.sub(r"\s+", "", t)
        return DELTA_TO_SPARK.get(t, "delta:%s" % t)
    return "delta:%s" % (t,)


# ----------------------------------------------------------------------------------------------
# Comparing two engines


def _canonical_order(table, key_cols):
    keys = [(c, "ascending") for c in key_cols]
    return table.take(pc.sort_indices(table, sort_keys=keys, null_placement="at_end"))


def sort_rows(table, primary_key, trans_cols):
    """Rows sorted by the primary key, else by every exact column then the others."""
    if primary_key:
        return _canonical_order(table, primary_key)
    exact = [c for c in table.column_names if c not in trans_cols]
    rest = [c for c in table.column_names if c in trans_cols]
    return _canonical_order(table, exact + rest)


def _same(a, b):
    if a == b:
        return True
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)


def _close(a, b, rel=1e-12):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float):
        return _same(a, b) or abs(a - b) <= rel * max(abs(a), abs(b))
    return a == b


def compare_engines(ds, name, a, b, label_a, label_b, trans_cols, primary_key):
    """Row-by-row equality of one table written by two engines (DESIGN section 5): exact for
    every column, except that a column in `trans_cols` (transcendental samplers and what is
    computed from them) may differ by 1e-12 relative in doubles, and after rounding to its type
    in at most 1 value per 10^6 (at least 1)."""
    problems = []
    where = "%s.%s" % (ds.id, name)
    if a.num_rows != b.num_rows:
        return ["%s: %s wrote %d rows, %s %d" % (where, label_a, a.num_rows, label_b, b.num_rows)]
    if a.column_names != b.column_names:
        return ["%s: columns differ: %s %s, %s %s" % (where, label_a, a.column_names, label_b, b.column_names)]
    sa = sort_rows(a, primary_key, trans_cols)
    sb = sort_rows(b, primary_key, trans_cols)
    pk_a = key_tuples(sa, primary_key) if primary_key else None
    for cname in a.column_names:
        ta, tb = sa.schema.field(cname).type, sb.schema.field(cname).type
        if arrow_to_spark(ta) != arrow_to_spark(tb):
            problems.append("%s.%s: type %s in %s, %s in %s" % (where, cname, ta, label_a, tb, label_b))
            continue
        va, vb = values(sa, cname), values(sb, cname)
        diff = [i for i, (x, y) in enumerate(zip(va, vb)) if not _same(x, y)]
        if not diff:
            continue
        if cname in trans_cols:
            is_float = pa.types.is_floating(ta)
            if is_float:
                diff = [i for i in diff if not _close(va[i], vb[i])]
                allowed = 0
            else:
                allowed = max(1, a.num_rows // 1_000_000)
            if len(diff) <= allowed:
                continue
        i = diff[0]
        at = ("key %r" % (pk_a[i],)) if pk_a else ("sorted row %d" % i)
        problems.append("%s.%s: %d of %d rows differ%s; first at %s: %s %r, %s %r"
                        % (where, cname, len(diff), a.num_rows,
                           " (transcendental, beyond 1e-12 / 1 per 10^6)" if cname in trans_cols else "",
                           at, label_a, va[i], label_b, vb[i]))
    return problems
