"""End to end: the notebooks that `compile` writes, executed, and what they wrote checked.

For every predefined dataset (the files of datasets/, which must be exactly the ids of
`list-datasets` and `list-incremental-datasets`), at ROWS target rows:

- python mode: `compile -m python`, then `python notebook-content.py` in a child process with
  the project's venv (pandas/numpy/pyarrow/deltalake), no INGEN_FAB_OUTPUT_ROOT, started from
  another directory: the local lakehouse must appear under the compile root (the notebook
  finds it from its own location);
- pyspark mode: `compile -m pyspark`, then the notebook's source executed in this process with
  the shared local Spark of conftest.py as its `spark` (one JVM for all notebooks) and
  INGEN_FAB_OUTPUT_ROOT naming another root, which must win;
- native: `generate --execute --output-format delta` (the C runtime).

Then, on what they wrote (read back with deltalake, an independent reader):

- the run log under Files/synthetic_data/_runs/ and the row counts of the plan
  (`validate --json`);
- the schema equals the DDL: `compile -f ddl` scripts run on Spark in a scratch database, and
  each written table's columns (names, types) equal the created table's, from the Delta log of
  every engine and, for python mode, from the Arrow types of its Parquet files; the tables are
  partitioned as the DDL says;
- the config's promises (tests/e2e/checks.py): primary keys unique, foreign keys resolve
  (orphans at their configured rate), choice and bernoulli frequencies, moments of the
  numeric samplers, NULL rates, date and timestamp ranges and temporal weights, string shapes,
  sequences, date parts and YYYYMMDD keys recomputed in Python, values copied from referenced
  rows, dim_date keys that join the facts;
- one truth across engines (DESIGN section 5): python = pyspark and python = native, row by
  row in primary-key order, exactly, except the columns of transcendental samplers (and what is
  computed from them), within 1e-12 relative (datasets_meta.Dataset.transcendental).

Also: parquet and csv output modes of both notebooks hold the same rows as the Delta tables;
a small config of our own covers what the catalogue does not use (orphans, a zipf with n above
10000, shorthand columns, uniform generators); and the checks are shown to fail on broken data.

Spark is the slow part (a few seconds of planning per table of a large program, on a shared
two-core machine); `-k "not pyspark"` leaves it out while working on the rest.
"""

import datetime
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

import checks
import datasets_meta as dm
import fabric_rules as fr

ROWS = 3000                    # target rows of every run: the driving table has this many rows
DATASETS = dm.builtin_ids()
NOTEBOOK_DIR = "fabric_workspace_items/synthetic_data_generation"
TIMINGS = {}                   # (engine, dataset) -> seconds, printed at the end of the module


# ----------------------------------------------------------------------------------------------
# Running the engines (each run once per module; a failure is remembered and reported again)


class RunFailed(Exception):
    pass


def _compile(root, ds, mode, rows, *extra):
    p = dm.run_cli(["--fabric-workspace-repo-dir", root, "package", "synthetic-data", "compile",
                    "--dataset-id", ds, "--generation-mode", mode, "--target-rows", rows, *extra])
    if p.returncode != 0:
        raise RunFailed("compile %s -m %s -r %s %s failed (%d):\n%s" % (ds, mode, rows, " ".join(extra),
                                                                        p.returncode, p.stderr))
    notebooks = sorted(Path(root, NOTEBOOK_DIR).glob("*.Notebook/notebook-content.py"))
    if len(notebooks) != 1:
        raise RunFailed("compile %s -m %s wrote %d notebooks under %s" % (ds, mode, len(notebooks), root))
    return notebooks[0]


def lakehouse_of(root, ds_id):
    return Path(root) / "lakehouse" / ds_id


LOG_TABLE = "log_synthetic_data_generation"


def read_delta_tables(lakehouse):
    tables_dir = Path(lakehouse) / "Tables"
    if not tables_dir.is_dir():
        return {}
    # the package's log table (every run appends to it) is not a table of the dataset
    return {p.name: DeltaTable(str(p)).to_pyarrow_table() for p in sorted(tables_dir.iterdir())
            if (p / "_delta_log").is_dir() and p.name != LOG_TABLE}


def run_logs(lakehouse, engine):
    logs = sorted((Path(lakehouse) / "Files" / "synthetic_data" / "_runs").glob("*_%s_*.json" % engine))
    return [json.loads(p.read_text()) for p in logs]


class Run:
    def __init__(self, engine, ds_id, root, lakehouse, notebook=None, stdout=""):
        self.engine, self.ds_id, self.root, self.lakehouse = engine, ds_id, Path(root), Path(lakehouse)
        self.notebook, self.stdout = notebook, stdout
        self.tables = read_delta_tables(lakehouse)


# Delta bookkeeping that nothing here reads (file statistics, the .crc checksum file): off
# while the notebooks run, about a fifth of the time of writing a small table on this machine.
# The rows, the schema and the partitioning in the Delta log are the same either way.
NOTEBOOK_SESSION_SETTINGS = {
    "spark.databricks.delta.stats.collect": "false",
    "spark.databricks.delta.writeChecksumFile.enabled": "false",
}


def exec_pyspark_notebook(spark, notebook, output_root):
    """Executes a pyspark notebook's source in this process with `spark` as its session and
    INGEN_FAB_OUTPUT_ROOT set; restores the session settings the notebook changes."""
    saved_env = os.environ.get("INGEN_FAB_OUTPUT_ROOT")
    saved_conf = {k: spark.conf.get(k, None) for k in ("spark.sql.ansi.enabled", "spark.sql.session.timeZone",
                                                        "spark.sql.codegen.hugeMethodLimit",
                                                        *NOTEBOOK_SESSION_SETTINGS)}
    os.environ["INGEN_FAB_OUTPUT_ROOT"] = str(output_root)
    for k, v in NOTEBOOK_SESSION_SETTINGS.items():
        spark.conf.set(k, v)
    try:
        source = Path(notebook).read_text(encoding="utf-8")
        ns = {"spark": spark, "__file__": str(notebook), "__name__": "__main__"}
        exec(compile(source, str(notebook), "exec"), ns)
        return ns
    finally:
        if saved_env is None:
            os.environ.pop("INGEN_FAB_OUTPUT_ROOT", None)
        else:
            os.environ["INGEN_FAB_OUTPUT_ROOT"] = saved_env
        for k, v in saved_conf.items():
            if v is None:
                spark.conf.unset(k)
            else:
                spark.conf.set(k, v)


class Runs:
    """Compiles and runs each (engine, dataset) once; later tests reuse the outputs."""

    def __init__(self, workdir, created_tables=None):
        self.workdir = Path(workdir)
        self.cache = {}
        self.ddl_tables = {}     # statements of a table script -> {table: schema}, run once
        # CREATE TABLE statement -> datasets_meta.describe_table (+ "name"), shared with test_ddl.py
        self.created_tables = {} if created_tables is None else created_tables

    def _get(self, key, make):
        if key not in self.cache:
            t0 = time.time()
            try:
                self.cache[key] = make()
            except Exception as e:   # remembered: the next test that needs it fails the same way
                self.cache[key] = e if isinstance(e, RunFailed) else RunFailed("%s: %s: %s" % (key, type(e).__name__, e))
            TIMINGS[key] = time.time() - t0
        v = self.cache[key]
        if isinstance(v, Exception):
            raise v
        return v

    def python(self, ds, rows=ROWS, output_mode="table"):
        def make():
            root = self.workdir / ("python-%s-%s" % (output_mode, rows)) / Path(ds).stem
            nb = _compile(root, ds, "python", rows, "--output-mode", output_mode)
            cwd = self.workdir / "elsewhere"
            cwd.mkdir(exist_ok=True)
            p = subprocess.run([sys.executable, str(nb)], cwd=cwd, env=dm.clean_env(), capture_output=True,
                               text=True, timeout=900)
            if p.returncode != 0:
                raise RunFailed("python %s (%s) failed (%d):\n%s" % (nb, ds, p.returncode, p.stderr[-4000:]))
            ds_id = dm.load(ds).id
            return Run("python", ds_id, root, lakehouse_of(root, ds_id), nb, p.stdout)
        return self._get(("python", ds, rows, output_mode), make)

    def pyspark(self, spark, ds, rows=ROWS, output_mode="table"):
        def make():
            root = self.workdir / ("pyspark-%s-%s" % (output_mode, rows)) / Path(ds).stem
            nb = _compile(root, ds, "pyspark", rows, "--output-mode", output_mode)
            out_root = self.workdir / ("pyspark-out-%s-%s" % (output_mode, rows)) / Path(ds).stem
            exec_pyspark_notebook(spark, nb, out_root)
            return Run("pyspark", dm.load(ds).id, out_root, lakehouse_of(out_root, dm.load(ds).id), nb)
        return self._get(("pyspark", ds, rows, output_mode), make)

    def native(self, ds, rows=ROWS):
        def make():
            root = self.workdir / ("native-%s" % rows) / Path(ds).stem
            p = dm.run_cli(["--fabric-workspace-repo-dir", root, "package", "synthetic-data", "generate", ds,
                            "-r", rows, "--execute", "--output-format", "delta", "--no-include-ddl"])
            if p.returncode != 0:
                raise RunFailed("generate %s -r %s --execute failed (%d):\n%s" % (ds, rows, p.returncode, p.stderr))
            ds_id = dm.load(ds).id
            return Run("native", ds_id, root, lakehouse_of(root, ds_id), stdout=p.stdout)
        return self._get(("native", ds, rows), make)

    def helper_tables(self, ds, rows=ROWS):
        """Tables with `write: false`, computed by the python notebook's own program: its source
        executed in this process (INGEN_FAB_OUTPUT_ROOT pointing at a scratch root), then
        GENERATORS over row_counters (the notebook contract)."""
        def make():
            meta = dm.load(ds)
            hidden = [t for t in meta.tables.values() if not t.write]
            if not hidden:
                return {}
            nb = self.python(ds, rows).notebook
            scratch = self.workdir / "python-inproc" / Path(ds).stem
            saved = os.environ.get("INGEN_FAB_OUTPUT_ROOT")
            os.environ["INGEN_FAB_OUTPUT_ROOT"] = str(scratch)
            try:
                ns = {"__file__": str(nb), "__name__": "__main__"}
                exec(compile(Path(nb).read_text(encoding="utf-8"), str(nb), "exec"), ns)
            finally:
                if saved is None:
                    os.environ.pop("INGEN_FAB_OUTPUT_ROOT", None)
                else:
                    os.environ["INGEN_FAB_OUTPUT_ROOT"] = saved
            specs = {s["name"]: s for s in ns["TABLE_SPECS"]}
            out = {}
            for t in hidden:
                spec = specs[t.name]
                stop = spec["parent"]["rows"] if spec["parent"] else spec["rows"]
                out[t.name] = ns["GENERATORS"][t.name](ns["row_counters"](spec, 0, stop))
            return out
        return self._get(("helpers", ds, rows), make)

    def plan(self, ds, rows=ROWS):
        return self._get(("plan", ds, rows), lambda: dm.plan(ds, rows))

    def ddl(self, spark, ds, rows=ROWS):
        """{table: {"columns": [(name, type)], "nullable": [bool], "partitions": [...]}} of the
        lakehouse DDL of `compile -f ddl`, executed on Spark in a fresh database. Many datasets
        share table scripts statement for statement (small/large, incremental variants), and
        test_ddl.py runs every table script too: a script whose single CREATE TABLE already ran
        in this session (here or there: the `created_tables` fixture) is not run again, the
        description of its table is reused."""
        def make():
            root = self.workdir / "ddl" / Path(ds).stem
            p = dm.run_cli(["--fabric-workspace-repo-dir", root, "package", "synthetic-data", "compile",
                            "-d", ds, "-r", rows, "-e", "lakehouse", "-f", "ddl"])
            if p.returncode != 0:
                raise RunFailed("compile %s -f ddl failed (%d):\n%s" % (ds, p.returncode, p.stderr))
            ds_id = dm.load(ds).id
            scripts = sorted((root / "ddl_scripts" / "Lakehouses" / ds_id).rglob("*.sql"))
            if not scripts:
                raise RunFailed("compile %s -f ddl wrote no table scripts under %s" % (ds, root))
            out, todo = {}, []
            for script in scripts:
                statements = tuple(st.text for st in fr.split_statements(script.read_text(encoding="utf-8"),
                                                                       fr.LAKEHOUSE_DIALECT))
                if statements not in self.ddl_tables and len(statements) == 1 and statements[0] in self.created_tables:
                    d = self.created_tables[statements[0]]
                    self.ddl_tables[statements] = {d["name"]: _ddl_entry(d)}
                if statements in self.ddl_tables:
                    out.update(self.ddl_tables[statements])
                else:
                    todo.append(statements)
            if not todo:
                return out
            db = "e2e_nb_" + ds_id
            spark.sql("DROP DATABASE IF EXISTS %s CASCADE" % db)
            spark.sql("CREATE DATABASE %s" % db)
            spark.sql("USE %s" % db)
            try:
                for statements in todo:
                    before = {r.tableName for r in spark.sql("SHOW TABLES IN %s" % db).collect()}
                    for st in statements:
                        spark.sql(st)
                    created = {}
                    for r in spark.sql("SHOW TABLES IN %s" % db).collect():
                        if r.tableName in before:
                            continue
                        d = dm.describe_table(spark, "%s.%s" % (db, r.tableName))
                        created[r.tableName] = _ddl_entry(d)
                        if len(statements) == 1:
                            self.created_tables[statements[0]] = dict(d, name=r.tableName)
                    self.ddl_tables[statements] = created
                    out.update(created)
            finally:
                spark.sql("USE default")
                spark.sql("DROP DATABASE IF EXISTS %s CASCADE" % db)
            return out
        return self._get(("ddl", ds, rows), make)


def _ddl_entry(described):
    """The part of datasets_meta.describe_table that the schema tests compare."""
    return {"columns": [(n, t) for n, t, _ in described["columns"]],
            "nullable": [nl for _, _, nl in described["columns"]],
            "partitions": list(described["partitions"])}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, request, created_tables):
    r = Runs(tmp_path_factory.mktemp("notebooks"), created_tables)
    yield r
    # how long each engine took per dataset (compile included): the terminal summary shows it
    lines = ["%-8s %-7s %-42s %7.1f s" % (k[0], k[3] if len(k) > 3 else "", Path(k[1]).stem, v)
             for k, v in sorted(TIMINGS.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))
             if k[0] in ("python", "pyspark", "native")]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if lines and reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_sep("-", "test_notebooks: seconds per engine and dataset (compile included)")
            for line in lines:
                reporter.write_line(line)


def parents_for(runs, ds, tables, rows=ROWS):
    """The written tables plus the write: false ones, for foreign-key and join checks."""
    out = dict(tables)
    out.update(runs.helper_tables(ds, rows))
    return out


def check_run_log(run, meta, plan):
    problems = []
    logs = run_logs(run.lakehouse, run.engine)
    if len(logs) != 1:
        return ["%s %s: %d run logs under %s/Files/synthetic_data/_runs" % (run.engine, meta.id, len(logs), run.lakehouse)]
    log = logs[0]
    want = [(t, plan[t]["rows"]) for t in plan if meta.tables[t].write]
    got = [(e["table"], e["rows"]) for e in log["tables"]]
    if (log["dataset_id"], log["engine"]) != (meta.id, run.engine):
        problems.append("%s run log names %s/%s" % (run.engine, log["dataset_id"], log["engine"]))
    if got != want:
        problems.append("%s run log of %s lists %s, the plan %s" % (run.engine, meta.id, got, want))
    if log["rows"] != sum(r for _, r in want):
        problems.append("%s run log of %s: rows %s, the plan %d" % (run.engine, meta.id, log["rows"], sum(r for _, r in want)))
    return problems


# ----------------------------------------------------------------------------------------------
# The catalogue


def test_every_dataset_file_is_in_the_catalogue():
    assert DATASETS, "no datasets/*.yaml"
    assert dm.catalogue_ids() == DATASETS


# ----------------------------------------------------------------------------------------------
# python mode


@pytest.mark.parametrize("ds", DATASETS)
def test_python_notebook_runs_and_keeps_the_config(runs, ds):
    run = runs.python(ds)
    meta, plan = dm.load(ds), runs.plan(ds)
    # no INGEN_FAB_OUTPUT_ROOT: the lakehouse is under the compile root, not where it ran
    assert (run.root / "lakehouse" / meta.id / "Tables").is_dir(), "no lakehouse under the compile root"
    assert not (runs.workdir / "elsewhere" / "lakehouse").exists(), "wrote under the working directory"
    problems = check_run_log(run, meta, plan)
    problems += checks.check_all(meta, run.tables, plan, parents_for(runs, ds, run.tables))
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------------------------
# The native runtime (generate --execute) against the python notebook


@pytest.mark.parametrize("ds", DATASETS)
def test_native_runtime_equals_python_notebook(runs, ds):
    meta = dm.load(ds)
    plan = runs.plan(ds)
    trans = meta.transcendental({t: e["rows"] for t, e in plan.items()})
    py = runs.python(ds)
    nat = runs.native(ds)
    problems = check_run_log(nat, meta, plan)
    for name, t in meta.tables.items():
        if not t.write:
            continue
        if name not in nat.tables:
            problems.append("%s.%s: not written by the native runtime" % (meta.id, name))
            continue
        problems += checks.compare_engines(meta, name, py.tables[name], nat.tables[name], "python", "native",
                                           {c for (tn, c) in trans if tn == name}, t.primary_key)
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------------------------
# pyspark mode


@pytest.mark.parametrize("ds", DATASETS)
def test_pyspark_notebook_runs_and_keeps_the_config(runs, spark, ds):
    run = runs.pyspark(spark, ds)
    meta, plan = dm.load(ds), runs.plan(ds)
    # INGEN_FAB_OUTPUT_ROOT wins over the compile root
    assert run.lakehouse.is_dir(), "no lakehouse under INGEN_FAB_OUTPUT_ROOT %s" % run.root
    assert not (Path(run.notebook).parents[3] / "lakehouse").exists(), "wrote under the compile root"
    problems = check_run_log(run, meta, plan)
    problems += checks.check_all(meta, run.tables, plan, parents_for(runs, ds, run.tables))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("ds", DATASETS)
def test_pyspark_notebook_equals_python_notebook(runs, spark, ds):
    meta = dm.load(ds)
    plan = runs.plan(ds)
    trans = meta.transcendental({t: e["rows"] for t, e in plan.items()})
    py = runs.python(ds)
    sp = runs.pyspark(spark, ds)
    problems = []
    for name, t in meta.tables.items():
        if not t.write:
            continue
        if name not in sp.tables or name not in py.tables:
            problems.append("%s.%s: written by %s" % (meta.id, name, [r.engine for r in (py, sp) if name in r.tables]))
            continue
        problems += checks.compare_engines(meta, name, py.tables[name], sp.tables[name], "python", "pyspark",
                                           {c for (tn, c) in trans if tn == name}, t.primary_key)
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------------------------
# Schemas against the DDL


def delta_columns(path):
    schema = json.loads(DeltaTable(str(path)).schema().to_json())
    return [(f["name"], checks.delta_type_to_spark(f["type"])) for f in schema["fields"]]


def parquet_columns(path):
    files = DeltaTable(str(path)).file_uris()
    schema = pq.read_schema(files[0].replace("file://", ""))
    return [(f.name, checks.arrow_to_spark(f.type)) for f in schema]


def _schema_problems(meta, ddl, run, physical):
    problems = []
    for name, t in meta.tables.items():
        if not t.write:
            continue
        if name not in ddl:
            problems.append("%s.%s: no table in the DDL" % (meta.id, name))
            continue
        want = ddl[name]["columns"]
        path = run.lakehouse / "Tables" / name
        if not (path / "_delta_log").is_dir():
            problems.append("%s.%s: no Delta table written by %s" % (meta.id, name, run.engine))
            continue
        got = delta_columns(path)
        if got != want:
            problems.append("%s.%s: %s Delta schema %s differs from the DDL %s"
                            % (meta.id, name, run.engine, [c for c in got if c not in want], [c for c in want if c not in got]))
        if physical:
            parts = set(DeltaTable(str(path)).metadata().partition_columns)
            got = [c for c in parquet_columns(path)]
            want_files = [c for c in want if c[0] not in parts]
            if got != want_files:
                problems.append("%s.%s: %s Parquet (Arrow) schema %s differs from the DDL %s"
                                % (meta.id, name, run.engine, [c for c in got if c not in want_files],
                                   [c for c in want_files if c not in got]))
    extra = sorted(set(ddl) - {n for n, t in meta.tables.items() if t.write})
    if extra:
        problems.append("%s: the DDL creates tables that are not written: %s" % (meta.id, extra))
    return problems


@pytest.mark.parametrize("ds", DATASETS)
def test_written_schemas_equal_the_ddl(runs, spark, ds):
    """Column names and Spark types of every written Delta table (python: also the Arrow types
    of its Parquet files) equal those of the table the lakehouse DDL creates on Spark."""
    meta = dm.load(ds)
    ddl = runs.ddl(spark, ds)
    problems = _schema_problems(meta, ddl, runs.python(ds), physical=True)
    problems += _schema_problems(meta, ddl, runs.native(ds), physical=False)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("ds", DATASETS)
def test_pyspark_schemas_equal_the_ddl(runs, spark, ds):
    meta = dm.load(ds)
    problems = _schema_problems(meta, runs.ddl(spark, ds), runs.pyspark(spark, ds), physical=False)
    assert not problems, "\n".join(problems)


def _partition_problems(meta, ddl, run):
    problems = []
    for name, t in meta.tables.items():
        if not t.write or name not in ddl:
            continue
        path = run.lakehouse / "Tables" / name
        if not (path / "_delta_log").is_dir():
            continue
        got = list(DeltaTable(str(path)).metadata().partition_columns)
        want = ddl[name]["partitions"]
        if got != want or want != meta.partition_columns(name):
            problems.append("%s.%s: %s partitions the Delta table by %s; the DDL by %s; the config says %s"
                            % (meta.id, name, run.engine, got, want, meta.partition_columns(name)))
    return problems


@pytest.mark.parametrize("ds", DATASETS)
def test_partitioning_equals_the_ddl(runs, spark, ds):
    """Tables are partitioned as the DDL creates them (PARTITIONED BY, from partition_columns)."""
    meta = dm.load(ds)
    ddl = runs.ddl(spark, ds)
    problems = _partition_problems(meta, ddl, runs.python(ds)) + _partition_problems(meta, ddl, runs.native(ds))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("ds", DATASETS)
def test_pyspark_partitioning_equals_the_ddl(runs, spark, ds):
    meta = dm.load(ds)
    problems = _partition_problems(meta, runs.ddl(spark, ds), runs.pyspark(spark, ds))
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------------------------
# Output modes: parquet and csv files hold the rows of the Delta tables


FILE_DATASETS = ["retail_oltp_small", "observability_events_small"]


def read_files(lakehouse, ds_id, fmt, table, schema):
    folder = Path(lakehouse) / "Files" / "synthetic_data" / ds_id / fmt / table
    if not folder.is_dir():
        raise AssertionError("no folder %s" % folder)
    if fmt == "parquet":
        return pads.dataset(str(folder), format="parquet", partitioning="hive").to_table()
    files = sorted(p for p in folder.rglob("*.csv"))
    if not files:
        raise AssertionError("no .csv files in %s" % folder)
    parts = []
    for f in files:
        opts = pa_csv.ConvertOptions(column_types={fl.name: fl.type for fl in schema},
                                     strings_can_be_null=True, quoted_strings_can_be_null=False,
                                     null_values=[""])
        parts.append(pa_csv.read_csv(str(f), convert_options=opts))
    return pa.concat_tables(parts)


def _compare_files(meta, delta_run, file_run, fmt, plan):
    problems = []
    trans = meta.transcendental({t: e["rows"] for t, e in plan.items()})
    for name, t in meta.tables.items():
        if not t.write:
            continue
        want = delta_run.tables[name]
        try:
            got = read_files(file_run.lakehouse, meta.id, fmt, name, want.schema)
        except (AssertionError, pa.ArrowInvalid) as e:
            problems.append("%s.%s: %s %s files: %s" % (meta.id, name, file_run.engine, fmt, e))
            continue
        parts = meta.partition_columns(name)
        moved = [c for c in want.column_names if c not in parts] + parts   # partition folders come last
        if got.column_names not in (want.column_names, moved):
            problems.append("%s.%s: %s %s files have the columns %s, the table %s"
                            % (meta.id, name, file_run.engine, fmt, got.column_names, want.column_names))
            continue
        # files carry their own physical types (CSV none, Spark's Parquet INT96 timestamps):
        # compare as the Delta table's types, in the table's column order
        got = pa.table([pc.cast(got.column(c), want.schema.field(c).type) for c in want.column_names],
                       names=want.column_names)
        problems += checks.compare_engines(meta, name, want, got, "%s delta" % delta_run.engine,
                                           "%s %s" % (file_run.engine, fmt),
                                           {c for (tn, c) in trans if tn == name}, t.primary_key)
    return problems


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("ds", FILE_DATASETS)
def test_python_file_outputs_hold_the_table_rows(runs, ds, fmt):
    meta, plan = dm.load(ds), runs.plan(ds)
    run = runs.python(ds, output_mode=fmt)
    # the only table a file run writes is the package's log table
    assert sorted(p.name for p in (run.lakehouse / "Tables").iterdir()) == [LOG_TABLE], \
        "output mode %s wrote Delta tables" % fmt
    problems = check_run_log(run, meta, plan)
    problems += _compare_files(meta, runs.python(ds), run, fmt, plan)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_pyspark_file_outputs_hold_the_table_rows(runs, spark, fmt):
    ds = "observability_events_small"
    meta, plan = dm.load(ds), runs.plan(ds)
    run = runs.pyspark(spark, ds, output_mode=fmt)
    # the only table a file run writes is the package's log table
    assert sorted(p.name for p in (run.lakehouse / "Tables").iterdir()) == [LOG_TABLE], \
        "output mode %s wrote Delta tables" % fmt
    problems = check_run_log(run, meta, plan)
    problems += _compare_files(meta, runs.python(ds), run, fmt, plan)
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------------------------
# A config of our own: what the catalogue does not exercise


OWN_CONFIG = """\
dataset_id: e2e_notebooks_extra
dataset_name: End-to-end extras
dataset_type: transactional
schema_pattern: oltp
domain: testing
target_rows: 1000
seed: 20240607
tables:
  accounts:
    rows: target_rows / 10
    primary_key: account_id
    columns:
      account_id: {type: bigint, generator: sequence, start: 1000, step: 7}
      account_code: {type: string, generator: sequence, prefix: 'AC-', width: 6}
      owner: {type: string, generator: full_name}
      opened: {type: date, generator: uniform, min: 2021-01-01, max: 2023-12-31}
      tier: {type: 'varchar(8)', generator: choice, values: [gold, silver, bronze]}
      score: {type: double, generator: uniform, min: -2.5, max: 7.5}
      balance: {type: 'decimal(12,2)', generator: normal, mean: 2500, stddev: 900, min: 0}
  branches:
    rows: 60
    primary_key: branch_no
    columns:
      branch_no: {type: int, generator: sequence, start: 1}
      branch_code: {type: 'varchar(4)', generator: pattern, pattern: '[A-Z]{2}\\d{2}', unique: true}
  events:
    primary_key: event_id
    columns:
      event_id: {type: bigint, generator: sequence}
      account_id: {type: bigint, generator: reference, references: accounts.account_id, orphan_probability: 0.1}
      fav_branch: {type: int, generator: reference, references: branches.branch_no, distribution: zipf, skew: 1.3}
      branch: {type: string, generator: reference, references: branches.branch_code, orphan_probability: 0.2, null_probability: 0.1}
      tier: {type: string, expr: "accounts.tier"}
      user_rank: {type: bigint, generator: zipf, n: 50000, skew: 1.2}
      small_rank: {type: int, generator: zipf, n: 40, skew: 0.9}
      wait_s: {type: double, generator: exponential, rate: 0.25}
      amount: {type: 'decimal(10,2)', generator: lognormal, mean: 3, sigma: 0.7, max: 5000}
      visits: {type: int, generator: poisson, lambda: 6.5}
      n_items: int
      ratio: double
      price: 'decimal(6,2)'
      flag: boolean
      day: date
      at: timestamp
      note: string
      burst_ts: {type: timestamp, generator: timestamp, start: 2024-11-01, end: 2024-12-31,
                 hourly: {"08-12": 2, "18": 4, default: 0.5}, weekday: {saturday: 3, sunday: 0.2},
                 seasonal: {black_friday: 6, "12-20..01-05": 2}}
      event_day: {type: int, expr: "year(burst_ts) * 10000 + month(burst_ts) * 100 + dayofmonth(burst_ts)"}
      event_week: {type: int, expr: "weekofyear(burst_ts)"}
      event_dow: {type: int, expr: "dayofweek(burst_ts)"}
      label: {type: string, expr: "concat(upper(tier), '-', cast(visits AS string))"}
      scaled: {type: double, expr: "wait_s * 2 + score_of"}
      score_of: {type: double, expr: "accounts.score"}
      contact: {type: string, generator: email, domains: [corp.test]}
      phone: {type: string, generator: phone}
      uid: {type: string, generator: uuid}
      sentence: {type: string, generator: sentence, min_words: 2, max_words: 5}
  event_lines:
    parent: events
    per_parent: {min: 0, max: 4}
    columns:
      event_id: {type: bigint, expr: "parent.event_id"}
      line_no: {type: int, expr: "child_index + 1"}
      line_of: {type: int, expr: "child_count"}
      visits: {type: int, expr: "parent.visits"}
relationships:
  - {parent: branches.branch_no, child: events.fav_branch, type: one_to_many}
"""

OWN_ROWS = 4000


@pytest.fixture(scope="module")
def own_config(tmp_path_factory):
    path = tmp_path_factory.mktemp("own_config") / "e2e_notebooks_extra.yaml"
    path.write_text(OWN_CONFIG)
    return str(path)


def test_own_config_python_and_native(runs, own_config):
    meta, plan = dm.load(own_config), runs.plan(own_config, OWN_ROWS)
    py = runs.python(own_config, OWN_ROWS)
    problems = check_run_log(py, meta, plan)
    problems += checks.check_all(meta, py.tables, plan, py.tables)
    trans = meta.transcendental({t: e["rows"] for t, e in plan.items()})
    nat = runs.native(own_config, OWN_ROWS)
    for name, t in meta.tables.items():
        problems += checks.compare_engines(meta, name, py.tables[name], nat.tables.get(name, py.tables[name].slice(0, 0)),
                                           "python", "native", {c for (tn, c) in trans if tn == name}, t.primary_key)
    assert not problems, "\n".join(problems)


def test_own_config_pyspark(runs, spark, own_config):
    meta, plan = dm.load(own_config), runs.plan(own_config, OWN_ROWS)
    sp = runs.pyspark(spark, own_config, OWN_ROWS)
    py = runs.python(own_config, OWN_ROWS)
    problems = check_run_log(sp, meta, plan)
    problems += checks.check_all(meta, sp.tables, plan, sp.tables)
    trans = meta.transcendental({t: e["rows"] for t, e in plan.items()})
    for name, t in meta.tables.items():
        if name in sp.tables:
            problems += checks.compare_engines(meta, name, py.tables[name], sp.tables[name], "python", "pyspark",
                                               {c for (tn, c) in trans if tn == name}, t.primary_key)
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------------------------
# The checks fail on broken data


def _replace(table, name, new_values, typ=None):
    i = table.column_names.index(name)
    return table.set_column(i, name, pa.array(new_values, type=typ or table.schema.field(name).type))


def test_checks_find_broken_data(runs, own_config):
    """Each deliberate break of good output is reported by the check meant to find it."""
    meta, plan = dm.load(own_config), runs.plan(own_config, OWN_ROWS)
    good = runs.python(own_config, OWN_ROWS).tables
    assert checks.check_all(meta, good, plan, good) == [], "the unbroken output must pass"
    ev, acc, lines = good["events"], good["accounts"], good["event_lines"]

    def broken(table, t):
        tables = dict(good)
        tables[table] = t
        return "\n".join(checks.check_all(meta, tables, plan, tables))

    n = ev.num_rows
    vis = checks.values(ev, "visits")
    wait = checks.values(ev, "wait_s")
    amount = checks.values(ev, "amount")
    cases = {
        "rows": (lambda: broken("events", ev.slice(1)), "rows, the plan says"),
        "primary key": (lambda: broken("accounts", _replace(acc, "account_id", checks.values(acc, "account_id")[1:2] + checks.values(acc, "account_id")[1:])),
                        "primary key ['account_id'] not unique"),
        "foreign key": (lambda: broken("events", _replace(ev, "fav_branch", [-5] + checks.values(ev, "fav_branch")[1:])),
                        "events.fav_branch -> branches.branch_no: 1 of"),
        "orphan rate": (lambda: broken("events", _replace(ev, "account_id", [1000] * n)), "orphans in"),
        "choice frequency": (lambda: broken("accounts", _replace(acc, "tier", ["gold"] * (acc.num_rows // 2) + checks.values(acc, "tier")[acc.num_rows // 2:])),
                             "accounts.tier: 'gold'"),
        "choice value": (lambda: broken("accounts", _replace(acc, "tier", ["platinum"] + checks.values(acc, "tier")[1:])),
                         "not among the choices"),
        "mean": (lambda: broken("events", _replace(ev, "wait_s", [w * 1.15 for w in wait])), "events.wait_s: mean of values"),
        "stddev": (lambda: broken("events", _replace(ev, "visits", [6 + (v - 6) // 2 for v in vis])), "events.visits: stddev"),
        "lognormal": (lambda: broken("events", _replace(ev, "amount", [(a * Decimal("1.2")).quantize(Decimal("0.01"))
                                                                        if a < 300 else a for a in amount])),
                      "events.amount: mean of ln(value)"),
        "nulls": (lambda: broken("events", _replace(ev, "branch", [None] * (n // 2) + checks.values(ev, "branch")[n // 2:])),
                  "events.branch -> branches.branch_code: "),
        "range": (lambda: broken("accounts", _replace(acc, "opened", [datetime.date(2020, 12, 31)] + checks.values(acc, "opened")[1:])),
                  "accounts.opened: values 2020-12-31"),
        "weekday": (lambda: broken("events", _replace(ev, "burst_ts", [t - datetime.timedelta(days=1) if t.weekday() == 5 and t.day < 16 else t
                                                                        for t in checks.values(ev, "burst_ts")])),
                    "saturdays"),
        "hours": (lambda: broken("events", _replace(ev, "burst_ts", [t.replace(hour=3) if t.hour == 18 else t
                                                                      for t in checks.values(ev, "burst_ts")])),
                  "rows in hour 18"),
        "pattern": (lambda: broken("branches", _replace(good["branches"], "branch_code", ["a1"] + checks.values(good["branches"], "branch_code")[1:])),
                    "matches of"),
        "date part": (lambda: broken("events", _replace(ev, "event_week", [w % 52 + 1 for w in checks.values(ev, "event_week")])),
                      "events.event_week: "),
        "referenced value": (lambda: broken("events", _replace(ev, "tier", ["gold"] * n)), "events.tier: "),
        "per parent": (lambda: broken("event_lines", _replace(lines, "event_id", [checks.values(lines, "event_id")[0]] * 6
                                                                + checks.values(lines, "event_id")[6:])),
                       "child count outside per_parent"),
        "relationship nulls": (lambda: broken("events", _replace(ev, "fav_branch", [None] * 3 + checks.values(ev, "fav_branch")[3:])),
                               "the relationship's null_percentage is 0.0"),
        "sequence": (lambda: broken("accounts", _replace(acc, "account_code", ["AC-999999"] + checks.values(acc, "account_code")[1:])),
                     "not the sequence"),
    }
    missed = []
    for case, (make, expect) in cases.items():
        report = make()
        if expect not in report:
            missed.append("%s: expected a problem containing %r, got:\n  %s" % (case, expect, report.replace("\n", "\n  ") or "(none)"))
    assert not missed, "\n".join(missed)


def test_dim_date_check_finds_broken_keys(runs):
    ds = "retail_star_small"
    meta = dm.load(ds)
    good = runs.python(ds).tables
    assert checks.check_dim_date(meta, good) == []
    fact, dd = good["fact_sales"], good["dim_date"]
    keys = checks.values(fact, "date_key")
    tables = dict(good, fact_sales=_replace(fact, "date_key", [20301231] + keys[1:]))
    assert "fact_sales.date_key joins dim_date on date_key: 1 of" in "\n".join(checks.check_dim_date(meta, tables))
    tables = dict(good, dim_date=dd.filter(pc.not_equal(dd.column("date_key"), keys[0])))
    report = "\n".join(checks.check_dim_date(meta, tables))
    assert "days not consecutive" in report and "find no day" in report
    shifted = _replace(dd, "date_key", [k + 1 if k == keys[0] else k for k in checks.values(dd, "date_key")])
    assert "date_keys are not YYYYMMDD" in "\n".join(checks.check_dim_date(meta, dict(good, dim_date=shifted)))


def test_engine_comparison_finds_differences(runs, own_config):
    meta = dm.load(own_config)
    good = runs.python(own_config, OWN_ROWS).tables["events"]
    trans = {"wait_s", "amount", "scaled"}
    same = checks.compare_engines(meta, "events", good, good, "a", "b", trans, ["event_id"])
    assert same == []
    wait = checks.values(good, "wait_s")
    # the last bit of a transcendental double is allowed to differ; more than 1e-12 is not
    nudged = _replace(good, "wait_s", [w * (1 + 2 ** -52) for w in wait])
    assert checks.compare_engines(meta, "events", good, nudged, "a", "b", trans, ["event_id"]) == []
    moved = _replace(good, "wait_s", [w * (1 + 1e-9) for w in wait])
    assert "events.wait_s" in "\n".join(checks.compare_engines(meta, "events", good, moved, "a", "b", trans, ["event_id"]))
    # an exact column may not differ at all, and rows are matched by key, not by position
    flipped = _replace(good, "flag", [not checks.values(good, "flag")[0]] + checks.values(good, "flag")[1:])
    assert "events.flag: 1 of" in "\n".join(checks.compare_engines(meta, "events", good, flipped, "a", "b", trans, ["event_id"]))
    shuffled = good.take(pa.array(list(range(good.num_rows))[::-1]))
    assert checks.compare_engines(meta, "events", good, shuffled, "a", "b", trans, ["event_id"]) == []
