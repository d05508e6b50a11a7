#include "clearance/internal/json_fields.h"

#include <charconv>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"

namespace clearance {
namespace {

using strings_internal::StrCat;

std::string Member(std::string_view parent, std::string_view name) {
  return parent.empty() ? std::string(name) : StrCat(parent, ".", name);
}

}  // namespace

std::string_view JsonTypeName(simdjson::dom::element_type type) {
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

// ---- JsonValue ---------------------------------------------------------------------------

std::string JsonValue::path() const {
  if (index_) return StrCat(parent_path_, "[", *index_, "]");
  return Member(parent_path_, name_);
}

absl::Status JsonValue::Error(std::string_view problem) const {
  return absl::InvalidArgumentError(StrCat(path(), ": ", problem));
}

absl::Status JsonValue::WrongType(std::string_view expected) const {
  return absl::InvalidArgumentError(
      StrCat(path(), ": expected ", expected, ", found ", JsonTypeName(element_.type())));
}

absl::StatusOr<std::string_view> JsonValue::StringView() const {
  std::string_view value;
  if (element_.get_string().get(value) != simdjson::SUCCESS) return WrongType("a string");
  return value;
}

absl::StatusOr<std::string> JsonValue::String() const {
  CLEARANCE_ASSIGN_OR_RETURN(std::string_view value, StringView());
  return std::string(value);
}

absl::StatusOr<bool> JsonValue::Bool() const {
  bool value = false;
  if (element_.get_bool().get(value) != simdjson::SUCCESS) return WrongType("a boolean");
  return value;
}

// A JSON integer of type T or, with integers_as_strings, a string of decimal digits.
template <typename T>
absl::StatusOr<T> JsonValue::Integer(std::string_view expected) const {
  T value = 0;
  if (element_.get<T>().get(value) == simdjson::SUCCESS) return value;
  std::string_view text;
  if (!options_.integers_as_strings || element_.get_string().get(text) != simdjson::SUCCESS) {
    return WrongType(expected);
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) return value;
  return Error(StrCat("expected ", expected, " (a number or a string of decimal digits), found \"",
                      text.substr(0, 64), "\""));
}

absl::StatusOr<int64_t> JsonValue::Int() const { return Integer<int64_t>("an integer"); }

absl::StatusOr<uint64_t> JsonValue::Uint() const {
  int64_t negative = 0;
  if (element_.get_int64().get(negative) == simdjson::SUCCESS && negative < 0) {
    return Error(StrCat("is ", negative, "; expected a non-negative integer"));
  }
  return Integer<uint64_t>("a non-negative integer");
}

absl::StatusOr<JsonObject> JsonValue::Object() const {
  simdjson::dom::object object;
  if (element_.get_object().get(object) != simdjson::SUCCESS) return WrongType("an object");
  return JsonObject(object, path(), options_);
}

absl::StatusOr<JsonArray> JsonValue::Array() const {
  simdjson::dom::array array;
  if (element_.get_array().get(array) != simdjson::SUCCESS) return WrongType("an array");
  return JsonArray(array, path(), options_);
}

// ---- JsonArray ---------------------------------------------------------------------------

absl::Status JsonArray::ForEach(absl::FunctionRef<absl::Status(const JsonValue&)> each) const {
  size_t i = 0;
  for (simdjson::dom::element element : array_) {
    CLEARANCE_RETURN_IF_ERROR(each(JsonValue(element, path_, i, options_)));
    ++i;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> JsonArray::Strings() const {
  std::vector<std::string> out;
  out.reserve(array_.size());
  CLEARANCE_RETURN_IF_ERROR(ForEach([&](const JsonValue& element) -> absl::Status {
    CLEARANCE_ASSIGN_OR_RETURN(std::string_view value, element.StringView());
    out.emplace_back(value);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<JsonObject>> JsonArray::Objects() const {
  std::vector<JsonObject> out;
  out.reserve(array_.size());
  CLEARANCE_RETURN_IF_ERROR(ForEach([&](const JsonValue& element) -> absl::Status {
    CLEARANCE_ASSIGN_OR_RETURN(JsonObject object, element.Object());
    out.push_back(std::move(object));
    return absl::OkStatus();
  }));
  return out;
}

// ---- JsonObject --------------------------------------------------------------------------

std::string JsonObject::PathOf(std::string_view name) const { return Member(path_, name); }

absl::Status JsonObject::Error(std::string_view name, std::string_view problem) const {
  return absl::InvalidArgumentError(StrCat(PathOf(name), ": ", problem));
}

absl::Status JsonObject::Missing(std::string_view name, std::string_view expected) const {
  if (options_.camunda_missing) {
    return Error(name, StrCat("No ", name, " provided; expected ", expected));
  }
  return Error(name, StrCat("is missing; expected ", expected));
}

std::optional<JsonValue> JsonObject::Find(std::string_view name) const {
  simdjson::dom::element element;
  if (object_.at_key(name).get(element) != simdjson::SUCCESS) return std::nullopt;
  if (options_.null_is_absent && element.is_null()) return std::nullopt;
  return JsonValue(element, path_, name, options_);
}

absl::StatusOr<JsonValue> JsonObject::Required(std::string_view name,
                                               std::string_view expected) const {
  std::optional<JsonValue> value = Find(name);
  if (!value) return Missing(name, expected);
  return *value;
}

namespace {

// The optional and required readers of one type, from its JsonValue reader.
template <typename T, typename Read>
absl::StatusOr<std::optional<T>> ReadOptional(const JsonObject& object, std::string_view name,
                                              Read read) {
  std::optional<JsonValue> value = object.Find(name);
  if (!value) return std::optional<T>();
  CLEARANCE_ASSIGN_OR_RETURN(T read_value, read(*value));
  return std::optional<T>(std::move(read_value));
}

template <typename T, typename Read>
absl::StatusOr<T> ReadRequired(const JsonObject& object, std::string_view name,
                               std::string_view expected, Read read) {
  CLEARANCE_ASSIGN_OR_RETURN(JsonValue value, object.Required(name, expected));
  return read(value);
}

}  // namespace

#define CLEARANCE_JSON_READERS_(Name, T, expected, method)                                   \
  absl::StatusOr<T> JsonObject::Required##Name(std::string_view name) const {                \
    return ReadRequired<T>(*this, name, expected,                                            \
                           [](const JsonValue& v) { return v.method(); });                   \
  }                                                                                          \
  absl::StatusOr<std::optional<T>> JsonObject::Optional##Name(std::string_view name) const { \
    return ReadOptional<T>(*this, name, [](const JsonValue& v) { return v.method(); });      \
  }

CLEARANCE_JSON_READERS_(String, std::string, "a string", String)
CLEARANCE_JSON_READERS_(Bool, bool, "a boolean", Bool)
CLEARANCE_JSON_READERS_(Int, int64_t, "an integer", Int)
CLEARANCE_JSON_READERS_(Uint, uint64_t, "a non-negative integer", Uint)
CLEARANCE_JSON_READERS_(Object, JsonObject, "an object", Object)
CLEARANCE_JSON_READERS_(Array, JsonArray, "an array", Array)

#undef CLEARANCE_JSON_READERS_

absl::Status JsonObject::ReadStrings(std::string_view name, std::vector<std::string>* out) const {
  std::optional<JsonValue> value = Find(name);
  if (!value) return absl::OkStatus();
  return value->AppendStrings(out);
}

absl::Status JsonObject::CheckMembers(std::span<const std::string_view> names,
                                      bool all_required) const {
  CLEARANCE_ASSIGN_OR_RETURN(
      uint64_t given,
      ForEachMember(names, [](size_t, const JsonValue&) { return absl::OkStatus(); }));
  if (!all_required) return absl::OkStatus();
  for (size_t i = 0; i < names.size(); ++i) {
    if (!(given & (uint64_t{1} << i))) {
      // ForEachMember skips a null member that counts as absent: say what it is.
      simdjson::dom::element element;
      if (object_.at_key(names[i]).get(element) == simdjson::SUCCESS) {
        return JsonValue(element, path_, names[i], options_).WrongType("a value");
      }
      return Error(names[i], StrCat("is missing; expected every one of ",
                                    strings_internal::StrJoin(names, ", ")));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> JsonObject::ForEachMember(
    std::span<const std::string_view> names,
    absl::FunctionRef<absl::Status(size_t, const JsonValue&)> on_member) const {
  uint64_t seen = 0;
  uint64_t given = 0;
  for (simdjson::dom::key_value_pair field : object_) {
    size_t index = 0;
    while (index < names.size() && names[index] != field.key) ++index;
    if (index == names.size()) {
      return Error(field.key,
                   names.empty() ? std::string("unknown field; expected no fields")
                                 : StrCat("unknown field; expected only ",
                                          strings_internal::StrJoin(names, ", ")));
    }
    const uint64_t bit = uint64_t{1} << index;
    if (seen & bit) return Error(field.key, "given twice; expected it at most once");
    seen |= bit;
    if (options_.null_is_absent && field.value.is_null()) continue;
    given |= bit;
    CLEARANCE_RETURN_IF_ERROR(
        on_member(index, JsonValue(field.value, path_, names[index], options_)));
  }
  return given;
}

std::vector<std::string_view> JsonObject::Keys() const {
  std::vector<std::string_view> keys;
  for (simdjson::dom::key_value_pair field : object_) keys.push_back(field.key);
  return keys;
}

// ---- parsing -----------------------------------------------------------------------------

absl::StatusOr<JsonObject> ParseJsonObject(simdjson::dom::parser& parser, std::string_view text,
                                           JsonReadOptions options) {
  if (options.empty_is_object && text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    text = "{}";
  }
  simdjson::dom::element root;
  // parse() copies into the parser's padded buffer: the text needs no padding of its own.
  if (auto error = parser.parse(text.data(), text.size()).get(root); error != simdjson::SUCCESS) {
    if (text.empty()) {
      return absl::InvalidArgumentError(
          StrCat(options.document, ": empty; expected a JSON object"));
    }
    return absl::InvalidArgumentError(StrCat(options.document, ": not valid JSON (",
                                             simdjson::error_message(error),
                                             "); expected a JSON object"));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(StrCat(options.document, ": expected a JSON object, found ",
                                             JsonTypeName(root.type())));
  }
  return JsonObject(object, "", options);
}

absl::StatusOr<JsonDocument> JsonDocument::Parse(std::string_view text, JsonReadOptions options) {
  auto parser = std::make_unique<simdjson::dom::parser>();
  CLEARANCE_ASSIGN_OR_RETURN(JsonObject root, ParseJsonObject(*parser, text, options));
  return JsonDocument(std::move(parser), std::move(root));
}

}  // namespace clearance
