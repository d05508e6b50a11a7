// Identifier rules (docs/semantics.md §1). Every refusal names the field, the value's problem and
// what is expected; values are shown escaped (model/utf8.h Quoted).
//
// Internal to the engine. Thread-safety: an IdentifierRule is immutable after Compile(); const
// methods may be called from any thread.
#ifndef CLEARANCE_ENGINE_MODEL_IDENTIFIERS_H_
#define CLEARANCE_ENGINE_MODEL_IDENTIFIERS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace clearance::model_internal {

inline constexpr size_t kMaxIdLength = 256;
inline constexpr size_t kMaxTenantIdLength = 31;
inline constexpr size_t kMaxTextLength = 256;
inline constexpr size_t kMaxDescriptionLength = 4096;
// An id pattern is configuration, not data: a few dozen bytes in practice. The bound keeps a
// hostile configuration (a snapshot header, an ingested stream) from making every command compile
// a megabyte of pattern.
inline constexpr size_t kMaxIdPatternLength = 1024;
// RE2's memory budget for one compiled id pattern (its programs and DFA caches; RE2's default is
// 8 MiB). A pattern whose program does not fit is refused when it is configured.
inline constexpr int64_t kIdPatternMaxMemory = int64_t{1} << 20;

// The configurable identifier rule: 1-256 chars matching a pattern.
class IdentifierRule {
 public:
  // A pattern of the form "^[...]+$" over ASCII is compiled into a byte table; any other is an
  // RE2 regular expression (UTF-8) that must match the whole id, which RE2 does in time linear in
  // the id whatever the pattern. INVALID_ARGUMENT when the pattern is empty (it would refuse
  // every id), longer than kMaxIdPatternLength, not UTF-8, or refused by RE2 (with RE2's reason,
  // which includes a program too large for kIdPatternMaxMemory).
  static absl::StatusOr<IdentifierRule> Compile(std::string_view pattern);

  // OK, or INVALID_ARGUMENT "<field>: '<value>' <problem>; expected <rule>".
  absl::Status Check(std::string_view field, std::string_view value) const;
  // Like Check(), but also accepts exactly "*".
  absl::Status CheckResourceId(std::string_view field, std::string_view value) const;

 private:
  std::string pattern_;
  bool use_table_ = false;
  std::array<bool, 256> allowed_{};
  std::shared_ptr<const re2::RE2> regex_;
};

// Tenant ids: 1-31 chars of [A-Za-z0-9_.-], or exactly "<default>".
absl::Status CheckTenantId(std::string_view field, std::string_view value);

// Group ids under a groups claim: any non-empty string of at most 256 chars.
absl::Status CheckRelaxedGroupId(std::string_view field, std::string_view value);

// Required text (names, claim names and values): non-blank, at most 256 chars, never trimmed.
absl::Status CheckRequiredText(std::string_view field, std::string_view value);

// Optional text: at most `max` chars.
absl::Status CheckOptionalText(std::string_view field, std::string_view value, size_t max);

bool IsBlank(std::string_view value);

}  // namespace clearance::model_internal

#endif  // CLEARANCE_ENGINE_MODEL_IDENTIFIERS_H_
