// End-to-end replay throughput, next to the yardstick measured in the same run.
//
//   replay_throughput [--threads N] PATH...
//
// 1. Reads every file once to warm the page cache.
// 2. Floor: one thread parses every line with a RapidJSON in-situ DOM parse
//    (lines split by the same LineBatcher); only the parse is timed.
// 3. Replay: the full pipeline (reader + N workers: parse, normalize, index),
//    timed from the first read to the last indexed line.
// Prints a table and a JSON line with lines/s, MB/s, the ratio
// replay / (threads x floor), and peak RSS / raw bytes.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "file/file_source.h"
#include "logweave/pipeline.h"
#include "rapidjson/document.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

long PeakRssBytes() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss * 1024L;
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t threads = 0;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) {
      threads = static_cast<uint32_t>(std::stoul(argv[++i]));
    } else if (a == "--help" || a == "-h") {
      std::puts("usage: replay_throughput [--threads N] PATH...  (see bench/README in RESULTS.md)");
      return 0;
    } else {
      args.push_back(a);
    }
  }
  logweave::ExpandedPaths paths = logweave::ExpandReplayPaths(args);
  if (paths.files.empty() || !paths.errors.empty()) {
    std::fprintf(stderr,
                 "replay_throughput: give log files or directories (generate them with "
                 "loggen --out DIR --bytes 1G)\n");
    return 2;
  }
  logweave::LineBatcherOptions batching;

  // 1. Warm the page cache.
  uint64_t raw_bytes = 0;
  for (const auto& f : paths.files) {
    (void)logweave::ReadSource(f, batching, 0,
                               [&](logweave::RawBatch&& b) { raw_bytes += b.data.size(); });
  }

  // 2. Floor: single-threaded DOM parse, in situ, of every line.
  uint64_t floor_lines = 0, floor_bytes = 0, floor_objects = 0;
  Clock::duration floor_time{};
  {
    std::string scratch;
    rapidjson::Document doc;
    for (const auto& f : paths.files) {
      (void)logweave::ReadSource(f, batching, 0, [&](logweave::RawBatch&& b) {
        scratch = b.data;
        auto start = Clock::now();
        for (const auto& span : b.lines) {
          doc.ParseInsitu(scratch.data() + span.begin);
          floor_objects += doc.IsObject();
        }
        floor_time += Clock::now() - start;
        floor_lines += b.lines.size();
        for (const auto& span : b.lines) floor_bytes += span.length;
      });
    }
  }
  const double floor_lps = floor_lines / Seconds(floor_time);

  // 3. Replay through the pipeline.
  logweave::PipelineOptions options;
  options.threads = threads;
  auto pipeline = std::move(*logweave::Pipeline::Create(options));
  auto start = Clock::now();
  for (const auto& f : paths.files) {
    uint32_t src = pipeline->AddSource(f);
    (void)logweave::ReadSource(f, batching, src,
                               [&](logweave::RawBatch&& b) { pipeline->Submit(std::move(b)); });
  }
  pipeline->Flush();
  const double replay_s = Seconds(Clock::now() - start);
  logweave::IngestStats stats = pipeline->Stats();
  const double replay_lps = stats.lines / replay_s;
  const uint32_t n = options.EffectiveThreads();
  const long rss = PeakRssBytes();

  std::printf("| run | lines | MB | seconds | lines/s | MB/s |\n|---|---|---|---|---|---|\n");
  std::printf(
      "| floor: RapidJSON DOM in-situ, 1 thread (parse only) | %llu | %.0f | %.3f | %.0f | "
      "%.1f |\n",
      static_cast<unsigned long long>(floor_lines), floor_bytes / 1e6, Seconds(floor_time),
      floor_lps, floor_bytes / Seconds(floor_time) / 1e6);
  std::printf(
      "| logweave replay, %u threads (read+parse+index) | %llu | %.0f | %.3f | %.0f | %.1f |\n", n,
      static_cast<unsigned long long>(stats.lines), stats.bytes / 1e6, replay_s, replay_lps,
      stats.bytes / replay_s / 1e6);
  std::printf("\nratio replay / (%u x floor) = %.2f\n", n, replay_lps / (n * floor_lps));
  std::printf("peak RSS %.0f MB = %.2f x raw bytes (%.0f MB); index holds %.0f MB; traces %llu\n",
              rss / 1e6, static_cast<double>(rss) / raw_bytes, raw_bytes / 1e6,
              stats.index_bytes / 1e6, static_cast<unsigned long long>(stats.traces));
  std::printf(
      "{\"floor_lines_per_s\":%.0f,\"replay_lines_per_s\":%.0f,\"replay_mb_per_s\":%.1f,"
      "\"threads\":%u,\"ratio\":%.3f,\"peak_rss_bytes\":%ld,\"raw_bytes\":%llu,\"rss_ratio\":%.3f}"
      "\n",
      floor_lps, replay_lps, stats.bytes / replay_s / 1e6, n, replay_lps / (n * floor_lps), rss,
      static_cast<unsigned long long>(raw_bytes), static_cast<double>(rss) / raw_bytes);
  return 0;
}
