// Who can: the owners holding a grant that passes for (resource type, permission, resource id),
// and the principals reaching them through memberships. Read from the identity state, not the
// engine: the engine answers for one principal, this question is about all of them.
//
// A grant passes when its resource type is the one asked, its permission bit is set and its
// scope is "*" or the resource id. PROPERTY scopes (USER_TASK) depend on the task and are not
// listed. Principals are the users, clients and mapping rules that own such a grant, are members
// of a group or role that owns one, or are members of a group that is a member of such a role.
// The answer lists who holds the permission side only: tenant checks, a token's groups claim
// (which replaces stored group memberships) and disabled authorizations are the engine's to
// apply per principal.
//
// Thread-safety: WhoCan reads `state` only; call it under ServingStore::Read.
#ifndef CLEARANCE_SERVER_DECISION_WHO_CAN_H_
#define CLEARANCE_SERVER_DECISION_WHO_CAN_H_

#include <string_view>
#include <vector>

#include "clearance/catalog.h"
#include "clearance/decision.h"
#include "clearance/model.h"
#include "clearance/state.h"

namespace clearance::server::decision {

struct WhoCanGrant {
  AuthorizationKey key = 0;
  OwnerRef owner;
  std::string resource_id;  // "*" or the id
};

struct WhoCanPrincipal {
  OwnerRef principal;         // a USER, CLIENT or MAPPING_RULE
  std::vector<OwnerRef> via;  // the owners it reaches a grant through (itself when it owns one)
};

struct WhoCanAnswer {
  std::vector<WhoCanGrant> grants;          // by authorization key
  std::vector<WhoCanPrincipal> principals;  // by (type, id); `via` sorted too
};

WhoCanAnswer WhoCan(const IdentityState& state, ResourceType type, Permission permission,
                    std::string_view resource_id);

}  // namespace clearance::server::decision

#endif  // CLEARANCE_SERVER_DECISION_WHO_CAN_H_
