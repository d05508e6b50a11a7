#include "server/system_routes.h"

#include <memory>

#include "clearance/token.h"
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

  // Clearance's own health page: the store, and the key set each trusted issuer verifies with
  // (every key used, or skipped and why), so a key nobody can use shows before tokens fail with
  // unknown_key. 503 when the store refuses writes or an issuer has no usable key set.
  router.Add("GET", "/clearance/v1/health", [](RequestContext& c) {
    const absl::Status store_health = c.server.store->health();
    bool healthy = store_health.ok();
    JsonWriter w;
    w.BeginObject();
    w.Key("store");
    w.BeginObject();
    w.Field("status", store_health.ok() ? "healthy" : "unhealthy");
    if (!store_health.ok()) w.Field("detail", std::string(store_health.message()));
    w.Field("generation", c.server.store->generation());
    w.EndObject();
    w.Key("issuers");
    w.BeginArray();
    const TokenVerifier* verifier = c.server.auth != nullptr ? c.server.auth->verifier() : nullptr;
    if (verifier != nullptr) {
      for (const KeyLoadReport& r : verifier->KeyLoadReports()) {
        healthy = healthy && r.loaded;
        w.BeginObject();
        w.Field("issuer", r.issuer);
        w.Field("source", r.source);
        w.Field("loaded", r.loaded);
        if (!r.last_error.empty()) w.Field("lastError", r.last_error);
        w.Key("keys");
        w.BeginArray();
        for (const JwkLoadOutcome& k : r.keys) {
          w.BeginObject();
          w.Field("index", static_cast<uint64_t>(k.index));
          w.Field("kid", k.kid);
          w.Field("used", k.used);
          if (!k.used) w.Field("reason", k.reason);
          w.EndObject();
        }
        w.EndArray();
        w.EndObject();
      }
    }
    w.EndArray();
    w.Field("status", healthy ? "healthy" : "unhealthy");
    w.EndObject();
    return JsonResponse(healthy ? 200 : 503, std::move(w).Take());
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
