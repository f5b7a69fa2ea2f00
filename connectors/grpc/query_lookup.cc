// QueryService::LookupTraces: which of some traces this instance holds lines
// of (asked by peers before they report a gap; answered from the local index only).

#include "absl/strings/str_cat.h"
#include "connectors/grpc/peers/fan_out.h"
#include "connectors/grpc/query_service.h"
#include "connectors/grpc/status_codes.h"

namespace logweave {

grpc::Status QueryService::LookupTraces(grpc::ServerContext* context,
                                        const v1::LookupTracesRequest* request,
                                        v1::LookupTracesResponse* response) {
  if (grpc::Status s = Authorize(*context, TokenScope::kRead); !s.ok()) return s;
  LocalOnly(context);  // never fanned out; a peer is told who answered
  if (static_cast<size_t>(request->trace_ids_size()) > kMaxLookupIds) {
    return InvalidArgumentStatus(absl::StrCat(
        "at most ", kMaxLookupIds, " trace ids per call (got ", request->trace_ids_size(), ")"));
  }
  for (const std::string& id : request->trace_ids()) {
    if (id.size() > kMaxTraceIdBytes) {
      return InvalidArgumentStatus(
          absl::StrCat("a trace id is ", id.size(), " bytes; at most ", kMaxTraceIdBytes));
    }
    absl::StatusOr<TraceInfo> info = pipeline().index().GetTraceInfo(id);
    if (!info.ok()) continue;
    v1::TraceHolding* t = response->add_traces();
    t->set_trace_id(text_.Utf8(id));
    for (const std::string& s : info->services) t->add_services(text_.Utf8(s));
  }
  absl::MutexLock lock(&mu_);
  response->set_ready(ready_);
  return grpc::Status::OK;
}

}  // namespace logweave
