// The probes of `logweave serve` on its HTTP listener, open to anyone (no
// token): GET /healthz answers 200 while the process runs; GET /readyz 200
// once `readiness` is ready, else 503 with the reasons in the body (still
// replaying, Kafka not connected, shutting down).
#ifndef LOGWEAVE_CONNECTORS_HTTP_HEALTH_ROUTES_H_
#define LOGWEAVE_CONNECTORS_HTTP_HEALTH_ROUTES_H_

#include "connectors/http/listener.h"
#include "connectors/http/readiness.h"

namespace logweave {

// Routes /healthz and /readyz on `listener`; `readiness` is not owned and
// must outlive the listener's serving.
void AddHealthRoutes(HttpListener& listener, Readiness& readiness);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_HTTP_HEALTH_ROUTES_H_
