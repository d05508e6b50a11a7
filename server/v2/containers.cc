// /v2/groups, /v2/roles and /v2/tenants: the three containers share one shape (an id, a name, a
// description, members), so one table row per container drives their create, get, update (200
// with the entity), delete and search, and every membership endpoint the document lists:
// PUT/DELETE /v2/<container>/{id}/<members>/{memberId} and POST .../<members>/search, for the
// member types the container accepts (clearance::AcceptsMember), plus /v2/groups/{id}/roles/search
// (the roles a group is a member of).
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/types/span.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "server/v2/resources.h"
#include "server/v2/search.h"
#include "server/v2/wire.h"

namespace clearance::server::v2_internal {

using strings_internal::StrCat;

namespace {

// One container type as the document names it.
struct ContainerKind {
  ContainerType type;
  ResourceType resource;
  std::string_view segment;   // "groups"
  std::string_view id_field;  // "groupId"
  std::string_view noun;      // "Group"
  // GroupFilter, RoleFilter and TenantFilter differ in which field is a StringFilterProperty.
  bool id_filter_advanced;
  bool name_filter_advanced;
  // Sort fields; TenantSearchQuerySortRequest's "key" sorts by tenantId (tenants have no
  // numeric key here).
  absl::Span<const std::string_view> sort_fields;
};

constexpr std::string_view kGroupSort[] = {"name", "groupId"};
constexpr std::string_view kRoleSort[] = {"name", "roleId"};
constexpr std::string_view kTenantSort[] = {"key", "name", "tenantId"};

constexpr ContainerKind kGroups{ContainerType::kGroup,
                                ResourceType::kGroup,
                                "groups",
                                "groupId",
                                "Group",
                                true,
                                false,
                                kGroupSort};
constexpr ContainerKind kRoles{
    ContainerType::kRole, ResourceType::kRole, "roles", "roleId", "Role", false, true, kRoleSort};
constexpr ContainerKind kTenants{ContainerType::kTenant,
                                 ResourceType::kTenant,
                                 "tenants",
                                 "tenantId",
                                 "Tenant",
                                 false,
                                 false,
                                 kTenantSort};

// One member type: its path segment, its path parameter and the field of its search items.
struct MemberKind {
  MemberType type;
  std::string_view segment;
  std::string_view param;
};

constexpr MemberKind kMemberKinds[] = {
    {MemberType::kUser, "users", "username"},
    {MemberType::kClient, "clients", "clientId"},
    {MemberType::kGroup, "groups", "groupId"},
    {MemberType::kRole, "roles", "roleId"},
    {MemberType::kMappingRule, "mapping-rules", "mappingRuleId"},
};

struct Entity {
  std::string id;
  std::string name;
  std::string description;
};

template <typename F>
void ForEachEntity(const IdentityState& state, ContainerType type, F f) {
  auto each = [&](const auto& map) {
    for (const auto& [id, e] : map) f(Entity{e.id, e.name, e.description});
  };
  switch (type) {
    case ContainerType::kGroup:
      each(state.groups());
      break;
    case ContainerType::kRole:
      each(state.roles());
      break;
    case ContainerType::kTenant:
      each(state.tenants());
      break;
  }
}

std::optional<Entity> FindEntity(const IdentityState& state, ContainerType type,
                                 std::string_view id) {
  auto wrap = [](const auto* e) -> std::optional<Entity> {
    if (e == nullptr) return std::nullopt;
    return Entity{e->id, e->name, e->description};
  };
  switch (type) {
    case ContainerType::kGroup:
      return wrap(state.FindGroup(id));
    case ContainerType::kRole:
      return wrap(state.FindRole(id));
    case ContainerType::kTenant:
      return wrap(state.FindTenant(id));
  }
  return std::nullopt;
}

Command CreateCommand(ContainerType type, const Entity& e) {
  switch (type) {
    case ContainerType::kGroup:
      return CreateGroup{{e.id, e.name, e.description}};
    case ContainerType::kRole:
      return CreateRole{{e.id, e.name, e.description}};
    case ContainerType::kTenant:
      break;
  }
  return CreateTenant{{e.id, e.name, e.description}};
}

Command UpdateCommand(ContainerType type, const Entity& e) {
  switch (type) {
    case ContainerType::kGroup:
      return UpdateGroup{{e.id, e.name, e.description}};
    case ContainerType::kRole:
      return UpdateRole{{e.id, e.name, e.description}};
    case ContainerType::kTenant:
      break;
  }
  return UpdateTenant{{e.id, e.name, e.description}};
}

Command DeleteCommand(ContainerType type, const std::string& id) {
  switch (type) {
    case ContainerType::kGroup:
      return DeleteGroup{id};
    case ContainerType::kRole:
      return DeleteRole{id};
    case ContainerType::kTenant:
      break;
  }
  return DeleteTenant{id};
}

// GroupResult, RoleResult, TenantResult and their create and update results.
void WriteEntity(JsonWriter& w, const ContainerKind& kind, const Entity& e) {
  w.BeginObject();
  w.Field(kind.id_field, e.id);
  w.Field("name", e.name);
  w.Field("description", e.description);
  w.EndObject();
}

// name (required) and description (optional; an update without it keeps the stored one).
absl::Status ReadNameAndDescription(const JsonObject& root, Entity* e) {
  CLEARANCE_ASSIGN_OR_RETURN(e->name, root.RequiredString("name"));
  CLEARANCE_ASSIGN_OR_RETURN(std::optional<std::string> description,
                             root.OptionalString("description"));
  if (description.has_value()) e->description = *description;
  return absl::OkStatus();
}

HttpResponse Create(const ContainerKind& kind, RequestContext& context) {
  if (auto refused = Require(context, kind.resource, Permission::kCreate)) return *refused;
  absl::StatusOr<JsonBody> body = ReadBody(context);
  if (!body.ok()) return Fail(context, body.status());
  const JsonObject root = body->root();
  Entity e;
  absl::StatusOr<std::string> id = root.RequiredString(kind.id_field);
  if (!id.ok()) return Fail(context, id.status());
  e.id = *std::move(id);
  if (absl::Status s = ReadNameAndDescription(root, &e); !s.ok()) return Fail(context, s);
  if (auto failed = Execute(context, CreateCommand(kind.type, e))) return *failed;
  JsonWriter w;
  WriteEntity(w, kind, e);
  return Json(201, std::move(w));
}

HttpResponse Get(const ContainerKind& kind, RequestContext& context) {
  const std::string& id = context.params[0];
  if (auto refused = Require(context, kind.resource, Permission::kRead, id)) return *refused;
  std::optional<Entity> found;
  context.server.store->Read(
      [&](const IdentityState& state) { found = FindEntity(state, kind.type, id); });
  if (!found) return NotFound(context, kind.noun, id);
  JsonWriter w;
  WriteEntity(w, kind, *found);
  return Json(200, std::move(w));
}

HttpResponse Update(const ContainerKind& kind, RequestContext& context) {
  const std::string& id = context.params[0];
  if (auto refused = Require(context, kind.resource, Permission::kUpdate, id)) return *refused;
  absl::StatusOr<JsonBody> body = ReadBody(context);
  if (!body.ok()) return Fail(context, body.status());
  std::optional<Entity> e;
  context.server.store->Read(
      [&](const IdentityState& state) { e = FindEntity(state, kind.type, id); });
  if (!e) return NotFound(context, kind.noun, id);
  if (absl::Status s = ReadNameAndDescription(body->root(), &*e); !s.ok()) return Fail(context, s);
  if (auto failed = Execute(context, UpdateCommand(kind.type, *e))) return *failed;
  JsonWriter w;
  WriteEntity(w, kind, *e);
  return Json(200, std::move(w));
}

HttpResponse Delete(const ContainerKind& kind, RequestContext& context) {
  const std::string& id = context.params[0];
  if (auto refused = Require(context, kind.resource, Permission::kDelete, id)) return *refused;
  if (auto failed = Execute(context, DeleteCommand(kind.type, id))) return *failed;
  return NoContent();
}

// The container search over the entities whose ids are in `within` (every one when null) that
// the caller may read.
HttpResponse SearchEntities(const ContainerKind& kind, const RequestContext& context,
                            const std::set<std::string>* within, const ReadableIds& readable) {
  absl::StatusOr<SearchQuery> query = SearchQuery::Parse(context.request.body, kind.sort_fields);
  if (!query.ok()) return Fail(context, query.status());
  std::optional<StringFilter> id_filter;
  std::optional<StringFilter> name_filter;
  if (query->filter()) {
    absl::StatusOr<std::optional<StringFilter>> id =
        ReadStringFilter(*query->filter(), kind.id_field, kind.id_filter_advanced);
    if (!id.ok()) return Fail(context, id.status());
    id_filter = *std::move(id);
    absl::StatusOr<std::optional<StringFilter>> name =
        ReadStringFilter(*query->filter(), "name", kind.name_filter_advanced);
    if (!name.ok()) return Fail(context, name.status());
    name_filter = *std::move(name);
  }
  std::vector<Entity> items;
  context.server.store->Read([&](const IdentityState& state) {
    ForEachEntity(state, kind.type, [&](Entity e) {
      if (within != nullptr && !within->contains(e.id)) return;
      if (id_filter && !id_filter->Matches(e.id)) return;
      if (name_filter && !name_filter->Matches(e.name)) return;
      if (readable.Allows(e.id)) items.push_back(std::move(e));
    });
  });
  SortItems(*query, items, [&](const Entity& e, size_t field) -> std::string_view {
    return kind.sort_fields[field] == "name" ? std::string_view(e.name) : std::string_view(e.id);
  });
  return SearchResponse(*query, items,
                        [&](JsonWriter& w, const Entity& e) { WriteEntity(w, kind, e); });
}

HttpResponse Search(const ContainerKind& kind, RequestContext& context) {
  ReadableIds readable;
  if (auto refused = ReadableBy(context, kind.resource, &readable)) return *refused;
  return SearchEntities(kind, context, nullptr, readable);
}

HttpResponse ChangeMember(const ContainerKind& kind, const MemberKind& member, bool add,
                          RequestContext& context) {
  const std::string& id = context.params[0];
  if (auto refused = Require(context, kind.resource, Permission::kUpdate, id)) return *refused;
  Membership m{kind.type, id, member.type, context.params[1]};
  std::optional<HttpResponse> failed = add ? Execute(context, AddMember{std::move(m)})
                                           : Execute(context, RemoveMember{std::move(m)});
  if (failed) return *failed;
  return NoContent();
}

// The member ids of one type in container `id`, or the problem: 404 when the container does not
// exist, 403 when `authorize_container` and the caller may not READ it.
std::optional<HttpResponse> MembersOf(const ContainerKind& kind, MemberType type,
                                      bool authorize_container, const RequestContext& context,
                                      std::set<std::string>* ids) {
  const std::string& id = context.params[0];
  if (authorize_container) {
    if (auto refused = Require(context, kind.resource, Permission::kRead, id)) return refused;
  }
  bool exists = false;
  context.server.store->Read([&](const IdentityState& state) {
    exists = FindEntity(state, kind.type, id).has_value();
    for (const Membership& m : state.MembersOf(kind.type, id)) {
      if (m.member_type == type) ids->insert(m.member_id);
    }
  });
  if (!exists) return NotFound(context, kind.noun, id);
  return std::nullopt;
}

// Roles of a container or of a group, as RoleResult, filtered by the caller's ROLE READ (the
// document's required permission for these searches).
HttpResponse SearchRolesWithin(const RequestContext& context, const std::set<std::string>& roles) {
  ReadableIds readable;
  if (auto refused = ReadableBy(context, ResourceType::kRole, &readable)) return *refused;
  return SearchEntities(kRoles, context, &roles, readable);
}

HttpResponse SearchMembers(const ContainerKind& kind, const MemberKind& member,
                           RequestContext& context) {
  // Members shown as whole entities (roles, mapping rules) are filtered by READ on their own type;
  // members shown as bare ids need READ on the container.
  const bool entities = member.type == MemberType::kRole || member.type == MemberType::kMappingRule;
  std::set<std::string> ids;
  if (auto failed = MembersOf(kind, member.type, !entities, context, &ids)) return *failed;
  switch (member.type) {
    case MemberType::kMappingRule:
      return SearchMappingRulesWithin(context, ids);
    case MemberType::kRole:
      return SearchRolesWithin(context, ids);
    case MemberType::kUser:
    case MemberType::kClient:
    case MemberType::kGroup:
      break;
  }
  // Users, clients and groups as members are bare ids ({"username": ...}), sorted by that id.
  const std::string_view sort_fields[] = {member.param};
  absl::StatusOr<SearchQuery> query = SearchQuery::Parse(context.request.body, sort_fields);
  if (!query.ok()) return Fail(context, query.status());
  std::vector<std::string> items(ids.begin(), ids.end());
  SortItems(*query, items, [](const std::string& s, size_t) -> std::string_view { return s; });
  return SearchResponse(*query, items, [&](JsonWriter& w, const std::string& item) {
    w.BeginObject();
    w.Field(member.param, item);
    w.EndObject();
  });
}

// POST /v2/groups/{groupId}/roles/search: the roles the group is a member of.
HttpResponse SearchRolesOfGroup(RequestContext& context) {
  const std::string& id = context.params[0];
  std::set<std::string> roles;
  bool exists = false;
  context.server.store->Read([&](const IdentityState& state) {
    exists = state.FindGroup(id) != nullptr;
    for (const Membership& m : state.ContainersOf(MemberType::kGroup, id)) {
      if (m.container_type == ContainerType::kRole) roles.insert(m.container_id);
    }
  });
  if (!exists) return NotFound(context, "Group", id);
  return SearchRolesWithin(context, roles);
}

void AddContainer(Router& router, const ContainerKind& kind) {
  const std::string base = StrCat("/v2/", kind.segment);
  const std::string one = StrCat(base, "/{", kind.id_field, "}");
  const ContainerKind* k = &kind;
  router.Add("POST", base, [k](RequestContext& c) { return Create(*k, c); });
  router.Add("POST", base + "/search", [k](RequestContext& c) { return Search(*k, c); });
  router.Add("GET", one, [k](RequestContext& c) { return Get(*k, c); });
  router.Add("PUT", one, [k](RequestContext& c) { return Update(*k, c); });
  router.Add("DELETE", one, [k](RequestContext& c) { return Delete(*k, c); });
  for (const MemberKind& member : kMemberKinds) {
    if (!AcceptsMember(kind.type, member.type)) continue;
    const MemberKind* m = &member;
    const std::string members = StrCat(one, "/", member.segment);
    const std::string single = StrCat(members, "/{", member.param, "}");
    router.Add("POST", members + "/search",
               [k, m](RequestContext& c) { return SearchMembers(*k, *m, c); });
    router.Add("PUT", single, [k, m](RequestContext& c) { return ChangeMember(*k, *m, true, c); });
    router.Add("DELETE", single,
               [k, m](RequestContext& c) { return ChangeMember(*k, *m, false, c); });
  }
}

}  // namespace

void AddContainerRoutes(Router& router) {
  AddContainer(router, kGroups);
  AddContainer(router, kRoles);
  AddContainer(router, kTenants);
  router.Add("POST", "/v2/groups/{groupId}/roles/search", SearchRolesOfGroup);
}

}  // namespace clearance::server::v2_internal
