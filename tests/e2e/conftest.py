"""Fixtures for the end-to-end tests: one local Spark with Delta Lake for the whole session.

The Delta jars are fetched once by tools/setup.sh (Maven, tools/maven/pom.xml) into .deps/jars;
INGEN_FAB_JARS_DIR names another directory. They go on `spark.jars`, so nothing is downloaded
when the tests run (no `spark.jars.packages`, no Ivy). Starting the JVM costs seconds, so the
session is created once and shared; tests must not stop it or change its global settings.
"""

import glob
import os
import shutil
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


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


@pytest.fixture(scope="session")
def spark(spark_jars, tmp_path_factory):
    """A local[2] SparkSession with the Delta extensions and catalog, shared by all tests."""
    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        pytest.fail("no java on PATH and JAVA_HOME unset: run tools/setup.sh --deps-only", pytrace=False)
    # Python workers (pandas conversions, any UDF) run in this same interpreter, the venv's.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    base = tmp_path_factory.mktemp("spark")
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("ingen_fab-tests")
        .config("spark.jars", ",".join(spark_jars))
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(base / "warehouse"))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={base} -Duser.timezone=UTC")
        .config("spark.local.dir", str(base / "local"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.databricks.delta.snapshotPartitions", "2")
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
