#include "logweave/findings_hub.h"

namespace logweave {

void FindingsHub::Publish(const std::vector<Finding>& findings) {
  Publish(std::vector<Finding>(findings));
}

void FindingsHub::Publish(std::vector<Finding>&& findings) {
  if (findings.empty()) return;
  absl::MutexLock lock(&mu_);
  for (Finding& f : findings) log_.push_back(std::move(f));
  while (log_.size() > capacity_) {
    log_.pop_front();
    ++first_seq_;
  }
  findings = std::vector<Finding>();
}

std::vector<Finding> FindingsHub::Read(uint64_t* next, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this, next]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ || first_seq_ + log_.size() > *next;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  std::vector<Finding> out;
  if (closed_) return out;
  if (*next < first_seq_) *next = first_seq_;
  for (uint64_t s = *next; s < first_seq_ + log_.size(); ++s) out.push_back(log_[s - first_seq_]);
  *next = first_seq_ + log_.size();
  return out;
}

uint64_t FindingsHub::next_sequence() const {
  absl::MutexLock lock(&mu_);
  return first_seq_ + log_.size();
}

void FindingsHub::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

bool FindingsHub::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

}  // namespace logweave
