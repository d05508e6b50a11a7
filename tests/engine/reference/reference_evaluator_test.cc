// The decision of the reference evaluator (docs/semantics.md §3, §6, §7, §10): scopes, disabled
// checks, anonymous callers, FORBIDDEN answers and explanations.
#include <algorithm>
#include <string>
#include <vector>

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
using test_util::MustExecute;
using test_util::NewState;
using test_util::ReadProcesses;
using test_util::Request;
using test_util::Spec;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr PermissionMask kReadPd = Bit(Permission::kReadProcessDefinition);
constexpr const char* kAlice = R"({"sub":"alice"})";

CheckRequest ReadProcess(std::vector<std::string> ids) {
  return Request(ResourceType::kProcessDefinition, Permission::kReadProcessDefinition,
                 std::move(ids));
}

TEST(ReferenceCheckTest, NoAuthorizationIsForbidden) {
  IdentityState state = NewState();
  reference::Verdict verdict = CheckClaims(state, kAlice, ReadProcess({"invoice"}));
  EXPECT_EQ(verdict.decision, kInsufficient);
  EXPECT_THAT(verdict.grants, IsEmpty());
}

TEST(ReferenceCheckTest, IdScopePassesOnlyForANamedId) {
  IdentityState state = NewState();
  Grant(state, Spec(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "p1", kReadPd));
  EXPECT_EQ(CheckClaims(state, kAlice, ReadProcess({"p1"})).decision, kAllowed);
  EXPECT_EQ(CheckClaims(state, kAlice, ReadProcess({"p2", "p1"})).decision, kAllowed);
  EXPECT_EQ(CheckClaims(state, kAlice, ReadProcess({"p2"})).decision, kInsufficient);
  EXPECT_EQ(CheckClaims(state, kAlice, ReadProcess({"P1"})).decision, kInsufficient);
  // A check naming no ids passes only through ANY.
  EXPECT_EQ(CheckClaims(state, kAlice, ReadProcess({})).decision, kInsufficient);
  // Another permission or resource type is not granted.
  EXPECT_EQ(CheckClaims(state, kAlice,
                        Request(ResourceType::kProcessDefinition,
                                Permission::kCreateProcessInstance, {"p1"}))
                .decision,
            kInsufficient);
  EXPECT_EQ(CheckClaims(state, kAlice, Request(ResourceType::kDocument, Permission::kRead, {"p1"}))
                .decision,
            kInsufficient);
}

TEST(ReferenceCheckTest, OwnerTypeIsPartOfTheOwner) {
  IdentityState state = NewState();
  MustExecute(state, CreateGroup{MakeGroup("alice")});
  Grant(state, Spec(OwnerType::kClient, "alice", ResourceType::kProcessDefinition, "*", kReadPd));
  Grant(state, Spec(OwnerType::kGroup, "alice", ResourceType::kProcessDefinition, "*", kReadPd));
  EXPECT_EQ(CheckClaims(state, kAlice, ReadProcess({})).decision, kInsufficient);
}

TEST(ReferenceCheckTest, AnyScopePassesWithOrWithoutIds) {
  IdentityState state = NewState();
  Grant(state, Spec(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "*", kReadPd));
  EXPECT_EQ(CheckClaims(state, kAlice, ReadProcess({})).decision, kAllowed);
  EXPECT_EQ(CheckClaims(state, kAlice, ReadProcess({"anything"})).decision, kAllowed);
  EXPECT_EQ(CheckClaims(state, R"({"sub":"bob"})", ReadProcess({})).decision, kInsufficient);
}

TEST(ReferenceCheckTest, ForbiddenNamesOperationResourceAndSortedIds) {
  IdentityState state = NewState();
  reference::Verdict verdict = CheckClaims(state, kAlice, ReadProcess({"b", "a", "b", "c"}));
  EXPECT_EQ(verdict.decision, kInsufficient);
  EXPECT_THAT(verdict.required_ids, ElementsAre("a", "b", "c"));
  std::string lower = verdict.message;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  EXPECT_THAT(lower, HasSubstr("insufficient permissions to perform operation"));
  EXPECT_THAT(verdict.message, HasSubstr("READ_PROCESS_DEFINITION"));
  EXPECT_THAT(verdict.message, HasSubstr("PROCESS_DEFINITION"));
}

TEST(ReferenceCheckTest, AuthorizationsDisabledLetsAValidPrincipalThrough) {
  Configuration config;
  config.authorizations_enabled = false;
  IdentityState state = NewState(config);
  reference::Verdict verdict = CheckClaims(state, kAlice, ReadProcess({"p1"}));
  EXPECT_EQ(verdict.decision, (Decision{Outcome::kAllow, Reason::kChecksDisabled}));
  EXPECT_THAT(verdict.grants, IsEmpty());
  // Authentication still comes first.
  EXPECT_EQ(CheckClaims(state, R"({"iss":"x"})").decision.outcome, Outcome::kUnauthenticated);
  EXPECT_EQ(CheckClaims(state, R"({"sub":5})").decision.outcome, Outcome::kUnauthenticated);
}

TEST(ReferenceCheckTest, AuthorizationsDisabledWithTenantChecksOn) {
  Configuration config;
  config.authorizations_enabled = false;
  config.tenant_checks_enabled = true;
  IdentityState state = NewState(config);
  MustExecute(state, CreateTenant{test_util::MakeTenant("t1")});
  AddMemberOk(state, ContainerType::kTenant, "t1", MemberType::kUser, "alice");
  EXPECT_EQ(
      CheckClaims(state, kAlice, Request(ResourceType::kDocument, Permission::kDelete, {}, "t1"))
          .decision,
      (Decision{Outcome::kAllow, Reason::kAuthorizationsDisabled}));
  EXPECT_EQ(CheckClaims(state, R"({"sub":"bob"})",
                        Request(ResourceType::kDocument, Permission::kDelete, {}, "t1"))
                .decision,
            (Decision{Outcome::kNotFound, Reason::kTenantNotAuthorized}));
}

TEST(ReferenceCheckTest, AnonymousCallerIsAllowed) {
  IdentityState state = NewState();
  reference::Verdict verdict = reference::Check(state, Caller::Anonymous(), ReadProcess({"p"}));
  EXPECT_EQ(verdict.decision, (Decision{Outcome::kAllow, Reason::kAnonymous}));
  EXPECT_FALSE(verdict.principal.has_value());

  Configuration off;
  off.authorizations_enabled = false;
  IdentityState disabled = NewState(off);
  // Step 1 comes before step 2.
  EXPECT_EQ(reference::Check(disabled, Caller::Anonymous(), ReadProcess({})).decision,
            (Decision{Outcome::kAllow, Reason::kChecksDisabled}));
}

TEST(ReferenceCheckTest, MappingRuleGrantsAlone) {
  IdentityState state = NewState();
  MustExecute(state, CreateMappingRule{MakeRule("m1", "scope", "ops")});
  Grant(state, Spec(OwnerType::kMappingRule, "m1", ResourceType::kProcessDefinition, "*", kReadPd));
  EXPECT_EQ(CheckClaims(state, R"({"sub":"alice","scope":"ops"})").decision, kAllowed);
  EXPECT_EQ(CheckClaims(state, R"({"sub":"alice","scope":"dev"})").decision, kInsufficient);
}

// alice -> g1 -> r1, which owns k_role; alice owns k_own; rule m1 -> r1.
class ExplainTest : public ::testing::Test {
 protected:
  ExplainTest() : state_(NewState()) {
    MustExecute(state_, CreateGroup{MakeGroup("g1")});
    MustExecute(state_, CreateRole{MakeRole("r1")});
    MustExecute(state_, CreateMappingRule{MakeRule("m1", "scope", "ops")});
    AddMemberOk(state_, ContainerType::kGroup, "g1", MemberType::kUser, "alice");
    AddMemberOk(state_, ContainerType::kRole, "r1", MemberType::kGroup, "g1");
    AddMemberOk(state_, ContainerType::kRole, "r1", MemberType::kMappingRule, "m1");
    k_role_ =
        Grant(state_, Spec(OwnerType::kRole, "r1", ResourceType::kProcessDefinition, "*", kReadPd));
    k_own_ = Grant(
        state_, Spec(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "p1", kReadPd));
    // Not the checked permission: never part of the explanation.
    Grant(state_, Spec(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "*",
                       Bit(Permission::kCreateProcessInstance)));
  }
  IdentityState state_;
  AuthorizationKey k_role_ = 0;
  AuthorizationKey k_own_ = 0;
};

OwnerRef O(OwnerType type, std::string id) { return OwnerRef{type, std::move(id)}; }

TEST_F(ExplainTest, ListsEveryPathFromEveryRoot) {
  reference::Verdict verdict =
      CheckClaims(state_, R"({"sub":"alice","scope":"ops"})", ReadProcess({"p1"}));
  EXPECT_EQ(verdict.decision, kAllowed);
  const OwnerRef alice = O(OwnerType::kUser, "alice");
  const OwnerRef g1 = O(OwnerType::kGroup, "g1");
  const OwnerRef r1 = O(OwnerType::kRole, "r1");
  const OwnerRef m1 = O(OwnerType::kMappingRule, "m1");
  EXPECT_THAT(verdict.grants,
              UnorderedElementsAre(GrantPath{{alice, g1, r1}, k_role_}, GrantPath{{alice}, k_own_},
                                   GrantPath{{m1, r1}, k_role_}));
  EXPECT_TRUE(std::is_sorted(verdict.grants.begin(), verdict.grants.end()));
}

TEST_F(ExplainTest, OnlyScopesThatPassAreExplained) {
  reference::Verdict verdict = CheckClaims(state_, kAlice, ReadProcess({"p2"}));
  EXPECT_EQ(verdict.decision, kAllowed);
  EXPECT_THAT(verdict.grants,
              ElementsAre(GrantPath{{O(OwnerType::kUser, "alice"), O(OwnerType::kGroup, "g1"),
                                     O(OwnerType::kRole, "r1")},
                                    k_role_}));
}

TEST_F(ExplainTest, DirectRoleMembershipIsItsOwnPath) {
  AddMemberOk(state_, ContainerType::kRole, "r1", MemberType::kUser, "alice");
  reference::Verdict verdict = CheckClaims(state_, kAlice, ReadProcess({}));
  EXPECT_THAT(verdict.grants,
              UnorderedElementsAre(
                  GrantPath{{O(OwnerType::kUser, "alice"), O(OwnerType::kGroup, "g1"),
                             O(OwnerType::kRole, "r1")},
                            k_role_},
                  GrantPath{{O(OwnerType::kUser, "alice"), O(OwnerType::kRole, "r1")}, k_role_}));
}

TEST(ExplainGroupsClaimTest, TokenGroupIsALinkOfTheChain) {
  Configuration config;
  config.groups_claim = "groups";
  IdentityState state = NewState(config);
  MustExecute(state, CreateRole{MakeRole("r1")});
  AddMemberOk(state, ContainerType::kRole, "r1", MemberType::kGroup, "devs");
  AuthorizationKey key =
      Grant(state, Spec(OwnerType::kRole, "r1", ResourceType::kProcessDefinition, "*", kReadPd));
  reference::Verdict verdict = CheckClaims(state, R"({"sub":"alice","groups":["devs"]})");
  EXPECT_EQ(verdict.decision, kAllowed);
  EXPECT_THAT(verdict.grants, ElementsAre(GrantPath{{OwnerRef{OwnerType::kUser, "alice"},
                                                     OwnerRef{OwnerType::kGroup, "devs"},
                                                     OwnerRef{OwnerType::kRole, "r1"}},
                                                    key}));
}

TEST(ExplainGroupsClaimTest, RepeatedTokenGroupIsOnePath) {
  // groups(E) and owners(E) are sets (docs/semantics.md §4): a group named twice in the token is
  // one path.
  Configuration config;
  config.groups_claim = "groups";
  IdentityState state = NewState(config);
  AuthorizationKey key =
      Grant(state, Spec(OwnerType::kGroup, "devs", ResourceType::kProcessDefinition, "*", kReadPd));
  reference::Verdict verdict = CheckClaims(state, R"({"sub":"alice","groups":["devs","devs"]})");
  EXPECT_EQ(verdict.decision, kAllowed);
  EXPECT_THAT(
      verdict.grants,
      ElementsAre(GrantPath{
          {OwnerRef{OwnerType::kUser, "alice"}, OwnerRef{OwnerType::kGroup, "devs"}}, key}));
}

}  // namespace
}  // namespace clearance
