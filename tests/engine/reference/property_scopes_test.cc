// USER_TASK property scopes (docs/semantics.md §3, §6 step 8).
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
using test_util::PropertySpec;
using test_util::Request;

constexpr const char* kAlice = R"({"sub":"alice"})";
constexpr const char* kClient = R"({"sub":"alice","azp":"svc"})";

CheckRequest Task(Permission permission, UserTaskProperties properties) {
  CheckRequest request = Request(ResourceType::kUserTask, permission, {"task-1"});
  request.user_task = std::move(properties);
  return request;
}

UserTaskProperties Assignee(std::string who) { return {std::move(who), {}, {}}; }
UserTaskProperties CandidateUsers(std::vector<std::string> users) {
  return {std::nullopt, std::move(users), {}};
}
UserTaskProperties CandidateGroups(std::vector<std::string> groups) {
  return {std::nullopt, {}, std::move(groups)};
}

// Role "task-users" (alice and client svc) holds READ on assignee, CLAIM on candidateUsers,
// COMPLETE on candidateGroups.
class PropertyScopeTest : public ::testing::Test {
 protected:
  PropertyScopeTest() {
    Configuration config;
    config.client_id_claim = "azp";
    state_ = NewState(config);
    MustExecute(state_, CreateRole{MakeRole("task-users")});
    AddMemberOk(state_, ContainerType::kRole, "task-users", MemberType::kUser, "alice");
    AddMemberOk(state_, ContainerType::kRole, "task-users", MemberType::kClient, "svc");
    Grant(state_, PropertySpec(OwnerType::kRole, "task-users", "assignee", Bit(Permission::kRead)));
    Grant(state_,
          PropertySpec(OwnerType::kRole, "task-users", "candidateUsers", Bit(Permission::kClaim)));
    Grant(state_, PropertySpec(OwnerType::kRole, "task-users", "candidateGroups",
                               Bit(Permission::kComplete)));
  }
  Decision Decide(const char* claims, const CheckRequest& request) {
    return CheckClaims(state_, claims, request).decision;
  }
  IdentityState state_;
};

TEST_F(PropertyScopeTest, AssigneeMatchesTheUser) {
  EXPECT_EQ(Decide(kAlice, Task(Permission::kRead, Assignee("alice"))), kAllowed);
  EXPECT_EQ(Decide(kAlice, Task(Permission::kRead, Assignee("bob"))), kInsufficient);
  EXPECT_EQ(Decide(kAlice, Task(Permission::kRead, {})), kInsufficient);
  EXPECT_EQ(Decide(kAlice, Request(ResourceType::kUserTask, Permission::kRead, {"task-1"})),
            kInsufficient);
  // The scope grants only its own permissions.
  EXPECT_EQ(Decide(kAlice, Task(Permission::kUpdate, Assignee("alice"))), kInsufficient);
  // A property grant is not an ID grant on a task named like the property.
  EXPECT_EQ(Decide(kAlice, Request(ResourceType::kUserTask, Permission::kRead, {"assignee"})),
            kInsufficient);
}

TEST_F(PropertyScopeTest, CandidateUsersMatchTheUser) {
  EXPECT_EQ(Decide(kAlice, Task(Permission::kClaim, CandidateUsers({"bob", "alice"}))), kAllowed);
  EXPECT_EQ(Decide(kAlice, Task(Permission::kClaim, CandidateUsers({"bob"}))), kInsufficient);
}

TEST_F(PropertyScopeTest, ClientsNeverMatchAssigneeOrCandidateUsers) {
  EXPECT_EQ(Decide(kClient, Task(Permission::kRead, Assignee("svc"))), kInsufficient);
  EXPECT_EQ(Decide(kClient, Task(Permission::kClaim, CandidateUsers({"svc"}))), kInsufficient);
  // Not even through the username claim it carries beside the client id.
  EXPECT_EQ(Decide(kClient, Task(Permission::kRead, Assignee("alice"))), kInsufficient);
}

TEST_F(PropertyScopeTest, CandidateGroupsMatchGroupsOfPrincipalAndRules) {
  MustExecute(state_, CreateGroup{MakeGroup("g1")});
  MustExecute(state_, CreateGroup{MakeGroup("g2")});
  MustExecute(state_, CreateGroup{MakeGroup("g3")});
  MustExecute(state_, CreateMappingRule{MakeRule("m1", "scope", "ops")});
  AddMemberOk(state_, ContainerType::kGroup, "g1", MemberType::kUser, "alice");
  AddMemberOk(state_, ContainerType::kGroup, "g2", MemberType::kMappingRule, "m1");
  AddMemberOk(state_, ContainerType::kGroup, "g3", MemberType::kClient, "svc");
  EXPECT_EQ(Decide(kAlice, Task(Permission::kComplete, CandidateGroups({"g0", "g1"}))), kAllowed);
  EXPECT_EQ(Decide(kAlice, Task(Permission::kComplete, CandidateGroups({"g2"}))), kInsufficient);
  EXPECT_EQ(Decide(R"({"sub":"alice","scope":"ops"})",
                   Task(Permission::kComplete, CandidateGroups({"g2"}))),
            kAllowed);
  // Clients do match candidate groups.
  EXPECT_EQ(Decide(kClient, Task(Permission::kComplete, CandidateGroups({"g3"}))), kAllowed);
}

TEST_F(PropertyScopeTest, CandidateGroupsFromTheGroupsClaim) {
  Configuration config = state_.config();
  config.groups_claim = "groups";
  MustExecute(state_, Configure{config});
  EXPECT_EQ(Decide(R"({"sub":"alice","groups":["night-shift"]})",
                   Task(Permission::kComplete, CandidateGroups({"night-shift"}))),
            kAllowed);
  EXPECT_EQ(Decide(R"({"sub":"alice","groups":["day-shift"]})",
                   Task(Permission::kComplete, CandidateGroups({"night-shift"}))),
            kInsufficient);
}

TEST_F(PropertyScopeTest, AnyScopeOnUserTasksNeedsNoProperties) {
  Grant(state_, test_util::Spec(OwnerType::kUser, "bob", ResourceType::kUserTask, "*",
                                Bit(Permission::kUpdate)));
  EXPECT_EQ(Decide(R"({"sub":"bob"})", Request(ResourceType::kUserTask, Permission::kUpdate, {})),
            kAllowed);
  EXPECT_EQ(Decide(R"({"sub":"bob"})", Task(Permission::kUpdate, Assignee("alice"))), kAllowed);
}

TEST_F(PropertyScopeTest, OnlyOwnersOfThePropertyGrantBenefit) {
  EXPECT_EQ(Decide(R"({"sub":"bob"})", Task(Permission::kRead, Assignee("bob"))), kInsufficient);
}

}  // namespace
}  // namespace clearance
