// Parse + normalize throughput per logging convention, next to the yardstick:
// a RapidJSON in-situ DOM parse of the same lines (BM_RapidJsonDomInsitu).
//
//   build/release/bench/parse_benchmark --benchmark_filter=zap
#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "bench_lines.h"
#include "dom_floor.h"
#include "parse/parser.h"
#include "rapidjson/document.h"
#include "redact/redactor.h"

namespace logweave::bench {
namespace {

constexpr int kLines = 4096;
const char* const kConventions[] = {"zap", "python", "ecs", "pino", "otel", "plain"};

RawBatch MakeBatch(const std::vector<std::string>& lines) {
  RawBatch b;
  for (size_t i = 0; i < lines.size(); ++i) b.AddLine(lines[i], 0, i + 1);
  return b;
}

void SetCounters(benchmark::State& state, const RawBatch& batch) {
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(batch.data.size()));
}

void BM_ParseLine(benchmark::State& state) {
  auto lines = MakeLines(kConventions[state.range(0)], kLines);
  state.SetLabel(kConventions[state.range(0)]);
  auto parser = std::move(*LineParser::Create({}));
  RawBatch batch = MakeBatch(lines);
  ParsedBatch parsed;
  for (auto _ : state) {
    RawBatch copy = batch;  // ParseBatch consumes its input
    parser->ParseBatch(std::move(copy), "svc", &parsed);
    benchmark::DoNotOptimize(parsed.records.data());
  }
  SetCounters(state, batch);
}
BENCHMARK(BM_ParseLine)->DenseRange(0, 5);

// Redaction with the default rules alone (BM_ParseLine includes it), per line
// of each convention; none of these lines holds a secret, as most do not.
// Second argument: 0 Hyperscan finds the candidate rules, 1 an RE2 set.
void BM_RedactLine(benchmark::State& state) {
  auto lines = MakeLines(kConventions[state.range(0)], kLines);
  const auto prefilter = state.range(1) == 0 ? internal::Redactor::Prefilter::kHyperscan
                                             : internal::Redactor::Prefilter::kRe2Set;
  state.SetLabel(
      absl::StrCat(kConventions[state.range(0)], state.range(1) == 0 ? " hyperscan" : " re2-set"));
  auto redactor = std::move(*internal::Redactor::Create(RedactOptions{}, prefilter));
  RawBatch batch = MakeBatch(lines);
  std::string out;
  std::vector<uint64_t> counts;
  for (auto _ : state) {
    internal::Redactor::Scanner scanner(*redactor);
    scanner.ScanBlock(batch.data);
    for (size_t i = 0; i < batch.size(); ++i) {
      benchmark::DoNotOptimize(scanner.Redact(batch.Line(i), &out, &counts));
    }
  }
  SetCounters(state, batch);
}
BENCHMARK(BM_RedactLine)->ArgsProduct({{0, 1, 2, 3, 4, 5}, {0, 1}});

// The copy BM_ParseLine makes of its input each iteration, measured alone.
void BM_BatchCopy(benchmark::State& state) {
  RawBatch batch = MakeBatch(MakeLines("zap", kLines));
  for (auto _ : state) {
    RawBatch copy = batch;
    benchmark::DoNotOptimize(copy.data.data());
  }
  SetCounters(state, batch);
}
BENCHMARK(BM_BatchCopy);

// Yardstick: full DOM parse, in situ, of each line (no field extraction).
void BM_RapidJsonDomInsitu(benchmark::State& state) {
  auto lines = MakeLines(kConventions[state.range(0)], kLines);
  state.SetLabel(kConventions[state.range(0)]);
  RawBatch batch = MakeBatch(lines);
  std::string scratch;
  auto doc = std::make_unique<ReusedDocument>();
  for (auto _ : state) {
    scratch = batch.data;
    for (const LineSpan& span : batch.lines) {
      benchmark::DoNotOptimize(doc->ParseInsitu(scratch.data() + span.begin).IsObject());
    }
  }
  SetCounters(state, batch);
}
BENCHMARK(BM_RapidJsonDomInsitu)->DenseRange(0, 4);

}  // namespace
}  // namespace logweave::bench
