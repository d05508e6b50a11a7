#include "index/engine_core.h"

#include <utility>

#include "index/evaluate.h"
#include "index/generation_writer.h"

namespace clearance::index_internal {
namespace {

std::atomic<uint64_t> next_engine_id{1};

struct ThreadStates {
  ThreadState* last = nullptr;
  absl::flat_hash_map<uint64_t, std::unique_ptr<ThreadState>> by_engine;
};
thread_local ThreadStates thread_states;

}  // namespace

EngineCore::EngineCore(EngineOptions options, std::shared_ptr<const Generation> initial)
    : options_(options),
      id_(next_engine_id.fetch_add(1)),
      alive_(std::make_shared<const int>(0)),
      latest_(initial),
      current_(initial),
      number_(initial->number) {}

ThreadState& EngineCore::Reader() const {
  ThreadStates& states = thread_states;
  ThreadState* ts = states.last;
  if (ts == nullptr || ts->engine_id != id_) {
    auto it = states.by_engine.find(id_);
    if (it == states.by_engine.end()) {
      // Drop the state of engines that no longer exist before adding one.
      absl::erase_if(states.by_engine,
                     [](const auto& entry) { return entry.second->alive.expired(); });
      it = states.by_engine
               .emplace(id_, std::make_unique<ThreadState>(id_, alive_, options_))
               .first;
    }
    ts = it->second.get();
    states.last = ts;
  }
  if (!ts->generation || ts->generation->number != number_.load(std::memory_order_acquire)) {
    ts->generation = Current();
  }
  return *ts;
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
  if (s.state != Subject::State::kResolved) return;
  ts.cache.Reserve();
  const std::vector<uint32_t>* token_groups = s.token_mode ? &s.token_group_sids : nullptr;
  ProfileKey(s, /*rules=*/false, &ts.key);
  ts.roots.assign(1, Key(s.principal_type, s.principal_sid));
  s.p = ts.cache.Get(g, ts.key, ts.roots, token_groups).get();
  if (!s.rules.empty()) {
    ProfileKey(s, /*rules=*/true, &ts.key);
    ts.roots.clear();
    for (uint32_t r : s.rules) ts.roots.push_back(Key(Kind::kMappingRule, r));
    s.m = ts.cache.Get(g, ts.key, ts.roots, token_groups).get();
  }
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
    // The same profiles Resolve() attached, now shared with the entry (cache hits).
    const std::vector<uint32_t>* token_groups = s.token_mode ? &s.token_group_sids : nullptr;
    ts.cache.Reserve();
    ProfileKey(s, /*rules=*/false, &ts.key);
    ts.roots.assign(1, Key(s.principal_type, s.principal_sid));
    e->p = ts.cache.Get(g, ts.key, ts.roots, token_groups);
    if (!s.rules.empty()) {
      ProfileKey(s, /*rules=*/true, &ts.key);
      ts.roots.clear();
      for (uint32_t rule : s.rules) ts.roots.push_back(Key(Kind::kMappingRule, rule));
      e->m = ts.cache.Get(g, ts.key, ts.roots, token_groups);
    }
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

std::shared_ptr<const ResolvedPrincipal> EngineCore::Freeze(ThreadState& ts) const {
  auto r = std::make_shared<ResolvedPrincipal>();
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
    // Profiles come from the thread's cache; the handle shares them.
    const Generation& g = *ts.generation;
    const std::vector<uint32_t>* token_groups = s.token_mode ? &s.token_group_sids : nullptr;
    ts.cache.Reserve();
    ProfileKey(s, false, &ts.key);
    ts.roots.assign(1, Key(s.principal_type, s.principal_sid));
    r->p = ts.cache.Get(g, ts.key, ts.roots, token_groups);
    s.p = r->p.get();
    if (!s.rules.empty()) {
      ProfileKey(s, true, &ts.key);
      ts.roots.clear();
      for (uint32_t rule : s.rules) ts.roots.push_back(Key(Kind::kMappingRule, rule));
      r->m = ts.cache.Get(g, ts.key, ts.roots, token_groups);
      s.m = r->m.get();
    }
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
