// The server's view of one HTTP exchange, independent of the HTTP library: the transport
// (http_server.h, Boost.Beast) fills an HttpRequest and writes back the HttpResponse a handler
// returns, so every route is testable without a socket.
//
// Errors are RFC 9457 problem documents (application/problem+json) in Camunda's shape:
// {"type":"about:blank","title":"NOT_FOUND","status":404,"detail":"...","instance":"/v2/..."}.
//
// Thread-safety: plain value types.
#ifndef CLEARANCE_SERVER_HTTP_MESSAGE_H_
#define CLEARANCE_SERVER_HTTP_MESSAGE_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace clearance::server {

struct HttpRequest {
  std::string method;          // "GET", "POST", ... as sent
  std::string target;          // the request target as sent: "/v2/groups/g1?x=1"
  std::string path;            // the target's path, not yet percent-decoded
  std::string query;           // the part after '?', raw; empty when none
  std::string authorization;   // the Authorization header; empty when absent
  std::string content_type;    // the Content-Type header; empty when absent
  std::string accept;          // the Accept header; empty when absent
  std::string cookie;          // the Cookie header; empty when absent
  std::string csrf_token;      // the X-CSRF-Token header; empty when absent
  std::string fetch_site;      // the Sec-Fetch-Site header; empty when absent
  std::string body;
  std::string remote;          // "127.0.0.1:54321", for logs
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// A problem document. `title` is Camunda's rejection name ("INVALID_ARGUMENT", "NOT_FOUND",
// "FORBIDDEN", "UNAUTHORIZED", ...); `detail` says what was wrong and what was expected.
HttpResponse Problem(int status, std::string_view title, std::string_view detail,
                     std::string_view instance = {});
// The problem for a status from the planner or the store: INVALID_ARGUMENT → 400, NOT_FOUND →
// 404, ALREADY_EXISTS → 409, FAILED_PRECONDITION → 409, PERMISSION_DENIED → 403,
// UNAUTHENTICATED → 401, RESOURCE_EXHAUSTED → 429, UNAVAILABLE → 503, anything else → 500.
// The title is the code's name (Camunda's rejection names use the same words).
HttpResponse ProblemFromStatus(const absl::Status& status, std::string_view instance = {});
HttpResponse JsonResponse(int status, std::string body);
HttpResponse NoContent();

// Percent-decodes one path segment or query component ("%2F" → "/"; '+' stays '+').
// nullopt for a malformed escape.
std::optional<std::string> PercentDecode(std::string_view s);

// The value of `name` in a raw query string ("a=1&b=2"), decoded; nullopt when absent.
std::optional<std::string> QueryParam(std::string_view query, std::string_view name);

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_HTTP_MESSAGE_H_
