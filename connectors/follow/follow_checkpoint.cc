// FollowSource checkpoints: the checkpoint file (reading, writing it
// atomically) and loading and advancing the checkpoints of followed files.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "connectors/follow/follow_source.h"
#include "connectors/follow/internal/follow_internal.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "rapidjson/prettywriter.h"
#include "rapidjson/stringbuffer.h"

namespace logweave {
namespace {

namespace fs = std::filesystem;
using internal::ErrnoError;

constexpr int kCheckpointVersion = 1;

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
  const rapidjson::Value& root = doc;  // const iterators: clang reads == unambiguously
  auto version = root.FindMember("version");
  if (version == root.MemberEnd() || !version->value.IsInt() ||
      version->value.GetInt() != kCheckpointVersion) {
    return absl::DataLossError(
        absl::StrCat(corrupt, "\"version\" is missing or not ", kCheckpointVersion));
  }
  auto files = root.FindMember("files");
  if (files == root.MemberEnd() || !files->value.IsArray()) {
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
  // What the checkpoint covers was journaled when it was submitted: make it
  // durable there before the checkpoint says so (a no-op without a journal).
  absl::Status s = pipeline_->SyncJournal();
  if (s.ok()) s = WriteFileAtomically(checkpoint_path_, json);
  if (!s.ok()) {
    Count([](FollowStats& st) { ++st.checkpoint_errors; });
    return s;
  }
  last_checkpoint_json_ = std::move(json);
  Count([](FollowStats& s) { ++s.checkpoint_writes; });
  return absl::OkStatus();
}

}  // namespace logweave
