#include "index/profile_cache.h"

namespace clearance::index_internal {

const std::shared_ptr<const Profile>& ProfileCache::Get(const Generation& g,
                                                        absl::Span<const uint64_t> key,
                                                        absl::Span<const EntityKey> roots,
                                                        const std::vector<uint32_t>* token_groups) {
  auto it = map_.find(key);
  if (it != map_.end()) {
    Slot& e = slots_[it->second];
    e.referenced = true;
    if (e.checked_at != g.number) {
      if (!e.profile->ValidFor(g)) {
        e.profile = BuildProfile(g, roots, token_groups, e.merged);
        ++builds_;
      }
      e.checked_at = g.number;
    }
    if (!e.merged && (reuse_ || ++e.hits >= kMergeAfterHits)) {
      if (!e.profile->runs.empty()) {
        e.profile = BuildProfile(g, roots, token_groups, true);
        ++builds_;
      }
      e.merged = true;
    }
    return e.profile;
  }
  uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    i = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& e = slots_[i];
  e.key.assign(key.begin(), key.end());
  e.profile = BuildProfile(g, roots, token_groups, /*merge_runs=*/reuse_, std::move(spare_));
  ++builds_;
  e.checked_at = g.number;
  e.merged = reuse_;
  e.hits = 0;
  e.referenced = false;  // a second use earns it a pass of the hand
  e.used = true;
  map_.emplace(absl::MakeConstSpan(e.key), i);
  return e.profile;
}

void ProfileCache::EvictOne() {
  // Terminates: one full turn clears every bit, the next finds an entry (map_ is not empty).
  for (;;) {
    if (hand_ >= slots_.size()) hand_ = 0;
    Slot& e = slots_[hand_++];
    if (!e.used) continue;
    if (e.referenced) {
      e.referenced = false;
      continue;
    }
    map_.erase(absl::MakeConstSpan(e.key));
    e.used = false;
    // use_count() == 1: no claims-cache entry or handle shares it, and only this thread could
    // make one that does (the cache is the thread's own), so it is free to rebuild in place.
    if (e.profile.use_count() == 1 && ListBytes(*e.profile) <= kRecycleBytes) {
      spare_ = std::const_pointer_cast<Profile>(std::move(e.profile));
      spare_->pinned.clear();  // the nodes it pinned are not kept alive while it waits
    }
    e.profile.reset();
    free_.push_back(static_cast<uint32_t>(hand_ - 1));
    return;
  }
}

}  // namespace clearance::index_internal
