// logweave serve's flags and plan (serve_plan.h).
#include "tools/logweave/serve_plan.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "connectors/grpc/security/security_config.h"
#include "logweave/log.h"
#include "tools/flags/flags.h"
#include "tools/logweave/commands.h"
#include "tools/logweave/output.h"
#include "tools/logweave/serve_config.h"

namespace logweave::cli {
namespace {

constexpr char kServeDescription[] =
    R"(Runs logweave as a daemon: ingests the sources (PATHs given here and the config's
`sources`), runs the detectors every analysis_interval on event time, and serves
the logweave.v1 gRPC API (plus grpc.health.v1 and server reflection) that
`logweave timeline|search|unstructured|findings|stats` and incident tooling use.

Health is NOT_SERVING until the initial replay is indexed. SIGINT or SIGTERM:
stop accepting calls, finish running ones, drain what was read, exit 0.
With --http-address: Prometheus /metrics, /healthz and /readyz over HTTP (the same
readiness as the gRPC health; docs/operations.md), and a web page for incidents on /
(findings, /search, /trace/<id>, /rules) with its JSON API /api/... (docs/web.md).

examples:
  logweave serve deploy/demo/logs
  logweave serve --config deploy/logweave.yaml --address 0.0.0.0:7070 \
      --tls-cert server.pem --tls-key server.key --auth-tokens tokens  # docs/security.md
)";

}  // namespace

// Logs "[what: ]message" as an error ("logweave serve: ..." in text) and
// returns `exit_code`.
int Fail(int exit_code, const absl::Status& status, const char* what) {
  Log(LogLevel::kError, absl::StrCat(what ? what : "", what ? ": " : "", status.message()));
  return exit_code;
}

// Reads the flags into `f`. Returns kGoOn, or the exit code (usage error, --help).
int ParseServeFlags(const std::vector<std::string>& args, ServeFlags* f) {
  FlagSet flags("logweave serve", "[flags] [PATH...]", kServeDescription);
  flags.String("config", &f->config_path, "FILE", "YAML config file (see docs/config.md)");
  flags.String("address", &f->address, "HOST:PORT", "where to listen (default 127.0.0.1:7070)");
  flags.Duration("analysis-interval", &f->interval, "DURATION",
                 "how often the detectors run (default 1s)");
  flags.Uint("threads", &f->threads, "N", "worker threads (default: one per core)");
  flags.StringList("follow", &f->follow, "PATH_OR_GLOB",
                   "follow files as they grow and rotate (repeatable)");
  flags.String("state-dir", &f->state_dir, "DIR",
               "where --follow keeps its checkpoints, actions what they acted on, and the "
               "write-ahead log of the index (DIR/wal): a restart resumes with the index it had");
  flags.Bool("demo-kafka", &f->demo_kafka,
             "start an in-process Kafka broker (librdkafka's mock cluster), produce PATHs "
             "(default deploy/demo/logs) into it, one topic per file, and consume them through "
             "the real consumer path");
  flags.String("kafka-brokers", &f->kafka_brokers, "HOST:PORT,...",
               "consume from this Kafka cluster (bootstrap.servers)");
  flags.StringList("kafka-topic", &f->kafka_topics, "TOPIC",
                   "a topic to consume; ^regex subscribes by pattern (repeatable)");
  flags.String("kafka-group", &f->kafka_group, "ID", "consumer group id (default logweave)");
  flags.Duration("kafka-rebuild-window", &f->kafka_rebuild_window, "DURATION",
                 "on each partition assignment, read the partition again from (now - DURATION) "
                 "so that the index holds that window after a rebalance "
                 "(kafka.rebuild_window; default 0: off)");
  flags.Bool("final", &f->final,
             "after the initial replay, judge every trace (the files are complete)");
  ServerSecurityFlags(flags, &f->security);
  flags.String("http-address", &f->http_address, "HOST:PORT",
               "also serve /metrics (Prometheus), /healthz, /readyz and the web page (/, /api/...) "
               "over HTTP here, with the same TLS, tokens and bind rule as gRPC "
               "(serve.http_address; default: off)");
  flags.String("peers", &f->peers, "HOST:PORT,...",
               "answer queries together with these other instances (their gRPC addresses; a DNS "
               "name may resolve to several, re-resolved every 30 s); an instance listed as its "
               "own peer ignores itself (serve.peers; docs/operations.md)");
  flags.Duration("peer-timeout", &f->peer_timeout, "DURATION",
                 "how long a query waits for the peers before it answers marked partial "
                 "(serve.peer_timeout; default 2s)");
  flags.Bool("copy-lines", &f->copy_lines,
             "keep a compressed copy of every line of the replayed PATHs instead of reading "
             "them back from their files when shown (index.lines_in_files: false; for files "
             "that may be rewritten or deleted while serve runs: a referenced file is held "
             "open)");
  flags.Bool("check", &f->check,
             "validate the config and flags (keys, values, TLS and token files, Kafka and "
             "follow options), print \"configuration OK\" and exit: 0 valid, 2 not");
  flags.set_epilog(kLogFlagsHelp);
  return flags.ParseCommand(args, &f->paths,
                            [](const absl::Status& s) { return Fail(kExitUsage, s); });
}

// Reads the config file and applies the flags. Returns kGoOn, or kExitUsage
// (a config that cannot be read or is invalid, a bad flag value).
int ReadSettings(const ServeFlags& flags, ServePlan* out) {
  CommandConfig& config = out->config;
  if (!flags.config_path.empty()) {
    absl::StatusOr<CommandConfig> loaded = LoadCommandConfig(flags.config_path);
    if (!loaded.ok()) return Fail(kExitUsage, loaded.status());
    config = *loaded;
  }
  if (flags.threads) config.pipeline.threads = static_cast<uint32_t>(flags.threads);
  if (flags.copy_lines) config.pipeline.index.lines_in_files = false;
  // Ingestion and analysis yield the cores to queries (serve.ingest_nice).
  config.pipeline.worker_nice = config.serve.ingest_nice;
  out->runtime.background_nice = config.serve.ingest_nice;
  out->runtime.analysis_interval = absl::Nanoseconds(config.serve.analysis_interval_ns);
  out->server.address = flags.address.empty() ? config.serve.address : flags.address;
  out->server.security = MergeServerSecurity(config.serve.security, flags.security);
  out->http_address = flags.http_address.empty() ? config.serve.http_address : flags.http_address;
  out->peers = config.serve.peers;
  if (!flags.peers.empty()) out->peers.peers = SplitPeerList(flags.peers);
  if (flags.peer_timeout > absl::ZeroDuration()) out->peers.timeout = flags.peer_timeout;
  if (absl::Status s = out->peers.Validate(); !s.ok()) return Fail(kExitUsage, s);
  if (flags.interval > absl::ZeroDuration()) {
    out->runtime.analysis_interval = flags.interval;
  }
  out->demo_kafka = flags.demo_kafka;
  out->final = flags.final;
  std::vector<std::string> paths = flags.paths;
  if (flags.demo_kafka && paths.empty()) paths.push_back("deploy/demo/logs");
  out->replay = config.serve.replay;
  out->follow = config.follow.paths;
  out->follow.insert(out->follow.end(), flags.follow.begin(), flags.follow.end());
  out->state_dir = flags.state_dir.empty() ? config.follow.state_dir : flags.state_dir;
  for (const std::string& path : paths) {
    if (path == "-") {
      out->follow_stdin = true;
    } else {
      out->replay.push_back(path);
    }
  }
  // Kafka: a real cluster from the flags or the config (StartDemoKafka may replace it).
  out->kafka = config.kafka;
  if (!flags.kafka_brokers.empty()) out->kafka.brokers = flags.kafka_brokers;
  if (!flags.kafka_topics.empty()) out->kafka.topics = flags.kafka_topics;
  if (!flags.kafka_group.empty()) out->kafka.group_id = flags.kafka_group;
  if (flags.kafka_rebuild_window > absl::ZeroDuration()) {
    out->kafka.rebuild_window = flags.kafka_rebuild_window;
  }
  return kGoOn;
}

// Without index.max_bytes in the config, the index keeps at most half of the
// memory the process may use (and says so unless `quiet`). Completes
// settings->runtime.pipeline.
void SetIndexBudget(ServePlan* settings, bool quiet) {
  CommandConfig& config = settings->config;
  if (!config.index_max_bytes_given) {
    config.pipeline.index.max_bytes = DefaultIndexBudget(config.pipeline);
    if (!quiet) {
      Log(LogLevel::kInfo,
          absl::StrFormat("index.max_bytes not set: the index keeps at most %.1f GiB (half of the "
                          "memory this process may use) and evicts its oldest lines beyond it; set "
                          "index.max_bytes in the config to change it (0: no limit)",
                          static_cast<double>(config.pipeline.index.max_bytes) / (1ull << 30)),
          {{"index_max_bytes", config.pipeline.index.max_bytes}});
    }
  }
  settings->runtime.pipeline = config.pipeline;
}

// The follow source's options of `settings`.
FollowOptions FollowOptionsOf(const ServePlan& settings) {
  FollowOptions fo;
  fo.paths = settings.follow;
  fo.state_dir = settings.state_dir;
  fo.start_at = settings.config.follow.start_at;
  fo.batching = settings.config.pipeline.batching;
  return fo;
}

// --check: validates what serve would run, starting nothing. Returns kExitOk
// (and says so on stdout) or kExitUsage (and says what is wrong).
int CheckPlan(ServePlan* settings) {
  SetIndexBudget(settings, /*quiet=*/true);
  absl::Status s = settings->runtime.Validate();
  if (s.ok()) s = settings->server.security.Validate(settings->server.address);
  if (s.ok() && !(settings->kafka.brokers.empty() && settings->kafka.topics.empty())) {
    s = settings->kafka.Validate();
  }
  if (s.ok() && !settings->follow.empty()) s = FollowOptionsOf(*settings).Validate();
  if (!s.ok()) return Fail(kExitUsage, s);
  std::puts("logweave serve: configuration OK");
  return kExitOk;
}

}  // namespace logweave::cli
