// Repairs around the JSON field handler: values preferred as views of the raw line, lone
// UTF-16 surrogate escapes replaced. See json_line.h.
#include "parse/json_line.h"

#include <cstring>
#include <string_view>

#include "parse/trace_id.h"

namespace logweave::internal {

std::string_view PreferRaw(std::string_view value, const char* scratch_line, std::string_view raw) {
  if (value.data() < scratch_line || value.data() > scratch_line + raw.size()) return value;
  size_t offset = static_cast<size_t>(value.data() - scratch_line);
  if (offset + value.size() > raw.size()) return value;
  if (std::memcmp(raw.data() + offset, value.data(), value.size()) != 0) return value;
  return raw.substr(offset, value.size());
}

namespace {

// The code unit of a "\uXXXX" escape at raw[i], or -1.
int EscapeAt(std::string_view raw, size_t i) {
  if (i + 6 > raw.size() || raw[i] != '\\' || raw[i + 1] != 'u') return -1;
  int v = 0;
  for (size_t k = 2; k < 6; ++k) {
    int h = HexValue(raw[i + k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

}  // namespace

bool RepairLoneSurrogates(std::string_view raw, char* scratch) {
  std::memcpy(scratch, raw.data(), raw.size());
  scratch[raw.size()] = '\0';
  bool repaired = false;
  for (size_t i = 0; i + 6 <= raw.size(); ++i) {
    if (raw[i] != '\\') continue;
    if (raw[i + 1] != 'u') {
      ++i;  // skip the escaped character (it may be a backslash)
      continue;
    }
    int unit = EscapeAt(raw, i);
    if (unit < 0) continue;
    bool high = unit >= 0xD800 && unit <= 0xDBFF;
    bool low = unit >= 0xDC00 && unit <= 0xDFFF;
    if (high) {
      int next = EscapeAt(raw, i + 6);
      if (next >= 0xDC00 && next <= 0xDFFF) {
        i += 11;  // a valid pair
        continue;
      }
    }
    if (high || low) {
      std::memcpy(scratch + i, "\\ufffd", 6);
      repaired = true;
    }
    i += 5;
  }
  return repaired;
}

bool NullOutNumberAt(char* scratch, size_t size, size_t offset) {
  // The number as JSON's grammar has it: -?int(.digits)?([eE][+-]?digits)?
  auto digits = [&](size_t i) {
    while (i < size && scratch[i] >= '0' && scratch[i] <= '9') ++i;
    return i;
  };
  size_t end = offset;
  if (end < size && scratch[end] == '-') ++end;
  const size_t int_start = end;
  end = digits(end);
  if (end == int_start) return false;
  if (end < size && scratch[end] == '.') {
    const size_t frac = end + 1;
    end = digits(frac);
    if (end == frac) return false;
  }
  if (end < size && (scratch[end] == 'e' || scratch[end] == 'E')) {
    size_t exp = end + 1;
    if (exp < size && (scratch[exp] == '+' || scratch[exp] == '-')) ++exp;
    end = digits(exp);
    if (end == exp) return false;
  }
  // Followed by more of a number's characters, it is no number: the line stays refused.
  if (end < size && std::strchr("+-.eE0123456789", scratch[end]) != nullptr) return false;
  if (end - offset < 4) return false;
  std::memcpy(scratch + offset, "null", 4);
  std::memset(scratch + offset + 4, ' ', end - offset - 4);
  return true;
}

}  // namespace logweave::internal
