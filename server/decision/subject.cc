#include "server/decision/subject.h"

#include <utility>

#include "clearance/authenticate.h"
#include "clearance/config.h"
#include "clearance/internal/strings.h"

namespace clearance::server::decision {

using strings_internal::StrCat;
namespace {

std::string SubjectPath(std::string_view path, std::string_view member) {
  return path.empty() ? StrCat("subject.", member) : StrCat(path, ".subject.", member);
}

}  // namespace

std::optional<HttpResponse> ResolveSubject(const RequestContext& context, const Subject& subject,
                                           std::string_view path, SubjectPrincipal* out) {
  if (subject.kind == Subject::Kind::kCaller) {
    out->caller = &context.caller.handle;
    return std::nullopt;
  }
  if (std::optional<HttpResponse> problem =
          Require(context, ResourceType::kComponent, Permission::kAccess, kGatewayComponent)) {
    return problem;
  }
  const Configuration& config = context.server.auth->config();
  const std::string_view instance = context.request.path;
  const Engine& engine = context.server.store->engine();
  switch (subject.kind) {
    case Subject::Kind::kToken: {
      if (config.mode != AuthMode::kOidc) {
        return Problem(400, "INVALID_ARGUMENT",
                       StrCat(SubjectPath(path, "token"),
                              ": bearer tokens identify callers in OIDC mode; this server "
                              "runs in BASIC mode, expected subject.username"),
                       instance);
      }
      const TokenVerifier* verifier = context.server.auth->verifier();
      if (verifier == nullptr) {
        out->refused = true;
        out->detail = "no token issuers are configured";
        return std::nullopt;
      }
      Authentication authentication = Authenticate(*verifier, config, subject.token);
      if (authentication.verified == nullptr) {
        out->refused = true;
        out->detail = std::move(authentication.message);
        return std::nullopt;
      }
      // A verified token without a usable principal is the engine's to answer (NO_PRINCIPAL,
      // CLAIM_WRONG_TYPE), exactly as for the caller's own token.
      // Resolved for this request only.
      out->owned = engine.Resolve(Caller::Claims(authentication.verified->claims_json),
                                  Engine::HandleUse::kOnce);
      break;
    }
    case Subject::Kind::kClaims:
    case Subject::Kind::kUsername: {
      const bool claims = subject.kind == Subject::Kind::kClaims;
      if (claims != (config.mode == AuthMode::kOidc)) {
        return Problem(
            400, "INVALID_ARGUMENT",
            StrCat(SubjectPath(path, claims ? "claims" : "username"),
                   claims ? ": claims identify callers in OIDC mode; this server runs in "
                            "BASIC mode, expected subject.username"
                          : ": stored users identify callers in BASIC mode; this server "
                            "runs in OIDC mode, expected subject.token or subject.claims"),
            instance);
      }
      if (std::optional<HttpResponse> problem =
              Require(context, ResourceType::kAuthorization, Permission::kRead)) {
        return problem;
      }
      out->owned = engine.Resolve(claims ? Caller::Claims(subject.claims_json)
                                         : Caller::BasicUser(std::string(subject.username)),
                                  Engine::HandleUse::kOnce);
      break;
    }
    case Subject::Kind::kCaller:
      break;
  }
  return std::nullopt;
}

}  // namespace clearance::server::decision
