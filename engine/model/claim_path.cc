#include "clearance/claim_path.h"

#include <cctype>

#include "absl/status/status.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"

namespace clearance {
namespace {

constexpr size_t kMaxClaimNameLength = 256;

// Characters that end a dot-notation member name (docs/semantics.md §5).
bool IsNameChar(char c) {
  static constexpr std::string_view kForbidden = ".[]'\"*()?@$,:\\";
  return kForbidden.find(c) == std::string_view::npos &&
         !std::isspace(static_cast<unsigned char>(c));
}

class PathParser {
 public:
  PathParser(std::string_view text, std::string_view field) : text_(text), field_(field) {}

  absl::StatusOr<std::vector<ClaimPath::Step>> Parse() {
    // text_[0] == '$'
    pos_ = 1;
    std::vector<ClaimPath::Step> steps;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '.') {
        ++pos_;
        if (pos_ < text_.size() && text_[pos_] == '.') {
          return Error("recursive descent '..' is not supported");
        }
        if (pos_ < text_.size() && text_[pos_] == '*') {
          return Error("'.*' is not supported; use [*]");
        }
        size_t start = pos_;
        while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
        if (pos_ == start) return Error("expected a member name after '.'");
        if (pos_ < text_.size() && text_[pos_] == '(') return Error("functions are not supported");
        steps.push_back(
            {ClaimPath::Step::Kind::kMember, std::string(text_.substr(start, pos_ - start))});
      } else if (c == '[') {
        ++pos_;
        CLEARANCE_ASSIGN_OR_RETURN(ClaimPath::Step step, ParseBracket());
        steps.push_back(std::move(step));
      } else {
        return Error(
            strings_internal::StrCat("unexpected '", std::string(1, c), "'; expected '.' or '['"));
      }
    }
    return steps;
  }

 private:
  absl::StatusOr<ClaimPath::Step> ParseBracket() {
    if (pos_ >= text_.size()) return Error("unterminated '['");
    char c = text_[pos_];
    if (c == '*') {
      ++pos_;
      if (!Consume(']')) return Error("expected ']' after '[*'");
      return ClaimPath::Step{ClaimPath::Step::Kind::kWildcard, {}};
    }
    if (c == '\'' || c == '"') {
      char quote = c;
      ++pos_;
      std::string name;
      while (true) {
        if (pos_ >= text_.size()) return Error("unterminated quoted member name");
        char d = text_[pos_++];
        if (d == quote) break;
        if (d == '\\') {
          if (pos_ >= text_.size()) return Error("unterminated escape");
          char e = text_[pos_++];
          if (e != '\'' && e != '"' && e != '\\') {
            --pos_;
            return Error(strings_internal::StrCat("unsupported escape '\\", std::string(1, e),
                                                  "'; expected \\', \\\" or \\\\"));
          }
          name.push_back(e);
        } else {
          name.push_back(d);
        }
      }
      if (pos_ < text_.size() && text_[pos_] == ',') return Error("unions are not supported");
      if (!Consume(']')) return Error("expected ']' after a quoted member name");
      return ClaimPath::Step{ClaimPath::Step::Kind::kMember, std::move(name)};
    }
    if (c == '-') return Error("negative indexes are not supported");
    if (c == '?') return Error("filters are not supported");
    if (c == ':') return Error("slices are not supported");
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return Error("expected '*', a quoted name or an index inside '[]'");
    }
    size_t start = pos_;
    uint64_t index = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      if (index > (UINT64_MAX - 9) / 10) return Error("index is too large");
      index = index * 10 + static_cast<uint64_t>(text_[pos_] - '0');
      ++pos_;
    }
    if (pos_ - start > 1 && text_[start] == '0') {
      pos_ = start;
      return Error("index has a leading zero");
    }
    if (pos_ < text_.size() && text_[pos_] == ':') return Error("slices are not supported");
    if (pos_ < text_.size() && text_[pos_] == ',') return Error("unions are not supported");
    if (!Consume(']')) return Error("expected ']' after an index");
    ClaimPath::Step step{ClaimPath::Step::Kind::kIndex, {}};
    step.index = index;
    return step;
  }

  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  absl::Status Error(std::string_view problem) const {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        field_, ": '", text_, "' at position ", pos_, ": ", problem,
        "; expected a literal claim name, or a JSONPath of $, .name, ['name'], [n] and [*]"));
  }

  std::string_view text_;
  std::string_view field_;
  size_t pos_ = 0;
};

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<ClaimPath> ClaimPath::Compile(std::string_view claim_name, std::string_view field) {
  if (IsBlank(claim_name)) {
    return absl::InvalidArgumentError(
        strings_internal::StrCat(field, ": is blank; expected a claim name of 1-256 characters"));
  }
  if (claim_name.size() > kMaxClaimNameLength) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        field, ": is ", claim_name.size(), " characters long; expected at most 256"));
  }
  ClaimPath path;
  path.source_ = std::string(claim_name);
  if (claim_name.front() != '$') {
    path.literal_ = true;
    path.steps_.push_back({Step::Kind::kMember, std::string(claim_name)});
    return path;
  }
  CLEARANCE_ASSIGN_OR_RETURN(path.steps_, PathParser(claim_name, field).Parse());
  for (const Step& s : path.steps_) {
    if (s.kind == Step::Kind::kWildcard) path.multi_valued_ = true;
  }
  return path;
}

}  // namespace clearance
