#!/usr/bin/env bash
# End-to-end replay benchmark: generates about SIZE of logs with loggen (once,
# cached in DIR) and runs bench/replay_throughput on them RUNS times (each run
# measures the full pipeline and the single-thread RapidJSON floor in the same
# process), then prints every run and the median of each figure: this VM's
# noise moves single runs by a third.
#
#   bench/run_replay.sh [SIZE=1G] [DIR=/tmp/logweave-bench] [THREADS=0 (cores)] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1G}
dir=${2:-/tmp/logweave-bench}
threads=${3:-0}
runs=${4:-3}
cmake --preset release -DLOGWEAVE_BUILD_BENCH=ON >/dev/null
cmake --build --preset release --target loggen replay_throughput >/dev/null
if [ ! -f "$dir/.done-$size" ]; then
  rm -rf "$dir"
  build/release/tools/loggen --out "$dir" --bytes "$size" --seed 1
  touch "$dir/.done-$size"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(lscpu | sed -n 's/Model name: *//p')"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for run in $(seq "$runs"); do
  echo "== run $run of $runs"
  build/release/bench/replay_throughput --threads "$threads" "$dir" | tee /dev/stderr | tail -1 >>"$results"
done 2>&1
python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
print(f"\nmedian of {len(rows)} runs (min - max):")
for key, label in [("replay_lines_per_s", "replay lines/s"), ("floor_lines_per_s", "floor lines/s"),
                   ("ratio", "replay / (threads x floor)"), ("replay_cpu_ns_per_line", "replay CPU ns per line"),
                   ("rss_ratio", "peak RSS / raw bytes"), ("parse_scaling", "parsing alone: threads x one thread"),
                   ("budget_ns_per_line", "0.7 target's CPU budget ns per line"),
                   ("fresh_copy_ns_per_line", "bytes into fresh memory ns per line"),
                   ("sax_ns_per_line", "do-nothing RapidJSON SAX ns per line")]:
    values = [r[key] for r in rows]
    print(f"  {label:38s} {statistics.median(values):>12,.3f}   ({min(values):,.3f} - {max(values):,.3f})")
PY
