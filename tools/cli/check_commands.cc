// `clearance check`, `who-can` and `what-can`: decisions and the two reverse questions.
//
// Decisions come from the compiled engine (clearance::Engine) built over the store's state: the
// same answers the broker gets. The reference evaluator is not on this path.
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "clearance/engine.h"
#include "clearance/internal/strings.h"
#include "cli/cli.h"

namespace clearance::cli {
namespace {

using strings_internal::StrCat;

const std::vector<FlagSpec> kCallerFlags = {
    {"claims", true, false, "file holding the verified claims JSON ('-' for stdin)"},
    {"claims-json", true, false, "the verified claims JSON itself"},
    {"basic-user", true, false, "a user authenticated by basic credentials (BASIC mode)"},
    {"anonymous", false, false, "a caller of an unprotected API"}};

absl::StatusOr<Caller> CallerOf(const Flags& f) {
  int given = f.Has("claims") + f.Has("claims-json") + f.Has("basic-user") + f.Has("anonymous");
  if (given != 1) {
    return absl::InvalidArgumentError(
        "give exactly one of --claims FILE, --claims-json JSON, --basic-user NAME, --anonymous");
  }
  if (f.Has("anonymous")) return Caller::Anonymous();
  if (std::optional<std::string> user = f.Get("basic-user")) return Caller::BasicUser(*user);
  if (std::optional<std::string> json = f.Get("claims-json")) return Caller::Claims(*json);
  std::string path = *f.Get("claims");
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError(StrCat("--claims: cannot read '", path, "'"));
    text << in.rdbuf();
  }
  return Caller::Claims(text.str());
}

std::string FormatChain(const GrantPath& g) {
  std::string out;
  for (size_t i = 0; i < g.chain.size(); ++i) {
    out += StrCat(i ? " -> " : "", Name(g.chain[i].type), ":", g.chain[i].id);
  }
  return out;
}

std::string GrantJson(const GrantPath& g) {
  std::string chain = "[";
  for (size_t i = 0; i < g.chain.size(); ++i) {
    chain += StrCat(i ? "," : "", "{\"type\":\"", Name(g.chain[i].type),
                    "\",\"id\":", JsonString(g.chain[i].id), "}");
  }
  return StrCat("{\"chain\":", chain, "],\"authorization_key\":", g.authorization_key, "}");
}

// The resource type and permission a question names, checked against each other.
struct Target {
  ResourceType type;
  Permission permission;
};

absl::StatusOr<Target> TargetOf(const Flags& f) {
  absl::StatusOr<std::string> rt = f.Require("resource-type");
  if (!rt.ok()) return rt.status();
  absl::StatusOr<ResourceType> type = ParseResourceType(*rt);
  if (!type.ok()) {
    return absl::InvalidArgumentError(StrCat("--resource-type: ", type.status().message()));
  }
  absl::StatusOr<std::string> perm = f.Require("permission");
  if (!perm.ok()) return perm.status();
  absl::StatusOr<Permission> permission = ParsePermission(*perm);
  if (!permission.ok()) {
    return absl::InvalidArgumentError(StrCat("--permission: ", permission.status().message()));
  }
  if ((SupportedPermissions(*type) & Bit(*permission)) == 0) {
    return absl::InvalidArgumentError(
        StrCat("--permission: ", Name(*permission), " is not a permission of ", Name(*type),
               "; expected one of ", FormatPermissions(SupportedPermissions(*type))));
  }
  return Target{*type, *permission};
}

int Check(Context& ctx, const Flags& f) {
  absl::StatusOr<Caller> caller = CallerOf(f);
  if (!caller.ok()) return Fail(ctx, caller.status());
  CheckRequest request;
  absl::StatusOr<Target> target = TargetOf(f);
  if (!target.ok()) return Fail(ctx, target.status());
  request.resource_type = target->type;
  request.permission = target->permission;
  request.resource_ids = f.GetAll("resource-id");
  if (std::optional<std::string> tenant = f.Get("tenant")) request.tenant_id = *tenant;
  request.new_resource = f.Has("new-resource");
  if (f.Has("assignee") || f.Has("candidate-user") || f.Has("candidate-group")) {
    UserTaskProperties task;
    if (std::optional<std::string> a = f.Get("assignee")) task.assignee = *a;
    task.candidate_users = f.GetAll("candidate-user");
    task.candidate_groups = f.GetAll("candidate-group");
    request.user_task = task;
  }
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create((*store)->state());
  if (!engine.ok()) return Fail(ctx, engine.status());
  const Explanation v = (*engine)->Explain(*caller, request);
  const bool explain = f.Has("explain");

  if (ctx.output == OutputFormat::kJson) {
    std::string json = StrCat("{\"decision\":\"", Name(v.decision.outcome), "\",\"reason\":\"",
                              Name(v.decision.reason), "\",\"message\":", JsonString(v.message));
    if (v.principal) {
      json += StrCat(",\"principal\":{\"type\":\"", Name(v.principal->type),
                     "\",\"id\":", JsonString(v.principal->id), "}");
    }
    if (explain) {
      json += ",\"matching_rules\":[";
      for (size_t i = 0; i < v.matching_rules.size(); ++i) {
        json += StrCat(i ? "," : "", JsonString(v.matching_rules[i]));
      }
      json += "],\"grants\":[";
      for (size_t i = 0; i < v.grants.size(); ++i)
        json += StrCat(i ? "," : "", GrantJson(v.grants[i]));
      json += "]";
    }
    Print(ctx, json + "}");
  } else {
    Print(ctx, StrCat(Name(v.decision.outcome), " (", Name(v.decision.reason), ")",
                      v.decision.allowed() ? "" : StrCat(": ", v.message)));
    if (explain) {
      if (v.principal)
        Print(ctx, StrCat("  principal: ", Name(v.principal->type), ":", v.principal->id));
      if (!v.matching_rules.empty()) {
        Print(ctx, StrCat("  matching mapping rules: ",
                          strings_internal::StrJoin(v.matching_rules, ", ")));
      }
      for (const GrantPath& g : v.grants) {
        Print(ctx, StrCat("  granted via ", FormatChain(g), " [authorization ", g.authorization_key,
                          "]"));
      }
      if (v.decision.allowed() && v.grants.empty()) Print(ctx, StrCat("  ", v.message));
    }
  }
  switch (v.decision.outcome) {
    case Outcome::kAllow:
      return kAllow;
    case Outcome::kUnauthenticated:
      return kUnauthenticated;
    default:
      return kDeny;
  }
}

// Owners that reach a permission on a resource: the authorization owners, and the members
// through which their grants flow (group members; role members, and members of groups in it).
int WhoCan(Context& ctx, const Flags& f) {
  absl::StatusOr<Target> target = TargetOf(f);
  if (!target.ok()) return Fail(ctx, target.status());
  const ResourceType type = target->type;
  const Permission permission = target->permission;
  const std::string resource_id = f.GetOr("resource-id", "*");
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  const IdentityState& state = (*store)->state();

  std::vector<std::vector<std::string>> rows;
  std::string json = "[";
  auto emit = [&](OwnerType t, const std::string& id, const std::string& via,
                  AuthorizationKey key) {
    json += StrCat(rows.empty() ? "" : ",", "{\"type\":\"", Name(t), "\",\"id\":", JsonString(id),
                   ",\"via\":", JsonString(via), ",\"authorization_key\":", key, "}");
    rows.push_back({std::string(Name(t)), id, via.empty() ? "(direct)" : via, StrCat(key)});
  };
  for (const auto& [key, a] : state.authorizations()) {
    if (a.resource_type != type || (a.permissions & Bit(permission)) == 0) continue;
    bool scope = a.scope.matcher == Matcher::kAny ||
                 (a.scope.matcher == Matcher::kId && a.scope.value == resource_id);
    if (!scope) continue;
    emit(a.owner_type, a.owner_id, "", key);
    if (a.owner_type == OwnerType::kGroup || a.owner_type == OwnerType::kRole) {
      ContainerType container =
          a.owner_type == OwnerType::kGroup ? ContainerType::kGroup : ContainerType::kRole;
      std::string via = StrCat(Name(a.owner_type), ":", a.owner_id);
      for (const Membership& m : state.MembersOf(container, a.owner_id)) {
        emit(m.member_type, m.member_id, via, key);
        if (m.member_type == MemberType::kGroup) {
          for (const Membership& gm : state.MembersOf(ContainerType::kGroup, m.member_id)) {
            emit(gm.member_type, gm.member_id, StrCat(via, " <- GROUP:", m.member_id), key);
          }
        }
      }
    }
  }
  if (ctx.output == OutputFormat::kJson) {
    Print(ctx, json + "]");
  } else {
    PrintTable(ctx, {"TYPE", "ID", "VIA", "AUTHORIZATION"}, rows);
    if (state.config().groups_claim_configured()) {
      Print(ctx,
            "note: a groups claim is configured; callers whose token names a group above "
            "reach it too");
    }
  }
  return kOk;
}

// Resources and permissions a caller reaches, per resource type.
int WhatCan(Context& ctx, const Flags& f) {
  absl::StatusOr<Caller> caller = CallerOf(f);
  if (!caller.ok()) return Fail(ctx, caller.status());
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  const IdentityState& state = (*store)->state();
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(state);
  if (!engine.ok()) return Fail(ctx, engine.status());
  const PrincipalHandle handle = (*engine)->Resolve(*caller);
  std::map<std::pair<ResourceType, std::string>, PermissionMask> reach;
  absl::Status failure;
  ForEachResourceType([&](ResourceType t) {
    ForEachPermission(SupportedPermissions(t), [&](Permission p) {
      if (!failure.ok()) return;
      absl::StatusOr<ResourceIds> ids = (*engine)->AuthorizedResourceIds(handle, t, p);
      if (!ids.ok()) {
        failure = ids.status();
        return;
      }
      if (ids->all) reach[{t, "*"}] |= Bit(p);
      for (const std::string& id : ids->ids) reach[{t, id}] |= Bit(p);
    });
  });
  if (!failure.ok()) {
    Fail(ctx, failure);
    return kUnauthenticated;
  }
  std::vector<std::vector<std::string>> rows;
  std::string json = "[";
  for (const auto& [target, mask] : reach) {
    json += StrCat(rows.empty() ? "" : ",", "{\"resource_type\":\"", Name(target.first),
                   "\",\"resource\":", JsonString(target.second),
                   ",\"permissions\":", JsonString(FormatPermissions(mask)), "}");
    rows.push_back({std::string(Name(target.first)), target.second, FormatPermissions(mask)});
  }
  if (ctx.output == OutputFormat::kJson) {
    Print(ctx, json + "]");
  } else {
    PrintTable(ctx, {"RESOURCE TYPE", "RESOURCE", "PERMISSIONS"}, rows);
  }
  return kOk;
}

}  // namespace

void AddCheckCommands(std::vector<Command>* commands) {
  std::vector<FlagSpec> check_flags = kCallerFlags;
  for (FlagSpec s : std::vector<FlagSpec>{
           {"resource-type", true, false, "e.g. PROCESS_DEFINITION"},
           {"resource-id", true, true, "the resource acted on"},
           {"permission", true, false, "e.g. CREATE_PROCESS_INSTANCE"},
           {"tenant", true, false, "the tenant owning the resource"},
           {"new-resource", false, false, "the resource is being created"},
           {"assignee", true, false, "USER_TASK: the task's assignee"},
           {"candidate-user", true, true, "USER_TASK: a candidate user"},
           {"candidate-group", true, true, "USER_TASK: a candidate group"},
           {"explain", false, false, "print every grant path, or why it was refused"}}) {
    check_flags.push_back(s);
  }
  commands->push_back(
      {"check",
       "decide one request; exit 0 allow, 1 deny (FORBIDDEN or NOT_FOUND), 2 unauthenticated, "
       "3 error",
       check_flags,
       "clearance check --claims-json '{\"azp\":\"my-client\"}' --resource-type "
       "PROCESS_DEFINITION --resource-id order-process --permission CREATE_PROCESS_INSTANCE "
       "--explain\n"
       "clearance check --claims token-claims.json --resource-type PROCESS_DEFINITION "
       "--resource-id p1 --permission READ_PROCESS_INSTANCE --tenant acme",
       Check});
  commands->push_back({"who-can",
                       "owners that reach a permission on a resource",
                       {{"resource-type", true, false, "e.g. PROCESS_DEFINITION"},
                        {"resource-id", true, false, "the resource (default *)"},
                        {"permission", true, false, "e.g. CREATE_PROCESS_INSTANCE"}},
                       "clearance who-can --resource-type PROCESS_DEFINITION --resource-id "
                       "order-process --permission CREATE_PROCESS_INSTANCE",
                       WhoCan});
  commands->push_back({"what-can", "resources and permissions a caller reaches", kCallerFlags,
                       "clearance what-can --claims-json '{\"azp\":\"my-client\"}'", WhatCan});
}

}  // namespace clearance::cli
