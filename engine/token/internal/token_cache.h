// The verified-token cache: token bytes → the VerifiedToken they established.
//
// Keyed on the complete token (hash, then a full byte comparison: a token that shares a prefix,
// a signature or a hash with a cached one never hits). An entry is served only while
//   now < its expiry (the token's exp, or a TTL for tokens without exp), and
//   its key generation equals the verifier's current one (a key-ring change drops everything).
// Bounded: when a shard is full, expired and stale entries are swept, then arbitrary entries are
// evicted (hash order is effectively random, which resists an attacker trying to flush a chosen
// entry better than LRU would).
//
// Thread-safety: all methods may be called concurrently. Lookup takes a shard's lock in shared
// mode and does not allocate: it copies a shared_ptr (one atomic increment).
#ifndef CLEARANCE_ENGINE_TOKEN_INTERNAL_TOKEN_CACHE_H_
#define CLEARANCE_ENGINE_TOKEN_INTERNAL_TOKEN_CACHE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "clearance/internal/mutex.h"
#include "clearance/token.h"

namespace clearance::token_internal {

class VerifiedTokenCache {
 public:
  // capacity: total entries over all shards; 0 disables the cache.
  explicit VerifiedTokenCache(size_t capacity);

  // True and *out set when a live entry exists for exactly `token`.
  bool Lookup(std::string_view token, int64_t now_seconds, uint64_t generation,
              std::shared_ptr<const VerifiedToken>* out) const;

  // Stores an entry valid until `expires_at_seconds` (exclusive) under `generation`.
  void Insert(std::string_view token, std::shared_ptr<const VerifiedToken> verified,
              int64_t expires_at_seconds, uint64_t generation, int64_t now_seconds);

  size_t size() const;
  // Lookups that were served, and lookups that were not (absent, expired or stale), since
  // construction. Relaxed counters beside each shard's lock, whose cache line a lookup writes
  // anyway.
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  struct Entry {
    std::shared_ptr<const VerifiedToken> verified;
    int64_t expires_at;
    uint64_t generation;
  };
  struct Shard {
    // A pthread rwlock that TSan intercepts and clang's analysis checks (internal/mutex.h).
    mutable sync_internal::SharedMutex mu;
    absl::flat_hash_map<std::string, Entry> entries ABSL_GUARDED_BY(mu);
    std::atomic<uint64_t> hits{0};
    std::atomic<uint64_t> misses{0};
  };
  static constexpr size_t kShards = 16;

  Shard& ShardFor(std::string_view token) const;

  size_t per_shard_capacity_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace clearance::token_internal

#endif  // CLEARANCE_ENGINE_TOKEN_INTERNAL_TOKEN_CACHE_H_
