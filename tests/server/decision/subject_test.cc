// Asking on behalf of a bearer token's principal (OIDC mode): tokens minted in the test with the
// token suites' keys and signer, verified by the server's verifier at a fixed clock.
#include <memory>
#include <string>

#include "../../engine/token/test_util.h"
#include "clearance/authenticate.h"
#include "clearance/internal/strings.h"
#include "decision_test_fixture.h"
#include "server/system_routes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance::server::decision_test {
namespace {

using strings_internal::StrCat;
using ::testing::HasSubstr;
using token_test::Minted;

class SubjectTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServingOptions options;
    options.store.sync = false;
    absl::StatusOr<std::unique_ptr<ServingStore>> store =
        ServingStore::Open(dir_.Sub("store"), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    MustExecute(*store_, Configure{config_});  // OIDC, username from "sub"
    MustExecute(*store_, Initialize{});
    Grant("gw", ResourceType::kComponent, "clearance-decision-gateway", Permission::kAccess);
    Grant("alice", ResourceType::kProcessDefinition, "p1", Permission::kReadProcessDefinition);
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier =
        TokenVerifier::Create(token_test::MintedOptions(&clock_));
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    auth_ = std::make_unique<Authenticator>(*store_, config_, *std::move(verifier));
    state_.store = store_.get();
    state_.auth = auth_.get();
    AddDecisionRoutes(router_);
  }

  void Grant(std::string user, ResourceType type, std::string id, Permission permission) {
    AuthorizationSpec spec;
    spec.owner_type = OwnerType::kUser;
    spec.owner_id = std::move(user);
    spec.resource_type = type;
    spec.resource_id = std::move(id);
    spec.permissions = Bit(permission);
    MustExecute(*store_, CreateAuthorization{spec});
  }

  // An RS256 token of the minted fixture's issuer for `sub`, expiring at `exp`.
  std::string Token(std::string_view sub, int64_t exp) const {
    const token_test::MintedFixture& f = Minted();
    const std::string claims =
        StrCat(R"({"iss":")", f.issuer, R"(","aud":")", f.audience, R"(","sub":")", sub,
               R"(","iat":)", f.now - 10, R"(,"exp":)", exp, "}");
    return token_test::SignJws("RS256", f.private_keys_pem.at("rsa"),
                               R"({"alg":"RS256","kid":"rsa-1"})", claims);
  }
  std::string Token(std::string_view sub) const { return Token(sub, Minted().now + 3600); }

  HttpResponse Post(std::string_view path, std::string body, std::string_view caller_sub) {
    return router_.Handle(
        Request("POST", std::string(path), std::move(body), "Bearer " + Token(caller_sub)), state_);
  }

  static std::string CheckBody(std::string_view subject_token) {
    return StrCat(R"({"resourceType":"PROCESS_DEFINITION","permission":"READ_PROCESS_DEFINITION",)",
                  R"("resourceIds":["p1"],"subject":{"token":")", subject_token, R"("}})");
  }

  server_test::TempDir dir_;
  token_test::FakeClock clock_{Minted().now};
  Configuration config_;
  std::unique_ptr<ServingStore> store_;
  std::unique_ptr<Authenticator> auth_;
  ServerState state_;
  Router router_;
};

TEST_F(SubjectTokenTest, AVerifiedTokenIsDecidedForItsPrincipal) {
  const std::string alice = Token("alice");
  HttpResponse r = Post("/clearance/v1/check", CheckBody(alice), "gw");
  ASSERT_EQ(r.status, 200) << r.body;
  CheckRequest request;
  request.resource_type = ResourceType::kProcessDefinition;
  request.permission = Permission::kReadProcessDefinition;
  request.resource_ids = {"p1"};
  const Decision expected = store_->engine().CheckToken(*auth_->verifier(), alice, request);
  ASSERT_EQ(expected.outcome, Outcome::kAllow);
  EXPECT_THAT(r.body, HasSubstr(R"({"allowed":true,"outcome":"ALLOW","reason":"GRANTED")"));
  // The gateway itself holds no such grant: the answer was alice's.
  r = Post("/clearance/v1/check", CheckBody(Token("gw")), "gw");
  EXPECT_THAT(r.body, HasSubstr(R"("outcome":"FORBIDDEN")"));
  // Explain names alice as the principal.
  r = Post("/clearance/v1/explain", CheckBody(alice), "gw");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(R"("principal":{"type":"USER","id":"alice"})"));
}

TEST_F(SubjectTokenTest, ARefusedTokenIsAnUnauthenticatedDecision) {
  HttpResponse r =
      Post("/clearance/v1/check", CheckBody(Token("alice", Minted().now - 3600)), "gw");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(R"({"allowed":false,"outcome":"UNAUTHENTICATED",)"
                                R"("reason":"TOKEN_REFUSED")"));
  EXPECT_THAT(r.body, HasSubstr(R"("detail":"expired")"));
  r = Post("/clearance/v1/check", CheckBody("not-a-token"), "gw");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(R"("reason":"TOKEN_REFUSED","generation":)"));
  EXPECT_THAT(r.body, HasSubstr(R"("detail":"malformed")"));
  r = Post("/clearance/v1/explain", CheckBody("not-a-token"), "gw");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("The subject's token was refused: malformed"));
  r = Post("/clearance/v1/authorized-tenants", R"({"subject":{"token":"x.y.z"}})", "gw");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(R"("outcome":"UNAUTHENTICATED","reason":"TOKEN_REFUSED")"));
  // A batch element with a refused token is refused alone.
  r = Post("/clearance/v1/check/batch",
           StrCat(R"({"requests":[)", CheckBody("bad"), ",", CheckBody(Token("alice")), "]}"),
           "gw");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(R"({"results":[{"allowed":false,"outcome":"UNAUTHENTICATED")"));
  EXPECT_THAT(r.body, HasSubstr(R"(},{"allowed":true,"outcome":"ALLOW")"));
}

TEST_F(SubjectTokenTest, OnlyAGatewayMayAskAndClaimsNeedReadOnAuthorizations) {
  HttpResponse r = Post("/clearance/v1/check", CheckBody(Token("alice")), "alice");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_THAT(r.body, HasSubstr("clearance-decision-gateway"));
  const std::string claims_body =
      R"({"resourceType":"PROCESS_DEFINITION","permission":"READ_PROCESS_DEFINITION",)"
      R"("resourceIds":["p1"],"subject":{"claims":{"sub":"alice"}}})";
  r = Post("/clearance/v1/check", claims_body, "gw");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_THAT(r.body, HasSubstr("'READ' on resource 'AUTHORIZATION'"));
  Grant("gw", ResourceType::kAuthorization, "*", Permission::kRead);
  r = Post("/clearance/v1/check", claims_body, "gw");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(R"("outcome":"ALLOW")"));
  // A username names a stored user, which OIDC mode has none of.
  r = Post("/clearance/v1/check",
           R"({"resourceType":"GROUP","permission":"READ","subject":{"username":"alice"}})", "gw");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("subject.username"));
}

TEST_F(SubjectTokenTest, TheHealthPageShowsEachIssuersKeysToAnAuthenticatedCaller) {
  Router system;
  AddSystemRoutes(system, SystemInfo{});
  HttpResponse anonymous = system.Handle(Request("GET", "/clearance/v1/health", "", ""), state_);
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  HttpResponse r = system.Handle(
      Request("GET", "/clearance/v1/health", "", "Bearer " + Token("alice")), state_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(StrCat(R"({"issuer":")", Minted().issuer, R"(")")));
  EXPECT_THAT(r.body, HasSubstr(R"("loaded":true)"));
  EXPECT_THAT(r.body, HasSubstr(R"("kid":"rsa-1","used":true)"));
  EXPECT_THAT(r.body, HasSubstr(R"("status":"healthy")"));
}

}  // namespace
}  // namespace clearance::server::decision_test
