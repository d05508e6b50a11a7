// ClaimPath: where in a token's claims a mapping rule or a principal claim looks (docs/semantics.md
// §5).
//
// A claim name that does not start with '$' is one literal top-level key ("a.b" is the key
// "a.b"). A name that starts with '$' is a JSONPath in a deliberately small subset:
//   $            the root
//   .name        a member; name has none of .[]'"*()?@$,:\ nor whitespace
//   ['name']     a member, quoted; \' \" and \\ are the only escapes
//   ["name"]
//   [n]          an array element, n >= 0 (decimal, no sign, no leading zeros)
//   [*]          every array element, or every member value of an object
// Anything else (recursive descent "..", filters, slices, unions, negative indexes, functions,
// "$.*") is refused at compile time with an error that names the offending position.
//
// Thread-safety: a ClaimPath is immutable after Compile(); const methods may be called from any
// number of threads.
#ifndef CLEARANCE_CLAIM_PATH_H_
#define CLEARANCE_CLAIM_PATH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace clearance {

class ClaimPath {
 public:
  struct Step {
    enum class Kind : uint8_t { kMember, kIndex, kWildcard };
    Kind kind;
    std::string member;  // kMember: the unescaped member name
    uint64_t index = 0;  // kIndex
    bool operator==(const Step&) const = default;
  };

  // Compiles a claim name. INVALID_ARGUMENT names the field (`field`, e.g. "claimName"), the
  // position and what was expected there. An empty or blank name is refused.
  static absl::StatusOr<ClaimPath> Compile(std::string_view claim_name,
                                           std::string_view field = "claimName");

  ClaimPath() = default;

  // The name as given.
  const std::string& source() const { return source_; }
  const std::vector<Step>& steps() const { return steps_; }
  // True when the path can yield several values (it contains [*]).
  bool multi_valued() const { return multi_valued_; }
  // True for a literal key (no '$'): one kMember step.
  bool literal() const { return literal_; }

  bool operator==(const ClaimPath& o) const { return source_ == o.source_; }

 private:
  std::string source_;
  std::vector<Step> steps_;
  bool multi_valued_ = false;
  bool literal_ = false;
};

}  // namespace clearance

#endif  // CLEARANCE_CLAIM_PATH_H_
