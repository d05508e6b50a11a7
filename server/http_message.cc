#include "server/http_message.h"

#include "server/json_writer.h"

namespace clearance::server {
namespace {

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists: return 409;
    case absl::StatusCode::kFailedPrecondition: return 409;
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    case absl::StatusCode::kUnimplemented: return 501;
    default: return 500;
  }
}

// Camunda's rejection names where they differ from absl's code names.
std::string_view TitleOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case absl::StatusCode::kOutOfRange: return "INVALID_ARGUMENT";
    case absl::StatusCode::kUnauthenticated: return "UNAUTHORIZED";
    case absl::StatusCode::kPermissionDenied: return "FORBIDDEN";
    case absl::StatusCode::kNotFound: return "NOT_FOUND";
    case absl::StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    case absl::StatusCode::kFailedPrecondition: return "INVALID_STATE";
    case absl::StatusCode::kAborted: return "INVALID_STATE";
    case absl::StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case absl::StatusCode::kUnavailable: return "UNAVAILABLE";
    case absl::StatusCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case absl::StatusCode::kUnimplemented: return "NOT_IMPLEMENTED";
    default: return "INTERNAL";
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

HttpResponse Problem(int status, std::string_view title, std::string_view detail,
                     std::string_view instance) {
  JsonWriter w;
  w.BeginObject();
  w.Field("type", "about:blank");
  w.Field("title", title);
  w.Field("status", status);
  w.Field("detail", detail);
  if (!instance.empty()) w.Field("instance", instance);
  w.EndObject();
  HttpResponse response;
  response.status = status;
  response.content_type = "application/problem+json";
  response.body = std::move(w).Take();
  return response;
}

HttpResponse ProblemFromStatus(const absl::Status& status, std::string_view instance) {
  const std::string_view message(status.message().data(), status.message().size());
  return Problem(HttpStatusOf(status.code()), TitleOf(status.code()), message, instance);
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse NoContent() {
  HttpResponse response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = HexValue(s[i + 1]);
    const int lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::optional<std::string> QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = part.find('=');
    const std::string_view key = part.substr(0, eq);
    if (key != name) continue;
    const std::string_view value = eq == std::string_view::npos ? "" : part.substr(eq + 1);
    return PercentDecode(value);
  }
  return std::nullopt;
}

}  // namespace clearance::server
