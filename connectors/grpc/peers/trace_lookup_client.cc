#include "connectors/grpc/peers/trace_lookup_client.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/time/clock.h"
#include "connectors/grpc/peers/fan_out.h"

namespace logweave {

TraceLookupAnswer PeerTraceLookup::Lookup(const std::vector<std::string>& trace_ids) {
  TraceLookupAnswer out;
  std::map<std::string, std::vector<std::string>> held;
  // No caller: the peer token is the credentials; one deadline for every call.
  PeerCaller caller;
  caller.deadline = absl::Now() + peers_->timeout();
  for (size_t next = 0; next < trace_ids.size();) {
    v1::LookupTracesRequest request;
    size_t bytes = 0;
    for (; next < trace_ids.size() && request.trace_ids_size() < static_cast<int>(kMaxIdsPerCall) &&
           (bytes == 0 || bytes + trace_ids[next].size() <= kMaxBytesPerCall);
         ++next) {
      bytes += trace_ids[next].size();
      request.add_trace_ids(trace_ids[next]);
    }
    PeerAnswers<v1::LookupTracesResponse> answers = FanOutAndWait<v1::LookupTracesResponse>(
        *peers_, caller, request,
        [](v1::LogWeave::Stub* stub, grpc::ClientContext* c, const v1::LookupTracesRequest* req,
           v1::LookupTracesResponse* resp, std::function<void(grpc::Status)> done) {
          stub->async()->LookupTraces(c, req, resp, std::move(done));
        });
    if (!answers.unreachable.empty()) out.complete = false;
    for (auto& a : answers.answered) {
      if (!a.response.ready()) out.complete = false;
      for (v1::TraceHolding& t : *a.response.mutable_traces()) {
        std::vector<std::string>& services = held[t.trace_id()];
        for (std::string& s : *t.mutable_services()) {
          if (std::find(services.begin(), services.end(), s) == services.end()) {
            services.push_back(std::move(s));
          }
        }
      }
    }
  }
  for (auto& [id, services] : held) out.held.push_back({id, std::move(services)});
  return out;
}

}  // namespace logweave
