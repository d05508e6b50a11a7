#include "model/identifiers.h"

#include <re2/re2.h>

#include <cctype>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "model/utf8.h"

namespace clearance::model_internal {
namespace {

// Shows a value in an error without flooding it: long values are cut (at a character boundary,
// so the cut never makes a broken sequence that Quoted() would show as bytes).
std::string Quote(std::string_view value) {
  if (value.size() <= 64) return Quoted(value);
  size_t cut = 61;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  std::string quoted = Quoted(value.substr(0, cut));
  quoted.insert(quoted.size() - 1, "...");
  return quoted;
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
    // Non-ASCII characters are several bytes: RE2 matches them as characters, a table cannot.
    if (lo == '\\' || lo == '[' || lo == '^' || lo >= 0x80) return false;
    if (i + 2 < body.size() && body[i + 1] == '-') {
      unsigned char hi = static_cast<unsigned char>(body[i + 2]);
      if (hi == '\\' || hi == '[' || hi < lo || hi >= 0x80) return false;
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
  constexpr std::string_view kExpected =
      "expected an RE2 regular expression that the whole id must match, such as "
      "^[a-zA-Z0-9_~@.+-]+$";
  if (pattern.empty()) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        "id_pattern: is empty, which would refuse every id; ", kExpected));
  }
  if (pattern.size() > kMaxIdPatternLength) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        "id_pattern: is ", pattern.size(), " bytes long; expected at most ",
        kMaxIdPatternLength));
  }
  CLEARANCE_RETURN_IF_ERROR(CheckUtf8("id_pattern", pattern));
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
  // Every command validates its input under the configured pattern, so the compiled pattern is
  // kept per thread: a command pays RE2's compilation only when the pattern has changed.
  thread_local std::string cached_pattern;
  thread_local std::shared_ptr<const re2::RE2> cached_regex;
  if (cached_regex && cached_pattern == pattern) {
    rule.regex_ = cached_regex;
    return rule;
  }
  re2::RE2::Options options;
  options.set_log_errors(false);  // the refusal below carries RE2's reason
  options.set_max_mem(kIdPatternMaxMemory);
  auto regex = std::make_shared<const re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()),
                                                options);
  if (!regex->ok()) {
    const bool too_large = regex->error_code() == re2::RE2::ErrorPatternTooLarge;
    return absl::InvalidArgumentError(strings_internal::StrCat(
        "id_pattern: ", Quote(pattern), " is refused by RE2: ", regex->error(),
        too_large ? strings_internal::StrCat(" (the compiled pattern must fit in ",
                                             kIdPatternMaxMemory >> 10, " KiB)")
                  : std::string(),
        "; ", kExpected));
  }
  cached_pattern = std::string(pattern);
  cached_regex = regex;
  rule.regex_ = std::move(regex);
  return rule;
}

absl::Status IdentifierRule::Check(std::string_view field, std::string_view value) const {
  if (value.empty()) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        field, ": is empty; expected 1-256 characters matching ", Quoted(pattern_)));
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
            "; expected 1-256 characters matching ", Quoted(pattern_)));
      }
    }
    return absl::OkStatus();
  }
  if (!re2::RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *regex_)) {
    return absl::InvalidArgumentError(
        strings_internal::StrCat(field, ": ", Quote(value),
                                 " does not match; expected 1-256 characters "
                                 "matching ",
                                 Quoted(pattern_)));
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
