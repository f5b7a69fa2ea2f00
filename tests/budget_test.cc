// The memory budget (index.max_bytes): eviction keeps answers consistent and
// counted, a trace evicted and seen again is counted once, the batches in
// flight stay within their share, plain-text errors borrow the index's unused
// share and give it back, and a budget too small to hold is refused.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "analysis/analyzer.h"
#include "analysis/unstructured.h"
#include "logweave/index.h"
#include "logweave/pipeline.h"
#include "parse/parser.h"

namespace logweave {
namespace {

// An index of one shard with budget `max_bytes`, filled a batch at a time
// as the pipeline fills it.
class BudgetIndex {
 public:
  explicit BudgetIndex(uint64_t max_bytes)
      : index_(IndexOptions{.shards = 1, .dedupe = true, .max_bytes = max_bytes}, 1, &sources_) {
    source_ = sources_.Add("svc.log", "svc");
    parser_ = std::move(*LineParser::Create({}));
  }

  void Insert(const std::vector<std::string>& lines) {
    for (size_t begin = 0; begin < lines.size(); begin += 4096) {
      RawBatch raw;
      raw.source_id = source_;
      raw.first_seq = seq_;
      for (size_t i = begin; i < std::min(lines.size(), begin + 4096); ++i) {
        raw.AddLine(lines[i], 0, ++seq_);
      }
      ParsedBatch parsed;
      parser_->ParseBatch(std::move(raw), "svc", &parsed);
      std::vector<ShardRecord> records;
      for (size_t i = 0; i < parsed.records.size(); ++i) {
        records.push_back(
            ShardRecord{&parsed.records[i], parsed.line_hashes[i], parsed.trace_hashes[i]});
      }
      index_.Insert(0, records.data(), records.size());
    }
  }

  const Index& index() const { return index_; }
  const SourceNames& sources() const { return sources_; }
  // The index's report at the end of its input (every trace judged that can be).
  AnalysisReport Analyze() const {
    UnstructuredCollector no_plain_text(&sources_);
    Analyzer analyzer({}, index_, no_plain_text, {}, 2);
    return analyzer.Run(INT64_MAX);
  }

 private:
  SourceNames sources_;
  Index index_;
  uint32_t source_ = 0;
  std::unique_ptr<LineParser> parser_;
  uint64_t seq_ = 0;
};

// A line of trace `trace` (none: empty) of service `service`. The id field
// keeps lines from compressing to nothing, as real lines do.
std::string Line(int i, const std::string& trace, const std::string& service = "svc") {
  return absl::StrFormat(
      R"({"ts":%d,"service":"%s","msg":"step","id":"%016x",%s"note":"padding like a real line"})",
      1000 + i, service, static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull,
      trace.empty() ? "" : absl::StrFormat(R"("trace_id":"%s",)", trace));
}

// Lines without a trace id, enough to push everything before them out of an
// 8 MiB budget.
std::vector<std::string> Filler(int from) {
  std::vector<std::string> lines;
  for (int i = 0; i < 400'000; ++i) lines.push_back(Line(from + i, ""));
  return lines;
}

TEST(BudgetTest, ATraceEvictedAndSeenAgainIsCountedOnceAndAnswersAsPartlyEvicted) {
  // As replay reads one service's file after another: the traces' first
  // events (gateway) are evicted with their records before their later
  // ones (ledger) come.
  BudgetIndex b(8ull << 20);
  const int kTraces = 20'000;
  std::vector<std::string> gateway, ledger, late;
  for (int t = 0; t < kTraces; ++t) {
    gateway.push_back(Line(2 * t, "t" + std::to_string(t), "gateway"));
    gateway.push_back(Line(2 * t + 1, "t" + std::to_string(t), "gateway"));
    ledger.push_back(Line(t, "t" + std::to_string(t), "ledger"));
  }
  for (int t = 0; t < 5000; ++t) late.push_back(Line(t, "z" + std::to_string(t)));
  b.Insert(gateway);
  b.Insert(Filler(1'000'000));
  const IndexCounters first = b.index().Counters();
  ASSERT_GT(first.evicted_traces, 4096u);  // some records went with their events
  ASSERT_EQ(b.index().GetTimeline("t0").status().code(), absl::StatusCode::kNotFound);

  b.Insert(ledger);
  // t0's record was dropped: its new one says its two gateway events are gone.
  absl::StatusOr<Timeline> t0 = b.index().GetTimeline("t0");
  ASSERT_TRUE(t0.ok()) << t0.status();
  ASSERT_EQ(t0->events.size(), 1u);
  EXPECT_EQ(t0->events[0].service, "ledger");
  EXPECT_EQ(t0->evicted_events, 2u);
  // Every trace answers the same, whether its record was dropped or kept.
  for (int t : {1, kTraces / 2, kTraces - 1}) {
    absl::StatusOr<Timeline> tl = b.index().GetTimeline("t" + std::to_string(t));
    ASSERT_TRUE(tl.ok()) << t;
    EXPECT_EQ(tl->events.size(), 1u) << t;
    EXPECT_EQ(tl->evicted_events, 2u) << t;
  }
  // The analysis sees them as partly evicted (and so does not judge them).
  uint64_t partial = 0, whole = 0;
  b.index().ForEachTraceWithEvents([&](const TraceView& v) {
    if (v.trace_id[0] != 't') return;
    (v.evicted > 0 ? partial : whole) += 1;
  });
  EXPECT_EQ(partial, static_cast<uint64_t>(kTraces));
  EXPECT_EQ(whole, 0u);
  // And its report counts them apart from the judged ones (replay's summary says so).
  const AnalysisReport report = b.Analyze();
  EXPECT_EQ(report.traces_partly_evicted, static_cast<uint64_t>(kTraces));
  EXPECT_EQ(report.traces_judged, 0u);

  // Everything goes again: each trace is counted once in all.
  b.Insert(late);
  b.Insert(Filler(2'000'000));
  b.Insert({Line(0, "last")});
  const IndexCounters c = b.index().Counters();
  EXPECT_GT(c.evicted_traces, first.evicted_traces);
  EXPECT_LE(c.evicted_traces, static_cast<uint64_t>(kTraces + 5000));
}

TEST(BudgetTest, FindingsOfTracesJudgedThenEvictedAreKeptOnlyWhenAsked) {
  // A replay under a budget smaller than its files analyses as it reads: a trace judged in
  // full keeps its finding in the reports once eviction took the trace, if asked.
  for (const bool keep : {false, true}) {
    SCOPED_TRACE(keep ? "kept" : "forgotten");
    BudgetIndex b(8ull << 20);
    std::vector<std::string> lines;
    for (int t = 0; t < 300; ++t) {
      lines.push_back(Line(3 * t, "t" + std::to_string(t), "gateway"));
      lines.push_back(Line(3 * t + 1, "t" + std::to_string(t), "ledger"));
    }
    lines.push_back(Line(1000, "lonely", "gateway"));  // ledger never logged it
    b.Insert(lines);
    UnstructuredCollector no_plain_text(&b.sources());
    Analyzer analyzer({}, b.index(), no_plain_text, {}, 2);
    if (keep) analyzer.KeepFindingsOfEvictedTraces();
    auto lonely_findings = [](const std::vector<Finding>& findings) {
      std::vector<Finding> out;
      for (const Finding& f : findings) {
        if (f.trace_id == "lonely") out.push_back(f);
      }
      return out;
    };
    const AnalysisReport judged = analyzer.Run(INT64_MAX);
    ASSERT_EQ(lonely_findings(judged.findings).size(), 1u);
    EXPECT_EQ(lonely_findings(judged.findings)[0].kind, "missing_service");

    b.Insert(Filler(1'000'000));
    ASSERT_FALSE(b.index().GetTimeline("lonely").ok() &&
                 !b.index().GetTimeline("lonely")->events.empty());
    const AnalysisReport after = analyzer.Run(INT64_MAX);
    // Never reported as resolved: later data did not disprove it.
    EXPECT_TRUE(lonely_findings(after.changes).empty());
    const std::vector<Finding> still = lonely_findings(after.findings);
    ASSERT_EQ(still.size(), keep ? 1u : 0u);
    if (keep) {
      EXPECT_FALSE(still[0].resolved);
      EXPECT_EQ(still[0].id, lonely_findings(judged.findings)[0].id);
    }
  }
}

TEST(BudgetTest, EvictsTheChunkBeingFilledWhenItAloneIsOverTheBudget) {
  // 200 lines of 64 KiB that do not compress, in one chunk of events: before
  // the chunk being filled could go, the shard held all of them (13 MB).
  const uint64_t kBudget = 6ull << 20;
  BudgetIndex b(kBudget);
  std::vector<std::string> lines;
  uint64_t x = 1;
  for (int i = 0; i < 200; ++i) {
    std::string pad;
    while (pad.size() < (64u << 10)) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      pad += absl::StrFormat("%016x", x);
    }
    lines.push_back(absl::StrFormat(R"({"ts":%d,"msg":"blob","trace_id":"%s","data":"%s"})",
                                    1000 + i, i < 100 ? "early" : "late", pad));
  }
  b.Insert(lines);
  const IndexCounters c = b.index().Counters();
  EXPECT_LE(c.bytes, kBudget);
  EXPECT_GT(c.evicted_events, 0u);
  EXPECT_EQ(c.events + c.evicted_events, 200u);
  // What was dropped is said, never silently missing.
  absl::StatusOr<Timeline> early = b.index().GetTimeline("early");
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_EQ(early->events.size() + early->evicted_events, 100u);
  EXPECT_GT(early->evicted_events, 0u);
  // Later lines are stored and found again.
  b.Insert({Line(1, "after")});
  absl::StatusOr<Timeline> after = b.index().GetTimeline("after", {.with_raw = true});
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->events.size(), 1u);
  EXPECT_EQ(after->events[0].raw, Line(1, "after"));
}

TEST(BudgetTest, SplitsTheBudgetBetweenBatchesAndIndex) {
  PipelineOptions options;
  options.threads = 2;
  options.index.shards = 8;
  EXPECT_EQ(options.BatchMemoryBytes(), 0u);  // no budget: queue_bytes alone
  EXPECT_EQ(options.IndexMemoryBytes(), 0u);
  options.index.max_bytes = 64ull << 20;
  EXPECT_EQ(options.BatchMemoryBytes(), 8ull << 20);
  EXPECT_EQ(options.UnstructuredMemoryBytes(), 2ull << 20);
  EXPECT_EQ(options.IndexMemoryBytes(), 54ull << 20);
  options.index.max_bytes = 4ull << 30;
  EXPECT_EQ(options.BatchMemoryBytes(), 4 * options.EffectiveQueueBytes());
  EXPECT_EQ(
      options.BatchMemoryBytes() + options.UnstructuredMemoryBytes() + options.IndexMemoryBytes(),
      options.index.max_bytes);
}

TEST(BudgetTest, TheQueueDefaultsToTwoBatchesAWorkerAndAtLeastFourMiB) {
  PipelineOptions options;
  options.threads = 1;
  EXPECT_EQ(options.EffectiveQueueBytes(), 4ull << 20);
  options.threads = 2;
  EXPECT_EQ(options.EffectiveQueueBytes(), 4ull << 20);
  options.threads = 8;
  EXPECT_EQ(options.EffectiveQueueBytes(), 16ull << 20);
  options.queue_bytes = 64ull << 20;  // a configured size is kept
  EXPECT_EQ(options.EffectiveQueueBytes(), 64ull << 20);
  options.queue_bytes = 0;
  EXPECT_TRUE(options.Validate().ok());
  options.queue_bytes = 1000;  // neither 0 nor at least 1 MiB
  EXPECT_FALSE(options.Validate().ok());
}

TEST(BudgetTest, ABudgetTooSmallToHoldIsRefusedWithTheMinimum) {
  PipelineOptions options;
  options.threads = 2;
  options.index.shards = 16;
  options.index.max_bytes = 64ull << 20;
  absl::StatusOr<std::unique_ptr<Pipeline>> p = Pipeline::Create(options);
  ASSERT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  // The index's share of the minimum leaves every shard its minimum.
  EXPECT_GE(options.MinMaxBytes(), (8ull + 16 * 6) << 20);
  options.index.max_bytes = options.MinMaxBytes();
  EXPECT_GE(options.IndexMemoryBytes(), 16 * PipelineOptions::kMinShardBytes);
  EXPECT_TRUE(Pipeline::Create(options).ok());
  options.index.max_bytes = options.MinMaxBytes() - 1;
  EXPECT_FALSE(Pipeline::Create(options).ok());
  options.index.max_bytes = 64ull << 20;
  EXPECT_NE(p.status().message().find(std::to_string(options.MinMaxBytes())), std::string::npos)
      << p.status();
  EXPECT_NE(p.status().message().find("index.shards"), std::string::npos) << p.status();
  options.index.shards = 8;  // (8 + 8 x 6 MiB) x 32 / 31: under 58 MiB
  EXPECT_TRUE(Pipeline::Create(options).ok());
}

// 16,000 plain-text error blocks with values that do not compress away (~3 MB held: more than
// their own share of a 64 MiB budget, less than twice it).
std::vector<std::string> ErrorBlocks(int count) {
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) {
    const uint64_t v = static_cast<uint64_t>(i + 1) * 0x9E3779B97F4A7C15ull;
    lines.push_back(absl::StrFormat(
        "2026-11-23 10:%02d:%02d,%03d ERROR request %016x failed: upstream %016x said %016x",
        i / 600 % 60, i / 10 % 60, i % 1000, v, v ^ 0xabcdef, v * 3));
    lines.push_back(absl::StrFormat("    at com.example.Client.call(Client.java:%d)", i % 997));
  }
  lines.push_back("2026-11-23 11:00:00,000 INFO done");  // the last block ends
  return lines;
}

// Submits `lines` as `source`'s, in batches of 4096 lines.
void SubmitLines(Pipeline& p, uint32_t source, const std::vector<std::string>& lines,
                 uint64_t* seq) {
  for (size_t begin = 0; begin < lines.size(); begin += 4096) {
    RawBatch batch;
    batch.source_id = source;
    for (size_t i = begin; i < std::min(lines.size(), begin + 4096); ++i) {
      batch.AddLine(lines[i], 0, ++*seq);
    }
    p.Submit(std::move(batch));
  }
}

TEST(BudgetTest, PlainTextErrorsBorrowTheIndexsUnusedShareAndGiveItBack) {
  constexpr int kErrors = 16'000;
  const std::vector<std::string> errors = ErrorBlocks(kErrors);
  for (bool borrow : {false, true}) {
    SCOPED_TRACE(borrow ? "borrowing (replay)" : "not borrowing (serve)");
    PipelineOptions options;
    options.threads = 2;
    options.index.shards = 8;
    options.index.max_bytes = 64ull << 20;  // plain-text errors: 2 MiB; the index: 54 MiB
    options.plain_text_borrows_index_room = borrow;
    auto p = std::move(*Pipeline::Create(options));
    const uint32_t app = p->AddSource("app.log", "app");
    const uint32_t svc = p->AddSource("svc.log", "svc");
    uint64_t seq = 0;
    // The index holds next to nothing: borrowing, the errors hold up to twice their share.
    SubmitLines(*p, app, errors, &seq);
    p->Flush();
    const UnstructuredCollector& collector = p->unstructured();
    const uint64_t own = options.UnstructuredMemoryBytes();
    if (!borrow) {
      EXPECT_LE(collector.bytes(), own);
      EXPECT_GT(collector.dropped(), 0u);
      EXPECT_EQ(collector.Snapshot().size() + collector.dropped(), static_cast<uint64_t>(kErrors));
      continue;
    }
    EXPECT_GT(collector.bytes(), own);
    EXPECT_LE(collector.bytes(), 2 * own);
    EXPECT_EQ(collector.dropped(), 0u);
    EXPECT_EQ(collector.Snapshot().size(), static_cast<size_t>(kErrors));

    // The index grows to its share: the errors give back what they borrowed, the oldest going
    // first, each counted.
    for (int round = 0; round < 4; ++round) {
      std::vector<std::string> lines;
      for (int i = 0; i < 400'000; ++i) {
        const int n = round * 400'000 + i;
        lines.push_back(Line(n, "t" + std::to_string(n / 4)));
      }
      SubmitLines(*p, svc, lines, &seq);
    }
    p->Flush();
    const IndexCounters index = p->index().Counters();
    ASSERT_GT(index.evicted_events, 0u);  // the index reached its share
    EXPECT_GT(collector.dropped(), 0u);
    const std::vector<UnstructuredEntry> kept = collector.Snapshot();
    EXPECT_EQ(kept.size() + collector.dropped(), static_cast<uint64_t>(kErrors));
    EXPECT_EQ(p->Stats().unstructured_dropped, collector.dropped());
    ASSERT_FALSE(kept.empty());
    EXPECT_EQ(kept.back().line_no, 2u * kErrors - 1);  // the newest are kept
    // Both together within their shares (and what one batch adds to the index since the
    // errors last looked).
    EXPECT_LE(collector.bytes() + index.bytes, options.IndexMemoryBytes() + own + (2ull << 20));
  }
}

TEST(BudgetTest, BatchesInFlightStayWithinTheirShare) {
  PipelineOptions options;
  options.threads = 2;
  options.index.shards = 8;
  options.index.max_bytes = 64ull << 20;  // batches: 8 MiB
  auto p = std::move(*Pipeline::Create(options));
  const uint32_t src = p->AddSource("svc.log");
  std::atomic<bool> done{false};
  std::atomic<uint64_t> most{0};
  // Samples the estimate while a source submits as fast as it can; one
  // batch is always admitted, so the share may be passed by at most one.
  std::thread sampler([&] {
    while (!done.load()) {
      const uint64_t now = p->Stats().queued_memory;
      if (now > most.load()) most.store(now);
    }
  });
  uint64_t largest = 0;
  for (int b = 0; b < 60; ++b) {
    RawBatch batch;
    batch.source_id = src;
    for (int i = 0; i < 4096; ++i) {
      const std::string line = Line(b * 4096 + i, "t" + std::to_string(i % 500));
      batch.AddLine(line, 0, b * 4096 + i + 1);
    }
    largest =
        std::max<uint64_t>(largest, batch.data.capacity() + 3 * batch.data.size() + 4096 * 256);
    p->Submit(std::move(batch));
  }
  p->Flush();
  done.store(true);
  sampler.join();
  EXPECT_GT(most.load(), 0u);
  EXPECT_LE(most.load(), options.BatchMemoryBytes() + largest);
  EXPECT_EQ(p->Stats().queued_memory, 0u);
  EXPECT_EQ(p->Stats().lines, 60u * 4096);
}

}  // namespace
}  // namespace logweave
