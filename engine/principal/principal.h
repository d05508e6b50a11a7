// Principal resolution: from verified claims to the principal the decision is about
// (docs/semantics.md §5, §7, §10), and mapping-rule matching against the same claims.
//
// Internal to the engine. Thread-safety: free functions over immutable inputs.
#ifndef CLEARANCE_ENGINE_PRINCIPAL_PRINCIPAL_H_
#define CLEARANCE_ENGINE_PRINCIPAL_PRINCIPAL_H_

#include <optional>
#include <string>
#include <vector>

#include "clearance/claim_path.h"
#include "clearance/config.h"
#include "clearance/decision.h"
#include "simdjson.h"

namespace clearance::principal_internal {

struct Principal {
  OwnerType type = OwnerType::kUser;  // kUser or kClient
  std::string id;
  // Set when a groups claim is configured (OIDC): the token's groups, which replace stored group
  // memberships for every owner. Empty vector when the claim is missing or null.
  std::optional<std::vector<std::string>> token_groups;
};

struct Resolution {
  std::optional<Principal> principal;  // absent: unauthenticated
  Reason failure = Reason::kNoPrincipal;
  std::string message;  // why, naming the claim
};

// Evaluates a compiled path. Appends every value it reaches to `out`.
void Evaluate(const ClaimPath& path, simdjson::dom::element root,
              std::vector<simdjson::dom::element>* out);

// True when `root` and every object inside it have unique member names (unescaped).
bool HasUniqueMemberNames(simdjson::dom::element root);

// Resolves the principal from an already-parsed claims object (OIDC or basic mode; in basic
// mode only the username claim is read) with the claim rules of the issuer its `iss` names
// (Configuration::MappingFor). Does not check that a basic-mode user exists.
Resolution Resolve(const Configuration& config, simdjson::dom::element claims);

// docs/semantics.md §5 mapping-rule matching: the path's array (or several values through [*])
// contains a string equal to `value`, or the path yields that single string. No type coercion.
bool Matches(const ClaimPath& path, std::string_view value, simdjson::dom::element claims);

}  // namespace clearance::principal_internal

#endif  // CLEARANCE_ENGINE_PRINCIPAL_PRINCIPAL_H_
