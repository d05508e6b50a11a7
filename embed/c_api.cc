// The C API (embed/include/clearance/c.h) over clearance::Store, clearance::Engine and the record
// ingestor. Every entry point runs inside Guard(), so no C++ exception crosses the boundary.
#include "clearance/c.h"

#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clearance/catalog.h"
#include "clearance/commands.h"
#include "clearance/decision.h"
#include "clearance/engine.h"
#include "clearance/ingest.h"
#include "clearance/internal/strings.h"
#include "clearance/store.h"
#include "clearance/store_engine.h"
#include "clearance/token.h"
#include "simdjson.h"

struct clearance_store {
  // Serializes the writers: Store::Apply is single-writer and the Engine must follow the store
  // change set by change set, in order.
  std::mutex write_mu;
  std::atomic<bool> closed{false};
  std::unique_ptr<clearance::Store> store;
  std::unique_ptr<clearance::Engine> engine;
};

struct clearance_principal {
  clearance::PrincipalHandle handle;
  const clearance_store* owner = nullptr;
};

struct clearance_verifier {
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

// Applies one command with its position under the writer lock and keeps the engine in step.
absl::StatusOr<ApplyResult> ApplyLocked(clearance_store* s, const Command& command,
                                        std::optional<uint64_t> position) {
  absl::StatusOr<ApplyResult> result = s->store->Apply(command, position);
  if (!result.ok()) return result.status();
  if (result->outcome == ApplyResult::Outcome::kApplied) {
    if (absl::Status st = s->engine->Apply(result->changes); !st.ok()) return st;
  }
  return result;
}

clearance_status ReportApply(const absl::StatusOr<ApplyResult>& result) {
  if (!result.ok()) return Fail(result.status());
  if (result->outcome == ApplyResult::Outcome::kRefused) return Fail(result->refusal);
  return CLEARANCE_OK;
}

// Reads the optional members of a JSON object with errors naming the field.
class JsonFields {
 public:
  JsonFields(simdjson::dom::object obj, std::string where) : obj_(obj), where_(std::move(where)) {}
  absl::Status Bool(std::string_view name, bool* out) const {
    simdjson::dom::element e;
    if (obj_.at_key(name).get(e) != simdjson::SUCCESS) return absl::OkStatus();
    if (e.get_bool().get(*out) != simdjson::SUCCESS) return Wrong(name, "a boolean");
    return absl::OkStatus();
  }
  absl::Status String(std::string_view name, std::string* out) const {
    simdjson::dom::element e;
    if (obj_.at_key(name).get(e) != simdjson::SUCCESS) return absl::OkStatus();
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) return Wrong(name, "a string");
    out->assign(s);
    return absl::OkStatus();
  }
  absl::Status Int(std::string_view name, int64_t* out) const {
    simdjson::dom::element e;
    if (obj_.at_key(name).get(e) != simdjson::SUCCESS) return absl::OkStatus();
    if (e.get_int64().get(*out) != simdjson::SUCCESS) return Wrong(name, "an integer");
    return absl::OkStatus();
  }
  absl::Status Strings(std::string_view name, std::vector<std::string>* out) const {
    simdjson::dom::element e;
    if (obj_.at_key(name).get(e) != simdjson::SUCCESS) return absl::OkStatus();
    simdjson::dom::array a;
    if (e.get_array().get(a) != simdjson::SUCCESS) return Wrong(name, "an array of strings");
    for (simdjson::dom::element item : a) {
      std::string_view s;
      if (item.get_string().get(s) != simdjson::SUCCESS) return Wrong(name, "an array of strings");
      out->emplace_back(s);
    }
    return absl::OkStatus();
  }
  // Refuses members not in `known`, so a misspelt option is not silently ignored.
  absl::Status Only(std::initializer_list<std::string_view> known) const {
    for (auto field : obj_) {
      bool found = false;
      for (std::string_view k : known) found = found || field.key == k;
      if (!found) {
        return absl::InvalidArgumentError(StrCat(where_, field.key, ": unknown member; expected one of ",
                                                 strings_internal::StrJoin(known, ", ")));
      }
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Wrong(std::string_view name, std::string_view expected) const {
    return absl::InvalidArgumentError(StrCat(where_, name, ": wrong type; expected ", expected));
  }
  simdjson::dom::object obj_;
  std::string where_;
};

absl::StatusOr<simdjson::dom::object> ParseObject(simdjson::dom::parser& parser, const char* json,
                                                  size_t len, std::string_view what) {
  if (json == nullptr) return absl::InvalidArgumentError(StrCat(what, ": is NULL; expected JSON"));
  simdjson::dom::element root;
  if (simdjson::error_code e = parser.parse(json, len).get(root); e != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        StrCat(what, ": not valid JSON (", simdjson::error_message(e), "); expected an object"));
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(StrCat(what, ": is not a JSON object"));
  }
  return obj;
}

absl::StatusOr<Configuration> ParseConfiguration(const char* json, size_t len) {
  simdjson::dom::parser parser;
  absl::StatusOr<simdjson::dom::object> obj = ParseObject(parser, json, len, "configuration");
  if (!obj.ok()) return obj.status();
  const JsonFields f(*obj, "configuration.");
  Configuration c;
  std::string mode = "OIDC";
  absl::Status s = f.Only({"mode", "authorizations_enabled", "tenant_checks_enabled",
                           "username_claim", "client_id_claim", "groups_claim",
                           "prefer_username_claim", "id_pattern"});
  if (s.ok()) s = f.String("mode", &mode);
  if (s.ok()) s = f.Bool("authorizations_enabled", &c.authorizations_enabled);
  if (s.ok()) s = f.Bool("tenant_checks_enabled", &c.tenant_checks_enabled);
  if (s.ok()) s = f.String("username_claim", &c.username_claim);
  if (s.ok()) s = f.String("client_id_claim", &c.client_id_claim);
  if (s.ok()) s = f.String("groups_claim", &c.groups_claim);
  if (s.ok()) s = f.Bool("prefer_username_claim", &c.prefer_username_claim);
  if (s.ok()) s = f.String("id_pattern", &c.id_pattern);
  if (!s.ok()) return s;
  if (mode == "OIDC") {
    c.mode = AuthMode::kOidc;
  } else if (mode == "BASIC") {
    c.mode = AuthMode::kBasic;
  } else {
    return absl::InvalidArgumentError(
        StrCat("configuration.mode: is \"", mode, "\"; expected OIDC or BASIC"));
  }
  return c;
}

absl::StatusOr<JwsAlgorithm> ParseAlgorithm(std::string_view name) {
  for (int i = 0; i < kJwsAlgorithmCount; ++i) {
    if (Name(static_cast<JwsAlgorithm>(i)) == name) return static_cast<JwsAlgorithm>(i);
  }
  return absl::InvalidArgumentError(StrCat("is \"", name, "\"; expected a JWS algorithm such as RS256"));
}

absl::StatusOr<TokenVerifierOptions> ParseVerifierOptions(const char* json, size_t len) {
  simdjson::dom::parser parser;
  absl::StatusOr<simdjson::dom::object> obj = ParseObject(parser, json, len, "verifier");
  if (!obj.ok()) return obj.status();
  const JsonFields f(*obj, "verifier.");
  TokenVerifierOptions options;
  int64_t leeway = 60;
  int64_t cache = static_cast<int64_t>(options.cache_capacity);
  absl::Status s = f.Only({"issuers", "leeway_seconds", "require_exp", "cache_capacity"});
  if (s.ok()) s = f.Int("leeway_seconds", &leeway);
  if (s.ok()) s = f.Bool("require_exp", &options.require_exp);
  if (s.ok()) s = f.Int("cache_capacity", &cache);
  if (!s.ok()) return s;
  if (leeway < 0 || cache < 0) {
    return absl::InvalidArgumentError(
        "verifier: leeway_seconds and cache_capacity must not be negative");
  }
  options.leeway = absl::Seconds(leeway);
  options.cache_capacity = static_cast<size_t>(cache);
  simdjson::dom::array issuers;
  if (obj->at_key("issuers").get_array().get(issuers) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("verifier.issuers: is missing or not an array; expected "
                                      "an array of issuer objects");
  }
  size_t i = 0;
  for (simdjson::dom::element e : issuers) {
    simdjson::dom::object io;
    const std::string where = StrCat("verifier.issuers[", i++, "].");
    if (e.get_object().get(io) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(StrCat(where, " is not an object"));
    }
    const JsonFields g(io, where);
    IssuerConfig issuer;
    std::vector<std::string> algorithms;
    s = g.Only({"issuer", "audiences", "skip_audience_check", "algorithms", "jwks_json",
                "jwks_file", "required_typ"});
    if (s.ok()) s = g.String("issuer", &issuer.issuer);
    if (s.ok()) s = g.Strings("audiences", &issuer.audiences);
    if (s.ok()) s = g.Bool("skip_audience_check", &issuer.skip_audience_check);
    if (s.ok()) s = g.Strings("algorithms", &algorithms);
    if (s.ok()) s = g.String("jwks_json", &issuer.jwks_json);
    if (s.ok()) s = g.String("jwks_file", &issuer.jwks_file);
    if (s.ok()) s = g.String("required_typ", &issuer.required_typ);
    if (!s.ok()) return s;
    for (const std::string& a : algorithms) {
      absl::StatusOr<JwsAlgorithm> alg = ParseAlgorithm(a);
      if (!alg.ok()) {
        return absl::InvalidArgumentError(StrCat(where, "algorithms: ", alg.status().message()));
      }
      issuer.allowed_algorithms.insert(*alg);
    }
    options.issuers.push_back(std::move(issuer));
  }
  return options;
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
using clearance::embed_internal::ApplyLocked;
using clearance::embed_internal::CheckOpen;
using clearance::embed_internal::CheckPrincipal;
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
    clearance::StoreOptions options;
    options.sync = (flags & CLEARANCE_OPEN_NO_SYNC) == 0;
    options.create_if_missing = (flags & CLEARANCE_OPEN_MUST_EXIST) == 0;
    // One pass over the stored rows builds both, instead of a second walk of the loaded state.
    absl::StatusOr<clearance::StoreAndEngine> opened = clearance::OpenStoreAndEngine(path, options);
    if (!opened.ok()) return Fail(opened.status());
    auto handle = std::make_unique<clearance_store>();
    handle->store = std::move(opened->store);
    handle->engine = std::move(opened->engine);
    *out = handle.release();
    return CLEARANCE_OK;
  });
}

clearance_status clearance_store_close(clearance_store* store) {
  return Guard([&] {
    if (store == nullptr) return Null("store");
    std::lock_guard<std::mutex> lock(store->write_mu);
    store->closed.store(true, std::memory_order_release);
    store->engine.reset();
    store->store.reset();
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
    std::lock_guard<std::mutex> lock(store->write_mu);
    return ReportApply(ApplyLocked(store, clearance::Configure{*std::move(config)}, std::nullopt));
  });
}

clearance_status clearance_store_initialize(clearance_store* store) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    std::lock_guard<std::mutex> lock(store->write_mu);
    return ReportApply(ApplyLocked(store, clearance::Initialize{}, std::nullopt));
  });
}

clearance_status clearance_store_apply_record(clearance_store* store, const char* json,
                                              size_t len, int32_t* outcome,
                                              uint64_t* authorization_key) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    if (json == nullptr) return Null("json");
    std::lock_guard<std::mutex> lock(store->write_mu);
    absl::StatusOr<clearance::DecodedRecord> record =
        clearance::DecodeRecord(std::string_view(json, len), store->store->state());
    if (!record.ok()) return Fail(record.status());
    auto set_outcome = [outcome](clearance_apply_outcome o) {
      if (outcome != nullptr) *outcome = o;
    };
    if (record->kind == clearance::DecodedRecord::Kind::kUnknownValueType) {
      set_outcome(CLEARANCE_SKIPPED_VALUE_TYPE);
    } else if (record->kind == clearance::DecodedRecord::Kind::kIgnored) {
      set_outcome(CLEARANCE_SKIPPED_INTENT);
    } else {
      absl::StatusOr<clearance::ApplyResult> result =
          ApplyLocked(store, record->command, record->position);
      if (!result.ok()) return Fail(result.status());
      switch (result->outcome) {
        case clearance::ApplyResult::Outcome::kApplied:
          set_outcome(CLEARANCE_APPLIED);
          if (authorization_key != nullptr) {
            *authorization_key = result->changes.first_put_authorization_key().value_or(0);
          }
          return CLEARANCE_OK;
        case clearance::ApplyResult::Outcome::kRefused:
          set_outcome(CLEARANCE_REFUSED);
          return Fail(result->refusal);
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
    std::lock_guard<std::mutex> lock(store->write_mu);
    // The first engine failure stops the ingest: records past it would be committed to a store
    // the engine no longer mirrors.
    clearance::RecordIngestor ingestor(store->store.get(), [&](const clearance::ChangeSet& cs) {
      return store->engine->Apply(cs);
    });
    absl::Status s = ingestor.IngestBuffer(std::string_view(ndjson == nullptr ? "" : ndjson, len));
    if (stats != nullptr) {
      const clearance::IngestStats& st = ingestor.stats();
      *stats = {st.records,          st.applied,           st.refused,
                st.skipped_position, st.skipped_value_type, st.skipped_intent};
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
    // The store's accessors are not safe against a concurrent writer: read under its lock.
    std::lock_guard<std::mutex> lock(store->write_mu);
    const std::optional<uint64_t> p = store->store->applied_position();
    *has_position = p.has_value() ? 1 : 0;
    *position = p.value_or(0);
    return CLEARANCE_OK;
  });
}

clearance_status clearance_store_generation(clearance_store* store, uint64_t* generation) {
  return Guard([&] {
    if (clearance_status s = CheckOpen(store); s != CLEARANCE_OK) return s;
    if (generation == nullptr) return Null("generation");
    *generation = store->engine->generation();
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

clearance_status clearance_verifier_create(const char* json, size_t len,
                                           clearance_verifier** out) {
  return Guard([&] {
    if (out == nullptr) return Null("out");
    absl::StatusOr<clearance::TokenVerifierOptions> options = ParseVerifierOptions(json, len);
    if (!options.ok()) return Fail(options.status());
    absl::StatusOr<std::unique_ptr<clearance::TokenVerifier>> verifier =
        clearance::TokenVerifier::Create(*std::move(options));
    if (!verifier.ok()) return Fail(verifier.status());
    auto handle = std::make_unique<clearance_verifier>();
    handle->verifier = *std::move(verifier);
    *out = handle.release();
    return CLEARANCE_OK;
  });
}

void clearance_verifier_free(clearance_verifier* verifier) { delete verifier; }

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
    clearance::TokenError error = clearance::TokenError::kOk;
    ToC(store->engine->CheckToken(*verifier->verifier, std::string_view(token, len),
                                  scratch_request, &error),
        out);
    if (token_error != nullptr) *token_error = static_cast<int32_t>(error);
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
