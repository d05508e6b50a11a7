// Metrics in Prometheus' text exposition format (GET /metrics): requests by route and status,
// request latency histograms by route, decision outcomes, write batches and apply latency, and
// the token and claims cache hit rates.
//
// Thread-safety: every member may be called from any number of threads; counters are atomics
// and routes are registered before serving starts.
#ifndef CLEARANCE_SERVER_METRICS_H_
#define CLEARANCE_SERVER_METRICS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clearance/decision.h"
#include "clearance/serving_store.h"
#include "clearance/token.h"

namespace clearance::server {

class Metrics {
 public:
  // `routes`: every route pattern requests can be counted under ("" counts unmatched requests).
  explicit Metrics(const std::vector<std::string>& routes);
  ~Metrics();

  void ObserveRequest(std::string_view route, std::string_view method, int status,
                      uint64_t nanos);
  void CountDecision(Outcome outcome, uint64_t n = 1);
  // The exposition text; `store` (may be null) adds its write statistics, `verifier` (may be
  // null) its verified-token cache's hits and misses.
  std::string Render(const ServingStore* store, const TokenVerifier* verifier = nullptr) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_METRICS_H_
