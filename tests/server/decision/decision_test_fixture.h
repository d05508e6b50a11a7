// The decision API's suites: a BASIC-mode serving store with tenant checks on, a few users,
// groups, roles and grants, and the router with the decision routes, so each test sends an
// HttpRequest and compares the answer with the engine's own.
#ifndef CLEARANCE_TESTS_SERVER_DECISION_DECISION_TEST_FIXTURE_H_
#define CLEARANCE_TESTS_SERVER_DECISION_DECISION_TEST_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "../server_test_util.h"
#include "clearance/commands.h"
#include "gtest/gtest.h"
#include "server/auth.h"
#include "server/decision/decision_routes.h"
#include "server/metrics.h"
#include "server/router.h"
#include "simdjson.h"

namespace clearance::server::decision_test {

using server_test::BasicAuth;
using server_test::MustExecute;
using server_test::Request;

// A parsed response body; the document keeps its own parser.
struct Json {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
};

inline std::unique_ptr<Json> ParseJson(const std::string& text) {
  auto json = std::make_unique<Json>();
  const simdjson::error_code error = json->parser.parse(text).get(json->root);
  EXPECT_EQ(error, simdjson::SUCCESS) << text;
  return json;
}

// Element lookups take simdjson's results, so lookups chain (json["a"]["b"]); a missing member
// fails the test.
using Element = simdjson::simdjson_result<simdjson::dom::element>;

inline std::string Str(Element e, std::string_view key) {
  std::string_view s;
  EXPECT_EQ(e[key].get_string().get(s), simdjson::SUCCESS) << key;
  return std::string(s);
}

inline std::vector<std::string> Strings(Element e, std::string_view key) {
  std::vector<std::string> out;
  simdjson::dom::array array;
  EXPECT_EQ(e[key].get_array().get(array), simdjson::SUCCESS) << key;
  for (simdjson::dom::element item : array) {
    std::string_view s;
    EXPECT_EQ(item.get_string().get(s), simdjson::SUCCESS);
    out.emplace_back(s);
  }
  return out;
}

inline std::string Str(simdjson::dom::element e, std::string_view key) {
  return Str(Element(std::move(e)), key);
}
inline std::vector<std::string> Strings(simdjson::dom::element e, std::string_view key) {
  return Strings(Element(std::move(e)), key);
}

class DecisionApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = server_test::OpenBasicStore(dir_);
    ASSERT_NE(store_, nullptr);
    config_.mode = AuthMode::kBasic;
    config_.tenant_checks_enabled = true;
    MustExecute(*store_, Configure{config_});
    for (const char* name : {"alice", "carol", "gateway", "auditor"}) {
      MustExecute(*store_, CreateUser{{name, name, "", std::string(server_test::kSecretHash)}});
    }
    MustExecute(*store_, CreateGroup{{"eng", "Engineering", ""}});
    MustExecute(*store_, CreateRole{{"deployer", "Deployer", ""}});
    MustExecute(*store_, CreateTenant{{"t1", "Tenant one", ""}});
    MustExecute(*store_, AddMember{{ContainerType::kGroup, "eng", MemberType::kUser, "alice"}});
    MustExecute(*store_, AddMember{{ContainerType::kGroup, "eng", MemberType::kUser, "carol"}});
    MustExecute(*store_, AddMember{{ContainerType::kRole, "deployer", MemberType::kGroup, "eng"}});
    MustExecute(*store_, AddMember{{ContainerType::kTenant, "t1", MemberType::kUser, "alice"}});
    MustExecute(*store_,
                AddMember{{ContainerType::kTenant, "<default>", MemberType::kUser, "alice"}});
    MustExecute(*store_,
                AddMember{{ContainerType::kTenant, "<default>", MemberType::kUser, "carol"}});
    Grant(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "p1",
          Bit(Permission::kReadProcessDefinition));
    carol_key_ = Grant(OwnerType::kGroup, "eng", ResourceType::kProcessDefinition, "p2",
                       Bit(Permission::kReadProcessInstance));
    Grant(OwnerType::kRole, "deployer", ResourceType::kResource, "*", Bit(Permission::kCreate));
    Grant(OwnerType::kUser, "gateway", ResourceType::kComponent, "clearance-decision-gateway",
          Bit(Permission::kAccess));
    Grant(OwnerType::kUser, "auditor", ResourceType::kComponent, "*", Bit(Permission::kAccess));
    Grant(OwnerType::kUser, "auditor", ResourceType::kAuthorization, "*", Bit(Permission::kRead));
    {
      AuthorizationSpec task;
      task.owner_type = OwnerType::kUser;
      task.owner_id = "carol";
      task.resource_type = ResourceType::kUserTask;
      task.resource_property_name = "assignee";
      task.permissions = Bit(Permission::kRead);
      MustExecute(*store_, CreateAuthorization{task});
    }

    auth_ = std::make_unique<Authenticator>(*store_, config_, nullptr);
    std::vector<std::string> patterns;
    for (const decision::DecisionRoute& route : decision::DecisionRoutes()) {
      patterns.emplace_back(route.pattern);
    }
    metrics_ = std::make_unique<Metrics>(patterns);
    state_.store = store_.get();
    state_.auth = auth_.get();
    state_.metrics = metrics_.get();
    AddDecisionRoutes(router_);
  }

  AuthorizationKey Grant(OwnerType owner_type, std::string owner_id, ResourceType type,
                         std::string resource_id, PermissionMask permissions) {
    AuthorizationSpec spec;
    spec.owner_type = owner_type;
    spec.owner_id = std::move(owner_id);
    spec.resource_type = type;
    spec.resource_id = std::move(resource_id);
    spec.permissions = permissions;
    AuthorizationKey key = 0;
    store_->Read([&](const IdentityState& state) { key = state.next_authorization_key(); });
    MustExecute(*store_, CreateAuthorization{spec});
    return key;
  }

  HttpResponse Post(std::string_view path, std::string body, std::string_view user = "admin") {
    return router_.Handle(
        Request("POST", std::string(path), std::move(body), BasicAuth(user, "secret")), state_);
  }
  HttpResponse Get(std::string_view path, std::string_view user = "admin") {
    return router_.Handle(Request("GET", std::string(path), "", BasicAuth(user, "secret")), state_);
  }

  const Engine& engine() const { return store_->engine(); }

  server_test::TempDir dir_;
  std::unique_ptr<ServingStore> store_;
  Configuration config_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<Metrics> metrics_;
  ServerState state_;
  Router router_;
  AuthorizationKey carol_key_ = 0;
};

}  // namespace clearance::server::decision_test

#endif  // CLEARANCE_TESTS_SERVER_DECISION_DECISION_TEST_FIXTURE_H_
