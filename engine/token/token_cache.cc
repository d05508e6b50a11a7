#include "internal/token_cache.h"

#include <utility>

#include "absl/hash/hash.h"
#include "internal/absl_compat.h"

namespace clearance::token_internal {

VerifiedTokenCache::VerifiedTokenCache(size_t capacity)
    : per_shard_capacity_(capacity == 0 ? 0 : (capacity + kShards - 1) / kShards) {}

VerifiedTokenCache::Shard& VerifiedTokenCache::ShardFor(std::string_view token) const {
  // These bits only pick the shard; the shard's map hashes the whole token with its own seed.
  // A token's last bytes are its signature's, as good as random for any token that verified
  // (only those are inserted), so hashing them alone spreads tokens over the shards without
  // hashing a ~1 KB token twice.
  constexpr size_t kTail = 16;
  const std::string_view tail = token.size() > kTail ? token.substr(token.size() - kTail) : token;
  const size_t h = absl::HashOf(Sv(tail));
  return shards_[(h >> 7) % kShards];
}

bool VerifiedTokenCache::Lookup(std::string_view token, int64_t now_seconds, uint64_t generation,
                                std::shared_ptr<const VerifiedToken>* out) const {
  if (per_shard_capacity_ == 0) return false;
  Shard& shard = ShardFor(token);
  sync_internal::ReaderLock lock(&shard.mu);
  auto it = shard.entries.find(Sv(token));
  if (it == shard.entries.end() || it->second.generation != generation ||
      now_seconds >= it->second.expires_at) {
    shard.misses.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  shard.hits.fetch_add(1, std::memory_order_relaxed);
  *out = it->second.verified;
  return true;
}

void VerifiedTokenCache::Insert(std::string_view token,
                                std::shared_ptr<const VerifiedToken> verified,
                                int64_t expires_at_seconds, uint64_t generation,
                                int64_t now_seconds) {
  if (per_shard_capacity_ == 0 || now_seconds >= expires_at_seconds) return;
  Shard& shard = ShardFor(token);
  sync_internal::WriterLock lock(&shard.mu);
  if (shard.entries.size() >= per_shard_capacity_ && !shard.entries.contains(Sv(token))) {
    absl::erase_if(shard.entries, [&](const auto& kv) {
      return kv.second.generation != generation || now_seconds >= kv.second.expires_at;
    });
    // Still full of live entries: evict a few in hash order, so the next inserts do not sweep.
    for (size_t evict = 1 + per_shard_capacity_ / 16;
         evict > 0 && shard.entries.size() >= per_shard_capacity_; --evict) {
      shard.entries.erase(shard.entries.begin());
    }
  }
  shard.entries.insert_or_assign(std::string(token),
                                 Entry{std::move(verified), expires_at_seconds, generation});
}

uint64_t VerifiedTokenCache::hits() const {
  uint64_t n = 0;
  for (const Shard& shard : shards_) n += shard.hits.load(std::memory_order_relaxed);
  return n;
}

uint64_t VerifiedTokenCache::misses() const {
  uint64_t n = 0;
  for (const Shard& shard : shards_) n += shard.misses.load(std::memory_order_relaxed);
  return n;
}

size_t VerifiedTokenCache::size() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    sync_internal::ReaderLock lock(&shard.mu);
    n += shard.entries.size();
  }
  return n;
}

}  // namespace clearance::token_internal
