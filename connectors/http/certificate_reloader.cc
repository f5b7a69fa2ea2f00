#include "connectors/http/certificate_reloader.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <utility>

namespace logweave {

// A certificate chain and its key, as OpenSSL objects (freed with the pair).
struct CertificateReloader::Pair {
  X509* leaf = nullptr;
  STACK_OF(X509) * chain = nullptr;  // the certificates after the leaf
  EVP_PKEY* key = nullptr;
  ~Pair() {
    X509_free(leaf);
    sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
  }
};

CertificateReloader::CertificateReloader(std::string cert_path, std::string key_path)
    : cert_path_(std::move(cert_path)), key_path_(std::move(key_path)) {}

CertificateReloader::~CertificateReloader() = default;

void CertificateReloader::Install(SSL_CTX* ctx) {
  {
    absl::MutexLock lock(&mu_);
    cert_stamp_ = FileStamp::Of(cert_path_);
    key_stamp_ = FileStamp::Of(key_path_);
  }
  SSL_CTX_set_cert_cb(ctx, &CertificateReloader::OnHandshake, this);
}

std::shared_ptr<const CertificateReloader::Pair> CertificateReloader::Current() {
  const FileStamp cert = FileStamp::Of(cert_path_);
  const FileStamp key = FileStamp::Of(key_path_);
  absl::MutexLock lock(&mu_);
  if (cert == cert_stamp_ && key == key_stamp_) return current_;
  cert_stamp_ = cert;
  key_stamp_ = key;
  std::unique_ptr<Pair> pair = ReadPair(cert_path_, key_path_);
  if (pair == nullptr) {
    ++refused_;  // keeps presenting the previous pair
  } else {
    current_ = std::move(pair);
    ++reloads_;
  }
  return current_;
}

int CertificateReloader::OnHandshake(SSL* ssl, void* self) {
  std::shared_ptr<const Pair> pair = static_cast<CertificateReloader*>(self)->Current();
  if (pair == nullptr) return 1;  // the context's own certificate
  if (SSL_use_certificate(ssl, pair->leaf) != 1 || SSL_use_PrivateKey(ssl, pair->key) != 1 ||
      SSL_set1_chain(ssl, pair->chain) != 1) {
    return 0;  // the handshake fails rather than presenting a mixed pair
  }
  return 1;
}

std::unique_ptr<CertificateReloader::Pair> CertificateReloader::ReadPair(
    const std::string& cert_path, const std::string& key_path) {
  auto pair = std::make_unique<Pair>();
  BIO* certs = BIO_new_file(cert_path.c_str(), "r");
  if (certs == nullptr) return nullptr;
  pair->leaf = PEM_read_bio_X509_AUX(certs, nullptr, nullptr, nullptr);
  pair->chain = sk_X509_new_null();
  while (X509* next = PEM_read_bio_X509(certs, nullptr, nullptr, nullptr)) {
    sk_X509_push(pair->chain, next);
  }
  BIO_free(certs);
  BIO* key = BIO_new_file(key_path.c_str(), "r");
  if (key == nullptr) return nullptr;
  pair->key = PEM_read_bio_PrivateKey(key, nullptr, nullptr, nullptr);
  BIO_free(key);
  ERR_clear_error();  // the end of the chain reads as an error
  if (pair->leaf == nullptr || pair->key == nullptr ||
      X509_check_private_key(pair->leaf, pair->key) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return pair;
}

}  // namespace logweave
