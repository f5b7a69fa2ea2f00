// The rule plugins built into the engine, by name: what the config's
// `plugins:` section may hold. The table is in registry.cc, one line per
// plugin; each plugin's folder (plugins/<name>/) holds the rest.
#ifndef LOGWEAVE_PLUGINS_REGISTRY_H_
#define LOGWEAVE_PLUGINS_REGISTRY_H_

#include <memory>
#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "logweave/config_section.h"
#include "logweave/plugin.h"

namespace logweave::internal {

// Reads a plugin's config section (plugins.<name>, a map) into its config.
// INVALID_ARGUMENT naming the key for an unknown key or a bad value.
using RulePluginReader =
    absl::StatusOr<std::shared_ptr<const RulePluginConfig>> (*)(const ConfigSection& section);

struct RulePluginEntry {
  std::string_view name;  // the section's key under plugins:
  RulePluginReader read;
  std::string_view finding_kind;  // Finding::kind of what the plugin reports
};

// Every built-in rule plugin, in the order the pipeline makes and the
// analysis evaluates them. A constant table; names are unique.
std::span<const RulePluginEntry> RulePluginRegistry();

// The entry named `name`, or null.
const RulePluginEntry* FindRulePlugin(std::string_view name);

}  // namespace logweave::internal

#endif  // LOGWEAVE_PLUGINS_REGISTRY_H_
