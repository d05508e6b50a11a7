// Authenticating a request: the Authorization header to the principal the engine decides for.
//
// OIDC mode: "Bearer <token>", verified by the configured issuers (clearance/authenticate.h);
// the verified claims are resolved by the engine (mapping rules, groups claim). BASIC mode:
// "Basic base64(user:password)", the password checked against the stored bcrypt hash
// (clearance/token_password.h), whose cache remembers a verified password per user and stored
// hash, so a client that sends its credentials on every request pays bcrypt once, and a changed
// password or a deleted user is never served from the cache. BASIC mode also accepts a console
// session's cookie (session.h) when a request has no Authorization header: the session's user
// must still exist with the password hash it signed in with, and a request that changes state
// (POST, PUT, PATCH, DELETE) must carry the session's CSRF token in X-CSRF-Token.
//
// Thread-safety: Authenticate() may be called from any number of threads.
#ifndef CLEARANCE_SERVER_AUTH_H_
#define CLEARANCE_SERVER_AUTH_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clearance/catalog.h"
#include "clearance/config.h"
#include "clearance/decision.h"
#include "clearance/engine.h"
#include "clearance/serving_store.h"
#include "clearance/token.h"
#include "clearance/token_password.h"
#include "server/http_message.h"
#include "server/session.h"

namespace clearance::server {

struct CallerIdentity {
  bool authenticated = false;
  // When !authenticated: why, for the 401 problem's detail ("token expired", "no credentials").
  std::string failure;
  Caller caller;            // what the engine was asked with (claims or basic user)
  PrincipalHandle handle;   // resolved against the engine's generation at authentication
  OwnerType type = OwnerType::kUser;  // kUser or kClient
  std::string id;           // username or client id
  // The token's groups claim values, when a groups claim is configured.
  bool groups_from_token = false;
  std::vector<std::string> token_groups;
  // The credential was a session cookie (no Authorization header).
  bool from_session = false;
  // When !authenticated: the credential was valid but the request is refused (a missing or wrong
  // CSRF token): 403, not 401.
  bool forbidden = false;
};

// The console's session cookie.
inline constexpr std::string_view kSessionCookie = "clearance_session";
// The header that carries a session's CSRF token.
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

class Authenticator {
 public:
  // `verifier` may be null (OIDC without issuers: every bearer token is refused). `sessions`
  // (BASIC mode; may be null: no session cookie is accepted) must outlive the authenticator.
  Authenticator(const ServingStore& store, Configuration config,
                std::unique_ptr<TokenVerifier> verifier, SessionStore* sessions = nullptr);
  ~Authenticator();

  // Never fails; an unauthenticated identity says why. A bearer token this thread resolved
  // before, against the engine's current generation, is answered from a per-thread memory of
  // resolutions (the token cache's verified token → its identity): no claims are parsed again.
  std::shared_ptr<const CallerIdentity> Authenticate(std::string_view authorization_header) const;
  // The request's Authorization header, or, when it has none, its session cookie (with the
  // CSRF rule above). Never fails; an unauthenticated identity says why.
  std::shared_ptr<const CallerIdentity> Authenticate(const HttpRequest& request) const;
  // A BASIC sign-in: the username and password checked exactly as basic credentials are.
  // `password_hash` receives the stored hash they were verified against.
  std::shared_ptr<const CallerIdentity> SignIn(std::string_view username,
                                               std::string_view password,
                                               std::string* password_hash) const;
  // The value of the session cookie in a Cookie header; nullopt when it holds none.
  static std::optional<std::string_view> SessionId(std::string_view cookie_header);

  const Configuration& config() const { return config_; }
  const TokenVerifier* verifier() const { return verifier_.get(); }
  SessionStore* sessions() const { return sessions_; }

 private:
  std::shared_ptr<const CallerIdentity> Bearer(std::string_view token) const;
  std::shared_ptr<const CallerIdentity> Basic(std::string_view credentials) const;
  std::shared_ptr<const CallerIdentity> FromSession(std::string_view id,
                                                    const HttpRequest& request) const;
  // The identity of a stored user; refused (kBad) when the engine does not resolve them.
  std::shared_ptr<const CallerIdentity> StoredUser(std::string username, bool from_session) const;

  const ServingStore& store_;
  Configuration config_;
  std::unique_ptr<TokenVerifier> verifier_;
  PasswordVerifier passwords_;
  SessionStore* const sessions_;
  const uint64_t id_;  // tells this authenticator's per-thread resolutions from another's
};

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_AUTH_H_
