// Commands: every change to the identity state (docs/semantics.md §1-§4, §8).
//
// A command is validated against the current state by Plan(), which either refuses it (the state
// is untouched) or returns the ChangeSet that carries it out, cascades included. Input is
// validated before state is consulted (docs/semantics.md §10), so a malformed command gets
// INVALID_ARGUMENT whatever the state holds.
//
// Error codes (absl::StatusCode):
//   INVALID_ARGUMENT     syntax, unsupported permissions, matcher misuse, member types
//   ALREADY_EXISTS       duplicate id, duplicate (claimName, claimValue), duplicate grant,
//                        member added twice
//   NOT_FOUND            missing entity, member, authorization key or owner
//   FAILED_PRECONDITION  mode (user commands under OIDC), protected default roles,
//                        initialization order
// Every message names the field, the value's problem and what was expected.
#ifndef CLEARANCE_COMMANDS_H_
#define CLEARANCE_COMMANDS_H_

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "clearance/config.h"
#include "clearance/model.h"
#include "clearance/state.h"

namespace clearance {

struct CreateUser {
  User user;
};
struct UpdateUser {
  User user;
};  // replaces name, email, password hash
struct DeleteUser {
  std::string username;
};

struct CreateGroup {
  Group group;
};
struct UpdateGroup {
  Group group;
};
struct DeleteGroup {
  std::string id;
};

struct CreateRole {
  Role role;
};
struct UpdateRole {
  Role role;
};
struct DeleteRole {
  std::string id;
};

struct CreateTenant {
  Tenant tenant;
};
struct UpdateTenant {
  Tenant tenant;
};
struct DeleteTenant {
  std::string id;
};

// MappingRule::path is ignored on input; the planner compiles claim_name.
struct CreateMappingRule {
  MappingRule rule;
};
struct UpdateMappingRule {
  MappingRule rule;
};
struct DeleteMappingRule {
  std::string id;
};

struct AddMember {
  Membership membership;
};
struct RemoveMember {
  Membership membership;
};

// The target of an authorization as an operator states it: exactly one of resource_id ("*" for
// every resource, else one id) and resource_property_name (USER_TASK only).
struct AuthorizationSpec {
  OwnerType owner_type = OwnerType::kUser;
  std::string owner_id;
  ResourceType resource_type = ResourceType::kAuthorization;
  std::string resource_id;
  std::string resource_property_name;
  PermissionMask permissions = 0;
};
struct CreateAuthorization {
  AuthorizationSpec spec;
};
struct UpdateAuthorization {
  AuthorizationKey key = 0;
  AuthorizationSpec spec;
};
struct DeleteAuthorization {
  AuthorizationKey key = 0;
};

// Replaces the configuration. Allowed before and after initialization.
struct Configure {
  Configuration configuration;
};

// The seed of docs/semantics.md §8, in the shape of Camunda's camunda.security.initialization.
struct InitializationSeed {
  std::vector<User> users;
  std::vector<MappingRule> mapping_rules;
  std::vector<Group> groups;
  std::vector<Role> roles;
  std::vector<Tenant> tenants;
  std::vector<Membership> memberships;           // group, role and tenant members
  std::vector<Membership> default_role_members;  // container must be a default role
  std::vector<AuthorizationSpec> authorizations;
};
// Creates <default>, the default roles with their grants, then the seed. Runs once.
struct Initialize {
  InitializationSeed seed;
};

using Command = std::variant<CreateUser, UpdateUser, DeleteUser, CreateGroup, UpdateGroup,
                             DeleteGroup, CreateRole, UpdateRole, DeleteRole, CreateTenant,
                             UpdateTenant, DeleteTenant, CreateMappingRule, UpdateMappingRule,
                             DeleteMappingRule, AddMember, RemoveMember, CreateAuthorization,
                             UpdateAuthorization, DeleteAuthorization, Configure, Initialize>;

// A short name for logs and errors ("CreateAuthorization").
std::string_view CommandName(const Command& command);

// Validates `command` against `state`. On success returns the ChangeSet that carries it out; on
// failure the error described above. Never modifies `state`.
[[nodiscard]] absl::StatusOr<ChangeSet> Plan(const IdentityState& state, const Command& command);

// Plan() then Apply(): the convenience for callers that keep only the in-memory state. On error
// `state` is unchanged. Returns the applied ChangeSet (it holds the new authorization's key).
[[nodiscard]] absl::StatusOr<ChangeSet> Execute(IdentityState& state, const Command& command);

// Snapshot import: validates one row of a stored state as docs/semantics.md requires (the same
// rules as creating it, except that an authorization keeps its key and the duplicate-grant rule,
// which applies to creation only, is not re-checked) and plans putting it. Rows must arrive in
// dependency order: tenants, groups, roles, mapping rules, users, memberships, authorizations.
// Authorization keys must be unique; next_authorization_key moves past each restored key.
// REQUIRES: !state.initialized() (import fills an empty store, then marks it initialized).
[[nodiscard]] absl::StatusOr<ChangeSet> PlanRestore(const IdentityState& state, const Row& row);

}  // namespace clearance

#endif  // CLEARANCE_COMMANDS_H_
