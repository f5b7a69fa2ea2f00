// Options structs of the engine. Defaults are in-class; each struct has a
// Validate() that says what is wrong and what to do. The YAML config is read
// into these at the edge (config.h); nothing deeper reads YAML.
#ifndef LOGWEAVE_OPTIONS_H_
#define LOGWEAVE_OPTIONS_H_

#include <cstdint>
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
  std::vector<std::string> trace_id = {"trace_id",   "traceId", "trace.id", "traceid", "trace-id",
                                       "x-trace-id", "traceID", "TraceId",  "trace"};
  std::vector<std::string> time = {"timestamp", "@timestamp", "time",     "ts",
                                   "eventTime", "event_time", "datetime", "@t"};
  std::vector<std::string> level = {"level",    "log.level", "severity",      "levelname",
                                    "loglevel", "lvl",       "severity_text", "@l"};
  std::vector<std::string> service = {"service",   "service.name", "app",        "application",
                                      "component", "logger",       "logger_name"};
  std::vector<std::string> message = {"event", "msg", "message", "@m", "@mt", "body"};

  absl::Status Validate() const;
};

struct ParserOptions {
  FieldNames fields;
  absl::Status Validate() const { return fields.Validate(); }
};

struct IndexOptions {
  // Number of index shards; a trace id hashes to one. 0 = 4 x worker threads. Max 4096.
  uint32_t shards = 0;
  // Keep exact duplicate JSON lines once (a shipper's retry) and count the rest. Default on.
  bool dedupe = true;
  // How many recent lines (across all shards) a repeat is looked for in. A
  // retry repeats recent lines; the window bounds the memory of dedupe to
  // about 32 bytes x window. Default 1048576. Must be >= 1024.
  uint64_t dedupe_window = 1u << 20;

  absl::Status Validate() const;
};

struct PipelineOptions {
  // Worker threads that parse batches and own index shards. 0 = hardware cores.
  uint32_t threads = 0;
  // Raw bytes allowed in flight between sources and the index before Submit() blocks.
  // Default 64 MiB. Must be >= 1 MiB.
  uint64_t queue_bytes = 64ull << 20;
  LineBatcherOptions batching;
  ParserOptions parser;
  IndexOptions index;

  absl::Status Validate() const;
  // The thread count after applying the default.
  uint32_t EffectiveThreads() const;
  // The shard count after applying the default.
  uint32_t EffectiveShards() const;
};

}  // namespace logweave

#endif  // LOGWEAVE_OPTIONS_H_
