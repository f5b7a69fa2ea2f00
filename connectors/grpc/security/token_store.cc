#include "connectors/grpc/security/token_store.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "logweave/enum_names.h"
#include "logweave/file_text.h"

namespace logweave {

namespace {

const char* ScopeName(TokenScope scope) {
  // In the order of the values, from kRead (1).
  constexpr const char* kNames[] = {"read", "admin", "ingest"};
  static_assert(NamesCover(kNames, TokenScope::kIngest, TokenScope::kRead),
                "a scope without a name");
  return NameOf(kNames, scope, "?", TokenScope::kRead);
}

}  // namespace

TokenStore::Digest TokenStore::Sha256(absl::string_view text) {
  Digest d;
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), d.data());
  return d;
}

namespace {

// The token file's text. INVALID_ARGUMENT "--auth-tokens PATH: REASON".
absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileText(path, absl::StrCat("--auth-tokens ", path));
  if (!text.ok()) return absl::InvalidArgumentError(text.status().message());
  return text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TokenStore>> TokenStore::Load(const std::string& path) {
  const FileStamp stamp = FileStamp::Of(path);
  absl::StatusOr<std::string> text = ReadTokenFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::unique_ptr<TokenStore>> store = Parse(*text, path);
  if (!store.ok()) return store.status();
  (*store)->path_ = path;
  absl::MutexLock lock(&(*store)->mu_);
  (*store)->stamp_ = stamp;
  (*store)->next_check_ = absl::Now() + (*store)->recheck_interval_;
  return store;
}

absl::StatusOr<std::unique_ptr<TokenStore>> TokenStore::Parse(absl::string_view text,
                                                              absl::string_view origin) {
  absl::StatusOr<Entries> entries = ParseEntries(text, origin);
  if (!entries.ok()) return entries.status();
  auto store = std::unique_ptr<TokenStore>(new TokenStore());
  absl::MutexLock lock(&store->mu_);
  store->tokens_ = std::make_shared<const Entries>(*std::move(entries));
  return store;
}

absl::StatusOr<TokenStore::Entries> TokenStore::ParseEntries(absl::string_view text,
                                                             absl::string_view origin) {
  Entries tokens;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    auto error = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(origin, ":", line_no, ": ", why));
    };
    if (words.size() > 2) return error("expected TOKEN [read|ingest|admin]");
    TokenScope scope = TokenScope::kRead;
    if (words.size() == 2) {
      if (words[1] == "admin") {
        scope = TokenScope::kAdmin;
      } else if (words[1] == "ingest") {
        scope = TokenScope::kIngest;
      } else if (words[1] != "read") {
        return error(absl::StrCat("unknown scope \"", words[1], "\"; use read, ingest or admin"));
      }
    }
    if (words[0].size() < kMinTokenLength) {
      return error(absl::StrCat("token shorter than ", kMinTokenLength,
                                " characters; make one with `openssl rand -hex 32`"));
    }
    const Digest digest = Sha256(words[0]);
    for (const Entry& e : tokens) {
      if (e.digest == digest) return error("this token is given twice");
    }
    tokens.push_back({digest, scope});
  }
  if (tokens.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--auth-tokens ", origin, ": no tokens in it (one per line: TOKEN [scope])"));
  }
  return tokens;
}

std::shared_ptr<const TokenStore::Entries> TokenStore::Current() const {
  absl::MutexLock lock(&mu_);
  if (path_.empty()) return tokens_;
  const absl::Time now = absl::Now();
  if (now < next_check_) return tokens_;
  next_check_ = now + recheck_interval_;
  const FileStamp stamp = FileStamp::Of(path_);
  if (stamp == stamp_) return tokens_;
  stamp_ = stamp;
  // Read under the lock: a change is rare and the file is small, and callers
  // meanwhile wait rather than see the tokens of a file half read.
  absl::StatusOr<std::string> text = ReadTokenFile(path_);
  absl::StatusOr<Entries> entries =
      text.ok() ? ParseEntries(*text, path_) : absl::StatusOr<Entries>(text.status());
  if (!entries.ok()) {
    ++refused_reloads_;  // a rotation written half way, or a bad edit
    return tokens_;
  }
  tokens_ = std::make_shared<const Entries>(*std::move(entries));
  ++reloads_;
  return tokens_;
}

size_t TokenStore::size() const { return Current()->size(); }

void TokenStore::set_recheck_interval(absl::Duration interval) {
  absl::MutexLock lock(&mu_);
  recheck_interval_ = interval;
  next_check_ = absl::Now() + interval;
}

absl::Status TokenStore::Check(absl::string_view authorization, TokenScope needed) const {
  if (authorization.empty()) {
    return absl::UnauthenticatedError(
        "this server needs a token: give --token, --token-file or LOGWEAVE_TOKEN "
        "(metadata authorization: Bearer TOKEN)");
  }
  absl::string_view token = authorization;
  if (!absl::ConsumePrefix(&token, "Bearer ") && !absl::ConsumePrefix(&token, "bearer ")) {
    return absl::UnauthenticatedError("the authorization metadata must be \"Bearer TOKEN\"");
  }
  token = absl::StripAsciiWhitespace(token);
  const Digest presented = Sha256(token);
  // Every stored digest is compared, whichever matches: the time taken says
  // nothing about which token is close.
  const std::shared_ptr<const Entries> tokens = Current();
  const Entry* match = nullptr;
  for (const Entry& e : *tokens) {
    if (CRYPTO_memcmp(e.digest.data(), presented.data(), presented.size()) == 0) match = &e;
  }
  if (match == nullptr) return absl::UnauthenticatedError("the token is not one this server knows");
  // admin covers every scope; read and ingest only themselves.
  if (match->scope != needed && match->scope != TokenScope::kAdmin) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the token's scope (", ScopeName(match->scope), ") does not allow this call; it needs ",
        needed == TokenScope::kAdmin    ? "an admin"
        : needed == TokenScope::kIngest ? "an ingest or admin"
                                        : "a read or admin",
        " token"));
  }
  return absl::OkStatus();
}

}  // namespace logweave
