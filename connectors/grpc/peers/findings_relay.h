// StreamFindings across instances: the findings of every peer's stream,
// handed to the caller's stream as they come (next to the local ones).
#ifndef LOGWEAVE_CONNECTORS_GRPC_PEERS_FINDINGS_RELAY_H_
#define LOGWEAVE_CONNECTORS_GRPC_PEERS_FINDINGS_RELAY_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "connectors/grpc/peers/fan_out.h"
#include "connectors/grpc/peers/peer_set.h"

namespace logweave {

// Thread-safe. One reader thread per peer, each calling `write` with the
// peer's findings (`write` must be thread-safe; false ends that peer's
// stream). Ends the peers' streams when destroyed.
class FindingsRelay {
 public:
  // Opens a StreamFindings call with `request` to every current peer.
  // `peers` must outlive the relay.
  FindingsRelay(PeerSet& peers, const PeerCaller& caller, const v1::StreamFindingsRequest& request,
                std::function<bool(const v1::Finding&)> write);
  ~FindingsRelay();

  // The peers whose stream could not be opened or broke off (down, refused).
  std::vector<std::string> broken() const;

 private:
  struct Stream {
    std::string peer;
    grpc::ClientContext context;
    std::thread reader;
  };
  void Read(PeerSet& peers, Stream* stream, std::shared_ptr<v1::LogWeave::Stub> stub,
            const v1::StreamFindingsRequest& request);

  std::function<bool(const v1::Finding&)> write_;
  std::vector<std::unique_ptr<Stream>> streams_;
  mutable absl::Mutex mu_;
  std::vector<std::string> broken_ ABSL_GUARDED_BY(mu_);
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_PEERS_FINDINGS_RELAY_H_
