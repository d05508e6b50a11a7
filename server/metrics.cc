#include "server/metrics.h"

#include <array>
#include <atomic>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "clearance/internal/mutex.h"

namespace clearance::server {
namespace {

// Latency buckets in seconds: from the decision path's tens of microseconds to synced writes.
constexpr std::array<double, 12> kBuckets = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                             0.005,   0.01,   0.025,   0.1,    0.5,   2.5};

struct Histogram {
  std::array<uint64_t, kBuckets.size()> counts{};  // per bucket, not cumulative
  uint64_t count = 0;
  double sum = 0;
};

// Label values are route patterns and method names, which hold no '"' or '\\' or newline; a
// method as sent by a client might, so it is escaped.
std::string Escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out.append("\\n");
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

struct Metrics::Impl {
  sync_internal::Mutex mu;
  // (route, method, status) → count
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests ABSL_GUARDED_BY(mu);
  std::map<std::string, Histogram, std::less<>> latency ABSL_GUARDED_BY(mu);  // by route
  std::array<std::atomic<uint64_t>, 4> decisions{};                // by Outcome
};

Metrics::Metrics(const std::vector<std::string>& routes) : impl_(std::make_unique<Impl>()) {
  sync_internal::MutexLock lock(&impl_->mu);
  for (const std::string& route : routes) impl_->latency[route];
}

Metrics::~Metrics() = default;

void Metrics::ObserveRequest(std::string_view route, std::string_view method, int status,
                             uint64_t nanos) {
  const double seconds = static_cast<double>(nanos) / 1e9;
  // Unknown methods are counted under one label, so a client cannot grow the map.
  static constexpr std::string_view kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  std::string_view method_label = "OTHER";
  for (std::string_view m : kMethods) {
    if (m == method) method_label = m;
  }
  sync_internal::MutexLock lock(&impl_->mu);
  ++impl_->requests[{std::string(route), std::string(method_label), status}];
  auto it = impl_->latency.find(route);
  if (it == impl_->latency.end()) it = impl_->latency.find("");
  if (it == impl_->latency.end()) it = impl_->latency.emplace("", Histogram{}).first;
  Histogram& h = it->second;
  ++h.count;
  h.sum += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++h.counts[i];
      break;
    }
  }
}

void Metrics::CountDecision(Outcome outcome, uint64_t n) {
  impl_->decisions[static_cast<size_t>(outcome)].fetch_add(n, std::memory_order_relaxed);
}

std::string Metrics::Render(const ServingStore* store, const TokenVerifier* verifier) const {
  std::string out;
  out.append(
      "# HELP clearance_http_requests_total HTTP requests answered, by route pattern, method and "
      "status.\n# TYPE clearance_http_requests_total counter\n");
  {
    sync_internal::MutexLock lock(&impl_->mu);
    for (const auto& [key, count] : impl_->requests) {
      const auto& [route, method, status] = key;
      absl::StrAppend(&out, "clearance_http_requests_total{route=\"", Escape(route),
                      "\",method=\"", Escape(method), "\",status=\"", status, "\"} ", count,
                      "\n");
    }
    out.append(
        "# HELP clearance_http_request_duration_seconds Time from a complete request to its "
        "response, by route pattern.\n# TYPE clearance_http_request_duration_seconds "
        "histogram\n");
    for (const auto& [route, h] : impl_->latency) {
      if (h.count == 0) continue;
      uint64_t cumulative = 0;
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += h.counts[i];
        absl::StrAppend(&out, "clearance_http_request_duration_seconds_bucket{route=\"",
                        Escape(route), "\",le=\"", kBuckets[i], "\"} ", cumulative, "\n");
      }
      absl::StrAppend(&out, "clearance_http_request_duration_seconds_bucket{route=\"",
                      Escape(route), "\",le=\"+Inf\"} ", h.count, "\n");
      absl::StrAppend(&out, "clearance_http_request_duration_seconds_sum{route=\"", Escape(route),
                      "\"} ", h.sum, "\n");
      absl::StrAppend(&out, "clearance_http_request_duration_seconds_count{route=\"",
                      Escape(route), "\"} ", h.count, "\n");
    }
  }
  out.append(
      "# HELP clearance_decisions_total Decisions answered through the decision API, by "
      "outcome.\n# TYPE clearance_decisions_total counter\n");
  for (size_t i = 0; i < impl_->decisions.size(); ++i) {
    absl::StrAppend(&out, "clearance_decisions_total{outcome=\"",
                    std::string(Name(static_cast<Outcome>(i))), "\"} ",
                    impl_->decisions[i].load(std::memory_order_relaxed), "\n");
  }
  if (store != nullptr) {
    const ServingStats s = store->stats();
    absl::StrAppend(
        &out,
        "# HELP clearance_write_batches_total Write batches persisted (group commit).\n"
        "# TYPE clearance_write_batches_total counter\nclearance_write_batches_total ",
        s.batches,
        "\n# HELP clearance_write_commands_total Commands written, by result.\n"
        "# TYPE clearance_write_commands_total counter\n"
        "clearance_write_commands_total{result=\"applied\"} ",
        s.applied, "\nclearance_write_commands_total{result=\"refused\"} ", s.refused,
        "\n# HELP clearance_write_apply_seconds_total Time spent planning, persisting and "
        "applying write batches.\n# TYPE clearance_write_apply_seconds_total counter\n"
        "clearance_write_apply_seconds_total ",
        static_cast<double>(s.apply_nanos) / 1e9,
        "\n# HELP clearance_generation The engine's current generation.\n"
        "# TYPE clearance_generation gauge\nclearance_generation ",
        store->generation(), "\n");
  }
  if (verifier != nullptr) {
    const TokenVerifier::CacheStats c = verifier->cache_stats();
    absl::StrAppend(
        &out,
        "# HELP clearance_token_cache_lookups_total Bearer tokens looked up in the verified-token "
        "cache, by result (a hit costs no signature check).\n"
        "# TYPE clearance_token_cache_lookups_total counter\n"
        "clearance_token_cache_lookups_total{result=\"hit\"} ",
        c.hits, "\nclearance_token_cache_lookups_total{result=\"miss\"} ", c.misses,
        "\n# HELP clearance_token_cache_entries Verified tokens cached.\n"
        "# TYPE clearance_token_cache_entries gauge\nclearance_token_cache_entries ",
        c.entries, "\n");
  }
  return out;
}

}  // namespace clearance::server
