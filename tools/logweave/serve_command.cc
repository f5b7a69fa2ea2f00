// logweave serve: the daemon. Ingests its sources continuously, runs the
// detectors on event time, and answers logweave.v1 over gRPC.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "connectors/file/file_source.h"
#include "connectors/file/replay_source.h"
#include "connectors/follow/follow_source.h"
#include "connectors/grpc/server.h"
#include "connectors/kafka/embedded_kafka.h"
#include "connectors/kafka/kafka_source.h"
#include "connectors/stdin/stdin_source.h"
#include "logweave/parser.h"
#include "logweave/pipeline.h"
#include "logweave/plain_text.h"
#include "logweave/runtime.h"
#include "tools/flags/flags.h"
#include "tools/logweave/command_config.h"
#include "tools/logweave/commands.h"
#include "tools/logweave/output.h"

namespace logweave::cli {
namespace {

// The memory this process may use: the machine's, or less under a cgroup
// limit (containers: v2 memory.max, v1 memory.limit_in_bytes).
uint64_t AvailableMemory() {
  uint64_t limit =
      static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(path);
    uint64_t value = 0;
    if (in >> value && value > 0) limit = std::min(limit, value);  // "max": no number, no limit
  }
  return limit;
}

constexpr char kDescription[] =
    "Runs logweave as a daemon: ingests the sources (PATHs given here and the config's\n"
    "`sources`), runs the detectors every analysis_interval on event time, and serves\n"
    "the logweave.v1 gRPC API (plus grpc.health.v1 and server reflection) that\n"
    "`logweave timeline|search|unstructured|findings|stats` and incident tooling use.\n"
    "\n"
    "Health is NOT_SERVING until the initial replay is indexed. SIGINT or SIGTERM:\n"
    "stop accepting calls, finish running ones, drain what was read, exit 0.\n"
    "\n"
    "examples:\n"
    "  logweave serve deploy/demo/logs\n"
    "  logweave serve --config deploy/logweave.yaml --address 0.0.0.0:7070\n";

// Produces every line of the files under `paths` into the embedded broker,
// one topic (3 partitions) per file, named after its service. Returns the topics.
absl::StatusOr<std::vector<std::string>> ProduceDemo(EmbeddedKafka& kafka,
                                                     const std::vector<std::string>& paths,
                                                     uint64_t* lines_produced) {
  ExpandedPaths expanded = ExpandReplayPaths(paths);
  if (!expanded.errors.empty()) return expanded.errors.front();
  std::vector<std::string> topics;
  for (const std::string& file : expanded.files) {
    // One message per line, except that continuation lines (stack frames,
    // tracebacks) travel in the message of the line they continue, as log
    // shippers' multiline parsers send them: partitions must not split a block.
    std::vector<std::string> lines;
    absl::Status read = ReadSource(file, {}, 0, [&lines, lines_produced](RawBatch&& b) {
      *lines_produced += b.size();  // what the pipeline will count
      for (size_t i = 0; i < b.size(); ++i) {
        std::string_view line = b.Line(i);
        if (!lines.empty() && !line.empty() && line.front() != '{' &&
            ClassifyPlainLine(line).continuation) {
          lines.back().append("\n").append(line);
        } else {
          lines.emplace_back(line);
        }
      }
    });
    if (!read.ok()) return read;
    std::string topic = ServiceFromSourceName(file);
    if (absl::Status s = kafka.CreateTopic(topic, 3); !s.ok()) return s;
    if (absl::Status s = kafka.ProduceLines(topic, lines); !s.ok()) return s;
    topics.push_back(topic);
  }
  return topics;
}

}  // namespace

int RunServe(const std::vector<std::string>& args) {
  std::string config_path, address, interval;
  uint64_t threads = 0;
  bool final = false;
  FlagSet flags("logweave serve", "[flags] [PATH...]", kDescription);
  flags.String("config", &config_path, "FILE", "YAML config file (see docs/config.md)");
  flags.String("address", &address, "HOST:PORT", "where to listen (default 127.0.0.1:7070)");
  flags.String("analysis-interval", &interval, "DURATION",
               "how often the detectors run (default 1s)");
  flags.Uint("threads", &threads, "N", "worker threads (default: one per core)");
  std::vector<std::string> follow;
  std::string state_dir;
  flags.StringList("follow", &follow, "PATH_OR_GLOB",
                   "follow files as they grow and rotate (repeatable)");
  flags.String("state-dir", &state_dir, "DIR",
               "where --follow keeps its checkpoints (resume after a restart)");
  bool demo_kafka = false;
  std::string kafka_brokers, kafka_group;
  std::vector<std::string> kafka_topics;
  flags.Bool("demo-kafka", &demo_kafka,
             "start an in-process Kafka broker (librdkafka's mock cluster), produce PATHs "
             "(default deploy/demo/logs) into it, one topic per file, and consume them through "
             "the real consumer path");
  flags.String("kafka-brokers", &kafka_brokers, "HOST:PORT,...",
               "consume from this Kafka cluster (bootstrap.servers)");
  flags.StringList("kafka-topic", &kafka_topics, "TOPIC",
                   "a topic to consume; ^regex subscribes by pattern (repeatable)");
  flags.String("kafka-group", &kafka_group, "ID", "consumer group id (default logweave)");
  flags.Bool("final", &final,
             "after the initial replay, judge every trace (the files are complete)");
  std::vector<std::string> paths;
  if (absl::Status s = flags.Parse(args, &paths); !s.ok()) {
    std::fprintf(stderr, "logweave serve: %s\n", std::string(s.message()).c_str());
    return kExitUsage;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Help().c_str(), stdout);
    return kExitOk;
  }
  CommandConfig config;
  if (!config_path.empty()) {
    absl::StatusOr<CommandConfig> loaded = LoadCommandConfig(config_path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "logweave serve: %s\n", std::string(loaded.status().message()).c_str());
      return kExitUsage;  // a config that cannot be read or is invalid is a usage error
    }
    config = *loaded;
  }
  if (threads) config.pipeline.threads = static_cast<uint32_t>(threads);
  // Ingestion and analysis yield the cores to queries (serve.ingest_nice).
  const int nice = config.serve.ingest_nice;
  config.pipeline.worker_nice = nice;
  RuntimeOptions runtime_options;
  runtime_options.background_nice = nice;
  runtime_options.analysis_interval = absl::Nanoseconds(config.serve.analysis_interval_ns);
  ServerOptions server_options;
  server_options.address = address.empty() ? config.serve.address : address;
  if (!interval.empty()) {
    absl::Duration d;
    if (!absl::ParseDuration(interval, &d) || d <= absl::ZeroDuration()) {
      std::fprintf(stderr,
                   "logweave serve: --analysis-interval needs a positive duration like 1s "
                   "(got \"%s\")\n",
                   interval.c_str());
      return kExitUsage;
    }
    runtime_options.analysis_interval = d;
  }
  if (demo_kafka && paths.empty()) paths.push_back("deploy/demo/logs");
  std::vector<std::string> replay = config.serve.replay;
  follow.insert(follow.begin(), config.follow.paths.begin(), config.follow.paths.end());
  if (state_dir.empty()) state_dir = config.follow.state_dir;
  bool follow_stdin = false;
  for (const std::string& path : paths) {
    if (path == "-") {
      follow_stdin = true;  // streamed until EOF, not replayed before ready
    } else {
      replay.push_back(path);
    }
  }

  // SIGINT/SIGTERM are taken by sigwait below: block them in every thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (!config.index_max_bytes_given) {
    config.pipeline.index.max_bytes =
        std::max(ServeIndexBudget(AvailableMemory()), config.pipeline.MinMaxBytes());
    std::fprintf(stderr,
                 "logweave serve: index.max_bytes not set: the index keeps at most %.1f GiB (half "
                 "of the memory this process may use) and evicts its oldest lines beyond it; set "
                 "index.max_bytes in the config to change it (0: no limit)\n",
                 static_cast<double>(config.pipeline.index.max_bytes) / (1ull << 30));
  }
  runtime_options.pipeline = config.pipeline;
  absl::StatusOr<std::unique_ptr<Runtime>> created_runtime = Runtime::Create(runtime_options);
  if (!created_runtime.ok()) {
    std::fprintf(stderr, "logweave serve: %s\n",
                 std::string(created_runtime.status().message()).c_str());
    return kExitUsage;
  }
  Runtime& runtime = **created_runtime;
  Pipeline& pipeline = runtime.pipeline();
  absl::StatusOr<std::unique_ptr<LogweaveServer>> server =
      LogweaveServer::Start(server_options, &runtime);
  if (!server.ok()) {
    std::fprintf(stderr, "logweave serve: %s\n", std::string(server.status().message()).c_str());
    return server.status().code() == absl::StatusCode::kInvalidArgument ? kExitUsage
                                                                        : kExitRuntimeError;
  }
  std::fprintf(stderr, "logweave serve: listening on %s (not ready until the replay is indexed)\n",
               (*server)->address().c_str());

  // Kafka: a real cluster from the flags or the config, or the embedded demo broker.
  KafkaSourceOptions kafka = config.kafka;  // the config's kafka: section
  if (!kafka_brokers.empty()) kafka.brokers = kafka_brokers;
  if (!kafka_topics.empty()) kafka.topics = kafka_topics;
  if (!kafka_group.empty()) kafka.group_id = kafka_group;
  std::unique_ptr<EmbeddedKafka> embedded;
  uint64_t demo_lines = 0;
  if (demo_kafka) {
    absl::StatusOr<std::unique_ptr<EmbeddedKafka>> created = EmbeddedKafka::Create();
    if (!created.ok()) {
      std::fprintf(stderr, "logweave serve: demo kafka: %s\n",
                   std::string(created.status().message()).c_str());
      return kExitRuntimeError;
    }
    embedded = std::move(*created);
    absl::StatusOr<std::vector<std::string>> topics = ProduceDemo(*embedded, replay, &demo_lines);
    if (!topics.ok()) {
      std::fprintf(stderr, "logweave serve: demo kafka: %s\n",
                   std::string(topics.status().message()).c_str());
      return kExitRuntimeError;
    }
    replay.clear();  // consumed through Kafka instead
    kafka.brokers = embedded->bootstrap();
    kafka.topics = *topics;
    kafka.start = "earliest";
    // The mock broker holds fetches for fetch.wait.max.ms (500 ms) when little
    // data is waiting; a real broker answers as soon as fetch.min.bytes is there.
    kafka.properties["fetch.wait.max.ms"] = "10";
    std::fprintf(stderr, "logweave serve: demo kafka at %s: %llu lines produced into %zu topics\n",
                 kafka.brokers.c_str(), static_cast<unsigned long long>(demo_lines),
                 topics->size());
  }
  if (!kafka.brokers.empty() || !kafka.topics.empty()) {
    absl::StatusOr<std::unique_ptr<KafkaSource>> consumer = KafkaSource::Create(kafka, &pipeline);
    if (!consumer.ok()) {
      std::fprintf(stderr, "logweave serve: kafka: %s\n",
                   std::string(consumer.status().message()).c_str());
      return kExitUsage;
    }
    (*server)->service().set_stats_extender([k = consumer->get()](v1::Stats* out) {
      KafkaSourceStats ks = k->Stats();
      out->set_kafka_messages(ks.messages);
      out->set_kafka_pauses(ks.pauses);
      for (const auto& p : ks.partitions) {
        v1::PartitionLag* lag = out->add_kafka_partitions();
        lag->set_topic(p.topic);
        lag->set_partition(p.partition);
        lag->set_position(p.position);
        lag->set_committed(p.committed);
        lag->set_high_watermark(p.high_watermark);
        lag->set_lag(p.lag);
      }
    });
    runtime.Start(std::move(*consumer));  // the runtime owns it until Stop
  }
  if (demo_kafka) {
    // Ready once the demo lines came through the consumer (bounded wait).
    absl::Time deadline = absl::Now() + absl::Seconds(60);
    const timespec tick{0, 100'000'000};
    while (pipeline.Stats().lines < demo_lines && absl::Now() < deadline) {
      if (sigtimedwait(&signals, nullptr, &tick) > 0) {  // Ctrl-C while starting
        (*server)->Shutdown(absl::Seconds(1));
        (*server)->service().set_stats_extender(nullptr);
        runtime.Stop();
        return kExitOk;
      }
    }
    pipeline.Flush();
  }
  if (!replay.empty()) {
    ReplaySource files(replay, config.pipeline.batching, &pipeline);
    runtime.ReadToEnd(files).IgnoreError();  // its errors are the files' below
    for (const std::string& e : files.errors()) {
      std::fprintf(stderr, "logweave serve: %s\n", ValidUtf8(e).c_str());
    }
  }
  runtime.AnalyzeNow(final);
  (*server)->SetReady(true);
  if (follow_stdin) {
    StdinSourceOptions stdin_options;
    stdin_options.batching = config.pipeline.batching;
    runtime.Start(std::make_unique<StdinSource>(stdin_options, &pipeline));
  }
  if (!follow.empty()) {
    FollowOptions fo;
    fo.paths = follow;
    fo.state_dir = state_dir;
    fo.start_at = config.follow.start_at;
    fo.batching = config.pipeline.batching;
    absl::StatusOr<std::unique_ptr<FollowSource>> follower = FollowSource::Create(fo, &pipeline);
    if (!follower.ok()) {
      std::fprintf(stderr, "logweave serve: %s\n",
                   std::string(follower.status().message()).c_str());
      (*server)->Shutdown(absl::Seconds(1));
      (*server)->service().set_stats_extender(nullptr);
      runtime.Stop();
      return kExitUsage;
    }
    runtime.Start(std::move(*follower));
  }
  runtime.StartAnalysisLoop();
  IngestStats stats = pipeline.Stats();
  std::fprintf(stderr, "logweave serve: ready: %llu lines, %llu traces indexed; Ctrl-C to stop\n",
               static_cast<unsigned long long>(stats.lines),
               static_cast<unsigned long long>(stats.traces));

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::fprintf(stderr, "logweave serve: %s: stopping\n",
               signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  // Calls finish first (streams end), then the sources drain and commit.
  (*server)->Shutdown(absl::Seconds(5));
  (*server)->service().set_stats_extender(nullptr);
  runtime.Stop();
  std::fprintf(stderr, "logweave serve: stopped\n");
  // Files that could not be read were reported; a clean stop is a success.
  return kExitOk;
}

}  // namespace logweave::cli
