#include "server/router.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server_test_util.h"

namespace clearance::server {
namespace {

using ::testing::HasSubstr;
using server_test::BasicAuth;
using server_test::OpenBasicStore;
using server_test::Request;
using server_test::TempDir;

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenBasicStore(dir_);
    ASSERT_NE(store_, nullptr);
    Configuration config;
    config.mode = AuthMode::kBasic;
    auth_ = std::make_unique<Authenticator>(*store_, config, nullptr);
    state_.store = store_.get();
    state_.auth = auth_.get();
    router_.Add("GET", "/v2/groups/{groupId}", [](RequestContext& c) {
      return JsonResponse(200, "\"" + c.params[0] + "|" + c.caller.id + "\"");
    });
    router_.Add("DELETE", "/v2/groups/{groupId}", [](RequestContext& c) {
      if (auto denied = Require(c, ResourceType::kGroup, Permission::kDelete, c.params[0])) {
        return *denied;
      }
      return NoContent();
    });
    router_.Add("GET", "/v2/status", [](RequestContext&) { return NoContent(); },
                Access::kPublic);
  }

  HttpResponse Handle(const HttpRequest& r) { return router_.Handle(r, state_); }

  TempDir dir_;
  std::unique_ptr<ServingStore> store_;
  std::unique_ptr<Authenticator> auth_;
  ServerState state_;
  Router router_;
};

TEST_F(RouterTest, MatchesPatternsAndDecodesParameters) {
  HttpResponse r = Handle(Request("GET", "/v2/groups/a%40b"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "\"a@b|admin\"");
  EXPECT_EQ(router_.RouteOf(Request("GET", "/v2/groups/x")), "/v2/groups/{groupId}");
}

TEST_F(RouterTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  HttpResponse r = Handle(Request("GET", "/v2/nothing"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  r = Handle(Request("PATCH", "/v2/groups/x"));
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].second, "GET, DELETE");
}

TEST_F(RouterTest, RefusesParametersThatCouldNameAnotherPath) {
  for (const char* target : {"/v2/groups/a%2Fb", "/v2/groups/%2e%2e", "/v2/groups/a%00",
                             "/v2/groups/a%zz"}) {
    HttpResponse r = Handle(Request("GET", target));
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_THAT(r.body, HasSubstr("groupId")) << target;
  }
}

TEST_F(RouterTest, AuthenticatesUnlessPublic) {
  HttpResponse r = Handle(Request("GET", "/v2/groups/x", "", ""));
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr("no credentials"));
  r = Handle(Request("GET", "/v2/groups/x", "", BasicAuth("admin", "wrong")));
  EXPECT_EQ(r.status, 401);
  r = Handle(Request("GET", "/v2/groups/x", "", BasicAuth("nobody", "secret")));
  EXPECT_EQ(r.status, 401);
  r = Handle(Request("GET", "/v2/groups/x", "", "Bearer abc"));
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr("BASIC mode"));
  EXPECT_EQ(Handle(Request("GET", "/v2/status", "", "")).status, 204);
}

TEST_F(RouterTest, RequireAnswersCamundasForbiddenProblem) {
  HttpResponse r = Handle(Request("DELETE", "/v2/groups/g1", "", BasicAuth("bob", "secret")));
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("Insufficient permissions to perform operation 'DELETE' on "
                                "resource 'GROUP', required resource identifiers are one of "
                                "'[*, g1]'"));
  EXPECT_EQ(Handle(Request("DELETE", "/v2/groups/g1")).status, 204);  // admin
}

}  // namespace
}  // namespace clearance::server
