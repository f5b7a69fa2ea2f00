#include "connectors/grpc/peers/fan_out.h"

#include <chrono>

namespace logweave {

PeerCaller CallerOf(const grpc::ServerContextBase& context) {
  PeerCaller caller;
  const auto& metadata = context.client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    caller.authorization.assign(it->second.data(), it->second.size());
  }
  const auto deadline = context.deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    caller.deadline = absl::FromChrono(deadline);
  }
  return caller;
}

bool IsPeerCall(const grpc::ServerContextBase& context) {
  return context.client_metadata().count(kPeerHeader) > 0;
}

void PreparePeerCall(const PeerSet& peers, const PeerCaller& caller, grpc::ClientContext* context) {
  context->AddMetadata(kPeerHeader, peers.instance_id());
  const std::string& authorization =
      caller.authorization.empty() ? peers.peer_authorization() : caller.authorization;
  if (!authorization.empty()) context->AddMetadata("authorization", authorization);
  // A little before the caller's own deadline, so that the merged answer
  // still reaches it.
  absl::Time deadline = absl::Now() + peers.timeout();
  if (caller.deadline != absl::InfiniteFuture()) {
    deadline = std::min(deadline, caller.deadline - absl::Milliseconds(50));
  }
  context->set_deadline(absl::ToChronoTime(deadline));
}

std::string AnsweringInstance(const grpc::ClientContext& context) {
  const auto& metadata = context.GetServerInitialMetadata();
  auto it = metadata.find(kInstanceHeader);
  return it == metadata.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

bool IsSelf(PeerSet& peers, const std::string& name, const grpc::ClientContext& context) {
  if (AnsweringInstance(context) != peers.instance_id()) return false;
  peers.MarkSelf(name);
  return true;
}

}  // namespace logweave
