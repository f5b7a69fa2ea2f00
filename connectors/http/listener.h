// The HTTP listener of `logweave serve --http-address HOST:PORT`
// (serve.http_address): a cpp-httplib server other modules add routes to
// before it starts — /metrics (metrics.h), /healthz and /readyz
// (health_routes.h). It follows the gRPC listener's rules
// (connectors/grpc/security): HTTPS with serve.tls.* (mTLS with
// tls.client_ca), no plain HTTP beyond loopback unless tokens or
// allow_insecure, and a bearer token of serve.auth_tokens on every route that
// asks for one.
//
//   HttpListenerOptions options{.address = "127.0.0.1:0", .security = security, .tokens = tokens};
//   auto listener = HttpListener::Create(options).value();   // bound, not serving yet
//   listener->Handle(HttpMethod::kGet, "/metrics", HttpAccess::kRead, handler);
//   listener->Start();
//   ... listener->port() ...
//   listener->Stop();
#ifndef LOGWEAVE_CONNECTORS_HTTP_LISTENER_H_
#define LOGWEAVE_CONNECTORS_HTTP_LISTENER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "connectors/grpc/security/server_security.h"
#include "connectors/grpc/security/token_store.h"
#include "connectors/http/certificate_reloader.h"
#include "httplib.h"

namespace logweave {

struct HttpListenerOptions {
  // host:port to listen on; port 0 picks a free one (see port()). Required.
  std::string address;
  // TLS files and the bind rule, the same as the gRPC listener's: with
  // tls_cert and tls_key it serves HTTPS. A renewed certificate (the files
  // changed) is served from the next handshake on, without a restart.
  ServerSecurityOptions security = {};
  // The tokens that routes with HttpAccess other than kOpen ask for; null:
  // none asked for. Not owned; must outlive the listener.
  const TokenStore* tokens = nullptr;
  // Threads answering requests (a connection kept alive holds one).
  int threads = 4;

  // OK, or INVALID_ARGUMENT: an address that is not host:port, threads < 1,
  // or what ServerSecurityOptions::Validate refuses for it.
  absl::Status Validate() const;
};

enum class HttpMethod { kGet, kPost };
// Who may call a route: anyone (probes), or a token of at least this scope
// when the listener has tokens (kIngest: a token of scope ingest or admin).
enum class HttpAccess { kOpen, kRead, kAdmin, kIngest };

// Thread-safe after Start; Handle only before it. Owns the httplib server and
// the thread that accepts connections.
class HttpListener {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  // A handler that reads the request body itself, through the ContentReader.
  using BodyHandler = std::function<void(const httplib::Request&, httplib::Response&,
                                         const httplib::ContentReader&)>;

  // Binds the address (serving starts with Start). INVALID_ARGUMENT for bad
  // options or TLS files; UNAVAILABLE if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpListener>> Create(const HttpListenerOptions& options);
  // Stop().
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Routes `path` (exact) to `handler`, which runs on one of the listener's
  // threads. A route that needs a token answers 401 (missing or unknown
  // token, with WWW-Authenticate: Bearer) or 403 (scope too low) without
  // calling it. Unknown paths answer 404. Call before Start.
  void Handle(HttpMethod method, const std::string& path, HttpAccess access, Handler handler);
  // Routes every path that starts with `prefix` and has more after it (such
  // as /trace/<id>) to `handler`, as Handle does; the rest of the path,
  // percent-decoded, is request.matches[1]. Call before Start.
  void HandlePrefix(HttpMethod method, const std::string& prefix, HttpAccess access,
                    Handler handler);

  // Routes POST `path` (exact) as Handle does, except that the body is not
  // read before `handler` runs: it reads it through the ContentReader, piece
  // by piece and inflated as it arrives (Content-Encoding gzip, deflate or
  // br), so it can stop at a size limit without holding the whole body
  // (request.body stays empty). A body left unread (the handler stopped, or
  // the token was refused) closes the connection after the answer.
  // `refused`, if given, runs for each request refused for its token. Call
  // before Start.
  void HandleBody(const std::string& path, HttpAccess access, BodyHandler handler,
                  std::function<void()> refused = nullptr);

  // Starts serving on a thread of its own. Once.
  void Start();
  // Stops accepting, lets the requests being answered finish, joins the
  // thread. Idempotent.
  void Stop();

  int port() const { return port_; }
  // host:port as bound (the port filled in).
  const std::string& address() const { return bound_address_; }
  bool tls() const { return options_.security.tls(); }

 private:
  explicit HttpListener(const HttpListenerOptions& options);
  // True if `request` may reach a route of `access`; else fills `response`.
  bool Allowed(const httplib::Request& request, HttpAccess access,
               httplib::Response& response) const;
  // Routes the regular expression `pattern` (Handle, HandlePrefix).
  void Route(HttpMethod method, const std::string& pattern, HttpAccess access, Handler handler);

  const HttpListenerOptions options_;
  // Before server_: the TLS context's handshakes call it until server_ goes.
  std::unique_ptr<CertificateReloader> reloader_;  // with TLS only
  std::unique_ptr<httplib::Server> server_;        // an httplib::SSLServer with TLS
  int port_ = 0;
  std::string bound_address_;
  std::thread thread_;
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_HTTP_LISTENER_H_
