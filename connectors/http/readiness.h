// Whether `logweave serve` is ready for traffic and, when it is not, why:
// the one state behind both /readyz (connectors/http) and grpc.health.v1
// (LogweaveServer::SetReady, a watcher). It is ready when no condition
// holds it back: conditions set and cleared by the daemon (the initial
// replay) and probes asked again every refresh (a Kafka consumer that has not
// joined its group yet).
//
//   Readiness readiness;
//   readiness.Hold("replay", "still replaying the initial files");
//   readiness.Watch([&](bool ready) { server->SetReady(ready); });
//   readiness.AddProbe("kafka", [&] { return joined ? "" : "kafka: not connected"; });
//   readiness.StartRefreshing(absl::Seconds(1));
//   readiness.Release("replay");
//   ... readiness.Check() ...     // "" when ready, else the reasons
//   readiness.Shutdown();          // not ready from now on; probes dropped
#ifndef LOGWEAVE_CONNECTORS_HTTP_READINESS_H_
#define LOGWEAVE_CONNECTORS_HTTP_READINESS_H_

#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace logweave {

// Thread-safe. Owns the refresh thread (StartRefreshing), which Shutdown or
// the destructor stops. Probes and watchers run on the thread that calls
// Check (an HTTP request, the refresh thread) with the state's lock held:
// they must be quick and must not call back into the Readiness.
class Readiness {
 public:
  // Returns "" when its condition is met, else why it is not.
  using Probe = std::function<std::string()>;
  // Called with the new state each time it changes (and once on Watch).
  using Watcher = std::function<void(bool ready)>;

  Readiness() = default;
  ~Readiness();
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;

  // Condition `name` holds readiness back with `reason` (replacing its
  // previous reason) until Release(name).
  void Hold(const std::string& name, const std::string& reason);
  void Release(const std::string& name);
  // Adds a condition asked at every Check.
  void AddProbe(const std::string& name, Probe probe);
  // Adds a watcher and tells it the current state.
  void Watch(Watcher watcher);

  // Asks the probes; tells the watchers if the state changed. Returns "" when
  // ready, else every reason, "; "-separated, in the order of their names.
  std::string Check();

  // Checks every `every` on a thread of its own, so that watchers hear of a
  // probe's change without anyone asking. Once.
  void StartRefreshing(absl::Duration every);

  // Not ready from now on ("shutting down"): probes are dropped (what they
  // look at may go away next), watchers told, the refresh thread stopped.
  // Idempotent.
  void Shutdown();

 private:
  std::string CheckLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::map<std::string, std::string> held_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Probe> probes_ ABSL_GUARDED_BY(mu_);
  std::vector<Watcher> watchers_ ABSL_GUARDED_BY(mu_);
  bool ready_ ABSL_GUARDED_BY(mu_) = false;  // as last told to the watchers
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;

  absl::Notification stop_refreshing_;
  std::thread refresher_;
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_HTTP_READINESS_H_
