#include "internal/strict_json.h"

#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"

namespace clearance::token_internal {
namespace {

// Duplicate detection for one object. Small objects (the common case) compare linearly without
// allocating; larger ones switch to a hash set so a 1 000-member object stays linear.
class MemberNames {
 public:
  // Returns false when `name` was already seen. Views stay valid: simdjson keeps every unescaped
  // string of the current document in the parser's string buffer.
  bool Insert(std::string_view name) {
    if (set_.empty()) {
      for (std::string_view seen : small_) {
        if (seen == name) return false;
      }
      if (small_.size() < kSmall) {
        small_.push_back(name);
        return true;
      }
      set_.insert(small_.begin(), small_.end());
    }
    return set_.insert(name).second;
  }

 private:
  static constexpr size_t kSmall = 16;
  absl::InlinedVector<std::string_view, kSmall> small_;
  absl::flat_hash_set<std::string_view> set_;
};

TokenError FromSimdjson(simdjson::error_code error) {
  return error == simdjson::DEPTH_ERROR ? TokenError::kTooDeep : TokenError::kBadJson;
}

TokenError ValidateObject(simdjson::ondemand::object object, int depth, const JsonCaps& caps,
                          int* budget) {
  MemberNames names;
  for (auto field : object) {
    if (field.error()) return FromSimdjson(field.error());
    if (--*budget < 0) return TokenError::kTooManyClaims;
    std::string_view name;
    if (field.unescaped_key().get(name)) return TokenError::kBadJson;
    if (!names.Insert(name)) return TokenError::kDuplicateMember;
    simdjson::ondemand::value v;
    if (auto e = field.value().get(v)) return FromSimdjson(e);
    if (TokenError e = ValidateValue(v, depth + 1, caps, budget); e != TokenError::kOk) return e;
  }
  return TokenError::kOk;
}

}  // namespace

TokenError ValidateValue(simdjson::ondemand::value& value, int depth, const JsonCaps& caps,
                         int* budget) {
  simdjson::ondemand::json_type type;
  if (value.type().get(type)) return TokenError::kBadJson;
  switch (type) {
    case simdjson::ondemand::json_type::object: {
      // A top-level member value is depth 2 when it is itself a container.
      if (depth + 1 > caps.max_depth) return TokenError::kTooDeep;
      simdjson::ondemand::object object;
      if (auto e = value.get_object().get(object)) return FromSimdjson(e);
      return ValidateObject(object, depth + 1, caps, budget);
    }
    case simdjson::ondemand::json_type::array: {
      if (depth + 1 > caps.max_depth) return TokenError::kTooDeep;
      simdjson::ondemand::array array;
      if (auto e = value.get_array().get(array)) return FromSimdjson(e);
      for (auto element : array) {
        if (element.error()) return FromSimdjson(element.error());
        if (--*budget < 0) return TokenError::kTooManyClaims;
        simdjson::ondemand::value v = element.value_unsafe();
        if (TokenError e = ValidateValue(v, depth + 1, caps, budget); e != TokenError::kOk) {
          return e;
        }
      }
      return TokenError::kOk;
    }
    case simdjson::ondemand::json_type::string: {
      std::string_view s;
      return value.get_string().get(s) ? TokenError::kBadJson : TokenError::kOk;
    }
    case simdjson::ondemand::json_type::number: {
      double d;
      return value.get_double().get(d) ? TokenError::kBadJson : TokenError::kOk;
    }
    case simdjson::ondemand::json_type::boolean: {
      bool b;
      return value.get_bool().get(b) ? TokenError::kBadJson : TokenError::kOk;
    }
    case simdjson::ondemand::json_type::null: {
      bool is_null = false;
      if (value.is_null().get(is_null) || !is_null) return TokenError::kBadJson;
      return TokenError::kOk;
    }
  }
  return TokenError::kBadJson;
}

TokenError WalkStrictObject(simdjson::ondemand::parser& parser, const char* json, size_t len,
                            const JsonCaps& caps, TopLevelVisitor visitor) {
  simdjson::ondemand::document doc;
  if (auto e = parser.iterate(json, len, len + simdjson::SIMDJSON_PADDING).get(doc)) {
    return FromSimdjson(e);
  }
  simdjson::ondemand::object object;
  if (auto e = doc.get_object().get(object)) return FromSimdjson(e);
  int budget = caps.max_members;
  MemberNames names;
  for (auto field : object) {
    if (field.error()) return FromSimdjson(field.error());
    if (--budget < 0) return TokenError::kTooManyClaims;
    std::string_view name;
    if (field.unescaped_key().get(name)) return TokenError::kBadJson;
    if (!names.Insert(name)) return TokenError::kDuplicateMember;
    simdjson::ondemand::value v;
    if (auto e = field.value().get(v)) return FromSimdjson(e);
    bool consumed = false;
    if (TokenError e = visitor(name, v, &consumed); e != TokenError::kOk) return e;
    if (!consumed) {
      if (TokenError e = ValidateValue(v, 1, caps, &budget); e != TokenError::kOk) return e;
    }
  }
  // Anything after the closing brace (a second value, a stray bracket) is refused: the signed
  // bytes must be one object and nothing else. simdjson reports the end of input as
  // OUT_OF_BOUNDS.
  const char* location = nullptr;
  if (doc.current_location().get(location) != simdjson::OUT_OF_BOUNDS) {
    return TokenError::kBadJson;
  }
  return TokenError::kOk;
}

bool NestsDeeperThan(std::string_view json, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : json) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

}  // namespace clearance::token_internal
