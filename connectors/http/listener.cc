#include "connectors/http/listener.h"

#include <sys/socket.h>

#include <chrono>
#include <string_view>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace logweave {
namespace {

// Splits host:port ([v6]:port); false if it is not that shape.
bool SplitAddress(const std::string& address, std::string* host, int* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), port) ||
      *port < 0 || *port > 65535) {
    return false;
  }
  *host = address.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  if (host->empty()) *host = "0.0.0.0";
  return true;
}

// httplib takes a path as a regular expression: escapes `path` to match it exactly.
std::string EscapePath(const std::string& path) {
  std::string pattern;
  for (char c : path) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) pattern += '\\';
    pattern += c;
  }
  return pattern;
}

}  // namespace

absl::Status HttpListenerOptions::Validate() const {
  std::string host;
  int port = 0;
  if (!SplitAddress(address, &host, &port)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "serve.http_address must be host:port, e.g. 127.0.0.1:9090 (got \"", address, "\")"));
  }
  if (threads < 1) return absl::InvalidArgumentError("the HTTP listener needs at least 1 thread");
  return security.Validate(address);
}

HttpListener::HttpListener(const HttpListenerOptions& options) : options_(options) {}

HttpListener::~HttpListener() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpListener>> HttpListener::Create(
    const HttpListenerOptions& options) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  std::unique_ptr<HttpListener> listener(new HttpListener(options));
  const ServerSecurityOptions& security = options.security;
  if (security.tls()) {
    auto tls = std::make_unique<httplib::SSLServer>(
        security.tls_cert.c_str(), security.tls_key.c_str(),
        security.tls_client_ca.empty() ? nullptr : security.tls_client_ca.c_str());
    if (!tls->is_valid()) {
      return absl::InvalidArgumentError(
          absl::StrCat("serve.http_address: cannot serve HTTPS with ", security.tls_cert, " and ",
                       security.tls_key, " (checked for gRPC, refused by OpenSSL here)"));
    }
    // A renewed certificate is served from the next handshake on.
    listener->reloader_ =
        std::make_unique<CertificateReloader>(security.tls_cert, security.tls_key);
    listener->reloader_->Install(tls->ssl_context());
    listener->server_ = std::move(tls);
  } else {
    listener->server_ = std::make_unique<httplib::Server>();
  }
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a
  // second server would share the port silently instead of failing to bind.
  listener->server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const int threads = options.threads;
  listener->server_->new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  std::string host;
  int port = 0;
  SplitAddress(options.address, &host, &port);
  listener->port_ = port == 0 ? listener->server_->bind_to_any_port(host)
                              : (listener->server_->bind_to_port(host, port) ? port : -1);
  if (listener->port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("serve: cannot listen on ", options.address,
                     " for HTTP (in use, or not an address of this host); pick another with "
                     "--http-address"));
  }
  listener->bound_address_ =
      absl::StrCat(options.address.substr(0, options.address.rfind(':')), ":", listener->port_);
  return listener;
}

bool HttpListener::Allowed(const httplib::Request& request, HttpAccess access,
                           httplib::Response& response) const {
  if (access == HttpAccess::kOpen || options_.tokens == nullptr) return true;
  const TokenScope needed = access == HttpAccess::kAdmin    ? TokenScope::kAdmin
                            : access == HttpAccess::kIngest ? TokenScope::kIngest
                                                            : TokenScope::kRead;
  const absl::Status s = options_.tokens->Check(request.get_header_value("Authorization"), needed);
  if (s.ok()) return true;
  if (s.code() == absl::StatusCode::kPermissionDenied) {
    response.status = 403;
  } else {
    response.status = 401;
    response.set_header("WWW-Authenticate", "Bearer realm=\"logweave\"");
  }
  response.set_content(absl::StrCat(s.message(), "\n"), "text/plain; charset=utf-8");
  return false;
}

void HttpListener::Handle(HttpMethod method, const std::string& path, HttpAccess access,
                          Handler handler) {
  Route(method, EscapePath(path), access, std::move(handler));
}

void HttpListener::HandlePrefix(HttpMethod method, const std::string& prefix, HttpAccess access,
                                Handler handler) {
  Route(method, EscapePath(prefix) + "(.+)", access, std::move(handler));
}

void HttpListener::Route(HttpMethod method, const std::string& pattern, HttpAccess access,
                         Handler handler) {
  auto route = [this, access, handler = std::move(handler)](const httplib::Request& request,
                                                            httplib::Response& response) {
    if (Allowed(request, access, response)) handler(request, response);
  };
  if (method == HttpMethod::kGet) {
    server_->Get(pattern, std::move(route));
  } else {
    server_->Post(pattern, std::move(route));
  }
}

void HttpListener::HandleBody(const std::string& path, HttpAccess access, BodyHandler handler,
                              std::function<void()> refused) {
  server_->Post(EscapePath(path), [this, access, handler = std::move(handler),
                                   refused = std::move(refused)](
                                      const httplib::Request& request, httplib::Response& response,
                                      const httplib::ContentReader& reader) {
    bool read_whole = false;
    const httplib::ContentReader tracked(
        [&](httplib::ContentReceiver receiver) { return read_whole = reader(std::move(receiver)); },
        [&](httplib::MultipartContentHeader header, httplib::ContentReceiver receiver) {
          return read_whole = reader(std::move(header), std::move(receiver));
        });
    if (Allowed(request, access, response)) {
      handler(request, response, tracked);
    } else if (refused) {
      refused();
    }
    // The rest of an unread body would be taken for the next request.
    if (!read_whole && request.get_header_value("Connection") != "close") {
      response.set_header("Connection", "close");
    }
  });
}

void HttpListener::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() does nothing until the loop runs: wait for it, so that a
  // Stop right after Start is not lost.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void HttpListener::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace logweave
