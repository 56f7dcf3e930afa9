"""End-to-end tests of the python (numpy) engine.

For every predefined dataset, at a small target row count, the generated program of the
numpy emitter (`test_emit_numpy --emit`, tests/unit/test_emit_numpy.c) is executed together
with templates/notebooks/numpy_runtime.py, every table is generated, and the tables are
checked against what the config says (row counts from the plan, unique primary keys, foreign
keys that exist in the parent, NULLs only where configured and at about the configured rate,
value ranges, choice and bernoulli frequencies) and against the native C evaluator
(`test_emit_numpy --eval`, runtime/eval.h), row by row: exactly, except that columns on the
transcendental path (ln, exp, cos, pow) compare doubles to 1e-12 relative and may differ in
one value per column after rounding to the column's type (DESIGN section 5).

The test binary comes from INGEN_BUILD_DIR (default build/).
"""

import datetime
from decimal import Decimal
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("INGEN_BUILD_DIR", REPO_ROOT / "build"))
RUNTIME = REPO_ROOT / "templates" / "notebooks" / "numpy_runtime.py"
DATASETS = sorted(p.stem for p in (REPO_ROOT / "datasets").glob("*.yaml"))
TARGET_ROWS = 300


def _exe():
    exe = BUILD_DIR / "test_emit_numpy"
    if not exe.exists():
        pytest.fail(f"{exe} is not built (cmake --build {BUILD_DIR}; INGEN_BUILD_DIR names another build)",
                    pytrace=False)
    return str(exe)


def load_program(path):
    """The runtime and a generated program executed into one namespace (as in the notebook)."""
    ns = {"__name__": "ingen_generated"}
    exec(compile(RUNTIME.read_text(), str(RUNTIME), "exec"), ns)
    exec(compile(Path(path).read_text(), str(path), "exec"), ns)
    return ns


def generate(ns, spec, chunk=None):
    """Every row of a table, in chunks of `chunk` rows (or parent rows) when given."""
    par = spec["parent"]
    stop = par["rows"] if par else spec["rows"]
    step = chunk or max(stop, 1)
    parts = []
    for start in range(0, stop, step):
        rows = ns["row_counters"](spec, start, min(start + step, stop))
        parts.append(ns["GENERATORS"][spec["name"]](rows))
    return pa.concat_tables(parts) if parts else None


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("numpy_engine")


@pytest.fixture(scope="module")
def engine(workdir):
    """dataset id -> (namespace, {table: pyarrow Table}, config)."""
    cache = {}

    def get(ds):
        if ds not in cache:
            out = workdir / f"{ds}.py"
            subprocess.run([_exe(), "--emit", ds, str(TARGET_ROWS), str(out)], check=True)
            ns = load_program(out)
            tables = {spec["name"]: generate(ns, spec) for spec in ns["TABLE_SPECS"]}
            cfg = yaml.safe_load((REPO_ROOT / "datasets" / f"{ds}.yaml").read_text())
            cache[ds] = (ns, tables, cfg)
        return cache[ds]

    return get


# ---------------------------------------------------------------- canonical text (as --eval writes it)

def _escape(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def canonical(col):
    """The values of an Arrow column as the strings `test_emit_numpy --eval` prints (floats as floats)."""
    t = col.type
    valid = np.asarray(pc.is_valid(col).to_numpy(zero_copy_only=False), dtype=bool)
    if pa.types.is_boolean(t):
        vals = ["true" if v else "false" for v in col.to_pylist()]
    elif pa.types.is_integer(t):
        vals = [str(v) for v in col.to_pylist()]
    elif pa.types.is_floating(t):
        vals = col.to_pylist()
    elif pa.types.is_decimal(t):
        vals = [None if v is None else str(int(v.scaleb(t.scale))) for v in col.to_pylist()]
    elif pa.types.is_date32(t):
        vals = [str(v) for v in pc.cast(col, pa.int32()).to_pylist()]
    elif pa.types.is_timestamp(t):
        vals = [None if v is None else str(v // 1000000) for v in pc.cast(col, pa.int64()).to_pylist()]
    else:
        vals = [None if v is None else _escape(v) for v in col.to_pylist()]
    return [v if ok else None for v, ok in zip(vals, valid)]


def read_eval(path):
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    names = lines[0].split("\t")
    trans = [x == "1" for x in lines[1].split("\t")]
    rows = [ln.split("\t") for ln in lines[2:-1]]   # the text ends with a newline
    return names, trans, rows


def _float(s):
    return float(s)


def compare_with_eval(workdir, ds, name, table, tag=None, target_rows=TARGET_ROWS):
    out = workdir / f"{tag or ds}.{name}.tsv"
    subprocess.run([_exe(), "--eval", str(ds), str(target_rows), name, str(out)], check=True)
    names, trans, rows = read_eval(out)
    assert names == table.column_names
    assert len(rows) == table.num_rows, f"{ds}.{name}: eval has {len(rows)} rows, numpy {table.num_rows}"
    problems = []
    for k, cname in enumerate(names):
        ours = canonical(table.column(k))
        theirs = [r[k] for r in rows]
        is_float = pa.types.is_floating(table.schema.field(k).type)
        bad = []
        for i, (a, b) in enumerate(zip(ours, theirs)):
            if b == "\\N" or a is None:
                if not (b == "\\N" and a is None):
                    bad.append(i)
                continue
            if is_float:
                x, y = a, _float(b)
                if math.isnan(x) and math.isnan(y):
                    continue
                if trans[k]:
                    if not (x == y or abs(x - y) <= 1e-12 * max(abs(x), abs(y))):
                        bad.append(i)
                elif x != y:
                    bad.append(i)
            elif a != b:
                bad.append(i)
        allowed = 1 if trans[k] and not is_float else 0
        if len(bad) > allowed:
            i = bad[0]
            problems.append(f"{ds}.{name}.{cname}: {len(bad)} of {len(ours)} rows differ; first at row {i}: "
                            f"numpy {ours[i]!r}, eval {theirs[i]!r}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- properties from the config

SPARK_ARROW = {"bigint": pa.int64(), "int": pa.int32(), "double": pa.float64(), "boolean": pa.bool_(),
               "string": pa.string(), "date": pa.date32(), "timestamp": pa.timestamp("us", tz="UTC")}


def arrow_type(spark):
    if spark.startswith("decimal("):
        p, s = spark[8:-1].split(",")
        return pa.decimal128(int(p), int(s))
    if spark.startswith("varchar("):
        return pa.string()
    return SPARK_ARROW[spark]


def within(obs, n, p, sigmas=5.0):
    """An observed count is within `sigmas` binomial standard deviations of n * p."""
    return abs(obs - n * p) <= sigmas * math.sqrt(max(n * p * (1 - p), 1e-9)) + 1


def as_date(v):
    if isinstance(v, datetime.datetime):
        return v.date()
    if isinstance(v, datetime.date):
        return v
    return datetime.date.fromisoformat(str(v))


def column_cfgs(cfg, tname):
    cols = cfg["tables"][tname]["columns"]
    return {c: (v if isinstance(v, dict) else {}) for c, v in cols.items()}


def check_properties(ds, tables, cfg, ns):
    problems = []
    specs = {s["name"]: s for s in ns["TABLE_SPECS"]}
    for tname, tcfg in cfg["tables"].items():
        spec = specs[tname]
        tab = tables[tname]
        n = tab.num_rows
        # row counts and the schema
        if n != spec["rows"]:
            problems.append(f"{tname}: {n} rows, the plan says {spec['rows']}")
        if tab.column_names != [c for c, _ in spec["columns"]]:
            problems.append(f"{tname}: columns {tab.column_names}")
        for (cname, st), field in zip(spec["columns"], tab.schema):
            if field.type != arrow_type(st):
                problems.append(f"{tname}.{cname}: Arrow type {field.type} for {st}")
        # primary key: unique, never NULL
        pk = tcfg.get("primary_key")
        if pk:
            keys = [pk] if isinstance(pk, str) else list(pk)
            cols = [tab.column(k).to_pylist() for k in keys]
            tuples = list(zip(*cols))
            if any(v is None for t in tuples for v in t):
                problems.append(f"{tname}: NULL in primary key {keys}")
            if len(set(tuples)) != len(tuples):
                problems.append(f"{tname}: primary key {keys} is not unique")
        for cname, cc in column_cfgs(cfg, tname).items():
            col = tab.column(cname)
            gen = cc.get("generator")
            nullp = float(cc.get("null_probability", 0) or 0)
            nulls = col.null_count
            orphan = float(cc.get("orphan_probability", 0) or 0)
            if "expr" not in cc and nullp == 0 and not (gen == "reference" and orphan > 0):
                if gen == "reference":
                    pt, pcn = cc["references"].split(".")
                    parent_nulls = tables[pt].column(pcn).null_count
                else:
                    parent_nulls = 0
                if nulls and not parent_nulls:
                    problems.append(f"{tname}.{cname}: {nulls} NULLs without null_probability")
            if nullp > 0 and n >= 100 and "expr" not in cc and not within(nulls, n, nullp):
                problems.append(f"{tname}.{cname}: {nulls} NULLs in {n} rows for null_probability {nullp}")
            vals = [v for v in col.to_pylist() if v is not None]
            if not vals:
                continue
            ctype = str(cc.get("type", ""))
            numeric = ctype in ("int", "bigint", "double") or ctype.startswith("decimal")
            if gen == "sequence" and not spec["parent"] and ctype in ("int", "bigint") and nullp == 0:
                start, step = int(cc.get("start", 1)), int(cc.get("step", 1))
                want = [start + i * step for i in range(n)]
                if col.to_pylist() != want:
                    problems.append(f"{tname}.{cname}: sequence is not start + row * step")
            if numeric and gen in ("uniform", "normal", "lognormal", "exponential") and \
                    ("min" in cc or "max" in cc):
                lo = float(cc.get("min", -math.inf))
                hi = float(cc.get("max", math.inf))
                fv = [float(v) for v in vals]
                if min(fv) < lo - 1e-9 or max(fv) > hi + 1e-9:
                    problems.append(f"{tname}.{cname}: values {min(fv)}..{max(fv)} outside [{lo}, {hi}]")
            if gen in ("date", "timestamp") and "start" in cc and "end" in cc:
                lo, hi = as_date(cc["start"]), as_date(cc["end"])
                dv = [as_date(v) for v in vals]
                if min(dv) < lo or max(dv) > hi:
                    problems.append(f"{tname}.{cname}: dates {min(dv)}..{max(dv)} outside [{lo}, {hi}]")
            if gen == "bernoulli" and n >= 100:
                p = float(cc.get("p", 0.5))
                if not within(sum(1 for v in vals if v), len(vals), p):
                    problems.append(f"{tname}.{cname}: {sum(1 for v in vals if v)} true of {len(vals)} for p {p}")
            if gen == "choice":
                spec_vals = cc["values"]
                if isinstance(spec_vals, dict):
                    items = list(spec_vals.items())
                else:
                    items = [(v, 1.0) for v in spec_vals]
                total = sum(float(w) for _, w in items)

                def norm(v):
                    if numeric and not isinstance(v, bool):
                        return float(v)
                    if isinstance(v, (datetime.date, datetime.datetime)):
                        return str(as_date(v))
                    return v

                want = {}
                for v, w in items:
                    want[norm(v)] = want.get(norm(v), 0.0) + float(w) / total
                got = {}
                for v in vals:
                    got[norm(v)] = got.get(norm(v), 0) + 1
                extra = set(got) - set(want)
                if extra:
                    problems.append(f"{tname}.{cname}: values {sorted(map(str, extra))[:5]} not among the choices")
                elif len(vals) >= 100:
                    for v, p in want.items():
                        if not within(got.get(v, 0), len(vals), p):
                            problems.append(f"{tname}.{cname}: {v!r} {got.get(v, 0)} times of {len(vals)}, "
                                            f"weight {p:.3f}")
            if gen == "reference":
                pt, pcn = cc["references"].split(".")
                parent = set(v for v in tables[pt].column(pcn).to_pylist() if v is not None)
                missing = [v for v in vals if v not in parent]
                if missing and orphan == 0:
                    problems.append(f"{tname}.{cname}: {len(missing)} values not in {pt}.{pcn}, e.g. {missing[0]!r}")
                if orphan > 0 and n >= 100 and len(missing) > n * orphan + 5 * math.sqrt(n * orphan) + 1:
                    problems.append(f"{tname}.{cname}: {len(missing)} orphans for orphan_probability {orphan}")
    # relationships: child values exist in the parent
    for rel in cfg.get("relationships") or []:
        pt, pcn = rel["parent"].split(".")
        ct, ccn = rel["child"].split(".")
        ccfg = column_cfgs(cfg, ct).get(ccn, {})
        if float(ccfg.get("orphan_probability", 0) or 0) > 0:
            continue
        parent = set(v for v in tables[pt].column(pcn).to_pylist() if v is not None)
        missing = [v for v in tables[ct].column(ccn).to_pylist() if v is not None and v not in parent]
        if missing:
            problems.append(f"relationship {rel['parent']} -> {rel['child']}: {len(missing)} child values "
                            f"without a parent, e.g. {missing[0]!r}")
    return problems


# ---------------------------------------------------------------- tests

@pytest.mark.parametrize("ds", DATASETS)
def test_properties(engine, ds):
    ns, tables, cfg = engine(ds)
    problems = check_properties(ds, tables, cfg, ns)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("ds", DATASETS)
def test_equals_native_evaluator(engine, workdir, ds):
    ns, tables, _ = engine(ds)
    for spec in ns["TABLE_SPECS"]:
        compare_with_eval(workdir, ds, spec["name"], tables[spec["name"]])


@pytest.mark.parametrize("ds", ["retail_oltp_small", "finance_star_small", "healthcare_oltp_small"])
def test_chunks_do_not_change_values(engine, ds):
    """A value is a function of the row counter alone: chunking (and so frames) changes nothing."""
    ns, tables, _ = engine(ds)
    for spec in ns["TABLE_SPECS"]:
        chunked = generate(ns, spec, chunk=37)
        assert chunked.equals(tables[spec["name"]]), spec["name"]


def test_row_counters_of_child_tables(engine):
    ns, tables, _ = engine("retail_oltp_small")
    spec = next(s for s in ns["TABLE_SPECS"] if s["parent"])
    par = spec["parent"]
    rows = ns["row_counters"](spec, 0, par["rows"])
    assert len(rows) == spec["rows"]
    p, k = rows // par["max"], rows % par["max"]
    # each parent row's children are k = 0 .. count - 1, count in [min, max]
    counts = np.bincount(p, minlength=par["rows"])
    assert counts.min() >= par["min"] and counts.max() <= par["max"]
    for parent in range(0, par["rows"], 17):
        assert list(k[p == parent]) == list(range(counts[parent]))
    # the count is I(H(count_seed, p), min, max) of docs/samplers.md, recomputed here in plain Python
    from hashref import spark_xxhash64
    h = spark_xxhash64(par["count_seed"], np.arange(par["rows"], dtype=np.int64)).view(np.uint64)
    u = (h >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    want = par["min"] + np.floor(u * (par["max"] - par["min"] + 1)).astype(np.int64)
    assert (counts == want).all()
    # a range of parent rows in the middle gives exactly those parents' children
    mid = ns["row_counters"](spec, 10, 20)
    assert list(mid) == [r for r in rows if 10 <= r // par["max"] < 20]


def test_runtime_kernels(engine):
    """Edge cases of the runtime's kernels against values worked out by hand (docs)."""
    ns, _, _ = engine("retail_oltp_small")
    g = ns.__getitem__
    # the hash vector of DESIGN 5
    assert int(g("spark_xxhash64")(7, 3)) == 2151609513328473199
    # search_cum: the first i with u < c[i], else n - 1
    c = np.array([0.25, 0.25, 0.75, 1.0])
    u = np.array([0.0, 0.24, 0.25, 0.5, 0.75, 0.9999, 1.0, np.nan])
    assert list(g("_rt_search_cum")(u, c)) == [0, 0, 2, 2, 3, 3, 3, 3]
    # pmod and remainder signs, NULL on zero
    v, m = g("_rt_pmod")(np.array([-7, 7, -7, 5]), np.array([3, 3, 0, -3]))
    assert list(v[[0, 1, 3]]) == [2, 1, 2] and list(m) == [True, True, False, True]
    v, m = g("_rt_rem")(np.array([-7, 7]), np.array([3, -3]))
    assert list(v) == [-1, 1] and m is None
    # decimals: exact, half away from zero, NULL beyond int64
    v, m = g("_rt_dec_rescale")(np.array([125, -125, 124, -9223372036854775808]), 2, 1)
    assert list(v) == [13, -13, 12, -922337203685477581] and m is None
    v, m = g("_rt_dec_arith")("mul", np.array([3037000500, 7]), 0, np.array([3037000500, -6]), 0, 0)
    assert v[1] == -42 and list(m) == [False, True]
    assert g("_rt_cmp_dec")("lt", np.array([1, 2]), 0, np.array([150, 150]), 2) .tolist() == [True, False]
    # doubles: NaN is above everything and equal to itself
    x = np.array([np.nan, 1.0, np.nan])
    y = np.array([np.inf, np.nan, np.nan])
    assert list(g("_rt_cmp_f64")("gt", x, y)) == [True, False, False]
    assert list(g("_rt_cmp_f64")("eq", x, y)) == [False, False, True]
    # Spark substring and lpad
    s = pa.array(["héllo", "ab", ""])
    assert g("_rt_substr")(s, 2, 3).to_pylist() == ["éll", "b", ""]
    assert g("_rt_substr")(s, -2, 5).to_pylist() == ["lo", "ab", ""]
    assert g("_rt_substr")(s, np.array([0, 1, 1]), np.array([2, -1, 5])).to_pylist() == ["hé", "", ""]
    assert g("_rt_lpad")(s, 4, "0").to_pylist() == ["héll", "00ab", "0000"]
    assert g("_rt_lpad")(s, np.array([7, 1, 3]), "xy").to_pylist() == ["xyhéllo", "a", "xyx"]
    # letters, uuid, hex, text of values
    assert g("_rt_letters")(pa.array(["O'Brien-Smith", "José 2"])).to_pylist() == ["OBrienSmith", "Jos"]
    assert g("_rt_hex16")(np.array([-1, 255])).to_pylist() == ["ffffffffffffffff", "00000000000000ff"]
    uu = g("_rt_uuid")(np.array([0x0123456789ABCDEF]), np.array([0x7EDCBA9876543210]))
    assert uu.to_pylist() == ["01234567-89ab-4def-bedc-ba9876543210"]
    assert g("_rt_dec_str")(np.array([5, -310, 0]), 2).to_pylist() == ["0.05", "-3.10", "0.00"]
    assert g("_rt_date_str")(np.array([0, -719529, 2932897]))[0].to_pylist() == \
        ["1970-01-01", "-0001-12-31", "+10000-01-01"]
    assert g("_rt_ts_str")(np.array([86399]))[0].to_pylist() == ["1970-01-01 23:59:59"]
    assert g("_rt_f64_str")(np.array([1.0, 1e7, 0.001, 1.5e-5, -0.0])).to_pylist() == \
        ["1.0", "1.0E7", "0.001", "1.5E-5", "-0.0"]
    # dates: ISO weeks, day of week (1 = Sunday), invalid make_date
    days = np.array([18262, 18628, 18993, 16436])  # 2020-01-01, 2021-01-01, 2022-01-01, 2015-01-01
    assert list(g("_rt_datepart")("weekofyear", days, "date")[0]) == [1, 53, 52, 1]
    assert list(g("_rt_datepart")("dayofweek", days, "date")[0]) == [4, 6, 7, 5]
    v, m = g("_rt_make_date")(np.array([2024, 2023]), np.array([2, 2]), np.array([29, 29]))
    assert v[0] == 19782 and list(m) == [True, False]
    # three-valued logic
    v, m = g("_rt_and")([np.array([False, True, True]), np.array([True, True, True])],
                        [np.array([True, False, True]), None])
    assert list(v & m) == [False, False, True] and list(m) == [True, False, True]
    v, m = g("_rt_or")([np.array([True, False]), np.array([False, False])], [np.array([True, False]), None])
    assert list(m) == [True, False] and v[0]


# ---------------------------------------------------------------- every generator and function

# Every generator and every expression function, with the edge cases of their definitions
# (negative substring positions, empty and multi-character pads, decimals of several scales,
# ISO weeks, invalid make_date, zipf beyond the table limit, orphans, nested child tables).
TORTURE = """\
dataset_id: torture
dataset_name: Torture
dataset_type: transactional
schema_pattern: oltp
domain: testing
target_rows: 400
seed: 1234
tables:
  parents:
    rows: 37
    primary_key: pid
    columns:
      pid: {type: bigint, generator: sequence, start: 100, step: 3}
      code: {type: string, generator: sequence, prefix: 'P-', width: 5}
      code2: {type: 'varchar(6)', generator: pattern, pattern: '[A-Z]{2}\\d{4}', unique: true}
      seg: {type: string, generator: choice, values: {A: 1, B: 2, C: 0, D: 3}}
      price: {type: 'decimal(12,3)', generator: uniform, min: -5.5, max: 1000.25}
      born: {type: date, generator: date, start: 1950-01-01, end: 2005-12-31}
      fname: {type: string, generator: first_name, gender: female}
      lname: {type: string, generator: last_name}
  things:
    primary_key: id
    columns:
      id: {type: bigint, generator: sequence, start: -5, step: 7}
      u_int: {type: int, generator: uniform, min: -1000, max: 1000}
      u_dbl: {type: double, generator: uniform, min: -1.5, max: 2.5}
      u_dec: {type: 'decimal(9,2)', generator: uniform, min: 0, max: 99.99}
      u_date: {type: date, generator: uniform, min: 2020-01-01, max: 2020-03-01}
      u_ts: {type: timestamp, generator: uniform, min: 2020-01-01, max: 2020-01-03}
      nrm: {type: double, generator: normal, mean: 10, stddev: 3}
      nrm_i: {type: bigint, generator: normal, mean: -10, stddev: 30, min: -50, max: 40}
      lgn: {type: 'decimal(10,4)', generator: lognormal, mean: 1, sigma: 0.5, max: 20}
      expo: {type: double, generator: exponential, rate: 0.5}
      poi: {type: int, generator: poisson, lambda: 4.5}
      zsmall: {type: int, generator: zipf, n: 50, skew: 1.3}
      zbig: {type: bigint, generator: zipf, n: 1000000, skew: 1.2}
      zbig1: {type: bigint, generator: zipf, n: 200000, skew: 1.0}
      ch_int: {type: int, generator: choice, values: [3, 5, 7]}
      ch_dec: {type: 'decimal(5,2)', generator: choice, values: {1.25: 1, 2.5: 1}}
      ch_bool: {type: boolean, generator: choice, values: {true: 3, false: 1}}
      bern: {type: boolean, generator: bernoulli, p: 0.3, null_probability: 0.2}
      ts_w: {type: timestamp, generator: timestamp, start: 2023-11-20, end: 2023-12-31,
             hourly: {"09-12": 2, "18-21": 3, default: 0.5}, weekday: {saturday: 2, sunday: 0.5},
             seasonal: {black_friday: 4}}
      d_w: {type: date, generator: date, start: 2024-01-01, end: 2024-12-31, weekday: {monday: 3}}
      pat: {type: string, generator: pattern, pattern: '(ab|c[xyz]{1,3})-\\w?\\d{2,4}(\\.[a-f]+)*'}
      uid: {type: string, generator: uuid}
      ref_u: {type: bigint, generator: reference, references: parents.pid}
      fn: {type: string, generator: first_name}
      fullname: {type: string, generator: full_name}
      mail: {type: string, generator: email, domains: [a.test, b.test]}
      phone: {type: string, generator: phone}
      street: {type: string, generator: street_address}
      city: {type: string, generator: city}
      st: {type: string, generator: state}
      zip: {type: string, generator: postal_code}
      ctry: {type: string, generator: country}
      comp: {type: string, generator: company}
      prod: {type: string, generator: product_name}
      w: {type: string, generator: word}
      sent: {type: string, generator: sentence}
      e_arith: {type: bigint, expr: "u_int * 3 - id % 5 + poi"}
      e_div: {type: double, expr: "u_int / (poi - 4)"}
      e_mod: {type: int, expr: "u_int % (poi - 4)"}
      e_dec: {type: 'decimal(14,4)', expr: "u_dec * 3 + price_of - u_dec / 7"}
      price_of: {type: 'decimal(12,3)', expr: "parents.price"}
      e_round: {type: double, expr: "round(u_dbl * 100, 1) + round(nrm, -1)"}
      e_round_d: {type: 'decimal(10,1)', expr: "round(u_dec, 1)"}
      e_fc: {type: bigint, expr: "floor(u_dbl * 10) + ceil(u_dbl * 10) + CAST(floor(u_dec) AS bigint)"}
      e_abs: {type: double, expr: "abs(u_dbl) + abs(u_int)"}
      e_lg: {type: double, expr: "least(u_dbl, expo, u_dec) + greatest(u_int, u_dec)"}
      e_coal: {type: 'decimal(9,2)', expr: "coalesce(if(u_int > 0, u_dec, 0.5), 1.5)"}
      e_str: {type: string, expr: "concat(upper(fn), '|', lower(w), '|', substring(sent, -6, 4), '|', lpad(CAST(poi AS string), 4, 'ab'), '|', CAST(u_dec AS string), '|', CAST(u_date AS string), '|', CAST(u_ts AS string))"}
      e_sub: {type: string, expr: "substring(fullname, poi - 3, u_int % 4)"}
      e_len: {type: int, expr: "length(sent) + length(w)"}
      e_pad: {type: string, expr: "lpad(w, poi, '')"}
      e_pad2: {type: string, expr: "lpad(w, poi + 2)"}
      e_date: {type: date, expr: "date_add(u_date, poi) "}
      e_date2: {type: date, expr: "date_sub(to_date(ts_w), u_int % 10)"}
      e_diff: {type: int, expr: "datediff(ts_w, u_date) + datediff(u_date, DATE '2019-12-25')"}
      e_parts: {type: bigint, expr: "year(ts_w) * 1000000 + month(ts_w) * 10000 + dayofmonth(d_w) * 100 + hour(ts_w) + minute(ts_w) + second(ts_w) + quarter(d_w) + dayofweek(d_w) + dayofyear(ts_w) + weekofyear(d_w)"}
      e_mk: {type: date, expr: "make_date(2020 + poi, u_int % 14, poi * 7)"}
      e_tsec: {type: timestamp, expr: "timestamp_seconds(id * 86400 + u_int)"}
      e_case: {type: string, expr: "CASE WHEN bern THEN 'yes' WHEN NOT bern THEN 'no' END"}
      e_case2: {type: bigint, expr: "CASE poi WHEN 1 THEN 10 WHEN 2 THEN 20 WHEN 3 THEN 30 ELSE -1 END"}
      e_logic: {type: boolean, expr: "(bern AND u_int > 0) OR (bern IS NULL AND u_dbl < 0) OR u_dec BETWEEN 10 AND 20"}
      e_in: {type: boolean, expr: "poi IN (1, 3, 5) OR w IN ('a', 'able')"}
      e_unif: {type: double, expr: "uniform(-2, u_dbl + 3) + uniform_int(u_int, u_int + poi)"}
      e_unif2: {type: bigint, expr: "uniform_int(poi, 5)"}
      e_if: {type: double, expr: "if(u_int > 0, expo, u_dbl / (poi - 4))"}
      e_cmp: {type: boolean, expr: "u_dbl > expo AND fn < fullname AND u_date < ts_w AND u_dec >= 5.555"}
      e_ref: {type: string, expr: "concat(parents.seg, '/', parents.fname)"}
      e_cast: {type: bigint, expr: "CAST(u_dbl * 1e18 AS bigint) + CAST(u_dec AS bigint) + CAST(bern AS int)"}
      e_cast2: {type: 'decimal(6,3)', expr: "CAST(u_dbl * 123.4567 AS decimal(6,3))"}
      e_bool_str: {type: string, expr: "CAST(bern AS string) || CAST(CAST(u_dbl AS decimal(8,3)) AS string)"}
  others:
    rows: 120
    columns:
      ref_z: {type: bigint, generator: reference, references: parents.pid, distribution: zipf, skew: 1.5}
      ref_o: {type: bigint, generator: reference, references: parents.pid, orphan_probability: 0.2}
      ref_s: {type: string, generator: reference, references: parents.code, orphan_probability: 0.3}
  kids:
    parent: things
    per_parent: {min: 0, max: 3}
    columns:
      kid_id: {type: bigint, expr: "row_index"}
      thing: {type: bigint, expr: "parent.id"}
      k: {type: int, expr: "child_index"}
      cnt: {type: int, expr: "child_count"}
      pw: {type: string, expr: "concat(parent.w, '#', CAST(child_index AS string))"}
  grandkids:
    parent: kids
    per_parent: {min: 1, max: 2}
    columns:
      g: {type: bigint, expr: "parent.thing * 10 + child_index"}
      r: {type: bigint, generator: reference, references: kids1.kid1_id}
      rz: {type: bigint, generator: reference, references: kids1.kid1_id, distribution: zipf}
  kids1:
    parent: things
    per_parent: {min: 1, max: 3}
    columns:
      kid1_id: {type: bigint, expr: "row_index"}
"""

# The same with NULL literals in expressions (which the native evaluator cannot take yet:
# they reach the IR as a CAST of an untyped NULL) and more NULL draws.
TORTURE_NULLS = TORTURE.replace(
    "u_dbl: {type: double, generator: uniform, min: -1.5, max: 2.5}",
    "u_dbl: {type: double, generator: uniform, min: -1.5, max: 2.5, null_probability: 0.3}").replace(
    "greatest(u_int, u_dec)", "greatest(u_int, u_dec, NULL)").replace(
    "coalesce(if(u_int > 0, u_dec, 0.5), 1.5)", "coalesce(u_dec, CAST(NULL AS decimal(9,2)), 1.5)").replace(
    "if(u_int > 0, expo, u_dbl / (poi - 4))", "if(u_int > 0, expo, NULL)")


@pytest.fixture(scope="module")
def torture(workdir):
    def get(text, tag):
        cfg_path = workdir / f"{tag}.yaml"
        cfg_path.write_text(text.replace("dataset_id: torture", f"dataset_id: {tag}"))
        out = workdir / f"{tag}.py"
        subprocess.run([_exe(), "--emit", str(cfg_path), "0", str(out)], check=True)
        ns = load_program(out)
        return cfg_path, ns, {spec["name"]: generate(ns, spec) for spec in ns["TABLE_SPECS"]}
    return get


def test_torture_equals_native_evaluator(torture, workdir):
    cfg_path, ns, tables = torture(TORTURE, "torture")
    for spec in ns["TABLE_SPECS"]:
        compare_with_eval(workdir, cfg_path, spec["name"], tables[spec["name"]], tag="torture", target_rows=0)
    chunked = generate(ns, ns["TABLE_SPECS"][1], chunk=64)
    assert chunked.equals(tables["things"])


def test_torture_properties(torture):
    cfg_path, ns, tables = torture(TORTURE, "torture")
    problems = check_properties("torture", tables, yaml.safe_load(cfg_path.read_text()), ns)
    assert not problems, "\n".join(problems)


def test_torture_null_semantics(torture):
    """SQL NULL rules, checked against the other columns of the same rows."""
    _, _, tables = torture(TORTURE_NULLS, "torture_nulls")
    t = {c: tables["things"].column(c).to_pylist() for c in tables["things"].column_names}
    n = len(t["id"])
    nulls = sum(v is None for v in t["u_dbl"])
    assert within(nulls, n, 0.3)
    for i in range(n):
        b, u_int, u_dbl, u_dec = t["bern"][i], t["u_int"][i], t["u_dbl"][i], t["u_dec"][i]
        # if(c, a, NULL)
        assert t["e_if"][i] == (t["expo"][i] if u_int > 0 else None)
        # least and greatest skip NULLs (u_dbl, the NULL literal): never NULL here
        assert t["e_lg"][i] is not None
        # a NULL operand makes arithmetic NULL
        assert (t["e_round"][i] is None) == (u_dbl is None)
        # CASE without ELSE: NULL when no branch is true (bern NULL)
        want = None if b is None else ("yes" if b else "no")
        assert t["e_case"][i] == want
        # three-valued AND/OR: bern NULL and u_int > 0 is NULL, not false
        a1 = None if b is None and u_int > 0 else (b and u_int > 0 if b is not None else False)
        a2 = False if b is not None else (None if u_dbl is None else u_dbl < 0)
        a3 = None if u_dec is None else (Decimal(10) <= u_dec <= Decimal(20))
        vals = [a1, a2, a3]
        want = True if any(v is True for v in vals) else (None if any(v is None for v in vals) else False)
        assert t["e_logic"][i] == want, (i, vals, t["e_logic"][i])
        assert (t["e_dec"][i] is None) == (u_dec is None or t["price_of"][i] is None)
        # lpad with an empty pad cuts; substring counts characters from the end
        assert t["e_pad"][i] == t["w"][i][:max(t["poi"][i], 0)]


def test_decimal_scale_through_case_and_nulls(torture, engine, workdir):
    """coalesce(dec, NULL, 1.5) and CASE ... THEN 0.10 ... keep their digits."""
    _, _, tables = torture(TORTURE_NULLS, "torture_nulls")
    t = {c: tables["things"].column(c).to_pylist() for c in ("u_dec", "e_coal")}
    assert t["e_coal"] == [u if u is not None else Decimal("1.50") for u in t["u_dec"]]
    _, retail, _ = engine("retail_oltp_small")
    rates = set(retail["order_items"].column("discount_rate").to_pylist())
    assert rates - {Decimal("0.00")}, "every discount_rate is 0.00"
    # the NULL draw's if(..., NULL, v) of a decimal column has scale 0: the program is refused
    path = workdir / "decimal_nulls.yaml"
    path.write_text(TORTURE.replace("dataset_id: torture", "dataset_id: decimal_nulls").replace(
        "u_dec: {type: 'decimal(9,2)', generator: uniform, min: 0, max: 99.99}",
        "u_dec: {type: 'decimal(9,2)', generator: uniform, min: 0, max: 99.99, null_probability: 0.3}"))
    r = subprocess.run([_exe(), "--emit", str(path), "0", str(workdir / "decimal_nulls.py")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
