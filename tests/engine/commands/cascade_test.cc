// Cascades on delete (docs/semantics.md §4): memberships as container and as member, and owned
// authorizations, all in the one ChangeSet of the delete.
#include <string>
#include <variant>
#include <vector>

#include "clearance/commands.h"
#include "commands/command_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

using test_util::AddMemberOk;
using test_util::BasicConfig;
using test_util::Grant;
using test_util::MakeGroup;
using test_util::MakeRole;
using test_util::MakeRule;
using test_util::MakeTenant;
using test_util::MakeUser;
using test_util::MustExecute;
using test_util::NewState;
using test_util::Spec;
using ::testing::UnorderedElementsAreArray;

constexpr PermissionMask kRead = Bit(Permission::kRead);

std::vector<Membership> DeletedMemberships(const ChangeSet& changes) {
  std::vector<Membership> out;
  for (const RowChange& c : changes.changes) {
    if (c.op != RowChange::Op::kDelete) continue;
    if (const auto* m = std::get_if<Membership>(&c.row)) out.push_back(*m);
  }
  return out;
}

std::vector<AuthorizationKey> DeletedAuthorizations(const ChangeSet& changes) {
  std::vector<AuthorizationKey> out;
  for (const RowChange& c : changes.changes) {
    if (c.op != RowChange::Op::kDelete) continue;
    if (const auto* a = std::get_if<Authorization>(&c.row)) out.push_back(a->key);
  }
  return out;
}

bool Mentions(const Membership& m, ContainerType ct, MemberType mt, std::string_view id) {
  return (m.container_type == ct && m.container_id == id) ||
         (m.member_type == mt && m.member_id == id);
}

// g1 holds alice and rule m1; g1 is in role r1 and tenant t1; g1 and alice own grants.
IdentityState GroupFixture() {
  IdentityState state = NewState();
  MustExecute(state, CreateGroup{MakeGroup("g1")});
  MustExecute(state, CreateRole{MakeRole("r1")});
  MustExecute(state, CreateTenant{MakeTenant("t1")});
  MustExecute(state, CreateMappingRule{MakeRule("m1", "scope", "x")});
  AddMemberOk(state, ContainerType::kGroup, "g1", MemberType::kUser, "alice");
  AddMemberOk(state, ContainerType::kGroup, "g1", MemberType::kMappingRule, "m1");
  AddMemberOk(state, ContainerType::kRole, "r1", MemberType::kGroup, "g1");
  AddMemberOk(state, ContainerType::kTenant, "t1", MemberType::kGroup, "g1");
  AddMemberOk(state, ContainerType::kRole, "r1", MemberType::kMappingRule, "m1");
  AddMemberOk(state, ContainerType::kTenant, "t1", MemberType::kRole, "r1");
  Grant(state, Spec(OwnerType::kGroup, "g1", ResourceType::kDocument, "*", kRead));
  Grant(state, Spec(OwnerType::kGroup, "g1", ResourceType::kMessage, "*", kRead));
  Grant(state, Spec(OwnerType::kUser, "alice", ResourceType::kDocument, "*", kRead));
  Grant(state, Spec(OwnerType::kMappingRule, "m1", ResourceType::kDocument, "*", kRead));
  Grant(state, Spec(OwnerType::kRole, "r1", ResourceType::kDocument, "*", kRead));
  return state;
}

// Deletes (type, id) and checks the one change set removed exactly what mentions it.
void ExpectCascade(IdentityState state, const Command& command, ContainerType ct, MemberType mt,
                   std::string_view id) {
  std::vector<Membership> expected_memberships;
  for (const Membership& m : state.memberships()) {
    if (Mentions(m, ct, mt, id)) expected_memberships.push_back(m);
  }
  const std::vector<AuthorizationKey> expected_keys = state.AuthorizationsOwnedBy(mt, id);
  ASSERT_FALSE(expected_memberships.empty());
  const size_t memberships_before = state.memberships().size();
  const size_t authorizations_before = state.authorizations().size();

  ChangeSet changes = MustExecute(state, command);
  EXPECT_THAT(DeletedMemberships(changes), UnorderedElementsAreArray(expected_memberships));
  EXPECT_THAT(DeletedAuthorizations(changes), UnorderedElementsAreArray(expected_keys));
  for (const Membership& m : state.memberships()) EXPECT_FALSE(Mentions(m, ct, mt, id));
  EXPECT_TRUE(state.AuthorizationsOwnedBy(mt, id).empty());
  EXPECT_EQ(state.memberships().size(), memberships_before - expected_memberships.size());
  EXPECT_EQ(state.authorizations().size(), authorizations_before - expected_keys.size());
}

TEST(CascadeTest, DeleteGroup) {
  IdentityState state = GroupFixture();
  ASSERT_EQ(state.AuthorizationsOwnedBy(OwnerType::kGroup, "g1").size(), 2u);
  ExpectCascade(state, DeleteGroup{"g1"}, ContainerType::kGroup, MemberType::kGroup, "g1");
}

TEST(CascadeTest, DeleteRole) {
  ExpectCascade(GroupFixture(), DeleteRole{"r1"}, ContainerType::kRole, MemberType::kRole, "r1");
}

TEST(CascadeTest, DeleteMappingRule) {
  // A mapping rule is never a container; ContainerType is irrelevant, the id "m1" is unique.
  ExpectCascade(GroupFixture(), DeleteMappingRule{"m1"}, ContainerType::kGroup,
                MemberType::kMappingRule, "m1");
}

TEST(CascadeTest, DeleteTenantRemovesItsMembers) {
  IdentityState state = GroupFixture();
  ChangeSet changes = MustExecute(state, DeleteTenant{"t1"});
  EXPECT_EQ(DeletedMemberships(changes).size(), 2u);
  EXPECT_TRUE(state.MembersOf(ContainerType::kTenant, "t1").empty());
  // The members themselves and their other memberships stay.
  EXPECT_NE(state.FindGroup("g1"), nullptr);
  EXPECT_TRUE(
      state.HasMembership(Membership{ContainerType::kRole, "r1", MemberType::kGroup, "g1"}));
}

TEST(CascadeTest, DeleteUserInBasicMode) {
  IdentityState state = NewState(BasicConfig());
  MustExecute(state, CreateUser{MakeUser("alice")});
  MustExecute(state, CreateGroup{MakeGroup("g1")});
  AddMemberOk(state, ContainerType::kGroup, "g1", MemberType::kUser, "alice");
  AddMemberOk(state, ContainerType::kRole, "admin", MemberType::kUser, "alice");
  AddMemberOk(state, ContainerType::kTenant, "<default>", MemberType::kUser, "alice");
  Grant(state, Spec(OwnerType::kUser, "alice", ResourceType::kDocument, "*", kRead));
  ExpectCascade(state, DeleteUser{"alice"}, ContainerType::kGroup, MemberType::kUser, "alice");
}

TEST(CascadeTest, OtherEntitiesAreUntouched) {
  IdentityState state = GroupFixture();
  MustExecute(state, DeleteGroup{"g1"});
  EXPECT_EQ(state.AuthorizationsOwnedBy(OwnerType::kUser, "alice").size(), 1u);
  EXPECT_EQ(state.AuthorizationsOwnedBy(OwnerType::kRole, "r1").size(), 1u);
  EXPECT_TRUE(
      state.HasMembership(Membership{ContainerType::kRole, "r1", MemberType::kMappingRule, "m1"}));
  EXPECT_NE(state.FindMappingRule("m1"), nullptr);
}

}  // namespace
}  // namespace clearance
