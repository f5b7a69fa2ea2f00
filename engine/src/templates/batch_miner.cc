// TemplateBatchMiner: the parser in front of a TemplateMiner.
#include <utility>

#include "logweave/templates.h"
#include "parse/parser.h"

namespace logweave {

class TemplateBatchMiner::Parser {
 public:
  explicit Parser(std::unique_ptr<LineParser> parser) : parser_(std::move(parser)) {}
  LineParser& get() { return *parser_; }

 private:
  std::unique_ptr<LineParser> parser_;
};

absl::StatusOr<std::unique_ptr<TemplateBatchMiner>> TemplateBatchMiner::Create(
    const ParserOptions& parser, const TemplateMinerOptions& options) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<LineParser>> line_parser = LineParser::Create(parser);
  if (!line_parser.ok()) return line_parser.status();
  return std::unique_ptr<TemplateBatchMiner>(
      new TemplateBatchMiner(std::make_unique<Parser>(std::move(*line_parser)), options));
}

TemplateBatchMiner::TemplateBatchMiner(std::unique_ptr<Parser> parser,
                                       const TemplateMinerOptions& options)
    : parser_(std::move(parser)), miner_(options) {}

TemplateBatchMiner::~TemplateBatchMiner() = default;

void TemplateBatchMiner::Add(RawBatch&& batch, std::string_view default_service,
                             std::vector<Assignment>* assigned) {
  ParsedBatch parsed;
  parser_->get().ParseBatch(std::move(batch), default_service, &parsed);
  for (const Record& r : parsed.records) {
    if (r.kind == RecordKind::kEmpty) continue;
    const bool plain = r.kind == RecordKind::kUnstructured;
    if (!plain && r.message.empty()) continue;
    const uint64_t id = miner_.Add({.service = r.service,
                                    .text = r.message,
                                    .plain_text = plain,
                                    .level = r.level,
                                    .time_ns = r.time_ns,
                                    .has_time = r.has_time(),
                                    .trace_id = r.trace_id});
    if (assigned != nullptr) assigned->push_back({.line_no = r.line_no, .template_id = id});
  }
}

}  // namespace logweave
