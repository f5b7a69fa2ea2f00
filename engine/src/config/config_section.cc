#include "logweave/config_section.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "internal/strings.h"
#include "logweave/duration.h"

namespace logweave {

using internal::Av;
using internal::Sv;

bool ParseByteSize(std::string_view text, uint64_t* out) {
  text = Sv(absl::StripAsciiWhitespace(Av(text)));
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr == text.data()) return false;
  std::string unit = absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(absl::string_view(ptr, text.data() + text.size() - ptr)));
  uint64_t scale = 1;
  if (unit.empty() || unit == "b") {
    scale = 1;
  } else if (unit == "k" || unit == "kb" || unit == "kib") {
    scale = 1ull << 10;
  } else if (unit == "m" || unit == "mb" || unit == "mib") {
    scale = 1ull << 20;
  } else if (unit == "g" || unit == "gb" || unit == "gib") {
    scale = 1ull << 30;
  } else if (unit == "t" || unit == "tb" || unit == "tib") {
    scale = 1ull << 40;
  } else {
    return false;
  }
  if (value > UINT64_MAX / scale) return false;
  *out = value * scale;
  return true;
}

namespace {

std::string Where(const std::string& origin, const YAML::Node& node) {
  if (node.Mark().line < 0) return origin;
  return absl::StrCat(origin, ":", node.Mark().line + 1);
}

std::string ScalarOr(const YAML::Node& node, std::string_view otherwise) {
  return node.IsScalar() ? node.Scalar() : std::string(otherwise);
}

}  // namespace

ConfigSection::ConfigSection(YAML::Node node, std::string prefix, std::string origin,
                             std::string dir)
    : node_(std::move(node)),
      prefix_(std::move(prefix)),
      origin_(std::move(origin)),
      dir_(std::move(dir)) {}

ConfigSection ConfigSection::Child(std::string_view key) const {
  const YAML::Node& map = node_;
  return ConfigSection(map[std::string(key)], absl::StrCat(prefix_, Av(key), "."), origin_, dir_);
}

bool ConfigSection::Has(std::string_view key) const {
  if (!node_.IsMap()) return false;
  const YAML::Node& map = node_;
  return static_cast<bool>(map[std::string(key)]);
}

std::vector<std::string> ConfigSection::Keys() const {
  std::vector<std::string> keys;
  if (!node_.IsMap()) return keys;
  for (const auto& kv : node_) keys.push_back(kv.first.as<std::string>());
  return keys;
}

absl::Status ConfigSection::ForEachInMap(
    std::string_view key, std::string_view not_a_map,
    const std::function<absl::Status(const ConfigSection& map, const std::string& name)>& read)
    const {
  if (!Has(key)) return absl::OkStatus();
  const ConfigSection map = Child(key);
  if (!map.node().IsMap()) return Error(key, not_a_map);
  for (const std::string& name : map.Keys()) {
    if (absl::Status s = read(map, name); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ConfigSection::CheckKeys(std::initializer_list<std::string_view> known) const {
  std::vector<std::string> names;
  for (std::string_view k : known) names.emplace_back(k);
  return CheckKeys(names);
}

absl::Status ConfigSection::CheckKeys(const std::vector<std::string>& known) const {
  if (!node_.IsMap()) {
    return prefix_.empty() ? ErrorAt(node_, "the file", "must be a map")
                           : Error("", "must be a map");
  }
  for (const auto& kv : node_) {
    const std::string key = kv.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(origin_, kv.first), ": unknown key \"", prefix_, key,
                       "\"; known keys here: ", absl::StrJoin(known, ", ")));
    }
  }
  return absl::OkStatus();
}

absl::Status ConfigSection::Error(std::string_view key, std::string_view what) const {
  const std::string name = absl::StrCat(prefix_, Av(key));
  if (!key.empty() && Has(key)) {
    const YAML::Node& map = node_;
    return ErrorAt(map[std::string(key)], name, what);
  }
  // The section itself: its name without the trailing dot.
  std::string_view section = key.empty() && !prefix_.empty()
                                 ? std::string_view(prefix_).substr(0, prefix_.size() - 1)
                                 : std::string_view(name);
  return ErrorAt(node_, section, what);
}

absl::Status ConfigSection::ErrorAt(const YAML::Node& node, std::string_view name,
                                    std::string_view what) const {
  return absl::InvalidArgumentError(
      absl::StrCat(Where(origin_, node), ": ", Av(name), " ", Av(what)));
}

std::string ConfigSection::ResolvePath(const std::string& path) const {
  if (path.empty() || dir_.empty() || !std::filesystem::path(path).is_relative()) return path;
  return (std::filesystem::path(dir_) / path).lexically_normal().string();
}

template <typename Read>
void ConfigReader::Step(std::string_view key, Read read) {
  if (!status_.ok() || !section_.Has(key)) return;
  const YAML::Node& map = section_.node();
  status_ = read(map[std::string(key)], absl::StrCat(section_.prefix(), Av(key)));
}

void ConfigReader::Bool(std::string_view key, bool* out) {
  Step(key, [&](const YAML::Node& n, const std::string& name) {
    const std::string b = absl::AsciiStrToLower(ScalarOr(n, ""));
    if (b != "true" && b != "false") return section_.ErrorAt(n, name, "must be true or false");
    *out = b == "true";
    return absl::OkStatus();
  });
}

void ConfigReader::NamesFirst(std::string_view key, std::vector<std::string>* names) {
  Step(key, [&](const YAML::Node& n, const std::string& name) {
    std::vector<std::string> extra;
    if (n.IsScalar()) {
      extra.push_back(n.Scalar());
    } else if (n.IsSequence()) {
      for (const auto& item : n) {
        if (!item.IsScalar()) return section_.ErrorAt(item, name, "must list JSON keys as strings");
        extra.push_back(item.Scalar());
      }
    } else {
      return section_.ErrorAt(n, name,
                              "must be a key or a list of keys, e.g. [req_trace, traceparent]");
    }
    // Configured names are tried first; the others stay as fallbacks.
    for (const auto& old : *names) {
      if (std::find(extra.begin(), extra.end(), old) == extra.end()) extra.push_back(old);
    }
    *names = std::move(extra);
    return absl::OkStatus();
  });
}

void ConfigReader::Names(std::string_view key, std::vector<std::string>* out) {
  if (status_.ok() && section_.Has(key)) out->clear();
  NamesFirst(key, out);
}

void ConfigReader::Uint(std::string_view key, uint64_t min, uint64_t max, uint64_t* out) {
  Step(key, [&](const YAML::Node& n, const std::string& name) {
    const std::string text = ScalarOr(n, "");
    uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < min ||
        v > max) {
      return section_.ErrorAt(
          n, name,
          absl::StrCat("must be a whole number from ", min, " to ", max, " (got \"", text, "\")"));
    }
    *out = v;
    return absl::OkStatus();
  });
}

void ConfigReader::Size(std::string_view key, uint64_t* out) {
  Step(key, [&](const YAML::Node& n, const std::string& name) {
    if (!n.IsScalar() || !ParseByteSize(n.Scalar(), out)) {
      return section_.ErrorAt(
          n, name,
          absl::StrCat("must be a byte size such as 1048576, 512KiB or 64MiB (got \"",
                       ScalarOr(n, "a non-scalar"), "\")"));
    }
    return absl::OkStatus();
  });
}

void ConfigReader::Number(std::string_view key, double min, double max, std::string_view example,
                          double* out) {
  Step(key, [&](const YAML::Node& n, const std::string& name) {
    double v;
    if (!n.IsScalar() || !absl::SimpleAtod(n.Scalar(), &v) || !(v >= min && v < max)) {
      return section_.ErrorAt(
          n, name, absl::StrCat("must be ", Av(example), " (from ", min, " to below ", max, ")"));
    }
    *out = v;
    return absl::OkStatus();
  });
}

void ConfigReader::Share(std::string_view key, double* out) {
  Step(key, [&](const YAML::Node& n, const std::string& name) {
    double v;
    if (!n.IsScalar() || !absl::SimpleAtod(n.Scalar(), &v) || !(v > 0 && v <= 1)) {
      return section_.ErrorAt(n, name,
                              absl::StrCat("must be a share between 0 and 1, e.g. 0.9 (got \"",
                                           ScalarOr(n, "a non-scalar"), "\")"));
    }
    *out = v;
    return absl::OkStatus();
  });
}

void ConfigReader::Duration(std::string_view key, bool zero_ok, int64_t* out_ns) {
  Step(key, [&](const YAML::Node& n, const std::string& name) {
    const std::string text = ScalarOr(n, "");
    if (zero_ok && text == "0") {
      *out_ns = 0;
      return absl::OkStatus();
    }
    absl::Duration d;
    if (!ParsePositiveDuration(text, &d)) {
      return section_.ErrorAt(
          n, name, absl::StrCat("must be ", kPositiveDurationHint, " (got \"", text, "\")"));
    }
    *out_ns = absl::ToInt64Nanoseconds(d);
    return absl::OkStatus();
  });
}

void ConfigReader::Duration(std::string_view key, bool zero_ok, absl::Duration* out) {
  int64_t ns = absl::ToInt64Nanoseconds(*out);
  Duration(key, zero_ok, &ns);
  *out = absl::Nanoseconds(ns);
}

void ConfigReader::Word(std::string_view key, std::string* out) {
  Step(key, [&](const YAML::Node& n, const std::string& name) {
    if (!n.IsScalar() || n.Scalar().empty()) return section_.ErrorAt(n, name, "must be a word");
    *out = n.Scalar();
    return absl::OkStatus();
  });
}

void ConfigReader::Text(std::string_view key, std::string* out) {
  Step(key, [&](const YAML::Node& n, const std::string& name) {
    if (!n.IsScalar())
      return section_.ErrorAt(n, name, "must be a single value, not a list or map");
    *out = n.Scalar();
    return absl::OkStatus();
  });
}

void ConfigReader::Path(std::string_view key, std::string* out) {
  Word(key, out);
  if (status_.ok() && section_.Has(key)) *out = section_.ResolvePath(*out);
}

}  // namespace logweave
