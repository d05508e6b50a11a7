#include "server/decision/request_body.h"

#include <array>
#include <bit>
#include <utility>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "server/json_reader.h"

namespace clearance::server::decision {
namespace {

using strings_internal::StrCat;

namespace dom = simdjson::dom;

// The decision API reads its bodies under the rules of every request body (json_reader.h).
JsonObject BodyObject(dom::object object, std::string_view path) {
  return JsonObject(object, std::string(path), kRequestBodyOptions);
}

absl::Status ReadResourceType(const JsonValue& v, ResourceType* out) {
  CLEARANCE_ASSIGN_OR_RETURN(std::string_view s, v.StringView());
  absl::StatusOr<ResourceType> parsed = ParseResourceType(s);
  if (!parsed.ok()) {
    const auto message = parsed.status().message();
    return v.Error(std::string_view(message.data(), message.size()));
  }
  *out = *parsed;
  return absl::OkStatus();
}

absl::Status ReadPermission(const JsonValue& v, Permission* out) {
  CLEARANCE_ASSIGN_OR_RETURN(std::string_view s, v.StringView());
  absl::StatusOr<Permission> parsed = ParsePermission(s);
  if (!parsed.ok()) {
    const auto message = parsed.status().message();
    return v.Error(std::string_view(message.data(), message.size()));
  }
  *out = *parsed;
  return absl::OkStatus();
}

absl::Status DecodeSubject(const JsonValue& v, Subject* out) {
  dom::object object;
  if (v.element().get_object().get(object) != simdjson::SUCCESS) {
    return v.WrongType("an object with one of token, claims, username");
  }
  const JsonObject subject(object, v.path(), kRequestBodyOptions);
  static constexpr std::string_view kNames[] = {"token", "claims", "username"};
  CLEARANCE_ASSIGN_OR_RETURN(
      const uint64_t given,
      subject.ForEachMember(kNames, [&](size_t index, const JsonValue& member) -> absl::Status {
        switch (index) {
          case 0: {
            out->kind = Subject::Kind::kToken;
            CLEARANCE_ASSIGN_OR_RETURN(out->token, member.StringView());
            return absl::OkStatus();
          }
          case 1: {
            out->kind = Subject::Kind::kClaims;
            if (!member.element().is_object()) return member.WrongType("an object");
            out->claims_json = simdjson::to_string(member.element());
            return absl::OkStatus();
          }
          default: {
            out->kind = Subject::Kind::kUsername;
            CLEARANCE_ASSIGN_OR_RETURN(out->username, member.StringView());
            return absl::OkStatus();
          }
        }
      }));
  // Checked after the loop, so "token" with "username" is refused whatever their order.
  if (std::popcount(given) != 1) {
    return v.Error(StrCat(given == 0 ? "names nobody" : "names more than one principal",
                          "; expected exactly one of token, claims, username"));
  }
  return absl::OkStatus();
}

absl::Status DecodeUserTask(const JsonValue& v, CheckBody* out) {
  CLEARANCE_ASSIGN_OR_RETURN(const JsonObject task, v.Object());
  static constexpr std::string_view kNames[] = {"assignee", "candidateUsers", "candidateGroups"};
  out->has_user_task = true;
  return task
      .ForEachMember(kNames,
                     [&](size_t index, const JsonValue& member) -> absl::Status {
                       switch (index) {
                         case 0: {
                           CLEARANCE_ASSIGN_OR_RETURN(std::string_view assignee,
                                                      member.StringView());
                           out->assignee = assignee;
                           return absl::OkStatus();
                         }
                         case 1:
                           return member.AppendStrings(&out->candidate_users);
                         default:
                           return member.AppendStrings(&out->candidate_groups);
                       }
                     })
      .status();
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
  JsonReadOptions options = kRequestBodyOptions;
  options.empty_is_object = empty_is_object;
  CLEARANCE_ASSIGN_OR_RETURN(const JsonObject root, ParseJsonObject(parser, body, options));
  return root.object();
}

absl::Status DecodeCheck(dom::object object, std::string_view path, CheckBody* out) {
  static constexpr std::string_view kNames[] = {"resourceType", "permission", "resourceIds",
                                                "tenantId",     "newResource", "userTask",
                                                "subject"};
  const JsonObject check = BodyObject(object, path);
  CLEARANCE_ASSIGN_OR_RETURN(
      const uint64_t given,
      check.ForEachMember(kNames, [&](size_t index, const JsonValue& v) -> absl::Status {
        switch (index) {
          case 0:
            return ReadResourceType(v, &out->resource_type);
          case 1:
            return ReadPermission(v, &out->permission);
          case 2:
            return v.AppendStrings(&out->resource_ids);
          case 3: {
            CLEARANCE_ASSIGN_OR_RETURN(std::string_view tenant, v.StringView());
            out->tenant_id = tenant;
            return absl::OkStatus();
          }
          case 4: {
            CLEARANCE_ASSIGN_OR_RETURN(out->new_resource, v.Bool());
            return absl::OkStatus();
          }
          case 5:
            return DecodeUserTask(v, out);
          default:
            return DecodeSubject(v, &out->subject);
        }
      }));
  if (!(given & 1u)) return check.Missing("resourceType", kResourceTypeExpected);
  if (!(given & 2u)) return check.Missing("permission", kPermissionExpected);
  return absl::OkStatus();
}

absl::Status DecodeBatch(dom::object object, BatchBody* out) {
  static constexpr std::string_view kNames[] = {"requests", "subject"};
  const JsonObject batch = BodyObject(object, "");
  CLEARANCE_ASSIGN_OR_RETURN(
      const uint64_t given,
      batch.ForEachMember(kNames, [&](size_t index, const JsonValue& v) -> absl::Status {
        if (index == 1) return DecodeSubject(v, &out->subject);
        dom::array array;
        if (v.element().get_array().get(array) != simdjson::SUCCESS) {
          return v.WrongType("an array of check requests");
        }
        if (array.size() > kMaxBatchRequests) {
          return v.Error(StrCat(array.size(), " requests; expected at most ", kMaxBatchRequests,
                                " per batch"));
        }
        out->requests.resize(array.size());
        size_t i = 0;
        for (dom::element item : array) {
          const JsonValue element(item, "requests", i, kRequestBodyOptions);
          dom::object request;
          if (item.get_object().get(request) != simdjson::SUCCESS) {
            return element.WrongType("a check request object");
          }
          CLEARANCE_RETURN_IF_ERROR(DecodeCheck(request, element.path(), &out->requests[i]));
          ++i;
        }
        return absl::OkStatus();
      }));
  if (!(given & 1u)) return batch.Missing("requests", "an array of check requests");
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
  const JsonObject query = BodyObject(object, "");
  CLEARANCE_ASSIGN_OR_RETURN(
      const uint64_t given_names,
      query.ForEachMember(std::span<const std::string_view>(names.data(), n),
                          [&](size_t index, const JsonValue& v) -> absl::Status {
                            switch (bit_of[index]) {
                              case QueryFields::kResourceType: {
                                ResourceType type;
                                CLEARANCE_RETURN_IF_ERROR(ReadResourceType(v, &type));
                                out->resource_type = type;
                                return absl::OkStatus();
                              }
                              case QueryFields::kPermission: {
                                Permission permission;
                                CLEARANCE_RETURN_IF_ERROR(ReadPermission(v, &permission));
                                out->permission = permission;
                                return absl::OkStatus();
                              }
                              case QueryFields::kResourceId: {
                                CLEARANCE_ASSIGN_OR_RETURN(std::string_view id, v.StringView());
                                out->resource_id = id;
                                return absl::OkStatus();
                              }
                              default:
                                return DecodeSubject(v, &out->subject);
                            }
                          }));
  uint8_t given = 0;
  for (size_t i = 0; i < n; ++i) {
    if (given_names & (uint64_t{1} << i)) given |= bit_of[i];
  }
  for (size_t i = 0; i < kAll.size(); ++i) {
    const auto bit = static_cast<uint8_t>(1u << i);
    if ((fields.required & bit) && !(given & bit)) {
      return query.Missing(kAll[i],
                     bit == QueryFields::kResourceType ? kResourceTypeExpected
                     : bit == QueryFields::kPermission ? kPermissionExpected
                                                       : std::string_view("a string"));
    }
  }
  return absl::OkStatus();
}

}  // namespace clearance::server::decision
