// PeerCheck (engine/src/analysis/peer_check.h): which findings a TraceLookup
// (the other instances) turns out to hold the missing lines of, what is
// counted, and when the other instances are asked again.
#include "analysis/peer_check.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace logweave::internal {
namespace {

// Answers from a fixed map of trace -> services held elsewhere; records the calls.
class FakeLookup : public TraceLookup {
 public:
  TraceLookupAnswer Lookup(const std::vector<std::string>& trace_ids) override {
    calls.push_back(trace_ids);
    TraceLookupAnswer a;
    a.complete = complete;
    for (const std::string& id : trace_ids) {
      if (auto it = held.find(id); it != held.end()) a.held.push_back({id, it->second});
    }
    return a;
  }
  std::map<std::string, std::vector<std::string>> held;
  bool complete = true;
  std::vector<std::vector<std::string>> calls;
};

Finding Missing(const std::string& trace, const std::string& missing) {
  Finding f;
  f.kind = "missing_service";
  f.id = "m-" + trace;
  f.trace_id = trace;
  f.details = {{"missing", missing}};
  return f;
}

Finding Incomplete(const std::string& trace, const std::string& service) {
  Finding f;
  f.kind = "incomplete_sequence";
  f.id = "i-" + trace;
  f.trace_id = trace;
  f.details = {{"service", service}, {"event", "order placed"}};
  return f;
}

std::vector<std::string> Ids(const std::vector<Finding>& findings) {
  std::vector<std::string> ids;
  for (const Finding& f : findings) ids.push_back(f.id);
  return ids;
}

const absl::Time kNow = absl::FromUnixSeconds(1795428000);

TEST(PeerCheckTest, DropsOnlyTheGapsWhoseMissingLinesOtherInstancesHold) {
  FakeLookup lookup;
  lookup.held = {{"t1", {"ledger"}}, {"t2", {"ledger"}}, {"t3", {"checkout"}}};
  Finding plain;
  plain.kind = "unstructured_error";
  plain.id = "u";
  plain.trace_id = "t1";
  std::vector<Finding> findings = {
      Missing("t1", "ledger"),          // held: dropped
      Missing("t2", "gateway,ledger"),  // gateway is nowhere: kept
      Incomplete("t3", "checkout"),     // the sequence may go on there: dropped
      Incomplete("t4", "checkout"),     // not held elsewhere: kept
      plain,                            // not a gap: never asked about
  };
  PeerCheck check;
  AnalysisReport report;
  check.Filter(lookup, kNow, &findings, &report);
  EXPECT_EQ(Ids(findings), (std::vector<std::string>{"m-t2", "i-t4", "u"}));
  ASSERT_EQ(lookup.calls.size(), 1u);  // one call for the run
  EXPECT_EQ(lookup.calls[0], (std::vector<std::string>{"t1", "t2", "t3", "t4"}));
  EXPECT_EQ(report.split_traces, 3u);
  EXPECT_EQ(report.findings_held_elsewhere, 2u);
  EXPECT_FALSE(report.lookup_incomplete);
}

TEST(PeerCheckTest, AnswersAreReusedUntilTheyAreOldThenAskedAgain) {
  FakeLookup lookup;
  PeerCheck check;
  AnalysisReport report;
  std::vector<Finding> findings = {Missing("t1", "ledger")};
  check.Filter(lookup, kNow, &findings, &report);
  EXPECT_EQ(findings.size(), 1u);  // nobody else holds it: reported
  // The other instance gets the rest of it meanwhile.
  lookup.held = {{"t1", {"ledger"}}};
  findings = {Missing("t1", "ledger")};
  check.Filter(lookup, kNow + absl::Seconds(1), &findings, &report);
  EXPECT_EQ(lookup.calls.size(), 1u);  // the answer is recent: not asked again
  EXPECT_EQ(findings.size(), 1u);
  check.Filter(lookup, kNow + PeerCheck::kRecheck, &findings, &report);
  EXPECT_EQ(lookup.calls.size(), 2u);
  EXPECT_TRUE(findings.empty());
  EXPECT_EQ(report.split_traces, 1u);
  // Split traces are counted once, however often they are seen.
  findings = {Missing("t1", "ledger")};
  check.Filter(lookup, kNow + 2 * PeerCheck::kRecheck, &findings, &report);
  EXPECT_EQ(report.split_traces, 1u);
}

TEST(PeerCheckTest, AnIncompleteAnswerReportsTheGapAndAsksAgainNextRun) {
  FakeLookup lookup;
  lookup.complete = false;  // a peer did not answer
  PeerCheck check;
  AnalysisReport report;
  std::vector<Finding> findings = {Missing("t1", "ledger")};
  check.Filter(lookup, kNow, &findings, &report);
  EXPECT_EQ(findings.size(), 1u);
  EXPECT_TRUE(report.lookup_incomplete);
  lookup.complete = true;
  lookup.held = {{"t1", {"ledger"}}};
  check.Filter(lookup, kNow + absl::Seconds(1), &findings, &report);
  EXPECT_EQ(lookup.calls.size(), 2u);  // "not held" from an incomplete answer was not kept
  EXPECT_TRUE(findings.empty());
  EXPECT_FALSE(report.lookup_incomplete);
}

}  // namespace
}  // namespace logweave::internal
