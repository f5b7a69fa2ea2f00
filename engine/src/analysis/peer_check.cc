#include "analysis/peer_check.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_split.h"

namespace logweave::internal {

namespace {

// Answers kept at most; older ones are dropped beyond it.
constexpr size_t kMaxKnown = 200000;

bool Checked(const Finding& f) {
  return !f.trace_id.empty() && (f.kind == "missing_service" || f.kind == "incomplete_sequence");
}

bool Holds(const std::vector<std::string>& services, std::string_view service) {
  return std::find(services.begin(), services.end(), service) != services.end();
}

}  // namespace

void PeerCheck::Filter(TraceLookup& lookup, absl::Time now, std::vector<Finding>* findings,
                       AnalysisReport* report) {
  std::vector<std::string> ask;
  absl::flat_hash_set<std::string_view> asking;
  bool incomplete = false;
  for (const Finding& f : *findings) {
    if (!Checked(f)) continue;
    auto it = known_.find(f.trace_id);
    if (it != known_.end() && now - it->second.asked < kRecheck) continue;
    if (!asking.insert(f.trace_id).second) continue;
    if (ask.size() == kMaxAsked) {
      incomplete = true;
      continue;
    }
    ask.push_back(f.trace_id);
  }
  if (!ask.empty()) {
    TraceLookupAnswer answer = lookup.Lookup(ask);
    incomplete = incomplete || !answer.complete;
    absl::flat_hash_map<std::string, std::vector<std::string>> held;
    for (HeldElsewhere& h : answer.held) held[h.trace_id] = std::move(h.services);
    for (std::string& id : ask) {
      auto h = held.find(id);
      // Not held elsewhere, and not every instance answered: unknown; asked again next run.
      if (h == held.end() && !answer.complete) continue;
      Known& k = known_[id];
      k.asked = now;
      k.services = h == held.end() ? std::vector<std::string>() : std::move(h->second);
      if (!k.services.empty()) split_.insert(id);
    }
    Prune(now);
  }
  uint64_t withheld = 0;
  auto held_elsewhere = [&](const Finding& f) {
    if (!Checked(f)) return false;
    auto it = known_.find(f.trace_id);
    if (it == known_.end() || it->second.services.empty()) return false;
    const std::vector<std::string>& services = it->second.services;
    bool held = true;
    if (f.kind == "missing_service") {
      for (absl::string_view s : absl::StrSplit(f.Detail("missing"), ',', absl::SkipEmpty())) {
        held = held && Holds(services, std::string_view(s.data(), s.size()));
      }
    } else {
      held = Holds(services, f.Detail("service"));
    }
    withheld += held;
    return held;
  };
  findings->erase(std::remove_if(findings->begin(), findings->end(), held_elsewhere),
                  findings->end());
  report->split_traces = split_.size();
  report->findings_held_elsewhere = withheld;
  report->lookup_incomplete = incomplete;
}

void PeerCheck::Prune(absl::Time now) {
  if (known_.size() <= kMaxKnown) return;
  absl::erase_if(known_, [&](const auto& entry) { return now - entry.second.asked >= kRecheck; });
}

}  // namespace logweave::internal
