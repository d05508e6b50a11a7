// The seed's two recipes (docs/semantics.md §9), end to end: commands through Execute, decisions
// through the reference evaluator.
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
using test_util::BasicConfig;
using test_util::CheckClaims;
using test_util::Grant;
using test_util::kAllowed;
using test_util::kInsufficient;
using test_util::MakeGroup;
using test_util::MakeRole;
using test_util::MakeRule;
using test_util::MakeUser;
using test_util::MustExecute;
using test_util::NewState;
using test_util::Request;
using test_util::Spec;
using ::testing::ElementsAre;

Configuration SaasConfig() {
  Configuration config;
  config.client_id_claim = "client_id";
  return config;
}

CheckRequest Pd(Permission permission, std::string id) {
  return Request(ResourceType::kProcessDefinition, permission, {std::move(id)});
}

TEST(SaasClientRecipeTest, ClientWithoutAuthorizationIsDenied) {
  IdentityState state = NewState(SaasConfig());
  reference::Verdict verdict =
      CheckClaims(state, R"({"sub":"svc-account","client_id":"orders-worker"})",
                  Pd(Permission::kCreateProcessInstance, "order"));
  EXPECT_EQ(verdict.principal, test_util::ClientRef("orders-worker"));
  EXPECT_EQ(verdict.decision, kInsufficient);
}

TEST(SaasClientRecipeTest, ClientAuthorizationGrantsExactlyWhatItNames) {
  IdentityState state = NewState(SaasConfig());
  Grant(state,
        Spec(OwnerType::kClient, "orders-worker", ResourceType::kProcessDefinition, "order",
             Bit(Permission::kCreateProcessInstance) | Bit(Permission::kReadProcessDefinition)));
  const char* token = R"({"sub":"svc-account","client_id":"orders-worker"})";
  EXPECT_EQ(CheckClaims(state, token, Pd(Permission::kCreateProcessInstance, "order")).decision,
            kAllowed);
  EXPECT_EQ(CheckClaims(state, token, Pd(Permission::kReadProcessDefinition, "order")).decision,
            kAllowed);
  EXPECT_EQ(CheckClaims(state, token, Pd(Permission::kCreateProcessInstance, "invoice")).decision,
            kInsufficient);
  EXPECT_EQ(CheckClaims(state, token, Pd(Permission::kDeleteProcessInstance, "order")).decision,
            kInsufficient);
  EXPECT_EQ(
      CheckClaims(state, token,
                  Request(ResourceType::kProcessDefinition, Permission::kCreateProcessInstance, {}))
          .decision,
      kInsufficient);
  EXPECT_EQ(CheckClaims(state, token, Request(ResourceType::kMessage, Permission::kCreate, {"x"}))
                .decision,
            kInsufficient);
  EXPECT_EQ(CheckClaims(state, R"({"client_id":"billing-worker"})",
                        Pd(Permission::kCreateProcessInstance, "order"))
                .decision,
            kInsufficient);
}

TEST(SaasClientRecipeTest, AuthorizationsDisabledLetsAValidTokenThrough) {
  Configuration config = SaasConfig();
  config.authorizations_enabled = false;
  IdentityState state = NewState(config);
  EXPECT_TRUE(CheckClaims(state, R"({"client_id":"anyone"})",
                          Pd(Permission::kDeleteProcessInstance, "order"))
                  .decision.allowed());
  EXPECT_EQ(CheckClaims(state, R"({"aud":"no-principal"})",
                        Pd(Permission::kDeleteProcessInstance, "order"))
                .decision.outcome,
            Outcome::kUnauthenticated);
}

TEST(MappingRuleRecipeTest, RuleOnAScopeClaimGrantsEveryCarryingClient) {
  IdentityState state = NewState(SaasConfig());
  MustExecute(state, CreateMappingRule{MakeRule("readers", "scp", "processes.read")});
  Grant(state, Spec(OwnerType::kMappingRule, "readers", ResourceType::kProcessDefinition, "*",
                    Bit(Permission::kReadProcessDefinition)));
  for (const char* client : {"c1", "c2", "brand-new-client"}) {
    const std::string token =
        std::string(R"({"client_id":")") + client + R"(","scp":["openid","processes.read"]})";
    reference::Verdict verdict =
        CheckClaims(state, token, Pd(Permission::kReadProcessDefinition, "order"));
    EXPECT_EQ(verdict.decision, kAllowed) << client;
    EXPECT_THAT(verdict.matching_rules, ElementsAre("readers"));
  }
  EXPECT_EQ(CheckClaims(state, R"({"client_id":"c1","scp":["processes.write"]})",
                        Pd(Permission::kReadProcessDefinition, "order"))
                .decision,
            kInsufficient);
  EXPECT_EQ(CheckClaims(state, R"({"client_id":"c1","scp":["openid","processes.read"]})",
                        Pd(Permission::kUpdateProcessInstance, "order"))
                .decision,
            kInsufficient);
}

TEST(MappingRuleRecipeTest, RuleInAGroupInARoleGrantsEveryCarryingClient) {
  IdentityState state = NewState(SaasConfig());
  MustExecute(state, CreateMappingRule{MakeRule("ops", "$.realm_access.roles", "operator")});
  MustExecute(state, CreateGroup{MakeGroup("ops-group")});
  MustExecute(state, CreateRole{MakeRole("operators")});
  AddMemberOk(state, ContainerType::kGroup, "ops-group", MemberType::kMappingRule, "ops");
  AddMemberOk(state, ContainerType::kRole, "operators", MemberType::kGroup, "ops-group");
  AuthorizationKey key =
      Grant(state, Spec(OwnerType::kRole, "operators", ResourceType::kProcessDefinition, "*",
                        Bit(Permission::kUpdateProcessInstance)));
  for (const char* client : {"c1", "c2"}) {
    const std::string token = std::string(R"({"client_id":")") + client +
                              R"(","realm_access":{"roles":["viewer","operator"]}})";
    reference::Verdict verdict =
        CheckClaims(state, token, Pd(Permission::kUpdateProcessInstance, "order"));
    EXPECT_EQ(verdict.decision, kAllowed) << client;
    EXPECT_THAT(verdict.grants, ElementsAre(GrantPath{{OwnerRef{OwnerType::kMappingRule, "ops"},
                                                       OwnerRef{OwnerType::kGroup, "ops-group"},
                                                       OwnerRef{OwnerType::kRole, "operators"}},
                                                      key}));
  }
  EXPECT_EQ(CheckClaims(state, R"({"client_id":"c1","realm_access":{"roles":["viewer"]}})",
                        Pd(Permission::kUpdateProcessInstance, "order"))
                .decision,
            kInsufficient);
  // The literal key "realm_access.roles" is not the nested path.
  EXPECT_EQ(CheckClaims(state, R"({"client_id":"c1","realm_access.roles":["operator"]})",
                        Pd(Permission::kUpdateProcessInstance, "order"))
                .decision,
            kInsufficient);
}

TEST(BasicModeRecipeTest, MachineCallerIsAUser) {
  Configuration config = BasicConfig();
  config.client_id_claim = "client_id";
  IdentityState state = NewState(config);
  MustExecute(state, CreateUser{MakeUser("orders-worker")});
  Grant(state, Spec(OwnerType::kUser, "orders-worker", ResourceType::kProcessDefinition, "order",
                    Bit(Permission::kCreateProcessInstance)));
  // A CLIENT grant has no effect in basic mode.
  Grant(state, Spec(OwnerType::kClient, "orders-worker", ResourceType::kProcessDefinition, "*",
                    Bit(Permission::kDeleteProcessInstance)));

  reference::Verdict verdict = reference::Check(state, Caller::BasicUser("orders-worker"),
                                                Pd(Permission::kCreateProcessInstance, "order"));
  EXPECT_EQ(verdict.principal, test_util::UserRef("orders-worker"));
  EXPECT_EQ(verdict.decision, kAllowed);
  EXPECT_EQ(reference::Check(state, Caller::BasicUser("orders-worker"),
                             Pd(Permission::kDeleteProcessInstance, "order"))
                .decision,
            kInsufficient);
  reference::Verdict claims =
      CheckClaims(state, R"({"sub":"orders-worker","client_id":"orders-worker"})",
                  Pd(Permission::kDeleteProcessInstance, "order"));
  EXPECT_EQ(claims.principal, test_util::UserRef("orders-worker"));
  EXPECT_EQ(claims.decision, kInsufficient);
  EXPECT_EQ(reference::Check(state, Caller::BasicUser("unknown-worker"),
                             Pd(Permission::kCreateProcessInstance, "order"))
                .decision.outcome,
            Outcome::kUnauthenticated);
}

}  // namespace
}  // namespace clearance
