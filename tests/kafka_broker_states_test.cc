// Whether every broker is down, from librdkafka's statistics: the brokers with a node id decide,
// entries whose node id is not known yet do not, and a document that does not tell changes
// nothing. (librdkafka 2.0's mock cluster: the bootstrap entry takes the node id once learned,
// and the group coordinator's logical broker the coordinator's.)
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "connectors/kafka/internal/broker_states.h"

namespace logweave::internal {
namespace {

// A statistics document with these brokers (name, nodeid, state), as librdkafka writes them.
std::string Stats(std::initializer_list<std::tuple<const char*, int, const char*>> brokers) {
  std::string json = R"({"name":"logweave#consumer-1","type":"consumer","brokers":{)";
  bool first = true;
  for (const auto& [name, nodeid, state] : brokers) {
    if (!first) json += ",";
    first = false;
    json += std::string("\"") + name + "\":{\"name\":\"" + name +
            "\",\"nodeid\":" + std::to_string(nodeid) + ",\"state\":\"" + state +
            "\",\"stateage\":1000,\"outbuf_cnt\":0}";
  }
  json += R"(},"topics":{}})";
  return json;
}

std::optional<bool> Down(std::string json) { return AllBrokersDownInStats(&json); }

TEST(KafkaBrokerStatesTest, TheBrokersOfTheMetadataDecide) {
  // The outage of a one-broker cluster, as librdkafka reports it: the entry of bootstrap.servers
  // named by the metadata, the coordinator's logical broker with the same node id.
  EXPECT_EQ(Down(Stats({{"127.0.0.1:9092/1", 1, "TRY_CONNECT"}, {"GroupCoordinator", 1, "DOWN"}})),
            std::optional<bool>(true));
  // An entry whose node id is not known yet does not count, up or down.
  EXPECT_EQ(Down(Stats({{"127.0.0.1:9092/bootstrap", -1, "UP"},
                        {"GroupCoordinator", -1, "UP"},
                        {"127.0.0.1:9092/1", 1, "DOWN"}})),
            std::optional<bool>(true));
  EXPECT_EQ(Down(Stats({{"127.0.0.1:9092/1", 1, "DOWN"}, {"127.0.0.1:9093/2", 2, "DOWN"}})),
            std::optional<bool>(true));
  // One up is enough; a broker never connected (sparse connections) says nothing.
  EXPECT_EQ(Down(Stats({{"127.0.0.1:9092/1", 1, "DOWN"}, {"127.0.0.1:9093/2", 2, "UP"}})),
            std::optional<bool>(false));
  EXPECT_EQ(Down(Stats({{"127.0.0.1:9092/1", 1, "UP"}, {"127.0.0.1:9093/2", 2, "INIT"}})),
            std::optional<bool>(false));
  EXPECT_EQ(Down(Stats({{"127.0.0.1:9092/1", 1, "UPDATE"}})), std::optional<bool>(false));
}

TEST(KafkaBrokerStatesTest, WhatDoesNotTellChangesNothing) {
  // Connecting, or only bootstrap and logical brokers: no verdict.
  EXPECT_EQ(Down(Stats({{"127.0.0.1:9092/1", 1, "CONNECT"}})), std::nullopt);
  EXPECT_EQ(Down(Stats({{"127.0.0.1:9092/1", 1, "INIT"}})), std::nullopt);
  EXPECT_EQ(Down(Stats({{"127.0.0.1:9092/bootstrap", -1, "DOWN"}})), std::nullopt);
  EXPECT_EQ(Down(Stats({})), std::nullopt);
  EXPECT_EQ(Down("not json"), std::nullopt);
  EXPECT_EQ(Down(R"({"brokers":[]})"), std::nullopt);
  EXPECT_EQ(Down(R"({"brokers":{"b":{"nodeid":"1","state":"DOWN"}}})"), std::nullopt);
}

}  // namespace
}  // namespace logweave::internal
