// Reading JSON objects field by field: one simdjson DOM, members read by name with their types
// checked. Every error is INVALID_ARGUMENT and names the member by its path from the document's
// root ("filter.ownerId", "token_issuers[1].audiences[0]") with what was expected and what was
// found:
//
//   filter.ownerId: expected a string, found a number
//   ownerId: is missing; expected a string
//   resourceID: unknown field; expected only resourceType, permission, resourceIds
//
//   simdjson::dom::parser parser;
//   CLEARANCE_ASSIGN_OR_RETURN(JsonObject root, ParseJsonObject(parser, text, {.document = "x"}));
//   CLEARANCE_ASSIGN_OR_RETURN(std::string owner, root.RequiredString("ownerId"));
//   CLEARANCE_ASSIGN_OR_RETURN(std::optional<JsonObject> filter, root.OptionalObject("filter"));
//
// Where readers genuinely differ, JsonReadOptions says how (null as absent for request bodies,
// integers sent as strings by Camunda clients, Camunda's words for a missing field); a strict
// reader (a snapshot line) lists its exact members with CheckMembers.
//
// Paths are built only when an error names them. Thread-safety: none; every object read from a
// parser belongs to one thread and must not outlive the parser's document, and a JsonValue must
// not outlive the object or array it was read from (it views their path).
//
// Internal: not part of the installed API.
#ifndef CLEARANCE_INTERNAL_JSON_FIELDS_H_
#define CLEARANCE_INTERNAL_JSON_FIELDS_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "simdjson.h"

namespace clearance {

struct JsonReadOptions {
  // What the document is, for errors about the whole of it ("request body", "configuration").
  std::string_view document = "document";
  // An empty (or all-whitespace) text reads as {}.
  bool empty_is_object = false;
  // A member whose value is null reads as absent (OpenAPI clients send nulls for unset fields).
  // When false, null is a value of its own type and only a member's absence is absence.
  bool null_is_absent = true;
  // Integer members may also be strings of decimal digits (Camunda sends 64-bit keys as strings).
  bool integers_as_strings = false;
  // A missing required member reads "<path>: No <name> provided; expected ..." (Camunda's words)
  // rather than "<path>: is missing; expected ...".
  bool camunda_missing = false;
};

// "a string", "a number", "null", ...: a value's JSON type as errors name it.
std::string_view JsonTypeName(simdjson::dom::element_type type);

class JsonObject;
class JsonArray;

// One member of an object or one element of an array, with its path.
class JsonValue {
 public:
  // `parent_path` must outlive the value.
  JsonValue(simdjson::dom::element element, std::string_view parent_path, std::string_view name,
            JsonReadOptions options)
      : element_(element), parent_path_(parent_path), name_(name), options_(options) {}
  JsonValue(simdjson::dom::element element, std::string_view parent_path, size_t index,
            JsonReadOptions options)
      : element_(element), parent_path_(parent_path), index_(index), options_(options) {}

  simdjson::dom::element element() const { return element_; }
  bool is_null() const { return element_.is_null(); }
  std::string path() const;

  // A view into the parser's document.
  absl::StatusOr<std::string_view> StringView() const;
  absl::StatusOr<std::string> String() const;
  absl::StatusOr<bool> Bool() const;
  absl::StatusOr<int64_t> Int() const;
  absl::StatusOr<uint64_t> Uint() const;  // "a non-negative integer"
  absl::StatusOr<JsonObject> Object() const;
  absl::StatusOr<JsonArray> Array() const;
  // An array of strings, appended to `out` (a container of strings or of string views).
  template <typename Out>
  absl::Status AppendStrings(Out* out) const;

  // "<path>: <problem>" and "<path>: expected <expected>, found <this value's type>".
  absl::Status Error(std::string_view problem) const;
  absl::Status WrongType(std::string_view expected) const;

 private:
  template <typename T>
  absl::StatusOr<T> Integer(std::string_view expected) const;

  simdjson::dom::element element_;
  std::string_view parent_path_;
  std::string_view name_;
  std::optional<size_t> index_;
  JsonReadOptions options_;
};

class JsonArray {
 public:
  JsonArray(simdjson::dom::array array, std::string path, JsonReadOptions options)
      : array_(array), path_(std::move(path)), options_(options) {}

  size_t size() const { return array_.size(); }
  const std::string& path() const { return path_; }
  // Calls `each` with every element in order; stops at its first error.
  absl::Status ForEach(absl::FunctionRef<absl::Status(const JsonValue&)> each) const;
  // Every element as a string ("permissionTypes[2]: expected a string, found a number").
  absl::StatusOr<std::vector<std::string>> Strings() const;
  // Every element as an object.
  absl::StatusOr<std::vector<JsonObject>> Objects() const;

 private:
  simdjson::dom::array array_;
  std::string path_;
  JsonReadOptions options_;
};

class JsonObject {
 public:
  JsonObject(simdjson::dom::object object, std::string path, JsonReadOptions options)
      : object_(object), path_(std::move(path)), options_(options) {}

  // The member `name`, or nothing when it is absent (or null, when null counts as absent).
  std::optional<JsonValue> Find(std::string_view name) const;
  bool Has(std::string_view name) const { return Find(name).has_value(); }
  // The member `name`; a missing one is an error saying `expected`.
  absl::StatusOr<JsonValue> Required(std::string_view name, std::string_view expected) const;

  absl::StatusOr<std::string> RequiredString(std::string_view name) const;
  absl::StatusOr<std::optional<std::string>> OptionalString(std::string_view name) const;
  absl::StatusOr<bool> RequiredBool(std::string_view name) const;
  absl::StatusOr<std::optional<bool>> OptionalBool(std::string_view name) const;
  absl::StatusOr<int64_t> RequiredInt(std::string_view name) const;
  absl::StatusOr<std::optional<int64_t>> OptionalInt(std::string_view name) const;
  absl::StatusOr<uint64_t> RequiredUint(std::string_view name) const;
  absl::StatusOr<std::optional<uint64_t>> OptionalUint(std::string_view name) const;
  absl::StatusOr<JsonObject> RequiredObject(std::string_view name) const;
  absl::StatusOr<std::optional<JsonObject>> OptionalObject(std::string_view name) const;
  absl::StatusOr<JsonArray> RequiredArray(std::string_view name) const;
  absl::StatusOr<std::optional<JsonArray>> OptionalArray(std::string_view name) const;
  // An absent member leaves *out as it is.
  absl::Status ReadStrings(std::string_view name, std::vector<std::string>* out) const;

  // Refuses a member not in `names` ("unknown field; expected only ...") and a member given
  // twice; with `all_required`, also a name in `names` that is absent.
  absl::Status CheckMembers(std::span<const std::string_view> names, bool all_required) const;
  absl::Status CheckMembers(std::initializer_list<std::string_view> names,
                            bool all_required) const {
    return CheckMembers(std::span<const std::string_view>(names.begin(), names.size()),
                        all_required);
  }
  // CheckMembers(names, false), then on_member(index in `names`, value) for each member present
  // (and not null, when null counts as absent), in document order; bit i of the result is set
  // when names[i] was given. Stops at the first error. At most 64 names.
  absl::StatusOr<uint64_t> ForEachMember(
      std::span<const std::string_view> names,
      absl::FunctionRef<absl::Status(size_t, const JsonValue&)> on_member) const;

  // The member names, in document order.
  std::vector<std::string_view> Keys() const;
  // The path of member `name` ("filter.ownerId"; "ownerId" at the root).
  std::string PathOf(std::string_view name) const;
  const std::string& path() const { return path_; }
  const JsonReadOptions& options() const { return options_; }
  simdjson::dom::object object() const { return object_; }
  // "<path of name>: <problem>".
  absl::Status Error(std::string_view name, std::string_view problem) const;
  // The error for a required member that is absent.
  absl::Status Missing(std::string_view name, std::string_view expected) const;

 private:
  simdjson::dom::object object_;
  std::string path_;
  JsonReadOptions options_;
};

// Parses `text` with `parser` and returns its root, which must be an object. The object is valid
// until the parser's next parse. Errors name options.document: "<document>: not valid JSON
// (<simdjson's reason>); expected a JSON object", "<document>: expected a JSON object, found an
// array".
absl::StatusOr<JsonObject> ParseJsonObject(simdjson::dom::parser& parser, std::string_view text,
                                           JsonReadOptions options);

// A parsed document that owns its parser and options: for callers that keep the document.
class JsonDocument {
 public:
  static absl::StatusOr<JsonDocument> Parse(std::string_view text, JsonReadOptions options);
  JsonObject root() const { return root_; }

 private:
  explicit JsonDocument(std::unique_ptr<simdjson::dom::parser> parser, JsonObject root)
      : parser_(std::move(parser)), root_(std::move(root)) {}
  std::unique_ptr<simdjson::dom::parser> parser_;
  JsonObject root_;
};

template <typename Out>
absl::Status JsonValue::AppendStrings(Out* out) const {
  simdjson::dom::array array;
  if (element_.get_array().get(array) != simdjson::SUCCESS) {
    return WrongType("an array of strings");
  }
  size_t i = 0;
  for (simdjson::dom::element item : array) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS) {
      const std::string array_path = this->path();
      return JsonValue(item, array_path, i, options_).WrongType("a string");
    }
    out->emplace_back(s);
    ++i;
  }
  return absl::OkStatus();
}

}  // namespace clearance

#endif  // CLEARANCE_INTERNAL_JSON_FIELDS_H_
