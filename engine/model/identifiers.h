// Identifier rules (docs/semantics.md §1). Every refusal names the field, the value's problem and
// what is expected.
//
// Internal to the engine. Thread-safety: an IdentifierRule is immutable after Compile(); const
// methods may be called from any thread.
#ifndef CLEARANCE_ENGINE_MODEL_IDENTIFIERS_H_
#define CLEARANCE_ENGINE_MODEL_IDENTIFIERS_H_

#include <array>
#include <memory>
// GCC 12 reports a false -Wmaybe-uninitialized inside libstdc++'s <regex> when it is compiled
// with -fsanitize=address; the warning is in the library's code, not ours.
// Clang has no -Wmaybe-uninitialized and rejects the pragma, so it is GCC's alone.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <regex>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace clearance::model_internal {

inline constexpr size_t kMaxIdLength = 256;
inline constexpr size_t kMaxTenantIdLength = 31;
inline constexpr size_t kMaxTextLength = 256;
inline constexpr size_t kMaxDescriptionLength = 4096;

// The configurable identifier rule: 1-256 chars matching a pattern.
class IdentifierRule {
 public:
  // A pattern of the form "^[...]+$" is compiled into a byte table; any other is taken as an
  // ECMAScript regular expression that must match the whole id. INVALID_ARGUMENT when the
  // pattern does not compile.
  static absl::StatusOr<IdentifierRule> Compile(std::string_view pattern);

  // OK, or INVALID_ARGUMENT "<field>: '<value>' <problem>; expected <rule>".
  absl::Status Check(std::string_view field, std::string_view value) const;
  // Like Check(), but also accepts exactly "*".
  absl::Status CheckResourceId(std::string_view field, std::string_view value) const;

 private:
  std::string pattern_;
  bool use_table_ = false;
  std::array<bool, 256> allowed_{};
  std::shared_ptr<const std::regex> regex_;
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
