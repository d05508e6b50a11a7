// Engine::CheckToken: the bearer token in front of the verified-claims path.
#include "clearance/engine.h"
#include "clearance/token.h"

namespace clearance {

Decision Engine::CheckToken(const TokenVerifier& verifier, std::string_view bearer_token,
                            const CheckRequest& request, TokenError* token_error) const {
  std::shared_ptr<const VerifiedToken> verified;
  const TokenError error = verifier.Verify(bearer_token, &verified);
  if (token_error != nullptr) *token_error = error;
  if (error != TokenError::kOk) return {Outcome::kUnauthenticated, Reason::kTokenRefused};
  // The verifier refused anything that is not one object with unique member names at every
  // depth (token/strict_json.cc), so the claims skip that re-validation.
  return CheckVerifiedClaims(verified->claims_json, request);
}

}  // namespace clearance
