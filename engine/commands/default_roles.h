// The default roles of docs/semantics.md §8, as one table.
//
// Internal to the engine. Thread-safety: immutable after first use.
#ifndef CLEARANCE_ENGINE_COMMANDS_DEFAULT_ROLES_H_
#define CLEARANCE_ENGINE_COMMANDS_DEFAULT_ROLES_H_

#include <string_view>
#include <utility>
#include <vector>

#include "clearance/catalog.h"

namespace clearance::commands_internal {

struct DefaultRole {
  std::string_view id;
  std::string_view name;
  bool member_of_default_tenant;
  // One authorization on "*" per entry, in this order.
  std::vector<std::pair<ResourceType, PermissionMask>> grants;
};

const std::vector<DefaultRole>& DefaultRoles();

// Default roles cannot be updated or deleted, nor can any authorization they own.
bool IsProtectedRole(std::string_view role_id);

}  // namespace clearance::commands_internal

#endif  // CLEARANCE_ENGINE_COMMANDS_DEFAULT_ROLES_H_
