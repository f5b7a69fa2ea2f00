// Tests for WriteProtoFields (tools/logweave/proto_json.h): `logweave stats --json` is written
// from the Stats message by reflection, so every field the server sends reaches the script.
#include "tools/logweave/proto_json.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "logweave/v1/logweave.pb.h"
#include "rapidjson/document.h"

namespace logweave::cli {
namespace {

using google::protobuf::FieldDescriptor;

// `stats` with every scalar field set to its field number (true for bools) and every map,
// repeated string and repeated message given one element.
v1::Stats EveryFieldSet() {
  v1::Stats stats;
  const google::protobuf::Reflection& r = *stats.GetReflection();
  const google::protobuf::Descriptor& d = *stats.GetDescriptor();
  for (int i = 0; i < d.field_count(); ++i) {
    const FieldDescriptor* f = d.field(i);
    if (f->is_map()) {
      (*stats.mutable_findings())["missing_service"] = 2;
      (*stats.mutable_redactions())["email"] = 3;
      (*stats.mutable_actions())["page-oncall"] = 4;
    } else if (f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      r.AddString(&stats, f, "10.0.0.7:7070");
    } else if (f->is_repeated()) {
      r.AddMessage(&stats, f);
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_UINT64) {
      r.SetUInt64(&stats, f, f->number());
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_INT64) {
      r.SetInt64(&stats, f, f->number());
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
      r.SetDouble(&stats, f, f->number() + 0.5);
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      r.SetBool(&stats, f, true);
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      r.SetString(&stats, f, "instance-a");
    } else {
      ADD_FAILURE() << "a field type this test does not set: " << f->name();
    }
  }
  return stats;
}

rapidjson::Document Written(const google::protobuf::Message& m, const ProtoFieldsOptions& options) {
  JsonWriter w;
  w.StartObject();
  WriteProtoFields(w, m, options);
  w.EndObject();
  rapidjson::Document d;
  d.Parse(w.str().c_str());
  EXPECT_FALSE(d.HasParseError()) << w.str();
  return d;
}

TEST(ProtoJsonTest, EveryFieldOfStatsIsWrittenWithItsValueTheGroupedOnesInTheirObject) {
  const v1::Stats stats = EveryFieldSet();
  const rapidjson::Document d = Written(stats, {.groups = {"otlp_", "kafka_"}});
  const google::protobuf::Descriptor& desc = *stats.GetDescriptor();
  for (int i = 0; i < desc.field_count(); ++i) {
    const FieldDescriptor* f = desc.field(i);
    std::string name = f->name();
    const rapidjson::Value* object = &d;
    for (const char* group : {"otlp", "kafka"}) {
      const std::string prefix = std::string(group) + "_";
      if (name.rfind(prefix, 0) == 0) {
        ASSERT_TRUE(d.HasMember(group)) << name;
        object = &d[group];
        name = name.substr(prefix.size());
      }
    }
    ASSERT_TRUE(object->HasMember(name.c_str())) << f->name();
    const rapidjson::Value& v = (*object)[name.c_str()];
    if (f->is_map() || f->is_repeated()) {
      EXPECT_EQ(f->is_map() ? v.MemberCount() : v.Size(), 1u) << f->name();
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_UINT64) {
      EXPECT_EQ(v.GetUint64(), static_cast<uint64_t>(f->number())) << f->name();
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_INT64) {
      EXPECT_EQ(v.GetInt64(), f->number()) << f->name();
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
      EXPECT_DOUBLE_EQ(v.GetDouble(), f->number() + 0.5) << f->name();
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      EXPECT_TRUE(v.GetBool()) << f->name();
    } else {
      EXPECT_STREQ(v.GetString(), "instance-a") << f->name();
    }
  }
  EXPECT_FALSE(d.HasMember("otlp_requests"));  // only inside "otlp"
  // A repeated message is written with the same rules: each instance's Stats has its groups.
  ASSERT_TRUE(d["instances"][0].HasMember("otlp"));
  EXPECT_EQ(d["instances"][0]["otlp"]["requests"].GetUint64(), 0u);
}

TEST(ProtoJsonTest, TimesAreAlsoWrittenAsTextAndMapsInKeyOrder) {
  v1::Stats stats;
  stats.set_watermark_unix_nano(1795428000123000000);  // 2026-11-23T10:00:00.123Z
  (*stats.mutable_findings())["missing_service"] = 2;
  (*stats.mutable_findings())["canary_rollback"] = 1;
  (*stats.mutable_findings())["incomplete_sequence"] = 5;
  JsonWriter w;
  w.StartObject();
  WriteProtoFields(w, stats);
  w.EndObject();
  const std::string json = w.str();
  EXPECT_NE(
      json.find(
          R"("watermark_unix_nano":1795428000123000000,"watermark":"2026-11-23T10:00:00.123Z")"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("latest_event_unix_nano":0,"latest_event":"")"), std::string::npos)
      << json;
  EXPECT_NE(
      json.find(R"("findings":{"canary_rollback":1,"incomplete_sequence":5,"missing_service":2})"),
      std::string::npos)
      << json;
}

// The field types Stats does not use today, on a message made at run time: a map with integer
// keys, an enum, repeated numbers, a nested message, and a double that is not a JSON number.
TEST(ProtoJsonTest, OtherFieldTypesAreWrittenAsValidJson) {
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        name: "probe.proto"
        package: "probe"
        syntax: "proto3"
        enum_type {
          name: "Color"
          value { name: "RED" number: 0 }
          value { name: "BLUE" number: 1 }
        }
        message_type {
          name: "Probe"
          field {
            name: "color"
            number: 1
            type: TYPE_ENUM
            type_name: ".probe.Color"
            label: LABEL_OPTIONAL
          }
          field { name: "sizes" number: 2 type: TYPE_INT32 label: LABEL_REPEATED }
          field { name: "ratio" number: 3 type: TYPE_DOUBLE label: LABEL_OPTIONAL }
          field {
            name: "inner"
            number: 4
            type: TYPE_MESSAGE
            type_name: ".probe.Probe"
            label: LABEL_OPTIONAL
          }
          field {
            name: "by_port"
            number: 5
            type: TYPE_MESSAGE
            type_name: ".probe.Probe.ByPortEntry"
            label: LABEL_REPEATED
          }
          nested_type {
            name: "ByPortEntry"
            options { map_entry: true }
            field { name: "key" number: 1 type: TYPE_UINT32 label: LABEL_OPTIONAL }
            field { name: "value" number: 2 type: TYPE_STRING label: LABEL_OPTIONAL }
          }
        })pb",
      &file));
  google::protobuf::DescriptorPool pool;
  const google::protobuf::FileDescriptor* fd = pool.BuildFile(file);
  ASSERT_NE(fd, nullptr);
  google::protobuf::DynamicMessageFactory factory(&pool);
  std::unique_ptr<google::protobuf::Message> m(
      factory.GetPrototype(fd->FindMessageTypeByName("Probe"))->New());
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(color: BLUE
           sizes: [ 3, -4 ]
           ratio: inf
           inner { ratio: 0.25 }
           by_port { key: 8080 value: "http" }
           by_port { key: 443 value: "https" })pb",
      m.get()));
  JsonWriter w;
  w.StartObject();
  WriteProtoFields(w, *m);
  w.EndObject();
  rapidjson::Document d;
  d.Parse(w.str().c_str());
  ASSERT_FALSE(d.HasParseError()) << w.str();
  EXPECT_STREQ(d["color"].GetString(), "BLUE");
  ASSERT_EQ(d["sizes"].Size(), 2u);
  EXPECT_EQ(d["sizes"][1].GetInt(), -4);
  EXPECT_TRUE(d["ratio"].IsNull()) << w.str();  // inf is not a JSON number
  EXPECT_DOUBLE_EQ(d["inner"]["ratio"].GetDouble(), 0.25);
  EXPECT_TRUE(d["inner"]["inner"].IsNull());  // unset: not its default, which holds another
  EXPECT_STREQ(d["by_port"]["443"].GetString(), "https");
  EXPECT_STREQ(d["by_port"]["8080"].GetString(), "http");
}

}  // namespace
}  // namespace logweave::cli
