// The Prometheus metrics of `logweave serve`, served as text at /metrics.
// Computed at each scrape from what `logweave stats` shows (the gRPC
// service's GetStats answer, QueryService::CurrentStats: one source for
// both) and from the runtime's latest analysis; gRPC calls are counted as
// they end (a CallObserver on the gRPC server). Every name is listed in
// docs/operations.md.
//
//   ServeMetrics metrics(runtime.get());
//   ServerOptions server_options{..., .call_observer = &metrics};
//   ... start the gRPC server ...
//   metrics.set_stats([&] { return server->service().CurrentStats(); });
//   metrics.AddRoute(*listener);     // GET /metrics, a read token when tokens are on
#ifndef LOGWEAVE_CONNECTORS_HTTP_METRICS_H_
#define LOGWEAVE_CONNECTORS_HTTP_METRICS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "connectors/grpc/call_interceptor.h"
#include "connectors/http/listener.h"
#include "logweave/runtime.h"
#include "logweave/v1/logweave.pb.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/metric_family.h"
#include "prometheus/registry.h"

namespace logweave {

// Thread-safe: scrapes run on the HTTP listener's threads, OnCall on gRPC's.
class ServeMetrics final : public CallObserver {
 public:
  // The content type of the exposition (Prometheus text format 0.0.4).
  static constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

  // Reads the latest analysis of `runtime` (not owned; must outlive this).
  explicit ServeMetrics(const Runtime* runtime);

  // Where the figures of `logweave stats` come from; until set (or when
  // unset with nullptr) only the analysis and gRPC metrics are exposed. The
  // function must stay callable until it is unset.
  void set_stats(std::function<v1::Stats()> stats);

  // Every metric now, in the text exposition format.
  std::string Exposition() const;
  // The same as metric families (tests, other exposers).
  std::vector<prometheus::MetricFamily> Collect() const;

  // Routes GET /metrics on `listener` to Exposition (a read token when the
  // listener has tokens).
  void AddRoute(HttpListener& listener);

  // CallObserver: counts a finished gRPC call and its duration.
  void OnCall(absl::string_view method, grpc::StatusCode code, absl::Duration duration) override;

 private:
  const Runtime* const runtime_;
  mutable absl::Mutex mu_;
  std::function<v1::Stats()> stats_ ABSL_GUARDED_BY(mu_);
  // What is counted as it happens (gRPC calls); the rest is computed at scrape.
  prometheus::Registry registry_;
  prometheus::Family<prometheus::Counter>& grpc_requests_;
  prometheus::Family<prometheus::Histogram>& grpc_latency_;
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_HTTP_METRICS_H_
