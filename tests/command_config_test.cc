// Tests for tools/logweave/command_config.h: the config file as `logweave
// replay` and `serve` read it: the engine's sections plus serve:, sources:
// and kafka:, each read by its owner.
#include "tools/logweave/command_config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testdata/invalid_argument.h"

namespace logweave::cli {
namespace {

using testdata::ExpectInvalidArgument;

TEST(ServeConfigTest, ReadsTheServeSection) {
  absl::StatusOr<CommandConfig> c = LoadCommandConfigString(
      "serve:\n  address: 0.0.0.0:9000\n  analysis_interval: 5s\n  ingest_nice: 3\n"
      "  state_dir: /var/lib/logweave\n  follow_start_at: end\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->serve.address, "0.0.0.0:9000");
  EXPECT_EQ(c->serve.analysis_interval_ns, 5'000'000'000);
  EXPECT_EQ(c->serve.ingest_nice, 3);
  EXPECT_EQ(c->follow.state_dir, "/var/lib/logweave");
  EXPECT_EQ(c->follow.start_at, "end");
}

TEST(ServeConfigTest, DefaultsWithoutTheSection) {
  absl::StatusOr<CommandConfig> c = LoadCommandConfigString("threads: 2\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->pipeline.threads, 2u);
  EXPECT_EQ(c->serve.address, "127.0.0.1:7070");
  EXPECT_EQ(c->serve.analysis_interval_ns, 1'000'000'000);
  EXPECT_EQ(c->follow.start_at, "beginning");
  EXPECT_TRUE(c->follow.state_dir.empty());
  EXPECT_TRUE(c->follow.paths.empty());
  EXPECT_TRUE(c->kafka.brokers.empty());
}

TEST(ServeConfigTest, IngestNiceDefaultsToTenAndZeroTurnsItOff) {
  absl::StatusOr<CommandConfig> defaults = LoadCommandConfigString("threads: 2\n");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->serve.ingest_nice, 10);
  absl::StatusOr<CommandConfig> off = LoadCommandConfigString("serve:\n  ingest_nice: 0\n");
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_EQ(off->serve.ingest_nice, 0);
}

TEST(ServeConfigTest, TheWriteAheadLogIsOnByDefaultAndItsSizeFollowsTheIndex) {
  absl::StatusOr<CommandConfig> defaults = LoadCommandConfigString("threads: 2\n");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_TRUE(defaults->serve.wal);
  EXPECT_EQ(defaults->serve.wal_max_bytes, 0u);
  absl::StatusOr<CommandConfig> c =
      LoadCommandConfigString("serve:\n  wal: false\n  wal_max_bytes: 512MiB\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->serve.wal);
  EXPECT_EQ(c->serve.wal_max_bytes, 512ull << 20);
  ExpectInvalidArgument(LoadCommandConfigString("serve:\n  wal: sometimes\n"), {"serve.wal"});
  ExpectInvalidArgument(LoadCommandConfigString("serve:\n  wal_max_bytes: lots\n"),
                        {"serve.wal_max_bytes"});
}

TEST(ServeConfigTest, TheHttpListenerIsOffUnlessAnAddressIsGiven) {
  absl::StatusOr<CommandConfig> defaults = LoadCommandConfigString("threads: 2\n");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->serve.http_address, "");
  absl::StatusOr<CommandConfig> c =
      LoadCommandConfigString("serve:\n  http_address: 0.0.0.0:9090\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->serve.http_address, "0.0.0.0:9090");
  ExpectInvalidArgument(LoadCommandConfigString("serve:\n  http_address: 9090\n"),
                        {"config:2", "serve.http_address", "host:port"});
}

TEST(ServeConfigTest, PeersAreAListOrACommaSeparatedString) {
  absl::StatusOr<CommandConfig> defaults = LoadCommandConfigString("threads: 2\n");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_TRUE(defaults->serve.peers.peers.empty());
  EXPECT_EQ(defaults->serve.peers.timeout, absl::Seconds(2));
  EXPECT_EQ(defaults->serve.peers.resolve_interval, absl::Seconds(30));
  absl::StatusOr<CommandConfig> list = LoadCommandConfigString(
      "serve:\n  peers: [a.logweave:7070, 10.0.0.6:7070]\n  peer_timeout: 500ms\n"
      "  peer_resolve_interval: 10s\n");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->serve.peers.peers,
            (std::vector<std::string>{"a.logweave:7070", "10.0.0.6:7070"}));
  EXPECT_EQ(list->serve.peers.timeout, absl::Milliseconds(500));
  EXPECT_EQ(list->serve.peers.resolve_interval, absl::Seconds(10));
  absl::StatusOr<CommandConfig> text =
      LoadCommandConfigString("serve:\n  peers: \"logweave-headless:7070, [::1]:7070\"\n");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(text->serve.peers.peers,
            (std::vector<std::string>{"logweave-headless:7070", "[::1]:7070"}));
  ExpectInvalidArgument(LoadCommandConfigString("serve:\n  peers: [logweave-headless]\n"),
                        {"config:2", "serve.peers", "host:port"});
  ExpectInvalidArgument(LoadCommandConfigString("serve:\n  peer_timeout: 0\n"),
                        {"serve.peer_timeout"});
}

TEST(ServeConfigTest, BadValuesNameTheKey) {
  for (const char* bad : {"20", "-1", "high"}) {
    ExpectInvalidArgument(
        LoadCommandConfigString(std::string("serve:\n  ingest_nice: ") + bad + "\n"),
        {"serve.ingest_nice"});
  }
  ExpectInvalidArgument(LoadCommandConfigString("serve:\n  address: localhost\n"),
                        {"config:2", "serve.address", "host:port"});
  ExpectInvalidArgument(LoadCommandConfigString("serve:\n  follow_start_at: middle\n"),
                        {"serve.follow_start_at", "beginning or end"});
  ExpectInvalidArgument(LoadCommandConfigString("serve:\n  adress: x:1\n"),
                        {"unknown key \"serve.adress\"",
                         "address, analysis_interval, ingest_nice, "
                         "state_dir, follow_start_at"});
}

TEST(SourcesConfigTest, ReplayAndFollowItemsGoToTheirSources) {
  absl::StatusOr<CommandConfig> c = LoadCommandConfigString(
      "sources:\n  - replay: [logs/a.log, logs/b]\n  - follow: /var/log/app/*.log\n"
      "  - {replay: c.log, follow: [d.log]}\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->serve.replay, (std::vector<std::string>{"logs/a.log", "logs/b", "c.log"}));
  EXPECT_EQ(c->follow.paths, (std::vector<std::string>{"/var/log/app/*.log", "d.log"}));
  ExpectInvalidArgument(LoadCommandConfigString("sources:\n  - kafka: [x]\n"),
                        {"sources[]", "kafka:"});
  ExpectInvalidArgument(LoadCommandConfigString("sources: {replay: x}\n"),
                        {"sources must be a list"});
  ExpectInvalidArgument(LoadCommandConfigString("sources:\n  - tail: [x]\n"),
                        {"unknown key \"sources[].tail\""});
}

TEST(KafkaConfigTest, ReadsTheKafkaSection) {
  // Regression: the kafka section used to be refused as an unknown key.
  absl::StatusOr<CommandConfig> c = LoadCommandConfigString(
      "kafka:\n  brokers: k1:9092,k2:9092\n  topics: [app-logs, \"^svc-.*\"]\n"
      "  group_id: ingest\n  start: earliest\n  service_from: key\n"
      "  properties: {security.protocol: SASL_SSL, sasl.mechanism: PLAIN}\n"
      "  rebuild_window: 90m\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->kafka.rebuild_window, absl::Minutes(90));
  EXPECT_EQ(c->kafka.brokers, "k1:9092,k2:9092");
  EXPECT_EQ(c->kafka.topics, (std::vector<std::string>{"app-logs", "^svc-.*"}));
  EXPECT_EQ(c->kafka.group_id, "ingest");
  EXPECT_EQ(c->kafka.start, "earliest");
  EXPECT_EQ(c->kafka.service_from, "key");
  EXPECT_EQ(c->kafka.properties.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(c->kafka.properties.at("sasl.mechanism"), "PLAIN");
}

TEST(KafkaConfigTest, DefaultsAndErrors) {
  absl::StatusOr<CommandConfig> c =
      LoadCommandConfigString("kafka:\n  brokers: k:9092\n  topics: logs\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->kafka.group_id, "logweave");
  EXPECT_EQ(c->kafka.start, "committed");
  EXPECT_EQ(c->kafka.service_from, "topic");
  EXPECT_EQ(c->kafka.rebuild_window, absl::ZeroDuration());  // off
  ExpectInvalidArgument(
      LoadCommandConfigString("kafka:\n  brokers: k\n  topics: [t]\n  rebuild_window: soon\n"),
      {"kafka.rebuild_window"});
  ExpectInvalidArgument(LoadCommandConfigString("kafka:\n  brokers: k:9092\n"),
                        {"config:2", "kafka needs brokers and topics"});
  ExpectInvalidArgument(LoadCommandConfigString("kafka:\n  broker: k:9092\n"),
                        {"unknown key \"kafka.broker\"", "brokers, group_id, topics"});
  ExpectInvalidArgument(
      LoadCommandConfigString("kafka:\n  brokers: k\n  topics: [t]\n  properties: [a]\n"),
      {"kafka.properties", "must map"});
}

TEST(CommandConfigTest, UnknownTopLevelKeyListsEverySection) {
  ExpectInvalidArgument(
      LoadCommandConfigString("threads: 4\nserver: {}\n", "ledger.yaml"),
      {"ledger.yaml:2", "unknown key \"server\"",
       "threads, queue_bytes, max_line_bytes, batch_lines, batch_bytes, index, "
       "fields, detectors, plugins, redact, actions, kafka, log, otlp, serve, sources"});
}

TEST(CommandConfigTest, KnowsWhetherTheIndexBudgetWasGiven) {
  absl::StatusOr<CommandConfig> unset = LoadCommandConfigString("serve: {}\n");
  ASSERT_TRUE(unset.ok()) << unset.status();
  EXPECT_FALSE(unset->index_max_bytes_given);
  absl::StatusOr<CommandConfig> zero = LoadCommandConfigString("index:\n  max_bytes: 0\n");
  ASSERT_TRUE(zero.ok()) << zero.status();
  EXPECT_TRUE(zero->index_max_bytes_given);
}

TEST(ServeConfigTest, DefaultIndexBudgetIsHalfTheMemoryAndAtLeast64MiB) {
  EXPECT_EQ(ServeIndexBudget(16ull << 30), 8ull << 30);
  EXPECT_EQ(ServeIndexBudget(100ull << 20), 64ull << 20);
  EXPECT_EQ(ServeIndexBudget(0), 64ull << 20);
}

}  // namespace
}  // namespace logweave::cli
