// EngineCore: the Engine's state: the published generation, the writer, and the per-thread
// reader state (claims parser, pinned generation, profile cache).
//
// Publication: the writer builds generation N+1 privately (GenerationWriter), stores it in
// `current_` and then bumps `number_` (release). A reader compares `number_` with the generation
// its thread holds and reloads `current_` only when they differ, so the common path is one
// relaxed-cost atomic load of a counter that only the writer writes: no lock, no shared
// reference-count traffic between reader threads.
#ifndef CLEARANCE_ENGINE_INDEX_ENGINE_CORE_H_
#define CLEARANCE_ENGINE_INDEX_ENGINE_CORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "clearance/engine.h"
#include "index/claims_reader.h"
#include "index/generation.h"
#include "index/profile.h"
#include "index/subject.h"

namespace clearance::index_internal {

// Per-thread profile cache, keyed by the owner set's inputs (ProfileKey). Entries are re-validated
// against a newer generation through Profile::ValidFor, so an unrelated change costs a few
// lookups, and a related one a rebuild; a stale profile is never served.
class ProfileCache {
 public:
  explicit ProfileCache(size_t capacity) : capacity_(capacity) {}

  // Makes room for the (at most two) profiles one resolution needs: pointers returned by Get()
  // stay valid until the next Reserve().
  void Reserve() {
    if (map_.size() + 2 > capacity_) map_.clear();
  }
  const std::shared_ptr<const Profile>& Get(const Generation& g, absl::Span<const uint64_t> key,
                                            absl::Span<const EntityKey> roots,
                                            const std::vector<uint32_t>* token_groups);
  size_t size() const { return map_.size(); }

 private:
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(absl::Span<const uint64_t> k) const {
      return absl::Hash<absl::Span<const uint64_t>>()(k);
    }
    size_t operator()(const std::vector<uint64_t>& k) const {
      return (*this)(absl::MakeConstSpan(k));
    }
  };
  struct KeyEq {
    using is_transparent = void;
    static absl::Span<const uint64_t> S(absl::Span<const uint64_t> k) { return k; }
    static absl::Span<const uint64_t> S(const std::vector<uint64_t>& k) {
      return absl::MakeConstSpan(k);
    }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return S(a) == S(b);
    }
  };
  struct Entry {
    std::shared_ptr<const Profile> profile;
    uint64_t checked_at;  // the generation this profile was last known exact for
  };
  size_t capacity_;
  absl::flat_hash_map<std::vector<uint64_t>, Entry, KeyHash, KeyEq> map_;
};

struct ThreadState {
  ThreadState(uint64_t id, std::weak_ptr<const int> token, size_t cache_capacity,
              ClaimsParser parser)
      : engine_id(id), alive(std::move(token)), reader(parser), cache(cache_capacity) {}
  uint64_t engine_id;
  std::weak_ptr<const int> alive;  // expires with the engine; dead entries are swept
  std::shared_ptr<const Generation> generation;
  ClaimsReader reader;
  ProfileCache cache;
  Subject subject;
  std::vector<uint64_t> key;
  std::vector<EntityKey> roots;
};

class EngineCore {
 public:
  EngineCore(EngineOptions options, std::shared_ptr<const Generation> initial);

  // The calling thread's state, its generation brought up to date.
  ThreadState& Reader() const;
  std::shared_ptr<const Generation> Current() const {
    return current_.load(std::memory_order_acquire);
  }
  uint64_t number() const { return number_.load(std::memory_order_acquire); }

  // Resolves `caller` into ts.subject against ts.generation and attaches its profiles.
  void Resolve(ThreadState& ts, Caller::Kind kind, std::string_view text) const;
  // Copies ts.subject into a handle.
  std::shared_ptr<const ResolvedPrincipal> Freeze(ThreadState& ts) const;

  void Apply(const ChangeSet& changes) ABSL_LOCKS_EXCLUDED(writer_mu_);

 private:
  const EngineOptions options_;
  const uint64_t id_;
  const std::shared_ptr<const int> alive_;
  absl::Mutex writer_mu_;
  std::shared_ptr<const Generation> latest_ ABSL_GUARDED_BY(writer_mu_);
  std::atomic<std::shared_ptr<const Generation>> current_;
  std::atomic<uint64_t> number_;
};

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_ENGINE_CORE_H_
