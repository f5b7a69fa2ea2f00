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

}  // namespace logweave::testdata

#endif  // LOGWEAVE_TESTS_TESTDATA_JSON_LINES_H_
