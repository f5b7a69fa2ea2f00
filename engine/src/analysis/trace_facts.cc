#include "analysis/trace_facts.h"

#include <algorithm>

namespace logweave::internal {

void FactStore::Add(const TraceFacts& f) {
  Rec r;
  r.id_off = ids_.size();
  r.id_len = static_cast<uint32_t>(f.trace_id.size());
  ids_.append(f.trace_id);
  r.ev_begin = events_.size();
  r.ev_count = static_cast<uint32_t>(f.events.size());
  events_.insert(events_.end(), f.events.begin(), f.events.end());
  r.svc_begin = services_.size();
  r.svc_count = static_cast<uint32_t>(f.services.size());
  services_.insert(services_.end(), f.services.begin(), f.services.end());
  r.kind = f.kind;
  r.indexed_events = f.indexed_events;
  r.start = f.start;
  r.end = f.end;
  traces_.push_back(r);
}

void FactStore::Clear() {
  ids_.clear();
  traces_.clear();
  events_.clear();
  services_.clear();
}

TraceFacts FactStore::Get(size_t i) const {
  const Rec& r = traces_[i];
  TraceFacts f;
  f.trace_id = std::string_view(ids_.data() + r.id_off, r.id_len);
  f.kind = r.kind;
  f.start = r.start;
  f.end = r.end;
  f.indexed_events = r.indexed_events;
  f.events = std::span<const Ev>(events_.data() + r.ev_begin, r.ev_count);
  f.services = std::span<const uint32_t>(services_.data() + r.svc_begin, r.svc_count);
  return f;
}

FactBuilder::FactBuilder(AnalysisNames* names)
    : services_(&names->services), kinds_(&names->kinds), events_(&names->events) {}

uint32_t FactBuilder::ServiceId(uint32_t shard, const EventView& e) {
  if (shard >= shard_services_.size()) shard_services_.resize(shard + 1);
  std::vector<uint32_t>& map = shard_services_[shard];
  if (e.service_id >= map.size()) map.resize(e.service_id + 1, kNoId);
  uint32_t& id = map[e.service_id];
  if (id == kNoId) id = services_.Id(0, e.service);
  return id;
}

uint32_t FactBuilder::KindId(uint32_t shard, const EventView& first, bool named) {
  // By the shard's ids of the entry's service and message, when it has them: the kind's text is
  // made and hashed once per (shard, service, message), not for every trace.
  auto make = [&] {
    kind_buf_.assign(first.service);
    if (named) {
      kind_buf_.append(": ");
      kind_buf_.append(first.message);
    }
    return kinds_.Id(0, kind_buf_);
  };
  if (named && first.message_id == EventView::kNoMessageId) return make();
  const uint64_t key = (uint64_t{first.service_id} << 32) | (named ? first.message_id : kNoId);
  return kinds_by_ids_.Get(shard, key, make);
}

uint32_t FactBuilder::EventNameId(uint32_t shard, uint32_t service, const EventView& e) {
  auto make = [&] { return events_.Id(service, e.message); };
  if (e.message_id == EventView::kNoMessageId) return make();
  return event_names_by_ids_.Get(shard, (uint64_t{service} << 32) | e.message_id, make);
}

TraceFacts FactBuilder::Build(uint32_t shard, const TraceView& view) {
  read_buf_.clear();
  for (size_t i = 0; i < view.count; ++i) {
    const EventView& e = view.events[i];
    const uint32_t service = ServiceId(shard, e);
    uint32_t name = kNoId;
    if (e.kind == RecordKind::kJson && !e.message.empty() && e.message.size() <= kMaxEventName) {
      name = EventNameId(shard, service, e);
    }
    read_buf_.push_back(TimedEv{Ev{e.time_ns, e.seq, service, name},
                                (e.flags & (kRecordHasTime | kRecordTimeInferred)) != 0,
                                e.service});
  }
  StableSortRuns(read_buf_, sort_room_,
                 [](const TimedEv& a, const TimedEv& b) { return a.ev.seq < b.ev.seq; });
  // A line without a time takes that of the line before it (the first timed
  // one for those at the start), so that it keeps its place.
  int64_t carry = 0;
  for (const TimedEv& e : read_buf_) {
    if (e.has_time) {
      carry = e.ev.time;
      break;
    }
  }
  for (TimedEv& e : read_buf_) {
    if (e.has_time) {
      carry = e.ev.time;
    } else {
      e.ev.time = carry;
    }
  }
  // The timeline's order (TimelineLess), so that it does not depend on the order the sources
  // were read in.
  StableSortRuns(read_buf_, sort_room_, [](const TimedEv& a, const TimedEv& b) {
    return TimelineLess(a.ev.time, a.service, b.ev.time, b.service);
  });
  events_buf_.clear();
  for (const TimedEv& e : read_buf_) events_buf_.push_back(e.ev);
  // Its distinct services, sorted: a trace has few, each logging many of its events (a look
  // through those found so far, while they are few).
  constexpr size_t kFewServices = 32;
  services_buf_.clear();
  for (const Ev& e : events_buf_) {
    if (services_buf_.size() > kFewServices ||
        std::find(services_buf_.begin(), services_buf_.end(), e.service) == services_buf_.end()) {
      services_buf_.push_back(e.service);
    }
  }
  std::sort(services_buf_.begin(), services_buf_.end());
  services_buf_.erase(std::unique(services_buf_.begin(), services_buf_.end()), services_buf_.end());

  TraceFacts f;
  f.trace_id = view.trace_id;
  f.indexed_events = static_cast<uint32_t>(view.count);
  f.events = events_buf_;
  f.services = services_buf_;
  f.start = events_buf_.empty() ? 0 : events_buf_.front().time;
  f.end = events_buf_.empty() ? 0 : events_buf_.back().time;
  if (!view.route.empty()) {
    f.kind = kinds_.Id(0, view.route);
  } else if (!events_buf_.empty()) {
    // The trace's entry: its first event, at its service.
    const Ev& entry = events_buf_.front();
    const EventView* first = nullptr;
    for (size_t i = 0; i < view.count && first == nullptr; ++i) {
      if (view.events[i].seq == entry.seq) first = &view.events[i];
    }
    if (first == nullptr) first = &view.events[0];  // seq is unique: not reached
    f.kind = KindId(shard, *first, entry.name != kNoId);
  }
  return f;
}

}  // namespace logweave::internal
