// The check handler's hot path allocates only its response: the body is read into views of the
// thread's warm parser, checked through a CheckRequestView and written into one string.
#include "alloc_counter.h"
#include "decision_test_fixture.h"
#include "gtest/gtest.h"
#include "server/decision/handlers.h"

namespace clearance::server::decision_test {
namespace {

TEST_F(DecisionApiTest, WarmCheckAllocatesOnlyItsResponse) {
  ASSERT_TRUE(support::AllocationsCounted());
  const HttpRequest request = Request(
      "POST", "/clearance/v1/check",
      R"({"resourceType":"PROCESS_DEFINITION","permission":"READ_PROCESS_INSTANCE",)"
      R"("resourceIds":["p2","p1"],"tenantId":"t1",)"
      R"("userTask":{"assignee":"carol","candidateUsers":["a"],"candidateGroups":["eng"]}})",
      BasicAuth("alice", "secret"));
  const CallerIdentity caller = *auth_->Authenticate(request.authorization);
  ASSERT_TRUE(caller.authenticated);
  RequestContext context{request, {}, caller, state_, "/clearance/v1/check"};
  for (int i = 0; i < 3; ++i) ASSERT_EQ(decision::HandleCheck(context).status, 200);

  const uint64_t before = support::AllocationCount();
  HttpResponse response = decision::HandleCheck(context);
  const uint64_t allocations = support::AllocationCount() - before;
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find(R"("outcome":"ALLOW")"), std::string::npos) << response.body;
  // The body, and HttpResponse's content type ("application/json" is one byte over libstdc++'s
  // short-string buffer).
  EXPECT_LE(allocations, 2u);
}

}  // namespace
}  // namespace clearance::server::decision_test
