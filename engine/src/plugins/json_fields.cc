#include "plugins/json_fields.h"

#include <algorithm>
#include <string>

#include "rapidjson/reader.h"

namespace logweave::internal {
namespace {

// Containers (objects and arrays) nested deeper than this end the read;
// what came before is kept.
constexpr int kMaxDepth = 64;

// SAX handler: tracks the dotted path of the current key and hands each
// scalar value outside arrays to `on_value(path, text, is_number)`.
template <typename OnValue>
class PathHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, PathHandler<OnValue>> {
 public:
  explicit PathHandler(OnValue on_value) : on_value_(std::move(on_value)) {}

  bool StartObject() {
    if (++depth_ > kMaxDepth) return false;
    if (array_depth_ > 0) return true;
    if (!prefix_lengths_.empty()) path_.push_back('.');
    prefix_lengths_.push_back(path_.size());
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    if (array_depth_ > 0) return true;
    prefix_lengths_.pop_back();
    // What follows in the parent is a key (which sets the path) or its end.
    path_.resize(prefix_lengths_.empty() ? 0 : prefix_lengths_.back());
    return true;
  }
  bool StartArray() {
    ++array_depth_;
    return ++depth_ <= kMaxDepth;
  }
  bool EndArray(rapidjson::SizeType) {
    --array_depth_;
    --depth_;
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (array_depth_ > 0) return true;
    path_.resize(prefix_lengths_.back());
    path_.append(s, n);
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (array_depth_ == 0 && !prefix_lengths_.empty())
      on_value_(path_, std::string_view(s, n), false);
    return true;
  }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    if (array_depth_ == 0 && !prefix_lengths_.empty())
      on_value_(path_, std::string_view(s, n), true);
    return true;
  }
  bool Bool(bool) { return true; }
  bool Null() { return true; }

 private:
  OnValue on_value_;
  std::string path_;                    // the current key's dotted path
  std::vector<size_t> prefix_lengths_;  // per open object: where its keys start in path_
  int array_depth_ = 0;
  int depth_ = 0;  // objects and arrays open
};

}  // namespace

JsonFieldPicker::JsonFieldPicker(const std::vector<std::vector<std::string>>& slots,
                                 int required_slot)
    : slot_count_(slots.size()) {
  for (size_t s = 0; s < slots.size(); ++s) {
    for (size_t r = 0; r < slots[s].size(); ++r) {
      keys_.emplace(slots[s][r], Slot{static_cast<int>(s), static_cast<int>(r)});
    }
  }
  if (required_slot >= 0 && static_cast<size_t>(required_slot) < slots.size()) {
    for (const std::string& key : slots[required_slot]) {
      const size_t cut = key.find_last_of("./");
      std::string needle = cut == std::string::npos ? key : key.substr(cut + 1);
      if (needle.empty()) needle = key;
      if (std::find(needles_.begin(), needles_.end(), needle) == needles_.end()) {
        needles_.push_back(std::move(needle));
      }
    }
    // A needle that holds another is found whenever that one is: drop it.
    std::vector<std::string> kept;
    for (const std::string& n : needles_) {
      const bool covered = std::any_of(needles_.begin(), needles_.end(), [&](const std::string& m) {
        return m.size() < n.size() && n.find(m) != std::string::npos;
      });
      if (!covered) kept.push_back(n);
    }
    needles_ = std::move(kept);
  }
}

std::vector<std::vector<JsonFieldPicker::Match>> JsonFieldPicker::Pick(
    std::string_view json) const {
  std::vector<std::vector<Match>> found(slot_count_);
  if (!needles_.empty() &&
      std::none_of(needles_.begin(), needles_.end(), [&](const std::string& needle) {
        return json.find(needle) != std::string_view::npos;
      })) {
    return found;
  }
  auto on_value = [&](const std::string& path, std::string_view text, bool is_number) {
    auto it = keys_.find(path);
    if (it == keys_.end()) return;
    found[it->second.slot].push_back(Match{it->second.rank, is_number, std::string(text)});
  };
  PathHandler<decltype(on_value)> handler(on_value);
  // In situ, on a copy: RapidJSON 1.1's non-in-situ reader copies strings
  // through a lazily allocated stack with arithmetic on its null start (UB
  // that UBSan reports); in situ it never uses that stack for strings.
  std::string copy(json);
  rapidjson::Reader reader;
  rapidjson::InsituStringStream bytes(copy.data());
  // Iterative: a hostile nesting depth cannot overflow the thread's stack.
  reader.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag |
               rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseIterativeFlag>(bytes, handler);
  for (auto& matches : found) {
    std::stable_sort(matches.begin(), matches.end(),
                     [](const Match& a, const Match& b) { return a.rank < b.rank; });
  }
  return found;
}

}  // namespace logweave::internal
