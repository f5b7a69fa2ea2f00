// File replay's readers: plain, gzip and zstd input fed to a LineBatcher, a step at a time.
#include "connectors/file/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "connectors/file/file_source.h"

namespace logweave {
namespace {

// The payload that marks ReadSource's status for a file skipped as binary.
constexpr absl::string_view kBinaryFilePayload = "logweave.dev/replay/binary_file";

// read(2) that retries on EINTR. Returns bytes read, 0 at EOF, or -1 with
// errno set.
ssize_t ReadSome(int fd, char* buf, size_t size) {
  ssize_t n;
  do {
    n = ::read(fd, buf, size);
  } while (n < 0 && errno == EINTR);
  return n;
}

absl::Status ReadError(int err, const std::string& path, uint64_t offset) {
  return absl::ErrnoToStatus(err,
                             absl::StrCat("replay: ", path, ": read failed at offset ", offset));
}

// FAILED_PRECONDITION for a file skipped as binary, with the payload
// IsBinaryFileSkipped looks for.
absl::Status BinaryFileError(const std::string& path, Compression compression, double share) {
  absl::Status status = absl::FailedPreconditionError(absl::StrFormat(
      "replay: %s looks binary, not like text logs (%.0f%% of the bytes other than NUL in its "
      "first %d KiB%s are control bytes or not UTF-8); skipped%s",
      path, 100 * share, kSniffBytes >> 10,
      compression == Compression::kNone ? "" : ", decompressed,",
      compression != Compression::kNone ? ""
      : path == kStdinPath
          ? ". If it is compressed, decompress it on the way in (zcat FILE | logweave "
            "replay -)"
          : ". If it is compressed, name it .gz or .zst"));
  status.SetPayload(kBinaryFilePayload, absl::Cord(path));
  return status;
}

// FAILED_PRECONDITION for UTF-16 text, skipped like a binary file (IsBinaryFileSkipped).
absl::Status Utf16FileError(const std::string& path, Compression compression) {
  const std::string convert =
      path == kStdinPath ? std::string("iconv -f UTF-16 -t UTF-8 | logweave replay -")
      : compression == Compression::kNone
          ? absl::StrCat("iconv -f UTF-16 -t UTF-8 ", path, " > ", path, ".utf8.log")
          : std::string("decompress it, then iconv -f UTF-16 -t UTF-8");
  absl::Status status = absl::FailedPreconditionError(absl::StrCat(
      "replay: ", path, " is UTF-16 text, not UTF-8; skipped. Convert it first, e.g. ", convert));
  status.SetPayload(kBinaryFilePayload, absl::Cord(path));
  return status;
}

// DATA_LOSS for damaged compressed input; Finish adds how many lines were
// replayed before it.
absl::Status DataLoss(const std::string& path, absl::string_view what, uint64_t in_offset,
                      uint64_t out_offset) {
  return absl::DataLossError(absl::StrCat("replay: ", path, ": ", what, " at compressed offset ",
                                          in_offset, ", decompressed offset ", out_offset));
}

}  // namespace

namespace file_internal {

absl::Status OpenError(int err, const std::string& path) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(absl::StrCat("replay: no such file or directory: ", path));
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(
          absl::StrCat("replay: permission denied: ", path, "; check its mode and owner"));
    default:
      return absl::ErrnoToStatus(err, absl::StrCat("replay: cannot open ", path));
  }
}

}  // namespace file_internal

// Where a reader's (decompressed) bytes go: the first kSniffBytes are held back
// until they are judged text or binary (BinaryShare), then everything is
// handed to the batcher. A binary file thus emits no line at all.
class FileReader::ContentSink {
 public:
  explicit ContentSink(LineBatcher& batcher) : batcher_(batcher) {}

  // Passes `size` bytes on (or holds them while judging). Returns false once
  // the content was judged binary: the reader stops reading.
  bool Append(const char* bytes, size_t size) {
    if (judged_) {
      if (!binary_) batcher_.Append(bytes, size);
      return !binary_;
    }
    held_.append(bytes, size);
    if (held_.size() >= kSniffBytes) Judge();
    return !binary_;
  }
  // At the end of the input, or where a reader stopped on an error: judges
  // what is held if the content was shorter than the window, and passes it
  // on. Returns false if the content is binary.
  bool Flush() {
    if (!judged_) Judge();
    return !binary_;
  }
  // Bytes received so far (held ones included): the decompressed offset.
  uint64_t offset() const { return batcher_.offset() + (judged_ ? 0 : held_.size()); }
  // The share of non-text bytes the judgement found (see BinaryShare).
  double share() const { return share_; }
  // Whether the content was judged UTF-16 text (LooksUtf16): skipped as binary content is.
  bool utf16() const { return utf16_; }

 private:
  void Judge() {
    judged_ = true;
    // Exactly the first kSniffBytes, however the reader cut its reads.
    const std::string_view head = std::string_view(held_).substr(0, kSniffBytes);
    share_ = BinaryShare(head);
    utf16_ = LooksUtf16(head);
    binary_ = utf16_ || share_ > kBinaryShare;
    if (!binary_ && LooksCrTerminated(head)) batcher_.EndLinesAtCr();
    if (!binary_) batcher_.Append(held_.data(), held_.size());
    held_.clear();
    held_.shrink_to_fit();
  }

  LineBatcher& batcher_;
  std::string held_;  // the first bytes, until judged
  bool judged_ = false;
  bool binary_ = false;
  bool utf16_ = false;
  double share_ = 0;
};

// Reads a descriptor's bytes, decoded, into the sink, a step at a time.
class FileReader::Decoder {
 public:
  Decoder(int fd, const std::string& path, ContentSink& sink, size_t chunk_bytes)
      : fd_(fd), path_(path), sink_(sink), chunk_bytes_(chunk_bytes) {}
  virtual ~Decoder() = default;
  // Not OK if the decoder could not be made: nothing is read.
  const absl::Status& init_status() const { return init_status_; }
  // Reads (and decodes) one chunk into the sink. False at the end of the input, on an error
  // (in *status) or once the sink judged the content binary.
  virtual bool Step(absl::Status* status) = 0;
  // Bytes read from the descriptor so far.
  virtual uint64_t read_bytes() const = 0;
  // Frees buffers that hold nothing between steps.
  virtual void ReleaseSpare() {}

 protected:
  const int fd_;
  const std::string& path_;
  ContentSink& sink_;
  const size_t chunk_bytes_;
  absl::Status init_status_;
};

class FileReader::PlainDecoder final : public Decoder {
 public:
  using Decoder::Decoder;
  bool Step(absl::Status* status) override {
    if (buf_ == nullptr) buf_.reset(new char[chunk_bytes_]);
    const ssize_t n = ReadSome(fd_, buf_.get(), chunk_bytes_);
    if (n == 0) return false;
    if (n < 0) {
      *status = ReadError(errno, path_, sink_.offset());
      return false;
    }
    read_ += static_cast<uint64_t>(n);
    return sink_.Append(buf_.get(), static_cast<size_t>(n));
  }
  uint64_t read_bytes() const override { return read_; }
  void ReleaseSpare() override { buf_.reset(); }

 private:
  std::unique_ptr<char[]> buf_;  // made at each step that needs it
  uint64_t read_ = 0;
};

// Inflates every gzip member (or zlib stream) one after another, as gzip -d
// does for concatenated files. An empty file is empty input.
class FileReader::GzipDecoder final : public Decoder {
 public:
  GzipDecoder(int fd, const std::string& path, ContentSink& sink, size_t chunk_bytes)
      : Decoder(fd, path, sink, chunk_bytes),
        in_(new char[chunk_bytes]),
        out_(new char[chunk_bytes]) {
    std::memset(&zs_, 0, sizeof(zs_));
    // 15 + 32: largest window, detect gzip or zlib header automatically.
    if (inflateInit2(&zs_, 15 + 32) != Z_OK) {
      init_status_ = absl::ResourceExhaustedError(
          absl::StrCat("replay: ", path, ": cannot initialise zlib: ", zs_.msg ? zs_.msg : "?"));
      return;
    }
    initialized_ = true;
  }
  ~GzipDecoder() override {
    if (initialized_) inflateEnd(&zs_);
  }

  bool Step(absl::Status* status) override {
    if (zs_.avail_in == 0) {
      const ssize_t n = ReadSome(fd_, in_.get(), chunk_bytes_);
      if (n < 0) {
        *status = ReadError(errno, path_, read_total_);
        return false;
      }
      if (n == 0) {
        if (member_in_progress_) {
          *status = DataLoss(path_, "truncated gzip data (unexpected end of file)", read_total_,
                             sink_.offset());
        }
        return false;
      }
      read_total_ += static_cast<uint64_t>(n);
      zs_.next_in = reinterpret_cast<Bytef*>(in_.get());
      zs_.avail_in = static_cast<uInt>(n);
    }
    member_in_progress_ = true;
    zs_.next_out = reinterpret_cast<Bytef*>(out_.get());
    zs_.avail_out = static_cast<uInt>(chunk_bytes_);
    const int ret = inflate(&zs_, Z_NO_FLUSH);
    if (!sink_.Append(out_.get(), chunk_bytes_ - zs_.avail_out)) return false;
    switch (ret) {
      case Z_OK:
      case Z_BUF_ERROR:  // no progress possible without more input: read on
        return true;
      case Z_STREAM_END:
        // End of one member; whatever follows is the next member.
        member_in_progress_ = false;
        inflateReset(&zs_);
        return true;
      case Z_MEM_ERROR:
        *status = absl::ResourceExhaustedError(
            absl::StrCat("replay: ", path_, ": out of memory in zlib"));
        return false;
      default:  // Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR
        *status = DataLoss(
            path_, absl::StrCat("corrupt gzip data (", zs_.msg ? zs_.msg : "bad stream", ")"),
            read_total_ - zs_.avail_in, sink_.offset());
        return false;
    }
  }
  uint64_t read_bytes() const override { return read_total_ - zs_.avail_in; }

 private:
  z_stream zs_;
  bool initialized_ = false;
  std::unique_ptr<char[]> in_;
  std::unique_ptr<char[]> out_;
  uint64_t read_total_ = 0;          // compressed bytes read from fd
  bool member_in_progress_ = false;  // input of an unfinished member was fed
};

// Decompresses every zstd frame one after another. An empty file is empty input.
class FileReader::ZstdDecoder final : public Decoder {
 public:
  ZstdDecoder(int fd, const std::string& path, ContentSink& sink, size_t chunk_bytes)
      : Decoder(fd, path, sink, chunk_bytes),
        dctx_(ZSTD_createDCtx(), ZSTD_freeDCtx),
        // The output of one ZSTD_decompressStream call is lost if the call fails
        // (zstd reports output.pos only on success), so each call gets room for one
        // block, as the zstd command does: damage loses at most the block it hits,
        // and every line zstd -dc recovers is replayed.
        out_bytes_(ZSTD_DStreamOutSize()),
        in_(new char[chunk_bytes]),
        out_(new char[out_bytes_]) {
    if (dctx_ == nullptr) {
      init_status_ = absl::ResourceExhaustedError(
          absl::StrCat("replay: ", path, ": cannot create zstd context"));
    }
  }

  bool Step(absl::Status* status) override {
    // zstd does not consume a frame's last byte before it has flushed all of
    // the frame's output, so "input consumed" means "all output taken".
    if (input_.pos == input_.size) {
      read_total_ += input_.size;
      input_ = ZSTD_inBuffer{in_.get(), 0, 0};
      const ssize_t n = ReadSome(fd_, in_.get(), chunk_bytes_);
      if (n < 0) {
        *status = ReadError(errno, path_, read_total_);
        return false;
      }
      if (n == 0) {
        if (last_ret_ != 0) FlushTruncated(status);
        return false;
      }
      input_.size = static_cast<size_t>(n);
    }
    ZSTD_outBuffer output{out_.get(), out_bytes_, 0};
    last_ret_ = ZSTD_decompressStream(dctx_.get(), &output, &input_);
    if (ZSTD_isError(last_ret_)) {
      *status =
          DataLoss(path_, absl::StrCat("corrupt zstd data (", ZSTD_getErrorName(last_ret_), ")"),
                   read_total_ + input_.pos, sink_.offset());
      return false;
    }
    return sink_.Append(out_.get(), output.pos);
  }
  uint64_t read_bytes() const override { return read_total_ + input_.pos; }

 private:
  // A truncated frame: hands over what the decoder still holds, then reports.
  void FlushTruncated(absl::Status* status) {
    for (;;) {
      ZSTD_inBuffer input{nullptr, 0, 0};
      ZSTD_outBuffer output{out_.get(), out_bytes_, 0};
      const size_t ret = ZSTD_decompressStream(dctx_.get(), &output, &input);
      if (ZSTD_isError(ret) || !sink_.Append(out_.get(), output.pos) || output.pos < output.size) {
        break;
      }
    }
    *status = DataLoss(path_, "truncated zstd data (unexpected end of file)", read_total_,
                       sink_.offset());
  }

  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx_;
  const size_t out_bytes_;
  std::unique_ptr<char[]> in_;
  std::unique_ptr<char[]> out_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  uint64_t read_total_ = 0;  // compressed bytes read before input_'s
  size_t last_ret_ = 0;      // 0: no frame in progress
};

absl::StatusOr<std::unique_ptr<FileReader>> FileReader::Open(
    const std::string& path, const LineBatcherOptions& options, uint32_t source_id,
    LineBatcher::EmitFn emit, const std::function<void(int fd)>& on_plain_file,
    size_t chunk_bytes) {
  std::unique_ptr<FileReader> r(new FileReader());
  r->path_ = path;
  Compression compression = Compression::kNone;
  if (path == kStdinPath) {
    // A process started with stdin closed has fd 0 free for the first file a library opens
    // (gRPC's eventfd, close-on-exec): no inherited stdin is close-on-exec.
    const int flags = ::fcntl(STDIN_FILENO, F_GETFD);
    if (flags == -1 || (flags & FD_CLOEXEC)) {
      return absl::FailedPreconditionError(
          "replay: stdin is closed; pipe lines into it, or give PATHs instead of -");
    }
    r->fd_ = STDIN_FILENO;
  } else {
    do {
      r->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (r->fd_ < 0 && errno == EINTR);
    if (r->fd_ < 0) return file_internal::OpenError(errno, path);
    compression = CompressionOf(path);
  }
  struct stat st;
  if (::fstat(r->fd_, &st) == 0) {
    // Not for stdin: redirected from a file, it may start anywhere in it.
    if (S_ISREG(st.st_mode) && path != kStdinPath) {
      r->disk_size_ = st.st_size;
      if (compression == Compression::kNone) r->size_at_open_ = st.st_size;
    }
    if (S_ISDIR(st.st_mode)) {
      return absl::FailedPreconditionError(
          path == kStdinPath
              ? std::string("replay: stdin is a directory, not a stream of lines; give "
                            "the directory as a PATH instead")
              : absl::StrCat("replay: ", path,
                             " is a directory; give it as a PATH on the command line "
                             "to replay the log files in it"));
    }
    // Hint for readahead; harmless to skip where unsupported (pipes).
    if (S_ISREG(st.st_mode)) (void)::posix_fadvise(r->fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    if (S_ISREG(st.st_mode) && path != kStdinPath && compression == Compression::kNone &&
        on_plain_file) {
      on_plain_file(r->fd_);
    }
  }
  FileReader* const self = r.get();
  r->batcher_ = std::make_unique<LineBatcher>(source_id, options,
                                              [self, emit = std::move(emit)](RawBatch&& b) {
                                                ++self->emitted_;
                                                emit(std::move(b));
                                              });
  r->sink_ = std::make_unique<ContentSink>(*r->batcher_);
  switch (compression) {
    case Compression::kNone:
      r->decoder_ = std::make_unique<PlainDecoder>(r->fd_, r->path_, *r->sink_, chunk_bytes);
      break;
    case Compression::kGzip:
      r->decoder_ = std::make_unique<GzipDecoder>(r->fd_, r->path_, *r->sink_, chunk_bytes);
      break;
    case Compression::kZstd:
      r->decoder_ = std::make_unique<ZstdDecoder>(r->fd_, r->path_, *r->sink_, chunk_bytes);
      break;
  }
  if (!r->decoder_->init_status().ok()) {
    r->status_ = r->decoder_->init_status();
    r->done_ = true;
  }
  return r;
}

FileReader::~FileReader() {
  decoder_.reset();
  if (fd_ > STDIN_FILENO) ::close(fd_);
}

bool FileReader::ReadTurn() {
  const uint64_t before = emitted_;
  while (!done_ && emitted_ == before) {
    if (!decoder_->Step(&status_)) done_ = true;
  }
  return !done_;
}

absl::Status FileReader::Finish() {
  // Also after an error: the lines read so far, including a partial last one,
  // are kept (the error says where the input stopped) unless the content is binary.
  const Compression compression = path_ == kStdinPath ? Compression::kNone : CompressionOf(path_);
  if (!sink_->Flush()) {
    return sink_->utf16() ? Utf16FileError(path_, compression)
                          : BinaryFileError(path_, compression, sink_->share());
  }
  batcher_->Finish();
  absl::Status status = status_;
  if (status.ok() && size_at_open_ >= 0 && sink_->offset() < static_cast<uint64_t>(size_at_open_)) {
    // It ended before the size it had when opened: cut (copytruncate, a rewrite) while read.
    status = absl::DataLossError(absl::StrCat(
        "replay: ", path_, " shrank while it was read: ", size_at_open_, " bytes when opened, ",
        sink_->offset(), " read to its end (was it truncated or rewritten?)"));
  }
  if (absl::IsDataLoss(status)) {
    const uint64_t lines = batcher_->lines();
    status = absl::DataLossError(absl::StrCat(
        status.message(), "; the ", lines, lines == 1 ? " line" : " lines",
        " before it were replayed", lines > 0 ? " (the last one may be cut short)" : ""));
  }
  return status;
}

void FileReader::ReleaseSpare() {
  batcher_->ShrinkPending();
  decoder_->ReleaseSpare();
}

double FileReader::progress() const {
  if (disk_size_ <= 0) return 0;
  return std::min(1.0,
                  static_cast<double>(decoder_->read_bytes()) / static_cast<double>(disk_size_));
}

absl::Status ReadSource(const std::string& path, const LineBatcherOptions& options,
                        uint32_t source_id, const LineBatcher::EmitFn& emit,
                        const std::function<void(int fd)>& on_plain_file) {
  absl::StatusOr<std::unique_ptr<FileReader>> reader =
      FileReader::Open(path, options, source_id, emit, on_plain_file);
  if (!reader.ok()) return reader.status();
  while ((*reader)->ReadTurn()) {
  }
  return (*reader)->Finish();
}

bool IsBinaryFileSkipped(const absl::Status& status) {
  return status.GetPayload(kBinaryFilePayload).has_value();
}

}  // namespace logweave
