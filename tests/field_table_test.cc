// The table of JSON key paths: every configured name is found with its field and rank, the
// first list to name a key keeps it, and keys that only share a name's slot are not found.
#include "internal/field_table.h"

#include <string>

#include "gtest/gtest.h"

namespace logweave::internal {
namespace {

TEST(FieldTableTest, FindsEveryDefaultNameWithItsFieldAndRank) {
  const FieldNames names;
  const FieldTable table(names);
  const std::vector<std::string>* lists[kFieldCount] = {
      &names.trace_id, &names.time, &names.level, &names.service, &names.message, &names.route};
  for (int f = 0; f < kFieldCount; ++f) {
    for (size_t i = 0; i < lists[f]->size(); ++i) {
      const std::string& name = (*lists[f])[i];
      const FieldRef* ref = table.Find(name);
      ASSERT_NE(ref, nullptr) << name;
      // A key an earlier list already named keeps that list's meaning.
      bool earlier = false;
      for (int g = 0; g < f; ++g) {
        for (const std::string& other : *lists[g]) earlier |= other == name;
      }
      if (earlier) {
        EXPECT_NE(ref->field, f) << name;
        continue;
      }
      EXPECT_EQ(ref->field, f) << name;
      // The rank of its first place in its list.
      size_t first = i;
      for (size_t j = 0; j < i; ++j) {
        if ((*lists[f])[j] == name) first = std::min(first, j);
      }
      EXPECT_EQ(ref->rank, first) << name;
    }
  }
}

TEST(FieldTableTest, KeysThatShareANamesSlotOrLengthAreNotFound) {
  FieldNames names;
  names.trace_id = {"trace_id", "tid"};
  names.time = {"ts"};
  names.level = {"level", "lvl"};
  names.service = {"service"};
  names.message = {"msg", "message"};
  names.route = {};
  const FieldTable table(names);
  // Same first and last byte, same length: the mask lets them through, the names do not.
  for (const char* key : {"trace-id", "traceXid", "tsd", "lavel", "lel", "sarvice", "mag", "mes"}) {
    EXPECT_EQ(table.Find(key), nullptr) << key;
  }
  EXPECT_EQ(table.Find(""), nullptr);
  ASSERT_NE(table.Find("tid"), nullptr);
  EXPECT_EQ(table.Find("tid")->field, kTraceId);
  EXPECT_EQ(table.Find("tid")->rank, 1);
  ASSERT_NE(table.Find("message"), nullptr);
  EXPECT_EQ(table.Find("message")->field, kMessage);
}

TEST(FieldTableTest, FindsNamesOf64BytesAndMore) {
  FieldNames names;
  const std::string long_name(70, 'k');
  const std::string longer_name = std::string(64, 'a') + ".trace";
  names.trace_id = {longer_name};
  names.message = {long_name};
  const FieldTable table(names);
  ASSERT_NE(table.Find(long_name), nullptr);
  EXPECT_EQ(table.Find(long_name)->field, kMessage);
  ASSERT_NE(table.Find(longer_name), nullptr);
  EXPECT_EQ(table.Find(longer_name)->field, kTraceId);
  EXPECT_TRUE(table.IsPrefix(std::string(64, 'a')));
  EXPECT_EQ(table.Find(std::string(71, 'k')), nullptr);
  EXPECT_EQ(table.Find(std::string(70, 'j')), nullptr);
}

}  // namespace
}  // namespace logweave::internal
