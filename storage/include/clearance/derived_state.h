// DerivedState: the rows storage derives from the source state and persists beside it, so that
// a process can load them at startup instead of recomputing them (docs/architecture.md "Storage").
//
// Two kinds of derived rows:
//   - the flattened closure of one member entity (docs/semantics.md §4, stored memberships only:
// the
//     token's groups-claim override is applied at decision time, not here);
//   - the claim-value index: (claimName, claimValue) -> mapping rule ids.
// Both are pure functions of the source rows; Store::Verify() recomputes them and reports every
// difference. The compiled index is meant to load these rows straight into memory.
//
// Thread-safety: plain value types; no internal synchronization.
#ifndef CLEARANCE_DERIVED_STATE_H_
#define CLEARANCE_DERIVED_STATE_H_

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "clearance/catalog.h"

namespace clearance {

// The closure of one entity E that is a member of something (docs/semantics.md §4):
//   groups  = E's group memberships
//   roles   = E's roles ∪ roles of each group in `groups`
//   tenants = E's tenants ∪ tenants of `groups` ∪ tenants of `roles`
// Each list is sorted and unique. Entities need not exist (USER, CLIENT and GROUP members may be
// granted before they appear), so the closure is a function of the memberships alone.
struct Closure {
  std::vector<std::string> groups;
  std::vector<std::string> roles;
  std::vector<std::string> tenants;

  bool empty() const { return groups.empty() && roles.empty() && tenants.empty(); }
  bool operator==(const Closure&) const = default;
};

// Who a closure belongs to: (member type, member id).
using ClosureKey = std::pair<MemberType, std::string>;

// One entry of the claim-value index.
struct ClaimIndexEntry {
  std::string claim_name;  // the rule's claimName as written (a literal key or a JSONPath)
  std::string claim_value;
  std::string rule_id;
  auto operator<=>(const ClaimIndexEntry&) const = default;
  bool operator==(const ClaimIndexEntry&) const = default;
};

struct DerivedState {
  // Only entities with a non-empty closure have an entry.
  std::map<ClosureKey, Closure> closures;
  // Ordered by (claim name, claim value, rule id): a prefix scan yields a pair's rules.
  std::set<ClaimIndexEntry> claim_index;

  bool operator==(const DerivedState&) const = default;
};

}  // namespace clearance

#endif  // CLEARANCE_DERIVED_STATE_H_
