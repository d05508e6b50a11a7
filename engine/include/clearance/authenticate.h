// Authentication: a bearer token to the principal it establishes, in one call and one result.
//
// Authenticate() verifies the token (TokenVerifier) and reads the principal from its claims with
// the claim rules of the token's issuer: the configuration's username, client id and groups
// claims and prefer-username, with that issuer's overrides (Configuration::MappingFor;
// docs/semantics.md §5). A gateway that only needs "who is this?" calls it and gets either the
// principal or one reason, whichever of the two steps refused.
//
// Thread-safety: Authenticate may be called from any number of threads with the same verifier
// and configuration (both are read only).
#ifndef CLEARANCE_AUTHENTICATE_H_
#define CLEARANCE_AUTHENTICATE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clearance/catalog.h"
#include "clearance/config.h"
#include "clearance/token.h"

namespace clearance {

// Why authentication failed. The values below kTokenErrorCount are the TokenError values, in the
// same numbering (AuthenticationReasonOf(TokenError)); the rest are the principal's.
enum class AuthenticationReason : uint8_t {
  kOk = 0,
  // ... TokenError values 1 .. kTokenErrorCount - 1: the token was refused ...
  kNoPrincipal = kTokenErrorCount,  // the verified claims name neither a username nor a client id
  kClaimWrongType,                  // a configured principal or groups claim has the wrong type
  kMalformedClaims,                 // the claims are not one JSON object
};
inline constexpr AuthenticationReason AuthenticationReasonOf(TokenError e) {
  return static_cast<AuthenticationReason>(e);
}
// The TokenError an AuthenticationReason carries, when the token itself was refused.
inline constexpr std::optional<TokenError> TokenErrorOf(AuthenticationReason r) {
  if (r == AuthenticationReason::kOk || static_cast<int>(r) >= kTokenErrorCount) {
    return std::nullopt;
  }
  return static_cast<TokenError>(r);
}
// "ok", a TokenError's name ("expired", ...), "no_principal", "claim_wrong_type" or
// "malformed_claims". Never allocates.
std::string_view Name(AuthenticationReason reason);

struct Authentication {
  AuthenticationReason reason = AuthenticationReason::kOk;
  // Set when reason is kOk.
  OwnerType principal_type = OwnerType::kUser;  // kUser or kClient
  std::string principal_id;
  // The groups claim's values in token order (a repeated group once), when a groups claim applies
  // to the token's issuer; otherwise empty and groups_claim_configured is false.
  bool groups_claim_configured = false;
  std::vector<std::string> groups;
  std::string issuer;  // the verified iss
  // The verified token (its claims_json is the payload as signed), when the token verified, even
  // if no principal could be read from it. Shared with the verifier's cache.
  std::shared_ptr<const VerifiedToken> verified;
  bool has_exp = false;
  int64_t exp = 0;  // seconds since the epoch, when has_exp
  // Why, naming the claim, for the principal reasons; the token reason's name otherwise. Empty
  // on success.
  std::string message;

  bool ok() const { return reason == AuthenticationReason::kOk; }
};

// REQUIRES: config.mode is OIDC (basic-mode callers have no token).
Authentication Authenticate(const TokenVerifier& verifier, const Configuration& config,
                            std::string_view bearer_token);

}  // namespace clearance

#endif  // CLEARANCE_AUTHENTICATE_H_
