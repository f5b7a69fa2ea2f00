#include "connectors/web/web_pages.h"

#include <string>

#include "connectors/web/web_assets.h"

namespace logweave {
namespace {

// Answers `asset` (404 if there is none). The pages may change with the
// binary: browsers ask again each time (no-cache still allows a 304 later).
void Send(const WebAsset* asset, httplib::Response& response) {
  if (asset == nullptr) {
    response.status = 404;
    response.set_content("no such file\n", "text/plain; charset=utf-8");
    return;
  }
  response.set_header("Cache-Control", "no-cache");
  response.set_header("X-Content-Type-Options", "nosniff");
  // Scripts and styles of this server only: nothing inline, nothing from elsewhere.
  response.set_header("Content-Security-Policy",
                      "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
  response.set_content(std::string(asset->body), std::string(asset->content_type));
}

// A route answering the asset `name`.
HttpListener::Handler Page(const char* name) {
  return [name](const httplib::Request&, httplib::Response& response) {
    Send(FindWebAsset(name), response);
  };
}

}  // namespace

void AddWebPages(HttpListener& listener) {
  listener.Handle(HttpMethod::kGet, "/", HttpAccess::kOpen, Page("index.html"));
  listener.Handle(HttpMethod::kGet, "/search", HttpAccess::kOpen, Page("search.html"));
  listener.Handle(HttpMethod::kGet, "/rules", HttpAccess::kOpen, Page("rules.html"));
  listener.HandlePrefix(HttpMethod::kGet, "/trace/", HttpAccess::kOpen, Page("trace.html"));
  listener.HandlePrefix(
      HttpMethod::kGet, "/assets/", HttpAccess::kOpen,
      [](const httplib::Request& request, httplib::Response& response) {
        const std::string name = request.matches[1];
        // Pages are served by their routes, not as files.
        const WebAsset* asset = FindWebAsset(name);
        Send(asset != nullptr && name.find(".html") == std::string::npos ? asset : nullptr,
             response);
      });
}

}  // namespace logweave
