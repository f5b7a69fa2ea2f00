#include "connectors/otlp/otlp_mapping.h"

#include <cmath>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "logweave/options.h"
#include "logweave/timestamp.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace logweave::otlp {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using ::opentelemetry::proto::resource::v1::Resource;

// The keys the line's own fields use.
constexpr absl::string_view kOwnKeys[] = {"timestamp",       "observed_timestamp",
                                          "level",           "service",
                                          "trace_id",        "span_id",
                                          "message",         "body",
                                          "severity_number", "severity_text",
                                          "event_name",      "trace_flags",
                                          "attributes",      "resource",
                                          "otel.scope.name", "otel.scope.version"};

// Resource keys that name the service, in the order they are preferred.
constexpr absl::string_view kServiceKeys[] = {
    "service.name",         "service.namespace",  "k8s.deployment.name",
    "k8s.statefulset.name", "k8s.daemonset.name", "k8s.cronjob.name",
    "k8s.job.name",         "k8s.container.name", "k8s.pod.name"};

void Key(Writer& w, absl::string_view key) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}
void Str(Writer& w, absl::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void WriteValue(Writer& w, const common::AnyValue& v) {
  switch (v.value_case()) {
    case common::AnyValue::kStringValue:
      Str(w, v.string_value());
      break;
    case common::AnyValue::kBoolValue:
      w.Bool(v.bool_value());
      break;
    case common::AnyValue::kIntValue:
      w.Int64(v.int_value());
      break;
    case common::AnyValue::kDoubleValue:
      if (std::isfinite(v.double_value())) {
        w.Double(v.double_value());
      } else {
        Str(w, std::isnan(v.double_value()) ? "NaN"
                                            : (v.double_value() > 0 ? "Infinity" : "-Infinity"));
      }
      break;
    case common::AnyValue::kArrayValue:
      w.StartArray();
      for (const common::AnyValue& e : v.array_value().values()) WriteValue(w, e);
      w.EndArray();
      break;
    case common::AnyValue::kKvlistValue:
      w.StartObject();
      for (const common::KeyValue& kv : v.kvlist_value().values()) {
        Key(w, kv.key());
        WriteValue(w, kv.value());
      }
      w.EndObject();
      break;
    case common::AnyValue::kBytesValue:
      Str(w, absl::Base64Escape(v.bytes_value()));
      break;
    case common::AnyValue::VALUE_NOT_SET:
      w.Null();
      break;
  }
}

bool AllZero(const std::string& bytes) {
  for (char c : bytes) {
    if (c != 0) return false;
  }
  return true;
}

// A string attribute's value, or empty.
absl::string_view StringAttribute(const Resource& resource, absl::string_view key) {
  for (const common::KeyValue& kv : resource.attributes()) {
    if (kv.key() == key && kv.value().value_case() == common::AnyValue::kStringValue) {
      return kv.value().string_value();
    }
  }
  return {};
}

bool HasKey(const google::protobuf::RepeatedPtrField<common::KeyValue>& attrs,
            absl::string_view key) {
  for (const common::KeyValue& kv : attrs) {
    if (kv.key() == key) return true;
  }
  return false;
}

}  // namespace

void OtlpMapReport::Reject(absl::string_view why) {
  ++rejected;
  if (first_error.empty()) first_error = std::string(why);
}

std::string ServiceOfResource(const Resource& resource) {
  for (absl::string_view key : kServiceKeys) {
    absl::string_view v = StringAttribute(resource, key);
    if (!v.empty()) return std::string(v);
  }
  return "";
}

absl::string_view LevelOfSeverity(int n) {
  if (n < 1 || n > 24) return {};
  static constexpr absl::string_view kWords[] = {"trace", "debug", "info",
                                                 "warn",  "error", "fatal"};
  return kWords[(n - 1) / 4];
}

OtlpMapper::OtlpMapper() {
  const FieldNames names;
  for (const auto* list :
       {&names.trace_id, &names.time, &names.level, &names.service, &names.message}) {
    for (const std::string& n : *list) reserved_.insert(n);
  }
  for (absl::string_view k : kOwnKeys) reserved_.insert(std::string(k));
}

bool OtlpMapper::RenderRecord(const logs::ResourceLogs& resource, const logs::ScopeLogs& scope,
                              const logs::LogRecord& record, std::string* line,
                              std::string* why) const {
  if (!record.trace_id().empty() && record.trace_id().size() != 16) {
    *why = absl::StrCat("a trace_id is ", record.trace_id().size(), " bytes; OTLP's are 16");
    return false;
  }
  if (!record.span_id().empty() && record.span_id().size() != 8) {
    *why = absl::StrCat("a span_id is ", record.span_id().size(), " bytes; OTLP's are 8");
    return false;
  }
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  char time_buf[40];
  const uint64_t ns =
      record.time_unix_nano() != 0 ? record.time_unix_nano() : record.observed_time_unix_nano();
  if (ns != 0 && ns <= static_cast<uint64_t>(INT64_MAX)) {
    Key(w, "timestamp");
    Str(w, absl::string_view(time_buf, FormatTimestamp(static_cast<int64_t>(ns), time_buf)));
  }
  absl::string_view level = LevelOfSeverity(record.severity_number());
  if (level.empty()) level = record.severity_text();
  if (!level.empty()) {
    Key(w, "level");
    Str(w, level);
  }
  const std::string service = ServiceOfResource(resource.resource());
  if (!service.empty()) {
    Key(w, "service");
    Str(w, service);
  }
  if (!record.trace_id().empty() && !AllZero(record.trace_id())) {
    Key(w, "trace_id");
    Str(w, absl::BytesToHexString(record.trace_id()));
  }
  if (!record.span_id().empty() && !AllZero(record.span_id())) {
    Key(w, "span_id");
    Str(w, absl::BytesToHexString(record.span_id()));
  }
  if (record.has_body()) {
    if (record.body().value_case() == common::AnyValue::kStringValue) {
      Key(w, "message");
      Str(w, record.body().string_value());
    } else {
      Key(w, "body");
      WriteValue(w, record.body());
    }
  }
  if (record.severity_number() != 0) {
    Key(w, "severity_number");
    w.Int(record.severity_number());
  }
  if (!record.severity_text().empty()) {
    Key(w, "severity_text");
    Str(w, record.severity_text());
  }
  if (!record.event_name().empty()) {
    Key(w, "event_name");
    Str(w, record.event_name());
  }
  if ((record.flags() & 0xff) != 0) {
    Key(w, "trace_flags");
    w.Uint(record.flags() & 0xff);
  }
  if (!scope.scope().name().empty()) {
    Key(w, "otel.scope.name");
    Str(w, scope.scope().name());
  }
  if (!scope.scope().version().empty()) {
    Key(w, "otel.scope.version");
    Str(w, scope.scope().version());
  }
  // Attributes at the top level unless their name is taken; the record's
  // first, a resource attribute of the same name after them in "resource".
  const auto& attrs = record.attributes();
  const auto& resource_attrs = resource.resource().attributes();
  bool nested_attrs = false, nested_resource = false;
  for (const common::KeyValue& kv : attrs) {
    if (reserved_.contains(kv.key())) {
      nested_attrs = true;
      continue;
    }
    Key(w, kv.key());
    WriteValue(w, kv.value());
  }
  for (const common::KeyValue& kv : resource_attrs) {
    if (reserved_.contains(kv.key()) || HasKey(attrs, kv.key())) {
      nested_resource = true;
      continue;
    }
    Key(w, kv.key());
    WriteValue(w, kv.value());
  }
  if (nested_attrs) {
    Key(w, "attributes");
    w.StartObject();
    for (const common::KeyValue& kv : attrs) {
      if (!reserved_.contains(kv.key())) continue;
      Key(w, kv.key());
      WriteValue(w, kv.value());
    }
    w.EndObject();
  }
  if (nested_resource) {
    Key(w, "resource");
    w.StartObject();
    for (const common::KeyValue& kv : resource_attrs) {
      if (!reserved_.contains(kv.key()) && !HasKey(attrs, kv.key())) continue;
      Key(w, kv.key());
      WriteValue(w, kv.value());
    }
    w.EndObject();
  }
  w.EndObject();
  line->assign(buffer.GetString(), buffer.GetSize());
  return true;
}

void OtlpMapper::Append(const collector::ExportLogsServiceRequest& request, RawBatch* batch,
                        uint64_t* next_line_no, OtlpMapReport* report) const {
  std::string line, why;
  for (const logs::ResourceLogs& resource : request.resource_logs()) {
    for (const logs::ScopeLogs& scope : resource.scope_logs()) {
      for (const logs::LogRecord& record : scope.log_records()) {
        if (!RenderRecord(resource, scope, record, &line, &why)) {
          report->Reject(why);
          continue;
        }
        const uint64_t n = (*next_line_no)++;
        batch->AddLine(line, n, n);
        ++report->records;
      }
    }
  }
}

}  // namespace logweave::otlp
