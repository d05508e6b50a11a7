// The Identity console's files (console/, built with Vite) served at /identity/.
//
// GET /identity/<path> answers the file <dir>/<path> with the content type of its extension;
// a path that names no file and has no extension is one of the console's own client-side routes
// (/identity/authorizations/GROUP), so it answers index.html and the console's router takes
// over. Segments "." and ".." and hidden files are refused, and a resolved file must lie inside
// the directory, so no request reads outside it. Public: the console itself signs the person in
// (session_routes.h in BASIC mode, the identity provider in OIDC mode).
//
// GET /identity/console-config.json tells the console, before anyone signs in, which sign-in to
// offer and which pages apply: {"authMode": "BASIC" (a username and password, POST /login) or
// "OIDC" (a bearer token), "tenantChecks": true when tenant checks are on (the Tenants page),
// "idPattern": the configured identifier rule (an RE2 expression its forms check ids with),
// "groupsClaim": true when a groups claim relaxes group ids}, and in OIDC mode with a console
// client id "oidc": {"issuer", "clientId", "scopes"}: the console then signs in with the
// authorization code flow and PKCE at that issuer. index.html's Content-Security-Policy then lets
// the console reach the issuer's origin (discovery document, token endpoint) and nothing else.
//
// Thread-safety: the handlers read files on every request and hold no state but the directory.
#ifndef CLEARANCE_SERVER_STATIC_ROUTES_H_
#define CLEARANCE_SERVER_STATIC_ROUTES_H_

#include <string>
#include <string_view>

#include "server/router.h"

namespace clearance::server {

// The built console of this build tree (the default of `clearance serve --console-dir`).
std::string_view DefaultConsoleDir();

// The console's OIDC sign-in (docs/server.md "The console in OIDC mode").
struct ConsoleOidcOptions {
  std::string issuer;     // a trusted issuer's `iss`; its discovery document is <issuer>/.well-known/openid-configuration
  std::string client_id;  // the console's public client at the issuer; empty: no OIDC sign-in
  std::string scopes = "openid";  // space-separated, as sent in the authorization request
};

// Adds the console's routes. A directory without index.html (the console was not built) still
// gets the routes; they answer 404 with a detail naming the directory and how to build it.
void AddStaticRoutes(Router& router, std::string console_dir, ConsoleOidcOptions oidc = {});

// The content type served for a file name's extension ("app.js" → "text/javascript").
std::string_view ContentTypeFor(std::string_view file_name);

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_STATIC_ROUTES_H_
