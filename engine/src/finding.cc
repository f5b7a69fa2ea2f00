#include "logweave/finding.h"

#include "absl/strings/str_format.h"
#include "logweave/enum_names.h"
#include "plugins/registry.h"
#include "xxhash.h"

namespace logweave {

const char* SeverityName(Severity severity) {
  constexpr const char* kNames[] = {"info", "warning", "error", "critical"};
  static_assert(NamesCover(kNames, Severity::kCritical), "a severity without a name");
  return NameOf(kNames, severity, "info");
}

const std::string& Finding::Detail(const std::string& key) const {
  static const std::string* const kEmpty = new std::string();
  for (const auto& [k, v] : details) {
    if (k == key) return v;
  }
  return *kEmpty;
}

std::vector<std::string> FindingKinds() {
  // The analysis' detectors (engine/src/analysis).
  std::vector<std::string> kinds = {"missing_service", "incomplete_sequence", "unstructured_error"};
  for (const internal::RulePluginEntry& plugin : internal::RulePluginRegistry()) {
    kinds.emplace_back(plugin.finding_kind);
  }
  return kinds;
}

std::string FindingId(std::string_view kind, std::initializer_list<std::string_view> parts) {
  std::string key(kind);
  for (std::string_view p : parts) {
    key.push_back('\0');
    key.append(p);
  }
  std::string prefix;
  for (char c : kind) {
    if (c == '_') continue;
    if (prefix.size() < 3) prefix.push_back(c);
  }
  return absl::StrFormat("%s-%016x", prefix, XXH3_64bits(key.data(), key.size()));
}

}  // namespace logweave
