// Trace ids as log lines carry them. See trace_id.h.
#include "parse/trace_id.h"

#include <string_view>

namespace logweave::internal {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

namespace {

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (HexValue(c) < 0) return false;
  }
  return true;
}

}  // namespace

std::string_view UnwrapTraceId(std::string_view id) {
  if (id.starts_with("projects/")) {
    const size_t at = id.rfind("/traces/");
    if (at != std::string_view::npos && at + 8 < id.size()) return id.substr(at + 8);
    return id;
  }
  if (id.size() == 55 && id[2] == '-' && id[35] == '-' && id[52] == '-' && IsHex(id.substr(0, 2)) &&
      IsHex(id.substr(3, 32)) && IsHex(id.substr(36, 16)) && IsHex(id.substr(53, 2))) {
    return id.substr(3, 32);
  }
  return id;
}

}  // namespace logweave::internal
