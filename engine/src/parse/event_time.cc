// Event time: where a log line's time comes from. See event_time.h; InferMissingTimes is
// declared in logweave/parser.h.
#include "parse/event_time.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string_view>
#include <vector>

#include "internal/strings.h"
#include "logweave/record.h"
#include "parse/parser.h"
#include "parse/time_parse.h"

namespace logweave {
namespace internal {
namespace {

bool NumberTime(std::string_view text, int64_t* out) {
  int64_t i;
  if (ParseInt(text, &i)) return EpochIntegerToNanos(i, out);
  // "1732377523.123456789": exact decimal arithmetic keeps every digit.
  if (ParseTimestamp(text, out)) return true;
  double d;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc() || ptr != text.data() + text.size()) return false;
  return EpochNumberToNanos(d, out);
}

// The time of a logfmt line ("level=error ts=2026-11-23T10:00:18Z msg=..."):
// the value, bare or in double quotes, of the first `ts=`, `time=` or
// `timestamp=` pair that starts a word within the first kLogfmtScan bytes.
// Sets *out and returns true if that value is a time ParseTimestamp reads.
bool LogfmtTime(std::string_view text, int64_t* out) {
  constexpr size_t kLogfmtScan = 512;
  text = text.substr(0, kLogfmtScan);
  for (std::string_view key :
       {std::string_view("ts="), std::string_view("time="), std::string_view("timestamp=")}) {
    for (size_t pos = text.find(key); pos != std::string_view::npos;
         pos = text.find(key, pos + key.size())) {
      if (pos > 0 && text[pos - 1] != ' ' && text[pos - 1] != '\t') continue;
      std::string_view value = text.substr(pos + key.size());
      if (!value.empty() && value.front() == '"') {
        const size_t close = value.find('"', 1);
        if (close == std::string_view::npos) continue;
        value = value.substr(1, close - 1);
      } else {
        value = value.substr(0, value.find_first_of(" \t"));
      }
      // "time=5" is a duration, not 1970: a bare epoch needs 10 digits (2001 on).
      const size_t integer_digits = std::min(value.find_first_not_of("0123456789"), value.size());
      const bool epoch =
          integer_digits > 0 && (integer_digits == value.size() || value[integer_digits] == '.');
      if (epoch && integer_digits < 10) continue;
      if (ParseTimestamp(value, out)) return true;
    }
  }
  return false;
}

}  // namespace

bool JsonFieldTime(std::string_view value, bool is_string, int64_t* ns) {
  return is_string ? ParseTimestamp(value, ns) : NumberTime(value, ns);
}

bool PlainTextTime(std::string_view text, std::string_view line, int64_t now_ns, int64_t* ns) {
  return ParseLeadingTimestamp(text, ns) > 0 || ParseSyslogTimestamp(text, now_ns, ns) > 0 ||
         LogfmtTime(line, ns);
}

}  // namespace internal

void InferMissingTimes(std::vector<Record>* records) {
  bool have = false;
  int64_t last = 0;
  for (Record& r : *records) {
    if (r.kind == RecordKind::kEmpty) continue;
    if (r.has_time()) {
      have = true;
      last = r.time_ns;
    } else if (have) {
      r.time_ns = last;
      r.flags |= kRecordTimeInferred;
    }
  }
  // Lines before the batch's first timed line take its time.
  have = false;
  for (auto it = records->rbegin(); it != records->rend(); ++it) {
    if (it->kind == RecordKind::kEmpty) continue;
    if (it->has_time()) {
      have = true;
      last = it->time_ns;
    } else if (have && !(it->flags & kRecordTimeInferred)) {
      it->time_ns = last;
      it->flags |= kRecordTimeInferred;
    }
  }
}

}  // namespace logweave
