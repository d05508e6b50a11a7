// Request bodies: one JSON object read with clearance/internal/json_fields.h under the rules of
// the HTTP APIs: errors name "request body" and the field's path in the body ("filter.ownerId"),
// so a handler turns them into a 400 problem as they are; JSON null counts as absent (OpenAPI
// clients send nulls for unset fields); integers may be strings of decimal digits (Camunda sends
// 64-bit keys as strings); a missing required field is "No <name> provided" (Camunda's words).
//
//   absl::StatusOr<JsonBody> body = JsonBody::Parse(request.body);
//   if (!body.ok()) return ProblemFromStatus(body.status());
//   JsonObject root = body->root();
//   absl::StatusOr<std::string> owner = root.RequiredString("ownerId");
//   absl::StatusOr<std::optional<JsonObject>> filter = root.OptionalObject("filter");
//
// Thread-safety: none; a JsonBody and the objects read from it belong to one thread, and the
// objects must not outlive their JsonBody.
#ifndef CLEARANCE_SERVER_JSON_READER_H_
#define CLEARANCE_SERVER_JSON_READER_H_

#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "clearance/internal/json_fields.h"

namespace clearance::server {

// The reading rules of every request body.
inline constexpr JsonReadOptions kRequestBodyOptions = {
    .document = "request body",
    .empty_is_object = false,
    .null_is_absent = true,
    .integers_as_strings = true,
    .camunda_missing = true,
};

class JsonBody {
 public:
  // The body must be one JSON object. An empty body is read as {} when `empty_is_object`.
  // Errors: INVALID_ARGUMENT "request body: ..." for invalid JSON (simdjson's reason), invalid
  // UTF-8, or a value that is not an object.
  static absl::StatusOr<JsonBody> Parse(std::string_view body, bool empty_is_object = false);

  JsonObject root() const { return document_.root(); }

 private:
  explicit JsonBody(JsonDocument document) : document_(std::move(document)) {}
  JsonDocument document_;
};

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_JSON_READER_H_
