#include "index/profile.h"

#include <algorithm>
#include <bit>
#include <tuple>

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

namespace {

// The first of `n` entries (sorted by key) whose key is not below `v`, as std::lower_bound, but
// without a branch per step: the comparison picks the half by arithmetic. A check searches one
// sorted table per profile and per in-place run, and with std::lower_bound most of that time
// went to mispredicted branches (the probes of a search are random by nature).
template <typename T, typename KeyOf>
const T* BranchlessLowerBound(const T* base, size_t n, uint32_t v, KeyOf key) {
  if (n == 0) return base;
  while (n > 1) {
    const size_t half = n / 2;
    // Both places the next step may read, requested while this step's compare waits for its
    // load: a search through an array out of cache overlaps its misses instead of chaining them.
    const size_t next = (n - half) / 2;
    const size_t at = next > 0 ? next - 1 : 0;
    __builtin_prefetch(base + at);
    __builtin_prefetch(base + half + at);
    base += static_cast<size_t>(key(base[half - 1]) < v) * half;
    n -= half;
  }
  return base + static_cast<size_t>(key(*base) < v);
}

}  // namespace

PermissionMask Profile::IdPermissions(const Generation& g, ResourceType type, uint32_t sid) const {
  const TypeGrants& t = types[static_cast<size_t>(type)];
  PermissionMask mask = TableMask(t, sid);
  for (uint32_t r = t.runs_begin; r < t.runs_end; ++r) {
    const absl::Span<const Grant> run = runs[r];
    const Grant* it = BranchlessLowerBound(run.data(), run.size(), sid,
                                           [](const Grant& grant) { return grant.value; });
    for (; it != run.data() + run.size() && it->value == sid; ++it) {
      mask |= GrantPermissions(g, *it);
    }
  }
  return mask;
}

namespace {

struct Reached {
  EntityKey owner;
  const std::shared_ptr<Node>* node;  // null: the owner has no node
  Chain chain;
};

// Requests every cache line of `node` (and its shared_ptr control block just before it) without
// waiting for any: at large sizes each node a profile reads is a miss, and a build that reads
// them one after the other pays their latencies in a row.
inline void PrefetchNode(const Node* node) {
  const char* begin = reinterpret_cast<const char*>(node) - 16;
  const char* end = reinterpret_cast<const char*>(node + 1);
  for (const char* line = begin; line < end; line += 64) __builtin_prefetch(line);
  __builtin_prefetch(end - 1);
}

// A thread's working space for building profiles: the lists grow here, where their capacity is
// kept from one build to the next, and each is copied into the profile once at its final size.
// A profile build then allocates once per non-empty list, not once per growth step.
struct Scratch {
  std::vector<std::pair<EntityKey, const Node*>> visited;  // read for `deps` once all are found
  std::vector<std::pair<EntityKey, uint64_t>> deps;
  std::vector<Reached> reached;
  std::vector<IdMask> ids;
  std::vector<std::pair<ResourceType, absl::Span<const Grant>>> runs;
  std::vector<uint32_t> tenants;
  std::vector<uint32_t> groups;

  void Clear() {
    visited.clear();
    deps.clear();
    reached.clear();
    ids.clear();
    runs.clear();
    tenants.clear();
    groups.clear();
  }
};

template <typename T>
void SortUnique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// Builds a profile in a few flat vectors: a node may be looked up more than once (a role reached
// through two groups) and duplicates are removed by sorting at the end, which for the handful of
// owners a principal reaches is cheaper than hashing them as they come.
//
// At large sizes a build is mostly cache misses (the node map, each node, its grants), so it goes
// level by level: every owner of a level is looked up and its node prefetched before any node of
// that level is read, and every node's grants are prefetched before any is merged. The misses
// of a level then overlap instead of following one another.
class ProfileBuilder {
 public:
  ProfileBuilder(const Generation& g, Profile* p, Scratch& scratch, bool merge_runs)
      : g_(g), p_(p), s_(scratch), merge_runs_(merge_runs) {
    s_.Clear();
  }

  // Looks `key` up and prefetches its node; the node is read later (Compile), once the whole
  // level has been looked up.
  const std::shared_ptr<Node>* Visit(EntityKey key) {
    const std::shared_ptr<Node>* node = g_.nodes.Find(key);
    const Node* n = node ? node->get() : nullptr;
    if (n) PrefetchNode(n);
    s_.visited.emplace_back(key, n);
    return node;
  }

  void Reach(EntityKey owner, const std::shared_ptr<Node>* node, const Chain& chain) {
    s_.reached.push_back({owner, node, chain});
  }

  void AddRoot(uint32_t root_index, EntityKey root, const std::vector<uint32_t>* token_groups) {
    const std::shared_ptr<Node>* found = Visit(root);
    const Node* node = found ? found->get() : nullptr;
    Reach(root, found, Chain{root_index, 0, {}});
    absl::Span<const uint32_t> groups;
    if (token_groups) {
      groups = *token_groups;
    } else if (node) {
      groups = node->groups;
    }
    // The root's roles and groups: all requested, then each looked up before any is read.
    if (node) {
      for (uint32_t r : node->roles) g_.nodes.Prefetch(Key(Kind::kRole, r));
    }
    for (uint32_t gsid : groups) g_.nodes.Prefetch(Key(Kind::kGroup, gsid));
    if (node) {
      for (uint32_t r : node->roles) {
        const EntityKey role = Key(Kind::kRole, r);
        Reach(role, Visit(role), Chain{root_index, 1, {role, 0}});
      }
      s_.tenants.insert(s_.tenants.end(), node->tenants.begin(), node->tenants.end());
    }
    const size_t first_group = s_.reached.size();
    for (uint32_t gsid : groups) {
      const EntityKey group = Key(Kind::kGroup, gsid);
      Reach(group, Visit(group), Chain{root_index, 1, {group, 0}});
      if (!token_groups) s_.groups.push_back(gsid);
    }
    // Then the groups' roles, likewise.
    for (size_t i = first_group; i < first_group + groups.size(); ++i) {
      if (const std::shared_ptr<Node>* gfound = s_.reached[i].node) {
        for (uint32_t r : (*gfound)->roles) g_.nodes.Prefetch(Key(Kind::kRole, r));
      }
    }
    for (size_t i = first_group; i < first_group + groups.size(); ++i) {
      const std::shared_ptr<Node>* gfound = s_.reached[i].node;
      if (!gfound) continue;
      const EntityKey group = s_.reached[i].owner;
      const Node& gnode = **gfound;
      s_.tenants.insert(s_.tenants.end(), gnode.tenants.begin(), gnode.tenants.end());
      for (uint32_t r : gnode.roles) {
        const EntityKey role = Key(Kind::kRole, r);
        Reach(role, Visit(role), Chain{root_index, 2, {group, role}});
      }
    }
  }

  void Compile() {
    // What every node changed at (their lines were prefetched by Visit), and the grants each
    // will be merged from, requested before the sort below so they arrive while it runs.
    for (const auto& [key, node] : s_.visited) {
      s_.deps.emplace_back(key, node ? node->changed_at : 0);
      if (node == nullptr) continue;
      const char* begin;
      const char* end;
      if (node->summary) {
        begin = reinterpret_cast<const char*>(node->summary.get());
        end = reinterpret_cast<const char*>(node->summary.get() + node->summary_size);
      } else {
        begin = reinterpret_cast<const char*>(node->grants.data());
        end = reinterpret_cast<const char*>(node->grants.data() + node->grants.size());
      }
      // The first lines: most nodes own a few grants; a long list streams after them.
      for (const char* line = begin; line < end && line < begin + 8 * 64; line += 64) {
        __builtin_prefetch(line);
      }
    }
    // Owners, each once, with their chains.
    std::vector<Reached>& reached = s_.reached;
    // (std::stable_sort would allocate a buffer on every build; chains order fully instead.)
    std::sort(reached.begin(), reached.end(), [](const Reached& a, const Reached& b) {
      return std::tie(a.owner, a.chain.root, a.chain.len, a.chain.via) <
             std::tie(b.owner, b.chain.root, b.chain.len, b.chain.via);
    });
    size_t owner_count = 0;
    for (size_t i = 0; i < reached.size(); ++i) {
      if (i == 0 || reached[i].owner != reached[i - 1].owner) ++owner_count;
    }
    p_->owners.reserve(owner_count);
    p_->chains.reserve(reached.size());
    for (size_t i = 0; i < reached.size();) {
      const uint32_t begin = static_cast<uint32_t>(p_->chains.size());
      const Reached& first = reached[i];
      for (; i < reached.size() && reached[i].owner == first.owner; ++i) {
        p_->chains.push_back(reached[i].chain);
      }
      p_->owners.push_back({first.owner, begin, static_cast<uint32_t>(p_->chains.size())});
      if (first.node) Take(*first.node);
    }
    if (merge_runs_ && !s_.runs.empty()) MergeRuns();
    BuildTables();
    // Runs searched in place, grouped by type (a counting sort: there can be hundreds).
    if (!s_.runs.empty()) {
      std::array<uint32_t, kResourceTypeCount + 1> start = {};
      for (const auto& run : s_.runs) ++start[static_cast<size_t>(run.first) + 1];
      for (size_t t = 0; t < kResourceTypeCount; ++t) {
        start[t + 1] += start[t];
        p_->types[t].runs_begin = start[t];
        p_->types[t].runs_end = start[t];
      }
      p_->runs.resize(s_.runs.size());
      for (const auto& [type, run] : s_.runs) {
        p_->runs[p_->types[static_cast<size_t>(type)].runs_end++] = run;
      }
    }
    SortUnique(s_.deps);
    p_->deps.assign(s_.deps.begin(), s_.deps.end());
    SortUnique(s_.tenants);
    p_->tenants.assign(s_.tenants.begin(), s_.tenants.end());
    SortUnique(s_.groups);
    p_->groups.assign(s_.groups.begin(), s_.groups.end());
  }

 private:
  // Merges in-place runs into the ID tables, the types with the fewest run grants first, while
  // they hold at most kMergeRunsFactor x summary_min grants in all: a check then probes one table
  // for each merged type instead of binary searching each run, for a bounded copy per profile
  // (which makes the build a few times dearer: done for profiles in reuse).
  void MergeRuns() {
    static constexpr size_t kMergeRunsFactor = 32;
    std::array<size_t, kResourceTypeCount> run_grants = {};
    for (const auto& [type, run] : s_.runs) run_grants[static_cast<size_t>(type)] += run.size();
    std::array<size_t, kResourceTypeCount> order;
    for (size_t t = 0; t < kResourceTypeCount; ++t) order[t] = t;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return run_grants[a] < run_grants[b]; });
    std::array<bool, kResourceTypeCount> merge = {};
    size_t budget = kMergeRunsFactor * g_.summary_min;
    for (size_t t : order) {
      if (run_grants[t] > budget) break;
      budget -= run_grants[t];
      merge[t] = true;
    }
    size_t kept = 0;
    for (const auto& [type, run] : s_.runs) {
      if (!merge[static_cast<size_t>(type)]) {
        s_.runs[kept++] = {type, run};
        continue;
      }
      for (const Grant& grant : run) {
        s_.ids.push_back({grant.resource_type, grant.value, GrantPermissions(g_, grant)});
      }
    }
    s_.runs.resize(kept);
  }

  // The merged ID grants into one open-addressing table per type, sized to a power of two at
  // least twice the type's entries (duplicates included), so every table keeps an empty slot
  // and a lookup meets one within a few probes. Duplicates merge into one slot as they insert.
  void BuildTables() {
    std::array<uint32_t, kResourceTypeCount> count = {};
    for (const IdMask& id : s_.ids) ++count[static_cast<size_t>(id.type)];
    uint32_t total = 0;
    for (size_t t = 0; t < kResourceTypeCount; ++t) {
      if (count[t] == 0) continue;
      const uint32_t size = std::bit_ceil(2 * count[t]);
      TypeGrants& types = p_->types[t];
      types.slots_begin = total;
      types.slots_mask = size - 1;
      types.slots_shift = 64 - static_cast<uint32_t>(std::countr_zero(size));
      total += size;
    }
    if (total == 0) return;
    p_->slots.assign(total, IdSlot{kNoString, 0});
    for (const IdMask& id : s_.ids) {
      const TypeGrants& t = p_->types[static_cast<size_t>(id.type)];
      IdSlot* table = p_->slots.data() + t.slots_begin;
      for (uint32_t i = SlotOf(id.sid, t.slots_shift);; i = (i + 1) & t.slots_mask) {
        if (table[i].sid == id.sid) {
          table[i].mask |= id.mask;
          break;
        }
        if (table[i].sid == kNoString) {
          table[i] = IdSlot{id.sid, id.mask};
          break;
        }
      }
    }
  }

  // One owner's grants: merged, or (a node with a summary) its masks merged and its ID runs
  // referred to.
  void Take(const std::shared_ptr<Node>& found) {
    const Node& node = *found;
    if (!node.summary) {
      for (const Grant& grant : node.grants) {
        TypeGrants& t = p_->types[static_cast<size_t>(grant.resource_type)];
        switch (grant.matcher) {
          case Matcher::kAny:
            t.any |= GrantPermissions(g_, grant);
            break;
          case Matcher::kId:
            s_.ids.push_back({grant.resource_type, grant.value, GrantPermissions(g_, grant)});
            break;
          case Matcher::kProperty:
            t.property[grant.value] |= GrantPermissions(g_, grant);
            break;
        }
      }
      return;
    }
    p_->pinned.push_back(found);
    for (size_t i = 0; i < node.summary_size; ++i) {
      const TypeSummary& summary = node.summary[i];
      TypeGrants& t = p_->types[static_cast<size_t>(summary.type)];
      t.any |= summary.any;
      for (int k = 0; k < kPropertyCount; ++k) t.property[k] |= summary.property[k];
      if (summary.id_end > summary.id_begin) {
        s_.runs.emplace_back(summary.type,
                             absl::Span<const Grant>(node.grants.data() + summary.id_begin,
                                                     summary.id_end - summary.id_begin));
      }
    }
  }

  const Generation& g_;
  Profile* p_;
  Scratch& s_;
  bool merge_runs_;
};

}  // namespace

std::shared_ptr<const Profile> BuildProfile(const Generation& g, absl::Span<const EntityKey> roots,
                                            const std::vector<uint32_t>* token_groups,
                                            bool merge_runs, std::shared_ptr<Profile> recycled) {
  std::shared_ptr<Profile> profile = std::move(recycled);
  if (profile == nullptr) {
    profile = std::make_shared<Profile>();
  } else {
    profile->Reset();
  }
  profile->built_at = g.number;
  thread_local Scratch scratch;
  ProfileBuilder builder(g, profile.get(), scratch, merge_runs);
  if (roots.size() > 1) {
    for (EntityKey root : roots) g.nodes.Prefetch(root);
  }
  for (size_t i = 0; i < roots.size(); ++i) {
    builder.AddRoot(static_cast<uint32_t>(i), roots[i], token_groups);
  }
  builder.Compile();
  return profile;
}

size_t ListBytes(const Profile& p) {
  return p.slots.capacity() * sizeof(IdSlot) + p.runs.capacity() * sizeof(absl::Span<const Grant>) +
         p.pinned.capacity() * sizeof(std::shared_ptr<const Node>) +
         p.tenants.capacity() * sizeof(uint32_t) + p.groups.capacity() * sizeof(uint32_t) +
         p.owners.capacity() * sizeof(OwnerEntry) + p.chains.capacity() * sizeof(Chain) +
         p.deps.capacity() * sizeof(std::pair<EntityKey, uint64_t>);
}

}  // namespace clearance::index_internal
