// The /v2 identity resources, one Add*Routes per file; AddIdentityRoutes (identity_routes.h)
// calls them all. Internal to server/v2.
#ifndef CLEARANCE_SERVER_V2_RESOURCES_H_
#define CLEARANCE_SERVER_V2_RESOURCES_H_

#include <set>
#include <string>

#include "server/router.h"

namespace clearance::server::v2_internal {

void AddAuthorizationRoutes(Router& router);   // authorizations.cc
void AddMappingRuleRoutes(Router& router);     // mapping_rules.cc
void AddContainerRoutes(Router& router);       // containers.cc: groups, roles, tenants
void AddUserRoutes(Router& router);            // users.cc
void AddAuthenticationRoutes(Router& router);  // authentication.cc

// The mapping-rule search (MappingRuleSearchQueryRequest → MappingRuleSearchQueryResult) over the
// rules whose ids are in `within` (a container's members), showing those the caller may READ
// (403 when it may read none), as the document requires MAPPING_RULE READ for these searches.
HttpResponse SearchMappingRulesWithin(const RequestContext& context,
                                      const std::set<std::string>& within);

}  // namespace clearance::server::v2_internal

#endif  // CLEARANCE_SERVER_V2_RESOURCES_H_
