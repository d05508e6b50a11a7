#include "server/v2/search.h"

#include <charconv>
#include <utility>

#include "absl/strings/escaping.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"

namespace clearance::server::v2_internal {

using strings_internal::StrCat;

namespace {

std::string Cursor(size_t index) {
  const std::string text = StrCat("[", index, "]");
  return absl::Base64Escape(absl::string_view(text.data(), text.size()));
}

absl::StatusOr<int64_t> ReadCursor(std::string_view cursor, std::string_view path) {
  std::string decoded;
  int64_t index = 0;
  if (absl::Base64Unescape(absl::string_view(cursor.data(), cursor.size()), &decoded) &&
      decoded.size() > 2 && decoded.front() == '[' && decoded.back() == ']') {
    const char* first = decoded.data() + 1;
    const char* last = decoded.data() + decoded.size() - 1;
    const auto [end, error] = std::from_chars(first, last, index);
    if (error == std::errc() && end == last && index >= 0) return index;
  }
  return absl::InvalidArgumentError(StrCat(path, ": '", cursor.substr(0, 64),
                                           "' is not a cursor of this server; expected the "
                                           "startCursor or endCursor of a previous page"));
}

// One character of a $like pattern: a literal byte, '?' or '*'.
struct LikeToken {
  enum Kind : uint8_t { kLiteral, kOne, kAny } kind;
  char c;
};

std::vector<LikeToken> CompileLike(std::string_view pattern) {
  std::vector<LikeToken> tokens;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      tokens.push_back({LikeToken::kLiteral, pattern[++i]});
    } else if (c == '*') {
      tokens.push_back({LikeToken::kAny, c});
    } else if (c == '?') {
      tokens.push_back({LikeToken::kOne, c});
    } else {
      tokens.push_back({LikeToken::kLiteral, c});
    }
  }
  return tokens;
}

// The length of the UTF-8 character starting at s[i] ('?' matches one character, not one byte).
size_t CharLength(std::string_view s, size_t i) {
  size_t n = 1;
  while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
  return n;
}

// Glob matching with backtracking to the last '*' only: linear in |value| × |pattern| at worst.
bool Like(std::string_view value, std::string_view pattern) {
  const std::vector<LikeToken> p = CompileLike(pattern);
  size_t v = 0;
  size_t t = 0;
  std::optional<size_t> star_token;
  size_t star_value = 0;
  while (v < value.size()) {
    if (t < p.size() && p[t].kind == LikeToken::kAny) {
      star_token = t++;
      star_value = v;
    } else if (t < p.size() && p[t].kind == LikeToken::kOne) {
      v += CharLength(value, v);
      ++t;
    } else if (t < p.size() && p[t].c == value[v]) {
      ++v;
      ++t;
    } else if (star_token) {
      t = *star_token + 1;
      star_value += CharLength(value, star_value);
      v = star_value;
    } else {
      return false;
    }
  }
  while (t < p.size() && p[t].kind == LikeToken::kAny) ++t;
  return t == p.size();
}

absl::StatusOr<std::optional<std::vector<std::string>>> ReadStrings(const JsonObject& o,
                                                                    std::string_view name) {
  CLEARANCE_ASSIGN_OR_RETURN(std::optional<JsonArray> array, o.OptionalArray(name));
  if (!array.has_value()) return std::nullopt;
  CLEARANCE_ASSIGN_OR_RETURN(std::vector<std::string> strings, array->Strings());
  return std::optional<std::vector<std::string>>(std::move(strings));
}

}  // namespace

absl::StatusOr<SearchQuery> SearchQuery::Parse(std::string_view body,
                                               absl::Span<const std::string_view> sort_fields) {
  CLEARANCE_ASSIGN_OR_RETURN(JsonBody parsed, JsonBody::Parse(body, /*empty_is_object=*/true));
  SearchQuery query(std::move(parsed));
  const JsonObject root = query.body_.root();

  CLEARANCE_ASSIGN_OR_RETURN(query.filter_, root.OptionalObject("filter"));

  CLEARANCE_ASSIGN_OR_RETURN(std::optional<JsonArray> sort, root.OptionalArray("sort"));
  if (sort.has_value()) {
    CLEARANCE_ASSIGN_OR_RETURN(std::vector<JsonObject> keys, sort->Objects());
    for (const JsonObject& key : keys) {
      CLEARANCE_ASSIGN_OR_RETURN(std::string field, key.RequiredString("field"));
      auto it = std::find(sort_fields.begin(), sort_fields.end(), field);
      if (it == sort_fields.end()) {
        return absl::InvalidArgumentError(StrCat(key.PathOf("field"), ": '", field.substr(0, 128),
                                                 "' is not a sort field; expected one of ",
                                                 strings_internal::StrJoin(sort_fields, ", ")));
      }
      CLEARANCE_ASSIGN_OR_RETURN(std::optional<std::string> order, key.OptionalString("order"));
      bool descending = false;
      if (order.has_value()) {
        if (*order == "DESC") {
          descending = true;
        } else if (*order != "ASC") {
          return absl::InvalidArgumentError(StrCat(key.PathOf("order"), ": '",
                                                   order->substr(0, 128),
                                                   "' is not a sort order; expected ASC or DESC"));
        }
      }
      query.sort_.push_back({static_cast<size_t>(it - sort_fields.begin()), descending});
    }
  }

  CLEARANCE_ASSIGN_OR_RETURN(std::optional<JsonObject> page, root.OptionalObject("page"));
  if (page.has_value()) {
    const JsonObject& p = *page;
    CLEARANCE_ASSIGN_OR_RETURN(std::optional<int64_t> from, p.OptionalInt("from"));
    CLEARANCE_ASSIGN_OR_RETURN(std::optional<int64_t> limit, p.OptionalInt("limit"));
    CLEARANCE_ASSIGN_OR_RETURN(std::optional<std::string> after, p.OptionalString("after"));
    CLEARANCE_ASSIGN_OR_RETURN(std::optional<std::string> before, p.OptionalString("before"));
    if (after.has_value() && before.has_value()) {
      return absl::InvalidArgumentError(StrCat(p.path(), ": give at most one of after and before"));
    }
    if (from.has_value() && (after.has_value() || before.has_value())) {
      return absl::InvalidArgumentError(
          StrCat(p.path(),
                 ": give either from (offset paging) or after/before (cursor paging), not both"));
    }
    if (from.has_value()) {
      if (*from < 0) {
        return absl::InvalidArgumentError(
            StrCat(p.PathOf("from"), ": ", *from, " is negative; expected 0 or more"));
      }
      query.position_ = *from;
    }
    if (limit.has_value()) {
      if (*limit < 0 || *limit > kMaxPageLimit) {
        return absl::InvalidArgumentError(StrCat(
            p.PathOf("limit"), ": ", *limit, " is out of range; expected 0 to ", kMaxPageLimit));
      }
      query.limit_ = *limit;
    }
    if (after.has_value()) {
      CLEARANCE_ASSIGN_OR_RETURN(int64_t index, ReadCursor(*after, p.PathOf("after")));
      query.mode_ = Mode::kAfter;
      query.position_ = index;
    } else if (before.has_value()) {
      CLEARANCE_ASSIGN_OR_RETURN(int64_t index, ReadCursor(*before, p.PathOf("before")));
      query.mode_ = Mode::kBefore;
      query.position_ = index;
    }
  }
  return query;
}

PageWindow SearchQuery::Window(size_t total) const {
  const uint64_t n = total;
  const uint64_t position = static_cast<uint64_t>(position_);
  const uint64_t limit = static_cast<uint64_t>(limit_);
  PageWindow w;
  switch (mode_) {
    case Mode::kOffset:
      w.begin = std::min(position, n);
      w.end = std::min(w.begin + limit, n);
      break;
    case Mode::kAfter:
      w.begin = position >= n ? n : position + 1;
      w.end = std::min(w.begin + limit, n);
      break;
    case Mode::kBefore:
      w.end = std::min(position, n);
      w.begin = w.end > limit ? w.end - limit : 0;
      break;
  }
  return w;
}

void WritePage(JsonWriter& w, size_t total, PageWindow window) {
  w.Key("page");
  w.BeginObject();
  w.Field("totalItems", static_cast<uint64_t>(total));
  w.Field("hasMoreTotalItems", false);
  w.Key("startCursor");
  if (window.begin < window.end) {
    w.String(Cursor(window.begin));
  } else {
    w.Null();
  }
  w.Key("endCursor");
  if (window.begin < window.end) {
    w.String(Cursor(window.end - 1));
  } else {
    w.Null();
  }
  w.EndObject();
}

bool StringFilter::Matches(std::optional<std::string_view> value) const {
  if (exists && *exists != value.has_value()) return false;
  if (eq && (!value || *value != *eq)) return false;
  if (neq && value && *value == *neq) return false;
  if (in && (!value || std::find(in->begin(), in->end(), *value) == in->end())) return false;
  if (not_in && value && std::find(not_in->begin(), not_in->end(), *value) != not_in->end()) {
    return false;
  }
  if (like && (!value || !Like(*value, *like))) return false;
  return true;
}

absl::StatusOr<std::optional<StringFilter>> ReadStringFilter(const JsonObject& filter,
                                                             std::string_view name, bool advanced) {
  absl::StatusOr<std::optional<std::string>> exact = filter.OptionalString(name);
  if (exact.ok()) {
    if (!exact->has_value()) return std::nullopt;
    StringFilter f;
    f.eq = **exact;
    return f;
  }
  if (!advanced) return exact.status();
  absl::StatusOr<std::optional<JsonObject>> object = filter.OptionalObject(name);
  if (!object.ok()) {
    return absl::InvalidArgumentError(
        StrCat(filter.PathOf(name),
               ": expected a string or an object of $eq, $neq, $exists, $in, $notIn, $like"));
  }
  const JsonObject& o = **object;
  for (std::string_view key : o.Keys()) {
    if (key != "$eq" && key != "$neq" && key != "$exists" && key != "$in" && key != "$notIn" &&
        key != "$like") {
      return absl::InvalidArgumentError(
          StrCat(o.PathOf(key),
                 ": not a filter operator; expected one of $eq, $neq, "
                 "$exists, $in, $notIn, $like"));
    }
  }
  StringFilter f;
  CLEARANCE_ASSIGN_OR_RETURN(f.eq, o.OptionalString("$eq"));
  CLEARANCE_ASSIGN_OR_RETURN(f.neq, o.OptionalString("$neq"));
  CLEARANCE_ASSIGN_OR_RETURN(f.exists, o.OptionalBool("$exists"));
  CLEARANCE_ASSIGN_OR_RETURN(f.in, ReadStrings(o, "$in"));
  CLEARANCE_ASSIGN_OR_RETURN(f.not_in, ReadStrings(o, "$notIn"));
  CLEARANCE_ASSIGN_OR_RETURN(f.like, o.OptionalString("$like"));
  return f;
}

std::optional<HttpResponse> ReadableBy(const RequestContext& context, ResourceType type,
                                       ReadableIds* out) {
  absl::StatusOr<ResourceIds> ids = context.server.store->engine().AuthorizedResourceIds(
      context.caller.handle, type, Permission::kRead);
  if (!ids.ok()) return ProblemFromStatus(ids.status(), context.request.path);
  if (!ids->all && ids->ids.empty()) {
    // No READ at all: Require() words the 403 exactly as every other refusal.
    if (std::optional<HttpResponse> refused = Require(context, type, Permission::kRead)) {
      return refused;
    }
  }
  out->all = ids->all;
  out->ids = std::move(ids->ids);
  return std::nullopt;
}

}  // namespace clearance::server::v2_internal
