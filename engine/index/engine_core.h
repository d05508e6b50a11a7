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

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "clearance/engine.h"
#include "index/claims_cache.h"
#include "index/claims_reader.h"
#include "index/generation.h"
#include "index/profile_cache.h"
#include "index/subject.h"

namespace clearance::index_internal {

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
  Decision DecideClaims(ThreadState& ts, std::string_view json, ClaimsTrust trust,
                        const CheckRequestView& request) const;
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
