// The OpenAPI document: served without credentials, valid JSON, and listing exactly the routes
// the router has under /clearance/v1 and the catalog's names.
#include <set>
#include <string>
#include <utility>

#include "decision_test_fixture.h"
#include "gtest/gtest.h"

namespace clearance::server::decision_test {
namespace {

using Operation = std::pair<std::string, std::string>;  // (method, path)

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

TEST_F(DecisionApiTest, OpenApiDocumentIsPublicAndValid) {
  HttpResponse r = router_.Handle(Request("GET", "/clearance/v1/openapi.json", "", ""), state_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, decision::OpenApiDocument());
  auto json = ParseJson(r.body);
  EXPECT_EQ(Str(json->root, "openapi").substr(0, 2), "3.");
}

TEST_F(DecisionApiTest, OpenApiDocumentListsEveryRouteAndNoOther) {
  auto json = ParseJson(std::string(decision::OpenApiDocument()));
  std::set<Operation> documented;
  simdjson::dom::object paths;
  ASSERT_EQ(json->root["paths"].get_object().get(paths), simdjson::SUCCESS);
  for (simdjson::dom::key_value_pair path : paths) {
    simdjson::dom::object methods;
    ASSERT_EQ(path.value.get_object().get(methods), simdjson::SUCCESS);
    for (simdjson::dom::key_value_pair method : methods) {
      documented.emplace(Upper(method.key), std::string(path.key));
    }
  }
  std::set<Operation> routed;
  for (const decision::DecisionRoute& route : decision::DecisionRoutes()) {
    routed.emplace(std::string(route.method), std::string(route.pattern));
    // The router really has it: the route answers, neither 404 nor 405.
    const HttpRequest request = Request(std::string(route.method), std::string(route.pattern));
    EXPECT_EQ(router_.RouteOf(request), route.pattern);
    const int status = router_.Handle(request, state_).status;
    EXPECT_NE(status, 404) << route.method << " " << route.pattern;
    EXPECT_NE(status, 405) << route.method << " " << route.pattern;
  }
  EXPECT_EQ(documented, routed);
  // And nothing else under /clearance/v1 answers: a method the document does not list is 405.
  for (const Operation& op : documented) {
    for (const char* method : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
      if (documented.contains({method, op.second})) continue;
      EXPECT_EQ(router_.Handle(Request(method, op.second), state_).status, 405)
          << method << " " << op.second;
    }
  }
}

TEST_F(DecisionApiTest, OpenApiEnumsAreTheCatalog) {
  auto json = ParseJson(std::string(decision::OpenApiDocument()));
  Element schemas = json->root["components"]["schemas"];
  std::vector<std::string> types, permissions;
  ForEachResourceType([&](ResourceType t) { types.emplace_back(Name(t)); });
  ForEachPermission(AllPermissions(), [&](Permission p) { permissions.emplace_back(Name(p)); });
  EXPECT_EQ(Strings(schemas["ResourceType"], "enum"), types);
  EXPECT_EQ(Strings(schemas["Permission"], "enum"), permissions);
  std::vector<std::string> outcomes;
  for (Outcome o :
       {Outcome::kAllow, Outcome::kForbidden, Outcome::kNotFound, Outcome::kUnauthenticated}) {
    outcomes.emplace_back(Name(o));
  }
  EXPECT_EQ(Strings(schemas["Decision"]["properties"]["outcome"], "enum"), outcomes);
}

}  // namespace
}  // namespace clearance::server::decision_test
