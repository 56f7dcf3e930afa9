"""
Generic templates (docs/generic-templates.md): execute-with-parameters (one JSON answer, exit
codes 0/1/2, --custom-schema), compile-generic-templates (four dispatcher notebooks, --force), the
dispatchers run locally, and compile --enhanced.

Rows are compared with what the dataset's own commands write for the same parameters
(`generate --execute`, `generate-series --execute`, the compiled notebook run directly).

Run: INGEN_FAB_BIN=build-x/ingen_fab INGEN_FAB_PYTHON=.venv/bin/python .venv/bin/python -m pytest tests/cli/test_generic.py
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = str(Path(os.environ.get("INGEN_FAB_BIN", ROOT / "build" / "ingen_fab")).resolve())
GROUP = ["package", "synthetic-data"]
OUR_ENV = ["SCALE_FACTOR", "BATCH_SIZE", "OUTPUT_PATH", "FABRIC_WORKSPACE_REPO_DIR",
           "FABRIC_ENVIRONMENT", "INGEN_FAB_DATASETS", "INGEN_FAB_OUTPUT_ROOT",
           "INGEN_FAB_SPARK_JARS", "INGEN_FAB_SPARK_MASTER", "PYSPARK_SUBMIT_ARGS"]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = os.environ.get("INGEN_FAB_PYTHON") or (str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable)

pq = pytest.importorskip("pyarrow.parquet")
pa = pytest.importorskip("pyarrow")

GENERIC = "fabric_workspace_items/synthetic_data_generation/generic"

# A dataset described in no file: given inline to --custom-schema.
CUSTOM = {
    "dataset_id": "adhoc_people",
    "dataset_name": "Ad hoc people",
    "dataset_type": "transactional",
    "schema_pattern": "oltp",
    "domain": "test",
    "target_rows": 300,
    "seed": 7,
    "tables": {
        "people": {"rows": "target_rows", "primary_key": "person_id", "columns": {
            "person_id": {"type": "bigint", "generator": "sequence", "start": 1},
            "age": {"type": "int", "generator": "uniform", "min": 18, "max": 90},
            "segment": {"type": "string", "generator": "choice", "values": {"A": 0.5, "B": 0.3, "C": 0.2}},
        }},
        "visits": {"rows": "target_rows * 2", "columns": {
            "person_id": {"type": "bigint", "generator": "reference", "references": "people.person_id"},
            "visit_date": {"type": "date", "generator": "date", "start": "2024-01-01", "end": "2024-03-31"},
        }},
    },
}


def run(*args, env=None, root=None, cwd=None):
    e = {k: v for k, v in os.environ.items() if k not in OUR_ENV}
    e["INGEN_FAB_PYTHON"] = PYTHON
    if env:
        e.update(env)
    glob = ["--fabric-workspace-repo-dir", str(root)] if root else []
    return subprocess.run([BIN, *glob, *GROUP, *args], capture_output=True, text=True, env=e,
                          cwd=cwd, timeout=900)


def ewp(root, notebook, *args, env=None):
    return run("execute-with-parameters", notebook, *args, root=root, env=env)


def answer(r):
    """The one JSON document on stdout."""
    return json.loads(r.stdout)


def read_folder(path):
    """Every Parquet file under a folder (a Delta table or a files folder), as one sorted table."""
    files = sorted(p for p in Path(path).rglob("*.parquet") if "_delta_log" not in p.parts)
    assert files, f"no parquet under {path}"
    t = pa.concat_tables([pq.read_table(f) for f in files], promote_options="default")
    return t.sort_by([(c, "ascending") for c in t.column_names]).to_pylist()


def tables_under(lakehouse_files):
    return {p.name: read_folder(p) for p in sorted(Path(lakehouse_files).iterdir()) if p.is_dir()}


# ---- execute-with-parameters: single ----

def test_native_single_matches_generate_execute(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    r = ewp(a, "generic_single_dataset_lakehouse", "--dataset-id", "retail_oltp_small",
            "--target-rows", "800", "--seed", "11", "--output-mode", "parquet", "--engine", "native")
    assert r.returncode == 0, r.stderr
    doc = answer(r)
    assert doc["status"] == "ok" and doc["engine"] == "native"
    assert doc["dataset_id"] == "retail_oltp_small"
    assert doc["parameters"]["target_rows"] == 800 and doc["parameters"]["seed"] == 11
    assert doc["rows"] == sum(t["rows"] for t in doc["tables"]) > 800
    assert "error" not in doc
    r = run("generate", "retail_oltp_small", "--execute", "-r", "800", "-s", "11",
            "--output-format", "parquet", root=b)
    assert r.returncode == 0, r.stderr
    files = "lakehouse/retail_oltp_small/Files/synthetic_data/retail_oltp_small/parquet"
    got, want = tables_under(a / files), tables_under(b / files)
    assert list(got) == list(want) == [t["table"] for t in doc["tables"]] or set(got) == set(want)
    assert got == want
    for t in doc["tables"]:
        assert len(got[t["table"]]) == t["rows"]
        assert Path(t["path"]).is_dir()


def test_python_single_matches_generate_execute(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    r = ewp(a, "generic_single_dataset_lakehouse", "--dataset-id", "retail_oltp_small",
            "--target-rows", "600", "--output-mode", "parquet")
    assert r.returncode == 0, r.stderr
    doc = answer(r)
    assert doc["engine"] == "python"
    assert doc["compiled_notebook"] == "synthetic_data_retail_oltp_small_small_python"
    # the notebook was compiled into a scratch folder, not into the output root
    assert not (a / "fabric_workspace_items").exists()
    r = run("generate", "retail_oltp_small", "--execute", "-r", "600", "--output-format", "parquet",
            root=b)
    assert r.returncode == 0, r.stderr
    files = "lakehouse/retail_oltp_small/Files/synthetic_data/retail_oltp_small/parquet"
    assert tables_under(a / files) == tables_under(b / files)


def test_warehouse_single_writes_parquet_and_copy_into(tmp_path):
    for engine in ("native", "python"):
        root = tmp_path / engine
        r = ewp(root, "generic_single_dataset_warehouse", "--dataset-id", "retail_oltp_small",
                "--target-rows", "300", "--engine", engine)
        assert r.returncode == 0, r.stderr
        doc = answer(r)
        assert doc["parameters"]["output_mode"] == "parquet"
        files = root / "lakehouse/retail_oltp_small/Files/synthetic_data/retail_oltp_small"
        script = (files / "copy_into.sql").read_text()
        assert script.count("COPY INTO [dbo].") == len(doc["tables"]) == 6
        assert f"FROM '{files}/parquet/orders/*.parquet' WITH (FILE_TYPE = 'PARQUET');" in script
    base = "lakehouse/retail_oltp_small/Files/synthetic_data/retail_oltp_small/parquet"
    assert tables_under(tmp_path / "native" / base) == tables_under(tmp_path / "python" / base)


# ---- execute-with-parameters: series ----

def test_series_native_and_python_match_generate_series(tmp_path):
    common = ["--target-rows", "400", "--start-date", "2024-01-01", "--end-date", "2024-01-04",
              "--batch-size", "2", "--path-format", "nested_daily"]
    docs = {}
    for engine in ("native", "python"):
        r = ewp(tmp_path / engine, "generic_incremental_series_lakehouse", "--dataset-id",
                "retail_oltp_small_incremental", *common, "--engine", engine)
        assert r.returncode == 0, r.stderr
        docs[engine] = answer(r)
        assert docs[engine]["parameters"]["path_format"] == "nested_daily"
        assert docs[engine]["parameters"]["end_date"] == "2024-01-04"
    r = run("generate-series", "retail_oltp_small_incremental", "--execute", "-s", "2024-01-01",
            "-e", "2024-01-04", "-b", "2", "-p", "nested_daily", "-r", "400", root=tmp_path / "ref")
    assert r.returncode == 0, r.stderr
    assert docs["native"]["tables"][0]["rows"] == docs["python"]["tables"][0]["rows"]
    assert docs["native"]["rows"] == docs["python"]["rows"] > 0
    data = "lakehouse/retail_oltp_small_incremental/Files/synthetic_data/retail_oltp_small_incremental/parquet"
    ref = {str(p.relative_to(tmp_path / "ref" / data)): read_folder(p)
           for p in sorted((tmp_path / "ref" / data).rglob("*")) if p.is_dir() and any(p.glob("*.parquet"))}
    assert ref
    for engine in ("native", "python"):
        base = tmp_path / engine / data
        got = {str(p.relative_to(base)): read_folder(p)
               for p in sorted(base.rglob("*")) if p.is_dir() and any(p.glob("*.parquet"))}
        assert got == ref, engine


def test_series_needs_an_incremental_dataset_and_end_date(tmp_path):
    r = ewp(tmp_path, "generic_incremental_series_lakehouse", "--dataset-id", "retail_oltp_small")
    assert r.returncode == 2
    assert r.stderr == "ingen_fab: 'generic_incremental_series_lakehouse' needs --end-date\n"
    r = ewp(tmp_path, "generic_incremental_series_lakehouse", "--dataset-id", "retail_oltp_small",
            "--end-date", "2024-01-03", "--json")
    assert r.returncode == 2
    assert answer(r)["status"] == "invalid"
    assert "has no incremental section" in answer(r)["error"]
    assert not tmp_path.joinpath("lakehouse").exists()


# ---- --custom-schema ----

def test_custom_schema_inline_runs_like_a_config_file(tmp_path):
    text = json.dumps(CUSTOM, indent=2)
    r = ewp(tmp_path / "a", "generic_single_dataset_lakehouse", "--custom-schema", text,
            "--output-mode", "parquet", "--engine", "native")
    assert r.returncode == 0, r.stderr
    doc = answer(r)
    assert doc["dataset_id"] == "adhoc_people"
    assert doc["parameters"]["custom_schema"] is True
    assert [(t["table"], t["rows"]) for t in doc["tables"]] == [("people", 300), ("visits", 600)]
    # the same config as a file, through generate
    cfg = tmp_path / "adhoc_people.json"
    cfg.write_text(text)
    r = run("generate", str(cfg), "--execute", "--output-format", "parquet", root=tmp_path / "b")
    assert r.returncode == 0, r.stderr
    files = "lakehouse/adhoc_people/Files/synthetic_data/adhoc_people/parquet"
    assert tables_under(tmp_path / "a" / files) == tables_under(tmp_path / "b" / files)
    # @path reads the file; the python engine gives the same rows
    r = ewp(tmp_path / "c", "generic_single_dataset_lakehouse", "--custom-schema", f"@{cfg}",
            "--output-mode", "parquet")
    assert r.returncode == 0, r.stderr
    assert tables_under(tmp_path / "c" / files) == tables_under(tmp_path / "b" / files)


def test_custom_schema_with_a_bad_generator_is_a_config_error(tmp_path):
    bad = json.loads(json.dumps(CUSTOM))
    bad["tables"]["people"]["columns"]["age"]["generator"] = "uniformm"
    text = json.dumps(bad, indent=2)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if '"uniformm"' in s)
    col = text.splitlines()[line - 1].index('"uniformm"') + 1
    root = tmp_path / "out"
    r = ewp(root, "generic_single_dataset_lakehouse", "--custom-schema", text)
    assert r.returncode == 2
    assert r.stdout == ""
    assert (f"<custom-schema>:{line}:{col}: error: unknown generator 'uniformm' "
            "(did you mean 'uniform'?)") in r.stderr
    assert r.stderr.splitlines()[-1] == "ingen_fab: 1 error"
    assert not root.exists(), "a config error wrote output"
    r = ewp(root, "generic_single_dataset_lakehouse", "--custom-schema", text, "--json")
    assert r.returncode == 2
    doc = answer(r)
    assert doc["status"] == "invalid" and doc["tables"] == [] and doc["rows"] == 0
    assert doc["error"].startswith(f"<custom-schema>:{line}:{col}: error: unknown generator")
    assert not root.exists()


def test_custom_schema_usage_errors(tmp_path):
    r = ewp(tmp_path, "generic_single_dataset_lakehouse", "--custom-schema", "{x")
    assert r.returncode == 2
    assert r.stderr.startswith("ingen_fab: invalid value '{x' for '--custom-schema': not valid JSON")
    r = ewp(tmp_path, "generic_single_dataset_lakehouse", "--custom-schema", "{}",
            "--dataset-id", "retail_oltp_small")
    assert r.returncode == 2
    assert r.stderr == "ingen_fab: give --dataset-id or --custom-schema, not both\n"
    r = ewp(tmp_path, "generic_single_dataset_lakehouse")
    assert r.returncode == 2
    assert r.stderr == "ingen_fab: missing dataset: give --dataset-id or --custom-schema\n"
    r = ewp(tmp_path, "generic_single_dataset_lakehouse", "--custom-schema", f"@{tmp_path}/none.json")
    assert r.returncode == 2
    assert f"cannot read '{tmp_path}/none.json' (--custom-schema)" in r.stderr
    assert not tmp_path.joinpath("lakehouse").exists()


# ---- exit 1: the run failed ----

def test_a_failed_run_answers_failed_with_exit_1(tmp_path):
    r = ewp(tmp_path, "generic_single_dataset_lakehouse", "--dataset-id", "retail_oltp_small",
            "--target-rows", "100", "--engine", "python",
            env={"INGEN_FAB_PYTHON": str(tmp_path / "no-python")})
    assert r.returncode == 1
    doc = answer(r)
    assert doc["status"] == "failed" and doc["engine"] == "python"
    assert doc["error"] and doc["tables"] == []


@pytest.mark.parametrize("engine", ["native", "python"])
def test_series_warehouse_writes_parquet_and_copy_into_per_day(tmp_path, engine):
    r = ewp(tmp_path, "generic_incremental_series_warehouse", "--dataset-id",
            "retail_oltp_small_incremental", "--end-date", "2024-01-02", "--target-rows", "500",
            "--engine", engine)
    assert r.returncode == 0, r.stdout + r.stderr
    doc = answer(r)
    assert doc["status"] == "ok" and doc["engine"] == engine
    assert doc["parameters"]["target_environment"] == "warehouse"
    assert doc["parameters"]["output_mode"] == "parquet"
    if engine == "python":
        assert doc["compiled_notebook"].endswith("_python_warehouse")
    files = tmp_path / "lakehouse" / "retail_oltp_small_incremental" / "Files" / "synthetic_data" / \
        "retail_oltp_small_incremental"
    scripts = sorted(p.name for p in files.glob("copy_into_*.sql"))
    assert scripts == ["copy_into_20240101.sql", "copy_into_20240102.sql"]
    text = (files / "copy_into_20240102.sql").read_text()
    assert f"COPY INTO [dbo].[orders] FROM '{files.resolve()}/parquet/orders/2024/01/02/*.parquet'" in text
    assert doc["rows"] == sum(t["rows"] for t in doc["tables"]) > 0


def test_engine_and_generation_mode_must_agree(tmp_path):
    r = ewp(tmp_path, "generic_single_dataset_lakehouse", "--dataset-id", "retail_oltp_small",
            "--engine", "python", "--generation-mode", "pyspark")
    assert r.returncode == 2
    assert ("'--generation-mode pyspark' does not match '--engine python': the python engine runs "
            "the python notebook") in r.stderr


# ---- compile-generic-templates ----

NAMES = ["generic_single_dataset_lakehouse", "generic_single_dataset_warehouse",
         "generic_incremental_series_lakehouse", "generic_incremental_series_warehouse"]


def test_compile_generic_templates_writes_four_and_needs_force(tmp_path):
    r = run("compile-generic-templates", "--json", root=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = answer(r)
    assert doc["status"] == "ok"
    assert sorted(doc["files"]) == sorted(f"{GENERIC}/{n}.Notebook/{f}" for n in NAMES
                                          for f in ("notebook-content.py", ".platform"))
    for n in NAMES:
        nb = (tmp_path / GENERIC / f"{n}.Notebook" / "notebook-content.py").read_text()
        assert nb.startswith("# Fabric notebook source\n")
        assert "# PARAMETERS CELL ********************" in nb
        for p in ("dataset_id", "target_rows", "seed", "start_date", "end_date", "batch_size",
                  "output_mode", "path_format"):
            assert f"\n{p} = " in nb
        assert "notebookutils.notebook.run(" in nb
        platform = json.loads((tmp_path / GENERIC / f"{n}.Notebook" / ".platform").read_text())
        assert platform["metadata"] == {"type": "Notebook", "displayName": n,
                                        "description": platform["metadata"]["description"]}
    before = (tmp_path / GENERIC / f"{NAMES[0]}.Notebook" / ".platform").read_text()
    r = run("compile-generic-templates", root=tmp_path)
    assert r.returncode == 2
    assert "exist already: pass --force to overwrite" in r.stderr
    assert r.stdout == ""
    r = run("compile-generic-templates", "--force", "-t", "warehouse", "--template-type", "single",
            root=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("compiled 1 generic notebook into ")
    # the logicalId is stable
    assert (tmp_path / GENERIC / f"{NAMES[0]}.Notebook" / ".platform").read_text() == before


def run_dispatcher(root, name, *params):
    nb = root / GENERIC / f"{name}.Notebook" / "notebook-content.py"
    e = {k: v for k, v in os.environ.items() if k not in OUR_ENV}
    return subprocess.run([PYTHON, str(nb), *params], capture_output=True, text=True, env=e,
                          cwd=nb.parent, timeout=900)


def test_dispatcher_runs_the_compiled_variant_locally(tmp_path):
    ws = tmp_path / "ws"
    assert run("compile-generic-templates", "-t", "lakehouse", root=ws).returncode == 0
    # not compiled yet: the message names the command that compiles it
    r = run_dispatcher(ws, "generic_single_dataset_lakehouse", "dataset_id=retail_oltp_small",
                       "target_rows=700", "output_mode=parquet")
    assert r.returncode == 2
    assert ("no compiled notebook synthetic_data_retail_oltp_small_small_python in "
            f"{ws / 'fabric_workspace_items/synthetic_data_generation'}: compile it with "
            "'ingen_fab package synthetic-data compile -d retail_oltp_small -e lakehouse -m python -r 700'"
            ) in r.stderr
    r = run("compile", "-d", "retail_oltp_small", "-e", "lakehouse", "-m", "python", "-r", "700",
            "--no-include-ddl", root=ws)
    assert r.returncode == 0, r.stderr
    r = run_dispatcher(ws, "generic_single_dataset_lakehouse", "dataset_id=retail_oltp_small",
                       "target_rows=700", "output_mode=parquet")
    assert r.returncode == 0, r.stderr
    # same rows as the native engine with the same parameters
    r2 = run("generate", "retail_oltp_small", "--execute", "-r", "700", "--output-format", "parquet",
             root=tmp_path / "ref")
    assert r2.returncode == 0, r2.stderr
    files = "lakehouse/retail_oltp_small/Files/synthetic_data/retail_oltp_small/parquet"
    assert tables_under(ws / files) == tables_under(tmp_path / "ref" / files)
    # a parameter the variant was not compiled with
    r = run_dispatcher(ws, "generic_single_dataset_lakehouse", "dataset_id=retail_oltp_small",
                       "target_rows=700", "seed=5")
    assert r.returncode == 2
    assert ("the compiled notebook synthetic_data_retail_oltp_small_small_python has seed 42, not 5: "
            "compile the variant with 'ingen_fab package synthetic-data compile -d retail_oltp_small "
            "-e lakehouse -m python -r 700 -s 5'") in r.stderr
    # custom_schema needs the compiler
    r = run_dispatcher(ws, "generic_single_dataset_lakehouse", "custom_schema={}")
    assert r.returncode == 2
    assert "execute-with-parameters generic_single_dataset_lakehouse --custom-schema" in r.stderr


def test_series_dispatcher_checks_path_format(tmp_path):
    ws = tmp_path / "ws"
    assert run("compile-generic-templates", "-t", "lakehouse", "--template-type", "series",
               root=ws).returncode == 0
    r = run("generate-series", "retail_oltp_small_incremental", "-s", "2024-01-01", "-e", "2024-01-03",
            "-m", "python", "-r", "300", root=ws)
    assert r.returncode == 0, r.stderr
    args = ["dataset_id=retail_oltp_small_incremental", "start_date=2024-01-01",
            "end_date=2024-01-03", "target_rows=300"]
    r = run_dispatcher(ws, "generic_incremental_series_lakehouse", *args, "path_format=flat")
    assert r.returncode == 2
    assert "has path_format nested, not flat" in r.stderr
    r = run_dispatcher(ws, "generic_incremental_series_lakehouse", *args)
    assert r.returncode == 0, r.stderr
    r2 = run("generate-series", "retail_oltp_small_incremental", "--execute", "-s", "2024-01-01",
             "-e", "2024-01-03", "-r", "300", root=tmp_path / "ref")
    assert r2.returncode == 0, r2.stderr
    data = "lakehouse/retail_oltp_small_incremental/Files/synthetic_data/retail_oltp_small_incremental/parquet"

    def folders(base):
        return {str(p.relative_to(base)): read_folder(p)
                for p in sorted(base.rglob("*")) if p.is_dir() and any(p.glob("*.parquet"))}
    assert folders(ws / data) == folders(tmp_path / "ref" / data)


# ---- compile --enhanced ----

@pytest.mark.parametrize("name,mode", [("retail_oltp_enhanced", "table"),
                                       ("retail_star_enhanced", "parquet"),
                                       ("ecommerce_full_stack", "table")])
def test_enhanced_compile(tmp_path, name, mode):
    r = run("compile", "--enhanced", "-t", name, "--json", root=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = answer(r)
    assert doc["dataset_id"] == name
    nb = tmp_path / "fabric_workspace_items/synthetic_data_generation" / f"{doc['notebook']}.Notebook"
    text = (nb / "notebook-content.py").read_text()
    assert f'output_mode = "{mode}"' in text
    assert any(f.startswith(f"ddl_scripts/Lakehouses/{name}/") for f in doc["files"])


def test_enhanced_notebook_runs(tmp_path):
    r = run("compile", "--enhanced", "-t", "retail_oltp_enhanced", "-r", "500", "--json", root=tmp_path)
    assert r.returncode == 0, r.stderr
    nb = (tmp_path / "fabric_workspace_items/synthetic_data_generation"
          / f"{answer(r)['notebook']}.Notebook" / "notebook-content.py")
    e = {k: v for k, v in os.environ.items() if k not in OUR_ENV}
    p = subprocess.run([PYTHON, str(nb)], capture_output=True, text=True, env=e, timeout=900)
    assert p.returncode == 0, p.stderr
    orders = tmp_path / "lakehouse/retail_oltp_enhanced/Tables/orders"
    assert (orders / "_delta_log").is_dir()
    assert any(d.name.startswith("order_status=") for d in orders.iterdir())


def test_enhanced_usage(tmp_path):
    r = run("compile", "retail_oltp_small", "-t", "retail_oltp_enhanced", root=tmp_path)
    assert r.returncode == 2
    assert r.stderr == ("ingen_fab: give a dataset or '--config-template retail_oltp_enhanced', "
                        "not both\n")
    r = run("list-datasets", "--format", "json")
    assert "retail_oltp_enhanced" not in r.stdout
