// logweave actions: the runs of the configured actions of a running
// `logweave serve` (ListActions), printed as `logweave replay` prints its own.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "connectors/grpc/actions_convert.h"
#include "logweave/v1/logweave.grpc.pb.h"
#include "tools/flags/flags.h"
#include "tools/logweave/action_output.h"
#include "tools/logweave/client.h"
#include "tools/logweave/commands.h"
#include "tools/logweave/output.h"

namespace logweave::cli {
namespace {

constexpr char kActionsDescription[] =
    R"(Lists what the configured actions (the config's actions:, docs/config.md) of a
running `logweave serve` did, oldest first: each run's outcome (ok, failed,
timeout, dry_run, cooldown), what it ran, its exit code or HTTP status and its
output. The server keeps the last 1000 runs; `logweave stats` counts them all.
--json prints one {"kind":"action",...} object per run (docs/output.md).
)";

}  // namespace

int RunActions(const std::vector<std::string>& args) {
  const std::string command = "logweave actions";
  std::string action;
  Connection connection;
  bool json = false;
  uint64_t limit = 0;
  FlagSet flags(command, "[flags]", kActionsDescription);
  flags.set_exit_codes(kClientExitCodes);
  flags.set_examples({"logweave actions", "logweave actions --action rollback --limit 5 --json"});
  flags.String("action", &action, "NAME", "only this action's runs");
  flags.Uint("limit", &limit, "N", "only the newest N runs (default: all kept)");
  flags.Bool("json", &json, "print JSON Lines");
  if (int code = ParseQueryFlags(flags, args, &connection); code >= 0) return code;
  Client client;
  if (int code = Connect(command, connection, &client); code >= 0) return code;
  v1::ListActionsRequest request;
  request.set_action(ValidUtf8(action));
  request.set_limit(static_cast<uint32_t>(std::min<uint64_t>(limit, UINT32_MAX)));
  v1::ListActionsResponse response;
  if (int code = CallServer(client, &v1::LogWeave::Stub::ListActions, request, &response);
      code >= 0) {
    return code;
  }
  std::string out;
  if (!json) absl::StrAppend(&out, response.runs_size(), " action runs\n");
  for (const v1::ActionRun& wire : response.runs()) {
    const actions::ActionRun run = FromProto(wire);
    absl::StrAppend(&out, json ? FormatActionRunJson(run) + "\n" : FormatActionRunText(run));
  }
  Print(out);
  return kExitOk;
}

}  // namespace logweave::cli
