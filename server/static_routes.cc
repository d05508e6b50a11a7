#include "server/static_routes.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include "clearance/internal/strings.h"
#include "server/json_writer.h"

#ifndef CLEARANCE_CONSOLE_DIR
#define CLEARANCE_CONSOLE_DIR "console/dist"
#endif

namespace clearance::server {
namespace {

using strings_internal::StrAppend;
using strings_internal::StrCat;
namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "/identity";
// Vite's output is index.html and assets/<name>-<hash>.<ext>; client-side routes go a few levels
// deeper (authorizations/<type>, groups/<id>/<tab>). Routes are registered for each depth.
constexpr int kMaxDepth = 6;

struct Site {
  fs::path root;
  ConsoleOidcOptions oidc;
  std::string issuer_origin;  // "https://idp.example.com:8443" of oidc.issuer; "" when none
};

// "https://host[:port]" of an http(s) URL; "" for anything else (then nothing is allowed).
std::string OriginOf(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "";
  const std::string_view scheme = url.substr(0, scheme_end);
  if (scheme != "https" && scheme != "http") return "";
  const size_t host_end = url.find_first_of("/?#", scheme_end + 3);
  const std::string_view origin = url.substr(0, host_end);
  // A CSP source must not carry characters that end or split the directive.
  if (origin.find_first_of(" ;,'\"\r\n") != std::string_view::npos) return "";
  return std::string(origin);
}

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (!in.good() && !in.eof()) return std::nullopt;
  return std::move(out).str();
}

HttpResponse NotBuilt(const Site& site, std::string_view instance) {
  return Problem(404, "NOT_FOUND",
                 StrCat("the Identity console is not in ", site.root.string(),
                        " (no index.html): build it with CLEARANCE_BUILD_CONSOLE=ON (needs npm), "
                        "or pass --console-dir with the folder of a built console"),
                 instance);
}

HttpResponse FileResponse(std::string body, std::string_view name, bool immutable) {
  HttpResponse response;
  response.status = 200;
  response.content_type = std::string(ContentTypeFor(name));
  response.body = std::move(body);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  // Vite names every asset by its content hash, so an asset never changes; index.html names
  // the current assets, so it is revalidated on every load.
  response.headers.emplace_back("Cache-Control",
                                immutable ? "public, max-age=31536000, immutable" : "no-cache");
  return response;
}

HttpResponse Index(const Site& site, std::string_view instance) {
  std::optional<std::string> body = ReadFile(site.root / "index.html");
  if (!body) return NotBuilt(site, instance);
  HttpResponse response = FileResponse(*std::move(body), "index.html", false);
  // Every script, style and font comes from this server; Carbon sets inline style attributes.
  // The OIDC sign-in fetches the issuer's discovery document and token endpoint.
  response.headers.emplace_back(
      "Content-Security-Policy",
      StrCat("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; ",
             site.issuer_origin.empty() ? "" : StrCat("connect-src 'self' ", site.issuer_origin, "; "),
             "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"));
  response.headers.emplace_back("X-Frame-Options", "DENY");
  return response;
}

HttpResponse Serve(const Site& site, const RequestContext& c) {
  const std::vector<std::string>& segments = c.params;
  for (const std::string& s : segments) {
    // The router already refused '/' and control characters inside a segment.
    if (s.front() == '.' || s.find('\\') != std::string::npos) {
      return Problem(404, "NOT_FOUND",
                     StrCat("no console file ", c.request.path,
                            ": path segments starting with '.' or holding '\\' are not served"),
                     c.request.path);
    }
  }
  fs::path relative;
  for (const std::string& s : segments) relative /= s;
  const fs::path candidate = site.root / relative;

  std::error_code ec;
  const fs::path root = fs::weakly_canonical(site.root, ec);
  const fs::path resolved = ec ? fs::path() : fs::weakly_canonical(candidate, ec);
  bool inside = false;
  if (!ec) {
    auto [root_end, unused] = std::mismatch(root.begin(), root.end(), resolved.begin(),
                                            resolved.end());
    inside = root_end == root.end();
  }
  if (inside && fs::is_regular_file(resolved, ec)) {
    std::optional<std::string> body = ReadFile(resolved);
    if (body) {
      const bool immutable = segments.size() > 1 && segments.front() == "assets";
      if (resolved.filename() == "index.html") return Index(site, c.request.path);
      return FileResponse(*std::move(body), segments.back(), immutable);
    }
  }
  // No file: a name with an extension is a missing asset; anything else is a console route.
  if (segments.back().find('.') != std::string::npos) {
    return Problem(404, "NOT_FOUND", StrCat("no console file ", c.request.path), c.request.path);
  }
  return Index(site, c.request.path);
}

}  // namespace

std::string_view DefaultConsoleDir() { return CLEARANCE_CONSOLE_DIR; }

std::string_view ContentTypeFor(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
  };
  const size_t dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    const std::string_view ext = name.substr(dot);
    for (const auto& [suffix, type] : kTypes) {
      if (ext == suffix) return type;
    }
  }
  return "application/octet-stream";
}

void AddStaticRoutes(Router& router, std::string console_dir, ConsoleOidcOptions oidc) {
  std::string origin = oidc.client_id.empty() ? "" : OriginOf(oidc.issuer);
  auto site = std::make_shared<const Site>(
      Site{fs::path(std::move(console_dir)), std::move(oidc), std::move(origin)});

  router.Add(
      "GET", "/identity",
      [](RequestContext&) {
        HttpResponse r;
        r.status = 308;
        r.content_type = "text/plain; charset=utf-8";
        r.body = "the Identity console is at /identity/\n";
        r.headers.emplace_back("Location", "/identity/");
        return r;
      },
      Access::kPublic);
  router.Add(
      "GET", "/identity/",
      [site](RequestContext& c) { return Index(*site, c.request.path); }, Access::kPublic);
  router.Add(
      "GET", "/identity/console-config.json",
      [site](RequestContext& c) {
        const Configuration* config =
            c.server.auth != nullptr ? &c.server.auth->config() : nullptr;
        const bool basic = config != nullptr && config->mode == AuthMode::kBasic;
        JsonWriter w;
        w.BeginObject();
        w.Field("authMode", basic ? "BASIC" : "OIDC");
        w.Field("tenantChecks", config != nullptr && config->tenant_checks_enabled);
        // The identifier rule, so the console's forms refuse what the planner would.
        w.Field("idPattern", config != nullptr ? config->id_pattern : Configuration{}.id_pattern);
        w.Field("groupsClaim", config != nullptr && config->groups_claim_configured());
        if (!basic && !site->oidc.client_id.empty()) {
          w.Key("oidc");
          w.BeginObject();
          w.Field("issuer", site->oidc.issuer);
          w.Field("clientId", site->oidc.client_id);
          w.Field("scopes", site->oidc.scopes);
          w.EndObject();
        }
        w.EndObject();
        HttpResponse r = JsonResponse(200, std::move(w).Take());
        r.headers.emplace_back("Cache-Control", "no-store");
        return r;
      },
      Access::kPublic);
  std::string pattern(kPrefix);
  for (int depth = 1; depth <= kMaxDepth; ++depth) {
    StrAppend(&pattern, "/{p", depth, "}");
    router.Add(
        "GET", pattern, [site](RequestContext& c) { return Serve(*site, c); }, Access::kPublic);
  }
}

}  // namespace clearance::server
