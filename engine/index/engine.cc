#include "clearance/engine.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/base/optimization.h"
#include "clearance/claims_document.h"
#include "clearance/internal/strings.h"
#include "index/engine_core.h"
#include "index/evaluate.h"

namespace clearance {

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
  return std::move(builder).Finish();
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
  return core_->DecideClaims(ts, claims_json, index_internal::ClaimsTrust::kUntrusted, request);
}

Decision Engine::CheckVerifiedClaims(std::string_view claims_json,
                                     const CheckRequest& request) const {
  ThreadState& ts = core_->Reader();
  return core_->DecideClaims(ts, claims_json, index_internal::ClaimsTrust::kPrevalidated, request);
}

PrincipalHandle Engine::Resolve(const Caller& caller, HandleUse use) const {
  ThreadState& ts = core_->Reader();
  {
    // A handle that answers many checks has its profiles built for reuse now.
    std::optional<index_internal::ProfileCache::ForReuse> reuse;
    if (use == HandleUse::kMany) reuse.emplace(ts.cache);
    core_->Resolve(ts, caller.kind,
                   caller.kind == Caller::Kind::kBasicUser ? caller.username : caller.claims_json);
  }
  // The decision path knows only that a document is unusable; an explanation names why.
  std::string failure_detail;
  if (caller.kind == Caller::Kind::kClaims &&
      ts.subject.state == index_internal::Subject::State::kUnauthenticated &&
      ts.subject.reason() == Reason::kMalformedClaims) {
    if (absl::Status why = CheckClaimsDocument(caller.claims_json); !why.ok()) {
      failure_detail = std::string(why.message());
    }
  }
  PrincipalHandle handle;
  handle.resolved_ = core_->Freeze(ts, std::move(failure_detail));
  return handle;
}

namespace {
constexpr Decision kNoHandle{Outcome::kUnauthenticated, Reason::kNoPrincipal};

// A query refused for malformed claims says what is wrong with them, as Explain does.
template <typename T>
absl::StatusOr<T> WithFailureDetail(const index_internal::ResolvedPrincipal& r,
                                    absl::StatusOr<T> result) {
  if (!result.ok() && !r.failure_detail.empty() &&
      result.status().code() == absl::StatusCode::kUnauthenticated) {
    return absl::UnauthenticatedError(r.failure_detail);
  }
  return result;
}
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

absl::Status Engine::CheckBatch(const PrincipalHandle& handle,
                                absl::Span<const CheckRequest> requests,
                                absl::Span<Decision> out) const {
  if (ABSL_PREDICT_FALSE(out.size() != requests.size())) {
    return absl::InvalidArgumentError(
        strings_internal::StrCat("CheckBatch: ", requests.size(), " requests but room for ",
                                 out.size(), " decisions; expected one decision per request"));
  }
  for (size_t i = 0; i < requests.size(); ++i) out[i] = Check(handle, requests[i]);
  return absl::OkStatus();
}

absl::Status Engine::CheckBatch(absl::Span<const PrincipalHandle> handles,
                                absl::Span<const CheckRequest> requests,
                                absl::Span<Decision> out) const {
  if (ABSL_PREDICT_FALSE(handles.size() != requests.size() || out.size() != requests.size())) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        "CheckBatch: ", handles.size(), " handles, ", requests.size(), " requests and room for ",
        out.size(), " decisions; expected one handle and one decision per request"));
  }
  // A two-stage read-ahead: kAhead checks on, the resolved principal's lines (where its
  // generation and profile pointers are); half as far on, through those (now in cache), the
  // profiles' entries for the request's type and the index slots of its strings. Decisions are
  // memory-latency bound when consecutive checks share no principal.
  constexpr size_t kAhead = 8;
  const size_t n = requests.size();
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n && handles[i + kAhead].resolved_) {
      const index_internal::ResolvedPrincipal* r = handles[i + kAhead].resolved_.get();
      __builtin_prefetch(&r->generation);
      __builtin_prefetch(&r->subject.p);
    }
    if (i + kAhead / 2 < n && handles[i + kAhead / 2].resolved_) {
      const index_internal::ResolvedPrincipal& r = *handles[i + kAhead / 2].resolved_;
      index_internal::PrefetchDecide(*r.generation, r.subject, requests[i + kAhead / 2]);
    }
    out[i] = Check(handles[i], requests[i]);
  }
  return absl::OkStatus();
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
  Explanation e = index_internal::ExplainDecision(*r.generation, r.subject, request);
  if (!r.failure_detail.empty()) e.message = r.failure_detail;
  return e;
}

absl::StatusOr<ResourceIds> Engine::AuthorizedResourceIds(const PrincipalHandle& handle,
                                                          ResourceType type,
                                                          Permission permission) const {
  if (!handle.resolved_) return absl::UnauthenticatedError("no principal resolved");
  const auto& r = *handle.resolved_;
  return WithFailureDetail(r, index_internal::AuthorizedIds(*r.generation, r.subject, type,
                                                            permission));
}

absl::StatusOr<std::vector<std::string>> Engine::AuthorizedTenants(
    const PrincipalHandle& handle) const {
  if (!handle.resolved_) return absl::UnauthenticatedError("no principal resolved");
  const auto& r = *handle.resolved_;
  return WithFailureDetail(r, index_internal::Tenants(*r.generation, r.subject));
}

absl::StatusOr<PermissionMask> Engine::PermissionsOn(const PrincipalHandle& handle,
                                                     ResourceType type,
                                                     std::string_view resource_id) const {
  if (!handle.resolved_) return absl::UnauthenticatedError("no principal resolved");
  const auto& r = *handle.resolved_;
  return WithFailureDetail(
      r, index_internal::PermissionsOnResource(*r.generation, r.subject, type, resource_id));
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
