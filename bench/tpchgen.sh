#!/usr/bin/env bash
# tpchgen.sh: tpchgen-cli (the Rust TPC-H generator, from PyPI) as the fast-generator reference.
# Generates TPC-H tables at a scale factor to CSV and Parquet with 1 and 2 threads, each run
# measured by bench/measure.py. Rows per table at scale factor SF: lineitem about 6,001,215 x
# SF (16 columns), orders 1,500,000 x SF (9 columns); the exact count is read back from the
# output (CSV lines minus the header, Parquet metadata) and recorded.
#
# Usage: bench/tpchgen.sh [options]
#   --sf N             scale factor (default: 1)
#   --tables "T ..."   lineitem, orders, ... (default: "lineitem orders")
#   --formats "F ..."  csv, parquet (default: "csv parquet")
#   --threads "T ..."  --num-threads values (default: "1 2")
#   --repeat K         runs of each combination (default: 3)
#   --out DIR          output folder, removed after each run (default: out/bench-tpch)
#   --results FILE     JSON lines file (default: bench/results/results.jsonl)
#   --max-load X       wait until the 1-minute load average is below X before each run
# Environment: PYTHON (default .venv-bench/bin/python), TPCHGEN (default: tpchgen-cli beside it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SF=1
TABLES="lineitem orders"
FORMATS="csv parquet"
THREADS="1 2"
REPEAT=3
OUT="$ROOT/out/bench-tpch"
RESULTS="$ROOT/bench/results/results.jsonl"
MAX_LOAD=""
PYTHON="${PYTHON:-$ROOT/.venv-bench/bin/python}"
TPCHGEN="${TPCHGEN:-$(dirname "$PYTHON")/tpchgen-cli}"

while [ $# -gt 0 ]; do
	case "$1" in
	--sf) SF="$2"; shift 2 ;;
	--tables) TABLES="$2"; shift 2 ;;
	--formats) FORMATS="$2"; shift 2 ;;
	--threads) THREADS="$2"; shift 2 ;;
	--repeat) REPEAT="$2"; shift 2 ;;
	--out) OUT="$2"; shift 2 ;;
	--results) RESULTS="$2"; shift 2 ;;
	--max-load) MAX_LOAD="$2"; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "tpchgen.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

[ -x "$TPCHGEN" ] || { echo "tpchgen.sh: no tpchgen-cli at '$TPCHGEN': see bench/README.md" >&2; exit 2; }

# Rows of one generated file: CSV lines minus the header, or the Parquet footer's count.
count_rows() {
	local fmt=$1 file=$2
	if [ "$fmt" = csv ]; then
		echo $(( $(wc -l <"$file") - 1 ))
	else
		"$PYTHON" -c 'import sys, pyarrow.parquet as pq; print(pq.ParquetFile(sys.argv[1]).metadata.num_rows)' "$file"
	fi
}

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
for table in $TABLES; do
	for fmt in $FORMATS; do
		# The row count is the same for every run: take it from one unmeasured run.
		rm -rf "$OUT"
		mkdir -p "$OUT"
		"$TPCHGEN" "$fmt" -s "$SF" --tables "$table" --output-dir "$OUT" --quiet
		rows=$(count_rows "$fmt" "$OUT/$table.$fmt")
		for t in $THREADS; do
			for rep in $(seq 1 "$REPEAT"); do
				rm -rf "$OUT"
				mkdir -p "$OUT"
				wait_for_quiet
				"$PYTHON" "$ROOT/bench/measure.py" \
					--label "tpchgen-$table-$fmt-t$t" --rows "$rows" \
					--bytes-dir "$OUT" --clean "$OUT" --results "$RESULTS" \
					--meta engine=tpchgen --meta table="$table" --meta format="$fmt" \
					--meta threads="$t" --meta sf="$SF" --meta rep="$rep" \
					-- "$TPCHGEN" "$fmt" -s "$SF" --tables "$table" --num-threads "$t" \
					--output-dir "$OUT" --quiet || status=1
			done
		done
	done
done
rm -rf "$OUT"
exit $status
