// The command-line flag parser of every program in tools/ and bench/: the
// logweave subcommands, loggen and the benchmark harnesses.
//
//   FlagSet flags("logweave replay", "[flags] PATH...", "Ingests log files ...");
//   flags.String("config", &config_path, "FILE", "YAML config file");
//   flags.Bool("json", &json, "print JSON Lines");
//   absl::Status s = flags.Parse(args, &positional);
//
// A program with a main() of its own hands argv over in one call:
//
//   if (int code = flags.ParseMain(argc, argv, &positional); code >= 0) return code;
//
// Accepts --name value, --name=value, -h/--help, "--" to end flags. A bool
// flag takes no value (--name) or an explicit --name=true/false.
#ifndef LOGWEAVE_TOOLS_FLAGS_FLAGS_H_
#define LOGWEAVE_TOOLS_FLAGS_FLAGS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace logweave::cli {

// Thread-compatible. The targets given to the flag methods must outlive Parse.
class FlagSet {
 public:
  // `command` names the program in messages ("logweave replay", "loggen");
  // `usage` follows it on the usage line; `description` comes before the flags.
  FlagSet(std::string command, std::string usage, std::string description);

  void String(const std::string& name, std::string* target, const std::string& value_name,
              const std::string& help);
  void StringList(const std::string& name, std::vector<std::string>* target,
                  const std::string& value_name, const std::string& help);
  void Bool(const std::string& name, bool* target, const std::string& help);
  void Uint(const std::string& name, uint64_t* target, const std::string& value_name,
            const std::string& help);
  void Int(const std::string& name, int64_t* target, const std::string& value_name,
           const std::string& help);
  void Double(const std::string& name, double* target, const std::string& value_name,
              const std::string& help);
  // A byte size: 1048576, 512KiB, 64MiB.
  void Size(const std::string& name, uint64_t* target, const std::string& value_name,
            const std::string& help);
  // A positive duration: 30s, 1.5s, 500ms, 2m (absl::ParseDuration), or plain seconds: 30.
  void Duration(const std::string& name, absl::Duration* target, const std::string& value_name,
                const std::string& help);
  // A flag with a value that `set` checks and stores; its error status is
  // returned by Parse as it is (say which flag and what is expected).
  void Custom(const std::string& name, const std::string& value_name, const std::string& help,
              std::function<absl::Status(const std::string& value)> set);

  // What Help() prints after the flags, in this order: what each exit code
  // means ("Exit codes: 0 ok; ..."), example command lines (one an entry; an
  // entry may span lines), and any other text (file formats ...).
  void set_exit_codes(std::string exit_codes) { exit_codes_ = std::move(exit_codes); }
  void set_examples(std::vector<std::string> examples) { examples_ = std::move(examples); }
  void set_epilog(std::string epilog) { epilog_ = std::move(epilog); }

  // Parses args (without the program and command names). INVALID_ARGUMENT with
  // a message naming the flag for unknown flags or bad values. Sets
  // help_requested() for -h/--help.
  absl::Status Parse(const std::vector<std::string>& args, std::vector<std::string>* positional);
  bool help_requested() const { return help_requested_; }

  // Parse, and what every command does with its result. Returns -1 to go on,
  // or the exit code to return at once: 0 after printing Help() to stdout for
  // --help; for a bad flag, what `fail(status)` returns (it reports the
  // status), or without `fail`, 2 after printing "COMMAND: message" to stderr.
  int ParseCommand(const std::vector<std::string>& args, std::vector<std::string>* positional,
                   const std::function<int(const absl::Status&)>& fail = nullptr);

  // ParseCommand over argv[1..argc), for a program's main(): a bad flag
  // prints "COMMAND: message" and a hint to stderr and returns 2.
  int ParseMain(int argc, char** argv, std::vector<std::string>* positional);

  // The --help text. A help string may span lines: each line after the first
  // is indented to the help column.
  std::string Help() const;
  const std::string& command() const { return command_; }

 private:
  struct Flag {
    std::string name;
    std::string value_name;  // empty for bools
    std::string help;
    std::function<absl::Status(const std::string&)> set;
  };
  const Flag* Find(const std::string& name) const;

  std::string command_, usage_, description_, exit_codes_, epilog_;
  std::vector<std::string> examples_;
  std::vector<Flag> flags_;
  bool help_requested_ = false;
};

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_FLAGS_FLAGS_H_
