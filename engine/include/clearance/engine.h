// Engine: the compiled authorization index and the decisions it serves (docs/semantics.md §4-§7,
// docs/architecture.md "The hot path" and "Write path").
//
// An Engine mirrors one IdentityState. It is built once from the state (Create) and then follows
// it change by change: every ChangeSet that is applied to the state (clearance::Plan, then
// IdentityState::Apply) is applied to the engine too (Apply), incrementally. Each Apply publishes
// a new immutable generation; readers use whichever generation is current when they start and
// never see half a change. Answers are exactly those of the reference evaluator
// (engine/reference) for the same state, which a differential test checks.
//
// Entry points for a decision, all with the same tail (owner set -> Profile -> bit test):
//   Check(Caller, ...)       claims already verified (the broker's case), basic user, anonymous
//   CheckClaims(json, ...)   the same for verified claims given as bytes; the seam for tokens: a
//                            "check from bearer token" entry verifies the token (engine/token,
//                            TokenVerifier) and calls this with the verified claims bytes
//   Resolve(Caller) -> PrincipalHandle, then Check(handle, ...): resolve once, check many times
//   CheckBatch(handle, ...)  many checks for one principal in one call
//   CheckBatch(handles, ...) many checks, each for its own principal, in one call
// and the questions beside them: Explain, AuthorizedResourceIds, AuthorizedTenants,
// PermissionsOn.
//
// Thread-safety: every const method may be called from any number of threads at once, and
// concurrently with Apply(). Apply() is serialized internally (one writer at a time; callers
// normally have exactly one writer, like a broker partition). Readers never take a lock on a
// published generation; each thread keeps a small per-thread cache (its claims parser, its
// current generation, a bounded profile cache and a bounded claims cache), so a thread that stops
// checking keeps one generation alive until it checks again, exits, or the engine is destroyed
// (the engine owns every thread's state and frees it then).
//
// Storage can (a) build an engine from an IdentityState with Create(), or from the rows
// as it loads them with EngineBuilder (below; clearance/store_engine.h), (b) apply each
// committed ChangeSet with Apply(), and (c) enumerate the derived rows (closure and claim-value
// index) with ForEachDerivedRow() to persist or verify them. Restoring the index from persisted
// derived rows without recomputation is not offered: rebuilding from the source rows is linear
// in the state and measured in bench/RESULTS-index.md.
#ifndef CLEARANCE_ENGINE_H_
#define CLEARANCE_ENGINE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "clearance/authenticate.h"
#include "clearance/decision.h"
#include "clearance/state.h"

namespace clearance {
class TokenVerifier;
enum class TokenError : uint8_t;

namespace index_internal {
struct Generation;
struct ResolvedPrincipal;
class EngineCore;
class GenerationWriter;
}  // namespace index_internal

struct EngineOptions {
  // Profiles kept per reader thread. A profile is the compiled permission set of one owner set
  // (principal, or set of matching mapping rules, with the token's groups); many tokens share
  // one. When full, one entry not used since the clock hand last passed is evicted (CLOCK, an
  // approximation of least recently used). Default 4096 (a few MB per thread at most).
  size_t profile_cache_capacity = 4096;
  // A profile merges the grants of owners with at most this many authorizations into its own
  // maps; an owner with more (a popular group or role may own tens of thousands) keeps a
  // per-type summary in the index and is searched in place, so building a profile costs
  // O(owners), not O(grants), and a check does one binary search per such owner. Answers do not
  // depend on it. Default 16.
  size_t profile_copy_limit = 16;
  // Claims documents whose resolution (principal, matching rules, profiles) each reader thread
  // remembers, keyed by their bytes, for CheckClaims and CheckToken. While there is room a
  // document is remembered from its first sight; once full, a newcomer replaces the entry the
  // clock hand stops at (one not used since the hand last passed) only if it was asked for more
  // often lately (a small frequency sketch, TinyLFU), so one-off documents neither displace the
  // popular ones nor pay to be copied in. A hit skips parsing. An entry answers only for the
  // generation it was resolved at. Documents over 16 KB are not remembered. 0 disables it.
  // Memory per entry: one block of about 250 bytes plus the document's bytes (rounded up to 128),
  // a few small allocations for the principal and token groups, 50-80 bytes of index and
  // frequency sketch, and the profiles it shares with the profile cache (kept alive after that
  // cache evicts them): about 1.5 KB for a 1 KB document. Default 4096, the profile cache's
  // default (about 6 MB per reader thread for 1 KB claims, up to 16 MB with the profiles it
  // pins); hit rates and costs per capacity are in bench/RESULTS-index.md.
  size_t claims_cache_capacity = 4096;
  // log2 of the shard count of the index maps (0-16); -1 picks half of log2(rows) plus 3 at
  // Create() (13 at 1 M authorizations). A change copies one shard and one group of
  // sqrt(shards) shard pointers: fewer, larger shards make changes slower.
  int shard_bits = -1;
};

// Everything the reference evaluator's Verdict holds, from the engine (docs/semantics.md §6 "Every
// decision can be explained").
struct Explanation {
  Decision decision;
  std::string message;
  std::vector<std::string> required_ids;    // the check's resource ids, sorted, unique
  std::optional<OwnerRef> principal;        // absent when anonymous or unauthenticated
  std::vector<std::string> matching_rules;  // sorted (OIDC only)
  std::vector<GrantPath> grants;            // every path to a passing grant, sorted, unique
  uint64_t generation = 0;                  // the generation that answered
};

// A principal resolved against one generation: the principal, its matching mapping rules, the
// token's groups and its compiled profiles. Cheap to copy (shared, immutable).
//
// A handle answers for the generation it was resolved in, even after later changes: that keeps
// every answer consistent with one generation. Engine::IsCurrent() says whether a newer
// generation exists; re-Resolve() to follow changes.
class PrincipalHandle {
 public:
  PrincipalHandle() = default;
  // The generation this handle answers for (0 for a default-constructed handle).
  uint64_t generation() const;
  // False when the caller had no usable principal; checks then answer UNAUTHENTICATED.
  bool authenticated() const;
  // The resolved principal; absent when anonymous or unauthenticated.
  std::optional<OwnerRef> principal() const;

 private:
  friend class Engine;
  std::shared_ptr<const index_internal::ResolvedPrincipal> resolved_;
};

// One row of derived state, for storage: the flattened closure of one entity, or one entry of
// the claim-value index.
struct DerivedRow {
  enum class Kind : uint8_t { kClosure, kClaimIndex };
  Kind kind = Kind::kClosure;
  // kClosure: the entity (a member of some container or owner of some authorization).
  OwnerRef entity;
  std::vector<std::string> groups;   // direct groups
  std::vector<std::string> roles;    // direct roles
  std::vector<std::string> tenants;  // direct tenants and the tenants of its direct roles
  // kClaimIndex: claim path (as the first rule using it spelt it), claim value, mapping rules.
  std::string claim_path;
  std::string claim_value;
  std::vector<std::string> rules;
};

class Engine {
 public:
  // Builds the index of `state` (linear in its rows) and publishes it as generation 1. The engine
  // keeps no reference to `state`. Returns OK today; the StatusOr leaves room for refusing a
  // source state that fails validation, so callers must check it.
  static absl::StatusOr<std::unique_ptr<Engine>> Create(const IdentityState& state,
                                                        EngineOptions options = {});
  // REQUIRES: no call on this engine is in progress on any thread.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Applies one ChangeSet incrementally (only the entries, closures and claim paths it touches)
  // and publishes the next generation atomically (also for an empty ChangeSet, so generations
  // count applied commands). Readers that started earlier finish on the generation they hold.
  // Returns OK.
  // REQUIRES: `changes` was planned (clearance::Plan) against the state this engine mirrors,
  // i.e. the state it was created from with every earlier ChangeSet applied, in order.
  absl::Status Apply(const ChangeSet& changes);

  // The current generation's number. Create() publishes generation 1.
  uint64_t generation() const;
  bool IsCurrent(const PrincipalHandle& handle) const {
    return handle.generation() == generation();
  }

  // The decision for `caller` (docs/semantics.md §6). Never allocates once the thread's cache is
  // warm (claims parser, profile), except when the caller's profile is not cached.
  Decision Check(const Caller& caller, const CheckRequest& request) const;
  // Check for verified claims given as bytes (one JSON object).
  Decision CheckClaims(std::string_view claims_json, const CheckRequest& request) const;
  // The same for a request whose strings the caller owns: the same answer as for the equal
  // CheckRequest, without copying the ids. REQUIRES: the view's strings outlive the call.
  Decision CheckClaims(std::string_view claims_json, const CheckRequestView& request) const;

  // The bearer-token entry (docs/architecture.md "The hot path"): verifies `bearer_token` with
  // `verifier` (compact JWS, keys, exp/nbf/iat/iss/aud; a cached token costs no crypto) and checks
  // its verified claims exactly like CheckClaims(). A refused token answers UNAUTHENTICATED with
  // reason kTokenRefused. *why (when not null) is the one reason authentication failed, whichever
  // step failed, as Authenticate() reports it (clearance/authenticate.h): the TokenError's value
  // for a refused token (TokenErrorOf() gives it back), kNoPrincipal / kClaimWrongType /
  // kMalformedClaims when the verified claims name no usable principal, kOk when the caller was
  // authenticated (whatever the decision). Never allocates on a verified-token cache hit with a
  // warm profile.
  Decision CheckToken(const TokenVerifier& verifier, std::string_view bearer_token,
                      const CheckRequest& request, AuthenticationReason* why = nullptr) const;

  // How long a handle lives. kMany (a broker's session, a cached caller) builds its profiles for
  // many checks at once (merged: docs/architecture.md "The hot path"), which makes Resolve
  // dearer and every later check cheaper. kOnce (resolve, answer one request, drop) builds them
  // as CheckClaims does: merged only for a principal this thread keeps seeing. Answers are the
  // same either way.
  enum class HandleUse : uint8_t { kMany, kOnce };
  // Resolves a caller once. Never fails: an unauthenticated caller gives a handle whose checks
  // answer UNAUTHENTICATED with the reason.
  PrincipalHandle Resolve(const Caller& caller, HandleUse use = HandleUse::kMany) const;
  // REQUIRES: `handle` came from Resolve() of this engine.
  Decision Check(const PrincipalHandle& handle, const CheckRequest& request) const;
  // The same for a request whose strings the caller owns (the C API's path): the same answer as
  // for the equal CheckRequest, without copying the ids; never allocates.
  // REQUIRES: `handle` came from Resolve() of this engine; the view's strings outlive the call.
  Decision Check(const PrincipalHandle& handle, const CheckRequestView& request) const;
  // out[i] = Check(handle, requests[i]), all against the handle's generation. Returns OK, or
  // INVALID_ARGUMENT naming both sizes when out.size() != requests.size(); `out` is then left
  // as it was. Never allocates when OK.
  // REQUIRES: `handle` came from Resolve() of this engine.
  [[nodiscard]] absl::Status CheckBatch(const PrincipalHandle& handle,
                                        absl::Span<const CheckRequest> requests,
                                        absl::Span<Decision> out) const;
  // out[i] = Check(handles[i], requests[i]): many principals in one call, the call for a server
  // answering a queue of requests from many callers. Each check reads ahead for the next few
  // (their principals, profiles and index slots), so their memory is on its way meanwhile;
  // answers are exactly those of the single checks. Returns OK, or INVALID_ARGUMENT naming the
  // sizes unless handles.size() == requests.size() == out.size(); `out` is then left as it was.
  // Never allocates when OK.
  // REQUIRES: every handle is default or came from Resolve() of this engine.
  [[nodiscard]] absl::Status CheckBatch(absl::Span<const PrincipalHandle> handles,
                                        absl::Span<const CheckRequest> requests,
                                        absl::Span<Decision> out) const;

  // The decision with its message, required ids, principal, matching rules and every grant path.
  Explanation Explain(const Caller& caller, const CheckRequest& request) const;
  Explanation Explain(const PrincipalHandle& handle, const CheckRequest& request) const;

  // docs/semantics.md §6 "Queries beside the check". UNAUTHENTICATED (with the reason as message)
  // when the caller has no usable principal; an anonymous caller has none for these questions.
  absl::StatusOr<ResourceIds> AuthorizedResourceIds(const PrincipalHandle& handle,
                                                    ResourceType type, Permission permission) const;
  // Sorted; just <default> when tenant checks are disabled.
  absl::StatusOr<std::vector<std::string>> AuthorizedTenants(const PrincipalHandle& handle) const;
  // Permissions granted on "*" and on `resource_id` (every supported one when authorizations
  // are disabled).
  absl::StatusOr<PermissionMask> PermissionsOn(const PrincipalHandle& handle, ResourceType type,
                                               std::string_view resource_id) const;

  // Calls `row` for every derived row of the current generation, in no particular order.
  void ForEachDerivedRow(const std::function<void(const DerivedRow&)>& row) const;

 private:
  explicit Engine(std::unique_ptr<index_internal::EngineCore> core);
  // CheckClaims for bytes a TokenVerifier verified: its strict JSON checks (one object, unique
  // member names at every depth, nothing trailing) are not repeated. Same answers as
  // CheckClaims for such bytes; private because arbitrary bytes do not carry that guarantee.
  Decision CheckVerifiedClaims(std::string_view claims_json, const CheckRequest& request) const;
  friend class EngineBuilder;
  std::unique_ptr<index_internal::EngineCore> core_;
};

// How big the state an EngineBuilder receives will be. Estimates are fine: they size the index's
// shards (EngineOptions::shard_bits = -1) and the build's tables, never the answers; a wrong one
// costs time or memory only.
struct EngineSizeHints {
  size_t users = 0;
  size_t mapping_rules = 0;
  size_t memberships = 0;
  size_t authorizations = 0;
};

// Builds an Engine from the rows of a state fed one at a time, instead of from an IdentityState:
// a store that loads its rows (Store::Open with a LoadSink, clearance/store.h) feeds them here as
// it decodes them, so no second walk over a materialised state is needed. The engine Finish()
// returns gives the same answers as Engine::Create() over the state the rows and Set* calls form;
// rows may come in any order (a store gives them by kind, then key), which changes only the
// numbering of interned strings.
//
// Thread-safety: one thread at a time; the builder may be handed to another thread between
// calls (with the usual happens-before, e.g. a mutex or a thread start).
class EngineBuilder {
 public:
  explicit EngineBuilder(const EngineSizeHints& hints = {}, EngineOptions options = {});
  ~EngineBuilder();
  EngineBuilder(const EngineBuilder&) = delete;
  EngineBuilder& operator=(const EngineBuilder&) = delete;

  // REQUIRES: called before the first Add() (the configuration's claim paths are registered
  // first, as Create() does).
  void SetConfiguration(const Configuration& config);
  void SetNextAuthorizationKey(AuthorizationKey key);
  void SetInitialized();
  // The number Finish() publishes the engine's first generation as, instead of 1: an engine over
  // a store continues the store's count (clearance/store_engine.h), so generations never go
  // back when the store is reopened. REQUIRES: number >= 1; called before any other call.
  void SetGeneration(uint64_t number);

  // Adds one row of the state. Groups, roles and tenants as entities change no decision and are
  // ignored (their memberships and authorizations are rows of their own).
  // REQUIRES: each row's identity at most once; the rows together form a valid state (one that
  // clearance::Plan could have built), as those of a store are.
  void Add(const Row& row);

  // Builds the index and publishes it as generation 1 (or SetGeneration's), consuming the builder
  // (std::move(builder).Finish()): it is spent after. Returns OK, or FAILED_PRECONDITION when
  // the builder was already finished.
  [[nodiscard]] absl::StatusOr<std::unique_ptr<Engine>> Finish() &&;

 private:
  EngineOptions options_;
  std::unique_ptr<index_internal::GenerationWriter> writer_;
};

}  // namespace clearance

#endif  // CLEARANCE_ENGINE_H_
