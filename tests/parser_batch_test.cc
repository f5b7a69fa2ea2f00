// Tests for ParseBatch (parse/parser.h): counters and bookkeeping, lines cut at
// max_line_bytes, services named after their source and level words.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_split.h"
#include "support/parse_line_fixture.h"

namespace logweave::parser_test {
namespace {

// ---------------------------------------------------------------------------------------------
// ParseBatch.

// The counters as named pairs, so a mismatch names the counter.
std::vector<std::pair<std::string, uint64_t>> Named(const ParseCounters& c) {
  return {{"lines", c.lines},
          {"bytes", c.bytes},
          {"json", c.json},
          {"unstructured", c.unstructured},
          {"empty", c.empty},
          {"no_trace_id", c.no_trace_id},
          {"bad_time", c.bad_time},
          {"no_time", c.no_time},
          {"invalid_utf8", c.invalid_utf8},
          {"truncated", c.truncated},
          {"bom", c.bom},
          {"crlf", c.crlf}};
}

TEST(ParseBatchTest, MixedBatchGivesExactCounters) {
  const std::vector<std::string> lines = {
      // JSON, trace id, time.
      R"({"level":"info","ts":1795428000.5,"caller":"ledger/post.go:88","msg":"posted entry","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"})",
      // Plain text.
      "2026-11-23T10:00:04Z INFO ledger started on :8080",
      // Empty.
      "",
      // JSON, bad time.
      R"({"timestamp":"yesterday","levelname":"INFO","message":"nightly export done","trace_id":"5af92f3577b34da6a3ce929d0e0e4736"})",
      // JSON, invalid UTF-8, trace id, time.
      "{\"level\":\"info\",\"ts\":1795428001,\"msg\":\"caf\xE9\",\"trace_id\":\"6bf9\"}",
      // JSON, no trace id, no time.
      R"({"level":"info","msg":"healthcheck ok"})",
      // Whitespace only.
      "   ",
      // Truncated JSON.
      R"({"trace_id":"a","msg":"x)",
      // Plain text with invalid UTF-8.
      "GET /caf\xE9 404",
  };
  RawBatch raw;
  uint64_t offset = 0;
  uint64_t total_bytes = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    raw.AddLine(lines[i], offset, i + 1);
    offset += lines[i].size() + 1;
    total_bytes += lines[i].size();
  }
  ParsedBatch parsed;
  ParseCounters c = MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);

  const std::vector<std::pair<std::string, uint64_t>> want = {
      {"lines", 9},        {"bytes", total_bytes}, {"json", 4},     {"unstructured", 3},
      {"empty", 2},        {"no_trace_id", 1},     {"bad_time", 1}, {"no_time", 1},
      {"invalid_utf8", 2}, {"truncated", 0},       {"bom", 0},      {"crlf", 0}};
  EXPECT_EQ(Named(c), want);
  ASSERT_EQ(parsed.records.size(), lines.size());
  EXPECT_EQ(parsed.records[0].trace_id, kTrace);
  EXPECT_EQ(parsed.records[0].time_ns, kBaseNs + 500 * kMsNs);
}

TEST(ParseBatchTest, ContainerWrappedLinesAreCounted) {
  auto parser = MakeParser();
  RawBatch batch;
  batch.AddLine(R"(2026-11-23T10:00:00Z stdout F {"msg":"a"})", 0, 1);
  batch.AddLine(R"({"log":"b\n","stream":"stdout","time":"2026-11-23T10:00:00Z"})", 40, 2);
  batch.AddLine(R"({"msg":"c"})", 100, 3);
  ParsedBatch out;
  ParseCounters c = parser->ParseBatch(std::move(batch), "svc", &out);
  EXPECT_EQ(c.container, 2u);
  EXPECT_EQ(c.json, 2u);
  EXPECT_EQ(c.unstructured, 1u);
}

TEST(ParseBatchTest, SourceLineFlagsAreCounted) {
  RawBatch raw;
  raw.AddLine(R"({"level":"info","msg":"boot","trace_id":"t-1"})", 0, 1, kLineHadBOM);
  raw.AddLine(R"({"level":"info","msg":"ready","trace_id":"t-1"})", 50, 2, kLineHadCR);
  raw.AddLine("", 100, 3, kLineHadCR);
  raw.AddLine(R"({"level":"info","msg":"aaaaaaaa)", 102, 4, kLineTruncated | kLineHadCR);
  ParsedBatch parsed;
  ParseCounters c = MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);
  EXPECT_EQ(c.bom, 1u);
  EXPECT_EQ(c.crlf, 3u);
  EXPECT_EQ(c.truncated, 1u);
  ASSERT_EQ(parsed.records.size(), 4u);
  EXPECT_FALSE(parsed.records[0].flags & kRecordTruncated);
  EXPECT_FALSE(parsed.records[1].flags & kRecordTruncated);
  EXPECT_TRUE(parsed.records[3].flags & kRecordTruncated);
  // The cut JSON line keeps the level that lies whole in its head.
  EXPECT_EQ(parsed.records[3].kind, RecordKind::kJson);
  EXPECT_EQ(parsed.records[3].level, Level::kInfo);
}

// Files joined with cat, each with its own BOM: a BOM at the start of a later line goes like the
// first, and the JSON line behind it keeps its trace.
TEST(ParseBatchTest, ABomInsideTheStreamIsRemovedLikeTheFirst) {
  RawBatch raw;
  raw.AddLine(R"({"msg":"a","trace_id":"t-1"})", 3, 1, kLineHadBOM | kLineInFile);
  raw.AddLine(
      "\xEF\xBB\xBF"
      R"({"msg":"b","trace_id":"t-2"})",
      33, 2, kLineInFile);
  ParsedBatch parsed;
  ParseCounters c = MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);
  EXPECT_EQ(c.bom, 2u);
  EXPECT_EQ(c.json, 2u);
  ASSERT_EQ(parsed.records.size(), 2u);
  EXPECT_EQ(parsed.records[1].kind, RecordKind::kJson);
  EXPECT_EQ(parsed.records[1].trace_id, "t-2");
  EXPECT_EQ(parsed.records[1].raw, R"({"msg":"b","trace_id":"t-2"})");
  // Its line is no longer the file's bytes at its offset: kept as a copy.
  EXPECT_FALSE(parsed.records[1].flags & kRecordLineInFile);
}

// ---------------------------------------------------------------------------------------------
// Lines cut at max_line_bytes: what lies whole in the kept head is kept.

// Parses `head` as the kept head of a line the batcher cut (kLineTruncated) with `options`.
struct CutLine {
  ParsedBatch parsed;
  ParseCounters counters;
  const Record& record() const { return parsed.records[0]; }
};
CutLine ParseCut(std::string_view head, const ParserOptions& options = {},
                 uint8_t flags = kLineTruncated) {
  RawBatch raw;
  raw.AddLine(head, 0, 1, flags);
  CutLine out;
  out.counters = MakeParser(options)->ParseBatch(std::move(raw), kSourceService, &out.parsed);
  return out;
}

constexpr std::string_view kCutHead =
    R"({"ts":"2026-11-23T10:00:00.250Z","level":"error","service":"payments","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"card declined: upstream said )";

TEST(CutLineTest, CutJsonLineKeepsTraceTimeLevelAndServiceOfItsHead) {
  CutLine cut = ParseCut(kCutHead);
  const Record& r = cut.record();
  EXPECT_EQ(r.kind, RecordKind::kJson);
  EXPECT_EQ(r.trace_id, kTrace);
  EXPECT_EQ(r.service, "payments");
  EXPECT_FALSE(r.flags & kRecordServiceFromSource);
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_TRUE(r.has_time());
  EXPECT_EQ(r.time_ns, kBaseNs + 250 * kMsNs);
  EXPECT_TRUE(r.flags & kRecordTruncated);
  EXPECT_TRUE(r.message.empty());  // the message was cut: no part of it is made up
  EXPECT_EQ(r.raw, kCutHead);      // the raw line is the kept head
  EXPECT_EQ(cut.counters.json, 1u);
  EXPECT_EQ(cut.counters.truncated, 1u);
  EXPECT_EQ(cut.counters.unstructured, 0u);
  EXPECT_EQ(cut.counters.no_trace_id, 0u);
  EXPECT_NE(cut.parsed.trace_hashes[0], 0u);  // routed to its trace's shard
}

TEST(CutLineTest, MessageWholeInTheHeadIsKept) {
  CutLine cut = ParseCut(
      R"({"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"card declined","payload":"AAAAAAAAAAAA)");
  EXPECT_EQ(cut.record().kind, RecordKind::kJson);
  EXPECT_EQ(cut.record().trace_id, kTrace);
  EXPECT_EQ(cut.record().message, "card declined");
  EXPECT_EQ(cut.record().service, kSourceService);  // no service field in the head
}

TEST(CutLineTest, CutAnywhereInsideTheLastValueOrKeyKeepsTheFieldsBeforeIt) {
  const std::string line =
      R"({"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","level":"warn","n":12345,"arr":[1,2,{"k":"v"}],"esc":"a\u00e9\"b","last":"zzzz"})";
  const size_t after_level = line.find(R"(,"n")");
  // Every cut from just after the level's value to just before the end.
  for (size_t cut_at = after_level; cut_at + 1 < line.size(); ++cut_at) {
    SCOPED_TRACE(line.substr(0, cut_at));
    CutLine cut = ParseCut(line.substr(0, cut_at));
    EXPECT_EQ(cut.record().kind, RecordKind::kJson);
    EXPECT_EQ(cut.record().trace_id, kTrace);
    EXPECT_EQ(cut.record().level, Level::kWarn);
  }
}

TEST(CutLineTest, FieldsAfterTheCutAreAbsentAndCounted) {
  CutLine cut = ParseCut(R"({"level":"info","msg":"export done","payload":"AAAAAAAA)");
  EXPECT_EQ(cut.record().kind, RecordKind::kJson);
  EXPECT_TRUE(cut.record().trace_id.empty());
  EXPECT_EQ(cut.counters.no_trace_id, 1u);
  EXPECT_EQ(cut.counters.no_time, 1u);
}

TEST(CutLineTest, ConfiguredAndNestedFieldNamesAreFoundInTheHead) {
  ParserOptions options;
  options.fields.trace_id.insert(options.fields.trace_id.begin(), "ctx.tracing.root");
  options.fields.service.insert(options.fields.service.begin(), "app_name");
  CutLine cut = ParseCut(
      R"({"app_name":"quotes","ctx":{"user":"u-1","tracing":{"root":"rq-77f1c2"}},"msg":"quote iss)",
      options);
  EXPECT_EQ(cut.record().kind, RecordKind::kJson);
  EXPECT_EQ(cut.record().trace_id, "rq-77f1c2");
  EXPECT_EQ(cut.record().service, "quotes");
}

TEST(CutLineTest, CutPlainTextAndJsonBrokenBeforeTheCutStayPlainText) {
  CutLine text = ParseCut("2026-11-23T10:00:04Z ERROR ledger: request failed with a very long ");
  EXPECT_EQ(text.record().kind, RecordKind::kUnstructured);
  EXPECT_EQ(text.counters.truncated, 1u);
  // Broken long before the cut: not a cut JSON object, whatever it holds.
  CutLine broken = ParseCut(
      R"({"level":"info",,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"aaaaaaaaaaaaaaaaaaaaaaaaa)");
  EXPECT_EQ(broken.record().kind, RecordKind::kUnstructured);
  EXPECT_TRUE(broken.record().trace_id.empty());
}

TEST(CutLineTest, SameHeadNotCutByUsIsPlainText) {
  // A line that ends early in the file (a writer died mid-line) is not a cut of ours.
  CutLine cut = ParseCut(kCutHead, {}, /*flags=*/0);
  EXPECT_EQ(cut.record().kind, RecordKind::kUnstructured);
  EXPECT_TRUE(cut.record().trace_id.empty());
  EXPECT_EQ(cut.counters.truncated, 0u);
}

TEST(CutLineTest, CutCriWrappedJsonLineKeepsItsTraceId) {
  const std::string head =
      "2026-11-23T10:00:09.123456789Z stdout F " + std::string(kCutHead.substr(0, 120));
  CutLine cut = ParseCut(head);
  EXPECT_EQ(cut.record().kind, RecordKind::kJson);
  EXPECT_EQ(cut.record().trace_id, kTrace);
  EXPECT_EQ(cut.counters.container, 1u);
}

TEST(ParseBatchTest, RecordsGetSequenceAndSourcePositions) {
  RawBatch raw;
  raw.source_id = 3;
  raw.first_seq = 1000;
  const std::vector<std::string> lines = {R"({"level":"info","msg":"a","trace_id":"t-1"})",
                                          "plain text line", "", R"({"level":"warn","msg":"b"})"};
  const uint64_t offsets[] = {4096, 4140, 4156, 4157};
  for (size_t i = 0; i < lines.size(); ++i) raw.AddLine(lines[i], offsets[i], 70 + i);
  ParsedBatch parsed;
  MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);
  ASSERT_EQ(parsed.records.size(), lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(i);
    const Record& r = parsed.records[i];
    EXPECT_EQ(r.seq, 1000 + i);
    EXPECT_EQ(r.source_offset, offsets[i]);
    EXPECT_EQ(r.line_no, 70 + i);
    EXPECT_EQ(r.source_id, 3u);
    EXPECT_EQ(r.raw, lines[i]);
    EXPECT_TRUE(PointsInto(r.raw, BatchBytes(parsed)));
  }
}

TEST(ParseBatchTest, IdenticalLinesHaveEqualHashesAndEmptyLinesZero) {
  const std::string retry = R"({"level":"error","msg":"charge failed","trace_id":"t-9"})";
  const std::string other = R"({"level":"error","msg":"charge failed again","trace_id":"t-9"})";
  RawBatch raw;
  raw.AddLine(retry, 0, 1);
  raw.AddLine(other, 57, 2);
  raw.AddLine("", 121, 3);
  raw.AddLine(retry, 122, 4);
  raw.AddLine("no trace here", 179, 5);
  ParsedBatch parsed;
  MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);
  ASSERT_EQ(parsed.line_hashes.size(), 5u);
  ASSERT_EQ(parsed.trace_hashes.size(), 5u);
  EXPECT_EQ(parsed.line_hashes[0], parsed.line_hashes[3]);
  EXPECT_NE(parsed.line_hashes[0], parsed.line_hashes[1]);
  EXPECT_NE(parsed.line_hashes[0], 0u);
  EXPECT_EQ(parsed.line_hashes[2], 0u);
  EXPECT_EQ(parsed.trace_hashes[0], parsed.trace_hashes[1]);
  EXPECT_NE(parsed.trace_hashes[0], 0u);
  EXPECT_EQ(parsed.trace_hashes[2], 0u);
  EXPECT_EQ(parsed.trace_hashes[4], 0u);
}

TEST(ParseBatchTest, EscapedMessageInBatchIsUnescapedIntoScratch) {
  RawBatch raw;
  raw.AddLine(R"({"level":"info","msg":"line1\nline2 \u2192 done","trace_id":"t-3"})", 0, 1);
  ParsedBatch parsed;
  MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);
  ASSERT_EQ(parsed.records.size(), 1u);
  const Record& r = parsed.records[0];
  EXPECT_EQ(r.message, "line1\nline2 \xE2\x86\x92 done");
  EXPECT_TRUE(r.flags & kRecordMessageEscaped);
  EXPECT_TRUE(PointsInto(r.message, parsed.scratch));
  EXPECT_TRUE(PointsInto(r.trace_id, BatchBytes(parsed)));
}

// The parser reuses its working copy for the next batch: a parsed batch keeps its own copy of
// the values that are not its raw bytes, and holds no more than those.
TEST(ParseBatchTest, AParsedBatchOutlivesTheParsersNextBatch) {
  std::unique_ptr<LineParser> parser = MakeParser();
  RawBatch first;
  first.AddLine(R"({"msg":"say \"hi\"","trace_id":"t\u002d1","service":"a\/b"})", 0, 1);
  first.AddLine(R"({"msg":"plain","trace_id":"t-2"})", 60, 2);
  ParsedBatch kept;
  parser->ParseBatch(std::move(first), kSourceService, &kept);
  RawBatch second;
  second.AddLine(R"({"msg":"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX","trace_id":"zzzz"})", 0,
                 1);
  ParsedBatch next;
  parser->ParseBatch(std::move(second), kSourceService, &next);
  ASSERT_EQ(kept.records.size(), 2u);
  EXPECT_EQ(kept.records[0].message, "say \"hi\"");
  EXPECT_EQ(kept.records[0].trace_id, "t-1");
  EXPECT_EQ(kept.records[0].service, "a/b");
  EXPECT_TRUE(PointsInto(kept.records[0].message, kept.scratch));
  EXPECT_EQ(kept.scratch.size(), std::string("say \"hi\"t-1a/b").size());
  EXPECT_EQ(kept.records[1].message, "plain");
  EXPECT_TRUE(PointsInto(kept.records[1].message, BatchBytes(kept)));
  EXPECT_EQ(next.records[0].trace_id, "zzzz");
}

// A Docker json-file line is parsed again as the line inside it, in the parser's working copy:
// its values are the batch's own and outlive the parser's next batch.
TEST(ParseBatchTest, ADockerLinesValuesOutliveTheParsersNextBatch) {
  std::unique_ptr<LineParser> parser = MakeParser();
  RawBatch first;
  first.AddLine(
      R"({"log":"{\"msg\":\"inner \\\"quoted\\\"\",\"trace_id\":\"d-1\",\"service\":\"svc\"}\n",)"
      R"("stream":"stdout","time":"2026-11-23T10:00:00Z"})",
      0, 1);
  ParsedBatch kept;
  parser->ParseBatch(std::move(first), kSourceService, &kept);
  RawBatch second;
  second.AddLine(std::string(200, 'x'), 0, 1);
  ParsedBatch next;
  parser->ParseBatch(std::move(second), kSourceService, &next);
  ASSERT_EQ(kept.records.size(), 1u);
  EXPECT_TRUE(kept.records[0].flags & kRecordContainerWrapped);
  EXPECT_EQ(kept.records[0].message, "inner \"quoted\"");
  EXPECT_EQ(kept.records[0].trace_id, "d-1");
  EXPECT_EQ(kept.records[0].service, "svc");
  EXPECT_TRUE(PointsInto(kept.records[0].message, kept.scratch));  // the batch's own copy
}

TEST(ParseBatchTest, OutputIsOverwrittenByTheNextBatch) {
  std::unique_ptr<LineParser> parser = MakeParser();
  ParsedBatch parsed;
  RawBatch first;
  first.AddLine(R"({"level":"info","msg":"a","trace_id":"t-1"})", 0, 1);
  first.AddLine(R"({"level":"info","msg":"b","trace_id":"t-2"})", 44, 2);
  parser->ParseBatch(std::move(first), kSourceService, &parsed);
  RawBatch second;
  second.AddLine("plain", 88, 3);
  ParseCounters c = parser->ParseBatch(std::move(second), kSourceService, &parsed);
  EXPECT_EQ(c.lines, 1u);
  ASSERT_EQ(parsed.records.size(), 1u);
  EXPECT_EQ(parsed.line_hashes.size(), 1u);
  EXPECT_EQ(parsed.records[0].kind, RecordKind::kUnstructured);
  EXPECT_TRUE(parsed.records[0].trace_id.empty());
  EXPECT_EQ(parsed.records[0].flags, kRecordServiceFromSource);
}

TEST(ParseBatchTest, MovingParsedBatchKeepsRawViewsValid) {
  // A batch of one short line, e.g. the last line a source flushes.
  RawBatch raw;
  raw.AddLine(R"({"msg":"ok"})", 0, 1);
  ParsedBatch parsed;
  MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);
  ParsedBatch moved = std::move(parsed);
  ASSERT_EQ(moved.records.size(), 1u);
  EXPECT_TRUE(PointsInto(moved.records[0].raw, BatchBytes(moved)));
  EXPECT_TRUE(PointsInto(moved.records[0].message, BatchBytes(moved)));
}

TEST(ParseBatchTest, MovingParsedBatchKeepsEscapedMessageViewValid) {
  // A batch of one short line whose message has an escape, so it lives in the scratch copy.
  RawBatch raw;
  raw.AddLine(R"({"msg":"\n"})", 0, 1);
  ParsedBatch parsed;
  MakeParser()->ParseBatch(std::move(raw), kSourceService, &parsed);
  ParsedBatch moved = std::move(parsed);
  ASSERT_EQ(moved.records.size(), 1u);
  ASSERT_TRUE(moved.records[0].flags & kRecordMessageEscaped);
  // Regression (fixed): parser.h promises "moving keeps the views valid: the buffers' storage does
  // not move", but ParsedBatch::scratch is a std::string: for a batch of up to 15 bytes (lines +
  // NULs) it sits in the small-string buffer inside the object, so after the move an escaped
  // message still points into the moved-from ParsedBatch (a dangling view once that is destroyed).
  EXPECT_TRUE(PointsInto(moved.records[0].message, moved.scratch));
}

// ---------------------------------------------------------------------------------------------
// ServiceFromSourceName.

TEST(ServiceFromSourceNameTest, KubernetesLogFilesNameTheirContainer) {
  EXPECT_EQ(
      ServiceFromSourceName("/var/log/containers/payments-7f9c-x2_shop_payments-"
                            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.log"),
      "payments");
  EXPECT_EQ(ServiceFromSourceName("/var/log/pods/shop_payments-7f9c-x2_1b2c/payments-api/0.log"),
            "payments-api");
  // kubelet's rotated files, compressed or not.
  EXPECT_EQ(ServiceFromSourceName(
                "/var/log/pods/shop_payments-7f9c-x2_1b2c/payments-api/0.log.20261123-101010"),
            "payments-api");
  EXPECT_EQ(ServiceFromSourceName(
                "/var/log/pods/shop_payments-7f9c-x2_1b2c/payments-api/0.log.20261123-101010.gz"),
            "payments-api");
  // A numbered log outside /var/log/pods is named by the usual rules.
  EXPECT_EQ(ServiceFromSourceName("/tmp/2026.log"), "2026");
  EXPECT_EQ(ServiceFromSourceName("logs/20261123.log"), "20261123");
  // Not the Kubernetes shapes: the usual rules.
  EXPECT_EQ(ServiceFromSourceName("/var/log/app_prod_api-deadbeef.log"), "app_prod_api-deadbeef");
  EXPECT_EQ(ServiceFromSourceName("0.log"), "0");
}

TEST(ServiceFromSourceNameTest, StripsDirectoriesExtensionsRotationAndDates) {
  const std::pair<std::string, std::string> cases[] = {
      {"/var/log/ledger.log", "ledger"},
      {"ledger.log.1", "ledger"},
      {"ledger.log.2.gz", "ledger"},
      {"/var/log/ledger/ledger.log.2.gz", "ledger"},
      {"api-2026-11-23.log", "api"},
      {"api-20261123.log", "api"},
      {"app.log-20261123.gz", "app"},
      {"payments.json.zst", "payments"},
      {"events.ndjson", "events"},
      {"events.jsonl", "events"},
      {"worker_3.out", "worker"},
      {"checkout-service.log", "checkout-service"},
      {"python3.log", "python3"},
      {"api-v2.log", "api-v2"},
      {"-", "stdin"},
  };
  for (const auto& [source, service] : cases) {
    EXPECT_EQ(ServiceFromSourceName(source), service) << source;
  }
}

// ---------------------------------------------------------------------------------------------
// ParseLevelWord.

// One table serves JSON level fields and plain-text lines, so the console writers' short words
// (zerolog's INF/WRN/FTL, logrus's ERRO, .NET's fail, java.util.logging's CONFIG) are levels
// in a JSON field too.
TEST(ParseLevelWordTest, MapsEveryDocumentedWordInAnyCase) {
  const std::pair<Level, std::string> cases[] = {
      {Level::kTrace, "trace TRACE TRC trce finer FINEST"},
      {Level::kDebug, "debug Debug dbg DBG dbug verbose fine"},
      {Level::kInfo, "info INFO Information informational notice NOTICE INF CONFIG"},
      {Level::kWarn, "warn WARNING Warning WRN"},
      {Level::kError, "error ERR Error eror ERRO SEVERE fail dpanic"},
      {Level::kFatal, "fatal critical CRIT panic PANI FATA FTL alert emerg EMERGENCY"},
  };
  for (const auto& [level, words] : cases) {
    for (absl::string_view word : absl::StrSplit(words, ' ')) {
      EXPECT_EQ(ParseLevelWord(std::string(word)), level) << word;
    }
  }
}

TEST(ParseLevelWordTest, SurroundingWhitespaceIsIgnored) {
  EXPECT_EQ(ParseLevelWord("info "), Level::kInfo);
  EXPECT_EQ(ParseLevelWord(" ERROR"), Level::kError);
  EXPECT_EQ(ParseLevelWord("\tWarn\r\n"), Level::kWarn);
}

TEST(ParseLevelWordTest, NonLevelWordsAreUnknown) {
  for (const std::string word : {"", "warnings", "infos", "errors", "okay", "30", "in fo", " ",
                                 "information-level", "informationally", "e", "fai"}) {
    EXPECT_EQ(ParseLevelWord(word), Level::kUnknown) << '"' << word << '"';
  }
}

}  // namespace
}  // namespace logweave::parser_test
