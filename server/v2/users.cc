// /v2/users: create, get, update (200 with the user), delete, search. Users are stored only in
// BASIC mode (docs/semantics.md §7); in OIDC mode the identity provider owns them, and every
// /v2/users endpoint answers 403 naming the mode, as Camunda refuses user management when OIDC is
// configured. Passwords are stored as bcrypt hashes (clearance::HashPassword) and never returned.
#include <string>
#include <tuple>
#include <vector>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "clearance/token_password.h"
#include "server/v2/resources.h"
#include "server/v2/search.h"
#include "server/v2/wire.h"

namespace clearance::server::v2_internal {

using strings_internal::StrCat;

namespace {

constexpr std::string_view kSortFields[] = {"username", "name", "email"};

std::optional<HttpResponse> RequireBasicMode(const RequestContext& context) {
  if (StoredMode(context) == AuthMode::kBasic) return std::nullopt;
  return Problem(403, "FORBIDDEN",
                 "user management is not available: the authentication mode is OIDC, where the "
                 "identity provider owns users; it needs BASIC mode",
                 context.request.path);
}

// UserResult, UserCreateResult and UserUpdateResult: never the password hash.
void WriteUser(JsonWriter& w, const User& u) {
  w.BeginObject();
  w.Field("username", u.username);
  w.Field("name", u.name);
  w.Field("email", u.email);
  w.EndObject();
}

// name and email when given; the password when given and not blank (UserUpdateRequest: "If
// blank, the password is unchanged").
absl::Status ReadUserFields(const JsonObject& root, User* u) {
  for (auto [name, out] : {std::pair{"name", &u->name}, std::pair{"email", &u->email}}) {
    CLEARANCE_ASSIGN_OR_RETURN(std::optional<std::string> value, root.OptionalString(name));
    if (value.has_value()) *out = *value;
  }
  CLEARANCE_ASSIGN_OR_RETURN(std::optional<std::string> password, root.OptionalString("password"));
  if (password.has_value() && !password->empty()) {
    CLEARANCE_ASSIGN_OR_RETURN(u->password_hash, HashPassword(*password));
  }
  return absl::OkStatus();
}

HttpResponse Create(RequestContext& context) {
  if (auto refused = RequireBasicMode(context)) return *refused;
  if (auto refused = Require(context, ResourceType::kUser, Permission::kCreate)) return *refused;
  absl::StatusOr<JsonBody> body = ReadBody(context);
  if (!body.ok()) return Fail(context, body.status());
  const JsonObject root = body->root();
  User u;
  absl::StatusOr<std::string> username = root.RequiredString("username");
  if (!username.ok()) return Fail(context, username.status());
  u.username = *std::move(username);
  // Required here, where an update may leave it out.
  absl::StatusOr<std::string> password = root.RequiredString("password");
  if (!password.ok()) return Fail(context, password.status());
  if (password->empty()) {
    return Fail(context, absl::InvalidArgumentError(
                             StrCat(root.PathOf("password"), ": is empty; expected a password")));
  }
  if (absl::Status s = ReadUserFields(root, &u); !s.ok()) return Fail(context, s);
  if (auto failed = Execute(context, CreateUser{u})) return *failed;
  JsonWriter w;
  WriteUser(w, u);
  return Json(201, std::move(w));
}

HttpResponse Get(RequestContext& context) {
  if (auto refused = RequireBasicMode(context)) return *refused;
  const std::string& username = context.params[0];
  if (auto refused = Require(context, ResourceType::kUser, Permission::kRead, username)) {
    return *refused;
  }
  std::optional<User> found;
  context.server.store->Read([&](const IdentityState& state) {
    if (const User* u = state.FindUser(username)) found = *u;
  });
  if (!found) return NotFound(context, "User", username);
  JsonWriter w;
  WriteUser(w, *found);
  return Json(200, std::move(w));
}

HttpResponse Update(RequestContext& context) {
  if (auto refused = RequireBasicMode(context)) return *refused;
  const std::string& username = context.params[0];
  if (auto refused = Require(context, ResourceType::kUser, Permission::kUpdate, username)) {
    return *refused;
  }
  absl::StatusOr<JsonBody> body = ReadBody(context);
  if (!body.ok()) return Fail(context, body.status());
  std::optional<User> u;
  context.server.store->Read([&](const IdentityState& state) {
    if (const User* found = state.FindUser(username)) u = *found;
  });
  if (!u) return NotFound(context, "User", username);
  if (absl::Status s = ReadUserFields(body->root(), &*u); !s.ok()) return Fail(context, s);
  if (auto failed = Execute(context, UpdateUser{*u})) return *failed;
  JsonWriter w;
  WriteUser(w, *u);
  return Json(200, std::move(w));
}

HttpResponse Delete(RequestContext& context) {
  if (auto refused = RequireBasicMode(context)) return *refused;
  const std::string& username = context.params[0];
  if (auto refused = Require(context, ResourceType::kUser, Permission::kDelete, username)) {
    return *refused;
  }
  if (auto failed = Execute(context, DeleteUser{username})) return *failed;
  return NoContent();
}

HttpResponse Search(RequestContext& context) {
  if (auto refused = RequireBasicMode(context)) return *refused;
  ReadableIds readable;
  if (auto refused = ReadableBy(context, ResourceType::kUser, &readable)) return *refused;
  absl::StatusOr<SearchQuery> query = SearchQuery::Parse(context.request.body, kSortFields);
  if (!query.ok()) return Fail(context, query.status());
  // UserFilter: username, name and email, each a StringFilterProperty.
  std::optional<StringFilter> filters[3];
  if (query->filter()) {
    for (size_t i = 0; i < 3; ++i) {
      absl::StatusOr<std::optional<StringFilter>> f =
          ReadStringFilter(*query->filter(), kSortFields[i], /*advanced=*/true);
      if (!f.ok()) return Fail(context, f.status());
      filters[i] = *std::move(f);
    }
  }
  auto field = [](const User& u, size_t i) -> std::string_view {
    return i == 0 ? std::string_view(u.username) : i == 1 ? std::string_view(u.name) : u.email;
  };
  std::vector<User> items;
  context.server.store->Read([&](const IdentityState& state) {
    for (const auto& [name, u] : state.users()) {
      bool match = readable.Allows(name);
      for (size_t i = 0; i < 3 && match; ++i)
        match = !filters[i] || filters[i]->Matches(field(u, i));
      if (match) items.push_back(u);
    }
  });
  SortItems(*query, items, field);
  return SearchResponse(*query, items, WriteUser);
}

}  // namespace

void AddUserRoutes(Router& router) {
  router.Add("POST", "/v2/users", Create);
  router.Add("POST", "/v2/users/search", Search);
  router.Add("GET", "/v2/users/{username}", Get);
  router.Add("PUT", "/v2/users/{username}", Update);
  router.Add("DELETE", "/v2/users/{username}", Delete);
}

}  // namespace clearance::server::v2_internal
