"""Appends log files to a directory as live writers would, some slower than others.

  python3 bench/append_at_rates.py SRC_DIR DST_DIR SECONDS SLOW_FILE[,SLOW_FILE...]

Every SRC_DIR/*.log is appended to DST_DIR/ (same name) line by line over SECONDS of
wall-clock time, except the files named in the last argument, which take 10x as long:
the same event-time range reaches logweave at different rates, as when one shipper or
one Kafka partition lags. Used for the watermark figures in bench/RESULTS.md.
"""
import sys, time
src, dst, seconds, slow = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4].split(',')
import os
files = [f for f in os.listdir(src) if f.endswith('.log')]
data = {f: open(os.path.join(src, f)).read().splitlines(True) for f in files}
outs = {f: open(os.path.join(dst, f), 'a') for f in files}
start = time.time()
pos = {f: 0 for f in files}
while any(pos[f] < len(data[f]) for f in files):
    now = time.time() - start
    for f in files:
        span = seconds * (10 if f in slow else 1)
        want = min(len(data[f]), int(len(data[f]) * now / span) + 1)
        if want > pos[f]:
            outs[f].writelines(data[f][pos[f]:want]); outs[f].flush(); pos[f] = want
    time.sleep(0.02)
