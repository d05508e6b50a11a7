// hello_server: HttpServer with a handler that answers every request with the same small JSON
// document, so that wrk against it measures the transport alone (Beast, Asio, the I/O threads,
// the kernel) — the ceiling any route of `clearance serve` can reach on the machine.
//
//   hello_server [--listen 127.0.0.1:8081] [--io-threads N] [--blocking]
//
// --blocking runs every handler on the blocking pool, to measure the hop that synced writes pay.
// Serves until SIGINT or SIGTERM, then shuts down gracefully.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "server/http/http_server.h"

namespace {

int Usage(const std::string& error) {
  std::fprintf(stderr,
               "error: %s\nusage: hello_server [--listen HOST:PORT] [--io-threads N] "
               "[--blocking]\n",
               error.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using clearance::server::HttpRequest;
  using clearance::server::HttpResponse;
  clearance::server::HttpServerOptions options;
  options.listen = "127.0.0.1:8081";
  bool blocking = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--blocking") {
      blocking = true;
    } else if (arg == "--listen" && i + 1 < argc) {
      options.listen = argv[++i];
    } else if (arg == "--io-threads" && i + 1 < argc) {
      options.io_threads = std::atoi(argv[++i]);
    } else {
      return Usage("unknown or incomplete argument '" + arg + "'");
    }
  }
  // The signals are taken by sigwait below, never by a handler on a random thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = clearance::server::HttpServer::Start(
      options,
      [](const HttpRequest&) {
        return clearance::server::JsonResponse(200, R"({"message":"hello","ok":true})");
      },
      [blocking](const HttpRequest&) { return blocking; }, /*access_log=*/{});
  if (!server.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  std::printf("hello_server listening on port %u\n", static_cast<unsigned>((*server)->port()));
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  (*server)->Shutdown();
  return 0;
}
