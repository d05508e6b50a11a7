// authorized-resources, authorized-tenants, what-can and who-can against the engine and state.
#include <set>
#include <string>
#include <vector>

#include "decision_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance::server::decision_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> PermissionNames(PermissionMask mask) {
  std::vector<std::string> out;
  ForEachPermission(mask, [&](Permission p) { out.emplace_back(Name(p)); });
  return out;
}

TEST_F(DecisionApiTest, AuthorizedResourcesAnswerAsTheEngine) {
  for (const char* user : {"alice", "carol", "bob", "admin"}) {
    HttpResponse r = Post("/clearance/v1/authorized-resources",
                          R"({"resourceType":"PROCESS_DEFINITION",)"
                          R"("permission":"READ_PROCESS_DEFINITION"})",
                          user);
    ASSERT_EQ(r.status, 200) << r.body;
    absl::StatusOr<ResourceIds> expected = engine().AuthorizedResourceIds(
        engine().Resolve(Caller::BasicUser(user)), ResourceType::kProcessDefinition,
        Permission::kReadProcessDefinition);
    ASSERT_TRUE(expected.ok());
    auto json = ParseJson(r.body);
    bool all = false;
    ASSERT_EQ(json->root["all"].get_bool().get(all), simdjson::SUCCESS);
    EXPECT_EQ(all, expected->all) << user;
    EXPECT_EQ(Strings(json->root, "ids"), expected->ids) << user;
  }
  EXPECT_THAT(
      Post("/clearance/v1/authorized-resources",
           R"({"resourceType":"PROCESS_DEFINITION","permission":"READ_PROCESS_DEFINITION"})",
           "alice")
          .body,
      HasSubstr(R"("all":false,"ids":["p1"])"));
  HttpResponse r = Post("/clearance/v1/authorized-resources", R"({"resourceType":"GROUP"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("permission: No permission provided"));
  r = Post("/clearance/v1/authorized-resources",
           R"({"resourceType":"GROUP","permission":"READ","resourceId":"x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("resourceId: unknown field; expected only resourceType, "
                                "permission, subject"));
}

TEST_F(DecisionApiTest, AuthorizedTenantsByGetAndPost) {
  HttpResponse r = Get("/clearance/v1/authorized-tenants", "alice");
  ASSERT_EQ(r.status, 200) << r.body;
  absl::StatusOr<std::vector<std::string>> expected =
      engine().AuthorizedTenants(engine().Resolve(Caller::BasicUser("alice")));
  ASSERT_TRUE(expected.ok());
  EXPECT_THAT(*expected, ElementsAre("<default>", "t1"));
  auto json = ParseJson(r.body);
  EXPECT_EQ(Strings(json->root, "tenants"), *expected);
  // On behalf of alice, by the auditor.
  r = Post("/clearance/v1/authorized-tenants", R"({"subject":{"username":"alice"}})", "auditor");
  ASSERT_EQ(r.status, 200) << r.body;
  json = ParseJson(r.body);
  EXPECT_EQ(Strings(json->root, "tenants"), *expected);
  // An empty POST body asks for the caller.
  r = Post("/clearance/v1/authorized-tenants", "", "carol");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(R"({"tenants":["<default>"])"));
  // A subject the engine cannot identify is an answer, not a result.
  r = Post("/clearance/v1/authorized-tenants", R"({"subject":{"username":"ghost"}})", "auditor");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr(R"("outcome":"UNAUTHENTICATED","reason":"UNKNOWN_USER")"));
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr("tenants")));
}

TEST_F(DecisionApiTest, WhatCanAnswersAsTheEngine) {
  const PrincipalHandle alice = engine().Resolve(Caller::BasicUser("alice"));
  HttpResponse r = Post("/clearance/v1/what-can",
                        R"({"resourceType":"PROCESS_DEFINITION","resourceId":"p2"})", "alice");
  ASSERT_EQ(r.status, 200) << r.body;
  absl::StatusOr<PermissionMask> on_p2 =
      engine().PermissionsOn(alice, ResourceType::kProcessDefinition, "p2");
  ASSERT_TRUE(on_p2.ok());
  EXPECT_NE(*on_p2, 0u);
  auto json = ParseJson(r.body);
  EXPECT_EQ(Strings(json->root, "permissions"), PermissionNames(*on_p2));

  // Without a resource type: every type with a permission on "*", and only those.
  r = Post("/clearance/v1/what-can", "", "alice");
  ASSERT_EQ(r.status, 200) << r.body;
  json = ParseJson(r.body);
  simdjson::dom::array types;
  ASSERT_EQ(json->root["resourceTypes"].get_array().get(types), simdjson::SUCCESS);
  std::set<std::string> listed;
  for (simdjson::dom::element entry : types) {
    const std::string type_name = Str(entry, "resourceType");
    listed.insert(type_name);
    absl::StatusOr<ResourceType> type = ParseResourceType(type_name);
    ASSERT_TRUE(type.ok());
    absl::StatusOr<PermissionMask> mask = engine().PermissionsOn(alice, *type, "*");
    ASSERT_TRUE(mask.ok());
    EXPECT_EQ(Strings(entry, "permissions"), PermissionNames(*mask)) << type_name;
  }
  EXPECT_TRUE(listed.contains("RESOURCE"));  // through group eng in role deployer
  ForEachResourceType([&](ResourceType type) {
    if (listed.contains(std::string(Name(type)))) return;
    absl::StatusOr<PermissionMask> mask = engine().PermissionsOn(alice, type, "*");
    ASSERT_TRUE(mask.ok());
    EXPECT_EQ(*mask, 0u) << Name(type);
  });

  r = Post("/clearance/v1/what-can", R"({"resourceId":"p2"})", "alice");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("resourceId: given without resourceType"));
}

TEST_F(DecisionApiTest, WhoCanListsOwnersAndThePrincipalsReachingThem) {
  const std::string body = R"({"resourceType":"RESOURCE","permission":"CREATE","resourceId":"r1"})";
  HttpResponse r = Post("/clearance/v1/who-can", body, "alice");
  EXPECT_EQ(r.status, 403);  // it reveals grants: READ on AUTHORIZATION
  EXPECT_THAT(r.body, HasSubstr("'READ' on resource 'AUTHORIZATION'"));

  r = Post("/clearance/v1/who-can", body, "auditor");
  ASSERT_EQ(r.status, 200) << r.body;
  auto json = ParseJson(r.body);
  std::set<std::string> owners;
  simdjson::dom::array grants;
  ASSERT_EQ(json->root["grants"].get_array().get(grants), simdjson::SUCCESS);
  for (simdjson::dom::element grant : grants) {
    owners.insert(Str(grant["owner"], "type") + ":" + Str(grant["owner"], "id"));
    EXPECT_EQ(Str(grant, "resourceId"), "*");
  }
  EXPECT_EQ(owners, (std::set<std::string>{"ROLE:admin", "ROLE:deployer"}));
  std::vector<std::string> principals;
  simdjson::dom::array list;
  ASSERT_EQ(json->root["principals"].get_array().get(list), simdjson::SUCCESS);
  for (simdjson::dom::element p : list) {
    std::string via;
    simdjson::dom::array via_list;
    EXPECT_EQ(p["via"].get_array().get(via_list), simdjson::SUCCESS);
    for (simdjson::dom::element v : via_list) via += "<" + Str(v, "id");
    principals.push_back(Str(p, "type") + ":" + Str(p, "id") + via);
  }
  // alice and carol through group eng, a member of role deployer; admin through role admin.
  EXPECT_THAT(principals,
              ElementsAre("USER:admin<admin", "USER:alice<deployer", "USER:carol<deployer"));
  // Every listed user is indeed allowed by the engine, and bob, not listed, is not.
  CheckRequest request;
  request.resource_type = ResourceType::kResource;
  request.permission = Permission::kCreate;
  request.resource_ids = {"r1"};
  for (const char* user : {"admin", "alice", "carol"}) {
    EXPECT_TRUE(engine().Check(Caller::BasicUser(user), request).allowed()) << user;
  }
  EXPECT_FALSE(engine().Check(Caller::BasicUser("bob"), request).allowed());

  // An id scope passes for its id only.
  r = Post("/clearance/v1/who-can",
           R"({"resourceType":"PROCESS_DEFINITION","permission":"READ_PROCESS_DEFINITION",)"
           R"("resourceId":"p1"})",
           "auditor");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body,
              HasSubstr(R"({"type":"USER","id":"alice","via":[{"type":"USER","id":"alice"}]})"));
  r = Post("/clearance/v1/who-can",
           R"({"resourceType":"PROCESS_DEFINITION","permission":"READ_PROCESS_DEFINITION",)"
           R"("resourceId":"p3"})",
           "auditor");
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr(R"("id":"alice")")));

  r = Post("/clearance/v1/who-can", R"({"resourceType":"RESOURCE","permission":"CREATE"})",
           "auditor");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("resourceId: No resourceId provided"));
}

}  // namespace
}  // namespace clearance::server::decision_test
