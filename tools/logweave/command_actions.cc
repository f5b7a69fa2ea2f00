#include "tools/logweave/command_actions.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "tools/logweave/output.h"

namespace logweave::cli {

std::vector<actions::ActionRun> RunReplayActions(
    const std::vector<actions::ConfiguredAction>& config, const AnalysisReport& report) {
  if (config.empty()) return {};
  actions::DispatcherOptions options;
  options.actions = config;
  options.finding_json = FormatFindingJson;
  // Every finding waits its turn: a replay acts on all of them.
  options.queue_capacity = std::max<size_t>(1, FindingCount(report) * config.size());
  options.runs_kept = options.queue_capacity;
  absl::StatusOr<std::unique_ptr<actions::ActionDispatcher>> dispatcher =
      actions::ActionDispatcher::Create(std::move(options));
  if (!dispatcher.ok()) {
    std::fprintf(stderr, "logweave replay: %s\n",
                 std::string(dispatcher.status().message()).c_str());
    return {};
  }
  ForEachFinding(report, [&](const Finding& finding) { (*dispatcher)->Offer(finding); });
  (*dispatcher)->Drain();
  return (*dispatcher)->Runs();
}

absl::StatusOr<std::unique_ptr<actions::ActionDispatcher>> StartServeActions(
    const std::vector<actions::ConfiguredAction>& config, const std::string& state_dir,
    Runtime* runtime) {
  if (config.empty()) return nullptr;
  actions::DispatcherOptions options;
  options.actions = config;
  options.finding_json = FormatFindingJson;
  options.state_dir = state_dir;
  absl::StatusOr<std::unique_ptr<actions::ActionDispatcher>> dispatcher =
      actions::ActionDispatcher::Create(std::move(options));
  if (dispatcher.ok()) (*dispatcher)->Follow(&runtime->findings());
  return dispatcher;
}

}  // namespace logweave::cli
