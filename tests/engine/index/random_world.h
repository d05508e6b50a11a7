// RandomWorld: random identity states, commands, claims and checks for the index's differential
// and concurrency tests. Everything is drawn from small id pools so that random commands and
// claims collide with existing entities often.
//
// Deterministic for a given seed (std::mt19937_64); never reads the clock.
#ifndef CLEARANCE_TESTS_ENGINE_INDEX_RANDOM_WORLD_H_
#define CLEARANCE_TESTS_ENGINE_INDEX_RANDOM_WORLD_H_

#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "clearance/catalog.h"
#include "clearance/commands.h"
#include "clearance/decision.h"
#include "clearance/state.h"

namespace clearance::index_test {

struct WorldShape {
  int users = 4;
  int clients = 3;
  int groups = 3;
  int roles = 3;
  int tenants = 3;
  int rules = 3;
  int resources = 4;
  int commands = 30;         // random commands applied after initialization
  bool create_all = false;   // create every group, role, tenant, rule (and user) first
  double delete_rate = 1.0;  // scales entity deletions (their cascades keep large states small)
  int claim_values = 4;      // size of the claim-value pool
};

class RandomWorld {
 public:
  RandomWorld(uint64_t seed, WorldShape shape) : rng_(seed), shape_(shape) {}

  std::mt19937_64& rng() { return rng_; }
  int Uniform(int n) {
    return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng_));
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  std::string User() { return "u" + std::to_string(Uniform(shape_.users)); }
  std::string Client() { return "c" + std::to_string(Uniform(shape_.clients)); }
  std::string GroupId() { return "g" + std::to_string(Uniform(shape_.groups)); }
  std::string RoleId() {
    static const char* kDefaults[] = {"admin", "readonly-admin", "rpa", "connectors",
                                      "app-integrations"};
    if (Chance(0.15)) return kDefaults[Uniform(5)];
    return "r" + std::to_string(Uniform(shape_.roles));
  }
  std::string TenantId() {
    if (Chance(0.15)) return "<default>";
    return "t" + std::to_string(Uniform(shape_.tenants));
  }
  std::string RuleId() { return "m" + std::to_string(Uniform(shape_.rules)); }
  std::string ResourceId() { return "p" + std::to_string(Uniform(shape_.resources)); }
  std::string ClaimValue() { return "v" + std::to_string(Uniform(shape_.claim_values)); }

  // Claim names that mapping rules use (literal keys and JSONPaths; several reach the same
  // values so the claim-value index must share paths).
  std::string RuleClaimName() {
    static const char* kNames[] = {
        "scope",     "$.scope",        "dept",   "$.realm.roles[*]", "$.realm.roles",
        "$.tags[0]", "$['weird key']", "groups", "$.org.*",          "$.org[*]",
        "a.b",       "$.nested[*].v"};
    std::string name = kNames[Uniform(12)];
    if (name == "$.org.*") name = "$.org[*]";  // "$.org.*" is refused; keep the table readable
    return name;
  }

  Configuration RandomConfig() {
    Configuration c;
    c.mode = Chance(0.2) ? AuthMode::kBasic : AuthMode::kOidc;
    c.authorizations_enabled = !Chance(0.1);
    c.tenant_checks_enabled = Chance(0.5);
    static const char* kUsername[] = {"sub", "$.preferred_username", "user.name", "$['sub']"};
    c.username_claim = kUsername[Uniform(4)];
    static const char* kClient[] = {"", "azp", "$.client.id", "client_id"};
    c.client_id_claim = kClient[Uniform(4)];
    static const char* kGroups[] = {"", "", "groups", "$.realm.groups[*]", "$['grp']"};
    c.groups_claim = kGroups[Uniform(5)];
    c.prefer_username_claim = Chance(0.5);
    return c;
  }

  PermissionMask RandomPermissions(ResourceType type) {
    PermissionMask supported = SupportedPermissions(type);
    PermissionMask mask = 0;
    while (mask == 0) {
      ForEachPermission(supported, [&](Permission p) {
        if (Chance(0.4)) mask |= Bit(p);
      });
    }
    return mask;
  }

  ResourceType RandomType() {
    // Bias towards a few types so that grants and checks meet.
    static const ResourceType kHot[] = {ResourceType::kProcessDefinition, ResourceType::kUserTask,
                                        ResourceType::kGroup, ResourceType::kDocument};
    if (Chance(0.7)) return kHot[Uniform(4)];
    return static_cast<ResourceType>(Uniform(kResourceTypeCount));
  }

  Permission RandomPermission(ResourceType type) {
    std::vector<Permission> ps;
    ForEachPermission(Chance(0.95) ? SupportedPermissions(type) : AllPermissions(),
                      [&](Permission p) { ps.push_back(p); });
    return ps[Uniform(static_cast<int>(ps.size()))];
  }

  std::pair<OwnerType, std::string> RandomOwner() {
    switch (Uniform(5)) {
      case 0:
        return {OwnerType::kUser, User()};
      case 1:
        return {OwnerType::kClient, Client()};
      case 2:
        return {OwnerType::kGroup, GroupId()};
      case 3:
        return {OwnerType::kRole, RoleId()};
      default:
        return {OwnerType::kMappingRule, RuleId()};
    }
  }

  AuthorizationSpec RandomSpec() {
    AuthorizationSpec spec;
    auto [type, id] = RandomOwner();
    spec.owner_type = type;
    spec.owner_id = id;
    spec.resource_type = RandomType();
    if (spec.resource_type == ResourceType::kUserTask && Chance(0.4)) {
      static const char* kProps[] = {"assignee", "candidateUsers", "candidateGroups"};
      spec.resource_property_name = kProps[Uniform(3)];
    } else if (Chance(0.4)) {
      spec.resource_id = "*";
    } else if (spec.resource_type == ResourceType::kGroup && Chance(0.5)) {
      spec.resource_id = GroupId();
    } else {
      spec.resource_id = ResourceId();
    }
    spec.permissions = RandomPermissions(spec.resource_type);
    return spec;
  }

  Membership RandomMembership() {
    Membership m;
    m.container_type = static_cast<ContainerType>(Uniform(3));
    switch (m.container_type) {
      case ContainerType::kGroup:
        m.container_id = GroupId();
        break;
      case ContainerType::kRole:
        m.container_id = RoleId();
        break;
      case ContainerType::kTenant:
        m.container_id = TenantId();
        break;
    }
    auto [type, id] = RandomOwner();
    m.member_type = type;
    m.member_id = id;
    return m;
  }

  // One random command; many are refused by Plan (that is part of the test: the engine must only
  // ever see planned change sets).
  Command RandomCommand(const IdentityState& state) {
    const int kind = Uniform(100);
    if (kind < 25) {
      if (Chance(0.8) || state.authorizations().empty()) return CreateAuthorization{RandomSpec()};
      auto it = state.authorizations().begin();
      std::advance(it, Uniform(static_cast<int>(state.authorizations().size())));
      if (Chance(0.5)) return DeleteAuthorization{it->first};
      return UpdateAuthorization{it->first, RandomSpec()};
    }
    if (kind < 50) return AddMember{RandomMembership()};
    if (kind < 58) {
      if (!state.memberships().empty() && Chance(0.8)) {
        auto it = state.memberships().begin();
        std::advance(it, Uniform(static_cast<int>(state.memberships().size())));
        return RemoveMember{*it};
      }
      return RemoveMember{RandomMembership()};
    }
    if (kind < 66) return CreateGroup{Group{GroupId(), "G", ""}};
    if (kind < 72) return CreateRole{Role{RoleId(), "R", ""}};
    if (kind < 78) return CreateTenant{Tenant{TenantId(), "T", ""}};
    if (kind < 86) {
      MappingRule rule;
      rule.id = RuleId();
      rule.claim_name = RuleClaimName();
      rule.claim_value = ClaimValue();
      rule.name = "rule";
      if (Chance(0.3)) return UpdateMappingRule{rule};
      return CreateMappingRule{rule};
    }
    if (kind < 90) return CreateUser{::clearance::User{User(), "", "", std::string(kBcrypt)}};
    if (kind < 99 && !Chance(shape_.delete_rate)) return AddMember{RandomMembership()};
    if (kind < 92) return DeleteUser{User()};
    if (kind < 94) return DeleteGroup{GroupId()};
    if (kind < 96) return DeleteRole{RoleId()};
    if (kind < 97) return DeleteTenant{TenantId()};
    if (kind < 99) return DeleteMappingRule{RuleId()};
    // Rarely, a configuration change: every cache must notice.
    Configuration c = state.config();
    c.tenant_checks_enabled = !c.tenant_checks_enabled;
    if (Chance(0.5)) c.prefer_username_claim = !c.prefer_username_claim;
    if (Chance(0.3)) c.groups_claim = c.groups_claim.empty() ? "groups" : "";
    return Configure{c};
  }

  // Commands that create every id of the pools, so that later memberships and grants land.
  std::vector<Command> CreateAll() {
    std::vector<Command> out;
    for (int i = 0; i < shape_.groups; ++i)
      out.push_back(CreateGroup{Group{"g" + std::to_string(i), "G", ""}});
    for (int i = 0; i < shape_.roles; ++i)
      out.push_back(CreateRole{Role{"r" + std::to_string(i), "R", ""}});
    for (int i = 0; i < shape_.tenants; ++i)
      out.push_back(CreateTenant{Tenant{"t" + std::to_string(i), "T", ""}});
    for (int i = 0; i < shape_.rules; ++i) {
      MappingRule rule;
      rule.id = "m" + std::to_string(i);
      rule.claim_name = RuleClaimName();
      rule.claim_value = ClaimValue();
      rule.name = "rule";
      out.push_back(CreateMappingRule{rule});
    }
    for (int i = 0; i < shape_.users; ++i) {
      out.push_back(
          CreateUser{::clearance::User{"u" + std::to_string(i), "", "", std::string(kBcrypt)}});
    }
    return out;
  }
  const WorldShape& shape() const { return shape_; }

  // A configured, initialized state (no random commands yet).
  IdentityState InitialState() {
    IdentityState state;
    (void)Execute(state, Configure{RandomConfig()});
    InitializationSeed seed;
    if (Chance(0.5)) {
      seed.tenants.push_back({TenantId() == "<default>" ? "t0" : "t1", "T", ""});
      seed.groups.push_back({GroupId(), "G", ""});
      seed.default_role_members.push_back(
          {ContainerType::kRole, "admin", MemberType::kUser, User()});
    }
    if (!Execute(state, Initialize{seed}).ok()) (void)Execute(state, Initialize{});
    return state;
  }

  // ---- callers and checks ----

  std::string JsonString(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
    // Sometimes spell the first character as a \u escape: values compare unescaped.
    if (s.size() > 0 && s[0] >= 'a' && s[0] <= 'z' && Chance(0.1)) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(s[0]));
      out = "\"" + std::string(buf) + out.substr(2);
    }
    return out;
  }

  // A value for a principal claim: usually a string, sometimes null, a number or an array.
  std::string PrincipalValue(const std::string& id) {
    int k = Uniform(100);
    if (k < 88) return JsonString(id);
    if (k < 92) return "null";
    if (k < 95) return "42";
    if (k < 97) return "[" + JsonString(id) + "]";
    return "\"\"";
  }

  std::string StringArray(int max, const std::function<std::string()>& item) {
    std::string out = "[";
    int n = Uniform(max + 1);
    for (int i = 0; i < n; ++i) {
      if (i) out += ",";
      int k = Uniform(100);
      if (k < 90) {
        out += JsonString(item());
      } else if (k < 94) {
        out += "null";
      } else if (k < 97) {
        out += "7";
      } else {
        out += "[" + JsonString(item()) + "]";
      }
    }
    return out + "]";
  }

  std::string GroupsValue() {
    int k = Uniform(100);
    if (k < 75) return StringArray(3, [this] { return Chance(0.85) ? GroupId() : "gx"; });
    if (k < 85) return JsonString(GroupId());
    if (k < 92) return "null";
    return "{\"a\":1}";
  }

  std::string RandomClaims() {
    std::vector<std::string> members;
    auto add = [&](const std::string& key, const std::string& value) {
      members.push_back(JsonString(key) + ":" + value);
    };
    if (Chance(0.8)) add("sub", PrincipalValue(User()));
    if (Chance(0.3)) add("preferred_username", PrincipalValue(User()));
    if (Chance(0.3)) add("user.name", PrincipalValue(User()));
    if (Chance(0.5)) add("azp", PrincipalValue(Client()));
    if (Chance(0.3)) add("client_id", PrincipalValue(Client()));
    if (Chance(0.3)) add("client", "{\"id\":" + PrincipalValue(Client()) + "}");
    if (Chance(0.6)) add("groups", GroupsValue());
    if (Chance(0.3)) add("grp", GroupsValue());
    if (Chance(0.5)) {
      std::string realm = "{\"groups\":" + GroupsValue() +
                          ",\"roles\":" + StringArray(3, [this] { return ClaimValue(); }) + "}";
      add("realm", realm);
    }
    if (Chance(0.5))
      add("scope",
          Chance(0.7) ? JsonString(ClaimValue()) : StringArray(3, [this] { return ClaimValue(); }));
    if (Chance(0.3)) add("dept", JsonString(ClaimValue()));
    if (Chance(0.3)) add("tags", StringArray(3, [this] { return ClaimValue(); }));
    if (Chance(0.2)) add("weird key", JsonString(ClaimValue()));
    if (Chance(0.2)) add("a.b", JsonString(ClaimValue()));
    if (Chance(0.2)) {
      add("org", "{\"x\":" + JsonString(ClaimValue()) + ",\"y\":" + JsonString(ClaimValue()) + "}");
    }
    if (Chance(0.2)) {
      add("nested", "[{\"v\":" + JsonString(ClaimValue()) + "},{\"v\":30},{\"w\":1}]");
    }
    if (Chance(0.3)) add("exp", "1700000000");
    if (Chance(0.2)) add("noise", "{\"deep\":[1,2.5,true,false,null,{\"k\":\"v\"}]}");
    std::shuffle(members.begin(), members.end(), rng_);
    std::string json = "{";
    for (size_t i = 0; i < members.size(); ++i) {
      if (i) json += Chance(0.1) ? " , " : ",";
      json += members[i];
    }
    json += "}";
    if (Chance(0.03)) json = Mangle(json);
    return json;
  }

  // Invalid or unusual JSON: duplicate members, truncation, trailing bytes, non-object roots.
  std::string Mangle(const std::string& json) {
    switch (Uniform(8)) {
      case 0:
        return json.substr(0, static_cast<size_t>(Uniform(static_cast<int>(json.size()) + 1)));
      case 1:
        return json + " x";
      case 2:
        return "[" + json + "]";
      case 3:
        return "\"" + User() + "\"";
      case 4:
        return "{\"sub\":\"u0\",\"x\":{\"a\":1,\"a\":2}}";
      case 5:
        return "{\"sub\":\"u0\",\"sub\":\"u1\"}";
      case 6:
        return json.size() > 2 ? json.substr(0, json.size() - 1) + ",}" : json;
      default: {
        std::string s = json;
        if (!s.empty())
          s[static_cast<size_t>(Uniform(static_cast<int>(s.size())))] = "{}[]\",:x0"[Uniform(9)];
        return s;
      }
    }
  }

  Caller RandomCaller() {
    int k = Uniform(100);
    if (k < 4) return Caller::Anonymous();
    if (k < 14) return Caller::BasicUser(Chance(0.9) ? User() : "nobody");
    return Caller::Claims(RandomClaims());
  }

  CheckRequest RandomRequest() {
    CheckRequest r;
    r.resource_type = RandomType();
    r.permission = RandomPermission(r.resource_type);
    int n = Uniform(4);
    for (int i = 0; i < n; ++i) r.resource_ids.push_back(Chance(0.1) ? "*" : ResourceId());
    if (r.resource_type == ResourceType::kGroup && Chance(0.5)) r.resource_ids.push_back(GroupId());
    int t = Uniform(10);
    if (t < 4) {
      r.tenant_id = TenantId();
    } else if (t < 5) {
      r.tenant_id = "";
    } else if (t < 6) {
      r.tenant_id = "tx";
    }
    r.new_resource = Chance(0.3);
    if (r.resource_type == ResourceType::kUserTask && Chance(0.7)) {
      UserTaskProperties task;
      if (Chance(0.6)) task.assignee = Chance(0.5) ? User() : Client();
      for (int i = Uniform(3); i > 0; --i) task.candidate_users.push_back(User());
      for (int i = Uniform(3); i > 0; --i) task.candidate_groups.push_back(GroupId());
      r.user_task = task;
    }
    return r;
  }

 private:
  static constexpr std::string_view kBcrypt =
      "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
  std::mt19937_64 rng_;
  WorldShape shape_;
};

}  // namespace clearance::index_test

#endif  // CLEARANCE_TESTS_ENGINE_INDEX_RANDOM_WORLD_H_
