// Fuzz target: the decision API's body decoder (server/decision/request_body.h) on arbitrary
// bytes. The first byte chooses the body kind (c: check, b: batch, q/r/s/t: a question with one
// of four field sets, as the corpus spells them); the rest is the body. Decoding must refuse
// with INVALID_ARGUMENT or give a body that keeps its promises: required fields present,
// at most kMaxBatchRequests checks, and a CheckRequestView equal to the owned CheckRequest.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "absl/status/status.h"
#include "server/decision/request_body.h"

namespace {

using clearance::CheckRequest;
using clearance::CheckRequestView;
using namespace clearance::server::decision;

void Require(bool condition) {
  if (!condition) std::abort();
}

void RequireRefusal(const absl::Status& status) {
  Require(status.code() == absl::StatusCode::kInvalidArgument);
  Require(!status.message().empty());
}

bool SameStrings(auto view, const auto& owned) {
  if (view.size() != owned.size()) return false;
  for (size_t i = 0; i < owned.size(); ++i) {
    if (std::string_view(view[i]) != std::string_view(owned[i])) return false;
  }
  return true;
}

void CheckConsistent(CheckBody& body) {
  const CheckRequestView view = body.View();
  const CheckRequest owned = body.ToRequest();
  Require(view.resource_type == owned.resource_type && view.permission == owned.permission);
  Require(view.new_resource == owned.new_resource);
  Require(SameStrings(view.resource_ids, owned.resource_ids));
  Require(view.tenant_id.has_value() == owned.tenant_id.has_value());
  if (view.tenant_id) Require(*view.tenant_id == *owned.tenant_id);
  Require((view.user_task != nullptr) == owned.user_task.has_value());
  if (view.user_task != nullptr) {
    Require(view.user_task->assignee.has_value() == owned.user_task->assignee.has_value());
    Require(SameStrings(view.user_task->candidate_users, owned.user_task->candidate_users));
    Require(SameStrings(view.user_task->candidate_groups, owned.user_task->candidate_groups));
  }
  if (body.subject.kind == Subject::Kind::kClaims) {
    Require(body.subject.claims_json.size() >= 2 && body.subject.claims_json.front() == '{');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char kind = static_cast<char>(data[0]);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  absl::StatusOr<simdjson::dom::object> root = ParseBody(text, kind != 'c' && kind != 'b');
  if (!root.ok()) {
    RequireRefusal(root.status());
    return 0;
  }
  if (kind == 'c') {
    CheckBody body;
    if (absl::Status s = DecodeCheck(*root, "", &body); !s.ok()) {
      RequireRefusal(s);
      return 0;
    }
    CheckConsistent(body);
  } else if (kind == 'b') {
    BatchBody body;
    if (absl::Status s = DecodeBatch(*root, &body); !s.ok()) {
      RequireRefusal(s);
      return 0;
    }
    Require(body.requests.size() <= kMaxBatchRequests);
    for (CheckBody& request : body.requests) CheckConsistent(request);
  } else {
    // The field sets of authorized-resources, authorized-tenants, what-can and who-can.
    static constexpr QueryFields kSets[] = {
        {QueryFields::kResourceType | QueryFields::kPermission | QueryFields::kSubject,
         QueryFields::kResourceType | QueryFields::kPermission},
        {QueryFields::kSubject, 0},
        {QueryFields::kResourceType | QueryFields::kResourceId | QueryFields::kSubject, 0},
        {QueryFields::kResourceType | QueryFields::kPermission | QueryFields::kResourceId,
         QueryFields::kResourceType | QueryFields::kPermission | QueryFields::kResourceId},
    };
    const QueryFields fields = kSets[static_cast<uint8_t>(kind - 'q') % 4];
    QueryBody body;
    if (absl::Status s = DecodeQuery(*root, fields, &body); !s.ok()) {
      RequireRefusal(s);
      return 0;
    }
    Require(!(fields.required & QueryFields::kResourceType) || body.resource_type.has_value());
    Require(!(fields.required & QueryFields::kPermission) || body.permission.has_value());
    Require(!(fields.required & QueryFields::kResourceId) || body.resource_id.has_value());
    Require((fields.allowed & QueryFields::kResourceType) || !body.resource_type.has_value());
    Require((fields.allowed & QueryFields::kSubject) ||
            body.subject.kind == Subject::Kind::kCaller);
  }
  return 0;
}
