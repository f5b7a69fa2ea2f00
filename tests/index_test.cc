// The sharded index on its own: storage of lines, escaped messages, traces.
#include "logweave/index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "logweave/parser.h"

namespace logweave {
namespace {

using ::testing::UnorderedElementsAre;

class IndexTest : public ::testing::Test {
 protected:
  IndexTest() : index_(IndexOptions{}, 4, &sources_) {
    source_ = sources_.Add("svc.log", "svc");
    parser_ = std::move(*LineParser::Create({}));
  }

  // Parses `lines` as one batch and inserts every record into its shard.
  void Insert(const std::vector<std::string>& lines) {
    RawBatch raw;
    raw.source_id = source_;
    raw.first_seq = next_seq_;
    for (size_t i = 0; i < lines.size(); ++i) raw.AddLine(lines[i], 0, next_seq_ + i + 1);
    next_seq_ += lines.size();
    ParsedBatch parsed;
    parser_->ParseBatch(std::move(raw), "svc", &parsed);
    for (size_t i = 0; i < parsed.records.size(); ++i) {
      const Record& r = parsed.records[i];
      if (r.kind == RecordKind::kEmpty) continue;
      ShardRecord sr{&r, parsed.line_hashes[i], parsed.trace_hashes[i]};
      uint32_t shard = r.trace_id.empty() ? index_.ShardOfLine(sr.line_hash)
                                          : index_.ShardOfTraceHash(sr.trace_hash);
      index_.Insert(shard, parsed.block, &sr, 1);
    }
    // `parsed` is released here: the index must hold its own copies.
  }

  SourceNames sources_;
  Index index_;
  uint32_t source_;
  std::unique_ptr<LineParser> parser_;
  uint64_t next_seq_ = 0;
};

TEST_F(IndexTest, KeepsItsOwnCopiesOfLinesAfterTheBatchIsGone) {
  std::string line = R"({"ts":1795428000.5,"msg":"hello","trace_id":"abc","service":"api"})";
  Insert({line});
  auto t = index_.GetTimeline("abc", {.with_raw = true});
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->events.size(), 1u);
  EXPECT_EQ(t->events[0].raw, line);
  EXPECT_EQ(t->events[0].message, "hello");
  EXPECT_EQ(t->events[0].service, "api");
  EXPECT_EQ(t->events[0].source, "svc.log");
  EXPECT_EQ(t->events[0].time_ns, 1795428000500000000);
}

TEST_F(IndexTest, StoresUnescapedMessagesBesideTheRawLine) {
  Insert({R"({"msg":"say \"hi\"\n\u00e9","trace_id":"esc"})"});
  auto t = index_.GetTimeline("esc", {.with_raw = true});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->events[0].message, "say \"hi\"\n\xC3\xA9");
  EXPECT_EQ(t->events[0].raw, R"({"msg":"say \"hi\"\n\u00e9","trace_id":"esc"})");
}

TEST_F(IndexTest, NumericTraceIdIsTheSameTraceAsItsDecimalString) {
  Insert({R"({"msg":"a","trace_id":1234567890123})", R"({"msg":"b","trace_id":"1234567890123"})"});
  auto t = index_.GetTimeline("1234567890123");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->events.size(), 2u);
}

TEST_F(IndexTest, ListsTracesWithTheirEventCounts) {
  Insert({R"({"msg":"1","trace_id":"x"})", R"({"msg":"2","trace_id":"x"})",
          R"({"msg":"3","trace_id":"y"})", R"({"msg":"no trace"})", "plain text"});
  std::vector<std::pair<std::string, uint32_t>> traces;
  index_.ForEachTrace(
      [&](std::string_view id, uint32_t n) { traces.emplace_back(std::string(id), n); });
  EXPECT_THAT(traces, UnorderedElementsAre(std::pair<std::string, uint32_t>{"x", 2},
                                           std::pair<std::string, uint32_t>{"y", 1}));
  IndexCounters c = index_.Counters();
  EXPECT_EQ(c.events, 5u);
  EXPECT_EQ(c.traces, 2u);
  EXPECT_GT(c.bytes, 0u);
}

TEST_F(IndexTest, DedupeCanBeTurnedOff) {
  SourceNames sources;
  Index index(IndexOptions{.shards = 0, .dedupe = false}, 2, &sources);
  sources.Add("a.log", "a");
  std::string scratch;
  Record r = parser_->ParseLine(R"({"msg":"m","trace_id":"d"})", "a", &scratch);
  ShardRecord sr{&r, 42, Index::HashTraceId("d")};
  uint32_t shard = index.ShardOfTraceHash(sr.trace_hash);
  index.Insert(shard, nullptr, &sr, 1);  // no block: the shard copies the line
  index.Insert(shard, nullptr, &sr, 1);
  EXPECT_EQ(index.GetTimeline("d")->events.size(), 2u);
  EXPECT_EQ(index.Counters().duplicates, 0u);
}

}  // namespace
}  // namespace logweave
