#include "connectors/http/health_routes.h"

#include <string>

namespace logweave {
namespace {
constexpr char kText[] = "text/plain; charset=utf-8";
}  // namespace

void AddHealthRoutes(HttpListener& listener, Readiness& readiness) {
  listener.Handle(HttpMethod::kGet, "/healthz", HttpAccess::kOpen,
                  [](const httplib::Request&, httplib::Response& response) {
                    response.set_content("ok\n", kText);
                  });
  listener.Handle(HttpMethod::kGet, "/readyz", HttpAccess::kOpen,
                  [&readiness](const httplib::Request&, httplib::Response& response) {
                    const std::string reasons = readiness.Check();
                    if (reasons.empty()) {
                      response.set_content("ready\n", kText);
                    } else {
                      response.status = 503;
                      response.set_content("not ready: " + reasons + "\n", kText);
                    }
                  });
}

}  // namespace logweave
