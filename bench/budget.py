#!/usr/bin/python3
"""Peak RSS of `logweave replay` under index.max_bytes, against the bound.

For every data shape and budget, runs

    logweave replay --config BUDGET.yaml --json --final --quiet DIR

(ingest, analysis and output: the whole command), takes its peak RSS from
the kernel (wait4's ru_maxrss, exact), samples VmRSS every 20 ms to say
whether the peak came while ingesting or after (the analysis), and prints a
table: budget, peak RSS, the bound 1.1 x budget + fixed overhead (the figure
docs/config.md states), whether it held, index memory and what eviction
dropped (from the --json summary line).

    bench/budget.py --data /tmp/lw-shapes --suffix -200M --budgets 64,128,256
    bench/budget.py --generate 500M --data /tmp/budget-data   # makes the sets first

Data sets are DIR/<shape><suffix>; --generate makes missing ones with
build/release/tools/loggen --shape NAME --bytes SIZE --seed 1.
Exit status: 0 if every run held the bound, 1 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

SHAPES = ["default", "short-lines", "short-traces", "long-traces", "plain-text", "many-services"]
MIB = 1 << 20
FIXED_OVERHEAD_MIB = 64  # docs/config.md, index.max_bytes


def sample_rss(pid, samples, done):
    path = f"/proc/{pid}/status"
    start = time.monotonic()
    while not done.is_set():
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        samples.append((time.monotonic() - start, int(line.split()[1]) * 1024))
                        break
        except OSError:
            return
        done.wait(0.02)


def run(binary, config, data, threads):
    cmd = [binary, "replay", "--config", config, "--json", "--final", "--quiet", data]
    if threads:
        cmd[2:2] = ["--threads", str(threads)]
    out = tempfile.TemporaryFile()
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
    samples, done = [], threading.Event()
    sampler = threading.Thread(target=sample_rss, args=(proc.pid, samples, done))
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    wall = time.monotonic() - start
    stderr = proc.stderr.read().decode(errors="replace")
    summary = {}
    out.seek(0)
    for line in out:
        if line.startswith(b'{"kind":"summary"'):
            summary = json.loads(line)
    return proc.returncode, stderr, usage.ru_maxrss * 1024, samples, wall, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--binary", default="build/release/tools/logweave")
    ap.add_argument("--loggen", default="build/release/tools/loggen")
    ap.add_argument("--data", default="/tmp/lw-shapes")
    ap.add_argument("--suffix", default="-200M")
    ap.add_argument("--generate", metavar="SIZE", help="make missing data sets of this size")
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--budgets", default="64,128,256", help="index.max_bytes values in MiB")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--fixed-mib", type=float, default=FIXED_OVERHEAD_MIB)
    args = ap.parse_args()

    held_all = True
    print("| shape | budget MiB | peak RSS MiB | bound MiB | held | peak while | index MiB |"
          " evicted events | evicted traces | lines | ingest s | wall s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for shape in args.shapes.split(","):
        data = os.path.join(args.data, shape + args.suffix)
        if not os.path.isdir(data):
            if not args.generate:
                print(f"| {shape} | missing: {data} |", flush=True)
                continue
            subprocess.run([args.loggen, "--shape", shape, "--bytes", args.generate, "--seed", "1",
                            "--out", data], check=True, stdout=subprocess.DEVNULL)
        for budget in [int(b) for b in args.budgets.split(",")]:
            with tempfile.NamedTemporaryFile("w", suffix=".yaml") as config:
                config.write(f"index:\n  max_bytes: {budget}MiB\n")
                config.flush()
                rc, stderr, peak, samples, wall, summary = run(args.binary, config.name, data,
                                                               args.threads)
            if rc != 0:
                print(f"| {shape} | {budget} | exit {rc}: {stderr.strip()[:200]} |", flush=True)
                held_all = False
                continue
            bound = 1.1 * budget * MIB + args.fixed_mib * MIB
            held = peak <= bound
            held_all = held_all and held
            # The ingest takes the summary's `seconds` from the start (the
            # sampler starts with the process: close enough at 20 ms).
            at = max(samples, key=lambda s: s[1])[0] if samples else 0
            phase = "ingest" if at < summary.get("seconds", 0) else "analysis/output"
            print(f"| {shape} | {budget} | {peak / MIB:.0f} | {bound / MIB:.0f} |"
                  f" {'yes' if held else '**no**'} | {phase} ({at:.1f} s) |"
                  f" {summary.get('index_bytes', 0) / MIB:.0f} |"
                  f" {summary.get('evicted_events', 0):,} | {summary.get('evicted_traces', 0):,} |"
                  f" {summary.get('lines', 0):,} | {summary.get('seconds', 0):.1f} |"
                  f" {wall:.1f} |", flush=True)
    return 0 if held_all else 1


if __name__ == "__main__":
    sys.exit(main())
