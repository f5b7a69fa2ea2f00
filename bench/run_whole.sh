#!/usr/bin/env bash
# Whole-command benchmark over data of several shapes (issue 16). For each shape, generates
# about SIZE of logs with `loggen --shape` (once per shape and size, cached in DIR), then
# measures in the same run:
#   (a) bench/replay_throughput: the single-thread parse floor and the ingest-only replay
#       (read + parse + index, no analysis, no output) with its peak RSS;
#   (b) the whole command a user runs, `logweave replay --json --final --quiet`, under
#       /usr/bin/time: wall seconds and peak RSS, so startup, analysis (detectors, attribution
#       of plain-text errors) and writing the findings are all in the figure;
#   (c) DuckDB, the peer a user would pick, grouping the same files by trace id
#       (bench/duckdb_group.mjs; @duckdb/node-api installed once into DIR/.duckdb).
# Prints a table per shape, a summary table, and a JSON line per shape (medians over RUNS).
#
#   bench/run_whole.sh [SIZE=200M] [DIR=/tmp/lw-shapes] [RUNS=1] \
#       [SHAPES="default short-lines short-traces long-traces plain-text many-services"]
#   NO_BUILD=1 bench/run_whole.sh ...   # use the binaries in build/release as they are
#
# Exit status: 0 when every measurement ran (a DuckDB that cannot be installed is skipped with
# the reason, not an error); non-zero when a build, the generator or a measured command fails.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
size=${1:-200M}
dir=${2:-/tmp/lw-shapes}
runs=${3:-1}
shapes=${4:-"default short-lines short-traces long-traces plain-text many-services"}
command_line="bench/run_whole.sh $size $dir $runs \"$shapes\""
case $runs in '' | *[!0-9]* | 0) echo "run_whole: RUNS must be a positive number (got \"$runs\")" >&2; exit 2 ;; esac

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

if [ "${NO_BUILD:-0}" != 1 ]; then
  cmake --preset release -DLOGWEAVE_BUILD_BENCH=ON >/dev/null
  cmake --build --preset release -j2 --target loggen logweave replay_throughput >/dev/null
fi
loggen=$repo/build/release/tools/loggen
logweave=$repo/build/release/tools/logweave
replay_throughput=$repo/build/release/bench/replay_throughput
for bin in "$loggen" "$logweave" "$replay_throughput"; do
  [ -x "$bin" ] || { echo "run_whole: $bin is missing; build it (cmake --build --preset release)" >&2; exit 1; }
done

if [ ! -x /usr/bin/time ]; then
  echo "run_whole: installing the Debian package time (for /usr/bin/time)" >&2
  as_root apt-get install -y time >/dev/null 2>&1 ||
    { as_root apt-get update >/dev/null && as_root apt-get install -y time >/dev/null; } ||
    { echo "run_whole: /usr/bin/time is missing and the time package could not be installed" >&2; exit 1; }
fi

mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# DuckDB through Node: installed once, outside the repository.
duckdb_modules=$dir/.duckdb
duckdb_skip=""
if [ ! -d "$duckdb_modules/node_modules/@duckdb/node-api" ]; then
  if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
    duckdb_skip="node or npm is not installed (Debian packages nodejs and npm)"
  else
    mkdir -p "$duckdb_modules"
    [ -f "$duckdb_modules/package.json" ] || echo '{"private": true}' >"$duckdb_modules/package.json"
    if ! npm install --prefix "$duckdb_modules" --no-audit --no-fund @duckdb/node-api \
        >"$tmp/npm.log" 2>&1; then
      duckdb_skip="npm install @duckdb/node-api failed: $(tail -3 "$tmp/npm.log" | tr '\n' ' ')"
    fi
  fi
fi
[ -z "$duckdb_skip" ] || echo "run_whole: skipping DuckDB: $duckdb_skip" >&2
duckdb_version=$([ -z "$duckdb_skip" ] &&
  sed -n 's/^ *"version": *"\(.*\)",*$/\1/p' "$duckdb_modules/node_modules/@duckdb/node-api/package.json" | head -1 || true)

cores=$(nproc)
machine="$cores cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
echo "machine: $machine"
echo "command: $command_line"
echo "logweave: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (with local changes)'); DuckDB: ${duckdb_version:-skipped}"

results=$tmp/results.jsonl
for shape in $shapes; do
  data=$dir/$shape-$size
  if [ ! -f "$data/.done" ]; then
    rm -rf "$data"
    echo "== generating $shape, $size, into $data"
    "$loggen" --out "$data" --shape "$shape" --bytes "$size" --seed 1 2>"$tmp/loggen.txt" ||
      { cat "$tmp/loggen.txt" >&2; exit 1; }
    cp "$tmp/loggen.txt" "$data/.loggen.txt"
    touch "$data/.done"
  fi
  raw_bytes=$(find "$data" -maxdepth 1 -name '*.log' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  for run in $(seq "$runs"); do
    echo "== $shape, run $run of $runs"
    # (a) the floor and the ingest-only replay.
    "$replay_throughput" "$data" >"$tmp/rt.txt" ||
      { cat "$tmp/rt.txt" >&2; echo "run_whole: replay_throughput failed on $data" >&2; exit 1; }
    tail -1 "$tmp/rt.txt" >"$tmp/rt.json"
    # (b) the whole command. Its output (findings, then the summary line) goes to a file rather
    # than /dev/null so that its last line gives the lines; writing it is part of the command.
    /usr/bin/time -f '%e %M' -o "$tmp/whole.time" \
      "$logweave" replay --json --final --quiet "$data" >"$tmp/whole.out" ||
      { echo "run_whole: logweave replay failed on $data" >&2; exit 1; }
    tail -1 "$tmp/whole.out" >"$tmp/whole.json"
    # (c) DuckDB.
    : >"$tmp/duck.json"
    : >"$tmp/duck.time"
    if [ -z "$duckdb_skip" ]; then
      if /usr/bin/time -f '%e %M' -o "$tmp/duck.time" \
          node "$repo/bench/duckdb_group.mjs" --modules "$duckdb_modules" "$data" >"$tmp/duck.out" 2>&1; then
        tail -1 "$tmp/duck.out" >"$tmp/duck.json"
      else
        echo "run_whole: DuckDB failed on $data (its figures are left out): $(tail -2 "$tmp/duck.out" | tr '\n' ' ')" >&2
        : >"$tmp/duck.time"
      fi
    fi
    python3 - "$shape" "$run" "$raw_bytes" "$tmp" "$data" >>"$results" <<'PY'
import json, sys
shape, run, raw, tmp, data = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
rt = json.load(open(f"{tmp}/rt.json"))
whole = json.load(open(f"{tmp}/whole.json"))
wall, rss_kib = open(f"{tmp}/whole.time").read().split()[-2:]
wall, rss = float(wall), int(rss_kib) * 1024
lines = whole["lines"]
ingest_wall = lines / rt["replay_lines_per_s"]
row = {
    "shape": shape, "run": run, "data": data, "raw_bytes": raw, "lines": lines,
    "json_lines": whole["json_lines"], "unstructured_lines": whole["unstructured_lines"],
    "traces": whole["traces"], "findings": whole.get("findings", {}), "threads": rt["threads"],
    "floor_lines_per_s": rt["floor_lines_per_s"],
    "ingest_lines_per_s": rt["replay_lines_per_s"], "ingest_rss_ratio": rt["rss_ratio"],
    "ingest_wall_s": ingest_wall,
    "whole_wall_s": wall, "whole_lines_per_s": lines / wall,
    "whole_analysis_s": whole.get("analysis_seconds"),
    "whole_peak_rss_bytes": rss, "whole_rss_ratio": rss / raw,
    "whole_over_ingest_wall": wall / ingest_wall,
    "whole_over_threads_floor": lines / wall / (rt["threads"] * rt["floor_lines_per_s"]),
}
try:
    duck = json.load(open(f"{tmp}/duck.json"))
    dwall, dkib = open(f"{tmp}/duck.time").read().split()[-2:]
    row.update({"duckdb_wall_s": float(dwall), "duckdb_peak_rss_bytes": int(dkib) * 1024,
                "duckdb_rss_ratio": int(dkib) * 1024 / raw, "duckdb_rows": duck["rows"],
                "duckdb_threads": duck["threads"]})
except (OSError, ValueError, KeyError):
    pass
print(json.dumps(row))
PY
  done
done

python3 - "$results" "$machine" "$command_line" "${duckdb_skip:-}" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
machine, command, duck_skip = sys.argv[2], sys.argv[3], sys.argv[4]
shapes = list(dict.fromkeys(r["shape"] for r in rows))

def med(rs, key):
    values = [r[key] for r in rs if r.get(key) is not None]
    return statistics.median(values) if values else None

def fmt(v, spec):
    return "-" if v is None else format(v, spec)

summary = []
for shape in shapes:
    rs = [r for r in rows if r["shape"] == shape]
    first = rs[0]
    m = {k: med(rs, k) for k in first if isinstance(first[k], (int, float)) and k != "run"}
    for k in ("duckdb_wall_s", "duckdb_peak_rss_bytes", "duckdb_rss_ratio", "duckdb_rows"):
        m[k] = med(rs, k)
    n = len(rs)
    print(f"\n### {shape}: {first['raw_bytes'] / 1e6:,.0f} MB, {first['lines']:,} lines "
          f"({first['unstructured_lines']:,} plain text), {first['traces']:,} traces, "
          f"findings {json.dumps(first['findings'])}" + (f"; median of {n} runs" if n > 1 else ""))
    print("| measure | value |\n|---|---|")
    t = int(first["threads"])
    print(f"| single-thread parse floor (RapidJSON DOM), lines/s | {fmt(m['floor_lines_per_s'], ',.0f')} |")
    print(f"| ingest-only replay, {t} threads, lines/s | {fmt(m['ingest_lines_per_s'], ',.0f')} |")
    print(f"| ingest-only peak RSS / raw bytes | {fmt(m['ingest_rss_ratio'], '.2f')} |")
    print(f"| whole command wall, s (analysis s) | {fmt(m['whole_wall_s'], '.2f')} ({fmt(m['whole_analysis_s'], '.2f')}) |")
    print(f"| whole command lines/s | {fmt(m['whole_lines_per_s'], ',.0f')} |")
    print(f"| whole / ingest-only wall | {fmt(m['whole_over_ingest_wall'], '.2f')} |")
    print(f"| whole lines/s / ({t} x floor) | {fmt(m['whole_over_threads_floor'], '.3f')} |")
    print(f"| whole peak RSS, MB (/ raw bytes) | {fmt(m['whole_peak_rss_bytes'] / 1e6, ',.0f')} ({fmt(m['whole_rss_ratio'], '.2f')}) |")
    if m["duckdb_wall_s"] is not None:
        print(f"| DuckDB group by trace: wall s, peak RSS MB (/ raw), rows | {m['duckdb_wall_s']:.2f}, "
              f"{m['duckdb_peak_rss_bytes'] / 1e6:,.0f} ({m['duckdb_rss_ratio']:.2f}), {int(m['duckdb_rows']):,} |")
    else:
        print(f"| DuckDB | skipped{': ' + duck_skip if duck_skip else ''} |")
    summary.append((shape, first, m))

print(f"\nmachine: {machine}\ncommand: {command}")
print("| shape | lines | floor l/s | ingest l/s | whole wall s | whole l/s | whole/ingest | whole/(T x floor) "
      "| RSS/raw whole (ingest) | DuckDB wall s | DuckDB RSS MB |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for shape, first, m in summary:
    print(f"| {shape} | {first['lines']:,} | {fmt(m['floor_lines_per_s'], ',.0f')} | {fmt(m['ingest_lines_per_s'], ',.0f')} "
          f"| {fmt(m['whole_wall_s'], '.2f')} | {fmt(m['whole_lines_per_s'], ',.0f')} | {fmt(m['whole_over_ingest_wall'], '.2f')} "
          f"| {fmt(m['whole_over_threads_floor'], '.3f')} | {fmt(m['whole_rss_ratio'], '.2f')} ({fmt(m['ingest_rss_ratio'], '.2f')}) "
          f"| {fmt(m['duckdb_wall_s'], '.2f')} | {fmt(None if m['duckdb_peak_rss_bytes'] is None else m['duckdb_peak_rss_bytes'] / 1e6, ',.0f')} |")
for shape, first, m in summary:
    out = {"shape": shape, "runs": len([r for r in rows if r["shape"] == shape]), "machine": machine,
           "command": command, "findings": first["findings"]}
    out.update({k: v for k, v in m.items() if v is not None})
    print(json.dumps(out))
PY
