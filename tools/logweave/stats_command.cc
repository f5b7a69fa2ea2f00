// logweave stats: the counters of a running `logweave serve` (GetStats), as
// an aligned table or one JSON object.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "connectors/grpc/convert.h"
#include "connectors/grpc/status_codes.h"
#include "logweave/utf8.h"
#include "logweave/v1/logweave.grpc.pb.h"
#include "tools/flags/flags.h"
#include "tools/logweave/client.h"
#include "tools/logweave/commands.h"
#include "tools/logweave/json_writer.h"
#include "tools/logweave/output.h"
#include "tools/logweave/proto_json.h"

namespace logweave::cli {
namespace {

constexpr char kStatsDescription[] =
    R"(Prints the counters of a running `logweave serve`: lines and bytes ingested,
how they were classified, traces, index memory, queue depth, the latest event
time and the lag behind the wall clock, the detectors' progress and the open
findings by kind, and whether the initial replay is indexed (ready).

--json prints one {"kind":"stats",...} object with every field of
logweave.v1.Stats (proto/logweave/v1/logweave.proto), the otlp_ and kafka_
ones in objects "otlp" and "kafka" without the prefix, and each *_unix_nano
time also as text.
)";

std::string StatsJson(const v1::Stats& s, const std::string& address) {
  JsonWriter w;
  w.StartObject();
  w.Field("kind", "stats");
  w.Field("server", address);
  WriteProtoFields(w, s, {.groups = {"otlp_", "kafka_"}});
  w.EndObject();
  return w.str();
}

std::string StatsText(const v1::Stats& s, const std::string& address) {
  std::string out =
      absl::StrCat("logweave at ", address, ": ",
                   s.ready() ? "ready" : "not ready (the initial replay is still being indexed)",
                   ", up ", Duration(static_cast<int64_t>(s.uptime_seconds() * 1e9)), "\n");
  auto row = [&out](std::string_view name, const std::string& value, const std::string& note = "") {
    absl::StrAppend(&out, "  ", Cell(name, 26), " ", absl::StrFormat("%15s", value),
                    note.empty() ? "" : "   ", note, "\n");
  };
  auto count = [&row](std::string_view name, uint64_t n, const std::string& note = "") {
    row(name, Thousands(n), note);
  };
  count("lines", s.lines());
  count("bytes", s.bytes(), HumanBytes(static_cast<double>(s.bytes())));
  count("json lines", s.json_lines());
  count("non-json lines", s.unstructured_lines(), "plain text, arrays, truncated JSON (kept)");
  count("empty lines", s.empty_lines(), "counted, not indexed");
  count("traces", s.traces());
  count("events indexed", s.indexed_events());
  count("lines without trace id", s.no_trace_id_lines(), "JSON, kept outside traces");
  count("duplicates", s.duplicate_lines(), "exact repeats, kept once");
  count("unparseable times", s.bad_time_lines(), "placed by file order");
  count("lines without time", s.no_time_lines());
  count("invalid utf-8 lines", s.invalid_utf8_lines(), "kept byte for byte");
  count("utf-8 repaired strings", s.utf8_repaired_strings(),
        "answers' text sent with U+FFFD for invalid bytes");
  count("stream findings dropped", s.stream_findings_dropped(),
        "skipped: their StreamFindings reader fell behind");
  count("truncated lines", s.truncated_lines(), "longer than max_line_bytes; head kept");
  count("index memory", s.index_bytes(), HumanBytes(static_cast<double>(s.index_bytes())));
  count("evicted events", s.evicted_events(), "oldest first, to stay within index.max_bytes");
  count("evicted traces", s.evicted_traces(), "records of traces with no event left");
  count("unreadable lines", s.unreadable_lines(), "their file was rewritten: shown empty");
  count("queued bytes", s.queued_bytes(), "submitted, not yet indexed");
  count("batches", s.batches());
  row("latest event", s.latest_event_unix_nano() == 0 ? "-" : "",
      s.latest_event_unix_nano() == 0 ? "no events yet" : TimeString(s.latest_event_unix_nano()));
  row("watermark", s.watermark_unix_nano() == 0 ? "-" : "",
      s.watermark_unix_nano() == 0 ? "no events yet"
                                   : absl::StrCat(TimeString(s.watermark_unix_nano()),
                                                  "   the slowest source still sending"));
  row("lag",
      s.lag_seconds() < 60 ? absl::StrFormat("%.1f s", s.lag_seconds())
                           : Duration(static_cast<int64_t>(s.lag_seconds() * 1e9)),
      "wall clock minus watermark");
  row("throughput", absl::StrFormat("%.0f", s.lines_per_second()), "lines/s since start");
  count("plain-text errors", s.unstructured_errors());
  count("plain-text errors dropped", s.unstructured_dropped(), "beyond the collector's limit");
  count("plugin inputs dropped", s.plugin_dropped(), "beyond a rule plugin's limit");
  count("traces judged", s.traces_judged());
  count("traces waiting", s.traces_waiting(), "inside trace_idle of the latest event");
  if (s.traces_partly_evicted() > 0) {
    count("traces partly evicted", s.traces_partly_evicted(),
          "not judged: some of their events went to stay within index.max_bytes");
  }
  count("late events", s.late_events(), "arrived for traces already judged");
  if (s.split_traces() > 0 || s.findings_held_elsewhere() > 0) {
    count("split traces", s.split_traces(), "lines on other instances too (serve.peers)");
    count("findings held elsewhere", s.findings_held_elsewhere(),
          "not reported: other instances hold the missing lines");
  }
  // A total row, then one indented row per key of `counts` (a proto map), in key order.
  auto total_and_each = [&count](std::string_view name, const auto& counts,
                                 const std::string& note = "") {
    const std::map<std::string, uint64_t> sorted(counts.begin(), counts.end());
    uint64_t total = 0;
    for (const auto& [key, n] : sorted) total += n;
    count(name, total, note);
    for (const auto& [key, n] : sorted) count(absl::StrCat("  ", key), n);
  };
  total_and_each("open findings", s.findings());
  const std::map<std::string, uint64_t> redactions(s.redactions().begin(), s.redactions().end());
  for (const auto& [rule, n] : redactions) count(absl::StrCat("redacted ", rule), n);
  if (!s.actions().empty() || s.actions_dropped() > 0 || s.actions_repeats() > 0) {
    total_and_each("action runs", s.actions(), "logweave actions: each run");
    count("actions dropped", s.actions_dropped(), "findings not acted on: the queue was full");
    count("actions not repeated", s.actions_repeats(), "decisions acted on before (a restart)");
  }
  if (s.otlp_requests() > 0 || s.otlp_refused() > 0) {
    count("otlp requests", s.otlp_requests(), "OTLP exports answered (HTTP and gRPC)");
    count("otlp records", s.otlp_records(), "log records indexed");
    count("otlp rejected records", s.otlp_rejected(), "unreadable: told in partial_success");
    count("otlp retry answers", s.otlp_retry_answers(), "pipeline full: the exporter retries");
    count("otlp refused requests", s.otlp_refused(), "too large, not OTLP, or no token");
    count("otlp room waits", s.otlp_room_waits(), "gRPC exports held until the pipeline had room");
  }
  if (s.otlp_file_lines() > 0 || s.otlp_file_kept() > 0) {
    count("otlp file lines", s.otlp_file_lines(), "Collector file exporter lines read");
    count("otlp file records", s.otlp_file_records(), "log records they gave");
    count("otlp file rejected records", s.otlp_file_rejected(), "unreadable: left out");
    count("otlp file lines kept", s.otlp_file_kept(), "looked like OTLP, unreadable: kept whole");
  }
  if (s.kafka_rebuilds() > 0 || s.kafka_rebuild_skipped() > 0) {
    count("kafka rebuilds", s.kafka_rebuilds(), "partitions read again from now - rebuild_window");
    count("kafka rebuild messages", s.kafka_rebuild_messages(),
          "read again below the committed offset");
    count("kafka rebuild skipped", s.kafka_rebuild_skipped(),
          "of the window, indexed here already");
  }
  if (!s.sources().empty()) {
    absl::StrAppend(&out, "sources (", s.sources_size(), "):\n");
    size_t width = 0;
    for (const v1::SourceStats& src : s.sources()) width = std::max(width, src.name().size());
    size_t service_width = 0;
    for (const v1::SourceStats& src : s.sources()) {
      service_width = std::max(service_width, src.service().size());
    }
    for (const v1::SourceStats& src : s.sources()) {
      // Each source's lines and event-time progress: the one that holds the
      // watermark back is the slowest among those marked "holding".
      const std::string state = src.ended() ? "ended" : src.holding() ? "holding" : "idle";
      std::string row = absl::StrCat(
          "  ", Cell(src.name(), std::min<size_t>(width, 60)), "  ",
          src.service().empty() ? "   " : "-> ", Cell(src.service(), service_width), "  ",
          Thousands(src.lines()), " lines, at ",
          src.progress_unix_nano() == 0 ? std::string("-") : TimeString(src.progress_unix_nano()),
          ", ", state);
      absl::StripTrailingAsciiWhitespace(&row);
      absl::StrAppend(&out, row, "\n");
    }
  }
  if (!s.instances().empty()) {
    absl::StrAppend(&out, "instances (", s.instances_size(), ", summed above):\n");
    for (const v1::Stats& i : s.instances()) {
      absl::StrAppend(&out, "  ", Cell(i.instance().empty() ? "this one" : i.instance(), 24), "  ",
                      i.ready() ? "ready" : "not ready", ", ", Thousands(i.lines()), " lines, ",
                      Thousands(i.traces()), " traces\n");
    }
  }
  return out;
}

}  // namespace

int RunStats(const std::vector<std::string>& args) {
  const std::string command = "logweave stats";
  bool json = false;
  Connection connection;
  FlagSet flags(command, "[flags]", kStatsDescription);
  flags.set_exit_codes(kClientExitCodes);
  flags.set_examples({"logweave stats", "logweave stats --json | jq .lag_seconds"});
  flags.Bool("json", &json, "print one JSON object");
  if (int code = ParseQueryFlags(flags, args, &connection); code >= 0) return code;
  Client client;
  if (int code = Connect(command, connection, &client); code >= 0) return code;
  v1::Stats stats;
  if (int code = CallServer(client, &v1::LogWeave::Stub::GetStats, v1::GetStatsRequest(), &stats);
      code >= 0) {
    return code;
  }
  Print(json ? StatsJson(stats, client.address) + "\n" : StatsText(stats, client.address));
  WarnIfPartial(client, stats.partial(), stats.unreachable_peers());
  return kExitOk;
}

}  // namespace logweave::cli
