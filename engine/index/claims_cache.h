// ClaimsCache: the per-thread cache of claims documents and their resolutions.
//
// Thread-safety: none; each reader thread owns one (ThreadState, engine_core.h).
#ifndef CLEARANCE_ENGINE_INDEX_CLAIMS_CACHE_H_
#define CLEARANCE_ENGINE_INDEX_CLAIMS_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "index/document_hash.h"
#include "index/profile.h"
#include "index/subject.h"

namespace clearance::index_internal {

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

  // A keyed AES hash where the CPU has AES-NI, else Abseil's string hash (document_hash.h). It
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

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_CLAIMS_CACHE_H_
