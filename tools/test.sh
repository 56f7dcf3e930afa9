#!/usr/bin/env bash
# test.sh: the README's second command, and what CI runs (.ci/run). Runs every test:
#
#   deps    tools/setup.sh --deps-only (installs only what is missing: a fresh clone works)
#   unit    build/ (normal build) and its C unit tests (ctest)
#   asan    build-asan/ (ASan + UBSan, one malloc per arena object) and the same C tests
#   golden  tests/golden/run_golden.py on the normal binary, then on the ASan binary
#   py      pytest over tests/ (tests/cli, tests/e2e, ...) with the .venv Python
#   job     the main job of tools/setup.sh: list and validate the catalogue, compile and
#           generate retail_star_small
#
# Usage: tools/test.sh [unit|asan|golden|py|job|all]... [-- PYTEST_ARGS...]
#   With no step, all of them (only py when pytest arguments are given). Arguments after
#   `--` go to pytest instead of `tests/`, e.g. tools/test.sh -- tests/e2e -k delta
# Every step runs even when an earlier one failed (a failed build runs what it did build);
# a summary closes the output, and the exit code is 0 only when every step passed.
# Environment: INGEN_BUILD_DIR (build), INGEN_ASAN_BUILD_DIR (build-asan),
#   INGEN_TEST_NO_SETUP=1 skips the deps step, INGEN_PYTEST_WORKERS (2): pytest-xdist
#   workers of the py step (0: no worker processes).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BUILD_DIR="${INGEN_BUILD_DIR:-$ROOT/build}"
ASAN_DIR="${INGEN_ASAN_BUILD_DIR:-$ROOT/build-asan}"
VENV_PY="$ROOT/.venv/bin/python"
JOBS=$(nproc 2>/dev/null || echo 2)

want_unit=0 want_asan=0 want_golden=0 want_py=0 want_job=0
pytest_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	unit) want_unit=1 ;;
	asan) want_asan=1 ;;
	golden) want_golden=1 ;;
	py | pytest) want_py=1 ;;
	job) want_job=1 ;;
	all) want_unit=1 want_asan=1 want_golden=1 want_py=1 want_job=1 ;;
	--)
		shift
		pytest_args=("$@")
		break
		;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "test.sh: unknown step '$1' (allowed: unit, asan, golden, py, job, all; then -- PYTEST_ARGS)" >&2
		exit 2
		;;
	esac
	shift
done
if [ $((want_unit + want_asan + want_golden + want_py + want_job)) -eq 0 ]; then
	if [ ${#pytest_args[@]} -gt 0 ]; then
		want_py=1
	else
		want_unit=1 want_asan=1 want_golden=1 want_py=1 want_job=1
	fi
fi

# Sanitizer runs stop at the first error and say where it happened.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

names=() states=() times=()
failed=0 passed=0 skipped=0

# record NAME STATE SECONDS [NOTE]
record() {
	names+=("$1")
	states+=("$2${4:+ ($4)}")
	times+=("$3")
	case "$2" in
	ok) passed=$((passed + 1)) ;;
	FAILED) failed=$((failed + 1)) ;;
	*) skipped=$((skipped + 1)) ;;
	esac
}

# run_step NAME COMMAND...: runs it, records ok or FAILED, returns its status.
run_step() {
	local name=$1 start rc
	shift
	printf '\n==> %s: %s\n' "$name" "$*"
	start=$SECONDS
	set +e
	"$@"
	rc=$?
	set -e
	if [ $rc -eq 0 ]; then
		record "$name" ok $((SECONDS - start))
	else
		printf '==> %s FAILED (exit %d)\n' "$name" "$rc"
		record "$name" FAILED $((SECONDS - start)) "exit $rc"
	fi
	return $rc
}

# cmake_build DIR CMAKE_ARGS...: configures (Ninja on a new directory) and builds. The build
# keeps going past a file that does not compile, so that everything else is built and tested.
cmake_build() {
	local dir=$1 gen=() keep_going=(-k)
	shift
	if ! [ -f "$dir/CMakeCache.txt" ] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
	cmake -S "$ROOT" -B "$dir" "${gen[@]}" "$@" || return
	grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja' "$dir/CMakeCache.txt" && keep_going=(-k 0)
	nice cmake --build "$dir" -j "$JOBS" -- "${keep_going[@]}"
}

ctest_in() {
	ctest --test-dir "$1" --output-on-failure --no-tests=error --timeout 600 -j "$JOBS"
}

golden() {
	"$VENV_PY" "$ROOT/tests/golden/run_golden.py" --bin "$1"
}

pytest_all() {
	local targets=("${pytest_args[@]}")
	[ ${#targets[@]} -gt 0 ] || targets=(tests)
	local rc=0
	# Two workers: Spark's planning runs on one driver thread, so one pytest process keeps
	# about one core busy. Groups (tests/e2e/conftest.py): a module per group, except
	# test_notebooks.py, one group per dataset.
	INGEN_FAB_BIN="$BUILD_DIR/ingen_fab" INGEN_BUILD_DIR="$BUILD_DIR" timeout 2700 "$VENV_PY" -m pytest -ra --durations=10 \
		-n "${INGEN_PYTEST_WORKERS:-2}" --dist loadgroup \
		--rootdir="$ROOT" -o testpaths=tests -p no:cacheprovider "${targets[@]}" || rc=$?
	# pytest exit 5: it collected no test. tests/e2e always has some, so this is only
	# reachable with a -k or path of the caller's that selects nothing; say so, and fail.
	[ $rc -ne 5 ] || echo "test.sh: pytest selected no test (arguments: ${targets[*]})" >&2
	return $rc
}

# The main job of tools/setup.sh; its long listing goes to a log, shown when it fails.
main_job() {
	local log="$BUILD_DIR/main-job.log"
	if INGEN_BUILD_DIR="$BUILD_DIR" "$ROOT/tools/setup.sh" --job-only >"$log" 2>&1; then
		grep '^main job:' "$log"
		echo "(full output in ${log#"$ROOT"/})"
	else
		cat "$log"
		return 1
	fi
}

need_build=$((want_unit + want_golden + want_py + want_job))
need_asan=$((want_asan + want_golden))

if [ "${INGEN_TEST_NO_SETUP:-0}" = 1 ]; then
	record deps skipped 0 "INGEN_TEST_NO_SETUP=1"
elif ! run_step deps "$ROOT/tools/setup.sh" --deps-only; then
	echo "test.sh: the environment could not be set up; the steps below may fail for that" >&2
fi

# A failed build is a failed step, but the tests still run on what did build (a stale
# binary from an earlier build is removed first, so nothing is tested that was not rebuilt).
if [ $need_build -gt 0 ]; then
	rm -f "$BUILD_DIR/ingen_fab"
	run_step build cmake_build "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DINGEN_SANITIZE=OFF -DINGEN_DEBUG_ARENA=OFF || true
fi
if [ $need_asan -gt 0 ]; then
	rm -f "$ASAN_DIR/ingen_fab"
	run_step build-asan cmake_build "$ASAN_DIR" -DCMAKE_BUILD_TYPE=Debug \
		-DINGEN_SANITIZE=ON -DINGEN_DEBUG_ARENA=ON || true
fi

# step NAME NEEDED_FILE COMMAND...: runs the step if its build made NEEDED_FILE.
step() {
	local name=$1 needed=$2
	shift 2
	if [ -e "$needed" ]; then
		run_step "$name" "$@" || true
	else
		record "$name" FAILED 0 "not run: no ${needed#"$ROOT"/}"
	fi
}

[ $want_unit = 0 ] || step unit "$BUILD_DIR/CTestTestfile.cmake" ctest_in "$BUILD_DIR"
[ $want_asan = 0 ] || step asan "$ASAN_DIR/CTestTestfile.cmake" ctest_in "$ASAN_DIR"
if [ $want_golden = 1 ]; then
	if [ -f "$ROOT/tests/golden/run_golden.py" ]; then
		step golden "$BUILD_DIR/ingen_fab" golden "$BUILD_DIR/ingen_fab"
		step golden-asan "$ASAN_DIR/ingen_fab" golden "$ASAN_DIR/ingen_fab"
	else
		record golden skipped 0 "no tests/golden/run_golden.py"
	fi
fi
# pytest runs even without a binary: tests/e2e needs none, tests/cli then fails clearly.
[ $want_py = 0 ] || step py "$VENV_PY" pytest_all
[ $want_job = 0 ] || step job "$BUILD_DIR/ingen_fab" main_job

printf '\n==> summary\n'
for i in "${!names[@]}"; do
	printf '  %-12s %6ss  %s\n' "${names[$i]}" "${times[$i]}" "${states[$i]}"
done
line="steps: $passed passed, $failed failed"
[ $skipped -eq 0 ] || line="$line, $skipped skipped"
echo "$line"
[ $failed -eq 0 ]
