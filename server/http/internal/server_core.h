// What the listener and every connection of one HttpServer share: the options, the callbacks,
// the blocking pool and the registry of open connections that Shutdown() and the connection cap
// read. Internal to server/http/ (Beast and Asio types appear here, never in http_server.h).
//
// Thread-safety: the callbacks and options are set before serving and only read after; the
// registry is guarded by `mu`.
#ifndef CLEARANCE_SERVER_HTTP_INTERNAL_SERVER_CORE_H_
#define CLEARANCE_SERVER_HTTP_INTERNAL_SERVER_CORE_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <unordered_map>

#include <boost/asio/thread_pool.hpp>

#include "absl/base/thread_annotations.h"
#include "clearance/internal/mutex.h"
#include "server/http/http_server.h"

namespace clearance::server::http_internal {

// One open connection, as the server sees it. Both calls post to the connection's strand and
// return at once.
class ConnectionHandle {
 public:
  virtual ~ConnectionHandle() = default;
  // Stop taking requests: close now when waiting for one, else after answering the one in
  // flight (with `Connection: close`).
  virtual void GoAway() = 0;
  // Close the socket now, whatever is in flight.
  virtual void ForceClose() = 0;
};

struct ServerCore {
  ServerCore(HttpServerOptions options_in, Handler handler_in,
             std::function<bool(const HttpRequest&)> is_blocking_in,
             std::function<void(const AccessLogEntry&)> access_log_in)
      : options(std::move(options_in)),
        handler(std::move(handler_in)),
        is_blocking(std::move(is_blocking_in)),
        access_log(std::move(access_log_in)),
        blocking_pool(static_cast<size_t>(options.blocking_threads)) {}

  // Registers a new connection unless the server is stopping or at its cap; false: refused.
  bool Register(ConnectionHandle* key, std::weak_ptr<ConnectionHandle> connection) {
    sync_internal::MutexLock lock(&mu);
    if (stopping || connections.size() >= static_cast<size_t>(options.max_connections)) {
      return false;
    }
    connections.emplace(key, std::move(connection));
    return true;
  }
  void Unregister(ConnectionHandle* key) {
    sync_internal::MutexLock lock(&mu);
    connections.erase(key);
    if (connections.empty()) drained.notify_all();
  }

  const HttpServerOptions options;
  const Handler handler;
  const std::function<bool(const HttpRequest&)> is_blocking;
  const std::function<void(const AccessLogEntry&)> access_log;
  // Runs the handlers `is_blocking` selects. Joined by Shutdown() after the I/O threads.
  boost::asio::thread_pool blocking_pool;

  sync_internal::Mutex mu;
  // Signalled when the last connection unregisters.
  std::condition_variable_any drained;
  // Keyed by the connection's address; the weak pointer lets Shutdown() reach a live one.
  std::unordered_map<ConnectionHandle*, std::weak_ptr<ConnectionHandle>> connections
      ABSL_GUARDED_BY(mu);
  bool stopping ABSL_GUARDED_BY(mu) = false;
  // Set first thing by Shutdown(): every response written from then on says `Connection:
  // close`, whether or not the connection's GoAway() has run yet.
  std::atomic<bool> going_away{false};
};

}  // namespace clearance::server::http_internal

#endif  // CLEARANCE_SERVER_HTTP_INTERNAL_SERVER_CORE_H_
