// The sharded index on its own: storage of lines, escaped messages, traces.
#include "logweave/index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "index/event_log.h"
#include "parse/parser.h"

namespace logweave {
namespace {

using ::testing::UnorderedElementsAre;

// Parses `lines` as one batch of `source` and inserts each shard's records
// with one Insert, as the pipeline does. `seq` counts lines across calls.
void InsertBatch(Index& index, LineParser& parser, uint32_t source,
                 const std::vector<std::string>& lines, uint64_t* seq) {
  RawBatch raw;
  raw.source_id = source;
  raw.first_seq = *seq;
  for (const std::string& line : lines) raw.AddLine(line, 0, ++*seq);
  ParsedBatch parsed;
  parser.ParseBatch(std::move(raw), "svc", &parsed);
  std::vector<std::vector<ShardRecord>> by_shard(index.shard_count());
  for (size_t i = 0; i < parsed.records.size(); ++i) {
    const Record& r = parsed.records[i];
    if (r.kind == RecordKind::kEmpty) continue;
    ShardRecord sr{&r, parsed.line_hashes[i], parsed.trace_hashes[i]};
    by_shard[r.trace_id.empty() ? index.ShardOfLine(sr.line_hash)
                                : index.ShardOfTraceHash(sr.trace_hash)]
        .push_back(sr);
  }
  for (uint32_t k = 0; k < by_shard.size(); ++k) {
    if (!by_shard[k].empty()) index.Insert(k, by_shard[k].data(), by_shard[k].size());
  }
  // `parsed` is released here: the index must hold its own references.
}

// An index with one source and a parser that fills it.
class IndexFixture : public ::testing::Test {
 protected:
  IndexFixture(const IndexOptions& options, uint32_t shards, const std::string& source)
      : index_(options, shards, &sources_) {
    source_ = sources_.Add(source, "svc");
    parser_ = std::move(*LineParser::Create({}));
  }

  // Parses `lines` as one batch and inserts every record into its shard.
  void Insert(const std::vector<std::string>& lines) {
    InsertBatch(index_, *parser_, source_, lines, &next_seq_);
  }

  SourceNames sources_;
  Index index_;
  uint32_t source_;
  std::unique_ptr<LineParser> parser_;
  uint64_t next_seq_ = 0;
};

class IndexTest : public IndexFixture {
 protected:
  IndexTest() : IndexFixture(IndexOptions{}, 4, "svc.log") {}
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

// Ids are stored as they are (short ones), two hex digits a byte (hex ones
// of up to 32 digits, all in one case), or apart: each reads back exactly.
TEST_F(IndexTest, TraceIdsOfEveryFormReadBackExactly) {
  const std::vector<std::string> ids = {
      "x",
      "abcdefghijklmnop",                      // 16 bytes, not hex
      "0af7651916cd43dd",                      // 16 hex digits
      "0af7651916cd43dd8",                     // 17: odd
      "4bf92f3577b34da6a3ce929d0e0e4736",      // W3C
      "4BF92F3577B34DA6A3CE929D0E0E4736",      // the same in upper case: another trace
      "4bf92f3577b34da6A3CE929D0E0E4736",      // mixed case
      "12345678901234567890123456789012",      // digits only
      "4bf92f3577b34da6a3ce929d0e0e47361",     // 33 hex digits
      "4bf92f35-77b3-4da6-a3ce-929d0e0e4736",  // UUID
      "4bf92f3577b34da6a3ce929d0e0e473g",      // 32, not hex
  };
  for (const char* prefix : {"m", "n"}) {  // each trace gets two events
    std::vector<std::string> lines;
    for (size_t i = 0; i < ids.size(); ++i) {
      lines.push_back(absl::StrCat(R"({"msg":")", prefix, i, R"(","trace_id":")", ids[i], R"("})"));
    }
    Insert(lines);
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    absl::StatusOr<Timeline> t = index_.GetTimeline(ids[i]);
    ASSERT_TRUE(t.ok()) << ids[i] << ": " << t.status();
    ASSERT_EQ(t->events.size(), 2u) << ids[i];
    EXPECT_EQ(t->events[0].message, absl::StrCat("m", i)) << ids[i];
    EXPECT_EQ(t->events[1].message, absl::StrCat("n", i)) << ids[i];
  }
  std::set<std::string> listed, scanned;
  index_.ForEachTrace([&](std::string_view id, uint32_t) { listed.emplace(id); });
  index_.ScanTraces({}, [&](const TraceSummaryView& v) {
    scanned.emplace(v.trace_id);
    return true;
  });
  const std::set<std::string> want(ids.begin(), ids.end());
  EXPECT_EQ(listed, want);
  EXPECT_EQ(scanned, want);
  EXPECT_EQ(index_.GetTimeline("4bf92f3577b34da6a3ce929d0e0e4737").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(index_.GetTimeline("4bf92f3577b34da6a3ce929d0e0e473").status().code(),
            absl::StatusCode::kNotFound);
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
  index.Insert(shard, &sr, 1);
  index.Insert(shard, &sr, 1);
  EXPECT_EQ(index.GetTimeline("d")->events.size(), 2u);
  EXPECT_EQ(index.Counters().duplicates, 0u);
}

// A repeat is the same line of the same service. The same line in the files of two services
// (whose names come from the files) is two events, and lines cut at max_line_bytes are never
// taken for repeats: what differs after the cut is not known.
TEST_F(IndexTest, DedupeKeepsTheSameLineOfAnotherServiceAndCutLines) {
  SourceNames sources;
  Index index(IndexOptions{.shards = 0}, 2, &sources);
  std::string scratch_a, scratch_b;
  const std::string line = R"({"msg":"request received","trace_id":"d"})";
  Record a = parser_->ParseLine(line, "api", &scratch_a);
  Record b = parser_->ParseLine(line, "billing", &scratch_b);
  ShardRecord sa{&a, 42, Index::HashTraceId("d")};
  ShardRecord sb{&b, 42, Index::HashTraceId("d")};
  const uint32_t shard = index.ShardOfTraceHash(sa.trace_hash);
  index.Insert(shard, &sa, 1);
  index.Insert(shard, &sb, 1);
  EXPECT_EQ(index.GetTimeline("d")->events.size(), 2u);
  index.Insert(shard, &sa, 1);  // a true repeat
  EXPECT_EQ(index.GetTimeline("d")->events.size(), 2u);
  EXPECT_EQ(index.Counters().duplicates, 1u);

  a.flags |= kRecordTruncated;
  index.Insert(shard, &sa, 1);
  index.Insert(shard, &sa, 1);
  EXPECT_EQ(index.GetTimeline("d")->events.size(), 4u);
  EXPECT_EQ(index.Counters().duplicates, 1u);
}

// At the end of an input the dedupe windows go: their memory comes back, the
// lines stay, and later lines are compared only with each other.
TEST_F(IndexTest, ReleasedDedupeWindowsFreeTheirMemoryAndKeepTheLines) {
  std::vector<std::string> lines;
  for (int i = 0; i < 20'000; ++i) {
    lines.push_back(R"({"msg":"m)" + std::to_string(i) + R"(","trace_id":"t)" +
                    std::to_string(i % 100) + R"("})");
  }
  Insert(lines);
  Insert({lines[0]});
  ASSERT_EQ(index_.Counters().duplicates, 1u);
  const uint64_t before = index_.Counters().bytes;
  index_.ReleaseDedupeWindows();
  const IndexCounters after = index_.Counters();
  EXPECT_LT(after.bytes, before);
  EXPECT_EQ(after.events, 20'000u);
  EXPECT_EQ(index_.GetTimeline("t7")->events.size(), 200u);
  Insert({lines[1]});  // its twin is no longer in a window: indexed again
  EXPECT_EQ(index_.Counters().duplicates, 1u);
  Insert({lines[1]});  // a twin of a line indexed after the release
  EXPECT_EQ(index_.Counters().duplicates, 2u);
  EXPECT_EQ(index_.GetTimeline("t1")->events.size(), 201u);
}

// A one-shot analysis frees each shard once it has read it: the shard's
// traces are then NOT_FOUND with the reason, the others' are untouched, and
// the shard takes new lines as a new one would.
TEST_F(IndexTest, AReleasedShardForgetsItsTracesSaysWhyAndTakesNewOnes) {
  // Forty traces of 100 lines, and enough traces of one line that a pass over
  // a shard takes several slices.
  std::vector<std::string> lines;
  std::map<std::string, uint32_t> events_of;
  for (int i = 0; i < 4'000; ++i) {
    const std::string id = absl::StrCat("t", i % 40);
    lines.push_back(absl::StrCat(R"({"time":"2026-11-23T10:00:00Z","msg":"m)", i,
                                 R"(","trace_id":")", id, R"("})"));
    ++events_of[id];
  }
  for (int i = 0; i < 4 * 3 * static_cast<int>(Index::kScanChunk); ++i) {
    const std::string id = absl::StrCat("u", i);
    lines.push_back(
        absl::StrCat(R"({"time":"2026-11-23T10:00:00Z","msg":"m","trace_id":")", id, R"("})"));
    ++events_of[id];
  }
  Insert(lines);
  const uint32_t shard = index_.ShardOfTraceHash(Index::HashTraceId("t7"));
  std::map<std::string, uint32_t> kept;
  std::vector<std::string> freed;
  uint64_t kept_events = 0;
  for (const auto& [id, n] : events_of) {
    if (index_.ShardOfTraceHash(Index::HashTraceId(id)) == shard) {
      freed.push_back(id);
    } else {
      kept[id] = n;
      kept_events += n;
    }
  }
  ASSERT_FALSE(kept.empty());
  const IndexCounters before = index_.Counters();
  ASSERT_EQ(before.events, lines.size());
  // A pass in slices begun before the release goes on after it, over nothing freed.
  Index::SliceCursor cursor;
  size_t visited_before = 0, visited_after = 0;
  index_.ForEachTraceWithEventsInShard(
      shard, [&](const TraceView&) { ++visited_before; }, &cursor, /*max_events=*/1);
  ASSERT_FALSE(cursor.done);
  ASSERT_GT(visited_before, 0u);

  index_.ReleaseShard(shard);
  const IndexCounters after = index_.Counters();
  EXPECT_EQ(after.events, kept_events);
  EXPECT_EQ(after.traces, kept.size());
  EXPECT_LT(after.bytes, before.bytes);
  for (const std::string& id : freed) {
    absl::StatusOr<Timeline> gone = index_.GetTimeline(id);
    ASSERT_TRUE(absl::IsNotFound(gone.status())) << id;
    EXPECT_THAT(std::string(gone.status().message()),
                ::testing::HasSubstr("freed the traces it held"));
  }
  for (const auto& [id, n] : kept) {
    absl::StatusOr<Timeline> timeline = index_.GetTimeline(id);
    ASSERT_TRUE(timeline.ok()) << id;
    ASSERT_EQ(timeline->events.size(), n) << id;
  }
  std::map<std::string, uint32_t> listed;
  index_.ForEachTrace(
      [&](std::string_view id, uint32_t events) { listed[std::string(id)] = events; });
  EXPECT_EQ(listed, kept);

  while (!cursor.done) {
    index_.ForEachTraceWithEventsInShard(
        shard, [&](const TraceView&) { ++visited_after; }, &cursor, /*max_events=*/1);
  }
  EXPECT_EQ(visited_after, 0u);

  // New lines of a freed trace make it anew, with only those lines.
  Insert({R"({"time":"2026-11-23T10:00:01Z","msg":"again","trace_id":"t7"})",
          R"({"time":"2026-11-23T10:00:02Z","msg":"and again","trace_id":"t7"})"});
  absl::StatusOr<Timeline> again = index_.GetTimeline("t7");
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->events.size(), 2u);
  EXPECT_EQ(again->events[0].message, "again");
  EXPECT_EQ(again->events[1].message, "and again");
  EXPECT_EQ(index_.Counters().events, kept_events + 2);
  size_t in_shard = 0;
  index_.ForEachTraceWithEventsInShard(shard, [&](const TraceView& view) {
    ++in_shard;
    EXPECT_EQ(view.trace_id, "t7");
    EXPECT_EQ(view.count, 2u);
  });
  EXPECT_EQ(in_shard, 1u);
}

// Lines are stored compressed, messages of JSON lines interned up to a
// limit: every kind of message must still read back whole, from blocks long
// sealed, and be found by a text search.
TEST_F(IndexTest, EveryKindOfMessageReadsBackAndIsSearchableFromCompressedBlocks) {
  std::vector<std::string> lines;
  for (int i = 0; i < 12000; ++i) {
    const std::string trace = "m" + std::to_string(i);
    // Short and repeated; short and distinct (past the interning limit);
    // long; with escapes.
    lines.push_back(R"({"msg":"cart_loaded","trace_id":")" + trace + R"("})");
    lines.push_back(R"({"msg":"order )" + std::to_string(i) + R"( placed","trace_id":")" + trace +
                    R"("})");
    lines.push_back(R"({"msg":")" + std::string(100, 'L') + std::to_string(i) +
                    R"(","trace_id":")" + trace + R"("})");
    lines.push_back(R"({"msg":"payment \"failed\" code )" + std::to_string(i) +
                    R"(","trace_id":")" + trace + R"("})");
  }
  for (size_t b = 0; b < lines.size(); b += 4000) {
    Insert(std::vector<std::string>(lines.begin() + b,
                                    lines.begin() + std::min(lines.size(), b + 4000)));
  }
  for (int i : {0, 1, 9000, 11999}) {
    const std::string trace = "m" + std::to_string(i);
    auto t = index_.GetTimeline(trace, {.with_raw = true});
    ASSERT_TRUE(t.ok()) << t.status();
    std::vector<std::string> messages, raws;
    for (const auto& e : t->events) messages.push_back(e.message), raws.push_back(e.raw);
    EXPECT_THAT(messages, ::testing::Contains("cart_loaded"));
    EXPECT_THAT(messages, ::testing::Contains("order " + std::to_string(i) + " placed"));
    EXPECT_THAT(messages, ::testing::Contains(std::string(100, 'L') + std::to_string(i)));
    for (int k = 0; k < 4; ++k) EXPECT_THAT(raws, ::testing::Contains(lines[4 * i + k]));
  }
  auto found = [&](const std::string& text) {
    std::vector<std::string> ids;
    TraceFilter filter;
    filter.text = text;
    index_.ScanTraces(filter, [&](const TraceSummaryView& t) {
      ids.emplace_back(t.trace_id);
      return true;
    });
    return ids;
  };
  EXPECT_THAT(found("order 10001 placed"), ::testing::ElementsAre("m10001"));
  EXPECT_THAT(found(std::string(100, 'L') + "10002"), ::testing::ElementsAre("m10002"));
  EXPECT_THAT(found("\"failed\" code 10003"), ::testing::ElementsAre("m10003"));
  EXPECT_EQ(index_.Counters().events, lines.size());
}

// A filter set up by `set`.
template <typename Set>
TraceFilter Filter(Set set) {
  TraceFilter f;
  set(f);
  return f;
}

// The ids ScanTraces reports for `filter`, in the order it reports them.
std::vector<std::string> Scan(const Index& index, const TraceFilter& filter) {
  std::vector<std::string> ids;
  index.ScanTraces(filter, [&](const TraceSummaryView& t) {
    ids.emplace_back(t.trace_id);
    return true;
  });
  return ids;
}

class IndexScanTest : public IndexTest {
 protected:
  IndexScanTest() {
    Insert({
        R"({"ts":100,"service":"api","level":"info","msg":"GET /cart","trace_id":"t1"})",
        R"({"ts":101,"service":"db","level":"warn","msg":"slow query","trace_id":"t1"})",
        R"({"ts":200,"service":"api","level":"info","msg":"GET /pay","trace_id":"t2"})",
        R"({"ts":205,"service":"pay","level":"error","msg":"card declined","trace_id":"t2"})",
        R"({"ts":300,"service":"db","level":"debug","msg":"vacuum","trace_id":"t3"})",
        R"({"service":"db","level":"info","msg":"untimed","trace_id":"t4"})",
    });
  }
};

TEST_F(IndexScanTest, EmptyFilterReportsEveryTraceWithItsSummary) {
  std::map<std::string, TraceSummaryView> seen;
  std::map<std::string, std::string> ids;
  index_.ScanTraces({}, [&](const TraceSummaryView& t) {
    ids[std::string(t.trace_id)] = std::string(t.trace_id);
    TraceSummaryView copy = t;
    copy.trace_id = {};
    copy.route = {};
    seen[std::string(t.trace_id)] = copy;
    return true;
  });
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen["t1"].events, 2u);
  EXPECT_EQ(seen["t1"].start_ns, 100'000'000'000);
  EXPECT_EQ(seen["t1"].end_ns, 101'000'000'000);
  EXPECT_EQ(seen["t1"].max_level, Level::kWarn);
  EXPECT_EQ(seen["t2"].max_level, Level::kError);
  // An untimed line takes the time of its neighbour in its source.
  EXPECT_EQ(seen["t4"].start_ns, 300'000'000'000);
}

TEST_F(IndexTest, TraceWithoutAnyTimeHasAZeroSpan) {
  Insert({R"({"msg":"no time at all","trace_id":"never"})"});
  int calls = 0;
  index_.ScanTraces({}, [&](const TraceSummaryView& t) {
    ++calls;
    EXPECT_EQ(t.trace_id, "never");
    EXPECT_EQ(t.start_ns, 0);
    EXPECT_EQ(t.end_ns, 0);
    return true;
  });
  EXPECT_EQ(calls, 1);
}

TEST_F(IndexScanTest, FiltersByServiceLevelTimeAndText) {
  using ::testing::UnorderedElementsAre;
  EXPECT_THAT(Scan(index_, Filter([](TraceFilter& f) { f.service = "db"; })),
              UnorderedElementsAre("t1", "t3", "t4"));
  EXPECT_THAT(Scan(index_, Filter([](TraceFilter& f) { f.service = "pay"; })),
              UnorderedElementsAre("t2"));
  EXPECT_THAT(Scan(index_, Filter([](TraceFilter& f) { f.service = "nobody"; })),
              UnorderedElementsAre());
  EXPECT_THAT(Scan(index_, Filter([](TraceFilter& f) { f.min_level = Level::kWarn; })),
              UnorderedElementsAre("t1", "t2"));
  EXPECT_THAT(Scan(index_, Filter([](TraceFilter& f) { f.min_level = Level::kFatal; })),
              UnorderedElementsAre());
  // Overlap with [150 s, 250 s]: t2 only (t1 ends at 101 s, t3 starts at 300 s).
  EXPECT_THAT(Scan(index_, Filter([](TraceFilter& f) {
                     f.start_ns = 150'000'000'000;
                     f.end_ns = 250'000'000'000;
                   })),
              UnorderedElementsAre("t2"));
  EXPECT_THAT(Scan(index_, Filter([](TraceFilter& f) {
                     f.start_ns = 101'000'000'000;
                     f.end_ns = 101'000'000'000;
                   })),
              UnorderedElementsAre("t1"));
  EXPECT_THAT(Scan(index_, Filter([](TraceFilter& f) { f.text = "slow"; })),
              UnorderedElementsAre("t1"));
  EXPECT_THAT(Scan(index_, Filter([](TraceFilter& f) {
                     f.service = "api";
                     f.text = "declined";
                   })),
              UnorderedElementsAre("t2"));
  EXPECT_THAT(Scan(index_, Filter([](TraceFilter& f) {
                     f.service = "db";
                     f.text = "declined";
                   })),
              UnorderedElementsAre());
}

TEST_F(IndexScanTest, StopsWhenTheCallbackSaysSo) {
  int calls = 0;
  index_.ScanTraces({}, [&](const TraceSummaryView&) { return ++calls < 2; });
  EXPECT_EQ(calls, 2);
}

TEST_F(IndexScanTest, StopsBeforeAChunkWhenAskedTo) {
  int calls = 0, asked = 0;
  index_.ScanTraces(
      {},
      [&](const TraceSummaryView&) {
        ++calls;
        return true;
      },
      [&] { return ++asked > 0; });  // a call cancelled before it started
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(asked, 1);
}

TEST_F(IndexScanTest, LooksUpOnlyTheGivenTraces) {
  std::vector<std::string> ids;
  index_.LookupTraces({"t3", "nope", "", "t2", "t1"},
                      Filter([](TraceFilter& f) { f.service = "db"; }),
                      [&](const TraceSummaryView& t) {
                        ids.emplace_back(t.trace_id);
                        return true;
                      });
  EXPECT_THAT(ids, ::testing::ElementsAre("t3", "t1"));
}

TEST_F(IndexScanTest, TraceInfoListsServicesByTheirFirstEventTime) {
  // Arrival order pay, api; time order api (200 s) before pay (205 s).
  Insert({R"({"ts":205,"service":"pay","msg":"b","trace_id":"order"})",
          R"({"ts":200,"service":"api","msg":"a","trace_id":"order"})",
          R"({"ts":206,"service":"api","msg":"c","trace_id":"order"})"});
  absl::StatusOr<TraceInfo> info = index_.GetTraceInfo("order");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_THAT(info->services, ::testing::ElementsAre("api", "pay"));
  EXPECT_EQ(info->events, 3u);
  EXPECT_EQ(info->start_ns, 200'000'000'000);
  EXPECT_EQ(info->end_ns, 206'000'000'000);
  EXPECT_EQ(index_.GetTraceInfo("missing").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(index_.GetTraceInfo("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(IndexTest, ServiceFilterIsExactBeyondSixtyThreeServicesInAShard) {
  // One shard, 70 services: ids >= 63 share one summary bit and are confirmed
  // by reading the events.
  SourceNames sources;
  sources.Add("m.log", "m");
  Index index(IndexOptions{}, 1, &sources);
  std::vector<std::string> lines;
  for (int i = 0; i < 70; ++i) {
    lines.push_back(R"({"msg":"x","service":"s)" + std::to_string(i) + R"(","trace_id":"t)" +
                    std::to_string(i) + R"("})");
  }
  std::vector<Record> records;
  std::vector<std::string> scratch(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    records.push_back(parser_->ParseLine(lines[i], "m", &scratch[i]));
  }
  for (Record& r : records) {
    ShardRecord sr{&r, Index::HashTraceId(r.raw), Index::HashTraceId(r.trace_id)};
    index.Insert(0, &sr, 1);
  }
  EXPECT_THAT(Scan(index, Filter([](TraceFilter& f) { f.service = "s65"; })),
              ::testing::ElementsAre("t65"));
  EXPECT_THAT(Scan(index, Filter([](TraceFilter& f) { f.service = "s69"; })),
              ::testing::ElementsAre("t69"));
  EXPECT_THAT(Scan(index, Filter([](TraceFilter& f) { f.service = "s3"; })),
              ::testing::ElementsAre("t3"));
}

TEST_F(IndexTest, FarApartArrivalsAndServicesBeyondSixteenBitsReadBackExactly) {
  // One shard: an event keeps its arrival order relative to its chunk's
  // first and its service id in 16 bits; those that do not fit are kept
  // beside it. Every value must read back as inserted.
  SourceNames sources;
  sources.Add("m.log", "m");
  Index index(IndexOptions{}, 1, &sources);
  constexpr int kServices = 70'000;  // past 2^16 - 1 ids
  std::vector<std::string> lines;
  for (int i = 0; i < kServices; ++i) {
    lines.push_back(R"({"msg":"x","service":"s)" + std::to_string(i) + R"(","trace_id":"t)" +
                    std::to_string(i % 100) + R"("})");
  }
  std::vector<Record> records;
  std::vector<std::string> scratch(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    records.push_back(parser_->ParseLine(lines[i], "m", &scratch[i]));
  }
  // Arrival orders that jump by more than 2^31 now and then, and go back.
  auto seq_of = [](uint64_t i) {
    return (i % 7 == 3 ? (uint64_t{5} << 32) : 0) + (i % 11 == 5 ? 0 : 3 * i + 1);
  };
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].seq = seq_of(i);
    ShardRecord sr{&records[i], Index::HashTraceId(records[i].raw),
                   Index::HashTraceId(records[i].trace_id)};
    index.Insert(0, &sr, 1);
  }
  for (int t : {0, 42, 99}) {
    auto timeline = index.GetTimeline("t" + std::to_string(t));
    ASSERT_TRUE(timeline.ok()) << timeline.status();
    ASSERT_EQ(timeline->events.size(), static_cast<size_t>(kServices / 100));
    std::multiset<std::pair<uint64_t, std::string>> got, want;
    for (const TimelineEvent& e : timeline->events) got.emplace(e.seq, e.service);
    for (int i = t; i < kServices; i += 100) want.emplace(seq_of(i), "s" + std::to_string(i));
    EXPECT_EQ(got, want) << "t" << t;
  }
  // The analysis' view, and the service filter, see the same.
  size_t far_seen = 0;
  index.ForEachTraceWithEvents([&](const TraceView& view) {
    for (size_t k = 0; k < view.count; ++k) {
      const EventView& e = view.events[k];
      int i = -1;
      ASSERT_TRUE(absl::SimpleAtoi(std::string(e.service.substr(1)), &i)) << e.service;
      EXPECT_EQ(e.seq, seq_of(i));
      far_seen += i >= 65'535 || seq_of(i) >= (uint64_t{1} << 32);
    }
  });
  EXPECT_GT(far_seen, 10'000u);
  EXPECT_THAT(Scan(index, Filter([](TraceFilter& f) { f.service = "s69999"; })),
              ::testing::ElementsAre("t99"));
}

TEST_F(IndexTest, APassInSlicesVisitsEveryTraceOnceInTheOrderOfAWholePass) {
  std::vector<std::string> lines;
  for (int i = 0; i < 80'000; ++i) {
    lines.push_back(R"({"msg":"m","trace_id":"t)" + std::to_string(i % 40'000) + R"("})");
  }
  Insert(lines);
  for (uint32_t shard = 0; shard < index_.shard_count(); ++shard) {
    std::vector<std::string> whole, sliced;
    index_.ForEachTraceWithEventsInShard(
        shard, [&](const TraceView& v) { whole.emplace_back(v.trace_id); });
    int slices = 0;
    for (Index::SliceCursor cursor; !cursor.done; ++slices) {
      index_.ForEachTraceWithEventsInShard(
          shard, [&](const TraceView& v) { sliced.emplace_back(v.trace_id); }, &cursor, 100);
    }
    EXPECT_GT(whole.size(), 2u * Index::kScanChunk);
    EXPECT_EQ(sliced, whole);
    EXPECT_GE(slices, 2);  // in whole chunks of Index::kScanChunk traces
  }
}

TEST_F(IndexTest, APassInSlicesEndsAtTheTracesTheShardHadWhenItBegan) {
  std::vector<std::string> lines;
  for (int i = 0; i < 20'000; ++i) {
    lines.push_back(R"({"msg":"m","trace_id":"a)" + std::to_string(i) + R"("})");
  }
  Insert(lines);
  std::vector<std::string> before;
  index_.ForEachTraceWithEventsInShard(
      0, [&](const TraceView& v) { before.emplace_back(v.trace_id); });
  // Traces created between the slices (as the ingest goes on while serve
  // analyses) are left to the next pass; a slice of no events still moves on.
  std::vector<std::string> sliced;
  int slices = 0;
  for (Index::SliceCursor cursor; !cursor.done; ++slices) {
    index_.ForEachTraceWithEventsInShard(
        0, [&](const TraceView& v) { sliced.emplace_back(v.trace_id); }, &cursor, 0);
    std::vector<std::string> more;
    for (int i = 0; i < 2'000; ++i) {
      more.push_back(R"({"msg":"m","trace_id":"b)" + std::to_string(slices) + "-" +
                     std::to_string(i) + R"("})");
    }
    Insert(more);
    ASSERT_LT(slices, 100) << "the pass does not end";
  }
  EXPECT_EQ(sliced, before);
  EXPECT_GE(slices, 2);
}

TEST(EventLogTest, ValuesKeptBesideTheRecordsGoWithTheirChunk) {
  internal::EventLog log;
  auto fields = [](uint64_t seq, uint32_t service) {
    internal::EventFields f;
    f.seq = seq;
    f.service = service;
    return f;
  };
  // A chunk of events whose arrival orders and services do not fit, then a
  // chunk of ones that do; beside it, a log of the same events that all fit.
  internal::EventLog near;
  const uint64_t n = internal::EventLog::kChunkEvents;
  for (uint64_t i = 0; i < n; ++i) {
    log.Append(fields(i * (uint64_t{1} << 32), 100'000 + static_cast<uint32_t>(i)), {});
    near.Append(fields(i, 7), {});
  }
  for (uint64_t i = 0; i < n; ++i) {
    log.Append(fields(i, 7), {});
    near.Append(fields(i, 7), {});
  }
  EXPECT_EQ(log.Seq(5), 5 * (uint64_t{1} << 32));
  EXPECT_EQ(log.Service(5), 100'005u);
  EXPECT_EQ(log.Seq(n + 5), 5u);
  EXPECT_EQ(log.Service(n + 5), 7u);
  EXPECT_GT(log.bytes(), near.bytes());  // the far values are counted
  uint64_t lines_end = 0;
  EXPECT_EQ(log.DropOldestChunk(&lines_end), n);
  EXPECT_EQ(near.DropOldestChunk(&lines_end), n);
  EXPECT_EQ(log.bytes(), near.bytes());  // and went with their chunk
  EXPECT_EQ(log.Seq(n + 9), 9u);
  EXPECT_EQ(log.Service(n + 9), 7u);
}

// The record keeps 24 bits of arrival order and of the distance to the
// trace's previous event: values at and past the edges read back exactly.
TEST(EventLogTest, ArrivalsAndLinksAtTheEdgesOfTheRecordReadBackExactly) {
  internal::EventLog log;
  const uint64_t base = uint64_t{1} << 40;
  struct Case {
    uint64_t seq;
    uint64_t prev_distance;
  };
  const std::vector<Case> cases = {
      {base, 0},                              // the chunk's first: seq_base
      {base + (1 << 23) - 1, (1 << 24) - 2},  // the largest that fit
      {base + (1 << 23), (1 << 24) - 1},      // the smallest that do not
      {base - (1 << 23) + 1, 1},              // the most negative that fits
      {base - (1 << 23), uint64_t{1} << 40},  // one past it; a distance beyond 32 bits
      {0, 7},
  };
  for (const Case& c : cases) {
    internal::EventFields f;
    f.seq = c.seq;
    f.prev_distance = c.prev_distance;
    f.time_ns = -1234567890123456789;
    f.flags = kRecordHasTime | kRecordContainerWrapped | internal::kStoredLineInFile |
              internal::kStoredMessageEscaped;
    f.level = Level::kFatal;
    f.kind = RecordKind::kUnstructured;
    log.Append(f, {});
  }
  for (uint64_t n = 0; n < cases.size(); ++n) {
    EXPECT_EQ(log.Seq(n), cases[n].seq) << n;
    EXPECT_EQ(log.PrevDistance(n), cases[n].prev_distance) << n;
    const internal::StoredEvent& ev = log.Event(n);
    EXPECT_EQ(ev.time_ns(), -1234567890123456789);
    EXPECT_EQ(ev.flags(), kRecordHasTime | kRecordContainerWrapped | internal::kStoredLineInFile |
                              internal::kStoredMessageEscaped);
    EXPECT_EQ(ev.level(), Level::kFatal);
    EXPECT_EQ(ev.kind(), RecordKind::kUnstructured);
  }
  EXPECT_EQ(log.PrevLive(3), 2u);
  EXPECT_EQ(log.PrevLive(0), internal::kNoEvent);
}

TEST_F(IndexTest, ScanInChunksVisitsEveryTraceOnceWhileInsertsContinue) {
  // Several chunks per shard, and an inserter adding new traces meanwhile:
  // every trace that existed before the scan is reported exactly once.
  SourceNames sources;
  sources.Add("c.log", "c");
  Index index(IndexOptions{}, 2, &sources);
  auto insert_traces = [&](const std::string& prefix, int n) {
    std::string scratch;
    for (int i = 0; i < n; ++i) {
      std::string line = R"({"msg":"m","trace_id":")" + prefix + std::to_string(i) + R"("})";
      Record r = parser_->ParseLine(line, "c", &scratch);
      ShardRecord sr{&r, Index::HashTraceId(r.raw), Index::HashTraceId(r.trace_id)};
      index.Insert(index.ShardOfTraceHash(sr.trace_hash), &sr, 1);
    }
  };
  const int kBefore = 3 * static_cast<int>(Index::kScanChunk) + 17;
  insert_traces("old-", kBefore);
  std::atomic<bool> stop{false};
  std::thread inserter([&] {
    for (int round = 0; !stop.load(); ++round)
      insert_traces("new" + std::to_string(round) + "-", 64);
  });
  std::map<std::string, int> seen;
  for (const std::string& id : Scan(index, {})) ++seen[id];
  stop = true;
  inserter.join();
  int old_seen = 0;
  for (const auto& [id, n] : seen) {
    EXPECT_EQ(n, 1) << id;
    if (id.rfind("old-", 0) == 0) ++old_seen;
  }
  EXPECT_EQ(old_seen, kBefore);
}

// A one-shard index with a small memory budget, filled with batches of lines.
class IndexEvictionTest : public IndexFixture {
 protected:
  static constexpr uint64_t kBudget = 8ull << 20;

  IndexEvictionTest()
      : IndexFixture(
            IndexOptions{
                .shards = 1, .dedupe = true, .dedupe_window = 1 << 20, .max_bytes = kBudget},
            1, "big.log") {}

  // Inserts `lines` in batches of 4096, each batch's block kept by the index.
  void InsertLines(const std::vector<std::string>& lines) {
    for (size_t begin = 0; begin < lines.size(); begin += 4096) {
      const size_t end = std::min(lines.size(), begin + 4096);
      Insert(std::vector<std::string>(lines.begin() + begin, lines.begin() + end));
    }
  }

  static std::string Line(int i, const std::string& trace) {
    return R"({"ts":)" + std::to_string(1000 + i) + R"(,"msg":"event number )" + std::to_string(i) +
           R"( with some padding to look like a real line","trace_id":")" + trace +
           R"(","service":"svc"})";
  }
};

TEST_F(IndexEvictionTest, DropsTheOldestEventsToStayWithinTheBudget) {
  // "early": 3 events at the very start; "spanning": one event at the start
  // and one at the end; "late": 2 events at the end; 300k filler lines over
  // 1000 traces. All records fit in the chunk of records being filled, which
  // is never evicted: the traces stay known.
  std::vector<std::string> lines;
  for (int i = 0; i < 3; ++i) lines.push_back(Line(i, "early"));
  lines.push_back(Line(3, "spanning"));
  const int kFiller = 300'000;
  for (int i = 0; i < kFiller; ++i) lines.push_back(Line(10 + i, "t" + std::to_string(i % 1000)));
  lines.push_back(Line(kFiller + 20, "spanning"));
  lines.push_back(Line(kFiller + 21, "late"));
  lines.push_back(Line(kFiller + 22, "late"));
  InsertLines(lines);

  IndexCounters c = index_.Counters();
  EXPECT_GT(c.evicted_events, 0u);
  EXPECT_EQ(c.events + c.evicted_events, lines.size());
  EXPECT_EQ(c.evicted_events % 8192, 0u);  // whole chunks (EventLog::kChunkEvents)
  // Many of the lines are gone (the dedupe window takes at most an eighth
  // of the budget); what is held is the newest.
  EXPECT_LT(c.events, lines.size() * 3 / 4);
  EXPECT_LE(c.bytes, kBudget + (8u << 20)) << c.bytes;  // plus the chunk being filled
  EXPECT_EQ(c.evicted_traces, 0u);

  absl::StatusOr<Timeline> early = index_.GetTimeline("early");
  ASSERT_TRUE(early.ok()) << early.status();  // known, evicted: not NOT_FOUND
  EXPECT_TRUE(early->events.empty());
  EXPECT_EQ(early->evicted_events, 3u);
  EXPECT_EQ(index_.GetTimeline("never-seen").status().code(), absl::StatusCode::kNotFound);

  absl::StatusOr<Timeline> spanning = index_.GetTimeline("spanning", {.with_raw = true});
  ASSERT_TRUE(spanning.ok());
  ASSERT_EQ(spanning->events.size(), 1u);
  EXPECT_EQ(spanning->evicted_events, 1u);
  EXPECT_EQ(spanning->events[0].raw, Line(kFiller + 20, "spanning"));

  absl::StatusOr<Timeline> late = index_.GetTimeline("late", {.with_raw = true});
  ASSERT_TRUE(late.ok());
  ASSERT_EQ(late->events.size(), 2u);
  EXPECT_EQ(late->evicted_events, 0u);
  EXPECT_EQ(late->events[1].raw, Line(kFiller + 22, "late"));

  // Scans skip fully evicted traces; analysis passes see partial ones as such.
  bool early_scanned = false;
  index_.ScanTraces({}, [&](const TraceSummaryView& t) {
    early_scanned = early_scanned || t.trace_id == "early";
    return true;
  });
  EXPECT_FALSE(early_scanned);
  EXPECT_EQ(index_.GetTraceInfo("early").status().code(), absl::StatusCode::kNotFound);
  uint32_t spanning_evicted = 0;
  size_t spanning_count = 0;
  index_.ForEachTraceWithEvents([&](const TraceView& v) {
    EXPECT_NE(v.trace_id, "early");
    if (v.trace_id == "spanning") {
      spanning_evicted = v.evicted;
      spanning_count = v.count;
    }
  });
  EXPECT_EQ(spanning_evicted, 1u);
  EXPECT_EQ(spanning_count, 1u);
}

TEST_F(IndexEvictionTest, ARepeatOfAnEvictedLineIsStoredAgain) {
  std::vector<std::string> lines;
  lines.push_back(Line(0, "again"));
  for (int i = 0; i < 200'000; ++i) lines.push_back(Line(10 + i, "f" + std::to_string(i)));
  InsertLines(lines);
  // Its events are gone (and, with them, maybe its record).
  absl::StatusOr<Timeline> gone = index_.GetTimeline("again");
  EXPECT_TRUE(gone.ok() ? gone->events.empty() : absl::IsNotFound(gone.status()));
  const uint64_t duplicates = index_.Counters().duplicates;
  InsertLines({Line(0, "again")});  // its twin is gone: nothing to compare with
  EXPECT_EQ(index_.Counters().duplicates, duplicates);
  absl::StatusOr<Timeline> again = index_.GetTimeline("again", {.with_raw = true});
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->events.size(), 1u);
  EXPECT_EQ(again->events[0].raw, Line(0, "again"));
}

TEST_F(IndexEvictionTest, RecordsOfTracesWithNoEventLeftGoToo) {
  // The keeper, created first, gets an event every 1000 lines: its record moves
  // out of the old chunks instead of pinning them (its id, packed, with it).
  const std::string kKeeper = "4BF92F3577B34DA6A3CE929D0E0E4736";
  // The others' ids are hex too, stored packed: records dropped by the thousand leave their
  // map's table to be rebuilt again and again.
  auto Hex = [](int i) { return absl::StrFormat("%032x", i + 1); };
  std::vector<std::string> lines;
  const int kTraces = 300'000;
  for (int i = 0; i < kTraces; ++i) {
    if (i % 1000 == 0) lines.push_back(Line(i, kKeeper));
    lines.push_back(Line(i, Hex(i)));
  }
  InsertLines(lines);
  IndexCounters c = index_.Counters();
  EXPECT_GT(c.evicted_traces, 0u);
  EXPECT_EQ(c.traces + c.evicted_traces, static_cast<uint64_t>(kTraces) + 1);
  absl::StatusOr<Timeline> keeper = index_.GetTimeline(kKeeper, {.with_raw = true});
  ASSERT_TRUE(keeper.ok()) << keeper.status();
  ASSERT_FALSE(keeper->events.empty());
  EXPECT_GT(keeper->evicted_events, 0u);
  EXPECT_EQ(keeper->events.back().raw, Line(kTraces - 1000, kKeeper));
  absl::StatusOr<Timeline> first = index_.GetTimeline(Hex(0));
  EXPECT_EQ(first.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(first.status().message().find("evicted"), std::string_view::npos) << first.status();
  absl::StatusOr<Timeline> last = index_.GetTimeline(Hex(kTraces - 1));
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->events.size(), 1u);
  // Scans and lookups stay consistent after records are gone.
  uint64_t scanned = 0;
  index_.ScanTraces({}, [&](const TraceSummaryView&) {
    ++scanned;
    return true;
  });
  EXPECT_EQ(scanned, c.events - keeper->events.size() +
                         1);  // r traces: one event each  // keeper: one trace
  uint64_t walked = 0;
  index_.ForEachTrace([&](std::string_view, uint32_t n) { walked += n; });
  EXPECT_EQ(walked, c.events);  // every held event, once
  // A new trace after all that is indexed and found.
  InsertLines({Line(kTraces, "fresh")});
  EXPECT_EQ(index_.GetTimeline("fresh")->events.size(), 1u);
}

}  // namespace
}  // namespace logweave
