// Plan(): commands to change sets. Entities and memberships live here; authorizations in
// authorization_planner.cc, initialization in initialization.cc.
#include <cctype>
#include <type_traits>

#include "clearance/commands.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "commands/default_roles.h"
#include "commands/planner_internal.h"
#include "model/utf8.h"

namespace clearance {
namespace commands_internal {
namespace {

using model_internal::CheckOptionalText;
using model_internal::CheckRequiredText;
using model_internal::CheckTenantId;
using model_internal::kMaxDescriptionLength;
using model_internal::kMaxTextLength;
using model_internal::Quoted;

RowChange PutRow(Row row) { return {RowChange::Op::kPut, std::move(row)}; }
RowChange DeleteRow(Row row) { return {RowChange::Op::kDelete, std::move(row)}; }

// bcrypt as Spring and libxcrypt write it: optional "{bcrypt}", "$2a$"/"$2b$"/"$2y$", a two-digit
// cost 04-31, "$", then 53 characters of bcrypt's base64 alphabet (22 salt + 31 hash).
absl::Status CheckPasswordHash(std::string_view hash) {
  constexpr std::string_view kExpected =
      "expected a bcrypt hash such as '$2a$10$' followed by 53 characters, optionally prefixed "
      "with '{bcrypt}'";
  std::string_view h = hash;
  if (h.starts_with("{bcrypt}")) h.remove_prefix(8);
  bool ok = h.size() == 60 && h[0] == '$' && h[1] == '2' &&
            (h[2] == 'a' || h[2] == 'b' || h[2] == 'y') && h[3] == '$' &&
            std::isdigit(static_cast<unsigned char>(h[4])) &&
            std::isdigit(static_cast<unsigned char>(h[5])) && h[6] == '$';
  if (ok) {
    int cost = (h[4] - '0') * 10 + (h[5] - '0');
    ok = cost >= 4 && cost <= 31;
    for (size_t i = 7; ok && i < h.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(h[i]);
      ok = std::isalnum(c) || c == '.' || c == '/';
    }
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        strings_internal::StrCat("password: the stored hash is not a bcrypt hash; ", kExpected));
  }
  return absl::OkStatus();
}

absl::Status CheckUser(const InputRules& rules, const User& u) {
  CLEARANCE_RETURN_IF_ERROR(rules.Id("username", u.username));
  CLEARANCE_RETURN_IF_ERROR(CheckOptionalText("name", u.name, kMaxTextLength));
  CLEARANCE_RETURN_IF_ERROR(CheckOptionalText("email", u.email, kMaxTextLength));
  return CheckPasswordHash(u.password_hash);
}

// Groups, roles and tenants share their shape: id, required name, optional description.
template <typename T>
absl::Status CheckNamed(const T& e) {
  CLEARANCE_RETURN_IF_ERROR(CheckRequiredText("name", e.name));
  return CheckOptionalText("description", e.description, kMaxDescriptionLength);
}

absl::StatusOr<MappingRule> CheckMappingRule(const InputRules& rules, const MappingRule& in) {
  CLEARANCE_RETURN_IF_ERROR(rules.Id("mappingRuleId", in.id));
  CLEARANCE_RETURN_IF_ERROR(CheckRequiredText("claimName", in.claim_name));
  CLEARANCE_RETURN_IF_ERROR(CheckRequiredText("claimValue", in.claim_value));
  CLEARANCE_RETURN_IF_ERROR(CheckRequiredText("name", in.name));
  CLEARANCE_ASSIGN_OR_RETURN(ClaimPath path, ClaimPath::Compile(in.claim_name, "claimName"));
  MappingRule out = in;
  out.path = std::move(path);
  return out;
}

absl::Status AlreadyExists(std::string_view what, std::string_view id) {
  return absl::AlreadyExistsError(
      strings_internal::StrCat(what, " ", Quoted(id), " already exists"));
}

absl::Status RequireBasicMode(const IdentityState& state) {
  if (state.config().mode != AuthMode::kBasic) {
    return absl::FailedPreconditionError(
        "users are stored only in basic-auth mode; under OIDC a user exists only as a token's "
        "username");
  }
  return absl::OkStatus();
}

// The cascade of deleting one entity: its memberships as container and as member, and the
// authorizations it owns.
void AddCascade(const IdentityState& state, std::optional<ContainerType> as_container,
                std::optional<MemberType> as_member, std::string_view id, ChangeSet* cs) {
  if (as_container) {
    for (Membership& m : state.MembersOf(*as_container, id)) cs->changes.push_back(DeleteRow(m));
  }
  if (as_member) {
    for (Membership& m : state.ContainersOf(*as_member, id)) cs->changes.push_back(DeleteRow(m));
    for (AuthorizationKey key : state.AuthorizationsOwnedBy(*as_member, id)) {
      cs->changes.push_back(DeleteRow(*state.FindAuthorization(key)));
    }
  }
}

// The settings that decide which stored rows are valid: the id rule, the relaxed group ids of a
// groups claim, and the mode (users exist only in basic mode; owners must exist by mode).
bool SameRowRules(const Configuration& a, const Configuration& b) {
  return a.id_pattern == b.id_pattern && a.mode == b.mode &&
         a.groups_claim_configured() == b.groups_claim_configured();
}

// A configuration is refused when some stored row would not be valid under it: otherwise the
// state could not be restored from its own snapshot (PlanRestore checks every row under the
// snapshot's configuration). Checked by restoring every row into a scratch state, in snapshot
// order, only when a setting that decides row validity changes.
absl::Status RequireRowsValidUnder(const IdentityState& state, const Configuration& config) {
  if (!state.initialized() || SameRowRules(state.config(), config)) return absl::OkStatus();
  IdentityState scratch;
  ChangeSet configured;
  configured.configuration = config;
  scratch.Apply(configured);
  auto restore = [&](const Row& row) -> absl::Status {
    absl::StatusOr<ChangeSet> cs = PlanRestore(scratch, row);
    if (!cs.ok()) {
      return absl::Status(
          cs.status().code(),
          strings_internal::StrCat("configuration: a stored row would not be "
                                   "valid under it (",
                                   cs.status().message(), "); change or delete that row first"));
    }
    scratch.Apply(*cs);
    return absl::OkStatus();
  };
  for (const auto& [id, t] : state.tenants()) CLEARANCE_RETURN_IF_ERROR(restore(t));
  for (const auto& [id, g] : state.groups()) CLEARANCE_RETURN_IF_ERROR(restore(g));
  for (const auto& [id, r] : state.roles()) CLEARANCE_RETURN_IF_ERROR(restore(r));
  for (const auto& [id, m] : state.mapping_rules()) CLEARANCE_RETURN_IF_ERROR(restore(m));
  for (const auto& [id, u] : state.users()) CLEARANCE_RETURN_IF_ERROR(restore(u));
  for (const Membership& m : state.memberships()) CLEARANCE_RETURN_IF_ERROR(restore(m));
  for (const auto& [key, a] : state.authorizations()) CLEARANCE_RETURN_IF_ERROR(restore(a));
  return absl::OkStatus();
}

std::string_view ContainerNoun(ContainerType type) {
  switch (type) {
    case ContainerType::kGroup:
      return "group";
    case ContainerType::kRole:
      return "role";
    case ContainerType::kTenant:
      return "tenant";
  }
  return "container";
}

class EntityPlanner {
 public:
  EntityPlanner(const IdentityState& state, const InputRules& rules)
      : state_(state), rules_(rules) {}

  absl::StatusOr<ChangeSet> operator()(const CreateUser& c) {
    CLEARANCE_RETURN_IF_ERROR(CheckUser(rules_, c.user));
    CLEARANCE_RETURN_IF_ERROR(RequireBasicMode(state_));
    if (state_.FindUser(c.user.username)) return AlreadyExists("user", c.user.username);
    return Put(c.user);
  }
  absl::StatusOr<ChangeSet> operator()(const UpdateUser& c) {
    CLEARANCE_RETURN_IF_ERROR(CheckUser(rules_, c.user));
    CLEARANCE_RETURN_IF_ERROR(RequireBasicMode(state_));
    if (!state_.FindUser(c.user.username)) return NotFound("user", c.user.username);
    return Put(c.user);
  }
  absl::StatusOr<ChangeSet> operator()(const DeleteUser& c) {
    CLEARANCE_RETURN_IF_ERROR(rules_.Id("username", c.username));
    CLEARANCE_RETURN_IF_ERROR(RequireBasicMode(state_));
    const User* u = state_.FindUser(c.username);
    if (!u) return NotFound("user", c.username);
    return Delete(*u, std::nullopt, MemberType::kUser, c.username);
  }

  absl::StatusOr<ChangeSet> operator()(const CreateGroup& c) {
    CLEARANCE_RETURN_IF_ERROR(rules_.GroupId("groupId", c.group.id));
    CLEARANCE_RETURN_IF_ERROR(CheckNamed(c.group));
    if (state_.FindGroup(c.group.id)) return AlreadyExists("group", c.group.id);
    return Put(c.group);
  }
  absl::StatusOr<ChangeSet> operator()(const UpdateGroup& c) {
    CLEARANCE_RETURN_IF_ERROR(rules_.GroupId("groupId", c.group.id));
    CLEARANCE_RETURN_IF_ERROR(CheckNamed(c.group));
    if (!state_.FindGroup(c.group.id)) return NotFound("group", c.group.id);
    return Put(c.group);
  }
  absl::StatusOr<ChangeSet> operator()(const DeleteGroup& c) {
    CLEARANCE_RETURN_IF_ERROR(rules_.GroupId("groupId", c.id));
    const Group* g = state_.FindGroup(c.id);
    if (!g) return NotFound("group", c.id);
    return Delete(*g, ContainerType::kGroup, MemberType::kGroup, c.id);
  }

  absl::StatusOr<ChangeSet> operator()(const CreateRole& c) {
    CLEARANCE_RETURN_IF_ERROR(rules_.RoleId("roleId", c.role.id));
    CLEARANCE_RETURN_IF_ERROR(CheckNamed(c.role));
    if (state_.FindRole(c.role.id)) return AlreadyExists("role", c.role.id);
    return Put(c.role);
  }
  absl::StatusOr<ChangeSet> operator()(const UpdateRole& c) {
    CLEARANCE_RETURN_IF_ERROR(rules_.RoleId("roleId", c.role.id));
    CLEARANCE_RETURN_IF_ERROR(CheckNamed(c.role));
    if (!state_.FindRole(c.role.id)) return NotFound("role", c.role.id);
    CLEARANCE_RETURN_IF_ERROR(RequireUnprotected(c.role.id, "updated"));
    return Put(c.role);
  }
  absl::StatusOr<ChangeSet> operator()(const DeleteRole& c) {
    CLEARANCE_RETURN_IF_ERROR(rules_.RoleId("roleId", c.id));
    const Role* r = state_.FindRole(c.id);
    if (!r) return NotFound("role", c.id);
    CLEARANCE_RETURN_IF_ERROR(RequireUnprotected(c.id, "deleted"));
    return Delete(*r, ContainerType::kRole, MemberType::kRole, c.id);
  }

  absl::StatusOr<ChangeSet> operator()(const CreateTenant& c) {
    CLEARANCE_RETURN_IF_ERROR(CheckTenantId("tenantId", c.tenant.id));
    CLEARANCE_RETURN_IF_ERROR(CheckNamed(c.tenant));
    if (state_.FindTenant(c.tenant.id)) return AlreadyExists("tenant", c.tenant.id);
    return Put(c.tenant);
  }
  absl::StatusOr<ChangeSet> operator()(const UpdateTenant& c) {
    CLEARANCE_RETURN_IF_ERROR(CheckTenantId("tenantId", c.tenant.id));
    CLEARANCE_RETURN_IF_ERROR(CheckNamed(c.tenant));
    if (!state_.FindTenant(c.tenant.id)) return NotFound("tenant", c.tenant.id);
    return Put(c.tenant);
  }
  absl::StatusOr<ChangeSet> operator()(const DeleteTenant& c) {
    CLEARANCE_RETURN_IF_ERROR(CheckTenantId("tenantId", c.id));
    const Tenant* t = state_.FindTenant(c.id);
    if (!t) return NotFound("tenant", c.id);
    // Tenants are never members and never own authorizations.
    return Delete(*t, ContainerType::kTenant, std::nullopt, c.id);
  }

  absl::StatusOr<ChangeSet> operator()(const CreateMappingRule& c) {
    CLEARANCE_ASSIGN_OR_RETURN(MappingRule rule, CheckMappingRule(rules_, c.rule));
    if (state_.FindMappingRule(rule.id)) return AlreadyExists("mapping rule", rule.id);
    CLEARANCE_RETURN_IF_ERROR(RequireUniqueClaim(rule));
    return Put(std::move(rule));
  }
  absl::StatusOr<ChangeSet> operator()(const UpdateMappingRule& c) {
    CLEARANCE_ASSIGN_OR_RETURN(MappingRule rule, CheckMappingRule(rules_, c.rule));
    if (!state_.FindMappingRule(rule.id)) return NotFound("mapping rule", rule.id);
    CLEARANCE_RETURN_IF_ERROR(RequireUniqueClaim(rule));
    return Put(std::move(rule));
  }
  absl::StatusOr<ChangeSet> operator()(const DeleteMappingRule& c) {
    CLEARANCE_RETURN_IF_ERROR(rules_.Id("mappingRuleId", c.id));
    const MappingRule* r = state_.FindMappingRule(c.id);
    if (!r) return NotFound("mapping rule", c.id);
    return Delete(*r, std::nullopt, MemberType::kMappingRule, c.id);
  }

  absl::StatusOr<ChangeSet> operator()(const AddMember& c) {
    const Membership& m = c.membership;
    CLEARANCE_RETURN_IF_ERROR(CheckMembership(m));
    CLEARANCE_RETURN_IF_ERROR(RequireContainer(m));
    if (m.member_type == MemberType::kMappingRule && !state_.FindMappingRule(m.member_id)) {
      return NotFound("mapping rule", m.member_id);
    }
    if (m.member_type == MemberType::kRole && !state_.FindRole(m.member_id)) {
      return NotFound("role", m.member_id);
    }
    if (state_.HasMembership(m)) {
      return absl::AlreadyExistsError(strings_internal::StrCat(
          Name(m.member_type), " ", Quoted(m.member_id), " is already a member of ",
          Name(m.container_type), " ", Quoted(m.container_id)));
    }
    ChangeSet cs;
    cs.changes.push_back(PutRow(m));
    return cs;
  }
  absl::StatusOr<ChangeSet> operator()(const RemoveMember& c) {
    const Membership& m = c.membership;
    CLEARANCE_RETURN_IF_ERROR(CheckMembership(m));
    CLEARANCE_RETURN_IF_ERROR(RequireContainer(m));
    if (!state_.HasMembership(m)) {
      return absl::NotFoundError(strings_internal::StrCat(
          Name(m.member_type), " ", Quoted(m.member_id), " is not a member of ",
          Name(m.container_type), " ", Quoted(m.container_id)));
    }
    ChangeSet cs;
    cs.changes.push_back(DeleteRow(m));
    return cs;
  }

  absl::StatusOr<ChangeSet> operator()(const Configure& c) {
    CLEARANCE_RETURN_IF_ERROR(c.configuration.Validate());
    CLEARANCE_RETURN_IF_ERROR(RequireRowsValidUnder(state_, c.configuration));
    ChangeSet cs;
    cs.configuration = c.configuration;
    return cs;
  }

 private:
  template <typename T>
  ChangeSet Put(T row) {
    ChangeSet cs;
    cs.changes.push_back(PutRow(std::move(row)));
    return cs;
  }

  template <typename T>
  ChangeSet Delete(const T& row, std::optional<ContainerType> as_container,
                   std::optional<MemberType> as_member, std::string_view id) {
    ChangeSet cs;
    AddCascade(state_, as_container, as_member, id, &cs);
    cs.changes.push_back(DeleteRow(row));
    return cs;
  }

  absl::Status RequireUnprotected(std::string_view role_id, std::string_view verb) {
    if (IsProtectedRole(role_id)) {
      return absl::FailedPreconditionError(strings_internal::StrCat(
          "role ", Quoted(role_id), " is a protected default role and cannot be ", verb,
          "; members can be added and removed and new authorizations granted to it"));
    }
    return absl::OkStatus();
  }

  absl::Status RequireUniqueClaim(const MappingRule& rule) {
    const MappingRule* other = state_.FindMappingRuleByClaim(rule.claim_name, rule.claim_value);
    if (other && other->id != rule.id) {
      return absl::AlreadyExistsError(strings_internal::StrCat(
          "mapping rule ", Quoted(other->id), " already maps claimName ", Quoted(rule.claim_name),
          " with claimValue ", Quoted(rule.claim_value),
          "; (claimName, claimValue) must be unique"));
    }
    return absl::OkStatus();
  }

  absl::Status CheckMembership(const Membership& m) {
    if (!AcceptsMember(m.container_type, m.member_type)) {
      std::string accepted;
      for (int i = 0; i < kOwnerTypeCount; ++i) {
        if (AcceptsMember(m.container_type, static_cast<MemberType>(i))) {
          strings_internal::StrAppend(&accepted, accepted.empty() ? "" : ", ",
                                      Name(static_cast<MemberType>(i)));
        }
      }
      return absl::InvalidArgumentError(
          strings_internal::StrCat("memberType: a ", Name(m.container_type), " cannot hold a ",
                                   Name(m.member_type), "; expected one of ", accepted));
    }
    CLEARANCE_RETURN_IF_ERROR(rules_.ContainerId(m.container_type, "containerId", m.container_id));
    return rules_.MemberId(m.member_type, "memberId", m.member_id);
  }

  absl::Status RequireContainer(const Membership& m) {
    bool exists = false;
    switch (m.container_type) {
      case ContainerType::kGroup:
        exists = state_.FindGroup(m.container_id) != nullptr;
        break;
      case ContainerType::kRole:
        exists = state_.FindRole(m.container_id) != nullptr;
        break;
      case ContainerType::kTenant:
        exists = state_.FindTenant(m.container_id) != nullptr;
        break;
    }
    if (!exists) return NotFound(ContainerNoun(m.container_type), m.container_id);
    return absl::OkStatus();
  }

  const IdentityState& state_;
  const InputRules& rules_;
};

bool IsAuthorizationCommand(const Command& c) {
  return std::holds_alternative<CreateAuthorization>(c) ||
         std::holds_alternative<UpdateAuthorization>(c) ||
         std::holds_alternative<DeleteAuthorization>(c);
}

}  // namespace

absl::Status NotFound(std::string_view what, std::string_view id) {
  return absl::NotFoundError(
      strings_internal::StrCat(what, " ", model_internal::Quoted(id), " does not exist"));
}

absl::StatusOr<InputRules> InputRules::For(const Configuration& config) {
  CLEARANCE_ASSIGN_OR_RETURN(model_internal::IdentifierRule ids,
                             model_internal::IdentifierRule::Compile(config.id_pattern));
  InputRules rules;
  rules.config_ = &config;
  rules.ids_ = std::move(ids);
  return rules;
}

absl::Status InputRules::GroupId(std::string_view field, std::string_view value) const {
  if (config_->groups_claim_configured()) return model_internal::CheckRelaxedGroupId(field, value);
  return ids_.Check(field, value);
}

absl::Status InputRules::MemberId(MemberType type, std::string_view field,
                                  std::string_view value) const {
  switch (type) {
    case MemberType::kGroup:
      return GroupId(field, value);
    case MemberType::kRole:
      return RoleId(field, value);
    default:
      return ids_.Check(field, value);
  }
}

absl::Status InputRules::RoleId(std::string_view field, std::string_view value) const {
  if (IsProtectedRole(value)) return absl::OkStatus();
  return ids_.Check(field, value);
}

absl::Status InputRules::ContainerId(ContainerType type, std::string_view field,
                                     std::string_view value) const {
  switch (type) {
    case ContainerType::kGroup:
      return GroupId(field, value);
    case ContainerType::kRole:
      return RoleId(field, value);
    case ContainerType::kTenant:
      return CheckTenantId(field, value);
  }
  return absl::InternalError("unknown container type");
}

absl::StatusOr<ChangeSet> PlanOne(const IdentityState& state, const Command& command,
                                  bool initializing) {
  CLEARANCE_RETURN_IF_ERROR(CheckText(command));
  if (const auto* init = std::get_if<Initialize>(&command)) return PlanInitialize(state, *init);
  CLEARANCE_ASSIGN_OR_RETURN(InputRules rules, InputRules::For(state.config()));
  // Configuration may be set before initialization (it decides what the seed may hold).
  if (!initializing && !state.initialized() && !std::holds_alternative<Configure>(command)) {
    return absl::FailedPreconditionError(strings_internal::StrCat(
        CommandName(command), ": the store is not initialized; run Initialize first"));
  }
  if (IsAuthorizationCommand(command)) return PlanAuthorization(state, rules, command);
  EntityPlanner planner(state, rules);
  return std::visit(
      [&](const auto& c) -> absl::StatusOr<ChangeSet> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, CreateAuthorization> ||
                      std::is_same_v<T, UpdateAuthorization> ||
                      std::is_same_v<T, DeleteAuthorization> || std::is_same_v<T, Initialize>) {
          return absl::InternalError("unreachable");
        } else {
          return planner(c);
        }
      },
      command);
}

}  // namespace commands_internal

std::string_view CommandName(const Command& command) {
  static constexpr std::string_view kNames[] = {
      "CreateUser",        "UpdateUser",          "DeleteUser",          "CreateGroup",
      "UpdateGroup",       "DeleteGroup",         "CreateRole",          "UpdateRole",
      "DeleteRole",        "CreateTenant",        "UpdateTenant",        "DeleteTenant",
      "CreateMappingRule", "UpdateMappingRule",   "DeleteMappingRule",   "AddMember",
      "RemoveMember",      "CreateAuthorization", "UpdateAuthorization", "DeleteAuthorization",
      "Configure",         "Initialize"};
  static_assert(std::size(kNames) == std::variant_size_v<Command>);
  return kNames[command.index()];
}

absl::StatusOr<ChangeSet> Plan(const IdentityState& state, const Command& command) {
  return commands_internal::PlanOne(state, command, /*initializing=*/false);
}

absl::StatusOr<ChangeSet> PlanRestore(const IdentityState& state, const Row& row) {
  using commands_internal::PlanOne;
  if (state.initialized()) {
    return absl::FailedPreconditionError(
        "restore: the store is already initialized; a snapshot imports into an empty store only");
  }
  return std::visit(
      [&](const auto& r) -> absl::StatusOr<ChangeSet> {
        using T = std::decay_t<decltype(r)>;
        constexpr bool kInit = true;
        if constexpr (std::is_same_v<T, User>) {
          return PlanOne(state, CreateUser{r}, kInit);
        } else if constexpr (std::is_same_v<T, Group>) {
          return PlanOne(state, CreateGroup{r}, kInit);
        } else if constexpr (std::is_same_v<T, Role>) {
          return PlanOne(state, CreateRole{r}, kInit);
        } else if constexpr (std::is_same_v<T, Tenant>) {
          return PlanOne(state, CreateTenant{r}, kInit);
        } else if constexpr (std::is_same_v<T, MappingRule>) {
          return PlanOne(state, CreateMappingRule{r}, kInit);
        } else if constexpr (std::is_same_v<T, Membership>) {
          return PlanOne(state, AddMember{r}, kInit);
        } else {
          CLEARANCE_RETURN_IF_ERROR(commands_internal::CheckText(r));
          CLEARANCE_ASSIGN_OR_RETURN(commands_internal::InputRules rules,
                                     commands_internal::InputRules::For(state.config()));
          return commands_internal::PlanRestoreAuthorization(state, rules, r);
        }
      },
      row);
}

absl::StatusOr<ChangeSet> Execute(IdentityState& state, const Command& command) {
  absl::StatusOr<ChangeSet> cs = Plan(state, command);
  if (cs.ok()) state.Apply(*cs);
  return cs;
}

}  // namespace clearance
