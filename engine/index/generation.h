// Generation: one immutable version of the compiled index.
//
// What a generation holds (all keyed by interned ids, see string_pool.h):
//   strings      id string -> dense id (the pool's index as of this generation; string_pool.h)
//   nodes        entity -> Node: its direct groups, roles and tenants, its flattened tenants
//                (direct and through its direct roles), a role's members, the authorizations it
//                owns compiled to Grants, and the generation it last changed at
//   auth_owner   authorization key -> owning entity (to find the old owner on update)
//   rules        mapping rule -> (claim path slot, claim value)
//   claim_index  (claim path slot, claim value) -> mapping rules: the claim-value index
//   paths        the distinct claim paths rules and the configuration read, and their trie
//
// Closure is flattened one level: a node's `tenants` already include its roles' tenants, so a
// Profile (profile.h) is composed from the root's node and the nodes of its groups (stored, or
// the token's when a groups claim is configured, docs/semantics.md §4). That keeps a membership
// change local: it recomputes the member's node, and for a role's tenant the role's direct members.
//
// Thread-safety: a published Generation is immutable; any number of threads may read it.
// GenerationWriter (generation_writer.h) builds the next one on the writer's thread.
#ifndef CLEARANCE_ENGINE_INDEX_GENERATION_H_
#define CLEARANCE_ENGINE_INDEX_GENERATION_H_

#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "clearance/catalog.h"
#include "clearance/claim_path.h"
#include "clearance/config.h"
#include "clearance/model.h"
#include "index/claims_reader.h"
#include "index/cow_map.h"
#include "index/string_pool.h"

namespace clearance::index_internal {

// Entity keys: kind in the high 32 bits, interned id in the low 32.
enum class Kind : uint32_t { kUser = 0, kClient, kGroup, kRole, kMappingRule, kTenant };
using EntityKey = uint64_t;
inline EntityKey Key(Kind kind, uint32_t sid) { return (static_cast<uint64_t>(kind) << 32) | sid; }
inline EntityKey Key(OwnerType type, uint32_t sid) {
  return Key(static_cast<Kind>(static_cast<uint32_t>(type)), sid);
}
inline Kind KindOf(EntityKey key) { return static_cast<Kind>(key >> 32); }
inline uint32_t SidOf(EntityKey key) { return static_cast<uint32_t>(key); }
inline OwnerType OwnerTypeOf(EntityKey key) { return static_cast<OwnerType>(key >> 32); }

// The PROPERTY scopes of docs/semantics.md §6.8, as indexes.
enum class Property : uint8_t { kAssignee, kCandidateUsers, kCandidateGroups };
inline constexpr int kPropertyCount = 3;

// One authorization, compiled, in 16 bytes (there is one per authorization, so every byte here
// is a byte per authorization). Permissions are packed relative to the resource type's
// supported permissions: bit i of `packed` is the type's i-th supported permission in bit
// order (no type supports more than 15). An authorization naming a permission its type does
// not support (only a state built without the planner's checks can hold one) sets kWide instead
// and keeps its full mask in Generation::wide_permissions, so nothing is lost; read the mask
// with GrantPermissions().
struct Grant {
  static constexpr uint16_t kWide = 0x8000;

  AuthorizationKey key;
  uint32_t value;   // kId: resource id sid; kProperty: Property; kAny: unused
  uint16_t packed;  // packed permissions, or kWide
  ResourceType resource_type;
  Matcher matcher;
};
static_assert(sizeof(Grant) == 16, "Grant is one per authorization: keep it at 16 bytes");

namespace grant_internal {
struct PermissionPacking {
  std::array<std::array<uint8_t, 15>, kResourceTypeCount> bit{};  // packed index -> Permission
  std::array<int, kResourceTypeCount> count{};
};
inline const PermissionPacking& Packing() {
  static const PermissionPacking packing = [] {
    PermissionPacking p;
    for (int t = 0; t < kResourceTypeCount; ++t) {
      PermissionMask supported = SupportedPermissions(static_cast<ResourceType>(t));
      while (supported != 0 && p.count[t] < 15) {
        p.bit[t][p.count[t]++] = static_cast<uint8_t>(std::countr_zero(supported));
        supported &= supported - 1;
      }
    }
    return p;
  }();
  return packing;
}
}  // namespace grant_internal

// `permissions` packed for Grant::packed; nullopt when it names a permission `type` does not
// support (or the type supports more than 15).
inline std::optional<uint16_t> PackPermissions(ResourceType type, PermissionMask permissions) {
  const auto& p = grant_internal::Packing();
  const size_t t = static_cast<size_t>(type);
  uint16_t packed = 0;
  for (int i = 0; i < p.count[t]; ++i) {
    const PermissionMask bit = PermissionMask{1} << p.bit[t][i];
    if (permissions & bit) {
      packed = static_cast<uint16_t>(packed | (1u << i));
      permissions &= ~bit;
    }
  }
  if (permissions != 0) return std::nullopt;
  return packed;
}

inline PermissionMask UnpackPermissions(ResourceType type, uint16_t packed) {
  const auto& p = grant_internal::Packing();
  const size_t t = static_cast<size_t>(type);
  PermissionMask mask = 0;
  for (uint32_t rest = packed; rest != 0; rest &= rest - 1) {
    mask |= PermissionMask{1} << p.bit[t][std::countr_zero(rest)];
  }
  return mask;
}

// The order of Node::grants: by resource type, then ANY and PROPERTY grants before ID grants,
// then by value, then by key. A node's ID grants for one type are then one contiguous run sorted
// by resource id, which a Profile can search in place instead of copying (profile.h).
inline int MatcherRank(Matcher m) { return m == Matcher::kId ? 2 : m == Matcher::kAny ? 0 : 1; }
inline bool GrantLess(const Grant& a, const Grant& b) {
  if (a.resource_type != b.resource_type) return a.resource_type < b.resource_type;
  const int ra = MatcherRank(a.matcher), rb = MatcherRank(b.matcher);
  if (ra != rb) return ra < rb;
  if (a.value != b.value) return a.value < b.value;
  return a.key < b.key;
}

// A node's sorted id lists. Most nodes hold one or two ids per list (a user's groups, roles and
// tenants), so up to four stay inside the node (same 24 bytes as a std::vector) and a node costs
// one allocation instead of one per non-empty list.
using IdList = absl::InlinedVector<uint32_t, 4>;

// One resource type's grants of one node, for nodes with many grants (Node::summary): what a
// Profile needs from the node without reading its grants. The ID grants are not copied: they are
// the node's run grants[id_begin, id_end), sorted by resource id (GrantLess).
struct TypeSummary {
  PermissionMask any = 0;
  std::array<PermissionMask, kPropertyCount> property = {};
  uint32_t id_begin = 0;
  uint32_t id_end = 0;
  ResourceType type = ResourceType::kAuthorization;
};

static_assert(kResourceTypeCount < 256, "Node::summary_size counts resource types in 8 bits");

struct Node {
  uint64_t stamp = 0;       // the generation that made this copy; the writer mutates only its own
  uint64_t changed_at = 0;  // the last generation that changed anything a Profile reads here
  bool is_user = false;     // a stored user (basic mode)
  uint8_t summary_size = 0;  // entries in `summary`: the types this node has grants for
  IdList groups;          // direct group memberships
  IdList roles;           // direct role memberships
  IdList direct_tenants;  // direct tenant memberships
  IdList tenants;         // direct_tenants ∪ tenants of `roles`, sorted, unique
  std::vector<EntityKey> members;        // roles only: direct members, for tenant propagation
  std::vector<Grant> grants;             // authorizations this entity owns, sorted by GrantLess
  // Set exactly when grants.size() > Generation::summary_min (a popular group or role can own
  // tens of thousands of grants): per type present, in type order. A Profile then takes the
  // node's masks from here and searches its ID runs in place instead of merging every grant.
  // Immutable and shared between copies of the node while its grants are unchanged.
  std::shared_ptr<const TypeSummary[]> summary;

  bool empty() const {
    return !is_user && groups.empty() && roles.empty() && direct_tenants.empty() &&
           members.empty() && grants.empty();
  }
};

// Authorization key -> owning entity, in 8-byte slots: there is one entry per authorization, so
// at 1 M authorizations every byte of a slot is about 2 bytes per authorization (shards are half
// full after a bulk build). Keys below 2^32 (every key the planner hands out in practice) go to
// a map of 32-bit keys; larger ones to a second map that is normally empty. An owner packs its
// kind into the top 4 bits and its id into the low 28 (StringPool holds fewer than 2^28 ids).
class AuthOwnerMap {
 public:
  explicit AuthOwnerMap(int shard_bits) : small_(shard_bits), large_(2) {}

  std::optional<EntityKey> Find(AuthorizationKey key) const {
    const uint32_t* owner = key <= kSmallMax ? small_.Find(static_cast<uint32_t>(key))
                                             : large_.Find(key);
    if (!owner) return std::nullopt;
    return Key(static_cast<Kind>(*owner >> kSidBits), *owner & kSidMask);
  }
  size_t size() const { return small_.size() + large_.size(); }

  // Writer only. `stamp` is the number of the generation being built.
  void Put(AuthorizationKey key, EntityKey owner, uint64_t stamp) {
    if (key <= kSmallMax) {
      small_.GetOrCreate(static_cast<uint32_t>(key), stamp) = Pack(owner);
    } else {
      large_.GetOrCreate(key, stamp) = Pack(owner);
    }
  }
  void Erase(AuthorizationKey key, uint64_t stamp) {
    if (key <= kSmallMax) {
      small_.Erase(static_cast<uint32_t>(key), stamp);
    } else {
      large_.Erase(key, stamp);
    }
  }
  // Writer only, for bulk builds: keys not yet in the map, no two equal.
  void BulkInsert(std::vector<std::pair<AuthorizationKey, EntityKey>>&& items, uint64_t stamp) {
    std::vector<std::pair<uint32_t, uint32_t>> small;
    small.reserve(items.size());
    for (const auto& [key, owner] : items) {
      if (key <= kSmallMax) {
        small.emplace_back(static_cast<uint32_t>(key), Pack(owner));
      } else {
        large_.GetOrCreate(key, stamp) = Pack(owner);
      }
    }
    items.clear();
    items.shrink_to_fit();
    small_.BulkInsert(std::move(small), stamp);
  }

 private:
  static constexpr AuthorizationKey kSmallMax = 0xFFFFFFFFu;
  static constexpr int kSidBits = 28;
  static constexpr uint32_t kSidMask = (1u << kSidBits) - 1;
  static uint32_t Pack(EntityKey owner) {
    return (static_cast<uint32_t>(KindOf(owner)) << kSidBits) | (SidOf(owner) & kSidMask);
  }

  CowMap<uint32_t, uint32_t> small_;
  CowMap<AuthorizationKey, uint32_t> large_;
};

struct RuleInfo {
  int slot;
  uint32_t value;  // claim value sid
};

using RuleList = absl::InlinedVector<uint32_t, 2>;

struct RuleValue {
  uint32_t sid;
  uint32_t rules;  // mapping rules whose claim value this is
};

// The distinct claim paths (slots) the engine reads. Slots are never renumbered.
struct PathRegistry {
  struct Slot {
    ClaimPath path;
    bool multi_valued = false;
    int rule_refs = 0;  // mapping rules using this path
  };
  std::vector<Slot> slots;
  absl::flat_hash_map<std::string, int> by_steps;  // canonical step encoding -> slot
  // Principal claims of the configuration (-1: not configured / not read in this mode).
  int username_slot = -1;
  int client_slot = -1;
  int groups_slot = -1;
  // The issuers whose claim overrides change the principal slots (OIDC only), and the slot of the
  // top-level `iss` claim that picks one; empty and -1 when no issuer overrides a claim.
  struct IssuerSlots {
    std::string issuer;
    int issuer_index = -1;  // in Configuration::token_issuers
    int username_slot = -1;
    int client_slot = -1;
    int groups_slot = -1;
    bool prefer_username = false;
  };
  std::vector<IssuerSlots> issuer_slots;
  int iss_slot = -1;
  std::shared_ptr<const ClaimTrie> trie;
};

struct Generation {
  uint64_t number = 0;
  uint64_t config_number = 0;  // the generation whose change last replaced the configuration
  Configuration config;
  bool initialized = false;
  AuthorizationKey next_authorization_key = 1;

  std::shared_ptr<StringPool> pool;
  std::shared_ptr<const StringIndex> strings;
  CowMap<EntityKey, std::shared_ptr<Node>> nodes;
  AuthOwnerMap auth_owner;
  CowMap<uint32_t, RuleInfo> rules;
  CowMap<uint64_t, RuleList> claim_index;
  // The claim values some mapping rule matches -> their sid and how many rules use them. A claims
  // document carries many values no rule names (scopes, roles); looking each up here (thousands
  // of entries, cache-resident) instead of in `strings` (every id: millions) skips most of them
  // cheaply.
  CowMap<std::string_view, RuleValue, ViewHash, ViewEq> rule_values;
  CowMap<AuthorizationKey, PermissionMask> wide_permissions;  // see Grant; normally empty
  std::shared_ptr<const PathRegistry> paths;
  size_t summary_min = 16;  // see Node::summary; EngineOptions::profile_copy_limit

  explicit Generation(int shard_bits)
      : nodes(shard_bits),
        auth_owner(shard_bits),
        rules(shard_bits > 4 ? shard_bits - 2 : shard_bits),
        claim_index(shard_bits > 4 ? shard_bits - 2 : shard_bits),
        rule_values(shard_bits > 4 ? shard_bits - 2 : shard_bits),
        wide_permissions(2) {}

  // The id of `s`, or kNoString. May be the id of a string first interned for a newer
  // generation: it then names nothing here, and answers as kNoString would (string_pool.h).
  uint32_t Sid(std::string_view s) const { return strings->Find(s); }
  const Node* FindNode(EntityKey key) const {
    const std::shared_ptr<Node>* n = nodes.Find(key);
    return n ? n->get() : nullptr;
  }
  std::string_view Str(uint32_t sid) const { return pool->Get(sid); }
};

inline PermissionMask GrantPermissions(const Generation& g, const Grant& grant) {
  if (grant.packed & Grant::kWide) {
    const PermissionMask* wide = g.wide_permissions.Find(grant.key);
    return wide ? *wide : 0;
  }
  return UnpackPermissions(grant.resource_type, grant.packed);
}

inline uint64_t ClaimIndexKey(int slot, uint32_t value) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(slot)) << 32) | value;
}

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_GENERATION_H_
