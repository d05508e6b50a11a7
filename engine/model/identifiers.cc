#include "model/identifiers.h"

#include <cctype>

#include "clearance/internal/strings.h"

namespace clearance::model_internal {
namespace {

// Shows a value in an error without flooding it: long values are cut.
std::string Quote(std::string_view value) {
  if (value.size() <= 64) return strings_internal::StrCat("'", value, "'");
  return strings_internal::StrCat("'", value.substr(0, 61), "...'");
}

std::string Printable(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (std::isprint(u) && c != '\'') return strings_internal::StrCat("'", std::string(1, c), "'");
  static constexpr char kHex[] = "0123456789abcdef";
  return strings_internal::StrCat("byte 0x", std::string(1, kHex[u >> 4]),
                                  std::string(1, kHex[u & 15]));
}

// Parses the body of a bracket class ("a-zA-Z0-9_~@.+-") into a byte table. Returns false when
// the body uses anything beyond literal characters and ranges.
bool ParseClass(std::string_view body, std::array<bool, 256>* table) {
  for (size_t i = 0; i < body.size(); ++i) {
    unsigned char lo = static_cast<unsigned char>(body[i]);
    if (lo == '\\' || lo == '[' || lo == '^') return false;
    if (i + 2 < body.size() && body[i + 1] == '-') {
      unsigned char hi = static_cast<unsigned char>(body[i + 2]);
      if (hi == '\\' || hi == '[' || hi < lo) return false;
      for (unsigned c = lo; c <= hi; ++c) (*table)[c] = true;
      i += 2;
    } else {
      (*table)[lo] = true;
    }
  }
  return true;
}

}  // namespace

bool IsBlank(std::string_view value) {
  for (char c : value) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::StatusOr<IdentifierRule> IdentifierRule::Compile(std::string_view pattern) {
  IdentifierRule rule;
  rule.pattern_ = std::string(pattern);
  std::string_view p = pattern;
  if (p.starts_with("^")) p.remove_prefix(1);
  if (p.ends_with("$")) p.remove_suffix(1);
  if (p.size() >= 4 && p.front() == '[' && p.ends_with("]+") &&
      p.substr(1, p.size() - 3).find(']') == std::string_view::npos &&
      ParseClass(p.substr(1, p.size() - 3), &rule.allowed_)) {
    rule.use_table_ = true;
    return rule;
  }
  // std::regex reports bad patterns by throwing; this is the one place the engine meets a
  // throwing API, and it runs at configuration time only.
  try {
    rule.regex_ = std::make_shared<const std::regex>(std::string(pattern), std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        "id_pattern: ", Quote(pattern), " is not a valid regular expression (", e.what(),
        "); expected an ECMAScript pattern"));
  }
  return rule;
}

absl::Status IdentifierRule::Check(std::string_view field, std::string_view value) const {
  if (value.empty()) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        field, ": is empty; expected 1-256 characters matching ", pattern_));
  }
  if (value.size() > kMaxIdLength) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        field, ": is ", value.size(), " characters long; expected at most 256"));
  }
  if (use_table_) {
    for (size_t i = 0; i < value.size(); ++i) {
      if (!allowed_[static_cast<unsigned char>(value[i])]) {
        return absl::InvalidArgumentError(strings_internal::StrCat(
            field, ": ", Quote(value), " contains ", Printable(value[i]), " at position ", i,
            "; expected 1-256 characters matching ", pattern_));
      }
    }
    return absl::OkStatus();
  }
  if (!std::regex_match(value.begin(), value.end(), *regex_)) {
    return absl::InvalidArgumentError(
        strings_internal::StrCat(field, ": ", Quote(value),
                                 " does not match; expected 1-256 characters "
                                 "matching ",
                                 pattern_));
  }
  return absl::OkStatus();
}

absl::Status IdentifierRule::CheckResourceId(std::string_view field, std::string_view value) const {
  if (value == "*") return absl::OkStatus();
  absl::Status s = Check(field, value);
  if (!s.ok()) {
    return absl::InvalidArgumentError(
        strings_internal::StrCat(s.message(), ", or exactly '*' for every resource"));
  }
  return s;
}

absl::Status CheckTenantId(std::string_view field, std::string_view value) {
  if (value == "<default>") return absl::OkStatus();
  constexpr std::string_view kExpected =
      "expected 1-31 characters of [A-Za-z0-9_.-] or '<default>'";
  if (value.empty())
    return absl::InvalidArgumentError(strings_internal::StrCat(field, ": is empty; ", kExpected));
  if (value.size() > kMaxTenantIdLength) {
    return absl::InvalidArgumentError(
        strings_internal::StrCat(field, ": is ", value.size(), " characters long; ", kExpected));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (!std::isalnum(c) && c != '_' && c != '.' && c != '-') {
      return absl::InvalidArgumentError(
          strings_internal::StrCat(field, ": ", Quote(value), " contains ", Printable(value[i]),
                                   " at position ", i, "; ", kExpected));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRelaxedGroupId(std::string_view field, std::string_view value) {
  // Under a groups claim, group ids are whatever the identity provider puts in tokens: any
  // non-empty string (docs/semantics.md §1), blanks included.
  if (value.empty()) {
    return absl::InvalidArgumentError(
        strings_internal::StrCat(field, ": is empty; expected a group id of 1-256 characters"));
  }
  if (value.size() > kMaxIdLength) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        field, ": is ", value.size(), " characters long; expected at most 256"));
  }
  return absl::OkStatus();
}

absl::Status CheckRequiredText(std::string_view field, std::string_view value) {
  if (IsBlank(value)) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        field, ": is blank; expected 1-256 characters, at least one not whitespace"));
  }
  if (value.size() > kMaxTextLength) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        field, ": is ", value.size(), " characters long; expected at most 256"));
  }
  return absl::OkStatus();
}

absl::Status CheckOptionalText(std::string_view field, std::string_view value, size_t max) {
  if (value.size() > max) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        field, ": is ", value.size(), " characters long; expected at most ", max));
  }
  return absl::OkStatus();
}

}  // namespace clearance::model_internal
