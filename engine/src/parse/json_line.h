// Reading the fields of a JSON log line: a RapidJSON SAX handler that picks out the values of
// the normalized fields (trace id, time, level, service, message, route) under their
// configured names, in one in-situ pass, plus the repairs the parser makes around it.
//
//   FieldHandler handler(field_table, /*max_nesting=*/256);
//   reader.Parse<kParseInsituFlag | kParseNumbersAsStringsFlag>(stream, handler);
//   std::string_view trace = handler.value[kTraceId];
#ifndef LOGWEAVE_PARSE_JSON_LINE_H_
#define LOGWEAVE_PARSE_JSON_LINE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "internal/field_table.h"
#include "rapidjson/reader.h"

namespace logweave::internal {

constexpr int kMaxDepth = 64;  // deepest object level whose keys are looked at
constexpr size_t kMaxPath = 256;

enum class ValueType : uint8_t { kNone, kString, kNumber };

// RapidJSON SAX handler that records the best-ranked value of each field.
// Objects are looked into only along configured dotted paths; arrays never.
// The values are views into the parsed (in-situ) buffer. One per parse: thread-compatible.
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
  // A time key held a value no time can be read from: true or false, an array,
  // or an object not looked into (null and "" count as no value).
  bool time_of_wrong_type = false;

  bool Bool(bool) {
    NoteWrongType();
    return Default();
  }
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
        NoteWrongType();
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
    if (ignore_from_ == 0) {
      NoteWrongType();
      ignore_from_ = depth_;
    }
    pending_ = nullptr;
    return true;
  }
  bool EndArray(rapidjson::SizeType) { return End(); }

 private:
  void NoteWrongType() {
    if (pending_ != nullptr && pending_->field == internal::kTime) time_of_wrong_type = true;
  }
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

// If `value` (in the scratch copy of a line) has the same bytes at the same
// offset of the raw line, returns the view into the raw line: it then lives as
// long as the raw bytes, and the index can store it as an offset.
std::string_view PreferRaw(std::string_view value, const char* scratch_line, std::string_view raw);

// Copies `raw` into `scratch` (same length, NUL after it) with every lone
// UTF-16 surrogate escape replaced by "\ufffd". Returns false if none was found.
bool RepairLoneSurrogates(std::string_view raw, char* scratch);

// Overwrites the number starting at `offset` of `scratch` (`size` bytes) with "null" and spaces,
// for a number RapidJSON refuses as beyond a double's range (1e400): the rest of the line then
// parses, with that one value null. False if no number of at least 4 bytes starts there.
bool NullOutNumberAt(char* scratch, size_t size, size_t offset);

}  // namespace logweave::internal

#endif  // LOGWEAVE_PARSE_JSON_LINE_H_
