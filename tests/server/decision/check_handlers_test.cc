// POST /clearance/v1/check, /check/batch and /explain against the engine's own answers.
#include <string>
#include <vector>

#include "clearance/internal/strings.h"
#include "decision_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/json_writer.h"

namespace clearance::server::decision_test {
namespace {

using ::testing::HasSubstr;

std::string BodyOf(const CheckRequest& r, std::string_view subject_json = {}) {
  JsonWriter w;
  w.BeginObject();
  w.Field("resourceType", Name(r.resource_type));
  w.Field("permission", Name(r.permission));
  w.Key("resourceIds");
  w.BeginArray();
  for (const std::string& id : r.resource_ids) w.String(id);
  w.EndArray();
  if (r.tenant_id) w.Field("tenantId", *r.tenant_id);
  if (r.new_resource) w.Field("newResource", true);
  if (r.user_task) {
    w.Key("userTask");
    w.BeginObject();
    if (r.user_task->assignee) w.Field("assignee", *r.user_task->assignee);
    w.Key("candidateUsers");
    w.BeginArray();
    for (const std::string& u : r.user_task->candidate_users) w.String(u);
    w.EndArray();
    w.Key("candidateGroups");
    w.BeginArray();
    for (const std::string& g : r.user_task->candidate_groups) w.String(g);
    w.EndArray();
    w.EndObject();
  }
  if (!subject_json.empty()) {
    w.Key("subject");
    w.Raw(subject_json);
  }
  w.EndObject();
  return std::move(w).Take();
}

CheckRequest Make(ResourceType type, Permission permission, std::vector<std::string> ids,
                  std::optional<std::string> tenant = std::nullopt, bool new_resource = false) {
  CheckRequest r;
  r.resource_type = type;
  r.permission = permission;
  r.resource_ids = std::move(ids);
  r.tenant_id = std::move(tenant);
  r.new_resource = new_resource;
  return r;
}

// Requests that reach every outcome the fixture allows: grants by user, group and role, ANY
// scopes, a PROPERTY scope, tenants owned and not owned, new resources.
std::vector<CheckRequest> Requests() {
  using P = Permission;
  using T = ResourceType;
  std::vector<CheckRequest> out = {
      Make(T::kProcessDefinition, P::kReadProcessDefinition, {"p1"}),
      Make(T::kProcessDefinition, P::kReadProcessDefinition, {"p2"}),
      Make(T::kProcessDefinition, P::kReadProcessDefinition, {}),
      Make(T::kProcessDefinition, P::kReadProcessInstance, {"p2", "p1"}),
      Make(T::kProcessDefinition, P::kReadProcessInstance, {"p2"}, "t1"),
      Make(T::kProcessDefinition, P::kReadProcessInstance, {"p2"}, "t2"),
      Make(T::kProcessDefinition, P::kReadProcessInstance, {"p2"}, "t2", true),
      Make(T::kResource, P::kCreate, {"r9"}),
      Make(T::kResource, P::kDeleteResource, {"r9"}),
      Make(T::kGroup, P::kDelete, {"eng"}),
      Make(T::kAuthorization, P::kRead, {}),
  };
  CheckRequest task = Make(T::kUserTask, P::kRead, {"task-1"});
  task.user_task = UserTaskProperties{"carol", {"alice"}, {"eng"}};
  out.push_back(task);
  task.user_task = UserTaskProperties{std::nullopt, {"carol"}, {}};
  out.push_back(task);
  return out;
}

TEST_F(DecisionApiTest, CheckAnswersAsTheEngine) {
  int allowed = 0, forbidden = 0, not_found = 0;
  for (const char* user : {"admin", "alice", "carol", "bob"}) {
    for (const CheckRequest& request : Requests()) {
      const std::string body = BodyOf(request);
      HttpResponse r = Post("/clearance/v1/check", body, user);
      ASSERT_EQ(r.status, 200) << user << " " << body << ": " << r.body;
      const Decision expected = engine().Check(Caller::BasicUser(user), request);
      auto json = ParseJson(r.body);
      EXPECT_EQ(Str(json->root, "outcome"), Name(expected.outcome)) << user << " " << body;
      EXPECT_EQ(Str(json->root, "reason"), Name(expected.reason)) << user << " " << body;
      bool allowed_field = false;
      EXPECT_EQ(json->root["allowed"].get_bool().get(allowed_field), simdjson::SUCCESS);
      EXPECT_EQ(allowed_field, expected.allowed());
      uint64_t generation = 0;
      EXPECT_EQ(json->root["generation"].get_uint64().get(generation), simdjson::SUCCESS);
      EXPECT_EQ(generation, store_->generation());
      allowed += expected.outcome == Outcome::kAllow;
      forbidden += expected.outcome == Outcome::kForbidden;
      not_found += expected.outcome == Outcome::kNotFound;
    }
  }
  // The fixture is only a referee if it reaches every identified outcome.
  EXPECT_GT(allowed, 0);
  EXPECT_GT(forbidden, 0);
  EXPECT_GT(not_found, 0);
  EXPECT_THAT(metrics_->Render(nullptr),
              HasSubstr(strings_internal::StrCat("clearance_decisions_total{outcome=\"ALLOW\"} ",
                                                 allowed)));
}

TEST_F(DecisionApiTest, ForbiddenIsAnAnswerNotAnHttpError) {
  HttpResponse r =
      Post("/clearance/v1/check",
           R"({"resourceType":"group","permission":"delete","resourceIds":["eng"]})", "bob");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            strings_internal::StrCat(
                R"({"allowed":false,"outcome":"FORBIDDEN","reason":"INSUFFICIENT_PERMISSIONS",)",
                R"("generation":)", store_->generation(), "}"));
}

TEST_F(DecisionApiTest, BatchEqualsSingles) {
  for (const char* user : {"alice", "carol"}) {
    std::string body = R"({"requests":[)";
    std::vector<std::string> singles;
    const std::vector<CheckRequest> requests = Requests();
    for (size_t i = 0; i < requests.size(); ++i) {
      if (i > 0) body += ",";
      body += BodyOf(requests[i]);
      singles.push_back(Post("/clearance/v1/check", BodyOf(requests[i]), user).body);
    }
    body += "]}";
    HttpResponse r = Post("/clearance/v1/check/batch", body, user);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, strings_internal::StrCat(R"({"results":[)",
                                               strings_internal::StrJoin(singles, ","), "]}"));
  }
}

TEST_F(DecisionApiTest, BatchWithSubjectsPerElementEqualsSingles) {
  const std::vector<CheckRequest> requests = Requests();
  std::string body = R"({"subject":{"username":"carol"},"requests":[)";
  std::vector<std::string> expected;
  for (size_t i = 0; i < requests.size(); ++i) {
    const std::string subject = i % 2 == 0 ? "" : R"({"username":"alice"})";
    if (i > 0) body += ",";
    body += BodyOf(requests[i], subject);
    const Decision d =
        engine().Check(Caller::BasicUser(i % 2 == 0 ? "carol" : "alice"), requests[i]);
    expected.push_back(strings_internal::StrCat(
        R"({"allowed":)", d.allowed() ? "true" : "false", R"(,"outcome":")", Name(d.outcome),
        R"(","reason":")", Name(d.reason), R"(","generation":)", store_->generation(), "}"));
  }
  body += "]}";
  HttpResponse r = Post("/clearance/v1/check/batch", body, "auditor");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, strings_internal::StrCat(R"({"results":[)",
                                             strings_internal::StrJoin(expected, ","), "]}"));
}

TEST_F(DecisionApiTest, BatchSaysItsLimit) {
  std::string body = R"({"requests":[)";
  for (int i = 0; i < 1001; ++i) {
    if (i > 0) body += ",";
    body += R"({"resourceType":"GROUP","permission":"READ"})";
  }
  body += "]}";
  HttpResponse r = Post("/clearance/v1/check/batch", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("requests: 1001 requests; expected at most 1000 per batch"));
  EXPECT_EQ(Post("/clearance/v1/check/batch", R"({"requests":[]})").body, R"({"results":[]})");
}

TEST_F(DecisionApiTest, ExplainListsTheGrantPath) {
  const CheckRequest request =
      Make(ResourceType::kProcessDefinition, Permission::kReadProcessInstance, {"p2"});
  HttpResponse r = Post("/clearance/v1/explain", BodyOf(request), "carol");
  ASSERT_EQ(r.status, 200) << r.body;
  auto json = ParseJson(r.body);
  const Explanation expected = engine().Explain(Caller::BasicUser("carol"), request);
  EXPECT_EQ(Str(json->root, "outcome"), "ALLOW");
  EXPECT_EQ(Str(json->root, "message"), expected.message);
  EXPECT_EQ(Strings(json->root, "requiredIds"), std::vector<std::string>{"p2"});
  EXPECT_EQ(Str(json->root["principal"], "type"), "USER");
  EXPECT_EQ(Str(json->root["principal"], "id"), "carol");
  simdjson::dom::array grants;
  ASSERT_EQ(json->root["grants"].get_array().get(grants), simdjson::SUCCESS);
  ASSERT_EQ(grants.size(), 1u) << r.body;
  Element grant = grants.at(0);
  EXPECT_EQ(Str(grant, "authorizationKey"), std::to_string(carol_key_));
  simdjson::dom::array chain;
  ASSERT_EQ(grant["chain"].get_array().get(chain), simdjson::SUCCESS);
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(Str(chain.at(0), "id"), "carol");
  EXPECT_EQ(Str(chain.at(1), "type"), "GROUP");
  EXPECT_EQ(Str(chain.at(1), "id"), "eng");

  r = Post("/clearance/v1/explain", BodyOf(request), "bob");
  ASSERT_EQ(r.status, 200);
  json = ParseJson(r.body);
  EXPECT_EQ(Str(json->root, "outcome"), "FORBIDDEN");
  EXPECT_EQ(Str(json->root, "message"),
            engine().Explain(Caller::BasicUser("bob"), request).message);
}

TEST_F(DecisionApiTest, AskingForAnotherNeedsTheGatewayPermission) {
  const std::string body =
      BodyOf(Make(ResourceType::kProcessDefinition, Permission::kReadProcessDefinition, {"p1"}),
             R"({"username":"alice"})");
  // No gateway permission at all.
  HttpResponse r = Post("/clearance/v1/check", body, "bob");
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("'ACCESS' on resource 'COMPONENT'"));
  EXPECT_THAT(r.body, HasSubstr("clearance-decision-gateway"));
  // The gateway permission, but a username subject also needs READ on AUTHORIZATION.
  r = Post("/clearance/v1/check", body, "gateway");
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("'READ' on resource 'AUTHORIZATION'"));
  // Both: alice's decision, not the auditor's.
  r = Post("/clearance/v1/check", body, "auditor");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(R"("outcome":"ALLOW")"));
  EXPECT_EQ(Post("/clearance/v1/check",
                 BodyOf(Make(ResourceType::kProcessDefinition, Permission::kReadProcessDefinition,
                             {"p1"})),
                 "auditor")
                .body.find(R"("outcome":"ALLOW")"),
            std::string::npos);
  // An unknown subject is an answer.
  r = Post("/clearance/v1/check",
           BodyOf(Make(ResourceType::kGroup, Permission::kRead, {}), R"({"username":"nobody"})"),
           "auditor");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr(R"("outcome":"UNAUTHENTICATED","reason":"UNKNOWN_USER")"));
  // Tokens and claims identify OIDC callers; this server runs in BASIC mode.
  r = Post("/clearance/v1/check",
           BodyOf(Make(ResourceType::kGroup, Permission::kRead, {}), R"({"token":"a.b.c"})"),
           "gateway");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("subject.token"));
  r = Post("/clearance/v1/check",
           BodyOf(Make(ResourceType::kGroup, Permission::kRead, {}), R"({"claims":{"sub":"x"}})"),
           "auditor");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("subject.claims"));
}

TEST_F(DecisionApiTest, TheGatewaysOwnMissingCredentialsAre401) {
  HttpRequest request =
      Request("POST", "/clearance/v1/check", R"({"resourceType":"GROUP","permission":"READ"})", "");
  EXPECT_EQ(router_.Handle(request, state_).status, 401);
  request.authorization = BasicAuth("gateway", "wrong");
  EXPECT_EQ(router_.Handle(request, state_).status, 401);
}

TEST_F(DecisionApiTest, MalformedBodiesAre400sNamingTheField) {
  struct Case {
    std::string body;
    std::string detail;
  };
  const std::vector<Case> cases = {
      {"", "request body: empty; expected a JSON object"},
      {"{", "request body: not valid JSON"},
      {"[]", "request body: expected a JSON object, found an array"},
      {R"({"permission":"READ"})", "resourceType: No resourceType provided"},
      {R"({"resourceType":null,"permission":"READ"})", "resourceType: No resourceType provided"},
      {R"({"resourceType":"GROUP"})", "permission: No permission provided"},
      {R"({"resourceType":"NOPE","permission":"READ"})", "resourceType: "},
      {R"({"resourceType":7,"permission":"READ"})",
       "resourceType: expected a string, found a number"},
      {R"({"resourceType":"GROUP","permission":"FLY"})", "permission: "},
      {R"({"resourceType":"GROUP","permission":"READ","resourceIds":"g1"})",
       "resourceIds: expected an array of strings, found a string"},
      {R"({"resourceType":"GROUP","permission":"READ","resourceIds":["g1",2]})",
       "resourceIds[1]: expected a string, found a number"},
      {R"({"resourceType":"GROUP","permission":"READ","resourceID":["g1"]})",
       "resourceID: unknown field; expected only resourceType, permission, resourceIds"},
      {R"({"resourceType":"GROUP","permission":"READ","permission":"READ"})",
       "permission: given twice"},
      {R"({"resourceType":"GROUP","permission":"READ","newResource":"yes"})",
       "newResource: expected a boolean, found a string"},
      {R"({"resourceType":"USER_TASK","permission":"READ","userTask":{"candidateGroups":[null]}})",
       "userTask.candidateGroups[0]: expected a string, found null"},
      {R"({"resourceType":"USER_TASK","permission":"READ","userTask":{"owner":"x"}})",
       "userTask.owner: unknown field"},
      {R"({"resourceType":"GROUP","permission":"READ","subject":{}})",
       "subject: names nobody; expected exactly one of token, claims, username"},
      {R"({"resourceType":"GROUP","permission":"READ","subject":{"username":"a","token":"t"}})",
       "subject: names more than one principal"},
      {R"({"resourceType":"GROUP","permission":"READ","subject":{"claims":[]}})",
       "subject.claims: expected an object, found an array"},
  };
  for (const Case& c : cases) {
    const uint64_t generation = store_->generation();
    for (const char* path : {"/clearance/v1/check", "/clearance/v1/explain"}) {
      HttpResponse r = Post(path, c.body);
      EXPECT_EQ(r.status, 400) << path << " " << c.body << ": " << r.body;
      EXPECT_EQ(r.content_type, "application/problem+json");
      EXPECT_THAT(r.body, HasSubstr(c.detail)) << path << " " << c.body;
      EXPECT_THAT(r.body, HasSubstr("INVALID_ARGUMENT"));
    }
    EXPECT_EQ(store_->generation(), generation);  // bad input changes nothing
  }
  // An unknown enum value lists the accepted ones.
  HttpResponse r = Post("/clearance/v1/check", R"({"resourceType":"NOPE","permission":"READ"})");
  EXPECT_THAT(r.body, HasSubstr("PROCESS_DEFINITION"));
  EXPECT_THAT(r.body, HasSubstr("NOPE"));
  r = Post(
      "/clearance/v1/check/batch",
      R"({"requests":[{"resourceType":"GROUP","permission":"READ"},{"resourceType":"GROUP"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("requests[1].permission: No permission provided"));
  r = Post("/clearance/v1/check/batch", R"({"requests":[1]})");
  EXPECT_THAT(r.body, HasSubstr("requests[0]: expected a check request object, found a number"));
  r = Post("/clearance/v1/check/batch", R"({})");
  EXPECT_THAT(r.body, HasSubstr("requests: No requests provided"));
}

}  // namespace
}  // namespace clearance::server::decision_test
