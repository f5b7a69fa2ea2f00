#include "logweave/parser.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstring>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "internal/field_table.h"
#include "internal/strings.h"
#include "logweave/plain_text.h"
#include "logweave/time_parse.h"
#include "logweave/utf8.h"
#include "rapidjson/reader.h"
#include "xxhash.h"

namespace logweave {

using internal::Av;
using internal::Field;
using internal::FieldRef;
using internal::FieldTable;
using internal::Sv;

namespace {

constexpr int kMaxDepth = 64;  // deepest object level whose keys are looked at
constexpr size_t kMaxPath = 256;

enum class ValueType : uint8_t { kNone, kString, kNumber };

// RapidJSON SAX handler that records the best-ranked value of each field.
// Objects are looked into only along configured dotted paths; arrays never.
class FieldHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, FieldHandler> {
 public:
  // `max_nesting`: containers deeper than this stop the parse (too_deep is set).
  FieldHandler(const FieldTable& table, int max_nesting)
      : table_(table), max_nesting_(max_nesting) {}

  std::string_view value[internal::kFieldCount];
  ValueType type[internal::kFieldCount] = {};
  uint8_t rank[internal::kFieldCount];
  bool top_is_object = false;
  bool too_deep = false;
  // Docker's json-file shape: the string under a top-level "log" key, whether
  // a top-level "stream" is "stdout" or "stderr", and whether a time key
  // ("time", or "date" / "@timestamp" as shippers rename it) is there.
  std::string_view docker_log;
  bool docker_stream = false;
  bool docker_time = false;
  bool IsDockerLine() const { return docker_stream && docker_time && !docker_log.empty(); }

  bool Default() {  // null, bool, and anything else not overridden
    pending_ = nullptr;
    pending_docker_ = DockerKey::kNone;
    return depth_ > 0;
  }
  bool String(const char* str, rapidjson::SizeType len, bool) {
    return Value(str, len, ValueType::kString);
  }
  bool RawNumber(const char* str, rapidjson::SizeType len, bool) {
    return Value(str, len, ValueType::kNumber);
  }
  bool StartObject() {
    pending_docker_ = DockerKey::kNone;
    if (depth_ >= max_nesting_) return TooDeep();
    if (depth_ == 0) {
      top_is_object = true;
      depth_ = 1;
      prefix_len_[1] = 0;
      return true;
    }
    if (depth_ + 1 >= kMaxDepth) {
      // Deeper than any path we look at: keep parsing but ignore it all.
      if (ignore_from_ == 0) ignore_from_ = depth_ + 1;
      ++depth_;
      return true;
    }
    ++depth_;
    if (ignore_from_ == 0) {
      // Look inside only if the key that holds this object starts a configured path.
      if (key_len_ + 1 < kMaxPath && key_len_ > 0 &&
          table_.IsPrefix(std::string_view(path_, key_len_))) {
        path_[key_len_] = '.';
        prefix_len_[depth_] = key_len_ + 1;
      } else {
        ignore_from_ = depth_;
      }
    }
    pending_ = nullptr;
    return true;
  }
  bool Key(const char* str, rapidjson::SizeType len, bool) {
    pending_ = nullptr;
    if (ignore_from_ != 0) return true;
    size_t prefix = prefix_len_[depth_];
    if (prefix + len >= kMaxPath) {
      key_len_ = 0;
      return true;
    }
    if (prefix == 0) {
      // Top-level key: look it up where it is, without copying.
      pending_ = table_.Find(std::string_view(str, len));
      switch (len) {  // one jump for the common key that is none of these
        case 3:
          if (std::memcmp(str, "log", 3) == 0) pending_docker_ = DockerKey::kLog;
          break;
        case 6:
          if (std::memcmp(str, "stream", 6) == 0) pending_docker_ = DockerKey::kStream;
          break;
        case 4:  // Docker's "time", or a shipper's (fluent-bit) time key
          if (std::memcmp(str, "time", 4) == 0 || std::memcmp(str, "date", 4) == 0) {
            docker_time = true;
          }
          break;
        case 10:
          if (std::memcmp(str, "@timestamp", 10) == 0) docker_time = true;
          break;
      }
      std::memcpy(path_, str, len);
    } else {
      std::memcpy(path_ + prefix, str, len);
      pending_ = table_.Find(std::string_view(path_, prefix + len));
    }
    key_len_ = prefix + len;
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return End(); }
  bool StartArray() {
    pending_docker_ = DockerKey::kNone;
    if (depth_ == 0) return false;  // a top-level array is not a record
    if (depth_ >= max_nesting_) return TooDeep();
    ++depth_;
    if (ignore_from_ == 0) ignore_from_ = depth_;
    pending_ = nullptr;
    return true;
  }
  bool EndArray(rapidjson::SizeType) { return End(); }

 private:
  bool Value(const char* str, size_t len, ValueType t) {
    if (depth_ == 0) return false;  // a top-level scalar is not a record
    if (pending_docker_ != DockerKey::kNone) {
      if (t == ValueType::kString) {
        const std::string_view v(str, len);
        if (pending_docker_ == DockerKey::kLog) {
          docker_log = v;
        } else {
          docker_stream = v == "stdout" || v == "stderr";
        }
      }
      pending_docker_ = DockerKey::kNone;
    }
    if (pending_ != nullptr && len > 0) {  // an empty value counts as absent
      Field f = pending_->field;
      if (type[f] == ValueType::kNone || pending_->rank < rank[f]) {
        value[f] = std::string_view(str, len);
        type[f] = t;
        rank[f] = pending_->rank;
      }
      pending_ = nullptr;
    }
    return true;
  }
  bool TooDeep() {
    too_deep = true;
    return false;
  }
  bool End() {
    if (depth_ == ignore_from_) ignore_from_ = 0;
    --depth_;
    pending_ = nullptr;
    return true;
  }

  const FieldTable& table_;
  const int max_nesting_;
  const FieldRef* pending_ = nullptr;  // the field the next value belongs to
  enum class DockerKey : uint8_t { kNone, kLog, kStream };
  DockerKey pending_docker_ = DockerKey::kNone;  // the top-level key the next value is of
  int depth_ = 0;                                // containers open
  int ignore_from_ = 0;                // >0: inside an ignored container opened at this depth
  size_t key_len_ = 0;                 // length of the last key's full path in path_
  size_t prefix_len_[kMaxDepth] = {};  // path prefix ("trace.") of keys at each depth
  char path_[kMaxPath];
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(Av(a), Av(b));
}

Level LevelFromNumber(int64_t n) {
  if (n > 600) {  // java.util.logging: 700 CONFIG, 800 INFO, 900 WARNING, 1000 SEVERE
    switch (n) {
      case 700:
      case 800:
        return Level::kInfo;
      case 900:
        return Level::kWarn;
      case 1000:
        return Level::kError;
    }
    return Level::kUnknown;
  }
  if (n >= 100) {  // Monolog (PHP): 100 debug, 200 info, 250 notice, 300 warning, 400 error, 500+
    if (n >= 500) return Level::kFatal;
    if (n >= 400) return Level::kError;
    if (n >= 300) return Level::kWarn;
    if (n >= 200) return Level::kInfo;
    return Level::kDebug;
  }
  if (n >= 60) return Level::kFatal;  // pino/bunyan: 10 trace ... 60 fatal
  if (n >= 50) return Level::kError;
  if (n >= 40) return Level::kWarn;
  if (n >= 30) return Level::kInfo;
  if (n >= 20) return Level::kDebug;
  if (n >= 10) return Level::kTrace;
  switch (n) {  // syslog severities 0-7
    case 0:
    case 1:
    case 2:
      return Level::kFatal;
    case 3:
      return Level::kError;
    case 4:
      return Level::kWarn;
    case 5:
    case 6:
      return Level::kInfo;
    case 7:
      return Level::kDebug;
  }
  return Level::kUnknown;
}

std::string_view TrimWhitespace(std::string_view s) {
  return Sv(absl::StripAsciiWhitespace(Av(s)));
}

}  // namespace

namespace {

// The level a one-letter initial names, as glog, klog and Android's logcat
// write them (E W I D F, V and T for the finer ones); kUnknown otherwise.
Level LevelFromInitial(char c) {
  switch (absl::ascii_toupper(static_cast<unsigned char>(c))) {
    case 'F':
      return Level::kFatal;
    case 'E':
      return Level::kError;
    case 'W':
      return Level::kWarn;
    case 'I':
      return Level::kInfo;
    case 'D':
      return Level::kDebug;
    case 'V':
    case 'T':
      return Level::kTrace;
  }
  return Level::kUnknown;
}

}  // namespace

Level ParseLevelWord(std::string_view word) {
  // Padded levels ("INFO ", from a fixed-width %-5level pattern) are common.
  word = TrimWhitespace(word);
  if (word.empty() || word.size() > 16) return Level::kUnknown;
  switch (absl::ascii_tolower(static_cast<unsigned char>(word[0]))) {
    case 't':
      if (EqualsIgnoreCase(word, "trace")) return Level::kTrace;
      break;
    case 'd':
      if (EqualsIgnoreCase(word, "debug") || EqualsIgnoreCase(word, "dbg") ||
          EqualsIgnoreCase(word, "dbug")) {  // log15
        return Level::kDebug;
      }
      if (EqualsIgnoreCase(word, "dpanic")) return Level::kError;  // zap: an error in production
      break;
    case 'v':
      if (EqualsIgnoreCase(word, "verbose")) return Level::kDebug;
      break;
    case 'f':
      if (EqualsIgnoreCase(word, "fatal")) return Level::kFatal;
      if (EqualsIgnoreCase(word, "fine")) return Level::kDebug;
      if (EqualsIgnoreCase(word, "finer") || EqualsIgnoreCase(word, "finest")) {
        return Level::kTrace;
      }
      break;
    case 'i':
      if (EqualsIgnoreCase(word, "info") || EqualsIgnoreCase(word, "information") ||
          EqualsIgnoreCase(word, "informational")) {
        return Level::kInfo;
      }
      break;
    case 'n':
      if (EqualsIgnoreCase(word, "notice")) return Level::kInfo;
      break;
    case 'w':
      if (EqualsIgnoreCase(word, "warn") || EqualsIgnoreCase(word, "warning")) {
        return Level::kWarn;
      }
      break;
    case 'e':
      if (EqualsIgnoreCase(word, "error") || EqualsIgnoreCase(word, "err") ||
          EqualsIgnoreCase(word, "eror")) {  // log15
        return Level::kError;
      }
      if (EqualsIgnoreCase(word, "emerg") || EqualsIgnoreCase(word, "emergency")) {
        return Level::kFatal;
      }
      break;
    case 'c':
      if (EqualsIgnoreCase(word, "critical") || EqualsIgnoreCase(word, "crit")) {
        return Level::kFatal;
      }
      break;
    case 's':
      if (EqualsIgnoreCase(word, "severe")) return Level::kError;
      break;
    case 'a':
      if (EqualsIgnoreCase(word, "alert")) return Level::kFatal;
      break;
    case 'p':
      if (EqualsIgnoreCase(word, "panic")) return Level::kFatal;
      break;
  }
  return Level::kUnknown;
}

ParseCounters& ParseCounters::operator+=(const ParseCounters& o) {
  lines += o.lines;
  bytes += o.bytes;
  json += o.json;
  unstructured += o.unstructured;
  empty += o.empty;
  no_trace_id += o.no_trace_id;
  bad_time += o.bad_time;
  no_time += o.no_time;
  invalid_utf8 += o.invalid_utf8;
  truncated += o.truncated;
  bom += o.bom;
  crlf += o.crlf;
  container += o.container;
  max_time_ns = std::max(max_time_ns, o.max_time_ns);
  return *this;
}

void ParseCounters::AddTo(IngestStats* s) const {
  s->lines += lines;
  s->bytes += bytes;
  s->json_lines += json;
  s->unstructured_lines += unstructured;
  s->empty_lines += empty;
  s->no_trace_id_lines += no_trace_id;
  s->bad_time_lines += bad_time;
  s->no_time_lines += no_time;
  s->invalid_utf8_lines += invalid_utf8;
  s->truncated_lines += truncated;
  s->bom_lines += bom;
  s->crlf_lines += crlf;
  s->container_lines += container;
  s->max_time_ns = std::max(s->max_time_ns, max_time_ns);
}

absl::StatusOr<std::unique_ptr<LineParser>> LineParser::Create(const ParserOptions& options) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  return std::unique_ptr<LineParser>(
      new LineParser(std::make_unique<FieldTable>(options.fields), options.syslog_reference_ns));
}

LineParser::LineParser(std::unique_ptr<FieldTable> fields, int64_t syslog_reference_ns)
    : fields_(std::move(fields)), syslog_reference_ns_(syslog_reference_ns) {}

LineParser::LineContext LineParser::Context(std::string_view default_service,
                                            std::string* side) const {
  return LineContext{
      default_service,
      syslog_reference_ns_ != 0 ? syslog_reference_ns_ : absl::ToUnixNanos(absl::Now()), side};
}

LineParser::~LineParser() = default;

namespace {

// If `value` (in the scratch copy of a line) has the same bytes at the same
// offset of the raw line, returns the view into the raw line: it then lives as
// long as the raw bytes, and the index can store it as an offset.
std::string_view PreferRaw(std::string_view value, const char* scratch_line, std::string_view raw) {
  if (value.data() < scratch_line || value.data() > scratch_line + raw.size()) return value;
  size_t offset = static_cast<size_t>(value.data() - scratch_line);
  if (offset + value.size() > raw.size()) return value;
  if (std::memcmp(raw.data() + offset, value.data(), value.size()) != 0) return value;
  return raw.substr(offset, value.size());
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

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

// Copies `raw` into `scratch` (same length, NUL after it) with every lone
// UTF-16 surrogate escape replaced by "\ufffd". Returns false if none was found.
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

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (HexValue(c) < 0) return false;
  }
  return true;
}

// A trace id as some conventions wrap it, reduced to the id itself so that it
// matches the lines of the other services of the trace: Google Cloud's
// "projects/PROJECT/traces/TRACE_ID" and a W3C traceparent header
// "00-TRACE_ID-PARENT_ID-FLAGS". Anything else is returned as it is.
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

bool ParseInt(std::string_view text, int64_t* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

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

// The length of a Kubernetes CRI log line's prefix ("2026-11-23T10:00:09.123456789Z stdout F "),
// the runtime's time, stream and tag (F a full line, P part of a longer one), after
// which comes the line the container wrote; 0 if `line` does not start so. Sets *ns to the
// runtime's time.
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

// Flags `r` kRecordMessageEscaped when its message is not a slice of its raw
// line (unescaped into the scratch copy or the side room): the index must copy it.
void FlagMessageOutsideRaw(Record* r) {
  if (!r->message.empty() &&
      (r->message.data() < r->raw.data() || r->message.data() > r->raw.data() + r->raw.size())) {
    r->flags |= kRecordMessageEscaped;
  }
}

// Level of a plain-text line: the first level word among its first few words
// ("2026-... ERROR ...", "[WARN] ...", "ERROR: ...").
Level PlainTextLevel(std::string_view text) {
  // glog / klog: "E1123 10:00:19.123456 12 server.go:33] ..." (level initial, MMDD, space).
  if (HasGlogHeader(text) && std::string_view("FEWID").find(text[0]) != std::string_view::npos) {
    return LevelFromInitial(text[0]);
  }
  size_t i = 0;
  for (int words = 0; words < 6 && i < text.size(); ++words) {
    while (i < text.size() && !absl::ascii_isalpha(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && absl::ascii_isalpha(static_cast<unsigned char>(text[i]))) ++i;
    Level level = ParseLevelWord(text.substr(start, i - start));
    if (level != Level::kUnknown) return level;
  }
  return Level::kUnknown;
}

}  // namespace

void LineParser::ParseInto(std::string_view raw, char* scratch_line, const LineContext& context,
                           Record* r) const {
  r->raw = raw;
  if (!IsValidUtf8(raw)) r->flags |= kRecordInvalidUtf8;
  // An empty or blank line is kEmpty (ParseBody says so); whitespace is valid UTF-8.
  int64_t runtime_ns;
  if (const size_t cri = CriPrefixLength(raw, &runtime_ns); cri > 0) {
    // The line the container wrote follows the runtime's prefix, in the same
    // buffers; the runtime's time stands in when that line has none.
    r->flags |= kRecordContainerWrapped;
    ParseBody(raw.substr(cri), scratch_line + cri, context, /*unwrap_docker=*/false, r);
    if (r->kind == RecordKind::kEmpty) return;  // the container wrote an empty line
    if (!r->has_time()) {
      r->time_ns = runtime_ns;
      r->flags |= kRecordHasTime;
    }
    return;
  }
  ParseBody(raw, scratch_line, context, /*unwrap_docker=*/true, r);
}

void LineParser::ParseBody(std::string_view raw, char* scratch_line, const LineContext& context,
                           bool unwrap_docker, Record* r) const {
  std::string_view trimmed = TrimWhitespace(raw);
  if (trimmed.empty()) {
    r->kind = RecordKind::kEmpty;
    return;
  }
  if (trimmed.front() == '{') {
    // RapidJSON's recursive parser is the fastest, but recursion depth is
    // stack: a line nested deeper than kMaxRecursiveNesting is parsed again with
    // the iterative parser, which keeps its stack on the heap.
    constexpr int kMaxRecursiveNesting = 256;
    constexpr unsigned kFlags = rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag;
    constexpr unsigned kIterative = kFlags | rapidjson::kParseIterativeFlag;
    std::optional<FieldHandler> first(std::in_place, *fields_, kMaxRecursiveNesting);
    rapidjson::Reader reader;
    rapidjson::InsituStringStream stream(scratch_line);
    rapidjson::ParseResult ok = reader.Parse<kFlags>(stream, *first);
    size_t consumed = stream.Tell();
    std::optional<FieldHandler> retry;
    if (!ok && first->too_deep) {
      std::memcpy(scratch_line, raw.data(), raw.size());  // undo the in-situ writes
      retry.emplace(*fields_, INT_MAX);
      rapidjson::InsituStringStream again(scratch_line);
      ok = reader.Parse<kIterative>(again, *retry);
      consumed = again.Tell();
    }
    if (!ok && ok.Code() == rapidjson::kParseErrorStringUnicodeSurrogateInvalid &&
        RepairLoneSurrogates(raw, scratch_line)) {
      // JavaScript's JSON.stringify writes lone surrogates as "\ud800"; RapidJSON
      // rejects them. They were replaced by U+FFFD escapes of the same length.
      retry.emplace(*fields_, INT_MAX);
      rapidjson::InsituStringStream again(scratch_line);
      ok = reader.Parse<kIterative>(again, *retry);
      consumed = again.Tell();
    }
    const FieldHandler& handler = retry ? *retry : *first;
    // In-situ parsing stops at the NUL after the line; a NUL inside the line
    // would end it early, which the consumed length reveals.
    if (ok && handler.top_is_object && consumed >= raw.size()) {
      r->kind = RecordKind::kJson;
      const auto& v = handler.value;
      const auto& t = handler.type;
      if (t[internal::kTraceId] != ValueType::kNone && !v[internal::kTraceId].empty()) {
        r->trace_id = UnwrapTraceId(PreferRaw(v[internal::kTraceId], scratch_line, raw));
        if (t[internal::kTraceId] == ValueType::kNumber) r->flags |= kRecordNumericTraceId;
      }
      if (t[internal::kService] != ValueType::kNone && !v[internal::kService].empty()) {
        r->service = PreferRaw(v[internal::kService], scratch_line, raw);
      } else {
        r->service = context.default_service;
        r->flags |= kRecordServiceFromSource;
      }
      if (t[internal::kMessage] != ValueType::kNone) {
        r->message = PreferRaw(v[internal::kMessage], scratch_line, raw);
        FlagMessageOutsideRaw(r);
      }
      if (t[internal::kRoute] != ValueType::kNone) {
        r->route = PreferRaw(v[internal::kRoute], scratch_line, raw);
      }
      if (t[internal::kLevel] != ValueType::kNone) {
        // A number, or a string of digits (journald's PRIORITY "3"), is a numeric level.
        const std::string_view level = v[internal::kLevel];
        int64_t n;
        if (t[internal::kLevel] == ValueType::kNumber || absl::ascii_isdigit(level.front())) {
          if (ParseInt(level, &n)) r->level = LevelFromNumber(n);
        } else {
          r->level = level.size() == 1 ? LevelFromInitial(level.front()) : ParseLevelWord(level);
        }
      }
      if (t[internal::kTime] != ValueType::kNone) {
        int64_t ns;
        bool parsed = t[internal::kTime] == ValueType::kString
                          ? ParseTimestamp(v[internal::kTime], &ns)
                          : NumberTime(v[internal::kTime], &ns);
        if (parsed) {
          r->time_ns = ns;
          r->flags |= kRecordHasTime;
        } else {
          r->flags |= kRecordBadTime;
        }
      }
      if (unwrap_docker && handler.IsDockerLine()) {
        UnwrapDockerLine(handler.docker_log, context, r);
      }
      return;
    }
  }

  // Not a JSON object: plain text, an array, a scalar, truncated JSON.
  r->kind = RecordKind::kUnstructured;
  // The line inside a container wrapper keeps its indentation ("\tat ..." of a
  // stack trace): it is what the plain-text classifier reads.
  r->message = (r->flags & kRecordContainerWrapped)
                   ? raw.substr(0, raw.find_last_not_of(" \t\r\n\v\f") + 1)
                   : trimmed;
  r->service = context.default_service;
  r->flags |= kRecordServiceFromSource;
  // Syslog: "<PRI>" (RFC 3164 on the wire) or "<PRI>1 " (RFC 5424) before the
  // time; PRI mod 8 is the severity.
  std::string_view text = trimmed;
  int severity = -1;
  if (text.size() > 3 && text[0] == '<') {
    const size_t close = text.find('>');
    int64_t pri = 0;
    if (close >= 2 && close <= 4 && absl::ascii_isdigit(static_cast<unsigned char>(text[1])) &&
        ParseInt(text.substr(1, close - 1), &pri) && pri <= 191) {
      severity = pri % 8;
      text.remove_prefix(close + 1);
      if (absl::StartsWith(Av(text), "1 ")) text.remove_prefix(2);
    }
  }
  int64_t ns;
  if (ParseLeadingTimestamp(text, &ns) > 0 || ParseSyslogTimestamp(text, context.now_ns, &ns) > 0 ||
      LogfmtTime(trimmed, &ns)) {
    r->time_ns = ns;
    r->flags |= kRecordHasTime;
  }
  r->level = PlainTextLevel(text);
  if (r->level == Level::kUnknown && severity >= 0) r->level = LevelFromNumber(severity);
}

void LineParser::UnwrapDockerLine(std::string_view inner, const LineContext& context,
                                  Record* r) const {
  // `inner` was unescaped in place into the scratch copy; from here on it is
  // the raw text of the line inside, and a copy of it in the side room is
  // what the in-situ parser writes into (values stay in those two buffers,
  // which live as long as the batch; the index copies what it keeps).
  std::string* side = context.side;
  if (side == nullptr || side->capacity() - side->size() < inner.size() + 1) return;
  const size_t at = side->size();
  side->append(inner);
  side->push_back('\0');
  char* inner_scratch = side->data() + at;
  const Record outer = *r;
  Record& in = *r;
  in = Record();
  in.raw = outer.raw;
  in.seq = outer.seq;
  in.source_offset = outer.source_offset;
  in.line_no = outer.line_no;
  in.source_id = outer.source_id;
  in.flags = (outer.flags & (kRecordInvalidUtf8 | kRecordTruncated)) | kRecordContainerWrapped;
  ParseBody(inner, inner_scratch, context, /*unwrap_docker=*/false, &in);
  if (in.kind == RecordKind::kEmpty) return;  // {"log":"\n",...}: an empty line
  FlagMessageOutsideRaw(&in);  // plain text inside the wrapper lives in the side room
  if (!in.has_time() && !(in.flags & kRecordBadTime)) {
    // The line's own time wins over Docker's, even Docker's unparseable one.
    in.time_ns = outer.time_ns;
    in.flags |= outer.flags & (kRecordHasTime | kRecordBadTime);
  }
  // What a shipper added around the line (fluent-bit's Kubernetes metadata)
  // fills in what the line itself lacks.
  if ((in.flags & kRecordServiceFromSource) && !(outer.flags & kRecordServiceFromSource)) {
    in.service = outer.service;
    in.flags &= ~kRecordServiceFromSource;
  }
  if (in.trace_id.empty()) {
    in.trace_id = outer.trace_id;
    in.flags |= outer.flags & kRecordNumericTraceId;
  }
  if (in.level == Level::kUnknown) in.level = outer.level;
}

ParseCounters LineParser::ParseBatch(RawBatch&& batch, std::string_view default_service,
                                     ParsedBatch* out) const {
  ParseCounters c;
  // The bytes move into a heap-allocated block first: moving a std::string may
  // move short (SSO) contents, so no view is taken before this.
  out->block = std::make_shared<const std::string>(std::move(batch.data));
  out->raw = std::move(batch);
  const RawBatch& raw = out->raw;
  const std::string& data = *out->block;
  // Reserve past the small-string size, so that the scratch bytes live on the
  // heap and moving the ParsedBatch keeps the views into them valid.
  // Twice the batch: the second half is the side room of LineContext (pages
  // that are never touched unless a Docker line needs them).
  out->scratch.reserve(std::max<size_t>(2 * data.size() + 1, 32));
  out->scratch.assign(data);
  const LineContext context = Context(default_service, &out->scratch);
  out->records.resize(raw.size());
  out->line_hashes.resize(raw.size());
  out->trace_hashes.resize(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const LineSpan& span = raw.lines[i];
    Record& r = out->records[i];
    r = Record();
    r.seq = raw.first_seq + i;
    r.source_offset = span.source_offset;
    r.line_no = span.line_no;
    r.source_id = raw.source_id;
    std::string_view line(data.data() + span.begin, span.length);
    ParseInto(line, out->scratch.data() + span.begin, context, &r);

    ++c.lines;
    c.bytes += span.length;
    if (span.flags & kLineTruncated) {
      ++c.truncated;
      r.flags |= kRecordTruncated;
    }
    if (span.flags & kLineHadBOM) ++c.bom;
    if (span.flags & kLineHadCR) ++c.crlf;
    if (r.flags & kRecordContainerWrapped) ++c.container;
    if (r.flags & kRecordInvalidUtf8) ++c.invalid_utf8;
    if (r.flags & kRecordBadTime) ++c.bad_time;
    if ((r.flags & kRecordHasTime) && r.time_ns > c.max_time_ns) c.max_time_ns = r.time_ns;
    switch (r.kind) {
      case RecordKind::kEmpty:
        ++c.empty;
        out->line_hashes[i] = 0;
        out->trace_hashes[i] = 0;
        continue;
      case RecordKind::kJson:
        ++c.json;
        if (r.trace_id.empty()) ++c.no_trace_id;
        if (!(r.flags & (kRecordHasTime | kRecordBadTime))) ++c.no_time;
        break;
      case RecordKind::kUnstructured:
        ++c.unstructured;
        break;
    }
    out->line_hashes[i] = XXH3_64bits(line.data(), line.size());
    out->trace_hashes[i] =
        r.trace_id.empty() ? 0 : XXH3_64bits(r.trace_id.data(), r.trace_id.size());
  }
  InferMissingTimes(&out->records);
  return c;
}

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

Record LineParser::ParseLine(std::string_view line, std::string_view default_service,
                             std::string* scratch) const {
  // The scratch copy, the raw line (the record's views must outlive the call
  // too) and the side room, reserved at once so that nothing moves.
  scratch->clear();
  scratch->reserve(3 * (line.size() + 1));
  scratch->assign(line);
  scratch->push_back('\0');
  size_t raw_at = scratch->size();
  scratch->append(line);
  scratch->push_back('\0');
  Record r;
  ParseInto(std::string_view(scratch->data() + raw_at, line.size()), scratch->data(),
            Context(default_service, scratch), &r);
  return r;
}

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
