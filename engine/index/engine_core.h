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

// Per-thread cache of claims documents: the bytes -> their resolution (principal, token groups,
// matching rules, profiles) at one generation. A broker asks many questions with one caller's
// claims; repeating the parse is most of a check's cost. The answer is a function of the bytes
// and the generation, so an entry serves only the generation it was resolved at (its number is
// kept, not the generation: an entry never pins an old generation); a stale entry is resolved
// again in place.
//
// Admission: while there is room, every document within kMaxBytes enters on its first sight.
// Once full, a document enters only if it was asked for more often lately than the entry it
// would replace (TinyLFU): each lookup counts its hash in a small frequency sketch (two byte
// counters per hash, the smaller is the estimate, all halved every kAgeAfter x capacity counts),
// and the newcomer's estimate must exceed the victim's. Eviction picks that victim by CLOCK
// (second chance, as in ProfileCache): a hit sets the entry's reference bit; the hand clears set
// bits as it sweeps and stops at the first entry whose bit is clear. So a stream of one-off
// documents neither displaces the documents asked for again nor pays to be copied in.
//
// Measured on the load corpus (bench/load --corpus-bench: Zipf-popular callers, 20 000 queries
// after 2 000 of warm-up, and one more pass), hit rates at 1024 / 4096 / 8192 entries:
//   medium (7 353 documents): admit on first sight .40/.65/.83, from a second sight within a
//     window of 4 x capacity hashes .45/.62/.65, this .49/.72/.83;
//   large (12 017): .22/.39/.50, .28/.39/.42, this .30/.47/.61; small (1 092): all .94-.97.
// Admitting on first sight alone churns (every miss copies a document in and evicts one); a
// second-sight window makes every recurring document miss twice. A hit costs two counter
// increments in the sketch (8 bytes per entry, at most 4 MB), no allocation.
//
// Layout: an entry is one allocation, a Node (a header and the Entry, then the document's
// bytes), reused in place when it is evicted for a document that fits. The index is an
// open-addressed table of {hash, Node*} (linear probing, at most half full, deletion by backward
// shift), so a hit reads one table line and two sketch counters, then the node. Equality
// compares the full bytes, never the hash alone: a hash collision must not answer one document
// with another's principal. A hit allocates nothing.
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
  // Larger documents are never remembered: the cache's memory stays near capacity x 16 KB at
  // worst. Real access-token claims are a few KB.
  static constexpr size_t kMaxBytes = 16 * 1024;

  // `capacity` entries at most; 0 disables the cache (Admit always returns null).
  explicit ClaimsCache(size_t capacity) : capacity_(capacity) {}
  ~ClaimsCache();
  ClaimsCache(const ClaimsCache&) = delete;
  ClaimsCache& operator=(const ClaimsCache&) = delete;

  // A keyed AES hash where the CPU has AES-NI, else Abseil's string hash (claims_reader.h). It
  // is computed on every claims check, first sights included: on 1 KB Abseil's hash alone was
  // 6 % of a first sight.
  static size_t Hash(std::string_view json) { return ClaimsDocumentHash(json); }
  // The entry for these bytes (`hash` = Hash(json)), stale or not; null when there is none.
  // Counts the lookup in the frequency sketch and marks the entry used. Allocates nothing.
  Entry* Find(std::string_view json, size_t hash);
  // The entry to fill for bytes Find() did not know, its generation set to one never published
  // (so it answers nothing until filled): null when the document is not admitted (over
  // kMaxBytes, capacity 0, or a full cache whose victim was asked for as often); otherwise a new
  // entry, in the victim's place when full.
  Entry* Admit(std::string_view json, size_t hash);
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

 private:
  // The header first: a hit reads it, the entry's subject and the bytes, in address order.
  struct Node {
    size_t hash = 0;
    uint32_t size = 0;  // the document's length; its bytes follow the node
    uint32_t room = 0;  // bytes allocated after the node
    bool referenced = false;  // CLOCK's bit: used since the hand last passed
    Entry entry;
    char* bytes() { return reinterpret_cast<char*>(this + 1); }
    std::string_view document() { return std::string_view(bytes(), size); }
  };
  struct NodeDeleter {
    void operator()(Node* node) const;
  };
  using NodePtr = std::unique_ptr<Node, NodeDeleter>;
  struct Bucket {
    size_t hash = 0;
    Node* node = nullptr;  // null: empty
  };
  static NodePtr NewNode(size_t bytes);
  void Link(Node* node);  // into table_, growing it first when it would be over half full
  void Unlink(const Node* node);
  size_t Victim();        // moves the hand to the first entry whose bit is clear; its index
  void Count(size_t hash);
  uint8_t Frequency(size_t hash) const;

  size_t capacity_;
  size_t size_ = 0;
  std::vector<Bucket> table_;  // a power of two in size, or empty
  std::vector<NodePtr> ring_;  // every node, in the hand's order; grows to capacity_
  size_t hand_ = 0;
  // How often documents were asked for lately (TinyLFU): 8 x capacity byte counters (256 to
  // 4 M, a power of two), two per hash, saturating at 15; the smaller is the estimate. Halved
  // every kAgeAfter x capacity counts, so old popularity fades. Allocated on the first Admit.
  static constexpr size_t kAgeAfter = 10;
  std::vector<uint8_t> sketch_;
  size_t counted_ = 0;
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
