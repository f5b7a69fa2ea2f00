#!/usr/bin/python3
"""Resident memory of `logweave serve` holding a data set, against its size.

For every data shape, starts

    logweave serve --address 127.0.0.1:PORT --final DIR/*

waits until the files are indexed and judged (`logweave stats --json`: every
source ended, nothing queued, no trace waiting), lets it run --settle seconds
more (its periodic analysis keeps running), and reads VmRSS (steady) and
VmHWM (peak) from /proc. Prints a table with both as a ratio to the raw bytes
of the files (the issue's target: at most 0.6).

    bench/serve_memory.py --data /tmp/lw-shapes --suffix -200M

Data sets are DIR/<shape><suffix> (made by tools/loggen --shape NAME --bytes
SIZE --seed 1, as for bench/run_whole.sh). Exit status 0 once every shape was
measured, 1 if serve failed or never became ready.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import time

SHAPES = ["default", "short-lines", "short-traces", "long-traces", "plain-text", "many-services"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def stats(binary, address):
    out = subprocess.run([binary, "stats", "--server", address, "--json"],
                         capture_output=True, text=True, timeout=10)
    return json.loads(out.stdout) if out.returncode == 0 and out.stdout.strip() else None


def judged(s):
    return (s is not None and s.get("sources") and all(src.get("ended") for src in s["sources"])
            and s.get("queued_bytes", 1) == 0 and s.get("traces_waiting", 1) == 0
            and s.get("traces_judged", 0) >= s.get("traces", 1))


def measure(binary, directory, settle, timeout):
    files = sorted(os.path.join(directory, f) for f in os.listdir(directory)
                   if not f.startswith("."))  # loggen's .done, .truth.jsonl: not logs
    raw = sum(os.path.getsize(f) for f in files)
    address = f"127.0.0.1:{free_port()}"
    serve = subprocess.Popen([binary, "serve", "--address", address, "--final", *files],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        start = time.monotonic()
        while True:
            if serve.poll() is not None:
                raise RuntimeError(f"serve exited ({serve.returncode}): {serve.stderr.read()[-500:]}")
            if time.monotonic() - start > timeout:
                raise RuntimeError(f"not indexed and judged within {timeout} s")
            try:
                if judged(stats(binary, address)):
                    break
            except (subprocess.TimeoutExpired, json.JSONDecodeError):
                pass
            time.sleep(0.5)
        ready = time.monotonic() - start
        time.sleep(settle)
        steady = proc_kib(serve.pid, "VmRSS") * 1024
        peak = proc_kib(serve.pid, "VmHWM") * 1024
    finally:
        serve.send_signal(2)  # SIGINT: serve stops in order
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
    return raw, ready, steady, peak


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="/tmp/lw-shapes", help="where the data sets are")
    p.add_argument("--suffix", default="-200M", help="data set DIR/<shape><suffix>")
    p.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated shapes")
    p.add_argument("--bin", default="build/release/tools/logweave", help="the logweave binary")
    p.add_argument("--settle", type=float, default=3.0,
                   help="seconds serve runs on after the data is judged (default 3)")
    p.add_argument("--timeout", type=float, default=300.0,
                   help="seconds to wait for the data to be judged (default 300)")
    args = p.parse_args()
    print("| shape | raw MB | ready s | steady RSS MB (/ raw) | peak RSS MB (/ raw) |")
    print("|---|---|---|---|---|")
    failed = False
    for shape in args.shapes.split(","):
        directory = os.path.join(args.data, shape + args.suffix)
        try:
            raw, ready, steady, peak = measure(args.bin, directory, args.settle, args.timeout)
        except (OSError, RuntimeError) as e:
            print(f"| {shape} | failed: {e} | | | |")
            failed = True
            continue
        print(f"| {shape} | {raw / 1e6:.0f} | {ready:.1f} | {steady / 1e6:.0f} ({steady / raw:.2f}) "
              f"| {peak / 1e6:.0f} ({peak / raw:.2f}) |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
