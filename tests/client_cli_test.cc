// The query commands of the logweave binary against a server: timeline and search.
// Shared setup: support/client_cli_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/client_cli_fixture.h"

namespace logweave::client_cli_test {
namespace {

// --- timeline ---

TEST_F(ClientCliTest, TimelineShowsEveryServiceInTimeOrderWithTheTracesFindings) {
  Result r = Run("timeline", Trace(kNoPayments1));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("trace ", Trace(kNoPayments1),
                                            ": 5 events, 3 services "
                                            "(gateway, checkout, email)")));
  const size_t received = r.out.find("request received");
  const size_t created = r.out.find("order_created");
  const size_t completed = r.out.find("request completed");
  ASSERT_NE(received, std::string::npos) << r.out;
  EXPECT_LT(received, created);
  EXPECT_LT(created, completed);
  EXPECT_THAT(r.out, HasSubstr("gateway.log:"));
  EXPECT_THAT(r.out, HasSubstr("findings of this trace:"));
  EXPECT_THAT(r.out, HasSubstr("missing_service"));
  EXPECT_THAT(r.out, Not(HasSubstr("payment_authorized")));
}

TEST_F(ClientCliTest, TimelineShowsThePlainTextErrorAttributedToTheTrace) {
  Result r = Run("timeline", Trace(kEmailTimeout));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("incomplete_sequence"));
  EXPECT_THAT(r.out, HasSubstr("attributed to this trace: 1 plain-text error"));
  EXPECT_THAT(r.out, HasSubstr("Connection timeout to email provider"));
}

TEST_F(ClientCliTest, TimelineRawShowsTheLinesAsWritten) {
  Result r = Run("timeline", Trace(3) + " --raw");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("caller":"gw/handler.go:88")"));
  EXPECT_THAT(r.out, HasSubstr("no findings about this trace"));
}

TEST_F(ClientCliTest, TimelineJsonIsTheReplayObjectWithFindingsAndUnstructured) {
  auto docs = RunJson("timeline", Trace(kEmailTimeout) + " --json");
  ASSERT_EQ(docs.size(), 1u);
  const rapidjson::Document& d = docs[0];
  EXPECT_STREQ(d["kind"].GetString(), "timeline");
  EXPECT_EQ(d["trace_id"].GetString(), Trace(kEmailTimeout));
  EXPECT_THAT(Strings(d["services"]),
              ::testing::ElementsAre("gateway", "checkout", "payments", "email"));
  EXPECT_STREQ(d["start"].GetString(), "2026-11-23T10:00:04.000Z");
  EXPECT_DOUBLE_EQ(d["duration_ms"].GetDouble(), 60.0);
  ASSERT_EQ(d["events"].Size(), 5u);
  const auto& first = d["events"][0];
  EXPECT_EQ(first["time_ns"].GetInt64(), testdata::Ns(4000));
  EXPECT_STREQ(first["service"].GetString(), "gateway");
  EXPECT_STREQ(first["level"].GetString(), "INFO");
  EXPECT_STREQ(first["message"].GetString(), "request received");
  EXPECT_TRUE(first["structured"].GetBool());
  EXPECT_STREQ(first["source"].GetString(), "logs/gateway.log");
  EXPECT_EQ(first["line"].GetUint64(), 81u);
  EXPECT_TRUE(first.HasMember("offset"));
  EXPECT_FALSE(first.HasMember("raw"));
  std::set<std::string> kinds;
  for (const auto& f : d["findings"].GetArray()) {
    kinds.insert(f["kind"].GetString());
    EXPECT_STREQ(f["status"].GetString(), "open");
    EXPECT_EQ(f["trace_id"].GetString(), Trace(kEmailTimeout));
  }
  EXPECT_TRUE(kinds.count("incomplete_sequence"));
  ASSERT_EQ(d["unstructured"].Size(), 1u);
  const auto& u = d["unstructured"][0];
  EXPECT_STREQ(u["kind"].GetString(), "unstructured_entry");
  EXPECT_STREQ(u["service"].GetString(), "email");
  EXPECT_EQ(u["attribution"]["trace_id"].GetString(), Trace(kEmailTimeout));
  EXPECT_STREQ(u["attribution"]["status"].GetString(), "attributed");
}

TEST_F(ClientCliTest, TimelineOfAnUnknownTraceSaysSoAndExitsOne) {
  Result r = Run("timeline", "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("no events for trace id 0123456789abcdef0123456789abcdef"));
}

TEST_F(ClientCliTest, TimelineWithoutTraceIdIsAUsageError) {
  ExpectUsageError("timeline", "", "no TRACE_ID given");
  ExpectUsageError("timeline", "a b", "exactly one TRACE_ID");
}

// --- search ---

TEST_F(ClientCliTest, SearchByFindingKindFindsExactlyTheAffectedTraces) {
  auto docs = RunJson("search", "--finding missing_service --json");
  ASSERT_EQ(docs.size(), 3u);
  std::vector<std::string> ids;
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_STREQ(docs[i]["kind"].GetString(), "trace");
    ids.push_back(docs[i]["trace_id"].GetString());
    EXPECT_THAT(Strings(docs[i]["finding_kinds"]), ::testing::ElementsAre("missing_service"));
    // The server lists them in arrival order (files were read checkout, email, gateway).
    EXPECT_THAT(Strings(docs[i]["services"]),
                ::testing::UnorderedElementsAre("gateway", "checkout", "email"));
    EXPECT_EQ(docs[i]["events"].GetUint(), 5u);
    EXPECT_STREQ(docs[i]["route"].GetString(), "POST /checkout");
  }
  // Newest first.
  EXPECT_THAT(ids, ::testing::ElementsAre(Trace(kNoPayments2), Trace(kNoPayments1)));
  EXPECT_STREQ(docs[2]["kind"].GetString(), "page");
  EXPECT_STREQ(docs[2]["next_page_token"].GetString(), "");
  EXPECT_EQ(docs[2]["matched"].GetUint64(), 2u);
}

TEST_F(ClientCliTest, SearchByServiceLevelAndTextCombinesTheFilters) {
  Result r = Run("search", "--level error --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 2u) << r.out;
  EXPECT_EQ(docs[0]["trace_id"].GetString(), Trace(kDeclined));
  EXPECT_STREQ(docs[0]["max_level"].GetString(), "ERROR");

  r = Run("search", "--service payments --text card_declined --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 2u) << r.out;
  EXPECT_EQ(docs[0]["trace_id"].GetString(), Trace(kDeclined));

  // A time range: traces 7..19 (each lasts 360 ms) overlap [10:00:01, 10:00:01.950].
  r = Run("search",
          "--since 2026-11-23T10:00:01Z --until 2026-11-23T10:00:01.950Z --service gateway --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  docs = JsonLines(r.out);
  EXPECT_EQ(docs.back()["matched"].GetUint64(), 13u) << r.out;

  r = Run("search", "--service no-such-service");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "no matching traces\n");
}

TEST_F(ClientCliTest, SearchAcceptsEpochSecondsForTimes) {
  Result r = Run("search", absl::StrCat("--since ", testdata::kBaseSeconds + 19, " --json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto docs = JsonLines(r.out);
  ASSERT_FALSE(docs.empty());
  // Traces 187..199: those whose last event (360 ms after the start) is at 19 s or later.
  EXPECT_EQ(docs.back()["matched"].GetUint64(), 13u) << r.out;
}

TEST_F(ClientCliTest, SearchPagesThroughEveryTraceWithTheToken) {
  Result r = Run("search", "--limit 150 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto page1 = JsonLines(r.out);
  ASSERT_EQ(page1.size(), 151u);
  const rapidjson::Value& info = page1.back();
  EXPECT_EQ(info["matched"].GetUint64(), static_cast<uint64_t>(kTraces));
  const std::string token = info["next_page_token"].GetString();
  ASSERT_FALSE(token.empty());

  r = Run("search", "--limit 150 --json --page-token " + token);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto page2 = JsonLines(r.out);
  ASSERT_EQ(page2.size(), 51u);
  EXPECT_STREQ(page2.back()["next_page_token"].GetString(), "");
  std::set<std::string> ids;
  for (auto* page : {&page1, &page2}) {
    for (size_t i = 0; i + 1 < page->size(); ++i) ids.insert((*page)[i]["trace_id"].GetString());
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kTraces));
}

TEST_F(ClientCliTest, SearchTableNamesTheColumnsAndTheNextPage) {
  Result r = Run("search", "--limit 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out,
              ::testing::AllOf(HasSubstr("TRACE ID"), HasSubstr("START"), HasSubstr("DURATION"),
                               HasSubstr("EVENTS"), HasSubstr("SERVICES"), HasSubstr("FINDINGS")));
  EXPECT_THAT(r.out, HasSubstr(Trace(kTraces - 1)));
  EXPECT_THAT(r.out, HasSubstr("2026-11-23T10:00:19.900Z"));
  EXPECT_THAT(r.out,
              HasSubstr(absl::StrCat("3 of ", kTraces, " matching; next page: --page-token ")));
}

TEST_F(ClientCliTest, SearchRejectsBadFiltersBeforeCalling) {
  ExpectUsageError("search", "--level loud", "--level must be one of");
  ExpectUsageError("search", "--since yesterday", "--since needs an RFC 3339 time");
  ExpectUsageError("search", "--since 2026-11-23T11:00:00Z --until 2026-11-23T10:00:00Z",
                   "give since <= until");
  ExpectUsageError("search", "--limit 5000", "--limit must be between 1 and 1000");
  ExpectUsageError("search", "payments", "--service payments");
  ExpectUsageError("search", "--bogus", "unknown flag --bogus");
}

TEST_F(ClientCliTest, SearchWithAForeignPageTokenIsAUsageError) {
  ExpectUsageError("search", "--page-token not-a-token",
                   "page_token is not one this server issued");
}

}  // namespace
}  // namespace logweave::client_cli_test
