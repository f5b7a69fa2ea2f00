#include "connectors/kafka/kafka_config.h"

#include <string>

namespace logweave {

absl::Status ReadKafkaSection(const ConfigSection& section, KafkaSourceOptions* out) {
  ConfigReader r(section, {"brokers", "group_id", "topics", "start", "service_from", "properties",
                           "rebuild_window"});
  r.Text("brokers", &out->brokers);
  r.Text("group_id", &out->group_id);
  r.NamesFirst("topics", &out->topics);
  r.Text("start", &out->start);
  r.Text("service_from", &out->service_from);
  r.Duration("rebuild_window", /*zero_ok=*/true, &out->rebuild_window);
  if (!r.status().ok()) return r.status();
  if (const YAML::Node props = section.node()["properties"]; props && !props.IsNull()) {
    if (!props.IsMap()) {
      return section.Error("properties",
                           "must map librdkafka properties to values, e.g. "
                           "{security.protocol: SSL}");
    }
    for (const auto& kv : props) {
      out->properties[kv.first.as<std::string>()] = kv.second.as<std::string>();
    }
  }
  if (out->brokers.empty() || out->topics.empty()) {
    return section.Error("", "needs brokers and topics");
  }
  return absl::OkStatus();
}

}  // namespace logweave
