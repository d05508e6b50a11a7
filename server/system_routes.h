// Health and operations routes: GET /v2/status (public: 204 while the store takes writes, 503
// once a write failed), GET /v2/topology (Camunda's shape, this server as the one broker with
// one partition), GET /clearance/v1/health (authenticated: the store and each issuer's key set,
// every key used or skipped with its reason; 503 when either is unusable) and GET /metrics
// (public, Prometheus text).
#ifndef CLEARANCE_SERVER_SYSTEM_ROUTES_H_
#define CLEARANCE_SERVER_SYSTEM_ROUTES_H_

#include <string>

#include "server/router.h"

namespace clearance::server {

struct SystemInfo {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string version;  // the server's version, reported as gatewayVersion and broker version
};

void AddSystemRoutes(Router& router, SystemInfo info);

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_SYSTEM_ROUTES_H_
