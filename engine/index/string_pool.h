// StringPool: the id strings of one engine, each stored once, numbered densely from 0.
//
// Interning turns every id string (users, clients, groups, roles, tenants, mapping rules,
// resource ids, claim values) into a uint32_t once, when a change is applied; the index then
// hashes integers. The pool only grows: ids are never reused, so an id held by any generation
// keeps naming the same string for the pool's lifetime (strings of deleted entities stay; a
// restart compacts them).
//
// Storage is a fixed directory of fixed-size chunks, so a stored string never moves and readers
// can hold std::string_views into it.
//
// Thread-safety: one writer calls Add(); readers call Get() only for ids published to them
// through a generation (whose publication orders the writer's stores before their loads).
#ifndef CLEARANCE_ENGINE_INDEX_STRING_POOL_H_
#define CLEARANCE_ENGINE_INDEX_STRING_POOL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace clearance::index_internal {

inline constexpr uint32_t kNoString = 0xFFFFFFFFu;

class StringPool {
 public:
  StringPool() : directory_(new std::unique_ptr<std::string[]>[kMaxChunks]) {}
  StringPool(const StringPool&) = delete;
  StringPool& operator=(const StringPool&) = delete;

  // Writer only. Appends `s` and returns its id. REQUIRES: fewer than 2^28 strings so far.
  uint32_t Add(std::string_view s) {
    const uint32_t id = size_++;
    auto& chunk = directory_[id >> kChunkBits];
    if (!chunk) chunk.reset(new std::string[size_t{1} << kChunkBits]);
    chunk[id & kChunkMask].assign(s.data(), s.size());
    return id;
  }

  // REQUIRES: `id` was returned by Add() and published to the caller.
  std::string_view Get(uint32_t id) const { return directory_[id >> kChunkBits][id & kChunkMask]; }

  // Writer only.
  uint32_t size() const { return size_; }

 private:
  static constexpr int kChunkBits = 12;
  static constexpr uint32_t kChunkMask = (1u << kChunkBits) - 1;
  static constexpr size_t kMaxChunks = size_t{1} << 16;

  std::unique_ptr<std::unique_ptr<std::string[]>[]> directory_;
  uint32_t size_ = 0;
};

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_STRING_POOL_H_
