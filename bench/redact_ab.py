#!/usr/bin/python3
"""Redaction's share of ingest and of the whole command: an A/B, off and on.

For every data set, runs the ingest alone (read, parse, redact, index)

    LOGWEAVE_BENCH_REPLAY_ONLY=1 bench/replay_throughput [--no-redact] DIR

and the whole command

    logweave replay --config redact_{off,on}.yaml --json --final --quiet DIR

each interleaved (off, on, off, on, ...) so that a change in the machine's load
falls on both sides alike, and prints per set the median CPU time (user +
system, from the kernel's rusage of the child: it moves much less with other
work on the machine than the wall time does), the median wall time, and the
ratio on / off of each; for the ingest, lines/s off and on (the issue's
target: redaction costs at most 10% of ingest throughput). Also checks that both sides found the same traces and
findings (redaction replaces secrets, it does not drop or add events).

    bench/redact_ab.py --runs 5 /tmp/lw-shapes/default-200M /tmp/lw-shapes/short-lines-200M

Exit status: 0 when every run succeeded and both sides agree; 1 otherwise.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_once(binary, config, data):
    """Runs the whole command once; returns (cpu seconds, wall seconds, summary)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(
        [binary, "replay", "--config", config, "--json", "--final", "--quiet", data],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 3):
        sys.exit(f"redact_ab: {binary} replay {data} exited {done.returncode}: "
                 f"{done.stderr.decode(errors='replace')[-400:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = {}
    findings = 0
    for line in done.stdout.splitlines():
        record = json.loads(line)
        if record.get("kind") == "summary":
            summary = record
        elif "id" in record and "evidence" in record:
            findings += 1
    return cpu, wall, (summary.get("traces"), summary.get("indexed_events"), findings)


def ingest_once(binary, redact, data):
    """Runs the ingest alone once; returns (CPU ns per line, lines/s)."""
    command = [binary] + ([] if redact else ["--no-redact"]) + [data]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False,
                          env=dict(os.environ, LOGWEAVE_BENCH_REPLAY_ONLY="1"))
    if done.returncode != 0:
        sys.exit(f"redact_ab: {' '.join(command)} exited {done.returncode}: "
                 f"{done.stderr.decode(errors='replace')[-400:]}")
    # "replay: 238346 lines/s, 2754 ns of CPU per line, ..."
    words = done.stdout.decode().replace(",", "").split()
    return float(words[words.index("ns") - 1]), float(words[words.index("lines/s") - 1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each side (default 5)")
    parser.add_argument("--binary", default=os.path.join(REPO, "build/release/tools/logweave"))
    parser.add_argument("--ingest-binary",
                        default=os.path.join(REPO, "build/release/bench/replay_throughput"))
    parser.add_argument("data", nargs="+", help="directories of logs to replay")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    agree = True
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        configs = {}
        for side, enabled in (("off", "false"), ("on", "true")):
            configs[side] = os.path.join(tmp, f"redact_{side}.yaml")
            with open(configs[side], "w", encoding="utf-8") as f:
                f.write(f"redact:\n  enabled: {enabled}\n")
        for data in args.data:
            cpu = {"off": [], "on": []}
            wall = {"off": [], "on": []}
            ingest_ns = {"off": [], "on": []}
            ingest_lps = {"off": [], "on": []}
            seen = {}
            for _ in range(args.runs):
                for side in ("off", "on"):
                    ns, lps = ingest_once(args.ingest_binary, side == "on", data)
                    ingest_ns[side].append(ns)
                    ingest_lps[side].append(lps)
                    c, w, what = run_once(args.binary, configs[side], data)
                    cpu[side].append(c)
                    wall[side].append(w)
                    seen.setdefault(side, what)
            if seen["off"] != seen["on"]:
                agree = False
                print(f"redact_ab: {data}: off saw (traces, events, findings) {seen['off']}, "
                      f"on saw {seen['on']}", file=sys.stderr)
            m = {f"{name}_{side}": statistics.median(values[side])
                 for name, values in (("cpu", cpu), ("wall", wall), ("ingest_ns", ingest_ns),
                                      ("ingest_lps", ingest_lps))
                 for side in ("off", "on")}
            rows.append((data, m, seen["off"]))

    print(f"load average at the end: {os.getloadavg()[0]:.1f}; {args.runs} runs a side, medians")
    print("| data | traces, events, findings | ingest CPU ns/line off, on (on/off) "
          "| ingest lines/s off, on (on/off) | whole CPU s off, on (on/off) "
          "| whole wall s off, on (on/off) |")
    print("|---|---|---|---|---|---|")
    for data, m, what in rows:
        def pair(name, digits):
            return (f"{m[name + '_off']:,.{digits}f}, {m[name + '_on']:,.{digits}f} "
                    f"({m[name + '_on'] / m[name + '_off']:.3f})")
        print(f"| {os.path.basename(data.rstrip('/'))} | {what[0]}, {what[1]}, {what[2]} "
              f"| {pair('ingest_ns', 0)} | {pair('ingest_lps', 0)} | {pair('cpu', 2)} "
              f"| {pair('wall', 2)} |")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
