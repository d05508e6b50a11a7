#include "server/router.h"

#include <algorithm>
#include <exception>

#include "clearance/internal/strings.h"
#include "clearance/decision.h"

namespace clearance::server {
namespace {

using strings_internal::StrAppend;
using strings_internal::StrCat;
using strings_internal::StrJoin;

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/') return segments;
  std::string_view rest = path.substr(1);
  while (true) {
    const size_t slash = rest.find('/');
    segments.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return segments;
}

bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// A decoded parameter holds an id: refuse what no id contains, so no id can name another path.
std::optional<std::string> BadParameter(std::string_view decoded) {
  if (decoded.empty()) return "is empty";
  if (decoded == "." || decoded == "..") return "is a relative path segment";
  for (unsigned char c : decoded) {
    if (c == '/') return "holds '/'";
    if (c < 0x20 || c == 0x7F) return "holds a control character";
  }
  return std::nullopt;
}

}  // namespace

void Router::Add(std::string_view method, std::string_view pattern, RouteHandler handler,
                 Access access) {
  Route route;
  route.method = std::string(method);
  route.pattern = std::string(pattern);
  for (std::string_view s : Segments(pattern)) route.segments.emplace_back(s);
  route.handler = std::move(handler);
  route.access = access;
  routes_.push_back(std::move(route));
}

std::string_view Router::RouteOf(const HttpRequest& request) const {
  const std::vector<std::string_view> segments = Segments(request.path);
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size() || route.method != request.method) continue;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      match = IsParameter(route.segments[i]) ? !segments[i].empty()
                                             : route.segments[i] == segments[i];
    }
    if (match) return route.pattern;
  }
  return {};
}

std::vector<std::string> Router::Patterns() const {
  std::vector<std::string> patterns;
  for (const Route& route : routes_) {
    if (std::find(patterns.begin(), patterns.end(), route.pattern) == patterns.end()) {
      patterns.push_back(route.pattern);
    }
  }
  return patterns;
}

HttpResponse Router::Handle(const HttpRequest& request, ServerState& state,
                            std::string_view* route_out) const {
  if (route_out != nullptr) *route_out = {};
  const std::vector<std::string_view> segments = Segments(request.path);
  if (segments.empty()) {
    return Problem(400, "INVALID_ARGUMENT",
                   StrCat("request target '", request.target.substr(0, 256),
                                "' is not an absolute path"),
                   "");
  }
  const Route* found = nullptr;
  std::vector<std::string> allowed;  // methods of routes whose pattern matches the path
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      match = IsParameter(route.segments[i]) ? !segments[i].empty()
                                             : route.segments[i] == segments[i];
    }
    if (!match) continue;
    if (route.method == request.method) {
      found = &route;
      break;
    }
    allowed.push_back(route.method);
  }
  if (found == nullptr) {
    if (!allowed.empty()) {
      HttpResponse response =
          Problem(405, "METHOD_NOT_ALLOWED",
                  StrCat("method ", request.method.substr(0, 16), " is not allowed on ",
                               request.path.substr(0, 256), "; allowed: ",
                               StrJoin(allowed, ", ")),
                  request.path);
      response.headers.emplace_back("Allow", StrJoin(allowed, ", "));
      return response;
    }
    return Problem(404, "NOT_FOUND",
                   StrCat("no such endpoint: ", request.method.substr(0, 16), " ",
                                request.path.substr(0, 256)),
                   "");
  }

  if (route_out != nullptr) *route_out = found->pattern;
  std::vector<std::string> params;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (!IsParameter(found->segments[i])) continue;
    const std::string_view name =
        std::string_view(found->segments[i]).substr(1, found->segments[i].size() - 2);
    std::optional<std::string> decoded = PercentDecode(segments[i]);
    if (!decoded) {
      return Problem(400, "INVALID_ARGUMENT",
                     StrCat("path parameter ", name, ": malformed percent-escape"),
                     request.path);
    }
    if (std::optional<std::string> bad = BadParameter(*decoded)) {
      return Problem(400, "INVALID_ARGUMENT", StrCat("path parameter ", name, " ", *bad),
                     request.path);
    }
    params.push_back(*std::move(decoded));
  }

  static const std::shared_ptr<const CallerIdentity> kNobody =
      std::make_shared<const CallerIdentity>();
  std::shared_ptr<const CallerIdentity> caller = kNobody;
  if (found->access == Access::kAuthenticated) {
    if (state.auth == nullptr) {
      return Problem(500, "INTERNAL", "the server has no authenticator", request.path);
    }
    caller = state.auth->Authenticate(request);
    if (!caller->authenticated) {
      if (caller->forbidden) return Problem(403, "FORBIDDEN", caller->failure, request.path);
      HttpResponse response = Problem(401, "UNAUTHORIZED", caller->failure, request.path);
      // A Basic challenge to a browser's session request would open its password dialog.
      if (caller->from_session) return response;
      response.headers.emplace_back(
          "WWW-Authenticate",
          state.auth->config().mode == AuthMode::kBasic ? "Basic realm=\"clearance\""
                                                        : "Bearer realm=\"clearance\"");
      return response;
    }
  }

  RequestContext context{request, std::move(params), *caller, state, found->pattern};
  try {
    return found->handler(context);
  } catch (const std::exception& e) {
    return Problem(500, "INTERNAL", StrCat("internal error: ", e.what()), request.path);
  }
}

std::optional<HttpResponse> Require(const RequestContext& context, ResourceType type,
                                    Permission permission, std::string_view resource_id) {
  CheckRequestView view;
  view.resource_type = type;
  view.permission = permission;
  std::string_view ids[1] = {resource_id};
  if (!resource_id.empty()) view.resource_ids = absl::MakeConstSpan(ids);
  const Decision decision = context.server.store->engine().Check(context.caller.handle, view);
  switch (decision.outcome) {
    case Outcome::kAllow:
      return std::nullopt;
    case Outcome::kUnauthenticated:
      return Problem(401, "UNAUTHORIZED",
                     StrCat("the caller has no usable principal (", Name(decision.reason),
                                  ")"),
                     context.request.path);
    case Outcome::kNotFound:
      return Problem(404, "NOT_FOUND",
                     StrCat(Name(type), " '", resource_id, "' was not found"),
                     context.request.path);
    case Outcome::kForbidden:
      break;
  }
  std::string detail = StrCat("Insufficient permissions to perform operation '",
                                    Name(permission), "' on resource '", Name(type), "'");
  if (!resource_id.empty()) {
    StrAppend(&detail, ", required resource identifiers are one of '[*, ", resource_id,
                    "]'");
  }
  return Problem(403, "FORBIDDEN", detail, context.request.path);
}

}  // namespace clearance::server
