#include "index/profile.h"

#include <algorithm>

#include "absl/types/span.h"

namespace clearance::index_internal {

bool Profile::ValidFor(const Generation& g) const {
  if (g.number == built_at) return true;
  if (g.config_number > built_at) return false;
  for (const auto& [key, changed_at] : deps) {
    const Node* node = g.FindNode(key);
    if ((node ? node->changed_at : 0) != changed_at) return false;
  }
  return true;
}

PermissionMask TypeGrants::IdMask(const Generation& g, uint32_t sid) const {
  PermissionMask mask = 0;
  if (!by_id.empty()) {
    auto it = by_id.find(sid);
    if (it != by_id.end()) mask = it->second;
  }
  for (absl::Span<const Grant> run : id_runs) {
    auto it = std::lower_bound(run.begin(), run.end(), sid,
                               [](const Grant& grant, uint32_t v) { return grant.value < v; });
    for (; it != run.end() && it->value == sid; ++it) mask |= GrantPermissions(g, *it);
  }
  return mask;
}

namespace {

class ProfileBuilder {
 public:
  ProfileBuilder(const Generation& g, Profile* p) : g_(g), p_(p) {}

  const Node* Visit(EntityKey key) {
    const Node* node = g_.FindNode(key);
    if (seen_.try_emplace(key, true).second)
      p_->deps.emplace_back(key, node ? node->changed_at : 0);
    return node;
  }

  void Reach(EntityKey owner, const Chain& chain) {
    auto [it, inserted] = owner_index_.try_emplace(owner, p_->owners.size());
    if (inserted) p_->owners.push_back({owner, {}});
    p_->owners[it->second].chains.push_back(chain);
  }

  void AddRoot(uint32_t root_index, EntityKey root, const std::vector<uint32_t>* token_groups) {
    const Node* node = Visit(root);
    Reach(root, Chain{root_index, 0, {}});
    if (node) {
      for (uint32_t r : node->roles) {
        Visit(Key(Kind::kRole, r));
        Reach(Key(Kind::kRole, r), Chain{root_index, 1, {Key(Kind::kRole, r), 0}});
      }
      p_->tenants.insert(p_->tenants.end(), node->tenants.begin(), node->tenants.end());
    }
    absl::Span<const uint32_t> groups;
    if (token_groups) {
      groups = *token_groups;
    } else if (node) {
      groups = node->groups;
    }
    for (uint32_t gsid : groups) {
      const EntityKey group = Key(Kind::kGroup, gsid);
      const Node* gnode = Visit(group);
      Reach(group, Chain{root_index, 1, {group, 0}});
      if (!token_groups) p_->groups.push_back(gsid);
      if (!gnode) continue;
      p_->tenants.insert(p_->tenants.end(), gnode->tenants.begin(), gnode->tenants.end());
      for (uint32_t r : gnode->roles) {
        Visit(Key(Kind::kRole, r));
        Reach(Key(Kind::kRole, r), Chain{root_index, 2, {group, Key(Kind::kRole, r)}});
      }
    }
  }

  void Compile() {
    for (const OwnerEntry& owner : p_->owners) {
      const std::shared_ptr<Node>* found = g_.nodes.Find(owner.key);
      if (!found) continue;
      const Node& node = **found;
      if (!node.summary) {
        for (const Grant& grant : node.grants) Merge(grant);
        continue;
      }
      p_->pinned.push_back(*found);
      for (size_t i = 0; i < node.summary_size; ++i) {
        const TypeSummary& summary = node.summary[i];
        TypeGrants& t = p_->types[static_cast<size_t>(summary.type)];
        t.any |= summary.any;
        for (int k = 0; k < kPropertyCount; ++k) t.property[k] |= summary.property[k];
        if (summary.id_end > summary.id_begin) {
          t.id_runs.emplace_back(node.grants.data() + summary.id_begin,
                                 summary.id_end - summary.id_begin);
        }
      }
    }
    std::sort(p_->tenants.begin(), p_->tenants.end());
    p_->tenants.erase(std::unique(p_->tenants.begin(), p_->tenants.end()), p_->tenants.end());
    std::sort(p_->groups.begin(), p_->groups.end());
    p_->groups.erase(std::unique(p_->groups.begin(), p_->groups.end()), p_->groups.end());
  }

 private:
  void Merge(const Grant& grant) {
    TypeGrants& t = p_->types[static_cast<size_t>(grant.resource_type)];
    switch (grant.matcher) {
      case Matcher::kAny:
        t.any |= GrantPermissions(g_, grant);
        break;
      case Matcher::kId:
        t.by_id[grant.value] |= GrantPermissions(g_, grant);
        break;
      case Matcher::kProperty:
        t.property[grant.value] |= GrantPermissions(g_, grant);
        break;
    }
  }

  const Generation& g_;
  Profile* p_;
  absl::flat_hash_map<EntityKey, bool> seen_;
  absl::flat_hash_map<EntityKey, size_t> owner_index_;
};

}  // namespace

std::shared_ptr<const Profile> BuildProfile(const Generation& g, absl::Span<const EntityKey> roots,
                                            const std::vector<uint32_t>* token_groups) {
  auto profile = std::make_shared<Profile>();
  profile->built_at = g.number;
  ProfileBuilder builder(g, profile.get());
  for (size_t i = 0; i < roots.size(); ++i) {
    builder.AddRoot(static_cast<uint32_t>(i), roots[i], token_groups);
  }
  builder.Compile();
  return profile;
}

}  // namespace clearance::index_internal
