#include "server/auth.h"

#include <atomic>
#include <utility>

#include "absl/container/flat_hash_map.h"

#include "absl/strings/escaping.h"
#include "clearance/internal/strings.h"
#include "clearance/authenticate.h"

namespace clearance::server {
namespace {

using strings_internal::StrCat;

std::shared_ptr<const CallerIdentity> Refused(std::string why) {
  auto identity = std::make_shared<CallerIdentity>();
  identity->failure = std::move(why);
  return identity;
}

std::atomic<uint64_t> next_authenticator_id{1};

// The same answer for an unknown user and a wrong password: a caller cannot probe usernames.
constexpr std::string_view kBad = "invalid username or password";

// Per thread: the identities resolved from verified tokens, for one authenticator and one engine
// generation. The token cache hands out the same VerifiedToken for the same token, so its address
// is the key; the entry holds it, so the address cannot be reused while the entry lives.
struct Resolutions {
  uint64_t authenticator = 0;
  uint64_t generation = 0;
  absl::flat_hash_map<const VerifiedToken*, std::pair<std::shared_ptr<const VerifiedToken>,
                                                      std::shared_ptr<const CallerIdentity>>>
      entries;
};
constexpr size_t kMaxResolutionsPerThread = 4096;
thread_local Resolutions resolutions;

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
                             std::unique_ptr<TokenVerifier> verifier, SessionStore* sessions)
    : store_(store),
      config_(std::move(config)),
      verifier_(std::move(verifier)),
      sessions_(sessions),
      id_(next_authenticator_id.fetch_add(1, std::memory_order_relaxed)) {}

Authenticator::~Authenticator() = default;

std::shared_ptr<const CallerIdentity> Authenticator::Authenticate(std::string_view header) const {
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

std::shared_ptr<const CallerIdentity> Authenticator::Bearer(std::string_view token) const {
  if (verifier_ == nullptr) {
    return Refused("no token issuer is configured: the server cannot verify bearer tokens "
                   "(configure one with `clearance config set --issuer ...`)");
  }
  std::shared_ptr<const VerifiedToken> verified;
  if (TokenError e = verifier_->Verify(token, &verified); e != TokenError::kOk) {
    return Refused(StrCat("bearer token refused: ", Name(AuthenticationReasonOf(e))));
  }
  const uint64_t generation = store_.engine().generation();
  if (resolutions.authenticator == id_ && resolutions.generation == generation) {
    auto it = resolutions.entries.find(verified.get());
    if (it != resolutions.entries.end()) return it->second.second;
  }
  // Verifies again (a token cache hit) and reads the principal from the claims.
  Authentication authentication = clearance::Authenticate(*verifier_, config_, token);
  if (!authentication.ok()) {
    return Refused(StrCat("bearer token refused: ", Name(authentication.reason),
                                authentication.message.empty() ||
                                        authentication.message == Name(authentication.reason)
                                    ? ""
                                    : StrCat(" (", authentication.message, ")")));
  }
  auto identity = std::make_shared<CallerIdentity>();
  identity->caller = Caller::Claims(authentication.verified->claims_json);
  identity->handle = store_.engine().Resolve(identity->caller);
  if (!identity->handle.authenticated()) {
    return Refused("the token's claims name no principal the engine accepts");
  }
  identity->authenticated = true;
  identity->type = authentication.principal_type;
  identity->id = std::move(authentication.principal_id);
  identity->groups_from_token = authentication.groups_claim_configured;
  identity->token_groups = std::move(authentication.groups);
  // Remembered under the generation the handle answers for: a change to the identity state
  // (a new generation) makes every remembered resolution stale at once.
  const uint64_t resolved_at = identity->handle.generation();
  if (resolutions.authenticator != id_ || resolutions.generation != resolved_at ||
      resolutions.entries.size() >= kMaxResolutionsPerThread) {
    resolutions.entries.clear();
    resolutions.authenticator = id_;
    resolutions.generation = resolved_at;
  }
  resolutions.entries.emplace(authentication.verified.get(),
                              std::make_pair(authentication.verified, identity));
  return identity;
}

std::shared_ptr<const CallerIdentity> Authenticator::Basic(std::string_view credentials) const {
  std::string decoded;
  if (!absl::Base64Unescape(absl::string_view(credentials.data(), credentials.size()), &decoded)) {
    return Refused("basic credentials are not valid base64; expected base64(user:password)");
  }
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) {
    return Refused("basic credentials hold no ':'; expected base64(user:password)");
  }
  std::string unused_hash;
  return SignIn(std::string_view(decoded).substr(0, colon),
                std::string_view(decoded).substr(colon + 1), &unused_hash);
}

std::shared_ptr<const CallerIdentity> Authenticator::SignIn(std::string_view username,
                                                            std::string_view password,
                                                            std::string* password_hash) const {
  const std::optional<std::string> stored_hash = store_.PasswordHashOf(username);
  if (!stored_hash) return Refused(std::string(kBad));
  if (passwords_.Verify(username, password, *stored_hash) != PasswordError::kOk) {
    return Refused(std::string(kBad));
  }
  *password_hash = *stored_hash;
  return StoredUser(std::string(username), /*from_session=*/false);
}

std::shared_ptr<const CallerIdentity> Authenticator::StoredUser(std::string username,
                                                                bool from_session) const {
  auto identity = std::make_shared<CallerIdentity>();
  identity->from_session = from_session;
  identity->caller = Caller::BasicUser(username);
  // A stored user is resolved per request (credentials or a session cookie, never remembered).
  identity->handle = store_.engine().Resolve(identity->caller, Engine::HandleUse::kOnce);
  if (!identity->handle.authenticated()) return Refused(std::string(kBad));
  identity->authenticated = true;
  identity->type = OwnerType::kUser;
  identity->id = std::move(username);
  return identity;
}

std::optional<std::string_view> Authenticator::SessionId(std::string_view header) {
  // "a=1; clearance_session=ID; b=2" (RFC 6265 §4.2.1).
  while (!header.empty()) {
    const size_t semicolon = header.find(';');
    std::string_view pair = header.substr(0, semicolon);
    header = semicolon == std::string_view::npos ? std::string_view() : header.substr(semicolon + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > kSessionCookie.size() && pair.starts_with(kSessionCookie) &&
        pair[kSessionCookie.size()] == '=') {
      return pair.substr(kSessionCookie.size() + 1);
    }
  }
  return std::nullopt;
}

std::shared_ptr<const CallerIdentity> Authenticator::Authenticate(
    const HttpRequest& request) const {
  if (request.authorization.empty() && sessions_ != nullptr) {
    if (std::optional<std::string_view> id = SessionId(request.cookie)) {
      return FromSession(*id, request);
    }
  }
  return Authenticate(request.authorization);
}

std::shared_ptr<const CallerIdentity> Authenticator::FromSession(std::string_view id,
                                                                 const HttpRequest& request) const {
  const auto refused = [](std::string why, bool forbidden) {
    auto identity = std::make_shared<CallerIdentity>();
    identity->failure = std::move(why);
    identity->from_session = true;
    identity->forbidden = forbidden;
    return identity;
  };
  std::optional<Session> session = sessions_->Find(id);
  if (!session) {
    return refused("the session has ended (signed out, expired or unknown): sign in again", false);
  }
  // The cookie rides along with any request the browser sends to this origin; the CSRF token
  // only with the console's own, so a write must prove it comes from the console.
  const std::string_view m = request.method;
  if (m != "GET" && m != "HEAD" && m != "OPTIONS") {
    if (request.csrf_token.empty()) {
      return refused(StrCat("missing ", kCsrfHeader, " header: a ", m,
                            " authenticated by the session cookie must send the session's CSRF "
                            "token (returned by POST /login and GET /session)"),
                     true);
    }
    if (!ConstantTimeEquals(request.csrf_token, session->csrf_token)) {
      return refused(StrCat(kCsrfHeader, " does not match the session's CSRF token (returned by "
                            "POST /login and GET /session)"),
                     true);
    }
  }
  const std::optional<std::string> stored_hash = store_.PasswordHashOf(session->username);
  if (!stored_hash || !ConstantTimeEquals(*stored_hash, session->password_hash)) {
    sessions_->Close(id);
    return refused("the session has ended: the user was deleted or the password changed; "
                   "sign in again", false);
  }
  return StoredUser(std::move(session->username), /*from_session=*/true);
}

}  // namespace clearance::server
