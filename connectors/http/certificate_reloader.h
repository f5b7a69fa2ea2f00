// Serves a certificate's renewal without a restart, as the gRPC listener
// does: on each TLS handshake of an OpenSSL server context it looks at the
// certificate and key files, and when either changed (size or modification
// time) it reads both again and presents the new pair from then on. A pair
// that does not match (a rotation written half way) keeps the previous one.
#ifndef LOGWEAVE_CONNECTORS_HTTP_CERTIFICATE_RELOADER_H_
#define LOGWEAVE_CONNECTORS_HTTP_CERTIFICATE_RELOADER_H_

#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "connectors/common/file_stamp.h"

namespace logweave {

// Thread-safe: OpenSSL calls it from every connection's handshake.
class CertificateReloader {
 public:
  // PEM files: the certificate (chain, leaf first) and its private key,
  // which the context was set up with.
  CertificateReloader(std::string cert_path, std::string key_path);
  ~CertificateReloader();
  CertificateReloader(const CertificateReloader&) = delete;
  CertificateReloader& operator=(const CertificateReloader&) = delete;

  // Takes part in every handshake of `ctx` from now on; must outlive it.
  void Install(SSL_CTX* ctx);

  // New pairs read since Install (a renewal) and pairs refused (a key that
  // does not match its certificate, an unreadable file).
  uint64_t reloads() const { return reloads_.load(std::memory_order_relaxed); }
  uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  struct Pair;
  // The pair in the files, or null if either cannot be read or the key is
  // not the certificate's.
  static std::unique_ptr<Pair> ReadPair(const std::string& cert_path, const std::string& key_path);
  static int OnHandshake(SSL* ssl, void* self);
  // The pair to present; null: the context's own (nothing renewed yet).
  std::shared_ptr<const Pair> Current();

  const std::string cert_path_;
  const std::string key_path_;
  mutable absl::Mutex mu_;
  FileStamp cert_stamp_ ABSL_GUARDED_BY(mu_);
  FileStamp key_stamp_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const Pair> current_ ABSL_GUARDED_BY(mu_);
  // Counted under mu_ (in Current), read without it.
  std::atomic<uint64_t> reloads_{0};
  std::atomic<uint64_t> refused_{0};
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_HTTP_CERTIFICATE_RELOADER_H_
