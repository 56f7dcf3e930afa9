"""
`compile` from the outside: the Fabric notebook format of every compiled notebook, the
.platform file, byte-identical recompiles, and bad input that fails cleanly.

- Every predefined dataset (`list --format json`: plain and incremental) is compiled at 100
  target rows in both generation modes.  Each notebook-content.py must be Fabric's git format
  (/work/shared/notes/technical.md section 2): `# Fabric notebook source`, exact 20-star
  markers, a notebook-level `# METADATA` block with the kernel (synapse_pyspark for pyspark,
  jupyter/python3.11 for python) and dependencies.lakehouse, exactly one `# PARAMETERS CELL`,
  every `# CELL`/`# PARAMETERS CELL` followed by a `# METADATA` block whose `# META` lines
  join into a JSON object with the mode's language group, markdown bodies commented out; and
  the whole file must be valid Python.  `.platform` is JSON with Fabric's schema URL, type
  Notebook, displayName = the folder name without `.Notebook`, and a UUID logicalId that is
  the same on every recompile and differs between notebooks.
- Compiling twice, into different roots and from different working folders, gives the same
  files byte for byte, and `--json` lists exactly the files written.
- Bad input (unknown dataset, bad option values, invalid YAML or config, an unwritable output
  root, a broken --templates-dir template) gives the documented exit code and a clear message,
  and leaves the output tree exactly as it was (every path, and every byte of the files).

Run: INGEN_FAB_BIN=build-x/ingen_fab python3 -m pytest tests/cli/test_compile_cli.py
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = str(Path(os.environ.get("INGEN_FAB_BIN", ROOT / "build" / "ingen_fab")).resolve())
GROUP = ["package", "synthetic-data"]
OUR_ENV = ["SCALE_FACTOR", "BATCH_SIZE", "OUTPUT_PATH", "FABRIC_WORKSPACE_REPO_DIR",
           "FABRIC_ENVIRONMENT", "INGEN_FAB_DATASETS"]
NOTEBOOKS = "fabric_workspace_items/synthetic_data_generation"
SCHEMA_URL = ("https://developer.microsoft.com/json-schemas/fabric/gitIntegration/"
              "platformProperties/2.0.0/schema.json")
STARS = " " + "*" * 20
MARKERS = {"# CELL" + STARS: "cell", "# MARKDOWN" + STARS: "markdown",
           "# PARAMETERS CELL" + STARS: "parameters", "# METADATA" + STARS: "metadata"}
KERNELS = {"pyspark": ({"name": "synapse_pyspark"}, "synapse_pyspark"),
           "python": ({"name": "jupyter", "jupyter_kernel_name": "python3.11"}, "jupyter_python")}


def run(args, root=None, cwd=None):
    env = {k: v for k, v in os.environ.items() if k not in OUR_ENV}
    pre = ["--fabric-workspace-repo-dir", str(root)] if root is not None else []
    return subprocess.run([BIN] + pre + GROUP + args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def _catalog():
    if not os.path.exists(BIN):
        return []
    p = run(["list", "--format", "json"])
    if p.returncode != 0:
        return []
    doc = json.loads(p.stdout)
    return sorted(d["id"] for d in doc["datasets"] + doc["incremental_datasets"])


IDS = _catalog() or ["<no catalogue: build ingen_fab or set INGEN_FAB_BIN>"]


def snapshot(root):
    """Every path under root (folders too) with a digest of each file's bytes."""
    root = Path(root)
    if not root.exists():
        return None
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
    return out


def read_tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(Path(root).rglob("*")) if p.is_file()}


def compile_ok(root, args, cwd=None):
    p = run(["compile"] + args + ["--json"], root=root, cwd=cwd)
    assert p.returncode == 0, "compile %s failed (%d): %s" % (args, p.returncode, p.stderr)
    return json.loads(p.stdout)


# ----------------------------------------------------------------------------------------------
# Fabric notebook format


def parse_fabric_notebook(text):
    """Splits Fabric's notebook-content.py into (notebook meta, [(kind, body lines, meta or None)]).

    Fails (AssertionError) on anything that is not the format: every marker line exact, each
    `# METADATA` block a run of `# META ` lines that join into a JSON object, a METADATA block
    right after every code and parameters cell, none after markdown cells (as Fabric writes them).
    """
    assert "\r" not in text, "CR characters in the notebook"
    lines = text.split("\n")
    assert lines[0] == "# Fabric notebook source", lines[0]
    assert text.endswith("\n"), "the notebook does not end with a newline"
    lines = lines[:-1]
    for i, line in enumerate(lines, 1):
        if re.match(r"# (CELL|MARKDOWN|PARAMETERS CELL|METADATA)\b.*\*", line):
            assert line in MARKERS, "line %d: malformed marker %r" % (i, line)
    # blocks: (kind, first line number, lines)
    blocks, cur = [], None
    for i, line in enumerate(lines[1:], 2):
        if line in MARKERS:
            cur = [MARKERS[line], i, []]
            blocks.append(cur)
        else:
            assert cur is not None or line == "", "line %d: text before the first marker" % i
            if cur is not None:
                cur[2].append(line)

    def meta_json(block):
        kind, start, body = block
        body = body[:]
        assert body and body[0] == "", "line %d: no blank line after # METADATA" % start
        while body and body[-1] == "":
            body.pop()
        assert body, "line %d: empty # METADATA block" % start
        for k, line in enumerate(body[1:]):
            assert line.startswith("# META ") or line == "# META", \
                "line %d: %r in a METADATA block" % (start + 2 + k, line)
        doc = json.loads("\n".join(line[len("# META "):] for line in body[1:]))
        assert isinstance(doc, dict), "line %d: META is not a JSON object" % start
        return doc

    assert blocks and blocks[0][0] == "metadata", "no notebook-level # METADATA block first"
    nb_meta = meta_json(blocks[0])
    cells, k = [], 1
    while k < len(blocks):
        kind, start, body = blocks[k]
        assert kind != "metadata", "line %d: # METADATA without a cell before it" % start
        meta = None
        if kind in ("cell", "parameters"):
            assert k + 1 < len(blocks) and blocks[k + 1][0] == "metadata", \
                "line %d: %s cell without a # METADATA block after it" % (start, kind)
            meta = meta_json(blocks[k + 1])
            k += 1
        else:
            assert not (k + 1 < len(blocks) and blocks[k + 1][0] == "metadata"), \
                "line %d: a markdown cell followed by # METADATA (Fabric writes none)" % start
            for j, line in enumerate(body):
                assert line == "" or line == "#" or line.startswith("# "), \
                    "line %d: markdown line not commented: %r" % (start + 1 + j, line)
        assert body and body[0] == "", "line %d: no blank line after the marker" % start
        cells.append((kind, body, meta))
        k += 1
    return nb_meta, cells


def check_notebook(folder, mode, dataset_id):
    text = (folder / "notebook-content.py").read_text(encoding="utf-8")
    nb_meta, cells = parse_fabric_notebook(text)
    kernel, group = KERNELS[mode]
    assert nb_meta["kernel_info"] == kernel
    lakehouse = nb_meta["dependencies"]["lakehouse"]
    assert lakehouse["default_lakehouse_name"], lakehouse
    kinds = [c[0] for c in cells]
    assert kinds.count("parameters") == 1, kinds
    assert kinds.index("parameters") < kinds.index("cell"), "the parameters cell comes after code"
    for kind, body, meta in cells:
        if meta is not None:
            assert meta == {"language": "python", "language_group": group}, meta
            assert any(line.strip() and not line.startswith("#") for line in body), "an empty code cell"
    compile(text, str(folder / "notebook-content.py"), "exec")
    assert dataset_id in text
    return text


def check_platform(folder):
    doc = json.loads((folder / ".platform").read_text(encoding="utf-8"))
    assert doc["$schema"] == SCHEMA_URL
    assert doc["metadata"]["type"] == "Notebook"
    assert doc["metadata"]["displayName"] == folder.name[:-len(".Notebook")]
    assert doc["config"]["version"] == "2.0"
    lid = doc["config"]["logicalId"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", lid), lid
    assert uuid.UUID(lid).variant == uuid.RFC_4122
    assert set(doc) == {"$schema", "metadata", "config"}
    return lid


@pytest.mark.parametrize("mode", ["python", "pyspark"])
@pytest.mark.parametrize("ds_id", IDS)
def test_notebook_is_fabric_format(ds_id, mode, tmp_path):
    if ds_id.startswith("<"):
        pytest.fail("no catalogue from %s" % BIN, pytrace=False)
    res = compile_ok(tmp_path, ["-d", ds_id, "-r", "100", "-m", mode, "-f", "notebook"])
    name = "synthetic_data_%s_small_%s" % (ds_id, mode)
    assert res["notebook"] == name and res["generation_mode"] == mode
    folder = tmp_path / NOTEBOOKS / (name + ".Notebook")
    assert sorted(res["files"]) == sorted("%s/%s.Notebook/%s" % (NOTEBOOKS, name, f)
                                          for f in ("notebook-content.py", ".platform"))
    assert sorted(read_tree(tmp_path)) == sorted(res["files"])
    check_notebook(folder, mode, ds_id)
    check_platform(folder)


@pytest.mark.parametrize("target", ["lakehouse", "warehouse"])
def test_notebook_format_for_both_targets(target, tmp_path):
    for mode in ("python", "pyspark"):
        res = compile_ok(tmp_path, ["-d", "retail_star_small", "-r", "100", "-m", mode, "-e", target])
        folder = tmp_path / NOTEBOOKS / (res["notebook"] + ".Notebook")
        check_notebook(folder, mode, "retail_star_small")
        check_platform(folder)


def test_large_and_auto_naming(tmp_path):
    """auto picks pyspark above 1,000,000 target rows, and the name says large."""
    res = compile_ok(tmp_path, ["-d", "retail_oltp_small", "-r", "1000001", "-f", "notebook"])
    assert res["notebook"] == "synthetic_data_retail_oltp_small_large_pyspark"
    check_notebook(tmp_path / NOTEBOOKS / (res["notebook"] + ".Notebook"), "pyspark", "retail_oltp_small")
    res = compile_ok(tmp_path, ["-d", "retail_oltp_small", "-r", "1000000", "-f", "notebook"])
    assert res["notebook"] == "synthetic_data_retail_oltp_small_small_python"


def test_parser_rejects_broken_notebooks():
    good = ("# Fabric notebook source\n\n# METADATA ********************\n\n# META {\n# META   \"kernel_info\": {}\n"
            "# META }\n\n# MARKDOWN ********************\n\n# # Title\n\n# PARAMETERS CELL ********************\n\n"
            "x = 1\n\n# METADATA ********************\n\n# META {\n# META   \"language\": \"python\"\n# META }\n")
    meta, cells = parse_fabric_notebook(good)
    assert meta == {"kernel_info": {}} and [c[0] for c in cells] == ["markdown", "parameters"]
    broken = [
        good.replace("# Fabric notebook source", "# Fabric notebook"),
        good.replace("# PARAMETERS CELL ********************", "# PARAMETERS CELL *******************"),
        good.replace("# META   \"language\": \"python\"", "# META   \"language\": python"),
        good.replace("\n\nx = 1\n\n# METADATA ********************\n\n# META {\n# META   \"language\": \"python\"\n"
                     "# META }\n", "\n\nx = 1\n"),
        good.replace("# # Title", "Title"),
        good[:-1],
    ]
    for text in broken:
        with pytest.raises((AssertionError, ValueError)):
            parse_fabric_notebook(text)


# ----------------------------------------------------------------------------------------------
# Stable output


def test_recompiling_is_byte_identical(tmp_path):
    """All files, both modes and targets: a second compile elsewhere, from elsewhere, is the same."""
    first, second = tmp_path / "a", tmp_path / "deeper" / "second-root"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    for ds in ("retail_oltp_small", "finance_star_small_incremental"):
        for mode in ("python", "pyspark"):
            for target in ("lakehouse", "warehouse"):
                args = ["-d", ds, "-r", "100", "-m", mode, "-e", target]
                r1 = compile_ok(first, args)
                r2 = compile_ok(os.path.relpath(second, cwd), args, cwd=cwd)
                assert r1["files"] == r2["files"]
    a, b = read_tree(first), read_tree(second)
    assert sorted(a) == sorted(b)
    different = [k for k in a if a[k] != b[k]]
    assert different == []
    for path, data in a.items():
        assert str(tmp_path).encode() not in data, "%s mentions the output root" % path


def test_logical_ids_are_stable_and_distinct(tmp_path):
    ids = {}
    for ds in IDS[:6]:
        for mode in ("python", "pyspark"):
            res = compile_ok(tmp_path / "one", ["-d", ds, "-r", "100", "-m", mode, "-f", "notebook"])
            again = compile_ok(tmp_path / "two", ["-d", ds, "-r", "100", "-m", mode, "-f", "notebook", "-s", "7"])
            folder = NOTEBOOKS + "/" + res["notebook"] + ".Notebook"
            lid = check_platform(tmp_path / "one" / folder)
            assert check_platform(tmp_path / "two" / folder) == lid, "logicalId changed on recompile"
            ids[res["notebook"]] = lid
    assert len(set(ids.values())) == len(ids), "two notebooks share a logicalId"


def test_recompiling_replaces_files_in_place(tmp_path):
    args = ["-d", "retail_oltp_small", "-r", "100", "-f", "ddl"]
    compile_ok(tmp_path, args)
    before = snapshot(tmp_path)
    compile_ok(tmp_path, args)
    assert snapshot(tmp_path) == before, "a recompile left other files (temporary names?) or changed bytes"


# ----------------------------------------------------------------------------------------------
# Bad input writes nothing


SENTINEL = "keep.txt"


@pytest.fixture
def out_root(tmp_path):
    """An output root that exists and already holds a file (which must survive untouched)."""
    root = tmp_path / "out"
    (root / "ddl_scripts").mkdir(parents=True)
    (root / SENTINEL).write_text("do not touch\n")
    return root


def assert_fails_cleanly(root, args, status, patterns, cwd=None):
    before = snapshot(root)
    p = run(["compile"] + args, root=root, cwd=cwd)
    assert p.returncode == status, "exit %d (expected %d): %s" % (p.returncode, status, p.stderr)
    assert p.stdout == "", "stdout on failure: %r" % p.stdout[:200]
    for pat in patterns:
        assert re.search(pat, p.stderr, re.M), "stderr %r does not match %r" % (p.stderr, pat)
    assert snapshot(root) == before, "the output tree changed"
    return p.stderr


def test_unknown_dataset(out_root):
    assert_fails_cleanly(out_root, ["-d", "retail_oltp_smal", "-r", "100"], 2,
                         [r"unknown dataset 'retail_oltp_smal' \(did you mean 'retail_oltp_small'\?\)"])


def test_missing_config_file(out_root, tmp_path):
    assert_fails_cleanly(out_root, [str(tmp_path / "nope.yaml")], 2, [r"nope\.yaml"])


@pytest.mark.parametrize("args, pattern", [
    (["-e", "lakehous"], r"invalid value 'lakehous' for '-e'.*lakehouse or warehouse.*did you mean 'lakehouse'"),
    (["--target-environment", "fabric"], r"invalid value 'fabric' for '--target-environment'"),
    (["-m", "spark"], r"invalid value 'spark' for '-m'.*auto, python or pyspark"),
    (["-r", "abc"], r"invalid value 'abc' for '-r': expected an integer"),
    (["-r", "0"], r"invalid value '0' for '-r'"),
    (["-r", "-5"], r"'-5'"),
    (["-f", "al"], r"invalid value 'al' for '-f'.*all, notebook or ddl"),
    (["-o", "xls"], r"invalid value 'xls' for '-o'.*table, parquet or csv"),
    (["-s", "1.5"], r"invalid value '1.5' for '-s'"),
    (["--scale-factor", "-1"], r"'-1'"),
    (["--no-such-option"], r"unknown option '--no-such-option'"),
    (["-r"], r"'-r'"),
])
def test_bad_option_values(out_root, args, pattern):
    assert_fails_cleanly(out_root, ["-d", "retail_oltp_small"] + args, 2, [pattern])


def test_invalid_yaml(out_root, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("dataset_id: broken\ntables:\n  a: [\n")
    assert_fails_cleanly(out_root, [str(bad)], 2, [r"^%s:\d+:\d+: error: invalid YAML" % re.escape(str(bad))])


def test_invalid_config(out_root, tmp_path):
    bad = tmp_path / "shop.yaml"
    bad.write_text("dataset_id: shop\ndataset_name: Shop\ndataset_type: transactional\nschema_pattern: oltp\n"
                   "domain: retail\ntarget_rows: 10\ntables:\n  t:\n    columns:\n"
                   "      a: {type: bigint, generator: sequnce}\n")
    assert_fails_cleanly(out_root, [str(bad)], 2,
                         [r"^%s:10:\d+: error: unknown generator 'sequnce' \(did you mean 'sequence'\?\)"
                          % re.escape(str(bad))])


def test_output_root_is_a_file(tmp_path):
    f = tmp_path / "afile"
    f.write_text("x\n")
    before = snapshot(tmp_path)
    p = run(["compile", "-d", "retail_oltp_small", "-r", "100"], root=f)
    assert p.returncode == 1, p.stderr
    assert str(f) in p.stderr and "Not a directory" in p.stderr, p.stderr
    assert snapshot(tmp_path) == before


def test_output_root_under_a_file(tmp_path):
    f = tmp_path / "afile"
    f.write_text("x\n")
    before = snapshot(tmp_path)
    p = run(["compile", "-d", "retail_oltp_small", "-r", "100"], root=f / "sub")
    assert p.returncode == 1, p.stderr
    assert str(f / "sub") in p.stderr, p.stderr
    assert snapshot(tmp_path) == before


def test_output_root_under_a_read_only_folder(tmp_path):
    if os.geteuid() == 0:
        # root writes through chmod 0555; /proc refuses new entries even to root
        root = Path("/proc/ingen_fab_compile_test/out")
        before = None
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        root = ro / "out"
        before = snapshot(tmp_path)
    try:
        p = run(["compile", "-d", "retail_oltp_small", "-r", "100"], root=root)
    finally:
        if os.geteuid() != 0:
            (tmp_path / "ro").chmod(0o755)
    assert p.returncode == 1, p.stderr
    assert str(root) in p.stderr, p.stderr
    assert not root.exists()
    if before is not None:
        assert snapshot(tmp_path) == before


def test_file_in_the_way_inside_the_root(tmp_path):
    root = tmp_path / "out"
    root.mkdir()
    (root / "ddl_scripts").write_text("a file where a folder goes\n")
    assert_fails_cleanly(root, ["-d", "retail_oltp_small", "-r", "100"], 1, [r"ddl_scripts"])


def test_dry_run_writes_nothing(out_root):
    before = snapshot(out_root)
    p = run(["compile", "-d", "retail_oltp_small", "-r", "100", "--dry-run"], root=out_root)
    assert p.returncode == 0, p.stderr
    assert snapshot(out_root) == before


def broken_templates(tmp_path, rel, text):
    d = tmp_path / "tpl"
    (d / rel).parent.mkdir(parents=True, exist_ok=True)
    (d / rel).write_text(text)
    return d


@pytest.mark.parametrize("rel, text, message", [
    ("ddl/lakehouse/create_table.sql.j2", "-- x\nCREATE TABLE {{ table.name \n",
     r"2:14: error: unclosed '\{\{' tag"),
    ("ddl/lakehouse/create_table.sql.j2", "-- x\nCREATE TABLE {{ table.nme }}\n", r"2:23: error: 'nme' is undefined"),
    ("ddl/lakehouse/sample_dataset_configurations.sql.j2", "{% for d in catalog %}\n{{ d.id | nosuchfilter }}\n{% endfor %}\n",
     r"2:\d+: error: .*nosuchfilter"),
    ("notebooks/_meta_cell.j2", "{% for x in %}\n", r"1:13: error: expected an expression"),
    ("notebooks/python.py.j2", "{% if dataset.id %}\nno endif\n", r"1:1: error: 'if' block is never closed"),
])
def test_broken_template(out_root, tmp_path, rel, text, message):
    tpl = broken_templates(tmp_path, rel, text)
    assert_fails_cleanly(out_root, ["-d", "retail_oltp_small", "-r", "100", "-m", "python", "--templates-dir", str(tpl)], 2,
                         [r"^%s:%s" % (re.escape(str(tpl / rel)), message)])


def test_repeated_templates_dirs_all_apply(tmp_path):
    t1, t2 = tmp_path / "t1" / "ddl" / "lakehouse", tmp_path / "t2" / "ddl" / "lakehouse"
    for d in (t1, t2):
        d.mkdir(parents=True)
    src = ROOT / "templates" / "ddl" / "lakehouse"
    (t1 / "config_synthetic_data_datasets.sql.j2").write_text(
        "-- from t1\n" + (src / "config_synthetic_data_datasets.sql.j2").read_text())
    (t2 / "log_synthetic_data_generation.sql.j2").write_text(
        "-- from t2\n" + (src / "log_synthetic_data_generation.sql.j2").read_text())
    compile_ok(tmp_path / "out", ["-d", "retail_oltp_small", "-r", "100", "-f", "ddl",
                                  "--templates-dir", str(tmp_path / "t1"), "--templates-dir", str(tmp_path / "t2")])
    cfg = tmp_path / "out" / "ddl_scripts" / "Lakehouses" / "Config" / "001_Initial_Creation_SyntheticData"
    assert (cfg / "001_config_synthetic_data_datasets.sql").read_text().startswith("-- from t1\n")
    assert (cfg / "003_log_synthetic_data_generation.sql").read_text().startswith("-- from t2\n")


def test_missing_templates_dir(out_root, tmp_path):
    assert_fails_cleanly(out_root, ["-d", "retail_oltp_small", "-r", "100", "--templates-dir",
                                    str(tmp_path / "nope")], 2, [r"nope"])


def test_templates_dir_override_is_used(tmp_path):
    """The positive case of the broken-template tests: an override really replaces the built-in."""
    tpl = broken_templates(tmp_path, "ddl/warehouse/create_schema.sql.j2",
                           "-- overridden\nCREATE SCHEMA [{{ schema }}];\n")
    compile_ok(tmp_path / "out", ["-d", "retail_oltp_small", "-r", "100", "-e", "warehouse", "-f", "ddl",
                                  "--templates-dir", str(tpl)])
    got = (tmp_path / "out" / "ddl_scripts" / "Warehouses" / "Config" / "001_Initial_Creation_SyntheticData" /
           "001_create_schema_config.sql").read_text()
    assert got == "-- overridden\nCREATE SCHEMA [config];\n"
    shutil.rmtree(tpl)


def test_generate_without_execute_compiles_as_compile_does(tmp_path):
    """`generate ID` without --execute writes exactly what `compile ID` writes."""
    a, b = tmp_path / "generate", tmp_path / "compile"
    p = run(["generate", "retail_oltp_small", "-r", "100", "-m", "python"], root=a)
    assert p.returncode == 0, p.stderr
    p = run(["compile", "retail_oltp_small", "-r", "100", "-m", "python"], root=b)
    assert p.returncode == 0, p.stderr
    files = lambda r: {str(f.relative_to(r)): f.read_bytes() for f in sorted(r.rglob("*")) if f.is_file()}
    got = files(a)
    assert any(k.endswith("notebook-content.py") for k in got)
    assert got == files(b)
