#include "server/json_reader.h"

#include <charconv>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"

namespace clearance::server {
namespace {

using strings_internal::StrCat;

std::string_view TypeName(simdjson::dom::element_type type) {
  using T = simdjson::dom::element_type;
  switch (type) {
    case T::ARRAY: return "an array";
    case T::OBJECT: return "an object";
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE: return "a number";
    case T::STRING: return "a string";
    case T::BOOL: return "a boolean";
    case T::NULL_VALUE: return "null";
  }
  return "an unknown value";
}

absl::Status WrongType(std::string_view path, std::string_view expected,
                       simdjson::dom::element element) {
  return absl::InvalidArgumentError(
      StrCat(path, ": expected ", expected, ", found ", TypeName(element.type())));
}

}  // namespace

absl::StatusOr<std::vector<std::string>> JsonArray::Strings() const {
  std::vector<std::string> out;
  out.reserve(array_.size());
  size_t i = 0;
  for (simdjson::dom::element element : array_) {
    std::string_view value;
    if (element.get_string().get(value) != simdjson::SUCCESS) {
      return WrongType(StrCat(path_, "[", i, "]"), "a string", element);
    }
    out.emplace_back(value);
    ++i;
  }
  return out;
}

absl::StatusOr<std::vector<JsonObject>> JsonArray::Objects() const {
  std::vector<JsonObject> out;
  out.reserve(array_.size());
  size_t i = 0;
  for (simdjson::dom::element element : array_) {
    simdjson::dom::object object;
    std::string path = StrCat(path_, "[", i, "]");
    if (element.get_object().get(object) != simdjson::SUCCESS) {
      return WrongType(path, "an object", element);
    }
    out.emplace_back(object, std::move(path));
    ++i;
  }
  return out;
}

std::string JsonObject::PathOf(std::string_view name) const {
  return path_.empty() ? std::string(name) : StrCat(path_, ".", name);
}

bool JsonObject::Has(std::string_view name) const {
  simdjson::dom::element element;
  return object_.at_key(name).get(element) == simdjson::SUCCESS && !element.is_null();
}

absl::StatusOr<std::optional<std::string>> JsonObject::OptionalString(
    std::string_view name) const {
  simdjson::dom::element element;
  if (object_.at_key(name).get(element) != simdjson::SUCCESS || element.is_null()) {
    return std::optional<std::string>();
  }
  std::string_view value;
  if (element.get_string().get(value) != simdjson::SUCCESS) {
    return WrongType(PathOf(name), "a string", element);
  }
  return std::optional<std::string>(std::string(value));
}

absl::StatusOr<std::string> JsonObject::RequiredString(std::string_view name) const {
  CLEARANCE_ASSIGN_OR_RETURN(std::optional<std::string> value, OptionalString(name));
  if (!value.has_value()) {
    return absl::InvalidArgumentError(StrCat("No ", PathOf(name), " provided"));
  }
  return std::move(*value);
}

absl::StatusOr<std::optional<bool>> JsonObject::OptionalBool(std::string_view name) const {
  simdjson::dom::element element;
  if (object_.at_key(name).get(element) != simdjson::SUCCESS || element.is_null()) {
    return std::optional<bool>();
  }
  bool value = false;
  if (element.get_bool().get(value) != simdjson::SUCCESS) {
    return WrongType(PathOf(name), "a boolean", element);
  }
  return std::optional<bool>(value);
}

absl::StatusOr<std::optional<int64_t>> JsonObject::OptionalInt(std::string_view name) const {
  simdjson::dom::element element;
  if (object_.at_key(name).get(element) != simdjson::SUCCESS || element.is_null()) {
    return std::optional<int64_t>();
  }
  int64_t value = 0;
  if (element.get_int64().get(value) == simdjson::SUCCESS) return std::optional<int64_t>(value);
  std::string_view text;
  if (element.get_string().get(text) == simdjson::SUCCESS && !text.empty()) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size()) {
      return std::optional<int64_t>(value);
    }
    return absl::InvalidArgumentError(StrCat(
        PathOf(name), ": expected an integer (a number or a string of decimal digits), found \"",
        text.substr(0, 64), "\""));
  }
  return WrongType(PathOf(name), "an integer", element);
}

absl::StatusOr<std::optional<JsonObject>> JsonObject::OptionalObject(std::string_view name) const {
  simdjson::dom::element element;
  if (object_.at_key(name).get(element) != simdjson::SUCCESS || element.is_null()) {
    return std::optional<JsonObject>();
  }
  simdjson::dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) {
    return WrongType(PathOf(name), "an object", element);
  }
  return std::optional<JsonObject>(JsonObject(object, PathOf(name)));
}

absl::StatusOr<std::optional<JsonArray>> JsonObject::OptionalArray(std::string_view name) const {
  simdjson::dom::element element;
  if (object_.at_key(name).get(element) != simdjson::SUCCESS || element.is_null()) {
    return std::optional<JsonArray>();
  }
  simdjson::dom::array array;
  if (element.get_array().get(array) != simdjson::SUCCESS) {
    return WrongType(PathOf(name), "an array", element);
  }
  return std::optional<JsonArray>(JsonArray(array, PathOf(name)));
}

std::vector<std::string_view> JsonObject::Keys() const {
  std::vector<std::string_view> keys;
  for (simdjson::dom::key_value_pair field : object_) keys.push_back(field.key);
  return keys;
}

absl::StatusOr<JsonBody> JsonBody::Parse(std::string_view body, bool empty_is_object) {
  if (empty_is_object && body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    body = "{}";
  }
  JsonBody parsed;
  parsed.parser_ = std::make_unique<simdjson::dom::parser>();
  simdjson::dom::element root;
  // parse() copies into its padded buffer: the body needs no padding of its own.
  if (auto error = parsed.parser_->parse(body.data(), body.size()).get(root);
      error != simdjson::SUCCESS) {
    if (body.empty()) {
      return absl::InvalidArgumentError("request body: empty; expected a JSON object");
    }
    return absl::InvalidArgumentError(
        StrCat("request body: not valid JSON (", simdjson::error_message(error),
                     "); expected a JSON object"));
  }
  if (root.get_object().get(parsed.root_) != simdjson::SUCCESS) {
    return WrongType("request body", "a JSON object", root);
  }
  return parsed;
}

JsonObject JsonBody::root() const { return JsonObject(root_, ""); }

}  // namespace clearance::server
