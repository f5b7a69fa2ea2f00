// The built-in detectors on real-looking multi-service logs built here, with
// the faults placed by hand so that every finding can be checked exactly.
#include "analysis/analyzer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <set>

#include "absl/strings/str_format.h"
#include "logweave/pipeline.h"
#include "testdata/lines.h"
#include "testdata/submit_lines.h"

namespace logweave {
namespace {

using testdata::EmailLine;
using testdata::GatewayLine;
using testdata::PlainTime;

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

std::string Trace(int i) { return absl::StrFormat("%032x", 0xabc000 + i); }

// Log files of a small shop, one vector of lines per service file.
struct Shop {
  std::map<std::string, std::vector<std::string>> files;

  // POST /checkout: gateway -> checkout -> payments, starting at `ms`; `skip` names a
  // service that logs nothing for this trace.
  void Checkout(int i, int64_t ms, const std::string& skip = "") {
    std::string t = Trace(i);
    files["gateway.log"].push_back(GatewayLine(t, ms, "POST /checkout", "request received"));
    if (skip != "checkout") {
      files["checkout.log"].push_back(testdata::PythonLine("checkout", t, ms + 5, "order_created"));
    }
    if (skip != "payments") {
      files["payments.log"].push_back(
          testdata::EcsLine("payments", t, ms + 20, "payment_authorized"));
    }
    files["gateway.log"].push_back(GatewayLine(t, ms + 40, "POST /checkout", "request completed"));
  }
  // GET /cart: gateway -> checkout only; never calls payments.
  void Cart(int i, int64_t ms) {
    std::string t = Trace(i);
    files["gateway.log"].push_back(GatewayLine(t, ms, "GET /cart", "request received"));
    files["checkout.log"].push_back(testdata::PythonLine("checkout", t, ms + 3, "cart_loaded"));
    files["gateway.log"].push_back(GatewayLine(t, ms + 9, "GET /cart", "request completed"));
  }
  // Puts a file's lines in time order, as the service would have written them.
  void SortByTime(const std::string& file) {
    auto& lines = files[file];
    std::stable_sort(lines.begin(), lines.end(), [](const std::string& a, const std::string& b) {
      auto time = [](const std::string& l) { return l.substr(l.find("2026-11-23T"), 24); };
      return time(a) < time(b);
    });
  }
  // The email job of a trace: attempt then queued, or attempt then a plain-text
  // timeout error `error_after_ms` later and nothing more.
  void Email(int i, int64_t ms, int64_t error_after_ms = -1) {
    std::string t = Trace(i);
    files["email.log"].push_back(EmailLine(t, ms, "email_send_attempt"));
    if (error_after_ms < 0) {
      files["email.log"].push_back(EmailLine(t, ms + 300, "email_queued"));
    } else {
      files["email.log"].push_back(
          PlainTime(ms + error_after_ms) +
          " ERROR Connection timeout to email provider smtp.example.net:587 after 5000ms");
    }
  }
};

class AnalyzerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Pipeline> Ingest(const Shop& shop, std::vector<std::string> order = {}) {
    PipelineOptions options;
    options.threads = 2;
    auto p = std::move(*Pipeline::Create(options));
    if (order.empty()) {
      for (const auto& [name, lines] : shop.files) order.push_back(name);
    }
    for (const auto& name : order) Add(p.get(), name, shop.files.at(name));
    p->Flush();
    return p;
  }
  static void Add(Pipeline* p, const std::string& name, const std::vector<std::string>& lines) {
    // Several batches, so that blocks and sequences cross batch boundaries.
    testdata::SubmitLines(p, p->AddSource("logs/" + name), lines, 64);
  }
  static AnalysisReport Analyze(const Pipeline& p, int64_t watermark = INT64_MAX,
                                DetectorOptions options = {}, uint32_t threads = 0) {
    Analyzer analyzer(options, p.index(), p.unstructured(), {}, threads);
    return analyzer.Run(watermark);
  }
  static std::vector<const Finding*> OfKind(const AnalysisReport& r, const std::string& kind) {
    std::vector<const Finding*> out;
    for (const auto& f : r.findings) {
      if (f.kind == kind) out.push_back(&f);
    }
    return out;
  }
  static std::set<std::string> Traces(const std::vector<const Finding*>& findings) {
    std::set<std::string> out;
    for (const Finding* f : findings) out.insert(f->trace_id);
    return out;
  }
};

TEST_F(AnalyzerTest, ServiceSkippedInOnePercentOfTracesIsFlaggedExactlyThere) {
  Shop shop;
  for (int i = 0; i < 200; ++i) shop.Checkout(i, i * 1000, i == 17 || i == 123 ? "payments" : "");
  auto p = Ingest(shop);
  AnalysisReport r = Analyze(*p);
  auto missing = OfKind(r, "missing_service");
  EXPECT_EQ(Traces(missing), (std::set<std::string>{Trace(17), Trace(123)}));
  for (const Finding* f : missing) {
    EXPECT_EQ(f->Detail("missing"), "payments");
    EXPECT_EQ(f->Detail("trace_kind"), "POST /checkout");
    // payments logged the traces around it: the call never reached it.
    EXPECT_EQ(f->Detail("cause"), "not_reached");
    EXPECT_FALSE(f->evidence.empty());
  }
}

TEST_F(AnalyzerTest, RouteThatNeverCallsAServiceIsNotFlaggedForIt) {
  Shop shop;
  for (int i = 0; i < 200; ++i) {
    if (i % 2 == 0) {
      shop.Checkout(i, i * 500);
    } else {
      shop.Cart(i, i * 500);
    }
  }
  auto p = Ingest(shop);
  AnalysisReport r = Analyze(*p);
  EXPECT_THAT(OfKind(r, "missing_service"), IsEmpty());
  EXPECT_EQ(r.kinds, 2u);
  EXPECT_EQ(r.kinds_learned, 2u);
}

TEST_F(AnalyzerTest, ServiceThatLoggedNothingAtAllIsCalledSilent) {
  Shop shop;
  // payments is down from 100 s to 115 s: every trace there lacks it (7.5% of traces,
  // so payments is still expected of POST /checkout).
  for (int i = 0; i < 200; ++i) {
    bool down = i >= 100 && i < 115;
    shop.Checkout(i, i * 1000, down || i == 17 ? "payments" : "");
  }
  auto p = Ingest(shop);
  AnalysisReport r = Analyze(*p);
  std::map<std::string, std::string> cause;
  for (const Finding* f : OfKind(r, "missing_service")) cause[f->trace_id] = f->Detail("cause");
  EXPECT_EQ(cause.size(), 16u);
  EXPECT_EQ(cause[Trace(17)], "not_reached");
  EXPECT_EQ(cause[Trace(107)], "silent");       // nothing from payments within 5 s either side
  EXPECT_EQ(cause[Trace(100)], "not_reached");  // payments still logged 99's line nearby
}

TEST_F(AnalyzerTest, PlainTextTimeoutIsAttributedToTheTraceItInterrupted) {
  Shop shop;
  // 300 checkouts, 100 ms apart, each with an email job; three jobs time out: the
  // service prints a plain-text line 5 s later, with no trace id, while ~50 other
  // requests are in flight.
  const std::set<int> failing = {40, 41, 170};
  for (int i = 0; i < 300; ++i) {
    shop.Checkout(i, i * 100);
    shop.Email(i, i * 100 + 60, failing.count(i) ? 5000 : -1);
  }
  shop.SortByTime("email.log");  // a service writes its lines in time order
  auto p = Ingest(shop);
  AnalysisReport r = Analyze(*p);

  EXPECT_EQ(Traces(OfKind(r, "incomplete_sequence")),
            (std::set<std::string>{Trace(40), Trace(41), Trace(170)}));
  ASSERT_EQ(r.unstructured.size(), 3u);
  std::set<std::string> attributed;
  for (const auto& a : r.unstructured) {
    ASSERT_FALSE(a.candidates.empty());
    attributed.insert(a.candidates.front().trace_id);
    EXPECT_TRUE(a.candidates.front().incomplete);
    EXPECT_GT(a.candidates.front().confidence, 0.5);
    EXPECT_GT(a.candidates.size(), 1u);  // runners-up are named
  }
  EXPECT_EQ(attributed, (std::set<std::string>{Trace(40), Trace(41), Trace(170)}));
  // Each error goes to its own trace: the one whose attempt came 5 s before it.
  for (const auto& a : r.unstructured) {
    EXPECT_NEAR(static_cast<double>(a.candidates.front().gap_ns), 5e9, 1e6);
  }
  for (const Finding* f : OfKind(r, "incomplete_sequence")) {
    EXPECT_EQ(f->Detail("event"), "email_send_attempt");
    EXPECT_EQ(f->Detail("missing"), "email_queued");
    EXPECT_FALSE(f->Detail("related_unstructured").empty()) << f->summary;
  }
}

TEST_F(AnalyzerTest, ErrorWithNoOpenRequestIsUnattributed) {
  Shop shop;
  for (int i = 0; i < 60; ++i) shop.Checkout(i, i * 100);
  // An email error long after any email activity (there is none at all).
  shop.files["email.log"].push_back(PlainTime(600000) + " ERROR SMTP relay refused");
  auto p = Ingest(shop);
  AnalysisReport r = Analyze(*p);
  ASSERT_EQ(r.unstructured.size(), 1u);
  EXPECT_THAT(r.unstructured[0].candidates, IsEmpty());
  auto errors = OfKind(r, "unstructured_error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]->Detail("attribution"), "unattributed");
  EXPECT_TRUE(errors[0]->trace_id.empty());
}

TEST_F(AnalyzerTest, ErrorThatNamesATraceIdIsAttributedToItWhateverTheTiming) {
  Shop shop;
  for (int i = 0; i < 300; ++i) {
    shop.Checkout(i, i * 100);
    shop.Email(i, i * 100 + 60);
  }
  auto& email = shop.files["email.log"];
  // 5 s after job 40 (the timing points at the requests then in flight), but the line
  // names trace 200, as a key=value pair and as a W3C traceparent.
  email.push_back(PlainTime(40 * 100 + 5060) + " ERROR SMTP relay refused trace_id=" + Trace(200));
  email.push_back(PlainTime(41 * 100 + 5060) + " ERROR SMTP relay refused traceparent=00-" +
                  Trace(201) + "-00f067aa0ba902b7-01");
  // An id-looking word that is no trace's id: attributed by timing as usual.
  email.push_back(PlainTime(42 * 100 + 5060) + " ERROR SMTP relay refused id=9f8e7d6c5b4a");
  // Long after any email activity, yet it names its trace.
  email.push_back(PlainTime(600000) + " ERROR bounce for " + Trace(7));
  shop.SortByTime("email.log");
  auto p = Ingest(shop);
  AnalysisReport r = Analyze(*p);
  ASSERT_EQ(r.unstructured.size(), 4u);
  std::map<std::string, const AttributedEntry*> by_text;
  for (const auto& a : r.unstructured) by_text[a.entry.first_line] = &a;
  auto best = [&](const std::string& needle) -> AttributionCandidate {
    for (const auto& [text, a] : by_text) {
      if (text.find(needle) != std::string::npos) {
        return a->candidates.empty() ? AttributionCandidate{} : a->candidates.front();
      }
    }
    ADD_FAILURE() << "no entry with " << needle;
    return {};
  };
  EXPECT_EQ(best("trace_id=").trace_id, Trace(200));
  EXPECT_TRUE(best("trace_id=").named);
  EXPECT_DOUBLE_EQ(best("trace_id=").confidence, 1.0);
  EXPECT_EQ(best("traceparent=").trace_id, Trace(201));
  EXPECT_EQ(best("bounce").trace_id, Trace(7));
  const AttributionCandidate timed = best("id=9f8e7d6c5b4a");
  EXPECT_FALSE(timed.named);
  EXPECT_FALSE(timed.trace_id.empty());  // a request in flight at the time
  auto errors = OfKind(r, "unstructured_error");
  ASSERT_EQ(errors.size(), 4u);
  int named_in_summary = 0;
  for (const Finding* f : errors) {
    named_in_summary += f->summary.find("named in the line") != std::string::npos;
  }
  EXPECT_EQ(named_in_summary, 3);
}

TEST_F(AnalyzerTest, NamedErrorExplainsItsIncompleteTraceSoTheOtherErrorGetsItsOwn) {
  Shop shop;
  for (int i = 0; i < 300; ++i) {
    shop.Checkout(i, i * 100);
    shop.Email(i, i * 100 + 60, i == 40 || i == 41 ? 5000 : -1);
  }
  // Job 40's timeout names its trace; job 41's does not.
  auto& email = shop.files["email.log"];
  const std::string at40 = PlainTime(40 * 100 + 60 + 5000);
  for (std::string& line : email) {
    if (line.rfind(at40, 0) == 0) line += " trace_id=" + Trace(40);
  }
  shop.SortByTime("email.log");
  auto p = Ingest(shop);
  AnalysisReport r = Analyze(*p);
  ASSERT_EQ(r.unstructured.size(), 2u);
  for (const auto& a : r.unstructured) {
    ASSERT_FALSE(a.candidates.empty());
    const bool names = a.entry.first_line.find("trace_id=") != std::string::npos;
    EXPECT_EQ(a.candidates.front().trace_id, Trace(names ? 40 : 41)) << a.entry.first_line;
    EXPECT_EQ(a.candidates.front().named, names);
    EXPECT_TRUE(a.candidates.front().incomplete);
  }
}

TEST_F(AnalyzerTest, TraceStillInsideTraceIdleIsNotJudged) {
  Shop shop;
  for (int i = 0; i < 100; ++i) shop.Checkout(i, i * 1000);
  shop.Checkout(100, 100 * 1000, "payments");  // the last trace, 0 s before the watermark
  auto p = Ingest(shop);
  const int64_t watermark = p->Stats().max_time_ns;
  AnalysisReport r = Analyze(*p, watermark);
  EXPECT_THAT(OfKind(r, "missing_service"), IsEmpty());
  EXPECT_GT(r.traces_waiting, 0u);
  EXPECT_EQ(r.traces_judged + r.traces_waiting, 101u);
  // Once the data is complete (or 30 s of event time later), it is judged.
  AnalysisReport final_report = Analyze(*p, INT64_MAX);
  EXPECT_EQ(Traces(OfKind(final_report, "missing_service")), std::set<std::string>{Trace(100)});
}

TEST_F(AnalyzerTest, FindingsDoNotDependOnTheOrderOfFiles) {
  Shop shop;
  for (int i = 0; i < 300; ++i) {
    shop.Checkout(i, i * 100, i % 97 == 5 ? "checkout" : "");
    shop.Email(i, i * 100 + 60, i % 101 == 7 ? 20 : -1);
  }
  auto key = [](const AnalysisReport& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings) out.push_back(f.id + " " + f.summary);
    return out;
  };
  auto a =
      key(Analyze(*Ingest(shop, {"checkout.log", "email.log", "gateway.log", "payments.log"})));
  auto b =
      key(Analyze(*Ingest(shop, {"payments.log", "gateway.log", "email.log", "checkout.log"})));
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
}

// One service's file lags behind another's over the same time range (a slow
// shipper, a lagging partition): judging by the newest event time would
// report its traces' missing lines as missing services. The watermark waits
// for the slow file, and the findings once both are in are the replay's.
TEST_F(AnalyzerTest, ASourceThatLagsHoldsJudgementsBackInsteadOfBeingMissed) {
  Shop shop;
  for (int i = 0; i < 800; ++i) shop.Checkout(i, i * 500, i == 17 ? "payments" : "");
  PipelineOptions options;
  options.threads = 2;
  auto p = std::move(*Pipeline::Create(options));
  std::map<std::string, uint32_t> source;
  for (const auto& [name, lines] : shop.files) source[name] = p->AddSource("logs/" + name);
  // gateway and checkout are in; payments has sent its first quarter.
  for (const auto& [name, lines] : shop.files) {
    testdata::SubmitLines(p.get(), source[name], lines, 64, 0,
                          name == "payments.log" ? lines.size() / 4 : lines.size());
  }
  p->Flush();
  Analyzer analyzer(DetectorOptions{}, p->index(), p->unstructured());
  const AnalysisReport early = analyzer.Run(p->Watermark());
  EXPECT_EQ(Traces(OfKind(early, "missing_service")), std::set<std::string>{Trace(17)});
  EXPECT_LT(early.traces_judged, 160u);  // payments' first ~100 s, minus trace_idle
  // By the newest event time, the traces payments has not sent yet would be
  // judged now: most lack payments, so it is no longer expected and trace 17
  // goes unreported.
  Analyzer by_newest(DetectorOptions{}, p->index(), p->unstructured());
  const AnalysisReport wrong = by_newest.Run(p->Stats().max_time_ns);
  EXPECT_GT(wrong.traces_judged, 700u);
  EXPECT_THAT(OfKind(wrong, "missing_service"), IsEmpty());

  const auto& payments = shop.files["payments.log"];
  testdata::SubmitLines(p.get(), source["payments.log"], payments, 64, payments.size() / 4);
  p->Flush();
  for (const auto& [name, id] : source) p->EndSource(id);
  const AnalysisReport done = analyzer.Run(p->Watermark());
  EXPECT_EQ(Traces(OfKind(done, "missing_service")), std::set<std::string>{Trace(17)});
  EXPECT_EQ(done.late_events, 0u);
  for (const Finding& f : done.changes) EXPECT_FALSE(f.resolved) << f.summary;
}

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
  for (int i = 0; i < 1'200'000; ++i) {
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

}  // namespace
}  // namespace logweave

namespace logweave {
namespace {

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
  EXPECT_EQ(gateway->Detail("missing"), "checkout,payments");
  EXPECT_EQ(gateway->Detail("consequence"), "true");
  EXPECT_EQ(gateway->Detail("cause"), "upstream_error,upstream_error");
  EXPECT_EQ(gateway->Detail("cause_service"), "gateway");
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
}  // namespace logweave
