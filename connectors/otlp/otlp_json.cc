#include "connectors/otlp/otlp_json.h"

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"

namespace logweave::otlp {

namespace {

using Value = rapidjson::Value;
using ::opentelemetry::proto::resource::v1::Resource;

// The member named `camel` or `snake`, or null.
const Value* Member(const Value& object, const char* camel, const char* snake) {
  auto it = object.FindMember(camel);
  if (it == object.MemberEnd() && snake != nullptr) it = object.FindMember(snake);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// Reads the error of one part of the request: the first is kept.
struct Errors {
  std::string why;
  bool Fail(absl::string_view w) {
    if (why.empty()) why = std::string(w);
    return false;
  }
};

// Reads a 64-bit integer (Int: int64_t or uint64_t): a JSON number, or a
// decimal string (OTLP/JSON writes 64-bit integers as strings).
template <typename Int>
bool ReadInteger(const Value& v, Int* out) {
  if (v.Is<Int>()) {
    *out = v.Get<Int>();
    return true;
  }
  if (v.IsString())
    return absl::SimpleAtoi(absl::string_view(v.GetString(), v.GetStringLength()), out);
  return false;
}

bool ReadString(const Value& v, std::string* out) {
  if (!v.IsString()) return false;
  out->assign(v.GetString(), v.GetStringLength());
  return true;
}

bool ReadHexId(const Value& v, size_t bytes, std::string* out, const char* name, Errors* e) {
  if (!v.IsString()) return e->Fail(absl::StrCat(name, " is not a string of hex digits"));
  const absl::string_view hex(v.GetString(), v.GetStringLength());
  if (hex.empty()) return true;
  if (hex.size() != 2 * bytes) {
    return e->Fail(
        absl::StrCat(name, " \"", hex.substr(0, 64), "\" is not ", 2 * bytes, " hex digits"));
  }
  for (char c : hex) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      return e->Fail(absl::StrCat(name, " \"", hex, "\" is not hex"));
    }
  }
  *out = absl::HexStringToBytes(hex);
  return true;
}

bool ReadAnyValue(const Value& v, common::AnyValue* out, Errors* e, int depth);

bool ReadKeyValues(const Value& v, google::protobuf::RepeatedPtrField<common::KeyValue>* out,
                   Errors* e, int depth) {
  if (!v.IsArray()) return e->Fail("attributes is not an array");
  for (const Value& kv : v.GetArray()) {
    if (!kv.IsObject()) return e->Fail("an attribute is not an object");
    const Value* key = Member(kv, "key", nullptr);
    if (key == nullptr || !key->IsString()) return e->Fail("an attribute has no string key");
    common::KeyValue* added = out->Add();
    added->set_key(key->GetString(), key->GetStringLength());
    if (const Value* value = Member(kv, "value", nullptr); value != nullptr) {
      if (!ReadAnyValue(*value, added->mutable_value(), e, depth + 1)) return false;
    }
  }
  return true;
}

bool ReadAnyValue(const Value& v, common::AnyValue* out, Errors* e, int depth) {
  if (depth > 64) return e->Fail("a value is nested more than 64 levels deep");
  if (!v.IsObject()) return e->Fail("a value is not an AnyValue object");
  if (v.MemberCount() == 0) return true;  // empty AnyValue
  const auto& m = *v.MemberBegin();
  const absl::string_view kind(m.name.GetString(), m.name.GetStringLength());
  const Value& x = m.value;
  if (kind == "stringValue" || kind == "string_value") {
    if (!ReadString(x, out->mutable_string_value())) return e->Fail("stringValue is not a string");
  } else if (kind == "boolValue" || kind == "bool_value") {
    if (!x.IsBool()) return e->Fail("boolValue is not a boolean");
    out->set_bool_value(x.GetBool());
  } else if (kind == "intValue" || kind == "int_value") {
    int64_t n;
    if (!ReadInteger(x, &n)) return e->Fail("intValue is not a 64-bit integer");
    out->set_int_value(n);
  } else if (kind == "doubleValue" || kind == "double_value") {
    double d;
    if (x.IsNumber()) {
      d = x.GetDouble();
    } else if (!x.IsString() ||
               !absl::SimpleAtod(absl::string_view(x.GetString(), x.GetStringLength()), &d)) {
      return e->Fail("doubleValue is not a number");
    }
    out->set_double_value(d);
  } else if (kind == "arrayValue" || kind == "array_value") {
    if (!x.IsObject()) return e->Fail("arrayValue is not an object");
    common::ArrayValue* array = out->mutable_array_value();
    if (const Value* values = Member(x, "values", nullptr); values != nullptr) {
      if (!values->IsArray()) return e->Fail("arrayValue.values is not an array");
      for (const Value& item : values->GetArray()) {
        if (!ReadAnyValue(item, array->add_values(), e, depth + 1)) return false;
      }
    }
  } else if (kind == "kvlistValue" || kind == "kvlist_value") {
    if (!x.IsObject()) return e->Fail("kvlistValue is not an object");
    common::KeyValueList* list = out->mutable_kvlist_value();
    if (const Value* values = Member(x, "values", nullptr); values != nullptr) {
      if (!ReadKeyValues(*values, list->mutable_values(), e, depth + 1)) return false;
    }
  } else if (kind == "bytesValue" || kind == "bytes_value") {
    std::string bytes;
    if (!x.IsString() ||
        !absl::Base64Unescape(absl::string_view(x.GetString(), x.GetStringLength()), &bytes)) {
      return e->Fail("bytesValue is not base64");
    }
    out->set_bytes_value(std::move(bytes));
  } else {
    return e->Fail(absl::StrCat("unknown AnyValue kind \"", kind.substr(0, 40), "\""));
  }
  return true;
}

bool ReadSeverity(const Value& v, logs::LogRecord* r) {
  if (v.IsInt()) {
    r->set_severity_number(static_cast<logs::SeverityNumber>(v.GetInt()));
    return true;
  }
  logs::SeverityNumber n;
  if (v.IsString() &&
      logs::SeverityNumber_Parse(std::string(v.GetString(), v.GetStringLength()), &n)) {
    r->set_severity_number(n);
    return true;
  }
  return false;
}

bool ReadRecord(const Value& v, logs::LogRecord* r, Errors* e) {
  if (!v.IsObject()) return e->Fail("a log record is not an object");
  uint64_t u;
  if (const Value* x = Member(v, "timeUnixNano", "time_unix_nano")) {
    if (!ReadInteger(*x, &u)) return e->Fail("timeUnixNano is not an unsigned 64-bit integer");
    r->set_time_unix_nano(u);
  }
  if (const Value* x = Member(v, "observedTimeUnixNano", "observed_time_unix_nano")) {
    if (!ReadInteger(*x, &u)) {
      return e->Fail("observedTimeUnixNano is not an unsigned 64-bit integer");
    }
    r->set_observed_time_unix_nano(u);
  }
  if (const Value* x = Member(v, "severityNumber", "severity_number")) {
    if (!ReadSeverity(*x, r)) return e->Fail("severityNumber is not a SeverityNumber");
  }
  if (const Value* x = Member(v, "severityText", "severity_text")) {
    if (!ReadString(*x, r->mutable_severity_text())) return e->Fail("severityText is not a string");
  }
  if (const Value* x = Member(v, "eventName", "event_name")) {
    if (!ReadString(*x, r->mutable_event_name())) return e->Fail("eventName is not a string");
  }
  if (const Value* x = Member(v, "body", nullptr)) {
    if (!ReadAnyValue(*x, r->mutable_body(), e, 0)) return false;
  }
  if (const Value* x = Member(v, "attributes", nullptr)) {
    if (!ReadKeyValues(*x, r->mutable_attributes(), e, 0)) return false;
  }
  if (const Value* x = Member(v, "flags", nullptr)) {
    if (!ReadInteger(*x, &u) || u > UINT32_MAX) return e->Fail("flags is not a 32-bit integer");
    r->set_flags(static_cast<uint32_t>(u));
  }
  if (const Value* x = Member(v, "traceId", "trace_id")) {
    if (!ReadHexId(*x, 16, r->mutable_trace_id(), "traceId", e)) return false;
  }
  if (const Value* x = Member(v, "spanId", "span_id")) {
    if (!ReadHexId(*x, 8, r->mutable_span_id(), "spanId", e)) return false;
  }
  return true;
}

// The array member an entry holds its children in: a resourceLogs entry's scopeLogs, a
// scopeLogs entry's logRecords (`resource` says which). Null if `v` is not an object or has none.
const Value* ChildrenOf(const Value& v, bool resource) {
  if (!v.IsObject()) return nullptr;
  return resource ? Member(v, "scopeLogs", "scope_logs") : Member(v, "logRecords", "log_records");
}

// The number of log records under a resource or scope entry, for counting
// them refused when the entry itself cannot be read.
uint64_t CountRecords(const Value& v, bool resource) {
  const Value* children = ChildrenOf(v, resource);
  if (children == nullptr || !children->IsArray()) return 1;
  if (!resource) return children->Size();
  uint64_t n = 0;
  for (const Value& s : children->GetArray()) n += CountRecords(s, false);
  return n;
}

// Ends reading the fields of `v`, an entry of resourceLogs or scopeLogs (`resource` says which),
// `e` holding what was wrong with them: returns the array of children to read next, or null when
// it has none or something is wrong (its children not being an array included): then each record
// it holds is rejected with the reason.
const Value* ChildrenToRead(const Value& v, bool resource, Errors* e, OtlpMapReport* report) {
  const Value* children = ChildrenOf(v, resource);
  if (children != nullptr && !children->IsArray()) {
    e->Fail(resource ? "scopeLogs is not an array" : "logRecords is not an array");
  }
  if (e->why.empty()) return children;
  const uint64_t n = CountRecords(v, resource);
  for (uint64_t i = 0; i < n; ++i) report->Reject(e->why);
  return nullptr;
}

bool ReadScope(const Value& v, common::InstrumentationScope* scope, Errors* e) {
  if (!v.IsObject()) return e->Fail("scope is not an object");
  if (const Value* x = Member(v, "name", nullptr);
      x != nullptr && !ReadString(*x, scope->mutable_name())) {
    return e->Fail("scope.name is not a string");
  }
  if (const Value* x = Member(v, "version", nullptr);
      x != nullptr && !ReadString(*x, scope->mutable_version())) {
    return e->Fail("scope.version is not a string");
  }
  if (const Value* x = Member(v, "attributes", nullptr)) {
    if (!ReadKeyValues(*x, scope->mutable_attributes(), e, 0)) return false;
  }
  return true;
}

void ReadScopeLogs(const Value& v, logs::ScopeLogs* out, OtlpMapReport* report) {
  Errors e;
  if (!v.IsObject()) {
    e.Fail("a scopeLogs entry is not an object");
  } else if (const Value* s = Member(v, "scope", nullptr); s != nullptr) {
    ReadScope(*s, out->mutable_scope(), &e);
  }
  const Value* records = ChildrenToRead(v, /*resource=*/false, &e, report);
  if (records == nullptr) return;
  for (const Value& r : records->GetArray()) {
    Errors re;
    logs::LogRecord record;
    if (ReadRecord(r, &record, &re)) {
      *out->add_log_records() = std::move(record);
    } else {
      report->Reject(re.why);
    }
  }
}

void ReadResourceLogs(const Value& v, logs::ResourceLogs* out, OtlpMapReport* report) {
  Errors e;
  if (!v.IsObject()) {
    e.Fail("a resourceLogs entry is not an object");
  } else if (const Value* r = Member(v, "resource", nullptr); r != nullptr) {
    if (!r->IsObject()) {
      e.Fail("resource is not an object");
    } else if (const Value* a = Member(*r, "attributes", nullptr); a != nullptr) {
      ReadKeyValues(*a, out->mutable_resource()->mutable_attributes(), &e, 0);
    }
  }
  const Value* scopes = ChildrenToRead(v, /*resource=*/true, &e, report);
  if (scopes == nullptr) return;
  for (const Value& s : scopes->GetArray()) ReadScopeLogs(s, out->add_scope_logs(), report);
}

}  // namespace

absl::Status DecodeOtlpJson(absl::string_view json, collector::ExportLogsServiceRequest* request,
                            OtlpMapReport* report) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body is not JSON: ", rapidjson::GetParseError_En(doc.GetParseError()),
                     " at byte ", doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) {
    return absl::InvalidArgumentError(
        "the body is not a JSON object (an ExportLogsServiceRequest)");
  }
  const Value* resources = Member(doc, "resourceLogs", "resource_logs");
  if (resources == nullptr) return absl::OkStatus();  // an empty request
  if (!resources->IsArray()) return absl::InvalidArgumentError("resourceLogs is not an array");
  for (const Value& r : resources->GetArray()) {
    ReadResourceLogs(r, request->add_resource_logs(), report);
  }
  return absl::OkStatus();
}

bool LooksLikeOtlpJsonLine(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && absl::ascii_isspace(static_cast<unsigned char>(line[i]))) ++i;
  if (i >= line.size() || line[i] != '{') return false;
  ++i;
  while (i < line.size() && absl::ascii_isspace(static_cast<unsigned char>(line[i]))) ++i;
  const std::string_view rest = line.substr(i);
  return rest.rfind("\"resourceLogs\"", 0) == 0 || rest.rfind("\"resource_logs\"", 0) == 0;
}

}  // namespace logweave::otlp
