#!/usr/bin/env bash
# run_native.sh: the native runtime on the bench table (bench/datasets/bench_10col.yaml), every
# combination of rows x format x threads, each run measured by bench/measure.py (wall time,
# CPU, peak RSS of the process, bytes written) and appended to a JSON lines file.
#
# Usage: bench/run_native.sh [options]
#   --rows "N ..."       row counts (default: "1000000 10000000 100000000")
#   --formats "F ..."    csv, parquet, delta, jsonl (default: "csv parquet delta")
#   --threads "T ..."    worker threads (default: "1 2")
#   --repeat K           runs of each combination (default: 3; 1 for 100M rows and more)
#   --out DIR            output root, emptied before and removed after each run
#                        (default: out/bench-native; /dev/shm/... measures without the disk)
#   --results FILE       JSON lines file (default: bench/results/results.jsonl)
#   --bin PATH           the ingen_fab binary (default: $INGEN_BUILD_DIR/ingen_fab, build/)
#   --max-load X         wait until the 1-minute load average is below X before each run
#                        (default: no waiting; the load is recorded with every number anyway)
# Environment: PYTHON, the interpreter with psutil (default .venv-bench/bin/python);
#   INGEN_BUILD_DIR, the build folder relative to the repository (default build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ROWS="1000000 10000000 100000000"
FORMATS="csv parquet delta"
THREADS="1 2"
REPEAT=3
OUT="$ROOT/out/bench-native"
RESULTS="$ROOT/bench/results/results.jsonl"
BIN="$ROOT/${INGEN_BUILD_DIR:-build}/ingen_fab"
MAX_LOAD=""
PYTHON="${PYTHON:-$ROOT/.venv-bench/bin/python}"
DATASET="$ROOT/bench/datasets/bench_10col.yaml"

while [ $# -gt 0 ]; do
	case "$1" in
	--rows) ROWS="$2"; shift 2 ;;
	--formats) FORMATS="$2"; shift 2 ;;
	--threads) THREADS="$2"; shift 2 ;;
	--repeat) REPEAT="$2"; shift 2 ;;
	--out) OUT="$2"; shift 2 ;;
	--results) RESULTS="$2"; shift 2 ;;
	--bin) BIN="$2"; shift 2 ;;
	--max-load) MAX_LOAD="$2"; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run_native.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

[ -x "$BIN" ] || { echo "run_native.sh: no binary at '$BIN' (build first, or pass --bin)" >&2; exit 2; }
"$PYTHON" -c 'import psutil' 2>/dev/null || {
	echo "run_native.sh: '$PYTHON' has no psutil: see bench/README.md for the bench venv" >&2
	exit 2
}

# Bytes a run needs on disk, generously: CSV is about 98 bytes a row, Parquet about 45.
need_bytes() { echo $(( $1 * 120 )); }

wait_for_quiet() {
	[ -n "$MAX_LOAD" ] || return 0
	while :; do
		local load
		load=$(cut -d' ' -f1 /proc/loadavg)
		awk -v l="$load" -v m="$MAX_LOAD" 'BEGIN { exit !(l < m) }' && return 0
		echo "load average $load >= $MAX_LOAD: waiting 15 s" >&2
		sleep 15
	done
}

status=0
for rows in $ROWS; do
	reps=$REPEAT
	[ "$rows" -ge 100000000 ] && reps=1
	for fmt in $FORMATS; do
		# threads inside repeats: a 1-thread run and its 2-thread run are minutes apart at
		# most, so their ratio (report.py's paired speed-up) survives the host's drift
		for rep in $(seq 1 "$reps"); do
			for t in $THREADS; do
				rm -rf "$OUT"
				mkdir -p "$OUT"
				free=$(df -B1 --output=avail "$OUT" | tail -1 | tr -d ' ')
				if [ "$free" -lt "$(need_bytes "$rows")" ]; then
					echo "run_native.sh: only $free bytes free under $OUT, $rows rows need about $(need_bytes "$rows"): skipped" >&2
					status=1
					continue
				fi
				wait_for_quiet
				"$PYTHON" "$ROOT/bench/measure.py" \
					--label "native-$fmt-t$t" --rows "$rows" \
					--bytes-dir "$OUT/lakehouse" --clean "$OUT" --results "$RESULTS" \
					--engine-seconds-regex 'rows in (?P<secs>[0-9.]+) s' \
					--meta engine=native --meta format="$fmt" --meta threads="$t" --meta rep="$rep" \
					-- "$BIN" --fabric-workspace-repo-dir "$OUT" package synthetic-data generate "$DATASET" \
					--execute --output-format "$fmt" --threads "$t" -r "$rows" || status=1
			done
		done
	done
done
exit $status
