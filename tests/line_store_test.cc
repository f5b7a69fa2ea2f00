// The compressed store of an index shard's line bytes.
#include "index/line_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"

namespace logweave::internal {
namespace {

std::string LogLine(int i) {
  return absl::StrFormat(
      R"({"level":"info","ts":%d.%06d,"msg":"request received","trace_id":"%032x","route":"GET /cart"})",
      1795428000 + i / 100, (i * 7919) % 1000000, i * 2654435761u);
}

TEST(LineStoreTest, EveryLineReadsBackWhetherItsBlockIsSealedOrOpen) {
  LineStore store(4096);
  std::vector<std::pair<uint64_t, std::string>> stored;
  for (int i = 0; i < 2000; ++i) {
    std::string line = LogLine(i);
    stored.emplace_back(store.Append(line), line);
  }
  BlockCache cache(2);
  // In order, backwards and jumping: every line exactly as appended.
  for (const auto& [pos, line] : stored) {
    EXPECT_EQ(store.View(pos, line.size(), &cache), line);
  }
  for (size_t i = stored.size(); i-- > 0;) {
    const size_t j = (i * 7) % stored.size();
    EXPECT_EQ(store.View(stored[j].first, stored[j].second.size(), &cache), stored[j].second);
  }
  EXPECT_EQ(store.raw_bytes(), stored.back().first + stored.back().second.size());
}

TEST(LineStoreTest, ACloneReadsAsTheOriginalAndGoesItsOwnWay) {
  LineStore store(4096);
  std::vector<std::pair<uint64_t, std::string>> stored;
  for (int i = 0; i < 500; ++i) stored.emplace_back(store.Append(LogLine(i)), LogLine(i));
  std::unique_ptr<LineStore> clone = store.Clone();
  EXPECT_EQ(clone->bytes(), store.bytes());
  EXPECT_EQ(clone->raw_bytes(), store.raw_bytes());
  // Each grows and drops on its own: the clone's later lines are not the original's.
  const uint64_t in_clone = clone->Append("only in the clone");
  const uint64_t in_store = store.Append(LogLine(500));
  EXPECT_EQ(in_clone, in_store);
  store.DropBefore(UINT64_MAX);
  BlockCache cache(2);
  for (const auto& [pos, line] : stored) EXPECT_EQ(clone->View(pos, line.size(), &cache), line);
  EXPECT_EQ(clone->View(in_clone, 17, &cache), "only in the clone");
  EXPECT_EQ(store.View(stored[0].first, stored[0].second.size(), &cache), "");  // dropped there
}

TEST(LineStoreTest, LogLinesTakeAFractionOfTheirSize) {
  LineStore store;
  uint64_t raw = 0;
  for (int i = 0; i < 20000; ++i) {
    raw += LogLine(i).size();
    store.Append(LogLine(i));
  }
  // zstd on blocks of similar JSON lines: several times smaller.
  EXPECT_LT(store.bytes(), raw / 3) << store.bytes() << " of " << raw;
}

TEST(LineStoreTest, ALineLongerThanABlockGetsABlockOfItsOwn) {
  LineStore store(1024);
  const uint64_t a = store.Append("first");
  const std::string huge(100'000, 'x');
  const uint64_t b = store.Append(huge);
  const uint64_t c = store.Append("after");
  BlockCache cache;
  EXPECT_EQ(store.View(a, 5, &cache), "first");
  EXPECT_EQ(store.View(b, huge.size(), &cache), huge);
  EXPECT_EQ(store.View(c, 5, &cache), "after");
  // The open block's buffer went back to its usual size.
  EXPECT_LT(store.bytes(), 20'000u);
}

TEST(LineStoreTest, DroppedBlocksFreeTheirMemoryAndReadAsEmpty) {
  LineStore store(4096);
  std::vector<uint64_t> pos;
  for (int i = 0; i < 1000; ++i) pos.push_back(store.Append(LogLine(i)));
  const uint64_t before = store.bytes();
  store.DropBefore(pos[900]);
  EXPECT_LT(store.bytes(), before / 2);
  BlockCache cache;
  EXPECT_TRUE(store.View(pos[0], LogLine(0).size(), &cache).empty());
  EXPECT_EQ(store.View(pos[950], LogLine(950).size(), &cache), LogLine(950));
  EXPECT_EQ(store.View(pos[999], LogLine(999).size(), &cache), LogLine(999));
}

TEST(LineStoreTest, ACacheDecompressesABlockOnceForItsLines) {
  LineStore store(4096);
  std::vector<uint64_t> pos;
  for (int i = 0; i < 100; ++i) pos.push_back(store.Append(LogLine(i)));
  store.Append(std::string(5000, 'y'));  // seals what came before
  BlockCache cache(1);
  for (int i = 0; i < 10; ++i) store.View(pos[i], LogLine(i).size(), &cache);
  EXPECT_EQ(cache.misses(), 1u);
}

}  // namespace
}  // namespace logweave::internal
