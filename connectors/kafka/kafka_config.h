// The config file's `kafka:` section, read into KafkaSourceOptions (keys and
// defaults: docs/config.md). Registered for `logweave replay` and `serve` in
// tools/logweave/command_config.cc.
//
//   kafka:
//     brokers: kafka-1:9092,kafka-2:9092
//     topics: [app-logs, "^svc-.*"]
//     group_id: logweave
//     start: committed
//     service_from: topic
//     properties: {security.protocol: SASL_SSL}
#ifndef LOGWEAVE_CONNECTORS_KAFKA_KAFKA_CONFIG_H_
#define LOGWEAVE_CONNECTORS_KAFKA_KAFKA_CONFIG_H_

#include "absl/status/status.h"
#include "connectors/kafka/kafka_source.h"
#include "logweave/config_section.h"

namespace logweave {

// Reads `section` (kafka:) into `out`; keys absent keep their values.
// INVALID_ARGUMENT naming the key for an unknown key or a bad value, and
// when brokers or topics are missing.
absl::Status ReadKafkaSection(const ConfigSection& section, KafkaSourceOptions* out);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_KAFKA_KAFKA_CONFIG_H_
