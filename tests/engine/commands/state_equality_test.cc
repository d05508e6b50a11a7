// IdentityState::operator== is what every "a refused command changes nothing" assertion relies
// on; these tests make sure it sees every kind of change.
#include "clearance/commands.h"
#include "clearance/state.h"
#include "commands/command_test_util.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

using test_util::Grant;
using test_util::MakeGroup;
using test_util::MakeRule;
using test_util::MustExecute;
using test_util::NewState;
using test_util::Spec;

TEST(StateEqualityTest, IndependentlyBuiltStatesAreEqual) {
  EXPECT_TRUE(NewState() == NewState());
  EXPECT_FALSE(NewState() == IdentityState());
}

TEST(StateEqualityTest, SeesEveryKindOfChange) {
  IdentityState state = NewState();
  const auto expect_changed = [&](const Command& command) {
    const IdentityState before = state;
    MustExecute(state, command);
    EXPECT_FALSE(state == before) << CommandName(command) << " went unnoticed";
  };
  expect_changed(CreateGroup{MakeGroup("g1")});
  expect_changed(UpdateGroup{MakeGroup("g1", "Renamed")});
  expect_changed(CreateMappingRule{MakeRule("m1", "scope", "x")});
  expect_changed(UpdateMappingRule{MakeRule("m1", "scope", "y")});
  expect_changed(AddMember{{ContainerType::kGroup, "g1", MemberType::kUser, "alice"}});
  expect_changed(CreateAuthorization{
      Spec(OwnerType::kUser, "alice", ResourceType::kDocument, "*", Bit(Permission::kRead))});
  Configuration config;
  config.tenant_checks_enabled = true;
  expect_changed(Configure{config});
  expect_changed(RemoveMember{{ContainerType::kGroup, "g1", MemberType::kUser, "alice"}});
}

TEST(StateEqualityTest, SeesTheKeyCounter) {
  IdentityState a = NewState();
  IdentityState b = NewState();
  AuthorizationKey key = Grant(
      a, Spec(OwnerType::kUser, "alice", ResourceType::kDocument, "*", Bit(Permission::kRead)));
  MustExecute(a, DeleteAuthorization{key});
  // Same rows, but a's counter has moved past `key`.
  EXPECT_FALSE(a == b);
}

TEST(StateEqualityTest, SeesAuthorizationContent) {
  IdentityState a = NewState();
  IdentityState b = NewState();
  Grant(a, Spec(OwnerType::kUser, "alice", ResourceType::kDocument, "*", Bit(Permission::kRead)));
  Grant(b, Spec(OwnerType::kUser, "alice", ResourceType::kDocument, "*", Bit(Permission::kCreate)));
  EXPECT_FALSE(a == b);
}

}  // namespace
}  // namespace clearance
