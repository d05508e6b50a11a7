#include "server/system_routes.h"

#include <memory>

#include "server/json_writer.h"
#include "server/metrics.h"

namespace clearance::server {

void AddSystemRoutes(Router& router, SystemInfo info) {
  router.Add(
      "GET", "/v2/status",
      [](RequestContext& c) {
        absl::Status health = c.server.store->health();
        if (health.ok()) return NoContent();
        return ProblemFromStatus(absl::UnavailableError(std::string(health.message())),
                                 c.request.path);
      },
      Access::kPublic);

  auto shared = std::make_shared<const SystemInfo>(std::move(info));
  router.Add("GET", "/v2/topology", [shared](RequestContext& c) {
    const bool healthy = c.server.store->health().ok();
    JsonWriter w;
    w.BeginObject();
    w.Key("brokers");
    w.BeginArray();
    w.BeginObject();
    w.Field("nodeId", 0);
    w.Field("brokerId", "0");
    w.Field("host", shared->host);
    w.Field("port", shared->port);
    w.Key("partitions");
    w.BeginArray();
    w.BeginObject();
    w.Field("partitionId", 1);
    w.Field("role", "leader");
    w.Field("health", healthy ? "healthy" : "unhealthy");
    w.Field("state", "active");
    w.EndObject();
    w.EndArray();
    w.Field("version", shared->version);
    w.EndObject();
    w.EndArray();
    w.Key("clusterId");
    w.Null();
    w.Field("clusterSize", 1);
    w.Field("partitionsCount", 1);
    w.Field("replicationFactor", 1);
    w.Field("gatewayVersion", shared->version);
    w.Field("lastCompletedChangeId", "-1");
    w.EndObject();
    return JsonResponse(200, std::move(w).Take());
  });

  router.Add(
      "GET", "/metrics",
      [](RequestContext& c) {
        HttpResponse r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = c.server.metrics != nullptr ? c.server.metrics->Render(
                         c.server.store, c.server.auth != nullptr ? c.server.auth->verifier() : nullptr) : "";
        return r;
      },
      Access::kPublic);
}

}  // namespace clearance::server
