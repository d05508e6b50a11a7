// The questions beside the check: authorized-resources, authorized-tenants, what-can, who-can.
//
// Their answers carry the generation that answered. When the subject has no usable principal
// (a refused token, an unknown user) the answer is the decision that says so instead of the
// result: {"outcome":"UNAUTHENTICATED","reason":...,"generation":...}, still a 200.
#include <string>
#include <utility>

#include "server/decision/decision_json.h"
#include "server/decision/handlers.h"
#include "server/decision/request_body.h"
#include "server/decision/subject.h"
#include "server/decision/who_can.h"
#include "server/json_writer.h"

namespace clearance::server::decision {
namespace {

// The body decoded and the subject resolved; `problem` is set when the request ends there.
struct Query {
  QueryBody body;
  SubjectPrincipal subject;
  std::optional<HttpResponse> problem;
};

Query Begin(RequestContext& context, QueryFields fields) {
  Query query;
  // GET carries no body; POST may send none when the defaults do.
  absl::StatusOr<simdjson::dom::object> root = ParseBody(context.request.body, true);
  if (!root.ok()) {
    query.problem = ProblemFromStatus(root.status(), context.request.path);
    return query;
  }
  if (absl::Status status = DecodeQuery(*root, fields, &query.body); !status.ok()) {
    query.problem = ProblemFromStatus(status, context.request.path);
    return query;
  }
  query.problem = ResolveSubject(context, query.body.subject, "", &query.subject);
  return query;
}

// The answer when the subject has no usable principal; nullopt when it has one.
std::optional<HttpResponse> Unauthenticated(const RequestContext& context, const Query& query) {
  Decision decision = kRefusedSubject;
  uint64_t generation = context.server.store->generation();
  if (!query.subject.refused) {
    const PrincipalHandle& handle = query.subject.handle();
    if (handle.authenticated()) return std::nullopt;
    // The engine says why (UNKNOWN_USER, NO_PRINCIPAL, ...) through any check.
    decision = context.server.store->engine().Check(handle, CheckRequestView{});
    generation = handle.generation();
  }
  HttpResponse response;
  AppendDecision(&response.body, decision, generation, query.subject.detail);
  return response;
}

}  // namespace

HttpResponse HandleAuthorizedResources(RequestContext& context) {
  Query query =
      Begin(context, {QueryFields::kResourceType | QueryFields::kPermission | QueryFields::kSubject,
                      QueryFields::kResourceType | QueryFields::kPermission});
  if (query.problem) return std::move(*query.problem);
  if (std::optional<HttpResponse> answer = Unauthenticated(context, query)) return *answer;
  const PrincipalHandle& handle = query.subject.handle();
  absl::StatusOr<ResourceIds> ids = context.server.store->engine().AuthorizedResourceIds(
      handle, *query.body.resource_type, *query.body.permission);
  if (!ids.ok()) return ProblemFromStatus(ids.status(), context.request.path);
  JsonWriter w;
  w.BeginObject();
  w.Field("all", ids->all);
  w.Key("ids");
  w.BeginArray();
  for (const std::string& id : ids->ids) w.String(id);
  w.EndArray();
  w.Field("generation", handle.generation());
  w.EndObject();
  return JsonResponse(200, std::move(w).Take());
}

HttpResponse HandleAuthorizedTenants(RequestContext& context) {
  Query query = Begin(context, {QueryFields::kSubject, 0});
  if (query.problem) return std::move(*query.problem);
  if (std::optional<HttpResponse> answer = Unauthenticated(context, query)) return *answer;
  const PrincipalHandle& handle = query.subject.handle();
  absl::StatusOr<std::vector<std::string>> tenants =
      context.server.store->engine().AuthorizedTenants(handle);
  if (!tenants.ok()) return ProblemFromStatus(tenants.status(), context.request.path);
  JsonWriter w;
  w.BeginObject();
  w.Key("tenants");
  w.BeginArray();
  for (const std::string& tenant : *tenants) w.String(tenant);
  w.EndArray();
  w.Field("generation", handle.generation());
  w.EndObject();
  return JsonResponse(200, std::move(w).Take());
}

HttpResponse HandleWhatCan(RequestContext& context) {
  Query query = Begin(
      context, {QueryFields::kResourceType | QueryFields::kResourceId | QueryFields::kSubject, 0});
  if (query.problem) return std::move(*query.problem);
  if (query.body.resource_id && !query.body.resource_type) {
    return Problem(400, "INVALID_ARGUMENT",
                   "resourceId: given without resourceType; expected resourceType with it",
                   context.request.path);
  }
  if (std::optional<HttpResponse> answer = Unauthenticated(context, query)) return *answer;
  const PrincipalHandle& handle = query.subject.handle();
  const Engine& engine = context.server.store->engine();
  JsonWriter w;
  w.BeginObject();
  if (query.body.resource_type) {
    const std::string_view id = query.body.resource_id.value_or(kWildcardResourceId);
    absl::StatusOr<PermissionMask> mask =
        engine.PermissionsOn(handle, *query.body.resource_type, id);
    if (!mask.ok()) return ProblemFromStatus(mask.status(), context.request.path);
    w.Key("permissions");
    WritePermissions(w, *mask);
  } else {
    w.Key("resourceTypes");
    w.BeginArray();
    absl::Status failed;
    ForEachResourceType([&](ResourceType type) {
      if (!failed.ok()) return;
      absl::StatusOr<PermissionMask> mask = engine.PermissionsOn(handle, type, kWildcardResourceId);
      if (!mask.ok()) {
        failed = mask.status();
        return;
      }
      if (*mask == 0) return;
      w.BeginObject();
      w.Field("resourceType", Name(type));
      w.Key("permissions");
      WritePermissions(w, *mask);
      w.EndObject();
    });
    if (!failed.ok()) return ProblemFromStatus(failed, context.request.path);
    w.EndArray();
  }
  w.Field("generation", handle.generation());
  w.EndObject();
  return JsonResponse(200, std::move(w).Take());
}

HttpResponse HandleWhoCan(RequestContext& context) {
  Query query = Begin(
      context, {QueryFields::kResourceType | QueryFields::kPermission | QueryFields::kResourceId,
                QueryFields::kResourceType | QueryFields::kPermission | QueryFields::kResourceId});
  if (query.problem) return std::move(*query.problem);
  // The answer reveals grants: the permission to read authorizations.
  if (std::optional<HttpResponse> problem =
          Require(context, ResourceType::kAuthorization, Permission::kRead)) {
    return std::move(*problem);
  }
  WhoCanAnswer answer;
  uint64_t generation = 0;
  bool authorizations_enabled = true;
  context.server.store->Read([&](const IdentityState& state) {
    answer =
        WhoCan(state, *query.body.resource_type, *query.body.permission, *query.body.resource_id);
    authorizations_enabled = state.config().authorizations_enabled;
    // Read while the state is held, so the generation belongs to the state answered from.
    generation = context.server.store->generation();
  });
  JsonWriter w;
  w.BeginObject();
  w.Field("authorizationsEnabled", authorizations_enabled);
  w.Key("grants");
  w.BeginArray();
  for (const WhoCanGrant& grant : answer.grants) {
    w.BeginObject();
    w.Field("authorizationKey", std::to_string(grant.key));
    w.Key("owner");
    WriteOwner(w, grant.owner);
    w.Field("resourceId", grant.resource_id);
    w.EndObject();
  }
  w.EndArray();
  w.Key("principals");
  w.BeginArray();
  for (const WhoCanPrincipal& principal : answer.principals) {
    w.BeginObject();
    w.Field("type", Name(principal.principal.type));
    w.Field("id", principal.principal.id);
    w.Key("via");
    w.BeginArray();
    for (const OwnerRef& owner : principal.via) WriteOwner(w, owner);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Field("generation", generation);
  w.EndObject();
  return JsonResponse(200, std::move(w).Take());
}

}  // namespace clearance::server::decision
