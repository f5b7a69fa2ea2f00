// Options structs of the engine. Defaults are in-class; each struct has a
// Validate() that says what is wrong and what to do. The YAML config is read
// into these at the edge (config.h); nothing deeper reads YAML. A rule
// plugin's options live in its folder (engine/src/plugins/<name>/); these
// hold its type-erased config (RulePluginConfig).
#ifndef LOGWEAVE_OPTIONS_H_
#define LOGWEAVE_OPTIONS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
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

// Secrets replaced by [REDACTED:rule] in every line before it is parsed,
// stored or served (config `redact:`; rules in docs/security.md).
struct RedactOptions {
  bool enabled = true;  // redact.enabled
  // JSON fields whose string values are redacted whole, matched by name in
  // any case (redact.fields; replaces this list).
  std::vector<std::string> fields = {"authorization", "password",    "passwd",    "secret",
                                     "client_secret", "api_key",     "apikey",    "access_token",
                                     "refresh_token", "private_key", "x-api-key", "cookie"};
  // More rules: name and RE2 pattern; the first capture group (or the whole
  // match) is replaced (redact.patterns).
  std::vector<std::pair<std::string, std::string>> patterns;
};

struct ParserOptions {
  FieldNames fields;
  RedactOptions redact;
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
  // about 13 bytes x window (a table per shard of 8-byte entries for its
  // last window / shards lines, at a load of at most 3/4: see
  // engine/src/index/dedupe_window.h). Default 1048576. Must be >= 1024.
  uint64_t dedupe_window = 1u << 20;
  // Memory budget of the index (lines, events, maps), split evenly between
  // the shards. Over it, a shard drops its oldest events (in arrival order)
  // 8192 at a time (the chunk being filled too, when it is the only one); a
  // trace whose events are all gone answers as evicted until its record
  // (about 100 bytes with its map entry) goes too, 1024 records at a time.
  // A pipeline gives its index this budget minus the batches' share
  // (PipelineOptions::BatchMemoryBytes).
  // 0 (default): no limit. Otherwise at least 64 MiB.
  uint64_t max_bytes = 0;
  // Keep the lines of regular, uncompressed files that a source registers in
  // the index's LineFiles as references (file, offset, length), read back
  // when needed, instead of compressed copies. Only sources that read a file
  // once to its end register it (ReplaySource: replay's files, serve's replay
  // paths); followed files (they rotate), stdin and Kafka always keep copies.
  // Default true (config index.lines_in_files; --copy-lines turns it off).
  bool lines_in_files = true;

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

class RulePluginConfig;  // logweave/plugin.h

struct PipelineOptions {
  // Worker threads that parse batches and own index shards. 0 = hardware cores.
  uint32_t threads = 0;
  // Raw bytes allowed in flight between sources and the index before Submit() blocks.
  // 0 (the default): EffectiveQueueBytes() chooses. Else >= 1 MiB.
  uint64_t queue_bytes = 0;
  // Nice value (0-19) of the worker threads: above 0, queries (gRPC threads
  // at the process's priority) get the cores first when both want them, and
  // ingestion still uses every idle cycle. 0 = the process's own priority.
  int worker_nice = 0;
  LineBatcherOptions batching;
  ParserOptions parser;
  IndexOptions index;
  DetectorOptions detectors;
  // The rule plugins to run (the config's plugins.<name> sections, in the
  // order of the registry: engine/src/plugins/registry.cc), each made by
  // Pipeline::Create unless it is off. Shared, immutable configs: copying
  // the options copies pointers. At most one per name; none null.
  std::vector<std::shared_ptr<const RulePluginConfig>> plugins;

  absl::Status Validate() const;

  // The memory budget: with index.max_bytes set, it bounds the index and
  // the batches between the sources and the index together.
  //
  // The batches' share: what batches in flight may hold (their bytes, the
  // parser's copy, a record per line) before Submit waits: an eighth of
  // index.max_bytes, at most 4 x EffectiveQueueBytes(), at least kMinBatchMemory.
  // 0 without a budget (queue_bytes alone bounds them).
  uint64_t BatchMemoryBytes() const;
  // The plain-text error collector's share (UnstructuredOptions::max_bytes):
  // a 32nd of index.max_bytes; 0 without a budget.
  uint64_t UnstructuredMemoryBytes() const;
  // With a budget: the collector may also hold, up to its own share again, what the index
  // leaves unused of its share (UnstructuredOptions::room_to_borrow). For one-shot runs
  // (replay), whose analysis takes the entries over: a streaming one copies every error it
  // reports (about 3 KB each, against the ~200 bytes the collector counts), which the budget
  // would not bound. Default false.
  bool plain_text_borrows_index_room = false;
  // The index's share: index.max_bytes minus the two above (0: no limit).
  uint64_t IndexMemoryBytes() const;
  // The smallest index.max_bytes for EffectiveShards(): one whose index
  // share leaves kMinShardBytes a shard next to kMinBatchMemory.
  uint64_t MinMaxBytes() const;
  static constexpr uint64_t kMinBatchMemory = 8ull << 20;
  // A shard's memory whatever it holds (a chunk of events being filled and
  // the next one, trace records, compression state: about 4 MiB), and room
  // for some lines.
  static constexpr uint64_t kMinShardBytes = 6ull << 20;
  // The thread count after applying the default.
  uint32_t EffectiveThreads() const;
  // The shard count after applying the default.
  uint32_t EffectiveShards() const;
  // queue_bytes, or without it 2 MiB per worker thread and at least 4 MiB:
  // two batches a worker keep every worker busy; more only holds memory.
  uint64_t EffectiveQueueBytes() const;
};

}  // namespace logweave

#endif  // LOGWEAVE_OPTIONS_H_
