// Configuration: the authentication mode, the feature flags and the principal claims
// (SPEC.md §5, §7). A Configuration is plain data; Validate() compiles and checks it.
//
// Thread-safety: plain value type; no internal synchronization.
#ifndef CLEARANCE_CONFIG_H_
#define CLEARANCE_CONFIG_H_

#include <string>

#include "absl/status/status.h"

namespace clearance {

enum class AuthMode : uint8_t {
  kOidc,   // callers present OIDC access tokens (default)
  kBasic,  // every caller is a stored USER with a password
};

struct Configuration {
  // Authentication mode. Default: OIDC.
  AuthMode mode = AuthMode::kOidc;
  // When false the permission side of every check passes (a valid principal is enough).
  // Default: true.
  bool authorizations_enabled = true;
  // Multi-tenancy checks. When false the tenant side of every check passes and the authorized
  // tenants are just <default>. Default: false, as in Camunda.
  bool tenant_checks_enabled = false;
  // Claim holding the username. Literal top-level key, or a JSONPath when it starts with '$'.
  // Default: "sub". Must not be empty.
  std::string username_claim = "sub";
  // Claim holding the client id. Empty: unset (no client principals). Default: unset.
  std::string client_id_claim;
  // Claim holding the caller's groups. When set, the token's groups replace stored group
  // memberships for every owner, and group ids are relaxed to any non-empty string of at most
  // 256 chars. Default: unset.
  std::string groups_claim;
  // When both username and client id are present: false (default) chooses the client.
  bool prefer_username_claim = false;
  // Identifier rule for users, roles, mapping rules, clients, owner ids and resource ids, as a
  // regular expression that must match the whole id. A bracket class "^[...]+$" is compiled to a
  // byte table (fast); anything else uses std::regex (ECMAScript). Length is always 1-256.
  // Default: Camunda's "^[a-zA-Z0-9_~@.+-]+$".
  std::string id_pattern = "^[a-zA-Z0-9_~@.+-]+$";

  bool groups_claim_configured() const { return mode == AuthMode::kOidc && !groups_claim.empty(); }

  // INVALID_ARGUMENT naming the field when a claim name does not compile (SPEC.md §5), the
  // username claim is empty, or the id pattern is not a valid regular expression.
  absl::Status Validate() const;

  bool operator==(const Configuration&) const = default;
};

std::string_view Name(AuthMode mode);

}  // namespace clearance

#endif  // CLEARANCE_CONFIG_H_
