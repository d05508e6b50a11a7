// The /v2 identity API end to end through Router::Handle (no sockets): every resource's success
// path and main refusals, searches, and the guide's two recipes over the API.
#include "server/v2/identity_routes.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <vector>

#include "../server_test_util.h"
#include "absl/strings/escaping.h"
#include "clearance/token.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth.h"
#include "simdjson.h"

namespace clearance::server {
namespace {

using server_test::BasicAuth;
using server_test::OpenBasicStore;
using server_test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A parsed response body (owns its parser, so elements stay valid).
class Body {
 public:
  explicit Body(const std::string& json) : json_(json) {
    EXPECT_EQ(parser_.parse(json_).get(root_), simdjson::SUCCESS) << json_;
  }
  // The member, or a null element when it is missing (the test then fails on its content).
  simdjson::dom::element operator[](const char* key) const {
    simdjson::dom::element e;
    EXPECT_EQ(root_[key].get(e), simdjson::SUCCESS) << key << " missing in " << json_;
    return e;
  }
  std::string Str(const char* key) const {
    std::string_view s;
    if (root_[key].get(s) != simdjson::SUCCESS) return "<not a string>";
    return std::string(s);
  }
  bool IsNull(const char* key) const { return root_[key].is_null(); }
  bool Has(const char* key) const { return root_[key].error() == simdjson::SUCCESS; }
  // The values of `field` in each of "items", in order.
  std::vector<std::string> Items(const char* field) const {
    std::vector<std::string> out;
    simdjson::dom::array items;
    if (root_["items"].get(items) != simdjson::SUCCESS) return {"<no items>"};
    for (simdjson::dom::element item : items) {
      std::string_view s;
      out.emplace_back(item[field].get(s) == simdjson::SUCCESS ? s : "<missing>");
    }
    return out;
  }
  int64_t Total() const {
    int64_t total = -1;
    EXPECT_EQ(root_["page"]["totalItems"].get(total), simdjson::SUCCESS) << json_;
    return total;
  }
  std::string Cursor(const char* which) const {
    std::string_view s;
    if (root_["page"][which].get(s) != simdjson::SUCCESS) return "<null>";
    return std::string(s);
  }

 private:
  simdjson::padded_string json_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

HttpRequest Request(std::string method, std::string path, std::string body,
                    std::string authorization) {
  return server_test::Request(std::move(method), std::move(path), std::move(body),
                              std::move(authorization));
}

class IdentityRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenBasicStore(dir_);
    ASSERT_NE(store_, nullptr);
    Configuration config;
    config.mode = AuthMode::kBasic;
    auth_ = std::make_unique<Authenticator>(*store_, config, nullptr);
    state_.store = store_.get();
    state_.auth = auth_.get();
    AddIdentityRoutes(router_);
  }

  HttpResponse Call(std::string method, std::string path, std::string body = {},
                    std::string authorization = BasicAuth("admin", "secret")) {
    return router_.Handle(
        Request(std::move(method), std::move(path), std::move(body), std::move(authorization)),
        state_);
  }
  HttpResponse AsBob(std::string method, std::string path, std::string body = {}) {
    return Call(std::move(method), std::move(path), std::move(body), BasicAuth("bob", "secret"));
  }
  std::string Grant(std::string owner_type, std::string owner, std::string resource_type,
                    std::string resource_id, std::string permissions) {
    HttpResponse r = Call("POST", "/v2/authorizations",
                          "{\"ownerId\":\"" + owner + "\",\"ownerType\":\"" + owner_type +
                              "\",\"resourceType\":\"" + resource_type + "\",\"resourceId\":\"" +
                              resource_id + "\",\"permissionTypes\":[" + permissions + "]}");
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r.body).Str("authorizationKey");
  }

  TempDir dir_;
  std::unique_ptr<ServingStore> store_;
  std::unique_ptr<Authenticator> auth_;
  ServerState state_;
  Router router_;
};

// ---- groups, roles, tenants ------------------------------------------------------------------

struct ContainerCase {
  const char* path;
  const char* id_field;
};
constexpr ContainerCase kContainers[] = {
    {"/v2/groups", "groupId"}, {"/v2/roles", "roleId"}, {"/v2/tenants", "tenantId"}};

TEST_F(IdentityRoutesTest, ContainersCreateGetUpdateDelete) {
  for (const ContainerCase& c : kContainers) {
    SCOPED_TRACE(c.path);
    const std::string base = c.path;
    const std::string id_field = c.id_field;
    HttpResponse r = Call(
        "POST", base, "{\"" + id_field + "\":\"sales\",\"name\":\"Sales\",\"description\":\"d\"}");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    Body created(r.body);
    EXPECT_EQ(created.Str(c.id_field), "sales");
    EXPECT_EQ(created.Str("name"), "Sales");
    EXPECT_EQ(created.Str("description"), "d");

    r = Call("POST", base, "{\"" + id_field + "\":\"sales\",\"name\":\"Again\"}");
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(r.content_type, "application/problem+json");

    r = Call("GET", base + "/sales");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Body(r.body).Str("name"), "Sales");

    // An update without description keeps the stored one; the answer is 200 with the entity.
    r = Call("PUT", base + "/sales", "{\"name\":\"Sales EMEA\"}");
    ASSERT_EQ(r.status, 200) << r.body;
    Body updated(r.body);
    EXPECT_EQ(updated.Str(c.id_field), "sales");
    EXPECT_EQ(updated.Str("name"), "Sales EMEA");
    EXPECT_EQ(updated.Str("description"), "d");
    EXPECT_EQ(Body(Call("GET", base + "/sales").body).Str("name"), "Sales EMEA");

    r = Call("PUT", base + "/nobody", "{\"name\":\"x\"}");
    EXPECT_EQ(r.status, 404) << r.body;

    r = Call("DELETE", base + "/sales");
    EXPECT_EQ(r.status, 204) << r.body;
    EXPECT_TRUE(r.body.empty());
    EXPECT_EQ(Call("GET", base + "/sales").status, 404);
    EXPECT_EQ(Call("DELETE", base + "/sales").status, 404);
  }
}

TEST_F(IdentityRoutesTest, BadBodiesAre400NamingTheField) {
  HttpResponse r = Call("POST", "/v2/groups", "{\"groupId\":\"g\"}");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("name"));
  r = Call("POST", "/v2/groups", "{\"groupId\":7,\"name\":\"x\"}");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("groupId"));
  r = Call("POST", "/v2/groups", "{\"groupId\":");
  EXPECT_EQ(r.status, 400);
  r = Call("POST", "/v2/groups", "{\"groupId\":\"g\xff\",\"name\":\"x\"}");
  EXPECT_EQ(r.status, 400);
  r = Call("POST", "/v2/roles", "{\"roleId\":\"has space\",\"name\":\"x\"}");
  EXPECT_EQ(r.status, 400) << r.body;
  r = Call("GET", "/v2/groups/a%2Fb");
  EXPECT_EQ(r.status, 400);
  // Nothing was created by any of them.
  EXPECT_EQ(Body(Call("POST", "/v2/groups/search", "").body).Total(), 0);
}

TEST_F(IdentityRoutesTest, CallerWithoutPermissionGets403) {
  ASSERT_EQ(Call("POST", "/v2/groups", "{\"groupId\":\"g\",\"name\":\"G\"}").status, 201);
  HttpResponse r = AsBob("POST", "/v2/groups", "{\"groupId\":\"h\",\"name\":\"H\"}");
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("Insufficient permissions to perform operation 'CREATE' on "
                                "resource 'GROUP'"));
  EXPECT_EQ(AsBob("GET", "/v2/groups/g").status, 403);
  EXPECT_EQ(AsBob("PUT", "/v2/groups/g", "{\"name\":\"x\"}").status, 403);
  EXPECT_EQ(AsBob("DELETE", "/v2/groups/g").status, 403);
  EXPECT_EQ(AsBob("PUT", "/v2/groups/g/users/bob").status, 403);
  EXPECT_EQ(AsBob("POST", "/v2/groups/search").status, 403);
  EXPECT_EQ(AsBob("POST", "/v2/authorizations/search").status, 403);
  EXPECT_EQ(AsBob("POST", "/v2/mapping-rules", "{}").status, 403);
  EXPECT_EQ(AsBob("POST", "/v2/users/search").status, 403);
  // Unauthenticated: 401 before anything else.
  EXPECT_EQ(Call("GET", "/v2/groups/g", "", "").status, 401);
  EXPECT_EQ(Call("GET", "/v2/groups/g", "", BasicAuth("bob", "wrong")).status, 401);
  // Still there, unchanged.
  EXPECT_EQ(Body(Call("GET", "/v2/groups/g").body).Str("name"), "G");
}

// ---- memberships -----------------------------------------------------------------------------

TEST_F(IdentityRoutesTest, GroupMembershipsAssignSearchUnassign) {
  ASSERT_EQ(Call("POST", "/v2/groups", "{\"groupId\":\"ops\",\"name\":\"Ops\"}").status, 201);
  ASSERT_EQ(Call("POST", "/v2/mapping-rules",
                 "{\"mappingRuleId\":\"mr\",\"claimName\":\"dept\",\"claimValue\":\"ops\","
                 "\"name\":\"Ops rule\"}")
                .status,
            201);
  EXPECT_EQ(Call("PUT", "/v2/groups/ops/users/bob").status, 204);
  EXPECT_EQ(Call("PUT", "/v2/groups/ops/users/admin").status, 204);
  EXPECT_EQ(Call("PUT", "/v2/groups/ops/users/bob").status, 409);
  EXPECT_EQ(Call("PUT", "/v2/groups/ops/clients/orders-service").status, 204);
  EXPECT_EQ(Call("PUT", "/v2/groups/ops/mapping-rules/mr").status, 204);
  EXPECT_EQ(Call("PUT", "/v2/groups/ops/mapping-rules/missing").status, 404);
  EXPECT_EQ(Call("PUT", "/v2/groups/nope/users/bob").status, 404);

  HttpResponse r = Call("POST", "/v2/groups/ops/users/search",
                        "{\"sort\":[{\"field\":\"username\",\"order\":\"DESC\"}]}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(Body(r.body).Items("username"), ElementsAre("bob", "admin"));
  EXPECT_EQ(Body(r.body).Total(), 2);
  r = Call("POST", "/v2/groups/ops/clients/search");
  EXPECT_THAT(Body(r.body).Items("clientId"), ElementsAre("orders-service"));
  r = Call("POST", "/v2/groups/ops/mapping-rules/search");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(Body(r.body).Items("mappingRuleId"), ElementsAre("mr"));
  EXPECT_THAT(Body(r.body).Items("claimName"), ElementsAre("dept"));
  EXPECT_EQ(Call("POST", "/v2/groups/nope/users/search").status, 404);

  EXPECT_EQ(Call("DELETE", "/v2/groups/ops/users/bob").status, 204);
  EXPECT_EQ(Call("DELETE", "/v2/groups/ops/users/bob").status, 404);
  EXPECT_THAT(Body(Call("POST", "/v2/groups/ops/users/search").body).Items("username"),
              ElementsAre("admin"));
  // Groups hold no groups or roles as members: no such endpoint.
  EXPECT_EQ(Call("PUT", "/v2/groups/ops/groups/x").status, 404);
}

TEST_F(IdentityRoutesTest, RoleAndTenantMemberships) {
  ASSERT_EQ(Call("POST", "/v2/groups", "{\"groupId\":\"ops\",\"name\":\"Ops\"}").status, 201);
  ASSERT_EQ(Call("POST", "/v2/roles", "{\"roleId\":\"auditor\",\"name\":\"Auditor\"}").status, 201);
  ASSERT_EQ(Call("POST", "/v2/tenants", "{\"tenantId\":\"acme\",\"name\":\"Acme\"}").status, 201);
  EXPECT_EQ(Call("PUT", "/v2/roles/auditor/groups/ops").status, 204);
  EXPECT_EQ(Call("PUT", "/v2/roles/auditor/users/bob").status, 204);
  EXPECT_EQ(Call("PUT", "/v2/roles/auditor/clients/c1").status, 204);
  EXPECT_EQ(Call("PUT", "/v2/tenants/acme/roles/auditor").status, 204);
  EXPECT_EQ(Call("PUT", "/v2/tenants/acme/groups/ops").status, 204);
  EXPECT_EQ(Call("PUT", "/v2/tenants/acme/users/bob").status, 204);
  EXPECT_EQ(Call("PUT", "/v2/tenants/acme/clients/c1").status, 204);

  EXPECT_THAT(Body(Call("POST", "/v2/roles/auditor/groups/search").body).Items("groupId"),
              ElementsAre("ops"));
  EXPECT_THAT(Body(Call("POST", "/v2/roles/auditor/users/search").body).Items("username"),
              ElementsAre("bob"));
  EXPECT_THAT(Body(Call("POST", "/v2/roles/auditor/clients/search").body).Items("clientId"),
              ElementsAre("c1"));
  // Roles of a tenant and of a group come as RoleResult.
  Body tenant_roles(Call("POST", "/v2/tenants/acme/roles/search").body);
  EXPECT_THAT(tenant_roles.Items("roleId"), ElementsAre("auditor"));
  EXPECT_THAT(tenant_roles.Items("name"), ElementsAre("Auditor"));
  EXPECT_THAT(Body(Call("POST", "/v2/groups/ops/roles/search").body).Items("roleId"),
              ElementsAre("auditor"));
  EXPECT_THAT(Body(Call("POST", "/v2/tenants/acme/groups/search").body).Items("groupId"),
              ElementsAre("ops"));
  EXPECT_THAT(Body(Call("POST", "/v2/tenants/acme/users/search").body).Items("username"),
              ElementsAre("bob"));
  EXPECT_THAT(Body(Call("POST", "/v2/tenants/acme/clients/search").body).Items("clientId"),
              ElementsAre("c1"));

  EXPECT_EQ(Call("DELETE", "/v2/tenants/acme/roles/auditor").status, 204);
  EXPECT_EQ(Body(Call("POST", "/v2/tenants/acme/roles/search").body).Total(), 0);
  EXPECT_EQ(Call("DELETE", "/v2/roles/auditor/groups/ops").status, 204);
  EXPECT_EQ(Body(Call("POST", "/v2/groups/ops/roles/search").body).Total(), 0);
  EXPECT_EQ(AsBob("PUT", "/v2/tenants/acme/users/admin").status, 403);

  // Member searches: bare ids need READ on the container, whole roles READ on ROLE.
  ASSERT_EQ(Call("PUT", "/v2/tenants/acme/roles/auditor").status, 204);
  EXPECT_EQ(AsBob("POST", "/v2/tenants/acme/roles/search").status, 403);
  EXPECT_EQ(AsBob("POST", "/v2/tenants/acme/users/search").status, 403);
  Grant("USER", "bob", "ROLE", "*", "\"READ\"");
  HttpResponse r = AsBob("POST", "/v2/tenants/acme/roles/search");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(Body(r.body).Items("roleId"), ElementsAre("auditor"));
  EXPECT_EQ(AsBob("POST", "/v2/tenants/acme/users/search").status, 403);
  Grant("USER", "bob", "TENANT", "acme", "\"READ\"");
  EXPECT_EQ(AsBob("POST", "/v2/tenants/acme/users/search").status, 200);
}

// ---- authorizations --------------------------------------------------------------------------

TEST_F(IdentityRoutesTest, AuthorizationsCreateGetUpdateSearchDelete) {
  ASSERT_EQ(Call("POST", "/v2/groups", "{\"groupId\":\"ops\",\"name\":\"Ops\"}").status, 201);
  HttpResponse r = Call("POST", "/v2/authorizations",
                        "{\"ownerId\":\"bob\",\"ownerType\":\"USER\",\"resourceType\":\"GROUP\","
                        "\"resourceId\":\"ops\",\"permissionTypes\":[\"READ\",\"UPDATE\"]}");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string key = Body(r.body).Str("authorizationKey");
  ASSERT_FALSE(key.empty());
  EXPECT_EQ(key.find_first_not_of("0123456789"), std::string::npos) << key;

  r = Call("GET", "/v2/authorizations/" + key);
  ASSERT_EQ(r.status, 200) << r.body;
  Body got(r.body);
  EXPECT_EQ(got.Str("ownerId"), "bob");
  EXPECT_EQ(got.Str("ownerType"), "USER");
  EXPECT_EQ(got.Str("resourceType"), "GROUP");
  EXPECT_EQ(got.Str("resourceId"), "ops");
  EXPECT_TRUE(got.IsNull("resourcePropertyName"));
  EXPECT_EQ(got.Str("authorizationKey"), key);
  EXPECT_EQ(simdjson::to_string(got["permissionTypes"]), "[\"READ\",\"UPDATE\"]");

  r = Call("PUT", "/v2/authorizations/" + key,
           "{\"ownerId\":\"bob\",\"ownerType\":\"USER\",\"resourceType\":\"GROUP\","
           "\"resourceId\":\"*\",\"permissionTypes\":[\"READ\"]}");
  ASSERT_EQ(r.status, 204) << r.body;
  Body updated(Call("GET", "/v2/authorizations/" + key).body);
  EXPECT_EQ(updated.Str("resourceId"), "*");
  EXPECT_EQ(simdjson::to_string(updated["permissionTypes"]), "[\"READ\"]");

  // A property-based grant (USER_TASK) answers resourceId null.
  r = Call("POST", "/v2/authorizations",
           "{\"ownerId\":\"bob\",\"ownerType\":\"USER\",\"resourceType\":\"USER_TASK\","
           "\"resourcePropertyName\":\"assignee\",\"permissionTypes\":[\"READ\"]}");
  ASSERT_EQ(r.status, 201) << r.body;
  Body property(Call("GET", "/v2/authorizations/" + Body(r.body).Str("authorizationKey")).body);
  EXPECT_TRUE(property.IsNull("resourceId"));
  EXPECT_EQ(property.Str("resourcePropertyName"), "assignee");

  r = Call("POST", "/v2/authorizations/search",
           "{\"filter\":{\"ownerId\":\"bob\",\"ownerType\":\"USER\",\"resourceType\":\"GROUP\"}}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(Body(r.body).Items("authorizationKey"), ElementsAre(key));
  r = Call("POST", "/v2/authorizations/search",
           "{\"filter\":{\"ownerId\":\"bob\",\"resourcePropertyNames\":[\"assignee\"]}}");
  EXPECT_THAT(Body(r.body).Items("resourceType"), ElementsAre("USER_TASK"));
  r = Call("POST", "/v2/authorizations/search",
           "{\"filter\":{\"ownerId\":\"bob\"},\"sort\":[{\"field\":\"resourceType\","
           "\"order\":\"DESC\"}]}");
  EXPECT_THAT(Body(r.body).Items("resourceType"), ElementsAre("USER_TASK", "GROUP"));

  EXPECT_EQ(Call("DELETE", "/v2/authorizations/" + key).status, 204);
  EXPECT_EQ(Call("GET", "/v2/authorizations/" + key).status, 404);
  EXPECT_EQ(Call("DELETE", "/v2/authorizations/" + key).status, 404);
}

TEST_F(IdentityRoutesTest, AuthorizationRefusals) {
  const std::string valid_tail =
      ",\"resourceType\":\"GROUP\",\"resourceId\":\"*\",\"permissionTypes\":[\"READ\"]}";
  HttpResponse r = Call("POST", "/v2/authorizations",
                        "{\"ownerId\":\"bob\",\"ownerType\":\"PERSON\"" + valid_tail);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("ownerType"));
  EXPECT_THAT(r.body, HasSubstr("MAPPING_RULE"));  // the allowed values are listed
  r = Call("POST", "/v2/authorizations",
           "{\"ownerId\":\"bob\",\"ownerType\":\"USER\",\"resourceType\":\"GROUP\","
           "\"resourceId\":\"*\",\"permissionTypes\":[\"READ\",\"FLY\"]}");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("permissionTypes[1]"));
  r = Call("POST", "/v2/authorizations",
           "{\"ownerId\":\"bob\",\"ownerType\":\"USER\",\"resourceType\":\"GROUP\","
           "\"resourceId\":\"*\"}");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("No permissionTypes provided"));
  r = Call("POST", "/v2/authorizations",
           "{\"ownerId\":\"bob\",\"ownerType\":\"user\"" + valid_tail);
  EXPECT_EQ(r.status, 400) << "enum values are case-sensitive";
  r = Call("POST", "/v2/authorizations",
           "{\"ownerId\":\"bob\",\"ownerType\":\"USER\",\"resourceType\":\"GROUP\","
           "\"resourceId\":\"*\",\"resourcePropertyName\":\"assignee\","
           "\"permissionTypes\":[\"READ\"]}");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("resourcePropertyName"));
  // A permission the resource type lacks: the planner's 400.
  r = Call("POST", "/v2/authorizations",
           "{\"ownerId\":\"bob\",\"ownerType\":\"USER\",\"resourceType\":\"GROUP\","
           "\"resourceId\":\"*\",\"permissionTypes\":[\"CREATE_PROCESS_INSTANCE\"]}");
  EXPECT_EQ(r.status, 400) << r.body;
  // The same grant twice: 409.
  Grant("USER", "bob", "ROLE", "*", "\"READ\"");
  r = Call("POST", "/v2/authorizations",
           "{\"ownerId\":\"bob\",\"ownerType\":\"USER\",\"resourceType\":\"ROLE\","
           "\"resourceId\":\"*\",\"permissionTypes\":[\"READ\"]}");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(Call("GET", "/v2/authorizations/abc").status, 400);
  EXPECT_EQ(Call("GET", "/v2/authorizations/-1").status, 400);
  EXPECT_EQ(Call("GET", "/v2/authorizations/999999").status, 404);
  EXPECT_EQ(AsBob("POST", "/v2/authorizations",
                  "{\"ownerId\":\"bob\",\"ownerType\":\"USER\"" + valid_tail)
                .status,
            403);
}

// ---- mapping rules ---------------------------------------------------------------------------

TEST_F(IdentityRoutesTest, MappingRulesCreateGetUpdateSearchDelete) {
  HttpResponse r = Call("POST", "/v2/mapping-rules",
                        "{\"mappingRuleId\":\"mr1\",\"claimName\":\"dept\",\"claimValue\":\"ops\","
                        "\"name\":\"Ops\"}");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r.body).Str("claimValue"), "ops");
  r = Call("POST", "/v2/mapping-rules",
           "{\"mappingRuleId\":\"mr2\",\"claimName\":\"dept\",\"claimValue\":\"ops\","
           "\"name\":\"Dup\"}");
  EXPECT_EQ(r.status, 409) << "duplicate (claimName, claimValue): " << r.body;
  r = Call("POST", "/v2/mapping-rules", "{\"mappingRuleId\":\"mr3\",\"claimName\":\"dept\"}");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("claimValue"));
  ASSERT_EQ(Call("POST", "/v2/mapping-rules",
                 "{\"mappingRuleId\":\"mr2\",\"claimName\":\"dept\",\"claimValue\":\"sales\","
                 "\"name\":\"Sales\"}")
                .status,
            201);

  r = Call("PUT", "/v2/mapping-rules/mr1",
           "{\"claimName\":\"dept\",\"claimValue\":\"ops2\",\"name\":\"Ops 2\"}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r.body).Str("mappingRuleId"), "mr1");
  Body got(Call("GET", "/v2/mapping-rules/mr1").body);
  EXPECT_EQ(got.Str("claimValue"), "ops2");
  EXPECT_EQ(got.Str("name"), "Ops 2");

  r = Call("POST", "/v2/mapping-rules/search", "{\"filter\":{\"claimValue\":\"sales\"}}");
  EXPECT_THAT(Body(r.body).Items("mappingRuleId"), ElementsAre("mr2"));
  r = Call("POST", "/v2/mapping-rules/search", "{\"filter\":{\"name\":{\"$like\":\"Ops*\"}}}");
  EXPECT_THAT(Body(r.body).Items("mappingRuleId"), ElementsAre("mr1"));
  r = Call("POST", "/v2/mapping-rules/search",
           "{\"sort\":[{\"field\":\"claimValue\",\"order\":\"DESC\"}]}");
  EXPECT_THAT(Body(r.body).Items("mappingRuleId"), ElementsAre("mr2", "mr1"));

  EXPECT_EQ(Call("DELETE", "/v2/mapping-rules/mr1").status, 204);
  EXPECT_EQ(Call("GET", "/v2/mapping-rules/mr1").status, 404);
}

// ---- searches ----------------------------------------------------------------------------------

TEST_F(IdentityRoutesTest, SearchFiltersSortsAndPages) {
  const char* groups[][2] = {
      {"g1", "Echo"}, {"g2", "Delta"}, {"g3", "Charlie"}, {"g4", "Bravo"}, {"g5", "Alpha"}};
  for (auto& g : groups) {
    ASSERT_EQ(Call("POST", "/v2/groups",
                   std::string("{\"groupId\":\"") + g[0] + "\",\"name\":\"" + g[1] + "\"}")
                  .status,
              201);
  }
  Body all(Call("POST", "/v2/groups/search", "{}").body);
  EXPECT_THAT(all.Items("groupId"), ElementsAre("g1", "g2", "g3", "g4", "g5"));
  EXPECT_EQ(all.Total(), 5);
  bool has_more = true;
  ASSERT_EQ(all["page"]["hasMoreTotalItems"].get(has_more), simdjson::SUCCESS);
  EXPECT_FALSE(has_more);

  Body by_name(Call("POST", "/v2/groups/search", "{\"sort\":[{\"field\":\"name\"}]}").body);
  EXPECT_THAT(by_name.Items("name"), ElementsAre("Alpha", "Bravo", "Charlie", "Delta", "Echo"));

  Body paged(Call("POST", "/v2/groups/search",
                  "{\"sort\":[{\"field\":\"groupId\",\"order\":\"DESC\"}],"
                  "\"page\":{\"from\":1,\"limit\":2}}")
                 .body);
  EXPECT_THAT(paged.Items("groupId"), ElementsAre("g4", "g3"));
  EXPECT_EQ(paged.Total(), 5);

  // Cursor paging walks the same order forwards and back.
  Body first(Call("POST", "/v2/groups/search", "{\"page\":{\"limit\":2}}").body);
  EXPECT_THAT(first.Items("groupId"), ElementsAre("g1", "g2"));
  Body next(Call("POST", "/v2/groups/search",
                 "{\"page\":{\"after\":\"" + first.Cursor("endCursor") + "\",\"limit\":2}}")
                .body);
  EXPECT_THAT(next.Items("groupId"), ElementsAre("g3", "g4"));
  Body back(Call("POST", "/v2/groups/search",
                 "{\"page\":{\"before\":\"" + next.Cursor("startCursor") + "\",\"limit\":2}}")
                .body);
  EXPECT_THAT(back.Items("groupId"), ElementsAre("g1", "g2"));
  Body empty(Call("POST", "/v2/groups/search", "{\"page\":{\"from\":9}}").body);
  EXPECT_EQ(empty.Total(), 5);
  EXPECT_EQ(empty.Cursor("startCursor"), "<null>");
  EXPECT_EQ(empty.Cursor("endCursor"), "<null>");

  Body in(Call("POST", "/v2/groups/search",
               "{\"filter\":{\"groupId\":{\"$in\":[\"g2\",\"g5\",\"zz\"]}}}")
              .body);
  EXPECT_THAT(in.Items("groupId"), ElementsAre("g2", "g5"));
  Body exact(Call("POST", "/v2/groups/search", "{\"filter\":{\"name\":\"Bravo\"}}").body);
  EXPECT_THAT(exact.Items("groupId"), ElementsAre("g4"));
  Body neq(Call("POST", "/v2/groups/search",
                "{\"filter\":{\"groupId\":{\"$neq\":\"g1\",\"$like\":\"g?\"}}}")
               .body);
  EXPECT_THAT(neq.Items("groupId"), ElementsAre("g2", "g3", "g4", "g5"));

  HttpResponse r = Call("POST", "/v2/groups/search", "{\"sort\":[{\"field\":\"color\"}]}");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("sort[0].field"));
  r = Call("POST", "/v2/groups/search", "{\"sort\":[{\"field\":\"name\",\"order\":\"UP\"}]}");
  EXPECT_EQ(r.status, 400);
  r = Call("POST", "/v2/groups/search", "{\"page\":{\"limit\":10001}}");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("page.limit"));
  r = Call("POST", "/v2/groups/search", "{\"page\":{\"from\":0,\"after\":\"WzBd\"}}");
  EXPECT_EQ(r.status, 400);
  r = Call("POST", "/v2/groups/search", "{\"page\":{\"after\":\"!!\"}}");
  EXPECT_EQ(r.status, 400);
  r = Call("POST", "/v2/groups/search", "{\"filter\":{\"groupId\":{\"$regex\":\"g\"}}}");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("$regex"));
  r = Call("POST", "/v2/groups/search", "{\"filter\":{\"name\":{\"$eq\":\"Bravo\"}}}");
  EXPECT_EQ(r.status, 400) << "GroupFilter.name is a plain string";
}

TEST_F(IdentityRoutesTest, SearchShowsOnlyWhatTheCallerMayRead) {
  for (const char* id : {"g1", "g2", "g3"}) {
    ASSERT_EQ(Call("POST", "/v2/groups", std::string("{\"groupId\":\"") + id + "\",\"name\":\"N\"}")
                  .status,
              201);
  }
  EXPECT_EQ(AsBob("POST", "/v2/groups/search").status, 403);
  Grant("USER", "bob", "GROUP", "g2", "\"READ\"");
  HttpResponse r = AsBob("POST", "/v2/groups/search");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(Body(r.body).Items("groupId"), ElementsAre("g2"));
  EXPECT_EQ(AsBob("GET", "/v2/groups/g2").status, 200);
  EXPECT_EQ(AsBob("GET", "/v2/groups/g1").status, 403);
  Grant("USER", "bob", "GROUP", "*", "\"READ\"");
  EXPECT_EQ(Body(AsBob("POST", "/v2/groups/search").body).Total(), 3);
}

// ---- users -----------------------------------------------------------------------------------

TEST_F(IdentityRoutesTest, UsersCreateGetUpdateSearchDeleteNeverShowPasswords) {
  HttpResponse r = Call("POST", "/v2/users",
                        "{\"username\":\"carol\",\"password\":\"first-pass\",\"name\":\"Carol\","
                        "\"email\":\"carol@example.com\"}");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r.body).Str("username"), "carol");
  EXPECT_THAT(r.body, Not(HasSubstr("password")));
  EXPECT_EQ(Call("POST", "/v2/users", "{\"username\":\"carol\",\"password\":\"x\"}").status, 409);
  r = Call("POST", "/v2/users", "{\"username\":\"dave\"}");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("password"));

  // The stored password is a bcrypt hash that logs carol in.
  store_->Read([](const IdentityState& s) {
    ASSERT_NE(s.FindUser("carol"), nullptr);
    EXPECT_THAT(s.FindUser("carol")->password_hash, ::testing::StartsWith("$2b$10$"));
  });
  const std::string carol = BasicAuth("carol", "first-pass");
  EXPECT_EQ(Call("GET", "/v2/authentication/me", "", carol).status, 200);
  EXPECT_EQ(Call("GET", "/v2/users/carol", "", carol).status, 403);

  r = Call("GET", "/v2/users/carol");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r.body).Str("email"), "carol@example.com");
  EXPECT_THAT(r.body, Not(HasSubstr("password")));

  r = Call("PUT", "/v2/users/carol", "{\"password\":\"second-pass\",\"name\":\"Carol C\"}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r.body).Str("name"), "Carol C");
  EXPECT_EQ(Body(r.body).Str("email"), "carol@example.com");
  EXPECT_EQ(Call("GET", "/v2/authentication/me", "", carol).status, 401);
  EXPECT_EQ(Call("GET", "/v2/authentication/me", "", BasicAuth("carol", "second-pass")).status,
            200);
  // A blank password leaves it unchanged.
  ASSERT_EQ(Call("PUT", "/v2/users/carol", "{\"password\":\"\"}").status, 200);
  EXPECT_EQ(Call("GET", "/v2/authentication/me", "", BasicAuth("carol", "second-pass")).status,
            200);

  r = Call("POST", "/v2/users/search",
           "{\"filter\":{\"email\":{\"$like\":\"*@example.com\"}},"
           "\"sort\":[{\"field\":\"username\",\"order\":\"DESC\"}]}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(Body(r.body).Items("username"), ElementsAre("carol", "admin"));
  EXPECT_THAT(r.body, Not(HasSubstr("password")));
  EXPECT_THAT(r.body, Not(HasSubstr("$2b$")));

  EXPECT_EQ(Call("DELETE", "/v2/users/carol").status, 204);
  EXPECT_EQ(Call("GET", "/v2/users/carol").status, 404);
  EXPECT_EQ(Call("GET", "/v2/authentication/me", "", BasicAuth("carol", "second-pass")).status,
            401);
}

TEST_F(IdentityRoutesTest, MeDescribesTheCaller) {
  ASSERT_EQ(Call("POST", "/v2/groups", "{\"groupId\":\"ops\",\"name\":\"Ops\"}").status, 201);
  ASSERT_EQ(Call("PUT", "/v2/groups/ops/users/admin").status, 204);
  HttpResponse r = Call("GET", "/v2/authentication/me");
  ASSERT_EQ(r.status, 200) << r.body;
  Body me(r.body);
  EXPECT_EQ(me.Str("username"), "admin");
  EXPECT_EQ(me.Str("displayName"), "Admin");
  EXPECT_EQ(me.Str("email"), "admin@example.com");
  EXPECT_EQ(simdjson::to_string(me["authorizedComponents"]), "[\"*\"]");
  EXPECT_EQ(simdjson::to_string(me["groups"]), "[\"ops\"]");
  EXPECT_THAT(simdjson::to_string(me["roles"]), HasSubstr("\"admin\""));
  EXPECT_THAT(simdjson::to_string(me["tenants"]), HasSubstr("\"tenantId\":\"<default>\""));
  EXPECT_TRUE(me.IsNull("salesPlanType"));
  EXPECT_EQ(simdjson::to_string(me["c8Links"]), "{}");
  EXPECT_TRUE(me.Has("canLogout"));

  Body bob(Call("GET", "/v2/authentication/me", "", BasicAuth("bob", "secret")).body);
  EXPECT_EQ(bob.Str("username"), "bob");
  EXPECT_TRUE(bob.IsNull("email"));
  EXPECT_EQ(simdjson::to_string(bob["authorizedComponents"]), "[]");
  EXPECT_EQ(simdjson::to_string(bob["roles"]), "[]");
  EXPECT_EQ(Call("GET", "/v2/authentication/me", "", "").status, 401);
}

// ---- OIDC: bearer tokens, the guide's recipes ------------------------------------------------

constexpr std::string_view kIssuer = "https://issuer.test";
constexpr std::string_view kSecret = "a-test-hmac-secret-of-32-bytes!!";

std::string Base64Url(std::string_view bytes) {
  std::string out;
  absl::WebSafeBase64Escape(absl::string_view(bytes.data(), bytes.size()), &out);
  return out;
}

// An HS256 token over `claims` (JSON members without braces).
std::string Token(const std::string& claims) {
  const std::string header = Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
  const std::string payload =
      Base64Url("{\"iss\":\"" + std::string(kIssuer) +
                "\",\"aud\":\"clearance\",\"exp\":4102444800," + claims + "}");
  const std::string input = header + "." + payload;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_len);
  return "Bearer " + input + "." +
         Base64Url(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

std::string ClientToken(const std::string& client, const std::string& extra = "") {
  return Token("\"client_id\":\"" + client + "\"" + (extra.empty() ? "" : "," + extra));
}

class OidcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServingOptions options;
    options.store.sync = false;
    absl::StatusOr<std::unique_ptr<ServingStore>> store =
        ServingStore::Open(dir_.Sub("store"), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    Configuration config;
    config.mode = AuthMode::kOidc;
    config.client_id_claim = "client_id";
    server_test::MustExecute(*store_, Configure{config});
    InitializationSeed seed;
    seed.default_role_members.push_back(
        {ContainerType::kRole, "admin", MemberType::kClient, "admin-client"});
    server_test::MustExecute(*store_, Initialize{seed});

    TokenVerifierOptions verifier_options;
    IssuerConfig issuer;
    issuer.issuer = std::string(kIssuer);
    issuer.audiences = {"clearance"};
    issuer.allowed_algorithms = {JwsAlgorithm::kHS256};
    issuer.jwks_json = "{\"keys\":[{\"kty\":\"oct\",\"k\":\"" + Base64Url(kSecret) + "\"}]}";
    verifier_options.issuers = {issuer};
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier =
        TokenVerifier::Create(std::move(verifier_options));
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    auth_ = std::make_unique<Authenticator>(*store_, config, *std::move(verifier));
    state_.store = store_.get();
    state_.auth = auth_.get();
    AddIdentityRoutes(router_);
  }

  HttpResponse Call(std::string method, std::string path, std::string body = {},
                    std::string authorization = ClientToken("admin-client")) {
    return router_.Handle(
        Request(std::move(method), std::move(path), std::move(body), std::move(authorization)),
        state_);
  }

  TempDir dir_;
  std::unique_ptr<ServingStore> store_;
  std::unique_ptr<Authenticator> auth_;
  ServerState state_;
  Router router_;
};

// A token this thread resolved is answered from memory until the identity state changes; then
// it is resolved again against the new generation.
TEST_F(OidcTest, AResolvedTokenIsRememberedUntilTheNextGeneration) {
  const std::string token = ClientToken("orders-service");
  std::shared_ptr<const CallerIdentity> first = auth_->Authenticate(token);
  ASSERT_TRUE(first->authenticated) << first->failure;
  EXPECT_EQ(auth_->Authenticate(token), first);
  const std::string other = ClientToken("billing");
  EXPECT_NE(auth_->Authenticate(other), first);
  ASSERT_EQ(Call("POST", "/v2/groups", "{\"groupId\":\"ops\",\"name\":\"Ops\"}").status, 201);
  std::shared_ptr<const CallerIdentity> after = auth_->Authenticate(token);
  EXPECT_NE(after, first);
  EXPECT_EQ(after->handle.generation(), store_->generation());
  EXPECT_EQ(after->id, "orders-service");
}

TEST_F(OidcTest, ClientIdRecipe) {
  const std::string orders = ClientToken("orders-service");
  ASSERT_EQ(Call("POST", "/v2/groups", "{\"groupId\":\"ops\",\"name\":\"Ops\"}").status, 201);
  EXPECT_EQ(Call("POST", "/v2/groups/search", "", orders).status, 403);

  HttpResponse r = Call("POST", "/v2/authorizations",
                        "{\"ownerId\":\"orders-service\",\"ownerType\":\"CLIENT\","
                        "\"resourceType\":\"GROUP\",\"resourceId\":\"*\","
                        "\"permissionTypes\":[\"READ\"]}");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string key = Body(r.body).Str("authorizationKey");
  r = Call("POST", "/v2/groups/search", "", orders);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(Body(r.body).Items("groupId"), ElementsAre("ops"));
  EXPECT_EQ(Body(Call("GET", "/v2/authentication/me", "", orders).body).Str("username"),
            "orders-service");

  ASSERT_EQ(Call("DELETE", "/v2/authorizations/" + key).status, 204);
  EXPECT_EQ(Call("POST", "/v2/groups/search", "", orders).status, 403);
}

TEST_F(OidcTest, MappingRuleRecipe) {
  const std::string orders_dept = ClientToken("svc-a", "\"department\":\"orders\"");
  const std::string sales_dept = ClientToken("svc-b", "\"department\":\"sales\"");
  ASSERT_EQ(Call("POST", "/v2/mapping-rules",
                 "{\"mappingRuleId\":\"orders-rule\",\"claimName\":\"department\","
                 "\"claimValue\":\"orders\",\"name\":\"Orders department\"}")
                .status,
            201);
  EXPECT_EQ(Call("POST", "/v2/roles/search", "", orders_dept).status, 403);

  // A grant owned by the mapping rule itself.
  ASSERT_EQ(Call("POST", "/v2/authorizations",
                 "{\"ownerId\":\"orders-rule\",\"ownerType\":\"MAPPING_RULE\","
                 "\"resourceType\":\"ROLE\",\"resourceId\":\"*\",\"permissionTypes\":[\"READ\"]}")
                .status,
            201);
  // And a grant reached through a group the rule is a member of.
  ASSERT_EQ(Call("POST", "/v2/groups", "{\"groupId\":\"readers\",\"name\":\"Readers\"}").status,
            201);
  ASSERT_EQ(Call("POST", "/v2/authorizations",
                 "{\"ownerId\":\"readers\",\"ownerType\":\"GROUP\",\"resourceType\":\"TENANT\","
                 "\"resourceId\":\"*\",\"permissionTypes\":[\"READ\"]}")
                .status,
            201);
  ASSERT_EQ(Call("PUT", "/v2/groups/readers/mapping-rules/orders-rule").status, 204);

  EXPECT_EQ(Call("POST", "/v2/roles/search", "", orders_dept).status, 200);
  EXPECT_EQ(Call("POST", "/v2/tenants/search", "", orders_dept).status, 200);
  EXPECT_EQ(Call("POST", "/v2/roles/search", "", sales_dept).status, 403);
  EXPECT_EQ(Call("POST", "/v2/tenants/search", "", sales_dept).status, 403);
  Body me(Call("GET", "/v2/authentication/me", "", orders_dept).body);
  EXPECT_EQ(simdjson::to_string(me["groups"]), "[\"readers\"]");

  // The admin client reaches "*" components through the admin role.
  Body admin(Call("GET", "/v2/authentication/me").body);
  EXPECT_EQ(simdjson::to_string(admin["authorizedComponents"]), "[\"*\"]");
  EXPECT_THAT(simdjson::to_string(admin["roles"]), HasSubstr("\"admin\""));
}

TEST_F(OidcTest, UserManagementIsRefusedNamingTheMode) {
  for (auto [method, path] : {std::pair{"POST", "/v2/users"}, std::pair{"GET", "/v2/users/x"},
                              std::pair{"POST", "/v2/users/search"}}) {
    HttpResponse r = Call(method, path, "{\"username\":\"x\",\"password\":\"p\"}");
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_THAT(r.body, HasSubstr("OIDC")) << path;
  }
  // Usernames as members need no stored user in OIDC mode.
  ASSERT_EQ(Call("POST", "/v2/groups", "{\"groupId\":\"ops\",\"name\":\"Ops\"}").status, 201);
  EXPECT_EQ(Call("PUT", "/v2/groups/ops/users/alice").status, 204);
  EXPECT_EQ(Call("GET", "/v2/groups/ops", "", "Bearer not-a-token").status, 401);
}

}  // namespace
}  // namespace clearance::server
