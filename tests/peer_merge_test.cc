// How the answers of several instances become one (connectors/grpc/peers/merge.h).
#include <gtest/gtest.h>

#include "connectors/grpc/page_token.h"
#include "connectors/grpc/peers/merge.h"

namespace logweave {
namespace {

v1::Event Event(int64_t t, const std::string& source, uint64_t offset, const std::string& service) {
  v1::Event e;
  e.set_time_unix_nano(t);
  e.set_source(source);
  e.set_offset(offset);
  e.set_line(offset / 100 + 1);
  e.set_service(service);
  e.set_message("m");
  return e;
}

TEST(PeerMergeTest, TimelinePartsMergeInEventTimeEachLineOnce) {
  v1::GetTimelineResponse a, b;
  a.set_trace_id("t1");
  *a.add_events() = Event(10, "gateway.log", 0, "gateway");
  *a.add_events() = Event(30, "ledger.log", 100, "ledger");
  a.set_start_unix_nano(10);
  a.set_end_unix_nano(30);
  a.add_findings()->set_id("f1");
  b.set_trace_id("t1");
  *b.add_events() = Event(20, "checkout.log", 0, "checkout");
  *b.add_events() = Event(30, "ledger.log", 100, "ledger");  // held by both
  b.set_start_unix_nano(20);
  b.set_end_unix_nano(30);
  b.add_findings()->set_id("f1");
  b.set_evicted_events(2);
  const v1::GetTimelineResponse m = MergeTimelines({a, b});
  ASSERT_EQ(m.events_size(), 3);
  EXPECT_EQ(m.events(0).service(), "gateway");
  EXPECT_EQ(m.events(1).service(), "checkout");
  EXPECT_EQ(m.events(2).service(), "ledger");
  EXPECT_EQ(std::vector<std::string>(m.services().begin(), m.services().end()),
            (std::vector<std::string>{"gateway", "checkout", "ledger"}));
  EXPECT_EQ(m.start_unix_nano(), 10);
  EXPECT_EQ(m.end_unix_nano(), 30);
  EXPECT_EQ(m.findings_size(), 1);
  EXPECT_EQ(m.evicted_events(), 2u);
}

v1::TraceSummary Summary(const std::string& id, int64_t end, uint32_t events) {
  v1::TraceSummary t;
  t.set_trace_id(id);
  t.set_start_unix_nano(end - 5);
  t.set_end_unix_nano(end);
  t.set_events(events);
  return t;
}

TEST(PeerMergeTest, SearchPagesMergeNewestFirstCutToThePageWithTheLastPosition) {
  v1::SearchTracesResponse a, b;
  *a.add_traces() = Summary("a9", 90, 1);
  *a.add_traces() = Summary("a5", 50, 1);
  a.set_matched(2);
  *b.add_traces() = Summary("b7", 70, 1);
  *b.add_traces() = Summary("a5", 40, 2);  // the same trace's other part
  *b.add_traces() = Summary("b3", 30, 1);
  b.set_matched(3);
  const v1::SearchTracesResponse m = MergeSearchPages({a, b}, 3);
  ASSERT_EQ(m.traces_size(), 3);
  EXPECT_EQ(m.traces(0).trace_id(), "a9");
  EXPECT_EQ(m.traces(1).trace_id(), "b7");
  EXPECT_EQ(m.traces(2).trace_id(), "a5");
  EXPECT_EQ(m.traces(2).events(), 3u);
  EXPECT_EQ(m.traces(2).start_unix_nano(), 35);
  EXPECT_EQ(m.matched(), 5u);
  Cursor c;
  ASSERT_TRUE(DecodeCursor(m.next_page_token(), &c));
  EXPECT_EQ(c.time, 50);
  EXPECT_EQ(c.id, "a5");
  // Everything fits: no next page.
  EXPECT_TRUE(MergeSearchPages({a, b}, 10).next_page_token().empty());
}

TEST(PeerMergeTest, StatsAreSummedAndEachInstanceKept) {
  v1::Stats local, peer;
  local.set_lines(10);
  local.set_watermark_unix_nano(500);
  local.set_ready(true);
  (*local.mutable_findings())["missing_service"] = 2;
  local.add_sources()->set_name("a.log");
  peer.set_lines(5);
  peer.set_watermark_unix_nano(300);
  peer.set_ready(false);
  (*peer.mutable_findings())["missing_service"] = 1;
  (*peer.mutable_findings())["incomplete_sequence"] = 4;
  peer.add_sources()->set_name("b.log");
  const v1::Stats m = MergeStats(local, {{"10.0.0.6:7070", peer}});
  EXPECT_EQ(m.lines(), 15u);
  EXPECT_EQ(m.watermark_unix_nano(), 300);
  EXPECT_FALSE(m.ready());
  EXPECT_EQ(m.findings().at("missing_service"), 3u);
  EXPECT_EQ(m.findings().at("incomplete_sequence"), 4u);
  EXPECT_EQ(m.sources_size(), 2);
  ASSERT_EQ(m.instances_size(), 2);
  EXPECT_EQ(m.instances(0).lines(), 10u);
  EXPECT_EQ(m.instances(1).instance(), "10.0.0.6:7070");
  EXPECT_EQ(m.instances(1).lines(), 5u);
}

TEST(PeerMergeTest, PartialNamesTheUnreachablePeers) {
  v1::SearchTracesResponse r;
  MarkPartial({}, &r);
  EXPECT_FALSE(r.partial());
  MarkPartial({"10.0.0.7:7070"}, &r);
  EXPECT_TRUE(r.partial());
  ASSERT_EQ(r.unreachable_peers_size(), 1);
  EXPECT_EQ(r.unreachable_peers(0), "10.0.0.7:7070");
}

}  // namespace
}  // namespace logweave
