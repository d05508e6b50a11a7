// Configuration: the authentication mode, the feature flags, the principal claims and the trusted
// token issuers (docs/semantics.md §5, §7). A Configuration is plain data; Validate() compiles and
// checks it.
//
// Thread-safety: plain value type; no internal synchronization.
#ifndef CLEARANCE_CONFIG_H_
#define CLEARANCE_CONFIG_H_

#include <cstdint>
#include <optional>
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

  // How this issuer's tokens name their principal and how much slack and size they get. Each
  // field, when set, replaces the configuration's value (or, for leeway and the byte caps, the
  // verifier's default) for tokens whose `iss` is this issuer; unset fields take the default.
  // Two identity providers behind one cluster rarely agree on claim names (Keycloak's
  // preferred_username/azp, Entra's upn/appid). Rules as for the Configuration fields of the
  // same name; an empty client_id_claim or groups_claim override unsets that claim for the issuer.
  std::optional<std::string> username_claim = std::nullopt;
  std::optional<std::string> client_id_claim = std::nullopt;
  std::optional<std::string> groups_claim = std::nullopt;
  std::optional<bool> prefer_username_claim = std::nullopt;
  // Clock skew tolerated on exp, nbf and iat, in seconds. 0 to 86400. Default: the verifier's
  // leeway (60 s).
  std::optional<int64_t> leeway_seconds = std::nullopt;
  // Caps on the compact token and on its decoded claims, in bytes. 256 to 1 MiB. Default: the
  // verifier's limits (16 KiB and 12 KiB). A cap above the default raises the cap applied before
  // the issuer is known (to the largest of all issuers'); the issuer's own cap is applied as soon
  // as the token's iss is read.
  std::optional<uint64_t> max_token_bytes = std::nullopt;
  std::optional<uint64_t> max_claims_bytes = std::nullopt;

  bool has_claim_overrides() const {
    return username_claim || client_id_claim || groups_claim || prefer_username_claim;
  }

  bool operator==(const TokenIssuerConfig&) const = default;
};

// Bounds of TokenIssuerConfig's leeway and byte-cap overrides.
inline constexpr int64_t kMaxIssuerLeewaySeconds = 86400;
inline constexpr uint64_t kMinIssuerTokenBytes = 256;
inline constexpr uint64_t kMaxIssuerTokenBytes = 1024 * 1024;

// The claim rules that apply to one token: the configuration's, with its issuer's overrides.
// Views into the Configuration it came from; valid while that is unchanged.
struct ClaimMapping {
  std::string_view username_claim;
  std::string_view client_id_claim;  // empty: no client principals
  std::string_view groups_claim;     // empty: the token carries no groups
  bool prefer_username_claim = false;
  // The index in Configuration::token_issuers whose overrides apply; -1 for the global rules.
  int issuer_index = -1;
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

  // True when some token's groups replace stored memberships: OIDC mode, and the global groups
  // claim or an issuer's groups claim override is set. Group ids are then relaxed.
  bool groups_claim_configured() const;

  // The claim rules for a token whose `iss` is `issuer`: that issuer's overrides over the global
  // fields, or the global fields when no configured issuer is `issuer` (or it overrides nothing).
  // In basic mode the global fields, without client id or groups. Never allocates.
  ClaimMapping MappingFor(std::string_view issuer) const;
  // True when some issuer overrides a claim rule: the token's iss then decides the mapping.
  bool has_issuer_mappings() const;

  // INVALID_ARGUMENT naming the field when a claim name does not compile (docs/semantics.md §5),
  // the username claim is empty, the id pattern is not a valid regular expression, or a token
  // issuer breaks a rule of TokenIssuerConfig (named as "token_issuers[i].field", e.g.
  // "token_issuers[1].username_claim" for an override that does not compile).
  absl::Status Validate() const;

  bool operator==(const Configuration&) const = default;
};

std::string_view Name(AuthMode mode);

}  // namespace clearance

#endif  // CLEARANCE_CONFIG_H_
