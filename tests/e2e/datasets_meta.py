"""A dataset's config and plan as the end-to-end tests see them, read without the compiler.

The config is the dataset's YAML file read with PyYAML's BaseLoader: every scalar is text,
and each helper converts a value by what its key expects, as docs/config.md does ("a value's
meaning depends on what the key expects"). So `values: {on: 1, Y: 2}` stays the strings
'on' and 'Y', `1e6` is a number where a number is expected, and `2024-01-01` is a date only
where a date is expected. The plan (exact row counts, seeds) comes from the binary:
`ingen_fab package synthetic-data validate ID -r N --json`.

What is derived here and used by the checks (tests/e2e/checks.py):

- Column.generator and its parameters, with the bare-type shorthand expanded
  (`notes: string` is `word`, `flag: boolean` is `bernoulli` p 0.5, ...);
- the foreign keys of a dataset: every `reference` column and every declared relationship;
- which columns may differ in the last bits between engines (`Dataset.transcendental`):
  generators normal, lognormal and exponential, zipf with n > 10000, references with
  `distribution: zipf` into a parent of more than 10000 rows (docs/samplers.md,
  "Transcendental samplers"), and every `expr` that reads one of those, directly or through
  other expressions, `parent.x` or `<table>.x`.
"""

import datetime
import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DATASETS_DIR = REPO_ROOT / "datasets"
# Environment variables the binary reads: a test run must not inherit them by accident.
BINARY_ENV = ("SCALE_FACTOR", "BATCH_SIZE", "OUTPUT_PATH", "FABRIC_WORKSPACE_REPO_DIR",
              "FABRIC_ENVIRONMENT", "INGEN_FAB_DATASETS", "INGEN_FAB_OUTPUT_ROOT")
TRANSCENDENTAL_GENERATORS = ("normal", "lognormal", "exponential")
ZIPF_TABLE_LIMIT = 10000   # zipf up to this n is an exact table (docs/samplers.md)


def binary():
    """The ingen_fab binary: INGEN_FAB_BIN, else build/ingen_fab."""
    return str(Path(os.environ.get("INGEN_FAB_BIN", REPO_ROOT / "build" / "ingen_fab")).resolve())


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in BINARY_ENV}
    env.update(extra)
    return env


def run_cli(args, timeout=600, env=None):
    """Runs `ingen_fab ARGS` with a clean environment; returns the CompletedProcess."""
    return subprocess.run([binary()] + [str(a) for a in args], env=env or clean_env(),
                          capture_output=True, text=True, timeout=timeout)


def catalogue_ids():
    """Ids of `list-datasets --format json` and `list-incremental-datasets --format json`."""
    ids = []
    for cmd, key in (("list-datasets", "datasets"), ("list-incremental-datasets", "incremental_datasets")):
        p = run_cli(["package", "synthetic-data", cmd, "--format", "json"])
        if p.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (cmd, p.returncode, p.stderr))
        ids += [d["id"] for d in json.loads(p.stdout)[key]]
    return sorted(ids)


def builtin_ids():
    """The predefined datasets, from the files of datasets/ (the parametrisation of the tests)."""
    return sorted(p.stem for p in DATASETS_DIR.glob("*.yaml"))


def plan(dataset, target_rows):
    """The plan of `validate DATASET -r N --json`: {table: entry}, in plan order."""
    p = run_cli(["package", "synthetic-data", "validate", dataset, "-r", target_rows, "--json"])
    if p.returncode != 0:
        raise RuntimeError("validate %s failed (%d): %s" % (dataset, p.returncode, p.stderr))
    doc = json.loads(p.stdout)
    return {t["name"]: t for t in doc["tables"]}


# ----------------------------------------------------------------------------------------------
# Scalars, converted by what the key expects


def as_float(v):
    return float(str(v).replace("_", ""))


def as_int(v):
    s = str(v).replace("_", "")
    try:
        return int(s)
    except ValueError:
        f = float(s)
        if f != int(f):
            raise
        return int(f)


def as_bool(v):
    return str(v).lower() == "true"


def as_date(v):
    if isinstance(v, datetime.datetime):
        return v.date()
    if isinstance(v, datetime.date):
        return v
    return datetime.date.fromisoformat(str(v).strip()[:10])


def as_timestamp(v, end=False):
    """A date or timestamp parameter as a naive UTC datetime; a date as `end` is its 23:59:59."""
    s = str(v).strip().rstrip("Z")
    if len(s) == 10:
        d = datetime.date.fromisoformat(s)
        t = datetime.time(23, 59, 59) if end else datetime.time(0, 0, 0)
        return datetime.datetime.combine(d, t)
    return datetime.datetime.fromisoformat(s.replace("T", " "))


def norm_type(t):
    t = re.sub(r"\s+", "", str(t)).lower()
    return "decimal(10,0)" if t == "decimal" else t


def decimal_scale(t):
    m = re.fullmatch(r"decimal\((\d+),(\d+)\)", t)
    return int(m.group(2)) if m else None


def is_integer_type(t):
    return t in ("int", "bigint")


def is_numeric_type(t):
    return t in ("int", "bigint", "double") or t.startswith("decimal")


def is_string_type(t):
    return t == "string" or t.startswith("varchar") or t.startswith("char")


# ----------------------------------------------------------------------------------------------
# The model


@dataclass
class Column:
    table: str
    name: str
    type: str
    generator: str = None       # None for an expr column
    expr: str = None
    params: dict = field(default_factory=dict)   # raw text values (and lists / maps)
    null_probability: float = 0.0

    def p(self, key, default=None):
        return self.params.get(key, default)

    @property
    def qualified(self):
        return "%s.%s" % (self.table, self.name)


@dataclass
class Table:
    name: str
    columns: dict                 # name -> Column, in output order
    primary_key: list
    write: bool = True
    parent: str = None
    per_parent: tuple = None      # (min, max)
    partition_columns: list = None


@dataclass
class ForeignKey:
    child_table: str
    child_column: str
    parent_table: str
    parent_column: str
    source: str                   # 'reference' or 'relationship'
    null_percentage: float = None  # declared relationships only


@dataclass
class Dataset:
    id: str
    path: Path
    seed: int
    tables: dict                  # name -> Table, in config order
    relationships: list           # ForeignKey, declared
    output: dict
    raw: dict

    def column(self, table, column):
        return self.tables[table].columns[column]

    def foreign_keys(self):
        """Declared relationships, then the reference columns no relationship declares
        (docs/config.md: every undeclared reference adds its relationship implicitly)."""
        out = list(self.relationships)
        declared = {(r.child_table, r.child_column, r.parent_table, r.parent_column) for r in out}
        for t in self.tables.values():
            for c in t.columns.values():
                if c.generator == "reference":
                    pt, pc = str(c.p("references")).split(".")
                    if (t.name, c.name, pt, pc) not in declared:
                        out.append(ForeignKey(t.name, c.name, pt, pc, "reference"))
        return out

    def partition_columns(self, table):
        """A table's partition columns: its own list, else the dataset's that it has."""
        t = self.tables[table]
        if t.partition_columns is not None:
            return list(t.partition_columns)
        return [c for c in (self.output.get("partition_columns") or []) if c in t.columns]

    def transcendental(self, plan_rows=None):
        """{(table, column)} whose values may differ in the last bits between engines."""
        trans = set()
        for t in self.tables.values():
            for c in t.columns.values():
                g = c.generator
                if g in TRANSCENDENTAL_GENERATORS:
                    trans.add((t.name, c.name))
                elif g == "zipf" and as_int(c.p("n")) > ZIPF_TABLE_LIMIT:
                    trans.add((t.name, c.name))
                elif g == "reference" and str(c.p("distribution", "uniform")) == "zipf":
                    pt = str(c.p("references")).split(".")[0]
                    if plan_rows is None or plan_rows.get(pt, 0) > ZIPF_TABLE_LIMIT:
                        trans.add((t.name, c.name))
        changed = True
        while changed:
            changed = False
            for t in self.tables.values():
                for c in t.columns.values():
                    if (t.name, c.name) in trans:
                        continue
                    if any(dep in trans for dep in self.dependencies(t.name, c.name)):
                        trans.add((t.name, c.name))
                        changed = True
        return trans

    def dependencies(self, table, column):
        """(table, column) pairs a column's value is computed from: the columns an `expr`
        names (`x`, `parent.x`, `<table>.x`), `from` columns, and a reference's parent key."""
        t = self.tables[table]
        c = t.columns[column]
        deps = set()
        if c.expr is not None:
            for qual, name in expr_names(c.expr):
                if qual is None and name in t.columns:
                    deps.add((table, name))
                elif qual == "parent" and t.parent:
                    deps.add((t.parent, name))
                elif qual in self.tables:
                    deps.add((qual, name))
        for f in c.p("from") or []:
            deps.add((table, str(f)))
        if c.generator == "reference":
            pt, pc = str(c.p("references")).split(".")
            deps.add((pt, pc))
        return deps


_STRING_LITERAL = re.compile(r"'(?:[^']|'')*'")
_NAME = re.compile(r"\b([A-Za-z_]\w*)(\s*\.\s*([A-Za-z_]\w*))?(\s*\()?")


def expr_names(expr):
    """The names an expression reads: [(qualifier or None, name)]; function names and
    words inside string literals are left out."""
    text = _STRING_LITERAL.sub("''", expr)
    out = []
    for m in _NAME.finditer(text):
        if m.group(4) and not m.group(3):
            continue   # a function call
        if m.group(3):
            out.append((m.group(1), m.group(3)))
        else:
            out.append((None, m.group(1)))
    return out


# Shorthand: a column given as a bare type string (docs/config.md "Shorthand").
def _shorthand(ctype):
    if is_string_type(ctype):
        return "word", {}
    if ctype == "boolean":
        return "bernoulli", {"p": "0.5"}
    if ctype in ("int", "bigint"):
        return "uniform", {"min": "1", "max": "1000"}
    if ctype == "double":
        return "uniform", {"min": "0", "max": "1000"}
    if ctype.startswith("decimal"):
        m = re.fullmatch(r"decimal\((\d+),(\d+)\)", ctype)
        p, s = int(m.group(1)), int(m.group(2))
        top = min(Decimal(1000), Decimal(10) ** (p - s) - Decimal(1).scaleb(-s))
        return "uniform", {"min": "0", "max": str(top)}
    if ctype == "date":
        return "uniform", {"min": "2020-01-01", "max": "2024-12-31"}
    if ctype == "timestamp":
        return "uniform", {"min": "2020-01-01 00:00:00", "max": "2024-12-31 23:59:59"}
    raise ValueError("no shorthand for type %r" % ctype)


_COLUMN_KEYS = ("type", "generator", "expr", "null_probability", "description")


def _column(table, name, spec, types):
    if isinstance(spec, str):
        ctype = norm_type(spec)
        gen, params = _shorthand(ctype)
        return Column(table, name, ctype, gen, None, params, 0.0)
    spec = dict(spec)
    # {type: decimal(18,2)} in a flow map reaches YAML as 'decimal(18' plus a key '2)'.
    t = spec.get("type")
    if isinstance(t, str) and t.count("(") > t.count(")"):
        for k in list(spec):
            if re.fullmatch(r"\s*\d+\s*\)", k):
                t = t + "," + k.strip()
                del spec[k]
                break
    gen = spec.get("generator")
    expr = spec.get("expr")
    if t is None and gen == "reference":
        pt, pc = str(spec["references"]).split(".")
        t = types.get((pt, pc))
    ctype = norm_type(t) if t is not None else None
    params = {k: v for k, v in spec.items() if k not in _COLUMN_KEYS}
    nullp = as_float(spec.get("null_probability", 0))
    return Column(table, name, ctype, gen, expr, params, nullp)


def _keys(v):
    if v is None or v == "":
        return []
    return [str(v)] if isinstance(v, str) else [str(x) for x in v]


def load(dataset_id_or_path):
    """The dataset's config: an id of datasets/, or a path to a YAML file."""
    s = str(dataset_id_or_path)
    path = Path(s) if ("/" in s or s.endswith((".yaml", ".yml"))) else DATASETS_DIR / (s + ".yaml")
    with open(path, encoding="utf-8") as f:
        raw = yaml.load(f, Loader=yaml.BaseLoader)
    raw = {k: v for k, v in raw.items() if not k.startswith(("x-", "x_"))}
    # types of referenced columns first (a reference column may leave its type out)
    types = {}
    for tname, tspec in raw["tables"].items():
        for cname, cspec in (tspec.get("columns") or {}).items():
            if isinstance(cspec, str):
                types[(tname, cname)] = cspec
            elif isinstance(cspec, dict) and cspec.get("type"):
                types[(tname, cname)] = cspec["type"]
    tables = {}
    for tname, tspec in raw["tables"].items():
        cols = {}
        for cname, cspec in tspec["columns"].items():
            cols[cname] = _column(tname, cname, cspec, types)
        pp = tspec.get("per_parent")
        tables[tname] = Table(
            name=tname, columns=cols, primary_key=_keys(tspec.get("primary_key")),
            write=str(tspec.get("write", "true")).lower() != "false",
            parent=tspec.get("parent"),
            per_parent=(as_int(pp["min"]), as_int(pp["max"])) if pp else None,
            partition_columns=_keys(tspec["partition_columns"]) if "partition_columns" in tspec else None)
    rels = []
    for r in raw.get("relationships") or []:
        pt, pc = str(r["parent"]).split(".")
        ct, cc = str(r["child"]).split(".")
        rels.append(ForeignKey(ct, cc, pt, pc, "relationship", as_float(r.get("null_percentage", 0))))
    output = dict(raw.get("output") or {})
    if "partition_columns" in output:
        output["partition_columns"] = _keys(output["partition_columns"])
    return Dataset(id=raw["dataset_id"], path=path, seed=as_int(raw.get("seed", 42)), tables=tables,
                   relationships=rels, output=output, raw=raw)


# ----------------------------------------------------------------------------------------------
# Generator parameters, typed


def choice_items(col):
    """[(value text, probability)] of a choice column, in written order."""
    vals = col.p("values")
    if isinstance(vals, dict):
        items = [(str(k), as_float(w)) for k, w in vals.items()]
    else:
        items = [(str(v), 1.0) for v in vals]
    total = sum(w for _, w in items)
    return [(v, w / total) for v, w in items]


def hourly_weights(spec):
    """24 hour weights of a timestamp's `hourly` map (docs/config.md "Temporal weights")."""
    if not spec:
        return [1.0] * 24
    default = as_float(spec.get("default", 1))
    w = [None] * 24
    for k, v in spec.items():
        if k == "default":
            continue
        if "-" in k:
            a, b = (int(x) for x in k.split("-"))
        else:
            a, b = int(k), int(k) + 1
        for h in range(a, b):
            w[h] = as_float(v)
    return [default if x is None else x for x in w]


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SEASONAL_PERIODS = {
    "black_friday": ((11, 23), (11, 29)),
    "cyber_monday": ((11, 26), (12, 2)),
    "christmas_week": ((12, 19), (12, 25)),
    "new_year": ((12, 31), (1, 1)),
    "summer": ((6, 1), (8, 31)),
    "back_to_school": ((8, 15), (9, 15)),
}


def period_days(name):
    """((month, day), (month, day)) of a named period or an 'MM-DD..MM-DD' range."""
    if name in SEASONAL_PERIODS:
        return SEASONAL_PERIODS[name]
    a, b = name.split("..")
    return (int(a[:2]), int(a[3:5])), (int(b[:2]), int(b[3:5]))


def in_period(d, period):
    (m1, d1), (m2, d2) = period
    x = (d.month, d.day)
    if (m1, d1) <= (m2, d2):
        return (m1, d1) <= x <= (m2, d2)
    return x >= (m1, d1) or x <= (m2, d2)   # wraps the year


def day_weights(start, end, weekday=None, seasonal=None):
    """[(date, weight)] for every day of [start, end]: weekday weight times the multipliers
    of the seasonal periods covering the day."""
    wk = {d: 1.0 for d in WEEKDAYS}
    for k, v in (weekday or {}).items():
        wk[k] = as_float(v)
    periods = [(period_days(k), as_float(v)) for k, v in (seasonal or {}).items()]
    out = []
    d = start
    while d <= end:
        w = wk[WEEKDAYS[d.weekday()]]
        for p, m in periods:
            if in_period(d, p):
                w *= m
        out.append((d, w))
        d += datetime.timedelta(days=1)
    return out


def describe_table(spark, name):
    """What Spark's catalog says of a created table, from `DESCRIBE TABLE EXTENDED` (cheap:
    DESCRIBE DETAIL reconstructs the Delta snapshot, about two seconds a table here):
    {"columns": [(name, type, nullable)], "comments": {column: comment or None},
    "partitions": [...], "provider": "delta", "comment": table comment or None}. Types are
    the declared ones (varchar(n) stays varchar(n))."""
    fields = spark.table(name).schema.fields
    out = {"columns": [(f.name, f.metadata.get("__CHAR_VARCHAR_TYPE_STRING") or f.dataType.simpleString(), f.nullable)
                       for f in fields],
           "comments": {f.name: f.metadata.get("comment") for f in fields},
           "partitions": [], "provider": None, "comment": None}
    section = "columns"
    for r in spark.sql("DESCRIBE TABLE EXTENDED %s" % name).collect():
        key = r.col_name
        if key == "# Partition Information":
            section = "partitions"
        elif key == "# Detailed Table Information":
            section = "detail"
        elif key == "" or key.startswith("# "):
            if section == "partitions" and key == "":
                section = "after"
        elif section == "partitions":
            out["partitions"].append(key)
        elif section == "detail" and key == "Provider":
            out["provider"] = r.data_type
        elif section == "detail" and key == "Comment":
            out["comment"] = r.data_type
    return out
