// logweave timeline / search / unstructured / findings / stats: clients of a
// running `logweave serve`, over its gRPC API (logweave.v1.LogWeave).
//
//   logweave search --service payments --level error
//   logweave timeline 4bf92f3577b34da6a3ce929d0e0e4736
//   logweave findings --follow --json | jq 'select(.kind=="missing_service")'
//
// The server is --server HOST:PORT, else $LOGWEAVE_SERVER, else 127.0.0.1:7070.
// Each call has a deadline (--timeout, default 30s; `findings --follow` only
// for connecting). A failed call is reported with the server's message and
// the gRPC code. The output reuses the formatting of `logweave replay`
// (output.h): the wire types are converted back to the engine's types first,
// so a timeline or finding reads the same either way; all of it is valid UTF-8.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/stubs/logging.h"
#include "grpc/query_service.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "logweave/commands.h"
#include "logweave/flags.h"
#include "logweave/json_writer.h"
#include "logweave/output.h"
#include "logweave/time_parse.h"
#include "logweave/utf8.h"
#include "logweave/v1/logweave.grpc.pb.h"

namespace logweave::cli {
namespace {

constexpr char kDefaultServer[] = "127.0.0.1:7070";
constexpr char kServerEnv[] = "LOGWEAVE_SERVER";
constexpr absl::Duration kDefaultTimeout = absl::Seconds(30);
// findings without --follow: stop once the stream has been quiet this long.
constexpr absl::Duration kFindingsIdle = absl::Seconds(1);

constexpr char kServerHelp[] =
    "logweave serve's address (default $LOGWEAVE_SERVER or 127.0.0.1:7070)";
constexpr char kTimeoutHelp[] =
    "give up on the server after this long, e.g. 30s, 500ms, 2m (default 30s)";

// ---------------------------------------------------------------------------
// Flags and connection, shared by every command.

std::string DefaultServer() {
  const char* env = std::getenv(kServerEnv);
  return env != nullptr && *env != '\0' ? env : kDefaultServer;
}

// Writes one line to stderr, repaired to valid UTF-8 (it may quote log bytes).
void PrintError(const std::string& line) {
  const std::string text = ValidUtf8(line) + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

int Usage(const std::string& command, const std::string& message) {
  PrintError(absl::StrCat(command, ": ", message));
  return kExitUsage;
}

// Parses the flags of `flags.command()`. Returns -1 to go on, else the exit
// code to return at once (help printed: 0; bad flag: 2, message on stderr).
int ParseFlags(FlagSet& flags, const std::vector<std::string>& args,
               std::vector<std::string>* positional) {
  if (absl::Status s = flags.Parse(args, positional); !s.ok()) {
    return Usage(flags.command(), std::string(s.message()));
  }
  if (flags.help_requested()) {
    std::fputs(flags.Help().c_str(), stdout);
    return kExitOk;
  }
  return -1;
}

// --- answers this client cannot decode ---
//
// A message whose string field is not valid UTF-8 (from a server older than
// this client) fails to parse. gRPC says nothing about why: a unary call then
// reports UNIMPLEMENTED "No message returned for unary request", and a stream's
// Read returns false while the call stays open. Protobuf logs the reason as an
// ERROR; this handler keeps it (instead of printing it) for ReportRpcError.

absl::Mutex decode_mu;
std::string decode_error ABSL_GUARDED_BY(decode_mu);  // the first since the last Take

void OnProtobufLog(google::protobuf::LogLevel level, const char* filename, int line,
                   const std::string& message) {
  if (level == google::protobuf::LOGLEVEL_ERROR) {
    absl::MutexLock lock(&decode_mu);
    if (decode_error.empty()) {
      // "String field 'logweave.v1.Event.message' contains invalid UTF-8 data when parsing
      // a protocol buffer. Use the 'bytes' type if you intend to send raw bytes."
      std::string_view m = message;
      if (size_t advice = m.find(" Use the 'bytes' type"); advice != m.npos) {
        m = m.substr(0, advice);
      }
      while (!m.empty() && (m.back() == ' ' || m.back() == '.')) m.remove_suffix(1);
      decode_error = std::string(m);
    }
    return;
  }
  PrintError(absl::StrFormat("[libprotobuf %s %s:%d] %s",
                             level == google::protobuf::LOGLEVEL_WARNING ? "WARNING" : "INFO",
                             filename, line, message));
}

// The decode error logged since the last call ("" if none), and forgets it.
std::string TakeDecodeError() {
  absl::MutexLock lock(&decode_mu);
  return std::exchange(decode_error, std::string());
}

bool DecodeErrorPending() {
  absl::MutexLock lock(&decode_mu);
  return !decode_error.empty();
}

// A connection to one server for one command. Thread-compatible (the stub
// itself is thread-safe).
struct Client {
  std::string command;  // "logweave search", for messages
  std::string address;
  absl::Duration timeout = kDefaultTimeout;  // --timeout
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::LogWeave::Stub> stub;
};

// Checks --server and makes the channel (which connects lazily, on the first
// call). Returns -1 to go on, else the exit code (2: a malformed address).
int Connect(const std::string& command, const std::string& address, absl::Duration timeout,
            Client* client) {
  if (address.empty() || address.find(':') == std::string::npos) {
    return Usage(command, absl::StrCat("--server must be HOST:PORT, e.g. 127.0.0.1:7070 (got \"",
                                       address, "\")"));
  }
  google::protobuf::SetLogHandler(&OnProtobufLog);
  client->command = command;
  client->address = address;
  client->timeout = timeout;
  client->channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  client->stub = v1::LogWeave::NewStub(client->channel);
  return -1;
}

// The flags every query command has: --server and --timeout.
void ConnectionFlags(FlagSet& flags, std::string* server, absl::Duration* timeout) {
  flags.String("server", server, "HOST:PORT", kServerHelp);
  flags.Duration("timeout", timeout, "DURATION", kTimeoutHelp);
}

void SetDeadline(const Client& c, grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + c.timeout));
}

std::string Unreachable(const Client& c, const std::string& why) {
  return absl::StrCat(c.command, ": cannot reach logweave at ", c.address, ": ", why,
                      "; is `logweave serve` running? (set the address with --server HOST:PORT "
                      "or LOGWEAVE_SERVER)");
}

// An answer that arrived but could not be decoded; `why` is protobuf's reason, if any.
std::string Undecodable(const Client& c, const std::string& why) {
  return absl::StrCat(c.command, ": logweave at ", c.address,
                      " sent an answer this client cannot decode", why.empty() ? "" : ": ", why,
                      " (a logweave server older than this client sends log bytes that are not "
                      "UTF-8 unrepaired; upgrade the server)");
}

// "NOT_FOUND": the code's name as gRPC documents it.
std::string CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    default:
      break;
  }
  return absl::StrCat("code ", static_cast<int>(code));
}

// Reports a failed call on stderr: what the server said and the gRPC code;
// only a server that cannot be reached or does not serve logweave.v1 gets a
// hint about the address. Returns the exit code: 2 for arguments the server
// rejected (a bad page token, an inverted range), else 1.
int ReportRpcError(const Client& c, const grpc::Status& status) {
  const std::string code = CodeName(status.error_code());
  const std::string& message = status.error_message();
  if (std::string undecodable = TakeDecodeError(); !undecodable.empty()) {
    PrintError(Undecodable(c, undecodable));
    return kExitRuntimeError;
  }
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      PrintError(Unreachable(c, absl::StrCat(message, " (", code, ")")));
      return kExitRuntimeError;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      PrintError(absl::StrCat(c.command, ": logweave at ", c.address, " did not answer within ",
                              absl::FormatDuration(c.timeout), " (", code, ": ", message,
                              "); try again, or allow longer with --timeout"));
      return kExitRuntimeError;
    case grpc::StatusCode::INVALID_ARGUMENT:
      PrintError(
          absl::StrCat(c.command, ": the server rejected the request (", code, "): ", message));
      return kExitUsage;
    case grpc::StatusCode::UNIMPLEMENTED:
      PrintError(absl::StrCat(c.command, ": the server at ", c.address,
                              " does not serve logweave.v1 (", code, ": ", message,
                              "); is --server the address of `logweave serve`?"));
      return kExitRuntimeError;
    default:
      PrintError(
          absl::StrCat(c.command, ": logweave at ", c.address, " answered ", code, ": ", message));
      return kExitRuntimeError;
  }
}

// --since / --until: RFC 3339 or epoch seconds. INVALID_ARGUMENT naming the flag.
absl::Status ParseTimeFlag(const std::string& name, const std::string& text, int64_t* ns) {
  if (text.empty()) return absl::OkStatus();
  if (!ParseTimestamp(text, ns)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name,
                     " needs an RFC 3339 time like 2026-11-23T10:00:00Z or epoch seconds "
                     "like 1795428000 (got \"",
                     text, "\")"));
  }
  return absl::OkStatus();
}

// The [--since, --until] range; INVALID_ARGUMENT for a bad time or an inverted range.
absl::Status ParseRange(const std::string& since, const std::string& until, int64_t* start,
                        int64_t* end) {
  if (absl::Status s = ParseTimeFlag("since", since, start); !s.ok()) return s;
  if (absl::Status s = ParseTimeFlag("until", until, end); !s.ok()) return s;
  if (*start != 0 && *end != 0 && *start > *end) {
    return absl::InvalidArgumentError(
        absl::StrCat("--since ", since, " is after --until ", until, "; give since <= until"));
  }
  return absl::OkStatus();
}

// --limit: a page size the server accepts.
absl::Status CheckLimit(uint64_t limit) {
  if (limit == 0 || limit > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("--limit must be between 1 and 1000 (got ",
                                                   limit, "); use --page-token for more"));
  }
  return absl::OkStatus();
}

// Writes `text` to stdout, repaired to valid UTF-8 (the formatters repair log
// text already: this is the net under them, one check when nothing is wrong).
void Print(const std::string& text) {
  if (IsValidUtf8(text)) {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    const std::string repaired = ValidUtf8(text);
    std::fwrite(repaired.data(), 1, repaired.size(), stdout);
  }
  std::fflush(stdout);
}

// ---------------------------------------------------------------------------
// Wire types back to the engine's, for the formatters of output.h.

// LEVEL_* to Level, as the server converts them.
using ::logweave::FromProto;

// A severity this client does not know (from a newer server) reads as a warning.
Severity SeverityFromName(const std::string& name) {
  if (name == "info") return Severity::kInfo;
  if (name == "error") return Severity::kError;
  if (name == "critical") return Severity::kCritical;
  return Severity::kWarning;
}

Finding FromProto(const v1::Finding& f) {
  Finding out;
  out.id = f.id();
  out.kind = f.kind();
  out.severity = SeverityFromName(f.severity());
  out.resolved = f.resolved();
  out.trace_id = f.trace_id();
  out.subject = f.subject();
  out.time_ns = f.time_unix_nano();
  out.summary = f.summary();
  // The map has no order on the wire: sort by key for stable output.
  out.details.assign(f.details().begin(), f.details().end());
  std::sort(out.details.begin(), out.details.end());
  for (const v1::Evidence& e : f.evidence()) {
    out.evidence.push_back(EvidenceLine{.source = e.source(),
                                        .line_no = e.line(),
                                        .time_ns = e.time_unix_nano(),
                                        .text = e.text()});
  }
  return out;
}

AttributedEntry FromProto(const v1::UnstructuredEntry& e) {
  AttributedEntry out;
  UnstructuredEntry& u = out.entry;
  u.id = e.id();
  u.source = e.source();
  u.service = e.service();
  u.line_no = e.line();
  u.line_count = e.lines();
  u.time_ns = e.time_unix_nano();
  u.time_inferred = e.time_inferred();
  // The wire has no "time unknown": the server sends 0 for it.
  u.time_known = e.time_unix_nano() != 0;
  u.level = FromProto(e.level());
  u.text = e.text();
  u.first_line = e.text().substr(0, e.text().find('\n'));
  for (const v1::Candidate& c : e.candidates()) {
    out.candidates.push_back(AttributionCandidate{.trace_id = c.trace_id(),
                                                  .confidence = c.confidence(),
                                                  .gap_ns = c.gap_nanos(),
                                                  .incomplete = c.incomplete(),
                                                  .named = c.named()});
  }
  return out;
}

Timeline FromProto(const v1::GetTimelineResponse& r) {
  Timeline t;
  t.trace_id = r.trace_id();
  t.services.assign(r.services().begin(), r.services().end());
  t.start_ns = r.start_unix_nano();
  t.end_ns = r.end_unix_nano();
  t.evicted_events = r.evicted_events();
  for (const v1::Event& e : r.events()) {
    TimelineEvent& te = t.events.emplace_back();
    te.time_ns = e.time_unix_nano();
    te.has_time = !e.time_inferred();
    te.time_known = true;
    te.service = e.service();
    te.level = FromProto(e.level());
    te.message = e.message();
    te.source = e.source();
    te.line_no = e.line();
    te.source_offset = e.offset();
    te.kind = e.structured() ? RecordKind::kJson : RecordKind::kUnstructured;
    te.raw = e.raw();
  }
  return t;
}

// ---------------------------------------------------------------------------
// Table helpers (as in output.cc).

// `s` cut to `width` characters (never inside a UTF-8 sequence) and padded.
std::string Cell(std::string_view s, size_t width) {
  std::string out;
  AppendValidUtf8(s, &out);
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  size_t chars = 0;
  for (unsigned char c : out) chars += (c & 0xC0) != 0x80;
  if (chars > width) {
    size_t kept = 0, cut = 0;
    for (; cut < out.size(); ++cut) {
      if ((static_cast<unsigned char>(out[cut]) & 0xC0) != 0x80 && ++kept == width) break;
    }
    out.resize(cut);
    out += "…";
    chars = width;
  }
  if (chars < width) out.append(width - chars, ' ');
  return out;
}

std::string Duration(int64_t ns) {
  double ms = static_cast<double>(ns) / 1e6;
  if (ms < 1000) return absl::StrFormat("%.1fms", ms);
  if (ms < 60000) return absl::StrFormat("%.3fs", ms / 1000);
  int64_t s = ns / 1'000'000'000;
  if (s < 3600) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%dh%02dm", s / 3600, (s / 60) % 60);
}

std::string JoinStrings(const google::protobuf::RepeatedPtrField<std::string>& list) {
  std::string out;
  for (const std::string& s : list) absl::StrAppend(&out, out.empty() ? "" : ", ", s);
  return out;
}

// ---------------------------------------------------------------------------
// logweave timeline

constexpr char kTimelineDescription[] =
    "Prints one trace's events from every service, ordered by event time, as a\n"
    "running `logweave serve` has indexed them: time, offset from the first event,\n"
    "service, level, message and source:line; then the findings about the trace and\n"
    "the plain-text errors attributed to it.\n"
    "\n"
    "--json prints one object: the fields of `logweave replay --json`'s timeline\n"
    "(docs/output.md) plus \"findings\" and \"unstructured\" arrays.\n"
    "\n"
    "Log bytes that are not UTF-8 are shown with U+FFFD in place of each invalid\n"
    "sequence, --raw lines too (the API's Event.raw_bytes has them as stored). A\n"
    "trace id shown that way can be given as shown.\n"
    "\n"
    "Exit codes: 0 ok; 1 no events for the trace id, or the server could not be\n"
    "reached, answered an error (printed with its gRPC code) or did not answer\n"
    "within --timeout; 2 usage error.\n"
    "\n"
    "examples:\n"
    "  logweave timeline 4bf92f3577b34da6a3ce929d0e0e4736\n"
    "  logweave timeline 4bf92f3577b34da6a3ce929d0e0e4736 --raw --server logweave:7070\n";

}  // namespace

int RunTimeline(const std::vector<std::string>& args) {
  const std::string command = "logweave timeline";
  bool raw = false, json = false;
  std::string server = DefaultServer();
  absl::Duration timeout = kDefaultTimeout;
  FlagSet flags(command, "TRACE_ID [flags]", kTimelineDescription);
  flags.Bool("raw", &raw, "show each event's line as written");
  flags.Bool("json", &json, "print one JSON object");
  ConnectionFlags(flags, &server, &timeout);
  std::vector<std::string> positional;
  if (int code = ParseFlags(flags, args, &positional); code >= 0) return code;
  if (positional.size() != 1) {
    return Usage(command, positional.empty()
                              ? "no TRACE_ID given; find one with 'logweave search'"
                              : "give exactly one TRACE_ID; see 'logweave timeline --help'");
  }
  const std::string& trace_id = positional.front();
  if (trace_id.empty()) return Usage(command, "TRACE_ID is empty; find one with 'logweave search'");
  Client client;
  if (int code = Connect(command, server, timeout, &client); code >= 0) return code;

  v1::GetTimelineRequest request;
  // An id with invalid bytes is sent repaired; the server finds the trace by that form.
  request.set_trace_id(ValidUtf8(trace_id));
  request.set_include_raw(raw);
  v1::GetTimelineResponse response;
  grpc::ClientContext context;
  SetDeadline(client, &context);
  grpc::Status status = client.stub->GetTimeline(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    // The server's message, unless it only says the same.
    const std::string& said = status.error_message();
    PrintError(absl::StrCat(
        command, ": no events for trace id ", trace_id, " (", CodeName(status.error_code()),
        said.find("no events for trace id") == std::string::npos ? ": " + said : "", ")"));
    return kExitRuntimeError;
  }
  if (!status.ok()) return ReportRpcError(client, status);

  const Timeline timeline = FromProto(response);
  std::vector<Finding> findings;
  for (const v1::Finding& f : response.findings()) findings.push_back(FromProto(f));
  std::vector<AttributedEntry> unstructured;
  for (const v1::UnstructuredEntry& e : response.unstructured()) {
    unstructured.push_back(FromProto(e));
  }
  std::string out;
  if (json) {
    // The replay timeline object, extended: its closing brace gives way to two
    // arrays of objects formatted as replay formats them.
    std::string object = FormatTimelineJson(timeline, raw);
    object.pop_back();
    std::vector<std::string> parts;
    for (const Finding& f : findings) parts.push_back(FormatFindingJson(f));
    absl::StrAppend(&out, object, ",\"findings\":[", absl::StrJoin(parts, ","), "]");
    parts.clear();
    for (const AttributedEntry& e : unstructured) parts.push_back(FormatUnstructuredJson(e));
    absl::StrAppend(&out, ",\"unstructured\":[", absl::StrJoin(parts, ","), "]}\n");
  } else {
    out = FormatTimelineText(timeline, raw);
    if (findings.empty()) {
      absl::StrAppend(&out, "no findings about this trace\n");
    } else {
      absl::StrAppend(&out, "findings of this trace:\n");
      for (const Finding& f : findings) absl::StrAppend(&out, FormatFindingText(f, true));
    }
    if (!unstructured.empty()) {
      absl::StrAppend(&out,
                      "attributed to this trace: ", FormatUnstructuredText(unstructured, true));
    }
  }
  Print(out);
  return kExitOk;
}

// ---------------------------------------------------------------------------
// logweave search

namespace {

constexpr char kSearchDescription[] =
    "Lists the traces that match every given filter, newest (latest event) first:\n"
    "trace id, start time, duration, events, services, highest level and the kinds\n"
    "of the open findings about it.\n"
    "\n"
    "Times (--since, --until) are RFC 3339 (2026-11-23T10:00:00Z) or epoch seconds;\n"
    "a trace matches if it overlaps the range. Levels: trace, debug, info, warn,\n"
    "error, fatal (a trace matches if it has an event at that level or above).\n"
    "\n"
    "--json prints one {\"kind\":\"trace\",...} object per trace, then\n"
    "{\"kind\":\"page\",\"next_page_token\":...,\"matched\":N} (token \"\" on the last page).\n"
    "\n"
    "Exit codes: 0 ok (also when nothing matches); 1 the server could not be reached,\n"
    "answered an error or did not answer within --timeout; 2 usage error.\n"
    "\n"
    "examples:\n"
    "  logweave search --service payments --level error\n"
    "  logweave search --finding missing_service --since 2026-11-23T10:00:00Z\n"
    "  logweave search --text 'payment declined' --json | jq -r "
    "'select(.kind==\"trace\").trace_id'\n";

// --level: INVALID_ARGUMENT for an unknown name.
absl::Status ParseLevel(const std::string& text, v1::Level* level) {
  const std::string l = absl::AsciiStrToLower(text);
  if (l == "trace") {
    *level = v1::LEVEL_TRACE;
  } else if (l == "debug") {
    *level = v1::LEVEL_DEBUG;
  } else if (l == "info") {
    *level = v1::LEVEL_INFO;
  } else if (l == "warn" || l == "warning") {
    *level = v1::LEVEL_WARN;
  } else if (l == "error") {
    *level = v1::LEVEL_ERROR;
  } else if (l == "fatal") {
    *level = v1::LEVEL_FATAL;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "--level must be one of trace, debug, info, warn, error, fatal (got \"", text, "\")"));
  }
  return absl::OkStatus();
}

std::string TraceJson(const v1::TraceSummary& t) {
  JsonWriter w;
  w.StartObject();
  w.Field("kind", "trace");
  w.Field("trace_id", t.trace_id());
  w.Field("start", TimeString(t.start_unix_nano()));
  w.Field("start_ns", static_cast<int64_t>(t.start_unix_nano()));
  w.Field("end", TimeString(t.end_unix_nano()));
  w.Field("end_ns", static_cast<int64_t>(t.end_unix_nano()));
  w.Field("duration_ms", static_cast<double>(t.end_unix_nano() - t.start_unix_nano()) / 1e6);
  w.Field("events", static_cast<uint64_t>(t.events()));
  w.Key("services");
  w.StartArray();
  for (const std::string& s : t.services()) w.String(s);
  w.EndArray();
  w.Field("max_level", LevelName(FromProto(t.max_level())));
  w.Key("finding_kinds");
  w.StartArray();
  for (const std::string& k : t.finding_kinds()) w.String(k);
  w.EndArray();
  w.Field("route", t.route());
  w.EndObject();
  return w.str();
}

std::string SearchText(const v1::SearchTracesResponse& r, bool paged) {
  std::string out;
  if (r.traces().empty()) {
    return paged ? "no more matching traces\n" : "no matching traces\n";
  }
  size_t id_width = 8;
  for (const auto& t : r.traces()) id_width = std::max(id_width, t.trace_id().size());
  id_width = std::min<size_t>(id_width, 40);
  absl::StrAppend(&out, Cell("TRACE ID", id_width), "  ", Cell("START", 24), "  ",
                  Cell("DURATION", 9), "  ", Cell("EVENTS", 6), "  ", Cell("SERVICES", 32), "  ",
                  Cell("LEVEL", 5), "  FINDINGS\n");
  for (const v1::TraceSummary& t : r.traces()) {
    std::string row = absl::StrCat(
        Cell(t.trace_id(), id_width), "  ", Cell(TimeString(t.start_unix_nano()), 24), "  ",
        Cell(Duration(t.end_unix_nano() - t.start_unix_nano()), 9), "  ",
        absl::StrFormat("%6d", t.events()), "  ", Cell(JoinStrings(t.services()), 32), "  ",
        Cell(LevelName(FromProto(t.max_level())), 5), "  ", absl::StrJoin(t.finding_kinds(), ", "));
    absl::StripTrailingAsciiWhitespace(&row);
    absl::StrAppend(&out, row, "\n");
  }
  const uint64_t shown = static_cast<uint64_t>(r.traces_size());
  if (!r.next_page_token().empty()) {
    absl::StrAppend(&out, shown, " of ", r.matched(), " matching; next page: --page-token ",
                    r.next_page_token(), "\n");
  } else if (paged || shown < r.matched()) {
    absl::StrAppend(&out, shown, " of ", r.matched(), " matching (last page)\n");
  } else {
    absl::StrAppend(&out, shown, " matching trace", shown == 1 ? "" : "s", "\n");
  }
  return out;
}

}  // namespace

int RunSearch(const std::vector<std::string>& args) {
  const std::string command = "logweave search";
  std::string service, level, since, until, text, finding, page_token;
  std::string server = DefaultServer();
  absl::Duration timeout = kDefaultTimeout;
  bool has_unstructured = false, json = false;
  uint64_t limit = 50;
  FlagSet flags(command, "[flags]", kSearchDescription);
  flags.String("service", &service, "NAME", "has an event of this service");
  flags.String("level", &level, "LEVEL", "has an event at this level or above (e.g. error)");
  flags.String("since", &since, "TIME", "has events at or after this time");
  flags.String("until", &until, "TIME", "has events at or before this time");
  flags.String("text", &text, "TEXT", "an event's message contains this (case-sensitive)");
  flags.String("finding", &finding, "KIND",
               "has an open finding of this kind, e.g. missing_service");
  flags.Bool("has-unstructured", &has_unstructured, "a plain-text error is attributed to it");
  flags.Uint("limit", &limit, "N", "traces per page, 1-1000 (default 50)");
  flags.String("page-token", &page_token, "TOKEN", "the next page, as the previous one printed");
  flags.Bool("json", &json, "print JSON Lines");
  ConnectionFlags(flags, &server, &timeout);
  std::vector<std::string> positional;
  if (int code = ParseFlags(flags, args, &positional); code >= 0) return code;
  if (!positional.empty()) {
    return Usage(command, absl::StrCat("unexpected argument \"", positional.front(),
                                       "\"; filters are flags, e.g. --service ", positional.front(),
                                       " or --text ", positional.front()));
  }
  v1::SearchTracesRequest request;
  int64_t start = 0, end = 0;
  if (absl::Status s = ParseRange(since, until, &start, &end); !s.ok()) {
    return Usage(command, std::string(s.message()));
  }
  if (absl::Status s = CheckLimit(limit); !s.ok()) return Usage(command, std::string(s.message()));
  if (!level.empty()) {
    v1::Level l = v1::LEVEL_UNSPECIFIED;
    if (absl::Status s = ParseLevel(level, &l); !s.ok()) {
      return Usage(command, std::string(s.message()));
    }
    request.set_min_level(l);
  }
  Client client;
  if (int code = Connect(command, server, timeout, &client); code >= 0) return code;

  // Proto strings must be valid UTF-8: arguments are sent repaired.
  request.set_service(ValidUtf8(service));
  request.set_start_unix_nano(start);
  request.set_end_unix_nano(end);
  request.set_text(ValidUtf8(text));
  request.set_finding_kind(ValidUtf8(finding));
  request.set_has_unstructured_error(has_unstructured);
  request.set_page_size(static_cast<uint32_t>(limit));
  request.set_page_token(ValidUtf8(page_token));
  v1::SearchTracesResponse response;
  grpc::ClientContext context;
  SetDeadline(client, &context);
  if (grpc::Status status = client.stub->SearchTraces(&context, request, &response); !status.ok()) {
    return ReportRpcError(client, status);
  }
  std::string out;
  if (json) {
    for (const v1::TraceSummary& t : response.traces()) absl::StrAppend(&out, TraceJson(t), "\n");
    JsonWriter w;
    w.StartObject();
    w.Field("kind", "page");
    w.Field("next_page_token", response.next_page_token());
    w.Field("matched", static_cast<uint64_t>(response.matched()));
    w.Field("returned", static_cast<uint64_t>(response.traces_size()));
    w.EndObject();
    absl::StrAppend(&out, w.str(), "\n");
  } else {
    out = SearchText(response, !page_token.empty());
  }
  Print(out);
  return kExitOk;
}

// ---------------------------------------------------------------------------
// logweave unstructured

namespace {

constexpr char kUnstructuredDescription[] =
    "Lists the plain-text error blocks (lines that are not JSON and look like an\n"
    "error, with their stack frames joined) that a running `logweave serve` has\n"
    "seen, oldest first, each with the trace it is attributed to and its confidence,\n"
    "as `logweave replay --unstructured` does.\n"
    "\n"
    "Times (--since, --until) are RFC 3339 (2026-11-23T10:00:00Z) or epoch seconds.\n"
    "--json prints one {\"kind\":\"unstructured_entry\",...} object per entry\n"
    "(docs/output.md); when more entries remain, the --page-token for them goes to\n"
    "stderr.\n"
    "\n"
    "Exit codes: 0 ok; 1 the server could not be reached, answered an error or did\n"
    "not answer within --timeout; 2 usage error.\n"
    "\n"
    "examples:\n"
    "  logweave unstructured --service email\n"
    "  logweave unstructured --unattributed --json\n";

}  // namespace

int RunUnstructured(const std::vector<std::string>& args) {
  const std::string command = "logweave unstructured";
  std::string service, since, until, page_token;
  std::string server = DefaultServer();
  absl::Duration timeout = kDefaultTimeout;
  bool unattributed = false, json = false;
  uint64_t limit = 50;
  FlagSet flags(command, "[flags]", kUnstructuredDescription);
  flags.String("service", &service, "NAME", "only errors of this service");
  flags.String("since", &since, "TIME", "only errors at or after this time");
  flags.String("until", &until, "TIME", "only errors at or before this time");
  flags.Bool("unattributed", &unattributed, "only errors no trace could be attributed");
  flags.Uint("limit", &limit, "N", "entries per page, 1-1000 (default 50)");
  flags.String("page-token", &page_token, "TOKEN", "the next page, as the previous one printed");
  flags.Bool("json", &json, "print JSON Lines");
  ConnectionFlags(flags, &server, &timeout);
  std::vector<std::string> positional;
  if (int code = ParseFlags(flags, args, &positional); code >= 0) return code;
  if (!positional.empty()) {
    return Usage(command, absl::StrCat("unexpected argument \"", positional.front(),
                                       "\"; see 'logweave unstructured --help'"));
  }
  int64_t start = 0, end = 0;
  if (absl::Status s = ParseRange(since, until, &start, &end); !s.ok()) {
    return Usage(command, std::string(s.message()));
  }
  if (absl::Status s = CheckLimit(limit); !s.ok()) return Usage(command, std::string(s.message()));
  Client client;
  if (int code = Connect(command, server, timeout, &client); code >= 0) return code;

  v1::ListUnstructuredRequest request;
  request.set_service(ValidUtf8(service));
  request.set_start_unix_nano(start);
  request.set_end_unix_nano(end);
  request.set_unattributed_only(unattributed);
  request.set_page_size(static_cast<uint32_t>(limit));
  request.set_page_token(ValidUtf8(page_token));
  v1::ListUnstructuredResponse response;
  grpc::ClientContext context;
  SetDeadline(client, &context);
  if (grpc::Status status = client.stub->ListUnstructured(&context, request, &response);
      !status.ok()) {
    return ReportRpcError(client, status);
  }
  std::vector<AttributedEntry> entries;
  for (const v1::UnstructuredEntry& e : response.entries()) entries.push_back(FromProto(e));
  std::string out;
  if (json) {
    for (const AttributedEntry& e : entries) absl::StrAppend(&out, FormatUnstructuredJson(e), "\n");
  } else {
    out = FormatUnstructuredText(entries, true);
    if (!response.next_page_token().empty()) {
      absl::StrAppend(&out, "more: --page-token ", response.next_page_token(), "\n");
    }
  }
  Print(out);
  if (json && !response.next_page_token().empty()) {
    std::fprintf(stderr, "%s: more entries: --page-token %s\n", command.c_str(),
                 response.next_page_token().c_str());
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------
// logweave findings

namespace {

constexpr char kFindingsDescription[] =
    "Prints the findings of a running `logweave serve`: services missing from\n"
    "traces, sequences left incomplete, plain-text errors, and what plugins report.\n"
    "\n"
    "Without --follow: the findings produced so far (whose event time is at or after\n"
    "--since; default: all), then stops once the server has sent nothing for 1 s.\n"
    "With --follow: keeps printing new findings and resolved updates (a finding that\n"
    "later data disproved, marked \"(resolved)\") until Ctrl-C; --since now skips the\n"
    "ones produced before.\n"
    "\n"
    "--json prints one object per finding, as `logweave replay --json` does:\n"
    "\"kind\" is the finding kind, \"status\" open or resolved (docs/output.md).\n"
    "\n"
    "Without --follow, --timeout bounds the whole listing; with it, only connecting.\n"
    "\n"
    "Exit codes: 0 ok (also after Ctrl-C or SIGTERM); 1 the server could not be\n"
    "reached, answered an error, or closed the stream (--follow); 2 usage error.\n"
    "\n"
    "examples:\n"
    "  logweave findings\n"
    "  logweave findings --kind missing_service --kind incomplete_sequence --follow\n"
    "  logweave findings --since now --follow --json | jq -c 'select(.status==\"open\")'\n";

// Set by SIGINT / SIGTERM during `findings`; read by the stream's watchdog.
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "used in a signal handler");

void OnInterrupt(int) { interrupted.store(true); }

// Cancels a StreamFindings call when it should end: SIGINT or SIGTERM (and
// exits 130 if the call is not over kInterruptGrace later), no connection
// within `connect_timeout`, (unless following) the stream quiet for
// kFindingsIdle after connecting, or a message that could not be decoded.
// Thread-safe: the reading thread calls Activity() and ReadEnded(); the
// watchdog runs on its own thread until Stop(), which comes after Finish():
// a signal ends a call stuck anywhere, Finish included.
class StreamWatchdog {
 public:
  enum class Reason { kNone, kInterrupted, kNoConnection, kIdle, kUndecodable };

  StreamWatchdog(grpc::ClientContext* context, grpc::Channel* channel, bool follow,
                 absl::Duration connect_timeout)
      : context_(context),
        channel_(channel),
        follow_(follow),
        connect_timeout_(connect_timeout),
        started_(absl::Now()) {
    thread_ = std::thread([this] { Run(); });
  }
  ~StreamWatchdog() { Stop(); }

  // A message arrived: the connection works and the stream is not idle.
  void Activity() {
    absl::MutexLock lock(&mu_);
    connected_ = true;
    last_activity_ = absl::Now();
  }
  // Read returned false. At the end of the stream, or when the call failed,
  // Finish returns at once. When a message could not be decoded the call
  // stays open (the server goes on streaming) and Finish would wait for ever:
  // cancel it, at once if protobuf said why, else after kFinishGrace.
  void ReadEnded() {
    absl::MutexLock lock(&mu_);
    read_ended_ = true;
    read_ended_at_ = absl::Now();
    if (reason_ == Reason::kNone && DecodeErrorPending()) {
      Cancel(Reason::kUndecodable, read_ended_at_);
    }
  }
  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }
  // Why the watchdog cancelled the call (kNone: it did not). Call after Stop().
  Reason reason() {
    absl::MutexLock lock(&mu_);
    return reason_;
  }

 private:
  void Run() {
    absl::MutexLock lock(&mu_);
    while (!done_) {
      mu_.AwaitWithTimeout(absl::Condition(&done_), absl::Milliseconds(50));
      if (done_) break;
      const absl::Time now = absl::Now();
      if (reason_ == Reason::kInterrupted) {
        // The reading thread may be stuck writing to a full pipe, which cancelling
        // does not end: leave anyway, as an interrupted command would.
        if (now - cancelled_at_ >= kInterruptGrace) std::_Exit(130);
      } else if (reason_ != Reason::kNone) {
        continue;  // cancelled; Read or Finish returns soon
      } else if (interrupted.load()) {
        Cancel(Reason::kInterrupted, now);
      } else if (read_ended_) {
        if (now - read_ended_at_ >= kFinishGrace) Cancel(Reason::kUndecodable, now);
      } else if (!connected_) {
        if (channel_->GetState(false) == GRPC_CHANNEL_READY) {
          connected_ = true;
          last_activity_ = now;
        } else if (now - started_ >= connect_timeout_) {
          Cancel(Reason::kNoConnection, now);
        }
      } else if (!follow_ && now - last_activity_ >= kFindingsIdle) {
        Cancel(Reason::kIdle, now);
      }
    }
  }
  void Cancel(Reason reason, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    reason_ = reason;
    cancelled_at_ = now;
    context_->TryCancel();
  }

  static constexpr absl::Duration kInterruptGrace = absl::Seconds(2);
  static constexpr absl::Duration kFinishGrace = absl::Seconds(1);
  grpc::ClientContext* const context_;
  grpc::Channel* const channel_;
  const bool follow_;
  const absl::Duration connect_timeout_;
  const absl::Time started_;
  absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time last_activity_ ABSL_GUARDED_BY(mu_);
  bool read_ended_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time read_ended_at_ ABSL_GUARDED_BY(mu_);
  Reason reason_ ABSL_GUARDED_BY(mu_) = Reason::kNone;
  absl::Time cancelled_at_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace

int RunFindings(const std::vector<std::string>& args) {
  const std::string command = "logweave findings";
  std::vector<std::string> kinds;
  std::string since;
  std::string server = DefaultServer();
  absl::Duration timeout = kDefaultTimeout;
  bool follow = false, json = false;
  FlagSet flags(command, "[flags]", kFindingsDescription);
  flags.StringList("kind", &kinds, "KIND",
                   "only findings of this kind (repeatable; e.g. missing_service)");
  flags.String("since", &since, "TIME",
               "only findings at or after this event time (RFC 3339, epoch seconds, or now: "
               "only new ones); default: all");
  flags.Bool("follow", &follow, "keep printing new findings until Ctrl-C");
  flags.Bool("json", &json, "print JSON Lines");
  ConnectionFlags(flags, &server, &timeout);
  std::vector<std::string> positional;
  if (int code = ParseFlags(flags, args, &positional); code >= 0) return code;
  if (!positional.empty()) {
    return Usage(command, absl::StrCat("unexpected argument \"", positional.front(),
                                       "\"; to select a kind use --kind ", positional.front()));
  }
  // 0 asks the server for new findings only; 1 ns is "since the beginning".
  int64_t since_ns = 1;
  if (since == "now") {
    since_ns = 0;
  } else if (!since.empty()) {
    if (absl::Status s = ParseTimeFlag("since", since, &since_ns); !s.ok()) {
      return Usage(command, absl::StrCat(s.message(), "; or now for new findings only"));
    }
    since_ns = std::max<int64_t>(since_ns, 1);
  }
  Client client;
  if (int code = Connect(command, server, timeout, &client); code >= 0) return code;

  v1::StreamFindingsRequest request;
  request.set_since_unix_nano(since_ns);
  for (const std::string& k : kinds) request.add_kinds(ValidUtf8(k));

  struct sigaction action = {};
  action.sa_handler = OnInterrupt;
  action.sa_flags = 0;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int, old_term;
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);

  grpc::ClientContext context;
  // Without --follow the listing as a whole has the deadline; with it, only
  // connecting (the watchdog), then the stream lasts until interrupted.
  if (!follow) SetDeadline(client, &context);
  uint64_t open = 0, resolved = 0;
  grpc::Status status;
  StreamWatchdog::Reason reason;
  {
    // First the watchdog: starting the call blocks until the request is sent,
    // that is until a connection is made or has failed.
    StreamWatchdog watchdog(&context, client.channel.get(), follow, client.timeout);
    std::unique_ptr<grpc::ClientReader<v1::Finding>> reader =
        client.stub->StreamFindings(&context, request);
    v1::Finding wire;
    while (reader->Read(&wire)) {
      watchdog.Activity();
      const Finding f = FromProto(wire);
      ++(f.resolved ? resolved : open);
      Print(json ? FormatFindingJson(f) + "\n" : FormatFindingText(f, true));
    }
    watchdog.ReadEnded();
    status = reader->Finish();
    watchdog.Stop();
    reason = watchdog.reason();
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);

  if (reason == StreamWatchdog::Reason::kNoConnection) {
    PrintError(Unreachable(
        client, absl::StrCat("no connection within ", absl::FormatDuration(client.timeout))));
    return kExitRuntimeError;
  }
  if (reason == StreamWatchdog::Reason::kUndecodable) {
    PrintError(Undecodable(client, TakeDecodeError()));
    return kExitRuntimeError;
  }
  // A call the watchdog ended reports CANCELLED; any other error is the server's.
  const bool ended_by_us = reason != StreamWatchdog::Reason::kNone;
  if (!status.ok() && !(ended_by_us && status.error_code() == grpc::StatusCode::CANCELLED)) {
    return ReportRpcError(client, status);
  }
  if (follow && !ended_by_us) {
    PrintError(absl::StrCat(command, ": logweave at ", client.address,
                            " closed the stream (is it shutting down?)"));
    return kExitRuntimeError;
  }
  if (!json && !follow) {
    if (open + resolved == 0) {
      Print("no findings\n");
    } else {
      Print(absl::StrCat(open, " finding", open == 1 ? "" : "s",
                         resolved > 0 ? absl::StrCat(", ", resolved, " resolved") : "",
                         "; --follow to keep watching\n"));
    }
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------
// logweave stats

namespace {

constexpr char kStatsDescription[] =
    "Prints the counters of a running `logweave serve`: lines and bytes ingested,\n"
    "how they were classified, traces, index memory, queue depth, the latest event\n"
    "time and the lag behind the wall clock, the detectors' progress and the open\n"
    "findings by kind, and whether the initial replay is indexed (ready).\n"
    "\n"
    "--json prints one {\"kind\":\"stats\",...} object with the fields of\n"
    "logweave.v1.Stats (proto/logweave/v1/logweave.proto).\n"
    "\n"
    "Exit codes: 0 ok; 1 the server could not be reached, answered an error or did\n"
    "not answer within --timeout; 2 usage error.\n"
    "\n"
    "examples:\n"
    "  logweave stats\n"
    "  logweave stats --json | jq .lag_seconds\n";

std::string StatsJson(const v1::Stats& s, const std::string& address) {
  JsonWriter w;
  w.StartObject();
  w.Field("kind", "stats");
  w.Field("server", address);
  w.Field("ready", s.ready());
  w.Field("lines", static_cast<uint64_t>(s.lines()));
  w.Field("bytes", static_cast<uint64_t>(s.bytes()));
  w.Field("json_lines", static_cast<uint64_t>(s.json_lines()));
  w.Field("unstructured_lines", static_cast<uint64_t>(s.unstructured_lines()));
  w.Field("empty_lines", static_cast<uint64_t>(s.empty_lines()));
  w.Field("no_trace_id_lines", static_cast<uint64_t>(s.no_trace_id_lines()));
  w.Field("duplicate_lines", static_cast<uint64_t>(s.duplicate_lines()));
  w.Field("bad_time_lines", static_cast<uint64_t>(s.bad_time_lines()));
  w.Field("no_time_lines", static_cast<uint64_t>(s.no_time_lines()));
  w.Field("invalid_utf8_lines", static_cast<uint64_t>(s.invalid_utf8_lines()));
  w.Field("utf8_repaired_strings", static_cast<uint64_t>(s.utf8_repaired_strings()));
  w.Field("truncated_lines", static_cast<uint64_t>(s.truncated_lines()));
  w.Field("indexed_events", static_cast<uint64_t>(s.indexed_events()));
  w.Field("traces", static_cast<uint64_t>(s.traces()));
  w.Field("index_bytes", static_cast<uint64_t>(s.index_bytes()));
  w.Field("queued_bytes", static_cast<uint64_t>(s.queued_bytes()));
  w.Field("batches", static_cast<uint64_t>(s.batches()));
  w.Field("evicted_events", static_cast<uint64_t>(s.evicted_events()));
  w.Field("evicted_traces", static_cast<uint64_t>(s.evicted_traces()));
  w.Field("watermark",
          s.watermark_unix_nano() == 0 ? std::string() : TimeString(s.watermark_unix_nano()));
  w.Field("watermark_unix_nano", static_cast<int64_t>(s.watermark_unix_nano()));
  w.Field("latest_event",
          s.latest_event_unix_nano() == 0 ? std::string() : TimeString(s.latest_event_unix_nano()));
  w.Field("latest_event_unix_nano", static_cast<int64_t>(s.latest_event_unix_nano()));
  w.Field("lag_seconds", s.lag_seconds());
  w.Field("unstructured_errors", static_cast<uint64_t>(s.unstructured_errors()));
  w.Field("unstructured_dropped", static_cast<uint64_t>(s.unstructured_dropped()));
  w.Field("plugin_dropped", static_cast<uint64_t>(s.plugin_dropped()));
  w.Field("traces_judged", static_cast<uint64_t>(s.traces_judged()));
  w.Field("traces_waiting", static_cast<uint64_t>(s.traces_waiting()));
  w.Field("late_events", static_cast<uint64_t>(s.late_events()));
  w.Key("findings");
  w.StartObject();
  for (const auto& [kind, n] :
       std::map<std::string, uint64_t>(s.findings().begin(), s.findings().end())) {
    w.Field(kind, n);
  }
  w.EndObject();
  w.Field("uptime_seconds", s.uptime_seconds());
  w.Field("lines_per_second", s.lines_per_second());
  w.Key("sources");
  w.StartArray();
  for (const v1::SourceStats& src : s.sources()) {
    w.StartObject();
    w.Field("name", src.name());
    w.Field("service", src.service());
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.str();
}

std::string StatsText(const v1::Stats& s, const std::string& address) {
  std::string out =
      absl::StrCat("logweave at ", address, ": ",
                   s.ready() ? "ready" : "not ready (the initial replay is still being indexed)",
                   ", up ", Duration(static_cast<int64_t>(s.uptime_seconds() * 1e9)), "\n");
  auto row = [&out](std::string_view name, const std::string& value, const std::string& note = "") {
    absl::StrAppend(&out, "  ", Cell(name, 26), " ", absl::StrFormat("%15s", value),
                    note.empty() ? "" : "   ", note, "\n");
  };
  auto count = [&row](std::string_view name, uint64_t n, const std::string& note = "") {
    row(name, Thousands(n), note);
  };
  count("lines", s.lines());
  count("bytes", s.bytes(), HumanBytes(static_cast<double>(s.bytes())));
  count("json lines", s.json_lines());
  count("non-json lines", s.unstructured_lines(), "plain text, arrays, truncated JSON (kept)");
  count("empty lines", s.empty_lines(), "counted, not indexed");
  count("traces", s.traces());
  count("events indexed", s.indexed_events());
  count("lines without trace id", s.no_trace_id_lines(), "JSON, kept outside traces");
  count("duplicates", s.duplicate_lines(), "exact repeats, kept once");
  count("unparseable times", s.bad_time_lines(), "placed by file order");
  count("lines without time", s.no_time_lines());
  count("invalid utf-8 lines", s.invalid_utf8_lines(), "kept byte for byte");
  count("utf-8 repaired strings", s.utf8_repaired_strings(),
        "answers' text sent with U+FFFD for invalid bytes");
  count("truncated lines", s.truncated_lines(), "longer than max_line_bytes; head kept");
  count("index memory", s.index_bytes(), HumanBytes(static_cast<double>(s.index_bytes())));
  count("evicted events", s.evicted_events(), "oldest first, to stay within index.max_bytes");
  count("evicted traces", s.evicted_traces(), "records of traces with no event left");
  count("queued bytes", s.queued_bytes(), "submitted, not yet indexed");
  count("batches", s.batches());
  row("latest event", s.latest_event_unix_nano() == 0 ? "-" : "",
      s.latest_event_unix_nano() == 0 ? "no events yet" : TimeString(s.latest_event_unix_nano()));
  row("watermark", s.watermark_unix_nano() == 0 ? "-" : "",
      s.watermark_unix_nano() == 0 ? "no events yet"
                                   : absl::StrCat(TimeString(s.watermark_unix_nano()),
                                                  "   the slowest source still sending"));
  row("lag",
      s.lag_seconds() < 60 ? absl::StrFormat("%.1f s", s.lag_seconds())
                           : Duration(static_cast<int64_t>(s.lag_seconds() * 1e9)),
      "wall clock minus watermark");
  row("throughput", absl::StrFormat("%.0f", s.lines_per_second()), "lines/s since start");
  count("plain-text errors", s.unstructured_errors());
  count("plain-text errors dropped", s.unstructured_dropped(), "beyond the collector's limit");
  count("plugin inputs dropped", s.plugin_dropped(), "beyond a rule plugin's limit");
  count("traces judged", s.traces_judged());
  count("traces waiting", s.traces_waiting(), "inside trace_idle of the latest event");
  count("late events", s.late_events(), "arrived for traces already judged");
  const std::map<std::string, uint64_t> findings(s.findings().begin(), s.findings().end());
  uint64_t total = 0;
  for (const auto& [kind, n] : findings) total += n;
  count("open findings", total);
  for (const auto& [kind, n] : findings) count(absl::StrCat("  ", kind), n);
  if (!s.sources().empty()) {
    absl::StrAppend(&out, "sources (", s.sources_size(), "):\n");
    size_t width = 0;
    for (const v1::SourceStats& src : s.sources()) width = std::max(width, src.name().size());
    for (const v1::SourceStats& src : s.sources()) {
      std::string row = absl::StrCat("  ", Cell(src.name(), std::min<size_t>(width, 60)), "  ",
                                     src.service().empty() ? "" : "-> ", src.service());
      absl::StripTrailingAsciiWhitespace(&row);
      absl::StrAppend(&out, row, "\n");
    }
  }
  return out;
}

}  // namespace

int RunStats(const std::vector<std::string>& args) {
  const std::string command = "logweave stats";
  bool json = false;
  std::string server = DefaultServer();
  absl::Duration timeout = kDefaultTimeout;
  FlagSet flags(command, "[flags]", kStatsDescription);
  flags.Bool("json", &json, "print one JSON object");
  ConnectionFlags(flags, &server, &timeout);
  std::vector<std::string> positional;
  if (int code = ParseFlags(flags, args, &positional); code >= 0) return code;
  if (!positional.empty()) {
    return Usage(command, absl::StrCat("unexpected argument \"", positional.front(),
                                       "\"; see 'logweave stats --help'"));
  }
  Client client;
  if (int code = Connect(command, server, timeout, &client); code >= 0) return code;
  v1::Stats stats;
  grpc::ClientContext context;
  SetDeadline(client, &context);
  if (grpc::Status status = client.stub->GetStats(&context, v1::GetStatsRequest(), &stats);
      !status.ok()) {
    return ReportRpcError(client, status);
  }
  Print(json ? StatsJson(stats, client.address) + "\n" : StatsText(stats, client.address));
  return kExitOk;
}

}  // namespace logweave::cli
