// Who may reach `logweave serve` and how: TLS (and mTLS) for the listener,
// bearer tokens with scopes for every logweave.v1 call, and the rule that
// refuses to listen beyond loopback with neither. Keys and defaults:
// docs/security.md.
//
//   ServerSecurityOptions security{.tls_cert = "server.pem", .tls_key = "server.key"};
//   if (absl::Status s = security.Validate(address); !s.ok()) ...  // at start
//   auto credentials = ServerCredentialsFor(security);           // for ServerBuilder
//   auto tokens = TokenStore::Load(security.auth_tokens);        // when set
#ifndef LOGWEAVE_CONNECTORS_GRPC_SECURITY_SERVER_SECURITY_H_
#define LOGWEAVE_CONNECTORS_GRPC_SECURITY_SERVER_SECURITY_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"

namespace logweave {

struct ServerSecurityOptions {
  // PEM files. With cert and key the listener speaks TLS; with client_ca too,
  // clients must present a certificate that CA signed (mTLS).
  std::string tls_cert;       // serve.tls.cert, --tls-cert
  std::string tls_key;        // serve.tls.key, --tls-key
  std::string tls_client_ca;  // serve.tls.client_ca, --tls-client-ca
  // How often the certificate files are checked for a new version
  // (rotation without a restart).
  absl::Duration tls_refresh = absl::Seconds(10);
  // A token file (see TokenStore); empty: no tokens asked for.
  std::string auth_tokens;  // serve.auth_tokens, --auth-tokens
  // Listen on an address other than loopback with neither TLS nor tokens.
  bool allow_insecure = false;  // serve.allow_insecure, --allow-insecure

  bool tls() const { return !tls_cert.empty(); }

  // OK, or INVALID_ARGUMENT naming what to fix: a cert without a key (or the
  // reverse), a client CA without a cert, a file that cannot be read or is
  // not PEM, a key that does not match its certificate, and a non-loopback
  // `address` with neither TLS nor tokens unless allow_insecure.
  absl::Status Validate(const std::string& address) const;
};

// Whether `address` (host:port, [v6]:port) listens on loopback only:
// localhost, 127.0.0.0/8 or ::1. An empty host, 0.0.0.0 or [::] listen
// everywhere.
bool IsLoopbackAddress(const std::string& address);

// The credentials of the listener: TLS from the files, re-read when they
// change (checked every tls_refresh), or insecure without tls_cert. Call
// after Validate.
std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const ServerSecurityOptions& options);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_SECURITY_SERVER_SECURITY_H_
