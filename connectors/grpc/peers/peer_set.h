// The other instances of a logweave deployment that a `serve` asks when it
// answers a query (serve.peers, --peers): their gRPC addresses, static or a
// DNS name that resolves to all of them (a Kubernetes headless Service),
// re-resolved every resolve_interval with getaddrinfo. Keys: docs/config.md.
//
//   auto peers = PeerSet::Create(options, server->address(), security).value();
//   for (const PeerSet::Peer& p : peers->Current()) ... p.stub->async()->GetStats(...)
//
// An instance listed as its own peer ignores itself: an address equal to its
// own listening address is skipped, and every peer call carries this
// instance's random id (kPeerHeader); a server that finds its own id in the
// answer (kInstanceHeader) is this process, and MarkSelf drops it for good.
#ifndef LOGWEAVE_CONNECTORS_GRPC_PEERS_PEER_SET_H_
#define LOGWEAVE_CONNECTORS_GRPC_PEERS_PEER_SET_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "connectors/grpc/security/server_security.h"
#include "grpcpp/security/credentials.h"
#include "logweave/v1/logweave.grpc.pb.h"

namespace logweave {

// Request metadata of a call one instance makes to a peer: the asking
// instance's id. A call with it is answered from the local index only (it
// never fans out again).
inline constexpr char kPeerHeader[] = "logweave-peer";
// Initial metadata of the answer to a peer call: the answering instance's id.
inline constexpr char kInstanceHeader[] = "logweave-instance";

struct PeerOptions {
  // host:port of each peer (serve.peers, --peers); a host may be a DNS name
  // resolving to several addresses, each a peer. Empty: no peers.
  std::vector<std::string> peers;
  // How long a query waits for the peers' answers (serve.peer_timeout);
  // then it answers with what it has, marked partial. Default 2 s.
  absl::Duration timeout = absl::Seconds(2);
  // How often the names are resolved again (serve.peer_resolve_interval). Default 30 s.
  absl::Duration resolve_interval = absl::Seconds(30);
  // Speak TLS to the peers, trusting server certificates this CA signed
  // (serve.peer_tls_ca); this instance's own serve.tls certificate, if any,
  // is its client certificate (mTLS). Empty: plaintext.
  std::string tls_ca;
  // A file whose first line is the bearer token peer calls carry when the
  // caller's call had none (serve.peer_token_file); empty: none.
  std::string token_file;
  // Test hook: replaces getaddrinfo; gives the ip:port names `host` resolves
  // to (empty: it does not resolve).
  std::function<std::vector<std::string>(const std::string& host, const std::string& port)>
      resolve_for_test;

  // INVALID_ARGUMENT naming the key: an entry that is not host:port, a
  // non-positive duration, a TLS CA or token file that cannot be read.
  absl::Status Validate() const;
};

// Thread-safe. Owns the channels and a thread that re-resolves the names.
class PeerSet {
 public:
  // One peer as resolved now. `stub` is null when its name did not resolve
  // (it counts as unreachable).
  struct Peer {
    std::string name;  // ip:port ([ip]:port for IPv6), or the entry if unresolved
    std::shared_ptr<v1::LogWeave::Stub> stub;
  };

  // Resolves the names once (an unresolvable name is not an error: it is an
  // unreachable peer until it resolves) and starts re-resolving. `own_address`
  // is this server's bound host:port; `own_security` gives the client
  // certificate for mTLS. INVALID_ARGUMENT for invalid options.
  static absl::StatusOr<std::unique_ptr<PeerSet>> Create(const PeerOptions& options,
                                                         const std::string& own_address,
                                                         const ServerSecurityOptions& own_security);
  ~PeerSet();

  // The peers now, self excluded.
  std::vector<Peer> Current() const;
  // This process's random id (hex), sent in kPeerHeader and kInstanceHeader.
  const std::string& instance_id() const { return instance_id_; }
  // `name` answered with this instance's id: it is this process; skipped from now on.
  void MarkSelf(const std::string& name);
  absl::Duration timeout() const { return options_.timeout; }
  // "Bearer TOKEN" of token_file, or "".
  const std::string& peer_authorization() const { return peer_authorization_; }

 private:
  PeerSet(const PeerOptions& options, std::string own_address);
  // Resolves every entry and updates peers_ (channels kept for names that stay).
  void Resolve();
  void ResolveLoop();

  const PeerOptions options_;
  const std::string own_address_;
  const std::string instance_id_;
  std::string peer_authorization_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;

  mutable absl::Mutex mu_;
  std::vector<Peer> peers_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> self_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread resolver_;
};

// The peer part of "host:port" entries given as one comma-separated string
// (--peers a:7070,b:7070): split, trimmed, empty parts dropped.
std::vector<std::string> SplitPeerList(const std::string& text);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_PEERS_PEER_SET_H_
