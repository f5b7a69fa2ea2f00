#include "connectors/grpc/security/server_security.h"

#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "connectors/grpc/security/pem_files.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace logweave {

bool IsLoopbackAddress(const std::string& address) {
  std::string host = address.substr(0, address.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  host = absl::AsciiStrToLower(host);
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::Status ServerSecurityOptions::Validate(const std::string& address) const {
  if (tls_cert.empty() != tls_key.empty()) {
    return absl::InvalidArgumentError(
        tls_cert.empty() ? "--tls-key (serve.tls.key) needs --tls-cert (serve.tls.cert) too"
                         : "--tls-cert (serve.tls.cert) needs --tls-key (serve.tls.key) too");
  }
  if (!tls_client_ca.empty() && tls_cert.empty()) {
    return absl::InvalidArgumentError(
        "--tls-client-ca (serve.tls.client_ca) needs --tls-cert and --tls-key: client "
        "certificates are checked over TLS");
  }
  if (tls()) {
    if (absl::Status s = CheckKeyPair(tls_cert, tls_key); !s.ok()) return s;
    if (!tls_client_ca.empty()) {
      if (absl::Status s = CheckCertificateFile("TLS client CA", tls_client_ca); !s.ok()) return s;
    }
  }
  if (tls_refresh < absl::Seconds(1)) {
    return absl::InvalidArgumentError("serve.tls.refresh must be at least 1s");
  }
  if (!tls() && auth_tokens.empty() && !allow_insecure && !IsLoopbackAddress(address)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "refusing to serve logs on ", address,
        " without TLS or tokens: anyone who reaches the port could read every line. Give "
        "--tls-cert and --tls-key, or --auth-tokens FILE, or --allow-insecure "
        "(serve.allow_insecure: true) to allow it; or listen on 127.0.0.1"));
  }
  return absl::OkStatus();
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(
    const ServerSecurityOptions& options) {
  if (!options.tls()) return grpc::InsecureServerCredentials();
  const auto refresh =
      static_cast<unsigned int>(std::max<int64_t>(1, absl::ToInt64Seconds(options.tls_refresh)));
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      options.tls_key, options.tls_cert, options.tls_client_ca, refresh);
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_identity_key_cert_pairs();
  if (!options.tls_client_ca.empty()) {
    tls.watch_root_certs();
    tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    tls.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  return grpc::experimental::TlsServerCredentials(tls);
}

}  // namespace logweave
