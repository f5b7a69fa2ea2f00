// JSON Lines output of the commands, parsed for tests.
#ifndef LOGWEAVE_TESTS_TESTDATA_JSON_LINES_H_
#define LOGWEAVE_TESTS_TESTDATA_JSON_LINES_H_

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "rapidjson/document.h"

namespace logweave::testdata {

// One document per line of `text`. Each line must be a JSON object (a
// failure of the calling test otherwise; such lines are left out).
inline std::vector<rapidjson::Document> JsonLines(const std::string& text) {
  std::vector<rapidjson::Document> docs;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    EXPECT_FALSE(d.HasParseError()) << "not JSON: " << line;
    EXPECT_TRUE(!d.HasParseError() && d.IsObject()) << "not a JSON object: " << line;
    if (!d.HasParseError() && d.IsObject()) docs.push_back(std::move(d));
  }
  return docs;
}

// The objects among `docs` whose "kind" is `kind`, in order; they point into `docs`.
inline std::vector<const rapidjson::Value*> OfKind(const std::vector<rapidjson::Document>& docs,
                                                   const std::string& kind) {
  std::vector<const rapidjson::Value*> out;
  for (const rapidjson::Document& d : docs) {
    if (d.HasMember("kind") && d["kind"].IsString() && d["kind"].GetString() == kind) {
      out.push_back(&d);
    }
  }
  return out;
}

// Expects each string member of `want`, written "key=value", in `object`; a mismatch names it.
inline void ExpectStrings(const rapidjson::Value& object, const std::vector<std::string>& want) {
  for (const std::string& key_value : want) {
    const size_t eq = key_value.find('=');
    ASSERT_NE(eq, std::string::npos) << key_value;
    const std::string key = key_value.substr(0, eq);
    ASSERT_TRUE(object.HasMember(key.c_str()) && object[key.c_str()].IsString()) << key_value;
    EXPECT_EQ(std::string(object[key.c_str()].GetString()), key_value.substr(eq + 1)) << key_value;
  }
}

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_JSON_LINES_H_
