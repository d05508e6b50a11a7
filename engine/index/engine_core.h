// EngineCore: the Engine's state: the published generation, the writer, and the per-thread
// reader state (claims parser, pinned generation, profile cache).
//
// Publication: the writer builds generation N+1 privately (GenerationWriter), stores it in
// `current_` and then bumps `number_` (release). A reader compares `number_` with the generation
// its thread holds and reloads `current_` only when they differ, so the common path is one
// relaxed-cost atomic load of a counter that only the writer writes: no lock, no shared
// reference-count traffic between reader threads.
//
// `current_` is a shared_ptr behind a std::mutex held only to copy or swap the pointer (once per
// reader thread per published change), not std::atomic<std::shared_ptr>: GCC 12's libstdc++
// releases that type's internal lock with a relaxed store after a load, which TSan reports as a
// race on the pointer, and the cost of a mutex here is off the hot path.
#ifndef CLEARANCE_ENGINE_INDEX_ENGINE_CORE_H_
#define CLEARANCE_ENGINE_INDEX_ENGINE_CORE_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
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
//
// Bounded by CLOCK (second chance): a hit sets the entry's reference bit (no allocation); making
// room sweeps the hand, clearing set bits, and evicts the first entry whose bit is clear. Hot
// profiles stay while one-off ones cycle through.
//
// A profile is first built cheaply (BuildProfile without merge_runs: most principals at large
// sizes are seen once); after kMergeAfterHits reuses it is rebuilt with merge_runs when it has
// runs to merge, so the profiles that answer many checks answer them with fewer searches.
class ProfileCache {
 public:
  explicit ProfileCache(size_t capacity) : capacity_(std::max<size_t>(capacity, 2)) {}

  // Makes room for the (at most two) profiles one resolution needs: pointers returned by Get()
  // stay valid until the next Reserve().
  void Reserve() {
    while (map_.size() + 2 > capacity_) EvictOne();
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
    bool merged = false;      // built with merge_runs (BuildProfile), or had nothing to merge
    uint8_t hits = 0;         // hits while not merged
  };
  // Reuses that earn a profile its merged build: enough that a profile evicted soon after one or
  // two reuses (a thrashing cache) is not built twice for nothing.
  static constexpr uint8_t kMergeAfterHits = 2;
  void EvictOne();

  size_t capacity_;
  std::deque<Slot> slots_;  // a deque: growing never moves a slot that Get() returned
  std::vector<uint32_t> free_;
  size_t hand_ = 0;
  absl::flat_hash_map<absl::Span<const uint64_t>, uint32_t, KeyHash, KeyEq> map_;
};

// Per-thread cache of claims documents a thread has seen more than once: the bytes -> their
// resolution (principal, token groups, matching rules, profiles) at one generation. A broker
// asks many questions with one caller's claims; repeating the parse is most of a check's cost.
// The answer is a function of the bytes and the generation, so an entry serves only the
// generation it was resolved at (its number is kept, not the generation: an entry never pins an
// old generation); a stale entry is resolved again in place. A first sight only records the
// bytes' hash, so documents seen once cost one hash and no allocation.
class ClaimsCache {
 public:
  struct Entry {
    uint64_t generation = 0;
    Subject subject;  // its views point into principal_id and groups below
    std::string principal_id;
    std::vector<std::string> groups;
    std::shared_ptr<const Profile> p;
    std::shared_ptr<const Profile> m;
  };

  explicit ClaimsCache(size_t capacity) : capacity_(capacity), seen_(kSeenSlots, 0) {}

  // A keyed AES hash where the CPU has AES-NI, else Abseil's string hash (claims_reader.h). It
  // is computed on every claims check, first sights included: on 1 KB Abseil's hash alone was
  // 6 % of a first sight.
  static size_t Hash(std::string_view json) { return ClaimsDocumentHash(json); }
  // The entry for these bytes, stale or not; null when there is none.
  Entry* Find(std::string_view json, size_t hash);
  // The entry to fill for bytes Find() did not know: null on their first sight (or when the
  // capacity is 0); otherwise a new entry, after evicting an arbitrary one when full.
  Entry* Admit(std::string_view json, size_t hash);
  size_t size() const { return map_.size(); }

 private:
  static constexpr size_t kSeenSlots = 4096;
  // Larger documents are never remembered: the cache's memory stays near capacity x 16 KB at
  // worst. Real access-token claims are a few KB.
  static constexpr size_t kMaxBytes = 16 * 1024;
  struct Key {
    std::string bytes;
    size_t hash;
  };
  struct Probe {
    std::string_view bytes;
    size_t hash;
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(const Key& k) const { return k.hash; }
    size_t operator()(const Probe& k) const { return k.hash; }
  };
  struct KeyEq {
    using is_transparent = void;
    static std::string_view B(const Key& k) { return k.bytes; }
    static std::string_view B(const Probe& k) { return k.bytes; }
    template <typename A, typename C>
    bool operator()(const A& a, const C& c) const {
      return B(a) == B(c);
    }
  };
  size_t capacity_;
  std::vector<size_t> seen_;  // hashes of recent first sights, by hash
  absl::flat_hash_map<Key, std::unique_ptr<Entry>, KeyHash, KeyEq> map_;
};

struct ThreadState {
  ThreadState(uint64_t id, std::weak_ptr<const int> token, const EngineOptions& options)
      : engine_id(id),
        alive(std::move(token)),
        reader(options.claims_parser == EngineOptions::ClaimsParser::kDom ? ClaimsParser::kDom
                                                                          : ClaimsParser::kOnDemand),
        cache(options.profile_cache_capacity),
        claims_cache(options.claims_cache_capacity) {}
  uint64_t engine_id;
  std::weak_ptr<const int> alive;  // expires with the engine; dead entries are swept
  std::shared_ptr<const Generation> generation;
  ClaimsReader reader;
  ProfileCache cache;
  ClaimsCache claims_cache;
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
    std::lock_guard<std::mutex> lock(publish_mu_);
    return current_;
  }
  uint64_t number() const { return number_.load(std::memory_order_acquire); }

  // Resolves `caller` into ts.subject against ts.generation and attaches its profiles.
  // kPrevalidated only for claims bytes a TokenVerifier verified (claims_reader.h).
  void Resolve(ThreadState& ts, Caller::Kind kind, std::string_view text,
               ClaimsTrust trust = ClaimsTrust::kUntrusted) const;
  // The decision for claims bytes, through the thread's claims cache.
  Decision DecideClaims(ThreadState& ts, std::string_view json, ClaimsTrust trust,
                        const CheckRequest& request) const;
  // Copies ts.subject into a handle.
  std::shared_ptr<const ResolvedPrincipal> Freeze(ThreadState& ts) const;

  void Apply(const ChangeSet& changes) ABSL_LOCKS_EXCLUDED(writer_mu_);

 private:
  const EngineOptions options_;
  const uint64_t id_;
  const std::shared_ptr<const int> alive_;
  absl::Mutex writer_mu_;
  std::shared_ptr<const Generation> latest_ ABSL_GUARDED_BY(writer_mu_);
  // Guards current_ only (std::mutex, not absl::Mutex: Debian's Abseil is built without TSan
  // annotations). Never held while a generation is built or destroyed.
  mutable std::mutex publish_mu_;
  std::shared_ptr<const Generation> current_;  // guarded by publish_mu_
  std::atomic<uint64_t> number_;
};

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_ENGINE_CORE_H_
