// Container runtimes' wrappers around a log line. See container.h.
#include "parse/container.h"

#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "internal/strings.h"
#include "parse/time_parse.h"

namespace logweave::internal {

size_t CriPrefixLength(std::string_view line, int64_t* ns) {
  if (line.size() < 30 || !absl::ascii_isdigit(static_cast<unsigned char>(line[0])) ||
      line[4] != '-' || line[10] != 'T') {
    return 0;
  }
  const size_t time_end = line.find(' ', 20);
  if (time_end == std::string_view::npos || time_end > 40) return 0;
  std::string_view rest = line.substr(time_end + 1);
  if (!absl::StartsWith(Av(rest), "stdout ") && !absl::StartsWith(Av(rest), "stderr ")) return 0;
  rest.remove_prefix(7);
  const size_t tag_end = rest.find(' ');
  // The tag: F or P, possibly with more ':'-separated flags in later runtimes.
  if (tag_end == std::string_view::npos && rest != "F" && rest != "P") return 0;
  const std::string_view tag = rest.substr(0, tag_end);
  if (tag.empty() || (tag[0] != 'F' && tag[0] != 'P') || (tag.size() > 1 && tag[1] != ':')) {
    return 0;
  }
  if (!ParseTimestamp(line.substr(0, time_end), ns)) return 0;
  return tag_end == std::string_view::npos
             ? line.size()
             : static_cast<size_t>(rest.data() - line.data()) + tag_end + 1;
}

}  // namespace logweave::internal
