// The subcommands of the logweave command. Each takes its arguments (after
// the subcommand name) and returns the process exit code:
// 0 ok, 1 runtime error (reported on stderr), 2 usage error, 3 a one-shot
// check found something.
#ifndef LOGWEAVE_TOOLS_COMMANDS_H_
#define LOGWEAVE_TOOLS_COMMANDS_H_

#include <string>
#include <vector>

#include "logweave/pipeline.h"
#include "tools/logweave/log_settings.h"

namespace logweave::cli {

constexpr int kExitOk = 0;
constexpr int kExitRuntimeError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitFound = 3;

// logweave replay [flags] PATH...
int RunReplay(const std::vector<std::string>& args);

// logweave templates [--json] [--members] PATH...: log templates of files (templates_command.cc).
int RunTemplates(const std::vector<std::string>& args);

// logweave serve [flags] [PATH...]; `log_flags`: the global --log-format/--log-level.
int RunServe(const std::vector<std::string>& args, const LogFlags& log_flags = {});

// logweave probe URL: one GET; 0 on 2xx, 1 otherwise (container health checks).
int RunProbe(const std::vector<std::string>& args);

// Clients of a running `logweave serve` (client_commands.cc), over gRPC at
// --server HOST:PORT (default $LOGWEAVE_SERVER, else 127.0.0.1:7070). Exit 1
// when the server cannot be reached (message names the address).

// logweave timeline TRACE_ID [--raw] [--json]: GetTimeline; 1 if the trace is unknown.
int RunTimeline(const std::vector<std::string>& args);
// logweave search [filters] [--limit N] [--page-token T] [--json]: SearchTraces.
int RunSearch(const std::vector<std::string>& args);
// logweave unstructured [--service S] [--since T] [--until T] [--unattributed]: ListUnstructured.
int RunUnstructured(const std::vector<std::string>& args);
// logweave findings [--kind K]... [--since T] [--follow] [--json]: StreamFindings; without
// --follow, returns once the stream has been idle for 1 s; with it, at Ctrl-C.
int RunFindings(const std::vector<std::string>& args);
// logweave stats [--json]: GetStats.
int RunStats(const std::vector<std::string>& args);
// logweave actions [--action NAME] [--limit N] [--json]: ListActions.
int RunActions(const std::vector<std::string>& args);

// One-shot checks over files (no server): exit 3 when they find something.
// logweave cost [flags] FILE...: cost anomalies in Cost Explorer / CUR / JSON lines.
int RunCost(const std::vector<std::string>& args);
// logweave drift --state F --live F [--cloudtrail F]...: security-group drift.
int RunDrift(const std::vector<std::string>& args);

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_COMMANDS_H_
