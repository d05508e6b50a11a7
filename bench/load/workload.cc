#include "workload.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

#include "absl/status/status.h"
#include "clearance/internal/strings.h"

namespace clearance::load {
namespace {

using strings_internal::StrCat;

// Zipf(s) over [0, n): index 0 is the most popular. The CDF is built once per distribution.
class Zipf {
 public:
  Zipf(size_t n, double s) : cdf_(std::max<size_t>(n, 1)) {
    double sum = 0;
    for (size_t i = 0; i < cdf_.size(); ++i) {
      sum += 1.0 / std::pow(static_cast<double>(i + 1), s);
      cdf_[i] = sum;
    }
    for (double& c : cdf_) c /= sum;
  }
  size_t operator()(std::mt19937_64& rng) const {
    // 53 random bits: the same numbers on every platform (std distributions are not portable).
    const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    return static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

uint64_t Below(std::mt19937_64& rng, uint64_t n) { return n == 0 ? 0 : rng() % n; }
bool Chance(std::mt19937_64& rng, unsigned percent) { return rng() % 100 < percent; }

uint64_t Mix(uint64_t seed, uint64_t salt) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * (salt + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Mapping-rule claim kinds: rule i uses kRuleClaims[i % 8] and the value "<prefix><i>", so
// (claimName, claimValue) is unique. Literal keys, JSONPaths with [*], bracket names and [n].
struct RuleClaim {
  const char* claim_name;
  const char* value_prefix;
};
constexpr RuleClaim kRuleClaims[] = {
    {"groups", "grp-"},                                 // groups (Keycloak/Okta array)
    {"scp", "scope-"},                                  // scopes (Okta array, Entra string)
    {"$.realm_access.roles[*]", "realm-role-"},         // Keycloak realm roles
    {"$['resource_access']['zeebe'].roles[*]", "zr-"},  // Keycloak client roles
    {"department", "dept-"},                            // custom string claim
    {"$.org.unit", "unit-"},                            // custom nested string
    {"roles", "app-role-"},                             // Entra app roles (array)
    {"$.roles[0]", "first-role-"},                      // first element only
};
constexpr size_t kRuleKinds = sizeof(kRuleClaims) / sizeof(kRuleClaims[0]);

struct TypeShare {
  ResourceType type;
  const char* id_prefix;
  unsigned weight;
};
constexpr TypeShare kTypes[] = {
    {ResourceType::kProcessDefinition, "process-", 50},
    {ResourceType::kDecisionDefinition, "decision-", 12},
    {ResourceType::kResource, "resource-", 8},
    {ResourceType::kDocument, "document-", 5},
    {ResourceType::kUserTask, "task-", 12},
    {ResourceType::kComponent, "component-", 5},
    {ResourceType::kMessage, "message-", 4},
    {ResourceType::kSystem, "system-", 4},
};

const TypeShare& PickType(std::mt19937_64& rng) {
  unsigned total = 0;
  for (const TypeShare& t : kTypes) total += t.weight;
  unsigned r = static_cast<unsigned>(Below(rng, total));
  for (const TypeShare& t : kTypes) {
    if (r < t.weight) return t;
    r -= t.weight;
  }
  return kTypes[0];
}

const TypeShare& ShareOf(ResourceType type) {
  for (const TypeShare& t : kTypes) {
    if (t.type == type) return t;
  }
  return kTypes[0];
}

// A random non-empty subset of the type's permissions: one permission mostly, sometimes more.
PermissionMask PickPermissions(std::mt19937_64& rng, ResourceType type) {
  std::vector<Permission> all;
  ForEachPermission(SupportedPermissions(type), [&](Permission p) { all.push_back(p); });
  PermissionMask mask = Bit(all[Below(rng, all.size())]);
  if (Chance(rng, 30)) mask |= Bit(all[Below(rng, all.size())]);
  if (Chance(rng, 10)) mask = SupportedPermissions(type);
  return mask;
}

Permission PickPermission(std::mt19937_64& rng, PermissionMask mask) {
  std::vector<Permission> all;
  ForEachPermission(mask, [&](Permission p) { all.push_back(p); });
  return all[Below(rng, all.size())];
}

std::string UserId(size_t i) { return StrCat("user-", i); }
std::string ClientId(size_t i) { return StrCat("client-", i); }
std::string GroupId(size_t i) { return StrCat("group-", i); }
std::string RoleId(size_t i) { return StrCat("role-", i); }
std::string TenantId(size_t i) { return StrCat("tenant-", i); }
std::string RuleId(size_t i) { return StrCat("rule-", i); }

std::string JsonArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    out += values[i];
    out += '"';
  }
  out += ']';
  return out;
}

}  // namespace

absl::StatusOr<WorkloadSize> SizeNamed(std::string_view name) {
  // name, users, clients, groups, roles, tenants, rules, authorizations, resources per type
  if (name == "tiny") return WorkloadSize{"tiny", 60, 12, 10, 5, 3, 24, 400, 40};
  if (name == "small") return WorkloadSize{"small", 1000, 100, 100, 20, 3, 80, 5000, 500};
  if (name == "medium") {
    return WorkloadSize{"medium", 20000, 1000, 1000, 100, 5, 1000, 100000, 10000};
  }
  if (name == "large") {
    return WorkloadSize{"large", 100000, 10000, 10000, 1000, 10, 10000, 1000000, 100000};
  }
  return absl::InvalidArgumentError(
      StrCat("unknown workload size \"", name, "\": expected tiny, small, medium or large"));
}

std::string_view Name(ClaimShape shape) {
  switch (shape) {
    case ClaimShape::kKeycloak:
      return "keycloak";
    case ClaimShape::kEntra:
      return "entra";
    case ClaimShape::kOkta:
      return "okta";
  }
  return "?";
}

std::string ClaimsFor(const WorkloadSize& size, uint64_t seed, uint32_t principal,
                      ClaimShape shape) {
  std::mt19937_64 rng(Mix(seed, 0x100000000ull + principal));
  const bool is_client = principal >= size.users;
  const std::string id = is_client ? ClientId(principal - size.users) : UserId(principal);
  // Which mapping rules this principal's claims satisfy: 0-3 of them, popular ones more often.
  static thread_local std::vector<std::pair<size_t, Zipf>> zipf_cache;
  const Zipf* rules_zipf = nullptr;
  for (auto& [n, z] : zipf_cache) {
    if (n == size.mapping_rules) rules_zipf = &z;
  }
  if (rules_zipf == nullptr) {
    zipf_cache.emplace_back(size.mapping_rules, Zipf(size.mapping_rules, 0.9));
    rules_zipf = &zipf_cache.back().second;
  }
  std::vector<std::string> by_kind[kRuleKinds];
  const size_t matches = Below(rng, 4);
  for (size_t i = 0; i < matches; ++i) {
    const size_t r = (*rules_zipf)(rng);
    by_kind[r % kRuleKinds].push_back(StrCat(kRuleClaims[r % kRuleKinds].value_prefix, r));
  }
  // Values that match no rule, as real tokens carry.
  by_kind[0].push_back("everyone");
  by_kind[2].push_back("offline_access");
  by_kind[2].push_back("uma_authorization");
  by_kind[6].push_back("Reader");

  // Every token is valid at kTokenNow (token_corpus.cc): iat within a minute before it.
  const int64_t iat = 1893452400 + static_cast<int64_t>(principal % 60);
  std::string j = "{";
  auto member = [&j](std::string_view name, std::string_view raw) {
    if (j.size() > 1) j += ',';
    j += '"';
    j += name;
    j += "\":";
    j += raw;
  };
  auto str = [](std::string_view v) { return StrCat("\"", v, "\""); };
  const std::string sub = is_client ? StrCat("svc-", id) : id;
  switch (shape) {
    case ClaimShape::kKeycloak:
      member("exp", StrCat(iat + 300));
      member("iat", StrCat(iat));
      member("jti", str(StrCat("onrtac:", Mix(seed, principal) % 1000000007, "-4a8b-9e51")));
      member("iss", str("https://keycloak.example.com/realms/camunda"));
      member("aud", JsonArray({"zeebe-api", "operate-api", "tasklist-api"}));
      member("typ", str("Bearer"));
      member("sid", str("c7f3a1e2-9d4b-4e6f-8a1c-3b5d7e9f0a2c"));
      member("acr", str("1"));
      member("allowed-origins", JsonArray({"https://operate.example.com"}));
      member("realm_access", StrCat("{\"roles\":", JsonArray(by_kind[2]), "}"));
      member("resource_access",
             StrCat("{\"zeebe\":{\"roles\":", JsonArray(by_kind[3]),
                    "},\"account\":{\"roles\":[\"manage-account\",\"view-profile\"]}}"));
      member("scope", str("openid profile email"));
      member("email_verified", "true");
      member("preferred_username", str(id));
      member("groups", JsonArray(by_kind[0]));
      break;
    case ClaimShape::kEntra: {
      member("aud", str("api://zeebe"));
      member("iss",
             str("https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"));
      member("iat", StrCat(iat));
      member("nbf", StrCat(iat));
      member("exp", StrCat(iat + 3600));
      member("aio", str("AWQAm/8TAAAAo9JmN8AbF2o3tWxZ/W0pPwXGZGqvw5gVUjoKgP6bpRc"));
      member("name", str(StrCat("Display ", id)));
      member("oid", str(StrCat("00000000-0000-0000-0000-", 100000000000ull + principal)));
      member("rh", str("0.AXQAi1R7kqZv4kO2mE6wqk9NrVQ4A3Vq"));
      member("tid", str("9188040d-6c67-4c5b-b112-36a304b66dad"));
      member("uti", str("fqiBqXLPj0eQa82S-IYFAA"));
      member("ver", str("2.0"));
      std::string scopes;
      for (const std::string& s : by_kind[1]) scopes += scopes.empty() ? s : " " + s;
      if (scopes.empty()) scopes = "User.Read";
      member("scp", str(scopes));
      member("roles", JsonArray(by_kind[6]));
      member("groups", JsonArray(by_kind[0]));
      break;
    }
    case ClaimShape::kOkta:
      member("ver", "1");
      member("jti", str(StrCat("AT.", Mix(seed, principal) % 1000000007, "rFq2pOqW")));
      member("iss", str("https://dev-123456.okta.com/oauth2/default"));
      member("aud", str("api://default"));
      member("iat", StrCat(iat));
      member("exp", StrCat(iat + 3600));
      member("cid", str("0oa1b2c3d4e5f6g7h8i9"));
      member("uid", str(StrCat("00u", principal, "abcdef")));
      {
        std::vector<std::string> scp = by_kind[1];
        scp.push_back("openid");
        member("scp", JsonArray(scp));
      }
      member("auth_time", StrCat(iat - 60));
      member("groups", JsonArray(by_kind[0]));
      break;
  }
  // Keycloak and Entra put app roles in different places; every shape may carry them here.
  if (shape != ClaimShape::kEntra && (!by_kind[6].empty() || !by_kind[7].empty())) {
    std::vector<std::string> roles = by_kind[6];
    member("roles", JsonArray(roles));
  }
  if (!by_kind[7].empty()) {
    // $.roles[0]: the rule's value must be the first app role.
    const size_t at = j.rfind("\"roles\":[");
    j.insert(at + 9, StrCat("\"", by_kind[7][0], "\","));
  }
  if (!by_kind[4].empty()) member("department", str(by_kind[4].back()));
  if (!by_kind[5].empty()) member("org", StrCat("{\"unit\":", str(by_kind[5].back()), "}"));
  member("sub", str(sub));
  if (is_client) member("azp", str(id));
  j += '}';
  return j;
}

Workload Generate(const WorkloadSize& size, uint64_t seed, size_t query_count) {
  Workload w;
  w.size = size;
  w.seed = seed;
  std::mt19937_64 rng(Mix(seed, 1));
  const Zipf users(size.users, 0.8), clients(size.clients, 0.8), groups(size.groups, 0.8),
      roles(size.roles, 0.8), tenants(size.tenants, 1.0), rules(size.mapping_rules, 0.9),
      resources(size.resources_per_type, 1.0);

  ChangeSet base;
  Configuration config;
  config.client_id_claim = "azp";
  config.tenant_checks_enabled = true;
  base.configuration = config;
  base.initializes = true;
  auto put = [](ChangeSet& cs, Row row) {
    cs.changes.push_back({RowChange::Op::kPut, std::move(row)});
  };
  for (size_t i = 0; i < size.tenants; ++i)
    put(base, Tenant{TenantId(i), StrCat("Tenant ", i), ""});
  for (size_t i = 0; i < size.roles; ++i) {
    put(base, Role{RoleId(i), StrCat("Role ", i), ""});
    if (Chance(rng, 50)) {
      put(base,
          Membership{ContainerType::kTenant, TenantId(tenants(rng)), MemberType::kRole, RoleId(i)});
    }
  }
  for (size_t i = 0; i < size.groups; ++i) {
    put(base, Group{GroupId(i), StrCat("Group ", i), ""});
    put(base, Membership{ContainerType::kRole, RoleId(roles(rng)), MemberType::kGroup, GroupId(i)});
    if (Chance(rng, 30)) {
      put(base, Membership{ContainerType::kTenant, TenantId(tenants(rng)), MemberType::kGroup,
                           GroupId(i)});
    }
  }
  for (size_t i = 0; i < size.mapping_rules; ++i) {
    const RuleClaim& kind = kRuleClaims[i % kRuleKinds];
    MappingRule r{RuleId(i), kind.claim_name, StrCat(kind.value_prefix, i), StrCat("Rule ", i), {}};
    r.path = *ClaimPath::Compile(r.claim_name);
    put(base, std::move(r));
    const unsigned where = static_cast<unsigned>(Below(rng, 10));
    if (where < 5) {
      put(base, Membership{ContainerType::kGroup, GroupId(groups(rng)), MemberType::kMappingRule,
                           RuleId(i)});
    } else if (where < 8) {
      put(base, Membership{ContainerType::kRole, RoleId(roles(rng)), MemberType::kMappingRule,
                           RuleId(i)});
    }
    if (Chance(rng, 30)) {
      put(base, Membership{ContainerType::kTenant, TenantId(tenants(rng)), MemberType::kMappingRule,
                           RuleId(i)});
    }
  }
  w.state.Apply(std::move(base));

  ChangeSet members;
  for (size_t i = 0; i < size.users; ++i) {
    const size_t n = 1 + Below(rng, 3);
    for (size_t k = 0; k < n; ++k) {
      put(members,
          Membership{ContainerType::kGroup, GroupId(groups(rng)), MemberType::kUser, UserId(i)});
    }
    if (Chance(rng, 30)) {
      put(members,
          Membership{ContainerType::kRole, RoleId(roles(rng)), MemberType::kUser, UserId(i)});
    }
    put(members,
        Membership{ContainerType::kTenant, TenantId(tenants(rng)), MemberType::kUser, UserId(i)});
  }
  for (size_t i = 0; i < size.clients; ++i) {
    if (Chance(rng, 40)) {
      put(members, Membership{ContainerType::kGroup, GroupId(groups(rng)), MemberType::kClient,
                              ClientId(i)});
    }
    put(members, Membership{ContainerType::kTenant, TenantId(tenants(rng)), MemberType::kClient,
                            ClientId(i)});
  }
  // Memberships may repeat when drawn twice: the state keeps one (a set).
  w.state.Apply(std::move(members));

  ChangeSet auths;
  for (size_t k = 0; k < size.authorizations; ++k) {
    Authorization a;
    a.key = k + 1;
    const unsigned owner = static_cast<unsigned>(Below(rng, 100));
    if (owner < 35) {
      a.owner_type = OwnerType::kUser;
      a.owner_id = UserId(users(rng));
    } else if (owner < 60) {
      a.owner_type = OwnerType::kGroup;
      a.owner_id = GroupId(groups(rng));
    } else if (owner < 70) {
      a.owner_type = OwnerType::kRole;
      a.owner_id = RoleId(roles(rng));
    } else if (owner < 85) {
      a.owner_type = OwnerType::kMappingRule;
      a.owner_id = RuleId(rules(rng));
    } else {
      a.owner_type = OwnerType::kClient;
      a.owner_id = ClientId(clients(rng));
    }
    const TypeShare& type = PickType(rng);
    a.resource_type = type.type;
    const unsigned scope = static_cast<unsigned>(Below(rng, 100));
    if (scope < 2) {
      a.scope = Scope::Any();
    } else if (type.type == ResourceType::kUserTask && scope < 40) {
      static constexpr std::string_view kProps[] = {kPropertyAssignee, kPropertyCandidateUsers,
                                                    kPropertyCandidateGroups};
      a.scope = Scope::Property(std::string(kProps[Below(rng, 3)]));
    } else {
      a.scope = Scope::Id(StrCat(type.id_prefix, resources(rng)));
    }
    a.permissions = PickPermissions(rng, type.type);
    put(auths, std::move(a));
    if (auths.changes.size() == 200000) {
      w.state.Apply(std::move(auths));
      auths = ChangeSet{};
    }
  }
  auths.next_authorization_key = size.authorizations + 1;
  w.state.Apply(std::move(auths));

  // Queries: principals by popularity (70 % users, 30 % clients); half the checks aim at a grant
  // the principal's own owners hold (mostly ALLOW), half at a random popular resource.
  w.queries.reserve(query_count);
  std::mt19937_64 qrng(Mix(seed, 2));
  for (size_t q = 0; q < query_count; ++q) {
    Query query;
    const bool client = Chance(qrng, 30);
    query.principal = static_cast<uint32_t>(client ? size.users + clients(qrng) : users(qrng));
    query.shape = static_cast<ClaimShape>(query.principal % 3);
    query.claims_json = ClaimsFor(size, seed, query.principal, query.shape);
    const std::string id =
        client ? ClientId(query.principal - size.users) : UserId(query.principal);
    CheckRequest& r = query.request;
    const Authorization* aimed = nullptr;
    if (Chance(qrng, 50)) {
      std::vector<AuthorizationKey> keys =
          w.state.AuthorizationsOwnedBy(client ? OwnerType::kClient : OwnerType::kUser, id);
      for (const Membership& m :
           w.state.ContainersOf(client ? MemberType::kClient : MemberType::kUser, id)) {
        if (m.container_type != ContainerType::kGroup) continue;
        for (AuthorizationKey k :
             w.state.AuthorizationsOwnedBy(OwnerType::kGroup, m.container_id)) {
          keys.push_back(k);
        }
      }
      if (!keys.empty()) aimed = w.state.FindAuthorization(keys[Below(qrng, keys.size())]);
    }
    if (aimed != nullptr) {
      r.resource_type = aimed->resource_type;
      r.permission = PickPermission(qrng, aimed->permissions);
      r.resource_ids = {aimed->scope.matcher == Matcher::kId
                            ? aimed->scope.value
                            : StrCat(ShareOf(aimed->resource_type).id_prefix, resources(qrng))};
    } else {
      const TypeShare& type = PickType(qrng);
      r.resource_type = type.type;
      r.permission = PickPermission(qrng, SupportedPermissions(type.type));
      r.resource_ids = {StrCat(type.id_prefix, resources(qrng))};
    }
    if (r.resource_type == ResourceType::kUserTask && Chance(qrng, 50)) {
      UserTaskProperties task;
      if (Chance(qrng, 50)) task.assignee = Chance(qrng, 50) ? id : UserId(users(qrng));
      if (Chance(qrng, 50)) task.candidate_users = {UserId(users(qrng)), id};
      if (Chance(qrng, 50)) task.candidate_groups = {GroupId(groups(qrng)), "grp-0"};
      r.user_task = std::move(task);
    }
    if (Chance(qrng, 50)) {
      r.tenant_id = TenantId(tenants(qrng));
      r.new_resource = Chance(qrng, 10);
    }
    w.queries.push_back(std::move(query));
  }
  return w;
}

std::string QueryToJson(const Query& query, Decision expected) {
  const CheckRequest& r = query.request;
  std::string j =
      StrCat("{\"principal\":", query.principal, ",\"shape\":\"", Name(query.shape),
             "\",\"claims\":", query.claims_json, ",\"type\":\"", Name(r.resource_type),
             "\",\"permission\":\"", Name(r.permission), "\",\"ids\":", JsonArray(r.resource_ids));
  if (r.tenant_id) j += StrCat(",\"tenant\":\"", *r.tenant_id, "\"");
  j += StrCat(",\"new\":", r.new_resource ? "true" : "false");
  if (r.user_task) {
    j += ",\"task\":{";
    j += StrCat("\"assignee\":", r.user_task->assignee ? StrCat("\"", *r.user_task->assignee, "\"")
                                                       : std::string("null"));
    j += StrCat(",\"candidateUsers\":", JsonArray(r.user_task->candidate_users));
    j += StrCat(",\"candidateGroups\":", JsonArray(r.user_task->candidate_groups), "}");
  }
  j += StrCat(",\"expect\":\"", Name(expected.outcome), "\"}");
  return j;
}

}  // namespace clearance::load
