#include "tools/logweave/client.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "connectors/grpc/status_codes.h"
#include "google/protobuf/stubs/logging.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "logweave/timestamp.h"
#include "logweave/utf8.h"
#include "tools/logweave/commands.h"
#include "tools/logweave/json_writer.h"
#include "tools/logweave/output.h"

namespace logweave::cli {
namespace {

constexpr char kDefaultServer[] = "127.0.0.1:7070";
constexpr char kServerEnv[] = "LOGWEAVE_SERVER";

constexpr char kServerHelp[] =
    "logweave serve's address (default $LOGWEAVE_SERVER or 127.0.0.1:7070)";
constexpr char kTimeoutHelp[] =
    "give up on the server after this long, e.g. 30s, 500ms, 2m (default 30s)";

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

std::string UnreachableAt(const std::string& command, const std::string& address,
                          const std::string& why) {
  return absl::StrCat(command, ": cannot reach logweave at ", address, ": ", why,
                      "; is `logweave serve` running? (set the address with --server HOST:PORT "
                      "or LOGWEAVE_SERVER)");
}

}  // namespace

// The decode error logged since the last call ("" if none), and forgets it.
std::string TakeDecodeError() {
  absl::MutexLock lock(&decode_mu);
  return std::exchange(decode_error, std::string());
}

bool DecodeErrorPending() {
  absl::MutexLock lock(&decode_mu);
  return !decode_error.empty();
}

// Flags and connection, shared by every command.

std::string DefaultServer() {
  const char* env = std::getenv(kServerEnv);
  return env != nullptr && *env != '\0' ? env : kDefaultServer;
}

// Writes one line to stderr, repaired to valid UTF-8 (it may quote log bytes).
void PrintError(const std::string& line) {
  const std::string text = Printable(line) + "\n";
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
  return flags.ParseCommand(args, positional, [&](const absl::Status& s) {
    return Usage(flags.command(), std::string(s.message()));
  });
}
// Checks --server and makes the channel (which connects lazily, on the first
// call). Returns -1 to go on, else the exit code (2: a malformed address).
int Connect(const std::string& command, const Connection& connection, Client* client) {
  const std::string& address = connection.server;
  if (address.empty() || address.find(':') == std::string::npos) {
    return Usage(command, absl::StrCat("--server must be HOST:PORT, e.g. 127.0.0.1:7070 (got \"",
                                       address, "\")"));
  }
  absl::StatusOr<ClientCredentials> credentials = ResolveClientCredentials(connection.security);
  if (!credentials.ok()) return Usage(command, std::string(credentials.status().message()));
  google::protobuf::SetLogHandler(&OnProtobufLog);
  client->command = command;
  client->address = address;
  client->timeout = connection.timeout;
  client->authorization = credentials->authorization;
  client->channel = grpc::CreateChannel(address, credentials->channel);
  client->stub = v1::LogWeave::NewStub(client->channel);
  return -1;
}

// The flags every query command has: --server and --timeout.
void ConnectionFlags(FlagSet& flags, Connection* connection) {
  flags.String("server", &connection->server, "HOST:PORT", kServerHelp);
  flags.Duration("timeout", &connection->timeout, "DURATION", kTimeoutHelp);
  ClientSecurityFlags(flags, &connection->security);
}

int ParseQueryFlags(FlagSet& flags, const std::vector<std::string>& args, Connection* connection,
                    const std::function<std::string(const std::string& arg)>& hint) {
  ConnectionFlags(flags, connection);
  std::vector<std::string> positional;
  if (int code = ParseFlags(flags, args, &positional); code >= 0) return code;
  if (!positional.empty()) {
    return Usage(flags.command(),
                 absl::StrCat("unexpected argument \"", positional.front(), "\"; ",
                              hint ? hint(positional.front())
                                   : absl::StrCat("see '", flags.command(), " --help'")));
  }
  return -1;
}

void PrepareCall(const Client& c, grpc::ClientContext* context, bool with_deadline) {
  if (!c.authorization.empty()) context->AddMetadata("authorization", c.authorization);
  if (with_deadline) context->set_deadline(absl::ToChronoTime(absl::Now() + c.timeout));
}

std::string Unreachable(const Client& c, const std::string& why) {
  return UnreachableAt(c.command, c.address, why);
}

// An answer that arrived but could not be decoded; `why` is protobuf's reason, if any.
std::string Undecodable(const Client& c, const std::string& why) {
  return absl::StrCat(c.command, ": logweave at ", c.address,
                      " sent an answer this client cannot decode", why.empty() ? "" : ": ", why,
                      " (a logweave server older than this client sends log bytes that are not "
                      "UTF-8 unrepaired; upgrade the server)");
}

RpcErrorReport DescribeRpcError(const std::string& command, const std::string& address,
                                absl::Duration timeout, const grpc::Status& status) {
  const std::string code = GrpcCodeName(status.error_code());
  const std::string& message = status.error_message();
  const std::string at = absl::StrCat(command, ": logweave at ", address);
  // "COMMAND: logweave at ADDRESS answered CODE: message; hint"
  auto answered = [&](const char* hint) {
    return absl::StrCat(at, " answered ", code, ": ", message, "; ", hint);
  };
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return {UnreachableAt(command, address, absl::StrCat(message, " (", code, ")")),
              kExitRuntimeError};
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return {absl::StrCat(at, " did not answer within ", absl::FormatDuration(timeout), " (", code,
                           ": ", message, "); try again, or allow longer with --timeout"),
              kExitRuntimeError};
    case grpc::StatusCode::INVALID_ARGUMENT:
      return {absl::StrCat(command, ": the server rejected the request (", code, "): ", message),
              kExitUsage};
    case grpc::StatusCode::UNIMPLEMENTED:
      return {absl::StrCat(command, ": the server at ", address, " does not serve logweave.v1 (",
                           code, ": ", message, "); is --server the address of `logweave serve`?"),
              kExitRuntimeError};
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return {answered("try again later, or ask for less (narrower filters, --limit)"),
              kExitRuntimeError};
    case grpc::StatusCode::UNAUTHENTICATED:
      return {answered("the server wants credentials this client did not give"), kExitRuntimeError};
    case grpc::StatusCode::PERMISSION_DENIED:
      return {answered("this client is not allowed to make the request"), kExitRuntimeError};
    case grpc::StatusCode::INTERNAL:
      return {answered("a bug in the server: its log says more"), kExitRuntimeError};
    default:
      return {absl::StrCat(at, " answered ", code, ": ", message), kExitRuntimeError};
  }
}

int ReportRpcError(const Client& c, const grpc::Status& status) {
  if (std::string undecodable = TakeDecodeError(); !undecodable.empty()) {
    PrintError(Undecodable(c, undecodable));
    return kExitRuntimeError;
  }
  RpcErrorReport report = DescribeRpcError(c.command, c.address, c.timeout, status);
  PrintError(report.message);
  return report.exit_code;
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

// `s` cut to `width` characters (never inside a UTF-8 sequence) and padded.
std::string Cell(std::string_view s, size_t width) {
  std::string out = PrintableLine(s);
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

void WarnIfPartial(const Client& c, bool partial,
                   const google::protobuf::RepeatedPtrField<std::string>& unreachable) {
  if (!partial) return;
  PrintError(absl::StrCat(c.command, ": warning: partial answer: peers ",
                          absl::StrJoin(unreachable, ", "),
                          " did not answer within the peer deadline (serve.peer_timeout)"));
}

std::string PartialJsonFields(bool partial,
                              const google::protobuf::RepeatedPtrField<std::string>& unreachable) {
  JsonWriter w;
  w.StartObject();
  w.Field("partial", partial);
  w.Key("unreachable_peers");
  w.StartArray();
  for (const std::string& peer : unreachable) w.String(peer);
  w.EndArray();
  w.EndObject();
  const std::string object = w.str();
  return object.substr(1, object.size() - 2);
}

}  // namespace logweave::cli
