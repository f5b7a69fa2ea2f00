// Query load on the gRPC API: latency and QPS of GetTimeline and SearchTraces
// under many concurrent clients, idle and while ingestion runs at full speed,
// and ingestion throughput with and without the query load.
//
//   query_load [--traces=1000000] [--duration=10] [--channels=8] [--threads=4]
//              [--ingest_lines=3000000] [--analysis_interval=0] [--deadline=60]
//              [--force_concurrent_search] [--seed=1] [--timeline_qps=2000]
//              [--search_qps=20] [--skip_search]
//
// 1. Fill: an in-process pipeline gets --traces traces generated in memory
//    (3-5 events each across gateway, checkout, payments and ledger, in the
//    zap, python-json-logger, ECS and pino conventions of tests/testdata), and
//    a LogweaveServer on 127.0.0.1:0 serves it. 0.1% of the traces have a
//    payments ERROR: the selective filter of SearchTraces.
// 2. Ingest alone: one thread generates and submits new traces at full speed
//    (Submit blocks when the pipeline is full) for --duration seconds, or until
//    --ingest_lines lines are submitted and flushed; lines/s = events indexed
//    meanwhile / elapsed time.
// 3. For each RPC (GetTimeline of a random existing trace; SearchTraces with
//    service=payments, min_level=ERROR, page_size=50): --channels channels
//    (each its own TCP connection) x --threads threads call it, either back
//    to back (the capacity: the CPU saturated by queries) or at a fixed total
//    rate (--timeline_qps, --search_qps: the latency a tool sees, and what
//    such a load costs ingestion), idle and while the ingest thread runs, for
//    --duration seconds (or until the ingest cap). Each call has a deadline
//    of --deadline seconds; calls in flight at the end of a phase are waited
//    for (so a phase lasts at most --duration + --deadline). SearchTraces
//    also from one client alone, first; the concurrent SearchTraces phases
//    are skipped (and the table says why) when that single-client latency
//    shows they could only time out.
//    Before GetTimeline at the fixed rate, idle and while ingesting, the same
//    clients call GetTimeline with an empty id at that rate: the server rejects
//    it before any index work, so its latency is the transport and scheduling
//    floor of this machine, the baseline GetTimeline's is compared with.
//    --skip_search leaves out the SearchTraces phases.
// Prints a Markdown table of p50/p99/p99.9 latency, QPS and ingestion lines/s,
// and the ratio of ingestion with query load to ingestion alone.
//
// Memory: about 300 bytes per line (the line, its event, the trace map); the
// defaults (4 M fill lines, at most 3 M more per ingest phase) peaked at 3.4 GB
// RSS; lower --ingest_lines or --traces on a smaller machine. The analysis loop
// is off by default (--analysis_interval=0) so that it does not mix into the
// figures; give it seconds to include it. The process exits without waiting for
// calls the clients gave up on.
#include <sys/resource.h>

#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/query_load_clients.h"
#include "bench/query_load_traffic.h"
#include "connectors/grpc/server.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "logweave/pipeline.h"
#include "logweave/runtime.h"
#include "logweave/v1/logweave.grpc.pb.h"
#include "tools/flags/flags.h"

namespace logweave::bench {
namespace {

// Fills *f from argv. Returns -1 to go on, else the exit code (0 after --help, 2 for a bad flag).
int ParseFlags(int argc, char** argv, Flags* f) {
  cli::FlagSet flags("query_load", "[flags]",
                     "Latency and QPS of GetTimeline and SearchTraces under many concurrent\n"
                     "clients, idle and while ingestion runs; ingestion with and without the\n"
                     "query load (see bench/RESULTS.md).");
  // A number flag (N: a whole number, X: a real one, by the type of *target)
  // whose value must pass `ok` (its range); else "--NAME must be EXPECTED".
  auto number = [&flags](const std::string& name, const std::string& help, auto* target,
                         std::string expected, auto ok) {
    constexpr bool kReal = std::is_floating_point_v<std::remove_pointer_t<decltype(target)>>;
    flags.Custom(name, kReal ? "X" : "N", help, [=](const std::string& v) {
      bool read = false;
      if constexpr (kReal) {
        read = absl::SimpleAtod(v, target);
      } else {
        read = absl::SimpleAtoi(v, target);
      }
      if (!read || !ok(*target)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " must be ", expected, " (got \"", v, "\")"));
      }
      return absl::OkStatus();
    });
  };
  auto positive = [](auto x) { return x > 0; };
  number("traces", "traces in the index before the phases (default 1000000)", &f->traces,
         "a positive number", positive);
  number("duration", "seconds per phase (default 10)", &f->duration_s, "a positive number",
         positive);
  number("channels", "gRPC channels, each its own connection (default 8)", &f->channels,
         "a positive number", positive);
  number("threads", "client threads per channel (default 4)", &f->threads, "a positive number",
         positive);
  number("ingest_lines", "at most this many lines per ingest phase (default 3000000)",
         &f->ingest_lines, "a positive number", positive);
  number("analysis_interval", "seconds between analyses; 0 = off (default 0)",
         &f->analysis_interval_s, "0 or a positive number", [](double x) { return x >= 0; });
  number("deadline", "seconds per call (default 60)", &f->deadline_s, "a positive number",
         positive);
  number("events_per_trace", "0: 3-5 events a trace; 5 or more: that many (default 0)",
         &f->events_per_trace, "0 or a number from 5 to 10000",
         [](auto x) { return x == 0 || (x >= 5 && x <= 10000); });
  flags.Bool("force_concurrent_search", &f->force_concurrent_search,
             "run the concurrent SearchTraces phases even when they could only time out");
  flags.Bool("skip_search", &f->skip_search, "only the GetTimeline (and floor) phases");
  number("seed", "random seed of the clients (default 1)", &f->seed, "a whole number",
         [](uint64_t) { return true; });
  number("worker_nice", "nice of the pipeline workers and the ingest thread, 0-19 (default 0)",
         &f->worker_nice, "from 0 to 19", [](int x) { return x >= 0 && x <= 19; });
  number("timeline_qps", "offered rate of the fixed-rate GetTimeline phases (default 2000)",
         &f->timeline_qps, "a positive number", positive);
  number("search_qps", "offered rate of the fixed-rate SearchTraces phases (default 20)",
         &f->search_qps, "a positive number", positive);
  std::vector<std::string> positional;
  if (int code = flags.ParseMain(argc, argv, &positional); code >= 0) return code;
  if (!positional.empty()) {
    std::fprintf(stderr, "query_load: unexpected argument \"%s\"; see 'query_load --help'\n",
                 positional.front().c_str());
    return 2;
  }
  return -1;
}

int Main(int argc, char** argv) {
  Flags flags;
  if (int code = ParseFlags(argc, argv, &flags); code >= 0) return code;
  const absl::Duration duration = absl::Seconds(flags.duration_s);

  RuntimeOptions options;
  options.pipeline.worker_nice = flags.worker_nice;
  options.analysis_interval =
      flags.analysis_interval_s > 0 ? absl::Seconds(flags.analysis_interval_s) : absl::Hours(24);
  auto runtime_or = Runtime::Create(options);
  if (!runtime_or.ok()) {
    std::fprintf(stderr, "query_load: %s\n", runtime_or.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<Runtime> runtime = std::move(*runtime_or);
  Pipeline* pipeline = &runtime->pipeline();
  Generator gen(pipeline, 0, flags.events_per_trace);

  // Generator alone, into nothing: is it fast enough not to be the bottleneck?
  double gen_lines_per_s;
  {
    RawBatch batches[kServices];
    uint64_t line_nos[kServices] = {};
    uint64_t offsets[kServices] = {};
    int64_t lines = 0;
    const Clock::time_point t0 = Clock::now();
    for (int64_t i = 0; i < 200'000; ++i) {
      lines += AppendTrace(1'000'000'000 + i, batches, line_nos, offsets);
      if (i % 1024 == 1023) {
        for (auto& b : batches) b = RawBatch();
      }
    }
    gen_lines_per_s = lines / Seconds(Clock::now() - t0);
  }

  std::fprintf(stderr, "query_load: filling %" PRId64 " traces ...\n", flags.traces);
  const Clock::time_point fill_start = Clock::now();
  const int64_t fill_lines = gen.Submit(flags.traces);
  pipeline->Flush();
  const double fill_s = Seconds(Clock::now() - fill_start);
  const IngestStats filled = pipeline->Stats();
  std::fprintf(
      stderr, "query_load: %" PRId64 " lines in %.1f s (%.0f lines/s), index %.0f MB, RSS %ld MB\n",
      fill_lines, fill_s, fill_lines / fill_s, filled.index_bytes / 1e6, RssMb());

  ServerOptions server_options;
  server_options.address = "127.0.0.1:0";
  auto server_or = LogweaveServer::Start(server_options, runtime.get());
  if (!server_or.ok()) {
    std::fprintf(stderr, "query_load: %s\n", server_or.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<LogweaveServer> server = std::move(*server_or);
  runtime->AnalyzeNow();  // a snapshot for the queries
  server->SetReady(true);
  if (flags.analysis_interval_s > 0) runtime->StartAnalysisLoop();
  LoadClients clients(absl::StrCat("127.0.0.1:", server->port()), flags, flags.traces);

  // Sanity: the selective search finds what was planted.
  {
    auto stub = v1::LogWeave::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server->port()), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    v1::SearchTracesRequest request;
    request.set_service("payments");
    request.set_min_level(v1::LEVEL_ERROR);
    v1::SearchTracesResponse response;
    grpc::Status s = stub->SearchTraces(&context, request, &response);
    if (!s.ok() || response.matched() == 0) {
      std::fprintf(stderr, "query_load: the selective search failed: %s (matched %" PRIu64 ")\n",
                   s.error_message().c_str(), response.matched());
      return 1;
    }
    std::fprintf(stderr, "query_load: the selective search matches %" PRIu64 " traces\n",
                 response.matched());
  }

  std::vector<PhaseResult> results;
  // Ends a phase after `duration`, or once the ingestor reached its cap; then
  // measures the ingestion (queries, if any, are still running at that moment).
  auto phase_end = [&](Ingestor* ingest) {
    const Clock::time_point end = Clock::now() + absl::ToChronoNanoseconds(duration);
    return [ingest, end] {
      const bool over = Clock::now() >= end || (ingest != nullptr && ingest->capped());
      if (over && ingest != nullptr) ingest->Measure();
      return over;
    };
  };

  std::fprintf(stderr, "query_load: ingest alone ...\n");
  Ingestor alone(pipeline, &gen, flags.ingest_lines, flags.worker_nice);
  alone.Start();
  for (auto over = phase_end(&alone); !over();) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  alone.StopAndJoin();
  std::fprintf(stderr, "query_load: %" PRId64 " lines in %.2f s, RSS %ld MB\n", alone.lines(),
               alone.seconds(), RssMb());

  // qps 0: closed loop (the clients' capacity); else the fixed offered rate.
  auto idle = [&](LoadClients* c, Rpc rpc, double qps) {
    std::fprintf(stderr, "query_load: %s idle, %d clients, %s ...\n", RpcName(rpc), c->clients(),
                 qps > 0 ? absl::StrCat(qps, " QPS").c_str() : "back to back");
    results.push_back(c->Run(rpc, "idle", phase_end(nullptr), qps));
  };
  auto ingesting = [&](LoadClients* c, Rpc rpc, double qps) {
    std::fprintf(stderr, "query_load: %s while ingesting, %s ...\n", RpcName(rpc),
                 qps > 0 ? absl::StrCat(qps, " QPS").c_str() : "back to back");
    // Ingestion slows as the index grows: compare with ingestion alone right before.
    Ingestor before(pipeline, &gen, flags.ingest_lines, flags.worker_nice);
    before.Start();
    for (auto over = phase_end(&before); !over();) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    before.StopAndJoin();
    Ingestor ingest(pipeline, &gen, flags.ingest_lines, flags.worker_nice);
    ingest.Start();
    PhaseResult r = c->Run(rpc, "ingesting", phase_end(&ingest), qps);
    ingest.StopAndJoin();
    r.ingest_lines_per_s = ingest.lines_per_second();
    r.ingest_lines = ingest.lines();
    r.alone_lines_per_s = before.lines_per_second();
    results.push_back(r);
    std::fprintf(stderr, "query_load: RSS %ld MB\n", RssMb());
  };
  Flags one = flags;
  one.channels = one.threads = 1;
  LoadClients single(absl::StrCat("127.0.0.1:", server->port()), one, flags.traces);

  idle(&clients, Rpc::kGetTimeline, 0);
  idle(&clients, Rpc::kTimelineFloor, flags.timeline_qps);
  idle(&clients, Rpc::kGetTimeline, flags.timeline_qps);
  ingesting(&clients, Rpc::kTimelineFloor, flags.timeline_qps);
  ingesting(&clients, Rpc::kGetTimeline, flags.timeline_qps);
  ingesting(&clients, Rpc::kGetTimeline, 0);
  std::string skipped;
  if (flags.skip_search) {
    skipped = "SearchTraces phases skipped (--skip_search).";
  } else {
    // One client alone first: the latency of a search without concurrent searches
    // (and before the server is busy with searches the clients gave up on).
    idle(&single, Rpc::kSearchTraces, 0);
    // Concurrent searches share the cores: when even one search alone takes so long that
    // clients x p50 / cores exceeds the deadline, every concurrent call would time out while
    // the server keeps working on the abandoned ones (and ingestion waits behind them), so
    // the concurrent phases are skipped unless forced.
    const double single_p50_s = results.back().p50_ms / 1e3;
    const double cores = std::max(1u, std::thread::hardware_concurrency());
    const double expected_s = single_p50_s * clients.clients() / cores;
    if (results.back().calls == 0 ||
        (expected_s > flags.deadline_s && !flags.force_concurrent_search)) {
      skipped = absl::StrFormat(
          "Concurrent SearchTraces phases skipped: one search alone takes %.2f s (p50), so %d "
          "concurrent clients on %g cores need about %.0f s per call, more than --deadline=%g "
          "(--force_concurrent_search runs them anyway).",
          single_p50_s, clients.clients(), cores, expected_s, flags.deadline_s);
      std::fprintf(stderr, "query_load: %s\n", skipped.c_str());
    } else {
      idle(&clients, Rpc::kSearchTraces, 0);
      ingesting(&clients, Rpc::kSearchTraces, flags.search_qps);
      ingesting(&clients, Rpc::kSearchTraces, 0);
    }
  }
  const IngestStats end_stats = pipeline->Stats();

  char host[256] = "?";
  gethostname(host, sizeof host);
  std::printf("## query_load (%s, %u cores, %s)\n\n", host, std::thread::hardware_concurrency(),
              absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::Now(), absl::UTCTimeZone()).c_str());
  std::printf(
      "Command: `query_load --traces=%" PRId64
      " --duration=%g --channels=%d --threads=%d --ingest_lines=%" PRId64
      " --analysis_interval=%g --deadline=%g --worker_nice=%d --timeline_qps=%g --search_qps=%g"
      " --events_per_trace=%d`; "
      "in-process server on 127.0.0.1, %d client threads "
      "over %d "
      "channels, pipeline threads = %u.\n"
      "Fill: %" PRId64 " traces (%d events each; 0: 3-5), %" PRId64
      " lines, %.0f MB of logs, in %.1f s; at the end %" PRIu64 " traces, %" PRIu64
      " events, index %.0f MB, RSS %ld MB, peak RSS %ld MB. Line generator alone: %.0f lines/s.\n"
      "GetTimeline: a random trace of the fill. SearchTraces: service=payments, min_level=ERROR, "
      "page_size=50 (0.1%% of traces match). \"ingesting\": while one thread submits new traces "
      "at full speed; ingest lines/s = events indexed during the phase / its length (the phase "
      "ends after --duration s, or once --ingest_lines lines are submitted and flushed).\n\n",
      flags.traces, flags.duration_s, flags.channels, flags.threads, flags.ingest_lines,
      flags.analysis_interval_s, flags.deadline_s, flags.worker_nice, flags.timeline_qps,
      flags.search_qps, flags.events_per_trace, flags.channels * flags.threads, flags.channels,
      options.pipeline.EffectiveThreads(), flags.traces, flags.events_per_trace, fill_lines,
      filled.bytes / 1e6, fill_s, end_stats.traces, end_stats.indexed_events,
      end_stats.index_bytes / 1e6, RssMb(),
      [] {
        rusage u;
        getrusage(RUSAGE_SELF, &u);
        return u.ru_maxrss / 1024;
      }(),
      gen_lines_per_s);
  auto offered = [](const PhaseResult& r) {
    return r.offered_qps > 0 ? absl::StrFormat("%g", r.offered_qps) : std::string("back to back");
  };
  std::printf(
      "| RPC | load | clients | offered QPS | seconds | calls | QPS | p50 ms | p99 ms | p99.9 ms | "
      "max ms | errors | ingest lines/s "
      "|\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const PhaseResult& r : results) {
    std::printf("| %s | %s | %d | %s | %.1f | %" PRIu64
                " | %.0f | %.2f | %.2f | %.2f | %.2f | %" PRIu64 " | %s |\n",
                RpcName(r.rpc), r.load.c_str(), r.clients, offered(r).c_str(), r.seconds, r.calls,
                r.calls / r.seconds, r.p50_ms, r.p99_ms, r.p999_ms, r.max_ms, r.errors,
                r.load == "idle" ? "-" : absl::StrFormat("%.0f", r.ingest_lines_per_s).c_str());
  }
  std::printf(
      "\nerrors: calls that failed, mostly DEADLINE_EXCEEDED (--deadline); their latency is not "
      "in the percentiles. At a fixed offered rate a call's latency counts from its scheduled "
      "start (no coordinated omission); back to back, each client calls as soon as its last "
      "call returned (the clients' capacity: the CPU is saturated).\n");
  if (!skipped.empty()) std::printf("\n%s\n", skipped.c_str());
  std::printf(
      "\n| ingestion | lines/s alone (just before) | lines/s with the queries | ratio |\n"
      "|---|---|---|---|\n");
  std::printf("| first phase, alone | %.0f | - | - |\n", alone.lines_per_second());
  for (const PhaseResult& r : results) {
    if (r.load == "idle") continue;
    std::printf(
        "| with %s, %s | %.0f | %.0f | %.2f |\n", RpcName(r.rpc),
        r.offered_qps > 0 ? absl::StrFormat("%g QPS", r.offered_qps).c_str() : "back to back",
        r.alone_lines_per_s, r.ingest_lines_per_s,
        r.alone_lines_per_s > 0 ? r.ingest_lines_per_s / r.alone_lines_per_s : 0);
  }
  // Calls the clients gave up on may still be running in the server: do not wait for
  // them (nor free gigabytes of index) on the way out.
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(0);
}

}  // namespace
}  // namespace logweave::bench

int main(int argc, char** argv) { return logweave::bench::Main(argc, argv); }
