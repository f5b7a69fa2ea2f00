// Log bytes that are not UTF-8 (issue 17): a message with \xff\xfe and a
// truncated multibyte sequence, a service name, a trace id, a plain-text
// error line and a file name holding such bytes, served by an in-process
// LogweaveServer on a loopback port. Every answer of the API must be valid
// UTF-8 (a receiver refuses a proto string field that is not), and every query
// command of the logweave binary must exit 0 with valid UTF-8 output, in
// bounded time. Also: a client facing a server that still sends such bytes (an
// older logweave), or an error, or no answer, says what happened and never
// hangs; `findings --follow` stops at once on SIGTERM.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "connectors/grpc/server.h"
#include "connectors/grpc/wire_text.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "logweave/pipeline.h"
#include "logweave/utf8.h"
#include "logweave/v1/logweave.grpc.pb.h"
#include "rapidjson/document.h"
#include "testdata/lines.h"
#include "testdata/run_command.h"

namespace logweave {
namespace {

using testdata::PlainTime;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD, UTF-8

std::string Trace(int i) { return absl::StrFormat("%032x", 0xabc000 + i); }

// The faults, by trace number (200 traces, 100 ms apart).
constexpr int kTraces = 200;
constexpr int kBadMessage = 3;     // checkout's message has \xff\xfe and a cut-off "€"
constexpr int kBadService = 5;     // checkout's service name has \xff
constexpr int kBadTraceId = 7;     // every line of this trace has an id with invalid bytes
constexpr int kNoPayments = 17;    // payments never reached: missing_service
constexpr int kEmailTimeout = 40;  // a plain-text error with invalid bytes, naming this trace

// Bytes as they come: \xff\xfe are never UTF-8, \xe2\x82 is "€" cut short.
const std::string kBadText = "order \xff\xfe created \xe2\x82";
const std::string kBadServiceName = "check\xffout";
const std::string kBadId =
    "bad\xfe\xff"
    "5f3c9a2e7d41b8e0c6a9\xe2\x82";
const std::string kPaymentsFile = "pay\xffments.log";  // a file name that is not UTF-8 either

std::string Id(int i) { return i == kBadTraceId ? kBadId : Trace(i); }

// The id as the API shows it: each invalid sequence read as U+FFFD.
std::string Repaired(const std::string& s) {
  std::string out;
  AppendValidUtf8(s, &out);
  return out;
}

std::string GatewayLine(const std::string& trace, int64_t ms, const std::string& msg) {
  int64_t t = testdata::kBaseSeconds * 1000 + ms;
  return absl::StrFormat(
      R"({"level":"info","ts":%d.%03d,"caller":"gw/handler.go:88","msg":"%s","trace_id":"%s","route":"POST /checkout"})",
      t / 1000, t % 1000, msg, trace);
}

// The checkout line of trace i: python-json-logger, with the faults above.
std::string CheckoutLine(int i) {
  const int64_t ms = i * 100 + 5;
  return absl::StrFormat(
      R"({"timestamp":"%s","levelname":"INFO","name":"checkout.api","message":"%s","trace_id":"%s","service":"%s"})",
      PlainTime(ms), i == kBadMessage ? kBadText : "order_created", Id(i),
      i == kBadService ? kBadServiceName : "checkout");
}

const std::string& EmailTimeoutLine() {
  static const std::string* line = new std::string(
      PlainTime(kEmailTimeout * 100 + 5060) +
      " ERROR Connection timeout to \xff\xfe mail provider \xe2\x82 after 5000ms trace_id=" +
      Trace(kEmailTimeout));
  return *line;
}

// A small shop: POST /checkout through gateway -> checkout -> payments, then
// an email job; one line per vector entry, by file name.
std::map<std::string, std::vector<std::string>> ShopFiles() {
  std::map<std::string, std::vector<std::string>> files;
  std::vector<std::pair<int64_t, std::string>> email;  // (time, line), sorted below
  for (int i = 0; i < kTraces; ++i) {
    const std::string t = Id(i);
    const int64_t ms = i * 100;
    files["gateway.log"].push_back(GatewayLine(t, ms, "request received"));
    files["checkout.log"].push_back(CheckoutLine(i));
    if (i != kNoPayments) {
      files[kPaymentsFile].push_back(
          testdata::EcsLine("payments", t, ms + 20, "payment_authorized"));
    }
    files["gateway.log"].push_back(GatewayLine(t, ms + 40, "request completed"));
    email.emplace_back(ms + 60, testdata::EmailLine(t, ms + 60, "email_send_attempt"));
    if (i == kEmailTimeout) {
      email.emplace_back(ms + 5060, EmailTimeoutLine());
    } else {
      email.emplace_back(ms + 360, testdata::EmailLine(t, ms + 360, "email_queued"));
    }
  }
  email.emplace_back(600000, PlainTime(600000) + " ERROR SMTP relay \xe2\x82 refused \xff");
  std::stable_sort(email.begin(), email.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [ms, line] : email) files["email.log"].push_back(std::move(line));
  return files;
}

// The binary under test: built by CMake (path compiled in), or $LOGWEAVE_BIN.
std::string Bin() {
  const char* bin = std::getenv("LOGWEAVE_BIN");
  return bin != nullptr ? bin : LOGWEAVE_BIN;
}

// Every string field of `m` (nested messages, repeated fields and map keys
// and values included), with its path.
void CollectStrings(const google::protobuf::Message& m, const std::string& path,
                    std::vector<std::pair<std::string, std::string>>* out) {
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  const google::protobuf::Reflection* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    const std::string name = absl::StrCat(path, ".", f->name());
    const bool is_string = f->type() == google::protobuf::FieldDescriptor::TYPE_STRING;
    const bool is_message = f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE;
    if (f->is_repeated()) {
      for (int j = 0; j < r->FieldSize(m, f); ++j) {
        if (is_string) out->emplace_back(name, r->GetRepeatedString(m, f, j));
        if (is_message) CollectStrings(r->GetRepeatedMessage(m, f, j), name, out);
      }
    } else if (is_string) {
      out->emplace_back(name, r->GetString(m, f));
    } else if (is_message && r->HasField(m, f)) {
      CollectStrings(r->GetMessage(m, f), name, out);
    }
  }
}

// The string fields of `m` that are not valid UTF-8 (with their paths).
std::vector<std::string> InvalidStrings(const google::protobuf::Message& m) {
  std::vector<std::pair<std::string, std::string>> strings;
  CollectStrings(m, m.GetDescriptor()->name(), &strings);
  std::vector<std::string> bad;
  for (const auto& [path, value] : strings) {
    if (!IsValidUtf8(value)) bad.push_back(path);
  }
  return bad;
}

// How many string fields of `m` hold U+FFFD: proof that a repair reached it.
int RepairedStrings(const google::protobuf::Message& m) {
  std::vector<std::pair<std::string, std::string>> strings;
  CollectStrings(m, "", &strings);
  return std::count_if(strings.begin(), strings.end(), [](const auto& s) {
    return s.second.find(kReplacement) != std::string::npos;
  });
}

void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
}

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

// Runs the logweave binary with a temporary directory of its own.
class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("utf8_api_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // `logweave COMMAND args --server SERVER`, killed if still running after
  // 20 s (a hang shows as exit code 137 and a long time).
  testdata::CommandResult RunAt(const std::string& server, const std::string& command,
                                const std::string& args) {
    const absl::Time start = absl::Now();
    testdata::CommandResult r =
        testdata::RunCommand(absl::StrCat("env -u LOGWEAVE_SERVER timeout -s KILL 20 ", Bin(), " ",
                                          command, " ", args, " --server ", server, " </dev/null"),
                             (dir_ / "stderr.txt").string());
    last_seconds_ = absl::ToDoubleSeconds(absl::Now() - start);
    return r;
  }

  // A shell-quoted argument: '...' with ' escaped (bytes pass through as they are).
  static std::string Quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }

  static std::vector<rapidjson::Document> JsonLines(const std::string& text) {
    std::vector<rapidjson::Document> docs;
    for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
      rapidjson::Document d;
      d.Parse(line.data(), line.size());
      EXPECT_FALSE(d.HasParseError()) << line;
      if (!d.HasParseError() && d.IsObject()) docs.push_back(std::move(d));
    }
    return docs;
  }

  std::filesystem::path dir_;
  double last_seconds_ = 0;  // of the last RunAt
};

// One server over the shop's logs for the suite.
class Utf8ApiTest : public CommandTest {
 protected:
  static void SetUpTestSuite() {
    RuntimeOptions options;
    options.pipeline.threads = 2;
    auto created = Runtime::Create(options);
    ASSERT_TRUE(created.ok()) << created.status();
    runtime_ = created->release();
    Pipeline* pipeline = &runtime_->pipeline();
    for (const auto& [name, lines] : ShopFiles()) {
      RawBatch b;
      b.source_id = pipeline->AddSource("logs/" + name);
      uint64_t offset = 0;
      for (size_t i = 0; i < lines.size(); ++i) {
        b.AddLine(lines[i], offset, i + 1);
        offset += lines[i].size() + 1;
      }
      pipeline->Submit(std::move(b));
    }
    pipeline->Flush();
    ServerOptions server_options;
    server_options.address = "127.0.0.1:0";
    auto server = LogweaveServer::Start(server_options, runtime_);  // no analysis loop
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
    runtime_->AnalyzeNow(true);
    server_->SetReady(true);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete runtime_;
    runtime_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    CommandTest::SetUp();
    stub_ =
        v1::LogWeave::NewStub(grpc::CreateChannel(Server(), grpc::InsecureChannelCredentials()));
  }

  static std::string Server() { return absl::StrCat("127.0.0.1:", server_->port()); }
  testdata::CommandResult Run(const std::string& command, const std::string& args = "") {
    return RunAt(Server(), command, args);
  }

  static Runtime* runtime_;
  static LogweaveServer* server_;
  std::unique_ptr<v1::LogWeave::Stub> stub_;
};

Runtime* Utf8ApiTest::runtime_ = nullptr;
LogweaveServer* Utf8ApiTest::server_ = nullptr;

// --- the API ---

TEST_F(Utf8ApiTest, EveryAnswerOfTheApiIsValidUtf8) {
  int repaired = 0;
  for (int i : {kBadMessage, kBadService, kBadTraceId, kNoPayments, kEmailTimeout}) {
    for (bool raw : {false, true}) {
      v1::GetTimelineRequest request;
      request.set_trace_id(Repaired(Id(i)));
      request.set_include_raw(raw);
      v1::GetTimelineResponse response;
      grpc::ClientContext context;
      SetDeadline(&context);
      grpc::Status s = stub_->GetTimeline(&context, request, &response);
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
    grpc::ClientContext context;
    SetDeadline(&context);
    grpc::Status s = stub_->SearchTraces(&context, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_THAT(InvalidStrings(response), testing::IsEmpty());
    for (const auto& t : response.traces()) ids.insert(t.trace_id());
    token = response.next_page_token();
  } while (!token.empty() && ++pages < 100);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kTraces));
  EXPECT_TRUE(ids.count(Repaired(kBadId)));

  v1::ListUnstructuredResponse entries;
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    grpc::Status s = stub_->ListUnstructured(&context, v1::ListUnstructuredRequest(), &entries);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_THAT(InvalidStrings(entries), testing::IsEmpty());
  ASSERT_EQ(entries.entries_size(), 2);
  EXPECT_THAT(entries.entries(0).text(), HasSubstr(Repaired(" \xff\xfe mail provider \xe2\x82 ")));
  EXPECT_EQ(entries.entries(0).trace_id(), Trace(kEmailTimeout));

  v1::Stats stats;
  {
    grpc::ClientContext context;
    SetDeadline(&context);
    grpc::Status s = stub_->GetStats(&context, v1::GetStatsRequest(), &stats);
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
  v1::GetTimelineRequest request;
  request.set_trace_id(Trace(kBadMessage));
  request.set_include_raw(true);
  v1::GetTimelineResponse response;
  grpc::ClientContext context;
  SetDeadline(&context);
  grpc::Status s = stub_->GetTimeline(&context, request, &response);
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
  request.set_include_raw(false);
  grpc::ClientContext context2;
  SetDeadline(&context2);
  ASSERT_TRUE(stub_->GetTimeline(&context2, request, &response).ok());
  for (const v1::Event& e : response.events()) {
    EXPECT_EQ(e.raw(), "");
    EXPECT_EQ(e.raw_bytes(), "");
  }
}

TEST_F(Utf8ApiTest, ATraceIdThatIsNotUtf8IsFoundByTheFormClientsSee) {
  v1::GetTimelineRequest request;
  request.set_trace_id(Repaired(kBadId));
  request.set_include_raw(true);
  v1::GetTimelineResponse response;
  grpc::ClientContext context;
  SetDeadline(&context);
  grpc::Status s = stub_->GetTimeline(&context, request, &response);
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
    grpc::ClientContext context;
    SetDeadline(&context);
    EXPECT_TRUE(stub_->GetStats(&context, v1::GetStatsRequest(), &stats).ok());
    return stats.utf8_repaired_strings();
  };
  const uint64_t first = repaired();
  EXPECT_GT(first, 0u);  // the payments file's name and the service taken from it
  const uint64_t per_stats = repaired() - first;
  EXPECT_EQ(per_stats, 2u);
  v1::GetTimelineRequest request;
  request.set_trace_id(Trace(kBadMessage));
  v1::GetTimelineResponse response;
  grpc::ClientContext context;
  SetDeadline(&context);
  ASSERT_TRUE(stub_->GetTimeline(&context, request, &response).ok());
  // The checkout message and the payments event's source.
  EXPECT_EQ(RepairedStrings(response), 2);
  EXPECT_EQ(repaired(), first + 2 * per_stats + 2);
  EXPECT_EQ(server_->service().utf8_repaired_strings(), first + 2 * per_stats + 2);
}

// --- the logweave command ---

TEST_F(Utf8ApiTest, EveryQueryCommandExitsZeroWithValidUtf8Output) {
  const std::string bad_id = Quote(Repaired(kBadId));
  const std::vector<std::string> commands = {
      "timeline " + Trace(kBadMessage),
      "timeline " + Trace(kBadService) + " --raw",
      "timeline " + Trace(kBadMessage) + " --raw",
      "timeline " + Trace(kEmailTimeout) + " --json",
      "timeline " + Trace(kBadService) + " --json --raw",
      "timeline " + bad_id,
      "timeline " + Quote(kBadId) + " --raw",  // the id as stored, from a script
      "search",
      "search --json",
      "search --limit 1000",
      "search --has-unstructured --json",
      "unstructured",
      "unstructured --json",
      "findings",
      "findings --json",
      "stats",
      "stats --json",
  };
  for (const std::string& command : commands) {
    testdata::CommandResult r = Run(command);
    EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.err;
    EXPECT_LT(last_seconds_, 15) << command;
    EXPECT_TRUE(IsValidUtf8(r.out)) << command << "\n" << r.out;
    EXPECT_TRUE(IsValidUtf8(r.err)) << command << "\n" << r.err;
    EXPECT_THAT(r.err, Not(HasSubstr("libprotobuf"))) << command;
    EXPECT_FALSE(r.out.empty()) << command;
    if (command.find("--json") != std::string::npos) {
      EXPECT_FALSE(JsonLines(r.out).empty()) << command;
    }
  }
}

TEST_F(Utf8ApiTest, TheCommandsShowTheBadBytesAsReplacementCharacters) {
  testdata::CommandResult r = Run("timeline", Trace(kBadMessage) + " --raw");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(Repaired(kBadText).substr(0, 20)));     // the message cell
  EXPECT_THAT(r.out, HasSubstr(Repaired(CheckoutLine(kBadMessage))));  // the raw line

  r = Run("timeline", Trace(kBadService));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(Repaired(kBadServiceName)));

  r = Run("timeline", Quote(Repaired(kBadId)) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0]["trace_id"].GetString(), Repaired(kBadId));

  r = Run("findings", "--json --kind unstructured_error");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 2u) << r.out;
  std::string summaries;
  for (const auto& d : docs) absl::StrAppend(&summaries, d["summary"].GetString(), "\n");
  EXPECT_THAT(summaries, AllOf(HasSubstr(Repaired(" \xff\xfe mail provider \xe2\x82 ")),
                               HasSubstr(Repaired("SMTP relay \xe2\x82 refused \xff"))));

  r = Run("stats", "--json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_GT(docs[0]["utf8_repaired_strings"].GetUint64(), 0u);
  r = Run("stats");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("utf-8 repaired strings"));
}

TEST_F(Utf8ApiTest, JsonRawKeepsTheOriginalBytesAndARepairedServiceNameIsSearchable) {
  testdata::CommandResult r = Run("timeline", Trace(kBadMessage) + " --json --raw");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto docs = JsonLines(r.out);
  ASSERT_EQ(docs.size(), 1u) << r.out;
  int with_original = 0;
  for (const auto& e : docs[0]["events"].GetArray()) {
    const std::string raw = e["raw"].GetString();
    ASSERT_TRUE(IsValidUtf8(raw));
    if (raw.find(kReplacement) == std::string::npos) {
      EXPECT_FALSE(e.HasMember("raw_base64")) << raw;  // only where repairing changed the line
      continue;
    }
    ASSERT_TRUE(e.HasMember("raw_base64")) << raw;
    std::string original;
    ASSERT_TRUE(absl::Base64Unescape(e["raw_base64"].GetString(), &original));
    EXPECT_EQ(original, CheckoutLine(kBadMessage));
    EXPECT_EQ(raw, Repaired(original));
    ++with_original;
  }
  EXPECT_EQ(with_original, 1);

  // The service name as the commands print it finds the traces of the stored one.
  r = Run("search", "--service " + Quote(Repaired(kBadServiceName)) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> found;
  for (const auto& d : JsonLines(r.out)) {
    if (std::string(d["kind"].GetString()) == "trace") found.push_back(d["trace_id"].GetString());
  }
  EXPECT_THAT(found, testing::Contains(Trace(kBadService))) << r.out;
  // A name that no stored name reads as still matches nothing.
  r = Run("search", "--service " + Quote(absl::StrCat("no", kReplacement, "such")) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& d : JsonLines(r.out)) EXPECT_STRNE(d["kind"].GetString(), "trace") << r.out;
}

TEST_F(Utf8ApiTest, ReplayTimelineRawIsValidUtf8) {
  const std::filesystem::path logs = dir_ / "logs";
  std::filesystem::create_directories(logs);
  for (const auto& [name, lines] : ShopFiles()) {
    std::ofstream out(logs / name, std::ios::binary);
    for (const std::string& line : lines) out << line << "\n";
  }
  for (const std::string& id : {Trace(kBadMessage), Trace(kBadService), Trace(kEmailTimeout)}) {
    for (const char* flags : {"--raw", "", "--json --raw"}) {
      testdata::CommandResult r =
          testdata::RunCommand(absl::StrCat("timeout -s KILL 60 ", Bin(), " replay --quiet ",
                                            logs.string(), " --timeline ", id, " ", flags),
                               (dir_ / "stderr.txt").string());
      EXPECT_EQ(r.exit_code, 0) << id << " " << flags << "\n" << r.err;
      EXPECT_TRUE(IsValidUtf8(r.out)) << id << " " << flags << "\n" << r.out;
      EXPECT_THAT(r.out, HasSubstr(kReplacement)) << id << " " << flags;
    }
  }
  // An id that is not UTF-8 is found as given, and printed repaired.
  testdata::CommandResult r =
      testdata::RunCommand(absl::StrCat("timeout -s KILL 60 ", Bin(), " replay --quiet ",
                                        logs.string(), " --timeline ", Quote(kBadId), " --raw"),
                           (dir_ / "stderr.txt").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(IsValidUtf8(r.out)) << r.out;
  EXPECT_THAT(r.out, HasSubstr("trace " + Repaired(kBadId) + ": 6 events"));
}

TEST_F(Utf8ApiTest, FindingsFollowStopsAtOnceOnSigterm) {
  // timeout: a safety net should the command ignore the signal (KILL after 20 s).
  testdata::StreamingCommand follow(absl::StrCat("timeout --preserve-status -s KILL 20 ", Bin(),
                                                 " findings --follow --json --server ", Server(),
                                                 " 2>", (dir_ / "stderr.txt").string()));
  // Every finding so far, the one quoting invalid bytes included.
  ASSERT_TRUE(follow.ReadUntil("mail provider")) << "no finding quoting the plain-text error";
  const absl::Time signalled = absl::Now();
  follow.Signal(SIGTERM);
  const int code = follow.Close();
  EXPECT_LT(absl::Now() - signalled, absl::Seconds(2));
  EXPECT_EQ(code, 0);
}

TEST_F(Utf8ApiTest, ThePythonClientReadsEveryAnswer) {
  const char* python = "/usr/bin/python3";
  if (std::system(absl::StrCat(python, " -c 'import grpc, google.protobuf' 2>/dev/null").c_str()) !=
          0 ||
      std::system("command -v protoc >/dev/null && test -x /usr/bin/grpc_python_plugin") != 0) {
    GTEST_SKIP() << "needs /usr/bin/python3 with grpc and protobuf, protoc, grpc_python_plugin";
  }
  const std::string script = std::string(LOGWEAVE_SOURCE_DIR) + "/tools/python/logweave_client.py";
  for (const std::string& args : {std::string("--kind unstructured_error --limit 500"),
                                  std::string("--kind missing_service")}) {
    testdata::CommandResult r = testdata::RunCommand(
        absl::StrCat("timeout -s KILL 60 ", python, " ", script, " --server ", Server(), " ", args),
        (dir_ / "stderr.txt").string());
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    EXPECT_THAT(r.out, HasSubstr("# Stats")) << args;
    EXPECT_TRUE(IsValidUtf8(r.out));
  }
}

// --- a server that sends what the client cannot read, fails, or does not answer ---

// A logweave.v1 server as it was before the repair: its answers carry log
// bytes that are not UTF-8 as they are (protobuf logs an error and sends them
// anyway). In kFailing mode, each call fails instead, with a status or by not
// answering until the client gives up.
class UnhelpfulServer final : public v1::LogWeave::Service {
 public:
  enum class Mode { kSendsInvalidUtf8, kFailing };
  explicit UnhelpfulServer(Mode mode) : mode_(mode) {}

  grpc::Status GetTimeline(grpc::ServerContext* context, const v1::GetTimelineRequest* request,
                           v1::GetTimelineResponse* response) override {
    if (mode_ == Mode::kFailing) return WaitForCancel(context);
    response->set_trace_id(request->trace_id());
    v1::Event* e = response->add_events();
    e->set_service("checkout");
    e->set_message(kBadText);
    return grpc::Status::OK;
  }
  grpc::Status SearchTraces(grpc::ServerContext*, const v1::SearchTracesRequest*,
                            v1::SearchTracesResponse* response) override {
    if (mode_ == Mode::kFailing) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "too many searches at once; retry in a second");
    }
    v1::TraceSummary* t = response->add_traces();
    t->set_trace_id(Trace(kBadService));
    t->add_services(kBadServiceName);
    response->set_matched(1);
    return grpc::Status::OK;
  }
  grpc::Status ListUnstructured(grpc::ServerContext*, const v1::ListUnstructuredRequest*,
                                v1::ListUnstructuredResponse* response) override {
    if (mode_ == Mode::kFailing) {
      return grpc::Status(grpc::StatusCode::INTERNAL, "analysis snapshot missing");
    }
    response->add_entries()->set_text(EmailTimeoutLine());
    return grpc::Status::OK;
  }
  grpc::Status StreamFindings(grpc::ServerContext* context, const v1::StreamFindingsRequest*,
                              grpc::ServerWriter<v1::Finding>* writer) override {
    if (mode_ == Mode::kFailing) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "not ready: the initial replay is still being indexed");
    }
    v1::Finding ok;
    ok.set_id("f-1");
    ok.set_kind("missing_service");
    ok.set_trace_id(Trace(kNoPayments));
    ok.set_summary("Trace has no lines from payments");
    writer->Write(ok);
    v1::Finding bad = ok;
    bad.set_id("f-2");
    bad.set_kind("unstructured_error");
    bad.set_summary("Plain-text error: " + EmailTimeoutLine());
    writer->Write(bad);
    // As a real server: the stream stays open until the client goes away.
    return WaitForCancel(context);
  }
  grpc::Status GetStats(grpc::ServerContext*, const v1::GetStatsRequest*,
                        v1::Stats* response) override {
    if (mode_ == Mode::kFailing) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "not ready: the initial replay is still being indexed");
    }
    response->add_sources()->set_name("logs/" + kPaymentsFile);
    return grpc::Status::OK;
  }

 private:
  // OK once the client cancelled (or 60 s passed).
  static grpc::Status WaitForCancel(grpc::ServerContext* context) {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (!context->IsCancelled() && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(20));
    return grpc::Status::OK;
  }
  const Mode mode_;
};

class UnhelpfulServerTest : public CommandTest {
 protected:
  void StartUnhelpful(UnhelpfulServer::Mode mode) {
    service_ = std::make_unique<UnhelpfulServer>(mode);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(service_.get());
    unhelpful_ = builder.BuildAndStart();
    ASSERT_NE(unhelpful_, nullptr);
  }
  void TearDown() override {
    if (unhelpful_ != nullptr) {
      unhelpful_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    }
    CommandTest::TearDown();
  }
  std::string Address() const { return absl::StrCat("127.0.0.1:", port_); }

  std::unique_ptr<UnhelpfulServer> service_;
  std::unique_ptr<grpc::Server> unhelpful_;
  int port_ = 0;
};

TEST_F(UnhelpfulServerTest, AnAnswerThatIsNotUtf8IsReportedAsSuchWithoutHanging) {
  StartUnhelpful(UnhelpfulServer::Mode::kSendsInvalidUtf8);
  const std::vector<std::pair<std::string, std::string>> commands = {
      {"timeline " + Trace(kBadMessage), "logweave.v1.Event.message"},
      {"search --json", "logweave.v1.TraceSummary.services"},
      {"unstructured", "logweave.v1.UnstructuredEntry.text"},
      {"stats", "logweave.v1.SourceStats.name"},
      {"findings --json", "logweave.v1.Finding.summary"},
      {"findings --follow", "logweave.v1.Finding.summary"},
  };
  for (const auto& [command, field] : commands) {
    testdata::CommandResult r = RunAt(Address(), command, "");
    EXPECT_EQ(r.exit_code, 1) << command << "\n" << r.err;
    EXPECT_LT(last_seconds_, 5) << command;
    EXPECT_THAT(r.err, HasSubstr("sent an answer this client cannot decode")) << command;
    EXPECT_THAT(r.err, HasSubstr(field)) << command;
    EXPECT_THAT(r.err, HasSubstr("upgrade the server")) << command;
    // Not the hints for a wrong address.
    EXPECT_THAT(r.err, Not(HasSubstr("is --server the address"))) << command;
    EXPECT_THAT(r.err, Not(HasSubstr("is `logweave serve` running"))) << command;
    EXPECT_THAT(r.err, Not(HasSubstr("[libprotobuf"))) << command;
    EXPECT_TRUE(IsValidUtf8(r.out) && IsValidUtf8(r.err)) << command;
  }
}

TEST_F(UnhelpfulServerTest, AServerErrorIsPrintedWithItsCodeAndMessage) {
  StartUnhelpful(UnhelpfulServer::Mode::kFailing);
  const std::vector<std::pair<std::string, std::string>> commands = {
      {"search", "RESOURCE_EXHAUSTED: too many searches at once; retry in a second"},
      {"unstructured", "INTERNAL: analysis snapshot missing"},
      {"stats", "FAILED_PRECONDITION: not ready: the initial replay is still being indexed"},
      {"findings", "FAILED_PRECONDITION: not ready: the initial replay is still being indexed"},
  };
  for (const auto& [command, said] : commands) {
    testdata::CommandResult r = RunAt(Address(), command, "");
    EXPECT_EQ(r.exit_code, 1) << command << "\n" << r.err;
    EXPECT_LT(last_seconds_, 5) << command;
    EXPECT_THAT(r.err, HasSubstr(absl::StrCat("logweave at ", Address(), " answered ", said)))
        << command;
    EXPECT_THAT(r.err, Not(HasSubstr("is --server the address"))) << command;
    EXPECT_THAT(r.err, Not(HasSubstr("is `logweave serve` running"))) << command;
  }
}

TEST_F(UnhelpfulServerTest, ACallWithoutAnswerEndsAtTheTimeout) {
  StartUnhelpful(UnhelpfulServer::Mode::kFailing);
  testdata::CommandResult r = RunAt(Address(), "timeline", Trace(1) + " --timeout 300ms");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_LT(last_seconds_, 3);
  EXPECT_THAT(r.err, HasSubstr("did not answer within 300ms (DEADLINE_EXCEEDED"));
  EXPECT_THAT(r.err, HasSubstr("--timeout"));

  r = RunAt(Address(), "timeline", Trace(1) + " --timeout soon");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--timeout needs a positive duration"));
}

}  // namespace
}  // namespace logweave
