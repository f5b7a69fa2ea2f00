#include "connectors/grpc/security/pem_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "logweave/file_text.h"

namespace logweave {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<BIO, BioFree> MemoryBio(const std::string& text) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

absl::Status Invalid(absl::string_view what, const std::string& path, absl::string_view why) {
  ERR_clear_error();
  return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": ", why));
}

}  // namespace

absl::StatusOr<std::string> ReadPemFile(absl::string_view what, const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileText(path, absl::StrCat(what, " ", path));
  if (!text.ok()) return absl::InvalidArgumentError(text.status().message());
  if (text->empty()) return Invalid(what, path, "the file is empty");
  return text;
}

absl::Status CheckCertificateFile(absl::string_view what, const std::string& path) {
  absl::StatusOr<std::string> text = ReadPemFile(what, path);
  if (!text.ok()) return text.status();
  auto bio = MemoryBio(*text);
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return Invalid(what, path, "no PEM certificate in it (-----BEGIN CERTIFICATE-----)");
  }
  return absl::OkStatus();
}

absl::Status CheckKeyPair(const std::string& cert_path, const std::string& key_path) {
  if (absl::Status s = CheckCertificateFile("TLS certificate", cert_path); !s.ok()) return s;
  absl::StatusOr<std::string> cert_text = ReadPemFile("TLS certificate", cert_path);
  absl::StatusOr<std::string> key_text = ReadPemFile("TLS key", key_path);
  if (!cert_text.ok()) return cert_text.status();
  if (!key_text.ok()) return key_text.status();
  auto key_bio = MemoryBio(*key_text);
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return Invalid("TLS key", key_path,
                   "no unencrypted PEM private key in it (-----BEGIN PRIVATE KEY-----)");
  }
  auto cert_bio = MemoryBio(*cert_text);
  std::unique_ptr<X509, X509Free> cert(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr || X509_check_private_key(cert.get(), key.get()) != 1) {
    return Invalid("TLS key", key_path,
                   absl::StrCat("does not match the certificate ", cert_path,
                                " (give the key the certificate was issued for)"));
  }
  return absl::OkStatus();
}

}  // namespace logweave
