// EngineCore: the Engine's state: the published generation, the writer, and the per-thread
// reader state (claims parser, pinned generation, profile cache, claims cache).
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
//
// Reader state: each thread that reads an engine gets one ThreadState for it, created on its
// first read. The state lives as long as both the engine and the thread: whichever ends first
// frees it (ReaderStates, engine_core.cc), so a destroyed engine leaves no cache, parser or
// pinned generation behind on the threads that read it, and an exiting thread leaves none in
// the engine.
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
  explicit ThreadState(const EngineOptions& options);
  ~ThreadState();
  ThreadState(const ThreadState&) = delete;
  ThreadState& operator=(const ThreadState&) = delete;

  std::shared_ptr<const Generation> generation;
  ClaimsReader reader;
  ProfileCache cache;
  ClaimsCache claims_cache;
  Subject subject;
  // The profile cache's own pointers to subject.p and subject.m (m: null when no rule matched),
  // for the claims cache and handles to share; valid until the next AttachProfiles().
  const std::shared_ptr<const Profile>* p = nullptr;
  const std::shared_ptr<const Profile>* m = nullptr;
  std::vector<uint64_t> key;
  std::vector<EntityKey> roots;

  // Looks up (or builds) the resolved subject's profiles P and M in the profile cache against
  // `generation` and attaches them: subject.p, subject.m, p and m. The only place that makes
  // room in the cache, so the profiles attached stay cached until the next call.
  // REQUIRES: subject.state == kResolved.
  void AttachProfiles();
};

// How many ThreadStates exist in the process, over all engines and threads: the test hook that
// shows reader state is released with its engine or its thread.
size_t LiveThreadStates();

class ReaderStates;

class EngineCore {
 public:
  EngineCore(EngineOptions options, std::shared_ptr<const Generation> initial);
  // Frees every thread's state for this engine.
  // REQUIRES: no call on this engine is in progress on any thread.
  ~EngineCore();
  EngineCore(const EngineCore&) = delete;
  EngineCore& operator=(const EngineCore&) = delete;

  // The calling thread's state, its generation brought up to date.
  ThreadState& Reader() const;
  std::shared_ptr<const Generation> Current() const {
    std::lock_guard<std::mutex> lock(publish_mu_);
    return current_;
  }
  uint64_t number() const { return number_.load(std::memory_order_acquire); }

  // Resolves `caller` into ts.subject against ts.generation and attaches its profiles
  // (ThreadState::AttachProfiles).
  // kPrevalidated only for claims bytes a TokenVerifier verified (claims_reader.h).
  void Resolve(ThreadState& ts, Caller::Kind kind, std::string_view text,
               ClaimsTrust trust = ClaimsTrust::kUntrusted) const;
  // The decision for claims bytes, through the thread's claims cache.
  Decision DecideClaims(ThreadState& ts, std::string_view json, ClaimsTrust trust,
                        const CheckRequest& request) const;
  Decision DecideClaims(ThreadState& ts, std::string_view json, ClaimsTrust trust,
                        const CheckRequestView& request) const;
  // Copies ts.subject into a handle that shares its profiles.
  // REQUIRES: ts.subject is the latest Resolve() on this thread.
  std::shared_ptr<const ResolvedPrincipal> Freeze(ThreadState& ts,
                                                  std::string failure_detail = {}) const;

  void Apply(const ChangeSet& changes) ABSL_LOCKS_EXCLUDED(writer_mu_);

 private:
  const EngineOptions options_;
  const uint64_t id_;  // never reused, so a thread's table never mistakes a dead engine for it
  const std::shared_ptr<ReaderStates> readers_;
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
