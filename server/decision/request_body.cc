#include "server/decision/request_body.h"

#include <array>
#include <bit>
#include <utility>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"

namespace clearance::server::decision {
namespace {

using strings_internal::StrCat;
using strings_internal::StrJoin;

namespace dom = simdjson::dom;

// Paths are built only when an error names them, never on the success path.
std::string Member(std::string_view path, std::string_view name) {
  return path.empty() ? std::string(name) : StrCat(path, ".", name);
}
std::string Element(std::string_view path, size_t index) { return StrCat(path, "[", index, "]"); }

std::string_view TypeName(const dom::element& e) {
  switch (e.type()) {
    case dom::element_type::ARRAY:
      return "array";
    case dom::element_type::OBJECT:
      return "object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return "number";
    case dom::element_type::STRING:
      return "string";
    case dom::element_type::BOOL:
      return "boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "value";
}

absl::Status WrongType(const std::string& path, std::string_view expected, const dom::element& e) {
  return absl::InvalidArgumentError(StrCat(path, ": expected ", expected, ", found ", TypeName(e)));
}

absl::Status ReadString(const dom::element& e, std::string_view path, std::string_view name,
                        std::string_view* out) {
  if (e.get_string().get(*out) != simdjson::SUCCESS) {
    return WrongType(Member(path, name), "a string", e);
  }
  return absl::OkStatus();
}

absl::Status ReadStrings(const dom::element& e, std::string_view path, std::string_view name,
                         auto* out) {
  dom::array array;
  if (e.get_array().get(array) != simdjson::SUCCESS) {
    return WrongType(Member(path, name), "an array of strings", e);
  }
  out->reserve(array.size());
  size_t i = 0;
  for (dom::element item : array) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS) {
      return WrongType(Element(Member(path, name), i), "a string", item);
    }
    out->push_back(s);
    ++i;
  }
  return absl::OkStatus();
}

absl::Status ReadResourceType(const dom::element& e, std::string_view path, std::string_view name,
                              ResourceType* out) {
  std::string_view s;
  CLEARANCE_RETURN_IF_ERROR(ReadString(e, path, name, &s));
  absl::StatusOr<ResourceType> parsed = ParseResourceType(s);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(StrCat(Member(path, name), ": ", parsed.status().message()));
  }
  *out = *parsed;
  return absl::OkStatus();
}

absl::Status ReadPermission(const dom::element& e, std::string_view path, std::string_view name,
                            Permission* out) {
  std::string_view s;
  CLEARANCE_RETURN_IF_ERROR(ReadString(e, path, name, &s));
  absl::StatusOr<Permission> parsed = ParsePermission(s);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(StrCat(Member(path, name), ": ", parsed.status().message()));
  }
  *out = *parsed;
  return absl::OkStatus();
}

// Calls on_field(index into `names`, value) for each member of `object` that is not null, and
// sets bit `index` of *given for it. An unknown or repeated member is an error naming it and
// the accepted names.
template <size_t N, typename F>
absl::Status ForEachField(dom::object object, std::string_view path,
                          const std::array<std::string_view, N>& names, uint32_t* given,
                          F&& on_field) {
  static_assert(N <= 32);
  uint32_t seen = 0;
  *given = 0;
  for (dom::key_value_pair field : object) {
    size_t index = 0;
    while (index < N && names[index] != field.key) ++index;
    if (index == N) {
      return absl::InvalidArgumentError(
          StrCat(Member(path, field.key), ": unknown field; expected only ", StrJoin(names, ", ")));
    }
    if (seen & (uint32_t{1} << index)) {
      return absl::InvalidArgumentError(
          StrCat(Member(path, field.key), ": given twice; expected it at most once"));
    }
    seen |= uint32_t{1} << index;
    if (field.value.is_null()) continue;
    *given |= uint32_t{1} << index;
    CLEARANCE_RETURN_IF_ERROR(on_field(index, field.value));
  }
  return absl::OkStatus();
}

// Camunda's words for a missing required field.
absl::Status Missing(std::string_view path, std::string_view name, std::string_view expected) {
  return absl::InvalidArgumentError(
      StrCat(Member(path, name), ": No ", name, " provided; expected ", expected));
}

absl::Status DecodeSubject(const dom::element& e, std::string_view path, Subject* out) {
  const std::string subject_path = Member(path, "subject");
  dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) {
    return WrongType(subject_path, "an object with one of token, claims, username", e);
  }
  static constexpr std::array<std::string_view, 3> kNames = {"token", "claims", "username"};
  uint32_t given = 0;
  absl::Status status =
      ForEachField(object, subject_path, kNames, &given, [&](size_t index, const dom::element& v) {
        switch (index) {
          case 0:
            out->kind = Subject::Kind::kToken;
            return ReadString(v, subject_path, "token", &out->token);
          case 1: {
            out->kind = Subject::Kind::kClaims;
            dom::object claims;
            if (v.get_object().get(claims) != simdjson::SUCCESS) {
              return WrongType(Member(subject_path, "claims"), "an object", v);
            }
            out->claims_json = simdjson::to_string(v);
            return absl::OkStatus();
          }
          default:
            out->kind = Subject::Kind::kUsername;
            return ReadString(v, subject_path, "username", &out->username);
        }
      });
  if (!status.ok()) return status;
  // Checked after the loop, so "token" with "username" is refused whatever their order.
  if (std::popcount(given) != 1) {
    return absl::InvalidArgumentError(
        StrCat(subject_path, ": ", given == 0 ? "names nobody" : "names more than one principal",
               "; expected exactly one of token, claims, username"));
  }
  return absl::OkStatus();
}

absl::Status DecodeUserTask(const dom::element& e, std::string_view path, CheckBody* out) {
  const std::string task_path = Member(path, "userTask");
  dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) {
    return WrongType(task_path, "an object", e);
  }
  static constexpr std::array<std::string_view, 3> kNames = {"assignee", "candidateUsers",
                                                             "candidateGroups"};
  out->has_user_task = true;
  uint32_t given = 0;
  return ForEachField(object, task_path, kNames, &given, [&](size_t index, const dom::element& v) {
    switch (index) {
      case 0: {
        std::string_view assignee;
        absl::Status status = ReadString(v, task_path, "assignee", &assignee);
        out->assignee = assignee;
        return status;
      }
      case 1:
        return ReadStrings(v, task_path, "candidateUsers", &out->candidate_users);
      default:
        return ReadStrings(v, task_path, "candidateGroups", &out->candidate_groups);
    }
  });
}

constexpr std::string_view kResourceTypeExpected = "a resource type such as PROCESS_DEFINITION";
constexpr std::string_view kPermissionExpected = "a permission such as READ";

}  // namespace

CheckRequestView CheckBody::View() {
  CheckRequestView view;
  view.resource_type = resource_type;
  view.permission = permission;
  view.new_resource = new_resource;
  view.resource_ids = absl::MakeConstSpan(resource_ids);
  view.tenant_id = tenant_id;
  if (has_user_task) {
    user_task_view_.assignee = assignee;
    user_task_view_.candidate_users = absl::MakeConstSpan(candidate_users);
    user_task_view_.candidate_groups = absl::MakeConstSpan(candidate_groups);
    view.user_task = &user_task_view_;
  }
  return view;
}

CheckRequest CheckBody::ToRequest() const {
  CheckRequest request;
  request.resource_type = resource_type;
  request.permission = permission;
  request.resource_ids.assign(resource_ids.begin(), resource_ids.end());
  if (tenant_id) request.tenant_id = std::string(*tenant_id);
  request.new_resource = new_resource;
  if (has_user_task) {
    UserTaskProperties& task = request.user_task.emplace();
    if (assignee) task.assignee = std::string(*assignee);
    task.candidate_users.assign(candidate_users.begin(), candidate_users.end());
    task.candidate_groups.assign(candidate_groups.begin(), candidate_groups.end());
  }
  return request;
}

absl::StatusOr<dom::object> ParseBody(std::string_view body, bool empty_is_object) {
  // One parser per thread: its buffers grow to the largest body seen (the transport caps bodies)
  // and are reused, so a warm thread parses without allocating.
  thread_local dom::parser parser;
  if (body.empty() && empty_is_object) body = "{}";
  dom::element root;
  if (simdjson::error_code error = parser.parse(body.data(), body.size()).get(root);
      error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(StrCat("request body: not valid JSON (",
                                             simdjson::error_message(error),
                                             "); expected one JSON object"));
  }
  dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        StrCat("request body: expected a JSON object, found ", TypeName(root)));
  }
  return object;
}

absl::Status DecodeCheck(dom::object object, std::string_view path, CheckBody* out) {
  static constexpr std::array<std::string_view, 7> kNames = {
      "resourceType", "permission", "resourceIds", "tenantId",
      "newResource",  "userTask",   "subject"};
  uint32_t given = 0;
  absl::Status status =
      ForEachField(object, path, kNames, &given, [&](size_t index, const dom::element& v) {
        switch (index) {
          case 0:
            return ReadResourceType(v, path, "resourceType", &out->resource_type);
          case 1:
            return ReadPermission(v, path, "permission", &out->permission);
          case 2:
            return ReadStrings(v, path, "resourceIds", &out->resource_ids);
          case 3: {
            std::string_view tenant;
            absl::Status s = ReadString(v, path, "tenantId", &tenant);
            out->tenant_id = tenant;
            return s;
          }
          case 4:
            if (v.get_bool().get(out->new_resource) != simdjson::SUCCESS) {
              return WrongType(Member(path, "newResource"), "a boolean", v);
            }
            return absl::OkStatus();
          case 5:
            return DecodeUserTask(v, path, out);
          default:
            return DecodeSubject(v, path, &out->subject);
        }
      });
  if (!status.ok()) return status;
  if (!(given & 1u)) {
    return Missing(path, "resourceType", kResourceTypeExpected);
  }
  if (!(given & 2u)) {
    return Missing(path, "permission", kPermissionExpected);
  }
  return absl::OkStatus();
}

absl::Status DecodeBatch(dom::object object, BatchBody* out) {
  static constexpr std::array<std::string_view, 2> kNames = {"requests", "subject"};
  uint32_t given = 0;
  absl::Status status =
      ForEachField(object, "", kNames, &given, [&](size_t index, const dom::element& v) {
        if (index == 1) return DecodeSubject(v, "", &out->subject);
        dom::array array;
        if (v.get_array().get(array) != simdjson::SUCCESS) {
          return WrongType("requests", "an array of check requests", v);
        }
        if (array.size() > kMaxBatchRequests) {
          return absl::InvalidArgumentError(StrCat("requests: ", array.size(),
                                                   " requests; expected at most ",
                                                   kMaxBatchRequests, " per batch"));
        }
        out->requests.resize(array.size());
        size_t i = 0;
        for (dom::element item : array) {
          dom::object request;
          if (item.get_object().get(request) != simdjson::SUCCESS) {
            return WrongType(Element("requests", i), "a check request object", item);
          }
          CLEARANCE_RETURN_IF_ERROR(
              DecodeCheck(request, Element("requests", i), &out->requests[i]));
          ++i;
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  if (!(given & 1u)) {
    return Missing("", "requests", "an array of check requests");
  }
  return absl::OkStatus();
}

absl::Status DecodeQuery(dom::object object, QueryFields fields, QueryBody* out) {
  static constexpr std::array<std::string_view, 4> kAll = {"resourceType", "permission",
                                                           "resourceId", "subject"};
  // The names this endpoint accepts, in kAll's order; positions map back through `bit_of`.
  std::array<std::string_view, 4> names{};
  std::array<uint8_t, 4> bit_of{};
  size_t n = 0;
  for (size_t i = 0; i < kAll.size(); ++i) {
    const auto bit = static_cast<uint8_t>(1u << i);
    if (fields.allowed & bit) {
      names[n] = kAll[i];
      bit_of[n] = bit;
      ++n;
    }
  }
  uint8_t seen = 0;
  uint8_t given = 0;
  for (dom::key_value_pair field : object) {
    size_t index = 0;
    while (index < n && names[index] != field.key) ++index;
    if (index == n) {
      std::vector<std::string_view> accepted(names.begin(), names.begin() + n);
      return absl::InvalidArgumentError(
          StrCat(field.key, ": unknown field; expected ",
                 n == 0 ? std::string("no fields") : StrCat("only ", StrJoin(accepted, ", "))));
    }
    const uint8_t bit = bit_of[index];
    if (seen & bit) {
      return absl::InvalidArgumentError(
          StrCat(field.key, ": given twice; expected it at most once"));
    }
    seen |= bit;
    if (field.value.is_null()) continue;
    given |= bit;
    absl::Status status;
    switch (bit) {
      case QueryFields::kResourceType: {
        ResourceType type;
        status = ReadResourceType(field.value, "", "resourceType", &type);
        out->resource_type = type;
        break;
      }
      case QueryFields::kPermission: {
        Permission permission;
        status = ReadPermission(field.value, "", "permission", &permission);
        out->permission = permission;
        break;
      }
      case QueryFields::kResourceId: {
        std::string_view id;
        status = ReadString(field.value, "", "resourceId", &id);
        out->resource_id = id;
        break;
      }
      default:
        status = DecodeSubject(field.value, "", &out->subject);
    }
    if (!status.ok()) return status;
  }
  for (size_t i = 0; i < kAll.size(); ++i) {
    const auto bit = static_cast<uint8_t>(1u << i);
    if ((fields.required & bit) && !(given & bit)) {
      return Missing("", kAll[i],
                     bit == QueryFields::kResourceType ? kResourceTypeExpected
                     : bit == QueryFields::kPermission ? kPermissionExpected
                                                       : std::string_view("a string"));
    }
  }
  return absl::OkStatus();
}

}  // namespace clearance::server::decision
