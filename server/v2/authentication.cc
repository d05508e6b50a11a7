// GET /v2/authentication/me: who the caller is (CamundaUserResult). Any authenticated caller may
// ask; nothing is required beyond a principal.
//
// username is the principal's id (a username, or the client id for a client: the document has no
// separate field for it); displayName and email come from the stored user (BASIC mode) and are
// the id and null otherwise. groups are the token's groups when a groups claim is configured,
// else the stored groups of the principal and of its matching mapping rules; roles are those of
// the principal, its matching mapping rules and its groups; tenants are the engine's authorized
// tenants (clearance::Engine::AuthorizedTenants); authorizedComponents are the COMPONENT ids it
// holds ACCESS on ("*" for all).
#include <set>
#include <string>
#include <vector>

#include "server/v2/resources.h"
#include "server/v2/wire.h"

namespace clearance::server::v2_internal {
namespace {

HttpResponse Me(RequestContext& context) {
  const Engine& engine = context.server.store->engine();
  const CallerIdentity& caller = context.caller;

  absl::StatusOr<ResourceIds> components =
      engine.AuthorizedResourceIds(caller.handle, ResourceType::kComponent, Permission::kAccess);
  if (!components.ok()) return Fail(context, components.status());
  absl::StatusOr<std::vector<std::string>> tenant_ids = engine.AuthorizedTenants(caller.handle);
  if (!tenant_ids.ok()) return Fail(context, tenant_ids.status());
  // The matching mapping rules of the caller's claims (empty in BASIC mode).
  CheckRequest any_check;
  any_check.resource_type = ResourceType::kComponent;
  any_check.permission = Permission::kAccess;
  const Explanation explained = engine.Explain(caller.handle, any_check);

  std::optional<User> user;
  std::set<std::string> groups;
  std::set<std::string> roles;
  struct TenantView {
    std::string id, name, description;
  };
  std::vector<TenantView> tenants;
  context.server.store->Read([&](const IdentityState& state) {
    if (caller.type == OwnerType::kUser) {
      if (const User* u = state.FindUser(caller.id)) user = *u;
    }
    std::vector<std::pair<OwnerType, std::string>> roots = {{caller.type, caller.id}};
    for (const std::string& rule : explained.matching_rules) {
      roots.emplace_back(OwnerType::kMappingRule, rule);
    }
    auto collect = [&](OwnerType type, const std::string& id, ContainerType want,
                       std::set<std::string>* out) {
      for (const Membership& m : state.ContainersOf(type, id)) {
        if (m.container_type == want) out->insert(m.container_id);
      }
    };
    if (caller.groups_from_token) {
      groups.insert(caller.token_groups.begin(), caller.token_groups.end());
    } else {
      for (const auto& [type, id] : roots) collect(type, id, ContainerType::kGroup, &groups);
    }
    for (const auto& [type, id] : roots) collect(type, id, ContainerType::kRole, &roles);
    for (const std::string& g : groups) collect(OwnerType::kGroup, g, ContainerType::kRole, &roles);
    for (const std::string& t : *tenant_ids) {
      const Tenant* tenant = state.FindTenant(t);
      tenants.push_back(tenant == nullptr ? TenantView{t, t, ""}
                                          : TenantView{t, tenant->name, tenant->description});
    }
  });

  JsonWriter w;
  w.BeginObject();
  w.Field("username", caller.id);
  w.Key("displayName");
  w.String(user && !user->name.empty() ? std::string_view(user->name)
                                       : std::string_view(caller.id));
  w.Key("email");
  if (user && !user->email.empty()) {
    w.String(user->email);
  } else {
    w.Null();
  }
  w.Key("authorizedComponents");
  w.BeginArray();
  if (components->all) {
    w.String("*");
  } else {
    for (const std::string& c : components->ids) w.String(c);
  }
  w.EndArray();
  w.Key("tenants");
  w.BeginArray();
  for (const TenantView& t : tenants) {
    w.BeginObject();
    w.Field("tenantId", t.id);
    w.Field("name", t.name);
    w.Field("description", t.description);
    w.EndObject();
  }
  w.EndArray();
  for (auto [key, set] : {std::pair{"groups", &groups}, std::pair{"roles", &roles}}) {
    w.Key(key);
    w.BeginArray();
    for (const std::string& s : *set) w.String(s);
    w.EndArray();
  }
  w.Key("salesPlanType");
  w.Null();
  w.Key("c8Links");
  w.BeginObject();
  w.EndObject();
  // A bearer token or basic credentials sent per request hold no session to end.
  w.Field("canLogout", false);
  w.EndObject();
  return Json(200, std::move(w));
}

}  // namespace

void AddAuthenticationRoutes(Router& router) { router.Add("GET", "/v2/authentication/me", Me); }

}  // namespace clearance::server::v2_internal
