// The security keys of the `serve:` section, read next to the server they
// configure: serve.tls.{cert,key,client_ca,refresh}, serve.auth_tokens and
// serve.allow_insecure. Paths are relative to the config file.
#ifndef LOGWEAVE_CONNECTORS_GRPC_SECURITY_SECURITY_CONFIG_H_
#define LOGWEAVE_CONNECTORS_GRPC_SECURITY_SECURITY_CONFIG_H_

#include "absl/status/status.h"
#include "connectors/grpc/security/server_security.h"
#include "logweave/config_section.h"

namespace logweave {

// The keys of `serve:` that ReadServerSecurity reads.
inline constexpr const char* kServerSecurityKeys[] = {"tls", "auth_tokens", "allow_insecure"};

// Reads them from `serve` into `out` (absent keys keep their defaults).
// INVALID_ARGUMENT naming the key for an unknown key under tls or a bad value.
absl::Status ReadServerSecurity(const ConfigSection& serve, ServerSecurityOptions* out);

// `flags` over `config`: each file given as a flag replaces the config's,
// allow_insecure from either.
ServerSecurityOptions MergeServerSecurity(const ServerSecurityOptions& config,
                                          const ServerSecurityOptions& flags);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_SECURITY_SECURITY_CONFIG_H_
