// Signing in to the console in BASIC mode (docs/server.md "Console sessions"):
//
//   POST /login    {"username": "...", "password": "..."} as JSON, or the same fields as an
//                  application/x-www-form-urlencoded form. The credentials are checked exactly as
//                  basic credentials are; 200 {"username", "csrfToken"} with the session cookie
//                  (HttpOnly, SameSite=Strict, Path=/, Secure when the server runs TLS); 401 for a
//                  wrong username or password (the same answer for both).
//   GET  /session  the session the cookie names: 200 {"username", "csrfToken"}, else 401.
//   POST /logout   ends the cookie's session (its CSRF token in X-CSRF-Token, else 403) and
//                  clears the cookie: 204.
//
// The routes are public (they read the cookie themselves) and answer 409 in OIDC mode, whose
// console signs in at the identity provider. No answer carries a Basic challenge, so a browser
// never opens its own password dialog.
//
// Thread-safety: the handlers share only the SessionStore, which is thread-safe.
#ifndef CLEARANCE_SERVER_SESSION_ROUTES_H_
#define CLEARANCE_SERVER_SESSION_ROUTES_H_

#include "server/router.h"

namespace clearance::server {

struct SessionCookieOptions {
  // The cookie carries Secure: set when the server runs TLS, so it never travels in clear text.
  bool secure = false;
};

void AddSessionRoutes(Router& router, SessionCookieOptions cookie);

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_SESSION_ROUTES_H_
