// A small command-line flag parser for the logweave subcommands.
//
//   FlagSet flags("logweave replay", "[flags] PATH...", "Ingests log files ...");
//   flags.String("config", &config_path, "FILE", "YAML config file");
//   flags.Bool("json", &json, "print JSON Lines");
//   absl::Status s = flags.Parse(argc, argv, &positional);
//
// Accepts --name value, --name=value, -h/--help, "--" to end flags. A bool
// flag takes no value (--name) or an explicit --name=true/false.
#ifndef LOGWEAVE_TOOLS_FLAGS_H_
#define LOGWEAVE_TOOLS_FLAGS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace logweave::cli {

// Thread-compatible.
class FlagSet {
 public:
  FlagSet(std::string command, std::string usage, std::string description);

  void String(const std::string& name, std::string* target, const std::string& value_name,
              const std::string& help);
  void StringList(const std::string& name, std::vector<std::string>* target,
                  const std::string& value_name, const std::string& help);
  void Bool(const std::string& name, bool* target, const std::string& help);
  void Uint(const std::string& name, uint64_t* target, const std::string& value_name,
            const std::string& help);
  // A byte size: 1048576, 512KiB, 64MiB.
  void Size(const std::string& name, uint64_t* target, const std::string& value_name,
            const std::string& help);
  // A positive duration: 30s, 1.5s, 500ms, 2m (absl::ParseDuration), or plain seconds: 30.
  void Duration(const std::string& name, absl::Duration* target, const std::string& value_name,
                const std::string& help);

  // Parses args (without the program and command names). INVALID_ARGUMENT with
  // a message naming the flag for unknown flags or bad values. Sets
  // help_requested() for -h/--help.
  absl::Status Parse(const std::vector<std::string>& args, std::vector<std::string>* positional);
  bool help_requested() const { return help_requested_; }
  // The --help text.
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

  std::string command_, usage_, description_;
  std::vector<Flag> flags_;
  bool help_requested_ = false;
};

}  // namespace logweave::cli

#endif  // LOGWEAVE_TOOLS_FLAGS_H_
