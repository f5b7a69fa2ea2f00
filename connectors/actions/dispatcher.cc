#include "connectors/actions/dispatcher.h"

#include <errno.h>
#include <signal.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "connectors/actions/template.h"
#include "logweave/enum_names.h"

namespace logweave::actions {
namespace {

constexpr char kStateFile[] = "actions_acted.tsv";
// (action, finding id) pairs remembered at most; the oldest are forgotten.
constexpr size_t kMaxActed = 100000;

std::string ActedKey(const std::string& action, const std::string& finding_id) {
  return absl::StrCat(action, "\t", finding_id);
}

}  // namespace

const char* ActionOutcomeName(ActionOutcome outcome) {
  constexpr const char* kNames[] = {"ok", "failed", "timeout", "dry_run", "cooldown"};
  static_assert(NamesCover(kNames, ActionOutcome::kCooldown), "an outcome without a name");
  return NameOf(kNames, outcome, "failed");
}

absl::Status DispatcherOptions::Validate() const {
  if (!finding_json) return absl::InvalidArgumentError("actions: finding_json is required");
  if (queue_capacity == 0) return absl::InvalidArgumentError("actions: queue_capacity must be > 0");
  for (const ConfiguredAction& a : actions) {
    if (a.action == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("action ", a.options.name, " has no kind"));
    }
    if (absl::Status s = a.options.Validate(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ActionDispatcher>> ActionDispatcher::Create(
    DispatcherOptions options) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  std::unique_ptr<ActionDispatcher> d(new ActionDispatcher(std::move(options)));
  if (absl::Status s = d->LoadState(); !s.ok()) return s;
  d->worker_ = std::thread([p = d.get()] { p->Work(); });
  return d;
}

ActionDispatcher::ActionDispatcher(DispatcherOptions options) : options_(std::move(options)) {}

ActionDispatcher::~ActionDispatcher() {
  Stop();
  if (state_file_ != nullptr) std::fclose(state_file_);
}

absl::Status ActionDispatcher::LoadState() {
  if (options_.state_dir.empty()) return absl::OkStatus();
  std::error_code ec;
  std::filesystem::create_directories(options_.state_dir, ec);
  const std::string path = (std::filesystem::path(options_.state_dir) / kStateFile).string();
  std::vector<std::string> keys;
  {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      std::vector<std::string> fields = absl::StrSplit(line, '\t');
      if (fields.size() < 2 || fields[0].empty() || fields[1].empty()) continue;  // a torn write
      keys.push_back(ActedKey(fields[0], fields[1]));
    }
  }
  if (keys.size() > kMaxActed) {
    // Keep the newest: rewrite the file with them.
    keys.erase(keys.begin(), keys.end() - kMaxActed);
    std::ofstream out(path + ".tmp", std::ios::trunc);
    for (const std::string& k : keys) out << k << "\n";
    out.close();
    if (!out || std::rename((path + ".tmp").c_str(), path.c_str()) != 0) {
      return absl::InternalError(
          absl::StrCat("actions: cannot rewrite ", path, ": ", std::strerror(errno)));
    }
  }
  state_file_ = std::fopen(path.c_str(), "a");
  if (state_file_ == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat(
        "actions: cannot write ", path, " (serve --state-dir): ", std::strerror(errno)));
  }
  absl::MutexLock lock(&mu_);
  for (const std::string& k : keys) Remember(k);
  return absl::OkStatus();
}

void ActionDispatcher::Remember(const std::string& key) {
  if (!acted_.insert(key).second) return;
  acted_order_.push_back(key);
  if (acted_order_.size() > kMaxActed) {
    acted_.erase(acted_order_.front());
    acted_order_.pop_front();
  }
}

void ActionDispatcher::Offer(const Finding& finding) {
  if (finding.resolved) return;  // a decision acts once: its retraction does not act
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < options_.actions.size(); ++i) {
    const ActionOptions& o = options_.actions[i].options;
    if (!o.Matches(finding)) continue;
    const std::string key = ActedKey(o.name, finding.id);
    if (acted_.contains(key)) {
      ++stats_.repeats;
      continue;
    }
    if (stopping_ || queue_.size() >= options_.queue_capacity) {
      ++stats_.dropped;
      continue;
    }
    Remember(key);
    queue_.push_back(Job{i, finding});
  }
}

void ActionDispatcher::Follow(FindingsHub* hub) {
  absl::MutexLock lock(&mu_);
  if (hub_ != nullptr || stopping_) return;
  hub_ = hub;
  follower_ = std::thread([this, hub] {
    uint64_t next = 0;
    for (;;) {
      std::vector<Finding> findings = hub->Read(&next, absl::Milliseconds(200));
      {
        absl::MutexLock lock(&mu_);
        if (stopping_) return;
      }
      if (findings.empty() && hub->closed()) return;
      for (const Finding& f : findings) Offer(f);
    }
  });
}

void ActionDispatcher::Drain() {
  absl::MutexLock lock(&mu_);
  auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || (queue_.empty() && !running_job_);
  };
  mu_.Await(absl::Condition(&done));
}

void ActionDispatcher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (follower_.joinable()) follower_.join();
  if (worker_.joinable()) worker_.join();
  absl::MutexLock lock(&mu_);
  stats_.dropped += queue_.size();
  queue_.clear();
}

void ActionDispatcher::Work() {
  // A program that exits without reading its stdin must not end logweave:
  // a write to its pipe then fails with EPIPE on this thread instead.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  for (;;) {
    Job job;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      running_job_ = true;
    }
    ActionRun run = RunJob(job);
    if (state_file_ != nullptr) {
      std::fprintf(state_file_, "%s\t%s\t%s\n", run.action.c_str(), run.finding_id.c_str(),
                   ActionOutcomeName(run.result.outcome));
      std::fflush(state_file_);
    }
    if (options_.on_run) options_.on_run(run);
    absl::MutexLock lock(&mu_);
    ++stats_.outcomes[ActionOutcomeName(run.result.outcome)];
    runs_.push_back(std::move(run));
    while (runs_.size() > options_.runs_kept) runs_.pop_front();
    running_job_ = false;
  }
}

ActionRun ActionDispatcher::RunJob(const Job& job) {
  const ConfiguredAction& a = options_.actions[job.action];
  const Finding& f = job.finding;
  ActionRun run;
  run.action = a.options.name;
  run.action_kind = a.options.kind;
  run.finding_id = f.id;
  run.finding_kind = f.kind;
  run.subject = f.subject;
  run.service = FindingService(f);
  run.command = a.action->Describe(f);
  run.started = options_.now();
  const std::string cooldown_key = absl::StrCat(a.options.name, "\t", f.subject);
  auto last = last_run_.find(cooldown_key);
  if (a.options.cooldown_ns > 0 && last != last_run_.end() &&
      run.started - last->second < absl::Nanoseconds(a.options.cooldown_ns)) {
    run.result.outcome = ActionOutcome::kCooldown;
    return run;
  }
  last_run_[cooldown_key] = run.started;
  if (a.options.dry_run) {
    run.result.outcome = ActionOutcome::kDryRun;
    return run;
  }
  const absl::Time start = absl::Now();
  run.result = a.action->Run(f, options_.finding_json(f), absl::Nanoseconds(a.options.timeout_ns));
  run.duration = absl::Now() - start;
  return run;
}

std::vector<ActionRun> ActionDispatcher::Runs(size_t limit, const std::string& action) const {
  absl::MutexLock lock(&mu_);
  std::vector<ActionRun> out;
  for (auto it = runs_.rbegin(); it != runs_.rend(); ++it) {
    if (!action.empty() && it->action != action) continue;
    out.push_back(*it);
    if (limit != 0 && out.size() >= limit) break;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

DispatcherStats ActionDispatcher::Stats() const {
  absl::MutexLock lock(&mu_);
  DispatcherStats s = stats_;
  s.queued = queue_.size();
  return s;
}

}  // namespace logweave::actions
