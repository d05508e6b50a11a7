#include "server/serve.h"

#include <algorithm>
#include <condition_variable>
#include <thread>

#include "clearance/internal/mutex.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "server/decision/decision_routes.h"
#include "server/json_writer.h"
#include "server/metrics.h"
#include "server/session_routes.h"
#include "server/static_routes.h"
#include "server/system_routes.h"
#include "server/v2/identity_routes.h"

namespace clearance::server {
namespace {

using strings_internal::StrCat;
using sync_internal::Mutex;
using sync_internal::MutexLock;

// Writes one JSON line per answered request. Lines are whole: one write under a lock.
class AccessLog {
 public:
  static absl::StatusOr<std::unique_ptr<AccessLog>> Open(const std::string& target) {
    if (target.empty()) return std::unique_ptr<AccessLog>();
    if (target == "-") return std::unique_ptr<AccessLog>(new AccessLog(stdout, false));
    FILE* f = std::fopen(target.c_str(), "ae");
    if (f == nullptr) {
      return absl::InvalidArgumentError(
          StrCat("--access-log ", target, ": cannot open for appending"));
    }
    return std::unique_ptr<AccessLog>(new AccessLog(f, true));
  }
  ~AccessLog() {
    if (owned_) std::fclose(file_);
  }

  void Write(const AccessLogEntry& e) {
    JsonWriter w;
    w.BeginObject();
    w.Field("time", static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count()));
    w.Field("remote", e.remote);
    w.Field("method", e.method);
    w.Field("target", e.target);
    w.Field("status", e.status);
    w.Field("bytes_in", static_cast<uint64_t>(e.bytes_in));
    w.Field("bytes_out", static_cast<uint64_t>(e.bytes_out));
    w.Field("micros", e.nanos / 1000);
    w.EndObject();
    std::string line = std::move(w).Take();
    line.push_back('\n');
    MutexLock lock(&mu_);
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
  }

 private:
  AccessLog(FILE* file, bool owned) : file_(file), owned_(owned) {}
  Mutex mu_;
  FILE* file_;
  bool owned_;
};

// Calls RefreshKeys() when the verifier's refresh interval may have elapsed; after a failure,
// again after a back-off that doubles from 1 s up to 5 min. Never on a request thread.
class KeyRefresher {
 public:
  explicit KeyRefresher(TokenVerifier* verifier) : verifier_(verifier) {
    thread_ = std::thread([this] { Run(); });
  }
  ~KeyRefresher() {
    {
      MutexLock lock(&mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Run() {
    std::chrono::milliseconds wait(30'000);
    std::chrono::milliseconds backoff(1'000);
    for (;;) {
      {
        MutexLock lock(&mu_);
        cv_.wait_for(mu_, wait, [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stop_; });
        if (stop_) return;
      }
      if (verifier_->RefreshKeys().ok()) {
        wait = std::chrono::milliseconds(30'000);
        backoff = std::chrono::milliseconds(1'000);
      } else {
        wait = backoff;
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::minutes(5));
      }
    }
  }

  TokenVerifier* verifier_;
  Mutex mu_;
  std::condition_variable_any cv_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// Handlers that may wait run on the transport's blocking pool, so an I/O thread never waits and
// decisions are never stalled behind a write: identity writes fsync, and identity reads take the
// state lock a write batch holds through its fsync. The decision API reads only the engine's
// published generations (who-can reads the state); health and metrics read counters.
bool IsBlocking(const HttpRequest& request) {
  const std::string_view path = request.path;
  if (path == "/v2/status" || path == "/metrics") return false;
  if (path.starts_with("/clearance/v1/")) return path == "/clearance/v1/who-can";
  return true;
}

}  // namespace

std::string_view ServerVersion() { return CLEARANCE_VERSION; }

std::unique_ptr<Router> MakeRouter(const SystemInfo& info) {
  auto router = std::make_unique<Router>();
  AddSystemRoutes(*router, info);
  AddIdentityRoutes(*router);
  AddDecisionRoutes(*router);
  return router;
}

struct Server::Impl {
  std::unique_ptr<ServingStore> store;
  std::unique_ptr<SessionStore> sessions;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<Router> router;
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<AccessLog> access_log;
  std::unique_ptr<KeyRefresher> refresher;
  ServerState state;
  std::unique_ptr<HttpServer> http;
  bool tls = false;
  std::string host;
  std::chrono::milliseconds drain{10000};
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Shutdown(); }

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServeOptions& options,
                                                      const VerifierFactory& verifier_factory) {
  auto impl = std::make_unique<Impl>();
  ServingOptions serving;
  serving.store.sync = options.sync;
  serving.store.create_if_missing = false;
  serving.store.lock_timeout = options.lock_timeout;
  serving.store.writer_note = StrCat(
      "a clearance server (", options.http.listen,
      "): send changes through its API, or stop it (SIGTERM) before writing with the CLI");
  serving.max_batch = options.max_batch;
  absl::StatusOr<std::unique_ptr<ServingStore>> store =
      ServingStore::Open(options.db_path, serving);
  if (!store.ok()) {
    if (absl::IsNotFound(store.status())) {
      return absl::NotFoundError(StrCat("no store at ", options.db_path,
                                        "; create one with `clearance init` first"));
    }
    return store.status();
  }
  impl->store = *std::move(store);

  Configuration config;
  bool initialized = false;
  impl->store->Read([&](const IdentityState& s) {
    config = s.config();
    initialized = s.initialized();
  });
  if (!initialized) {
    return absl::FailedPreconditionError(
        StrCat("the store at ", options.db_path,
               " is not initialized; run `clearance init` first (it creates the admin role "
               "and the first administrator)"));
  }
  std::unique_ptr<TokenVerifier> verifier;
  if (config.mode == AuthMode::kOidc && !config.token_issuers.empty()) {
    CLEARANCE_ASSIGN_OR_RETURN(verifier, verifier_factory(config));
  }
  ConsoleOidcOptions console_oidc = options.console_oidc;
  if (!console_oidc.client_id.empty()) {
    if (config.mode != AuthMode::kOidc) {
      return absl::InvalidArgumentError(
          "--console-oidc-client-id: the store's configuration is BASIC mode, whose console "
          "signs in with a username and password; it applies in OIDC mode only");
    }
    if (console_oidc.issuer.empty()) {
      if (config.token_issuers.size() != 1) {
        return absl::InvalidArgumentError(StrCat(
            "--console-oidc-client-id: the configuration trusts ", config.token_issuers.size(),
            " token issuers; name the console's with --console-oidc-issuer"));
      }
      console_oidc.issuer = config.token_issuers[0].issuer;
    }
    const bool trusted = std::any_of(
        config.token_issuers.begin(), config.token_issuers.end(),
        [&](const TokenIssuerConfig& t) { return t.issuer == console_oidc.issuer; });
    if (!trusted) {
      return absl::InvalidArgumentError(
          StrCat("--console-oidc-issuer ", console_oidc.issuer,
                 ": not among the configuration's trusted token issuers, so the server would "
                 "refuse its tokens (add it with `clearance config set --issuer ...`)"));
    }
  }
  if (verifier != nullptr) impl->refresher = std::make_unique<KeyRefresher>(verifier.get());
  if (config.mode == AuthMode::kBasic) {
    impl->sessions = std::make_unique<SessionStore>(options.sessions);
  }
  impl->auth = std::make_unique<Authenticator>(*impl->store, config, std::move(verifier),
                                               impl->sessions.get());

  CLEARANCE_ASSIGN_OR_RETURN(impl->access_log, AccessLog::Open(options.access_log));

  SystemInfo info;
  const size_t colon = options.http.listen.rfind(':');
  info.host = options.http.listen.substr(0, colon);
  info.version = std::string(ServerVersion());
  impl->host = info.host;
  impl->router = MakeRouter(info);
  AddSessionRoutes(*impl->router, {.secure = !options.http.tls_cert_file.empty()});
  if (!options.console_dir.empty()) {
    AddStaticRoutes(*impl->router, options.console_dir, std::move(console_oidc));
  }
  std::vector<std::string> patterns = impl->router->Patterns();
  patterns.push_back("");
  impl->metrics = std::make_unique<Metrics>(patterns);
  impl->state.store = impl->store.get();
  impl->state.auth = impl->auth.get();
  impl->state.metrics = impl->metrics.get();
  impl->tls = !options.http.tls_cert_file.empty();
  impl->drain = options.drain_timeout;

  Impl* raw = impl.get();
  Handler handler = [raw](const HttpRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    std::string_view route;
    HttpResponse response = raw->router->Handle(request, raw->state, &route);
    raw->metrics->ObserveRequest(
        route, request.method, response.status,
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now() - start)
                                  .count()));
    return response;
  };
  std::function<void(const AccessLogEntry&)> access_log;
  if (raw->access_log != nullptr) {
    access_log = [raw](const AccessLogEntry& e) { raw->access_log->Write(e); };
  }
  CLEARANCE_ASSIGN_OR_RETURN(
      impl->http,
      HttpServer::Start(options.http, std::move(handler), IsBlocking, std::move(access_log)));
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->http->port(); }

std::string Server::url() const {
  std::string host = impl_->host;
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  return StrCat(impl_->tls ? "https://" : "http://", host, ":", port());
}

void Server::Shutdown() {
  if (impl_ == nullptr) return;
  if (impl_->http != nullptr) impl_->http->Shutdown(impl_->drain);
  impl_->refresher.reset();
  impl_->http.reset();
  impl_->store.reset();  // closes the store: every acknowledged write is already durable
}

ServingStore& Server::store() { return *impl_->store; }

}  // namespace clearance::server
