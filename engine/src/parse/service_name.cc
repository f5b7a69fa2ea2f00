// The service name a source's name implies (ServiceFromSourceName, logweave/source.h).
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "internal/strings.h"
#include "logweave/source.h"

namespace logweave {

using internal::Av;

std::string ServiceFromSourceName(std::string_view name) {
  size_t slash = name.find_last_of('/');
  // Kubernetes: /var/log/pods/NAMESPACE_POD_UID/CONTAINER/N.log (rotated:
  // N.log.YYYYMMDD-HHMMSS, maybe compressed) names the container in its
  // directory.
  if (const size_t pods = name.find("/pods/");
      pods != std::string_view::npos && slash != std::string_view::npos && slash > pods + 6) {
    std::string_view file = name.substr(slash + 1);
    for (std::string_view ext : {".gz", ".zst"}) {
      if (absl::EndsWith(Av(file), Av(ext))) file.remove_suffix(ext.size());
    }
    const size_t log = file.find(".log");
    const std::string_view number = file.substr(0, log);
    const std::string_view dir_path = name.substr(0, slash);
    const std::string_view dir = dir_path.substr(dir_path.find_last_of('/') + 1);
    if (log != std::string_view::npos && !number.empty() &&
        number.find_first_not_of("0123456789") == std::string_view::npos &&
        dir_path.size() > pods + 6 && !dir.empty()) {
      return std::string(dir);
    }
  }
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  if (name == "-" || name.empty()) return "stdin";
  // Kubernetes: /var/log/containers/POD_NAMESPACE_CONTAINER-<64 hex id>.log
  // names the container third.
  if (const size_t dash = name.rfind('-'); dash != std::string_view::npos) {
    std::string_view id = name.substr(dash + 1);
    if (absl::EndsWith(Av(id), ".log")) id.remove_suffix(4);
    const std::string_view head = name.substr(0, dash);
    const size_t second = head.rfind('_');
    const size_t first = second == std::string_view::npos || second == 0
                             ? std::string_view::npos
                             : head.rfind('_', second - 1);
    if (id.size() == 64 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos &&
        first != std::string_view::npos && second + 1 < head.size()) {
      return std::string(head.substr(second + 1));
    }
  }
  auto strip_suffix = [&name](std::string_view suffix) {
    if (name.size() > suffix.size() && absl::EndsWith(Av(name), Av(suffix))) {
      name.remove_suffix(suffix.size());
      return true;
    }
    return false;
  };
  auto strip_digits = [&name]() {  // ".1", "-20261123", "-2026-11-23", "_3"
    size_t i = name.size();
    while (i > 0 && (absl::ascii_isdigit(static_cast<unsigned char>(name[i - 1])) ||
                     (name[i - 1] == '-' && i >= 2 &&
                      absl::ascii_isdigit(static_cast<unsigned char>(name[i - 2]))))) {
      --i;
    }
    if (i < name.size() && i > 1 &&
        (name[i - 1] == '.' || name[i - 1] == '-' || name[i - 1] == '_')) {
      name = name.substr(0, i - 1);
      return true;
    }
    return false;
  };
  bool changed = true;
  while (changed) {
    changed = strip_suffix(".gz") || strip_suffix(".zst") || strip_suffix(".log") ||
              strip_suffix(".json") || strip_suffix(".ndjson") || strip_suffix(".jsonl") ||
              strip_suffix(".txt") || strip_suffix(".out") || strip_digits();
  }
  return std::string(name);
}

}  // namespace logweave
