// logweave.v1.LogWeave: the query API over a runtime's index and its latest
// analysis. Implements the generated service; owned by LogweaveServer.
#ifndef LOGWEAVE_CONNECTORS_GRPC_QUERY_SERVICE_H_
#define LOGWEAVE_CONNECTORS_GRPC_QUERY_SERVICE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "connectors/actions/dispatcher.h"
#include "connectors/grpc/convert.h"
#include "connectors/grpc/peers/peer_set.h"
#include "connectors/grpc/security/token_store.h"
#include "connectors/grpc/wire_text.h"
#include "logweave/runtime.h"
#include "logweave/v1/logweave.grpc.pb.h"

namespace logweave {

// Thread-safe: gRPC calls its methods from many threads. GetTimeline and
// GetStats, short and the most frequent, use the callback API (answered on
// gRPC's own threads, without a hand-off to a sync worker thread); the
// others, which may scan for longer or stream, stay on sync worker threads so
// that they never hold up gRPC's polling.
class QueryService final : public v1::LogWeave::WithCallbackMethod_GetTimeline<
                               v1::LogWeave::WithCallbackMethod_GetStats<v1::LogWeave::Service>> {
 public:
  // Answers from `runtime`'s index and latest analysis; the runtime must
  // outlive the service.
  explicit QueryService(Runtime* runtime);

  void set_ready(bool ready);
  // The longest SearchTraces may scan, whatever its client's deadline (or
  // none): then DEADLINE_EXCEEDED. Call before serving.
  void set_max_call_time(absl::Duration limit) { max_call_time_ = limit; }
  // From now on every call needs a token of `tokens` (owned by the caller,
  // which keeps it alive as long as the service). Call before serving.
  void set_tokens(const TokenStore* tokens) { tokens_ = tokens; }
  // From now on every call (except one from a peer) is answered by this
  // instance and its peers together (connectors/grpc/peers); null: alone.
  // Not owned; must outlive the service. Call before serving.
  void set_peers(PeerSet* peers) { peers_ = peers; }
  // Ends open StreamFindings calls (server shutdown); later ones end at once.
  void Close();
  // Adds a source's own counters (Kafka lag...) to every GetStats answer.
  void set_stats_extender(std::function<void(v1::Stats*)> extender);
  // The actions whose runs ListActions answers and GetStats counts; null:
  // none. Not owned; must outlive the service or be unset first.
  void set_actions(const actions::ActionDispatcher* actions);
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
  grpc::Status ListActions(grpc::ServerContext* context, const v1::ListActionsRequest* request,
                           v1::ListActionsResponse* response) override;
  // In query_lookup.cc.
  grpc::Status LookupTraces(grpc::ServerContext* context, const v1::LookupTracesRequest* request,
                            v1::LookupTracesResponse* response) override;

  static constexpr uint32_t kDefaultPageSize = 50;
  static constexpr uint32_t kMaxPageSize = 1000;  // larger page sizes are clamped to it
  // Longer trace ids and search strings (text, service, finding kind) are
  // INVALID_ARGUMENT: nothing stored is that long, and a scan with one costs.
  static constexpr size_t kMaxTraceIdBytes = 1024;
  static constexpr size_t kMaxSearchTextBytes = 4096;
  // Trace ids per LookupTraces call; more are INVALID_ARGUMENT.
  static constexpr size_t kMaxLookupIds = 10000;
  // StreamFindings calls open at once; more are RESOURCE_EXHAUSTED.
  static constexpr int kMaxSubscribers = 64;
  // Trailing metadata of a StreamFindings call that skipped findings the
  // server no longer held (a reader slower than the findings): how many.
  static constexpr char kDroppedTrailer[] = "logweave-findings-dropped";
  // Trailing metadata of a StreamFindings call with peers: those whose
  // findings stream could not be opened or broke off (host:port, comma-separated).
  static constexpr char kUnreachablePeersTrailer[] = "logweave-unreachable-peers";

  // Findings StreamFindings calls skipped since the start (GetStats).
  uint64_t stream_findings_dropped() const;

  // What GetStats answers now, without its token check: the one source of
  // the figures that the metrics endpoint (connectors/http) exposes.
  v1::Stats CurrentStats();

 private:
  // OK if the call may go on: no tokens are asked for, or its
  // authorization metadata holds one that allows `needed`.
  grpc::Status Authorize(const grpc::ServerContextBase& context, TokenScope needed) const;
  grpc::Status AnswerTimeline(const v1::GetTimelineRequest& request,
                              v1::GetTimelineResponse* response);
  grpc::Status AnswerStats(v1::Stats* response);
  grpc::Status SearchLocal(grpc::ServerContext* context, const v1::SearchTracesRequest* request,
                           v1::SearchTracesResponse* response);
  grpc::Status ListUnstructuredLocal(const v1::ListUnstructuredRequest* request,
                                     v1::ListUnstructuredResponse* response);
  // True if the call is answered from this instance alone: there are no
  // peers, or the call comes from one (it is then told this instance's id).
  bool LocalOnly(grpc::ServerContextBase* context) const;
  // The first step of a read call that peers may answer too: authorizes it
  // and, if this instance answers alone (LocalOnly), finishes `reactor` with
  // `answer()` (or the refusal). True if the call is then finished.
  bool AnsweredAlone(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                     const std::function<grpc::Status()>& answer);

  // What the calls read, all of it the runtime's.
  std::shared_ptr<const AnalysisSnapshot> snapshot() const { return runtime_->snapshot(); }
  const Pipeline& pipeline() const { return runtime_->pipeline(); }
  FindingsHub& hub() const { return runtime_->findings(); }
  bool closed() const { return closed_.load(std::memory_order_acquire); }

  Runtime* const runtime_;
  const TokenStore* tokens_ = nullptr;  // not owned; null: open
  PeerSet* peers_ = nullptr;            // not owned; null: no peers
  absl::Duration max_call_time_ = absl::Seconds(60);
  const absl::Time started_;
  // Every string set in an answer passes through text_.Utf8.
  WireText text_;
  std::atomic<bool> closed_{false};  // Close() was called: streams end
  mutable absl::Mutex mu_;
  bool ready_ ABSL_GUARDED_BY(mu_) = false;
  int subscribers_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t stream_findings_dropped_ ABSL_GUARDED_BY(mu_) = 0;
  std::function<void(v1::Stats*)> stats_extender_ ABSL_GUARDED_BY(mu_);
  const actions::ActionDispatcher* actions_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_QUERY_SERVICE_H_
