// The action dispatcher: takes findings as the analysis reports them, picks
// the actions that match, and runs them one at a time on a worker thread of
// its own, so that acting never holds up ingestion or the analysis.
//
//   DispatcherOptions options;
//   options.actions = config.actions;              // ReadActionsSection
//   options.finding_json = FormatFindingJson;
//   options.state_dir = "/var/lib/logweave";       // acts once across restarts
//   auto dispatcher = ActionDispatcher::Create(std::move(options)).value();
//   dispatcher->Follow(&runtime->findings());      // serve: every finding change
//   dispatcher->Offer(finding);                    // or hand them over yourself
//   dispatcher->Drain();                           // replay: wait for the runs
//
// A decision acts once: each action runs at most once per finding id (a
// resolved update never runs it, and with a state directory neither does a
// restart that reports the finding again); `cooldown` holds one action back
// for a subject it ran for within that time.
#ifndef LOGWEAVE_CONNECTORS_ACTIONS_DISPATCHER_H_
#define LOGWEAVE_CONNECTORS_ACTIONS_DISPATCHER_H_

#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "connectors/actions/action.h"
#include "connectors/actions/action_options.h"
#include "logweave/finding.h"
#include "logweave/findings_hub.h"

namespace logweave::actions {

// The record of one run (or of a run held back: dry_run, cooldown).
struct ActionRun {
  std::string action;       // its name
  std::string action_kind;  // "exec", "webhook"
  std::string finding_id;
  std::string finding_kind;
  std::string subject;
  std::string service;      // FindingService
  std::string command;      // what it runs: Action::Describe
  absl::Time started;       // wall clock
  absl::Duration duration;  // 0 when nothing ran
  ActionResult result;      // result.outcome: what came of it
};

struct DispatcherStats {
  std::map<std::string, uint64_t> outcomes;  // runs by outcome name ("ok", ...)
  uint64_t dropped = 0;  // findings not acted on: the queue was full (or stopped)
  uint64_t repeats = 0;  // findings an action had acted on already (skipped)
  uint64_t queued = 0;   // waiting now
};

struct DispatcherOptions {
  std::vector<ConfiguredAction> actions;
  // The finding as JSON (exec's stdin, the webhook's body). Required.
  std::function<std::string(const Finding&)> finding_json;
  // Findings waiting to be acted on at most; more are dropped (counted). Default 1024.
  size_t queue_capacity = 1024;
  // Where the (action, finding id) pairs acted on are kept (file
  // actions_acted.tsv), so that a restart does not act again; "": in memory only.
  std::string state_dir;
  // Runs kept for Runs() (the newest). Default 1000.
  size_t runs_kept = 1000;
  // Wall clock, for cooldowns and the record; tests inject one.
  std::function<absl::Time()> now = [] { return absl::Now(); };
  // Called on the worker thread after each run is recorded (may be empty).
  std::function<void(const ActionRun&)> on_run;

  absl::Status Validate() const;
};

// Thread-safe. Owns the worker thread (and the follower thread of Follow).
class ActionDispatcher {
 public:
  // Validates, reads the state directory's record (creating the directory)
  // and starts the worker. INVALID_ARGUMENT for bad options; the file error
  // (with its path) when the state cannot be read or written.
  static absl::StatusOr<std::unique_ptr<ActionDispatcher>> Create(DispatcherOptions options);
  // Stop().
  ~ActionDispatcher();
  ActionDispatcher(const ActionDispatcher&) = delete;
  ActionDispatcher& operator=(const ActionDispatcher&) = delete;

  // Queues a run of each action that matches `finding` and has not acted on
  // its id. Never blocks on a run: a full queue drops the finding (counted).
  void Offer(const Finding& finding);

  // Offers every finding `hub` publishes, from its first kept one on, on a
  // thread of its own until the hub closes or Stop(). Once. `hub` must
  // outlive the dispatcher or its Stop().
  void Follow(FindingsHub* hub);

  // Blocks until every queued run is done (each bounded by its timeout and retries).
  void Drain();

  // Stops following, finishes the run in progress, drops the queued ones
  // (counted; not recorded as acted on) and joins the threads. Idempotent.
  void Stop();

  // The newest runs, oldest first, at most `limit` (0: all kept); only
  // `action`'s when given.
  std::vector<ActionRun> Runs(size_t limit = 0, const std::string& action = "") const;
  DispatcherStats Stats() const;

 private:
  struct Job {
    size_t action;  // index in options_.actions
    Finding finding;
  };

  explicit ActionDispatcher(DispatcherOptions options);
  absl::Status LoadState();
  void Work();
  ActionRun RunJob(const Job& job);
  void Remember(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const DispatcherOptions options_;
  std::FILE* state_file_ = nullptr;  // appended to by the worker only

  mutable absl::Mutex mu_;
  std::deque<Job> queue_ ABSL_GUARDED_BY(mu_);  // producers: Offer's callers; consumer: worker
  bool running_job_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // "action\tfinding id" acted on (or queued), oldest first for forgetting.
  absl::flat_hash_set<std::string> acted_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> acted_order_ ABSL_GUARDED_BY(mu_);
  std::deque<ActionRun> runs_ ABSL_GUARDED_BY(mu_);
  DispatcherStats stats_ ABSL_GUARDED_BY(mu_);

  // Owned by the worker: when each (action, subject) last ran, for cooldowns.
  absl::flat_hash_map<std::string, absl::Time> last_run_;

  std::thread worker_;
  std::thread follower_;
  FindingsHub* hub_ = nullptr;
};

}  // namespace logweave::actions

#endif  // LOGWEAVE_CONNECTORS_ACTIONS_DISPATCHER_H_
