// FollowSource: one followed file: its identity and fingerprint, starting to
// track it, reading what was appended, truncation, and handing its lines to
// the pipeline in batches.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "connectors/follow/follow_source.h"
#include "connectors/follow/internal/follow_internal.h"
#include "logweave/file_text.h"

namespace logweave {
namespace {

using internal::ErrnoError;
using internal::Progress;

bool SameMtime(const struct stat& a, const struct timespec& b) {
  return a.st_mtim.tv_sec == b.tv_sec && a.st_mtim.tv_nsec == b.tv_nsec;
}

}  // namespace

absl::Status FollowSource::Fingerprint(int fd, uint64_t size, uint64_t* hash, uint32_t* bytes,
                                       const std::string& path) {
  uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(size, options_.fingerprint_bytes));
  std::string buf(n, '\0');
  ssize_t got = PreadFully(fd, buf.data(), n, 0);
  if (got < 0) return ErrnoError(errno, absl::StrCat("follow: cannot read ", path));
  *bytes = static_cast<uint32_t>(got);
  *hash = XXH3_64bits(buf.data(), static_cast<size_t>(got));
  return absl::OkStatus();
}

// Offset of the first byte after the last '\n' before `size` (the start of
// an unfinished last line), looking back at most `limit` bytes; `size` if no
// newline is that close (a fragment of a huge line then becomes a line).
static uint64_t StartOfLastLine(int fd, uint64_t size, uint64_t limit) {
  char buf[1 << 16];
  uint64_t pos = size;
  while (pos > 0 && size - pos < limit) {
    size_t len = static_cast<size_t>(std::min<uint64_t>({sizeof(buf), pos, limit - (size - pos)}));
    ssize_t n = PreadFully(fd, buf, len, pos - len);
    if (n != static_cast<ssize_t>(len)) return size;
    const void* nl = ::memrchr(buf, '\n', len);
    if (nl != nullptr) return pos - len + (static_cast<const char*>(nl) - buf) + 1;
    pos -= len;
  }
  return pos == 0 ? 0 : size;
}

absl::Status FollowSource::Track(const std::string& path, bool rotated,
                                 const FileCheckpoint* known) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (errno == ENOENT) return absl::OkStatus();  // gone between the scan and now
    absl::Status s = ErrnoError(errno, absl::StrCat("follow: cannot open ", path));
    std::string message(s.message());
    Count([](FollowStats& st) { ++st.read_errors; });
    if (open_errors_[path] != message) {
      open_errors_[path] = message;
      Log(absl::StrCat(message, "; retrying at every poll"));
    }
    return s;
  }
  open_errors_.erase(path);
  auto f = std::make_unique<TrackedFile>();
  f->fd = fd;  // closed by ~TrackedFile from here on
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return absl::OkStatus();
  f->id = Identity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  for (const auto& other : files_) {
    if (!other->closed && other->id == f->id) return absl::OkStatus();
  }
  f->path = path;
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (absl::Status s = Fingerprint(fd, size, &f->fingerprint, &f->fingerprint_bytes, path);
      !s.ok()) {
    Count([](FollowStats& st) { ++st.read_errors; });
    return s;
  }

  // Where to start: the checkpoint if it still describes this file.
  std::optional<FileCheckpoint> cp;
  if (known != nullptr) {
    cp = *known;
  } else if (auto it = loaded_by_id_.find(f->id); it != loaded_by_id_.end()) {
    cp = it->second;
  }
  uint64_t start = 0;
  uint64_t lines = 0;
  if (cp.has_value()) {
    loaded_by_id_.erase(Identity{cp->dev, cp->inode});
    if (auto it = loaded_by_path_.find(cp->path);
        it != loaded_by_path_.end() && it->second == f->id) {
      loaded_by_path_.erase(it);
    }
    uint64_t hash = 0;
    std::string mismatch;
    if (!HashFilePrefix(fd, cp->fingerprint_bytes, &hash) || hash != cp->fingerprint) {
      mismatch = absl::StrCat("its first ", cp->fingerprint_bytes, " bytes differ");
    } else if (cp->offset > size) {
      mismatch =
          absl::StrCat("it is shorter (", size, " bytes) than the checkpoint offset ", cp->offset);
    }
    if (mismatch.empty()) {
      start = cp->offset;
      lines = cp->lines;
      Count([](FollowStats& s) { ++s.resumed_files; });
    } else {
      if (rotated) return absl::OkStatus();  // not the file of the checkpoint: not ours to read
      Log(absl::StrCat("follow: the checkpoint of ", cp->path, " (dev ", cp->dev, ", inode ",
                       cp->inode, ") does not match ", path, " any more: ", mismatch,
                       " (inode reused or file rewritten while no follower ran); reading it from "
                       "the beginning"));
      Count([](FollowStats& s) { ++s.restarted_files; });
    }
  } else if (auto it = loaded_by_path_.find(path); it != loaded_by_path_.end()) {
    Log(absl::StrCat("follow: ", path, " is another file than its checkpoint names (dev ",
                     it->second.dev, ", inode ", it->second.inode, "; now dev ", f->id.dev,
                     ", inode ", f->id.inode,
                     "): it was replaced while no follower ran; reading it from the beginning"));
    Count([](FollowStats& s) { ++s.restarted_files; });
    loaded_by_path_.erase(it);  // the old file may still turn up by its inode
  } else if (first_scan_ && start_at_end_ && !checkpoint_was_corrupt_) {
    start = StartOfLastLine(fd, size, uint64_t{options_.batching.max_line_bytes} + 2);
  }

  // A file found outside the patterns belongs to the stream of its old path.
  f->source_id = SourceId(known != nullptr ? known->path : path);
  f->rotated = rotated;
  f->rotated_at = absl::Now();
  f->progress = std::make_shared<Progress>(start, lines);
  f->read_offset = f->base_offset = start;
  f->base_line = lines;
  TrackedFile* raw = f.get();
  f->batcher = std::make_unique<LineBatcher>(
      f->source_id, options_.batching, [this, raw](RawBatch&& b) { OnBatch(*raw, std::move(b)); });
  f->last_size = size;
  f->last_mtime = st.st_mtim;
  files_.push_back(std::move(f));
  Count([](FollowStats& s) { ++s.files_opened; });

  absl::Status s = Follow(*raw);
  if (raw->rotated && absl::Now() - raw->rotated_at >= options_.rotate_wait) Close(*raw);
  return s;
}

void FollowSource::Restart(TrackedFile& f, const std::string& why) {
  // What was read of the old content, a partial last line included, is kept.
  if (!f.tail.empty()) f.batcher->Append(f.tail.data(), f.tail.size());
  f.tail.clear();
  f.in_line = false;
  f.batcher->Finish();
  if (f.held.has_value()) SubmitHeld(f, f.base_offset + f.batcher->offset());

  Log(absl::StrCat("follow: ", f.path, " ", why, "; reading it again from offset 0"));
  Count([](FollowStats& s) { ++s.truncations; });
  // Batches of the old content still in flight report to the old Progress.
  f.progress = std::make_shared<Progress>(0, 0);
  f.read_offset = f.base_offset = f.base_line = 0;
  TrackedFile* raw = &f;
  f.batcher = std::make_unique<LineBatcher>(
      f.source_id, options_.batching, [this, raw](RawBatch&& b) { OnBatch(*raw, std::move(b)); });
  f.fingerprint_bytes = 0;  // recomputed from the new content by Follow()
  f.fingerprint = XXH3_64bits(nullptr, 0);
}

absl::Status FollowSource::Follow(TrackedFile& f) {
  struct stat st;
  if (::fstat(f.fd, &st) != 0) {
    Count([](FollowStats& s) { ++s.read_errors; });
    return ErrnoError(errno, absl::StrCat("follow: cannot stat ", f.path));
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < f.read_offset) {
    Restart(f, absl::StrCat("shrank to ", size, " bytes, below the read offset ", f.read_offset,
                            " (truncated)"));
  } else if (size != f.last_size || !SameMtime(st, f.last_mtime)) {
    // Same size or larger, but the start may have been rewritten in place
    // (truncated and written past the old offset between two polls).
    uint64_t hash = 0;
    if (f.fingerprint_bytes > 0 &&
        (!HashFilePrefix(f.fd, f.fingerprint_bytes, &hash) || hash != f.fingerprint)) {
      Restart(f, absl::StrCat("was rewritten (its first ", f.fingerprint_bytes,
                              " bytes changed; truncated and written again)"));
    }
  }
  f.last_size = size;
  f.last_mtime = st.st_mtim;
  if (f.fingerprint_bytes < options_.fingerprint_bytes && size > f.fingerprint_bytes) {
    if (absl::Status s = Fingerprint(f.fd, size, &f.fingerprint, &f.fingerprint_bytes, f.path);
        !s.ok()) {
      Count([](FollowStats& st) { ++st.read_errors; });
      return s;
    }
  }

  const uint64_t stop = std::min(size, f.read_offset + options_.max_bytes_per_poll);
  uint64_t bytes = 0;
  absl::Status status;
  while (f.read_offset < stop) {
    size_t want =
        static_cast<size_t>(std::min<uint64_t>(options_.read_chunk_bytes, stop - f.read_offset));
    ssize_t n = ::pread(f.fd, buffer_.get(), want, static_cast<off_t>(f.read_offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Count([](FollowStats& s) { ++s.read_errors; });
      status = ErrnoError(
          errno, absl::StrCat("follow: read of ", f.path, " failed at offset ", f.read_offset));
      break;
    }
    if (n == 0) break;  // shrank meanwhile: the next poll sees it
    Feed(f, buffer_.get(), static_cast<size_t>(n));
    f.read_offset += static_cast<uint64_t>(n);
    bytes += static_cast<uint64_t>(n);
  }
  FlushLines(f);
  Count([bytes](FollowStats& s) { s.bytes += bytes; });
  return status;
}

void FollowSource::Feed(TrackedFile& f, const char* data, size_t size) {
  const char* nl = static_cast<const char*>(::memrchr(data, '\n', size));
  if (nl == nullptr) {
    if (f.in_line) {
      // Still inside an over-long line: the batcher counts it, keeping its head only.
      f.batcher->Append(data, size);
      return;
    }
    f.tail.append(data, size);
    if (f.tail.size() > uint64_t{options_.batching.max_line_bytes} + 1) {
      // Too long to hold: it will be cut at max_line_bytes anyway, and the
      // batcher stores at most that. Submit the lines before it first, so they
      // do not wait for its newline.
      FlushLines(f);
      f.batcher->Append(f.tail.data(), f.tail.size());
      f.tail.clear();
      f.in_line = true;
    }
    return;
  }
  const size_t whole = static_cast<size_t>(nl - data) + 1;
  if (!f.tail.empty()) {
    f.batcher->Append(f.tail.data(), f.tail.size());
    f.tail.clear();
  }
  f.batcher->Append(data, whole);
  f.in_line = false;
  if (whole < size) Feed(f, data + whole, size - whole);  // no '\n' in it: held back
}

void FollowSource::FlushLines(TrackedFile& f) {
  if (f.in_line) return;  // Finish() would cut the over-long line short
  f.batcher->Finish();    // no partial line inside: emits the last batch only
  if (f.held.has_value()) SubmitHeld(f, f.base_offset + f.batcher->offset());
}

void FollowSource::Close(TrackedFile& f) {
  if (f.closed) return;
  // Nobody will finish the last line now: emit it as it is.
  if (!f.tail.empty()) f.batcher->Append(f.tail.data(), f.tail.size());
  f.tail.clear();
  f.in_line = false;
  f.batcher->Finish();
  if (f.held.has_value()) SubmitHeld(f, f.base_offset + f.batcher->offset());
  ::close(f.fd);
  f.fd = -1;
  f.closed = true;
}

void FollowSource::OnBatch(TrackedFile& f, RawBatch&& batch) {
  // The batcher counts from the offset it started at; the file may not.
  for (LineSpan& line : batch.lines) {
    line.source_offset += f.base_offset;
    line.line_no += f.base_line;
  }
  // The previous batch ends where this one's first line starts.
  if (f.held.has_value()) SubmitHeld(f, batch.lines.front().source_offset);
  f.held = std::move(batch);
}

void FollowSource::SubmitHeld(TrackedFile& f, uint64_t end_offset) {
  RawBatch batch = std::move(*f.held);
  f.held.reset();
  const uint64_t count = batch.size();
  // Registered before Submit: on_indexed may run before Submit returns.
  const uint64_t seq = f.progress->Add(end_offset, batch.lines.back().line_no);
  Count([count](FollowStats& s) {
    s.lines += count;
    ++s.batches;
  });
  pipeline_->Submit(std::move(batch), [progress = f.progress, seq] { progress->Done(seq); });
}

}  // namespace logweave
