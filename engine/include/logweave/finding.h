// Findings: what detectors and rule plugins report. One shape for all of
// them, so the command line, the gRPC stream and sinks treat them alike.
#ifndef LOGWEAVE_FINDING_H_
#define LOGWEAVE_FINDING_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace logweave {

enum class Severity : uint8_t { kInfo = 0, kWarning, kError, kCritical };

// "info", "warning", "error", "critical".
const char* SeverityName(Severity severity);

// A line that backs a finding up.
struct EvidenceLine {
  std::string source;  // file path, topic/partition, "-"
  uint64_t line_no = 0;
  int64_t time_ns = 0;
  std::string text;  // the line (or its first line), possibly shortened
};

struct Finding {
  // Stable across runs for the same subject (hash of kind and subject), so a
  // later update (resolved) refers to the same finding.
  std::string id;
  std::string kind;  // "missing_service", "incomplete_sequence", "unstructured_error", ...
  Severity severity = Severity::kWarning;
  bool resolved = false;  // an update: later data disproved this finding
  std::string trace_id;   // the trace it concerns, if any
  std::string subject;    // what it is about: a service, "service:event", a source line
  int64_t time_ns = 0;    // event time it refers to
  std::string summary;    // one sentence for people
  // Kind-specific facts, as key/value strings in a fixed order (rendered as a
  // JSON object of strings).
  std::vector<std::pair<std::string, std::string>> details;
  std::vector<EvidenceLine> evidence;

  // The value of details[key], or "".
  const std::string& Detail(const std::string& key) const;
};

// Every finding kind the engine reports: its detectors' and each built-in
// rule plugin's (from the plugin registry), detectors first.
std::vector<std::string> FindingKinds();

// A stable id: the kind's prefix and 16 hex digits of a hash of the parts.
std::string FindingId(std::string_view kind, std::initializer_list<std::string_view> parts);

}  // namespace logweave

#endif  // LOGWEAVE_FINDING_H_
