#include "server/json_reader.h"

#include "clearance/internal/status_macros.h"

namespace clearance::server {

absl::StatusOr<JsonBody> JsonBody::Parse(std::string_view body, bool empty_is_object) {
  JsonReadOptions options = kRequestBodyOptions;
  options.empty_is_object = empty_is_object;
  CLEARANCE_ASSIGN_OR_RETURN(JsonDocument document, JsonDocument::Parse(body, options));
  return JsonBody(std::move(document));
}

}  // namespace clearance::server
