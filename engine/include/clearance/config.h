// Configuration: the authentication mode, the feature flags, the principal claims and the trusted
// token issuers (docs/semantics.md §5, §7). A Configuration is plain data; Validate() compiles and
// checks it.
//
// Thread-safety: plain value type; no internal synchronization.
#ifndef CLEARANCE_CONFIG_H_
#define CLEARANCE_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace clearance {

enum class AuthMode : uint8_t {
  kOidc,   // callers present OIDC access tokens (default)
  kBasic,  // every caller is a stored USER with a password
};

// One trusted issuer of bearer tokens: where its signing keys come from and what its tokens must
// say. Stored with the configuration; whoever verifies tokens (the CLI's `check --token`, an
// embedder) turns it into a clearance::IssuerConfig (clearance/token.h). Plain data.
struct TokenIssuerConfig {
  // Compared byte for byte with the token's `iss`. Required; unique among the issuers.
  std::string issuer;
  // Key source: exactly one of the two. jwks_file: path of a JWKS document, read when a verifier
  // is built. jwks_uri: an https:// URL, fetched when a verifier is built (and refreshed by it).
  std::string jwks_file;
  std::string jwks_uri;
  // The token's `aud` must contain one of these. At least one; none empty; no repeats. There is no
  // "skip the audience check" here: an operator-configured issuer always checks it.
  std::vector<std::string> audiences;
  // JWS algorithms accepted from this issuer, by their RFC 7518 names (RS256 ... PS512, ES256,
  // ES384, ES512, EdDSA, HS256, HS384, HS512; case-sensitive). At least one; no repeats; "none"
  // is never accepted.
  std::vector<std::string> algorithms;

  bool operator==(const TokenIssuerConfig&) const = default;
};

// The algorithm names TokenIssuerConfig::algorithms accepts, in JwsAlgorithm order
// (clearance/token.h).
const std::vector<std::string_view>& TokenAlgorithmNames();

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
  // Identifier rule for users, roles, mapping rules, clients, owner ids and resource ids, as an
  // RE2 regular expression (UTF-8) that must match the whole id; RE2 matches in time linear in
  // the id, whatever the pattern. A bracket class "^[...]+$" over ASCII is compiled to a byte
  // table (fast). Not empty, at most 1024 bytes, and its compiled form must fit in 1 MiB. Length
  // is always 1-256. Default: Camunda's "^[a-zA-Z0-9_~@.+-]+$".
  std::string id_pattern = "^[a-zA-Z0-9_~@.+-]+$";
  // Issuers whose bearer tokens are trusted (OIDC mode). Empty: tokens cannot be verified, only
  // already-verified claims can be checked. Default: none.
  std::vector<TokenIssuerConfig> token_issuers;

  bool groups_claim_configured() const { return mode == AuthMode::kOidc && !groups_claim.empty(); }

  // INVALID_ARGUMENT naming the field when a claim name does not compile (docs/semantics.md §5),
  // the username claim is empty, the id pattern is not a valid regular expression, or a token
  // issuer breaks a rule of TokenIssuerConfig (named as "token_issuers[i].field").
  absl::Status Validate() const;

  bool operator==(const Configuration&) const = default;
};

std::string_view Name(AuthMode mode);

}  // namespace clearance

#endif  // CLEARANCE_CONFIG_H_
