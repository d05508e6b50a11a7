// The C API (embed/include/clearance/c.h) over clearance::ServingStore (a store and its engine
// kept in step), its Engine and the record ingestor. Every entry point runs inside Guard(), so no
// C++ exception crosses the boundary.
#include "clearance/c.h"

#include <atomic>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clearance/authenticate.h"
#include "clearance/catalog.h"
#include "clearance/commands.h"
#include "clearance/decision.h"
#include "clearance/engine.h"
#include "clearance/ingest.h"
#include "clearance/internal/config_json.h"
#include "clearance/internal/json_fields.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "clearance/serving_store.h"
#include "clearance/store.h"
#include "clearance/token.h"
#include "clearance/token_jwks.h"
#include "clearance/verifier_options.h"
#include "simdjson.h"

struct clearance_store {
  std::atomic<bool> closed{false};
  // Every write goes through it: it serializes the writers and keeps the engine in step with
  // the store, change set by change set.
  std::unique_ptr<clearance::ServingStore> serving;
  // serving->engine(), which every check reads.
  const clearance::Engine* engine = nullptr;
};

struct clearance_principal {
  clearance::PrincipalHandle handle;
  const clearance_store* owner = nullptr;
};

// The wall clock until clearance_verifier_set_time fixes "now" (tests); one relaxed load per
// token on the hot path.
class EmbedTokenClock : public clearance::TokenClock {
 public:
  absl::Time Now() const override {
    const int64_t fixed = fixed_seconds.load(std::memory_order_relaxed);
    return fixed == CLEARANCE_SYSTEM_TIME ? clearance::SystemTokenClock()->Now()
                                          : absl::FromUnixSeconds(fixed);
  }
  std::atomic<int64_t> fixed_seconds{CLEARANCE_SYSTEM_TIME};
};

struct clearance_verifier {
  // Declared first: the verifier reads it until it is destroyed.
  EmbedTokenClock clock;
  std::unique_ptr<clearance::TokenVerifier> verifier;
};

namespace clearance::embed_internal {
namespace {

using strings_internal::StrCat;

thread_local std::string last_error;

// The error paths are out of line and cold, so the checks on a hot path compile to a few
// compares and branches that are predicted not taken.
ABSL_ATTRIBUTE_COLD ABSL_ATTRIBUTE_NOINLINE clearance_status Fail(const absl::Status& status) {
  last_error.assign(status.message().data(), status.message().size());
  return static_cast<clearance_status>(status.code());
}
ABSL_ATTRIBUTE_COLD ABSL_ATTRIBUTE_NOINLINE clearance_status Fail(clearance_status code,
                                                                  std::string_view message) {
  last_error.assign(message);
  return code;
}

// Runs `body` and turns anything thrown (std::bad_alloc from an allocation, a bug) into a
// status: the API's promise that no exception crosses it.
template <typename F>
clearance_status Guard(F&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Fail(CLEARANCE_RESOURCE_EXHAUSTED, "out of memory");
  } catch (const std::exception& e) {
    return Fail(CLEARANCE_INTERNAL, StrCat("internal error: ", e.what()));
  } catch (...) {
    return Fail(CLEARANCE_INTERNAL, "internal error: unknown exception");
  }
}

// An open store, or the error that says why not.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline clearance_status CheckOpen(const clearance_store* store) {
  if (store == nullptr) return Fail(CLEARANCE_INVALID_ARGUMENT, "store: is NULL; expected a handle");
  if (store->closed.load(std::memory_order_acquire)) {
    return Fail(CLEARANCE_FAILED_PRECONDITION, "store: is closed; open it again");
  }
  return CLEARANCE_OK;
}

ABSL_ATTRIBUTE_COLD ABSL_ATTRIBUTE_NOINLINE clearance_status Null(std::string_view what) {
  return Fail(CLEARANCE_INVALID_ARGUMENT, StrCat(what, ": is NULL; expected a pointer"));
}
ABSL_ATTRIBUTE_COLD ABSL_ATTRIBUTE_NOINLINE clearance_status NullAt(std::string_view what,
                                                                    size_t i) {
  return Null(StrCat(what, "[", i, "]"));
}
ABSL_ATTRIBUTE_COLD ABSL_ATTRIBUTE_NOINLINE clearance_status
BadNumbers(const clearance_check_request* in) {
  if (in->resource_type < 0 || in->resource_type >= kResourceTypeCount) {
    return Fail(CLEARANCE_INVALID_ARGUMENT,
                StrCat("request.resource_type: is ", in->resource_type, "; expected 0 .. ",
                       kResourceTypeCount - 1, " (clearance_resource_type)"));
  }
  return Fail(CLEARANCE_INVALID_ARGUMENT,
              StrCat("request.permission: is ", in->permission, "; expected 0 .. ",
                     kPermissionCount - 1, " (clearance_permission)"));
}

// What a CheckRequestView points to besides the caller's C strings: the arrays of views and the
// user-task properties. The usual handful of strings sit in the object, on the caller's stack,
// left uninitialized until written (zeroing them took longer than the rest of the conversion);
// more go to a buffer reused per thread, so a warm thread's checks do not allocate.
class ViewStorage {
 public:
  enum List { kIds, kCandidateUsers, kCandidateGroups, kListCount };
  ViewStorage() {}  // NOLINT: deliberately leaves inline_ uninitialized
  // Room for `n` views of list `list`, valid until the next Slots() call for the same list on
  // this thread. std::string_view is an implicit-lifetime type: assigning through the pointer
  // creates the objects in the byte buffer (C++20).
  std::string_view* Slots(List list, size_t n) {
    if (n <= kInline) return reinterpret_cast<std::string_view*>(inline_[list]);
    return Overflow(list, n);
  }
  std::optional<UserTaskPropertiesView> task;

 private:
  static constexpr size_t kInline = 4;
  ABSL_ATTRIBUTE_NOINLINE static std::string_view* Overflow(List list, size_t n) {
    thread_local std::vector<std::string_view> overflow[kListCount];
    overflow[list].resize(n);
    return overflow[list].data();
  }
  alignas(std::string_view) unsigned char inline_[kListCount][kInline * sizeof(std::string_view)];
};

// Views `n` NUL-terminated strings as `*out` (storage from `storage`); a NULL names `what`.
ABSL_ATTRIBUTE_NOINLINE clearance_status ViewMany(const char* const* from, size_t n,
                                                  std::string_view what, ViewStorage::List list,
                                                  ViewStorage* storage,
                                                  absl::Span<const std::string_view>* out) {
  if (from == nullptr) return Null(what);
  std::string_view* views = storage->Slots(list, n);
  for (size_t i = 0; i < n; ++i) {
    if (from[i] == nullptr) return NullAt(what, i);
    views[i] = from[i];
  }
  *out = absl::MakeConstSpan(views, n);
  return CLEARANCE_OK;
}
// The common cases (no string or one) inline; the loop out of line, so a check's hot path
// needs fewer registers (fewer spills around the strlen call).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline clearance_status ViewList(
    const char* const* from, size_t n, std::string_view what, ViewStorage::List list,
    ViewStorage* storage, absl::Span<const std::string_view>* out) {
  if (n == 0) {
    *out = {};
    return CLEARANCE_OK;
  }
  if (n == 1 && from != nullptr && from[0] != nullptr) {
    std::string_view* view = storage->Slots(list, 1);
    *view = from[0];
    *out = absl::MakeConstSpan(view, 1);
    return CLEARANCE_OK;
  }
  return ViewMany(from, n, what, list, storage, out);
}

// Views `in` as `*out` without copying a string: the engine hashes the ids where the caller
// wrote them (bench/RESULTS-embed.md: a copy made just before the check costs more than the
// whole C API). `out` borrows from `in`'s strings and from `storage`.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline clearance_status ToView(const clearance_check_request* in,
                                                            ViewStorage* storage,
                                                            CheckRequestView* out) {
  if (in == nullptr) return Null("request");
  // One unsigned compare each also refuses negative numbers.
  if (static_cast<uint32_t>(in->resource_type) >= static_cast<uint32_t>(kResourceTypeCount) ||
      static_cast<uint32_t>(in->permission) >= static_cast<uint32_t>(kPermissionCount)) {
    return BadNumbers(in);
  }
  out->resource_type = static_cast<ResourceType>(in->resource_type);
  out->permission = static_cast<Permission>(in->permission);
  if (clearance_status s = ViewList(in->resource_ids, in->resource_id_count,
                                    "request.resource_ids", ViewStorage::kIds, storage,
                                    &out->resource_ids);
      s != CLEARANCE_OK) {
    return s;
  }
  if (in->tenant_id != nullptr && in->tenant_id[0] != '\0') {
    out->tenant_id = std::string_view(in->tenant_id);
  } else {
    out->tenant_id.reset();
  }
  out->new_resource = in->new_resource != 0;
  if (in->has_user_task == 0) {
    out->user_task = nullptr;
    return CLEARANCE_OK;
  }
  UserTaskPropertiesView& task = storage->task.emplace();
  out->user_task = &task;
  if (in->assignee != nullptr) task.assignee = std::string_view(in->assignee);
  if (clearance_status s = ViewList(in->candidate_users, in->candidate_user_count,
                                    "request.candidate_users", ViewStorage::kCandidateUsers,
                                    storage, &task.candidate_users);
      s != CLEARANCE_OK) {
    return s;
  }
  return ViewList(in->candidate_groups, in->candidate_group_count, "request.candidate_groups",
                  ViewStorage::kCandidateGroups, storage, &task.candidate_groups);
}

// The short path of the single checks (clearance_check_principal, clearance_check_claims): a
// request of the usual shape (numbers in range, no id or one non-NULL id, no user-task
// properties) is viewed in a few compares and branches predicted not taken, with no ViewStorage
// and a small frame (bench/RESULTS-embed.md). Every other request, valid or not, and every
// wrong argument takes the full path (CheckPrincipalFull, CheckClaimsFull: ToView and the
// checks in order). The short path's test only accepts what the full path accepts, so errors
// come from the full path alone, with its codes and messages (tests/embed/c_api_test.cc:
// CheckErrorsAreTheSameOnEveryShape, ShortAndFullPathsAgree).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool IsCommonShape(const clearance_check_request& in) {
  // Compare-and-branch pairs (each one fused micro-op, predicted not taken).
  if (ABSL_PREDICT_FALSE(
          static_cast<uint32_t>(in.resource_type) >= static_cast<uint32_t>(kResourceTypeCount) ||
          static_cast<uint32_t>(in.permission) >= static_cast<uint32_t>(kPermissionCount) ||
          in.has_user_task != 0)) {
    return false;
  }
  // One id is the usual check, so its path is the straight line.
  if (ABSL_PREDICT_TRUE(in.resource_id_count == 1)) {
    return in.resource_ids != nullptr && in.resource_ids[0] != nullptr;
  }
  return in.resource_id_count == 0;
}

// Views a request IsCommonShape() accepted over `ids` (its one id's view, or nothing): every
// member is written once (default-constructing the view and then assigning its members costs
// a row of dead stores per check).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline CheckRequestView ViewCommonShape(
    const clearance_check_request& in, absl::Span<const std::string_view> ids) {
  const char* tenant = in.tenant_id;
  return CheckRequestView{
      .resource_type = static_cast<ResourceType>(in.resource_type),
      .permission = static_cast<Permission>(in.permission),
      .new_resource = in.new_resource != 0,
      .resource_ids = ids,
      .tenant_id = tenant != nullptr && tenant[0] != '\0'
                       ? std::optional<std::string_view>(tenant)
                       : std::nullopt,
      .user_task = nullptr,
  };
}

// Returns check(view) for a request IsCommonShape() accepted. Each id count has its own copy of
// the call, so the count is a constant in each. The id's view is left uninitialized until the
// view over it is built and then written last (std::string_view is an implicit-lifetime type,
// as in ViewStorage), so little is live across its strlen call and nothing is stored twice.
template <typename Check>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline Decision CheckCommonShape(const clearance_check_request& in,
                                                              Check check) {
  if (ABSL_PREDICT_TRUE(in.resource_id_count == 1)) {
    const char* first = in.resource_ids[0];
    alignas(std::string_view) unsigned char id_bytes[sizeof(std::string_view)];
    auto* id = reinterpret_cast<std::string_view*>(id_bytes);
    const CheckRequestView view = ViewCommonShape(in, absl::MakeConstSpan(id, 1));
    new (id_bytes) std::string_view(first);
    return check(view);
  }
  return check(ViewCommonShape(in, {}));
}

// Fills `out` from `in` (for the entry points that take an owning CheckRequest: basic users,
// tokens, explanations), reusing its storage so a warm thread does not allocate.
clearance_status ToRequest(const clearance_check_request* in, CheckRequest* out) {
  ViewStorage storage;
  CheckRequestView view;
  if (clearance_status s = ToView(in, &storage, &view); s != CLEARANCE_OK) return s;
  out->resource_type = view.resource_type;
  out->permission = view.permission;
  out->resource_ids.resize(view.resource_ids.size());
  for (size_t i = 0; i < view.resource_ids.size(); ++i) {
    out->resource_ids[i].assign(view.resource_ids[i]);
  }
  if (view.tenant_id) {
    if (out->tenant_id) {
      out->tenant_id->assign(*view.tenant_id);
    } else {
      out->tenant_id.emplace(*view.tenant_id);
    }
  } else {
    out->tenant_id.reset();
  }
  out->new_resource = view.new_resource;
  if (!view.user_task) {
    out->user_task.reset();
    return CLEARANCE_OK;
  }
  UserTaskProperties& task = out->user_task ? *out->user_task : out->user_task.emplace();
  if (view.user_task->assignee) {
    task.assignee = std::string(*view.user_task->assignee);
  } else {
    task.assignee.reset();
  }
  auto copy = [](absl::Span<const std::string_view> from, std::vector<std::string>* to) {
    to->resize(from.size());
    for (size_t i = 0; i < from.size(); ++i) (*to)[i].assign(from[i]);
  };
  copy(view.user_task->candidate_users, &task.candidate_users);
  copy(view.user_task->candidate_groups, &task.candidate_groups);
  return CLEARANCE_OK;
}

void ToC(const Decision& d, clearance_decision* out) {
  out->outcome = static_cast<int32_t>(d.outcome);
  out->reason = static_cast<int32_t>(d.reason);
}

// The store's configuration, copied under its read lock (it changes only with a write).
Configuration ConfigurationOf(const clearance_store* store) {
  Configuration config;
  store->serving->Read([&](const IdentityState& state) { config = state.config(); });
  return config;
}

clearance_status ReportApply(const absl::StatusOr<ApplyResult>& result) {
  if (!result.ok()) return Fail(result.status());
  if (result->outcome == ApplyResult::Outcome::kRefused) return Fail(result->refusal);
  return CLEARANCE_OK;
}

// The C API's JSON arguments: every member optional, a null member a value of the wrong type,
// errors named by the argument ("configuration.token_issuers[0].issuer: expected a string, found
// a number").
JsonReadOptions ArgumentOptions(std::string_view what) {
  return {.document = what, .null_is_absent = false};
}

absl::StatusOr<JsonObject> ParseArgument(simdjson::dom::parser& parser, const char* json,
                                         size_t len, std::string_view what) {
  if (json == nullptr) return absl::InvalidArgumentError(StrCat(what, ": is NULL; expected JSON"));
  CLEARANCE_ASSIGN_OR_RETURN(JsonObject root,
                             ParseJsonObject(parser, std::string_view(json, len),
                                             ArgumentOptions(what)));
  // Members are named from the argument ("configuration.mode").
  return JsonObject(root.object(), std::string(what), root.options());
}

// Reads member `name` into *out when present.
template <typename T, typename Read>
absl::Status ReadInto(const JsonObject& o, std::string_view name, T* out, Read read) {
  std::optional<JsonValue> value = o.Find(name);
  if (!value) return absl::OkStatus();
  CLEARANCE_ASSIGN_OR_RETURN(*out, read(*value));
  return absl::OkStatus();
}
absl::Status ReadString(const JsonObject& o, std::string_view name, std::string* out) {
  return ReadInto(o, name, out, [](const JsonValue& v) { return v.String(); });
}
absl::Status ReadBool(const JsonObject& o, std::string_view name, bool* out) {
  return ReadInto(o, name, out, [](const JsonValue& v) { return v.Bool(); });
}
absl::Status ReadInt(const JsonObject& o, std::string_view name, int64_t* out) {
  return ReadInto(o, name, out, [](const JsonValue& v) { return v.Int(); });
}

// Calls `each` with every element of the array member `name`, each an object. A missing member
// is an error only when `required`.
absl::Status ForEachObjectIn(const JsonObject& o, std::string_view name, bool required,
                             absl::FunctionRef<absl::Status(const JsonObject&)> each) {
  std::optional<JsonValue> member = o.Find(name);
  if (!member) {
    if (!required) return absl::OkStatus();
    return o.Missing(name, "an array of objects");
  }
  CLEARANCE_ASSIGN_OR_RETURN(JsonArray array, member->Array());
  return array.ForEach([&](const JsonValue& element) -> absl::Status {
    CLEARANCE_ASSIGN_OR_RETURN(JsonObject object, element.Object());
    return each(object);
  });
}

absl::StatusOr<Configuration> ParseConfiguration(const char* json, size_t len) {
  simdjson::dom::parser parser;
  CLEARANCE_ASSIGN_OR_RETURN(const JsonObject f, ParseArgument(parser, json, len, "configuration"));
  Configuration c;
  std::string mode = "OIDC";
  CLEARANCE_RETURN_IF_ERROR(f.CheckMembers(
      {"mode", "authorizations_enabled", "tenant_checks_enabled", "username_claim",
       "client_id_claim", "groups_claim", "prefer_username_claim", "id_pattern", "token_issuers"},
      /*all_required=*/false));
  CLEARANCE_RETURN_IF_ERROR(ReadString(f, "mode", &mode));
  CLEARANCE_RETURN_IF_ERROR(ReadBool(f, "authorizations_enabled", &c.authorizations_enabled));
  CLEARANCE_RETURN_IF_ERROR(ReadBool(f, "tenant_checks_enabled", &c.tenant_checks_enabled));
  CLEARANCE_RETURN_IF_ERROR(ReadString(f, "username_claim", &c.username_claim));
  CLEARANCE_RETURN_IF_ERROR(ReadString(f, "client_id_claim", &c.client_id_claim));
  CLEARANCE_RETURN_IF_ERROR(ReadString(f, "groups_claim", &c.groups_claim));
  CLEARANCE_RETURN_IF_ERROR(ReadBool(f, "prefer_username_claim", &c.prefer_username_claim));
  CLEARANCE_RETURN_IF_ERROR(ReadString(f, "id_pattern", &c.id_pattern));
  // The stored issuers, in the snapshot's field names; Configure validates them and
  // clearance_verifier_create_for_store builds a verifier from them.
  auto read_issuer = [&](const JsonObject& g) -> absl::Status {
    TokenIssuerConfig t;
    CLEARANCE_RETURN_IF_ERROR(g.CheckMembers(
        {"issuer", "jwks_file", "jwks_uri", "audiences", "algorithms", "overrides"},
        /*all_required=*/false));
    CLEARANCE_RETURN_IF_ERROR(ReadString(g, "issuer", &t.issuer));
    CLEARANCE_RETURN_IF_ERROR(ReadString(g, "jwks_file", &t.jwks_file));
    CLEARANCE_RETURN_IF_ERROR(ReadString(g, "jwks_uri", &t.jwks_uri));
    CLEARANCE_RETURN_IF_ERROR(g.ReadStrings("audiences", &t.audiences));
    CLEARANCE_RETURN_IF_ERROR(g.ReadStrings("algorithms", &t.algorithms));
    CLEARANCE_ASSIGN_OR_RETURN(std::optional<JsonObject> overrides, g.OptionalObject("overrides"));
    if (overrides) CLEARANCE_RETURN_IF_ERROR(ReadIssuerOverrides(*overrides, &t));
    c.token_issuers.push_back(std::move(t));
    return absl::OkStatus();
  };
  CLEARANCE_RETURN_IF_ERROR(ForEachObjectIn(f, "token_issuers", /*required=*/false, read_issuer));
  if (mode == "OIDC") {
    c.mode = AuthMode::kOidc;
  } else if (mode == "BASIC") {
    c.mode = AuthMode::kBasic;
  } else {
    return f.Error("mode", StrCat("is \"", mode, "\"; expected OIDC or BASIC"));
  }
  return c;
}

absl::StatusOr<TokenVerifierOptions> ParseVerifierOptions(const char* json, size_t len) {
  simdjson::dom::parser parser;
  CLEARANCE_ASSIGN_OR_RETURN(const JsonObject f, ParseArgument(parser, json, len, "verifier"));
  TokenVerifierOptions options;
  int64_t leeway = 60;
  int64_t cache = static_cast<int64_t>(options.cache_capacity);
  int64_t max_lifetime = 0;
  int64_t ttl = absl::ToInt64Seconds(options.cache_ttl_without_exp);
  TokenLimits& limits = options.limits;
  int64_t max_token = static_cast<int64_t>(limits.max_token_bytes);
  int64_t max_header = static_cast<int64_t>(limits.max_header_bytes);
  int64_t max_claims_bytes = static_cast<int64_t>(limits.max_claims_bytes);
  int64_t max_depth = limits.max_json_depth;
  int64_t max_claims = limits.max_claims;
  CLEARANCE_RETURN_IF_ERROR(f.CheckMembers(
      {"issuers", "leeway_seconds", "require_exp", "cache_capacity", "max_lifetime_seconds",
       "cache_ttl_without_exp_seconds", "max_token_bytes", "max_header_bytes", "max_claims_bytes",
       "max_json_depth", "max_claims"},
      /*all_required=*/false));
  CLEARANCE_RETURN_IF_ERROR(ReadInt(f, "leeway_seconds", &leeway));
  CLEARANCE_RETURN_IF_ERROR(ReadBool(f, "require_exp", &options.require_exp));
  CLEARANCE_RETURN_IF_ERROR(ReadInt(f, "cache_capacity", &cache));
  CLEARANCE_RETURN_IF_ERROR(ReadInt(f, "max_lifetime_seconds", &max_lifetime));
  CLEARANCE_RETURN_IF_ERROR(ReadInt(f, "cache_ttl_without_exp_seconds", &ttl));
  CLEARANCE_RETURN_IF_ERROR(ReadInt(f, "max_token_bytes", &max_token));
  CLEARANCE_RETURN_IF_ERROR(ReadInt(f, "max_header_bytes", &max_header));
  CLEARANCE_RETURN_IF_ERROR(ReadInt(f, "max_claims_bytes", &max_claims_bytes));
  CLEARANCE_RETURN_IF_ERROR(ReadInt(f, "max_json_depth", &max_depth));
  CLEARANCE_RETURN_IF_ERROR(ReadInt(f, "max_claims", &max_claims));
  if (leeway < 0 || cache < 0 || max_lifetime < 0 || ttl < 0) {
    return absl::InvalidArgumentError(
        "verifier: leeway_seconds, cache_capacity, max_lifetime_seconds and "
        "cache_ttl_without_exp_seconds must not be negative");
  }
  if (max_token < 1 || max_header < 1 || max_claims_bytes < 1 || max_depth < 1 || max_claims < 1 ||
      max_depth > 1024 || max_claims > (int64_t{1} << 30)) {
    return absl::InvalidArgumentError(
        "verifier: max_token_bytes, max_header_bytes, max_claims_bytes, max_json_depth and "
        "max_claims must be positive (max_json_depth at most 1024)");
  }
  options.leeway = absl::Seconds(leeway);
  options.cache_capacity = static_cast<size_t>(cache);
  options.max_lifetime = absl::Seconds(max_lifetime);
  options.cache_ttl_without_exp = absl::Seconds(ttl);
  limits.max_token_bytes = static_cast<size_t>(max_token);
  limits.max_header_bytes = static_cast<size_t>(max_header);
  limits.max_claims_bytes = static_cast<size_t>(max_claims_bytes);
  limits.max_json_depth = static_cast<int>(max_depth);
  limits.max_claims = static_cast<int>(max_claims);
  auto read_issuer = [&](const JsonObject& g) -> absl::Status {
    IssuerConfig issuer;
    std::vector<std::string> algorithms;
    CLEARANCE_RETURN_IF_ERROR(
        g.CheckMembers({"issuer", "audiences", "skip_audience_check", "algorithms", "jwks_json",
                        "jwks_file", "jwks_uri", "required_typ"},
                       /*all_required=*/false));
    CLEARANCE_RETURN_IF_ERROR(ReadString(g, "issuer", &issuer.issuer));
    CLEARANCE_RETURN_IF_ERROR(g.ReadStrings("audiences", &issuer.audiences));
    CLEARANCE_RETURN_IF_ERROR(ReadBool(g, "skip_audience_check", &issuer.skip_audience_check));
    CLEARANCE_RETURN_IF_ERROR(g.ReadStrings("algorithms", &algorithms));
    CLEARANCE_RETURN_IF_ERROR(ReadString(g, "jwks_json", &issuer.jwks_json));
    CLEARANCE_RETURN_IF_ERROR(ReadString(g, "jwks_file", &issuer.jwks_file));
    CLEARANCE_RETURN_IF_ERROR(ReadString(g, "jwks_uri", &issuer.jwks_uri));
    CLEARANCE_RETURN_IF_ERROR(ReadString(g, "required_typ", &issuer.required_typ));
    for (const std::string& a : algorithms) {
      JwsAlgorithm alg;
      if (!ParseJwsAlgorithm(a, &alg)) {
        return g.Error("algorithms",
                       StrCat("is \"", a, "\"; expected a JWS algorithm such as RS256"));
      }
      issuer.allowed_algorithms.insert(alg);
    }
    if (!issuer.jwks_uri.empty() && options.fetcher == nullptr) {
      options.fetcher = MakeCurlJwksFetcher();
    }
    options.issuers.push_back(std::move(issuer));
    return absl::OkStatus();
  };
  CLEARANCE_RETURN_IF_ERROR(ForEachObjectIn(f, "issuers", /*required=*/true, read_issuer));
  return options;
}

// An authentication as the JSON object c.h documents (clearance_authenticate).
std::string AuthenticationJson(const Authentication& a) {
  std::string out = StrCat("{\"authenticated\":", a.ok() ? "true" : "false");
  if (!a.ok()) {
    out += StrCat(",\"reason\":\"", Name(a.reason), "\",\"message\":");
    strings_internal::AppendJsonQuoted(&out, a.message);
    return out + "}";
  }
  out += StrCat(",\"principal\":{\"type\":\"", Name(a.principal_type), "\",\"id\":");
  strings_internal::AppendJsonQuoted(&out, a.principal_id);
  out += "},\"groups\":";
  if (a.groups_claim_configured) {
    out += "[";
    for (size_t i = 0; i < a.groups.size(); ++i) {
      if (i > 0) out += ",";
      strings_internal::AppendJsonQuoted(&out, a.groups[i]);
    }
    out += "]";
  } else {
    out += "null";
  }
  out += ",\"issuer\":";
  strings_internal::AppendJsonQuoted(&out, a.issuer);
  out += a.has_exp ? StrCat(",\"exp\":", a.exp) : std::string(",\"exp\":null");
  // The payload exactly as signed: one JSON object (the verifier refused anything else).
  return StrCat(out, ",\"claims\":", a.verified->claims_json, "}");
}

// The explanation as the JSON object c.h documents.
std::string ExplanationJson(const Explanation& v) {
  std::string out = StrCat("{\"decision\":\"", Name(v.decision.outcome), "\",\"reason\":\"",
                           Name(v.decision.reason), "\",\"message\":");
  strings_internal::AppendJsonQuoted(&out, v.message);
  auto owner = [&out](const OwnerRef& o) {
    out += StrCat("{\"type\":\"", Name(o.type), "\",\"id\":");
    strings_internal::AppendJsonQuoted(&out, o.id);
    out += "}";
  };
  out += ",\"principal\":";
  if (v.principal) {
    owner(*v.principal);
  } else {
    out += "null";
  }
  out += ",\"matching_rules\":[";
  for (size_t i = 0; i < v.matching_rules.size(); ++i) {
    if (i) out += ",";
    strings_internal::AppendJsonQuoted(&out, v.matching_rules[i]);
  }
  out += "],\"grants\":[";
  for (size_t i = 0; i < v.grants.size(); ++i) {
    out += i ? ",{\"chain\":[" : "{\"chain\":[";
    for (size_t j = 0; j < v.grants[i].chain.size(); ++j) {
      if (j) out += ",";
      owner(v.grants[i].chain[j]);
    }
    out += StrCat("],\"authorization_key\":", v.grants[i].authorization_key, "}");
  }
  out += StrCat("],\"generation\":", v.generation, "}");
  return out;
}

clearance_status WriteBuffer(const std::string& text, char* buf, size_t capacity, size_t* needed) {
  const size_t need = text.size() + 1;
  if (needed != nullptr) *needed = need;
  if (capacity < need) {
    return Fail(CLEARANCE_OUT_OF_RANGE,
                StrCat("buf: capacity ", capacity, " is too small; expected at least ", need,
                       " bytes"));
  }
  if (buf == nullptr) return Null("buf");
  text.copy(buf, text.size());
  buf[text.size()] = '\0';
  return CLEARANCE_OK;
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline clearance_status CheckPrincipal(const clearance_store* store,
                                                                    const clearance_principal* p) {
  if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
  if (p == nullptr) return Null("principal");
  if (p->owner != store) {
    return Fail(CLEARANCE_INVALID_ARGUMENT,
                "principal: was resolved by another store; expected one of this store's");
  }
  return CLEARANCE_OK;
}

clearance_status Resolve(clearance_store* store, const Caller& caller, clearance_principal** out) {
  auto p = std::make_unique<clearance_principal>();
  p->handle = store->engine->Resolve(caller);
  p->owner = store;
  *out = p.release();
  return CLEARANCE_OK;
}

// The request every check on this thread converts into: reused, so a warm thread's checks do
// not allocate.
thread_local CheckRequest scratch_request;

}  // namespace
}  // namespace clearance::embed_internal

using clearance::Caller;
using clearance::CheckRequest;
using clearance::CheckRequestView;
using clearance::Decision;
using clearance::embed_internal::AuthenticationJson;
using clearance::embed_internal::CheckOpen;
using clearance::embed_internal::CheckPrincipal;
using clearance::embed_internal::ConfigurationOf;
using clearance::embed_internal::ExplanationJson;
using clearance::embed_internal::Fail;
using clearance::embed_internal::Guard;
using clearance::embed_internal::last_error;
using clearance::embed_internal::Null;
using clearance::embed_internal::ParseConfiguration;
using clearance::embed_internal::ParseVerifierOptions;
using clearance::embed_internal::ReportApply;
using clearance::embed_internal::Resolve;
using clearance::embed_internal::scratch_request;
using clearance::embed_internal::ToC;
using clearance::embed_internal::ToRequest;
using clearance::embed_internal::ToView;
using clearance::embed_internal::ViewStorage;
using clearance::embed_internal::WriteBuffer;
using clearance::strings_internal::StrCat;

// The full paths of clearance_check_claims and clearance_check_principal: every argument checked
// in order, any request shape. Out of line, so the entry points' short paths keep a small frame
// (they tail-call these).
namespace clearance::embed_internal {
namespace {

ABSL_ATTRIBUTE_NOINLINE clearance_status CheckClaimsFull(clearance_store* store,
                                                         const char* claims_json, size_t len,
                                                         const clearance_check_request* request,
                                                         clearance_decision* out) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    if (claims_json == nullptr) return Null("claims_json");
    if (out == nullptr) return Null("out");
    ViewStorage storage;
    CheckRequestView view;
    if (clearance_status s = ToView(request, &storage, &view); s != CLEARANCE_OK) return s;
    ToC(store->engine->CheckClaims(std::string_view(claims_json, len), view), out);
    return CLEARANCE_OK;
  });
}

ABSL_ATTRIBUTE_NOINLINE clearance_status CheckPrincipalFull(
    clearance_store* store, const clearance_principal* principal,
    const clearance_check_request* request, clearance_decision* out) {
  return Guard([&] {
    if (clearance_status s = CheckPrincipal(store, principal); s != CLEARANCE_OK) return s;
    if (out == nullptr) return Null("out");
    ViewStorage storage;
    CheckRequestView view;
    if (clearance_status s = ToView(request, &storage, &view); s != CLEARANCE_OK) return s;
    ToC(store->engine->Check(principal->handle, view), out);
    return CLEARANCE_OK;
  });
}

}  // namespace
}  // namespace clearance::embed_internal

using clearance::embed_internal::CheckClaimsFull;
using clearance::embed_internal::CheckPrincipalFull;
using clearance::embed_internal::CheckCommonShape;
using clearance::embed_internal::IsCommonShape;

extern "C" {

int32_t clearance_api_version(void) { return CLEARANCE_C_API_VERSION; }

const char* clearance_version_string(void) { return CLEARANCE_VERSION_STRING; }

const char* clearance_last_error(void) { return last_error.c_str(); }

clearance_status clearance_resource_type(const char* name, int32_t* out) {
  return Guard([&] {
    if (name == nullptr) return Null("name");
    if (out == nullptr) return Null("out");
    absl::StatusOr<clearance::ResourceType> t = clearance::ParseResourceType(name);
    if (!t.ok()) return Fail(t.status());
    *out = static_cast<int32_t>(*t);
    return CLEARANCE_OK;
  });
}

clearance_status clearance_permission(const char* name, int32_t* out) {
  return Guard([&] {
    if (name == nullptr) return Null("name");
    if (out == nullptr) return Null("out");
    absl::StatusOr<clearance::Permission> p = clearance::ParsePermission(name);
    if (!p.ok()) return Fail(p.status());
    *out = static_cast<int32_t>(*p);
    return CLEARANCE_OK;
  });
}

const char* clearance_outcome_name(int32_t outcome) {
  if (outcome < 0 || outcome > static_cast<int32_t>(clearance::Outcome::kUnauthenticated)) return "";
  return clearance::Name(static_cast<clearance::Outcome>(outcome)).data();
}

const char* clearance_reason_name(int32_t reason) {
  if (reason < 0 || reason > static_cast<int32_t>(clearance::Reason::kTokenRefused)) return "";
  return clearance::Name(static_cast<clearance::Reason>(reason)).data();
}

clearance_status clearance_store_open(const char* path, uint32_t flags, clearance_store** out) {
  return Guard([&] {
    if (path == nullptr) return Null("path");
    if (out == nullptr) return Null("out");
    if ((flags & ~(CLEARANCE_OPEN_NO_SYNC | CLEARANCE_OPEN_MUST_EXIST)) != 0) {
      return Fail(CLEARANCE_INVALID_ARGUMENT,
                  StrCat("flags: unknown bits ", flags,
                         "; expected CLEARANCE_OPEN_NO_SYNC | CLEARANCE_OPEN_MUST_EXIST"));
    }
    clearance::ServingOptions options;
    options.store.sync = (flags & CLEARANCE_OPEN_NO_SYNC) == 0;
    options.store.create_if_missing = (flags & CLEARANCE_OPEN_MUST_EXIST) == 0;
    absl::StatusOr<std::unique_ptr<clearance::ServingStore>> opened =
        clearance::ServingStore::Open(path, options);
    if (!opened.ok()) return Fail(opened.status());
    auto handle = std::make_unique<clearance_store>();
    handle->serving = *std::move(opened);
    handle->engine = &handle->serving->engine();
    *out = handle.release();
    return CLEARANCE_OK;
  });
}

clearance_status clearance_store_close(clearance_store* store) {
  return Guard([&] {
    if (store == nullptr) return Null("store");
    store->closed.store(true, std::memory_order_release);
    store->engine = nullptr;
    store->serving.reset();
    return CLEARANCE_OK;
  });
}

void clearance_store_free(clearance_store* store) {
  if (store == nullptr) return;
  (void)clearance_store_close(store);
  delete store;
}

clearance_status clearance_store_configure(clearance_store* store, const char* json, size_t len) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    absl::StatusOr<clearance::Configuration> config = ParseConfiguration(json, len);
    if (!config.ok()) return Fail(config.status());
    return ReportApply(store->serving->Execute(clearance::Configure{*std::move(config)}));
  });
}

clearance_status clearance_store_initialize(clearance_store* store) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    return ReportApply(store->serving->Execute(clearance::Initialize{}));
  });
}

clearance_status clearance_store_apply_record(clearance_store* store, const char* json,
                                              size_t len, int32_t* outcome,
                                              uint64_t* authorization_key) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    if (json == nullptr) return Null("json");
    auto set_outcome = [outcome](clearance_apply_outcome o) {
      if (outcome != nullptr) *outcome = o;
    };
    // Decoded against the state it is applied to: a broker's authorization key is looked up
    // there.
    std::optional<clearance::ApplyResult> applied;
    const absl::Status written = store->serving->Write([&](clearance::ServingStore::Writer& w) {
      CLEARANCE_ASSIGN_OR_RETURN(clearance::DecodedRecord record,
                                 clearance::DecodeRecord(std::string_view(json, len), w.state()));
      if (record.kind == clearance::DecodedRecord::Kind::kUnknownValueType) {
        set_outcome(CLEARANCE_SKIPPED_VALUE_TYPE);
        return absl::OkStatus();
      }
      if (record.kind == clearance::DecodedRecord::Kind::kIgnored) {
        set_outcome(CLEARANCE_SKIPPED_INTENT);
        return absl::OkStatus();
      }
      CLEARANCE_ASSIGN_OR_RETURN(applied, w.Apply(record.command, record.position));
      return absl::OkStatus();
    });
    if (!written.ok()) return Fail(written);
    if (applied.has_value()) {
      switch (applied->outcome) {
        case clearance::ApplyResult::Outcome::kApplied:
          set_outcome(CLEARANCE_APPLIED);
          if (authorization_key != nullptr) {
            *authorization_key = applied->changes.first_put_authorization_key().value_or(0);
          }
          return CLEARANCE_OK;
        case clearance::ApplyResult::Outcome::kRefused:
          set_outcome(CLEARANCE_REFUSED);
          return Fail(applied->refusal);
        case clearance::ApplyResult::Outcome::kSkipped:
          set_outcome(CLEARANCE_SKIPPED_POSITION);
          break;
      }
    }
    if (authorization_key != nullptr) *authorization_key = 0;
    return CLEARANCE_OK;
  });
}

clearance_status clearance_store_ingest(clearance_store* store, const char* ndjson, size_t len,
                                        clearance_ingest_stats* stats) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    if (ndjson == nullptr && len > 0) return Null("ndjson");
    // One write sequence: the records go in order, each decoded against the state the previous
    // one left, and the first failure (a malformed record, the store, the engine) stops it.
    clearance::IngestStats done;
    const absl::Status s = store->serving->Write([&](clearance::ServingStore::Writer& w) {
      clearance::RecordIngestor ingestor(&w);
      absl::Status ingested =
          ingestor.IngestBuffer(std::string_view(ndjson == nullptr ? "" : ndjson, len));
      done = ingestor.stats();
      return ingested;
    });
    if (stats != nullptr) {
      *stats = {done.records,          done.applied,           done.refused,
                done.skipped_position, done.skipped_value_type, done.skipped_intent};
    }
    if (!s.ok()) return Fail(s);
    return CLEARANCE_OK;
  });
}

clearance_status clearance_store_applied_position(clearance_store* store, uint64_t* position,
                                                  int32_t* has_position) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    if (position == nullptr) return Null("position");
    if (has_position == nullptr) return Null("has_position");
    const std::optional<uint64_t> p = store->serving->applied_position();
    *has_position = p.has_value() ? 1 : 0;
    *position = p.value_or(0);
    return CLEARANCE_OK;
  });
}

clearance_status clearance_store_generation(clearance_store* store, uint64_t* generation) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    if (generation == nullptr) return Null("generation");
    *generation = store->serving->generation();
    return CLEARANCE_OK;
  });
}

clearance_status clearance_check_claims(clearance_store* store, const char* claims_json,
                                        size_t len, const clearance_check_request* request,
                                        clearance_decision* out) {
  if (ABSL_PREDICT_TRUE(store != nullptr && !store->closed.load(std::memory_order_acquire) &&
                        claims_json != nullptr && request != nullptr && out != nullptr &&
                        IsCommonShape(*request))) {
    return Guard([&] {
      const clearance::Engine& engine = *store->engine;
      ToC(CheckCommonShape(*request,
                           [&](const CheckRequestView& view) {
                             return engine.CheckClaims(std::string_view(claims_json, len), view);
                           }),
          out);
      return CLEARANCE_OK;
    });
  }
  return CheckClaimsFull(store, claims_json, len, request, out);
}

clearance_status clearance_check_user(clearance_store* store, const char* username,
                                      const clearance_check_request* request,
                                      clearance_decision* out) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    if (username == nullptr) return Null("username");
    if (out == nullptr) return Null("out");
    if (clearance_status s = ToRequest(request, &scratch_request); s != CLEARANCE_OK) return s;
    ToC(store->engine->Check(Caller::BasicUser(username), scratch_request), out);
    return CLEARANCE_OK;
  });
}

clearance_status clearance_resolve_claims(clearance_store* store, const char* claims_json,
                                          size_t len, clearance_principal** out) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    if (claims_json == nullptr) return Null("claims_json");
    if (out == nullptr) return Null("out");
    return Resolve(store, Caller::Claims(std::string(claims_json, len)), out);
  });
}

clearance_status clearance_resolve_user(clearance_store* store, const char* username,
                                        clearance_principal** out) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    if (username == nullptr) return Null("username");
    if (out == nullptr) return Null("out");
    return Resolve(store, Caller::BasicUser(username), out);
  });
}

void clearance_principal_free(clearance_principal* principal) { delete principal; }

clearance_status clearance_principal_is_current(clearance_store* store,
                                                const clearance_principal* p, int32_t* current) {
  return Guard([&] {
    if (clearance_status s = CheckPrincipal(store, p); s != CLEARANCE_OK) return s;
    if (current == nullptr) return Null("current");
    *current = store->engine->IsCurrent(p->handle) ? 1 : 0;
    return CLEARANCE_OK;
  });
}

clearance_status clearance_check_principal(clearance_store* store,
                                           const clearance_principal* principal,
                                           const clearance_check_request* request,
                                           clearance_decision* out) {
  // A principal's owner is never NULL (Resolve sets it to a checked store), so owner == store
  // also says that store is not NULL.
  if (ABSL_PREDICT_TRUE(principal != nullptr && principal->owner == store &&
                        !store->closed.load(std::memory_order_acquire) && request != nullptr &&
                        out != nullptr && IsCommonShape(*request))) {
    return Guard([&] {
      const clearance::Engine& engine = *store->engine;
      ToC(CheckCommonShape(*request,
                           [&](const CheckRequestView& view) {
                             return engine.Check(principal->handle, view);
                           }),
          out);
      return CLEARANCE_OK;
    });
  }
  return CheckPrincipalFull(store, principal, request, out);
}

clearance_status clearance_check_batch(clearance_store* store,
                                       const clearance_principal* principal,
                                       const clearance_check_request* requests, size_t count,
                                       clearance_decision* out) {
  return Guard([&] {
    if (clearance_status s = CheckPrincipal(store, principal); s != CLEARANCE_OK) return s;
    if (count == 0) return CLEARANCE_OK;
    if (requests == nullptr) return Null("requests");
    if (out == nullptr) return Null("out");
    // Each request is viewed and checked in turn (all against the principal's generation);
    // `out` is written only once every request proved valid.
    thread_local std::vector<Decision> decisions;
    decisions.resize(count);
    ViewStorage storage;
    CheckRequestView view;
    for (size_t i = 0; i < count; ++i) {
      if (clearance_status s = ToView(&requests[i], &storage, &view); s != CLEARANCE_OK) {
        last_error = StrCat("requests[", i, "]: ", last_error);
        return s;
      }
      decisions[i] = store->engine->Check(principal->handle, view);
    }
    for (size_t i = 0; i < count; ++i) ToC(decisions[i], &out[i]);
    return CLEARANCE_OK;
  });
}

namespace {

// A verifier handle from options, or the error that says why not.
clearance_status NewVerifier(absl::StatusOr<clearance::TokenVerifierOptions> options,
                             clearance_verifier** out) {
  if (!options.ok()) return Fail(options.status());
  auto handle = std::make_unique<clearance_verifier>();
  options->clock = &handle->clock;
  absl::StatusOr<std::unique_ptr<clearance::TokenVerifier>> verifier =
      clearance::TokenVerifier::Create(*std::move(options));
  if (!verifier.ok()) return Fail(verifier.status());
  handle->verifier = *std::move(verifier);
  *out = handle.release();
  return CLEARANCE_OK;
}

}  // namespace

clearance_status clearance_verifier_create(const char* json, size_t len,
                                           clearance_verifier** out) {
  return Guard([&] {
    if (out == nullptr) return Null("out");
    return NewVerifier(ParseVerifierOptions(json, len), out);
  });
}

clearance_status clearance_verifier_create_for_store(clearance_store* store,
                                                     clearance_verifier** out) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    if (out == nullptr) return Null("out");
    absl::StatusOr<clearance::TokenVerifierOptions> options =
        clearance::VerifierOptionsFor(ConfigurationOf(store));
    return NewVerifier(std::move(options), out);
  });
}

void clearance_verifier_free(clearance_verifier* verifier) { delete verifier; }

clearance_status clearance_verifier_set_time(clearance_verifier* verifier, int64_t unix_seconds) {
  return Guard([&] {
    if (verifier == nullptr) return Null("verifier");
    verifier->clock.fixed_seconds.store(unix_seconds, std::memory_order_relaxed);
    return CLEARANCE_OK;
  });
}

clearance_status clearance_authenticate(clearance_store* store,
                                        const clearance_verifier* verifier, const char* token,
                                        size_t len, char* buf, size_t capacity, size_t* needed) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    if (verifier == nullptr) return Null("verifier");
    if (token == nullptr) return Null("token");
    const clearance::Configuration config = ConfigurationOf(store);
    return WriteBuffer(AuthenticationJson(clearance::Authenticate(
                           *verifier->verifier, config, std::string_view(token, len))),
                       buf, capacity, needed);
  });
}

clearance_status clearance_check_token(clearance_store* store, const clearance_verifier* verifier,
                                       const char* token, size_t len,
                                       const clearance_check_request* request,
                                       clearance_decision* out, int32_t* token_error) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    if (verifier == nullptr) return Null("verifier");
    if (token == nullptr) return Null("token");
    if (out == nullptr) return Null("out");
    if (clearance_status s = ToRequest(request, &scratch_request); s != CLEARANCE_OK) return s;
    clearance::AuthenticationReason why = clearance::AuthenticationReason::kOk;
    ToC(store->engine->CheckToken(*verifier->verifier, std::string_view(token, len),
                                  scratch_request, &why),
        out);
    if (token_error != nullptr) {
      *token_error = static_cast<int32_t>(
          clearance::TokenErrorOf(why).value_or(clearance::TokenError::kOk));
    }
    return CLEARANCE_OK;
  });
}

clearance_status clearance_explain_claims(clearance_store* store, const char* claims_json,
                                          size_t len, const clearance_check_request* request,
                                          char* buf, size_t capacity, size_t* needed) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    if (claims_json == nullptr) return Null("claims_json");
    if (clearance_status s = ToRequest(request, &scratch_request); s != CLEARANCE_OK) return s;
    return WriteBuffer(
        ExplanationJson(store->engine->Explain(Caller::Claims(std::string(claims_json, len)),
                                               scratch_request)),
        buf, capacity, needed);
  });
}

clearance_status clearance_explain_principal(clearance_store* store,
                                             const clearance_principal* principal,
                                             const clearance_check_request* request, char* buf,
                                             size_t capacity, size_t* needed) {
  return Guard([&] {
    if (clearance_status s = CheckPrincipal(store, principal); s != CLEARANCE_OK) return s;
    if (clearance_status s = ToRequest(request, &scratch_request); s != CLEARANCE_OK) return s;
    return WriteBuffer(ExplanationJson(store->engine->Explain(principal->handle, scratch_request)),
                       buf, capacity, needed);
  });
}

}  // extern "C"
