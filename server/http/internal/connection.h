// One HTTP connection, plain or TLS: reads requests one at a time with Beast's parser, hands
// each to the handler (inline on the I/O thread, or on the blocking pool), writes the response,
// and closes on error, on `Connection: close`, on timeouts and when the server goes away.
//
// Every step runs on the connection's strand; the only cross-thread entries are GoAway() and
// ForceClose() (posted) and the blocking pool's completion (posted back).
#ifndef CLEARANCE_SERVER_HTTP_INTERNAL_CONNECTION_H_
#define CLEARANCE_SERVER_HTTP_INTERNAL_CONNECTION_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "server/http/internal/server_core.h"
#include "server/http_message.h"

namespace clearance::server::http_internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

inline std::string ToString(beast::string_view s) { return std::string(s.data(), s.size()); }

// The error a failed read ends with, as the client is told (or not told) about it.
enum class ReadFailure { kGone, kMalformed, kBodyTooLarge, kHeaderTooLarge };

inline ReadFailure ClassifyReadError(const beast::error_code& ec) {
  if (ec == http::error::body_limit) return ReadFailure::kBodyTooLarge;
  if (ec == http::error::header_limit) return ReadFailure::kHeaderTooLarge;
  // end_of_stream and partial_message mean the peer closed; other HTTP errors are parse errors.
  if (ec.category() == beast::http::make_error_code(http::error::bad_target).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return ReadFailure::kMalformed;
  }
  return ReadFailure::kGone;  // I/O error, timeout, cancellation
}

// The answer to a connection over max_connections, written without waiting: the socket's send
// buffer is empty, so it fits at once or the client is not worth waiting for.
inline constexpr std::string_view kOverCapacity =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Server: clearance\r\n"
    "Content-Type: application/problem+json\r\n"
    "Connection: close\r\n"
    "Content-Length: 107\r\n"
    "\r\n"
    R"({"type":"about:blank","title":"UNAVAILABLE","status":503,"detail":"Too many open connections; retry later"})";
static_assert(kOverCapacity.size() - kOverCapacity.find("\r\n\r\n") - 4 == 107);

// Bytes read and thrown away after an error response before closing, so that the peer's unread
// request does not turn our FIN into a reset that destroys the response in its receive buffer.
inline constexpr size_t kMaxLingerBytes = 1 << 20;

template <class Stream>
class Connection final : public ConnectionHandle,
                         public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Connection(ServerCore& core, Stream stream, std::string remote)
      : core_(core),
        stream_(std::move(stream)),
        remote_(std::move(remote)),
        deadline_timer_(stream_.get_executor()) {}

  ~Connection() override { core_.Unregister(this); }

  // Starts serving. REQUIRES: registered with the core.
  void Run() {
    // The first request (and the TLS handshake) must come within read_timeout: a client that
    // connects and says nothing gets no idle allowance.
    Lowest().expires_after(core_.options.read_timeout);
    if constexpr (kTls) {
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec || self->go_away_) return self->Abort();
                                self->WaitForRequest(/*first=*/true);
                              });
    } else {
      asio::dispatch(stream_.get_executor(),
                     [self = this->shared_from_this()] { self->WaitForRequest(true); });
    }
  }

  // Answers 503 (plain HTTP; a TLS client just sees the connection close) and closes, for a
  // connection the server has no room for. Never waits.
  void Refuse() {
    auto& socket = Lowest().socket();
    beast::error_code ignored;  // best effort: the socket is closed whatever happens
    socket.non_blocking(true, ignored);
    if constexpr (!kTls) {
      socket.write_some(asio::buffer(kOverCapacity.data(), kOverCapacity.size()), ignored);
    }
    socket.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    // What the client already sent, read so that closing sends FIN rather than a reset.
    char sink[4096];
    while (socket.read_some(asio::buffer(sink), ignored) > 0) {
    }
    socket.close(ignored);
  }

  void GoAway() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->go_away_ = true;
      // Waiting for a request (or in the handshake): nothing is owed to the client.
      if (self->phase_ == Phase::kWaiting) self->Lowest().cancel();
    });
  }

  void ForceClose() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Abort(); });
  }

 private:
  enum class Phase { kWaiting, kReading, kHandling, kWriting, kClosing };

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  // Waits for the first byte of the next request (under idle_timeout on a kept-alive
  // connection), unless pipelined bytes already wait in the buffer.
  void WaitForRequest(bool first) {
    phase_ = Phase::kWaiting;
    if (go_away_) return Close();
    if (buffer_.size() > 0) return ReadHeader();
    if (!first) Lowest().expires_after(core_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->buffer_.commit(n);
                              if (ec || self->go_away_) return self->Abort();
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    phase_ = Phase::kReading;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(core_.options.max_header_bytes, UINT32_MAX)));
    parser_->body_limit(core_.options.max_body_bytes);
    bytes_in_ = 0;
    // From the first byte, the whole request gets read_timeout.
    Lowest().expires_after(core_.options.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->OnHeader(ec, n);
                            });
  }

  void OnHeader(beast::error_code ec, size_t n) {
    bytes_in_ += n;
    if (ec) return OnReadError(ec);
    const auto& header = parser_->get();
    if (header.version() >= 11 && !parser_->is_done() &&
        beast::iequals(header[http::field::expect], "100-continue")) {
      // The client waits for this before sending its body (curl does above 1 KiB).
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      return asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                               [self = this->shared_from_this()](beast::error_code wec, size_t) {
                                 if (wec) return self->Abort();
                                 self->ReadBody();
                               });
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                       self->bytes_in_ += n;
                       if (ec) return self->OnReadError(ec);
                       self->Dispatch();
                     });
  }

  void OnReadError(const beast::error_code& ec) {
    started_ = std::chrono::steady_clock::now();
    switch (ClassifyReadError(ec)) {
      case ReadFailure::kGone:
        return Abort();
      case ReadFailure::kMalformed:
        return RespondAndClose(Problem(400, "INVALID_ARGUMENT",
                                       "Malformed HTTP request: " + ec.message() +
                                           "; expected an HTTP/1.1 request"));
      case ReadFailure::kBodyTooLarge:
        return RespondAndClose(Problem(
            413, "PAYLOAD_TOO_LARGE",
            "Request body exceeds the limit of " + std::to_string(core_.options.max_body_bytes) +
                " bytes"));
      case ReadFailure::kHeaderTooLarge:
        return RespondAndClose(Problem(
            431, "REQUEST_HEADER_FIELDS_TOO_LARGE",
            "Request line and header fields exceed the limit of " +
                std::to_string(core_.options.max_header_bytes) + " bytes"));
    }
  }

  void RespondAndClose(HttpResponse response) {
    keep_alive_ = false;
    version_ = 11;
    if (parser_) {
      // The start line is stored as soon as it is parsed: a header or body error still names it.
      method_ = ToString(parser_->get().method_string());
      target_ = ToString(parser_->get().target());
    } else {
      method_.clear();
      target_.clear();
    }
    Write(std::move(response));
  }

  void Dispatch() {
    started_ = std::chrono::steady_clock::now();
    phase_ = Phase::kHandling;
    Lowest().expires_never();
    auto& message = parser_->get();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    HttpRequest request;
    request.method = ToString(message.method_string());
    request.target = ToString(message.target());
    const size_t query_at = request.target.find('?');
    request.path = request.target.substr(0, query_at);
    if (query_at != std::string::npos) request.query = request.target.substr(query_at + 1);
    request.authorization = ToString(message[http::field::authorization]);
    request.content_type = ToString(message[http::field::content_type]);
    request.accept = ToString(message[http::field::accept]);
    request.cookie = ToString(message[http::field::cookie]);
    request.csrf_token = ToString(message["X-CSRF-Token"]);
    request.fetch_site = ToString(message["Sec-Fetch-Site"]);
    request.body = std::move(message.body());
    request.remote = remote_;
    method_ = request.method;
    target_ = request.target;
    parser_.reset();

    const uint64_t sequence = ++sequence_;
    if (core_.is_blocking && core_.is_blocking(request)) {
      if (core_.options.handler_deadline.count() > 0) {
        deadline_timer_.expires_after(core_.options.handler_deadline);
        deadline_timer_.async_wait(
            [self = this->shared_from_this(), sequence](beast::error_code ec) {
              if (ec) return;  // cancelled: the handler answered in time
              self->OnHandled(sequence, Problem(503, "UNAVAILABLE",
                                                "The request was not handled within " +
                                                    std::to_string(self->core_.options
                                                                       .handler_deadline.count()) +
                                                    " ms; its outcome is unknown"),
                              /*close=*/true);
            });
      }
      asio::post(core_.blocking_pool, [self = this->shared_from_this(), sequence,
                                       request = std::move(request)] {
        HttpResponse response = self->Call(request);
        asio::post(self->stream_.get_executor(),
                   [self, sequence, response = std::move(response)]() mutable {
                     self->OnHandled(sequence, std::move(response), /*close=*/false);
                   });
      });
      return;
    }
    OnHandled(sequence, Call(request), /*close=*/false);
  }

  HttpResponse Call(const HttpRequest& request) {
    try {
      return core_.handler(request);
    } catch (const std::exception& e) {
      return Problem(500, "INTERNAL", std::string("The handler failed: ") + e.what());
    } catch (...) {
      return Problem(500, "INTERNAL", "The handler failed with an unknown exception");
    }
  }

  // The first answer to request `sequence` wins: the handler's or the deadline's.
  void OnHandled(uint64_t sequence, HttpResponse response, bool close) {
    if (sequence != sequence_ || answered_ == sequence) return;
    answered_ = sequence;
    deadline_timer_.cancel();
    if (close) keep_alive_ = false;
    Write(std::move(response));
  }

  void Write(HttpResponse response) {
    phase_ = Phase::kWriting;
    if (go_away_ || core_.going_away.load(std::memory_order_relaxed)) keep_alive_ = false;
    if (response.status < 100 || response.status > 599) {
      response = Problem(500, "INTERNAL",
                         "The handler answered status " + std::to_string(response.status) +
                             "; expected 100 to 599");
    }
    response_ = {};
    response_.version(version_ == 10 ? 10 : 11);
    response_.result(static_cast<unsigned>(response.status));
    response_.set(http::field::server, "clearance");
    const bool bodiless =
        response.status < 200 || response.status == 204 || response.status == 304;
    if (!bodiless) {
      if (!response.body.empty() || !response.content_type.empty()) {
        response_.set(http::field::content_type, response.content_type);
      }
      response_.content_length(response.body.size());
      response_.body() = std::move(response.body);
    }
    for (const auto& [name, value] : response.headers) {
      // A handler's header never splits the response.
      if (name.empty() || name.find_first_of("\r\n: ") != std::string::npos ||
          value.find_first_of("\r\n") != std::string::npos) {
        continue;
      }
      response_.insert(name, value);
    }
    response_.keep_alive(keep_alive_);
    status_ = response.status;
    // A client that does not read its response for idle_timeout is gone.
    Lowest().expires_after(core_.options.idle_timeout);
    http::async_write(stream_, response_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                        self->OnWritten(ec, n);
                      });
  }

  void OnWritten(beast::error_code ec, size_t bytes_out) {
    if (core_.access_log) {
      AccessLogEntry entry;
      entry.remote = remote_;
      entry.method = std::move(method_);
      entry.target = std::move(target_);
      entry.status = status_;
      entry.bytes_in = bytes_in_;
      entry.bytes_out = bytes_out;
      entry.nanos = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::steady_clock::now() - started_)
                                              .count());
      core_.access_log(entry);
    }
    response_ = {};
    if (ec) return Abort();
    if (!keep_alive_) return Close();
    WaitForRequest(/*first=*/false);
  }

  // Closes after an answer: TLS sends close_notify; plain TCP sends FIN, then reads and drops
  // what the peer still sends (bounded in bytes and by read_timeout) before closing. When the
  // server is going away it closes at once rather than wait for the peer.
  void Close() {
    phase_ = Phase::kClosing;
    if (go_away_) return Abort();
    Lowest().expires_after(core_.options.read_timeout);
    if constexpr (kTls) {
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->Abort(); });
    } else {
      beast::error_code ignored;  // the peer may already be gone; closing follows either way
      Lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
      buffer_.clear();
      Linger(0);
    }
  }

  void Linger(size_t drained) {
    if (drained >= kMaxLingerBytes) return Abort();
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this(), drained](beast::error_code ec,
                                                                       size_t n) {
                              if (ec) return self->Abort();
                              self->Linger(drained + n);
                            });
  }

  // Closes the socket now; pending operations end with operation_aborted.
  void Abort() {
    phase_ = Phase::kClosing;
    deadline_timer_.cancel();
    Lowest().close();
  }

  static constexpr size_t kReadChunk = 4096;

  ServerCore& core_;
  Stream stream_;
  const std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  asio::steady_timer deadline_timer_;
  Phase phase_ = Phase::kWaiting;
  bool go_away_ = false;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  // Requests dispatched, and the last one answered: a late handler finds its request answered.
  uint64_t sequence_ = 0;
  uint64_t answered_ = 0;
  // For the access log.
  std::string method_, target_;
  int status_ = 0;
  size_t bytes_in_ = 0;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace clearance::server::http_internal

#endif  // CLEARANCE_SERVER_HTTP_INTERNAL_CONNECTION_H_
