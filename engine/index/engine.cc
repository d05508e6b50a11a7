#include "clearance/engine.h"

#include <algorithm>
#include <bit>

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

int PickShardBits(const IdentityState& state) {
  const size_t rows = state.authorizations().size() + state.memberships().size() +
                      state.users().size() + state.mapping_rules().size();
  // A change clones whole shards (~rows / shards entries) and copies the shard pointer tables
  // (~shards pointers): both are balanced near sqrt(rows).
  const int bits = static_cast<int>(std::bit_width(rows)) / 2;
  return std::clamp(bits, 2, 12);
}

}  // namespace

const std::shared_ptr<const Profile>& ProfileCache::Get(const Generation& g,
                                                        absl::Span<const uint64_t> key,
                                                        absl::Span<const EntityKey> roots,
                                                        const std::vector<uint32_t>* token_groups) {
  auto it = map_.find(key);
  if (it != map_.end()) {
    Entry& e = it->second;
    if (e.checked_at != g.number) {
      if (!e.profile->ValidFor(g)) e.profile = BuildProfile(g, roots, token_groups);
      e.checked_at = g.number;
    }
    return e.profile;
  }
  auto inserted = map_.emplace(std::vector<uint64_t>(key.begin(), key.end()),
                               Entry{BuildProfile(g, roots, token_groups), g.number});
  return inserted.first->second.profile;
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
               .emplace(id_, std::make_unique<ThreadState>(
                                 id_, alive_, options_.profile_cache_capacity,
                                 options_.claims_parser == EngineOptions::ClaimsParser::kDom
                                     ? ClaimsParser::kDom
                                     : ClaimsParser::kOnDemand))
               .first;
    }
    ts = it->second.get();
    states.last = ts;
  }
  if (!ts->generation || ts->generation->number != number_.load(std::memory_order_acquire)) {
    ts->generation = current_.load(std::memory_order_acquire);
  }
  return *ts;
}

void EngineCore::Resolve(ThreadState& ts, Caller::Kind kind, std::string_view text) const {
  const Generation& g = *ts.generation;
  Subject& s = ts.subject;
  switch (kind) {
    case Caller::Kind::kAnonymous:
      ResolveAnonymous(&s);
      return;
    case Caller::Kind::kClaims:
      ResolveClaims(g, text, ts.reader, &s);
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
  current_.store(latest_, std::memory_order_release);
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
  const int bits = options.shard_bits >= 0 ? std::min(options.shard_bits, 16)
                                           : index_internal::PickShardBits(state);
  auto empty =
      index_internal::GenerationWriter::Empty(std::make_shared<index_internal::StringPool>(), bits);
  index_internal::GenerationWriter writer(*empty);
  writer.SetConfiguration(state.config());
  for (const auto& [name, user] : state.users()) writer.Put(user);
  for (const auto& [id, rule] : state.mapping_rules()) writer.Put(rule);
  for (const Membership& m : state.memberships()) writer.Put(m);
  for (const auto& [key, a] : state.authorizations()) writer.Put(a);
  writer.SetNextAuthorizationKey(state.next_authorization_key());
  if (state.initialized()) writer.SetInitialized();
  auto core = std::make_unique<EngineCore>(options, writer.Finish(/*compact=*/true));
  return std::unique_ptr<Engine>(new Engine(std::move(core)));
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
  core_->Resolve(ts, Caller::Kind::kClaims, claims_json);
  return index_internal::Decide(*ts.generation, ts.subject, request);
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
  auto names = [&g](const std::vector<uint32_t>& sids) {
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
