#include "clearance/decision.h"

namespace clearance {

std::string_view Name(Outcome o) {
  switch (o) {
    case Outcome::kAllow:
      return "ALLOW";
    case Outcome::kForbidden:
      return "FORBIDDEN";
    case Outcome::kNotFound:
      return "NOT_FOUND";
    case Outcome::kUnauthenticated:
      return "UNAUTHENTICATED";
  }
  return "?";
}

std::string_view Name(Reason r) {
  switch (r) {
    case Reason::kGranted:
      return "GRANTED";
    case Reason::kChecksDisabled:
      return "CHECKS_DISABLED";
    case Reason::kAuthorizationsDisabled:
      return "AUTHORIZATIONS_DISABLED";
    case Reason::kAnonymous:
      return "ANONYMOUS";
    case Reason::kInsufficientPermissions:
      return "INSUFFICIENT_PERMISSIONS";
    case Reason::kTenantNotAuthorized:
      return "TENANT_NOT_AUTHORIZED";
    case Reason::kNoPrincipal:
      return "NO_PRINCIPAL";
    case Reason::kClaimWrongType:
      return "CLAIM_WRONG_TYPE";
    case Reason::kUnknownUser:
      return "UNKNOWN_USER";
    case Reason::kMalformedClaims:
      return "MALFORMED_CLAIMS";
    case Reason::kTokenRefused:
      return "TOKEN_REFUSED";
  }
  return "?";
}

}  // namespace clearance
