#include "connectors/grpc/security/security_config.h"

namespace logweave {

absl::Status ReadServerSecurity(const ConfigSection& serve, ServerSecurityOptions* out) {
  ConfigReader r(serve);
  r.Path("auth_tokens", &out->auth_tokens);
  r.Bool("allow_insecure", &out->allow_insecure);
  if (!r.status().ok() || !serve.Has("tls")) return r.status();
  const ConfigSection tls = serve.Child("tls");
  ConfigReader t(tls, {"cert", "key", "client_ca", "refresh"});
  t.Path("cert", &out->tls_cert);
  t.Path("key", &out->tls_key);
  t.Path("client_ca", &out->tls_client_ca);
  t.Duration("refresh", /*zero_ok=*/false, &out->tls_refresh);
  return t.status();
}

ServerSecurityOptions MergeServerSecurity(const ServerSecurityOptions& config,
                                          const ServerSecurityOptions& flags) {
  ServerSecurityOptions out = config;
  if (!flags.tls_cert.empty()) out.tls_cert = flags.tls_cert;
  if (!flags.tls_key.empty()) out.tls_key = flags.tls_key;
  if (!flags.tls_client_ca.empty()) out.tls_client_ca = flags.tls_client_ca;
  if (!flags.auth_tokens.empty()) out.auth_tokens = flags.auth_tokens;
  out.allow_insecure = config.allow_insecure || flags.allow_insecure;
  return out;
}

}  // namespace logweave
