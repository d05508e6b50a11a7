// Authorization commands (docs/semantics.md §2, §3, §10): supported permissions, scopes, the
// duplicate rule, owner and resource existence, keys.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clearance/commands.h"
#include "commands/command_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

using test_util::BasicConfig;
using test_util::Grant;
using test_util::MakeGroup;
using test_util::MakeRole;
using test_util::MakeRule;
using test_util::MakeUser;
using test_util::MustExecute;
using test_util::NamesField;
using test_util::NewState;
using test_util::PropertySpec;
using test_util::Refuse;
using test_util::Spec;
using ::testing::HasSubstr;

constexpr PermissionMask kReadPd = Bit(Permission::kReadProcessDefinition);
constexpr PermissionMask kCreatePi = Bit(Permission::kCreateProcessInstance);

IdentityState StateWithRole(const Configuration& config = {}) {
  IdentityState state = NewState(config);
  MustExecute(state, CreateRole{MakeRole("r1")});
  return state;
}

TEST(AuthorizationCommandsTest, CreateStoresScopeAndPermissions) {
  IdentityState state = StateWithRole();
  AuthorizationKey any =
      Grant(state, Spec(OwnerType::kRole, "r1", ResourceType::kProcessDefinition, "*", kReadPd));
  AuthorizationKey id = Grant(
      state, Spec(OwnerType::kRole, "r1", ResourceType::kProcessDefinition, "invoice", kCreatePi));
  AuthorizationKey property =
      Grant(state, PropertySpec(OwnerType::kRole, "r1", "assignee", Bit(Permission::kRead)));
  ASSERT_NE(state.FindAuthorization(any), nullptr);
  EXPECT_EQ(*state.FindAuthorization(any),
            (Authorization{any, OwnerType::kRole, "r1", ResourceType::kProcessDefinition,
                           Scope::Any(), kReadPd}));
  EXPECT_EQ(state.FindAuthorization(id)->scope, Scope::Id("invoice"));
  EXPECT_EQ(state.FindAuthorization(property)->scope, Scope::Property("assignee"));
  EXPECT_EQ(state.FindAuthorization(property)->resource_type, ResourceType::kUserTask);
}

TEST(AuthorizationCommandsTest, UnsupportedPermissionsAreListedWithTheSupportedSet) {
  IdentityState state = StateWithRole();
  absl::Status status =
      Refuse(state, CreateAuthorization{Spec(OwnerType::kRole, "r1", ResourceType::kDocument, "*",
                                             Bit(Permission::kRead) | Bit(Permission::kUpdate))});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("UPDATE"));
  for (std::string_view supported : {"CREATE", "READ", "DELETE"}) {
    EXPECT_THAT(status.message(), HasSubstr(supported));
  }
  absl::Status component =
      Refuse(state, CreateAuthorization{Spec(OwnerType::kRole, "r1", ResourceType::kComponent, "*",
                                             Bit(Permission::kRead))});
  EXPECT_EQ(component.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(component.message(), HasSubstr("ACCESS"));
  EXPECT_THAT(component.message(), HasSubstr("READ"));
}

TEST(AuthorizationCommandsTest, EmptyPermissionSetIsRefused) {
  IdentityState state = StateWithRole();
  EXPECT_EQ(Refuse(state, CreateAuthorization{Spec(OwnerType::kRole, "r1", ResourceType::kDocument,
                                                   "*", 0)})
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AuthorizationCommandsTest, DuplicateRuleOnOverlappingPermissions) {
  IdentityState state = StateWithRole();
  Grant(state, Spec(OwnerType::kRole, "r1", ResourceType::kProcessDefinition, "*", kReadPd));
  EXPECT_EQ(Refuse(state, CreateAuthorization{Spec(OwnerType::kRole, "r1",
                                                   ResourceType::kProcessDefinition, "*",
                                                   kReadPd | kCreatePi)})
                .code(),
            absl::StatusCode::kAlreadyExists);
  // Disjoint permissions, another scope, another owner type: not duplicates.
  Grant(state, Spec(OwnerType::kRole, "r1", ResourceType::kProcessDefinition, "*", kCreatePi));
  Grant(state, Spec(OwnerType::kRole, "r1", ResourceType::kProcessDefinition, "p1", kReadPd));
  Grant(state, Spec(OwnerType::kClient, "r1", ResourceType::kProcessDefinition, "*", kReadPd));
  EXPECT_EQ(
      Refuse(state, CreateAuthorization{Spec(OwnerType::kRole, "r1",
                                             ResourceType::kProcessDefinition, "p1", kReadPd)})
          .code(),
      absl::StatusCode::kAlreadyExists);
}

TEST(AuthorizationCommandsTest, OwnerExistenceUnderOidc) {
  IdentityState state = NewState();
  const auto spec = [](OwnerType type) {
    return Spec(type, "ghost", ResourceType::kDocument, "*", Bit(Permission::kRead));
  };
  EXPECT_EQ(Refuse(state, CreateAuthorization{spec(OwnerType::kRole)}).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Refuse(state, CreateAuthorization{spec(OwnerType::kMappingRule)}).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Refuse(state, CreateAuthorization{spec(OwnerType::kGroup)}).code(),
            absl::StatusCode::kNotFound);
  Grant(state, spec(OwnerType::kUser));
  Grant(state, spec(OwnerType::kClient));
  EXPECT_EQ(state.AuthorizationsOwnedBy(OwnerType::kUser, "ghost").size(), 1u);
  EXPECT_EQ(state.AuthorizationsOwnedBy(OwnerType::kClient, "ghost").size(), 1u);
}

TEST(AuthorizationCommandsTest, OwnerExistenceWithGroupsClaimAndInBasicMode) {
  Configuration groups_claim;
  groups_claim.groups_claim = "groups";
  IdentityState oidc = NewState(groups_claim);
  Grant(oidc,
        Spec(OwnerType::kGroup, "ghost", ResourceType::kDocument, "*", Bit(Permission::kRead)));

  IdentityState basic = NewState(BasicConfig());
  EXPECT_EQ(
      Refuse(basic, CreateAuthorization{Spec(OwnerType::kUser, "ghost", ResourceType::kDocument,
                                             "*", Bit(Permission::kRead))})
          .code(),
      absl::StatusCode::kNotFound);
  MustExecute(basic, CreateUser{MakeUser("alice")});
  Grant(basic,
        Spec(OwnerType::kUser, "alice", ResourceType::kDocument, "*", Bit(Permission::kRead)));
  Grant(basic,
        Spec(OwnerType::kClient, "ghost", ResourceType::kDocument, "*", Bit(Permission::kRead)));
}

TEST(AuthorizationCommandsTest, BasicModeIgnoresTheGroupsClaimForExistence) {
  Configuration config = BasicConfig();
  config.groups_claim = "groups";
  IdentityState state = NewState(config);
  MustExecute(state, CreateRole{MakeRole("r1")});
  EXPECT_EQ(
      Refuse(state, CreateAuthorization{Spec(OwnerType::kGroup, "ghost", ResourceType::kDocument,
                                             "*", Bit(Permission::kRead))})
          .code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(Refuse(state, CreateAuthorization{Spec(OwnerType::kRole, "r1", ResourceType::kGroup,
                                                   "ghost", Bit(Permission::kRead))})
                .code(),
            absl::StatusCode::kNotFound);
}

TEST(AuthorizationCommandsTest, ResourceIdsFollowTheGeneralRuleForEveryType) {
  IdentityState state = StateWithRole();
  // COMPONENT ids are not restricted to the known components.
  Grant(state, Spec(OwnerType::kRole, "r1", ResourceType::kComponent, "my-component",
                    Bit(Permission::kAccess)));
  Grant(state, Spec(OwnerType::kRole, "r1", ResourceType::kComponent, "operate",
                    Bit(Permission::kAccess)));
  // "<default>" is a tenant id, but not an identifier: not a valid resource id (docs/semantics.md
  // §10).
  EXPECT_EQ(Refuse(state, CreateAuthorization{Spec(OwnerType::kRole, "r1", ResourceType::kTenant,
                                                   "<default>", Bit(Permission::kRead))})
                .code(),
            absl::StatusCode::kInvalidArgument);
  // Without a groups claim, a group owner id follows the identifier rule.
  EXPECT_EQ(
      Refuse(state, CreateAuthorization{Spec(OwnerType::kGroup, "Team Alpha",
                                             ResourceType::kDocument, "*", Bit(Permission::kRead))})
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(AuthorizationCommandsTest, IdentityResourcesMustExistForIdScopes) {
  IdentityState state = StateWithRole();
  const auto on = [](ResourceType type, std::string id) {
    return Spec(OwnerType::kRole, "r1", type, std::move(id), Bit(Permission::kRead));
  };
  for (ResourceType type :
       {ResourceType::kGroup, ResourceType::kMappingRule, ResourceType::kRole}) {
    EXPECT_EQ(Refuse(state, CreateAuthorization{on(type, "ghost")}).code(),
              absl::StatusCode::kNotFound)
        << Name(type);
    Grant(state, on(type, "*"));
  }
  // Users are not stored under OIDC; other resource types are never checked.
  Grant(state, on(ResourceType::kUser, "ghost"));
  Grant(state, Spec(OwnerType::kRole, "r1", ResourceType::kProcessDefinition, "ghost", kReadPd));

  MustExecute(state, CreateGroup{MakeGroup("g1")});
  MustExecute(state, CreateMappingRule{MakeRule("m1", "scope", "x")});
  Grant(state, on(ResourceType::kGroup, "g1"));
  Grant(state, on(ResourceType::kMappingRule, "m1"));
  Grant(state, on(ResourceType::kRole, "r1"));

  IdentityState basic = NewState(BasicConfig());
  MustExecute(basic, CreateRole{MakeRole("r1")});
  EXPECT_EQ(Refuse(basic, CreateAuthorization{on(ResourceType::kUser, "ghost")}).code(),
            absl::StatusCode::kNotFound);

  Configuration groups_claim;
  groups_claim.groups_claim = "groups";
  IdentityState relaxed = StateWithRole(groups_claim);
  Grant(relaxed, on(ResourceType::kGroup, "ghost"));
}

TEST(AuthorizationCommandsTest, PropertyScopesAreUserTaskOnlyWithThreeNames) {
  IdentityState state = StateWithRole();
  for (std::string_view name : {"assignee", "candidateUsers", "candidateGroups"}) {
    Grant(state, PropertySpec(OwnerType::kRole, "r1", std::string(name), Bit(Permission::kRead)));
  }
  for (std::string_view bad : {"owner", "Assignee", "candidate_users", "*"}) {
    EXPECT_EQ(
        Refuse(state, CreateAuthorization{PropertySpec(OwnerType::kRole, "r1", std::string(bad),
                                                       Bit(Permission::kUpdate))})
            .code(),
        absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(Refuse(state, CreateAuthorization{PropertySpec(
                              OwnerType::kRole, "r1", "assignee",
                              Bit(Permission::kRead) | Bit(Permission::kClaim))})
                .code(),
            absl::StatusCode::kAlreadyExists);
  AuthorizationSpec not_user_task = PropertySpec(OwnerType::kRole, "r1", "assignee", kReadPd);
  not_user_task.resource_type = ResourceType::kProcessDefinition;
  EXPECT_EQ(Refuse(state, CreateAuthorization{not_user_task}).code(),
            absl::StatusCode::kInvalidArgument);

  AuthorizationSpec both =
      PropertySpec(OwnerType::kRole, "r1", "assignee", Bit(Permission::kClaim));
  both.resource_id = "task-1";
  EXPECT_EQ(Refuse(state, CreateAuthorization{both}).code(), absl::StatusCode::kInvalidArgument);
  AuthorizationSpec neither = both;
  neither.resource_id.clear();
  neither.resource_property_name.clear();
  EXPECT_EQ(Refuse(state, CreateAuthorization{neither}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(AuthorizationCommandsTest, ResourceIdFollowsTheIdentifierRule) {
  IdentityState state = StateWithRole();
  for (std::string_view bad : {"abc*", "*abc", "**", "a b", "a/b"}) {
    absl::Status status = Refuse(
        state, CreateAuthorization{Spec(OwnerType::kRole, "r1", ResourceType::kProcessDefinition,
                                        std::string(bad), kReadPd)});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(NamesField(status.message(), "resourceId")) << status;
  }
  absl::Status owner =
      Refuse(state, CreateAuthorization{Spec(OwnerType::kUser, "al ice",
                                             ResourceType::kProcessDefinition, "*", kReadPd)});
  EXPECT_EQ(owner.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(NamesField(owner.message(), "ownerId")) << owner;
}

TEST(AuthorizationCommandsTest, KeysAreMonotonicAndNeverReused) {
  IdentityState state = StateWithRole();
  const AuthorizationKey first_free = state.next_authorization_key();
  AuthorizationKey k1 = Grant(
      state, Spec(OwnerType::kRole, "r1", ResourceType::kDocument, "*", Bit(Permission::kRead)));
  AuthorizationKey k2 = Grant(
      state, Spec(OwnerType::kRole, "r1", ResourceType::kDocument, "*", Bit(Permission::kCreate)));
  EXPECT_GE(k1, first_free);
  EXPECT_GT(k2, k1);
  MustExecute(state, DeleteAuthorization{k2});
  EXPECT_EQ(state.FindAuthorization(k2), nullptr);
  EXPECT_GT(state.next_authorization_key(), k2);
  AuthorizationKey k3 = Grant(
      state, Spec(OwnerType::kRole, "r1", ResourceType::kDocument, "*", Bit(Permission::kCreate)));
  EXPECT_GT(k3, k2);
  // Refused creations do not move the counter either way: the state is unchanged.
  const AuthorizationKey before = state.next_authorization_key();
  (void)Refuse(state, CreateAuthorization{Spec(OwnerType::kRole, "r1", ResourceType::kDocument, "*",
                                               Bit(Permission::kCreate))});
  EXPECT_EQ(state.next_authorization_key(), before);
}

TEST(AuthorizationCommandsTest, MissingKeysAreNotFound) {
  IdentityState state = StateWithRole();
  const AuthorizationKey missing = state.next_authorization_key() + 100;
  EXPECT_EQ(Refuse(state, DeleteAuthorization{missing}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Refuse(state, UpdateAuthorization{missing,
                                              Spec(OwnerType::kRole, "r1", ResourceType::kDocument,
                                                   "*", Bit(Permission::kRead))})
                .code(),
            absl::StatusCode::kNotFound);
}

TEST(AuthorizationCommandsTest, UpdateRechecksExistenceButNotDuplicates) {
  IdentityState state = StateWithRole();
  AuthorizationKey a =
      Grant(state, Spec(OwnerType::kRole, "r1", ResourceType::kProcessDefinition, "*", kReadPd));
  AuthorizationKey b =
      Grant(state, Spec(OwnerType::kRole, "r1", ResourceType::kProcessDefinition, "*", kCreatePi));
  // b now overlaps a on the same scope: allowed, the duplicate rule is for creation only.
  MustExecute(state,
              UpdateAuthorization{b, Spec(OwnerType::kRole, "r1", ResourceType::kProcessDefinition,
                                          "*", kReadPd | kCreatePi)});
  EXPECT_EQ(state.FindAuthorization(b)->permissions, kReadPd | kCreatePi);
  EXPECT_EQ(state.FindAuthorization(b)->key, b);
  EXPECT_NE(state.FindAuthorization(a), nullptr);

  EXPECT_EQ(
      Refuse(state, UpdateAuthorization{b, Spec(OwnerType::kRole, "ghost",
                                                ResourceType::kProcessDefinition, "*", kReadPd)})
          .code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(Refuse(state, UpdateAuthorization{b, Spec(OwnerType::kRole, "r1", ResourceType::kRole,
                                                      "ghost", Bit(Permission::kRead))})
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Refuse(state, UpdateAuthorization{b, Spec(OwnerType::kRole, "r1",
                                                      ResourceType::kDocument, "*", kReadPd)})
                .code(),
            absl::StatusCode::kInvalidArgument);
  MustExecute(state, UpdateAuthorization{b, Spec(OwnerType::kClient, "svc", ResourceType::kDocument,
                                                 "doc-1", Bit(Permission::kRead))});
  EXPECT_EQ(*state.FindAuthorization(b),
            (Authorization{b, OwnerType::kClient, "svc", ResourceType::kDocument,
                           Scope::Id("doc-1"), Bit(Permission::kRead)}));
  EXPECT_TRUE(state.AuthorizationsOwnedBy(OwnerType::kRole, "r1") ==
              std::vector<AuthorizationKey>{a});
}

}  // namespace
}  // namespace clearance
