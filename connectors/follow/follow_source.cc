// Live file following: glob scan, stat polling, rotation and truncation
// handling, and checkpoints that only advance over indexed lines.
#include "connectors/follow/follow_source.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <optional>
#include <set>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "rapidjson/prettywriter.h"
#include "rapidjson/stringbuffer.h"

namespace logweave {
namespace {

namespace fs = std::filesystem;

constexpr int kCheckpointVersion = 1;
constexpr char kLockFile[] = "checkpoints.lock";

// Which batches of one file (one generation of it: a truncation starts a new
// one) are indexed, and how far that lets the checkpoint go. Shared between
// the source thread (Add) and pipeline workers (Done, via on_indexed).
// Thread-safe.
class Progress {
 public:
  Progress(uint64_t offset, uint64_t lines) : committed_offset_(offset), committed_lines_(lines) {}

  // Registers a batch that ends at `end_offset` after line `end_line`; returns
  // its sequence number for Done(). Called before the batch is submitted.
  uint64_t Add(uint64_t end_offset, uint64_t end_line) {
    absl::MutexLock lock(&mu_);
    pending_.push_back({end_offset, end_line, false});
    return first_seq_ + pending_.size() - 1;
  }

  // Batch `seq` is indexed. Batches may finish out of order; the committed
  // offset moves over the longest finished prefix only.
  void Done(uint64_t seq) {
    absl::MutexLock lock(&mu_);
    assert(seq >= first_seq_ && seq - first_seq_ < pending_.size());
    pending_[seq - first_seq_].done = true;
    while (!pending_.empty() && pending_.front().done) {
      committed_offset_ = pending_.front().end_offset;
      committed_lines_ = pending_.front().end_line;
      pending_.pop_front();
      ++first_seq_;
    }
  }

  std::pair<uint64_t, uint64_t> Committed() const {
    absl::MutexLock lock(&mu_);
    return {committed_offset_, committed_lines_};
  }

  bool Idle() const {
    absl::MutexLock lock(&mu_);
    return pending_.empty();
  }

 private:
  struct Pending {
    uint64_t end_offset;
    uint64_t end_line;
    bool done;
  };
  mutable absl::Mutex mu_;
  uint64_t first_seq_ ABSL_GUARDED_BY(mu_) = 0;  // sequence number of pending_.front()
  std::deque<Pending> pending_ ABSL_GUARDED_BY(mu_);
  uint64_t committed_offset_ ABSL_GUARDED_BY(mu_);
  uint64_t committed_lines_ ABSL_GUARDED_BY(mu_);
};

// pread(2) until `size` bytes or end of file, retrying on EINTR. Returns the
// bytes read, or -1 with errno set.
ssize_t PreadFully(int fd, char* buf, size_t size, uint64_t offset) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, buf + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

// XXH3 of the first `bytes` bytes of fd. False if the file has fewer (or a
// read fails, errno set).
bool HashPrefix(int fd, uint32_t bytes, uint64_t* hash) {
  std::string buf(bytes, '\0');
  ssize_t n = PreadFully(fd, buf.data(), bytes, 0);
  if (n != static_cast<ssize_t>(bytes)) return false;
  *hash = XXH3_64bits(buf.data(), bytes);
  return true;
}

bool SameMtime(const struct stat& a, const struct timespec& b) {
  return a.st_mtim.tv_sec == b.tv_sec && a.st_mtim.tv_nsec == b.tv_nsec;
}

absl::Status ErrnoError(int err, const std::string& what) { return absl::ErrnoToStatus(err, what); }

// write(2) of all of `data`, retrying on EINTR and short writes.
bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// Replaces `path` by a file holding `data` so that a crash leaves either the
// old or the new content: temp file, fsync, rename, fsync of the directory.
absl::Status WriteFileAtomically(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(errno, absl::StrCat("follow: cannot create ", tmp));
  if (!WriteAll(fd, data) || ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return ErrnoError(err, absl::StrCat("follow: cannot write ", tmp));
  }
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoError(err, absl::StrCat("follow: cannot write ", tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoError(err, absl::StrCat("follow: cannot rename ", tmp, " to ", path));
  }
  const std::string dir = fs::path(path).parent_path().string();
  int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return ErrnoError(errno, absl::StrCat("follow: cannot open directory ", dir));
  int rc = ::fsync(dir_fd);
  int err = errno;
  ::close(dir_fd);
  if (rc != 0) return ErrnoError(err, absl::StrCat("follow: cannot fsync directory ", dir));
  return absl::OkStatus();
}

}  // namespace

// ---------------------------------------------------------------------------
// Options

absl::Status FollowOptions::Validate() const {
  if (paths.empty()) {
    return absl::InvalidArgumentError(
        "follow: paths is empty; give at least one file or glob pattern, like "
        "\"/var/log/app/*.log\"");
  }
  for (size_t i = 0; i < paths.size(); ++i) {
    if (paths[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("follow: paths[", i, "] is empty; remove it or name a file or pattern"));
    }
  }
  if (poll_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat("follow: poll_interval must be positive (got ",
                                                   absl::FormatDuration(poll_interval),
                                                   "); use 250ms"));
  }
  if (start_at != "beginning" && start_at != "end") {
    return absl::InvalidArgumentError(
        absl::StrCat("follow: start_at must be \"beginning\" or \"end\" (got \"", start_at, "\")"));
  }
  if (fingerprint_bytes == 0 || fingerprint_bytes > (1u << 20)) {
    return absl::InvalidArgumentError(
        absl::StrCat("follow: fingerprint_bytes must be in [1, 1048576] (got ", fingerprint_bytes,
                     "); use 256"));
  }
  if (rotate_wait < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat("follow: rotate_wait must be >= 0 (got ",
                                                   absl::FormatDuration(rotate_wait), "); use 5s"));
  }
  if (checkpoint_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat("follow: checkpoint_interval must be >= 0 (got ",
                                                   absl::FormatDuration(checkpoint_interval),
                                                   "); use 1s"));
  }
  if (read_chunk_bytes < 4096 || read_chunk_bytes > (64u << 20)) {
    return absl::InvalidArgumentError(
        absl::StrCat("follow: read_chunk_bytes must be in [4096, 67108864] (got ", read_chunk_bytes,
                     "); use 1048576"));
  }
  if (max_bytes_per_poll < read_chunk_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("follow: max_bytes_per_poll (", max_bytes_per_poll,
                     ") must be at least read_chunk_bytes (", read_chunk_bytes, ")"));
  }
  if (batching.max_line_bytes == 0) {
    return absl::InvalidArgumentError(
        "follow: batching.max_line_bytes must be positive; use 1048576");
  }
  if (batching.batch_lines == 0 || batching.batch_bytes == 0) {
    return absl::InvalidArgumentError(
        "follow: batching.batch_lines and batching.batch_bytes must be positive; use 4096 and "
        "1048576");
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Checkpoint file

absl::StatusOr<std::vector<FileCheckpoint>> ReadCheckpointFile(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat("follow: no checkpoint file ", path));
    }
    return ErrnoError(errno, absl::StrCat("follow: cannot read checkpoint file ", path));
  }
  std::string text;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return ErrnoError(err, absl::StrCat("follow: cannot read checkpoint file ", path));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);

  const std::string corrupt = absl::StrCat("follow: checkpoint file ", path, " is corrupt: ");
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    return absl::DataLossError(absl::StrCat(corrupt, "not JSON (",
                                            rapidjson::GetParseError_En(doc.GetParseError()),
                                            " at byte ", doc.GetErrorOffset(), ")"));
  }
  if (!doc.IsObject()) return absl::DataLossError(absl::StrCat(corrupt, "not a JSON object"));
  auto version = doc.FindMember("version");
  if (version == doc.MemberEnd() || !version->value.IsInt() ||
      version->value.GetInt() != kCheckpointVersion) {
    return absl::DataLossError(
        absl::StrCat(corrupt, "\"version\" is missing or not ", kCheckpointVersion));
  }
  auto files = doc.FindMember("files");
  if (files == doc.MemberEnd() || !files->value.IsArray()) {
    return absl::DataLossError(absl::StrCat(corrupt, "\"files\" is missing or not an array"));
  }
  std::vector<FileCheckpoint> out;
  for (rapidjson::SizeType i = 0; i < files->value.Size(); ++i) {
    const rapidjson::Value& entry = files->value[i];
    const std::string where = absl::StrCat("files[", i, "]");
    if (!entry.IsObject()) {
      return absl::DataLossError(absl::StrCat(corrupt, where, " is not an object"));
    }
    auto get_uint = [&](const char* key, uint64_t* out_value) -> absl::Status {
      auto m = entry.FindMember(key);
      if (m == entry.MemberEnd() || !m->value.IsUint64()) {
        return absl::DataLossError(
            absl::StrCat(corrupt, where, ".", key, " is missing or not a non-negative integer"));
      }
      *out_value = m->value.GetUint64();
      return absl::OkStatus();
    };
    FileCheckpoint cp;
    auto path_member = entry.FindMember("path");
    if (path_member == entry.MemberEnd() || !path_member->value.IsString() ||
        path_member->value.GetStringLength() == 0) {
      return absl::DataLossError(absl::StrCat(corrupt, where, ".path is missing or empty"));
    }
    cp.path.assign(path_member->value.GetString(), path_member->value.GetStringLength());
    auto fp_member = entry.FindMember("fingerprint");
    if (fp_member == entry.MemberEnd() || !fp_member->value.IsString() ||
        fp_member->value.GetStringLength() != 16 ||
        !absl::SimpleHexAtoi(absl::string_view(fp_member->value.GetString(), 16),
                             &cp.fingerprint)) {
      return absl::DataLossError(
          absl::StrCat(corrupt, where, ".fingerprint is missing or not 16 hex digits"));
    }
    uint64_t fp_bytes = 0;
    for (auto [key, value] :
         {std::pair{"dev", &cp.dev}, std::pair{"inode", &cp.inode}, std::pair{"offset", &cp.offset},
          std::pair{"lines", &cp.lines}, std::pair{"fingerprint_bytes", &fp_bytes}}) {
      if (absl::Status s = get_uint(key, value); !s.ok()) return s;
    }
    if (fp_bytes > (1u << 20)) {
      return absl::DataLossError(absl::StrCat(corrupt, where, ".fingerprint_bytes is too large"));
    }
    cp.fingerprint_bytes = static_cast<uint32_t>(fp_bytes);
    if (cp.lines > cp.offset) {
      return absl::DataLossError(absl::StrCat(corrupt, where, ": more lines (", cp.lines,
                                              ") than bytes (", cp.offset, ") before the offset"));
    }
    out.push_back(std::move(cp));
  }
  return out;
}

// ---------------------------------------------------------------------------
// FollowSource

// A file being followed (or drained after it left the patterns). Owned by
// the source thread, except `progress`, which pipeline workers update.
struct FollowSource::TrackedFile {
  std::string path;  // where it was seen last
  uint32_t source_id = 0;
  Identity id;
  uint64_t fingerprint = 0;
  uint32_t fingerprint_bytes = 0;
  int fd = -1;

  uint64_t read_offset = 0;  // file offset of the next byte to read
  uint64_t base_offset = 0;  // file offset of the first byte fed to `batcher`
  uint64_t base_line = 0;    // lines before base_offset
  std::unique_ptr<LineBatcher> batcher;
  std::string tail;              // bytes after the last '\n' read, not yet fed
  bool in_line = false;          // an over-long partial line is inside `batcher`
  std::optional<RawBatch> held;  // emitted by `batcher`, submitted once its end is known

  bool rotated = false;  // left the patterns (renamed away, deleted) at rotated_at
  absl::Time rotated_at;
  bool closed = false;  // fully read and closed; kept until its lines are indexed

  // Size and mtime at the last poll: the fingerprint is checked again when they change.
  uint64_t last_size = 0;
  struct timespec last_mtime = {};

  std::shared_ptr<Progress> progress;

  ~TrackedFile() {
    if (fd >= 0) ::close(fd);
  }
};

FollowSource::FollowSource(const FollowOptions& options, Pipeline* pipeline)
    : options_(options),
      pipeline_(pipeline),
      start_at_end_(options.start_at == "end"),
      buffer_(new char[options.read_chunk_bytes]) {}

FollowSource::~FollowSource() {
  files_.clear();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

absl::StatusOr<std::unique_ptr<FollowSource>> FollowSource::Create(const FollowOptions& options,
                                                                   Pipeline* pipeline) {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  if (pipeline == nullptr) return absl::InvalidArgumentError("follow: pipeline is null");
  std::unique_ptr<FollowSource> source(new FollowSource(options, pipeline));
  if (!options.state_dir.empty()) {
    std::error_code ec;
    fs::create_directories(options.state_dir, ec);
    if (ec) {
      return ErrnoError(ec.value(),
                        absl::StrCat("follow: cannot create state_dir ", options.state_dir));
    }
    const std::string lock_path = (fs::path(options.state_dir) / kLockFile).string();
    source->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (source->lock_fd_ < 0) {
      return ErrnoError(errno, absl::StrCat("follow: cannot create lock file ", lock_path));
    }
    if (::flock(source->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        return absl::FailedPreconditionError(absl::StrCat(
            "follow: state_dir ", options.state_dir, " is in use by another follower (", lock_path,
            " is locked); give each follower its own state_dir"));
      }
      return ErrnoError(errno, absl::StrCat("follow: cannot lock ", lock_path));
    }
    source->checkpoint_path_ = (fs::path(options.state_dir) / kFollowCheckpointFile).string();
    if (absl::Status s = source->LoadCheckpoints(); !s.ok()) return s;
  }
  return source;
}

absl::Status FollowSource::LoadCheckpoints() {
  absl::StatusOr<std::vector<FileCheckpoint>> loaded = ReadCheckpointFile(checkpoint_path_);
  if (loaded.ok()) {
    for (FileCheckpoint& cp : *loaded) {
      Identity id{cp.dev, cp.inode};
      loaded_by_path_[cp.path] = id;
      loaded_by_id_[id] = std::move(cp);
    }
    return absl::OkStatus();
  }
  if (absl::IsNotFound(loaded.status())) return absl::OkStatus();
  if (!absl::IsDataLoss(loaded.status())) return loaded.status();

  // The documented policy: keep the evidence, start every file over.
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  std::string aside = absl::StrCat(checkpoint_path_, ".corrupt-", now);
  for (int n = 2; ::access(aside.c_str(), F_OK) == 0; ++n) {
    aside = absl::StrCat(checkpoint_path_, ".corrupt-", now, "-", n);
  }
  if (::rename(checkpoint_path_.c_str(), aside.c_str()) != 0) {
    return ErrnoError(errno, absl::StrCat(loaded.status().message(), "; and it cannot be moved to ",
                                          aside, ": remove it by hand"));
  }
  Log(absl::StrCat(loaded.status().message(), "; moved it to ", aside,
                   " and reading every file from the beginning (at-least-once: lines read "
                   "before may be indexed again; the index's dedupe keeps exact repeats once)"));
  checkpoint_was_corrupt_ = true;
  Count([](FollowStats& s) { ++s.corrupt_checkpoints; });
  return absl::OkStatus();
}

void FollowSource::Log(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
}

uint32_t FollowSource::SourceId(const std::string& path) {
  auto it = source_ids_.find(path);
  if (it != source_ids_.end()) return it->second;
  uint32_t id = pipeline_->AddSource(path, options_.default_service);
  source_ids_.emplace(path, id);
  return id;
}

std::vector<FollowSource::Match> FollowSource::Scan(absl::Status* error) {
  std::vector<Match> out;
  std::set<Identity> seen;
  for (const std::string& pattern : options_.paths) {
    glob_t g;
    std::memset(&g, 0, sizeof(g));
    int rc = ::glob(pattern.c_str(), 0, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        struct stat st;
        if (::stat(g.gl_pathv[i], &st) != 0 || !S_ISREG(st.st_mode)) continue;
        Identity id{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
        if (seen.insert(id).second) out.push_back(Match{g.gl_pathv[i], id});
      }
    } else if (rc != GLOB_NOMATCH && error->ok()) {
      *error = absl::ResourceExhaustedError(
          absl::StrCat("follow: glob of \"", pattern, "\" failed (",
                       rc == GLOB_NOSPACE ? "out of memory" : "read error", ")"));
    }
    ::globfree(&g);
  }
  return out;
}

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
    if (!HashPrefix(fd, cp->fingerprint_bytes, &hash) || hash != cp->fingerprint) {
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
        (!HashPrefix(f.fd, f.fingerprint_bytes, &hash) || hash != f.fingerprint)) {
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

void FollowSource::DrainRotatedWhileDown(const std::set<Identity>& matched) {
  // Copies: Track() erases the entries it uses.
  std::vector<FileCheckpoint> left;
  for (const auto& [id, cp] : loaded_by_id_) {
    if (matched.count(id) == 0) left.push_back(cp);
  }
  for (const FileCheckpoint& cp : left) {
    // logrotate renames within the directory (app.log -> app.log.1): look there.
    bool found = false;
    const fs::path dir = fs::path(cp.path).parent_path();
    std::error_code ec;
    for (fs::directory_iterator it(dir.empty() ? fs::path(".") : dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      struct stat st;
      const std::string candidate = it->path().string();
      if (::stat(candidate.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
          static_cast<uint64_t>(st.st_ino) != cp.inode ||
          static_cast<uint64_t>(st.st_dev) != cp.dev) {
        continue;
      }
      found = true;
      if (static_cast<uint64_t>(st.st_size) > cp.offset) {
        Log(absl::StrCat("follow: ", cp.path, " was rotated to ", candidate,
                         " while no follower ran; reading its last ",
                         static_cast<uint64_t>(st.st_size) - cp.offset, " bytes"));
        (void)Track(candidate, /*rotated=*/true, &cp);
      }
      break;
    }
    if (!found) {
      Log(absl::StrCat("follow: ", cp.path, " (dev ", cp.dev, ", inode ", cp.inode,
                       ") is gone; dropping its checkpoint"));
    }
  }
}

absl::Status FollowSource::PollOnce() {
  absl::Status first_error;
  auto note = [&first_error](absl::Status s) {
    if (!s.ok() && first_error.ok()) first_error = std::move(s);
  };
  const absl::Time now = absl::Now();
  std::vector<Match> matches = Scan(&first_error);
  std::map<Identity, const Match*> by_id;
  for (const Match& m : matches) by_id.emplace(m.id, &m);

  // 1. The files followed so far, before any new file: after a rotation the
  // old file's last lines come before the new file's first ones.
  for (auto& f : files_) {
    if (f->closed) continue;
    if (auto it = by_id.find(f->id); it != by_id.end()) {
      if (it->second->path != f->path) {
        // Renamed to another matching name (app.log -> app.log.1 under "app.log*").
        if (!f->rotated) Count([](FollowStats& s) { ++s.rotations; });
        f->path = it->second->path;
      }
      f->rotated = false;
    } else if (!f->rotated) {
      f->rotated = true;
      f->rotated_at = now;
      Count([](FollowStats& s) { ++s.rotations; });
    }
    note(Follow(*f));
    if (f->rotated && now - f->rotated_at >= options_.rotate_wait) Close(*f);
  }

  // 2. Files rotated while no follower ran, then files new to us.
  if (first_scan_) {
    std::set<Identity> matched;
    for (const Match& m : matches) matched.insert(m.id);
    DrainRotatedWhileDown(matched);
  }
  std::set<Identity> open;
  for (const auto& f : files_) {
    if (!f->closed) open.insert(f->id);
  }
  for (const Match& m : matches) {
    if (open.count(m.id) == 0) note(Track(m.path, /*rotated=*/false, nullptr));
  }
  if (first_scan_) {
    first_scan_ = false;
    loaded_by_id_.clear();
    loaded_by_path_.clear();
  }

  // 3. Closed files leave the checkpoint once all their lines are indexed.
  std::erase_if(files_, [](const std::unique_ptr<TrackedFile>& f) {
    return f->closed && f->progress->Idle();
  });
  uint64_t open_files = 0;
  for (const auto& f : files_) open_files += f->closed ? 0 : 1;
  Count([open_files](FollowStats& s) { s.files = open_files; });

  if (!checkpoint_path_.empty() &&
      absl::Now() - last_checkpoint_time_ >= options_.checkpoint_interval) {
    note(Checkpoint());
  }
  return first_error;
}

absl::Status FollowSource::Checkpoint() {
  if (checkpoint_path_.empty()) return absl::OkStatus();
  last_checkpoint_time_ = absl::Now();
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  auto entry = [&w](const std::string& path, uint64_t dev, uint64_t inode, uint64_t fingerprint,
                    uint32_t fingerprint_bytes, uint64_t offset, uint64_t lines) {
    w.StartObject();
    w.Key("path");
    w.String(path.data(), static_cast<rapidjson::SizeType>(path.size()));
    w.Key("dev");
    w.Uint64(dev);
    w.Key("inode");
    w.Uint64(inode);
    w.Key("fingerprint");
    w.String(absl::StrFormat("%016x", fingerprint));
    w.Key("fingerprint_bytes");
    w.Uint(fingerprint_bytes);
    w.Key("offset");
    w.Uint64(offset);
    w.Key("lines");
    w.Uint64(lines);
    w.EndObject();
  };
  w.StartObject();
  w.Key("version");
  w.Int(kCheckpointVersion);
  w.Key("files");
  w.StartArray();
  for (const auto& f : files_) {
    auto [offset, lines] = f->progress->Committed();
    entry(f->path, f->id.dev, f->id.inode, f->fingerprint, f->fingerprint_bytes, offset, lines);
  }
  // Before the first scan, keep what was loaded rather than forget it.
  for (const auto& [id, cp] : loaded_by_id_) {
    entry(cp.path, cp.dev, cp.inode, cp.fingerprint, cp.fingerprint_bytes, cp.offset, cp.lines);
  }
  w.EndArray();
  w.EndObject();
  std::string json(buffer.GetString(), buffer.GetSize());
  json.push_back('\n');
  if (json == last_checkpoint_json_) return absl::OkStatus();
  if (absl::Status s = WriteFileAtomically(checkpoint_path_, json); !s.ok()) {
    Count([](FollowStats& st) { ++st.checkpoint_errors; });
    return s;
  }
  last_checkpoint_json_ = std::move(json);
  Count([](FollowStats& s) { ++s.checkpoint_writes; });
  return absl::OkStatus();
}

absl::Status FollowSource::Run(const std::atomic<bool>& stop) {
  std::string last_error;
  while (WaitWhilePaused(stop)) {
    absl::Status s = PollOnce();
    if (!s.ok() && s.message() != last_error) {
      last_error = std::string(s.message());
      Log(absl::StrCat(last_error, " (retrying every ",
                       absl::FormatDuration(options_.poll_interval), ")"));
    } else if (s.ok()) {
      last_error.clear();
    }
    // Sleep in short steps so that a stop request is noticed quickly.
    const absl::Time deadline = absl::Now() + options_.poll_interval;
    for (absl::Time t = absl::Now(); t < deadline && !stop.load(std::memory_order_acquire);
         t = absl::Now()) {
      absl::SleepFor(std::min(deadline - t, absl::Milliseconds(20)));
    }
  }
  absl::Status drain = PollOnce();
  if (!drain.ok()) Log(std::string(drain.message()));
  pipeline_->Flush();
  return Checkpoint();
}

std::string FollowSource::name() const {
  return absl::StrCat("follow ", absl::StrJoin(options_.paths, " "));
}

FollowStats FollowSource::Stats() const {
  absl::MutexLock lock(&stats_mu_);
  return stats_;
}

}  // namespace logweave
