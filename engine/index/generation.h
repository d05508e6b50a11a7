// Generation: one immutable version of the compiled index.
//
// What a generation holds (all keyed by interned ids, see string_pool.h):
//   strings      id string -> dense id
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
// the token's when a groups claim is configured, SPEC.md §4). That keeps a membership change
// local: it recomputes the member's node, and for a role's tenant the role's direct members.
//
// Thread-safety: a published Generation is immutable; any number of threads may read it.
// GenerationWriter (generation_writer.h) builds the next one on the writer's thread.
#ifndef CLEARANCE_ENGINE_INDEX_GENERATION_H_
#define CLEARANCE_ENGINE_INDEX_GENERATION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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

// The PROPERTY scopes of SPEC.md §6.8, as indexes.
enum class Property : uint8_t { kAssignee, kCandidateUsers, kCandidateGroups };
inline constexpr int kPropertyCount = 3;

// One authorization, compiled.
struct Grant {
  AuthorizationKey key;
  PermissionMask permissions;
  uint32_t value;  // kId: resource id sid; kProperty: Property; kAny: unused
  ResourceType resource_type;
  Matcher matcher;
};

struct Node {
  uint64_t stamp = 0;       // the generation that made this copy; the writer mutates only its own
  uint64_t changed_at = 0;  // the last generation that changed anything a Profile reads here
  bool is_user = false;     // a stored user (basic mode)
  std::vector<uint32_t> groups;          // direct group memberships
  std::vector<uint32_t> roles;           // direct role memberships
  std::vector<uint32_t> direct_tenants;  // direct tenant memberships
  std::vector<uint32_t> tenants;         // direct_tenants ∪ tenants of `roles`, sorted, unique
  std::vector<EntityKey> members;        // roles only: direct members, for tenant propagation
  std::vector<Grant> grants;             // authorizations this entity owns

  bool empty() const {
    return !is_user && groups.empty() && roles.empty() && direct_tenants.empty() &&
           members.empty() && grants.empty();
  }
};

struct RuleInfo {
  int slot;
  uint32_t value;  // claim value sid
};

using RuleList = absl::InlinedVector<uint32_t, 2>;

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
  std::shared_ptr<const ClaimTrie> trie;
};

struct Generation {
  uint64_t number = 0;
  uint64_t config_number = 0;  // the generation whose change last replaced the configuration
  Configuration config;
  bool initialized = false;
  AuthorizationKey next_authorization_key = 1;

  std::shared_ptr<StringPool> pool;
  CowMap<std::string_view, uint32_t, ViewHash, ViewEq> strings;
  CowMap<EntityKey, std::shared_ptr<Node>> nodes;
  CowMap<AuthorizationKey, EntityKey> auth_owner;
  CowMap<uint32_t, RuleInfo> rules;
  CowMap<uint64_t, RuleList> claim_index;
  std::shared_ptr<const PathRegistry> paths;

  explicit Generation(int shard_bits)
      : strings(shard_bits),
        nodes(shard_bits),
        auth_owner(shard_bits),
        rules(shard_bits > 4 ? shard_bits - 2 : shard_bits),
        claim_index(shard_bits > 4 ? shard_bits - 2 : shard_bits) {}

  uint32_t Sid(std::string_view s) const {
    const uint32_t* sid = strings.Find(s);
    return sid ? *sid : kNoString;
  }
  const Node* FindNode(EntityKey key) const {
    const std::shared_ptr<Node>* n = nodes.Find(key);
    return n ? n->get() : nullptr;
  }
  std::string_view Str(uint32_t sid) const { return pool->Get(sid); }
};

inline uint64_t ClaimIndexKey(int slot, uint32_t value) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(slot)) << 32) | value;
}

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_GENERATION_H_
