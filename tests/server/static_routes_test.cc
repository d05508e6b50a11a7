#include "server/static_routes.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server_test_util.h"

namespace clearance::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using server_test::TempDir;

void Write(const std::string& path, std::string_view text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string Header(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class StaticRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Write(dir_.Sub("dist/index.html"), "<html>console</html>");
    Write(dir_.Sub("dist/assets/index-abc.js"), "console.log(1)");
    Write(dir_.Sub("dist/assets/index-abc.css"), "body{}");
    Write(dir_.Sub("dist/.env"), "hidden");
    Write(dir_.Sub("secret.txt"), "outside");
    std::filesystem::create_symlink(dir_.Sub("secret.txt"), dir_.Sub("dist/assets/link.txt"));
    AddStaticRoutes(router_, dir_.Sub("dist"));
  }

  HttpResponse Get(std::string target) {
    HttpRequest r = server_test::Request("GET", std::move(target), "", "");
    return router_.Handle(r, state_);
  }

  TempDir dir_;
  Router router_;
  ServerState state_;
};

TEST_F(StaticRoutesTest, ServesFilesWithTheirContentTypes) {
  HttpResponse index = Get("/identity/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<html>console</html>");
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(Header(index, "Content-Security-Policy"), HasSubstr("default-src 'self'"));
  EXPECT_EQ(Header(index, "Cache-Control"), "no-cache");

  HttpResponse js = Get("/identity/assets/index-abc.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_THAT(Header(js, "Cache-Control"), HasSubstr("immutable"));
  EXPECT_EQ(Header(js, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Get("/identity/assets/index-abc.css").content_type, "text/css; charset=utf-8");
}

TEST_F(StaticRoutesTest, ConsoleRoutesAnswerIndexAndMissingAssetsAre404) {
  EXPECT_EQ(Get("/identity/authorizations/GROUP").body, "<html>console</html>");
  EXPECT_EQ(Get("/identity/groups").body, "<html>console</html>");
  EXPECT_EQ(Get("/identity/assets/gone.js").status, 404);
  HttpResponse bare = Get("/identity");
  EXPECT_EQ(bare.status, 308);
  EXPECT_EQ(Header(bare, "Location"), "/identity/");
}

TEST_F(StaticRoutesTest, NothingOutsideTheFolderIsServed) {
  for (const char* target :
       {"/identity/%2e%2e/secret.txt", "/identity/assets/%2e%2e/%2e%2e/secret.txt",
        "/identity/..%2fsecret.txt", "/identity/.env", "/identity/assets/link.txt",
        "/identity/assets/%2e", "/identity/a%5c..%5csecret.txt"}) {
    HttpResponse r = Get(target);
    EXPECT_TRUE(r.status == 404 || r.status == 400) << target << " answered " << r.status;
    EXPECT_THAT(r.body, ::testing::Not(HasSubstr("outside"))) << target;
    EXPECT_THAT(r.body, ::testing::Not(HasSubstr("hidden"))) << target;
  }
}

TEST_F(StaticRoutesTest, AFolderWithoutIndexSaysHowToBuildTheConsole) {
  Router router;
  AddStaticRoutes(router, dir_.Sub("empty"));
  HttpResponse r = router.Handle(server_test::Request("GET", "/identity/", "", ""), state_);
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("CLEARANCE_BUILD_CONSOLE"));
  EXPECT_THAT(r.body, HasSubstr("--console-dir"));
}

TEST_F(StaticRoutesTest, ConsoleConfigNamesTheMode) {
  // No authenticator in this state: the console is told to offer a token.
  HttpResponse r = Get("/identity/console-config.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"authMode":"OIDC","tenantChecks":false,"idPattern":"^[a-zA-Z0-9_~@.+-]+$","groupsClaim":false})");
}

TEST_F(StaticRoutesTest, AnOidcConsoleLearnsItsIssuerAndMayReachItOnly) {
  EXPECT_THAT(Header(Get("/identity/"), "Content-Security-Policy"), Not(HasSubstr("connect-src")));
  Router oidc;
  AddStaticRoutes(oidc, dir_.Sub("dist"),
                  {.issuer = "https://idp.example.com:8443/realms/camunda",
                   .client_id = "console",
                   .scopes = "openid profile"});
  HttpResponse r = oidc.Handle(server_test::Request("GET", "/identity/console-config.json", "", ""),
                               state_);
  EXPECT_EQ(r.body,
            R"({"authMode":"OIDC","tenantChecks":false,"idPattern":"^[a-zA-Z0-9_~@.+-]+$",)"
            R"("groupsClaim":false,"oidc":{"issuer":)"
            R"("https://idp.example.com:8443/realms/camunda","clientId":"console",)"
            R"("scopes":"openid profile"}})");
  r = oidc.Handle(server_test::Request("GET", "/identity/groups", "", ""), state_);
  EXPECT_THAT(Header(r, "Content-Security-Policy"),
              HasSubstr("; connect-src 'self' https://idp.example.com:8443; "));
}

TEST(ContentTypeForTest, KnownAndUnknownExtensions) {
  EXPECT_EQ(ContentTypeFor("a.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("favicon.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("x.json"), "application/json");
  EXPECT_EQ(ContentTypeFor("README"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("archive.tar.gz"), "application/octet-stream");
}

}  // namespace
}  // namespace clearance::server
