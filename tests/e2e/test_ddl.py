"""The compiled DDL really runs: lakehouse scripts on a local Spark with Delta, warehouse
scripts through a strict sqlglot parse and Fabric Warehouse's rules (fabric_rules.py).

For every predefined dataset (`ingen_fab package synthetic-data list --format json`, the
plain and the incremental catalogue), and the custom dataset(s) of the compile goldens
(tests/golden/compile/*/dataset.yaml: SQL-word column names, quotes, a backslash and a line
break in descriptions, a bigint reference onto an int key), the DDL is compiled at 100 rows
(`compile -f ddl -r 100`) and checked against an oracle that does not come from the
compiler: the dataset's YAML file read with PyYAML (table and column order, types,
primary keys, `write: false`, partition columns, descriptions, references), cross-checked
with the plan of `validate --json`.

- Lakehouse: the package's config scripts are byte-identical for every dataset; they run
  once, twice over (idempotent: IF NOT EXISTS, and the seed INSERT replaces its rows), in a
  fresh database, and sample_dataset_configurations then holds exactly the catalogue.  Each
  dataset's scripts run in numbered order in a fresh database of their own (twice: "safe to
  run more than once"), and every created table's schema (names, types, nullability),
  partition columns and comments equal the oracle; no other table is created.  A table
  script byte-identical to one already verified in this session is not run again (its
  oracle must be the same).  String literals must read the same on Spark 3.5 (Fabric
  Runtime 1.3), which has no '' escape, as on the Spark 4 of the tests.
- Warehouse: every statement parses with sqlglot (dialect fabric) under ErrorLevel.RAISE
  with no exp.Command (except the one shape fabric_rules parses itself), Fabric's type and
  constraint rules hold, the tables and key constraints equal the oracle (string ->
  VARCHAR(8000) and timestamp -> DATETIME2(6), as the SQL endpoint maps Delta types), and the
  config tables agree with the lakehouse ones.
- The checker itself is tested on deliberately bad scripts.

Spark is slow on a small shared machine: one session (conftest.py), 100 rows, DDL only.
Run: .venv/bin/python -m pytest tests/e2e/test_ddl.py  (INGEN_FAB_BIN picks the binary).
"""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

import datasets_meta as dm
import fabric_rules as fr

REPO = Path(__file__).resolve().parents[2]
BIN = str(Path(os.environ.get("INGEN_FAB_BIN", REPO / "build" / "ingen_fab")).resolve())
ROWS = "100"
OUR_ENV = ["SCALE_FACTOR", "BATCH_SIZE", "OUTPUT_PATH", "FABRIC_WORKSPACE_REPO_DIR",
           "FABRIC_ENVIRONMENT", "INGEN_FAB_DATASETS"]
CONFIG_TABLES = ["config_synthetic_data_datasets", "config_synthetic_data_generation_jobs",
                 "log_synthetic_data_generation", "sample_dataset_configurations"]
SPARK_TYPE = re.compile(r"boolean|int|bigint|double|decimal\(\d+,\d+\)|string|varchar\(\d+\)|date|timestamp")


def run(args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k not in OUR_ENV}
    return subprocess.run([BIN] + args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _catalog():
    """The predefined datasets: [(id, entry of `list --format json`)]; [] without a binary."""
    if not os.path.exists(BIN):
        return []
    p = run(["package", "synthetic-data", "list", "--format", "json"])
    if p.returncode != 0:
        return []
    doc = json.loads(p.stdout)
    return sorted((d["id"], d) for d in doc["datasets"] + doc["incremental_datasets"])


def _custom():
    """The custom datasets of the compile goldens (odd column names, quotes in descriptions)."""
    out = {}
    for path in sorted((REPO / "tests" / "golden" / "compile").glob("*/dataset.yaml")):
        with open(path, encoding="utf-8") as f:
            out[yaml.safe_load(f)["dataset_id"]] = {"source": str(path), "custom": True}
    return out


CATALOG = dict(_catalog())
CUSTOM = _custom() if CATALOG else {}
IDS = sorted(CATALOG) + sorted(CUSTOM) or ["<no catalogue: build ingen_fab or set INGEN_FAB_BIN>"]


def need_dataset(ds_id):
    if ds_id not in CATALOG and ds_id not in CUSTOM:
        pytest.fail("no catalogue from %s (list --format json failed or no binary)" % BIN, pytrace=False)
    return CATALOG.get(ds_id) or CUSTOM[ds_id]


def dataset_arg(ds_id):
    """What to name the dataset on the command line: its id, or the path of a custom config."""
    return CUSTOM[ds_id]["source"] if ds_id in CUSTOM else ds_id


def source_path(entry):
    src = entry["source"]
    return REPO / src[len("<builtin>/"):] if src.startswith("<builtin>/") else Path(src)


def compile_ddl(root, ds, target, extra=()):
    """Compiles the DDL of `ds` for `target` under `root`: {relative path: text}, sorted by path."""
    p = run(["--fabric-workspace-repo-dir", str(root), "package", "synthetic-data", "compile",
             "-d", dataset_arg(ds), "-r", ROWS, "-e", target, "-f", "ddl", *extra])
    assert p.returncode == 0, "compile %s -e %s failed (%d):\n%s" % (ds, target, p.returncode, p.stderr)
    files = {}
    for f in sorted(Path(root).rglob("*")):
        if f.is_file():
            files[f.relative_to(root).as_posix()] = f.read_text(encoding="utf-8")
    top = "ddl_scripts/%s/" % ("Warehouses" if target == "warehouse" else "Lakehouses")
    assert files and all(k.startswith(top) for k in files), sorted(files)
    return files


def split_scripts(files, ds):
    """(config scripts, dataset scripts), each [(path, text)] in numbered order; checks the numbering."""
    config, tables = [], []
    for path, text in files.items():
        parts = path.split("/")
        assert len(parts) == 5 and re.fullmatch(r"\d{3}_[A-Za-z0-9_]+\.sql", parts[4]), path
        if parts[2] == "Config":
            assert parts[3] == "001_Initial_Creation_SyntheticData", path
            config.append((path, text))
        else:
            assert parts[2:4] == [ds, "001_Create_Tables"], path
            tables.append((path, text))
    for group in (config, tables):
        numbers = [int(p.rsplit("/", 1)[1][:3]) for p, _ in group]
        assert numbers == list(range(1, len(group) + 1)), [p for p, _ in group]
    return config, tables


# ----------------------------------------------------------------------------------------------
# The oracle: the dataset's YAML read independently of the compiler


def _norm_type(t):
    t = re.sub(r"\s+", "", str(t)).lower()
    return "decimal(10,0)" if t == "decimal" else t


def load_oracle(path, plan):
    """The tables a dataset's DDL must create, from its YAML file and its plan (validate --json).

    Returns [{name, description, columns: [(name, spark type, nullable, description)],
    primary_key, partition_columns}] for the written tables in plan order, and the set of
    foreign keys (child table, child column, parent table, parent column) a warehouse can
    declare: onto the single-column primary key of a written table, between columns of the
    same T-SQL type (SQL Server rejects a foreign key whose columns differ in type, length or
    scale, errors 1778 and 1753; the config language lets a bigint reference an int, and a
    string a varchar(n)).
    """
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    tables = doc["tables"]

    def col_spec(tname, cname):
        spec = tables[tname]["columns"][cname]
        return {"type": spec} if isinstance(spec, str) else dict(spec)

    def col_type(tname, cname, depth=0):
        spec = col_spec(tname, cname)
        if "type" in spec:
            t = str(spec["type"])
            if re.fullmatch(r"(?i)decimal\(\s*\d+\s*", t):   # {type: decimal(18,2)} split by YAML
                rest = [k for k, v in spec.items() if v is None and re.fullmatch(r"\s*\d+\s*\)", str(k))]
                assert len(rest) == 1, (tname, cname, spec)
                t += "," + str(rest[0])
            return _norm_type(t)
        assert spec.get("generator") == "reference" and depth < 10, (tname, cname, spec)
        rt, rc = spec["references"].split(".")
        return col_type(rt, rc, depth + 1)

    def pk_of(tname):
        pk = tables[tname].get("primary_key") or []
        return [pk] if isinstance(pk, str) else list(pk)

    plan_tables = [t["name"] for t in plan["tables"]]
    assert sorted(plan_tables) == sorted(tables), "plan and YAML disagree on the tables"
    written = [t["name"] for t in plan["tables"] if t["write"]]
    assert written == [t for t in plan_tables if tables[t].get("write", True) is not False]
    ds_parts = (doc.get("output") or {}).get("partition_columns") or []
    out = []
    for tname in written:
        t = tables[tname]
        pk = pk_of(tname)
        cols = []
        for cname in t["columns"]:
            ty = col_type(tname, cname)
            assert SPARK_TYPE.fullmatch(ty), "unexpected type %r of %s.%s in the YAML" % (ty, tname, cname)
            desc = col_spec(tname, cname).get("description")
            cols.append((cname, ty, cname not in pk, desc))
        parts = t.get("partition_columns")
        if parts is None:
            parts = [c for c in ds_parts if c in t["columns"]]
        out.append({"name": tname, "description": t.get("description"), "columns": cols,
                    "primary_key": pk, "partition_columns": list(parts)})

    links = []
    for tname, t in tables.items():
        for cname in t["columns"]:
            spec = col_spec(tname, cname)
            if spec.get("generator") == "reference":
                rt, rc = spec["references"].split(".")
                links.append((tname, cname, rt, rc))
    for r in doc.get("relationships") or []:
        pt, pc = r["parent"].split(".")
        ct, cc = r["child"].split(".")
        links.append((ct, cc, pt, pc))
    fks = {(ct, cc, pt, pc) for ct, cc, pt, pc in links
           if ct in written and pt in written and pk_of(pt) == [pc]
           and tsql_of(col_type(ct, cc)) == tsql_of(col_type(pt, pc))}
    return out, fks


def plan_of(ds_id):
    p = run(["package", "synthetic-data", "validate", dataset_arg(ds_id), "-r", ROWS, "--json"])
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


TSQL_OF = {"boolean": "BIT", "int": "INT", "bigint": "BIGINT", "double": "FLOAT", "string": "VARCHAR(8000)",
           "date": "DATE", "timestamp": "DATETIME2(6)"}


def tsql_of(spark_type):
    m = re.fullmatch(r"(decimal|varchar)\((.*)\)", spark_type)
    return "%s(%s)" % (m.group(1).upper(), m.group(2)) if m else TSQL_OF[spark_type]


# ----------------------------------------------------------------------------------------------
# The checker on known-bad and known-good scripts (no binary, no Spark)

GOOD = """\
-- a comment; with a semicolon
CREATE SCHEMA [cfg];
CREATE TABLE [cfg].[parent] (
    [id] BIGINT NOT NULL,
    [code] VARCHAR(10) NULL,
    [ts] DATETIME2(6) NULL,
    [t] TIME(0) NULL,
    [amount] DECIMAL(18,2) NULL,
    [ratio] FLOAT NULL,
    [flag] BIT NULL,
    [notes] VARCHAR(MAX) NULL,
    [raw] VARBINARY(16) NULL,
    [c] CHAR(2) NULL
);
CREATE TABLE [dbo].[child] ([child_id] BIGINT IDENTITY NOT NULL, [parent_id] BIGINT NULL, [day] DATE NULL);
ALTER TABLE [cfg].[parent] ADD CONSTRAINT [PK_parent] PRIMARY KEY NONCLUSTERED ([id]) NOT ENFORCED;
alter table child add constraint pk_child primary key nonclustered (child_id) not enforced;
ALTER TABLE [cfg].[parent] ADD CONSTRAINT [UQ_parent_code] UNIQUE NONCLUSTERED ([code]) NOT ENFORCED;
ALTER TABLE [dbo].[child] ADD CONSTRAINT [FK_child_parent] FOREIGN KEY ([parent_id]) REFERENCES [cfg].[parent] ([id]) NOT ENFORCED;
INSERT INTO [cfg].[parent] ([id], [code], [flag], [notes]) VALUES (1, 'a;b', 1, NULL), (2, 'it''s', 0, 'x');
"""

BAD = """\
CREATE TABLE [dbo].[bad] (
    [id] INT NOT NULL PRIMARY KEY,
    [name] NVARCHAR(100) NULL,
    [qty] INT NOT NULL DEFAULT 0,
    [ts] DATETIME2(7) NULL
);
"""


def rules_of(check):
    return sorted({v.rule for v in check.violations})


def test_checker_accepts_a_good_script():
    check = fr.check_warehouse_scripts([("good.sql", GOOD)])
    assert check.violations == []
    assert check.statements == 8
    parent = check.tables[("cfg", "parent")]
    assert [c.type_sql for c in parent.columns.values()] == [
        "BIGINT", "VARCHAR(10)", "DATETIME2(6)", "TIME(0)", "DECIMAL(18,2)", "FLOAT", "BIT", "VARCHAR(MAX)",
        "VARBINARY(16)", "CHAR(2)"]
    assert parent.primary_key == ("id",) and parent.rows_inserted == 2
    assert check.tables[("dbo", "child")].foreign_keys == [(("parent_id",), ("cfg", "parent"), ("id",))]
    assert check.tables[("dbo", "child")].columns["child_id"].identity


def test_checker_rejects_the_deliberately_bad_script():
    check = fr.check_warehouse_scripts([("bad.sql", BAD)])
    text = "\n".join(map(str, check.violations))
    assert "bad.sql:2: [inline_constraint] column 'id' has an inline PRIMARY KEY" in text
    assert "bad.sql:3: [type] column 'name': type NVARCHAR(100) is not supported by Fabric Warehouse" in text
    assert "bad.sql:4: [default] column 'qty' has DEFAULT 0" in text
    assert "bad.sql:5: [type] column 'ts': type DATETIME2(7): Fabric allows at most 6 fractional digits" in text
    assert rules_of(check) == ["default", "inline_constraint", "type"]
    assert len(check.violations) == 4


@pytest.mark.parametrize("ddl", [
    "[a] NCHAR(2)", "[a] NTEXT", "[a] TEXT", "[a] IMAGE", "[a] DATETIME", "[a] SMALLDATETIME",
    "[a] DATETIMEOFFSET", "[a] MONEY", "[a] SMALLMONEY", "[a] TINYINT", "[a] XML", "[a] JSON",
    "[a] UNIQUEIDENTIFIER", "[a] SQL_VARIANT", "[a] INTT", "[a] TIME(7)", "[a] DATETIME2",
    "[a] VARCHAR(8001)", "[a] CHAR(MAX)", "[a] DECIMAL(39,2)", "[a] DECIMAL(5,6)", "[a] BIGINT(5)",
])
def test_checker_rejects_types_fabric_lacks(ddl):
    check = fr.check_warehouse_scripts([("t.sql", "CREATE TABLE [dbo].[t] (%s NULL);" % ddl)])
    assert rules_of(check) == ["type"], check.violations


@pytest.mark.parametrize("sql, rule", [
    ("CREATE TABLE t (a INT IDENTITY NOT NULL);", "identity"),
    ("CREATE TABLE t (a BIGINT IDENTITY(1,1) NOT NULL);", "identity"),
    ("CREATE TABLE t (a INT NULL, b AS a + 1);", "computed"),
    ("CREATE TABLE t (a INT NULL CHECK (a > 0));", "check"),
    ("CREATE TABLE t (a INT NULL UNIQUE);", "inline_constraint"),
    ("CREATE TABLE t (a INT NULL, CONSTRAINT pk PRIMARY KEY (a));", "inline_constraint"),
    ("CREATE TABLE p (a INT NOT NULL); CREATE TABLE t (a INT NULL REFERENCES p (a));", "inline_constraint"),
    ("CREATE TABLE [a/b] (a INT NULL);", "name"),
    ("CREATE TABLE [t] ([a\\b] INT NULL);", "name"),
    ("CREATE TABLE [t.] (a INT NULL);", "name"),
    ("CREATE TABLE t (a INT NULL, A INT NULL);", "name"),
    ("CREATE TABLE t (a INT NULL); CREATE TABLE t (b INT NULL);", "duplicate"),
    ("CREATE TABLE t (a INT NULL,, b INT NULL);", "syntax"),
    ("CREATE TABLE t (a INT NULL) garbage;", "parse"),
    ("CREATE TABLE s.t (a INT NULL);", "schema"),
    ("CREATE TABLE t (a INT NULL); DROP TABLE t;", "statement"),
    ("CREATE TABLE t (a INT NOT NULL); ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY NONCLUSTERED (a);", "primary_key"),
    ("CREATE TABLE t (a INT NOT NULL); ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY (a) NOT ENFORCED;",
     "primary_key"),
    ("CREATE TABLE t (a INT NULL); ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY NONCLUSTERED (a) NOT ENFORCED;",
     "pk_nullable"),
    ("CREATE TABLE t (a INT NOT NULL); ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY NONCLUSTERED (b) NOT ENFORCED;",
     "unknown_column"),
    ("CREATE TABLE t (a INT NOT NULL); ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY NONCLUSTERED (a) NOT ENFORCED;"
     "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY NONCLUSTERED (a) NOT ENFORCED;", "duplicate"),
    ("CREATE TABLE t (a INT NOT NULL); ALTER TABLE t ADD CONSTRAINT u UNIQUE (a);", "unique"),
    ("CREATE TABLE t (a INT NOT NULL); ALTER TABLE t ADD CONSTRAINT /* c */ pk PRIMARY KEY NONCLUSTERED (a) NOT ENFORCED;",
     "parse"),
    ("CREATE TABLE t (a INT NULL); ALTER TABLE t ADD CONSTRAINT d DEFAULT 0 FOR a;", "parse"),
])
def test_checker_rejects(sql, rule):
    check = fr.check_warehouse_scripts([("t.sql", sql)])
    assert rule in rules_of(check), check.violations


FK_BASE = ("CREATE TABLE p (id BIGINT NOT NULL, code VARCHAR(10) NOT NULL);"
           "CREATE TABLE c (pid BIGINT NULL, pint INT NULL, pcode VARCHAR(10) NULL);")
PK = "ALTER TABLE p ADD CONSTRAINT pk_p PRIMARY KEY NONCLUSTERED (id) NOT ENFORCED;"


@pytest.mark.parametrize("sql, message", [
    (FK_BASE + PK + "ALTER TABLE c ADD CONSTRAINT fk FOREIGN KEY (pid) REFERENCES p (id);", "exactly ... NOT ENFORCED"),
    (FK_BASE + PK + "ALTER TABLE c ADD CONSTRAINT fk FOREIGN KEY (pid) REFERENCES p (id) ON DELETE CASCADE;",
     "exactly ... NOT ENFORCED"),
    (FK_BASE + "ALTER TABLE c ADD CONSTRAINT fk FOREIGN KEY (pid) REFERENCES p (id) NOT ENFORCED;" + PK,
     "has no primary key (yet)"),
    (FK_BASE + PK + "ALTER TABLE c ADD CONSTRAINT fk FOREIGN KEY (pcode) REFERENCES p (code) NOT ENFORCED;",
     "not its primary key"),
    (FK_BASE + PK + "ALTER TABLE c ADD CONSTRAINT fk FOREIGN KEY (pint) REFERENCES p (id) NOT ENFORCED;",
     "differ in type"),
    (FK_BASE + PK + "ALTER TABLE c ADD CONSTRAINT fk FOREIGN KEY (pid) REFERENCES q (id) NOT ENFORCED;",
     "not created by the scripts"),
    (FK_BASE + PK + "ALTER TABLE c ADD CONSTRAINT pk_p FOREIGN KEY (pid) REFERENCES p (id) NOT ENFORCED;",
     "constraint name 'pk_p' is used twice"),
    (FK_BASE + PK + "ALTER TABLE c ADD CONSTRAINT fk FOREIGN KEY (nope) REFERENCES p (id) NOT ENFORCED;",
     "'nope' is not a column of dbo.c"),
])
def test_checker_foreign_keys(sql, message):
    check = fr.check_warehouse_scripts([("fk.sql", sql)])
    assert any(message in str(v) for v in check.violations), check.violations


@pytest.mark.parametrize("values, message", [
    ("(1, 'abc')", "string of 3 bytes does not fit VARCHAR(2)"),
    ("(1, 'é€')", "string of 5 bytes does not fit VARCHAR(2)"),
    ("(NULL, 'a')", "NULL in a NOT NULL column"),
    ("(2147483648, 'a')", "out of range for INT"),
    ("(1)", "row 1 has 1 values for 2 columns"),
    ("(1, 2)", "number 2 for a VARCHAR(2) column"),
    (", ".join(["(1, 'a')"] * 1001), "1001 rows in one VALUES list"),
])
def test_checker_insert_values(values, message):
    sql = "CREATE TABLE t (a INT NOT NULL, b VARCHAR(2) NULL); INSERT INTO t (a, b) VALUES %s;" % values
    check = fr.check_warehouse_scripts([("i.sql", sql)])
    assert any(message in str(v) for v in check.violations), check.violations


def test_checker_column_limit():
    cols = ", ".join("[c%d] INT NULL" % i for i in range(1025))
    check = fr.check_warehouse_scripts([("w.sql", "CREATE TABLE [dbo].[w] (%s);" % cols)])
    assert [v.rule for v in check.violations] == ["columns"]
    cols = ", ".join("[c%d] INT NULL" % i for i in range(1024))
    assert fr.check_warehouse_scripts([("w.sql", "CREATE TABLE [dbo].[w] (%s);" % cols)]).violations == []


def test_key_constraint_parser_is_exact():
    kc = fr.parse_key_constraint("ALTER TABLE [dbo].[t x] ADD CONSTRAINT [PK t] PRIMARY KEY NONCLUSTERED "
                                 "([a], b) NOT ENFORCED")
    assert kc == fr.KeyConstraint(("dbo", "t x"), "PK t", "PRIMARY KEY", ("a", "b"))
    assert fr.parse_key_constraint("alter table t add constraint u unique nonclustered (a) not enforced").kind == "UNIQUE"
    for bad in ["ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY NONCLUSTERED (a) NOT ENFORCED x",
                "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY CLUSTERED (a) NOT ENFORCED",
                "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY NONCLUSTERED () NOT ENFORCED",
                "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY NONCLUSTERED (a,) NOT ENFORCED",
                "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY NONCLUSTERED (a) ENFORCED",
                "ALTER TABLE t ADD PRIMARY KEY NONCLUSTERED (a) NOT ENFORCED",
                "ALTER TABLE t ADD CONSTRAINT [p]k] PRIMARY KEY NONCLUSTERED (a) NOT ENFORCED",
                "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY NONCLUSTERED (a) NOT ENFORCED; DROP TABLE t"]:
        assert fr.parse_key_constraint(bad) is None, bad


def test_statements_split_at_top_level_semicolons_only():
    sts = fr.split_statements("-- a; b\nSELECT 'x;y';\n\nSELECT [a;b] FROM t -- c;\n;", fr.WAREHOUSE_DIALECT)
    assert [(s.text, s.line) for s in sts] == [("SELECT 'x;y'", 2), ("SELECT [a;b] FROM t", 4)]


def test_parse_strict_rejects_command_fallbacks():
    assert len(fr.parse_strict("CREATE TABLE t (a INT);", "spark")) == 1
    with pytest.raises(fr.ParseError):
        fr.parse_strict("CREATE TABLE t (a INT) garbage;", "spark")
    with pytest.raises(fr.ParseError):
        fr.parse_strict("CREATE TABLE t (a INT;", "spark")


# ----------------------------------------------------------------------------------------------
# Warehouse DDL of every dataset


@pytest.fixture(scope="module")
def config_scripts(tmp_path_factory):
    """The config scripts of both targets, from one dataset's compile (they are the same for all)."""
    ds = "retail_oltp_small" if "retail_oltp_small" in CATALOG else (sorted(CATALOG) or [None])[0]
    if ds is None:
        pytest.fail("no catalogue from %s" % BIN, pytrace=False)
    out = {}
    for target in ("lakehouse", "warehouse"):
        files = compile_ddl(tmp_path_factory.mktemp("config-" + target), ds, target)
        out[target] = split_scripts(files, ds)[0]
    return out


WAREHOUSE_IDS = IDS


@pytest.mark.parametrize("ds_id", WAREHOUSE_IDS)
def test_warehouse_ddl_follows_fabric_rules(ds_id, tmp_path, config_scripts):
    need_dataset(ds_id)
    files = compile_ddl(tmp_path, ds_id, "warehouse")
    config, tables = split_scripts(files, ds_id)
    assert config == config_scripts["warehouse"], "the warehouse config scripts differ between datasets"
    check = fr.check_warehouse_scripts(config + tables)
    assert check.violations == [], "\n".join(map(str, check.violations))

    oracle, fks = load_oracle(source_path(need_dataset(ds_id)), plan_of(ds_id))
    # one script per written table (plan order, the parents first), then the constraints
    names = [p.rsplit("/", 1)[1][4:-4] for p, _ in tables]
    assert names == [t["name"] for t in oracle] + ["constraints"]
    dbo = [k for k in check.tables if k[0] == "dbo"]
    assert dbo == [("dbo", t["name"]) for t in oracle]
    for t in oracle:
        got = check.tables[("dbo", t["name"])]
        assert [(c.name, c.type_sql, c.nullable) for c in got.columns.values()] == \
            [(n, tsql_of(ty), nullable) for n, ty, nullable, _ in t["columns"]], t["name"]
        assert list(got.primary_key) == t["primary_key"], t["name"]
    declared = {(t[1], cols[0], p[1], pcols[0])
                for t, tab in check.tables.items() if t[0] == "dbo"
                for cols, p, pcols in tab.foreign_keys}
    assert declared == fks


def test_warehouse_config_tables(config_scripts):
    check = fr.check_warehouse_scripts(config_scripts["warehouse"])
    assert check.violations == []
    assert check.schemas == {"dbo", "config"}
    assert [k for k in check.tables] == [("config", t) for t in CONFIG_TABLES]
    for t in CONFIG_TABLES[:3]:
        assert check.tables[("config", t)].primary_key, t
    # the seed rows: one per predefined dataset
    assert check.tables[("config", "sample_dataset_configurations")].rows_inserted == len(CATALOG)


def test_lakehouse_and_warehouse_config_tables_agree(config_scripts):
    """The same columns, nullability and compatible types on both targets."""
    wh = fr.check_warehouse_scripts(config_scripts["warehouse"]).tables
    compatible = {"TEXT": ("VARCHAR", "CHAR"), "BIGINT": ("BIGINT",), "INT": ("INT",), "BOOLEAN": ("BIT",),
                  "TIMESTAMP": ("DATETIME2",), "TIMESTAMPTZ": ("DATETIME2",), "DATE": ("DATE",), "DECIMAL": ("DECIMAL",)}
    lake = {}
    for _, text in config_scripts["lakehouse"]:
        for tree in fr.parse_strict(text, fr.LAKEHOUSE_DIALECT):
            if isinstance(tree, fr.exp.Create):
                lake[tree.this.this.name] = [
                    (cd.name, cd.args["kind"], not any(isinstance(c.args.get("kind"), fr.exp.NotNullColumnConstraint)
                                                       for c in cd.args.get("constraints") or []))
                    for cd in tree.this.expressions]
    assert list(lake) == CONFIG_TABLES
    for t in CONFIG_TABLES:
        w = wh[("config", t)].columns
        assert [c[0] for c in lake[t]] == list(w), t
        for name, dt, nullable in lake[t]:
            assert nullable == w[name].nullable, (t, name)
            base = w[name].type_sql.split("(")[0]
            assert base in compatible[dt.this.value], (t, name, dt.sql("spark"), w[name].type_sql)
            if dt.this == fr.DT.DECIMAL:
                assert dt.sql("tsql") == w[name].type.sql("tsql"), (t, name)


# ----------------------------------------------------------------------------------------------
# Lakehouse DDL on Spark


def spark35_literal_problems(text):
    """String literals that Spark 3.5 (Fabric Runtime 1.3) reads differently from Spark 4.

    Spark 4 accepts '' as a quote inside a string literal; Spark 3.5's lexer does not, so
    'it''s' is the two literals 'it' 's' there: concatenated ("its") in an expression, and a
    syntax error after COMMENT.  Backslash escapes (\\') mean the same on both.
    """
    out = []
    toks = fr.Dialect.get_or_raise(fr.LAKEHOUSE_DIALECT).tokenize(text)
    for a, b in zip(toks, toks[1:] + [None]):
        raw = text[a.start:a.end + 1]
        if a.token_type != fr.TokenType.STRING:
            continue
        # sqlglot's spark tokenizer, like Spark 3.5, ends a literal at the first lone quote
        if "''" in raw[1:-1] or (b is not None and b.token_type == fr.TokenType.STRING and b.start == a.end + 1):
            out.append("line %d: %s" % (a.line, raw[:80]))
    return out


def test_spark35_literal_check():
    assert spark35_literal_problems("SELECT 'it\\'s', '', 'a'") == []
    assert spark35_literal_problems("COMMENT 'it''s'") != []


def run_script(spark, text):
    for st in fr.split_statements(text, fr.LAKEHOUSE_DIALECT):
        spark.sql(st.text)


def spark_columns(spark, table):
    out = []
    for f in spark.table(table).schema.fields:
        ty = f.metadata.get("__CHAR_VARCHAR_TYPE_STRING") or f.dataType.simpleString()
        out.append((f.name, ty, f.nullable))
    return out


class fresh_database:
    """USE a new database for the block, and go back to `default` after it."""

    def __init__(self, spark, name):
        self.spark, self.name = spark, name

    def __enter__(self):
        self.spark.sql("DROP DATABASE IF EXISTS %s CASCADE" % self.name)
        self.spark.sql("CREATE DATABASE %s" % self.name)
        self.spark.sql("USE %s" % self.name)
        return self

    def __exit__(self, *exc):
        self.spark.sql("USE default")


def test_lakehouse_config_scripts_run_on_spark(spark, config_scripts):
    scripts = config_scripts["lakehouse"]
    for path, text in scripts:
        fr.parse_strict(text, fr.LAKEHOUSE_DIALECT)
        assert spark35_literal_problems(text) == [], path
    with fresh_database(spark, "ddltest_config"):
        for _ in range(2):   # idempotent
            for _, text in scripts:
                run_script(spark, text)
        got = sorted(r.tableName for r in spark.sql("SHOW TABLES").collect())
        assert got == sorted(CONFIG_TABLES)
        for t in CONFIG_TABLES[:3]:
            assert spark.table(t).count() == 0
        rows = spark.sql("SELECT * FROM sample_dataset_configurations ORDER BY dataset_id").collect()
        expected = [(e["id"], e["name"], e["type"], e["pattern"], e["domain"], e["target_rows"],
                     ",".join(t for t in e["tables"] if t in written_tables(e)), e["incremental"], e["description"])
                    for _, e in sorted(CATALOG.items())]
        assert [tuple(r) for r in rows] == expected
        nullable = {f.name: f.nullable for f in spark.table("sample_dataset_configurations").schema.fields}
        assert nullable["dataset_id"] is False


def written_tables(entry):
    with open(source_path(entry), encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    return [t for t, spec in doc["tables"].items() if spec.get("write", True) is not False]


# Statement text -> the oracle entry of the table it created and that was verified on Spark.
# Many datasets share table scripts byte for byte (small/large, incremental variants); running
# the same SQL again proves nothing new, so a later dataset only checks that its oracle for
# that table equals the verified one.  Run a test alone and it executes everything.
_VERIFIED = {}


def _oracle_key(t):
    return json.dumps(t, sort_keys=True)


@pytest.mark.parametrize("ds_id", IDS)
def test_lakehouse_ddl_runs_on_spark(ds_id, spark, tmp_path, config_scripts, created_tables):
    need_dataset(ds_id)
    files = compile_ddl(tmp_path, ds_id, "lakehouse")
    config, tables = split_scripts(files, ds_id)
    assert config == config_scripts["lakehouse"], "the lakehouse config scripts differ between datasets"
    oracle, _ = load_oracle(source_path(need_dataset(ds_id)), plan_of(ds_id))
    assert [p.rsplit("/", 1)[1][4:-4] for p, _ in tables] == [t["name"] for t in oracle]
    todo = []
    for (path, text), t in zip(tables, oracle):
        trees = fr.parse_strict(text, fr.LAKEHOUSE_DIALECT)
        assert [type(x).__name__ for x in trees] == ["Create"], path
        assert trees[0].args.get("exists"), "%s: not CREATE TABLE IF NOT EXISTS" % path
        assert spark35_literal_problems(text) == [], path
        st = fr.split_statements(text, fr.LAKEHOUSE_DIALECT)[0].text
        if st in _VERIFIED:
            assert _VERIFIED[st] == _oracle_key(t), "%s: same SQL as a verified table, different oracle" % path
        else:
            todo.append((st, t))
    if not todo:
        return

    with fresh_database(spark, "ddltest_" + ds_id):
        for _ in range(2):   # "safe to run more than once"
            for st, _ in todo:
                spark.sql(st)
        assert sorted(r.tableName for r in spark.sql("SHOW TABLES").collect()) == sorted(t["name"] for _, t in todo)
        for st, t in todo:
            name = t["name"]
            assert spark_columns(spark, name) == [(n, ty, nl) for n, ty, nl, _ in t["columns"]], name
            # DESCRIBE TABLE EXTENDED, not DESCRIBE DETAIL (which rebuilds the Delta snapshot, ~2 s)
            detail = dm.describe_table(spark, name)
            assert detail["provider"] == "delta", name
            assert detail["partitions"] == t["partition_columns"], name
            assert (detail["comment"] or None) == (t["description"] or None), name
            assert detail["comments"] == {n: d for n, _, _, d in t["columns"]}, name
            _VERIFIED[st] = _oracle_key(t)
            # test_notebooks.py compares written schemas with these tables instead of creating them again
            created_tables[st] = dict(detail, name=name)
