// StringPool: the id strings of one engine, each stored once, numbered densely from 0, and the
// index that finds a string's id.
//
// Interning turns every id string (users, clients, groups, roles, tenants, mapping rules,
// resource ids, claim values) into a uint32_t once, when a change is applied; the index then
// hashes integers. The pool only grows: ids are never reused, so an id held by any generation
// keeps naming the same string for the pool's lifetime (strings of deleted entities stay; a
// restart compacts them).
//
// Storage: each string is a record (its id, its length, its bytes) in an arena of fixed blocks,
// so a stored string never moves and readers can hold std::string_views into it.
//
// Lookup (StringIndex): 256 shards, each an open-addressing table of 8-byte slots (a pointer to
// the string's record tagged with 16 bits of its hash), probed linearly. The hot path looks up a
// request's resource id and a token's principal on every check, over an index of millions of
// strings whose memory is cold, so what matters is dependent cache misses: a hit reads one slot
// and the record it points to; a miss reads slots only (the 256 shard pointers stay cached). (A
// sharded copy-on-write hash map of string_views into separately allocated strings cost five or
// six.)
//
// Strings are only ever added, so one index serves every generation: the writer publishes each
// new slot with a release store, and readers (acquire loads) need no lock and no copy-on-write.
// A reader may therefore find a string the writer added for a generation newer than the one the
// reader holds. Such an id names nothing in the reader's generation (no node, grant, rule or
// tenant of it refers to the string yet), so every lookup keyed by it answers as for kNoString;
// a Profile built for an owner with no node records that absence in its dependencies either way.
// When a shard fills, the writer copies it into one twice the size, in a new StringIndex that
// shares the other shards; generations hold the index they were published with (shared_ptr), so
// a replaced shard lives while a reader can use it. Shards keep each copy small: one table of a
// million strings took ~90 ms to copy, a pause for whichever change added the string.
//
// Thread-safety: one writer calls Intern(); readers call StringIndex::Find() on the index of a
// generation published to them, and Get() for ids they found or were handed by it.
#ifndef CLEARANCE_ENGINE_INDEX_STRING_POOL_H_
#define CLEARANCE_ENGINE_INDEX_STRING_POOL_H_

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace clearance::index_internal {

inline constexpr uint32_t kNoString = 0xFFFFFFFFu;

// One stored string: its id, its length, then its bytes (the record is 8-byte aligned).
struct StringRecord {
  uint32_t id;
  uint32_t size;
  std::string_view view() const {
    return std::string_view(reinterpret_cast<const char*>(this + 1), size);
  }
};

namespace string_pool_internal {

// The process's hash seed: an address, which ASLR moves from run to run (Abseil seeds its hash
// the same way).
inline const char kSeedAnchor = 0;
inline uint64_t Seed() { return reinterpret_cast<uintptr_t>(&kSeedAnchor); }

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
// The 128-bit product of a and b, its halves folded: every output bit depends on every input bit
// of both (the mixer of wyhash and of Abseil's LowLevelHash).
inline uint64_t FoldedMultiply(uint64_t a, uint64_t b) {
  const unsigned __int128 m = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
}
// Up to 16 bytes as two words: the first and last 8 (or 4) bytes, overlapping when shorter than
// 16, so every byte is read; the length is mixed in by the caller, which tells apart the strings
// that the overlap would make alike.
inline void ShortWords(const char* p, size_t n, uint64_t* a, uint64_t* b) {
  if (n >= 8) {
    *a = Load64(p);
    *b = Load64(p + n - 8);
  } else if (n >= 4) {
    *a = Load32(p);
    *b = Load32(p + n - 4);
  } else if (n > 0) {
    *a = (uint64_t{static_cast<uint8_t>(p[0])} << 16) |
         (uint64_t{static_cast<uint8_t>(p[n >> 1])} << 8) | static_cast<uint8_t>(p[n - 1]);
    *b = 0;
  } else {
    *a = 0;
    *b = 0;
  }
}

inline constexpr uint64_t kK0 = 0xa0761d6478bd642full;
inline constexpr uint64_t kK1 = 0xe7037ed1a0b428dbull;
inline constexpr uint64_t kK2 = 0x8ebc6af09c88c6e3ull;

// Whether n bytes at a and b are equal, for n <= 16 without a call; REQUIRES: both readable.
inline bool EqualBytes(const char* a, const char* b, size_t n) {
  if (n >= 8 && n <= 16) {
    return ((Load64(a) ^ Load64(b)) | (Load64(a + n - 8) ^ Load64(b + n - 8))) == 0;
  }
  if (n >= 4 && n < 8) {
    return ((Load32(a) ^ Load32(b)) | (Load32(a + n - 4) ^ Load32(b + n - 4))) == 0;
  }
  return std::memcmp(a, b, n) == 0;
}

}  // namespace string_pool_internal

// Strings longer than 16 bytes: out of line, so that the short path inlines into every lookup.
[[gnu::noinline]] inline uint64_t LongStringHash(const char* p, size_t n) {
  namespace internal = string_pool_internal;
  if (n <= 32) {
    const uint64_t h =
        internal::FoldedMultiply(internal::Load64(p) ^ internal::kK1,
                                 internal::Load64(p + 8) ^ internal::Seed() ^ (n * internal::kK0));
    return internal::FoldedMultiply(internal::Load64(p + n - 16) ^ internal::kK2 ^ h,
                                    internal::Load64(p + n - 8) ^ internal::kK1);
  }
  return absl::Hash<absl::string_view>()(absl::string_view(p, n));
}

// The hash both the index and its callers use. Ids are mostly short ASCII strings ("user-17",
// "process-42"), looked up on every check: up to 32 bytes they are read as at most four words
// and mixed by one or two folded multiplies with a per-process seed (wyhash's short-key scheme);
// longer strings go through Abseil's hash (through Abseil's own string_view: Debian's Abseil
// falls back to std::hash for std::string_view, several times slower).
//
// Why a fast hash is safe here: only the writer inserts, and it inserts the ids of the
// operators' store, never a caller's string; a request's strings are only looked up. A lookup
// walks the probe run at its home slot and stops at the first empty slot (the table is at most
// 5/8 full), so whatever strings a caller sends, the worst a lookup costs is the longest run that
// the stored ids formed, and a 16-bit tag match (reading the record) within it. The seed keeps
// the ids' placement from being worked out in advance, as Abseil's does for its hash.
[[gnu::always_inline]] inline uint64_t StringHash(std::string_view s) {
  namespace internal = string_pool_internal;
  const size_t n = s.size();
  if (n > 16) return LongStringHash(s.data(), n);
  uint64_t a, b;
  internal::ShortWords(s.data(), n, &a, &b);
  return internal::FoldedMultiply(a ^ internal::kK1, b ^ internal::Seed() ^ (n * internal::kK0));
}

inline constexpr int kShardBits = 8;
// Mixed again so that neither the shard nor the slot depends on the hash's low bits alone.
inline uint64_t Mix(uint64_t hash) { return hash * 0x9E3779B97F4A7C15ull; }

// One shard of a StringIndex.
class StringTable {
 public:
  // A table of 2^bits slots.
  explicit StringTable(int bits)
      : bits_(bits), mask_((size_t{1} << bits) - 1), slots_(new std::atomic<uint64_t>[mask_ + 1]) {
    for (size_t i = 0; i <= mask_; ++i) slots_[i].store(0, std::memory_order_relaxed);
  }
  StringTable(const StringTable&) = delete;
  StringTable& operator=(const StringTable&) = delete;

  // Any thread. The id of `s`, or kNoString. `hash` is StringHash(s), `mixed` Mix(hash).
  [[gnu::always_inline]] uint32_t Find(std::string_view s, uint64_t hash, uint64_t mixed) const {
    const uint64_t tag = hash >> kPointerBits;
    for (size_t i = Home(mixed);; i = (i + 1) & mask_) {
      const uint64_t slot = slots_[i].load(std::memory_order_acquire);
      if (slot == 0) return kNoString;
      if ((slot >> kPointerBits) != tag) continue;
      const auto* r = reinterpret_cast<const StringRecord*>(slot & kPointerMask);
      // Lengths first, then the bytes (a short string without a call).
      if (r->size == s.size() && string_pool_internal::EqualBytes(
                                     reinterpret_cast<const char*>(r + 1), s.data(), s.size())) {
        return r->id;
      }
    }
  }

  // Any thread. Asks the cache for the slot a Find(_, hash) reads first; no effect on results.
  void Prefetch(uint64_t mixed) const { __builtin_prefetch(&slots_[Home(mixed)]); }

  size_t capacity() const { return mask_ + 1; }
  size_t size() const { return size_; }
  // Whether `more` strings keep the load at or under 5/8: short linear probes, mostly within
  // the home slot's cache line.
  bool HasRoomFor(size_t more) const { return (size_ + more) * 8 <= capacity() * 5; }

  // Writer only. REQUIRES: `r`'s string is not in the index; HasRoomFor(1).
  void Insert(const StringRecord* r, uint64_t hash) {
    const auto address = reinterpret_cast<uint64_t>(r);
    // User-space addresses on the 64-bit targets we build for fit in 48 bits (Linux hands out
    // higher ones only to a mapping that asks for them).
    if (address >> kPointerBits != 0) {
      std::fprintf(stderr, "clearance: StringTable: a string record at %p is above 2^48\n",
                   static_cast<const void*>(r));
      std::abort();
    }
    size_t i = Home(Mix(hash));
    while (slots_[i].load(std::memory_order_relaxed) != 0) i = (i + 1) & mask_;
    // One store publishes the record (written before it) with its tag.
    slots_[i].store(address | (hash >> kPointerBits) << kPointerBits, std::memory_order_release);
    ++size_;
  }
  // Writer only: every string of `from` into this (larger, unpublished) index. Slots keep 16
  // bits of a hash, so each string is hashed again.
  void CopyFrom(const StringTable& from) {
    for (size_t i = 0; i <= from.mask_; ++i) {
      const uint64_t slot = from.slots_[i].load(std::memory_order_relaxed);
      if (slot == 0) continue;
      const auto* r = reinterpret_cast<const StringRecord*>(slot & kPointerMask);
      Insert(r, StringHash(r->view()));
    }
  }

 private:
  // A slot is 8 bytes: the record's address in the low 48 bits, the top 16 bits of the string's
  // hash above them (a lookup reads a record only on a tag match), 0 when empty.
  static constexpr int kPointerBits = 48;
  static constexpr uint64_t kPointerMask = (uint64_t{1} << kPointerBits) - 1;

  // From the bits of `mixed` (Mix(hash)) below those that chose the shard (StringIndex::Find).
  size_t Home(uint64_t mixed) const {
    return static_cast<size_t>((mixed << kShardBits) >> (64 - bits_)) & mask_;
  }

  int bits_;
  size_t mask_;
  size_t size_ = 0;  // writer only
  std::unique_ptr<std::atomic<uint64_t>[]> slots_;
};

// The index of a pool as some generation sees it: 256 shards.
class StringIndex {
 public:
  static constexpr size_t kShards = size_t{1} << kShardBits;

  StringIndex() {
    for (auto& shard : shards_) shard = std::make_shared<StringTable>(kMinShardBits);
  }

  // Any thread. The id of `s`, or kNoString. `hash` is StringHash(s).
  [[gnu::always_inline]] uint32_t Find(std::string_view s, uint64_t hash) const {
    const uint64_t mixed = Mix(hash);
    return ShardOf(mixed).Find(s, hash, mixed);
  }
  // Inlined: a check looks up one to three strings, and a call cost a quarter of a lookup.
  [[gnu::always_inline]] uint32_t Find(std::string_view s) const { return Find(s, StringHash(s)); }
  // Any thread. Starts loading the slot Find(s) reads first (a batch reads ahead with it).
  void Prefetch(std::string_view s) const {
    const uint64_t mixed = Mix(StringHash(s));
    ShardOf(mixed).Prefetch(mixed);
  }

  size_t size() const {
    size_t n = 0;
    for (const auto& shard : shards_) n += shard->size();
    return n;
  }
  size_t capacity() const {
    size_t n = 0;
    for (const auto& shard : shards_) n += shard->capacity();
    return n;
  }

 private:
  friend class StringPool;
  static constexpr int kMinShardBits = 4;

  StringTable& ShardFor(uint64_t hash) const { return ShardOf(Mix(hash)); }
  StringTable& ShardOf(uint64_t mixed) const { return *shards_[mixed >> (64 - kShardBits)]; }

  std::array<std::shared_ptr<StringTable>, kShards> shards_;
};

class StringPool {
 public:
  StringPool()
      : directory_(new std::unique_ptr<const StringRecord*[]>[kMaxChunks]),
        index_(std::make_shared<StringIndex>()) {}
  StringPool(const StringPool&) = delete;
  StringPool& operator=(const StringPool&) = delete;

  // Writer only. The id of `s`, added if new. REQUIRES: fewer than 2^28 strings so far.
  uint32_t Intern(std::string_view s) {
    const uint64_t hash = StringHash(s);
    const uint32_t found = index_->Find(s, hash);
    if (found != kNoString) return found;
    if (!index_->ShardFor(hash).HasRoomFor(1)) Grow(hash);
    const StringRecord* r = Store(s);
    index_->ShardFor(hash).Insert(r, hash);
    return r->id;
  }

  // The index as of now: a generation keeps the one it was published with.
  const std::shared_ptr<StringIndex>& index() const { return index_; }

  // REQUIRES: `id` was returned by Intern() or found in an index of this pool.
  std::string_view Get(uint32_t id) const {
    return directory_[id >> kChunkBits][id & kChunkMask]->view();
  }

  // Writer only.
  uint32_t size() const { return size_; }

 private:
  static constexpr int kChunkBits = 12;
  static constexpr uint32_t kChunkMask = (1u << kChunkBits) - 1;
  static constexpr size_t kMaxChunks = size_t{1} << 16;
  static constexpr size_t kBlockBytes = size_t{1} << 18;

  const StringRecord* Store(std::string_view s) {
    const size_t bytes = sizeof(StringRecord) + ((s.size() + 7) & ~size_t{7});
    std::byte* at;
    if (bytes > kBlockBytes / 8) {
      // A long string gets a block of its own: the shared block keeps filling.
      blocks_.emplace_back(new std::byte[bytes]);
      at = blocks_.back().get();
    } else {
      if (block_left_ < bytes) {
        blocks_.emplace_back(new std::byte[kBlockBytes]);
        block_next_ = blocks_.back().get();
        block_left_ = kBlockBytes;
      }
      at = block_next_;
      block_next_ += bytes;
      block_left_ -= bytes;
    }
    // Blocks are 16-byte aligned (operator new[]) and records multiples of 8 bytes.
    auto* r = new (at) StringRecord{size_, static_cast<uint32_t>(s.size())};
    std::memcpy(r + 1, s.data(), s.size());
    auto& chunk = directory_[size_ >> kChunkBits];
    if (!chunk) chunk.reset(new const StringRecord*[size_t{1} << kChunkBits]);
    chunk[size_ & kChunkMask] = r;
    ++size_;
    return r;
  }

  // Doubles the shard `hash` falls in, in a new index that shares the other shards and replaces
  // index_ for the generations to come (published ones keep theirs).
  void Grow(uint64_t hash) {
    const size_t k = Mix(hash) >> (64 - kShardBits);
    const StringTable& full = *index_->shards_[k];
    auto bigger = std::make_shared<StringTable>(std::countr_zero(full.capacity()) + 1);
    bigger->CopyFrom(full);
    auto next = std::make_shared<StringIndex>(*index_);
    next->shards_[k] = std::move(bigger);
    index_ = std::move(next);
  }

  std::unique_ptr<std::unique_ptr<const StringRecord*[]>[]> directory_;
  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  std::byte* block_next_ = nullptr;
  size_t block_left_ = 0;
  uint32_t size_ = 0;
  std::shared_ptr<StringIndex> index_;
};

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_STRING_POOL_H_
