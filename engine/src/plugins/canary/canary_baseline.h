// Which services are canaries by name, and which services may be their
// baselines: the canary rule's reading of plugins.canary.baseline,
// canary_suffixes and baseline_suffixes.
#ifndef LOGWEAVE_PLUGINS_CANARY_CANARY_BASELINE_H_
#define LOGWEAVE_PLUGINS_CANARY_CANARY_BASELINE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "plugins/canary/canary_options.h"

namespace logweave::internal {

// Immutable after construction; thread-safe.
class CanaryBaselineNames {
 public:
  explicit CanaryBaselineNames(const CanaryOptions& options);

  // Whether `service` is a canary by its name: a key of `baseline`, or a name
  // ending in a canary suffix ("myapp-canary").
  bool IsCanaryService(std::string_view service) const;
  // The services that may be its baseline, best first: the one `baseline`
  // names, else X + each baseline suffix ("myapp-stable", "myapp-primary",
  // "myapp"). Empty for a service that is not a canary by name.
  std::vector<std::string> Candidates(std::string_view service) const;
  // Whether the rule takes `service`'s lines: every service when
  // `services` is empty, else those listed and their baseline candidates.
  bool Watched(std::string_view service) const;

 private:
  const CanaryOptions& options_;
  absl::flat_hash_map<std::string, std::string> baseline_;  // canary -> baseline
  absl::flat_hash_set<std::string> watched_;                // empty: all
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_PLUGINS_CANARY_CANARY_BASELINE_H_
