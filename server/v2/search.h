// Camunda's search model (search-models.yaml, filters.yaml) for the /v2 identity searches:
//
//   {"filter": {...}, "sort": [{"field": "name", "order": "ASC"|"DESC"}],
//    "page": {"from": 0, "limit": 100} | {"after": "<endCursor>", "limit": 100}
//          | {"before": "<startCursor>", "limit": 100}}
//   → {"items": [...], "page": {"totalItems": n, "hasMoreTotalItems": false,
//                               "startCursor": "..."|null, "endCursor": "..."|null}}
//
// The limit defaults to 100 and is at most 10000, as the document says. Sorting is stable over
// the items in id order, so ties (and an empty sort) keep id order and pages never overlap.
// Cursors name a position in that order (base64 of "[index]", the shape of Camunda's cursors):
// a write between two page requests shifts later positions, as an offset would.
//
// Internal to server/v2. Thread-safety: a SearchQuery belongs to one request.
#ifndef CLEARANCE_SERVER_V2_SEARCH_H_
#define CLEARANCE_SERVER_V2_SEARCH_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "clearance/catalog.h"
#include "server/http_message.h"
#include "server/json_reader.h"
#include "server/json_writer.h"
#include "server/router.h"

namespace clearance::server::v2_internal {

inline constexpr int64_t kDefaultPageLimit = 100;
inline constexpr int64_t kMaxPageLimit = 10000;

struct SortKey {
  size_t field = 0;  // index into the sort fields the search was parsed with
  bool descending = false;
};

// The items [begin, end) of the sorted matches.
struct PageWindow {
  size_t begin = 0;
  size_t end = 0;
};

class SearchQuery {
 public:
  // Reads `body` (empty reads as {}). `sort_fields`: the field names "sort[i].field" may take.
  // INVALID_ARGUMENT names the field: "sort[0].field: 'x' is not a sort field; expected one of
  // name, groupId", "page.limit: 20000 is above the maximum 10000", "page: give either from or
  // after/before, not both", a cursor this server did not issue, or a wrong JSON type.
  static absl::StatusOr<SearchQuery> Parse(std::string_view body,
                                           absl::Span<const std::string_view> sort_fields);

  // The "filter" object, when present.
  const std::optional<JsonObject>& filter() const { return filter_; }
  const std::vector<SortKey>& sort() const { return sort_; }
  PageWindow Window(size_t total) const;

 private:
  explicit SearchQuery(JsonBody body) : body_(std::move(body)) {}
  enum class Mode : uint8_t { kOffset, kAfter, kBefore };
  JsonBody body_;
  std::optional<JsonObject> filter_;
  std::vector<SortKey> sort_;
  Mode mode_ = Mode::kOffset;
  int64_t position_ = 0;  // from, or the cursor's index
  int64_t limit_ = kDefaultPageLimit;
};

// StringFilterProperty: a string (exact match) or {"$eq", "$neq", "$exists", "$in", "$notIn",
// "$like"}; every given operator must hold. $like takes '*' (any run) and '?' (one character),
// '\' escaping either.
struct StringFilter {
  std::optional<std::string> eq;
  std::optional<std::string> neq;
  std::optional<bool> exists;
  std::optional<std::vector<std::string>> in;
  std::optional<std::vector<std::string>> not_in;
  std::optional<std::string> like;

  // `value` is nullopt when the item has no such property.
  bool Matches(std::optional<std::string_view> value) const;
};

// Reads filter.<name>: absent or null gives nullopt. `advanced`: the field is a
// StringFilterProperty (string or operator object); otherwise only a string is accepted.
absl::StatusOr<std::optional<StringFilter>> ReadStringFilter(const JsonObject& filter,
                                                             std::string_view name, bool advanced);

// Which ids of one resource type the caller may READ.
struct ReadableIds {
  bool all = false;
  std::vector<std::string> ids;  // sorted; empty when `all`
  bool Allows(std::string_view id) const {
    return all || std::binary_search(ids.begin(), ids.end(), id);
  }
};

// The caller's READ on `type`: nullopt and *out filled, or the problem — 403 (Camunda's
// "Insufficient permissions" text) when the caller may READ no item of the type at all, 401 when
// it has no principal.
std::optional<HttpResponse> ReadableBy(const RequestContext& context, ResourceType type,
                                       ReadableIds* out);

// Sorts `items` by `query`'s sort keys; `key(item, field)` gives the item's value of sort field
// `field` as a string_view. Stable: items arrive in id order.
template <typename T, typename Key>
void SortItems(const SearchQuery& query, std::vector<T>& items, Key key) {
  const std::vector<SortKey>& keys = query.sort();
  if (keys.empty()) return;
  std::stable_sort(items.begin(), items.end(), [&](const T& a, const T& b) {
    for (const SortKey& k : keys) {
      const std::string_view x = key(a, k.field);
      const std::string_view y = key(b, k.field);
      if (x != y) return k.descending ? y < x : x < y;
    }
    return false;
  });
}

// Writes "page": {...} for `total` matches of which `window` is shown.
void WritePage(JsonWriter& w, size_t total, PageWindow window);

// The search response over sorted `items`: the window's items written by `write(w, item)`, then
// the page.
template <typename T, typename Write>
HttpResponse SearchResponse(const SearchQuery& query, const std::vector<T>& items, Write write) {
  const PageWindow window = query.Window(items.size());
  JsonWriter w;
  w.BeginObject();
  w.Key("items");
  w.BeginArray();
  for (size_t i = window.begin; i < window.end; ++i) write(w, items[i]);
  w.EndArray();
  WritePage(w, items.size(), window);
  w.EndObject();
  return JsonResponse(200, std::move(w).Take());
}

}  // namespace clearance::server::v2_internal

#endif  // CLEARANCE_SERVER_V2_SEARCH_H_
