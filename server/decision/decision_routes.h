// Clearance's decision API over HTTP, under /clearance/v1 (Camunda has no public one).
//
//   GET  /clearance/v1/openapi.json          the OpenAPI 3.0 document of this API (public)
//   POST /clearance/v1/check                 one decision: {allowed, outcome, reason, generation}
//   POST /clearance/v1/check/batch           up to 1000 decisions in one call
//   POST /clearance/v1/explain               a decision with every grant path that passes
//   POST /clearance/v1/authorized-resources  the resource ids a permission is granted on
//   GET|POST /clearance/v1/authorized-tenants
//   POST /clearance/v1/what-can              the permissions granted on a resource
//   POST /clearance/v1/who-can               who holds a grant that passes (READ AUTHORIZATION)
//
// Every question is about the authenticated caller unless the body names a "subject" (see
// subject.h: a gateway asking for its own caller needs ACCESS on COMPONENT
// "clearance-decision-gateway"). Decisions are answers, not HTTP errors: a FORBIDDEN decision is
// a 200. Bad bodies are 400 problems naming the field (request_body.h).
//
// Thread-safety: the routes' handlers may run on any number of threads at once.
#ifndef CLEARANCE_SERVER_DECISION_DECISION_ROUTES_H_
#define CLEARANCE_SERVER_DECISION_DECISION_ROUTES_H_

#include <string_view>
#include <vector>

#include "server/router.h"

namespace clearance::server {

// Adds every route of the decision API to `router`.
void AddDecisionRoutes(Router& router);

namespace decision {

struct DecisionRoute {
  std::string_view method;
  std::string_view pattern;
  Access access;
};
// The routes AddDecisionRoutes adds, in order (the OpenAPI document lists the same).
const std::vector<DecisionRoute>& DecisionRoutes();

// The OpenAPI 3.0 document, compiled in from server/decision/openapi.json.
std::string_view OpenApiDocument();

}  // namespace decision
}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_DECISION_DECISION_ROUTES_H_
