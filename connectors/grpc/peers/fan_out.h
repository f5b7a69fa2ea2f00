// Sends one query to every peer at once and hands the answers over when the
// last has come or the peer deadline has passed, whichever is first: a down
// or slow peer costs at most the deadline, never a hang.
//
//   FanOut<v1::Stats>(peers, caller, request,
//       [](auto* stub, auto* context, auto* req, auto* resp, auto done) {
//         stub->async()->GetStats(context, req, resp, std::move(done));
//       },
//       [](PeerAnswers<v1::Stats> answers) { ... merge ... });
#ifndef LOGWEAVE_CONNECTORS_GRPC_PEERS_FAN_OUT_H_
#define LOGWEAVE_CONNECTORS_GRPC_PEERS_FAN_OUT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "connectors/grpc/peers/peer_set.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"

namespace logweave {

// What a fan-out brought back: the peers that answered, and the names of
// those that did not (down, slow past the deadline, refused the credentials:
// anything but an answer or NOT_FOUND).
template <typename Response>
struct PeerAnswers {
  struct Answer {
    std::string peer;
    Response response;
    bool found = true;  // false: the peer answered NOT_FOUND (it holds nothing)
  };
  std::vector<Answer> answered;
  std::vector<std::string> unreachable;
};

// Who asks, as the peer calls carry it on: the caller's authorization
// metadata ("" if none: the peer token is sent instead) and its deadline.
struct PeerCaller {
  std::string authorization;
  absl::Time deadline = absl::InfiniteFuture();
};

// The caller's authorization and deadline of a server call.
PeerCaller CallerOf(const grpc::ServerContextBase& context);

// Whether a server call came from a peer (kPeerHeader): then it is answered
// locally, never fanned out again.
bool IsPeerCall(const grpc::ServerContextBase& context);

// Readies a peer call: the peer marker, the credentials, the deadline
// (the peer timeout, and never past the caller's own deadline).
void PreparePeerCall(const PeerSet& peers, const PeerCaller& caller, grpc::ClientContext* context);

// Whether a peer that answered (its initial metadata came) turned out to be
// this process (its kInstanceHeader is ours); if so, marks it in `peers`.
bool IsSelf(PeerSet& peers, const std::string& name, const grpc::ClientContext& context);

// The id (kInstanceHeader) of the instance that answered a peer call; "" if
// it did not say (a peer without peers of its own).
std::string AnsweringInstance(const grpc::ClientContext& context);

// Calls `call(stub, context, request, response, on_done)` for every current
// peer (it starts an async call that runs on_done(status) once) and then
// `done(answers)` once, on a gRPC thread (or this one when there are no
// peers). `peers` must outlive the calls. Does not block.
template <typename Response, typename Request, typename Call>
void FanOut(PeerSet& peers, const PeerCaller& caller, const Request& request, Call call,
            std::function<void(PeerAnswers<Response>)> done) {
  struct Slot {
    std::string peer;
    grpc::ClientContext context;
    Response response;
    grpc::Status status;
  };
  struct State {
    std::vector<std::unique_ptr<Slot>> slots;
    std::atomic<size_t> remaining{0};
    Request request;
    std::function<void(PeerAnswers<Response>)> done;
  };
  auto state = std::make_shared<State>();
  state->request = request;
  state->done = std::move(done);
  PeerAnswers<Response> unresolved;
  std::vector<PeerSet::Peer> current = peers.Current();
  for (PeerSet::Peer& p : current) {
    if (p.stub == nullptr) {
      unresolved.unreachable.push_back(p.name);
      continue;
    }
    auto slot = std::make_unique<Slot>();
    slot->peer = p.name;
    PreparePeerCall(peers, caller, &slot->context);
    state->slots.push_back(std::move(slot));
  }
  auto finish = [state, &peers, unresolved]() mutable {
    PeerAnswers<Response> answers = std::move(unresolved);
    std::vector<std::string> instances;  // a name resolving to v4 and v6 of one host: once
    for (auto& slot : state->slots) {
      if (slot->status.ok() || slot->status.error_code() == grpc::StatusCode::NOT_FOUND) {
        if (IsSelf(peers, slot->peer, slot->context)) continue;
        std::string id = AnsweringInstance(slot->context);
        if (!id.empty()) {
          if (std::find(instances.begin(), instances.end(), id) != instances.end()) continue;
          instances.push_back(std::move(id));
        }
        answers.answered.push_back({slot->peer, std::move(slot->response), slot->status.ok()});
      } else {
        answers.unreachable.push_back(slot->peer);
      }
    }
    auto done = std::move(state->done);
    state.reset();
    done(std::move(answers));
  };
  if (state->slots.empty()) {
    finish();
    return;
  }
  state->remaining.store(state->slots.size());
  // Copies of `current` keep the stubs alive until every call has started.
  for (size_t i = 0; i < state->slots.size(); ++i) {
    Slot* slot = state->slots[i].get();
    auto stub = std::find_if(current.begin(), current.end(), [&](const PeerSet::Peer& p) {
                  return p.name == slot->peer;
                })->stub;
    call(stub.get(), &slot->context, &state->request, &slot->response,
         [state, slot, finish](grpc::Status status) mutable {
           slot->status = std::move(status);
           if (state->remaining.fetch_sub(1) == 1) {
             state.reset();
             finish();
           }
         });
  }
}

// FanOut that waits for `done` to have run (a sync server method).
template <typename Response, typename Request, typename Call>
PeerAnswers<Response> FanOutAndWait(PeerSet& peers, const PeerCaller& caller,
                                    const Request& request, Call call) {
  absl::Notification finished;
  PeerAnswers<Response> out;
  FanOut<Response>(peers, caller, request, call, [&](PeerAnswers<Response> answers) {
    out = std::move(answers);
    finished.Notify();
  });
  finished.WaitForNotification();
  return out;
}

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_PEERS_FAN_OUT_H_
