// query_load's clients: --channels x --threads gRPC clients calling one RPC
// back to back or at a fixed rate, and the latency figures of a phase.
#ifndef LOGWEAVE_BENCH_QUERY_LOAD_CLIENTS_H_
#define LOGWEAVE_BENCH_QUERY_LOAD_CLIENTS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "logweave/v1/logweave.grpc.pb.h"

namespace logweave::bench {

// query_load's command line (query_load.cc parses it).
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
  int events_per_trace = 0;  // 0: 3-5 (AppendTrace); >= 5: that many (long traces)
};

// path and threads, so its latency is what transport and scheduling alone
// cost on this machine (the baseline for GetTimeline's).
enum class Rpc { kGetTimeline, kSearchTraces, kTimelineFloor };
const char* RpcName(Rpc r);

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

// Thread-compatible; Run starts and joins its own client threads.
class LoadClients {
 public:
  // --channels channels to `target` (each its own connection); traces [0, existing_traces)
  // exist on the server.
  LoadClients(const std::string& target, const Flags& flags, int64_t existing_traces);

  int clients() const { return flags_.channels * flags_.threads; }

  // Calls `rpc` from every client thread until `until()` says stop: back to
  // back (offered_qps == 0), or at a fixed total rate, each thread on its own
  // schedule; then a call's latency counts from its scheduled start, so a
  // late server also delays (and is charged for) the calls queued behind.
  PhaseResult Run(Rpc rpc, const std::string& load, const std::function<bool()>& until,
                  double offered_qps = 0);

 private:
  const Flags flags_;
  const int64_t existing_traces_;
  std::vector<std::unique_ptr<v1::LogWeave::Stub>> stubs_;
};

}  // namespace logweave::bench

#endif  // LOGWEAVE_BENCH_QUERY_LOAD_CLIENTS_H_
