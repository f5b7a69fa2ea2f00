// The flag parser every program in tools/ and bench/ uses (tools/flags/flags.h).
#include "tools/flags/flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/flags/malloc_arenas.h"

namespace logweave::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(FlagSetTest, ParsesEveryKindOfFlagInBothSpellings) {
  std::string name;
  bool on = false;
  uint64_t n = 0;
  int64_t delta = 0;
  double ratio = 0;
  std::vector<std::string> kinds;
  FlagSet flags("prog", "[flags] PATH", "Does things.");
  flags.String("name", &name, "NAME", "a name");
  flags.Bool("on", &on, "switch");
  flags.Uint("n", &n, "N", "a count");
  flags.Int("delta", &delta, "D", "a signed count");
  flags.Double("ratio", &ratio, "X", "a ratio");
  flags.StringList("kind", &kinds, "KIND", "repeatable");
  std::vector<std::string> positional;
  ASSERT_TRUE(flags
                  .Parse({"--name=a", "--on", "--n", "12", "--delta=-3", "--ratio", "0.5", "--kind",
                          "x", "--kind=y", "path", "--", "--not-a-flag"},
                         &positional)
                  .ok());
  EXPECT_EQ(name, "a");
  EXPECT_TRUE(on);
  EXPECT_EQ(n, 12u);
  EXPECT_EQ(delta, -3);
  EXPECT_DOUBLE_EQ(ratio, 0.5);
  EXPECT_THAT(kinds, ElementsAre("x", "y"));
  EXPECT_THAT(positional, ElementsAre("path", "--not-a-flag"));
  EXPECT_FALSE(flags.help_requested());
}

TEST(FlagSetTest, BadValuesAndUnknownFlagsAreNamed) {
  uint64_t n = 0;
  double ratio = 0;
  FlagSet flags("prog", "", "");
  flags.Uint("n", &n, "N", "");
  flags.Double("ratio", &ratio, "X", "");
  std::vector<std::string> positional;
  absl::Status s = flags.Parse({"--n", "x"}, &positional);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--n needs a whole number (got \"x\")"));
  s = flags.Parse({"--ratio=abc"}, &positional);
  EXPECT_THAT(s.message(), HasSubstr("--ratio needs a number"));
  s = flags.Parse({"--bogus"}, &positional);
  EXPECT_THAT(s.message(), HasSubstr("unknown flag --bogus; see 'prog --help'"));
  s = flags.Parse({"--n"}, &positional);
  EXPECT_THAT(s.message(), HasSubstr("--n needs a value (N)"));
  absl::Duration idle;
  flags.Duration("idle", &idle, "DURATION", "");
  for (const std::string bad : {"inf", "nan", "99999999999h", "-5s", "0"}) {
    EXPECT_THAT(flags.Parse({"--idle", bad}, &positional).message(),
                HasSubstr("--idle needs a positive duration"))
        << bad;
  }
}

TEST(FlagSetTest, ACustomFlagChecksAndStoresItsValue) {
  std::string mode;
  FlagSet flags("prog", "", "");
  flags.Custom("mode", "on|off", "", [&mode](const std::string& v) {
    if (v != "on" && v != "off") return absl::InvalidArgumentError("--mode must be on or off");
    mode = v;
    return absl::OkStatus();
  });
  std::vector<std::string> positional;
  EXPECT_TRUE(flags.Parse({"--mode", "off"}, &positional).ok());
  EXPECT_EQ(mode, "off");
  EXPECT_EQ(flags.Parse({"--mode=maybe"}, &positional).message(), "--mode must be on or off");
  EXPECT_EQ(mode, "off");
}

TEST(FlagSetTest, HelpIndentsMultiLineHelpAndEndsWithTheEpilog) {
  bool on = false;
  FlagSet flags("prog", "[flags]", "Does things.");
  flags.Bool("on", &on, "first line\nsecond line");
  flags.set_epilog("Exit status: 0 ok.\n");
  std::vector<std::string> positional;
  ASSERT_TRUE(flags.Parse({"-h"}, &positional).ok());
  EXPECT_TRUE(flags.help_requested());
  EXPECT_EQ(flags.Help(),
            "usage: prog [flags]\n\nDoes things.\n\nflags:\n"
            "  --on                    first line\n"
            "                          second line\n"
            "  -h, --help              show this help\n"
            "\nExit status: 0 ok.\n");
}

TEST(FlagSetTest, HelpWrapsLongFlagHelpAtWordsWithinOneHundredColumns) {
  bool on = false;
  std::string long_help;
  for (int i = 0; i < 30; ++i) absl::StrAppend(&long_help, i == 0 ? "" : " ", "word", i);
  FlagSet flags("prog", "", "");
  flags.Bool("on", &on, long_help + "\nkept break");
  const std::vector<std::string> lines = absl::StrSplit(flags.Help(), '\n');
  std::string rejoined;
  size_t help_lines = 0;
  for (const std::string& line : lines) {
    EXPECT_LE(line.size(), 100u) << line;
    if (!absl::StartsWith(line, "  --on") && !absl::StartsWith(line, std::string(26, ' '))) {
      continue;
    }
    ++help_lines;
    absl::StrAppend(&rejoined, rejoined.empty() ? "" : " ",
                    absl::StripAsciiWhitespace(line.substr(26)));
  }
  EXPECT_EQ(help_lines, 4u);  // 30 words of ~6 characters in 74 columns, then the kept break
  EXPECT_EQ(rejoined, long_help + " kept break");
}

TEST(FlagSetTest, HelpEndsWithExitCodesThenExamplesThenTheEpilog) {
  FlagSet flags("prog", "[flags]", "Does things.");
  flags.set_epilog("Formats: see docs.\n");
  flags.set_examples({"prog a", "prog b \\\n  --long"});
  flags.set_exit_codes("Exit codes: 0 ok.\n");
  EXPECT_EQ(flags.Help(),
            "usage: prog [flags]\n\nDoes things.\n\nflags:\n"
            "  -h, --help              show this help\n"
            "\nExit codes: 0 ok.\n"
            "\nexamples:\n  prog a\n  prog b \\\n    --long\n"
            "\nFormats: see docs.\n");
  FlagSet one("prog", "", "");
  one.set_examples({"prog x"});
  EXPECT_THAT(one.Help(), testing::EndsWith("\nexample:\n  prog x\n"));
}

TEST(FlagSetTest, ParseMainReturnsTheExitCodeForHelpAndBadFlags) {
  uint64_t n = 0;
  FlagSet flags("prog", "", "");
  flags.Uint("n", &n, "N", "");
  std::vector<std::string> positional;
  char prog[] = "prog", bad[] = "--n=x", ok[] = "--n=4", help[] = "--help", path[] = "p";
  char* bad_argv[] = {prog, bad};
  EXPECT_EQ(flags.ParseMain(2, bad_argv, &positional), 2);
  char* ok_argv[] = {prog, ok, path};
  EXPECT_EQ(flags.ParseMain(3, ok_argv, &positional), -1);
  EXPECT_EQ(n, 4u);
  EXPECT_THAT(positional, ElementsAre("p"));
  testing::internal::CaptureStdout();
  char* help_argv[] = {prog, help};
  EXPECT_EQ(flags.ParseMain(2, help_argv, &positional), 0);
  EXPECT_THAT(testing::internal::GetCapturedStdout(), HasSubstr("usage: prog"));
}

TEST(FlagSetTest, ParseCommandLeavesTheBadFlagToFailOrPrintsIt) {
  uint64_t n = 0;
  FlagSet flags("prog", "", "");
  flags.Uint("n", &n, "N", "");
  std::vector<std::string> positional;
  std::string failed;
  auto fail = [&failed](const absl::Status& s) {
    failed = std::string(s.message());
    return 7;
  };
  EXPECT_EQ(flags.ParseCommand({"--n=x"}, &positional, fail), 7);
  EXPECT_THAT(failed, HasSubstr("--n"));
  testing::internal::CaptureStderr();
  EXPECT_EQ(flags.ParseCommand({"--n=x"}, &positional), 2);
  EXPECT_THAT(testing::internal::GetCapturedStderr(), testing::StartsWith("prog: "));
  EXPECT_EQ(flags.ParseCommand({"--n=5", "p"}, &positional, fail), -1);
  EXPECT_EQ(n, 5u);
  testing::internal::CaptureStdout();
  EXPECT_EQ(flags.ParseCommand({"-h"}, &positional, fail), 0);
  EXPECT_THAT(testing::internal::GetCapturedStdout(), HasSubstr("usage: prog"));
}

// The programs cap malloc's arenas (tools/flags/malloc_arenas.h): threads
// started after the cap share the arenas there are, where each would
// otherwise get one of its own.
TEST(MallocArenasTest, ThreadsStartedAfterTheCapShareTheArenas) {
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) GTEST_SKIP() << "the user's cap applies";
  LimitMallocArenas(2);
  std::vector<std::thread> threads;
  std::vector<void*> blocks(8);
  std::atomic<int> arrived{0}, allocated{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&blocks, &arrived, &allocated, t] {
      // All eight alive at once, so none takes over an arena another left.
      arrived.fetch_add(1);
      while (arrived.load() < 8) std::this_thread::yield();
      blocks[t] = std::malloc(1 << 16);
      allocated.fetch_add(1);
      while (allocated.load() < 8) std::this_thread::yield();
    });
  }
  for (auto& t : threads) t.join();
  char* xml = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&xml, &size);
  ASSERT_NE(out, nullptr);
  ASSERT_EQ(malloc_info(0, out), 0);
  std::fclose(out);
  const std::string info(xml, size);
  std::free(xml);
  for (void* p : blocks) std::free(p);
  int heaps = 0;
  for (size_t at = info.find("<heap nr="); at != std::string::npos;
       at = info.find("<heap nr=", at + 1)) {
    ++heaps;
  }
  // Arenas made by earlier tests' threads (before the cap) may stand too;
  // this binary's other tests start at most a few.
  EXPECT_GE(heaps, 1);
  EXPECT_LE(heaps, 4) << info.substr(0, 2000);
  EXPECT_GE(DefaultMallocArenas(), 2);
}

}  // namespace
}  // namespace logweave::cli
