// The cost of answering as one (serve --peers, issue 23): GetTimeline and
// SearchTraces latency through an instance that asks its peer, against one
// instance holding all the data alone; and ingestion per instance when two
// instances share the machine.
//
//   peer_fanout [--traces=200000] [--calls=3000] [--search_calls=200]
//               [--ingest_lines=2000000] [--threads=2]
//
// 1. Fill: instance A gets traces [0, N), instance B traces [N, 2N) (the
//    documented setup: each trace whole on one instance), and a local
//    instance L all 2N (query_load's generator: 3-5 events across four
//    services, 0.1% with a payments ERROR). Each is a Runtime with a
//    LogweaveServer on 127.0.0.1:0; A's server has B as its peer.
// 2. Latency: one client calls back to back, one call at a time: GetTimeline
//    of a random trace of [0, 2N) (through A: A's own lines plus B's answer,
//    merged; half the traces are B's), SearchTraces service=payments
//    min_level=ERROR page_size=50 (through A: both instances' pages merged).
//    Through A and through L, alternating blocks of calls so that both see
//    the same machine state.
// 3. Ingest: --ingest_lines more lines into one instance alone, then the same
//    into A and B at once (two ingest threads): lines/s of each.
// Prints Markdown tables (bench/RESULTS.md, "Scale-out (issue 23)").
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "bench/query_load_traffic.h"
#include "connectors/grpc/peers/peer_set.h"
#include "connectors/grpc/server.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "logweave/runtime.h"
#include "logweave/v1/logweave.grpc.pb.h"
#include "tools/flags/flags.h"

namespace logweave::bench {
namespace {

// The command line (ParseFlags): sizes of the run, each > 0 where it counts.
struct Flags {
  uint64_t traces = 200000;  // per instance
  uint64_t calls = 3000;     // GetTimeline calls through each way of asking
  // SearchTraces calls through each way of asking.
  uint64_t search_calls = 200;
  uint64_t ingest_lines = 2000000;  // per instance, for the ingestion figure
  uint64_t threads = 2;             // pipeline threads per instance
};

// One instance: its runtime and server.
struct Instance {
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<LogweaveServer> server;
  std::unique_ptr<PeerSet> peers;
};

Instance Start(uint32_t threads) {
  RuntimeOptions options;
  options.pipeline.threads = threads;
  Instance i;
  i.runtime = std::move(*Runtime::Create(options));
  ServerOptions server;
  server.address = "127.0.0.1:0";
  i.server = std::move(*LogweaveServer::Start(server, i.runtime.get()));
  i.server->SetReady(true);
  return i;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// Milliseconds of each call of `call` (one at a time), `calls` through each
// stub in alternating blocks (of 100, or a tenth of the calls if fewer);
// out[0] is `a`'s, out[1] `b`'s.
template <typename Call>
void Measure(uint64_t calls, v1::LogWeave::Stub* a, v1::LogWeave::Stub* b, Call call,
             std::vector<double> out[2]) {
  std::mt19937_64 random(1);
  v1::LogWeave::Stub* stubs[2] = {a, b};
  const uint64_t block = std::max<uint64_t>(1, std::min<uint64_t>(100, calls / 10));
  for (uint64_t done = 0; done < 2 * calls; ++done) {
    const int which = (done / block) % 2;
    const Clock::time_point start = Clock::now();
    if (!call(stubs[which], random)) {
      std::fprintf(stderr, "call failed\n");
      continue;
    }
    out[which].push_back(Seconds(Clock::now() - start) * 1e3);
  }
}

int Run(const Flags& f) {
  const auto threads = static_cast<uint32_t>(f.threads);
  const auto n = static_cast<int64_t>(f.traces);
  Instance a = Start(threads), b = Start(threads), local = Start(threads);
  Generator gen_a(&a.runtime->pipeline(), 0), gen_b(&b.runtime->pipeline(), n);
  Generator gen_local(&local.runtime->pipeline(), 0);
  gen_a.Submit(n);
  gen_b.Submit(n);
  gen_local.Submit(2 * n);
  for (Instance* i : {&a, &b, &local}) i->runtime->pipeline().Flush();
  PeerOptions peer_options;
  peer_options.peers = {b.server->address()};
  a.peers = std::move(*PeerSet::Create(peer_options, a.server->address(), {}));
  a.server->service().set_peers(a.peers.get());
  std::printf("fill: %" PRId64 " traces on A, %" PRId64 " on B, %" PRId64 " on L (%" PRIu64
              " lines); RSS %ld MB\n\n",
              n, n, 2 * n, local.runtime->pipeline().Stats().lines, RssMb());

  auto stub = [](const Instance& i) {
    return v1::LogWeave::NewStub(
        grpc::CreateChannel(i.server->address(), grpc::InsecureChannelCredentials()));
  };
  auto via_a = stub(a), via_local = stub(local);
  std::vector<double> timeline[2], search[2];
  Measure(
      f.calls, via_a.get(), via_local.get(),
      [n](v1::LogWeave::Stub* s, std::mt19937_64& random) {
        grpc::ClientContext context;
        v1::GetTimelineRequest request;
        request.set_trace_id(TraceId(static_cast<int64_t>(random() % (2 * n))));
        v1::GetTimelineResponse response;
        return s->GetTimeline(&context, request, &response).ok() && response.events_size() > 0 &&
               !response.partial();
      },
      timeline);
  Measure(
      f.search_calls, via_a.get(), via_local.get(),
      [](v1::LogWeave::Stub* s, std::mt19937_64&) {
        grpc::ClientContext context;
        v1::SearchTracesRequest request;
        request.set_service("payments");
        request.set_min_level(v1::LEVEL_ERROR);
        request.set_page_size(50);
        v1::SearchTracesResponse response;
        return s->SearchTraces(&context, request, &response).ok() && response.traces_size() > 0 &&
               !response.partial();
      },
      search);
  std::printf("| RPC | through | calls | p50 ms | p99 ms |\n|---|---|---|---|---|\n");
  const char* names[2] = {"A, asking its peer B", "L alone (all the data)"};
  for (int k = 0; k < 2; ++k) {
    std::printf("| GetTimeline | %s | %zu | %.2f | %.2f |\n", names[k], timeline[k].size(),
                Percentile(timeline[k], 0.5), Percentile(timeline[k], 0.99));
  }
  for (int k = 0; k < 2; ++k) {
    std::printf("| SearchTraces | %s | %zu | %.2f | %.2f |\n", names[k], search[k].size(),
                Percentile(search[k], 0.5), Percentile(search[k], 0.99));
  }

  // Ingest: one instance alone, then two at once.
  const auto max_lines = static_cast<int64_t>(f.ingest_lines);
  Ingestor alone(&local.runtime->pipeline(), &gen_local, max_lines, 0);
  alone.Start();
  while (!alone.capped()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  alone.Measure();
  alone.StopAndJoin();
  Ingestor on_a(&a.runtime->pipeline(), &gen_a, max_lines, 0);
  Ingestor on_b(&b.runtime->pipeline(), &gen_b, max_lines, 0);
  on_a.Start();
  on_b.Start();
  while (!on_a.capped() || !on_b.capped()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (on_a.capped() && on_a.seconds() == 0) on_a.Measure();
    if (on_b.capped() && on_b.seconds() == 0) on_b.Measure();
  }
  if (on_a.seconds() == 0) on_a.Measure();
  if (on_b.seconds() == 0) on_b.Measure();
  on_a.StopAndJoin();
  on_b.StopAndJoin();
  std::printf("\n| ingest | lines | seconds | lines/s |\n|---|---|---|---|\n");
  std::printf("| one instance alone | %" PRId64 " | %.2f | %.0f |\n", alone.lines(),
              alone.seconds(), alone.lines_per_second());
  std::printf("| A, while B ingests | %" PRId64 " | %.2f | %.0f |\n", on_a.lines(), on_a.seconds(),
              on_a.lines_per_second());
  std::printf("| B, while A ingests | %" PRId64 " | %.2f | %.0f |\n", on_b.lines(), on_b.seconds(),
              on_b.lines_per_second());
  a.server->service().set_peers(nullptr);
  return 0;
}

int ParseFlags(int argc, char** argv, Flags* f) {
  cli::FlagSet flags("peer_fanout", "[flags]",
                     "GetTimeline and SearchTraces latency through an instance asking its peer\n"
                     "vs one instance with all the data; ingestion per instance with two\n"
                     "instances (see bench/RESULTS.md, Scale-out).");
  flags.Uint("traces", &f->traces, "N", "traces per instance (default 200000)");
  flags.Uint("calls", &f->calls, "N", "GetTimeline calls through each (default 3000)");
  flags.Uint("search_calls", &f->search_calls, "N",
             "SearchTraces calls through each (default 200)");
  flags.Uint("ingest_lines", &f->ingest_lines, "N",
             "lines per instance to ingest (default 2000000)");
  flags.Uint("threads", &f->threads, "N", "pipeline threads per instance (default 2)");
  std::vector<std::string> rest;
  if (int code = flags.ParseMain(argc, argv, &rest); code >= 0) return code;
  if (f->traces == 0 || f->threads == 0) {
    std::fprintf(stderr, "peer_fanout: --traces and --threads must be positive\n");
    return 2;
  }
  return -1;
}

}  // namespace
}  // namespace logweave::bench

int main(int argc, char** argv) {
  logweave::bench::Flags flags;
  if (int code = logweave::bench::ParseFlags(argc, argv, &flags); code >= 0) return code;
  return logweave::bench::Run(flags);
}
