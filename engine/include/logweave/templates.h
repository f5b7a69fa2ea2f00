// Log template mining (Drain): groups messages into templates online, per service, with no
// per-source configuration. A plain-text line loses its header first (SplitHeader); its
// message is cut into tokens and values are masked (MaskMessage); the tokens then descend a
// fixed-depth prefix tree — token count, then the first kLeadingTokens tokens (a variable
// token, or a node already full, goes down the "<*>" branch) — to a leaf of templates of that
// shape. The most similar template (share of positions whose tokens are equal) takes the line
// if the share reaches `similarity`, and the positions where they differ become "<*>";
// otherwise the line starts a new template. A line never moves to another template later,
// so the template a line was given is its group for good.
//
//   TemplateMiner miner(TemplateMinerOptions{});
//   uint64_t id = miner.Add({.service = "payments", .text = line, .plain_text = true});
//   for (const TemplateInfo& t : miner.Snapshot()) ...   // by count, largest first
//
// Threading: thread-compatible (one owner; no internal locking). The analysis keeps one
// miner inside the plain-text error collector, under that collector's mutex; the templates
// command owns one on its reading thread.
#ifndef LOGWEAVE_TEMPLATES_H_
#define LOGWEAVE_TEMPLATES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "logweave/batch.h"
#include "logweave/options.h"
#include "logweave/record.h"

namespace logweave {

struct TemplateMinerOptions {
  // Share (0 < s <= 1) of token positions that must be equal for a message to join a
  // template. Default 0.5.
  double similarity = 0.5;
  // Leading tokens the prefix tree branches on (below the token count). Default 2.
  size_t leading_tokens = 2;
  // Children a tree node keeps before sending new tokens down its "<*>" branch. Default 100.
  size_t max_children = 100;
  // Templates one service may hold; messages that would start another one are counted in
  // overflow() and given no template (id 0). Default 1000.
  size_t max_templates_per_service = 1000;
  // Distinct trace ids kept per template as samples. Default 5.
  size_t max_sample_traces = 5;
  // INVALID_ARGUMENT naming the field for values out of range.
  absl::Status Validate() const;
};

// One message to mine.
struct MinedLine {
  std::string_view service = {};
  // A plain-text line (its header is split off first) or a JSON line's message.
  std::string_view text = {};
  bool plain_text = true;
  Level level = Level::kUnknown;  // kUnknown: the level the header states, if any
  int64_t time_ns = 0;            // with has_time
  bool has_time = false;
  std::string_view trace_id = {};  // empty: none
};

// A template as Snapshot reports it. A plain value.
struct TemplateInfo {
  uint64_t id = 0;  // from 1, in order of creation; stable for the miner's life
  std::string service;
  std::string text;  // the tokens, '<*>' for values, joined by single spaces
  uint64_t count = 0;
  std::array<uint64_t, 7> levels = {};  // lines per Level (indexed by its value)
  int64_t first_ns = 0, last_ns = 0;    // with has_time: the lines' earliest and latest times
  bool has_time = false;
  std::vector<std::string> sample_traces;  // first distinct trace ids seen, at most the option
};

class TemplateMiner {
 public:
  // `options` must be valid (Validate()).
  explicit TemplateMiner(const TemplateMinerOptions& options);
  ~TemplateMiner();
  TemplateMiner(const TemplateMiner&) = delete;
  TemplateMiner& operator=(const TemplateMiner&) = delete;

  // Mines one message: returns the id of the template it joined or started, or 0 when its
  // service is at max_templates_per_service (counted in overflow()). A template's id is a
  // hash of its service and the masked message that started it (StartedTemplateId), so it
  // does not depend on the order services' lines arrive in, nor on the instance.
  uint64_t Add(const MinedLine& line);

  // Without changing anything: the id of the template `line` would join (0 if it would start
  // one) and, in *masked when not null, the message with its values masked.
  uint64_t Lookup(const MinedLine& line, std::string* masked) const;

  // Every template, by count (largest first), then id.
  std::vector<TemplateInfo> Snapshot() const;
  // One template, or nullptr for an unknown id. Valid until the next Add.
  const TemplateInfo* Find(uint64_t id) const;
  size_t size() const { return templates_.size(); }
  // Messages that found no room (see max_templates_per_service).
  uint64_t overflow() const { return overflow_; }

 private:
  struct Node;
  struct Template;
  // The tree of one service.
  struct ServiceTree;

  Template* Match(const Node* leaf, const std::vector<std::string>& tokens) const;
  Node* Leaf(ServiceTree* tree, const std::vector<std::string>& tokens);
  // The leaf `tokens` would reach, or nullptr when its path does not exist yet.
  const Node* FindLeaf(const ServiceTree& tree, const std::vector<std::string>& tokens) const;
  // The id of a template `service` starts with `tokens`: a 40-bit hash of both (ids stay
  // short to type and exact as JSON numbers), made again with another seed while it is 0 or
  // taken.
  uint64_t StartedTemplateId(std::string_view service,
                             const std::vector<std::string>& tokens) const;
  // The message of `line` (its header split off) masked into *tokens; returns its level.
  static Level Tokens(const MinedLine& line, std::vector<std::string>* tokens);

  const TemplateMinerOptions options_;
  absl::flat_hash_map<std::string, std::unique_ptr<ServiceTree>> services_;
  std::vector<std::unique_ptr<Template>> templates_;  // in the order they were started
  absl::flat_hash_map<uint64_t, Template*> by_id_;
  uint64_t overflow_ = 0;
  std::vector<std::string> tokens_;  // scratch of Add
};

// A batch of raw lines parsed as the pipeline parses them, then mined: each plain-text line,
// and each JSON line's message, joins a template of its service (the line's service field,
// else the batch's default). For `logweave templates` and benchmarks.
//
//   auto miner = TemplateBatchMiner::Create(ParserOptions{}, TemplateMinerOptions{});
//   (*miner)->Add(std::move(batch), "payments", &assigned);
//   for (const TemplateInfo& t : (*miner)->miner().Snapshot()) ...
//
// Thread-compatible: one owner.
class TemplateBatchMiner {
 public:
  // INVALID_ARGUMENT for invalid options.
  static absl::StatusOr<std::unique_ptr<TemplateBatchMiner>> Create(
      const ParserOptions& parser, const TemplateMinerOptions& options);
  ~TemplateBatchMiner();

  // One line's template: its 1-based line number in its source and the template id (0: the
  // service was full, see TemplateMiner::overflow).
  struct Assignment {
    uint64_t line_no = 0;
    uint64_t template_id = 0;
  };
  // Parses and mines `batch`; appends an Assignment per mined line (empty lines and JSON
  // lines without a message are skipped) to *assigned when it is not null.
  void Add(RawBatch&& batch, std::string_view default_service, std::vector<Assignment>* assigned);

  TemplateMiner& miner() { return miner_; }

 private:
  class Parser;
  TemplateBatchMiner(std::unique_ptr<Parser> parser, const TemplateMinerOptions& options);
  std::unique_ptr<Parser> parser_;
  TemplateMiner miner_;
};

}  // namespace logweave

#endif  // LOGWEAVE_TEMPLATES_H_
