// Authenticating a request: the Authorization header to the principal the engine decides for.
//
// OIDC mode: "Bearer <token>", verified by the configured issuers (clearance/authenticate.h);
// the verified claims are resolved by the engine (mapping rules, groups claim). BASIC mode:
// "Basic base64(user:password)", the password checked against the stored bcrypt hash
// (clearance/token_password.h), whose cache remembers a verified password per user and stored
// hash, so a client that sends its credentials on every request pays bcrypt once, and a changed
// password or a deleted user is never served from the cache.
//
// Thread-safety: Authenticate() may be called from any number of threads.
#ifndef CLEARANCE_SERVER_AUTH_H_
#define CLEARANCE_SERVER_AUTH_H_

#include <cstdint>
#include <memory>
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
};

class Authenticator {
 public:
  // `verifier` may be null (OIDC without issuers: every bearer token is refused).
  Authenticator(const ServingStore& store, Configuration config,
                std::unique_ptr<TokenVerifier> verifier);
  ~Authenticator();

  // Never fails; an unauthenticated identity says why. A bearer token this thread resolved
  // before, against the engine's current generation, is answered from a per-thread memory of
  // resolutions (the token cache's verified token → its identity): no claims are parsed again.
  std::shared_ptr<const CallerIdentity> Authenticate(std::string_view authorization_header) const;

  const Configuration& config() const { return config_; }
  const TokenVerifier* verifier() const { return verifier_.get(); }

 private:
  std::shared_ptr<const CallerIdentity> Bearer(std::string_view token) const;
  std::shared_ptr<const CallerIdentity> Basic(std::string_view credentials) const;

  const ServingStore& store_;
  Configuration config_;
  std::unique_ptr<TokenVerifier> verifier_;
  PasswordVerifier passwords_;
  const uint64_t id_;  // tells this authenticator's per-thread resolutions from another's
};

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_AUTH_H_
