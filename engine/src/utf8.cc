#include "logweave/utf8.h"

#include <cstdint>
#include <cstring>

namespace logweave {
namespace {

// Length of the valid UTF-8 sequence at p[0..n), or 0 if it is invalid.
size_t ValidSequenceLength(const unsigned char* p, size_t n) {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  if (c < 0xC2) return 0;  // continuation byte or overlong 2-byte lead
  if (c < 0xE0) {
    return (n >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
  }
  if (c < 0xF0) {
    if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && p[1] >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c < 0xF5) {
    if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) {
      return 0;
    }
    if (c == 0xF0 && p[1] < 0x90) return 0;   // overlong
    if (c == 0xF4 && p[1] >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t i = 0;
  constexpr uint64_t kHighBits = 0x8080808080808080ull;
  while (i < n) {
    uint64_t word;
    if (n - i >= 8) {
      std::memcpy(&word, p + i, 8);
      if ((word & kHighBits) == 0) {
        i += 8;
        continue;
      }
    } else if (n >= 8) {
      // A tail of under 8 bytes: the last 8 bytes of the text hold it.
      std::memcpy(&word, p + n - 8, 8);
      if ((word & kHighBits) == 0) return true;
    }
    size_t len = ValidSequenceLength(p + i, n - i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void AppendValidUtf8(std::string_view bytes, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t i = 0;
  size_t run_start = 0;
  while (i < n) {
    size_t len = ValidSequenceLength(p + i, n - i);
    if (len > 0) {
      i += len;
      continue;
    }
    out->append(bytes.data() + run_start, i - run_start);
    out->append(kReplacementCharacter);
    ++i;
    // Skip the continuation bytes of the broken sequence.
    while (i < n && (p[i] & 0xC0) == 0x80) ++i;
    run_start = i;
  }
  out->append(bytes.data() + run_start, n - run_start);
}

bool ReadsAs(std::string_view stored, std::string_view shown) {
  if (stored == shown) return true;
  if (IsValidUtf8(stored)) return false;
  std::string repaired;
  AppendValidUtf8(stored, &repaired);
  return repaired == shown;
}

}  // namespace logweave
