#include "connectors/grpc/page_token.h"

#include <charconv>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace logweave {

std::string EncodeCursor(const Cursor& c) {
  return absl::WebSafeBase64Escape(absl::StrCat("v1|", c.time, "|", c.id));
}

bool DecodeCursor(const std::string& token, Cursor* c) {
  std::string text;
  if (!absl::WebSafeBase64Unescape(token, &text)) return false;
  std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits('|', 2));
  if (parts.size() != 3 || parts[0] != "v1") return false;
  auto [p, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), c->time);
  if (ec != std::errc() || p != parts[1].data() + parts[1].size()) return false;
  c->id = parts[2];
  return true;
}

}  // namespace logweave
