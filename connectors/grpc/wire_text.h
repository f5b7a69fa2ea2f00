// Text for the proto `string` fields the server fills. Protobuf requires them
// to be valid UTF-8 (a receiver refuses the whole message otherwise), but log
// lines are bytes: a binary payload, a truncated multibyte sequence or Latin-1
// text may be in a message, a service name, a trace id, a file name. Every
// string the server sends passes through WireText::Utf8 first.
//
//   WireText text;
//   event->set_message(text.Utf8(e.message));  // "a\xffb" -> "a\uFFFDb"
//   ... text.repaired() ...                      // 1
#ifndef LOGWEAVE_CONNECTORS_GRPC_WIRE_TEXT_H_
#define LOGWEAVE_CONNECTORS_GRPC_WIRE_TEXT_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace logweave {

// Thread-safe: the counter is atomic; one instance serves every call of a server.
class WireText {
 public:
  // `text` unchanged when it is valid UTF-8 (checked first: ASCII 8 bytes at a
  // time), else a copy with each maximal invalid sequence replaced by U+FFFD,
  // counted in repaired().
  std::string Utf8(std::string_view text);

  // Strings Utf8 had to repair so far.
  uint64_t repaired() const { return repaired_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> repaired_{0};
};

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_WIRE_TEXT_H_
