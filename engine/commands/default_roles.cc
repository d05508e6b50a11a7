#include "commands/default_roles.h"

namespace clearance::commands_internal {
namespace {

using enum Permission;
using enum ResourceType;

// Grants derived from the catalog: one per resource type, skipping types left empty.
std::vector<std::pair<ResourceType, PermissionMask>> PerResourceType(PermissionMask filter) {
  std::vector<std::pair<ResourceType, PermissionMask>> grants;
  ForEachResourceType([&](ResourceType t) {
    PermissionMask m = SupportedPermissions(t) & filter;
    if (m != 0) grants.emplace_back(t, m);
  });
  return grants;
}

std::vector<DefaultRole> BuildDefaultRoles() {
  return {
      {"admin", "Admin", true, PerResourceType(AllPermissions())},
      {"readonly-admin", "Readonly Admin", false, PerResourceType(ReadPermissions())},
      {"rpa",
       "RPA",
       true,
       {{kResource, Bit(kRead)}, {kProcessDefinition, Bit(kUpdateProcessInstance)}}},
      {"connectors",
       "Connectors",
       true,
       {{kProcessDefinition, Bit(kReadProcessInstance) | Bit(kReadProcessDefinition) |
                                 Bit(kCreateProcessInstance) | Bit(kUpdateProcessInstance)},
        {kMessage, Bit(kCreate)},
        {kDocument, Bit(kCreate) | Bit(kRead) | Bit(kDelete)}}},
      {"app-integrations",
       "App Integrations",
       true,
       {{kProcessDefinition, Bit(kReadProcessDefinition) | Bit(kCreateProcessInstance) |
                                 Bit(kReadProcessInstance) | Bit(kUpdateProcessInstance) |
                                 Bit(kReadUserTask) | Bit(kUpdateUserTask)},
        {kDocument, Bit(kCreate)}}},
  };
}

}  // namespace

const std::vector<DefaultRole>& DefaultRoles() {
  static const std::vector<DefaultRole>* roles = new std::vector<DefaultRole>(BuildDefaultRoles());
  return *roles;
}

bool IsProtectedRole(std::string_view role_id) {
  for (const DefaultRole& r : DefaultRoles()) {
    if (r.id == role_id) return true;
  }
  return false;
}

}  // namespace clearance::commands_internal
