#include "analysis/plain_text_findings.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "analysis/detectors.h"
#include "internal/strings.h"

namespace logweave {

Severity UnstructuredErrorSeverity(const AttributedEntry& a) {
  // A logged-and-handled exception under a WARN line is reported as a warning.
  return a.entry.level == Level::kFatal  ? Severity::kCritical
         : a.entry.level == Level::kWarn ? Severity::kWarning
                                         : Severity::kError;
}

Finding UnstructuredErrorFinding(const AttributedEntry& a) {
  const UnstructuredEntry& e = a.entry;
  Finding fd;
  fd.kind = std::string(internal::kUnstructuredErrorKind);
  fd.severity = UnstructuredErrorSeverity(a);
  fd.subject = absl::StrCat(e.source.str(), ":", e.line_no);
  fd.id = e.id;
  fd.time_ns = e.time_ns;
  std::string head = absl::StrCat("Plain-text error in ", fd.subject, " (", e.service.str(), ", ",
                                  e.line_count, e.line_count == 1 ? " line" : " lines",
                                  "; not JSON, so invisible to trace search): \"",
                                  internal::Shorten(e.first_line(), 160), "\"");
  // At its final size (a vector grown pair by pair holds up to twice that).
  fd.details.reserve(3 + (e.template_text.empty() ? 0 : 2) + (a.candidates.empty() ? 1 : 3) +
                     a.related_incomplete.size());
  fd.details.push_back({"service", e.service});
  fd.details.push_back({"lines", absl::StrCat(e.line_count)});
  fd.details.push_back({"time_inferred", e.time_inferred ? "true" : "false"});
  if (!e.template_text.empty()) {
    fd.details.push_back({"template_id", absl::StrCat(e.template_id)});
    fd.details.push_back({"template", e.template_text});
  }
  if (a.candidates.empty()) {
    fd.summary = absl::StrCat(
        head, "; unattributed: ",
        e.time_known ? "no open request of " + e.service.str() + " in the window before it"
                     : std::string("its time is unknown"),
        ".");
    fd.details.push_back({"attribution", "unattributed"});
  } else {
    const AttributionCandidate& best = a.candidates.front();
    fd.trace_id = best.trace_id;
    fd.summary = absl::StrCat(head, "; most likely trace ", best.trace_id,
                              absl::StrFormat(" (confidence %.2f", best.confidence),
                              best.named        ? ", named in the line"
                              : best.incomplete ? ", left incomplete"
                                                : "",
                              ").");
    std::vector<std::string> others;
    for (size_t j = 1; j < a.candidates.size(); ++j) {
      others.push_back(
          absl::StrFormat("%s:%.2f", a.candidates[j].trace_id, a.candidates[j].confidence));
    }
    fd.details.push_back({"attribution", best.trace_id});
    fd.details.push_back({"confidence", absl::StrFormat("%.2f", best.confidence)});
    fd.details.push_back({"runners_up", absl::StrJoin(others, ",")});
  }
  fd.evidence.push_back(
      EvidenceLine{e.source, e.line_no, e.time_ns, internal::Shorten(e.first_line(), 200)});
  for (const std::string& id : a.related_incomplete) {
    fd.details.push_back({"related_incomplete_sequence", id});
  }
  return fd;
}

void ForEachFinding(const AnalysisReport& report, const std::function<void(const Finding&)>& fn) {
  ForEachFindingInRange(report, 0, FindingCount(report), fn);
}

void ForEachFindingInRange(const AnalysisReport& report, size_t begin, size_t end,
                           const std::function<void(const Finding&)>& fn) {
  ForEachFindingRefInRange(report, begin, end, [&](FindingRef ref) {
    if (const Finding* stored = ref.stored()) {
      fn(*stored);  // no copy
    } else {
      fn(ref.Build());
    }
  });
}

std::string_view FindingRef::kind() const {
  return stored_ != nullptr ? std::string_view(stored_->kind) : internal::kUnstructuredErrorKind;
}

Severity FindingRef::severity() const {
  return stored_ != nullptr ? stored_->severity : UnstructuredErrorSeverity(*error_);
}

Finding FindingRef::Build() const {
  return stored_ != nullptr ? *stored_ : UnstructuredErrorFinding(*error_);
}

void ForEachFindingRef(const AnalysisReport& report, const std::function<void(FindingRef)>& fn) {
  ForEachFindingRefInRange(report, 0, FindingCount(report), fn);
}

void ForEachFindingRefInRange(const AnalysisReport& report, size_t begin, size_t end,
                              const std::function<void(FindingRef)>& fn) {
  const std::vector<Finding>& findings = report.findings;
  if (!report.unstructured_findings_deferred) {
    for (size_t i = begin; i < end && i < findings.size(); ++i) fn(FindingRef(findings[i]));
    return;
  }
  // Both lists are in the findings' order (internal::FindingBefore, internal::EntryOrderKey):
  // merged, a finding first when it ties with an error.
  const std::vector<AttributedEntry>& errors = report.unstructured;
  auto before = [&](size_t i, size_t j) {
    return internal::FindingBeforeEntry(findings[i], errors[j]);
  };
  // Where the merge stands after `begin` findings: j errors and begin - j others, j the
  // largest for which error j - 1 comes before finding begin - j (a binary search along the
  // merge path).
  const size_t f_count = findings.size(), e_count = errors.size();
  size_t lo = begin > f_count ? begin - f_count : 0, hi = std::min(begin, e_count);
  while (lo < hi) {
    const size_t j = (lo + hi + 1) / 2;
    const size_t i = begin - j;
    if (i == f_count || !before(i, j - 1)) {
      lo = j;
    } else {
      hi = j - 1;
    }
  }
  size_t j = lo, i = begin - lo;
  for (size_t n = begin; n < end && (i < f_count || j < e_count); ++n) {
    if (j == e_count || (i < f_count && before(i, j))) {
      fn(FindingRef(findings[i++]));
    } else {
      fn(FindingRef(errors[j++]));
    }
  }
}

std::map<std::string, uint64_t> FindingCountsByKind(const AnalysisReport& report) {
  std::map<std::string, uint64_t> counts;
  for (const Finding& f : report.findings) ++counts[f.kind];
  if (report.unstructured_findings_deferred && !report.unstructured.empty()) {
    counts[std::string(internal::kUnstructuredErrorKind)] += report.unstructured.size();
  }
  return counts;
}

size_t FindingCount(const AnalysisReport& report) {
  return report.findings.size() +
         (report.unstructured_findings_deferred ? report.unstructured.size() : 0);
}

namespace internal {

namespace {

// (trace, service): the key that joins an error with its trace's findings in its service. Views
// into the entries and findings, which outlive the maps keyed by them.
// absl's views: absl hashes them itself, where a std::string_view would go to std::hash (this
// map takes one key per plain-text error).
using TraceServiceKey = std::pair<absl::string_view, absl::string_view>;

}  // namespace

void AddUnstructuredFindings(std::vector<AttributedEntry>& unstructured, std::vector<Finding> weak,
                             bool build, std::vector<Finding>* findings_out) {
  std::vector<Finding>& findings = *findings_out;
  // One buffer of the final size: growing would hold two at the peak.
  findings.reserve(findings.size() + (build ? unstructured.size() : 0) + weak.size());
  absl::flat_hash_map<TraceServiceKey, size_t> by_trace_service;  // -> entry
  by_trace_service.reserve(unstructured.size());
  for (size_t i = 0; i < unstructured.size(); ++i) {
    const AttributedEntry& a = unstructured[i];
    if (!a.candidates.empty()) {
      by_trace_service[TraceServiceKey(a.candidates.front().trace_id, a.entry.service.str())] = i;
    }
  }
  for (Finding& w : weak) {
    if (by_trace_service.contains(TraceServiceKey(w.trace_id, w.Detail("service")))) {
      w.details.push_back({"corroborated_by", "unstructured_error"});
      findings.push_back(std::move(w));
    }
  }
  for (Finding& fd : findings) {
    if (fd.kind != "incomplete_sequence") continue;
    auto it = by_trace_service.find(TraceServiceKey(fd.trace_id, fd.Detail("service")));
    if (it == by_trace_service.end()) continue;
    const AttributedEntry& a = unstructured[it->second];
    fd.details.push_back({"related_unstructured", a.entry.id});
    fd.summary += absl::StrCat(" A plain-text error follows in ", a.entry.source.str(), ":",
                               a.entry.line_no, ".");
    fd.evidence.push_back(EvidenceLine{a.entry.source, a.entry.line_no, a.entry.time_ns,
                                       Shorten(a.entry.first_line(), 200)});
  }
  // And each error names the sequences it cut short (in the findings' order).
  absl::flat_hash_map<absl::string_view, std::vector<const Finding*>> cut_short;  // by error id
  for (const Finding& fd : findings) {
    if (fd.kind != "incomplete_sequence") continue;
    const std::string& related = fd.Detail("related_unstructured");
    if (!related.empty()) cut_short[related].push_back(&fd);
  }
  for (AttributedEntry& a : unstructured) {
    if (a.candidates.empty()) continue;
    auto it = cut_short.find(internal::Av(a.entry.id));
    if (it == cut_short.end()) continue;
    for (const Finding* other : it->second) {
      if (other->trace_id == a.candidates.front().trace_id) {
        a.related_incomplete.push_back(other->id);
      }
    }
  }
  if (!build) return;
  for (const AttributedEntry& a : unstructured) findings.push_back(UnstructuredErrorFinding(a));
}

void MarkPlainTextConsequences(const std::vector<AttributedEntry>& unstructured,
                               std::vector<Finding>* findings) {
  // The first error of each trace that has a gap not yet explained: only those traces are
  // looked up, a few among the errors' many.
  absl::flat_hash_map<absl::string_view, const AttributedEntry*> first_error;  // by trace
  for (const Finding& fd : *findings) {
    if (fd.kind == "missing_service" && fd.Detail("consequence").empty()) {
      first_error.try_emplace(fd.trace_id, nullptr);
    }
  }
  if (first_error.empty()) return;
  for (const AttributedEntry& a : unstructured) {
    if (a.candidates.empty() || !a.entry.time_known) continue;
    auto it = first_error.find(a.candidates.front().trace_id);
    if (it == first_error.end()) continue;
    if (it->second == nullptr || a.entry.time_ns < it->second->entry.time_ns) it->second = &a;
  }
  for (Finding& fd : *findings) {
    if (fd.kind != "missing_service" || !fd.Detail("consequence").empty()) continue;
    auto it = first_error.find(fd.trace_id);
    if (it == first_error.end() || it->second == nullptr) continue;
    const UnstructuredEntry& e = it->second->entry;
    const std::vector<std::string> missing = absl::StrSplit(fd.Detail("missing"), ',');
    if (std::find(missing.begin(), missing.end(), e.service) != missing.end()) continue;
    std::vector<std::string> causes = absl::StrSplit(fd.Detail("cause"), ',');
    bool reached = false;
    for (std::string& cause : causes) {
      if (cause == "not_reached") {
        cause = "upstream_error";
        reached = true;
      }
    }
    if (!reached) continue;
    for (auto& [key, value] : fd.details) {
      if (key == "cause") value = absl::StrJoin(causes, ",");
    }
    MarkConsequence(e.service, e.time_ns, e.first_line(),
                    absl::StrCat(e.source.str(), ":", e.line_no), e.id, &fd);
  }
}

}  // namespace internal
}  // namespace logweave
