// The config file's `otlp:` section, read into OtlpOptions (keys and
// defaults: docs/config.md). Registered for `logweave replay` and `serve` in
// tools/logweave/command_config.cc.
//
//   otlp:
//     enabled: true
//     max_request_bytes: 4MiB
//     index_timeout: 30s
//     retry_after: 1s
#ifndef LOGWEAVE_CONNECTORS_OTLP_OTLP_CONFIG_H_
#define LOGWEAVE_CONNECTORS_OTLP_OTLP_CONFIG_H_

#include "absl/status/status.h"
#include "connectors/otlp/otlp_receiver.h"
#include "logweave/config_section.h"

namespace logweave::otlp {

// Reads `section` (otlp:) into `out`; keys absent keep their values.
// INVALID_ARGUMENT naming the key for an unknown key or a bad value.
absl::Status ReadOtlpSection(const ConfigSection& section, OtlpOptions* out);

}  // namespace logweave::otlp

#endif  // LOGWEAVE_CONNECTORS_OTLP_OTLP_CONFIG_H_
