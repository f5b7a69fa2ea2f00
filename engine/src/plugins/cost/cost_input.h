// The cost rule's documents besides the stream's JSON lines, for the one-shot
// `logweave cost` command: `aws ce get-cost-and-usage` output (one page of
// it per document; the pages of a NextPageToken walk are read one after the
// other into the same lines), AWS Cost and Usage Report CSV, and JSON lines
// (each read as the streaming rule reads a line).
//
//   CostDocumentReader reader(options);
//   std::vector<CostLine> lines;
//   absl::Status s = reader.Read(text, CostFormat::kAuto, "billing", &lines, &counts);
#ifndef LOGWEAVE_PLUGINS_COST_COST_INPUT_H_
#define LOGWEAVE_PLUGINS_COST_COST_INPUT_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "plugins/cost/cost.h"

namespace logweave {

class LineParser;

enum class CostFormat {
  kAuto,          // told from the content (DetectCostFormat)
  kCostExplorer,  // `aws ce get-cost-and-usage` JSON
  kCurCsv,        // AWS Cost and Usage Report CSV (a header row, then one row per line item)
  kJsonLines,     // one JSON object per line, as on the stream
};

// "auto", "ce" (or "cost-explorer"), "cur" (or "csv"), "jsonl" (or
// "json-lines"); INVALID_ARGUMENT for anything else.
absl::StatusOr<CostFormat> ParseCostFormat(std::string_view name);
// "Cost Explorer JSON", "CUR CSV", "JSON lines".
std::string_view CostFormatName(CostFormat format);
// A JSON object with "ResultsByTime": Cost Explorer; else a first line that
// starts with "{": JSON lines; else CSV.
CostFormat DetectCostFormat(std::string_view text);

// What a document gave.
struct CostReadCounts {
  uint64_t lines = 0;    // cost lines read (rows, groups, JSON lines), kept or filtered out
  uint64_t skipped = 0;  // rows or lines without a cost, a day or a service
};

// Reads the cost documents. Immutable; thread-safe.
class CostDocumentReader {
 public:
  explicit CostDocumentReader(const CostOptions& options);

  // Appends the cost lines of `text` to `out` (their service, day, amount,
  // micros, currency and line_no: the row, group or line number, from 1).
  // `default_service` is the service of JSON lines that name none.
  // INVALID_ARGUMENT saying what is wrong and where (a JSON path, a row
  // number) for a document that is not of the format; a row or line that
  // carries no cost is skipped and counted. The options' service filter applies.
  absl::Status Read(std::string_view text, CostFormat format, std::string_view default_service,
                    std::vector<CostLine>* out, CostReadCounts* counts) const;

 private:
  absl::Status ReadCostExplorer(std::string_view text, std::vector<CostLine>* out,
                                CostReadCounts* counts) const;
  absl::Status ReadCurCsv(std::string_view text, std::vector<CostLine>* out,
                          CostReadCounts* counts) const;
  absl::Status ReadJsonLines(std::string_view text, std::string_view default_service,
                             std::vector<CostLine>* out, CostReadCounts* counts) const;
  // Keeps `line` (numbered `line_no`) unless the service filter leaves it out.
  void Keep(CostLine&& line, uint64_t line_no, std::vector<CostLine>* out,
            CostReadCounts* counts) const;

  const CostOptions options_;
  const CostLineReader lines_;
  // Made once (its redaction rules take milliseconds to compile), shared by
  // copies; null if it could not be made (ReadJsonLines says so).
  std::shared_ptr<const LineParser> parser_;
};

}  // namespace logweave

#endif  // LOGWEAVE_PLUGINS_COST_COST_INPUT_H_
