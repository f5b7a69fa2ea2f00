// Redaction: each built-in rule, the near misses that must stay, custom
// rules and fields, config errors, and end to end: no secret of a test log
// reaches `replay --json`, its timelines, plain-text errors or evidence.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "logweave/config.h"
#include "redact/digit_runs.h"
#include "redact/redactor.h"
#include "testdata/run_command.h"

namespace logweave::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// `line` redacted with the default options ("" if nothing changed), and the
// replacements by rule.
struct Outcome {
  std::string text;
  std::map<std::string, uint64_t> counts;
  bool operator==(const Outcome&) const = default;
};
Outcome RedactOnce(const RedactOptions& options, Redactor::Prefilter prefilter,
                   const std::string& line) {
  auto redactor = Redactor::Create(options, prefilter);
  EXPECT_TRUE(redactor.ok()) << redactor.status();
  Outcome o;
  std::vector<uint64_t> counts;
  if (!(*redactor)->Redact(line, &o.text, &counts)) o.text.clear();
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] > 0) o.counts[(*redactor)->rule_names()[i]] = counts[i];
  }
  return o;
}
// Redacted with Hyperscan finding the candidate rules, checked against the
// RE2 set doing it: the prefilter never changes an outcome.
Outcome RedactWith(const RedactOptions& options, const std::string& line) {
  const Outcome fast = RedactOnce(options, Redactor::Prefilter::kHyperscan, line);
  EXPECT_EQ(fast, RedactOnce(options, Redactor::Prefilter::kRe2Set, line)) << line;
  return fast;
}
Outcome Redact(const std::string& line) { return RedactWith(RedactOptions(), line); }

TEST(RedactorTest, EachBuiltInRuleReplacesOnlyTheSecret) {
  struct Case {
    std::string line, expected, rule;
  } cases[] = {
      {"using key AKIAIOSFODNN7EXAMPLE for s3", "using key [REDACTED:aws_access_key_id] for s3",
       "aws_access_key_id"},
      {"aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY done",
       "aws_secret_access_key=[REDACTED:aws_secret_access_key] done", "aws_secret_access_key"},
      {"GET /api Authorization: Bearer abcdef0123456789.xyz",
       "GET /api Authorization: Bearer [REDACTED:bearer_token]", "bearer_token"},
      {"token "
       "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_"
       "XgL0n3I9PlFUP0THsR8U ok",
       "token [REDACTED:jwt] ok", "jwt"},
      {"connect postgres://app:s3cr3t-pw@db.internal:5432/shop failed",
       "connect postgres://app:[REDACTED:url_password]@db.internal:5432/shop failed",
       "url_password"},
      {"login user=bob password=hunter2&next=/",
       "login user=bob password=[REDACTED:secret_pair]&next=/", "secret_pair"},
      {"charge card 4111 1111 1111 1111 declined", "charge card [REDACTED:card_number] declined",
       "card_number"},
      {"charge card 5500000000000004 ok", "charge card [REDACTED:card_number] ok", "card_number"},
      {R"(key "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----" end)",
       R"(key "[REDACTED:private_key]" end)", "private_key"},
      {R"({"user":"bob","Password":"hunter2","n":1})",
       R"({"user":"bob","Password":"[REDACTED:json_field]","n":1})", "json_field"},
  };
  for (const Case& c : cases) {
    Outcome o = Redact(c.line);
    EXPECT_EQ(o.text, c.expected) << c.line;
    EXPECT_EQ(o.counts[c.rule], 1u) << c.line;
  }
}

TEST(RedactorTest, NearMissesStay) {
  for (const std::string& line : {
           // A 16-digit order id that fails Luhn, a 19-digit nanosecond time.
           std::string("order 4111111111111112 shipped"),
           std::string(R"({"time_ns":1795428000008000000,"msg":"ok"})"),
           std::string("password_reset_requested for bob"),
           std::string(R"({"password_reset_requested":true,"token_count":3})"),
           std::string("GET https://example.com/path@v2 200"),
           std::string("AKIA is a prefix, AKIASHORT too"),
           std::string("bearer of bad news"),
           std::string("trace_id=4bf92f3577b34da6a3ce929d0e0e4736 done"),
       }) {
    EXPECT_EQ(Redact(line).text, "") << line;
  }
}

TEST(RedactorTest, ConfiguredFieldsAndPatterns) {
  RedactOptions o;
  o.fields = {"ssn"};
  o.patterns = {{"employee_id", R"(\bEMP-(\d{6})\b)"}};
  Outcome out = RedactWith(o, R"({"ssn":"078-05-1120","password":"kept","who":"EMP-123456"})");
  EXPECT_EQ(
      out.text,
      R"({"ssn":"[REDACTED:json_field]","password":"kept","who":"EMP-[REDACTED:employee_id]"})");
  EXPECT_EQ(out.counts["employee_id"], 1u);

  o.patterns = {{"bad", "(unclosed"}};
  auto bad = Redactor::Create(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("rule \"bad\""));
  o.patterns = {{"jwt", "x"}};  // a built-in's name
  EXPECT_FALSE(Redactor::Create(o).ok());
}

TEST(RedactorTest, WhatWasRedactedBeforeIsLeftAndNotCountedAgain) {
  // A line restored from the write-ahead log was redacted before it was stored.
  const Outcome once = Redact("login password=hunter2 Authorization: Bearer abcdef0123456789.xyz");
  ASSERT_NE(once.text, "");
  EXPECT_EQ(Redact(once.text).text, "");  // nothing changes, nothing counted
}

TEST(RedactorTest, ThePrefilterMissesNothing) {
  RedactOptions o;
  o.patterns = {
      // One character between two literals: a multi-byte one must match too.
      {"one_char", R"(pin<(.)>)"},
      // A bounded repeat of characters, not bytes.
      {"four_chars", R"(code=(\S{4})\b)"},
      // No literal at all: looked for on every line.
      {"ssn", R"(\b(\d{3}-\d{2}-\d{4})\b)"},
      // RE2-only syntax (any byte).
      {"any_bytes", R"(\C\C\Czz(\d+))"},
  };
  struct Case {
    std::string line, expected;
  } cases[] = {
      {"pin<\xe2\x82\xac> ok", "pin<[REDACTED:one_char]> ok"},
      {"code=\xc3\xa9t\xc3\xa9s end", "code=[REDACTED:four_chars] end"},
      {"ssn 078-05-1120 on file", "ssn [REDACTED:ssn] on file"},
      {"abczz123", "abczz[REDACTED:any_bytes]"},
      // The literals of a case-blind rule, in upper case.
      {"LOGIN PASSWORD=hunter2", "LOGIN PASSWORD=[REDACTED:secret_pair]"},
      {"Authorization: BEARER abcdef0123456789", "Authorization: BEARER [REDACTED:bearer_token]"},
      // Bytes that are not UTF-8 around a secret.
      {"\xff\xfe password=hunter2 \xff", "\xff\xfe password=[REDACTED:secret_pair] \xff"},
      {"pin<x> \xc3", "pin<[REDACTED:one_char]> \xc3"},
      // Card numbers have no literal: a quick look for 13 digits in a row.
      {"paid 4111-1111-1111-1111 at 12:00", "paid [REDACTED:card_number] at 12:00"},
      {"x 378282246310005", "x [REDACTED:card_number]"},
  };
  for (const Case& c : cases) EXPECT_EQ(RedactWith(o, c.line).text, c.expected) << c.line;
}

TEST(RedactorTest, ABlockScannedAtOnceGivesWhatEachLineGivesAlone) {
  // Lines as a batch holds them: one after another, each followed by a NUL.
  const std::vector<std::string> lines = {
      "login password=hunter2",
      "nothing here",
      "key AKIAIOSFODNN7EXAMPLE and token=abc123 and card 4111 1111 1111 1111",
      R"({"user":"bob","Password":"x1","time_ns":1795428000008000000})",
      "",
      "postgres://app:pw@db:5432/x",
  };
  std::string block;
  std::vector<std::string_view> views;
  std::vector<size_t> begins;
  for (const std::string& line : lines) {
    begins.push_back(block.size());
    block += line;
    block.push_back('\0');
  }
  for (size_t i = 0; i < lines.size(); ++i)
    views.emplace_back(block.data() + begins[i], lines[i].size());
  auto redactor = Redactor::Create(RedactOptions());
  ASSERT_TRUE(redactor.ok());
  Redactor::Scanner scanner(**redactor);
  scanner.ScanBlock(block);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string out;
    std::vector<uint64_t> counts;
    const bool changed = scanner.Redact(views[i], &out, &counts);
    EXPECT_EQ(changed ? out : "", Redact(lines[i]).text) << lines[i];
  }
}

TEST(RedactorTest, AScannerKeepsNoStateFromOneLineToTheNext) {
  auto redactor = Redactor::Create(RedactOptions());
  ASSERT_TRUE(redactor.ok());
  Redactor::Scanner scanner(**redactor);
  std::vector<uint64_t> counts;
  std::string out;
  EXPECT_TRUE(scanner.Redact("login password=hunter2", &out, &counts));
  EXPECT_FALSE(scanner.Redact("login ok", &out, &counts));
  EXPECT_TRUE(scanner.Redact("key AKIAIOSFODNN7EXAMPLE", &out, &counts));
  EXPECT_EQ(out, "key [REDACTED:aws_access_key_id]");
}

TEST(RedactorTest, LuhnCheck) {
  EXPECT_TRUE(LuhnValid("4111111111111111"));
  EXPECT_FALSE(LuhnValid("4111111111111112"));
  EXPECT_FALSE(LuhnValid("41111111"));  // too short
}

TEST(RedactConfigTest, ReadsTheSectionAndNamesABadPattern) {
  auto config = LoadConfigString(
      "redact:\n  enabled: true\n  fields: [ssn]\n  patterns:\n    - {name: emp, pattern: "
      "'EMP-\\d+'}\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->parser.redact.fields, std::vector<std::string>{"ssn"});
  ASSERT_EQ(config->parser.redact.patterns.size(), 1u);
  auto bad = LoadConfigString("redact:\n  patterns:\n    - {name: emp, pattern: '(x'}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("redact.patterns"));
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("rule \"emp\""));
  // A pattern that can match nothing would insert its replacement at every position.
  auto empty = LoadConfigString("redact:\n  patterns:\n    - {name: opt, pattern: '(a|)'}\n");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(std::string(empty.status().message()), HasSubstr("can match an empty string"));
  auto off = LoadConfigString("redact: {enabled: false}\n");
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->parser.redact.enabled);
}

TEST(RedactEndToEndTest, NoSecretReachesTheOutput) {
  const auto dir =
      std::filesystem::path(::testing::TempDir()) / absl::StrCat("redact_e2e_", ::getpid());
  std::filesystem::create_directories(dir);
  const std::vector<std::string> secrets = {"AKIAIOSFODNN7EXAMPLE", "hunter2", "s3cr3t-pw",
                                            "4111 1111 1111 1111", "abcdef0123456789.xyz"};
  {
    std::ofstream out(dir / "checkout.log");
    out << R"({"ts":"2026-01-01T00:00:00Z","service":"checkout","trace_id":"t-1","level":"info","msg":"login","password":"hunter2"})"
        << "\n"
        << R"({"ts":"2026-01-01T00:00:01Z","service":"checkout","trace_id":"t-1","level":"error","msg":"charge 4111 1111 1111 1111 failed with key AKIAIOSFODNN7EXAMPLE"})"
        << "\n"
        << "2026-01-01T00:00:02Z ERROR checkout: db postgres://app:s3cr3t-pw@db:5432/x refused "
           "trace_id=t-1 Authorization: Bearer abcdef0123456789.xyz\n";
  }
  const std::string err = (dir / "stderr.txt").string();
  for (const std::string& flags :
       {std::string("--json --final --findings"), std::string("--json --unstructured"),
        std::string("--timeline t-1 --raw"), std::string("--timeline t-1 --raw --json")}) {
    testdata::CommandResult r = testdata::RunCommand(
        absl::StrCat(LOGWEAVE_BIN, " replay --quiet ", (dir / "checkout.log").string(), " ", flags),
        err);
    EXPECT_EQ(r.exit_code, 0) << flags << "\n" << r.err;
    for (const std::string& secret : secrets) {
      EXPECT_THAT(r.out, Not(HasSubstr(secret))) << flags;
    }
    if (flags.find("timeline") != std::string::npos) {
      EXPECT_THAT(r.out, HasSubstr("[REDACTED:json_field]")) << flags;
      EXPECT_THAT(r.out, HasSubstr("[REDACTED:url_password]")) << flags;
    }
  }
  testdata::CommandResult r = testdata::RunCommand(
      absl::StrCat(LOGWEAVE_BIN, " replay --quiet --json ", (dir / "checkout.log").string()), err);
  EXPECT_THAT(r.out, HasSubstr(R"("redactions":{"aws_access_key_id":1,"bearer_token":1,)"
                               R"("card_number":1,"json_field":1,"url_password":1})"));
  std::filesystem::remove_all(dir);
}

// The first look for card numbers, 64 bytes at a time, against the plain byte loop: runs that
// cross the 64-byte words, that end with the text, separators at the ends, at every length.
bool PlainCardLikeRun(std::string_view s) {
  auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  int run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool sep = s[i] == ' ' || s[i] == '-';
    const bool in_run =
        digit(i) || (sep && i > 0 && i + 1 < s.size() && digit(i - 1) && digit(i + 1));
    run = in_run ? run + 1 : 0;
    if (run >= kCardRunBytes) return true;
  }
  return false;
}

TEST(RedactorTest, CardLikeRunsAreFoundAsByteByByte) {
  std::mt19937_64 rng(11);
  const std::string alphabet = "0123456789 -x\"";
  size_t found = 0, cases = 0;
  for (size_t n = 0; n <= 300; ++n) {
    for (int k = 0; k < 60; ++k) {
      // Mostly digits, so that runs of every length come up.
      std::string s(n, 'x');
      for (char& c : s) {
        const uint64_t r = rng() % 100;
        c = r < 80 ? static_cast<char>('0' + rng() % 10) : alphabet[rng() % alphabet.size()];
      }
      const bool want = PlainCardLikeRun(s);
      ASSERT_EQ(HasCardLikeRun(s), want) << "\"" << s << "\"";
      found += want;
      ++cases;
    }
  }
  EXPECT_GT(found, cases / 4);  // both answers were tried often
  EXPECT_LT(found, cases);
  // Runs of exactly 12 and 13 bytes placed across each word boundary and at the end.
  for (size_t at : {0, 1, 51, 52, 57, 63, 64, 115, 127, 128, 180}) {
    for (size_t len : {12, 13}) {
      std::string s(200, 'x');
      for (size_t i = 0; i < len && at + i < s.size(); ++i) s[at + i] = i % 4 == 2 ? '-' : '7';
      ASSERT_EQ(HasCardLikeRun(s), PlainCardLikeRun(s)) << "run of " << len << " at " << at;
      const std::string end = s.substr(0, std::min(s.size(), at + len));
      ASSERT_EQ(HasCardLikeRun(end), PlainCardLikeRun(end)) << "ending at " << end.size();
    }
  }
  // A separator is in a run only between two digits.
  EXPECT_FALSE(HasCardLikeRun("-123456789012-"));
  EXPECT_FALSE(HasCardLikeRun("123456  7890123"));  // two separators in a row
  EXPECT_TRUE(HasCardLikeRun("123456 7890 12"));
  EXPECT_TRUE(HasCardLikeRun("4111 1111 1111"));
  EXPECT_TRUE(HasCardLikeRun(std::string(130, '5')));
}

}  // namespace
}  // namespace logweave::internal
