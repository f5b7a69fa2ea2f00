// File replay: path expansion, and how file content is judged (binary, UTF-16, CR line ends).
#include "connectors/file/file_source.h"

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
#include "connectors/file/file_reader.h"

namespace logweave {
namespace {

namespace fs = std::filesystem;

constexpr absl::string_view kLogNames = "*.log, *.json, *.ndjson or *.jsonl";

// Status for a failed stat of `path`, with the path named.
absl::Status OpenError(const std::error_code& ec, const std::string& path) {
  if (ec.category() == std::generic_category() || ec.category() == std::system_category()) {
    return file_internal::OpenError(ec.value(), path);
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

}  // namespace

Compression CompressionOf(const std::string& path) {
  if (absl::EndsWithIgnoreCase(path, ".gz")) return Compression::kGzip;
  if (absl::EndsWithIgnoreCase(path, ".zst")) return Compression::kZstd;
  return Compression::kNone;
}

ExpandedPaths ExpandReplayPaths(const std::vector<std::string>& args) {
  ExpandedPaths result;
  for (const std::string& arg : args) {
    if (arg == kStdinPath) {
      result.files.push_back(arg);
      continue;
    }
    std::error_code ec;
    fs::file_status st = fs::status(arg, ec);
    if (ec || !fs::exists(st)) {
      result.errors.push_back(ec ? OpenError(ec, arg) : file_internal::OpenError(ENOENT, arg));
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
      result.errors.push_back(file_internal::OpenError(errno, arg));
      continue;
    }
    result.files.push_back(arg);
  }
  return result;
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
