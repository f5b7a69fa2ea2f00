// Tests for the Analyzer: what its detectors find in a small shop (missing and silent
// services, attribution of plain-text errors, traces still open, lagging sources). Shared setup:
// support/analyzer_shop.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "support/analyzer_shop.h"

namespace logweave::analyzer_test {
namespace {

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
  const std::set<int> failing = {40, 41, 170};
  shop.CheckoutsWithEmailTimeouts(failing);
  auto p = Ingest(shop);
  AnalysisReport r = Analyze(*p);

  EXPECT_EQ(Traces(OfKind(r, "incomplete_sequence")),
            (std::set<std::string>{Trace(40), Trace(41), Trace(170)}));
  ASSERT_EQ(r.unstructured.size(), 3u);
  // Each error goes to its own trace: the one whose attempt came 5 s before it.
  EXPECT_EQ(TimeoutOwners(r), (std::set<std::string>{Trace(40), Trace(41), Trace(170)}));
  for (const auto& a : r.unstructured) {
    ASSERT_FALSE(a.candidates.empty());
    EXPECT_GT(a.candidates.front().confidence, 0.5);
    EXPECT_GT(a.candidates.size(), 1u);  // runners-up are named
  }
  for (const Finding* f : OfKind(r, "incomplete_sequence")) {
    EXPECT_EQ(f->Detail("event"), "email_send_attempt");
    EXPECT_EQ(f->Detail("missing"), "email_queued");
    EXPECT_FALSE(f->Detail("related_unstructured").empty()) << f->summary;
  }
}

// Lines indexed between the pass that learns and the pass that judges (serve analyses while
// its sources append): of the email service's requests only those of traces 100-149 were there
// when the candidates' room was made (enough to learn that an attempt is followed; 50 places);
// the other 250 arrive in between, the three that time out among them. They are still
// candidates, and each timeout goes to the trace it interrupted, as when every line was there
// from the start.
TEST_F(AnalyzerTest, RequestsIndexedBetweenThePassesAreStillCandidates) {
  Shop shop;
  const std::set<int> failing = {40, 41, 170};
  shop.CheckoutsWithEmailTimeouts(failing);
  // The plain-text errors and the lines of traces 100-149 stay; the other JSON lines come late.
  std::set<std::string> stay;
  for (int i = 100; i < 150; ++i) stay.insert(Trace(i));
  std::vector<std::string> early, late;
  for (const std::string& line : shop.files["email.log"]) {
    const size_t at = line.find("\"trace_id\":\"");
    const bool stays = at == std::string::npos || stay.count(line.substr(at + 12, 32)) > 0;
    (stays ? early : late).push_back(line);
  }
  ASSERT_EQ(early.size(), 2 * stay.size() + failing.size());
  shop.files["email.log"] = early;
  auto p = Ingest(shop);
  Analyzer analyzer({}, p->index(), p->unstructured(), {}, 2);
  analyzer.set_between_passes_for_testing([&] {
    Add(p.get(), "email-late.log", late);
    p->Flush();
  });
  const AnalysisReport r = analyzer.Run(INT64_MAX);
  ASSERT_EQ(r.unstructured.size(), 3u);
  EXPECT_EQ(TimeoutOwners(r), (std::set<std::string>{Trace(40), Trace(41), Trace(170)}));
}

// A report as lines to compare: each finding with its evidence, each error with its
// candidates and their confidences.
std::vector<std::string> ReportLines(const AnalysisReport& r) {
  std::vector<std::string> out;
  for (const Finding& f : r.findings) {
    std::string k = f.id + "|" + f.summary;
    for (const EvidenceLine& e : f.evidence) k += "|" + e.text;
    out.push_back(std::move(k));
  }
  for (const AttributedEntry& a : r.unstructured) {
    std::string k = std::string(a.entry.id) + "->";
    for (const AttributionCandidate& c : a.candidates) {
      k += absl::StrCat(c.trace_id, ":", c.confidence, ":", c.named, ",");
    }
    out.push_back(std::move(k));
  }
  return out;
}

// A one-shot analysis that frees each shard once pass 2 has read it (a replay without
// --timeline): the threads release shards while others are still judged, and every finding,
// its evidence and each error's attribution are those of a run that keeps the index. Runs
// under ThreadSanitizer too.
TEST_F(AnalyzerTest, ShardsFreedAsPass2EndsThemGiveTheSameReport) {
  Shop shop;
  shop.CheckoutsWithEmailTimeouts({40, 41, 170});
  auto kept = Ingest(shop);
  const std::vector<std::string> want = ReportLines(Analyze(*kept, INT64_MAX, {}, 2));
  ASSERT_GE(want.size(), 6u);

  auto freed = Ingest(shop);
  Analyzer analyzer({}, freed->index(), freed->unstructured(), {}, 2);
  analyzer.DisableChangeTracking();
  analyzer.TakeUnstructured(freed->mutable_unstructured());
  freed->EndOfInput();
  std::vector<std::atomic<int>> released(freed->index().shard_count());
  analyzer.ReleaseShardsOnceRead([&](uint32_t shard) {
    released[shard].fetch_add(1);
    freed->ReleaseIndexShard(shard);
  });
  EXPECT_EQ(ReportLines(analyzer.Run(INT64_MAX)), want);
  for (size_t s = 0; s < released.size(); ++s) EXPECT_EQ(released[s].load(), 1) << s;
  EXPECT_EQ(freed->index().Counters().events, 0u);
  // The next run releases nothing more (and finds nothing: the index is empty).
  EXPECT_TRUE(analyzer.Run(INT64_MAX).findings.empty());
  for (size_t s = 0; s < released.size(); ++s) EXPECT_EQ(released[s].load(), 1) << s;
}

// A one-shot analysis (no change tracking) passes over the traces of a signature in pass 2 once
// one gave nothing: the findings, their evidence and every attribution are those of a run that
// reads every trace, including a trace of such a signature that an error names.
TEST_F(AnalyzerTest, AOneShotRunJudgesEachCleanSignatureOnceWithTheSameReport) {
  Shop shop;
  const std::set<int> skipped_payments = {150, 250};
  for (int i = 0; i < 300; ++i) {
    shop.Checkout(i, i * 100, skipped_payments.count(i) ? "payments" : "");
    if (i < 100) shop.Email(i, i * 100 + 60, i == 40 || i == 41 ? 5000 : -1);
  }
  for (int i = 300; i < 400; ++i) shop.Cart(i, i * 100);
  // A checkout without an email job, like 190 others, named by an error of the email service.
  shop.files["email.log"].push_back(PlainTime(120 * 100 + 900) +
                                    " ERROR bounce for trace_id=" + Trace(120));
  shop.SortByTime("email.log");
  auto read_all = Ingest(shop);
  Analyzer reader({}, read_all->index(), read_all->unstructured(), {}, 2);
  reader.ReadEveryTrace();
  const AnalysisReport all = reader.Run(INT64_MAX);
  EXPECT_EQ(all.traces_judged_by_signature, 0u);
  ASSERT_EQ(OfKind(all, "missing_service").size(), 2u);
  ASSERT_EQ(all.unstructured.size(), 3u);

  auto one_shot = Ingest(shop);
  Analyzer analyzer({}, one_shot->index(), one_shot->unstructured(), {}, 2);
  analyzer.DisableChangeTracking();
  const AnalysisReport r = analyzer.Run(INT64_MAX);
  EXPECT_EQ(ReportLines(r), ReportLines(all));
  // Each thread learned the first trace of a signature and counted the others as that one.
  EXPECT_EQ(r.traces_judged, all.traces_judged);
  EXPECT_EQ(r.kinds_learned, all.kinds_learned);
  EXPECT_EQ(r.sequences_learned, all.sequences_learned);
  EXPECT_GE(r.sequences_learned, 3u);
  // Of the clean checkouts without email (197, one of them named) and the carts (100), those
  // read after a verdict were passed over (a thread collects a slice, a shard here, before it
  // judges it: the shards collected before the first verdicts are read whole); the checkouts
  // with email are candidates, and were all read.
  EXPECT_GE(r.traces_judged_by_signature, 120u);
  EXPECT_LE(r.traces_judged_by_signature, 295u);
  bool named = false;
  for (const AttributedEntry& a : r.unstructured) {
    if (!a.candidates.empty() && a.candidates.front().named) {
      named = true;
      EXPECT_EQ(a.candidates.front().trace_id, Trace(120));
    }
  }
  EXPECT_TRUE(named);
}

// With change tracking (serve), the traces passed over by their signature still count their
// late events, and a trace that got lines since is read again: run after run, the same report,
// changes and late events as runs that read every trace.
TEST_F(AnalyzerTest, TrackedRunsPassOverCleanSignaturesAndStillCountLateEvents) {
  Shop shop;
  for (int i = 0; i < 300; ++i) shop.Checkout(i, i * 100, i == 150 ? "payments" : "");
  auto read_all = Ingest(shop), by_signature = Ingest(shop);
  Analyzer reader({}, read_all->index(), read_all->unstructured(), {}, 2);
  reader.ReadEveryTrace();
  Analyzer analyzer({}, by_signature->index(), by_signature->unstructured(), {}, 2);
  auto same = [](const AnalysisReport& want, const AnalysisReport& got) {
    EXPECT_EQ(ReportLines(got), ReportLines(want));
    std::vector<std::string> want_changes, got_changes;
    for (const Finding& f : want.changes) want_changes.push_back(absl::StrCat(f.id, f.resolved));
    for (const Finding& f : got.changes) got_changes.push_back(absl::StrCat(f.id, f.resolved));
    EXPECT_EQ(got_changes, want_changes);
    EXPECT_EQ(got.late_events, want.late_events);
  };
  const AnalysisReport first_all = reader.Run(INT64_MAX);
  const AnalysisReport first = analyzer.Run(INT64_MAX);
  same(first_all, first);
  EXPECT_GE(first.traces_judged_by_signature, 100u);
  ASSERT_EQ(OfKind(first, "missing_service").size(), 1u);
  // Late lines: the payments of trace 150 (its gap is resolved), and a retry logged by trace 20,
  // whose signature was clean.
  const std::vector<std::string> late = {
      testdata::EcsLine("payments", Trace(150), 150 * 100 + 20, "payment_authorized"),
      testdata::EcsLine("payments", Trace(20), 20 * 100 + 25, "payment_authorized")};
  for (Pipeline* p : {read_all.get(), by_signature.get()}) {
    Add(p, "late.log", late);
    p->Flush();
  }
  const AnalysisReport second_all = reader.Run(INT64_MAX);
  const AnalysisReport second = analyzer.Run(INT64_MAX);
  same(second_all, second);
  EXPECT_EQ(second.late_events, 2u);
  EXPECT_TRUE(OfKind(second, "missing_service").empty());
  EXPECT_GE(second.traces_judged_by_signature, 100u);
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
  for (const auto& a : r.unstructured) by_text[std::string(a.entry.first_line())] = &a;
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
    const bool names = a.entry.first_line().find("trace_id=") != std::string::npos;
    EXPECT_EQ(a.candidates.front().trace_id, Trace(names ? 40 : 41)) << a.entry.first_line();
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

}  // namespace
}  // namespace logweave::analyzer_test
