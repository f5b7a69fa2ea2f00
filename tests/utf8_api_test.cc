// Log bytes that are not UTF-8 (issue 17) through the API: the wire conversion alone, and
// every answer of an in-process LogweaveServer must be valid UTF-8 (a receiver refuses a proto
// string field that is not). Shared setup: support/utf8_shop_server.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/utf8_shop_server.h"

namespace logweave::utf8_api_test {
namespace {

// --- the wire conversion alone ---

TEST(WireTextTest, RepairsOnlyWhatIsInvalidAndCountsIt) {
  WireText text;
  EXPECT_EQ(text.Utf8("payment_authorized"), "payment_authorized");
  EXPECT_EQ(text.Utf8("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac");  // café €
  EXPECT_EQ(text.repaired(), 0u);
  EXPECT_EQ(text.Utf8("a\xff\xfe"
                      "b"),
            "a\xEF\xBF\xBD\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(text.Utf8("cut \xe2\x82"), "cut \xEF\xBF\xBD");
  EXPECT_EQ(text.repaired(), 2u);
}

TEST(WireTextTest, AFindingWithInvalidBytesEverywhereGoesOutValid) {
  Finding f;
  f.id = "uns-\xff";
  f.kind = "unstructured_error";
  f.trace_id = kBadId;
  f.subject = "logs/" + kPaymentsFile + ":12";
  f.summary = "Plain-text error: \"" + kBadText + "\"";
  f.details = {{"service", kBadServiceName},
               {"k\xfe"
                "ey",
                "v"},
               {"text", kBadText}};
  f.evidence.push_back(EvidenceLine{
      .source = "logs/" + kPaymentsFile, .line_no = 12, .time_ns = 1, .text = kBadText});
  WireText text;
  v1::Finding out;
  ToProto(f, &out, &text);
  EXPECT_THAT(InvalidStrings(out), testing::IsEmpty());
  EXPECT_EQ(out.summary(), Repaired(f.summary));
  EXPECT_EQ(out.details().at("k\xEF\xBF\xBD"
                             "ey"),
            "v");
  EXPECT_EQ(out.details().at("service"), Repaired(kBadServiceName));
  EXPECT_EQ(out.evidence(0).text(), Repaired(kBadText));
  EXPECT_EQ(out.trace_id(), Repaired(kBadId));
  // id, trace id, subject, summary, a details key, two details values, evidence source and text.
  EXPECT_EQ(text.repaired(), 9u);
  std::string wire;
  ASSERT_TRUE(out.SerializeToString(&wire));
  v1::Finding back;
  EXPECT_TRUE(back.ParseFromString(wire));

  AttributedEntry a;
  a.entry.id = "uns-\xff";
  a.entry.source = "logs/" + kPaymentsFile;
  a.entry.service = kBadServiceName;
  a.entry.text = kBadText;
  a.candidates.push_back(AttributionCandidate{.trace_id = kBadId, .confidence = 1});
  v1::UnstructuredEntry entry;
  ToProto(a, &entry, &text);
  EXPECT_THAT(InvalidStrings(entry), testing::IsEmpty());
  EXPECT_EQ(entry.trace_id(), Repaired(kBadId));
  EXPECT_EQ(entry.candidates(0).trace_id(), Repaired(kBadId));
}

// --- the API ---

TEST_F(Utf8ApiTest, EveryAnswerOfTheApiIsValidUtf8) {
  int repaired = 0;
  for (int i : {kBadMessage, kBadService, kBadTraceId, kNoPayments, kEmailTimeout}) {
    for (bool raw : {false, true}) {
      v1::GetTimelineResponse response;
      grpc::Status s = Timeline(Repaired(Id(i)), /*include_raw=*/raw, &response);
      ASSERT_TRUE(s.ok()) << "trace " << i << ": " << s.error_message();
      EXPECT_THAT(InvalidStrings(response), testing::IsEmpty()) << i;
      EXPECT_FALSE(response.events().empty()) << i;
      repaired += RepairedStrings(response);
    }
  }
  EXPECT_GT(repaired, 0);

  // Every trace, one per page: ids with invalid bytes page on like the others.
  std::set<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    v1::SearchTracesRequest request;
    request.set_page_size(7);
    request.set_page_token(token);
    v1::SearchTracesResponse response;
    grpc::Status s = Call(&v1::LogWeave::Stub::SearchTraces, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_THAT(InvalidStrings(response), testing::IsEmpty());
    for (const auto& t : response.traces()) ids.insert(t.trace_id());
    token = response.next_page_token();
  } while (!token.empty() && ++pages < 100);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kTraces));
  EXPECT_TRUE(ids.count(Repaired(kBadId)));

  v1::ListUnstructuredResponse entries;
  {
    grpc::Status s =
        Call(&v1::LogWeave::Stub::ListUnstructured, v1::ListUnstructuredRequest(), &entries);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_THAT(InvalidStrings(entries), testing::IsEmpty());
  ASSERT_EQ(entries.entries_size(), 2);
  EXPECT_THAT(entries.entries(0).text(), HasSubstr(Repaired(" \xff\xfe mail provider \xe2\x82 ")));
  EXPECT_EQ(entries.entries(0).trace_id(), Trace(kEmailTimeout));

  v1::Stats stats;
  {
    grpc::Status s = Call(&v1::LogWeave::Stub::GetStats, v1::GetStatsRequest(), &stats);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_THAT(InvalidStrings(stats), testing::IsEmpty());
  std::set<std::string> sources;
  for (const auto& src : stats.sources()) sources.insert(src.name());
  EXPECT_TRUE(sources.count(Repaired("logs/" + kPaymentsFile)));
  EXPECT_GE(stats.utf8_repaired_strings(), static_cast<uint64_t>(repaired));
}

TEST_F(Utf8ApiTest, StreamedFindingsAreValidUtf8AndQuoteTheLineRepaired) {
  v1::StreamFindingsRequest request;
  request.set_since_unix_nano(1);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
  auto reader = stub_->StreamFindings(&context, request);
  std::vector<v1::Finding> findings;
  v1::Finding f;
  while (reader->Read(&f)) findings.push_back(f);
  grpc::Status s = reader->Finish();
  // The stream has no end of its own: the deadline ends it.
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
  bool quoted = false;
  for (const v1::Finding& finding : findings) {
    EXPECT_THAT(InvalidStrings(finding), testing::IsEmpty()) << finding.id();
    if (finding.kind() == "unstructured_error" && finding.trace_id() == Trace(kEmailTimeout)) {
      quoted = true;
      EXPECT_THAT(finding.summary(), HasSubstr(Repaired("\xff\xfe mail provider \xe2\x82")));
      ASSERT_FALSE(finding.evidence().empty());
      EXPECT_THAT(finding.evidence(0).text(),
                  HasSubstr(Repaired("\xff\xfe mail provider \xe2\x82")));
    }
  }
  EXPECT_TRUE(quoted) << findings.size() << " findings";
}

TEST_F(Utf8ApiTest, RawBytesAreTheLineAsStoredAndRawIsItRepaired) {
  v1::GetTimelineResponse response;
  grpc::Status s = Timeline(Trace(kBadMessage), /*include_raw=*/true, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string line = CheckoutLine(kBadMessage);
  bool found = false;
  for (const v1::Event& e : response.events()) {
    if (e.service() != "checkout") {
      EXPECT_EQ(e.raw(), e.raw_bytes());  // valid lines: the same bytes twice
      continue;
    }
    found = true;
    EXPECT_EQ(e.raw_bytes(), line);
    EXPECT_EQ(e.raw(), Repaired(line));
    EXPECT_EQ(e.message(), Repaired(kBadText));
  }
  EXPECT_TRUE(found);

  // Without include_raw, neither.
  ASSERT_TRUE(Timeline(Trace(kBadMessage), /*include_raw=*/false, &response).ok());
  for (const v1::Event& e : response.events()) {
    EXPECT_EQ(e.raw(), "");
    EXPECT_EQ(e.raw_bytes(), "");
  }
}

TEST_F(Utf8ApiTest, ATraceIdThatIsNotUtf8IsFoundByTheFormClientsSee) {
  v1::GetTimelineResponse response;
  grpc::Status s = Timeline(Repaired(kBadId), /*include_raw=*/true, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.trace_id(), Repaired(kBadId));
  EXPECT_EQ(response.events_size(), 6);  // gateway x2, checkout, payments, email x2
  for (const v1::Event& e : response.events()) {
    EXPECT_THAT(e.raw_bytes(), HasSubstr(kBadId));
  }
}

TEST_F(Utf8ApiTest, StatsCountTheRepairs) {
  auto repaired = [&] {
    v1::Stats stats;
    EXPECT_TRUE(Call(&v1::LogWeave::Stub::GetStats, v1::GetStatsRequest(), &stats).ok());
    return stats.utf8_repaired_strings();
  };
  const uint64_t first = repaired();
  EXPECT_GT(first, 0u);  // the payments file's name and the service taken from it
  const uint64_t per_stats = repaired() - first;
  EXPECT_EQ(per_stats, 2u);
  v1::GetTimelineResponse response;
  ASSERT_TRUE(Timeline(Trace(kBadMessage), /*include_raw=*/false, &response).ok());
  // The checkout message and the payments event's source.
  EXPECT_EQ(RepairedStrings(response), 2);
  EXPECT_EQ(repaired(), first + 2 * per_stats + 2);
  EXPECT_EQ(shop_.server->service().utf8_repaired_strings(), first + 2 * per_stats + 2);
}

}  // namespace
}  // namespace logweave::utf8_api_test
