#include "tools/logweave/command_config.h"

#include <utility>

#include "connectors/kafka/kafka_config.h"
#include "connectors/otlp/otlp_config.h"

namespace logweave::cli {

ConfigSections CommandConfigSections(CommandConfig* out) {
  return {
      {"serve",
       [out](const ConfigSection& s) { return ReadServeSection(s, &out->serve, &out->follow); }},
      {"sources",
       [out](const ConfigSection& s) { return ReadSourcesSection(s, &out->serve, &out->follow); }},
      {"kafka", [out](const ConfigSection& s) { return ReadKafkaSection(s, &out->kafka); }},
      {"actions",
       [out](const ConfigSection& s) { return actions::ReadActionsSection(s, &out->actions); }},
      {"log", [out](const ConfigSection& s) { return ReadLogSection(s, &out->log); }},
      {"otlp", [out](const ConfigSection& s) { return otlp::ReadOtlpSection(s, &out->otlp); }},
  };
}

namespace {

absl::StatusOr<CommandConfig> Finish(absl::StatusOr<Config> engine, CommandConfig config) {
  if (!engine.ok()) return engine.status();
  config.pipeline = std::move(engine->pipeline);
  config.index_max_bytes_given = engine->index_max_bytes_given;
  return config;
}

}  // namespace

absl::StatusOr<CommandConfig> LoadCommandConfig(const std::string& path) {
  CommandConfig config;
  absl::StatusOr<Config> engine = LoadFullConfigFile(path, CommandConfigSections(&config));
  return Finish(std::move(engine), std::move(config));
}

absl::StatusOr<CommandConfig> LoadCommandConfigString(const std::string& yaml,
                                                      const std::string& origin) {
  CommandConfig config;
  absl::StatusOr<Config> engine =
      LoadFullConfigString(yaml, origin, CommandConfigSections(&config));
  return Finish(std::move(engine), std::move(config));
}

}  // namespace logweave::cli
