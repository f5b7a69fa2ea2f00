// logweave serve: the daemon. Ingests its sources continuously, runs the
// detectors on event time, and answers logweave.v1 over gRPC.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "follow/follow_source.h"
#include "grpc/server.h"
#include "logweave/commands.h"
#include "logweave/config.h"
#include "logweave/flags.h"
#include "logweave/pipeline.h"

namespace logweave::cli {
namespace {

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

// Streams stdin into the pipeline until EOF or `stop` (checked every 200 ms),
// so that `kubectl logs -f ... | logweave serve -` works; what was read is
// submitted before it returns.
void StreamStdin(Pipeline* pipeline, const LineBatcherOptions& batching,
                 const std::atomic<bool>* stop) {
  uint32_t source = pipeline->AddSource("-");
  LineBatcherOptions options = batching;
  LineBatcher batcher(source, options,
                      [pipeline](RawBatch&& b) { pipeline->Submit(std::move(b)); });
  std::vector<char> buf(1 << 16);
  while (!stop->load()) {
    pollfd pfd{0, POLLIN, 0};
    int ready = poll(&pfd, 1, 200);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) {
      // Idle: hand over what is complete so far, so quiet pipes are searchable.
      batcher.FlushBatch();
      continue;
    }
    ssize_t n = read(0, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF or error
    batcher.Append(buf.data(), static_cast<size_t>(n));
  }
  batcher.Finish();
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
  Config config;
  if (!config_path.empty()) {
    absl::StatusOr<Config> loaded = LoadFullConfigFile(config_path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "logweave serve: %s\n", std::string(loaded.status().message()).c_str());
      return loaded.status().code() == absl::StatusCode::kNotFound ? kExitRuntimeError : kExitUsage;
    }
    config = *loaded;
  }
  if (threads) config.pipeline.threads = static_cast<uint32_t>(threads);
  ServerOptions server_options;
  server_options.address = address.empty() ? config.serve.address : address;
  server_options.analysis_interval = absl::Nanoseconds(config.serve.analysis_interval_ns);
  server_options.detectors = config.pipeline.detectors;
  if (!interval.empty()) {
    absl::Duration d;
    if (!absl::ParseDuration(interval, &d) || d <= absl::ZeroDuration()) {
      std::fprintf(stderr,
                   "logweave serve: --analysis-interval needs a positive duration like 1s "
                   "(got \"%s\")\n",
                   interval.c_str());
      return kExitUsage;
    }
    server_options.analysis_interval = d;
  }
  std::vector<std::string> replay = config.serve.replay;
  follow.insert(follow.begin(), config.serve.follow.begin(), config.serve.follow.end());
  if (state_dir.empty()) state_dir = config.serve.state_dir;
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

  absl::StatusOr<std::unique_ptr<Pipeline>> pipeline = Pipeline::Create(config.pipeline);
  if (!pipeline.ok()) {
    std::fprintf(stderr, "logweave serve: %s\n", std::string(pipeline.status().message()).c_str());
    return kExitUsage;
  }
  absl::StatusOr<std::unique_ptr<LogweaveServer>> server =
      LogweaveServer::Start(server_options, pipeline->get());
  if (!server.ok()) {
    std::fprintf(stderr, "logweave serve: %s\n", std::string(server.status().message()).c_str());
    return server.status().code() == absl::StatusCode::kInvalidArgument ? kExitUsage
                                                                        : kExitRuntimeError;
  }
  std::fprintf(stderr, "logweave serve: listening on %s (not ready until the replay is indexed)\n",
               (*server)->address().c_str());

  int exit_code = kExitOk;
  if (!replay.empty()) {
    ReplayResult replayed = ReplayInto(**pipeline, replay, config.pipeline.batching);
    for (const auto& e : replayed.errors) {
      std::fprintf(stderr, "logweave serve: %s\n", e.c_str());
      exit_code = kExitRuntimeError;
    }
  }
  (*server)->AnalyzeNow(final);
  (*server)->SetReady(true);
  std::atomic<bool> stop_stdin{false};
  std::thread stdin_thread;
  if (follow_stdin) {
    stdin_thread = std::thread(StreamStdin, pipeline->get(), config.pipeline.batching, &stop_stdin);
  }
  std::atomic<bool> stop_follow{false};
  std::thread follow_thread;
  std::unique_ptr<FollowSource> follower;
  if (!follow.empty()) {
    FollowOptions fo;
    fo.paths = follow;
    fo.state_dir = state_dir;
    fo.start_at = config.serve.follow_start_at;
    fo.batching = config.pipeline.batching;
    absl::StatusOr<std::unique_ptr<FollowSource>> created =
        FollowSource::Create(fo, pipeline->get());
    if (!created.ok()) {
      std::fprintf(stderr, "logweave serve: %s\n", std::string(created.status().message()).c_str());
      (*server)->Shutdown(absl::Seconds(1));
      return kExitUsage;
    }
    follower = std::move(*created);
    follow_thread = std::thread([&] {
      if (absl::Status s = follower->Run(stop_follow); !s.ok()) {
        std::fprintf(stderr, "logweave serve: follow: %s\n", std::string(s.message()).c_str());
      }
    });
  }
  IngestStats stats = (*pipeline)->Stats();
  std::fprintf(stderr, "logweave serve: ready: %llu lines, %llu traces indexed; Ctrl-C to stop\n",
               static_cast<unsigned long long>(stats.lines),
               static_cast<unsigned long long>(stats.traces));

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::fprintf(stderr, "logweave serve: %s: stopping\n",
               signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  stop_stdin = true;
  stop_follow = true;
  if (stdin_thread.joinable()) stdin_thread.join();
  if (follow_thread.joinable()) follow_thread.join();
  (*server)->Shutdown(absl::Seconds(5));
  (*pipeline)->Flush();
  std::fprintf(stderr, "logweave serve: stopped\n");
  // Sources that could not be read are reported, but a clean stop is a success.
  (void)exit_code;
  return kExitOk;
}

}  // namespace logweave::cli
