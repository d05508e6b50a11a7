#include "internal/derivation.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace clearance::storage_internal {
namespace {

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

// Appends the ids of the containers of `type` that (member_type, member_id) belongs to.
void AppendContainers(const IdentityState& state, MemberType member_type,
                      std::string_view member_id, ContainerType type,
                      std::vector<std::string>* out) {
  for (const Membership& m : state.ContainersOf(member_type, member_id)) {
    if (m.container_type == type) out->push_back(m.container_id);
  }
}

}  // namespace

Closure ComputeClosure(const IdentityState& state, MemberType type, std::string_view id) {
  Closure c;
  for (const Membership& m : state.ContainersOf(type, id)) {
    switch (m.container_type) {
      case ContainerType::kGroup:
        c.groups.push_back(m.container_id);
        break;
      case ContainerType::kRole:
        c.roles.push_back(m.container_id);
        break;
      case ContainerType::kTenant:
        c.tenants.push_back(m.container_id);
        break;
    }
  }
  for (const std::string& g : c.groups) {
    AppendContainers(state, MemberType::kGroup, g, ContainerType::kRole, &c.roles);
    AppendContainers(state, MemberType::kGroup, g, ContainerType::kTenant, &c.tenants);
  }
  SortUnique(&c.roles);
  for (const std::string& r : c.roles) {
    AppendContainers(state, MemberType::kRole, r, ContainerType::kTenant, &c.tenants);
  }
  SortUnique(&c.groups);  // already sorted by ContainersOf; kept for clarity of the contract
  SortUnique(&c.tenants);
  return c;
}

DerivedState ComputeDerived(const IdentityState& state) {
  DerivedState d;
  const std::set<Membership>& all = state.memberships();
  std::set<ClosureKey> members;
  for (const Membership& m : all) members.emplace(m.member_type, m.member_id);
  for (const ClosureKey& k : members) {
    Closure c = ComputeClosure(state, k.first, k.second);
    if (!c.empty()) d.closures.emplace(k, std::move(c));
  }
  for (const auto& [id, rule] : state.mapping_rules()) {
    d.claim_index.insert(ClaimIndexEntry{rule.claim_name, rule.claim_value, id});
  }
  return d;
}

std::set<ClosureKey> AffectedClosures(const IdentityState& before, const ChangeSet& changes) {
  // Memberships the change set adds: together with `before` they form every edge that exists
  // before or after the change, so walking them upstream reaches every entity whose closure
  // passes through a changed edge.
  std::multimap<ClosureKey, ClosureKey> added_upstream;  // container -> member
  std::vector<ClosureKey> touched;
  for (const RowChange& c : changes.changes) {
    const auto* m = std::get_if<Membership>(&c.row);
    if (m == nullptr) continue;
    touched.emplace_back(m->member_type, m->member_id);
    if (c.op == RowChange::Op::kPut) {
      // A container is reachable as a member only as GROUP (of roles, tenants) or ROLE (of
      // tenants); key it by the member type it has in those edges.
      MemberType as_member =
          m->container_type == ContainerType::kGroup ? MemberType::kGroup : MemberType::kRole;
      if (m->container_type != ContainerType::kTenant) {
        added_upstream.emplace(ClosureKey{as_member, m->container_id},
                               ClosureKey{m->member_type, m->member_id});
      }
    }
  }
  auto members_of = [&](const ClosureKey& node, std::vector<ClosureKey>* out) {
    if (node.first != MemberType::kGroup && node.first != MemberType::kRole) return;
    ContainerType ct =
        node.first == MemberType::kGroup ? ContainerType::kGroup : ContainerType::kRole;
    for (const Membership& m : before.MembersOf(ct, node.second)) {
      out->emplace_back(m.member_type, m.member_id);
    }
    auto [lo, hi] = added_upstream.equal_range(node);
    for (auto it = lo; it != hi; ++it) out->push_back(it->second);
  };
  // Depth is fixed (member -> group -> role -> tenant), so the walk is at most two levels; a
  // worklist keeps it obviously terminating anyway.
  std::set<ClosureKey> affected;
  std::vector<ClosureKey> work = std::move(touched);
  while (!work.empty()) {
    ClosureKey k = std::move(work.back());
    work.pop_back();
    if (!affected.insert(k).second) continue;
    std::vector<ClosureKey> up;
    members_of(k, &up);
    for (ClosureKey& u : up) {
      if (!affected.contains(u)) work.push_back(std::move(u));
    }
  }
  return affected;
}

std::vector<ClaimIndexChange> ClaimIndexChanges(const IdentityState& before,
                                                const ChangeSet& changes) {
  std::vector<ClaimIndexChange> out;
  // The rule as of the changes seen so far (nullopt: deleted), shadowing `before`.
  std::map<std::string, std::optional<ClaimIndexEntry>> current;
  auto lookup = [&](const std::string& id) -> std::optional<ClaimIndexEntry> {
    if (auto it = current.find(id); it != current.end()) return it->second;
    if (const MappingRule* r = before.FindMappingRule(id)) {
      return ClaimIndexEntry{r->claim_name, r->claim_value, r->id};
    }
    return std::nullopt;
  };
  for (const RowChange& c : changes.changes) {
    const auto* rule = std::get_if<MappingRule>(&c.row);
    if (rule == nullptr) continue;
    std::optional<ClaimIndexEntry> old = lookup(rule->id);
    if (c.op == RowChange::Op::kDelete) {
      if (old) out.push_back({false, *old});
      current[rule->id] = std::nullopt;
      continue;
    }
    ClaimIndexEntry next{rule->claim_name, rule->claim_value, rule->id};
    if (old && *old == next) continue;
    if (old) out.push_back({false, *old});
    out.push_back({true, next});
    current[rule->id] = next;
  }
  return out;
}

}  // namespace clearance::storage_internal
