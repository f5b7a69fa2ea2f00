// The JSON API of the web page (connectors/web), on the HTTP listener of
// `logweave serve`: the query service of the gRPC server (query_service.h),
// called in-process through LogweaveServer::InProcessChannel — the same
// searches, limits and token checks as a gRPC client gets — with its answers
// as JSON (protobuf's JSON mapping, proto field names, 64-bit numbers as
// strings).
//
//   GET /api/trace/<id>   GetTimeline (with each event's line) + missing_services
//   GET /api/search?service=&level=&since=&until=&text=&kind=&page_token=&page_size=
//   GET /api/findings?kind=&severity=&limit=   the open findings, newest first
//   GET /api/actions?finding_id=&action=&limit=  ListActions: the actions run, oldest first
//
//   AddWebApiRoutes(*listener, {.channel = server->InProcessChannel(), .runtime = runtime});
#ifndef LOGWEAVE_CONNECTORS_WEB_WEB_API_H_
#define LOGWEAVE_CONNECTORS_WEB_WEB_API_H_

#include <memory>

#include "absl/time/time.h"
#include "connectors/http/listener.h"
#include "grpcpp/channel.h"
#include "logweave/runtime.h"

namespace logweave {

struct WebApiOptions {
  // To the gRPC server's query service (LogweaveServer::InProcessChannel).
  // Required.
  std::shared_ptr<grpc::Channel> channel;
  // Whose latest analysis /api/findings lists (the one the query service
  // answers from). Not owned; must outlive the listener's serving. Required.
  Runtime* runtime = nullptr;
  // The longest one API call waits for the query service.
  absl::Duration timeout = absl::Seconds(30);
};

// Routes /api/trace/<id>, /api/search, /api/findings and /api/actions on `listener`, each
// asking for a read token when the listener has tokens (as /metrics does);
// the request's Authorization header goes on to the query service. Errors
// answer JSON {"error": message, "code": gRPC status name} with the code's
// HTTP status (HttpStatusOf: 400 bad parameter, 404 unknown trace, 401/403,
// 429, 503, 504). Thread-safe handlers.
void AddWebApiRoutes(HttpListener& listener, const WebApiOptions& options);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_WEB_WEB_API_H_
