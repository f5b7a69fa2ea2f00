#!/usr/bin/env python3
"""Precision and recall of logweave's detectors against loggen's ground truth.

  bench/detector_quality.py [--traces N] [--seed S] [--bin build/release/tools] [-- loggen flags]

Generates logs with loggen (ground truth in DIR/.truth.jsonl), replays them with
`logweave replay --final --json --unstructured`, and compares:
  missing_service      (trace, service) pairs
  incomplete_sequence  (trace, service, event) triples
  orphan attribution   plain-text error block (file, first line) -> trace
Prints a Markdown table. Exit 0 always (it measures; it does not judge).
"""
import argparse, json, os, subprocess, sys, tempfile, collections


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--traces", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--bin", default="build/release/tools")
    ap.add_argument("extra", nargs="*", help="more loggen flags (after --)")
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="lw-quality-")
    subprocess.run([os.path.join(a.bin, "loggen"), "--out", d, "--traces", str(a.traces),
                    "--seed", str(a.seed)] + a.extra, check=True, stderr=subprocess.DEVNULL)
    truth = [json.loads(l) for l in open(os.path.join(d, ".truth.jsonl"))]
    out = subprocess.run([os.path.join(a.bin, "logweave"), "replay", "--final", "--json",
                          "--unstructured", "--quiet", d], check=False, capture_output=True, text=True)
    objs = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]

    def pr(name, expected, got):
        tp = len(expected & got)
        p = tp / len(got) if got else 1.0
        r = tp / len(expected) if expected else 1.0
        rows.append((name, len(expected), len(got), tp, p, r))
        return expected - got, got - expected

    rows = []
    exp_ms = {(t["trace_id"], t["service"]) for t in truth if t["kind"] == "missing_service"}
    got_ms = set()
    for o in objs:
        if o["kind"] == "missing_service":
            for s in o["details"]["missing"].split(","):
                got_ms.add((o["trace_id"], s))
    fn_ms, fp_ms = pr("missing_service", exp_ms, got_ms)

    exp_is = {(t["trace_id"], t["service"], t["event"]) for t in truth
              if t["kind"] == "incomplete_sequence"}
    got_is = {(o["trace_id"], o["details"]["service"], o["details"]["event"]) for o in objs
              if o["kind"] == "incomplete_sequence"}
    fn_is, fp_is = pr("incomplete_sequence", exp_is, got_is)

    exp_or = {(t["file"], t["line"]): t["trace_id"] for t in truth if t["kind"] == "orphan_error"}
    entries = {(os.path.basename(o["source"]), o["line"]): o for o in objs
               if o["kind"] == "unstructured_entry"}
    found = sum(1 for k in exp_or if k in entries)
    correct = sum(1 for k, tr in exp_or.items()
                  if k in entries and entries[k]["attribution"]["trace_id"] == tr)
    extra = [k for k in entries if k not in exp_or]
    summary = objs[-1] if objs and objs[-1]["kind"] == "summary" else {}
    print(f"data: loggen --traces {a.traces} --seed {a.seed} {' '.join(a.extra)}: "
          f"{summary.get('lines', '?')} lines, {summary.get('traces', '?')} traces, "
          f"{len(truth)} injected faults\n")
    print("| detector | expected | reported | correct | precision | recall |")
    print("|---|---|---|---|---|---|")
    for name, e, g, tp, p, r in rows:
        print(f"| {name} | {e} | {g} | {tp} | {p:.3f} | {r:.3f} |")
    n = len(exp_or)
    print(f"| orphan error blocks found (file:line) | {n} | {len(entries)} | {found} | "
          f"{found / len(entries) if entries else 1:.3f} | {found / n if n else 1:.3f} |")
    print(f"| orphan errors attributed to the right trace | {n} | {found} | {correct} | "
          f"{correct / found if found else 1:.3f} | {correct / n if n else 1:.3f} |")
    if "-v" in sys.argv or os.environ.get("VERBOSE"):
        print("\nmissed missing_service:", sorted(fn_ms)[:10])
        print("false missing_service:", sorted(fp_ms)[:10])
        print("missed incomplete:", sorted(fn_is)[:10])
        print("false incomplete:", sorted(fp_is)[:10])
        wrong = [(k, exp_or[k], entries[k]["attribution"]) for k in exp_or
                 if k in entries and entries[k]["attribution"]["trace_id"] != exp_or[k]]
        for w in wrong[:10]:
            print("wrong attribution:", w)
        print("extra entries:", extra[:10])
    subprocess.run(["rm", "-rf", d])


if __name__ == "__main__":
    main()
