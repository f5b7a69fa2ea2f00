// logweave findings [--follow]: the findings of a running `logweave serve`
// (StreamFindings), printed as `logweave replay` prints them; with --follow
// until Ctrl-C. A watchdog thread ends the stream when it should end.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "connectors/grpc/convert.h"
#include "connectors/grpc/status_codes.h"
#include "logweave/utf8.h"
#include "logweave/v1/logweave.grpc.pb.h"
#include "tools/flags/flags.h"
#include "tools/logweave/client.h"
#include "tools/logweave/commands.h"
#include "tools/logweave/json_writer.h"
#include "tools/logweave/output.h"

namespace logweave::cli {
namespace {

// Without --follow: stop once the stream has been quiet this long.
constexpr absl::Duration kFindingsIdle = absl::Seconds(1);

constexpr char kFindingsDescription[] =
    "Prints the findings of a running `logweave serve`: services missing from\n"
    "traces, sequences left incomplete, plain-text errors, and what plugins report.\n"
    "\n"
    "Without --follow: the findings produced so far (whose event time is at or after\n"
    "--since; default: all), then stops once the server has sent nothing for 1 s.\n"
    "With --follow: keeps printing new findings and resolved updates (a finding that\n"
    "later data disproved, marked \"(resolved)\") until Ctrl-C; --since now skips the\n"
    "ones produced before.\n"
    "\n"
    "--json prints one object per finding, as `logweave replay --json` does:\n"
    "\"kind\" is the finding kind, \"status\" open or resolved (docs/output.md).\n"
    "\n"
    "Without --follow, --timeout bounds the whole listing; with it, only connecting.\n";

// Set by SIGINT / SIGTERM during `findings`; read by the stream's watchdog.
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "used in a signal handler");

void OnInterrupt(int) { interrupted.store(true); }

// Cancels a StreamFindings call when it should end: SIGINT or SIGTERM (and
// exits 130 if the call is not over kInterruptGrace later), no connection
// within `connect_timeout`, (unless following) the stream quiet for
// kFindingsIdle after connecting, or a message that could not be decoded.
// Thread-safe: the reading thread calls Activity() and ReadEnded(); the
// watchdog runs on its own thread until Stop(), which comes after Finish():
// a signal ends a call stuck anywhere, Finish included.
class StreamWatchdog {
 public:
  enum class Reason { kNone, kInterrupted, kNoConnection, kIdle, kUndecodable };

  StreamWatchdog(grpc::ClientContext* context, grpc::Channel* channel, bool follow,
                 absl::Duration connect_timeout)
      : context_(context),
        channel_(channel),
        follow_(follow),
        connect_timeout_(connect_timeout),
        started_(absl::Now()) {
    thread_ = std::thread([this] { Run(); });
  }
  ~StreamWatchdog() { Stop(); }

  // A message arrived: the connection works and the stream is not idle.
  void Activity() {
    absl::MutexLock lock(&mu_);
    connected_ = true;
    last_activity_ = absl::Now();
  }
  // Read returned false. At the end of the stream, or when the call failed,
  // Finish returns at once. When a message could not be decoded the call
  // stays open (the server goes on streaming) and Finish would wait for ever:
  // cancel it, at once if protobuf said why, else after kFinishGrace.
  void ReadEnded() {
    absl::MutexLock lock(&mu_);
    read_ended_ = true;
    read_ended_at_ = absl::Now();
    if (reason_ == Reason::kNone && DecodeErrorPending()) {
      Cancel(Reason::kUndecodable, read_ended_at_);
    }
  }
  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }
  // Why the watchdog cancelled the call (kNone: it did not). Call after Stop().
  Reason reason() {
    absl::MutexLock lock(&mu_);
    return reason_;
  }

 private:
  void Run() {
    absl::MutexLock lock(&mu_);
    while (!done_) {
      mu_.AwaitWithTimeout(absl::Condition(&done_), absl::Milliseconds(50));
      if (done_) break;
      const absl::Time now = absl::Now();
      if (reason_ == Reason::kInterrupted) {
        // The reading thread may be stuck writing to a full pipe, which cancelling
        // does not end: leave anyway, as an interrupted command would.
        if (now - cancelled_at_ >= kInterruptGrace) std::_Exit(130);
      } else if (reason_ != Reason::kNone) {
        continue;  // cancelled; Read or Finish returns soon
      } else if (interrupted.load()) {
        Cancel(Reason::kInterrupted, now);
      } else if (read_ended_) {
        if (now - read_ended_at_ >= kFinishGrace) Cancel(Reason::kUndecodable, now);
      } else if (!connected_) {
        if (channel_->GetState(false) == GRPC_CHANNEL_READY) {
          connected_ = true;
          last_activity_ = now;
        } else if (now - started_ >= connect_timeout_) {
          Cancel(Reason::kNoConnection, now);
        }
      } else if (!follow_ && now - last_activity_ >= kFindingsIdle) {
        Cancel(Reason::kIdle, now);
      }
    }
  }
  void Cancel(Reason reason, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    reason_ = reason;
    cancelled_at_ = now;
    context_->TryCancel();
  }

  static constexpr absl::Duration kInterruptGrace = absl::Seconds(2);
  static constexpr absl::Duration kFinishGrace = absl::Seconds(1);
  grpc::ClientContext* const context_;
  grpc::Channel* const channel_;
  const bool follow_;
  const absl::Duration connect_timeout_;
  const absl::Time started_;
  absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time last_activity_ ABSL_GUARDED_BY(mu_);
  bool read_ended_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time read_ended_at_ ABSL_GUARDED_BY(mu_);
  Reason reason_ ABSL_GUARDED_BY(mu_) = Reason::kNone;
  absl::Time cancelled_at_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace

int RunFindings(const std::vector<std::string>& args) {
  const std::string command = "logweave findings";
  std::vector<std::string> kinds;
  std::string since;
  Connection connection;
  bool follow = false, json = false;
  FlagSet flags(command, "[flags]", kFindingsDescription);
  flags.set_exit_codes(
      "Exit codes: 0 ok (also after Ctrl-C or SIGTERM); 1 the server could not be\n"
      "reached, answered an error, or closed the stream (--follow); 2 usage error.\n");
  flags.set_examples(
      {"logweave findings",
       "logweave findings --kind missing_service --kind incomplete_sequence --follow",
       "logweave findings --since now --follow --json | jq -c 'select(.status==\"open\")'"});
  flags.StringList("kind", &kinds, "KIND",
                   "only findings of this kind (repeatable; e.g. missing_service)");
  flags.String("since", &since, "TIME",
               "only findings at or after this event time (RFC 3339, epoch seconds, or now: "
               "only new ones); default: all");
  flags.Bool("follow", &follow, "keep printing new findings until Ctrl-C");
  flags.Bool("json", &json, "print JSON Lines");
  if (int code = ParseQueryFlags(
          flags, args, &connection,
          [](const std::string& arg) { return "to select a kind use --kind " + arg; });
      code >= 0) {
    return code;
  }
  // 0 asks the server for new findings only; 1 ns is "since the beginning".
  int64_t since_ns = 1;
  if (since == "now") {
    since_ns = 0;
  } else if (!since.empty()) {
    if (absl::Status s = ParseTimeFlag("since", since, &since_ns); !s.ok()) {
      return Usage(command, absl::StrCat(s.message(), "; or now for new findings only"));
    }
    since_ns = std::max<int64_t>(since_ns, 1);
  }
  Client client;
  if (int code = Connect(command, connection, &client); code >= 0) return code;

  v1::StreamFindingsRequest request;
  request.set_since_unix_nano(since_ns);
  for (const std::string& k : kinds) request.add_kinds(ValidUtf8(k));

  struct sigaction action = {};
  action.sa_handler = OnInterrupt;
  action.sa_flags = 0;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int, old_term;
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);

  grpc::ClientContext context;
  // Without --follow the listing as a whole has the deadline; with it, only
  // connecting (the watchdog), then the stream lasts until interrupted.
  PrepareCall(client, &context, /*with_deadline=*/!follow);
  uint64_t open = 0, resolved = 0;
  grpc::Status status;
  StreamWatchdog::Reason reason;
  {
    // First the watchdog: starting the call blocks until the request is sent,
    // that is until a connection is made or has failed.
    StreamWatchdog watchdog(&context, client.channel.get(), follow, client.timeout);
    std::unique_ptr<grpc::ClientReader<v1::Finding>> reader =
        client.stub->StreamFindings(&context, request);
    v1::Finding wire;
    while (reader->Read(&wire)) {
      watchdog.Activity();
      const Finding f = FromProto(wire);
      ++(f.resolved ? resolved : open);
      Print(json ? FormatFindingJson(f) + "\n" : FormatFindingText(f, true));
    }
    watchdog.ReadEnded();
    status = reader->Finish();
    watchdog.Stop();
    reason = watchdog.reason();
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);

  if (reason == StreamWatchdog::Reason::kNoConnection) {
    PrintError(Unreachable(
        client, absl::StrCat("no connection within ", absl::FormatDuration(client.timeout))));
    return kExitRuntimeError;
  }
  if (reason == StreamWatchdog::Reason::kUndecodable) {
    PrintError(Undecodable(client, TakeDecodeError()));
    return kExitRuntimeError;
  }
  // A call the watchdog ended reports CANCELLED; any other error is the server's.
  const bool ended_by_us = reason != StreamWatchdog::Reason::kNone;
  if (!status.ok() && !(ended_by_us && status.error_code() == grpc::StatusCode::CANCELLED)) {
    return ReportRpcError(client, status);
  }
  const auto& trailers = context.GetServerTrailingMetadata();
  if (auto it = trailers.find("logweave-findings-dropped"); it != trailers.end()) {
    PrintError(absl::StrCat(command, ": warning: the server skipped ",
                            std::string(it->second.data(), it->second.size()),
                            " findings it no longer held (this reader fell behind, or --since "
                            "reaches further back than the server keeps)"));
  }
  if (auto it = trailers.find("logweave-unreachable-peers"); it != trailers.end()) {
    PrintError(absl::StrCat(command, ": warning: partial answer: peers ",
                            std::string(it->second.data(), it->second.size()),
                            " did not stream their findings (down or refused the call)"));
  }
  if (follow && !ended_by_us) {
    PrintError(absl::StrCat(command, ": logweave at ", client.address,
                            " closed the stream (is it shutting down?)"));
    return kExitRuntimeError;
  }
  if (!json && !follow) {
    if (open + resolved == 0) {
      Print("no findings\n");
    } else {
      Print(absl::StrCat(open, " finding", open == 1 ? "" : "s",
                         resolved > 0 ? absl::StrCat(", ", resolved, " resolved") : "",
                         "; --follow to keep watching\n"));
    }
  }
  return kExitOk;
}

}  // namespace logweave::cli
