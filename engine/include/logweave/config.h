// The YAML configuration file, read once at the edge into Options structs.
//
//   absl::StatusOr<PipelineOptions> options = LoadConfigFile("logweave.yaml");
//
// Keys (all optional; see docs/config.md for the full reference):
//   threads: 0                 # worker threads; 0 = one per core
//   queue_bytes: 64MiB         # raw bytes in flight before sources wait
//   max_line_bytes: 1MiB       # longer lines keep their head and are counted
//   batch_lines: 4096
//   index: {shards: 0, dedupe: true}
//   fields:                    # extra JSON keys, tried before the built-in names
//     trace_id: [req_trace]
//     time: [when]
//     level: [sev]
//     service: [svc]
//     message: [text]
#ifndef LOGWEAVE_CONFIG_H_
#define LOGWEAVE_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "logweave/options.h"

namespace logweave {

// What `logweave serve` needs beyond the pipeline.
struct ServeConfig {
  std::string address = "127.0.0.1:7070";        // serve.address
  int64_t analysis_interval_ns = 1'000'000'000;  // serve.analysis_interval
  std::vector<std::string> replay;               // sources: - replay: [paths]
  std::vector<std::string> follow;               // sources: - follow: [paths or globs]
  std::string state_dir;                         // serve.state_dir: follow checkpoints
  std::string follow_start_at = "beginning";     // serve.follow_start_at: beginning | end
  // serve.ingest_nice: nice value (0-19) of the ingestion and analysis
  // threads, so that queries get the cores first; 0 = same as the queries.
  int ingest_nice = 10;
  // Whether the file set index.max_bytes (0 included): serve picks a budget
  // of its own only when it did not (ServeIndexBudget).
  bool index_max_bytes_given = false;
  // kafka: {brokers, group_id, topics, start, service_from, properties}
  std::string kafka_brokers;
  std::string kafka_group_id = "logweave";
  std::vector<std::string> kafka_topics;
  std::string kafka_start = "committed";
  std::string kafka_service_from = "topic";
  std::vector<std::pair<std::string, std::string>> kafka_properties;
};

struct Config {
  PipelineOptions pipeline;
  ServeConfig serve;
};

// The index budget of `serve` when the config does not set index.max_bytes:
// half of `physical_memory` bytes, at least 64 MiB. A daemon that keeps every
// line would grow until the machine kills it.
uint64_t ServeIndexBudget(uint64_t physical_memory);

// Reads and validates a whole config file (pipeline, detectors, serve, sources).
absl::StatusOr<Config> LoadFullConfigFile(const std::string& path);
absl::StatusOr<Config> LoadFullConfigString(const std::string& yaml,
                                            const std::string& origin = "config");

// Reads and validates a config file. NOT_FOUND if it cannot be opened;
// INVALID_ARGUMENT naming the key (and line) for a bad value or unknown key.
absl::StatusOr<PipelineOptions> LoadConfigFile(const std::string& path);
// Same, from YAML text. `origin` names it in error messages.
absl::StatusOr<PipelineOptions> LoadConfigString(const std::string& yaml,
                                                 const std::string& origin = "config");

// Parses a byte size: a plain number or one with a unit: 512, 64KiB, 64KB, 1M, 1MiB, 2G.
// Units are binary (K = 1024). False for anything else.
bool ParseByteSize(std::string_view text, uint64_t* out);

}  // namespace logweave

#endif  // LOGWEAVE_CONFIG_H_
