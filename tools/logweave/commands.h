// The subcommands of the logweave command. Each takes its arguments (after
// the subcommand name) and returns the process exit code:
// 0 ok, 1 runtime error (reported on stderr), 2 usage error.
#ifndef LOGWEAVE_TOOLS_COMMANDS_H_
#define LOGWEAVE_TOOLS_COMMANDS_H_

#include <string>
#include <vector>

#include "logweave/pipeline.h"

namespace logweave::cli {

constexpr int kExitOk = 0;
constexpr int kExitRuntimeError = 1;
constexpr int kExitUsage = 2;

// logweave replay [flags] PATH...
int RunReplay(const std::vector<std::string>& args);

// logweave serve [flags] [PATH...]
int RunServe(const std::vector<std::string>& args);

struct ReplayResult {
  size_t files = 0;                 // files (or stdin) read
  std::vector<std::string> errors;  // one message per path that could not be read
};
// Reads every path (files, directories, "-") into the pipeline, each as a
// source of its own, and waits until every line is indexed.
ReplayResult ReplayInto(Pipeline& pipeline, const std::vector<std::string>& paths,
                        const LineBatcherOptions& batching);

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_COMMANDS_H_
