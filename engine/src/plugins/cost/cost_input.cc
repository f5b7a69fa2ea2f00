#include "plugins/cost/cost_input.h"

#include <csv.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "internal/strings.h"
#include "logweave/batch.h"
#include "logweave/enum_names.h"
#include "logweave/timestamp.h"
#include "parse/parser.h"
#include "plugins/common.h"
#include "plugins/json_member.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace logweave {
namespace {

using internal::JsonMember;
using internal::kDayNs;

using Json = rapidjson::Value;

constexpr std::string_view kTotalService = "total";  // an ungrouped Cost Explorer result

std::string_view Text(const Json* v) {
  return v != nullptr && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength())
                                       : std::string_view();
}

std::string_view SkipBom(std::string_view text) {
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  return text;
}

// The metric of a Cost Explorer Metrics/Total object: UnblendedCost, else the
// only metric there is (a query for BlendedCost, AmortizedCost ...). Null if none.
const Json* CostMetric(const Json& metrics) {
  if (const Json* m = JsonMember(metrics, "UnblendedCost")) return m;
  if (metrics.IsObject() && metrics.MemberCount() == 1) return &metrics.MemberBegin()->value;
  return nullptr;
}

// A Cost Explorer amount ({"Amount": "12.34", "Unit": "USD"}) into `line`.
absl::Status ReadAmount(const Json& metric, const std::string& path, CostLine* line) {
  const std::string_view amount = Text(JsonMember(metric, "Amount"));
  double value = 0;
  if (!absl::SimpleAtod(internal::Av(amount), &value) || !std::isfinite(value) ||
      std::abs(value) >= 1e12) {
    return absl::InvalidArgumentError(absl::StrCat(path, ".Amount: \"", internal::Av(amount),
                                                   "\" is not an amount (a number as a string)"));
  }
  line->amount = value;
  line->micros = std::llround(value * 1e6);
  line->currency = std::string(Text(JsonMember(metric, "Unit")));
  return absl::OkStatus();
}

// What libcsv's callbacks fill: the fields of the row being read.
struct CsvRows {
  std::vector<std::string> fields;
  std::vector<std::string> header;
  uint64_t row = 0;  // rows ended so far, the header included
  // Called with each complete data row; a non-OK status stops the reading.
  std::function<absl::Status(const std::vector<std::string>&)> on_row;
  absl::Status status;
};

void CsvField(void* data, size_t size, void* context) {
  auto* rows = static_cast<CsvRows*>(context);
  rows->fields.emplace_back(data != nullptr ? static_cast<const char*>(data) : "", size);
}

void CsvRowEnd(int, void* context) {
  auto* rows = static_cast<CsvRows*>(context);
  ++rows->row;
  std::vector<std::string> fields = std::move(rows->fields);
  rows->fields.clear();
  if (!rows->status.ok()) return;
  if (rows->header.empty()) {
    rows->header = std::move(fields);
    return;
  }
  if (fields.size() != rows->header.size()) {
    rows->status = absl::InvalidArgumentError(absl::StrCat("row ", rows->row, ": ", fields.size(),
                                                           " fields where the header has ",
                                                           rows->header.size()));
    return;
  }
  rows->status = rows->on_row(fields);
}

}  // namespace

absl::StatusOr<CostFormat> ParseCostFormat(std::string_view name) {
  if (name == "auto") return CostFormat::kAuto;
  if (name == "ce" || name == "cost-explorer") return CostFormat::kCostExplorer;
  if (name == "cur" || name == "csv") return CostFormat::kCurCsv;
  if (name == "jsonl" || name == "json-lines") return CostFormat::kJsonLines;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown --format \"", internal::Av(name), "\"; use auto, ce, cur or jsonl"));
}

std::string_view CostFormatName(CostFormat format) {
  constexpr std::string_view kNames[] = {"auto", "Cost Explorer JSON", "CUR CSV", "JSON lines"};
  static_assert(NamesCover(kNames, CostFormat::kJsonLines), "a cost format without a name");
  return NameOf(kNames, format, "");
}

CostFormat DetectCostFormat(std::string_view text) {
  text = SkipBom(text);
  const std::string_view start =
      internal::Sv(absl::StripLeadingAsciiWhitespace(internal::Av(text)));
  if (start.empty() || start.front() != '{') return CostFormat::kCurCsv;
  // One JSON document (the CLI prints it indented over many lines) whose top
  // object has ResultsByTime; JSON lines are one small object per line.
  std::string buffer(text);
  rapidjson::Document doc;
  doc.ParseInsitu<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(
      buffer.data());
  if (!doc.HasParseError() && JsonMember(doc, "ResultsByTime") != nullptr) {
    return CostFormat::kCostExplorer;
  }
  return CostFormat::kJsonLines;
}

CostDocumentReader::CostDocumentReader(const CostOptions& options)
    : options_(options), lines_(options) {
  // The default options are valid: this fails only if they are not.
  absl::StatusOr<std::unique_ptr<LineParser>> parser = LineParser::Create(ParserOptions{});
  if (parser.ok()) parser_ = *std::move(parser);
}

absl::Status CostDocumentReader::Read(std::string_view text, CostFormat format,
                                      std::string_view default_service, std::vector<CostLine>* out,
                                      CostReadCounts* counts) const {
  text = SkipBom(text);
  if (absl::StripAsciiWhitespace(internal::Av(text)).empty()) {
    return absl::InvalidArgumentError("empty: no cost data");
  }
  if (format == CostFormat::kAuto) format = DetectCostFormat(text);
  switch (format) {
    case CostFormat::kCostExplorer:
      return ReadCostExplorer(text, out, counts);
    case CostFormat::kCurCsv:
      return ReadCurCsv(text, out, counts);
    case CostFormat::kJsonLines:
    case CostFormat::kAuto:
      return ReadJsonLines(text, default_service, out, counts);
  }
  return absl::OkStatus();
}

void CostDocumentReader::Keep(CostLine&& line, uint64_t line_no, std::vector<CostLine>* out,
                              CostReadCounts* counts) const {
  ++counts->lines;
  if (!options_.services.empty() && !internal::Listed(options_.services, line.service)) return;
  line.line_no = line_no;
  out->push_back(std::move(line));
}

absl::Status CostDocumentReader::ReadCostExplorer(std::string_view text, std::vector<CostLine>* out,
                                                  CostReadCounts* counts) const {
  std::string buffer(text);
  rapidjson::Document doc;
  doc.ParseInsitu<rapidjson::kParseIterativeFlag>(buffer.data());
  if (doc.HasParseError() || !doc.IsObject()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a JSON object (expected `aws ce get-cost-and-usage` output); parse error "
                     "at byte ",
                     doc.GetErrorOffset()));
  }
  const Json* results = JsonMember(doc, "ResultsByTime");
  if (results == nullptr || !results->IsArray()) {
    return absl::InvalidArgumentError(
        "no \"ResultsByTime\" array: not `aws ce get-cost-and-usage` output");
  }
  uint64_t number = 0;
  for (rapidjson::SizeType i = 0; i < results->Size(); ++i) {
    const Json& result = (*results)[i];
    const std::string path = absl::StrCat("ResultsByTime[", i, "]");
    const Json* period = JsonMember(result, "TimePeriod");
    const std::string_view start = period != nullptr ? Text(JsonMember(*period, "Start")) : "";
    int64_t start_ns = 0;
    if (start.size() < 10 ||
        !ParseTimestamp(absl::StrCat(internal::Av(start.substr(0, 10)), "T00:00:00Z"), &start_ns)) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ".TimePeriod.Start: \"", internal::Av(start), "\" is not a date (YYYY-MM-DD)"));
    }
    CostLine line;
    line.day = start_ns / kDayNs;
    line.time_ns = start_ns;
    const Json* groups = JsonMember(result, "Groups");
    if (groups != nullptr && groups->IsArray() && !groups->Empty()) {
      for (rapidjson::SizeType g = 0; g < groups->Size(); ++g) {
        const Json& group = (*groups)[g];
        const std::string group_path = absl::StrCat(path, ".Groups[", g, "]");
        std::vector<std::string_view> keys;
        if (const Json* k = JsonMember(group, "Keys"); k != nullptr && k->IsArray()) {
          for (const Json& key : k->GetArray()) keys.push_back(Text(&key));
        }
        line.service = absl::StrJoin(keys, " / ",
                                     [](std::string* out, std::string_view k) { out->append(k); });
        if (line.service.empty()) {
          return absl::InvalidArgumentError(absl::StrCat(group_path, ".Keys: none"));
        }
        const Json* metrics = JsonMember(group, "Metrics");
        const Json* metric = metrics != nullptr ? CostMetric(*metrics) : nullptr;
        if (metric == nullptr) {
          return absl::InvalidArgumentError(
              absl::StrCat(group_path,
                           ".Metrics: no UnblendedCost (query with --metrics "
                           "UnblendedCost)"));
        }
        if (absl::Status s = ReadAmount(*metric, group_path + ".Metrics.UnblendedCost", &line);
            !s.ok()) {
          return s;
        }
        Keep(CostLine(line), ++number, out, counts);
      }
      continue;
    }
    // Ungrouped: the day's Total (empty on a day without cost: no line).
    const Json* total = JsonMember(result, "Total");
    const Json* metric = total != nullptr ? CostMetric(*total) : nullptr;
    if (metric == nullptr) continue;
    line.service = std::string(kTotalService);
    if (absl::Status s = ReadAmount(*metric, path + ".Total.UnblendedCost", &line); !s.ok()) {
      return s;
    }
    Keep(std::move(line), ++number, out, counts);
  }
  return absl::OkStatus();
}

absl::Status CostDocumentReader::ReadCurCsv(std::string_view text, std::vector<CostLine>* out,
                                            CostReadCounts* counts) const {
  CsvRows rows;
  // Each row as the JSON object {"column": "value", ...} that the stream's
  // reader takes: the same keys (lineItem/UnblendedCost, lineItem/UsageStartDate,
  // lineItem/ProductCode ...) and the same rules for the values.
  rows.on_row = [&](const std::vector<std::string>& fields) -> absl::Status {
    rapidjson::StringBuffer json;
    rapidjson::Writer<rapidjson::StringBuffer> writer(json);
    writer.StartObject();
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].empty()) continue;
      writer.Key(rows.header[i].data(), static_cast<rapidjson::SizeType>(rows.header[i].size()));
      writer.String(fields[i].data(), static_cast<rapidjson::SizeType>(fields[i].size()));
    }
    writer.EndObject();
    CostLine line;
    if (!lines_.Read(std::string_view(json.GetString(), json.GetSize()), "", false, -1, &line)) {
      ++counts->skipped;
      return absl::OkStatus();
    }
    Keep(std::move(line), rows.row, out, counts);
    return absl::OkStatus();
  };
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    return absl::InternalError("cannot start the CSV reader");
  }
  const size_t parsed = csv_parse(&parser, text.data(), text.size(), CsvField, CsvRowEnd, &rows);
  const bool broken = parsed != text.size() || csv_fini(&parser, CsvField, CsvRowEnd, &rows) != 0;
  const int error = csv_error(&parser);
  csv_free(&parser);
  if (broken) {
    return absl::InvalidArgumentError(
        absl::StrCat("row ", rows.row + 1, ": not valid CSV (", csv_strerror(error), ")"));
  }
  if (!rows.status.ok()) return rows.status;
  if (rows.header.empty()) return absl::InvalidArgumentError("no CSV header row");
  if (counts->lines == 0 && counts->skipped > 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no row has a cost, a usage date and a service (columns such as "
        "lineItem/UnblendedCost, lineItem/UsageStartDate, lineItem/ProductCode); the header has: ",
        absl::StrJoin(rows.header, ",").substr(0, 300)));
  }
  return absl::OkStatus();
}

absl::Status CostDocumentReader::ReadJsonLines(std::string_view text,
                                               std::string_view default_service,
                                               std::vector<CostLine>* out,
                                               CostReadCounts* counts) const {
  if (parser_ == nullptr) return absl::InternalError("cannot start the line parser");
  uint64_t line_no = 0;
  std::string scratch;
  for (absl::string_view raw : absl::StrSplit(internal::Av(text), '\n')) {
    ++line_no;
    if (absl::StripAsciiWhitespace(raw).empty()) continue;
    // As the streaming rule takes a line: its own service and time first.
    const Record r = parser_->ParseLine(internal::Sv(raw), default_service, &scratch);
    CostLine line;
    if (r.kind != RecordKind::kJson ||
        !lines_.Read(internal::ServiceJson(r), r.service, r.time_known(), r.time_ns, &line)) {
      ++counts->skipped;
      continue;
    }
    Keep(std::move(line), line_no, out, counts);
  }
  if (counts->lines == 0 && counts->skipped > 0) {
    return absl::InvalidArgumentError(
        "no line is a JSON object with a cost (cost, cost_usd, lineItem/UnblendedCost ...) and a "
        "time");
  }
  return absl::OkStatus();
}

}  // namespace logweave
