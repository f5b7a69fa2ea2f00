// logweave search: the traces of a running `logweave serve` that match the
// given filters (SearchTraces), newest first, as a table or JSON Lines.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
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

std::string JoinStrings(const google::protobuf::RepeatedPtrField<std::string>& list) {
  std::string out;
  for (const std::string& s : list) absl::StrAppend(&out, out.empty() ? "" : ", ", s);
  return out;
}

constexpr char kSearchDescription[] =
    R"(Lists the traces that match every given filter, newest (latest event) first:
trace id, start time, duration, events, services, highest level and the kinds
of the open findings about it.

Times (--since, --until) are RFC 3339 (2026-11-23T10:00:00Z) or epoch seconds;
a trace matches if it overlaps the range. Levels: trace, debug, info, warn,
error, fatal (a trace matches if it has an event at that level or above).

--json prints one {"kind":"trace",...} object per trace, then
{"kind":"page","next_page_token":...,"matched":N} (token "" on the last page).
)";

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
    std::string row =
        absl::StrCat(Cell(t.trace_id(), id_width), "  ", Cell(TimeString(t.start_unix_nano()), 24),
                     "  ", Cell(Duration(t.end_unix_nano() - t.start_unix_nano()), 9), "  ",
                     absl::StrFormat("%6d", t.events()), "  ", Cell(JoinStrings(t.services()), 32),
                     "  ", Cell(LevelName(FromProto(t.max_level())), 5), "  ",
                     Printable(absl::StrJoin(t.finding_kinds(), ", ")));
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
  Connection connection;
  bool has_unstructured = false, json = false;
  uint64_t limit = 50, template_id = 0;
  FlagSet flags(command, "[flags]", kSearchDescription);
  flags.set_exit_codes(
      "Exit codes: 0 ok (also when nothing matches); 1 the server could not be reached,\n"
      "answered an error or did not answer within --timeout; 2 usage error.\n");
  flags.set_examples({"logweave search --service payments --level error",
                      "logweave search --finding missing_service --since 2026-11-23T10:00:00Z",
                      "logweave search --text 'payment declined' --json | jq -r "
                      "'select(.kind==\"trace\").trace_id'"});
  flags.String("service", &service, "NAME", "has an event of this service");
  flags.String("level", &level, "LEVEL", "has an event at this level or above (e.g. error)");
  flags.String("since", &since, "TIME", "has events at or after this time");
  flags.String("until", &until, "TIME", "has events at or before this time");
  flags.String("text", &text, "TEXT", "an event's message contains this (case-sensitive)");
  flags.String("finding", &finding, "KIND",
               "has an open finding of this kind, e.g. missing_service");
  flags.Bool("has-unstructured", &has_unstructured, "a plain-text error is attributed to it");
  flags.Uint("template", &template_id, "ID",
             "a plain-text error of this log template is attributed to it (ids: unstructured)");
  flags.Uint("limit", &limit, "N", "traces per page, 1-1000 (default 50)");
  flags.String("page-token", &page_token, "TOKEN", "the next page, as the previous one printed");
  flags.Bool("json", &json, "print JSON Lines");
  if (int code = ParseQueryFlags(flags, args, &connection,
                                 [](const std::string& arg) {
                                   return absl::StrCat("filters are flags, e.g. --service ", arg,
                                                       " or --text ", arg);
                                 });
      code >= 0) {
    return code;
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
  if (int code = Connect(command, connection, &client); code >= 0) return code;

  // Proto strings must be valid UTF-8: arguments are sent repaired.
  request.set_service(ValidUtf8(service));
  request.set_start_unix_nano(start);
  request.set_end_unix_nano(end);
  request.set_text(ValidUtf8(text));
  request.set_finding_kind(ValidUtf8(finding));
  request.set_has_unstructured_error(has_unstructured);
  request.set_unstructured_template_id(template_id);
  request.set_page_size(static_cast<uint32_t>(limit));
  request.set_page_token(ValidUtf8(page_token));
  v1::SearchTracesResponse response;
  if (int code = CallServer(client, &v1::LogWeave::Stub::SearchTraces, request, &response);
      code >= 0) {
    return code;
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
    std::string page = w.str();
    page.pop_back();
    absl::StrAppend(&out, page, ",",
                    PartialJsonFields(response.partial(), response.unreachable_peers()), "}\n");
  } else {
    out = SearchText(response, !page_token.empty());
  }
  Print(out);
  WarnIfPartial(client, response.partial(), response.unreachable_peers());
  return kExitOk;
}

}  // namespace logweave::cli
