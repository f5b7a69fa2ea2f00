// Traces reduced to what the detectors need, and where a shard's are kept
// while they are judged.
//
// One FactBuilder per analysis thread reads traces out of the index (under
// the shard's reader lock) into compact facts: each event's time, service,
// event name and arrival order; the trace's kind and services. A FactStore
// keeps the facts of the traces one thread read from one shard, so that
// judging them needs neither the shard's lock nor a second read. Messages
// and places are not kept: evidence lines get their text, source and line
// from the index afterwards, for the few events that need it.
#ifndef LOGWEAVE_ANALYSIS_TRACE_FACTS_H_
#define LOGWEAVE_ANALYSIS_TRACE_FACTS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "analysis/names.h"
#include "internal/sort_runs.h"
#include "logweave/index.h"

namespace logweave::internal {

// Names the analysis threads share: ids mean the same on every thread.
struct AnalysisNames {
  static constexpr size_t kMaxNamesPerService = 10000;
  SharedNames services;
  SharedNames kinds;  // routes, or "service: first event" for traces without one
  SharedNames events{kMaxNamesPerService};  // event names, scoped by service id
};

// One event of a trace. 24 bytes: the facts of every trace are held at once.
struct Ev {
  int64_t time;  // event time; for a line without one, that of the line before it
  uint64_t seq;  // global arrival order: finds the line (and its place) again in the index
  uint32_t service;
  uint32_t name;  // event name id (AnalysisNames::events), or kNoId for free text
};
static_assert(sizeof(Ev) == 24);

// A trace's facts. Views into a FactStore or a FactBuilder's buffers.
struct TraceFacts {
  std::string_view trace_id;
  uint32_t kind = kNoId;
  int64_t start = 0, end = 0;
  uint32_t indexed_events = 0;         // events the index held when read
  std::span<const Ev> events;          // by event time; ties keep arrival order
  std::span<const uint32_t> services;  // distinct, ascending ids
};

// The facts of the traces one thread read (from one shard at a time, in an
// analysis run). Thread-compatible.
class FactStore {
 public:
  void Add(const TraceFacts& f);
  // Forgets the facts, keeping the buffers' capacity.
  void Clear();
  size_t size() const { return traces_.size(); }
  // Views valid until the next Add.
  TraceFacts Get(size_t i) const;

 private:
  struct Rec {
    size_t id_off, ev_begin, svc_begin;
    uint32_t id_len, ev_count, svc_count, kind, indexed_events;
    int64_t start, end;
  };
  std::string ids_;
  std::vector<Rec> traces_;
  std::vector<Ev> events_;
  std::vector<uint32_t> services_;
};

// Reads traces into facts. One per thread; `names` is shared.
// Thread-compatible.
class FactBuilder {
 public:
  explicit FactBuilder(AnalysisNames* names);
  // The facts of `view`, read from index shard `shard`. Views valid until the
  // next call. Interns the trace's services, event names and kind.
  TraceFacts Build(uint32_t shard, const TraceView& view);

 private:
  uint32_t ServiceId(uint32_t shard, const EventView& e);
  // The id of e's message as an event name of `service` (an id of ServiceId's).
  uint32_t EventNameId(uint32_t shard, uint32_t service, const EventView& e);
  // The kind of a trace without a route whose entry is `first`: its service, and its message
  // when that is an event name (`named`).
  uint32_t KindId(uint32_t shard, const EventView& first, bool named);

  static constexpr size_t kMaxEventName = 80;  // longer messages are free text

  NameCache services_, kinds_, events_;
  std::vector<std::vector<uint32_t>> shard_services_;  // [shard][shard's id] -> id, or kNoId
  // Ids memoized per shard by a key made of the shard's own ids (interned messages, services).
  class ShardMemo {
   public:
    // The id under `key` in `shard`, made by make() the first time.
    template <typename Make>
    uint32_t Get(uint32_t shard, uint64_t key, const Make& make) {
      if (shard >= maps_.size()) maps_.resize(shard + 1);
      auto [it, added] = maps_[shard].try_emplace(key, kNoId);
      if (added) it->second = make();
      return it->second;
    }

   private:
    std::vector<absl::flat_hash_map<uint64_t, uint32_t>> maps_;
  };
  // Service id << 32 | shard's message id -> event name id (or kNoId): a message the shard
  // interned is hashed as a number, not as text, once its name is known.
  ShardMemo event_names_by_ids_;
  // Service id << 32 | message id, or kNoId without one -> kind id (KindId).
  ShardMemo kinds_by_ids_;
  struct TimedEv {
    Ev ev;
    bool has_time;             // parsed or inferred from the neighbouring lines
    std::string_view service;  // orders events of equal time (TimelineLess)
  };
  std::vector<TimedEv> read_buf_;
  SortRoom<TimedEv> sort_room_;
  std::vector<Ev> events_buf_;
  std::vector<uint32_t> services_buf_;
  std::string kind_buf_;
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_ANALYSIS_TRACE_FACTS_H_
