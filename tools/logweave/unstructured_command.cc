// logweave unstructured: the plain-text error blocks a running `logweave
// serve` has seen and the traces they are attributed to (ListUnstructured),
// printed as `logweave replay --unstructured` prints them.
#include <cstdint>
#include <cstdio>
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

constexpr char kUnstructuredDescription[] =
    R"(Lists the plain-text error blocks (lines that are not JSON and look like an
error, with their stack frames joined) that a running `logweave serve` has
seen, oldest first, each with the trace it is attributed to and its confidence,
as `logweave replay --unstructured` does: errors that differ only in values (their
log template: numbers, ids, names in quotes ... masked into <*>) are shown once, as
"35 × TEMPLATE" with services, first and last time and traces; --ungrouped lists
each error. --template ID keeps the errors of one template (its id is printed).

Times (--since, --until) are RFC 3339 (2026-11-23T10:00:00Z) or epoch seconds.
--json prints one {"kind":"unstructured_entry",...} object per entry
(docs/output.md); when more entries remain, the --page-token for them goes to
stderr.
)";

}  // namespace

int RunUnstructured(const std::vector<std::string>& args) {
  const std::string command = "logweave unstructured";
  std::string service, since, until, page_token;
  Connection connection;
  bool unattributed = false, json = false, ungrouped = false;
  uint64_t limit = 50, template_id = 0;
  FlagSet flags(command, "[flags]", kUnstructuredDescription);
  flags.set_exit_codes(kClientExitCodes);
  flags.set_examples(
      {"logweave unstructured --service email", "logweave unstructured --unattributed --json"});
  flags.String("service", &service, "NAME", "only errors of this service");
  flags.String("since", &since, "TIME", "only errors at or after this time");
  flags.String("until", &until, "TIME", "only errors at or before this time");
  flags.Bool("unattributed", &unattributed, "only errors no trace could be attributed");
  flags.Uint("limit", &limit, "N", "entries per page, 1-1000 (default 50)");
  flags.String("page-token", &page_token, "TOKEN", "the next page, as the previous one printed");
  flags.Uint("template", &template_id, "ID", "only errors of this log template");
  flags.Bool("ungrouped", &ungrouped, "list each error, not one line per template");
  flags.Bool("json", &json, "print JSON Lines (one per error, with its template)");
  if (int code = ParseQueryFlags(flags, args, &connection); code >= 0) return code;
  int64_t start = 0, end = 0;
  if (absl::Status s = ParseRange(since, until, &start, &end); !s.ok()) {
    return Usage(command, std::string(s.message()));
  }
  if (absl::Status s = CheckLimit(limit); !s.ok()) return Usage(command, std::string(s.message()));
  Client client;
  if (int code = Connect(command, connection, &client); code >= 0) return code;

  v1::ListUnstructuredRequest request;
  request.set_service(ValidUtf8(service));
  request.set_start_unix_nano(start);
  request.set_end_unix_nano(end);
  request.set_unattributed_only(unattributed);
  request.set_page_size(static_cast<uint32_t>(limit));
  request.set_page_token(ValidUtf8(page_token));
  request.set_template_id(template_id);
  v1::ListUnstructuredResponse response;
  if (int code = CallServer(client, &v1::LogWeave::Stub::ListUnstructured, request, &response);
      code >= 0) {
    return code;
  }
  std::vector<AttributedEntry> entries;
  for (const v1::UnstructuredEntry& e : response.entries()) entries.push_back(FromProto(e));
  std::string out;
  if (json) {
    for (const AttributedEntry& e : entries) absl::StrAppend(&out, FormatUnstructuredJson(e), "\n");
  } else {
    out = ungrouped ? FormatUnstructuredText(entries, true)
                    : FormatUnstructuredGroupsText(entries, SIZE_MAX);
    if (!response.next_page_token().empty()) {
      absl::StrAppend(&out, "more: --page-token ", response.next_page_token(), "\n");
    }
  }
  Print(out);
  WarnIfPartial(client, response.partial(), response.unreachable_peers());
  if (json && !response.next_page_token().empty()) {
    std::fprintf(stderr, "%s: more entries: --page-token %s\n", command.c_str(),
                 response.next_page_token().c_str());
  }
  return kExitOk;
}

}  // namespace logweave::cli
