// The kinds of action, by the key that selects them in an `actions:` entry
// (`exec:`, `webhook:`). The table is in action_registry.cc, one line per
// kind; each kind's folder (exec/, webhook/) holds the rest.
#ifndef LOGWEAVE_CONNECTORS_ACTIONS_ACTION_REGISTRY_H_
#define LOGWEAVE_CONNECTORS_ACTIONS_ACTION_REGISTRY_H_

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "connectors/actions/action.h"
#include "connectors/actions/action_options.h"
#include "logweave/config_section.h"

namespace logweave::actions {

// What a kind's reader gets besides its entry.
struct ActionContext {
  const ActionOptions* common = nullptr;  // the entry's common keys, read and validated
  // A path in the config relative to the config file's directory.
  std::function<std::string(const std::string&)> resolve_path;
};

// Reads a kind's keys of one `actions:` entry and makes the action, checking
// what can be checked before the first finding. INVALID_ARGUMENT naming the key.
using ActionReader = absl::StatusOr<std::unique_ptr<Action>> (*)(const ConfigSection& entry,
                                                                 const ActionContext& context);

struct ActionKindEntry {
  std::string_view name;  // the key that selects the kind and names it: "exec"
  std::string_view keys;  // its other keys, comma-separated: "headers,retries"
  ActionReader read;
};

// Every kind, in a constant table; names are unique.
std::span<const ActionKindEntry> ActionKinds();

}  // namespace logweave::actions

#endif  // LOGWEAVE_CONNECTORS_ACTIONS_ACTION_REGISTRY_H_
