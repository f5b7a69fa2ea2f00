// What a judged trace's judgement depends on, so that a one-shot analysis
// judges each shape of trace once.
//
// The detectors judge a trace from its kind and, in time order, the service
// and event name of each event (the services it holds, each service's named
// sequence: see TraceJudge; a name's id depends on the name alone, see
// NameCache). Traces with the same signature, those, get the same verdict.
// Pass 1 records each judged trace's signature (ids per thread: a shape that
// several threads met has a signature on each). Pass 2 judges the traces of a
// signature it reads and, once one gave nothing (no finding, no attribution
// candidate), passes over the others without reading their events; the
// traces of a slice it collected before that verdict are read all the same.
//
// Threading: Record from pass 1's threads, each shard's traces from one
// thread at a time; Seal between the passes; Of, Clean and Judged from
// pass 2's threads at once.
#ifndef LOGWEAVE_ANALYSIS_TRACE_SIGNATURES_H_
#define LOGWEAVE_ANALYSIS_TRACE_SIGNATURES_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "analysis/trace_facts.h"

namespace logweave::internal {

class TraceSignatures {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  TraceSignatures(uint32_t shards, uint32_t threads);

  // Pass 1, on thread `thread`: trace `number` of `shard` (a shard's traces in ascending
  // numbers) was judged from `facts`. Returns the signature's id on that thread (dense from 0;
  // kNone: past kMaxBytesPerThread) and whether the thread met it first here.
  std::pair<uint32_t, bool> Record(uint32_t thread, uint32_t shard, uint64_t number,
                                   const TraceFacts& facts);
  // Between the passes: ids made the same on every thread, verdicts unknown.
  void Seal();

  // Pass 2: the signature of trace `number` of `shard`, if pass 1 recorded it with `events`
  // events (as many as it has now); kNone if not.
  uint32_t Of(uint32_t shard, uint64_t number, uint32_t events) const;
  // Whether a trace of signature `sig` was judged and gave nothing, and none gave something.
  bool Clean(uint32_t sig) const {
    return sig != kNone && verdicts_[sig].load(std::memory_order_relaxed) == kClean;
  }
  // A trace of signature `sig` was judged: it gave nothing (`clean`) or something. Something
  // wins for good (should two traces of a signature ever differ, neither is passed over); a
  // verdict already stored is not written again.
  void Judged(uint32_t sig, bool clean) {
    if (sig == kNone) return;
    std::atomic<uint8_t>& v = verdicts_[sig];
    const uint8_t now = v.load(std::memory_order_relaxed);
    if (now == kDirty || (clean && now == kClean)) return;
    if (clean) {
      uint8_t unknown = kUnknown;
      v.compare_exchange_strong(unknown, kClean, std::memory_order_relaxed);
    } else {
      v.store(kDirty, std::memory_order_relaxed);
    }
  }

 private:
  static constexpr uint8_t kUnknown = 0, kClean = 1, kDirty = 2;
  // The memory one thread's signatures may hold, counted as kCostPerKeyByte per byte of key
  // (the key, its copy in the table, the sequences the thread learned from it: see
  // Analyzer::Run) and kCostPerSignature for each (table slot, string, vectors); traces of a
  // new signature past it are not recorded, and pass 2 reads them.
  static constexpr size_t kMaxBytesPerThread = 32 << 20;
  static constexpr size_t kCostPerKeyByte = 6, kCostPerSignature = 160;
  // Each written by one thread: a cache line of its own.
  struct alignas(64) ShardEntries {
    uint32_t thread = 0;  // the thread that recorded it
    uint64_t first = 0;   // the number of entries.front()
    // 4 bytes a trace (serve holds them while its analysis runs): a trace of 65,535 events or
    // more, or of a thread's 65,535th signature or later, is not recorded.
    struct Entry {
      static constexpr uint16_t kNotRecorded = UINT16_MAX;
      uint16_t events = 0;
      uint16_t sig = kNotRecorded;  // the thread's id
    };
    std::vector<Entry> entries;  // by number - first
  };
  // A signature's bytes and their hash (a multiply-xorshift of the ids, cheaper than hashing
  // the bytes); looked up by a view of both, compared whole.
  struct Key {
    uint64_t hash;
    std::string bytes;
  };
  struct KeyView {
    uint64_t hash;
    absl::string_view bytes;
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(const Key& k) const { return k.hash; }
    size_t operator()(const KeyView& k) const { return k.hash; }
  };
  struct KeyEq {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return a.hash == b.hash && absl::string_view(a.bytes) == absl::string_view(b.bytes);
    }
  };
  struct alignas(64) Thread {
    absl::flat_hash_map<Key, uint32_t, KeyHash, KeyEq> ids;  // local ids, from 0
    size_t bytes = 0;                                        // of the keys
    std::vector<uint32_t> key;                               // scratch
  };

  std::vector<ShardEntries> shards_;
  std::vector<Thread> threads_;
  std::vector<uint32_t> first_id_;  // by thread: the global id of its signature 0 (Seal)
  std::unique_ptr<std::atomic<uint8_t>[]> verdicts_;
};

}  // namespace logweave::internal

#endif  // LOGWEAVE_ANALYSIS_TRACE_SIGNATURES_H_
