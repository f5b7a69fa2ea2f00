#include "connectors/http/metrics.h"

#include <map>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "prometheus/text_serializer.h"

namespace logweave {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

// Upper bounds of the gRPC latency histogram, in seconds.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* const kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *kBuckets;
}

double Seconds(int64_t unix_nanos) { return static_cast<double>(unix_nanos) / 1e9; }

// Builds the families of one scrape: each name once, its samples added in turn.
class Families {
 public:
  void Counter(const std::string& name, const std::string& help, double value, Labels labels = {}) {
    Add(name, help, MetricType::Counter, value, std::move(labels));
  }
  void Gauge(const std::string& name, const std::string& help, double value, Labels labels = {}) {
    Add(name, help, MetricType::Gauge, value, std::move(labels));
  }
  // A family with no sample yet still appears (its HELP and TYPE).
  void Declare(const std::string& name, const std::string& help, MetricType type) {
    Family(name, help, type);
  }
  std::vector<MetricFamily> Take() { return std::move(families_); }

 private:
  MetricFamily& Family(const std::string& name, const std::string& help, MetricType type) {
    auto [it, added] = index_.try_emplace(name, families_.size());
    if (added) families_.push_back(MetricFamily{name, help, type, {}});
    return families_[it->second];
  }
  void Add(const std::string& name, const std::string& help, MetricType type, double value,
           Labels labels) {
    ClientMetric m;
    m.label = std::move(labels);
    if (type == MetricType::Counter) {
      m.counter.value = value;
    } else {
      m.gauge.value = value;
    }
    Family(name, help, type).metric.push_back(std::move(m));
  }

  std::vector<MetricFamily> families_;
  std::map<std::string, size_t> index_;
};

// The figures of `logweave stats` (GetStats).
void AddIngest(const v1::Stats& s, absl::Time now, Families& f) {
  f.Counter("logweave_lines_read_total", "Lines received from every source (empty ones included).",
            s.lines());
  f.Counter("logweave_bytes_read_total", "Bytes of those lines as received.", s.bytes());
  for (const v1::SourceStats& src : s.sources()) {
    const Labels l = {{"source", src.name()}, {"service", src.service()}};
    f.Counter("logweave_source_lines_read_total", "Lines received from one source.", src.lines(),
              l);
    f.Counter("logweave_source_bytes_read_total", "Bytes received from one source.", src.bytes(),
              l);
    if (src.progress_unix_nano() != 0) {
      f.Gauge("logweave_source_progress_timestamp_seconds",
              "Event time of the newest line of the source indexed so far (Unix seconds).",
              Seconds(src.progress_unix_nano()), l);
      f.Gauge("logweave_source_lag_seconds", "Wall clock minus the source's event-time progress.",
              absl::ToDoubleSeconds(now - absl::FromUnixNanos(src.progress_unix_nano())), l);
    }
    f.Gauge("logweave_source_holding_watermark",
            "1 while the source holds the watermark back (still sending, not idle).",
            src.holding() ? 1 : 0, l);
    f.Gauge("logweave_source_ended", "1 once the source's data ended.", src.ended() ? 1 : 0, l);
  }
  const char* parsed = "Lines by what the parser found in them.";
  f.Counter("logweave_parsed_lines_total", parsed, s.json_lines(), {{"format", "json"}});
  f.Counter("logweave_parsed_lines_total", parsed, s.unstructured_lines(),
            {{"format", "unstructured"}});
  f.Counter("logweave_parsed_lines_total", parsed, s.empty_lines(), {{"format", "empty"}});
  f.Counter("logweave_duplicate_lines_total", "Exact repeats of an indexed JSON line (kept once).",
            s.duplicate_lines());
  const char* malformed = "Lines kept with a defect, by defect.";
  f.Counter("logweave_malformed_lines_total", malformed, s.bad_time_lines(),
            {{"reason", "bad_time"}});
  f.Counter("logweave_malformed_lines_total", malformed, s.invalid_utf8_lines(),
            {{"reason", "invalid_utf8"}});
  f.Counter("logweave_malformed_lines_total", malformed, s.truncated_lines(),
            {{"reason", "truncated"}});
  f.Counter("logweave_lines_without_trace_id_total", "JSON lines without a trace id.",
            s.no_trace_id_lines());
  f.Counter("logweave_lines_without_time_total", "JSON lines without a time field.",
            s.no_time_lines());
  const char* drops = "What a limit kept out, by reason.";
  f.Counter("logweave_dropped_total", drops, s.unstructured_dropped(),
            {{"reason", "unstructured_error_limit"}});
  f.Counter("logweave_dropped_total", drops, s.plugin_dropped(), {{"reason", "plugin_limit"}});
  f.Counter("logweave_dropped_total", drops, s.actions_dropped(),
            {{"reason", "action_queue_full"}});
  f.Counter("logweave_dropped_total", drops, s.stream_findings_dropped(),
            {{"reason", "stream_reader_behind"}});
  f.Declare("logweave_redactions_total", "Secrets replaced before lines were stored, by rule.",
            MetricType::Counter);
  for (const auto& [rule, n] : s.redactions()) {
    f.Counter("logweave_redactions_total", "", n, {{"rule", rule}});
  }
  f.Counter("logweave_batches_total", "Batches received from the sources.", s.batches());
  f.Gauge("logweave_index_events", "Events held by the index.", s.indexed_events());
  f.Gauge("logweave_index_traces", "Distinct trace ids held by the index.", s.traces());
  f.Gauge("logweave_index_bytes", "Memory held by the index.", s.index_bytes());
  f.Counter("logweave_evicted_events_total", "Events dropped to stay within index.max_bytes.",
            s.evicted_events());
  f.Counter("logweave_evicted_traces_total", "Trace records dropped with their last event.",
            s.evicted_traces());
  f.Counter("logweave_unreadable_lines_total",
            "Lines kept in their files that could not be read back (the file was rewritten).",
            s.unreadable_lines());
  f.Gauge("logweave_queue_depth_bytes", "Raw bytes submitted by the sources, not yet indexed.",
          s.queued_bytes());
  f.Gauge("logweave_watermark_timestamp_seconds",
          "Event-time watermark: the progress of the slowest source still sending (Unix "
          "seconds; 0 before any line had a time).",
          Seconds(s.watermark_unix_nano()));
  f.Gauge("logweave_latest_event_timestamp_seconds", "The newest event time seen (Unix seconds).",
          Seconds(s.latest_event_unix_nano()));
  f.Gauge("logweave_lag_seconds", "Wall clock minus the watermark.", s.lag_seconds());
  f.Counter("logweave_utf8_repaired_strings_total",
            "Strings repaired to valid UTF-8 before the server sent them.",
            s.utf8_repaired_strings());
}

// OTLP ingest's counters (serve's receiver; all 0 when it is off).
void AddOtlp(const v1::Stats& s, Families& f) {
  f.Counter("logweave_otlp_requests_total", "OTLP export requests answered (HTTP and gRPC).",
            s.otlp_requests());
  f.Counter("logweave_otlp_records_total", "OTLP log records indexed.", s.otlp_records());
  f.Counter("logweave_otlp_rejected_records_total",
            "OTLP log records refused as unreadable (reported in partial_success).",
            s.otlp_rejected());
  f.Counter("logweave_otlp_retry_answers_total",
            "OTLP answers asking the exporter to retry (HTTP 503, gRPC UNAVAILABLE).",
            s.otlp_retry_answers());
  f.Counter("logweave_otlp_refused_requests_total",
            "OTLP requests refused whole: too large, not OTLP, or without a token.",
            s.otlp_refused());
  f.Counter("logweave_otlp_room_waits_total",
            "OTLP/gRPC exports held until the pipeline had room (otlp.grpc_room_wait).",
            s.otlp_room_waits());
  f.Counter("logweave_otlp_file_lines_total",
            "Lines of the OpenTelemetry Collector's file exporter read by any source.",
            s.otlp_file_lines());
  f.Counter("logweave_otlp_file_records_total",
            "Log records those lines gave (each indexed as one event).", s.otlp_file_records());
  f.Counter("logweave_otlp_file_rejected_records_total",
            "Log records of those lines left out as unreadable.", s.otlp_file_rejected());
  f.Counter("logweave_otlp_file_kept_lines_total",
            "Lines that looked like OTLP but could not be read: kept as they are.",
            s.otlp_file_kept());
}

// Kafka's counters and each assigned partition's lag (when Kafka is a source).
void AddKafka(const v1::Stats& s, Families& f) {
  f.Counter("logweave_kafka_messages_total", "Kafka messages consumed.", s.kafka_messages());
  f.Counter("logweave_kafka_pauses_total",
            "Times the Kafka partitions were paused because the index was behind.",
            s.kafka_pauses());
  f.Counter("logweave_kafka_rebuilds_total",
            "Kafka partition assignments read again from now - kafka.rebuild_window.",
            s.kafka_rebuilds());
  f.Counter("logweave_kafka_rebuild_messages_total",
            "Kafka messages read again below the committed offset to rebuild the window.",
            s.kafka_rebuild_messages());
  f.Counter("logweave_kafka_rebuild_skipped_messages_total",
            "Kafka messages of a rebuild window that this instance had indexed already.",
            s.kafka_rebuild_skipped());
  f.Declare("logweave_kafka_partition_lag_messages",
            "Messages of an assigned partition not read yet (high watermark - position).",
            MetricType::Gauge);
  for (const v1::PartitionLag& p : s.kafka_partitions()) {
    const Labels l = {{"topic", p.topic()}, {"partition", absl::StrCat(p.partition())}};
    if (p.lag() >= 0) f.Gauge("logweave_kafka_partition_lag_messages", "", p.lag(), l);
    if (p.committed() >= 0) {
      f.Gauge("logweave_kafka_partition_committed_offset",
              "The consumer group's committed offset of the partition.", p.committed(), l);
    }
  }
}

// The analysis: what the latest run found and how long runs take.
void AddAnalysis(const v1::Stats* s, const Runtime& runtime, Families& f) {
  std::shared_ptr<const AnalysisSnapshot> snap = runtime.snapshot();
  const AnalysisReport& r = snap->report;
  std::map<std::pair<std::string, std::string>, uint64_t> findings;
  ForEachFindingRef(r, [&](FindingRef ref) {
    ++findings[{std::string(ref.kind()), SeverityName(ref.severity())}];
  });
  f.Declare("logweave_open_findings", "Open findings of the latest analysis, by kind and severity.",
            MetricType::Gauge);
  for (const auto& [key, n] : findings) {
    f.Gauge("logweave_open_findings", "", static_cast<double>(n),
            {{"kind", key.first}, {"severity", key.second}});
  }
  f.Gauge("logweave_traces_judged", "Traces the latest analysis judged.", r.traces_judged);
  f.Gauge("logweave_traces_waiting", "Traces still inside trace_idle: not judged yet.",
          r.traces_waiting);
  f.Gauge("logweave_traces_partly_evicted",
          "Traces not judged: some of their events were evicted (index.max_bytes).",
          r.traces_partly_evicted);
  f.Counter("logweave_late_events_total", "Events that came for traces already judged.",
            r.late_events);
  f.Counter("logweave_split_traces_total",
            "Traces found to have lines on other instances too (serve.peers).", r.split_traces);
  f.Gauge("logweave_findings_held_elsewhere",
          "Findings of the latest analysis not reported: other instances hold the missing lines.",
          r.findings_held_elsewhere);
  f.Gauge("logweave_unstructured_errors", "Plain-text error blocks of the latest analysis.",
          r.unstructured.size());
  const AnalysisRunStats runs = runtime.analysis_runs();
  f.Counter("logweave_analysis_runs_total", "Analyses run.", runs.runs);
  f.Counter("logweave_analysis_run_seconds_total", "Wall time spent in analyses.",
            absl::ToDoubleSeconds(runs.total));
  f.Gauge("logweave_analysis_last_run_seconds", "Wall time of the latest analysis.",
          absl::ToDoubleSeconds(runs.last));
  if (s == nullptr) return;
  f.Declare("logweave_action_runs_total", "Action runs by outcome.", MetricType::Counter);
  for (const auto& [outcome, n] : s->actions()) {
    f.Counter("logweave_action_runs_total", "", n, {{"outcome", outcome}});
  }
  f.Counter("logweave_action_repeats_total",
            "Decisions an action had already acted on, not run again.", s->actions_repeats());
  f.Gauge("logweave_ready", "1 once the initial replay is indexed and the sources are connected.",
          s->ready() ? 1 : 0);
  f.Gauge("logweave_uptime_seconds", "Seconds since the server started.", s->uptime_seconds());
}

}  // namespace

ServeMetrics::ServeMetrics(const Runtime* runtime)
    : runtime_(runtime),
      grpc_requests_(prometheus::BuildCounter()
                         .Name("logweave_grpc_requests_total")
                         .Help("gRPC calls answered, by service, method and status code.")
                         .Register(registry_)),
      grpc_latency_(prometheus::BuildHistogram()
                        .Name("logweave_grpc_request_duration_seconds")
                        .Help("Duration of gRPC calls, from arrival to the end, by method.")
                        .Register(registry_)) {}

void ServeMetrics::set_stats(std::function<v1::Stats()> stats) {
  absl::MutexLock lock(&mu_);
  stats_ = std::move(stats);
}

void ServeMetrics::OnCall(absl::string_view method, grpc::StatusCode code,
                          absl::Duration duration) {
  // "/package.Service/Method"
  std::string service(method), name;
  if (!service.empty() && service.front() == '/') service.erase(0, 1);
  if (size_t slash = service.find('/'); slash != std::string::npos) {
    name = service.substr(slash + 1);
    service.resize(slash);
  }
  const std::string code_name =
      absl::StatusCodeToString(static_cast<absl::StatusCode>(static_cast<int>(code)));
  grpc_requests_.Add({{"service", service}, {"method", name}, {"code", code_name}}).Increment();
  grpc_latency_.Add({{"service", service}, {"method", name}}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(duration));
}

std::vector<prometheus::MetricFamily> ServeMetrics::Collect() const {
  std::function<v1::Stats()> stats;
  {
    absl::MutexLock lock(&mu_);
    stats = stats_;
  }
  Families f;
  v1::Stats s;
  if (stats) {
    s = stats();
    AddIngest(s, absl::Now(), f);
    AddKafka(s, f);
    AddOtlp(s, f);
  }
  AddAnalysis(stats ? &s : nullptr, *runtime_, f);
  std::vector<MetricFamily> out = f.Take();
  for (MetricFamily& m : registry_.Collect()) out.push_back(std::move(m));
  return out;
}

std::string ServeMetrics::Exposition() const {
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, Collect());
  return text.str();
}

void ServeMetrics::AddRoute(HttpListener& listener) {
  listener.Handle(HttpMethod::kGet, "/metrics", HttpAccess::kRead,
                  [this](const httplib::Request&, httplib::Response& response) {
                    response.set_content(Exposition(), kContentType);
                  });
}

}  // namespace logweave
