#include "parse/parser.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <optional>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "internal/field_table.h"
#include "internal/strings.h"
#include "logweave/utf8.h"
#include "parse/container.h"
#include "parse/event_time.h"
#include "parse/json_line.h"
#include "parse/level.h"
#include "parse/trace_id.h"
#include "rapidjson/reader.h"
#include "redact/redactor.h"
#include "xxhash.h"

namespace logweave {

using internal::Av;
using internal::FieldHandler;
using internal::FieldTable;
using internal::Sv;
using internal::ValueType;

namespace {

// Flags `r` kRecordMessageEscaped when its message is not a slice of its raw
// line (unescaped into the scratch copy or the side room): the index must copy it.
void FlagMessageOutsideRaw(Record* r) {
  if (!r->message.empty() &&
      (r->message.data() < r->raw.data() || r->message.data() > r->raw.data() + r->raw.size())) {
    r->flags |= kRecordMessageEscaped;
  }
}

// The line counters of `c` (a ParseCounters, const or not), in the order
// AddTo lists their IngestStats fields.
template <typename C>
auto ParseCounterFields(C& c) {
  return std::tie(c.lines, c.bytes, c.json, c.unstructured, c.empty, c.no_trace_id, c.bad_time,
                  c.no_time, c.invalid_utf8, c.truncated, c.bom, c.crlf, c.container);
}

// Adds each counter of `from` to the one at the same place of `to`.
template <typename... T, typename... U>
void AddEachCounter(std::tuple<T&...> to, std::tuple<U&...> from) {
  static_assert(sizeof...(T) == sizeof...(U), "AddEachCounter: the lists differ in length");
  std::apply([&](T&... t) { std::apply([&](const U&... f) { ((t += f), ...); }, from); }, to);
}

}  // namespace

ParseCounters& ParseCounters::operator+=(const ParseCounters& o) {
  AddEachCounter(ParseCounterFields(*this), ParseCounterFields(o));
  max_time_ns = std::max(max_time_ns, o.max_time_ns);
  if (redacted.size() < o.redacted.size()) redacted.resize(o.redacted.size());
  for (size_t i = 0; i < o.redacted.size(); ++i) redacted[i] += o.redacted[i];
  if (redaction_rules == nullptr) redaction_rules = o.redaction_rules;
  return *this;
}

void ParseCounters::AddTo(IngestStats* s) const {
  AddEachCounter(
      std::tie(s->lines, s->bytes, s->json_lines, s->unstructured_lines, s->empty_lines,
               s->no_trace_id_lines, s->bad_time_lines, s->no_time_lines, s->invalid_utf8_lines,
               s->truncated_lines, s->bom_lines, s->crlf_lines, s->container_lines),
      ParseCounterFields(*this));
  s->max_time_ns = std::max(s->max_time_ns, max_time_ns);
  for (size_t i = 0; redaction_rules != nullptr && i < redacted.size(); ++i) {
    if (redacted[i] > 0) s->redactions[(*redaction_rules)[i]] += redacted[i];
  }
}

absl::StatusOr<std::unique_ptr<LineParser>> LineParser::Create(const ParserOptions& options) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  std::unique_ptr<internal::Redactor> redactor;
  if (options.redact.enabled) {
    absl::StatusOr<std::unique_ptr<internal::Redactor>> made =
        internal::Redactor::Create(options.redact);
    if (!made.ok()) return made.status();
    redactor = *std::move(made);
  }
  return std::unique_ptr<LineParser>(new LineParser(std::make_unique<FieldTable>(options.fields),
                                                    options.syslog_reference_ns,
                                                    std::move(redactor)));
}

LineParser::LineParser(std::unique_ptr<FieldTable> fields, int64_t syslog_reference_ns,
                       std::unique_ptr<internal::Redactor> redactor)
    : fields_(std::move(fields)),
      syslog_reference_ns_(syslog_reference_ns),
      redactor_(std::move(redactor)) {
  if (redactor_ != nullptr) {
    redaction_rules_ = std::make_shared<const std::vector<std::string>>(redactor_->rule_names());
  }
}

void LineParser::RedactBatch(RawBatch* batch) const {
  if (redactor_ == nullptr || batch->redacted) return;
  batch->redacted = true;
  std::string redacted;
  size_t first = batch->size();  // the first line that changed
  std::vector<std::pair<size_t, std::string>> changed;
  internal::Redactor::Scanner scanner(*redactor_);
  scanner.ScanBlock(batch->data);
  for (size_t i = 0; i < batch->size(); ++i) {
    if (scanner.Redact(batch->Line(i), &redacted, &batch->redactions)) {
      if (changed.empty()) first = i;
      changed.emplace_back(i, std::move(redacted));
    }
  }
  if (changed.empty()) return;
  // The lines from the first changed one on are written again.
  std::string data(batch->data, 0, batch->lines[first].begin);
  auto next = changed.begin();
  for (size_t i = first; i < batch->size(); ++i) {
    LineSpan& span = batch->lines[i];
    const bool replaced = next != changed.end() && next->first == i;
    const std::string_view line = replaced ? std::string_view(next->second) : batch->Line(i);
    const uint32_t begin = static_cast<uint32_t>(data.size());
    data.append(line);
    data.push_back('\0');
    span.begin = begin;
    if (replaced) batch->redaction_growth += static_cast<int64_t>(line.size()) - span.length;
    span.length = static_cast<uint32_t>(line.size());
    if (replaced) {
      span.flags |= kLineRedacted;
      ++next;
    }
  }
  batch->data = std::move(data);
}

LineParser::LineContext LineParser::Context(std::string_view default_service,
                                            std::string* side) const {
  return LineContext{
      default_service,
      syslog_reference_ns_ != 0 ? syslog_reference_ns_ : absl::ToUnixNanos(absl::Now()), side};
}

LineParser::~LineParser() = default;

void LineParser::ParseInto(std::string_view raw, char* scratch_line, const LineContext& context,
                           Record* r) const {
  r->raw = raw;
  if (!IsValidUtf8(raw)) r->flags |= kRecordInvalidUtf8;
  // An empty or blank line is kEmpty (ParseBody says so); whitespace is valid UTF-8.
  int64_t runtime_ns;
  if (const size_t cri = internal::CriPrefixLength(raw, &runtime_ns); cri > 0) {
    // The line the container wrote follows the runtime's prefix, in the same
    // buffers; the runtime's time stands in when that line has none.
    r->flags |= kRecordContainerWrapped;
    ParseBody(raw.substr(cri), scratch_line + cri, context, /*unwrap_docker=*/false, r);
    if (r->kind == RecordKind::kEmpty) return;  // the container wrote an empty line
    if (!r->has_time()) {
      r->time_ns = runtime_ns;
      r->flags |= kRecordHasTime;
    }
    return;
  }
  ParseBody(raw, scratch_line, context, /*unwrap_docker=*/true, r);
}

void LineParser::ParseBody(std::string_view raw, char* scratch_line, const LineContext& context,
                           bool unwrap_docker, Record* r) const {
  std::string_view trimmed = internal::TrimWhitespace(raw);
  if (trimmed.empty()) {
    r->kind = RecordKind::kEmpty;
    return;
  }
  if (trimmed.front() == '{') {
    // RapidJSON's recursive parser is the fastest, but recursion depth is
    // stack: a line nested deeper than kMaxRecursiveNesting is parsed again with
    // the iterative parser, which keeps its stack on the heap.
    constexpr int kMaxRecursiveNesting = 256;
    constexpr unsigned kFlags = rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag;
    constexpr unsigned kIterative = kFlags | rapidjson::kParseIterativeFlag;
    std::optional<FieldHandler> first(std::in_place, *fields_, kMaxRecursiveNesting);
    rapidjson::Reader reader;
    rapidjson::InsituStringStream stream(scratch_line);
    rapidjson::ParseResult ok = reader.Parse<kFlags>(stream, *first);
    size_t consumed = stream.Tell();
    std::optional<FieldHandler> retry;
    if (!ok && first->too_deep) {
      std::memcpy(scratch_line, raw.data(), raw.size());  // undo the in-situ writes
      retry.emplace(*fields_, INT_MAX);
      rapidjson::InsituStringStream again(scratch_line);
      ok = reader.Parse<kIterative>(again, *retry);
      consumed = again.Tell();
    }
    // Two faults RapidJSON refuses a whole line for are repaired in a copy of the line, in
    // place and at the same length, and the line parsed again: lone UTF-16 surrogate escapes
    // (JavaScript's JSON.stringify writes "\ud800") become U+FFFD escapes, and numbers beyond
    // a double's range (1e400) become null (the raw line keeps both). Each repair is applied
    // again after the copy, a few at most.
    bool surrogates = false;
    std::vector<size_t> huge_numbers;
    for (int repairs = 0; !ok && repairs < 8; ++repairs) {
      if (ok.Code() == rapidjson::kParseErrorNumberTooBig) {
        huge_numbers.push_back(ok.Offset());
      } else if (ok.Code() == rapidjson::kParseErrorStringUnicodeSurrogateInvalid && !surrogates) {
        surrogates = true;
      } else {
        break;
      }
      if (surrogates) {
        if (!internal::RepairLoneSurrogates(raw, scratch_line)) break;
      } else {
        std::memcpy(scratch_line, raw.data(), raw.size());
      }
      bool nulled = true;
      for (size_t offset : huge_numbers) {
        nulled = nulled && internal::NullOutNumberAt(scratch_line, raw.size(), offset);
      }
      if (!nulled) break;
      retry.emplace(*fields_, INT_MAX);
      rapidjson::InsituStringStream again(scratch_line);
      ok = reader.Parse<kIterative>(again, *retry);
      consumed = again.Tell();
    }
    const FieldHandler& handler = retry ? *retry : *first;
    // A line cut at max_line_bytes ends inside the object: the parse fails at
    // the cut, after the handler saw every value that lies whole in the kept
    // head. Those are taken (the line is JSON, counted truncated).
    constexpr size_t kCutSlack = 8;  // an escape or number the cut split ends a few bytes early
    const bool cut_object = !ok && (r->flags & kRecordTruncated) && !handler.too_deep &&
                            ok.Offset() + kCutSlack >= raw.size();
    // In-situ parsing stops at the NUL after the line; a NUL inside the line
    // would end it early, which the consumed length reveals.
    if (((ok && consumed >= raw.size()) || cut_object) && handler.top_is_object) {
      r->kind = RecordKind::kJson;
      const auto& v = handler.value;
      const auto& t = handler.type;
      if (t[internal::kTraceId] != ValueType::kNone && !v[internal::kTraceId].empty()) {
        r->trace_id =
            internal::UnwrapTraceId(internal::PreferRaw(v[internal::kTraceId], scratch_line, raw));
        if (t[internal::kTraceId] == ValueType::kNumber) r->flags |= kRecordNumericTraceId;
      }
      if (t[internal::kService] != ValueType::kNone && !v[internal::kService].empty()) {
        r->service = internal::PreferRaw(v[internal::kService], scratch_line, raw);
      } else {
        r->service = context.default_service;
        r->flags |= kRecordServiceFromSource;
      }
      if (t[internal::kMessage] != ValueType::kNone) {
        r->message = internal::PreferRaw(v[internal::kMessage], scratch_line, raw);
        FlagMessageOutsideRaw(r);
      }
      if (t[internal::kRoute] != ValueType::kNone) {
        r->route = internal::PreferRaw(v[internal::kRoute], scratch_line, raw);
      }
      if (t[internal::kLevel] != ValueType::kNone) {
        r->level =
            internal::JsonLevel(v[internal::kLevel], t[internal::kLevel] == ValueType::kNumber);
      }
      if (t[internal::kTime] != ValueType::kNone) {
        int64_t ns;
        // INT64_MAX is taken: it is the watermark that judges everything (--final).
        if (internal::JsonFieldTime(v[internal::kTime], t[internal::kTime] == ValueType::kString,
                                    &ns) &&
            ns < INT64_MAX) {
          r->time_ns = ns;
          r->flags |= kRecordHasTime;
        } else {
          r->flags |= kRecordBadTime;
        }
      } else if (handler.time_of_wrong_type) {
        r->flags |= kRecordBadTime;
      }
      if (unwrap_docker && handler.IsDockerLine()) {
        UnwrapDockerLine(handler.docker_log, context, r);
      }
      return;
    }
  }

  // Not a JSON object: plain text, an array, a scalar, truncated JSON.
  r->kind = RecordKind::kUnstructured;
  // The line inside a container wrapper keeps its indentation ("\tat ..." of a
  // stack trace): it is what the plain-text classifier reads.
  r->message = (r->flags & kRecordContainerWrapped)
                   ? raw.substr(0, raw.find_last_not_of(" \t\r\n\v\f") + 1)
                   : trimmed;
  r->service = context.default_service;
  r->flags |= kRecordServiceFromSource;
  // Syslog: "<PRI>" (RFC 3164 on the wire) or "<PRI>1 " (RFC 5424) before the
  // time; PRI mod 8 is the severity.
  std::string_view text = trimmed;
  int severity = -1;
  if (text.size() > 3 && text[0] == '<') {
    const size_t close = text.find('>');
    int64_t pri = 0;
    if (close >= 2 && close <= 4 && absl::ascii_isdigit(static_cast<unsigned char>(text[1])) &&
        internal::ParseInt(text.substr(1, close - 1), &pri) && pri <= 191) {
      severity = pri % 8;
      text.remove_prefix(close + 1);
      if (absl::StartsWith(Av(text), "1 ")) text.remove_prefix(2);
    }
  }
  int64_t ns;
  if (internal::PlainTextTime(text, trimmed, context.now_ns, &ns) && ns < INT64_MAX) {
    r->time_ns = ns;
    r->flags |= kRecordHasTime;
  }
  r->level = internal::PlainTextLevel(text);
  if (r->level == Level::kUnknown && severity >= 0) r->level = internal::LevelFromNumber(severity);
}

void LineParser::UnwrapDockerLine(std::string_view inner, const LineContext& context,
                                  Record* r) const {
  // `inner` was unescaped in place into the working copy; from here on it is
  // the raw text of the line inside, and a copy of it in the side room is
  // what the in-situ parser writes into (values in those two buffers are
  // copied to the batch by KeepWorkValues; the index copies what it keeps).
  std::string* side = context.side;
  if (side == nullptr || side->capacity() - side->size() < inner.size() + 1) return;
  const size_t at = side->size();
  side->append(inner);
  side->push_back('\0');
  char* inner_scratch = side->data() + at;
  const Record outer = *r;
  Record& in = *r;
  in = Record();
  in.raw = outer.raw;
  in.seq = outer.seq;
  in.source_offset = outer.source_offset;
  in.line_no = outer.line_no;
  in.source_id = outer.source_id;
  in.flags = (outer.flags & (kRecordInvalidUtf8 | kRecordTruncated | kRecordLineInFile)) |
             kRecordContainerWrapped;
  ParseBody(inner, inner_scratch, context, /*unwrap_docker=*/false, &in);
  if (in.kind == RecordKind::kEmpty) return;  // {"log":"\n",...}: an empty line
  FlagMessageOutsideRaw(&in);  // plain text inside the wrapper lives in the side room
  if (!in.has_time() && !(in.flags & kRecordBadTime)) {
    // The line's own time wins over Docker's, even Docker's unparseable one.
    in.time_ns = outer.time_ns;
    in.flags |= outer.flags & (kRecordHasTime | kRecordBadTime);
  }
  // What a shipper added around the line (fluent-bit's Kubernetes metadata)
  // fills in what the line itself lacks.
  if ((in.flags & kRecordServiceFromSource) && !(outer.flags & kRecordServiceFromSource)) {
    in.service = outer.service;
    in.flags &= ~kRecordServiceFromSource;
  }
  if (in.trace_id.empty()) {
    in.trace_id = outer.trace_id;
    in.flags |= outer.flags & kRecordNumericTraceId;
  }
  if (in.level == Level::kUnknown) in.level = outer.level;
}

ParseCounters LineParser::ParseBatch(RawBatch&& batch, std::string_view default_service,
                                     ParsedBatch* out) {
  ParseCounters c;
  RedactBatch(&batch);
  if (!batch.redactions.empty()) {
    c.redacted = std::move(batch.redactions);
    c.redaction_rules = redaction_rules_;
  }
  // The bytes move into a heap-allocated block first: moving a std::string may
  // move short (SSO) contents, so no view is taken before this.
  out->block = std::make_shared<const std::string>(std::move(batch.data));
  out->raw = std::move(batch);
  const RawBatch& raw = out->raw;
  const std::string& data = *out->block;
  // Twice the batch: the second half is the side room of LineContext (pages
  // that are never touched unless a Docker line needs them). A copy grown for
  // an outsized batch (huge lines) is given back once batches are normal again.
  const size_t wanted = 2 * data.size() + 1;
  if (work_.capacity() > (size_t{16} << 20) && work_.capacity() > 8 * wanted) {
    work_ = std::string();
  }
  work_.reserve(wanted);
  work_.assign(data);
  const LineContext context = Context(default_service, &work_);
  out->records.resize(raw.size());
  out->line_hashes.resize(raw.size());
  out->trace_hashes.resize(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const LineSpan& span = raw.lines[i];
    Record& r = out->records[i];
    r = Record();
    r.seq = raw.first_seq + i;
    r.source_offset = span.source_offset;
    r.line_no = span.line_no;
    r.source_id = raw.source_id;
    if (span.flags & kLineTruncated) r.flags |= kRecordTruncated;  // the parser reads it
    std::string_view line(data.data() + span.begin, span.length);
    char* scratch_line = work_.data() + span.begin;
    bool bom = span.flags & kLineHadBOM;
    // A BOM inside the stream (files joined with cat, each with its own) goes like the first.
    if (line.starts_with(kUtf8Bom)) {
      line.remove_prefix(kUtf8Bom.size());
      scratch_line += kUtf8Bom.size();
      bom = true;
    }
    // The file's bytes at source_offset, unless a BOM before them or redaction changed them.
    if ((span.flags & (kLineInFile | kLineRedacted)) == kLineInFile && !bom) {
      r.flags |= kRecordLineInFile;
    }
    ParseInto(line, scratch_line, context, &r);

    ++c.lines;
    c.bytes += span.length;
    if (span.flags & kLineTruncated) ++c.truncated;
    if (bom) ++c.bom;
    if (span.flags & kLineHadCR) ++c.crlf;
    if (r.flags & kRecordContainerWrapped) ++c.container;
    if (r.flags & kRecordInvalidUtf8) ++c.invalid_utf8;
    if (r.flags & kRecordBadTime) ++c.bad_time;
    if ((r.flags & kRecordHasTime) && r.time_ns > c.max_time_ns) c.max_time_ns = r.time_ns;
    switch (r.kind) {
      case RecordKind::kEmpty:
        ++c.empty;
        out->line_hashes[i] = 0;
        out->trace_hashes[i] = 0;
        continue;
      case RecordKind::kJson:
        ++c.json;
        if (r.trace_id.empty()) ++c.no_trace_id;
        if (!(r.flags & (kRecordHasTime | kRecordBadTime))) ++c.no_time;
        break;
      case RecordKind::kUnstructured:
        ++c.unstructured;
        break;
    }
    out->line_hashes[i] = XXH3_64bits(line.data(), line.size());
    out->trace_hashes[i] =
        r.trace_id.empty() ? 0 : XXH3_64bits(r.trace_id.data(), r.trace_id.size());
  }
  InferMissingTimes(&out->records);
  // The bytes read: a redacted line was counted at its new length.
  c.bytes = static_cast<uint64_t>(static_cast<int64_t>(c.bytes) - raw.redaction_growth);
  KeepWorkValues(out);
  return c;
}

void LineParser::KeepWorkValues(ParsedBatch* out) const {
  const char* begin = work_.data();
  const char* end = begin + work_.capacity();
  auto in_work = [&](std::string_view v) {
    return !v.empty() && v.data() >= begin && v.data() < end;
  };
  size_t bytes = 0;
  for (const Record& r : out->records) {
    for (std::string_view v : {r.raw, r.trace_id, r.service, r.message, r.route}) {
      if (in_work(v)) bytes += v.size();
    }
  }
  // Past the small-string size, so that the bytes live on the heap and moving
  // the ParsedBatch keeps the views into them valid; never grown below. A
  // recycled batch keeps its capacity, like its vectors.
  out->scratch.clear();
  out->scratch.reserve(std::max<size_t>(bytes, 32));
  for (Record& r : out->records) {
    for (std::string_view* v : {&r.raw, &r.trace_id, &r.service, &r.message, &r.route}) {
      if (!in_work(*v)) continue;
      const size_t at = out->scratch.size();
      out->scratch.append(*v);
      *v = std::string_view(out->scratch.data() + at, v->size());
    }
  }
}

Record LineParser::ParseLine(std::string_view line, std::string_view default_service,
                             std::string* scratch) const {
  // The scratch copy, the raw line (the record's views must outlive the call
  // too) and the side room, reserved at once so that nothing moves.
  scratch->clear();
  scratch->reserve(3 * (line.size() + 1));
  scratch->assign(line);
  scratch->push_back('\0');
  size_t raw_at = scratch->size();
  scratch->append(line);
  scratch->push_back('\0');
  Record r;
  ParseInto(std::string_view(scratch->data() + raw_at, line.size()), scratch->data(),
            Context(default_service, scratch), &r);
  return r;
}

}  // namespace logweave
