// Initialize (docs/semantics.md §8): the defaults, then the seed, as one all-or-nothing change set.
#include "clearance/internal/strings.h"
#include "commands/default_roles.h"
#include "commands/planner_internal.h"
#include "model/utf8.h"

namespace clearance::commands_internal {
namespace {

// Plans the sub-commands one after another on a scratch copy, so later entries see earlier
// ones, and concatenates their change sets. The first refusal aborts everything, naming the
// entry.
class InitializationBuilder {
 public:
  explicit InitializationBuilder(const IdentityState& state) : scratch_(state) {
    result_.initializes = true;
  }

  absl::Status Step(const Command& command, std::string_view entry) {
    absl::StatusOr<ChangeSet> cs = PlanOne(scratch_, command, /*initializing=*/true);
    if (!cs.ok()) {
      return absl::Status(
          cs.status().code(),
          strings_internal::StrCat("initialization: ", entry, ": ", cs.status().message()));
    }
    scratch_.Apply(*cs);
    for (RowChange& c : cs->changes) result_.changes.push_back(std::move(c));
    if (cs->next_authorization_key) result_.next_authorization_key = cs->next_authorization_key;
    return absl::OkStatus();
  }

  ChangeSet Finish() { return std::move(result_); }

 private:
  IdentityState scratch_;
  ChangeSet result_;
};

std::string Entry(std::string_view list, size_t index, std::string_view id) {
  return strings_internal::StrCat(list, "[", index, "] ", model_internal::Quoted(id));
}

}  // namespace

absl::StatusOr<ChangeSet> PlanInitialize(const IdentityState& state, const Initialize& command) {
  if (state.initialized()) {
    return absl::FailedPreconditionError(
        "initialization: the store is already initialized; initialization runs once");
  }
  InitializationBuilder b(state);
  const InitializationSeed& seed = command.seed;

  CLEARANCE_RETURN_IF_ERROR(
      b.Step(CreateTenant{{std::string(kDefaultTenantId), "Default", ""}}, "default tenant"));
  for (const DefaultRole& role : DefaultRoles()) {
    std::string entry = strings_internal::StrCat("default role '", role.id, "'");
    CLEARANCE_RETURN_IF_ERROR(
        b.Step(CreateRole{{std::string(role.id), std::string(role.name), ""}}, entry));
    for (const auto& [type, permissions] : role.grants) {
      CLEARANCE_RETURN_IF_ERROR(b.Step(
          CreateAuthorization{{OwnerType::kRole, std::string(role.id), type, "*", "", permissions}},
          entry));
    }
    if (role.member_of_default_tenant) {
      CLEARANCE_RETURN_IF_ERROR(
          b.Step(AddMember{{ContainerType::kTenant, std::string(kDefaultTenantId),
                            MemberType::kRole, std::string(role.id)}},
                 entry));
    }
  }

  // The seed, in docs/semantics.md §8's order.
  for (size_t i = 0; i < seed.tenants.size(); ++i) {
    CLEARANCE_RETURN_IF_ERROR(
        b.Step(CreateTenant{seed.tenants[i]}, Entry("tenants", i, seed.tenants[i].id)));
  }
  for (size_t i = 0; i < seed.groups.size(); ++i) {
    CLEARANCE_RETURN_IF_ERROR(
        b.Step(CreateGroup{seed.groups[i]}, Entry("groups", i, seed.groups[i].id)));
  }
  for (size_t i = 0; i < seed.roles.size(); ++i) {
    CLEARANCE_RETURN_IF_ERROR(
        b.Step(CreateRole{seed.roles[i]}, Entry("roles", i, seed.roles[i].id)));
  }
  for (size_t i = 0; i < seed.mapping_rules.size(); ++i) {
    CLEARANCE_RETURN_IF_ERROR(b.Step(CreateMappingRule{seed.mapping_rules[i]},
                                     Entry("mappingRules", i, seed.mapping_rules[i].id)));
  }
  for (size_t i = 0; i < seed.users.size(); ++i) {
    CLEARANCE_RETURN_IF_ERROR(
        b.Step(CreateUser{seed.users[i]}, Entry("users", i, seed.users[i].username)));
  }
  // Group members, then role members, then tenant members.
  for (ContainerType container :
       {ContainerType::kGroup, ContainerType::kRole, ContainerType::kTenant}) {
    for (size_t i = 0; i < seed.memberships.size(); ++i) {
      const Membership& m = seed.memberships[i];
      if (m.container_type != container) continue;
      CLEARANCE_RETURN_IF_ERROR(b.Step(AddMember{m}, Entry("members", i, m.member_id)));
    }
  }
  for (size_t i = 0; i < seed.default_role_members.size(); ++i) {
    const Membership& m = seed.default_role_members[i];
    std::string entry = Entry("defaultRoles members", i, m.member_id);
    if (m.container_type != ContainerType::kRole || !IsProtectedRole(m.container_id)) {
      return absl::InvalidArgumentError(strings_internal::StrCat(
          "initialization: ", entry, ": ", Name(m.container_type), " ",
          model_internal::Quoted(m.container_id),
          " is not a default role; expected one of admin, readonly-admin, rpa, connectors, "
          "app-integrations"));
    }
    CLEARANCE_RETURN_IF_ERROR(b.Step(AddMember{m}, entry));
  }
  for (size_t i = 0; i < seed.authorizations.size(); ++i) {
    const AuthorizationSpec& a = seed.authorizations[i];
    CLEARANCE_RETURN_IF_ERROR(b.Step(
        CreateAuthorization{a},
        Entry("authorizations", i, strings_internal::StrCat(Name(a.owner_type), ":", a.owner_id))));
  }
  return b.Finish();
}

}  // namespace clearance::commands_internal
