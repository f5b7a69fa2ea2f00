// The plain-text errors' findings built as they are read (a replay's report) against the same
// findings built with the analysis.
#include "analysis/plain_text_findings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analysis/analyzer.h"
#include "internal/permute.h"
#include "logweave/pipeline.h"
#include "testdata/lines.h"
#include "testdata/submit_lines.h"

namespace logweave {
namespace {

std::string ShopTrace(int i) { return absl::StrFormat("%032x", 0xdef000 + i); }

// Every field of a finding, one string: two findings are the same if these are.
std::string Render(const Finding& f) {
  std::string out =
      absl::StrCat(f.id, "|", f.kind, "|", static_cast<int>(f.severity), "|", f.resolved, "|",
                   f.trace_id, "|", f.subject, "|", f.time_ns, "|", f.summary);
  for (const auto& [k, v] : f.details) absl::StrAppend(&out, "|", k, "=", v);
  for (const EvidenceLine& e : f.evidence) {
    absl::StrAppend(&out, "|", e.source, ":", e.line_no, "@", e.time_ns, " ", e.text);
  }
  return out;
}

// Checkouts with email jobs, some of which time out (a plain-text error 5 s later that cuts the
// job's sequence short), and errors that name their trace.
std::unique_ptr<Pipeline> IngestShop() {
  std::vector<std::string> gateway, email;
  for (int i = 0; i < 300; ++i) {
    const std::string t = ShopTrace(i);
    const int64_t ms = i * 100;
    gateway.push_back(testdata::GatewayLine(t, ms, "POST /checkout", "request received"));
    gateway.push_back(testdata::GatewayLine(t, ms + 40, "POST /checkout", "request completed"));
    email.push_back(testdata::EmailLine(t, ms + 60, "email_send_attempt"));
    if (i % 37 == 5) {
      email.push_back(testdata::PlainTime(ms + 5060) +
                      " ERROR Connection timeout to email provider smtp.example.net:587");
    } else {
      email.push_back(testdata::EmailLine(t, ms + 360, "email_queued"));
    }
    if (i % 50 == 7) {
      email.push_back(testdata::PlainTime(ms + 70) + " ERROR template missing, trace_id=" + t);
    }
  }
  std::stable_sort(email.begin(), email.end(), [](const std::string& a, const std::string& b) {
    auto time = [](const std::string& l) { return l.substr(l.find("2026-11-23T"), 24); };
    return time(a) < time(b);
  });
  PipelineOptions options;
  options.threads = 2;
  auto p = std::move(*Pipeline::Create(options));
  testdata::SubmitLines(p.get(), p->AddSource("logs/gateway.log"), gateway, 64);
  testdata::SubmitLines(p.get(), p->AddSource("logs/email.log"), email, 64);
  p->Flush();
  return p;
}

TEST(PlainTextFindingsTest, DeferredFindingsAreTheSameAsThoseBuiltWithTheAnalysis) {
  auto p = IngestShop();
  Analyzer whole(DetectorOptions{}, p->index(), p->unstructured());
  whole.DisableChangeTracking();
  const AnalysisReport built = whole.Run(INT64_MAX);
  Analyzer lazy(DetectorOptions{}, p->index(), p->unstructured());
  lazy.DisableChangeTracking();
  lazy.DeferUnstructuredFindings();
  const AnalysisReport deferred = lazy.Run(INT64_MAX);

  EXPECT_FALSE(built.unstructured_findings_deferred);
  EXPECT_TRUE(deferred.unstructured_findings_deferred);
  ASSERT_GE(deferred.unstructured.size(), 10u);
  for (const Finding& f : deferred.findings) EXPECT_NE(f.kind, "unstructured_error");
  EXPECT_EQ(FindingCount(deferred), built.findings.size());
  EXPECT_EQ(FindingCount(built), built.findings.size());

  std::vector<std::string> expected, got, visited;
  for (const Finding& f : built.findings) expected.push_back(Render(f));
  ForEachFinding(deferred, [&](const Finding& f) { got.push_back(Render(f)); });
  ForEachFinding(built, [&](const Finding& f) { visited.push_back(Render(f)); });
  EXPECT_EQ(got, expected);
  EXPECT_EQ(visited, expected);

  // The links both ways survive: an error names the sequence it cut short, which names it.
  int linked = 0;
  ForEachFinding(deferred, [&](const Finding& f) {
    if (f.kind == "unstructured_error" && !f.Detail("related_incomplete_sequence").empty()) {
      ++linked;
    }
  });
  EXPECT_GE(linked, 5);
  int named = 0;
  for (const Finding& f : deferred.findings) {
    if (f.kind == "incomplete_sequence" && !f.Detail("related_unstructured").empty()) ++named;
  }
  EXPECT_EQ(named, linked);
}

TEST(PlainTextFindingsTest, RangesOfTheFindingsTogetherAreTheWholeInOrder) {
  auto p = IngestShop();
  Analyzer lazy(DetectorOptions{}, p->index(), p->unstructured());
  lazy.DisableChangeTracking();
  lazy.DeferUnstructuredFindings();
  AnalysisReport report = lazy.Run(INT64_MAX);
  // Ties between a finding and an error (a finding first) as well.
  ASSERT_FALSE(report.unstructured.empty());
  ASSERT_FALSE(report.findings.empty());
  Finding tie = report.findings.front();
  tie.time_ns = report.unstructured[report.unstructured.size() / 2].entry.time_ns;
  tie.kind = "unstructured_error";
  tie.id = report.unstructured[report.unstructured.size() / 2].entry.id;
  report.findings.push_back(tie);
  std::sort(report.findings.begin(), report.findings.end(), internal::FindingBefore);
  std::vector<std::string> whole;
  ForEachFinding(report, [&](const Finding& f) { whole.push_back(Render(f)); });
  const size_t n = FindingCount(report);
  ASSERT_EQ(whole.size(), n);
  ASSERT_GE(n, 20u);
  for (size_t step : {size_t{1}, size_t{3}, size_t{7}, n / 2, n}) {
    std::vector<std::string> joined;
    for (size_t begin = 0; begin < n; begin += step) {
      ForEachFindingInRange(report, begin, std::min(n, begin + step),
                            [&](const Finding& f) { joined.push_back(Render(f)); });
    }
    EXPECT_EQ(joined, whole) << "in runs of " << step;
  }
  std::vector<std::string> none;
  ForEachFindingInRange(report, n, n + 5, [&](const Finding& f) { none.push_back(Render(f)); });
  EXPECT_TRUE(none.empty());
}

// The entries' sort moves each entry once: the order is std::stable_sort's
// by the same key, whatever permutation the input is in.
TEST(SortMovingOnceTest, OrdersAsAStableSortByTheKeyDoes) {
  for (uint32_t seed = 0; seed < 50; ++seed) {
    std::vector<std::string> values;
    for (uint32_t i = 0; i < seed % 17; ++i) {
      values.push_back(absl::StrCat((i * 7919 + seed * 104729) % 5, "-", i));
    }
    std::vector<std::string> expected = values;
    auto first_char = [](const std::string& v) { return v.front(); };
    std::stable_sort(
        expected.begin(), expected.end(),
        [&](const std::string& a, const std::string& b) { return first_char(a) < first_char(b); });
    internal::SortMovingOnce(values, first_char);
    EXPECT_EQ(values, expected) << "seed " << seed;
  }
}

}  // namespace
}  // namespace logweave
