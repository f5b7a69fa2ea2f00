// The template miner: masking of values, header detection on real formats, grouping.
#include "logweave/templates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "templates/header.h"
#include "templates/masking.h"

namespace logweave {
namespace {

using internal::LineHeader;
using internal::MaskMessage;
using internal::MaskToken;
using internal::SplitHeader;
using ::testing::ElementsAre;

TEST(MaskTokenTest, MasksValuesKeepingPunctuation) {
  for (const char* value :
       {"12", "blk_-6952295868487656571", "/10.251.73.220:50010", "0x7f3a9c",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6", "/etc/httpd/conf/workers.properties",
        "https://api.example.com/v1", "12ms"}) {
    EXPECT_EQ(MaskToken(value), "<*>") << value;
  }
  EXPECT_EQ(MaskToken("(12),"), "(<*>),");
  EXPECT_EQ(MaskToken("\"alice\""), "\"<*>\"");
  EXPECT_EQ(MaskToken("user=bob"), "user=<*>");
}

TEST(MaskTokenTest, KeepsWords) {
  for (const char* word : {"terminating", "failed:", "\"GET", "/", "="}) {
    EXPECT_EQ(MaskToken(word), word);
  }
}

TEST(MaskMessageTest, CutsAtWhitespaceAndBoundsTokens) {
  std::vector<std::string> tokens;
  MaskMessage("  Got  block blk_-12\tfrom /10.0.0.1:50010 ", &tokens);
  EXPECT_THAT(tokens, ElementsAre("Got", "block", "<*>", "from", "<*>"));
  std::string long_message;
  for (int i = 0; i < 300; ++i) absl::StrAppend(&long_message, "w", " ");
  MaskMessage(long_message, &tokens);
  EXPECT_EQ(tokens.size(), internal::kMaxTemplateTokens);
  EXPECT_EQ(tokens.back(), "<*>");
}

// The parts of a line's header a test checks; an unset one is not checked.
struct WantHeader {
  std::optional<std::string_view> time = {};
  std::optional<Level> level = {};
  std::optional<std::string_view> component = {};
  std::optional<std::string_view> message = {};
};

void ExpectHeader(std::string_view line, const WantHeader& want) {
  const LineHeader h = SplitHeader(line);
  if (want.time) {
    EXPECT_EQ(h.time, *want.time) << line;
  }
  if (want.level) {
    EXPECT_EQ(h.level, *want.level) << line;
  }
  if (want.component) {
    EXPECT_EQ(h.component, *want.component) << line;
  }
  if (want.message) {
    EXPECT_EQ(h.message, *want.message) << line;
  }
}

TEST(SplitHeaderTest, Hdfs) {
  ExpectHeader(
      "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block "
      "blk_38865049064139660 terminating",
      {.level = Level::kInfo,
       .component = "dfs.DataNode$PacketResponder",
       .message = "PacketResponder 1 for block blk_38865049064139660 terminating"});
}

TEST(SplitHeaderTest, Zookeeper) {
  ExpectHeader(
      "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:"
      "FastLeaderElection@774] - Notification time out: 3200",
      {.time = "2015-07-29 17:41:44,747",
       .level = Level::kInfo,
       .message = "Notification time out: 3200"});
  // A dotted word after the thread is the message, not a component.
  ExpectHeader(
      "2015-08-10 18:23:49,901 - INFO  [main:DatadirCleanupManager@78] - "
      "autopurge.snapRetainCount set to 3",
      {.message = "autopurge.snapRetainCount set to 3"});
}

TEST(SplitHeaderTest, SparkHadoopOpenStackApache) {
  ExpectHeader(
      "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal "
      "handlers for [TERM, HUP, INT]",
      {.component = "executor.CoarseGrainedExecutorBackend",
       .message = "Registered signal handlers for [TERM, HUP, INT]"});
  ExpectHeader(
      "2015-10-18 18:01:50,353 INFO [RMCommunicator Allocator] org.apache.hadoop.mapreduce."
      "v2.app.rm.RMContainerAllocator: Recalculating schedule, headroom=<memory:0, vCores:0>",
      {.message = "Recalculating schedule, headroom=<memory:0, vCores:0>"});
  const LineHeader nova = SplitHeader(
      "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO "
      "nova.osapi_compute.wsgi.server [req-38101a0b-2096 113d3a99 54fadb41 - - -] 10.11.10.1 "
      "\"GET /v2/54fadb41/servers/detail HTTP/1.1\" status: 200 len: 1893 time: 0.2477829");
  EXPECT_EQ(nova.component, "nova.osapi_compute.wsgi.server");
  EXPECT_EQ(nova.message.substr(0, 16), "10.11.10.1 \"GET ");
  ExpectHeader("[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
               {.level = Level::kError, .message = "mod_jk child workerEnv in error state 6"});
}

TEST(SplitHeaderTest, PythonLinesAndExceptions) {
  ExpectHeader(
      "2026-11-23 10:00:01,123 ERROR asyncpg.pool: password authentication failed for user "
      "\"alice\"",
      {.level = Level::kError, .component = "asyncpg.pool"});
  // An exception class after the level is the message.
  ExpectHeader("2026-11-23T10:00:01Z ERROR java.io.IOException: Connection reset",
               {.message = "java.io.IOException: Connection reset"});
  // Traceback lines have no header; prose with a level word later keeps its words.
  ExpectHeader("Traceback (most recent call last):",
               {.message = "Traceback (most recent call last):"});
  ExpectHeader("  File \"/app/db.py\", line 12, in connect",
               {.message = "File \"/app/db.py\", line 12, in connect"});
  ExpectHeader("user alice saw an ERROR page", {.message = "user alice saw an ERROR page"});
}

TEST(TemplateMinerTest, GroupsErrorsThatDifferOnlyInValues) {
  TemplateMiner miner(TemplateMinerOptions{});
  std::vector<uint64_t> ids;
  for (int i = 0; i < 35; ++i) {
    ids.push_back(miner.Add(
        {.service = "billing",
         .text = absl::StrCat("2026-11-23 10:00:", 10 + i,
                              ",123 ERROR asyncpg.exceptions.InvalidPasswordError: password "
                              "authentication failed for user ",
                              i % 2 ? "\"alice" : "\"bob", i, "\""),
         .time_ns = 1000 + i,
         .has_time = true,
         .trace_id = i < 7 ? absl::StrCat("trace", i) : ""}));
  }
  miner.Add({.service = "billing", .text = "2026-11-23 10:01:00,000 INFO pool: connected to db"});
  std::vector<TemplateInfo> all = miner.Snapshot();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].count, 35u);
  EXPECT_EQ(all[0].id, ids[0]);
  EXPECT_EQ(all[0].text,
            "asyncpg.exceptions.InvalidPasswordError: password authentication failed for user "
            "\"<*>\"");
  EXPECT_EQ(all[0].levels[static_cast<size_t>(Level::kError)], 35u);
  EXPECT_EQ(all[0].first_ns, 1000);
  EXPECT_EQ(all[0].last_ns, 1034);
  EXPECT_EQ(all[0].sample_traces.size(), 5u);
  EXPECT_EQ(all[1].text, "connected to db");
}

TEST(TemplateMinerTest, MergesVariableWordsAndKeepsDifferentEvents) {
  TemplateMiner miner(TemplateMinerOptions{});
  const uint64_t a = miner.Add({.service = "s", .text = "Lost connection to replica east"});
  const uint64_t b = miner.Add({.service = "s", .text = "Lost connection to replica west"});
  const uint64_t c = miner.Add({.service = "s", .text = "Opened session for replica west"});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(miner.Find(a)->text, "Lost connection to replica <*>");
  // Per service: the same message in another service is another template.
  EXPECT_NE(miner.Add({.service = "t", .text = "Lost connection to replica east"}), a);
}

TEST(TemplateMinerTest, BoundsTemplatesPerServiceAndCountsTheRest) {
  TemplateMinerOptions options;
  options.max_templates_per_service = 2;
  TemplateMiner miner(options);
  EXPECT_NE(miner.Add({.service = "s", .text = "alpha one"}), 0u);
  EXPECT_NE(miner.Add({.service = "s", .text = "beta two three"}), 0u);
  EXPECT_EQ(miner.Add({.service = "s", .text = "gamma four five six"}), 0u);
  EXPECT_EQ(miner.overflow(), 1u);
  EXPECT_NE(miner.Add({.service = "s", .text = "alpha one"}), 0u);  // existing: still counted
  EXPECT_EQ(miner.size(), 2u);
}

TEST(TemplateMinerOptionsTest, RejectsOutOfRange) {
  TemplateMinerOptions options;
  options.similarity = 0;
  EXPECT_EQ(options.Validate().code(), absl::StatusCode::kInvalidArgument);
  options.similarity = 0.5;
  options.max_templates_per_service = 0;
  EXPECT_EQ(options.Validate().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(TemplateMinerOptions{}.Validate().ok());
}

}  // namespace
}  // namespace logweave
