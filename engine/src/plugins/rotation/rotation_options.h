// The rotation rule plugin's settings (plugins.rotation in the config; every
// key with its default: README.md in this folder).
#ifndef LOGWEAVE_PLUGINS_ROTATION_ROTATION_OPTIONS_H_
#define LOGWEAVE_PLUGINS_ROTATION_ROTATION_OPTIONS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "plugins/plugin_config.h"

namespace logweave {

class RotationPlugin;

// Watches Secrets Manager rotations (CloudTrail events on the stream) and the
// services' authentication failures, and reports a service that starts
// failing to authenticate soon after a secret was rotated
// (`rotation_incomplete`).
struct RotationOptions {
  // False: configured but off (plugins.rotation.enabled: false).
  bool enabled = true;
  // A service whose authentication failures start at most this long after a
  // rotation is blamed on it. Default 15 min.
  int64_t window_ns = 15LL * 60'000'000'000;
  // An incident is resolved once its service has logged no authentication
  // failure for this long (or its deep health passed). Default 10 min; also
  // the gap that ends a run of failures.
  int64_t resolve_after_ns = 10LL * 60'000'000'000;
  // Secret (name, or ARN with or without its random suffix) -> the services
  // that use it. A secret listed here is blamed only for its services; one
  // not listed, for any service. Empty: every rotation may explain every service.
  std::vector<std::pair<std::string, std::vector<std::string>>> secrets;
  // Request paths of the health endpoints that check the database (deep:
  // 5xx with an authentication message is a failure, 2xx resolves) and of
  // those that check only the process (shallow: "Running").
  std::vector<std::string> deep_health_paths = {"/healthz/db"};
  std::vector<std::string> shallow_health_paths = {"/healthz", "/health", "/livez", "/ping"};
  // More RE2 patterns of authentication failures, matched against plain-text
  // lines and the text of JSON lines, besides the built-in ones.
  std::vector<std::string> extra_patterns;
  // Extra JSON keys of a request's path and HTTP status, tried first (dotted
  // for nested objects).
  std::vector<std::string> path_fields;
  std::vector<std::string> status_fields;
  // Streaming: lines are judged once the watermark is this far past them.
  int64_t lateness_ns = 5'000'000'000;
  // Signals held between ingestion and the rule's next evaluation; beyond,
  // a batch's are dropped and counted.
  uint64_t max_pending = 1'000'000;

  // OK when off; else INVALID_ARGUMENT naming the key (plugins.rotation.*).
  absl::Status Validate() const;
};

// What PipelineOptions::plugins holds for a rotation rule.
using RotationConfig = internal::PluginConfig<RotationPlugin, RotationOptions>;

}  // namespace logweave

#endif  // LOGWEAVE_PLUGINS_ROTATION_ROTATION_OPTIONS_H_
