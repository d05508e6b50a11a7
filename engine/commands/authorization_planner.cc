// Authorization commands: create, update, delete (docs/semantics.md §2, §3, §8, §10).
#include <algorithm>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "commands/default_roles.h"
#include "commands/planner_internal.h"
#include "model/utf8.h"

namespace clearance::commands_internal {
namespace {

using model_internal::Quoted;

// Input-only checks; returns the scope the spec names.
absl::StatusOr<Scope> CheckSpec(const InputRules& rules, const AuthorizationSpec& spec) {
  CLEARANCE_RETURN_IF_ERROR(rules.MemberId(spec.owner_type, "ownerId", spec.owner_id));
  const bool has_id = !spec.resource_id.empty();
  const bool has_property = !spec.resource_property_name.empty();
  if (has_id && has_property) {
    return absl::InvalidArgumentError(
        "resourceId and resourcePropertyName: both are set; expected exactly one of them");
  }
  if (!has_id && !has_property) {
    return absl::InvalidArgumentError(
        "resourceId: is empty; expected a resource id, '*' for every resource, or a "
        "resourcePropertyName (USER_TASK only)");
  }
  Scope scope;
  if (has_property) {
    if (!SupportsPropertyScopes(spec.resource_type)) {
      return absl::InvalidArgumentError(strings_internal::StrCat(
          "resourcePropertyName: ", Quoted(spec.resource_property_name),
          " is set but resource type ",
          Name(spec.resource_type),
          " does not support property scopes; expected a resourceId (property scopes are for "
          "USER_TASK only)"));
    }
    const std::string& p = spec.resource_property_name;
    if (p != kPropertyAssignee && p != kPropertyCandidateUsers && p != kPropertyCandidateGroups) {
      return absl::InvalidArgumentError(strings_internal::StrCat(
          "resourcePropertyName: ", Quoted(p), " is not a user-task property; expected one of ",
          kPropertyAssignee, ", ", kPropertyCandidateUsers, ", ", kPropertyCandidateGroups));
    }
    scope = Scope::Property(p);
  } else {
    CLEARANCE_RETURN_IF_ERROR(rules.ResourceId("resourceId", spec.resource_id));
    scope = spec.resource_id == kWildcardResourceId ? Scope::Any() : Scope::Id(spec.resource_id);
  }
  if (spec.permissions == 0) {
    return absl::InvalidArgumentError(
        strings_internal::StrCat("permissions: is empty; expected at least one of ",
                                 FormatPermissions(SupportedPermissions(spec.resource_type))));
  }
  PermissionMask unsupported = spec.permissions & ~SupportedPermissions(spec.resource_type);
  if (unsupported != 0) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        "permissions: ", FormatPermissions(unsupported), " not supported by resource type ",
        Name(spec.resource_type), "; expected any of ",
        FormatPermissions(SupportedPermissions(spec.resource_type))));
  }
  return scope;
}

// Owners and named resources that must exist (docs/semantics.md §10): ROLE and MAPPING_RULE always,
// USER only in basic mode, GROUP unless a groups claim is configured, CLIENT never.
absl::Status RequireExists(const IdentityState& state, OwnerType type, std::string_view id,
                           std::string_view what) {
  bool exists = true;
  switch (type) {
    case OwnerType::kRole:
      exists = state.FindRole(id) != nullptr;
      break;
    case OwnerType::kMappingRule:
      exists = state.FindMappingRule(id) != nullptr;
      break;
    case OwnerType::kUser:
      exists = state.config().mode != AuthMode::kBasic || state.FindUser(id) != nullptr;
      break;
    case OwnerType::kGroup:
      exists = state.config().groups_claim_configured() || state.FindGroup(id) != nullptr;
      break;
    case OwnerType::kClient:
      break;
  }
  if (!exists) {
    return absl::NotFoundError(
        strings_internal::StrCat(what, ": ", Name(type), " ", Quoted(id), " does not exist"));
  }
  return absl::OkStatus();
}

absl::Status CheckReferences(const IdentityState& state, const AuthorizationSpec& spec,
                             const Scope& scope) {
  CLEARANCE_RETURN_IF_ERROR(RequireExists(state, spec.owner_type, spec.owner_id, "owner"));
  if (scope.matcher != Matcher::kId) return absl::OkStatus();
  switch (spec.resource_type) {
    case ResourceType::kGroup:
      return RequireExists(state, OwnerType::kGroup, scope.value, "resource");
    case ResourceType::kRole:
      return RequireExists(state, OwnerType::kRole, scope.value, "resource");
    case ResourceType::kUser:
      return RequireExists(state, OwnerType::kUser, scope.value, "resource");
    case ResourceType::kMappingRule:
      return RequireExists(state, OwnerType::kMappingRule, scope.value, "resource");
    default:
      return absl::OkStatus();
  }
}

absl::Status RequireUnprotectedOwner(const Authorization& a, std::string_view verb) {
  if (a.owner_type == OwnerType::kRole && IsProtectedRole(a.owner_id)) {
    return absl::FailedPreconditionError(strings_internal::StrCat(
        "authorization ", a.key, " is owned by the protected default role ", Quoted(a.owner_id),
        " and cannot be ", verb));
  }
  return absl::OkStatus();
}

Authorization Build(AuthorizationKey key, const AuthorizationSpec& spec, Scope scope) {
  return Authorization{
      key, spec.owner_type, spec.owner_id, spec.resource_type, std::move(scope), spec.permissions};
}

absl::StatusOr<ChangeSet> PlanCreate(const IdentityState& state, const InputRules& rules,
                                     const CreateAuthorization& c) {
  CLEARANCE_ASSIGN_OR_RETURN(Scope scope, CheckSpec(rules, c.spec));
  CLEARANCE_RETURN_IF_ERROR(CheckReferences(state, c.spec, scope));
  for (AuthorizationKey key : state.AuthorizationsOwnedBy(c.spec.owner_type, c.spec.owner_id)) {
    const Authorization& a = *state.FindAuthorization(key);
    PermissionMask overlap = a.permissions & c.spec.permissions;
    if (a.resource_type == c.spec.resource_type && a.scope == scope && overlap != 0) {
      return absl::AlreadyExistsError(strings_internal::StrCat(
          Name(c.spec.owner_type), " ", Quoted(c.spec.owner_id), " already holds ",
          FormatPermissions(overlap), " on ", Name(c.spec.resource_type), " ", Quoted(scope.value),
          " through authorization ", key));
    }
  }
  const AuthorizationKey key = state.next_authorization_key();
  ChangeSet cs;
  cs.changes.push_back({RowChange::Op::kPut, Build(key, c.spec, std::move(scope))});
  cs.next_authorization_key = key + 1;
  return cs;
}

absl::StatusOr<ChangeSet> PlanUpdate(const IdentityState& state, const InputRules& rules,
                                     const UpdateAuthorization& c) {
  CLEARANCE_ASSIGN_OR_RETURN(Scope scope, CheckSpec(rules, c.spec));
  const Authorization* current = state.FindAuthorization(c.key);
  if (!current) return NotFound("authorization", strings_internal::StrCat(c.key));
  CLEARANCE_RETURN_IF_ERROR(RequireUnprotectedOwner(*current, "updated"));
  CLEARANCE_RETURN_IF_ERROR(CheckReferences(state, c.spec, scope));
  ChangeSet cs;
  cs.changes.push_back({RowChange::Op::kPut, Build(c.key, c.spec, std::move(scope))});
  return cs;
}

absl::StatusOr<ChangeSet> PlanDelete(const IdentityState& state, const DeleteAuthorization& c) {
  const Authorization* current = state.FindAuthorization(c.key);
  if (!current) return NotFound("authorization", strings_internal::StrCat(c.key));
  CLEARANCE_RETURN_IF_ERROR(RequireUnprotectedOwner(*current, "deleted"));
  ChangeSet cs;
  cs.changes.push_back({RowChange::Op::kDelete, *current});
  return cs;
}

}  // namespace

absl::StatusOr<ChangeSet> PlanRestoreAuthorization(const IdentityState& state,
                                                   const InputRules& rules,
                                                   const Authorization& a) {
  if (a.key == 0) {
    return absl::InvalidArgumentError("authorizationKey: is 0; expected a positive key");
  }
  AuthorizationSpec spec{a.owner_type, a.owner_id, a.resource_type, "", "", a.permissions};
  (a.scope.matcher == Matcher::kProperty ? spec.resource_property_name : spec.resource_id) =
      a.scope.value;
  CLEARANCE_ASSIGN_OR_RETURN(Scope scope, CheckSpec(rules, spec));
  if (scope != a.scope) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        "matcher: ", Name(a.scope.matcher), " does not fit resource ", Quoted(a.scope.value),
        "; expected ANY for '*', ID for any other id, PROPERTY for a property name"));
  }
  if (state.FindAuthorization(a.key)) {
    return absl::AlreadyExistsError(
        strings_internal::StrCat("authorization ", a.key, " already exists"));
  }
  CLEARANCE_RETURN_IF_ERROR(CheckReferences(state, spec, scope));
  ChangeSet cs;
  cs.changes.push_back({RowChange::Op::kPut, a});
  cs.next_authorization_key = std::max(state.next_authorization_key(), a.key + 1);
  return cs;
}

absl::StatusOr<ChangeSet> PlanAuthorization(const IdentityState& state, const InputRules& rules,
                                            const Command& command) {
  if (const auto* c = std::get_if<CreateAuthorization>(&command)) {
    return PlanCreate(state, rules, *c);
  }
  if (const auto* c = std::get_if<UpdateAuthorization>(&command)) {
    return PlanUpdate(state, rules, *c);
  }
  return PlanDelete(state, std::get<DeleteAuthorization>(command));
}

}  // namespace clearance::commands_internal
