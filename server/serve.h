// The server `clearance serve` runs: a ServingStore over the store directory, the token
// verifier of its configuration (its JWKS refreshed on a background thread with back-off), the
// router with every route (health, Camunda's /v2 identity API, the decision API), metrics, an
// access log and the HTTP transport. docs/server.md is the operator's guide.
//
// Thread-safety: Start() and Shutdown() from one thread; the rest from any.
#ifndef CLEARANCE_SERVER_SERVE_H_
#define CLEARANCE_SERVER_SERVE_H_

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "clearance/serving_store.h"
#include "clearance/token.h"
#include "server/http/http_server.h"
#include "server/router.h"
#include "server/session.h"
#include "server/static_routes.h"

namespace clearance::server {

struct ServeOptions {
  std::string db_path = "./clearance-data";
  HttpServerOptions http;
  // fsync every write batch before answering (the default, as for the CLI's writes).
  bool sync = true;
  // How long to wait for another process writing the store before giving up.
  std::chrono::milliseconds lock_timeout{0};
  // JSON-lines access log: "" none, "-" standard output, else a file appended to.
  std::string access_log;
  size_t max_batch = 256;
  // On Shutdown(), how long requests in flight get to finish.
  std::chrono::milliseconds drain_timeout{10000};
  // The built Identity console served at /identity/ (static_routes.h); "" serves none.
  std::string console_dir;
  // BASIC mode: the console's sign-in sessions (session.h: idle and absolute timeouts, table
  // size). OIDC mode has none.
  SessionOptions sessions;
  // OIDC mode: the console signs people in at this issuer (static_routes.h). An empty client id
  // offers no sign-in there (the console then takes a pasted access token); an empty issuer is
  // the configuration's trusted issuer when it has exactly one.
  ConsoleOidcOptions console_oidc;
};

// Builds the verifier for the stored configuration's token issuers; nullptr when it has none.
using VerifierFactory =
    std::function<absl::StatusOr<std::unique_ptr<TokenVerifier>>(const Configuration&)>;

// The router with every route of the server; `info` describes this server for /v2/topology.
struct SystemInfo;
std::unique_ptr<Router> MakeRouter(const SystemInfo& info);

// The running server's version ("0.1.0").
std::string_view ServerVersion();

class Server {
 public:
  // Opens the store (which must exist and be initialized: `clearance init` first), builds the
  // verifier and starts listening. Errors: the store's (NOT_FOUND names `clearance init`,
  // UNAVAILABLE names the process holding it), the verifier's, the transport's (address in use,
  // TLS files), FAILED_PRECONDITION for a store that is not initialized, and INVALID_ARGUMENT
  // for console OIDC options that do not fit the configuration (BASIC mode, an issuer it does
  // not trust, several issuers and none chosen).
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServeOptions& options,
                                                       const VerifierFactory& verifier_factory);
  ~Server();  // Shutdown()

  uint16_t port() const;
  // "http://127.0.0.1:8080" (https when TLS is on), with the bound port.
  std::string url() const;
  // Graceful: stop accepting, finish requests in flight, stop the key refresher, close the
  // store. Idempotent.
  void Shutdown();

  ServingStore& store();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_SERVE_H_
