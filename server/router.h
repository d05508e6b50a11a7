// Routing: (method, path pattern) → handler, with authentication and the common problems
// (404 for an unknown path, 405 for a known path with another method, 401 for a request without
// a usable principal) in one place.
//
// Patterns are literal segments and "{name}" parameters: "/v2/groups/{groupId}/users/{username}".
// A parameter matches one non-empty segment, percent-decoded; a decoded segment holding '/' or a
// control character is refused with 400 (ids never contain them).
//
// Thread-safety: routes are added before serving starts; Handle() may then be called from any
// number of threads.
#ifndef CLEARANCE_SERVER_ROUTER_H_
#define CLEARANCE_SERVER_ROUTER_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clearance/catalog.h"
#include "clearance/serving_store.h"
#include "server/auth.h"
#include "server/http_message.h"

namespace clearance::server {

class Metrics;

// What every handler can reach.
struct ServerState {
  ServingStore* store = nullptr;
  const Authenticator* auth = nullptr;
  Metrics* metrics = nullptr;  // may be null (tests)
};

struct RequestContext {
  const HttpRequest& request;
  std::vector<std::string> params;  // the pattern's {parameters}, decoded, in order
  const CallerIdentity& caller;     // authenticated unless the route is public
  ServerState& server;
  std::string_view route;           // the matched pattern, for metrics and logs
};

using RouteHandler = std::function<HttpResponse(RequestContext&)>;

enum class Access {
  kAuthenticated,  // 401 unless the caller authenticates
  kPublic,         // no credentials needed (status, metrics, openapi document)
};

class Router {
 public:
  void Add(std::string_view method, std::string_view pattern, RouteHandler handler,
           Access access = Access::kAuthenticated);
  // Matches, authenticates (state.auth) and calls the handler. A handler that throws is a bug:
  // the exception is turned into a 500 problem and logged.
  // `route` (when not null) receives the matched pattern, "" when none matched (metrics).
  HttpResponse Handle(const HttpRequest& request, ServerState& state,
                      std::string_view* route = nullptr) const;
  // Every pattern added, once each, in the order added.
  std::vector<std::string> Patterns() const;
  // The pattern `request` matches ("" when none), for metrics.
  std::string_view RouteOf(const HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{x}" for a parameter
    RouteHandler handler;
    Access access;
  };
  std::vector<Route> routes_;
};

// The engine's decision for the caller on one resource: nullopt when allowed, else the problem
// Camunda answers — 403 "FORBIDDEN" with "Insufficient permissions to perform operation
// 'CREATE' on resource 'GROUP'" (", required resource identifiers are one of '[*, id]'" when an
// id is given), 404 when the engine hides the resource (tenant), 401 when unauthenticated.
std::optional<HttpResponse> Require(const RequestContext& context, ResourceType type,
                                    Permission permission, std::string_view resource_id = {});

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_ROUTER_H_
