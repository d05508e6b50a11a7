// The queries beside the check (docs/semantics.md §6, §7, §10): authorized resource ids, authorized
// tenants, permissions on one resource.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clearance/commands.h"
#include "commands/command_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reference/reference_evaluator.h"
#include "reference/reference_test_util.h"

namespace clearance {
namespace {

using test_util::AddMemberOk;
using test_util::Grant;
using test_util::MakeGroup;
using test_util::MakeRole;
using test_util::MakeRule;
using test_util::MakeTenant;
using test_util::MustExecute;
using test_util::NewState;
using test_util::Spec;
using ::testing::ElementsAre;

constexpr PermissionMask kReadPd = Bit(Permission::kReadProcessDefinition);
constexpr PermissionMask kCreatePi = Bit(Permission::kCreateProcessInstance);
constexpr PermissionMask kDeletePi = Bit(Permission::kDeleteProcessInstance);
const Caller kAlice = Caller::Claims(R"({"sub":"alice","scope":"ops"})");
const Caller kNobody = Caller::Claims(R"({"iss":"x"})");

ResourceIds Ids(std::vector<std::string> ids) { return ResourceIds{false, std::move(ids)}; }
const ResourceIds kAll{true, {}};

class QueriesTest : public ::testing::Test {
 protected:
  QueriesTest() : state_(NewState()) {
    MustExecute(state_, CreateGroup{MakeGroup("g1")});
    MustExecute(state_, CreateMappingRule{MakeRule("m1", "scope", "ops")});
    AddMemberOk(state_, ContainerType::kGroup, "g1", MemberType::kUser, "alice");
    const auto pd = [](OwnerType t, std::string o, std::string id, PermissionMask p) {
      return Spec(t, std::move(o), ResourceType::kProcessDefinition, std::move(id), p);
    };
    Grant(state_, pd(OwnerType::kUser, "alice", "p2", kReadPd));
    Grant(state_, pd(OwnerType::kUser, "alice", "p1", kReadPd | kCreatePi));
    Grant(state_, pd(OwnerType::kGroup, "g1", "p3", kReadPd));
    Grant(state_, pd(OwnerType::kMappingRule, "m1", "p1", kReadPd));
    Grant(state_, pd(OwnerType::kMappingRule, "m1", "p4", kReadPd));
    Grant(state_, pd(OwnerType::kUser, "bob", "p9", kReadPd));
  }
  IdentityState state_;
};

TEST_F(QueriesTest, AuthorizedResourceIdsAreSortedAndUnique) {
  absl::StatusOr<ResourceIds> ids = reference::AuthorizedResourceIds(
      state_, kAlice, ResourceType::kProcessDefinition, Permission::kReadProcessDefinition);
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(*ids, Ids({"p1", "p2", "p3", "p4"}));

  absl::StatusOr<ResourceIds> create = reference::AuthorizedResourceIds(
      state_, kAlice, ResourceType::kProcessDefinition, Permission::kCreateProcessInstance);
  ASSERT_TRUE(create.ok());
  EXPECT_EQ(*create, Ids({"p1"}));

  absl::StatusOr<ResourceIds> none =
      reference::AuthorizedResourceIds(state_, kAlice, ResourceType::kDocument, Permission::kRead);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, Ids({}));
}

TEST_F(QueriesTest, AnyScopeMeansAll) {
  Grant(state_, Spec(OwnerType::kGroup, "g1", ResourceType::kProcessDefinition, "*", kReadPd));
  absl::StatusOr<ResourceIds> ids = reference::AuthorizedResourceIds(
      state_, kAlice, ResourceType::kProcessDefinition, Permission::kReadProcessDefinition);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, kAll);
}

TEST_F(QueriesTest, PropertyScopesGrantNoResourceIds) {
  Grant(state_,
        test_util::PropertySpec(OwnerType::kUser, "alice", "assignee", Bit(Permission::kRead)));
  absl::StatusOr<ResourceIds> ids =
      reference::AuthorizedResourceIds(state_, kAlice, ResourceType::kUserTask, Permission::kRead);
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(*ids, Ids({}));
  absl::StatusOr<PermissionMask> on =
      reference::PermissionsOn(state_, kAlice, ResourceType::kUserTask, "assignee");
  ASSERT_TRUE(on.ok());
  EXPECT_EQ(*on, PermissionMask{0});
}

TEST_F(QueriesTest, AuthorizationsDisabledMeansAllAndEverySupportedPermission) {
  Configuration config;
  config.authorizations_enabled = false;
  MustExecute(state_, Configure{config});
  absl::StatusOr<ResourceIds> ids =
      reference::AuthorizedResourceIds(state_, kAlice, ResourceType::kDocument, Permission::kRead);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, kAll);
  absl::StatusOr<PermissionMask> on =
      reference::PermissionsOn(state_, kAlice, ResourceType::kProcessDefinition, "p7");
  ASSERT_TRUE(on.ok());
  EXPECT_EQ(*on, SupportedPermissions(ResourceType::kProcessDefinition));
}

TEST_F(QueriesTest, PermissionsOnUnitesWildcardAndId) {
  Grant(state_, Spec(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "*", kDeletePi));
  absl::StatusOr<PermissionMask> p1 =
      reference::PermissionsOn(state_, kAlice, ResourceType::kProcessDefinition, "p1");
  ASSERT_TRUE(p1.ok()) << p1.status();
  EXPECT_EQ(*p1, kReadPd | kCreatePi | kDeletePi);
  absl::StatusOr<PermissionMask> p9 =
      reference::PermissionsOn(state_, kAlice, ResourceType::kProcessDefinition, "p9");
  ASSERT_TRUE(p9.ok());
  EXPECT_EQ(*p9, kDeletePi);
  absl::StatusOr<PermissionMask> doc =
      reference::PermissionsOn(state_, kAlice, ResourceType::kDocument, "p1");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(*doc, PermissionMask{0});
}

TEST_F(QueriesTest, UnauthenticatedCallersGetNoAnswer) {
  EXPECT_EQ(
      reference::AuthorizedResourceIds(state_, kNobody, ResourceType::kDocument, Permission::kRead)
          .status()
          .code(),
      absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(reference::AuthorizedTenants(state_, kNobody).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(reference::PermissionsOn(state_, kNobody, ResourceType::kDocument, "d").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(QueriesTest, AuthorizedTenantsAreDefaultWhenTenantChecksAreOff) {
  absl::StatusOr<std::vector<std::string>> tenants = reference::AuthorizedTenants(state_, kAlice);
  ASSERT_TRUE(tenants.ok()) << tenants.status();
  EXPECT_THAT(*tenants, ElementsAre("<default>"));
}

TEST_F(QueriesTest, AuthorizedTenantsComeFromPrincipalAndRules) {
  Configuration config;
  config.tenant_checks_enabled = true;
  config.client_id_claim = "azp";
  MustExecute(state_, Configure{config});
  MustExecute(state_, CreateRole{MakeRole("r1")});
  for (const char* t : {"t1", "t2", "t3", "t4", "t5"}) {
    MustExecute(state_, CreateTenant{MakeTenant(t)});
  }
  AddMemberOk(state_, ContainerType::kRole, "r1", MemberType::kGroup, "g1");
  AddMemberOk(state_, ContainerType::kTenant, "t4", MemberType::kUser, "alice");
  AddMemberOk(state_, ContainerType::kTenant, "t2", MemberType::kGroup, "g1");
  AddMemberOk(state_, ContainerType::kTenant, "t3", MemberType::kRole, "r1");
  AddMemberOk(state_, ContainerType::kTenant, "t1", MemberType::kMappingRule, "m1");
  AddMemberOk(state_, ContainerType::kTenant, "t5", MemberType::kUser, "bob");
  absl::StatusOr<std::vector<std::string>> tenants = reference::AuthorizedTenants(state_, kAlice);
  ASSERT_TRUE(tenants.ok()) << tenants.status();
  EXPECT_THAT(*tenants, ElementsAre("t1", "t2", "t3", "t4"));

  // A rule's tenants come through its groups and roles as well.
  MustExecute(state_, CreateTenant{MakeTenant("t6")});
  MustExecute(state_, CreateGroup{MakeGroup("rule-group")});
  AddMemberOk(state_, ContainerType::kGroup, "rule-group", MemberType::kMappingRule, "m1");
  AddMemberOk(state_, ContainerType::kTenant, "t6", MemberType::kGroup, "rule-group");
  tenants = reference::AuthorizedTenants(state_, kAlice);
  ASSERT_TRUE(tenants.ok());
  EXPECT_THAT(*tenants, ElementsAre("t1", "t2", "t3", "t4", "t6"));

  // A client principal: alice's username in the same token does not contribute.
  absl::StatusOr<std::vector<std::string>> client =
      reference::AuthorizedTenants(state_, Caller::Claims(R"({"sub":"alice","azp":"svc"})"));
  ASSERT_TRUE(client.ok());
  EXPECT_TRUE(client->empty());
}

TEST(QueriesGroupsClaimTest, TenantsOfTokenGroups) {
  Configuration config;
  config.tenant_checks_enabled = true;
  config.groups_claim = "groups";
  IdentityState state = NewState(config);
  MustExecute(state, CreateTenant{MakeTenant("t1")});
  MustExecute(state, CreateTenant{MakeTenant("t2")});
  AddMemberOk(state, ContainerType::kTenant, "t1", MemberType::kGroup, "devs");
  AddMemberOk(state, ContainerType::kTenant, "t2", MemberType::kGroup, "ops");
  // Tenants of the roles of a token group count too.
  MustExecute(state, CreateTenant{MakeTenant("t3")});
  MustExecute(state, CreateRole{MakeRole("r1")});
  AddMemberOk(state, ContainerType::kRole, "r1", MemberType::kGroup, "devs");
  AddMemberOk(state, ContainerType::kTenant, "t3", MemberType::kRole, "r1");
  // A stored group membership of the user does not count: groups come from the token.
  MustExecute(state, CreateGroup{MakeGroup("ops")});
  AddMemberOk(state, ContainerType::kGroup, "ops", MemberType::kUser, "alice");
  absl::StatusOr<std::vector<std::string>> tenants =
      reference::AuthorizedTenants(state, Caller::Claims(R"({"sub":"alice","groups":["devs"]})"));
  ASSERT_TRUE(tenants.ok()) << tenants.status();
  EXPECT_THAT(*tenants, ElementsAre("t1", "t3"));
}

}  // namespace
}  // namespace clearance
