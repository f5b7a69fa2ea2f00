// Index insert throughput: parsed records into one shard (what a shard's
// owner thread does), with few or many live traces.
#include <benchmark/benchmark.h>

#include "bench_lines.h"
#include "logweave/index.h"
#include "parse/parser.h"

namespace logweave::bench {
namespace {

constexpr int kLines = 4096;

void BM_IndexInsert(benchmark::State& state) {
  const int traces = static_cast<int>(state.range(0));
  auto parser = std::move(*LineParser::Create({}));
  // Distinct lines per batch (dedupe sees no repeats): 64 batches of 4096.
  std::vector<ParsedBatch> batches(64);
  std::vector<std::vector<ShardRecord>> records(batches.size());
  uint64_t bytes = 0;
  for (size_t b = 0; b < batches.size(); ++b) {
    auto lines = MakeLines("zap", kLines, traces);
    RawBatch raw;
    for (size_t i = 0; i < lines.size(); ++i) {
      // Every line unique across batches, still valid JSON.
      lines[i].insert(1, "\"batch\":" + std::to_string(b) + ",");
      raw.AddLine(lines[i], 0, i + 1);
    }
    bytes += raw.data.size();
    parser->ParseBatch(std::move(raw), "svc", &batches[b]);
    for (size_t i = 0; i < batches[b].records.size(); ++i) {
      records[b].push_back(
          {&batches[b].records[i], batches[b].line_hashes[i], batches[b].trace_hashes[i]});
    }
  }
  int64_t items = 0;
  for (auto _ : state) {
    state.PauseTiming();
    SourceNames sources;
    sources.Add("gateway.log", "gateway");
    IndexOptions options;
    options.dedupe = state.range(1) != 0;
    auto index = std::make_unique<Index>(options, 1, &sources);
    state.ResumeTiming();
    for (size_t b = 0; b < records.size(); ++b) {
      index->Insert(0, records[b].data(), records[b].size());
    }
    items += kLines * static_cast<int64_t>(records.size());
    state.PauseTiming();
    index.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(items);
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
}
BENCHMARK(BM_IndexInsert)
    ->ArgNames({"traces", "dedupe"})
    ->Args({1000, 1})
    ->Args({200000, 1})
    ->Args({200000, 0})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace logweave::bench
