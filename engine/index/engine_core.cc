#include "index/engine_core.h"

#include <atomic>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "clearance/internal/mutex.h"
#include "index/evaluate.h"
#include "index/generation_writer.h"

namespace clearance::index_internal {

// The ThreadStates of one engine, one per thread that has read it. The engine and every such
// thread's table share it; whichever of the two ends first frees that thread's state.
class ReaderStates {
 public:
  // Takes `state`, created by the calling thread for this engine; the thread keeps the pointer.
  ThreadState* Add(std::unique_ptr<ThreadState> state) ABSL_LOCKS_EXCLUDED(mu_) {
    ThreadState* raw = state.get();
    sync_internal::MutexLock lock(&mu_);
    states_.emplace(raw, std::move(state));
    return raw;
  }
  // The thread that added `state` is exiting: frees it, unless Close() already did.
  void Release(ThreadState* state) ABSL_LOCKS_EXCLUDED(mu_) {
    std::unique_ptr<ThreadState> owned;  // freed after the lock is released
    sync_internal::MutexLock lock(&mu_);
    auto it = states_.find(state);
    if (it == states_.end()) return;
    owned = std::move(it->second);
    states_.erase(it);
  }
  // The engine is being destroyed: frees every thread's state. The threads' tables still name
  // them, but only under this engine's id, which no later engine has.
  void Close() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::flat_hash_map<ThreadState*, std::unique_ptr<ThreadState>> states;
    {
      sync_internal::MutexLock lock(&mu_);
      states.swap(states_);
      closed_.store(true, std::memory_order_release);
    }
  }
  // True once Close() ran: a thread's entry for this engine can be dropped.
  bool closed() const { return closed_.load(std::memory_order_acquire); }

 private:
  sync_internal::Mutex mu_;
  absl::flat_hash_map<ThreadState*, std::unique_ptr<ThreadState>> states_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> closed_{false};
};

namespace {

std::atomic<uint64_t> next_engine_id{1};
std::atomic<size_t> live_thread_states{0};

// One thread's reader states, by engine id. The states belong to their engines' ReaderStates;
// a thread that exits hands back the ones whose engines still exist.
struct ThreadStates {
  struct Entry {
    ThreadState* state;
    std::shared_ptr<ReaderStates> owner;
  };
  // The last engine read and its state: most threads read one engine, so most reads stop here.
  // Compared by id, never through `last`, which may be freed with its engine.
  uint64_t last_id = 0;
  ThreadState* last = nullptr;
  absl::flat_hash_map<uint64_t, Entry> by_engine;

  ThreadStates() = default;
  ThreadStates(const ThreadStates&) = delete;
  ThreadStates& operator=(const ThreadStates&) = delete;
  ~ThreadStates() {
    for (auto& [id, entry] : by_engine) entry.owner->Release(entry.state);
  }
};
thread_local ThreadStates thread_states;

}  // namespace

ThreadState::ThreadState(const EngineOptions& options)
    : cache(options.profile_cache_capacity), claims_cache(options.claims_cache_capacity) {
  live_thread_states.fetch_add(1, std::memory_order_relaxed);
}

ThreadState::~ThreadState() { live_thread_states.fetch_sub(1, std::memory_order_relaxed); }

size_t LiveThreadStates() { return live_thread_states.load(std::memory_order_relaxed); }

EngineCore::EngineCore(EngineOptions options, std::shared_ptr<const Generation> initial)
    : options_(options),
      id_(next_engine_id.fetch_add(1)),
      readers_(std::make_shared<ReaderStates>()),
      latest_(initial),
      current_(initial),
      number_(initial->number) {}

EngineCore::~EngineCore() { readers_->Close(); }

ThreadState& EngineCore::Reader() const {
  ThreadStates& states = thread_states;
  ThreadState* ts = states.last;
  if (states.last_id != id_) {
    auto it = states.by_engine.find(id_);
    if (it == states.by_engine.end()) {
      // Forget the engines destroyed since (their states are already freed) before adding one.
      absl::erase_if(states.by_engine,
                     [](const auto& entry) { return entry.second.owner->closed(); });
      ThreadState* added = readers_->Add(std::make_unique<ThreadState>(options_));
      it = states.by_engine.emplace(id_, ThreadStates::Entry{added, readers_}).first;
    }
    ts = it->second.state;
    states.last_id = id_;
    states.last = ts;
  }
  if (!ts->generation || ts->generation->number != number_.load(std::memory_order_acquire)) {
    ts->generation = Current();
  }
  return *ts;
}

void ThreadState::AttachProfiles() {
  const Generation& g = *generation;
  Subject& s = subject;
  // Room for both before either lookup: making room later could evict the profiles just
  // attached (a new entry's reference bit is clear).
  cache.Reserve();
  const std::vector<uint32_t>* token_groups = s.token_mode ? &s.token_group_sids : nullptr;
  ProfileKey(s, /*rules=*/false, &key);
  roots.assign(1, Key(s.principal_type, s.principal_sid));
  p = &cache.Get(g, key, roots, token_groups);
  s.p = p->get();
  m = nullptr;
  if (!s.rules.empty()) {
    ProfileKey(s, /*rules=*/true, &key);
    roots.clear();
    for (uint32_t r : s.rules) roots.push_back(Key(Kind::kMappingRule, r));
    m = &cache.Get(g, key, roots, token_groups);
    s.m = m->get();
  }
}

void EngineCore::Resolve(ThreadState& ts, Caller::Kind kind, std::string_view text,
                         ClaimsTrust trust) const {
  const Generation& g = *ts.generation;
  Subject& s = ts.subject;
  switch (kind) {
    case Caller::Kind::kAnonymous:
      ResolveAnonymous(&s);
      return;
    case Caller::Kind::kClaims:
      ResolveClaims(g, text, ts.reader, &s, trust);
      break;
    case Caller::Kind::kBasicUser:
      ResolveBasicUser(g, text, &s);
      break;
  }
  if (s.state == Subject::State::kResolved) ts.AttachProfiles();
}

namespace {

// EngineCore::DecideClaims for either request form (CheckRequest or CheckRequestView): one
// body, so the claims cache treats both alike.
template <typename Request>
Decision DecideClaimsFor(const EngineCore& core, ThreadState& ts, std::string_view json,
                         ClaimsTrust trust, const Request& request) {
  const Generation& g = *ts.generation;
  const size_t hash = ClaimsCache::Hash(json);
  ClaimsCache::Entry* e = ts.claims_cache.Find(json, hash);
  if (e != nullptr && e->generation == g.number) return Decide(g, e->subject, request);
  core.Resolve(ts, Caller::Kind::kClaims, json, trust);
  const Decision decision = Decide(g, ts.subject, request);
  if (e == nullptr) e = ts.claims_cache.Admit(json, hash);
  if (e == nullptr) return decision;
  // Remember the resolution: own the strings the subject views (they point into the reader).
  const Subject& s = ts.subject;
  e->generation = g.number;
  e->subject = s;
  e->principal_id.assign(s.principal_id);
  e->subject.principal_id = e->principal_id;
  e->groups.resize(s.token_groups.size());
  for (size_t i = 0; i < s.token_groups.size(); ++i) {
    e->groups[i].assign(s.token_groups[i]);
    e->subject.token_groups[i] = e->groups[i];
  }
  e->p.reset();
  e->m.reset();
  if (s.state == Subject::State::kResolved) {
    // The profiles Resolve() attached, now shared with the entry.
    e->p = *ts.p;
    if (ts.m != nullptr) e->m = *ts.m;
  }
  e->subject.p = e->p.get();
  e->subject.m = e->m.get();
  return decision;
}

}  // namespace

Decision EngineCore::DecideClaims(ThreadState& ts, std::string_view json, ClaimsTrust trust,
                                  const CheckRequest& request) const {
  return DecideClaimsFor(*this, ts, json, trust, request);
}

Decision EngineCore::DecideClaims(ThreadState& ts, std::string_view json, ClaimsTrust trust,
                                  const CheckRequestView& request) const {
  return DecideClaimsFor(*this, ts, json, trust, request);
}

std::shared_ptr<const ResolvedPrincipal> EngineCore::Freeze(ThreadState& ts,
                                                           std::string failure_detail) const {
  auto r = std::make_shared<ResolvedPrincipal>();
  r->failure_detail = std::move(failure_detail);
  r->generation = ts.generation;
  r->subject = ts.subject;
  Subject& s = r->subject;
  // Own every string the subject views; reserve first so the views stay put.
  r->storage.reserve(1 + s.token_groups.size());
  r->storage.emplace_back(s.principal_id);
  s.principal_id = r->storage.back();
  for (std::string_view& group : s.token_groups) {
    r->storage.emplace_back(group);
    group = r->storage.back();
  }
  if (s.state == Subject::State::kResolved) {
    // The profiles Resolve() attached; the handle shares them.
    r->p = *ts.p;
    if (ts.m != nullptr) r->m = *ts.m;
  }
  return r;
}

void EngineCore::Apply(const ChangeSet& changes) {
  absl::MutexLock lock(&writer_mu_);
  GenerationWriter writer(*latest_);
  writer.Apply(changes);
  latest_ = writer.Finish();
  std::shared_ptr<const Generation> previous;  // released below, outside the lock
  {
    std::lock_guard<std::mutex> publish(publish_mu_);
    previous = std::exchange(current_, latest_);
  }
  number_.store(latest_->number, std::memory_order_release);
}

}  // namespace clearance::index_internal
