#include "server/http/http_server.h"

#include <openssl/ssl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/http/test_client.h"

namespace clearance::server {
namespace {

using ::testing::HasSubstr;
using testing_internal::Get;
using testing_internal::ParsedResponse;
using testing_internal::Post;
using testing_internal::TestClient;

HttpServerOptions Local() {
  HttpServerOptions options;
  options.listen = "127.0.0.1:0";
  options.io_threads = 2;
  options.blocking_threads = 2;
  return options;
}

// Answers with what it was given, so tests see the fields the transport filled.
HttpResponse Echo(const HttpRequest& r) {
  std::string body = "method=" + r.method + "\ntarget=" + r.target + "\npath=" + r.path +
                     "\nquery=" + r.query + "\nauthorization=" + r.authorization +
                     "\ncontent_type=" + r.content_type + "\naccept=" + r.accept +
                     "\nremote=" + r.remote + "\nbody=" + r.body;
  HttpResponse response;
  response.content_type = "text/plain";
  response.body = std::move(body);
  response.headers.emplace_back("X-Path", r.path);
  return response;
}

std::unique_ptr<HttpServer> StartOrDie(HttpServerOptions options, Handler handler = Echo,
                                       std::function<bool(const HttpRequest&)> blocking = {},
                                       std::function<void(const AccessLogEntry&)> log = {}) {
  absl::StatusOr<std::unique_ptr<HttpServer>> server =
      HttpServer::Start(std::move(options), std::move(handler), std::move(blocking),
                        std::move(log));
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? std::move(*server) : nullptr;
}

std::string FieldOf(const ParsedResponse& r, const std::string& name) {
  const std::string prefix = name + "=";
  size_t at = r.body.find(prefix);
  if (at == std::string::npos) return "<absent>";
  at += prefix.size();
  return r.body.substr(at, r.body.find('\n', at) - at);
}

void ExpectProblem(const ParsedResponse& r, int status) {
  EXPECT_EQ(r.status, status);
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  EXPECT_THAT(r.body, HasSubstr("\"status\":" + std::to_string(status)));
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_EQ(r.Header("server"), "clearance");
}

TEST(HttpServerTest, FillsTheRequestAndFramesTheResponse) {
  auto server = StartOrDie(Local());
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Post("/v2/groups/g1?x=1&y=2", "{\"a\":1}",
                               "Authorization: Bearer abc\r\nContent-Type: application/json\r\n"
                               "Accept: application/problem+json\r\n")));
  std::optional<ParsedResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->version, "HTTP/1.1");
  EXPECT_EQ(r->Header("server"), "clearance");
  EXPECT_EQ(r->Header("content-length"), std::to_string(r->body.size()));
  EXPECT_EQ(r->Header("content-type"), "text/plain");
  EXPECT_EQ(r->Header("x-path"), "/v2/groups/g1");
  EXPECT_EQ(FieldOf(*r, "method"), "POST");
  EXPECT_EQ(FieldOf(*r, "target"), "/v2/groups/g1?x=1&y=2");
  EXPECT_EQ(FieldOf(*r, "path"), "/v2/groups/g1");
  EXPECT_EQ(FieldOf(*r, "query"), "x=1&y=2");
  EXPECT_EQ(FieldOf(*r, "authorization"), "Bearer abc");
  EXPECT_EQ(FieldOf(*r, "content_type"), "application/json");
  EXPECT_EQ(FieldOf(*r, "accept"), "application/problem+json");
  EXPECT_THAT(FieldOf(*r, "remote"), ::testing::StartsWith("127.0.0.1:"));
  EXPECT_EQ(FieldOf(*r, "body"), "{\"a\":1}");
}

TEST(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto server = StartOrDie(Local());
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ASSERT_TRUE(client.connected());
  std::string first_remote;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.Send(Get("/n/" + std::to_string(i))));
    std::optional<ParsedResponse> r = client.Read();
    ASSERT_TRUE(r.has_value()) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(FieldOf(*r, "path"), "/n/" + std::to_string(i));
    EXPECT_NE(r->Header("connection"), "close");
    // The same client port each time: the same connection.
    if (i == 0) first_remote = FieldOf(*r, "remote");
    EXPECT_EQ(FieldOf(*r, "remote"), first_remote);
  }
}

TEST(HttpServerTest, ConnectionCloseIsHonoured) {
  auto server = StartOrDie(Local());
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/x", "Connection: close\r\n")));
  std::optional<ParsedResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(client.ClosedWithoutData());
}

TEST(HttpServerTest, Http10ClosesAfterTheResponse) {
  auto server = StartOrDie(Local());
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send("GET /old HTTP/1.0\r\n\r\n"));
  std::optional<ParsedResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->version, "HTTP/1.0");
  EXPECT_EQ(FieldOf(*r, "path"), "/old");
  EXPECT_TRUE(client.ClosedWithoutData());
}

TEST(HttpServerTest, ExpectContinueGetsAnInterimResponseBeforeTheBody) {
  auto server = StartOrDie(Local());
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                          "Expect: 100-continue\r\n\r\n"));
  std::optional<ParsedResponse> interim = client.Read(/*interim=*/true);
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("hello"));
  std::optional<ParsedResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(FieldOf(*r, "body"), "hello");
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  // The first request runs on the blocking pool and the others inline: order still holds.
  absl::Notification release;
  auto server = StartOrDie(
      Local(),
      [&](const HttpRequest& r) {
        if (r.path == "/slow") release.WaitForNotification();
        return Echo(r);
      },
      [](const HttpRequest& r) { return r.path == "/slow"; });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/slow") + Post("/b", "body-b") + Get("/c?q=1")));
  release.Notify();
  for (const char* path : {"/slow", "/b", "/c"}) {
    std::optional<ParsedResponse> r = client.Read();
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(FieldOf(*r, "path"), path);
  }
}

TEST(HttpServerTest, OversizeBodyIs413ThenClose) {
  std::atomic<int> calls{0};
  HttpServerOptions options = Local();
  options.max_body_bytes = 1024;
  auto server = StartOrDie(options, [&](const HttpRequest& r) {
    ++calls;
    return Echo(r);
  });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send(Post("/big", std::string(4096, 'x'))));
  std::optional<ParsedResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  ExpectProblem(*r, 413);
  EXPECT_THAT(r->body, HasSubstr("1024 bytes"));
  EXPECT_TRUE(client.ClosedWithoutData());
  EXPECT_EQ(calls.load(), 0);

  // At the limit is fine.
  TestClient at_limit(server->port());
  ASSERT_TRUE(at_limit.Send(Post("/ok", std::string(1024, 'y'))));
  r = at_limit.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServerTest, OversizeChunkedBodyIs413) {
  HttpServerOptions options = Local();
  options.max_body_bytes = 1024;
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  std::string chunk(800, 'z');
  ASSERT_TRUE(client.Send("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "320\r\n" + chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
  std::optional<ParsedResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  ExpectProblem(*r, 413);
}

TEST(HttpServerTest, OversizeHeaderIs431ThenClose) {
  HttpServerOptions options = Local();
  options.max_header_bytes = 1024;
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/h", "X-Big: " + std::string(4096, 'h') + "\r\n")));
  std::optional<ParsedResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  ExpectProblem(*r, 431);
  EXPECT_TRUE(client.ClosedWithoutData());
}

TEST(HttpServerTest, MalformedRequestIs400ThenClose) {
  auto server = StartOrDie(Local());
  ASSERT_NE(server, nullptr);
  for (const char* garbage :
       {"NOT A REQUEST\r\n\r\n", "GET /x HTTP/9.9\r\n\r\n", "GET /x HTTP/1.1\r\nBad Header\r\n\r\n",
        "POST /x HTTP/1.1\r\nContent-Length: nope\r\n\r\n"}) {
    TestClient client(server->port());
    ASSERT_TRUE(client.Send(garbage));
    std::optional<ParsedResponse> r = client.Read();
    ASSERT_TRUE(r.has_value()) << garbage;
    ExpectProblem(*r, 400);
    EXPECT_THAT(r->body, HasSubstr("Malformed HTTP request"));
    EXPECT_TRUE(client.ClosedWithoutData()) << garbage;
  }
}

TEST(HttpServerTest, SlowlorisIsDisconnectedAfterReadTimeout) {
  HttpServerOptions options = Local();
  options.read_timeout = std::chrono::milliseconds(200);
  options.idle_timeout = std::chrono::hours(1);  // not the timer that must fire
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  // A keep-alive connection that starts its second request and never finishes it.
  TestClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/first")));
  ASSERT_TRUE(client.Read().has_value());
  ASSERT_TRUE(client.Send("GET /second HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  EXPECT_TRUE(client.ClosedWithoutData());
  // A connection that never sends its first request.
  TestClient silent(server->port());
  ASSERT_TRUE(silent.connected());
  EXPECT_TRUE(silent.ClosedWithoutData());
}

TEST(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  HttpServerOptions options = Local();
  options.read_timeout = std::chrono::hours(1);
  options.idle_timeout = std::chrono::milliseconds(200);
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/once")));
  ASSERT_TRUE(client.Read().has_value());
  EXPECT_TRUE(client.ClosedWithoutData());
}

TEST(HttpServerTest, ConnectionsBeyondTheCapAreRefusedWith503) {
  HttpServerOptions options = Local();
  options.max_connections = 2;
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  auto first = std::make_unique<TestClient>(server->port());
  TestClient second(server->port());
  // An answered request proves each connection is open and counted.
  for (TestClient* c : {first.get(), &second}) {
    ASSERT_TRUE(c->Send(Get("/held")));
    std::optional<ParsedResponse> r = c->Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
  }
  TestClient third(server->port());
  std::optional<ParsedResponse> refused = third.Read();
  ASSERT_TRUE(refused.has_value());
  ExpectProblem(*refused, 503);
  EXPECT_TRUE(third.ClosedWithoutData());
  // The held connections still work.
  ASSERT_TRUE(second.Send(Get("/still")));
  std::optional<ParsedResponse> r = second.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);

  // Once one closes, there is room again (the server notices the close asynchronously, so a
  // new connection may still be refused for a moment).
  first.reset();
  bool served = false;
  for (int attempt = 0; attempt < 10000 && !served; ++attempt) {
    // A refused connection may be reset before its 503 is read: only a 200 counts.
    TestClient next(server->port());
    if (!next.Send(Get("/again"))) continue;
    std::optional<ParsedResponse> again = next.Read();
    served = again.has_value() && again->status == 200;
  }
  EXPECT_TRUE(served);
}

TEST(HttpServerTest, BlockingHandlerOverTheDeadlineIs503) {
  HttpServerOptions options = Local();
  options.handler_deadline = std::chrono::milliseconds(100);
  absl::Notification release;
  auto server = StartOrDie(
      options,
      [&](const HttpRequest& r) {
        if (r.path == "/stuck") release.WaitForNotification();
        return Echo(r);
      },
      [](const HttpRequest&) { return true; });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/stuck")));
  std::optional<ParsedResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  ExpectProblem(*r, 503);
  EXPECT_THAT(r->body, HasSubstr("outcome is unknown"));
  EXPECT_TRUE(client.ClosedWithoutData());
  release.Notify();
  // The server keeps serving.
  TestClient other(server->port());
  ASSERT_TRUE(other.Send(Get("/fine")));
  r = other.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServerTest, HandlerExceptionIs500) {
  auto server = StartOrDie(Local(), [](const HttpRequest&) -> HttpResponse {
    throw std::runtime_error("boom");
  });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send(Get("/throw")));
  std::optional<ParsedResponse> r = client.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->Header("content-type"), "application/problem+json");
}

TEST(HttpServerTest, ShutdownLetsTheInFlightRequestFinishThenClosesThePort) {
  absl::Notification entered, release;
  HttpServerOptions options = Local();
  options.idle_timeout = std::chrono::hours(1);  // only Shutdown closes the idle connection
  auto server = StartOrDie(
      options,
      [&](const HttpRequest& r) {
        if (r.path == "/write") {
          entered.Notify();
          release.WaitForNotification();
        }
        return Echo(r);
      },
      [](const HttpRequest& r) { return r.path == "/write"; });
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  TestClient in_flight(port);
  TestClient idle(port);
  ASSERT_TRUE(idle.Send(Get("/idle")));
  ASSERT_TRUE(idle.Read().has_value());
  ASSERT_TRUE(in_flight.Send(Get("/write")));
  entered.WaitForNotification();

  std::thread stopper([&] { server->Shutdown(std::chrono::seconds(30)); });
  // The idle keep-alive connection is closed by Shutdown without waiting for the handler.
  EXPECT_TRUE(idle.ClosedWithoutData());
  // New connections are refused once the listening socket is closed.
  bool refused = false;
  while (!refused) {
    TestClient probe(port);
    refused = !probe.connected();
  }
  release.Notify();
  std::optional<ParsedResponse> r = in_flight.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(FieldOf(*r, "path"), "/write");
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(in_flight.ClosedWithoutData());
  stopper.join();
  server->Wait();   // returns: Shutdown completed
  server->Shutdown();  // idempotent
  EXPECT_FALSE(TestClient(port).connected());
}

TEST(HttpServerTest, WaitReturnsOnceShutdownCompletes) {
  auto server = StartOrDie(Local());
  ASSERT_NE(server, nullptr);
  std::atomic<bool> waited{false};
  std::thread waiter([&] {
    server->Wait();
    waited = true;
  });
  server->Shutdown();
  waiter.join();
  EXPECT_TRUE(waited.load());
}

TEST(HttpServerTest, AccessLogSeesEachAnsweredRequest) {
  std::mutex mu;
  std::vector<AccessLogEntry> entries;
  HttpServerOptions options = Local();
  options.max_body_bytes = 16;
  auto server = StartOrDie(options, Echo, {}, [&](const AccessLogEntry& e) {
    std::lock_guard<std::mutex> lock(mu);
    entries.push_back(e);
  });
  ASSERT_NE(server, nullptr);
  {
    TestClient client(server->port());
    ASSERT_TRUE(client.Send(Post("/logged?x=1", "hello")));
    ASSERT_TRUE(client.Read().has_value());
    ASSERT_TRUE(client.Send(Post("/too-big", std::string(64, 'b'))));
    ASSERT_TRUE(client.Read().has_value());
  }
  server->Shutdown();
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].method, "POST");
  EXPECT_EQ(entries[0].target, "/logged?x=1");
  EXPECT_EQ(entries[0].status, 200);
  EXPECT_EQ(entries[0].bytes_in, Post("/logged?x=1", "hello").size());
  EXPECT_GT(entries[0].bytes_out, entries[0].bytes_in);
  EXPECT_THAT(entries[0].remote, ::testing::StartsWith("127.0.0.1:"));
  EXPECT_EQ(entries[1].status, 413);
  EXPECT_EQ(entries[1].target, "/too-big");
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/http_tls_" + std::to_string(::getpid());
    ::mkdir(dir_.c_str(), 0700);
    files_ = testing_internal::WriteSelfSignedCertificate(dir_);
    client_ctx_ = SSL_CTX_new(TLS_client_method());
    // The test's own certificate is the one trust anchor.
    ASSERT_EQ(SSL_CTX_load_verify_locations(client_ctx_, files_.cert_file.c_str(), nullptr), 1);
    SSL_CTX_set_verify(client_ctx_, SSL_VERIFY_PEER, nullptr);
  }
  void TearDown() override { SSL_CTX_free(client_ctx_); }

  std::string dir_;
  testing_internal::TlsFiles files_;
  SSL_CTX* client_ctx_ = nullptr;
};

TEST_F(TlsTest, ServesHttpsOnly) {
  HttpServerOptions options = Local();
  options.tls_cert_file = files_.cert_file;
  options.tls_key_file = files_.key_file;
  auto server = StartOrDie(options);
  ASSERT_NE(server, nullptr);
  TestClient client(server->port(), client_ctx_);
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client.Send(Get("/secure?i=" + std::to_string(i))));
    std::optional<ParsedResponse> r = client.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(FieldOf(*r, "query"), "i=" + std::to_string(i));
  }
  // Plain HTTP on the TLS port gets no HTTP answer.
  TestClient plain(server->port());
  ASSERT_TRUE(plain.Send(Get("/plain")));
  std::optional<ParsedResponse> r = plain.Read();
  EXPECT_FALSE(r.has_value() && r->status == 200);
}

TEST_F(TlsTest, UnusableCertificateOrKeyFailsStart) {
  auto start = [](HttpServerOptions o) {
    return HttpServer::Start(std::move(o), Echo, {}, {}).status();
  };
  HttpServerOptions options = Local();
  options.tls_cert_file = files_.cert_file;
  absl::Status s = start(options);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("both"));

  options.tls_key_file = dir_ + "/missing.pem";
  s = start(options);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("missing.pem"));

  options.tls_cert_file = dir_ + "/absent-cert.pem";
  options.tls_key_file = files_.key_file;
  s = start(options);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("absent-cert.pem"));

  // A key that is not the certificate's.
  const std::string other = dir_ + "/other";
  ::mkdir(other.c_str(), 0700);
  options.tls_cert_file = files_.cert_file;
  options.tls_key_file = testing_internal::WriteSelfSignedCertificate(other).key_file;
  s = start(options);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr(options.tls_key_file));
  EXPECT_THAT(s.message(), HasSubstr("matching the certificate"));
}

TEST(HttpServerStartTest, BadListenAddressesAreInvalidArguments) {
  for (const char* listen : {"localhost", "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:-1",
                             "127.0.0.1:http", "not-an-ip:8080", "::1:8080", "[::1:8080", ""}) {
    HttpServerOptions options = Local();
    options.listen = listen;
    absl::Status s = HttpServer::Start(options, Echo, {}, {}).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << listen;
    EXPECT_THAT(s.message(), HasSubstr("expected host:port")) << listen;
  }
}

TEST(HttpServerStartTest, AddressInUseIsFailedPrecondition) {
  auto first = StartOrDie(Local());
  ASSERT_NE(first, nullptr);
  HttpServerOptions options = Local();
  options.listen = "127.0.0.1:" + std::to_string(first->port());
  absl::Status s = HttpServer::Start(options, Echo, {}, {}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("bind"));
}

TEST(HttpServerStartTest, BadThreadCountsAreInvalidArguments) {
  HttpServerOptions options = Local();
  options.blocking_threads = 0;
  EXPECT_EQ(HttpServer::Start(options, Echo, {}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = Local();
  options.io_threads = -1;
  EXPECT_EQ(HttpServer::Start(options, Echo, {}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = Local();
  options.max_connections = 0;
  EXPECT_EQ(HttpServer::Start(options, Echo, {}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace clearance::server
