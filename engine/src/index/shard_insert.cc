// Shard: inserting records, and evicting the oldest ones over budget.
#include <algorithm>

#include "index/shard.h"

namespace logweave::internal {

namespace {

// The share of a shard's budget the window of evicted traces may take: a
// table slot is 8 bytes and a generation's table is up to 8/3 x its entries.
constexpr uint64_t kEvictedWindowShare = 512;  // bytes of budget per remembered trace

}  // namespace

Shard::Shard(size_t dedupe_window, uint64_t max_bytes, const LineFiles* files)
    : max_bytes_(max_bytes),
      files_(files),
      evicted_window_(max_bytes / kEvictedWindowShare),
      dedupe_(dedupe_window) {}

uint64_t Shard::DedupeBytes(size_t entries) { return DedupeWindow::MaxBytes(entries); }

void Shard::Insert(const ShardRecord* records, size_t count, bool dedupe) {
  // The slow part of growing happens here, outside the lock, so that queries
  // never wait for it. Reads the shard without the lock: the owner is its
  // only writer, and concurrent readers only read.
  [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    events_.Prepare(count);
    traces_.Prepare(count);
  }();
  if (dedupe) dedupe_.Prepare(count);
  for (size_t begin = 0; begin < count || begin == 0; begin += kRecordsPerHold) {
    const size_t end = std::min(count, begin + kRecordsPerHold);
    absl::MutexLock lock(&mu_);
    if (begin == 0) traces_.Install();
    // Hash-table slots are random accesses: ask for them a few records ahead.
    constexpr size_t kLookahead = 8;
    for (size_t i = begin; i < end; ++i) {
      if (i + kLookahead < end) {
        const ShardRecord& ahead = records[i + kLookahead];
        const std::string_view id = ahead.record->trace_id;
        if (!id.empty()) traces_.Prefetch(id, ahead.trace_hash);
        if (dedupe) dedupe_.Prefetch(ahead.line_hash);
      }
      InsertOne(records[i], dedupe);
    }
    if (end == count) {
      UpdateBytes();
      Evict();
      break;
    }
  }
}

void Shard::Evict() {
  while (max_bytes_ > 0 && bytes_ > max_bytes_ && events_.end() > events_.first_live()) {
    EvictOldestChunk();
    while (traces_.DropOldestChunk(
        [&](const TraceRecord& t) ABSL_NO_THREAD_SAFETY_ANALYSIS { return HasEvents(t); },
        [&](const TraceRecord& t, uint64_t hash) ABSL_NO_THREAD_SAFETY_ANALYSIS {
          // A trace re-created after an earlier eviction was counted then.
          if (!(t.flags & TraceRecord::kTraceReborn)) ++evicted_traces_;
          evicted_window_.Add(hash, t.count);
        })) {
    }
    UpdateBytes();
  }
}

void Shard::ReleaseDedupeWindow() {
  absl::MutexLock lock(&mu_);
  dedupe_.Clear();
  UpdateBytes();
}

void Shard::ReleaseTraces() {
  absl::MutexLock lock(&mu_);
  events_.Clear();
  traces_.Clear();
  lines_.DropBefore(UINT64_MAX);
  escaped_ = decltype(escaped_)();
  escaped_arenas_.clear();
  escaped_arena_bytes_ = 0;
  UpdateBytes();
}

void Shard::UpdateBytes() {
  bytes_ = lines_.bytes() + messages_.bytes() + services_.bytes() + routes_.bytes() +
           events_.bytes() + traces_.bytes() + escaped_arena_bytes_ + dedupe_.bytes() +
           evicted_window_.bytes() +
           escaped_.capacity() * (sizeof(std::pair<uint64_t, std::string_view>) + 1);
  bytes_now_.store(bytes_, std::memory_order_relaxed);
}

void Shard::EvictOldestChunk() {
  const uint64_t begin = events_.first_live();
  const uint64_t end = std::min(events_.end(), begin + EventLog::kChunkEvents);
  for (uint64_t i = begin; i < end; ++i) {
    if (events_.Event(i).flags() & kStoredMessageEscaped) escaped_.erase(i);
  }
  if (escaped_arenas_.front() != nullptr) {
    escaped_arena_bytes_ -= escaped_arenas_.front()->reserved_bytes();
  }
  escaped_arenas_.pop_front();
  // Lines are stored in event order: the blocks before the first live
  // event's line hold only evicted ones.
  uint64_t lines_end = 0;
  evicted_events_ += events_.DropOldestChunk(&lines_end);
  lines_.DropBefore(lines_end == kNoEvent ? UINT64_MAX : lines_end);
}

bool Shard::SameLine(uint64_t other, uint32_t service, std::string_view raw) {
  if (events_.Live(other) == kNoEvent || events_.Service(other) != service) return false;
  const EventPlace p = events_.Place(other);
  return p.raw_len == raw.size() &&
         LineBytes(events_.Event(other), p, 0, p.raw_len, &dedupe_cache_) == raw;
}

void Shard::InsertOne(const ShardRecord& sr, bool dedupe) {
  const Record& r = *sr.record;
  const uint64_t index = events_.end();
  // A repeat is the same line of the same service: identical lines in the files of two
  // services (whose name comes from the file) are two events. A line cut at max_line_bytes
  // is not compared: lines that differ after the cut would look the same.
  const uint32_t service = services_.Id(r.service);
  if (dedupe && r.kind == RecordKind::kJson && !(r.flags & kRecordTruncated)) {
    const uint64_t twin =
        dedupe_.Find(sr.line_hash, index, [&](uint64_t other) ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return SameLine(other, service, r.raw);
        });
    if (twin != DedupeWindow::kNoTwin) {
      ++duplicates_;
      return;
    }
    // A new line, or a repeat of one that was evicted, or a hash collision
    // between different lines: stored, and recorded for later repeats.
    dedupe_.Add(sr.line_hash, index);
  }
  if ((index & (EventLog::kChunkEvents - 1)) == 0) escaped_arenas_.emplace_back();

  EventFields ev;
  EventPlace place;
  const bool in_file = files_ != nullptr && (r.flags & kRecordLineInFile);
  place.raw_pos = in_file ? lines_.end_position() : lines_.Append(r.raw);
  place.raw_len = static_cast<uint32_t>(r.raw.size());
  place.source_id = r.source_id;
  place.line_no = r.line_no;
  place.source_offset = r.source_offset;
  ev.flags = (r.flags & kRecordFlagsMask & ~kRecordLineInFile) | (in_file ? kStoredLineInFile : 0);
  ev.msg = 0;
  const bool message_in_raw =
      r.message.empty() ||
      (r.message.data() >= r.raw.data() && r.message.data() <= r.raw.data() + r.raw.size());
  if (r.kind == RecordKind::kJson && !r.message.empty() &&
      r.message.size() <= kMaxInternedMessageBytes &&
      (messages_.size() < kMaxInternedMessages || messages_.Find(r.message) != kNoName)) {
    ev.msg = static_cast<uint16_t>(messages_.Id(r.message));  // < kMaxInternedMessages
    ev.flags |= kStoredMessageInterned;
  } else if (message_in_raw) {
    place.msg_off = r.message.empty() ? 0 : static_cast<uint32_t>(r.message.data() - r.raw.data());
    place.msg_len = static_cast<uint32_t>(r.message.size());
  } else {
    std::unique_ptr<Arena>& arena =
        escaped_arenas_[(index - events_.first_live()) >> EventLog::kChunkShift];
    if (arena == nullptr) arena = std::make_unique<Arena>(64 << 10);
    const size_t before = arena->reserved_bytes();
    escaped_.emplace(index, arena->Copy(r.message));
    escaped_arena_bytes_ += arena->reserved_bytes() - before;
    ev.flags |= kStoredMessageEscaped;
  }
  ev.time_ns = r.time_ns;
  ev.seq = r.seq;
  ev.service = service;
  ev.level = r.level;
  ev.kind = r.kind;
  ev.prev_distance = 0;

  if (!r.trace_id.empty()) {
    TraceRecord* t = traces_.MutableFind(r.trace_id, sr.trace_hash);
    if (t == nullptr) {
      t = &traces_.NewTrace(r.trace_id, sr.trace_hash);
      uint32_t gone = 0;
      if (traces_.first_live() > 0 && evicted_window_.Find(sr.trace_hash, &gone)) {
        // Its earlier events were evicted with its record: they count as evicted.
        t->count = gone;
        t->flags |= TraceRecord::kTraceReborn;
      }
    } else {
      ev.prev_distance = index - t->last;
    }
    t->last = index;
    ++t->count;
    if (t->route == kNoName && !r.route.empty()) t->route = routes_.Id(r.route);
    t->max_level = std::max(t->max_level, r.level);
    t->services |= ServiceBit(ev.service);
    if (r.flags & (kRecordHasTime | kRecordTimeInferred)) {
      t->start_ns = std::min(t->start_ns, r.time_ns);
      t->end_ns = std::max(t->end_ns, r.time_ns);
    }
  }
  events_.Append(ev, place);
}

}  // namespace logweave::internal
