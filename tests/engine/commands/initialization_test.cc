// Initialization (docs/semantics.md §8): the defaults, the seed and its order, atomic refusal, and
// the once-only rule.
#include <map>
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
using test_util::MakeGroup;
using test_util::MakeRole;
using test_util::MakeRule;
using test_util::MakeTenant;
using test_util::MakeUser;
using test_util::MustExecute;
using test_util::NewState;
using test_util::Refuse;
using test_util::Spec;
using ::testing::HasSubstr;

using Grants = std::map<ResourceType, PermissionMask>;
using P = Permission;
using R = ResourceType;

// The grants one owner holds, all of which must be on "*".
Grants GrantsOf(const IdentityState& state, std::string_view role) {
  Grants grants;
  for (AuthorizationKey key : state.AuthorizationsOwnedBy(OwnerType::kRole, role)) {
    const Authorization* a = state.FindAuthorization(key);
    EXPECT_EQ(a->scope, Scope::Any()) << role << " #" << key;
    grants[a->resource_type] |= a->permissions;
  }
  return grants;
}

// docs/semantics.md §8, copied by hand.
const std::map<std::string, Grants>& SpecDefaultRoles() {
  static const auto* const kRoles = new std::map<std::string, Grants>{
      {"readonly-admin",
       {{R::kAuthorization, Bit(P::kRead)},
        {R::kBatch, Bit(P::kRead)},
        {R::kComponent, Bit(P::kAccess)},
        {R::kDecisionDefinition, Bit(P::kReadDecisionDefinition) | Bit(P::kReadDecisionInstance)},
        {R::kDecisionRequirementsDefinition, Bit(P::kRead)},
        {R::kDocument, Bit(P::kRead)},
        {R::kGroup, Bit(P::kRead)},
        {R::kRole, Bit(P::kRead)},
        {R::kTenant, Bit(P::kRead)},
        {R::kUser, Bit(P::kRead)},
        {R::kMappingRule, Bit(P::kRead)},
        {R::kMessage, Bit(P::kRead)},
        {R::kProcessDefinition,
         Bit(P::kReadProcessDefinition) | Bit(P::kReadProcessInstance) | Bit(P::kReadUserTask)},
        {R::kResource, Bit(P::kRead)},
        {R::kSystem, Bit(P::kRead) | Bit(P::kReadUsageMetric) | Bit(P::kReadJobMetric)},
        {R::kUserTask, Bit(P::kRead)},
        {R::kAuditLog, Bit(P::kRead)},
        {R::kClusterVariable, Bit(P::kRead)},
        {R::kGlobalListener, Bit(P::kReadTaskListener)}}},
      {"rpa",
       {{R::kResource, Bit(P::kRead)}, {R::kProcessDefinition, Bit(P::kUpdateProcessInstance)}}},
      {"connectors",
       {{R::kProcessDefinition, Bit(P::kReadProcessInstance) | Bit(P::kReadProcessDefinition) |
                                    Bit(P::kCreateProcessInstance) |
                                    Bit(P::kUpdateProcessInstance)},
        {R::kMessage, Bit(P::kCreate)},
        {R::kDocument, Bit(P::kCreate) | Bit(P::kRead) | Bit(P::kDelete)}}},
      {"app-integrations",
       {{R::kProcessDefinition, Bit(P::kReadProcessDefinition) | Bit(P::kCreateProcessInstance) |
                                    Bit(P::kReadProcessInstance) | Bit(P::kUpdateProcessInstance) |
                                    Bit(P::kReadUserTask) | Bit(P::kUpdateUserTask)},
        {R::kDocument, Bit(P::kCreate)}}},
  };
  return *kRoles;
}

TEST(InitializationTest, CommandsBeforeInitializationAreRefused) {
  IdentityState state;
  EXPECT_FALSE(state.initialized());
  EXPECT_EQ(Refuse(state, CreateGroup{MakeGroup("g1")}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Refuse(state, CreateTenant{MakeTenant("t1")}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Refuse(state, CreateAuthorization{Spec(OwnerType::kClient, "svc", R::kDocument, "*",
                                                   Bit(P::kRead))})
                .code(),
            absl::StatusCode::kFailedPrecondition);
  // commands.h: Configure is allowed before initialization.
  MustExecute(state, Configure{BasicConfig()});
  EXPECT_EQ(state.config().mode, AuthMode::kBasic);
  EXPECT_FALSE(state.initialized());
}

TEST(InitializationTest, RunsOnce) {
  IdentityState state = NewState();
  EXPECT_TRUE(state.initialized());
  EXPECT_EQ(Refuse(state, Initialize{}).code(), absl::StatusCode::kFailedPrecondition);
  MustExecute(state, Configure{BasicConfig()});  // still allowed afterwards
}

TEST(InitializationTest, CreatesTheDefaultTenant) {
  IdentityState state = NewState();
  ASSERT_NE(state.FindTenant("<default>"), nullptr);
  EXPECT_EQ(state.FindTenant("<default>")->name, "Default");
  EXPECT_EQ(state.tenants().size(), 1u);
}

TEST(InitializationTest, CreatesExactlyTheDefaultRoles) {
  IdentityState state = NewState();
  std::vector<std::string> ids;
  for (const auto& [id, role] : state.roles()) ids.push_back(id);
  EXPECT_THAT(ids, ::testing::UnorderedElementsAre("admin", "readonly-admin", "rpa", "connectors",
                                                   "app-integrations"));
  EXPECT_TRUE(state.groups().empty());
  EXPECT_TRUE(state.mapping_rules().empty());
}

TEST(InitializationTest, AdminHoldsEveryPermissionOfEveryResourceType) {
  IdentityState state = NewState();
  Grants expected;
  ForEachResourceType([&](ResourceType t) { expected[t] = SupportedPermissions(t); });
  EXPECT_EQ(GrantsOf(state, "admin"), expected);
  EXPECT_EQ(expected.size(), 20u);
}

TEST(InitializationTest, OtherDefaultRolesHoldExactlyTheirSpecGrants) {
  IdentityState state = NewState();
  for (const auto& [role, grants] : SpecDefaultRoles()) {
    EXPECT_EQ(GrantsOf(state, role), grants) << role;
  }
  // The only authorizations are the default roles' ones.
  size_t default_keys = 0;
  for (const char* role : {"admin", "readonly-admin", "rpa", "connectors", "app-integrations"}) {
    default_keys += state.AuthorizationsOwnedBy(OwnerType::kRole, role).size();
  }
  EXPECT_EQ(state.authorizations().size(), default_keys);
}

TEST(InitializationTest, DefaultTenantMembersExcludeReadonlyAdmin) {
  IdentityState state = NewState();
  std::vector<Membership> expected;
  for (const char* role : {"admin", "app-integrations", "connectors", "rpa"}) {
    expected.push_back({ContainerType::kTenant, "<default>", MemberType::kRole, role});
  }
  EXPECT_EQ(state.MembersOf(ContainerType::kTenant, "<default>"), expected);
  EXPECT_EQ(state.memberships().size(), expected.size());
}

InitializationSeed FullSeed() {
  InitializationSeed seed;
  seed.users = {MakeUser("alice")};
  seed.mapping_rules = {MakeRule("m1", "scope", "ops")};
  seed.groups = {MakeGroup("g1")};
  seed.roles = {MakeRole("r1")};
  seed.tenants = {MakeTenant("t1")};
  // Each membership needs entities from earlier steps: the order of docs/semantics.md §8 makes them
  // valid.
  seed.memberships = {{ContainerType::kGroup, "g1", MemberType::kMappingRule, "m1"},
                      {ContainerType::kGroup, "g1", MemberType::kUser, "alice"},
                      {ContainerType::kRole, "r1", MemberType::kGroup, "g1"},
                      {ContainerType::kTenant, "t1", MemberType::kRole, "r1"}};
  seed.default_role_members = {{ContainerType::kRole, "admin", MemberType::kUser, "alice"}};
  seed.authorizations = {Spec(OwnerType::kMappingRule, "m1", R::kProcessDefinition, "*",
                              Bit(P::kReadProcessDefinition)),
                         Spec(OwnerType::kRole, "r1", R::kRole, "r1", Bit(P::kRead)),
                         Spec(OwnerType::kUser, "alice", R::kUser, "alice", Bit(P::kRead))};
  return seed;
}

TEST(InitializationTest, AppliesTheSeedInOrder) {
  IdentityState state = NewState(BasicConfig(), FullSeed());
  EXPECT_NE(state.FindUser("alice"), nullptr);
  EXPECT_NE(state.FindMappingRule("m1"), nullptr);
  EXPECT_NE(state.FindGroup("g1"), nullptr);
  EXPECT_NE(state.FindRole("r1"), nullptr);
  EXPECT_NE(state.FindTenant("t1"), nullptr);
  EXPECT_NE(state.FindTenant("<default>"), nullptr);
  for (const Membership& m : FullSeed().memberships) EXPECT_TRUE(state.HasMembership(m));
  EXPECT_TRUE(state.HasMembership({ContainerType::kRole, "admin", MemberType::kUser, "alice"}));
  EXPECT_EQ(state.AuthorizationsOwnedBy(OwnerType::kMappingRule, "m1").size(), 1u);
  EXPECT_EQ(state.AuthorizationsOwnedBy(OwnerType::kRole, "r1").size(), 1u);
  EXPECT_EQ(state.AuthorizationsOwnedBy(OwnerType::kUser, "alice").size(), 1u);
}

struct BadSeed {
  std::string label;
  InitializationSeed seed;
  std::string entry;  // what the error must name
};

std::vector<BadSeed> BadSeeds() {
  std::vector<BadSeed> out;
  InitializationSeed s = FullSeed();
  s.groups.push_back(MakeGroup("bad group"));
  out.push_back({"invalid group id", s, "bad group"});
  s = FullSeed();
  s.tenants.push_back(MakeTenant("tenant-name-that-is-far-too-long-x"));
  out.push_back({"invalid tenant id", s, "tenant-name-that-is-far-too-long-x"});
  s = FullSeed();
  s.mapping_rules.push_back(MakeRule("m2", "$..scope", "ops"));
  out.push_back({"unsupported claim path", s, "m2"});
  s = FullSeed();
  s.roles.push_back(MakeRole("r1"));
  out.push_back({"duplicate role", s, "r1"});
  s = FullSeed();
  s.memberships.push_back({ContainerType::kRole, "r1", MemberType::kMappingRule, "ghost-rule"});
  out.push_back({"missing member", s, "ghost-rule"});
  s = FullSeed();
  s.default_role_members.push_back({ContainerType::kRole, "r1", MemberType::kUser, "alice"});
  out.push_back({"default-role member of a non-default role", s, "r1"});
  s = FullSeed();
  s.authorizations.push_back(
      Spec(OwnerType::kRole, "r1", R::kDocument, "doc-9", Bit(P::kUpdateUserTask)));
  out.push_back({"unsupported permission", s, "UPDATE_USER_TASK"});
  s = FullSeed();
  s.authorizations.push_back(
      Spec(OwnerType::kRole, "ghost-role", R::kDocument, "*", Bit(P::kRead)));
  out.push_back({"missing owner", s, "ghost-role"});
  return out;
}

TEST(InitializationTest, InvalidSeedEntryAbortsWithNothingApplied) {
  for (const BadSeed& bad : BadSeeds()) {
    SCOPED_TRACE(bad.label);
    IdentityState state;
    MustExecute(state, Configure{BasicConfig()});
    absl::Status status = Refuse(state, Initialize{bad.seed});
    EXPECT_THAT(status.message(), HasSubstr(bad.entry)) << status;
    EXPECT_FALSE(state.initialized());
    EXPECT_EQ(state.FindTenant("<default>"), nullptr);
    EXPECT_TRUE(state.roles().empty());
    // Nothing was half-applied: a valid initialization still runs afterwards.
    MustExecute(state, Initialize{FullSeed()});
    EXPECT_TRUE(state.initialized());
  }
}

}  // namespace
}  // namespace clearance
