#include "connectors/kafka/internal/broker_states.h"

#include <string_view>

#include "rapidjson/document.h"

namespace logweave::internal {

std::optional<bool> AllBrokersDownInStats(std::string* stats_json) {
  rapidjson::Document doc;
  doc.ParseInsitu(stats_json->data());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  const rapidjson::Value& root = doc;  // const iterators: clang reads == unambiguously
  auto brokers = root.FindMember("brokers");
  if (brokers == root.MemberEnd() || !brokers->value.IsObject()) return std::nullopt;
  bool up = false, down = false;
  for (auto broker = brokers->value.MemberBegin(); broker != brokers->value.MemberEnd(); ++broker) {
    const rapidjson::Value& b = broker->value;
    if (!b.IsObject()) continue;
    auto nodeid = b.FindMember("nodeid");
    auto state = b.FindMember("state");
    if (nodeid == b.MemberEnd() || !nodeid->value.IsInt() || nodeid->value.GetInt() < 0 ||
        state == b.MemberEnd() || !state->value.IsString()) {
      continue;
    }
    const std::string_view s(state->value.GetString(), state->value.GetStringLength());
    // librdkafka's broker states: INIT (never connected), DOWN, TRY_CONNECT (waiting to
    // reconnect), CONNECT, SSL_HANDSHAKE, AUTH_*, APIVERSION_QUERY, UP, UPDATE.
    if (s == "UP" || s == "UPDATE") up = true;
    if (s == "DOWN" || s == "TRY_CONNECT") down = true;
  }
  if (up) return false;
  if (down) return true;
  return std::nullopt;
}

}  // namespace logweave::internal
