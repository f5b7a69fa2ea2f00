// How the query commands prove who they are to `logweave serve`: TLS (with
// a client certificate for mTLS) and a bearer token, from flags or the
// environment. docs/security.md has the whole picture.
#ifndef LOGWEAVE_TOOLS_LOGWEAVE_CLIENT_SECURITY_H_
#define LOGWEAVE_TOOLS_LOGWEAVE_CLIENT_SECURITY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "tools/flags/flags.h"

namespace logweave::cli {

// Flags first, then LOGWEAVE_TLS_CA, LOGWEAVE_TLS_CERT, LOGWEAVE_TLS_KEY
// and LOGWEAVE_TOKEN.
struct ClientSecurity {
  std::string tls_ca;    // --tls-ca: speak TLS, trusting this CA's server certificates
  std::string tls_cert;  // --tls-cert, --tls-key: this client's certificate (mTLS)
  std::string tls_key;
  std::string token;       // --token
  std::string token_file;  // --token-file: the token is its first line
};

// Adds --tls-ca, --tls-cert, --tls-key, --token and --token-file.
void ClientSecurityFlags(FlagSet& flags, ClientSecurity* out);

// The channel credentials and the authorization metadata value
// ("Bearer TOKEN", or "" without a token) that `security` asks for.
struct ClientCredentials {
  std::shared_ptr<grpc::ChannelCredentials> channel;
  std::string authorization;
};

// INVALID_ARGUMENT naming the flag or variable and the file for a file that
// cannot be read or is not PEM, a certificate without its key, or a key that
// does not match it.
absl::StatusOr<ClientCredentials> ResolveClientCredentials(const ClientSecurity& security);

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_LOGWEAVE_CLIENT_SECURITY_H_
