// A JSON writer for the command's output: RapidJSON's Writer, with every
// string and key repaired to valid UTF-8 first (log lines may hold invalid bytes).
#ifndef LOGWEAVE_TOOLS_JSON_WRITER_H_
#define LOGWEAVE_TOOLS_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace logweave::cli {

// Thread-compatible. Usage: w.StartObject(); w.Key("kind"); w.String("x"); w.EndObject();
// then w.str().
class JsonWriter {
 public:
  JsonWriter() : writer_(buffer_) {}
  void StartObject() { writer_.StartObject(); }
  void EndObject() { writer_.EndObject(); }
  void StartArray() { writer_.StartArray(); }
  void EndArray() { writer_.EndArray(); }
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(int64_t v) { writer_.Int64(v); }
  void Uint(uint64_t v) { writer_.Uint64(v); }
  void Double(double v) { writer_.Double(v); }
  void Bool(bool v) { writer_.Bool(v); }
  void Null() { writer_.Null(); }
  // A number, true or false, already in JSON's syntax: written as it is.
  void RawScalar(std::string_view json) {
    writer_.RawValue(json.data(), json.size(), rapidjson::kNumberType);
  }
  // Key + value shorthands.
  void Field(std::string_view key, std::string_view value) { Key(key), String(value); }
  void Field(std::string_view key, const char* value) { Key(key), String(value); }
  void Field(std::string_view key, uint64_t value) { Key(key), Uint(value); }
  void Field(std::string_view key, int64_t value) { Key(key), Int(value); }
  void Field(std::string_view key, double value) { Key(key), Double(value); }
  void Field(std::string_view key, bool value) { Key(key), Bool(value); }
  std::string str() const { return std::string(buffer_.GetString(), buffer_.GetSize()); }
  // What is written so far; valid until the next call.
  std::string_view view() const { return std::string_view(buffer_.GetString(), buffer_.GetSize()); }
  // Starts a new document, keeping the buffers' memory (for writing many in a row).
  void Clear() {
    buffer_.Clear();
    writer_.Reset(buffer_);
  }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
  // `text` if it is valid UTF-8, else its repaired copy in scratch_ (valid
  // until the next call).
  std::string_view ValidText(std::string_view text);

  std::string scratch_;
};

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_JSON_WRITER_H_
