#include "redact/prefilter.h"

#include <algorithm>
#include <utility>

#include "hs/hs.h"

namespace logweave::internal {

std::unique_ptr<RulePrefilter> RulePrefilter::Create(const std::vector<std::string>& patterns,
                                                     const re2::RE2::Options& options) {
  if (hs_valid_platform() != HS_SUCCESS || patterns.empty()) return nullptr;
  std::unique_ptr<RulePrefilter> p(new RulePrefilter());
  p->pattern_count_ = static_cast<int>(patterns.size());
  for (size_t i = 0; i < patterns.size(); ++i) {
    int id = -1;
    if (p->filter_.Add(patterns[i], options, &id) != re2::RE2::NoError ||
        id != static_cast<int>(i)) {
      return nullptr;
    }
  }
  std::vector<std::string> atoms;
  p->filter_.Compile(&atoms);
  if (atoms.empty()) return nullptr;
  for (const std::string& atom : atoms) {
    for (char c : atom) {
      if (static_cast<unsigned char>(c) >= 0x80) return nullptr;
    }
  }
  // The rules a line without any atom may match.
  p->filter_.AllPotentials({}, &p->unfiltered_);
  std::sort(p->unfiltered_.begin(), p->unfiltered_.end());

  std::vector<const char*> literals;
  std::vector<size_t> lengths;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  for (size_t i = 0; i < atoms.size(); ++i) {
    literals.push_back(atoms[i].data());
    lengths.push_back(atoms[i].size());
    flags.push_back(HS_FLAG_CASELESS);  // FilteredRE2's atoms are lower case
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_compile_error_t* error = nullptr;
  if (hs_compile_lit_multi(literals.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned>(literals.size()), HS_MODE_BLOCK, nullptr,
                           &p->atoms_, &error) != HS_SUCCESS) {
    hs_free_compile_error(error);
    return nullptr;
  }
  if (hs_alloc_scratch(p->atoms_, &p->prototype_) != HS_SUCCESS) return nullptr;
  return p;
}

RulePrefilter::~RulePrefilter() {
  absl::MutexLock lock(&mu_);
  for (hs_scratch_t* s : free_) hs_free_scratch(s);
  if (prototype_ != nullptr) hs_free_scratch(prototype_);
  if (atoms_ != nullptr) hs_free_database(atoms_);
}

hs_scratch* RulePrefilter::Acquire() const {
  {
    absl::MutexLock lock(&mu_);
    if (!free_.empty()) {
      hs_scratch_t* s = free_.back();
      free_.pop_back();
      return s;
    }
  }
  hs_scratch_t* s = nullptr;
  return hs_clone_scratch(prototype_, &s) == HS_SUCCESS ? s : nullptr;
}

void RulePrefilter::Release(hs_scratch* scratch) const {
  if (scratch == nullptr) return;
  absl::MutexLock lock(&mu_);
  free_.push_back(scratch);
}

RulePrefilter::Session::Session(const RulePrefilter* prefilter)
    : prefilter_(prefilter), scratch_(prefilter->Acquire()) {}

RulePrefilter::Session::~Session() { prefilter_->Release(scratch_); }

bool RulePrefilter::Session::Scan(std::string_view text,
                                  std::vector<std::pair<uint64_t, int>>* hits) {
  auto on_match = [](unsigned id, unsigned long long /*from*/, unsigned long long to,
                     unsigned /*flags*/, void* context) -> int {
    static_cast<std::vector<std::pair<uint64_t, int>>*>(context)->emplace_back(
        to, static_cast<int>(id));
    return 0;  // on: every atom everywhere
  };
  return scratch_ != nullptr && text.size() <= UINT32_MAX &&
         hs_scan(prefilter_->atoms_, text.data(), static_cast<unsigned>(text.size()), 0, scratch_,
                 on_match, hits) == HS_SUCCESS;
}

void RulePrefilter::Session::ScanBlock(std::string_view block) {
  hits_.clear();
  block_ = block;
  block_scanned_ = Scan(block, &hits_);
  // Matches come in order of their end; sorted all the same, for the lookups.
  if (block_scanned_ && !std::is_sorted(hits_.begin(), hits_.end())) {
    std::sort(hits_.begin(), hits_.end());
  }
}

const std::vector<int>& RulePrefilter::Session::Candidates(std::string_view line) {
  candidates_.clear();
  atoms_.clear();
  const bool inside = block_scanned_ && line.data() >= block_.data() &&
                      line.data() + line.size() <= block_.data() + block_.size();
  if (inside) {
    // The atoms that end inside the line (none crosses a line's end: the
    // lines of a batch are apart by a NUL, which no atom holds).
    const uint64_t begin = static_cast<uint64_t>(line.data() - block_.data());
    const uint64_t end = begin + line.size();
    auto it = std::lower_bound(hits_.begin(), hits_.end(), std::make_pair(begin + 1, 0));
    for (; it != hits_.end() && it->first <= end; ++it) atoms_.push_back(it->second);
  } else {
    line_hits_.clear();
    if (!Scan(line, &line_hits_)) {
      // No scratch space (out of memory) or a failed scan: every rule may match.
      for (int i = 0; i < prefilter_->pattern_count_; ++i) candidates_.push_back(i);
      return candidates_;
    }
    for (const auto& [end, atom] : line_hits_) atoms_.push_back(atom);
  }
  if (atoms_.empty()) {
    candidates_ = prefilter_->unfiltered_;
    return candidates_;
  }
  std::sort(atoms_.begin(), atoms_.end());
  atoms_.erase(std::unique(atoms_.begin(), atoms_.end()), atoms_.end());
  prefilter_->filter_.AllPotentials(atoms_, &candidates_);
  std::sort(candidates_.begin(), candidates_.end());
  return candidates_;
}

}  // namespace logweave::internal
