#!/usr/bin/env bash
# End-to-end replay benchmark: generates about SIZE of logs with loggen (once,
# cached in DIR) and runs bench/replay_throughput on them, which measures the
# single-thread RapidJSON floor and the full pipeline in the same run.
#
#   bench/run_replay.sh [SIZE=1G] [DIR=/tmp/logweave-bench] [THREADS=0 (cores)]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1G}
dir=${2:-/tmp/logweave-bench}
threads=${3:-0}
cmake --preset release >/dev/null
cmake --build --preset release --target loggen replay_throughput >/dev/null
if [ ! -f "$dir/.done-$size" ]; then
  rm -rf "$dir"
  build/release/tools/loggen --out "$dir" --bytes "$size" --seed 1
  touch "$dir/.done-$size"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(lscpu | sed -n 's/Model name: *//p')"
build/release/bench/replay_throughput --threads "$threads" "$dir"
