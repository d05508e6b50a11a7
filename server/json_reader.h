// Reading request bodies: one JSON document parsed with simdjson, fields read by name with their
// types checked. Every error is INVALID_ARGUMENT and names the field by its path in the body
// ("filter.ownerId") with what was found and what was expected, so a handler turns it into a 400
// problem as it is.
//
//   absl::StatusOr<JsonBody> body = JsonBody::Parse(request.body);
//   if (!body.ok()) return ProblemFromStatus(body.status());
//   JsonObject root = body->root();
//   absl::StatusOr<std::string> owner = root.RequiredString("ownerId");
//   absl::StatusOr<std::optional<JsonObject>> filter = root.OptionalObject("filter");
//
// JSON null counts as absent for optional fields (OpenAPI clients send nulls for unset fields).
//
// Thread-safety: none; a JsonBody and the objects read from it belong to one thread, and the
// objects must not outlive their JsonBody.
#ifndef CLEARANCE_SERVER_JSON_READER_H_
#define CLEARANCE_SERVER_JSON_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "simdjson.h"

namespace clearance::server {

class JsonObject;

// A JSON array of the body, with the path it was read at.
class JsonArray {
 public:
  JsonArray(simdjson::dom::array array, std::string path) : array_(array), path_(std::move(path)) {}
  size_t size() const { return array_.size(); }
  // Every element as a string ("permissionTypes[2]: expected a string, found number").
  absl::StatusOr<std::vector<std::string>> Strings() const;
  // Every element as an object.
  absl::StatusOr<std::vector<JsonObject>> Objects() const;
  const std::string& path() const { return path_; }

 private:
  simdjson::dom::array array_;
  std::string path_;
};

class JsonObject {
 public:
  JsonObject(simdjson::dom::object object, std::string path)
      : object_(object), path_(std::move(path)) {}

  bool Has(std::string_view name) const;  // present and not null
  // Required: a missing or null field is "No <name> provided" (Camunda's words) under its path.
  absl::StatusOr<std::string> RequiredString(std::string_view name) const;
  absl::StatusOr<std::optional<std::string>> OptionalString(std::string_view name) const;
  absl::StatusOr<std::optional<bool>> OptionalBool(std::string_view name) const;
  // An integer; a JSON string of decimal digits is accepted too (Camunda sends 64-bit keys as
  // strings).
  absl::StatusOr<std::optional<int64_t>> OptionalInt(std::string_view name) const;
  absl::StatusOr<std::optional<JsonObject>> OptionalObject(std::string_view name) const;
  absl::StatusOr<std::optional<JsonArray>> OptionalArray(std::string_view name) const;
  // The member names, in document order.
  std::vector<std::string_view> Keys() const;
  // The path of member `name` ("filter.ownerId"; "ownerId" at the root).
  std::string PathOf(std::string_view name) const;
  const std::string& path() const { return path_; }

 private:
  simdjson::dom::object object_;
  std::string path_;
};

class JsonBody {
 public:
  // The body must be one JSON object. An empty body is read as {} when `empty_is_object`.
  // Errors: INVALID_ARGUMENT "request body: ..." for invalid JSON (simdjson's reason), invalid
  // UTF-8, or a value that is not an object.
  static absl::StatusOr<JsonBody> Parse(std::string_view body, bool empty_is_object = false);

  JsonObject root() const;

 private:
  JsonBody() = default;
  std::unique_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::object root_;
};

}  // namespace clearance::server

#endif  // CLEARANCE_SERVER_JSON_READER_H_
