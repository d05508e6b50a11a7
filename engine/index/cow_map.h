// CowMap: a hash map split into shards that generations share, copy-on-write.
//
// A generation of the index holds CowMaps by value. Copying a CowMap copies only its vector of
// shard pointers; the writer clones one shard the first time it touches it while building the
// next generation (recognised by the shard's stamp, the number of the generation being built).
// Published shards are never written again, so readers need no lock: they reach a shard only
// through a generation published with release semantics.
//
// Thread-safety: const methods may be called from any number of threads on a published map. The
// mutating methods are for the one writer, on a map no reader can reach yet.
#ifndef CLEARANCE_ENGINE_INDEX_COW_MAP_H_
#define CLEARANCE_ENGINE_INDEX_COW_MAP_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace clearance::index_internal {

// Hashes std::string_view through Abseil's own string_view (Debian's Abseil does not use
// std::string_view), transparently, so maps keyed by views accept any view.
struct ViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return absl::Hash<absl::string_view>()(absl::string_view(s.data(), s.size()));
  }
};
struct ViewEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

template <typename K, typename V, typename Hash = absl::Hash<K>, typename Eq = std::equal_to<K>>
class CowMap {
 public:
  using Shard = absl::flat_hash_map<K, V, Hash, Eq>;

  // 2^shard_bits shards, in 2^(shard_bits/2) groups. A generation copy copies the group
  // pointers; a write clones one group (its shard pointers) and one shard. Both stay near
  // sqrt(shards), so neither publication nor a write touches every shard.
  explicit CowMap(int shard_bits = 4)
      : shift_(64 - shard_bits), group_shift_((shard_bits + 1) / 2) {
    auto empty_shard = std::make_shared<Stamped>();
    auto empty_group = std::make_shared<Group>();
    empty_group->shards.assign(size_t{1} << group_shift_, empty_shard);
    groups_.assign(size_t{1} << (shard_bits - group_shift_), empty_group);
  }

  template <typename Q>
  const V* Find(const Q& key) const {
    const Shard& s = ShardAt(ShardOf(key)).map;
    auto it = s.find(key);
    return it == s.end() ? nullptr : &it->second;
  }

  // Requests the lines Find(key) reads without waiting for them: a reader about to look up
  // several independent keys prefetches them all first, so their cache misses overlap.
  template <typename Q>
  void Prefetch(const Q& key) const {
    ShardAt(ShardOf(key)).map.prefetch(key);
  }

  size_t size() const { return size_; }

  template <typename F>
  void ForEach(F&& f) const {
    for (const auto& group : groups_) {
      for (const auto& shard : group->shards) {
        for (const auto& [k, v] : shard->map) f(k, v);
      }
    }
  }

  // Writer only. `stamp` is the number of the generation being built.
  V* FindMutable(const K& key, uint64_t stamp) {
    const size_t i = ShardOf(key);
    if (!ShardAt(i).map.contains(key)) return nullptr;
    Shard& s = MutableShard(i, stamp);
    return &s.find(key)->second;
  }
  V& GetOrCreate(const K& key, uint64_t stamp) {
    Shard& s = MutableShard(ShardOf(key), stamp);
    auto [it, inserted] = s.try_emplace(key);
    if (inserted) ++size_;
    return it->second;
  }
  // Writer only, for bulk builds: inserts `items` (keys not yet in the map, no two equal) with
  // each shard reserved once for what it receives, instead of growing it step by step.
  void BulkInsert(std::vector<std::pair<K, V>>&& items, uint64_t stamp) {
    const size_t shards = groups_.size() << group_shift_;
    std::vector<uint32_t> counts(shards, 0);
    std::vector<uint32_t> shard_of(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      shard_of[i] = static_cast<uint32_t>(ShardOf(items[i].first));
      ++counts[shard_of[i]];
    }
    for (size_t s = 0; s < shards; ++s) {
      if (counts[s] > 0) {
        Shard& shard = MutableShard(s, stamp);
        shard.reserve(shard.size() + counts[s]);
      }
    }
    for (size_t i = 0; i < items.size(); ++i) {
      if (MutableShard(shard_of[i], stamp)
              .try_emplace(std::move(items[i].first), std::move(items[i].second))
              .second) {
        ++size_;
      }
    }
    items.clear();
  }
  void Erase(const K& key, uint64_t stamp) {
    const size_t i = ShardOf(key);
    if (!ShardAt(i).map.contains(key)) return;
    size_ -= MutableShard(i, stamp).erase(key);
  }

 private:
  struct Stamped {
    uint64_t stamp = 0;
    Shard map;
  };
  struct Group {
    uint64_t stamp = 0;
    std::vector<std::shared_ptr<Stamped>> shards;
  };
  template <typename Q>
  size_t ShardOf(const Q& key) const {
    if (shift_ == 64) return 0;
    // Mix again: the in-shard table uses the low bits of the same hash.
    uint64_t h = static_cast<uint64_t>(Hash()(key)) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h >> shift_);
  }
  const Stamped& ShardAt(size_t i) const {
    return *groups_[i >> group_shift_]->shards[i & ((size_t{1} << group_shift_) - 1)];
  }
  Shard& MutableShard(size_t i, uint64_t stamp) {
    std::shared_ptr<Group>& group = groups_[i >> group_shift_];
    if (group->stamp != stamp) {
      auto copy = std::make_shared<Group>(*group);
      copy->stamp = stamp;
      group = std::move(copy);
    }
    std::shared_ptr<Stamped>& shard = group->shards[i & ((size_t{1} << group_shift_) - 1)];
    if (shard->stamp != stamp) {
      auto copy = std::make_shared<Stamped>();
      copy->stamp = stamp;
      copy->map = shard->map;
      shard = std::move(copy);
    }
    return shard->map;
  }

  int shift_;
  int group_shift_;  // log2 of shards per group
  size_t size_ = 0;
  std::vector<std::shared_ptr<Group>> groups_;
};

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_COW_MAP_H_
