#include "logweave/findings_hub.h"

#include <utility>

#include "analysis/plain_text_findings.h"

namespace logweave {

void FindingsHub::Publish(const std::vector<Finding>& findings) {
  Publish(std::vector<Finding>(findings));
}

void FindingsHub::Publish(std::vector<Finding>&& findings) { Publish(std::move(findings), {}, {}); }

void FindingsHub::Publish(std::vector<Finding>&& findings,
                          const std::vector<AttributedEntry>& errors,
                          const std::vector<size_t>& which) {
  if (findings.empty() && which.empty()) return;
  absl::MutexLock lock(&mu_);
  // Merged as ForEachFindingRefInRange merges a report.
  size_t i = 0, j = 0;
  while (i < findings.size() || j < which.size()) {
    if (j == which.size() ||
        (i < findings.size() && internal::FindingBeforeEntry(findings[i], errors[which[j]]))) {
      log_.emplace_back(std::move(findings[i++]));
    } else {
      log_.emplace_back(errors[which[j++]]);
    }
  }
  while (log_.size() > capacity_) {
    log_.pop_front();
    ++first_seq_;
  }
  findings = std::vector<Finding>();
}

std::vector<Finding> FindingsHub::Read(uint64_t* next, absl::Duration timeout) {
  std::vector<Item> items;
  {
    absl::MutexLock lock(&mu_);
    auto ready = [this, next]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return closed_ || first_seq_ + log_.size() > *next;
    };
    mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
    if (closed_) return {};
    if (*next < first_seq_) *next = first_seq_;
    items.assign(log_.begin() + static_cast<std::ptrdiff_t>(*next - first_seq_), log_.end());
    *next = first_seq_ + log_.size();
  }
  // Errors' findings are built outside the lock.
  std::vector<Finding> out;
  out.reserve(items.size());
  for (Item& item : items) {
    if (Finding* f = std::get_if<Finding>(&item)) {
      out.push_back(std::move(*f));
    } else {
      out.push_back(UnstructuredErrorFinding(std::get<AttributedEntry>(item)));
    }
  }
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
