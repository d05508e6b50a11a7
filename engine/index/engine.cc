#include "clearance/engine.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>
#include <utility>

#include "index/engine_core.h"
#include "index/generation_writer.h"

namespace clearance {
namespace index_internal {
namespace {

std::atomic<uint64_t> next_engine_id{1};

struct ThreadStates {
  ThreadState* last = nullptr;
  absl::flat_hash_map<uint64_t, std::unique_ptr<ThreadState>> by_engine;
};
thread_local ThreadStates thread_states;

}  // namespace

const std::shared_ptr<const Profile>& ProfileCache::Get(const Generation& g,
                                                        absl::Span<const uint64_t> key,
                                                        absl::Span<const EntityKey> roots,
                                                        const std::vector<uint32_t>* token_groups) {
  auto it = map_.find(key);
  if (it != map_.end()) {
    Slot& e = slots_[it->second];
    e.referenced = true;
    if (e.checked_at != g.number) {
      if (!e.profile->ValidFor(g)) e.profile = BuildProfile(g, roots, token_groups, e.merged);
      e.checked_at = g.number;
    }
    if (!e.merged && ++e.hits >= kMergeAfterHits) {
      if (!e.profile->runs.empty()) e.profile = BuildProfile(g, roots, token_groups, true);
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
  e.profile = BuildProfile(g, roots, token_groups, /*merge_runs=*/false);
  e.checked_at = g.number;
  e.merged = false;
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
    e.profile.reset();
    free_.push_back(static_cast<uint32_t>(hand_ - 1));
    return;
  }
}

ClaimsCache::~ClaimsCache() = default;

void ClaimsCache::NodeDeleter::operator()(Node* node) const {
  node->~Node();
  ::operator delete(node);
}

ClaimsCache::NodePtr ClaimsCache::NewNode(size_t bytes) {
  // Rounded up so that a node evicted for a document of about its size can take it in place.
  const size_t room = (bytes + 127) & ~size_t{127};
  void* raw = ::operator new(sizeof(Node) + room);
  NodePtr node(new (raw) Node);
  node->room = static_cast<uint32_t>(room);
  return node;
}

namespace {
// The sketch's second slot for a hash: from its high bits, mixed (size_t may be 32 bits).
size_t SecondSlot(size_t hash) {
  return static_cast<size_t>((uint64_t{hash} * 0x9E3779B97F4A7C15u) >> 32);
}
}  // namespace

void ClaimsCache::Count(size_t hash) {
  const size_t mask = sketch_.size() - 1;
  uint8_t& a = sketch_[hash & mask];
  uint8_t& b = sketch_[SecondSlot(hash) & mask];
  if (a < 15) ++a;
  if (b < 15) ++b;
  if (++counted_ >= kAgeAfter * capacity_) {
    for (uint8_t& c : sketch_) c >>= 1;
    counted_ /= 2;
  }
}

uint8_t ClaimsCache::Frequency(size_t hash) const {
  const size_t mask = sketch_.size() - 1;
  return std::min(sketch_[hash & mask], sketch_[SecondSlot(hash) & mask]);
}

ClaimsCache::Entry* ClaimsCache::Find(std::string_view json, size_t hash) {
  if (sketch_.empty()) return nullptr;  // nothing was ever admitted
  Count(hash);
  if (size_ == 0) return nullptr;
  const size_t mask = table_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Bucket& b = table_[i];
    if (b.node == nullptr) return nullptr;
    // The full bytes: documents whose hashes collide both stay findable, each as itself.
    if (b.hash == hash && b.node->document() == json) {
      b.node->referenced = true;
      return &b.node->entry;
    }
  }
}

void ClaimsCache::Link(Node* node) {
  if (2 * (size_ + 1) > table_.size()) {
    std::vector<Bucket> old(std::max<size_t>(16, 2 * table_.size()));
    old.swap(table_);
    const size_t mask = table_.size() - 1;
    for (const Bucket& b : old) {
      if (b.node == nullptr) continue;
      size_t i = b.hash & mask;
      while (table_[i].node != nullptr) i = (i + 1) & mask;
      table_[i] = b;
    }
  }
  const size_t mask = table_.size() - 1;
  size_t i = node->hash & mask;
  while (table_[i].node != nullptr) i = (i + 1) & mask;
  table_[i] = Bucket{node->hash, node};
  ++size_;
}

void ClaimsCache::Unlink(const Node* node) {
  const size_t mask = table_.size() - 1;
  size_t i = node->hash & mask;
  while (table_[i].node != node) i = (i + 1) & mask;
  // Backward shift: move up each later bucket of the run that may live at the hole (its home is
  // not cyclically within (hole, bucket]), so every probe still reaches its node.
  for (size_t j = (i + 1) & mask; table_[j].node != nullptr; j = (j + 1) & mask) {
    const size_t home = table_[j].hash & mask;
    if (((j - home) & mask) >= ((j - i) & mask)) {
      table_[i] = table_[j];
      i = j;
    }
  }
  table_[i] = Bucket{};
  --size_;
}

size_t ClaimsCache::Victim() {
  // Terminates: one full turn clears every bit, the next finds an entry (ring_ is full).
  for (;;) {
    if (hand_ >= ring_.size()) hand_ = 0;
    Node& node = *ring_[hand_];
    if (!node.referenced) return hand_;
    node.referenced = false;
    ++hand_;
  }
}

ClaimsCache::Entry* ClaimsCache::Admit(std::string_view json, size_t hash) {
  if (capacity_ == 0 || json.size() > kMaxBytes) return nullptr;
  if (sketch_.empty()) {
    sketch_.assign(std::bit_ceil(std::clamp<size_t>(8 * capacity_, 256, size_t{1} << 22)), 0);
    Count(hash);  // Find counts from now on
  }
  size_t at;
  if (ring_.size() < capacity_) {
    at = ring_.size();
    ring_.push_back(NewNode(json.size()));
  } else {
    at = Victim();
    // A newcomer displaces the hand's victim only when asked for more often lately.
    if (Frequency(hash) <= Frequency(ring_[at]->hash)) return nullptr;
    Unlink(ring_[at].get());
    ++hand_;
    if (ring_[at]->room < json.size()) ring_[at] = NewNode(json.size());
  }
  Node& node = *ring_[at];
  std::memcpy(node.bytes(), json.data(), json.size());
  node.size = static_cast<uint32_t>(json.size());
  node.hash = hash;
  node.referenced = false;  // a second use earns it a pass of the hand
  node.entry.generation = ~uint64_t{0};
  node.entry.p.reset();  // the evicted document's profiles are not pinned meanwhile
  node.entry.m.reset();
  Link(&node);
  return &node.entry;
}

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

}  // namespace index_internal

using index_internal::EngineCore;
using index_internal::Subject;
using index_internal::ThreadState;

uint64_t PrincipalHandle::generation() const {
  return resolved_ ? resolved_->generation->number : 0;
}
bool PrincipalHandle::authenticated() const {
  return resolved_ && resolved_->subject.state == Subject::State::kResolved;
}
std::optional<OwnerRef> PrincipalHandle::principal() const {
  if (!authenticated()) return std::nullopt;
  return OwnerRef{resolved_->subject.principal_type, std::string(resolved_->subject.principal_id)};
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(const IdentityState& state,
                                                       EngineOptions options) {
  // The same bulk build a store's load feeds row by row (engine_builder.cc).
  EngineSizeHints hints;
  hints.users = state.users().size();
  hints.mapping_rules = state.mapping_rules().size();
  hints.memberships = state.memberships().size();
  hints.authorizations = state.authorizations().size();
  EngineBuilder builder(hints, options);
  builder.SetConfiguration(state.config());
  for (const auto& [name, user] : state.users()) builder.Add(user);
  for (const auto& [id, rule] : state.mapping_rules()) builder.Add(rule);
  for (const Membership& m : state.memberships()) builder.Add(m);
  for (const auto& [key, a] : state.authorizations()) builder.Add(a);
  builder.SetNextAuthorizationKey(state.next_authorization_key());
  if (state.initialized()) builder.SetInitialized();
  return builder.Finish();
}

Engine::Engine(std::unique_ptr<EngineCore> core) : core_(std::move(core)) {}
Engine::~Engine() = default;

absl::Status Engine::Apply(const ChangeSet& changes) {
  core_->Apply(changes);
  return absl::OkStatus();
}

uint64_t Engine::generation() const { return core_->number(); }

Decision Engine::Check(const Caller& caller, const CheckRequest& request) const {
  ThreadState& ts = core_->Reader();
  core_->Resolve(ts, caller.kind,
                 caller.kind == Caller::Kind::kBasicUser ? caller.username : caller.claims_json);
  return index_internal::Decide(*ts.generation, ts.subject, request);
}

Decision Engine::CheckClaims(std::string_view claims_json, const CheckRequest& request) const {
  ThreadState& ts = core_->Reader();
  return core_->DecideClaims(ts, claims_json, index_internal::ClaimsTrust::kUntrusted, request);
}

Decision Engine::CheckClaims(std::string_view claims_json,
                             const CheckRequestView& request) const {
  ThreadState& ts = core_->Reader();
  return index_internal::DecideClaimsFor(*core_, ts, claims_json,
                                         index_internal::ClaimsTrust::kUntrusted, request);
}

Decision Engine::CheckVerifiedClaims(std::string_view claims_json,
                                     const CheckRequest& request) const {
  ThreadState& ts = core_->Reader();
  return core_->DecideClaims(ts, claims_json, index_internal::ClaimsTrust::kPrevalidated, request);
}

PrincipalHandle Engine::Resolve(const Caller& caller) const {
  ThreadState& ts = core_->Reader();
  core_->Resolve(ts, caller.kind,
                 caller.kind == Caller::Kind::kBasicUser ? caller.username : caller.claims_json);
  PrincipalHandle handle;
  handle.resolved_ = core_->Freeze(ts);
  return handle;
}

namespace {
constexpr Decision kNoHandle{Outcome::kUnauthenticated, Reason::kNoPrincipal};
}  // namespace

Decision Engine::Check(const PrincipalHandle& handle, const CheckRequest& request) const {
  if (!handle.resolved_) return kNoHandle;
  const auto& r = *handle.resolved_;
  return index_internal::Decide(*r.generation, r.subject, request);
}

Decision Engine::Check(const PrincipalHandle& handle, const CheckRequestView& request) const {
  if (!handle.resolved_) return kNoHandle;
  const auto& r = *handle.resolved_;
  return index_internal::Decide(*r.generation, r.subject, request);
}

void Engine::CheckBatch(const PrincipalHandle& handle, absl::Span<const CheckRequest> requests,
                        absl::Span<Decision> out) const {
  for (size_t i = 0; i < requests.size() && i < out.size(); ++i)
    out[i] = Check(handle, requests[i]);
}

Explanation Engine::Explain(const Caller& caller, const CheckRequest& request) const {
  return Explain(Resolve(caller), request);
}

Explanation Engine::Explain(const PrincipalHandle& handle, const CheckRequest& request) const {
  if (!handle.resolved_) {
    Explanation e;
    e.decision = kNoHandle;
    e.message = "no principal resolved";
    return e;
  }
  const auto& r = *handle.resolved_;
  return index_internal::ExplainDecision(*r.generation, r.subject, request);
}

absl::StatusOr<ResourceIds> Engine::AuthorizedResourceIds(const PrincipalHandle& handle,
                                                          ResourceType type,
                                                          Permission permission) const {
  if (!handle.resolved_) return absl::UnauthenticatedError("no principal resolved");
  const auto& r = *handle.resolved_;
  return index_internal::AuthorizedIds(*r.generation, r.subject, type, permission);
}

absl::StatusOr<std::vector<std::string>> Engine::AuthorizedTenants(
    const PrincipalHandle& handle) const {
  if (!handle.resolved_) return absl::UnauthenticatedError("no principal resolved");
  const auto& r = *handle.resolved_;
  return index_internal::Tenants(*r.generation, r.subject);
}

absl::StatusOr<PermissionMask> Engine::PermissionsOn(const PrincipalHandle& handle,
                                                     ResourceType type,
                                                     std::string_view resource_id) const {
  if (!handle.resolved_) return absl::UnauthenticatedError("no principal resolved");
  const auto& r = *handle.resolved_;
  return index_internal::PermissionsOnResource(*r.generation, r.subject, type, resource_id);
}

void Engine::ForEachDerivedRow(const std::function<void(const DerivedRow&)>& row) const {
  std::shared_ptr<const index_internal::Generation> g = core_->Current();
  auto names = [&g](const index_internal::IdList& sids) {
    std::vector<std::string> out;
    for (uint32_t sid : sids) out.emplace_back(g->Str(sid));
    return out;
  };
  g->nodes.ForEach([&](index_internal::EntityKey key,
                       const std::shared_ptr<index_internal::Node>& node) {
    if (index_internal::KindOf(key) == index_internal::Kind::kTenant) return;
    DerivedRow r;
    r.kind = DerivedRow::Kind::kClosure;
    r.entity =
        OwnerRef{index_internal::OwnerTypeOf(key), std::string(g->Str(index_internal::SidOf(key)))};
    r.groups = names(node->groups);
    r.roles = names(node->roles);
    r.tenants = names(node->tenants);
    row(r);
  });
  g->claim_index.ForEach([&](uint64_t key, const index_internal::RuleList& rules) {
    DerivedRow r;
    r.kind = DerivedRow::Kind::kClaimIndex;
    r.claim_path = g->paths->slots[key >> 32].path.source();
    r.claim_value = std::string(g->Str(static_cast<uint32_t>(key)));
    for (uint32_t sid : rules) r.rules.emplace_back(g->Str(sid));
    std::sort(r.rules.begin(), r.rules.end());
    row(r);
  });
}

}  // namespace clearance
