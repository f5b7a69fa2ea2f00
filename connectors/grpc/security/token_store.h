// Bearer tokens that `logweave serve --auth-tokens FILE` accepts, each with
// a scope. The file has one token per line, optionally followed by its scope
// (`read`, the default; `ingest`, which only sends logs (OTLP); or `admin`,
// which includes both); blank lines and
// lines starting with # are skipped:
//
//   # who: on-call dashboards
//   3f9c0d6e5b8a4f21a7c4e2d9b0f18c37 read
//   9a1be47c2d05f6e3b8c7a6d5e4f30211 admin
//
// Only SHA-256 digests of the tokens are kept, and a presented token is
// compared with every one of them in constant time. A store loaded from a
// file follows it: at most once a second a check looks at the file's size and
// modification time, and when they changed it reads the file again, so tokens
// are added and revoked without a restart. A file that no longer parses keeps
// the tokens in force (counted in refused_reloads()). Thread-safe.
#ifndef LOGWEAVE_CONNECTORS_GRPC_SECURITY_TOKEN_STORE_H_
#define LOGWEAVE_CONNECTORS_GRPC_SECURITY_TOKEN_STORE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "connectors/common/file_stamp.h"

namespace logweave {

enum class TokenScope { kRead = 1, kAdmin = 2, kIngest = 3 };

class TokenStore {
 public:
  // Tokens shorter than this are refused: they could be guessed.
  static constexpr size_t kMinTokenLength = 16;

  // Reads `path`; INVALID_ARGUMENT naming the file and line for an unreadable
  // or empty file, a short token, an unknown scope or a token given twice.
  static absl::StatusOr<std::unique_ptr<TokenStore>> Load(const std::string& path);
  // The same from text; `origin` names it in errors.
  static absl::StatusOr<std::unique_ptr<TokenStore>> Parse(absl::string_view text,
                                                           absl::string_view origin);

  // OK if `authorization` (the call's metadata value) is "Bearer TOKEN" for
  // a token whose scope covers `needed`. UNAUTHENTICATED when it is missing,
  // malformed or unknown; PERMISSION_DENIED when the scope is too low.
  absl::Status Check(absl::string_view authorization, TokenScope needed) const;

  // How many tokens are in force.
  size_t size() const;
  // Times the file was read again after a change, and changed files that
  // did not parse (the previous tokens stayed in force).
  uint64_t reloads() const { return reloads_.load(std::memory_order_relaxed); }
  uint64_t refused_reloads() const { return refused_reloads_.load(std::memory_order_relaxed); }

  // How often a check may look at the file; tests set it to zero.
  void set_recheck_interval(absl::Duration interval);

 private:
  using Digest = std::array<unsigned char, 32>;
  struct Entry {
    Digest digest;
    TokenScope scope;
  };
  using Entries = std::vector<Entry>;
  static Digest Sha256(absl::string_view text);
  static absl::StatusOr<Entries> ParseEntries(absl::string_view text, absl::string_view origin);
  // The tokens in force, after reading the file again if it changed.
  std::shared_ptr<const Entries> Current() const;

  std::string path_;  // empty: parsed from text, nothing to follow
  mutable absl::Mutex mu_;
  mutable std::shared_ptr<const Entries> tokens_ ABSL_GUARDED_BY(mu_);
  mutable FileStamp stamp_ ABSL_GUARDED_BY(mu_);
  mutable absl::Time next_check_ ABSL_GUARDED_BY(mu_);
  absl::Duration recheck_interval_ ABSL_GUARDED_BY(mu_) = absl::Seconds(1);
  // Counted under mu_ (in Current), read without it.
  mutable std::atomic<uint64_t> reloads_{0};
  mutable std::atomic<uint64_t> refused_reloads_{0};
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_SECURITY_TOKEN_STORE_H_
