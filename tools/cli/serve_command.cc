// clearance serve: the store over HTTP (server/serve.h, docs/server.md).
#include <csignal>
#include <pthread.h>

#include "cli/cli.h"
#include "cli/input.h"
#include "clearance/internal/strings.h"
#include "server/serve.h"
#include "server/static_routes.h"

namespace clearance::cli {
namespace {

using strings_internal::StrCat;

constexpr InputLimit kIoThreads{"io-threads", 0};
// Writers wait for their batch on these threads, so they bound how many writes one fsync
// carries (group commit); waiting threads cost little.
constexpr InputLimit kBlockingThreads{"blocking-threads", 16};
constexpr InputLimit kMaxBody{"max-body-bytes", 1 << 20};
constexpr InputLimit kMaxHeader{"max-header-bytes", 16 << 10};
constexpr InputLimit kMaxConnections{"max-connections", 1024};
constexpr InputLimit kReadTimeout{"read-timeout-ms", 10'000};
constexpr InputLimit kIdleTimeout{"idle-timeout-ms", 60'000};
constexpr InputLimit kHandlerDeadline{"handler-deadline-ms", 30'000};
constexpr InputLimit kDrain{"drain-timeout-ms", 10'000};
constexpr InputLimit kSessionIdle{"session-idle-timeout-s", 30 * 60};
constexpr InputLimit kSessionAbsolute{"session-absolute-timeout-s", 8 * 60 * 60};
constexpr InputLimit kMaxSessions{"max-sessions", 10'000};

int Serve(Context& ctx, const Flags& f) {
  server::ServeOptions options;
  options.db_path = ctx.db_path;
  options.sync = ctx.sync;
  options.lock_timeout = ctx.lock_timeout;
  options.http.listen = f.GetOr("listen", "127.0.0.1:8080");
  options.access_log = f.GetOr("access-log", "");
  options.http.tls_cert_file = f.GetOr("tls-cert", "");
  options.http.tls_key_file = f.GetOr("tls-key", "");
  options.console_dir = f.GetOr("console-dir", server::DefaultConsoleDir());
  options.console_oidc.client_id = f.GetOr("console-oidc-client-id", "");
  options.console_oidc.issuer = f.GetOr("console-oidc-issuer", "");
  options.console_oidc.scopes = f.GetOr("console-oidc-scopes", "openid");
  struct {
    const InputLimit& limit;
    size_t* out;
  } sizes[] = {{kMaxBody, &options.http.max_body_bytes}, {kMaxHeader, &options.http.max_header_bytes}};
  for (auto& s : sizes) {
    absl::StatusOr<size_t> v = LimitValue(f, s.limit);
    if (!v.ok()) return Fail(ctx, v.status());
    *s.out = *v;
  }
  struct {
    const InputLimit& limit;
    int* out;
  } counts[] = {{kBlockingThreads, &options.http.blocking_threads},
                {kMaxConnections, &options.http.max_connections}};
  for (auto& c : counts) {
    absl::StatusOr<size_t> v = LimitValue(f, c.limit);
    if (!v.ok()) return Fail(ctx, v.status());
    *c.out = static_cast<int>(std::min<size_t>(*v, 1 << 20));
  }
  if (f.Has("io-threads")) {
    absl::StatusOr<size_t> v = LimitValue(f, kIoThreads);
    if (!v.ok()) return Fail(ctx, v.status());
    options.http.io_threads = static_cast<int>(std::min<size_t>(*v, 1024));
  }
  struct {
    const InputLimit& limit;
    std::chrono::milliseconds* out;
  } times[] = {{kReadTimeout, &options.http.read_timeout},
               {kIdleTimeout, &options.http.idle_timeout},
               {kHandlerDeadline, &options.http.handler_deadline}};
  for (auto& t : times) {
    absl::StatusOr<size_t> v = LimitValue(f, t.limit);
    if (!v.ok()) return Fail(ctx, v.status());
    *t.out = std::chrono::milliseconds(*v);
  }
  absl::StatusOr<size_t> drain = LimitValue(f, kDrain);
  if (!drain.ok()) return Fail(ctx, drain.status());
  options.drain_timeout = std::chrono::milliseconds(*drain);
  struct {
    const InputLimit& limit;
    std::chrono::seconds* out;
  } session_times[] = {{kSessionIdle, &options.sessions.idle_timeout},
                       {kSessionAbsolute, &options.sessions.absolute_timeout}};
  for (auto& t : session_times) {
    absl::StatusOr<size_t> v = LimitValue(f, t.limit);
    if (!v.ok()) return Fail(ctx, v.status());
    *t.out = std::chrono::seconds(std::min<size_t>(*v, size_t{1} << 32));
  }
  absl::StatusOr<size_t> max_sessions = LimitValue(f, kMaxSessions);
  if (!max_sessions.ok()) return Fail(ctx, max_sessions.status());
  options.sessions.max_sessions = *max_sessions;

  // Block the stop signals in every thread the server starts; this thread waits for them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  absl::StatusOr<std::unique_ptr<server::Server>> server = server::Server::Start(
      options, [](const Configuration& config) { return MakeTokenVerifier(config); });
  if (!server.ok()) {
    pthread_sigmask(SIG_UNBLOCK, &stop, nullptr);
    return Fail(ctx, server.status());
  }
  std::fprintf(ctx.out, "listening on %s\n", (*server)->url().c_str());
  std::fflush(ctx.out);
  int signal = 0;
  sigwait(&stop, &signal);
  std::fprintf(ctx.err, "%s: finishing requests in flight, then closing the store\n",
               signal == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->Shutdown();
  pthread_sigmask(SIG_UNBLOCK, &stop, nullptr);
  std::fprintf(ctx.err, "stopped\n");
  return kOk;
}

}  // namespace

void AddServeCommands(std::vector<Command>* commands) {
  commands->push_back(
      {"serve",
       "serve the store over HTTP: Camunda's /v2 identity API and the decision API",
       {{"listen", true, false, "host:port to listen on (default 127.0.0.1:8080; port 0 picks one)"},
        {"tls-cert", true, false, "PEM certificate chain: serve HTTPS (with --tls-key)"},
        {"tls-key", true, false, "PEM private key for --tls-cert"},
        {"access-log", true, false, "JSON-lines access log: a file to append to, or - for stdout"},
        {"console-dir", true, false,
         "the built Identity console served at /identity/ (default: this build's console/dist)"},
        {"console-oidc-client-id", true, false,
         "OIDC mode: the console's public client id at the issuer; the console then signs in "
         "with the authorization code flow and PKCE"},
        {"console-oidc-issuer", true, false,
         "OIDC mode: the issuer the console signs in at (default: the only trusted issuer)"},
        {"console-oidc-scopes", true, false,
         "OIDC mode: the scopes the console asks for, space-separated (default: openid)"},
        LimitFlag(kSessionIdle, "BASIC mode: a console session unused this many seconds ends"),
        LimitFlag(kSessionAbsolute, "BASIC mode: a console session ends this many seconds after sign-in"),
        LimitFlag(kMaxSessions, "BASIC mode: live console sessions at most (the idlest ends beyond)"),
        {"io-threads", true, false, "I/O threads (default: one per core, at least 2)"},
        LimitFlag(kBlockingThreads, "threads for handlers that wait (writes, identity reads)"),
        LimitFlag(kMaxBody, "largest request body accepted, in bytes (413 beyond)"),
        LimitFlag(kMaxHeader, "largest request head accepted, in bytes (431 beyond)"),
        LimitFlag(kMaxConnections, "open connections at most (503 beyond)"),
        LimitFlag(kReadTimeout, "a request must arrive within this many ms of its first byte"),
        LimitFlag(kIdleTimeout, "an idle keep-alive connection closes after this many ms"),
        LimitFlag(kHandlerDeadline, "a write answers 503 (outcome unknown) after this many ms"),
        LimitFlag(kDrain, "on SIGTERM/SIGINT, requests in flight get this many ms to finish")},
       "clearance serve --listen 127.0.0.1:8080\n"
       "  clearance --db /var/lib/clearance serve --listen 0.0.0.0:8443 --tls-cert c.pem "
       "--tls-key k.pem\n"
       "  Prints 'listening on URL' once the store is open and the port bound; stops on SIGTERM "
       "or SIGINT.\n"
       "  While it runs, CLI commands that write the store are refused (they name the server);\n"
       "  commands that read (check, list, snapshot export) still work.",
       Serve});
}

}  // namespace clearance::cli
