// The reference evaluator. Read it beside docs/semantics.md §4-§7: every function is one sentence
// there.
// Nothing is cached, indexed or clever; every question scans every authorization.
#include "reference/reference_evaluator.h"

#include <algorithm>
#include <set>

#include "clearance/claims_document.h"
#include "clearance/internal/strings.h"
#include "principal/principal.h"
#include "simdjson.h"

namespace clearance::reference {
namespace {

using principal_internal::Principal;

// The caller, resolved: the principal, the matching rules and the token's groups.
struct Subject {
  OwnerRef principal;
  std::optional<std::vector<std::string>> token_groups;  // set when a groups claim is configured
  std::vector<std::string> matching_rules;               // sorted
};

struct Unauthenticated {
  Reason reason;
  std::string message;
};

// Claims that are not one JSON object with unique member names, with the problem named.
Unauthenticated Malformed(std::string_view claims_json) {
  absl::Status why = CheckClaimsDocument(claims_json);
  return {Reason::kMalformedClaims,
          why.ok() ? "the claims are not one JSON object with unique member names"
                   : std::string(why.message())};
}

// docs/semantics.md §5, §6 step 0, §7.
std::variant<Subject, Unauthenticated> Authenticate(const IdentityState& state,
                                                    const Caller& caller) {
  const Configuration& config = state.config();
  Subject subject;
  if (caller.kind == Caller::Kind::kAnonymous) {
    return Unauthenticated{Reason::kNoPrincipal, "an anonymous caller has no principal"};
  }
  if (caller.kind == Caller::Kind::kBasicUser) {
    if (config.mode != AuthMode::kBasic) {
      return Unauthenticated{Reason::kNoPrincipal,
                             "basic credentials are accepted only in basic-auth mode"};
    }
    subject.principal = {OwnerType::kUser, caller.username};
  } else {
    simdjson::dom::parser parser;
    simdjson::dom::element claims;
    if (parser.parse(caller.claims_json).get(claims) != simdjson::SUCCESS ||
        !principal_internal::HasUniqueMemberNames(claims)) {
      return Malformed(caller.claims_json);
    }
    principal_internal::Resolution r = principal_internal::Resolve(config, claims);
    if (!r.principal) {
      if (r.failure == Reason::kMalformedClaims) return Malformed(caller.claims_json);
      return Unauthenticated{r.failure, r.message};
    }
    subject.principal = {r.principal->type, r.principal->id};
    subject.token_groups = r.principal->token_groups;
    if (config.mode == AuthMode::kOidc) {
      for (const auto& [id, rule] : state.mapping_rules()) {
        if (principal_internal::Matches(rule.path, rule.claim_value, claims)) {
          subject.matching_rules.push_back(id);
        }
      }
    }
  }
  if (config.mode == AuthMode::kBasic && !state.FindUser(subject.principal.id)) {
    return Unauthenticated{
        Reason::kUnknownUser,
        strings_internal::StrCat("user '", subject.principal.id, "' does not exist")};
  }
  return subject;
}

// Containers of one type that `member` belongs to.
std::vector<std::string> ContainersOf(const IdentityState& state, const OwnerRef& member,
                                      ContainerType type) {
  std::vector<std::string> out;
  for (const Membership& m : state.memberships()) {
    if (m.member_type == member.type && m.member_id == member.id && m.container_type == type) {
      out.push_back(m.container_id);
    }
  }
  return out;
}

// groups(E): the token's groups when a groups claim is configured, else E's group memberships.
std::vector<std::string> GroupsOf(const IdentityState& state, const Subject& s, const OwnerRef& e) {
  if (s.token_groups) return *s.token_groups;
  return ContainersOf(state, e, ContainerType::kGroup);
}

// Every membership chain from root E to an owner: [E], [E, g], [E, r], [E, g, r].
std::vector<std::vector<OwnerRef>> OwnerChains(const IdentityState& state, const Subject& s,
                                               const OwnerRef& root) {
  std::vector<std::vector<OwnerRef>> chains = {{root}};
  for (const std::string& r : ContainersOf(state, root, ContainerType::kRole)) {
    chains.push_back({root, {OwnerType::kRole, r}});
  }
  for (const std::string& g : GroupsOf(state, s, root)) {
    OwnerRef group{OwnerType::kGroup, g};
    chains.push_back({root, group});
    for (const std::string& r : ContainersOf(state, group, ContainerType::kRole)) {
      chains.push_back({root, group, {OwnerType::kRole, r}});
    }
  }
  return chains;
}

// The roots of a decision: the principal, then each matching mapping rule.
std::vector<OwnerRef> Roots(const Subject& s) {
  std::vector<OwnerRef> roots = {s.principal};
  for (const std::string& id : s.matching_rules) roots.push_back({OwnerType::kMappingRule, id});
  return roots;
}

// tenants(E) = E's tenants ∪ tenants of groups(E) ∪ tenants of roles(E).
std::set<std::string> TenantsOf(const IdentityState& state, const Subject& s,
                                const OwnerRef& root) {
  std::set<std::string> tenants;
  for (const std::vector<OwnerRef>& chain : OwnerChains(state, s, root)) {
    for (const std::string& t : ContainersOf(state, chain.back(), ContainerType::kTenant)) {
      tenants.insert(t);
    }
  }
  return tenants;
}

bool Contains(const std::vector<std::string>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// docs/semantics.md §6.8: a PROPERTY scope passes on the task's properties.
bool PropertyPasses(const IdentityState& state, const Subject& s, const std::string& property,
                    const CheckRequest& request) {
  if (!request.user_task) return false;
  const UserTaskProperties& task = *request.user_task;
  const bool is_user = s.principal.type == OwnerType::kUser;
  if (property == kPropertyAssignee) {
    return is_user && task.assignee && *task.assignee == s.principal.id;
  }
  if (property == kPropertyCandidateUsers) {
    return is_user && Contains(task.candidate_users, s.principal.id);
  }
  if (property == kPropertyCandidateGroups) {
    for (const OwnerRef& root : Roots(s)) {
      for (const std::string& g : GroupsOf(state, s, root)) {
        if (Contains(task.candidate_groups, g)) return true;
      }
    }
  }
  return false;
}

// docs/semantics.md §3 and §6 step 4 for one authorization.
bool Passes(const IdentityState& state, const Subject& s, const Authorization& a,
            const CheckRequest& request) {
  if (a.resource_type != request.resource_type) return false;
  if ((a.permissions & Bit(request.permission)) == 0) return false;
  switch (a.scope.matcher) {
    case Matcher::kAny:
      return true;
    case Matcher::kId:
      return Contains(request.resource_ids, a.scope.value);
    case Matcher::kProperty:
      return PropertyPasses(state, s, a.scope.value, request);
  }
  return false;
}

// Every grant path reachable from `root` that passes the check.
void CollectGrants(const IdentityState& state, const Subject& s, const OwnerRef& root,
                   const CheckRequest& request, std::vector<GrantPath>* grants) {
  for (const std::vector<OwnerRef>& chain : OwnerChains(state, s, root)) {
    const OwnerRef& owner = chain.back();
    for (const auto& [key, a] : state.authorizations()) {
      if (a.owner_type == owner.type && a.owner_id == owner.id && Passes(state, s, a, request)) {
        grants->push_back({chain, key});
      }
    }
  }
}

std::vector<std::string> SortedUnique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::string InsufficientMessage(const CheckRequest& request,
                                const std::vector<std::string>& required_ids) {
  std::vector<std::string> ids = {"*"};
  ids.insert(ids.end(), required_ids.begin(), required_ids.end());
  return strings_internal::StrCat(
      "Insufficient permissions to perform operation '", Name(request.permission),
      "' on resource '", Name(request.resource_type),
      "', required resource identifiers are one of '[", strings_internal::StrJoin(ids, ", "), "]'");
}

}  // namespace

Verdict Check(const IdentityState& state, const Caller& caller, const CheckRequest& request) {
  Verdict v;
  v.required_ids = SortedUnique(request.resource_ids);
  const Configuration& config = state.config();

  // Step 0: a token or claims set must yield a usable principal. Anonymous callers bring none.
  std::variant<Subject, Unauthenticated> authenticated;
  if (caller.kind != Caller::Kind::kAnonymous) authenticated = Authenticate(state, caller);
  if (auto* failure = std::get_if<Unauthenticated>(&authenticated)) {
    v.decision = {Outcome::kUnauthenticated, failure->reason};
    v.message = failure->message;
    return v;
  }
  // Authentication comes first in every mode, so the principal it resolved is reported even
  // when step 1 allows without looking at it.
  const Subject* s_ptr = std::get_if<Subject>(&authenticated);
  if (caller.kind != Caller::Kind::kAnonymous) {
    v.principal = s_ptr->principal;
    v.matching_rules = s_ptr->matching_rules;
  }
  // Step 1.
  if (!config.authorizations_enabled && !config.tenant_checks_enabled) {
    v.decision = {Outcome::kAllow, Reason::kChecksDisabled};
    v.message = "authorizations and tenant checks are disabled";
    return v;
  }
  // Step 2.
  if (caller.kind == Caller::Kind::kAnonymous) {
    v.decision = {Outcome::kAllow, Reason::kAnonymous};
    v.message = "anonymous access to an unprotected API";
    return v;
  }
  const Subject& s = *s_ptr;

  bool rP = !config.authorizations_enabled;
  bool rM = false;
  if (config.authorizations_enabled) {
    // Roots(s)[0] is the principal (rP); the rest are matching rules (rM).
    std::vector<OwnerRef> roots = Roots(s);
    for (size_t i = 0; i < roots.size(); ++i) {
      size_t before = v.grants.size();
      CollectGrants(state, s, roots[i], request, &v.grants);
      bool found = v.grants.size() > before;
      if (i == 0) {
        rP = found;
      } else {
        rM = rM || found;
      }
    }
    std::sort(v.grants.begin(), v.grants.end());
  }

  bool tenant_ok = true;
  if (config.tenant_checks_enabled && request.tenant_id && !request.tenant_id->empty()) {
    tenant_ok = false;
    for (const OwnerRef& root : Roots(s)) {
      if (TenantsOf(state, s, root).contains(*request.tenant_id)) tenant_ok = true;
    }
  }

  if (tenant_ok && (rP || rM)) {
    v.decision = {Outcome::kAllow, config.authorizations_enabled ? Reason::kGranted
                                                                 : Reason::kAuthorizationsDisabled};
    v.message = "allowed";
  } else if (!rP) {
    v.decision = {Outcome::kForbidden, Reason::kInsufficientPermissions};
    v.message = InsufficientMessage(request, v.required_ids);
  } else {
    v.decision = {request.new_resource ? Outcome::kForbidden : Outcome::kNotFound,
                  Reason::kTenantNotAuthorized};
    v.message =
        request.new_resource
            ? strings_internal::StrCat("not authorized for tenant '", *request.tenant_id, "'")
            : strings_internal::StrCat("no ", Name(request.resource_type), " resource found");
  }
  return v;
}

absl::StatusOr<ResourceIds> AuthorizedResourceIds(const IdentityState& state, const Caller& caller,
                                                  ResourceType type, Permission permission) {
  auto authenticated = Authenticate(state, caller);
  if (auto* failure = std::get_if<Unauthenticated>(&authenticated)) {
    return absl::UnauthenticatedError(failure->message);
  }
  ResourceIds result;
  if (!state.config().authorizations_enabled) {
    result.all = true;
    return result;
  }
  const Subject& s = std::get<Subject>(authenticated);
  for (const OwnerRef& root : Roots(s)) {
    for (const std::vector<OwnerRef>& chain : OwnerChains(state, s, root)) {
      for (const auto& [key, a] : state.authorizations()) {
        if (a.owner_type != chain.back().type || a.owner_id != chain.back().id) continue;
        if (a.resource_type != type || (a.permissions & Bit(permission)) == 0) continue;
        if (a.scope.matcher == Matcher::kAny) result.all = true;
        if (a.scope.matcher == Matcher::kId) result.ids.push_back(a.scope.value);
      }
    }
  }
  if (result.all) {
    result.ids.clear();
  } else {
    result.ids = SortedUnique(std::move(result.ids));
  }
  return result;
}

absl::StatusOr<std::vector<std::string>> AuthorizedTenants(const IdentityState& state,
                                                           const Caller& caller) {
  auto authenticated = Authenticate(state, caller);
  if (auto* failure = std::get_if<Unauthenticated>(&authenticated)) {
    return absl::UnauthenticatedError(failure->message);
  }
  if (!state.config().tenant_checks_enabled) return std::vector<std::string>{"<default>"};
  const Subject& s = std::get<Subject>(authenticated);
  std::set<std::string> tenants;
  for (const OwnerRef& root : Roots(s)) tenants.merge(TenantsOf(state, s, root));
  return std::vector<std::string>(tenants.begin(), tenants.end());
}

absl::StatusOr<PermissionMask> PermissionsOn(const IdentityState& state, const Caller& caller,
                                             ResourceType type, std::string_view resource_id) {
  auto authenticated = Authenticate(state, caller);
  if (auto* failure = std::get_if<Unauthenticated>(&authenticated)) {
    return absl::UnauthenticatedError(failure->message);
  }
  if (!state.config().authorizations_enabled) return SupportedPermissions(type);
  const Subject& s = std::get<Subject>(authenticated);
  PermissionMask mask = 0;
  for (const OwnerRef& root : Roots(s)) {
    for (const std::vector<OwnerRef>& chain : OwnerChains(state, s, root)) {
      for (const auto& [key, a] : state.authorizations()) {
        if (a.owner_type != chain.back().type || a.owner_id != chain.back().id) continue;
        if (a.resource_type != type) continue;
        if (a.scope.matcher == Matcher::kAny ||
            (a.scope.matcher == Matcher::kId && a.scope.value == resource_id)) {
          mask |= a.permissions;
        }
      }
    }
  }
  return mask;
}

}  // namespace clearance::reference
