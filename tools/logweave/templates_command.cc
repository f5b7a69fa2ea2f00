// logweave templates: the log templates of files (Drain-style mining, no configuration).
#include <cstdio>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "connectors/file/file_source.h"
#include "logweave/source.h"
#include "logweave/templates.h"
#include "tools/flags/flags.h"
#include "tools/logweave/commands.h"
#include "tools/logweave/json_writer.h"
#include "tools/logweave/output.h"

namespace logweave::cli {
namespace {

constexpr char kTemplatesDescription[] =
    R"(Groups the lines of log files into templates: each plain-text line (its header of
time, level, pid and component found by itself) and the message of each JSON line
is cut into words, values (numbers, ids, hex, IPs, paths, quoted words, key=value
values) become <*>, and similar messages of one service share a template (Drain).
Prints the templates by count, largest first.

PATH is a file, a directory (its *.log, *.json, ... files, as replay reads them) or
- for stdin. Lines without a service field take it from the file name.

--json prints one object per template: {"kind":"template","id","template",
"count","levels":{LEVEL:count},"services","first","last","sample_traces"};
--members adds "members":[{"source":PATH,"line":N}] (lines from 1).
)";

struct Member {
  uint32_t source = 0;
  uint64_t line = 0;
};

std::string TemplateJson(const TemplateInfo& t, const std::vector<Member>* members,
                         const std::vector<std::string>& sources) {
  JsonWriter w;
  w.StartObject();
  w.Field("kind", "template");
  w.Field("id", t.id);
  w.Field("template", t.text);
  w.Field("count", t.count);
  w.Key("levels");
  w.StartObject();
  for (size_t l = 0; l < t.levels.size(); ++l) {
    if (t.levels[l] == 0) continue;
    std::string_view name = LevelName(static_cast<Level>(l));
    w.Field(name.empty() ? "UNKNOWN" : name, t.levels[l]);
  }
  w.EndObject();
  w.Key("services");
  w.StartArray();
  w.String(t.service);
  w.EndArray();
  w.Key("first");
  t.has_time ? w.String(TimeString(t.first_ns)) : w.Null();
  w.Key("last");
  t.has_time ? w.String(TimeString(t.last_ns)) : w.Null();
  w.Key("sample_traces");
  w.StartArray();
  for (const std::string& trace : t.sample_traces) w.String(trace);
  w.EndArray();
  if (members != nullptr) {
    w.Key("members");
    w.StartArray();
    for (const Member& m : *members) {
      w.StartObject();
      w.Field("source", sources[m.source]);
      w.Field("line", m.line);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return w.str();
}

}  // namespace

int RunTemplates(const std::vector<std::string>& args) {
  const std::string command = "logweave templates";
  bool json = false, members = false;
  TemplateMinerOptions options;
  FlagSet flags(command, "[flags] PATH...", kTemplatesDescription);
  flags.set_exit_codes(
      "Exit codes: 0 ok; 1 a file could not be read (the others are still read);\n"
      "2 usage error.\n");
  flags.set_examples(
      {"logweave templates logs/",
       "logweave templates --json --members app.log | jq -c '{id, count, template}'"});
  flags.Bool("json", &json, "print one JSON object per template");
  flags.Bool("members", &members, "with --json: list each template's lines (source, line)");
  flags.Double("similarity", &options.similarity, "S",
               "share of equal words for a message to join a template, 0-1 (default 0.5)");
  std::vector<std::string> paths;
  auto bad_flag = [&](const absl::Status& s) {
    std::fprintf(stderr, "%s: %s; see 'logweave templates --help'\n", command.c_str(),
                 std::string(s.message()).c_str());
    return kExitUsage;
  };
  if (int code = flags.ParseCommand(args, &paths, bad_flag); code >= 0) return code;
  if (paths.empty()) {
    std::fprintf(stderr,
                 "%s: no PATH given; name log files or directories, or - for stdin; see "
                 "'logweave templates --help'\n",
                 command.c_str());
    return kExitUsage;
  }
  if (members && !json) {
    std::fprintf(stderr, "%s: --members needs --json; see 'logweave templates --help'\n",
                 command.c_str());
    return kExitUsage;
  }
  absl::StatusOr<std::unique_ptr<TemplateBatchMiner>> miner =
      TemplateBatchMiner::Create(ParserOptions{}, options);
  if (!miner.ok()) {
    std::fprintf(stderr, "%s: %s\n", command.c_str(),
                 std::string(miner.status().message()).c_str());
    return kExitUsage;
  }
  int code = kExitOk;
  ExpandedPaths expanded = ExpandReplayPaths(paths);
  for (const absl::Status& e : expanded.errors) {
    std::fprintf(stderr, "%s: %s\n", command.c_str(), std::string(e.message()).c_str());
    code = kExitRuntimeError;
  }
  absl::flat_hash_map<uint64_t, std::vector<Member>> by_template;  // with --members
  std::vector<TemplateBatchMiner::Assignment> assigned;
  const absl::Time start = absl::Now();
  uint64_t lines = 0;
  for (uint32_t source = 0; source < expanded.files.size(); ++source) {
    const std::string& path = expanded.files[source];
    const std::string service = path == "-" ? std::string("stdin") : ServiceFromSourceName(path);
    absl::Status s = ReadSource(path, LineBatcherOptions{}, source, [&](RawBatch&& batch) {
      assigned.clear();
      (*miner)->Add(std::move(batch), service, &assigned);
      lines += assigned.size();
      if (!members) return;
      for (const auto& a : assigned) by_template[a.template_id].push_back({source, a.line_no});
    });
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", command.c_str(), std::string(s.message()).c_str());
      if (!IsBinaryFileSkipped(s)) code = kExitRuntimeError;
    }
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const TemplateMiner& m = (*miner)->miner();
  std::string out;
  for (const TemplateInfo& t : m.Snapshot()) {
    if (json) {
      const std::vector<Member>* list = members ? &by_template[t.id] : nullptr;
      absl::StrAppend(&out, ValidUtf8(TemplateJson(t, list, expanded.files)), "\n");
    } else {
      absl::StrAppend(&out, absl::StrFormat("%8d × ", t.count), Printable(t.text), "  [",
                      Printable(t.service), "]\n");
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fprintf(
      stderr, "%s: %s lines, %s templates, %.0f lines/s%s\n", command.c_str(),
      Thousands(lines).c_str(), Thousands(m.size()).c_str(),
      seconds > 0 ? static_cast<double>(lines) / seconds : 0.0,
      m.overflow() > 0
          ? absl::StrCat(", ", m.overflow(), " lines over the per-service template limit").c_str()
          : "");
  return code;
}

}  // namespace logweave::cli
