// Membership commands (docs/semantics.md §4): allowed member types per container, existence rules,
// duplicates and removal.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clearance/commands.h"
#include "commands/command_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

using test_util::MakeGroup;
using test_util::MakeRole;
using test_util::MakeRule;
using test_util::MakeTenant;
using test_util::MustExecute;
using test_util::NewState;
using test_util::Refuse;

constexpr MemberType kAllMemberTypes[] = {MemberType::kUser, MemberType::kClient,
                                          MemberType::kGroup, MemberType::kRole,
                                          MemberType::kMappingRule};

// docs/semantics.md §4, copied: which member types each container may hold.
bool SpecAccepts(ContainerType container, MemberType member) {
  switch (container) {
    case ContainerType::kGroup:
      return member == MemberType::kUser || member == MemberType::kClient ||
             member == MemberType::kMappingRule;
    case ContainerType::kRole:
      return member != MemberType::kRole;
    case ContainerType::kTenant:
      return true;
  }
  return false;
}

// A state with one existing entity of every kind, each with id "x".
IdentityState PopulatedState() {
  IdentityState state = NewState();
  MustExecute(state, CreateGroup{MakeGroup("x")});
  MustExecute(state, CreateRole{MakeRole("x")});
  MustExecute(state, CreateTenant{MakeTenant("x")});
  MustExecute(state, CreateMappingRule{MakeRule("x", "scope", "x")});
  return state;
}

TEST(MembershipCommandsTest, AcceptsMemberMatchesSpec) {
  for (ContainerType c : {ContainerType::kGroup, ContainerType::kRole, ContainerType::kTenant}) {
    for (MemberType m : kAllMemberTypes) {
      EXPECT_EQ(AcceptsMember(c, m), SpecAccepts(c, m)) << Name(c) << " <- " << Name(m);
    }
  }
}

TEST(MembershipCommandsTest, AddEnforcesAllowedMemberTypes) {
  for (ContainerType c : {ContainerType::kGroup, ContainerType::kRole, ContainerType::kTenant}) {
    for (MemberType m : kAllMemberTypes) {
      IdentityState state = PopulatedState();
      const Membership membership{c, "x", m, "x"};
      if (SpecAccepts(c, m)) {
        MustExecute(state, AddMember{membership});
        EXPECT_TRUE(state.HasMembership(membership)) << Name(c) << " <- " << Name(m);
      } else {
        EXPECT_EQ(Refuse(state, AddMember{membership}).code(), absl::StatusCode::kInvalidArgument)
            << Name(c) << " <- " << Name(m);
      }
    }
  }
}

TEST(MembershipCommandsTest, UsersClientsAndGroupsNeedNotExist) {
  IdentityState state = PopulatedState();
  const std::vector<Membership> memberships = {
      {ContainerType::kGroup, "x", MemberType::kUser, "ghost-user"},
      {ContainerType::kGroup, "x", MemberType::kClient, "ghost-client"},
      {ContainerType::kRole, "x", MemberType::kGroup, "ghost-group"},
      {ContainerType::kTenant, "x", MemberType::kGroup, "ghost-group"},
      {ContainerType::kTenant, "x", MemberType::kUser, "ghost-user"},
  };
  for (const Membership& m : memberships) {
    MustExecute(state, AddMember{m});
    EXPECT_TRUE(state.HasMembership(m));
  }
}

TEST(MembershipCommandsTest, UsersNeedNotExistInBasicModeEither) {
  IdentityState state = NewState(test_util::BasicConfig());
  MustExecute(state, CreateGroup{MakeGroup("x")});
  const Membership m{ContainerType::kGroup, "x", MemberType::kUser, "not-yet-created"};
  MustExecute(state, AddMember{m});
  EXPECT_TRUE(state.HasMembership(m));
}

TEST(MembershipCommandsTest, MappingRulesAndRolesMustExist) {
  IdentityState state = PopulatedState();
  EXPECT_EQ(Refuse(state, AddMember{{ContainerType::kGroup, "x", MemberType::kMappingRule, "nope"}})
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Refuse(state, AddMember{{ContainerType::kRole, "x", MemberType::kMappingRule, "nope"}})
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      Refuse(state, AddMember{{ContainerType::kTenant, "x", MemberType::kRole, "nope"}}).code(),
      absl::StatusCode::kNotFound);
}

TEST(MembershipCommandsTest, ContainerMustExist) {
  IdentityState state = PopulatedState();
  for (ContainerType c : {ContainerType::kGroup, ContainerType::kRole, ContainerType::kTenant}) {
    EXPECT_EQ(Refuse(state, AddMember{{c, "nope", MemberType::kUser, "alice"}}).code(),
              absl::StatusCode::kNotFound)
        << Name(c);
  }
}

TEST(MembershipCommandsTest, AddingTwiceIsAlreadyExists) {
  IdentityState state = PopulatedState();
  const Membership m{ContainerType::kRole, "x", MemberType::kUser, "alice"};
  MustExecute(state, AddMember{m});
  EXPECT_EQ(Refuse(state, AddMember{m}).code(), absl::StatusCode::kAlreadyExists);
}

TEST(MembershipCommandsTest, RemovingANonMemberIsNotFound) {
  IdentityState state = PopulatedState();
  const Membership m{ContainerType::kGroup, "x", MemberType::kUser, "alice"};
  EXPECT_EQ(Refuse(state, RemoveMember{m}).code(), absl::StatusCode::kNotFound);
  MustExecute(state, AddMember{m});
  MustExecute(state, RemoveMember{m});
  EXPECT_FALSE(state.HasMembership(m));
  EXPECT_EQ(Refuse(state, RemoveMember{m}).code(), absl::StatusCode::kNotFound);
}

TEST(MembershipCommandsTest, MemberIdsFollowTheIdentifierRule) {
  IdentityState state = PopulatedState();
  EXPECT_EQ(
      Refuse(state, AddMember{{ContainerType::kGroup, "x", MemberType::kUser, "al ice"}}).code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Refuse(state, AddMember{{ContainerType::kGroup, "x", MemberType::kClient, ""}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Refuse(state, AddMember{{ContainerType::kRole, "x", MemberType::kGroup, "a/b"}}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MembershipCommandsTest, MembersOfAndContainersOfAreOrdered) {
  IdentityState state = PopulatedState();
  MustExecute(state, CreateRole{MakeRole("a")});
  MustExecute(state, AddMember{{ContainerType::kRole, "x", MemberType::kUser, "bob"}});
  MustExecute(state, AddMember{{ContainerType::kRole, "x", MemberType::kUser, "alice"}});
  MustExecute(state, AddMember{{ContainerType::kRole, "a", MemberType::kUser, "alice"}});
  EXPECT_EQ(state.MembersOf(ContainerType::kRole, "x"),
            (std::vector<Membership>{{ContainerType::kRole, "x", MemberType::kUser, "alice"},
                                     {ContainerType::kRole, "x", MemberType::kUser, "bob"}}));
  EXPECT_EQ(state.ContainersOf(MemberType::kUser, "alice"),
            (std::vector<Membership>{{ContainerType::kRole, "a", MemberType::kUser, "alice"},
                                     {ContainerType::kRole, "x", MemberType::kUser, "alice"}}));
}

}  // namespace
}  // namespace clearance
