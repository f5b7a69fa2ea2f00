#include "connectors/grpc/peers/findings_relay.h"

namespace logweave {

FindingsRelay::FindingsRelay(PeerSet& peers, const PeerCaller& caller,
                             const v1::StreamFindingsRequest& request,
                             std::function<bool(const v1::Finding&)> write)
    : write_(std::move(write)) {
  for (PeerSet::Peer& p : peers.Current()) {
    if (p.stub == nullptr) {
      absl::MutexLock lock(&mu_);
      broken_.push_back(p.name);
      continue;
    }
    auto stream = std::make_unique<Stream>();
    stream->peer = p.name;
    PreparePeerCall(peers, caller, &stream->context);
    // A stream has no end: only the peer marker and the credentials apply.
    stream->context.set_deadline(std::chrono::system_clock::time_point::max());
    Stream* s = stream.get();
    streams_.push_back(std::move(stream));
    s->reader =
        std::thread([this, &peers, s, stub = p.stub, request] { Read(peers, s, stub, request); });
  }
}

FindingsRelay::~FindingsRelay() {
  for (auto& s : streams_) s->context.TryCancel();
  for (auto& s : streams_) s->reader.join();
}

void FindingsRelay::Read(PeerSet& peers, Stream* s, std::shared_ptr<v1::LogWeave::Stub> stub,
                         const v1::StreamFindingsRequest& request) {
  std::unique_ptr<grpc::ClientReader<v1::Finding>> reader =
      stub->StreamFindings(&s->context, request);
  // The server sends its initial metadata when it has subscribed.
  reader->WaitForInitialMetadata();
  bool self = false;
  {
    const auto& metadata = s->context.GetServerInitialMetadata();
    auto it = metadata.find(kInstanceHeader);
    self = it != metadata.end() &&
           std::string_view(it->second.data(), it->second.size()) == peers.instance_id();
  }
  if (self) {
    peers.MarkSelf(s->peer);
    s->context.TryCancel();
  }
  v1::Finding f;
  while (!self && reader->Read(&f)) {
    if (!write_(f)) {
      s->context.TryCancel();
      break;
    }
  }
  grpc::Status status = reader->Finish();
  if (!self && !status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
    absl::MutexLock lock(&mu_);
    broken_.push_back(s->peer);
  }
}

std::vector<std::string> FindingsRelay::broken() const {
  absl::MutexLock lock(&mu_);
  return broken_;
}

}  // namespace logweave
