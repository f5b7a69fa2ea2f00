// The engine's TraceLookup over the peers (serve --peers): one LookupTraces
// call to every peer at once, within the peer deadline, carrying the peer
// token (serve.peer_token_file) as its credentials.
//
//   PeerTraceLookup lookup(peers.get());
//   runtime->SetTraceLookup(&lookup);  // unset before `lookup` goes
#ifndef LOGWEAVE_CONNECTORS_GRPC_PEERS_TRACE_LOOKUP_CLIENT_H_
#define LOGWEAVE_CONNECTORS_GRPC_PEERS_TRACE_LOOKUP_CLIENT_H_

#include <string>
#include <vector>

#include "connectors/grpc/peers/peer_set.h"
#include "logweave/trace_lookup.h"

namespace logweave {

// Thread-safe (its state is the PeerSet's). `peers` is not owned and must outlive it.
class PeerTraceLookup final : public TraceLookup {
 public:
  explicit PeerTraceLookup(PeerSet* peers) : peers_(peers) {}

  // Asks every peer about `trace_ids` (split into calls of at most
  // kMaxIdsPerCall ids and kMaxBytesPerCall bytes of ids) and blocks until they answered or the
  // peer deadline passed. The answer is incomplete when a peer did not answer, refused, or is still
  // replaying (not ready).
  TraceLookupAnswer Lookup(const std::vector<std::string>& trace_ids) override;

  static constexpr size_t kMaxIdsPerCall = 10000;        // the server's limit
  static constexpr size_t kMaxBytesPerCall = 512 << 10;  // half the request size limit

 private:
  PeerSet* const peers_;
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_PEERS_TRACE_LOOKUP_CLIENT_H_
