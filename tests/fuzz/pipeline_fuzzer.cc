// Fuzz target: arbitrary bytes as a log file, through everything a replay does.
//
// The input is split into the chunks a reader would hand over (their sizes
// and the line limits come from the first bytes), batched, parsed, indexed by
// a one-thread pipeline and analysed with every trace judged; then the
// timeline of each trace id seen is asked for. Nothing may crash, leak or
// trip a sanitizer, and the counters must add up: every line is counted once
// as JSON, plain text or empty.
//
//   build/fuzz/tests/fuzz/pipeline_fuzzer -max_total_time=60 CORPUS_DIR
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analyzer.h"
#include "fuzz_check.h"
#include "logweave/batch.h"
#include "logweave/pipeline.h"
#include "plugins/canary/canary.h"
#include "plugins/cost/cost.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace logweave;
  using fuzz::Check;
  if (size < 3) return 0;
  // Byte 0: the reader's chunk size; byte 1: max_line_bytes; byte 2: batch_lines.
  const size_t chunk = 1 + data[0] % 64;
  PipelineOptions options;
  options.threads = 1;
  options.batching.max_line_bytes =
      data[1] < 128 ? 1 + data[1] : LineBatcherOptions{}.max_line_bytes;
  options.batching.batch_lines = 1 + data[2] % 16;
  options.index.dedupe_window = 1024;
  options.index.shards = 2;  // few: a fresh index per input is most of the cost
  // The canary rule, set to decide on little data: any line with a version
  // and a status or latency takes part.
  CanaryOptions canary;
  canary.min_requests = 1;
  canary.strikes = 1 + data[2] % 3;
  canary.interval_ns = 1'000'000'000;
  canary.window_ns = 2'000'000'000;
  CostOptions cost;
  cost.min_history_days = 2;
  options.plugins = {std::make_shared<const CanaryConfig>(canary),
                     std::make_shared<const CostConfig>(cost)};
  const std::string_view input(reinterpret_cast<const char*>(data) + 3, size - 3);

  auto pipeline_or = Pipeline::Create(options);
  Check(pipeline_or.ok(), "default options rejected");
  std::unique_ptr<Pipeline> pipeline = std::move(*pipeline_or);
  const uint32_t source = pipeline->AddSource("fuzz/payments.log");

  std::vector<std::string> trace_ids;
  LineBatcher batcher(source, options.batching, [&](RawBatch&& batch) {
    // Keep a few candidate trace ids: the text after "trace_id":" up to the next quote.
    for (size_t i = 0; i < batch.size() && trace_ids.size() < 8; ++i) {
      std::string_view line = batch.Line(i);
      size_t at = line.find("trace_id\":\"");
      if (at == std::string_view::npos) continue;
      line.remove_prefix(at + 11);
      trace_ids.emplace_back(line.substr(0, line.find('"')));
    }
    pipeline->Submit(std::move(batch));
  });
  for (size_t at = 0; at < input.size(); at += chunk) {
    const std::string_view piece = input.substr(at, chunk);
    batcher.Append(piece.data(), piece.size());
  }
  batcher.Finish();
  pipeline->Flush();

  const IngestStats stats = pipeline->Stats();
  Check(stats.lines == batcher.lines(), "lines counted != lines batched");
  Check(stats.json_lines + stats.unstructured_lines + stats.empty_lines == stats.lines,
        "json + plain text + empty != lines");
  Check(stats.bytes <= input.size(), "more bytes counted than read");

  Analyzer analyzer(options.detectors, pipeline->index(), pipeline->unstructured(),
                    pipeline->plugins());
  AnalysisReport report = analyzer.Run(INT64_MAX);
  for (const Finding& f : report.findings) Check(!f.id.empty(), "finding without an id");
  // A second run over the same data changes nothing.
  AnalysisReport again = analyzer.Run(INT64_MAX);
  Check(again.changes.empty(), "a second analysis of the same data reported changes");

  for (const std::string& id : trace_ids) {
    auto timeline = pipeline->index().GetTimeline(id, {.with_raw = true});
    if (!timeline.ok()) continue;
    int64_t last = INT64_MIN;
    for (const auto& event : timeline->events) {
      if (!event.has_time) continue;
      Check(event.time_ns >= last, "timeline out of time order");
      last = event.time_ns;
    }
  }
  return 0;
}
