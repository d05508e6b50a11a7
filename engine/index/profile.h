// Profile: the compiled permissions of one owner set (docs/architecture.md "The hot path").
//
// A Profile is built for a list of roots (the principal; or the matching mapping rules) and,
// when a groups claim is configured, the token's groups (which replace stored group memberships
// for every root, docs/semantics.md §4). It holds, per resource type, the wildcard mask, the
// property-scope masks and the resource id -> mask entries (merged, or searched in place in the
// nodes of owners with many grants: TypeGrants); the tenant set; the stored groups reached; and,
// for explain, every owner with the membership chains that reach it from the roots.
//
// A Profile remembers the nodes it read and the generation each last changed at (`deps`). It is
// still exact for a later generation when every dep is unchanged and the configuration is the
// same: that is how the profile cache serves a profile across unrelated changes without ever
// serving a stale one.
//
// Thread-safety: immutable once built; any number of threads may read it.
#ifndef CLEARANCE_ENGINE_INDEX_PROFILE_H_
#define CLEARANCE_ENGINE_INDEX_PROFILE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "index/generation.h"

namespace clearance::index_internal {

// A membership chain from root number `root` to an owner: [root, via...].
struct Chain {
  uint32_t root;
  uint32_t len;  // entries used in `via` (0, 1 or 2)
  std::array<EntityKey, 2> via;
};

// An owner reached from the roots, with its chains: Profile::chains[chain_begin, chain_end).
struct OwnerEntry {
  EntityKey key;
  uint32_t chain_begin;
  uint32_t chain_end;
};

// An ID grant merged into a profile: every permission its owners grant on one resource id.
struct IdMask {
  ResourceType type;
  uint32_t sid;
  PermissionMask mask;
};

// A slot of a type's ID table (TypeGrants): an empty slot has sid kNoString.
struct IdSlot {
  uint32_t sid;
  PermissionMask mask;
};

// One resource type's grants in a profile. ID grants live in two places: those of owners with
// few authorizations are merged into an open-addressing table, one slot per resource id with the
// union of its masks (this type's are slots[slots_begin, slots_begin + slots_mask + 1), a power
// of two at most half full, so a lookup is one hash and usually one or two slot reads); an owner
// with many (a node with a summary: a popular role or group can own tens of thousands) keeps them
// where they are, and runs[runs_begin, runs_end) point at that owner's run of ID grants for the
// type, sorted by resource id, which a lookup binary searches. Merging such an owner would cost
// an entry per grant on every profile build; searching it costs one binary search per check. (A
// profile built with merge_runs merges the runs too, shortest types first, while they hold few
// grants in all: then a check costs one probe for the type.) Profile::pinned keeps the runs
// alive.
struct TypeGrants {
  PermissionMask any = 0;
  std::array<PermissionMask, kPropertyCount> property = {};
  uint32_t slots_begin = 0;
  uint32_t slots_mask = 0;   // slot count - 1; 0: no table (the type has no merged ID grant)
  uint32_t slots_shift = 0;  // 64 - log2(slot count): SlotOf() keeps the hash's high bits
  uint32_t runs_begin = 0;
  uint32_t runs_end = 0;
};

// The home slot of `sid` in a table of slots_mask + 1 slots: Fibonacci hashing, whose high bits
// spread the dense ids of the string pool evenly.
inline uint32_t SlotOf(uint32_t sid, uint32_t shift) {
  return static_cast<uint32_t>((uint64_t{sid} * 0x9E3779B97F4A7C15ull) >> shift);
}

struct Profile {
  uint64_t built_at = 0;
  std::array<TypeGrants, kResourceTypeCount> types;
  std::vector<IdSlot> slots;                  // the types' ID tables (TypeGrants)
  std::vector<absl::Span<const Grant>> runs;  // by type; each sorted by value
  // The nodes whose grants `runs` point into. A published Node is immutable and shared, so
  // holding it keeps the runs valid whatever later generations do; ValidFor() still decides
  // whether the profile may answer for a generation.
  std::vector<std::shared_ptr<const Node>> pinned;
  std::vector<uint32_t> tenants;   // sorted, unique
  std::vector<uint32_t> groups;    // stored groups reached as groups(root) (no groups claim)
  std::vector<OwnerEntry> owners;  // sorted by key
  std::vector<Chain> chains;
  std::vector<std::pair<EntityKey, uint64_t>> deps;  // node -> changed_at seen (0: absent)

  // Everything as a new Profile has it, but the lists keep their memory (a recycled profile:
  // ProfileCache). A member added above is reset here too.
  void Reset() {
    built_at = 0;
    types = {};
    slots.clear();
    runs.clear();
    pinned.clear();
    tenants.clear();
    groups.clear();
    owners.clear();
    chains.clear();
    deps.clear();
  }

  bool has_ids(ResourceType type) const {
    const TypeGrants& t = types[static_cast<size_t>(type)];
    return t.slots_mask != 0 || t.runs_end > t.runs_begin;
  }
  // Every permission granted on resource id `sid` of `type` by ID grants.
  PermissionMask IdPermissions(const Generation& g, ResourceType type, uint32_t sid) const;
  // The permissions `t`'s table (one of this profile's types) holds for `sid`, 0 when none: the
  // runs left in place are not read. Inline: the decision path probes it directly for a type
  // whose ID grants are all merged.
  PermissionMask TableMask(const TypeGrants& t, uint32_t sid) const {
    if (t.slots_mask == 0) return 0;
    // At most half full: the probe meets `sid` or an empty slot within a few slots.
    const IdSlot* table = slots.data() + t.slots_begin;
    for (uint32_t i = SlotOf(sid, t.slots_shift);; i = (i + 1) & t.slots_mask) {
      if (table[i].sid == sid) return table[i].mask;
      if (table[i].sid == kNoString) return 0;
    }
  }
  // Calls f(sid, mask) for every ID grant of `type` (a resource id may come more than once).
  template <typename F>
  void ForEachId(const Generation& g, ResourceType type, F f) const {
    const TypeGrants& t = types[static_cast<size_t>(type)];
    if (t.slots_mask != 0) {
      for (uint32_t i = t.slots_begin; i <= t.slots_begin + t.slots_mask; ++i) {
        if (slots[i].sid != kNoString) f(slots[i].sid, slots[i].mask);
      }
    }
    for (uint32_t r = t.runs_begin; r < t.runs_end; ++r) {
      for (const Grant& grant : runs[r]) f(grant.value, GrantPermissions(g, grant));
    }
  }

  // True when this profile answers exactly as one built from `g` would.
  bool ValidFor(const Generation& g) const;
};

// REQUIRES: token_groups sorted and unique, or null when no groups claim is configured.
// `merge_runs`: also merge in-place runs while they hold few grants (TypeGrants): a dearer build,
// cheaper checks; for profiles in reuse. Answers are the same either way.
// `recycled`: a profile nobody else holds (or null); its contents are replaced and its lists'
// memory reused, so the build allocates nothing when it fits (ProfileCache passes the profile
// it has just evicted).
std::shared_ptr<const Profile> BuildProfile(const Generation& g, absl::Span<const EntityKey> roots,
                                            const std::vector<uint32_t>* token_groups,
                                            bool merge_runs,
                                            std::shared_ptr<Profile> recycled = nullptr);

// The bytes `p`'s lists hold (their capacity), for deciding whether a profile is worth recycling.
size_t ListBytes(const Profile& p);

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_PROFILE_H_
