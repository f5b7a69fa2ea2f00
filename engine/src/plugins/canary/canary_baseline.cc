#include "plugins/canary/canary_baseline.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "internal/strings.h"

namespace logweave::internal {

CanaryBaselineNames::CanaryBaselineNames(const CanaryOptions& options) : options_(options) {
  for (const auto& [canary, stable] : options.baseline) baseline_.emplace(canary, stable);
  for (const std::string& s : options.services) {
    watched_.insert(s);
    for (std::string& c : Candidates(s)) watched_.insert(std::move(c));
  }
}

bool CanaryBaselineNames::IsCanaryService(std::string_view service) const {
  if (baseline_.contains(Av(service))) return true;
  for (const std::string& suffix : options_.canary_suffixes) {
    if (service.size() > suffix.size() && absl::EndsWith(Av(service), suffix)) return true;
  }
  return false;
}

std::vector<std::string> CanaryBaselineNames::Candidates(std::string_view service) const {
  if (auto it = baseline_.find(Av(service)); it != baseline_.end()) return {it->second};
  for (const std::string& suffix : options_.canary_suffixes) {
    if (service.size() <= suffix.size() || !absl::EndsWith(Av(service), suffix)) continue;
    const std::string_view stem = service.substr(0, service.size() - suffix.size());
    std::vector<std::string> out;
    for (const std::string& b : options_.baseline_suffixes) {
      std::string name = absl::StrCat(Av(stem), b);
      if (name != service) out.push_back(std::move(name));
    }
    return out;
  }
  return {};
}

bool CanaryBaselineNames::Watched(std::string_view service) const {
  return watched_.empty() || watched_.contains(Av(service));
}

}  // namespace logweave::internal
