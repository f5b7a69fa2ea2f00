// Everything a logweave config file sets, and the one list of the section
// parsers beyond the engine's own: `logweave replay` and `logweave serve`
// both load their --config through LoadCommandConfig, so both accept the
// same file (each uses the parts it needs).
//
//   absl::StatusOr<CommandConfig> config = LoadCommandConfig("deploy/demo/logweave.yaml");
//   Pipeline::Create(config->pipeline);
#ifndef LOGWEAVE_TOOLS_COMMAND_CONFIG_H_
#define LOGWEAVE_TOOLS_COMMAND_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "connectors/actions/action_options.h"
#include "connectors/follow/follow_source.h"
#include "connectors/kafka/kafka_source.h"
#include "connectors/otlp/otlp_receiver.h"
#include "logweave/config.h"
#include "logweave/options.h"
#include "tools/logweave/log_settings.h"
#include "tools/logweave/serve_config.h"

namespace logweave::cli {

struct CommandConfig {
  // The engine's sections: threads, queue_bytes, ..., index, fields, detectors, plugins.
  PipelineOptions pipeline;
  // Whether index.max_bytes was given (serve picks a budget only when it was not).
  bool index_max_bytes_given = false;
  // serve: address, analysis_interval, ingest_nice; sources: replay items.
  ServeSettings serve;
  // sources: follow items (paths; empty: nothing followed), serve.state_dir
  // and serve.follow_start_at. The caller sets batching from `pipeline`.
  FollowOptions follow;
  // kafka: (brokers empty: the file configures no Kafka source).
  KafkaSourceOptions kafka;
  // actions: what to do about findings (empty: nothing).
  std::vector<actions::ConfiguredAction> actions;
  // log: logweave's own log lines (serve; the flags override it).
  LogSettings log;
  // otlp: the OTLP receiver of serve (POST /v1/logs, LogsService/Export).
  otlp::OtlpOptions otlp;
};

// The parsers of every top-level section that is not the engine's, writing
// into `out` (which must outlive the returned map): serve, sources, kafka, actions, log, otlp.
// Adding a connector with settings of its own: one entry here.
ConfigSections CommandConfigSections(CommandConfig* out);

// Reads and validates the config file at `path` (LoadFullConfigFile with
// CommandConfigSections): NOT_FOUND if it cannot be opened; INVALID_ARGUMENT
// naming the file, line and key.
absl::StatusOr<CommandConfig> LoadCommandConfig(const std::string& path);
// Same, from YAML text; `origin` names it in errors.
absl::StatusOr<CommandConfig> LoadCommandConfigString(const std::string& yaml,
                                                      const std::string& origin = "config");

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_COMMAND_CONFIG_H_
