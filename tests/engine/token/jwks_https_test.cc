// One loopback test of the real fetch path: libcurl over HTTPS against `openssl s_server -WWW`
// on 127.0.0.1 with a self-signed certificate made for the test. No network, no sleeping: the
// server's "ACCEPT host:port" line is read from its stdout before the first request.
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "clearance/token.h"
#include "clearance/token_jwks.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace clearance {
namespace {

class HttpsServer {
 public:
  // Serves the files of `dir` over HTTPS; returns false when the server did not come up.
  bool Start(const std::string& dir) {
    int out[2];
    if (pipe(out) != 0) return false;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      if (chdir(dir.c_str()) != 0) _exit(127);
      execl(CLEARANCE_OPENSSL_CLI, "openssl", "s_server", "-WWW", "-accept", "127.0.0.1:0", "-cert",
            "cert.pem", "-key", "key.pem", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    if (pid_ < 0) return false;
    std::FILE* f = fdopen(out[0], "r");
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr) {
      std::string l(line);
      if (l.rfind("ACCEPT ", 0) == 0) {
        host_port_ = l.substr(7, l.find_last_not_of("\r\n") - 6);
        break;
      }
    }
    out_ = f;  // keep the pipe open so the server never gets SIGPIPE
    return !host_port_.empty();
  }
  ~HttpsServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ != nullptr) std::fclose(out_);
  }
  std::string Url(const std::string& path) const { return "https://" + host_port_ + "/" + path; }

 private:
  pid_t pid_ = -1;
  std::FILE* out_ = nullptr;
  std::string host_port_;
};

class JwksHttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/clearance_jwks_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::string cmd = std::string(CLEARANCE_OPENSSL_CLI) +
                            " req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
                            " -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 -days 1"
                            " -keyout " +
                            dir_ + "/key.pem -out " + dir_ + "/cert.pem 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::FILE* f = std::fopen((dir_ + "/jwks.json").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(token_test::Minted().jwks_json.c_str(), f);
    std::fclose(f);
    ASSERT_TRUE(server_.Start(dir_));
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  std::string dir_;
  HttpsServer server_;
};

TEST_F(JwksHttpsTest, FetchesOverVerifiedTlsAndVerifiesATokenWithTheKeys) {
  auto fetcher = MakeCurlJwksFetcher({.ca_file = dir_ + "/cert.pem"});
  auto body = fetcher->Fetch(server_.Url("jwks.json"));
  ASSERT_TRUE(body.ok()) << body.status();
  // s_server -WWW answers "HTTP/1.0 200 ok" with the file as the body.
  EXPECT_EQ(*body, token_test::Minted().jwks_json);
  auto again = fetcher->Fetch(server_.Url("jwks.json"));
  ASSERT_TRUE(again.ok()) << again.status();

  token_test::FakeClock clock(token_test::Minted().now);
  TokenVerifierOptions o = token_test::MintedOptions(&clock);
  o.issuers.resize(1);
  o.issuers[0].jwks_json.clear();
  o.issuers[0].jwks_uri = server_.Url("jwks.json");
  o.fetcher = fetcher;
  auto v = TokenVerifier::Create(o);
  ASSERT_TRUE(v.ok()) << v.status();
  std::shared_ptr<const VerifiedToken> out;
  EXPECT_EQ((*v)->Verify(token_test::Minted().tokens.front().token, &out), TokenError::kOk);
}

TEST_F(JwksHttpsTest, UntrustedCertificateAndBadUrlsAreErrors) {
  // The system trust store does not know the test's self-signed certificate.
  auto untrusted = MakeCurlJwksFetcher();
  EXPECT_EQ(untrusted->Fetch(server_.Url("jwks.json")).status().code(),
            absl::StatusCode::kUnavailable);
  auto fetcher = MakeCurlJwksFetcher({.ca_file = dir_ + "/cert.pem"});
  EXPECT_EQ(fetcher->Fetch("http://127.0.0.1/jwks.json").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto tiny = MakeCurlJwksFetcher({.ca_file = dir_ + "/cert.pem", .max_body_bytes = 16});
  EXPECT_EQ(tiny->Fetch(server_.Url("jwks.json")).status().code(),
            absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace clearance
