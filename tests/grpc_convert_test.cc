// The gRPC edge's two one-place mappings: engine types <-> proto
// (connectors/grpc/convert.h) and error codes (connectors/grpc/status_codes.h
// on the server, DescribeRpcError in tools/logweave/client.h on the client).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "connectors/grpc/convert.h"
#include "connectors/grpc/status_codes.h"
#include "logweave/utf8.h"
#include "tools/logweave/client.h"
#include "tools/logweave/commands.h"

namespace logweave {
namespace {

using ::testing::HasSubstr;

struct CodePair {
  absl::StatusCode absl_code;
  grpc::StatusCode grpc_code;
  const char* name;
  int http_status;
};

// Each engine code and its gRPC namesake; the name is the gRPC enumerator's, as written; the HTTP
// status google/rpc/code.proto gives it (but 503 for CANCELLED: the server stopping).
#define CODE_PAIR(absl_code, grpc_code, http) \
  { absl::StatusCode::absl_code, grpc::StatusCode::grpc_code, #grpc_code, http }
constexpr CodePair kCodes[] = {
    CODE_PAIR(kCancelled, CANCELLED, 503),
    CODE_PAIR(kUnknown, UNKNOWN, 500),
    CODE_PAIR(kInvalidArgument, INVALID_ARGUMENT, 400),
    CODE_PAIR(kDeadlineExceeded, DEADLINE_EXCEEDED, 504),
    CODE_PAIR(kNotFound, NOT_FOUND, 404),
    CODE_PAIR(kAlreadyExists, ALREADY_EXISTS, 409),
    CODE_PAIR(kPermissionDenied, PERMISSION_DENIED, 403),
    CODE_PAIR(kResourceExhausted, RESOURCE_EXHAUSTED, 429),
    CODE_PAIR(kFailedPrecondition, FAILED_PRECONDITION, 400),
    CODE_PAIR(kAborted, ABORTED, 409),
    CODE_PAIR(kOutOfRange, OUT_OF_RANGE, 400),
    CODE_PAIR(kUnimplemented, UNIMPLEMENTED, 501),
    CODE_PAIR(kInternal, INTERNAL, 500),
    CODE_PAIR(kUnavailable, UNAVAILABLE, 503),
    CODE_PAIR(kDataLoss, DATA_LOSS, 500),
    CODE_PAIR(kUnauthenticated, UNAUTHENTICATED, 401),
};
#undef CODE_PAIR

TEST(StatusCodesTest, EveryEngineCodeReachesTheClientAsItsNamesakeWithItsMessage) {
  for (const CodePair& c : kCodes) {
    const grpc::Status s = ToGrpcStatus(absl::Status(c.absl_code, "what happened"));
    EXPECT_EQ(s.error_code(), c.grpc_code) << c.name;
    EXPECT_EQ(s.error_message(), "what happened") << c.name;
    EXPECT_EQ(GrpcCodeName(s.error_code()), c.name);
    EXPECT_EQ(HttpStatusOf(s.error_code()), c.http_status) << c.name;
    const absl::Status back = FromGrpcStatus(s);
    EXPECT_EQ(back.code(), c.absl_code) << c.name;
    EXPECT_EQ(back.message(), "what happened") << c.name;
  }
}

TEST(StatusCodesTest, OkStaysOkAndACodeOutsideTheSetIsUnknown) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
  EXPECT_EQ(ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(42), "x")).error_code(),
            grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(GrpcCodeName(static_cast<grpc::StatusCode>(30)), "code 30");  // within the enum's range
  EXPECT_EQ(HttpStatusOf(static_cast<grpc::StatusCode>(30)), 500);
}

// The client's side: each code gives a message naming the command, the code
// and the server's words, a hint for what to do, and the exit code.
TEST(DescribeRpcErrorTest, EachCodeGetsItsMessageAndExitCode) {
  struct Case {
    grpc::StatusCode code;
    const char* hint;
    int exit_code;
  };
  const Case cases[] = {
      {grpc::StatusCode::INVALID_ARGUMENT, "the server rejected the request", cli::kExitUsage},
      {grpc::StatusCode::NOT_FOUND, "answered NOT_FOUND", cli::kExitRuntimeError},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, "try again later", cli::kExitRuntimeError},
      {grpc::StatusCode::UNAVAILABLE, "is `logweave serve` running?", cli::kExitRuntimeError},
      {grpc::StatusCode::DEADLINE_EXCEEDED, "allow longer with --timeout", cli::kExitRuntimeError},
      {grpc::StatusCode::UNAUTHENTICATED, "wants credentials", cli::kExitRuntimeError},
      {grpc::StatusCode::PERMISSION_DENIED, "not allowed", cli::kExitRuntimeError},
      {grpc::StatusCode::INTERNAL, "a bug in the server", cli::kExitRuntimeError},
      {grpc::StatusCode::UNIMPLEMENTED, "does not serve logweave.v1", cli::kExitRuntimeError},
      {grpc::StatusCode::CANCELLED, "answered CANCELLED", cli::kExitRuntimeError},
  };
  for (const Case& c : cases) {
    const cli::RpcErrorReport r = cli::DescribeRpcError(
        "logweave search", "10.0.0.7:7070", absl::Seconds(30), grpc::Status(c.code, "the reason"));
    const std::string name = GrpcCodeName(c.code);
    EXPECT_EQ(r.exit_code, c.exit_code) << name;
    EXPECT_THAT(r.message, HasSubstr("logweave search: ")) << name;
    EXPECT_THAT(r.message, HasSubstr(name));
    EXPECT_THAT(r.message, HasSubstr("the reason")) << name;
    EXPECT_THAT(r.message, HasSubstr(c.hint)) << name;
  }
  // The address is named where it is what to check.
  EXPECT_THAT(cli::DescribeRpcError("logweave stats", "10.0.0.7:7070", absl::Seconds(5),
                                    grpc::Status(grpc::StatusCode::UNAVAILABLE, "refused"))
                  .message,
              HasSubstr("cannot reach logweave at 10.0.0.7:7070"));
  EXPECT_THAT(cli::DescribeRpcError("logweave stats", "h:1", absl::Seconds(5),
                                    grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "slow"))
                  .message,
              HasSubstr("did not answer within 5s"));
}

// ---- engine <-> proto ----

Finding SampleFinding() {
  Finding f;
  f.id = "missing_service:4bf9";
  f.kind = "missing_service";
  f.severity = Severity::kError;
  f.resolved = true;
  f.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  f.subject = "payments";
  f.time_ns = 1795428000123000000;
  f.summary = "payments did not log for POST /checkout";
  f.details = {{"route", "POST /checkout"}, {"service", "payments"}};  // sorted by key
  f.evidence.push_back(EvidenceLine{
      .source = "logs/gateway.log", .line_no = 12, .time_ns = 1795428000123000000, .text = "x"});
  return f;
}

TEST(ConvertTest, AFindingComesBackAsItWasSent) {
  const Finding f = SampleFinding();
  WireText text;
  v1::Finding wire;
  ToProto(f, &wire, &text);
  EXPECT_EQ(wire.severity(), "error");
  const Finding back = FromProto(wire);
  EXPECT_EQ(back.id, f.id);
  EXPECT_EQ(back.kind, f.kind);
  EXPECT_EQ(back.severity, f.severity);
  EXPECT_EQ(back.resolved, f.resolved);
  EXPECT_EQ(back.trace_id, f.trace_id);
  EXPECT_EQ(back.subject, f.subject);
  EXPECT_EQ(back.time_ns, f.time_ns);
  EXPECT_EQ(back.summary, f.summary);
  EXPECT_EQ(back.details, f.details);
  ASSERT_EQ(back.evidence.size(), 1u);
  EXPECT_EQ(back.evidence[0].source, "logs/gateway.log");
  EXPECT_EQ(back.evidence[0].line_no, 12u);
  EXPECT_EQ(text.repaired(), 0u);
  // A severity from a newer server reads as a warning.
  wire.set_severity("catastrophic");
  EXPECT_EQ(FromProto(wire).severity, Severity::kWarning);
}

TEST(ConvertTest, ATimelineComesBackAsItWasSentWithInvalidBytesRepaired) {
  Timeline t;
  t.trace_id = "abc";
  t.services = {"gateway", "pay\xffments"};
  t.start_ns = 10;
  t.end_ns = 20;
  t.evicted_events = 1;
  TimelineEvent e;
  e.time_ns = 10;
  e.has_time = true;
  e.service = "gateway";
  e.level = Level::kWarn;
  e.message = "request \xc3";
  e.source = "logs/gateway.log";
  e.line_no = 3;
  e.source_offset = 120;
  e.kind = RecordKind::kUnstructured;
  e.raw = "WARN request \xc3";
  t.events.push_back(e);
  WireText text;
  v1::GetTimelineResponse wire;
  ToProto(t, /*with_raw=*/true, &wire, &text);
  EXPECT_TRUE(IsValidUtf8(wire.services(1)));
  EXPECT_TRUE(IsValidUtf8(wire.events(0).message()));
  EXPECT_EQ(wire.events(0).raw_bytes(), e.raw);  // the bytes as stored
  EXPECT_EQ(text.repaired(), 3u);
  const Timeline back = FromProto(wire);
  EXPECT_EQ(back.trace_id, "abc");
  EXPECT_EQ(back.services[1], "pay\xEF\xBF\xBDments");
  EXPECT_EQ(back.start_ns, 10);
  EXPECT_EQ(back.end_ns, 20);
  EXPECT_EQ(back.evicted_events, 1u);
  ASSERT_EQ(back.events.size(), 1u);
  EXPECT_EQ(back.events[0].level, Level::kWarn);
  EXPECT_EQ(back.events[0].kind, RecordKind::kUnstructured);
  EXPECT_EQ(back.events[0].line_no, 3u);
  EXPECT_EQ(back.events[0].source_offset, 120u);
  EXPECT_TRUE(back.events[0].has_time);
  // Without with_raw, no raw line travels.
  v1::GetTimelineResponse lean;
  ToProto(t, /*with_raw=*/false, &lean, &text);
  EXPECT_TRUE(lean.events(0).raw().empty());
  EXPECT_TRUE(lean.events(0).raw_bytes().empty());
}

TEST(ConvertTest, AnAttributedEntryComesBackWithItsCandidates) {
  AttributedEntry a;
  a.entry.id = "uns-1";
  a.entry.source = "logs/email.log";
  a.entry.service = "email";
  a.entry.line_no = 40;
  a.entry.line_count = 3;
  a.entry.time_ns = 5;
  a.entry.level = Level::kError;
  a.entry.text = "ERROR smtp\n  at send()";
  a.candidates.push_back(AttributionCandidate{
      .trace_id = "t1", .confidence = 0.75, .gap_ns = 7, .incomplete = true, .named = false});
  WireText text;
  v1::UnstructuredEntry wire;
  ToProto(a, &wire, &text);
  EXPECT_EQ(wire.trace_id(), "t1");
  const AttributedEntry back = FromProto(wire);
  EXPECT_EQ(back.entry.id, "uns-1");
  EXPECT_EQ(back.entry.line_count, 3u);
  EXPECT_EQ(back.entry.level, Level::kError);
  EXPECT_TRUE(back.entry.time_known);
  EXPECT_EQ(back.entry.first_line(), "ERROR smtp");
  ASSERT_EQ(back.candidates.size(), 1u);
  EXPECT_EQ(back.candidates[0].trace_id, "t1");
  EXPECT_DOUBLE_EQ(back.candidates[0].confidence, 0.75);
  EXPECT_EQ(back.candidates[0].gap_ns, 7);
  EXPECT_TRUE(back.candidates[0].incomplete);
}

TEST(ConvertTest, EveryLevelRoundTrips) {
  for (Level l : {Level::kTrace, Level::kDebug, Level::kInfo, Level::kWarn, Level::kError,
                  Level::kFatal, Level::kUnknown}) {
    EXPECT_EQ(FromProto(ToProto(l)), l) << LevelName(l);
  }
  EXPECT_EQ(ToProto(Level::kUnknown), v1::LEVEL_UNSPECIFIED);
}

TEST(ConvertTest, TheIngestCountersFillTheirStatsFields) {
  IngestStats s;
  s.lines = 7;
  s.bytes = 700;
  s.duplicate_lines = 2;
  s.watermark_ns = 99;
  s.max_time_ns = 100;
  s.plugin_dropped = 3;
  v1::Stats out;
  ToProto(s, &out);
  EXPECT_EQ(out.lines(), 7u);
  EXPECT_EQ(out.bytes(), 700u);
  EXPECT_EQ(out.duplicate_lines(), 2u);
  EXPECT_EQ(out.watermark_unix_nano(), 99);
  EXPECT_EQ(out.latest_event_unix_nano(), 100);
  EXPECT_EQ(out.plugin_dropped(), 3u);
}

}  // namespace
}  // namespace logweave
