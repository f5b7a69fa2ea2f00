// Fuzz target: the functions that read text every line goes through, one
// input each: timestamps (ISO, epoch forms, leading plain-text stamps),
// plain-text classification, UTF-8 validation and repair, byte sizes, the
// YAML config, and the rule plugins' readers (canary requests, cost lines,
// CloudTrail events, Terraform state, describe-security-groups), and redaction. Nothing may crash,
// hang, throw or trip a sanitizer, and what comes out must keep each function's documented
// contract.
//
//   build/fuzz/tests/fuzz/text_fuzzer -max_total_time=60 CORPUS_DIR
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "logweave/config.h"
#include "logweave/utf8.h"
#include "parse/parser.h"
#include "parse/plain_text.h"
#include "parse/time_parse.h"
#include "plugins/canary/canary.h"
#include "plugins/cost/cost.h"
#include "plugins/drift/drift.h"
#include "redact/redactor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace logweave;
  using fuzz::Check;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  int64_t ns = 0;
  if (ParseTimestamp(text, &ns)) {
    // What parses can be printed back and parsed again to the same instant.
    char buf[64];
    const size_t n = FormatTimestamp(ns, buf);
    Check(n > 0 && n < sizeof buf, "FormatTimestamp length");
    int64_t again = 0;
    Check(ParseTimestamp(std::string_view(buf, n), &again) && again == ns,
          "formatted timestamp does not parse back to the same instant");
  }
  Check(ParseLeadingTimestamp(text, &ns) <= text.size(), "leading timestamp longer than the line");

  const PlainLineClass c = ClassifyPlainLine(text);
  Check(!c.exception_header || (c.continuation && c.error_like),
        "exception_header without continuation and error_like");

  std::string repaired;
  AppendValidUtf8(text, &repaired);
  Check(IsValidUtf8(repaired), "AppendValidUtf8 left invalid UTF-8");
  Check(!IsValidUtf8(text) || repaired == text, "AppendValidUtf8 changed valid UTF-8");

  uint64_t bytes;
  (void)ParseByteSize(text, &bytes);
  (void)ServiceFromSourceName(text);
  (void)ParseLevelWord(text);

  // Redaction with the built-in rules: what it changes carries a marker, and
  // a second pass over its output finds nothing more.
  static const auto* const redactor = internal::Redactor::Create(RedactOptions()).value().release();
  std::string redacted, twice;
  std::vector<uint64_t> counts;
  if (redactor->Redact(text, &redacted, &counts)) {
    Check(redacted != text && redacted.find("[REDACTED:") != std::string::npos,
          "Redact reported a change without a marker");
    Check(!redactor->Redact(redacted, &twice, &counts), "a second Redact changed the line again");
  }

  // The config loader must turn anything into OK or an error message, never throw.
  (void)LoadFullConfigString(std::string(text), "fuzz.yaml");
  // The plugins' readers: whatever they accept keeps their contracts.
  CanaryRequest request;
  if (ReadCanaryRequest(text, CanaryOptions{}, &request)) {
    Check(!request.version.empty(), "a canary request without a version");
    Check(request.latency_ns >= -1, "a negative latency");
  }
  static const CostLineReader cost_reader{CostOptions{}};
  CostLine cost;
  if (cost_reader.Read(text, "svc", true, 0, &cost)) {
    Check(std::isfinite(cost.amount) && !cost.service.empty(),
          "a cost line without amount or service");
  }
  SecurityGroupChange change;
  if (ReadCloudTrailChange(text, &change)) {
    Check(!change.group_id.empty(), "a security-group change without a group");
  }
  (void)ParseTerraformState(text);
  (void)ParseDescribeSecurityGroups(text);
  return 0;
}
