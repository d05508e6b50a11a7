// GenerationWriter: builds the next Generation from the current one by applying ChangeSets
// incrementally (docs/architecture.md "Write path").
//
// Only what a change touches is copied: the shards of the maps it writes (cow_map.h), the nodes
// it changes, and the path registry when a claim path appears or disappears. Closure is
// recomputed for the changed members only (and, when a role's tenants change, for the role's
// direct members). Every node whose profile-visible content changes gets changed_at = the new
// generation's number, which is what invalidates cached profiles.
//
// Thread-safety: single-threaded; the generation it builds is private to it until Finish().
#ifndef CLEARANCE_ENGINE_INDEX_GENERATION_WRITER_H_
#define CLEARANCE_ENGINE_INDEX_GENERATION_WRITER_H_

#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "clearance/state.h"
#include "index/generation.h"

namespace clearance::index_internal {

class GenerationWriter {
 public:
  // An empty generation (number 0, default configuration) over `pool`. Nodes with more than
  // `summary_min` grants get a Node::summary in it and every generation that follows.
  static std::shared_ptr<const Generation> Empty(std::shared_ptr<StringPool> pool, int shard_bits,
                                                 size_t summary_min);

  // Starts generation base.number + 1. REQUIRES: `base` is the latest generation over its pool.
  explicit GenerationWriter(const Generation& base);

  // Applies one planned ChangeSet. REQUIRES: planned against the state this index mirrors.
  void Apply(const ChangeSet& changes);
  // Row-level steps, for bulk loading without materialising a ChangeSet.
  void Put(const Row& row);
  void Delete(const Row& row);
  void SetConfiguration(const Configuration& config);
  void SetNextAuthorizationKey(AuthorizationKey key) { next_->next_authorization_key = key; }
  void SetInitialized() { next_->initialized = true; }
  // Numbers the generation being built `number` instead of base.number + 1 (an engine opened
  // over a store continues the store's count). REQUIRES: number > base.number; nothing written
  // yet (stamps are this number).
  void SetNumber(uint64_t number) {
    stamp_ = number;
    next_->number = number;
  }

  // Bulk building (Engine::Create): nodes and authorization owners collect in plain maps sized
  // from the hints, and move into the generation's sharded maps once, at Finish(). (Strings go
  // straight into the pool, whose index every generation shares.)
  // REQUIRES: called first, on a writer over an empty generation; afterwards only Put() (each
  // row once), the Set* calls and Finish().
  void BeginBulk(size_t nodes_hint, size_t authorizations_hint);

  // Recomputes the affected closures, drops emptied nodes, rebuilds the claim trie if needed.
  // `compact`: also release the spare capacity of every node touched (for bulk builds).
  std::shared_ptr<const Generation> Finish(bool compact = false);

 private:
  uint32_t Intern(std::string_view s);
  Node& MutableNode(EntityKey key);
  PathRegistry& MutablePaths();
  int SlotFor(const ClaimPath& path);
  void PutRule(const MappingRule& rule);
  void DeleteRule(const std::string& id);
  void PutMembership(const Membership& m);
  void DeleteMembership(const Membership& m);
  void PutAuthorization(const Authorization& a);
  void DeleteAuthorization(AuthorizationKey key);
  void RebuildTrie();
  const Node* FindWritten(EntityKey key) const;
  void FinishBulk();
  void Summarize(Node& node) const;

  std::shared_ptr<Generation> next_;
  uint64_t stamp_;
  std::shared_ptr<PathRegistry> paths_;  // set once the registry was copied for this change
  std::vector<EntityKey> touched_;
  std::vector<EntityKey> regranted_;  // nodes whose grants changed: their summary is redone
  absl::flat_hash_set<EntityKey> dirty_;  // members whose flattened tenants must be recomputed
  bool bulk_ = false;
  absl::flat_hash_map<EntityKey, std::shared_ptr<Node>> bulk_nodes_;
  std::vector<std::pair<AuthorizationKey, EntityKey>> bulk_owners_;
};

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_GENERATION_WRITER_H_
