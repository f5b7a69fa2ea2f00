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
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/server.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "logweave/pipeline.h"
#include "logweave/runtime.h"
#include "logweave/thread_priority.h"
#include "logweave/v1/logweave.grpc.pb.h"

namespace logweave {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct Flags {
  int64_t traces = 1'000'000;
  double duration_s = 10;
  int channels = 8;
  int threads = 4;  // per channel
  int64_t ingest_lines = 3'000'000;
  double analysis_interval_s = 0;  // 0: off
  double deadline_s = 60;          // per call
  bool force_concurrent_search = false;
  bool skip_search = false;  // only the GetTimeline (and floor) phases
  uint64_t seed = 1;
  double timeline_qps = 2000;  // offered rate of the fixed-rate phases
  int worker_nice = 0;         // PipelineOptions::worker_nice; also the ingest thread's
  double search_qps = 20;
};

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&a](const char* name) -> const char* {
      size_t n = std::strlen(name);
      return a.compare(0, n, name) == 0 && a.size() > n && a[n] == '=' ? a.c_str() + n + 1
                                                                       : nullptr;
    };
    const char* v;
    bool ok = true;
    if ((v = value("--traces"))) {
      ok = absl::SimpleAtoi(v, &f->traces) && f->traces > 0;
    } else if ((v = value("--duration"))) {
      ok = absl::SimpleAtod(v, &f->duration_s) && f->duration_s > 0;
    } else if ((v = value("--channels"))) {
      ok = absl::SimpleAtoi(v, &f->channels) && f->channels > 0;
    } else if ((v = value("--threads"))) {
      ok = absl::SimpleAtoi(v, &f->threads) && f->threads > 0;
    } else if ((v = value("--ingest_lines"))) {
      ok = absl::SimpleAtoi(v, &f->ingest_lines) && f->ingest_lines > 0;
    } else if ((v = value("--analysis_interval"))) {
      ok = absl::SimpleAtod(v, &f->analysis_interval_s) && f->analysis_interval_s >= 0;
    } else if ((v = value("--deadline"))) {
      ok = absl::SimpleAtod(v, &f->deadline_s) && f->deadline_s > 0;
    } else if (a == "--force_concurrent_search") {
      f->force_concurrent_search = true;
    } else if (a == "--skip_search") {
      f->skip_search = true;
    } else if ((v = value("--seed"))) {
      ok = absl::SimpleAtoi(v, &f->seed);
    } else if ((v = value("--worker_nice"))) {
      ok = absl::SimpleAtoi(v, &f->worker_nice) && f->worker_nice >= 0 && f->worker_nice <= 19;
    } else if ((v = value("--timeline_qps"))) {
      ok = absl::SimpleAtod(v, &f->timeline_qps) && f->timeline_qps > 0;
    } else if ((v = value("--search_qps"))) {
      ok = absl::SimpleAtod(v, &f->search_qps) && f->search_qps > 0;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(
          stderr,
          "query_load: bad flag \"%s\"\nusage: query_load [--traces=N] "
          "[--duration=SECONDS] [--channels=N] [--threads=N_PER_CHANNEL] "
          "[--ingest_lines=N] [--analysis_interval=SECONDS (0 = off)] "
          "[--deadline=SECONDS_PER_CALL] [--force_concurrent_search] [--skip_search] [--seed=N] "
          "[--timeline_qps=RATE] [--search_qps=RATE]\n",
          a.c_str());
      return false;
    }
  }
  return true;
}

// --- Generated traffic -------------------------------------------------------

// Trace i: a 128-bit-looking hex id, unique per i.
std::string TraceId(int64_t i) {
  uint64_t x = static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
  x ^= x >> 29;
  return absl::StrFormat("%016x%016x", x, static_cast<uint64_t>(i));
}

constexpr int64_t kBaseMs = 1795392000000;  // 2026-11-23T00:00:00Z
constexpr char kDay[] = "2026-11-23T";

// "2026-11-23THH:MM:SS.mmm" for kBaseMs + ms (ms < 1 day).
void AppendIsoTime(std::string* out, int64_t ms) {
  int64_t s = ms / 1000;
  absl::StrAppend(out, kDay);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d", static_cast<int>(s / 3600 % 24),
                static_cast<int>(s / 60 % 60), static_cast<int>(s % 60),
                static_cast<int>(ms % 1000));
  out->append(buf);
}

enum Service { kGateway = 0, kCheckout, kPayments, kLedger, kServices };
const char* const kSourceNames[kServices] = {"gen/gateway.log", "gen/checkout.log",
                                             "gen/payments.log", "gen/ledger.log"};

// Appends the lines of trace i to the per-service batches. A trace has 3-5
// events: gateway received, checkout, [payments], [ledger], gateway completed.
// Returns the number of lines.
int AppendTrace(int64_t i, RawBatch* batches, uint64_t* line_nos, uint64_t* offsets) {
  const std::string id = TraceId(i);
  const int64_t ms = i;  // one trace per millisecond of event time
  const int events = 3 + static_cast<int>(i % 3);
  const bool declined = i % 1000 == 7;
  std::string line;
  auto add = [&](Service s) {
    batches[s].AddLine(line, offsets[s], ++line_nos[s]);
    offsets[s] += line.size() + 1;
    line.clear();
  };
  auto gateway = [&](int64_t t, const char* msg) {
    int64_t abs_ms = kBaseMs + t;
    absl::StrAppend(&line, R"({"level":"info","ts":)", abs_ms / 1000, ".",
                    absl::Dec(abs_ms % 1000, absl::kZeroPad3),
                    R"(,"caller":"gw/handler.go:88","msg":")", msg, R"(","trace_id":")", id,
                    R"(","route":"POST /checkout"})");
    add(kGateway);
  };
  gateway(ms, "request received");
  absl::StrAppend(&line, R"({"timestamp":")");
  AppendIsoTime(&line, ms + 1);
  absl::StrAppend(&line,
                  R"(Z","levelname":"INFO","name":"checkout.api","message":"order_created",)",
                  R"("trace_id":")", id, R"(","service":"checkout"})");
  add(kCheckout);
  if (events >= 4) {
    absl::StrAppend(&line, R"({"@timestamp":")");
    AppendIsoTime(&line, ms + 2);
    absl::StrAppend(&line, R"(+00:00","log.level":")", declined ? "ERROR" : "INFO",
                    R"(","service.name":"payments","message":")",
                    declined ? "payment_declined" : "payment_authorized", R"(","trace.id":")", id,
                    R"("})");
    add(kPayments);
  }
  if (events >= 5) {
    absl::StrAppend(&line, R"({"level":30,"time":)", kBaseMs + ms + 3,
                    R"(,"pid":4242,"hostname":"ledger-7d9f","service":"ledger","traceId":")", id,
                    R"(","msg":"entry_written"})");
    add(kLedger);
  }
  gateway(ms + 4, "request completed");
  return events;
}

// Generates traces [next, ...) into the pipeline's four sources. Thread-compatible.
class Generator {
 public:
  Generator(Pipeline* pipeline, int64_t first_trace) : pipeline_(pipeline), next_(first_trace) {
    for (int s = 0; s < kServices; ++s) source_ids_[s] = pipeline->AddSource(kSourceNames[s]);
  }
  // Submits `traces` more traces in batches of up to 1024 traces; returns lines.
  // Blocks while the pipeline is full.
  int64_t Submit(int64_t traces) {
    int64_t lines = 0;
    while (traces > 0) {
      const int64_t n = std::min<int64_t>(traces, 1024);
      RawBatch batches[kServices];
      for (int s = 0; s < kServices; ++s) batches[s].source_id = source_ids_[s];
      for (int64_t k = 0; k < n; ++k) lines += AppendTrace(next_++, batches, line_nos_, offsets_);
      for (auto& b : batches) {
        if (b.size() > 0) pipeline_->Submit(std::move(b));
      }
      traces -= n;
    }
    return lines;
  }
  int64_t next() const { return next_; }

 private:
  Pipeline* pipeline_;
  int64_t next_;
  uint32_t source_ids_[kServices] = {};
  uint64_t line_nos_[kServices] = {};
  uint64_t offsets_[kServices] = {};
};

// --- Measurement ---------------------------------------------------------------

long RssMb() {
  std::ifstream in("/proc/self/statm");
  long pages_total = 0, pages_rss = 0;
  in >> pages_total >> pages_rss;
  return pages_rss * sysconf(_SC_PAGESIZE) / (1 << 20);
}

// The ingest thread: submits new traces at full speed until Stop() or until
// it has submitted `max_lines` lines, which it then flushes (capped()). The
// measurement is taken by whoever ends the phase (Measure()): lines indexed
// since Start(), over the time since Start(), so a Submit() blocked by
// backpressure cannot stretch it. Stop() then Join() drains the pipeline.
class Ingestor {
 public:
  Ingestor(Pipeline* pipeline, Generator* gen, int64_t max_lines, int nice)
      : pipeline_(pipeline), gen_(gen), max_lines_(max_lines), nice_(nice) {}

  void Start() {
    base_events_ = pipeline_->Stats().indexed_events;
    start_ = Clock::now();
    thread_ = std::thread([this] {
      if (nice_ > 0) LowerThisThreadsPriority(nice_).IgnoreError();  // it plays a source
      int64_t submitted = 0;
      while (submitted < max_lines_ && !stop_.load()) submitted += gen_->Submit(1024);
      if (submitted >= max_lines_) {
        pipeline_->Flush();
        capped_.store(true);
      }
    });
  }
  // The cap was reached and everything submitted is indexed.
  bool capped() const { return capped_.load(); }
  // Lines indexed since Start() and the seconds since Start().
  void Measure() {
    lines_ = static_cast<int64_t>(pipeline_->Stats().indexed_events - base_events_);
    seconds_ = Seconds(Clock::now() - start_);
  }
  void StopAndJoin() {
    stop_.store(true);
    thread_.join();
    pipeline_->Flush();
  }
  int64_t lines() const { return lines_; }
  double seconds() const { return seconds_; }
  double lines_per_second() const { return seconds_ > 0 ? lines_ / seconds_ : 0; }

 private:
  Pipeline* pipeline_;
  Generator* gen_;
  const int64_t max_lines_;
  const int nice_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> capped_{false};
  uint64_t base_events_ = 0;
  Clock::time_point start_;
  int64_t lines_ = 0;
  double seconds_ = 0;
};

// kTimelineFloor: GetTimeline with an empty trace id, which the server answers
// INVALID_ARGUMENT without touching the index: the same stub, channel, server
// path and threads, so its latency is what transport and scheduling alone
// cost on this machine (the baseline for GetTimeline's).
enum class Rpc { kGetTimeline, kSearchTraces, kTimelineFloor };
const char* RpcName(Rpc r) {
  switch (r) {
    case Rpc::kGetTimeline:
      return "GetTimeline";
    case Rpc::kSearchTraces:
      return "SearchTraces";
    case Rpc::kTimelineFloor:
      return "floor: GetTimeline(\"\")";
  }
  return "?";
}

struct PhaseResult {
  std::string load;  // "idle" or "ingesting"
  Rpc rpc;
  int clients = 0;
  double offered_qps = 0;  // 0: closed loop (each client calls back to back)
  uint64_t calls = 0;
  uint64_t errors = 0;
  double seconds = 0;
  double p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
  double ingest_lines_per_s = 0;  // during the phase; 0 when idle
  int64_t ingest_lines = 0;
  double alone_lines_per_s = 0;  // ingestion without queries, just before the phase
};

double Percentile(const std::vector<int64_t>& sorted_ns, double q) {
  if (sorted_ns.empty()) return 0;
  size_t i = static_cast<size_t>(q * (sorted_ns.size() - 1) + 0.5);
  return sorted_ns[std::min(i, sorted_ns.size() - 1)] / 1e6;
}

class LoadClients {
 public:
  LoadClients(const std::string& target, const Flags& flags, int64_t existing_traces)
      : flags_(flags), existing_traces_(existing_traces) {
    for (int c = 0; c < flags.channels; ++c) {
      grpc::ChannelArguments args;
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // its own connection
      args.SetMaxReceiveMessageSize(64 << 20);
      stubs_.push_back(v1::LogWeave::NewStub(
          grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args)));
    }
  }

  int clients() const { return flags_.channels * flags_.threads; }

  // Calls `rpc` from every client thread until `until()` says stop: back to
  // back (offered_qps == 0), or at a fixed total rate, each thread on its own
  // schedule; then a call's latency counts from its scheduled start, so a
  // late server also delays (and is charged for) the calls queued behind.
  PhaseResult Run(Rpc rpc, const std::string& load, const std::function<bool()>& until,
                  double offered_qps = 0) {
    const int n = flags_.channels * flags_.threads;
    std::vector<std::vector<int64_t>> latencies(n);
    std::vector<uint64_t> errors(n, 0);
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    const Clock::time_point start = Clock::now();
    for (int t = 0; t < n; ++t) {
      threads.emplace_back([&, t] {
        v1::LogWeave::Stub* stub = stubs_[t % stubs_.size()].get();
        std::mt19937_64 rng(flags_.seed * 1000 + t);
        std::uniform_int_distribution<int64_t> pick(0, existing_traces_ - 1);
        latencies[t].reserve(1 << 16);
        const auto interval = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(offered_qps > 0 ? n / offered_qps : 0));
        Clock::time_point next = start + interval * t / n;
        while (!stop.load(std::memory_order_relaxed)) {
          if (offered_qps > 0) {
            std::this_thread::sleep_until(next);
            if (stop.load(std::memory_order_relaxed)) break;
          }
          grpc::ClientContext context;
          context.set_deadline(
              std::chrono::system_clock::now() +
              std::chrono::milliseconds(static_cast<int64_t>(flags_.deadline_s * 1000)));
          const Clock::time_point t0 = offered_qps > 0 ? next : Clock::now();
          next += interval;
          grpc::Status s;
          if (rpc == Rpc::kGetTimeline) {
            v1::GetTimelineRequest request;
            request.set_trace_id(TraceId(pick(rng)));
            v1::GetTimelineResponse response;
            s = stub->GetTimeline(&context, request, &response);
            if (s.ok() && response.events_size() < 3) s = grpc::Status(grpc::UNKNOWN, "short");
          } else if (rpc == Rpc::kTimelineFloor) {
            v1::GetTimelineRequest request;  // no trace id: rejected before any index work
            v1::GetTimelineResponse response;
            s = stub->GetTimeline(&context, request, &response);
            s = s.error_code() == grpc::INVALID_ARGUMENT
                    ? grpc::Status::OK
                    : grpc::Status(grpc::UNKNOWN, "not rejected");
          } else {
            v1::SearchTracesRequest request;
            request.set_service("payments");
            request.set_min_level(v1::LEVEL_ERROR);
            request.set_page_size(50);
            v1::SearchTracesResponse response;
            s = stub->SearchTraces(&context, request, &response);
          }
          const int64_t ns =
              std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
          if (s.ok()) {
            latencies[t].push_back(ns);
          } else {
            ++errors[t];
          }
        }
      });
    }
    while (!until()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stop.store(true);
    for (auto& th : threads) th.join();
    PhaseResult r;
    r.load = load;
    r.rpc = rpc;
    r.clients = n;
    r.offered_qps = offered_qps;
    r.seconds = Seconds(Clock::now() - start);
    std::vector<int64_t> all;
    for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
    for (uint64_t e : errors) r.errors += e;
    std::sort(all.begin(), all.end());
    r.calls = all.size();
    r.p50_ms = Percentile(all, 0.50);
    r.p99_ms = Percentile(all, 0.99);
    r.p999_ms = Percentile(all, 0.999);
    r.max_ms = all.empty() ? 0 : all.back() / 1e6;
    return r;
  }

 private:
  const Flags flags_;
  const int64_t existing_traces_;
  std::vector<std::unique_ptr<v1::LogWeave::Stub>> stubs_;
};

int Main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) return 2;
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
  Generator gen(pipeline, 0);

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
      " --analysis_interval=%g --deadline=%g --worker_nice=%d --timeline_qps=%g --search_qps=%g`; "
      "in-process server on 127.0.0.1, %d client threads "
      "over %d "
      "channels, pipeline threads = %u.\n"
      "Fill: %" PRId64 " traces, %" PRId64 " lines in %.1f s; at the end %" PRIu64
      " traces, %" PRIu64
      " events, index %.0f MB, RSS %ld MB, peak RSS %ld MB. Line generator alone: %.0f lines/s.\n"
      "GetTimeline: a random trace of the fill. SearchTraces: service=payments, min_level=ERROR, "
      "page_size=50 (0.1%% of traces match). \"ingesting\": while one thread submits new traces "
      "at full speed; ingest lines/s = events indexed during the phase / its length (the phase "
      "ends after --duration s, or once --ingest_lines lines are submitted and flushed).\n\n",
      flags.traces, flags.duration_s, flags.channels, flags.threads, flags.ingest_lines,
      flags.analysis_interval_s, flags.deadline_s, flags.worker_nice, flags.timeline_qps,
      flags.search_qps, flags.channels * flags.threads, flags.channels,
      options.pipeline.EffectiveThreads(), flags.traces, fill_lines, fill_s, end_stats.traces,
      end_stats.indexed_events, end_stats.index_bytes / 1e6, RssMb(),
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
}  // namespace logweave

int main(int argc, char** argv) { return logweave::Main(argc, argv); }
