// Camunda's /v2 identity REST API over a ServingStore: authorizations, mapping rules, groups,
// roles, tenants, users and their memberships, and /v2/authentication/me, with the paths, bodies,
// status codes and problem documents of Camunda's OpenAPI document (the Orchestration Cluster
// API), so Camunda's generated clients work against it unchanged.
//
// Every handler asks the engine before it acts (Camunda's rules: CREATE, READ, UPDATE and DELETE
// on AUTHORIZATION, GROUP, ROLE, MAPPING_RULE, TENANT or USER with the entity's id; adding or
// removing a member needs UPDATE on the container). Searches answer with the items the caller may
// READ: every item with READ on "*", else the items whose ids it holds READ on; a caller holding
// READ on no item of the type gets 403 rather than an empty page, so a missing grant is visible.
// A container's member search needs READ on the container for bare-id members (users, clients,
// groups) and READ on the members' own type for whole-entity members (roles, mapping rules), as
// the document's required permissions say.
//
// Writes are clearance::Commands executed by the store (ServingStore::Execute): a refusal maps to
// its problem (INVALID_ARGUMENT 400, NOT_FOUND 404, ALREADY_EXISTS and FAILED_PRECONDITION 409),
// a storage failure to 503 or 500. Reads and searches read the identity state under the store's
// shared lock.
//
// Where this differs from Camunda, and why:
//   - a search by a caller with READ on no item of the type is 403, not an empty page (above);
//   - cursors are positions in the sorted result, not sort values (search.h);
//   - hasMoreTotalItems is always false: totals are exact, never capped;
//   - /v2/users answers 403 in OIDC mode (users.cc); /v2/authentication/me gives a client's id as
//     its username and canLogout false (no session to end) (authentication.cc);
//   - tenants have no numeric key, so the tenant sort field "key" sorts by tenantId;
//   - unknown body fields are ignored, so a client built from a newer document still works;
//     unknown filter operators, sort fields and enum values are 400 (they would change answers).
//
// Thread-safety: the handlers keep no state of their own; they may run on any number of threads.
#ifndef CLEARANCE_SERVER_V2_IDENTITY_ROUTES_H_
#define CLEARANCE_SERVER_V2_IDENTITY_ROUTES_H_

#include "server/router.h"

namespace clearance::server {

// Adds every /v2 identity route to `router`.
void AddIdentityRoutes(Router& router);

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_V2_IDENTITY_ROUTES_H_
