// The canary rule plugin: decides when a canary version of a service must be
// rolled back.
//
// Every interval of event time (15 s), a check looks at the canary's
// requests of the last window (1 min): it fails when their error rate is
// above max_error_rate (5%) or their p99 latency above max_p99 (2 s). After
// `strikes` (3) failed checks in a row, a `canary_rollback` finding (critical)
// asks for the action (rollback), with the failing checks, the baseline's
// figures of the same windows and a few failed canary requests as evidence.
// A check with fewer than min_requests canary requests decides nothing and
// neither adds to nor breaks the run of strikes; a passing check breaks it.
//
// Canary and stable may also be separate services: a service named in
// `baseline` or ending in a canary suffix ("myapp-canary") is a canary service
// whose baseline is the configured service or the first of "myapp-stable",
// "myapp-primary", "myapp" with requests in the window; relative criteria
// (error rate above the baseline's by N points, p99 above k x the
// baseline's) can fail a check too. Percentiles come from per-slot latency
// sketches (latency_sketch.h), merged over a check's window.
//
// Requests are JSON lines with a version field (`version`, `service.version`,
// `app.version`, `kubernetes.labels.version`, ...), and a latency field
// (`latency_ms`, `duration_ms`, `elapsed`, `event.duration` in ns, Go duration
// strings "250ms"...) or an HTTP status (`status`, `http.status_code`,
// `http.response.status_code`, ...). Checks are made on event time, so the
// same lines give the same decisions replayed or streamed (in streaming, a
// check is made once the watermark is `lateness` past it; requests older
// than a check already made are counted as late and left out).
#ifndef LOGWEAVE_PLUGINS_CANARY_CANARY_H_
#define LOGWEAVE_PLUGINS_CANARY_CANARY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "logweave/index.h"
#include "plugins/canary/canary_baseline.h"
#include "plugins/canary/canary_options.h"
#include "plugins/json_fields.h"
#include "plugins/queued_plugin.h"

namespace logweave {

// One request, as Observe takes it from a line.
struct CanaryRequest {
  int64_t time_ns = 0;
  int64_t latency_ns = -1;  // -1: none given
  bool failed = false;
  bool canary = false;
  bool versioned = true;  // false: no version field (a line of a service by its name)
  uint32_t source_id = 0;
  uint64_t line_no = 0;
  uint64_t line_hash = 0;  // of the raw line: a repeated line is taken once
  std::string service;
  std::string version;
  std::string text;  // failed canary requests only: the line, shortened
};

// Reads requests from JSON lines: the version, latency and status under
// the configured keys, then the built-in ones. Immutable; thread-safe.
class CanaryRequestReader {
 public:
  explicit CanaryRequestReader(const CanaryOptions& options);
  // False if the line is not a request (no version field, or neither a
  // latency nor an HTTP status).
  bool Read(std::string_view json, CanaryRequest* out) const { return Read(json, true, out); }
  // Same; with `require_version` false, a line without a version field is a
  // request too (version "").
  bool Read(std::string_view json, bool require_version, CanaryRequest* out) const;

 private:
  // `slots`: the version, latency and status keys of `options`.
  CanaryRequestReader(const CanaryOptions& options,
                      const std::vector<std::vector<std::string>>& slots);

  std::vector<int64_t> latency_units_;    // per latency key, by rank
  internal::JsonFieldPicker picker_;      // skips lines without a version key
  internal::JsonFieldPicker any_picker_;  // reads every line
  std::vector<std::string> any_needles_;  // what a line without a version must hold
};

// Observe and dropped(): thread-safe, lock-free (QueuedRulePlugin). Absorb,
// Evaluate and counters(): thread-safe, under one mutex.
class CanaryPlugin : public internal::OptionsRulePlugin<CanaryPlugin, CanaryOptions, CanaryRequest,
                                                        CanaryRequestReader> {
 public:
  static constexpr std::string_view kName = "canary";

  ~CanaryPlugin() override;

  struct Counters {
    uint64_t requests = 0;  // canary and baseline requests taken in
    uint64_t late = 0;      // older than a check already made: left out
    uint64_t checks = 0;    // checks that decided (enough canary requests)
    uint64_t failed_checks = 0;
  };
  Counters counters() const {
    absl::MutexLock lock(&mu_);
    return counters_;
  }

  using Request = CanaryRequest;

 private:
  struct ServiceState;
  friend OptionsRulePlugin;  // Create makes it
  CanaryPlugin(const CanaryOptions& options, const SourceNames& sources);
  bool Take(const Record& record, CanaryRequest* out) const override;
  void Keep(CanaryRequest&& request) override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Decide(int64_t watermark_ns, std::vector<Finding>* out) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  struct Aggregate;
  struct Check;
  // Makes the checks due up to `until_ns` for one service.
  void RunChecks(const std::string& service, ServiceState& state, int64_t until_ns)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The baseline of `service`'s check over (from, t]: a baseline service's
  // requests if it is a canary by name and one has requests then (its name
  // in `baseline_service`), else its own requests of other versions.
  void Baseline(const std::string& service, const ServiceState& state, int64_t from, int64_t t,
                Aggregate* out, std::string* baseline_service) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Decides a check; appends the finding when it completes a run of strikes.
  void Judge(const std::string& service, ServiceState& state, Check&& check)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops the slots no check will read again.
  void Prune() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const internal::CanaryBaselineNames names_;
  // Requests are kept as per-slot figures; slots are this wide (the gcd of
  // interval and window, so that every check's window is whole slots).
  const int64_t slot_ns_;
  std::map<std::string, ServiceState> services_ ABSL_GUARDED_BY(mu_);  // by service name
  Counters counters_ ABSL_GUARDED_BY(mu_);
};

// CanaryRequestReader(options).Read(json, out), for tests.
bool ReadCanaryRequest(std::string_view json, const CanaryOptions& options, CanaryRequest* out);

}  // namespace logweave

#endif  // LOGWEAVE_PLUGINS_CANARY_CANARY_H_
