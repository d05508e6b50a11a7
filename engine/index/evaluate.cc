#include "index/evaluate.h"

#include <algorithm>

#include "clearance/internal/strings.h"

// The hot path is Decide(): array index by resource type, mask tests, at most one id lookup per
// named resource.

namespace clearance::index_internal {
namespace {

// `values`: a vector of strings or a span of string_views.
template <typename Strings>
bool Contains(const Strings& values, std::string_view v) {
  for (std::string_view value : values) {
    if (value == v) return true;
  }
  return false;
}

// The decision code below is written once for both request forms: `Request` is CheckRequest
// (strings owned) or CheckRequestView (strings borrowed); their members have the same names and
// meaning, so each instantiation reads the same lines.

// docs/semantics.md §6.8. candidateGroups looks at the groups of every root, whichever root holds
// the grant.
template <typename Request>
bool PropertyPasses(const Generation& g, const Subject& s, Property property,
                    const Request& request) {
  if (!request.user_task) return false;
  const auto& task = *request.user_task;
  const bool is_user = s.principal_type == OwnerType::kUser;
  switch (property) {
    case Property::kAssignee:
      return is_user && task.assignee && *task.assignee == s.principal_id;
    case Property::kCandidateUsers:
      return is_user && Contains(task.candidate_users, s.principal_id);
    case Property::kCandidateGroups:
      for (std::string_view candidate : task.candidate_groups) {
        if (s.token_mode) {
          if (std::find(s.token_groups.begin(), s.token_groups.end(), candidate) !=
              s.token_groups.end()) {
            return true;
          }
          continue;
        }
        const uint32_t sid = g.Sid(candidate);
        if (sid == kNoString) continue;
        for (const Profile* p : {s.p, s.m}) {
          if (p && std::binary_search(p->groups.begin(), p->groups.end(), sid)) return true;
        }
      }
      return false;
  }
  return false;
}

// Generation::Sid inlined into the decision (the call was a quarter of a lookup). The same
// answer: an id interned for a newer generation names nothing here either way.
[[gnu::always_inline]] inline uint32_t DecisionSid(const Generation& g, std::string_view s) {
  return g.strings->Find(s);
}

// Profile::IdPermissions with its table probe inline, for a type whose ID grants are all merged
// into the table (every type of a profile built with merge_runs at small sizes): a call and its
// register saves were a tenth of a check.
inline PermissionMask IdPermissions(const Generation& g, const Profile& p, ResourceType type,
                                    uint32_t sid) {
  const TypeGrants& t = p.types[static_cast<size_t>(type)];
  if (t.runs_end != t.runs_begin) return p.IdPermissions(g, type, sid);
  return p.TableMask(t, sid);
}

// docs/semantics.md §6 step 4 for one profile. Inlined into DecideRequest: it runs once or
// twice per decision.
template <typename Request>
[[gnu::always_inline]] inline bool PermissionSide(const Generation& g, const Subject& s,
                                                  const Profile& p, const Request& request) {
  const TypeGrants& t = p.types[static_cast<size_t>(request.resource_type)];
  const PermissionMask bit = Bit(request.permission);
  if (t.any & bit) return true;
  if (p.has_ids(request.resource_type)) {
    for (std::string_view id : request.resource_ids) {
      const uint32_t sid = DecisionSid(g, id);
      if (sid == kNoString) continue;
      if (IdPermissions(g, p, request.resource_type, sid) & bit) return true;
    }
  }
  if (request.user_task) {
    for (int i = 0; i < kPropertyCount; ++i) {
      if ((t.property[i] & bit) && PropertyPasses(g, s, static_cast<Property>(i), request)) {
        return true;
      }
    }
  }
  return false;
}

template <typename Request>
bool TenantSide(const Generation& g, const Subject& s, const Request& request) {
  if (!g.config.tenant_checks_enabled || !request.tenant_id || request.tenant_id->empty()) {
    return true;
  }
  const uint32_t sid = DecisionSid(g, *request.tenant_id);
  if (sid == kNoString) return false;
  for (const Profile* p : {s.p, s.m}) {
    if (p && std::binary_search(p->tenants.begin(), p->tenants.end(), sid)) return true;
  }
  return false;
}

bool GrantPasses(const Generation& g, const Subject& s, const Grant& grant,
                 const CheckRequest& request) {
  if (grant.resource_type != request.resource_type) return false;
  if ((GrantPermissions(g, grant) & Bit(request.permission)) == 0) return false;
  switch (grant.matcher) {
    case Matcher::kAny:
      return true;
    case Matcher::kId:
      return Contains(request.resource_ids, g.Str(grant.value));
    case Matcher::kProperty:
      return PropertyPasses(g, s, static_cast<Property>(grant.value), request);
  }
  return false;
}

OwnerRef Ref(const Generation& g, EntityKey key) {
  return OwnerRef{OwnerTypeOf(key), std::string(g.Str(SidOf(key)))};
}

void CollectGrants(const Generation& g, const Subject& s, const Profile& p, bool rules,
                   const CheckRequest& request, std::vector<GrantPath>* out) {
  for (const OwnerEntry& owner : p.owners) {
    const Node* node = g.FindNode(owner.key);
    if (!node) continue;
    for (const Grant& grant : node->grants) {
      if (!GrantPasses(g, s, grant, request)) continue;
      for (uint32_t c = owner.chain_begin; c < owner.chain_end; ++c) {
        const Chain& chain = p.chains[c];
        GrantPath path;
        path.authorization_key = grant.key;
        if (rules) {
          path.chain.push_back(
              OwnerRef{OwnerType::kMappingRule, std::string(g.Str(s.rules[chain.root]))});
        } else {
          path.chain.push_back(OwnerRef{s.principal_type, std::string(s.principal_id)});
        }
        for (uint32_t i = 0; i < chain.len; ++i) path.chain.push_back(Ref(g, chain.via[i]));
        out->push_back(std::move(path));
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

absl::Status Unauthenticated(const Generation& g, const Subject& s) {
  if (s.state == Subject::State::kAnonymous) {
    // The questions beside the check need a principal (docs/semantics.md §6 "Queries beside the
    // check").
    return absl::UnauthenticatedError("an anonymous caller has no principal");
  }
  return absl::UnauthenticatedError(FailureMessage(g, s));
}

template <typename Request>
Decision DecideRequest(const Generation& g, const Subject& s, const Request& request) {
  // Step 0: authentication first, in every mode; step 1: both checks disabled; step 2: anonymous.
  if (s.state == Subject::State::kUnauthenticated) return {Outcome::kUnauthenticated, s.reason()};
  const Configuration& config = g.config;
  if (!config.authorizations_enabled && !config.tenant_checks_enabled) {
    return {Outcome::kAllow, Reason::kChecksDisabled};
  }
  if (s.state == Subject::State::kAnonymous) return {Outcome::kAllow, Reason::kAnonymous};
  bool rp = true;
  bool rm = false;
  if (config.authorizations_enabled) {
    rp = PermissionSide(g, s, *s.p, request);
    rm = !rp && s.m && PermissionSide(g, s, *s.m, request);
  }
  const bool tenant_ok = TenantSide(g, s, request);
  if (tenant_ok && (rp || rm)) {
    return {Outcome::kAllow,
            config.authorizations_enabled ? Reason::kGranted : Reason::kAuthorizationsDisabled};
  }
  if (!rp) return {Outcome::kForbidden, Reason::kInsufficientPermissions};
  return {request.new_resource ? Outcome::kForbidden : Outcome::kNotFound,
          Reason::kTenantNotAuthorized};
}

}  // namespace

Decision Decide(const Generation& g, const Subject& s, const CheckRequest& request) {
  return DecideRequest(g, s, request);
}

Decision Decide(const Generation& g, const Subject& s, const CheckRequestView& request) {
  return DecideRequest(g, s, request);
}

void PrefetchDecide(const Generation& g, const Subject& s, const CheckRequest& request) {
  if (s.state != Subject::State::kResolved) return;
  const size_t type = static_cast<size_t>(request.resource_type);
  for (const Profile* p : {s.p, s.m}) {
    if (p != nullptr) __builtin_prefetch(&p->types[type]);
  }
  for (const std::string& id : request.resource_ids) g.strings->Prefetch(id);
  if (g.config.tenant_checks_enabled && request.tenant_id && !request.tenant_id->empty()) {
    g.strings->Prefetch(*request.tenant_id);
  }
}

Explanation ExplainDecision(const Generation& g, const Subject& s, const CheckRequest& request) {
  Explanation e;
  e.generation = g.number;
  e.required_ids = SortedUnique(request.resource_ids);
  e.decision = Decide(g, s, request);
  if (s.state == Subject::State::kUnauthenticated) {
    e.message = FailureMessage(g, s);
    return e;
  }
  // Authentication comes first in every mode: the resolved principal and its matching rules are
  // reported even when both checks are disabled.
  if (s.state == Subject::State::kResolved) {
    e.principal = OwnerRef{s.principal_type, std::string(s.principal_id)};
    for (uint32_t r : s.rules) e.matching_rules.emplace_back(g.Str(r));
    std::sort(e.matching_rules.begin(), e.matching_rules.end());
  }
  if (e.decision.reason == Reason::kChecksDisabled) {
    e.message = "authorizations and tenant checks are disabled";
    return e;
  }
  if (s.state == Subject::State::kAnonymous) {
    e.message = "anonymous access to an unprotected API";
    return e;
  }
  const Configuration& config = g.config;
  if (config.authorizations_enabled) {
    CollectGrants(g, s, *s.p, /*rules=*/false, request, &e.grants);
    if (s.m) CollectGrants(g, s, *s.m, /*rules=*/true, request, &e.grants);
    std::sort(e.grants.begin(), e.grants.end());
    e.grants.erase(std::unique(e.grants.begin(), e.grants.end()), e.grants.end());
  }
  switch (e.decision.reason) {
    case Reason::kGranted:
    case Reason::kAuthorizationsDisabled:
      e.message = "allowed";
      break;
    case Reason::kInsufficientPermissions:
      e.message = InsufficientMessage(request, e.required_ids);
      break;
    default:
      e.message =
          request.new_resource
              ? strings_internal::StrCat("not authorized for tenant '", *request.tenant_id, "'")
              : strings_internal::StrCat("no ", Name(request.resource_type), " resource found");
  }
  return e;
}

absl::StatusOr<ResourceIds> AuthorizedIds(const Generation& g, const Subject& s, ResourceType type,
                                          Permission permission) {
  if (s.state != Subject::State::kResolved) return Unauthenticated(g, s);
  ResourceIds result;
  if (!g.config.authorizations_enabled) {
    result.all = true;
    return result;
  }
  const PermissionMask bit = Bit(permission);
  for (const Profile* p : {s.p, s.m}) {
    if (!p) continue;
    if (p->types[static_cast<size_t>(type)].any & bit) result.all = true;
    p->ForEachId(g, type, [&](uint32_t sid, PermissionMask mask) {
      if (mask & bit) result.ids.emplace_back(g.Str(sid));
    });
  }
  if (result.all) {
    result.ids.clear();
  } else {
    result.ids = SortedUnique(std::move(result.ids));
  }
  return result;
}

absl::StatusOr<std::vector<std::string>> Tenants(const Generation& g, const Subject& s) {
  if (s.state != Subject::State::kResolved) return Unauthenticated(g, s);
  if (!g.config.tenant_checks_enabled) return std::vector<std::string>{"<default>"};
  std::vector<std::string> tenants;
  for (const Profile* p : {s.p, s.m}) {
    if (!p) continue;
    for (uint32_t t : p->tenants) tenants.emplace_back(g.Str(t));
  }
  return SortedUnique(std::move(tenants));
}

absl::StatusOr<PermissionMask> PermissionsOnResource(const Generation& g, const Subject& s,
                                                     ResourceType type, std::string_view id) {
  if (s.state != Subject::State::kResolved) return Unauthenticated(g, s);
  if (!g.config.authorizations_enabled) return SupportedPermissions(type);
  const uint32_t sid = g.Sid(id);
  PermissionMask mask = 0;
  for (const Profile* p : {s.p, s.m}) {
    if (!p) continue;
    mask |= p->types[static_cast<size_t>(type)].any;
    if (sid != kNoString) mask |= p->IdPermissions(g, type, sid);
  }
  return mask;
}

}  // namespace clearance::index_internal
