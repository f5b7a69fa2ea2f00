// logweave timeline TRACE_ID: one trace across services from a running
// `logweave serve` (GetTimeline), printed as `logweave replay` prints a
// timeline, with the findings and plain-text errors about the trace.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "connectors/grpc/convert.h"
#include "connectors/grpc/status_codes.h"
#include "logweave/utf8.h"
#include "logweave/v1/logweave.grpc.pb.h"
#include "tools/flags/flags.h"
#include "tools/logweave/client.h"
#include "tools/logweave/commands.h"
#include "tools/logweave/json_writer.h"
#include "tools/logweave/output.h"

namespace logweave::cli {
namespace {

constexpr char kTimelineDescription[] =
    R"(Prints one trace's events from every service, ordered by event time, as a
running `logweave serve` has indexed them: time, offset from the first event,
service, level, message and source:line; then the findings about the trace and
the plain-text errors attributed to it.

--json prints one object: the fields of `logweave replay --json`'s timeline
(docs/output.md) plus "findings" and "unstructured" arrays.

Log bytes that are not UTF-8 are shown with U+FFFD in place of each invalid
sequence, --raw lines too (the API's Event.raw_bytes has them as stored, and
--json --raw adds "raw_base64" with the original bytes of such a line). A
trace id shown that way can be given as shown.
)";

}  // namespace

int RunTimeline(const std::vector<std::string>& args) {
  const std::string command = "logweave timeline";
  bool raw = false, json = false;
  Connection connection;
  FlagSet flags(command, "TRACE_ID [flags]", kTimelineDescription);
  flags.set_exit_codes(
      "Exit codes: 0 ok; 1 no events for the trace id, or the server could not be\n"
      "reached, answered an error (printed with its gRPC code) or did not answer\n"
      "within --timeout; 2 usage error.\n");
  flags.set_examples(
      {"logweave timeline 4bf92f3577b34da6a3ce929d0e0e4736",
       "logweave timeline 4bf92f3577b34da6a3ce929d0e0e4736 --raw --server logweave:7070"});
  flags.Bool("raw", &raw, "show each event's line as written");
  flags.Bool("json", &json, "print one JSON object");
  ConnectionFlags(flags, &connection);
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
  if (int code = Connect(command, connection, &client); code >= 0) return code;

  v1::GetTimelineRequest request;
  // An id with invalid bytes is sent repaired; the server finds the trace by that form.
  request.set_trace_id(ValidUtf8(trace_id));
  request.set_include_raw(raw);
  v1::GetTimelineResponse response;
  grpc::ClientContext context;
  PrepareCall(client, &context);
  grpc::Status status = client.stub->GetTimeline(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    // The server's message, unless it only says the same.
    const std::string& said = status.error_message();
    PrintError(absl::StrCat(command, ": no events for trace id ", trace_id, " (",
                            GrpcCodeName(status.error_code()),
                            said.find("no events for trace id") == std::string::npos ||
                                    said.find("partial answer") != std::string::npos
                                ? ": " + said
                                : "",
                            ")"));
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
    absl::StrAppend(&out, ",\"unstructured\":[", absl::StrJoin(parts, ","), "],",
                    PartialJsonFields(response.partial(), response.unreachable_peers()), "}\n");
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
  WarnIfPartial(client, response.partial(), response.unreachable_peers());
  return kExitOk;
}

}  // namespace logweave::cli
