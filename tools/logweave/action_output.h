// What the logweave command prints about action runs (replay's, and serve's
// through `logweave actions`): one JSON object per run, or a line for people.
#ifndef LOGWEAVE_TOOLS_ACTION_OUTPUT_H_
#define LOGWEAVE_TOOLS_ACTION_OUTPUT_H_

#include <string>

#include "connectors/actions/dispatcher.h"

namespace logweave::cli {

// {"kind":"action","action":"rollback","action_kind":"exec","finding_id":...,
//  "finding_kind":...,"subject":...,"service":...,"outcome":"ok|failed|timeout|dry_run|cooldown",
//  "command":...,"started":...,"duration_ms":...,"exit_code":...,"http_status":...,
//  "attempts":...,"output":...,"output_truncated":...,"error":...} on one line.
std::string FormatActionRunJson(const actions::ActionRun& run);

// "  rollback  ok  kubectl rollout undo deployment/gateway  (exit 0, 12 ms)" and the
// output's lines indented under it.
std::string FormatActionRunText(const actions::ActionRun& run);

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_ACTION_OUTPUT_H_
