// logweave serve: the daemon. Ingests its sources continuously, runs the
// detectors on event time, and answers logweave.v1 over gRPC.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "connectors/file/file_source.h"
#include "connectors/file/replay_source.h"
#include "connectors/follow/follow_source.h"
#include "connectors/grpc/peers/trace_lookup_client.h"
#include "connectors/grpc/security/security_config.h"
#include "connectors/grpc/server.h"
#include "connectors/kafka/embedded_kafka.h"
#include "connectors/kafka/kafka_source.h"
#include "connectors/otlp/otlp_grpc.h"
#include "connectors/otlp/otlp_lines.h"
#include "connectors/otlp/otlp_receiver.h"
#include "connectors/stdin/stdin_source.h"
#include "logweave/log.h"
#include "logweave/pipeline.h"
#include "logweave/runtime.h"
#include "logweave/source.h"
#include "tools/flags/flags.h"
#include "tools/logweave/command_actions.h"
#include "tools/logweave/command_config.h"
#include "tools/logweave/commands.h"
#include "tools/logweave/output.h"
#include "tools/logweave/serve_http.h"
#include "tools/logweave/serve_plan.h"
#include "tools/logweave/serve_wal.h"

namespace logweave::cli {
namespace {

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
            ContinuesPlainTextBlock(line)) {
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

// Blocks SIGINT and SIGTERM in this thread and every thread it starts from
// now on (WaitForStopSignal takes them with sigwait). Returns the set.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// The OTLP receiver's and the file exporter lines' counters in a GetStats answer.
void AddOtlpStats(const otlp::OtlpReceiver& receiver, const otlp::OtlpLineExpander& lines,
                  v1::Stats* out) {
  const otlp::OtlpStats s = receiver.Stats();
  out->set_otlp_requests(s.requests);
  out->set_otlp_records(s.records);
  out->set_otlp_rejected(s.rejected);
  out->set_otlp_retry_answers(s.retry_answers);
  out->set_otlp_refused(s.refused);
  out->set_otlp_room_waits(s.room_waits);
  const otlp::OtlpLineStats l = lines.Stats();
  out->set_otlp_file_lines(l.lines);
  out->set_otlp_file_records(l.records);
  out->set_otlp_file_rejected(l.rejected);
  out->set_otlp_file_kept(l.kept);
}

// What serve runs, destroyed in reverse order: the demo broker first, then
// the server, then the actions (the server points at them), then the runtime.
struct Daemon {
  // Reads the Collector's file exporter lines from every source (the
  // pipeline's batch transform): outlives the runtime.
  std::unique_ptr<otlp::OtlpLineExpander> otlp_lines;
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<actions::ActionDispatcher> actions;  // null: no actions configured
  std::unique_ptr<ServeMetrics> metrics;               // counts the server's calls: outlives it
  std::unique_ptr<PeerSet> peers;  // serve.peers; the server's calls use it: outlives it
  // With peers: the analysis asks them before it reports a gap (runtime->SetTraceLookup).
  std::unique_ptr<PeerTraceLookup> trace_lookup;
  // OTLP ingest (otlp.enabled): the receiver and its gRPC service outlive the
  // listeners that call them.
  std::unique_ptr<otlp::OtlpReceiver> otlp;
  std::unique_ptr<otlp::OtlpLogsService> otlp_grpc;
  std::unique_ptr<LogweaveServer> server;
  std::unique_ptr<EmbeddedKafka> embedded;  // --demo-kafka only
  uint64_t demo_lines = 0;                  // lines produced into `embedded`
  // What /readyz and grpc.health.v1 say; its probes read the sources.
  std::unique_ptr<Readiness> readiness;
  std::unique_ptr<HttpListener> http;  // --http-address only

  // The analysis stops asking the peers before they go.
  ~Daemon() {
    if (runtime != nullptr) runtime->SetTraceLookup(nullptr);
  }

  // Calls finish first (streams end) within `grace`, then the sources drain
  // and commit.
  void Stop(absl::Duration grace) {
    if (readiness != nullptr) readiness->Shutdown();  // not ready; no probe reads a source
    if (http != nullptr) http->Stop();
    metrics->set_stats(nullptr);
    server->Shutdown(grace);
    server->service().set_stats_extender(nullptr);
    runtime->Stop();
  }
};

// Makes the runtime (kExitUsage for bad options or a rule plugin that cannot
// start) and starts the gRPC server on it, not ready yet. Returns kGoOn or the exit code.
int StartRuntimeAndServer(const ServePlan& settings, Daemon* daemon) {
  absl::StatusOr<std::unique_ptr<Runtime>> runtime = Runtime::Create(settings.runtime);
  if (!runtime.ok()) return Fail(kExitUsage, runtime.status());
  daemon->runtime = std::move(*runtime);
  // Actions follow the findings from the first (the replay's) on.
  absl::StatusOr<std::unique_ptr<actions::ActionDispatcher>> dispatcher =
      StartServeActions(settings.config.actions, settings.state_dir, daemon->runtime.get());
  if (!dispatcher.ok()) return Fail(kExitUsage, dispatcher.status());
  daemon->actions = std::move(*dispatcher);
  daemon->metrics = std::make_unique<ServeMetrics>(daemon->runtime.get());
  ServerOptions server_options = settings.server;
  server_options.call_observer = daemon->metrics.get();
  if (settings.config.otlp.enabled) {
    daemon->otlp_lines = std::make_unique<otlp::OtlpLineExpander>();
    daemon->runtime->pipeline().SetBatchTransform(
        [lines = daemon->otlp_lines.get()](RawBatch* b) { lines->Expand(b); });
    daemon->otlp =
        std::make_unique<otlp::OtlpReceiver>(&daemon->runtime->pipeline(), settings.config.otlp);
    daemon->otlp_grpc = std::make_unique<otlp::OtlpLogsService>(
        daemon->otlp.get(), !settings.server.security.auth_tokens.empty());
    server_options.extra_services.push_back(daemon->otlp_grpc.get());
    // An export may be larger than a query; the OTLP service checks its own limit.
    server_options.max_request_bytes =
        std::max<int64_t>(server_options.max_request_bytes, settings.config.otlp.max_request_bytes);
  }
  absl::StatusOr<std::unique_ptr<LogweaveServer>> server =
      LogweaveServer::Start(server_options, daemon->runtime.get());
  if (!server.ok()) {
    return Fail(server.status().code() == absl::StatusCode::kInvalidArgument ? kExitUsage
                                                                             : kExitRuntimeError,
                server.status());
  }
  daemon->server = std::move(*server);
  if (daemon->otlp_grpc != nullptr) {
    daemon->otlp_grpc->set_tokens(daemon->server->tokens());
    daemon->server->service().set_stats_extender(
        [otlp = daemon->otlp.get(), lines = daemon->otlp_lines.get()](v1::Stats* out) {
          AddOtlpStats(*otlp, *lines, out);
        });
  }
  daemon->server->service().set_actions(daemon->actions.get());
  if (!settings.peers.peers.empty()) {
    absl::StatusOr<std::unique_ptr<PeerSet>> peers =
        PeerSet::Create(settings.peers, daemon->server->address(), settings.server.security);
    if (!peers.ok()) {
      daemon->Stop(absl::Seconds(1));
      return Fail(kExitUsage, peers.status());
    }
    daemon->peers = std::move(*peers);
    daemon->server->service().set_peers(daemon->peers.get());
    daemon->trace_lookup = std::make_unique<PeerTraceLookup>(daemon->peers.get());
    daemon->runtime->SetTraceLookup(daemon->trace_lookup.get());
    Log(LogLevel::kInfo,
        absl::StrCat("answering together with the peers ", absl::StrJoin(settings.peers.peers, ","),
                     " (instance ", daemon->peers->instance_id(), ")"),
        {{"peers", absl::StrJoin(settings.peers.peers, ",")}});
  }
  Log(LogLevel::kInfo,
      absl::StrCat("listening on ", daemon->server->address(),
                   " (not ready until the replay is indexed)"),
      {{"address", daemon->server->address()}});
  LogweaveServer* grpc_server = daemon->server.get();
  daemon->metrics->set_stats([grpc_server] { return grpc_server->service().CurrentStats(); });
  daemon->readiness = std::make_unique<Readiness>();
  daemon->readiness->Hold("replay", "the initial replay is not indexed yet");
  daemon->readiness->Watch([grpc_server](bool ready) { grpc_server->SetReady(ready); });
  if (!settings.http_address.empty()) {
    absl::StatusOr<std::unique_ptr<HttpListener>> http = StartServeHttp(
        settings.http_address, settings.server.security, daemon->server->tokens(), *daemon->metrics,
        *daemon->readiness,
        {.channel = daemon->server->InProcessChannel(), .runtime = daemon->runtime.get()},
        daemon->otlp.get());
    if (!http.ok()) {
      daemon->Stop(absl::Seconds(1));
      return Fail(http.status().code() == absl::StatusCode::kInvalidArgument ? kExitUsage
                                                                             : kExitRuntimeError,
                  http.status());
    }
    daemon->http = std::move(*http);
  }
  return kGoOn;
}

// --demo-kafka: starts the embedded broker, produces the replay paths into it
// and points settings->kafka at it instead of replaying them. Returns kGoOn
// or kExitRuntimeError.
int StartDemoKafka(ServePlan* settings, Daemon* daemon) {
  absl::StatusOr<std::unique_ptr<EmbeddedKafka>> created = EmbeddedKafka::Create();
  if (!created.ok()) return Fail(kExitRuntimeError, created.status(), "demo kafka");
  daemon->embedded = std::move(*created);
  absl::StatusOr<std::vector<std::string>> topics =
      ProduceDemo(*daemon->embedded, settings->replay, &daemon->demo_lines);
  if (!topics.ok()) return Fail(kExitRuntimeError, topics.status(), "demo kafka");
  settings->replay.clear();  // consumed through Kafka instead
  KafkaSourceOptions& kafka = settings->kafka;
  kafka.brokers = daemon->embedded->bootstrap();
  kafka.topics = *topics;
  kafka.start = "earliest";
  // The mock broker holds fetches for fetch.wait.max.ms (500 ms) when little
  // data is waiting; a real broker answers as soon as fetch.min.bytes is there.
  kafka.properties["fetch.wait.max.ms"] = "10";
  Log(LogLevel::kInfo,
      absl::StrCat("demo kafka at ", kafka.brokers, ": ", daemon->demo_lines,
                   " lines produced into ", topics->size(), " topics"),
      {{"brokers", kafka.brokers}, {"lines", daemon->demo_lines}});
  return kGoOn;
}

// Starts the Kafka consumer when brokers or topics are set, and adds its
// partitions' lag to `logweave stats`. Returns kGoOn or kExitUsage.
int StartKafka(const KafkaSourceOptions& kafka, Daemon* daemon) {
  if (kafka.brokers.empty() && kafka.topics.empty()) return kGoOn;
  absl::StatusOr<std::unique_ptr<KafkaSource>> consumer =
      KafkaSource::Create(kafka, &daemon->runtime->pipeline());
  if (!consumer.ok()) return Fail(kExitUsage, consumer.status(), "kafka");
  daemon->server->service().set_stats_extender(
      [k = consumer->get(), otlp = daemon->otlp.get(), daemon](v1::Stats* out) {
        if (otlp != nullptr) AddOtlpStats(*otlp, *daemon->otlp_lines, out);
        KafkaSourceStats ks = k->Stats();
        out->set_kafka_messages(ks.messages);
        out->set_kafka_pauses(ks.pauses);
        out->set_kafka_rebuilds(ks.rebuilds);
        out->set_kafka_rebuild_messages(ks.rebuild_messages);
        out->set_kafka_rebuild_skipped(ks.rebuild_skipped);
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
  AddKafkaReadiness(*daemon->readiness, consumer->get());
  daemon->runtime->Start(std::move(*consumer));  // the runtime owns it until Stop
  return kGoOn;
}

// Waits (at most 60 s) until the demo lines came through the consumer and are
// indexed. False if a stop signal came meanwhile.
bool WaitForDemoLines(const sigset_t& signals, const Daemon& daemon) {
  Pipeline& pipeline = daemon.runtime->pipeline();
  absl::Time deadline = absl::Now() + absl::Seconds(60);
  const timespec tick{0, 100'000'000};
  while (pipeline.Stats().lines < daemon.demo_lines && absl::Now() < deadline) {
    if (sigtimedwait(&signals, nullptr, &tick) > 0) return false;  // Ctrl-C while starting
  }
  pipeline.Flush();
  return true;
}

// Reads the replay paths to their end on this thread; reports the files that
// could not be read.
void ReplayFiles(const ServePlan& settings, Runtime& runtime) {
  if (settings.replay.empty()) return;
  ReplaySource files(settings.replay, settings.config.pipeline.batching, &runtime.pipeline());
  // Files too large for the budget: their settled traces judged (and streamed) before eviction.
  files.set_between_turns(runtime.AnalysisBeforeEviction());
  runtime.ReadToEnd(files).IgnoreError();  // its errors are the files' below
  for (const std::string& e : files.errors()) {
    Log(LogLevel::kWarn, e);
  }
}

// Starts the sources that stream after ready: stdin ("-") and --follow.
// Returns kGoOn or kExitUsage (follow options the source rejects).
int StartStreamingSources(const ServePlan& settings, Runtime& runtime) {
  if (settings.follow_stdin) {
    StdinSourceOptions stdin_options;
    stdin_options.batching = settings.config.pipeline.batching;
    runtime.Start(std::make_unique<StdinSource>(stdin_options, &runtime.pipeline()));
  }
  if (!settings.follow.empty()) {
    absl::StatusOr<std::unique_ptr<FollowSource>> follower =
        FollowSource::Create(FollowOptionsOf(settings), &runtime.pipeline());
    if (!follower.ok()) return Fail(kExitUsage, follower.status());
    runtime.Start(std::move(*follower));
  }
  return kGoOn;
}

// Blocks until SIGINT or SIGTERM; returns which.
int WaitForStopSignal(const sigset_t& signals) {
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  return signal_number;
}

}  // namespace

int RunServe(const std::vector<std::string>& args, const LogFlags& log_flags) {
  // Until the config is read: the flags or the terminal decide.
  ApplyLogSettings(log_flags, {}, DefaultLogFormat(), "serve");
  ServeFlags flags;
  if (int code = ParseServeFlags(args, &flags); code != kGoOn) return code;
  ServePlan settings;
  if (int code = ReadSettings(flags, &settings); code != kGoOn) return code;
  ApplyLogSettings(log_flags, settings.config.log, DefaultLogFormat(), "serve");
  if (flags.check) return CheckPlan(&settings);
  const sigset_t signals = BlockStopSignals();  // before any thread starts
  SetIndexBudget(&settings);

  Daemon daemon;
  if (int code = StartRuntimeAndServer(settings, &daemon); code != kGoOn) return code;
  // The index of the last run comes back before any live source starts.
  if (!settings.state_dir.empty() && settings.config.serve.wal) {
    if (absl::Status s =
            RestoreServeIndex(settings.state_dir, settings.config.serve,
                              settings.runtime.pipeline.index.max_bytes, daemon.runtime.get());
        !s.ok()) {
      daemon.Stop(absl::Seconds(1));
      return Fail(kExitRuntimeError, s);
    }
  }
  if (settings.demo_kafka) {
    if (int code = StartDemoKafka(&settings, &daemon); code != kGoOn) return code;
  }
  if (int code = StartKafka(settings.kafka, &daemon); code != kGoOn) return code;
  if (settings.demo_kafka && !WaitForDemoLines(signals, daemon)) {
    daemon.Stop(absl::Seconds(1));
    return kExitOk;
  }
  Runtime& runtime = *daemon.runtime;
  ReplayFiles(settings, runtime);
  runtime.AnalyzeNow(settings.final);
  daemon.readiness->Release("replay");
  daemon.readiness->StartRefreshing(absl::Seconds(1));
  if (int code = StartStreamingSources(settings, runtime); code != kGoOn) {
    daemon.Stop(absl::Seconds(1));
    return code;
  }
  runtime.StartAnalysisLoop();
  IngestStats stats = runtime.pipeline().Stats();
  Log(LogLevel::kInfo,
      absl::StrCat("ready: ", stats.lines, " lines, ", stats.traces,
                   " traces indexed; Ctrl-C to stop"),
      {{"lines", stats.lines}, {"traces", stats.traces}});

  const int signal_number = WaitForStopSignal(signals);
  const char* signal_name = signal_number == SIGINT ? "SIGINT" : "SIGTERM";
  Log(LogLevel::kInfo, absl::StrCat(signal_name, ": stopping"), {{"signal", signal_name}});
  const absl::Time stop_began = absl::Now();
  daemon.Stop(absl::Seconds(5));
  const double stop_s = absl::ToDoubleSeconds(absl::Now() - stop_began);
  Log(LogLevel::kInfo, absl::StrFormat("stopped in %.2f s", stop_s), {{"stop_seconds", stop_s}});
  // Files that could not be read were reported; a clean stop is a success.
  return kExitOk;
}

}  // namespace logweave::cli
