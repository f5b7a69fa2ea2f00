// Options structs of the engine. Defaults are in-class; each struct has a
// Validate() that says what is wrong and what to do. The YAML config is read
// into these at the edge (config.h); nothing deeper reads YAML.
#ifndef LOGWEAVE_OPTIONS_H_
#define LOGWEAVE_OPTIONS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "logweave/batch.h"

namespace logweave {

// Where the parser looks for each normalized field. Names are JSON keys; a
// dotted name ("trace.id") matches both a literal dotted key (ECS) and the
// nested path {"trace": {"id": ...}}. Matching is exact (case-sensitive);
// earlier names win when a line has several. Config keys: fields.<name>: [..],
// which are tried before these built-in names.
struct FieldNames {
  // Values are reduced to the bare id where a convention wraps it: Google
  // Cloud's "projects/P/traces/ID" and a W3C traceparent "00-ID-SPAN-FLAGS".
  std::vector<std::string> trace_id = {"trace_id",
                                       "traceId",
                                       "trace.id",
                                       "traceid",
                                       "trace-id",
                                       "x-trace-id",
                                       "traceID",
                                       "TraceId",
                                       "TraceID",
                                       "logging.googleapis.com/trace",
                                       "dd.trace_id",  // Datadog
                                       "contextMap.traceId",
                                       "contextMap.trace_id",  // log4j2 JsonLayout (ThreadContext)
                                       "mdc.traceId",
                                       "mdc.trace_id",        // logback JSON layouts (MDC)
                                       "Properties.TraceId",  // Serilog JsonFormatter
                                       "X-B3-TraceId",
                                       "TRACE_ID",
                                       "traceparent",
                                       "trace"};
  std::vector<std::string> time = {"timestamp",
                                   "@timestamp",
                                   "time",
                                   "ts",
                                   "eventTime",
                                   "event_time",
                                   "datetime",
                                   "@t",
                                   "Timestamp",  // Serilog, .NET
                                   "time_local",
                                   "time_iso8601",  // nginx
                                   "asctime",       // python logging
                                   "timeMillis",
                                   "instant.epochSecond",   // log4j2 JsonLayout (whole seconds)
                                   "__REALTIME_TIMESTAMP",  // journald (journalctl -o json)
                                   "date"};                 // fluent-bit json_date_key
  std::vector<std::string> level = {"level",      "log.level",    "severity",      "levelname",
                                    "loglevel",   "lvl",          "severity_text", "@l",
                                    "Level",      "LogLevel",                   // Serilog, .NET
                                    "level_name",                               // Monolog
                                    "log_level",  "SeverityText", "PRIORITY"};  // journald
  std::vector<std::string> service = {"service",
                                      "service.name",
                                      "service_name",
                                      "serviceName",
                                      "dd.service",
                                      "app",
                                      "application",
                                      "kubernetes.labels.app",
                                      "kubernetes.container_name",
                                      "SYSLOG_IDENTIFIER",  // fluent-bit, journald
                                      "component",
                                      "logger",
                                      "logger_name",
                                      "loggerName",
                                      "SourceContext",
                                      "Category"};  // Serilog, .NET
  std::vector<std::string> message = {
      "event",           "msg",     "message", "@m", "@mt", "body", "Message", "RenderedMessage",
      "MessageTemplate", "MESSAGE", "log"};
  // The route or operation of a request ("POST /checkout"): what kind of trace it is.
  std::vector<std::string> route = {"route",     "http.route", "http_route", "endpoint",
                                    "operation", "rpc.method", "span.name"};

  absl::Status Validate() const;
};

struct ParserOptions {
  FieldNames fields;
  // The "now" that year-less syslog timestamps ("Nov 23 10:00:20") are read
  // against (see ParseSyslogTimestamp). 0 (default): the clock, once per batch.
  int64_t syslog_reference_ns = 0;
  absl::Status Validate() const { return fields.Validate(); }
};

struct IndexOptions {
  // Number of index shards; a trace id hashes to one. 0 = 4 x worker threads. Max 4096.
  uint32_t shards = 0;
  // Keep exact duplicate JSON lines once (a shipper's retry) and count the rest. Default on.
  bool dedupe = true;
  // How many recent lines (across all shards) a repeat is looked for in. A
  // retry repeats recent lines; the window bounds the memory of dedupe to
  // about 11-21 bytes x window (two generations of at most window / shards
  // entries of 8 bytes each per shard). Default 1048576. Must be >= 1024.
  uint64_t dedupe_window = 1u << 20;
  // Memory budget of the index (lines, events, maps), split evenly between
  // the shards. Over it, a shard drops its oldest events (in arrival order)
  // 32768 at a time; a trace whose events are all gone answers as evicted
  // until its record (about 100 bytes with its map entry) goes too, 4096
  // records at a time.
  // 0 (default): no limit. Otherwise at least 64 MiB.
  uint64_t max_bytes = 0;

  absl::Status Validate() const;
};

// An event that must follow another in the same service and trace.
struct ExpectedSequence {
  std::string service;
  std::string event;
  std::string follow;
};

struct DetectorOptions {
  // A trace is judged once no event of it came for this long (event time). Default 30 s.
  int64_t trace_idle_ns = 30'000'000'000;
  // The watermark that trace_idle counts back from is the event-time progress
  // of the slowest source still sending (a file, a Kafka partition); a source
  // that sent nothing for this long (wall-clock time) stops holding it back.
  // Default 60 s.
  int64_t source_idle_ns = 60'000'000'000;
  // missing_service: a service is expected in a kind of trace when at least this share of
  // the judged traces of that kind have it. Default 0.9. In (0, 1].
  double expected_share = 0.9;
  // ... once at least this many traces of the kind were judged. Default 50.
  uint32_t min_traces = 50;
  // Services declared for a kind ("POST /checkout", or "gateway: request received" for
  // traces without a route): always expected, learned or not.
  std::map<std::string, std::vector<std::string>> expected_services;
  // incomplete_sequence: in a kind of trace, an event of a service is expected to be
  // followed (by another event of that service) when something followed it in at least
  // this share of the judged traces with it. Default 0.98: a follow-up missing in 2% or more
  // of traces is an optional step, not a failure. In (0, 1].
  double follow_share = 0.98;
  // Below follow_share but at least this share: the missing follow-up is reported only
  // when a plain-text error of the service is attributed to the trace (during an incident
  // failures are common, so the learned share drops). Default 0.8. In (0, follow_share].
  double weak_follow_share = 0.8;
  // ... once at least this many judged traces had e. Default 50.
  uint32_t min_event_traces = 50;
  // Sequences declared in the config: always expected.
  std::vector<ExpectedSequence> expected_sequences;
  // unstructured_error attribution: candidate traces' last event in the service must lie
  // at most this long before the error line. Default 60 s.
  int64_t attribution_window_ns = 60'000'000'000;
  // missing_service cause: the window around a trace in which the missing service's other
  // lines are counted. Default 5 s.
  int64_t activity_margin_ns = 5'000'000'000;

  absl::Status Validate() const;
};

// The canary rule plugin (plugins.canary in the config): watches the
// requests a canary version of a service logs, and decides to roll it back
// when a check finds it unhealthy `strikes` times in a row. A request is a
// JSON line with a version field and a latency or HTTP status field; it
// failed if its status is >= 500 or its level ERROR or above.
struct CanaryOptions {
  bool enabled = false;
  // Values of the version field that mark the canary (compared ignoring
  // case). Default "v2". Every other version is the baseline.
  std::vector<std::string> canary_versions = {"v2"};
  // Services watched; empty: every service that logs canary requests.
  std::vector<std::string> services;
  // Extra JSON keys (dotted for nested objects), tried before the built-in names.
  std::vector<std::string> version_fields;
  std::vector<std::string>
      latency_fields;  // unit from the key's suffix (_ms, _us, _s...), else latency_unit
  std::vector<std::string> status_fields;
  // Unit of a bare number under a latency key without a unit suffix
  // ("latency": 250): 1e6 = milliseconds (default), 1e9 = seconds, ...
  int64_t latency_unit_ns = 1'000'000;
  double max_error_rate = 0.05;               // a check fails above this error rate
  int64_t max_p99_ns = 2'000'000'000;         // ... or above this p99 latency
  int64_t interval_ns = 15'000'000'000;       // checks at multiples of this (event time)
  int64_t window_ns = 60'000'000'000;         // each over the requests of this window
  uint32_t strikes = 3;                       // failed checks in a row before the rollback
  uint32_t min_requests = 20;                 // fewer canary requests: no decision
  int64_t lateness_ns = 5'000'000'000;        // streaming: a check waits this long past its time
  uint64_t max_pending_requests = 4'000'000;  // kept at once; beyond, dropped and counted
  std::string action = "rollback";            // what the finding asks for

  absl::Status Validate() const;
};

// The cost-anomaly rule plugin (plugins.cost in the config): sums each
// service's cost per UTC day from lines that carry a cost, and reports a day
// whose total is above mean + stdevs x stdev of the prior history_days days.
struct CostOptions {
  bool enabled = false;
  std::vector<std::string> services;     // watched; empty: every service with cost lines
  std::vector<std::string> cost_fields;  // extra JSON keys of the amount, tried first
  std::vector<std::string>
      service_fields;  // extra keys naming the service billed (else the line's service)
  std::vector<std::string> time_fields;     // extra keys of the usage time (else the line's time)
  uint32_t history_days = 7;                // the days before that make the baseline
  uint32_t min_history_days = 7;            // of them, at least this many with cost lines
  double stdevs = 2.0;                      // a day above mean + stdevs x stdev is an anomaly
  int64_t lateness_ns = 3'600'000'000'000;  // streaming: a day is judged this long after it ends
  uint64_t max_pending_lines = 1'000'000;   // held at once; beyond, dropped and counted

  absl::Status Validate() const;
};

// The drift rule plugin (plugins.drift in the config): compares the
// security-group rules Terraform's state declares with the live rules (an
// `aws ec2 describe-security-groups` snapshot) as changed by the CloudTrail
// events on the stream, including groups Terraform does not know.
struct DriftOptions {
  bool enabled = false;
  std::string terraform_state;             // path of a terraform.tfstate (JSON); required
  std::string live_rules;                  // path of describe-security-groups JSON; "" = none
  std::vector<std::string> ignore_groups;  // group ids never reported
  uint64_t max_pending_events = 100'000;   // CloudTrail events held at once; beyond, dropped

  absl::Status Validate() const;
};

struct PluginOptions {
  CanaryOptions canary;
  CostOptions cost;
  DriftOptions drift;
};

struct PipelineOptions {
  // Worker threads that parse batches and own index shards. 0 = hardware cores.
  uint32_t threads = 0;
  // Raw bytes allowed in flight between sources and the index before Submit() blocks.
  // Default 16 MiB (16 batches: enough to keep every worker busy). Must be >= 1 MiB.
  uint64_t queue_bytes = 16ull << 20;
  // Nice value (0-19) of the worker threads: above 0, queries (gRPC threads
  // at the process's priority) get the cores first when both want them, and
  // ingestion still uses every idle cycle. 0 = the process's own priority.
  int worker_nice = 0;
  LineBatcherOptions batching;
  ParserOptions parser;
  IndexOptions index;
  DetectorOptions detectors;
  PluginOptions plugins;

  absl::Status Validate() const;
  // index.max_bytes must leave each shard at least this much.
  static constexpr uint64_t kMinShardBytes = 16ull << 20;
  // The thread count after applying the default.
  uint32_t EffectiveThreads() const;
  // The shard count after applying the default.
  uint32_t EffectiveShards() const;
};

}  // namespace logweave

#endif  // LOGWEAVE_OPTIONS_H_
