#include "server/session_routes.h"

#include <optional>
#include <string>
#include <utility>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "server/json_reader.h"
#include "server/json_writer.h"

namespace clearance::server {
namespace {

using strings_internal::StrCat;

struct Credentials {
  std::string username;
  std::string password;
};

// A form field: '+' is a space in application/x-www-form-urlencoded, then percent-decoding.
std::optional<std::string> FormField(std::string_view body, std::string_view name) {
  std::string spaced;
  spaced.reserve(body.size());
  for (char c : body) {
    if (c == '+') {
      spaced += "%20";
    } else {
      spaced.push_back(c);
    }
  }
  return QueryParam(spaced, name);
}

absl::StatusOr<Credentials> ReadCredentials(const HttpRequest& request) {
  const std::string_view type = request.content_type;
  if (type.starts_with("application/x-www-form-urlencoded")) {
    std::optional<std::string> username = FormField(request.body, "username");
    std::optional<std::string> password = FormField(request.body, "password");
    if (!username || username->empty()) return absl::InvalidArgumentError("No username provided");
    if (!password || password->empty()) return absl::InvalidArgumentError("No password provided");
    return Credentials{*std::move(username), *std::move(password)};
  }
  if (!type.empty() && !type.starts_with("application/json")) {
    return absl::InvalidArgumentError(
        StrCat("Content-Type '", type.substr(0, 64),
               "': expected application/json or application/x-www-form-urlencoded"));
  }
  CLEARANCE_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.body));
  Credentials credentials;
  CLEARANCE_ASSIGN_OR_RETURN(credentials.username, body.root().RequiredString("username"));
  CLEARANCE_ASSIGN_OR_RETURN(credentials.password, body.root().RequiredString("password"));
  return credentials;
}

std::string Cookie(std::string_view value, bool expire, const SessionCookieOptions& options) {
  // No Max-Age on a live session: the browser forgets it when it closes, and the server ends it
  // after its idle or absolute timeout whatever the browser keeps.
  return StrCat(kSessionCookie, "=", value, "; Path=/; HttpOnly; SameSite=Strict",
                expire ? "; Max-Age=0" : "", options.secure ? "; Secure" : "");
}

HttpResponse SessionBody(std::string_view username, std::string_view csrf_token) {
  JsonWriter w;
  w.BeginObject();
  w.Field("username", username);
  w.Field("csrfToken", csrf_token);
  w.EndObject();
  HttpResponse response = JsonResponse(200, std::move(w).Take());
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

// nullopt when sessions apply (BASIC mode); else the problem to answer.
std::optional<HttpResponse> NotBasic(const RequestContext& c) {
  if (c.server.auth == nullptr || c.server.auth->sessions() == nullptr) {
    return Problem(409, "FAILED_PRECONDITION",
                   "the server runs in OIDC mode: sign in at the identity provider and send "
                   "its access token as 'Authorization: Bearer <token>'",
                   c.request.path);
  }
  return std::nullopt;
}

HttpResponse Login(RequestContext& c, const SessionCookieOptions& options) {
  if (std::optional<HttpResponse> p = NotBasic(c)) return *std::move(p);
  // Login CSRF: another site's form must not sign this browser in as the attacker's user (the
  // victim would then work, and type, inside that account). Browsers name the initiator in
  // Sec-Fetch-Site; a request from another site is refused. Non-browser clients send none.
  if (!c.request.fetch_site.empty() && c.request.fetch_site != "same-origin" &&
      c.request.fetch_site != "none") {
    return Problem(403, "FORBIDDEN",
                   StrCat("sign-in refused: the request came from another site (Sec-Fetch-Site: ",
                          c.request.fetch_site, "); expected 'same-origin', from this console"),
                   c.request.path);
  }
  absl::StatusOr<Credentials> credentials = ReadCredentials(c.request);
  if (!credentials.ok()) return ProblemFromStatus(credentials.status(), c.request.path);
  std::string password_hash;
  std::shared_ptr<const CallerIdentity> identity =
      c.server.auth->SignIn(credentials->username, credentials->password, &password_hash);
  if (!identity->authenticated) {
    return Problem(401, "UNAUTHORIZED", identity->failure, c.request.path);
  }
  SessionStore& sessions = *c.server.auth->sessions();
  // A cookie from an earlier sign-in in this browser ends here: one browser, one session.
  if (std::optional<std::string_view> old = Authenticator::SessionId(c.request.cookie)) {
    sessions.Close(*old);
  }
  absl::StatusOr<OpenedSession> opened = sessions.Open(identity->id, std::move(password_hash));
  if (!opened.ok()) return ProblemFromStatus(opened.status(), c.request.path);
  HttpResponse response = SessionBody(identity->id, opened->csrf_token);
  response.headers.emplace_back("Set-Cookie", Cookie(opened->id, false, options));
  return response;
}

HttpResponse Current(RequestContext& c) {
  if (std::optional<HttpResponse> p = NotBasic(c)) return *std::move(p);
  std::optional<std::string_view> id = Authenticator::SessionId(c.request.cookie);
  if (!id) {
    return Problem(401, "UNAUTHORIZED", StrCat("no session: the request has no ", kSessionCookie,
                                               " cookie; sign in with POST /login"),
                   c.request.path);
  }
  // Checks the user as every request does (deleted, password changed), by the cookie alone.
  HttpRequest by_cookie = c.request;
  by_cookie.authorization.clear();
  std::shared_ptr<const CallerIdentity> identity = c.server.auth->Authenticate(by_cookie);
  if (!identity->authenticated) {
    return Problem(401, "UNAUTHORIZED", identity->failure, c.request.path);
  }
  std::optional<Session> session = c.server.auth->sessions()->Find(*id);
  if (!session) {
    return Problem(401, "UNAUTHORIZED", "the session has ended: sign in again", c.request.path);
  }
  return SessionBody(session->username, session->csrf_token);
}

HttpResponse Logout(RequestContext& c, const SessionCookieOptions& options) {
  if (std::optional<HttpResponse> p = NotBasic(c)) return *std::move(p);
  SessionStore& sessions = *c.server.auth->sessions();
  if (std::optional<std::string_view> id = Authenticator::SessionId(c.request.cookie)) {
    if (std::optional<Session> session = sessions.Find(*id)) {
      // Without the token, another site could sign the person out.
      if (!ConstantTimeEquals(c.request.csrf_token, session->csrf_token)) {
        return Problem(403, "FORBIDDEN",
                       StrCat(c.request.csrf_token.empty() ? "missing " : "wrong ", kCsrfHeader,
                              " header: POST /logout must send the session's CSRF token"),
                       c.request.path);
      }
      sessions.Close(*id);
    }
  }
  HttpResponse response = NoContent();
  response.headers.emplace_back("Set-Cookie", Cookie("", true, options));
  return response;
}

}  // namespace

void AddSessionRoutes(Router& router, SessionCookieOptions cookie) {
  router.Add(
      "POST", "/login", [cookie](RequestContext& c) { return Login(c, cookie); }, Access::kPublic);
  router.Add("GET", "/session", Current, Access::kPublic);
  router.Add(
      "POST", "/logout", [cookie](RequestContext& c) { return Logout(c, cookie); },
      Access::kPublic);
}

}  // namespace clearance::server
