"""
`generate --execute --engine python|pyspark`: the compiled notebook run by the CLI with the
local Python or Spark, with the native engine's one-line summary and --json object.

- python engine on retail_oltp_small at 200 target rows: exit 0, the summary line, the Delta
  tables written under the output root and readable by deltalake, the row counts of the native
  engine for the same options, and every value equal to the native engine's, table by table
  (sorted by the first column, then the other exact columns; columns of transcendental
  samplers, and what is computed from them, within 1e-12 relative in doubles: DESIGN section 5);
  --json gives the run summary object, which agrees with the run log the notebook wrote;
- pyspark engine on a tiny dataset of our own, with the Delta jars of .deps/jars (or
  INGEN_FAB_JARS_DIR) in INGEN_FAB_SPARK_JARS: the same checks (slow: one JVM start);
- failures: an interpreter that fails (/bin/false, a script that writes to stderr and exits 3),
  one that cannot be started, a notebook that writes no run log, and an interrupted run
  (SIGINT to ingen_fab reaches the notebook) exit 1 with a clear message; the pyspark engine
  without jars, with a folder of no jars or a missing jar exits 2 naming INGEN_FAB_SPARK_JARS
  or --spark-jars, before anything is written; options the notebooks cannot honour exit 2.

Run: INGEN_FAB_BIN=build-x/ingen_fab INGEN_FAB_PYTHON=.venv/bin/python .venv/bin/python -m pytest tests/cli/test_generate_engines.py
"""
import glob
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = str(Path(os.environ.get("INGEN_FAB_BIN", ROOT / "build" / "ingen_fab")).resolve())
GROUP = ["package", "synthetic-data"]
# Variables the binary or the notebooks read; removed from the environment of every run.
OUR_ENV = ["SCALE_FACTOR", "BATCH_SIZE", "OUTPUT_PATH", "FABRIC_WORKSPACE_REPO_DIR",
           "FABRIC_ENVIRONMENT", "INGEN_FAB_DATASETS", "INGEN_FAB_OUTPUT_ROOT",
           "INGEN_FAB_SPARK_JARS", "INGEN_FAB_SPARK_MASTER", "INGEN_FAB_PYTHON", "PYSPARK_SUBMIT_ARGS"]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = os.environ.get("INGEN_FAB_PYTHON") or (str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable)
JARS_DIR = Path(os.environ.get("INGEN_FAB_JARS_DIR", ROOT / ".deps" / "jars"))

# Which columns may differ in their last bits between engines: the e2e tests' reading of a config.
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
import datasets_meta as dm  # noqa: E402

deltalake = pytest.importorskip("deltalake")

SUMMARY = re.compile(r"^(?P<id>\w+): (?P<n>\d+) tables?, (?P<rows>\d+) rows in (?P<secs>[0-9.]+) s"
                     r"( \(\d+ rows/s\))?, (?P<fmt>delta|parquet|csv), (?P<engine>\w+) engine"
                     r"(, (?P<threads>\d+) threads?)?, peak \d+ MB -> (?P<lakehouse>\S+)$")

TINY = """\
dataset_id: tiny_engines
dataset_name: Tiny engines
dataset_type: transactional
schema_pattern: oltp
domain: retail
target_rows: 30
seed: 7
tables:
  customers:
    rows: 10
    primary_key: customer_id
    columns:
      customer_id: {type: bigint, generator: sequence, start: 1}
      first_name: {type: string, generator: first_name}
      age: {type: int, generator: normal, mean: 40, stddev: 12, min: 18, max: 90}
      segment: {type: string, generator: choice, values: {Premium: 0.2, Standard: 0.5, Basic: 0.3}}
  orders:
    rows: target_rows
    primary_key: order_id
    columns:
      order_id: {type: bigint, generator: sequence, start: 100}
      customer_id: {type: bigint, generator: reference, references: customers.customer_id}
      amount: {type: 'decimal(18,2)', generator: lognormal, mean: 3.5, sigma: 0.6}
      weight: {type: double, generator: exponential, rate: 0.5}
      order_ts: {type: timestamp, generator: timestamp, start: 2024-01-01, end: 2024-03-31}
      ship_date: {type: date, expr: "date_add(to_date(order_ts), uniform_int(1, 5))"}
      code: {type: string, generator: pattern, pattern: 'OR-[A-Z]{2}[0-9]{3}', null_probability: 0.1}
"""


def run(*args, root=None, env=None, timeout=600):
    full_env = {k: v for k, v in os.environ.items() if k not in OUR_ENV}
    full_env.update(env or {})
    pre = ["--fabric-workspace-repo-dir", str(root)] if root is not None else []
    return subprocess.run([BIN] + pre + GROUP + [str(a) for a in args], capture_output=True,
                          text=True, env=full_env, timeout=timeout)


@pytest.fixture(scope="module", autouse=True)
def binary_exists():
    if not Path(BIN).exists():
        pytest.fail(f"no binary at {BIN}; build it or set INGEN_FAB_BIN")


def read_tables(lakehouse):
    tables = Path(lakehouse) / "Tables"
    # the package's log table (every run appends to it) is not a table of the dataset
    return {p.name: deltalake.DeltaTable(str(p)).to_pyarrow_table() for p in sorted(tables.iterdir())
            if (p / "_delta_log").is_dir() and p.name != "log_synthetic_data_generation"}


def run_logs(lakehouse, engine):
    return sorted((Path(lakehouse) / "Files" / "synthetic_data" / "_runs").glob(f"*_{engine}_*.json"))


def _key(v):
    return (v is None, v if v is not None else 0)


def _close(a, b, rel=1e-12):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return a == b or abs(a - b) <= rel * max(abs(a), abs(b))
    return a == b


def compare_tables(name, a, b, label_a, label_b, trans_cols):
    """Equal rows: sorted by the first column (then the other exact columns, for ties),
    exact except transcendental columns (1e-12 relative in doubles; after rounding to an
    integer or decimal type, at most one value may differ)."""
    problems = []
    if a.num_rows != b.num_rows:
        return [f"{name}: {label_a} wrote {a.num_rows} rows, {label_b} {b.num_rows}"]
    if sorted(a.column_names) != sorted(b.column_names):
        return [f"{name}: columns differ: {label_a} {a.column_names}, {label_b} {b.column_names}"]
    cols = b.column_names
    order = [cols[0]] + [c for c in cols[1:] if c not in trans_cols]

    def rows(t):
        data = {c: t.column(c).to_pylist() for c in cols}
        recs = [tuple(data[c][i] for c in cols) for i in range(t.num_rows)]
        idx = [cols.index(c) for c in order]
        return sorted(recs, key=lambda r: tuple(_key(r[i]) for i in idx))

    ra, rb = rows(a), rows(b)
    for j, c in enumerate(cols):
        diff = [i for i in range(len(ra)) if not (ra[i][j] == rb[i][j] or
                                                 (c in trans_cols and _close(ra[i][j], rb[i][j])))]
        if c in trans_cols and not any(isinstance(ra[i][j], float) for i in diff) and len(diff) <= 1:
            continue
        if diff:
            i = diff[0]
            problems.append(f"{name}.{c}: {len(diff)} of {len(ra)} rows differ; first at sorted row {i}: "
                            f"{label_a} {ra[i][j]!r}, {label_b} {rb[i][j]!r}")
    return problems


def check_same_as_native(meta, engine_root, native_root, engine):
    lake_e = Path(engine_root) / "lakehouse" / meta.id
    lake_n = Path(native_root) / "lakehouse" / meta.id
    te, tn = read_tables(lake_e), read_tables(lake_n)
    assert sorted(te) == sorted(tn), (sorted(te), sorted(tn))
    trans = meta.transcendental()
    problems = []
    for name in tn:
        problems += compare_tables(name, te[name], tn[name], engine, "native",
                                   {c for (t, c) in trans if t == name})
    assert not problems, "\n".join(problems)
    return te, tn


def check_summary(r, ds_id, engine, root, n_tables, rows):
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 1, r.stdout
    m = SUMMARY.match(lines[0])
    assert m, lines[0]
    assert m["id"] == ds_id and m["engine"] == engine and m["fmt"] == "delta"
    assert int(m["n"]) == n_tables and int(m["rows"]) == rows
    assert Path(m["lakehouse"]) == (Path(root) / "lakehouse" / ds_id).resolve()
    return m


# ---------------------------------------------------------------------------------------------
# python


@pytest.fixture(scope="module")
def retail(tmp_path_factory):
    """retail_oltp_small at 200 target rows: the python engine (text, then --json) and the native."""
    base = tmp_path_factory.mktemp("retail")
    py_root, json_root, nat_root = base / "python", base / "python_json", base / "native"
    env = {"INGEN_FAB_PYTHON": PYTHON}
    py = run("generate", "retail_oltp_small", "-r", "200", "--execute", "--engine", "python",
             root=py_root, env=env)
    js = run("generate", "retail_oltp_small", "-r", "200", "--execute", "--engine", "python", "--json",
             root=json_root, env=env)
    nat = run("generate", "retail_oltp_small", "-r", "200", "--execute", "--json", root=nat_root)
    assert nat.returncode == 0, nat.stderr
    return {"python": (py_root, py), "json": (json_root, js), "native": (nat_root, nat),
            "native_doc": json.loads(nat.stdout)}


def test_python_engine_prints_the_summary(retail):
    root, r = retail["python"]
    nat = retail["native_doc"]
    m = check_summary(r, "retail_oltp_small", "python", root, len(nat["tables"]), nat["rows"])
    assert m["threads"] == "1"
    notebook = list(Path(root).glob("fabric_workspace_items/synthetic_data_generation/*.Notebook/notebook-content.py"))
    assert [p.parent.name for p in notebook] == ["synthetic_data_retail_oltp_small_small_python.Notebook"]
    assert list(Path(root).glob("ddl_scripts/Lakehouses/retail_oltp_small/*")), "the DDL is written too"


def test_python_engine_writes_what_native_writes(retail):
    root, _ = retail["python"]
    nat_root, _ = retail["native"]
    te, tn = check_same_as_native(dm.load("retail_oltp_small"), root, nat_root, "python")
    counts = {t["table"]: t["rows"] for t in retail["native_doc"]["tables"]}
    assert {n: t.num_rows for n, t in te.items()} == counts
    assert all(n > 0 for n in counts.values())


def test_python_engine_json_is_the_run_summary(retail):
    root, r = retail["json"]
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    nat = retail["native_doc"]
    lakehouse = (Path(root) / "lakehouse" / "retail_oltp_small").resolve()
    # the native object's keys, in its order, then what only a notebook run has
    assert list(doc) == list(nat) + ["notebook", "run_log", "process_seconds"]
    assert doc["engine"] == "python" and doc["output_mode"] == "table" and doc["output_format"] == "delta"
    assert doc["threads"] == 1 and doc["lakehouse"] == str(lakehouse)
    assert [t["table"] for t in doc["tables"]] == [t["table"] for t in nat["tables"]]
    assert [t["rows"] for t in doc["tables"]] == [t["rows"] for t in nat["tables"]]
    assert doc["rows"] == nat["rows"] == sum(t["rows"] for t in doc["tables"])
    for t in doc["tables"]:
        assert list(t) == ["table", "rows", "seconds", "rows_per_second", "path", "files", "bytes"]
        assert t["path"] == str(lakehouse / "Tables" / t["table"])
        parquet = [p for p in glob.glob(t["path"] + "/**/*.parquet", recursive=True)]
        assert t["files"] == len(parquet) >= 1
        assert t["bytes"] == sum(os.path.getsize(p) for p in parquet)
    # the run log the notebook wrote says the same
    logs = run_logs(lakehouse, "python")
    assert [str(p) for p in logs] == [doc["run_log"]]
    log = json.loads(logs[0].read_text())
    assert log["engine"] == "python" and log["rows"] == doc["rows"]
    assert [(t["table"], t["rows"], t["path"]) for t in log["tables"]] == \
           [(t["table"], t["rows"], t["path"]) for t in doc["tables"]]
    assert logs[0].name == f"retail_oltp_small_python_{doc['started']}.json"
    assert Path(doc["notebook"]).is_file() and doc["process_seconds"] >= doc["seconds"]


def test_python_engine_honours_output_format_and_tables(tmp_path):
    r = run("generate", "retail_oltp_small", "-r", "100", "--execute", "--engine", "python",
            "--output-format", "parquet", "--tables", "customers", "--json", "--no-include-ddl",
            root=tmp_path, env={"INGEN_FAB_PYTHON": PYTHON})
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["output_mode"] == "parquet" and doc["output_format"] == "parquet"
    assert [t["table"] for t in doc["tables"]] == ["customers"]
    folder = tmp_path / "lakehouse" / "retail_oltp_small" / "Files" / "synthetic_data" / "retail_oltp_small" / "parquet"
    assert [p.name for p in folder.iterdir()] == ["customers"]
    assert not (tmp_path / "ddl_scripts").exists()


# ---------------------------------------------------------------------------------------------
# pyspark


def test_pyspark_engine_runs_the_spark_notebook(tmp_path):
    jars = sorted(glob.glob(str(JARS_DIR / "*.jar")))
    if not any(Path(j).name.startswith("delta-spark") for j in jars):
        pytest.fail(f"no delta-spark jar in {JARS_DIR}: run tools/setup.sh --deps-only", pytrace=False)
    ds_dir = tmp_path / "datasets"
    ds_dir.mkdir()
    (ds_dir / "tiny_engines.yaml").write_text(TINY)
    spark_root, nat_root = tmp_path / "pyspark", tmp_path / "native"
    env = {"INGEN_FAB_PYTHON": PYTHON, "INGEN_FAB_SPARK_JARS": ",".join(jars)}
    r = run("generate", "tiny_engines", "--datasets-dir", ds_dir, "--execute", "--engine", "pyspark",
            "--threads", "1", root=spark_root, env=env, timeout=1200)
    nat = run("generate", "tiny_engines", "--datasets-dir", ds_dir, "--execute", "--json", root=nat_root)
    assert nat.returncode == 0, nat.stderr
    m = check_summary(r, "tiny_engines", "pyspark", spark_root, 2, 40)
    assert m["threads"] == "1"  # --threads 1 is local[1]
    assert "[Stage " not in r.stderr, "no Spark progress bars when stderr is not a terminal"
    check_same_as_native(dm.load(ds_dir / "tiny_engines.yaml"), spark_root, nat_root, "pyspark")
    logs = run_logs(spark_root / "lakehouse" / "tiny_engines", "pyspark")
    assert len(logs) == 1 and json.loads(logs[0].read_text())["rows"] == 40


def test_pyspark_engine_needs_jars(tmp_path):
    out = tmp_path / "out"
    r = run("generate", "retail_oltp_small", "-r", "10", "--execute", "--engine", "pyspark", root=out,
            env={"INGEN_FAB_PYTHON": PYTHON})
    assert r.returncode == 2
    assert r.stderr == ("ingen_fab: the pyspark engine needs the Delta Lake jars of a local Spark: set "
                        "INGEN_FAB_SPARK_JARS to their comma-separated paths, or pass --spark-jars DIR\n")
    assert r.stdout == "" and not out.exists()

    empty = tmp_path / "nojars"
    empty.mkdir()
    (empty / "README.txt").write_text("not a jar")
    r = run("generate", "retail_oltp_small", "-r", "10", "--execute", "--engine", "pyspark",
            "--spark-jars", empty, root=out, env={"INGEN_FAB_PYTHON": PYTHON})
    assert r.returncode == 2
    assert f"the --spark-jars folder '{empty}' holds no .jar file" in r.stderr
    assert not out.exists()

    r = run("generate", "retail_oltp_small", "-r", "10", "--execute", "--engine", "pyspark",
            "--spark-jars", tmp_path / "missing", root=out, env={"INGEN_FAB_PYTHON": PYTHON})
    assert r.returncode == 2
    assert f"cannot read the --spark-jars folder '{tmp_path / 'missing'}'" in r.stderr

    missing = tmp_path / "gone.jar"
    r = run("generate", "retail_oltp_small", "-r", "10", "--execute", "--engine", "pyspark", root=out,
            env={"INGEN_FAB_PYTHON": PYTHON, "INGEN_FAB_SPARK_JARS": str(missing)})
    assert r.returncode == 2
    assert f"INGEN_FAB_SPARK_JARS names '{missing}', which is not a file" in r.stderr
    assert not out.exists()


# ---------------------------------------------------------------------------------------------
# failures


def fake_python(tmp_path, body):
    """An executable that stands in for the interpreter (argv[1] is the notebook)."""
    p = tmp_path / "fake_python"
    p.write_text("#!/bin/sh\n" + body)
    p.chmod(0o755)
    return str(p)


def test_a_failing_notebook_exits_1(tmp_path):
    r = run("generate", "retail_oltp_small", "-r", "10", "--execute", "--engine", "python", root=tmp_path,
            env={"INGEN_FAB_PYTHON": "/bin/false"})
    assert r.returncode == 1
    assert re.fullmatch(r"ingen_fab: the python notebook '.*/notebook-content\.py' failed with exit status 1\n",
                        r.stderr), r.stderr
    assert r.stdout == ""

    boom = fake_python(tmp_path, 'echo "Traceback: boom in $1" >&2\nexit 3\n')
    r = run("generate", "retail_oltp_small", "-r", "10", "--execute", "--engine", "python", "--json",
            root=tmp_path, env={"INGEN_FAB_PYTHON": boom})
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert lines[0].startswith("Traceback: boom in ") and lines[0].endswith("/notebook-content.py")
    assert lines[1].endswith("failed with exit status 3") and len(lines) == 2
    assert r.stdout == ""


def test_an_interpreter_that_cannot_start_exits_1(tmp_path):
    r = run("generate", "retail_oltp_small", "-r", "10", "--execute", "--engine", "python", root=tmp_path,
            env={"INGEN_FAB_PYTHON": str(tmp_path / "no-such-python")})
    assert r.returncode == 1
    assert r.stderr == (f"ingen_fab: cannot run '{tmp_path / 'no-such-python'}': No such file or directory "
                        "(set INGEN_FAB_PYTHON to a Python with numpy, pyarrow and deltalake)\n")


def test_a_notebook_that_writes_no_run_log_exits_1(tmp_path):
    quiet = fake_python(tmp_path, "exit 0\n")
    r = run("generate", "retail_oltp_small", "-r", "10", "--execute", "--engine", "python", root=tmp_path,
            env={"INGEN_FAB_PYTHON": quiet})
    assert r.returncode == 1
    assert "ingen_fab: the python notebook exited with status 0 but wrote no run log " \
           "'retail_oltp_small_python_<time>.json' under '" in r.stderr
    assert r.stdout == ""


def test_a_malformed_run_log_exits_1(tmp_path):
    runs = tmp_path / "lakehouse" / "retail_oltp_small" / "Files" / "synthetic_data" / "_runs"
    bad = fake_python(tmp_path, f'mkdir -p "{runs}"\n'
                                f'echo \'{{"dataset_id": "retail_oltp_small", "engine": "python"}}\' '
                                f'> "{runs}/retail_oltp_small_python_$(date +%s).json"\n')
    r = run("generate", "retail_oltp_small", "-r", "10", "--execute", "--engine", "python", root=tmp_path,
            env={"INGEN_FAB_PYTHON": bad})
    assert r.returncode == 1
    assert re.search(r"ingen_fab: malformed run log '.*_runs/retail_oltp_small_python_\d+\.json': "
                     r"no 'output_mode' string", r.stderr), r.stderr


def test_sigint_reaches_the_notebook(tmp_path):
    started, got = tmp_path / "started", tmp_path / "got"
    slow = fake_python(tmp_path, f'trap \'echo INT > "{got}"; exit 130\' INT\n'
                                 f'touch "{started}"\n'
                                 'i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\n')
    env = {k: v for k, v in os.environ.items() if k not in OUR_ENV}
    env["INGEN_FAB_PYTHON"] = slow
    p = subprocess.Popen([BIN, "--fabric-workspace-repo-dir", str(tmp_path)] + GROUP +
                         ["generate", "retail_oltp_small", "-r", "10", "--execute", "--engine", "python"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for _ in range(600):
            if started.exists() or p.poll() is not None:
                break
            time.sleep(0.1)
        assert started.exists(), "the notebook did not start"
        p.send_signal(signal.SIGINT)   # to ingen_fab only: it passes it on
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 1, err
    assert got.read_text() == "INT\n"
    assert err == ("ingen_fab: interrupted by SIGINT: the python notebook stopped (exit status 130); "
                   "tables it had not finished were removed\n")
    assert out == ""


@pytest.mark.parametrize("args, message", [
    (["--generation-mode", "pyspark"],
     "ingen_fab: '--generation-mode pyspark' does not match '--engine python': the python engine "
     "runs the python notebook\n"),
    (["--output-format", "jsonl"],
     "ingen_fab: invalid value 'jsonl' for '--output-format' with '--engine python': the notebooks "
     "write delta, parquet or csv (jsonl is native only)\n"),
])
def test_options_the_notebooks_cannot_honour(tmp_path, args, message):
    r = run("generate", "retail_oltp_small", "-r", "10", "--execute", "--engine", "python", *args,
            root=tmp_path / "out", env={"INGEN_FAB_PYTHON": PYTHON})
    assert r.returncode == 2
    assert r.stderr == message
    assert not (tmp_path / "out").exists()


def test_config_errors_exit_2_before_running(tmp_path):
    r = run("generate", "retail_oltp_smal", "--execute", "--engine", "python", root=tmp_path / "out",
            env={"INGEN_FAB_PYTHON": "/bin/false"})
    assert r.returncode == 2
    assert "unknown dataset 'retail_oltp_smal' (did you mean 'retail_oltp_small'?)" in r.stderr
    assert not (tmp_path / "out").exists()
