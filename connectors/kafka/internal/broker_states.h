// Whether every Kafka broker is down, from librdkafka's statistics (the
// `brokers` object of the JSON its stats callback receives). Internal to the
// Kafka source.
#ifndef LOGWEAVE_CONNECTORS_KAFKA_INTERNAL_BROKER_STATES_H_
#define LOGWEAVE_CONNECTORS_KAFKA_INTERNAL_BROKER_STATES_H_

#include <optional>
#include <string>

namespace logweave::internal {

// From one statistics document (modified: parsed in place): true when some
// broker with a node id (nodeid >= 0) is down or waiting to reconnect and none
// is up; false when one is up; nullopt when it cannot tell (no such broker
// yet, only connections being made, or a document it cannot read). A broker
// whose node id is not known yet (a bootstrap.servers entry before the
// metadata names it, the group coordinator's logical broker before it is
// found: nodeid -1) is left out. Pure; any thread.
std::optional<bool> AllBrokersDownInStats(std::string* stats_json);

}  // namespace logweave::internal

#endif  // LOGWEAVE_CONNECTORS_KAFKA_INTERNAL_BROKER_STATES_H_
