// The yardstick of the benchmarks: a RapidJSON in-situ DOM parse of a line,
// with a document that can be reused for every line without growing.
#ifndef LOGWEAVE_BENCH_DOM_FLOOR_H_
#define LOGWEAVE_BENCH_DOM_FLOOR_H_

#include "rapidjson/document.h"

namespace logweave::bench {

// A RapidJSON document whose value pool starts in a 64 KiB buffer of its own
// and is emptied before every parse. RapidJSON never frees a document's pool
// between parses, so a reused plain Document grows by every line it parsed:
// over the 1 GB test set that was 1.2 GB of fresh pages, a third of the
// yardstick's time. Thread-compatible; ~64 KiB, so keep it on the heap.
class ReusedDocument {
 public:
  ReusedDocument() : pool_(buffer_, sizeof(buffer_)), doc_(&pool_) {}
  ReusedDocument(const ReusedDocument&) = delete;
  ReusedDocument& operator=(const ReusedDocument&) = delete;

  // Parses `line` (NUL-terminated, rewritten in place); the document is valid
  // until the next call.
  rapidjson::Document& ParseInsitu(char* line) {
    pool_.Clear();  // the previous value is dead; this parse overwrites it
    doc_.ParseInsitu(line);
    return doc_;
  }

 private:
  char buffer_[64 << 10];
  rapidjson::MemoryPoolAllocator<> pool_;
  rapidjson::Document doc_;
};

}  // namespace logweave::bench

#endif  // LOGWEAVE_BENCH_DOM_FLOOR_H_
