// The reference evaluator: docs/semantics.md §6-§7 written as plainly as possible.
//
// It scans every authorization and walks memberships for every question; nothing is cached or
// compiled. It is the oracle of the differential tests and the baseline of the benchmarks, so it
// must stay simple enough to check against docs/semantics.md by reading. Never use it to serve
// traffic.
//
// Thread-safety: free functions over a const IdentityState; safe to call concurrently as long as
// nobody applies changes to the state meanwhile.
#ifndef CLEARANCE_ENGINE_REFERENCE_REFERENCE_EVALUATOR_H_
#define CLEARANCE_ENGINE_REFERENCE_REFERENCE_EVALUATOR_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clearance/decision.h"
#include "clearance/state.h"

namespace clearance::reference {

struct Verdict {
  Decision decision;
  // Human-readable reason; for FORBIDDEN through insufficient permissions it is Camunda's
  // "Insufficient permissions to perform operation ..." message.
  std::string message;
  // The resource ids the check named, sorted and unique (FORBIDDEN answers list them).
  std::vector<std::string> required_ids;
  // The resolved principal (absent when anonymous or unauthenticated).
  std::optional<OwnerRef> principal;
  // Ids of the mapping rules whose claim matched, sorted (OIDC only).
  std::vector<std::string> matching_rules;
  // Explain: every path by which an authorization that passes the permission side is reached,
  // sorted. Empty when authorizations are disabled.
  std::vector<GrantPath> grants;
};

Verdict Check(const IdentityState& state, const Caller& caller, const CheckRequest& request);

// For (caller, resource type, permission): the ids granted, or `all`. UNAUTHENTICATED when the
// caller has no usable principal.
absl::StatusOr<ResourceIds> AuthorizedResourceIds(const IdentityState& state, const Caller& caller,
                                                  ResourceType type, Permission permission);

// The caller's tenants (principal and matching rules), sorted; <default> alone when tenant
// checks are disabled. UNAUTHENTICATED when the caller has no usable principal.
absl::StatusOr<std::vector<std::string>> AuthorizedTenants(const IdentityState& state,
                                                           const Caller& caller);

// The union of permissions granted on "*" and on `resource_id` for this resource type; every
// supported permission when authorizations are disabled. UNAUTHENTICATED as above.
absl::StatusOr<PermissionMask> PermissionsOn(const IdentityState& state, const Caller& caller,
                                             ResourceType type, std::string_view resource_id);

}  // namespace clearance::reference

#endif  // CLEARANCE_ENGINE_REFERENCE_REFERENCE_EVALUATOR_H_
