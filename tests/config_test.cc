// Tests for logweave/config.h: reading every key of the YAML config into PipelineOptions,
// defaults, the errors for unknown keys, bad values and bad YAML, and ParseByteSize.
#include "logweave/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "logweave/options.h"
#include "testdata/invalid_argument.h"

namespace logweave {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

// `names` followed by the built-in names in `builtin` that are not among them.
std::vector<std::string> ConfiguredThenBuiltIn(std::vector<std::string> names,
                                               const std::vector<std::string>& builtin) {
  for (const std::string& name : builtin) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

using testdata::ExpectInvalidArgument;

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "config_test.XXXXXX").string();
    path_ = mkdtemp(templ.data()) != nullptr ? templ : "";
    EXPECT_FALSE(path_.empty()) << "mkdtemp failed";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string file = path_ + "/" + name;
    std::ofstream(file) << text;
    return file;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// ---------------------------------------------------------------------------------------------
// Reading keys.

TEST(LoadConfigStringTest, ReadsEveryKey) {
  absl::StatusOr<PipelineOptions> options = LoadConfigString(R"(# logweave.yaml for the ledger
threads: 8
queue_bytes: 64MiB
max_line_bytes: 256KiB
batch_lines: 2048
batch_bytes: 512KiB
index:
  shards: 32
  dedupe: false
  dedupe_window: 65536
fields:
  trace_id: [req_trace, traceparent]
  time: [when]
  level: [sev]
  service: [svc]
  message: [text]
)");
  ASSERT_TRUE(options.ok()) << options.status();
  const FieldNames builtin;
  EXPECT_EQ(options->threads, 8u);
  EXPECT_EQ(options->queue_bytes, 64 * kMiB);
  EXPECT_EQ(options->batching.max_line_bytes, 256u * 1024);
  EXPECT_EQ(options->batching.batch_lines, 2048u);
  EXPECT_EQ(options->batching.batch_bytes, 512u * 1024);
  EXPECT_EQ(options->index.shards, 32u);
  EXPECT_FALSE(options->index.dedupe);
  EXPECT_EQ(options->index.dedupe_window, 65536u);
  const FieldNames& f = options->parser.fields;
  EXPECT_EQ(f.trace_id, ConfiguredThenBuiltIn({"req_trace", "traceparent"}, builtin.trace_id));
  EXPECT_EQ(f.time, ConfiguredThenBuiltIn({"when"}, builtin.time));
  EXPECT_EQ(f.level, ConfiguredThenBuiltIn({"sev"}, builtin.level));
  EXPECT_EQ(f.service, ConfiguredThenBuiltIn({"svc"}, builtin.service));
  EXPECT_EQ(f.message, ConfiguredThenBuiltIn({"text"}, builtin.message));
}

TEST(LoadConfigStringTest, FieldGivenAsSingleStringComesFirst) {
  absl::StatusOr<PipelineOptions> options = LoadConfigString("fields:\n  trace_id: req_trace\n");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->parser.fields.trace_id,
            ConfiguredThenBuiltIn({"req_trace"}, FieldNames().trace_id));
}

TEST(LoadConfigStringTest, ConfiguredBuiltInNameMovesToFrontWithoutDuplicate) {
  absl::StatusOr<PipelineOptions> options = LoadConfigString("fields:\n  trace_id: [traceId]\n");
  ASSERT_TRUE(options.ok()) << options.status();
  const std::vector<std::string>& names = options->parser.fields.trace_id;
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "traceId");
  EXPECT_EQ(std::count(names.begin(), names.end(), "traceId"), 1);
  EXPECT_EQ(names.size(), FieldNames().trace_id.size());
}

TEST(LoadConfigStringTest, FieldsNotConfiguredKeepBuiltInNames) {
  absl::StatusOr<PipelineOptions> options = LoadConfigString("fields:\n  level: [sev]\n");
  ASSERT_TRUE(options.ok()) << options.status();
  const FieldNames builtin;
  EXPECT_EQ(options->parser.fields.trace_id, builtin.trace_id);
  EXPECT_EQ(options->parser.fields.message, builtin.message);
}

TEST(LoadConfigStringTest, DedupeAcceptsTrueInAnyCase) {
  absl::StatusOr<PipelineOptions> options = LoadConfigString("index:\n  dedupe: True\n");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->index.dedupe);
}

TEST(LoadConfigStringTest, EmptyDocumentGivesDefaults) {
  for (const std::string text : {"", "# nothing configured yet\n"}) {
    SCOPED_TRACE(text);
    absl::StatusOr<PipelineOptions> options = LoadConfigString(text);
    ASSERT_TRUE(options.ok()) << options.status();
    const PipelineOptions defaults;
    EXPECT_EQ(options->threads, defaults.threads);
    EXPECT_EQ(options->queue_bytes, defaults.queue_bytes);
    EXPECT_EQ(options->batching.max_line_bytes, defaults.batching.max_line_bytes);
    EXPECT_EQ(options->batching.batch_lines, defaults.batching.batch_lines);
    EXPECT_EQ(options->batching.batch_bytes, defaults.batching.batch_bytes);
    EXPECT_EQ(options->index.shards, defaults.index.shards);
    EXPECT_EQ(options->index.dedupe, defaults.index.dedupe);
    EXPECT_EQ(options->index.dedupe_window, defaults.index.dedupe_window);
    EXPECT_EQ(options->parser.fields.trace_id, defaults.parser.fields.trace_id);
    EXPECT_EQ(options->parser.fields.time, defaults.parser.fields.time);
    EXPECT_EQ(options->parser.fields.level, defaults.parser.fields.level);
    EXPECT_EQ(options->parser.fields.service, defaults.parser.fields.service);
    EXPECT_EQ(options->parser.fields.message, defaults.parser.fields.message);
  }
}

// A config LoadConfigString refuses (INVALID_ARGUMENT), with the parts its message must hold;
// each case was a test of its own, named as the case is.
struct RejectedConfig {
  std::string name = "";
  std::string yaml = "";
  std::vector<std::string> parts = {};
  std::string origin = "config";  // LoadConfigString's default
};

class LoadConfigStringRejectTest : public ::testing::TestWithParam<RejectedConfig> {};

TEST_P(LoadConfigStringRejectTest, NamesWhatIsWrong) {
  ExpectInvalidArgument(LoadConfigString(GetParam().yaml, GetParam().origin), GetParam().parts);
}

std::string RejectedConfigName(const ::testing::TestParamInfo<RejectedConfig>& info) {
  return info.param.name;
}

// ---------------------------------------------------------------------------------------------
// Unknown keys.

std::vector<RejectedConfig> UnknownKeysCases() {
  return {
      {"UnknownTopLevelKeyIsNamedWithKnownKeys",
       "threads: 4\nthread_count: 8\n",
       {"ledger.yaml:2", "\"thread_count\"",
        "threads, queue_bytes, max_line_bytes, batch_lines, batch_bytes, index, fields"},
       "ledger.yaml"},
      {"UnknownIndexKeyIsNamedWithItsSection",
       "index:\n  shards: 8\n  shard: 4\n",
       {"config:3", "\"index.shard\"", "shards, dedupe"}},
      {"UnknownFieldsKeyIsNamedWithItsSection",
       "fields:\n  traceid: [req_trace]\n",
       {"\"fields.traceid\"", "trace_id, time, level, service, message"}},
  };
}
INSTANTIATE_TEST_SUITE_P(UnknownKeys, LoadConfigStringRejectTest,
                         ::testing::ValuesIn(UnknownKeysCases()), RejectedConfigName);

// ---------------------------------------------------------------------------------------------
// Bad values.

std::vector<RejectedConfig> BadValuesCases() {
  return {
      {"NonNumericThreadsIsRejected", "threads: many\n", {"config:1", "threads", "many"}},
      {"NegativeThreadsIsRejected", "threads: -1\n", {"threads"}},
      {"ThreadsAbove1024IsRejected", "threads: 1025\n", {"threads"}},
      {"ZeroMaxLineBytesIsRejected", "max_line_bytes: 0\n", {"config:1", "max_line_bytes"}},
      {"NonBooleanDedupeIsRejected", "index:\n  dedupe: maybe\n", {"config:2", "index.dedupe"}},
      {"QueueBytesBelowOneMebibyteIsRejected", "queue_bytes: 10\n", {"queue_bytes"}},
      // Regression (fixed): config.h promises INVALID_ARGUMENT "naming the key (and line) for a bad
      // value", but values that parse and are only rejected by PipelineOptions::Validate() lose the
      // line: "queue_bytes: 10" on line 2 gives "config: queue_bytes must be at least 1048576 (1
      // MiB) (got 10)" (likewise "batch_lines: 0" gives "config: batch_lines and batch_bytes must
      // be positive").
      {"OutOfRangeQueueBytesErrorGivesTheLine",
       "threads: 4\nqueue_bytes: 10\n",
       {"config:2", "queue_bytes"}},
      {"UnparseableQueueBytesIsRejected", "queue_bytes: 1.5M\n", {"queue_bytes", "1.5M"}},
      {"TooManyShardsIsRejected", "index:\n  shards: 5000\n", {"index.shards"}},
      {"DedupeWindowBelow1024IsRejected",
       "index:\n  dedupe_window: 100\n",
       {"config:2", "index.dedupe_window", "from 1024 to"}},
      {"ZeroBatchLinesIsRejected", "batch_lines: 0\n", {"config:1", "batch_lines", "from 1 to"}},
      {"ZeroMinTracesIsRejected",
       "detectors:\n  missing_service:\n    min_traces: 0\n",
       {"config:3", "min_traces", "from 1 to"}},
      // Durations that are no number of nanoseconds an int64 holds.
      {"NanTraceIdleIsRejected", "detectors:\n  trace_idle: nan\n", {"detectors.trace_idle"}},
      {"InfiniteTraceIdleIsRejected", "detectors:\n  trace_idle: inf\n", {"100 years"}},
      {"HugeTraceIdleIsRejected", "detectors:\n  trace_idle: 99999999999999h\n", {"100 years"}},
      {"BatchBytesAboveOneGibibyteIsRejected", "batch_bytes: 2GiB\n", {"batch_bytes"}},
      {"FieldsAsMapIsRejected", "fields:\n  trace_id: {name: req_trace}\n", {"fields.trace_id"}},
      {"EmptyFieldNameIsRejected", "fields:\n  trace_id: [\"\"]\n", {"fields.trace_id"}},
      {"IndexThatIsNotAMapIsRejected", "index: 8\n", {"index"}},
      {"DocumentThatIsNotAMapIsRejected", "- threads: 4\n", {"must be a map"}},
      {"InvalidYamlIsRejectedWithLineNumber",
       "threads: 4\nindex:\n  shards: [8\n  dedupe: true\n",
       {"ledger.yaml:", "not valid YAML"},
       "ledger.yaml"},
      {"DeeplyNestedYamlIsRejectedSayingSo",
       "threads: " + std::string(5000, '[') + std::string(5000, ']') + "\n",
       {"config:1", "nested more than", "levels deep"}},
      {"AKeyGivenTwiceIsRejectedAtItsSecondLine",
       "threads: 4\nindex:\n  shards: 8\n  shards: 16\n",
       {"config:4", "\"shards\" is given twice"}},
      {"ASectionGivenTwiceIsRejected",
       "index:\n  shards: 8\nthreads: 2\nindex:\n  dedupe: false\n",
       {"config:4", "\"index\" is given twice"}},
      {"SeveralDocumentsAreRejected", "threads: 4\n---\nthreads: abc\n", {"2 YAML documents"}},
      {"AnAliasBombIsRejected",
       "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, "
       "*c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, "
       "*e, *e]\n",
       {"more than 200000 values"}},
      {"BadIndentationIsRejectedAtItsLine",
       "threads: 4\nqueue_bytes: 64MiB\n  batch_lines: 10\n",
       {"config:3: not valid YAML"}},
  };
}
INSTANTIATE_TEST_SUITE_P(BadValues, LoadConfigStringRejectTest,
                         ::testing::ValuesIn(BadValuesCases()), RejectedConfigName);

// Separators around one document (generated files end with "---") are no second document.
TEST(LoadConfigStringTest, EmptyDocumentsAroundTheConfigAreNothing) {
  for (const std::string yaml :
       {"threads: 4\n---\n", "---\nthreads: 4\n", "---\n---\nthreads: 4\n"}) {
    absl::StatusOr<PipelineOptions> options = LoadConfigString(yaml);
    ASSERT_TRUE(options.ok()) << yaml << options.status();
    EXPECT_EQ(options->threads, 4u) << yaml;
  }
}

TEST(LoadConfigStringTest, QueueBytesZeroChoosesTheDefault) {
  absl::StatusOr<PipelineOptions> options = LoadConfigString("threads: 2\nqueue_bytes: 0\n");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->queue_bytes, 0u);
  EXPECT_EQ(options->EffectiveQueueBytes(), 4ull << 20);
}

// ---------------------------------------------------------------------------------------------
// LoadConfigFile.

TEST(LoadConfigFileTest, ReadsFile) {
  TempDir dir;
  std::string path = dir.Write("logweave.yaml", "threads: 3\nindex:\n  shards: 12\n");
  absl::StatusOr<PipelineOptions> options = LoadConfigFile(path);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->threads, 3u);
  EXPECT_EQ(options->index.shards, 12u);
}

TEST(LoadConfigFileTest, ErrorsNameTheFile) {
  TempDir dir;
  std::string path = dir.Write("logweave.yaml", "threads: 3\nqueue_bytez: 64MiB\n");
  ExpectInvalidArgument(LoadConfigFile(path), {path + ":2", "\"queue_bytez\""});
}

TEST(LoadConfigFileTest, MissingFileIsNotFoundNamingThePath) {
  TempDir dir;
  const std::string path = dir.path() + "/no-such-logweave.yaml";
  absl::StatusOr<PipelineOptions> options = LoadConfigFile(path);
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().code(), absl::StatusCode::kNotFound) << options.status();
  EXPECT_NE(std::string(options.status().message()).find(path), std::string::npos)
      << options.status();
}

TEST(LoadConfigFileTest, DirectoryIsNotReadAsAnEmptyConfig) {
  TempDir dir;
  absl::StatusOr<PipelineOptions> options = LoadConfigFile(dir.path());
  // Regression (fixed): std::ifstream opens a directory without error on Linux and reading it
  // yields no bytes, so LoadConfigFile("/etc/logweave/") silently returns the defaults instead of
  // failing (header: NOT_FOUND if it cannot be opened).
  ASSERT_FALSE(options.ok()) << "a directory was accepted as an empty config";
  EXPECT_EQ(options.status().code(), absl::StatusCode::kNotFound) << options.status();
}

// A device or a log file given by mistake is refused once it passes a config's size, instead
// of being read to the end (/dev/zero has none).
TEST(LoadConfigFileTest, ADeviceOrAHugeFileIsRefusedNotReadForever) {
  absl::StatusOr<PipelineOptions> options = LoadConfigFile("/dev/zero");
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument) << options.status();
  EXPECT_THAT(
      std::string(options.status().message()),
      ::testing::AllOf(::testing::HasSubstr("/dev/zero"), ::testing::HasSubstr("more than")));
}

// ---------------------------------------------------------------------------------------------
// ParseByteSize.

TEST(ParseByteSizeTest, AcceptsPlainNumbersAndBinaryUnits) {
  const std::pair<std::string, uint64_t> cases[] = {
      {"512", 512},
      {"0", 0},
      {"64KiB", 64ull << 10},
      {"64kb", 64ull << 10},
      {"64K", 64ull << 10},
      {"1M", 1ull << 20},
      {"1MiB", 1ull << 20},
      {"64MB", 64ull << 20},
      {"2G", 2ull << 30},
      {"2GiB", 2ull << 30},
      {"512 KiB", 512ull << 10},
      {"100b", 100},
  };
  for (const auto& [text, want] : cases) {
    uint64_t got = 0;
    EXPECT_TRUE(ParseByteSize(text, &got)) << text;
    EXPECT_EQ(got, want) << text;
  }
}

TEST(ParseByteSizeTest, RejectsFractionsWordsAndUnknownUnits) {
  for (const std::string text : {"1.5M", "abc", "", "M", "-1", "64 MiBs", "10 apples",
                                 "99999999999999999999", "20000000000G"}) {
    uint64_t got = 7;
    EXPECT_FALSE(ParseByteSize(text, &got)) << '"' << text << '"';
    EXPECT_EQ(got, 7u) << '"' << text << '"';
  }
}

TEST(IndexConfigTest, MaxBytesTakesASizeAndRefusesTinyBudgets) {
  absl::StatusOr<PipelineOptions> ok = LoadConfigString("index:\n  max_bytes: 2GiB\n");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->index.max_bytes, 2ull << 30);
  absl::StatusOr<PipelineOptions> off = LoadConfigString("index:\n  max_bytes: 0\n");
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_EQ(off->index.max_bytes, 0u);
  absl::StatusOr<PipelineOptions> tiny = LoadConfigString("index:\n  max_bytes: 1MiB\n");
  ASSERT_FALSE(tiny.ok());
  EXPECT_NE(tiny.status().message().find("index.max_bytes"), std::string_view::npos)
      << tiny.status();
}

TEST(IndexConfigTest, KnowsWhetherTheIndexBudgetWasGiven) {
  absl::StatusOr<Config> unset = LoadFullConfigString("threads: 2\n");
  ASSERT_TRUE(unset.ok());
  EXPECT_FALSE(unset->index_max_bytes_given);
  absl::StatusOr<Config> zero = LoadFullConfigString("index:\n  max_bytes: 0\n");
  ASSERT_TRUE(zero.ok()) << zero.status();
  EXPECT_TRUE(zero->index_max_bytes_given);  // an explicit "no limit"
  EXPECT_EQ(zero->pipeline.index.max_bytes, 0u);
  absl::StatusOr<Config> other = LoadFullConfigString("index:\n  shards: 8\n");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_FALSE(other->index_max_bytes_given);
}

// ---------------------------------------------------------------------------------------------
// Sections registered by the caller.

TEST(ConfigSectionsTest, ARegisteredSectionIsHandedToItsParserAfterTheEngineSections) {
  std::string seen;
  ConfigSections sections = {{"shipper", [&](const ConfigSection& s) {
                                ConfigReader r(s);
                                r.Word("name", &seen);
                                return r.status();
                              }}};
  absl::StatusOr<PipelineOptions> options =
      LoadConfigString("shipper:\n  name: fluent\nthreads: 3\n", "config", sections);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->threads, 3u);
  EXPECT_EQ(seen, "fluent");
  // An engine error comes first; the section's parser is not called.
  seen.clear();
  EXPECT_FALSE(LoadConfigString("shipper:\n  name: x\nthreads: many\n", "config", sections).ok());
  EXPECT_EQ(seen, "");
}

TEST(ConfigSectionsTest, AParsersErrorNamesTheFileLineAndKey) {
  ConfigSections sections = {{"shipper", [](const ConfigSection& s) {
                                if (absl::Status st = s.CheckKeys({"name"}); !st.ok()) return st;
                                ConfigReader r(s);
                                uint64_t n = 0;
                                r.Uint("name", 10, &n);
                                return r.status();
                              }}};
  ExpectInvalidArgument(LoadConfigString("threads: 2\nshipper:\n  nme: 1\n", "a.yaml", sections),
                        {"a.yaml:3", "unknown key \"shipper.nme\"", "known keys here: name"});
  ExpectInvalidArgument(LoadConfigString("shipper:\n  name: lots\n", "a.yaml", sections),
                        {"a.yaml:2", "shipper.name must be a whole number"});
}

TEST(ConfigSectionsTest, UnknownSectionListsTheEngineKeysAndTheRegisteredOnes) {
  ConfigSections sections = {{"shipper", [](const ConfigSection&) { return absl::OkStatus(); }}};
  ExpectInvalidArgument(LoadConfigString("shiper: {}\n", "a.yaml", sections),
                        {"a.yaml:1", "unknown key \"shiper\"", "plugins, redact, shipper"});
  // Without a parser for it, a section is unknown.
  ExpectInvalidArgument(LoadConfigString("shipper: {}\n"), {"unknown key \"shipper\""});
}

TEST(ConfigSectionsTest, ASectionWithoutValueIsNotHandedOver) {
  bool called = false;
  ConfigSections sections = {{"shipper", [&](const ConfigSection&) {
                                called = true;
                                return absl::OkStatus();
                              }}};
  ASSERT_TRUE(LoadConfigString("shipper:\n", "config", sections).ok());
  EXPECT_FALSE(called);
}

TEST(ConfigSectionTest, ForEachInMapReadsEachNameInFileOrderAndStopsAtTheFirstError) {
  const ConfigSection root(YAML::Load("m: {b: 1, a: 2, c: 3}\nlist: [x]\n"), "s.", "config");
  std::vector<std::string> seen;
  auto read = [&seen](const ConfigSection& map, const std::string& name) {
    seen.push_back(name);
    return name == "a" ? map.Error(name, "is bad") : absl::OkStatus();
  };
  EXPECT_TRUE(root.ForEachInMap("absent", "must be a map", read).ok());
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(root.ForEachInMap("list", "must be a map", read),
            absl::InvalidArgumentError("config:2: s.list must be a map"));
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(root.ForEachInMap("m", "must be a map", read),
            absl::InvalidArgumentError("config:1: s.m.a is bad"));
  EXPECT_EQ(seen, (std::vector<std::string>{"b", "a"}));
}

}  // namespace
}  // namespace logweave
