// GroupByTemplate (logweave/report.h): plain-text errors by their log template.
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "logweave/report.h"

namespace logweave {

namespace {
constexpr size_t kSampleTraces = 5;
}  // namespace

std::vector<UnstructuredGroup> GroupByTemplate(const std::vector<AttributedEntry>& entries) {
  std::vector<UnstructuredGroup> groups;
  absl::flat_hash_map<uint64_t, size_t> by_id;  // template id -> index in groups
  for (size_t i = 0; i < entries.size(); ++i) {
    const UnstructuredEntry& e = entries[i].entry;
    UnstructuredGroup* g = nullptr;
    if (e.template_id != 0) {
      auto [it, added] = by_id.try_emplace(e.template_id, groups.size());
      if (!added) g = &groups[it->second];
    }
    if (g == nullptr) {
      g = &groups.emplace_back();
      g->template_id = e.template_id;
      g->template_text =
          !e.template_text.empty() ? e.template_text.str() : std::string(e.first_line());
    }
    ++g->count;
    g->entries.push_back(i);
    if (e.time_known) {
      if (!g->time_known || e.time_ns < g->first_ns) g->first_ns = e.time_ns;
      if (!g->time_known || e.time_ns > g->last_ns) g->last_ns = e.time_ns;
      g->time_known = true;
    }
    if (std::find(g->services.begin(), g->services.end(), e.service) == g->services.end()) {
      g->services.insert(std::upper_bound(g->services.begin(), g->services.end(), e.service),
                         e.service);
    }
    const auto& candidates = entries[i].candidates;
    if (!candidates.empty() && g->sample_traces.size() < kSampleTraces &&
        std::find(g->sample_traces.begin(), g->sample_traces.end(), candidates.front().trace_id) ==
            g->sample_traces.end()) {
      g->sample_traces.push_back(candidates.front().trace_id);
    }
  }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const UnstructuredGroup& a, const UnstructuredGroup& b) {
                     if (a.count != b.count) return a.count > b.count;
                     return a.first_ns < b.first_ns;
                   });
  return groups;
}

}  // namespace logweave
