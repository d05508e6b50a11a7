// Group commands (docs/semantics.md §1, §10), including the groups-claim relaxation of group ids.
#include <string>

#include "absl/status/status.h"
#include "clearance/commands.h"
#include "commands/command_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

using test_util::BasicConfig;
using test_util::MakeGroup;
using test_util::MustExecute;
using test_util::NamesField;
using test_util::NewState;
using test_util::Refuse;
using test_util::Repeat;
using test_util::Spec;

Configuration GroupsClaimConfig() {
  Configuration config;
  config.groups_claim = "groups";
  return config;
}

TEST(GroupCommandsTest, CreateUpdateDelete) {
  IdentityState state = NewState();
  MustExecute(state, CreateGroup{Group{"g1", "Group one", "first"}});
  ASSERT_NE(state.FindGroup("g1"), nullptr);
  EXPECT_EQ(*state.FindGroup("g1"), (Group{"g1", "Group one", "first"}));

  MustExecute(state, UpdateGroup{Group{"g1", "Renamed", ""}});
  EXPECT_EQ(*state.FindGroup("g1"), (Group{"g1", "Renamed", ""}));

  MustExecute(state, DeleteGroup{"g1"});
  EXPECT_EQ(state.FindGroup("g1"), nullptr);
}

TEST(GroupCommandsTest, DuplicateAndMissing) {
  IdentityState state = NewState();
  MustExecute(state, CreateGroup{MakeGroup("g1")});
  EXPECT_EQ(Refuse(state, CreateGroup{MakeGroup("g1", "Other")}).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Refuse(state, UpdateGroup{MakeGroup("g2")}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Refuse(state, DeleteGroup{"g2"}).code(), absl::StatusCode::kNotFound);
}

TEST(GroupCommandsTest, NameIsRequiredNonBlankAndAtMost256) {
  IdentityState state = NewState();
  for (const std::string& bad :
       {std::string(""), std::string("   "), std::string("\t\n"), Repeat('n', 257)}) {
    absl::Status status = Refuse(state, CreateGroup{MakeGroup("g1", bad)});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << "'" << bad << "'";
    EXPECT_TRUE(NamesField(status.message(), "name")) << status;
  }
  MustExecute(state, CreateGroup{MakeGroup("g1", Repeat('n', 256))});
  MustExecute(state, CreateGroup{MakeGroup("g2")});
  EXPECT_EQ(Refuse(state, UpdateGroup{MakeGroup("g2", " ")}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(GroupCommandsTest, NamesAreNeverTrimmed) {
  IdentityState state = NewState();
  MustExecute(state, CreateGroup{MakeGroup("g1", "  padded  ")});
  EXPECT_EQ(state.FindGroup("g1")->name, "  padded  ");
}

TEST(GroupCommandsTest, IdFollowsIdentifierRuleWithoutGroupsClaim) {
  IdentityState state = NewState();
  for (const std::string& bad :
       {std::string("Team Alpha"), std::string(""), std::string("a/b"), Repeat('g', 257)}) {
    absl::Status status = Refuse(state, CreateGroup{MakeGroup(bad)});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(NamesField(status.message(), "groupId") || NamesField(status.message(), "id"))
        << status;
  }
  MustExecute(state, CreateGroup{MakeGroup(Repeat('g', 256))});
}

TEST(GroupCommandsTest, GroupsClaimRelaxesGroupIds) {
  IdentityState state = NewState(GroupsClaimConfig());
  MustExecute(state, CreateGroup{MakeGroup("Team Alpha/EU")});
  MustExecute(state, CreateGroup{MakeGroup("/org/ünïcode group")});
  MustExecute(state, CreateGroup{MakeGroup(Repeat('g', 256))});
  EXPECT_NE(state.FindGroup("Team Alpha/EU"), nullptr);
  EXPECT_EQ(Refuse(state, CreateGroup{MakeGroup(Repeat('g', 257))}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Refuse(state, CreateGroup{MakeGroup("")}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(GroupCommandsTest, GroupsClaimAcceptsAnyNonEmptyGroupIdEvenBlank) {
  // docs/semantics.md §1: with a groups claim, "any non-empty string up to 256 chars" (the token
  // decides).
  IdentityState state = NewState(GroupsClaimConfig());
  MustExecute(state, CreateGroup{MakeGroup(" ")});
  EXPECT_NE(state.FindGroup(" "), nullptr);
}

TEST(GroupCommandsTest, GroupsClaimRelaxesGroupOwnersAndMembers) {
  IdentityState state = NewState(GroupsClaimConfig());
  MustExecute(state, CreateRole{Role{"r1", "Role", ""}});
  MustExecute(state,
              AddMember{Membership{ContainerType::kRole, "r1", MemberType::kGroup, "Team Alpha"}});
  EXPECT_TRUE(state.HasMembership(
      Membership{ContainerType::kRole, "r1", MemberType::kGroup, "Team Alpha"}));
  // The group need not exist: with a groups claim, groups come from the token.
  MustExecute(state, CreateAuthorization{Spec(OwnerType::kGroup, "Team Alpha",
                                              ResourceType::kProcessDefinition, "*",
                                              Bit(Permission::kReadProcessDefinition))});
  EXPECT_EQ(state.AuthorizationsOwnedBy(OwnerType::kGroup, "Team Alpha").size(), 1u);
}

TEST(GroupCommandsTest, GroupsClaimDoesNotRelaxResourceIds) {
  IdentityState state = NewState(GroupsClaimConfig());
  MustExecute(state, CreateRole{Role{"r1", "Role", ""}});
  absl::Status status =
      Refuse(state, CreateAuthorization{Spec(OwnerType::kRole, "r1", ResourceType::kGroup,
                                             "Team Alpha", Bit(Permission::kRead))});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
}

TEST(GroupCommandsTest, GroupsClaimIsIgnoredInBasicMode) {
  Configuration config = BasicConfig();
  config.groups_claim = "groups";
  IdentityState state = NewState(config);
  EXPECT_EQ(Refuse(state, CreateGroup{MakeGroup("Team Alpha")}).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace clearance
