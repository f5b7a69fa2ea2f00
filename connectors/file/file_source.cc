// File replay: path expansion and plain/gzip/zstd readers feeding a LineBatcher.
#include "connectors/file/file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace logweave {
namespace {

namespace fs = std::filesystem;

// Read size for plain files and for compressed input; large enough that the
// per-call overhead vanishes, small enough to stay in L2/L3 for the batcher.
constexpr size_t kChunkBytes = size_t{1} << 20;

constexpr absl::string_view kStdin = "-";
constexpr absl::string_view kLogNames = "*.log, *.json, *.ndjson or *.jsonl";

// Status for a failed open/stat of `path` by errno, with the path named.
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

absl::Status OpenError(const std::error_code& ec, const std::string& path) {
  if (ec.category() == std::generic_category() || ec.category() == std::system_category()) {
    return OpenError(ec.value(), path);
  }
  return absl::UnknownError(absl::StrCat("replay: cannot open ", path, ": ", ec.message()));
}

// True for names the directory expansion replays: a log extension, then an
// optional rotation number (app.log.1), then an optional .gz or .zst.
bool IsReplayableName(absl::string_view name) {
  std::string lower = absl::AsciiStrToLower(name);
  absl::string_view rest = lower;
  if (!absl::ConsumeSuffix(&rest, ".gz")) absl::ConsumeSuffix(&rest, ".zst");
  // Rotation suffix: ".<digits>".
  size_t dot = rest.rfind('.');
  if (dot != absl::string_view::npos && dot + 1 < rest.size() &&
      std::all_of(rest.begin() + dot + 1, rest.end(),
                  [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); })) {
    rest = rest.substr(0, dot);
  }
  for (absl::string_view ext : {".log", ".json", ".ndjson", ".jsonl"}) {
    // Require a stem: a file named just ".log" is a hidden file, not a log.
    if (rest.size() > ext.size() && absl::EndsWith(rest, ext)) return true;
  }
  return false;
}

// Appends the replayable files below `dir` to `out`, sorted by path, and a
// PERMISSION_DENIED (or other) status per unreadable directory to `errors`;
// the rest of the tree is still listed. Returns how many files were added.
// Symlinks to files are followed; symlinks to directories are not entered,
// which also rules out cycles. Hidden entries (names starting with '.') are skipped.
size_t ExpandDirectory(const std::string& dir, std::vector<std::string>& out,
                       std::vector<absl::Status>& errors) {
  std::vector<std::string> found;
  std::vector<fs::path> pending_dirs = {fs::path(dir)};
  while (!pending_dirs.empty()) {
    const fs::path current = std::move(pending_dirs.back());
    pending_dirs.pop_back();
    std::error_code ec;
    fs::directory_iterator it(current, ec);
    for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
      const fs::directory_entry& entry = *it;
      // Hidden files and directories (.git, .truth.jsonl, editor swap files) are skipped.
      if (entry.path().filename().string().front() == '.') continue;
      std::error_code type_ec;
      const bool log_name = IsReplayableName(entry.path().filename().string());
      if (entry.is_symlink(type_ec)) {
        if (entry.is_regular_file(type_ec) && log_name) {
          found.push_back(entry.path().string());
        } else if (log_name && !entry.is_directory(type_ec)) {
          errors.push_back(absl::FailedPreconditionError(absl::StrCat(
              "replay: ", entry.path().string(),
              entry.exists(type_ec)
                  ? " is a link to something that is not a regular file (a FIFO, socket or "
                    "device); skipped. Name it as a PATH to read it anyway"
                  : " is a link to nothing (dangling, a loop of links, or a target it may not "
                    "look at); skipped")));
        }
      } else if (entry.is_directory(type_ec)) {
        pending_dirs.push_back(entry.path());
      } else if (entry.is_regular_file(type_ec)) {
        if (log_name) found.push_back(entry.path().string());
      } else if (log_name) {
        // A FIFO would block the replay until a writer comes; a device or a socket is no log.
        errors.push_back(absl::FailedPreconditionError(absl::StrCat(
            "replay: ", entry.path().string(),
            " is not a regular file (a FIFO, socket or device); skipped. Name it as a PATH to "
            "read it anyway")));
      }
    }
    if (ec) errors.push_back(OpenError(ec, current.string()));
  }
  std::sort(found.begin(), found.end());
  for (std::string& f : found) out.push_back(std::move(f));
  return found.size();
}

// Closes the fd it holds unless it is stdin.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() {
    if (fd_ > STDIN_FILENO) ::close(fd_);
  }

 private:
  int fd_;
};

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

// The payload that marks ReadSource's status for a file skipped as binary.
constexpr absl::string_view kBinaryFilePayload = "logweave.dev/replay/binary_file";

// FAILED_PRECONDITION for a file skipped as binary, with the payload
// IsBinaryFileSkipped looks for.
absl::Status BinaryFileError(const std::string& path, Compression compression, double share) {
  absl::Status status = absl::FailedPreconditionError(absl::StrFormat(
      "replay: %s looks binary, not like text logs (%.0f%% of the bytes other than NUL in its "
      "first %d KiB%s are control bytes or not UTF-8); skipped%s",
      path, 100 * share, kSniffBytes >> 10,
      compression == Compression::kNone ? "" : ", decompressed,",
      compression != Compression::kNone ? ""
      : path == kStdin ? ". If it is compressed, decompress it on the way in (zcat FILE | logweave "
                         "replay -)"
                       : ". If it is compressed, name it .gz or .zst"));
  status.SetPayload(kBinaryFilePayload, absl::Cord(path));
  return status;
}

// FAILED_PRECONDITION for UTF-16 text, skipped like a binary file (IsBinaryFileSkipped).
absl::Status Utf16FileError(const std::string& path, Compression compression) {
  const std::string convert =
      path == kStdin ? std::string("iconv -f UTF-16 -t UTF-8 | logweave replay -")
      : compression == Compression::kNone
          ? absl::StrCat("iconv -f UTF-16 -t UTF-8 ", path, " > ", path, ".utf8.log")
          : std::string("decompress it, then iconv -f UTF-16 -t UTF-8");
  absl::Status status = absl::FailedPreconditionError(absl::StrCat(
      "replay: ", path, " is UTF-16 text, not UTF-8; skipped. Convert it first, e.g. ", convert));
  status.SetPayload(kBinaryFilePayload, absl::Cord(path));
  return status;
}

// Where a reader's (decompressed) bytes go: the first kSniffBytes are held back
// until they are judged text or binary (BinaryShare), then everything is
// handed to the batcher. A binary file thus emits no line at all.
// Thread-compatible: one per ReadSource call.
class ContentSink {
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

absl::Status ReadPlain(int fd, const std::string& path, ContentSink& sink) {
  std::unique_ptr<char[]> buf(new char[kChunkBytes]);
  for (;;) {
    ssize_t n = ReadSome(fd, buf.get(), kChunkBytes);
    if (n == 0) return absl::OkStatus();
    if (n < 0) return ReadError(errno, path, sink.offset());
    if (!sink.Append(buf.get(), static_cast<size_t>(n))) return absl::OkStatus();
  }
}

// DATA_LOSS for damaged compressed input; ReadSource adds how many lines were
// replayed before it.
absl::Status DataLoss(const std::string& path, absl::string_view what, uint64_t in_offset,
                      uint64_t out_offset) {
  return absl::DataLossError(absl::StrCat("replay: ", path, ": ", what, " at compressed offset ",
                                          in_offset, ", decompressed offset ", out_offset));
}

// Inflates every gzip member (or zlib stream) in `fd` one after another, as
// gzip -d does for concatenated files. An empty file is empty input.
absl::Status ReadGzip(int fd, const std::string& path, ContentSink& sink) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  // 15 + 32: largest window, detect gzip or zlib header automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) {
    return absl::ResourceExhaustedError(
        absl::StrCat("replay: ", path, ": cannot initialise zlib: ", zs.msg ? zs.msg : "?"));
  }
  struct InflateEnder {
    z_stream* zs;
    ~InflateEnder() { inflateEnd(zs); }
  } ender{&zs};

  std::unique_ptr<char[]> in(new char[kChunkBytes]);
  std::unique_ptr<char[]> out(new char[kChunkBytes]);
  uint64_t read_total = 0;          // compressed bytes read from fd
  bool member_in_progress = false;  // input of an unfinished member was fed
  for (;;) {
    if (zs.avail_in == 0) {
      ssize_t n = ReadSome(fd, in.get(), kChunkBytes);
      if (n < 0) return ReadError(errno, path, read_total);
      if (n == 0) break;
      read_total += static_cast<uint64_t>(n);
      zs.next_in = reinterpret_cast<Bytef*>(in.get());
      zs.avail_in = static_cast<uInt>(n);
    }
    member_in_progress = true;
    zs.next_out = reinterpret_cast<Bytef*>(out.get());
    zs.avail_out = static_cast<uInt>(kChunkBytes);
    int ret = inflate(&zs, Z_NO_FLUSH);
    if (!sink.Append(out.get(), kChunkBytes - zs.avail_out)) return absl::OkStatus();
    switch (ret) {
      case Z_OK:
      case Z_BUF_ERROR:  // no progress possible without more input: read on
        break;
      case Z_STREAM_END:
        // End of one member; whatever follows is the next member.
        member_in_progress = false;
        inflateReset(&zs);
        break;
      case Z_MEM_ERROR:
        return absl::ResourceExhaustedError(
            absl::StrCat("replay: ", path, ": out of memory in zlib"));
      default:  // Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR
        return DataLoss(path,
                        absl::StrCat("corrupt gzip data (", zs.msg ? zs.msg : "bad stream", ")"),
                        read_total - zs.avail_in, sink.offset());
    }
  }
  if (member_in_progress) {
    return DataLoss(path, "truncated gzip data (unexpected end of file)", read_total,
                    sink.offset());
  }
  return absl::OkStatus();
}

// Decompresses every zstd frame in `fd` one after another. An empty file is
// empty input.
absl::Status ReadZstd(int fd, const std::string& path, ContentSink& sink) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (dctx == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("replay: ", path, ": cannot create zstd context"));
  }
  // The output of one ZSTD_decompressStream call is lost if the call fails
  // (zstd reports output.pos only on success), so each call gets room for one
  // block, as the zstd command does: damage loses at most the block it hits,
  // and every line zstd -dc recovers is replayed.
  const size_t out_bytes = ZSTD_DStreamOutSize();
  std::unique_ptr<char[]> in(new char[kChunkBytes]);
  std::unique_ptr<char[]> out(new char[out_bytes]);
  uint64_t read_total = 0;
  size_t last_ret = 0;  // 0: no frame in progress
  for (;;) {
    ssize_t n = ReadSome(fd, in.get(), kChunkBytes);
    if (n < 0) return ReadError(errno, path, read_total);
    if (n == 0) break;
    ZSTD_inBuffer input{in.get(), static_cast<size_t>(n), 0};
    // zstd does not consume a frame's last byte before it has flushed all of
    // the frame's output, so "input consumed" means "all output taken".
    while (input.pos < input.size) {
      ZSTD_outBuffer output{out.get(), out_bytes, 0};
      last_ret = ZSTD_decompressStream(dctx.get(), &output, &input);
      if (ZSTD_isError(last_ret)) {
        return DataLoss(path, absl::StrCat("corrupt zstd data (", ZSTD_getErrorName(last_ret), ")"),
                        read_total + input.pos, sink.offset());
      }
      if (!sink.Append(out.get(), output.pos)) return absl::OkStatus();
    }
    read_total += static_cast<uint64_t>(n);
  }
  if (last_ret != 0) {
    // Truncated frame: hand over what the decoder still holds, then report.
    for (;;) {
      ZSTD_inBuffer input{nullptr, 0, 0};
      ZSTD_outBuffer output{out.get(), out_bytes, 0};
      size_t ret = ZSTD_decompressStream(dctx.get(), &output, &input);
      if (ZSTD_isError(ret) || !sink.Append(out.get(), output.pos) || output.pos < output.size) {
        break;
      }
    }
    return DataLoss(path, "truncated zstd data (unexpected end of file)", read_total,
                    sink.offset());
  }
  return absl::OkStatus();
}

}  // namespace

Compression CompressionOf(const std::string& path) {
  if (absl::EndsWithIgnoreCase(path, ".gz")) return Compression::kGzip;
  if (absl::EndsWithIgnoreCase(path, ".zst")) return Compression::kZstd;
  return Compression::kNone;
}

ExpandedPaths ExpandReplayPaths(const std::vector<std::string>& args) {
  ExpandedPaths result;
  for (const std::string& arg : args) {
    if (arg == kStdin) {
      result.files.push_back(arg);
      continue;
    }
    std::error_code ec;
    fs::file_status st = fs::status(arg, ec);
    if (ec || !fs::exists(st)) {
      result.errors.push_back(ec ? OpenError(ec, arg) : OpenError(ENOENT, arg));
      continue;
    }
    if (fs::is_directory(st)) {
      const size_t errors_before = result.errors.size();
      if (ExpandDirectory(arg, result.files, result.errors) == 0 &&
          result.errors.size() == errors_before) {
        result.errors.push_back(absl::NotFoundError(absl::StrCat(
            "replay: directory ", arg, " has no ", kLogNames,
            " files (optionally rotated, like app.log.1, and/or ending in .gz or .zst); "
            "name other files explicitly to replay them")));
      }
      continue;
    }
    // Anything else (a regular file whatever its name, a FIFO, /dev/stdin) is
    // read as given; say now if it cannot be opened rather than mid-replay.
    if (::access(arg.c_str(), R_OK) != 0) {
      result.errors.push_back(OpenError(errno, arg));
      continue;
    }
    result.files.push_back(arg);
  }
  return result;
}

absl::Status ReadSource(const std::string& path, const LineBatcherOptions& options,
                        uint32_t source_id, const LineBatcher::EmitFn& emit,
                        const std::function<void(int fd)>& on_plain_file) {
  int fd = STDIN_FILENO;
  Compression compression = Compression::kNone;
  if (path == kStdin) {
    // A process started with stdin closed has fd 0 free for the first file a library opens
    // (gRPC's eventfd, close-on-exec): no inherited stdin is close-on-exec.
    const int flags = ::fcntl(STDIN_FILENO, F_GETFD);
    if (flags == -1 || (flags & FD_CLOEXEC)) {
      return absl::FailedPreconditionError(
          "replay: stdin is closed; pipe lines into it, or give PATHs instead of -");
    }
  } else {
    do {
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return OpenError(errno, path);
    compression = CompressionOf(path);
  }
  FdCloser closer(fd);
  struct stat st;
  int64_t size_at_open = -1;  // of a regular uncompressed file: it is read to at least there
  if (::fstat(fd, &st) == 0) {
    // Not for stdin: redirected from a file, it may start anywhere in it.
    if (S_ISREG(st.st_mode) && compression == Compression::kNone && path != kStdin) {
      size_at_open = st.st_size;
    }
    if (S_ISDIR(st.st_mode)) {
      return absl::FailedPreconditionError(
          path == kStdin ? std::string("replay: stdin is a directory, not a stream of lines; give "
                                       "the directory as a PATH instead")
                         : absl::StrCat("replay: ", path,
                                        " is a directory; give it as a PATH on the command line "
                                        "to replay the log files in it"));
    }
    // Hint for readahead; harmless to skip where unsupported (pipes).
    if (S_ISREG(st.st_mode)) (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    if (S_ISREG(st.st_mode) && path != kStdin && compression == Compression::kNone &&
        on_plain_file) {
      on_plain_file(fd);
    }
  }

  LineBatcher batcher(source_id, options, emit);
  ContentSink sink(batcher);
  absl::Status status;
  switch (compression) {
    case Compression::kNone:
      status = ReadPlain(fd, path, sink);
      break;
    case Compression::kGzip:
      status = ReadGzip(fd, path, sink);
      break;
    case Compression::kZstd:
      status = ReadZstd(fd, path, sink);
      break;
  }
  // Also after an error: the lines read so far, including a partial last one,
  // are kept (the error says where the input stopped) unless the content is binary.
  if (!sink.Flush()) {
    return sink.utf16() ? Utf16FileError(path, compression)
                        : BinaryFileError(path, compression, sink.share());
  }
  batcher.Finish();
  if (status.ok() && size_at_open >= 0 && sink.offset() < static_cast<uint64_t>(size_at_open)) {
    // It ended before the size it had when opened: cut (copytruncate, a rewrite) while read.
    status = absl::DataLossError(absl::StrCat(
        "replay: ", path, " shrank while it was read: ", size_at_open, " bytes when opened, ",
        sink.offset(), " read to its end (was it truncated or rewritten?)"));
  }
  if (absl::IsDataLoss(status)) {
    const uint64_t lines = batcher.lines();
    status = absl::DataLossError(absl::StrCat(
        status.message(), "; the ", lines, lines == 1 ? " line" : " lines",
        " before it were replayed", lines > 0 ? " (the last one may be cut short)" : ""));
  }
  return status;
}

bool IsBinaryFileSkipped(const absl::Status& status) {
  return status.GetPayload(kBinaryFilePayload).has_value();
}

bool LooksUtf16(std::string_view head) {
  if (head.starts_with("\xFF\xFE") || head.starts_with("\xFE\xFF")) return true;
  // ASCII in UTF-16: a NUL in every other byte, little- or big-endian.
  const size_t n = std::min<size_t>(head.size(), 4096) & ~size_t{1};
  if (n < kMinSniffBytes) return false;
  size_t nul[2] = {0, 0};
  for (size_t i = 0; i < n; ++i) nul[i & 1] += head[i] == '\0';
  const size_t half = n / 2;
  for (int parity : {0, 1}) {
    if (nul[parity] * 10 >= half * 8 && nul[1 - parity] * 20 < half) return true;
  }
  return false;
}

bool LooksCrTerminated(std::string_view head) {
  return head.find('\n') == std::string_view::npos && head.find('\r') != std::string_view::npos;
}

double BinaryShare(std::string_view bytes) {
  uint64_t text = 0;
  uint64_t other = 0;
  size_t i = 0;
  while (i < bytes.size()) {
    // Printable ASCII, most of a log, eight bytes at a time: none below ' ' and
    // none above '~' (the bit tricks of "Bit Twiddling Hacks": hasless, hasmore).
    if (i + 8 <= bytes.size()) {
      constexpr uint64_t kOnes = 0x0101010101010101, kHighBits = 0x8080808080808080;
      uint64_t w;
      std::memcpy(&w, bytes.data() + i, 8);
      const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighBits;
      const uint64_t above_tilde = ((w + kOnes * (0x7f - 0x7e)) | w) & kHighBits;
      if ((below_space | above_tilde) == 0) {
        text += 8;
        i += 8;
        continue;
      }
    }
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == 0) {  // a zero-filled hole (copytruncate, a crash) is neither
      ++i;
      continue;
    }
    if (c < 0x80) {
      const bool control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' &&
                            c != '\v' && c != '\b' && c != 0x1b) ||
                           c == 0x7f;
      ++(control ? other : text);
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence counts as text, byte by byte; a sequence
    // cut by the end of the window too.
    const size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                       : c >= 0xE0 && c <= 0xEF ? 3
                       : c >= 0xF0 && c <= 0xF4 ? 4
                                                : 0;
    size_t k = 1;
    while (len > 0 && k < len && i + k < bytes.size() &&
           (static_cast<unsigned char>(bytes[i + k]) & 0xC0) == 0x80) {
      ++k;
    }
    if (len > 0 && (k == len || i + k == bytes.size())) {
      text += k;
      i += k;
    } else {
      ++other;
      ++i;
    }
  }
  if (text + other < kMinSniffBytes) return 0;
  return static_cast<double>(other) / static_cast<double>(text + other);
}

}  // namespace logweave
