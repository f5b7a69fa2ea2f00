#include "connectors/actions/template.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "logweave/timestamp.h"

namespace logweave::actions {

const std::string& FindingService(const Finding& finding) {
  const std::string& service = finding.Detail("service");
  return service.empty() ? finding.subject : service;
}

absl::StatusOr<Template> Template::Parse(const std::string& text) {
  // The placeholders but {details.KEY}, in the order the unknown-placeholder error lists them.
  struct Named {
    absl::string_view name;
    Field field;
    const std::string Finding::*member;  // kMember
  };
  static constexpr Named kNamed[] = {
      {"kind", Field::kMember, &Finding::kind},
      {"id", Field::kMember, &Finding::id},
      {"service", Field::kService, nullptr},
      {"subject", Field::kMember, &Finding::subject},
      {"trace_id", Field::kMember, &Finding::trace_id},
      {"severity", Field::kSeverity, nullptr},
      {"time", Field::kTime, nullptr},
  };
  Template t;
  t.text_ = text;
  std::string literal;
  auto flush = [&] {
    if (literal.empty()) return;
    t.pieces_.push_back(Piece{Field::kLiteral, literal});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal.push_back(c);
      ++i;
      continue;
    }
    if (c == '}') {
      return absl::InvalidArgumentError(
          absl::StrCat("has a '}' with no '{' in \"", text, "\"; write }} for a literal brace"));
    }
    if (c != '{') {
      literal.push_back(c);
      continue;
    }
    const size_t end = text.find('}', i + 1);
    if (end == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("has an unclosed placeholder in \"", text,
                                                     "\"; write {{ for a literal brace"));
    }
    const std::string name = text.substr(i + 1, end - i - 1);
    const auto named = std::find_if(std::begin(kNamed), std::end(kNamed),
                                    [&](const Named& n) { return n.name == name; });
    Piece piece;
    if (named != std::end(kNamed)) {
      piece.field = named->field;
      piece.member = named->member;
    } else if (absl::StartsWith(name, "details.") && name.size() > 8) {
      piece.field = Field::kDetail;
      piece.text = name.substr(8);
    } else {
      std::string known;
      for (const Named& n : kNamed) absl::StrAppend(&known, " {", n.name, "}");
      return absl::InvalidArgumentError(
          absl::StrCat("has an unknown placeholder {", name, "}; known:", known, " {details.KEY}"));
    }
    flush();
    t.pieces_.push_back(std::move(piece));
    i = end;
  }
  flush();
  return t;
}

bool Template::literal() const {
  for (const Piece& p : pieces_) {
    if (p.field != Field::kLiteral) return false;
  }
  return true;
}

std::string Template::Expand(const Finding& f,
                             const std::function<std::string(const std::string&)>& escape) const {
  std::string out;
  for (const Piece& p : pieces_) {
    std::string value;
    switch (p.field) {
      case Field::kLiteral:
        out += p.text;
        continue;
      case Field::kMember:
        value = f.*p.member;
        break;
      case Field::kService:
        value = FindingService(f);
        break;
      case Field::kSeverity:
        value = SeverityName(f.severity);
        break;
      case Field::kTime: {
        char buf[48];
        value.assign(buf, FormatTimestamp(f.time_ns, buf));
        break;
      }
      case Field::kDetail:
        value = f.Detail(p.text);
        break;
    }
    out += escape ? escape(value) : value;
  }
  return out;
}

absl::StatusOr<std::string> ExpandEnvironment(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = text.find("${", i);
    if (start == std::string::npos) break;
    const size_t end = text.find('}', start + 2);
    if (end == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("has an unclosed ${ in \"", text, "\""));
    }
    out.append(text, i, start - i);
    const std::string name = text.substr(start + 2, end - start - 2);
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    if (value == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("names the environment variable ${", name,
                                                     "}, which is not set; export it first"));
    }
    for (const char* c = value; *c != '\0'; ++c) {
      out.push_back(*c);
      if (*c == '{' || *c == '}') out.push_back(*c);  // stays literal in a Template
    }
    i = end + 1;
  }
  out.append(text, i, std::string::npos);
  return out;
}

}  // namespace logweave::actions
