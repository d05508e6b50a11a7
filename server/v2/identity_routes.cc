#include "server/v2/identity_routes.h"

#include "server/v2/resources.h"

namespace clearance::server {

void AddIdentityRoutes(Router& router) {
  v2_internal::AddAuthorizationRoutes(router);
  v2_internal::AddMappingRuleRoutes(router);
  v2_internal::AddContainerRoutes(router);
  v2_internal::AddUserRoutes(router);
  v2_internal::AddAuthenticationRoutes(router);
}

}  // namespace clearance::server
