// The subcommands of the logweave command. Each takes its arguments (after
// the subcommand name) and returns the process exit code:
// 0 ok, 1 runtime error (reported on stderr), 2 usage error.
#ifndef LOGWEAVE_TOOLS_COMMANDS_H_
#define LOGWEAVE_TOOLS_COMMANDS_H_

#include <string>
#include <vector>

namespace logweave::cli {

constexpr int kExitOk = 0;
constexpr int kExitRuntimeError = 1;
constexpr int kExitUsage = 2;

// logweave replay [flags] PATH...
int RunReplay(const std::vector<std::string>& args);

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_COMMANDS_H_
