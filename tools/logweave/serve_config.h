// What `logweave serve` reads from the config file beyond the engine's and
// the connectors' own settings: the `serve:` section (where it listens, how
// often it analyses, its priority) and the `sources:` list. The follow
// source's keys among them (serve.state_dir, serve.follow_start_at, the
// follow: items) go to connectors/follow/follow_config.h. Keys and defaults:
// docs/config.md.
#ifndef LOGWEAVE_TOOLS_SERVE_CONFIG_H_
#define LOGWEAVE_TOOLS_SERVE_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "connectors/follow/follow_source.h"
#include "connectors/grpc/peers/peer_set.h"
#include "connectors/grpc/security/server_security.h"
#include "logweave/config_section.h"
#include "logweave/options.h"
#include "tools/flags/flags.h"

namespace logweave::cli {

struct ServeSettings {
  std::string address = "127.0.0.1:7070";        // serve.address: host:port
  int64_t analysis_interval_ns = 1'000'000'000;  // serve.analysis_interval: > 0
  // serve.ingest_nice: nice value (0-19) of the ingestion and analysis
  // threads, so that queries get the cores first; 0 = same as the queries.
  int ingest_nice = 10;
  std::vector<std::string> replay;  // sources: - replay: [paths], read once before ready
  // serve.wal: with a state_dir, keep the index across restarts in a
  // write-ahead log (state_dir/wal). Default true.
  bool wal = true;
  // serve.wal_max_bytes: the log's segments kept, in bytes; 0 = index.max_bytes.
  uint64_t wal_max_bytes = 0;
  ServerSecurityOptions security;  // serve.tls, serve.auth_tokens, serve.allow_insecure
  // serve.http_address: host:port of the HTTP listener (/metrics, /healthz,
  // /readyz); empty: none.
  std::string http_address;
  // serve.peers, serve.peer_timeout, serve.peer_resolve_interval,
  // serve.peer_tls_ca, serve.peer_token_file: the other instances queries
  // are answered with (connectors/grpc/peers).
  PeerOptions peers;
};

// Reads `serve:` into `serve`, and its follow keys into `follow`.
// INVALID_ARGUMENT naming the key for an unknown key or a bad value.
absl::Status ReadServeSection(const ConfigSection& section, ServeSettings* serve,
                              FollowOptions* follow);

// Reads `sources:` (a list of {replay: [paths]} and {follow: [paths or
// globs]}): replay paths into `serve`, followed ones into `follow`.
absl::Status ReadSourcesSection(const ConfigSection& section, ServeSettings* serve,
                                FollowOptions* follow);

// Adds serve's security flags: --tls-cert, --tls-key, --tls-client-ca,
// --auth-tokens and --allow-insecure (merged over the config's with
// MergeServerSecurity).
void ServerSecurityFlags(FlagSet& flags, ServerSecurityOptions* out);

// The index budget of `serve` when the config does not set index.max_bytes:
// half of `physical_memory` bytes, at least 64 MiB. A daemon that keeps every
// line would grow until the machine kills it.
uint64_t ServeIndexBudget(uint64_t physical_memory);

// The memory this process may use: the machine's, or less under a cgroup
// limit (containers: v2 memory.max, v1 memory.limit_in_bytes).
uint64_t AvailableMemory();

// The index budget of serve and replay when the config does not set
// index.max_bytes: ServeIndexBudget(AvailableMemory()), at least the
// smallest budget `options` allow (PipelineOptions::MinMaxBytes).
uint64_t DefaultIndexBudget(const PipelineOptions& options);

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_SERVE_CONFIG_H_
