#include "server/auth.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "clearance/internal/strings.h"
#include "clearance/authenticate.h"

namespace clearance::server {
namespace {

using strings_internal::StrCat;

CallerIdentity Refused(std::string why) {
  CallerIdentity identity;
  identity.failure = std::move(why);
  return identity;
}

// The scheme's credentials when `header` is "<scheme> <credentials>" (scheme compared without
// case, RFC 9110 §11.1); nullopt otherwise.
std::optional<std::string_view> Credentials(std::string_view header, std::string_view scheme) {
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(header[i]) != lower(scheme[i])) return std::nullopt;
  }
  std::string_view rest = header.substr(scheme.size() + 1);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  return rest;
}

}  // namespace

Authenticator::Authenticator(const ServingStore& store, Configuration config,
                             std::unique_ptr<TokenVerifier> verifier)
    : store_(store), config_(std::move(config)), verifier_(std::move(verifier)) {}

Authenticator::~Authenticator() = default;

CallerIdentity Authenticator::Authenticate(std::string_view header) const {
  if (header.empty()) {
    return Refused(config_.mode == AuthMode::kBasic
                       ? "no credentials: send an Authorization header 'Basic base64(user:password)'"
                       : "no credentials: send an Authorization header 'Bearer <access token>'");
  }
  if (config_.mode == AuthMode::kBasic) {
    std::optional<std::string_view> credentials = Credentials(header, "Basic");
    if (!credentials) {
      return Refused("the server runs in BASIC mode: expected an Authorization header "
                     "'Basic base64(user:password)'");
    }
    return Basic(*credentials);
  }
  std::optional<std::string_view> token = Credentials(header, "Bearer");
  if (!token) {
    return Refused("the server runs in OIDC mode: expected an Authorization header "
                   "'Bearer <access token>'");
  }
  return Bearer(*token);
}

CallerIdentity Authenticator::Bearer(std::string_view token) const {
  if (verifier_ == nullptr) {
    return Refused("no token issuer is configured: the server cannot verify bearer tokens "
                   "(configure one with `clearance config set --token-issuer ...`)");
  }
  Authentication authentication = clearance::Authenticate(*verifier_, config_, token);
  if (!authentication.ok()) {
    return Refused(StrCat("bearer token refused: ", Name(authentication.reason),
                                authentication.message.empty() ||
                                        authentication.message == Name(authentication.reason)
                                    ? ""
                                    : StrCat(" (", authentication.message, ")")));
  }
  CallerIdentity identity;
  identity.caller = Caller::Claims(authentication.verified->claims_json);
  identity.handle = store_.engine().Resolve(identity.caller);
  if (!identity.handle.authenticated()) {
    return Refused("the token's claims name no principal the engine accepts");
  }
  identity.authenticated = true;
  identity.type = authentication.principal_type;
  identity.id = std::move(authentication.principal_id);
  identity.groups_from_token = authentication.groups_claim_configured;
  identity.token_groups = std::move(authentication.groups);
  return identity;
}

CallerIdentity Authenticator::Basic(std::string_view credentials) const {
  std::string decoded;
  if (!absl::Base64Unescape(absl::string_view(credentials.data(), credentials.size()), &decoded)) {
    return Refused("basic credentials are not valid base64; expected base64(user:password)");
  }
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) {
    return Refused("basic credentials hold no ':'; expected base64(user:password)");
  }
  const std::string username = decoded.substr(0, colon);
  const std::string_view password = std::string_view(decoded).substr(colon + 1);
  // The same answer for an unknown user and a wrong password: a caller cannot probe usernames.
  constexpr std::string_view kBad = "invalid username or password";
  const std::optional<std::string> stored_hash = store_.PasswordHashOf(username);
  if (!stored_hash) return Refused(std::string(kBad));
  if (passwords_.Verify(username, password, *stored_hash) != PasswordError::kOk) {
    return Refused(std::string(kBad));
  }
  CallerIdentity identity;
  identity.caller = Caller::BasicUser(username);
  identity.handle = store_.engine().Resolve(identity.caller);
  if (!identity.handle.authenticated()) return Refused(std::string(kBad));
  identity.authenticated = true;
  identity.type = OwnerType::kUser;
  identity.id = username;
  return identity;
}

}  // namespace clearance::server
