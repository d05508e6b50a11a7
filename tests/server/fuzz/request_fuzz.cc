// Fuzzes the whole request decoding of the server: the router (paths, percent-escapes,
// parameters), every route's body reader and the planner behind it, over one BASIC-mode store
// in a scratch directory. Input: "METHOD TARGET\n" then the body. Requests are sent as the
// administrator, so they reach the handlers' decoding rather than stopping at 403.
// A crash, a sanitizer report, a 5xx or a response that is not valid JSON is a finding.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "clearance/commands.h"
#include "clearance/serving_store.h"
#include "server/serve.h"
#include "server/system_routes.h"
#include "simdjson.h"

namespace {

using namespace clearance;

struct Fixture {
  std::unique_ptr<ServingStore> store;
  std::unique_ptr<server::Authenticator> auth;
  std::unique_ptr<server::Router> router;
  server::ServerState state;
  std::string authorization;
};

Fixture* MakeFixture() {
  char dir[] = "/tmp/clearance-request-fuzz-XXXXXX";
  if (mkdtemp(dir) == nullptr) std::abort();
  ServingOptions options;
  options.store.sync = false;
  auto store = ServingStore::Open(std::string(dir) + "/store", options);
  if (!store.ok()) std::abort();
  auto* f = new Fixture;
  f->store = *std::move(store);
  Configuration config;
  config.mode = AuthMode::kBasic;
  if (!f->store->Execute(Configure{config}).ok()) std::abort();
  InitializationSeed seed;
  // bcrypt cost 4 of "secret": the first request pays it, the verifier's cache the rest.
  seed.users.push_back(
      {"admin", "Admin", "", "$2b$04$vU4svV8uucLQwVQoenDUlOTw5M06vwb0I.VGBWy1Q4m9ajPAasZ4O"});
  seed.default_role_members.push_back({ContainerType::kRole, "admin", MemberType::kUser, "admin"});
  if (!f->store->Execute(Initialize{seed}).ok()) std::abort();
  f->auth = std::make_unique<server::Authenticator>(*f->store, config, nullptr);
  f->router = server::MakeRouter(server::SystemInfo{});
  f->state.store = f->store.get();
  f->state.auth = f->auth.get();
  f->authorization = "Basic " + absl::Base64Escape("admin:secret");
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = MakeFixture();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  std::string_view line = input.substr(0, newline);
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  server::HttpRequest request;
  request.method = std::string(line.substr(0, space));
  request.target = std::string(line.substr(space + 1));
  const size_t q = request.target.find('?');
  request.path = request.target.substr(0, q);
  if (q != std::string::npos) request.query = request.target.substr(q + 1);
  request.body = std::string(input.substr(newline + 1));
  request.authorization = fixture->authorization;
  request.content_type = "application/json";
  server::HttpResponse response = fixture->router->Handle(request, fixture->state);
  if (response.status >= 500 && response.status != 503) std::abort();
  if (!response.body.empty() && response.content_type.find("json") != std::string::npos) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(response.body).get(root) != simdjson::SUCCESS) std::abort();
  }
  return 0;
}
