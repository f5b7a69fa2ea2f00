#include "connectors/grpc/peers/peer_set.h"

#include <netdb.h>
#include <sys/socket.h>

#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "connectors/grpc/security/pem_files.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace logweave {
namespace {

// Splits "host:port" or "[v6]:port"; false without a port.
bool SplitHostPort(const std::string& entry, std::string* host, std::string* port) {
  const size_t colon = entry.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == entry.size()) return false;
  *host = entry.substr(0, colon);
  *port = entry.substr(colon + 1);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return port->find_first_not_of("0123456789") == std::string::npos;
}

// Every address `host` resolves to, as ip:port / [ip]:port; empty if none.
std::vector<std::string> ResolveEntry(const std::string& host, const std::string& port) {
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::vector<std::string> out;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return out;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    char ip[NI_MAXHOST];
    if (getnameinfo(a->ai_addr, a->ai_addrlen, ip, sizeof(ip), nullptr, 0, NI_NUMERICHOST) != 0) {
      continue;
    }
    std::string name =
        a->ai_family == AF_INET6 ? absl::StrCat("[", ip, "]:", port) : absl::StrCat(ip, ":", port);
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  }
  freeaddrinfo(found);
  return out;
}

std::string RandomInstanceId() {
  std::random_device device;
  std::mt19937_64 bits((static_cast<uint64_t>(device()) << 32) ^ device());
  return absl::StrFormat("%016x", bits());
}

}  // namespace

std::vector<std::string> SplitPeerList(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

absl::Status PeerOptions::Validate() const {
  for (const std::string& entry : peers) {
    std::string host, port;
    if (!SplitHostPort(entry, &host, &port)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "serve.peers: \"", entry, "\" is not host:port; give e.g. logweave-0.logweave:7070"));
    }
  }
  if (timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("serve.peer_timeout must be a positive duration, e.g. 2s");
  }
  if (resolve_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "serve.peer_resolve_interval must be a positive duration, e.g. 30s");
  }
  if (!tls_ca.empty()) {
    if (absl::Status s = CheckCertificateFile("serve.peer_tls_ca", tls_ca); !s.ok()) return s;
  }
  if (!token_file.empty()) {
    absl::StatusOr<std::string> text = ReadPemFile("serve.peer_token_file", token_file);
    if (!text.ok()) return text.status();
    if (absl::StripAsciiWhitespace(absl::string_view(*text).substr(0, text->find('\n'))).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("serve.peer_token_file ", token_file, ": its first line is empty"));
    }
  }
  return absl::OkStatus();
}

PeerSet::PeerSet(const PeerOptions& options, std::string own_address)
    : options_(options), own_address_(std::move(own_address)), instance_id_(RandomInstanceId()) {}

absl::StatusOr<std::unique_ptr<PeerSet>> PeerSet::Create(
    const PeerOptions& options, const std::string& own_address,
    const ServerSecurityOptions& own_security) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  std::unique_ptr<PeerSet> set(new PeerSet(options, own_address));
  if (!options.token_file.empty()) {
    absl::StatusOr<std::string> text = ReadPemFile("serve.peer_token_file", options.token_file);
    if (!text.ok()) return text.status();
    set->peer_authorization_ = absl::StrCat(
        "Bearer ",
        absl::StripAsciiWhitespace(absl::string_view(*text).substr(0, text->find('\n'))));
  }
  if (options.tls_ca.empty()) {
    set->credentials_ = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    absl::StatusOr<std::string> roots = ReadPemFile("serve.peer_tls_ca", options.tls_ca);
    if (!roots.ok()) return roots.status();
    ssl.pem_root_certs = *roots;
    if (own_security.tls()) {
      absl::StatusOr<std::string> chain = ReadPemFile("serve.tls.cert", own_security.tls_cert);
      absl::StatusOr<std::string> key = ReadPemFile("serve.tls.key", own_security.tls_key);
      if (!chain.ok()) return chain.status();
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = *chain;
      ssl.pem_private_key = *key;
    }
    set->credentials_ = grpc::SslCredentials(ssl);
  }
  set->Resolve();
  set->resolver_ = std::thread([p = set.get()] { p->ResolveLoop(); });
  return set;
}

PeerSet::~PeerSet() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (resolver_.joinable()) resolver_.join();
}

void PeerSet::ResolveLoop() {
  absl::MutexLock lock(&mu_);
  while (true) {
    const absl::Time next = absl::Now() + options_.resolve_interval;
    while (!stopping_ && absl::Now() < next) {
      mu_.AwaitWithDeadline(absl::Condition(&stopping_), next);
    }
    if (stopping_) return;
    mu_.Unlock();
    Resolve();  // getaddrinfo may block: not under the lock
    mu_.Lock();
  }
}

void PeerSet::Resolve() {
  // (name, TLS host) of every peer now.
  std::vector<std::pair<std::string, std::string>> wanted;
  for (const std::string& entry : options_.peers) {
    std::string host, port;
    SplitHostPort(entry, &host, &port);  // Validate checked the form
    std::vector<std::string> names = options_.resolve_for_test
                                         ? options_.resolve_for_test(host, port)
                                         : ResolveEntry(host, port);
    if (names.empty()) wanted.emplace_back(entry, "");
    for (std::string& name : names) {
      if (name != own_address_) wanted.emplace_back(std::move(name), host);
    }
  }
  absl::flat_hash_map<std::string, std::shared_ptr<v1::LogWeave::Stub>> known;
  {
    absl::MutexLock lock(&mu_);
    for (const Peer& p : peers_) known[p.name] = p.stub;
  }
  std::vector<Peer> next;
  for (const auto& wanted_peer : wanted) {
    const std::string& name = wanted_peer.first;
    const std::string& host = wanted_peer.second;
    if (std::any_of(next.begin(), next.end(), [&](const Peer& p) { return p.name == name; })) {
      continue;
    }
    std::shared_ptr<v1::LogWeave::Stub> stub;
    if (auto it = known.find(name); it != known.end()) stub = it->second;
    if (stub == nullptr && !host.empty()) {
      grpc::ChannelArguments args;
      if (!options_.tls_ca.empty()) args.SetSslTargetNameOverride(host);
      stub = v1::LogWeave::NewStub(grpc::CreateCustomChannel(name, credentials_, args));
    }
    next.push_back(Peer{name, std::move(stub)});
  }
  absl::MutexLock lock(&mu_);
  peers_ = std::move(next);
}

std::vector<PeerSet::Peer> PeerSet::Current() const {
  absl::MutexLock lock(&mu_);
  std::vector<Peer> out;
  for (const Peer& p : peers_) {
    if (!self_.contains(p.name)) out.push_back(p);
  }
  return out;
}

void PeerSet::MarkSelf(const std::string& name) {
  absl::MutexLock lock(&mu_);
  self_.insert(name);
}

}  // namespace logweave
