#include "server/decision/decision_routes.h"

#include <string>

#include "server/decision/handlers.h"

namespace clearance::server {
namespace decision {
namespace {

HttpResponse HandleOpenApi(RequestContext&) {
  HttpResponse response;
  response.body = std::string(OpenApiDocument());
  return response;
}

struct RouteEntry {
  DecisionRoute route;
  HttpResponse (*handler)(RequestContext&);
};

const std::vector<RouteEntry>& Entries() {
  static const std::vector<RouteEntry> kEntries = {
      {{"GET", "/clearance/v1/openapi.json", Access::kPublic}, HandleOpenApi},
      {{"POST", "/clearance/v1/check", Access::kAuthenticated}, HandleCheck},
      {{"POST", "/clearance/v1/check/batch", Access::kAuthenticated}, HandleCheckBatch},
      {{"POST", "/clearance/v1/explain", Access::kAuthenticated}, HandleExplain},
      {{"POST", "/clearance/v1/authorized-resources", Access::kAuthenticated},
       HandleAuthorizedResources},
      {{"GET", "/clearance/v1/authorized-tenants", Access::kAuthenticated},
       HandleAuthorizedTenants},
      {{"POST", "/clearance/v1/authorized-tenants", Access::kAuthenticated},
       HandleAuthorizedTenants},
      {{"POST", "/clearance/v1/what-can", Access::kAuthenticated}, HandleWhatCan},
      {{"POST", "/clearance/v1/who-can", Access::kAuthenticated}, HandleWhoCan},
  };
  return kEntries;
}

}  // namespace

const std::vector<DecisionRoute>& DecisionRoutes() {
  static const std::vector<DecisionRoute> kRoutes = [] {
    std::vector<DecisionRoute> routes;
    for (const RouteEntry& entry : Entries()) routes.push_back(entry.route);
    return routes;
  }();
  return kRoutes;
}

}  // namespace decision

void AddDecisionRoutes(Router& router) {
  for (const decision::RouteEntry& entry : decision::Entries()) {
    router.Add(entry.route.method, entry.route.pattern, entry.handler, entry.route.access);
  }
}

}  // namespace clearance::server
