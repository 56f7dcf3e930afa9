"""Fixtures for the end-to-end tests: one local Spark with Delta Lake for the whole session.

The Delta jars are fetched once by tools/setup.sh (Maven, tools/maven/pom.xml) into .deps/jars;
INGEN_FAB_JARS_DIR names another directory. They go on `spark.jars`, so nothing is downloaded
when the tests run (no `spark.jars.packages`, no Ivy). Starting the JVM costs seconds, so the
session is created once and shared; tests must not stop it or change its global settings.
"""

import glob
import os
import shlex
import shutil
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# Helpers beside this file (hashref.py) import under any pytest --import-mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))


def delta_jars():
    """The jars to put on spark.jars, sorted; an empty list when none are there."""
    jars_dir = Path(os.environ.get("INGEN_FAB_JARS_DIR", REPO_ROOT / ".deps" / "jars"))
    return sorted(glob.glob(str(jars_dir / "*.jar")))


@pytest.fixture(scope="session")
def spark_jars():
    jars = delta_jars()
    if not any(Path(j).name.startswith("delta-spark") for j in jars):
        pytest.fail(
            "no delta-spark jar in .deps/jars (or INGEN_FAB_JARS_DIR): run tools/setup.sh --deps-only",
            pytrace=False,
        )
    return jars


def spark_conf(jars, base):
    """The settings of the test Spark: local[2], Delta, UTC, everything under `base`."""
    # Test jobs are small and short: the C1 compiler alone and the serial collector start
    # faster and use less CPU on a small machine (about half the wall time here).
    java_options = [
        f"-Dderby.system.home={base}",
        "-Duser.timezone=UTC",
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
    ]
    return {
        "spark.master": "local[2]",
        "spark.app.name": "ingen_fab-tests",
        "spark.jars": ",".join(jars),
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": str(Path(base) / "warehouse"),
        "spark.driver.memory": "2g",
        "spark.driver.extraJavaOptions": " ".join(java_options),
        "spark.local.dir": str(Path(base) / "local"),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.databricks.delta.snapshotPartitions": "2",
    }


def _require_java():
    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        pytest.fail("no java on PATH and JAVA_HOME unset: run tools/setup.sh --deps-only", pytrace=False)


@pytest.fixture(scope="session")
def spark(spark_jars, tmp_path_factory):
    """A local[2] SparkSession with the Delta extensions and catalog, shared by all tests."""
    _require_java()
    # Python workers (pandas conversions, any UDF) run in this same interpreter, the venv's.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    for key, value in spark_conf(spark_jars, tmp_path_factory.mktemp("spark")).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def created_tables():
    """CREATE TABLE statement text -> what Spark made of it (datasets_meta.describe_table),
    filled by the modules that run lakehouse DDL on the session Spark (test_ddl.py verifies
    every table script; test_notebooks.py compares written schemas with the created tables):
    a statement already executed and described in this session is not executed again."""
    return {}


@pytest.fixture(scope="session")
def spark_subprocess_env(spark_jars, tmp_path_factory):
    """Environment for a child Python that makes its own Spark (a notebook run as a script).

    PYSPARK_SUBMIT_ARGS carries the same settings as the `spark` fixture, so a plain
    `SparkSession.builder.getOrCreate()` in the child gets local[2] with Delta, offline.
    Use as `subprocess.run([sys.executable, script], env=spark_subprocess_env, ...)`.
    """
    _require_java()
    conf = spark_conf(spark_jars, tmp_path_factory.mktemp("spark-child"))
    args = ["--master", conf.pop("spark.master")]
    for key, value in conf.items():
        args += ["--conf", f"{key}={value}"]
    env = dict(os.environ)
    env["PYSPARK_SUBMIT_ARGS"] = " ".join(shlex.quote(a) for a in args + ["pyspark-shell"])
    env["PYSPARK_PYTHON"] = sys.executable
    env["PYSPARK_DRIVER_PYTHON"] = sys.executable
    return env


# Functions of test_notebooks.py without a `ds` parameter that read one dataset's runs.
_NOTEBOOK_TEST_DATASET = {"test_pyspark_file_outputs_hold_the_table_rows": "observability_events_small",
                          "test_dim_date_check_finds_broken_keys": "retail_star_small"}


def pytest_collection_modifyitems(config, items):
    """Groups for pytest-xdist's `--dist loadgroup` (tools/test.sh runs two workers): a test
    module is one group (its module fixtures are built once, in one worker), except
    test_notebooks.py, which is one group per dataset (the tests of a dataset share its
    runs; the datasets are independent), so that two workers share the longest module.
    Without xdist the marks do nothing."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        group = item.nodeid.split("::")[0]
        if group.endswith("test_notebooks.py"):
            params = getattr(getattr(item, "callspec", None), "params", {})
            name = getattr(item, "originalname", item.name)
            group += "::" + str(params.get("ds") or _NOTEBOOK_TEST_DATASET.get(name, "own config"))
        item.add_marker(pytest.mark.xdist_group(group))
