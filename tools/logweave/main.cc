// logweave: streaming log correlation. `logweave help` lists the commands.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "tools/flags/malloc_arenas.h"
#include "tools/logweave/commands.h"
#include "tools/logweave/log_settings.h"

namespace {

constexpr char kVersion[] = "logweave 0.1.0";

constexpr char kUsage[] =
    R"(usage: logweave COMMAND [flags]

logweave reads JSON and plain-text log lines, indexes them by trace id and
assembles cross-service timelines.

commands:
  replay PATH...   ingest log files (or directories, .gz/.zst, - for stdin) as fast as
                   possible and answer questions about them
  templates PATH...
                   group log lines into templates (values masked), by count
  serve [PATH...]  run as a daemon: ingest, detect, answer gRPC queries
  cost FILE...     one-shot: daily cost anomalies in Cost Explorer, CUR or JSON lines
                   (exit 3 when found)
  drift            one-shot: security groups that differ from Terraform's state
                   (--state, --live, --cloudtrail; exit 3 when found)
  version          print the version
  help             show this help

querying a running server (--server HOST:PORT, default $LOGWEAVE_SERVER or
127.0.0.1:7070):
  timeline ID      one trace across services, with its findings
  search           traces by service, level, time, text, finding kind
  unstructured     plain-text errors and the traces they are attributed to
  findings         findings so far; --follow to keep watching
  stats            the server's counters, lag and readiness
  actions          what the configured actions did (runs, outcomes, output)

  probe URL        GET URL, exit 0 on 2xx (container health checks without curl)

Run 'logweave COMMAND --help' for a command's flags.
)";

// Prints the usage with the global flags to `out`.
void PrintUsage(std::FILE* out) {
  std::fputs(kUsage, out);
  std::fputs("\n", out);
  std::fputs(logweave::cli::kLogFlagsHelp, out);
}

// Started with stdin, stdout or stderr closed (`logweave replay - <&-`), the first file this
// process opens takes that number, and findings would be written into it. Each one still
// closed here is opened on /dev/null instead. Stdin gets close-on-exec, which no inherited
// stdin has: that is how `replay -` tells it was closed (as when a library's constructor took
// fd 0 before main: gRPC's eventfd does).
void OpenClosedStandardDescriptors() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int null = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (null >= 0 && null != fd) {
      ::dup3(null, fd, fd == 0 ? O_CLOEXEC : 0);
      ::close(null);
    } else if (null == fd && fd == 0) {
      ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  OpenClosedStandardDescriptors();
  logweave::cli::LimitMallocArenas(logweave::cli::DefaultMallocArenas());
  std::vector<std::string> args(argv + 1, argv + argc);
  logweave::cli::LogFlags log_flags;
  if (absl::Status s = logweave::cli::ExtractLogFlags(&args, &log_flags); !s.ok()) {
    std::fprintf(stderr, "logweave: %s\n", std::string(s.message()).c_str());
    return logweave::cli::kExitUsage;
  }
  if (args.empty()) {
    PrintUsage(stderr);
    return logweave::cli::kExitUsage;
  }
  std::string command = args.front();
  args.erase(args.begin());
  // The one-shot commands' diagnostics stay text unless asked; serve decides after its config.
  logweave::cli::ApplyLogSettings(log_flags, {}, logweave::LogFormat::kText, "");
  if (command == "replay") return logweave::cli::RunReplay(args);
  if (command == "templates") return logweave::cli::RunTemplates(args);
  if (command == "serve") return logweave::cli::RunServe(args, log_flags);
  if (command == "cost") return logweave::cli::RunCost(args);
  if (command == "drift") return logweave::cli::RunDrift(args);
  if (command == "timeline") return logweave::cli::RunTimeline(args);
  if (command == "search") return logweave::cli::RunSearch(args);
  if (command == "unstructured") return logweave::cli::RunUnstructured(args);
  if (command == "findings") return logweave::cli::RunFindings(args);
  if (command == "stats") return logweave::cli::RunStats(args);
  if (command == "actions") return logweave::cli::RunActions(args);
  if (command == "probe") return logweave::cli::RunProbe(args);
  if (command == "version" || command == "--version") {
    std::puts(kVersion);
    return logweave::cli::kExitOk;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    PrintUsage(stdout);
    return logweave::cli::kExitOk;
  }
  std::fprintf(stderr, "logweave: unknown command \"%s\"\n\n%s", command.c_str(), kUsage);
  return logweave::cli::kExitUsage;
}
