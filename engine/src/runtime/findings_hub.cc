#include "logweave/findings_hub.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "analysis/plain_text_findings.h"

namespace logweave {

void FindingsHub::Publish(const std::vector<Finding>& findings) {
  Publish(std::vector<Finding>(findings));
}

void FindingsHub::Publish(std::vector<Finding>&& findings) {
  Publish(std::move(findings), nullptr, {});
}

void FindingsHub::Publish(std::vector<Finding>&& findings,
                          std::shared_ptr<const std::vector<AttributedEntry>> errors,
                          const std::vector<size_t>& which) {
  absl::MutexLock lock(&mu_);
  if (errors != nullptr && errors != latest_errors_) MoveReferencesTo(errors);
  // Merged as ForEachFindingRefInRange merges a report.
  size_t i = 0, j = 0;
  while (i < findings.size() || j < which.size()) {
    if (j == which.size() ||
        (i < findings.size() && internal::FindingBeforeEntry(findings[i], (*errors)[which[j]]))) {
      log_.emplace_back(std::make_shared<const Finding>(std::move(findings[i++])));
    } else {
      log_.emplace_back(ErrorRef{errors, which[j++]});
    }
  }
  while (log_.size() > capacity_) {
    log_.pop_front();
    ++first_seq_;
  }
  findings = std::vector<Finding>();
}

void FindingsHub::MoveReferencesTo(
    const std::shared_ptr<const std::vector<AttributedEntry>>& errors) {
  // The errors of the new report by id, made only if some reference needs it.
  absl::flat_hash_map<absl::string_view, size_t> by_id;
  for (Item& item : log_) {
    ErrorRef* ref = std::get_if<ErrorRef>(&item);
    if (ref == nullptr) continue;
    const AttributedEntry& published = ref->entry();
    // Most errors keep their place from one report to the next.
    if (ref->index < errors->size() && published == (*errors)[ref->index]) {
      ref->errors = errors;
      continue;
    }
    if (by_id.empty()) {
      by_id.reserve(errors->size());
      for (size_t k = 0; k < errors->size(); ++k) {
        const std::string& id = (*errors)[k].entry.id.str();
        by_id.try_emplace(absl::string_view(id.data(), id.size()), k);
      }
    }
    const std::string& id = published.entry.id.str();
    auto it = by_id.find(absl::string_view(id.data(), id.size()));
    if (it != by_id.end() && published == (*errors)[it->second]) {
      ref->errors = errors;
      ref->index = it->second;
    } else {
      item = std::make_shared<const AttributedEntry>(published);
    }
  }
  latest_errors_ = errors;
}

Finding FindingsHub::Build(const Item& item) {
  if (const auto* finding = std::get_if<std::shared_ptr<const Finding>>(&item)) return **finding;
  if (const auto* ref = std::get_if<ErrorRef>(&item)) {
    return UnstructuredErrorFinding(ref->entry());
  }
  return UnstructuredErrorFinding(*std::get<std::shared_ptr<const AttributedEntry>>(item));
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
  // Findings are built outside the lock.
  std::vector<Finding> out;
  out.reserve(items.size());
  for (const Item& item : items) out.push_back(Build(item));
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
