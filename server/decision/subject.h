// Whom a decision request is about: the caller, or the principal a trusted gateway names.
//
// Asking on behalf of someone else reveals that principal's permissions, so it needs a grant of
// its own: ACCESS on COMPONENT "clearance-decision-gateway". A subject given by claims or by
// username is taken on the gateway's word (nothing verifies it), so it needs READ on
// AUTHORIZATION as well, the permission that reveals grants. A subject token is verified with
// the server's verifier; a refused one is an answer (UNAUTHENTICATED, the token's reason), not
// an HTTP error, because the gateway itself authenticated.
//
// Thread-safety: ResolveSubject may be called from any number of threads.
#ifndef CLEARANCE_SERVER_DECISION_SUBJECT_H_
#define CLEARANCE_SERVER_DECISION_SUBJECT_H_

#include <optional>
#include <string>
#include <string_view>

#include "clearance/decision.h"
#include "clearance/engine.h"
#include "server/decision/request_body.h"
#include "server/http_message.h"
#include "server/router.h"

namespace clearance::server::decision {

inline constexpr std::string_view kGatewayComponent = "clearance-decision-gateway";

struct SubjectPrincipal {
  // The principal to decide for: the caller's own handle, or the subject's. Meaningless when
  // `refused`.
  const PrincipalHandle& handle() const { return caller != nullptr ? *caller : owned; }
  const PrincipalHandle* caller = nullptr;  // set when the request is about the caller
  PrincipalHandle owned;
  // The subject's token was refused: every answer is UNAUTHENTICATED / TOKEN_REFUSED.
  bool refused = false;
  std::string detail;  // why the token was refused ("expired", ...)
};

// The decision a refused subject gets.
inline constexpr Decision kRefusedSubject{Outcome::kUnauthenticated, Reason::kTokenRefused};

// Fills *out for `subject`, or returns the problem that ends the request: 403 when the caller
// may not ask on behalf of others, 400 when the subject does not fit the server's mode (a token
// or claims in BASIC mode, a username in OIDC mode).
// REQUIRES: context.caller is authenticated (the decision routes are not public).
std::optional<HttpResponse> ResolveSubject(const RequestContext& context, const Subject& subject,
                                           std::string_view path, SubjectPrincipal* out);

}  // namespace clearance::server::decision

#endif  // CLEARANCE_SERVER_DECISION_SUBJECT_H_
