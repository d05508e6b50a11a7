#include "server/decision/who_can.h"

#include <map>
#include <set>
#include <string>

namespace clearance::server::decision {
namespace {

bool IsPrincipal(OwnerType type) {
  return type == OwnerType::kUser || type == OwnerType::kClient || type == OwnerType::kMappingRule;
}

}  // namespace

WhoCanAnswer WhoCan(const IdentityState& state, ResourceType type, Permission permission,
                    std::string_view resource_id) {
  WhoCanAnswer answer;
  std::set<OwnerRef> owners;
  // The state keeps no index by resource type: one pass over the authorizations, which an
  // administrator's question can afford.
  for (const auto& [key, authorization] : state.authorizations()) {
    if (authorization.resource_type != type) continue;
    if (!(authorization.permissions & Bit(permission))) continue;
    const Scope& scope = authorization.scope;
    const bool passes = scope.matcher == Matcher::kAny ||
                        (scope.matcher == Matcher::kId && scope.value == resource_id);
    if (!passes) continue;
    OwnerRef owner{authorization.owner_type, authorization.owner_id};
    answer.grants.push_back({key, owner, scope.value});
    owners.insert(std::move(owner));
  }

  std::map<OwnerRef, std::set<OwnerRef>> reached;
  auto add_members_of = [&](ContainerType container, const std::string& id, const OwnerRef& via,
                            auto& self) -> void {
    for (const Membership& m : state.MembersOf(container, id)) {
      if (IsPrincipal(m.member_type)) {
        reached[OwnerRef{m.member_type, m.member_id}].insert(via);
      } else if (container == ContainerType::kRole && m.member_type == OwnerType::kGroup) {
        self(ContainerType::kGroup, m.member_id, via, self);
      }
    }
  };
  for (const OwnerRef& owner : owners) {
    switch (owner.type) {
      case OwnerType::kGroup:
        add_members_of(ContainerType::kGroup, owner.id, owner, add_members_of);
        break;
      case OwnerType::kRole:
        add_members_of(ContainerType::kRole, owner.id, owner, add_members_of);
        break;
      default:
        reached[owner].insert(owner);
    }
  }
  answer.principals.reserve(reached.size());
  for (auto& [principal, via] : reached) {
    answer.principals.push_back({principal, std::vector<OwnerRef>(via.begin(), via.end())});
  }
  return answer;
}

}  // namespace clearance::server::decision
