#include "server/http/http_server.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <future>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "clearance/internal/status_macros.h"
#include "server/http/internal/connection.h"
#include "server/http/internal/server_core.h"

namespace clearance::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using http_internal::Connection;
using http_internal::ConnectionHandle;
using http_internal::ServerCore;

// "host:port" or "[v6host]:port" → endpoint.
absl::StatusOr<tcp::endpoint> ParseListen(absl::string_view listen) {
  auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address '", listen, "': ", why,
                     "; expected host:port such as 127.0.0.1:8080 or [::1]:8080"));
  };
  absl::string_view host, port;
  if (!listen.empty() && listen.front() == '[') {
    const size_t close = listen.find(']');
    if (close == absl::string_view::npos || close + 1 >= listen.size() ||
        listen[close + 1] != ':') {
      return invalid("unbalanced '[' or no port after ']'");
    }
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    const size_t colon = listen.rfind(':');
    if (colon == absl::string_view::npos) return invalid("no port");
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
    if (host.find(':') != absl::string_view::npos) return invalid("an IPv6 host needs brackets");
  }
  uint32_t port_number = 0;
  if (port.empty() || port.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(port, &port_number) || port_number > 65535) {
    return invalid("the port is not a number from 0 to 65535");
  }
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(std::string(host), ec);
  if (ec) return invalid(absl::StrCat("'", host, "' is not an IP address"));
  return tcp::endpoint(address, static_cast<uint16_t>(port_number));
}

std::string RemoteOf(const tcp::socket& socket) {
  beast::error_code ec;
  const tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const asio::ip::address address = endpoint.address();
  return address.is_v6() ? absl::StrCat("[", address.to_string(), "]:", endpoint.port())
                         : absl::StrCat(address.to_string(), ":", endpoint.port());
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, Handler handler,
       std::function<bool(const HttpRequest&)> is_blocking,
       std::function<void(const AccessLogEntry&)> access_log)
      : core_(std::move(options), std::move(handler), std::move(is_blocking),
              std::move(access_log)),
        work_(asio::make_work_guard(io_)),
        acceptor_(asio::make_strand(io_)) {}

  absl::Status ConfigureTls() {
    const HttpServerOptions& o = core_.options;
    if (o.tls_cert_file.empty() && o.tls_key_file.empty()) return absl::OkStatus();
    if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
      return absl::InvalidArgumentError(
          "TLS needs both a certificate file and a private key file; only one is set");
    }
    tls_.emplace(asio::ssl::context::tls_server);
    beast::error_code ec;
    tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                      ec);
    if (ec) return absl::InternalError(absl::StrCat("TLS options: ", ec.message()));
    tls_->use_certificate_chain_file(o.tls_cert_file, ec);
    if (ec) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot use TLS certificate file '", o.tls_cert_file, "': ", ec.message(),
          "; expected a readable PEM certificate chain"));
    }
    tls_->use_private_key_file(o.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot use TLS private key file '", o.tls_key_file, "': ", ec.message(),
                       "; expected a readable PEM private key matching the certificate"));
    }
    if (SSL_CTX_check_private_key(tls_->native_handle()) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("TLS private key '", o.tls_key_file, "' does not match certificate '",
                       o.tls_cert_file, "'"));
    }
    return absl::OkStatus();
  }

  absl::Status Listen(const tcp::endpoint& endpoint, absl::string_view listen) {
    beast::error_code ec;
    auto fail = [&](absl::string_view step) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot listen on ", listen, ": ", step, ": ", ec.message()));
    };
    if (acceptor_.open(endpoint.protocol(), ec); ec) return fail("open");
    if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec); ec) {
      return fail("SO_REUSEADDR");
    }
    if (acceptor_.bind(endpoint, ec); ec) return fail("bind");
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) return fail("listen");
    port_ = acceptor_.local_endpoint(ec).port();
    if (ec) return fail("local address");
    return absl::OkStatus();
  }

  void Run(int io_threads) {
    asio::post(acceptor_.get_executor(), [this] { Accept(); });
    threads_.reserve(static_cast<size_t>(io_threads));
    for (int i = 0; i < io_threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  uint16_t port() const { return port_; }

  void Shutdown(std::chrono::milliseconds drain) {
    sync_internal::MutexLock once(&shutdown_mu_);
    if (shut_down_) return;
    core_.going_away = true;
    // Stop accepting; the acceptor belongs to its strand.
    std::promise<void> closed;
    asio::post(acceptor_.get_executor(), [&] {
      beast::error_code ignored;  // closing a closed acceptor is fine
      acceptor_.close(ignored);
      closed.set_value();
    });
    closed.get_future().wait();

    for (const auto& connection : Connections(/*stop=*/true)) connection->GoAway();
    WaitUntilDrained(drain);
    for (const auto& connection : Connections(/*stop=*/false)) connection->ForceClose();
    // Closed sockets end their operations at once; a connection whose blocking handler still
    // runs stays until the pool is joined below.
    WaitUntilDrained(std::min<std::chrono::milliseconds>(drain, std::chrono::seconds(1)));

    work_.reset();
    io_.stop();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
    core_.blocking_pool.join();
    {
      sync_internal::MutexLock lock(&done_mu_);
      done_ = true;
    }
    done_cv_.notify_all();
    shut_down_ = true;
  }

  void Wait() {
    sync_internal::MutexLock lock(&done_mu_);
    while (!done_) done_cv_.wait(done_mu_);
  }

 private:
  // Live connections, held so that none is destroyed (and unregisters) while `core_.mu` is held.
  std::vector<std::shared_ptr<ConnectionHandle>> Connections(bool stop) {
    std::vector<std::shared_ptr<ConnectionHandle>> live;
    sync_internal::MutexLock lock(&core_.mu);
    if (stop) core_.stopping = true;
    for (const auto& [key, weak] : core_.connections) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
    return live;
  }

  void WaitUntilDrained(std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    sync_internal::MutexLock lock(&core_.mu);
    while (!core_.connections.empty()) {
      if (core_.drained.wait_until(core_.mu, until) == std::cv_status::timeout) return;
    }
  }

  void Accept() {
    acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec,
                                                          tcp::socket socket) {
      if (!acceptor_.is_open()) return;  // Shutdown closed it
      if (ec) {
        // Out of descriptors or a connection reset before accept: keep accepting.
        return Accept();
      }
      Serve(std::move(socket));
      Accept();
    });
  }

  void Serve(tcp::socket socket) {
    std::string remote = RemoteOf(socket);
    std::shared_ptr<ConnectionHandle> connection;
    if (tls_) {
      using Tls = beast::ssl_stream<beast::tcp_stream>;
      connection = Start(std::make_shared<Connection<Tls>>(
          core_, Tls(beast::tcp_stream(std::move(socket)), *tls_), std::move(remote)));
    } else {
      connection = Start(std::make_shared<Connection<beast::tcp_stream>>(
          core_, beast::tcp_stream(std::move(socket)), std::move(remote)));
    }
  }

  template <class C>
  std::shared_ptr<ConnectionHandle> Start(std::shared_ptr<C> connection) {
    if (!core_.Register(connection.get(), connection)) {
      connection->Refuse();
      return nullptr;
    }
    connection->Run();
    return connection;
  }

  // Members in destruction order reversed: the core outlives the I/O context (connections
  // destroyed with it unregister from the core), the TLS context outlives every TLS stream.
  ServerCore core_;
  std::optional<asio::ssl::context> tls_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;

  sync_internal::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
  sync_internal::Mutex done_mu_;
  std::condition_variable_any done_cv_;
  bool done_ ABSL_GUARDED_BY(done_mu_) = false;
};

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    HttpServerOptions options, Handler handler,
    std::function<bool(const HttpRequest&)> is_blocking,
    std::function<void(const AccessLogEntry&)> access_log) {
  if (!handler) return absl::InvalidArgumentError("HttpServer needs a handler; got none");
  if (options.io_threads < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "io_threads is ", options.io_threads, "; expected 0 (one per core) or more"));
  }
  if (options.blocking_threads < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "blocking_threads is ", options.blocking_threads, "; expected at least 1"));
  }
  if (options.max_connections < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_connections is ", options.max_connections, "; expected at least 1"));
  }
  CLEARANCE_ASSIGN_OR_RETURN(const tcp::endpoint endpoint, ParseListen(options.listen));
  int io_threads = options.io_threads;
  if (io_threads == 0) io_threads = std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  const std::string listen = options.listen;

  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler),
                                     std::move(is_blocking), std::move(access_log));
  CLEARANCE_RETURN_IF_ERROR(impl->ConfigureTls());
  CLEARANCE_RETURN_IF_ERROR(impl->Listen(endpoint, listen));
  impl->Run(io_threads);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Shutdown(); }

uint16_t HttpServer::port() const { return impl_->port(); }

void HttpServer::Shutdown(std::chrono::milliseconds drain) { impl_->Shutdown(drain); }

void HttpServer::Wait() { impl_->Wait(); }

}  // namespace clearance::server
