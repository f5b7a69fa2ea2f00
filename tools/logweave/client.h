// What the logweave client commands (timeline, search, unstructured,
// findings, stats: *_command.cc) share: the connection to a running
// `logweave serve` (--server, --timeout), how a failed call is reported (the
// gRPC code -> message and exit code mapping), flag and time parsing, output.
//
//   Client client;
//   if (int code = Connect(command, connection, &client); code >= 0) return code;
//   if (int code = CallServer(client, &v1::LogWeave::Stub::GetStats, request, &stats);
//       code >= 0) return code;
//
// Functions that print write whole lines, repaired to valid UTF-8.
#ifndef LOGWEAVE_TOOLS_LOGWEAVE_CLIENT_H_
#define LOGWEAVE_TOOLS_LOGWEAVE_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "logweave/v1/logweave.grpc.pb.h"
#include "tools/flags/flags.h"
#include "tools/logweave/client_security.h"

namespace logweave::cli {

// The exit codes of a client command that only asks the server, for its --help.
inline constexpr char kClientExitCodes[] =
    R"(Exit codes: 0 ok; 1 the server could not be reached, answered an error or did
not answer within --timeout; 2 usage error.
)";

inline constexpr absl::Duration kDefaultTimeout = absl::Seconds(30);

// --server's default: $LOGWEAVE_SERVER, else 127.0.0.1:7070.
std::string DefaultServer();

// Writes one line to stderr, repaired to valid UTF-8 (it may quote log bytes).
void PrintError(const std::string& line);

// Prints "COMMAND: message" to stderr; returns kExitUsage.
int Usage(const std::string& command, const std::string& message);

// Parses the flags of `flags.command()`. Returns -1 to go on, else the exit
// code to return at once (help printed: 0; bad flag: 2, message on stderr).
int ParseFlags(FlagSet& flags, const std::vector<std::string>& args,
               std::vector<std::string>* positional);

// A connection to one server for one command. Thread-compatible (the stub
// itself is thread-safe).
// What every query command's flags say about reaching the server.
struct Connection {
  std::string server = DefaultServer();      // --server, LOGWEAVE_SERVER
  absl::Duration timeout = kDefaultTimeout;  // --timeout
  ClientSecurity security;                   // --tls-*, --token...
};

struct Client {
  std::string command;  // "logweave search", for messages
  std::string address;
  absl::Duration timeout = kDefaultTimeout;  // --timeout
  std::string authorization;                 // "Bearer TOKEN", or "" without a token
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::LogWeave::Stub> stub;
};

// Checks --server and the credentials and makes the channel (which connects
// lazily, on the first call). Returns -1 to go on, else the exit code (2: a
// malformed address, a TLS file or token file that cannot be used).
// Installs a protobuf log handler that keeps decode errors for ReportRpcError.
int Connect(const std::string& command, const Connection& connection, Client* client);

// The flags every query command has: --server, --timeout and the credentials.
void ConnectionFlags(FlagSet& flags, Connection* connection);

// For a query command without positional arguments: adds ConnectionFlags,
// parses `args` and rejects a positional argument X with the usage error
// "unexpected argument "X"; " + hint(X) (without a hint: "see 'COMMAND
// --help'"). Returns -1 to go on, else the exit code to return at once (as
// ParseFlags; 2 for a positional argument).
int ParseQueryFlags(FlagSet& flags, const std::vector<std::string>& args, Connection* connection,
                    const std::function<std::string(const std::string& arg)>& hint = nullptr);

// Readies a call: its token (if any) and, `with_deadline`, its deadline
// (now + client.timeout).
void PrepareCall(const Client& c, grpc::ClientContext* context, bool with_deadline = true);

// "COMMAND: cannot reach logweave at ADDRESS: why; is `logweave serve` running? ..."
std::string Unreachable(const Client& c, const std::string& why);
// An answer that arrived but could not be decoded; `why` is protobuf's reason, if any.
std::string Undecodable(const Client& c, const std::string& why);

// The decode error protobuf logged since the last call ("" if none), and
// forgets it; whether there is one. Thread-safe.
std::string TakeDecodeError();
bool DecodeErrorPending();

// What a failed call tells the user: one line for stderr and the exit code.
struct RpcErrorReport {
  std::string message;
  int exit_code;
};
// The one place that maps a gRPC code to what the user reads and the exit
// code: "COMMAND: logweave at ADDRESS answered CODE: message", with a hint
// for what to do where there is one (the address for UNAVAILABLE and
// UNIMPLEMENTED, --timeout for DEADLINE_EXCEEDED, credentials for
// UNAUTHENTICATED, narrower queries for RESOURCE_EXHAUSTED ...).
// Exit 2 (kExitUsage) for INVALID_ARGUMENT (arguments the server rejected:
// a bad page token, an inverted range), else 1 (kExitRuntimeError).
RpcErrorReport DescribeRpcError(const std::string& command, const std::string& address,
                                absl::Duration timeout, const grpc::Status& status);

// Reports a failed call on stderr (a pending decode error first, else
// DescribeRpcError) and returns the exit code.
int ReportRpcError(const Client& c, const grpc::Status& status);

// Makes one call of `rpc`, a method of the stub, readied by PrepareCall (the
// token and the deadline). Returns -1 when it answered OK, else the exit code
// of ReportRpcError, which has reported it:
//   if (int code = CallServer(client, &v1::LogWeave::Stub::GetStats, request, &stats);
//       code >= 0) return code;
template <typename Request, typename Response>
int CallServer(const Client& c,
               grpc::Status (v1::LogWeave::Stub::*rpc)(grpc::ClientContext*, const Request&,
                                                       Response*),
               const Request& request, Response* response) {
  grpc::ClientContext context;
  PrepareCall(c, &context);
  const grpc::Status status = (c.stub.get()->*rpc)(&context, request, response);
  return status.ok() ? -1 : ReportRpcError(c, status);
}

// --since / --until: RFC 3339 or epoch seconds ("" leaves *ns). INVALID_ARGUMENT naming the flag.
absl::Status ParseTimeFlag(const std::string& name, const std::string& text, int64_t* ns);
// The [--since, --until] range; INVALID_ARGUMENT for a bad time or an inverted range.
absl::Status ParseRange(const std::string& since, const std::string& until, int64_t* start,
                        int64_t* end);
// --limit: a page size the server accepts (1-1000); INVALID_ARGUMENT otherwise.
absl::Status CheckLimit(uint64_t limit);

// An answer that instances with peers (serve --peers) gave without some of
// them: prints "COMMAND: warning: partial answer: peers A, B did not answer
// within the peer deadline" on stderr. Nothing for a complete answer.
void WarnIfPartial(const Client& c, bool partial,
                   const google::protobuf::RepeatedPtrField<std::string>& unreachable);
// `"partial":BOOL,"unreachable_peers":[...]`, for a JSON object of the output.
std::string PartialJsonFields(bool partial,
                              const google::protobuf::RepeatedPtrField<std::string>& unreachable);

// Writes `text` to stdout, repaired to valid UTF-8, and flushes.
void Print(const std::string& text);

// Table helpers for answers printed as they came (search, stats).
// `s` cut to `width` characters (never inside a UTF-8 sequence) and padded.
std::string Cell(std::string_view s, size_t width);
// "12.3ms", "1.234s", "2m05s", "1h02m".
std::string Duration(int64_t ns);

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_LOGWEAVE_CLIENT_H_
