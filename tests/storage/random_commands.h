// A deterministic stream of random commands for the storage suites (crash, differential,
// derivation) and the storage benchmarks.
//
// Next() draws a command from the generator's own PRNG and the state it is given, so two
// generators with the same seed that are shown equal states produce equal commands: the crash
// test's parent replays exactly what its child applied. Ids come from small pools so commands
// collide (duplicates, missing members, cascades) and closures get deep (member -> group ->
// role -> tenant). Many commands are refused; that is part of what is tested.
#ifndef CLEARANCE_TESTS_STORAGE_RANDOM_COMMANDS_H_
#define CLEARANCE_TESTS_STORAGE_RANDOM_COMMANDS_H_

#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "clearance/catalog.h"
#include "clearance/commands.h"
#include "clearance/internal/strings.h"
#include "clearance/state.h"

namespace clearance::storage_test {

inline constexpr std::string_view kBcryptHash =
    "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

class RandomCommands {
 public:
  explicit RandomCommands(uint64_t seed) : rng_(seed) {}

  // How many commands the next group commit holds: 1 (a single Apply) most of the time.
  size_t BatchSize() { return Pick(4) == 0 ? 2 + Pick(6) : 1; }

  // Reads nothing but `state` and the PRNG.
  Command Next(const IdentityState& state) {
    if (!state.initialized()) {
      if (!configured_ && Pick(2) == 0) {
        configured_ = true;
        return Configure{RandomConfiguration()};
      }
      return Initialize{RandomSeed()};
    }
    switch (Pick(24)) {
      case 0:
        return Configure{RandomConfiguration()};
      case 1:
        return CreateGroup{Group{Id("g", 6), Text("group"), Pick(2) ? "" : Text("about")}};
      case 2:
        return UpdateGroup{Group{Id("g", 6), Text("group"), Text("about")}};
      case 3:
        return DeleteGroup{Id("g", 6)};
      case 4:
        return CreateRole{Role{Id("r", 6), Text("role"), ""}};
      case 5:
        return Pick(3) == 0 ? Command(DeleteRole{Id("r", 6)})
                            : Command(UpdateRole{Role{Id("r", 6), Text("role"), "x"}});
      case 6:
        return CreateTenant{Tenant{Id("t", 4), Text("tenant"), ""}};
      case 7:
        return Pick(2) ? Command(DeleteTenant{Id("t", 4)})
                       : Command(UpdateTenant{Tenant{Id("t", 4), Text("tenant"), "d"}});
      case 8:
        return CreateMappingRule{RandomRule()};
      case 9:
        return Pick(2) ? Command(UpdateMappingRule{RandomRule()})
                       : Command(DeleteMappingRule{Id("m", 6)});
      case 10:
        return CreateUser{User{Id("u", 8), Text("name"), "e@x.org", std::string(kBcryptHash)}};
      case 11:
        return Pick(2)
                   ? Command(DeleteUser{Id("u", 8)})
                   : Command(UpdateUser{User{Id("u", 8), Text("n"), "", std::string(kBcryptHash)}});
      case 12:
      case 13:
      case 14:
      case 15:
        return AddMember{RandomMembership()};
      case 16:
      case 17:
        return RemoveMember{ExistingMembership(state)};
      case 18:
      case 19:
      case 20:
        return CreateAuthorization{RandomSpec()};
      case 21:
        return UpdateAuthorization{ExistingKey(state), RandomSpec()};
      default:
        return DeleteAuthorization{ExistingKey(state)};
    }
  }

  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }

 private:
  std::string Id(std::string_view prefix, size_t pool) {
    return strings_internal::StrCat(prefix, Pick(pool));
  }
  std::string Text(std::string_view prefix) {
    return strings_internal::StrCat(prefix, " ", Pick(100));
  }

  Configuration RandomConfiguration() {
    Configuration c;
    c.mode = Pick(3) == 0 ? AuthMode::kBasic : AuthMode::kOidc;
    c.tenant_checks_enabled = Pick(2) == 0;
    c.authorizations_enabled = Pick(8) != 0;
    c.client_id_claim = Pick(2) ? "azp" : "";
    c.groups_claim = Pick(4) == 0 ? "groups" : "";
    c.prefer_username_claim = Pick(4) == 0;
    return c;
  }

  InitializationSeed RandomSeed() {
    InitializationSeed seed;
    seed.groups.push_back(Group{"g0", "Group zero", ""});
    seed.roles.push_back(Role{"r0", "Role zero", ""});
    seed.tenants.push_back(Tenant{"t0", "Tenant zero", ""});
    seed.memberships.push_back(Membership{ContainerType::kRole, "r0", MemberType::kGroup, "g0"});
    seed.memberships.push_back(Membership{ContainerType::kTenant, "t0", MemberType::kRole, "r0"});
    seed.memberships.push_back(Membership{ContainerType::kGroup, "g0", MemberType::kClient, "c0"});
    seed.default_role_members.push_back(
        Membership{ContainerType::kRole, "admin", MemberType::kClient, "c1"});
    return seed;
  }

  MappingRule RandomRule() {
    static constexpr std::string_view kClaims[] = {"groups", "scope", "$.realm[*]", "$['a b']"};
    MappingRule r;
    r.id = Id("m", 6);
    r.claim_name = std::string(kClaims[Pick(std::size(kClaims))]);
    r.claim_value = Id("v", 4);
    r.name = Text("rule");
    return r;
  }

  std::string MemberId(MemberType t) {
    switch (t) {
      case MemberType::kUser:
        return Id("u", 8);
      case MemberType::kClient:
        return Id("c", 4);
      case MemberType::kGroup:
        return Id("g", 6);
      case MemberType::kRole:
        return Pick(5) == 0 ? "admin" : Id("r", 6);
      case MemberType::kMappingRule:
        return Id("m", 6);
    }
    return "";
  }

  Membership RandomMembership() {
    Membership m;
    m.container_type = static_cast<ContainerType>(Pick(3));
    switch (m.container_type) {
      case ContainerType::kGroup:
        m.container_id = Id("g", 6);
        break;
      case ContainerType::kRole:
        m.container_id = Pick(5) == 0 ? "rpa" : Id("r", 6);
        break;
      case ContainerType::kTenant:
        m.container_id = Pick(5) == 0 ? "<default>" : Id("t", 4);
        break;
    }
    m.member_type = static_cast<MemberType>(Pick(kOwnerTypeCount));
    m.member_id = MemberId(m.member_type);
    return m;
  }

  Membership ExistingMembership(const IdentityState& state) {
    const auto& all = state.memberships();
    if (all.empty() || Pick(6) == 0) return RandomMembership();
    return *std::next(all.begin(), static_cast<long>(Pick(all.size())));
  }

  AuthorizationKey ExistingKey(const IdentityState& state) {
    const auto& all = state.authorizations();
    if (all.empty() || Pick(8) == 0) return 1 + Pick(200);
    return std::next(all.begin(), static_cast<long>(Pick(all.size())))->first;
  }

  AuthorizationSpec RandomSpec() {
    static constexpr ResourceType kTypes[] = {ResourceType::kProcessDefinition,
                                              ResourceType::kDecisionDefinition,
                                              ResourceType::kGroup,
                                              ResourceType::kComponent,
                                              ResourceType::kUserTask,
                                              ResourceType::kMessage};
    AuthorizationSpec s;
    s.owner_type = static_cast<OwnerType>(Pick(kOwnerTypeCount));
    s.owner_id = MemberId(s.owner_type);
    s.resource_type = kTypes[Pick(std::size(kTypes))];
    if (s.resource_type == ResourceType::kUserTask && Pick(2) == 0) {
      s.resource_property_name = "assignee";
    } else {
      s.resource_id = Pick(3) == 0 ? "*" : Id("res", 3);
    }
    PermissionMask supported = SupportedPermissions(s.resource_type);
    while (s.permissions == 0) {
      ForEachPermission(supported, [&](Permission p) {
        if (Pick(2) == 0) s.permissions |= Bit(p);
      });
    }
    return s;
  }

  std::mt19937_64 rng_;
  bool configured_ = false;
};

}  // namespace clearance::storage_test

#endif  // CLEARANCE_TESTS_STORAGE_RANDOM_COMMANDS_H_
