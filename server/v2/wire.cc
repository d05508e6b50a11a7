#include "server/v2/wire.h"

#include <utility>

#include "clearance/internal/strings.h"

namespace clearance::server::v2_internal {

using strings_internal::StrAppend;
using strings_internal::StrCat;

namespace {

// The catalog's names are Camunda's names; only the matching differs (exact here, where the CLI
// accepts any case), so the tables stay the catalog's.
template <typename T, typename ForEach>
absl::StatusOr<T> ParseExact(std::string_view value, std::string_view path, std::string_view what,
                             ForEach for_each) {
  std::optional<T> found;
  std::string allowed;
  for_each([&](T candidate) {
    const std::string_view name = Name(candidate);
    if (name == value) found = candidate;
    StrAppend(&allowed, allowed.empty() ? "" : ", ", name);
  });
  if (found) return *found;
  return absl::InvalidArgumentError(
      StrCat(path, ": '", value.substr(0, 128), "' is not ", what, "; expected one of ", allowed));
}

}  // namespace

absl::StatusOr<OwnerType> ParseOwnerType(std::string_view value, std::string_view path) {
  return ParseExact<OwnerType>(value, path, "an owner type", [](auto f) {
    for (int i = 0; i < kOwnerTypeCount; ++i) f(static_cast<OwnerType>(i));
  });
}

absl::StatusOr<ResourceType> ParseResourceType(std::string_view value, std::string_view path) {
  return ParseExact<ResourceType>(value, path, "a resource type",
                                  [](auto f) { ForEachResourceType(f); });
}

absl::StatusOr<Permission> ParsePermission(std::string_view value, std::string_view path) {
  return ParseExact<Permission>(value, path, "a permission type",
                                [](auto f) { ForEachPermission(AllPermissions(), f); });
}

absl::StatusOr<JsonBody> ReadBody(const RequestContext& context, bool optional_body) {
  return JsonBody::Parse(context.request.body, optional_body);
}

HttpResponse Fail(const RequestContext& context, const absl::Status& status) {
  return ProblemFromStatus(status, context.request.path);
}

HttpResponse NotFound(const RequestContext& context, std::string_view noun, std::string_view id) {
  return Problem(404, "NOT_FOUND", StrCat(noun, " with id '", id, "' was not found"),
                 context.request.path);
}

std::optional<HttpResponse> Execute(const RequestContext& context, Command command,
                                    ChangeSet* applied) {
  absl::StatusOr<ApplyResult> result = context.server.store->Execute(std::move(command));
  if (!result.ok()) return Fail(context, result.status());
  switch (result->outcome) {
    case ApplyResult::Outcome::kApplied:
      if (applied != nullptr) *applied = std::move(result->changes);
      return std::nullopt;
    case ApplyResult::Outcome::kRefused:
      return Fail(context, result->refusal);
    case ApplyResult::Outcome::kSkipped:
      break;
  }
  // The server gives no log positions, so nothing is ever skipped.
  return Problem(500, "INTERNAL", "the store skipped the command", context.request.path);
}

AuthMode StoredMode(const RequestContext& context) {
  AuthMode mode = AuthMode::kOidc;
  context.server.store->Read([&](const IdentityState& state) { mode = state.config().mode; });
  return mode;
}

HttpResponse Json(int status, JsonWriter&& writer) {
  return JsonResponse(status, std::move(writer).Take());
}

}  // namespace clearance::server::v2_internal
