#include "connectors/grpc/wire_text.h"

#include "logweave/utf8.h"

namespace logweave {

std::string WireText::Utf8(std::string_view text) {
  if (IsValidUtf8(text)) return std::string(text);
  repaired_.fetch_add(1, std::memory_order_relaxed);
  std::string out;
  out.reserve(text.size() + 8);
  AppendValidUtf8(text, &out);
  return out;
}

}  // namespace logweave
