#!/usr/bin/env bash
# run_all.sh: every benchmark of docs/performance.md, in order, into one results file, plus a
# description of the machine and the versions; then the Markdown tables (bench/report.py).
#
#   1. the native runtime: 1M, 10M, 100M rows x csv, parquet, delta x 1, 2 threads
#      (bench/run_native.sh; 3 runs each, 1 at 100M), and the cost of each column of the bench
#      table (bench/column_costs.py, 10M rows, CSV, CPU time; into <results>.columns.md);
#   2. the python notebook (1M, 10M), the pyspark notebook and dbldatagen on the same local
#      Spark with 1 and 2 cores (1M, 10M), dbldatagen's UDF-based features (1M, parquet)
#      (bench/run_notebooks.py);
#   3. Faker per row as upstream does it, upstream's customers table and the bench table
#      (bench/faker_upstream.py, 100k rows; a CPU-bound Python loop, so the rate holds at any
#      size and a larger run only takes longer);
#   4. tpchgen-cli at scale factor 1: lineitem and orders, csv and parquet, 1 and 2 threads
#      (bench/tpchgen.sh).
#
# Usage: bench/run_all.sh [--quick] [--max-load X] [--results FILE] [--only native,notebooks,faker,tpch]
#   --quick        tiny sizes, one run each: checks that every script works (minutes)
#   --max-load X   before each run, wait until the 1-minute load average is below X
#   --results FILE default bench/results/results-<date>.jsonl (machine-<date>.txt beside it)
# Environment: PYTHON (default .venv-bench/bin/python); INGEN_BUILD_DIR, the build folder
#   relative to the repository (default build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PYTHON="${PYTHON:-$ROOT/.venv-bench/bin/python}"
export PYTHON

QUICK=0
MAX_LOAD=""
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS="$ROOT/bench/results/results-$STAMP.jsonl"
ONLY="native,notebooks,faker,tpch"
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1; shift ;;
	--max-load) MAX_LOAD="$2"; shift 2 ;;
	--results) RESULTS="$2"; shift 2 ;;
	--only) ONLY="$2"; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run_all.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
mkdir -p "$(dirname "$RESULTS")"
MACHINE="${RESULTS%.jsonl}.machine.txt"
load_opt=()
[ -n "$MAX_LOAD" ] && load_opt=(--max-load "$MAX_LOAD")
want() { case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "host: nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "cpu flags of note: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512f|sse4_2|bmi2)$' | paste -sd' ')"
	echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB total, " $7 " GiB available"}')"
	echo "disk: $(df -h --output=source,fstype,size,avail "$ROOT/out" 2>/dev/null | tail -1 | tr -s ' ')"
	echo "kernel: $(uname -r)"
	echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "ingen_fab: $("$ROOT/${INGEN_BUILD_DIR:-build}/ingen_fab" --version 2>&1 | head -1); $(cc --version | head -1)"
	echo "python: $("$PYTHON" --version 2>&1)"
	"$PYTHON" - <<'EOF'
import importlib.metadata as md
for p in ("numpy", "pyarrow", "pandas", "deltalake", "pyspark", "dbldatagen", "faker", "tpchgen-cli", "psutil"):
    try:
        print(f"{p}: {md.version(p)}")
    except md.PackageNotFoundError:
        print(f"{p}: not installed")
EOF
	echo "java: $(java -version 2>&1 | head -1)"
	echo "delta jars: $(ls "$ROOT/.deps/jars" 2>/dev/null | paste -sd' ')"
} >"$MACHINE"
cat "$MACHINE"

status=0
if [ "$QUICK" = 1 ]; then
	want native && { bench/run_native.sh --rows 100000 --repeat 1 --results "$RESULTS" "${load_opt[@]}" || status=1; }
	want notebooks && { "$PYTHON" bench/run_notebooks.py --engines python,pyspark,dbldatagen,dbldatagen-features \
		--rows 20000 --formats csv,parquet,delta --spark-cores 2 --results "$RESULTS" "${load_opt[@]}" || status=1; }
	faker_rows=500
	tpch_sf=0.01
	tpch_repeat=1
else
	want native && { bench/run_native.sh --results "$RESULTS" "${load_opt[@]}" || status=1; }
	if want notebooks; then
		"$PYTHON" bench/run_notebooks.py --engines python,pyspark,dbldatagen \
			--rows 1000000,10000000 --formats csv,parquet,delta --spark-cores 1,2 \
			--results "$RESULTS" "${load_opt[@]}" || status=1
		"$PYTHON" bench/run_notebooks.py --engines dbldatagen-features \
			--rows 1000000 --formats parquet --spark-cores 2 --results "$RESULTS" "${load_opt[@]}" || status=1
	fi
	if want native; then
		"$PYTHON" bench/column_costs.py --rows 10000000 --format csv --repeat 3 \
			>"${RESULTS%.jsonl}.columns.md" || status=1
	fi
	faker_rows=100000
	tpch_sf=1
	tpch_repeat=3
fi

if want faker; then
	OUT="$ROOT/out/bench-faker"
	for shape in customers bench10; do
		for fmt in csv parquet delta; do
			[ -z "$MAX_LOAD" ] || while ! awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v m="$MAX_LOAD" 'BEGIN { exit !(l < m) }'; do sleep 15; done
			rm -rf "$OUT"
			"$PYTHON" bench/measure.py --label "faker-$shape-$fmt-t1" --rows "$faker_rows" \
				--bytes-dir "$OUT/lakehouse" --clean "$OUT" --results "$RESULTS" \
				--engine-seconds-regex 'rows in (?P<secs>[0-9.]+) s' \
				--meta engine=faker --meta table="$shape" --meta format="$fmt" --meta threads=1 \
				-- "$PYTHON" bench/faker_upstream.py --rows "$faker_rows" --shape "$shape" \
				--format "$fmt" --out "$OUT" || status=1
		done
	done
fi

if want tpch; then
	bench/tpchgen.sh --sf "$tpch_sf" --repeat "$tpch_repeat" --results "$RESULTS" "${load_opt[@]}" || status=1
fi

echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$MACHINE"
"$PYTHON" bench/report.py "$RESULTS" | tee "${RESULTS%.jsonl}.md"
echo "results: $RESULTS; machine: $MACHINE; tables: ${RESULTS%.jsonl}.md" >&2
exit $status
