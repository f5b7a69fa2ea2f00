#include "connectors/http/readiness.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace logweave {

Readiness::~Readiness() { Shutdown(); }

void Readiness::Hold(const std::string& name, const std::string& reason) {
  absl::MutexLock lock(&mu_);
  held_[name] = reason;
  CheckLocked();
}

void Readiness::Release(const std::string& name) {
  absl::MutexLock lock(&mu_);
  held_.erase(name);
  CheckLocked();
}

void Readiness::AddProbe(const std::string& name, Probe probe) {
  absl::MutexLock lock(&mu_);
  if (shut_down_) return;
  probes_[name] = std::move(probe);
  CheckLocked();
}

void Readiness::Watch(Watcher watcher) {
  absl::MutexLock lock(&mu_);
  CheckLocked();
  watcher(ready_);
  watchers_.push_back(std::move(watcher));
}

std::string Readiness::Check() {
  absl::MutexLock lock(&mu_);
  return CheckLocked();
}

std::string Readiness::CheckLocked() {
  std::string reasons;
  auto add = [&reasons](const std::string& reason) {
    absl::StrAppend(&reasons, reasons.empty() ? "" : "; ", reason);
  };
  if (shut_down_) add("shutting down");
  for (const auto& [name, reason] : held_) add(reason);
  for (const auto& [name, probe] : probes_) {
    if (std::string reason = probe(); !reason.empty()) add(reason);
  }
  const bool ready = reasons.empty();
  if (ready != ready_) {
    ready_ = ready;
    for (const Watcher& w : watchers_) w(ready);
  }
  return reasons;
}

void Readiness::StartRefreshing(absl::Duration every) {
  absl::MutexLock lock(&mu_);
  if (shut_down_ || refresher_.joinable()) return;
  refresher_ = std::thread([this, every] {
    while (!stop_refreshing_.WaitForNotificationWithTimeout(every)) Check();
  });
}

void Readiness::Shutdown() {
  std::thread refresher;
  {
    absl::MutexLock lock(&mu_);
    if (!shut_down_) {
      shut_down_ = true;
      probes_.clear();
      CheckLocked();
      stop_refreshing_.Notify();
    }
    refresher.swap(refresher_);
  }
  if (refresher.joinable()) refresher.join();
}

}  // namespace logweave
