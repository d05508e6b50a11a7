// Helpers for the server suites: a serving store on a scratch directory, initialized in BASIC
// mode with an administrator, and requests with basic credentials.
#ifndef CLEARANCE_TESTS_SERVER_SERVER_TEST_UTIL_H_
#define CLEARANCE_TESTS_SERVER_SERVER_TEST_UTIL_H_

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "clearance/commands.h"
#include "clearance/serving_store.h"
#include "gtest/gtest.h"
#include "server/http_message.h"
#include "../storage/store_test_util.h"

namespace clearance::server_test {

using storage_test::TempDir;

// bcrypt (cost 4, to keep tests fast) of "secret".
inline constexpr std::string_view kSecretHash =
    "$2b$04$vU4svV8uucLQwVQoenDUlOTw5M06vwb0I.VGBWy1Q4m9ajPAasZ4O";

inline void MustExecute(ServingStore& store, Command command) {
  const std::string name(CommandName(command));
  absl::StatusOr<ApplyResult> r = store.Execute(std::move(command));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->outcome, ApplyResult::Outcome::kApplied) << name << ": " << r->refusal;
}

// A BASIC-mode store whose user "admin" (password "secret") is a member of the admin role, and
// whose user "bob" (password "secret") has no grants.
inline std::unique_ptr<ServingStore> OpenBasicStore(const TempDir& dir,
                                                    StoreOptions store_options = {}) {
  store_options.sync = false;
  ServingOptions options;
  options.store = store_options;
  absl::StatusOr<std::unique_ptr<ServingStore>> store =
      ServingStore::Open(dir.Sub("store"), options);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return nullptr;
  Configuration config;
  config.mode = AuthMode::kBasic;
  MustExecute(**store, Configure{config});
  InitializationSeed seed;
  seed.users.push_back({"admin", "Admin", "admin@example.com", std::string(kSecretHash)});
  seed.users.push_back({"bob", "Bob", "", std::string(kSecretHash)});
  seed.default_role_members.push_back(
      {ContainerType::kRole, "admin", MemberType::kUser, "admin"});
  MustExecute(**store, Initialize{seed});
  return *std::move(store);
}

inline std::string BasicAuth(std::string_view user, std::string_view password) {
  return "Basic " + absl::Base64Escape(std::string(user) + ":" + std::string(password));
}

inline server::HttpRequest Request(std::string method, std::string target,
                                   std::string body = {},
                                   std::string authorization = BasicAuth("admin", "secret")) {
  server::HttpRequest r;
  r.method = std::move(method);
  r.target = target;
  const size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  r.body = std::move(body);
  r.authorization = std::move(authorization);
  r.content_type = "application/json";
  r.remote = "127.0.0.1:1";
  return r;
}

}  // namespace clearance::server_test

#endif  // CLEARANCE_TESTS_SERVER_SERVER_TEST_UTIL_H_
