#include "clearance/claims_document.h"

#include <algorithm>
#include <string>
#include <vector>

#include "clearance/internal/strings.h"
#include "simdjson.h"

namespace clearance {
namespace {

using strings_internal::StrCat;

absl::Status Refuse(std::string_view problem) {
  return absl::UnauthenticatedError(StrCat("claims: ", problem));
}

std::string_view TypeName(simdjson::dom::element_type t) {
  switch (t) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::STRING:
      return "a string";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    case simdjson::dom::element_type::BOOL:
      return "a boolean";
    default:
      return "a number";
  }
}

// The first member name that appears twice in one object, searched depth first.
bool RepeatedName(simdjson::dom::element e, std::vector<std::string_view>* keys,
                  std::string_view* found) {
  simdjson::dom::object obj;
  simdjson::dom::array arr;
  if (e.get_object().get(obj) == simdjson::SUCCESS) {
    const size_t base = keys->size();
    for (auto field : obj) keys->push_back(field.key);
    std::sort(keys->begin() + static_cast<std::ptrdiff_t>(base), keys->end());
    auto dup = std::adjacent_find(keys->begin() + static_cast<std::ptrdiff_t>(base), keys->end());
    if (dup != keys->end()) {
      *found = *dup;
      return true;
    }
    keys->resize(base);
    for (auto field : obj) {
      if (RepeatedName(field.value, keys, found)) return true;
    }
  } else if (e.get_array().get(arr) == simdjson::SUCCESS) {
    for (simdjson::dom::element item : arr) {
      if (RepeatedName(item, keys, found)) return true;
    }
  }
  return false;
}

}  // namespace

absl::Status CheckClaimsDocument(std::string_view json, size_t max_depth,
                                 std::string_view depth_hint) {
  if (size_t nul = json.find('\0'); nul != std::string_view::npos) {
    return Refuse(StrCat("holds a NUL byte at offset ", nul,
                         "; expected JSON text (a NUL inside a string is written \\u0000)"));
  }
  if (!simdjson::validate_utf8(json.data(), json.size())) {
    return Refuse("is not valid UTF-8; expected JSON text in UTF-8");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::error_code error = parser.allocate(std::max<size_t>(json.size(), 1), max_depth);
  if (error == simdjson::SUCCESS) error = parser.parse(json.data(), json.size()).get(root);
  if (error == simdjson::DEPTH_ERROR) {
    return Refuse(StrCat("nests deeper than ", max_depth, " levels, the limit", depth_hint));
  }
  if (error != simdjson::SUCCESS) {
    return Refuse(StrCat("is not valid JSON (", simdjson::error_message(error),
                         "); expected one JSON object"));
  }
  if (root.type() != simdjson::dom::element_type::OBJECT) {
    return Refuse(StrCat("is ", TypeName(root.type()), "; expected one JSON object"));
  }
  std::vector<std::string_view> keys;
  std::string_view repeated;
  if (RepeatedName(root, &keys, &repeated)) {
    return Refuse(StrCat("member name ", strings_internal::JsonQuoted(repeated),
                         " appears twice in one object; expected unique member names"));
  }
  return absl::OkStatus();
}

}  // namespace clearance
