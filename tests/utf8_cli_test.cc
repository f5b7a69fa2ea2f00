// Log bytes that are not UTF-8 (issue 17) through the logweave command: every query command
// exits 0 with valid UTF-8 output in bounded time; a client facing a server that still sends such
// bytes (an older logweave), or an error, or no answer, says what happened and never hangs;
// `findings --follow` stops at once on SIGTERM. Shared setup: support/utf8_shop_server.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/utf8_shop_server.h"

namespace logweave::utf8_api_test {
namespace {

using ::testing::AllOf;
using ::testing::Not;

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

  // `logweave COMMAND --server` this server: expects it to fail (exit 1) within 5 s saying
  // `says` on stderr, without the hints for a wrong address, since the server is there.
  testdata::CommandResult RunAgainstUnhelpful(const std::string& command, const std::string& says) {
    testdata::CommandResult r = RunAt(Address(), command, "");
    EXPECT_EQ(r.exit_code, 1) << command << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr(says)) << command;
    EXPECT_LT(last_seconds_, 5) << command;
    EXPECT_THAT(r.err, Not(HasSubstr("is --server the address"))) << command;
    EXPECT_THAT(r.err, Not(HasSubstr("is `logweave serve` running"))) << command;
    return r;
  }

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
    testdata::CommandResult r = RunAgainstUnhelpful(command, field);
    EXPECT_THAT(r.err, HasSubstr("sent an answer this client cannot decode")) << command;
    EXPECT_THAT(r.err, HasSubstr("upgrade the server")) << command;
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
    RunAgainstUnhelpful(command, absl::StrCat("logweave at ", Address(), " answered ", said));
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
}  // namespace logweave::utf8_api_test
