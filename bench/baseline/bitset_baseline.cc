#include "bitset_baseline.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "clearance/internal/status_macros.h"

namespace clearance::baseline {
namespace {

// Owner and member keys: the type's byte, then the id. MemberType is OwnerType.
std::string Key(OwnerType type, std::string_view id) {
  std::string k(1, static_cast<char>(type));
  k.append(id);
  return k;
}

OwnerType ContainerOwner(ContainerType type) {
  return type == ContainerType::kGroup ? OwnerType::kGroup : OwnerType::kRole;
}

}  // namespace

absl::StatusOr<std::unique_ptr<BitsetBaseline>> BitsetBaseline::Create(
    const IdentityState& state) {
  const Configuration& config = state.config();
  if (config.mode != AuthMode::kOidc || config.groups_claim_configured() ||
      !config.authorizations_enabled) {
    return absl::FailedPreconditionError(
        "BitsetBaseline models OIDC claims with authorizations enabled and no groups claim");
  }
  std::unique_ptr<BitsetBaseline> b(new BitsetBaseline());
  b->tenant_checks_ = config.tenant_checks_enabled;
  b->prefer_username_ = config.prefer_username_claim;
  CLEARANCE_ASSIGN_OR_RETURN(b->username_, ClaimPath::Compile(config.username_claim));
  if (!config.client_id_claim.empty()) {
    CLEARANCE_ASSIGN_OR_RETURN(b->client_id_, ClaimPath::Compile(config.client_id_claim));
    b->has_client_id_ = true;
  }
  for (const Membership& m : state.memberships()) {
    b->containers_[Key(m.member_type, m.member_id)].push_back(m);
  }
  for (const auto& [key, a] : state.authorizations()) {
    Grants& g = b->grants_[Key(a.owner_type, a.owner_id)];
    switch (a.scope.matcher) {
      case Matcher::kAny:
        g.any.emplace_back(a.resource_type, a.permissions);
        break;
      case Matcher::kId: {
        std::string k(1, static_cast<char>(a.resource_type));
        k.append(a.scope.value);
        g.ids.emplace_back(std::move(k), a.permissions);
        break;
      }
      case Matcher::kProperty:
        if (a.scope.value == kPropertyAssignee) g.assignee |= a.permissions;
        if (a.scope.value == kPropertyCandidateUsers) g.candidate_users |= a.permissions;
        if (a.scope.value == kPropertyCandidateGroups) g.candidate_groups |= a.permissions;
        break;
    }
  }
  absl::flat_hash_map<std::string, size_t> path_index;
  for (const auto& [id, rule] : state.mapping_rules()) {
    auto [it, inserted] = path_index.try_emplace(rule.claim_name, b->rule_paths_.size());
    if (inserted) {
      b->rule_paths_.push_back({rule.path.steps(), rule.path.multi_valued(), {}});
    }
    b->rule_paths_[it->second].rules[rule.claim_value].push_back(id);
  }
  return b;
}

const BitsetBaseline::Closure& BitsetBaseline::ClosureOf(OwnerType type, std::string_view id) {
  std::string key = Key(type, id);
  if (auto it = closures_.find(key); it != closures_.end()) return it->second;
  Closure c;
  absl::flat_hash_set<std::string> owners = {key};
  absl::flat_hash_set<std::string> tenants;
  auto direct = [&](const std::string& k) -> const std::vector<Membership>& {
    static const std::vector<Membership> kNone;
    auto it = containers_.find(k);
    return it == containers_.end() ? kNone : it->second;
  };
  auto add_role = [&](const std::string& role) {
    const std::string rk = Key(OwnerType::kRole, role);
    owners.insert(rk);
    for (const Membership& m : direct(rk)) {
      if (m.container_type == ContainerType::kTenant) tenants.insert(m.container_id);
    }
  };
  for (const Membership& m : direct(key)) {
    switch (m.container_type) {
      case ContainerType::kTenant:
        tenants.insert(m.container_id);
        break;
      case ContainerType::kRole:
        add_role(m.container_id);
        break;
      case ContainerType::kGroup: {
        c.groups.push_back(m.container_id);
        const std::string gk = Key(ContainerOwner(m.container_type), m.container_id);
        owners.insert(gk);
        for (const Membership& gm : direct(gk)) {
          if (gm.container_type == ContainerType::kTenant) tenants.insert(gm.container_id);
          if (gm.container_type == ContainerType::kRole) add_role(gm.container_id);
        }
        break;
      }
    }
  }
  c.owners.assign(owners.begin(), owners.end());
  c.tenants.assign(tenants.begin(), tenants.end());
  return closures_.emplace(std::move(key), std::move(c)).first->second;
}

void BitsetBaseline::Merge(const Grants& g, Side* side) {
  side->empty = false;
  for (const auto& [type, mask] : g.any) side->any[static_cast<int>(type)] |= mask;
  for (const auto& [k, mask] : g.ids) side->ids[k] |= mask;
  side->assignee |= g.assignee;
  side->candidate_users |= g.candidate_users;
  side->candidate_groups |= g.candidate_groups;
}

void BitsetBaseline::AddOwners(const std::vector<std::string>& owners, Side* side) {
  for (const std::string& owner : owners) {
    auto it = grants_.find(owner);
    if (it == grants_.end()) continue;
    const Grants& g = it->second;
    if (g.ids.size() <= kMergeLimit) {
      Merge(g, side);
      continue;
    }
    std::unique_ptr<Side>& shared = shared_sides_[owner];
    if (shared == nullptr) {
      shared = std::make_unique<Side>();
      Merge(g, shared.get());
    }
    side->empty = false;
    side->shared.push_back(shared.get());
  }
}

void BitsetBaseline::Evaluate(const std::vector<ClaimPath::Step>& steps,
                              simdjson::dom::element doc,
                              std::vector<simdjson::dom::element>* out) {
  // Breadth first, like docs/semantics.md §5 describes the subset: the nodes after each step.
  const size_t base = out->size();
  out->push_back(doc);
  for (const ClaimPath::Step& step : steps) {
    const size_t end = out->size();
    for (size_t i = base; i < end; ++i) {
      simdjson::dom::element n = (*out)[i];
      switch (step.kind) {
        case ClaimPath::Step::Kind::kMember: {
          simdjson::dom::object o;
          simdjson::dom::element v;
          if (n.get_object().get(o) == simdjson::SUCCESS && o[step.member].get(v) == simdjson::SUCCESS) {
            out->push_back(v);
          }
          break;
        }
        case ClaimPath::Step::Kind::kIndex: {
          simdjson::dom::array a;
          simdjson::dom::element v;
          if (n.get_array().get(a) == simdjson::SUCCESS && a.at(step.index).get(v) == simdjson::SUCCESS) {
            out->push_back(v);
          }
          break;
        }
        case ClaimPath::Step::Kind::kWildcard: {
          simdjson::dom::array a;
          simdjson::dom::object o;
          if (n.get_array().get(a) == simdjson::SUCCESS) {
            for (simdjson::dom::element v : a) out->push_back(v);
          } else if (n.get_object().get(o) == simdjson::SUCCESS) {
            for (auto field : o) out->push_back(field.value);
          }
          break;
        }
      }
    }
    out->erase(out->begin() + static_cast<std::ptrdiff_t>(base),
               out->begin() + static_cast<std::ptrdiff_t>(end));
  }
}

const BitsetBaseline::Profile* BitsetBaseline::Resolve(std::string_view claims_json) {
  simdjson::dom::element doc;
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: a reused padded copy, so a warm
  // call allocates nothing.
  padded_.assign(claims_json);
  padded_.resize(claims_json.size() + simdjson::SIMDJSON_PADDING);
  if (parser_.parse(padded_.data(), claims_json.size(), false).get(doc) != simdjson::SUCCESS ||
      !doc.is_object()) {
    return nullptr;
  }
  // One principal claim: absent (or null) -> nullopt; several values or not a string -> error.
  enum class Single { kAbsent, kValue, kError };
  std::string_view user, client;
  auto single = [&](const ClaimPath& path, std::string_view* value) {
    values_.clear();
    Evaluate(path.steps(), doc, &values_);
    if (values_.empty() || values_[0].is_null()) return Single::kAbsent;
    if (path.multi_valued() && values_.size() > 1) return Single::kError;
    return values_[0].get_string().get(*value) == simdjson::SUCCESS ? Single::kValue
                                                                      : Single::kError;
  };
  const Single u = single(username_, &user);
  const Single c = has_client_id_ ? single(client_id_, &client) : Single::kAbsent;
  if (u == Single::kError || c == Single::kError) return nullptr;
  OwnerType type;
  std::string_view id;
  if (c == Single::kValue && !(prefer_username_ && u == Single::kValue)) {
    type = OwnerType::kClient;
    id = client;
  } else if (u == Single::kValue) {
    type = OwnerType::kUser;
    id = user;
  } else {
    return nullptr;
  }
  rules_.clear();
  for (const RulePath& p : rule_paths_) {
    values_.clear();
    Evaluate(p.steps, doc, &values_);
    simdjson::dom::array array;
    const bool unwrap = !p.multi && values_.size() == 1 &&
                        values_[0].get_array().get(array) == simdjson::SUCCESS;
    auto match = [&](simdjson::dom::element v) {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) return;
      auto it = p.rules.find(absl::string_view(s.data(), s.size()));
      if (it == p.rules.end()) return;
      for (const std::string& r : it->second) rules_.push_back(r);
    };
    if (unwrap) {
      for (simdjson::dom::element v : array) match(v);
    } else {
      for (simdjson::dom::element v : values_) match(v);
    }
  }
  // A value repeated in the claims matches its rules once.
  std::sort(rules_.begin(), rules_.end());
  rules_.erase(std::unique(rules_.begin(), rules_.end()), rules_.end());
  key_.assign(1, static_cast<char>(type));
  key_.append(id);
  for (std::string_view r : rules_) {
    key_.push_back('\0');
    key_.append(r);
  }
  if (auto it = profiles_.find(key_); it != profiles_.end()) return it->second.get();

  auto profile = std::make_unique<Profile>();
  const Closure& pc = ClosureOf(type, id);
  AddOwners(pc.owners, &profile->principal_side);
  for (const std::string& t : pc.tenants) profile->tenants.insert(t);
  for (const std::string& g : pc.groups) profile->groups.insert(g);
  absl::flat_hash_set<std::string> rule_owners;
  for (std::string_view r : rules_) {
    const Closure& rc = ClosureOf(OwnerType::kMappingRule, r);
    rule_owners.insert(rc.owners.begin(), rc.owners.end());
    for (const std::string& t : rc.tenants) profile->tenants.insert(t);
    for (const std::string& g : rc.groups) profile->groups.insert(g);
  }
  AddOwners(std::vector<std::string>(rule_owners.begin(), rule_owners.end()),
            &profile->rule_side);
  profile->is_user = type == OwnerType::kUser;
  if (profile->is_user) profile->user = std::string(id);
  return profiles_.emplace(key_, std::move(profile)).first->second.get();
}

namespace {

PermissionMask IdMask(const BitsetBaseline::Side& side, const CheckRequest& request,
                      std::string& key) {
  PermissionMask mask = side.any[static_cast<int>(request.resource_type)];
  for (const std::string& id : request.resource_ids) {
    key.resize(1);
    key.append(id);
    if (auto it = side.ids.find(key); it != side.ids.end()) mask |= it->second;
  }
  return mask;
}

bool SideAllows(const BitsetBaseline::Side& side, const BitsetBaseline::Profile& profile,
                const CheckRequest& request, std::string& key) {
  if (side.empty) return false;
  key.assign(1, static_cast<char>(request.resource_type));
  PermissionMask mask = IdMask(side, request, key);
  for (const BitsetBaseline::Side* shared : side.shared) mask |= IdMask(*shared, request, key);
  if (request.user_task.has_value()) {
    PermissionMask assignee = side.assignee, candidate_users = side.candidate_users,
                   candidate_groups = side.candidate_groups;
    for (const BitsetBaseline::Side* shared : side.shared) {
      assignee |= shared->assignee;
      candidate_users |= shared->candidate_users;
      candidate_groups |= shared->candidate_groups;
    }
    const UserTaskProperties& task = *request.user_task;
    if (profile.is_user && task.assignee == profile.user) mask |= assignee;
    if (profile.is_user && std::find(task.candidate_users.begin(), task.candidate_users.end(),
                                     profile.user) != task.candidate_users.end()) {
      mask |= candidate_users;
    }
    if (candidate_groups != 0) {
      for (const std::string& g : task.candidate_groups) {
        if (profile.groups.contains(g)) {
          mask |= candidate_groups;
          break;
        }
      }
    }
  }
  return (mask & Bit(request.permission)) != 0;
}

}  // namespace

Outcome BitsetBaseline::Check(const Profile* profile, const CheckRequest& request,
                              bool tenant_checks) {
  if (profile == nullptr) return Outcome::kUnauthenticated;
  // The key buffer keeps its capacity across calls: no allocation once warm.
  thread_local std::string key;
  const bool own = SideAllows(profile->principal_side, *profile, request, key);
  const bool rules = !own && SideAllows(profile->rule_side, *profile, request, key);
  const bool tenant_ok = !tenant_checks || !request.tenant_id.has_value() ||
                         request.tenant_id->empty() || profile->tenants.contains(*request.tenant_id);
  if (tenant_ok && (own || rules)) return Outcome::kAllow;
  if (!own) return Outcome::kForbidden;
  return request.new_resource ? Outcome::kForbidden : Outcome::kNotFound;
}

}  // namespace clearance::baseline
