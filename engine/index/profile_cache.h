// ProfileCache: the per-thread cache of compiled profiles, one per owner set.
//
// Thread-safety: none; each reader thread owns one (ThreadState, engine_core.h).
#ifndef CLEARANCE_ENGINE_INDEX_PROFILE_CACHE_H_
#define CLEARANCE_ENGINE_INDEX_PROFILE_CACHE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/types/span.h"
#include "index/generation.h"
#include "index/profile.h"

namespace clearance::index_internal {

// Per-thread profile cache, keyed by the owner set's inputs (ProfileKey). Entries are re-validated
// against a newer generation through Profile::ValidFor, so an unrelated change costs a few
// lookups, and a related one a rebuild; a stale profile is never served.
//
// Bounded by CLOCK (second chance): a hit sets the entry's reference bit (no allocation); making
// room sweeps the hand, clearing set bits, and evicts the first entry whose bit is clear. Hot
// profiles stay while one-off ones cycle through.
//
// A profile is first built cheaply (BuildProfile without merge_runs: most principals at large
// sizes are seen once); after kMergeAfterHits reuses it is rebuilt with merge_runs when it has
// runs to merge, so the profiles that answer many checks answer them with fewer searches. Within
// a ForReuse scope, Get() returns merged profiles at once: the caller keeps them for many checks.
class ProfileCache {
 public:
  explicit ProfileCache(size_t capacity) : capacity_(std::max<size_t>(capacity, 2)) {}

  // While alive, Get() builds (or rebuilds) the profiles it returns with merge_runs: for a
  // resolution whose profiles a handle keeps, so every check through the handle probes merged
  // tables, for one dearer build at resolution.
  class ForReuse {
   public:
    explicit ForReuse(ProfileCache& cache) : cache_(cache) { cache_.reuse_ = true; }
    ~ForReuse() { cache_.reuse_ = false; }
    ForReuse(const ForReuse&) = delete;
    ForReuse& operator=(const ForReuse&) = delete;

   private:
    ProfileCache& cache_;
  };

  // Makes room for the (at most two) profiles one resolution needs: pointers returned by Get()
  // stay valid until the next Reserve().
  void Reserve() {
    while (map_.size() + 2 > capacity_) EvictOne();
  }
  const std::shared_ptr<const Profile>& Get(const Generation& g, absl::Span<const uint64_t> key,
                                            absl::Span<const EntityKey> roots,
                                            const std::vector<uint32_t>* token_groups);
  size_t size() const { return map_.size(); }
  // Profiles built since construction (first builds, rebuilds and merged builds): for tests.
  size_t builds() const { return builds_; }

 private:
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(absl::Span<const uint64_t> k) const {
      return absl::Hash<absl::Span<const uint64_t>>()(k);
    }
  };
  struct KeyEq {
    using is_transparent = void;
    bool operator()(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b) const {
      return a == b;
    }
  };
  struct Slot {
    std::vector<uint64_t> key;  // the map's key views this buffer
    std::shared_ptr<const Profile> profile;
    uint64_t checked_at = 0;  // the generation this profile was last known exact for
    bool referenced = false;  // CLOCK's bit: used since the hand last passed
    bool used = false;
    bool merged = false;  // built with merge_runs (BuildProfile), or had nothing to merge
    uint8_t hits = 0;     // hits while not merged
  };
  // An evicted profile whose lists hold at most this many bytes, and that nothing else holds,
  // is kept to build the next new profile in (BuildProfile's `recycled`): at large sizes most
  // lookups are first sights, each evicting one profile and building another, and reusing the
  // evicted one's memory spares the allocator a dozen frees and mallocs per build. The bound keeps
  // a small profile built in a recycled one from holding much more memory than it needs.
  static constexpr size_t kRecycleBytes = 2048;
  // Reuses that earn a profile its merged build: enough that a profile evicted soon after one or
  // two reuses (a thrashing cache) is not built twice for nothing.
  static constexpr uint8_t kMergeAfterHits = 2;
  void EvictOne();

  size_t capacity_;
  std::deque<Slot> slots_;  // a deque: growing never moves a slot that Get() returned
  std::vector<uint32_t> free_;
  size_t hand_ = 0;
  size_t builds_ = 0;
  std::shared_ptr<Profile> spare_;  // the last evicted profile, when recyclable (kRecycleBytes)
  bool reuse_ = false;  // inside a ForReuse scope
  absl::flat_hash_map<absl::Span<const uint64_t>, uint32_t, KeyHash, KeyEq> map_;
};

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_PROFILE_CACHE_H_
