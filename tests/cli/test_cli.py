"""
CLI tests: they run the real binary (env INGEN_FAB_BIN, default build/ingen_fab)
and pin the command line of DESIGN section 3: every command's --help, that the
help lists exactly options the parser accepts, exact usage-error messages with
exit 2, the catalogue listings, and the
precedence of command line, --parameters and environment variables.

Run: INGEN_FAB_BIN=build-x/ingen_fab python3 -m pytest tests/cli
"""
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = str(Path(os.environ.get("INGEN_FAB_BIN", ROOT / "build" / "ingen_fab")).resolve())
GROUP = ["package", "synthetic-data"]

# Variables the binary reads; removed from the environment of every run.
OUR_ENV = ["SCALE_FACTOR", "BATCH_SIZE", "OUTPUT_PATH", "FABRIC_WORKSPACE_REPO_DIR",
           "FABRIC_ENVIRONMENT", "INGEN_FAB_DATASETS"]

COMMANDS = ["list-datasets", "list-incremental-datasets", "list-enhanced", "list", "validate",
            "compile", "generate", "generate-incremental", "generate-series",
            "compile-generic-templates", "execute-with-parameters"]

# What DESIGN section 3 (and the upstream docs) require of each command's table.
REQUIRED_OPTIONS = {
    "compile": ["--dataset-id", "-d", "--target-rows", "-r", "--target-environment", "-e",
                "--generation-mode", "-m", "--seed", "-s", "--include-ddl", "--no-include-ddl",
                "--output-mode", "-o", "--enhanced", "--config-template", "-t",
                "--path-pattern", "-p"],
    "generate": ["--execute", "--engine", "--threads", "--output-format", "--target-rows", "-r",
                 "--target-environment", "-e", "--generation-mode", "-m", "--seed", "-s",
                 "--output-mode", "-o"],
    "generate-incremental": ["--date", "-d", "--path-format", "-p", "--state-management",
                             "--no-state-management", "--execute", "--target-environment",
                             "-e", "--generation-mode", "-m", "--seed", "-s"],
    "generate-series": ["--start-date", "-s", "--end-date", "-e", "--batch-size", "-b",
                        "--path-format", "-p", "--output-mode", "-o", "--seed",
                        "--ignore-state", "--resume", "--execute", "--target-environment", "-t",
                        "--generation-mode", "-m"],
    "compile-generic-templates": ["--target-environment", "-t", "--force", "--template-type"],
    "execute-with-parameters": ["--dataset-id", "--start-date", "--end-date", "--batch-size",
                                "--target-rows", "--scale-factor", "--path-format",
                                "--output-mode", "--seed", "--generation-mode",
                                "--custom-schema", "--enable-partitioning"],
    "list": ["--type", "-t", "--format", "-f"],
    "list-datasets": ["--format", "--json", "--datasets-dir"],
    "validate": ["--target-rows", "--scale-factor", "--seed", "--generation-mode", "--tables",
                 "--json", "--datasets-dir", "--parameters"],
}
EVERYWHERE = ["--tables", "--dry-run", "--parameters", "--json", "--scale-factor",
              "--datasets-dir"]
DATASET_COMMANDS = ["compile", "generate", "generate-incremental", "generate-series",
                    "execute-with-parameters"]

TINY_INCREMENTAL = """\
dataset_id: tiny_incremental
dataset_name: Tiny incremental
dataset_type: transactional
schema_pattern: oltp
domain: retail
target_rows: 100
incremental:
  start_date: 2024-01-01
  table_types: {customers: snapshot, orders: incremental}
  rows_per_day: {orders: target_rows / 10}
tables:
  customers:
    rows: 10
    primary_key: customer_id
    columns:
      customer_id: {type: bigint, generator: sequence}
  orders:
    columns:
      order_id: {type: bigint, generator: sequence}
      customer_id: {type: bigint, generator: reference, references: customers.customer_id}
"""

BROKEN = """\
dataset_id: broken_one
dataset_name: Broken
dataset_type: transactional
schema_pattern: oltp
domain: retail
target_rows: 100
tables:
  t:
    columns:
      a: {type: bigint, generator: lognormall}
"""


def run(*args, env=None, cwd=None, group=True):
    full_env = {k: v for k, v in os.environ.items() if k not in OUR_ENV}
    full_env.update(env or {})
    argv = [BIN] + (GROUP if group else []) + [str(a) for a in args]
    return subprocess.run(argv, capture_output=True, text=True, env=full_env, cwd=cwd,
                          timeout=60)


def first_err(r):
    return r.stderr.splitlines()[0] if r.stderr else ""


@pytest.fixture(scope="session", autouse=True)
def binary_exists():
    if not Path(BIN).exists():
        pytest.fail(f"no binary at {BIN}; build it or set INGEN_FAB_BIN")


@pytest.fixture(scope="session")
def catalog_ids():
    r = run("list", "--type", "datasets", "--format", "json")
    doc = json.loads(r.stdout)
    return {d["id"] for d in doc["datasets"] + doc["incremental_datasets"]}


@pytest.fixture
def need_retail(catalog_ids):
    if "retail_oltp_small" not in catalog_ids:
        pytest.skip("retail_oltp_small is not in the catalogue yet")


@pytest.fixture
def ds_dir(tmp_path):
    d = tmp_path / "datasets"
    d.mkdir()
    (d / "tiny_incremental.yaml").write_text(TINY_INCREMENTAL)
    return d


def parse_help(text):
    """The help's option rows: [(names, takes_value)], names like ['-r', '--target-rows']."""
    rows = []
    in_options = False
    for line in text.splitlines():
        if line == "Options:":
            in_options = True
            continue
        if in_options and not line.strip():
            break
        if not in_options:
            continue
        # a row starts at column 2 ("  -r, --x") or 6 ("      --x"); descriptions are at 32
        m = re.match(r"^(  -\w, |      )(--\S.*?)(  +|$)", line)
        if not m:
            assert line.startswith(" " * 32), f"unexpected help line: {line!r}"
            continue
        names_part = (m.group(1).strip() + " " + m.group(2)).strip()
        tokens = [t.rstrip(",") for t in names_part.split()]
        names = [t for t in tokens if t.startswith("-")]
        takes_value = not tokens[-1].startswith("-")
        rows.append((names, takes_value))
    return rows


def help_of(cmd):
    r = run(cmd, "--help")
    assert r.returncode == 0, r.stderr
    return r.stdout


# ---- global and group ----

def test_version():
    r = run("--version", group=False)
    assert r.returncode == 0
    assert re.fullmatch(r"ingen_fab \d+\.\d+\.\d+\n", r.stdout)


def test_global_help_lists_the_global_options_and_commands():
    r = run("--help", group=False)
    assert r.returncode == 0
    assert r.stdout.startswith("usage: ingen_fab [OPTIONS] package synthetic-data COMMAND")
    names = {n for row in parse_help(r.stdout) for n in row[0]}
    assert {"--fabric-workspace-repo-dir", "--fabric-environment", "--version", "-v",
            "--help", "-h"} <= names
    for cmd in COMMANDS:
        assert re.search(rf"^  {re.escape(cmd)} +\S", r.stdout, re.M), cmd


def test_group_help_lists_every_command_with_a_description():
    r = run("--help")
    assert r.returncode == 0
    listed = re.findall(r"^  ([a-z-]+) {2,}(\S.*)$", r.stdout, re.M)
    assert [c for c, _ in listed] == COMMANDS
    assert all(desc for _, desc in listed)
    assert run("help").stdout == r.stdout


def test_no_command_is_a_usage_error():
    r = run(group=False)
    assert r.returncode == 2
    assert first_err(r) == "ingen_fab: missing command"
    r = run()
    assert r.returncode == 2
    assert first_err(r) == "ingen_fab: missing command"
    assert "list-datasets" in r.stderr


def test_unknown_command_suggests():
    r = run("compil")
    assert r.returncode == 2
    assert first_err(r) == "ingen_fab: unknown command 'compil' (did you mean 'compile'?)"
    r = run("pakage", "synthetic-data", "list", group=False)
    assert r.returncode == 2
    assert first_err(r) == "ingen_fab: unknown command 'pakage' (did you mean 'package'?)"
    r = run("package", "synthetic_data", "list", group=False)
    assert first_err(r) == ("ingen_fab: unknown package 'synthetic_data' "
                            "(did you mean 'synthetic-data'?)")
    assert r.returncode == 2


def test_unknown_global_option():
    r = run("--fabric-workspace-repo", "x", "package", "synthetic-data", "list", group=False)
    assert r.returncode == 2
    assert first_err(r) == ("ingen_fab: unknown option '--fabric-workspace-repo' "
                            "(did you mean '--fabric-workspace-repo-dir'?)")


# ---- every command's help, and the parser behind it ----

@pytest.mark.parametrize("cmd", COMMANDS)
def test_help(cmd):
    text = help_of(cmd)
    assert text.startswith(f"usage: ingen_fab package synthetic-data {cmd} [OPTIONS]")
    rows = parse_help(text)
    assert rows, text
    names = [n for row in rows for n in row[0]]
    assert len(names) == len(set(names)), "an option is listed twice"
    assert "--help" in names and "-h" in names
    for required in REQUIRED_OPTIONS.get(cmd, []):
        assert required in names, f"{cmd}: {required} missing from the help"
    if cmd in DATASET_COMMANDS:
        for opt in EVERYWHERE:
            assert opt in names, f"{cmd}: {opt} missing from the help"
    assert run("help", cmd).stdout == text


@pytest.mark.parametrize("cmd", COMMANDS)
def test_every_option_in_the_help_is_accepted(cmd, tmp_path):
    """Flags are accepted before --help; valued options ask for their value."""
    env = {"FABRIC_WORKSPACE_REPO_DIR": str(tmp_path / "out")}
    for names, takes_value in parse_help(help_of(cmd)):
        for name in names:
            if name in ("--help", "-h"):
                continue
            if takes_value:
                r = run(cmd, name, env=env, cwd=tmp_path)
                assert r.returncode == 2, (name, r.stderr)
                assert first_err(r) == f"ingen_fab: option '{name}' requires a value", name
            else:
                r = run(cmd, name, "--help", env=env, cwd=tmp_path)
                assert r.returncode == 0, (name, r.stderr)
                assert r.stdout.startswith("usage:"), name


@pytest.mark.parametrize("cmd", COMMANDS)
def test_options_not_in_the_help_are_rejected(cmd):
    r = run(cmd, "--no-such-option")
    assert r.returncode == 2
    assert first_err(r).startswith("ingen_fab: unknown option '--no-such-option'")


# ---- usage errors: exact messages, exit 2 ----

@pytest.mark.parametrize("args, message", [
    (["compile", "-d", "x", "--target-row", "5"],
     "unknown option '--target-row' (did you mean '--target-rows'?)"),
    (["compile", "-d", "x", "--target-environment", "lakehous"],
     "invalid value 'lakehous' for '--target-environment': expected lakehouse or warehouse "
     "(did you mean 'lakehouse'?)"),
    (["compile", "-d", "x", "-m", "spark"],
     "invalid value 'spark' for '-m': expected auto, python or pyspark (did you mean 'pyspark'?)"),
    (["compile", "-d", "x", "--output-mode=delta"],
     "invalid value 'delta' for '--output-mode': expected table, parquet or csv"),
    (["compile", "-d", "x", "--target-rows", "0"],
     "invalid value '0' for '--target-rows': must be between 1 and 1000000000000000"),
    (["compile", "-d", "x", "--target-rows=ten"],
     "invalid value 'ten' for '--target-rows': expected an integer"),
    (["compile", "-d", "x", "--seed", "1.5"],
     "invalid value '1.5' for '--seed': expected an integer"),
    (["compile", "-d", "x", "--scale-factor", "-1"],
     "invalid value '-1' for '--scale-factor': must be greater than 0"),
    (["compile", "-d", "x", "--include-ddl=no"], "option '--include-ddl' takes no value"),
    (["compile", "-d", "x", "--seed"], "option '--seed' requires a value"),
    (["generate", "x", "--engine", "nativ"],
     "invalid value 'nativ' for '--engine': expected native, python or pyspark "
     "(did you mean 'native'?)"),
    (["generate", "x", "--output-format", "json"],
     "invalid value 'json' for '--output-format': expected delta, parquet, csv or jsonl "
     "(did you mean 'jsonl'?)"),
    (["generate-incremental", "x", "--date", "2024-02-30"],
     "invalid value '2024-02-30' for '--date': 2024-02 has 29 days"),
    (["generate-incremental", "x", "--date", "2023-02-29"],
     "invalid value '2023-02-29' for '--date': 2023-02 has 28 days"),
    (["generate-incremental", "x", "-d", "2024-13-01"],
     "invalid value '2024-13-01' for '-d': there is no month 13"),
    (["generate-incremental", "x", "--date", "01/02/2024"],
     "invalid value '01/02/2024' for '--date': expected a date YYYY-MM-DD"),
    (["generate-series", "x", "-s", "2024-03-01", "-e", "2024-01-01"],
     "--start-date '2024-03-01' is after --end-date '2024-01-01'"),
    (["generate-series", "x", "-e", "2024-01-10", "--batch-size", "0"],
     "invalid value '0' for '--batch-size': must be between 1 and 36600"),
    (["generate-series", "x", "-e", "2024-01-10", "--resume", "--ignore-state"],
     "--resume and --ignore-state cannot be used together"),
    (["generate-series", "x", "-e", "2024-01-10", "--path-format", "nestd"],
     "invalid value 'nestd' for '--path-format': expected nested, flat, nested_daily, "
     "nested_monthly, nested_yearly, flat_with_date, flat_with_date_suffix, hive_partitioned, "
     "hive_monthly, iso_week or quarter_based, or a custom pattern with {placeholders} "
     "(did you mean 'nested'?)"),
    (["compile-generic-templates", "--template-type", "both"],
     "invalid value 'both' for '--template-type': expected all, series or single"),
    (["execute-with-parameters", "generic_single_dataset_lakehous"],
     "invalid value 'generic_single_dataset_lakehous' for NOTEBOOK: expected "
     "generic_single_dataset_lakehouse, generic_single_dataset_warehouse, "
     "generic_incremental_series_lakehouse or generic_incremental_series_warehouse "
     "(did you mean 'generic_single_dataset_lakehouse'?)"),
    (["execute-with-parameters", "generic_single_dataset_lakehouse", "--custom-schema", "{x"],
     "invalid value '{x' for '--custom-schema': not valid JSON (near character 2)"),
    (["compile", "-d", "x", "--parameters", "{\"target_row\": 5}"],
     "unknown parameter 'target_row' in --parameters (did you mean 'target_rows'?)"),
    (["compile", "-d", "x", "--parameters", "{\"target_rows\": \"many\"}"],
     "invalid value 'many' for parameter 'target_rows': expected an integer"),
    (["compile", "-d", "x", "--parameters", "[1, 2]"],
     "invalid value '[1, 2]' for '--parameters': expected a JSON object"),
    (["list", "--type", "dataset"],
     "invalid value 'dataset' for '--type': expected datasets, templates or all "
     "(did you mean 'datasets'?)"),
    (["list-datasets", "--format", "yaml"],
     "invalid value 'yaml' for '--format': expected table or json"),
    (["compile", "a", "-d", "b"],
     "two datasets given: 'a' (argument) and 'b' (--dataset-id)"),
    (["compile", "generic_single_dataset_lakehouse"],
     "'generic_single_dataset_lakehouse' is a generic template, not a dataset: use "
     "'ingen_fab package synthetic-data compile-generic-templates'"),
])
def test_usage_errors(args, message):
    r = run(*args)
    assert r.returncode == 2, r.stderr
    assert first_err(r) == "ingen_fab: " + message
    assert r.stdout == ""


@pytest.mark.parametrize("args, message, usage", [
    (["generate"], "missing argument DATASET_ID",
     "usage: ingen_fab package synthetic-data generate [OPTIONS] DATASET_ID"),
    (["validate"], "missing argument DATASET",
     "usage: ingen_fab package synthetic-data validate [OPTIONS] DATASET..."),
    (["generate-incremental", "x"], "missing required option '--date'",
     "usage: ingen_fab package synthetic-data generate-incremental [OPTIONS] --date YYYY-MM-DD "
     "DATASET_ID"),
    (["generate-series", "x"], "missing required option '--end-date'",
     "usage: ingen_fab package synthetic-data generate-series [OPTIONS] --end-date YYYY-MM-DD "
     "DATASET_ID"),
    (["execute-with-parameters"], "missing argument NOTEBOOK",
     "usage: ingen_fab package synthetic-data execute-with-parameters [OPTIONS] NOTEBOOK"),
    (["generate", "a", "b"], "unexpected argument 'b'",
     "usage: ingen_fab package synthetic-data generate [OPTIONS] DATASET_ID"),
    (["compile"], "missing dataset: give DATASET_ID or --dataset-id",
     "usage: ingen_fab package synthetic-data compile [OPTIONS] [DATASET_ID]"),
])
def test_missing_arguments_print_the_usage(args, message, usage):
    r = run(*args)
    assert r.returncode == 2
    assert r.stderr.splitlines() == ["ingen_fab: " + message, usage]




def test_stubs_check_the_dataset_before_saying_not_built(need_retail):
    r = run("compile", "-d", "retail_oltp_smal")
    assert r.returncode == 2
    assert "unknown dataset 'retail_oltp_smal' (did you mean 'retail_oltp_small'?)" in r.stderr
    assert r.stderr.splitlines()[-1] == "ingen_fab: 1 error"


def test_incremental_commands_need_an_incremental_dataset(need_retail):
    r = run("generate-incremental", "retail_oltp_small", "--date", "2024-01-01", "--dry-run")
    assert r.returncode == 2
    assert ("dataset 'retail_oltp_small' has no incremental section; this command needs an "
            "incremental dataset (see 'list-incremental-datasets')") in r.stderr
    assert r.stderr.splitlines()[-1] == "ingen_fab: 1 error"


def test_series_dry_run_plans_the_dates(ds_dir):
    r = run("generate-series", "tiny_incremental", "-e", "2024-01-31", "-b", "7", "--dry-run",
            "--json", "--datasets-dir", ds_dir)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["command"] == "generate-series" and doc["dry_run"] is True
    (ds,) = doc["datasets"]
    assert (ds["start_date"], ds["end_date"], ds["days"], ds["batches"]) == \
        ("2024-01-01", "2024-01-31", 31, 5)
    assert ds["plan"]["dataset_id"] == "tiny_incremental"
    r = run("generate-series", "tiny_incremental", "-s", "2023-12-31", "-e", "2024-01-31",
            "--dry-run", "--datasets-dir", ds_dir)
    assert r.returncode == 2
    assert ("--start-date '2023-12-31' is before the dataset's start_date '2024-01-01'"
            in r.stderr)


def test_incremental_dry_run_text(ds_dir):
    r = run("generate-incremental", "tiny_incremental", "--date=2024-01-15", "--dry-run",
            "--datasets-dir", ds_dir)
    assert r.returncode == 0, r.stderr
    assert "day 2024-01-15 (day 14 since start_date 2024-01-01, weight 1)" in r.stdout
    assert "orders (incremental): 10 rows (row counters 140..149)" in r.stdout
    assert "dataset: tiny_incremental" in r.stdout


def test_compile_generic_templates_dry_run():
    r = run("compile-generic-templates", "--dry-run", "--json", "-t", "warehouse")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [t["name"] for t in doc["templates"]] == [
        "generic_single_dataset_warehouse", "generic_incremental_series_warehouse"]
    assert doc["options"] == {"target_environment": "warehouse"}


# ---- validate and dry runs ----

def test_validate_text_and_json(need_retail):
    r = run("validate", "retail_oltp_small")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("dataset: retail_oltp_small\n")
    r = run("validate", "retail_oltp_small", "--json", "-r", "2000000")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert plan["dataset_id"] == "retail_oltp_small"
    assert plan["target_rows"] == 2000000
    assert plan["mode"] == "pyspark"
    # 64-bit seeds come through with every digit (no detour through doubles)
    raw = re.findall(r'"customer_id": (-?\d+)', r.stdout)
    assert raw and all(int(x) == int(x) for x in raw)
    seeds = plan["tables"][0]["column_seeds"]
    assert any(abs(v) > 2 ** 53 for v in seeds.values())
    assert str(seeds["customer_id"]) in r.stdout


def test_validate_several_and_errors(need_retail):
    r = run("validate", "retail_oltp_small", "retail_oltp_small", "--json")
    assert r.returncode == 0
    assert len(json.loads(r.stdout)) == 2
    r = run("validate", "retail_oltp_small", "nope_one", "nope_two")
    assert r.returncode == 2
    assert r.stdout.startswith("dataset: retail_oltp_small")
    assert r.stderr.splitlines()[-1] == "ingen_fab: 2 errors"


def test_validate_reports_config_errors_with_positions(tmp_path):
    (tmp_path / "broken_one.yaml").write_text(BROKEN)
    r = run("validate", tmp_path / "broken_one.yaml")
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        f"{tmp_path}/broken_one.yaml:10:36: error: unknown generator 'lognormall' "
        "(did you mean 'lognormal'?)",
        "ingen_fab: 1 error"]
    assert r.stdout == ""


def test_end_of_options():
    r = run("validate", "--", "--json")
    assert r.returncode == 2
    assert "'--json'" in r.stderr
    assert r.stdout == ""


def test_equals_and_space_forms_agree(need_retail):
    a = run("compile", "-d", "retail_oltp_small", "--dry-run", "--json", "--target-rows", "500",
            "--seed", "7", "-m", "pyspark")
    b = run("compile", "--dataset-id=retail_oltp_small", "--dry-run", "--json",
            "--target-rows=500", "-s7", "--generation-mode=pyspark")
    assert a.returncode == b.returncode == 0
    da, db = json.loads(a.stdout), json.loads(b.stdout)
    assert da["datasets"] == db["datasets"]
    assert da["datasets"][0]["plan"]["target_rows"] == 500
    assert da["datasets"][0]["plan"]["seed"] == 7


# ---- listings ----

def table_rows(text):
    lines = text.splitlines()
    header = lines[0].split()
    return header, [re.split(r"  +", line.strip()) for line in lines[1:] if line.strip()]


def test_list_datasets_table_and_json_agree(need_retail):
    t = run("list-datasets")
    assert t.returncode == 0, t.stderr
    header, rows = table_rows(t.stdout)
    assert header == ["ID", "NAME", "DOMAIN", "PATTERN", "TABLES", "TARGET_ROWS", "STATUS"]
    # aligned: every column starts where its header starts
    starts = [t.stdout.splitlines()[0].index(h) for h in header]
    for line in t.stdout.splitlines()[1:]:
        for s in starts[1:]:
            assert line[s - 2:s] == "  " and line[s] != " ", line
    j = run("list-datasets", "--format", "json")
    assert j.returncode == 0
    doc = json.loads(j.stdout)
    assert list(doc) == ["datasets"]
    assert [r[0] for r in rows] == [d["id"] for d in doc["datasets"]]
    retail = next(d for d in doc["datasets"] if d["id"] == "retail_oltp_small")
    assert retail["status"] == "ok" and retail["incremental"] is False
    assert retail["n_tables"] == len(retail["tables"]) >= 1
    assert retail["domain"] == "retail"
    assert [k for k in retail if k != "description"] == [
        "id", "name", "type", "pattern", "domain", "target_rows", "scale_factor", "seed",
        "incremental", "n_tables", "tables", "tags", "source", "builtin", "status"]
    row = next(r for r in rows if r[0] == "retail_oltp_small")
    assert row[4] == str(retail["n_tables"]) and row[5] == str(retail["target_rows"])
    assert run("list-datasets", "--json").stdout == j.stdout


def test_list_incremental_and_invalid_datasets(tmp_path, ds_dir):
    (ds_dir / "broken_one.yaml").write_text(BROKEN)
    r = run("list-incremental-datasets", "--datasets-dir", ds_dir)
    assert r.returncode == 0, r.stderr
    _, rows = table_rows(r.stdout)
    assert ["tiny_incremental", "Tiny incremental", "retail", "oltp", "2", "100", "ok"] in rows
    r = run("list-datasets", "--datasets-dir", ds_dir)
    assert r.returncode == 1
    _, rows = table_rows(r.stdout)
    assert ["broken_one", "-", "-", "-", "-", "-", "invalid"] in rows
    assert "tiny_incremental" not in r.stdout
    assert r.stderr.splitlines() == [
        f"{ds_dir}/broken_one.yaml:10:36: error: unknown generator 'lognormall' "
        "(did you mean 'lognormal'?)",
        "ingen_fab: 1 error"]
    j = run("list-datasets", "--datasets-dir", ds_dir, "--json")
    assert j.returncode == 1
    broken = next(d for d in json.loads(j.stdout)["datasets"] if d["id"] == "broken_one")
    assert broken["status"] == "invalid"
    assert "lognormall" in broken["errors"][0]


def test_missing_datasets_dir_is_a_config_error(tmp_path):
    r = run("list-datasets", "--datasets-dir", tmp_path / "nope")
    assert r.returncode == 2
    assert r.stderr.splitlines()[-1] == "ingen_fab: 1 error"


def test_list_enhanced_and_unified_list():
    r = run("list-enhanced")
    assert r.returncode == 0
    for name in ["generic_single_dataset_lakehouse", "generic_single_dataset_warehouse",
                 "generic_incremental_series_lakehouse", "generic_incremental_series_warehouse",
                 "retail_oltp_enhanced", "retail_star_enhanced", "ecommerce_full_stack"]:
        assert re.search(rf"^{name} ", r.stdout, re.M), name
    doc = json.loads(run("list-enhanced", "--json").stdout)
    assert list(doc) == ["generic_templates", "templates"]
    assert len(doc["generic_templates"]) == 4 and len(doc["templates"]) == 3
    # the upstream alias, with its --target-environment filter
    alias = json.loads(run("list-generic-templates", "-t", "lakehouse", "--json").stdout)
    assert [t["name"] for t in alias["generic_templates"]] == [
        "generic_single_dataset_lakehouse", "generic_incremental_series_lakehouse"]
    doc = json.loads(run("list", "--format", "json").stdout)
    assert list(doc) == ["datasets", "incremental_datasets", "generic_templates", "templates"]
    doc = json.loads(run("list", "-t", "templates", "-f", "json").stdout)
    assert list(doc) == ["generic_templates", "templates"]
    r = run("list", "--type", "all")
    assert "Datasets:" in r.stdout and "Templates:" in r.stdout


# ---- where values come from ----

def dry_json(*args, env=None):
    r = run("execute-with-parameters", "generic_single_dataset_lakehouse", "--dry-run", "--json",
            *args, env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_environment_defaults_and_precedence():
    doc = dry_json(env={"SCALE_FACTOR": "2", "BATCH_SIZE": "5000"})
    assert doc["options"]["scale_factor"] == 2
    assert doc["sources"]["scale_factor"] == "SCALE_FACTOR"
    assert doc["options"]["chunk_size"] == 5000
    assert doc["sources"]["chunk_size"] == "BATCH_SIZE"
    # --parameters beats the environment, the command line beats both
    doc = dry_json("--parameters", '{"scale_factor": 3}', env={"SCALE_FACTOR": "2"})
    assert (doc["options"]["scale_factor"], doc["sources"]["scale_factor"]) == (3, "parameters")
    doc = dry_json("--scale-factor", "4", "--parameters", '{"scale_factor": 3}',
                   env={"SCALE_FACTOR": "2"})
    assert (doc["options"]["scale_factor"], doc["sources"]["scale_factor"]) == (4, "command line")
    # parameter keys take '_' or '-', and upstream spellings
    doc = dry_json("--parameters", '{"target-rows": 50000, "seed_value": 12}')
    assert doc["options"]["target_rows"] == 50000 and doc["options"]["seed"] == 12


def test_bad_environment_value_is_a_usage_error():
    r = run("execute-with-parameters", "generic_single_dataset_lakehouse", "--dry-run",
            env={"SCALE_FACTOR": "big"})
    assert r.returncode == 2
    assert first_err(r) == ("ingen_fab: invalid value 'big' in environment variable "
                            "SCALE_FACTOR: expected a number")
    # ... unless the command line gives the value
    r = run("execute-with-parameters", "generic_single_dataset_lakehouse", "--dry-run",
            "--scale-factor", "1", env={"SCALE_FACTOR": "big"})
    assert r.returncode == 0, r.stderr


def test_output_root_precedence(tmp_path):
    def root(*glob, env=None):
        r = run(*glob, *GROUP, "compile-generic-templates", "--dry-run", "--json", env=env,
                group=False)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)["output_root"]
    assert root() == "./out"
    assert root(env={"OUTPUT_PATH": "/o"}) == "/o"
    assert root(env={"OUTPUT_PATH": "/o", "FABRIC_WORKSPACE_REPO_DIR": "/f"}) == "/f"
    assert root("--fabric-workspace-repo-dir", "/c",
                env={"OUTPUT_PATH": "/o", "FABRIC_WORKSPACE_REPO_DIR": "/f"}) == "/c"
    assert root("-fwd", "/u") == "/u"
    assert root("--fabric-workspace-repo-dir=/e") == "/e"


def test_plan_uses_the_effective_values(need_retail):
    r = run("compile", "retail_oltp_small", "--dry-run", "--json",
            env={"SCALE_FACTOR": "2", "BATCH_SIZE": "777"})
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)["datasets"][0]["plan"]
    assert plan["scale_factor"] == 2
    assert plan["chunk_size"] == 777
