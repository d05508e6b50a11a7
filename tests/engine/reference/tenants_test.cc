// The tenant side of the decision (docs/semantics.md §6 steps 5-7, §7) and its categorisation.
#include <string>

#include "clearance/commands.h"
#include "commands/command_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reference/reference_evaluator.h"
#include "reference/reference_test_util.h"

namespace clearance {
namespace {

using test_util::AddMemberOk;
using test_util::CheckClaims;
using test_util::Grant;
using test_util::kAllowed;
using test_util::kInsufficient;
using test_util::MakeGroup;
using test_util::MakeRole;
using test_util::MakeRule;
using test_util::MakeTenant;
using test_util::MustExecute;
using test_util::NewState;
using test_util::Request;
using test_util::Spec;

constexpr PermissionMask kReadPd = Bit(Permission::kReadProcessDefinition);
constexpr Decision kHidden{Outcome::kNotFound, Reason::kTenantNotAuthorized};
constexpr Decision kWrongTenant{Outcome::kForbidden, Reason::kTenantNotAuthorized};

CheckRequest InTenant(std::optional<std::string> tenant, bool new_resource = false) {
  return Request(ResourceType::kProcessDefinition, Permission::kReadProcessDefinition, {"p1"},
                 std::move(tenant), new_resource);
}

// alice holds the permission and is in t1; t2 exists but is not hers.
class TenantCheckTest : public ::testing::Test {
 protected:
  TenantCheckTest() : state_(NewState(Config())) {
    MustExecute(state_, CreateTenant{MakeTenant("t1")});
    MustExecute(state_, CreateTenant{MakeTenant("t2")});
    AddMemberOk(state_, ContainerType::kTenant, "t1", MemberType::kUser, "alice");
    Grant(state_, Spec(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "*", kReadPd));
  }
  static Configuration Config() {
    Configuration config;
    config.tenant_checks_enabled = true;
    return config;
  }
  reference::Verdict Alice(const CheckRequest& request, const char* extra = "") {
    return CheckClaims(state_, std::string(R"({"sub":"alice")") + extra + "}", request);
  }
  IdentityState state_;
};

TEST_F(TenantCheckTest, OwnTenantOrNoTenantPasses) {
  EXPECT_EQ(Alice(InTenant("t1")).decision, kAllowed);
  EXPECT_EQ(Alice(InTenant(std::nullopt)).decision, kAllowed);
  EXPECT_EQ(Alice(InTenant("")).decision, kAllowed);
}

TEST_F(TenantCheckTest, ForeignTenantIsNotFoundForExistingAndForbiddenForNew) {
  EXPECT_EQ(Alice(InTenant("t2")).decision, kHidden);
  EXPECT_EQ(Alice(InTenant("t2", /*new_resource=*/true)).decision, kWrongTenant);
  EXPECT_EQ(Alice(InTenant("no-such-tenant")).decision, kHidden);
}

TEST_F(TenantCheckTest, MissingPermissionIsForbiddenWhateverTheTenant) {
  for (const char* tenant : {"t1", "t2"}) {
    EXPECT_EQ(CheckClaims(state_, R"({"sub":"alice"})",
                          Request(ResourceType::kDocument, Permission::kRead, {"d"}, tenant))
                  .decision,
              kInsufficient)
        << tenant;
  }
  EXPECT_EQ(CheckClaims(state_, R"({"sub":"bob"})", InTenant("t2")).decision, kInsufficient);
}

TEST_F(TenantCheckTest, RuleGrantDoesNotChangeTheCategoryWhenThePrincipalLacksIt) {
  MustExecute(state_, CreateMappingRule{MakeRule("m1", "scope", "ops")});
  Grant(state_,
        Spec(OwnerType::kMappingRule, "m1", ResourceType::kDocument, "*", Bit(Permission::kRead)));
  const char* claims = R"({"sub":"bob","scope":"ops"})";
  // rP fails, rM holds: with a foreign tenant this is FORBIDDEN, not NOT_FOUND.
  EXPECT_EQ(
      CheckClaims(state_, claims, Request(ResourceType::kDocument, Permission::kRead, {"d"}, "t2"))
          .decision,
      kInsufficient);
  // rM alone suffices when the tenant side passes.
  EXPECT_EQ(CheckClaims(state_, claims, Request(ResourceType::kDocument, Permission::kRead, {"d"}))
                .decision,
            kAllowed);
  AddMemberOk(state_, ContainerType::kTenant, "t2", MemberType::kMappingRule, "m1");
  EXPECT_EQ(
      CheckClaims(state_, claims, Request(ResourceType::kDocument, Permission::kRead, {"d"}, "t2"))
          .decision,
      kAllowed);
}

TEST_F(TenantCheckTest, TenantsComeThroughGroupsRolesAndRules) {
  MustExecute(state_, CreateGroup{MakeGroup("g1")});
  MustExecute(state_, CreateRole{MakeRole("r1")});
  MustExecute(state_, CreateRole{MakeRole("r2")});
  MustExecute(state_, CreateMappingRule{MakeRule("m1", "scope", "ops")});
  for (const char* t : {"t3", "t4", "t5", "t6"}) MustExecute(state_, CreateTenant{MakeTenant(t)});
  AddMemberOk(state_, ContainerType::kGroup, "g1", MemberType::kUser, "alice");
  AddMemberOk(state_, ContainerType::kTenant, "t3", MemberType::kGroup, "g1");
  AddMemberOk(state_, ContainerType::kRole, "r1", MemberType::kGroup, "g1");  // role via group
  AddMemberOk(state_, ContainerType::kTenant, "t4", MemberType::kRole, "r1");
  AddMemberOk(state_, ContainerType::kTenant, "t5", MemberType::kMappingRule, "m1");
  AddMemberOk(state_, ContainerType::kRole, "r2", MemberType::kUser, "alice");
  AddMemberOk(state_, ContainerType::kTenant, "t6", MemberType::kRole, "r2");
  EXPECT_EQ(Alice(InTenant("t3")).decision, kAllowed);
  EXPECT_EQ(Alice(InTenant("t4")).decision, kAllowed);
  EXPECT_EQ(Alice(InTenant("t6")).decision, kAllowed);
  EXPECT_EQ(Alice(InTenant("t5")).decision, kHidden);
  EXPECT_EQ(Alice(InTenant("t5"), R"(,"scope":"ops")").decision, kAllowed);
}

TEST_F(TenantCheckTest, ClientPrincipalDoesNotInheritTheUsersTenants) {
  Configuration config = Config();
  config.client_id_claim = "azp";
  MustExecute(state_, Configure{config});
  Grant(state_, Spec(OwnerType::kClient, "svc", ResourceType::kProcessDefinition, "*", kReadPd));
  EXPECT_EQ(CheckClaims(state_, R"({"sub":"alice","azp":"svc"})", InTenant("t1")).decision,
            kHidden);
  AddMemberOk(state_, ContainerType::kTenant, "t1", MemberType::kClient, "svc");
  EXPECT_EQ(CheckClaims(state_, R"({"sub":"alice","azp":"svc"})", InTenant("t1")).decision,
            kAllowed);
}

TEST(TenantChecksOffTest, TenantSideAlwaysPasses) {
  IdentityState state = NewState();
  Grant(state, Spec(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "*", kReadPd));
  EXPECT_EQ(CheckClaims(state, R"({"sub":"alice"})", InTenant("anything")).decision, kAllowed);
  EXPECT_EQ(CheckClaims(state, R"({"sub":"alice"})", InTenant("anything", true)).decision,
            kAllowed);
}

}  // namespace
}  // namespace clearance
