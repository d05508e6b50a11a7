#include "clearance/authenticate.h"

#include <memory>
#include <utility>

#include "principal/principal.h"
#include "simdjson.h"

namespace clearance {

std::string_view Name(AuthenticationReason reason) {
  const auto i = static_cast<int>(reason);
  if (i < kTokenErrorCount) return Name(static_cast<TokenError>(i));
  switch (reason) {
    case AuthenticationReason::kNoPrincipal:
      return "no_principal";
    case AuthenticationReason::kClaimWrongType:
      return "claim_wrong_type";
    case AuthenticationReason::kMalformedClaims:
      return "malformed_claims";
    default:
      return "unknown";
  }
}

Authentication Authenticate(const TokenVerifier& verifier, const Configuration& config,
                            std::string_view bearer_token) {
  Authentication out;
  std::shared_ptr<const VerifiedToken> verified;
  if (TokenError e = verifier.Verify(bearer_token, &verified); e != TokenError::kOk) {
    out.reason = AuthenticationReasonOf(e);
    out.message = std::string(Name(out.reason));
    return out;
  }
  out.issuer = verified->issuer;
  out.has_exp = verified->has_exp;
  out.exp = verified->exp;
  out.verified = verified;
  // One parser per thread: a new one allocates its buffers on every call, which cost about as
  // much as the rest of an authentication served from the token cache.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element claims;
  if (parser.parse(verified->claims_json).get(claims) != simdjson::SUCCESS) {
    out.reason = AuthenticationReason::kMalformedClaims;
    out.message = "the claims are not valid JSON";
    return out;
  }
  principal_internal::Resolution r = principal_internal::Resolve(config, claims);
  if (!r.principal) {
    switch (r.failure) {
      case Reason::kClaimWrongType:
        out.reason = AuthenticationReason::kClaimWrongType;
        break;
      case Reason::kMalformedClaims:
        out.reason = AuthenticationReason::kMalformedClaims;
        break;
      default:
        out.reason = AuthenticationReason::kNoPrincipal;
        break;
    }
    out.message = std::move(r.message);
    return out;
  }
  out.principal_type = r.principal->type;
  out.principal_id = std::move(r.principal->id);
  // The token's issuer may configure a groups claim where the global rules have none, or unset it.
  out.groups_claim_configured = r.principal->token_groups.has_value();
  if (r.principal->token_groups) out.groups = std::move(*r.principal->token_groups);
  return out;
}

}  // namespace clearance
