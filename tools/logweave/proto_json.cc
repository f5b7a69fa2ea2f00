// See proto_json.h.
#include "tools/logweave/proto_json.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "google/protobuf/text_format.h"
#include "tools/logweave/output.h"

namespace logweave::cli {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr std::string_view kTimeSuffix = "_unix_nano";

// Element `index` of repeated field `f` (-1: the singular field) as one JSON value.
void WriteValue(JsonWriter& w, const Message& m, const FieldDescriptor* f, int index,
                const ProtoFieldsOptions& options) {
  const Reflection& r = *m.GetReflection();
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    return w.String(index >= 0 ? r.GetRepeatedString(m, f, index) : r.GetString(m, f));
  }
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    // An unset message is null (its default would be written forever in a recursive type).
    if (index < 0 && !r.HasField(m, f)) return w.Null();
    w.StartObject();
    WriteProtoFields(w, index >= 0 ? r.GetRepeatedMessage(m, f, index) : r.GetMessage(m, f),
                     options);
    return w.EndObject();
  }
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE ||
      f->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
    double v;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
      v = index >= 0 ? r.GetRepeatedDouble(m, f, index) : r.GetDouble(m, f);
    } else {
      v = index >= 0 ? r.GetRepeatedFloat(m, f, index) : r.GetFloat(m, f);
    }
    return std::isfinite(v) ? w.Double(v) : w.Null();  // inf and nan are no JSON numbers
  }
  // Integers (exact) and bools (true/false) as the text format prints them are JSON as they
  // stand; an enum's name is a string.
  std::string text;
  google::protobuf::TextFormat::PrintFieldValueToString(m, f, index, &text);
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) return w.String(text);
  w.RawScalar(text);
}

// A map field: its entries as an object, sorted by key (a proto map has no order of its own).
void WriteMap(JsonWriter& w, const Message& m, const FieldDescriptor* f,
              const ProtoFieldsOptions& options) {
  const Reflection& r = *m.GetReflection();
  std::vector<std::pair<std::string, const Message*>> entries;
  for (int i = 0; i < r.FieldSize(m, f); ++i) {
    const Message& entry = r.GetRepeatedMessage(m, f, i);
    const FieldDescriptor* key = entry.GetDescriptor()->map_key();
    std::string text;
    if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      text = entry.GetReflection()->GetString(entry, key);
    } else {  // an integer or a bool: its digits, or true/false
      google::protobuf::TextFormat::PrintFieldValueToString(entry, key, -1, &text);
    }
    entries.emplace_back(std::move(text), &entry);
  }
  std::sort(entries.begin(), entries.end());
  w.StartObject();
  for (const auto& [key, entry] : entries) {
    w.Key(key);
    WriteValue(w, *entry, entry->GetDescriptor()->map_value(), -1, options);
  }
  w.EndObject();
}

void WriteField(JsonWriter& w, const Message& m, const FieldDescriptor* f, std::string_view name,
                const ProtoFieldsOptions& options) {
  const Reflection& r = *m.GetReflection();
  w.Key(name);
  if (f->is_map()) return WriteMap(w, m, f, options);
  if (!f->is_repeated()) {
    WriteValue(w, m, f, -1, options);
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_INT64 && name.ends_with(kTimeSuffix)) {
      const int64_t ns = r.GetInt64(m, f);
      w.Field(name.substr(0, name.size() - kTimeSuffix.size()), ns == 0 ? "" : TimeString(ns));
    }
    return;
  }
  w.StartArray();
  for (int i = 0; i < r.FieldSize(m, f); ++i) WriteValue(w, m, f, i, options);
  w.EndArray();
}

}  // namespace

void WriteProtoFields(JsonWriter& w, const google::protobuf::Message& message,
                      const ProtoFieldsOptions& options) {
  const google::protobuf::Descriptor& d = *message.GetDescriptor();
  auto group_of = [&](const FieldDescriptor* f) -> std::string_view {
    for (std::string_view prefix : options.groups) {
      if (std::string_view(f->name()).starts_with(prefix)) return prefix;
    }
    return {};
  };
  for (int i = 0; i < d.field_count(); ++i) {
    if (group_of(d.field(i)).empty())
      WriteField(w, message, d.field(i), d.field(i)->name(), options);
  }
  for (std::string_view prefix : options.groups) {
    bool open = false;
    for (int i = 0; i < d.field_count(); ++i) {
      const FieldDescriptor* f = d.field(i);
      if (group_of(f) != prefix) continue;
      if (!open) {
        w.Key(prefix.substr(0, prefix.size() - 1));
        w.StartObject();
        open = true;
      }
      WriteField(w, message, f, std::string_view(f->name()).substr(prefix.size()), options);
    }
    if (open) w.EndObject();
  }
}

}  // namespace logweave::cli
