#include "tools/logweave/output.h"

#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "logweave/timestamp.h"
#include "logweave/utf8.h"
#include "tools/logweave/json_writer.h"

namespace logweave::cli {

std::string_view JsonWriter::ValidText(std::string_view text) {
  if (IsValidUtf8(text)) return text;
  scratch_.clear();
  AppendValidUtf8(text, &scratch_);
  return scratch_;
}

void JsonWriter::String(std::string_view value) {
  const std::string_view valid = ValidText(value);
  writer_.String(valid.data(), static_cast<unsigned>(valid.size()));
}

void JsonWriter::Key(std::string_view key) {
  const std::string_view valid = ValidText(key);
  writer_.Key(valid.data(), static_cast<unsigned>(valid.size()));
}

namespace {

// A byte sequence at `text[i]` a terminal would act on: C0 controls other than tab and newline
// (ESC starts colour, cursor and title sequences; CR overwrites the line), DEL, and C1 controls
// (U+0080-U+009F, two bytes in UTF-8; U+009B is a CSI). Its length, or 0.
size_t ControlAt(std::string_view text, size_t i) {
  const unsigned char c = static_cast<unsigned char>(text[i]);
  if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) return 1;
  if (c == 0xC2 && i + 1 < text.size()) {
    const unsigned char next = static_cast<unsigned char>(text[i + 1]);
    if (next >= 0x80 && next <= 0x9F) return 2;
  }
  return 0;
}

}  // namespace

std::string ValidUtf8(std::string_view text) {
  if (IsValidUtf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  AppendValidUtf8(text, &out);
  return out;
}

std::string Printable(std::string_view text) {
  bool controls = false;
  for (size_t i = 0; i < text.size() && !controls; ++i) controls = ControlAt(text, i) > 0;
  if (!controls && IsValidUtf8(text)) return std::string(text);
  std::string valid;
  valid.reserve(text.size() + 8);
  AppendValidUtf8(text, &valid);
  if (!controls) return valid;
  std::string out;
  out.reserve(valid.size() + 16);
  for (size_t i = 0; i < valid.size();) {
    const size_t n = ControlAt(valid, i);
    if (n == 0) {
      out.push_back(valid[i++]);
      continue;
    }
    // Shown as an escape ("\x1b", "\u009b"), never sent to the terminal.
    const unsigned code =
        n == 1 ? static_cast<unsigned char>(valid[i]) : static_cast<unsigned char>(valid[i + 1]);
    if (n == 1) {
      absl::StrAppendFormat(&out, "\\x%02x", code);
    } else {
      absl::StrAppendFormat(&out, "\\u%04x", code);
    }
    i += n;
  }
  return out;
}

std::string PrintableLine(std::string_view text) {
  std::string out = Printable(text);
  for (char& c : out) {
    if (c == '\t' || c == '\n') c = ' ';
  }
  return out;
}

std::string Thousands(uint64_t n) {
  std::string digits = absl::StrCat(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string HumanBytes(double bytes) {
  if (bytes >= 1e9) return absl::StrFormat("%.2f GB", bytes / 1e9);
  if (bytes >= 1e6) return absl::StrFormat("%.1f MB", bytes / 1e6);
  if (bytes >= 1e3) return absl::StrFormat("%.1f kB", bytes / 1e3);
  return absl::StrFormat("%.0f B", bytes);
}

std::string TimeString(int64_t ns) {
  char buf[48];
  size_t n = FormatTimestamp(ns, buf);
  return std::string(buf, n);
}

namespace {

// `to_ns - from_ns`: exact where it fits in int64 nanoseconds, else (times centuries apart) in
// doubles.
double SpanNs(int64_t from_ns, int64_t to_ns) {
  int64_t span;
  if (!__builtin_sub_overflow(to_ns, from_ns, &span)) return static_cast<double>(span);
  return static_cast<double>(to_ns) - static_cast<double>(from_ns);
}

// The time from `from_ns` to `to_ns`: "+12.5ms", "+3.250s".
std::string Offset(int64_t from_ns, int64_t to_ns) {
  const double ms = SpanNs(from_ns, to_ns) / 1e6;
  if (ms < 1000) return absl::StrFormat("+%.1fms", ms);
  return absl::StrFormat("+%.3fs", ms / 1000);
}

// Cuts `s` to `width` display bytes (never inside a UTF-8 sequence) and pads it.
std::string ByteCell(std::string_view s, size_t width) {
  std::string out = PrintableLine(s);
  if (out.size() > width) {
    size_t cut = width - 1;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "…";
  }
  size_t chars = 0;
  for (unsigned char c : out) chars += (c & 0xC0) != 0x80;
  if (chars < width) out.append(width - chars, ' ');
  return out;
}

std::string BaseName(std::string_view path) {
  if (path.substr(0, 6) == "kafka:") return std::string(path);  // topic/partition
  size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

std::string FormatTimelineText(const Timeline& t, bool with_raw) {
  std::string out;
  if (t.events.empty() && t.evicted_events > 0) {
    return absl::StrCat("trace ", Printable(t.trace_id), ": all ", t.evicted_events,
                        " events were evicted to stay within index.max_bytes (oldest lines go "
                        "first); raise it to keep more history\n");
  }
  std::string services;
  for (const auto& s : t.services) absl::StrAppend(&services, services.empty() ? "" : ", ", s);
  absl::StrAppend(&out, "trace ", Printable(t.trace_id), ": ", t.events.size(), " events, ",
                  t.services.size(), " services (", Printable(services), "), ",
                  TimeString(t.start_ns), " ", Offset(t.start_ns, t.end_ns), "\n");
  size_t service_width = 7;
  for (const auto& e : t.events) service_width = std::max(service_width, e.service.size());
  service_width = std::min<size_t>(service_width, 24);
  if (t.evicted_events > 0) {
    absl::StrAppend(&out, "  (", t.evicted_events,
                    " older events of this trace were evicted to stay within index.max_bytes)\n");
  }
  absl::StrAppend(&out, "  ", ByteCell("TIME", 30), " ", ByteCell("OFFSET", 10), " ",
                  ByteCell("SERVICE", service_width), " ", ByteCell("LEVEL", 5), " ",
                  ByteCell("EVENT / MESSAGE", 48), " SOURCE\n");
  for (const auto& e : t.events) {
    std::string time = TimeString(e.time_ns);
    if (!e.has_time) time = "(no time) ~" + time.substr(11);
    std::string message = e.message;
    if (e.kind == RecordKind::kUnstructured) message = "[plain text] " + message;
    absl::StrAppend(
        &out, "  ", ByteCell(time, 30), " ", ByteCell(Offset(t.start_ns, e.time_ns), 10), " ",
        ByteCell(e.service, service_width), " ", ByteCell(LevelName(e.level), 5), " ",
        ByteCell(message, 48), " ", Printable(BaseName(e.source)), ":", e.line_no, "\n");
    if (with_raw) absl::StrAppend(&out, "      ", Printable(e.raw), "\n");
  }
  return out;
}

std::string FormatTimelineJson(const Timeline& t, bool with_raw) {
  JsonWriter w;
  w.StartObject();
  w.Field("kind", "timeline");
  w.Field("trace_id", t.trace_id);
  w.Key("services");
  w.StartArray();
  for (const auto& s : t.services) w.String(s);
  w.EndArray();
  w.Field("start", TimeString(t.start_ns));
  w.Field("end", TimeString(t.end_ns));
  w.Field("duration_ms", SpanNs(t.start_ns, t.end_ns) / 1e6);
  w.Field("evicted_events", static_cast<uint64_t>(t.evicted_events));
  w.Key("events");
  w.StartArray();
  for (const auto& e : t.events) {
    w.StartObject();
    w.Field("time", TimeString(e.time_ns));
    w.Field("time_ns", static_cast<int64_t>(e.time_ns));
    w.Field("time_inferred", !e.has_time);
    w.Field("service", e.service);
    w.Field("level", LevelName(e.level));
    w.Field("message", e.message);
    w.Field("structured", e.kind == RecordKind::kJson);
    w.Field("source", e.source);
    w.Field("line", static_cast<uint64_t>(e.line_no));
    w.Field("offset", static_cast<uint64_t>(e.source_offset));
    if (with_raw) {
      w.Field("raw", e.raw);  // repaired to valid UTF-8 by the writer
      // The original bytes, where repairing changed them.
      if (!IsValidUtf8(e.raw)) w.Field("raw_base64", absl::Base64Escape(e.raw));
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.str();
}

std::string FormatStatsText(const IngestStats& s, double seconds) {
  std::string out;
  auto row = [&out](std::string_view name, uint64_t value, absl::string_view note = "") {
    absl::StrAppend(&out, "  ", ByteCell(name, 22), " ", absl::StrFormat("%15s", Thousands(value)),
                    note.empty() ? "" : "   ", note, "\n");
  };
  row("lines", s.lines);
  row("bytes", s.bytes, HumanBytes(static_cast<double>(s.bytes)));
  row("json lines", s.json_lines);
  row("non-json lines", s.unstructured_lines, "plain text, arrays, truncated JSON (kept)");
  row("empty lines", s.empty_lines, "counted, not indexed");
  row("traces", s.traces);
  row("events indexed", s.indexed_events);
  row("lines without trace id", s.no_trace_id_lines, "JSON, kept outside traces");
  row("duplicates", s.duplicate_lines, "exact repeats, kept once");
  row("unparseable times", s.bad_time_lines, "placed by file order");
  row("lines without time", s.no_time_lines);
  row("invalid utf-8 lines", s.invalid_utf8_lines, "kept byte for byte");
  row("truncated lines", s.truncated_lines, "longer than max_line_bytes; head kept");
  row("BOM / CRLF lines", s.bom_lines + s.crlf_lines);
  if (s.binary_files > 0) row("binary files skipped", s.binary_files, "not text logs");
  if (s.container_lines > 0) {
    row("container lines", s.container_lines, "Kubernetes CRI / Docker json-file, unwrapped");
  }
  row("index memory", s.index_bytes, HumanBytes(static_cast<double>(s.index_bytes)));
  if (s.evicted_events > 0) {
    row("evicted events", s.evicted_events, "oldest first, to stay within index.max_bytes");
  }
  if (s.evicted_traces > 0) {
    row("evicted traces", s.evicted_traces, "records of traces with no event left, once each");
  }
  if (s.unstructured_dropped > 0) {
    row("plain-text errors dropped", s.unstructured_dropped, "beyond the collector's limit");
  }
  if (s.plugin_dropped > 0) {
    row("plugin inputs dropped", s.plugin_dropped, "beyond a rule plugin's limit");
  }
  double secs = seconds > 0 ? seconds : 1e-9;
  absl::StrAppend(&out, "  ", ByteCell("throughput", 22), " ",
                  absl::StrFormat("%15s", absl::StrFormat("%.0f", s.lines / secs)), "   lines/s, ",
                  absl::StrFormat("%.1f", s.bytes / secs / 1e6), " MB/s over ",
                  absl::StrFormat("%.3f", seconds), " s\n");
  return out;
}

namespace {

void WriteEvidence(JsonWriter& w, const std::vector<EvidenceLine>& evidence) {
  w.Key("evidence");
  w.StartArray();
  for (const auto& e : evidence) {
    w.StartObject();
    w.Field("source", e.source);
    w.Field("line", e.line_no);
    w.Field("time", TimeString(e.time_ns));
    w.Field("text", e.text);
    w.EndObject();
  }
  w.EndArray();
}

std::string ShortTime(int64_t ns) {
  std::string t = TimeString(ns);
  return t.size() > 11 ? t.substr(11) : t;  // the time of day: HH:MM:SS.fffZ
}

// Writes `f` as one JSON object into `w` (a fresh or cleared writer).
void WriteFindingJson(const Finding& f, JsonWriter& w) {
  w.StartObject();
  w.Field("kind", f.kind);
  w.Field("id", f.id);
  w.Field("status", f.resolved ? "resolved" : "open");
  w.Field("severity", SeverityName(f.severity));
  w.Field("time", TimeString(f.time_ns));
  w.Field("time_ns", static_cast<int64_t>(f.time_ns));
  w.Field("trace_id", f.trace_id);
  w.Field("subject", f.subject);
  w.Field("summary", f.summary);
  w.Key("details");
  w.StartObject();
  for (const auto& [k, v] : f.details) w.Field(k, v);
  w.EndObject();
  WriteEvidence(w, f.evidence);
  w.EndObject();
}

}  // namespace

std::string FormatFindingJson(const Finding& f) {
  JsonWriter w;
  WriteFindingJson(f, w);
  return w.str();
}

void AppendFindingsJson(const AnalysisReport& report, uint32_t threads, std::string* out,
                        const std::function<void()>& spill) {
  // Each thread formats this many consecutive findings a round (about a MiB
  // of text: the rounds' buffers are held while the report is).
  constexpr size_t kRun = 512;
  const size_t count = FindingCount(report);
  threads = static_cast<uint32_t>(std::clamp<size_t>((count + kRun - 1) / kRun, 1, threads));
  std::vector<std::string> parts(threads);
  for (size_t begin = 0; begin < count; begin += kRun * threads) {
    auto format = [&](uint32_t t) {
      const size_t from = std::min(count, begin + t * kRun), to = std::min(count, from + kRun);
      JsonWriter w;  // one a thread: its buffers serve every finding of the run
      ForEachFindingInRange(report, from, to, [&](const Finding& finding) {
        w.Clear();
        WriteFindingJson(finding, w);
        parts[t].append(w.view()).push_back('\n');
      });
    };
    std::vector<std::thread> helpers;
    for (uint32_t t = 1; t < threads; ++t) helpers.emplace_back(format, t);
    format(0);
    for (std::thread& helper : helpers) helper.join();
    for (std::string& part : parts) {
      out->append(part);
      part.clear();
      spill();
    }
  }
}

std::string FormatFindingText(const Finding& f, bool with_evidence) {
  std::string out = absl::StrCat("  [", SeverityName(f.severity), "] ", ShortTime(f.time_ns), " ",
                                 Printable(f.kind), f.resolved ? " (resolved)" : "", "\n      ");
  absl::StrAppend(&out, Printable(f.summary), "\n");
  if (with_evidence) {
    for (const auto& e : f.evidence) {
      absl::StrAppend(&out, "      > ", Printable(BaseName(e.source)), ":", e.line_no, "  ",
                      Printable(e.text), "\n");
    }
  }
  return out;
}

std::string FormatUnstructuredJson(const AttributedEntry& a) {
  const UnstructuredEntry& e = a.entry;
  JsonWriter w;
  w.StartObject();
  w.Field("kind", "unstructured_entry");
  w.Field("id", e.id);
  w.Field("source", e.source);
  w.Field("service", e.service);
  w.Field("line", e.line_no);
  w.Field("lines", static_cast<uint64_t>(e.line_count));
  w.Field("time", TimeString(e.time_ns));
  w.Field("time_ns", static_cast<int64_t>(e.time_ns));
  w.Field("time_inferred", e.time_inferred);
  w.Field("level", LevelName(e.level));
  w.Field("text", e.text);
  w.Key("attribution");
  w.StartObject();
  if (a.candidates.empty()) {
    w.Field("trace_id", "");
    w.Field("status", "unattributed");
  } else {
    w.Field("trace_id", a.candidates.front().trace_id);
    w.Field("status", "attributed");
    w.Field("confidence", a.candidates.front().confidence);
  }
  w.Key("candidates");
  w.StartArray();
  for (const auto& c : a.candidates) {
    w.StartObject();
    w.Field("trace_id", c.trace_id);
    w.Field("confidence", c.confidence);
    w.Field("gap_ms", static_cast<double>(c.gap_ns) / 1e6);
    w.Field("incomplete", c.incomplete);
    w.Field("named", c.named);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.Field("template_id", e.template_id);
  w.Field("template", e.template_text);
  w.EndObject();
  return w.str();
}

std::string FormatUnstructuredGroupsText(const std::vector<AttributedEntry>& entries,
                                         size_t max_groups) {
  std::string out =
      absl::StrCat(entries.size(), " plain-text error", entries.size() == 1 ? "" : "s", "\n");
  const std::vector<UnstructuredGroup> groups = GroupByTemplate(entries);
  for (size_t k = 0; k < groups.size() && k < max_groups; ++k) {
    const UnstructuredGroup& g = groups[k];
    const UnstructuredEntry& first = entries[g.entries.front()].entry;
    std::string when = "?";
    if (g.time_known) {
      when = g.first_ns == g.last_ns
                 ? ShortTime(g.first_ns)
                 : absl::StrCat(ShortTime(g.first_ns), " - ", ShortTime(g.last_ns));
    }
    // The traces of its first errors, with the confidence of each attribution.
    std::vector<std::string> traces;
    uint64_t unattributed = 0;
    for (size_t i : g.entries) {
      const auto& candidates = entries[i].candidates;
      if (candidates.empty()) {
        ++unattributed;
      } else if (traces.size() < 5) {
        const std::string t = absl::StrFormat("%s (%.2f)", Printable(candidates.front().trace_id),
                                              candidates.front().confidence);
        if (std::find(traces.begin(), traces.end(), t) == traces.end()) traces.push_back(t);
      }
    }
    std::string attribution = absl::StrJoin(traces, ", ");
    if (unattributed > 0) {
      absl::StrAppend(&attribution, attribution.empty() ? "" : "; ",
                      unattributed == g.count ? std::string("unattributed")
                                              : absl::StrCat(unattributed, " unattributed"));
    }
    absl::StrAppend(&out, absl::StrFormat("  %5d × ", g.count), Printable(g.template_text),
                    "\n          ", Printable(absl::StrJoin(g.services, ", ")), " · ", when,
                    " · first ", Printable(BaseName(first.source)), ":", first.line_no,
                    g.template_id != 0 ? absl::StrCat(" · template ", g.template_id) : "",
                    "\n          traces: ", attribution, "\n");
  }
  if (groups.size() > max_groups) {
    absl::StrAppend(&out, "  ... and ", groups.size() - max_groups, " more templates\n");
  }
  return out;
}

std::string FormatUnstructuredText(const std::vector<AttributedEntry>& entries, bool with_text) {
  std::string out =
      absl::StrCat(entries.size(), " plain-text error", entries.size() == 1 ? "" : "s", "\n");
  if (entries.empty()) return out;
  absl::StrAppend(&out, "  ", ByteCell("TIME", 14), " ", ByteCell("SOURCE", 22), " ",
                  ByteCell("LINES", 5), " ", ByteCell("TRACE (CONFIDENCE)", 42), " FIRST LINE\n");
  for (const auto& a : entries) {
    const UnstructuredEntry& e = a.entry;
    std::string time = ShortTime(e.time_ns);
    if (!e.time_known)
      time = "?";
    else if (e.time_inferred)
      time = "~" + time;
    std::string trace = a.candidates.empty()
                            ? std::string("unattributed")
                            : absl::StrFormat("%s (%.2f)", a.candidates.front().trace_id,
                                              a.candidates.front().confidence);
    absl::StrAppend(&out, "  ", ByteCell(time, 14), " ",
                    ByteCell(absl::StrCat(BaseName(e.source), ":", e.line_no), 22), " ",
                    ByteCell(absl::StrCat(e.line_count), 5), " ", ByteCell(trace, 42), " ",
                    ByteCell(e.first_line(), 70), "\n");
    if (with_text) {
      const std::string text = Printable(e.text);
      for (absl::string_view l : absl::StrSplit(text, '\n'))
        absl::StrAppend(&out, "      | ", l, "\n");
      for (size_t i = 1; i < a.candidates.size(); ++i) {
        absl::StrAppend(&out, "      runner-up ", Printable(a.candidates[i].trace_id),
                        absl::StrFormat(" (%.2f)", a.candidates[i].confidence), "\n");
      }
    }
  }
  return out;
}

}  // namespace logweave::cli
