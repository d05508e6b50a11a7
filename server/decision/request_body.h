// The decision API's request bodies (/clearance/v1), decoded into views of a simdjson DOM.
//
// The check endpoint is the hot path: its body is parsed by the calling thread's reusable DOM
// parser and read into a CheckBody whose strings point into that parser's tape, so a check
// copies no id and, once the parser is warm, allocates nothing to read its request. The other
// endpoints share the decoder so that every body of the API follows one set of rules, those of
// every request body (server/json_reader.h, read with clearance/internal/json_fields.h):
//
//   - a field that is absent or JSON null is not given;
//   - a member the endpoint does not know, or a member given twice, is refused (a misspelt
//     "resourceID" must not silently check something else);
//   - enum names go through clearance::ParseResourceType / ParsePermission;
//   - every error is INVALID_ARGUMENT naming the field by its path in the body
//     ("requests[3].userTask.candidateGroups[0]"), what was found and what was expected.
//
// Thread-safety: ParseBody uses a parser per thread. What it returns, and every view decoded
// from it, belongs to the calling thread and stays valid until that thread's next ParseBody().
#ifndef CLEARANCE_SERVER_DECISION_REQUEST_BODY_H_
#define CLEARANCE_SERVER_DECISION_REQUEST_BODY_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clearance/catalog.h"
#include "clearance/decision.h"
#include "simdjson.h"

namespace clearance::server::decision {

// Most batch clients send a few hundred checks; the cap keeps one request's work bounded.
inline constexpr size_t kMaxBatchRequests = 1000;

// Whom a request asks about: the caller itself (default) or a principal a gateway names.
struct Subject {
  enum class Kind : uint8_t {
    kCaller,    // no "subject": the authenticated caller
    kToken,     // "subject": {"token": "<jwt>"}, verified by the server's token verifier
    kClaims,    // "subject": {"claims": {...}}, claims taken as verified (administrators)
    kUsername,  // "subject": {"username": "..."}, a stored user (basic mode, administrators)
  };
  Kind kind = Kind::kCaller;
  std::string_view token;     // kToken
  std::string claims_json;    // kClaims: the claims object, minified
  std::string_view username;  // kUsername
};

// One check as sent: POST /check's body, /explain's body, one element of /check/batch.
struct CheckBody {
  ResourceType resource_type = ResourceType::kAuthorization;
  Permission permission = Permission::kRead;
  absl::InlinedVector<std::string_view, 4> resource_ids;
  std::optional<std::string_view> tenant_id;
  bool new_resource = false;
  bool has_user_task = false;
  std::optional<std::string_view> assignee;
  absl::InlinedVector<std::string_view, 4> candidate_users;
  absl::InlinedVector<std::string_view, 4> candidate_groups;
  Subject subject;

  // The engine's view of this check. It points into this CheckBody (user task properties) and
  // into the parser's tape. REQUIRES: both outlive the view's use.
  CheckRequestView View();
  // An owned copy, for the engine entries that take one (CheckBatch, Explain).
  CheckRequest ToRequest() const;

 private:
  UserTaskPropertiesView user_task_view_;
};

// POST /check/batch: {"requests": [...], "subject"?}. A subject inside an element applies to
// that element and replaces the top-level one.
struct BatchBody {
  std::vector<CheckBody> requests;
  Subject subject;
};

// The bodies of the questions beside the check (authorized-resources, authorized-tenants,
// what-can, who-can): which of these fields an endpoint takes and requires is its QueryFields.
struct QueryBody {
  std::optional<ResourceType> resource_type;
  std::optional<Permission> permission;
  std::optional<std::string_view> resource_id;
  Subject subject;
};

struct QueryFields {
  enum : uint8_t { kResourceType = 1, kPermission = 2, kResourceId = 4, kSubject = 8 };
  uint8_t allowed = 0;
  uint8_t required = 0;
};

// Parses `body` as one JSON object with the thread's parser. An empty body is {} when
// `empty_is_object`. Errors: INVALID_ARGUMENT "request body: ..." for invalid JSON (simdjson's
// reason) or a value that is not an object.
absl::StatusOr<simdjson::dom::object> ParseBody(std::string_view body, bool empty_is_object);

// `path` names `object` in errors: "" for the body itself, "requests[3]" for a batch element.
absl::Status DecodeCheck(simdjson::dom::object object, std::string_view path, CheckBody* out);
absl::Status DecodeBatch(simdjson::dom::object object, BatchBody* out);
absl::Status DecodeQuery(simdjson::dom::object object, QueryFields fields, QueryBody* out);

}  // namespace clearance::server::decision

#endif  // CLEARANCE_SERVER_DECISION_REQUEST_BODY_H_
