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

namespace logweave::cli {
namespace {

// `counts` (a proto map of counters) as a JSON object under `key`, its keys
// sorted: a proto map has no order of its own.
template <typename ProtoMap>
void WriteSortedCounts(JsonWriter& w, std::string_view key, const ProtoMap& counts) {
  w.Key(key);
  w.StartObject();
  for (const auto& entry : std::map<std::string, uint64_t>(counts.begin(), counts.end())) {
    w.Field(entry.first, entry.second);
  }
  w.EndObject();
}

constexpr char kStatsDescription[] =
    R"(Prints the counters of a running `logweave serve`: lines and bytes ingested,
how they were classified, traces, index memory, queue depth, the latest event
time and the lag behind the wall clock, the detectors' progress and the open
findings by kind, and whether the initial replay is indexed (ready).

--json prints one {"kind":"stats",...} object with the fields of
logweave.v1.Stats (proto/logweave/v1/logweave.proto).
)";

std::string StatsJson(const v1::Stats& s, const std::string& address) {
  JsonWriter w;
  w.StartObject();
  w.Field("kind", "stats");
  w.Field("server", address);
  w.Field("ready", s.ready());
  w.Field("lines", static_cast<uint64_t>(s.lines()));
  w.Field("bytes", static_cast<uint64_t>(s.bytes()));
  w.Field("json_lines", static_cast<uint64_t>(s.json_lines()));
  w.Field("unstructured_lines", static_cast<uint64_t>(s.unstructured_lines()));
  w.Field("empty_lines", static_cast<uint64_t>(s.empty_lines()));
  w.Field("no_trace_id_lines", static_cast<uint64_t>(s.no_trace_id_lines()));
  w.Field("duplicate_lines", static_cast<uint64_t>(s.duplicate_lines()));
  w.Field("bad_time_lines", static_cast<uint64_t>(s.bad_time_lines()));
  w.Field("no_time_lines", static_cast<uint64_t>(s.no_time_lines()));
  w.Field("invalid_utf8_lines", static_cast<uint64_t>(s.invalid_utf8_lines()));
  w.Field("utf8_repaired_strings", static_cast<uint64_t>(s.utf8_repaired_strings()));
  w.Field("stream_findings_dropped", static_cast<uint64_t>(s.stream_findings_dropped()));
  w.Field("truncated_lines", static_cast<uint64_t>(s.truncated_lines()));
  w.Field("indexed_events", static_cast<uint64_t>(s.indexed_events()));
  w.Field("traces", static_cast<uint64_t>(s.traces()));
  w.Field("index_bytes", static_cast<uint64_t>(s.index_bytes()));
  w.Field("queued_bytes", static_cast<uint64_t>(s.queued_bytes()));
  w.Field("batches", static_cast<uint64_t>(s.batches()));
  w.Field("evicted_events", static_cast<uint64_t>(s.evicted_events()));
  w.Field("evicted_traces", static_cast<uint64_t>(s.evicted_traces()));
  w.Field("unreadable_lines", static_cast<uint64_t>(s.unreadable_lines()));
  w.Field("watermark",
          s.watermark_unix_nano() == 0 ? std::string() : TimeString(s.watermark_unix_nano()));
  w.Field("watermark_unix_nano", static_cast<int64_t>(s.watermark_unix_nano()));
  w.Field("latest_event",
          s.latest_event_unix_nano() == 0 ? std::string() : TimeString(s.latest_event_unix_nano()));
  w.Field("latest_event_unix_nano", static_cast<int64_t>(s.latest_event_unix_nano()));
  w.Field("lag_seconds", s.lag_seconds());
  w.Field("unstructured_errors", static_cast<uint64_t>(s.unstructured_errors()));
  w.Field("unstructured_dropped", static_cast<uint64_t>(s.unstructured_dropped()));
  w.Field("plugin_dropped", static_cast<uint64_t>(s.plugin_dropped()));
  w.Field("traces_judged", static_cast<uint64_t>(s.traces_judged()));
  w.Field("traces_waiting", static_cast<uint64_t>(s.traces_waiting()));
  w.Field("late_events", static_cast<uint64_t>(s.late_events()));
  w.Field("split_traces", static_cast<uint64_t>(s.split_traces()));
  w.Field("findings_held_elsewhere", static_cast<uint64_t>(s.findings_held_elsewhere()));
  WriteSortedCounts(w, "findings", s.findings());
  WriteSortedCounts(w, "redactions", s.redactions());
  WriteSortedCounts(w, "actions", s.actions());
  w.Field("actions_dropped", static_cast<uint64_t>(s.actions_dropped()));
  w.Field("actions_repeats", static_cast<uint64_t>(s.actions_repeats()));
  w.Key("otlp");
  w.StartObject();
  w.Field("requests", static_cast<uint64_t>(s.otlp_requests()));
  w.Field("records", static_cast<uint64_t>(s.otlp_records()));
  w.Field("rejected", static_cast<uint64_t>(s.otlp_rejected()));
  w.Field("retry_answers", static_cast<uint64_t>(s.otlp_retry_answers()));
  w.Field("refused", static_cast<uint64_t>(s.otlp_refused()));
  w.Field("room_waits", static_cast<uint64_t>(s.otlp_room_waits()));
  w.Field("file_lines", static_cast<uint64_t>(s.otlp_file_lines()));
  w.Field("file_records", static_cast<uint64_t>(s.otlp_file_records()));
  w.Field("file_rejected", static_cast<uint64_t>(s.otlp_file_rejected()));
  w.Field("file_kept", static_cast<uint64_t>(s.otlp_file_kept()));
  w.EndObject();
  w.Key("kafka");
  w.StartObject();
  w.Field("messages", static_cast<uint64_t>(s.kafka_messages()));
  w.Field("pauses", static_cast<uint64_t>(s.kafka_pauses()));
  w.Field("rebuilds", static_cast<uint64_t>(s.kafka_rebuilds()));
  w.Field("rebuild_messages", static_cast<uint64_t>(s.kafka_rebuild_messages()));
  w.Field("rebuild_skipped", static_cast<uint64_t>(s.kafka_rebuild_skipped()));
  w.EndObject();
  w.Field("uptime_seconds", s.uptime_seconds());
  w.Field("lines_per_second", s.lines_per_second());
  w.Key("sources");
  w.StartArray();
  for (const v1::SourceStats& src : s.sources()) {
    w.StartObject();
    w.Field("name", src.name());
    w.Field("service", src.service());
    w.Field("lines", src.lines());
    w.Field("bytes", src.bytes());
    w.Field("progress_unix_nano", static_cast<int64_t>(src.progress_unix_nano()));
    w.Field("progress",
            src.progress_unix_nano() == 0 ? std::string() : TimeString(src.progress_unix_nano()));
    w.Field("ended", src.ended());
    w.Field("holding", src.holding());
    w.EndObject();
  }
  w.EndArray();
  // With peers: each instance's own figures (the ones above are summed).
  w.Key("instances");
  w.StartArray();
  for (const v1::Stats& i : s.instances()) {
    w.StartObject();
    w.Field("instance", i.instance());
    w.Field("ready", i.ready());
    w.Field("lines", static_cast<uint64_t>(i.lines()));
    w.Field("indexed_events", static_cast<uint64_t>(i.indexed_events()));
    w.Field("traces", static_cast<uint64_t>(i.traces()));
    w.Field("lag_seconds", i.lag_seconds());
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::string object = w.str();
  object.pop_back();
  return absl::StrCat(object, ",", PartialJsonFields(s.partial(), s.unreachable_peers()), "}");
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
  count("late events", s.late_events(), "arrived for traces already judged");
  if (s.split_traces() > 0 || s.findings_held_elsewhere() > 0) {
    count("split traces", s.split_traces(), "lines on other instances too (serve.peers)");
    count("findings held elsewhere", s.findings_held_elsewhere(),
          "not reported: other instances hold the missing lines");
  }
  const std::map<std::string, uint64_t> findings(s.findings().begin(), s.findings().end());
  uint64_t total = 0;
  for (const auto& [kind, n] : findings) total += n;
  count("open findings", total);
  for (const auto& [kind, n] : findings) count(absl::StrCat("  ", kind), n);
  const std::map<std::string, uint64_t> redactions(s.redactions().begin(), s.redactions().end());
  for (const auto& [rule, n] : redactions) count(absl::StrCat("redacted ", rule), n);
  if (!s.actions().empty() || s.actions_dropped() > 0 || s.actions_repeats() > 0) {
    const std::map<std::string, uint64_t> runs(s.actions().begin(), s.actions().end());
    uint64_t all = 0;
    for (const auto& [outcome, n] : runs) all += n;
    count("action runs", all, "logweave actions: each run");
    for (const auto& [outcome, n] : runs) count(absl::StrCat("  ", outcome), n);
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
