#include "tools/flags/flags.h"

#include <charconv>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "logweave/config.h"
#include "logweave/duration.h"

namespace logweave::cli {

namespace {

// Where the help text of a flag starts in Help(), and the width it is wrapped to.
constexpr size_t kHelpColumn = 26;
constexpr size_t kHelpWidth = 100;

// `text` wrapped at spaces into lines of at most `width` characters (a longer word stands on
// a line of its own); its own line breaks are kept.
std::vector<std::string> WrapWords(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  for (absl::string_view paragraph : absl::StrSplit(text, '\n')) {
    std::string line;
    for (absl::string_view word : absl::StrSplit(paragraph, ' ', absl::SkipEmpty())) {
      if (!line.empty() && line.size() + 1 + word.size() > width) {
        lines.push_back(std::move(line));
        line.clear();
      }
      if (!line.empty()) line += ' ';
      line.append(word.data(), word.size());
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

// Reads all of `v` as a whole number into *target (T: uint64_t or int64_t);
// else the error of --name, leaving *target as it was.
template <typename T>
absl::Status ReadWholeNumber(const std::string& name, const std::string& v, T* target) {
  T n;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " needs a whole number (got \"", v, "\")"));
  }
  *target = n;
  return absl::OkStatus();
}

}  // namespace

FlagSet::FlagSet(std::string command, std::string usage, std::string description)
    : command_(std::move(command)),
      usage_(std::move(usage)),
      description_(std::move(description)) {}

void FlagSet::String(const std::string& name, std::string* target, const std::string& value_name,
                     const std::string& help) {
  flags_.push_back({name, value_name, help, [target](const std::string& v) {
                      *target = v;
                      return absl::OkStatus();
                    }});
}

void FlagSet::StringList(const std::string& name, std::vector<std::string>* target,
                         const std::string& value_name, const std::string& help) {
  flags_.push_back({name, value_name, help, [target](const std::string& v) {
                      target->push_back(v);
                      return absl::OkStatus();
                    }});
}

void FlagSet::Bool(const std::string& name, bool* target, const std::string& help) {
  flags_.push_back({name, "", help, [name, target](const std::string& v) {
                      if (v.empty() || v == "true" || v == "1") {
                        *target = true;
                      } else if (v == "false" || v == "0") {
                        *target = false;
                      } else {
                        return absl::InvalidArgumentError(
                            absl::StrCat("--", name, " takes no value, or =true / =false"));
                      }
                      return absl::OkStatus();
                    }});
}

void FlagSet::Uint(const std::string& name, uint64_t* target, const std::string& value_name,
                   const std::string& help) {
  flags_.push_back({name, value_name, help, [name, target](const std::string& v) {
                      return ReadWholeNumber(name, v, target);
                    }});
}

void FlagSet::Int(const std::string& name, int64_t* target, const std::string& value_name,
                  const std::string& help) {
  flags_.push_back({name, value_name, help, [name, target](const std::string& v) {
                      return ReadWholeNumber(name, v, target);
                    }});
}

void FlagSet::Double(const std::string& name, double* target, const std::string& value_name,
                     const std::string& help) {
  flags_.push_back({name, value_name, help, [name, target](const std::string& v) {
                      double d;
                      if (!absl::SimpleAtod(v, &d)) {
                        return absl::InvalidArgumentError(
                            absl::StrCat("--", name, " needs a number (got \"", v, "\")"));
                      }
                      *target = d;
                      return absl::OkStatus();
                    }});
}

void FlagSet::Size(const std::string& name, uint64_t* target, const std::string& value_name,
                   const std::string& help) {
  flags_.push_back({name, value_name, help, [name, target](const std::string& v) {
                      if (!ParseByteSize(v, target)) {
                        return absl::InvalidArgumentError(
                            absl::StrCat("--", name, " needs a byte size like 1048576, 512KiB or ",
                                         "64MiB (got \"", v, "\")"));
                      }
                      return absl::OkStatus();
                    }});
}

void FlagSet::Duration(const std::string& name, absl::Duration* target,
                       const std::string& value_name, const std::string& help) {
  flags_.push_back({name, value_name, help, [name, target](const std::string& v) {
                      absl::Duration d;
                      if (!ParsePositiveDuration(v, &d)) {
                        return absl::InvalidArgumentError(absl::StrCat(
                            "--", name, " needs ", kPositiveDurationHint, " (got \"", v, "\")"));
                      }
                      *target = d;
                      return absl::OkStatus();
                    }});
}

void FlagSet::Custom(const std::string& name, const std::string& value_name,
                     const std::string& help,
                     std::function<absl::Status(const std::string& value)> set) {
  flags_.push_back({name, value_name, help, std::move(set)});
}

const FlagSet::Flag* FlagSet::Find(const std::string& name) const {
  for (const Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

absl::Status FlagSet::Parse(const std::vector<std::string>& args,
                            std::vector<std::string>* positional) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positional->insert(positional->end(), args.begin() + i + 1, args.end());
      break;
    }
    if (arg == "-h" || arg == "--help") {
      help_requested_ = true;
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-' || arg == "-") {
      positional->push_back(arg);
      continue;
    }
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string value;
    bool has_value = false;
    if (size_t eq = body.find('='); eq != std::string::npos) {
      value = body.substr(eq + 1);
      body = body.substr(0, eq);
      has_value = true;
    }
    const Flag* flag = Find(body);
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag ", arg, "; see '", command_, " --help'"));
    }
    if (!flag->value_name.empty() && !has_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", flag->name, " needs a value (", flag->value_name, ")"));
      }
      value = args[++i];
    }
    if (absl::Status s = flag->set(value); !s.ok()) return s;
  }
  return absl::OkStatus();
}

int FlagSet::ParseCommand(const std::vector<std::string>& args,
                          std::vector<std::string>* positional,
                          const std::function<int(const absl::Status&)>& fail) {
  if (absl::Status s = Parse(args, positional); !s.ok()) {
    if (fail) return fail(s);
    std::fprintf(stderr, "%s: %s\n", command_.c_str(), std::string(s.message()).c_str());
    return 2;
  }
  if (help_requested_) {
    std::fputs(Help().c_str(), stdout);
    return 0;
  }
  return -1;
}

int FlagSet::ParseMain(int argc, char** argv, std::vector<std::string>* positional) {
  const std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  return ParseCommand(args, positional, [this](const absl::Status& s) {
    std::fprintf(stderr, "%s: %s\nRun '%s --help' for the list of flags.\n", command_.c_str(),
                 std::string(s.message()).c_str(), command_.c_str());
    return 2;
  });
}

std::string FlagSet::Help() const {
  std::string out = absl::StrCat("usage: ", command_, " ", usage_, "\n\n", description_, "\n");
  out += "\nflags:\n";  // --help at least
  const std::string indent(kHelpColumn, ' ');
  for (const Flag& f : flags_) {
    std::string left = absl::StrCat("  --", f.name);
    if (!f.value_name.empty()) absl::StrAppend(&left, " ", f.value_name);
    if (left.size() < kHelpColumn)
      left.resize(kHelpColumn, ' ');
    else
      left += "\n" + indent;
    absl::StrAppend(&left,
                    absl::StrJoin(WrapWords(f.help, kHelpWidth - kHelpColumn), "\n" + indent));
    absl::StrAppend(&out, left, "\n");
  }
  std::string help_flag = "  -h, --help";
  help_flag.resize(kHelpColumn, ' ');
  absl::StrAppend(&out, help_flag, "show this help\n");
  if (!exit_codes_.empty()) absl::StrAppend(&out, "\n", exit_codes_);
  if (!examples_.empty())
    absl::StrAppend(&out, "\n", examples_.size() == 1 ? "example" : "examples", ":\n");
  for (const std::string& example : examples_) {
    absl::StrAppend(&out, "  ", absl::StrReplaceAll(example, {{"\n", "\n  "}}), "\n");
  }
  if (!epilog_.empty()) absl::StrAppend(&out, "\n", epilog_);
  return out;
}

}  // namespace logweave::cli
