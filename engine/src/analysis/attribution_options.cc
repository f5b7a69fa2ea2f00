#include "analysis/attribution_options.h"

namespace logweave::internal {

// Arranges `list` (requests without a time there dropped) and describes it.
ServiceCandidates ArrangeCandidates(CandidateList& list, std::vector<int64_t>& spans) {
  ServiceCandidates sc;
  // A request with no time in the service is no option for any error (the
  // analyzer makes none; other callers might).
  list.erase(std::remove_if(list.begin(), list.end(),
                            [](const Candidate& c) { return c.count == 0 || c.first > c.last; }),
             list.end());
  spans.clear();
  for (const Candidate& c : list) spans.push_back(Span(c));
  if (!spans.empty()) {
    std::nth_element(spans.begin(), spans.begin() + spans.size() / 2, spans.end());
    sc.median_span = spans[spans.size() / 2];
  }
  const auto open =
      std::partition(list.begin(), list.end(), [](const Candidate& c) { return c.incomplete; });
  std::sort(list.begin(), open, [](const Candidate& a, const Candidate& b) {
    return a.first != b.first ? a.first < b.first : IdLess(a, b);
  });
  std::sort(open, list.end(), [](const Candidate& a, const Candidate& b) {
    return a.last != b.last ? a.last < b.last : IdLess(a, b);
  });
  sc.open_begin = static_cast<size_t>(open - list.begin());
  for (auto it = list.begin(); it != open; ++it) {
    sc.max_span_incomplete = std::max(sc.max_span_incomplete, Span(*it));
  }
  sc.lasts.reserve(list.end() - open);
  for (auto it = open; it != list.end(); ++it) {
    sc.max_span_open = std::max(sc.max_span_open, Span(*it));
    const size_t k = sc.lasts.size();
    if (k % kBlock == 0) sc.block_min_first.push_back(it->first);
    sc.block_min_first.back() = std::min(sc.block_min_first.back(), it->first);
    sc.lasts.push_back(it->last);
  }
  return sc;
}

}  // namespace logweave::internal
