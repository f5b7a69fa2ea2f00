#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "logweave/templates.h"
#include "templates/header.h"
#include "templates/masking.h"
#include "xxhash.h"

namespace logweave {

using internal::IsVariableToken;
using internal::kWildcard;

struct TemplateMiner::Template {
  std::vector<std::string> tokens;
  TemplateInfo info;
};

struct TemplateMiner::Node {
  absl::flat_hash_map<std::string, std::unique_ptr<Node>> children;
  std::vector<Template*> templates;  // at a leaf
};

struct TemplateMiner::ServiceTree {
  absl::flat_hash_map<size_t, std::unique_ptr<Node>> by_length;
  size_t templates = 0;
};

absl::Status TemplateMinerOptions::Validate() const {
  if (!(similarity > 0 && similarity <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("templates: similarity must be in (0, 1] (got ", similarity, "); use 0.5"));
  }
  if (max_children < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("templates: max_children must be at least 2 (got ", max_children, ")"));
  }
  if (max_templates_per_service == 0) {
    return absl::InvalidArgumentError("templates: max_templates_per_service must be positive");
  }
  return absl::OkStatus();
}

TemplateMiner::TemplateMiner(const TemplateMinerOptions& options) : options_(options) {}
TemplateMiner::~TemplateMiner() = default;

TemplateMiner::Node* TemplateMiner::Leaf(ServiceTree* tree,
                                         const std::vector<std::string>& tokens) {
  std::unique_ptr<Node>& top = tree->by_length[tokens.size()];
  if (!top) top = std::make_unique<Node>();
  Node* node = top.get();
  const size_t depth = std::min(options_.leading_tokens, tokens.size());
  for (size_t i = 0; i < depth; ++i) {
    const std::string& token = tokens[i];
    absl::string_view key = IsVariableToken(token)
                                ? absl::string_view(kWildcard.data(), kWildcard.size())
                                : absl::string_view(token);
    auto it = node->children.find(key);
    if (it == node->children.end()) {
      // A full node sends new tokens down its "<*>" branch.
      if (node->children.size() + 1 >= options_.max_children) {
        key = absl::string_view(kWildcard.data(), kWildcard.size());
      }
      it = node->children.try_emplace(std::string(key), std::make_unique<Node>()).first;
    }
    node = it->second.get();
  }
  return node;
}

const TemplateMiner::Node* TemplateMiner::FindLeaf(const ServiceTree& tree,
                                                   const std::vector<std::string>& tokens) const {
  auto top = tree.by_length.find(tokens.size());
  if (top == tree.by_length.end()) return nullptr;
  const Node* node = top->second.get();
  const size_t depth = std::min(options_.leading_tokens, tokens.size());
  for (size_t i = 0; i < depth; ++i) {
    const std::string& token = tokens[i];
    auto it = node->children.find(IsVariableToken(token)
                                      ? absl::string_view(kWildcard.data(), kWildcard.size())
                                      : absl::string_view(token));
    if (it == node->children.end()) {
      it = node->children.find(absl::string_view(kWildcard.data(), kWildcard.size()));
    }
    if (it == node->children.end()) return nullptr;
    node = it->second.get();
  }
  return node;
}

Level TemplateMiner::Tokens(const MinedLine& line, std::vector<std::string>* tokens) {
  std::string_view message = line.text;
  Level level = line.level;
  if (line.plain_text) {
    const internal::LineHeader header = internal::SplitHeader(line.text);
    message = header.message;
    if (level == Level::kUnknown) level = header.level;
  }
  internal::MaskMessage(message, tokens);
  return level;
}

uint64_t TemplateMiner::Lookup(const MinedLine& line, std::string* masked) const {
  std::vector<std::string> tokens;
  Tokens(line, &tokens);
  if (masked != nullptr) *masked = absl::StrJoin(tokens, " ");
  auto tree = services_.find(absl::string_view(line.service.data(), line.service.size()));
  if (tree == services_.end()) return 0;
  const Node* leaf = FindLeaf(*tree->second, tokens);
  if (leaf == nullptr) return 0;
  const Template* t = Match(leaf, tokens);
  return t == nullptr ? 0 : t->info.id;
}

TemplateMiner::Template* TemplateMiner::Match(const Node* leaf,
                                              const std::vector<std::string>& tokens) const {
  Template* best = nullptr;
  double best_similarity = -1;
  for (Template* t : leaf->templates) {
    size_t equal = 0;
    for (size_t i = 0; i < tokens.size(); ++i) equal += t->tokens[i] == tokens[i];
    const double similarity =
        tokens.empty() ? 1.0 : static_cast<double>(equal) / static_cast<double>(tokens.size());
    if (similarity > best_similarity) {
      best_similarity = similarity;
      best = t;
    }
  }
  return best_similarity >= options_.similarity ? best : nullptr;
}

uint64_t TemplateMiner::Add(const MinedLine& line) {
  const Level level = Tokens(line, &tokens_);
  std::unique_ptr<ServiceTree>& tree =
      services_[absl::string_view(line.service.data(), line.service.size())];
  if (!tree) tree = std::make_unique<ServiceTree>();
  Node* leaf = Leaf(tree.get(), tokens_);
  Template* t = Match(leaf, tokens_);
  if (t == nullptr) {
    if (tree->templates >= options_.max_templates_per_service) {
      ++overflow_;
      return 0;
    }
    ++tree->templates;
    templates_.push_back(std::make_unique<Template>());
    t = templates_.back().get();
    t->tokens = tokens_;
    t->info.id = StartedTemplateId(line.service, tokens_);
    by_id_.emplace(t->info.id, t);
    t->info.service = std::string(line.service);
    t->info.text = absl::StrJoin(t->tokens, " ");
    leaf->templates.push_back(t);
  } else {
    bool changed = false;
    for (size_t i = 0; i < tokens_.size(); ++i) {
      if (t->tokens[i] != tokens_[i] && t->tokens[i] != kWildcard) {
        t->tokens[i] = std::string(kWildcard);
        changed = true;
      }
    }
    if (changed) t->info.text = absl::StrJoin(t->tokens, " ");
  }
  TemplateInfo& info = t->info;
  ++info.count;
  ++info.levels[static_cast<size_t>(level)];
  if (line.has_time) {
    if (!info.has_time || line.time_ns < info.first_ns) info.first_ns = line.time_ns;
    if (!info.has_time || line.time_ns > info.last_ns) info.last_ns = line.time_ns;
    info.has_time = true;
  }
  if (!line.trace_id.empty() && info.sample_traces.size() < options_.max_sample_traces &&
      std::find(info.sample_traces.begin(), info.sample_traces.end(), line.trace_id) ==
          info.sample_traces.end()) {
    info.sample_traces.emplace_back(line.trace_id);
  }
  return info.id;
}

uint64_t TemplateMiner::StartedTemplateId(std::string_view service,
                                          const std::vector<std::string>& tokens) const {
  std::string key(service);
  for (const std::string& token : tokens) {
    key.push_back('\0');
    key.append(token);
  }
  constexpr uint64_t kIdBits = (uint64_t{1} << 40) - 1;
  uint64_t id = 0;
  for (uint64_t seed = 0; id == 0 || by_id_.contains(id); ++seed) {
    id = XXH3_64bits_withSeed(key.data(), key.size(), seed) & kIdBits;
  }
  return id;
}

std::vector<TemplateInfo> TemplateMiner::Snapshot() const {
  std::vector<TemplateInfo> out;
  out.reserve(templates_.size());
  for (const auto& t : templates_) out.push_back(t->info);
  std::sort(out.begin(), out.end(), [](const TemplateInfo& a, const TemplateInfo& b) {
    if (a.count != b.count) return a.count > b.count;
    return a.id < b.id;
  });
  return out;
}

const TemplateInfo* TemplateMiner::Find(uint64_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second->info;
}

}  // namespace logweave
