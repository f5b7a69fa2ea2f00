// The findings hub: plain-text errors are kept as references into the published report, moved
// over to the next report where they read the same and copied where they changed, so that a
// reader gets each error as it was published and the hub holds no report but the latest.
#include "logweave/findings_hub.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "logweave/report.h"

namespace logweave {
namespace {

AttributedEntry Error(const std::string& id, int64_t time_ns, const std::string& trace,
                      double confidence) {
  AttributedEntry a;
  a.entry.id = id;
  a.entry.source = "app.log";
  a.entry.service = "app";
  a.entry.time_ns = time_ns;
  a.entry.time_known = true;
  a.entry.text = "ERROR " + id + " failed";
  a.candidates.push_back(AttributionCandidate{trace, confidence, 1000, false, false});
  return a;
}

using Errors = std::vector<AttributedEntry>;

std::vector<std::string> Summaries(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) out.push_back(f.id + " " + f.trace_id + " " + f.summary);
  return out;
}

TEST(FindingsHubTest, PlainTextErrorsReadAsPublishedAndOnlyTheLatestReportIsHeld) {
  FindingsHub hub;
  auto first = std::make_shared<const Errors>(Errors{Error("e1", 1000, "aaaa", 1.0),
                                                     Error("e2", 2000, "bbbb", 0.75),
                                                     Error("e3", 3000, "cccc", 0.5)});
  std::vector<Finding> want;
  for (const AttributedEntry& a : *first) want.push_back(UnstructuredErrorFinding(a));
  std::weak_ptr<const Errors> first_held = first;
  hub.Publish({}, first, {0, 1, 2});

  // The next report: e1 the same at another place, e2 attributed elsewhere since, e3 gone,
  // e4 new.
  auto second = std::make_shared<const Errors>(
      Errors{Error("e0", 500, "dddd", 1.0), Error("e1", 1000, "aaaa", 1.0),
             Error("e2", 2000, "eeee", 0.9), Error("e4", 4000, "ffff", 1.0)});
  want.push_back(UnstructuredErrorFinding((*second)[3]));
  hub.Publish({}, second, {3});
  first.reset();
  // Nothing of the first report is held: e1 points into the second, e2 and e3 are copies.
  EXPECT_TRUE(first_held.expired());

  uint64_t next = 0;
  const std::vector<Finding> read = hub.Read(&next, absl::ZeroDuration());
  EXPECT_EQ(next, 4u);
  EXPECT_EQ(Summaries(read), Summaries(want));
  ASSERT_EQ(read.size(), 4u);
  EXPECT_EQ(read[1].trace_id, "bbbb");  // as published, not as the second report has it
  EXPECT_EQ(read[3].trace_id, "ffff");

  // A third report with the same errors: still read as published.
  auto third = std::make_shared<const Errors>(*second);
  std::weak_ptr<const Errors> second_held = second;
  second.reset();
  hub.Publish({}, third, {});
  EXPECT_TRUE(second_held.expired());
  uint64_t again = 0;
  EXPECT_EQ(Summaries(hub.Read(&again, absl::ZeroDuration())), Summaries(want));
}

TEST(FindingsHubTest, FindingsAndErrorsMergeInTimeOrderAndTheOldestAreForgotten) {
  FindingsHub hub(3);
  auto errors = std::make_shared<const Errors>(
      Errors{Error("e1", 1000, "aaaa", 1.0), Error("e2", 3000, "bbbb", 1.0)});
  Finding gap;
  gap.kind = "missing_service";
  gap.id = "m1";
  gap.time_ns = 2000;
  Finding late = gap;
  late.id = "m2";
  late.time_ns = 4000;
  hub.Publish({gap, late}, errors, {0, 1});
  EXPECT_EQ(hub.next_sequence(), 4u);
  uint64_t next = 0;  // the first was forgotten: capacity 3
  const std::vector<Finding> read = hub.Read(&next, absl::ZeroDuration());
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[0].id, "m1");
  EXPECT_EQ(read[1].kind, "unstructured_error");
  EXPECT_EQ(read[2].id, "m2");
}

}  // namespace
}  // namespace logweave
