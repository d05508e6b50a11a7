// Role commands (docs/semantics.md §1, §8): ordinary roles, and the protected default roles.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clearance/commands.h"
#include "commands/command_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

using test_util::Grant;
using test_util::MakeRole;
using test_util::MustExecute;
using test_util::NamesField;
using test_util::NewState;
using test_util::Refuse;
using test_util::Repeat;
using test_util::Spec;

const std::vector<std::string> kDefaultRoles = {"admin", "readonly-admin", "rpa", "connectors",
                                                "app-integrations"};

TEST(RoleCommandsTest, CreateUpdateDelete) {
  IdentityState state = NewState();
  MustExecute(state, CreateRole{Role{"r1", "Role one", "desc"}});
  EXPECT_EQ(*state.FindRole("r1"), (Role{"r1", "Role one", "desc"}));
  MustExecute(state, UpdateRole{Role{"r1", "Renamed", ""}});
  EXPECT_EQ(*state.FindRole("r1"), (Role{"r1", "Renamed", ""}));
  MustExecute(state, DeleteRole{"r1"});
  EXPECT_EQ(state.FindRole("r1"), nullptr);
}

TEST(RoleCommandsTest, DuplicateMissingAndInvalid) {
  IdentityState state = NewState();
  MustExecute(state, CreateRole{MakeRole("r1")});
  EXPECT_EQ(Refuse(state, CreateRole{MakeRole("r1")}).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Refuse(state, CreateRole{MakeRole("admin")}).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Refuse(state, UpdateRole{MakeRole("r2")}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Refuse(state, DeleteRole{"r2"}).code(), absl::StatusCode::kNotFound);

  absl::Status bad_id = Refuse(state, CreateRole{MakeRole("role one")});
  EXPECT_EQ(bad_id.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(NamesField(bad_id.message(), "roleId") || NamesField(bad_id.message(), "id"))
      << bad_id;
  absl::Status blank = Refuse(state, CreateRole{MakeRole("r3", " ")});
  EXPECT_EQ(blank.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(NamesField(blank.message(), "name")) << blank;
  EXPECT_EQ(Refuse(state, CreateRole{MakeRole("r3", Repeat('n', 257))}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RoleCommandsTest, DefaultRolesCannotBeUpdatedOrDeleted) {
  IdentityState state = NewState();
  for (const std::string& id : kDefaultRoles) {
    ASSERT_NE(state.FindRole(id), nullptr) << id;
    EXPECT_EQ(Refuse(state, UpdateRole{MakeRole(id, "Renamed")}).code(),
              absl::StatusCode::kFailedPrecondition)
        << id;
    EXPECT_EQ(Refuse(state, DeleteRole{id}).code(), absl::StatusCode::kFailedPrecondition) << id;
  }
}

TEST(RoleCommandsTest, DefaultRoleAuthorizationsCannotBeUpdatedOrDeleted) {
  IdentityState state = NewState();
  for (const std::string& id : kDefaultRoles) {
    std::vector<AuthorizationKey> keys = state.AuthorizationsOwnedBy(OwnerType::kRole, id);
    ASSERT_FALSE(keys.empty()) << id;
    for (AuthorizationKey key : keys) {
      const Authorization* a = state.FindAuthorization(key);
      ASSERT_NE(a, nullptr);
      AuthorizationSpec same = Spec(OwnerType::kRole, id, a->resource_type, "*", a->permissions);
      EXPECT_EQ(Refuse(state, UpdateAuthorization{key, same}).code(),
                absl::StatusCode::kFailedPrecondition)
          << id << " #" << key;
      EXPECT_EQ(Refuse(state, DeleteAuthorization{key}).code(),
                absl::StatusCode::kFailedPrecondition)
          << id << " #" << key;
    }
  }
}

TEST(RoleCommandsTest, DefaultRolesTakeMembersAndNewGrants) {
  IdentityState state = NewState();
  const Membership alice{ContainerType::kRole, "admin", MemberType::kUser, "alice"};
  MustExecute(state, AddMember{alice});
  EXPECT_TRUE(state.HasMembership(alice));
  MustExecute(state, RemoveMember{alice});
  EXPECT_FALSE(state.HasMembership(alice));

  AuthorizationKey key =
      Grant(state, Spec(OwnerType::kRole, "rpa", ResourceType::kProcessDefinition, "invoice",
                        Bit(Permission::kReadProcessDefinition)));
  ASSERT_NE(state.FindAuthorization(key), nullptr);
  // A grant added later to a protected role is protected as well.
  EXPECT_EQ(Refuse(state, DeleteAuthorization{key}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Refuse(state, UpdateAuthorization{key, Spec(OwnerType::kRole, "rpa",
                                                        ResourceType::kProcessDefinition, "invoice",
                                                        Bit(Permission::kReadProcessInstance))})
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(RoleCommandsTest, OrdinaryRoleAuthorizationsCanBeUpdatedAndDeleted) {
  IdentityState state = NewState();
  MustExecute(state, CreateRole{MakeRole("r1")});
  AuthorizationKey key = Grant(
      state, Spec(OwnerType::kRole, "r1", ResourceType::kDocument, "*", Bit(Permission::kRead)));
  MustExecute(state, UpdateAuthorization{key, Spec(OwnerType::kRole, "r1", ResourceType::kDocument,
                                                   "*", Bit(Permission::kCreate))});
  EXPECT_EQ(state.FindAuthorization(key)->permissions, Bit(Permission::kCreate));
  MustExecute(state, DeleteAuthorization{key});
  EXPECT_EQ(state.FindAuthorization(key), nullptr);
}

}  // namespace
}  // namespace clearance
