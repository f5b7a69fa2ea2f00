// The configured actions (the config's actions:) as `logweave replay` and
// `logweave serve` run them: replay acts on its report's findings and waits
// for the runs; serve follows the runtime's findings as they change.
#ifndef LOGWEAVE_TOOLS_COMMAND_ACTIONS_H_
#define LOGWEAVE_TOOLS_COMMAND_ACTIONS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "connectors/actions/dispatcher.h"
#include "logweave/report.h"
#include "logweave/runtime.h"

namespace logweave::cli {

// Runs `config`'s actions on the report's findings and waits until every
// run is done (each bounded by its timeout and retries). Returns the runs in
// the order they ran; none without actions.
std::vector<actions::ActionRun> RunReplayActions(
    const std::vector<actions::ConfiguredAction>& config, const AnalysisReport& report);

// Starts a dispatcher following `runtime`'s findings (from the first one
// kept), remembering what it acted on under `state_dir` ("": in memory).
// Null without actions; the state directory's error otherwise. The runtime
// must outlive it.
absl::StatusOr<std::unique_ptr<actions::ActionDispatcher>> StartServeActions(
    const std::vector<actions::ConfiguredAction>& config, const std::string& state_dir,
    Runtime* runtime);

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_COMMAND_ACTIONS_H_
