// Reading one file (or stdin) into batches of lines, a turn at a time.
//
// ReadSource (file_source.h) reads a file to its end in one call; a FileReader
// reads it in turns, so that one thread can read several files side by side
// (ReplaySource does, when the files exceed the memory budget: see there).
//
//   absl::StatusOr<std::unique_ptr<FileReader>> r =
//       FileReader::Open(path, batcher_options, source_id, emit);
//   while ((*r)->ReadTurn()) { ... read another file's turn ... }
//   absl::Status s = (*r)->Finish();
#ifndef LOGWEAVE_CONNECTORS_FILE_FILE_READER_H_
#define LOGWEAVE_CONNECTORS_FILE_FILE_READER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "logweave/batch.h"

namespace logweave {

// Thread-compatible: one thread at a time. Owns the file's descriptor (stdin's is not closed).
class FileReader {
 public:
  // Bytes read (or decompressed) in one step: large enough that the per-call overhead vanishes,
  // small enough to stay in the caches for the batcher.
  static constexpr size_t kDefaultChunkBytes = size_t{1} << 20;

  // Opens `path` ("-": stdin), whose compression its extension says, for batches of
  // `source_id` that `emit` takes (it may block while the consumer is full). NOT_FOUND,
  // PERMISSION_DENIED or FAILED_PRECONDITION (a directory, a closed stdin) with the path named.
  // `on_plain_file`, if set, is called with the descriptor of a regular, uncompressed file (not
  // stdin) before its first byte is read. Each step reads `chunk_bytes`: a reader waiting for its
  // next turn holds about that much of its lines besides its decoder's state.
  static absl::StatusOr<std::unique_ptr<FileReader>> Open(
      const std::string& path, const LineBatcherOptions& options, uint32_t source_id,
      LineBatcher::EmitFn emit, const std::function<void(int fd)>& on_plain_file = nullptr,
      size_t chunk_bytes = kDefaultChunkBytes);
  ~FileReader();

  // Reads on until at least one batch was emitted, or to the end of the input (or an error, or
  // content judged binary). False once there is nothing more to read: call Finish.
  bool ReadTurn();
  // Emits what is left and says how the input ended, as ReadSource does.
  absl::Status Finish();
  // Between turns: frees the read buffer and the room the next batch reserved, so that a reader
  // waiting for its turn holds only the lines it read (and a decoder's state).
  void ReleaseSpare();

  // How far through the file its reading is, from 0 to 1: the bytes read of its size on disk
  // (compressed ones are counted as read from the disk). 0 for stdin and pipes.
  double progress() const;

 private:
  class Decoder;
  class PlainDecoder;
  class GzipDecoder;
  class ZstdDecoder;
  class ContentSink;
  FileReader() = default;

  std::string path_;
  int fd_ = -1;
  int64_t size_at_open_ = -1;  // of a regular uncompressed file: it is read to at least there
  int64_t disk_size_ = 0;      // of a regular file (compressed too), for progress()
  std::unique_ptr<LineBatcher> batcher_;
  std::unique_ptr<ContentSink> sink_;
  std::unique_ptr<Decoder> decoder_;
  uint64_t emitted_ = 0;  // batches
  bool done_ = false;
  absl::Status status_;
};

namespace file_internal {
// Status for a failed open or stat of `path` by errno, with the path named.
absl::Status OpenError(int err, const std::string& path);
}  // namespace file_internal

}  // namespace logweave

#endif  // LOGWEAVE_CONNECTORS_FILE_FILE_READER_H_
