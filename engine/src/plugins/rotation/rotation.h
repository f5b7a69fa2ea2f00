// The rotation rule plugin: a secret was rotated, the service's pods still
// report Running (its /healthz checks only the HTTP server), but its new
// database connections fail with the old password.
//
// Rotations are CloudTrail Secrets Manager events on the stream
// (RotateSecret, PutSecretValue, UpdateSecret, UpdateSecretVersionStage to
// AWSCURRENT; a call with an errorCode rotated nothing). Authentication
// failures are the services' own lines, plain text or JSON: PostgreSQL
// (password authentication failed, SQLSTATE 28P01), MySQL (1045 Access
// denied for user), SQL Server (18456 Login failed for user), MongoDB
// (Authentication failed), drivers' errors (asyncpg's InvalidPasswordError),
// and a deep health endpoint (/healthz/db) answering 5xx about credentials.
//
// A service whose run of authentication failures starts within `window`
// (15 min) after a rotation is one `rotation_incomplete` finding (error):
// the secret, the service, the first failure, how many, and whether its
// shallow health still passed ("Running, but cannot authenticate"). The
// latest rotation before the run is blamed, among the secrets `secrets`
// maps to the service if it maps any. It is resolved when the service's deep
// health passes again or it has logged no failure for `resolve_after`.
// Connection errors and timeouts are not authentication failures; failures
// whose run began before any rotation explain nothing.
//
// Lines are applied in event time, once the watermark is `lateness` past
// them, so a replay and a stream of the same lines find the same incidents.
#ifndef LOGWEAVE_PLUGINS_ROTATION_ROTATION_H_
#define LOGWEAVE_PLUGINS_ROTATION_ROTATION_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "logweave/index.h"
#include "plugins/queued_plugin.h"
#include "plugins/rotation/rotation_options.h"
#include "plugins/rotation/rotation_signals.h"

namespace logweave {

// One signal with its line, as Observe takes it.
struct RotationItem {
  RotationSignal signal;
  int64_t time_ns = 0;
  uint32_t source_id = 0;
  uint64_t line_no = 0;
  uint64_t line_hash = 0;  // of the raw line: a repeated line is taken once
  std::string service;
  std::string text;  // the line, shortened (evidence)
};

// Observe and dropped(): thread-safe, lock-free (QueuedRulePlugin). Absorb,
// Evaluate and counters(): thread-safe, under one mutex.
class RotationPlugin : public internal::OptionsRulePlugin<RotationPlugin, RotationOptions,
                                                          RotationItem, RotationSignalReader> {
 public:
  static constexpr std::string_view kName = "rotation";

  ~RotationPlugin() override;

  struct Counters {
    uint64_t rotations = 0;         // rotation events applied
    uint64_t failed_rotations = 0;  // rotation calls that failed (errorCode): ignored
    uint64_t auth_failures = 0;     // authentication failures applied
    uint64_t unexplained = 0;       // failures that no rotation before them explains
    uint64_t incidents = 0;         // rotation_incomplete incidents opened
    uint64_t late = 0;              // signals older than lines already applied
    uint64_t applied_early = 0;     // times max_pending signals waited and half were applied
  };
  Counters counters() const {
    absl::MutexLock lock(&mu_);
    return counters_;
  }

 private:
  // A line's place, shortened, for the evidence.
  struct Line {
    int64_t time_ns = 0;
    uint32_t source_id = 0;
    uint64_t line_no = 0;
    std::string text;
  };
  struct Rotation {
    std::string secret;
    std::string event;
    Line line;
  };
  // A service failing to authenticate after a rotation.
  struct Incident {
    Rotation rotation;
    int64_t first_ns = 0, last_ns = 0;
    uint64_t failures = 0;
    std::string what, user;  // of the first failure
    enum Shallow : uint8_t { kUnknown, kPassed, kFailed } shallow = kUnknown;  // its latest check
    Line first, latest;                                                        // failures
    int64_t resolved_ns = 0;
    std::string resolved_by;  // "deep_health" or "quiet"
  };
  struct ServiceState {
    int64_t last_failure_ns = INT64_MIN;
    int64_t run_start_ns = INT64_MIN;  // the first failure of the current run
    bool run_broken = false;           // its deep health passed since the last failure
    int64_t shallow_ns = INT64_MIN;    // its latest shallow health check
    bool shallow_ok = false;
    bool open = false;
    Incident incident;  // valid while open
  };
  friend OptionsRulePlugin;  // Create makes it
  RotationPlugin(const RotationOptions& options, const SourceNames& sources);
  bool Take(const Record& record, RotationItem* out) const override;
  void Keep(RotationItem&& item) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Decide(int64_t watermark_ns, std::vector<Finding>* out) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SortPending() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Applies one signal, in event-time order.
  void Apply(RotationItem& item) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyFailure(RotationItem& item, ServiceState& state) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The latest rotation that may explain a run of failures of `service`
  // starting at `run_start_ns`, or null.
  const Rotation* Blame(const std::string& service, int64_t run_start_ns) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Closes `state`'s open incident at `time_ns`.
  void Resolve(const std::string& service, ServiceState& state, int64_t time_ns, const char* why)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Finding MakeFinding(const std::string& service, const Incident& incident) const;
  // Whether `secret` may explain `service`'s failures (the secrets map).
  bool MayExplain(const std::string& secret, const std::string& service) const;

  std::map<std::string, std::vector<std::string>> secrets_;  // options_.secrets by SecretName
  absl::flat_hash_set<std::string> mapped_services_;         // every service secrets_ names
  // The newest event time of any record seen (to within a second): what a
  // complete replay's "now" is. Written by Take on the workers.
  mutable std::atomic<int64_t> newest_ns_{INT64_MIN};

  std::vector<RotationItem> pending_ ABSL_GUARDED_BY(mu_);  // not yet settled
  int64_t applied_through_ ABSL_GUARDED_BY(mu_) = INT64_MIN;
  std::map<std::string, std::deque<Rotation>> rotations_ ABSL_GUARDED_BY(mu_);  // by secret
  std::map<std::string, ServiceState> services_ ABSL_GUARDED_BY(mu_);           // by service
  std::deque<std::pair<std::string, Incident>> resolved_ ABSL_GUARDED_BY(mu_);  // the latest
  Counters counters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace logweave

#endif  // LOGWEAVE_PLUGINS_ROTATION_ROTATION_H_
