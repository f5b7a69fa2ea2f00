// How the answers of several instances become one (connectors/grpc/peers):
// timelines merged in event time and deduplicated, search and plain-text
// error pages merged in their order and cut to the page size, stats summed
// with each instance's own kept. Pure functions on the logweave.v1 messages.
#ifndef LOGWEAVE_CONNECTORS_GRPC_PEERS_MERGE_H_
#define LOGWEAVE_CONNECTORS_GRPC_PEERS_MERGE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "logweave/v1/logweave.pb.h"

namespace logweave {

// Sets partial and unreachable_peers of any answer with those fields.
template <typename Response>
void MarkPartial(const std::vector<std::string>& unreachable, Response* out) {
  if (unreachable.empty()) return;
  out->set_partial(true);
  for (const std::string& peer : unreachable) out->add_unreachable_peers(peer);
}

// One trace's timeline from the parts each instance holds: events in event
// time (an event held twice, same source, offset and line, kept once),
// services in order of first appearance, findings and plain-text errors once
// per id, evicted events summed. `parts` must not be empty.
v1::GetTimelineResponse MergeTimelines(std::vector<v1::GetTimelineResponse> parts);

// One page of traces from each instance's page (each asked with the same
// request): a trace found on several instances becomes one summary (its time
// range, events, services and finding kinds combined), newest first, at most
// `page_size`; `matched` summed; a next page token (the last trace's
// position, which is every instance's position: the order is total) when
// any instance has more.
v1::SearchTracesResponse MergeSearchPages(std::vector<v1::SearchTracesResponse> pages,
                                          uint32_t page_size);

// One page of plain-text errors, oldest first, each id once, at most
// `page_size`, with the next page token; templates combined by id, largest first.
v1::ListUnstructuredResponse MergeUnstructuredPages(std::vector<v1::ListUnstructuredResponse> pages,
                                                    uint32_t page_size);

// The stats of the whole deployment: counters summed over `local` and every
// (peer name, stats) in `peers`; the watermark is the slowest instance's,
// lag, uptime and the newest event time the largest; ready only if all are;
// sources and Kafka partitions listed from all. `instances` holds each
// instance's own stats, `local` first (instance ""), each peer's named.
v1::Stats MergeStats(const v1::Stats& local, std::vector<std::pair<std::string, v1::Stats>> peers);

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_GRPC_PEERS_MERGE_H_
