// End-to-end replay throughput, next to the yardstick measured in the same run.
//
//   replay_throughput [--threads N] [--no-redact] [--copy-lines] PATH...
//
// 1. Reads every file once to warm the page cache.
// 2. Floor: one thread parses every line with a RapidJSON in-situ DOM parse
//    (lines split by the same LineBatcher); only the parse is timed.
// 3. Replay: the full pipeline as `logweave replay` reads files (ReplaySource;
//    the lines of plain files kept in them unless --copy-lines; reader + N
//    workers: parse, normalize, index),
//    timed from the first read to the last indexed line, with the CPU time it
//    took. One pipeline per process: a second one in the same process would
//    reuse the first one's freed pages and skip the page faults a fresh index pays.
// 4. Parse scaling: one thread and then N threads at once parse the same 64 MB
//    of lines (DOM, in situ): how close to N x one thread pure parsing gets
//    on this machine, the ceiling for the replay's ratio.
// 5. The budget: the CPU per line that the 0.7 target leaves with every core
//    busy (1 / (0.7 x floor)), next to two costs no implementation that
//    keeps its lines and parses them with RapidJSON avoids: copying the
//    files' bytes from the page cache into fresh memory the process keeps
//    (read(2) into an anonymous mapping of that size, first touch included),
//    and RapidJSON's in-situ SAX parse with a handler that does nothing.
// Prints a table and a JSON line with lines/s, MB/s, the ratio
// replay / (threads x floor), the CPU per line, the parse scaling, and peak
// RSS / raw bytes (read right after the replay, before steps 3 and 4).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "connectors/file/file_source.h"
#include "connectors/file/replay_source.h"
#include "dom_floor.h"
#include "logweave/pipeline.h"
#include "rapidjson/document.h"
#include "rapidjson/reader.h"
#include "tools/flags/flags.h"
#include "tools/flags/malloc_arenas.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// What the process used so far, from one getrusage call.
struct Usage {
  double user_s = 0;        // CPU seconds in user mode
  double system_s = 0;      // CPU seconds in the kernel
  long minor_faults = 0;    // page faults that mapped a fresh page
  long peak_rss_bytes = 0;  // the most memory resident at once
};
Usage ReadUsage() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return {seconds(usage.ru_utime), seconds(usage.ru_stime), usage.ru_minflt,
          usage.ru_maxrss * 1024L};
}

// The yardstick: a RapidJSON in-situ DOM parse of every line of `batch`,
// whose bytes were copied to `copy` (the parse writes into it). Returns how
// many lines were JSON objects.
uint64_t ParseLinesInsitu(const logweave::RawBatch& batch, char* copy,
                          logweave::bench::ReusedDocument* doc) {
  uint64_t objects = 0;
  for (const auto& span : batch.lines) objects += doc->ParseInsitu(copy + span.begin).IsObject();
  return objects;
}

// Parses every line of `sample` (DOM, in situ) `rounds` times on each of
// `threads` threads at once; returns the lines parsed per second, all threads together.
double ParallelParseRate(const std::vector<logweave::RawBatch>& sample, int rounds,
                         uint32_t threads) {
  uint64_t lines = 0;
  for (const auto& b : sample) lines += b.lines.size();
  auto work = [&] {
    std::string scratch;
    auto doc = std::make_unique<logweave::bench::ReusedDocument>();
    uint64_t objects = 0;
    for (int r = 0; r < rounds; ++r) {
      for (const auto& b : sample) {
        scratch = b.data;
        objects += ParseLinesInsitu(b, scratch.data(), doc.get());
      }
    }
    return objects;
  };
  auto start = Clock::now();
  std::vector<std::thread> pool;
  for (uint32_t t = 0; t < threads; ++t) pool.emplace_back([&] { (void)work(); });
  for (auto& t : pool) t.join();
  return static_cast<double>(lines) * rounds * threads / Seconds(Clock::now() - start);
}

// RapidJSON's in-situ SAX parse of every line of `batch` (bytes copied to
// `copy`) with a handler that does nothing. Returns the lines it accepted.
uint64_t SaxParseLinesInsitu(const logweave::RawBatch& batch, char* copy) {
  uint64_t accepted = 0;
  rapidjson::Reader reader;
  rapidjson::BaseReaderHandler<> nothing;
  for (const auto& span : batch.lines) {
    rapidjson::InsituStringStream in(copy + span.begin);
    accepted += !reader.Parse<rapidjson::kParseInsituFlag>(in, nothing).IsError();
  }
  return accepted;
}

// CPU seconds (user + system) to read every file of `files` once into one
// fresh anonymous mapping of `bytes` (faulted in by the copy), or -1 on error.
double FreshCopyCpuSeconds(const std::vector<std::string>& files, uint64_t bytes) {
  const Usage before = ReadUsage();
  void* map = mmap(nullptr, bytes + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) return -1;
  char* out = static_cast<char*>(map);
  uint64_t filled = 0;
  bool ok = true;
  for (const auto& f : files) {
    const int fd = open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      ok = false;
      break;
    }
    ssize_t n;
    while (filled < bytes &&
           (n = read(fd, out + filled, std::min<uint64_t>(bytes - filled, 1 << 20))) > 0) {
      filled += static_cast<uint64_t>(n);
    }
    close(fd);
  }
  const Usage after = ReadUsage();
  munmap(map, bytes + 1);
  if (!ok) return -1;
  return after.user_s + after.system_s - before.user_s - before.system_s;
}

}  // namespace

int main(int argc, char** argv) {
  // The logweave command's malloc policy, so that the two figures compare.
  logweave::cli::LimitMallocArenas(logweave::cli::DefaultMallocArenas());
  uint64_t threads = 0;
  bool no_redact = false;
  bool copy_lines = false;
  std::vector<std::string> args;
  logweave::cli::FlagSet flags(
      "replay_throughput", "[--threads N] [--no-redact] [--copy-lines] PATH...",
      "End-to-end replay throughput next to the single-thread parse floor measured in the\n"
      "same run (see bench/RESULTS.md). LOGWEAVE_BENCH_REPLAY_ONLY=1 skips the floor and\n"
      "scaling, to profile the replay.");
  flags.Uint("threads", &threads, "N", "pipeline worker threads (default 0: one per core)");
  flags.Bool("copy-lines", &copy_lines,
             "keep a compressed copy of every line in the index, as serve does (logweave "
             "replay keeps the lines of plain files in them unless --copy-lines)");
  flags.Bool("no-redact", &no_redact,
             "replay without secret redaction (on by default, as in logweave), to measure its "
             "share (bench/redact_ab.py)");
  if (int code = flags.ParseMain(argc, argv, &args); code >= 0) return code;
  logweave::ExpandedPaths paths = logweave::ExpandReplayPaths(args);
  if (paths.files.empty() || !paths.errors.empty()) {
    std::fprintf(stderr,
                 "replay_throughput: give log files or directories (generate them with "
                 "loggen --out DIR --bytes 1G)\n");
    return 2;
  }
  logweave::LineBatcherOptions batching;
  // Set to profile the replay alone (perf record): skips steps 3 and 4.
  const bool profile_replay_only = std::getenv("LOGWEAVE_BENCH_REPLAY_ONLY") != nullptr;

  // 1. Warm the page cache.
  uint64_t raw_bytes = 0;
  for (const auto& f : paths.files) {
    (void)logweave::ReadSource(f, batching, 0,
                               [&](logweave::RawBatch&& b) { raw_bytes += b.data.size(); });
  }

  // 2. Floor: single-threaded DOM parse, in situ, of every line.
  uint64_t floor_lines = 0, floor_bytes = 0, floor_objects = 0, sax_accepted = 0;
  Clock::duration floor_time{}, sax_time{};
  if (!profile_replay_only) {
    std::string scratch;
    auto doc = std::make_unique<logweave::bench::ReusedDocument>();
    for (const auto& f : paths.files) {
      (void)logweave::ReadSource(f, batching, 0, [&](logweave::RawBatch&& b) {
        scratch = b.data;
        auto start = Clock::now();
        floor_objects += ParseLinesInsitu(b, scratch.data(), doc.get());
        floor_time += Clock::now() - start;
        scratch = b.data;
        start = Clock::now();
        sax_accepted += SaxParseLinesInsitu(b, scratch.data());
        sax_time += Clock::now() - start;
        floor_lines += b.lines.size();
        for (const auto& span : b.lines) floor_bytes += span.length;
      });
    }
  }
  // 3. Replay through the pipeline.
  logweave::PipelineOptions options;
  options.threads = static_cast<uint32_t>(threads);
  options.parser.redact.enabled = !no_redact;
  options.index.lines_in_files = !copy_lines;
  const uint32_t n = options.EffectiveThreads();
  auto pipeline = std::move(*logweave::Pipeline::Create(options));
  const Usage before = ReadUsage();
  auto start = Clock::now();
  {
    // As `logweave replay` reads them (its lines kept in the files unless --copy-lines).
    logweave::ReplaySource files(paths.files, batching, pipeline.get());
    const std::atomic<bool> stop{false};
    (void)files.Run(stop);
  }
  pipeline->Flush();
  const double replay_s = Seconds(Clock::now() - start);
  const Usage after = ReadUsage();
  const long faults = after.minor_faults - before.minor_faults;
  const double user_s = after.user_s - before.user_s;
  const double system_s = after.system_s - before.system_s;
  logweave::IngestStats stats = pipeline->Stats();
  const double replay_lps = stats.lines / replay_s;
  const double cpu_ns_per_line = (user_s + system_s) / stats.lines * 1e9;
  const long rss = after.peak_rss_bytes;

  pipeline.reset();

  const double floor_lps = floor_lines / Seconds(floor_time);
  if (profile_replay_only) {
    std::printf("replay: %.0f lines/s, %.0f ns of CPU per line, %ld page faults, RSS %.2f x raw\n",
                replay_lps, cpu_ns_per_line, faults, static_cast<double>(rss) / raw_bytes);
    return 0;
  }

  // 4. How parsing alone scales on this machine: the same 64 MB of lines
  //    parsed by one thread, then by n threads at once.
  std::vector<logweave::RawBatch> sample;
  uint64_t sample_bytes = 0;
  for (const auto& f : paths.files) {
    if (sample_bytes >= (64u << 20)) break;
    (void)logweave::ReadSource(f, batching, 0, [&](logweave::RawBatch&& b) {
      if (sample_bytes >= (64u << 20)) return;
      sample_bytes += b.data.size();
      sample.push_back(std::move(b));
    });
  }
  // 5. Copying the bytes into fresh memory (the least of three tries; each
  //    maps fresh pages and unmaps them after).
  bool compressed = false;  // read(2) would copy fewer bytes than the lines hold
  for (const auto& f : paths.files) {
    compressed |= absl::EndsWith(f, ".gz") || absl::EndsWith(f, ".zst");
  }
  double fresh_copy_s = -1;
  for (int attempt = 0; attempt < 3 && !compressed && !profile_replay_only; ++attempt) {
    const double s = FreshCopyCpuSeconds(paths.files, raw_bytes);
    if (s >= 0 && (fresh_copy_s < 0 || s < fresh_copy_s)) fresh_copy_s = s;
  }

  // The budget, and the SAX parse measured beside the floor.
  const double budget_ns = 1e9 / (0.7 * floor_lps);
  const double fresh_copy_ns = fresh_copy_s < 0 ? -1 : fresh_copy_s / floor_lines * 1e9;
  const double sax_ns = Seconds(sax_time) / floor_lines * 1e9;

  const double one_thread_lps = ParallelParseRate(sample, 4, 1);
  const double n_threads_lps = ParallelParseRate(sample, 4, n);

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
  std::printf(
      "replay CPU: user %.2f s + system %.2f s = %.2f cores busy; %.0f ns of CPU per line "
      "(floor: %.0f ns); %ld page faults (%.0f MB of fresh pages)\n",
      user_s, system_s, (user_s + system_s) / replay_s, cpu_ns_per_line, 1e9 / floor_lps, faults,
      faults * 4096.0 / 1e6);
  std::printf(
      "parsing alone, %u threads at once vs 1 (64 MB sample): %.0f vs %.0f lines/s = %.2f x "
      "(%.2f of %u x)\n",
      n, n_threads_lps, one_thread_lps, n_threads_lps / one_thread_lps,
      n_threads_lps / one_thread_lps / n, n);
  std::printf(
      "budget for the 0.7 target: %.0f ns of CPU per line (1 / (0.7 x floor)); "
      "unavoidable: the bytes into fresh memory %.0f ns + RapidJSON SAX with a do-nothing "
      "handler %.0f ns (%llu lines accepted) = %.0f ns; left for normalizing, hashing, "
      "dedupe and the index: %.0f ns (the replay spends %.0f ns on all of it)\n",
      budget_ns, fresh_copy_ns, sax_ns, static_cast<unsigned long long>(sax_accepted),
      fresh_copy_ns + sax_ns, budget_ns - fresh_copy_ns - sax_ns, cpu_ns_per_line);
  std::printf("peak RSS %.0f MB = %.2f x raw bytes (%.0f MB); index holds %.0f MB; traces %llu\n",
              rss / 1e6, static_cast<double>(rss) / raw_bytes, raw_bytes / 1e6,
              stats.index_bytes / 1e6, static_cast<unsigned long long>(stats.traces));
  std::printf(
      "{\"floor_lines_per_s\":%.0f,\"replay_lines_per_s\":%.0f,\"replay_mb_per_s\":%.1f,"
      "\"threads\":%u,\"ratio\":%.3f,\"peak_rss_bytes\":%ld,\"raw_bytes\":%llu,\"rss_ratio\":%.3f,"
      "\"replay_cpu_ns_per_line\":%.0f,\"replay_page_faults\":%ld,\"parse_scaling\":%.3f,"
      "\"budget_ns_per_line\":%.0f,\"fresh_copy_ns_per_line\":%.0f,\"sax_ns_per_line\":%.0f}\n",
      floor_lps, replay_lps, stats.bytes / replay_s / 1e6, n, replay_lps / (n * floor_lps), rss,
      static_cast<unsigned long long>(raw_bytes), static_cast<double>(rss) / raw_bytes,
      cpu_ns_per_line, faults, n_threads_lps / one_thread_lps / n, budget_ns, fresh_copy_ns,
      sax_ns);
  return 0;
}
