#include "tools/logweave/client_security.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "connectors/grpc/security/pem_files.h"

namespace logweave::cli {
namespace {

// `value`, else the environment variable `name`, else "".
std::string OrEnv(const std::string& value, const char* name) {
  if (!value.empty()) return value;
  const char* env = std::getenv(name);
  return env != nullptr ? env : "";
}

}  // namespace

void ClientSecurityFlags(FlagSet& flags, ClientSecurity* out) {
  flags.String("tls-ca", &out->tls_ca, "FILE",
               "connect over TLS, trusting server certificates this CA signed "
               "(or LOGWEAVE_TLS_CA)");
  flags.String("tls-cert", &out->tls_cert, "FILE",
               "with --tls-key: this client's certificate, for servers that ask for one "
               "(mTLS; or LOGWEAVE_TLS_CERT)");
  flags.String("tls-key", &out->tls_key, "FILE",
               "the private key of --tls-cert (or LOGWEAVE_TLS_KEY)");
  flags.String("token", &out->token, "TOKEN",
               "bearer token for a server started with --auth-tokens (or LOGWEAVE_TOKEN; "
               "--token-file keeps it out of the process list)");
  flags.String("token-file", &out->token_file, "FILE", "read the token from the file's first line");
}

absl::StatusOr<ClientCredentials> ResolveClientCredentials(const ClientSecurity& flags) {
  const std::string ca = OrEnv(flags.tls_ca, "LOGWEAVE_TLS_CA");
  const std::string cert = OrEnv(flags.tls_cert, "LOGWEAVE_TLS_CERT");
  const std::string key = OrEnv(flags.tls_key, "LOGWEAVE_TLS_KEY");
  ClientCredentials out;
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key (LOGWEAVE_TLS_CERT, LOGWEAVE_TLS_KEY) go together");
  }
  if (!cert.empty() && ca.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert needs --tls-ca (LOGWEAVE_TLS_CA): the CA of the server's certificate");
  }
  if (ca.empty()) {
    out.channel = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    if (absl::Status s = CheckCertificateFile("--tls-ca", ca); !s.ok()) return s;
    absl::StatusOr<std::string> roots = ReadPemFile("--tls-ca", ca);
    if (!roots.ok()) return roots.status();
    ssl.pem_root_certs = *roots;
    if (!cert.empty()) {
      if (absl::Status s = CheckKeyPair(cert, key); !s.ok()) return s;
      absl::StatusOr<std::string> chain = ReadPemFile("--tls-cert", cert);
      absl::StatusOr<std::string> private_key = ReadPemFile("--tls-key", key);
      if (!chain.ok()) return chain.status();
      if (!private_key.ok()) return private_key.status();
      ssl.pem_cert_chain = *chain;
      ssl.pem_private_key = *private_key;
    }
    out.channel = grpc::SslCredentials(ssl);
  }
  std::string token = flags.token;
  if (token.empty() && !flags.token_file.empty()) {
    absl::StatusOr<std::string> text = ReadPemFile("--token-file", flags.token_file);
    if (!text.ok()) return text.status();
    token = std::string(absl::StripAsciiWhitespace(
        absl::string_view(*text).substr(0, absl::string_view(*text).find('\n'))));
    if (token.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--token-file ", flags.token_file, ": its first line is empty"));
    }
  }
  token = OrEnv(token, "LOGWEAVE_TOKEN");
  if (!token.empty()) out.authorization = absl::StrCat("Bearer ", token);
  return out;
}

}  // namespace logweave::cli
