#include "redact/redactor.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "re2/re2.h"
#include "re2/set.h"
#include "redact/digit_runs.h"

namespace logweave::internal {

// One rule: a pattern whose first capture group (or whole match, without
// one) is replaced, and an optional check of the matched text.
struct Redactor::Rule {
  std::string name;
  std::unique_ptr<re2::RE2> pattern;
  std::function<bool(std::string_view)> accept;     // null: every match
  std::function<bool(std::string_view)> may_match;  // a quick look at the line; null: run it
};

namespace {

constexpr char kRedactedPrefix[] = "[REDACTED:";

struct BuiltIn {
  const char* name;
  const char* pattern;
};

// Literal-led patterns, so that RE2's prefilter skips most lines fast.
constexpr BuiltIn kBuiltIns[] = {
    {"aws_access_key_id", R"(\b((?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16})\b)"},
    {"aws_secret_access_key",
     R"((?i)aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40}))"},
    {"jwt", R"(\b(eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+))"},
    {"bearer_token", R"((?i)\bbearer\s+([A-Za-z0-9\-._~+/]{8,}=*))"},
    {"url_password", R"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@"']+:([^/\s@"']+)@)"},
    {"secret_pair",
     R"((?i)\b(?:password|passwd|pwd|secret|client_secret|token|access_token|api_?key)=([^&\s"',;]+))"},
    {"private_key",
     R"((-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)))"},
    {"card_number", R"(\b((?:\d[ -]?){12,18}\d)\b)"},
};

// Card numbers: 13-19 digits (separators dropped) of a known issuer's
// ranges and lengths, passing the Luhn check. A 19-digit nanosecond
// timestamp or an order id is not one.
bool IsCardNumber(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
  }
  const size_t n = digits.size();
  auto starts = [&](std::string_view p) { return digits.compare(0, p.size(), p) == 0; };
  const int two = std::stoi(digits.substr(0, 2));
  const int four = std::stoi(digits.substr(0, 4));
  const bool issuer =
      (starts("4") && (n == 13 || n == 16 || n == 19)) ||                           // Visa
      (((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) && n == 16) ||  // Mastercard
      ((two == 34 || two == 37) && n == 15) ||                                      // Amex
      ((starts("6011") || starts("65")) && (n == 16 || n == 19));                   // Discover
  return issuer && LuhnValid(digits);
}

// Whether `s` may hold a card number: 13 or more digits in a row, single
// spaces or dashes allowed between them, from a digit that can begin an
// issuer's number (2-6) at the run's start or after a separator (where the
// rule's match can start). Such a run is 13 bytes or longer, so it covers a
// multiple of 12: only those places are looked at first.
bool MayHoldCardNumber(std::string_view s) {
  // Most lines have no 13 bytes of a run at all: told 64 bytes at a time.
  if (!HasCardLikeRun(s)) return false;
  const size_t n = s.size();
  for (size_t i = 0; i < n; i += 12) {
    if (!InCardRun(s, i)) continue;
    size_t begin = i;
    while (begin > 0 && InCardRun(s, begin - 1)) --begin;
    size_t digits = 0;
    bool issuer_start = false;
    size_t end = begin;
    for (; end < n && InCardRun(s, end); ++end) {
      if (!IsCardRunDigit(s[end])) continue;
      ++digits;
      if ((end == begin || IsCardRunSeparator(s[end - 1])) && s[end] >= '2' && s[end] <= '6') {
        issuer_start = true;
      }
    }
    if (digits >= 13 && issuer_start) return true;
    i = end - end % 12;  // on from the next multiple of 12 after the run
  }
  return false;
}

}  // namespace

bool LuhnValid(std::string_view digits) {
  if (digits.size() < 13 || digits.size() > 19) return false;
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(*it))) return false;
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

Redactor::Redactor() = default;
Redactor::~Redactor() = default;

absl::StatusOr<std::unique_ptr<Redactor>> Redactor::Create(const RedactOptions& options,
                                                           Prefilter prefilter) {
  std::unique_ptr<Redactor> r(new Redactor());
  re2::RE2::Options re_options;
  re_options.set_log_errors(false);
  re_options.set_dot_nl(true);
  auto add = [&](const std::string& name, const std::string& pattern,
                 std::function<bool(std::string_view)> accept,
                 std::function<bool(std::string_view)> may_match = nullptr) -> absl::Status {
    if (name.empty()) return absl::InvalidArgumentError("has a rule without a name");
    if (std::find(r->names_.begin(), r->names_.end(), name) != r->names_.end()) {
      return absl::InvalidArgumentError(absl::StrCat("has a second rule named \"", name, "\""));
    }
    auto re = std::make_unique<re2::RE2>(pattern, re_options);
    if (!re->ok()) {
      return absl::InvalidArgumentError(absl::StrCat("rule \"", name, "\": \"", pattern,
                                                     "\" is not an RE2 pattern: ", re->error()));
    }
    // A pattern that matches nothing at all would match at every position of every line.
    if (re2::RE2::PartialMatch("", *re)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rule \"", name, "\": \"", pattern,
          "\" can match an empty string, which would replace nothing at every position of every "
          "line; make it match at least one character (e.g. + instead of *)"));
    }
    r->names_.push_back(name);
    r->rules_.push_back(
        std::make_unique<Rule>(Rule{name, std::move(re), std::move(accept), std::move(may_match)}));
    return absl::OkStatus();
  };
  for (const BuiltIn& b : kBuiltIns) {
    std::function<bool(std::string_view)> accept, may_match;
    if (std::string_view(b.name) == "card_number") {
      accept = IsCardNumber;
      may_match = MayHoldCardNumber;  // no literal to prefilter it by
    }
    if (absl::Status s = add(b.name, b.pattern, accept, may_match); !s.ok()) return s;
  }
  if (!options.fields.empty()) {
    std::vector<std::string> quoted;
    for (const std::string& f : options.fields) quoted.push_back(re2::RE2::QuoteMeta(f));
    // "field": "value" (the value's escapes kept whole).
    const std::string pattern = absl::StrCat(R"re((?i)"(?:)re", absl::StrJoin(quoted, "|"),
                                             R"re()"\s*:\s*"((?:[^"\\]|\\.)*)")re");
    if (absl::Status s = add("json_field", pattern, nullptr); !s.ok()) return s;
  }
  for (const auto& [name, pattern] : options.patterns) {
    if (absl::Status s = add(name, pattern, nullptr); !s.ok()) return s;
  }
  std::vector<std::string> patterns;
  for (const auto& rule : r->rules_) patterns.push_back(rule->pattern->pattern());
  if (prefilter == Prefilter::kHyperscan) {
    r->prefilter_ = RulePrefilter::Create(patterns, re_options);
  }
  if (r->prefilter_ != nullptr) return r;
  r->any_ = std::make_unique<re2::RE2::Set>(re_options, re2::RE2::UNANCHORED);
  for (const std::string& pattern : patterns) {
    if (r->any_->Add(pattern, nullptr) < 0) {
      return absl::InternalError(absl::StrCat("redact: cannot combine the rule \"", pattern, "\""));
    }
  }
  if (!r->any_->Compile()) return absl::InternalError("redact: cannot compile the rules");
  return r;
}

Redactor::Scanner::Scanner(const Redactor& redactor) : redactor_(redactor) {
  if (redactor.prefilter_ != nullptr) session_.emplace(redactor.prefilter_.get());
}

void Redactor::Scanner::ScanBlock(std::string_view block) {
  if (session_.has_value()) session_->ScanBlock(block);
}

bool Redactor::Scanner::Redact(std::string_view line, std::string* out,
                               std::vector<uint64_t>* counts) {
  if (session_.has_value()) {
    const std::vector<int>& candidates = session_->Candidates(line);
    return !candidates.empty() && redactor_.RedactWith(candidates, line, out, counts);
  }
  matched_.clear();
  if (!redactor_.any_->Match(re2::StringPiece(line.data(), line.size()), &matched_)) return false;
  std::sort(matched_.begin(), matched_.end());
  return redactor_.RedactWith(matched_, line, out, counts);
}

bool Redactor::Redact(std::string_view line, std::string* out,
                      std::vector<uint64_t>* counts) const {
  return Scanner(*this).Redact(line, out, counts);
}

bool Redactor::RedactWith(const std::vector<int>& candidates, std::string_view line,
                          std::string* out, std::vector<uint64_t>* counts) const {
  // A rule's quick look is at the line as it came: a replacement adds no
  // digits or literals that could make another rule match.
  absl::InlinedVector<int, 8> runnable;  // each quick look once
  for (int index : candidates) {
    if (!rules_[index]->may_match || rules_[index]->may_match(line)) runnable.push_back(index);
  }
  if (runnable.empty()) return false;
  std::string text(line);
  bool changed = false;
  for (int index : runnable) {
    const Rule& rule = *rules_[index];
    const int groups = rule.pattern->NumberOfCapturingGroups();
    std::string result;
    std::string_view rest(text);
    size_t done = 0;  // bytes of `text` copied to `result`
    re2::StringPiece found[2];
    bool any = false;
    while (!rest.empty() && rule.pattern->Match(text, text.size() - rest.size(), text.size(),
                                                re2::RE2::UNANCHORED, found, groups >= 1 ? 2 : 1)) {
      const std::string_view whole(found[0].data(), found[0].size());
      const std::string_view secret = groups >= 1 && found[1].data() != nullptr
                                          ? std::string_view(found[1].data(), found[1].size())
                                          : whole;
      const size_t after = static_cast<size_t>(whole.data() - text.data()) + whole.size();
      // A secret redacted before (a line restored from the write-ahead log)
      // is left as it is, and not counted again.
      if (!secret.empty() && secret.substr(0, sizeof(kRedactedPrefix) - 1) != kRedactedPrefix &&
          (!rule.accept || rule.accept(secret))) {
        const size_t begin = static_cast<size_t>(secret.data() - text.data());
        result.append(text, done, begin - done);
        absl::StrAppend(&result, kRedactedPrefix, rule.name, "]");
        done = begin + secret.size();
        if (counts->size() < rules_.size()) counts->resize(rules_.size());
        ++(*counts)[index];
        any = true;
      }
      // On to the text after the match (one byte on for an empty match).
      rest = std::string_view(text).substr(std::max(after, text.size() - rest.size() + 1));
      if (after >= text.size()) break;
    }
    if (!any) continue;
    result.append(text, done, std::string::npos);
    text = std::move(result);
    changed = true;
  }
  if (!changed) return false;
  *out = std::move(text);
  return true;
}

}  // namespace logweave::internal
