// LineBatcher: byte stream -> RawBatches of lines.
//
// The common case is a chunk holding many whole lines: each is found with
// memchr and copied once, straight from the caller's chunk into the batch by
// RawBatch::AddLine. Only a line that spans Append() calls is staged in
// pending_, and only its first max_line_bytes + 1 bytes (the extra byte may be
// the CR of a CRLF), so an arbitrarily long line costs no memory.
#include "logweave/batch.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace logweave {
namespace {

// Caps on what a fresh batch reserves up front; larger batches grow as usual.
constexpr size_t kMaxReserveBytes = size_t{4} << 20;
constexpr size_t kMaxReserveLines = 4096;

// The first CR or LF in [p, p + n), or null. A CR-terminated file has no LF to
// look for ahead (memchr for each would scan to the chunk's end per line).
const char* FindCrOrLf(const char* p, size_t n) {
  for (const char* end = p + n; p < end; ++p) {
    if (*p == '\r' || *p == '\n') return p;
  }
  return nullptr;
}

LineBatcherOptions Normalize(LineBatcherOptions options) {
  // batch_lines == 0 would mean "never by count"; treat it as one line per
  // batch rather than letting a batch grow without bound.
  if (options.batch_lines == 0) options.batch_lines = 1;
  return options;
}

}  // namespace

LineBatcher::LineBatcher(uint32_t source_id, const LineBatcherOptions& options, EmitFn emit)
    : source_id_(source_id), options_(Normalize(options)), emit_(std::move(emit)) {
  batch_.source_id = source_id_;
}

void LineBatcher::StartLineIfNeeded() {
  if (in_line_) return;
  in_line_ = true;
  ++line_no_;
  line_offset_ = offset_;
  line_bytes_ = 0;
  line_flags_ = 0;
  line_last_cr_ = false;
  pending_.clear();
}

const char* LineBatcher::ConsumeBom(const char* p, const char* end) {
  // Line 1 starts at offset 0, before the BOM (see the class comment).
  StartLineIfNeeded();
  while (p < end && bom_matched_ < kUtf8Bom.size() && *p == kUtf8Bom[bom_matched_]) {
    ++bom_matched_;
    ++p;
    ++offset_;
  }
  if (bom_matched_ == kUtf8Bom.size()) {
    at_stream_start_ = false;
    line_flags_ |= kLineHadBOM;
  } else if (p < end) {
    // Not a BOM after all: the bytes matched so far are line content.
    at_stream_start_ = false;
    AppendToLine(kUtf8Bom.data(), bom_matched_);
  }
  return p;
}

void LineBatcher::AppendToLine(const char* p, size_t n) {
  if (n == 0) return;
  const uint64_t cap = uint64_t{options_.max_line_bytes} + 1;
  if (pending_.size() < cap) {
    pending_.append(p, static_cast<size_t>(std::min<uint64_t>(n, cap - pending_.size())));
  }
  line_bytes_ += n;
  line_last_cr_ = p[n - 1] == '\r';
}

void LineBatcher::EndLine(std::string_view head, uint64_t total, bool last_is_cr, bool terminated,
                          bool ended_at_cr) {
  uint8_t flags = line_flags_;
  uint64_t content = total;
  if (ended_at_cr) {
    flags |= kLineHadCR;  // the CR was the line's end (EndLinesAtCr)
  } else if (terminated && total > 0 && last_is_cr) {
    flags |= kLineHadCR;
    --content;
  }
  uint64_t keep = content;
  if (content > options_.max_line_bytes) {
    flags |= kLineTruncated;
    keep = options_.max_line_bytes;
  }
  if (batch_.lines.empty()) {
    batch_.data.reserve(std::min<size_t>(options_.batch_bytes, kMaxReserveBytes));
    batch_.lines.reserve(std::min<size_t>(options_.batch_lines, kMaxReserveLines));
  }
  batch_.AddLine(head.substr(0, static_cast<size_t>(keep)), line_offset_, line_no_, flags);
  in_line_ = false;
  pending_.clear();
  if (batch_.lines.size() >= options_.batch_lines || batch_.data.size() >= options_.batch_bytes) {
    EmitBatch();
  }
}

void LineBatcher::EmitBatch() {
  if (batch_.lines.empty()) return;
  RawBatch full = std::move(batch_);
  batch_ = RawBatch();
  batch_.source_id = source_id_;
  emit_(std::move(full));
}

void LineBatcher::Append(const char* bytes, size_t size) {
  if (size == 0) return;
  const char* p = bytes;
  const char* const end = bytes + size;
  if (at_stream_start_) {
    p = ConsumeBom(p, end);
    if (p == end) return;
  }
  while (p < end) {
    if (skip_lf_) {
      // The LF of a CRLF whose CR ended the line before (EndLinesAtCr).
      skip_lf_ = false;
      if (*p == '\n') {
        ++p;
        ++offset_;
        continue;
      }
    }
    StartLineIfNeeded();
    const size_t avail = static_cast<size_t>(end - p);
    const char* nl = cr_ends_lines_ ? FindCrOrLf(p, avail)
                                    : static_cast<const char*>(std::memchr(p, '\n', avail));
    if (nl == nullptr) {
      // The line continues in the next chunk.
      AppendToLine(p, avail);
      offset_ += avail;
      return;
    }
    const size_t n = static_cast<size_t>(nl - p);
    offset_ += n + 1;
    const bool at_cr = *nl == '\r';
    skip_lf_ = at_cr;
    if (line_bytes_ == 0) {
      // Whole line inside this chunk: copy it from the chunk directly.
      EndLine(std::string_view(p, n), n, n > 0 && p[n - 1] == '\r', /*terminated=*/true, at_cr);
    } else {
      AppendToLine(p, n);
      EndLine(pending_, line_bytes_, line_last_cr_, /*terminated=*/true, at_cr);
    }
    p = nl + 1;
  }
}

void LineBatcher::Finish() {
  if (at_stream_start_ && bom_matched_ > 0) {
    // The stream ended inside what might have been a BOM: it is content.
    at_stream_start_ = false;
    AppendToLine(kUtf8Bom.data(), bom_matched_);
  }
  if (in_line_) EndLine(pending_, line_bytes_, line_last_cr_, /*terminated=*/false, false);
  EmitBatch();
}

}  // namespace logweave
