// Live file following: options, creation, and the loop that scans the
// patterns and polls the followed files (rotation and truncation handling).
#include "connectors/follow/follow_source.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <set>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "connectors/follow/internal/follow_internal.h"
#include "logweave/log.h"

namespace logweave {
namespace {

namespace fs = std::filesystem;
using internal::ErrnoError;

constexpr char kLockFile[] = "checkpoints.lock";

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
// FollowSource

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

void FollowSource::Log(const std::string& message) { logweave::Log(LogLevel::kWarn, message); }

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
