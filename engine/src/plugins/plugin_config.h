// The RulePluginConfig of a plugin folder: its Options struct and the
// plugin's factory behind the type-erased interface PipelineOptions holds.
#ifndef LOGWEAVE_PLUGINS_PLUGIN_CONFIG_H_
#define LOGWEAVE_PLUGINS_PLUGIN_CONFIG_H_

#include <functional>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "logweave/config_section.h"
#include "logweave/options.h"
#include "logweave/plugin.h"

namespace logweave::internal {

// Plugin has `static constexpr std::string_view kName` and
// `static absl::StatusOr<std::unique_ptr<Plugin>> Create(const Options&, const SourceNames&)`;
// Options has `bool enabled` and `absl::Status Validate() const`.
// Immutable; thread-safe.
template <typename Plugin, typename Options>
class PluginConfig final : public RulePluginConfig {
 public:
  using OptionsType = Options;
  explicit PluginConfig(Options options) : options_(std::move(options)) {}

  std::string_view name() const override { return Plugin::kName; }
  bool enabled() const override { return options_.enabled; }
  absl::Status Validate() const override { return options_.Validate(); }
  absl::StatusOr<std::unique_ptr<RulePlugin>> Create(const SourceNames& sources) const override {
    absl::StatusOr<std::unique_ptr<Plugin>> plugin = Plugin::Create(options_, sources);
    if (!plugin.ok()) return plugin.status();
    return std::unique_ptr<RulePlugin>(std::move(*plugin));
  }

  const Options& options() const { return options_; }

 private:
  const Options options_;
};

// Reads a plugin's section plugins.<name> into a `Config` (a PluginConfig):
// checks that it has only the `known` keys ("enabled" among them), reads
// `enabled`, then lets `read(section, reader, options)` read the plugin's own
// keys: with the reader, or from the section for a key of a shape of its own
// (a map), returning that key's error (else OK). Returns the config, or
// INVALID_ARGUMENT naming the first bad key. What each plugin's config reader
// (registered in plugins/registry.cc) is made of.
template <typename Config>
absl::StatusOr<std::shared_ptr<const RulePluginConfig>> ReadPluginSection(
    const ConfigSection& section, std::initializer_list<std::string_view> known,
    const std::function<absl::Status(const ConfigSection&, ConfigReader&,
                                     typename Config::OptionsType&)>& read) {
  ConfigReader r(section, known);
  typename Config::OptionsType options;
  r.Bool("enabled", &options.enabled);
  if (absl::Status s = read(section, r, options); !s.ok()) return s;
  if (!r.status().ok()) return r.status();
  return std::make_shared<const Config>(std::move(options));
}

// The options of the first plugin of type `Config` (a PluginConfig) in
// `plugins`, or null: how tests look at what the config file said.
template <typename Config>
const typename Config::OptionsType* FindPluginOptions(
    const std::vector<std::shared_ptr<const RulePluginConfig>>& plugins) {
  for (const auto& config : plugins) {
    if (const auto* typed = dynamic_cast<const Config*>(config.get())) return &typed->options();
  }
  return nullptr;
}

}  // namespace logweave::internal

#endif  // LOGWEAVE_PLUGINS_PLUGIN_CONFIG_H_
