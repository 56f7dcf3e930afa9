#!/usr/bin/env bash
# setup.sh: the README's first command. Installs everything the project needs, builds it, and
# runs the main job, on a fresh Debian machine or an already prepared one (each step is skipped
# when its result is already there, so running it twice is cheap).
#
#   1. Debian packages: C libraries, CMake, Ninja, a JDK, Maven, venv (apt, only if missing);
#   2. a Python virtual environment in .venv with tests/requirements.txt;
#   3. the Delta Lake jars for the local Spark, through Maven, into .deps/jars;
#   4. a CMake build in build/;
#   5. the main job: list the dataset catalogue (list-datasets, list-incremental-datasets),
#      validate and plan every dataset in it, then compile retail_star_small (python and
#      pyspark notebooks, DDL) and generate it on the native runtime into out/lakehouse/.
#
# Usage: tools/setup.sh [--deps-only | --job-only] [--no-apt]
#   --deps-only  steps 1-3 only (tools/test.sh calls this when the environment is missing)
#   --job-only   step 5 only, with the binary already built
#   --no-apt     never call apt-get; fail if a Debian package is missing
# Environment: PYTHON (the interpreter that makes the venv, default python3),
#   INGEN_BUILD_DIR (default build), INGEN_FAB_JARS_DIR (default .deps/jars).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

VENV="$ROOT/.venv"
REQUIREMENTS="$ROOT/tests/requirements.txt"
POM="$ROOT/tools/maven/pom.xml"
JARS_DIR="${INGEN_FAB_JARS_DIR:-$ROOT/.deps/jars}"
BUILD_DIR="${INGEN_BUILD_DIR:-$ROOT/build}"
PYTHON="${PYTHON:-python3}"

APT_PACKAGES=(
	build-essential pkg-config cmake ninja-build
	libyaml-dev libpcre2-dev libcjson-dev libxxhash-dev libzstd-dev libsnappy-dev
	openjdk-17-jdk-headless maven
	python3 python3-venv ca-certificates
)

do_deps=1 do_build=1 do_job=1 use_apt=1
for arg in "$@"; do
	case "$arg" in
	--deps-only) do_build=0 do_job=0 ;;
	--job-only) do_deps=0 do_build=0 ;;
	--no-apt) use_apt=0 ;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "setup.sh: unknown argument '$arg' (allowed: --deps-only, --job-only, --no-apt)" >&2
		exit 2
		;;
	esac
done

step() { printf '\n==> %s\n' "$*"; }
die() {
	printf 'setup.sh: error: %s\n' "$*" >&2
	exit 1
}
# sha256 of the given files, one line, to stamp what a step was made from.
fingerprint() { cat "$@" | sha256sum | cut -d' ' -f1; }

install_debian_packages() {
	step "Debian packages"
	local missing=() p
	for p in "${APT_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "all ${#APT_PACKAGES[@]} packages are installed"
		return
	fi
	echo "missing: ${missing[*]}"
	[ "$use_apt" = 1 ] || die "Debian packages missing and --no-apt given: ${missing[*]}"
	command -v apt-get >/dev/null || die "no apt-get on this machine: install ${missing[*]} by hand"
	local sudo=()
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]} as root"
		sudo=(sudo)
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}"
}

make_venv() {
	step "Python environment (.venv, tests/requirements.txt)"
	command -v "$PYTHON" >/dev/null || die "no '$PYTHON' on PATH: set PYTHON to a Python 3.11+ interpreter"
	"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
		die "'$PYTHON' is $("$PYTHON" -V 2>&1): Python 3.11 or newer is needed"
	local want
	want="$(fingerprint "$REQUIREMENTS") $("$PYTHON" -c 'import sys; print(sys.version.split()[0])')"
	if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys' 2>/dev/null &&
		[ "$(cat "$VENV/.ingen-requirements" 2>/dev/null)" = "$want" ]; then
		echo "up to date ($("$VENV/bin/python" -V))"
		return
	fi
	if ! [ -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
		rm -rf "$VENV"
		"$PYTHON" -m venv "$VENV"
	fi
	rm -f "$VENV/.ingen-requirements"
	"$VENV/bin/python" -m pip install -q --progress-bar off --upgrade pip
	"$VENV/bin/python" -m pip install -q --progress-bar off -r "$REQUIREMENTS"
	"$VENV/bin/python" -c 'import pyspark, deltalake, duckdb, numpy, pandas, pyarrow, pytest, sqlglot, yaml'
	echo "$want" >"$VENV/.ingen-requirements"
	echo "installed into .venv ($("$VENV/bin/python" -V))"
}

fetch_jars() {
	step "Delta Lake jars (Maven, tools/maven/pom.xml -> ${JARS_DIR#"$ROOT"/})"
	local want
	want=$(fingerprint "$POM")
	if [ "$(cat "$JARS_DIR/.ingen-pom" 2>/dev/null)" = "$want" ] && compgen -G "$JARS_DIR/delta-spark*.jar" >/dev/null; then
		echo "up to date: $(cd "$JARS_DIR" && echo *.jar)"
		return
	fi
	command -v mvn >/dev/null || die "no mvn on PATH (Debian package maven)"
	local tmp="$JARS_DIR.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	# Maven's log only matters when it fails (its -q mode still prints colour codes).
	if ! mvn -B -ntp -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
		-DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
		cat "$tmp.log" >&2
		rm -rf "$tmp" "$tmp.log"
		die "Maven could not fetch the jars of $POM"
	fi
	rm -f "$tmp.log"
	compgen -G "$tmp/delta-spark*.jar" >/dev/null || { rm -rf "$tmp"; die "Maven gave no delta-spark jar"; }
	echo "$want" >"$tmp/.ingen-pom"
	rm -rf "$JARS_DIR"
	mv "$tmp" "$JARS_DIR"
	echo "fetched: $(cd "$JARS_DIR" && echo *.jar)"
}

build() {
	step "CMake build (${BUILD_DIR#"$ROOT"/})"
	local gen=()
	if ! [ -f "$BUILD_DIR/CMakeCache.txt" ] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
	cmake -S "$ROOT" -B "$BUILD_DIR" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build "$BUILD_DIR" -j "$(nproc)"
}

# The main job on the local default: the catalogue, validate (load, check and plan) every
# dataset in it, then compile and generate the default dataset. Any failure of the binary stops
# the script with its exit code.
main_job() {
	local bin="$BUILD_DIR/ingen_fab" py=python3 json ids rc cmd
	step "Main job: the dataset catalogue"
	[ -x "$bin" ] || die "no binary at $bin: run tools/setup.sh (without --job-only) to build it"
	[ -x "$VENV/bin/python" ] && py="$VENV/bin/python"
	for cmd in list-datasets list-incremental-datasets; do
		"$bin" package synthetic-data "$cmd" || {
			rc=$?
			die "'ingen_fab package synthetic-data $cmd' failed (exit $rc)"
		}
		echo
	done
	json=$("$bin" package synthetic-data list --type datasets --format json) || {
		rc=$?
		die "'ingen_fab package synthetic-data list --type datasets --format json' failed (exit $rc)"
	}
	# The ids of {"datasets": [{"id": ...}, ...], "incremental_datasets": [...]}.
	ids=$(printf '%s' "$json" | "$py" -c '
import json, sys
doc = json.load(sys.stdin)
items = doc.get("datasets", []) + doc.get("incremental_datasets", [])
for item in items:
    key = item.get("id") if isinstance(item, dict) else None
    if not isinstance(key, str):
        sys.exit("a dataset without an id in the JSON: %r" % (item,))
    print(key)
') || die "could not read the dataset ids from 'list --type datasets --format json'"
	[ -n "$ids" ] || die "the catalogue is empty: 'list --type datasets --format json' names no dataset"
	local -a id_list
	mapfile -t id_list <<<"$ids"
	step "Main job: validate and plan ${#id_list[@]} datasets"
	"$bin" package synthetic-data validate "${id_list[@]}" || {
		rc=$?
		die "'ingen_fab package synthetic-data validate ${id_list[*]}' failed (exit $rc)"
	}
	# Then the default dataset end to end on the local default engine: its notebooks and DDL
	# (both modes), and a native run writing the local lakehouse (Delta tables) under out/.
	local job_ds=retail_star_small
	step "Main job: compile $job_ds (python and pyspark notebooks, lakehouse DDL)"
	for mode in python pyspark; do
		"$bin" package synthetic-data compile "$job_ds" --generation-mode "$mode" || {
			rc=$?
			die "'ingen_fab package synthetic-data compile $job_ds --generation-mode $mode' failed (exit $rc)"
		}
	done
	step "Main job: generate $job_ds on the native runtime"
	"$bin" package synthetic-data generate "$job_ds" --execute || {
		rc=$?
		die "'ingen_fab package synthetic-data generate $job_ds --execute' failed (exit $rc)"
	}
	printf '\nmain job: %d datasets listed, validated and planned; %s compiled and generated\n' \
		"${#id_list[@]}" "$job_ds"
}

if [ "$do_deps" = 1 ]; then
	install_debian_packages
	make_venv
	fetch_jars
fi
if [ "$do_build" = 1 ]; then build; fi
if [ "$do_job" = 1 ]; then main_job; fi
echo
echo "setup.sh: done"
