#include "bench/query_load_clients.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "bench/query_load_traffic.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "logweave/enum_names.h"

namespace logweave::bench {
namespace {

double Percentile(const std::vector<int64_t>& sorted_ns, double q) {
  if (sorted_ns.empty()) return 0;
  size_t i = static_cast<size_t>(q * (sorted_ns.size() - 1) + 0.5);
  return sorted_ns[std::min(i, sorted_ns.size() - 1)] / 1e6;
}

}  // namespace

const char* RpcName(Rpc r) {
  constexpr const char* kNames[] = {"GetTimeline", "SearchTraces", "floor: GetTimeline(\"\")"};
  static_assert(NamesCover(kNames, Rpc::kTimelineFloor), "an RPC without a name");
  return NameOf(kNames, r, "?");
}

LoadClients::LoadClients(const std::string& target, const Flags& flags, int64_t existing_traces)
    : flags_(flags), existing_traces_(existing_traces) {
  for (int c = 0; c < flags.channels; ++c) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // its own connection
    args.SetMaxReceiveMessageSize(64 << 20);
    stubs_.push_back(v1::LogWeave::NewStub(
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args)));
  }
}

PhaseResult LoadClients::Run(Rpc rpc, const std::string& load, const std::function<bool()>& until,
                             double offered_qps) {
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

}  // namespace logweave::bench
