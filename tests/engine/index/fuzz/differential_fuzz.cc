// Fuzz target: the compiled engine against the reference evaluator. The input is a claims
// document, a NUL byte, then bytes that choose a small identity state (a configuration, then
// commands over tiny id pools so that grants, memberships and rules meet), the check request
// and the caller's kind (the claims, a basic user or anonymous). Any difference between
// Engine::Check, CheckClaims or Explain and reference::Check aborts with a reproduction.
//
// Ids and claim names come from the same small pools as random_world.h, so a claims document in
// the corpus names the users, groups and rule claims the commands create.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "clearance/catalog.h"
#include "clearance/commands.h"
#include "clearance/engine.h"
#include "diff_util.h"
#include "fuzz_bytes.h"
#include "reference/reference_evaluator.h"

namespace clearance::index_test {
namespace {

using fuzz::FuzzBytes;

constexpr int kMaxCommands = 24;
constexpr std::string_view kBcrypt = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

template <size_t N>
std::string Pick(FuzzBytes& in, const char* const (&pool)[N]) {
  return pool[in.Below(static_cast<int>(N))];
}

const char* const kUsers[] = {"u0", "u1", "u2", "u3"};
const char* const kClients[] = {"c0", "c1", "c2"};
const char* const kGroups[] = {"g0", "g1", "g2"};
const char* const kRoles[] = {"r0", "r1", "r2", "admin", "readonly-admin", "rpa"};
const char* const kTenants[] = {"t0", "t1", "t2", "<default>"};
const char* const kRules[] = {"m0", "m1", "m2"};
const char* const kResources[] = {"p0", "p1", "p2", "*"};
const char* const kClaimValues[] = {"v0", "v1", "v2", "v3"};
const char* const kRuleClaims[] = {"scope",     "$.scope",        "dept",   "$.realm.roles[*]",
                                   "$.realm.roles", "$.tags[0]", "$['weird key']", "groups",
                                   "$.org[*]",  "a.b",            "$.nested[*].v"};
const char* const kUsernameClaims[] = {"sub", "$.preferred_username", "user.name", "$['sub']"};
const char* const kClientClaims[] = {"", "azp", "$.client.id", "client_id"};
const char* const kGroupsClaims[] = {"", "groups", "$.realm.groups[*]", "$['grp']"};

Configuration ReadConfig(FuzzBytes& in) {
  const uint8_t flags = in.Byte();
  Configuration c;
  c.mode = flags & 1 ? AuthMode::kBasic : AuthMode::kOidc;
  c.authorizations_enabled = (flags & 2) == 0;
  c.tenant_checks_enabled = flags & 4;
  c.prefer_username_claim = flags & 8;
  c.username_claim = Pick(in, kUsernameClaims);
  c.client_id_claim = Pick(in, kClientClaims);
  c.groups_claim = Pick(in, kGroupsClaims);
  return c;
}

ResourceType ReadType(FuzzBytes& in) {
  return static_cast<ResourceType>(in.Below(kResourceTypeCount));
}

// Some of `type`'s permissions (never none), chosen by a byte's bits.
PermissionMask ReadPermissions(FuzzBytes& in, ResourceType type) {
  uint8_t bits = in.Byte();
  PermissionMask mask = 0;
  PermissionMask first = 0;
  int i = 0;
  ForEachPermission(SupportedPermissions(type), [&](Permission p) {
    if (first == 0) first = Bit(p);
    if (bits & (1u << (i++ % 8))) mask |= Bit(p);
  });
  return mask != 0 ? mask : first;
}

std::pair<OwnerType, std::string> ReadOwner(FuzzBytes& in) {
  switch (in.Below(5)) {
    case 0:
      return {OwnerType::kUser, Pick(in, kUsers)};
    case 1:
      return {OwnerType::kClient, Pick(in, kClients)};
    case 2:
      return {OwnerType::kGroup, Pick(in, kGroups)};
    case 3:
      return {OwnerType::kRole, Pick(in, kRoles)};
    default:
      return {OwnerType::kMappingRule, Pick(in, kRules)};
  }
}

AuthorizationSpec ReadSpec(FuzzBytes& in) {
  AuthorizationSpec spec;
  std::tie(spec.owner_type, spec.owner_id) = ReadOwner(in);
  spec.resource_type = ReadType(in);
  switch (in.Below(3)) {
    case 0:
      spec.resource_id = Pick(in, kResources);
      break;
    case 1:
      spec.resource_id = Pick(in, kGroups);
      break;
    default: {
      const char* const kProperties[] = {"assignee", "candidateUsers", "candidateGroups"};
      spec.resource_property_name = Pick(in, kProperties);
    }
  }
  spec.permissions = ReadPermissions(in, spec.resource_type);
  return spec;
}

Membership ReadMembership(FuzzBytes& in) {
  Membership m;
  m.container_type = static_cast<ContainerType>(in.Below(3));
  switch (m.container_type) {
    case ContainerType::kGroup:
      m.container_id = Pick(in, kGroups);
      break;
    case ContainerType::kRole:
      m.container_id = Pick(in, kRoles);
      break;
    case ContainerType::kTenant:
      m.container_id = Pick(in, kTenants);
      break;
  }
  std::tie(m.member_type, m.member_id) = ReadOwner(in);
  return m;
}

Command ReadCommand(FuzzBytes& in, const IdentityState& state) {
  switch (in.Below(12)) {
    case 0:
    case 1:
      return CreateAuthorization{ReadSpec(in)};
    case 2: {
      const uint64_t key = in.Below(8) + 1;
      if (in.Bool()) return DeleteAuthorization{key};
      return UpdateAuthorization{key, ReadSpec(in)};
    }
    case 3:
    case 4:
      return AddMember{ReadMembership(in)};
    case 5:
      return RemoveMember{ReadMembership(in)};
    case 6:
      return CreateGroup{Group{Pick(in, kGroups), "G", ""}};
    case 7:
      return CreateRole{Role{Pick(in, kRoles), "R", ""}};
    case 8:
      return CreateTenant{Tenant{Pick(in, kTenants), "T", ""}};
    case 9: {
      MappingRule rule;
      rule.id = Pick(in, kRules);
      rule.claim_name = Pick(in, kRuleClaims);
      rule.claim_value = Pick(in, kClaimValues);
      rule.name = "rule";
      if (in.Bool()) return UpdateMappingRule{rule};
      return CreateMappingRule{rule};
    }
    case 10:
      return CreateUser{User{Pick(in, kUsers), "", "", std::string(kBcrypt)}};
    default:
      switch (in.Below(6)) {
        case 0:
          return DeleteUser{Pick(in, kUsers)};
        case 1:
          return DeleteGroup{Pick(in, kGroups)};
        case 2:
          return DeleteRole{Pick(in, kRoles)};
        case 3:
          return DeleteTenant{Pick(in, kTenants)};
        case 4:
          return DeleteMappingRule{Pick(in, kRules)};
        default: {
          Configuration c = state.config();
          c.tenant_checks_enabled = !c.tenant_checks_enabled;
          c.groups_claim = Pick(in, kGroupsClaims);
          return Configure{c};
        }
      }
  }
}

CheckRequest ReadRequest(FuzzBytes& in) {
  CheckRequest r;
  r.resource_type = ReadType(in);
  std::vector<Permission> permissions;
  ForEachPermission(in.Bool() ? AllPermissions() : SupportedPermissions(r.resource_type),
                    [&](Permission p) { permissions.push_back(p); });
  r.permission = permissions[in.Below(static_cast<int>(permissions.size()))];
  for (int n = in.Below(4); n > 0; --n) {
    r.resource_ids.push_back(in.Bool() ? Pick(in, kGroups) : Pick(in, kResources));
  }
  if (in.Bool()) r.tenant_id = Pick(in, kTenants);
  r.new_resource = in.Bool();
  if (r.resource_type == ResourceType::kUserTask && in.Bool()) {
    UserTaskProperties task;
    if (in.Bool()) task.assignee = Pick(in, kUsers);
    for (int n = in.Below(3); n > 0; --n) task.candidate_users.push_back(Pick(in, kUsers));
    for (int n = in.Below(3); n > 0; --n) task.candidate_groups.push_back(Pick(in, kGroups));
    r.user_task = task;
  }
  return r;
}

[[noreturn]] void Disagree(const std::string& what, const IdentityState& state,
                           const Caller& caller, const CheckRequest& request,
                           const reference::Verdict& ref, const Explanation& engine) {
  std::fprintf(stderr,
               "engine and reference disagree on:%s\nstate:\n%scaller: %s\nrequest: %s\n"
               "reference: %s\nengine:    %s\n",
               what.c_str(), Describe(state).c_str(), Describe(caller).c_str(),
               Describe(request).c_str(), Describe(ref).c_str(), Describe(engine).c_str());
  std::abort();
}

void CompareOne(const IdentityState& state, const Engine& engine, const Caller& caller,
                const CheckRequest& request) {
  const reference::Verdict ref = reference::Check(state, caller, request);
  const Explanation explained = engine.Explain(caller, request);
  std::string diff = Compare(ref, explained);
  if (engine.Check(caller, request) != ref.decision) diff += " Check(caller);";
  if (engine.Check(engine.Resolve(caller), request) != ref.decision) diff += " Check(handle);";
  if (engine.Check(engine.Resolve(caller, Engine::HandleUse::kOnce), request) != ref.decision) {
    diff += " Check(handle, kOnce);";
  }
  // Twice: the first sight of a document fills the claims cache, the second is answered from it.
  for (int i = 0; i < 2 && caller.kind == Caller::Kind::kClaims; ++i) {
    if (engine.CheckClaims(caller.claims_json, request) != ref.decision) {
      diff += " CheckClaims#" + std::to_string(i + 1) + ";";
    }
  }
  if (!diff.empty()) Disagree(diff, state, caller, request, ref, explained);
}

}  // namespace
}  // namespace clearance::index_test

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clearance;
  using namespace clearance::index_test;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = std::min(input.find('\0'), input.size());
  const std::string claims(input.substr(0, nul));
  const std::string_view choices = input.substr(std::min(nul + 1, input.size()));
  FuzzBytes in(choices);
  IdentityState state;
  if (!Execute(state, Configure{ReadConfig(in)}).ok() || !Execute(state, Initialize{}).ok()) {
    std::abort();  // every configuration ReadConfig builds is valid
  }
  EngineOptions options;
  // Bit 0 of `shape` is unused, so the seed corpus keeps the engines it was chosen for.
  const uint8_t shape = in.Byte();
  options.shard_bits = (shape >> 1) % 3 * 3 - 1;  // -1 (auto), 2, 5
  constexpr size_t kCopyLimits[] = {64, 0, 1, 3};
  options.profile_copy_limit = kCopyLimits[(shape >> 3) % 4];
  std::unique_ptr<Engine> engine = *Engine::Create(state, options);
  // Commands reach the engine only as planned change sets, as the store feeds it.
  for (int n = in.Below(kMaxCommands + 1); n > 0; --n) {
    absl::StatusOr<ChangeSet> planned = Plan(state, ReadCommand(in, state));
    if (!planned.ok()) continue;
    state.Apply(*planned);
    if (!engine->Apply(*planned).ok()) std::abort();
  }
  // Sometimes an engine built from the final state, which must answer like the updated one.
  if (shape & 0x20) engine = *Engine::Create(state, options);
  const CheckRequest request = ReadRequest(in);
  Caller caller;
  switch (in.Below(8)) {
    case 6:
      caller = Caller::Anonymous();
      break;
    case 7:
      caller = Caller::BasicUser(Pick(in, kUsers));
      break;
    default:
      caller = Caller::Claims(claims);
  }
  CompareOne(state, *engine, caller, request);
  return 0;
}
