// Engine::CheckToken: the bearer token in front of the verified-claims path.
#include "clearance/authenticate.h"
#include "clearance/engine.h"
#include "clearance/token.h"

namespace clearance {
namespace {

// The principal step's reason, in Authenticate()'s terms, from the decision it produced.
AuthenticationReason PrincipalReasonOf(const Decision& d) {
  if (d.outcome != Outcome::kUnauthenticated) return AuthenticationReason::kOk;
  switch (d.reason) {
    case Reason::kClaimWrongType:
      return AuthenticationReason::kClaimWrongType;
    case Reason::kMalformedClaims:
      return AuthenticationReason::kMalformedClaims;
    default:
      return AuthenticationReason::kNoPrincipal;
  }
}

}  // namespace

Decision Engine::CheckToken(const TokenVerifier& verifier, std::string_view bearer_token,
                            const CheckRequest& request, AuthenticationReason* why) const {
  std::shared_ptr<const VerifiedToken> verified;
  if (const TokenError error = verifier.Verify(bearer_token, &verified); error != TokenError::kOk) {
    if (why != nullptr) *why = AuthenticationReasonOf(error);
    return {Outcome::kUnauthenticated, Reason::kTokenRefused};
  }
  // The verifier refused anything that is not one object with unique member names at every
  // depth (token/strict_json.cc), so the claims skip that re-validation.
  const Decision d = CheckVerifiedClaims(verified->claims_json, request);
  if (why != nullptr) *why = PrincipalReasonOf(d);
  return d;
}

}  // namespace clearance
