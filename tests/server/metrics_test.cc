#include "server/metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Metrics, CountsRequestsByRouteMethodStatusAndBucketsLatency) {
  Metrics metrics({"/v2/groups/{groupId}", ""});
  metrics.ObserveRequest("/v2/groups/{groupId}", "GET", 200, 40'000);     // 40 µs
  metrics.ObserveRequest("/v2/groups/{groupId}", "GET", 200, 3'000'000);  // 3 ms
  metrics.ObserveRequest("/v2/groups/{groupId}", "BREW", 405, 1'000);
  metrics.ObserveRequest("/nowhere", "GET", 404, 1'000);  // unregistered: counted under ""
  metrics.CountDecision(Outcome::kAllow, 3);
  metrics.CountDecision(Outcome::kForbidden);
  const std::string text = metrics.Render(nullptr);
  EXPECT_THAT(text, HasSubstr("clearance_http_requests_total{route=\"/v2/groups/{groupId}\","
                              "method=\"GET\",status=\"200\"} 2\n"));
  // An unknown method is one label, so a client cannot grow the series.
  EXPECT_THAT(text, HasSubstr("method=\"OTHER\",status=\"405\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("BREW")));
  EXPECT_THAT(text, HasSubstr("clearance_http_request_duration_seconds_bucket{route=\"/v2/groups/"
                              "{groupId}\",le=\"5e-05\"} 2\n"));  // 40 µs and the 1 µs 405
  EXPECT_THAT(text, HasSubstr("clearance_http_request_duration_seconds_bucket{route=\"/v2/groups/"
                              "{groupId}\",le=\"0.005\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("clearance_http_request_duration_seconds_count{route=\"\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("clearance_decisions_total{outcome=\"ALLOW\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("clearance_decisions_total{outcome=\"FORBIDDEN\"} 1\n"));
}

}  // namespace
}  // namespace clearance::server
