"""End-to-end tests of the pyspark engine.

For every predefined dataset, at a small target row count, the generated program of the Spark
emitter (`test_emit_spark --emit`, tests/unit/test_emit_spark.c) is executed together with
templates/notebooks/spark_runtime.py in one namespace (as the notebook does), every table is
built with `build_table` on the session Spark of conftest.py, and checked:

- row counts equal the plan, the row counters are those of DESIGN section 5 (child tables:
  `p * max + k` for the children of each parent row), the Spark types are the spec's;
- primary keys are unique and never NULL, references resolve to a parent row, NULLs appear only
  where the config allows them, sequences are `start + row * step`;
- row by row, every value equals the native C evaluator's (`test_emit_spark --eval`,
  runtime/eval.h): exactly, except that columns depending on a transcendental node (ln, exp,
  cos, pow; EMIT_TRANSCENDENTAL) compare doubles to 1e-12 relative and may differ in one value
  per column after rounding to the column's type (DESIGN section 5).

The same comparison runs on a "torture" config that uses every generator and expression
function, with whole-stage code generation on for one dataset (the other tests evaluate the
same expressions interpreted, which is several times faster on a few hundred rows), and on
sub-ranges of rows. The session settings the notebooks use (spark.sql.ansi.enabled=false,
spark.sql.session.timeZone=UTC) are set for these tests and restored afterwards.

The test binary comes from INGEN_BUILD_DIR (default build/). INGEN_SPARK_DATASETS (a comma
list) narrows the datasets for a quicker run.
"""

import datetime
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from hashref import spark_xxhash64

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("INGEN_BUILD_DIR", REPO_ROOT / "build"))
RUNTIME = REPO_ROOT / "templates" / "notebooks" / "spark_runtime.py"
ALL_DATASETS = sorted(p.stem for p in (REPO_ROOT / "datasets").glob("*.yaml"))
DATASETS = [d for d in os.environ.get("INGEN_SPARK_DATASETS", "").split(",") if d] or ALL_DATASETS
TARGET_ROWS = 300
SESSION_SETTINGS = {
    "spark.sql.ansi.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    # interpreted evaluation: compiling the wide projections costs more than a few hundred rows
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.codegen.wholeStage": "false",
}
EPOCH = datetime.date(1970, 1, 1)


def _exe():
    exe = BUILD_DIR / "test_emit_spark"
    if not exe.exists():
        pytest.fail(f"{exe} is not built (cmake --build {BUILD_DIR}; INGEN_BUILD_DIR names another build)",
                    pytrace=False)
    return str(exe)


class settings:
    """Sets Spark SQL settings for a block and restores the previous values."""

    def __init__(self, spark, values):
        self.spark, self.values = spark, values

    def __enter__(self):
        self.old = {k: self.spark.conf.get(k, None) for k in self.values}
        for k, v in self.values.items():
            self.spark.conf.set(k, v)
        return self.spark

    def __exit__(self, *exc):
        for k, v in self.old.items():
            if v is None:
                self.spark.conf.unset(k)
            else:
                self.spark.conf.set(k, v)


@pytest.fixture(scope="module")
def session(spark):
    with settings(spark, SESSION_SETTINGS) as s:
        yield s


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("spark_engine")


def load_program(path):
    """The runtime and a generated program executed into one namespace (as in the notebook)."""
    ns = {"__name__": "ingen_generated"}
    exec(compile(RUNTIME.read_text(), str(RUNTIME), "exec"), ns)
    exec(compile(Path(path).read_text(encoding="utf-8"), str(path), "exec"), ns)
    return ns


def expected_rows(spec, start=0, stop=None):
    """The row counters of DESIGN section 5, recomputed here with the numpy reference hash."""
    par = spec["parent"]
    if not par:
        return list(range(start, spec["rows"] if stop is None else stop))
    stop = par["rows"] if stop is None else stop
    p = np.arange(start, stop, dtype=np.int64)
    h = spark_xxhash64(par["count_seed"], p).view(np.uint64)
    u = (h >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    counts = par["min"] + np.floor(u * float(par["max"] - par["min"] + 1)).astype(np.int64)
    return [int(q) * par["max"] + k for q, c in zip(p, counts) for k in range(int(c))]


def canonical_df(df, spec):
    """The table with dates as days and timestamps as seconds (no Python time zone involved)."""
    exprs = ["`__row`"]
    for name, t in spec["columns"]:
        q = "`" + name + "`"
        if t == "date":
            exprs.append(f"unix_date({q}) AS {q}")
        elif t == "timestamp":
            exprs.append(f"unix_seconds({q}) AS {q}")
        else:
            exprs.append(q)
    return df.selectExpr(*exprs)


def build(ns, spark, spec, start=0, stop=None):
    """(schema types, rows as tuples: the row counter, then the columns) of rows [start, stop)."""
    par = spec["parent"]
    if stop is None:
        stop = par["rows"] if par else spec["rows"]
    df = ns["build_table"](spark, spec, start, stop, keep_row=True)
    types = [f.dataType.simpleString() for f in df.schema.fields[1:]]
    return types, [tuple(r) for r in canonical_df(df, spec).collect()]


class Built:
    def __init__(self, ns, tables, cfg, cfg_ref, workdir, tag, rows):
        self.ns, self.tables, self.cfg, self.cfg_ref = ns, tables, cfg, cfg_ref
        self.workdir, self.tag, self.rows = workdir, tag, rows

    def column(self, table, name):
        spec = self.spec(table)
        k = 1 + [c for c, _ in spec["columns"]].index(name)
        return [r[k] for r in self.tables[table][1]]

    def spec(self, table):
        return next(s for s in self.ns["TABLE_SPECS"] if s["name"] == table)


@pytest.fixture(scope="module")
def engine(session, workdir):
    """dataset id (or a config path with a tag) -> Built, every table built once.

    Programs are compared as text first: the `_incremental` variants of the catalogue compile
    to the same program as their plain dataset (only the comment naming the dataset differs),
    so Spark builds it once and both Builts hold the same rows; each is still compared with
    the native evaluator run on its own config and checked against its own config."""
    cache = {}
    by_program = {}   # program text without its first comment line -> (ns, tables)

    def get(ds, tag=None, rows=TARGET_ROWS):
        tag = tag or ds
        if tag not in cache:
            out = workdir / f"{tag}.py"
            subprocess.run([_exe(), "--emit", str(ds), str(rows), str(out)], check=True)
            text = out.read_text(encoding="utf-8")
            key = text.split("\n", 1)[1] if text.startswith("# The column programs of dataset ") else text
            if key not in by_program:
                ns = load_program(out)
                by_program[key] = (ns, {spec["name"]: build(ns, session, spec) for spec in ns["TABLE_SPECS"]})
            ns, tables = by_program[key]
            path = Path(ds) if Path(str(ds)).suffix in (".yaml", ".yml") else REPO_ROOT / "datasets" / f"{ds}.yaml"
            cfg = yaml.safe_load(path.read_text())
            cache[tag] = Built(ns, tables, cfg, str(ds), workdir, tag, rows)
        return cache[tag]

    return get


# ---------------------------------------------------------------- the native evaluator's rows

def _escape(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def canonical(v, spark_type):
    """A value as `test_emit_spark --eval` prints it (doubles stay floats)."""
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "true" if v else "false"
    if spark_type.startswith("decimal("):
        scale = int(spark_type[:-1].split(",")[1])
        return str(int(v.scaleb(scale)))
    if isinstance(v, float):
        return v
    if isinstance(v, str):
        return _escape(v)
    return str(v)


def eval_tables(b):
    """{table: (names, rows)} of the native evaluator for a Built."""
    out = b.workdir / f"{b.tag}.eval"
    out.mkdir(exist_ok=True)
    subprocess.run([_exe(), "--eval", b.cfg_ref, str(b.rows), str(out)], check=True)
    res = {}
    for spec in b.ns["TABLE_SPECS"]:
        lines = (out / f"{spec['name']}.tsv").read_text(encoding="utf-8").split("\n")
        res[spec["name"]] = (lines[0].split("\t"), [ln.split("\t") for ln in lines[1:-1]])
    return res


def compare_with_eval(b, only=None):
    problems = []
    ev = eval_tables(b)
    trans_all = b.ns["EMIT_TRANSCENDENTAL"]
    for spec in b.ns["TABLE_SPECS"]:
        name = spec["name"]
        if only and name not in only:
            continue
        types, rows = b.tables[name]
        names, want_rows = ev[name]
        assert names == [c for c, _ in spec["columns"]]
        if len(rows) != len(want_rows):
            problems.append(f"{name}: Spark has {len(rows)} rows, the evaluator {len(want_rows)}")
            continue
        trans = set(trans_all[name])
        for k, (cname, st) in enumerate(spec["columns"]):
            bad = []
            for i, (r, w) in enumerate(zip(rows, want_rows)):
                a, e = canonical(r[k + 1], st), w[k]
                if isinstance(a, float) and e != "\\N":
                    x, y = a, float(e)
                    if x == y or (math.isnan(x) and math.isnan(y)):
                        continue
                    if cname in trans and abs(x - y) <= 1e-12 * max(abs(x), abs(y)):
                        continue
                    bad.append(i)
                elif a != e:
                    bad.append(i)
            allowed = 1 if cname in trans and st != "double" else 0
            if len(bad) > allowed:
                i = bad[0]
                problems.append(f"{b.tag}.{name}.{cname}: {len(bad)} of {len(rows)} rows differ; first at row {i}: "
                                f"spark {canonical(rows[i][k + 1], st)!r}, eval {want_rows[i][k]!r}")
    return problems


# ---------------------------------------------------------------- properties from the config

def spark_type(t):
    return "string" if t.startswith("varchar") else t


def column_cfgs(cfg, tname):
    cols = cfg["tables"][tname]["columns"]
    return {c: (v if isinstance(v, dict) else {}) for c, v in cols.items()}


def check_properties(b):
    problems = []
    cfg = b.cfg
    for spec in b.ns["TABLE_SPECS"]:
        tname = spec["name"]
        types, rows = b.tables[tname]
        n = len(rows)
        if n != spec["rows"]:
            problems.append(f"{tname}: {n} rows, the plan says {spec['rows']}")
        if [r[0] for r in rows] != expected_rows(spec):
            problems.append(f"{tname}: the row counters are not those of DESIGN section 5")
        want_types = [spark_type(t) for _, t in spec["columns"]]
        if types != want_types:
            problems.append(f"{tname}: Spark types {types}, the spec says {want_types}")
        tcfg = cfg["tables"][tname]
        pk = tcfg.get("primary_key")
        if pk:
            keys = [pk] if isinstance(pk, str) else list(pk)
            tuples = list(zip(*[b.column(tname, k) for k in keys]))
            if any(v is None for t in tuples for v in t):
                problems.append(f"{tname}: NULL in primary key {keys}")
            if len(set(tuples)) != len(tuples):
                problems.append(f"{tname}: primary key {keys} is not unique")
        for cname, cc in column_cfgs(cfg, tname).items():
            vals = b.column(tname, cname)
            gen = cc.get("generator")
            nullp = float(cc.get("null_probability", 0) or 0)
            orphan = float(cc.get("orphan_probability", 0) or 0)
            nulls = sum(v is None for v in vals)
            if "expr" not in cc and nullp == 0 and not (gen == "reference" and orphan > 0) and nulls:
                parent_nulls = 0
                if gen == "reference":
                    pt, pcn = cc["references"].split(".")
                    parent_nulls = sum(v is None for v in b.column(pt, pcn))
                if not parent_nulls:
                    problems.append(f"{tname}.{cname}: {nulls} NULLs without null_probability")
            if gen == "sequence" and not spec["parent"] and cc.get("type") in ("int", "bigint") and nullp == 0:
                start, step = int(cc.get("start", 1)), int(cc.get("step", 1))
                if vals != [start + i * step for i in range(n)]:
                    problems.append(f"{tname}.{cname}: sequence is not start + row * step")
            if gen == "reference" and orphan == 0:
                pt, pcn = cc["references"].split(".")
                parent = set(b.column(pt, pcn))
                missing = [v for v in vals if v is not None and v not in parent]
                if missing:
                    problems.append(f"{tname}.{cname}: {len(missing)} values not in {pt}.{pcn}, e.g. {missing[0]!r}")
    for rel in cfg.get("relationships") or []:
        pt, pcn = rel["parent"].split(".")
        ct, ccn = rel["child"].split(".")
        if float(column_cfgs(cfg, ct).get(ccn, {}).get("orphan_probability", 0) or 0) > 0:
            continue
        parent = set(b.column(pt, pcn))
        missing = [v for v in b.column(ct, ccn) if v is not None and v not in parent]
        if missing:
            problems.append(f"relationship {rel['parent']} -> {rel['child']}: {len(missing)} child values "
                            f"without a parent, e.g. {missing[0]!r}")
    return problems


# ---------------------------------------------------------------- every predefined dataset

@pytest.mark.parametrize("ds", DATASETS)
def test_equals_native_evaluator(engine, ds):
    problems = compare_with_eval(engine(ds))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("ds", DATASETS)
def test_properties(engine, ds):
    problems = check_properties(engine(ds))
    assert not problems, "\n".join(problems)


def test_compiled_code_equals_native_evaluator(spark, workdir):
    """The same with Spark's code generation (what a cluster runs), for one dataset."""
    compiled = dict(SESSION_SETTINGS)
    compiled["spark.sql.codegen.factoryMode"] = "CODEGEN_ONLY"
    compiled["spark.sql.codegen.wholeStage"] = "true"
    with settings(spark, compiled):
        out = workdir / "compiled.py"
        subprocess.run([_exe(), "--emit", "retail_oltp_small", str(TARGET_ROWS), str(out)], check=True)
        ns = load_program(out)
        tables = {spec["name"]: build(ns, spark, spec) for spec in ns["TABLE_SPECS"]}
        cfg = yaml.safe_load((REPO_ROOT / "datasets" / "retail_oltp_small.yaml").read_text())
        b = Built(ns, tables, cfg, "retail_oltp_small", workdir, "compiled", TARGET_ROWS)
        problems = compare_with_eval(b)
    assert not problems, "\n".join(problems)


def test_ranges_equal_the_whole_table(engine, session):
    """A value is a function of the row counter alone: building rows [start, stop) in pieces
    (notebook chunks, incremental days) gives the same rows, for plain and child tables."""
    b = engine("retail_oltp_small")
    for spec in b.ns["TABLE_SPECS"]:
        whole = b.tables[spec["name"]][1]
        stop = spec["parent"]["rows"] if spec["parent"] else spec["rows"]
        cut = stop // 3
        parts = build(b.ns, session, spec, 0, cut)[1] + build(b.ns, session, spec, cut, stop)[1]
        assert parts == whole, spec["name"]
        mid = build(b.ns, session, spec, cut, cut + 7)[1]
        assert [r[0] for r in mid] == expected_rows(spec, cut, cut + 7)


def test_no_python_udf(engine, session):
    """Only Spark SQL expressions: the plans hold no Python UDF of any kind."""
    b = engine("retail_oltp_small")
    for spec in b.ns["TABLE_SPECS"]:
        stop = spec["parent"]["rows"] if spec["parent"] else spec["rows"]
        plan = b.ns["build_table"](session, spec, 0, stop)._jdf.queryExecution().executedPlan().toString()
        for word in ("PythonUDF", "BatchEvalPython", "ArrowEvalPython", "MapInPandas", "FlatMapGroupsInPandas"):
            assert word not in plan, (spec["name"], word)


def test_session_settings_are_checked(engine, spark):
    b = engine("retail_oltp_small")
    spec = b.ns["TABLE_SPECS"][0]
    with settings(spark, {"spark.sql.ansi.enabled": "true", "spark.sql.session.timeZone": "UTC"}):
        with pytest.raises(RuntimeError, match="spark.sql.ansi.enabled must be false"):
            b.ns["build_table"](spark, spec, 0, 10)
    with settings(spark, {"spark.sql.ansi.enabled": "false", "spark.sql.session.timeZone": "Europe/Paris"}):
        with pytest.raises(RuntimeError, match="spark.sql.session.timeZone must be UTC"):
            b.ns["build_table"](spark, spec, 0, 10)


def test_runtime_helpers():
    ns = {"__name__": "spark_runtime"}
    exec(compile(RUNTIME.read_text(), str(RUNTIME), "exec"), ns)
    # a column is one level above the deepest earlier name it mentions in backquotes
    cols = [("__ig_a0", "array(1L, 2L)"), ("a", "`__row` + 1L"), ("b", "`a` * 2L"),
            ("c", "`__ig_a0`[CAST(`b` AS INT)]"), ("d", "concat('`b`', '')"), ("e", "`zz` + 1")]
    assert ns["column_levels"](cols) == [1, 1, 2, 3, 3, 1]
    assert ns["spark_type"]("varchar(40)") == "string" and ns["spark_type"]("decimal(10,2)") == "decimal(10,2)"

    class Ctx:
        defaultParallelism = 8

    class S:
        sparkContext = Ctx()

    assert ns["num_partitions"](S(), 300) == 1
    assert ns["num_partitions"](S(), 2_500_000) == 8
    assert ns["num_partitions"](S(), 50_000_000) == 50
    assert ns["_bigint"](-(2 ** 63)) == "(-9223372036854775807L - 1L)" and ns["_bigint"](-3) == "(-3L)"
    # build_table without columns= needs the generated program beside it
    with pytest.raises(RuntimeError, match="no SPARK_COLUMNS"):
        ns["build_table"](None, {"name": "t", "parent": None, "rows": 1, "columns": []}, 0, 1, check=False)


# ---------------------------------------------------------------- every generator and function

# Every generator and every expression function, with the edge cases of their definitions
# (the config of tests/e2e/test_numpy_engine.py, so both engines face the same cases).
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
      zmid: {type: int, generator: zipf, n: 3000, skew: 1.1}
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


def test_torture_equals_native_evaluator(engine, workdir):
    path = workdir / "torture.yaml"
    path.write_text(TORTURE)
    b = engine(str(path), tag="torture", rows=0)
    problems = compare_with_eval(b)
    assert not problems, "\n".join(problems)
    problems = check_properties(b)
    assert not problems, "\n".join(problems)


# The same with NULL literals in expressions and more NULL draws (the NULL rules of every op).
TORTURE_NULLS = TORTURE.replace(
    "u_dbl: {type: double, generator: uniform, min: -1.5, max: 2.5}",
    "u_dbl: {type: double, generator: uniform, min: -1.5, max: 2.5, null_probability: 0.3}").replace(
    "greatest(u_int, u_dec)", "greatest(u_int, u_dec, NULL)").replace(
    "coalesce(if(u_int > 0, u_dec, 0.5), 1.5)", "coalesce(u_dec, CAST(NULL AS decimal(9,2)), 1.5)").replace(
    "if(u_int > 0, expo, u_dbl / (poi - 4))", "if(u_int > 0, expo, NULL)")


def test_torture_nulls_equal_native_evaluator(engine, workdir):
    path = workdir / "torture_nulls.yaml"
    path.write_text(TORTURE_NULLS.replace("dataset_id: torture", "dataset_id: torture_nulls"))
    b = engine(str(path), tag="torture_nulls", rows=0)
    assert any(v is None for v in b.column("things", "e_unif"))
    problems = compare_with_eval(b)
    assert not problems, "\n".join(problems)
