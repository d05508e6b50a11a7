// /v2/authorizations: create, get, update (PUT, 204), delete, search. An authorization's wire
// form is Camunda's AuthorizationResult; its key travels as a decimal string.
#include <charconv>
#include <string>
#include <vector>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "server/v2/resources.h"
#include "server/v2/search.h"
#include "server/v2/wire.h"

namespace clearance::server::v2_internal {

using strings_internal::StrCat;

namespace {

constexpr std::string_view kSortFields[] = {"ownerId", "ownerType", "resourceId",
                                            "resourcePropertyName", "resourceType"};

absl::StatusOr<AuthorizationKey> ParseKey(std::string_view text) {
  AuthorizationKey key = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), key);
  if (error != std::errc() || end != text.data() + text.size() || key == 0) {
    return absl::InvalidArgumentError(
        StrCat("authorizationKey: '", text.substr(0, 64),
               "' is not an authorization key; expected a positive decimal number"));
  }
  return key;
}

// AuthorizationRequest: the id-based form (resourceId) or the property-based one
// (resourcePropertyName), exactly one of the two.
absl::StatusOr<AuthorizationSpec> ReadSpec(const JsonObject& root) {
  AuthorizationSpec spec;
  CLEARANCE_ASSIGN_OR_RETURN(spec.owner_id, root.RequiredString("ownerId"));
  CLEARANCE_ASSIGN_OR_RETURN(std::string owner_type, root.RequiredString("ownerType"));
  CLEARANCE_ASSIGN_OR_RETURN(spec.owner_type, ParseOwnerType(owner_type, root.PathOf("ownerType")));
  CLEARANCE_ASSIGN_OR_RETURN(std::string resource_type, root.RequiredString("resourceType"));
  CLEARANCE_ASSIGN_OR_RETURN(spec.resource_type,
                             ParseResourceType(resource_type, root.PathOf("resourceType")));

  CLEARANCE_ASSIGN_OR_RETURN(std::optional<std::string> resource_id,
                             root.OptionalString("resourceId"));
  CLEARANCE_ASSIGN_OR_RETURN(std::optional<std::string> property,
                             root.OptionalString("resourcePropertyName"));
  if (resource_id.has_value() == property.has_value()) {
    return absl::InvalidArgumentError(
        StrCat(root.path().empty() ? "request body" : root.path(),
               ": give exactly one of resourceId (an id, or \"*\" for every resource) and "
               "resourcePropertyName (USER_TASK only)"));
  }
  if (resource_id.has_value()) spec.resource_id = *resource_id;
  if (property.has_value()) spec.resource_property_name = *property;

  CLEARANCE_ASSIGN_OR_RETURN(std::optional<JsonArray> permissions,
                             root.OptionalArray("permissionTypes"));
  if (!permissions.has_value()) {
    return absl::InvalidArgumentError(StrCat("No ", root.PathOf("permissionTypes"), " provided"));
  }
  CLEARANCE_ASSIGN_OR_RETURN(std::vector<std::string> names, permissions->Strings());
  for (size_t i = 0; i < names.size(); ++i) {
    CLEARANCE_ASSIGN_OR_RETURN(
        Permission p,
        ParsePermission(names[i], StrCat(root.PathOf("permissionTypes"), "[", i, "]")));
    spec.permissions |= Bit(p);
  }
  return spec;
}

void WriteAuthorization(JsonWriter& w, const Authorization& a) {
  w.BeginObject();
  w.Field("ownerId", a.owner_id);
  w.Field("ownerType", Name(a.owner_type));
  w.Field("resourceType", Name(a.resource_type));
  w.Key("resourceId");
  if (a.scope.matcher == Matcher::kProperty) {
    w.Null();
  } else {
    w.String(a.scope.value);
  }
  w.Key("resourcePropertyName");
  if (a.scope.matcher == Matcher::kProperty) {
    w.String(a.scope.value);
  } else {
    w.Null();
  }
  w.Key("permissionTypes");
  w.BeginArray();
  ForEachPermission(a.permissions, [&](Permission p) { w.String(Name(p)); });
  w.EndArray();
  w.Field("authorizationKey", StrCat(a.key));
  w.EndObject();
}

std::string_view ResourceIdOf(const Authorization& a) {
  return a.scope.matcher == Matcher::kProperty ? std::string_view() : a.scope.value;
}
std::string_view PropertyOf(const Authorization& a) {
  return a.scope.matcher == Matcher::kProperty ? std::string_view(a.scope.value)
                                               : std::string_view();
}

HttpResponse Create(RequestContext& context) {
  if (auto refused = Require(context, ResourceType::kAuthorization, Permission::kCreate)) {
    return *refused;
  }
  absl::StatusOr<JsonBody> body = ReadBody(context);
  if (!body.ok()) return Fail(context, body.status());
  absl::StatusOr<AuthorizationSpec> spec = ReadSpec(body->root());
  if (!spec.ok()) return Fail(context, spec.status());
  ChangeSet changes;
  if (auto failed = Execute(context, CreateAuthorization{*std::move(spec)}, &changes)) {
    return *failed;
  }
  const std::optional<AuthorizationKey> key = changes.first_put_authorization_key();
  if (!key) return Problem(500, "INTERNAL", "the store did not assign a key", context.request.path);
  JsonWriter w;
  w.BeginObject();
  w.Field("authorizationKey", StrCat(*key));
  w.EndObject();
  return Json(201, std::move(w));
}

HttpResponse Get(RequestContext& context) {
  absl::StatusOr<AuthorizationKey> key = ParseKey(context.params[0]);
  if (!key.ok()) return Fail(context, key.status());
  if (auto refused =
          Require(context, ResourceType::kAuthorization, Permission::kRead, context.params[0])) {
    return *refused;
  }
  std::optional<Authorization> found;
  context.server.store->Read([&](const IdentityState& state) {
    if (const Authorization* a = state.FindAuthorization(*key)) found = *a;
  });
  if (!found) return NotFound(context, "Authorization", context.params[0]);
  JsonWriter w;
  WriteAuthorization(w, *found);
  return Json(200, std::move(w));
}

HttpResponse Update(RequestContext& context) {
  absl::StatusOr<AuthorizationKey> key = ParseKey(context.params[0]);
  if (!key.ok()) return Fail(context, key.status());
  if (auto refused =
          Require(context, ResourceType::kAuthorization, Permission::kUpdate, context.params[0])) {
    return *refused;
  }
  absl::StatusOr<JsonBody> body = ReadBody(context);
  if (!body.ok()) return Fail(context, body.status());
  absl::StatusOr<AuthorizationSpec> spec = ReadSpec(body->root());
  if (!spec.ok()) return Fail(context, spec.status());
  if (auto failed = Execute(context, UpdateAuthorization{*key, *std::move(spec)})) return *failed;
  return NoContent();
}

HttpResponse Delete(RequestContext& context) {
  absl::StatusOr<AuthorizationKey> key = ParseKey(context.params[0]);
  if (!key.ok()) return Fail(context, key.status());
  if (auto refused =
          Require(context, ResourceType::kAuthorization, Permission::kDelete, context.params[0])) {
    return *refused;
  }
  if (auto failed = Execute(context, DeleteAuthorization{*key})) return *failed;
  return NoContent();
}

// AuthorizationFilter: ownerId, ownerType, resourceIds, resourcePropertyNames, resourceType.
struct Filter {
  std::optional<std::string> owner_id;
  std::optional<OwnerType> owner_type;
  std::optional<std::vector<std::string>> resource_ids;
  std::optional<std::vector<std::string>> property_names;
  std::optional<ResourceType> resource_type;

  bool Matches(const Authorization& a) const {
    if (owner_id && a.owner_id != *owner_id) return false;
    if (owner_type && a.owner_type != *owner_type) return false;
    if (resource_type && a.resource_type != *resource_type) return false;
    if (resource_ids && (a.scope.matcher == Matcher::kProperty ||
                         std::find(resource_ids->begin(), resource_ids->end(), a.scope.value) ==
                             resource_ids->end())) {
      return false;
    }
    if (property_names && (a.scope.matcher != Matcher::kProperty ||
                           std::find(property_names->begin(), property_names->end(),
                                     a.scope.value) == property_names->end())) {
      return false;
    }
    return true;
  }
};

absl::StatusOr<Filter> ReadFilter(const std::optional<JsonObject>& object) {
  Filter f;
  if (!object) return f;
  const JsonObject& o = *object;
  CLEARANCE_ASSIGN_OR_RETURN(f.owner_id, o.OptionalString("ownerId"));
  CLEARANCE_ASSIGN_OR_RETURN(std::optional<std::string> owner_type, o.OptionalString("ownerType"));
  if (owner_type.has_value()) {
    CLEARANCE_ASSIGN_OR_RETURN(f.owner_type, ParseOwnerType(*owner_type, o.PathOf("ownerType")));
  }
  CLEARANCE_ASSIGN_OR_RETURN(std::optional<std::string> resource_type,
                             o.OptionalString("resourceType"));
  if (resource_type.has_value()) {
    CLEARANCE_ASSIGN_OR_RETURN(f.resource_type,
                               ParseResourceType(*resource_type, o.PathOf("resourceType")));
  }
  for (auto [name, out] : {std::pair{"resourceIds", &f.resource_ids},
                           std::pair{"resourcePropertyNames", &f.property_names}}) {
    CLEARANCE_ASSIGN_OR_RETURN(std::optional<JsonArray> array, o.OptionalArray(name));
    if (!array.has_value()) continue;
    CLEARANCE_ASSIGN_OR_RETURN(*out, array->Strings());
  }
  return f;
}

HttpResponse Search(RequestContext& context) {
  ReadableIds readable;
  if (auto refused = ReadableBy(context, ResourceType::kAuthorization, &readable)) return *refused;
  absl::StatusOr<SearchQuery> query = SearchQuery::Parse(context.request.body, kSortFields);
  if (!query.ok()) return Fail(context, query.status());
  absl::StatusOr<Filter> filter = ReadFilter(query->filter());
  if (!filter.ok()) return Fail(context, filter.status());
  std::vector<Authorization> items;
  context.server.store->Read([&](const IdentityState& state) {
    for (const auto& [key, a] : state.authorizations()) {
      if (filter->Matches(a) && readable.Allows(StrCat(key))) items.push_back(a);
    }
  });
  SortItems(*query, items, [](const Authorization& a, size_t field) -> std::string_view {
    switch (field) {
      case 0:
        return a.owner_id;
      case 1:
        return Name(a.owner_type);
      case 2:
        return ResourceIdOf(a);
      case 3:
        return PropertyOf(a);
      default:
        return Name(a.resource_type);
    }
  });
  return SearchResponse(*query, items, WriteAuthorization);
}

}  // namespace

void AddAuthorizationRoutes(Router& router) {
  router.Add("POST", "/v2/authorizations", Create);
  router.Add("POST", "/v2/authorizations/search", Search);
  router.Add("GET", "/v2/authorizations/{authorizationKey}", Get);
  router.Add("PUT", "/v2/authorizations/{authorizationKey}", Update);
  router.Add("DELETE", "/v2/authorizations/{authorizationKey}", Delete);
}

}  // namespace clearance::server::v2_internal
