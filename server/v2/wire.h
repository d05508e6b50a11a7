// What every /v2 resource shares: the wire names of Camunda's enums, reading a request body,
// executing a command, and the problems for refusals. Internal to server/v2.
//
// Thread-safety: free functions over their arguments.
#ifndef CLEARANCE_SERVER_V2_WIRE_H_
#define CLEARANCE_SERVER_V2_WIRE_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clearance/catalog.h"
#include "clearance/commands.h"
#include "server/http_message.h"
#include "server/json_reader.h"
#include "server/json_writer.h"
#include "server/router.h"

namespace clearance::server::v2_internal {

// Camunda's enum values, exactly as the document spells them (OwnerTypeEnum, ResourceTypeEnum,
// PermissionTypeEnum): case-sensitive, no aliases. INVALID_ARGUMENT names `path` (the field in
// the body), the value, and every allowed value. OwnerTypeEnum's UNSPECIFIED owns nothing and is
// refused with the rest.
absl::StatusOr<OwnerType> ParseOwnerType(std::string_view value, std::string_view path);
absl::StatusOr<ResourceType> ParseResourceType(std::string_view value, std::string_view path);
absl::StatusOr<Permission> ParsePermission(std::string_view value, std::string_view path);

// The request body as one JSON object (400 problem text in the status when it is not).
// `optional_body`: an empty body reads as {} (search requests, whose body the document makes
// optional).
absl::StatusOr<JsonBody> ReadBody(const RequestContext& context, bool optional_body = false);

// The problem for `status` at this request's path.
HttpResponse Fail(const RequestContext& context, const absl::Status& status);

// 404 "NOT_FOUND": "<noun> with id '<id>' was not found".
HttpResponse NotFound(const RequestContext& context, std::string_view noun, std::string_view id);

// Executes `command` through the store. nullopt when it was applied (its ChangeSet in *applied
// when not null); otherwise the problem: the planner's refusal (400, 404, 409) or the store's
// error (503 UNAVAILABLE, 500 otherwise).
std::optional<HttpResponse> Execute(const RequestContext& context, Command command,
                                    ChangeSet* applied = nullptr);

// The authentication mode of the stored configuration.
AuthMode StoredMode(const RequestContext& context);

// A 200/201 response holding `writer`'s document.
HttpResponse Json(int status, JsonWriter&& writer);

}  // namespace clearance::server::v2_internal

#endif  // CLEARANCE_SERVER_V2_WIRE_H_
