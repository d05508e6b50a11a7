// HttpServer: the transport of `clearance serve`. HTTP/1.1 on Boost.Beast and Asio, optionally
// over TLS (OpenSSL through asio::ssl), turning each request into an HttpRequest, calling the
// handler, and writing back its HttpResponse. Routing, authentication and JSON live above it
// (router.h); nothing of Beast shows through this header.
//
//   HttpServerOptions options;
//   options.listen = "0.0.0.0:8080";
//   absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(
//       options, [&](const HttpRequest& r) { return router.Handle(r, state); },
//       [](const HttpRequest& r) { return r.method != "GET"; },  // writes may fsync
//       /*access_log=*/{});
//   ...
//   (*server)->Shutdown();  // on SIGTERM
//
// Per connection: requests are read one at a time and answered in the order they arrived
// (pipelined requests wait in the read buffer), HTTP/1.1 keeps the connection alive unless the
// request says `Connection: close`, HTTP/1.0 closes unless it says `Connection: keep-alive`.
// Responses carry `Server: clearance` and `Content-Length`.
//
// Transport-level problems are answered here, as application/problem+json, then the connection
// closes: a malformed request → 400, a body over max_body_bytes → 413, a header block over
// max_header_bytes → 431, a blocking handler over handler_deadline → 503. A request that does
// not arrive within read_timeout, or a keep-alive connection idle for idle_timeout, is closed
// without an answer (the peer is too slow to read one).
//
// Thread-safety: Start() may be called from any thread. The handler, is_blocking and access_log
// are called concurrently from the I/O threads and the blocking pool: they must be thread-safe.
// port() may be called from any thread; Shutdown() and Wait() too, except from inside a handler
// or an access_log call (Shutdown joins the threads that run them).
#ifndef CLEARANCE_SERVER_HTTP_HTTP_SERVER_H_
#define CLEARANCE_SERVER_HTTP_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/http_message.h"

namespace clearance::server {

struct HttpServerOptions {
  // "host:port" to listen on; host is an IPv4 address or a bracketed IPv6 one ("[::1]:8080").
  // Port 0 picks a free port (port() tells which).
  std::string listen = "127.0.0.1:8080";
  // Threads running the I/O and the non-blocking handlers. 0: one per core, at least 2.
  int io_threads = 0;
  // Threads running the handlers `is_blocking` selects (synced writes), so that a slow fsync
  // never stalls the other connections an I/O thread serves. At least 1.
  int blocking_threads = 16;
  // Largest request body accepted (bytes); a larger one is answered 413 and the connection closed.
  size_t max_body_bytes = 1 << 20;
  // Largest request line plus header fields accepted (bytes); beyond it: 431, then close.
  size_t max_header_bytes = 16 << 10;
  // Open connections at most. A connection accepted beyond it is answered 503 and closed at
  // once, so excess load costs a socket for a moment, never an unbounded queue.
  int max_connections = 1024;
  // The whole request (line, headers and body) must arrive within this time once its first byte
  // has; a TLS handshake too. A slower client (slowloris) is disconnected, never holding a thread:
  // every read is asynchronous and the timer belongs to the socket.
  std::chrono::milliseconds read_timeout{10000};
  // A keep-alive connection waiting this long for the first byte of its next request is closed.
  std::chrono::milliseconds idle_timeout{60000};
  // How long a response to a blocking handler (on the blocking pool) is waited for. Past it the
  // client gets 503 UNAVAILABLE saying the outcome is unknown, and the connection closes; the
  // handler cannot be interrupted, so it runs to its end and its response is dropped (a write
  // may still commit: the 503 never claims it did not). Handlers on the I/O threads are not
  // bounded: they never block, by contract. Zero: no deadline.
  std::chrono::milliseconds handler_deadline{30000};
  // Both set: HTTPS only, TLS 1.2 or later, with this PEM certificate chain and PEM private key.
  // Exactly one set is an error.
  std::string tls_cert_file, tls_key_file;
};

// One answered request, reported after its response was written (or failed to be).
struct AccessLogEntry {
  std::string remote;  // "127.0.0.1:54321"
  std::string method;  // empty when the request line could not be parsed
  std::string target;
  int status = 0;
  size_t bytes_in = 0;   // request bytes consumed: line, headers and body
  size_t bytes_out = 0;  // response bytes written
  uint64_t nanos = 0;    // from the request fully read to its response written
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  // Binds, listens and starts serving on new threads. The handler answers every well-formed
  // request (a handler that throws is answered 500). `is_blocking(request)` true: the handler
  // runs on the blocking pool. `access_log` may be empty.
  // Errors: INVALID_ARGUMENT for a malformed `listen`, a thread count below the minimum, one of
  // the TLS files without the other, or a TLS file that cannot be read or does not match;
  // FAILED_PRECONDITION when the address cannot be bound (in use, not local, not permitted).
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      HttpServerOptions options, Handler handler,
      std::function<bool(const HttpRequest&)> is_blocking,
      std::function<void(const AccessLogEntry&)> access_log);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // Shutdown() with the default drain

  // The port listened on (the one picked when `listen` asked for port 0).
  uint16_t port() const;

  // Graceful stop: closes the listening socket, closes connections waiting for a request, lets
  // requests in flight be answered (each with `Connection: close`) for up to `drain`, then closes
  // whatever is left and joins every thread. A blocking handler still running at that point is
  // waited for (it cannot be interrupted). Idempotent: a second call returns once the first is
  // done.
  void Shutdown(std::chrono::milliseconds drain = std::chrono::seconds(10));

  // Blocks until Shutdown() has completed (called from another thread, e.g. on SIGTERM).
  void Wait();

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_HTTP_HTTP_SERVER_H_
