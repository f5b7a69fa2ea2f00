// logweave.v1.LogWeave: the query API over a running pipeline and the latest
// analysis. Implements the generated service; owned by LogweaveServer.
#ifndef LOGWEAVE_CONNECTORS_GRPC_QUERY_SERVICE_H_
#define LOGWEAVE_CONNECTORS_GRPC_QUERY_SERVICE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "connectors/grpc/convert.h"
#include "connectors/grpc/findings_hub.h"
#include "connectors/grpc/wire_text.h"
#include "logweave/analyzer.h"
#include "logweave/pipeline.h"
#include "logweave/v1/logweave.grpc.pb.h"

namespace logweave {

// The latest analysis, indexed for queries. Immutable once published.
struct AnalysisSnapshot {
  AnalysisReport report;
  absl::flat_hash_map<std::string, std::vector<size_t>> findings_by_trace;      // open findings
  absl::flat_hash_map<std::string, std::vector<size_t>> unstructured_by_trace;  // attributed

  static std::shared_ptr<const AnalysisSnapshot> Make(AnalysisReport report);
};

// Thread-safe: gRPC calls its methods from many threads. GetTimeline and
// GetStats, short and the most frequent, use the callback API (answered on
// gRPC's own threads, without a hand-off to a sync worker thread); the
// others, which may scan for longer or stream, stay on sync worker threads so
// that they never hold up gRPC's polling.
class QueryService final : public v1::LogWeave::WithCallbackMethod_GetTimeline<
                               v1::LogWeave::WithCallbackMethod_GetStats<v1::LogWeave::Service>> {
 public:
  // `pipeline` and `hub` must outlive the service.
  QueryService(const Pipeline* pipeline, FindingsHub* hub);

  // Replaces the analysis that queries see.
  void Publish(std::shared_ptr<const AnalysisSnapshot> snapshot);
  std::shared_ptr<const AnalysisSnapshot> snapshot() const;
  void set_ready(bool ready);
  // Adds a source's own counters (Kafka lag...) to every GetStats answer.
  void set_stats_extender(std::function<void(v1::Stats*)> extender);
  // Strings repaired to valid UTF-8 before they were sent (GetStats.utf8_repaired_strings).
  uint64_t utf8_repaired_strings() const { return text_.repaired(); }

  grpc::ServerUnaryReactor* GetTimeline(grpc::CallbackServerContext* context,
                                        const v1::GetTimelineRequest* request,
                                        v1::GetTimelineResponse* response) override;
  grpc::Status SearchTraces(grpc::ServerContext* context, const v1::SearchTracesRequest* request,
                            v1::SearchTracesResponse* response) override;
  grpc::Status ListUnstructured(grpc::ServerContext* context,
                                const v1::ListUnstructuredRequest* request,
                                v1::ListUnstructuredResponse* response) override;
  grpc::Status StreamFindings(grpc::ServerContext* context,
                              const v1::StreamFindingsRequest* request,
                              grpc::ServerWriter<v1::Finding>* writer) override;
  grpc::ServerUnaryReactor* GetStats(grpc::CallbackServerContext* context,
                                     const v1::GetStatsRequest* request,
                                     v1::Stats* response) override;

  static constexpr uint32_t kDefaultPageSize = 50;
  static constexpr uint32_t kMaxPageSize = 1000;

 private:
  grpc::Status AnswerTimeline(const v1::GetTimelineRequest& request,
                              v1::GetTimelineResponse* response);
  grpc::Status AnswerStats(v1::Stats* response);

  const Pipeline* pipeline_;
  FindingsHub* hub_;
  const absl::Time started_;
  // Every string set in an answer passes through text_.Utf8.
  WireText text_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const AnalysisSnapshot> snapshot_ ABSL_GUARDED_BY(mu_);
  bool ready_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void(v1::Stats*)> stats_extender_ ABSL_GUARDED_BY(mu_);
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_QUERY_SERVICE_H_
