#include "templates/masking.h"

#include "parse/char_class.h"

namespace logweave::internal {
namespace {

bool IsOpening(char c) {
  return c == '(' || c == '[' || c == '{' || c == '<' || c == '"' || c == '\'';
}
bool IsClosing(char c) {
  return c == ')' || c == ']' || c == '}' || c == '>' || c == '"' || c == '\'' || c == ',' ||
         c == ';' || c == ':' || c == '.' || c == '!' || c == '?';
}

bool IsQuote(char c) { return c == '"' || c == '\''; }

// Whether the core of a token (its surrounding punctuation removed) is a value.
bool IsValue(std::string_view core) {
  for (char c : core) {
    if (IsDigit(c)) return true;  // numbers, ids, hashes, IPs, sizes, durations, versions
  }
  if (core.size() > 1 && (core.front() == '/' || core.front() == '~' || core.front() == '\\')) {
    return true;  // a path
  }
  return core.find("://") != std::string_view::npos;  // a URL
}

// "key=value" with an identifier key: the key stays, the value is masked.
bool IsKeyValue(std::string_view core, size_t* eq) {
  *eq = core.find('=');
  if (*eq == std::string_view::npos || *eq == 0 || *eq + 1 >= core.size()) return false;
  for (size_t i = 0; i < *eq; ++i) {
    if (!IsIdentChar(core[i]) && core[i] != '.' && core[i] != '-') return false;
  }
  return true;
}

// prefix + key + "<*>" + suffix.
std::string Join(std::string_view prefix, std::string_view key, std::string_view suffix) {
  std::string out;
  out.reserve(prefix.size() + key.size() + kWildcard.size() + suffix.size());
  out.append(prefix).append(key).append(kWildcard).append(suffix);
  return out;
}

}  // namespace

std::string MaskToken(std::string_view token) {
  size_t begin = 0, end = token.size();
  while (begin < end && IsOpening(token[begin])) ++begin;
  while (end > begin && IsClosing(token[end - 1])) --end;
  const std::string_view core = token.substr(begin, end - begin);
  if (core.empty()) return std::string(token);
  const std::string_view prefix = token.substr(0, begin), suffix = token.substr(end);
  size_t eq = 0;
  if (IsKeyValue(core, &eq)) {
    return Join(prefix, core.substr(0, eq + 1), suffix);
  }
  // A word in quotes of its own ("alice", 'orders') is a value too.
  const bool quoted =
      !prefix.empty() && !suffix.empty() && IsQuote(prefix.back()) && IsQuote(suffix.front());
  if (quoted || IsValue(core)) return Join(prefix, {}, suffix);
  return std::string(token);
}

void MaskMessage(std::string_view message, std::vector<std::string>* tokens) {
  tokens->clear();
  size_t i = 0;
  while (i < message.size()) {
    while (i < message.size() && IsSpace(message[i])) ++i;
    if (i >= message.size()) break;
    size_t end = i;
    while (end < message.size() && !IsSpace(message[end])) ++end;
    if (tokens->size() + 1 == kMaxTemplateTokens) {
      tokens->emplace_back(kWildcard);
      return;
    }
    tokens->push_back(MaskToken(message.substr(i, end - i)));
    i = end;
  }
}

}  // namespace logweave::internal
