// Checks of PEM certificate and key files with OpenSSL, shared by the
// server's and the clients' TLS settings. Errors name the file and say what
// is wrong with it.
#ifndef LOGWEAVE_CONNECTORS_GRPC_SECURITY_PEM_FILES_H_
#define LOGWEAVE_CONNECTORS_GRPC_SECURITY_PEM_FILES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace logweave {

// The file's text; INVALID_ARGUMENT "<what> <path>: <reason>" if it cannot be read.
absl::StatusOr<std::string> ReadPemFile(absl::string_view what, const std::string& path);

// OK if `path` holds at least one PEM certificate (a chain or a CA bundle).
absl::Status CheckCertificateFile(absl::string_view what, const std::string& path);

// OK if `key_path` holds a PEM private key that matches the first
// certificate of `cert_path`.
absl::Status CheckKeyPair(const std::string& cert_path, const std::string& key_path);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_SECURITY_PEM_FILES_H_
