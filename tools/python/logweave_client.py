#!/usr/bin/python3
"""An example client of the logweave.v1 gRPC API, for incident tooling.

It generates the Python stubs at start-up from proto/logweave/v1/logweave.proto
(with protoc and Debian's grpc_python_plugin, into a temporary directory), so
nothing generated is committed and the client always matches the checkout.

    /usr/bin/python3 tools/python/logweave_client.py                  # the incident report
    /usr/bin/python3 tools/python/logweave_client.py --follow         # stream new findings
    /usr/bin/python3 tools/python/logweave_client.py --server 10.0.0.5:7070 --kind incomplete_sequence

The report: traces with a finding of a kind (default missing_service), the
timeline of the first of them, the plain-text errors no trace could be
attributed to, and the server's stats. --follow prints findings as the server
produces them until interrupted (Ctrl-C).

Needs Debian's python3-grpcio and python3-protobuf (visible to /usr/bin/python3,
not necessarily to another python3 on the PATH) and protoc with
/usr/bin/grpc_python_plugin (protobuf-compiler, protobuf-compiler-grpc).

Exit status: 0 ok, 1 the server answered with an error or could not be reached,
2 bad usage or the stubs could not be generated.
"""

import argparse
import datetime
import importlib
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import grpc
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("logweave_client: the grpc module is missing: run with /usr/bin/python3 "
             "and install python3-grpcio and python3-protobuf (apt-get install -y "
             "python3-grpcio python3-protobuf)")

DEFAULT_PROTO_DIR = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "proto"))
PROTO_FILE = "logweave/v1/logweave.proto"
LEVELS = ["", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]


def generate_stubs(proto_dir, out_dir):
    """Runs protoc for the logweave.v1 proto into out_dir; returns (pb2, pb2_grpc)."""
    protoc = shutil.which("protoc")
    plugin = shutil.which("grpc_python_plugin") or "/usr/bin/grpc_python_plugin"
    if protoc is None or not os.path.exists(plugin):
        raise RuntimeError("protoc and grpc_python_plugin are needed to generate the stubs: "
                           "apt-get install -y protobuf-compiler protobuf-compiler-grpc")
    if not os.path.exists(os.path.join(proto_dir, PROTO_FILE)):
        raise RuntimeError(f"{PROTO_FILE} not found under {proto_dir}; pass --proto-dir")
    result = subprocess.run(
        [protoc, f"-I{proto_dir}", f"--python_out={out_dir}", f"--grpc_out={out_dir}",
         f"--plugin=protoc-gen-grpc={plugin}", PROTO_FILE],
        capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"protoc failed: {result.stderr.strip()}")
    sys.path.insert(0, out_dir)
    pb2 = importlib.import_module("logweave.v1.logweave_pb2")
    pb2_grpc = importlib.import_module("logweave.v1.logweave_pb2_grpc")
    return pb2, pb2_grpc


def fmt_time(ns):
    """Event time in nanoseconds -> ISO 8601 UTC with milliseconds ("-" for 0)."""
    if not ns:
        return "-"
    t = datetime.datetime.fromtimestamp(ns / 1e9, tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def level_name(level):
    return LEVELS[level] if 0 <= level < len(LEVELS) else str(level)


def first_line(text, width=110):
    line = text.split("\n", 1)[0]
    return line if len(line) <= width else line[: width - 3] + "..."


class Client:
    """The calls of the report, each with a deadline."""

    def __init__(self, channel, pb2, pb2_grpc, timeout):
        self.pb2 = pb2
        self.stub = pb2_grpc.LogWeaveStub(channel)
        self.timeout = timeout

    def search(self, limit, **filters):
        """Up to `limit` traces matching `filters`, newest first, following page tokens."""
        traces, token, matched = [], "", 0
        while len(traces) < limit:
            request = self.pb2.SearchTracesRequest(
                page_size=min(100, limit - len(traces)), page_token=token, **filters)
            response = self.stub.SearchTraces(request, timeout=self.timeout)
            if not token:
                matched = response.matched
            traces.extend(response.traces)
            token = response.next_page_token
            if not token:
                break
        return traces, matched

    def timeline(self, trace_id):
        return self.stub.GetTimeline(self.pb2.GetTimelineRequest(trace_id=trace_id),
                                     timeout=self.timeout)

    def unstructured(self, limit, unattributed_only):
        entries, token = [], ""
        while len(entries) < limit:
            response = self.stub.ListUnstructured(
                self.pb2.ListUnstructuredRequest(unattributed_only=unattributed_only,
                                                 page_size=min(100, limit - len(entries)),
                                                 page_token=token),
                timeout=self.timeout)
            entries.extend(response.entries)
            token = response.next_page_token
            if not token:
                break
        return entries

    def stats(self):
        return self.stub.GetStats(self.pb2.GetStatsRequest(), timeout=self.timeout)


def print_report(client, args):
    print(f"# Traces with a {args.kind} finding")
    traces, matched = client.search(args.limit, finding_kind=args.kind)
    print(f"{matched} matching; newest first{' (first %d)' % len(traces) if matched > len(traces) else ''}")
    for t in traces:
        print(f"  {t.trace_id}  {fmt_time(t.end_unix_nano)}  {t.route or '-':<22} "
              f"{t.events:>3} events  {','.join(t.services)}  [{','.join(t.finding_kinds)}]")

    if traces:
        first = traces[0].trace_id
        print(f"\n# Timeline of {first}")
        tl = client.timeline(first)
        start = tl.start_unix_nano
        print(f"services: {' -> '.join(tl.services)}  "
              f"({fmt_time(tl.start_unix_nano)} .. {fmt_time(tl.end_unix_nano)})")
        for e in tl.events:
            offset_ms = (e.time_unix_nano - start) / 1e6
            inferred = "~" if e.time_inferred else " "
            print(f"  {inferred}+{offset_ms:9.3f} ms  {e.service:<12} {level_name(e.level):<5} "
                  f"{first_line(e.message, 60):<60}  {e.source}:{e.line}")
        for f in tl.findings:
            print(f"  finding {f.kind} ({f.severity}): {f.summary}")
        for u in tl.unstructured:
            print(f"  plain-text error {u.source}:{u.line} (confidence {u.confidence:.2f}): "
                  f"{first_line(u.text)}")

    print("\n# Plain-text errors attributed to no trace")
    entries = client.unstructured(args.limit, unattributed_only=True)
    if not entries:
        print("  none")
    for u in entries:
        inferred = " (time inferred)" if u.time_inferred else ""
        print(f"  {fmt_time(u.time_unix_nano)}{inferred}  {u.service:<10} {u.source}:{u.line}"
              f" ({u.lines} line{'s' if u.lines != 1 else ''})  {first_line(u.text)}")

    print("\n# Stats")
    s = client.stats()
    print(f"  ready={s.ready}  uptime={s.uptime_seconds:.0f}s  lines={s.lines} "
          f"({s.json_lines} JSON, {s.unstructured_lines} plain text, {s.duplicate_lines} "
          f"duplicates)  traces={s.traces}  events={s.indexed_events}")
    print(f"  watermark={fmt_time(s.watermark_unix_nano)}  lag={s.lag_seconds:.1f}s  "
          f"queued_bytes={s.queued_bytes}  index_bytes={s.index_bytes}")
    print(f"  judged={s.traces_judged}  waiting={s.traces_waiting}  late_events={s.late_events}  "
          f"plain-text errors={s.unstructured_errors}")
    kinds = ", ".join(f"{k}={v}" for k, v in sorted(s.findings.items())) or "none"
    print(f"  open findings: {kinds}")


def follow(client, args):
    since = 0
    if args.since_seconds is not None:
        # Event time: relative to the server's watermark, not to this machine's clock.
        watermark = client.stats().watermark_unix_nano
        since = max(1, watermark - int(args.since_seconds * 1e9))
    request = client.pb2.StreamFindingsRequest(since_unix_nano=since, kinds=args.kinds or [])
    print(f"following findings{' of ' + ','.join(args.kinds) if args.kinds else ''} "
          f"(Ctrl-C to stop)", file=sys.stderr)
    stream = client.stub.StreamFindings(request)  # no deadline: runs until interrupted
    try:
        for f in stream:
            state = "RESOLVED " if f.resolved else ""
            print(f"{fmt_time(f.time_unix_nano)}  {state}{f.kind:<20} {f.severity:<8} "
                  f"{f.trace_id or '-':<32}  {f.summary}", flush=True)
    except KeyboardInterrupt:
        stream.cancel()
        return 0
    print("the server ended the stream (it is shutting down)", file=sys.stderr)
    return 0


def main(argv):
    parser = argparse.ArgumentParser(
        description="Query a running logweave server (an example for incident tooling).")
    parser.add_argument("--server", default=os.environ.get("LOGWEAVE_SERVER", "127.0.0.1:7070"),
                        help="host:port of `logweave serve` (default $LOGWEAVE_SERVER or "
                             "127.0.0.1:7070)")
    parser.add_argument("--proto-dir", default=DEFAULT_PROTO_DIR,
                        help="directory holding logweave/v1/logweave.proto (default: the "
                             "checkout's proto/)")
    parser.add_argument("--kind", default="missing_service",
                        help="finding kind of the traces to list (default missing_service)")
    parser.add_argument("--limit", type=int, default=20, help="rows per list (default 20)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds to wait for the server and for each call (default 10)")
    parser.add_argument("--follow", action="store_true",
                        help="stream findings as they are produced instead of the report")
    parser.add_argument("--kinds", nargs="*", metavar="KIND",
                        help="with --follow: only these kinds")
    parser.add_argument("--since-seconds", type=float, metavar="S",
                        help="with --follow: first replay the findings of the last S seconds "
                             "of event time (before the watermark)")
    args = parser.parse_args(argv)
    if args.limit <= 0:
        parser.error("--limit must be a positive number of rows")

    with tempfile.TemporaryDirectory(prefix="logweave-stubs-") as out_dir:
        try:
            pb2, pb2_grpc = generate_stubs(args.proto_dir, out_dir)
        except RuntimeError as e:
            print(f"logweave_client: {e}", file=sys.stderr)
            return 2
        with grpc.insecure_channel(args.server) as channel:
            try:
                grpc.channel_ready_future(channel).result(timeout=args.timeout)
            except grpc.FutureTimeoutError:
                print(f"logweave_client: no logweave server at {args.server} after "
                      f"{args.timeout:g}s; start one with `logweave serve` or pass --server",
                      file=sys.stderr)
                return 1
            client = Client(channel, pb2, pb2_grpc, args.timeout)
            try:
                if args.follow:
                    return follow(client, args)
                print_report(client, args)
            except grpc.RpcError as e:
                print(f"logweave_client: {e.code().name}: {e.details()}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
