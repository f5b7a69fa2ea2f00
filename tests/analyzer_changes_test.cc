// Tests for the Analyzer: findings that do not depend on the number of threads, changes and
// resolutions across runs, declared expectations, evicted traces, options, consequences of an
// upstream error. Shared setup: support/analyzer_shop.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/analyzer_shop.h"
#include "testdata/finding_details.h"

namespace logweave::analyzer_test {
namespace {

// The analysis reads and judges the shards on several threads; what it
// reports, down to the order of names in a summary, must not depend on how
// many there are.
TEST_F(AnalyzerTest, FindingsDoNotDependOnTheNumberOfAnalysisThreads) {
  Shop shop;
  for (int i = 0; i < 300; ++i) {
    // Trace 40 lacks both payments and checkout: two names in one finding.
    shop.Checkout(i, i * 100, i == 17 ? "payments" : i == 123 ? "checkout" : "");
    shop.Email(i, i * 100 + 50, i == 60 || i == 200 ? 5000 : -1);
  }
  for (const char* file : {"gateway.log", "checkout.log", "payments.log"}) {
    auto& lines = shop.files[file];
    lines.erase(std::remove_if(lines.begin(), lines.end(),
                               [](const std::string& l) {
                                 return l.find(Trace(40)) != std::string::npos &&
                                        l.find("gateway") == std::string::npos &&
                                        l.find("request") == std::string::npos;
                               }),
                lines.end());
  }
  shop.SortByTime("email.log");
  auto p = Ingest(shop);
  auto render = [](const AnalysisReport& r) {
    std::vector<std::string> out;
    for (const Finding& f : r.findings) {
      std::string s = f.id + "|" + f.summary;
      for (const auto& [k, v] : f.details) s += "|" + k + "=" + v;
      for (const EvidenceLine& e : f.evidence) {
        s += absl::StrFormat("|%s:%d %s", e.source, e.line_no, e.text);
      }
      out.push_back(s);
    }
    return out;
  };
  const AnalysisReport one = Analyze(*p, INT64_MAX, {}, 1);
  ASSERT_THAT(OfKind(one, "missing_service"), ::testing::SizeIs(3));
  ASSERT_THAT(OfKind(one, "unstructured_error"), ::testing::SizeIs(2));
  for (const Finding* f : OfKind(one, "missing_service")) {
    if (f->trace_id == Trace(40)) {
      EXPECT_EQ(f->Detail("missing"), "checkout,payments");
    }
    // Evidence lines carry the text of the line, read back from the index.
    ASSERT_FALSE(f->evidence.empty());
    EXPECT_EQ(f->evidence.front().text, "request received");
  }
  for (uint32_t threads : {2u, 3u, 8u}) {
    EXPECT_EQ(render(Analyze(*p, INT64_MAX, {}, threads)), render(one)) << threads << " threads";
  }
}

// A replay analyses once: it neither needs the changes nor a copy of the
// findings for a next run, and gets the same findings without them.
TEST_F(AnalyzerTest, OneShotRunReportsTheSameFindingsWithoutChanges) {
  Shop shop;
  for (int i = 0; i < 200; ++i) shop.Checkout(i, i * 1000, i == 17 ? "payments" : "");
  auto p = Ingest(shop);
  Analyzer tracked(DetectorOptions{}, p->index(), p->unstructured());
  const AnalysisReport a = tracked.Run(INT64_MAX);
  Analyzer once(DetectorOptions{}, p->index(), p->unstructured());
  once.DisableChangeTracking();
  const AnalysisReport b = once.Run(INT64_MAX);
  ASSERT_THAT(OfKind(a, "missing_service"), ::testing::SizeIs(1));
  EXPECT_EQ(a.changes.size(), a.findings.size());
  EXPECT_THAT(b.changes, IsEmpty());
  ASSERT_EQ(b.findings.size(), a.findings.size());
  for (size_t i = 0; i < a.findings.size(); ++i) {
    EXPECT_EQ(b.findings[i].id, a.findings[i].id);
    EXPECT_EQ(b.findings[i].summary, a.findings[i].summary);
  }
  EXPECT_EQ(b.traces_judged, a.traces_judged);
}

TEST_F(AnalyzerTest, LateLinesResolveAFindingUnderTheSameId) {
  Shop shop;
  for (int i = 0; i < 100; ++i) shop.Checkout(i, i * 1000, i == 50 ? "payments" : "");
  auto p = Ingest(shop);
  Analyzer analyzer(DetectorOptions{}, p->index(), p->unstructured());
  AnalysisReport first = analyzer.Run(INT64_MAX);
  auto missing = OfKind(first, "missing_service");
  ASSERT_EQ(missing.size(), 1u);
  const std::string id = missing[0]->id;
  EXPECT_EQ(first.changes.size(), first.findings.size());  // all new

  // A lagging shipper delivers payments' line for trace 50.
  Add(p.get(), "payments-late.log",
      {testdata::EcsLine("payments", Trace(50), 50 * 1000 + 20, "payment_authorized")});
  p->Flush();
  AnalysisReport second = analyzer.Run(INT64_MAX);
  EXPECT_THAT(OfKind(second, "missing_service"), IsEmpty());
  ASSERT_EQ(second.changes.size(), 1u);
  EXPECT_EQ(second.changes[0].id, id);
  EXPECT_TRUE(second.changes[0].resolved);
  EXPECT_EQ(second.late_events, 1u);
}

// A caller that keeps each report (the runtime's snapshot) passes its findings
// back instead of the analyzer keeping a copy: the same changes either way.
TEST_F(AnalyzerTest, ChangesAgainstTheCallersPreviousFindingsAreTheSame) {
  Shop shop;
  for (int i = 0; i < 100; ++i) shop.Checkout(i, i * 1000, i == 50 || i == 60 ? "payments" : "");
  auto p = Ingest(shop);
  Analyzer own(DetectorOptions{}, p->index(), p->unstructured());
  Analyzer given(DetectorOptions{}, p->index(), p->unstructured());
  const AnalysisReport own1 = own.Run(INT64_MAX);
  const std::vector<Finding> none;
  const AnalysisReport given1 = given.Run(INT64_MAX, &none);
  Add(p.get(), "payments-late.log",
      {testdata::EcsLine("payments", Trace(50), 50 * 1000 + 20, "payment_authorized")});
  p->Flush();
  const AnalysisReport own2 = own.Run(INT64_MAX);
  const AnalysisReport given2 = given.Run(INT64_MAX, &given1.findings);
  auto ids = [](const std::vector<Finding>& fs) {
    std::vector<std::string> out;
    for (const Finding& f : fs) out.push_back(f.id + (f.resolved ? " resolved" : ""));
    return out;
  };
  ASSERT_EQ(OfKind(own1, "missing_service").size(), 2u);
  EXPECT_EQ(ids(given1.changes), ids(own1.changes));
  EXPECT_EQ(ids(given1.findings), ids(own1.findings));
  ASSERT_EQ(own2.changes.size(), 1u);
  EXPECT_TRUE(own2.changes[0].resolved);
  EXPECT_EQ(ids(given2.changes), ids(own2.changes));
  EXPECT_EQ(ids(given2.findings), ids(own2.findings));
  // Nothing new: no changes against either.
  EXPECT_THAT(own.Run(INT64_MAX).changes, IsEmpty());
  EXPECT_THAT(given.Run(INT64_MAX, &given2.findings).changes, IsEmpty());
}

TEST_F(AnalyzerTest, DeclaredServicesAreExpectedWithoutLearning) {
  Shop shop;
  for (int i = 0; i < 10; ++i) shop.Checkout(i, i * 1000, i == 3 ? "payments" : "");
  auto p = Ingest(shop);
  // Too few traces to learn from ...
  EXPECT_THAT(OfKind(Analyze(*p), "missing_service"), IsEmpty());
  // ... but declared in the config.
  DetectorOptions options;
  options.expected_services["POST /checkout"] = {"payments"};
  EXPECT_EQ(Traces(OfKind(Analyze(*p, INT64_MAX, options), "missing_service")),
            std::set<std::string>{Trace(3)});
}

TEST_F(AnalyzerTest, DeclaredSequenceIsCheckedWithoutLearning) {
  Shop shop;
  for (int i = 0; i < 5; ++i) {
    shop.Checkout(i, i * 1000);
    shop.Email(i, i * 1000 + 60, i == 2 ? 10 : -1);
  }
  auto p = Ingest(shop);
  DetectorOptions options;
  options.expected_sequences.push_back({"email", "email_send_attempt", "email_queued"});
  AnalysisReport r = Analyze(*p, INT64_MAX, options);
  EXPECT_EQ(Traces(OfKind(r, "incomplete_sequence")), std::set<std::string>{Trace(2)});
}

TEST_F(AnalyzerTest, FindingsOfEvictedTracesAreNeverReportedResolved) {
  Shop shop;
  for (int i = 0; i < 5; ++i) {
    shop.Checkout(i, i * 1000);
    shop.Email(i, i * 1000 + 60, i == 2 ? 10 : -1);
  }
  PipelineOptions options;
  options.threads = 1;
  options.index.shards = 1;
  options.index.max_bytes = 64ull << 20;
  auto p = std::move(*Pipeline::Create(options));
  for (const auto& [name, lines] : shop.files) Add(p.get(), name, lines);
  p->Flush();
  DetectorOptions detectors;
  detectors.expected_sequences.push_back({"email", "email_send_attempt", "email_queued"});
  Analyzer analyzer(detectors, p->index(), p->unstructured());
  AnalysisReport first = analyzer.Run(INT64_MAX);
  ASSERT_EQ(Traces(OfKind(first, "incomplete_sequence")), std::set<std::string>{Trace(2)});

  // Lines without a trace id push the shop's lines out of the budget (lines
  // are stored compressed: it takes many of them).
  std::vector<std::string> filler;
  for (int i = 0; i < 1'600'000; ++i) {
    // An id in each line, as real lines have, keeps them from compressing to nothing.
    filler.push_back(absl::StrFormat(
        R"({"ts":%d,"service":"filler","msg":"filler line %d, padded to about two hundred )"
        R"(bytes like a real line with a message and a few fields","id":"%016x"})",
        2'000'000'000 + i, i, static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull));
  }
  Add(p.get(), "filler.log", filler);
  p->Flush();
  ASSERT_GT(p->Stats().evicted_events, 0u) << p->Stats().index_bytes;
  ASSERT_FALSE(p->index().GetTraceInfo(Trace(2)).ok());  // its events are gone

  AnalysisReport second = analyzer.Run(INT64_MAX);
  for (const Finding& f : second.changes) {
    EXPECT_FALSE(f.resolved) << f.id << ": " << f.summary;
  }
  EXPECT_THAT(OfKind(second, "incomplete_sequence"), IsEmpty());  // dropped with its trace
}

TEST(DetectorOptionsTest, RejectsSharesOutsideZeroToOne) {
  DetectorOptions o;
  o.expected_share = 1.5;
  EXPECT_EQ(o.Validate().code(), absl::StatusCode::kInvalidArgument);
  o = DetectorOptions();
  o.follow_share = 0;
  EXPECT_EQ(o.Validate().code(), absl::StatusCode::kInvalidArgument);
  o = DetectorOptions();
  o.trace_idle_ns = 0;
  EXPECT_EQ(o.Validate().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(DetectorOptions().Validate().ok());
}

TEST_F(AnalyzerTest, GapAfterAnUpstreamErrorIsItsConsequence) {
  Shop shop;
  for (int i = 0; i < 200; ++i) {
    if (i == 17) {
      // The gateway rejected the request before calling checkout (and so payments).
      const std::string t = Trace(i);
      const int64_t ms = i * 1000;
      shop.files["gateway.log"].push_back(GatewayLine(t, ms, "POST /checkout", "request received"));
      std::string error = GatewayLine(t, ms + 2, "POST /checkout",
                                      "upstream auth failed: token expired for client 7");
      error.replace(error.find("\"info\""), 6, "\"error\"");
      shop.files["gateway.log"].push_back(error);
    } else if (i == 60) {
      // checkout printed a plain-text error naming the trace, then never called payments.
      shop.Checkout(i, i * 1000, "payments");
      shop.files["checkout.log"].push_back(
          PlainTime(i * 1000 + 8) + " ERROR card vault unreachable, aborting trace_id=" + Trace(i));
    } else {
      shop.Checkout(i, i * 1000, i == 123 ? "payments" : "");
    }
  }
  shop.SortByTime("checkout.log");
  auto p = Ingest(shop);
  AnalysisReport r = Analyze(*p);
  std::map<std::string, const Finding*> by_trace;
  for (const Finding* f : OfKind(r, "missing_service")) by_trace[f->trace_id] = f;
  ASSERT_EQ(by_trace.size(), 3u);

  const Finding* gateway = by_trace[Trace(17)];
  testdata::ExpectDetails(*gateway,
                          {"missing=checkout,payments", "consequence=true",
                           "cause=upstream_error,upstream_error", "cause_service=gateway"});
  EXPECT_THAT(gateway->Detail("cause_error"), ::testing::HasSubstr("token expired"));
  EXPECT_EQ(gateway->severity, Severity::kInfo);
  EXPECT_THAT(gateway->summary, ::testing::HasSubstr("consequence"));

  const Finding* plain = by_trace[Trace(60)];
  EXPECT_EQ(plain->Detail("consequence"), "true");
  EXPECT_EQ(plain->Detail("cause_service"), "checkout");
  const auto errors = OfKind(r, "unstructured_error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(plain->Detail("cause_finding"), errors[0]->id);

  // No error upstream: an independent gap.
  const Finding* independent = by_trace[Trace(123)];
  EXPECT_EQ(independent->Detail("consequence"), "");
  EXPECT_EQ(independent->Detail("cause"), "not_reached");
  EXPECT_EQ(independent->severity, Severity::kWarning);
}

}  // namespace
}  // namespace logweave::analyzer_test
