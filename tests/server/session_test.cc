// Console sessions: POST /login, the session cookie as a credential, CSRF on writes, sign-out,
// expiry on an injected clock, and the end of a user's sessions when the user changes.
#include "server/session.h"

#include <chrono>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/session_routes.h"
#include "server/v2/identity_routes.h"
#include "server_test_util.h"

namespace clearance::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using server_test::BasicAuth;
using server_test::OpenBasicStore;
using server_test::Request;
using server_test::TempDir;

// The header `name` of `r`, "" when absent.
std::string HeaderOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenBasicStore(dir_);
    ASSERT_NE(store_, nullptr);
    Configuration config;
    config.mode = AuthMode::kBasic;
    SessionOptions options;
    options.clock = [this] { return now_; };
    sessions_ = std::make_unique<SessionStore>(options);
    auth_ = std::make_unique<Authenticator>(*store_, config, nullptr, sessions_.get());
    state_.store = store_.get();
    state_.auth = auth_.get();
    AddIdentityRoutes(router_);
    AddSessionRoutes(router_, {.secure = false});
  }

  HttpResponse Handle(const HttpRequest& r) { return router_.Handle(r, state_); }

  // Signs `user` in; the cookie header to send back and the CSRF token.
  struct Signed {
    std::string cookie;
    std::string csrf;
  };
  Signed Login(std::string_view user = "admin") {
    HttpResponse r = Handle(Request("POST", "/login",
                                    StrBody(user, "secret"), /*authorization=*/""));
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string set_cookie = HeaderOf(r, "Set-Cookie");
    Signed s;
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    const size_t at = r.body.find("\"csrfToken\":\"");
    if (at != std::string::npos) {
      const size_t from = at + 13;
      s.csrf = r.body.substr(from, r.body.find('"', from) - from);
    }
    return s;
  }
  static std::string StrBody(std::string_view user, std::string_view password) {
    return "{\"username\":\"" + std::string(user) + "\",\"password\":\"" + std::string(password) +
           "\"}";
  }
  // A request authenticated by the session cookie only.
  HttpResponse WithCookie(std::string method, std::string target, const Signed& s,
                          std::string csrf, std::string body = {}) {
    HttpRequest r = Request(std::move(method), std::move(target), std::move(body), "");
    r.cookie = "theme=dark; " + s.cookie;
    r.csrf_token = std::move(csrf);
    return Handle(r);
  }

  TempDir dir_;
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
  std::unique_ptr<ServingStore> store_;
  std::unique_ptr<SessionStore> sessions_;
  std::unique_ptr<Authenticator> auth_;
  ServerState state_;
  Router router_;
};

TEST_F(SessionTest, LoginSetsAnHttpOnlyStrictCookieAndReturnsTheCsrfToken) {
  HttpResponse r = Handle(Request("POST", "/login", StrBody("admin", "secret"), ""));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string cookie = HeaderOf(r, "Set-Cookie");
  EXPECT_THAT(cookie, ::testing::StartsWith("clearance_session="));
  EXPECT_THAT(cookie, HasSubstr("; HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("; SameSite=Strict"));
  EXPECT_THAT(cookie, HasSubstr("; Path=/"));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));  // no TLS here
  // 256 bits, base64url without padding.
  EXPECT_EQ(cookie.find(';') - std::string("clearance_session=").size(), 43u);
  EXPECT_THAT(r.body, HasSubstr("\"username\":\"admin\""));
  EXPECT_THAT(r.body, HasSubstr("\"csrfToken\":\""));
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-store");
  EXPECT_EQ(sessions_->size(), 1u);
}

TEST_F(SessionTest, TheCookieIsSecureWhenTheServerRunsTls) {
  Router tls;
  AddSessionRoutes(tls, {.secure = true});
  HttpResponse r = tls.Handle(Request("POST", "/login", StrBody("admin", "secret"), ""), state_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(HeaderOf(r, "Set-Cookie"), HasSubstr("; Secure"));
}

TEST_F(SessionTest, AFormLoginWorksToo) {
  HttpRequest r = Request("POST", "/login", "username=bob&password=sec%72et", "");
  r.content_type = "application/x-www-form-urlencoded";
  HttpResponse response = Handle(r);
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_THAT(response.body, HasSubstr("\"username\":\"bob\""));
}

TEST_F(SessionTest, ASignInFromAnotherSiteIsRefusedAndOpensNoSession) {
  for (const char* site : {"cross-site", "same-site"}) {
    HttpRequest r = Request("POST", "/login", StrBody("admin", "secret"), "");
    r.fetch_site = site;
    HttpResponse response = Handle(r);
    EXPECT_EQ(response.status, 403) << site;
    EXPECT_THAT(response.body, HasSubstr("Sec-Fetch-Site"));
    EXPECT_EQ(HeaderOf(response, "Set-Cookie"), "");
  }
  EXPECT_EQ(sessions_->size(), 0u);
  for (const char* site : {"same-origin", "none"}) {
    HttpRequest r = Request("POST", "/login", StrBody("admin", "secret"), "");
    r.fetch_site = site;
    EXPECT_EQ(Handle(r).status, 200) << site;
  }
}

TEST_F(SessionTest, AWrongPasswordOrUnknownUserIs401WithoutACookieOrChallenge) {
  for (const auto& [user, password] : {std::pair{"admin", "wrong"}, std::pair{"nobody", "secret"}}) {
    HttpResponse r = Handle(Request("POST", "/login", StrBody(user, password), ""));
    EXPECT_EQ(r.status, 401) << user;
    EXPECT_THAT(r.body, HasSubstr("invalid username or password"));
    EXPECT_EQ(HeaderOf(r, "Set-Cookie"), "");
    EXPECT_EQ(HeaderOf(r, "WWW-Authenticate"), "");  // a browser would open its own dialog
  }
  EXPECT_EQ(Handle(Request("POST", "/login", "{\"username\":\"admin\"}", "")).status, 400);
  EXPECT_EQ(sessions_->size(), 0u);
}

TEST_F(SessionTest, TheCookieAuthenticatesReads) {
  Signed s = Login();
  HttpResponse r = WithCookie("GET", "/v2/users/bob", s, "");
  EXPECT_EQ(r.status, 200) << r.body;
  r = WithCookie("GET", "/v2/authentication/me", s, "");
  EXPECT_THAT(r.body, HasSubstr("\"username\":\"admin\""));
  r = WithCookie("GET", "/session", s, "");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr(s.csrf));
}

TEST_F(SessionTest, AWriteWithoutTheCsrfTokenIs403AndChangesNothing) {
  Signed s = Login();
  const std::string group = R"({"groupId":"ops","name":"Ops"})";
  HttpResponse r = WithCookie("POST", "/v2/groups", s, "", group);
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("missing X-CSRF-Token header"));
  r = WithCookie("POST", "/v2/groups", s, std::string(s.csrf.size(), 'A'), group);
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("X-CSRF-Token does not match"));
  r = WithCookie("DELETE", "/v2/users/bob", s, "");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(WithCookie("GET", "/v2/groups/ops", s, "").status, 404);
  EXPECT_EQ(WithCookie("GET", "/v2/users/bob", s, "").status, 200);
}

TEST_F(SessionTest, AWriteWithTheCsrfTokenSucceeds) {
  Signed s = Login();
  HttpResponse r = WithCookie("POST", "/v2/groups", s, s.csrf, R"({"groupId":"ops","name":"Ops"})");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(WithCookie("GET", "/v2/groups/ops", s, "").status, 200);
}

TEST_F(SessionTest, ARequestWithAnAuthorizationHeaderNeedsNoCsrfToken) {
  Signed s = Login("bob");  // the header wins over the cookie: this is admin's request
  HttpRequest r = Request("POST", "/v2/groups", R"({"groupId":"ops","name":"Ops"})");
  r.cookie = s.cookie;
  EXPECT_EQ(Handle(r).status, 201);
}

TEST_F(SessionTest, LogoutNeedsTheCsrfTokenAndEndsTheSession) {
  Signed s = Login();
  HttpResponse r = WithCookie("POST", "/logout", s, "");
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("X-CSRF-Token"));
  EXPECT_EQ(WithCookie("GET", "/v2/users/bob", s, "").status, 200);

  r = WithCookie("POST", "/logout", s, s.csrf);
  EXPECT_EQ(r.status, 204);
  EXPECT_THAT(HeaderOf(r, "Set-Cookie"), HasSubstr("clearance_session=; "));
  EXPECT_THAT(HeaderOf(r, "Set-Cookie"), HasSubstr("Max-Age=0"));
  r = WithCookie("GET", "/v2/users/bob", s, "");
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr("the session has ended"));
  EXPECT_EQ(HeaderOf(r, "WWW-Authenticate"), "");
  EXPECT_EQ(WithCookie("GET", "/session", s, "").status, 401);
  EXPECT_EQ(sessions_->size(), 0u);
}

TEST_F(SessionTest, ASessionEndsAfterItsIdleTimeout) {
  Signed s = Login();
  now_ += std::chrono::minutes(29);
  EXPECT_EQ(WithCookie("GET", "/v2/users/bob", s, "").status, 200);  // restarts the idle timer
  now_ += std::chrono::minutes(29);
  EXPECT_EQ(WithCookie("GET", "/v2/users/bob", s, "").status, 200);
  now_ += std::chrono::minutes(30);
  EXPECT_EQ(WithCookie("GET", "/v2/users/bob", s, "").status, 401);
  EXPECT_EQ(sessions_->size(), 0u);
}

TEST_F(SessionTest, ASessionEndsAfterItsAbsoluteTimeoutHoweverBusy) {
  Signed s = Login();
  for (int i = 0; i < 8 * 3 - 1; ++i) {
    now_ += std::chrono::minutes(20);
    ASSERT_EQ(WithCookie("GET", "/v2/users/bob", s, "").status, 200) << i;
  }
  now_ += std::chrono::minutes(20);  // 8 h after sign-in
  EXPECT_EQ(WithCookie("GET", "/v2/users/bob", s, "").status, 401);
}

TEST_F(SessionTest, ChangingThePasswordOrDeletingTheUserEndsTheirSessions) {
  Signed bob = Login("bob");
  Signed bob2 = Login("bob");
  EXPECT_EQ(WithCookie("GET", "/v2/authentication/me", bob, "").status, 200);
  HttpResponse r = Handle(Request("PUT", "/v2/users/bob", R"({"password":"new-secret"})"));
  ASSERT_EQ(r.status, 200) << r.body;
  r = WithCookie("GET", "/v2/authentication/me", bob, "");
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr("password changed"));

  Signed admin = Login("admin");
  EXPECT_EQ(Handle(Request("POST", "/v2/users",
                           R"({"username":"carol","password":"secret","name":"C"})"))
                .status,
            201);
  Signed carol = Login("carol");
  EXPECT_EQ(WithCookie("DELETE", "/v2/users/carol", admin, admin.csrf).status, 204);
  EXPECT_EQ(WithCookie("GET", "/v2/authentication/me", carol, "").status, 401);
  EXPECT_EQ(WithCookie("GET", "/v2/authentication/me", bob2, "").status, 401);
}

TEST(SessionStoreTest, IdsAreRandomAndTheTableIsBounded) {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  SessionOptions options;
  options.max_sessions = 3;
  options.clock = [&] { return now; };
  SessionStore store(options);
  std::vector<OpenedSession> opened;
  for (int i = 0; i < 3; ++i) {
    now += std::chrono::seconds(1);
    absl::StatusOr<OpenedSession> o = store.Open("u" + std::to_string(i), "hash");
    ASSERT_TRUE(o.ok());
    EXPECT_EQ(o->id.size(), 43u);
    EXPECT_NE(o->id, o->csrf_token);
    for (const OpenedSession& before : opened) EXPECT_NE(before.id, o->id);
    opened.push_back(*o);
  }
  now += std::chrono::seconds(1);
  ASSERT_TRUE(store.Find(opened[0].id).has_value());  // u1 is now the idlest
  ASSERT_TRUE(store.Open("u3", "hash").ok());
  EXPECT_EQ(store.size(), 3u);
  EXPECT_FALSE(store.Find(opened[1].id).has_value());
  EXPECT_TRUE(store.Find(opened[0].id).has_value());
  EXPECT_TRUE(store.Find(opened[2].id).has_value());
  // Expired sessions go first: all of them, before anyone live is ended.
  now += options.idle_timeout;
  ASSERT_TRUE(store.Open("u4", "hash").ok());
  EXPECT_EQ(store.size(), 1u);
}

TEST(SessionStoreTest, ConstantTimeEqualsComparesLengthAndBytes) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
}

}  // namespace
}  // namespace clearance::server
