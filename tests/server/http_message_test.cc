#include "server/http_message.h"

#include "gtest/gtest.h"

namespace clearance::server {
namespace {

TEST(HttpMessage, ProblemIsCamundasShape) {
  HttpResponse r = Problem(404, "NOT_FOUND", "group 'g' \"x\" not found", "/v2/groups/g");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(r.body,
            R"({"type":"about:blank","title":"NOT_FOUND","status":404,"detail":"group 'g' \"x\" not found","instance":"/v2/groups/g"})");
}

TEST(HttpMessage, StatusCodesMapToHttp) {
  EXPECT_EQ(ProblemFromStatus(absl::InvalidArgumentError("x")).status, 400);
  EXPECT_EQ(ProblemFromStatus(absl::NotFoundError("x")).status, 404);
  EXPECT_EQ(ProblemFromStatus(absl::AlreadyExistsError("x")).status, 409);
  EXPECT_EQ(ProblemFromStatus(absl::FailedPreconditionError("x")).status, 409);
  EXPECT_EQ(ProblemFromStatus(absl::UnavailableError("x")).status, 503);
  EXPECT_EQ(ProblemFromStatus(absl::DataLossError("x")).status, 500);
}

TEST(HttpMessage, PercentDecodeAndQuery) {
  EXPECT_EQ(*PercentDecode("a%2Fb%20c+d"), "a/b c+d");
  EXPECT_FALSE(PercentDecode("a%2").has_value());
  EXPECT_FALSE(PercentDecode("a%zz").has_value());
  EXPECT_EQ(*QueryParam("x=1&name=a%40b&y", "name"), "a@b");
  EXPECT_EQ(*QueryParam("x=1&y", "y"), "");
  EXPECT_FALSE(QueryParam("x=1", "z").has_value());
}

}  // namespace
}  // namespace clearance::server
