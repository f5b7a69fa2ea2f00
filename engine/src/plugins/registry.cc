#include "plugins/registry.h"

#include "logweave/registry_table.h"

namespace logweave::internal {

// The built-in rule plugins: one line each, X(name, reader, finding kind),
// where the reader is the function of plugins/<name>/ that reads its config
// section and the finding kind is what the plugin's findings are called.
// Adding a rule: a folder plugins/<name>/ (options, reader, plugin, README,
// tests, and a plugin.cmake if it needs a library; the build picks them up)
// and one line here.
#define LOGWEAVE_RULE_PLUGINS(X)                   \
  X("canary", ReadCanaryConfig, "canary_rollback") \
  X("cost", ReadCostConfig, "cost_anomaly")        \
  X("drift", ReadDriftConfig, "drift")             \
  X("rotation", ReadRotationConfig, "rotation_incomplete")

#define LOGWEAVE_DECLARE_READER(name, reader, kind) \
  absl::StatusOr<std::shared_ptr<const RulePluginConfig>> reader(const ConfigSection& section);
LOGWEAVE_RULE_PLUGINS(LOGWEAVE_DECLARE_READER)
#undef LOGWEAVE_DECLARE_READER

namespace {

#define LOGWEAVE_ENTRY(name, reader, kind) RulePluginEntry{name, &reader, kind},
constexpr RulePluginEntry kRulePlugins[] = {LOGWEAVE_RULE_PLUGINS(LOGWEAVE_ENTRY)};
#undef LOGWEAVE_ENTRY
#undef LOGWEAVE_RULE_PLUGINS

static_assert(NamesAreUnique(kRulePlugins), "two rule plugins registered under one name");

}  // namespace

std::span<const RulePluginEntry> RulePluginRegistry() { return kRulePlugins; }

const RulePluginEntry* FindRulePlugin(std::string_view name) {
  for (const RulePluginEntry& entry : kRulePlugins) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

}  // namespace logweave::internal
