// IsValidUtf8 looks at 8 bytes at a time, and at a short tail through the text's last 8 bytes:
// it must agree with the byte-by-byte repair (which leaves valid text as it is) at every length
// and wherever the multi-byte sequences, valid or not, fall.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "logweave/utf8.h"

namespace logweave {
namespace {

TEST(Utf8ValidationTest, AgreesWithTheByteByByteRepairAtEveryLengthAndPlace) {
  std::mt19937_64 rng(3);
  // Valid sequences, and bytes that are not valid on their own or in the wrong place.
  const std::vector<std::string> pieces = {"a",
                                           "Z",
                                           " ",
                                           "\xC3\xA9",
                                           "\xE2\x82\xAC",
                                           "\xF0\x9F\x98\x80",
                                           "\x80",
                                           "\xC3",
                                           "\xED\xA0\x80",
                                           "\xC0\xAF",
                                           "\xFF",
                                           "\xF4\x90\x80\x80"};
  size_t valid = 0, cases = 0;
  for (int k = 0; k < 20000; ++k) {
    std::string s;
    const size_t n = rng() % 40;
    while (s.size() < n) {
      // Mostly ASCII, so that the 8-byte steps and the tails are both taken.
      s += rng() % 4 != 0 ? std::string(1, static_cast<char>('a' + rng() % 26))
                          : pieces[rng() % pieces.size()];
    }
    std::string repaired;
    AppendValidUtf8(s, &repaired);
    const bool want = repaired == s;
    ASSERT_EQ(IsValidUtf8(s), want) << testing::PrintToString(s);
    valid += want;
    ++cases;
  }
  EXPECT_GT(valid, cases / 10);
  EXPECT_LT(valid, cases - cases / 10);
  // A bad byte in the tail after 8 ASCII bytes, and a valid sequence there.
  EXPECT_FALSE(IsValidUtf8("abcdefgh\x80"));
  EXPECT_FALSE(IsValidUtf8("abcdefghij\xC3"));
  EXPECT_TRUE(IsValidUtf8("abcdefghij\xC3\xA9"));
  EXPECT_TRUE(IsValidUtf8("abcdefghijklmno"));
}

}  // namespace
}  // namespace logweave
