// What the LineParser tests share (parser_test, parser_input_test, parser_batch_test): the
// reference instants, a parser with the built-in field names and the ParseLineTest fixture.
//
// Expected times are independent of the code under test: 2026-11-23T10:00:00Z is epoch second
// 1795428000 (`date -u -d @1795428000`), and the other instants are offsets from it.
#ifndef LOGWEAVE_TESTS_SUPPORT_PARSE_LINE_FIXTURE_H_
#define LOGWEAVE_TESTS_SUPPORT_PARSE_LINE_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "logweave/batch.h"
#include "logweave/options.h"
#include "logweave/record.h"
#include "parse/parser.h"

namespace logweave::parser_test {

using namespace std::string_literals;

// 2026-11-23T10:00:00Z in nanoseconds since the epoch.
inline constexpr int64_t kBaseNs = 1795428000LL * 1'000'000'000;
inline constexpr int64_t kMsNs = 1'000'000;

inline constexpr std::string_view kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
inline constexpr std::string_view kSourceService = "ledger";

inline std::unique_ptr<LineParser> MakeParser(const ParserOptions& options = {}) {
  absl::StatusOr<std::unique_ptr<LineParser>> parser = LineParser::Create(options);
  EXPECT_TRUE(parser.ok()) << parser.status();
  return parser.ok() ? std::move(*parser) : nullptr;
}

// True if `view` lies entirely inside `buffer`.
inline bool PointsInto(std::string_view view, std::string_view buffer) {
  std::less<const char*> less;
  return !less(view.data(), buffer.data()) &&
         !less(buffer.data() + buffer.size(), view.data() + view.size());
}

// The bytes of a parsed batch, which record.raw and unescaped values point into.
inline std::string_view BatchBytes(const ParsedBatch& parsed) {
  return parsed.block != nullptr ? std::string_view(*parsed.block) : std::string_view();
}

// What a JSON line of a logging convention gives besides the trace id kTrace, in the order
// service, service_from_source, level, message, time_ns.
struct JsonFields {
  std::string_view service;
  bool service_from_source = false;  // kRecordServiceFromSource
  Level level = Level::kUnknown;
  std::string_view message;
  int64_t time_ns = 0;
};

// Expects `r` to be a JSON record of trace kTrace with `want`'s fields and a time.
inline void ExpectJsonFields(const Record& r, const JsonFields& want) {
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.trace_id, kTrace);
  EXPECT_EQ(r.service, want.service);
  EXPECT_EQ((r.flags & kRecordServiceFromSource) != 0, want.service_from_source);
  EXPECT_EQ(r.level, want.level);
  EXPECT_EQ(r.message, want.message);
  EXPECT_TRUE(r.has_time());
  EXPECT_EQ(r.time_ns, want.time_ns);
}

// Parses single lines with the built-in field names. Each Parse() reuses the scratch buffer,
// so a record is only valid until the next Parse().
class ParseLineTest : public ::testing::Test {
 protected:
  Record Parse(std::string_view line) {
    return parser_->ParseLine(line, kSourceService, &scratch_);
  }

  std::unique_ptr<LineParser> parser_ = MakeParser();
  std::string scratch_;
};

}  // namespace logweave::parser_test

#endif  // LOGWEAVE_TESTS_SUPPORT_PARSE_LINE_FIXTURE_H_
